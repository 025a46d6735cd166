"""Proposals for the steering committee, derived from the data.

Each proposal is worded as a proposal (« Proposer », « Demander », « Examiner »), never as
a decision, and names the rows that trigger it: a target overdue or late, a partner
from whom nothing has come since the contract began, public series that stop before
the contract, targets the contract does not date or a partner's own objective that
predates it. The committee decides; the evaluator can show why each line is there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import frenchnumbers as fn
from ..referentiel import Indicator, is_publisher
from ..vocabulary import (
    A_VENIR,
    ATTEINT,
    ECHU_SANS_DONNEE,
    EN_RETARD,
    NON_COMPARABLE,
    NON_TRANSMIS,
    TARGET_CUMULATIVE,
    TARGET_ONE_OFF,
    TARGET_STOCK,
)
from .context import ReportContext
from .html import Html, table
from .messages import published_recency
from .wording import target_text

NAMED = 3  # more partners than this in « Concerne » are counted, and named in « why »


@dataclass(frozen=True)
class Proposal:
    """One proposal, why (the data behind it, in words) and whom it concerns."""

    text: str
    why: str
    who: str
    indicators: tuple[str, ...]  # the référentiel rows that trigger it


def proposals(ctx: ReportContext) -> list[Proposal]:
    """Every proposal the data support, the most pressing first: the collection to launch
    (or an agreement with partners asked in vain), targets overdue and late, returns to
    ask again, reminders, public series to request, targets to word again at the mid-term
    review."""
    if not ctx.own_contract:
        return []
    out = _silent_partners(ctx)  # nothing can be judged before the figures are asked for
    out += _targets(ctx)
    out += _unread(ctx)
    out += _partial_partners(ctx)
    out += _public_series(ctx)
    out += _undated_targets(ctx)
    out += _partner_objectives(ctx)
    return out


def whom(ctx: ReportContext, ind: Indicator) -> str:
    """Whom a proposal on an indicator concerns: the signatory whose commitment it is
    (the emplois francs are the DRIEETS's), else the partner who provides the figure."""
    if ctx.contract.is_commitment(ind.section):
        signatory = ctx.contract.signatory(ind.section)
        return ctx.contract.signataires.get(signatory, signatory)
    return ind.partenaire


def _targets(ctx: ReportContext) -> list[Proposal]:
    out = []
    for ind in ctx.indicators():
        if ind.cible is None or ind.partner_objective:
            continue
        a = ctx.assess(ind)
        if a.status == ECHU_SANS_DONNEE:
            out.append(Proposal(
                f"Demander le chiffre de « {ind.libelle} » ; à défaut, constater que "
                "l'engagement ne peut pas être vérifié.",
                f"Cible du contrat : {target_text(ind)} ; {a.reason}.", ind.partenaire,
                (ind.id,)))
        elif a.status == A_VENIR and a.last is not None and not ind.annee_cible \
                and a.last.annee >= ctx.contract.debut:  # a dated milestone needs no decision
            value = fn.with_unit(a.last.valeur, ind.unite, a.last.statut)
            out.append(Proposal(
                f"Faire le point avec le partenaire sur « {ind.libelle} » : pas encore "
                "réalisé.",
                f"Cible du contrat : {target_text(ind)} ; chiffre de {a.last.annee} : "
                f"{value}.", whom(ctx, ind), (ind.id,)))
        elif a.status in (EN_RETARD, NON_TRANSMIS):
            value = (f"{fn.with_unit(a.last.valeur, ind.unite, a.last.statut)} en "
                     f"{a.last.annee}" if a.last else "aucun chiffre")
            out.append(Proposal(
                f"Examiner avec le partenaire le retard sur « {ind.libelle} ».",
                f"Cible du contrat : {target_text(ind)} ; chiffre : {value}"
                + (f" ({a.reason})" if a.reason else "") + ".", whom(ctx, ind), (ind.id,)))
    return out


def _silent_partners(ctx: ReportContext) -> list[Proposal]:
    """A partner from whom no figure has come since the contract began: a data-exchange
    agreement, said with how many figures and years are missing."""
    debut = ctx.contract.debut
    by_partner: dict[str, list[Indicator]] = {}
    for ind in ctx.indicators():
        if ctx.expected(ind):
            by_partner.setdefault(ind.partenaire, []).append(ind)
    silent: list[tuple[str, list[Indicator]]] = []
    for partner, inds in sorted(by_partner.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if is_publisher(inds):
            continue
        if not any(any(y >= debut for y in ctx.observed_years(i)) for i in inds):
            silent.append((partner, inds))
    if not silent:
        return []
    # never asked (no request in the ledger): the collection is to be launched first; an
    # agreement is for those asked who still sent nothing
    unasked = [(p, inds) for p, inds in silent
               if not ((r := ctx.request(p)) is not None and r.demande_le)]
    asked = [(p, inds) for p, inds in silent if (p, inds) not in unasked]
    years = ctx.annee - debut + 1
    span = f"depuis {debut} ({years} années du contrat)" if years > 1 else f"pour {debut}"
    out = []
    if unasked:
        out.append(Proposal(
            f"Lancer la collecte de {ctx.annee}"
            + (f" (et demander les chiffres de {debut} à {ctx.annee - 1}, jamais reçus)"
               if years > 2 else f" (et demander ceux de {debut}, jamais reçus)"
               if years == 2 else "")
            + " : envoyer le fichier des chiffres à remplir, avec une date de retour, "
            + ("au partenaire à qui aucune demande n'est enregistrée."
               if len(unasked) < 2 else
               f"aux {len(unasked)} partenaires à qui aucune demande n'est enregistrée."),
            f"Aucune demande de chiffres de {ctx.annee} n'est notée pour eux, et aucun chiffre "
            f"n'a été reçu {span} ; chiffres attendus : "
            + " ; ".join(f"{partner} : {len(inds)}" for partner, inds in unasked) + ".",
            _whom_of(unasked), tuple(i.id for _, inds in unasked for i in inds)))
    if asked:
        out.append(Proposal(
            "Proposer une convention d'échange de données (un chiffre par indicateur et par "
            "an, à une date fixée) "
            + (f"au partenaire dont aucun chiffre n'a été reçu {span}, bien que demandé."
               if len(asked) < 2 else
               f"aux {len(asked)} partenaires dont aucun chiffre n'a été reçu {span}, bien "
               "que demandé."),
            "Chiffres demandés et jamais reçus : " + " ; ".join(
                f"{partner} : {len(inds)}" for partner, inds in asked) + ".",
            _whom_of(asked), tuple(i.id for _, inds in asked for i in inds)))
    return out


def _whom_of(partners: list[tuple[str, list[Indicator]]]) -> str:
    """« Concerne »: up to NAMED partners by name, more counted (the reason names them)."""
    names = [p for p, _ in partners]
    return ", ".join(names) if len(names) <= NAMED else (
        f"{fn.count(len(names), 'partenaire')} (la motivation les nomme)")


def _unread(ctx: ReportContext) -> list[Proposal]:
    """A return that came but could not be read: ask for it again, as a workbook."""
    bad = [r for r in ctx.returns() if r["statut"] in ("illisible", "partiel")]
    return [Proposal(
        "Redemander le fichier des chiffres, enregistré au format Excel (.xlsx).",
        f"Le fichier « {r['fichier'].rsplit('/', 1)[-1]} » reçu pour {ctx.annee} n'a pas pu "
        f"être lu{' en entier' if r['statut'] == 'partiel' else ''} : ses chiffres manquent.",
        r["partenaire"] if r["partenaire"] in ctx.referentiel.partners()
        else "expéditeur non identifié", ()) for r in bad]


def _partial_partners(ctx: ReportContext) -> list[Proposal]:
    """Partners who answered but not for everything asked: one reminder, each partner
    with what came and what was asked (their pages list what is missing)."""
    asked: dict[str, list[Indicator]] = {}
    partners = set(ctx.referentiel.partners())
    for ind in ctx.indicators():
        if ctx.expected(ind) and ind.partenaire in partners:
            asked.setdefault(ind.partenaire, []).append(ind)
    short: list[tuple[str, list[Indicator], list[Indicator]]] = []
    for partner, inds in sorted(asked.items()):
        got = [i for i in inds if ctx.received(i)]
        if got and len(got) < len(inds):
            short.append((partner, inds, got))
    if not short:
        return []
    short.sort(key=lambda x: (len(x[2]) / len(x[1]), x[0]))  # the least complete first
    return [Proposal(
        f"Relancer pour les chiffres de {ctx.annee} qui manquent encore "
        + ("le partenaire qui a répondu en partie." if len(short) < 2 else
           f"les {len(short)} partenaires qui ont répondu en partie."),
        "Reçus sur demandés : " + " ; ".join(
            f"{partner} {len(got)} sur {len(inds)}" for partner, inds, got in short)
        + " ; la liste de ce qui manque est sur la page de chacun.",
        _whom_of([(p, inds) for p, inds, _ in short]),
        tuple(i.id for _, inds, _ in short for i in inds if not ctx.received(i)))]


def _public_series(ctx: ReportContext) -> list[Proposal]:
    """Public series that stop before the contract: ask the producers for the contract's
    years, on the contract's own perimeter when it has a 2024 code."""
    recent = published_recency(ctx)
    debut = ctx.contract.debut
    if not recent or max(recent.values()) >= debut:
        return []
    last = max(recent.values())
    code = ctx.contract.territoire_2024
    where = (f" dans la géographie prioritaire 2024 (quartier {code}), celle que couvre le "
             "contrat" if code else "")
    return [Proposal(
        f"Demander à l'Insee et à l'ANCT les séries du quartier pour les années du contrat{where}.",
        f"Les chiffres publiés pour le quartier s'arrêtent en {last} et décrivent le "
        "périmètre de 2015 : aucun ne mesure encore la période du contrat.",
        "Insee, ANCT", ())]


def _undated_targets(ctx: ReportContext) -> list[Proposal]:
    """Levels or totals to reach that the contract does not date: to be dated at the
    mid-term review, so that they can be judged."""
    undated = [i for i in ctx.indicators() if i.cible is not None and not i.partner_objective
               and i.cible_nature in (TARGET_STOCK, TARGET_CUMULATIVE, TARGET_ONE_OFF)
               and not i.annee_cible and ctx.assess(i).status != ATTEINT]
    compared = [i for i in ctx.indicators() if i.cible is not None
                and not i.partner_objective and ctx.assess(i).status == NON_COMPARABLE]
    out = []
    if undated:
        out.append(Proposal(
            "Proposer, à la revue de mi-parcours, une échéance pour les cibles que le contrat "
            "ne date pas.",
            "Sans échéance : " + " ; ".join(f"{i.libelle} ({target_text(i)})"
                                            for i in undated) + ".",
            ", ".join(sorted({i.partenaire for i in undated})), tuple(i.id for i in undated)))
    if compared:
        out.append(Proposal(
            "Proposer, à la revue de mi-parcours, de reformuler les cibles qui ne peuvent pas "
            "être jugées telles qu'elles sont écrites (ou d'obtenir le chiffre qui les juge).",
            " ; ".join(f"{i.libelle} : {ctx.assess(i).reason}" for i in compared) + ".",
            ", ".join(sorted({i.partenaire for i in compared})), tuple(i.id for i in compared)))
    return out


def _partner_objectives(ctx: ReportContext) -> list[Proposal]:
    """A partner's own objective of a year before the contract: fix one for its years."""
    out = []
    for ind in ctx.indicators():
        if not (ind.partner_objective and ind.annee_cible
                and ind.annee_cible < ctx.contract.debut):
            continue
        out.append(Proposal(
            f"Demander un objectif pour les années du contrat sur « {ind.libelle} ».",
            f"Le seul objectif connu est celui du partenaire pour {ind.annee_cible} "
            f"({target_text(ind)}), antérieur au contrat.", whom(ctx, ind), (ind.id,)))
    return out


def decisions(ctx: ReportContext) -> Html:
    """The section « Décisions proposées au comité »."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : aucune décision n'est "
                    "proposée à son comité.</p>")
    found = proposals(ctx)
    if not found:
        return Html("<p>Les données de l'année ne motivent aucune proposition particulière.</p>")
    rows = [[i, p.text, p.why, p.who] for i, p in enumerate(found, start=1)]
    return Html("<p>Des propositions, que le comité retient ou non ; chacune dit ce qui la "
                "motive dans les données.</p>"
                + table(["N°", "Proposition", "Ce qui la motive", "Concerne"], rows,
                        css_class="decisions", name="propositions"))

