"""Where a quarter stands among QPV, and how its change compares with a counterfactual.

Three questions, answered with descriptive statistics only (no causal claim):

1. Position: the quarter's rank and percentile among all QPV, the QPV of its region and
   of its département (and of its comparable QPV), for one indicator and one year.
2. Comparable QPV: the k QPV nearest to the quarter on standardised baseline variables,
   chosen by a documented, deterministic rule (ties broken by code).
3. Change against the counterfactual: the quarter's change between two years against
   the distribution of changes in each group (a placebo reading: is it unusual?).

Everything here is a pure function of DataFrames and plain values; the store gives the
values (store.load.load_qpv_values) and the territories (store.tables).

Conventions (shared by every function, see also docs/comparaisons.md):

* Values: only store rows with `niveau == "qpv"`, `geographie == "qpv2015"`,
  `statut == "valeur"` and a finite `valeur`, published by a producer: a figure of the
  contract's transcription or of a partner's return exists for one quarter and is never
  ranked (a row citing both a publication and the contract is a publication's). Where a
  key (indicateur, code, annee) still
  has several rows (`conflit == "oui"`), the row with the latest `millesime` wins. A
  merged row cites several publications (`"2021 | 2017"`): its millesime is the latest
  of them; millesimes are compared as strings (four-digit years, so the string order
  is the year order). Equal millesimes: the row that sorts last on
  (source, fichier, ligne, valeur) wins, so the choice never depends on row order.
* Groups: `ensemble_qpv` (every QPV with a value), `qpv_region`, `qpv_departement`
  (from `territoires.csv`) and `qpv_comparables` (the selected comparables). The quarter
  itself is always a member and is counted in `effectif`. A group with fewer than
  `minimum` QPV with a value (the quarter included; 2 by default, 10 in the reports,
  config/comparaison.toml) gives no row: a group of one is never ranked.
* Counts: a count mostly measures a quarter's size. Across territories it is compared
  only as a rate per 100 inhabitants (`rate_values`, unit RATE_UNIT), on the population
  of the census year nearest to the count's year, which the sentences and the
  `denominateur` column state.
* `rang` counts from the highest value: 1 = the highest; ties share the minimum rank
  (1 + number of QPV with a strictly higher value).
* `part_inferieure` = 100 x (QPV of the group with a strictly lower value) / effectif:
  a group of one gives 0, the highest of ten distinct values gives 90.
* A quarter without a value in a year gives no row for that year (and no change row
  for a period where one end is missing): there is nothing to place.
* Comparisons use values rounded to 9 decimals, so that two changes which are equal on
  paper (31.4 - 30.1 and 25.3 - 24.0) are ties and not separated by float noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from .comparison_table import TABLE_COLUMNS, as_table, sort_table, sorted_rows, table_to_csv
from .comparison_text import (
    DEFAULT_QUALIFIERS,
    QUALIFIERS,
    Sens,
    change_sentence,
    change_words,
    position_sentence,
    quarter_name,
    rate_qualifiers,
    value_words,
)
from .groups import (
    GROUPS,
    TIE_DECIMALS,
    Distribution,
    GroupStats,
    NationalGroups,
    SplitColumn,
    Variation,
    group_members,
    group_statistics,
    groups_of,
    periods,
    restrict,
    territory_row,
    value_at,
    variation_of,
    variations,
    warm,
    year_series,
)
from .qpv_values import (
    GEOGRAPHY,
    RATE_SUFFIX,
    RATE_UNIT,
    RATE_WORDS,
    Denominator,
    clean_observations,
    coverage,
    latest_millesime,
    national_years,
    nearest_year,
    rate_values,
    rates_values,
)

# What the comparisons' callers read as `counterfactual.<name>`, wherever it lives.
__all__ = ["GEOGRAPHY", "GROUPS", "QUALIFIERS", "RATE_SUFFIX", "RATE_UNIT", "RATE_WORDS",
           "TABLE_COLUMNS", "TIE_DECIMALS", "Denominator", "Distribution", "GroupStats",
           "NationalGroups", "Sens", "SplitColumn", "Variation", "change_sentence", "change_words",
           "clean_observations", "coverage", "group_members", "group_statistics",
           "latest_millesime", "national_years", "nearest_year", "position_sentence",
           "rate_qualifiers", "rate_values", "rates_values", "sort_table",
           "table_to_csv", "value_words", "periods",
           "variation_of", "variations", "warm"]

DISTANCE_DECIMALS = 10
MINIMUM_GROUP = 2  # the fewest QPV a group needs to be ranked (the quarter included)

# --------------------------------------------------------------------------- groups



# --------------------------------------------------------------------------- position

def position_rows(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                  indicateur: str, annees: Iterable[int] | None = None, *,
                  comparables: Sequence[str] = (), sens: Sens = "neutre",
                  unite: str = "nombre", nom: str | None = None,
                  qualificatifs: tuple[str, str] | None = None,
                  minimum: int = MINIMUM_GROUP,
                  denominateur: Denominator | None = None,
                  national: NationalGroups | None = None) -> pd.DataFrame:
    """The quarter's rank and percentile in each group, for each year it has a value.

    Pass `annees=national_years(values)[indicateur]`: without it, a year known
    only from the contract (the quarter alone) would give groups of one. A group with
    fewer than `minimum` QPV with a value that year gives no row. `denominateur`: for a
    rate per 100 inhabitants (unite RATE_UNIT), the population it is computed on.
    `national`: the groups' distributions kept for every quarter of a run (then
    `values` must hold every QPV's values of the indicator).
    """
    return as_table(_position_records(
        values, territories, quarter, indicateur, annees, comparables=comparables,
        sens=sens, unite=unite, nom=nom, qualificatifs=qualificatifs, minimum=minimum,
        denominateur=denominateur, national=national))


def _position_records(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                      indicateur: str, annees: Iterable[int] | None, *,
                      comparables: Sequence[str], sens: Sens, unite: str, nom: str | None,
                      qualificatifs: tuple[str, str] | None, minimum: int,
                      denominateur: Denominator | None,
                      national: NationalGroups | None) -> list[dict[str, object]]:
    """The rows of `position_rows`, as dicts (a table is built once per indicator)."""
    minimum = max(minimum, MINIMUM_GROUP)  # a group of one is never ranked
    sub = values[values["indicateur"] == indicateur]
    years = sorted(set(int(a) for a in (annees if annees is not None else sub["annee"])))
    label = nom or quarter_name(territories, quarter)
    quals = qualificatifs or QUALIFIERS.get(indicateur, DEFAULT_QUALIFIERS)
    members = {g: group_members(territories, quarter, g, comparables)  # the same every year
               if national is None or g == "qpv_comparables" else None
               for g in groups_of(comparables)}
    # without the national index, each year's values are split once
    by_year = {} if national is not None else \
        {int(cast(int, a)): g for a, g in sub.groupby("annee", sort=False)}
    rows: list[dict[str, object]] = []
    for annee in years:
        series = national.series(sub, indicateur, annee) if national is not None else \
            year_series(by_year.get(annee, sub.iloc[0:0]), indicateur, annee)
        if quarter not in series.index:
            continue
        own = float(series[quarter])  # looked up once, read by every group
        for groupe in groups_of(comparables):
            stats = _stats(series, quarter, groupe, members[groupe], national,
                           (indicateur, annee, "valeur"), own)
            if stats is None or stats.effectif < minimum:
                continue
            words = denominateur.words(annee) if denominateur else ""
            rows.append({
                "indicateur": indicateur, "annee": annee, "annee_debut": None,
                "groupe": groupe, "effectif": stats.effectif,
                "valeur_quartier": own, "rang": stats.rang,
                "part_inferieure": stats.part_inferieure,
                "mediane_groupe": stats.mediane,
                "part_superieure": stats.part_superieure,
                "lecture": position_sentence(
                    label, annee, groupe, stats.effectif, own,
                    stats.part_inferieure, stats.part_superieure, sens=sens,
                    unite=unite, qualificatifs=quals, denominateur=words),
                "denominateur": words,
            })
    return rows


# --------------------------------------------------------------------------- change

def change_rows(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                indicateur: str, annee_debut: int, annee: int, *,
                comparables: Sequence[str] = (), variation: Variation = "absolue",
                sens: Sens = "neutre", unite: str = "nombre", nom: str | None = None,
                seuil: float = 80.0, minimum: int = MINIMUM_GROUP,
                denominateur: Denominator | None = None,
                national: NationalGroups | None = None) -> pd.DataFrame:
    """The quarter's change against each group's changes, one row per group.

    On these rows every statistic (effectif, rang, part_inferieure, mediane_groupe) is
    computed on the same QPV: those of the group with a value both years; a group with
    fewer than `minimum` of them gives no row. `national`: as for `position_rows`.
    """
    return as_table(_change_records(
        values, territories, quarter, indicateur, annee_debut, annee,
        comparables=comparables, variation=variation, sens=sens, unite=unite, nom=nom,
        seuil=seuil, minimum=minimum, denominateur=denominateur, national=national))


def _change_records(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                    indicateur: str, annee_debut: int, annee: int, *,
                    comparables: Sequence[str], variation: Variation, sens: Sens,
                    unite: str, nom: str | None, seuil: float, minimum: int,
                    denominateur: Denominator | None,
                    national: NationalGroups | None) -> list[dict[str, object]]:
    """The rows of `change_rows`, as dicts (a table is built once per indicator)."""
    minimum = max(minimum, MINIMUM_GROUP)  # a group of one is never ranked
    table = national.variations(values, indicateur, annee_debut, annee, variation) \
        if national is not None else variations(values, indicateur, annee_debut, annee,
                                             variation)
    if quarter not in table.index:
        return []
    label = nom or quarter_name(territories, quarter)
    period = (indicateur, annee_debut, annee, variation)
    # the quarter's own figures, looked up once and read by every group
    value, own = value_at(table["valeur"], quarter), value_at(table["variation"], quarter)
    start = value_at(table["valeur_debut"], quarter)
    rows: list[dict[str, object]] = []
    for groupe in groups_of(comparables):
        members = group_members(territories, quarter, groupe, comparables) \
            if national is None or groupe == "qpv_comparables" else None
        level = _stats(table["valeur"], quarter, groupe, members, national,
                       (*period, "valeur"), value)
        move = _stats(table["variation"], quarter, groupe, members, national,
                      (*period, "variation"), own)
        if level is None or move is None or level.effectif < minimum:
            continue
        words = denominateur.words(annee_debut, annee) if denominateur else ""
        rows.append({
            "indicateur": indicateur, "annee": annee, "annee_debut": annee_debut,
            "groupe": groupe, "effectif": level.effectif,
            "valeur_quartier": value, "rang": level.rang,
            "part_inferieure": level.part_inferieure, "mediane_groupe": level.mediane,
            "variation_quartier": own, "variation_mediane": move.mediane,
            "part_variation_inferieure": move.part_inferieure,
            "part_superieure": level.part_superieure,
            "valeur_debut_quartier": start,
            "rang_variation": move.rang,
            "part_variation_superieure": move.part_superieure,
            "ecart_variation": round(own - move.mediane, TIE_DECIMALS),
            "mesure_variation": variation,
            "lecture": change_sentence(
                label, annee_debut, annee, groupe, move.effectif, own, move.mediane,
                move.part_inferieure, move.part_superieure, sens=sens, unite=unite,
                variation=variation, seuil=seuil, denominateur=words),
            "denominateur": words,
        })
    return rows


def _stats(column: pd.Series, quarter: str, groupe: str, members: set[str] | None,
           national: NationalGroups | None, key: tuple[object, ...],
           own: float) -> GroupStats | None:
    """The quarter's statistics in one group of `column` (values indexed by code, the
    quarter's among them; `own`: the quarter's value). All QPV, a région's or a
    département's are looked up in the national index when there is one; the comparable
    QPV are always the quarter's own. None: the group is empty."""
    others = groupe == "qpv_comparables"
    if national is not None and not others:
        return national.distribution(key, column, quarter, groupe).stats(own)
    group = restrict(column, members)
    if group.empty:
        return None
    return group_statistics(group, quarter, median_of_others=others)


def impact_table(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                 indicateur: str, annees: Iterable[int] | None = None,
                 periodes: Iterable[tuple[int, int]] = (), *, comparables: Sequence[str] = (),
                 variation: Variation = "absolue", sens: Sens = "neutre",
                 unite: str = "nombre", nom: str | None = None,
                 seuil: float = 80.0, minimum: int = MINIMUM_GROUP,
                 qualificatifs: tuple[str, str] | None = None,
                 denominateur: Denominator | None = None,
                 national: NationalGroups | None = None) -> pd.DataFrame:
    """Position rows for `annees` and change rows for each (annee_debut, annee) period."""
    values = values[values["indicateur"] == indicateur]  # once, not in every period
    rows = _position_records(values, territories, quarter, indicateur, annees,
                             comparables=comparables, sens=sens, unite=unite, nom=nom,
                             qualificatifs=qualificatifs, minimum=minimum,
                             denominateur=denominateur, national=national)
    for debut, fin in periodes:
        rows += _change_records(values, territories, quarter, indicateur, debut, fin,
                                comparables=comparables, variation=variation, sens=sens,
                                unite=unite, nom=nom, seuil=seuil, minimum=minimum,
                                denominateur=denominateur, national=national)
    # one table, built from rows already in sort_table's order
    return as_table(sorted_rows(rows))


# --------------------------------------------------------------------------- comparables

@dataclass(frozen=True)
class BaselineVariable:
    """One baseline variable: an indicator in a year, optionally on a log scale."""

    indicateur: str
    annee: int
    log: bool = False

    @property
    def name(self) -> str:
        return f"{'log_' if self.log else ''}{self.indicateur}_{self.annee}"


@dataclass(frozen=True)
class Selection:
    """A rule for comparables: variables, how many, and territory columns to share."""

    variables: tuple[BaselineVariable, ...]
    k: int = 10
    same: tuple[str, ...] = ()

    def describe(self) -> str:
        text = ", ".join(v.name for v in self.variables)
        return text + (f" ; même {', '.join(self.same)}" if self.same else "")


def baseline_matrix(values: pd.DataFrame, variables: Sequence[BaselineVariable]) -> pd.DataFrame:
    """One row per QPV (sorted by code), one column per baseline variable; NaN if missing.

    Log variables (population) are NaN when the value is not positive.
    """
    columns = {}
    for var in variables:
        series = year_series(values, var.indicateur, var.annee)
        if var.log:
            series = np.log(series.where(series > 0))
        columns[var.name] = series
    matrix = pd.DataFrame(columns)
    return matrix.sort_index()


def standardise(matrix: pd.DataFrame) -> pd.DataFrame:
    """z-scores per column over every QPV with that value (population sd).

    Standardising over all QPV, not over the candidates, keeps a variable's weight the
    same whatever the restriction; a constant column weighs nothing.
    """
    z = pd.DataFrame(index=matrix.index)
    for column in matrix.columns:
        col = matrix[column]
        std = col.std(ddof=0)
        if pd.isna(std) or std == 0:
            z[column] = col.where(col.isna(), 0.0)
        else:
            z[column] = (col - col.mean()) / std
    return z


def standardised(values: pd.DataFrame, variables: Sequence[BaselineVariable],
                 national: NationalGroups | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline matrix of every QPV and its z-scores: they do not depend on the
    quarter, and are made once per run with the national index."""
    def make() -> tuple[pd.DataFrame, pd.DataFrame]:
        raw = baseline_matrix(values, variables)
        return raw, standardise(raw)

    if national is None:
        return make()
    made: tuple[pd.DataFrame, pd.DataFrame] = national.kept(("baseline", tuple(variables)),
                                                            make)
    return made


def select_comparables(values: pd.DataFrame, quarter: str, selection: Selection,
                       territories: pd.DataFrame | None = None,
                       national: NationalGroups | None = None) -> pd.DataFrame:
    """The k QPV nearest to the quarter on standardised baseline variables.

    Euclidean distance on z-scores (each variable weighs the same), distances rounded to
    10 decimals and ties broken by code, so the list never depends on row order. The
    quarter and QPV with a missing baseline value are excluded; with `same`, only QPV
    sharing the quarter's territory columns (e.g. region) are candidates.
    Returns rang, code, distance, the raw baseline values and, with territories, names.
    `national`: the matrices kept for every quarter of a run (`values` must then hold
    every QPV's values of the variables).
    """
    if not selection.variables:
        raise ValueError("Aucune variable de référence : la sélection est impossible.")
    raw, z = standardised(values, selection.variables, national)
    if quarter not in z.index or z.loc[quarter].isna().any():
        missing = [c for c in raw.columns
                   if quarter not in raw.index or math.isnan(value_at(raw[c], quarter))]
        raise ValueError(f"Le quartier {quarter} n'a pas de valeur pour : "
                         f"{', '.join(missing)} ; choisissez d'autres variables ou années.")
    candidates = z.dropna().drop(index=quarter)
    if selection.same:
        if territories is None:
            raise ValueError("La restriction « même territoire » demande la table des "
                             "territoires.")
        terr = territories.set_index("code_qpv")
        own = territory_row(territories, quarter)
        keep = pd.Series(True, index=candidates.index)
        for column in selection.same:
            other = terr[column].reindex(candidates.index)
            keep &= other == own[column]
        candidates = candidates[keep.to_numpy()]
    distance = np.sqrt(((candidates - z.loc[quarter]) ** 2).sum(axis=1)).round(DISTANCE_DECIMALS)
    out = pd.DataFrame({"code": candidates.index, "distance": distance.to_numpy()})
    out = out.sort_values(["distance", "code"], kind="mergesort").head(selection.k)
    out.insert(0, "rang", range(1, len(out) + 1))
    out = out.merge(raw, left_on="code", right_index=True, how="left")
    if territories is not None:
        labels = territories[["code_qpv", "libelle_qpv", "libelles_communes",
                              "departement"]].rename(columns={"code_qpv": "code"})
        out = out.merge(labels, on="code", how="left")
    return out.reset_index(drop=True)


def comparable_lists(values: pd.DataFrame, quarter: str, selections: Mapping[str, Selection],
                     territories: pd.DataFrame,
                     national: NationalGroups | None = None) -> dict[str, list[str]]:
    """The comparable QPV chosen by each selection rule, by the rule's name."""
    return {name: list(select_comparables(values, quarter, sel, territories, national)["code"])
            for name, sel in selections.items()}


def sensitivity(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                selections: Mapping[str, Selection], indicateur: str, annee: int,
                annee_debut: int | None = None, *, reference: str | None = None,
                variation: Variation = "absolue", sens: Sens = "neutre",
                unite: str = "nombre", nom: str | None = None,
                seuil: float = 80.0,
                chosen: Mapping[str, Sequence[str]] | None = None,
                minimum: int = MINIMUM_GROUP,
                denominateur: Denominator | None = None,
                national: NationalGroups | None = None) -> pd.DataFrame:
    """The comparables analysis under each selection rule, side by side.

    Tells whether a conclusion holds when k or the variables change: overlap with the
    reference list (shared QPV, Jaccard index) and the quarter's position among the
    comparables (level in `annee`, and change since `annee_debut` if given).
    `chosen`: comparable_lists already computed for these selections (the lists do not
    depend on the indicator; `values` then needs only the indicator's rows).
    `national`: as for `position_rows` (the years' values and the period's changes of all
    QPV are then those kept for the run; the comparables are always the quarter's own).
    """
    ref_name = reference or next(iter(selections))
    lists = dict(chosen) if chosen is not None else \
        comparable_lists(values, quarter, selections, territories)
    ref = set(lists[ref_name])
    rows = []
    for name, sel in selections.items():
        codes = lists[name]
        shared = len(ref & set(codes))
        union = len(ref | set(codes))
        row: dict[str, object] = {
            "variante": name, "reference": name == ref_name, "k": sel.k,
            "variables": sel.describe(), "selectionnes": len(codes),
            "communs_reference": shared,
            "jaccard_reference": 100.0 * shared / union if union else math.nan,
        }
        if annee_debut is None:
            table = position_rows(values, territories, quarter, indicateur, [annee],
                                  comparables=codes, sens=sens, unite=unite, nom=nom,
                                  minimum=minimum, denominateur=denominateur,
                                  national=national)
        else:
            table = change_rows(values, territories, quarter, indicateur, annee_debut, annee,
                                comparables=codes, variation=variation, sens=sens,
                                unite=unite, nom=nom, seuil=seuil, minimum=minimum,
                                denominateur=denominateur, national=national)
        mine = table[table["groupe"] == "qpv_comparables"]
        for col in ("effectif", "rang", "part_inferieure", "mediane_groupe",
                    "variation_mediane", "part_variation_inferieure",
                    "part_variation_superieure", "ecart_variation", "lecture"):
            row[col] = mine[col].iloc[0] if len(mine) else None
        row["codes"] = " | ".join(codes)
        rows.append(row)
    return pd.DataFrame(rows)
