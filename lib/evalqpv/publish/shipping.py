"""The project sent to a cluster's workers, for workers that share no folder with the
machine that launches the command.

With a scheduler given (`--planificateur`), the command reads what the reports read of
the project — config/, the notebooks of the batch, and data/processed/ without the files
no report reads — into one `Shipment`, scattered once to every worker (Dask's own
transfer: a worker that joins later gets it from a peer). On each worker process, the
first task writes it into a folder of the worker's own scratch space, a minimal project
root; every task of the batch then runs there, the forked copy's working folder, as it
would in the project itself: `report.prepare` finds the root from it, the store is read
from its Parquet copy, the national values are loaded once per warm process.

The whole Parquet store is sent, once per worker, rather than each quarter's rows with
its tasks: the national comparison (report/national.py) reads every QPV's published
rows, seven rows of the store in ten, whatever the quarter. The CSV store, which no
report reads when its Parquet copy is there, travels as its header line only (the
readers check that it exists).

The shipment also carries the versions of this machine's key packages (publish.versions):
a worker whose environment differs, even one that joined after the check made at
connection, runs none of its tasks and says why.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..settings import ProjectPaths
from .jobs import Job

PREFIX = "evalqpv-projet-"
COMPLETE = ".complet"  # written last: a folder without it was not finished


class ShipmentError(RuntimeError):
    """A file the workers need cannot be sent; the message is French."""


@dataclass(frozen=True)
class Shipment:
    """What a worker needs of the project: files by path relative to the project's root
    (POSIX), and the key packages' versions of the machine that sent them."""

    token: str
    files: dict[str, bytes]
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    @property
    def digest(self) -> str:
        """SHA-256 of the files (names and contents): two identical projects match."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(hashlib.sha256(name.encode()).digest())
            digest.update(hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()


def shipped_files(paths: ProjectPaths, notebooks: Iterable[Path]) -> dict[str, Path | None]:
    """Every file a report reads, by its path relative to the root; None stands for the
    CSV store, sent as its header line when its Parquet copy is there."""
    out: dict[str, Path | None] = {}
    for folder in (paths.config, paths.processed):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not _left_out(paths, path):
                out[_relative(paths, path)] = path
    for notebook in notebooks:
        out[_relative(paths, notebook)] = notebook
    if paths.store_parquet.exists():
        out[_relative(paths, paths.store)] = None
    return out


def _left_out(paths: ProjectPaths, path: Path) -> bool:
    """Files that no report reads: hidden files (an interrupted atomic write's temporary
    files, store.atomic), the spreadsheet copies of CSV files, the previous store, the
    validation report, the error log, and the CSV store when its Parquet copy is there."""
    if any(part.startswith(".") for part in path.relative_to(paths.root).parts):
        return True
    if path.parent == paths.processed and path.name.endswith("_tableur.csv"):
        return True
    if path in (paths.previous_store, paths.validation_report, paths.error_log):
        return True
    return path == paths.store and paths.store_parquet.exists()


def _relative(paths: ProjectPaths, path: Path) -> str:
    try:
        return path.relative_to(paths.root).as_posix()
    except ValueError:
        raise ShipmentError(
            f"{path} est hors du dossier du projet ({paths.root}) : il ne peut pas être "
            "envoyé aux processus de calcul du cluster.") from None


def pack(paths: ProjectPaths, notebooks: Iterable[Path],
         versions: dict[str, str] | None = None) -> Shipment:
    """Read what the workers need (a few megabytes) into one object to scatter."""
    files: dict[str, bytes] = {}
    for name, path in shipped_files(paths, notebooks).items():
        try:
            files[name] = _header(paths.store) if path is None else path.read_bytes()
        except OSError as exc:
            raise ShipmentError(f"{paths.label(path or paths.store)} est illisible "
                                f"({exc.strerror or exc}) : il ne peut pas être envoyé "
                                "aux processus de calcul du cluster.") from exc
    return Shipment(uuid.uuid4().hex, files, dict(versions or {}))


def _header(store: Path) -> bytes:
    with store.open("rb") as handle:
        return handle.readline()


# --------------------------------------------------------------------------- worker side

_ROOTS: dict[str, Path] = {}
_LOCK = threading.Lock()


def scratch() -> Path:
    """This worker's own scratch folder (removed by Dask when the worker ends), or the
    system's temporary folder outside a worker."""
    try:
        from distributed import get_worker  # noqa: PLC0415

        return Path(get_worker().local_directory)
    except (ImportError, ValueError):
        return Path(tempfile.gettempdir())


def unpack(shipment: Shipment, base: Path | None = None) -> Path:
    """The shipped project's root on this machine, written on first use (once per
    process and shipment; the threads of a worker share it)."""
    with _LOCK:
        root = _ROOTS.get(shipment.token)
        if root is not None and (root / COMPLETE).exists():
            return root
        base = base or scratch()
        root = base / f"{PREFIX}{shipment.token}"
        if not (root / COMPLETE).exists():
            _write(shipment, base, root)
        _ROOTS[shipment.token] = root
        return root


def _write(shipment: Shipment, base: Path, root: Path) -> None:
    """Write every file into a fresh folder, then give it its name in one step."""
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{PREFIX}", dir=base))
    try:
        for name, data in shipment.files.items():
            target = staging / name
            if ".." in Path(name).parts or Path(name).is_absolute():
                raise ShipmentError(f"chemin refusé dans l'envoi du projet : {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / COMPLETE).write_text(shipment.token, encoding="utf-8")
        shutil.rmtree(root, ignore_errors=True)  # an unfinished earlier attempt
        os.rename(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def relocate(job: Job, root: Path) -> Job:
    """The same job, its project's files read from `root` (what it writes is written
    by the main process, at the paths it knows)."""
    return replace(job, root=root, notebook=root / job.notebook.relative_to(job.root))


def discard(token: str, base: Path | None = None) -> bool:
    """Remove a shipment's folder from this machine (the run is over); True when there
    was one."""
    with _LOCK:
        root = _ROOTS.pop(token, None) or (base or scratch()) / f"{PREFIX}{token}"
        found = root.exists()
        shutil.rmtree(root, ignore_errors=True)
        return found
