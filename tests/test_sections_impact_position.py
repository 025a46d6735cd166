"""report/impact_position.py on hand-made comparison tables: the quarter's position among
QPV (the latest year published for all, the groups' medians, its change beside all QPV's
median change, « stable » within the source's noise), the committee's table and the
sentence of each axis. The national data (report/impact_data.ImpactData) is written by
hand: a few national values and, per indicator, its rows of comparaisons.csv."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from tests.helpers import indicator
from tests.sections_kit import COMMUNE_LEVEL, CONTRACT, NB, context, row, table_rows, text

from evalqpv.report.comparison_table import as_table
from evalqpv.report.impact_data import ImpactData
from evalqpv.report.impact_position import axis_position, position, position_summary

RATE = "demandeurs_pour_100_habitants"
INDICATORS = [
    indicator("pauvrete", "1.1", libelle="Taux de pauvreté", unite="pourcentage",
              sens="baisse"),
    indicator("demandeurs", "1.1", libelle="Demandeurs d'emploi", unite="nombre"),
    indicator("revenu", "1.1", libelle="Revenu médian", unite="euros"),
    indicator("petits", "1.1", libelle="Petit effectif", unite="nombre"),
    indicator("inconnu", "1.1", libelle="Pas publié pour tous", unite="pourcentage"),
    indicator("impact_emancipation", "2.1", libelle="Taux de réussite", axe="emancipation",
              type="impact", unite="pourcentage"),
]


def level(ind: str, annee: int, groupe: str, valeur: float, mediane: float,
          below: float = 50.0) -> dict[str, object]:
    return {"indicateur": ind, "annee": annee, "groupe": groupe, "effectif": 20,
            "valeur_quartier": valeur, "mediane_groupe": mediane, "part_inferieure": below}


def change(ind: str, debut: int, annee: int, own: float, median: float,
           measure: str) -> dict[str, object]:
    return {"indicateur": ind, "annee": annee, "annee_debut": debut, "groupe": "ensemble_qpv",
            "effectif": 20, "variation_quartier": own, "variation_mediane": median,
            "mesure_variation": measure}


TABLES = {
    "pauvrete": as_table([
        level("pauvrete", 2018, "ensemble_qpv", 31.0, 26.0, 75.0),  # an older year
        level("pauvrete", 2019, "ensemble_qpv", 30.2, 25.0, 70.0),
        level("pauvrete", 2019, "qpv_departement", 30.2, 20.0),
        change("pauvrete", 2017, 2019, 1.5, 0.4, "absolue"),
        change("pauvrete", 2018, 2019, -0.5, 0.2, "absolue")]),  # the latest: within 1 point
    RATE: as_table([
        level(RATE, 2020, "ensemble_qpv", 12.34, 10.0, 61.7),
        level(RATE, 2020, "qpv_comparables", 12.34, 11.26),
        change(RATE, 2019, 2020, 5.0, -1.2, "relative")]),  # beyond 3 %: not stable
    "revenu": as_table([level("revenu", 2019, "qpv_departement", 15000.0, 16000.0)]),
}


def data(tables: dict[str, pd.DataFrame] = TABLES) -> ImpactData:
    values = pd.DataFrame({
        "indicateur": ["demandeurs", "petits"], "code": ["QP092005", "QP092005"],
        "annee": [2020, 2020], "valeur": [749.0, 8.0]})  # 8: a small count, never ranked
    national = {"pauvrete": [2018, 2019], RATE: [2019, 2020], "revenu": [2019],
                "petits_pour_100_habitants": [2020]}
    return ImpactData(values, pd.DataFrame(), national, pd.DataFrame(), None, "", 90.0,
                      tables=dict(tables))


def ctx_of(tmp_path, report="synthese", messages=("pauvrete", "demandeurs", "revenu",
                                                  "petits", "inconnu"), rows=()):
    ctx = context(tmp_path, INDICATORS, rows, report=report,
                  contract=replace(CONTRACT, messages=messages))
    ctx.cache["impact"] = data()
    return ctx


def test_the_position_is_read_at_the_latest_year_published_for_all(tmp_path):
    ctx = ctx_of(tmp_path)
    pos = position(ctx, ctx.cache["impact"], ctx.referentiel["pauvrete"])
    assert pos is not None
    assert (pos.annee, pos.valeur, pos.below) == (2019, 30.2, 70.0)
    assert pos.medians == {"qpv_departement": 20.0, "qpv_comparables": None,
                           "ensemble_qpv": 25.0}
    # the latest change (2018-2019), not the longer one; 0,5 point is within the noise
    assert pos.change == (2018, 2019, f"-0,5{NB}point", f"+0,2{NB}point")
    assert pos.stable
    # not ranked among all QPV: no position
    assert position(ctx, ctx.cache["impact"], ctx.referentiel["revenu"]) is None


def test_the_committee_table_one_row_per_indicator_ranked(tmp_path):
    rows = table_rows(position_summary(ctx_of(tmp_path)))
    assert rows == [
        ["Taux de pauvreté (2019)", f"30,2{NB}%", f"20,0{NB}%", "–", f"25,0{NB}%", f"70{NB}%",
         f"2018-2019 : quartier stable (-0,5{NB}point), évolution médiane +0,2{NB}point"],
        # a count as its rate per 100 inhabitants; a relative change of its rate
        ["Demandeurs d'emploi pour 100 habitants (2020)", "12,3", "–", "11,3", "10,0",
         f"62{NB}%", f"2019-2020 : quartier +5,0{NB}%, évolution médiane -1,2{NB}%"]]
    # not ranked (no row for all QPV), a small count, one not published for all: absent


def test_nothing_to_rank_is_said_in_french(tmp_path):
    ctx = ctx_of(tmp_path, messages=("revenu", "petits", "inconnu"))
    assert text(position_summary(ctx)) == (
        "Aucun indicateur publié pour l'ensemble des quartiers prioritaires ne permet de "
        "situer le quartier parmi eux.")


def test_the_axis_sentence_with_the_commune_figure(tmp_path):
    rows = [row("pauvrete", 2019, 12.5, level=COMMUNE_LEVEL),
            row("pauvrete", 2020, 13.0, level=COMMUNE_LEVEL)]
    ctx = ctx_of(tmp_path, report="emploi", rows=rows)
    assert axis_position(ctx, "emploi") == (
        f"taux de pauvreté : 30,2{NB}% en 2019 (Châtenay-Malabry : 12,5{NB}%) ; médiane des "
        f"QPV du département 20,0{NB}%, de tous les QPV 25,0{NB}% ; de 2018 à 2019, quartier "
        f"stable (-0,5{NB}point), évolution médiane de tous les QPV +0,2{NB}point")
    printed = ctx_of(tmp_path, report="emploi",
                     rows=[row("pauvrete", 2019, 12.5, level=COMMUNE_LEVEL, origine="contrat")])
    assert f"(Châtenay-Malabry : 12,5{NB}%, chiffre du contrat)" in axis_position(printed,
                                                                                 "emploi")


def test_the_axis_sentence_of_a_rate_per_100_inhabitants_has_no_commune_figure(tmp_path):
    rows = [row("demandeurs", 2020, 2000.0, level=COMMUNE_LEVEL)]
    ctx = ctx_of(tmp_path, report="emploi", messages=("demandeurs",), rows=rows)
    assert axis_position(ctx, "emploi") == (
        "demandeurs d'emploi pour 100 habitants : 12,3 en 2020 ; médiane des QPV comparables "
        f"11,3, de tous les QPV 10,0 ; de 2019 à 2020, quartier +5,0{NB}%, évolution médiane "
        f"de tous les QPV -1,2{NB}%")


@pytest.mark.parametrize("messages", [("pauvrete",), ()])
def test_an_axis_without_ranked_indicator_has_no_sentence(tmp_path, messages):
    # the emancipation axis: the contract is about no indicator of it, and its impact
    # indicator is not published for all QPV
    assert axis_position(ctx_of(tmp_path, report="emancipation", messages=messages),
                         "emancipation") is None
