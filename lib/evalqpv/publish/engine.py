"""The in-process executor as a papermill engine, for papermill's own users.

`evalqpv rapports` runs each notebook's cells with IPython in a forked copy of a warm
process (publish/shell.py), not in a Jupyter kernel. Registered under the name
« evalqpv » (entry point `papermill.engine`, pyproject.toml), the same cell runner is
available to anyone who drives papermill:

    papermill -e evalqpv notebooks/emploi.ipynb sortie.ipynb -p annee 2025

runs the notebook in papermill's own process, with the outputs a kernel would give.
Papermill keeps its part: parameters, progress, the output notebook, and the error it
raises when a cell fails (its cell is marked as failed, the others are not run).
"""

from __future__ import annotations

import sys
from typing import Any

NAME = "evalqpv"  # the entry point's name (pyproject.toml)

# What ipykernel reports about its language: the executed notebook keeps the metadata
# a kernel would have written, so that it looks as a kernel's run would.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3", "version": sys.version.split()[0]}

_ENGINE: type | None = None


def __getattr__(name: str) -> Any:
    """`InProcessEngine`, made when first asked for. Importing papermill.engines loads
    every `papermill.engine` entry point, this one included: were the class made at
    import, importing this module before papermill would ask papermill for a class not
    yet made (a half-imported module)."""
    if name == "InProcessEngine":
        return engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def engine_class() -> type:
    """The engine's class, one per process (papermill may ask for it while it is itself
    being imported by this function: the class is made once, after that import)."""
    global _ENGINE
    from papermill.engines import Engine  # noqa: PLC0415 - see __getattr__

    if _ENGINE is None:
        _ENGINE = _make(Engine)
    return _ENGINE


def _make(base: type) -> type:
    class InProcessEngine(base):  # type: ignore[misc]  # papermill: no hints
        """Cells run by IPython in this process (publish.shell), one after the other."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, shell: Any = None,
                                     **kwargs: Any) -> None:
            """`shell`: the warm process's own (evalqpv rapports); a new one otherwise."""
            from .shell import new_shell, run_cell  # noqa: PLC0415 - IPython, when used

            shell = shell if shell is not None else new_shell()
            nb_man.nb.metadata.language_info = dict(LANGUAGE_INFO)
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                error = run_cell(shell, cell) if cell.cell_type == "code" else None
                if error is not None:
                    nb_man.cell_exception(cell, cell_index=index, exception=error)
                    nb_man.cell_complete(cell, cell_index=index)
                    return  # papermill raises its execution error from the error output
                nb_man.cell_complete(cell, cell_index=index)

    InProcessEngine.__module__ = __name__
    InProcessEngine.__qualname__ = "InProcessEngine"
    return InProcessEngine
