"""A notebook's cells run by IPython in this process, outputs kept as a kernel gives them.

A Jupyter kernel is an IPython shell behind a messaging layer; the reports need the
shell, not the messaging. Running it in-process lets a warm process (forkserver) import
pandas, matplotlib and the report package once, then fork a fresh copy of itself for
each notebook: no kernel to start, no import to repeat, and no state shared between two
notebooks (each runs in its own short-lived process). The outputs are those a kernel
sends: IPython's own formatters build them (execute_result, display_data, stream,
error), so nbconvert renders the same page.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from ..errors import CellError as CellError  # its historical place


class _Outputs:
    """Where the current cell's outputs go (one list per cell)."""

    current: list[dict[str, Any]] = []

    @classmethod
    def add(cls, output: dict[str, Any]) -> None:
        cls.current.append(output)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Bytes (a PNG from a formatter) are sent base64-encoded, as ipykernel does."""
    return {mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
            for mime, value in data.items()}


class _DisplayHook(DisplayHook):
    """The value of a cell's last expression becomes an execute_result."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: dict[str, Any],
                          md_dict: dict[str, Any] | None = None) -> None:
        _Outputs.add({"output_type": "execute_result", "data": _jsonable(format_dict),
                      "metadata": md_dict or {}, "execution_count": None})

    def finish_displayhook(self) -> None:
        pass


class _DisplayPublisher(DisplayPublisher):
    """display(...) becomes a display_data output."""

    def publish(self, data: dict[str, Any], metadata: dict[str, Any] | None = None,
                *args: Any, **kwargs: Any) -> None:
        _Outputs.add({"output_type": "display_data", "data": _jsonable(data),
                      "metadata": metadata or {}})

    def clear_output(self, wait: bool = False) -> None:
        _Outputs.current.clear()


class _Stream:
    """sys.stdout / sys.stderr of a cell: consecutive writes make one stream output."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        outputs = _Outputs.current
        if outputs and outputs[-1].get("output_type") == "stream" \
                and outputs[-1]["name"] == self.name:
            outputs[-1]["text"] += text
        else:
            outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class ReportShell(InteractiveShell):
    """IPython without a terminal: outputs are collected, tracebacks become errors."""

    displayhook_class = Type(_DisplayHook)
    display_pub_class = Type(_DisplayPublisher)

    def _showtraceback(self, etype: type[BaseException], evalue: BaseException,
                       stb: list[str]) -> None:
        _Outputs.add({"output_type": "error", "ename": etype.__name__, "evalue": str(evalue),
                      "traceback": stb})

    def enable_gui(self, gui: object = None) -> None:  # no event loop here
        pass


def new_shell() -> ReportShell:
    """A shell that keeps no history file and never colours a traceback. It is the
    process's shell, as a kernel's is: `IPython.display.display` and `get_ipython()`
    find it (a report section that shows several outputs, report.axis)."""
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell: ReportShell = ReportShell.instance(config=config)
    return shell


@contextmanager
def _captured() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def run_cells(shell: ReportShell, nb: Any) -> Any:
    """Execute every code cell of `nb` in order, filling its outputs; stop at the first
    error and raise CellError (the notebook keeps the outputs up to that cell)."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error = run_cell(shell, cell)
        if error is not None:
            raise CellError(index, cell.source, type(error).__name__, str(error))
    return nb


def run_cell(shell: ReportShell, cell: Any) -> BaseException | None:
    """Execute one code cell, its outputs written into it as a kernel gives them; the
    exception it raised, if any (its traceback is then the cell's error output)."""
    from nbformat import from_dict  # noqa: PLC0415 - loaded once in the warm process

    outputs: list[dict[str, Any]] = []
    _Outputs.current = outputs
    with _captured():
        result = shell.run_cell(cell.source, store_history=True, silent=False)
    cell.outputs = [from_dict(o) for o in outputs]
    error: BaseException | None = result.error_before_exec or result.error_in_exec
    return error
