"""Impact against a counterfactual: the quarter among all QPV, and its change against
the changes of all QPV, of its département's QPV and of the QPV like it before the
contract (config/comparaison.toml). The words follow the method: « écart d'évolution »,
« dans la moyenne des QPV comparables », never « effet du contrat ».
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .. import frenchnumbers as fn
from .. import secrecy
from ..referentiel import Indicator
from ..settings import ComparableRule, load_comparison
from ..vocabulary import COMPARISONS_MIME, QPV, WHOLE_CONTRACT
from . import counterfactual as cf
from .charts import distribution_chart, to_svg
from .context import ReportContext
from .html import Html, bullets, esc, figure, table
from .national import national_values

GROUP_NAMES = {"ensemble_qpv": "Ensemble des QPV", "qpv_region": "QPV de la région",
               "qpv_departement": "QPV du département", "qpv_comparables": "QPV comparables"}
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


@dataclass
class ImpactData:
    """The national values and the comparable QPV, loaded once per report."""

    values: pd.DataFrame
    territories: pd.DataFrame
    national: dict[str, list[int]]  # indicator -> years published for (almost) all QPV
    comparables: pd.DataFrame  # empty when they cannot be chosen
    rule: cf.Selection | None
    problem: str  # why no comparable QPV, in French
    seuil: float
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # indicator_table's
    _by_indicator: dict[str, pd.DataFrame] = field(default_factory=dict)

    def values_of(self, indicator: str) -> pd.DataFrame:
        """The national values of one indicator (split once: every table asks)."""
        if not self._by_indicator:
            self._by_indicator = {str(k): g for k, g in
                                  self.values.groupby("indicateur", sort=False)}
        return self._by_indicator.get(indicator, self.values.iloc[0:0])


def impact_data(ctx: ReportContext) -> ImpactData:
    cached = ctx.cache.get("impact")
    if isinstance(cached, ImpactData):
        return cached
    settings = load_comparison(ctx.paths)
    values = national_values(ctx.paths.store, ctx.territory.qpv.geographie)
    territories = pd.read_csv(ctx.paths.territories, dtype=str, keep_default_na=False)
    national = cf.national_years(values)
    selection, problem = _selection(settings.reference, national, ctx.contract.baseline_year)
    comparables = pd.DataFrame()
    if selection is not None:
        try:
            comparables = cf.select_comparables(values, ctx.territory.code, selection,
                                                territories)
        except ValueError as exc:
            problem = str(exc)
    data = ImpactData(values, territories, national, comparables, selection, problem,
                      settings.seuil)
    ctx.cache["impact"] = data
    return data


def _selection(rule: ComparableRule, national: dict[str, list[int]],
               baseline: int) -> tuple[cf.Selection | None, str]:
    """The rule with, for each variable, its last national year up to the baseline."""
    variables = []
    for name in rule.variables:
        years = national.get(name, [])
        if not years:
            return None, f"la variable « {name} » n'est publiée pour l'ensemble des QPV " \
                         "aucune année"
        before = [y for y in years if y <= baseline] or years[:1]
        variables.append(cf.BaselineVariable(name, max(before), name in rule.logarithme))
    return cf.Selection(tuple(variables), rule.k, rule.meme), ""


def _periods(years: list[int]) -> list[tuple[int, int]]:
    return [(years[0], years[-1])] if len(years) >= 2 else []


def _variation(ind: Indicator) -> cf.Variation:
    return "relative" if ind.unite in ("nombre", "euros") else "absolue"


def _sens(ind: Indicator) -> cf.Sens:
    return "hausse" if ind.sens == "hausse" else "baisse" if ind.sens == "baisse" else "neutre"


def indicator_table(ctx: ReportContext, data: ImpactData, ind: Indicator) -> pd.DataFrame:
    """The indicator's rows of comparaisons.csv (computed once: the synthesis shows some
    and writes them all)."""
    if ind.id not in data.tables:
        data.tables[ind.id] = _indicator_table(ctx, data, ind)
    return data.tables[ind.id]


def _indicator_table(ctx: ReportContext, data: ImpactData, ind: Indicator) -> pd.DataFrame:
    years = data.national.get(ind.id, [])
    codes = list(data.comparables["code"]) if not data.comparables.empty else []
    return cf.impact_table(data.values_of(ind.id), data.territories, ctx.territory.code,
                           ind.id, years,
                           _periods(years), comparables=codes, variation=_variation(ind),
                           sens=_sens(ind), unite=ind.unite, nom=ctx.territory.libelle,
                           seuil=data.seuil)


def _secret(ctx: ReportContext, data: ImpactData, ind: Indicator) -> bool:
    """A small count of the quarter is never published (docs/secret_statistique.md)."""
    mine = data.values_of(ind.id)
    own = mine[mine["code"] == ctx.territory.code]["valeur"]
    return any(secrecy.is_masked(float(v), ind.unite, QPV) for v in own)


def comparisons_table(ctx: ReportContext, data: ImpactData) -> pd.DataFrame:
    """Every indicator published for all QPV, every year: comparaisons.csv (small counts
    of the quarter left out, as in the reports)."""
    parts = [indicator_table(ctx, data, ctx.referentiel[i]) for i in data.national
             if i in ctx.referentiel and not _secret(ctx, data, ctx.referentiel[i])]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(cf.TABLE_COLUMNS))
    return cf.sort_table(pd.concat(parts, ignore_index=True))


def impact_indicators(ctx: ReportContext, data: ImpactData) -> list[Indicator]:
    """The synthesis: what the contract is about; an axis: its impact indicators (or,
    without any published for all QPV, what the contract is about on this axis)."""
    about = [ctx.referentiel[i] for i in ctx.contract.messages
             if i in ctx.referentiel and i in data.national
             and not _secret(ctx, data, ctx.referentiel[i])]
    if ctx.report in WHOLE_CONTRACT:  # the annexes carry comparaisons.csv
        return about[:5]
    own = [i for i in ctx.indicators() if i.axe == ctx.report and i.type == "impact"
           and i.id in data.national and not _secret(ctx, data, i)]
    return own or [i for i in about if i.in_report(ctx.report)][:4]


def impact(ctx: ReportContext) -> Html:
    """The section « Impact » of a report."""
    data = impact_data(ctx)
    inds = impact_indicators(ctx, data)
    parts = [f"<p>{esc(_framing(ctx, data))}</p>"]
    if not inds:
        parts.append("<p>Aucun indicateur de cet axe n'est publié pour l'ensemble des "
                     "quartiers prioritaires : pas de comparaison possible.</p>")
    for ind in inds:
        parts.append(_indicator_section(ctx, data, ind))
    parts.append("<h3>Limites de la lecture</h3>" + bullets(LIMITS))
    extra: dict[str, object] = {}
    if ctx.report in WHOLE_CONTRACT:  # the annexes carry comparaisons.csv
        extra = {COMPARISONS_MIME: cf.table_to_csv(comparisons_table(ctx, data))}
    return Html("".join(parts), extra=extra)


def _framing(ctx: ReportContext, data: ImpactData) -> str:
    last = max((y for i in impact_indicators(ctx, data) for y in data.national[i.id]),
               default=None)
    text = ("Le quartier est placé parmi tous les quartiers prioritaires qui ont une valeur "
            "publiée la même année, parmi ceux de sa région et de son département, et parmi "
            "les QPV qui lui ressemblaient avant le contrat")
    if data.comparables.empty:
        text += f" (ici impossibles à choisir : {data.problem})"
    text += "."
    if last is not None and ctx.contract.debut and last < ctx.contract.debut:
        text += (f" Les séries publiées pour tous les QPV s'arrêtent en {last}, avant le "
                 f"contrat ({ctx.contract.debut}) : les évolutions ci-dessous décrivent la "
                 "tendance de départ du quartier, elles ne peuvent rien dire encore du "
                 "contrat.")
    return text


def _indicator_section(ctx: ReportContext, data: ImpactData, ind: Indicator) -> str:
    tab = indicator_table(ctx, data, ind)
    if tab.empty:
        return (f"<h3>{esc(ind.libelle)}</h3><p>{esc(ctx.territory.libelle)} n'a pas de valeur "
                "publiée les années où l'indicateur l'est pour tous les QPV.</p>")
    levels = tab[tab["annee_debut"].isna()]
    year = int(levels["annee"].max())
    latest = levels[levels["annee"] == year]
    rows = [[GROUP_NAMES[str(r["groupe"])], fn.number(_float(r["effectif"])),
             fn.with_unit(_float(r["valeur_quartier"]), ind.unite),
             fn.number(_float(r["rang"])),
             fn.share(_float(r["part_inferieure"])),
             fn.with_unit(_float(r["mediane_groupe"]), ind.unite)] for r in _records(latest)]
    sentences = [str(r["lecture"]) for r in _records(latest)]
    moves = tab[tab["annee_debut"].notna()]
    # one sentence (among all QPV); the table gives the region, département and
    # comparable QPV
    out = [f"<h3>{esc(ind.libelle)}</h3>", f"<p>{esc(sentences[0])}</p>" if sentences else ""]
    out.append(_distribution(ctx, data, ind, year))
    out.append(table(["Groupe", "QPV comparés", ctx.territory.libelle, "Rang (1 = le plus "
                      "élevé)", "Part des QPV en dessous", "Médiane du groupe"], rows,
                     numeric=(1, 2, 3, 4, 5), css_class="positions",
                     caption=f"{ind.libelle} en {year} : position du quartier"))
    if not moves.empty:
        out.append("<p>Évolution comparée (lecture « placebo » : l'évolution du quartier "
                   "est-elle inhabituelle au regard de celles des autres QPV ?) :</p>")
        out.append(bullets([str(r["lecture"]) for r in _records(moves)]))
    return "".join(out)


def _distribution(ctx: ReportContext, data: ImpactData, ind: Indicator, year: int) -> str:
    mine = data.values_of(ind.id)
    values = mine[mine["annee"] == year]
    dep = ctx.territory.level("departement")
    members = cf.group_members(data.territories, ctx.territory.code, "qpv_departement") \
        if dep else set()
    own = values[values["code"] == ctx.territory.code]["valeur"]
    if own.empty:
        return ""
    quarter = float(own.iloc[0])
    group = [float(v) for v in values[values["code"].isin(members or set())]["valeur"]]
    png = to_svg(distribution_chart([float(v) for v in values["valeur"]], group, quarter,
                                    ind.unite, ctx.territory.libelle,
                                    f"QPV de {dep.libelle}" if dep else "QPV du département"))
    alt = (f"Histogramme de « {ind.libelle} » en {year} pour {len(values)} QPV ; "
           f"{ctx.territory.libelle} : {fn.with_unit(quarter, ind.unite)}, médiane des QPV : "
           f"{fn.with_unit(float(values['valeur'].median()), ind.unite)}.")
    return figure(png, alt, f"{ind.libelle} en {year} : tous les QPV (barres grises), ceux du "
                  "département (traits) et le quartier (trait épais). Source : Insee, bases "
                  "QPV.")


def comparables(ctx: ReportContext) -> Html:
    """The comparable QPV, how they were chosen, and whether the reading holds when the
    choice changes (another k, other variables, the same region)."""
    data = impact_data(ctx)
    if data.comparables.empty or data.rule is None:
        return Html(f"<p>Pas de QPV comparables : {esc(data.problem)}.</p>")
    rule = data.rule
    names = {i.id: i.libelle for i in ctx.referentiel.indicators.values()}
    variables = ", ".join(f"{names.get(v.indicateur, v.indicateur)} "
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
        selection, problem = _selection(rule, data.national, ctx.contract.baseline_year)
        if selection is None:
            notes.append(f"{rule.nom} : {problem}")
            continue
        selections[rule.nom] = selection
    inds = [i for i in impact_indicators(ctx, data) if len(data.national.get(i.id, [])) >= 2]
    if len(selections) < 2 or not inds:
        return ""
    rows = []
    chosen: dict[str, list[str]] | None = None  # the same lists for every indicator
    for ind in inds[:3]:
        years = data.national[ind.id]
        try:
            if chosen is None:
                chosen = cf.comparable_lists(data.values, ctx.territory.code, selections,
                                             data.territories)
            table_ = cf.sensitivity(data.values_of(ind.id), data.territories,
                                    ctx.territory.code, selections, ind.id, years[-1],
                                    years[0], reference=settings.reference.nom,
                                    variation=_variation(ind), sens=_sens(ind),
                                    unite=ind.unite, nom=ctx.territory.libelle,
                                    seuil=data.seuil, chosen=chosen)
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
