"""The page of one partner: what the contract says it committed to (its words, its
deadlines), what it sent for the year and before, what is missing and since when, its
comments, and its workbook. The city sends it to the partner before the committee.
"""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..store.requests import years_missing
from ..territory import ParameterError
from ..vocabulary import partner_stem
from .context import ReportContext, request_words
from .followup import deadline_text, status_cell, target_cell
from .html import Collapse, Html, esc, table
from .indicators import not_yet_due, observations

PREVIOUS_YEARS = 3  # years before the evaluated one shown on the page


def check_partner(ctx: ReportContext, partner: object) -> str:
    """The partner named, or a French message listing those who owe figures."""
    known = ctx.referentiel.partners()
    name = str(partner or "").strip()
    if name not in known:
        raise ParameterError(f"Partenaire inconnu : « {name} ». Attendu : l'un des partenaires "
                             "du référentiel : " + ", ".join(known) + ".")
    return name


def _indicators(ctx: ReportContext, partner: str) -> list[Indicator]:
    """What the evaluation asks of the partner for the year (not what it computes)."""
    return [i for i in ctx.indicators() if i.partenaire == partner and ctx.expected(i)]


def _all(ctx: ReportContext, partner: str) -> list[Indicator]:
    """Every figure of the partner's workbook, even one not owed this year."""
    return [i for i in ctx.indicators() if i.partenaire == partner and not i.calcul]


def partner_summary(ctx: ReportContext, partner: str) -> Html:
    """One paragraph: how many figures were expected for the year, received, missing."""
    inds = _indicators(ctx, partner)
    received = sum(ctx.received(i) for i in inds)
    missing = sum(ctx.missing(i) for i in inds)
    never = sum(not ctx.observed_years(i) for i in inds)
    sig = ctx.contract.signatory_of(partner)
    who = (f"{partner}, signataire de l'{ctx.contract.annexe_engagements.lower()} du contrat "
           f"(« {sig} »)" if sig else partner)
    asked = request_words(ctx.request(partner))
    returns = [r for r in ctx.returns() if r["partenaire"] == partner]
    files = "".join(
        f"<li>{esc(r['fichier'].rsplit('/', 1)[-1])} : "
        f"{esc(RETURN_WORDS.get(r['statut'], r['statut']))}"
        + (f" — {esc(r['message'])}" if r["message"] else "") + "</li>" for r in returns)
    never_words = (f"{fn.number(never)} n'a jamais été reçu" if never < 2 else
                   f"{fn.number(never)} n'ont jamais été reçus")
    return Html(f"<p class=\"lead\">L'évaluation demande à {esc(who)} "
                f"{fn.count(len(inds), 'chiffre')} pour {ctx.annee} : "
                f"{fn.count(received, 'reçu')}, {fn.count(missing, 'manquant')} ; "
                f"{never_words}.</p>" + not_counted(ctx, partner)
                + (f"<p>Demande de {ctx.annee} : {esc(asked)}.</p>" if asked else "")
                + (f"<p>Fichiers reçus pour {ctx.annee} :</p><ul>{files}</ul>" if files else ""))


def not_counted(ctx: ReportContext, partner: str) -> str:
    """Why the count owed is smaller than the workbook: its milestones not yet due and
    its commitments about another commune (said with how many the partner filled in all
    the same, which « Ce qui a été transmis » lists); empty when there are none."""
    left = [i for i in _all(ctx, partner) if not ctx.expected(i)]
    if not left:
        return ""
    later = sum(not_yet_due(i, ctx.annee) for i in left)
    kinds = [f"{fn.count(later, 'jalon')} dont l'échéance fixée par le contrat tombe "
             f"après {ctx.annee}" if later else "",
             f"{fn.count(len(left) - later, 'engagement')} qui "
             f"{'porte' if len(left) - later < 2 else 'portent'} sur une autre commune"
             if len(left) > later else ""]
    sent = sum(ctx.received(i) for i in left)
    if not sent:
        filled = ""
    elif len(left) == 1:
        filled = " ; il a tout de même été renseigné"
    elif sent == 1:
        filled = " ; 1 d'entre eux a tout de même été renseigné"
    else:
        filled = f" ; {fn.number(sent)} d'entre eux ont tout de même été renseignés"
    verb = "N'est pas compté" if len(left) < 2 else "Ne sont pas comptés"
    return (f"<p>{verb} : "
            + " et ".join(k for k in kinds if k) + filled
            + (" (voir « Ce qui a été transmis »)" if sent else "") + ".</p>")


RETURN_WORDS = {"lu": "lu", "partiel": "lu en partie", "illisible": "illisible",
                "refusé": "refusé"}


def partner_commitments(ctx: ReportContext, partner: str) -> Html:
    """The partner's commitments in the contract's words, each with the indicators that
    follow it, their target and deadline as printed, and their status."""
    sig = ctx.contract.signatory_of(partner)
    mine = {i.id for i in _indicators(ctx, partner)}
    if sig:
        section = f"{ctx.contract.annexe_engagements} – {sig}"
        lines = ctx.objectives.in_section(section)
        intro = (f"<p>Les engagements de l'{esc(section)}, mot pour mot, et ce qui les "
                 "suit.</p>")
    else:
        lines = [line for line in ctx.objectives.lines
                 if any(i in mine for i in line.indicateurs)]
        intro = ("<p>Ce partenaire n'a pas d'engagement propre dans l'annexe du contrat ; il "
                 "fournit les chiffres des objectifs suivants.</p>")
    rows: list[list[object]] = []
    for line in lines:
        inds = [ctx.referentiel[i] for i in line.indicateurs if i in ctx.referentiel]
        if not inds:
            rows.append([line.texte, f"non suivi : {line.raison_non_suivi}", "–", "–", "–"])
        for ind in inds:
            rows.append([line.texte, ind.libelle, deadline_text(ind), target_cell(ind),
                         status_cell(ctx, ind)])
    if not rows:
        return Html("<p>Aucune ligne du contrat ne cite ce partenaire.</p>")
    return Html(intro + table(["Ce que dit le contrat", "Indicateur", "Échéance", "Cible",
                               "Statut"], rows, css_class="engagements", idem=(0,),
                              name=f"engagements-{partner_stem(partner)}"))


def partner_figures(ctx: ReportContext, partner: str) -> Html:
    """Every figure the partner owes: the one of the evaluated year, those of the years
    before, and its own comment; the figures it has never sent, listed once."""
    years = list(range(ctx.annee - PREVIOUS_YEARS, ctx.annee + 1))
    rows: list[list[object]] = []
    for ind in _all(ctx, partner):
        a = ctx.assess(ind)
        level = a.elsewhere[0] if a.last is None and a.elsewhere else a.level
        points = {p.annee: p for p in observations(ctx.series(ind.id, level), ctx.annee)}
        masked = {p.annee: p for p in ctx.series(ind.id, level)}
        cells: list[object] = [ind.libelle, level.libelle or "–"]
        comments = []
        for year in years:
            point = points.get(year) or (masked.get(year) if year in masked and
                                         masked[year].valeur is None else None)
            if point is None:
                cells.append("–")
                continue
            cells.append(fn.with_unit(point.valeur, ind.unite, point.statut)
                         + (f" ({point.periode})" if point.periode else ""))
            if point.comment:
                comments.append(f"{year} : « {point.comment} »")
        rows.append([*cells, " ; ".join(comments) or "–"])
    if not rows:
        return Html("<p>Ce partenaire ne doit aucun chiffre au contrat.</p>")
    if all(all(c == "–" for c in r[2:]) for r in rows):  # the list is the missing one
        owed = len(_indicators(ctx, partner))  # as many as the summary counts
        listed = ("l'indicateur attendu est nommé ci-dessous" if owed == 1 else
                  f"les {fn.number(owed)} indicateurs attendus sont listés ci-dessous"
                  if owed else f"aucun n'est attendu pour {ctx.annee}")
        return Html(f"<p>Aucun chiffre reçu de {years[0]} à {years[-1]} : {listed}.</p>")
    headers = ["Indicateur", "Territoire", *[str(y) for y in years], "Commentaire du partenaire"]
    return Html(table(headers, rows, css_class="transmis", numeric=tuple(range(2, 2 + len(years))),
                      collapse=Collapse(tuple(range(2, 3 + len(years))),
                                        f"Aucun chiffre transmis de {years[0]} à "
                                        f"{years[-1]}", name=0),
                      caption=f"Chiffres transmis par {partner}, {years[0]} à {years[-1]}",
                      name=f"chiffres-{partner_stem(partner)}"))


def partner_missing(ctx: ReportContext, partner: str) -> Html:
    """What is still missing for the year, and since when."""
    rows = []
    for ind in _indicators(ctx, partner):
        if not ctx.missing(ind):
            continue
        seen = ctx.observed_years(ind)
        years = years_missing(seen[-1] if seen else None, ctx.annee, ctx.contract.debut)
        debut = ctx.contract.debut
        if not seen:
            since = f"jamais reçu (attendu depuis {debut} : {fn.count(years, 'an')})"
        elif seen[-1] < debut:  # a figure before the contract (a publication, say)
            since = f"attendu depuis {debut} ; dernier chiffre connu : {seen[-1]}"
        else:
            since = f"depuis {seen[-1] + 1} (dernier chiffre reçu : {seen[-1]})"
        rows.append([ind.libelle, since, status_cell(ctx, ind)])
    if not rows:
        return Html(f"<p>Rien ne manque pour {ctx.annee}.</p>")
    return Html("<p>La définition de chaque chiffre est rappelée dans le classeur de "
                "collecte.</p>"
                + table(["Indicateur", "Manque depuis", "Statut"], rows,
                      css_class="manquants", name=f"manquants-{partner_stem(partner)}"))


def partner_workbook(ctx: ReportContext, partner: str) -> Html:
    """How the partner sends the figures still missing for the year (the same workbook
    of that year), then next year's: a page sent to a partner that only asked for next
    year's figures read as if the missing ones were no longer wanted (reading test)."""
    name = f"{partner_stem(partner)}.xlsx"
    n = sum(ctx.missing(i) for i in _indicators(ctx, partner))
    one = n == 1
    late = (f"<p>{'Le chiffre' if one else f'Les {fn.number(n)} chiffres'} de {ctx.annee} "
            f"qui {'manque' if one else 'manquent'} (« Ce qui manque, et depuis quand ») "
            f"{'peut' if one else 'peuvent'} encore être transmis : l'équipe du contrat vous "
            f"renvoie le classeur de collecte {ctx.annee} (« {esc(name)} »), "
            f"{'il sera pris' if one else 'ils seront pris'} en compte à la prochaine mise "
            "à jour des rapports.</p>") if n else ""
    return Html(late + f"<p>Pour {ctx.annee + 1}, l'équipe du contrat vous envoie votre "
                f"classeur de collecte (« {esc(name)} ») : il rappelle, indicateur par "
                "indicateur, la définition, le territoire et le dernier chiffre transmis ; "
                "remplissez les "
                "cellules jaunes (une valeur, un commentaire si besoin) et renvoyez-le, au "
                "format du tableur que vous utilisez.</p>")
