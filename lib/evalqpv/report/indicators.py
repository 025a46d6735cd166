"""Indicators: series, latest values, changes, gaps and statuses.

Pure functions on the store (a DataFrame); nothing here reads a file or draws.
"""

from __future__ import annotations

import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import (
    A_COLLECTER,
    A_VENIR,
    APPROXIMATE_TOLERANCE,
    ATTEINT,
    AUTRE_COMMUNE,
    CONFLICT,
    ECHU_SANS_DONNEE,
    EN_BONNE_VOIE,
    EN_RETARD,
    HAND_FILLED_ORIGINS,
    NON_APPLICABLE,
    NON_COMPARABLE,
    ORIGINE_CONTRAT,
    ORIGINE_PARTENAIRE,
    PERIODS,
    QPV,
    SANS_CIBLE,
    TARGET_CUMULATIVE,
    TARGET_ONE_OFF,
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
    qualite: str = ""  # the partner's comment on its figure, or a correction's note
    origine: str = ""  # the store's `origine` (vocabulary ORIGINE_*); blank: computed here

    @property
    def comment(self) -> str:
        """The partner's own comment on its figure (« chiffre provisoire »), if any."""
        if not self.qualite or self.origine != ORIGINE_PARTENAIRE:
            return ""
        return self.qualite

    @property
    def hand_filled(self) -> bool:
        """Typed by hand (the contract's transcription, a partner's return), not
        published by a producer."""
        return self.origine in HAND_FILLED_ORIGINS


def series(store: pd.DataFrame, indicateur: str, level: Level) -> list[Point]:
    """The yearly series of one indicator on one territory, oldest first.

    Where sources conflict for a year, the figure of the most recent publication is
    shown and flagged (`conflit`), so that reports never hide the disagreement.
    """
    rows = store[(store["indicateur"] == indicateur) & (store["niveau"] == level.niveau)
                 & (store["code"] == level.code)]
    return points_of(at_level(rows.to_dict("records"), level))


StoreRecord = Mapping[Hashable, Any]  # one store row as a dict (DataFrame.to_dict("records"))


def at_level(records: Iterable[StoreRecord], level: Level) -> list[StoreRecord]:
    """The records of one territory (and of its geography, when the level has one), in
    their order."""
    return [r for r in records if r["niveau"] == level.niveau and r["code"] == level.code
            and (not level.geographie or r["geographie"] == level.geographie)]


def points_of(records: Sequence[StoreRecord]) -> list[Point]:
    """The series of the records of one indicator on one territory (`series`), in plain
    Python: a report reads hundreds of series of a few rows each, where a pandas
    selection and groupby cost a millisecond apiece.

    The rules are those of a pandas groupby on `annee` (sorted, missing years left out)
    and a stable sort on `millesime` (missing last): the latest release of a year wins.
    """
    by_year: dict[Any, list[StoreRecord]] = {}
    for record in records:
        if not pd.isna(record["annee"]):
            by_year.setdefault(record["annee"], []).append(record)
    points: list[Point] = []
    for annee in sorted(by_year):
        group = sorted(by_year[annee], key=_release_order)
        row = group[-1]
        valeur: float | None = None if pd.isna(row["valeur"]) else float(row["valeur"])
        points.append(Point(int(str(annee)), valeur, row["statut"], row["source"], row["fichier"],
                            len(group) > 1 or row["conflit"] == CONFLICT,
                            str(row.get("periode", "") or ""), str(row.get("qualite", "") or ""),
                            str(row.get("origine", "") or "")))
    return points


def _release_order(record: StoreRecord) -> tuple[bool, Any]:
    """Sort key of a record's release: by `millesime`, a missing one last (as pandas
    sorts)."""
    millesime = record["millesime"]
    missing = bool(pd.isna(millesime))
    return missing, "" if missing else millesime


def latest(points: list[Point], annee: int) -> tuple[Point | None, Point | None]:
    """The latest figure up to the evaluation year, and the one before it."""
    usable = [p for p in points if p.annee <= annee and p.valeur is not None]
    if not usable:
        return None, None
    return usable[-1], (usable[-2] if len(usable) > 1 else None)


def is_contract_figure(point: Point) -> bool:
    """The figure is the contract's own (its transcription): a description of the
    situation before the contract, a baseline, never an observation of its results."""
    return point.origine == ORIGINE_CONTRAT


def observations(points: list[Point], annee: int) -> list[Point]:
    """The figures a status may rest on: a value up to the evaluated year, from a
    producer's publication or a partner's return, never from the contract's text."""
    return [p for p in points if p.valeur is not None and p.annee <= annee
            and not is_contract_figure(p)]


@dataclass(frozen=True)
class Judgement:
    """A status and, where the figure cannot simply be read against the target, why."""

    status: str
    reason: str = ""


@dataclass(frozen=True)
class Deadline:
    """When a target falls due: the year the contract prints, or, for a level or a total
    to reach with no printed date, the contract's last year, said to be an inference."""

    year: int | None
    printed: bool

    def words(self) -> str:
        if self.year is None:
            return "échéance non précisée par le contrat"
        if self.printed:
            return f"échéance {self.year}"
        return "échéance non précisée par le contrat"


def deadline(ind: Indicator, fin: int) -> Deadline:
    if ind.annee_cible:
        return Deadline(ind.annee_cible, True)
    if ind.cible_nature in (TARGET_STOCK, TARGET_CUMULATIVE) and fin:
        return Deadline(fin, False)
    return Deadline(None, False)


def _meets(ind: Indicator, value: float, target: float) -> bool:
    """The value holds the target as printed. « Environ 50 » is held from 50 on (and a
    little over it for « = »): how far « environ » may fall short, the contract does not
    say, so a value just under it is near (`_near`), never reached."""
    if ind.cible_approchee and ind.cible_operateur == "=":
        return target <= value <= target + APPROXIMATE_TOLERANCE * abs(target)
    return bool(_OPS[ind.cible_operateur](value, target))


def _near(ind: Indicator, value: float, target: float) -> bool:
    """An approximate target (« environ ») missed by less than the tolerance."""
    return bool(ind.cible_approchee) and not _meets(ind, value, target) \
        and abs(value - target) <= APPROXIMATE_TOLERANCE * abs(target)


def _moving_right_way(ind: Indicator, last: Point, previous: Point | None) -> bool:
    if previous is None or previous.valeur is None or last.valeur is None \
            or last.valeur == previous.valeur or ind.cible is None:
        return False
    wants_up = ind.cible_operateur in (">=", ">") or ind.cible > previous.valeur
    return (last.valeur > previous.valeur) == wants_up


def _near_words(ind: Indicator, value: float) -> str:
    """Why a value near « environ N » is not said reached: how far it is, in percent of
    the target (45 for « environ 50 »: « 10 % en dessous », not « à moins de 10 % »)."""
    assert ind.cible is not None
    about = fn.with_unit(ind.cible, ind.unite)
    gap = 100.0 * abs(value - ind.cible) / abs(ind.cible) if ind.cible else 0.0
    side = "en dessous de" if value < ind.cible else "au-dessus de"
    return (f"{fn.with_unit(value, ind.unite)} pour « environ {about} » : "
            f"{fn.number(gap, 0 if float(round(gap, 1)).is_integer() else 1)}\u00a0% {side} "
            "la cible ; le contrat ne dit pas de combien « environ » peut s'en écarter")


def _dated(point: Point, annee: int) -> str:
    return "" if point.annee == annee else f"chiffre de {point.annee}"


def owed(ind: Indicator, annee: int) -> bool:
    """A partner owes this figure for the year `annee`: every figure its workbook asks,
    but a commitment about another commune and a milestone not yet due (a one-off target
    whose deadline, as the contract prints it, falls after `annee`). Decided from the
    contract and the référentiel alone, never from what came back: the same count is owed
    whether the partner answered or not, and a milestone the partner reports on early (or
    a figure short of its target) is still a figure owed and received."""
    if ind.perimetre == AUTRE_COMMUNE:
        return False
    return not not_yet_due(ind, annee)


def not_yet_due(ind: Indicator, annee: int) -> bool:
    """A milestone of the contract whose printed deadline falls after `annee` (« à venir »
    as long as nothing says it is reached: `judge`)."""
    return (ind.cible_nature == TARGET_ONE_OFF and ind.cible is not None
            and not ind.partner_objective and bool(ind.annee_cible)
            and annee < int(ind.annee_cible or 0))


def judge(ind: Indicator, history: list[Point], annee: int, *, niveau: str = QPV,
          libelle: str = "", debut: int = 0, fin: int = 0) -> Judgement:
    """The status of an indicator for the evaluation year `annee`.

    `history` is the indicator's series on the level `niveau` (`libelle`: its name);
    `debut` and `fin` the contract's years. A status rests on an observation of the
    evaluated period (the year itself for a yearly target, the contract's years for a
    level, a total or an event to reach) from a producer or a partner: the contract's
    own figures are a baseline. A figure is judged against a target only on the
    indicator's own perimeter, and only for a target of the contract; a deadline the
    contract does not print is never presented as the contract's.
    """
    if ind.perimetre == AUTRE_COMMUNE:
        return Judgement(NON_APPLICABLE, "l'engagement porte sur une autre commune")
    target = ind.cible
    if target is None:
        # the contract's own figures describe the start: an indicator they alone fill
        # has still to be collected (« 31 sans cible » hid figures never received)
        return Judgement(A_COLLECTER if not observations(history, annee) else SANS_CIBLE)
    if ind.partner_objective:  # its figure, even the contract's, is said not comparable
        if not any(p.valeur is not None and p.annee <= annee for p in history):
            return Judgement(A_COLLECTER)
        return Judgement(NON_COMPARABLE, "objectif propre du partenaire, pas une cible du "
                         "contrat pour le quartier")
    seen = observations(history, annee)
    if seen and niveau != ind.perimetre:
        where = f"{_LEVEL_WORDS.get(niveau, niveau)}" + (f" ({libelle})" if libelle else "")
        wider = _LEVEL_WORDS.get(ind.perimetre, ind.perimetre)
        floor = _floor_met(ind, seen, annee, niveau)
        if floor is not None:  # a part of the perimeter already holds an « au moins »
            return Judgement(ATTEINT, f"chiffre {where} de {floor.annee} : il suffit à tenir "
                             f"la cible définie {wider}")
        return Judgement(NON_COMPARABLE, f"chiffre {where} pour une cible définie {wider}")
    if ind.cible_nature == TARGET_YEARLY:
        return _yearly(ind, target, seen, annee)
    due_by = deadline(ind, fin)
    due = due_by.year is not None and annee >= due_by.year
    in_period = [p for p in seen if p.annee >= debut]
    if not in_period:  # the deadline's own year is still being collected
        if due_by.printed and due_by.year is not None and annee > due_by.year:
            return Judgement(ECHU_SANS_DONNEE, f"{due_by.words()} passée, aucun chiffre "
                             "transmis")
        if ind.cible_nature == TARGET_ONE_OFF and due_by.year is not None and not due:
            return Judgement(A_VENIR, due_by.words())
        return Judgement(A_COLLECTER, f"aucun chiffre reçu depuis le début du contrat "
                         f"({debut})" if debut else "")
    if ind.cible_nature == TARGET_CUMULATIVE:
        return _cumulative(ind, target, in_period, annee, debut, due_by)
    last = in_period[-1]
    assert last.valeur is not None
    previous = seen[-2] if len(seen) > 1 else None
    if _meets(ind, last.valeur, target):
        return Judgement(ATTEINT, _dated(last, annee))
    if _near(ind, last.valeur, target):  # on its way; at the deadline, the committee judges
        return Judgement(NON_COMPARABLE if due else EN_BONNE_VOIE,
                         "; ".join(w for w in (_near_words(ind, last.valeur),
                                               _dated(last, annee)) if w))
    if due:
        return Judgement(EN_RETARD, "; ".join(w for w in (due_by.words() + " passée",
                                                          _dated(last, annee)) if w))
    if ind.cible_nature == TARGET_STOCK and _moving_right_way(ind, last, previous):
        return Judgement(EN_BONNE_VOIE, f"{_seen(ind, last)} ; {due_by.words()}")
    return Judgement(A_VENIR, f"{_seen(ind, last)} ; {due_by.words()}")


def _seen(ind: Indicator, point: Point) -> str:
    """What the latest figure says, beside a status that is not « atteint »."""
    if ind.unite == "booleen":
        return f"pas encore réalisé en {point.annee}"
    return f"{fn.with_unit(point.valeur, ind.unite, point.statut)} en {point.annee}"


# Levels each contained in the next: a count of a smaller one is a floor of the wider.
NESTED = ("qpv", "commune", "epci", "departement", "region", "france")
# The partner's perimeter and the département's QPV contain the quarter.
CONTAINS_QUARTER = ("perimetre_partenaire", "ensemble_qpv")


def _inside(niveau: str, perimetre: str) -> bool:
    if niveau == "qpv" and perimetre in CONTAINS_QUARTER:
        return True
    return (niveau in NESTED and perimetre in NESTED
            and NESTED.index(niveau) < NESTED.index(perimetre))


def _floor_met(ind: Indicator, seen: list[Point], annee: int, niveau: str) -> Point | None:
    """A count of a part of the target's perimeter that already reaches an « au moins »
    target (a meeting held in the quarter is held in the partner's area): the figure of
    the evaluated year for a yearly target, of the contract's years otherwise."""
    if ind.unite != "nombre" or ind.cible_operateur not in (">=", ">") or ind.cible is None \
            or not _inside(niveau, ind.perimetre):
        return None
    usable = [p for p in seen if (p.annee == annee if ind.cible_nature == TARGET_YEARLY
                                  else True) and not p.periode]
    last = usable[-1] if usable else None
    if last is None or last.valeur is None or not _meets(ind, last.valeur, ind.cible):
        return None
    return last


def _yearly(ind: Indicator, target: float, seen: list[Point], annee: int) -> Judgement:
    """A yearly flow: judged on the evaluated year's figure, and only on it."""
    this_year = [p for p in seen if p.annee == annee]
    if not this_year:
        before = f" ; dernier chiffre : {seen[-1].annee}" if seen else ""
        return Judgement(A_COLLECTER, f"aucun chiffre de {annee}{before}")
    last = this_year[-1]
    assert last.valeur is not None
    months = PERIODS.get(last.periode, 12)
    if months < 12:
        return _pro_rata(ind, last.valeur, target, months, last.periode)
    return Judgement(ATTEINT if _meets(ind, last.valeur, target) else EN_RETARD)


def _cumulative(ind: Indicator, target: float, in_period: list[Point], annee: int,
                debut: int, due_by: Deadline) -> Judgement:
    """A total since the contract began: the full-year figures added up, and whether
    their pace reaches the target by its deadline."""
    years = [p for p in in_period if p.periode in ("", "T4", "S2")]
    total = sum(p.valeur for p in years if p.valeur is not None)
    said = f"cumul depuis {debut} : {total:g}"
    if _meets(ind, total, target):
        return Judgement(ATTEINT, said)
    if due_by.year is None or annee >= due_by.year:
        return Judgement(EN_RETARD, said)
    elapsed, length = annee - debut + 1, due_by.year - debut + 1
    on_pace = elapsed > 0 and _meets(ind, total * length / elapsed, target)
    return Judgement(EN_BONNE_VOIE if on_pace else EN_RETARD,
                     f"{said}, au rythme de {fn.count(elapsed, 'an')} sur {length} ; "
                     f"{due_by.words()}")


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
