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
def connect(address: str | None, workers: int, dashboard: bool = False) -> Iterator[Any]:
    """A Dask client on the cluster at `address`, or on a cluster started for this run.

    The local cluster has no dashboard unless asked (`--tableau-de-bord`): its scheduler's
    small HTTP server then listens on a free port of this machine only, so that a program
    holding port 8787 makes no warning, and nothing is offered to the network."""
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
                           dashboard_address=":8787" if dashboard else "127.0.0.1:0",
                           scheduler_kwargs={"dashboard": dashboard},
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def dashboard_line(client: Any) -> str:
    """Where the local cluster's dashboard is, in French (it needs bokeh, which the
    toolkit does not install)."""
    from importlib.util import find_spec  # noqa: PLC0415

    if find_spec("bokeh") is None:
        return ("Tableau de bord Dask : il demande le paquet bokeh, que la boîte à outils "
                "n'installe pas (.venv/bin/pip install bokeh) ; sans lui la page n'affiche "
                f"qu'un message ({client.dashboard_link}).")
    return f"Tableau de bord Dask : {client.dashboard_link}"


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
