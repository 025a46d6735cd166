"""The quarter against its comparison levels: charts, gaps, and schools' figures."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import QPV, VALEUR
from .charts import comparison_chart, to_svg
from .context import ReportContext
from .html import Html, esc, figure, table
from .indicators import Point, common_year, difference, ratio, value_in
from .wording import span, unit_name


def charts(ctx: ReportContext, limit: int = 8) -> Html:
    """For each indicator with figures: the QPV against wider levels, and the gaps."""
    out: list[str] = []
    inds = sorted(ctx.indicators(), key=lambda i: i.axe != ctx.report)  # own axis first
    for ind in inds:
        if len(out) >= limit:
            break
        if ctx.establishments(ind.id):
            out.append(f"<h3>{esc(ind.libelle)}</h3>" + schools_table(ctx, ind))
            continue
        qpv_points = ctx.series(ind.id, ctx.territory.qpv)
        lines = _lines(ctx, ind)
        if not any(p.valeur is not None for p in qpv_points):
            continue
        if len(lines) < 2 and sum(p.valeur is not None for p in qpv_points) < 2:
            continue
        out.append(f"<h3>{esc(ind.libelle)}</h3>" + compare(ctx, ind.id).text)
    return Html("".join(out) or "<p>Aucune série chiffrée n'est encore disponible pour les "
                                "indicateurs de ce rapport.</p>")


def compare(ctx: ReportContext, indicateur: str, niveaux: tuple[str, ...] | None = None) -> Html:
    """One indicator: a chart of the QPV against its comparison levels, and the gaps.

    Also the analyst's entry point: `report.compare(ctx, "taux_pauvrete")`.
    """
    ind = ctx.referentiel[indicateur]
    lines = [(lv, pts) for lv, pts in _lines(ctx, ind)
             if niveaux is None or lv.niveau in niveaux]
    if not lines:
        return Html(f"<p>Aucune valeur pour « {esc(ind.libelle)} ».</p>")
    svg = to_svg(comparison_chart(lines, ind.unite, label=ind.libelle))
    levels = ", ".join(lv.libelle for lv, _ in lines)
    years = sorted({p.annee for _, pts in lines for p in pts if p.valeur is not None})
    caption = f"{ind.libelle} ({unit_name(ind.unite)}) ; {levels} ; {span(years)}."
    qpv_points = ctx.series(ind.id, ctx.territory.qpv)
    return Html(figure(svg, caption=caption) + _gap_table(ctx, ind, qpv_points, lines))


def _lines(ctx: ReportContext, ind: Indicator) -> list[tuple[Level, list[Point]]]:
    """The series to draw: counts are not comparable across territories of different
    sizes, so only rates, amounts and indices are drawn against other levels."""
    levels = ctx.territory.levels if ind.unite != "nombre" else (ctx.territory.qpv,)
    lines = [(lv, ctx.series(ind.id, lv)) for lv in levels]
    return [(lv, pts) for lv, pts in lines if any(p.valeur is not None for p in pts)]


def _gap_table(ctx: ReportContext, ind: Indicator, qpv: list[Point],
               lines: list[tuple[Level, list[Point]]]) -> str:
    rows = []
    for level, points in lines:
        if level.niveau == QPV:
            continue
        year = common_year(qpv, points, ctx.annee)
        if year is None:
            continue
        a, b = value_in(qpv, year), value_in(points, year)
        if a is None or b is None or a.statut != VALEUR or b.statut != VALEUR:
            continue
        gap = difference(a.valeur, b.valeur)
        rows.append([level.libelle, year, fn.with_unit(a.valeur, ind.unite),
                     fn.with_unit(b.valeur, ind.unite), fn.change(gap, ind.unite),
                     fn.ratio(ratio(a.valeur, b.valeur))])
    if not rows or ind.unite == "nombre":
        return ""
    return table(["Comparé à", "Année", ctx.territory.libelle, "Territoire de comparaison",
                  "Écart", "Rapport"], rows, numeric=(2, 3, 4, 5), css_class="ecarts",
                 caption=f"{ind.libelle} : écarts entre {ctx.territory.libelle} et les "
                         "territoires de comparaison (dernière année commune)")


def schools_text(ctx: ReportContext, ind: Indicator) -> str:
    """The range of the schools' figures, in one cell."""
    schools = ctx.establishments(ind.id)
    values = [p.valeur for _, p in schools if p.valeur is not None]
    year = max(p.annee for _, p in schools)
    return (f"de {fn.with_unit(min(values), ind.unite)} à {fn.with_unit(max(values), ind.unite)}"
            f" ({year}, {len(schools)} établissements)")


def schools_table(ctx: ReportContext, ind: Indicator) -> str:
    """The figure of each school of the territory's communes, lowest first."""
    rows = [[lv.libelle, lv.code, p.annee, fn.with_unit(p.valeur, ind.unite, p.statut)]
            for lv, p in sorted(ctx.establishments(ind.id), key=lambda s: s[1].valeur or 0.0)]
    sources = sorted({p.source for _, p in ctx.establishments(ind.id)})
    return table(["Établissement", "Code UAI", "Année", ind.libelle], rows, numeric=(3,),
                 css_class="etablissements",
                 caption=f"{ind.libelle}. Source : " + " ; ".join(sources))
