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
    A_VENIR,
    APPROXIMATE_TOLERANCE,
    ATTEINT,
    AUTRE_COMMUNE,
    CONFLICT,
    EN_BONNE_VOIE,
    EN_RETARD,
    NON_APPLICABLE,
    NON_COMPARABLE,
    PERIODS,
    QPV,
    SANS_CIBLE,
    TARGET_CUMULATIVE,
    TARGET_STOCK,
    TARGET_YEARLY,
)

# How a perimeter is said in a reason: « chiffre départemental pour une cible définie
# sur le quartier ».
_LEVEL_WORDS = {"qpv": "sur le quartier", "commune": "sur la commune",
                "epci": "sur l'intercommunalité", "departement": "sur le département",
                "region": "sur la région", "france": "sur la France",
                "ensemble_qpv": "sur un ensemble de quartiers prioritaires",
                "perimetre_partenaire": "sur le périmètre du partenaire",
                "etablissement": "sur un établissement"}

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


@dataclass(frozen=True)
class Judgement:
    """A status and, where the figure cannot simply be read against the target, why."""

    status: str
    reason: str = ""


def _meets(ind: Indicator, value: float, target: float) -> bool:
    """The value holds the target; an approximate target (« environ ») within 10 %."""
    if ind.cible_approchee:
        slack = APPROXIMATE_TOLERANCE * abs(target)
        if ind.cible_operateur in (">=", ">"):
            return value >= target - slack
        if ind.cible_operateur in ("<=", "<"):
            return value <= target + slack
        return abs(value - target) <= slack
    return bool(_OPS[ind.cible_operateur](value, target))


def _moving_right_way(ind: Indicator, last: Point, previous: Point | None) -> bool:
    if previous is None or previous.valeur is None or last.valeur is None \
            or last.valeur == previous.valeur or ind.cible is None:
        return False
    wants_up = ind.cible_operateur in (">=", ">") or ind.cible > previous.valeur
    return (last.valeur > previous.valeur) == wants_up


def judge(ind: Indicator, last: Point | None, previous: Point | None, annee: int, *,
          niveau: str = QPV, libelle: str = "", history: list[Point] | None = None,
          debut: int = 0, fin: int = 0) -> Judgement:
    """The status of an indicator for the evaluation year `annee`.

    `last` and `previous` are the latest figures up to `annee` on the level `niveau`
    (`libelle`: its name); `history` the whole series on that level (for a cumulative
    target); `debut` and `fin` the contract's years. A figure is judged against a target
    only on the indicator's own perimeter and period, and only for a target of the
    contract: otherwise the status says why not.
    """
    if ind.perimetre == AUTRE_COMMUNE:
        return Judgement(NON_APPLICABLE, "l'engagement porte sur une autre commune")
    target = ind.cible
    if target is None:
        return Judgement(A_COLLECTER if last is None else SANS_CIBLE)
    deadline = ind.annee_cible or (fin if ind.cible_nature in (TARGET_STOCK, TARGET_CUMULATIVE)
                                   else None)
    due = deadline is not None and annee >= deadline
    if last is None or last.valeur is None:
        if deadline is not None and not due:
            return Judgement(A_VENIR, f"échéance {deadline}")
        return Judgement(A_COLLECTER)
    if ind.partner_objective:
        return Judgement(NON_COMPARABLE, "objectif propre du partenaire, pas une cible du "
                         "contrat pour le quartier")
    if niveau != ind.perimetre:
        where = f"{_LEVEL_WORDS.get(niveau, niveau)}" + (f" ({libelle})" if libelle else "")
        return Judgement(NON_COMPARABLE, f"chiffre {where} pour une cible définie "
                         f"{_LEVEL_WORDS.get(ind.perimetre, ind.perimetre)}")
    value = last.valeur
    if ind.cible_nature == TARGET_YEARLY:
        if last.annee != annee:
            return Judgement(A_COLLECTER, f"dernière valeur : {last.annee}")
        months = PERIODS.get(last.periode, 12)
        if months < 12:
            return _pro_rata(ind, value, target, months, last.periode)
        return Judgement(ATTEINT if _meets(ind, value, target) else EN_RETARD)
    if ind.cible_nature == TARGET_CUMULATIVE:
        years = [p for p in (history or [last]) if p.valeur is not None
                 and debut <= p.annee <= annee and p.periode in ("", "T4", "S2")]
        total = sum(p.valeur for p in years if p.valeur is not None)
        if _meets(ind, total, target):
            return Judgement(ATTEINT, f"cumul depuis {debut} : {total:g}")
        if due or deadline is None:
            return Judgement(EN_RETARD, f"cumul depuis {debut} : {total:g}")
        elapsed, length = annee - debut + 1, deadline - debut + 1
        on_pace = elapsed > 0 and _meets(ind, total * length / elapsed, target)
        return Judgement(EN_BONNE_VOIE if on_pace else EN_RETARD,
                         f"cumul depuis {debut} : {total:g}, au rythme de {elapsed} an(s) "
                         f"sur {length}")
    if _meets(ind, value, target):
        return Judgement(ATTEINT)
    if deadline is not None and not due:
        if _moving_right_way(ind, last, previous):
            return Judgement(EN_BONNE_VOIE, f"échéance {deadline}")
        return Judgement(A_VENIR, f"échéance {deadline}")
    return Judgement(EN_RETARD)


def _pro_rata(ind: Indicator, value: float, target: float, months: int,
              periode: str) -> Judgement:
    """A count of part of the year against a yearly objective: judged on its share of
    the year, or not at all when the unit does not add up over months (a rate)."""
    if ind.unite not in ("nombre", "euros") or ind.cible_operateur not in (">=", ">"):
        return Judgement(NON_COMPARABLE, f"chiffre de {periode} pour une cible annuelle")
    expected = target * months / 12
    meets = _meets(ind, value, expected)
    return Judgement(EN_BONNE_VOIE if meets else EN_RETARD,
                     f"chiffre à fin {periode} : {value:g} pour {expected:g} attendus au "
                     f"prorata ({months} mois sur 12) de la cible annuelle de {target:g}")


def status(ind: Indicator, last: Point | None, previous: Point | None, annee: int) -> str:
    """The status alone, on the indicator's own perimeter (see `judge`)."""
    return judge(ind, last, previous, annee, niveau=ind.perimetre).status


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
