"""The batch on Dask distributed: the cluster to use, and the loop over its results.

By default the command starts its own cluster inside its process (a scheduler and one
worker per core, each worker a thread that drives a warm process of its own, so that
nothing is installed or started by hand and everything ends with the command). Given a
scheduler's address (`--planificateur`, or EVALQPV_PLANIFICATEUR), it uses that cluster
instead: its workers need the same package, and the project folder at the same path.

Workers only compute: each result comes back here, where the files are written, so
that a failure stays one task's and a client that dies leaves nothing half-written.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .jobs import Job, Outcome, Rendered
from .task import run_job

ENV_SCHEDULER = "EVALQPV_PLANIFICATEUR"


class ClusterError(RuntimeError):
    """The cluster cannot be reached or started; the message is French."""


@contextmanager
def connect(address: str | None, workers: int) -> Iterator[Any]:
    """A Dask client on the cluster at `address`, or on a cluster started for this run."""
    from distributed import Client, LocalCluster  # noqa: PLC0415 - only when there is work

    for name in ("distributed", "tornado"):  # their chatter is not for the evaluator
        logging.getLogger(name).setLevel(logging.ERROR)
    if address:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(
                f"Impossible de joindre le planificateur Dask « {address} » ({exc}). "
                "Vérifiez l'adresse (par exemple tcp://serveur:8786) et que `dask scheduler` "
                "et ses `dask worker` tournent.") from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def execute_all(client: Any, jobs: list[Job], limit: float, priority: Callable[[Job], int],
                done: Callable[[Job, Rendered], None]) -> None:
    """Submit every job, and hand each result to `done` as soon as it arrives."""
    from distributed import as_completed  # noqa: PLC0415

    futures = {}
    for job in jobs:
        key = f"evalqpv-{job.territoire}-{job.name}-{uuid.uuid4().hex[:12]}"
        futures[client.submit(run_job, job, limit, key=key, pure=False,
                              priority=priority(job))] = job
    for future in as_completed(list(futures)):
        job = futures.pop(future)
        try:
            rendered: Rendered = future.result()
        except Exception as exc:  # a worker lost, a task cancelled...
            rendered = Rendered(Outcome(
                job.name, False, territoire=job.territoire,
                message=f"notebook « {job.name} » : la tâche n'a pas abouti sur le cluster "
                f"({type(exc).__name__} : {exc})"))
        future.release()
        done(job, rendered)
