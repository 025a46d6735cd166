"""The territory of a report and its comparison levels, and parameter validation.

Everything derives from the QPV code: its communes, EPCI, département and région come
from data/processed/territoires.csv (built from the official lists), so that any QPV
can be evaluated without a hand-written table. The store reads that table
(store.tables.resolve_territory) and gives its rows to `territory_of`: this shared module
reads no file of the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .contract_settings import load_contract
from .errors import ParameterError as ParameterError  # its historical place
from .problems import Problems
from .settings import QUARTER_CODE, ProjectPaths
from .vocabulary import (
    CODE_ENSEMBLE_QPV,
    CODE_FRANCE,
    CODE_FRANCE_METRO,
    COMMUNE,
    DEPARTEMENT,
    ENSEMBLE_QPV,
    EPCI,
    FRANCE,
    QPV,
    QPV2015,
    QPV2024,
    REGION,
)


@dataclass(frozen=True)
class TerritoryRow:
    """One QPV and the territories around it, as territoires.csv gives them."""

    code: str
    libelle: str
    communes: tuple[tuple[str, str], ...]  # (code, libellé)
    epci: tuple[str, str]
    departement: tuple[str, str]
    region: tuple[str, str]


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
    # The same quarter in the other priority geography (2024 for a 2015 code), when the
    # contract names it: a level of its own, never a comparator, never chained.
    other_geography: Level | None = None

    @property
    def qpv(self) -> Level:
        return self.levels[0]

    @property
    def comparators(self) -> tuple[Level, ...]:
        return self.levels[1:]

    @property
    def local_and_comparators(self) -> tuple[Level, ...]:
        """Every level a report reads: the quarter, its other geography, the others."""
        extra = (self.other_geography,) if self.other_geography else ()
        return (self.qpv, *extra, *self.comparators)

    def level(self, niveau: str) -> Level | None:
        return next((lv for lv in self.levels if lv.niveau == niveau), None)


def territory_of(code: object, rows: Mapping[str, TerritoryRow] | None,
                 paths: ProjectPaths) -> Territory:
    """The QPV and its comparison levels among `rows` (every QPV of the store, by code;
    None when the store has not been built), or a French message saying what is wrong."""
    text = str(code).strip().upper()
    if not QUARTER_CODE.fullmatch(text):
        raise ParameterError(
            f"Paramètre « territoire » invalide : « {code} ». Attendu : un code de quartier "
            "prioritaire sur 8 caractères, par exemple QP092005 (géographie 2015).")
    if rows is None:
        raise ParameterError(f"La table des territoires {paths.territories} n'existe pas : "
                             "lancez d'abord `make construire`.")
    row = rows.get(text)
    if row is None and text.startswith("QN"):
        raise ParameterError(_not_served(text, paths))
    if row is None:
        near = sorted(c for c in rows if c[:5] == text[:5])[:8]
        hint = f" Quartiers connus dans ce département : {', '.join(near)}." if near else ""
        raise ParameterError(f"Quartier inconnu : « {text} » n'est dans aucun fichier des "
                             f"bases QPV déposé dans data/raw/.{hint}")
    if not row.departement[0]:
        raise ParameterError(f"Quartier « {text} » sans géographie : son département n'est pas "
                             "dans la liste officielle (data/raw/geographie/), aucun rapport "
                             "n'est produit pour lui.")
    geographie = QPV2024 if text.startswith("QN") else QPV2015
    levels = [Level(QPV, text, row.libelle or text, geographie)]
    levels += [Level(COMMUNE, com, lib) for com, lib in row.communes]
    for niveau, (place, libelle) in ((EPCI, row.epci), (DEPARTEMENT, row.departement),
                                     (REGION, row.region)):
        if place:
            levels.append(Level(niveau, place, libelle))
    levels.append(Level(FRANCE, CODE_FRANCE_METRO, "France métropolitaine"))
    levels.append(Level(FRANCE, CODE_FRANCE, "France"))
    levels.append(Level(ENSEMBLE_QPV, CODE_ENSEMBLE_QPV, "Ensemble des QPV", QPV2015))
    return Territory(text, row.libelle or text, tuple(levels))


def _not_served(code: str, paths: ProjectPaths) -> str:
    """Why a 2024-geography code has no report yet, and the 2015 code to use."""
    contract = load_contract(paths, Problems())
    own = ""
    if contract.territoire:
        named = (f" ({contract.territoire_2024} en géographie 2024)"
                 if contract.territoire_2024 else "")
        own = (f" Le quartier du contrat a pour code {contract.territoire} en géographie "
               f"2015{named} : TERRITOIRE={contract.territoire}.")
        if code == contract.territoire_2024:
            own = (f" {code} est le quartier du contrat en géographie 2024 ; ses rapports "
                   f"portent sur son code de 2015 : TERRITOIRE={contract.territoire}.")
    return (f"Quartier « {code} » : les codes de la géographie prioritaire 2024 (QN…) ne sont "
            "pas encore servis, les bases QPV déposées dans data/raw/ sont en géographie "
            f"2015 (QP…).{own}")


def check_year(annee: object, available: list[int], latest: int | None = None) -> int:
    """The evaluation year: from the first year with data on the territory up to
    `latest` (the last year the contract covers that has begun), even when the store
    has no figure for that very year yet: the report then shows, for each indicator,
    the latest figure up to it and says what is missing."""
    text = str(annee).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ParameterError(f"Paramètre « annee » invalide : « {annee} ». Attendu : une année "
                             "sur quatre chiffres, par exemple 2025.")
    year = int(text)
    upper = max([*available, latest or 0])
    if not available or not min(available) <= year <= upper:
        span = f"{min(available)} à {upper}" if available else "aucune"
        raise ParameterError(
            f"Aucune donnée pour l'année {year} sur ce territoire (années possibles : "
            f"{span}). Déposez les données de {year} dans data/raw/ puis relancez "
            "`make construire`, ou choisissez une année possible.")
    return year


def evaluation_years(contract_fin: int, today: int) -> int:
    """The last year a report may be asked for: the contract's latest year that has
    begun (a year in progress is evaluated with the figures known so far)."""
    return min(contract_fin, today) if contract_fin else today


def intercommunality_note(territory: Territory, nom: str, nature: str) -> str:
    """One sentence saying why the intercommunality compared is not the contract's own
    (an EPT of the Métropole du Grand Paris, that published files do not cover): empty
    when the territory's intercommunality is the contract's."""
    epci = territory.level(EPCI)
    if epci is None or _same_name(epci.libelle, nom):
        return ""
    return (f"L'intercommunalité du contrat est {nom}, {nature} ; les fichiers publics "
            "livrés ne donnent aucun chiffre à ce niveau : l'intercommunalité de comparaison "
            f"est donc celle de ces fichiers, {epci.libelle}.")


def _same_name(a: str, b: str) -> bool:
    """« Vallée Sud - Grand Paris » and « Vallée Sud – Grand Paris » are one name."""
    def key(text: str) -> str:
        return re.sub(r"[\s\-–—]+", " ", text).strip().lower()
    return key(a) == key(b)
