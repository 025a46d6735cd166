"""French words for the référentiel's objects: targets, levels, units, year spans."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import (
    A_COLLECTER,
    A_VENIR,
    ATTEINT,
    ECHU_SANS_DONNEE,
    EN_BONNE_VOIE,
    EN_RETARD,
    LEVEL_NAMES,
    NON_COMPARABLE,
    NON_TRANSMIS,
    OPERATOR_WORDS,
    STATUS_PLURALS,
    TARGET_CUMULATIVE,
    TARGET_ONE_OFF,
    TARGET_STOCK,
    TARGET_YEARLY,
    UNIT_NAMES,
)

NO_TARGET = "aucune cible fixée par le contrat"
# Where a target is set, in words (the référentiel's `perimetre`).
PERIMETER_WORDS = {"qpv": "dans le quartier", "commune": "dans la commune",
                   "epci": "dans l'intercommunalité", "departement": "dans le département",
                   "region": "dans la région", "france": "en France",
                   "ensemble_qpv": "dans les quartiers prioritaires du département",
                   "perimetre_partenaire": "sur le périmètre du partenaire",
                   "etablissement": "par établissement"}
# How the target adds up over time, from its kind (never from how often it is measured).
KIND_WORDS = {TARGET_YEARLY: "chaque année", TARGET_CUMULATIVE: "au total depuis le début "
              "du contrat", TARGET_STOCK: "au total", TARGET_ONE_OFF: "(action ponctuelle)"}


def target_text(ind: Indicator) -> str:
    """The contract's target in words, as the contract sets it: its kind (a yearly flow,
    a total, a level to reach, a one-off event), its perimeter, and its deadline only
    when the contract prints one (« non précisée » otherwise)."""
    if ind.cible is None:
        return NO_TARGET
    if ind.unite == "booleen":
        value = "réalisé" if ind.cible >= 1 else "non réalisé"
        op = ""
    else:
        places = 0 if float(ind.cible).is_integer() else 1
        value = fn.number(ind.cible, places) + fn.UNIT_SUFFIX.get(ind.unite, "")
        op = "environ" if ind.cible_approchee and ind.cible_operateur == "=" else \
            OPERATOR_WORDS[ind.cible_operateur]
        if ind.cible_approchee and ind.cible_operateur != "=":
            op = f"{op} environ"
        if ind.unite == "pourcentage" and ind.cible == 100 and ind.cible_operateur == ">=":
            op = ""  # « 100 % », not « au moins 100 % »
    kind = "" if ind.unite == "booleen" and ind.cible_nature == TARGET_ONE_OFF else \
        KIND_WORDS.get(ind.cible_nature, "")
    where = PERIMETER_WORDS.get(ind.perimetre, "")
    if ind.cible_nature == TARGET_YEARLY and ind.annee_cible:
        kind, when = f"en {ind.annee_cible}", ""  # one year's objective (a partner's)
    elif ind.cible_nature == TARGET_YEARLY:
        when = ""  # a yearly flow falls due every year
    elif ind.annee_cible:
        when = f", échéance {ind.annee_cible}"
    else:
        when = ", échéance non précisée"
    return " ".join(w for w in (op, value, kind, where) if w) + when


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


def status_count(n: int, status: str) -> str:
    """A count of indicators by status, agreed: « 1 atteint », « 16 atteints », « 3 en
    retard »."""
    return fn.count(n, status, STATUS_PLURALS.get(status, status))


COMMENT_LIMIT = 90  # characters of a partner's comment shown in an axis report's tables


def comment_words(comment: str, limit: int = COMMENT_LIMIT) -> str:
    """A partner's comment beside its figure in a table: whole when short, else cut at a
    word with « … » (the partner's page gives it whole)."""
    text = " ".join(comment.split())
    if len(text) <= limit:
        return f" — commentaire du partenaire : « {text} »"
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f" — commentaire du partenaire : « {cut}… » (en entier sur sa page)"


# How many targets are in each status (« cible » is feminine): « 2 atteintes, 1 à venir ».
TARGET_STATUS_WORDS = {
    ATTEINT: ("atteinte", "atteintes"), EN_BONNE_VOIE: ("en bonne voie",) * 2,
    EN_RETARD: ("en retard",) * 2,
    ECHU_SANS_DONNEE: ("échue sans chiffre", "échues sans chiffre"),
    NON_TRANSMIS: ("non transmise", "non transmises"),
    NON_COMPARABLE: ("non comparable", "non comparables"),
    A_VENIR: ("à venir",) * 2, A_COLLECTER: ("à collecter",) * 2}


def target_count(n: int, status: str) -> str:
    """« 1 atteinte », « 2 atteintes », « 3 en retard »: targets counted by status."""
    words = TARGET_STATUS_WORDS.get(status, (status, status))
    return f"{fn.number(n)} {words[n > 1]}"
