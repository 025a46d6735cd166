"""Plausibility of values against the unit the référentiel gives each indicator."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..problems import Problems
from ..referentiel import Referentiel
from . import Observation

# No figure the toolkit handles comes near: a thousand billion (euros, inhabitants...).
# Beyond it a value is a typo or an export bug (1e308), never a statistic.
MAX_MAGNITUDE = 1e12


def check_values(observations: Iterable[Observation], referentiel: Referentiel,
                 problems: Problems) -> None:
    """An impossible value is an error, whatever the file: a negative count, a share
    outside 0-100 %, a yes/no that is neither, an infinite or absurdly large number.

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
        elif unit in ("nombre", "euros") and obs.valeur < 0:
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
