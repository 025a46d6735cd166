"""Follow-up of the contract: objectives, partners' commitments, statuses, milestones,
and what is still missing.

Targets, partners and milestones belong to the contract's own quarter; for any other
quarter these sections say so and show the public figures only.
"""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import (
    ANNEXES,
    AXES,
    CONTEXT,
    ETABLISSEMENT,
    GOVERNANCE,
    PARTNERS_DIR,
    QPV,
    STATUSES,
    SYNTHESIS,
    TARGET_YEARLY,
    THEME_TITLES,
    TRANSVERSAL,
    TYPE_LABELS,
    VALEUR,
    partner_stem,
)
from .comparisons import schools_text
from .context import ReportContext
from .html import Collapse, Html, badge, bullets, esc, table
from .indicators import difference
from .messages import THEME_REPORTS, missing_figures, own_indicators, theme_words
from .trends import family
from .wording import NO_TARGET, comment_words, level_name, status_count, target_text

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
                         rows, numeric=(3, 4, 5, 6), css_class="suivi", idem=(0,),
                         collapse=Collapse((3, 4, 5, 6, 7), "À collecter, sans référence ni "
                                           "cible", name=1, group=9)))
    inds = [i for section in by_section.values() for i in section]
    targets = sum(i.cible is not None for i in inds)
    dash = "la colonne « Cible » porte un tiret et le statut est « sans cible »"
    if len(inds) == 1:
        intro = ("<p>Le contrat fixe une cible chiffrée pour le seul indicateur de ce "
                 "rapport.</p>" if targets else "<p>Le contrat ne fixe pas de cible chiffrée "
                 f"pour le seul indicateur de ce rapport : {dash}.</p>")
    elif not targets:
        intro = (f"<p>Le contrat ne fixe de cible chiffrée pour aucun des {len(inds)} "
                 f"indicateurs qui suivent ses objectifs dans ce rapport : {dash}.</p>"
                 if inds else "")
    else:
        intro = (f"<p>Le contrat fixe une cible chiffrée pour {targets} des {len(inds)} "
                 f"indicateurs qui suivent ses objectifs dans ce rapport ; pour les autres, "
                 f"{dash}.</p>")
    return Html(intro + _commitment_targets(ctx) + "".join(out)
                or "<p>Aucun objectif pour ce rapport.</p>")


def _commitment_targets(ctx: ReportContext) -> str:
    """Where the partners' targets are: the count above covers the objectives' indicators
    only, and a reader who then met « 3 atteints » further down took the page to
    contradict itself (reading test)."""
    n = sum(i.cible is not None for i in ctx.indicators()
            if ctx.contract.is_commitment(i.section))
    if not n:
        return ""
    what = "La cible fixée" if n == 1 else f"Les {fn.number(n)} cibles fixées"
    verb = "est suivie" if n == 1 else "sont suivies"
    return (f"<p>{what} par les engagements des partenaires "
            f"({esc(ctx.contract.annexe_engagements.lower())}) {verb} plus bas, dans la section "
            "qui leur est consacrée.</p>")


def status_cell(ctx: ReportContext, ind: Indicator) -> Html:
    """The status badge, and why when it is not a plain reading of the figure."""
    a = ctx.assess(ind)
    reason = f'<span class="raison">{esc(a.reason)}</span>' if a.reason else ""
    return Html(badge(a.status).text + reason)


def target_cell(ind: Indicator) -> str:
    """The contract's target, or a dash when it sets none (said once above the table)."""
    text = target_text(ind)
    if ind.partner_objective and ind.cible is not None:
        return f"objectif propre du partenaire : {text}"
    return "–" if text == NO_TARGET else text


def _values(ctx: ReportContext, ind: Indicator) -> tuple[str, str, str, str]:
    """Latest value on the indicator's own perimeter (with its year), previous value,
    change, source. A figure of another level is said as such, never as the latest."""
    a = ctx.assess(ind)
    last, previous, level = a.last, a.previous, a.level
    where = "" if level.niveau == QPV else f" ({level.libelle})"
    last_text = (fn.with_unit(last.valeur, ind.unite, last.statut) + f" ({last.annee}){where}"
                 if last else "–")
    if level.niveau == ETABLISSEMENT:
        last_text = schools_text(ctx, ind)
    if last is not None and last.conflit:
        last_text += " ⚠ sources divergentes"
    if last is not None and last.comment:
        last_text += comment_words(last.comment)
    if a.elsewhere is not None:
        other, point = a.elsewhere
        last_text += (f" (ailleurs : {other.libelle}, {level_name(other.niveau)} : "
                      f"{fn.with_unit(point.valeur, ind.unite, point.statut)} en {point.annee})")
    if previous is not None and last is not None and family(previous) != family(last):
        previous = None  # another source (the contract's, a partner's): never chained
    prev_text = (fn.with_unit(previous.valeur, ind.unite, previous.statut)
                 + f" ({previous.annee})" if previous else "–")
    # a change only within one series: never from the contract's figure, or another
    # source's, to the latest (they are not chained)
    evolution = (fn.change(difference(last.valeur, previous.valeur), ind.unite)
                 if last and previous and last.statut == previous.statut == VALEUR
                 and family(last) == family(previous) and last.periode == previous.periode
                 else "–")
    source = last.source if last else (a.elsewhere[1].source if a.elsewhere else
                                       f"{ind.producteur} (à fournir : {ind.partenaire})")
    return last_text, prev_text, evolution, source


def _follow_up_row(ctx: ReportContext, ind: Indicator) -> list[object]:
    last_text, prev_text, evolution, source = _values(ctx, ind)
    shown, statut = ctx.reference(ind)  # under the secrecy rule, like every column
    reference = (fn.with_unit(shown, ind.unite, statut) + f" ({ind.annee_reference})"
                 if ind.valeur_reference is not None else "–")
    return [ind.objectif, ind.libelle, TYPE_LABELS[ind.type], reference, last_text, prev_text,
            evolution, target_cell(ind), status_cell(ctx, ind), source]


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
                          "Source"], rows, numeric=(2, 3, 4), css_class="suivi",
                         collapse=Collapse((2, 3, 4), "Sans valeur publiée")))
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
    rows = [_commitment_row(ctx, ind, with_partner=True) for ind in inds]
    return Html(table(["Partenaire", "Engagement", "Indicateur", "Périmètre du chiffre",
                       "Dernière valeur", "Échéance", "Cible", "Statut"],
                      rows, numeric=(4,), css_class="engagements", idem=(0, 1)))


def deadline_text(ind: Indicator) -> str:
    """The deadline as the contract prints it (« mai de chaque année », « 2027 »), a
    yearly flow's « chaque année », or « non précisée » for a target without one (a dash
    without a target): never an inferred date."""
    if ind.echeance:
        return ind.echeance
    if ind.annee_cible:
        return str(ind.annee_cible)
    if ind.cible is None:
        return "–"
    if ind.cible_nature == TARGET_YEARLY:
        return "chaque année"
    return "non précisée"


def _commitment_row(ctx: ReportContext, ind: Indicator, with_partner: bool) -> list[object]:
    a = ctx.assess(ind)
    value = (fn.with_unit(a.last.valeur, ind.unite, a.last.statut)
             + f" ({a.last.annee}{', ' + a.last.periode if a.last.periode else ''})"
             if a.last else "–")
    if a.last is not None and a.last.comment:
        value += comment_words(a.last.comment)
    where = f"{level_name(a.level.niveau)} : {a.level.libelle}" if a.last else "–"
    if a.last is None and a.elsewhere is not None:
        other, point = a.elsewhere
        where = f"{level_name(other.niveau)} : {other.libelle}"
        value = (f"{fn.with_unit(point.valeur, ind.unite, point.statut)} ({point.annee}), "
                 f"chiffre {LEVEL_OF.get(other.niveau, 'd’un autre périmètre')}")
    row: list[object] = [ctx.contract.signatory(ind.section)] if with_partner else []
    return row + [ind.objectif, ind.libelle, where, value, deadline_text(ind),
                  target_cell(ind), status_cell(ctx, ind)]


# « chiffre départemental »: a figure of another level than the indicator's own.
LEVEL_OF = {"departement": "départemental", "commune": "communal", "qpv": "du quartier",
            "region": "régional", "france": "national", "epci": "intercommunal",
            "ensemble_qpv": "de l'ensemble des quartiers",
            "perimetre_partenaire": "du périmètre du partenaire"}


def partners(ctx: ReportContext) -> Html:
    """Signatory by signatory: each commitment of the contract, the indicator that follows
    it, the perimeter and value of its figure, its deadline and its status; and the
    commitments no indicator follows, with the reason."""
    if not ctx.own_contract:
        return Html(OTHER_QUARTER.format(what="les engagements des partenaires"))
    by_partner: dict[str, list[Indicator]] = {}
    for ind in ctx.referentiel.indicators.values():
        if ctx.contract.is_commitment(ind.section):
            by_partner.setdefault(ctx.contract.signatory(ind.section), []).append(ind)
    unfollowed: dict[str, list[str]] = {}
    for line in ctx.objectives.lines:
        if ctx.contract.is_commitment(line.section) and not line.followed:
            unfollowed.setdefault(ctx.contract.signatory(line.section), []).append(
                f"{line.texte} — {line.raison_non_suivi}")
    if ctx.report == ANNEXES:  # each partner's own page holds the detail
        return partners_overview(ctx, by_partner, unfollowed)
    out = []
    for partner in sorted(set(by_partner) | set(unfollowed)):
        inds = by_partner.get(partner, [])
        counts = ctx.status_counts(inds)
        summary = ", ".join(status_count(n, s) for s, n in counts.items() if n)
        out.append(f"<h3>{esc(partner)}</h3>")
        if inds:
            out.append(f"<p>{fn.count(len(inds), 'engagement suivi')} : {esc(summary)}.</p>")
            out.append(table(["Engagement", "Indicateur", "Périmètre du chiffre",
                              "Dernière valeur", "Échéance", "Cible", "Statut"],
                             [_commitment_row(ctx, i, False) for i in inds],
                             numeric=(3,), css_class="engagements", idem=(0,)))
        if partner in unfollowed:
            out.append(f"<p>Engagements sans indicateur ({len(unfollowed[partner])}) :</p>"
                       + bullets(unfollowed[partner]))
    return Html("".join(out) or "<p>Le contrat ne comporte pas d'engagement de "
                                "partenaire.</p>")


def partners_overview(ctx: ReportContext, by_partner: dict[str, list[Indicator]],
                      unfollowed: dict[str, list[str]]) -> Html:
    """One row per signatory: its commitments followed and not, their statuses, and the
    link to its own page (where each commitment is given in the contract's words)."""
    rows: list[list[object]] = []
    for signatory in sorted(set(by_partner) | set(unfollowed)):
        inds = by_partner.get(signatory, [])
        counts = ctx.status_counts(inds)
        summary = ", ".join(status_count(n, s) for s, n in counts.items() if n) or "–"
        partner = ctx.contract.signataires.get(signatory, "")
        link = (Html(f'<a href="{PARTNERS_DIR}/{partner_stem(partner)}.html">'
                     f"{esc(partner)}</a>") if partner else "–")
        # what its page counts: every figure it owes the contract for the year, its
        # commitments' and the others' (reading test: CAF 17 here, 22 on its page)
        owed = sum(i.partenaire == partner and ctx.expected(i) for i in ctx.indicators()) \
            if partner else 0
        rows.append([signatory, len(inds), len(unfollowed.get(signatory, [])), summary,
                     owed if partner else "–", link])
    return Html("<p>Chaque signataire de l'annexe du contrat : les indicateurs qui suivent "
                "ses engagements, quel que soit le partenaire qui en fournit le chiffre, et "
                "leurs statuts, les engagements qu'aucun chiffre ne suit ; puis tous les "
                f"chiffres qu'il doit lui-même au contrat pour {ctx.annee}, pour ses "
                "engagements et pour d'autres indicateurs (c'est le compte de sa page, qui "
                "donne chaque engagement dans les mots du contrat, ce qu'il a transmis et ce "
                "qui manque).</p>"
                + table(["Signataire", "Indicateurs de ses engagements",
                         "Engagements sans indicateur", "Statuts",
                         f"Chiffres qu'il doit pour {ctx.annee} (tout le contrat)", "Sa page"],
                        rows, numeric=(1, 2, 4), css_class="engagements", name="signataires"))


def coverage(ctx: ReportContext) -> Html:
    """How much of the contract is followed: its lines, section by section, those an
    indicator follows, and why the others are not."""
    if not ctx.own_contract:
        return Html(OTHER_QUARTER.format(what="les lignes"))
    rows: list[list[object]] = []
    reasons: list[str] = []
    sections = list(dict.fromkeys(line.section for line in ctx.objectives.lines))
    sections.sort(key=lambda s: (ctx.contract.is_commitment(s), ctx.contract.section_rank(s), s))
    for section in sections:
        lines = ctx.objectives.in_section(section)
        followed = [line for line in lines if line.followed]
        priority = sum(bool(line.priorite) for line in lines)
        title = ctx.contract.sections.get(section, "")
        rows.append([f"{section} {title}".strip(), len(lines), len(followed),
                     len(lines) - len(followed), priority])
        if not ctx.contract.is_commitment(section):  # listed with their signatory above
            reasons += [f"{section}, ligne {line.ligne} — {line.texte} : "
                        f"{line.raison_non_suivi}" for line in lines if not line.followed]
    total = len(ctx.objectives.lines)
    followed_total = sum(line.followed for line in ctx.objectives.lines)
    intro = (f"<p>{followed_total} des {total} lignes du contrat (objectifs de la section IV, "
             "engagements des signataires, règles de gouvernance) sont suivies par au moins un "
             f"indicateur ; {total - followed_total} ne le sont pas, pour la raison dite "
             "ci-dessous.</p>")
    details = ("<details><summary>Les objectifs et règles non suivis et pourquoi (les "
               "engagements sans indicateur sont listés avec leur signataire)</summary>"
               + bullets(reasons) + "</details>") if reasons else ""
    return Html(intro + table(["Section", "Lignes", "Suivies", "Non suivies",
                               "Priorités stratégiques"], rows, numeric=(1, 2, 3, 4),
                              css_class="couverture") + details)


def since_when(ctx: ReportContext, ind: Indicator) -> str:
    """How long a figure has been missing: the last year received, or never."""
    years = ctx.observed_years(ind)
    if years:
        return f"dernier chiffre reçu : {years[-1]}"
    return "jamais reçu"


def missing(ctx: ReportContext) -> Html:
    """What is still missing for the evaluation year, from which partner, and since when:
    a missing figure is a finding."""
    by_partner: dict[str, list[str]] = {}
    for ind in ctx.indicators():
        if ctx.missing(ind):
            by_partner.setdefault(ind.partenaire, []).append(
                f"{ind.libelle} ({since_when(ctx, ind)})")
    if not by_partner:
        return Html(f"<p>Tous les indicateurs de ce rapport ont un chiffre pour {ctx.annee}."
                    "</p>")
    ordered = sorted(by_partner.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if ctx.report == SYNTHESIS:  # the partners' section and the axis reports list them
        never = {p: sum(i.endswith("(jamais reçu)") for i in items) for p, items in ordered}
        return Html(f"<p>Indicateurs sans chiffre de {ctx.annee}, par partenaire qui doit le "
                    "fournir (le détail est dans la partie sur les engagements et dans chaque "
                    "rapport d'axe) :</p>"
                    + table(["Partenaire", "Indicateurs à fournir", "Dont jamais reçus"],
                            [[p, len(items), never[p]] for p, items in ordered],
                            numeric=(1, 2), css_class="manquants"))
    rows = [[partner, len(items), Html(bullets(items))] for partner, items in ordered]
    return Html(_missing_split(ctx)
                + f"<p>Indicateurs sans chiffre de {ctx.annee}, par partenaire qui doit le "
                "fournir (le plus en retard d'abord), avec l'année du dernier chiffre reçu "
                "(les chiffres imprimés dans le contrat décrivent la situation de départ et ne "
                "comptent pas) :</p>"
                + table(["Partenaire", "Nombre", "Indicateurs"], rows, numeric=(1,),
                        css_class="manquants"))


def _missing_split(ctx: ReportContext) -> str:
    """On an axis report, the missing figures split as the synthesis and the annexes
    count them (reading test: 1, 8 and 10 for one axis, unexplained)."""
    if ctx.report not in THEME_REPORTS:
        return ""
    split = missing_figures(ctx, ctx.report)
    own, shown = sum(split.own.values()), sum(split.shown.values())
    # « des partenaires »: a release not out yet may be one of the theme's own too
    parts = [f"{fn.number(own) if own else 'aucun'} {'attendu' if own < 2 else 'attendus'} "
             "des partenaires pour les "
             f"{fn.count(len(own_indicators(ctx, ctx.report)), 'indicateur propre')} "
             f"{theme_words(ctx.report)} (le compte de la synthèse)"]
    if shown:
        parts.append(f"{fn.number(shown)} des partenaires pour des indicateurs d'autres "
                     "thèmes que ce rapport montre")
    if split.releases:
        producers = ", ".join(sorted(split.releases))
        n = sum(split.releases.values())
        parts.append(f"{fn.number(n)} {'attendu' if n == 1 else 'attendus'} d'une "
                     f"publication statistique pas encore parue ({producers})")
    total = split.total
    return (f"<p>{fn.count(total, 'chiffre')} de {ctx.annee} "
            f"{'manque' if total == 1 else 'manquent'} : " + " ; ".join(parts) + ".</p>")


def axes_overview(ctx: ReportContext) -> Html:
    """Every axis at a glance: the statuses of the indicators its report shows, and the
    share of the figures owed for the year that were received (an indicator may belong
    to several axes: the counts are those of each axis report)."""
    rows = []
    for theme in (*AXES, TRANSVERSAL, GOVERNANCE, CONTEXT):
        inds = [i for i in ctx.indicators() if i.in_report(theme)]
        counts = ctx.status_counts(inds)
        owed = [i for i in inds if ctx.expected(i)]
        got = sum(ctx.received(i) for i in owed)
        rows.append([THEME_TITLES[theme], len(inds)] + [counts[s] for s in STATUSES]
                    + [f"{fn.number(100 * got / len(owed), 0)}{fn.NBSP}%" if owed else "–"])
    return Html(table(["Axe", "Indicateurs", *STATUSES, f"Reçus pour {ctx.annee}"], rows,
                      numeric=tuple(range(1, len(STATUSES) + 3)), css_class="synthese",
                      caption=f"Statut des indicateurs en {ctx.annee}, rapport par rapport "
                              "(les indicateurs propres de l'axe et ceux d'autres thèmes "
                              "qu'il montre : la synthèse, elle, compte chaque indicateur "
                              "dans son seul thème)"))


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
                             target_cell(ind), status_cell(ctx, ind), ind.partenaire])
            else:
                rows.append([ind.libelle, TYPE_LABELS[ind.type], value, badge(state),
                             ind.partenaire])
        headers = (["Section", "Indicateur", "Type", "Dernière valeur", "Cible", "Statut",
                    "Partenaire"] if own else
                   ["Indicateur", "Type", "Dernière valeur", "Statut", "Producteur"])
        quiet = (Collapse((3, 4), f"Sans valeur pour {ctx.annee} ni cible du contrat", name=1,
                          group=6) if own else Collapse((2,), "Sans valeur publiée", group=4))
        out.append(f"<h3>{esc(THEME_TITLES[theme])}</h3>"
                   + table(headers, rows, numeric=(3,) if own else (2,), css_class="statuts",
                           collapse=quiet))
    return Html("".join(out))


def milestones(ctx: ReportContext) -> Html:
    """The contract's rules of governance and evaluation (its lines followed by an
    indicator of the « gouvernance » theme), each with its indicators, deadline, latest
    figure and status: the dated milestones (mid-term and final evaluations) first."""
    if not ctx.own_contract:
        return Html(OTHER_QUARTER.format(what="les règles de gouvernance"))
    rows: list[list[object]] = []
    for line in ctx.objectives.lines:
        if ctx.contract.is_commitment(line.section):
            continue
        for ident in line.indicateurs:
            ind = ctx.referentiel.indicators.get(ident)
            if ind is None or ind.axe != GOVERNANCE:
                continue
            last_text = _values(ctx, ind)[0]
            rows.append([line.texte, ind.libelle, deadline_text(ind), target_cell(ind),
                         last_text, status_cell(ctx, ind)])
    if not rows:
        return Html("<p>Aucune règle de gouvernance n'est suivie par un indicateur.</p>")
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:  # a rule's indicator once, under the first rule citing it
        key = (str(row[1]), str(row[2]))
        if key not in seen:
            seen.add(key)
            unique.append(row)
    unique.sort(key=lambda r: (not str(r[2]).isdigit(), str(r[2]) if str(r[2]).isdigit()
                               else ""))
    return Html(table(["Règle du contrat", "Indicateur", "Échéance", "Cible",
                       "Dernière valeur", "Statut"], unique, css_class="jalons", idem=(0,),
                      collapse=Collapse((3, 4), "Règles sans cible chiffrée ni chiffre "
                                        "reçu", name=1)))
