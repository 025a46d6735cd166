"""Plausibility of values against the unit the référentiel gives each indicator."""

from __future__ import annotations

from collections.abc import Iterable

from ..problems import Problems
from ..referentiel import Referentiel
from . import Observation


def check_values(observations: Iterable[Observation], referentiel: Referentiel,
                 problems: Problems, strict_files: set[str]) -> None:
    """A negative count or a share over 100 % is an error in a hand-filled file and a
    warning in a published one (the evaluator cannot correct a producer's file)."""
    for obs in observations:
        if obs.valeur is None:
            continue
        unit = referentiel[obs.indicateur].unite
        message = attendu = None
        if unit in ("nombre", "euros") and obs.valeur < 0:
            message = "nombre négatif pour un indicateur de comptage."
            attendu = "un nombre positif ou nul"
        elif unit == "pourcentage" and not 0 <= obs.valeur <= 100:
            message = "pourcentage hors de l'intervalle 0 à 100."
            attendu = "un pourcentage entre 0 et 100 (29,9 pour 29,9 %)"
        elif unit == "booleen" and obs.valeur not in (0, 1):
            message, attendu = "valeur oui/non invalide.", "1 (oui, réalisé) ou 0 (non)"
        if message is None:
            continue
        add = problems.error if obs.fichier in strict_files else problems.warning
        add(obs.fichier, message, ligne=obs.ligne, colonne=obs.colonne,
            valeur=obs.valeur_publiee, attendu=attendu,
            correction=f"vérifiez la valeur de « {obs.indicateur} » pour {obs.code}, "
                       f"année {obs.annee}")
