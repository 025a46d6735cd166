"""The batch runner end to end: a perimeter, the time limit, warm processes that share no
state, the same page as papermill's, workers that die with the command, and a real Dask
cluster (separate scheduler and worker processes on 127.0.0.1)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from tests.helpers import free_port, scheduler, stop, worker

from evalqpv.contract_settings import load_contract
from evalqpv.publish import run as runner
from evalqpv.publish.execute import strip_volatile
from evalqpv.publish.export import to_html
from evalqpv.publish.forkserver import ForkServer
from evalqpv.publish.jobs import Call, make_job
from evalqpv.settings import ProjectPaths

BIN = Path(sys.executable).parent


def notebook(path: Path, *sources: str) -> None:
    """A report notebook: the parameters cell, then one code cell per source."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell("annee = None\nterritoire = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("## Test"), params,
                *(nbformat.v4.new_code_cell(s) for s in sources)]
    nbformat.write(nb, path)


def default_year(paths: ProjectPaths) -> int:
    """The year a run without ANNEE evaluates (the contract's last elapsed year)."""
    return load_contract(paths).default_year(time.localtime().tm_year)


def year_of(paths: ProjectPaths) -> int:
    return int(max(p.name for p in paths.reports.iterdir() if p.name.isdigit()))


def test_a_perimeter_gives_every_quarter_its_reports_and_an_index(project_copy):
    paths = project_copy
    messages: list[str] = []
    code = runner.run(paths, perimetre="2B", rapports=("emploi",), say=messages.append)
    assert code == 0, messages
    text = "\n".join(messages)
    expected = default_year(paths)
    assert f"Périmètre : département Haute-Corse (2B), année {expected} : 2 quartiers" in text
    year = paths.reports_of_year(expected)
    for quarter in ("QP02B001", "QP02B002"):
        assert (year / quarter / "emploi.html").exists()
        assert (year / quarter / "index.html").exists()
        assert "Aucun quartier" not in (year / quarter / "emploi.html").read_text("utf-8")
    assert not (year / "emploi.html").exists()  # the contract's quarter is not in 2B
    index = (year / "perimetres" / "2B.html").read_text(encoding="utf-8")
    assert index.count('<a href="../QP02B00') == 2 and "Bastia" in index
    # the reports' header, and a table that scrolls inside itself on a phone
    assert '<header class="entete">' in index
    assert re.search(r'<div class="tableau defile"[^>]*>\s*<table>', index)
    assert re.search(r"\d{2},\d\u00a0% \(20\d\d\)", index)  # a poverty rate, in French
    again: list[str] = []
    assert runner.run(paths, perimetre="2B", rapports=("emploi",), say=again.append) == 0
    assert "2 rapports à jour, 0 à produire" in "\n".join(again)
    assert not any("Exécution" in m for m in again)


def test_a_notebook_that_hangs_is_stopped_and_the_others_go_on(project_copy):
    paths = project_copy
    emploi, transition = paths.notebook("emploi"), paths.notebook("transition")
    notebook(emploi, "print('rapide')")
    notebook(transition, "x = 1")
    assert runner.run(paths, rapports=("emploi", "transition"), say=lambda m: None) == 0
    year = paths.reports_of_year(year_of(paths))
    good = (year / "emploi.html").read_bytes()
    notebook(emploi, "import time\ntime.sleep(1e5)")
    notebook(transition, "x = 2")
    messages: list[str] = []
    started = time.monotonic()
    code = runner.run(paths, rapports=("emploi", "transition"), delai=3, say=messages.append)
    assert time.monotonic() - started < 120
    assert code == 1
    text = "\n".join(messages)
    assert "notebook « emploi » : arrêté après le délai de 3 s" in text, text
    assert "Traceback" not in text
    assert (year / "emploi.html").read_bytes() == good  # the last good report is kept
    assert "x = 2" in (year / "notebooks" / "transition.ipynb").read_text(encoding="utf-8")


def test_one_run_leaves_nothing_to_the_next(project_copy):
    """Two notebooks through the same warm process: what the first changes (a global, a
    module, pandas and matplotlib settings, the environment, the folder) is not there for
    the second."""
    paths = project_copy
    notebook(paths.notebook("fuite"), """
import os, pandas as pd, matplotlib as mpl, evalqpv.vocabulary as v
fuite = 42
pd.set_option("display.max_rows", 3)
mpl.rcParams["font.size"] = 31
v.REPORT_TITLES["fuite"] = "fuite"
os.environ["EVALQPV_FUITE"] = "1"
os.chdir("/")
print(os.getpid())""")
    notebook(paths.notebook("controle"), """
import os, pandas as pd, matplotlib as mpl, evalqpv.vocabulary as v
assert "fuite" not in globals() and "pd" in globals()
assert pd.get_option("display.max_rows") != 3
assert mpl.rcParams["font.size"] != 31
assert "fuite" not in v.REPORT_TITLES
assert "EVALQPV_FUITE" not in os.environ
assert os.getcwd() != "/"
print(os.getpid())""")
    server = ForkServer()
    try:
        first = server.run(make_job(paths, "fuite", 2023, "QP092005", paths.reports / "t", "k",
                                    "c"), 120)
        second = server.run(make_job(paths, "controle", 2023, "QP092005", paths.reports / "t",
                                     "k", "c"), 120)
    finally:
        server.close()
    assert first.outcome.ok, first.outcome.message
    assert second.outcome.ok, second.outcome.message
    pids = [re.findall(r'"(\d+)\\n"', r.notebook) for r in (first, second)]
    assert pids[0] and pids[1] and pids[0] != pids[1]  # each in a process of its own


def test_a_function_runs_in_a_copy_of_the_warm_process(tmp_path):
    """ForkServer.call: a function of the package with its arguments, run in a forked
    copy (not the warm process itself), its value or its error in one line back."""
    server = ForkServer()
    try:
        copy = server.call(Call("os:getpid", (), tmp_path), 60)
        again = server.call(Call("os:getpid", (), tmp_path), 60)
        failed = server.call(Call("math:sqrt", (-1.0,), tmp_path), 60)
    finally:
        server.close()
    assert isinstance(copy.value, int) and copy.value != again.value  # a copy each time
    assert copy.value not in (os.getpid(), server.process.pid) and not copy.error
    assert failed.value is None and failed.error == "ValueError: math domain error"


def test_the_page_is_the_one_papermill_and_a_kernel_give(project_copy):
    import papermill

    paths = project_copy
    job = make_job(paths, "tranquillite", 2023, "QP092005", paths.reports / "t", "k", "c")
    server = ForkServer()
    try:
        ours = server.run(job, 300)
    finally:
        server.close()
    assert ours.outcome.ok, ours.outcome.message
    executed = papermill.execute_notebook(str(job.notebook), None, parameters=job.parameters,
                                          kernel_name="python3", progress_bar=False,
                                          log_output=False, cwd=str(paths.root))
    strip_volatile(executed)
    assert to_html(executed, job) == ours.html
    assert nbformat.writes(executed) == ours.notebook


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_command_leaves_no_worker_and_writes_nothing_after(project_copy):
    paths = project_copy
    for name in ("emploi", "transition"):
        notebook(paths.notebook(name), "import time\ntime.sleep(8)")
    command = subprocess.Popen(
        [sys.executable, "-m", "evalqpv", "--racine", str(paths.root), "rapports",
         "--rapport", "emploi", "--rapport", "transition"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until the notebooks' own processes run
            tree = _descendants(command.pid)
            if sum(len(_descendants(p)) for p in tree) >= 2:  # the warm process's copies
                break
            time.sleep(0.2)
        else:
            pytest.fail("the notebooks never started")
        shared = _shared_memory(tree | {command.pid})
        killed_at = time.monotonic()
        command.send_signal(signal.SIGKILL)
        command.wait()
        while time.monotonic() - killed_at < 10 and any(_alive(p) for p in tree):
            time.sleep(0.1)
        assert not [p for p in tree if _alive(p)], "a worker survived its parent"
        time.sleep(10)  # past the end the notebooks would have reached
        assert not list(paths.reports.rglob("*.html"))
        assert not list(paths.reports.rglob("*.ipynb"))
    finally:
        if command.poll() is None:
            command.kill()
    assert not [path for path in shared if os.path.exists(path)]  # no semaphore left


def _shared_memory(pids: set[int]) -> set[str]:
    """The /dev/shm files (semaphores...) these processes have mapped."""
    found = set()
    for pid in pids:
        try:
            maps = Path(f"/proc/{pid}/maps").read_text()
        except OSError:
            continue
        found |= {line.split()[-1] for line in maps.splitlines() if "/dev/shm/" in line}
    return found


def test_a_real_dask_cluster_runs_a_small_perimeter(project_copy, tmp_path):
    """`dask scheduler` and two `dask worker` processes, as on a cluster: the command
    sends them the project (publish.shipping), and both take tasks."""
    paths = project_copy
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    started = [scheduler(port, logs / "s.log")]
    try:
        for n in (1, 2):
            started.append(worker(address, logs / f"w{n}.log", "--name", f"travailleur-{n}"))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        messages: list[str] = []
        code = runner.run(paths, perimetre="2B", rapports=("emploi", "tranquillite"),
                          planificateur=address, say=messages.append)
        assert code == 0, messages
        assert any(f"sur le cluster Dask {address}" in m for m in messages)
        year = paths.reports_of_year(default_year(paths))
        for quarter in ("QP02B001", "QP02B002"):
            for name in ("emploi", "tranquillite"):
                assert (year / quarter / f"{name}.html").exists()
        where = {log.read_text(encoding="utf-8").splitlines()[0]
                 for log in paths.report_cache.glob("*.log")}
        workers = {re.search(r"sur (\S+:\d+)", w).group(1) for w in where}
        assert len(workers) == 2, where  # both workers took tasks
        assert (year / "perimetres" / "2B.html").exists()
    finally:
        stop(started)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_the_command_in_french_and_leaves_no_worker(project_copy):
    paths = project_copy
    notebook(paths.notebook("emploi"), "import time\ntime.sleep(8)")
    command = subprocess.Popen(
        [sys.executable, "-m", "evalqpv", "--racine", str(paths.root), "rapports",
         "--rapport", "emploi"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until the notebook's own process runs
            tree = _descendants(command.pid)
            if sum(len(_descendants(p)) for p in tree) >= 1:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the notebook never started")
        command.send_signal(signal.SIGTERM)
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 143, (out, err)
    assert "Arrêt demandé (SIGTERM)" in err and "Traceback" not in err + out
    for english in ("Warning", "Error", "Exception", "exited", "closed"):
        assert english not in err, err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in tree):
        time.sleep(0.1)
    assert not [p for p in tree if _alive(p)], "a worker survived the command"
    assert not (paths.reports_of_year(default_year(paths)) / "emploi.html").exists()


def test_the_local_cluster_starts_no_dashboard_and_warns_of_nothing():
    """A program holding port 8787 (another dashboard) makes no warning: without
    --tableau-de-bord the scheduler's HTTP server takes a free port of 127.0.0.1."""
    import warnings

    from evalqpv.publish.cluster import connect

    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:
        pass  # already held by another program: the situation under test
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with connect(None, 1) as client:
                server = client.cluster.scheduler.http_server
                bound = [s.getsockname() for s in server._sockets.values()]
        assert not [w for w in caught if "8787" in str(w.message)], caught
        assert bound and all(host == "127.0.0.1" and port != 8787 for host, port, *_ in bound)
    finally:
        holder.close()


def test_make_rapports_prints_no_english_when_port_8787_is_taken(project_copy):
    """The first hour of a new user: another program holds 8787 (a dashboard, a
    notebook server), and `evalqpv rapports` still says everything in French."""
    paths = project_copy
    notebook(paths.notebook("transition"), "import warnings\n"
             "warnings.warn('a library talking English', DeprecationWarning)\nprint(1)")
    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:
        pass  # already held by another program
    try:
        done = subprocess.run(
            [sys.executable, "-m", "evalqpv", "--racine", str(paths.root), "rapports",
             "--rapport", "transition"], capture_output=True, text=True, check=False,
            timeout=300)
    finally:
        holder.close()
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "transition : terminé" in said
    for english in ("Warning", "Port", "HTTP", "already", "Traceback", "dashboard",
                    "Hosting", "INFO", "Closed"):
        assert english not in said, said
