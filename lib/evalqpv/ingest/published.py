"""Helpers shared by the readers of published files (SIG Ville, Filosofi, long tables).

A published file cannot be corrected by the evaluator: a cell that is not a number is
reported as a warning and skipped, never a reason to block the whole store.
"""

from __future__ import annotations

from pathlib import Path

from ..frenchnumbers import NotANumber, ParsedNumber, parse_french_number
from ..problems import Problems
from ..rawtable import RawTable, read_delimited
from . import FileSummary, ReadContext, ReadResult


def open_published(path: Path, ctx: ReadContext, problems: Problems, lecteur: str,
                   millesime: object) -> tuple[ReadResult, RawTable | None]:
    """An empty result for the validation report, and the file's table (None when it
    cannot be read at all: the problem is recorded)."""
    label = ctx.label(path)
    result = ReadResult([], FileSummary(label, lecteur, str(millesime)))
    table = read_delimited(path, label, problems, separator=";")
    result.summary.lignes = len(table.rows) if table is not None else 0
    return result, table


def published_number(raw: str, label: str, line: int, column: str,
                     problems: Problems) -> ParsedNumber | None:
    try:
        return parse_french_number(raw)
    except NotANumber:
        problems.warning(label, "valeur non numérique publiée par le producteur : elle est "
                         "ignorée.", ligne=line, colonne=column, valeur=raw,
                         attendu="un nombre ou une cellule vide (non publié : secret "
                         "statistique ou valeur non significative)")
        return None
