"""The top of a report: who and when, then key messages written from the data."""

from __future__ import annotations

from .. import __version__
from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import (
    AXES,
    COMMUNE,
    CONTEXT,
    ENSEMBLE_QPV,
    FRANCE,
    STATUSES,
    SYNTHESIS,
    VALEUR,
)
from .context import ReportContext
from .html import Html, bullets, esc
from .indicators import Point, difference, latest, ratio, value_in
from .wording import level_name, lower_first

MESSAGE_TYPES = ("contexte", "impact", "resultat")  # what key messages are about
COMPARED_UNITS = ("pourcentage", "euros", "ratio", "indice")  # comparable across sizes


def header(ctx: ReportContext) -> Html:
    t = ctx.territory
    comparators = ", ".join(f"{lv.libelle} ({level_name(lv.niveau)})"
                            for lv in t.comparators if lv.niveau not in (FRANCE,))
    return Html(
        f'<p class="lead">Quartier prioritaire <strong>{esc(t.libelle)}</strong> '
        f"({esc(t.code)}, géographie prioritaire {esc(t.qpv.geographie[3:])}), année "
        f"d'évaluation <strong>{ctx.annee}</strong>.</p>"
        f"<p>Territoires de comparaison : {esc(comparators)}, France.</p>")


def key_messages(ctx: ReportContext, limit: int = 6) -> Html:
    """Sentences written from the data: level, gap to wider territories, trend.

    Indicators compared with other territories come first; the synthesis takes the
    best message of each axis. The figures behind the sentences travel with the
    fragment (machine-readable key figures of the report).
    """
    if ctx.report == SYNTHESIS:
        groups = [[i for i in ctx.indicators() if i.in_report(r)] for r in (CONTEXT, *AXES)]
        per_group = 1
    else:
        groups, per_group = [ctx.indicators()], limit
    sentences: list[str] = []
    key_figures: list[dict[str, object]] = []
    for inds in groups:
        candidates = []
        for ind in inds:
            if ind.type not in MESSAGE_TYPES:
                continue
            message = _message(ctx, ind)
            if message is not None:
                text, compared, figures = message
                key_figures += figures
                candidates.append((text, compared))
        ranked = sorted(candidates, key=lambda c: not c[1])
        sentences += [text for text, _ in ranked[:per_group]]
    sentences = sentences[:limit + 4]
    counts = ctx.status_counts(ctx.indicators())
    total = sum(counts.values())
    if total:
        parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s]]
        sentences.append(f"Sur les {total} indicateurs suivis dans ce rapport : "
                         + ", ".join(parts) + ".")
    data = {"rapport": ctx.report, "annee": ctx.annee, "territoire": ctx.territory.code,
            "statuts": counts, "chiffres": key_figures, "version": __version__}
    if not sentences:
        return Html("<p>Aucune donnée n'est encore disponible pour ce rapport.</p>", data)
    return Html(bullets(sentences), data)


def _message(ctx: ReportContext, ind: Indicator
             ) -> tuple[str, bool, list[dict[str, object]]] | None:
    """One sentence on an indicator, whether it compares territories, and its figures."""
    qpv = ctx.territory.qpv
    points = ctx.series(ind.id, qpv)
    last, _ = latest(points, ctx.annee)
    if last is None or last.valeur is None:
        return None
    figures = []
    value = fn.with_unit(last.valeur, ind.unite, last.statut)
    text = f"En {last.annee}, {lower_first(ind.libelle)} : {value} à {ctx.territory.libelle}"
    compared = []
    if ind.unite in COMPARED_UNITS and last.statut == VALEUR:
        for level in ctx.territory.comparators:
            if level.niveau not in (COMMUNE, FRANCE, ENSEMBLE_QPV):
                continue
            other = value_in(ctx.series(ind.id, level), last.annee)
            if other is None or other.valeur is None or other.statut != VALEUR:
                continue
            r = ratio(last.valeur, other.valeur)
            compared.append(f"{level.libelle} : {fn.with_unit(other.valeur, ind.unite)}, "
                            f"soit un rapport de {fn.number(r, 1)}")
            figures.append(_figure(ind, level, other))
    figures.append(_figure(ind, qpv, last))
    if compared:
        text += " (" + " ; ".join(compared[:2]) + ")"
    first = next((p for p in points if p.valeur is not None and p.statut == VALEUR), None)
    if first is not None and first.valeur is not None and first.annee < last.annee \
            and last.statut == VALEUR:
        delta = last.valeur - first.valeur
        if not delta:
            text += f" ; stable depuis {first.annee}"
        else:
            if ind.unite == "nombre" and first.valeur:
                trend = ("+" if delta > 0 else "-") + fn.number(
                    abs(100 * delta / first.valeur), 0) + f"{fn.NBSP}%"
            else:
                trend = fn.change(difference(last.valeur, first.valeur), ind.unite)
            direction = "en hausse" if delta > 0 else "en baisse"
            text += f" ; {direction} depuis {first.annee} ({trend})"
    return text + ".", bool(compared), figures


def _figure(ind: Indicator, level: Level, point: Point) -> dict[str, object]:
    return {"indicateur": ind.id, "libelle": ind.libelle, "niveau": level.niveau,
            "code": level.code, "territoire": level.libelle, "annee": point.annee,
            "valeur": point.valeur, "statut": point.statut, "unite": ind.unite,
            "source": point.source}
