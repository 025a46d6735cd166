"""The national values kept beside the store: computed once per store, read by later runs.

Before it forks a copy per notebook, the warm process of `evalqpv rapports` computes
the values, rates and distributions of all QPV (report.national.preload_project): 2 to
4 s of CPU, on the critical path of every run, and the same until the store changes.
The first run after a build keeps them beside the store, in
data/processed/.valeurs_nationales.pickle (a dot-file: the manifest does not list it,
and a rebuild, which starts a new folder, drops it); later runs read them in 0,2 s.

The file starts with its key: the store's manifest (its inputs, its outputs and the code
that built it), the code running now, and the versions of Python and of the packages
whose objects it holds. A file of another key, truncated or unreadable, is ignored and
written again. Nothing here ever fails a run: a read-only or full disk only means that
the values are computed each time. The file is read like the project's own code is run:
it is a pickle, written by this toolkit in a folder the evaluator owns.
"""

from __future__ import annotations

import hashlib
import importlib
import pickle
import sys
from pathlib import Path
from typing import Any

from ..settings import ProjectPaths
from ..store.atomic import replace_atomically
from ..store.fingerprint import code_fingerprint

FILE = ".valeurs_nationales.pickle"
PACKAGES = ("pandas", "numpy", "pyarrow", "shapely")  # whose objects the file holds


def snapshot_path(paths: ProjectPaths) -> Path:
    return paths.processed / FILE


def snapshot_key(paths: ProjectPaths) -> str | None:
    """The key of the values computed from this store with this code; None without a
    manifest (a store not built by `construire`: nothing is kept)."""
    try:
        manifest = paths.manifest.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(manifest)
    digest.update(code_fingerprint().encode())
    digest.update(sys.version.encode())
    for name in PACKAGES:
        module = importlib.import_module(name)
        digest.update(f"{name}={getattr(module, '__version__', '')}".encode())
    return digest.hexdigest()


def read_snapshot(paths: ProjectPaths, key: str | None) -> Any:
    """What `write_snapshot` kept under `key`, or None (no file, another key, a file cut
    short or unreadable: the values are computed again)."""
    if key is None:
        return None
    try:
        with snapshot_path(paths).open("rb") as handle:
            if handle.read(len(key) + 1) != key.encode() + b"\n":
                return None
            return pickle.load(handle)
    except Exception:  # any unreadable file only means computing again
        return None


def write_snapshot(paths: ProjectPaths, key: str | None, kept: object) -> None:
    """Keep `kept` beside the store under `key`, atomically (a reader sees the old file
    or the new one); silently nothing when the folder cannot be written."""
    if key is None:
        return
    try:
        with replace_atomically(snapshot_path(paths)) as tmp, tmp.open("wb") as handle:
            handle.write(key.encode() + b"\n")
            pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError):
        pass
