"""The quarter against its comparison levels: charts, gaps, and schools' figures."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..comparison_settings import load_comparison
from ..referentiel import Indicator
from ..ruptures import breaks_of, load_breaks
from ..territory import Level, intercommunality_note
from ..vocabulary import QPV, SIZE_UNITS, VALEUR
from .charts import comparison_chart, to_svg
from .context import ReportContext
from .html import Html, esc, figure, table
from .indicators import Point, common_year, difference, ratio, value_in
from .trends import PUBLISHED, family
from .wording import span, unit_name


def comparison_charts(ctx: ReportContext, limit: int = 6, budget: int = 60_000) -> Html:
    """For each indicator with figures: the QPV against wider levels, and the gaps.

    The indicators the comparison territories have figures for come first (the
    header announces them: their values are shown wherever the files hold them, even
    when the quarter has none), then the quarter's own series (a count is never set
    beside another territory's: only its own history is drawn). At most `limit` charts
    and about `budget` bytes: the others are named in one line."""
    out: list[str] = []
    note = intercommunality(ctx)
    reforms = load_breaks(ctx.paths)
    candidates: list[tuple[int, bool, bool, int, Indicator,
                           list[tuple[Level, list[Point]]] | None]] = []
    for rank, ind in enumerate(ctx.indicators()):
        if ctx.establishments(ind.id):
            candidates.append((0, False, ind.axe != ctx.report, rank, ind, None))
            continue
        drawn = _lines(ctx, ind)
        own = sum(p.valeur is not None for p in ctx.series(ind.id, ctx.territory.qpv))
        # comparison territories with a producer's figure (not the contract's own
        # figures for the département, say: those are followed, not compared)
        published = sum(lv.niveau != QPV and any(family(p) == PUBLISHED for p in pts)
                        for lv, pts in drawn)
        if own == 0 and published == 0:
            continue  # the quarter has no figure, nor any territory a published one
        if own < 2 and len(drawn) < 2:
            continue  # one figure of the quarter alone: nothing to draw
        # among the quarter's own series, one a national reform breaks comes first: the
        # reader must see the break before reading the change
        years = [p.annee for _, pts in drawn for p in pts if p.valeur is not None]
        broken = bool(years) and any(b.crosses(min(years), max(years))
                                     for b in breaks_of(reforms, ind.id))
        candidates.append((0 if published else 1, not broken, ind.axe != ctx.report, rank,
                           ind, drawn))
    left: list[str] = []  # drawn if the page had room: named, not dropped silently
    for *_, ind, lines in sorted(candidates, key=lambda c: c[:4]):
        if len(out) >= limit or sum(len(o) for o in out) >= budget:
            left.append(ind.libelle)
            continue
        if lines is None:
            out.append(f"<h3>{esc(ind.libelle)}</h3>" + schools_table(ctx, ind))
            continue
        text = compare(ctx, ind.id).text
        if not any(lv.niveau == QPV for lv, _ in lines):
            text = (f"<p>Aucun chiffre publié pour {esc(ctx.territory.libelle)} : le graphique "
                    "donne les territoires de comparaison.</p>") + text
        out.append(f"<h3>{esc(ind.libelle)}</h3>" + text)
    intro = f"<p>{esc(note)}</p>" if note and out else ""
    named = ", ".join(left[:5]) + (f" et {fn.count(len(left) - 5, 'autre')}"
                                   if len(left) > 5 else "")
    more = (f"<p>Autres séries de ce rapport, non tracées ici pour que la page reste "
            f"courte : {esc(named)}.</p>") if left and out else ""
    return Html(intro + "".join(out) + more or "<p>Aucune série chiffrée n'est encore "
                "disponible pour les indicateurs de ce rapport.</p>")


def intercommunality(ctx: ReportContext) -> str:
    """One sentence saying why the intercommunality compared is not the contract's own
    (config/comparaison.toml [intercommunalite]), for the contract's quarter only."""
    own = load_comparison(ctx.paths).intercommunalite
    if own is None or not ctx.own_contract:
        return ""
    return intercommunality_note(ctx.territory, own.nom, own.nature)


def compare(ctx: ReportContext, indicateur: str, niveaux: tuple[str, ...] | None = None) -> Html:
    """One indicator: a chart of the QPV against its comparison levels, and the gaps.

    Also the analyst's entry point: `report.compare(ctx, "taux_pauvrete")`.
    """
    ind = ctx.referentiel[indicateur]
    lines = [(lv, pts) for lv, pts in _lines(ctx, ind)
             if niveaux is None or lv.niveau in niveaux]
    if not lines:
        return Html(f"<p>Aucune valeur pour « {esc(ind.libelle)} ».</p>")
    breaks = breaks_of(load_breaks(ctx.paths), ind.id)
    svg = to_svg(comparison_chart(lines, ind.unite, label=ind.libelle, breaks=breaks,
                                  producer=ind.producteur))
    levels = ", ".join(lv.libelle for lv, _ in lines)
    years = sorted({p.annee for _, pts in lines for p in pts if p.valeur is not None})
    caption = f"{ind.libelle} ({unit_name(ind.unite)}) ; {levels} ; {span(years)}."
    qpv_points = ctx.series(ind.id, ctx.territory.qpv)
    return Html(figure(svg, caption=caption) + _gap_table(ctx, ind, qpv_points, lines))


def _lines(ctx: ReportContext, ind: Indicator) -> list[tuple[Level, list[Point]]]:
    """The series to draw: counts are not comparable across territories of different
    sizes, so only rates, amounts and indices are drawn against other levels."""
    levels = ctx.territory.levels if ind.unite not in SIZE_UNITS else (ctx.territory.qpv,)
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
