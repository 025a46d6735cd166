"""The home page of a year's reports, and the key figures of every report in one file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..settings import ProjectPaths
from ..store.atomic import write_text_atomic
from ..vocabulary import REPORT_TITLES
from .export import STYLE, TEMPLATES, contract_line
from .jobs import Job, Outcome


@dataclass(frozen=True)
class IndexEntry:
    name: str
    title: str
    exists: bool
    ok: bool


def write_index(paths: ProjectPaths, out_dir: Path, year: int, territoire: str,
                jobs: list[Job], outcomes: list[Outcome]) -> None:
    """index.html (from templates/accueil/) and chiffres_cles.json, in `out_dir`."""
    from jinja2 import Environment, FileSystemLoader  # noqa: PLC0415 - only when writing

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {job.name: json.loads(job.figures.read_text(encoding="utf-8"))
               for job in jobs if job.figures.exists()}
    write_text_atomic(out_dir / "chiffres_cles.json", json.dumps(
        {"annee": year, "territoire": territoire, "rapports": figures}, ensure_ascii=False,
        indent=1, sort_keys=True) + "\n")
    env = Environment(loader=FileSystemLoader(TEMPLATES / "accueil"), autoescape=False,
                      keep_trailing_newline=True)
    env.filters["esc"] = escape
    entries = [IndexEntry(job.name, REPORT_TITLES.get(job.name, job.name), job.html.exists(),
                          outcome.ok) for job, outcome in zip(jobs, outcomes, strict=True)]
    html = env.get_template("index.html.j2").render(
        annee=year, territoire=territoire, contrat=contract_line(paths, territoire),
        css=STYLE.read_text(encoding="utf-8"), reports=entries)
    write_text_atomic(out_dir / "index.html", html)
