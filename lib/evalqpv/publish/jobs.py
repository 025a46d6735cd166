"""What to build: one job per report, its output paths, and whether it is current.

A job's key hashes everything its HTML depends on (notebook, parameters, store, code):
an unchanged key means nothing to re-execute. No timestamps are involved.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..settings import ProjectPaths
from ..store.atomic import write_text_atomic
from ..vocabulary import PARTNER_NOTEBOOK, PARTNERS_DIR, partner_stem

KERNEL = "python3"


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
    title: str = ""  # a page that is not one of the year's reports (a partner's page)
    depth: int = 0  # folders between the page and the year's index (links go up)

    @property
    def key_file(self) -> Path:
        return self.figures.with_suffix(".key")

    @property
    def log(self) -> Path:
        return self.figures.with_suffix(".log")


    @property
    def territoire(self) -> str:
        return str(self.parameters["territoire"])


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    skipped: bool = False
    message: str = ""
    seconds: float = 0.0
    territoire: str = ""
    where: str = ""  # the host and process that executed it (a cluster's worker)


@dataclass(frozen=True)
class Rendered:
    """What a worker sends back for one job; the main process alone writes the files."""

    outcome: Outcome
    html: str = ""
    notebook: str = ""
    figures: str = ""
    log: str = ""
    comparisons: str = ""  # the synthesis's comparaisons.csv


@dataclass(frozen=True)
class Call:
    """A function of the package run in a copy of the warm process (publish.forkserver),
    which holds in memory what it reads: the command gets its result without importing
    and loading all of it beside the notebooks. `function` is « module:name »; `root`,
    the project whose national values the copy needs."""

    function: str
    args: tuple[object, ...]
    root: Path
    name: str = "calcul"
    territoire: str = ""


@dataclass(frozen=True)
class Called:
    """What a Call gave back: its value, or the error it raised, in one line."""

    value: object = None
    error: str = ""
    log: str = ""


def output_dir(paths: ProjectPaths, year: int, territoire: str, contract_territory: str) -> Path:
    """reports/<annee>/ for the contract's own quarter; reports/<annee>/<code>/ for any
    other, so that a comparison run never overwrites the contract's reports."""
    base = paths.reports_of_year(year)
    return base if territoire == contract_territory else base / territoire


def make_job(paths: ProjectPaths, name: str, year: int, territoire: str, out: Path,
             store_key: str, code: str) -> Job:
    notebook = paths.notebook(name)
    parameters: dict[str, object] = {"annee": year, "territoire": territoire}
    return _job(paths, name, notebook, parameters, out / f"{name}.html",
                out / "notebooks" / f"{name}.ipynb", store_key, code)


def partner_job(paths: ProjectPaths, partner: str, year: int, territoire: str, out: Path,
                store_key: str, code: str) -> Job:
    """The page of one partner: reports/<annee>/partenaires/<partenaire>.html."""
    stem = partner_stem(partner)
    folder = out / PARTNERS_DIR
    parameters: dict[str, object] = {"annee": year, "territoire": territoire,
                                     "partenaire": partner}
    return replace(_job(paths, f"{PARTNER_NOTEBOOK}-{stem}", paths.notebook(PARTNER_NOTEBOOK),
                        parameters, folder / f"{stem}.html",
                        folder / "notebooks" / f"{stem}.ipynb", store_key, code),
                   title=f"{partner} : engagements et chiffres transmis", depth=1)


def _job(paths: ProjectPaths, name: str, notebook: Path, parameters: dict[str, object],
         html: Path, executed: Path, store_key: str, code: str) -> Job:
    year, territoire = parameters["annee"], parameters["territoire"]
    digest = hashlib.sha256()
    for part in (notebook.read_bytes(), json.dumps(parameters, sort_keys=True).encode(),
                 store_key.encode(), code.encode()):
        digest.update(hashlib.sha256(part).digest())
    return Job(name, notebook, html, executed,
               paths.report_cache / f"{year}-{territoire}-{name}.chiffres.json", parameters,
               digest.hexdigest(), paths.root)


def page_fingerprint(html: str | bytes) -> str:
    """The SHA-256 of a published page, kept beside its key: a page edited by hand after
    publication no longer matches it."""
    data = html.encode("utf-8") if isinstance(html, str) else html
    return hashlib.sha256(data).hexdigest()


def key_text(job: Job, html: str) -> str:
    """What the key file holds: the job's key, then the fingerprint of the page written."""
    return f"{job.key}\n{page_fingerprint(html)}\n"


def is_current(job: Job) -> bool:
    """The page was made from the same inputs and is still the page that was published."""
    key = job.key_file
    if not (job.html.exists() and job.figures.exists() and key.exists()):
        return False
    lines = key.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != job.key:
        return False
    return len(lines) < 2 or not page_edited(job, lines[1])  # before fingerprints: trusted


def page_edited(job: Job, fingerprint: str | None = None) -> bool:
    """The page on disk is not the one published (edited by hand since)."""
    if fingerprint is None:
        if not job.key_file.exists() or not job.html.exists():
            return False
        lines = job.key_file.read_text(encoding="utf-8").splitlines()
        if len(lines) < 2 or lines[0] != job.key:
            return False
        fingerprint = lines[1]
    return page_fingerprint(job.html.read_bytes()) != fingerprint


def _duration_file(paths: ProjectPaths, job: Job) -> Path:
    return paths.durations / f"{job.parameters['territoire']}-{job.name}.txt"


def last_duration(paths: ProjectPaths, job: Job) -> float:
    """Seconds the job took last time: longest first gives a shorter tail."""
    path = _duration_file(paths, job)
    return float(path.read_text(encoding="utf-8")) if path.exists() else 0.0


def record_duration(paths: ProjectPaths, job: Job, seconds: float) -> None:
    write_text_atomic(_duration_file(paths, job), f"{seconds:.3f}")
