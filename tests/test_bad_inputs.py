"""A corpus of bad inputs: each gets a clear French message naming file, line and
column, never a traceback, and the previous store stays untouched."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import Workbook

from evalqpv.store.build import build

PARTNER = "data/raw/partenaires/2025/idsu.csv"
HEADER = "indicateur;code;annee;valeur;commentaire\n"


def csv_bytes(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")


def xlsx_bytes(merged_header: bool = False, value: object = 35, merged_values: bool = False,
               structure: dict[str, object] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(["indicateur", "code", "annee", "valeur", "commentaire"])
    ws.append(["apprenants_fle", "QP092005", 2024, value, ""])
    if merged_header:
        ws.merge_cells("D1:E1")
    if merged_values:  # one value typed over two rows: the second row's is lost
        ws.append(["pre_enfants_accompagnes", "QP092005", 2024, None, ""])
        ws.merge_cells("D2:D3")
    if structure is not None:
        hidden = wb.create_sheet("_structure")
        hidden.append(["colonnes", "indicateur", "code", "annee", "valeur", "commentaire"])
        hidden.append(["indicateurs", "apprenants_fle"])
        for key, item in structure.items():
            hidden.append([key, item])
        hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def patched_xlsx(rows: list[list[object]], *, formats: dict[str, str] | None = None,
                 hidden: tuple[int, ...] = (), cached: dict[str, str] | None = None) -> bytes:
    """A return's workbook as a spreadsheet saves it: number formats, hidden rows, and
    formulas with the value the spreadsheet cached (`cached`: cell -> value)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(["indicateur", "code", "annee", "valeur", "commentaire"])
    for row in rows:
        ws.append(row)
    for cell, number_format in (formats or {}).items():
        ws[cell].number_format = number_format
    for line in hidden:
        ws.row_dimensions[line].hidden = True
    buffer = io.BytesIO()
    wb.save(buffer)
    if not cached:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, value in cached.items():
                    text = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>.*?</f>)<v ?/>',
                                  rf"\1\2<v>{value}</v>", text)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A return's workbook with one part inflating 20 MB of blanks from a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/bombe.xml", b" " * (20 * 1024 * 1024))
    return out.getvalue()


def encrypted_ods() -> bytes:
    """An .ods saved with a password by LibreOffice: its parts are encrypted, the
    manifest says how."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest><manifest:file-entry '
                         'manifest:full-path="content.xml"><manifest:encryption-data '
                         'manifest:checksum-type="SHA1/1K"/></manifest:file-entry>'
                         '</manifest:manifest>')
        archive.writestr("content.xml", bytes(range(256)) * 8)
    return out.getvalue()


RETURN = "data/raw/partenaires/2025/caf.xlsx"
IPRO_2022 = "data/raw/sig-ville-qpv2015/IPRO_2022.csv"
DEMO_2022 = "data/raw/sig-ville-qpv2015/DEMO_2022.csv"
NEET_DPT = "data/raw/education/neet_dpt_2018.csv"
# DEMO_2021 of the mini project (tests/conftest.py) exported with English number format.
DEMO_2022_ENGLISH = (
    "CODGEO;LIBGEO;POP_MUN;POP_COM_QP;POP_COM;LIB_COM;TX_F;A;PERCOU;NOTE_RP;NOTE_CNAF;;\r\n"
    "QP092005;Cité Jardins;5,482;5,482;34,171;Châtenay-Malabry;53.4;1,611;3,594;0;0;;\r\n"
).encode()


def published(column: str, value: str) -> bytes:
    """A one-row IPRO release in the producer's format."""
    return f"CODGEO;LIBGEO;{column}\nQP092005;Cité Jardins;{value}\n".encode()


@dataclass
class Case:
    name: str
    path: str
    content: bytes
    fragments: tuple[str, ...]  # all must appear in one error's rendering
    ligne: int | None = None


CASES = [
    Case("wrong separator", PARTNER,
         b"indicateur\tcode\tannee\tvaleur\napprenants_fle\tQP092005\t2024\t35\n",
         ("séparateur",), 1),
    Case("contract with commas", "data/raw/contrat/chiffres_contrat.csv",
         b"section,tableau,indicateur\nI.C,x,population\n", ("séparateur", "virgule"), 1),
    Case("cp1252 file", PARTNER,
         HEADER.encode() + "apprenants_fle;QP092005;2024;35;reçu à l'été\n".encode("cp1252"),
         ("UTF-8", "Windows-1252", "Enregistrer sous"), 2),
    Case("missing column", PARTNER, b"indicateur;code;annee\napprenants_fle;QP092005;2024\n",
         ("colonnes obligatoires", "valeur"), 1),
    Case("unknown indicator", PARTNER, csv_bytes("apprenant_fle;QP092005;2024;35;"),
         ("indicateur inconnu", "apprenant_fle", "colonne « indicateur »"), 2),
    Case("year out of range", PARTNER, csv_bytes("apprenants_fle;QP092005;2052;35;"),
         ("année hors de la période", "2052", "colonne « annee »"), 2),
    Case("year not a year", PARTNER, csv_bytes("apprenants_fle;QP092005;24;35;"),
         ("année invalide",), 2),
    Case("text in a number column", PARTNER, csv_bytes("apprenants_fle;QP092005;2024;environ 50;"),
         ("pas un nombre", "environ 50", "commentaire"), 2),
    Case("negative count", PARTNER, csv_bytes("apprenants_fle;QP092005;2024;-3;"),
         ("nombre négatif", "-3"), 2),
    Case("percentage over 100", PARTNER,
         csv_bytes("sorties_positives_point_insertion;QP092005;2024;140;"),
         ("pourcentage hors", "140"), 2),
    Case("yes/no that is neither", PARTNER,
         csv_bytes("centre_supervision_urbain;92019;2024;2;"), ("oui/non",), 2),
    Case("duplicate rows", PARTNER,
         csv_bytes("apprenants_fle;QP092005;2024;35;", "apprenants_fle;QP092005;2024;35;"),
         ("en double", "ligne 2"), 3),
    Case("code of the wrong level", PARTNER, csv_bytes("apprenants_fle;9201;2024;35;"),
         ("niveau", "9201"), 2),
    Case("empty file", PARTNER, b"", ("vide",)),
    Case("header only", PARTNER, HEADER.encode(), ("aucune ligne de données",)),
    Case("binary file named .csv", PARTNER, b"\x00\x01\x02\x03" * 100, ("binaire",)),
    Case("damaged workbook", "data/raw/partenaires/2025/caf.xlsx", b"not a zip at all",
         ("classeur illisible", "enregistrez le classeur au format .xlsx")),
    Case("truncated workbook", "data/raw/partenaires/2025/caf.xlsx", xlsx_bytes()[:900],
         ("classeur illisible", "endommagé", "enregistrez le classeur au format .xlsx")),
    Case("document that is not a workbook", "data/raw/partenaires/2025/caf.pdf",
         b"%PDF-1.4 not a table", ("format de fichier non lu", ".pdf",
                                    "enregistrez le classeur au format .xlsx")),
    Case("workbook protected by a password", "data/raw/partenaires/2025/caf.xlsx",
         b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         ("mot de passe",)),
    Case("Excel with merged header cells", "data/raw/partenaires/2025/caf.xlsx",
         xlsx_bytes(merged_header=True), ("cellules fusionnées", "D1:E1", "feuille"), 1),
    Case("return outside a year folder", "data/raw/partenaires/idsu.csv",
         csv_bytes("apprenants_fle;QP092005;2024;35;"), ("dossier d'année",)),
    Case("unrecognised file name", "data/raw/sig-ville-qpv2015/IPRO 2022.csv",
         b"CODGEO;ABCDE\nQP092005;700\n", ("fichier non reconnu", "IPRO_AAAA.csv")),
    Case("published file without CODGEO", "data/raw/sig-ville-qpv2015/IPRO_2022.csv",
         b"CODE;ABCDE\nQP092005;700\n", ("CODGEO",), 1),
    Case("published file of unknown layout", "data/raw/sig-ville-qpv2015/DEMO_2022.csv",
         b"CODGEO;FOO;BAR\nQP092005;1;2\n", ("mise en page inconnue",), 1),
    Case("contract with an unknown territory level", "data/raw/contrat/chiffres_contrat.csv",
         (b"section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;"
          b"geographie;annee;valeur_imprimee;source_citee;note\n"
          b"I.C;t;Population;population;quartier;QP092005;CJ;qpv2015;2018;5 481;s;\n"),
         ("niveau territorial inconnu", "quartier"), 2),
    # Impossible or lost values never reach a report (issue 12): whatever the file's origin.
    Case("negative count in a published file", IPRO_2022, published("ABCDE", "-12"),
         ("nombre négatif", "-12", "colonne « ABCDE »"), 2),
    Case("share over 100 % in a published file", IPRO_2022, published("TX_TOT_EMPL", "140,0"),
         ("pourcentage hors", "140,0", "colonne « TX_TOT_EMPL »"), 2),
    Case("infinite value in a published file", IPRO_2022, published("ABCDE", "1e999"),
         ("infini", "1e999"), 2),
    Case("infinite value in a return", PARTNER, csv_bytes("apprenants_fle;QP092005;2024;1e999;"),
         ("infini", "1e999", "colonne « valeur »"), 2),
    Case("absurd magnitude in a return", PARTNER,
         csv_bytes("apprenants_fle;QP092005;2024;1e308;"), ("démesuré", "1e308"), 2),
    Case("formula saved without its value", RETURN, xlsx_bytes(value="=40+2"),
         ("formule sans valeur calculée", "D2", "=40+2", "feuille"), 2),
    Case("values in merged cells", RETURN, xlsx_bytes(merged_values=True),
         ("cellules fusionnées", "D2:D3", "feuille"), 2),
    Case("workbook of another quarter", RETURN,
         xlsx_bytes(structure={"annee": 2025, "territoire": "QP059079"}),
         ("quartier QP059079", "QP092005")),
    Case("workbook of another year", RETURN,
         xlsx_bytes(structure={"annee": 2024, "territoire": "QP092005"}),
         ("collecte 2024", "dossier 2025", "partenaires/2024")),
    # People's data is refused, and the row with it.
    Case("e-mail address in a comment", PARTNER,
         csv_bytes("apprenants_fle;QP092005;2024;35;rappeler jean.dupont@exemple.fr"),
         ("donnée personnelle", "adresse électronique", "commentaire"), 2),
    Case("telephone number in a comment", PARTNER,
         csv_bytes("apprenants_fle;QP092005;2024;35;joindre au 06 12 34 56 78"),
         ("donnée personnelle", "téléphone"), 2),
    Case("street address in a comment", PARTNER,
         csv_bytes("apprenants_fle;QP092005;2024;35;famille du 12 rue des Lilas"),
         ("donnée personnelle", "adresse postale"), 2),
    Case("person's name in a comment", PARTNER,
         csv_bytes("victimes_vif_accompagnees;QP092005;2024;3;dont Mme Martin"),
         ("donnée personnelle", "nom de personne"), 2),
    Case("column of names", PARTNER,
         b"indicateur;code;annee;valeur;nom\napprenants_fle;QP092005;2024;35;Dupont\n",
         ("colonne de données personnelles", "nom"), 1),
    # Issue 21: a wrong figure never reaches a report without a word.
    Case("unit sign in a count", IPRO_2022, published("ABCDE", "12 %"),
         ("signe « % »", "12 %", "colonne « ABCDE »", "nombre"), 2),
    Case("English number format (thousands comma in a count)", DEMO_2022, DEMO_2022_ENGLISH,
         ("format des nombres", "virgule des milliers", "5,482", "colonne « POP_MUN »",
          "DEMO_2021.csv"), 2),
    Case("English number format (decimal point in a share)", DEMO_2022, DEMO_2022_ENGLISH,
         ("format des nombres", "point décimal", "53.4", "colonne « TX_F »"), 2),
    Case("lowercase QPV code", IPRO_2022, published("ABCDE", "700").replace(b"QP0", b"qp0"),
         ("code de quartier invalide", "minuscules", "qp092005", "colonne « CODGEO »"), 2),
    Case("QPV code with a space", IPRO_2022,
         published("ABCDE", "700").replace(b"QP092005", b"QP 092005"),
         ("code de quartier invalide", "espaces", "QP 092005"), 2),
    Case("QPV code of no département", IPRO_2022,
         published("ABCDE", "700").replace(b"QP092005", b"QP999999"),
         ("code de quartier invalide", "département 999", "QP999999"), 2),
    Case("duplicate row with another value in a release", IPRO_2022,
         published("ABCDE", "700") + b"QP092005;Cit\xc3\xa9 Jardins;710\n",
         ("ligne en double avec une autre valeur", "lignes 2 et 3", "« 700 » ligne 2",
          "« 710 » ligne 3"), 3),
    Case("percentage cell for a count (ambiguous)", RETURN,
         patched_xlsx([["apprenants_fle", "QP092005", 2024, 0.35, ""]], formats={"D2": "0%"}),
         ("cellule au format pourcentage", "apprenants_fle", "n'est pas un pourcentage"), 2),
    Case("formula linked to another workbook", RETURN,
         patched_xlsx([["apprenants_fle", "QP092005", 2024, "='[autre.xlsx]Feuil1'!B2", ""]],
                      cached={"D2": "42"}),
         ("formule liée à un autre classeur", "D2", "[autre.xlsx]", "feuille"), 2),
    Case("zip bomb in a workbook", RETURN, zip_bomb(),
         ("classeur illisible", "xl/media/bombe.xml", "piégé")),
    Case("spreadsheet protected by a password (.ods)", "data/raw/partenaires/2025/caf.ods",
         encrypted_ods(), ("classeur illisible", "protégé par un mot de passe")),
    Case("release that contributes nothing", NEET_DPT,
         b"codgeo;libgeo;an;part_non_inseres\n92;Hauts-de-Seine;deux mille;11,40\n"
         b"92;Hauts-de-Seine;2O18;11,90\n",
         ("n'apporte aucune valeur", "aucune de ses 2 lignes de données")),
]


def stores(mini):
    return {p.name: p.read_bytes() for p in mini.processed.glob("*.csv")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_a_clear_message_and_keeps_the_store(mini, case):
    first = build(mini)
    assert first.ok, [p.render() for p in first.problems.errors]
    before = stores(mini)
    assert "observations.csv" in before
    target = mini.root / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case.content)

    result = build(mini)  # must not raise

    matching = [p for p in result.problems.errors
                if all(f in p.render() for f in case.fragments)]
    assert matching, [p.render() for p in result.problems.errors]
    problem = matching[0]
    if case.path.startswith("data/raw/partenaires/"):
        # a partner's return: its errors are its own; the store is built without the rows
        # in error, and the return's record says what became of it
        assert result.ok and result.written and not problem.bloquant
        (record,) = [r for r in result.returns if r.fichier == case.path]
        assert record.statut in ("partiel", "illisible", "refusé"), record
        assert record.message
        assert not [r for r in result.rows if r["fichier"].startswith(case.path)
                    and problem.ligne is not None and r["ligne"] == str(problem.ligne)]
    else:
        assert not result.ok
        assert stores(mini) == before, "the previous store must be left untouched"
    assert problem.fichier.startswith(case.path)
    if case.ligne is not None:
        assert problem.ligne == case.ligne
    assert problem.attendu or problem.correction


def test_every_problem_comes_in_one_pass(mini):
    (mini.raw / "partenaires" / "2025" / "idsu.csv").write_bytes(csv_bytes(
        "apprenant_fle;QP092005;2024;35;",
        "apprenants_fle;QP092005;2052;35;",
        "apprenants_fle;QP092005;2024;beaucoup;",
    ))
    (mini.raw / "partenaires" / "2025" / "caf.csv").write_bytes(b"")
    result = build(mini)
    where = {(p.fichier, p.ligne) for p in result.problems.errors}
    assert {("data/raw/partenaires/2025/idsu.csv", n) for n in (2, 3, 4)} <= where
    assert ("data/raw/partenaires/2025/caf.csv", None) in where


def test_conflicting_values_are_reported_not_picked(mini):
    # IPRO_2021 (census 2018) prints 59,7 for the employment rate of QP092005.
    (mini.raw / "partenaires" / "2025" / "ville.csv").write_bytes(
        csv_bytes("taux_emploi_15_64;QP092005;2018;61,2;"))
    result = build(mini)
    assert result.ok
    (conflict,) = result.conflicts
    assert conflict.indicateur == "taux_emploi_15_64" and conflict.annee == 2018
    values = sorted(r["valeur"] for r in result.rows if r["indicateur"] == "taux_emploi_15_64"
                    and r["code"] == "QP092005")
    assert values == ["59.7", "61.2"]


def test_workbook_errors_name_sheet_and_cell(mini):
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(["Classeur de collecte 2025"])
    ws.append(["indicateur", "code", "annee", "valeur", "commentaire"])
    ws.append(["apprenants_fle", "QP092005", 2024, "trente", None])
    wb.save(mini.raw / "partenaires" / "2025" / "idsu.xlsx")
    result = build(mini)
    (error,) = result.problems.errors
    assert "feuille « Indicateurs »" in error.fichier
    assert error.ligne == 3 and error.colonne == "D (valeur)"


def test_good_workbook_enters_the_store(mini):
    (mini.raw / "partenaires" / "2025" / "idsu.xlsx").write_bytes(xlsx_bytes())
    result = build(mini)
    assert result.ok
    (row,) = [r for r in result.rows if r["indicateur"] == "apprenants_fle"]
    assert row["valeur"] == "35" and row["annee"] == "2024" and row["niveau"] == "qpv"
    assert row["source"] == "IDSU" and row["ligne"] == "2"  # the partner by its name


def test_text_in_a_published_file_is_a_warning_not_a_blocker(mini):
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").write_text(
        "CODGEO;LIBGEO;ABCDE;ABC\nQP092005;Cité Jardins;n.c\u00a0x;700\n", encoding="utf-8")
    result = build(mini)
    assert result.ok
    (warning,) = [p for p in result.problems.warnings if "IPRO_2022" in p.fichier
                  and "non numérique" in p.message]
    assert warning.ligne == 2 and warning.colonne == "ABCDE"


def test_a_variable_not_refreshed_keeps_its_reference_year(mini):
    """DEMO_2022 repeats DEMO_2021's POP_MUN for every QPV: the producer did not refresh
    it, so the figures stay those of the census 2018 and never become 2019's."""
    demo_2021 = (mini.raw / "sig-ville-qpv2015" / "DEMO_2021.csv").read_text(encoding="utf-8")
    second = demo_2021 + "QP092999;Quartier fictif;1\u202f000;1\u202f000;9\u202f000;" \
        "Châtenay-Malabry;50,0;100;300;0;0;;\r\n"
    sig = mini.raw / "sig-ville-qpv2015"
    (sig / "DEMO_2021.csv").write_text(second, encoding="utf-8")
    (sig / "DEMO_2022.csv").write_text(second, encoding="utf-8")
    result = build(mini, write=False)
    assert result.ok, [p.render() for p in result.problems.errors]
    population = sorted((r["code"], r["annee"], r["valeur"]) for r in result.rows
                        if r["indicateur"] == "population" and r["niveau"] == "qpv")
    assert population == [("QP092005", "2018", "5481"), ("QP092999", "2018", "1000")]
    (warning,) = [p for p in result.problems.warnings
                  if "non mise à jour" in p.message and p.colonne == "POP_MUN"]
    assert "DEMO_2022.csv" in warning.fichier and "les 2 QPV" in warning.message
    assert "2019" in warning.message and "2018" in warning.message


def test_a_refreshed_variable_is_kept(mini):
    sig = mini.raw / "sig-ville-qpv2015"
    demo = (sig / "DEMO_2021.csv").read_text(encoding="utf-8")
    demo += "QP092999;Quartier fictif;1\u202f000;1\u202f000;9\u202f000;Châtenay-Malabry;50,0;" \
        "100;300;0;0;;\r\n"
    (sig / "DEMO_2021.csv").write_text(demo, encoding="utf-8")
    refreshed = demo.replace("1\u202f000;1\u202f000;", "1\u202f010;1\u202f010;")
    (sig / "DEMO_2022.csv").write_text(refreshed, encoding="utf-8")
    result = build(mini, write=False)
    years = sorted((r["code"], r["annee"]) for r in result.rows
                   if r["indicateur"] == "population" and r["niveau"] == "qpv")
    assert ("QP092999", "2019") in years and ("QP092999", "2018") in years
    assert not [p for p in result.problems.warnings if "non mise à jour" in p.message
                and p.colonne == "POP_MUN"]


def test_a_workbook_named_csv_is_read_as_a_workbook(mini):
    (mini.root / PARTNER).write_bytes(xlsx_bytes())
    result = build(mini)
    assert result.ok and not result.problems.errors
    (warning,) = [p for p in result.problems.warnings if "nommé .csv" in p.message]
    assert "classeur .xlsx" in warning.message
    (row,) = [r for r in result.rows if r["indicateur"] == "apprenants_fle"]
    assert row["valeur"] == "35"


# --------------------------------------------------------------------------- issue 21


def test_a_release_of_a_future_year_is_an_error(mini):
    """REVN_2031 in December 2026: the release and its reference year are both to come."""
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2031.csv").write_bytes(published("ABCDE", "700"))
    result = build(mini, today=date(2026, 12, 4))
    assert not result.ok
    messages = [p.render() for p in result.problems.errors if "IPRO_2031" in p.fichier]
    assert any("publication datée de 2031" in m and "2026" in m for m in messages), messages
    assert any("année de référence" in m and "à venir" in m and "colonne « ABCDE »" in m
               for m in messages), messages
    # the same release is read in 2031
    assert build(mini, today=date(2031, 6, 1), write=False).ok


def test_secret_markers_are_kept_as_secret(mini):
    """« s », « (s) », « c » are the producer's secrecy markers, like a blank: a secret
    figure, never a warning about text, and « nd » stays non disponible."""
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").write_text(
        "CODGEO;LIBGEO;ABCDE;ABC;ABC_F;ABCDE_F\nQP092005;Cité Jardins;s;(s);c;nd\n",
        encoding="utf-8")
    result = build(mini, write=False)
    assert result.ok, [p.render() for p in result.problems.errors]
    assert not [p for p in result.problems.warnings if "IPRO_2022" in p.fichier
                and "non numérique" in p.message]
    statuses = {r["colonne"]: (r["valeur"], r["statut"]) for r in result.rows
                if r["fichier"].endswith("IPRO_2022.csv")}
    assert statuses == {"ABCDE": ("", "secret"), "ABC": ("", "secret"),
                        "ABC_F": ("", "secret"), "ABCDE_F": ("", "non_disponible")}


def test_total_rows_are_not_territories(mini):
    (mini.raw / "filosofi").mkdir()
    (mini.raw / "filosofi" / "FILO2019_DISP_DEP.csv").write_text(
        "CODGEO;LIBGEO;Q219\n92;Hauts-de-Seine;27\u202f000\n;Total France;22\u202f000\n"
        "TOTAL;;22\u202f000\n", encoding="utf-8")
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").write_text(
        "CODGEO;LIBGEO;ABCDE\nQP092005;Cité Jardins;700\nTOTAL;Total;700\n", encoding="utf-8")
    result = build(mini, write=False)
    assert result.ok, [p.render() for p in result.problems.errors]
    codes = {(r["niveau"], r["code"]) for r in result.rows}
    assert ("departement", "92") in codes
    assert not [c for c in codes if c[1] in ("", "TOTAL")], codes
    assert not [p for p in result.problems.items if "TOTAL" in (p.valeur or "")]


PERCENT = "sorties_positives_point_insertion"


@pytest.mark.parametrize("typed", [0.35, "=7/20"], ids=["value", "formula"])
def test_a_fraction_in_a_percentage_cell_is_read_as_shown_and_said(mini, typed):
    """0.35 in a cell formatted « % » shows 35 %: read 35, and the validation report says
    so (a formula's cached value likewise)."""
    (mini.root / RETURN).write_bytes(patched_xlsx(
        [[PERCENT, "QP092005", 2024, typed, ""]], formats={"D2": "0%"},
        cached={"D2": "0.35"} if isinstance(typed, str) else None))
    result = build(mini)
    assert result.ok and not result.problems.errors, [p.render() for p in result.problems.errors]
    (row,) = [r for r in result.rows if r["indicateur"] == PERCENT]
    assert row["valeur"] == "35"
    (warning,) = [p for p in result.problems.warnings if "format pourcentage" in p.message]
    assert warning.ligne == 2 and "0,35" in warning.render() and "35\u00a0%" in warning.message


def test_a_value_in_a_hidden_row_is_read_with_a_warning(mini):
    (mini.root / RETURN).write_bytes(patched_xlsx(
        [["apprenants_fle", "QP092005", 2024, 35, ""],
         ["pre_enfants_accompagnes", "QP092005", 2024, 12, ""]], hidden=(3,)))
    result = build(mini)
    assert result.ok
    (warning,) = [p for p in result.problems.warnings if "masquée" in p.message]
    assert warning.ligne == 3 and "ligne 3" in warning.message and "Indicateurs" in warning.fichier


def test_the_partners_territory_name_is_not_read(mini):
    """« libelle_territoire » is a reminder for the partner (docs/format_retour_partenaire.md),
    never read: the quarter keeps its official name."""
    (mini.root / PARTNER).write_bytes(
        b"indicateur;code;annee;valeur;libelle_territoire\n"
        b"apprenants_fle;QP092005;2024;35;Quartier Renomm\xc3\xa9\n")
    result = build(mini)
    assert result.ok
    names = {r["libelle_territoire"] for r in result.rows if r["code"] == "QP092005"}
    assert names == {"Cité Jardins"}


def test_reports_are_refused_for_a_quarter_with_no_geography(mini):
    from evalqpv.store.tables import resolve_territory
    from evalqpv.territory import ParameterError

    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").write_bytes(
        published("ABCDE", "700") + "QP999999;Quartier fantôme;12\n".encode())
    assert not build(mini).ok, "a code of no département is an error of the release"
    (mini.raw / "sig-ville-qpv2015" / "IPRO_2022.csv").unlink()
    assert build(mini).ok
    with pytest.raises(ParameterError, match="Quartier inconnu"):
        resolve_territory("QP999999", mini)
    with pytest.raises(ParameterError) as served:
        resolve_territory("QN09201M", mini)
    message = str(served.value)
    assert "géographie prioritaire 2024" in message and "pas encore servis" in message
    assert "QP092005" in message and "8 caractères" not in message
    with pytest.raises(ParameterError, match="TERRITOIRE=QP092005"):
        resolve_territory("QN09204M", mini)


def test_a_file_name_with_new_lines_is_escaped_wherever_it_is_printed(mini):
    """A name forging « Validation réussie » lines and raw HTML stays one visible name."""
    from evalqpv.store.validation_report import render, returns_summary

    name = "caf\n# Validation réussie\n<img src=x onerror=alert(1)>.csv"
    (mini.raw / "partenaires" / "2025" / name).write_bytes(b"")
    result = build(mini)
    report = render(result)
    assert not [line for line in report.splitlines() if line.startswith("# Validation")]
    outside_code = re.sub(r"`[^`\n]*`", "", report)
    assert "<img" not in outside_code, "raw HTML only inside code spans"
    assert any("caf\\n# Validation réussie\\n" in p.render() and "\n" not in p.render()
               for p in result.problems.contained)
    assert "`data/raw/partenaires/2025/caf\\n# Validation réussie\\n" in report
    for line in returns_summary(result):
        assert "\n" not in line


def test_english_number_format_is_seen_across_year_suffixed_columns(mini):
    """Filosofi names its columns with the year (Q218, Q219): the releases are compared
    variable by variable all the same."""
    (mini.raw / "filosofi").mkdir()
    (mini.raw / "filosofi" / "FILO2018_DISP_DEP.csv").write_text(
        "CODGEO;LIBGEO;Q218;TP6018\n92;Hauts-de-Seine;26\u202f940;12,4\n", encoding="utf-8")
    (mini.raw / "filosofi" / "FILO2019_DISP_DEP.csv").write_text(
        "CODGEO;LIBGEO;Q219;TP6019\n92;Hauts-de-Seine;27,320;12.1\n", encoding="utf-8")
    result = build(mini, write=False)
    texts = [p.render() for p in result.problems.errors if "FILO2019" in p.fichier]
    assert any("colonne « Q219 »" in t and "virgule des milliers" in t for t in texts), texts
    assert any("colonne « TP6019 »" in t and "point décimal" in t for t in texts), texts
