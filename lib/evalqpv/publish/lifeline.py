"""Processes that die with their parent: a `kill -9` of `make rapports` must not leave a
worker behind that goes on writing.

Two mechanisms, because each misses a case: on Linux the kernel sends SIGKILL to a
process whose parent thread ends (prctl PR_SET_PDEATHSIG, set by the child itself);
everywhere, a process watching a pipe from its parent reads end-of-file when the parent
is gone, and one that polls its parent's id sees it change.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send `sig` to this process when its parent thread ends.

    Only for a process whose parent forked it from a thread that lives as long as the
    parent (a single-threaded server): the signal follows the thread, not the process.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return False


def parent_alive(expected: int) -> bool:
    """The parent that started us is still there (an orphan is re-parented)."""
    return os.getppid() == expected
