"""Groups of QPV and where a quarter stands in one: pure functions on tables, and the
national index that computes each group's distribution once per run.

A quarter's rank among all QPV, those of its région or its département, needs the
sorted values and the median of the group; those do not depend on the quarter. The
`NationalGroups` index keeps them per indicator, year and group, and the changes of all
QPV per period, so that the thousand quarters of a run each look themselves up instead
of sorting the same values again (publish.forkserver builds it before forking); the
groups of a région or a département are sorted all at once per column (`SplitColumn`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .qpv_values import RATE_SUFFIX, RATE_UNIT, national_years

GROUPS = ("ensemble_qpv", "qpv_region", "qpv_departement", "qpv_comparables")
TIE_DECIMALS = 9
GROUP_TERRITORY_COLUMN = {"qpv_region": "region", "qpv_departement": "departement"}

Variation = Literal["absolue", "relative"]


def territory_row(territories: pd.DataFrame, quarter: str) -> pd.Series:
    rows = territories[territories["code_qpv"] == quarter]
    if rows.empty:
        raise ValueError(f"Le quartier {quarter} n'est pas dans la table des territoires : "
                         "sa région et son département sont inconnus.")
    return rows.iloc[0]


def group_members(territories: pd.DataFrame, quarter: str, groupe: str,
                  comparables: Sequence[str] = ()) -> set[str] | None:
    """The QPV codes of a group around the quarter (None: no restriction).

    The quarter is always a member, so that it is counted in `effectif`.
    """
    if groupe == "ensemble_qpv":
        return None
    if groupe == "qpv_comparables":
        return set(comparables) | {quarter}
    if groupe in GROUP_TERRITORY_COLUMN:
        column = GROUP_TERRITORY_COLUMN[groupe]
        own = territory_row(territories, quarter)[column]
        return set(territories.loc[territories[column] == own, "code_qpv"]) | {quarter}
    raise ValueError(f"Groupe inconnu : {groupe} (attendu : {', '.join(GROUPS)}).")


def groups_of(comparables: Sequence[str]) -> tuple[str, ...]:
    return GROUPS if len(comparables) else GROUPS[:-1]


def restrict(series: pd.Series, members: set[str] | None) -> pd.Series:
    """The members' values of a series indexed by code, in the series' order."""
    if members is None:
        return series
    found = _member_positions(series, np.array(sorted(members), dtype=object))
    if found is None:
        return series[series.index.isin(members)]
    return series.iloc[found]


@dataclass(frozen=True)
class GroupStats:
    """Where the quarter stands in one group: the group's size (the quarter included),
    its rank from the highest value, the shares of the group strictly below and above
    it, and the group's median."""

    effectif: int
    rang: int
    part_inferieure: float
    part_superieure: float
    mediane: float


def group_statistics(group_values: pd.Series, quarter: str, *,
                     median_of_others: bool = False) -> GroupStats:
    """Rank, shares below/above and median of the quarter within one group's values.

    `median_of_others`: the median of the group without the quarter. A group of
    comparable QPV is the quarter's neighbours, not the quarter: counting it in their
    median would pull the median toward it (with ten neighbours, the quarter is one value
    in eleven). The QPV of a département or all QPV include the quarter, as they do in
    fact. On NumPy arrays: a report asks for a thousand of these, pandas' indexing was
    most of their cost."""
    raw = group_values.to_numpy(dtype=float)
    values = np.round(raw, TIE_DECIMALS)
    where = where_in(group_values, quarter)
    own = values[where]
    n = int(len(values))
    lower = int((values < own).sum())
    higher = int((values > own).sum())
    median_of = np.delete(raw, where) if median_of_others else raw
    return GroupStats(n, higher + 1, 100.0 * lower / n, 100.0 * higher / n,
                      float(pd.Series(median_of).median()))


def where_in(series: pd.Series, code: str) -> int:
    """Position of one QPV in a series indexed by code (the first, if repeated)."""
    found = np.flatnonzero(series.index.to_numpy() == code)
    if not len(found):
        raise KeyError(code)
    return int(found[0])


def value_at(series: pd.Series, code: str) -> float:
    """One QPV's value in a series indexed by code."""
    return float(series.to_numpy(dtype=float)[where_in(series, code)])


# --------------------------------------------------------------------------- national index

@dataclass(frozen=True)
class Distribution:
    """One group's values, as `group_statistics` reads them: sorted after rounding to
    TIE_DECIMALS, and the median of the raw values (a median does not depend on order)."""

    rounded: np.ndarray
    mediane: float

    @classmethod
    def of(cls, raw: np.ndarray) -> Distribution:
        return cls(np.sort(np.round(raw, TIE_DECIMALS)), float(pd.Series(raw).median()))

    def stats(self, own: float) -> GroupStats:
        """`group_statistics` of a member whose raw value is `own` (without
        median_of_others): the same integers and shares, by binary search."""
        value = np.round(own, TIE_DECIMALS)
        n = int(len(self.rounded))
        lower = int(np.searchsorted(self.rounded, value, side="left"))
        higher = n - int(np.searchsorted(self.rounded, value, side="right"))
        return GroupStats(n, higher + 1, 100.0 * lower / n, 100.0 * higher / n,
                          self.mediane)


def year_series(values: pd.DataFrame, indicateur: str, annee: int) -> pd.Series:
    rows = values[(values["indicateur"] == indicateur) & (values["annee"] == annee)]
    series = pd.Series(rows["valeur"].to_numpy(dtype=float), index=rows["code"].to_numpy())
    return series.sort_index()


def variations(values: pd.DataFrame, indicateur: str, annee_debut: int, annee: int,
            variation: Variation = "absolue") -> pd.DataFrame:
    """Each QPV's change between two years (only QPV with a value both years).

    'absolue': value(annee) - value(annee_debut), in the indicator's unit (points for a
    rate); 'relative': percent change, for counts whose level mostly reflects size
    (QPV with a start value <= 0 are left out).
    """
    if annee_debut >= annee:
        raise ValueError(f"L'année de début ({annee_debut}) doit précéder l'année de fin "
                         f"({annee}).")
    start = year_series(values, indicateur, annee_debut)
    end = year_series(values, indicateur, annee)
    codes = start.index.intersection(end.index)
    start, end = start[codes], end[codes]
    if variation == "relative":
        keep = start > 0
        start, end = start[keep], end[keep]
        change = 100.0 * (end / start - 1.0)
    elif variation == "absolue":
        change = end - start
    else:
        raise ValueError(f"Mesure de variation inconnue : {variation} "
                         "(attendu : absolue ou relative).")
    return pd.DataFrame({"valeur_debut": start, "valeur": end,
                         "variation": change.round(TIE_DECIMALS)}).sort_index()


@dataclass
class NationalGroups:
    """The distributions of every group of QPV, computed once per indicator, year (or
    period) and group, whatever the quarter: the quarter's own statistics are then a
    binary search. A group of comparable QPV is the quarter's own and is never kept here.

    `place`: for each QPV code, its région and its département (territories.csv)."""

    place: Mapping[str, Mapping[str, str]]
    _series: dict[tuple[str, int], pd.Series] = field(default_factory=dict)
    _variations: dict[tuple[str, int, int, str], pd.DataFrame] = field(default_factory=dict)
    _groups: dict[tuple[object, ...], Distribution] = field(default_factory=dict)
    _member_codes: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    _kept: dict[tuple[object, ...], Any] = field(default_factory=dict)
    _split: dict[tuple[object, ...], SplitColumn] = field(default_factory=dict)
    _codes: dict[str, tuple[np.ndarray, np.ndarray, dict[str, int]]] = field(
        default_factory=dict)

    @classmethod
    def of(cls, territories: pd.DataFrame) -> NationalGroups:
        first = territories.drop_duplicates("code_qpv", keep="first")  # as territory_row
        place = {column: dict(zip(first["code_qpv"].astype(str), first[column].astype(str),
                                  strict=True))
                 for column in GROUP_TERRITORY_COLUMN.values()}
        return cls(place)

    def series(self, values: pd.DataFrame, indicateur: str, annee: int) -> pd.Series:
        """`year_series` of the indicator's values (all QPV of `values`), kept."""
        key = (indicateur, annee)
        if key not in self._series:
            self._series[key] = year_series(values, indicateur, annee)
        return self._series[key]

    def variations(self, values: pd.DataFrame, indicateur: str, annee_debut: int, annee: int,
                variation: Variation) -> pd.DataFrame:
        """`variations` of all QPV over one period, kept."""
        key = (indicateur, annee_debut, annee, variation)
        if key not in self._variations:
            self._variations[key] = variations(values, indicateur, annee_debut, annee, variation)
        return self._variations[key]

    def kept(self, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        """Anything else every quarter reads alike (the years published for all, the
        values split by indicator, a standardised baseline matrix): made once."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def distribution(self, key: tuple[object, ...], column: pd.Series, quarter: str,
                     groupe: str) -> Distribution:
        """The distribution of `column` (indexed by code) over the quarter's group:
        all QPV, or those of its région or département. `key` names what `column` is
        (indicator, year or period, column name)."""
        if groupe == "ensemble_qpv":
            full: tuple[object, ...] = (*key, groupe)
            if full not in self._groups:
                self._groups[full] = Distribution.of(column.to_numpy(dtype=float))
            return self._groups[full]
        where = self.place[GROUP_TERRITORY_COLUMN[groupe]]
        if quarter not in where:
            raise ValueError(f"Le quartier {quarter} n'est pas dans la table des "
                             "territoires : sa région et son département sont inconnus.")
        full = (*key, groupe, where[quarter])
        if full not in self._groups:
            split = self._split.get((*key, groupe))
            found = split.distribution(self._territory_codes(
                GROUP_TERRITORY_COLUMN[groupe])[2][where[quarter]]) \
                if split is not None else None
            self._groups[full] = found if found is not None else Distribution.of(
                _values_of(column, self._members(groupe, where[quarter])))
        return self._groups[full]

    def split(self, key: tuple[object, ...], column: pd.Series) -> None:
        """Sort `column` once by région and by département, so that any quarter's group
        of `key` is then a slice (`distribution`): done by the warm process for every
        column of all QPV, it spares each copy a search and a sort per group."""
        for groupe, territory_column in GROUP_TERRITORY_COLUMN.items():
            full = (*key, groupe)
            if full not in self._split:
                codes, territory, number = self._territory_codes(territory_column)
                made = SplitColumn.of(column, codes, territory, len(number))
                if made is not None:
                    self._split[full] = made

    def _territory_codes(self, territory_column: str
                         ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """Every known QPV code (sorted), the number of its territory, and the number of
        each territory (in alphabetical order)."""
        if territory_column not in self._codes:
            where = self.place[territory_column]
            codes = np.array(sorted(where), dtype=object)
            number = {name: i for i, name in enumerate(sorted(set(where.values())))}
            self._codes[territory_column] = (
                codes, np.array([number[where[c]] for c in codes], dtype=np.int64), number)
        return self._codes[territory_column]

    def _members(self, groupe: str, own: str) -> np.ndarray:
        """The codes of the QPV of one région or département, sorted."""
        key = (groupe, own)
        if key not in self._member_codes:
            where = self.place[GROUP_TERRITORY_COLUMN[groupe]]
            self._member_codes[key] = np.array(sorted(c for c, v in where.items() if v == own),
                                               dtype=object)
        return self._member_codes[key]


@dataclass(frozen=True)
class SplitColumn:
    """One column of all QPV sorted by territory, then by value, with each territory's
    rounded values and median computed at once: `distribution(territory)` is then the
    `Distribution.of` of that territory's values, without sorting them again.
    Territories are numbered (`NationalGroups._territory_codes`); `slot[n]` is the
    place of territory n in `starts`/`stops`/`medians`, -1 when none of its QPV has a
    value."""

    rounded: np.ndarray
    medians: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    slot: np.ndarray

    @classmethod
    def of(cls, column: pd.Series, codes: np.ndarray, territory: np.ndarray,
           territories: int) -> SplitColumn | None:
        """`codes`: every known QPV code, sorted; `territory`: the number of each one's
        territory (0 to `territories` - 1). None when the column is not indexed by unique
        sorted codes or holds a missing value: its groups are then made one at a time."""
        index = column.index
        raw = column.to_numpy(dtype=float)
        if not (index.is_unique and index.is_monotonic_increasing) or np.isnan(raw).any():
            return None
        wanted = index.to_numpy()
        found = np.searchsorted(codes, wanted)
        known = found < len(codes)
        known[known] = codes[found[known]] == wanted[known]
        numbers, raw = territory[found[known]], raw[known]
        order = np.lexsort((raw, numbers))
        numbers, ordered = numbers[order], raw[order]
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]]) if len(numbers) \
            else np.array([], dtype=np.int64)
        stops = np.r_[starts[1:], len(numbers)].astype(np.int64)
        low, high = starts + (stops - starts - 1) // 2, starts + (stops - starts) // 2
        slot = np.full(territories, -1, dtype=np.int64)
        slot[numbers[starts]] = np.arange(len(starts))
        # the median of a sorted slice, as pandas computes it: the middle value, or the
        # mean of the two middle values (a + b) / 2
        return cls(np.round(ordered, TIE_DECIMALS), (ordered[low] + ordered[high]) / 2,
                   starts, stops, slot)

    def distribution(self, territory: int) -> Distribution | None:
        """Territory number `territory`'s distribution; None when none of its QPV has a
        value."""
        i = int(self.slot[territory])
        if i < 0:
            return None
        return Distribution(self.rounded[self.starts[i]:self.stops[i]], float(self.medians[i]))


def _values_of(column: pd.Series, members: np.ndarray) -> np.ndarray:
    """The values of `column` (indexed by unique codes) for the codes in `members`
    (sorted), in the column's order: a binary search of a few dozen members in a
    sorted index of a thousand codes, where hashing the index would cost a hundred times
    more."""
    values = column.to_numpy(dtype=float)
    found = _member_positions(column, members)
    if found is None:
        return np.asarray(values[column.index.isin(members)], dtype=float)
    return np.asarray(values[found], dtype=float)


def _member_positions(column: pd.Series, members: np.ndarray) -> np.ndarray | None:
    """The positions of the codes of `members` (sorted) in the column's index, in the
    column's order, by binary search; None when the index is not unique and sorted (the
    caller then hashes it). A comparable QPV group restricts a thousand codes to a
    dozen, a thousand times per report."""
    if not (column.index.is_unique and column.index.is_monotonic_increasing):
        return None
    codes = column.index.to_numpy()
    found = np.searchsorted(codes, members)
    inside = found < len(codes)
    found, wanted = found[inside], members[inside]
    return np.sort(found[codes[found] == wanted])


# --------------------------------------------------------------------------- warming

def periods(years: list[int], debut: int) -> list[tuple[int, int]]:
    """The changes shown: over the whole series before the contract; once the series
    reaches the contract, also from the last year before it to the latest."""
    before = [y for y in years if not debut or y < debut]
    out = [(before[0], before[-1])] if len(before) >= 2 else []
    if debut and before and years[-1] >= debut:
        out.append((before[-1], years[-1]))
    return out


def variation_of(unite: str) -> Variation:
    """How a change is measured: in percent for a count or an amount, whose level
    mostly reflects size; in the unit (points for a rate) otherwise."""
    return "relative" if unite in ("nombre", "euros") else "absolue"


def warm(national: NationalGroups, frames: Iterable[pd.DataFrame], units: Mapping[str, str],
         debut: int) -> None:
    """Compute in `national`, for every indicator of `frames` published for all QPV,
    what every quarter's position and change rows read alike: each year's values and
    distribution of all QPV, each period's changes and their distribution, and the
    same columns sorted by région and by département (`SplitColumn`), from which a
    quarter's région or département is a slice. A process does it once, before it forks
    a copy per notebook (publish.forkserver)."""
    for frame in frames:
        years_of = national_years(frame)
        for indicateur, rows in frame.groupby("indicateur", sort=True):
            name = str(indicateur)
            years = years_of.get(name, [])
            columns: list[tuple[tuple[object, ...], pd.Series]] = []
            for annee in years:
                columns.append(((name, annee, "valeur"), national.series(rows, name, annee)))
            unite = units.get(name.removesuffix(RATE_SUFFIX), "")
            unit = RATE_UNIT if name.endswith(RATE_SUFFIX) else unite
            for start, end in periods(years, debut):
                table = national.variations(rows, name, start, end, variation_of(unit))
                period = (name, start, end, variation_of(unit))
                columns += [((*period, c), table[c]) for c in ("valeur", "variation")]
            for key, column in columns:
                national.distribution(key, column, "", "ensemble_qpv")
                national.split(key, column)
