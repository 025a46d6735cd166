"""The shape of the store and the vocabularies shared by every module."""

from __future__ import annotations

from typing import NamedTuple

# Columns of data/processed/observations.csv, in order.
STORE_COLUMNS = [
    "indicateur",
    "niveau",
    "code",
    "libelle_territoire",
    "rattachement",
    "geographie",
    "annee",
    "valeur",
    "statut",
    "valeur_publiee",
    "qualite",
    "producteur",
    "source",
    "millesime",
    "fichier",
    "ligne",
    "colonne",
    "conflit",
]

NIVEAUX = (
    "qpv",
    "commune",
    "epci",
    "departement",
    "region",
    "france",
    "ensemble_qpv",
    "perimetre_partenaire",
    "etablissement",  # a school (code UAI), attached to its commune (column rattachement)
)
GEOGRAPHIES = ("qpv2015", "qpv2024", "")
STATUTS = ("valeur", "secret", "non_disponible", "borne_inf", "borne_sup")

# Codes used where producers have none of their own.
CODE_FRANCE = "FR"
CODE_FRANCE_METRO = "FRMETRO"
CODE_ENSEMBLE_QPV = "ENSEMBLE_QPV"

# Plausible reference years. The upper bound is the current year (set at run time).
ANNEE_MIN = 1990


class Observation(NamedTuple):
    """One figure read from one raw file (before consolidation)."""

    indicateur: str
    niveau: str
    code: str
    libelle_territoire: str
    geographie: str
    annee: int
    valeur: float | None
    statut: str
    valeur_publiee: str
    qualite: str
    producteur: str
    source: str
    millesime: str
    fichier: str
    ligne: int
    colonne: str
    rattachement: str = ""  # the commune of an établissement


# The reports, in the order they are listed, with their titles.
REPORT_TITLES = {
    "contexte": "Portrait sociodémographique",
    "emancipation": "Axe 1 – Émancipation pour tous à travers la promotion de l'éducation",
    "emploi": "Axe 2 – Développement économique et emploi",
    "tranquillite": "Axe 3 – Tranquillité et sécurité publique",
    "transition": "Axe 4 – Transition écologique et énergétique",
    "synthese": "Synthèse pour le comité de pilotage",
}
