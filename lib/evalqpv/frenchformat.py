"""French number formats for what readers see: `29,9 %`, `5 481`, `16 280 €`.

A no-break space (U+00A0) separates thousands and precedes units, so that a figure
never breaks across two lines of a report.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"

UNIT_SUFFIX = {"pourcentage": f"{NBSP}%", "euros": f"{NBSP}€", "nombre": "", "ratio": "",
               "indice": "", "booleen": ""}


def number(value: float | None, decimals: int = 0) -> str:
    """5481 -> '5 481'; 29.94 (1 decimal) -> '29,9'; None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return ("-" if value < 0 and text.strip("0,\u00a0") else "") + text


def decimals_for(unit: str, value: float | None) -> int:
    if unit == "pourcentage" or unit == "ratio":
        return 1
    if unit == "indice":
        return 1
    if value is not None and not float(value).is_integer() and abs(value) < 100:
        return 1
    return 0


def with_unit(value: float | None, unit: str, statut: str = "valeur") -> str:
    """A value with its unit, as printed in a report; bounds keep their sign."""
    if unit == "booleen" and value is not None:
        return "oui" if value >= 1 else "non"
    if value is None:
        return {"secret": "secret", "non_disponible": "n.d."}.get(statut, "–")
    places = 0 if statut in ("borne_inf", "borne_sup") and float(value).is_integer() \
        else decimals_for(unit, value)
    text = number(value, places) + UNIT_SUFFIX.get(unit, "")
    if statut == "borne_inf":
        return "plus de " + text
    if statut == "borne_sup":
        return "moins de " + text
    return text


def change(delta: float | None, unit: str) -> str:
    """A change: '+1,2 point' for rates, '-35' for counts."""
    if delta is None:
        return "–"
    sign = "+" if delta > 0 else ("-" if delta < 0 else "")
    if unit == "pourcentage":
        size = number(abs(delta), 1)
        plural = "s" if abs(round(delta, 1)) >= 2 else ""
        return f"{sign}{size}{NBSP}point{plural}"
    return sign + number(abs(delta), decimals_for(unit, delta)) + UNIT_SUFFIX.get(unit, "")


def ratio(value: float | None) -> str:
    """1.98 -> '2,0 fois'."""
    if value is None:
        return "–"
    return f"{number(value, 1)}{NBSP}fois"
