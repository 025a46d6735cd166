"""Which variable of which published file feeds which indicator, and for which year.

The year in a SIG Ville file name is its release year, not the year the figures
describe. config/variables_sources.csv states, per file family and variable, the
rule that gives the reference year (with the evidence), so that a new release is
picked up without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problems
from ..rawtable import read_delimited
from ..referentiel import Referentiel

COLUMNS = ("famille", "variable", "indicateur", "millesime_min", "millesime_max",
           "annee_reference", "colonne_note", "preuve")
_RULE = re.compile(r"^(millesime(-(\d))?|(19|20)\d\d|ligne)$")
# The families whose reader reads the reference year on each row of the file (the long
# tables of ingest.long_tables, the collèges of ingest.ips): their rule is « ligne », and
# only theirs. Another file whose year is in a column is a source of config/sources.csv
# (ingest.declared, annee = colonne:<nom>).
YEAR_ON_EACH_ROW = ("SSMSI", "NEET", "IPS")


@dataclass(frozen=True)
class VariableRule:
    famille: str
    variable: str  # may hold {aa} (two-digit year of the file)
    indicateur: str
    millesime_min: int
    millesime_max: int | None
    annee_reference: str  # "millesime", "millesime-N", a fixed year, or "ligne" (per row)
    colonne_note: str
    preuve: str
    ligne: int

    def applies(self, millesime: int) -> bool:
        return self.millesime_min <= millesime and (
            self.millesime_max is None or millesime <= self.millesime_max)

    def column(self, millesime: int) -> str:
        return self.variable.replace("{aa}", f"{millesime % 100:02d}")

    def note_columns(self, millesime: int) -> list[str]:
        aa = f"{millesime % 100:02d}"
        return [c.replace("{aa}", aa) for c in self.colonne_note.split("|") if c]

    def reference_year(self, millesime: int) -> int:
        if self.annee_reference == "ligne":
            raise ValueError("the reference year of this rule is read on each row")
        if self.annee_reference.startswith("millesime"):
            offset = self.annee_reference[len("millesime"):]
            return millesime - (int(offset[1:]) if offset else 0)
        return int(self.annee_reference)


@dataclass(frozen=True)
class VariableRules:
    rules: tuple[VariableRule, ...]

    def for_file(self, famille: str, millesime: int) -> list[VariableRule]:
        return [r for r in self.rules if r.famille == famille and r.applies(millesime)]


def load_variable_rules(path: Path, label: str, referentiel: Referentiel,
                        problems: Problems) -> VariableRules:
    table = read_delimited(path, label, problems, separator=",", strict_encoding=True)
    if table is None:
        return VariableRules(())
    index = table.required_columns(COLUMNS, problems)
    if index is None:
        return VariableRules(())
    rules: list[VariableRule] = []
    for line, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in COLUMNS}
        before = len(problems.errors)
        if row["indicateur"] not in referentiel:
            problems.error(label, "indicateur inconnu du référentiel.", ligne=line,
                           colonne="indicateur", valeur=row["indicateur"],
                           attendu="un identifiant de config/referentiel.csv")
        if not _RULE.match(row["annee_reference"]):
            problems.error(label, "règle d'année de référence invalide.", ligne=line,
                           colonne="annee_reference", valeur=row["annee_reference"],
                           attendu="« millesime », « millesime-N », une année fixe ou « ligne »")
        elif (row["annee_reference"] == "ligne") != (row["famille"] in YEAR_ON_EACH_ROW):
            per_row = row["famille"] in YEAR_ON_EACH_ROW
            problems.error(label, f"règle d'année « {row['annee_reference']} » impossible pour "
                           f"la famille {row['famille']} : son lecteur "
                           + ("lit l'année sur chaque ligne." if per_row else
                              "ne lit pas l'année sur chaque ligne."), ligne=line,
                           colonne="annee_reference", valeur=row["annee_reference"],
                           attendu="« ligne »" if per_row else "« millesime », « millesime-N » "
                           "ou une année fixe",
                           correction=None if per_row else "pour un fichier dont l'année est "
                           "dans une colonne, déclarez la source dans config/sources.csv "
                           "(annee = colonne:<nom>)")
        for col in ("millesime_min", "millesime_max"):
            if row[col] and not re.fullmatch(r"(19|20)\d\d", row[col]):
                problems.error(label, "millésime invalide.", ligne=line, colonne=col,
                               valeur=row[col], attendu="une année sur quatre chiffres")
        if not row["preuve"]:
            problems.error(label, "la preuve de la règle d'année est vide.", ligne=line,
                           colonne="preuve", attendu="ce qui a été vérifié pour fixer la règle")
        if len(problems.errors) > before or not row["millesime_min"]:
            continue
        rules.append(VariableRule(
            famille=row["famille"], variable=row["variable"], indicateur=row["indicateur"],
            millesime_min=int(row["millesime_min"]),
            millesime_max=int(row["millesime_max"]) if row["millesime_max"] else None,
            annee_reference=row["annee_reference"], colonne_note=row["colonne_note"],
            preuve=row["preuve"], ligne=line))
    _check_overlaps(rules, label, problems)
    return VariableRules(tuple(rules))


def _check_overlaps(rules: list[VariableRule], label: str, problems: Problems) -> None:
    """Two rules for the same variable must not cover the same release."""
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            if (a.famille, a.variable.lower()) != (b.famille, b.variable.lower()):
                continue
            hi_a = a.millesime_max if a.millesime_max is not None else 9999
            hi_b = b.millesime_max if b.millesime_max is not None else 9999
            if a.millesime_min <= hi_b and b.millesime_min <= hi_a:
                problems.error(label, f"deux règles couvrent les mêmes millésimes pour "
                               f"{a.famille} {a.variable} (lignes {a.ligne} et {b.ligne}).",
                               ligne=b.ligne, colonne="millesime_min",
                               attendu="des plages de millésimes disjointes")
