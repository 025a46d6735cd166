"""Files filled by hand: the row checks they share (ingest.handfilled) and the contract's
transcription with its errata (ingest.contract), on tiny files written by hand. Such a
file must be exact: every bad cell is an error naming file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.ingest_support import CONTRACT, context, deposit, unit

from evalqpv.frenchnumbers import parse_french_number
from evalqpv.ingest import FileId
from evalqpv.ingest.contract import identify, read_contract, read_errata
from evalqpv.ingest.handfilled import RowChecker, infer_niveau
from evalqpv.problems import Problems

# --------------------------------------------------------------------------- handfilled


@pytest.mark.parametrize(("code", "niveau"), [
    ("QP092005", "qpv"), ("qn09201m", "qpv"), ("92019", "commune"), ("2A004", "commune"),
    ("200054781", "epci"), ("FR", "france"), ("FRMETRO", "france"),
    ("0921234A", "etablissement"), ("92", None), ("9201", None), ("", None),
])
def test_the_level_inferred_from_a_code(code, niveau):
    assert infer_niveau(code) == niveau


def checker(tmp_path: Path) -> tuple[RowChecker, Problems]:
    problems = Problems()
    ctx = context(tmp_path, [unit("population")], annee_max=2025)
    return RowChecker(ctx, problems, "data/raw/contrat/c.csv"), problems


def test_the_identifying_cells_of_a_good_row(tmp_path):
    check, problems = checker(tmp_path)
    assert check.indicateur(2, "indicateur", " population ") == "population"
    assert check.niveau(2, "niveau", "", "QP092005") == "qpv"  # inferred from the code
    assert check.code(2, "code", "QP092005", "qpv") == "QP092005"
    assert check.code(2, "code", "2A", "departement") == "2A"
    assert check.geographie(2, "geographie", "", "qpv") == "qpv2015"  # a quarter's default
    assert check.geographie(2, "geographie", "", "commune") == ""
    assert check.annee(2, "annee", 2024.0) == 2024  # a spreadsheet's float year
    assert check.annee(2, "annee", "1990") == 1990 and check.annee(2, "annee", "2025") == 2025
    assert check.periode(2, "periode", " t3 ") == "T3"
    parsed = check.valeur(2, "valeur", "5 481", parse_french_number)
    assert parsed is not None and parsed.valeur == 5481.0
    assert not problems.items


@pytest.mark.parametrize(("call", "column", "value", "fragment"), [
    (lambda c: c.indicateur(4, "indicateur", "populaton"), "indicateur", "populaton",
     "indicateur inconnu du référentiel"),
    (lambda c: c.niveau(4, "niveau", "", "92"), "niveau", "92", "impossible à déduire"),
    (lambda c: c.niveau(4, "niveau", "quartier", "QP092005"), "niveau", "quartier",
     "niveau territorial inconnu"),
    (lambda c: c.code(4, "code", "9201", "commune"), "code", "9201",
     "code incompatible avec le niveau « commune »"),
    (lambda c: c.code(4, "code", "QP92005", "qpv"), "code", "QP92005", "incompatible"),
    (lambda c: c.code(4, "code", "", "qpv"), "code", "", "code du territoire vide"),
    (lambda c: c.geographie(4, "geographie", "qpv2020", "qpv"), "geographie", "qpv2020",
     "géographie prioritaire inconnue"),
    (lambda c: c.annee(4, "annee", "24"), "annee", "24", "année invalide"),
    (lambda c: c.annee(4, "annee", "2026"), "annee", "2026", "hors de la période"),
    (lambda c: c.annee(4, "annee", "1989"), "annee", "1989", "hors de la période"),
    (lambda c: c.periode(4, "periode", "T5"), "periode", "T5", "période inconnue"),
    (lambda c: c.valeur(4, "valeur", "environ 50", parse_french_number), "valeur",
     "environ 50", "n'est pas un nombre"),
])
def test_each_bad_cell_is_an_error_naming_line_column_and_value(tmp_path, call, column,
                                                                value, fragment):
    check, problems = checker(tmp_path)
    call(check)
    (error,) = problems.errors
    assert fragment in error.message
    assert (error.fichier, error.ligne, error.colonne, error.valeur) == (
        "data/raw/contrat/c.csv", 4, column, value)
    assert error.attendu


# --------------------------------------------------------------------------- contract

HEADER = ("section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;"
          "geographie;annee;valeur_imprimee;source_citee;note\n")
ROWS = ("I.C;Tableau 1;Population;population;qpv;QP092005;Cité Jardins;;2018;5 481;"
        "Insee RP;\n"
        "I.C;Tableau 1;Part des femmes;part_femmes;;QP092005;Cité Jardins;qpv2015;2019;"
        "20, 9;Insee RP;\n"
        "II.2;;Taux de réussite;taux_reussite;commune;92019;Châtenay-Malabry;;2022;>95;"
        "Rectorat;\n"
        "III;;Crédits;credits;commune;92019;;;2023;1,2 M€;Ville;\n")
INDICATORS = (unit("population"), unit("part_femmes", "pourcentage"),
              unit("taux_reussite", "pourcentage"), unit("credits", "euros"))


@pytest.mark.parametrize(("rel", "expected"), [
    ("contrat/chiffres_contrat.csv", FileId("CONTRAT", None)),
    ("contrat/errata.csv", FileId("ERRATA", None)),
    ("contrat/notes.txt", None), ("partenaires/2025/contrat.csv", None),
])
def test_contract_file_names(rel, expected):
    assert identify(Path(rel)) == expected


def read(root: Path, text: str | bytes, errata: str | None = None, name: str = "chiffres.csv"):
    path = deposit(root, f"contrat/{name}", text)
    if errata is not None:
        deposit(root, "contrat/errata.csv", errata)
    problems = Problems()
    file = identify(Path("contrat") / name)
    assert file is not None
    return read_contract(path, file, context(root, INDICATORS), problems), problems


def test_printed_values_become_the_contracts_observations(tmp_path):
    result, problems = read(tmp_path, HEADER + ROWS)
    assert not problems.items
    got = [(o.indicateur, o.niveau, o.code, o.geographie, o.annee, o.valeur, o.statut,
            o.valeur_publiee, o.ligne) for o in result.observations]
    assert got == [
        ("population", "qpv", "QP092005", "qpv2015", 2018, 5481.0, "valeur", "5 481", 2),
        ("part_femmes", "qpv", "QP092005", "qpv2015", 2019, 20.9, "valeur", "20, 9", 3),
        ("taux_reussite", "commune", "92019", "", 2022, 95.0, "borne_inf", ">95", 4),
        ("credits", "commune", "92019", "", 2023, 1200000.0, "valeur", "1,2 M€", 5)]
    obs = result.observations[0]
    assert obs.producteur == CONTRACT.transcription_producteur
    assert obs.millesime == CONTRACT.transcription_millesime
    assert obs.source == "Contrat de ville d'essai, section I.C (Insee RP)"
    assert (obs.fichier, obs.colonne, obs.qualite) == (
        "data/raw/contrat/chiffres.csv", "valeur_imprimee", "")
    assert result.summary.observations == 4


def test_a_bad_row_is_left_out_and_the_others_are_read(tmp_path):
    bad = ("I.C;;Population;population;qpv;QP092005;;;2018;beaucoup;Insee;\n"
           ";;Population;population;qpv;QP092005;;;2019;5 500;Insee;\n")
    result, problems = read(tmp_path, HEADER + ROWS + bad)
    assert len(result.observations) == 4
    found = {(e.ligne, e.colonne) for e in problems.errors}
    assert found == {(6, "valeur_imprimee"), (7, "section")}


def test_a_value_transcribed_twice_is_an_error_naming_the_first_line(tmp_path):
    again = "I.C;Tableau 2;Population;population;qpv;QP092005;;qpv2015;2018;5 481;Insee;\n"
    result, problems = read(tmp_path, HEADER + ROWS + again)
    assert len(result.observations) == 4
    (error,) = problems.errors
    assert error.ligne == 6 and "ligne 2" in error.message
    # the same figure printed in another section is another citation, not a duplicate
    elsewhere = again.replace("I.C;", "IV;")
    result, problems = read(tmp_path, HEADER + ROWS + elsewhere)
    assert len(result.observations) == 5 and not problems.items


def test_the_optional_period_column(tmp_path):
    header = HEADER.replace(";note\n", ";note;periode\n")
    result, problems = read(tmp_path, header + "V;;Plaintes;population;commune;92019;;;2024;"
                            "12;Police;;t2\n")
    assert not problems.items
    assert [o.periode for o in result.observations] == ["T2"]


def test_a_transcription_with_a_missing_column_is_not_read(tmp_path):
    result, problems = read(tmp_path, HEADER.replace("section;", "") + "x\n")
    assert not result.observations
    (error,) = problems.errors
    assert (error.ligne, error.colonne) == (1, "section")


def test_a_transcription_in_cp1252_is_refused(tmp_path):
    result, problems = read(tmp_path, (HEADER + ROWS).encode("cp1252"))
    assert not result.observations
    (error,) = problems.errors
    assert error.ligne == 2 and "Windows-1252" in error.message  # « Cité », first row


# --------------------------------------------------------------------------- errata

ERRATA_HEADER = "fichier;ligne;colonne;valeur_lue;valeur_corrigee;justification\n"


def test_an_erratum_corrects_the_cell_in_memory_and_is_cited(tmp_path):
    errata = ERRATA_HEADER + "chiffres.csv;3;valeur_imprimee;20, 9;29,9;tableau 1 : 29,9 %\n"
    result, problems = read(tmp_path, HEADER + ROWS, errata)
    assert not problems.items
    part = next(o for o in result.observations if o.indicateur == "part_femmes")
    assert (part.valeur, part.valeur_publiee) == (29.9, "29,9")
    assert part.qualite == ("transcription corrigée (valeur_imprimee : « 20, 9 » → « 29,9 », "
                            "errata.csv ligne 2)")
    assert (tmp_path / "data/raw/contrat/chiffres.csv").read_text(encoding="utf-8") == \
        HEADER + ROWS  # the transcription itself is never touched
    others = [o.qualite for o in result.observations if o.indicateur != "part_femmes"]
    assert others == ["", "", ""]


def test_an_erratum_that_no_longer_matches_its_cell_is_an_error(tmp_path):
    errata = ERRATA_HEADER + "chiffres.csv;3;valeur_imprimee;20,9;29,9;tableau 1\n"
    result, problems = read(tmp_path, HEADER + ROWS, errata)
    (error,) = problems.errors
    assert (error.fichier, error.ligne, error.colonne, error.valeur) == (
        "data/raw/contrat/errata.csv", 2, "valeur_lue", "20,9")
    assert "« 20, 9 »" in (error.attendu or "")
    part = next(o for o in result.observations if o.indicateur == "part_femmes")
    assert part.valeur == 20.9 and not part.qualite  # left as transcribed


def test_an_erratum_for_a_cell_that_does_not_exist(tmp_path):
    errata = (ERRATA_HEADER + "chiffres.csv;3;valeur;20, 9;29,9;tableau 1\n"
              "chiffres.csv;40;valeur_imprimee;1;2;tableau 1\n")
    _, problems = read(tmp_path, HEADER + ROWS, errata)
    found = {(e.ligne, e.colonne, e.valeur) for e in problems.errors}
    assert found == {(2, "colonne", "valeur"), (3, "ligne", "40")}


def test_each_bad_erratum_row_is_named(tmp_path):
    deposit(tmp_path, "contrat/chiffres.csv", HEADER + ROWS)
    path = deposit(tmp_path, "contrat/errata.csv", ERRATA_HEADER
                   + "absent.csv;3;valeur_imprimee;1;2;raison\n"
                   + "errata.csv;3;valeur_imprimee;1;2;raison\n"
                   + "chiffres.csv;1;valeur_imprimee;1;2;raison\n"
                   + "chiffres.csv;3;valeur_imprimee;20, 9;29,9;\n"
                   + "chiffres.csv;4;valeur_imprimee;>95;>96;tableau 3\n")
    problems = Problems()
    fixes = read_errata(path, "data/raw/contrat/errata.csv", problems)
    found = {(e.ligne, e.colonne, e.valeur) for e in problems.errors}
    assert found == {(2, "fichier", "absent.csv"), (3, "fichier", "errata.csv"),
                     (4, "ligne", "1"), (5, "justification", "")}
    assert [(f.ligne_errata, f.ligne, f.valeur_corrigee) for f in fixes["chiffres.csv"]] == [
        (6, 4, ">96")]


def test_the_errata_file_is_checked_when_read_as_a_file_of_its_own(tmp_path):
    deposit(tmp_path, "contrat/chiffres.csv", HEADER + ROWS)
    result, problems = read(tmp_path, ERRATA_HEADER + "chiffres.csv;3;valeur_imprimee;1;2;\n",
                            name="errata.csv")
    assert not result.observations
    (error,) = problems.errors
    assert (error.fichier, error.colonne) == ("data/raw/contrat/errata.csv", "justification")
