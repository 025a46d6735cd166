"""Completeness by partner: for each partner who owes figures to the contract, how many
of its indicators received a figure for the evaluation year.

Received means a value for that very year from the partner (its return) or the producer
(its release): never the contract's own figures, an older year, a milestone not yet due
or a commitment about another commune (these two are not expected at all).

Shown in the synthesis, and travelling beside it (COMPLETENESS_MIME) to the year's home
page, which only lays it out. Partners belong to the contract's own quarter: another
quarter's synthesis says so and carries no partner.
"""

from __future__ import annotations

import re

from .. import frenchnumbers as fn
from ..vocabulary import COMPLETENESS_MIME, PARTNERS_DIR, partner_stem
from .context import ReportContext, request_words
from .html import Html, bullets, esc, table


def completeness_rows(ctx: ReportContext) -> list[dict[str, object]]:
    """One row per partner, most indicators first: expected, received, share, and the
    latest year any figure came from it (None: never)."""
    counts: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    partners = set(ctx.referentiel.partners())
    for ind in ctx.indicators():
        if not ctx.expected(ind) or ind.partenaire not in partners:
            continue  # a producer's release is not a partner's return
        expected_received = counts.setdefault(ind.partenaire, [0, 0])
        expected_received[0] += 1
        years = ctx.observed_years(ind)
        if ctx.annee in years:
            expected_received[1] += 1
        if years:
            last[ind.partenaire] = max(last.get(ind.partenaire, 0), years[-1])
    rows: list[dict[str, object]] = [{"partenaire": name, "attendus": n, "recus": got,
             "completude": round(100 * got / n, 1) if n else None,
             "dernier": last.get(name),
             "demande": request_words(ctx.request(name))}
            for name, (n, got) in counts.items()]
    return sorted(rows, key=lambda r: (-int(str(r["attendus"])), str(r["partenaire"])))


def partner_completeness(ctx: ReportContext) -> Html:
    """The section « Complétude par partenaire » of the synthesis."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : les partenaires du "
                    "contrat ne lui doivent aucun chiffre.</p>")
    rows = completeness_rows(ctx)
    data = {"annee": ctx.annee, "territoire": ctx.territory.code, "partenaires": rows}
    shown = [[Html(f'<a href="{PARTNERS_DIR}/{partner_stem(str(r["partenaire"]))}.html">'
                   f'{esc(str(r["partenaire"]))}</a>'), r["attendus"], r["recus"],
              fn.share(float(str(r["completude"]))) if r["completude"] is not None else "–",
              _last_words(ctx, r["dernier"]), r["demande"] or "–"]
             for r in rows]
    received = sum(int(str(r["recus"])) for r in rows)
    none = ("" if received else f"<p><strong>Aucun chiffre de {ctx.annee} n'a été reçu à ce "
            "jour</strong>, ni d'un partenaire ni d'un producteur.</p>")
    text = (none + f"<p>Ce que chaque partenaire doit pour {ctx.annee} et ce qu'il a "
            "transmis ; son nom mène à sa page (ses engagements de l'annexe 1 un à un, ce "
            "qui manque et depuis quand). Les chiffres imprimés dans le contrat et les jalons "
            "pas encore échus ne comptent pas.</p>"
            + table(["Partenaire", "Indicateurs attendus", f"Reçus pour {ctx.annee}",
                     "Complétude", "Dernier chiffre reçu", "Demande"], shown,
                    numeric=(1, 2, 3),
                    css_class="completude",
                    caption=f"Complétude des données par partenaire en {ctx.annee}")
            + ledger_gaps(ctx) + unread_returns(ctx) + publishers_note(ctx))
    return Html(text, extra={COMPLETENESS_MIME: data})


def ledger_gaps(ctx: ReportContext) -> str:
    """The partners whose workbook came but whose receipt the evaluator's request ledger
    does not date: the ledger names them without that date, or not at all. Said once
    here, not on each partner's page: the partner did send its figures."""
    undated: list[str] = []
    absent: list[str] = []
    for name in ctx.referentiel.partners():
        asked = ctx.request(name)
        if asked is None or not asked.recu or asked.recu_le is not None:
            continue
        (undated if asked.demande_le or asked.relances else absent).append(name)
    parts = [f"{why} : {_names(names)}." for names, why in (
        (undated, "Demande notée, réception non datée"),
        (absent, f"{fn.plural(len(absent), 'Absent')} du registre (ni demande ni relance "
                 "notée)")) if names]
    if not parts:
        return ""
    n = len(undated) + len(absent)
    return (f"<p>Le registre des demandes ne date pas la réception de "
            f"{fn.count(n, 'classeur arrivé')}. {esc(' '.join(parts))} Les y noter permet de "
            "suivre les délais de réponse.</p>")


def _names(names: list[str]) -> str:
    return names[0] if len(names) < 2 else ", ".join(names[:-1]) + " et " + names[-1]


def _last_words(ctx: ReportContext, year: object) -> str:
    """« 2025 », or « aucun depuis le début du contrat (2024) » when nothing came since
    the contract began (« aucun depuis 2024 » was read as « the last one in 2024 »)."""
    debut = ctx.contract.debut
    if year is None or (debut and int(str(year)) < debut):
        return f"aucun depuis le début du contrat ({debut})" if debut else "aucun"
    return str(year)


def publishers_note(ctx: ReportContext) -> str:
    """The producers of public statistics owe no return: they publish, years later."""
    partners = set(ctx.referentiel.partners())
    producers = sorted({i.partenaire for i in ctx.indicators() if i.partenaire not in partners})
    if not producers:
        return ""
    return (f"<p>Les chiffres publics ({esc(', '.join(producers))}) ne sont pas demandés : "
            "leurs producteurs publient les chiffres d'une année plusieurs années après ; "
            "la dernière année publiée pour le quartier est dans « Méthodes et sources ».</p>")


RETURN_STATES = {"illisible": "illisible", "partiel": "lu en partie", "refusé": "refusé"}


def unread_returns(ctx: ReportContext) -> str:
    """The returns of the year that could not be read in full, and what to do."""
    bad = [r for r in ctx.returns() if r["statut"] in RETURN_STATES]
    if not bad:
        return ""
    known = set(ctx.referentiel.partners())
    items = [f"{r['partenaire'] if r['partenaire'] in known else 'expéditeur non identifié'}"
             f" ({r['fichier'].rsplit('/', 1)[-1]}) : {RETURN_STATES[r['statut']]} — "
             f"{_first_sentence(r['message'])}" for r in bad]
    return ("<p>Retours reçus mais pas lus en entier (leurs chiffres manquent ci-dessus ; "
            "la correction à demander est dans le rapport de validation que l'équipe "
            "d'évaluation reçoit à chaque mise à jour des données) :</p>"
            + bullets(items))


def _first_sentence(message: str) -> str:
    """What went wrong, without the correction (the validation report gives it)."""
    first = re.split(r"\.\s", message.strip(), maxsplit=1)[0].rstrip(".")
    return first + "."
