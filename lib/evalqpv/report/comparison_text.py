"""How a comparison among QPV reads, in French: values, changes, a position in a
group and a change against a group's changes."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from .. import frenchnumbers as fn
from .groups import Variation
from .qpv_values import RATE_UNIT, RATE_WORDS

Sens = Literal["hausse", "baisse", "neutre"]

_GROUP_SUFFIX = {"ensemble_qpv": "", "qpv_region": " de la région",
                 "qpv_departement": " du département", "qpv_comparables": " comparables"}

# How a position reads for a few indicators: (favourable end, unfavourable end).
QUALIFIERS: dict[str, tuple[str, str]] = {
    "taux_pauvrete": ("les moins pauvres", "les plus pauvres"),
    "taux_bas_revenus": ("les moins pauvres", "les plus pauvres"),
    "revenu_median_disponible": ("aux revenus les plus élevés", "aux revenus les plus faibles"),
    "taux_emploi_15_64": ("au taux d'emploi le plus élevé", "au taux d'emploi le plus faible"),
    "taux_emploi_15_64_femmes": ("au taux d'emploi des femmes le plus élevé",
                                 "au taux d'emploi des femmes le plus faible"),
}
DEFAULT_QUALIFIERS = ("les mieux placés sur cet indicateur",
                       "les moins bien placés sur cet indicateur")


def rate_qualifiers(libelle: str, sens: Sens) -> tuple[str, str]:
    """How a position reads for a count per 100 inhabitants (favourable end first):
    « avec le moins de demandeurs d'emploi … pour 100 habitants »."""
    what = libelle[:1].lower() + libelle[1:] if libelle[1:2].islower() else libelle
    of = f"d'{what}" if what[:1].lower() in "aeiouyéèêàâîôûh" else f"de {what}"
    fewest, most = f"avec le moins {of} {RATE_WORDS}", f"avec le plus {of} {RATE_WORDS}"
    return (most, fewest) if sens == "hausse" else (fewest, most)


def value_words(value: float, unite: str) -> str:
    """A value as a sentence prints it: « 29,9 % », « 12,8 pour 100 habitants »."""
    if unite == RATE_UNIT:
        return f"{fn.number(value, 1)} {RATE_WORDS}"
    return fn.with_unit(value, unite)


def change_words(delta: float, unite: str, relative: bool = False) -> str:
    """A change as a sentence prints it: « -0,8 point », « +0,5 pour 100 habitants »."""
    if unite == RATE_UNIT and not relative:
        return f"{fn.change(delta, 'indice')} {RATE_WORDS}"
    return fn.change(delta, unite, relative)


def position_sentence(nom: str, annee: int, groupe: str, effectif: int, valeur: float,
                      part_inferieure: float, part_superieure: float, *, sens: Sens,
                      unite: str, qualificatifs: tuple[str, str] = DEFAULT_QUALIFIERS,
                      denominateur: str = "") -> str:
    """One French sentence placing the quarter in a group, following the desired direction.

    hausse/baisse: 'parmi les x % de QPV ... les moins pauvres' (x counts the QPV at least
    as well placed, the quarter included), or the unfavourable end when it is closer;
    neutre: 'au-dessus de x % des QPV' (x = part_inferieure). A group of one places
    nothing: ValueError. `denominateur`: what a rate is computed on, said beside it.
    """
    suffix = _GROUP_SUFFIX[groupe]
    start = f"En {annee}, {nom} ({value_words(valeur, unite)}" \
        + (f", {denominateur})" if denominateur else ")")
    if effectif <= 1:
        raise ValueError("Un groupe réduit au quartier ne se classe pas.")
    count = f" ({fn.number(effectif)}{fn.NBSP}QPV comparés)"
    if sens == "neutre":
        return f"{start} est au-dessus de {fn.share(part_inferieure)} des QPV{suffix}{count}."
    if sens not in ("hausse", "baisse"):
        raise ValueError(f"Sens inconnu : {sens} (attendu : hausse, baisse ou neutre).")
    # share of the group at least as well placed as the quarter (quarter included)
    at_least_as_good = 100.0 - (part_inferieure if sens == "hausse" else part_superieure)
    at_least_as_bad = 100.0 - (part_superieure if sens == "hausse" else part_inferieure)
    best, worst = qualificatifs
    if at_least_as_good <= at_least_as_bad:
        return (f"{start} est parmi les {fn.share(at_least_as_good)} de QPV{suffix} "
                f"{best}{count}.")
    return f"{start} est parmi les {fn.share(at_least_as_bad)} de QPV{suffix} {worst}{count}."


def change_sentence(nom: str, annee_debut: int, annee: int, groupe: str, effectif: int,
                    variation_quartier: float, variation_mediane: float,
                    part_variation_inferieure: float, part_variation_superieure: float, *,
                    sens: Sens, unite: str, variation: Variation = "absolue",
                    seuil: float = 80.0, denominateur: str = "") -> str:
    """One French sentence on the quarter's change against a group's changes.

    Descriptive (an 'écart d'évolution', a position in a distribution), never an effect:
    the change is 'unusual' when at least `seuil` % of the group moved strictly less
    (or strictly more) than the quarter; otherwise it is 'dans la moyenne'. A group of
    one places nothing: ValueError.
    """
    suffix = _GROUP_SUFFIX[groupe]
    own = change_words(variation_quartier, unite, variation == 'relative')
    head = f"Entre {annee_debut} et {annee}, {nom} : {own}" \
        + (f" ({denominateur})" if denominateur else "")
    if effectif <= 1:
        raise ValueError("Un groupe réduit au quartier ne se classe pas.")
    gap = variation_quartier - variation_mediane
    # the gap between two percent changes is in points, not in percent
    gap_text = fn.change(gap, "pourcentage") if variation == "relative" \
        else change_words(gap, unite)
    median = change_words(variation_mediane, unite, variation == "relative")
    head += (f", contre {median} pour la médiane des QPV{suffix} (écart d'évolution : "
             f"{gap_text})")
    below = round(part_variation_inferieure, 1)
    above = round(part_variation_superieure, 1)
    favourable: bool | None = None
    if below >= seuil:
        share = fn.share(part_variation_inferieure)
        if variation_quartier > 0:
            where = f"plus forte hausse que {share} des QPV{suffix}"
        elif variation_quartier < 0:
            where = f"plus faible baisse que {share} des QPV{suffix}"
        else:
            where = f"évolution supérieure à celle de {share} des QPV{suffix}"
        favourable = {"hausse": True, "baisse": False}.get(sens)
    elif above >= seuil:
        share = fn.share(part_variation_superieure)
        if variation_quartier < 0:
            where = f"plus forte baisse que {share} des QPV{suffix}"
        elif variation_quartier > 0:
            where = f"plus faible hausse que {share} des QPV{suffix}"
        else:
            where = f"évolution inférieure à celle de {share} des QPV{suffix}"
        favourable = {"hausse": False, "baisse": True}.get(sens)
    else:
        where = (f"évolution dans la moyenne des QPV{suffix} "
                 f"({fn.share(part_variation_inferieure)} ont une évolution plus faible)")
    if favourable is True:
        where += ", dans le sens souhaité"
    elif favourable is False:
        where += ", à l'inverse du sens souhaité"
    return f"{head} ; {where}."


def quarter_name(territories: pd.DataFrame | None, quarter: str) -> str:
    if territories is not None and "libelle_qpv" in territories.columns:
        rows = territories[territories["code_qpv"] == quarter]
        if len(rows) and str(rows.iloc[0]["libelle_qpv"]):
            return str(rows.iloc[0]["libelle_qpv"])
    return quarter
