"""Indicators: series, latest values, changes, gaps and statuses.

Pure functions on the store (a DataFrame); nothing here reads a file or draws.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import pandas as pd

from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import (
    A_COLLECTER,
    ATTEINT,
    CONFLICT,
    EN_BONNE_VOIE,
    EN_RETARD,
    SANS_CIBLE,
    YEARLY,
)

_OPS = {">=": operator.ge, ">": operator.gt, "=": operator.eq, "<": operator.lt,
        "<=": operator.le}


@dataclass(frozen=True)
class Point:
    """One value of a series, with where it comes from."""

    annee: int
    valeur: float | None
    statut: str
    source: str
    fichier: str
    conflit: bool
    periode: str = ""  # part of the year a count covers (T3...), blank for the whole year


def series(store: pd.DataFrame, indicateur: str, level: Level) -> list[Point]:
    """The yearly series of one indicator on one territory, oldest first.

    Where sources conflict for a year, the figure of the most recent publication is
    shown and flagged (`conflit`), so that reports never hide the disagreement.
    """
    rows = store[(store["indicateur"] == indicateur) & (store["niveau"] == level.niveau)
                 & (store["code"] == level.code)]
    if level.geographie:
        rows = rows[rows["geographie"] == level.geographie]
    points: list[Point] = []
    for annee, group in rows.groupby("annee", sort=True):
        group = group.sort_values("millesime", kind="stable")
        row = group.iloc[-1]
        valeur = None if pd.isna(row["valeur"]) else float(row["valeur"])
        points.append(Point(int(str(annee)), valeur, row["statut"], row["source"], row["fichier"],
                            len(group) > 1 or row["conflit"] == CONFLICT,
                            str(row.get("periode", "") or "")))
    return points


def latest(points: list[Point], annee: int) -> tuple[Point | None, Point | None]:
    """The latest figure up to the evaluation year, and the one before it."""
    usable = [p for p in points if p.annee <= annee and p.valeur is not None]
    if not usable:
        return None, None
    return usable[-1], (usable[-2] if len(usable) > 1 else None)


def status(ind: Indicator, last: Point | None, previous: Point | None, annee: int) -> str:
    """atteint / en bonne voie / en retard / sans cible / à collecter.

    A yearly target (no target year) is judged on the evaluation year's figure; a
    dated target is met, on its way (moving the right way before its year) or late.
    """
    yearly_target = ind.cible is not None and ind.annee_cible is None and \
        ind.periodicite == YEARLY
    if last is None or (yearly_target and last.annee != annee):
        return A_COLLECTER
    if ind.cible is None:
        return SANS_CIBLE
    if last.valeur is not None and _OPS[ind.cible_operateur](last.valeur, ind.cible):
        return ATTEINT
    if ind.annee_cible is not None and annee < ind.annee_cible and previous is not None \
            and previous.valeur is not None and last.valeur is not None:
        moving_up = last.valeur > previous.valeur
        wants_up = ind.cible_operateur in (">=", ">") or ind.cible > previous.valeur
        if moving_up == wants_up and last.valeur != previous.valeur:
            return EN_BONNE_VOIE
    return EN_RETARD


def difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def common_year(first: list[Point], second: list[Point], annee: int) -> int | None:
    """The latest year up to `annee` for which both series have a value."""
    years = {p.annee for p in first if p.valeur is not None and p.annee <= annee}
    years &= {p.annee for p in second if p.valeur is not None}
    return max(years) if years else None


def value_in(points: list[Point], year: int) -> Point | None:
    return next((p for p in points if p.annee == year), None)
