"""Follow-up of the contract: objectives, partners' commitments, statuses, milestones,
and what is still missing.

Targets, partners and milestones belong to the contract's own quarter; for any other
quarter these sections say so and show the public figures only.
"""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import (
    A_COLLECTER,
    AXES,
    CONTEXT,
    ETABLISSEMENT,
    GOVERNANCE,
    QPV,
    STATUSES,
    THEME_TITLES,
    TRANSVERSAL,
    TYPE_LABELS,
    VALEUR,
)
from .comparisons import schools_text
from .context import ReportContext
from .html import Html, badge, bullets, esc, table
from .indicators import difference
from .wording import target_text

OTHER_QUARTER = ("<p>Ce quartier n'est pas celui du contrat évalué : {what} du contrat ne "
                 "s'appliquent pas ici.</p>")


def objectives(ctx: ReportContext) -> Html:
    """One table per contract section: each objective's indicators and their follow-up."""
    if not ctx.own_contract:
        return _public_follow_up(ctx)
    out: list[str] = []
    by_section: dict[str, list[Indicator]] = {}
    for ind in ctx.indicators():
        if ctx.contract.is_commitment(ind.section):
            continue
        by_section.setdefault(ind.section, []).append(ind)

    def order(section: str) -> tuple[bool, int]:
        own = any(i.axe == ctx.report for i in by_section[section])
        return (not own, ctx.contract.section_rank(section))  # the axis's own first

    for section in sorted(by_section, key=order):
        title = ctx.contract.sections.get(section, "")
        out.append(f"<h3>{esc(section)} {esc(title)}</h3>")
        rows = [_follow_up_row(ctx, ind) for ind in by_section[section]]
        out.append(table(["Objectif du contrat", "Indicateur", "Type", "Référence", "Dernière "
                          "valeur", "Précédente", "Évolution", "Cible", "Statut", "Source"],
                         rows, numeric=(3, 4, 5, 6), css_class="suivi"))
    return Html("".join(out) or "<p>Aucun objectif pour ce rapport.</p>")


def _values(ctx: ReportContext, ind: Indicator) -> tuple[str, str, str, str]:
    """Latest value (with its year and place), previous value, change, source."""
    _, last, previous, level = ctx.qpv_status(ind)
    where = "" if level.niveau == QPV else f" ({level.libelle})"
    last_text = (fn.with_unit(last.valeur, ind.unite, last.statut) + f" ({last.annee}){where}"
                 if last else "à collecter")
    if level.niveau == ETABLISSEMENT:
        last_text = schools_text(ctx, ind)
    if last is not None and last.conflit:
        last_text += " ⚠ sources divergentes"
    prev_text = (fn.with_unit(previous.valeur, ind.unite, previous.statut)
                 + f" ({previous.annee})" if previous else "–")
    evolution = (fn.change(difference(last.valeur, previous.valeur), ind.unite)
                 if last and previous and last.statut == previous.statut == VALEUR else "–")
    source = last.source if last else f"{ind.producteur} (à fournir : {ind.partenaire})"
    return last_text, prev_text, evolution, source


def _follow_up_row(ctx: ReportContext, ind: Indicator) -> list[object]:
    state = ctx.qpv_status(ind)[0]
    last_text, prev_text, evolution, source = _values(ctx, ind)
    reference = (fn.with_unit(ind.valeur_reference, ind.unite, ind.statut_reference)
                 + f" ({ind.annee_reference})" if ind.valeur_reference is not None else "–")
    return [ind.objectif, ind.libelle, TYPE_LABELS[ind.type], reference, last_text, prev_text,
            evolution, target_text(ind), badge(state), source]


def _public_follow_up(ctx: ReportContext) -> Html:
    """Another quarter than the contract's: its public figures, by theme, no targets."""
    out = []
    for theme in (CONTEXT, *AXES, TRANSVERSAL, GOVERNANCE):
        inds = [i for i in ctx.indicators() if i.axe == theme]
        if not inds:
            continue
        out.append(f"<h3>{esc(THEME_TITLES[theme])}</h3>")
        rows = [[ind.libelle, TYPE_LABELS[ind.type], *_values(ctx, ind)] for ind in inds]
        out.append(table(["Indicateur", "Type", "Dernière valeur", "Précédente", "Évolution",
                          "Source"], rows, numeric=(2, 3, 4), css_class="suivi"))
    return Html(OTHER_QUARTER.format(what="les objectifs et les cibles")
                + ("".join(out) or "<p>Aucune donnée publique pour ce rapport.</p>"))


def commitments(ctx: ReportContext) -> Html:
    """The partners' commitments of Annexe 1 for this report, and their follow-up."""
    if not ctx.own_contract:
        return Html(OTHER_QUARTER.format(what="les engagements des partenaires"))
    inds = [i for i in ctx.indicators() if ctx.contract.is_commitment(i.section)]
    if not inds:
        return Html(f"<p>L'{ctx.contract.annexe_engagements.lower()} du contrat ne comporte pas "
                    "d'engagement chiffré ou daté pour cet axe.</p>")
    rows = []
    for ind in inds:
        state, last, _, level = ctx.qpv_status(ind)
        rows.append([ctx.contract.signatory(ind.section), ind.objectif,
                     ind.echeance or ind.cible_texte or "non précisée", target_text(ind),
                     (fn.with_unit(last.valeur, ind.unite, last.statut)
                      + f" ({last.annee}, {level.libelle})") if last else "à collecter",
                     badge(state)])
    return Html(table(["Partenaire", "Engagement", "Échéance ou mention du contrat", "Cible",
                       "Dernière valeur", "Statut"], rows, numeric=(4,),
                      css_class="engagements"))


def missing(ctx: ReportContext) -> Html:
    """What is still missing for the evaluation year, and from which partner."""
    by_partner: dict[str, list[str]] = {}
    for ind in ctx.indicators():
        state, *_ = ctx.qpv_status(ind)
        if state == A_COLLECTER:
            by_partner.setdefault(ind.partenaire, []).append(ind.libelle)
    if not by_partner:
        return Html(f"<p>Tous les indicateurs de ce rapport ont une valeur pour {ctx.annee}."
                    "</p>")
    rows = [[partner, len(items), Html(bullets(items))]
            for partner, items in sorted(by_partner.items())]
    return Html(f"<p>Indicateurs sans valeur utilisable pour {ctx.annee} (à demander aux "
                "partenaires au moyen des classeurs de collecte) :</p>"
                + table(["Partenaire", "Nombre", "Indicateurs"], rows, numeric=(1,),
                        css_class="manquants"))


def axes_overview(ctx: ReportContext) -> Html:
    """Every axis at a glance: statuses and completeness for the evaluation year."""
    rows = []
    for theme in (*AXES, TRANSVERSAL, GOVERNANCE, CONTEXT):
        inds = [i for i in ctx.indicators() if i.axe == theme]
        counts = ctx.status_counts(inds)
        filled = len(inds) - counts[A_COLLECTER]
        rows.append([THEME_TITLES[theme], len(inds)] + [counts[s] for s in STATUSES]
                    + [f"{fn.number(100 * filled / len(inds), 0)}{fn.NBSP}%" if inds else "–"])
    return Html(table(["Axe", "Indicateurs", *STATUSES, "Complétude"], rows,
                      numeric=tuple(range(1, 8)), css_class="synthese",
                      caption=f"Statut des indicateurs en {ctx.annee}"))


def all_statuses(ctx: ReportContext) -> Html:
    """Every indicator of the référentiel with its status, grouped by axis."""
    out = []
    own = ctx.own_contract
    for theme in (*AXES, TRANSVERSAL, GOVERNANCE):
        rows = []
        for ind in [i for i in ctx.indicators() if i.axe == theme]:
            state, last, _, _ = ctx.qpv_status(ind)
            value = (fn.with_unit(last.valeur, ind.unite, last.statut) + f" ({last.annee})"
                     if last else "–")
            if own:
                rows.append([ind.section, ind.libelle, TYPE_LABELS[ind.type], value,
                             target_text(ind), badge(state), ind.partenaire])
            else:
                rows.append([ind.libelle, TYPE_LABELS[ind.type], value, badge(state),
                             ind.partenaire])
        headers = (["Section", "Indicateur", "Type", "Dernière valeur", "Cible", "Statut",
                    "Partenaire"] if own else
                   ["Indicateur", "Type", "Dernière valeur", "Statut", "Producteur"])
        out.append(f"<h3>{esc(THEME_TITLES[theme])}</h3>"
                   + table(headers, rows, numeric=(3,) if own else (2,), css_class="statuts"))
    return Html("".join(out))


def milestones(ctx: ReportContext) -> Html:
    """The contract's milestones: mid-term evaluation 2027, final evaluation 2030."""
    if not ctx.own_contract:
        return Html(OTHER_QUARTER.format(what="les jalons"))
    rows: list[list[object]] = []
    governance = [i for i in ctx.referentiel.indicators.values() if i.axe == GOVERNANCE]
    for ind in governance:
        if ind.annee_cible is None:
            continue
        state = ctx.qpv_status(ind)[0]
        remaining = ind.annee_cible - ctx.annee
        when = (f"dans {remaining} an{'s' if remaining > 1 else ''}" if remaining > 0 else
                "cette année" if remaining == 0 else f"échue depuis {-remaining} an(s)")
        rows.append([ind.annee_cible, ind.libelle, ind.cible_texte, when, badge(state)])
    rows += [["chaque année", i.libelle, i.echeance, "", badge(ctx.qpv_status(i)[0])]
             for i in governance if i.annee_cible is None and i.echeance]
    return Html(table(["Échéance", "Jalon", "Ce que dit le contrat", "Délai", "Statut"],
                      sorted(rows, key=lambda r: str(r[0])), css_class="jalons"))
