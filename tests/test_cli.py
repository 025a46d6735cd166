"""The command evaluators run: exit codes, French messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evalqpv import cli

ROOT = Path(__file__).resolve().parents[1]


def run(mini, *args):
    return subprocess.run([sys.executable, "-m", "evalqpv", "--racine", str(mini.root), *args],
                          capture_output=True, text=True, check=False)


def test_build_then_bad_input(mini):
    ok = run(mini, "construire")
    assert ok.returncode == 0, ok.stderr
    assert "Validation réussie" in ok.stdout
    store = mini.store.read_bytes()
    report = (mini.processed / "validation.md").read_text(encoding="utf-8")
    assert "Validation réussie" in report

    # a partner's bad value: its row is left out, the rest is built, and it is said
    (mini.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur\napprenants_fle;QP092005;2024;trente\n", encoding="utf-8")
    partial = run(mini, "construire")
    assert partial.returncode == 0, partial.stderr
    assert "Retours des partenaires lus en partie" in partial.stdout
    assert "idsu.csv (IDSU) : partiel" in partial.stdout and "trente" in partial.stdout
    store = mini.store.read_bytes()

    # a blocking error (the contract's transcription): nothing is written
    (mini.raw / "contrat" / "chiffres.csv").write_text(
        "section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;geographie;"
        "annee;valeur_imprimee;source_citee;note\n"
        "I.C;t;population;population;qpv;QP092005;Cité Jardins;qpv2015;2019;trente;Insee;\n",
        encoding="utf-8")
    bad = run(mini, "construire")
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "Validation échouée" in bad.stderr and "ligne 2" in bad.stderr
    assert mini.store.read_bytes() == store
    report = (mini.processed / "validation.md").read_text(encoding="utf-8")
    assert "Validation échouée" in report and "trente" in report


def test_valider_writes_no_store(mini):
    result = run(mini, "valider")
    assert result.returncode == 0
    assert not mini.store.exists()
    assert (mini.processed / "validation.md").exists()


def test_help_is_in_french():
    result = subprocess.run([sys.executable, "-m", "evalqpv", "--help"], capture_output=True,
                            text=True, check=False)
    assert "construit et valide" in result.stdout


def test_internal_error_is_explained_not_dumped(mini, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(cli, "build", boom)
    assert cli.main(["--racine", str(mini.root), "construire"]) == 3
    err = capsys.readouterr().err
    assert "Erreur interne" in err and "Traceback" not in err
    assert "RuntimeError" in (mini.processed / "erreur_interne.log").read_text(encoding="utf-8")


def test_rebuild_from_the_same_inputs_is_byte_identical(mini):
    assert run(mini, "construire").returncode == 0
    first = {p.name: p.read_bytes() for p in mini.processed.iterdir() if p.is_file()}
    assert run(mini, "construire").returncode == 0
    second = {p.name: p.read_bytes() for p in mini.processed.iterdir() if p.is_file()}
    assert first == second


def test_the_help_states_the_default_year_the_code_takes(built_project):
    """`evalqpv rapports --help` names the year a run without --annee evaluates: the one
    publish.run chooses (the contract's last elapsed year), not another rule."""
    import re
    from datetime import date

    from evalqpv.publish.run import _one_quarter
    from evalqpv.settings import load_contract

    paths, _ = built_project
    helped = subprocess.run([sys.executable, "-m", "evalqpv", "--racine", str(paths.root),
                             "rapports", "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0, helped.stderr
    text = " ".join(helped.stdout.split())
    assert "dernière année écoulée du contrat" in text
    assert "dernière année avec des données" not in text
    stated = re.search(r"aujourd'hui (\d{4})", text)
    assert stated, text
    contract = load_contract(paths)
    taken, _ = _one_quarter(paths, None, contract.territoire, contract)
    assert int(stated.group(1)) == taken
    assert taken == contract.default_year(date.today().year)  # the rule the help gives
    exploration = (ROOT / "notebooks" / "exploration.ipynb").read_text(encoding="utf-8")
    assert "dernière année écoulée" in exploration and "avec des données" not in exploration


def test_former_option_names_are_accepted_with_a_french_notice(capsys):
    args = cli.parser().parse_args(["rapports", "--axe", "emploi", "--rapport", "synthese",
                                    "--scheduler", "tcp://serveur:8786"])
    assert args.rapports == ["emploi", "synthese"]
    assert args.planificateur == "tcp://serveur:8786"
    err = capsys.readouterr().err
    assert "« --axe » s'appelle désormais « --rapport »" in err
    assert "« --scheduler » s'appelle désormais « --planificateur »" in err
    assert "--scheduler" not in cli.parser().format_help()


def test_the_browser_check_is_a_command_that_says_how_to_install_it(mini):
    result = run(mini, "controle-navigateur")
    assert result.returncode == 2
    assert "make controle-navigateur" in result.stderr and "Traceback" not in result.stderr


def test_library_warnings_go_to_a_log_not_to_the_terminal(capsys):
    import warnings

    with cli.technical_warnings():
        warnings.warn("Port 8787 is already in use.", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert "Port 8787" not in err and "UserWarning" not in err
    assert err.startswith("1 avertissement technique des bibliothèques")
    log = Path(err.rsplit(" : ", 1)[1].strip())
    assert "Port 8787 is already in use" in log.read_text(encoding="utf-8")
    log.unlink()
