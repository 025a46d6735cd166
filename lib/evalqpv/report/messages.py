"""The top of a report: who and when, the verdict of each axis, and key messages
written from the data, ranked by what the contract is about."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .. import __version__
from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..ruptures import Break, breaks_of, crossed, project_breaks
from ..territory import Level
from ..vocabulary import (
    A_VENIR,
    ATTEINT,
    AXES,
    COMMUNE,
    CONTEXT,
    ECHU_SANS_DONNEE,
    EN_BONNE_VOIE,
    EN_RETARD,
    ENSEMBLE_QPV,
    ETABLISSEMENT,
    FRANCE,
    HAND_FILLED_ORIGINS,
    NON_TRANSMIS,
    PERIMETRE_PARTENAIRE,
    QPV,
    REPORT_TITLES,
    STATUSES,
    VALEUR,
    WHOLE_CONTRACT,
)
from .context import ReportContext
from .html import Html, bullets, esc, table
from .indicators import Point, is_contract_figure, latest, value_in
from .trends import STABLE, Trend, favourable
from .wording import level_name, lower_first, status_count, target_count

MESSAGE_TYPES = ("contexte", "impact", "resultat")  # what key messages are about
COMPARED_UNITS = ("pourcentage", "euros", "ratio", "indice")  # comparable across sizes


def header(ctx: ReportContext) -> Html:
    """What the year is for the contract, how recent the figures are, the geography of
    the quarter's series and the territories it is compared with (the page's own header
    already names the quarter, its commune and the year)."""
    t = ctx.territory
    comparators = ", ".join(
        lv.libelle if lv.libelle.lower() == level_name(lv.niveau).lower()
        else f"{lv.libelle} ({level_name(lv.niveau)})"
        for lv in t.comparators if lv.niveau not in (FRANCE,))
    return Html(
        f'<p class="lead">{esc(year_framing(ctx))}</p>'
        f"<p>Séries du quartier dans la géographie prioritaire {esc(t.qpv.geographie[3:])} "
        f"({esc(t.code)}) ; territoires de comparaison : {esc(comparators)}, France "
        "(voir « Méthodes et sources »).</p>")


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
    recent = published_recency(ctx)
    if not recent:
        return where + " ; aucun chiffre publié ne porte encore sur le quartier."
    latest_year = max(recent.values())
    text = (f"{where} ; les chiffres publiés pour le quartier s'arrêtent en {latest_year} "
            "(le détail par source est dans « Méthodes et sources »)")
    if c.debut and latest_year < c.debut <= year:
        text += (" : aucun ne couvre encore la période du contrat, que seuls les chiffres des "
                 "partenaires décrivent pour l'instant")
    return text + "."


def published_recency(ctx: ReportContext) -> dict[str, int]:
    """The latest year each published dataset gives for the quarter (up to the evaluated
    year): never the contract's or a partner's own figures."""
    store = ctx.store
    rows = store[(store["niveau"] == QPV) & (store["code"] == ctx.territory.code)
                 & store["valeur"].notna()]
    out: dict[str, int] = {}
    for source, origine, annee in zip(rows["source"], rows["origine"], rows["annee"],
                                      strict=True):
        year = int(str(annee))
        if year > ctx.annee or origine in HAND_FILLED_ORIGINS:
            continue
        for one_source in str(source).split(" | "):
            if one_source.startswith(ctx.contract.nom or "\0"):
                continue  # the contract's own transcription, cited beside a publication
            name = re.sub(r", publication \d{4}$", "", one_source)
            out[name] = max(out.get(name, 0), year)
    return out


# --------------------------------------------------------------------------- key messages


def key_messages(ctx: ReportContext, limit: int = 6) -> Html:
    """Sentences written from the data: level, gap to wider territories, honest trend.

    Ranked by what the contract is about (config/contrat.toml [messages]), then by the
    axis's own results; never by the size of a gap. The synthesis takes the first
    message of the context and of each axis. The figures behind the sentences travel
    with the fragment (machine-readable key figures of the report).
    """
    if ctx.report in WHOLE_CONTRACT:
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
    if total and ctx.report not in WHOLE_CONTRACT:  # the synthesis has its own table
        # « ; » between counts: a status may hold a comma (« échu, non renseigné »)
        parts = [status_count(counts[s], s) for s in STATUSES if counts[s]]
        sentences.append(f"Sur les {total} indicateurs suivis dans ce rapport{_scope(ctx)} : "
                         + " ; ".join(parts) + "." + _lacking(ctx))
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
    points = ctx.published_first(ind.id, qpv)
    last, _ = latest(points, ctx.annee)
    if last is None or last.valeur is None:
        return None
    figures = []
    value = fn.with_unit(last.valeur, ind.unite, last.statut)
    # « à <quarter> » unless the label names the quarter already, or the figure is a
    # school's or a partner's own perimeter (the brevet of the sector's colleges)
    where = "" if ind.perimetre in (ETABLISSEMENT, PERIMETRE_PARTENAIRE) \
        or ctx.territory.libelle in ind.libelle else f" à {ctx.territory.libelle}"
    text = f"En {last.annee}, {lower_first(ind.libelle)} : {value}{where}"
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
    change = ctx.trend(ind, points)
    if change is not None:
        text += " ; " + trend_words(change, ind, ctx.breaks(ind.id))
    return text + ".", figures


def territories_table(ctx: ReportContext) -> Html:
    """The quarter beside every comparison territory the header announces (commune,
    intercommunality, département, région, all QPV, France), for the rates the contract
    speaks of, each on the quarter's latest published year: a territory the shipped
    files say nothing of that year shows a dash. Counts are never set side by side
    across territories of different sizes."""
    levels = [lv for lv in ctx.territory.comparators]
    rows: list[list[object]] = []
    for ind in ranked_indicators(ctx, CONTEXT) + [
            i for r in AXES for i in ranked_indicators(ctx, r)]:
        if ind.unite not in COMPARED_UNITS or any(r[0] == ind.libelle for r in rows):
            continue
        points = ctx.published_first(ind.id, ctx.territory.qpv)
        last, _ = latest(points, ctx.annee)
        if last is None or last.valeur is None:
            continue
        cells: list[object] = [ind.libelle, last.annee,
                               fn.with_unit(last.valeur, ind.unite, last.statut)
                               + (" (chiffre du contrat)" if is_contract_figure(last) else "")]
        for level in levels:
            other = value_in(ctx.published_first(ind.id, level), last.annee)
            if other is None or other.valeur is None:
                cells.append("–")
                continue
            cells.append(fn.with_unit(other.valeur, ind.unite, other.statut)
                         + (" (chiffre du contrat)" if is_contract_figure(other) else ""))
        if any(c != "–" for c in cells[3:]):  # a rate nothing can be set beside is left out
            rows.append(cells)
    used = [i for i in range(len(levels)) if any(r[3 + i] != "–" for r in rows)]
    if not rows:
        return Html("<p>Aucun taux publié ne permet encore de comparer le quartier.</p>")
    # all QPV as one population (« ensemble »), not the median QPV of the next table
    headers = ["Indicateur", "Année", ctx.territory.libelle,
               *["Ensemble des QPV, tous habitants réunis" if levels[i].niveau == ENSEMBLE_QPV
                 else levels[i].libelle for i in used]]
    shown = [[*r[:3], *[r[3 + i] for i in used]] for r in rows]
    silent = [lv.libelle for i, lv in enumerate(levels) if i not in used]
    note = (f"<p>Aucun fichier livré ne donne ces taux pour : {esc(', '.join(silent))}.</p>"
            if silent else "")
    return Html(table(headers, shown, numeric=tuple(range(1, len(headers))),
                      css_class="territoires", name="quartier-et-territoires",
                      caption=f"{ctx.territory.libelle} et ses territoires de comparaison, "
                      "à la dernière année publiée pour le quartier") + note)


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

# What the committee judges a target by: those reached, on their way, late, and those
# whose deadline passed with no figure.
TARGET_STATUSES = (ATTEINT, EN_BONNE_VOIE, EN_RETARD, ECHU_SANS_DONNEE, NON_TRANSMIS,
                   A_VENIR)


MISSING_NAMED = 3  # partners named in a verdict; the completeness table lists them all


@dataclass(frozen=True)
class AxisSummary:
    """What an axis report holds for the evaluated year, counted once so that the
    verdict, the decision table and the report's own tables say the same numbers."""

    axe: str
    indicators: int
    with_target: int
    statuses: dict[str, int]  # statuses of the indicators with a target of the contract
    measured: int  # indicators with a figure received for the contract's years
    received: int  # indicators with a figure received for the evaluated year
    missing: dict[str, int]  # partner -> indicators still missing for the year
    before: tuple[str, ...]  # the starting situation: trends before the contract
    since: tuple[str, ...]  # changes measured over the contract's years


def axis_indicators(ctx: ReportContext, axe: str) -> list[Indicator]:
    """The indicators of an axis report: its own and those it shows from other themes."""
    return [i for i in ctx.indicators() if i.in_report(axe)]


def own_indicators(ctx: ReportContext, axe: str) -> list[Indicator]:
    """The theme's own indicators: those the synthesis counts for it (each indicator has
    one theme, so that its counts add up across themes)."""
    return [i for i in ctx.indicators() if i.axe == axe]


@dataclass(frozen=True)
class Missing:
    """The figures of the year an axis report still lacks, split as the other pages
    count them: the partners' for the axis's own indicators (the synthesis's count),
    the partners' for indicators of other themes the report shows, and the producers'
    releases not out yet (owed by no partner). Keys: partner or producer."""

    own: Counter[str]
    shown: Counter[str]
    releases: Counter[str]

    @property
    def partners(self) -> Counter[str]:
        return self.own + self.shown

    @property
    def total(self) -> int:
        return sum(self.partners.values()) + sum(self.releases.values())


def missing_figures(ctx: ReportContext, axe: str) -> Missing:
    partners = set(ctx.referentiel.partners())
    own: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    releases: Counter[str] = Counter()
    for ind in axis_indicators(ctx, axe):
        if not ctx.missing(ind):
            continue
        bucket = releases if ind.partenaire not in partners else own if ind.axe == axe \
            else shown
        bucket[ind.partenaire] += 1
    return Missing(own, shown, releases)


THEME_REPORTS = (CONTEXT, *AXES)  # the reports of one theme, whose own count the synthesis gives


def theme_words(report: str) -> str:
    """« de l'axe », or « du portrait » for the context report."""
    return "du portrait" if report == CONTEXT else "de l'axe"


def _scope(ctx: ReportContext) -> str:
    """Which indicators an axis report counts, beside the synthesis's own count."""
    if ctx.report not in THEME_REPORTS:
        return ""
    own = len(own_indicators(ctx, ctx.report))
    others = len(axis_indicators(ctx, ctx.report)) - own
    if not others:
        return ""
    to = "au portrait" if ctx.report == CONTEXT else "à l'axe"
    return (f" (les {fn.number(own)} propres {to}, que compte la synthèse, et "
            f"{fn.count(others, 'indicateur')} d'autres thèmes qu'il montre)")


def _lacking(ctx: ReportContext) -> str:
    """How many have no figure for the year, whatever their status: the statuses alone
    (« 2 à collecter ») read as all that was missing, beside a longer list."""
    if ctx.report not in THEME_REPORTS:
        return ""
    total = missing_figures(ctx, ctx.report).total
    if not total:
        return ""
    verb, listed = ("n'a", "il est listé") if total == 1 else ("n'ont", "ils sont listés")
    return (f" {fn.count(total, 'indicateur')} {verb} pas encore de chiffre de {ctx.annee} : "
            f"{listed} dans « Ce qui manque encore ».")


def axis_summary(ctx: ReportContext, axe: str, *, own: bool = False) -> AxisSummary:
    """`own`: count only the theme's own indicators (the committee's table, whose counts
    add up across themes to the partners' table), not those the axis report also shows."""
    inds = own_indicators(ctx, axe) if own else axis_indicators(ctx, axe)
    partners = set(ctx.referentiel.partners())
    debut = ctx.contract.debut
    statuses: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    measured = received = 0
    before: list[tuple[int, str]] = []
    since: list[str] = []
    for ind in inds:
        a = ctx.assess(ind)
        if ind.cible is not None and not ind.partner_objective and ctx.own_contract \
                and ind.axe == axe:  # the axis's own targets, as its table lists them
            statuses[a.status] += 1
        if ctx.missing(ind) and ind.partenaire in partners:  # not a producer's release
            missing[ind.partenaire] += 1
        years = [] if ind.calcul else ctx.observed_years(ind)  # computed, not received
        measured += any(y >= debut for y in years)
        received += ctx.annee in years
        if ind.type not in ("impact", "resultat", "contexte"):
            continue
        change = ctx.trend(ind, ctx.series(ind.id, ctx.territory.qpv))
        if change is None:
            continue
        # a change across a national reform is neither a move nor a standstill of the
        # quarter: said last, with the reform, never « favorable »
        good = None if change.reform else favourable(change.direction, ind.sens)
        phrase = (f"{lower_first(ind.libelle)} {trend_words(change, ind, ctx.breaks(ind.id))}"
                  + ("" if good is None else " (favorable)" if good else " (défavorable)"))
        rank = 2 if change.reform else int(change.direction == STABLE)
        if debut and change.end.annee >= debut and change.start.annee <= ctx.contract.baseline_year:
            since.append(phrase)
        else:
            before.append((rank, phrase))
    before.sort(key=lambda b: b[0])  # what moved, what did not, what a reform broke
    return AxisSummary(axe, len(inds), sum(i.cible is not None for i in inds), dict(statuses),
                       measured, received, dict(missing), tuple(p for _, p in before),
                       tuple(since))


def axis_verdicts(ctx: ReportContext) -> Html:
    """One verdict per axis, in words: what the contract's years show (targets, figures
    received), then the starting situation, then whose figures are missing."""
    items = []
    for axe in AXES:
        summary = axis_summary(ctx, axe)
        if not summary.indicators:
            continue
        items.append(f"<li><strong>{esc(REPORT_TITLES[axe])}.</strong> "
                     f"{esc(axis_verdict(ctx, summary))}</li>")
    return Html('<ul class="verdicts">' + "".join(items) + "</ul>")


def contract_period(ctx: ReportContext) -> str:
    c = ctx.contract
    return f"{c.debut}-{ctx.annee}" if ctx.annee > c.debut else str(c.debut)


def axis_verdict(ctx: ReportContext, summary: AxisSummary) -> str:
    """The verdict of one axis: the contract's period first, in one line when nothing
    was measured; the starting situation after, said to be before the contract."""
    c = ctx.contract
    parts = []
    if c.debut and ctx.annee >= c.debut:
        if not summary.measured:
            parts.append(f"Aucun chiffre de la période du contrat ({contract_period(ctx)}) "
                         f"n'a encore été reçu pour les {summary.indicators} indicateurs que "
                         "suit le rapport de l'axe (les siens et ceux d'autres thèmes qu'il "
                         "montre) : rien ne peut encore être jugé.")
        else:
            judged = [target_count(summary.statuses[s], s) for s in TARGET_STATUSES
                      if summary.statuses.get(s)]
            parts.append(f"Période du contrat ({contract_period(ctx)}) : "
                         f"{fn.count(summary.measured, 'indicateur mesuré')} sur les "
                         f"{fn.number(summary.indicators)} que suit le rapport de l'axe"
                         + (f" ; cibles du contrat : {' ; '.join(judged)}" if judged else "")
                         + ".")
            if summary.since:
                parts.append("Évolutions depuis " + str(c.baseline_year) + " : "
                             + " ; ".join(summary.since[:3]) + ".")
    if summary.before:
        when = f"avant {c.debut}" if c.debut else "séries publiées"
        parts.append(f"Situation de départ ({when}) : " + " ; ".join(summary.before[:3]) + ".")
    if summary.missing:
        total = sum(summary.missing.values())
        ranked = sorted(summary.missing.items(), key=lambda x: (-x[1], x[0]))
        who = ", ".join(f"{p} ({n})" for p, n in ranked[:MISSING_NAMED])
        more = f" et {fn.count(len(ranked) - MISSING_NAMED, 'autre')}" \
            if len(ranked) > MISSING_NAMED else ""
        own = sum(missing_figures(ctx, summary.axe).own.values())
        parts.append(f"Chiffres de {ctx.annee} attendus des partenaires et manquants, pour "
                     f"les indicateurs que suit le rapport de l'axe : {total}, dont "
                     f"{fn.number(own)} pour ses "
                     f"{fn.count(len(own_indicators(ctx, summary.axe)), 'indicateur propre')} "
                     f"(le compte de la synthèse) ; attendus surtout de {who}{more}.")
    return " ".join(parts)
