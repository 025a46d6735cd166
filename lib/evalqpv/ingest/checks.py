"""Plausibility of values against the unit the référentiel gives each indicator."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..frenchnumbers import number
from ..problems import Problems
from ..referentiel import Referentiel
from ..vocabulary import QPV
from . import Observation

# No figure the toolkit handles comes near: a thousand billion (euros, inhabitants...).
# Beyond it a value is a typo or an export bug (1e308), never a statistic.
MAX_MAGNITUDE = 1e12


def check_values(observations: Iterable[Observation], referentiel: Referentiel,
                 problems: Problems) -> None:
    """An impossible value is an error, whatever the file: a negative count, a share
    outside 0-100 %, a yes/no that is neither, an infinite or absurdly large number, a
    unit sign (« 12 % ») that contradicts the indicator's unit.

    A producer's file is not corrected by hand, but its impossible value must not reach
    a report either: the error names the cell, so that the evaluator can ask the
    producer, or replace the file with a corrected release.
    """
    for obs in observations:
        if obs.valeur is None:
            continue
        unit = referentiel[obs.indicateur].unite
        message = attendu = None
        if not math.isfinite(obs.valeur) or abs(obs.valeur) > MAX_MAGNITUDE:
            message = "nombre infini ou démesuré : ce n'est pas une statistique."
            attendu = "un nombre fini, inférieur à mille milliards en valeur absolue"
        elif unit != "pourcentage" and "%" in obs.valeur_publiee:
            message = (f"signe « % » dans une valeur de « {obs.indicateur} », qui n'est pas "
                       f"un pourcentage (unité : {unit}).")
            attendu = f"un nombre sans signe « % » (unité de l'indicateur : {unit})"
        elif unit in ("nombre", "euros", "m2", "kwh_m2_an") and obs.valeur < 0:
            message = "nombre négatif pour un indicateur de comptage."
            attendu = "un nombre positif ou nul"
        elif unit == "pourcentage" and not 0 <= obs.valeur <= 100:
            message = "pourcentage hors de l'intervalle 0 à 100."
            attendu = "un pourcentage entre 0 et 100 (29,9 pour 29,9 %)"
        elif unit == "booleen" and obs.valeur not in (0, 1):
            message, attendu = "valeur oui/non invalide.", "1 (oui, réalisé) ou 0 (non)"
        if message is None:
            continue
        problems.error(obs.fichier, message, ligne=obs.ligne, colonne=obs.colonne,
                       valeur=obs.valeur_publiee, attendu=attendu,
                       correction=f"vérifiez la valeur de « {obs.indicateur} » pour {obs.code}, "
                                  f"année {obs.annee} (dans un fichier publié, demandez la "
                                  "correction au producteur ou déposez une publication "
                                  "corrigée)")


def drop_frozen_releases(observations: list[Observation], problems: Problems,
                         min_quarters: int = 2) -> list[Observation]:
    """A published variable whose values are identical for every QPV in two successive
    releases of its family was not refreshed by the producer: say so with the evidence,
    and never let the repeat carry a new reference year (its observations are dropped;
    the earlier release keeps the figures with their true year). A release is compared
    with the last one whose figures are kept, so that three identical releases all cite
    the first."""
    from .sig_ville import identify  # noqa: PLC0415 - the family of a SIG Ville file

    groups: dict[tuple[str, str], dict[int, list[Observation]]] = defaultdict(
        lambda: defaultdict(list))
    for obs in observations:
        if obs.niveau != QPV:
            continue
        file = identify(Path(obs.fichier))
        if file is not None and file.millesime is not None:
            groups[(file.family, obs.colonne.upper())][file.millesime].append(obs)
    stale: set[tuple[str, str]] = set()  # (fichier, colonne) of the repeats
    for (_family, column), releases in sorted(groups.items()):
        years = sorted(releases)
        earlier = years[0]  # the last release whose figures are kept: a repeat of a
        for later in years[1:]:  # repeat is compared with the release the store keeps
            before = {o.code: (o.valeur, o.statut) for o in releases[earlier]}
            after = {o.code: (o.valeur, o.statut) for o in releases[later]}
            if len(before) < min_quarters or before != after:
                earlier = later
                continue
            old, new = releases[earlier][0], releases[later][0]
            evidence = (f"les {number(len(after))} QPV ont la même valeur dans {old.fichier} "
                        f"(publication {earlier}) et {new.fichier} (publication {later})")
            if old.annee == new.annee:
                problems.warning(new.fichier, f"variable non mise à jour par le producteur : "
                                 f"{evidence} ; elle garde l'année de référence {old.annee} "
                                 "dans les deux publications.", colonne=column)
                earlier = later
                continue
            problems.warning(new.fichier, f"variable non mise à jour par le producteur : "
                             f"{evidence}. Ces valeurs ne sont pas datées de {new.annee} : "
                             f"elles restent celles de {old.annee}.", colonne=column,
                             correction="vérifiez la règle d'année de cette variable dans "
                             "config/variables_sources.csv")
            stale.add((new.fichier, new.colonne))
    return [o for o in observations if (o.fichier, o.colonne) not in stale]


def check_future_years(observations: Iterable[Observation], files: Iterable[tuple[str, int]],
                       annee_max: int, problems: Problems) -> None:
    """A release dated after the current year, or a figure whose reference year is, cannot
    be a publication: one error per file (release year) and per file and column
    (reference year), naming the first line."""
    for fichier, millesime in files:
        if millesime > annee_max:
            problems.error(fichier, f"publication datée de {millesime}, année à venir (nous "
                           f"sommes en {annee_max}).", valeur=str(millesime),
                           attendu=f"une publication de {annee_max} ou d'avant",
                           correction="vérifiez l'année dans le nom du fichier : renommez-le "
                           "comme le producteur le publie")
    first: dict[tuple[str, str, int], Observation] = {}
    count: dict[tuple[str, str, int], int] = defaultdict(int)
    for obs in observations:
        if obs.annee > annee_max:
            key = (obs.fichier, obs.colonne, obs.annee)
            first.setdefault(key, obs)
            count[key] += 1
    for key, obs in sorted(first.items()):
        problems.error(obs.fichier, f"année de référence {obs.annee} à venir (nous sommes en "
                       f"{annee_max}) : {number(count[key])} valeur(s) de « {obs.indicateur} » "
                       "datées de l'avenir.", ligne=obs.ligne, colonne=obs.colonne,
                       valeur=str(obs.annee), attendu=f"une année de référence au plus "
                       f"{annee_max}", correction="vérifiez l'année du fichier (son nom) et la "
                       "règle d'année de la variable dans config/variables_sources.csv")


def check_duplicates(observations: Iterable[Observation], problems: Problems) -> None:
    """Within one producer's file, two rows giving different values for the same
    indicator, territory, geography, year and period: an error naming both lines (it is
    the file against itself, never a conflict between sources)."""
    seen: dict[tuple[str, str, str, str, int, str, str], Observation] = {}
    for obs in observations:
        key = (obs.fichier, obs.indicateur, obs.niveau, obs.code, obs.annee, obs.periode,
               obs.geographie)
        first = seen.setdefault(key, obs)
        if first is obs or (first.valeur, first.statut) == (obs.valeur, obs.statut):
            continue
        problems.error(obs.fichier, f"ligne en double avec une autre valeur : les lignes "
                       f"{first.ligne} et {obs.ligne} donnent « {obs.indicateur} » pour "
                       f"{obs.code}, année {obs.annee} : « {first.valeur_publiee} » ligne "
                       f"{first.ligne}, « {obs.valeur_publiee} » ligne {obs.ligne}.",
                       ligne=obs.ligne, colonne=obs.colonne, valeur=obs.valeur_publiee,
                       attendu=f"une seule ligne pour {obs.code} (ou la même valeur que la "
                       f"ligne {first.ligne})",
                       correction="retéléchargez le fichier publié par le producteur ; s'il "
                       "contient bien deux valeurs, demandez-lui laquelle est la bonne")
