"""The batch on Dask distributed: the cluster to use, and the loop over its results.

By default the command starts its own cluster inside its process (a scheduler and one
worker per core, each worker a thread that drives a warm process of its own, so that
nothing is installed or started by hand and everything ends with the command). Given a
scheduler's address (`--planificateur`, or EVALQPV_PLANIFICATEUR), it uses that cluster
instead: its workers need the same packages (checked at connection, publish.versions),
and nothing of the project: what the reports read is sent to them once
(publish.shipping).

Workers only compute: each result comes back here, where the files are written, so
that a failure stays one task's and a client that dies leaves nothing half-written.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ClusterError as ClusterError  # its historical place
from .forkserver import seconds
from .jobs import Job, Outcome, Rendered
from .shipping import Shipment, discard
from .task import run_job

ENV_SCHEDULER = "EVALQPV_PLANIFICATEUR"
WORKER_WAIT_S = 120.0  # for a cluster that starts its workers on demand


@contextmanager
def connect(address: str | None, workers: int, dashboard: bool = False,
            versions: dict[str, str] | None = None) -> Iterator[Any]:
    """A Dask client on the cluster at `address`, or on a cluster started for this run.

    On an existing cluster, every connected worker must have `versions` (this machine's
    key packages, publish.versions): a difference raises ClusterError, in French.

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
            if versions is not None:
                from .versions import check_workers  # noqa: PLC0415

                _wait_for_a_worker(client, address)
                check_workers(client, versions)
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


def _wait_for_a_worker(client: Any, address: str) -> None:
    """Return once a worker is connected (the project is sent to those there)."""
    timeout = WORKER_WAIT_S
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        raise ClusterError(
            f"Aucun processus de calcul n'est connecté au planificateur Dask « {address} » "
            f"après {seconds(timeout)} s : lancez `dask worker {address}` sur les machines "
            "de calcul, puis relancez.") from exc


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
                done: Callable[[Job, Rendered], None],
                shipment: Shipment | None = None) -> None:
    """Submit every job, and hand each result to `done` as soon as it arrives.

    With a `shipment`, it is scattered once to every worker and each task reads the
    project from it; its copies are removed from the workers at the end."""
    if shipment is None:
        _submit_all(client, jobs, limit, priority, done, ())
        return
    try:
        sent = client.scatter(shipment, broadcast=True, hash=False)
    except Exception as exc:  # a worker lost, the scheduler gone...
        raise ClusterError(f"L'envoi du projet aux processus de calcul a échoué "
                           f"({type(exc).__name__} : {exc}).") from exc
    try:
        _submit_all(client, jobs, limit, priority, done, (sent,))
    finally:
        sent.release()
        try:
            client.run(discard, shipment.token, on_error="ignore")
        except Exception:  # a worker's scratch folder goes with it anyway
            pass


def _submit_all(client: Any, jobs: list[Job], limit: float, priority: Callable[[Job], int],
                done: Callable[[Job, Rendered], None], extra: tuple[Any, ...]) -> None:
    from distributed import as_completed  # noqa: PLC0415

    futures = {}
    for job in jobs:
        key = f"evalqpv-{job.territoire}-{job.name}-{uuid.uuid4().hex[:12]}"
        futures[client.submit(run_job, job, limit, *extra, key=key, pure=False,
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
