"""A cluster that shares no folder with the machine that launches the command: what is
sent to the workers (publish.shipping), the same environment checked at connection
(publish.versions), and a real `dask scheduler` with two `dask worker` processes that
cannot read the project, whose pages are those of a local run."""

from __future__ import annotations

import glob
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from tests.conftest import copy_of_built
from tests.helpers import free_port, scheduler, stop, worker

from evalqpv import __version__
from evalqpv.publish import run as runner
from evalqpv.publish.cluster import ClusterError
from evalqpv.publish.jobs import make_job
from evalqpv.publish.shipping import (
    COMPLETE,
    ShipmentError,
    discard,
    pack,
    relocate,
    shipped_files,
    unpack,
)
from evalqpv.publish.versions import (
    ABSENT,
    check_workers,
    differences,
    installed_versions,
    key_packages,
    mismatch_message,
    worker_mismatch,
)
from evalqpv.settings import ProjectPaths

BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------- shipping


@pytest.fixture
def tiny(tmp_path: Path) -> ProjectPaths:
    """A project written by hand: what the reports read, and what they never read."""
    files = {
        "config/referentiel.csv": b"id;libelle\n",
        "config/contrat.toml": b'nom = "Contrat"\n',
        "config/.brouillon.csv": b"cache\n",
        "notebooks/emploi.ipynb": b'{"cells": []}',
        "notebooks/exploration.ipynb": b'{"cells": ["autre"]}',
        "data/processed/observations.csv": b"indicateur,valeur\nx,1\ny,2\n",
        "data/processed/observations.parquet": b"PAR1...PAR1",
        "data/processed/observations_tableur.csv": b"indicateur;valeur\n",
        "data/processed/stock_precedent.csv": b"indicateur,valeur\n",
        "data/processed/validation.md": b"# Validation\n",
        "data/processed/territoires.csv": "code;libellé\nQP092005;Cité\n".encode(),
        "data/processed/manifeste.json": b"{}",
        "data/processed/changements.csv": b"indicateur,avant,apres\n",
        "data/processed/changements_tableur.csv": b"indicateur;avant;apres\n",
        "data/processed/.processed.verifie.json": b"{}",
        "data/raw/sig/IPRO_2021.csv": b"brut\n",
        "reports/2025/emploi.html": b"<html>",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return ProjectPaths(tmp_path)


def test_what_is_sent_is_what_reports_read(tiny):
    sent = shipped_files(tiny, [tiny.notebook("emploi")])
    assert sorted(sent) == [
        "config/contrat.toml", "config/referentiel.csv",
        "data/processed/changements.csv", "data/processed/manifeste.json",
        "data/processed/observations.csv", "data/processed/observations.parquet",
        "data/processed/territoires.csv",
        "notebooks/emploi.ipynb"]
    shipment = pack(tiny, [tiny.notebook("emploi")], {"pandas": "3.1.1"})
    # the CSV store travels as its header: the Parquet copy is what reports read
    assert shipment.files["data/processed/observations.csv"] == b"indicateur,valeur\n"
    assert shipment.files["data/processed/territoires.csv"] == \
        "code;libellé\nQP092005;Cité\n".encode()
    assert shipment.versions == {"pandas": "3.1.1"}
    assert shipment.size == sum(len(v) for v in shipment.files.values())


def test_without_a_parquet_copy_the_csv_store_is_sent_whole(tiny):
    tiny.store_parquet.unlink()
    shipment = pack(tiny, [])
    assert shipment.files["data/processed/observations.csv"] == b"indicateur,valeur\nx,1\ny,2\n"


def test_a_notebook_outside_the_project_is_refused_in_french(tiny, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("ailleurs") / "emploi.ipynb"
    elsewhere.write_text("{}", encoding="utf-8")
    with pytest.raises(ShipmentError, match="hors du dossier du projet"):
        pack(tiny, [elsewhere])


def test_the_shipment_becomes_a_project_root_on_the_worker(tiny, tmp_path_factory):
    base = tmp_path_factory.mktemp("travailleur")
    shipment = pack(tiny, [tiny.notebook("emploi")])
    root = unpack(shipment, base)
    assert root.parent == base and (root / COMPLETE).exists()
    for name, data in shipment.files.items():
        assert (root / name).read_bytes() == data
    assert not (root / "data" / "raw").exists() and not (root / "reports").exists()
    assert unpack(shipment, base) == root  # once per process
    job = make_job(tiny, "emploi", 2025, "QP092005", tiny.reports_of_year(2025), "k", "c")
    moved = relocate(job, root)
    assert moved.root == root and moved.notebook == root / "notebooks" / "emploi.ipynb"
    assert moved.html == job.html and moved.key == job.key  # written by the main process
    assert discard(shipment.token, base) and not root.exists()
    assert not discard(shipment.token, base)


def test_a_shipment_with_a_path_that_leaves_its_folder_is_refused(tiny, tmp_path_factory):
    base = tmp_path_factory.mktemp("travailleur")
    shipment = pack(tiny, [])
    shipment.files["../dehors.txt"] = b"x"
    with pytest.raises(ShipmentError, match="chemin refusé"):
        unpack(shipment, base)
    assert not (base.parent / "dehors.txt").exists()
    assert not list(base.iterdir())  # nothing left half-written


# --------------------------------------------------------------------------- versions


def test_the_key_packages_are_the_locks_pins(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("Pandas==3.1.1 \\\n    --hash=sha256:abc\n    # via evalqpv\n"
                    "python_dateutil==2.9.0.post0 \\\n    --hash=sha256:def\n"
                    "evalqpv==0.2.0\n", encoding="utf-8")
    assert key_packages(lock) == ["pandas", "python-dateutil"]
    # without the lock beside the package: evalqpv's own pinned dependencies
    direct = key_packages(tmp_path / "absent.lock")
    assert "pandas" in direct and "dask" in direct and "pytest" not in direct


def test_the_installed_versions_name_python_and_evalqpv():
    found = installed_versions(["pandas", "paquet-qui-n-existe-pas"])
    assert found["Python"] == platform.python_version()
    assert found["evalqpv"] == __version__
    assert found["pandas"].startswith("3.")
    assert found["paquet-qui-n-existe-pas"] == ABSENT


def test_a_different_version_is_named_with_both_versions():
    here = {"Python": "3.12.3", "evalqpv": "0.2.0", "pandas": "3.1.1", "numpy": "2.3.1"}
    there = {"Python": "3.12.3", "evalqpv": "0.2.0", "pandas": "3.0.0"}
    found = differences(here, there)
    assert found == [("pandas", "3.1.1", "3.0.0"), ("numpy", "2.3.1", ABSENT)]
    message = mismatch_message("tcp://10.0.0.5:4000", found)
    assert "tcp://10.0.0.5:4000" in message
    assert "pandas 3.0.0 sur ce processus de calcul, 3.1.1 ici" in message
    assert "numpy absent sur ce processus de calcul, 2.3.1 ici" in message
    assert "requirements.lock" in message


class FakeClient:
    """Client.run as a cluster of two workers answers it, one of them different."""

    def __init__(self, theirs: dict[str, object], own: dict[str, object] | None = None):
        self.theirs, self.own = theirs, own

    def run(self, function, *args, on_error="raise"):
        assert on_error == "return"
        if function.__name__ == "version":  # importlib.metadata.version("evalqpv")
            return self.own or {w: __version__ for w in self.theirs}
        return {worker: (answer if isinstance(answer, Exception) else
                         {**function(*args), **answer})
                for worker, answer in self.theirs.items()}


def test_connection_stops_on_a_worker_with_other_versions():
    here = installed_versions(["pandas", "pyarrow"])
    client = FakeClient({"tcp://a:1": {}, "tcp://b:2": {"pyarrow": "19.0.0"}})
    with pytest.raises(ClusterError) as caught:
        check_workers(client, here)
    message = str(caught.value)
    assert "tcp://b:2" in message and "tcp://a:1" not in message
    assert f"pyarrow 19.0.0 sur ce processus de calcul, {here['pyarrow']} ici" in message
    check_workers(FakeClient({"tcp://a:1": {}, "tcp://b:2": {}}), here)  # same: no error


def test_connection_stops_on_a_worker_without_evalqpv():
    here = installed_versions(["pandas"])
    missing = FakeClient({"tcp://a:1": {}},
                         own={"tcp://a:1": ModuleNotFoundError("evalqpv")})
    with pytest.raises(ClusterError, match="evalqpv n'est pas installée sur le processus "
                                           "de calcul Dask tcp://a:1"):
        check_workers(missing, here)


def test_a_worker_that_joined_later_with_other_versions_runs_no_task():
    mine = installed_versions(["pandas"])
    assert worker_mismatch(mine) is None
    message = worker_mismatch({**mine, "pandas": "2.0.0"})
    assert message is not None and f"pandas {mine['pandas']} sur ce processus de calcul, " \
        "2.0.0 ici" in message


def test_a_scheduler_without_workers_is_said_in_french(monkeypatch):
    from distributed import LocalCluster

    from evalqpv.publish import cluster

    monkeypatch.setattr(cluster, "WORKER_WAIT_S", 0.5)
    with LocalCluster(n_workers=0, processes=False, dashboard_address="127.0.0.1:0",
                      scheduler_kwargs={"dashboard": False}) as empty:
        address = empty.scheduler_address
        with pytest.raises(ClusterError) as caught, \
                cluster.connect(address, 1, versions=installed_versions([])):
            pass
    assert str(caught.value).startswith(
        f"Aucun processus de calcul n'est connecté au planificateur Dask « {address} » "
        "après 0,5 s : lancez `dask worker")


# --------------------------------------------------------------------------- a real cluster


@pytest.mark.filterwarnings("ignore:Mismatched versions found")
def test_a_real_worker_with_another_pandas_is_refused(tiny, tmp_path):
    """A real `dask worker` whose metadata says pandas 0.0.1 (a dist-info placed first on
    its path): the connection stops and names pandas with both versions; and a task sent
    to it anyway (a worker that joined after the check) runs nothing and says why."""
    fake = tmp_path / "faux-paquets"
    (fake / "pandas-0.0.1.dist-info").mkdir(parents=True)
    (fake / "pandas-0.0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pandas\nVersion: 0.0.1\n", encoding="utf-8")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(fake)}
    started = [scheduler(port, tmp_path / "s.log")]
    try:
        started.append(worker(address, tmp_path / "w.log", env=env, cwd=tmp_path))
        here = installed_versions(key_packages())
        from distributed import Client

        from evalqpv.publish.cluster import connect, execute_all

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        with pytest.raises(ClusterError) as caught, connect(address, 1, versions=here):
            pass
        message = str(caught.value)
        assert f"pandas 0.0.1 sur ce processus de calcul, {here['pandas']} ici" in message
        assert message.startswith(f"Le processus de calcul Dask {address[:-len(str(port))]}")
        job = make_job(tiny, "emploi", 2025, "QP092005", tiny.reports_of_year(2025), "k", "c")
        got = []
        with connect(address, 1) as client:  # no check at connection: a late worker
            execute_all(client, [job], 60.0, lambda j: 0, lambda j, r: got.append(r),
                        pack(tiny, [job.notebook], here))
        assert not got[0].outcome.ok
        assert "pandas 0.0.1 sur ce processus de calcul" in got[0].outcome.message
    finally:
        stop(started)


def _outputs(paths: ProjectPaths) -> dict[str, bytes]:
    """Every file a run wrote, but its logs (host, process and duration) and timings."""
    return {p.relative_to(paths.reports).as_posix(): p.read_bytes()
            for p in sorted(paths.reports.rglob("*"))
            if p.is_file() and p.suffix != ".log" and ".durees" not in p.parts}


def _can_hide_folders() -> bool:
    """Workers can get a mount namespace of their own (unshare, Linux)."""
    if shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-Urm", "true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _can_hide_folders(), reason="needs unshare (mount namespaces)")
def test_workers_that_cannot_see_the_project_make_the_pages_of_a_local_run(
        built_project, tmp_path):
    """`dask scheduler` and two `dask worker` processes started from an empty folder, in
    a mount namespace where an empty file system hides the folder of the projects (as
    root, permissions would not stop them): the project does not exist for them. A small
    perimeter (2 quarters, 2 reports) gives, file for file, the pages of the same run on
    the local cluster."""
    here = copy_of_built(built_project[0], tmp_path / "projet")
    local = copy_of_built(built_project[0], tmp_path / "local")
    rapports = ("emploi", "synthese")
    started_at = time.perf_counter()
    assert runner.run(local, perimetre="2B", rapports=rapports, say=lambda _: None) == 0
    local_seconds = time.perf_counter() - started_at

    cwd = Path(tempfile.mkdtemp(prefix="evalqpv-travailleur-"))
    scratch = Path(tempfile.mkdtemp(prefix="evalqpv-brouillon-"))
    hide = ["unshare", "-Urm", "sh", "-c",
            f'mount -t tmpfs cache "{tmp_path}" && exec "$@"', "sh"]
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = scratch / "dask-logs"
    logs.mkdir()
    started = [scheduler(port, logs / "s.log")]
    try:
        for n in (1, 2):
            started.append(worker(address, logs / f"w{n}.log", "--name", f"travailleur-{n}",
                                  "--local-directory", str(scratch / f"w{n}"), prefix=hide,
                                  cwd=cwd))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            # what the workers see: an empty folder, no project
            assert set(client.run(os.getcwd).values()) == {str(cwd)}
            assert all(f == [] for f in client.run(os.listdir, str(cwd)).values())
            assert all(f == [] for f in client.run(os.listdir, str(tmp_path)).values())
            assert set(client.run(os.path.exists, str(here.referentiel)).values()) == {False}
            assert os.path.exists(here.referentiel)  # while this process sees it
        messages: list[str] = []
        started_at = time.perf_counter()
        code = runner.run(here, perimetre="2B", rapports=rapports, planificateur=address,
                          say=messages.append)
        cluster_seconds = time.perf_counter() - started_at
        assert code == 0, messages
        assert any(f"sur le cluster Dask {address} (projet envoyé" in m for m in messages)
        # one log per page, each naming its worker (two pages may take the same time)
        where = [log.read_text(encoding="utf-8").splitlines()[0]
                 for log in here.report_cache.glob("*.log")]
        assert len(where) == 4 and len({w.split(" en ")[0] for w in where}) == 2, where
        mine, theirs = _outputs(local), _outputs(here)
        assert sorted(theirs) == sorted(mine)
        assert sum(name.endswith(".html") for name in mine) >= 4 + 2  # pages, indexes
        assert [n for n in mine if mine[n] != theirs[n]] == []
        with Client(address, timeout="60s") as client:  # nothing left on the workers
            left = client.run(glob.glob, str(scratch / "**" / "evalqpv-projet-*"),
                              recursive=True)
            assert all(found == [] for found in left.values()), left
        print(f"\nlocal : {local_seconds:.1f} s ; planificateur et 2 processus de calcul "
              f"sans le projet : {cluster_seconds:.1f} s")
    finally:
        stop(started)
        for folder in (cwd, scratch):
            shutil.rmtree(folder, ignore_errors=True)
