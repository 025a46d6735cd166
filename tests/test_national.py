"""The values of all QPV, loaded once per process: the same frame as a direct reading,
read again only when the store changes, and loaded by the warm process before it forks."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from evalqpv.publish import forkserver
from evalqpv.publish.jobs import make_job
from evalqpv.report import counterfactual as cf
from evalqpv.report import national
from evalqpv.report.national_snapshot import snapshot_path
from evalqpv.settings import ProjectPaths
from evalqpv.store import load as store_load
from evalqpv.store.load import StoreMissing, load_qpv_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_cache():
    caches = (national._LOADED, national._RATES, national._GROUPS, national._PRELOADED)
    for cache in caches:
        cache.clear()
    yield
    for cache in caches:
        cache.clear()


def test_the_same_values_as_a_direct_reading(built_project, fresh_cache):
    paths, _ = built_project
    direct = cf.clean_observations(load_qpv_rows(paths.store, "qpv2015"), "qpv2015")
    cached = national.national_values(paths.store, "qpv2015")
    assert len(direct) > 100_000
    pd.testing.assert_frame_equal(cached, direct)
    empty = national.national_values(paths.store, "qpv2099")
    assert empty.empty and list(empty.columns) == list(direct.columns)


def test_read_once_then_again_when_the_store_changes(built_project, fresh_cache,
                                                     tmp_path, monkeypatch):
    paths, _ = built_project
    store = tmp_path / "observations.csv"
    shutil.copy(paths.store, store)
    shutil.copy(paths.store_parquet, tmp_path / "observations.parquet")
    reads: list[object] = []
    real = store_load.load_qpv_rows

    def counting(path, geographie=None):
        reads.append(geographie)
        return real(path, geographie)

    monkeypatch.setattr(national, "load_qpv_rows", counting)
    first = national.national_values(store, "qpv2015")
    assert national.national_values(store, "qpv2015") is first
    assert reads == [None]
    parquet = tmp_path / "observations.parquet"
    stat = parquet.stat()
    os.utime(parquet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a rebuilt store
    national.national_values(store, "qpv2015")
    assert reads == [None, None]


def test_a_missing_store_says_so(tmp_path, fresh_cache):
    with pytest.raises(StoreMissing, match="make construire"):
        national.national_values(tmp_path / "observations.csv", "qpv2015")


def test_the_warm_process_loads_them_before_forking(built_project, fresh_cache, tmp_path):
    paths, _ = built_project
    shipped = make_job(ProjectPaths(ROOT), "emploi", 2025, "QP092005", tmp_path, "k", "c")
    forkserver._preload(replace(shipped, root=paths.root))
    assert [key[0] for key in national._LOADED] == [str(paths.store_parquet.resolve())]
    # a project without a store: nothing loaded, nothing raised (the copy will say why)
    national._LOADED.clear()
    forkserver._preload(replace(shipped, root=tmp_path / "vide"))
    assert not national._LOADED


def test_rates_asked_in_pieces_are_those_of_one_reading(built_project, fresh_cache):
    """The rates kept per process: a report asking for two counts gets the frame that
    rates_values gives for these two alone, whatever was computed before."""
    paths, _ = built_project
    values = national.national_values(paths.store, "qpv2015")
    people = values[values["indicateur"] == "population"]
    years = cf.national_years(people)["population"]
    counts = sorted(set(values["indicateur"]) - {"population"})[:4]
    assert len(counts) == 4
    national.national_rates(paths.store, "qpv2015", counts[2:])
    mine, used = national.national_rates(paths.store, "qpv2015", counts[:3])
    direct, direct_used = cf.rates_values(values, counts[:3], years=years)
    pd.testing.assert_frame_equal(mine, direct)
    assert used == direct_used


def test_the_warm_process_computes_the_distributions_of_all_qpv(built_project, fresh_cache,
                                                                tmp_path):
    paths, _ = built_project
    shipped = make_job(ProjectPaths(ROOT), "emploi", 2025, "QP092005", tmp_path, "k", "c")
    forkserver._preload(replace(shipped, root=paths.root))
    (groups,) = [g for k, g in national._GROUPS.items() if k[2] == "qpv2015"]
    assert any(key[-1] == "ensemble_qpv" and str(key[0]).endswith(cf.RATE_SUFFIX)
               for key in groups._groups)


def test_preloading_again_the_same_inputs_does_nothing(built_project, fresh_cache,
                                                       monkeypatch):
    """The warm process preloads before every copy it forks: only the first time may
    cost anything, until the store or the configuration changes."""
    paths, _ = built_project
    snapshot_path(paths).unlink(missing_ok=True)  # computed, not read (test_national_snapshot)
    calls: list[int] = []
    real = cf.warm
    monkeypatch.setattr(cf, "warm", lambda *a, **k: (calls.append(1), real(*a, **k)))
    national.preload_project(paths)
    first = len(calls)
    assert first >= 1
    national.preload_project(paths)
    assert len(calls) == first
    # what it keeps is keyed by the versions of its inputs (the store, the territories,
    # the référentiel, the contract, the comparison rules, the outlines)
    (done,) = national._PRELOADED
    assert done[0] == national._key(paths.store)
    assert str(paths.referentiel.resolve()) in {str(part[0]) for part in done}
