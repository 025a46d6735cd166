"""French numbers, both ways: parsing them as producers print them, formatting them
as readers expect them.

Parsing: `5 481` (space, no-break space or narrow no-break space as thousands
separator), `59,7` (decimal comma), `20, 9` (a typo in the contract: a space after the
comma), `>95` (a lower bound), `nd` (not available), blank (not published), `s`,
`(s)`, `c`, `secret` (the producer's markers of statistical secrecy: not published,
never a figure).

Formatting: `29,9 %`, `5 481`, `16 280 €`. A no-break space (U+00A0) separates
thousands and precedes units, so that a figure never breaks across two lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import NotANumber as NotANumber  # its historical place
from .secrecy import MASK, MASKED
from .vocabulary import BORNE_INF, BORNE_SUP, NON_DISPONIBLE, SECRET, VALEUR

NBSP = "\u00a0"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NOT_AVAILABLE = {"nd", "n.d.", "n.d", "nc", "n.c.", "na", "n/a", "ns"}
# The markers producers print for a figure withheld by statistical secrecy.
_SECRET_MARKERS = {"s", "(s)", "c", "(c)", "secret", "secret stat.", "secret statistique"}


@dataclass(frozen=True)
class ParsedNumber:
    valeur: float | None
    statut: str


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
    if text.lower() in _SECRET_MARKERS:
        return ParsedNumber(None, SECRET)
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


# --------------------------------------------------------------------------- formatting

UNIT_SUFFIX = {"pourcentage": f"{NBSP}%", "euros": f"{NBSP}€", "nombre": "", "ratio": "",
               "indice": "", "booleen": "", "m2": f"{NBSP}m²",
               "kwh_m2_an": f"{NBSP}kWh/m²/an"}


def number(value: float | None, decimals: int = 0) -> str:
    """5481 -> '5 481'; 29.94 (1 decimal) -> '29,9'; None, NaN, infinity -> '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return ("-" if value < 0 and text.strip("0," + NBSP) else "") + text


def decimals_for(unit: str, value: float | None) -> int:
    """One decimal for rates, ratios and indices; none for whole counts and amounts."""
    if unit in ("pourcentage", "ratio", "indice"):
        return 1
    if value is not None and not float(value).is_integer() and abs(value) < 100:
        return 1
    return 0


def with_unit(value: float | None, unit: str, statut: str = VALEUR) -> str:
    """A value with its unit, as printed in a report; bounds keep their sign; a count
    masked by the secrecy rule (statut MASKED, see evalqpv.secrecy) is printed « < 11 »."""
    if unit == "booleen" and value is not None:
        return "oui" if value >= 1 else "non"
    if value is None:
        return {SECRET: "secret", NON_DISPONIBLE: "n.d.", MASKED: MASK}.get(statut, "–")
    places = 0 if statut in (BORNE_INF, BORNE_SUP) and float(value).is_integer() \
        else decimals_for(unit, value)
    text = number(value, places) + UNIT_SUFFIX.get(unit, "")
    if statut == BORNE_INF:
        return "plus de " + text
    if statut == BORNE_SUP:
        return "moins de " + text
    return text


def change(delta: float | None, unit: str, relative: bool = False) -> str:
    """A change: '+1,2 point' for rates, '-35' for counts, '-12,3 %' for a relative
    change; a change that rounds to zero has no sign."""
    if delta is None:
        return "–"
    places = 1 if unit == "pourcentage" or relative else decimals_for(unit, delta)
    size = number(abs(delta), places)
    sign = "" if not size.strip("0," + NBSP) else "+" if delta > 0 else "-"
    if relative:
        return f"{sign}{size}{NBSP}%"
    if unit == "pourcentage":
        plural = "s" if abs(round(delta, 1)) >= 2 else ""
        return f"{sign}{size}{NBSP}point{plural}"
    return sign + size + UNIT_SUFFIX.get(unit, "")


def share(value: float) -> str:
    """A share of a group: '90 %', '4,8 %' (one decimal only when it is not whole)."""
    tenth = round(value, 1)
    return number(tenth, 0 if float(tenth).is_integer() else 1) + f"{NBSP}%"


def ratio(value: float | None) -> str:
    """1.98 -> '2,0 fois'."""
    if value is None:
        return "–"
    return f"{number(value, 1)}{NBSP}fois"


def plural(n: float, words: str, plural_form: str | None = None) -> str:
    """The words agreed with a count, in French: 0 and 1 take the singular (« 1 restant »,
    « 0 erreur »), 2 and more the plural (« 16 atteints »). Each word takes an « s »
    unless it ends in s, x or z; give `plural_form` when the rule is not that simple
    (« conflits entre sources », « journaux »)."""
    if abs(n) < 2:
        return words
    if plural_form is not None:
        return plural_form
    return " ".join(w if w[-1:] in ("s", "x", "z") else w + "s" for w in words.split(" "))


def count(n: float, words: str, plural_form: str | None = None) -> str:
    """A count and its words, agreed: « 1 indicateur », « 287 842 lignes » (thousands
    separated by a no-break space), « 2 indicateurs manquants »."""
    return f"{number(n)} {plural(n, words, plural_form)}"
