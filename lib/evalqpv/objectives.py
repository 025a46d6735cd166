"""The contract's own text, as configuration.

config/objectifs.csv: the contract line by line — every objective of its tables, every
commitment of its signatories and every rule of its governance, with the indicators that
follow it or the reason why none does. The reports show the contract's coverage from it.

config/constats.csv: the quantitative claims of its diagnosis that public data can
check (report.claims checks them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .contract_settings import Contract
from .problems import Problems
from .rawtable import read_delimited
from .referentiel import Referentiel

COLUMNS = ("section", "ligne", "texte", "indicateurs", "raison_non_suivi", "priorite")


@dataclass(frozen=True)
class ObjectiveLine:
    """One line of the contract: an objective, a commitment or a rule."""

    section: str
    ligne: int
    texte: str
    indicateurs: tuple[str, ...]
    raison_non_suivi: str
    priorite: str  # a strategic priority of the evaluation (Annexe 2), or ""

    @property
    def followed(self) -> bool:
        return bool(self.indicateurs)


@dataclass(frozen=True)
class Objectives:
    lines: tuple[ObjectiveLine, ...]

    def in_section(self, section: str) -> list[ObjectiveLine]:
        return [line for line in self.lines if line.section == section]


def load_objectives(path: Path, label: str, problems: Problems, referentiel: Referentiel,
                    contract: Contract) -> Objectives:
    """Read and check config/objectifs.csv; bad rows are reported and left out."""
    if not path.exists():
        problems.error(label, "fichier absent.", attendu="la liste des lignes du contrat "
                       "(objectifs, engagements, règles) et de leur suivi",
                       correction="restaurez config/objectifs.csv depuis le dépôt")
        return Objectives(())
    table = read_delimited(path, label, problems, separator=",", strict_encoding=True)
    if table is None:
        return Objectives(())
    index = table.required_columns(COLUMNS, problems)
    if index is None:
        return Objectives(())
    lines: list[ObjectiveLine] = []
    seen: dict[tuple[str, int], int] = {}
    for number, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in COLUMNS}

        def bad(column: str, message: str, attendu: str, row: dict[str, str] = row,
                number: int = number) -> None:
            problems.error(label, message, ligne=number, colonne=column, valeur=row[column],
                           attendu=attendu)

        before = len(problems.errors)
        section = row["section"]
        if section not in contract.sections and not contract.is_commitment(section):
            bad("section", "section inconnue du contrat.", "une section de config/contrat.toml "
                f"ou « {contract.annexe_engagements} – <signataire> »")
        if not re.fullmatch(r"\d{1,3}", row["ligne"]):
            bad("ligne", "numéro de ligne invalide.", "le rang de la ligne dans sa section")
        if not row["texte"]:
            bad("texte", "texte vide.", "les mots du contrat")
        ids = tuple(i.strip() for i in row["indicateurs"].split(";") if i.strip())
        for unknown in [i for i in ids if i not in referentiel]:
            problems.error(label, "indicateur inconnu du référentiel.", ligne=number,
                           colonne="indicateurs", valeur=unknown,
                           attendu="des identifiants de config/referentiel.csv séparés par « ; »")
        if not ids and not row["raison_non_suivi"]:
            bad("raison_non_suivi", "ligne ni suivie ni expliquée.",
                "au moins un indicateur, ou la raison pour laquelle la ligne n'est pas suivie")
        if row["priorite"] and row["priorite"] not in contract.priorites:
            bad("priorite", "priorité stratégique inconnue.",
                "une priorité de config/contrat.toml (priorites_strategiques) ou vide")
        if len(problems.errors) > before:
            continue
        key = (section, int(row["ligne"]))
        if key in seen:
            bad("ligne", f"ligne en double (déjà à la ligne {seen[key]} du fichier).",
                "un numéro par ligne du contrat dans sa section")
            continue
        seen[key] = number
        lines.append(ObjectiveLine(section, int(row["ligne"]), row["texte"], ids,
                                   row["raison_non_suivi"], row["priorite"]))
    check_citations(tuple(lines), label, referentiel, problems)
    return Objectives(tuple(lines))


def check_citations(lines: tuple[ObjectiveLine, ...], label: str, referentiel: Referentiel,
                    problems: Problems) -> None:
    """The référentiel against the contract's lines, each error on the référentiel's row:

    - an indicator of a section that config/objectifs.csv follows (a section with at
      least one line there: the objectives tables, the governance rules, each
      signatory's commitments) answers a line of it: one cites it;
    - `prioritaire` says « oui » exactly when a line with a strategic priority (column
      `priorite`) cites the indicator.
    """
    followed = {line.section for line in lines}
    citing: dict[str, list[ObjectiveLine]] = {}
    for line in lines:
        for indicator in line.indicateurs:
            citing.setdefault(indicator, []).append(line)
    where = referentiel.label or "config/referentiel.csv"
    for ind in referentiel.indicators.values():
        cited = citing.get(ind.id, [])
        if ind.section in followed and not cited:
            problems.error(where, f"indicateur de la section {ind.section}, qu'aucune ligne "
                           f"de {label} ne cite.", ligne=ind.ligne or None, colonne="id",
                           valeur=ind.id, attendu=f"une ligne de {label} (section "
                           f"{ind.section}) dont la colonne « indicateurs » le cite",
                           correction=f"ajoutez « {ind.id} » à la colonne « indicateurs » de "
                           "la ligne du contrat qu'il suit (identifiants séparés par « ; »), "
                           "ou rangez-le dans une section de contexte")
        priority = [line for line in cited if line.priorite]
        if ind.prioritaire and not priority:
            problems.error(where, f"indicateur prioritaire qu'aucune ligne prioritaire de "
                           f"{label} ne cite.", ligne=ind.ligne or None, colonne="prioritaire",
                           valeur="oui", attendu="vide, ou une ligne de " + label
                           + " avec une priorité (colonne « priorite ») qui le cite",
                           correction="videz la colonne « prioritaire », ou citez "
                           "l'indicateur dans la ligne prioritaire qu'il suit")
        elif priority and not ind.prioritaire:
            first = priority[0]
            problems.error(where, "indicateur cité par une ligne prioritaire mais non marqué "
                           "prioritaire.", ligne=ind.ligne or None, colonne="prioritaire",
                           valeur="", attendu=f"« oui » : la ligne {first.ligne} de la "
                           f"section {first.section} de {label} (priorité « {first.priorite} »)"
                           " le cite", correction="écrivez « oui » dans la colonne "
                           "« prioritaire », ou retirez l'indicateur de la ligne prioritaire")


# --------------------------------------------------------------------------- claims

CLAIM_COLUMNS = ("section", "citation", "indicateur", "territoire", "verification",
                 "comparaison", "annee_debut", "annee_fin", "valeur", "explication")
# How a claim is checked: a level (« autour de 30 % »), a floor (« en quasi-totalité ») or
# a ceiling, a trend (« en diminution depuis 2014 »), a ratio to another territory
# (« près de deux fois »), a share of it (the part of the national population living in
# QPV), a comparison (« plus jeune que la ville », « en dessous de la moyenne
# nationale »), the population-weighted mean of the département's QPV (« 65 % des
# habitants des quartiers »), or not at all (why, in words).
CHECKS = ("niveau", "niveau_minimum", "niveau_maximum", "tendance_baisse",
          "tendance_hausse", "rapport", "part", "superieur", "inferieur",
          "moyenne_qpv_departement", "non_verifiable")
NEEDS_VALUE = ("niveau", "niveau_minimum", "niveau_maximum", "rapport", "part",
               "moyenne_qpv_departement")
NEEDS_COMPARISON = ("rapport", "part", "superieur", "inferieur")


@dataclass(frozen=True)
class Claim:
    section: str
    citation: str
    indicateur: str
    territoire: str  # the level the claim speaks of: qpv, ensemble_qpv...
    verification: str
    comparaison: str
    annee_debut: int | None
    annee_fin: int | None
    valeur: float | None
    explication: str


def load_claims(path: Path, label: str, problems: Problems,
                referentiel: Referentiel) -> list[Claim]:
    """Read and check config/constats.csv (optional: no file, no claim)."""
    if not path.exists():
        return []
    table = read_delimited(path, label, problems, separator=",", strict_encoding=True)
    if table is None:
        return []
    index = table.required_columns(CLAIM_COLUMNS, problems)
    if index is None:
        return []
    out = []
    for number, cells in table.rows:
        r = {c: cells[index[c]].strip() for c in CLAIM_COLUMNS}
        before = len(problems.errors)

        def bad(column: str, attendu: str, r: dict[str, str] = r, number: int = number) -> None:
            problems.error(label, "valeur invalide.", ligne=number, colonne=column,
                           valeur=r[column], attendu=attendu)

        if r["verification"] not in CHECKS:
            bad("verification", "l'une des vérifications " + ", ".join(CHECKS))
        if r["indicateur"] not in referentiel:
            bad("indicateur", "un identifiant de config/referentiel.csv")
        if r["verification"] in NEEDS_VALUE and not re.fullmatch(r"-?\d+(\.\d+)?", r["valeur"]):
            bad("valeur", "un nombre à point décimal (la valeur que le contrat affirme)")
        if r["verification"] in NEEDS_COMPARISON and not r["comparaison"]:
            bad("comparaison", "le niveau comparé : commune, departement, france, ensemble_qpv")
        if r["verification"] == "non_verifiable" and not r["explication"]:
            bad("explication", "pourquoi les données ne permettent pas de le vérifier")
        for column in ("annee_debut", "annee_fin"):
            if r[column] and not re.fullmatch(r"(19|20)\d\d", r[column]):
                bad(column, "une année sur quatre chiffres")
        if not r["citation"]:
            bad("citation", "les mots du contrat")
        if len(problems.errors) > before:
            continue
        out.append(Claim(r["section"], r["citation"], r["indicateur"], r["territoire"] or "qpv",
                         r["verification"], r["comparaison"],
                         int(r["annee_debut"]) if r["annee_debut"] else None,
                         int(r["annee_fin"]) if r["annee_fin"] else None,
                         float(r["valeur"]) if r["valeur"] else None, r["explication"]))
    return out
