"""The contract's own diagnosis against the data: each quantitative claim that public
figures can check (config/constats.csv), with the figures, marked confirmed, not
confirmed, contradicted or not checkable, neutrally.

A claim is checked on published figures only: the contract's own figures (or a
partner's) cannot confirm what the contract says.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import frenchnumbers as fn
from ..ingest.registry import is_hand_filled
from ..objectives import Claim
from ..referentiel import Indicator
from ..territory import Level
from ..vocabulary import VALEUR
from .context import ReportContext
from .html import Html, esc, table
from .indicators import Point, value_in
from .trends import DOWN, STABLE, UP, trend

CONFIRMED, NOT_CONFIRMED, CONTRADICTED, UNCHECKABLE = (
    "confirmé", "non confirmé", "contredit", "non vérifiable")
RATIO_TOLERANCE = 0.15  # « près de deux fois »: from 1,7 to 2,3
LEVEL_TOLERANCE = {"pourcentage": 1.5}  # « autour de 30 % »: within 1,5 point


@dataclass(frozen=True)
class Finding:
    verdict: str
    figures: str  # the figures the verdict rests on, in words


def published(points: list[Point]) -> list[Point]:
    """The figures a publication gives (not only the contract or a partner)."""
    return [p for p in points if p.valeur is not None and p.statut == VALEUR
            and not all(is_hand_filled(f) for f in p.fichier.split(" | "))]


def check(claim: Claim, ind: Indicator, subject: list[Point], other: list[Point],
          other_name: str, annee: int) -> Finding:
    """The verdict on one claim, from the published series of the territory it speaks
    of (`subject`) and of its comparison territory (`other`)."""
    if claim.verification == "non_verifiable":
        return Finding(UNCHECKABLE, claim.explication)
    end = min(claim.annee_fin or annee, annee)
    points = published(subject)
    if not points:
        return Finding(UNCHECKABLE, "aucune donnée publiée pour ce territoire ; seuls le "
                       "contrat ou un partenaire donnent ce chiffre")
    unit = ind.unite
    if claim.verification in ("tendance_baisse", "tendance_hausse"):
        start = claim.annee_debut
        window = [p for p in points if (start is None or p.annee >= start) and p.annee <= end]
        change = trend(window, end, unit)
        if change is None:
            return Finding(UNCHECKABLE, "pas deux chiffres publiés de la même série sur la "
                           "période" + (f" (depuis {start})" if start else ""))
        wanted = DOWN if claim.verification == "tendance_baisse" else UP
        words = (f"{fn.with_unit(change.start.valeur, unit)} en {change.start.annee}, "
                 f"{fn.with_unit(change.end.valeur, unit)} en {change.end.annee}")
        if change.direction == wanted:
            return Finding(CONFIRMED, words)
        if change.direction == STABLE:
            return Finding(NOT_CONFIRMED, words + " : stable, dans le bruit de la source")
        return Finding(CONTRADICTED, words + f" : en {change.direction}")
    point = value_in(points, end) or next((p for p in reversed(points) if p.annee <= end),
                                          None)
    if point is None or point.valeur is None:
        return Finding(UNCHECKABLE, f"aucune donnée publiée jusqu'en {end}")
    mine = f"{fn.with_unit(point.valeur, unit)} en {point.annee}"
    if claim.verification in ("niveau", "niveau_minimum") and claim.valeur is not None:
        if claim.verification == "niveau_minimum":
            ok = point.valeur >= claim.valeur
        else:
            slack = LEVEL_TOLERANCE.get(unit, 0.05 * abs(claim.valeur))
            ok = abs(point.valeur - claim.valeur) <= slack
        return Finding(CONFIRMED if ok else NOT_CONFIRMED, mine)
    theirs = value_in(published(other), point.annee)
    if theirs is None or theirs.valeur is None:
        return Finding(UNCHECKABLE, f"{mine} ; aucune donnée publiée pour {other_name} la même "
                       "année")
    both = f"{mine} ; {other_name} : {fn.with_unit(theirs.valeur, unit)}"
    if claim.verification == "superieur":
        return Finding(CONFIRMED if point.valeur > theirs.valeur else CONTRADICTED, both)
    if theirs.valeur == 0 or claim.valeur is None:
        return Finding(UNCHECKABLE, both)
    r = point.valeur / theirs.valeur
    ok = abs(r - claim.valeur) <= RATIO_TOLERANCE * claim.valeur
    return Finding(CONFIRMED if ok else NOT_CONFIRMED, f"{both}, soit {fn.number(r, 1)} fois")


def _level(ctx: ReportContext, niveau: str) -> Level | None:
    return ctx.territory.qpv if niveau == "qpv" else ctx.territory.level(niveau)


def contract_claims(ctx: ReportContext) -> Html:
    """The section « Les constats du contrat au regard des données »."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : le diagnostic du "
                    "contrat ne le concerne pas.</p>")
    rows = []
    for claim in ctx.claims:
        ind = ctx.referentiel.indicators.get(claim.indicateur)
        subject_level = _level(ctx, claim.territoire)
        if ind is None or subject_level is None:
            continue
        other_level = _level(ctx, claim.comparaison) if claim.comparaison else None
        other = ctx.series(ind.id, other_level) if other_level else []
        other_name = other_level.libelle if other_level else ""
        finding = check(claim, ind, ctx.series(ind.id, subject_level), other, other_name,
                        ctx.annee)
        rows.append([claim.section, claim.citation, ind.libelle,
                     f"{subject_level.libelle} : {finding.figures}",
                     Html(f'<span class="constat constat-{_slug(finding.verdict)}">'
                          f"{esc(finding.verdict)}</span>")])
    if not rows:
        return Html("<p>Aucun constat chiffré du contrat n'est listé pour vérification.</p>")
    return Html("<p>Chaque affirmation chiffrée du diagnostic du contrat que les données "
                "publiques permettent de vérifier, avec les chiffres publiés (jamais ceux du "
                "contrat lui-même) : <em>confirmé</em>, <em>non confirmé</em> (les chiffres ne "
                "le montrent pas, sans le contredire), <em>contredit</em>, ou <em>non "
                "vérifiable</em> avec les données disponibles.</p>"
                + table(["Section", "Le contrat dit", "Indicateur", "Les données publiées",
                         "Verdict"], rows, css_class="constats"))


def _slug(verdict: str) -> str:
    return {CONFIRMED: "ok", NOT_CONFIRMED: "non", CONTRADICTED: "contre",
            UNCHECKABLE: "nv"}[verdict]
