"""The report runner: store up to date, jobs planned, the batch run on Dask, indexes written.

One quarter (the contract's by default, or --territoire) or a perimeter of quarters
(--perimetre 92, R11, FRANCE). A rebuild with unchanged inputs imports neither pandas,
papermill, nbconvert nor dask, so that it takes well under a second.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..contract_settings import Contract, load_contract
from ..errors import ClusterError, UserError
from ..frenchnumbers import count, number
from ..problems import first_errors
from ..settings import ProjectPaths, notebook_time_limit
from ..store.atomic import write_text_atomic
from ..store.fingerprint import code_fingerprint, store_is_current, store_key
from ..store.tables import available_years, resolve_territory
from ..territory import ParameterError, check_year, evaluation_years
from ..vocabulary import PARTNER_NOTEBOOK, REPORTS, SYNTHESIS
from .index import write_index
from .jobs import (
    Job,
    Outcome,
    Rendered,
    is_current,
    last_duration,
    make_job,
    output_dir,
    page_edited,
    partner_job,
    record_duration,
)
from .lock import RunInProgress, project_lock
from .selection import Perimeter, Plan, plan_year, resolve_perimeter

if TYPE_CHECKING:
    from .perimeter import IndexAhead
    from .shipping import Shipment

Say = Callable[[str], None]
Key = tuple[str, str]  # (territoire, rapport)


def run(paths: ProjectPaths, annee: int | None = None, territoire: str | None = None,
        rapports: tuple[str, ...] = REPORTS, workers: int | None = None,
        say: Say = print, *, perimetre: str | None = None, planificateur: str | None = None,
        delai: float | None = None, tableau_de_bord: bool = False) -> int:
    """Build what is out of date and return an exit code (0 when every report is good,
    3 when another run holds the project)."""
    try:
        with project_lock(paths.root):
            return _run(paths, annee, territoire, rapports, workers, say, perimetre=perimetre,
                        planificateur=planificateur, delai=delai,
                        tableau_de_bord=tableau_de_bord)
    except RunInProgress as exc:
        say(str(exc))
        return 3


def _run(paths: ProjectPaths, annee: int | None, territoire: str | None,
         rapports: tuple[str, ...], workers: int | None, say: Say, *, perimetre: str | None,
         planificateur: str | None, delai: float | None, tableau_de_bord: bool) -> int:
    started = time.perf_counter()
    if not ensure_store(paths, say):
        return 1
    try:
        contract = load_contract(paths)
        limit = notebook_time_limit(delai)
        scope = _scope(paths, contract, annee, territoire, perimetre)
    except UserError as exc:  # ParameterError, SettingsError: French messages
        say(str(exc))
        return 2
    batch = _plan(paths, contract, scope, rapports)
    _say_edited(paths, batch.jobs, say)
    todo = [j for j in batch.jobs if not is_current(j)]
    pending = {_key(j) for j in todo}
    outcomes = {_key(j): _skipped(j) for j in batch.jobs if _key(j) not in pending}
    scope.announce(batch.jobs, pending, say)
    if todo:
        from .cluster import ENV_SCHEDULER  # noqa: PLC0415 - only when there is work

        scope.begin(paths, batch, local=not (planificateur or os.environ.get(ENV_SCHEDULER)))
        try:
            outcomes.update(_execute(paths, todo, workers, planificateur, limit, say,
                                     detailed=scope.detailed, dashboard=tableau_de_bord))
        except ClusterError as exc:  # a French message
            say(str(exc))
            return 2
    _write_indexes(paths, scope.year, batch, outcomes)
    scope.conclude(paths, batch, outcomes, number(time.perf_counter() - started, 1), say)
    return _say_failures(batch.jobs, outcomes, scope, say)


@dataclass(frozen=True)
class Batch:
    """The jobs of a run: every page of its quarters for the year (their indexes list
    them all), those asked (the rest is left as it is), and each quarter's folder."""
    every: list[Job]
    jobs: list[Job]
    out_dirs: dict[str, Path]


class Scope(Protocol):
    """What a run on one quarter and a run on a perimeter of quarters do differently:
    the year and quarters, what is said before, during and after the notebooks run."""

    @property
    def year(self) -> int: ...

    @property
    def quarters(self) -> list[str]: ...

    @property
    def detailed(self) -> bool:
        """A line per notebook (else a failure line and the progress line)."""

    def announce(self, jobs: list[Job], pending: set[Key], say: Say) -> None:
        """Said once the jobs are known, before any runs."""

    def begin(self, paths: ProjectPaths, batch: Batch, local: bool) -> None:
        """Started when there are notebooks to run, before they run: what needs no
        report, done meanwhile (`local`: on the command's own cluster, whose warm process
        is on this machine)."""

    def conclude(self, paths: ProjectPaths, batch: Batch, outcomes: dict[Key, Outcome],
                 elapsed: str, say: Say) -> None:
        """Said (and written) once every index is written."""

    def where(self, failure: Outcome) -> str:
        """What comes before a failure's message in the closing list."""


@dataclass(frozen=True)
class QuarterScope:
    """One quarter (the contract's, or --territoire)."""
    year: int
    code: str

    @property
    def quarters(self) -> list[str]:
        return [self.code]

    @property
    def detailed(self) -> bool:
        return True

    def announce(self, jobs: list[Job], pending: set[Key], say: Say) -> None:
        for job in jobs:
            if _key(job) not in pending:
                say(f"{job.name} : à jour, rien à refaire.")

    def begin(self, paths: ProjectPaths, batch: Batch, local: bool) -> None:
        pass

    def conclude(self, paths: ProjectPaths, batch: Batch, outcomes: dict[Key, Outcome],
                 elapsed: str, say: Say) -> None:
        say(f"Rapports dans {batch.out_dirs[self.code]} ({elapsed} s).")

    def where(self, failure: Outcome) -> str:
        return ""


@dataclass
class PerimeterScope:
    """Every quarter of a perimeter (--perimetre) that has data for the year planned."""
    perimeter: Perimeter
    plan: Plan
    ahead: IndexAhead | None = None  # the index's figures and map, while notebooks run

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def quarters(self) -> list[str]:
        return [q.code for q in self.plan.quarters]

    @property
    def detailed(self) -> bool:
        return False

    def announce(self, jobs: list[Job], pending: set[Key], say: Say) -> None:
        _announce(self.perimeter, self.plan, len(jobs) - len(pending), len(pending), say)

    def begin(self, paths: ProjectPaths, batch: Batch, local: bool) -> None:
        from .perimeter import IndexAhead  # noqa: PLC0415

        self.ahead = IndexAhead(paths, self.perimeter, self.plan, batch.out_dirs, warm=local)

    def conclude(self, paths: ProjectPaths, batch: Batch, outcomes: dict[Key, Outcome],
                 elapsed: str, say: Say) -> None:
        from .perimeter import write_perimeter_index  # noqa: PLC0415 - loads jinja2

        page = write_perimeter_index(paths, self.perimeter, self.plan, batch.jobs, outcomes,
                                     batch.out_dirs, self.ahead.parts() if self.ahead else None)
        say(f"Rapports de {count(len(self.quarters), 'quartier')} dans "
            f"{paths.label(paths.reports_of_year(self.year))}/ ({elapsed} s). "
            f"Index du périmètre : {paths.label(page)}")

    def where(self, failure: Outcome) -> str:
        return f"{failure.territoire} · "


def _scope(paths: ProjectPaths, contract: Contract, annee: int | None,
           territoire: str | None, perimetre: str | None) -> Scope:
    """One quarter, or the perimeter asked; a ParameterError when both are."""
    if not perimetre:
        year, code = _one_quarter(paths, annee, territoire or contract.territoire, contract)
        return QuarterScope(year, code)
    if territoire:
        raise ParameterError("Choisissez un quartier (--territoire, TERRITOIRE=) ou un "
                             "périmètre (--perimetre, PERIMETRE=), pas les deux.")
    perimeter = resolve_perimeter(perimetre, paths)
    today = date.today().year
    return PerimeterScope(perimeter, plan_year(perimeter, annee, paths,
                                               contract.default_year(today),
                                               evaluation_years(contract.fin, today)))


def _plan(paths: ProjectPaths, contract: Contract, scope: Scope,
          rapports: tuple[str, ...]) -> Batch:
    code, key = code_fingerprint(), store_key(paths)
    out_dirs = {q: output_dir(paths, scope.year, q, contract.territoire)
                for q in scope.quarters}
    every = [make_job(paths, name, scope.year, q, out_dirs[q], key, code)
             for q in scope.quarters for name in REPORTS]
    if contract.territoire in scope.quarters:
        # the page each partner gets before the committee, made with the contract's synthesis
        every += [partner_job(paths, partner, scope.year, contract.territoire,
                              out_dirs[contract.territoire], key, code)
                  for partner in contract_partners(paths, contract)]
    asked = set(rapports) | ({PARTNER_NOTEBOOK} if SYNTHESIS in rapports else set())
    return Batch(every, [j for j in every if j.notebook.stem in asked], out_dirs)


def _key(job: Job) -> Key:
    return (job.territoire, job.name)


def _skipped(job: Job) -> Outcome:
    """The outcome of a job left as it is (its page is current)."""
    return Outcome(job.name, True, skipped=True, territoire=job.territoire)


def _say_edited(paths: ProjectPaths, jobs: list[Job], say: Say) -> None:
    for job in jobs:
        if page_edited(job):
            say(f"{paths.label(job.html)} a été modifié depuis sa publication (son empreinte "
                "ne correspond plus) : il est refait à partir des données.")


def _write_indexes(paths: ProjectPaths, year: int, batch: Batch,
                   outcomes: dict[Key, Outcome]) -> None:
    by_quarter: dict[str, list[Job]] = {}
    for job in batch.every:  # the index lists every page of the year, not only those just made
        by_quarter.setdefault(job.territoire, []).append(job)
    for quarter, its_jobs in by_quarter.items():
        write_index(paths, batch.out_dirs[quarter], year, quarter, its_jobs,
                    [outcomes.get(_key(j), _skipped(j)) for j in its_jobs])


def _say_failures(jobs: list[Job], outcomes: dict[Key, Outcome], scope: Scope,
                  say: Say) -> int:
    """The exit code: 1 when a notebook failed (each failure said), else 0."""
    failures = [outcomes[_key(j)] for j in jobs if not outcomes[_key(j)].ok]
    if not failures:
        return 0
    say("Des notebooks ont échoué ; leur dernier rapport valide, s'il existe, est conservé :")
    for failure in failures:
        say(f"- {scope.where(failure)}{failure.message}")
    return 1


def contract_partners(paths: ProjectPaths, contract: Contract) -> list[str]:
    """The partners who owe figures to the contract (référentiel), for their pages."""
    from ..problems import Problems  # noqa: PLC0415 (the référentiel: only here)
    from ..referentiel import load_referentiel  # noqa: PLC0415

    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                   Problems(), contract)
    return referentiel.partners()


def _one_quarter(paths: ProjectPaths, annee: int | None, territoire: str,
                 contract: Contract) -> tuple[int, str]:
    """The quarter and the year evaluated: by default the contract's last elapsed year
    (or its baseline year), any year of the contract that has begun when asked."""
    territoire = territoire.strip().upper()
    if not territoire:
        raise ParameterError("Aucun territoire : précisez --territoire ou renseignez "
                             "« territoire » dans config/contrat.toml.")
    resolve_territory(territoire, paths)  # a French message for an unknown quarter
    available = available_years(paths, territoire)
    if not available:
        raise ParameterError(f"Aucune donnée pour le territoire {territoire}.")
    today = date.today().year
    year = check_year(annee or max(min(available), contract.default_year(today)), available,
                      evaluation_years(contract.fin, today))
    return year, territoire


def default_year(paths: ProjectPaths, contract: Contract, territoire: str,
                 today: int) -> int | None:
    """The year evaluated when none is asked (what `rapports --help` states): the
    contract's last elapsed year, or its baseline year before it begins; never before the
    quarter's first year in the store. None without a store."""
    available = available_years(paths, territoire)
    return max(min(available), contract.default_year(today)) if available else None


def _announce(perimeter: Perimeter, plan: Plan, current: int, todo: int, say: Say) -> None:
    say(f"Périmètre : {perimeter.libelle}, année {plan.year} : "
        f"{count(len(plan.quarters), 'quartier')}, {count(current, 'rapport')} à jour, "
        f"{number(todo)} à produire.")
    if plan.skipped:
        say(f"{count(len(plan.skipped), 'quartier')} sans rapport pour {plan.year} :")
        for code, reason in plan.skipped:
            say(f"- {code} : {reason}")


def _execute(paths: ProjectPaths, todo: list[Job], workers: int | None, address: str | None,
             limit: float, say: Say, detailed: bool, dashboard: bool = False
             ) -> dict[Key, Outcome]:
    """Run the jobs on the cluster; write each result as it arrives."""
    from .cluster import (  # noqa: PLC0415 - imports dask
        ENV_SCHEDULER,
        connect,
        dashboard_line,
        execute_all,
    )
    from .forkserver import POOL  # noqa: PLC0415
    from .outputs import write_rendered  # noqa: PLC0415
    from .progress import Progress  # noqa: PLC0415

    address = address or os.environ.get(ENV_SCHEDULER) or None
    durations = {(j.territoire, j.name): last_duration(paths, j) for j in todo}
    n = max(1, min(len(todo), workers or os.cpu_count() or 1))
    shipment, versions = _ship(paths, todo, address, n, say)
    outcomes: dict[Key, Outcome] = {}
    progress = Progress(len(todo), say)

    def done(job: Job, rendered: Rendered) -> None:
        write_rendered(job, rendered)
        outcome = rendered.outcome
        outcomes[(job.territoire, job.name)] = outcome
        if outcome.ok:
            record_duration(paths, job, outcome.seconds)
        if detailed:
            state = "terminé" if outcome.ok else "ÉCHEC"
            say(f"[{len(outcomes)}/{len(todo)}] {outcome.name} : {state} "
                f"({number(outcome.seconds, 1)} s)")
        elif not outcome.ok:
            say(f"ÉCHEC {job.territoire} · {outcome.message}")
        progress.advance(outcome.ok)

    try:
        with connect(address, n, dashboard=dashboard, versions=versions) as client:
            if dashboard and not address:
                say(dashboard_line(client))
            # longest first (durations of the last run): a shorter tail
            execute_all(client, todo, limit,
                        lambda j: int(1000 * durations[(j.territoire, j.name)]), done,
                        shipment)
    finally:
        POOL.close()
    progress.close()
    return outcomes


def _ship(paths: ProjectPaths, todo: list[Job], address: str | None, n: int,
          say: Say) -> tuple[Shipment | None, dict[str, str] | None]:
    """What a remote cluster's workers are sent (the project's files the reports read,
    the packages they must have), None for the local cluster; where the notebooks run,
    said."""
    from .forkserver import POOL  # noqa: PLC0415
    from .shipping import pack  # noqa: PLC0415
    from .versions import installed_versions, key_packages  # noqa: PLC0415

    if not address:
        POOL.get()  # the warm process starts while the cluster does
        say(f"Exécution de {count(len(todo), 'notebook')} sur {n} processus (cluster Dask "
            "local)…")
        return None, None
    # a cluster's workers may see nothing of the project: what the reports read is
    # sent to them, and their packages must be this machine's (publish.shipping)
    versions = installed_versions(key_packages())
    shipment = pack(paths, sorted({j.notebook for j in todo}), versions)
    say(f"Exécution de {count(len(todo), 'notebook')} sur le cluster Dask {address} "
        f"(projet envoyé à chaque processus de calcul : "
        f"{number(shipment.size / 1e6, 1)} Mo)…")
    return shipment, versions


def ensure_store(paths: ProjectPaths, say: Say) -> bool:
    """Rebuild the store when an input or the code changed; False when validation fails."""
    if store_is_current(paths):
        say("Stock à jour : aucune donnée d'entrée n'a changé.")
        return True
    say("Construction et validation du stock…")
    from ..store.build import build  # noqa: PLC0415 - only when the store must be rebuilt
    from ..store.validation_report import render, returns_summary  # noqa: PLC0415

    result = build(paths)
    write_text_atomic(paths.validation_report, render(result))
    if not result.ok:
        errors = count(len(result.problems.blocking), "erreur")
        say(f"Validation échouée ({errors}) : aucun rapport n'est produit et les rapports "
            "existants restent en place.")
        for line in first_errors(result.problems):
            say(line)
        say(f"Toutes les erreurs : {paths.validation_report}")
        return False
    say(f"Stock reconstruit : {count(len(result.rows), 'ligne')}.")
    for line in returns_summary(result):
        say(line)
    return True


def clear_cache(paths: ProjectPaths) -> None:
    shutil.rmtree(paths.report_cache, ignore_errors=True)
