"""French words for the référentiel's objects: targets, levels, units, year spans."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import LEVEL_NAMES, OPERATOR_WORDS, UNIT_NAMES, YEARLY

NO_TARGET = "aucune cible fixée par le contrat"


def target_text(ind: Indicator) -> str:
    """The contract's target in words, or that it sets none."""
    if ind.cible is None:
        return NO_TARGET
    op = OPERATOR_WORDS[ind.cible_operateur]
    value = fn.with_unit(ind.cible, ind.unite)
    when = f" en {ind.annee_cible}" if ind.annee_cible else (
        " chaque année" if ind.periodicite == YEARLY else "")
    return f"{op} {value}{when}".strip()


def level_name(niveau: str) -> str:
    return LEVEL_NAMES.get(niveau, niveau)


def unit_name(unit: str) -> str:
    return UNIT_NAMES[unit]


def span(years: list[int]) -> str:
    """2013 à 2021, or one year, or a dash."""
    if not years:
        return "–"
    return str(years[0]) if len(years) == 1 else f"{years[0]} à {years[-1]}"


def lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text else text
