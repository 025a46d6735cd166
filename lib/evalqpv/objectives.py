"""The contract line by line: every objective of its tables, every commitment of its
signatories and every rule of its governance, with the indicators that follow it or the
reason why none does (config/objectifs.csv).

The reports show the contract's own coverage from it: how many lines are followed, which
are not and why, and which belong to the strategic priorities of the evaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .problems import Problems
from .rawtable import read_delimited
from .referentiel import Referentiel
from .settings import Contract

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

    def of_indicator(self, indicator: str) -> list[ObjectiveLine]:
        return [line for line in self.lines if indicator in line.indicateurs]


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
    index = table.column_index()
    missing = [c for c in COLUMNS if c not in index]
    if missing:
        problems.error(label, "colonnes manquantes.", ligne=1, colonne=", ".join(missing),
                       attendu="les colonnes " + ", ".join(COLUMNS))
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
    return Objectives(tuple(lines))
