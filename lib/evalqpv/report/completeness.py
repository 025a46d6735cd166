"""Completeness by partner: for each partner who owes figures to the contract, how many
of its indicators have a usable value for the evaluation year.

Shown in the synthesis, and travelling beside it (COMPLETENESS_MIME) to the year's home
page, which only lays it out. Partners belong to the contract's own quarter: another
quarter's synthesis says so and carries no partner.
"""

from __future__ import annotations

from .. import frenchnumbers as fn
from ..vocabulary import A_COLLECTER, COMPLETENESS_MIME
from .context import ReportContext
from .html import Html, table


def completeness_rows(ctx: ReportContext) -> list[dict[str, object]]:
    """One row per partner, most indicators first: expected, received, share."""
    counts: dict[str, list[int]] = {}
    for ind in ctx.indicators():
        expected_received = counts.setdefault(ind.partenaire, [0, 0])
        expected_received[0] += 1
        if ctx.qpv_status(ind)[0] != A_COLLECTER:
            expected_received[1] += 1
    rows: list[dict[str, object]] = [{"partenaire": name, "attendus": n, "recus": got,
             "completude": round(100 * got / n, 1) if n else None}
            for name, (n, got) in counts.items()]
    return sorted(rows, key=lambda r: (-int(str(r["attendus"])), str(r["partenaire"])))


def partner_completeness(ctx: ReportContext) -> Html:
    """The section « Complétude par partenaire » of the synthesis."""
    if not ctx.own_contract:
        return Html("<p>Ce quartier n'est pas celui du contrat évalué : les partenaires du "
                    "contrat ne lui doivent aucun chiffre.</p>")
    rows = completeness_rows(ctx)
    data = {"annee": ctx.annee, "territoire": ctx.territory.code, "partenaires": rows}
    shown = [[r["partenaire"], r["attendus"], r["recus"],
              fn.share(float(str(r["completude"]))) if r["completude"] is not None else "–"]
             for r in rows]
    text = (f"<p>Pour chaque partenaire, les indicateurs qu'il doit fournir et ceux qui ont "
            f"une valeur utilisable pour {ctx.annee} (publiée ou transmise).</p>"
            + table(["Partenaire", "Indicateurs attendus", f"Reçus pour {ctx.annee}",
                     "Complétude"], shown, numeric=(1, 2, 3), css_class="completude",
                    caption=f"Complétude des données par partenaire en {ctx.annee}"))
    return Html(text, extra={COMPLETENESS_MIME: data})
