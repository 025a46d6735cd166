"""The contract's own diagnosis against the data: each quantitative claim that public
figures can check (config/constats.csv), with the figures, marked confirmed, not
confirmed, contradicted or not checkable, neutrally.

A claim is checked on published figures only: the contract's own figures (or a
partner's) cannot confirm what the contract says.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import frenchnumbers as fn
from ..objectives import Claim
from ..referentiel import Indicator
from ..store.tables import read_territories
from ..territory import Level
from ..vocabulary import (
    ANNEXES,
    BORNE_INF,
    BORNE_SUP,
    BOUNDS,
    DEPARTEMENT,
    POPULATION,
    SYNTHESIS,
    VALEUR,
)
from .context import ReportContext
from .html import Html, esc, table
from .indicators import Point, value_in
from .trends import DOWN, STABLE, UP, trend

CONFIRMED, NOT_CONFIRMED, CONTRADICTED, UNCHECKABLE = (
    "confirmé", "non confirmé", "contredit", "non vérifiable")
RATIO_TOLERANCE = 0.15  # « près de deux fois »: from 1,7 to 2,3
LEVEL_TOLERANCE = {"pourcentage": 1.5}  # « autour de 30 % »: within 1,5 point
RELATIVE_TOLERANCE = 0.05  # a count or an amount: within 5 %
# A figure further from the claim than this many tolerances contradicts it; in between,
# the data do not confirm it without contradicting it.
CONTRADICTION = 3


@dataclass(frozen=True)
class Finding:
    verdict: str
    figures: str  # the figures the verdict rests on, in words


def published(points: list[Point]) -> list[Point]:
    """The figures a publication gives (not only the contract or a partner), exact or
    published as a bound (« >95 »)."""
    return [p for p in points if p.valeur is not None and p.statut in (VALEUR, *BOUNDS)
            and not p.hand_filled]


def slack(unit: str, claimed: float) -> float:
    return LEVEL_TOLERANCE.get(unit, RELATIVE_TOLERANCE * abs(claimed))


def level_verdict(kind: str, point: Point, claimed: float, unit: str) -> str:
    """A figure against a level the contract states: about it (niveau), at least it
    (niveau_minimum), at most it (niveau_maximum). A published bound counts for what it
    says (« plus de 95 % » is at least 95 %, and says nothing of « autour de 97 % »)."""
    assert point.valeur is not None
    value, margin = point.valeur, slack(unit, claimed)
    low = high = value  # what the figure allows the true value to be
    if point.statut == BORNE_INF:
        high = float("inf")
    elif point.statut == BORNE_SUP:
        low = float("-inf")
    if kind == "niveau_minimum":
        if low >= claimed:
            return CONFIRMED
        return CONTRADICTED if high < claimed - CONTRADICTION * margin else NOT_CONFIRMED
    if kind == "niveau_maximum":
        if high <= claimed:
            return CONFIRMED
        return CONTRADICTED if low > claimed + CONTRADICTION * margin else NOT_CONFIRMED
    if low != high:
        return CONTRADICTED if (high < claimed - CONTRADICTION * margin
                                or low > claimed + CONTRADICTION * margin) else NOT_CONFIRMED
    gap = abs(value - claimed)
    return CONFIRMED if gap <= margin else (CONTRADICTED if gap > CONTRADICTION * margin
                                            else NOT_CONFIRMED)


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
        return _trend(claim, points, end, unit)
    point = value_in(points, end) or next((p for p in reversed(points) if p.annee <= end),
                                          None)
    if point is None or point.valeur is None:
        return Finding(UNCHECKABLE, f"aucune donnée publiée jusqu'en {end}")
    mine = f"{fn.with_unit(point.valeur, unit, point.statut)} en {point.annee}"
    if claim.verification in ("niveau", "niveau_minimum", "niveau_maximum",
                              "moyenne_qpv_departement") and claim.valeur is not None:
        kind = "niveau" if claim.verification == "moyenne_qpv_departement" \
            else claim.verification
        return Finding(level_verdict(kind, point, claim.valeur, unit), mine)
    theirs = value_in(published(other), point.annee)
    if theirs is None or theirs.valeur is None:
        return Finding(UNCHECKABLE, f"{mine} ; aucune donnée publiée pour {other_name} la même "
                       "année")
    both = f"{mine} ; {other_name} : {fn.with_unit(theirs.valeur, unit, theirs.statut)}"
    if point.statut != VALEUR or theirs.statut != VALEUR:
        return Finding(UNCHECKABLE, both + " (chiffre publié sous forme de borne)")
    if claim.verification in ("superieur", "inferieur"):
        above = point.valeur > theirs.valeur
        if abs(point.valeur - theirs.valeur) <= slack(unit, theirs.valeur) / 3:
            return Finding(NOT_CONFIRMED, both + " : écart dans le bruit de la source")
        wanted = claim.verification == "superieur"
        return Finding(CONFIRMED if above == wanted else CONTRADICTED, both)
    if theirs.valeur == 0 or claim.valeur is None:
        return Finding(UNCHECKABLE, both)
    if claim.verification == "part":
        share = 100 * point.valeur / theirs.valeur
        as_point = Point(point.annee, share, VALEUR, "", "", False)
        return Finding(level_verdict("niveau", as_point, claim.valeur, "pourcentage"),
                       f"{both}, soit {fn.with_unit(share, 'pourcentage')}")
    r = point.valeur / theirs.valeur
    gap = abs(r - claim.valeur)
    margin = RATIO_TOLERANCE * claim.valeur
    verdict = CONFIRMED if gap <= margin else (CONTRADICTED if gap > CONTRADICTION * margin
                                               else NOT_CONFIRMED)
    return Finding(verdict, f"{both}, soit {fn.number(r, 1)} fois")


def _trend(claim: Claim, points: list[Point], end: int, unit: str) -> Finding:
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


def departement_qpv_mean(ctx: ReportContext, ind: Indicator) -> list[Point]:
    """The population-weighted mean of a rate over every QPV of the quarter's département,
    year by year (covered population over population, for instance): the figure the
    contract gives for « les habitants des quartiers » of the département."""
    from .national import national_values  # noqa: PLC0415 (all QPV: only this claim)

    dep = ctx.territory.level(DEPARTEMENT)
    if dep is None or ind.unite != "pourcentage":
        return []
    codes = {code for code, row in read_territories(ctx.paths).items()
             if row.departement[0] == dep.code}
    values = national_values(ctx.paths.store, ctx.territory.qpv.geographie)
    mine = values[values["code"].isin(codes)]
    rates: dict[int, dict[str, float]] = {}
    pops: dict[str, list[tuple[int, float]]] = {}
    for indicator, code, year, value in zip(mine["indicateur"], mine["code"], mine["annee"],
                                            mine["valeur"], strict=True):
        if indicator == ind.id:
            rates.setdefault(int(year), {})[str(code)] = float(value)
        elif indicator == POPULATION:
            pops.setdefault(str(code), []).append((int(year), float(value)))
    out = []
    for year in sorted(rates):
        weighted = total = 0.0
        for code, rate in rates[year].items():
            known = [v for y, v in sorted(pops.get(code, [])) if y <= year]
            if known:  # the latest census population up to that year
                weighted += rate * known[-1]
                total += known[-1]
        if total:
            out.append(Point(year, round(weighted / total, 1), VALEUR,
                             f"{len(rates[year])} QPV", "", False))
    return out


def _level(ctx: ReportContext, niveau: str, ind: Indicator) -> Level | None:
    """The territory a claim speaks of; for a level with several territories (France
    and metropolitan France), the first one with published figures of the indicator."""
    if niveau == "qpv":
        return ctx.territory.qpv
    levels = [lv for lv in ctx.territory.levels if lv.niveau == niveau]
    with_data = [lv for lv in levels if published(ctx.series(ind.id, lv))]
    return (with_data or levels)[0] if levels else None


def contract_claims(ctx: ReportContext) -> Html:
    """The section « Les constats du contrat au regard des données »."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : le diagnostic du "
                    "contrat ne le concerne pas.</p>")
    rows = []
    for claim in ctx.claims:
        ind = ctx.referentiel.indicators.get(claim.indicateur)
        if ind is None:
            continue
        subject_level = _level(ctx, claim.territoire, ind)
        if subject_level is None:
            continue
        other_level = _level(ctx, claim.comparaison, ind) if claim.comparaison else None
        other = ctx.series(ind.id, other_level) if other_level else []
        other_name = other_level.libelle if other_level else ""
        subject = ctx.series(ind.id, subject_level)
        if claim.verification == "moyenne_qpv_departement":
            subject = departement_qpv_mean(ctx, ind)
            subject_level = Level(subject_level.niveau, "", "QPV du département "
                                  "(moyenne pondérée par la population)")
        finding = check(claim, ind, subject, other, other_name, ctx.annee)
        rows.append([claim.section, claim.citation, ind.libelle,
                     f"{subject_level.libelle} : {finding.figures}",
                     Html(f'<span class="constat constat-{_css_class(finding.verdict)}">'
                          f"{esc(finding.verdict)}</span>"), finding.verdict])
    if not rows:
        return Html("<p>Aucun constat chiffré du contrat n'est listé pour vérification.</p>")
    unchecked = [r for r in rows if r[-1] == UNCHECKABLE]
    if ctx.report == SYNTHESIS:  # the committee reads the verdicts; the annexes say why not
        shown = [r for r in rows if r[-1] != UNCHECKABLE]
        n = len(unchecked)
        tail = (f"<p>{fn.count(n, 'autre affirmation chiffrée')} du diagnostic ne "
                f"{'peut' if n < 2 else 'peuvent'} pas être "
                f"{'vérifiée' if n < 2 else 'vérifiées'} avec les données livrées : les "
                "annexes disent pourquoi.</p>" if unchecked else "")
    elif ctx.report == ANNEXES:
        shown, tail = rows, ""
    else:  # the unverifiable ones, with their reason, one click away
        shown = [r for r in rows if r[-1] != UNCHECKABLE]
        tail = (f'<details class="reference"><summary>'
                f"{fn.count(len(unchecked), 'affirmation non vérifiable')} avec les données "
                "livrées, et pourquoi</summary>"
                + table(["Section", "Le contrat dit", "Indicateur", "Pourquoi"],
                        [[r[0], r[1], r[2], r[3]] for r in unchecked],
                        css_class="constats", name="constats-non-verifiables")
                + "</details>" if unchecked else "")
    intro = ("<p>Chaque affirmation chiffrée du diagnostic du contrat, avec les chiffres "
             "publiés (jamais ceux du contrat lui-même) : <em>confirmé</em>, <em>non "
             "confirmé</em> (les chiffres ne le montrent pas, sans le contredire), "
             "<em>contredit</em>, ou <em>non vérifiable</em> avec les données disponibles."
             "</p>")
    body = table(["Section", "Le contrat dit", "Indicateur", "Les données publiées",
                  "Verdict"], [r[:-1] for r in shown], css_class="constats") if shown else \
        "<p>Aucune ne peut l'être avec les données livrées.</p>"
    return Html(intro + body + tail)


def _css_class(verdict: str) -> str:
    """The CSS class of a claim's verdict (its colour in the table)."""
    return {CONFIRMED: "ok", NOT_CONFIRMED: "non", CONTRADICTED: "contre",
            UNCHECKABLE: "nv"}[verdict]
