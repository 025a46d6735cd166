"""Faults a real year will bring (issue 12): interrupted builds, full disks, read-only
folders, truncated publications, workbooks edited by hand, symbolic links, personal
data, small counts, hostile parameters. Each fault is injected on the small hand-written
project (monkeypatching, or a subprocess killed or limited by the system)."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from evalqpv import cli, report
from evalqpv.frenchnumbers import number
from evalqpv.ingest import FileId, FileSummary
from evalqpv.problems import Problems
from evalqpv.publish import run as runner
from evalqpv.publish.workbooks import write_templates
from evalqpv.settings import ProjectPaths
from evalqpv.store import build as build_module
from evalqpv.store.atomic import write_text_atomic
from evalqpv.store.build import build
from evalqpv.store.fingerprint import store_is_current
from evalqpv.store.validation_report import render
from evalqpv.vocabulary import COLLECTION_COLUMNS, COLLECTION_SHEET

ROOT = Path(__file__).resolve().parents[1]
RETURNS = Path("data/raw/partenaires/2025")
HEADER = "indicateur;code;annee;valeur;commentaire\n"
NBSP = "\u00a0"
MASK_HTML = f"&lt;{NBSP}11"  # « < 11 », escaped in a report


def partner_csv(mini: ProjectPaths, *lines: str, name: str = "idsu.csv") -> Path:
    path = mini.root / RETURNS / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def snapshot(mini: ProjectPaths) -> dict[str, bytes]:
    """Every file of data/processed/, hidden ones included."""
    return {p.name: p.read_bytes() for p in mini.processed.iterdir() if p.is_file()}


def leftovers(mini: ProjectPaths) -> list[str]:
    """What an interrupted build may leave: staging folders, temporary files."""
    data = mini.root / "data"
    found = [p.name for p in data.iterdir() if p.name.startswith(".")
             and not p.name.endswith(".verifie.json")]
    if mini.processed.exists():
        found += [p.name for p in mini.processed.iterdir() if p.name.startswith(".")]
    return found


def run_cli(mini: ProjectPaths, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalqpv", "--racine", str(mini.root), *args],
                          capture_output=True, text=True, check=False, **kwargs)


# --------------------------------------------------------------------------- one unit


def test_ctrl_c_while_writing_leaves_the_previous_store_whole(mini, monkeypatch):
    assert build(mini).ok
    before = snapshot(mini)
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")

    def interrupted(path, rows):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_store", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(mini)
    assert snapshot(mini) == before, "no file of a half-made store beside the old one"
    assert not store_is_current(mini), "a new input: the old store is not current"
    assert leftovers(mini) == []


KILLED_WHILE_WRITING = """
import os, signal, sys
from pathlib import Path
from evalqpv.settings import ProjectPaths
from evalqpv.store import build, consolidate

def dying(path, rows):
    def rows_then_death():
        for number, row in enumerate(rows):
            if number == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            yield row
    consolidate.write_csv_atomic(path, consolidate.STORE_COLUMNS, rows_then_death())

build.write_store = dying
build.build(ProjectPaths(Path(sys.argv[1])))
"""


def test_kill_9_while_writing_then_next_start_cleans_up(mini):
    assert build(mini).ok
    before = snapshot(mini)
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING, str(mini.root)],
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(mini) == before
    assert not store_is_current(mini), "`make rapports` must not say « Stock à jour »"

    again = build(mini)
    assert again.ok
    assert leftovers(mini) == [], "the killed build's temporary files are removed"
    assert any("interrompue" in p.message for p in again.problems.warnings)
    assert store_is_current(mini)
    assert "apprenants_fle" in mini.store.read_text(encoding="utf-8")


KILLED_WHILE_SWITCHING = """
import os, signal, sys
from pathlib import Path
from evalqpv.settings import ProjectPaths
from evalqpv.store import build, commit

real_rename = os.rename

def rename(source, target):
    if ".pret-" in str(source) and str(target).endswith("processed"):
        os.kill(os.getpid(), signal.SIGKILL)  # between the old store's rename and the new
    real_rename(source, target)

commit.os.rename = rename
build.build(ProjectPaths(Path(sys.argv[1])))
"""


def test_kill_9_between_the_two_renames_is_completed_at_next_start(mini):
    assert build(mini).ok
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_SWITCHING, str(mini.root)],
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not mini.processed.exists()
    status = run_cli(mini, "valider")  # any command starts by finishing the switch
    assert status.returncode == 0, status.stderr
    assert "le nouveau stock, complet, a été mis en place" in status.stdout
    assert "apprenants_fle" in mini.store.read_text(encoding="utf-8")
    assert store_is_current(mini)
    assert leftovers(mini) == []


def _small_disk() -> None:
    """In the child: any file beyond 3 000 bytes fails as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))


def test_disk_full_while_writing_leaves_nothing_half_written(mini):
    assert build(mini).ok  # observations.csv is larger than 3 000 bytes
    before = snapshot(mini)
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")
    full = run_cli(mini, "construire", preexec_fn=_small_disk)
    assert full.returncode == 4, full.stderr
    assert "Traceback" not in full.stderr
    assert "Disque plein" in full.stderr and "data/processed/" in full.stderr
    assert "conservés" in full.stderr
    after = snapshot(mini)
    log = after.pop("erreur_interne.log", b"")  # written where it could be: a small file
    assert b"File too large" in log and "erreur_interne.log" in full.stderr
    assert after == before, "stock_precedent.csv is not left truncated"
    assert leftovers(mini) == []


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "Disque plein"),
    (errno.EACCES, "Écriture refusée"),
    (errno.EROFS, "Écriture refusée"),
], ids=["disque plein", "droits refusés", "lecture seule"])
def test_system_refusal_is_french_and_logged_elsewhere(mini, monkeypatch, capsys, tmp_path,
                                                      code, words):
    assert build(mini).ok
    before = snapshot(mini)
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")
    data = (mini.root / "data").resolve()
    real = tempfile.mkstemp

    def refusing(*args, **kwargs):
        folder = Path(kwargs.get("dir") or tempfile.gettempdir()).resolve()
        if data == folder or data in folder.parents:
            raise OSError(code, os.strerror(code), str(folder / "fichier"))
        return real(*args, **kwargs)

    elsewhere = tmp_path / "systeme"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", refusing)
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    assert cli.main(["--racine", str(mini.root), "construire"]) == 4
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "Erreur interne" not in err
    assert snapshot(mini) == before
    assert leftovers(mini) == []
    logs = list(elsewhere.glob("evalqpv_erreur_*.log"))
    assert len(logs) == 1 and str(logs[0]) in err, "the log is written where it can be"
    assert "OSError" in logs[0].read_text(encoding="utf-8")


def test_a_store_edited_by_hand_is_never_trusted(mini):
    assert build(mini).ok
    assert store_is_current(mini)
    text = mini.store.read_text(encoding="utf-8")
    assert ",749," in text
    mini.store.write_text(text.replace(",749,", ",750,"), encoding="utf-8")  # same size
    assert not store_is_current(mini)
    messages: list[str] = []
    assert runner.ensure_store(mini, messages.append)
    assert "Stock à jour" not in " ".join(messages)
    assert ",749," in mini.store.read_text(encoding="utf-8")
    assert store_is_current(mini)
    changes = mini.revisions.read_text(encoding="utf-8") if mini.revisions.exists() else ""
    assert "750" not in changes, "a hand edit is not a change of the data"


def test_an_unreadable_manifest_is_not_trusted(mini):
    assert build(mini).ok
    mini.manifest.write_text("{ tronqué", encoding="utf-8")
    assert not store_is_current(mini)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_are_readable_as_the_umask_says(mini, mask, mode):
    previous = os.umask(mask)
    try:
        assert build(mini).ok
        page = mini.reports / "2025" / "index.html"
        write_text_atomic(page, "<p>rapport</p>")
    finally:
        os.umask(previous)
    for path in [*mini.processed.iterdir(), page]:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path.name
    assert stat.S_IMODE(mini.processed.stat().st_mode) == mode | 0o111 & ~mask


# --------------------------------------------------------------------------- values


def ipro(codes: list[str]) -> str:
    """An IPRO release listing these quarters, in the producer's format."""
    return "CODGEO;LIBGEO;ABCDE\n" + "".join(f"{c};Quartier {c};{100 + i}\n"
                                             for i, c in enumerate(codes))


QUARTERS = ["QP092005", *(f"QP0921{n:02d}" for n in range(19))]  # in the mini geography (92)


def test_truncated_publication_stops_the_build(mini):
    sig = mini.raw / "sig-ville-qpv2015"
    (sig / "IPRO_2022.csv").write_text(ipro(QUARTERS), encoding="utf-8")
    (sig / "IPRO_2023.csv").write_text(ipro(QUARTERS), encoding="utf-8")
    assert build(mini).ok, "a complete new release is read"
    (sig / "IPRO_2023.csv").write_text(ipro(QUARTERS[10:]), encoding="utf-8")
    result = build(mini)
    assert not result.ok
    texts = [p.render() for p in result.problems.errors
             if p.fichier == "data/raw/sig-ville-qpv2015/IPRO_2023.csv"]
    assert any("tronquée" in t and "10 lignes" in t and "20" in t and "IPRO_2022.csv" in t
               for t in texts), texts
    assert any("QP092005" in t and "quartier évalué" in t for t in texts), texts


def test_the_evaluated_quarter_missing_from_a_release_stops_the_build(mini):
    sig = mini.raw / "sig-ville-qpv2015"
    (sig / "IPRO_2022.csv").write_text(ipro(QUARTERS), encoding="utf-8")
    (sig / "IPRO_2023.csv").write_text(ipro(QUARTERS[1:]), encoding="utf-8")
    result = build(mini)
    (error,) = result.problems.errors
    assert "QP092005" in error.message and error.fichier.endswith("IPRO_2023.csv")


def test_release_comparison_on_hand_made_summaries():
    from evalqpv.ingest.releases import check_releases

    def release(year: int, rows: int, quarters: set[str]) -> tuple[FileId, FileSummary]:
        summary = FileSummary(f"data/raw/sig/IPRO_{year}.csv", "SIG", str(year), lignes=rows,
                              quartiers=frozenset(quarters))
        return FileId("IPRO", year), summary

    problems = Problems()
    check_releases([release(2021, 1300, {"QP1"}), release(2022, 800, {"QP1"}),
                    release(2023, 400, {"QP2"})], "QP1", problems)
    assert [p.fichier for p in problems.errors] == ["data/raw/sig/IPRO_2023.csv"] * 2
    ok = Problems()  # the EPCI reform of 2017: 2 047 rows, then 1 251
    check_releases([release(2015, 2047, set()), release(2016, 1251, set())], "QP1", ok)
    assert not ok.items


def test_no_infinite_figure_is_printed():
    assert number(float("inf")) == "–" and number(float("-inf")) == "–"


def test_windows_1252_in_a_producer_file_is_decoded_and_said(mini):
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").write_bytes(
        "CODGEO;LIBGEO;ABCDE\nQP092005;Cité Jardins;752\n".encode("cp1252"))
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    rows = [r for r in result.rows if "IPRO_2022" in r["fichier"]]
    assert rows and {r["libelle_territoire"] for r in rows} == {"Cité Jardins"}
    assert not any("\ufffd" in value for r in result.rows for value in r.values())
    (warning,) = [p for p in result.problems.warnings if "Windows-1252" in p.message]
    assert warning.ligne == 2 and "IPRO_2022" in warning.fichier
    assert "\ufffd" not in mini.store.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- workbooks


def _data_sheet(ws, value: object) -> None:
    ws.append(list(COLLECTION_COLUMNS))
    row = dict.fromkeys(COLLECTION_COLUMNS, None)
    row.update(indicateur="apprenants_fle", niveau="qpv", code="QP092005", annee=2024,
               valeur=value)
    ws.append([row[c] for c in COLLECTION_COLUMNS])


def returned_workbook(code_name: bool, draft_columns: tuple[str, ...]) -> bytes:
    """A collection workbook whose data sheet was renamed, with a draft placed first."""
    wb = Workbook()
    draft = wb.active
    draft.title = "Brouillon"
    draft.append(list(draft_columns))
    draft.append(["apprenants_fle", "QP092005", 2024, 999][:len(draft_columns)]
                 + [None] * (len(draft_columns) - 4))
    data = wb.create_sheet("Données 2025")
    if code_name:
        data.sheet_properties.codeName = "evalqpv_indicateurs"
    _data_sheet(data, 35)
    hidden = wb.create_sheet("_structure")
    hidden.append(["colonnes", *COLLECTION_COLUMNS])
    hidden.append(["indicateurs", "apprenants_fle"])
    hidden.append(["annee", 2025])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("code_name", "draft_columns"), [
    (True, COLLECTION_COLUMNS),
    (False, ("indicateur", "code", "annee", "valeur")),
], ids=["nom de code", "structure cachée"])
def test_the_data_sheet_is_found_by_its_structure_not_its_position(mini, code_name,
                                                                    draft_columns):
    (mini.root / RETURNS / "idsu.xlsx").write_bytes(returned_workbook(code_name,
                                                                      draft_columns))
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    (row,) = [r for r in result.rows if r["indicateur"] == "apprenants_fle"]
    assert row["valeur"] == "35", "the draft's 999 is never read"
    assert "Données 2025" in row["fichier"] or "idsu" in row["source"]
    assert any("Brouillon" in (p.valeur or "") for p in result.problems.warnings) \
        or not code_name


def test_two_lookalike_sheets_without_code_name_are_refused(mini):
    (mini.root / RETURNS / "idsu.xlsx").write_bytes(returned_workbook(False,
                                                                      COLLECTION_COLUMNS))
    result = build(mini)
    (error,) = result.problems.errors
    assert "plusieurs feuilles" in error.message
    assert "Brouillon" in (error.valeur or "") and "Données 2025" in (error.valeur or "")


# --------------------------------------------------------------------------- links


def test_a_returns_folder_linked_from_inside_the_project_is_read(mini):
    shared = mini.root / "retours" / "2025"
    shared.mkdir(parents=True)
    (shared / "idsu.csv").write_text(HEADER + "apprenants_fle;QP092005;2024;35;\n",
                                     encoding="utf-8")
    target = mini.root / RETURNS
    target.rmdir()
    target.symlink_to(shared, target_is_directory=True)
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    (row,) = [r for r in result.rows if r["indicateur"] == "apprenants_fle"]
    assert row["fichier"] == "data/raw/partenaires/2025/idsu.csv"
    assert store_is_current(mini)
    (shared / "idsu.csv").write_text(HEADER + "apprenants_fle;QP092005;2024;36;\n",
                                     encoding="utf-8")
    assert not store_is_current(mini), "a change behind the link is seen"


def test_a_returns_folder_linked_from_outside_the_project_is_said(mini, tmp_path_factory):
    outside = tmp_path_factory.mktemp("partage")
    (outside / "idsu.csv").write_text(HEADER + "apprenants_fle;QP092005;2024;35;\n",
                                      encoding="utf-8")
    target = mini.root / RETURNS
    target.rmdir()
    target.symlink_to(outside, target_is_directory=True)
    result = build(mini)
    (error,) = result.problems.errors
    assert error.fichier == "data/raw/partenaires/2025"
    assert "hors du projet" in error.message and error.correction


def test_a_link_to_a_file_outside_the_project_is_refused_unread(mini, tmp_path_factory):
    secret = tmp_path_factory.mktemp("systeme") / "passwd"
    secret.write_text("root:x:0:0:SECRET-NE-PAS-AFFICHER:/root:/bin/bash\n", encoding="utf-8")
    (mini.root / RETURNS / "caf.csv").symlink_to(secret)
    result = run_cli(mini, "construire")
    assert result.returncode == 1
    assert "hors du projet" in result.stderr and "data/raw/partenaires/2025/caf.csv" in \
        result.stderr
    report_text = mini.validation_report.read_text(encoding="utf-8")
    for text in (result.stdout, result.stderr, report_text):
        assert "SECRET-NE-PAS-AFFICHER" not in text and "root:x" not in text


# --------------------------------------------------------------------------- people


def test_personal_data_is_refused_and_never_repeated(mini):
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;rappeler jean.dupont@exemple.fr",
                "pre_enfants_accompagnes;QP092005;2024;40;tél. 06 12 34 56 78")
    result = build(mini)
    assert result.ok  # the rows are refused; the rest of the store is built
    assert {p.ligne for p in result.problems.errors} == {2, 3}
    assert not [r for r in result.rows if "idsu" in r["fichier"]]
    (record,) = result.returns
    assert record.statut == "partiel" and record.valeurs == 0
    written = " ".join(p.read_text(encoding="utf-8") for p in mini.processed.glob("*.csv"))
    everything = render(result) + " ".join(p.render() for p in result.problems.items) + written
    for personal in ("jean.dupont", "06 12 34 56 78"):
        assert personal not in everything


def test_personal_data_detection_on_hand_made_text():
    from evalqpv.ingest.personal import personal_column, personal_data

    assert personal_data("écrire à l.martin@ville.fr") == "adresse électronique"
    assert personal_data("+33 6 12 34 56 78") == "numéro de téléphone"
    assert personal_data("3 bis rue des Lilas") == "adresse postale"
    assert personal_data("suivie par M. Dupont") == "nom de personne"
    for harmless in ("5 481", "29,9 %", "données 2024 provisoires", "2 ateliers en mai"):
        assert personal_data(harmless) is None, harmless
    assert personal_column("Prénom") and personal_column("e-mail")
    assert personal_column("adresse_postale") and personal_column("Téléphone portable")
    assert personal_column("nom_structure") is None and personal_column("libelle") is None


def test_partner_text_never_becomes_a_spreadsheet_formula(mini):
    path = mini.root / RETURNS / "ville.csv"
    path.write_text("indicateur;code;annee;valeur;commentaire;libelle_territoire;partenaire\n"
                    'apprenants_fle;QP092005;2024;35;=HYPERLINK("http://x","clic");'
                    "@SUM(A1);+cmd|' /C calc'!A0\n", encoding="utf-8")
    assert build(mini).ok
    path.write_text(path.read_text(encoding="utf-8").replace(";35;", ";36;"), encoding="utf-8")
    assert build(mini).ok  # changements.csv now cites the row too
    for name in ("observations.csv", "changements.csv", "stock_precedent.csv",
                 "observations_tableur.csv", "changements_tableur.csv"):
        with (mini.processed / name).open(encoding="utf-8-sig", newline="") as handle:
            cells = [cell for row in csv.reader(handle, delimiter=";" if "tableur" in name
                                                else ",") for cell in row]
        dangerous = [c for c in cells if c[:1] in ("=", "+", "@")
                     or (c.startswith("-") and not re.fullmatch(r"-[\d.]+", c))]
        assert not dangerous, (name, dangerous)
        assert any(c.startswith("'=HYPERLINK") for c in cells) or name != "observations.csv"


def test_defuse_on_hand_made_cells():
    from evalqpv.store.spreadsheet import defuse

    assert defuse("=1+1") == "'=1+1" and defuse("@SUM(A1)") == "'@SUM(A1)"
    assert defuse("-2+3") == "'-2+3" and defuse("+cmd") == "'+cmd"
    assert defuse("-12") == "-12" and defuse("-0.5") == "-0.5" and defuse("+1,5 %") == "+1,5 %"
    assert defuse("Cité Jardins") == "Cité Jardins" and defuse("") == ""


def test_secrecy_rule_on_hand_made_counts():
    from evalqpv import secrecy

    assert secrecy.is_masked(3, "nombre", "qpv")
    assert secrecy.is_masked(10, "nombre", "commune")
    assert not secrecy.is_masked(11, "nombre", "qpv")
    assert not secrecy.is_masked(0, "nombre", "qpv")
    assert not secrecy.is_masked(3, "pourcentage", "qpv")
    assert not secrecy.is_masked(3, "nombre", "departement")
    # A part whose complement to the total is small gives it away.
    assert secrecy.complementary(20, {"femmes": 12}, "nombre", "qpv") == {"femmes"}
    assert secrecy.complementary(40, {"femmes": 12}, "nombre", "qpv") == set()
    # Parts that add up to the total: a lone masked part takes the smallest other along.
    assert secrecy.complementary(60, {"a": 5, "b": 20, "c": 35}, "nombre", "qpv") == {"a", "b"}
    assert secrecy.total_of("demandeurs_emploi_abc_femmes",
                            ["demandeurs_emploi_abc", "demandeurs_emploi_abcde"]) \
        == "demandeurs_emploi_abc"
    # the longest total it extends, cut at an underscore only; none for a total itself
    ids = {"emploi", "emploi_abc", "emploi_ab", "emploi_abc_femmes"}
    assert secrecy.total_of("emploi_abc_femmes_jeunes", ids) == "emploi_abc_femmes"
    assert secrecy.total_of("emploi_abcd", ids) == "emploi"
    assert secrecy.total_of("emploi", ids) is None


def test_secrecy_protects_people_not_public_facts():
    """Counts of structures, actions or meetings are never masked, nor is a figure
    already public (a producer's file, the contract's own text)."""
    from evalqpv import secrecy

    assert not secrecy.is_masked(4, "nombre", "commune", people=False)  # 4 commissions
    assert not secrecy.is_masked(7, "nombre", "qpv", public=True)  # 7 contrats aidés, printed
    assert secrecy.is_masked(7, "nombre", "qpv", people=True, public=False)


def test_only_a_partner_count_of_people_is_masked_in_a_report(mini):
    """« 3 structures » soutenues is shown; « 3 victimes » from a partner is masked; the
    contract's printed « 7 » contrats aidés is shown."""
    partner_csv(mini, "structures_soutenues_caf_commune;92019;2024;3;",
                "victimes_vif_accompagnees;92019;2024;3;")
    (mini.raw / "contrat" / "chiffres.csv").write_text(
        "section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;"
        "geographie;annee;valeur_imprimee;source_citee;note\n"
        "2.1;texte;7 contrats aidés;entrees_contrats_aides;qpv;QP092005;Cité Jardins;"
        "qpv2015;2023;7;France Travail;\n", encoding="utf-8")
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    ctx = report.prepare(2024, "QP092005", "tranquillite", mini.root)
    commune = ctx.territory.level("commune")
    assert ctx.series("victimes_vif_accompagnees", commune)[-1].valeur is None
    emploi = report.prepare(2024, "QP092005", "emploi", mini.root)
    printed = emploi.series("entrees_contrats_aides", emploi.territory.qpv)
    assert [p.valeur for p in printed] == [7.0]
    transversal = report.prepare(2024, "QP092005", "synthese", mini.root)
    ind = transversal.referentiel["structures_soutenues_caf_commune"]
    assert not ind.counts_people
    assert transversal.assess(ind).last.valeur == 3.0


def test_small_counts_never_reach_a_report(mini):
    partner_csv(mini, "victimes_vif_accompagnees;92019;2023;25;",
                "victimes_vif_accompagnees;92019;2024;3;",
                "demandeurs_emploi_abc;QP092005;2024;20;",
                "demandeurs_emploi_abc_femmes;QP092005;2024;12;")
    assert build(mini).ok
    ctx = report.prepare(2024, "QP092005", "tranquillite", mini.root)
    pages = (report.objectives(ctx).text + report.all_statuses(ctx).text
             + report.key_messages(ctx).text)
    assert f"{MASK_HTML} (2024)" in pages
    assert "3 (2024)" not in pages and "-22" not in pages, "no value, no change giving it"
    emploi = report.prepare(2024, "QP092005", "emploi", mini.root)
    shown = {p.annee: p for p in emploi.series("demandeurs_emploi_abc_femmes",
                                               emploi.territory.qpv)}
    assert shown[2024].valeur is None, "20 - 12 = 8: the part gives a small count away"
    assert "12 (2024)" not in report.objectives(emploi).text + report.all_statuses(emploi).text
    # A later return that changes the figure: « what changed » masks it too.
    partner_csv(mini, "victimes_vif_accompagnees;92019;2023;25;",
                "victimes_vif_accompagnees;92019;2024;4;")
    assert build(mini).ok
    ctx = report.prepare(2024, "QP092005", "tranquillite", mini.root)
    changes = report.revisions(ctx).text
    assert "Victimes" in changes and MASK_HTML in changes
    assert not re.search(r">\s*[34]\s*<", changes)


def test_the_reference_column_follows_the_secrecy_rule(mini):
    """Issue 21: Référence « 4 (2023) » printed beside Dernière valeur « < 11 (2023) »."""
    referentiel = mini.config / "referentiel.csv"
    with referentiel.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == "victimes_vif_accompagnees":
            row["valeur_reference"], row["annee_reference"] = "4", "2023"
    with referentiel.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    partner_csv(mini, "victimes_vif_accompagnees;92019;2023;4;")
    assert build(mini).ok
    ctx = report.prepare(2024, "QP092005", "tranquillite", mini.root)
    page = report.objectives(ctx).text
    assert f"{MASK_HTML} (2023)" in page
    assert "4 (2023)" not in page, "the reference gives the masked count back"


def test_a_second_run_says_another_is_in_progress(mini):
    """Issue 21: two `make rapports` at once both did the whole work."""
    from evalqpv.publish import run as runner
    from evalqpv.publish.lock import project_lock

    messages: list[str] = []
    with project_lock(mini.root):
        assert runner.run(mini, say=messages.append) == 3
    assert len(messages) == 1 and "Une autre exécution est en cours" in messages[0]
    assert not mini.processed.exists(), "the second run did nothing"


# --------------------------------------------------------------------------- parameters


def test_every_command_line_message_is_french(mini):
    bad_year = run_cli(mini, "rapports", "--annee", "abc")
    assert bad_year.returncode == 2
    assert "année invalide : « abc »" in bad_year.stderr and "utilisation :" in bad_year.stderr
    helped = run_cli(mini, "rapports", "--help")
    unknown = run_cli(mini, "rapports", "--rapport", "emplois", "--inconnu")
    missing = run_cli(mini)
    assert "choix invalide" in unknown.stderr or "non reconnus" in unknown.stderr
    assert "paramètres obligatoires manquants" in missing.stderr
    assert "affiche cette aide" in helped.stdout
    for text in (bad_year.stderr, helped.stdout, unknown.stderr, missing.stderr):
        for english in ("usage:", "error:", r"\binvalid\b", "show this help", "positional",
                        "the following arguments", "unrecognized", "choose from"):
            assert not re.search(english, text), (english, text)


def make_here(tmp_path: Path) -> Path:
    """A folder where the project's Makefile runs against a stand-in `evalqpv`."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        (tmp_path / name).write_text("", encoding="utf-8")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "evalqpv").write_text('#!/bin/bash\nprintf "<%s>\\n" "$@" > "$(dirname "$0")/args"\n',
                                  encoding="utf-8")
    (fake / "evalqpv").chmod(0o755)
    (fake / ".installe").write_text("", encoding="utf-8")
    return fake


def make(tmp_path: Path, *args: str, bin_dir: Path | None = None) -> subprocess.CompletedProcess:
    fake = tmp_path / "bin"
    return subprocess.run(["make", "--no-print-directory", f"BIN={bin_dir or fake}",
                           f"STAMP={fake / '.installe'}", *args], cwd=tmp_path,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "TERRITOIRE": "", "ANNEE": "", "AXE": "",
                               "RAPPORT": ""})


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make absent")


@needs_make
def test_make_variables_never_reach_the_shell_as_commands(tmp_path):
    fake = make_here(tmp_path)
    done = make(tmp_path, "rapports", "TERRITOIRE=QP092005; touch X", "ANNEE=2024`touch Y`",
                "RAPPORT=emploi $(touch Z)")
    assert done.returncode == 0, done.stderr
    assert not any((tmp_path / n).exists() for n in ("X", "Y", "Z"))
    args = (fake / "args").read_text(encoding="utf-8").splitlines()
    assert "<QP092005; touch X>" in args and "<2024`touch Y`>" in args
    done = make(tmp_path, "gabarits", "ANNEE=2025", 'TERRITOIRE=QP092005" ; touch X ; "')
    assert done.returncode == 0 and not (tmp_path / "X").exists()


@needs_make
def test_the_project_runs_in_utf8_mode_under_a_c_locale(tmp_path):
    """Issue 21: LC_ALL=C in a project path with accents stopped Python at start-up;
    every command make starts runs in Python's UTF-8 mode."""
    here = tmp_path / "évaluation_été"
    here.mkdir()
    fake = make_here(here)
    (fake / "evalqpv").write_text('#!/bin/bash\necho "PYTHONUTF8=$PYTHONUTF8" > '
                                  '"$(dirname "$0")/args"\n', encoding="utf-8")
    done = subprocess.run(["make", "--no-print-directory", f"BIN={fake}",
                           f"STAMP={fake / '.installe'}", "donnees"], cwd=here,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": ""})
    assert done.returncode == 0, done.stderr
    assert (fake / "args").read_text(encoding="utf-8").strip() == "PYTHONUTF8=1"


@needs_make
def test_make_rapports_with_a_bad_year_answers_in_french(tmp_path):
    make_here(tmp_path)
    done = make(tmp_path, "rapports", "ANNEE=abc", bin_dir=Path(sys.executable).parent)
    assert done.returncode != 0
    assert "année invalide" in done.stderr and not re.search(r"\binvalid\b", done.stderr)


@needs_make
def test_make_valider_says_what_it_writes_and_writes_only_that(mini, tmp_path):
    make_here(tmp_path)
    helped = make(tmp_path, "help").stdout
    (line,) = [x for x in helped.splitlines() if "make valider" in x]
    assert "validation.md" in line and "sans rien écrire" not in line
    assert build(mini).ok
    before = snapshot(mini)
    partner_csv(mini, "apprenants_fle;QP092005;2024;35;")
    assert run_cli(mini, "valider").returncode == 0
    after = snapshot(mini)
    changed = {n for n in set(before) | set(after) if before.get(n) != after.get(n)}
    assert changed == {"validation.md"}


def test_another_quarters_workbooks_never_overwrite_the_contracts(mini):
    demo = mini.raw / "sig-ville-qpv2015" / "DEMO_2021.csv"
    text = demo.read_text(encoding="utf-8")
    other = text.splitlines()[1].replace("QP092005;Cité Jardins", "QP092999;Quartier fictif")
    demo.write_text(text + other + "\r\n", encoding="utf-8")
    assert build(mini).ok
    own = write_templates(mini, 2025, "QP092005")
    before = {t.path: t.path.read_bytes() for t in own}
    others = write_templates(mini, 2025, "QP092999")
    assert {t.path: t.path.read_bytes() for t in own} == before
    assert {t.path.parent for t in others} == {mini.collection / "2025" / "gabarits" / "QP092999"}
    # Filled and dropped among the contract's returns, it is refused.
    returned = others[0].path
    wb = load_workbook(returned)
    wb[COLLECTION_SHEET].cell(2, COLLECTION_COLUMNS.index("valeur") + 1).value = 1
    wb.save(mini.root / RETURNS / returned.name)
    result = build(mini)
    assert any("quartier QP092999" in p.message for p in result.problems.errors)


@needs_make
def test_make_targets_and_variables_carry_the_commands_names(tmp_path):
    """make construire runs evalqpv construire, RAPPORT= is --rapport; the former names
    (make donnees, AXE=) still work, with a French notice."""
    fake = make_here(tmp_path)
    done = make(tmp_path, "construire")
    assert done.returncode == 0, done.stderr
    assert (fake / "args").read_text(encoding="utf-8").splitlines() == ["<construire>"]
    done = make(tmp_path, "donnees")
    assert done.returncode == 0, done.stderr
    assert "« make donnees » s'appelle désormais « make construire »" in done.stderr
    assert (fake / "args").read_text(encoding="utf-8").splitlines() == ["<construire>"]
    done = make(tmp_path, "rapports", "RAPPORT=emploi synthese")
    args = (fake / "args").read_text(encoding="utf-8").splitlines()
    assert args == ["<rapports>", "<--rapport>", "<emploi>", "<--rapport>", "<synthese>"]
    assert "Note" not in done.stderr
    done = make(tmp_path, "rapports", "AXE=emploi")
    assert "« AXE= » s'appelle désormais « RAPPORT= »" in done.stderr
    assert (fake / "args").read_text(encoding="utf-8").splitlines() == [
        "<rapports>", "<--rapport>", "<emploi>"]
    helped = make(tmp_path, "help").stdout
    assert "make construire" in helped and "make donnees" not in helped
    assert "RAPPORT=" in helped and "AXE=" not in helped
