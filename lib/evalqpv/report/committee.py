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
from ..vocabulary import AXES, GOVERNANCE, THEME_TITLES, TRANSVERSAL
from .context import ReportContext
from .followup import status_cell
from .html import GroupRow, Html, esc, table
from .messages import AxisSummary, axis_summary, contract_period
from .wording import lower_first, target_text

THEMES_SHOWN = (*AXES, TRANSVERSAL, GOVERNANCE)


def contract_targets(ctx: ReportContext, theme: str) -> list[Indicator]:
    """The contract's own quantified targets of a theme, in the référentiel's order."""
    return [i for i in ctx.referentiel.indicators.values()
            if i.axe == theme and i.cible is not None and not i.partner_objective]


def verdict_line(ctx: ReportContext, summary: AxisSummary) -> str:
    """One line on the contract's years: what was measured, what is missing."""
    period = contract_period(ctx)
    missing = sum(summary.missing.values())
    if not summary.measured:
        said = (f"aucun des {summary.indicators} indicateurs n'a de chiffre reçu pour "
                f"{period}")
    else:
        said = (f"{summary.measured} indicateur(s) sur {summary.indicators} mesuré(s) pour "
                f"{period}")
    if missing:
        said += f" ; {missing} chiffre(s) de {ctx.annee} manquant(s)"
    return said + "."


def _figure(ctx: ReportContext, ind: Indicator) -> str:
    """The figure a target is read on: on its perimeter, or another level's, said so."""
    a = ctx.assess(ind)
    point, where = a.last, ""
    if point is None and a.elsewhere is not None:
        level, point = a.elsewhere
        where = f", {level.libelle}"
    if point is None:
        return "–"
    when = f"{point.annee}" + (f", {point.periode}" if point.periode else "") + where
    return f"{fn.with_unit(point.valeur, ind.unite, point.statut)} ({when})"


def decision_table(ctx: ReportContext) -> Html:
    """The contract's targets and rules with their status, under one verdict per axis."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : le contrat ne lui "
                    "fixe aucune cible.</p>")
    rows: list[list[object] | GroupRow] = []
    for theme in THEMES_SHOWN:
        summary = axis_summary(ctx, theme)
        if not summary.indicators:
            continue
        targets = contract_targets(ctx, theme)
        head = f"<strong>{esc(THEME_TITLES[theme])}</strong> — {esc(verdict_line(ctx, summary))}"
        if not targets:
            head += " " + esc("Le contrat ne fixe aucune cible chiffrée sur cet axe.")
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
