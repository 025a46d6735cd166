"""The index of a perimeter's reports: reports/<annee>/perimetres/<perimetre>.html.

One row per quarter, with its name (linked to the quarter's own index page), its
communes, a few headline figures read from the store (Parquet, by a filter), and the
state of its reports. Written from templates/perimetre/ by the main process, atomically.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract_settings import load_contract
from ..frenchnumbers import count, with_unit
from ..problems import Problems
from ..referentiel import load_referentiel
from ..settings import ProjectPaths
from ..store.atomic import write_text_if_changed
from ..vocabulary import COMMUNE, DEPARTEMENT, MAP_INDICATOR, QPV
from .export import STYLE, TEMPLATES
from .jobs import Call, Job, Outcome
from .selection import FRANCE_CODE, Perimeter, Plan

if TYPE_CHECKING:
    from ..report.maps import Statistic

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


def perimeter_map_html(paths: ProjectPaths, perimeter: Perimeter, year: int,
                       links: dict[str, str]) -> str:
    """The perimeter's map (report.maps): its communes (or départements) painted with
    the latest value of MAP_INDICATOR up to `year`, its 2024 quarters linked to the
    reports of the 2015 quarters they certainly draw (`links`: code -> relative href)."""
    from ..report import maps  # noqa: PLC0415 - shapely, only when writing

    data = maps.load_map_data(paths.outlines, paths.quarter_links)
    if data is None:
        return ('<p class="carte-absente">Carte non dessinée : les contours ne sont pas dans '
                "les données livrées.</p>")
    departements = {q.departement[0] for q in perimeter.quarters if q.departement[0]}
    level, areas = maps.perimeter_areas(data, departements, perimeter.code == FRANCE_CODE)
    statistic = _statistic(paths, level, set(areas), year)
    quarters = [maps.Linked(q.code, q.libelle, links.get(q.code, ""))
                for q in perimeter.quarters]
    return maps.perimeter_map(data, perimeter.libelle, level, areas, quarters,
                              statistic).text


def _statistic(paths: ProjectPaths, level: str, codes: set[str], year: int
               ) -> Statistic | None:
    """The latest year up to `year` of MAP_INDICATOR on these areas, read by a filter."""
    import pyarrow.compute as pc  # noqa: PLC0415 - pyarrow, only when writing

    from ..report import maps  # noqa: PLC0415 - shapely, only when writing
    from ..store.parquet import read_parquet  # noqa: PLC0415 - pyarrow, only when writing

    problems = Problems()
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                   problems, load_contract(paths))
    if MAP_INDICATOR not in referentiel or not paths.store_parquet.exists():
        return None
    niveau = COMMUNE if level == "commune" else DEPARTEMENT
    rows = read_parquet(paths.store_parquet, (pc.field("niveau") == niveau)
                        & (pc.field("indicateur") == MAP_INDICATOR))
    by_year: dict[int, dict[str, tuple[str, float]]] = {}
    for code, annee, millesime, valeur in zip(
            rows["code"], rows["annee"], rows["millesime"], rows["valeur"],
            strict=True):
        if code in codes and valeur and int(annee) <= year:
            kept = by_year.setdefault(int(annee), {})
            if code not in kept or millesime > kept[code][0]:
                kept[code] = (millesime, float(valeur))
    if not by_year:
        return None
    latest = max(by_year)
    sources = sorted({s for c, a, s in zip(rows["code"], rows["annee"], rows["source"],
                                           strict=True) if c in codes and int(a) == latest})
    ind = referentiel[MAP_INDICATOR]
    return maps.Statistic(ind.libelle, ind.unite, latest, " ; ".join(sources),
                          {c: v for c, (_, v) in sorted(by_year[latest].items())})


def _state(jobs: list[Job], outcomes: dict[tuple[str, str], Outcome]) -> str:
    failed = [j.name for j in jobs if not outcomes[(j.territoire, j.name)].ok]
    present = sum(1 for j in jobs if j.html.exists())
    if not failed:
        return count(present, "rapport")
    return (f"{count(present, 'rapport')} ; échec de la dernière exécution : "
            f"{', '.join(failed)}")


@dataclass(frozen=True)
class IndexParts:
    """What the index shows that depends on the store and not on the reports: the
    headline figures of every quarter, and the map."""
    titles: list[str]
    figures: dict[str, tuple[str, ...]]
    links: dict[str, str]  # quarter -> its index page, relative to the perimeter's
    map_html: str


def index_parts(paths: ProjectPaths, perimeter: Perimeter, plan: Plan,
                out_dirs: dict[str, Path]) -> IndexParts:
    page = perimeter_page(paths, plan.year, perimeter)
    skipped = dict(plan.skipped)
    titles, figures = headline(paths, {q.code for q in plan.quarters}, plan.year)
    links = {q.code: Path(os.path.relpath(out_dirs[q.code] / "index.html", page.parent))
             .as_posix() for q in perimeter.quarters if q.code not in skipped}
    return IndexParts(titles, figures, links,
                      perimeter_map_html(paths, perimeter, plan.year, links))


CALL_LIMIT_S = 300.0


class IndexAhead:
    """The index's parts computed while the notebooks run (0,5 to 1 s of reading and
    drawing that would otherwise come after the last one); `parts` waits for them, and
    raises what their computation raised.

    With `warm`, they are computed in a copy of the local cluster's warm process
    (publish.forkserver), which has the maps' outlines and the packages in memory: done
    in the command itself, beside the notebooks, their imports and outlines added
    150 to 230 MiB to the peak memory of the process tree (série I). When that copy
    fails, or without `warm` (a remote cluster), a thread of the command computes them."""

    def __init__(self, paths: ProjectPaths, perimeter: Perimeter, plan: Plan,
                 out_dirs: dict[str, Path], warm: bool = False) -> None:
        self._result: list[IndexParts] = []
        self._error: list[BaseException] = []
        args = (paths, perimeter, plan, out_dirs)

        def work() -> None:
            try:
                parts = _in_warm_process(args) if warm else None
                self._result.append(parts or index_parts(*args))
            except BaseException as exc:  # handed to the main thread by `parts`
                self._error.append(exc)

        self._thread = threading.Thread(target=work, name="evalqpv-index", daemon=True)
        self._thread.start()

    def parts(self) -> IndexParts:
        self._thread.join()
        if self._error:
            raise self._error[0]
        return self._result[0]


def _in_warm_process(args: tuple[ProjectPaths, Perimeter, Plan, dict[str, Path]]
                     ) -> IndexParts | None:
    """index_parts run in a copy of the warm process; None when it could not be."""
    from .forkserver import POOL, ServerGone  # noqa: PLC0415 - with the local cluster

    try:
        called = POOL.get().call(Call(f"{__name__}:index_parts", args, args[0].root,
                                      name="index du périmètre"), CALL_LIMIT_S)
    except ServerGone:
        return None
    return called.value if isinstance(called.value, IndexParts) else None


def write_perimeter_index(paths: ProjectPaths, perimeter: Perimeter, plan: Plan,
                          jobs: list[Job], outcomes: dict[tuple[str, str], Outcome],
                          out_dirs: dict[str, Path], parts: IndexParts | None = None
                          ) -> Path:
    """The perimeter's index page, with `parts` when they were computed ahead."""
    from jinja2 import Environment, FileSystemLoader  # noqa: PLC0415 - only when writing

    page = perimeter_page(paths, plan.year, perimeter)
    parts = parts or index_parts(paths, perimeter, plan, out_dirs)
    by_quarter: dict[str, list[Job]] = {}
    for job in jobs:
        by_quarter.setdefault(job.territoire, []).append(job)
    skipped = dict(plan.skipped)
    rows = []
    for quarter in perimeter.quarters:
        communes = ", ".join(lib for _, lib in quarter.communes)
        if quarter.code in skipped:
            rows.append(QuarterRow(quarter.code, quarter.libelle, communes, "",
                                   tuple("–" for _ in parts.titles),
                                   f"pas de rapport : {skipped[quarter.code]}"))
            continue
        mine = by_quarter.get(quarter.code, [])
        rows.append(QuarterRow(quarter.code, quarter.libelle, communes,
                               parts.links[quarter.code], parts.figures[quarter.code],
                               _state(mine, outcomes)))
    env = Environment(loader=FileSystemLoader(TEMPLATES / "perimetre"), autoescape=False,
                      keep_trailing_newline=True)
    env.filters["esc"] = escape
    html = env.get_template("index.html.j2").render(
        annee=plan.year, libelle=perimeter.libelle, quartiers=rows, sautes=len(plan.skipped),
        compte=count(len(rows), "quartier prioritaire"),
        titres=parts.titles, carte=parts.map_html, css=STYLE.read_text(encoding="utf-8"))
    write_text_if_changed(page, html)
    return page
