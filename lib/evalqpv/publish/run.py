"""The report runner: store up to date, notebooks executed in parallel, HTML written.

A rebuild with unchanged inputs imports neither pandas, papermill nor nbconvert, so
that it takes well under a second.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from multiprocessing import get_context

from ..frenchnumbers import number
from ..problems import first_errors
from ..settings import ProjectPaths, load_contract
from ..store.atomic import write_text_atomic
from ..store.fingerprint import code_fingerprint, store_is_current, store_key
from ..store.tables import available_years
from ..territory import ParameterError, check_year, evaluation_years, resolve_territory
from ..vocabulary import REPORTS
from .execute import execute_job
from .index import write_index
from .jobs import Outcome, is_current, last_duration, make_job, output_dir, record_duration


def run(paths: ProjectPaths, annee: int | None = None, territoire: str | None = None,
        rapports: tuple[str, ...] = REPORTS, workers: int | None = None,
        say: Callable[[str], None] = print) -> int:
    """Build what is out of date and return an exit code (0 when every report is good)."""
    started = time.perf_counter()
    if not ensure_store(paths, say):
        return 1
    try:
        contract = load_contract(paths)
        territoire = (territoire or contract.territoire).strip().upper()
        if not territoire:
            raise ParameterError("Aucun territoire : précisez --territoire ou renseignez "
                                 "« territoire » dans config/contrat.toml.")
        resolve_territory(territoire, paths)  # a French message for an unknown quarter
        available = available_years(paths, territoire)
        if not available:
            raise ParameterError(f"Aucune donnée pour le territoire {territoire}.")
        today = date.today().year
        year = check_year(annee or max(min(available), contract.default_year(today)),
                          available, evaluation_years(contract.fin, today))
    except ValueError as exc:  # ParameterError, SettingsError: French messages
        say(str(exc))
        return 2
    code = code_fingerprint()
    out_dir = output_dir(paths, year, territoire, contract.territoire)
    key = store_key(paths)
    jobs = [make_job(paths, name, year, territoire, out_dir, key, code) for name in rapports]
    todo = [j for j in jobs if not is_current(j)]
    for job in jobs:
        if job not in todo:
            say(f"{job.name} : à jour, rien à refaire.")
    outcomes = {j.name: Outcome(j.name, True, skipped=True) for j in jobs if j not in todo}
    if todo:
        todo.sort(key=lambda j: last_duration(paths, j), reverse=True)  # a shorter tail
        n = min(len(todo), workers or os.cpu_count() or 1)
        say(f"Exécution de {len(todo)} notebook(s) sur {n} processus…")
        # "spawn": workers start clean instead of inheriting this process's memory.
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(execute_job, job): job for job in todo}
            for done, future in enumerate(as_completed(futures), start=1):
                outcome = future.result()
                outcomes[outcome.name] = outcome
                if outcome.ok:
                    record_duration(paths, futures[future], outcome.seconds)
                state = "terminé" if outcome.ok else "ÉCHEC"
                say(f"[{done}/{len(todo)}] {outcome.name} : {state} "
                    f"({number(outcome.seconds, 1)} s)")
    ordered = [outcomes[j.name] for j in jobs]
    write_index(paths, out_dir, year, territoire, jobs, ordered)
    failures = [o for o in ordered if not o.ok]
    say(f"Rapports dans {out_dir} ({number(time.perf_counter() - started, 1)} s).")
    if failures:
        say("Des notebooks ont échoué ; leur dernier rapport valide, s'il existe, est conservé :")
        for failure in failures:
            say(f"- {failure.message}")
        return 1
    return 0


def ensure_store(paths: ProjectPaths, say: Callable[[str], None]) -> bool:
    """Rebuild the store when an input or the code changed; False when validation fails."""
    if store_is_current(paths):
        say("Stock à jour : aucune donnée d'entrée n'a changé.")
        return True
    say("Construction et validation du stock…")
    from ..store.build import build  # noqa: PLC0415 - only when the store must be rebuilt
    from ..store.validation_report import render  # noqa: PLC0415

    result = build(paths)
    write_text_atomic(paths.validation_report, render(result))
    if not result.ok:
        say(f"Validation échouée ({len(result.problems.errors)} erreur(s)) : aucun rapport "
            "n'est produit et les rapports existants restent en place.")
        for line in first_errors(result.problems):
            say(line)
        say(f"Toutes les erreurs : {paths.validation_report}")
        return False
    say(f"Stock reconstruit : {len(result.rows)} lignes.")
    return True


def clear_cache(paths: ProjectPaths) -> None:
    shutil.rmtree(paths.report_cache, ignore_errors=True)
