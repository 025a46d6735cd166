"""The référentiel: the catalogue of what the contract measures.

It is a CSV that evaluators edit in a spreadsheet (comma or semicolon separated,
UTF-8). Every observation in the store must name an indicator of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .contract_settings import Contract
from .frenchnumbers import NotANumber, parse_french_number
from .problems import Problems
from .rawtable import read_delimited
from .settings import read_once
from .vocabulary import (
    COUNTED,
    COUNTED_OTHER,
    DIRECTIONS,
    OPERATORS,
    PERIMETERS,
    PERIODICITIES,
    TARGET_CONTRACT,
    TARGET_KINDS,
    TARGET_PARTNER,
    THEMES,
    TYPES,
    UNITS,
)

COLUMNS = (
    "id", "libelle", "axe", "section", "objectif", "type", "unite", "sens", "producteur",
    "source", "partenaire", "periodicite", "definition", "variable_source",
    "valeur_reference", "annee_reference", "cible", "cible_operateur", "annee_cible",
    "cible_texte", "echeance", "note", "rapports", "perimetre", "cible_nature",
    "cible_approchee", "cible_origine", "prioritaire",
)
# Added later: read when present (older référentiels lack them).
OPTIONAL_COLUMNS = ("denombre", "calcul")
# Figures the toolkit computes itself rather than reads (column `calcul`): the share of
# the partners who sent their figures of the year (their annual evaluation).
CALCULATIONS = ("part_partenaires_ayant_transmis",)
_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Indicator:
    id: str
    libelle: str
    axe: str
    section: str
    objectif: str
    type: str
    unite: str
    sens: str
    producteur: str
    source: str
    partenaire: str
    periodicite: str
    definition: str
    variable_source: str
    valeur_reference: float | None
    statut_reference: str
    annee_reference: int | None
    cible: float | None
    cible_operateur: str
    annee_cible: int | None
    cible_texte: str
    echeance: str
    note: str
    rapports: tuple[str, ...] = ()
    # Where the indicator (and its target) is defined: a figure on another level is
    # shown but never judged against the target.
    perimetre: str = "qpv"
    cible_nature: str = ""  # annuelle, cumulee, stock, ponctuelle (TARGET_KINDS)
    cible_approchee: bool = False  # « environ 50 »: met within APPROXIMATE_TOLERANCE
    cible_origine: str = ""  # contrat, or partenaire: the partner's own objective
    prioritaire: bool = False  # a strategic priority of the evaluation (Annexe 2)
    # What a count counts: people or households (masked when small, on a small area)
    # or anything else (structures, actions, meetings: never masked).
    denombre: str = ""
    calcul: str = ""  # a figure the toolkit computes (CALCULATIONS), not read from a file
    ligne: int = field(default=0, compare=False)  # its line in config/referentiel.csv

    @property
    def counts_people(self) -> bool:
        """A count of people or households: statistical secrecy applies to it. A count
        whose object is not said is treated as one (the cautious reading)."""
        return self.unite == "nombre" and self.denombre != COUNTED_OTHER

    @property
    def partner_objective(self) -> bool:
        """The target is the partner's own objective, not the contract's: shown as such,
        never turned into a status of the quarter."""
        return self.cible_origine == TARGET_PARTNER

    def in_report(self, report: str) -> bool:
        """Shown in `report` (its own axis, or linked by the `rapports` column)."""
        return self.axe == report or report in self.rapports


@dataclass(frozen=True)
class Referentiel:
    indicators: dict[str, Indicator]
    _partners: list[str] = field(default_factory=list, compare=False, repr=False)
    label: str = field(default="", compare=False)  # its file, as shown to users

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self.indicators[indicator_id]

    def __len__(self) -> int:
        return len(self.indicators)

    def own_copy(self) -> Referentiel:
        """The same référentiel with its own table of indicators: a caller that changes
        it changes no other's (the indicators themselves are immutable)."""
        return Referentiel(dict(self.indicators), list(self._partners), self.label)

    def of_partner(self, partner: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.partenaire == partner]

    def partners(self) -> list[str]:
        """The partners who owe figures to the contract, alphabetically: every
        `partenaire` but the producers of public statistics (is_publisher). Computed
        once: reports ask for it indicator by indicator."""
        if not self._partners:
            names = sorted({i.partenaire for i in self.indicators.values()})
            self._partners.extend(n for n in names if not is_publisher(self.of_partner(n)))
        return list(self._partners)


# A « partner » at least this share of whose indicators are published variables (the
# `variable_source` column) is a producer of public statistics: asked by release, not by
# a collection workbook or a data-exchange agreement.
PUBLISHER_SHARE = 0.5


def is_publisher(inds: list[Indicator]) -> bool:
    return bool(inds) and sum(bool(i.variable_source) for i in inds) >= PUBLISHER_SHARE * len(inds)


def load_referentiel(path: Path, label: str, problems: Problems,
                     contract: Contract) -> Referentiel:
    """Read and check the référentiel; bad rows are reported and left out.

    A row's section must be one of the contract's sections (config/contrat.toml) or a
    signatory's commitments (« Annexe 1 – <signataire> »).

    Parsed once per process, content of the file, label and contract (settings.read_once:
    the warm process of `evalqpv rapports` parses it before it forks a copy per
    notebook); its problems are reported to every caller, and each caller gets its own
    table of indicators (the indicators themselves are immutable).
    """
    return read_once(("referentiel", str(path), label), (path,),
                     lambda found: _load_referentiel(path, label, found, contract), problems,
                     inputs=(contract,), copy=Referentiel.own_copy)


def _load_referentiel(path: Path, label: str, problems: Problems,
                      contract: Contract) -> Referentiel:
    table = read_delimited(path, label, problems, separator=_separator(path),
                           strict_encoding=True)
    if table is None:
        return Referentiel({})
    index = table.required_columns(COLUMNS, problems,
                                   correction="rétablissez les colonnes supprimées ou renommées")
    if index is None:
        return Referentiel({})
    indicators: dict[str, Indicator] = {}
    for line, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in COLUMNS}
        row.update({c: cells[index[c]].strip() if c in index else "" for c in OPTIONAL_COLUMNS})
        before = len(problems.errors)
        indicator = _check_row(row, line, label, problems, contract)
        if indicator is None or len(problems.errors) > before:
            continue
        if indicator.id in indicators:
            problems.error(label, "identifiant d'indicateur en double.", ligne=line,
                           colonne="id", valeur=indicator.id,
                           attendu="un identifiant unique par ligne",
                           correction="renommez l'une des deux lignes ou fusionnez-les")
            continue
        indicators[indicator.id] = replace(indicator, ligne=line)
    return Referentiel(indicators, label=label)


def _separator(path: Path) -> str:
    first = path.read_bytes()[:4096].split(b"\n", 1)[0]
    return ";" if first.count(b";") > first.count(b",") else ","


def _check_row(row: dict[str, str], line: int, label: str, problems: Problems,
               contract: Contract) -> Indicator:
    def bad(col: str, attendu: str, correction: str | None = None) -> None:
        problems.error(label, f"valeur invalide dans la colonne « {col} ».", ligne=line,
                       colonne=col, valeur=row[col], attendu=attendu, correction=correction)

    if not _ID.match(row["id"]):
        bad("id", "un identifiant en minuscules sans accent, mots séparés par « _ » "
            "(ex. taux_pauvrete)")
    for col, allowed in (("axe", THEMES), ("type", TYPES), ("unite", UNITS),
                         ("sens", DIRECTIONS), ("periodicite", PERIODICITIES),
                         ("perimetre", PERIMETERS),
                         ("cible_nature", ("", *TARGET_KINDS)),
                         ("cible_origine", ("", TARGET_CONTRACT, TARGET_PARTNER)),
                         ("cible_approchee", ("", "oui")), ("prioritaire", ("", "oui")),
                         ("denombre", ("", *COUNTED)), ("calcul", ("", *CALCULATIONS))):
        if row[col] not in allowed:
            bad(col, "l'une des valeurs : " + ", ".join(v or "(vide)" for v in allowed))
    if row["section"] not in contract.sections and not contract.is_commitment(row["section"]):
        bad("section", "une section du contrat (" + ", ".join(contract.sections)
            + f") ou « {contract.annexe_engagements} – <partenaire> »",
            "les sections sont listées dans config/contrat.toml")
    for col in ("libelle", "objectif", "definition", "producteur", "partenaire"):
        if not row[col]:
            bad(col, "un texte non vide")
    for report in [r for r in row["rapports"].split(";") if r]:
        if report not in THEMES:
            bad("rapports", "des axes séparés par « ; » parmi " + ", ".join(THEMES))
    ref = _number(row, "valeur_reference", bad)
    cible = _number(row, "cible", bad)
    annee_ref = _year(row, "annee_reference", bad)
    annee_cible = _year(row, "annee_cible", bad)
    if ref is not None and ref[0] is not None and annee_ref is None:
        bad("annee_reference", "l'année de la valeur de référence")
    if cible is not None and cible[0] is not None and row["cible_operateur"] not in OPERATORS:
        bad("cible_operateur", "l'un des opérateurs " + " ".join(OPERATORS) +
            " quand une cible est donnée")
    if row["cible_operateur"] and (cible is None or cible[0] is None):
        bad("cible", "une cible chiffrée quand un opérateur est donné",
            "videz l'opérateur si le contrat ne fixe pas de cible")
    if row["denombre"] and row["unite"] != "nombre":
        bad("denombre", "vide quand l'unité n'est pas « nombre »",
            "la colonne dit ce que compte un nombre (personnes, menages, autres)")
    if cible is not None and cible[0] is not None and not row["cible_nature"]:
        bad("cible_nature", "la nature de la cible : " + ", ".join(TARGET_KINDS),
            "annuelle (chaque année), cumulee (somme depuis le début du contrat), stock (un "
            "niveau à atteindre, « au total »), ponctuelle (un événement unique)")
    return Indicator(
        id=row["id"], libelle=row["libelle"], axe=row["axe"], section=row["section"],
        objectif=row["objectif"], type=row["type"], unite=row["unite"], sens=row["sens"],
        producteur=row["producteur"], source=row["source"], partenaire=row["partenaire"],
        periodicite=row["periodicite"], definition=row["definition"],
        variable_source=row["variable_source"],
        valeur_reference=ref[0] if ref else None,
        statut_reference=ref[1] if ref else "",
        annee_reference=annee_ref,
        cible=cible[0] if cible else None, cible_operateur=row["cible_operateur"],
        annee_cible=annee_cible, cible_texte=row["cible_texte"], echeance=row["echeance"],
        note=row["note"],
        rapports=tuple(r for r in row["rapports"].split(";") if r),
        perimetre=row["perimetre"], cible_nature=row["cible_nature"],
        cible_approchee=row["cible_approchee"] == "oui",
        cible_origine=row["cible_origine"] or (TARGET_CONTRACT if row["cible"] else ""),
        prioritaire=row["prioritaire"] == "oui", denombre=row["denombre"],
        calcul=row["calcul"],
    )


Complaint = Callable[..., None]


def _number(row: dict[str, str], col: str, bad: Complaint) -> tuple[float | None, str] | None:
    if not row[col]:
        return None
    try:
        parsed = parse_french_number(row[col])
    except NotANumber:
        bad(col, "un nombre (virgule ou point décimal), éventuellement « >95 » ou « nd »")
        return None
    return parsed.valeur, parsed.statut


def _year(row: dict[str, str], col: str, bad: Complaint) -> int | None:
    if not row[col]:
        return None
    if not re.fullmatch(r"(19|20)\d\d", row[col]):
        bad(col, "une année sur quatre chiffres, entre 1900 et 2099")
        return None
    return int(row[col])
