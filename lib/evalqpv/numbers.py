"""Parsing of numbers as French producers print them.

`5 481` (space, no-break space or narrow no-break space as thousands separator),
`59,7` (decimal comma), `20, 9` (a typo in the contract: a space after the comma),
`>95` (a lower bound), `nd` (not available), blank (not published).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Statuses of a value in the store.
VALEUR = "valeur"
SECRET = "secret"  # blank in a public file: not published (secret or not significant)
NON_DISPONIBLE = "non_disponible"  # printed as nd / n.d. / ND
BORNE_INF = "borne_inf"  # printed as >95 or ≥95: the true value is above
BORNE_SUP = "borne_sup"  # printed as <5 or ≤5: the true value is below

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NOT_AVAILABLE = {"nd", "n.d.", "n.d", "nc", "n.c.", "na", "n/a", "ns"}


@dataclass(frozen=True)
class ParsedNumber:
    valeur: float | None
    statut: str


class NotANumber(ValueError):
    """Raised when a cell holds text that is not a number in any accepted form."""


def parse_french_number(raw: str, *, decimal: str = ",") -> ParsedNumber:
    """Parse one cell. Raises NotANumber for text that cannot be a number.

    decimal="," for French files (a point is then refused unless the cell has no
    comma and looks like a plain decimal, as in machine exports); decimal="." for
    files with a decimal point (SSMSI, partner exports).
    """
    text = raw.strip()
    if text == "":
        return ParsedNumber(None, SECRET)
    if text.lower() in _NOT_AVAILABLE:
        return ParsedNumber(None, NON_DISPONIBLE)
    statut = VALEUR
    if text[0] in "><≥≤":
        statut = BORNE_INF if text[0] in ">≥" else BORNE_SUP
        text = text[1:].lstrip("=").strip()
    text = text.rstrip("%").strip()
    compact = _SPACES.sub("", text)
    if decimal == ",":
        if compact.count(",") > 1:
            raise NotANumber(raw)
        compact = compact.replace(",", ".")
    else:
        compact = compact.replace(",", "")
    if not _NUMBER.match(compact):
        raise NotANumber(raw)
    return ParsedNumber(float(compact), statut)


_WORDS = {"zero": 0, "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4,
          "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10}
_UNITS = (("m€", 1e6), ("k€", 1e3), ("€", 1.0))


def parse_printed_value(raw: str) -> ParsedNumber:
    """Parse a value as printed in a document: `1,2 M€`, `une`, `93%`, `>95`, `nd`.

    Used for the contract transcription, whose values are copied exactly as printed.
    """
    text = raw.strip()
    word = _WORDS.get(text.lower())
    if word is not None:
        return ParsedNumber(float(word), VALEUR)
    lowered = _SPACES.sub(" ", text.lower())
    for suffix, factor in _UNITS:
        if lowered.endswith(suffix):
            parsed = parse_french_number(lowered[: -len(suffix)])
            value = None if parsed.valeur is None else round(parsed.valeur * factor, 6)
            return ParsedNumber(value, parsed.statut)
    return parse_french_number(text)
