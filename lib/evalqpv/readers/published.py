"""Helpers shared by the readers of published files (SIG Ville, Filosofi, long tables).

A published file cannot be corrected by the evaluator: a cell that is not a number is
reported as a warning and skipped, never a reason to block the whole store.
"""

from __future__ import annotations

from ..numbers import NotANumber, ParsedNumber, parse_french_number
from ..problems import Problems


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
