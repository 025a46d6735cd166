"""report/loading.py on the small hand-written project (tests/conftest.py `mini`, whose
quarter has figures for 2018 to 2020): the parameters a notebook receives checked with a
French message, the defaults, and the rows loaded."""

from __future__ import annotations

from datetime import date

import pytest

from evalqpv.report.loading import prepare
from evalqpv.store.build import build
from evalqpv.territory import ParameterError

FIRST = 2018  # the mini project's first year with a figure on the quarter
LAST = 2020


@pytest.fixture
def built(mini):
    assert build(mini).ok
    return mini


def refused(*args: object) -> str:
    with pytest.raises(ParameterError) as raised:
        prepare(*args)
    return str(raised.value)


def test_an_unknown_report_is_refused_before_anything_is_read(tmp_path):
    assert refused(2025, "QP092005", "bilan", tmp_path) == (
        "Rapport inconnu : « bilan ». Attendu : contexte, emancipation, emploi, tranquillite, "
        "transition, synthese, annexes, partenaire.")


def test_a_year_not_written_with_four_digits_is_refused(built):
    assert refused("20x5", "QP092005", "emploi", built.root) == (
        "Paramètre « annee » invalide : « 20x5 ». Attendu : une année sur quatre chiffres, "
        "par exemple 2025.")


def test_a_year_outside_the_data_and_the_contract_is_refused(built):
    # from the first year with data to the contract's last year begun (2030 at most)
    upper = max(LAST, min(2030, date.today().year))
    for year in (FIRST - 1, upper + 1):
        assert refused(year, "QP092005", "emploi", built.root) == (
            f"Aucune donnée pour l'année {year} sur ce territoire (années possibles : {FIRST} "
            f"à {upper}). Déposez les données de {year} dans data/raw/ puis relancez "
            "`make construire`, ou choisissez une année possible.")
    assert prepare(f" {FIRST} ", "QP092005", "emploi", built.root).annee == FIRST


def test_an_unknown_quarter_is_refused_naming_those_known(built):
    assert refused(2019, "QP092998", "emploi", built.root) == (
        "Quartier inconnu : « QP092998 » n'est dans aucun fichier des bases QPV déposé dans "
        "data/raw/. Quartiers connus dans ce département : QP092005.")


def test_empty_parameters_are_the_contract_quarter_and_the_year_evaluated(built):
    ctx = prepare("", None, "emploi", built.root)
    assert ctx.territory.code == "QP092005" and ctx.own_contract
    # the contract's 2024 perimeter is a level of its own, not a comparator
    assert ctx.territory.other_geography is not None
    assert ctx.territory.other_geography.code == "QN09204M"
    assert "QN09204M" not in {lv.code for lv in ctx.territory.comparators}
    # the contract's last elapsed year (2023, its baseline, before it began; 2030 at most)
    today = date.today().year
    assert ctx.annee == max(FIRST, max(2023, min(2030, today - 1)))
    assert ctx.report == "emploi"


def test_only_the_rows_of_the_quarter_and_its_comparison_levels_are_loaded(built):
    ctx = prepare(2019, "QP092005", "emploi", built.root)
    wanted = {(lv.niveau, lv.code) for lv in ctx.territory.local_and_comparators}
    wanted.add(("ensemble_qpv", "ENSEMBLE_QPV_92"))
    loaded = set(zip(ctx.store["niveau"], ctx.store["code"], strict=True))
    assert loaded and loaded <= wanted
    assert ("qpv", "QP092999") not in loaded  # in the raw file, not a level of this report
    assert list(ctx.store.index) == list(range(len(ctx.store)))


def test_a_configuration_with_errors_is_refused(built):
    (built.root / "config" / "objectifs.csv").write_text("section,ligne\n1.1,1\n",
                                                         encoding="utf-8")
    assert refused(2019, "QP092005", "emploi", built.root) == (
        "La configuration contient des erreurs : lancez `make construire` et lisez "
        "data/processed/validation.md.")
