"""The report runner: store up to date, notebooks executed in parallel, HTML written.

It sits beside the data flow and only orchestrates it: it never computes a figure.
Heavy imports (papermill, nbconvert, pandas) happen only when something must be
re-executed, so that a rebuild with unchanged inputs takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from . import __version__
from .fingerprint import code_fingerprint, input_fingerprint
from .frenchformat import number
from .paths import ProjectPaths
from .schema import REPORT_TITLES
from .store import write_text_atomic
from .territory import ParameterError, check_year, resolve_territory

NOTEBOOKS = ("contexte", "emancipation", "emploi", "tranquillite", "transition", "synthese")
KERNEL = "python3"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTRACT = "Contrat Engagements Quartiers 2030"


@dataclass(frozen=True)
class Job:
    name: str
    notebook: Path
    html: Path
    executed: Path
    figures: Path
    parameters: dict[str, object]
    key: str
    root: Path


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    skipped: bool = False
    message: str = ""
    seconds: float = 0.0


# --------------------------------------------------------------------------- fingerprints


def store_is_current(paths: ProjectPaths, inputs: dict[str, str], code: str) -> bool:
    manifest = paths.processed / "manifeste.json"
    if not (manifest.exists() and paths.store.exists()):
        return False
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return data.get("entrees") == inputs and data.get("code_evalqpv") == code


# --------------------------------------------------------------------------- main entry


def run(paths: ProjectPaths, annee: int | None = None, territoire: str | None = None,
        rapports: tuple[str, ...] = NOTEBOOKS, workers: int | None = None,
        say: Callable[[str], None] = print) -> int:
    """Build what is out of date and return an exit code (0 when every report is good)."""
    started = time.perf_counter()
    code = code_fingerprint()
    inputs = input_fingerprint(paths)
    if store_is_current(paths, inputs, code):
        say("Stock à jour : aucune donnée d'entrée n'a changé.")
    else:
        say("Construction et validation du stock…")
        from .build import build  # noqa: PLC0415
        from .validation_report import render  # noqa: PLC0415

        result = build(paths)
        write_text_atomic(paths.validation_report, render(result))
        if not result.ok:
            errors = result.problems.errors
            say(f"Validation échouée ({len(errors)} erreur(s)) : aucun rapport n'est produit "
                "et les rapports existants restent en place.")
            for problem in errors[:10]:
                say(f"- {problem.render()}")
            say(f"Toutes les erreurs : {paths.validation_report}")
            return 1
        say(f"Stock reconstruit : {len(result.rows)} lignes.")
    settings = _settings(paths)
    territoire = (territoire or str(settings.get("territoire", ""))).strip().upper()
    if not territoire:
        say("Aucun territoire : précisez --territoire ou renseignez config/rapports.toml.")
        return 2
    store_key = _store_key(paths)
    try:
        year = annee or _default_year(paths, territoire)
        _check_parameters(paths, territoire, year)
    except ValueError as exc:  # ParameterError: a French message for the evaluator
        say(str(exc))
        return 2
    out_dir = output_dir(paths, year, territoire)
    jobs = [_job(paths, name, year, territoire, store_key, code) for name in rapports]
    todo = [j for j in jobs if not _is_current(j)]
    for job in jobs:
        if job not in todo:
            say(f"{job.name} : à jour, rien à refaire.")
    outcomes = {j.name: Outcome(j.name, True, skipped=True) for j in jobs if j not in todo}
    if todo:
        todo.sort(key=_last_duration, reverse=True)  # longest first: a shorter tail
        n = min(len(todo), workers or os.cpu_count() or 1)
        say(f"Exécution de {len(todo)} notebook(s) sur {n} processus…")
        # "spawn": workers start clean instead of inheriting this process's memory.
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(execute_job, job): job for job in todo}
            for done, future in enumerate(as_completed(futures), start=1):
                outcome = future.result()
                outcomes[outcome.name] = outcome
                if outcome.ok:
                    _duration_file(futures[future]).write_text(f"{outcome.seconds:.3f}",
                                                              encoding="utf-8")
                state = "terminé" if outcome.ok else "ÉCHEC"
                say(f"[{done}/{len(todo)}] {outcome.name} : {state} "
                    f"({number(outcome.seconds, 1)} s)")
    ordered = [outcomes[j.name] for j in jobs]
    _write_index(paths, out_dir, year, territoire, jobs, ordered)
    failures = [o for o in ordered if not o.ok]
    say(f"Rapports dans {out_dir} ({number(time.perf_counter() - started, 1)} s).")
    if failures:
        say("Des notebooks ont échoué ; leur dernier rapport valide, s'il existe, est conservé :")
        for failure in failures:
            say(f"- {failure.message}")
        return 1
    return 0


def output_dir(paths: ProjectPaths, year: int, territoire: str) -> Path:
    """reports/<annee>/ for the contract's own quarter (config/rapports.toml);
    reports/<annee>/<code>/ for any other, so that a comparison run never overwrites
    the contract's reports."""
    base = paths.root / "reports" / str(year)
    return base if territoire == default_territory(paths) else base / territoire


def default_territory(paths: ProjectPaths) -> str:
    return str(_settings(paths).get("territoire", "")).strip().upper()


def _settings(paths: ProjectPaths) -> dict[str, object]:
    path = paths.config / "rapports.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _store_key(paths: ProjectPaths) -> str:
    return hashlib.sha256((paths.processed / "manifeste.json").read_bytes()).hexdigest()


def _cache_dir(paths: ProjectPaths) -> Path:
    return paths.root / "reports" / ".cache"


def _available_years(paths: ProjectPaths, territoire: str) -> list[int]:
    path = paths.processed / "annees.json"
    return json.loads(path.read_text(encoding="utf-8")).get(territoire, []) \
        if path.exists() else []


def _default_year(paths: ProjectPaths, territoire: str) -> int:
    """The latest year with figures on the quarter, its commune or its département."""
    resolve_territory(territoire, paths.processed / "territoires.csv")  # French message
    years = _available_years(paths, territoire)
    if not years:
        raise ParameterError(f"Aucune donnée pour le territoire {territoire}.")
    return years[-1]


def _check_parameters(paths: ProjectPaths, territoire: str, year: int) -> None:
    """Validate before launching anything: a French message, not six failed notebooks.
    Uses the small tables written with the store, so that pandas is not loaded here."""
    resolve_territory(territoire, paths.processed / "territoires.csv")
    check_year(year, _available_years(paths, territoire))


def _job(paths: ProjectPaths, name: str, year: int, territoire: str, store_key: str,
         code: str) -> Job:
    notebook = paths.root / "notebooks" / f"{name}.ipynb"
    parameters = {"annee": year, "territoire": territoire}
    digest = hashlib.sha256()
    for part in (notebook.read_bytes(), json.dumps(parameters, sort_keys=True).encode(),
                 store_key.encode(), code.encode(),
                 (paths.config / "sections.csv").read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    out = output_dir(paths, year, territoire)
    return Job(name, notebook, out / f"{name}.html", out / "notebooks" / f"{name}.ipynb",
               _cache_dir(paths) / f"{year}-{territoire}-{name}.chiffres.json", parameters,
               digest.hexdigest(), paths.root)


def _key_file(job: Job) -> Path:
    return job.figures.with_suffix(".key")


def _duration_file(job: Job) -> Path:
    """Last execution time: only a scheduling hint, kept when the cache is cleared."""
    folder = job.figures.parent.parent / ".durees"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job.parameters['territoire']}-{job.name}.txt"


def _last_duration(job: Job) -> float:
    path = _duration_file(job)
    return float(path.read_text(encoding="utf-8")) if path.exists() else 0.0


def _is_current(job: Job) -> bool:
    key = _key_file(job)
    return (job.html.exists() and job.figures.exists() and key.exists()
            and key.read_text(encoding="utf-8") == job.key)


# --------------------------------------------------------------------------- worker


def execute_job(job: Job) -> Outcome:
    """Run in a worker process: execute, convert, write atomically; never raise."""
    started = time.perf_counter()
    try:
        import papermill  # noqa: PLC0415
        from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - broken environment
        return Outcome(job.name, False, message=f"{job.name} : papermill introuvable ({exc}).")
    job.executed.parent.mkdir(parents=True, exist_ok=True)
    log = job.figures.with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _stderr_to(log):  # the kernel's own chatter goes to a log, not to the evaluator
            executed = _execute(papermill, job, PapermillExecutionError)
    except PapermillExecutionError as exc:
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} », cellule {_source_cell(job, exc)} "
                       f"(« {_first_line(exc.source)} ») : {exc.ename} : {exc.evalue}")
    except Exception as exc:  # kernel death, unreadable notebook...
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} » : {type(exc).__name__} : {exc}")
    try:
        _strip_volatile(executed)
        from nbformat import writes  # noqa: PLC0415

        html = to_html(executed, job)
        figures = _key_figures(executed)
        write_text_atomic(job.executed, writes(executed))
        write_text_atomic(job.figures, json.dumps(figures, ensure_ascii=False, indent=1,
                                                  sort_keys=True) + "\n")
        write_text_atomic(job.html, html)
        write_text_atomic(_key_file(job), job.key)
    except Exception as exc:
        detail = traceback.format_exception_only(exc)[-1].strip()
        return Outcome(job.name, False, seconds=time.perf_counter() - started,
                       message=f"notebook « {job.name} », conversion en HTML : {detail}")
    return Outcome(job.name, True, seconds=time.perf_counter() - started)


def _execute(papermill, job: Job, notebook_error: type[Exception]):  # noqa: ANN001, ANN202
    """Execute once more if the kernel itself failed to start (e.g. a port taken by a
    kernel starting at the same time); an error inside the notebook is not retried."""
    for attempt in (1, 2):
        try:
            return papermill.execute_notebook(
                str(job.notebook), None, parameters=job.parameters, kernel_name=KERNEL,
                progress_bar=False, log_output=False, cwd=str(job.root))
        except notebook_error:
            raise
        except Exception:
            if attempt == 2:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send file descriptor 2 (inherited by the kernel process) to `path`."""
    saved = os.dup(2)
    with path.open("wb") as handle:
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _source_cell(job: Job, exc) -> int:  # noqa: ANN001
    """The failing cell's number in the notebook as committed (papermill adds a cell)."""
    import nbformat  # noqa: PLC0415

    cells = nbformat.read(job.notebook, as_version=4).cells
    for position, cell in enumerate(cells, start=1):
        if cell.source == exc.source:
            return position
    return exc.cell_index + 1


def _first_line(source: str) -> str:
    lines = [line for line in (source or "").splitlines() if line.strip()]
    return (lines[0][:70] if lines else "").strip()


def _strip_volatile(nb) -> None:  # noqa: ANN001
    """Drop timings and random ids so that the audit notebook is identical run to run."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = None
    for index, cell in enumerate(nb.cells):
        if "id" in cell:
            cell["id"] = f"cellule-{index:03d}"


def to_html(nb, job: Job) -> str:  # noqa: ANN001
    """Convert an executed notebook with the offline, code-free report template."""
    from nbconvert import HTMLExporter  # noqa: PLC0415
    from nbconvert.filters.markdown import markdown2html  # noqa: PLC0415

    toc = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            toc += re.findall(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"',
                              markdown2html(cell.source))
    manifest = json.loads((job.root / "data" / "processed" / "manifeste.json")
                          .read_text(encoding="utf-8"))
    territoire = _territory_label(job)
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="rapport",
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    resources = {"rapport": {
        "titre": REPORT_TITLES.get(job.name, job.name), "contrat": CONTRACT,
        "territoire": territoire, "annee": job.parameters["annee"], "toc": toc,
        "css": (TEMPLATES / "rapport" / "style.css").read_text(encoding="utf-8"),
        "version": __version__, "parametres": sorted(job.parameters.items()) + [
            ("rapport", job.name)],
        "entrees": sorted(manifest["entrees"].items())}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _territory_label(job: Job) -> str:
    from .territory import resolve_territory  # noqa: PLC0415

    t = resolve_territory(job.parameters["territoire"],
                          job.root / "data" / "processed" / "territoires.csv")
    return f"{t.libelle} ({t.code})"


def _key_figures(nb) -> dict[str, object]:  # noqa: ANN001
    """The key figures the notebook displayed beside its key messages."""
    from .htmlparts import KEY_FIGURES_MIME  # noqa: PLC0415

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if KEY_FIGURES_MIME in data:
                return dict(data[KEY_FIGURES_MIME])
    return {}


# --------------------------------------------------------------------------- index


def _write_index(paths: ProjectPaths, out_dir: Path, year: int, territoire: str,
                 jobs: list[Job], outcomes: list[Outcome]) -> None:
    from html import escape  # noqa: PLC0415

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {}
    for job in jobs:
        if job.figures.exists():
            figures[job.name] = json.loads(job.figures.read_text(encoding="utf-8"))
    write_text_atomic(out_dir / "chiffres_cles.json", json.dumps(
        {"annee": year, "territoire": territoire, "rapports": figures}, ensure_ascii=False,
        indent=1, sort_keys=True) + "\n")
    css = (TEMPLATES / "rapport" / "style.css").read_text(encoding="utf-8")
    items = []
    for job, outcome in zip(jobs, outcomes, strict=True):
        title = escape(REPORT_TITLES.get(job.name, job.name))
        if job.html.exists():
            note = "" if outcome.ok else " — <strong>la dernière exécution a échoué</strong> : " \
                "rapport précédent conservé"
            items.append(f'<li><a href="{job.name}.html">{title}</a>{note}</li>')
        else:
            items.append(f"<li>{title} — <strong>non produit</strong> (échec)</li>")
    html = ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Rapports {year} – {escape(territoire)}</title>\n<style>\n{css}\n</style>\n"
            "</head>\n<body>\n<header class=\"page\">\n"
            f"<p class=\"contrat\">{CONTRACT}</p>\n<h1>Rapports d'évaluation {year}</h1>\n"
            f"<p class=\"sous-titre\">Quartier {escape(territoire)}</p>\n</header>\n<main>\n"
            "<ol>\n" + "\n".join(items) + "\n</ol>\n"
            "<p>Chiffres clés lisibles par machine : <a href=\"chiffres_cles.json\">"
            "chiffres_cles.json</a>. Notebooks exécutés (pour audit) : dossier "
            "<code>notebooks/</code>.</p>\n</main>\n</body>\n</html>\n")
    write_text_atomic(out_dir / "index.html", html)


def clear_cache(paths: ProjectPaths) -> None:
    shutil.rmtree(_cache_dir(paths), ignore_errors=True)
