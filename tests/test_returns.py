"""Partners' returns in the formats they send, the request ledger, the reminders and the
files a spreadsheet opens, on small hand-made data (and the full-year fixture's .ods and
.xls, saved by LibreOffice)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from evalqpv.ingest.workbook import column_id, level_id, read_workbook
from evalqpv.ingest.workbook_open import open_book, sniff
from evalqpv.problems import Problems
from evalqpv.publish.browser import output_folder
from evalqpv.publish.reminders import write_reminders
from evalqpv.store.build import build
from evalqpv.store.requests import (
    PartnerRequest,
    load_requests,
    partner_followup,
    years_missing,
)
from evalqpv.store.spreadsheet import french_csv

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "annee_complete" / "partenaires" / "2025"
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>")


def ods_bytes(rows: list[str]) -> bytes:
    """A minimal .ods written by hand: one sheet « Indicateurs », rows of cells in ODF."""
    cells = "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} '
               'office:version="1.2"><office:body><office:spreadsheet><table:table '
               f'table:name="Indicateurs">{cells}</table:table></office:spreadsheet>'
               "</office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    return buffer.getvalue()


def text(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>' \
        "</table:table-cell>"


def num(value: float, kind: str = "float", extra: str = "") -> str:
    return f'<table:table-cell {extra} office:value-type="{kind}" office:value="{value}">' \
        f"<text:p>{value}</text:p></table:table-cell>"


HEADER = "".join(text(h) for h in ("Indicateur", "Code du territoire", "Année", "Valeur",
                                   "Commentaire"))


def test_headers_and_levels_are_read_in_words_or_identifiers():
    assert column_id("Code du territoire") == column_id("code") == "code"
    assert column_id(" Dernière valeur connue ") == "derniere_valeur"
    assert column_id("Valeur 2025") == "valeur 2025"
    assert level_id("périmètre du partenaire") == level_id("perimetre_partenaire") \
        == "perimetre_partenaire"
    assert level_id("Département") == "departement"


def test_formats_are_recognised_by_content():
    assert sniff((FIXTURE / "cpam_des_hauts_de_seine.ods").read_bytes()) == "ods"
    assert sniff((FIXTURE / "education_nationale.xls").read_bytes()) == "xls"
    assert sniff((FIXTURE / "idsu.xlsx").read_bytes()) == "xlsx"
    assert sniff((FIXTURE / "retour_tronque.xlsx").read_bytes()) is None
    assert sniff(b"%PDF-1.4") is None


def test_libreoffice_files_keep_their_structure():
    """What LibreOffice keeps in each format, as read: the hidden sheet, the code name
    (in an .ods; an .xls written by LibreOffice has none), the French headers."""
    ods = open_book(FIXTURE / "cpam_des_hauts_de_seine.ods")
    xls = open_book(FIXTURE / "education_nationale.xls")
    for book in (ods, xls):
        structure = book.sheet("_structure")
        assert structure is not None and structure.hidden
        data = book.sheet("Indicateurs")
        assert data is not None and not data.hidden
        assert data.rows[0][:2] == ("Indicateur", "Libellé")
    assert ods.sheet("Indicateurs").code_name == "evalqpv_indicateurs"
    problems = Problems()
    rows = read_workbook(FIXTURE / "education_nationale.xls", "x.xls", problems)
    assert rows is not None and rows.format == "xls" and not problems.items
    assert rows.structure is not None and rows.structure["partenaire"] == ["Éducation nationale"]


def test_an_ods_percentage_is_read_as_shown_and_its_merged_cells_refused(tmp_path):
    path = tmp_path / "caf.ods"
    path.write_bytes(ods_bytes([
        HEADER,
        text("sorties_positives_point_insertion") + text("QP092005") + num(2024)
        + num(0.299, "percentage") + text("chiffre provisoire"),
        text("apprenants_fle") + text("QP092005") + num(2024)
        + num(35, extra='table:number-rows-spanned="2"') + "<table:table-cell/>",
        text("pre_enfants_accompagnes") + text("QP092005") + num(2024)
        + "<table:covered-table-cell/><table:table-cell/>",
    ]))
    problems = Problems()
    rows = read_workbook(path, "caf.ods", problems)
    assert rows is not None and rows.format == "ods"
    assert rows.body == [(2, ["sorties_positives_point_insertion", "QP092005", 2024.0, 29.9,
                              "chiffre provisoire"])]
    (error,) = problems.errors
    assert "fusionnées" in error.message and error.colonne == "D3:D4"


def test_a_workbook_named_for_another_format_is_read_and_said(mini):
    target = mini.raw / "partenaires" / "2025" / "education_nationale.xlsx"
    shutil.copy(FIXTURE / "education_nationale.xls", target)
    result = build(mini)
    assert result.ok
    (warning,) = [p for p in result.problems.warnings if "nommé .xlsx" in p.message]
    assert "classeur .xls" in warning.message
    (record,) = result.returns
    assert (record.format, record.statut, record.partenaire) == ("xls", "lu",
                                                                 "Éducation nationale")


def test_an_excel_lock_file_is_not_a_return(mini):
    (mini.raw / "partenaires" / "2025" / "~$idsu.xlsx").write_bytes(b"\x00lock")
    result = build(mini)
    assert result.ok and not result.returns
    assert any("verrouillage" in p.message for p in result.problems.warnings)


def test_two_returns_of_one_partner_are_both_read_and_said(mini):
    folder = mini.raw / "partenaires" / "2025"
    (folder / "idsu.csv").write_text("indicateur;code;annee;valeur\n"
                                     "apprenants_fle;QP092005;2024;35\n", encoding="utf-8")
    (folder / "IDSU.csv").write_text("indicateur;code;annee;valeur\n"
                                     "pre_enfants_accompagnes;QP092005;2024;12\n",
                                     encoding="utf-8")
    result = build(mini)
    assert result.ok and {r.partenaire for r in result.returns} == {"IDSU"}
    assert any("plusieurs retours de IDSU" in p.message for p in result.problems.warnings)


def test_a_comment_is_kept_word_for_word(mini):
    comment = 'hors période estivale ; <b>"provisoire"</b> & à confirmer'
    (mini.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur;commentaire\n"
        f'apprenants_fle;QP092005;2024;35;"  {comment.replace(chr(34), 2 * chr(34))}  "\n',
        encoding="utf-8")
    result = build(mini)
    (row,) = [r for r in result.rows if r["indicateur"] == "apprenants_fle"]
    assert row["qualite"] == comment


# --------------------------------------------------------------------------- the ledger


LEDGER = "partenaire;demande_le;relance_le;recu_le;commentaire\n"


def test_the_ledger_is_read_merged_and_stored(mini):
    (mini.raw / "partenaires" / "2025" / "demandes.csv").write_text(
        LEDGER + "France Travail;15/01/2026;16/02/2026;;\n"
        "france_travail;;2026-03-02, 20/03/2026;;deuxième relance par téléphone\n"
        "IDSU;15/01/2026;;01/02/2026;\n", encoding="utf-8")
    (mini.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur\napprenants_fle;QP092005;2024;35\n", encoding="utf-8")
    result = build(mini, today=date(2026, 6, 1))
    assert result.ok, [p.render() for p in result.problems.errors]
    requests = {r.partenaire: r for r in load_requests(mini.requests)}
    ft = requests["France Travail"]
    assert ft.demande_le == date(2026, 1, 15) and ft.relance_le == date(2026, 3, 20)
    assert [d.day for d in ft.relances] == [16, 2, 20] and not ft.recu
    assert ft.commentaire == "deuxième relance par téléphone"
    idsu = requests["IDSU"]
    assert idsu.recu and idsu.recu_le == date(2026, 2, 1) and idsu.retour == "lu"
    with mini.requests.open(encoding="utf-8", newline="") as handle:
        rows = {r["partenaire"]: r for r in csv.DictReader(handle)}
    assert rows["France Travail"]["relances"] == "2026-02-16 2026-03-02 2026-03-20"


@pytest.mark.parametrize(("line", "fragments"), [
    ("Pôle emploi;15/01/2026;;;", ("partenaire inconnu", "Pôle emploi", "France Travail")),
    ("IDSU;31/02/2026;;;", ("date invalide", "31/02/2026", "colonne « demande_le »")),
    ("IDSU;15/01/2026;;15/01/2027;", ("date future", "15/01/2027")),
    ("IDSU;15/01/2026;février;;", ("date invalide", "février", "virgules")),
], ids=["partenaire inconnu", "date impossible", "date future", "texte"])
def test_a_bad_ledger_is_refused_with_line_and_column(mini, line, fragments):
    assert build(mini).ok
    before = mini.store.read_bytes()
    (mini.raw / "partenaires" / "2025" / "demandes.csv").write_text(LEDGER + line + "\n",
                                                                   encoding="utf-8")
    result = build(mini, today=date(2026, 6, 1))
    assert not result.ok and mini.store.read_bytes() == before
    (error,) = result.problems.blocking
    text = error.render()
    assert all(f in text for f in fragments), text
    assert error.fichier == "data/raw/partenaires/2025/demandes.csv" and error.ligne == 2


def test_years_missing_and_partner_followup():
    assert years_missing(2025, 2025, 2024) == 0
    assert years_missing(2023, 2025, 2024) == 2  # 2024 and 2025
    assert years_missing(None, 2025, 2024) == 2  # due since 2024, never received
    assert years_missing(2019, 2025, 2024) == 2  # values before the contract do not count
    requests = [PartnerRequest(2025, "CAF", date(2026, 1, 15), (date(2026, 2, 16),)),
                PartnerRequest(2024, "CAF", date(2025, 1, 10))]
    (caf, idsu) = partner_followup(requests, {"CAF": ["a", "b"], "IDSU": ["c"]},
                                   {"a": 2025, "b": 2023, "c": None}, 2025, 2024)
    assert (caf.demande_le, caf.relances, caf.recu) == (date(2026, 1, 15),
                                                       (date(2026, 2, 16),), False)
    assert caf.manquants == {"b": 2}
    assert idsu.demande_le is None and idsu.manquants == {"c": 2}


def test_reminders_list_what_is_still_missing(mini):
    (mini.raw / "partenaires" / "2025" / "demandes.csv").write_text(
        LEDGER + "Mission locale;15/01/2026;16/02/2026;;\n", encoding="utf-8")
    assert build(mini, today=date(2026, 6, 1)).ok
    made = {r.partenaire: r for r in write_reminders(mini, 2025)}
    mission = made["Mission locale"]
    assert mission.path is not None and mission.manquants == 3
    data = mission.path.read_bytes().decode("utf-8")
    assert data.startswith("\ufeffIndicateur;Libellé;Code du territoire")
    assert "entrees_cej;" in data and data.endswith("\r\n")
    summary = (mission.path.parent / "relances.csv").read_text(encoding="utf-8-sig")
    assert "Mission locale;15/01/2026;16/02/2026;;aucun;3;mission_locale.csv" in summary


# --------------------------------------------------------------------------- files


def test_a_french_spreadsheet_csv():
    text = french_csv(["indicateur", "valeur", "lecture"],
                      [["a", "29.9", "29,9 % ; moitié"], ["b", "-3.25", "x"], ["c", "12", ""]],
                      ["valeur"])
    assert text == ('\ufeffindicateur;valeur;lecture\r\na;29,9;"29,9 % ; moitié"\r\n'
                    "b;-3,25;x\r\nc;12;\r\n")


def test_the_store_has_its_spreadsheet_versions(mini):
    assert build(mini).ok
    machine = mini.store.read_text(encoding="utf-8")
    sheet = mini.spreadsheet_of(mini.store).read_bytes().decode("utf-8")
    assert sheet.startswith("\ufeffindicateur;niveau;code;")
    assert ",59.7," in machine and ";59,7;" in sheet
    assert len(machine.splitlines()) == len(sheet.splitlines())
    assert (mini.processed / "retours.csv").exists() and (mini.processed / "demandes.csv").exists()


def test_the_browser_check_writes_beside_the_emailed_folder(tmp_path):
    reports = tmp_path / "reports"
    assert output_folder(tmp_path, reports / "2025") == (reports / "controle-2025").resolve()
    assert output_folder(tmp_path, reports / "2025" / "QP059079") == \
        (reports / "controle-2025" / "QP059079").resolve()
    assert output_folder(tmp_path, tmp_path / "ailleurs" / "2025") == \
        (tmp_path / "ailleurs" / "controle-2025").resolve()


def test_every_downloaded_table_has_its_own_stable_name():
    from evalqpv.report.html import table

    first = table(["Indicateur", "Valeur"], [["a", "1"]], css_class="suivi")
    second = table(["Indicateur", "Valeur"], [["b", "2"]], css_class="suivi")
    names = [re.search(r'download="([^"]+)"', html).group(1) for html in (first, second)]
    assert names[0] != names[1] and all(n.startswith("suivi-indicateur-") for n in names)
    assert table(["Indicateur", "Valeur"], [["a", "1"]], css_class="suivi") == first


def test_comparisons_for_a_spreadsheet():
    from evalqpv.publish.outputs import spreadsheet_version

    machine = ('indicateur,annee,part_inferieure,lecture\n'
               'taux,2020,78.218563,"En 2020, 78,2 % des QPV"\n')
    assert spreadsheet_version(machine) == ("\ufeffindicateur;annee;part_inferieure;lecture"
                                            "\r\ntaux;2020;78,218563;En 2020, 78,2 % des QPV"
                                            "\r\n")
