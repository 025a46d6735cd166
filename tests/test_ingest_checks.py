"""ingest.checks on hand-made observations: impossible values, a file against itself
(duplicates), dates to come, and a producer's variable left unrefreshed between two
releases."""

from __future__ import annotations

import math

import pytest
from tests.ingest_support import observation, unit

from evalqpv.ingest import Observation
from evalqpv.ingest.checks import (
    check_duplicates,
    check_future_years,
    check_values,
    drop_frozen_releases,
)
from evalqpv.problems import Problems
from evalqpv.referentiel import Referentiel

REF = Referentiel({i.id: i for i in (
    unit("population"), unit("part_femmes", "pourcentage"), unit("revenu", "euros"),
    unit("centre_ouvert", "booleen"), unit("indice_jeunesse", "indice"))})


def values_problems(*observations: Observation) -> Problems:
    problems = Problems()
    check_values(observations, REF, problems)
    return problems


# --------------------------------------------------------------------------- check_values


@pytest.mark.parametrize(("indicateur", "valeur", "publiee", "fragment"), [
    ("population", -3.0, "-3", "nombre négatif"),
    ("revenu", -1.0, "-1", "nombre négatif"),
    ("part_femmes", 100.5, "100,5", "pourcentage hors de l'intervalle 0 à 100"),
    ("part_femmes", -0.1, "-0,1", "pourcentage hors de l'intervalle 0 à 100"),
    ("centre_ouvert", 2.0, "2", "valeur oui/non invalide"),
    ("population", math.inf, "1e999", "infini ou démesuré"),
    ("population", 1.5e12, "1 500 000 000 000", "infini ou démesuré"),
    ("population", 12.0, "12 %", "signe « % »"),
])
def test_an_impossible_value_is_an_error_naming_its_cell(indicateur, valeur, publiee, fragment):
    problems = values_problems(observation(indicateur=indicateur, valeur=valeur,
                                           valeur_publiee=publiee, ligne=7, colonne="X"))
    (error,) = problems.errors
    assert fragment in error.message
    assert (error.fichier, error.ligne, error.colonne, error.valeur) == (
        "data/raw/x/f.csv", 7, "X", publiee)
    assert indicateur in (error.correction or "") and error.attendu


@pytest.mark.parametrize(("indicateur", "valeur", "publiee"), [
    ("part_femmes", 0.0, "0"), ("part_femmes", 100.0, "100 %"),  # the bounds are shares
    ("centre_ouvert", 1.0, "1"), ("centre_ouvert", 0.0, "0"),
    ("population", 0.0, "0"), ("population", 1e12, "1e12"),  # at the limit, not beyond
    ("indice_jeunesse", -0.4, "-0,4"),  # only counts and amounts cannot be negative
    ("population", None, ""),  # a secret figure has no value to check
])
def test_a_possible_value_passes(indicateur, valeur, publiee):
    problems = values_problems(observation(indicateur=indicateur, valeur=valeur,
                                           valeur_publiee=publiee))
    assert not problems.items


def test_every_impossible_value_is_reported_not_only_the_first():
    problems = values_problems(observation(valeur=-1.0, ligne=2),
                               observation(valeur=5.0, ligne=3),
                               observation(indicateur="part_femmes", valeur=140.0, ligne=4))
    assert [e.ligne for e in problems.errors] == [2, 4]


# --------------------------------------------------------------------------- check_duplicates


def test_two_values_for_one_row_of_a_file_name_both_lines():
    problems = Problems()
    check_duplicates([observation(ligne=2, valeur=700.0, valeur_publiee="700"),
                      observation(ligne=5, valeur=710.0, valeur_publiee="710")], problems)
    (error,) = problems.errors
    assert error.ligne == 5 and error.valeur == "710" and error.colonne == "POP"
    assert "lignes 2 et 5" in error.message
    assert "« 700 » ligne 2" in error.message and "« 710 » ligne 5" in error.message


@pytest.mark.parametrize("other", [
    {"valeur": 10.0},  # the same value twice: a repeat, not a contradiction
    {"fichier": "data/raw/x/g.csv", "valeur": 11.0},  # two files: sources, never duplicates
    {"annee": 2021, "valeur": 11.0},
    {"periode": "T2", "valeur": 11.0},  # a quarter's count beside the year's
    {"geographie": "qpv2024", "valeur": 11.0},
    {"code": "QP092006", "valeur": 11.0},
    {"niveau": "commune", "valeur": 11.0},
])
def test_rows_that_differ_by_their_key_or_agree_are_not_duplicates(other):
    problems = Problems()
    check_duplicates([observation(ligne=2), observation(ligne=3, **other)], problems)
    assert not problems.items


def test_a_secret_and_a_missing_value_disagree():
    problems = Problems()
    check_duplicates([observation(ligne=2, valeur=None, statut="secret", valeur_publiee=""),
                      observation(ligne=3, valeur=None, statut="non_disponible",
                                  valeur_publiee="nd")], problems)
    (error,) = problems.errors
    assert error.ligne == 3


# --------------------------------------------------------------------------- check_future_years


def test_a_release_dated_after_this_year_is_an_error_per_file():
    problems = Problems()
    check_future_years([], [("data/raw/a/IPRO_2027.csv", 2027), ("data/raw/a/IPRO_2026.csv",
                                                                  2026)], 2026, problems)
    (error,) = problems.errors
    assert error.fichier == "data/raw/a/IPRO_2027.csv" and error.valeur == "2027"
    assert "publication datée de 2027" in error.message and "2026" in error.message


def test_figures_of_a_year_to_come_are_one_error_per_column_at_the_first_line():
    problems = Problems()
    check_future_years([observation(annee=2027, ligne=4, colonne="A"),
                        observation(annee=2027, ligne=2, colonne="A", code="QP092006"),
                        observation(annee=2027, ligne=3, colonne="B"),
                        observation(annee=2026, ligne=5, colonne="C")], [], 2026, problems)
    found = {(e.colonne, e.ligne, e.valeur): e.message for e in problems.errors}
    assert set(found) == {("A", 4, "2027"), ("B", 3, "2027")}  # first met, in file order
    assert "2 valeur(s) de « population »" in found[("A", 4, "2027")]
    assert "1 valeur(s)" in found[("B", 3, "2027")]


# --------------------------------------------------------------------------- frozen releases


def release(year: int, annee: int, values: dict[str, float], colonne: str = "POP_MUN",
            niveau: str = "qpv") -> list[Observation]:
    return [observation(fichier=f"data/raw/sig-ville-qpv2015/DEMO_{year}.csv", annee=annee,
                        code=code, valeur=value, colonne=colonne, niveau=niveau,
                        millesime=str(year), ligne=n)
            for n, (code, value) in enumerate(sorted(values.items()), start=2)]


SAME = {"QP092005": 5481.0, "QP092006": 1000.0}


def test_a_variable_repeated_for_every_quarter_keeps_its_earlier_year():
    problems = Problems()
    observations = release(2021, 2018, SAME) + release(2022, 2019, SAME)
    kept = drop_frozen_releases(observations, problems)
    assert {(o.fichier[-13:], o.annee) for o in kept} == {("DEMO_2021.csv", 2018)}
    (warning,) = problems.warnings
    assert warning.fichier.endswith("DEMO_2022.csv") and warning.colonne == "POP_MUN"
    assert "les 2 QPV" in warning.message
    assert "pas datées de 2019" in warning.message and "celles de 2018" in warning.message


def test_one_quarter_refreshed_is_enough_to_keep_the_release():
    problems = Problems()
    observations = release(2021, 2018, SAME) + release(2022, 2019, {**SAME, "QP092006": 1010})
    assert len(drop_frozen_releases(observations, problems)) == 4
    assert not problems.items


def test_a_single_quarter_is_too_little_evidence():
    problems = Problems()
    one = {"QP092005": 5481.0}
    assert len(drop_frozen_releases(release(2021, 2018, one) + release(2022, 2019, one),
                                    problems)) == 2
    assert not problems.items


def test_a_repeat_under_the_same_reference_year_is_said_but_kept():
    problems = Problems()
    observations = release(2019, 2013, SAME) + release(2020, 2013, SAME)
    assert len(drop_frozen_releases(observations, problems)) == 4
    (warning,) = problems.warnings
    assert "garde l'année de référence 2013 dans les deux publications" in warning.message


def test_only_quarters_of_identified_releases_are_compared():
    problems = Problems()
    levels = release(2021, 2018, SAME, niveau="commune") + release(2022, 2019, SAME,
                                                                   niveau="commune")
    unknown = [o._replace(fichier="data/raw/x/autre.csv") for o in
               release(2021, 2018, SAME) + release(2022, 2019, SAME)]
    assert len(drop_frozen_releases(levels + unknown, problems)) == 8
    assert not problems.items


def test_three_identical_releases_keep_the_first_year_in_every_warning():
    problems = Problems()
    observations = release(2019, 2016, SAME) + release(2020, 2017, SAME) \
        + release(2021, 2018, SAME)
    kept = drop_frozen_releases(observations, problems)
    assert {o.annee for o in kept} == {2016}  # both repeats are dropped
    last = next(w for w in problems.warnings if w.fichier.endswith("DEMO_2021.csv"))
    assert "celles de 2016" in last.message and "DEMO_2019.csv" in last.message
