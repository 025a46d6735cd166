"""The national values kept beside the store (report.national_snapshot): the first
preload writes them, the next one reads them instead of computing, keyed by the store
and the code; a file of another key, cut short, or a folder that cannot be written only
means computing again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalqpv.report import counterfactual as cf
from evalqpv.report import map_svg, national
from evalqpv.report import national_snapshot as snapshot
from evalqpv.settings import ProjectPaths
from evalqpv.store.fingerprint import store_is_current, store_state

ROOT = Path(__file__).resolve().parents[1]

CACHES = (national._LOADED, national._RATES, national._TERRITORIES, national._GROUPS,
          national._PRELOADED, map_svg._CACHE)


def forget() -> None:
    """What a new warm process starts with."""
    for cache in CACHES:
        cache.clear()


@pytest.fixture
def project(built_project, tmp_path) -> ProjectPaths:
    """A copy of the built store (the session's own is left without a snapshot)."""
    paths, _ = built_project
    shutil.copytree(paths.config, tmp_path / "config")
    shutil.copytree(paths.processed, tmp_path / "data" / "processed")
    (tmp_path / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    (tmp_path / "data" / "processed" / snapshot.FILE).unlink(missing_ok=True)
    forget()
    yield ProjectPaths(tmp_path)
    forget()


@pytest.fixture
def warms(monkeypatch) -> list[int]:
    """Each computation of the distributions of all QPV, counted."""
    calls: list[int] = []
    real = cf.warm
    monkeypatch.setattr(cf, "warm", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    return calls


def test_the_first_preload_keeps_them_and_the_next_one_reads_them(project, warms):
    national.preload_project(project)
    assert warms and snapshot.snapshot_path(project).exists()
    computed = (dict(national._LOADED), dict(national._RATES), dict(national._GROUPS))
    # the manifest does not list it: the store is still current
    assert store_is_current(project), store_state(project)
    forget()
    computed_warms = len(warms)
    national.preload_project(project)
    assert len(warms) == computed_warms  # read, not computed
    assert list(national._LOADED) == list(computed[0])
    for geography, frame in computed[0][national._key(project.store)].items():
        pd.testing.assert_frame_equal(
            national._LOADED[national._key(project.store)][geography], frame, check_exact=True)
    assert list(national._RATES) == list(computed[1])
    for key, rates in computed[1].items():
        pd.testing.assert_frame_equal(national._RATES[key].frame, rates.frame)
        assert national._RATES[key].used == rates.used
    assert list(national._GROUPS) == list(computed[2])
    for key, groups in computed[2].items():
        restored = national._GROUPS[key]
        assert restored._groups.keys() == groups._groups.keys()
        assert restored._split.keys() == groups._split.keys()
    assert any(groups._split for groups in national._GROUPS.values())
    data = map_svg.load_map_data(project.outlines, project.quarter_links)
    assert data is not None and data.qpv and data.links


def test_what_is_read_is_keyed_by_the_files_there_now(project, tmp_path, monkeypatch):
    """A copied project (other dates, other paths) reads the snapshot made in the first
    one, and its notebooks find the values without reading the store."""
    national.preload_project(project)
    forget()
    other = tmp_path / "copie"
    shutil.copytree(project.root, other)
    paths = ProjectPaths(other)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was read")

    monkeypatch.setattr(national, "load_qpv_rows", no_reading)
    national.preload_project(paths)
    values = national.national_values(paths.store, "qpv2015")
    assert len(values) > 100_000
    assert list(national._LOADED) == [national._key(paths.store)]
    assert national.national_groups(paths, "qpv2015") is next(iter(national._GROUPS.values()))
    assert map_svg.load_map_data(paths.outlines, paths.quarter_links) is next(
        iter(map_svg._CACHE.values()))


def test_another_store_or_another_code_is_computed_again(project, warms, monkeypatch):
    national.preload_project(project)
    forget()
    first = len(warms)
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "un autre code")
    national.preload_project(project)
    assert len(warms) == 2 * first
    forget()
    project.manifest.write_text(project.manifest.read_text(encoding="utf-8") + " ",
                                encoding="utf-8")
    assert snapshot.read_snapshot(project, snapshot.snapshot_key(project)) is None


def test_a_file_cut_short_or_a_folder_that_cannot_be_written_is_no_error(project, warms,
                                                                         monkeypatch):
    national.preload_project(project)
    path = snapshot.snapshot_path(project)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    forget()
    first = len(warms)
    national.preload_project(project)  # computed again, and written again whole
    assert len(warms) == 2 * first
    assert snapshot.read_snapshot(project, snapshot.snapshot_key(project)) is not None

    def refused(path: Path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(snapshot, "replace_atomically", refused)
    path.unlink()
    forget()
    national.preload_project(project)
    assert not path.exists() and national._LOADED


def test_a_store_without_a_manifest_keeps_nothing(project):
    project.manifest.unlink()
    assert snapshot.snapshot_key(project) is None
    national.preload_project(project)
    assert national._LOADED and not snapshot.snapshot_path(project).exists()
