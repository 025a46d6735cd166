"""One notebook executed and converted to HTML, in a process forked for it alone.

`warm_up` runs once in a warm process (forkserver): it imports everything a report needs
and compiles the export template, so that each forked copy starts with all of it in
memory. `render` runs in the forked copy: it never raises, and returns the files' text
with an Outcome whose message says in French which notebook, which cell and which
error. It writes nothing: the main process writes the files (publish.outputs).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from typing import Any

from ..errors import CellError
from ..vocabulary import COMPARISONS_MIME, KEY_FIGURES_MIME
from .jobs import KERNEL, Job, Outcome, Rendered

# jsonschema (under nbformat) imports this optional package to check the "iri" format,
# which compiles a grammar for seconds; nbformat's schemas use no format at all.
SKIPPED_IMPORTS = ("rfc3987_syntax",)


def warm_up() -> Any:
    """Import what every report needs, compile the export template and export a sample
    page (what a page's export loads on first use); return the shell."""
    for name in SKIPPED_IMPORTS:  # None in sys.modules: `import name` raises ImportError
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    import io  # noqa: PLC0415 - everything below is the point of a warm process

    import matplotlib  # noqa: PLC0415
    import nbformat  # noqa: PLC0415, F401
    import pandas as pd  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from nbconvert.filters.markdown import markdown2html  # noqa: PLC0415
    from papermill import execute_notebook  # noqa: PLC0415, F401

    from .. import report  # noqa: PLC0415
    from .engine import engine_class  # noqa: PLC0415
    from .export import warm  # noqa: PLC0415
    from .shell import new_shell  # noqa: PLC0415

    engine_class()
    warm()  # templates loaded and compiled, validators built, once
    markdown2html("## titre")
    pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}).groupby("a").size()
    with matplotlib.rc_context({"font.size": 9}):  # font files loaded once
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().set_title("é 1")
        fig.savefig(io.BytesIO(), format="png")
    report.charts.warm()  # text metrics and font lookups every report's charts share
    return new_shell()


def render(job: Job, shell: Any) -> Rendered:
    """Execute, convert, collect the key figures; never raise."""
    started = time.perf_counter()

    def failed(message: str) -> Rendered:
        return Rendered(Outcome(job.name, False, message=message, territoire=job.territoire,
                                seconds=time.perf_counter() - started))

    try:
        executed = execute(job, shell)
    except Exception as exc:
        if isinstance(exc, CellError):
            return failed(f"notebook « {job.name} », cellule {_source_cell(job, exc)} "
                          f"(« {_first_line(exc.source)} ») : {exc.ename} : {exc.evalue}")
        return failed(f"notebook « {job.name} » : {type(exc).__name__} : {exc}")
    try:
        from nbformat import writes  # noqa: PLC0415

        from .export import to_html  # noqa: PLC0415

        strip_volatile(executed)
        html = to_html(executed, job)
        figures = json.dumps(key_figures(executed), ensure_ascii=False, indent=1,
                             sort_keys=True) + "\n"
        comparisons = output_data(executed, COMPARISONS_MIME)
        notebook = writes(executed)
    except Exception as exc:
        detail = traceback.format_exception_only(exc)[-1].strip()
        return failed(f"notebook « {job.name} », conversion en HTML : {detail}")
    return Rendered(Outcome(job.name, True, territoire=job.territoire,
                            seconds=time.perf_counter() - started), html, notebook, figures,
                    comparisons=comparisons if isinstance(comparisons, str) else "")


def execute(job: Job, shell: Any) -> Any:
    """The notebook run by papermill's API with the in-process engine (publish.engine) and
    the warm process's shell; a failing cell is raised as CellError."""
    from papermill import execute_notebook  # noqa: PLC0415
    from papermill.engines import papermill_engines  # noqa: PLC0415
    from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415

    from .engine import NAME, engine_class  # noqa: PLC0415

    papermill_engines.register(NAME, engine_class())  # without the entry point installed
    try:
        return execute_notebook(str(job.notebook), None, parameters=job.parameters,
                                engine_name=NAME, kernel_name=KERNEL, language="python",
                                progress_bar=False, cwd=str(job.root), shell=shell)
    except PapermillExecutionError as exc:
        raise CellError(exc.cell_index, exc.source, exc.ename, exc.evalue) from None


def _source_cell(job: Job, exc: Any) -> int:
    """The failing cell's number in the notebook as committed (papermill adds a cell)."""
    import nbformat  # noqa: PLC0415

    cells = nbformat.read(job.notebook, as_version=4).cells
    for position, cell in enumerate(cells, start=1):
        if cell.source == exc.source:
            return position
    return int(exc.index) + 1


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
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KEY_FIGURES_MIME in data:
                return dict(data[KEY_FIGURES_MIME])
    return {}
