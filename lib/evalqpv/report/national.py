"""The comparable values of every QPV, loaded once per process.

Every axis report and the synthesis rank the quarter among all QPV: the same two hundred
thousand rows of the store, cleaned the same way (counterfactual.clean_observations),
whatever the quarter. A process keeps them for its life, keyed by the store's file and
its modification: the warm process of `evalqpv rapports` loads them before it forks a
notebook (publish.forkserver), so that every notebook of every quarter it runs reads
them from memory instead of paying one to two seconds each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..contract_settings import load_contract
from ..problems import Problems
from ..referentiel import Referentiel, load_referentiel
from ..settings import ProjectPaths, parquet_of
from ..store.load import load_qpv_rows
from . import counterfactual as cf
from .map_svg import MapData, keep_map_data
from .maps import load_map_data
from .national_snapshot import read_snapshot, snapshot_key, write_snapshot

DENOMINATOR = "population"  # counts are compared per 100 inhabitants of this indicator

_LOADED: dict[tuple[str, int, int], dict[str, pd.DataFrame]] = {}


@dataclass
class _Rates:
    """The rates of every count asked so far, for one store version, geography and
    denominator: each count's rates are computed once, whichever report asks first."""

    frame: pd.DataFrame | None = None
    used: dict[str, cf.Denominator] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)  # counts computed (with or without rates)


_RATES: dict[tuple[object, ...], _Rates] = {}
_TERRITORIES: dict[tuple[str, int, int], pd.DataFrame] = {}
_GROUPS: dict[tuple[object, ...], cf.NationalGroups] = {}
_PRELOADED: set[tuple[object, ...]] = set()  # versions of the inputs preloaded


def national_values(store: Path, geography: str) -> pd.DataFrame:
    """clean_observations of the store's published QPV rows in one geography."""
    by_geography = preload(store)
    if geography not in by_geography:  # a geography without any published row
        empty = load_qpv_rows(store, geography)
        by_geography[geography] = cf.clean_observations(empty, geography)
    return by_geography[geography]


def national_rates(store: Path, geography: str, counts: Iterable[str],
                   denominator: str = DENOMINATOR,
                   libelle: str = "population municipale",
                   ) -> tuple[pd.DataFrame, dict[str, cf.Denominator]]:
    """Every count of `counts` per 100 inhabitants of every QPV (counterfactual.rates_values,
    on the census years the denominator is published for all QPV), and the denominator
    used, by rate indicator.

    Each count's rates are computed once per process and version of the store: the
    preloaded process computes those of every count of the référentiel before it forks
    (`preload_project`), and a notebook only selects its own. A count's rates do not
    depend on the other counts computed with it, so the selection is the frame that
    `rates_values` would have returned for `counts` alone."""
    key = (_key(store), geography, denominator, libelle)
    if key not in _RATES:
        for old in [k for k in _RATES if k[0] != key[0]]:
            del _RATES[old]  # an older store's rates are of no further use
        _RATES[key] = _Rates()
    known = _RATES[key]
    names = sorted({str(c) for c in counts})
    missing = [n for n in names if n not in known.asked]
    if missing or known.frame is None:
        values = national_values(store, geography)
        people = values[values["indicateur"] == denominator]
        years = cf.national_years(people).get(denominator, [])
        more, used = cf.rates_values(values, missing, denominator, libelle=libelle,
                                     years=years)
        frames = [f for f in (known.frame, more) if f is not None]
        known.frame = pd.concat(frames, ignore_index=True).sort_values(
            ["indicateur", "annee", "code"], kind="mergesort").reset_index(drop=True) \
            if len(frames) > 1 else more
        known.used.update(used)
        known.asked.update(missing)
    wanted = {n + cf.RATE_SUFFIX for n in names}
    mine = known.frame[known.frame["indicateur"].isin(wanted)].reset_index(drop=True)
    return mine, {k: v for k, v in known.used.items() if k in wanted}


def national_territories(paths: ProjectPaths) -> pd.DataFrame:
    """territoires.csv (every QPV, its communes, département and région), read once per
    version of the file."""
    key = _version(paths.territories)
    if key not in _TERRITORIES:
        _TERRITORIES.clear()
        _TERRITORIES[key] = pd.read_csv(paths.territories, dtype=str, keep_default_na=False)
    return _TERRITORIES[key]


def national_groups(paths: ProjectPaths, geography: str) -> cf.NationalGroups:
    """The distributions of every group of QPV (counterfactual.NationalGroups), kept for
    every quarter this process reports on, per version of the store and geography."""
    key = (_key(paths.store), _version(paths.territories), geography)
    if key not in _GROUPS:
        for old in [k for k in _GROUPS if k[:2] != key[:2]]:
            del _GROUPS[old]
        _GROUPS[key] = cf.NationalGroups.of(national_territories(paths))
    return _GROUPS[key]


def rate_counts(referentiel: Referentiel) -> list[str]:
    """The counts of the référentiel compared among QPV per 100 inhabitants."""
    return [i.id for i in referentiel.indicators.values()
            if i.unite == "nombre" and i.id != DENOMINATOR]


def denominator_label(referentiel: Referentiel) -> str:
    """The denominator's name as a reader sees it (« population municipale »)."""
    return referentiel[DENOMINATOR].libelle.lower() if DENOMINATOR in referentiel \
        else DENOMINATOR


def preload_project(paths: ProjectPaths) -> None:
    """Read and compute once, before a process forks a copy per notebook, everything
    the notebooks of any quarter read alike: the values of all QPV, the rates per 100
    inhabitants of every count of the référentiel, the distributions of all QPV per
    indicator, year and period (counterfactual.warm), and the outlines of the maps.

    The warm process calls it before each copy it forks: done once per version of the
    store and of the configuration, it then returns at once. What it computes is kept
    beside the store (report.national_snapshot): the next run reads it instead."""
    if not paths.store.exists():
        load_qpv_rows(paths.store)  # raises StoreMissing, with its message
    # The files every notebook reads alike (configuration, territories, the store's rows
    # kept in memory): each reader compares its files with what it read (0,3 ms in all),
    # so that a file edited while the warm process lives is read again before the next
    # copy, not by each copy (report.loading.preload_inputs).
    from .loading import preload_inputs  # noqa: PLC0415 - it imports this module
    preload_inputs(paths)
    done = (_key(paths.store), *(_version(f) if f.exists() else (str(f), 0, 0) for f in (
        paths.territories, paths.referentiel, paths.contract, paths.comparison,
        paths.outlines, paths.quarter_links)))
    if done in _PRELOADED:
        return
    _PRELOADED.clear()
    key = snapshot_key(paths)
    stored = read_snapshot(paths, key)
    if isinstance(stored, Kept):
        stored.restore(paths)
    elif _compute(paths):
        write_snapshot(paths, key, Kept.of(paths))
    _PRELOADED.add(done)


def _compute(paths: ProjectPaths) -> bool:
    """preload_project's work; False when the configuration has errors (the values only
    are loaded, and nothing is kept beside the store)."""
    by_geography = preload(paths.store)
    problems = Problems()
    contract = load_contract(paths, problems)
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                   problems, contract)
    if not problems.errors:
        units = {i.id: i.unite for i in referentiel.indicators.values()}
        for geography, values in by_geography.items():
            rates, _ = national_rates(paths.store, geography, rate_counts(referentiel),
                                      DENOMINATOR, denominator_label(referentiel))
            if paths.territories.exists():
                groups = national_groups(paths, geography)
                cf.warm(groups, (values, rates), units, contract.debut)
                # the comparable QPV's rules are the impact section's own
                from .impact_data import warm  # noqa: PLC0415 - it imports this module
                warm(paths, referentiel, contract.baseline_year, values, rates, groups)
    load_map_data(paths.outlines, paths.quarter_links)
    return not problems.errors


@dataclass
class Kept:
    """What preload_project computes, without the versions of the files it read (on
    restore, those of the files there now: a copied project reads its own)."""

    values: dict[str, pd.DataFrame]
    rates: dict[tuple[object, ...], _Rates]  # (geography, denominator, its name)
    territories: pd.DataFrame | None
    groups: dict[str, cf.NationalGroups]  # by geography
    map_data: MapData | None

    @classmethod
    def of(cls, paths: ProjectPaths) -> Kept:
        store = _key(paths.store)
        places = _version(paths.territories) if paths.territories.exists() else None
        return cls(_LOADED[store], {k[1:]: r for k, r in _RATES.items() if k[0] == store},
                   _TERRITORIES.get(places) if places else None,
                   {str(k[2]): g for k, g in _GROUPS.items() if k[:2] == (store, places)},
                   load_map_data(paths.outlines, paths.quarter_links))

    def restore(self, paths: ProjectPaths) -> None:
        """Put back in this process's caches, keyed by the files there now."""
        store = _key(paths.store)
        _LOADED.clear()
        _LOADED[store] = self.values
        _RATES.clear()
        _RATES.update({(store, *k): r for k, r in self.rates.items()})
        _TERRITORIES.clear()
        _GROUPS.clear()
        if self.territories is not None and paths.territories.exists():
            places = _version(paths.territories)
            _TERRITORIES[places] = self.territories
            _GROUPS.update({(store, places, geo): g for geo, g in self.groups.items()})
        if self.map_data is not None and paths.outlines.exists():
            keep_map_data(paths.outlines, paths.quarter_links, self.map_data)


def preload(store: Path) -> dict[str, pd.DataFrame]:
    """Every geography's values, read once for this version of the store."""
    if not store.exists():
        load_qpv_rows(store)  # raises StoreMissing, with its message
    key = _key(store)
    if key not in _LOADED:
        _LOADED.clear()  # an older store's values are of no further use
        rows = load_qpv_rows(store)
        _LOADED[key] = {str(geo): cf.clean_observations(part, str(geo))
                        for geo, part in rows.groupby("geographie", sort=True)}
    return _LOADED[key]


def _key(store: Path) -> tuple[str, int, int]:
    """The file a reading comes from (the Parquet copy when there is one), and its
    version: a rebuilt store is read again."""
    return _version(parquet_of(store) if parquet_of(store).exists() else store)


def _version(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size
