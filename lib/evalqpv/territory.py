"""The territory of a report and its comparison levels, and parameter validation.

Everything derives from the QPV code: its communes, EPCI, département and région come
from data/processed/territoires.csv (built from the official lists), so that any QPV
can be evaluated without a hand-written table.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .schema import CODE_ENSEMBLE_QPV, CODE_FRANCE, CODE_FRANCE_METRO


class ParameterError(ValueError):
    """A report parameter is invalid; the message is French and says how to fix it."""


@dataclass(frozen=True)
class Level:
    niveau: str
    code: str
    libelle: str
    geographie: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.niveau, self.code, self.geographie)


@dataclass(frozen=True)
class Territory:
    code: str
    libelle: str
    levels: tuple[Level, ...]

    @property
    def qpv(self) -> Level:
        return self.levels[0]

    @property
    def comparators(self) -> tuple[Level, ...]:
        return self.levels[1:]

    def level(self, niveau: str) -> Level | None:
        return next((lv for lv in self.levels if lv.niveau == niveau), None)


def resolve_territory(code: object, territoires_csv: Path) -> Territory:
    text = str(code).strip().upper()
    if not re.fullmatch(r"Q[PN]\d{2}[\dAB]\d{3}", text):
        raise ParameterError(
            f"Paramètre « territoire » invalide : « {code} ». Attendu : un code de quartier "
            "prioritaire sur 8 caractères, par exemple QP092005 (géographie 2015).")
    if not territoires_csv.exists():
        raise ParameterError(f"La table des territoires {territoires_csv} n'existe pas : "
                             "lancez d'abord `make donnees`.")
    with territoires_csv.open(encoding="utf-8", newline="") as handle:
        rows = {r["code_qpv"]: r for r in csv.DictReader(handle)}
    row = rows.get(text)
    if row is None:
        near = sorted(c for c in rows if c[:5] == text[:5])[:8]
        hint = f" Quartiers connus dans ce département : {', '.join(near)}." if near else ""
        raise ParameterError(f"Quartier inconnu : « {text} » n'est dans aucun fichier des "
                             f"bases QPV déposé dans data/raw/.{hint}")
    geographie = "qpv2024" if text.startswith("QN") else "qpv2015"
    levels = [Level("qpv", text, row["libelle_qpv"] or text, geographie)]
    for com, lib in zip(row["communes"].split("|"), row["libelles_communes"].split("|"),
                        strict=False):
        if com:
            levels.append(Level("commune", com, lib))
    if row["epci"]:
        levels.append(Level("epci", row["epci"], row["libelle_epci"]))
    if row["departement"]:
        levels.append(Level("departement", row["departement"], row["libelle_departement"]))
    if row["region"]:
        levels.append(Level("region", row["region"], row["libelle_region"]))
    levels.append(Level("france", CODE_FRANCE_METRO, "France métropolitaine"))
    levels.append(Level("france", CODE_FRANCE, "France"))
    levels.append(Level("ensemble_qpv", CODE_ENSEMBLE_QPV, "Ensemble des QPV", "qpv2015"))
    return Territory(text, row["libelle_qpv"] or text, tuple(levels))


def check_year(annee: object, available: list[int]) -> int:
    """The evaluation year must be a year for which the store has data on the territory."""
    text = str(annee).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ParameterError(f"Paramètre « annee » invalide : « {annee} ». Attendu : une année "
                             "sur quatre chiffres, par exemple 2025.")
    year = int(text)
    if year not in available:
        span = f"{min(available)} à {max(available)}" if available else "aucune"
        raise ParameterError(
            f"Aucune donnée pour l'année {year} sur ce territoire (années disponibles : "
            f"{span}). Déposez les données de {year} dans data/raw/ puis relancez "
            "`make donnees`, ou choisissez une année disponible.")
    return year
