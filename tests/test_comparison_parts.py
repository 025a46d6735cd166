"""Unit tests of the parts behind report.counterfactual, imported directly: qpv_values
(cleaning, coverage, rates per 100 inhabitants), groups (members, changes, periods, the
national index), comparison_table (columns, order, CSV cells) and comparison_text (the
French sentences).

What tests/test_counterfactual.py already pins through the re-exports is not repeated;
every expected value below is worked out by hand from the data written in the test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalqpv.report.comparison_table import (
    TABLE_COLUMNS,
    as_table,
    sort_table,
    sorted_rows,
    table_to_csv,
)
from evalqpv.report.comparison_text import (
    QUALIFIERS,
    change_sentence,
    change_words,
    position_sentence,
    quarter_name,
    rate_qualifiers,
    value_words,
)
from evalqpv.report.groups import (
    GROUPS,
    NationalGroups,
    group_members,
    group_statistics,
    groups_of,
    periods,
    restrict,
    value_at,
    variation_of,
    variations,
    where_in,
)
from evalqpv.report.qpv_values import (
    RATE_SUFFIX,
    RATE_UNIT,
    Denominator,
    clean_observations,
    latest_millesime,
    national_years,
    rate_values,
    rates_values,
)

NBSP = "\u00a0"


def store_row(code: str, valeur: object, *, indicateur: str = "x", annee: int = 2020,
              millesime: str = "2020", source: str = "s", fichier: str = "f.csv",
              ligne: str = "1") -> dict[str, str]:
    return {"indicateur": indicateur, "niveau": "qpv", "code": code, "geographie": "qpv2015",
            "annee": str(annee), "valeur": str(valeur), "statut": "valeur",
            "millesime": millesime, "source": source, "fichier": fichier, "ligne": ligne}


def values(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """(indicateur, code, annee, valeur) rows in the shape clean_observations returns."""
    return pd.DataFrame([{"indicateur": i, "code": c, "annee": a, "valeur": float(v),
                          "millesime": "", "source": f"src-{i}"} for i, c, a, v in rows])


def territories(spec: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """{code: (departement, region)}."""
    return pd.DataFrame([{"code_qpv": c, "libelle_qpv": f"Q{c[-3:]}", "departement": d,
                          "region": r} for c, (d, r) in spec.items()])


# --------------------------------------------------------------------------- qpv_values

def test_latest_millesime_ignores_blanks_around_and_between_the_bars():
    assert latest_millesime(" 2017 |  | 2021 ") == "2021"
    assert latest_millesime(" | ") == ""


def test_equal_millesimes_are_settled_by_source_then_file_line_then_value():
    rows = [store_row("QP001001", 5, source="b"), store_row("QP001001", 3, source="a"),
            # same source, file and line: the larger value sorts last and wins
            store_row("QP001002", 7), store_row("QP001002", 4),
            # a merged row is as recent as its latest release: 2021 beats 2020
            store_row("QP001003", 1, millesime=" 2017 | 2021"), store_row("QP001003", 2),
            store_row("QP001004", 8, fichier="b.csv"), store_row("QP001004", 9, fichier="a.csv")]
    got = clean_observations(pd.DataFrame(rows)).set_index("code")["valeur"].to_dict()
    assert got == {"QP001001": 5.0, "QP001002": 7.0, "QP001003": 1.0, "QP001004": 8.0}


def test_cleaned_values_have_six_columns_sorted_by_indicator_year_and_code():
    rows = [store_row("QP001002", "2.5", indicateur="y", annee=2019),
            store_row("QP001001", "1", indicateur="y", annee=2021),
            store_row("QP001003", "4", indicateur="x", annee=2021),
            store_row("QP001001", "3", indicateur="y", annee=2019)]
    frame = pd.DataFrame(rows).drop(columns=["millesime", "source"])
    out = clean_observations(frame)
    assert list(out.columns) == ["indicateur", "code", "annee", "valeur", "millesime", "source"]
    assert list(zip(out["indicateur"], out["annee"], out["code"], strict=True)) == [
        ("x", 2021, "QP001003"), ("y", 2019, "QP001001"), ("y", 2019, "QP001002"),
        ("y", 2021, "QP001001")]
    assert out["valeur"].tolist() == [4.0, 3.0, 2.5, 1.0]
    assert out["annee"].dtype.kind == "i"
    assert set(out["millesime"]) == {""} and set(out["source"].astype(str)) == {""}


def test_a_year_at_exactly_the_share_of_the_best_year_is_national():
    vals = values([("x", f"QP00100{i}", 2018, i) for i in range(4)]
                  + [("x", f"QP00100{i}", 2019, i) for i in range(2)]
                  + [("x", "QP001000", 2020, 1.0)])
    # best year 4 QPV: 2 >= 0,5 x 4 is kept, 1 is not; 2 < 0,51 x 4 = 2,04
    assert national_years(vals) == {"x": [2018, 2019]}
    assert national_years(vals, min_share=0.51) == {"x": [2018]}


# Census: A 1 000 and B 500 inhabitants in 2013; A 2 000, B 0, C 400 in 2018; A 100 in 2016
# (a census of one QPV). Counts « de » in 2014 and 2016, « rsa » in 2018.
RATES_INPUT = values([
    ("population", "A", 2013, 1000), ("population", "B", 2013, 500),
    ("population", "A", 2016, 100),
    ("population", "A", 2018, 2000), ("population", "B", 2018, 0), ("population", "C", 2018, 400),
    ("de", "A", 2014, 30), ("de", "B", 2014, 20), ("de", "C", 2014, 8),
    ("de", "A", 2016, 50), ("de", "B", 2016, 10), ("de", "C", 2016, 12),
    ("rsa", "A", 2018, 10), ("rsa", "C", 2018, 4),
])


def test_rates_of_several_counts_on_the_nearest_census_of_the_years_given():
    rates, used = rates_values(RATES_INPUT, ["rsa", "de", "absent"], years=[2013, 2018])
    got = [(i, c, a, round(v, 9)) for i, c, a, v in
           zip(rates["indicateur"], rates["code"], rates["annee"], rates["valeur"], strict=True)]
    de, rsa = "de" + RATE_SUFFIX, "rsa" + RATE_SUFFIX
    assert got == [
        # 2014 -> census 2013: 30 / 1 000 and 20 / 500; C has no 2013 census: left out
        (de, "A", 2014, 3.0), (de, "B", 2014, 4.0),
        # 2016 -> census 2018 (2 years against 3): 50 / 2 000, 12 / 400; B has 0 inhabitants
        (de, "A", 2016, 2.5), (de, "C", 2016, 3.0),
        (rsa, "A", 2018, 0.5), (rsa, "C", 2018, 1.0)]
    assert set(rates["millesime"]) == {""}
    assert set(rates["source"]) == {"src-de", "src-rsa"}
    assert set(used) == {de, rsa}  # a count absent from the values has no denominator
    assert dict(used[de].annees) == {2014: 2013, 2016: 2018}
    assert used[de].words(2016) == "population municipale 2018"
    assert used[de].words(2099) == ""


def test_without_years_every_census_year_of_the_values_is_a_denominator():
    rates, den = rate_values(RATES_INPUT, "de", libelle="population légale")
    # 2016 is now its own census year, known for A only: 50 / 100
    rows_2016 = rates[rates["annee"] == 2016]
    assert rows_2016["code"].tolist() == ["A"] and rows_2016["valeur"].tolist() == [50.0]
    assert den == Denominator("population légale", {2014: 2013, 2016: 2016})
    empty, none = rate_values(RATES_INPUT, "absent")
    assert empty.empty and none == Denominator("population municipale", {})


# --------------------------------------------------------------------------- groups

TERR = territories({"QP001001": ("01", "84"), "QP001002": ("01", "84"),
                    "QP002001": ("02", "84"), "QP075001": ("75", "11")})


def test_group_members_of_each_kind_always_hold_the_quarter():
    assert group_members(TERR, "QP001001", "ensemble_qpv") is None
    assert group_members(TERR, "QP001001", "qpv_departement") == {"QP001001", "QP001002"}
    assert group_members(TERR, "QP001001", "qpv_region") == {"QP001001", "QP001002",
                                                             "QP002001"}
    assert group_members(TERR, "QP001001", "qpv_comparables", ["QP075001"]) == {
        "QP001001", "QP075001"}
    with pytest.raises(ValueError, match="Groupe inconnu : qpv_commune"):
        group_members(TERR, "QP001001", "qpv_commune")
    assert groups_of([]) == GROUPS[:3] and groups_of(["QP075001"]) == GROUPS


def test_restrict_where_in_and_value_at_read_a_series_by_code():
    series = pd.Series([1.0, 2.0, 3.0], index=["b", "a", "b"])
    assert restrict(series, None) is series
    assert restrict(series, {"b"}).tolist() == [1.0, 3.0]
    assert where_in(series, "b") == 0 and value_at(series, "a") == 2.0  # the first « b »
    with pytest.raises(KeyError):
        where_in(series, "z")
    # a sorted index of unique codes (the national series): members absent from it,
    # or sorting before or after every code, are left out; the series' order is kept
    sorted_codes = pd.Series([4.0, 5.0, 6.0, 7.0], index=["QP1", "QP3", "QP5", "QP7"])
    kept = restrict(sorted_codes, {"QP7", "QP0", "QP3", "QP4", "QP9"})
    assert kept.index.tolist() == ["QP3", "QP7"] and kept.tolist() == [5.0, 7.0]
    assert restrict(sorted_codes, set()).empty


def test_absolute_changes_keep_qpv_with_both_years_and_round_float_noise():
    vals = values([("x", "A", 2016, 0.1), ("x", "B", 2016, 20), ("x", "C", 2016, 5),
                   ("x", "A", 2019, 0.4), ("x", "B", 2019, 19), ("x", "D", 2019, 3)])
    out = variations(vals, "x", 2016, 2019)
    assert list(out.columns) == ["valeur_debut", "valeur", "variation"]
    assert out.index.tolist() == ["A", "B"]  # C has no 2019 value, D no 2016 value
    assert out.loc["A", "variation"] == 0.3  # 0.4 - 0.1 is 0.30000000000000004 unrounded
    assert out.loc["B", "variation"] == -1.0


def test_relative_changes_leave_out_a_negative_start_and_unknown_measures_are_refused():
    vals = values([("x", "A", 2016, -10), ("x", "B", 2016, 20), ("x", "C", 2016, 0),
                   ("x", "A", 2019, 5), ("x", "B", 2019, 25), ("x", "C", 2019, 3)])
    out = variations(vals, "x", 2016, 2019, "relative")
    assert out["variation"].to_dict() == {"B": 25.0}  # 25 / 20 - 1; A and C start <= 0
    with pytest.raises(ValueError, match="Mesure de variation inconnue : moyenne"):
        variations(vals, "x", 2016, 2019, "moyenne")  # type: ignore[arg-type]


@pytest.mark.parametrize(("years", "debut", "expected"), [
    ([2015, 2016, 2017, 2018], 0, [(2015, 2018)]),           # no contract: whole series
    ([2015, 2017, 2020, 2022], 2020, [(2015, 2017), (2017, 2022)]),
    ([2015, 2021], 2020, [(2015, 2021)]),                    # one year before: no trend
    ([2015, 2016], 2020, [(2015, 2016)]),                    # the series stops before
    ([2021, 2022], 2020, []),                                # nothing before the contract
])
def test_periods_before_and_into_the_contract(years, debut, expected):
    assert periods(years, debut) == expected


def test_counts_and_amounts_change_in_percent_rates_in_their_unit():
    assert variation_of("nombre") == variation_of("euros") == "relative"
    assert variation_of("pourcentage") == variation_of(RATE_UNIT) == "absolue"


def test_the_national_index_reads_a_region_from_an_unsorted_column_and_keeps_it():
    terr = pd.DataFrame([
        {"code_qpv": "A", "departement": "01", "region": "84"},
        {"code_qpv": "B", "departement": "01", "region": "84"},
        {"code_qpv": "C", "departement": "75", "region": "11"},
        {"code_qpv": "E", "departement": "01", "region": "84"},   # no value: not counted
        {"code_qpv": "B", "departement": "75", "region": "11"},   # a repeat: the first wins
    ])
    national = NationalGroups.of(terr)
    assert national.place["region"]["B"] == "84"
    column = pd.Series([30.0, 10.0, 20.0, 40.0], index=["C", "B", "A", "D"])  # unsorted
    dist = national.distribution(("x", 2020, "valeur"), column, "A", "qpv_region")
    assert dist.rounded.tolist() == [10.0, 20.0]   # B and A: région 84 with a value
    assert dist.mediane == 15.0
    stats = dist.stats(20.0)
    direct = group_statistics(column[["B", "A"]], "A")
    assert (stats.effectif, stats.rang, stats.part_inferieure) == (2, 1, 50.0)
    assert stats == direct
    again = national.distribution(("x", 2020, "valeur"), column.sort_index(), "B",
                                  "qpv_region")
    assert again is dist  # one distribution per key and région, whichever quarter asks
    calls: list[int] = []
    assert national.kept(("k",), lambda: calls.append(1) or 42) == 42
    assert national.kept(("k",), lambda: calls.append(1) or 0) == 42 and calls == [1]


# --------------------------------------------------------------------------- comparison_table

def test_rows_become_a_table_of_every_column_with_typed_missing_cells():
    table = as_table([{"indicateur": "x", "annee": 2020, "groupe": "ensemble_qpv",
                       "rang": 3.0, "valeur_quartier": "12.5", "lecture": float("nan")}])
    assert tuple(table.columns) == TABLE_COLUMNS and TABLE_COLUMNS[-1] == "denominateur"
    assert str(table["rang"].dtype) == "Int64" and table["rang"].iloc[0] == 3
    assert table["annee_debut"].isna().iloc[0]
    assert table["valeur_quartier"].iloc[0] == 12.5
    assert math.isnan(table["mediane_groupe"].iloc[0])
    assert table["lecture"].iloc[0] == "" and table["denominateur"].iloc[0] == ""
    # numbers and None (what the comparison rows hold): ints become floats, None NaN
    numbers = as_table([{"part_inferieure": 1}, {"part_inferieure": None},
                        {"part_inferieure": 2.5}])
    assert str(numbers["part_inferieure"].dtype) == "float64"
    assert numbers["part_inferieure"].tolist()[::2] == [1.0, 2.5]
    assert math.isnan(numbers["part_inferieure"].iloc[1])


def test_sort_puts_levels_before_changes_then_groups_in_their_order():
    rows = [{"indicateur": "b", "annee": 2019, "groupe": "ensemble_qpv"},
            {"indicateur": "a", "annee": 2020, "annee_debut": 2018, "groupe": "ensemble_qpv"},
            {"indicateur": "a", "annee": 2020, "groupe": "qpv_comparables"},
            {"indicateur": "a", "annee": 2020, "annee_debut": 2016, "groupe": "qpv_region"},
            {"indicateur": "a", "annee": 2020, "groupe": "ensemble_qpv"},
            {"indicateur": "a", "annee": 2019, "groupe": "qpv_departement"}]
    out = sort_table(as_table(rows))
    keys = list(zip(out["indicateur"], out["annee"], out["annee_debut"].fillna(0),
                    out["groupe"], strict=True))
    assert keys == [("a", 2019, 0, "qpv_departement"), ("a", 2020, 0, "ensemble_qpv"),
                    ("a", 2020, 0, "qpv_comparables"), ("a", 2020, 2016, "qpv_region"),
                    ("a", 2020, 2018, "ensemble_qpv"), ("b", 2019, 0, "ensemble_qpv")]
    # the rows sorted before they become a table (what impact_table does): same order
    ordered = [(r["indicateur"], r["annee"], r.get("annee_debut") or 0, r["groupe"])
               for r in sorted_rows(rows)]
    assert ordered == keys


def test_csv_cells_six_decimals_no_trailing_zero_no_minus_zero_and_french_booleans():
    table = pd.DataFrame({"rang": [3.0, None], "part": [0.1234567, -0.0000001],
                          "mediane": [2.50, 1e6], "flag": [True, np.bool_(False)],
                          "mot": ["a,b", None]})
    # no sort columns: the rows keep their order; a comma in a text cell is quoted
    assert table_to_csv(table) == ("rang,part,mediane,flag,mot\n"
                                   '3,0.123457,2.5,oui,"a,b"\n'
                                   ",0,1000000,non,\n")


# --------------------------------------------------------------------------- comparison_text

def test_values_and_changes_read_with_french_numbers_and_their_unit():
    assert value_words(29.94, "pourcentage") == f"29,9{NBSP}%"
    assert value_words(20500, "euros") == f"20{NBSP}500{NBSP}€"
    assert change_words(1.3, RATE_UNIT) == "+1,3 pour 100 habitants"
    assert change_words(5.0, RATE_UNIT, relative=True) == f"+5,0{NBSP}%"  # a percent change
    assert change_words(-0.8, "pourcentage") == f"-0,8{NBSP}point"


def test_a_position_at_the_unfavourable_end_names_it_with_the_count_and_group():
    text = position_sentence("Les Tilleuls", 2021, "qpv_comparables", 1234, 29.94, 70.0, 20.0,
                             sens="baisse", unite="pourcentage",
                             qualificatifs=QUALIFIERS["taux_pauvrete"],
                             denominateur="population municipale 2018")
    # lower is better: 100 - 20 = 80 % at most as poor, 100 - 70 = 30 % at least as poor
    assert text == (f"En 2021, Les Tilleuls (29,9{NBSP}%, population municipale 2018) est "
                    f"parmi les 30{NBSP}% de QPV comparables les plus pauvres "
                    f"(1{NBSP}234{NBSP}QPV comparés).")


def test_a_position_in_the_middle_reads_from_the_favourable_end():
    text = position_sentence("Q", 2020, "ensemble_qpv", 5, 10.0, 40.0, 40.0, sens="hausse",
                             unite="nombre", qualificatifs=("en tête", "en queue"))
    assert f"parmi les 60{NBSP}% de QPV en tête" in text  # 60 against 60: the good end
    with pytest.raises(ValueError, match="Sens inconnu : monte"):
        position_sentence("Q", 2020, "ensemble_qpv", 5, 10.0, 40.0, 40.0,
                          sens="monte", unite="nombre")  # type: ignore[arg-type]


def test_an_unusual_change_names_its_direction_against_the_desired_one():
    def where(quarter: float, below: float, above: float, sens: str) -> str:
        text = change_sentence("Q", 2016, 2019, "qpv_departement", 20, quarter, 0.0, below,
                               above, sens=sens, unite="pourcentage")  # type: ignore[arg-type]
        return text.split(" ; ", 1)[1]

    assert where(0.0, 85.0, 0.0, "neutre") == \
        f"évolution supérieure à celle de 85{NBSP}% des QPV du département."
    assert where(-0.5, 85.0, 5.0, "baisse") == (
        f"plus faible baisse que 85{NBSP}% des QPV du département, à l'inverse du sens "
        "souhaité.")
    assert where(0.5, 5.0, 90.0, "hausse") == (
        f"plus faible hausse que 90{NBSP}% des QPV du département, à l'inverse du sens "
        "souhaité.")
    assert where(0.0, 0.0, 90.0, "baisse") == (
        f"évolution inférieure à celle de 90{NBSP}% des QPV du département, dans le sens "
        "souhaité.")
    # the threshold reads the share rounded to a tenth, as printed
    assert where(1.0, 79.96, 0.0, "neutre").startswith(f"plus forte hausse que 80{NBSP}%")
    assert where(1.0, 79.94, 0.0, "neutre").startswith("évolution dans la moyenne")


def test_a_change_in_points_against_the_median_and_a_group_of_one():
    text = change_sentence("Q", 2016, 2019, "ensemble_qpv", 10, 1.5, -0.5, 50.0, 40.0,
                           sens="hausse", unite="pourcentage")
    assert text == (f"Entre 2016 et 2019, Q : +1,5{NBSP}point, contre -0,5{NBSP}point pour "
                    f"la médiane des QPV (écart d'évolution : +2,0{NBSP}points) ; évolution "
                    f"dans la moyenne des QPV (50{NBSP}% ont une évolution plus faible).")
    with pytest.raises(ValueError, match="réduit au quartier"):
        change_sentence("Q", 2016, 2019, "ensemble_qpv", 1, 1.0, 1.0, 0.0, 0.0,
                        sens="hausse", unite="pourcentage")


def test_rate_words_elide_before_h_and_keep_an_acronym_in_capitals():
    assert rate_qualifiers("Habitants logés", "baisse") == (
        "avec le moins d'habitants logés pour 100 habitants",
        "avec le plus d'habitants logés pour 100 habitants")
    assert rate_qualifiers("RSA socle", "hausse")[0] == "avec le plus de RSA socle pour 100 " \
        "habitants"


def test_the_quarter_is_named_by_its_label_or_else_its_code():
    terr = pd.DataFrame([{"code_qpv": "QP001001", "libelle_qpv": "Les Pins"},
                         {"code_qpv": "QP001002", "libelle_qpv": ""}])
    assert quarter_name(terr, "QP001001") == "Les Pins"
    assert quarter_name(terr, "QP001002") == "QP001002"
    assert quarter_name(terr, "QP009999") == "QP009999"
    assert quarter_name(None, "QP001001") == "QP001001"
    assert quarter_name(terr[["code_qpv"]], "QP001001") == "QP001001"
