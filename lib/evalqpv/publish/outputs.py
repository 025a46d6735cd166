"""The files of one report, written by the main process alone, each atomically.

The key file comes last: a report whose writing was interrupted is redone next time,
and a failed report leaves the last good one in place (only its log is replaced).
"""

from __future__ import annotations

import csv
import io

from ..frenchnumbers import number
from ..store.atomic import write_text_atomic
from ..store.spreadsheet import french_csv
from ..vocabulary import COMPARISONS_FILE, COMPARISONS_SPREADSHEET_FILE
from .jobs import Job, Rendered, key_text


def write_rendered(job: Job, rendered: Rendered) -> None:
    outcome = rendered.outcome
    where = f" sur {outcome.where}" if outcome.where else ""
    write_text_atomic(job.log, f"Exécuté{where} en {number(outcome.seconds, 1)} s.\n"
                      + rendered.log)
    if not rendered.outcome.ok:
        return
    write_text_atomic(job.executed, rendered.notebook)
    if rendered.comparisons:
        write_text_atomic(job.html.parent / COMPARISONS_FILE, rendered.comparisons)
        write_text_atomic(job.html.parent / COMPARISONS_SPREADSHEET_FILE,
                          spreadsheet_version(rendered.comparisons))
    write_text_atomic(job.figures, rendered.figures)
    write_text_atomic(job.html, rendered.html)
    write_text_atomic(job.key_file, key_text(job, rendered.html))


def spreadsheet_version(text: str) -> str:
    """A machine CSV (comma, decimal point) as a French spreadsheet opens it."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ""
    return french_csv(rows[0], rows[1:], rows[0])
