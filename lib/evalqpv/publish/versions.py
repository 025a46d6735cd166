"""The same environment on every machine: the key packages' versions compared.

A report must be the same page whichever machine made it, so a cluster's workers need
the versions this machine has: those of every package pinned in requirements.lock (the
direct dependencies of evalqpv when the lock is not beside the installed package),
evalqpv's own version, and Python's. They are compared when the command connects to a
scheduler (every worker then connected), and again by the first task of any worker
(one that joined later): a difference stops the command, or fails that worker's tasks,
with a French message that names the package and both versions.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import __version__

LOCK = Path(__file__).resolve().parents[3] / "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
OWN = "evalqpv"
PYTHON = "Python"
ABSENT = "absent"
SHOWN = 8  # differences listed in a message; the rest are counted


def key_packages(lock: Path = LOCK) -> list[str]:
    """The packages whose versions must match: the lock's pins, or evalqpv's direct
    dependencies (its metadata) for an installation without the lock beside it."""
    if lock.exists():
        names = [m.group(1) for line in lock.read_text(encoding="utf-8").splitlines()
                 if (m := _PIN.match(line))]
    else:
        requires = importlib.metadata.requires(OWN) or []
        names = [m.group(1) for r in requires if "extra ==" not in r
                 if (m := _NAME.match(r))]
    return sorted({_normal(n) for n in names} - {OWN})


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """Python's version, evalqpv's, and each package's, in this process (« absent »
    for a package not installed). Runs on the workers (Client.run)."""
    out = {PYTHON: platform.python_version(), OWN: __version__}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = ABSENT
    return out


def differences(here: Mapping[str, str], there: Mapping[str, str]
                ) -> list[tuple[str, str, str]]:
    """(package, version here, version there) of every key package that differs."""
    return [(name, version, there.get(name, ABSENT)) for name, version in here.items()
            if there.get(name, ABSENT) != version]


def mismatch_message(worker: str, found: list[tuple[str, str, str]]) -> str:
    """In French: which worker, which packages, which versions on each side."""
    shown = "; ".join(f"{name} {theirs} sur ce processus de calcul, {mine} ici"
                      for name, mine, theirs in found[:SHOWN])
    more = len(found) - SHOWN
    if more > 0:
        shown += f" (et {more} autre{'s' if more > 1 else ''})"
    return (f"Le processus de calcul Dask {worker} n'a pas le même environnement que "
            f"cette machine : {shown}. Les rapports doivent être identiques quelle que "
            "soit la machine : installez sur les machines de calcul les versions de "
            "requirements.lock (`make installer` depuis le même dépôt), puis relancez.")


def check_workers(client: Any, here: Mapping[str, str]) -> None:
    """Compare `here` (installed_versions on this machine) with every connected worker;
    raise ClusterError (French) at the first worker that differs or lacks evalqpv."""
    from .cluster import ClusterError  # noqa: PLC0415 - cluster imports this module

    # First with the standard library alone: a worker without evalqpv cannot run the
    # toolkit's own function below.
    own = client.run(importlib.metadata.version, OWN, on_error="return")
    for worker, version in sorted(own.items()):
        if isinstance(version, BaseException):
            raise ClusterError(
                f"La boîte à outils evalqpv n'est pas installée sur le processus de calcul "
                f"Dask {worker} ({type(version).__name__} : {version}) : installez-la "
                "(`make installer` depuis le même dépôt), puis relancez.")
    theirs = client.run(installed_versions, [n for n in here if n not in (PYTHON, OWN)],
                        on_error="return")
    for worker, versions in sorted(theirs.items()):
        if isinstance(versions, BaseException):
            raise ClusterError(
                f"Le processus de calcul Dask {worker} n'a pas pu donner ses versions "
                f"({type(versions).__name__} : {versions}) : son evalqpv est sans doute "
                f"d'une autre version ({own.get(worker)} là-bas, {here.get(OWN)} ici).")
        found = differences(here, versions)
        if found:
            raise ClusterError(mismatch_message(worker, found))


_MINE: dict[tuple[str, ...], dict[str, str]] = {}


def worker_mismatch(expected: Mapping[str, str]) -> str | None:
    """On a worker: None when its versions are `expected`, else the French message
    (computed once per process and list of packages)."""
    if not expected:
        return None
    names = tuple(n for n in expected if n not in (PYTHON, OWN))
    if names not in _MINE:
        _MINE[names] = installed_versions(names)
    found = differences(expected, _MINE[names])
    if not found:
        return None
    from distributed import get_worker  # noqa: PLC0415

    try:
        worker = str(get_worker().address)
    except ValueError:
        worker = "local"
    return mismatch_message(worker, found)
