"""A report's parameters checked and what it needs loaded: `prepare` gives the
ReportContext a notebook passes to every section (report/context.py).

The year defaults to the one `make rapports` evaluates, the quarter to the contract's;
only the store's rows of the quarter, its comparison levels (and, for the contract's own
quarter, the partners' perimeters) are read; another quarter never sees the contract's
transcription nor the partners' returns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ..analysis_settings import load_analyses
from ..comparison_settings import load_comparison
from ..contract_settings import Contract, load_contract
from ..objectives import Claim, Objectives, load_claims, load_objectives
from ..problems import Problems
from ..referentiel import Referentiel, load_referentiel
from ..settings import ProjectPaths, find_root, read_once
from ..store.load import load_store
from ..store.parquet import keep_parquet
from ..store.tables import available_years, read_territories, resolve_territory
from ..territory import (
    Level,
    ParameterError,
    check_year,
    evaluation_years,
)
from ..vocabulary import (
    COMMUNE,
    DEPARTEMENT,
    ENSEMBLE_QPV,
    HAND_FILLED_ORIGINS,
    PARTNER_NOTEBOOK,
    PERIMETRE_PARTENAIRE,
    QPV,
    QPV2024,
    REPORTS,
    SYNTHESIS,
    code_qpv_of_departement,
)
from .context import ReportContext


def prepare(annee: object, territoire: object, rapport: str = SYNTHESIS,
            racine: str | Path | None = None) -> ReportContext:
    """Validate the parameters and load what the report needs.

    `territoire` None or empty: the contract's quarter (config/contrat.toml); `annee`
    None or empty: the year `make rapports` evaluates, the contract's last elapsed year
    (its baseline year before it begins), never before the quarter's first year in the
    store. Raises ParameterError with a French message when the territory is
    unknown or the store has no figure for the year.
    """
    if rapport not in (*REPORTS, PARTNER_NOTEBOOK):
        raise ParameterError(f"Rapport inconnu : « {rapport} ». Attendu : "
                             + ", ".join((*REPORTS, PARTNER_NOTEBOOK)) + ".")
    paths = ProjectPaths(find_root(Path(racine) if racine else None))
    contract = load_contract(paths)
    territory = resolve_territory(territoire or contract.territoire, paths)
    if territory.code == contract.territoire and contract.territoire_2024:
        territory = replace(territory, other_geography=Level(
            QPV, contract.territoire_2024, f"{territory.libelle} (périmètre 2024)", QPV2024))
    available = available_years(paths, territory.code)
    if not available:
        raise ParameterError(f"Aucune donnée pour le territoire {territory.code}.")
    today = date.today().year
    if annee is None or annee == "":
        annee = max(min(available), contract.default_year(today))
    year = check_year(annee, available, evaluation_years(contract.fin, today))
    keys = {f"{lv.niveau}|{lv.code}" for lv in territory.local_and_comparators}
    dep = territory.level(DEPARTEMENT)
    keys |= {f"{ENSEMBLE_QPV}|{code_qpv_of_departement(dep.code)}"} if dep else set()
    # Partner perimeters come from this contract's own returns and transcription: they
    # belong to the contract's quarter, not to a quarter evaluated for comparison.
    own = territory.code == contract.territoire
    communes = {lv.code for lv in territory.levels if lv.niveau == COMMUNE}
    local = load_store(paths.store, keys, keep_levels=(PERIMETRE_PARTENAIRE,) if own else (),
                       attached_to=communes)
    if not own:  # the contract's transcription and partners' returns are not about it
        local = local[~local["origine"].isin(HAND_FILLED_ORIGINS)]
    problems = Problems()
    referentiel, objectives, claims = _configuration(paths, contract, problems)
    if problems.errors:
        raise ParameterError("La configuration contient des erreurs : lancez `make construire` et "
                             "lisez data/processed/validation.md.")
    return ReportContext(year, territory, rapport, referentiel, local.reset_index(drop=True),
                         paths, contract, objectives, claims)


def _configuration(paths: ProjectPaths, contract: Contract, problems: Problems,
                   ) -> tuple[Referentiel, Objectives, list[Claim]]:
    """The référentiel, the contract's lines and its claims, checked against each other:
    read once per process and content of their files (settings.read_once), each caller
    with its own copy of what it could change and every problem found."""
    files = (paths.referentiel, paths.objectives, paths.claims)

    def read(found: Problems) -> tuple[Referentiel, Objectives, list[Claim]]:
        referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                       found, contract)
        return (referentiel,
                load_objectives(paths.objectives, paths.label(paths.objectives), found,
                                referentiel, contract),
                load_claims(paths.claims, paths.label(paths.claims), found, referentiel))

    def own(read: tuple[Referentiel, Objectives, list[Claim]],
            ) -> tuple[Referentiel, Objectives, list[Claim]]:
        return read[0].own_copy(), read[1], list(read[2])  # Objectives is immutable

    return read_once(("configuration", *map(str, files), *map(paths.label, files)), files,
                     read, problems, inputs=(contract,), copy=own)


def preload_inputs(paths: ProjectPaths) -> None:
    """Read once, in a process about to fork a copy per notebook, the files every
    notebook reads alike (each reader keeps what it read for this version of its files,
    settings.read_once), and keep the store in memory (store.parquet.keep_parquet): a
    copy then reads none of them. report.national.preload_project calls it."""
    problems = Problems()  # each notebook reports its own: here they are only read
    contract = load_contract(paths, problems)
    _configuration(paths, contract, problems)
    load_comparison(paths, problems)
    load_analyses(paths, problems)
    read_territories(paths)
    available_years(paths, contract.territoire)
    if paths.store_parquet.exists():
        keep_parquet(paths.store_parquet)
