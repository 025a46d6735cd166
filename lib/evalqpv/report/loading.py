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

from ..contract_settings import load_contract
from ..objectives import load_claims, load_objectives
from ..problems import Problems
from ..referentiel import load_referentiel
from ..settings import ProjectPaths, find_root
from ..store.load import load_store
from ..store.tables import available_years, resolve_territory
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
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel), problems,
                                   contract)
    objectives = load_objectives(paths.objectives, paths.label(paths.objectives), problems,
                                 referentiel, contract)
    claims = load_claims(paths.claims, paths.label(paths.claims), problems, referentiel)
    if problems.errors:
        raise ParameterError("La configuration contient des erreurs : lancez `make construire` et "
                             "lisez data/processed/validation.md.")
    return ReportContext(year, territory, rapport, referentiel, local.reset_index(drop=True),
                         paths, contract, objectives, claims)
