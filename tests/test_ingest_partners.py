"""Partners' returns (ingest.partners), read directly from tiny CSV files and workbooks
built with openpyxl: columns found by their French header, the data sheet found by what
it is, a return's errors kept to its rows, and what became of each file (settle)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from tests.ingest_support import context, deposit, unit

from evalqpv.ingest import FileId, ReturnRecord
from evalqpv.ingest.partners import comment, identify, partner_of_file, read_partner_file, settle
from evalqpv.problems import Problem, Problems
from evalqpv.referentiel import Referentiel

INDICATORS = (unit("apprenants_fle", partenaire="IDSU"),
              unit("sorties_positives", "pourcentage", partenaire="IDSU"),
              unit("demandeurs", partenaire="France Travail"))
FRENCH = "Indicateur;Code du territoire;Année;Valeur;Commentaire\n"


@pytest.mark.parametrize(("rel", "expected"), [
    ("partenaires/2025/idsu.xlsx", FileId("PARTENAIRES", 2025)),
    ("partenaires/2025/notes.pdf", FileId("PARTENAIRES", 2025)),  # refused when read
    ("partenaires/idsu.csv", FileId("PARTENAIRES", None)),
    ("partenaires/2025/demandes.csv", None),  # the request ledger
    ("contrat/idsu.csv", None),
])
def test_every_file_of_the_partners_folder_is_a_return_but_the_ledger(rel, expected):
    assert identify(Path(rel)) == expected


def test_the_partner_a_file_name_designates():
    ref = Referentiel({i.id: i for i in INDICATORS})
    assert partner_of_file(Path("France_Travail.xlsx"), ref) == "France Travail"
    assert partner_of_file(Path("idsu.csv"), ref) == "IDSU"
    assert partner_of_file(Path("caf\nx.csv"), ref) == "caf\\nx"  # unknown: its name, printable


def read(root: Path, rel: str, content: str | bytes):
    path = deposit(root, f"partenaires/{rel}", content)
    file = identify(Path("partenaires") / rel)
    assert file is not None
    problems = Problems()
    return read_partner_file(path, file, context(root, INDICATORS), problems), problems


def test_a_csv_return_with_french_headers(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", FRENCH
                            + "apprenants_fle;QP092005;2024;35;  reçu en mars  \n"
                            + "sorties_positives;92019;2024;41,5;\n")
    assert not problems.items
    got = [(o.indicateur, o.niveau, o.code, o.geographie, o.annee, o.valeur, o.statut,
            o.valeur_publiee, o.qualite, o.ligne, o.colonne) for o in result.observations]
    assert got == [
        ("apprenants_fle", "qpv", "QP092005", "qpv2015", 2024, 35.0, "valeur", "35",
         "reçu en mars", 2, "Valeur"),
        ("sorties_positives", "commune", "92019", "", 2024, 41.5, "valeur", "41,5", "", 3,
         "Valeur")]
    obs = result.observations[0]
    assert (obs.source, obs.producteur, obs.millesime, obs.fichier, obs.libelle_territoire) == (
        "IDSU", "IDSU", "2025", "data/raw/partenaires/2025/idsu.csv", "")
    record = result.returned
    assert record is not None
    assert (record.partenaire, record.collecte, record.format, record.statut) == (
        "IDSU", "2025", "csv", "")


def test_a_comma_separated_return_with_identifiers_as_headers(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", "indicateur,code,annee,valeur,niveau\n"
                            "apprenants_fle,QN09201M,2024,12,quartier\n")
    assert not problems.items
    (obs,) = result.observations
    assert (obs.niveau, obs.geographie, obs.valeur) == ("qpv", "qpv2024", 12.0)


def test_a_comment_without_value_is_a_figure_not_available_and_a_blank_row_is_skipped(
        tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", FRENCH
                            + "apprenants_fle;QP092005;2024;;chiffre non suivi cette année\n"
                            + "sorties_positives;QP092005;2024;;\n")
    assert not problems.items
    (obs,) = result.observations
    assert (obs.valeur, obs.statut, obs.ligne) == (None, "non_disponible", 2)


def test_a_bad_row_is_left_out_and_the_others_are_read(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", FRENCH
                            + "apprenants_fle;QP092005;2024;35;\n"
                            + "apprenant_fle;QP092005;2024;35;\n"
                            + "apprenants_fle;QP092005;2024;36;\n"
                            + "apprenants_fle;QP092005;2030;36;\n")
    assert [(o.ligne, o.valeur) for o in result.observations] == [(2, 35.0)]
    found = {(e.ligne, e.colonne) for e in problems.errors}
    assert found == {(3, "Indicateur"), (4, "Indicateur"), (5, "Année")}
    duplicate = next(e for e in problems.errors if e.ligne == 4)
    assert "en double" in duplicate.message and "ligne 2" in duplicate.message


def test_personal_data_refuses_its_row_and_is_never_repeated(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", FRENCH
                            + "apprenants_fle;QP092005;2024;35;écrire à jean.dupont@exemple.fr\n"
                            + "sorties_positives;QP092005;2024;40;\n")
    assert [o.ligne for o in result.observations] == [3]
    (error,) = problems.errors
    assert (error.ligne, error.colonne) == (2, "Commentaire")
    assert "adresse électronique" in error.message
    assert "dupont" not in error.render()


def test_a_column_of_names_is_refused_with_each_row_that_fills_it(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv",
                            "indicateur;code;annee;valeur;nom;remarque\n"
                            "apprenants_fle;QP092005;2024;35;Dupont;\n"
                            "sorties_positives;QP092005;2024;40;;\n")
    assert [o.ligne for o in result.observations] == [3]
    column, row = sorted(problems.errors, key=lambda e: e.ligne or 0)
    assert (column.ligne, column.colonne) == (1, "nom") and "colonne de données" in column.message
    assert row.ligne == 2 and "Dupont" not in row.render()
    (warning,) = problems.warnings
    assert warning.colonne == "remarque" and "colonnes inconnues" in warning.message


@pytest.mark.parametrize(("rel", "statut", "fragment"), [
    ("idsu.csv", "refusé", "dossier d'année"),
    ("2025/idsu.pdf", "illisible", "format de fichier non lu"),
    ("2025/idsu.csv", "illisible", "colonnes obligatoires"),
])
def test_a_return_that_cannot_be_read_says_why(tmp_path, rel, statut, fragment):
    result, problems = read(tmp_path, rel, "indicateur;code;annee\napprenants_fle;QP092005;2024\n")
    assert not result.observations and result.returned is not None
    assert result.returned.statut == statut
    (error,) = problems.errors
    assert fragment in error.message


def test_an_excel_lock_file_is_not_a_return(tmp_path):
    result, problems = read(tmp_path, "2025/~$idsu.xlsx", b"\x00lock")
    assert result.returned is None and not result.observations
    (warning,) = problems.items
    assert warning.gravite == "avertissement" and "verrouillage" in warning.message


# --------------------------------------------------------------------------- workbooks


def workbook(rows: list[list[object]], *, header: tuple[str, ...] = (
        "Indicateur", "Code du territoire", "Année", "Valeur", "Commentaire"),
        structure: dict[str, list[object]] | None = None,
        percent: tuple[str, ...] = ()) -> bytes:
    """A return as a partner saves it: a draft sheet first, then « Indicateurs » with a
    title row above its header."""
    wb = Workbook()
    draft = wb.active
    draft.title = "Brouillon"
    draft.append(["notes du partenaire"])
    ws = wb.create_sheet("Indicateurs")
    ws.append(["Classeur de collecte 2025"])
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    for cell in percent:
        ws[cell].number_format = "0.0%"
    if structure is not None:
        hidden = wb.create_sheet("_structure")
        for key, values in structure.items():
            hidden.append([key, *values])
        hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_workbook_is_read_on_its_collection_sheet_with_cells_named(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.xlsx", workbook(
        [["apprenants_fle", "QP092005", 2024, 35, None],
         ["sorties_positives", "QP092005", 2024, "beaucoup", None]]))
    assert [(o.indicateur, o.ligne, o.colonne, o.valeur) for o in result.observations] == [
        ("apprenants_fle", 3, "D (Valeur)", 35.0)]  # line 3 of the sheet: a title above
    (error,) = problems.errors
    assert error.fichier == "data/raw/partenaires/2025/idsu.xlsx [feuille « Indicateurs »]"
    assert (error.ligne, error.colonne, error.valeur) == (4, "D (Valeur)", "beaucoup")
    assert result.returned is not None and result.returned.format == "xlsx"


def test_a_percentage_cell_is_read_as_shown_for_a_share_and_refused_for_a_count(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.xlsx", workbook(
        [["sorties_positives", "QP092005", 2024, 0.415, None],
         ["apprenants_fle", "QP092005", 2024, 0.35, None]], percent=("D3", "D4")))
    assert [(o.indicateur, o.valeur) for o in result.observations] == [
        ("sorties_positives", 41.5)]
    (warning,) = problems.warnings
    assert warning.ligne == 3 and "0,415" in warning.message
    (error,) = problems.errors
    assert error.ligne == 4 and "n'est pas un pourcentage" in error.message


STRUCTURE: dict[str, list[object]] = {
    "colonnes": ["Indicateur", "Code du territoire", "Année", "Valeur", "Commentaire"],
    "indicateurs": ["apprenants_fle", "sorties_positives"],
    "territoire": ["QP092005"], "annee": [2025], "partenaire": ["France Travail"]}
ROW = [["apprenants_fle", "QP092005", 2024, 35, None]]


def test_the_workbooks_hidden_sheet_names_the_partner_and_the_removed_rows(tmp_path):
    result, problems = read(tmp_path, "2025/retour.xlsx", workbook(ROW, structure=STRUCTURE))
    assert not problems.errors
    assert result.returned is not None and result.returned.partenaire == "France Travail"
    assert [o.source for o in result.observations] == ["France Travail"]
    (warning,) = problems.warnings
    assert "lignes supprimées" in warning.message and warning.valeur == "sorties_positives"


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"territoire": ["QP059079"]}, "quartier QP059079"),
    ({"annee": [2024]}, "collecte 2024 déposé dans le dossier 2025"),
])
def test_a_workbook_of_another_quarter_or_year_is_refused_whole(tmp_path, changes, fragment):
    result, problems = read(tmp_path, "2025/idsu.xlsx",
                            workbook(ROW, structure=STRUCTURE | changes))
    assert not result.observations
    assert result.returned is not None and result.returned.statut == "refusé"
    (error,) = problems.errors
    assert fragment in error.message and error.colonne == "_structure"


def test_a_renamed_required_column_makes_the_workbook_unreadable(tmp_path):
    header = ("Indicateur", "Code du territoire", "Année", "Montant", "Commentaire")
    result, problems = read(tmp_path, "2025/idsu.xlsx",
                            workbook(ROW, header=header, structure=STRUCTURE))
    assert not result.observations
    assert result.returned is not None and result.returned.statut == "illisible"
    (error,) = problems.errors
    assert "« Valeur » a été renommée en « Montant » (colonne D)" in error.message


def test_columns_moved_and_an_indicator_added_are_read_with_warnings(tmp_path):
    header = ("Code du territoire", "Indicateur", "Année", "Valeur", "Commentaire")
    rows = [["QP092005", "apprenants_fle", 2024, 35, None],
            ["QP092005", "sorties_positives", 2024, 40, None],
            ["QP092005", "demandeurs", 2024, 700, None]]
    result, problems = read(tmp_path, "2025/idsu.xlsx",
                            workbook(rows, header=header, structure=STRUCTURE))
    assert not problems.errors
    assert [o.indicateur for o in result.observations] == [
        "apprenants_fle", "sorties_positives", "demandeurs"]
    moved, added = problems.warnings
    assert "déplacées" in moved.message
    assert (added.ligne, added.valeur) == (5, "demandeurs") and "ajouté" in added.message


def test_a_partner_column_names_the_producer_of_its_row(tmp_path):
    result, problems = read(tmp_path, "2025/idsu.csv", "indicateur;code;annee;valeur;partenaire\n"
                            "apprenants_fle;QP092005;2024;35;Ville (PRE)\n"
                            "apprenants_fle;92019;2024;80;\n")
    assert not problems.items
    assert [(o.producteur, o.source) for o in result.observations] == [
        ("Ville (PRE)", "IDSU"), ("IDSU", "IDSU")]


# --------------------------------------------------------------------------- settle, comment


def record() -> ReturnRecord:
    return ReturnRecord("IDSU", "data/raw/partenaires/2025/idsu.csv", "2025", "csv")


def test_what_became_of_a_return():
    assert (settle(record(), 3, []).statut, settle(record(), 3, []).message) == ("lu", "")
    empty = settle(record(), 0, [])
    assert (empty.statut, empty.message) == ("lu", "aucune valeur saisie dans le retour.")
    errors = [Problem("data/raw/partenaires/2025/idsu.csv", f"erreur {n}.", ligne=n)
              for n in range(2, 14)]
    partial = settle(record(), 5, errors)
    assert (partial.statut, partial.valeurs) == ("partiel", 5)
    assert partial.message.startswith("12 erreurs, lignes refusées : 2, 3, 4, 5, 6, 7, "
                                      "8, 9, 10, 11 … (détail dans")
    assert partial.message.endswith("ligne 2 : erreur 2.")  # the first, without the file
    refused = record()
    refused.statut = "refusé"
    settled = settle(refused, 0, errors[:1])
    assert (settled.statut, settled.message) == ("refusé", "ligne 2 : erreur 2.")


def test_a_comment_is_kept_word_for_word():
    assert comment(["x", "  deux lignes\r\nici  "], 1) == "deux lignes\nici"
    assert comment(["x", None], 1) == "" and comment(["x"], 3) == "" and comment(["x"], None) == ""
