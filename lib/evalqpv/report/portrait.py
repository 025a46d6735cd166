"""The portrait of the quarter: the contract's section I tables rebuilt from the data
(their layout in config/contrat.toml), and the quarter's figures year by year."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import CODE_FRANCE, CONTEXT, CONTRACT_CITED, FRANCE, ORIGINE_CONTRAT
from .context import ReportContext
from .html import Html, esc, table
from .indicators import Point, at_level, is_contract_figure, points_of


def section_i_tables(ctx: ReportContext) -> Html:
    """The contract's section I tables: each figure the contract prints, beside the figure
    the producer publishes for the same indicator, territory and year, the difference
    flagged (another value, or the same value published for another year)."""
    out = []
    flagged = 0
    for portrait in ctx.contract.portrait:
        levels = [_level_for(ctx, n) for n in portrait.niveaux]
        rows = []
        for indicator_id in portrait.indicateurs:
            ind = ctx.referentiel[indicator_id]
            year = ind.annee_reference
            cells: list[object] = [ind.libelle, year or "–"]
            for level in levels:
                cell, differs = _printed_and_published(ctx, ind, level, year)
                flagged += differs
                cells.append(cell)
            rows.append(cells)
        out.append(table(["Indicateur", "Année"] + [lv.libelle if lv else "–" for lv in levels],
                         rows, caption=portrait.titre,
                         numeric=tuple(range(2, 2 + len(levels))), css_class="section-i"))
    intro = ("<p>Chaque case donne le chiffre imprimé dans le contrat, puis celui que le "
             "producteur publie pour le même territoire et la même année : « = publié » quand "
             "ils concordent, la valeur publiée (marquée ≠) quand elle diffère ; quand aucun "
             "fichier livré ne donne cette année, le chiffre publié le plus proche, avec son "
             "année."
             + (f" {fn.count(flagged, 'écart')} "
                f"{'est signalé' if flagged < 2 else 'sont signalés'}.</p>" if flagged
                else "</p>"))
    return Html(intro + "".join(out))


def _printed_and_published(ctx: ReportContext, ind: Indicator, level: Level | None,
                           year: int | None) -> tuple[object, bool]:
    """One cell: the contract's figure and the published one, and whether they differ."""
    if level is None or year is None:
        return "–", False
    printed_now = next((p for p in _points(ctx, ind.id, level, contract=True)
                        if p.annee == year), None)
    published = [p for p in _points(ctx, ind.id, level, contract=False)
                 if p.valeur is not None]
    same_year = next((p for p in published if p.annee == year), None)
    if printed_now is None:
        shown = fn.with_unit(same_year.valeur, ind.unite, same_year.statut) if same_year \
            else "–"
        return shown, False
    text = fn.with_unit(printed_now.valeur, ind.unite, printed_now.statut)
    if same_year is not None:
        if same_year.valeur == printed_now.valeur and same_year.statut == printed_now.statut:
            return Html(f'{esc(text)}<span class="publie">= publié</span>'), False
        other = fn.with_unit(same_year.valeur, ind.unite, same_year.statut)
        return Html(f'{esc(text)}<span class="publie">≠ publié : {esc(other)}</span>'), True
    closest = sorted(published, key=lambda p: (abs(p.annee - year), -p.annee))
    if closest:
        near = closest[0]
        return Html(f'{esc(text)}<span class="publie">non publié pour {year} (publié : '
                    f"{esc(fn.with_unit(near.valeur, ind.unite, near.statut))} en "
                    f"{near.annee})</span>"), False
    return Html(f'{esc(text)}<span class="publie">non publié</span>'), False


def _points(ctx: ReportContext, indicator: str, level: Level, contract: bool) -> list[Point]:
    """The series of a level as the contract's text gives it, or as the producers do (a
    store row that both give, with the same value, counts for both)."""
    rows = [r for r in at_level(ctx.records_of(indicator), level)
            if (r["origine"] in CONTRACT_CITED if contract else r["origine"] != ORIGINE_CONTRAT)]
    return points_of(rows)


def _level_for(ctx: ReportContext, niveau: str) -> Level | None:
    if niveau == FRANCE:
        return Level(FRANCE, CODE_FRANCE, "France")
    return ctx.territory.level(niveau)


def time_series_table(ctx: ReportContext, ids: tuple[str, ...] | None = None) -> Html:
    """The quarter's figures year by year: the section I portrait extended in time."""
    ids = ids or tuple(i.id for i in ctx.indicators() if i.axe == CONTEXT)
    qpv = ctx.territory.qpv
    data = {i: {p.annee: p for p in ctx.series(i, qpv) if p.annee <= ctx.annee} for i in ids}
    years = sorted({y for points in data.values() for y in points})
    rows = []
    for indicator_id in ids:
        if not data[indicator_id]:
            continue
        ind = ctx.referentiel[indicator_id]
        rows.append([ind.libelle] + [_cell(ind, data[indicator_id][y])
                                     if y in data[indicator_id] else "" for y in years])
    return Html(table(["Indicateur"] + [str(y) for y in years], rows,
                      numeric=tuple(range(1, len(years) + 1)), css_class="series",
                      caption=f"{ctx.territory.libelle} : valeurs par année de référence")
                + "<p>« (contrat) » : chiffre imprimé dans le contrat, d'une autre source que "
                "les publications de la même ligne ; un écart avec elles n'est pas une "
                "évolution.</p>")


def _cell(ind: Indicator, point: Point) -> str:
    """A year's figure; the contract's own figures said so, beside a published series."""
    text = fn.with_unit(point.valeur, ind.unite, point.statut)
    return f"{text} (contrat)" if is_contract_figure(point) else text
