"""The task a Dask worker runs: one report of one quarter, in this worker's warm process
(one per worker process, shared by its threads).

It is a plain function of the installed package, so that any worker started with the
same environment can run it (`dask worker`, or the embedded cluster's). It returns the
files' text; it writes nothing, so that a client that dies leaves nothing half-done.
"""

from __future__ import annotations

import atexit
import os
import socket
import time
from dataclasses import replace

from .forkserver import POOL, ServerGone
from .jobs import Job, Outcome, Rendered

atexit.register(POOL.close)


def run_job(job: Job, limit: float) -> Rendered:
    """Execute one job on this worker; never raise for a notebook's or server's failure."""
    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    server = POOL.get()
    try:
        rendered = server.run(job, limit)
    except ServerGone as exc:
        POOL.discard(server)
        return Rendered(Outcome(
            job.name, False, territoire=job.territoire, where=where,
            seconds=time.perf_counter() - started,
            message=f"notebook « {job.name} » : le processus préchargé s'est arrêté ({exc})"))
    return replace(rendered, outcome=replace(rendered.outcome, where=where))
