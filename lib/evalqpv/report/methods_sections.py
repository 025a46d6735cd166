"""How to read the figures: definitions, producers, releases, caveats, and what changed
since the previous store."""

from __future__ import annotations

import pandas as pd

from .. import frenchnumbers as fn
from .. import secrecy
from ..territory import Level
from ..vocabulary import (
    CONFLICT,
    ORIGINE_PARTENAIRE,
    PERIMETRE_PARTENAIRE,
    QPV,
    SECRET,
    SYNTHESIS,
    WHOLE_CONTRACT,
)
from .context import ReportContext
from .html import Html, bullets, esc, table
from .messages import published_recency
from .wording import span

SMALL_COUNT = 50  # counts below this, on a QPV, move a lot from year to year


def methods(ctx: ReportContext) -> Html:
    """Definitions, producers, releases, reference years, geography and caveats."""
    rows = []
    for ind in ctx.indicators():
        sub = ctx.records_of(ind.id)  # the indicator's rows, without a pandas selection
        if not sub:
            continue
        releases = sorted({m for r in sub for m in r["millesime"].split(" | ") if m})
        years = sorted({int(r["annee"]) for r in sub})
        geos = sorted({_geography(r["geographie"]) for r in sub if r["geographie"]}) or ["—"]
        rows.append([ind.libelle, ind.definition, ind.producteur, ind.source,
                     ", ".join(releases), span(years), ", ".join(geos)])
    parts = ["<p>Chaque chiffre vient d'une publication ou d'un document cité ci-dessous ; "
             "l'annexe technique, en fin de rapport, donne les fichiers lus et leurs "
             "empreintes. L'année indiquée est l'année que décrit la donnée, jamais l'année "
             "de publication.</p>"]
    if rows and ctx.report == SYNTHESIS:  # the sources are listed in the annexes
        parts.append("<p>Les producteurs et les publications de chaque chiffre sont listés "
                     "dans les annexes ; chaque rapport d'axe définit ses indicateurs un à "
                     "un.</p>")
    elif rows and ctx.report in WHOLE_CONTRACT:  # every indicator is in its axis report
        by_producer: dict[str, list[list[str]]] = {}
        for row in rows:
            by_producer.setdefault(str(row[2]), []).append(row)
        sources: list[list[object]] = [
            [producer, len(items), ", ".join(sorted({str(r[0]) for r in items})[:6])
             + (" …" if len(items) > 6 else ""),
             ", ".join(sorted({y for r in items for y in str(r[4]).split(", ") if y}))]
            for producer, items in sorted(by_producer.items())]
        parts.append('<details class="reference"><summary>Les producteurs des chiffres '
                     f"({len(sources)}) et leurs publications</summary>"
                     + table(["Producteur", "Indicateurs", "Par exemple", "Publications"],
                             sources, numeric=(1,), css_class="methodes",
                             caption="Les sources des chiffres de la synthèse ; chaque "
                                     "rapport d'axe définit ses indicateurs un à un")
                     + "</details>")
    elif rows:
        # a reference table, opened on screen when needed: the page stays short in print
        parts.append(f'<details class="reference"><summary>Définitions, producteurs et '
                     f"publications des {len(rows)} indicateurs de ce rapport qui ont au "
                     "moins un chiffre</summary>"
                     + table(["Indicateur", "Définition", "Producteur", "Source",
                              "Publications", "Années", "Géographie"], rows,
                             css_class="methodes", csv=False)
                     + "</details>")
    recent = published_recency(ctx)
    if recent:
        parts.append(table(["Publication", "Dernière année publiée pour le quartier"],
                           [[name, year] for name, year in
                            sorted(recent.items(), key=lambda kv: (-kv[1], kv[0]))],
                           numeric=(1,), css_class="fraicheur",
                           caption="Jusqu'à quand les chiffres publiés décrivent le quartier"))
    parts.append("<h3>Précautions de lecture</h3>" + bullets(caveats(ctx)))
    return Html("".join(parts))


def caveats(ctx: ReportContext) -> list[str]:
    """What the data of this report call for, then the contract's own caveats (its
    quarter only, from config/contrat.toml)."""
    notes = ["Une évolution est lue sur une seule série, celle d'une même source (les "
             "publications de l'Insee, ou les retours d'un même partenaire) : les chiffres "
             "imprimés dans le contrat et ceux d'une autre source n'y sont jamais raccordés ; "
             "elle est dite stable quand elle reste dans le bruit de la source (environ un "
             "point pour un taux du quartier)."]
    inds = {i.id for i in ctx.indicators()}
    sub = ctx.store[ctx.store["indicateur"].isin(inds)]
    qpv = sub[sub["niveau"] == QPV]
    secret = int((qpv["statut"] == SECRET).sum())
    if secret:
        published = "n'est pas publiée" if secret < 2 else "ne sont pas publiées"
        notes.append(f"{fn.count(secret, 'valeur')} du quartier {published} par le "
                     "producteur (secret statistique ou effectif trop faible) : "
                     f"{'elle apparaît' if secret < 2 else 'elles apparaissent'} "
                     "« secret », jamais comme zéro.")
    counts = [i for i in inds if ctx.referentiel[i].unite == "nombre"]
    small = qpv[(qpv["valeur"] < SMALL_COUNT) & qpv["indicateur"].isin(counts)]
    if not small.empty:
        n = len(small)
        notes.append(f"{fn.count(n, 'effectif')} du quartier "
                     f"{'est inférieur' if n < 2 else 'sont inférieurs'} à {SMALL_COUNT} : "
                     f"{'ses' if n < 2 else 'leurs'} variations d'une année sur l'autre sont "
                     "fragiles.")
    flagged = int((qpv["qualite"].str.startswith("NOTE_")).sum())
    if flagged:
        notes.append(f"{fn.count(flagged, 'valeur')} "
                     f"{'porte' if flagged < 2 else 'portent'} une note de qualité du "
                     "producteur : à "
                     "interpréter avec prudence.")
    conflicts = sub[sub["conflit"] == CONFLICT]
    if not conflicts.empty:
        n = len(conflicts)
        notes.append(f"{fn.count(n, 'valeur')} {'est donnée' if n < 2 else 'sont données'} "
                     "différemment par deux sources ; "
                     "le rapport retient celle de la publication la plus récente (le rapport "
                     "de validation des données détaille chaque désaccord).")
    from .comparisons import intercommunality  # noqa: PLC0415 (it imports report modules)

    ept = intercommunality(ctx)
    if ept:
        notes.append(ept)
    if ctx.own_contract:
        geographie = ctx.territory.qpv.geographie[3:]
        notes += [text.replace("{geographie}", geographie)
                  for text in ctx.contract.precautions]
    return notes


def _geography(code: str) -> str:
    """« qpv2015 » -> « géographie prioritaire 2015 »."""
    return f"géographie prioritaire {code[3:]}" if code.startswith("qpv") else code


def revisions(ctx: ReportContext) -> Html:
    """New and revised figures since the previous store, on this territory's levels."""
    path = ctx.paths.revisions
    if not path.exists():
        return Html("<p>Aucune version précédente des données n'a été conservée : rien à "
                    "comparer pour cet exercice.</p>")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    keys = {f"{lv.niveau}|{lv.code}" for lv in ctx.territory.levels}
    local = frame[(frame["niveau"] + "|" + frame["code"]).isin(keys)
                  | frame["niveau"].isin([PERIMETRE_PARTENAIRE])]
    counts = frame["nature"].value_counts()
    summary = ", ".join(fn.count(int(counts[n]), str(n)) for n in sorted(counts.index))
    summary = summary or "aucun changement"
    parts = [f"<p>Depuis l'exercice précédent (tous territoires) : {esc(summary)}. Sur "
             f"{esc(ctx.territory.libelle)} et ses territoires de comparaison :</p>"]
    rows = []
    for row in local.itertuples(index=False):
        ind = ctx.referentiel.indicators.get(str(row.indicateur))
        unit = ind.unite if ind else "nombre"
        people = ind.counts_people if ind else True
        files = str(getattr(row, "fichier", "") or "")
        public = bool(files) and str(getattr(row, "origine", "")) != ORIGINE_PARTENAIRE
        level = Level(str(row.niveau), str(row.code), "", str(row.geographie))
        now_masked = any(p.annee == int(str(row.annee)) and p.statut == secrecy.MASKED
                         for p in ctx.series(str(row.indicateur), level))

        def show(text: str, unit: str = unit, masked: bool = False,
                 niveau: str = str(row.niveau), people: bool = people,
                 public: bool = public) -> str:
            # each value, or the mask where the secrecy rule hides it
            return " ≠ ".join(
                secrecy.MASK if masked or secrecy.is_masked(float(v), unit, niveau,
                                                            people=people, public=public)
                else fn.with_unit(float(v), unit) for v in text.split(" ≠ ")) if text else "–"
        rows.append([row.nature, ind.libelle if ind else row.indicateur,
                     row.libelle_territoire or row.code, row.annee, show(str(row.avant)),
                     show(str(row.apres), masked=now_masked), row.source])
    if not rows:
        parts.append("<p>Aucun chiffre nouveau ou révisé.</p>")
    else:
        parts.append(table(["Nature", "Indicateur", "Territoire", "Année", "Avant", "Après",
                            "Source"], rows, numeric=(4, 5), css_class="changements"))
    return Html("".join(parts))
