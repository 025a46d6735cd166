"""The index of a perimeter's reports: reports/<annee>/perimetres/<perimetre>.html.

One row per quarter, with its name (linked to the quarter's own index page), its
communes, a few headline figures read from the store (Parquet, by a filter), and the
state of its reports. Written from templates/perimetre/ by the main process, atomically.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ..frenchnumbers import with_unit
from ..problems import Problems
from ..referentiel import load_referentiel
from ..settings import ProjectPaths, load_contract
from ..store.atomic import write_text_if_changed
from ..vocabulary import QPV
from .export import STYLE, TEMPLATES
from .jobs import Job, Outcome
from .selection import Perimeter, Plan

# Figures every quarter has in the public files, shown for each one.
HEADLINE = ("population", "taux_pauvrete", "revenu_median_disponible")


@dataclass(frozen=True)
class QuarterRow:
    code: str
    libelle: str
    communes: str
    lien: str
    chiffres: tuple[str, ...]
    etat: str


def perimeter_page(paths: ProjectPaths, year: int, perimeter: Perimeter) -> Path:
    return paths.reports_of_year(year) / "perimetres" / f"{perimeter.code}.html"


def headline(paths: ProjectPaths, codes: set[str], year: int
             ) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Column titles, and each quarter's headline figures: the latest value up to `year`
    (the latest publication when two give one), read from the store with a filter."""
    from ..store.parquet import read_parquet  # noqa: PLC0415 - pyarrow, only when writing

    problems = Problems()
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                   problems, load_contract(paths))
    wanted = [i for i in HEADLINE if i in referentiel]
    rows = read_parquet(paths.store_parquet, _headline_filter(wanted))
    best: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    for code, ind, annee, millesime, valeur, statut in zip(
            rows["code"], rows["indicateur"], rows["annee"], rows["millesime"], rows["valeur"],
            rows["statut"], strict=True):
        key, found = (code, ind), (int(annee), millesime, valeur, statut)
        if code in codes and int(annee) <= year and (key not in best or found[:2] > best[key][:2]):
            best[key] = found
    figures = {}
    for code in codes:
        cells = []
        for ind in wanted:
            if (code, ind) not in best:
                cells.append("–")
                continue
            annee, _, valeur, statut = best[(code, ind)]
            value = with_unit(float(valeur) if valeur else None, referentiel[ind].unite, statut)
            cells.append(f"{value} ({annee})")
        figures[code] = tuple(cells)
    return [referentiel[i].libelle for i in wanted], figures


def _headline_filter(indicators: list[str]) -> Any:
    import pyarrow.compute as pc  # noqa: PLC0415

    return (pc.field("niveau") == QPV) & pc.field("indicateur").isin(indicators)


def _state(jobs: list[Job], outcomes: dict[tuple[str, str], Outcome]) -> str:
    failed = [j.name for j in jobs if not outcomes[(j.territoire, j.name)].ok]
    present = sum(1 for j in jobs if j.html.exists())
    if not failed:
        return f"{present} rapport(s)"
    return f"{present} rapport(s) ; échec de la dernière exécution : {', '.join(failed)}"


def write_perimeter_index(paths: ProjectPaths, perimeter: Perimeter, plan: Plan,
                          jobs: list[Job], outcomes: dict[tuple[str, str], Outcome],
                          out_dirs: dict[str, Path]) -> Path:
    from jinja2 import Environment, FileSystemLoader  # noqa: PLC0415 - only when writing

    page = perimeter_page(paths, plan.year, perimeter)
    by_quarter: dict[str, list[Job]] = {}
    for job in jobs:
        by_quarter.setdefault(job.territoire, []).append(job)
    skipped = dict(plan.skipped)
    titles, figures = headline(paths, {q.code for q in plan.quarters}, plan.year)
    rows = []
    for quarter in perimeter.quarters:
        communes = ", ".join(lib for _, lib in quarter.communes)
        if quarter.code in skipped:
            rows.append(QuarterRow(quarter.code, quarter.libelle, communes, "",
                                   tuple("–" for _ in titles),
                                   f"pas de rapport : {skipped[quarter.code]}"))
            continue
        mine = by_quarter.get(quarter.code, [])
        link = os.path.relpath(out_dirs[quarter.code] / "index.html", page.parent)
        rows.append(QuarterRow(quarter.code, quarter.libelle, communes, Path(link).as_posix(),
                               figures[quarter.code], _state(mine, outcomes)))
    env = Environment(loader=FileSystemLoader(TEMPLATES / "perimetre"), autoescape=False,
                      keep_trailing_newline=True)
    env.filters["esc"] = escape
    html = env.get_template("index.html.j2").render(
        annee=plan.year, libelle=perimeter.libelle, quartiers=rows, sautes=len(plan.skipped),
        titres=titles, css=STYLE.read_text(encoding="utf-8"))
    write_text_if_changed(page, html)
    return page
