"""The section placing the quarter among QPV: the starting situation until a series of
the contract period is published for all QPV, then the contract period against its
counterfactual; counts compared as rates, figures of one quarter never ranked."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from evalqpv.referentiel import Indicator
from evalqpv.report import counterfactual as cf
from evalqpv.report.counterfactual import periods as _periods
from evalqpv.report.impact_data import compared as compared_indicator
from evalqpv.report.impact_sections import IMPACT_TITLE, STARTING_TITLE, contract_period


def indicator(id_: str, unite: str = "pourcentage") -> Indicator:
    return Indicator(id_, id_.capitalize(), "emploi", "1.1", "", "impact", unite, "baisse",
                     "France Travail, Dares", "", "", "annuelle", "", "", None, "", None,
                     None, "", None, "", "", "")


def test_changes_before_the_contract_then_since_its_last_year_before():
    assert _periods([2013, 2016, 2018], 2024) == [(2013, 2018)]
    assert _periods([2019, 2022, 2025], 2024) == [(2019, 2022), (2022, 2025)]
    assert _periods([2018], 2024) == []
    assert _periods([2024, 2025], 2024) == []  # nothing before the contract to start from


def test_impact_only_once_a_series_reaches_the_contract():
    ctx = SimpleNamespace(contract=SimpleNamespace(debut=2024))
    before = SimpleNamespace(national={"x": [2016, 2020]})
    after = SimpleNamespace(national={"x": [2016, 2020, 2024]})
    assert not contract_period(ctx, before, [indicator("x")])  # type: ignore[arg-type]
    assert contract_period(ctx, after, [indicator("x")])  # type: ignore[arg-type]
    assert STARTING_TITLE.startswith("Situation de départ") and IMPACT_TITLE.startswith(
        "Impact")


def test_a_count_is_placed_as_its_rate_and_the_population_never():
    data = SimpleNamespace(national={"de" + cf.RATE_SUFFIX: [2020], "taux": [2019],
                                     "population" + cf.RATE_SUFFIX: [2018]})
    rate = compared_indicator(None, data, indicator("de", "nombre"))  # type: ignore[arg-type]
    assert rate is not None and rate.id == "de" + cf.RATE_SUFFIX
    assert rate.unite == cf.RATE_UNIT and rate.libelle == "De pour 100 habitants"
    taux = indicator("taux")
    assert compared_indicator(None, data, taux) is taux  # type: ignore[arg-type]
    assert compared_indicator(None, data,  # type: ignore[arg-type]
                              indicator("population", "nombre")) is None
    # a count published for the quarter only (a partner's) has no rate among QPV
    assert compared_indicator(None, data,  # type: ignore[arg-type]
                              replace(indicator("cpam", "nombre"))) is None
