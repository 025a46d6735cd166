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
from pathlib import Path

import pandas as pd

from ..settings import parquet_of
from ..store.load import load_qpv_rows
from . import counterfactual as cf

_LOADED: dict[tuple[str, int, int], dict[str, pd.DataFrame]] = {}
_RATES: dict[tuple[object, ...], tuple[pd.DataFrame, dict[str, cf.Denominator]]] = {}


def national_values(store: Path, geography: str) -> pd.DataFrame:
    """clean_observations of the store's published QPV rows in one geography."""
    by_geography = preload(store)
    if geography not in by_geography:  # a geography without any published row
        empty = load_qpv_rows(store, geography)
        by_geography[geography] = cf.clean_observations(empty, geography)
    return by_geography[geography]


def national_rates(store: Path, geography: str, counts: Iterable[str],
                   denominator: str = "population",
                   libelle: str = "population municipale",
                   ) -> tuple[pd.DataFrame, dict[str, cf.Denominator]]:
    """Every count of `counts` per 100 inhabitants of every QPV (counterfactual.rate_values,
    on the census years the denominator is published for all QPV), and the denominator
    used, by rate indicator: computed once per process and version of the store."""
    key = (_key(store), geography, tuple(sorted(set(counts))), denominator, libelle)
    if key not in _RATES:
        _RATES.clear()
        values = national_values(store, geography)
        people = values[values["indicateur"] == denominator]
        years = cf.national_years(people).get(denominator, [])
        frame, used = cf.rates_values(values, [str(c) for c in key[2]], denominator,
                                      libelle=libelle, years=years)
        _RATES[key] = (frame, used)
    return _RATES[key]


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
    source = parquet_of(store) if parquet_of(store).exists() else store
    stat = source.stat()
    return str(source.resolve()), stat.st_mtime_ns, stat.st_size
