"""The command evaluators run: exit codes, French messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def _bug(kind: type[Exception]):
    def raising(*args, **kwargs):
        raise kind("défaut injecté par le test")
    return raising


@pytest.mark.parametrize("kind", [ValueError, KeyError])
def test_a_bug_raising_valueerror_is_not_taken_for_a_users_mistake(mini, monkeypatch, capsys,
                                                                    kind):
    """Issue 20: `except ValueError  # ParameterError, SettingsError` printed a bug as a
    bad parameter, exit code 2. A bug is an internal error (3), with its traceback in the
    log file that the message names."""
    from evalqpv.publish import workbooks

    assert run(mini, "construire").returncode == 0
    capsys.readouterr()
    monkeypatch.setattr(workbooks, "write_templates", _bug(kind))
    assert cli.main(["--racine", str(mini.root), "gabarits", "--annee", "2025"]) == 3
    err = capsys.readouterr().err
    assert "Erreur interne de la boîte à outils" in err
    assert "pas une erreur dans vos données ni dans vos paramètres" in err
    assert "Traceback" not in err and "défaut injecté" not in err
    log = mini.processed / "erreur_interne.log"
    assert f"La trace complète de l'erreur est écrite dans {log}" in err
    trace = log.read_text(encoding="utf-8")
    assert trace.startswith("Traceback") and f"{kind.__name__}: " in trace
    assert "défaut injecté par le test" in trace and "write_templates" not in err


def test_a_bug_met_while_writing_the_help_is_an_internal_error(mini, monkeypatch, capsys):
    """The parser states the default year in its help (it reads the store): a bug there
    is explained, not dumped, whatever the command; an unreadable store only leaves
    the year unsaid."""
    from evalqpv.publish import run as runner

    assert run(mini, "construire").returncode == 0
    mini.years.write_text("{pas du json", encoding="utf-8")
    assert "aujourd'hui" not in cli.default_year_help(mini.root)
    monkeypatch.setattr(runner, "default_year", _bug(KeyError))
    capsys.readouterr()
    assert cli.main(["--racine", str(mini.root), "valider"]) == 3
    err = capsys.readouterr().err
    assert "Erreur interne de la boîte à outils" in err and "Traceback" not in err
    assert "KeyError" in (mini.processed / "erreur_interne.log").read_text(encoding="utf-8")


def test_a_users_mistake_exits_2_with_its_french_message(mini, capsys):
    assert run(mini, "construire").returncode == 0
    capsys.readouterr()
    code = cli.main(["--racine", str(mini.root), "gabarits", "--annee", "2025",
                     "--territoire", "QP099999"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Quartier inconnu" in err and "QP099999" in err
    assert "Erreur interne" not in err and "Traceback" not in err
    assert not (mini.processed / "erreur_interne.log").exists()


def test_a_configuration_error_met_by_a_command_exits_2(mini, monkeypatch, capsys):
    """A UserError raised anywhere under a command (here the contract read by
    `gabarits`) is the user's to fix: its message, exit code 2, no log."""
    from evalqpv.settings import SettingsError

    def invalid(*args, **kwargs):
        raise SettingsError("config/contrat.toml illisible : corrigez la ligne 3.")

    assert run(mini, "construire").returncode == 0
    capsys.readouterr()
    monkeypatch.setattr(cli, "load_contract", invalid)
    assert cli.main(["--racine", str(mini.root), "gabarits", "--annee", "2025"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "config/contrat.toml illisible : corrigez la ligne 3."


def test_the_report_runner_takes_a_bug_for_a_bug(mini, monkeypatch, capsys):
    """publish.run caught ValueError (for ParameterError) and RuntimeError (for
    ClusterError): a bug raising either was printed as the user's mistake, exit code 2."""
    from evalqpv.publish import run as runner

    assert run(mini, "construire").returncode == 0
    monkeypatch.setattr(runner, "notebook_time_limit", _bug(ValueError))
    capsys.readouterr()
    assert cli.main(["--racine", str(mini.root), "rapports"]) == 3
    assert "Erreur interne" in capsys.readouterr().err


def test_no_handler_of_the_command_takes_a_builtin_error_for_a_users_mistake():
    """The command and the runner tell a user's mistake by errors.UserError, never by a
    built-in class that a bug raises too (the one ValueError left is signal.signal's,
    outside the main thread)."""
    import ast

    lib = ROOT / "lib" / "evalqpv"
    for module in (lib / "cli.py", lib / "publish" / "run.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Try):
                continue
            for handler in node.handlers:
                caught = handler.type
                names = {n.id for n in ast.walk(caught) if isinstance(n, ast.Name)} \
                    if caught is not None else set()
                if names & {"ValueError", "RuntimeError", "Exception"} == {"ValueError"}:
                    calls = [ast.unparse(c.func) for c in ast.walk(node)
                             if isinstance(c, ast.Call) and c not in ast.walk(handler)]
                    assert calls == ["signal.signal"], (module.name, handler.lineno)
                else:
                    assert not names & {"ValueError", "RuntimeError"}, \
                        (module.name, handler.lineno, names)


def test_one_family_of_errors_importable_where_it_was():
    from evalqpv import errors
    from evalqpv.frenchnumbers import NotANumber
    from evalqpv.ingest.workbook import UnreadableWorkbook
    from evalqpv.publish.cluster import ClusterError
    from evalqpv.publish.forkserver import ServerGone
    from evalqpv.publish.lock import RunInProgress
    from evalqpv.publish.shell import CellError
    from evalqpv.settings import SettingsError
    from evalqpv.store.load import StoreMissing
    from evalqpv.territory import ParameterError

    users = (ParameterError, SettingsError, StoreMissing, RunInProgress, ClusterError,
             UnreadableWorkbook)
    for kind in users:
        assert issubclass(kind, errors.UserError), kind
    for kind in (ServerGone, CellError):
        assert issubclass(kind, errors.ExecutionError) and not issubclass(kind, errors.UserError)
    assert not issubclass(NotANumber, errors.UserError)
    for kind in (*users, ServerGone, CellError, NotANumber):
        assert issubclass(kind, errors.EvalqpvError), kind
    # the former built-in bases stay, for callers that still catch them
    assert issubclass(ParameterError, ValueError) and issubclass(SettingsError, ValueError)
    assert issubclass(NotANumber, ValueError) and issubclass(StoreMissing, RuntimeError)
    assert not issubclass(errors.UserError, ValueError)


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

    from evalqpv.contract_settings import load_contract
    from evalqpv.publish.run import _one_quarter

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
