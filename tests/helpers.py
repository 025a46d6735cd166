"""What several test modules share: a real Dask cluster started as processes (as on a
cluster), and an indicator of the référentiel written with only what a test changes."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from evalqpv.referentiel import Indicator

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: Sequence[str], log: Path, **options: object) -> subprocess.Popen[bytes]:
    """A process whose error output goes to `log` (where Dask writes)."""
    return subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=log.open("w"),
                            **options)  # type: ignore[call-overload]


def scheduler(port: int, log: Path) -> subprocess.Popen[bytes]:
    return start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                  str(port), "--no-dashboard"], log)


def worker(address: str, log: Path, *extra: str, prefix: Sequence[str] = (),
           **options: object) -> subprocess.Popen[bytes]:
    """A `dask worker` with one process and one thread; `prefix` wraps the command (a
    mount namespace), `extra` adds options (its name, its working folder)."""
    return start([*prefix, str(BIN / "dask"), "worker", address, "--nthreads", "1",
                  "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard", *extra],
                 log, **options)


def stop(started: Sequence[subprocess.Popen[bytes]]) -> None:
    """Terminate the processes, the last started first; kill those that linger."""
    for process in reversed(started):
        process.terminate()
    for process in reversed(started):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def indicator(ind_id: str, section: str, **kw: object) -> Indicator:
    """An indicator of the référentiel with placeholder values but `kw`."""
    base: dict[str, object] = dict(
        id=ind_id, libelle="x", axe="emploi", section=section, objectif="x",
        type="realisation", unite="nombre", sens="hausse", producteur="x", source="x",
        partenaire="x", periodicite="annuelle", definition="x", variable_source="",
        valeur_reference=None, statut_reference="", annee_reference=None, cible=None,
        cible_operateur="", annee_cible=None, cible_texte="", echeance="", note="")
    base.update(kw)
    return Indicator(**base)  # type: ignore[arg-type]
