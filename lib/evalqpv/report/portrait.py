"""The portrait of the quarter: the contract's section I tables rebuilt from the data
(their layout in config/contrat.toml), and the quarter's figures year by year."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..territory import Level
from ..vocabulary import CODE_FRANCE, CONTEXT, FRANCE
from .context import ReportContext
from .html import Html, table
from .indicators import value_in


def section_i_tables(ctx: ReportContext) -> Html:
    """The contract's section I tables, rebuilt from the store for the year it cites."""
    out = []
    for portrait in ctx.contract.portrait:
        levels = [_level_for(ctx, n) for n in portrait.niveaux]
        rows = []
        for indicator_id in portrait.indicateurs:
            ind = ctx.referentiel[indicator_id]
            year = ind.annee_reference
            cells: list[object] = [ind.libelle, year or "–"]
            for level in levels:
                point = value_in(ctx.series(ind.id, level), year) if year and level else None
                cells.append(fn.with_unit(point.valeur, ind.unite, point.statut)
                             if point else "–")
            rows.append(cells)
        out.append(table(["Indicateur", "Année"] + [lv.libelle if lv else "–" for lv in levels],
                         rows, caption=portrait.titre,
                         numeric=tuple(range(2, 2 + len(levels))), css_class="section-i"))
    return Html("".join(out))


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
        rows.append([ind.libelle] + [
            fn.with_unit(data[indicator_id][y].valeur, ind.unite, data[indicator_id][y].statut)
            if y in data[indicator_id] else "" for y in years])
    return Html(table(["Indicateur"] + [str(y) for y in years], rows,
                      numeric=tuple(range(1, len(years) + 1)), css_class="series",
                      caption=f"{ctx.territory.libelle} : valeurs par année de référence"))
