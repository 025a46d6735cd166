"""What a report is about, loaded once per notebook: the year, the quarter and its
comparison levels, the référentiel, the contract, and the store's rows that matter.

A notebook does `ctx = report.prepare(annee, territoire, "emploi")`, then calls the
section functions of the report package with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..ingest.registry import HAND_FILLED_FOLDERS
from ..problems import Problems
from ..referentiel import Indicator, Referentiel, load_referentiel
from ..settings import Contract, ProjectPaths, find_root, load_contract
from ..store.load import load_store
from ..store.tables import available_years
from ..territory import Level, ParameterError, Territory, check_year, resolve_territory
from ..vocabulary import (
    A_COLLECTER,
    CODE_ENSEMBLE_QPV,
    COMMUNE,
    DEPARTEMENT,
    ENSEMBLE_QPV,
    ETABLISSEMENT,
    PERIMETRE_PARTENAIRE,
    REPORTS,
    STATUSES,
    SYNTHESIS,
    code_qpv_of_departement,
)
from .indicators import Point, latest, series, status


@dataclass
class ReportContext:
    """Everything a report needs, loaded once per notebook."""

    annee: int
    territory: Territory
    report: str
    referentiel: Referentiel
    store: pd.DataFrame
    paths: ProjectPaths
    contract: Contract
    _series: dict[tuple[str, tuple[str, str, str]], list[Point]] = field(default_factory=dict)
    _by_indicator: dict[str, pd.DataFrame] = field(default_factory=dict)
    _present: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def own_contract(self) -> bool:
        """The quarter is the contract's own: its targets, partners and caveats apply."""
        return self.territory.code == self.contract.territoire

    def indicators(self) -> list[Indicator]:
        """The indicators this report covers, in the référentiel's order.

        For another quarter than the contract's, only those with public figures: the
        contract's own follow-up indicators do not apply there.
        """
        inds = list(self.referentiel.indicators.values())
        if self.report != SYNTHESIS:
            inds = [i for i in inds if i.in_report(self.report)]
        if not self.own_contract:
            present = set(self.store["indicateur"])
            inds = [i for i in inds if i.id in present]
        return inds

    def series(self, indicator: str, level: Level) -> list[Point]:
        key = (indicator, level.key)
        if key not in self._series:
            present = (indicator, level.niveau, level.code) in self._places()
            self._series[key] = series(self.rows_of(indicator), indicator, level) \
                if present else []
        return self._series[key]

    def rows_of(self, indicator: str) -> pd.DataFrame:
        """The store's rows of one indicator, in the store's order. The store is grouped
        once: a report asks for hundreds of series, each then selected among a few rows
        instead of the whole store (the same rows, several times faster)."""
        if not self._by_indicator:
            self._by_indicator = {str(k): g for k, g in self.store.groupby("indicateur",
                                                                           sort=False)}
        return self._by_indicator.get(indicator, self.store.iloc[0:0])

    def _places(self) -> set[tuple[str, str, str]]:
        """(indicateur, niveau, code) of every row: a series nowhere in the store is empty
        without a selection."""
        if not self._present:
            self._present = set(zip(self.store["indicateur"], self.store["niveau"],
                                    self.store["code"], strict=True))
        return self._present

    def qpv_status(self, ind: Indicator) -> tuple[str, Point | None, Point | None, Level]:
        """Status of an indicator on the most local level that has figures.

        The contract's targets apply to its own quarter only: for any other quarter an
        indicator is judged as if the contract set no target.
        """
        if not self.own_contract:
            ind = replace(ind, cible=None, cible_operateur="", annee_cible=None)
        for level in self.local_levels(ind):
            last, previous = latest(self.series(ind.id, level), self.annee)
            if last is not None:
                return status(ind, last, previous, self.annee), last, previous, level
        schools = self.establishments(ind.id)
        if schools:  # the school of the most modest background first
            level, last = min(schools, key=lambda s: (-s[1].annee, s[1].valeur or 0.0))
            return status(ind, last, None, self.annee), last, None, level
        return A_COLLECTER, None, None, self.territory.qpv

    def status_counts(self, inds: list[Indicator]) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for ind in inds:
            counts[self.qpv_status(ind)[0]] += 1
        return counts

    def establishments(self, indicator: str) -> list[tuple[Level, Point]]:
        """Schools of the territory's communes with a figure up to the evaluation year."""
        mine = self.rows_of(indicator)
        rows = mine[mine["niveau"] == ETABLISSEMENT]
        out = []
        for code, lib in sorted(set(zip(rows["code"], rows["libelle_territoire"],
                                        strict=True))):
            level = Level(ETABLISSEMENT, code, lib)
            last, _ = latest(self.series(indicator, level), self.annee)
            if last is not None:
                out.append((level, last))
        return out

    def local_levels(self, ind: Indicator) -> list[Level]:
        """Where the contract follows this indicator: the QPV first, then wider levels."""
        levels = list(self.territory.levels)
        mine = self.rows_of(ind.id)
        partner = mine[mine["niveau"] == PERIMETRE_PARTENAIRE]
        for code, lib in sorted(set(zip(partner["code"], partner["libelle_territoire"],
                                        strict=True))):
            levels.append(Level(PERIMETRE_PARTENAIRE, code, lib))
        qpv_dep = mine[(mine["niveau"] == ENSEMBLE_QPV) & (mine["code"] != CODE_ENSEMBLE_QPV)]
        for code, lib in sorted(set(zip(qpv_dep["code"], qpv_dep["libelle_territoire"],
                                        strict=True))):
            levels.append(Level(ENSEMBLE_QPV, code, lib))
        return levels


def _hand_filled_only(files: str) -> bool:
    """Every file a store row cites is filled by hand (contract, partners' returns)."""
    return all(f.split("/")[2:3] and f.split("/")[2] in HAND_FILLED_FOLDERS
               for f in files.split(" | "))


def prepare(annee: object, territoire: object, rapport: str = SYNTHESIS,
            racine: str | Path | None = None) -> ReportContext:
    """Validate the parameters and load what the report needs.

    `territoire` None or empty: the contract's quarter (config/contrat.toml); `annee`
    None or empty: the latest year with figures on the quarter, its communes or its
    département. Raises ParameterError with a French message when the territory is
    unknown or the store has no figure for the year.
    """
    if rapport not in REPORTS:
        raise ParameterError(f"Rapport inconnu : « {rapport} ». Attendu : "
                             + ", ".join(REPORTS) + ".")
    paths = ProjectPaths(find_root(Path(racine) if racine else None))
    contract = load_contract(paths)
    territory = resolve_territory(territoire or contract.territoire, paths)
    available = available_years(paths, territory.code)
    if annee is None or annee == "":
        if not available:
            raise ParameterError(f"Aucune donnée pour le territoire {territory.code}.")
        annee = available[-1]
    year = check_year(annee, available)
    keys = {f"{lv.niveau}|{lv.code}" for lv in territory.levels}
    dep = territory.level(DEPARTEMENT)
    keys |= {f"{ENSEMBLE_QPV}|{code_qpv_of_departement(dep.code)}"} if dep else set()
    # Partner perimeters come from this contract's own returns and transcription: they
    # belong to the contract's quarter, not to a quarter evaluated for comparison.
    own = territory.code == contract.territoire
    communes = {lv.code for lv in territory.levels if lv.niveau == COMMUNE}
    local = load_store(paths.store, keys, keep_levels=(PERIMETRE_PARTENAIRE,) if own else (),
                       attached_to=communes)
    if not own:  # the contract's transcription and partners' returns are not about it
        local = local[~local["fichier"].map(_hand_filled_only)]
    problems = Problems()
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel), problems,
                                   contract)
    if problems.errors:
        raise ParameterError("Le référentiel contient des erreurs : lancez `make donnees` et "
                             "lisez data/processed/validation.md.")
    return ReportContext(year, territory, rapport, referentiel, local.reset_index(drop=True),
                         paths, contract)
