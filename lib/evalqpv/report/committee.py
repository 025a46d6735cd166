"""The first thing the committee reads: one table of the contract's own targets and rules,
axis by axis, each axis headed by one line of verdict on the contract's years.

The few targets the contract quantifies (not the partners' own objectives) are listed
with their status, the figure it rests on (its year, its part of the year) and its
source; an axis without any says so. Counts come from `messages.axis_summary`, so that
this table, the verdicts and the axis reports say the same numbers.
"""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import (
    AXES,
    CONTEXT,
    GOVERNANCE,
    THEME_TITLES,
    TRANSVERSAL,
)
from .context import ReportContext
from .followup import status_cell
from .html import GroupRow, Html, esc, table
from .impact_position import axis_position
from .indicators import is_contract_figure
from .messages import AxisSummary, axis_summary, contract_period
from .wording import TARGET_STATUS_WORDS, lower_first, target_count, target_text

# Every theme, the context last: the counts of the head rows then add up to the
# partners' table (each indicator belongs to one theme).
THEMES_SHOWN = (*AXES, TRANSVERSAL, GOVERNANCE, CONTEXT)


def contract_targets(ctx: ReportContext, theme: str) -> list[Indicator]:
    """The contract's own quantified targets of a theme, in the référentiel's order."""
    return [i for i in ctx.referentiel.indicators.values()
            if i.axe == theme and i.cible is not None and not i.partner_objective]


NAMED = 3  # partners named in a line; their pages and the completeness table list all


def verdict_line(ctx: ReportContext, summary: AxisSummary, before: str | None = None) -> str:
    """The verdict of an axis in one line: on the contract's years, what its targets
    show, what was measured and whose figures are missing; then, when given, where the
    quarter stood among QPV before the contract (`impact.axis_position`)."""
    period = contract_period(ctx)
    missing = sum(summary.missing.values())
    ranked = sorted(summary.missing.items(), key=lambda x: (-x[1], x[0]))
    who = ", ".join(f"{p} {n}" for p, n in ranked[:NAMED]) + (
        f", {fn.count(len(ranked) - NAMED, 'autre partenaire', 'autres partenaires')}"
        if len(ranked) > NAMED else "")
    if not summary.measured:
        said = (f"{period} : " + ("" if summary.axe == CONTEXT else
                                  "rien ne peut encore être jugé, ")
                + "aucun chiffre reçu pour ses "
                f"{fn.count(summary.indicators, 'indicateur propre')}")
        if missing:
            said += (f" ; {fn.count(missing, 'chiffre')} de {ctx.annee} "
                     f"{'attendu' if missing < 2 else 'attendus'} ({who})")
    else:
        targets = sum(summary.statuses.values())
        parts = [target_count(n, s) for s, n in sorted(summary.statuses.items(),
                                                         key=lambda x: _status_rank(x[0])) if n]
        said = f"{period} : " + (f"{fn.count(targets, 'cible')} du contrat, {', '.join(parts)} ; "
                                 if targets else "")
        said += (f"{fn.count(summary.measured, 'indicateur mesuré', 'indicateurs mesurés')} "
                 f"sur ses {fn.count(summary.indicators, 'indicateur propre')}")
        if missing:
            said += (f" ; {fn.count(missing, 'chiffre')} de {ctx.annee} "
                     f"{'manque' if missing < 2 else 'manquent'} ({who})")
        if summary.since:
            said += f" ; depuis {ctx.contract.baseline_year}, {summary.since[0]}"
    said += "."
    if before:
        said += f" Avant le contrat, {before}."
    elif summary.axe in AXES:
        said += (" Avant le contrat : aucun chiffre publié ne situe le quartier parmi les "
                 "QPV sur cet axe.")
    return said


def _status_rank(status: str) -> int:
    order = list(TARGET_STATUS_WORDS)
    return order.index(status) if status in order else len(order)


def _figure(ctx: ReportContext, ind: Indicator) -> str:
    """The figure a target is read on: on its perimeter, or another level's, said so."""
    a = ctx.assess(ind)
    point, where = a.last, ""
    if point is None and a.elsewhere is not None:
        level, point = a.elsewhere
        where = f", {level.libelle}"
    if point is None:
        return "–"
    value = fn.with_unit(point.valeur, ind.unite, point.statut)
    if is_contract_figure(point):  # the contract's own description, not a measurement:
        # « 4 (chiffre du contrat) » beside « à collecter » was read as a result
        return f"aucun chiffre mesuré (le contrat citait {value}{where})"
    when = f"{point.annee}" + (f", {point.periode}" if point.periode else "") + where
    return f"{value} ({when})"


def decision_table(ctx: ReportContext) -> Html:
    """The contract's targets and rules with their status, under one verdict per axis."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : le contrat ne lui "
                    "fixe aucune cible.</p>")
    rows: list[list[object] | GroupRow] = []
    for theme in THEMES_SHOWN:
        summary = axis_summary(ctx, theme, own=True)
        if not summary.indicators:
            continue
        targets = contract_targets(ctx, theme)
        before = axis_position(ctx, theme) if theme in AXES else None
        title = "Contexte du quartier (portrait)" if theme == CONTEXT else THEME_TITLES[theme]
        head = (f"<strong>{esc(title)}</strong> — "
                f"{esc(verdict_line(ctx, summary, before))}")
        if not targets:
            head += " " + esc("Le contrat ne fixe aucune cible chiffrée sur "
                              + ("cet axe." if theme in AXES else "ce thème."))
        rows.append(GroupRow(Html(head)))
        for ind in targets:
            a = ctx.assess(ind)
            shown = a.last or (a.elsewhere[1] if a.elsewhere else None)
            source = shown.source if shown else f"à fournir : {ind.partenaire}"
            rows.append([f"{ind.libelle} : {lower_first(target_text(ind))}", _figure(ctx, ind),
                         source, status_cell(ctx, ind)])
    caption = (f"Les cibles chiffrées du contrat et leur statut en {ctx.annee}, axe par axe "
               f"(période du contrat : {contract_period(ctx)})")
    return Html(table(["Cible ou règle du contrat", "Chiffre (année)", "Source", "Statut"],
                      rows, caption=caption, css_class="decision", name="cibles-du-contrat"))
