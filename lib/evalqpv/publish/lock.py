"""One run at a time on a project: a second `make rapports` started while the first is
running says so and stops, instead of doing the whole work again beside it.

The lock is an advisory lock (flock) on the project's folder itself, opened read-only:
taking it writes nothing (a read-only checkout stays untouched), and the system releases
it when the run ends, however it ends (Ctrl-C, SIGTERM, a crash).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import RunInProgress as RunInProgress  # its historical place


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's lock for the duration of the block, or RunInProgress."""
    fd = os.open(root, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(
                f"Une autre exécution est en cours sur ce projet ({root}) : elle produit déjà "
                "le stock et les rapports. Attendez qu'elle se termine puis relancez : seul "
                "ce qui reste à faire sera refait.") from None
        yield
    finally:
        os.close(fd)  # releases the lock
