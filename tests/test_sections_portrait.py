"""report/portrait.py on a hand-made context: the contract's section I tables (each
printed figure beside the published one, the differences flagged) and the quarter's
figures year by year."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    COMMUNE_LEVEL,
    CONTRACT,
    NB,
    context,
    row,
    table_rows,
    text,
)

from evalqpv.contract_settings import PortraitTable
from evalqpv.report.portrait import section_i_tables, time_series_table

PRINTED, PUBLISHED, BOTH = "contrat", "publication", "publication et contrat"


def ctx_of(tmp_path, indicators, rows):
    contract = replace(CONTRACT, portrait=(PortraitTable(
        "Tableau 1 : population", ("qpv", "commune", "region"),
        tuple(i.id for i in indicators)),))
    return context(tmp_path, indicators, rows, contract=contract, report="synthese")


def ctx_ind(ind_id: str, libelle: str, unite: str, annee: int | None = None):
    return indicator(ind_id, "I", libelle=libelle, axe="contexte", type="contexte",
                     unite=unite, annee_reference=annee)


INDICATORS = [ctx_ind("population", "Population", "nombre", 2018),
              ctx_ind("pauvrete", "Taux de pauvreté", "pourcentage", 2019),
              ctx_ind("chomage", "Taux de chômage", "pourcentage", 2020),
              ctx_ind("revenu", "Revenu médian", "euros")]
ROWS = [
    # the same figure printed and published
    row("population", 2018, 5481.0, origine=PRINTED),
    row("population", 2018, 5481.0, origine=PUBLISHED),
    row("population", 2018, 34170.0, origine=BOTH, level=COMMUNE_LEVEL),
    # printed 29,9 %, published 30,2 %: flagged
    row("pauvrete", 2019, 29.9, origine=PRINTED),
    row("pauvrete", 2019, 30.2, origine=PUBLISHED),
    row("pauvrete", 2019, 12.5, origine=PUBLISHED, level=COMMUNE_LEVEL),
    # printed for 2020, published in 2019 and 2021 only: the closest, the later on a tie
    row("chomage", 2020, 20.0, origine=PRINTED),
    row("chomage", 2019, 19.0, origine=PUBLISHED),
    row("chomage", 2021, 21.0, origine=PUBLISHED),
    row("chomage", 2020, 10.0, origine=PRINTED, level=COMMUNE_LEVEL),
]


def test_each_printed_figure_is_set_beside_the_published_one(tmp_path):
    fragment = section_i_tables(ctx_of(tmp_path, INDICATORS, ROWS))
    rows = {r[0]: r[1:] for r in table_rows(fragment)}
    # columns: year, quarter, commune, region (not a level of this territory)
    assert rows["Population"] == ["2018", f"5{NB}481 = publié", f"34{NB}170 = publié", "–"]
    assert rows["Taux de pauvreté"] == ["2019", f"29,9{NB}% ≠ publié : 30,2{NB}%",
                                        f"12,5{NB}%", "–"]
    assert rows["Taux de chômage"] == [
        "2020", f"20,0{NB}% non publié pour 2020 (publié : 21,0{NB}% en 2021)",
        f"10,0{NB}% non publié", "–"]
    assert rows["Revenu médian"] == ["–", "–", "–", "–"]  # no reference year
    assert "Tableau 1 : population" in text(fragment)


def test_the_differences_are_counted_in_french(tmp_path):
    one = text(section_i_tables(ctx_of(tmp_path, INDICATORS, ROWS)))
    assert "1 écart est signalé." in one
    two = text(section_i_tables(ctx_of(tmp_path, INDICATORS, [
        *ROWS, row("population", 2018, 34000.0, origine=PUBLISHED, level=COMMUNE_LEVEL,
                   millesime="2026")])))
    # the commune's published figure of 2018 is now 34 000 (a later release)
    assert "2 écarts sont signalés." in two
    none = text(section_i_tables(ctx_of(tmp_path, INDICATORS[:1], ROWS[:3])))
    assert "écart" not in none


@pytest.fixture
def series_ctx(tmp_path):
    rows = [row("population", 2018, 5481.0, origine=PRINTED),
            row("population", 2020, 5600.0),
            row("population", 2026, 5700.0),  # after the evaluated year: not shown
            row("pauvrete", 2020, None, statut="secret"),
            row("pauvrete", 2021, 29.94)]
    return context(tmp_path, INDICATORS, rows, report="synthese")


def test_time_series_year_by_year_contract_figures_said_so(series_ctx):
    fragment = time_series_table(series_ctx)
    assert table_rows(fragment) == [
        ["Population", f"5{NB}481 (contrat)", f"5{NB}600", ""],
        ["Taux de pauvreté", "", "secret", f"29,9{NB}%"]]  # a secret value is never 0
    shown = text(fragment)
    assert "Indicateur 2018 2020 2021 " in shown and "2026" not in shown
    assert "Cité Jardins : valeurs par année de référence" in shown


def test_time_series_of_chosen_indicators_in_their_order(series_ctx):
    rows = table_rows(time_series_table(series_ctx, ("pauvrete", "population")))
    assert [r[0] for r in rows] == ["Taux de pauvreté", "Population"]
