"""The home page of a year's reports, and the key figures of every report in one file.

The page names the quarter, its commune and the year, shows the headline figures (the
synthesis's key figures), links to every report, and shows the completeness of the
data by partner that the synthesis computed (COMPLETENESS_MIME in its executed
notebook). It lays out what the reports give; it computes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..frenchnumbers import share, with_unit
from ..settings import ProjectPaths
from ..store.atomic import write_text_if_changed
from ..store.tables import resolve_territory
from ..vocabulary import COMPLETENESS_MIME, QPV, REPORT_TITLES, SYNTHESIS
from .export import STYLE, TEMPLATES, commune_of, contract_line, print_header, purge_css
from .jobs import Job, Outcome

HEADLINES = 6  # figures on the home page


@dataclass(frozen=True)
class IndexEntry:
    name: str
    title: str
    exists: bool
    ok: bool


@dataclass(frozen=True)
class Headline:
    """One key figure of the quarter, with the same figure elsewhere the same year."""

    label: str
    value: str
    year: int
    others: str


def headlines(figures: dict[str, dict[str, object]]) -> list[Headline]:
    """The quarter's key figures, in the order of the synthesis's key messages."""
    found = figures.get(SYNTHESIS) or next(iter(figures.values()), {})
    listed = found.get("chiffres", [])
    rows = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
    out: list[Headline] = []
    for row in rows:
        if row.get("niveau") != QPV or len(out) >= HEADLINES:
            continue
        unit = str(row.get("unite", "nombre"))
        others = [f"{o['territoire']} : {with_unit(_float(o['valeur']), unit, str(o['statut']))}"
                  for o in rows if o.get("indicateur") == row.get("indicateur")
                  and o.get("niveau") != QPV and o.get("annee") == row.get("annee")]
        out.append(Headline(str(row.get("libelle", "")),
                            with_unit(_float(row.get("valeur")), unit, str(row.get("statut"))),
                            int(str(row.get("annee", 0))), " ; ".join(others)))
    return out


def _float(value: object) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def completeness(job: Job | None) -> list[dict[str, object]]:
    """The completeness by partner that the executed synthesis carries (none for
    another quarter than the contract's)."""
    if job is None or not job.executed.exists():
        return []
    nb = json.loads(job.executed.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(COMPLETENESS_MIME)
            if isinstance(data, dict):
                return [
                    {**row, "part": share(float(row["completude"]))
                     if row.get("completude") is not None else "–"}
                    for row in data.get("partenaires", [])]
    return []


def write_index(paths: ProjectPaths, out_dir: Path, year: int, territoire: str,
                jobs: list[Job], outcomes: list[Outcome]) -> None:
    """index.html (from templates/accueil/) and chiffres_cles.json, in `out_dir`."""
    from jinja2 import Environment, FileSystemLoader  # noqa: PLC0415 - only when writing

    out_dir.mkdir(parents=True, exist_ok=True)
    # a page not asked for this time and never made is not listed
    listed = [(job, outcome) for job, outcome in zip(jobs, outcomes, strict=True)
              if job.html.exists() or not outcome.skipped]
    pages = [(job, outcome) for job, outcome in listed if job.depth]  # the partners' pages
    jobs_outcomes = [(job, outcome) for job, outcome in listed if not job.depth]
    jobs, outcomes = [j for j, _ in jobs_outcomes], [o for _, o in jobs_outcomes]
    figures = {job.name: json.loads(job.figures.read_text(encoding="utf-8"))
               for job in jobs if job.figures.exists()}
    write_text_if_changed(out_dir / "chiffres_cles.json", json.dumps(
        {"annee": year, "territoire": territoire, "rapports": figures}, ensure_ascii=False,
        indent=1, sort_keys=True) + "\n")
    env = Environment(loader=FileSystemLoader(TEMPLATES / "accueil"), autoescape=False,
                      keep_trailing_newline=True)
    env.filters["esc"] = escape
    entries = [IndexEntry(job.name, REPORT_TITLES.get(job.name, job.name), job.html.exists(),
                          outcome.ok) for job, outcome in zip(jobs, outcomes, strict=True)]
    territory = resolve_territory(territoire, paths)
    synthesis = next((job for job in jobs if job.name == SYNTHESIS), None)
    html = env.get_template("index.html.j2").render(
        annee=year, quartier=territory.libelle, code=territory.code,
        commune=commune_of(territory), contrat=contract_line(paths, territoire),
        css="/*css*/", reports=entries, chiffres=headlines(figures),
        completude=completeness(synthesis),
        partenaires=[IndexEntry(job.html.relative_to(out_dir).as_posix(), job.title,
                                job.html.exists(), outcome.ok) for job, outcome in pages],
        comparaisons=(out_dir / "comparaisons.csv").exists())
    css = STYLE.read_text(encoding="utf-8") + "\n" + print_header(
        f"{territory.libelle} ({territory.code}) – année {year}", "Accueil des rapports")
    write_text_if_changed(out_dir / "index.html", html.replace("/*css*/", purge_css(css, html), 1))
