"""The task a Dask worker runs: one report of one quarter, in this worker's warm process
(one per worker process, shared by its threads).

It is a plain function of the installed package, so that any worker started with the
same environment can run it (`dask worker`, or the embedded cluster's). It returns the
files' text; it writes nothing of the reports, so that a client that dies leaves nothing
half-done (on a cluster without a shared folder, it only writes the project it was sent
into the worker's scratch folder: publish.shipping).
"""

from __future__ import annotations

import atexit
import os
import socket
import time
from dataclasses import replace

from .forkserver import POOL, ServerGone
from .jobs import Job, Outcome, Rendered
from .shipping import Shipment, ShipmentError, relocate, unpack
from .versions import worker_mismatch

atexit.register(POOL.close)


def run_job(job: Job, limit: float, shipment: Shipment | None = None) -> Rendered:
    """Execute one job on this worker; never raise for a notebook's or server's failure.

    With a `shipment` (a cluster that shares no folder), the job reads the project from
    the shipment's copy on this worker (publish.shipping), once its versions checked."""
    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    if shipment is not None:
        problem = worker_mismatch(shipment.versions)
        if problem:
            return Rendered(Outcome(job.name, False, territoire=job.territoire, where=where,
                                    message=f"notebook « {job.name} » : {problem}"))
        try:
            job = relocate(job, unpack(shipment))
        except (OSError, ShipmentError) as exc:
            return Rendered(Outcome(
                job.name, False, territoire=job.territoire, where=where,
                seconds=time.perf_counter() - started,
                message=f"notebook « {job.name} » : le projet envoyé n'a pas pu être écrit "
                f"sur le processus de calcul ({type(exc).__name__} : {exc})"))
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
