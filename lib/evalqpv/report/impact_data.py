"""The data of the quarter among QPV: the national values, rates and groups a report
reads (ImpactData), the comparable QPV chosen by the contract's rule, and each
indicator's comparison table (comparaisons.csv's rows)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ..comparison_settings import ComparableRule, load_comparison
from ..referentiel import Indicator, Referentiel
from ..settings import ProjectPaths
from . import counterfactual as cf
from .context import ReportContext
from .national import (
    DENOMINATOR,
    denominator_label,
    national_groups,
    national_rates,
    national_territories,
    national_values,
    rate_counts,
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
    minimum: int = cf.MINIMUM_GROUP  # the fewest QPV a group needs to be ranked
    rates: pd.DataFrame | None = None  # counts per 100 inhabitants (cf.rate_values)
    denominators: dict[str, cf.Denominator] = field(default_factory=dict)  # by rate id
    groups: cf.NationalGroups | None = None  # every group's distribution, kept per run
    _own: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def values_of(self, indicator: str) -> pd.DataFrame:
        """The national values of one indicator, or of one rate per 100 inhabitants
        (split once per run when there is a national index: every table asks)."""
        if not self._by_indicator:
            self._by_indicator = split_by_indicator(self.values, self.rates, self.groups)
        return self._by_indicator.get(indicator, self.values.iloc[0:0])

    def own_values(self, indicator: str, quarter: str) -> list[float]:
        """The quarter's values of one indicator (every year), kept: each ranked list
        of indicators asks again whether the quarter's figures are secret."""
        key = (indicator, quarter)
        if key not in self._own:
            mine = self.values_of(indicator)
            self._own[key] = [float(v) for v in mine.loc[mine["code"] == quarter, "valeur"]]
        return self._own[key]

    def values_for(self, indicators: list[str]) -> pd.DataFrame:
        """The rows of a few indicators (rates included), in one frame."""
        parts = [self.values_of(i) for i in indicators]
        return pd.concat(parts, ignore_index=True) if parts else self.values.iloc[0:0]


def impact_data(ctx: ReportContext) -> ImpactData:
    cached = ctx.cache.get("impact")
    if isinstance(cached, ImpactData):
        return cached
    settings = load_comparison(ctx.paths)
    geography = ctx.territory.qpv.geographie
    values = national_values(ctx.paths.store, geography)
    rates, denominators = national_rates(ctx.paths.store, geography,
                                         rate_counts(ctx.referentiel), DENOMINATOR,
                                         denominator_label(ctx.referentiel))
    territories = national_territories(ctx.paths)
    groups = national_groups(ctx.paths, geography)
    national = published_years(values, rates, groups)
    data = ImpactData(values, territories, national, pd.DataFrame(), None, "",
                      settings.seuil, minimum=settings.effectif_minimum, rates=rates,
                      denominators=denominators, groups=groups)
    selection, problem = rule_selection(ctx, settings.reference, national)
    if selection is not None:
        missing = _missing_variables(ctx, data, selection)
        if missing:
            problem = (f"{ctx.territory.libelle} n'a pas de valeur publiée pour : "
                       f"{missing}")
        else:
            try:
                data.comparables = cf.select_comparables(
                    data.values_for([v.indicateur for v in selection.variables]),
                    ctx.territory.code, selection, territories, groups)
            except ValueError as exc:
                problem = str(exc)
    data.rule, data.problem = selection, problem
    ctx.cache["impact"] = data
    return data


def split_by_indicator(values: pd.DataFrame, rates: pd.DataFrame | None,
                       groups: cf.NationalGroups | None) -> dict[str, pd.DataFrame]:
    """The national values and rates, one frame per indicator (kept in the national
    index: the split is the same for every quarter)."""
    def make() -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for frame in [values] + ([rates] if rates is not None else []):
            out.update({str(k): g for k, g in frame.groupby("indicateur", sort=False)})
        return out

    if groups is None:
        return make()
    made: dict[str, pd.DataFrame] = groups.kept(("par_indicateur",), make)
    return made


def published_years(values: pd.DataFrame, rates: pd.DataFrame,
                    groups: cf.NationalGroups | None) -> dict[str, list[int]]:
    """The years each indicator (or rate) is published for (almost) all QPV."""
    def make() -> dict[str, list[int]]:
        return {**cf.national_years(values), **cf.national_years(rates)}

    if groups is None:
        return make()
    made: dict[str, list[int]] = groups.kept(("annees_nationales",), make)
    return made


def indicator_name(ctx: ReportContext, indicator: str) -> str:
    """An indicator's name for a reader (a rate per 100 inhabitants says so)."""
    return _name_in(ctx.referentiel, indicator)


def _name_in(referentiel: Referentiel, indicator: str) -> str:
    base = indicator.removesuffix(cf.RATE_SUFFIX)
    libelle = referentiel[base].libelle if base in referentiel else base
    return f"{libelle} {cf.RATE_WORDS}" if indicator != base else libelle


def rule_selection(ctx: ReportContext, rule: ComparableRule,
               national: dict[str, list[int]]) -> tuple[cf.Selection | None, str]:
    return selection_of(rule, ctx.referentiel, ctx.contract.baseline_year, national)


def selection_of(rule: ComparableRule, referentiel: Referentiel, baseline_year: int,
                 national: dict[str, list[int]]) -> tuple[cf.Selection | None, str]:
    """The rule with, for each variable, its last national year up to the baseline. A
    count is taken per 100 inhabitants, except a size in logarithm (the population):
    matching on size is its very purpose."""
    variables = []
    for name in rule.variables:
        ind = referentiel.indicators.get(name)
        if ind is not None and ind.unite == "nombre" and name not in rule.logarithme:
            name += cf.RATE_SUFFIX
        years = national.get(name, [])
        if not years:
            return None, (f"la variable « {_name_in(referentiel, name)} » n'est publiée "
                          "pour l'ensemble des QPV aucune année")
        before = [y for y in years if y <= baseline_year] or years[:1]
        variables.append(cf.BaselineVariable(name, max(before), name in rule.logarithme))
    return cf.Selection(tuple(variables), rule.k, rule.meme), ""


def warm(paths: ProjectPaths, referentiel: Referentiel, baseline_year: int,
         values: pd.DataFrame, rates: pd.DataFrame, groups: cf.NationalGroups) -> None:
    """Make in the national index what every quarter's comparison reads alike: the
    values split by indicator, the years published for all, and the standardised
    baseline matrix of every selection rule (config/comparaison.toml)."""
    settings = load_comparison(paths)
    national = published_years(values, rates, groups)
    split = split_by_indicator(values, rates, groups)
    for rule in (settings.reference, *settings.variantes):
        selection, _ = selection_of(rule, referentiel, baseline_year, national)
        if selection is None:
            continue
        names = [v.indicateur for v in selection.variables]
        if all(n in split for n in names):
            cf.standardised(pd.concat([split[n] for n in names], ignore_index=True),
                            selection.variables, groups)


def _missing_variables(ctx: ReportContext, data: ImpactData, selection: cf.Selection) -> str:
    """The selection variables the quarter has no value for, by name and year."""
    missing = []
    for var in selection.variables:
        rows = data.values_of(var.indicateur)
        if not ((rows["code"] == ctx.territory.code) & (rows["annee"] == var.annee)).any():
            missing.append(f"{indicator_name(ctx, var.indicateur)} ({var.annee})")
    return ", ".join(missing)



def variation_of_indicator(ind: Indicator) -> cf.Variation:
    return cf.variation_of(ind.unite)


def sens_of(ind: Indicator) -> cf.Sens:
    return "hausse" if ind.sens == "hausse" else "baisse" if ind.sens == "baisse" else "neutre"


def compared(ctx: ReportContext, data: ImpactData, ind: Indicator) -> Indicator | None:
    """The indicator as the quarter is placed on it among QPV: itself; a count per 100
    inhabitants (an indicator of its own, RATE_UNIT); None when it is not published for
    all QPV, or is the denominator itself (a size, never ranked)."""
    if ind.unite == "nombre":
        rate = ind.id + cf.RATE_SUFFIX
        if ind.id == DENOMINATOR or rate not in data.national:
            return None
        return replace(ind, id=rate, libelle=f"{ind.libelle} {cf.RATE_WORDS}",
                       unite=cf.RATE_UNIT)
    return ind if ind.id in data.national else None


def indicator_table(ctx: ReportContext, data: ImpactData, ind: Indicator) -> pd.DataFrame:
    """The indicator's rows of comparaisons.csv (computed once: the synthesis shows some
    and writes them all). `ind` as `compared` gives it."""
    if ind.id not in data.tables:
        data.tables[ind.id] = _indicator_table(ctx, data, ind)
    return data.tables[ind.id]


def _indicator_table(ctx: ReportContext, data: ImpactData, ind: Indicator) -> pd.DataFrame:
    years = data.national.get(ind.id, [])
    codes = list(data.comparables["code"]) if not data.comparables.empty else []
    rate = ind.unite == cf.RATE_UNIT
    return cf.impact_table(data.values_of(ind.id), data.territories, ctx.territory.code,
                           ind.id, years, cf.periods(years, ctx.contract.debut),
                           comparables=codes, variation=variation_of_indicator(ind),
                           sens=sens_of(ind),
                           unite=ind.unite, nom=ctx.territory.libelle, seuil=data.seuil,
                           minimum=data.minimum,
                           qualificatifs=cf.rate_qualifiers(
                               ind.libelle.removesuffix(f" {cf.RATE_WORDS}"), sens_of(ind))
                           if rate else None,
                           denominateur=data.denominators.get(ind.id),
                           national=data.groups)
