"""One notebook executed in a worker process, then converted and written atomically.

Runs in a process of its own (spawned clean): it never raises, it returns an Outcome
whose message says in French which notebook, which cell and which error.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..store.atomic import write_text_atomic
from ..vocabulary import COMPARISONS_FILE, COMPARISONS_MIME, KEY_FIGURES_MIME
from .jobs import KERNEL, Job, Outcome


def execute_job(job: Job) -> Outcome:
    """Execute, convert, write atomically; never raise."""
    started = time.perf_counter()
    try:
        import papermill  # noqa: PLC0415 - heavy, only in workers
        from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - broken environment
        return Outcome(job.name, False, message=f"{job.name} : papermill introuvable ({exc}).")
    job.executed.parent.mkdir(parents=True, exist_ok=True)
    job.log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _stderr_to(job.log):  # the kernel's chatter goes to a log, not to the evaluator
            executed = _execute(papermill, job, PapermillExecutionError)
    except PapermillExecutionError as exc:
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} », cellule {_source_cell(job, exc)} "
                       f"(« {_first_line(exc.source)} ») : {exc.ename} : {exc.evalue}")
    except Exception as exc:  # kernel death, unreadable notebook...
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} » : {type(exc).__name__} : {exc}")
    try:
        from nbformat import writes  # noqa: PLC0415

        from .export import to_html  # noqa: PLC0415 - imports nbconvert

        strip_volatile(executed)
        html = to_html(executed, job)
        figures = key_figures(executed)
        comparisons = output_data(executed, COMPARISONS_MIME)
        write_text_atomic(job.executed, writes(executed))
        if isinstance(comparisons, str):
            write_text_atomic(job.html.parent / COMPARISONS_FILE, comparisons)
        write_text_atomic(job.figures, json.dumps(figures, ensure_ascii=False, indent=1,
                                                  sort_keys=True) + "\n")
        write_text_atomic(job.html, html)
        write_text_atomic(job.key_file, job.key)
    except Exception as exc:
        detail = traceback.format_exception_only(exc)[-1].strip()
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} », conversion en HTML : {detail}")
    return Outcome(job.name, True, seconds=time.perf_counter() - started)


def _execute(papermill: Any, job: Job, notebook_error: type[Exception]) -> Any:
    """Execute once more if the kernel itself failed to start (e.g. a port taken by a
    kernel starting at the same time); an error inside the notebook is not retried."""
    for attempt in (1, 2):
        try:
            return papermill.execute_notebook(
                str(job.notebook), None, parameters=job.parameters, kernel_name=KERNEL,
                progress_bar=False, log_output=False, cwd=str(job.root))
        except notebook_error:
            raise
        except Exception:
            if attempt == 2:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send file descriptor 2 (inherited by the kernel process) to `path`."""
    saved = os.dup(2)
    with path.open("wb") as handle:
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _source_cell(job: Job, exc: Any) -> int:
    """The failing cell's number in the notebook as committed (papermill adds a cell)."""
    import nbformat  # noqa: PLC0415

    cells = nbformat.read(job.notebook, as_version=4).cells
    for position, cell in enumerate(cells, start=1):
        if cell.source == exc.source:
            return position
    return int(exc.cell_index) + 1


def _first_line(source: str) -> str:
    lines = [line for line in (source or "").splitlines() if line.strip()]
    return (lines[0][:70] if lines else "").strip()


def strip_volatile(nb: Any) -> None:
    """Drop timings and random ids so that the audit notebook is identical run to run."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = None
    for index, cell in enumerate(nb.cells):
        if "id" in cell:
            cell["id"] = f"cellule-{index:03d}"


def output_data(nb: Any, mime: str) -> object:
    """The first output of the notebook under a MIME type (None when there is none)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                return data[mime]
    return None


def key_figures(nb: Any) -> dict[str, object]:
    """The key figures the notebook displayed beside its key messages."""
    found = output_data(nb, KEY_FIGURES_MIME)
    return dict(found) if isinstance(found, dict) else {}
