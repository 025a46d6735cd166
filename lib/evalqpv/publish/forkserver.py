"""A warm process that forks one fresh copy of itself per notebook.

Starting a Jupyter kernel, importing pandas, matplotlib and the report package, and
compiling the export template cost more than many reports' own computations. The
server pays them once per worker process (execute.warm_up); then, for each job, it
forks: the copy runs the notebook with everything already in memory and exits. Several
copies run at once (one per job the worker's threads send), all from the same warm
state. Nothing a notebook does (a global, a patched module, a pandas option) can reach
another one: each runs in its own process.

The server enforces the per-notebook time limit (it kills the copy), and dies with its
parent: it reads its requests from a pipe whose end-of-file means the parent is gone,
polls its parent's id, and its copies get SIGKILL when it ends (lifeline).

Protocol on the pipes: a request is a pickled (id, Job, time limit in seconds); a reply
is a pickled (id, Rendered). A request may also be a Call (a function of the package
with its arguments), whose reply is a Called. Each message is preceded by its length
(8 bytes, big-endian).
"""

from __future__ import annotations

import gc
import importlib
import itertools
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import IO, Any

from ..errors import ServerGone as ServerGone  # its historical place
from ..frenchnumbers import number
from .jobs import Call, Called, Job, Outcome, Rendered
from .lifeline import die_with_parent, parent_alive

HEADER = 8
POLL_S = 0.5
LOG_TAIL = 64_000  # characters of a notebook's own output kept in its log


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


def seconds(value: float) -> str:
    """A time limit as a user typed it: 600 -> '600', 0.5 -> '0,5'."""
    return number(value, 0 if float(value).is_integer() else 1)


# --------------------------------------------------------------------------- server side


@dataclass
class _Copy:
    """One notebook running in a forked copy, seen from the server."""

    ident: int
    job: Job | Call
    limit: float
    pid: int
    fd: int
    output: IO[bytes]
    started: float = field(default_factory=time.perf_counter)
    data: bytearray = field(default_factory=bytearray)

    @property
    def deadline(self) -> float:
        return self.started + self.limit


def serve() -> None:
    """The warm process's loop: requests in, one forked copy each, replies out."""
    parent = os.getppid()
    requests, replies = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # a stray print never corrupts a reply
    from .execute import warm_up  # noqa: PLC0415 - after the pipes are set aside

    shell = warm_up()
    # What the warm-up loaded is shared by every copy: kept out of the collector's reach,
    # a collection in a copy does not touch (and so copy) those pages.
    gc.freeze()
    running: dict[int, _Copy] = {}
    try:
        while parent_alive(parent):
            now = time.perf_counter()
            for copy in [c for c in running.values() if c.deadline <= now]:
                del running[copy.fd]
                send(replies, (copy.ident, _timed_out(copy)))
            wait = min([POLL_S, *(c.deadline - now for c in running.values())])
            ready = select.select([requests, *running], [], [], max(wait, 0.0))[0]
            if requests in ready:
                request = receive(requests)
                if request is None:  # the parent is gone: nobody to reply to
                    return
                ident, job, limit = request
                _preload(job)
                copy = _fork(ident, job, float(limit), shell, requests, replies)
                running[copy.fd] = copy
            for fd in ready:
                if fd == requests or fd not in running:
                    continue
                chunk = os.read(fd, 1 << 20)
                if chunk:
                    running[fd].data += chunk
                else:
                    copy = running.pop(fd)
                    send(replies, (copy.ident, _finished(copy)))
    finally:
        for copy in running.values():
            _kill(copy.pid)


def _preload(job: Job | Call) -> None:
    """Load in the warm process what every notebook of the job's project reads alike
    (the values, rates and distributions of all QPV, the maps' outlines), so that its
    copies find it in memory. Never fails: a copy that lacks it loads it itself, and
    says what went wrong."""
    try:
        from ..report.national import preload_project  # noqa: PLC0415 - already imported
        from ..settings import ProjectPaths  # noqa: PLC0415

        preload_project(ProjectPaths(job.root))
        gc.freeze()  # the new values too: copies do not touch their pages
    except Exception:  # the copy loads it itself and reports the problem
        pass


def _fork(ident: int, job: Job | Call, limit: float, shell: Any, requests: int,
          replies: int) -> _Copy:
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

            send(result_w, invoke(job) if isinstance(job, Call) else render(job, shell))
        except BaseException:  # the copy must exit, whatever happened
            code = 1
        finally:
            os._exit(code)
    os.close(result_w)
    return _Copy(ident, job, limit, pid, result_r, output)


def invoke(call: Call) -> Called:
    """Run a Call; never raise (the error, in one line, is its reply)."""
    try:
        module, name = call.function.split(":")
        return Called(getattr(importlib.import_module(module), name)(*call.args))
    except Exception as exc:
        return Called(error=traceback.format_exception_only(exc)[-1].strip())


def _finished(copy: _Copy) -> Rendered | Called:
    os.close(copy.fd)
    _, status = os.waitpid(copy.pid, 0)
    log = _tail(copy.output)
    if len(copy.data) <= HEADER:
        code = os.waitstatus_to_exitcode(status)
        how = f"arrêté par le signal {-code}" if code < 0 else f"code de sortie {code}"
        return _failure(copy, f"notebook « {copy.job.name} » : le processus qui l'exécutait "
                        f"s'est arrêté sans répondre ({how})", log)
    rendered: Rendered | Called = pickle.loads(bytes(copy.data[HEADER:]))
    return replace(rendered, log=log)


def _timed_out(copy: _Copy) -> Rendered:
    _kill(copy.pid)
    os.close(copy.fd)
    return _failure(copy, f"notebook « {copy.job.name} » : arrêté après le délai de "
                    f"{seconds(copy.limit)} s sans avoir fini (boucle sans fin, attente ?) ; "
                    "le dernier rapport valide est conservé", _tail(copy.output))


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _tail(output: IO[bytes]) -> str:
    output.seek(0)
    text = bytes(output.read()).decode("utf-8", errors="replace")
    output.close()
    return text[-LOG_TAIL:]


def _failure(copy: _Copy, message: str, log: str) -> Rendered:
    return Rendered(Outcome(copy.job.name, False, message=message,
                            territoire=copy.job.territoire,
                            seconds=time.perf_counter() - copy.started), log=log)


# --------------------------------------------------------------------------- client side


class ForkServer:
    """The handle a worker process keeps on its warm process; thread-safe: each thread
    sends its job and waits for its own reply."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # One process per notebook already uses the cores: no BLAS threads to fork.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evalqpv.publish.forkserver"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self._ids = itertools.count()
        self._write = threading.Lock()
        self._waiting: dict[int, tuple[threading.Event, list[Rendered | Called]]] = {}
        self._gone = False
        self._reader = threading.Thread(target=self._read_replies, daemon=True,
                                        name="evalqpv-forkserver")
        self._reader.start()

    def _read_replies(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while True:
            reply = receive(fd)
            if reply is None:
                break
            ident, rendered = reply
            event, slot = self._waiting.pop(ident)
            slot.append(rendered)
            event.set()
        self._gone = True
        for event, _ in list(self._waiting.values()):
            event.set()

    def run(self, job: Job, limit: float, margin: float = 300.0) -> Rendered:
        """Send one job and wait for its reply (the server enforces `limit`; `margin`
        covers its warm-up and a server that hangs)."""
        reply = self._request(job, limit, margin)
        assert isinstance(reply, Rendered)
        return reply

    def call(self, call: Call, limit: float, margin: float = 300.0) -> Called:
        """Run a function in a copy of the warm process and wait for its value (a
        copy stopped or timed out gives a Called with the error)."""
        reply = self._request(call, limit, margin)
        if isinstance(reply, Called):
            return reply
        return Called(error=reply.outcome.message, log=reply.log)

    def _request(self, job: Job | Call, limit: float, margin: float) -> Rendered | Called:
        ident = next(self._ids)
        event, slot = threading.Event(), list[Rendered | Called]()
        self._waiting[ident] = (event, slot)
        stdin = self.process.stdin
        assert stdin is not None
        try:
            with self._write:
                if self._gone:
                    raise ServerGone(f"code {self.process.poll()}")
                send(stdin.fileno(), (ident, job, limit))
        except OSError as exc:
            raise ServerGone(str(exc)) from exc
        if not event.wait(limit + margin):
            self._waiting.pop(ident, None)
            raise ServerGone("aucune réponse")
        if not slot:
            raise ServerGone(f"code {self.process.poll()}")
        return slot[0]

    def alive(self) -> bool:
        return not self._gone and self.process.poll() is None

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # end-of-file: the server returns
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()


class ServerPool:
    """The warm process of this worker process, started once and shared by its threads."""

    def __init__(self) -> None:
        self._server: ForkServer | None = None
        self._lock = threading.Lock()

    def get(self) -> ForkServer:
        with self._lock:
            if self._server is None or not self._server.alive():
                self._server = ForkServer()
            return self._server

    def discard(self, server: ForkServer) -> None:
        server.close()
        with self._lock:
            if self._server is server:
                self._server = None

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()


POOL = ServerPool()


if __name__ == "__main__":
    serve()
