"""The toolkit's exceptions: one family, so that a caller tells a user's mistake from a bug.

Modelled on papermill's `exceptions.py`. Every exception the toolkit raises on purpose
derives from `EvalqpvError`:

- `UserError`: something the evaluator can fix (a bad parameter, an invalid configuration
  file, a store not built yet, another run in progress, a cluster that cannot be reached,
  a file that cannot be opened as a workbook). Its message is French and says how to fix
  it; the command prints it and exits with code 2.
- `ExecutionError`: running a notebook failed (a cell raised, the warm process died); the
  report fails and its log says why, the other reports go on.
- `NotANumber`: a cell is not a number; the readers turn it into a problem that names
  file, line and column (never raised to the user).

Any other exception is a bug of the toolkit: the command says so in French, writes the
traceback to a log file and names it (cli.py).

The classes keep their historical names where they are raised (territory.ParameterError,
settings.SettingsError, store.load.StoreMissing...), defined here so that this module
imports nothing of the toolkit and every floor may use it. They also keep their former
built-in base (ValueError, RuntimeError), so that older callers still catch them.
"""

from __future__ import annotations

from dataclasses import dataclass


class EvalqpvError(Exception):
    """The root of every exception the toolkit raises on purpose."""


class UserError(EvalqpvError):
    """A mistake the evaluator can fix; the message is French and says how."""


class ExecutionError(EvalqpvError):
    """A notebook could not be run to its end."""


class NotANumber(EvalqpvError, ValueError):
    """Raised when a cell holds text that is not a number in any accepted form."""


# --------------------------------------------------------------------------- user errors


class ParameterError(UserError, ValueError):
    """A report parameter is invalid; the message is French and says how to fix it."""


class SettingsError(UserError, ValueError):
    """A configuration file is missing or invalid; the message is French."""


class StoreMissing(UserError, RuntimeError):
    """The store has not been built yet (or was built by an older version)."""


class RunInProgress(UserError, RuntimeError):
    """Another run holds the project; the message is French."""


class ClusterError(UserError, RuntimeError):
    """The cluster cannot be reached or started; the message is French."""


class UnreadableWorkbook(UserError):
    """The file cannot be opened as a workbook; the message is French."""


# --------------------------------------------------------------------------- execution


class ServerGone(ExecutionError, RuntimeError):
    """The warm process ended without replying (killed, out of memory...)."""


@dataclass
class CellError(ExecutionError):
    """A cell raised: its position among the executed cells, its source and the error."""

    index: int
    source: str
    ename: str
    evalue: str
