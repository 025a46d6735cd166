"""The top of a report: who and when, the verdict of each axis, and key messages
written from the data, ranked by what the contract is about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .. import __version__
from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..ruptures import Break, breaks_of, crossed, project_breaks
from ..territory import Level
from ..vocabulary import (
    A_COLLECTER,
    A_VENIR,
    ATTEINT,
    AXES,
    COMMUNE,
    CONTEXT,
    EN_BONNE_VOIE,
    EN_RETARD,
    ENSEMBLE_QPV,
    FRANCE,
    NON_APPLICABLE,
    NON_COMPARABLE,
    REPORT_TITLES,
    STATUSES,
    SYNTHESIS,
    VALEUR,
)
from .context import ReportContext
from .html import Html, bullets, esc
from .indicators import Point, latest, value_in
from .trends import STABLE, Trend, favourable, trend
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
        f"<p>{esc(year_framing(ctx))}</p>"
        f"<p>Territoires de comparaison : {esc(comparators)}, France.</p>")


def year_framing(ctx: ReportContext) -> str:
    """What the evaluated year is for the contract, and how recent the data are."""
    c, year = ctx.contract, ctx.annee
    if c.debut and year < c.debut:
        where = (f"{year} est l'année qui précède le contrat ({c.debut}-{c.fin}) : la "
                 "situation de référence" if year == c.baseline_year else
                 f"{year} est antérieure au contrat ({c.debut}-{c.fin})")
    elif c.debut:
        where = (f"{year} est la {year - c.debut + 1}e année du contrat ({c.debut}-{c.fin})"
                 if year > c.debut else f"{year} est la première année du contrat "
                 f"({c.debut}-{c.fin})")
    else:
        where = f"Année évaluée : {year}"
    qpv = ctx.store[(ctx.store["niveau"] == "qpv") & ctx.store["valeur"].notna()]
    years = [int(a) for a in qpv["annee"] if int(a) <= year]
    latest_year = max(years) if years else None
    recent = (f" ; pour le quartier, les chiffres les plus récents portent sur {latest_year} "
              "(chaque valeur est datée de l'année qu'elle décrit)" if latest_year
              and latest_year < year else "")
    return where + recent + "."


# --------------------------------------------------------------------------- key messages


def key_messages(ctx: ReportContext, limit: int = 6) -> Html:
    """Sentences written from the data: level, gap to wider territories, honest trend.

    Ranked by what the contract is about (config/contrat.toml [messages]), then by the
    axis's own results; never by the size of a gap. The synthesis takes the first
    message of the context and of each axis. The figures behind the sentences travel
    with the fragment (machine-readable key figures of the report).
    """
    if ctx.report == SYNTHESIS:
        groups = [ranked_indicators(ctx, r) for r in (CONTEXT, *AXES)]
        per_group = 1
    else:
        groups, per_group = [ranked_indicators(ctx, ctx.report)], limit
    sentences: list[str] = []
    key_figures: list[dict[str, object]] = []
    said: set[str] = set()
    for inds in groups:
        taken = 0
        for ind in inds:
            if taken >= per_group:
                break
            if ind.id in said:
                continue
            said.add(ind.id)
            message = _message(ctx, ind)
            if message is not None:
                text, figures = message
                sentences.append(text)
                key_figures += figures
                taken += 1
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


def ranked_indicators(ctx: ReportContext, report: str) -> list[Indicator]:
    """The indicators a report's key messages may speak of, most important first: those
    the contract is about (in its order), then the report's own results and impacts
    (strategic priorities first)."""
    own = [i for i in ctx.indicators() if i.in_report(report) and i.type in MESSAGE_TYPES]
    by_id = {i.id: i for i in own}
    first = [by_id[i] for i in ctx.contract.messages if i in by_id]
    rest = [i for i in own if i.id not in ctx.contract.messages and i.type != CONTEXT
            and i.axe == report]
    rest.sort(key=lambda i: (not i.prioritaire, i.type != "impact"))
    return first + rest


def _message(ctx: ReportContext, ind: Indicator) -> tuple[str, list[dict[str, object]]] | None:
    """One sentence on an indicator, and the figures it cites."""
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
            compared.append(f"{level.libelle} : {fn.with_unit(other.valeur, ind.unite)}")
            figures.append(_figure(ind, level, other))
    figures.append(_figure(ind, qpv, last))
    if compared:
        text += " (" + " ; ".join(compared[:2]) + ")"
    change = trend(points, ctx.annee, ind.unite, since=ctx.contract.baseline_year)
    if change is not None:
        text += " ; " + trend_words(change, ind)
    return text + ".", figures


def trend_words(change: Trend, ind: Indicator,
                breaks: Sequence[Break] | None = None) -> str:
    """« stable entre 2013 et 2019 (-0,2 point) », « en baisse de 6 % entre 2016 et 2020 ».

    A change whose span crosses a national reform of the indicator (`change.reforms`,
    or else those of `breaks`; None: the project's config/ruptures.csv) is given as a
    figure, not as a rise or a fall, with the reform named: « +70,9 % entre 2016 et
    2019, à ne pas lire comme une évolution du quartier (rupture : revalorisation de la
    prime d'activité en janvier 2019) »."""
    if ind.unite == "nombre" and change.relative is not None:
        signed = fn.change(100 * change.relative, ind.unite, relative=True)
    else:
        signed = fn.change(change.delta, ind.unite)
    size = signed.lstrip("+-")
    reform = change.reform
    if reform is None:
        known = project_breaks() if breaks is None else breaks
        reform = next(iter(crossed(breaks_of(known, ind.id), change.start.annee,
                                   change.end.annee)), None)
    if reform is not None:
        words = (f"{signed} {change.span}, à ne pas lire comme une évolution du quartier "
                 f"(rupture : {reform.words})")
    elif change.direction == STABLE:
        words = f"stable {change.span} ({signed})"
    else:
        words = f"en {change.direction} de {size} {change.span}"
    if change.broken:
        words += ", série d'une seule source"
    return words


def _figure(ind: Indicator, level: Level, point: Point) -> dict[str, object]:
    return {"indicateur": ind.id, "libelle": ind.libelle, "niveau": level.niveau,
            "code": level.code, "territoire": level.libelle, "annee": point.annee,
            "valeur": point.valeur, "statut": point.statut, "unite": ind.unite,
            "source": point.source}


# --------------------------------------------------------------------------- verdicts


def axis_verdicts(ctx: ReportContext) -> Html:
    """One verdict per axis, in words, from the data: what moved, what did not, how the
    targets stand, and what cannot be judged yet and whose data it waits for."""
    items = []
    for axe in AXES:
        inds = [i for i in ctx.indicators() if i.in_report(axe)]
        if not inds:
            continue
        items.append(f"<li><strong>{esc(REPORT_TITLES[axe])}.</strong> "
                     f"{esc(axis_verdict(ctx, inds))}</li>")
    return Html('<ul class="verdicts">' + "".join(items) + "</ul>")


def axis_verdict(ctx: ReportContext, inds: list[Indicator]) -> str:
    moved, still = [], []
    for ind in inds:
        if ind.type not in ("impact", "resultat", "contexte"):
            continue
        change = trend(ctx.series(ind.id, ctx.territory.qpv), ctx.annee, ind.unite,
                       since=ctx.contract.baseline_year)
        if change is None:
            continue
        phrase = f"{lower_first(ind.libelle)} {trend_words(change, ind)}"
        good = favourable(change.direction, ind.sens)
        if change.direction == STABLE:
            still.append(phrase)
        else:
            moved.append(phrase + ("" if good is None else
                                   " (évolution favorable)" if good else
                                   " (évolution défavorable)"))
    parts = []
    if moved:
        parts.append("Ce qui a bougé : " + " ; ".join(moved[:3]) + ".")
    if still:
        parts.append("Ce qui n'a pas bougé : " + " ; ".join(still[:3]) + ".")
    if not moved and not still:
        parts.append("Aucune série chiffrée du quartier ne permet encore de mesurer une "
                     "évolution sur cet axe.")
    counts = Counter(ctx.assess(i).status for i in inds)
    judged = [f"{counts[s]} {s}" for s in (ATTEINT, EN_BONNE_VOIE, EN_RETARD, A_VENIR)
              if counts[s]]
    if judged:
        parts.append("Cibles du contrat : " + ", ".join(judged) + ".")
    if counts[NON_COMPARABLE]:
        parts.append(f"{counts[NON_COMPARABLE]} chiffre(s) non comparable(s) à leur cible "
                     "(autre périmètre ou autre période, ou objectif propre d'un partenaire).")
    owed = Counter(i.partenaire for i in inds if ctx.assess(i).status == A_COLLECTER)
    if owed:
        who = ", ".join(f"{p} : {n}" for p, n in sorted(owed.items(), key=lambda x: (-x[1],
                                                                                      x[0])))
        parts.append(f"Ne peut pas encore être jugé : {sum(owed.values())} indicateur(s) sans "
                     f"donnée pour {ctx.annee} ({who}).")
    if counts[NON_APPLICABLE]:
        parts.append(f"{counts[NON_APPLICABLE]} engagement(s) portent sur une autre commune.")
    return " ".join(parts)
