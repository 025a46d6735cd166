"""A warm process that forks one fresh copy of itself per notebook.

Starting a Jupyter kernel, importing pandas, matplotlib and the report package, and
compiling the export template cost more than most reports' own computations. The
server pays them once (execute.warm_up); then, for each job, it forks: the copy runs the
notebook with everything already in memory and exits. Nothing a notebook does (a
global, a patched module, a pandas option) can reach the next one: each runs in its
own process, copied from the same warm state.

The server enforces the per-notebook time limit (it kills the copy), and dies with its
parent: it reads its requests from a pipe whose end-of-file means the parent is gone,
polls its parent's id, and its copies get SIGKILL when it ends (lifeline).

Protocol on the pipes: a request is a pickled (Job, time limit in seconds); a reply is
a pickled Rendered. Each message is preceded by its length (8 bytes, big-endian).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from ..frenchnumbers import number
from .jobs import Job, Outcome, Rendered
from .lifeline import die_with_parent, parent_alive

HEADER = 8
POLL_S = 0.5
LOG_TAIL = 64_000  # characters of a notebook's own output kept in its log


class ServerGone(RuntimeError):
    """The warm process ended without replying (killed, out of memory...)."""


# --------------------------------------------------------------------------- framing


def send(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(HEADER, "big") + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> Any:
    """The next message, or None at end-of-file."""
    header = _read_exactly(fd, HEADER)
    if header is None:
        return None
    data = _read_exactly(fd, int.from_bytes(header, "big"))
    return None if data is None else pickle.loads(data)


# --------------------------------------------------------------------------- server side


def serve() -> None:
    """The warm process's loop: one request at a time, one forked copy per request."""
    parent = os.getppid()
    requests, replies = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # a stray print never corrupts a reply
    from .execute import warm_up  # noqa: PLC0415 - after the pipes are set aside

    shell = warm_up()
    while True:
        if not _wait_readable(requests, parent, None):
            return
        request = receive(requests)
        if request is None:
            return
        job, limit = request
        rendered = _run_copy(job, float(limit), shell, requests, replies, parent)
        if rendered is None:  # the parent is gone: nobody to reply to
            return
        send(replies, rendered)


def _wait_readable(fd: int, parent: int, deadline: float | None) -> bool:
    """Wait until `fd` is readable; False if the parent disappears or the deadline passes."""
    while True:
        if not parent_alive(parent):
            return False
        timeout = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
        if timeout <= 0:
            return False
        if select.select([fd], [], [], timeout)[0]:
            return True


def _run_copy(job: Job, limit: float, shell: Any, requests: int, replies: int,
              parent: int) -> Rendered | None:
    """Fork, run the job in the copy, collect its reply within `limit` seconds."""
    started = time.perf_counter()
    result_r, result_w = os.pipe()
    output = tempfile.TemporaryFile()
    server = os.getpid()
    pid = os.fork()
    if pid == 0:  # the copy: it runs one notebook and exits
        code = 0
        try:
            os.close(result_r)
            os.close(requests)
            os.close(replies)
            os.setpgid(0, 0)  # its own group: a time-out kills what it started too
            die_with_parent()
            if not parent_alive(server):
                os._exit(1)
            os.dup2(output.fileno(), 1)
            os.dup2(output.fileno(), 2)
            from .execute import render  # noqa: PLC0415 - already imported by warm_up

            send(result_w, render(job, shell))
        except BaseException:  # the copy must exit, whatever happened
            code = 1
        finally:
            os._exit(code)
    os.close(result_w)
    try:
        payload, reason = _collect(pid, result_r, requests, parent, started + limit)
    finally:
        os.close(result_r)
    if reason == "parent":
        _kill(pid)
        return None
    if reason == "delai":
        _kill(pid)
        message = (f"notebook « {job.name} » : arrêté après le délai de {seconds(limit)} s "
                   "sans avoir fini (boucle sans fin, attente ?) ; le dernier rapport valide "
                   "est conservé")
        return _failure(job, message, started, _tail(output))
    _, status = os.waitpid(pid, 0)
    if payload is None:
        how = (f"arrêté par le signal {-os.waitstatus_to_exitcode(status)}"
               if os.WIFSIGNALED(status) else f"code de sortie {os.waitstatus_to_exitcode(status)}")
        return _failure(job, f"notebook « {job.name} » : le processus qui l'exécutait s'est "
                        f"arrêté sans répondre ({how})", started, _tail(output))
    rendered: Rendered = payload
    return Rendered(rendered.outcome, rendered.html, rendered.notebook, rendered.figures,
                    _tail(output))


def _collect(pid: int, fd: int, requests: int, parent: int,
             deadline: float) -> tuple[Rendered | None, str]:
    """Read the copy's reply until end-of-file; (reply, "") or (None, why it stopped)."""
    data = bytearray()
    while True:
        if not parent_alive(parent):
            return None, "parent"
        timeout = min(POLL_S, deadline - time.perf_counter())
        if timeout <= 0:
            return None, "delai"
        ready = select.select([fd, requests], [], [], timeout)[0]
        if requests in ready:  # nothing is sent during a job: this is end-of-file
            return None, "parent"
        if fd in ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            data += chunk
    if len(data) < HEADER:
        return None, ""
    reply: Rendered = pickle.loads(bytes(data[HEADER:]))
    return reply, ""


def seconds(value: float) -> str:
    """A time limit as a user typed it: 600 -> '600', 0.5 -> '0,5'."""
    return number(value, 0 if float(value).is_integer() else 1)


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)


def _tail(output: Any) -> str:
    output.seek(0)
    text = bytes(output.read()).decode("utf-8", errors="replace")
    output.close()
    return text[-LOG_TAIL:]


def _failure(job: Job, message: str, started: float, log: str) -> Rendered:
    return Rendered(Outcome(job.name, False, message=message, territoire=job.territoire,
                            seconds=time.perf_counter() - started), log=log)


# --------------------------------------------------------------------------- client side


class ForkServer:
    """The handle a worker keeps on its warm process."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # One process per notebook already uses the cores: no BLAS threads to fork.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evalqpv.publish.forkserver"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def run(self, job: Job, limit: float, margin: float = 300.0) -> Rendered:
        """Send one job and wait for its reply (the server enforces `limit`; `margin`
        covers its warm-up, and a server that hangs is killed)."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            send(stdin.fileno(), (job, limit))
        except OSError as exc:
            raise ServerGone(str(exc)) from exc
        if not select.select([stdout], [], [], limit + margin)[0]:
            self.close()
            raise ServerGone("aucune réponse")
        reply = receive(stdout.fileno())
        if reply is None:
            raise ServerGone(f"code {self.process.poll()}")
        rendered: Rendered = reply
        return rendered

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # end-of-file: the server returns
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


class ServerPool:
    """The warm processes of one worker process: one per job running at the same time."""

    def __init__(self) -> None:
        self._idle: list[ForkServer] = []
        self._all: list[ForkServer] = []
        self._lock = threading.Lock()

    def prestart(self, count: int) -> None:
        """Start warm processes now, so that they warm up while the cluster starts."""
        with self._lock:
            for _ in range(count - len(self._all)):
                server = ForkServer()
                self._all.append(server)
                self._idle.append(server)

    def acquire(self) -> ForkServer:
        with self._lock:
            while self._idle:
                server = self._idle.pop()
                if server.alive():
                    return server
                self._all.remove(server)
            server = ForkServer()
            self._all.append(server)
            return server

    def release(self, server: ForkServer) -> None:
        with self._lock:
            if server.alive():
                self._idle.append(server)
            else:
                self._all.remove(server)

    def discard(self, server: ForkServer) -> None:
        server.close()
        with self._lock:
            if server in self._all:
                self._all.remove(server)

    def close(self) -> None:
        with self._lock:
            servers, self._all, self._idle = self._all, [], []
        for server in servers:
            server.close()


POOL = ServerPool()


if __name__ == "__main__":
    serve()
