"""Tests of counterfactual.py on hand-made data whose answers are worked out by hand.

Every expected number is computed in the test (or in its comment) from the data written
here; none is copied from the program's output. The last tests read the real store when
it exists and compare with figures counted independently (csv module / awk, see the
module's METHODS.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalqpv import frenchnumbers as fn
from evalqpv.report import counterfactual as cf
from evalqpv.vocabulary import (
    ORIGINE_CONTRAT,
    ORIGINE_PARTENAIRE,
    ORIGINE_PUBLICATION,
    ORIGINE_PUBLICATION_CONTRAT,
)

NBSP = "\u00a0"


# --------------------------------------------------------------------------- helpers

def row(indicateur: str, code: str, annee: int, valeur: object, *, statut: str = "valeur",
        niveau: str = "qpv", geographie: str = "qpv2015", millesime: str = "2020",
        conflit: str = "") -> dict[str, str]:
    """One store row, as strings, like observations.csv."""
    return {"indicateur": indicateur, "niveau": niveau, "code": code,
            "geographie": geographie, "annee": str(annee),
            "valeur": "" if valeur is None else str(valeur), "statut": statut,
            "millesime": millesime, "source": "s", "fichier": "f.csv", "ligne": "1",
            "conflit": conflit}


def store(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def values_of(data: dict[tuple[str, int], dict[str, float]]) -> pd.DataFrame:
    """{(indicator, year): {code: value}} -> cleaned values."""
    rows = [row(ind, code, year, v) for (ind, year), d in data.items() for code, v in d.items()]
    return cf.clean_observations(store(rows))


def territories(spec: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """{code: (departement, region)} -> a territoires.csv-like table."""
    return pd.DataFrame([
        {"code_qpv": code, "libelle_qpv": f"Quartier {code[-3:]}", "communes": "",
         "libelles_communes": f"Commune {dep}", "epci": "", "libelle_epci": "",
         "departement": dep, "libelle_departement": "", "region": reg, "libelle_region": ""}
        for code, (dep, reg) in spec.items()])


# Seven QPV in three départements and two regions, indicator "x".
TERR = territories({
    "QP001001": ("01", "84"), "QP001002": ("01", "84"), "QP001003": ("01", "84"),
    "QP001004": ("01", "84"), "QP002001": ("02", "84"),
    "QP075001": ("75", "11"), "QP075002": ("75", "11"),
})
X2020 = {"QP001001": 10, "QP001002": 20, "QP001003": 20, "QP001004": 30, "QP002001": 40,
         "QP075001": 5, "QP075002": 50}
X2021 = {"QP001001": 12, "QP001003": 22, "QP001004": 33, "QP002001": 41, "QP075001": 6,
         "QP075002": 48}                                   # QP001002 absent in 2021
X2022 = {"QP001002": 25, "QP001003": 24, "QP001004": 35, "QP002001": 41, "QP075001": 6,
         "QP075002": 48}                                   # QP001001 absent in 2022
VALUES = values_of({("x", 2020): X2020, ("x", 2021): X2021, ("x", 2022): X2022})


def by_group(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {r["groupe"]: r for _, r in table.iterrows()}


# --------------------------------------------------------------------------- cleaning

def test_latest_millesime_of_a_merged_row():
    assert cf.latest_millesime("2021 | 2017") == "2021"
    assert cf.latest_millesime("2017 | 2018") == "2018"
    assert cf.latest_millesime("2019") == "2019"
    assert cf.latest_millesime("") == ""


def test_only_published_numbers_of_qpv2015_enter():
    rows = [
        row("x", "QP001001", 2020, 1.5),
        row("x", "QP001002", 2020, None, statut="secret"),
        row("x", "QP001003", 2020, 95, statut="borne_inf"),
        row("x", "QP001004", 2020, "inf"),
        row("x", "QP001005", 2020, "nan"),
        row("x", "QP001006", 2020, ""),
        row("x", "QN001001", 2020, 3, geographie="qpv2024"),
        row("x", "01053", 2020, 4, niveau="commune", geographie=""),
        row("x", "ENSEMBLE_QPV", 2020, 5, niveau="ensemble_qpv"),
    ]
    out = cf.clean_observations(store(rows))
    assert out["code"].tolist() == ["QP001001"]
    assert out["valeur"].tolist() == [1.5]
    assert out["annee"].tolist() == [2020]


def test_conflict_keeps_the_latest_millesime_even_inside_a_merged_row():
    rows = [
        row("x", "QP001001", 2020, 10, millesime="2019", conflit="oui"),
        row("x", "QP001001", 2020, 11, millesime="2021", conflit="oui"),
        # a naive string compare would say "2019" > "2018 | 2020"; the merged row is 2020
        row("x", "QP001002", 2020, 20, millesime="2019", conflit="oui"),
        row("x", "QP001002", 2020, 22, millesime="2018 | 2020", conflit="oui"),
    ]
    out = cf.clean_observations(store(rows)).set_index("code")["valeur"]
    assert out["QP001001"] == 11
    assert out["QP001002"] == 22


def test_cleaning_does_not_depend_on_row_order():
    rows = [row("x", f"QP001{i:03d}", 2020, i, millesime=m, conflit="oui")
            for i in range(20) for m in ("2019", "2021")]
    rows += [row("x", "QP009001", 2020, 1, millesime="2021"),
             row("x", "QP009001", 2020, 2, millesime="2021")]   # equal millesimes
    first = cf.clean_observations(store(rows))
    shuffled = cf.clean_observations(store(rows).sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(first, shuffled)


def test_national_years_leave_out_a_contract_only_year():
    data = {("x", 2018): {f"QP001{i:03d}": i for i in range(10)},
            ("x", 2019): {"QP001001": 5.0}}
    vals = values_of(data)
    assert cf.national_years(vals) == {"x": [2018]}
    cov = cf.coverage(vals)
    assert cov["effectif"].tolist() == [10, 1]


def test_national_years_of_every_indicator_at_once():
    data = {("x", 2018): {f"QP001{i:03d}": i for i in range(10)},
            ("x", 2019): {"QP001001": 5.0},
            ("y", 2017): {f"QP001{i:03d}": i for i in range(4)},
            ("y", 2020): {f"QP001{i:03d}": i for i in range(2)}}
    vals = values_of(data)
    assert cf.national_years(vals) == {"x": [2018], "y": [2017, 2020]}
    assert cf.national_years(vals, min_share=0.6) == {"x": [2018], "y": [2017]}
    assert cf.national_years(vals.iloc[0:0]) == {}


# --------------------------------------------------------------------------- position

def test_group_statistics_ties_share_the_minimum_rank():
    values = pd.Series({"a": 50.0, "b": 20.0, "q": 20.0, "c": 10.0})
    stats = cf.group_statistics(values, "q")
    # one value strictly higher -> rank 2 for both 20s; one strictly lower -> 1/4
    assert stats.rang == 2
    assert cf.group_statistics(values, "b").rang == 2
    assert stats.part_inferieure == 25.0
    assert stats.part_superieure == 25.0
    assert stats.mediane == 20.0
    assert stats.effectif == 4


def test_median_of_the_comparables_leaves_the_quarter_out():
    # the quarter (90) beside four neighbours 10 20 30 40: their median is 25, not 30
    values = pd.Series({"q": 90.0, "a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0})
    assert cf.group_statistics(values, "q", median_of_others=True).mediane == 25.0
    assert cf.group_statistics(values, "q").mediane == 30.0
    # rank and shares still place the quarter within the five
    assert cf.group_statistics(values, "q", median_of_others=True).part_inferieure == 80.0


def test_group_of_one():
    stats = cf.group_statistics(pd.Series({"q": 7.0}), "q")
    assert (stats.effectif, stats.rang, stats.part_inferieure, stats.mediane) \
        == (1, 1, 0.0, 7.0)


def test_highest_of_ten_distinct_values():
    stats = cf.group_statistics(pd.Series({f"c{i}": float(i) for i in range(10)}), "c9")
    assert stats.rang == 1
    assert stats.part_inferieure == 90.0


def test_position_in_each_group():
    table = cf.position_rows(VALUES, TERR, "QP001002", "x", [2020])
    g = by_group(table)
    assert list(g) == ["ensemble_qpv", "qpv_region", "qpv_departement"]
    # all: 50 40 30 20 20 10 5 -> 3 higher (rank 4), 2 lower (2/7), median 20
    assert (g["ensemble_qpv"]["effectif"], g["ensemble_qpv"]["rang"]) == (7, 4)
    assert g["ensemble_qpv"]["part_inferieure"] == pytest.approx(200 / 7)
    assert g["ensemble_qpv"]["mediane_groupe"] == 20
    # region 84: 40 30 20 20 10 -> rank 3, 1 lower of 5
    assert (g["qpv_region"]["effectif"], g["qpv_region"]["rang"]) == (5, 3)
    assert g["qpv_region"]["part_inferieure"] == 20.0
    # département 01: 30 20 20 10 -> rank 2, 1 lower of 4, median (20 + 20) / 2
    assert (g["qpv_departement"]["effectif"], g["qpv_departement"]["rang"]) == (4, 2)
    assert g["qpv_departement"]["part_inferieure"] == 25.0
    assert g["qpv_departement"]["mediane_groupe"] == 20.0
    assert (table["valeur_quartier"] == 20).all()
    assert table["annee_debut"].isna().all()
    assert table["variation_quartier"].isna().all()


def test_quarter_absent_one_year_gives_no_row_that_year():
    table = cf.position_rows(VALUES, TERR, "QP001002", "x")
    assert sorted(set(table["annee"])) == [2020, 2022]


def test_qpv_absent_one_year_is_not_in_that_years_group():
    table = cf.position_rows(VALUES, TERR, "QP001002", "x", [2022])
    dep = by_group(table)["qpv_departement"]
    # 2022, département 01 without QP001001: 35, 25 (quarter), 24
    assert dep["effectif"] == 3
    assert dep["rang"] == 2
    assert dep["part_inferieure"] == pytest.approx(100 / 3)
    assert by_group(table)["ensemble_qpv"]["effectif"] == 6


def test_alone_in_its_departement_is_not_ranked_there():
    """A group of one is never ranked: no row, no « 1 of 1 »."""
    table = cf.position_rows(VALUES, TERR, "QP002001", "x", [2020])
    assert set(table["groupe"]) == {"ensemble_qpv", "qpv_region"}
    changes = cf.change_rows(VALUES, TERR, "QP002001", "x", 2020, 2021)
    assert "qpv_departement" not in set(changes["groupe"])
    with pytest.raises(ValueError, match="réduit au quartier"):
        cf.position_sentence("Q", 2020, "qpv_departement", 1, 40.0, 0.0, 0.0, sens="neutre",
                             unite="nombre")


def test_a_minimum_group_size_leaves_small_groups_out():
    # département 01 has 4 QPV with a value in 2020, the region 84 five, all QPV seven
    table = cf.position_rows(VALUES, TERR, "QP001002", "x", [2020], minimum=5)
    assert list(by_group(table)) == ["ensemble_qpv", "qpv_region"]
    assert cf.position_rows(VALUES, TERR, "QP001002", "x", [2020], minimum=8).empty
    # 2020-2021: QP001002 misses 2021, so region 84 has 4 QPV with both years
    # (QP001001, 003, 004, 002001) and all QPV 6: only « all QPV » is ranked
    changes = cf.change_rows(VALUES, TERR, "QP001003", "x", 2020, 2021, minimum=5)
    assert list(by_group(changes)) == ["ensemble_qpv"]


def test_comparables_group_counts_the_quarter():
    table = cf.position_rows(VALUES, TERR, "QP001002", "x", [2020],
                             comparables=["QP001001", "QP075002"])
    comp = by_group(table)["qpv_comparables"]
    # 50, 20 (quarter), 10 -> 3 QPV, rank 2, 1 lower
    assert (comp["effectif"], comp["rang"]) == (3, 2)
    assert comp["part_inferieure"] == pytest.approx(100 / 3)


def test_quarter_missing_from_territories_is_said_in_french():
    with pytest.raises(ValueError, match="n'est pas dans la table des territoires"):
        cf.position_rows(VALUES, TERR[TERR["code_qpv"] != "QP001002"], "QP001002", "x")


# --------------------------------------------------------------------------- sentences

def test_sentence_follows_the_desired_direction():
    # ten QPV with 10, 20, ..., 100; the quarter has 20 (2nd lowest)
    values = values_of({("taux_pauvrete", 2019): {f"QP001{i:03d}": 10.0 * i
                                                  for i in range(1, 11)}})
    terr = territories({f"QP001{i:03d}": ("01", "84") for i in range(1, 11)})
    low = cf.position_rows(values, terr, "QP001002", "taux_pauvrete", sens="baisse",
                           unite="pourcentage")
    text = by_group(low)["ensemble_qpv"]["lecture"]
    # QPV at least as little poor: 10 and 20 -> 2 of 10 = 20 %
    assert f"parmi les 20{NBSP}% de QPV les moins pauvres" in text
    assert f"(20,0{NBSP}%)" in text
    high = cf.position_rows(values, terr, "QP001009", "taux_pauvrete", sens="baisse",
                            unite="pourcentage")
    # 90 and 100 are at least as poor -> 2 of 10
    assert f"parmi les 20{NBSP}% de QPV les plus pauvres" in \
        by_group(high)["ensemble_qpv"]["lecture"]
    # the same figure for a rate whose rise is wanted reads the other way round
    up = cf.position_rows(values, terr, "QP001002", "taux_pauvrete", sens="hausse",
                          unite="pourcentage", qualificatifs=("les mieux", "les moins bien"))
    assert f"parmi les 20{NBSP}% de QPV du département les moins bien" in \
        by_group(up)["qpv_departement"]["lecture"]


def test_neutral_sentence_says_above():
    values = values_of({("population", 2018): {f"QP001{i:03d}": 1000.0 * i
                                               for i in range(1, 11)}})
    terr = territories({f"QP001{i:03d}": ("01", "84") for i in range(1, 11)})
    table = cf.position_rows(values, terr, "QP001007", "population", sens="neutre")
    text = by_group(table)["qpv_region"]["lecture"]
    # 6 of 10 strictly lower; 7000 printed with a no-break space
    assert text == (f"En 2018, Quartier 007 (7{NBSP}000) est au-dessus de 60{NBSP}% des QPV "
                    f"de la région (10{NBSP}QPV comparés).")


def test_french_numbers_of_the_sentences():
    assert fn.share(100 * 4 / 21) == f"19{NBSP}%"
    assert fn.share(100 * 1 / 21) == f"4,8{NBSP}%"
    assert fn.change(-0.2, "pourcentage") == f"-0,2{NBSP}point"
    assert fn.change(2.6, "pourcentage") == f"+2,6{NBSP}points"
    assert fn.change(-12.345, "nombre", relative=True) == f"-12,3{NBSP}%"
    assert fn.change(35, "nombre") == "+35"
    assert fn.change(-0.04, "pourcentage") == f"0,0{NBSP}point"


# --------------------------------------------------------------------------- change

PLANTED_TERR = territories({f"QP010{i:03d}": ("10", "44") for i in range(10)})


def planted(step: float) -> pd.DataFrame:
    """Ten QPV, all at 50 in 2015, moving by step x i (i = 0..9) by 2019."""
    return values_of({("x", 2015): {f"QP010{i:03d}": 50.0 for i in range(10)},
                      ("x", 2019): {f"QP010{i:03d}": 50.0 + step * i for i in range(10)}})


def test_planted_largest_rise_is_recovered():
    table = cf.change_rows(planted(1.0), PLANTED_TERR, "QP010009", "x", 2015, 2019,
                           sens="hausse", unite="pourcentage")
    g = by_group(table)["ensemble_qpv"]
    assert g["effectif"] == 10
    assert g["variation_quartier"] == 9
    assert g["part_variation_inferieure"] == 90.0        # changes 0..8 are strictly lower
    assert g["rang_variation"] == 1
    assert g["variation_mediane"] == 4.5                 # (4 + 5) / 2
    assert g["ecart_variation"] == 4.5
    assert g["annee_debut"] == 2015 and g["annee"] == 2019
    assert g["valeur_debut_quartier"] == 50 and g["valeur_quartier"] == 59
    assert f"plus forte hausse que 90{NBSP}% des QPV, dans le sens souhaité" in g["lecture"]
    assert f"écart d'évolution : +4,5{NBSP}points" in g["lecture"]


def test_planted_largest_fall_reads_as_a_fall():
    table = cf.change_rows(planted(-1.0), PLANTED_TERR, "QP010009", "x", 2015, 2019,
                           sens="baisse", unite="pourcentage")
    g = by_group(table)["qpv_departement"]
    assert g["part_variation_inferieure"] == 0.0
    assert g["part_variation_superieure"] == 90.0
    assert g["rang_variation"] == 10
    assert f"plus forte baisse que 90{NBSP}% des QPV du département, dans le sens souhaité" \
        in g["lecture"]
    worse = cf.change_rows(planted(-1.0), PLANTED_TERR, "QP010009", "x", 2015, 2019,
                           sens="hausse", unite="pourcentage")
    assert "à l'inverse du sens souhaité" in by_group(worse)["ensemble_qpv"]["lecture"]


def test_ordinary_change_is_in_the_average():
    table = cf.change_rows(planted(1.0), PLANTED_TERR, "QP010004", "x", 2015, 2019,
                           sens="hausse", unite="pourcentage")
    text = by_group(table)["ensemble_qpv"]["lecture"]
    assert f"évolution dans la moyenne des QPV (40{NBSP}% ont une évolution plus faible)" in text


def test_change_ties_are_not_split_by_float_noise():
    # 31.4 - 30.1 and 25.3 - 24.0 are both 1.3 on paper, not in binary floats
    assert 31.4 - 30.1 != 25.3 - 24.0
    vals = values_of({("x", 2016): {"QP001001": 30.1, "QP001002": 24.0, "QP001003": 10.0},
                      ("x", 2019): {"QP001001": 31.4, "QP001002": 25.3, "QP001003": 10.0}})
    terr = territories({"QP001001": ("01", "84"), "QP001002": ("01", "84"),
                        "QP001003": ("01", "84")})
    a = by_group(cf.change_rows(vals, terr, "QP001001", "x", 2016, 2019))["ensemble_qpv"]
    b = by_group(cf.change_rows(vals, terr, "QP001002", "x", 2016, 2019))["ensemble_qpv"]
    # changes 1.3, 1.3, 0 -> both rank 1, one strictly lower of three
    assert a["rang_variation"] == b["rang_variation"] == 1
    assert a["part_variation_inferieure"] == b["part_variation_inferieure"]
    assert a["part_variation_inferieure"] == pytest.approx(100 / 3)


def test_relative_change_leaves_out_a_zero_start():
    vals = values_of({("n", 2016): {"QP001001": 200, "QP001002": 100, "QP001003": 0},
                      ("n", 2020): {"QP001001": 150, "QP001002": 110, "QP001003": 5}})
    out = cf.variations(vals, "n", 2016, 2020, "relative")
    # 150/200 - 1 = -25 % ; 110/100 - 1 = +10 % ; QP001003 started at 0
    assert out["variation"].to_dict() == {"QP001001": -25.0, "QP001002": pytest.approx(10.0)}


def test_gap_between_percent_changes_reads_in_points():
    text = cf.change_sentence("Q", 2016, 2019, "qpv_comparables", 11, -6.2, 1.2, 9.1, 81.8,
                              sens="baisse", unite="nombre", variation="relative")
    # -6,2 % against +1,2 %: a gap of 7,4 points, not "-7,4 %"
    assert text == (f"Entre 2016 et 2019, Q : -6,2{NBSP}%, contre +1,2{NBSP}% pour la médiane "
                    f"des QPV comparables (écart d'évolution : -7,4{NBSP}points) ; plus forte "
                    f"baisse que 81,8{NBSP}% des QPV comparables, dans le sens souhaité.")


def test_change_only_counts_qpv_with_both_years():
    table = cf.change_rows(VALUES, TERR, "QP001003", "x", 2020, 2022)
    dep = by_group(table)["qpv_departement"]
    # département 01 with both 2020 and 2022: QP001002 (+5), QP001003 (+4), QP001004 (+5)
    assert dep["effectif"] == 3
    assert dep["variation_quartier"] == 4
    assert dep["part_variation_inferieure"] == 0.0
    assert dep["variation_mediane"] == 5
    # the level statistics use the same three QPV: 35, 25, 24 -> rank 3
    assert dep["rang"] == 3


def test_no_change_row_when_the_quarter_misses_an_end():
    assert cf.change_rows(VALUES, TERR, "QP001002", "x", 2020, 2021).empty
    assert cf.change_rows(VALUES, TERR, "QP001001", "x", 2021, 2022).empty


def test_period_must_go_forward():
    with pytest.raises(ValueError, match="doit précéder"):
        cf.variations(VALUES, "x", 2022, 2020)


def test_no_sentence_speaks_of_an_effect():
    table = cf.impact_table(planted(1.0), PLANTED_TERR, "QP010009", "x", None, [(2015, 2019)],
                            comparables=["QP010001", "QP010002"], sens="hausse",
                            unite="pourcentage")
    assert not table["lecture"].str.contains("effet", case=False).any()


# --------------------------------------------------------------------------- table, CSV

def test_impact_table_has_the_required_columns_and_order():
    table = cf.impact_table(VALUES, TERR, "QP001002", "x", [2020, 2022], [(2020, 2022)],
                            comparables=["QP001003"])
    required = ["indicateur", "annee", "annee_debut", "groupe", "effectif", "valeur_quartier",
                "rang", "part_inferieure", "mediane_groupe", "variation_quartier",
                "variation_mediane", "part_variation_inferieure"]
    assert list(table.columns[:len(required)]) == required
    keys = list(zip(table["annee"], table["annee_debut"].fillna(0), table["groupe"],
                    strict=True))
    groups = list(cf.GROUPS)
    assert keys == [(2020, 0, g) for g in groups] + [(2022, 0, g) for g in groups] \
        + [(2022, 2020, g) for g in groups]
    level = table[table["annee_debut"].isna()]
    assert level["variation_quartier"].isna().all()
    assert level["part_variation_inferieure"].isna().all()
    assert table[table["annee_debut"].notna()]["variation_quartier"].notna().all()


def test_csv_text_is_exact_and_order_free():
    vals = values_of({("x", 2019): {"QP001001": 10, "QP001002": 20, "QP001003": 30},
                      ("x", 2020): {"QP001001": 10, "QP001002": 25, "QP001003": 30}})
    terr = territories({"QP001001": ("01", "84"), "QP001002": ("01", "84"),
                        "QP001003": ("02", "84")})
    table = cf.impact_table(vals, terr, "QP001002", "x", [2019], [(2019, 2020)])
    cols = ["indicateur", "annee", "annee_debut", "groupe", "effectif", "valeur_quartier",
            "rang", "part_inferieure", "mediane_groupe", "variation_quartier",
            "variation_mediane", "part_variation_inferieure"]
    # 2019: 30 20 10 -> rank 2, 1/3 lower (33.333333), median 20; département 01: 20 10.
    # 2019 -> 2020: changes 0, +5, 0 -> quarter +5, median 0, 2/3 strictly lower
    expected = (
        ",".join(cols) + "\n"
        "x,2019,,ensemble_qpv,3,20,2,33.333333,20,,,\n"
        "x,2019,,qpv_region,3,20,2,33.333333,20,,,\n"
        "x,2019,,qpv_departement,2,20,1,50,15,,,\n"
        "x,2020,2019,ensemble_qpv,3,25,2,33.333333,25,5,0,66.666667\n"
        "x,2020,2019,qpv_region,3,25,2,33.333333,25,5,0,66.666667\n"
        "x,2020,2019,qpv_departement,2,25,1,50,17.5,5,2.5,50\n"
    )
    assert cf.table_to_csv(table[cols]) == expected
    reversed_rows = table[cols].iloc[::-1].reset_index(drop=True)
    assert cf.table_to_csv(reversed_rows) == expected


def test_written_file_is_utf8_with_no_break_spaces(tmp_path: Path):
    table = cf.position_rows(VALUES, TERR, "QP001002", "x", [2020], sens="neutre")
    path = tmp_path / "impact.csv"
    path.write_text(cf.table_to_csv(table), encoding="utf-8")
    raw = path.read_bytes()
    assert "\u00a0%".encode() in raw
    assert raw.decode("utf-8").splitlines()[0].startswith("indicateur,annee,annee_debut")
    again = tmp_path / "again.csv"
    again.write_text(cf.table_to_csv(table.sample(frac=1, random_state=1)), encoding="utf-8")
    assert again.read_bytes() == raw


# --------------------------------------------------------------------------- comparables

def test_nearest_neighbours_by_hand():
    # a: 0 2 4 6 3 -> mean 3, population sd 2 ; b: 10 10 20 20 (QP5 missing) -> mean 15, sd 5
    vals = values_of({
        ("a", 2019): {"QP000001": 0, "QP000002": 2, "QP000003": 4, "QP000004": 6,
                      "QP000005": 3},
        ("b", 2019): {"QP000001": 10, "QP000002": 10, "QP000003": 20, "QP000004": 20},
    })
    sel = cf.Selection((cf.BaselineVariable("a", 2019), cf.BaselineVariable("b", 2019)), k=5)
    out = cf.select_comparables(vals, "QP000001", sel)
    # z(a) = -1.5 -0.5 0.5 1.5 ; z(b) = -1 -1 1 1 ; distances from QP000001:
    # QP000002: 1 ; QP000003: sqrt(2^2 + 2^2) ; QP000004: sqrt(3^2 + 2^2) ; QP000005 has no b
    assert out["code"].tolist() == ["QP000002", "QP000003", "QP000004"]
    assert out["distance"].tolist() == pytest.approx([1.0, math.sqrt(8), math.sqrt(13)])
    assert out["rang"].tolist() == [1, 2, 3]
    assert out["a_2019"].tolist() == [2, 4, 6]


def test_ties_are_broken_by_code_and_log_scale_is_used():
    # log10 spacing: 1 000 is as far from 100 as from 10 000 on a log scale
    vals = values_of({("population", 2018): {"QP000009": 100, "QP000005": 1000,
                                             "QP000001": 10000, "QP000007": 100000}})
    sel = cf.Selection((cf.BaselineVariable("population", 2018, log=True),), k=2)
    out = cf.select_comparables(vals, "QP000005", sel)
    assert out["code"].tolist() == ["QP000001", "QP000009"]
    assert out["distance"].iloc[0] == out["distance"].iloc[1]
    raw = cf.select_comparables(vals, "QP000005",
                                cf.Selection((cf.BaselineVariable("population", 2018),), k=1))
    assert raw["code"].tolist() == ["QP000009"]   # on a linear scale 100 is nearest


def test_same_region_restriction_and_labels():
    vals = values_of({("a", 2019): {"QP001001": 0, "QP001002": 1, "QP075001": 0.5,
                                    "QP001003": 5}})
    terr = territories({"QP001001": ("01", "84"), "QP001002": ("01", "84"),
                        "QP001003": ("01", "84"), "QP075001": ("75", "11")})
    free = cf.select_comparables(vals, "QP001001", cf.Selection(
        (cf.BaselineVariable("a", 2019),), k=1), terr)
    assert free["code"].tolist() == ["QP075001"]
    same = cf.select_comparables(vals, "QP001001", cf.Selection(
        (cf.BaselineVariable("a", 2019),), k=1, same=("region",)), terr)
    assert same["code"].tolist() == ["QP001002"]
    assert same["libelle_qpv"].tolist() == ["Quartier 002"]


def test_k_larger_than_candidates_and_missing_quarter():
    vals = values_of({("a", 2019): {"QP001001": 0, "QP001002": 1}})
    sel = cf.Selection((cf.BaselineVariable("a", 2019),), k=10)
    assert cf.select_comparables(vals, "QP001001", sel)["code"].tolist() == ["QP001002"]
    with pytest.raises(ValueError, match="n'a pas de valeur pour : a_2019"):
        cf.select_comparables(vals, "QP009999", sel)


def test_selection_is_the_same_on_shuffled_input():
    rng = np.random.default_rng(7)
    codes = [f"QP{d:03d}{i:03d}" for d in range(1, 6) for i in range(40)]
    rows = []
    for code in codes:
        rows.append(row("p", code, 2019, round(float(rng.normal(40, 8)), 1)))
        rows.append(row("e", code, 2018, round(float(rng.normal(50, 6)), 1)))
        rows.append(row("pop", code, 2018, int(rng.integers(1000, 15000))))
    rows.append(row("p", "QP001999", 2019, 40.0))   # exact twins of a QPV: a tie
    rows.append(row("e", "QP001999", 2018, rows[1]["valeur"]))
    rows.append(row("pop", "QP001999", 2018, rows[2]["valeur"]))
    rows[0]["valeur"] = "40.0"
    sel = cf.Selection((cf.BaselineVariable("p", 2019), cf.BaselineVariable("e", 2018),
                        cf.BaselineVariable("pop", 2018, log=True)), k=15)
    quarter = "QP003007"
    first = cf.select_comparables(cf.clean_observations(store(rows)), quarter, sel)
    for seed in (1, 2, 3):
        shuffled = store(rows).sample(frac=1, random_state=seed)
        again = cf.select_comparables(cf.clean_observations(shuffled), quarter, sel)
        pd.testing.assert_frame_equal(first, again)
    assert quarter not in set(first["code"])
    assert first["distance"].is_monotonic_increasing


def test_sensitivity_overlap_and_position():
    vals = planted(1.0)
    base = {f"QP010{i:03d}": float(i) for i in range(10)}
    other = {f"QP010{i:03d}": float(10 - i) if i != 9 else 9.5 for i in range(10)}
    vals = pd.concat([vals, values_of({("a", 2015): base, ("b", 2015): other})],
                     ignore_index=True)
    selections = {
        "reference": cf.Selection((cf.BaselineVariable("a", 2015),), k=2),
        "k4": cf.Selection((cf.BaselineVariable("a", 2015),), k=4),
        "autre": cf.Selection((cf.BaselineVariable("b", 2015),), k=2),
    }
    out = cf.sensitivity(vals, PLANTED_TERR, "QP010009", selections, "x", 2019, 2015,
                         sens="hausse", unite="pourcentage").set_index("variante")
    # a: nearest to 9 are 8, 7 (then 6, 5); b: quarter 9.5, nearest are QP010000 (10),
    # QP010001 (9) -> no overlap with the reference
    assert out.loc["reference", "codes"] == "QP010008 | QP010007"
    assert out.loc["k4", "communs_reference"] == 2
    assert out.loc["k4", "jaccard_reference"] == pytest.approx(50.0)      # 2 / 4
    assert out.loc["autre", "communs_reference"] == 0
    # changes: quarter +9 ; reference comparables +8, +7 -> 2 of 3 strictly lower
    assert out.loc["reference", "effectif"] == 3
    assert out.loc["reference", "part_variation_inferieure"] == pytest.approx(200 / 3)
    # the comparables' median, without the quarter: (8 + 7) / 2
    assert out.loc["reference", "variation_mediane"] == 7.5
    # other variables: comparables +0, +1 -> same position, median +0,5
    assert out.loc["autre", "variation_mediane"] == 0.5
    lists = {n: set(c.split(" | ")) for n, c in out["codes"].items()}
    assert len(lists["reference"] & lists["k4"]) == 2 and len(lists["k4"]) == 4
    # the lists chosen once serve every indicator: same table from the indicator's rows
    chosen = cf.comparable_lists(vals, "QP010009", selections, PLANTED_TERR)
    assert chosen["reference"] == ["QP010008", "QP010007"]
    again = cf.sensitivity(vals[vals["indicateur"] == "x"], PLANTED_TERR, "QP010009",
                           selections, "x", 2019, 2015, sens="hausse", unite="pourcentage",
                           chosen=chosen).set_index("variante")
    pd.testing.assert_frame_equal(again, out)


# --------------------------------------------------------------------------- real store

@pytest.fixture(scope="module")
def real_values(real_build) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The QPV values and territories of the store built from the shipped data/raw/."""
    obs = pd.DataFrame([r for r in real_build.rows
                        if r["indicateur"] in ("taux_pauvrete", "taux_emploi_15_64")])
    terr = pd.DataFrame([{
        "code_qpv": q.code, "libelle_qpv": q.libelle,
        "communes": "|".join(c.code for c in q.communes),
        "libelles_communes": "|".join(c.libelle for c in q.communes),
        "epci": q.epci.code if q.epci else "", "libelle_epci": q.epci.libelle if q.epci else "",
        "departement": q.departement.code if q.departement else "",
        "region": q.region.code if q.region else ""} for q in real_build.qpvs])
    return cf.clean_observations(obs), terr


def test_real_poverty_rank_in_hauts_de_seine(real_values):
    # Counted independently (awk on observations.csv, then the csv module): in 2019 the
    # 21 QPV of the 92 have 38.7 36.7 36.6 36.0 35.6 35.3 33.9 33.9 33.2 33.1 32.7 32.1
    # 31.6 30.9 30.5 | 29.9 (QP092005) 29.9 (QP092002) | 29.1 28.0 26.5 19.2:
    # 15 higher -> rank 16, 4 lower -> 4/21, median (11th of 21) 32.7.
    values, terr = real_values
    table = cf.position_rows(values, terr, "QP092005", "taux_pauvrete", [2016, 2019],
                             sens="baisse", unite="pourcentage")
    g = {(r["annee"], r["groupe"]): r for _, r in table.iterrows()}
    dep = g[(2019, "qpv_departement")]
    assert (dep["effectif"], dep["rang"], dep["valeur_quartier"]) == (21, 16, 29.9)
    assert dep["part_inferieure"] == pytest.approx(100 * 4 / 21)
    assert dep["mediane_groupe"] == pytest.approx(32.7)
    # 2016: 30.1, only QP092009 (22.0) lower -> rank 20 of 21, median 33.7
    dep16 = g[(2016, "qpv_departement")]
    assert (dep16["effectif"], dep16["rang"]) == (21, 20)
    assert dep16["part_inferieure"] == pytest.approx(100 / 21)
    assert dep16["mediane_groupe"] == pytest.approx(33.7)
    # all QPV 2019: 1 348 with a value, 1 302 higher, 44 lower, median 42.8
    nat = g[(2019, "ensemble_qpv")]
    assert (nat["effectif"], nat["rang"]) == (1348, 1303)
    assert nat["part_inferieure"] == pytest.approx(100 * 44 / 1348)
    assert nat["mediane_groupe"] == pytest.approx(42.8)
    reg = g[(2019, "qpv_region")]
    assert (reg["effectif"], reg["rang"]) == (270, 239)


def test_real_employment_rank_in_hauts_de_seine(real_values):
    # Counted with the csv module: RP 2018 (IPRO_2021), 21 QPV of the 92, 59.7 for
    # QP092005: 4 higher -> rank 5, 16 lower, median 55.4.
    values, terr = real_values
    table = cf.position_rows(values, terr, "QP092005", "taux_emploi_15_64", [2018],
                             sens="hausse", unite="pourcentage")
    dep = by_group(table)["qpv_departement"]
    assert (dep["effectif"], dep["rang"]) == (21, 5)
    assert dep["part_inferieure"] == pytest.approx(100 * 16 / 21)
    assert dep["mediane_groupe"] == pytest.approx(55.4)
    # 2019 is a figure of the contract only, not a national publication
    assert cf.national_years(values)["taux_emploi_15_64"] == [2013, 2016, 2017, 2018]


def test_real_job_seekers_are_ranked_per_100_inhabitants(real_build, real_values):
    # Counted with the csv module on the raw files: ABC of IPRO_2021 (31 December 2020)
    # over POP_MUN of DEMO_2021 (census 2018), 1 322 QPV with both; QP092005: 701 / 5 481
    # = 12,79 per 100; 1 112 QPV higher (rank 1 113), so 15,9 % at most as many; median
    # 15,73; in the 92: 14 higher of 21 (rank 15), median 13,14. As a raw count, 701 was
    # 275th from the top: among the 21 % « least well placed ».
    _, terr = real_values
    obs = pd.DataFrame([r for r in real_build.rows
                        if r["indicateur"] in ("demandeurs_emploi_abc", "population")])
    values = cf.clean_observations(obs)
    rates, den = cf.rate_values(values, "demandeurs_emploi_abc", "population",
                                years=cf.national_years(values)["population"])
    assert den.words(2020) == "population municipale 2018"
    table = cf.position_rows(rates, terr, "QP092005", "demandeurs_emploi_abc" + cf.RATE_SUFFIX,
                             [2020], sens="baisse", unite=cf.RATE_UNIT, denominateur=den,
                             minimum=10)
    g = by_group(table)
    nat, dep = g["ensemble_qpv"], g["qpv_departement"]
    assert (nat["effectif"], nat["rang"]) == (1322, 1113)
    assert nat["valeur_quartier"] == pytest.approx(100 * 701 / 5481)
    assert nat["mediane_groupe"] == pytest.approx(15.729, abs=1e-3)
    assert (dep["effectif"], dep["rang"]) == (21, 15)
    assert dep["mediane_groupe"] == pytest.approx(13.136, abs=1e-3)
    assert f"parmi les 15,9{NBSP}% de QPV" in nat["lecture"]


# --------------------------------------------------------------------------- rates, not counts

def test_partner_and_contract_figures_are_never_ranked():
    """A figure of the contract's transcription or of a partner's return exists for one
    quarter: it never enters a distribution. A row citing a publication too does."""
    rows = [row("x", f"QP001{i:03d}", 2020, i) for i in range(1, 11)]
    rows = [dict(r, origine=ORIGINE_PUBLICATION) for r in rows]
    contract = dict(row("x", "QP001001", 2021, 99), fichier="data/raw/contrat/chiffres.csv",
                    origine=ORIGINE_CONTRAT)
    partner = dict(row("y", "QP001001", 2025, 23.7),
                   fichier="data/raw/partenaires/2025/cpam.xlsx", origine=ORIGINE_PARTENAIRE)
    both = dict(row("x", "QP001002", 2020, 2), fichier="data/raw/contrat/chiffres.csv | "
                "data/raw/sig-ville-qpv2015/REVN_2021.csv", origine=ORIGINE_PUBLICATION_CONTRAT)
    vals = cf.clean_observations(store([*rows, contract, partner, both]))
    assert set(vals["indicateur"]) == {"x"} and set(vals["annee"]) == {2020}
    assert cf.national_years(vals) == {"x": [2020]}
    # the partner's figure alone would have made a « national » year of one QPV
    alone = cf.clean_observations(store([dict(partner, origine=ORIGINE_PUBLICATION)]))
    table = cf.impact_table(alone, territories({"QP001001": ("01", "84")}), "QP001001", "y",
                            [2025], minimum=10)
    assert table.empty


def test_the_census_year_nearest_to_a_count_is_its_denominator():
    assert cf.nearest_year(2015, [2013, 2018]) == 2013  # 2 years against 3
    assert cf.nearest_year(2016, [2013, 2018]) == 2018
    assert cf.nearest_year(2020, [2013, 2018]) == 2018
    assert cf.nearest_year(2016, [2014, 2018]) == 2018  # a tie: the later census
    assert cf.nearest_year(2016, []) is None


# Ten QPV: the quarter QP001001 has the most job seekers (700) but, with 5 500
# inhabitants, the fewest per 100 inhabitants (700 / 5 500 = 12,7); QP001002 to QP001010
# have 250 to 650 job seekers for 750 to 2 750 inhabitants (33,3 down to 23,6 per 100).
COUNTS = {"QP001001": 700, **{f"QP001{i:03d}": 150 + 50 * i for i in range(2, 11)}}
PEOPLE = {"QP001001": 5500, **{f"QP001{i:03d}": 250 * i + 250 for i in range(2, 11)}}
TEN = territories({code: ("01", "84") for code in COUNTS})


def test_a_count_and_its_rate_rank_the_quarter_at_opposite_ends():
    vals = values_of({("de", 2015): COUNTS, ("de", 2020): COUNTS,
                      ("population", 2013): dict.fromkeys(COUNTS, 1000),
                      ("population", 2018): PEOPLE})
    by_count = by_group(cf.position_rows(vals, TEN, "QP001001", "de", [2020], sens="baisse",
                                         unite="nombre"))["ensemble_qpv"]
    assert (by_count["rang"], by_count["part_inferieure"]) == (1, 90.0)  # the most
    rates, den = cf.rate_values(vals, "de", "population")
    assert set(rates["indicateur"]) == {"de" + cf.RATE_SUFFIX}
    own = rates[(rates["code"] == "QP001001") & (rates["annee"] == 2020)]["valeur"]
    assert own.tolist() == [pytest.approx(100 * 700 / 5500)]
    # 2015 is nearer the 2013 census, 2020 the 2018 one
    assert dict(den.annees) == {2015: 2013, 2020: 2018}
    assert den.words(2020) == "population municipale 2018"
    assert den.words(2015, 2020) == "population municipale 2013 et 2018"
    quals = cf.rate_qualifiers("Demandeurs d'emploi", "baisse")
    by_rate = cf.position_rows(rates, TEN, "QP001001", "de" + cf.RATE_SUFFIX, [2020],
                               sens="baisse", unite=cf.RATE_UNIT, qualificatifs=quals,
                               denominateur=den)
    row_ = by_group(by_rate)["ensemble_qpv"]
    assert (row_["rang"], row_["part_inferieure"]) == (10, 0.0)  # the fewest
    assert row_["denominateur"] == "population municipale 2018"
    # 1 QPV of 10 at most as many per 100 inhabitants (the quarter): 10 %
    assert row_["lecture"] == (
        f"En 2020, Quartier 001 (12,7 pour 100 habitants, population municipale 2018) est "
        f"parmi les 10{NBSP}% de QPV avec le moins de demandeurs d'emploi pour 100 "
        f"habitants (10{NBSP}QPV comparés).")
    # in 2015, on the 2013 census (1 000 inhabitants everywhere), the rate ranks as the count
    early = by_group(cf.position_rows(rates, TEN, "QP001001", "de" + cf.RATE_SUFFIX, [2015],
                                      sens="baisse", unite=cf.RATE_UNIT,
                                      denominateur=den))["ensemble_qpv"]
    assert early["rang"] == 1 and "population municipale 2013" in early["lecture"]
    moves = by_group(cf.change_rows(rates, TEN, "QP001001", "de" + cf.RATE_SUFFIX, 2015,
                                    2020, unite=cf.RATE_UNIT, denominateur=den))
    # 70 -> 12,7 per 100 inhabitants: -57,3, said with both censuses
    text = moves["ensemble_qpv"]["lecture"]
    assert text.startswith("Entre 2015 et 2020, Quartier 001 : -57,3 pour 100 habitants "
                           "(population municipale 2013 et 2018)")


def test_rate_words_follow_the_desired_direction_and_french_elision():
    assert cf.rate_qualifiers("Allocataires du RSA", "neutre") == (
        "avec le moins d'allocataires du RSA pour 100 habitants",
        "avec le plus d'allocataires du RSA pour 100 habitants")
    assert cf.rate_qualifiers("Entrées en contrat aidé", "hausse")[0] == \
        "avec le plus d'entrées en contrat aidé pour 100 habitants"
    assert cf.value_words(12.727, cf.RATE_UNIT) == "12,7 pour 100 habitants"
    assert cf.change_words(-0.04, cf.RATE_UNIT) == "0,0 pour 100 habitants"


# --------------------------------------------------------------------------- settings

def _comparison(tmp_path: Path, text: str):
    from evalqpv.comparison_settings import load_comparison
    from evalqpv.problems import Problems
    from evalqpv.settings import ProjectPaths

    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "comparaison.toml").write_text(text, encoding="utf-8")
    problems = Problems()
    return load_comparison(ProjectPaths(tmp_path), problems), problems


def test_minimum_group_size_and_intercommunality_are_settings(tmp_path):
    settings, problems = _comparison(tmp_path, (
        'k = 10\nvariables = ["taux_pauvrete"]\neffectif_minimum = 10\n'
        '[intercommunalite]\nnom = "Sud"\nnature = "établissement public territorial"\n'
        '[[variantes]]\nnom = "5 QPV comparables"\nk = 5\n'))
    assert settings.effectif_minimum == 10
    assert settings.intercommunalite is not None and settings.intercommunalite.nom == "Sud"
    # 5 comparables and the quarter: 6 QPV, never ranked with a minimum of 10
    (error,) = problems.errors
    assert "5 QPV comparables" in error.message and "au moins 9" in (error.attendu or "")
    _, problems = _comparison(tmp_path, 'variables = ["x"]\neffectif_minimum = 1\n'
                                        '[intercommunalite]\nnom = "Sud"\n')
    text = " | ".join(p.render() for p in problems.errors)
    assert "effectif minimum invalide" in text and "intercommunalité du contrat" in text


def test_the_intercommunality_compared_says_why_in_one_sentence():
    from evalqpv.territory import Level, Territory, intercommunality_note

    territory = Territory("QP001001", "Les Tilleuls", (
        Level("qpv", "QP001001", "Les Tilleuls", "qpv2015"),
        Level("epci", "200054781", "Métropole du Grand Paris")))
    note = intercommunality_note(territory, "Vallée Sud – Grand Paris", "un EPT")
    assert note == ("L'intercommunalité du contrat est Vallée Sud – Grand Paris, un EPT ; les "
                    "fichiers publics livrés ne donnent aucun chiffre à ce niveau : "
                    "l'intercommunalité de comparaison est donc celle de ces fichiers, "
                    "Métropole du Grand Paris.")
    same = Territory("QP001001", "T", (Level("epci", "1", "Vallée Sud - Grand Paris"),))
    assert intercommunality_note(same, "Vallée Sud – Grand Paris", "un EPT") == ""


# --------------------------------------------------------------------------- national index

def test_a_distribution_places_a_value_as_group_statistics_does():
    # 7 values with a tie at 20: for 20, 2 values below (5, 10), 3 above (30, 40, 50)
    raw = np.array([10.0, 20.0, 20.0, 30.0, 40.0, 50.0, 5.0])
    stats = cf.Distribution.of(raw).stats(20.0)
    assert (stats.effectif, stats.rang) == (7, 4)            # 30, 40, 50 above: rank 4
    assert stats.part_inferieure == pytest.approx(100 * 2 / 7)  # 5 and 10 below
    assert stats.part_superieure == pytest.approx(100 * 3 / 7)
    assert stats.mediane == 20.0                              # 5 10 20 [20] 30 40 50
    # a float-noise tie (0.1 + 0.2 against 0.3) is a tie, as in group_statistics
    noisy = cf.Distribution.of(np.array([0.1 + 0.2, 0.3, 1.0])).stats(0.3)
    assert (noisy.rang, noisy.part_inferieure) == (2, 0.0)


def test_the_national_index_gives_the_same_rows_for_every_quarter():
    national = cf.NationalGroups.of(TERR)
    for quarter in ("QP001003", "QP002001", "QP075002"):
        for comparables in ((), ("QP001001", "QP075001")):
            direct = cf.impact_table(VALUES, TERR, quarter, "x", [2020, 2021, 2022],
                                     [(2020, 2022)], comparables=comparables)
            indexed = cf.impact_table(VALUES, TERR, quarter, "x", [2020, 2021, 2022],
                                      [(2020, 2022)], comparables=comparables,
                                      national=national)
            pd.testing.assert_frame_equal(indexed, direct)
    # département 01 in 2020: 10, 20, 20, 30; QP001003 (20) has 30 above it: rank 2
    rows = cf.position_rows(VALUES, TERR, "QP001003", "x", [2020], national=national)
    dep = by_group(rows)["qpv_departement"]
    assert (dep["effectif"], dep["rang"], dep["mediane_groupe"]) == (4, 2, 20.0)
    # each group's distribution was computed once, whichever quarter asked
    assert ("x", 2020, "valeur", "qpv_departement", "01") in national._groups


def test_warming_sorts_each_column_by_region_and_departement_once(monkeypatch):
    national = cf.NationalGroups.of(TERR)
    cf.warm(national, [VALUES], {"x": "pourcentage"}, debut=2022)
    # a copy then slices its group: it never searches the members again
    monkeypatch.setattr("evalqpv.report.groups._values_of",
                        lambda *a: pytest.fail("searched the members again"))
    series = national.series(VALUES, "x", 2020)
    key = ("x", 2020, "valeur")
    # département 01 in 2020: 10, 20, 20, 30 (even: median (20 + 20) / 2)
    dep = national.distribution(key, series, "QP001003", "qpv_departement")
    assert list(dep.rounded) == [10.0, 20.0, 20.0, 30.0] and dep.mediane == 20.0
    # région 84: 10, 20, 20, 30, 40 (odd: the middle value)
    reg = national.distribution(key, series, "QP002001", "qpv_region")
    assert list(reg.rounded) == [10.0, 20.0, 20.0, 30.0, 40.0] and reg.mediane == 20.0
    # région 11 in 2021: 6 and 48, median (6 + 48) / 2 = 27
    other = national.distribution(("x", 2021, "valeur"), national.series(VALUES, "x", 2021),
                                  "QP075001", "qpv_region")
    assert list(other.rounded) == [6.0, 48.0] and other.mediane == 27.0


def test_a_split_column_leaves_out_unknown_codes_and_refuses_a_missing_value():
    codes = np.array(["QP001001", "QP001002", "QP002001"], dtype=object)
    territory = np.array([0, 0, 1])
    column = pd.Series([3.0, 1.0, 9.0, 7.0],
                       index=["QP001001", "QP001002", "QP002001", "QP099001"])
    split = cf.SplitColumn.of(column, codes, territory, 3)  # territory 2 has no QPV
    assert split is not None
    first = split.distribution(0)
    assert first is not None and list(first.rounded) == [1.0, 3.0] and first.mediane == 2.0
    second = split.distribution(1)  # QP099001 (7) has no territory: not counted
    assert second is not None and list(second.rounded) == [9.0] and second.mediane == 9.0
    assert split.distribution(2) is None
    column.iloc[1] = float("nan")  # made one group at a time, as before
    assert cf.SplitColumn.of(column, codes, territory, 3) is None


def test_the_national_index_refuses_a_quarter_without_territory():
    national = cf.NationalGroups.of(TERR)
    values = values_of({("x", 2020): {**X2020, "QP099001": 7}})
    with pytest.raises(ValueError, match="QP099001 n'est pas dans la table des territoires"):
        cf.position_rows(values, TERR, "QP099001", "x", [2020], national=national)


def test_warming_computes_every_year_and_period_of_all_qpv_once():
    national = cf.NationalGroups.of(TERR)
    cf.warm(national, [VALUES], {"x": "pourcentage"}, debut=2022)
    # years published for all: 2020, 2021, 2022 (6 or 7 QPV each); periods before the
    # contract (2020-2021) and into it (2021-2022)
    assert set(national._series) == {("x", 2020), ("x", 2021), ("x", 2022)}
    assert set(national._variations) == {("x", 2020, 2021, "absolue"),
                                      ("x", 2021, 2022, "absolue")}
    assert ("x", 2020, 2021, "absolue", "variation", "ensemble_qpv") in national._groups
    before = dict(national._groups)
    cf.position_rows(VALUES, TERR, "QP075001", "x", [2020], national=national)
    assert national._groups[("x", 2020, "valeur", "ensemble_qpv")] \
        is before[("x", 2020, "valeur", "ensemble_qpv")]
