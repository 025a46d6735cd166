"""An axis report's own analysis: tables of indicators read together (job seekers by
category, sex, age and situation for employment; schools and young people for
emancipation…), as config/analyses.toml lists them."""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..analysis_settings import AnalysisTable, load_analyses
from ..vocabulary import COMMUNE, ENSEMBLE_QPV, SIZE_UNITS, VALEUR
from .comparisons import schools_text
from .context import ReportContext
from .html import Html, esc, table
from .indicators import Point, latest, value_in
from .messages import trend_words


def axis_analysis(ctx: ReportContext) -> Html:
    tables = load_analyses(ctx.paths).get(ctx.report, ())
    out = [_table(ctx, spec) for spec in tables]
    out = [t for t in out if t]
    return Html("".join(out) or "<p>Aucune analyse propre à cet axe n'est prévue : ses "
                                "indicateurs sont suivis dans les tableaux ci-dessus.</p>")


def _table(ctx: ReportContext, spec: AnalysisTable) -> str:
    qpv = ctx.territory.qpv
    commune = ctx.territory.level(COMMUNE)
    ensemble = ctx.territory.level(ENSEMBLE_QPV)
    total_points = ctx.series(spec.total, qpv) if spec.total else []
    rows = []
    for indicator in spec.indicateurs:
        ind = ctx.referentiel.indicators.get(indicator)
        if ind is None:
            continue
        points = ctx.published_first(ind.id, qpv)
        last, _ = latest(points, ctx.annee)
        if last is None:
            if ctx.establishments(ind.id):
                rows.append([ind.libelle, schools_text(ctx, ind), "–", "–", "–", "–"])
            continue
        as_share = bool(spec.total) and indicator in spec.parties
        share = _share(last, value_in(total_points, last.annee)) if as_share else "–"
        others = []
        for level in (commune, ensemble):
            other = value_in(ctx.series(ind.id, level), last.annee) if level else None
            if as_share and level is not None:  # counts compare as shares of their total
                others.append(_share(other, value_in(ctx.series(spec.total, level),
                                                     last.annee)))
            else:
                others.append(_shown(other, ind.unite) if ind.unite not in SIZE_UNITS
                              else "–")
        change = ctx.trend(ind, points)
        rows.append([ind.libelle, f"{fn.with_unit(last.valeur, ind.unite, last.statut)} "
                     f"({last.annee})", share, *others,
                     trend_words(change, ind, ctx.breaks(ind.id)) if change else "–"])
    if not rows:
        return ""
    headers = ["Indicateur", ctx.territory.libelle,
               f"Part de « {ctx.referentiel[spec.total].libelle} »" if spec.total
               and spec.total in ctx.referentiel else "Part", commune.libelle if commune
               else "Commune", "Ensemble des QPV", "Évolution"]
    return f"<h3>{esc(spec.titre)}</h3>" + table(headers, rows, numeric=(1, 2, 3, 4),
                                                 css_class="analyse")


def _shown(point: Point | None, unit: str) -> str:
    if point is None or point.valeur is None or point.statut != VALEUR:
        return "–"
    return fn.with_unit(point.valeur, unit)


def _share(part: Point | None, total: Point | None) -> str:
    """A count as a share of its total the same year (counts of territories of different
    sizes only compare so)."""
    if part is None or total is None or part.valeur is None or not total.valeur \
            or part.statut != VALEUR or total.statut != VALEUR:
        return "–"
    return fn.with_unit(100 * part.valeur / total.valeur, "pourcentage")
