"""The words every stage shares: reports, axes, statuses, levels, natures.

Each list is defined once, here; modules import it rather than spelling its values.
Values are French because users see them (store columns, référentiel cells, reports).
"""

from __future__ import annotations

import re
import unicodedata

# --------------------------------------------------------------------------- reports

# The reports, one notebook each, in the order they are listed. Each has one name, the
# word of its files (notebooks/emploi.ipynb, reports/<annee>/emploi.html, RAPPORT=emploi):
# the links between pages and the index say it (« Axe 2 : Emploi »), and its title
# begins with it (README, « Le vocabulaire »).
REPORT_NAMES = {
    "contexte": "Contexte",
    "emancipation": "Émancipation",
    "emploi": "Emploi",
    "tranquillite": "Tranquillité",
    "transition": "Transition",
    "synthese": "Synthèse",
    "annexes": "Annexes",
}
REPORT_TITLES = {
    "contexte": "Contexte : portrait sociodémographique",
    "emancipation": "Axe 1 – Émancipation pour tous à travers la promotion de l'éducation",
    "emploi": "Axe 2 – Développement économique et emploi",
    "tranquillite": "Axe 3 – Tranquillité et sécurité publique",
    "transition": "Axe 4 – Transition écologique et énergétique",
    "synthese": "Synthèse pour le comité de pilotage",
    "annexes": "Annexes de la synthèse",
}
REPORTS = tuple(REPORT_TITLES)
# One page per partner who owes figures to the contract: reports/<annee>/partenaires/.
PARTNER_NOTEBOOK = "partenaire"
PARTNERS_DIR = "partenaires"
SYNTHESIS = "synthese"
ANNEXES = "annexes"
# The reports about the whole contract (every indicator), not about one axis.
WHOLE_CONTRACT = (SYNTHESIS, ANNEXES)
CONTEXT = "contexte"
# A notebook shows its key figures under this MIME type; the runner collects them.
KEY_FIGURES_MIME = "application/vnd.evalqpv.chiffres-cles+json"
# The synthesis also outputs the comparisons with other QPV, written to comparaisons.csv.
COMPARISONS_MIME = "application/vnd.evalqpv.comparaisons+csv"
COMPARISONS_FILE = "comparaisons.csv"
# The same, for a French spreadsheet (semicolons, byte-order mark, decimal comma).
COMPARISONS_SPREADSHEET_FILE = "comparaisons_tableur.csv"
# The synthesis also outputs the completeness of the data by partner, for the index.
COMPLETENESS_MIME = "application/vnd.evalqpv.completude+json"

# The contract's four axes: each has its own report.
AXES = ("emancipation", "emploi", "tranquillite", "transition")
TRANSVERSAL = "transversal"
GOVERNANCE = "gouvernance"
# Values of the référentiel's `axe` column: the context, the four axes, the transversal
# themes and the governance of the contract.
THEMES = (CONTEXT, *AXES, TRANSVERSAL, GOVERNANCE)
THEME_TITLES = {
    **{axe: REPORT_TITLES[axe] for axe in AXES},
    TRANSVERSAL: "Axes transversaux et thématiques complémentaires",
    GOVERNANCE: "Gouvernance",
    CONTEXT: "Contexte",
}

# --------------------------------------------------------------------------- indicators

TYPE_LABELS = {"contexte": "contexte", "realisation": "réalisation", "resultat": "résultat",
               "impact": "impact"}
TYPES = tuple(TYPE_LABELS)
UNIT_NAMES = {"pourcentage": "en %", "nombre": "nombre", "euros": "en euros",
              "ratio": "rapport", "indice": "indice", "booleen": "oui/non",
              "m2": "en m²", "kwh_m2_an": "en kWh par m² et par an"}
UNITS = tuple(UNIT_NAMES)
# Units whose level reflects the size of the territory (a count, a surface): never set
# side by side across territories of different sizes.
SIZE_UNITS = ("nombre", "m2")
DIRECTIONS = ("hausse", "baisse", "neutre")
# What a count counts (référentiel column `denombre`): people, households, or anything
# else (structures, actions, meetings, equipment...). Secrecy masks only the first two.
COUNTED_PEOPLE, COUNTED_HOUSEHOLDS, COUNTED_OTHER = "personnes", "menages", "autres"
COUNTED = (COUNTED_PEOPLE, COUNTED_HOUSEHOLDS, COUNTED_OTHER)
OPERATORS = (">=", ">", "=", "<", "<=")
OPERATOR_WORDS = {">=": "au moins", ">": "plus de", "=": "", "<=": "au plus", "<": "moins de"}
PERIODICITIES = ("annuelle", "pluriannuelle", "ponctuelle", "trimestrielle", "mensuelle")
YEARLY = "annuelle"
# The kind of a target: judged each year on that year's figure (annuelle), on the sum of
# the yearly figures since the contract began (cumulee), on the latest level reached
# (stock: « au total, environ 50 caméras »), or once, when the event happens (ponctuelle).
TARGET_YEARLY, TARGET_CUMULATIVE, TARGET_STOCK, TARGET_ONE_OFF = (
    "annuelle", "cumulee", "stock", "ponctuelle")
TARGET_KINDS = (TARGET_YEARLY, TARGET_CUMULATIVE, TARGET_STOCK, TARGET_ONE_OFF)
TARGET_CONTRACT, TARGET_PARTNER = "contrat", "partenaire"  # whose objective the target is
APPROXIMATE_TOLERANCE = 0.10  # « environ 50 » is met from 45 on

# --------------------------------------------------------------------------- values

# Status of one value in the store.
VALEUR = "valeur"
SECRET = "secret"  # blank in a public file: not published (secret or not significant)
NON_DISPONIBLE = "non_disponible"  # printed as nd / n.d. / ND
BORNE_INF = "borne_inf"  # printed as >95 or ≥95: the true value is above
BORNE_SUP = "borne_sup"  # printed as <5 or ≤5: the true value is below
VALUE_STATUSES = (VALEUR, SECRET, NON_DISPONIBLE, BORNE_INF, BORNE_SUP)
BOUNDS = (BORNE_INF, BORNE_SUP)

# Follow-up status of an indicator against its target, with the CSS class of its badge.
ATTEINT = "atteint"
EN_BONNE_VOIE = "en bonne voie"
EN_RETARD = "en retard"
NON_COMPARABLE = "non comparable"  # a figure and a target of different perimeter or period
A_VENIR = "à venir"  # a milestone not yet due
SANS_CIBLE = "sans cible"
A_COLLECTER = "à collecter"
NON_APPLICABLE = "non applicable"  # a commitment about another commune
ECHU_SANS_DONNEE = "échu, non renseigné"  # a dated target has passed, no figure came
NON_TRANSMIS = "non transmis"  # a partner asked for the year's figures sent nothing
STATUS_SLUGS = {ATTEINT: "ok", EN_BONNE_VOIE: "progress", EN_RETARD: "late",
                ECHU_SANS_DONNEE: "overdue", NON_TRANSMIS: "unsent",
                NON_COMPARABLE: "nc", A_VENIR: "due", SANS_CIBLE: "none",
                A_COLLECTER: "missing", NON_APPLICABLE: "na"}
STATUSES = tuple(STATUS_SLUGS)
# A status after a count of two or more (« 16 atteints », « 3 en retard »): the others
# do not change.
STATUS_PLURALS = {ATTEINT: "atteints", NON_COMPARABLE: "non comparables",
                  NON_APPLICABLE: "non applicables", ECHU_SANS_DONNEE: "échus, non renseignés"}

# --------------------------------------------------------------------------- territories

QPV = "qpv"
COMMUNE = "commune"
EPCI = "epci"
DEPARTEMENT = "departement"
REGION = "region"
FRANCE = "france"
ENSEMBLE_QPV = "ensemble_qpv"
PERIMETRE_PARTENAIRE = "perimetre_partenaire"
ETABLISSEMENT = "etablissement"  # a school (code UAI), attached to its commune
NIVEAUX = (QPV, COMMUNE, EPCI, DEPARTEMENT, REGION, FRANCE, ENSEMBLE_QPV,
           PERIMETRE_PARTENAIRE, ETABLISSEMENT)
# Where an indicator of the référentiel is defined (column `perimetre`): a level, or
# another commune than the quarter's (a commitment that does not apply here).
AUTRE_COMMUNE = "autre_commune"
PERIMETERS = (QPV, COMMUNE, EPCI, DEPARTEMENT, REGION, FRANCE, ENSEMBLE_QPV,
              PERIMETRE_PARTENAIRE, ETABLISSEMENT, AUTRE_COMMUNE)
LEVEL_NAMES = {QPV: "quartier", COMMUNE: "commune", EPCI: "EPCI", DEPARTEMENT: "département",
               REGION: "région", FRANCE: "France", ENSEMBLE_QPV: "ensemble des QPV",
               PERIMETRE_PARTENAIRE: "périmètre du partenaire",
               ETABLISSEMENT: "établissement"}
# The levels on which the year of a report is looked for: the quarter and its surroundings.
NEAR_LEVELS = (QPV, COMMUNE, DEPARTEMENT)

# The référentiel's indicator of the census population (POP_MUN): the denominator when a
# count is turned into a rate to be compared across territories.
POPULATION = "population"

QPV2015 = "qpv2015"
QPV2024 = "qpv2024"
# The commune-level statistic that the maps of a perimeter paint (classed choropleth).
MAP_INDICATOR = "revenu_median_disponible"
GEOGRAPHIES = (QPV2015, QPV2024, "")

# Codes used where producers have none of their own.
CODE_FRANCE = "FR"
CODE_FRANCE_METRO = "FRMETRO"
CODE_ENSEMBLE_QPV = "ENSEMBLE_QPV"

# --------------------------------------------------------------------------- store

CONFLICT = "oui"  # value of the store's `conflit` column when sources disagree
# Where a store row's figure comes from (its `origine` column, written at consolidation
# from the files it cites): a producer's publication (which the contract may print too),
# or typed by hand: the contract's transcription, a partner's return, or both giving the
# same value. A partner's return that a publication confirms is a publication.
ORIGINE_PUBLICATION = "publication"
ORIGINE_PUBLICATION_CONTRAT = "publication et contrat"
ORIGINE_CONTRAT = "contrat"
ORIGINE_PARTENAIRE = "partenaire"
ORIGINE_CONTRAT_PARTENAIRE = "contrat et partenaire"
HAND_FILLED_ORIGINS = (ORIGINE_CONTRAT, ORIGINE_PARTENAIRE, ORIGINE_CONTRAT_PARTENAIRE)
CONTRACT_CITED = (ORIGINE_CONTRAT, ORIGINE_PUBLICATION_CONTRAT, ORIGINE_CONTRAT_PARTENAIRE)
# Nature of a conflict between two figures for the same key.
SOURCES_DIFFERENTES = "sources différentes"
REVISION_PRODUCTEUR = "révision du producteur"
# Nature of a change between two successive stores.
NOUVEAU = "nouvelle valeur"
REVISE = "valeur révisée"
RETIRE = "valeur disparue"
CHANGE_NATURES = (NOUVEAU, REVISE, RETIRE)

# --------------------------------------------------------------------------- collection

# The partners' collection workbook: written by publish.workbooks, read back by
# ingest.partners. The hidden sheet records the layout the workbook was sent with.
COLLECTION_SHEET = "Indicateurs"
# The data sheet's code name (VBA name): Excel and LibreOffice keep it when the sheet is
# renamed, so a returned workbook's data sheet is found whatever its title and position.
COLLECTION_CODE_NAME = "evalqpv_indicateurs"
COLLECTION_GUIDE_SHEET = "À lire"
COLLECTION_STRUCTURE_SHEET = "_structure"
COLLECTION_COLUMNS = ("indicateur", "libelle", "definition", "unite", "niveau", "code",
                      "libelle_territoire", "annee", "derniere_valeur",
                      "annee_derniere_valeur", "valeur", "commentaire")
COLLECTION_EDITABLE = ("valeur", "commentaire")
# Columns of a partner return (a workbook or a CSV written by hand).
RETURN_REQUIRED = ("indicateur", "code", "annee", "valeur")
RETURN_OPTIONAL = ("niveau", "libelle", "libelle_territoire", "unite", "commentaire",
                   "partenaire", "definition", "derniere_valeur", "annee_derniere_valeur",
                   "periode")
# What the partner reads at the head of each column (workbooks written before these
# headers carry the identifiers above: both are read).
RETURN_HEADERS = {
    "indicateur": "Indicateur", "libelle": "Libellé", "definition": "Définition",
    "unite": "Unité", "niveau": "Niveau", "code": "Code du territoire",
    "libelle_territoire": "Territoire", "annee": "Année",
    "derniere_valeur": "Dernière valeur connue",
    "annee_derniere_valeur": "Année de la dernière valeur", "valeur": "Valeur",
    "commentaire": "Commentaire", "partenaire": "Partenaire", "periode": "Période",
}
# The formats a partner's workbook is read in (.csv returns are read too).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
# What became of one partner return (data/processed/retours.csv, column `statut`).
RETURN_READ = "lu"  # every value typed was read
RETURN_PARTIAL = "partiel"  # some rows were refused (named in validation.md), the rest read
RETURN_UNREADABLE = "illisible"  # the file could not be opened or laid out as a return
RETURN_REFUSED = "refusé"  # readable, but not for this contract or this year: nothing kept
RETURN_STATUSES = (RETURN_READ, RETURN_PARTIAL, RETURN_UNREADABLE, RETURN_REFUSED)

# The request ledger the evaluator keeps, one per collection year:
# data/raw/partenaires/<annee>/demandes.csv (see ingest.ledger).
LEDGER_FILE = "demandes.csv"
LEDGER_COLUMNS = ("partenaire", "demande_le", "relance_le", "recu_le", "commentaire")
# Part of the year a figure covers when it is not the whole year (column `periode`).
PERIODS = {"T1": 3, "T2": 6, "T3": 9, "T4": 12, "S1": 6, "S2": 12}  # -> months covered


def partner_stem(partner: str) -> str:
    """A partner's file name, for its page and its collection workbook (« Conseil
    départemental » -> conseil_departemental)."""
    text = unicodedata.normalize("NFKD", partner).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def code_qpv_of_departement(departement: str) -> str:
    """Code of the aggregate « all QPV of a département » (ENSEMBLE_QPV_92)."""
    return f"{CODE_ENSEMBLE_QPV}_{departement}"
