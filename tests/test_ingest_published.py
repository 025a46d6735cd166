"""The helpers of published files (ingest.published) and the SIG Ville reader
(ingest.sig_ville), on tiny files written by hand in the producer's format: BOM, CRLF,
narrow no-break spaces, blanks for secret values, a year in the file name that is the
release, never the reference year."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.ingest_support import context, deposit, rule, unit

from evalqpv.ingest import FileId
from evalqpv.ingest.published import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    MIXED,
    THOUSANDS_COMMA,
    WHOLE,
    check_quarter_code,
    is_total_row,
    number_formats,
    published_number,
)
from evalqpv.ingest.sig_ville import identify, read_sig_file
from evalqpv.problems import Problems
from evalqpv.rawtable import read_delimited

# --------------------------------------------------------------------------- published


def test_a_published_cell_that_is_no_number_is_a_warning_and_skipped():
    problems = Problems()
    assert published_number("n.c x", "f.csv", 4, "ABC", problems) is None
    (warning,) = problems.items
    assert warning.gravite == "avertissement"
    assert (warning.ligne, warning.colonne, warning.valeur) == (4, "ABC", "n.c x")


@pytest.mark.parametrize(("raw", "valeur", "statut"), [
    ("", None, "secret"), ("s", None, "secret"), ("(s)", None, "secret"),
    ("nd", None, "non_disponible"), ("5\u202f481", 5481.0, "valeur"), ("59,7", 59.7, "valeur"),
    (">95", 95.0, "borne_inf"),
])
def test_published_markers_and_numbers(raw, valeur, statut):
    problems = Problems()
    parsed = published_number(raw, "f.csv", 2, "X", problems)
    assert parsed is not None and (parsed.valeur, parsed.statut) == (valeur, statut)
    assert not problems.items


@pytest.mark.parametrize(("code", "libelle", "total"), [
    ("TOTAL", "", True), ("", "Total France", True), ("Total: QPV", "", True),
    ("", "Ensemble des communes", True), ("", "France entière", True),
    ("Ensemble", "Ensemble des QPV", False),  # SIG Ville's own row, with its code
    ("92", "Hauts-de-Seine", False), ("", "Totalement inconnu", False),
])
def test_total_rows(code, libelle, total):
    assert is_total_row(code, libelle) is total


@pytest.mark.parametrize(("code", "reason"), [
    ("qp092005", "écrit en minuscules"), ("QP 092005", "avec des espaces"),
    ("QP92005", "mal formé"), ("QP974001", "le département 974 n'existe pas"),
])
def test_a_bad_quarter_code_is_an_error_saying_why(tmp_path, code, reason):
    problems = Problems()
    ctx = context(tmp_path, departements=frozenset({"92", "93"}))
    assert not check_quarter_code(code, "f.csv", 3, ctx, problems)
    (error,) = problems.errors
    assert reason in error.message
    assert (error.ligne, error.colonne, error.valeur) == (3, "CODGEO", code)


def test_good_quarter_codes_of_both_geographies(tmp_path):
    problems = Problems()
    ctx = context(tmp_path, departements=frozenset({"92", "2A"}))
    assert all(check_quarter_code(c, "f.csv", 2, ctx, problems)
               for c in ("QP092005", "QN09201M", "QP02A001"))
    # without an official geography, any well-formed code is a quarter
    assert check_quarter_code("QP974001", "f.csv", 2, context(tmp_path), problems)
    assert not problems.items


def test_number_formats_of_each_numeric_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("CODGEO;ENT;VIRG;PT;MIL;MIX;TXT\n"
                    "QP1;5\u202f481;12;3;5,482;1;a\n"
                    "QP2;7;53,4;53.4;34,170;5,482.5;b\n"
                    "QP3;;;;;2,5;\n", encoding="utf-8")
    table = read_delimited(path, "f.csv", Problems())
    assert table is not None
    assert number_formats(table) == {
        "ENT": (WHOLE, 2, "5\u202f481"),
        "VIRG": (DECIMAL_COMMA, 3, "53,4"),
        "PT": (DECIMAL_POINT, 3, "53.4"),
        "MIL": (THOUSANDS_COMMA, 2, "5,482"),  # every comma followed by three digits
        "MIX": (MIXED, 3, "5,482.5"),
    }  # CODGEO and TXT hold no numbers: no format


# --------------------------------------------------------------------------- sig_ville


@pytest.mark.parametrize(("name", "expected"), [
    ("IPRO_2022.csv", FileId("IPRO", 2022)), ("revn_2021.CSV", FileId("REVN", 2021)),
    ("data_DEMO_2022_V1_QP.csv", FileId("DEMO", 2022)),
    ("data_filo19_qp_revdis.csv", FileId("FILO_QP", 2019)),
    ("IPRO 2022.csv", None), ("IPRO_2022.xlsx", None), ("FILO2019_DISP_COM.csv", None),
])
def test_sig_ville_file_names(name, expected):
    assert identify(Path("sig-ville-qpv2015") / name) == expected


RULES = (rule("IPRO", "ABCDE", "demandeurs", "millesime-1", colonne_note="NOTE_PE"),
         rule("IPRO", "TX_TOT_EMPL", "taux_emploi", "millesime-3"))
INDICATORS = (unit("demandeurs"), unit("taux_emploi", "pourcentage"))
IPRO_2022 = (
    "\ufeffCODGEO;LIBGEO;LIB_COM;ABCDE;TX_TOT_EMPL;NOTE_PE;EXTRA;;\r\n"
    "QP092005;Cité Jardins;Châtenay-Malabry;1\u202f749;59,7;0;x;;\r\n"
    "QN09201M;Cité Jardins 2024;Châtenay-Malabry;700;;1;x;;\r\n"
    "Ensemble;Ensemble des QPV;;1\u202f234\u202f567;55,1;;;;\r\n"
    "TOTAL;Total;;9;9;;;;\r\n"
    "92019;Châtenay-Malabry;;5;5;;;;\r\n"
)


def read_sig(root: Path, name: str, text: str | bytes, rules=RULES, indicators=INDICATORS, **kw):
    path = deposit(root, f"sig-ville-qpv2015/{name}", text)
    file = identify(Path(name))
    assert file is not None
    problems = Problems()
    return read_sig_file(path, file, context(root, indicators, rules, **kw), problems), problems


def test_sig_ville_rows_become_observations_of_their_reference_year(tmp_path):
    result, problems = read_sig(tmp_path, "IPRO_2022.csv", IPRO_2022)
    got = {(o.indicateur, o.niveau, o.code, o.geographie, o.annee, o.valeur, o.statut, o.ligne)
           for o in result.observations}
    assert got == {
        ("demandeurs", "qpv", "QP092005", "qpv2015", 2021, 1749.0, "valeur", 2),
        ("taux_emploi", "qpv", "QP092005", "qpv2015", 2019, 59.7, "valeur", 2),
        ("demandeurs", "qpv", "QN09201M", "qpv2024", 2021, 700.0, "valeur", 3),
        ("taux_emploi", "qpv", "QN09201M", "qpv2024", 2019, None, "secret", 3),  # blank
        ("demandeurs", "ensemble_qpv", "ENSEMBLE_QPV", "qpv2015", 2021, 1234567.0, "valeur",
         4),
        ("taux_emploi", "ensemble_qpv", "ENSEMBLE_QPV", "qpv2015", 2019, 55.1, "valeur", 4),
    }  # the TOTAL row is no territory; the commune code is no quarter (warning below)
    (warning,) = problems.items
    assert (warning.gravite, warning.ligne, warning.valeur) == ("avertissement", 6, "92019")
    obs = next(o for o in result.observations if o.code == "QN09201M"
               and o.indicateur == "demandeurs")
    assert obs.qualite == "NOTE_PE=1" and obs.colonne == "ABCDE" and obs.millesime == "2022"
    assert obs.fichier == "data/raw/sig-ville-qpv2015/IPRO_2022.csv"
    assert obs.libelle_territoire == "Cité Jardins 2024"
    assert not next(o for o in result.observations if o.code == "QP092005").qualite  # note 0
    assert result.quarters == {"QP092005": ("Cité Jardins", "Châtenay-Malabry"),
                               "QN09201M": ("Cité Jardins 2024", "Châtenay-Malabry")}
    summary = result.summary
    assert summary.quartiers == {"QP092005", "QN09201M"} and summary.lignes == 5
    assert summary.annees == {"ABCDE": 2021, "TX_TOT_EMPL": 2019}
    assert summary.colonnes_non_utilisees == ["EXTRA"]
    assert summary.observations == 6


def test_a_bad_quarter_code_in_a_release_leaves_its_row_out(tmp_path):
    result, problems = read_sig(tmp_path, "IPRO_2022.csv",
                                "CODGEO;LIBGEO;ABCDE\nqp092005;CJ;700\nQP092005;CJ;710\n")
    assert [(o.code, o.valeur) for o in result.observations] == [("QP092005", 710.0)]
    (error,) = problems.errors
    assert error.ligne == 2 and "minuscules" in error.message


def test_a_release_without_codgeo_is_refused_at_line_one(tmp_path):
    result, problems = read_sig(tmp_path, "IPRO_2022.csv", "CODE;ABCDE\nQP092005;700\n")
    assert not result.observations
    (error,) = problems.errors
    assert (error.fichier, error.ligne, error.colonne) == (
        "data/raw/sig-ville-qpv2015/IPRO_2022.csv", 1, "CODGEO")


def test_a_release_with_none_of_its_variables_is_an_unknown_layout(tmp_path):
    result, problems = read_sig(tmp_path, "IPRO_2022.csv", "CODGEO;FOO\nQP092005;1\n")
    assert not result.observations
    (error,) = problems.errors
    assert "mise en page inconnue" in error.message
    assert "ABCDE" in (error.attendu or "") and "TX_TOT_EMPL" in (error.attendu or "")


def test_a_missing_variable_is_a_warning_unless_another_spelling_is_there(tmp_path):
    rules = (*RULES, rule("IPRO", "TX_TOT_EMP", "taux_emploi", "millesime-3"),
             rule("IPRO", "ABC", "demandeurs_abc", "millesime-1"))
    indicators = (*INDICATORS, unit("demandeurs_abc"))
    result, problems = read_sig(tmp_path, "IPRO_2022.csv",
                                "CODGEO;ABCDE;TX_TOT_EMPL\nQP092005;700;59,7\n",
                                rules=rules, indicators=indicators)
    assert len(result.observations) == 2
    (warning,) = problems.warnings  # TX_TOT_EMP is only another name of TX_TOT_EMPL
    assert warning.colonne == "ABC" and "demandeurs_abc" in warning.message


def test_the_rule_of_the_release_gives_the_year(tmp_path):
    """The same variable in two releases: each release's rule, never the file's year."""
    rules = (rule("DEMO", "POP_MUN", "population", "2013", millesime_max=2020),
             rule("DEMO", "POP_MUN", "population", "millesime-3", millesime_min=2021))
    text = "CODGEO;POP_MUN\nQP092005;5\u202f660\n"
    old, _ = read_sig(tmp_path, "DEMO_2020.csv", text, rules, [unit("population")])
    new, _ = read_sig(tmp_path, "DEMO_2021.csv", text, rules, [unit("population")])
    assert [o.annee for o in old.observations] == [2013]
    assert [o.annee for o in new.observations] == [2018]


def test_a_cp1252_line_in_a_release_is_read_with_a_warning(tmp_path):
    text = "CODGEO;LIBGEO;ABCDE\nQP092005;Cité Jardins;700\n".encode("cp1252")
    result, problems = read_sig(tmp_path, "IPRO_2022.csv", text)
    (obs,) = result.observations
    assert obs.libelle_territoire == "Cité Jardins"
    assert not problems.errors
    (warning,) = [p for p in problems.warnings if "Windows-1252" in p.message]
    assert warning.ligne == 2 and warning.fichier.endswith("IPRO_2022.csv")


def test_a_filosofi_by_qpv_release_reads_its_variables_suffixed_with_its_year(tmp_path):
    """data_filo19_qp_revdis.csv: incomes of 2019, every variable named with « _a19 »,
    and two note columns (a blank or 0 note is no note)."""
    rules = (rule("FILO_QP", "disp_q2_a{aa}", "revenu", colonne_note="note|DISP_NOTE_A{aa}"),)
    text = ("codgeo;libgeo;disp_q2_a19;disp_q2_a18;note;disp_note_a19\n"
            "QP092005;Cité Jardins;13\u202f520;13\u202f100;1;\n"
            "QP092006;Autre;;12\u202f000;0;2\n")
    result, problems = read_sig(tmp_path, "data_filo19_qp_revdis.csv", text, rules,
                                [unit("revenu", "euros")])
    assert not problems.items
    got = [(o.code, o.annee, o.valeur, o.statut, o.colonne, o.qualite, o.millesime)
           for o in result.observations]
    assert got == [("QP092005", 2019, 13520.0, "valeur", "disp_q2_a19", "note=1", "2019"),
                   ("QP092006", 2019, None, "secret", "disp_q2_a19", "DISP_NOTE_A19=2", "2019")]
    assert result.summary.colonnes_non_utilisees == ["disp_q2_a18"]
    assert result.quarters == {}  # no LIB_COM column: the communes come from elsewhere
