"""The quarter among all QPV: where it stands, and how its change compares with the
changes of all QPV, of its département's QPV and of the QPV like it before the contract
(config/comparaison.toml). The words follow the method: « écart d'évolution », « dans la
moyenne des QPV comparables », never « effet du contrat ».

Before any series of the contract period is published for all QPV, this is the
starting situation (« Situation de départ ») and says so; « impact » is kept for the
change of the contract period against its counterfactual (`contract_period`).

Only producers' publications covering many QPV are ranked (counterfactual: a figure of
the contract or of a partner exists for one quarter and is followed against its target
and its own history, never ranked), in groups of at least `effectif_minimum` QPV; a
count is compared only per 100 inhabitants, on the population of the nearest census.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

from .. import frenchnumbers as fn
from .. import secrecy
from ..comparison_settings import load_comparison
from ..referentiel import Indicator
from ..vocabulary import COMPARISONS_MIME, QPV, WHOLE_CONTRACT
from . import counterfactual as cf
from .charts import distribution_chart, to_svg
from .context import ReportContext
from .html import Html, bullets, esc, figure, table
from .impact_data import (
    ImpactData,
    compared,
    impact_data,
    indicator_name,
    indicator_table,
    rule_selection,
    sens_of,
    variation_of_indicator,
)
from .national import (
    DENOMINATOR,
)

GROUP_NAMES = {"ensemble_qpv": "Ensemble des QPV", "qpv_region": "QPV de la région",
               "qpv_departement": "QPV du département", "qpv_comparables": "QPV comparables"}
STARTING_TITLE = "Situation de départ : le quartier parmi les quartiers prioritaires"
IMPACT_TITLE = "Impact : le quartier comparé aux autres quartiers prioritaires depuis le " \
    "début du contrat"
LIMITS = (
    "Ces comparaisons décrivent des écarts ; elles ne mesurent pas un effet du contrat : "
    "d'autres causes peuvent expliquer qu'un quartier évolue autrement que les autres.",
    "Les habitants changent : une part des ménages d'un QPV déménage chaque année, et une "
    "évolution du quartier peut venir de qui arrive et qui part plutôt que du sort des "
    "mêmes habitants.",
    "Petits effectifs : le taux d'un quartier de quelques milliers d'habitants bouge d'un "
    "point ou deux d'une année sur l'autre sans que rien n'ait changé ; une évolution "
    "n'est dite inhabituelle qu'au-delà du seuil indiqué.",
    "Le périmètre a changé : les séries publiques portent sur la géographie prioritaire "
    "2015 ; la géographie 2024 redessine les quartiers, et les comparaisons futures "
    "devront être refaites sur elle, QPV comparables compris.",
    "Les années diffèrent selon les sources (Filosofi, recensement, demandeurs d'emploi au "
    "31 décembre) : chaque chiffre est daté de l'année qu'il décrit.",
)


def contract_period(ctx: ReportContext, data: ImpactData, inds: list[Indicator]) -> bool:
    """Whether a series published for all QPV reaches the contract's first year: only
    then does the section compare the contract period with its counterfactual."""
    debut = ctx.contract.debut
    return bool(debut) and any(y >= debut for i in inds for y in data.national.get(i.id, []))


def section_title(ctx: ReportContext) -> str:
    """« Situation de départ : … » until a series of the contract period is published
    for all QPV, then « Impact : … » (for a notebook's heading)."""
    data = impact_data(ctx)
    return IMPACT_TITLE if contract_period(ctx, data, impact_indicators(ctx, data)) \
        else STARTING_TITLE


def _secret(ctx: ReportContext, data: ImpactData, ind: Indicator) -> bool:
    """A small count of the quarter is never published (docs/secret_statistique.md),
    nor its rate, which would give it back."""
    base = ind.id.removesuffix(cf.RATE_SUFFIX)
    unit = ctx.referentiel[base].unite if base in ctx.referentiel else ind.unite
    return any(secrecy.is_masked(v, unit, QPV)
               for v in data.own_values(base, ctx.territory.code))


def ranked(ctx: ReportContext, data: ImpactData, inds: list[Indicator]) -> list[Indicator]:
    """`inds` as they are ranked among QPV (rates for counts), secret ones left out."""
    out: list[Indicator] = []
    for ind in inds:
        shown = compared(ctx, data, ind)
        if shown is not None and not _secret(ctx, data, shown) \
                and shown.id not in {i.id for i in out}:
            out.append(shown)
    return out


def comparisons_table(ctx: ReportContext, data: ImpactData) -> pd.DataFrame:
    """Every indicator published for all QPV, every year: comparaisons.csv (counts per
    100 inhabitants; small counts of the quarter left out, as in the reports)."""
    inds = ranked(ctx, data, list(ctx.referentiel.indicators.values()))
    parts = [indicator_table(ctx, data, i) for i in inds]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(cf.TABLE_COLUMNS))
    return cf.sort_table(pd.concat(parts, ignore_index=True))


def impact_indicators(ctx: ReportContext, data: ImpactData) -> list[Indicator]:
    """The synthesis: what the contract is about; an axis: its impact indicators (or,
    without any published for all QPV, what the contract is about on this axis). As
    they are ranked: a count is its rate per 100 inhabitants."""
    about = ranked(ctx, data, [ctx.referentiel[i] for i in ctx.contract.messages
                                if i in ctx.referentiel])
    if ctx.report in WHOLE_CONTRACT:  # the annexes carry comparaisons.csv
        return about[:5]
    own = ranked(ctx, data, [i for i in ctx.indicators()
                              if i.axe == ctx.report and i.type == "impact"])
    return own or [i for i in about if i.in_report(ctx.report)][:4]


def impact(ctx: ReportContext) -> Html:
    """The section placing the quarter among QPV: its starting situation before the
    contract, its impact once series of the contract period are published."""
    data = impact_data(ctx)
    inds = impact_indicators(ctx, data)
    extra: dict[str, object] = {}
    if ctx.report in WHOLE_CONTRACT:  # the annexes carry comparaisons.csv
        extra = {COMPARISONS_MIME: cf.table_to_csv(comparisons_table(ctx, data))}
    if not inds:  # one line: nothing to frame, nothing to limit
        return Html("<p>Aucun indicateur de cet axe n'est publié pour l'ensemble des "
                    "quartiers prioritaires : le quartier ne peut pas y être situé parmi "
                    "eux ; ses chiffres se lisent au regard des cibles et de leur propre "
                    "passé.</p>", extra=extra)
    parts = [f"<p>{esc(_framing(ctx, data, inds))}</p>"]
    for ind in inds:
        parts.append(_indicator_section(ctx, data, ind))
    parts.append("<h3>Limites de la lecture</h3>" + bullets(LIMITS))
    return Html("".join(parts), extra=extra)


def _framing(ctx: ReportContext, data: ImpactData, inds: list[Indicator]) -> str:
    c = ctx.contract
    last = max((y for i in inds for y in data.national[i.id]), default=None)
    started = contract_period(ctx, data, inds)
    if started:
        text = (f"Impact, depuis le début du contrat ({c.debut}) : l'évolution du quartier "
                "depuis l'année qui précède le contrat est comparée à celles de tous les "
                "quartiers prioritaires, de ceux de sa région et de son département, et des "
                "QPV qui lui ressemblaient avant le contrat")
    else:
        text = ("Situation de départ, avant le contrat : le quartier est placé parmi tous les "
                "quartiers prioritaires qui ont une valeur publiée la même année, parmi ceux "
                "de sa région et de son département, et parmi les QPV qui lui ressemblaient "
                "avant le contrat")
    if data.comparables.empty:
        text += f" (ici impossibles à choisir : {data.problem})"
    text += "."
    if last is not None and c.debut and not started:
        text += (f" Les séries publiées pour tous les QPV s'arrêtent en {last}, avant le "
                 f"contrat ({c.debut}-{c.fin}) : elles décrivent le quartier avant le "
                 "contrat et ne disent rien encore de son impact.")
    text += (f" Un nombre (demandeurs d'emploi, allocataires…) n'est comparé qu'en taux "
             f"{cf.RATE_WORDS}, sur la population du recensement le plus proche ; un groupe "
             f"de moins de {data.minimum} QPV avec une valeur n'est pas classé, et un "
             "chiffre connu pour le seul quartier (celui du contrat ou d'un partenaire) "
             "ne l'est jamais : il se lit au regard de sa cible et de son propre passé.")
    return text


def cell_words(value: float, unite: str) -> str:
    return fn.number(value, 1) if unite == cf.RATE_UNIT else fn.with_unit(value, unite)


def _indicator_section(ctx: ReportContext, data: ImpactData, ind: Indicator) -> str:
    tab = indicator_table(ctx, data, ind)
    if tab.empty:
        return (f"<h3>{esc(ind.libelle)}</h3><p>{esc(ctx.territory.libelle)} n'a pas de valeur "
                "publiée les années où l'indicateur l'est pour tous les QPV, ou les groupes "
                f"comptent moins de {data.minimum} QPV avec une valeur.</p>")
    levels = tab[tab["annee_debut"].isna()]
    out = [f"<h3>{esc(ind.libelle)}</h3>"]
    if levels.empty:
        return "".join(out) + _moves(ctx, data, ind, tab)
    year = int(levels["annee"].max())
    latest = levels[levels["annee"] == year]
    rows = [[GROUP_NAMES[str(r["groupe"])], fn.number(_float(r["effectif"])),
             cell_words(_float(r["valeur_quartier"]), ind.unite),
             fn.number(_float(r["rang"])),
             fn.share(_float(r["part_inferieure"])),
             cell_words(_float(r["mediane_groupe"]), ind.unite)] for r in _records(latest)]
    sentences = [str(r["lecture"]) for r in _records(latest)]
    # one sentence (among all QPV); the table gives the region, département and
    # comparable QPV
    out.append(f"<p>{esc(sentences[0])}</p>")
    out.append(_distribution(ctx, data, ind, year))
    den = data.denominators.get(ind.id)
    per = f" ({den.words(year)})" if den else ""
    out.append(table(["Groupe", "QPV comparés", ctx.territory.libelle, "Rang (1 = le plus "
                      "élevé)", "Part des QPV en dessous", "Médiane du groupe"], rows,
                     numeric=(1, 2, 3, 4, 5), css_class="positions",
                     caption=f"{ind.libelle}{per} en {year} : position du quartier"))
    small = _small_groups(ctx, data, set(latest["groupe"]))
    if small:
        out.append(f"<p>{esc(small)}</p>")
    return "".join(out) + _moves(ctx, data, ind, tab)


def _small_groups(ctx: ReportContext, data: ImpactData, shown: set[str]) -> str:
    """Which groups are not ranked, and why (fewer QPV with a value than the minimum)."""
    expected = ["ensemble_qpv", "qpv_region", "qpv_departement"]
    if not data.comparables.empty:
        expected.append("qpv_comparables")
    left = [GROUP_NAMES[g].replace("QPV", "les QPV", 1) if g != "ensemble_qpv"
            else "l'ensemble des QPV" for g in expected if g not in shown]
    if not left:
        return ""
    return (f"Pas de rang parmi {', '.join(left)} : moins de {data.minimum} QPV y ont une "
            "valeur publiée cette année-là.")


def _moves(ctx: ReportContext, data: ImpactData, ind: Indicator, tab: pd.DataFrame) -> str:
    moves = tab[tab["annee_debut"].notna()]
    if moves.empty:
        return ""
    debut = ctx.contract.debut
    before = moves[moves["annee"] < debut] if debut else moves
    during = moves[moves["annee"] >= debut] if debut else moves.iloc[0:0]
    unusual = (f"une évolution est dite inhabituelle quand au moins {fn.share(data.seuil)} "
               "des QPV du groupe ont évolué moins, ou plus, que le quartier")
    out = []
    if not before.empty:
        out.append("<p>Évolution avant le contrat, comparée à celle des autres QPV ("
                   f"{esc(unusual)}) :</p>")
        out.append(bullets([str(r["lecture"]) for r in _records(before)]))
    if not during.empty:
        out.append(f"<p>Depuis le début du contrat ({debut}), comparée à celle des autres "
                   f"QPV ({esc(unusual)} ; un écart d'évolution, pas un effet du contrat) :</p>")
        out.append(bullets([str(r["lecture"]) for r in _records(during)]))
    return "".join(out)


def _distribution(ctx: ReportContext, data: ImpactData, ind: Indicator, year: int) -> str:
    mine = data.values_of(ind.id)
    values = mine[mine["annee"] == year]
    if len(values) < data.minimum:  # a distribution of a handful places nothing
        return ""
    dep = ctx.territory.level("departement")
    members = cf.group_members(data.territories, ctx.territory.code, "qpv_departement") \
        if dep else set()
    own = values[values["code"] == ctx.territory.code]["valeur"]
    if own.empty:
        return ""
    quarter = float(own.iloc[0])
    group = [float(v) for v in values[values["code"].isin(members or set())]["valeur"]]
    rate = ind.unite == cf.RATE_UNIT
    unit = "indice" if rate else ind.unite
    den = data.denominators.get(ind.id)
    source = _source_line(ctx, data, ind, values, year)
    svg = to_svg(distribution_chart([float(v) for v in values["valeur"]], group, quarter,
                                    unit, ctx.territory.libelle,
                                    f"QPV de {dep.libelle}" if dep else "QPV du département",
                                    source=source, per=cf.RATE_WORDS if rate else ""))
    said = cf.value_words(quarter, ind.unite)
    median = cf.value_words(float(values["valeur"].median()), ind.unite)
    alt = (f"Histogramme de « {ind.libelle} » en {year} pour {len(values)} QPV ; "
           f"{ctx.territory.libelle} : {said}, médiane des QPV : {median}.")
    per = f", {den.words(year)}" if den else ""
    return figure(svg, alt, f"{ind.libelle} en {year}{per} : tous les QPV (barres grises), "
                  "ceux du département (traits) et le quartier (trait épais).")


def _source_line(ctx: ReportContext, data: ImpactData, ind: Indicator, values: pd.DataFrame,
                 year: int) -> str:
    """The producer of the figures drawn, and the dataset that publishes them for all
    QPV: « Sources : France Travail, Dares, dans Insee, bases QPV – Insertion
    professionnelle (2020) ; population : Insee, dans … (2018). »"""
    base = ind.id.removesuffix(cf.RATE_SUFFIX)
    parts = [f"{_producer(ctx, base)}, dans {_dataset(values)} ({year})"]
    den = data.denominators.get(ind.id)
    census = den.annees.get(year) if den else None
    if census is not None:
        rows = data.values_of(DENOMINATOR)
        rows = rows[rows["annee"] == census]
        parts.append(f"population : {_producer(ctx, DENOMINATOR)}, dans {_dataset(rows)} "
                     f"({census})")
    return ("Sources : " if len(parts) > 1 else "Source : ") + " ; ".join(parts) + "."


def _producer(ctx: ReportContext, indicator: str) -> str:
    ind = ctx.referentiel.indicators.get(indicator)
    return ind.producteur if ind is not None and ind.producteur else "producteur non précisé"


def _dataset(rows: pd.DataFrame) -> str:
    """The publication most of these rows come from, without its release year:
    « Insee, bases QPV – Insertion professionnelle »."""
    if "source" not in rows.columns or rows.empty:
        return "publication non précisée"
    names: Counter[str] = Counter()
    for text in rows["source"].astype(str):
        for part in text.split(" | "):
            if part.strip():
                names[re.sub(r",? publication \d{4}$", "", part.strip())] += 1
    if not names:
        return "publication non précisée"
    return min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def comparables(ctx: ReportContext) -> Html:
    """The comparable QPV, how they were chosen, and whether the reading holds when the
    choice changes (another k, other variables, the same region)."""
    data = impact_data(ctx)
    if data.comparables.empty or data.rule is None:
        return Html(f"<p>Pas de QPV comparables : {esc(data.problem)}.</p>")
    rule = data.rule
    variables = ", ".join(f"{indicator_name(ctx, v.indicateur)} "
                          f"({v.annee}{', en logarithme' if v.log else ''})"
                          for v in rule.variables)
    intro = (f"<p>Les {rule.k} QPV les plus proches de {esc(ctx.territory.libelle)} avant le "
             f"contrat sur : {esc(variables)}. Chaque variable est centrée et réduite sur "
             "l'ensemble des QPV, la distance est euclidienne et les égalités sont départagées "
             "par le code du quartier : la sélection est la même à chaque exécution.</p>")
    rows = [[r["rang"], r["libelle_qpv"], str(r["libelles_communes"]).replace("|", ", "),
             r["code"], fn.number(_float(r["distance"]), 2)]
            for r in _records(data.comparables)]
    out = [intro, table(["Rang", "Quartier", "Communes", "Code", "Distance"], rows,
                        numeric=(0, 4), css_class="comparables",
                        caption="QPV comparables (avant le contrat)")]
    out.append(_sensitivity(ctx, data))
    return Html("".join(out))


def _sensitivity(ctx: ReportContext, data: ImpactData) -> str:
    settings = load_comparison(ctx.paths)
    selections: dict[str, cf.Selection] = {}
    notes = []
    for rule in (settings.reference, *settings.variantes):
        selection, problem = rule_selection(ctx, rule, data.national)
        if selection is None:
            notes.append(f"{rule.nom} : {problem}")
            continue
        selections[rule.nom] = selection
    inds = [i for i in impact_indicators(ctx, data) if len(data.national.get(i.id, [])) >= 2]
    if len(selections) < 2 or not inds:
        return ""
    rows = []
    chosen: dict[str, list[str]] | None = None  # the same lists for every indicator
    variables = sorted({v.indicateur for sel in selections.values() for v in sel.variables})
    for ind in inds[:3]:
        years = [y for y in data.national[ind.id]
                 if not ctx.contract.debut or y < ctx.contract.debut]
        if len(years) < 2:
            continue
        try:
            if chosen is None:
                chosen = cf.comparable_lists(data.values_for(variables), ctx.territory.code,
                                             selections, data.territories, data.groups)
            table_ = cf.sensitivity(data.values_of(ind.id), data.territories,
                                    ctx.territory.code, selections, ind.id, years[-1],
                                    years[0], reference=settings.reference.nom,
                                    variation=variation_of_indicator(ind), sens=sens_of(ind),
                                    unite=ind.unite, nom=ctx.territory.libelle,
                                    seuil=data.seuil, chosen=chosen, minimum=data.minimum,
                                    denominateur=data.denominators.get(ind.id),
                                    national=data.groups)
        except ValueError as exc:
            notes.append(f"{ind.libelle} : {exc}")
            continue
        for r in _records(table_):
            shared = ("référence" if r["reference"] else
                      f"{r['communs_reference']} sur {r['selectionnes']}")
            part = _float(r["part_variation_inferieure"])
            rows.append([ind.libelle, r["variante"], shared,
                         "–" if math.isnan(part) else fn.share(part)])
    text = ("<h3>La sélection change-t-elle la lecture ?</h3><p>La même comparaison avec "
            "d'autres règles de sélection : combien de QPV elles partagent avec la sélection "
            "de référence, et la part des QPV comparables dont l'évolution est plus faible que "
            "celle du quartier. Si cette part change beaucoup d'une règle à l'autre, la "
            "lecture ne tient pas à la méthode près.</p>")
    if notes:
        text += bullets(notes)
    return text + table(["Indicateur", "Règle de sélection", "QPV en commun avec la "
                         "référence", "QPV comparables à l'évolution plus faible"], rows,
                        numeric=(3,), css_class="sensibilite")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _float(value: object) -> float:
    """A table cell as a float (NaN when empty)."""
    try:
        return float(str(value)) if value is not None else math.nan
    except ValueError:
        return math.nan
