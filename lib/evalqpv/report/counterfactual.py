"""Where a quarter stands among QPV, and how its change compares with a counterfactual.

Three questions, answered with descriptive statistics only (no causal claim):

1. Position: the quarter's rank and percentile among all QPV, the QPV of its region and
   of its département (and of its comparable QPV), for one indicator and one year.
2. Comparable QPV: the k QPV nearest to the quarter on standardised baseline variables,
   chosen by a documented, deterministic rule (ties broken by code).
3. Change against the counterfactual: the quarter's change between two years against
   the distribution of changes in each group (a placebo reading: is it unusual?).

Everything here is a pure function of DataFrames and plain values; the store gives the
values (store.load.load_qpv_values) and the territories (store.tables).

Conventions (shared by every function, see also docs/comparaisons.md):

* Values: only store rows with `niveau == "qpv"`, `geographie == "qpv2015"`,
  `statut == "valeur"` and a finite `valeur`, published by a producer: a figure of the
  contract's transcription or of a partner's return exists for one quarter and is never
  ranked (a row citing both a publication and the contract is a publication's). Where a
  key (indicateur, code, annee) still
  has several rows (`conflit == "oui"`), the row with the latest `millesime` wins. A
  merged row cites several publications (`"2021 | 2017"`): its millesime is the latest
  of them; millesimes are compared as strings (four-digit years, so the string order
  is the year order). Equal millesimes: the row that sorts last on
  (source, fichier, ligne, valeur) wins, so the choice never depends on row order.
* Groups: `ensemble_qpv` (every QPV with a value), `qpv_region`, `qpv_departement`
  (from `territoires.csv`) and `qpv_comparables` (the selected comparables). The quarter
  itself is always a member and is counted in `effectif`. A group with fewer than
  `minimum` QPV with a value (the quarter included; 2 by default, 10 in the reports,
  config/comparaison.toml) gives no row: a group of one is never ranked.
* Counts: a count mostly measures a quarter's size. Across territories it is compared
  only as a rate per 100 inhabitants (`rate_values`, unit RATE_UNIT), on the population
  of the census year nearest to the count's year, which the sentences and the
  `denominateur` column state.
* `rang` counts from the highest value: 1 = the highest; ties share the minimum rank
  (1 + number of QPV with a strictly higher value).
* `part_inferieure` = 100 x (QPV of the group with a strictly lower value) / effectif:
  a group of one gives 0, the highest of ten distinct values gives 90.
* A quarter without a value in a year gives no row for that year (and no change row
  for a period where one end is missing): there is nothing to place.
* Comparisons use values rounded to 9 decimals, so that two changes which are equal on
  paper (31.4 - 30.1 and 25.3 - 24.0) are ties and not separated by float noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd

from .. import frenchnumbers as fn
from ..ingest.registry import is_hand_filled
from .groups import (
    GROUPS,
    TIE_DECIMALS,
    Distribution,
    GroupStats,
    NationalGroups,
    Variation,
    changes,
    group_members,
    group_statistics,
    groups_of,
    restrict,
    territory_row,
    value_at,
    year_series,
)

__all__ = ["GROUPS", "TIE_DECIMALS", "Distribution", "GroupStats", "NationalGroups", "Variation", "changes",
           "group_members", "group_statistics"]

GEOGRAPHY = "qpv2015"
TABLE_COLUMNS = (
    "indicateur", "annee", "annee_debut", "groupe", "effectif", "valeur_quartier", "rang",
    "part_inferieure", "mediane_groupe", "variation_quartier", "variation_mediane",
    "part_variation_inferieure",
    # beyond the minimum asked: what the sentences need, kept for audit
    "part_superieure", "valeur_debut_quartier", "rang_variation", "part_variation_superieure",
    "ecart_variation", "mesure_variation", "lecture",
    # a rate per 100 inhabitants: the population it is computed on (« population
    # municipale 2018 »); empty for a rate, an amount or an index published as such
    "denominateur",
)
INTEGER_COLUMNS = ("annee", "annee_debut", "effectif", "rang", "rang_variation")
DISTANCE_DECIMALS = 10
MINIMUM_GROUP = 2  # the fewest QPV a group needs to be ranked (the quarter included)
# A count per 100 inhabitants (rate_values): its values, and how they read.
RATE_UNIT = "pour_100_habitants"
RATE_SUFFIX = "_pour_100_habitants"
RATE_WORDS = "pour 100 habitants"

Sens = Literal["hausse", "baisse", "neutre"]

_GROUP_SUFFIX = {"ensemble_qpv": "", "qpv_region": " de la région",
                 "qpv_departement": " du département", "qpv_comparables": " comparables"}

# How a position reads for a few indicators: (favourable end, unfavourable end).
QUALIFIERS: dict[str, tuple[str, str]] = {
    "taux_pauvrete": ("les moins pauvres", "les plus pauvres"),
    "taux_bas_revenus": ("les moins pauvres", "les plus pauvres"),
    "revenu_median_disponible": ("aux revenus les plus élevés", "aux revenus les plus faibles"),
    "taux_emploi_15_64": ("au taux d'emploi le plus élevé", "au taux d'emploi le plus faible"),
    "taux_emploi_15_64_femmes": ("au taux d'emploi des femmes le plus élevé",
                                 "au taux d'emploi des femmes le plus faible"),
}
_DEFAULT_QUALIFIERS = ("les mieux placés sur cet indicateur",
                       "les moins bien placés sur cet indicateur")


def rate_qualifiers(libelle: str, sens: Sens) -> tuple[str, str]:
    """How a position reads for a count per 100 inhabitants (favourable end first):
    « avec le moins de demandeurs d'emploi … pour 100 habitants »."""
    what = libelle[:1].lower() + libelle[1:] if libelle[1:2].islower() else libelle
    of = f"d'{what}" if what[:1].lower() in "aeiouyéèêàâîôûh" else f"de {what}"
    fewest, most = f"avec le moins {of} {RATE_WORDS}", f"avec le plus {of} {RATE_WORDS}"
    return (most, fewest) if sens == "hausse" else (fewest, most)


# --------------------------------------------------------------------------- values

def latest_millesime(text: object) -> str:
    """'2021 | 2017' -> '2021': a merged row is as recent as its latest publication."""
    parts = [p.strip() for p in str(text).split("|") if p.strip()]
    return max(parts) if parts else ""


def _latest_millesimes(texts: pd.Series) -> pd.Series:
    """latest_millesime of each row, computed once per distinct text (a few dozen for
    two hundred thousand rows)."""
    texts = texts.astype(str)
    latest = {text: latest_millesime(text) for text in texts.unique()}
    return texts.map(latest).astype(str)


def clean_observations(observations: pd.DataFrame, geographie: str = GEOGRAPHY) -> pd.DataFrame:
    """One comparable value per (indicateur, code, annee) for the QPV of one geography.

    Keeps published numbers only (statut 'valeur', finite), so that secrets and bounds
    never enter a rank; resolves conflicts by the latest millesime (module docstring).
    Returns columns indicateur, code, annee (int), valeur (float), millesime.
    """
    obs = observations
    valeur = pd.to_numeric(obs["valeur"], errors="coerce").astype(float)
    keep = ((obs["niveau"] == "qpv") & (obs["geographie"] == geographie)
            & (obs["statut"] == "valeur") & np.isfinite(valeur))
    if "fichier" in obs.columns:
        keep &= ~_hand_filled(obs["fichier"])
    frame = pd.DataFrame({
        "indicateur": obs.loc[keep, "indicateur"].astype(str),
        "code": obs.loc[keep, "code"].astype(str),
        "annee": pd.to_numeric(obs.loc[keep, "annee"]).astype(int),
        "valeur": valeur[keep],
        "millesime": _latest_millesimes(obs.loc[keep, "millesime"])
        if "millesime" in obs.columns else "",
        "source": obs.loc[keep, "source"].astype(str) if "source" in obs.columns else "",
    })
    tie_breakers = [c for c in ("source", "fichier", "ligne") if c in obs.columns]
    for col in tie_breakers:
        frame["_" + col] = obs.loc[keep, col].astype(str)
    order = ["indicateur", "code", "annee", "millesime"] + ["_" + c for c in tie_breakers] \
        + ["valeur"]
    frame = frame.sort_values(order, kind="mergesort")
    frame = frame.drop_duplicates(["indicateur", "code", "annee"], keep="last")
    frame = frame[["indicateur", "code", "annee", "valeur", "millesime", "source"]]
    frame["source"] = frame["source"].astype("category")  # a few dozen distinct texts
    return frame.sort_values(["indicateur", "annee", "code"], kind="mergesort") \
        .reset_index(drop=True)


def _hand_filled(files: pd.Series) -> pd.Series:
    """Rows whose every cited file is filled by hand (the contract's transcription, a
    partner's return), decided once per distinct text."""
    texts = files.astype(str)
    known = {t: all(is_hand_filled(f) for f in t.split(" | ")) for t in texts.unique()}
    return texts.map(known).astype(bool)


def coverage(values: pd.DataFrame) -> pd.DataFrame:
    """How many QPV have a value, per indicator and year: tells national series apart
    from figures printed only for the quarter (the contract's own values)."""
    out = values.groupby(["indicateur", "annee"], sort=True)["code"].nunique()
    return out.rename("effectif").reset_index()


def national_years(values: pd.DataFrame, min_share: float = 0.5) -> dict[str, list[int]]:
    """years_published_for_all of every indicator that has such years, from one count
    of the QPV per indicator and year."""
    cov = coverage(values)
    out: dict[str, list[int]] = {}
    for indicateur, rows in cov.groupby("indicateur", sort=True):
        threshold = min_share * rows["effectif"].max()
        years = [int(a) for a in rows.loc[rows["effectif"] >= threshold, "annee"]]
        if years:
            out[str(indicateur)] = years
    return out


def years_published_for_all(values: pd.DataFrame, indicateur: str,
                            min_share: float = 0.5) -> list[int]:
    """Years where the indicator covers at least `min_share` of its best-covered year.

    A year known for one QPV only (a figure of the contract) is not a national
    publication, and ranking the quarter alone would say nothing.
    """
    cov = coverage(values[values["indicateur"] == indicateur])
    if cov.empty:
        return []
    threshold = min_share * cov["effectif"].max()
    return [int(a) for a in cov.loc[cov["effectif"] >= threshold, "annee"]]


def ratio_values(values: pd.DataFrame, numerator: str, denominator: str, name: str, *,
                 denominator_year: int | None = None, scale: float = 100.0) -> pd.DataFrame:
    """A derived indicator (e.g. job seekers per 100 inhabitants), in the shape of `values`.

    Counts mostly measure a quarter's size; a ratio makes quarters of different sizes
    comparable. With `denominator_year`, every year uses that year's denominator (the
    census population is not published every year); otherwise the same year's.
    """
    num = values[values["indicateur"] == numerator][["code", "annee", "valeur"]]
    den = values[values["indicateur"] == denominator][["code", "annee", "valeur"]]
    if denominator_year is not None:
        den = den[den["annee"] == denominator_year].drop(columns="annee")
        merged = num.merge(den, on="code", suffixes=("", "_den"))
    else:
        merged = num.merge(den, on=["code", "annee"], suffixes=("", "_den"))
    merged = merged[merged["valeur_den"] > 0]
    out = pd.DataFrame({
        "indicateur": name, "code": merged["code"], "annee": merged["annee"].astype(int),
        "valeur": scale * merged["valeur"] / merged["valeur_den"], "millesime": "",
    })
    return out.sort_values(["annee", "code"], kind="mergesort").reset_index(drop=True)


def nearest_year(year: int, years: Iterable[int]) -> int | None:
    """The year of `years` nearest to `year` (the later one on a tie): the census
    population a count of that year is divided by."""
    known = sorted(set(years))
    if not known:
        return None
    return min(known, key=lambda y: (abs(y - year), -y))


@dataclass(frozen=True)
class Denominator:
    """What a rate per 100 inhabitants is computed on: the denominator's name and, for
    each year of the count, the year of the denominator used."""

    libelle: str  # « population municipale »
    annees: Mapping[int, int]

    def words(self, *annees: int) -> str:
        """« population municipale 2018 », « population municipale 2013 et 2018 »."""
        used = sorted({self.annees[a] for a in annees if a in self.annees})
        return f"{self.libelle} {' et '.join(str(y) for y in used)}" if used else ""


def rate_values(values: pd.DataFrame, numerator: str, denominator: str = "population", *,
                libelle: str = "population municipale",
                years: Iterable[int] | None = None) -> tuple[pd.DataFrame, Denominator]:
    """A count per 100 inhabitants of each QPV, on the denominator (the census
    population) of the year nearest to each year of the count.

    `years`: the years the denominator is published for all QPV (those of `values`
    when None). Returns the rates, in the shape of `values` (indicator
    `numerator + RATE_SUFFIX`), and the denominator year used for each year.
    QPV without a positive denominator that year are left out.
    """
    rates, used = rates_values(values, [numerator], denominator, libelle=libelle,
                               years=years)
    return rates, used.get(numerator + RATE_SUFFIX, Denominator(libelle, {}))


def rates_values(values: pd.DataFrame, numerators: Iterable[str],
                 denominator: str = "population", *, libelle: str = "population municipale",
                 years: Iterable[int] | None = None,
                 ) -> tuple[pd.DataFrame, dict[str, Denominator]]:
    """`rate_values` of several counts in one pass (one merge for all of them): the
    rates, and the denominator used by rate indicator."""
    census = sorted(set(int(y) for y in (years if years is not None else
                                         values.loc[values["indicateur"] == denominator,
                                                    "annee"])))
    names = sorted(set(numerators))
    counts = values[values["indicateur"].isin(names)]
    pool = values[(values["indicateur"] == denominator) & values["annee"].isin(census)]
    nearest = {int(y): n for y in set(counts["annee"])
               if (n := nearest_year(int(y), census)) is not None}
    num = pd.DataFrame({"indicateur": counts["indicateur"].to_numpy(dtype=object),
                        "code": counts["code"].to_numpy(dtype=object),
                        "annee": counts["annee"].to_numpy(dtype=int),
                        "valeur": counts["valeur"].to_numpy(dtype=float),
                        "source": counts["source"].to_numpy(dtype=object)
                        if "source" in counts.columns else ""})
    num["annee_den"] = num["annee"].map(nearest)
    num = num[num["annee_den"].notna()].astype({"annee_den": int})
    den = pd.DataFrame({"code": pool["code"].to_numpy(dtype=object),
                        "annee_den": pool["annee"].to_numpy(dtype=int),
                        "valeur_den": pool["valeur"].to_numpy(dtype=float)})
    merged = num.merge(den, on=["code", "annee_den"])
    merged = merged[merged["valeur_den"] > 0]
    out = pd.DataFrame({
        "indicateur": merged["indicateur"] + RATE_SUFFIX, "code": merged["code"],
        "annee": merged["annee"].astype(int),
        "valeur": 100.0 * merged["valeur"] / merged["valeur_den"], "millesime": "",
        "source": merged["source"]},
        columns=["indicateur", "code", "annee", "valeur", "millesime", "source"])
    out = out.sort_values(["indicateur", "annee", "code"], kind="mergesort") \
        .reset_index(drop=True)
    used = {}
    for name in names:
        mine = sorted(set(num.loc[num["indicateur"] == name, "annee"]))
        if mine:
            used[name + RATE_SUFFIX] = Denominator(libelle, {int(y): nearest[int(y)]
                                                             for y in mine})
    return out, used


# --------------------------------------------------------------------------- groups

def urban_context(territories: pd.DataFrame) -> pd.Series:
    """Kind of EPCI of each QPV (metropole, cu, ca, cc, inconnu), read from its name.

    The name's legal-form prefix (CU, CA, CC) decides; otherwise a name containing
    "Métropole" is a métropole.

    A rough urban context for the optional `same=("contexte_urbain",)` restriction:
    metropolitan QPV and small-town QPV face different labour markets.
    """
    label = territories["libelle_epci"].fillna("").astype(str)
    communes = territories["communes"].fillna("").astype(str) if "communes" in territories \
        else pd.Series("", index=territories.index)

    def kind(text: str, codes: str) -> str:
        # the legal form prefix first: "CA Nîmes Métropole" is a communauté d'agglomération
        for prefix, name in (("CU ", "cu"), ("CA ", "ca"), ("CC ", "cc")):
            if text.startswith(prefix):
                return name
        if "métropole" in text.lower():
            return "metropole"
        # territoires.csv leaves the EPCI empty for QPV coded by municipal arrondissement
        # (Paris 751xx, Marseille 132xx, Lyon 6938x): all three are in a métropole
        if not text and any(c.startswith(_ARRONDISSEMENTS) for c in codes.split("|") if c):
            return "metropole"
        return "inconnu"

    return pd.Series([kind(t, c) for t, c in zip(label, communes, strict=True)],
                     index=territories.index, name="contexte_urbain")


_ARRONDISSEMENTS = ("751", "132", "6938")


# --------------------------------------------------------------------------- position

def position_rows(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                  indicateur: str, annees: Iterable[int] | None = None, *,
                  comparables: Sequence[str] = (), sens: Sens = "neutre",
                  unite: str = "nombre", nom: str | None = None,
                  qualificatifs: tuple[str, str] | None = None,
                  minimum: int = MINIMUM_GROUP,
                  denominateur: Denominator | None = None,
                  national: NationalGroups | None = None) -> pd.DataFrame:
    """The quarter's rank and percentile in each group, for each year it has a value.

    Pass `annees=years_published_for_all(values, indicateur)`: without it, a year known
    only from the contract (the quarter alone) would give groups of one. A group with
    fewer than `minimum` QPV with a value that year gives no row. `denominateur`: for a
    rate per 100 inhabitants (unite RATE_UNIT), the population it is computed on.
    `national`: the groups' distributions kept for every quarter of a run (then
    `values` must hold every QPV's values of the indicator).
    """
    minimum = max(minimum, MINIMUM_GROUP)  # a group of one is never ranked
    sub = values[values["indicateur"] == indicateur]
    years = sorted(set(int(a) for a in (annees if annees is not None else sub["annee"])))
    label = nom or _quarter_name(territories, quarter)
    quals = qualificatifs or QUALIFIERS.get(indicateur, _DEFAULT_QUALIFIERS)
    members = {g: group_members(territories, quarter, g, comparables)  # the same every year
               if national is None or g == "qpv_comparables" else None
               for g in groups_of(comparables)}
    by_year = {int(cast(int, a)): g for a, g in sub.groupby("annee", sort=False)}
    rows = []
    for annee in years:
        series = national.series(sub, indicateur, annee) if national is not None else \
            year_series(by_year.get(annee, sub.iloc[0:0]), indicateur, annee)
        if quarter not in series.index:
            continue
        for groupe in groups_of(comparables):
            stats = _stats(series, quarter, groupe, members[groupe], national,
                           (indicateur, annee, "valeur"))
            if stats is None or stats.effectif < minimum:
                continue
            words = denominateur.words(annee) if denominateur else ""
            rows.append({
                "indicateur": indicateur, "annee": annee, "annee_debut": None,
                "groupe": groupe, "effectif": stats.effectif,
                "valeur_quartier": float(series[quarter]), "rang": stats.rang,
                "part_inferieure": stats.part_inferieure,
                "mediane_groupe": stats.mediane,
                "part_superieure": stats.part_superieure,
                "lecture": position_sentence(
                    label, annee, groupe, stats.effectif, float(series[quarter]),
                    stats.part_inferieure, stats.part_superieure, sens=sens,
                    unite=unite, qualificatifs=quals, denominateur=words),
                "denominateur": words,
            })
    return _as_table(rows)


# --------------------------------------------------------------------------- change

def change_rows(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                indicateur: str, annee_debut: int, annee: int, *,
                comparables: Sequence[str] = (), variation: Variation = "absolue",
                sens: Sens = "neutre", unite: str = "nombre", nom: str | None = None,
                seuil: float = 80.0, minimum: int = MINIMUM_GROUP,
                denominateur: Denominator | None = None,
                national: NationalGroups | None = None) -> pd.DataFrame:
    """The quarter's change against each group's changes, one row per group.

    On these rows every statistic (effectif, rang, part_inferieure, mediane_groupe) is
    computed on the same QPV: those of the group with a value both years; a group with
    fewer than `minimum` of them gives no row. `national`: as for `position_rows`.
    """
    minimum = max(minimum, MINIMUM_GROUP)  # a group of one is never ranked
    table = national.changes(values, indicateur, annee_debut, annee, variation) \
        if national is not None else changes(values, indicateur, annee_debut, annee,
                                             variation)
    if quarter not in table.index:
        return _as_table([])
    label = nom or _quarter_name(territories, quarter)
    period = (indicateur, annee_debut, annee, variation)
    rows = []
    for groupe in groups_of(comparables):
        members = group_members(territories, quarter, groupe, comparables) \
            if national is None or groupe == "qpv_comparables" else None
        level = _stats(table["valeur"], quarter, groupe, members, national,
                       (*period, "valeur"))
        move = _stats(table["variation"], quarter, groupe, members, national,
                      (*period, "variation"))
        if level is None or move is None or level.effectif < minimum:
            continue
        words = denominateur.words(annee_debut, annee) if denominateur else ""
        own = value_at(table["variation"], quarter)
        rows.append({
            "indicateur": indicateur, "annee": annee, "annee_debut": annee_debut,
            "groupe": groupe, "effectif": level.effectif,
            "valeur_quartier": value_at(table["valeur"], quarter), "rang": level.rang,
            "part_inferieure": level.part_inferieure, "mediane_groupe": level.mediane,
            "variation_quartier": own, "variation_mediane": move.mediane,
            "part_variation_inferieure": move.part_inferieure,
            "part_superieure": level.part_superieure,
            "valeur_debut_quartier": value_at(table["valeur_debut"], quarter),
            "rang_variation": move.rang,
            "part_variation_superieure": move.part_superieure,
            "ecart_variation": round(own - move.mediane, TIE_DECIMALS),
            "mesure_variation": variation,
            "lecture": change_sentence(
                label, annee_debut, annee, groupe, move.effectif, own, move.mediane,
                move.part_inferieure, move.part_superieure, sens=sens, unite=unite,
                variation=variation, seuil=seuil, denominateur=words),
            "denominateur": words,
        })
    return _as_table(rows)


def periods(years: list[int], debut: int) -> list[tuple[int, int]]:
    """The changes shown: over the whole series before the contract; once the series
    reaches the contract, also from the last year before it to the latest."""
    before = [y for y in years if not debut or y < debut]
    out = [(before[0], before[-1])] if len(before) >= 2 else []
    if debut and before and years[-1] >= debut:
        out.append((before[-1], years[-1]))
    return out


def variation_of(unite: str) -> Variation:
    """How a change is measured: in percent for a count or an amount, whose level
    mostly reflects size; in the unit (points for a rate) otherwise."""
    return "relative" if unite in ("nombre", "euros") else "absolue"


def warm(national: NationalGroups, frames: Iterable[pd.DataFrame], units: Mapping[str, str],
         debut: int) -> None:
    """Compute in `national`, for every indicator of `frames` published for all QPV,
    what every quarter's position and change rows read alike: each year's values and
    distribution of all QPV, each period's changes and their distribution. A process
    does it once, before it forks a copy per notebook (publish.forkserver); a région's
    or a département's distribution is computed by the copy that needs it (a quarter
    needs one of each, a run a hundred)."""
    for frame in frames:
        years_of = national_years(frame)
        for indicateur, rows in frame.groupby("indicateur", sort=True):
            name = str(indicateur)
            years = years_of.get(name, [])
            columns: list[tuple[tuple[object, ...], pd.Series]] = []
            for annee in years:
                columns.append(((name, annee, "valeur"), national.series(rows, name, annee)))
            unite = units.get(name.removesuffix(RATE_SUFFIX), "")
            unit = RATE_UNIT if name.endswith(RATE_SUFFIX) else unite
            for start, end in periods(years, debut):
                table = national.changes(rows, name, start, end, variation_of(unit))
                period = (name, start, end, variation_of(unit))
                columns += [((*period, c), table[c]) for c in ("valeur", "variation")]
            for key, column in columns:
                national.distribution(key, column, "", "ensemble_qpv")


def _stats(column: pd.Series, quarter: str, groupe: str, members: set[str] | None,
           national: NationalGroups | None, key: tuple[object, ...]) -> GroupStats | None:
    """The quarter's statistics in one group of `column` (values indexed by code, the
    quarter's among them). All QPV, a région's or a département's are looked up in the
    national index when there is one; the comparable QPV are always the quarter's own.
    None: the group is empty."""
    others = groupe == "qpv_comparables"
    if national is not None and not others:
        return national.distribution(key, column, quarter, groupe) \
            .stats(value_at(column, quarter))
    group = restrict(column, members)
    if group.empty:
        return None
    return group_statistics(group, quarter, median_of_others=others)


def impact_table(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                 indicateur: str, annees: Iterable[int] | None = None,
                 periodes: Iterable[tuple[int, int]] = (), *, comparables: Sequence[str] = (),
                 variation: Variation = "absolue", sens: Sens = "neutre",
                 unite: str = "nombre", nom: str | None = None,
                 seuil: float = 80.0, minimum: int = MINIMUM_GROUP,
                 qualificatifs: tuple[str, str] | None = None,
                 denominateur: Denominator | None = None,
                 national: NationalGroups | None = None) -> pd.DataFrame:
    """Position rows for `annees` and change rows for each (annee_debut, annee) period."""
    values = values[values["indicateur"] == indicateur]  # once, not in every period
    parts = [position_rows(values, territories, quarter, indicateur, annees,
                           comparables=comparables, sens=sens, unite=unite, nom=nom,
                           qualificatifs=qualificatifs, minimum=minimum,
                           denominateur=denominateur, national=national)]
    for debut, fin in periodes:
        parts.append(change_rows(values, territories, quarter, indicateur, debut, fin,
                                 comparables=comparables, variation=variation, sens=sens,
                                 unite=unite, nom=nom, seuil=seuil, minimum=minimum,
                                 denominateur=denominateur, national=national))
    return sort_table(pd.concat(parts, ignore_index=True))


# --------------------------------------------------------------------------- comparables

@dataclass(frozen=True)
class BaselineVariable:
    """One baseline variable: an indicator in a year, optionally on a log scale."""

    indicateur: str
    annee: int
    log: bool = False

    @property
    def name(self) -> str:
        return f"{'log_' if self.log else ''}{self.indicateur}_{self.annee}"


@dataclass(frozen=True)
class Selection:
    """A rule for comparables: variables, how many, and territory columns to share."""

    variables: tuple[BaselineVariable, ...]
    k: int = 10
    same: tuple[str, ...] = ()

    def describe(self) -> str:
        text = ", ".join(v.name for v in self.variables)
        return text + (f" ; même {', '.join(self.same)}" if self.same else "")


def baseline_matrix(values: pd.DataFrame, variables: Sequence[BaselineVariable]) -> pd.DataFrame:
    """One row per QPV (sorted by code), one column per baseline variable; NaN if missing.

    Log variables (population) are NaN when the value is not positive.
    """
    columns = {}
    for var in variables:
        series = year_series(values, var.indicateur, var.annee)
        if var.log:
            series = np.log(series.where(series > 0))
        columns[var.name] = series
    matrix = pd.DataFrame(columns)
    return matrix.sort_index()


def standardise(matrix: pd.DataFrame) -> pd.DataFrame:
    """z-scores per column over every QPV with that value (population sd).

    Standardising over all QPV, not over the candidates, keeps a variable's weight the
    same whatever the restriction; a constant column weighs nothing.
    """
    z = pd.DataFrame(index=matrix.index)
    for column in matrix.columns:
        col = matrix[column]
        std = col.std(ddof=0)
        if pd.isna(std) or std == 0:
            z[column] = col.where(col.isna(), 0.0)
        else:
            z[column] = (col - col.mean()) / std
    return z


def select_comparables(values: pd.DataFrame, quarter: str, selection: Selection,
                       territories: pd.DataFrame | None = None) -> pd.DataFrame:
    """The k QPV nearest to the quarter on standardised baseline variables.

    Euclidean distance on z-scores (each variable weighs the same), distances rounded to
    10 decimals and ties broken by code, so the list never depends on row order. The
    quarter and QPV with a missing baseline value are excluded; with `same`, only QPV
    sharing the quarter's territory columns (e.g. region) are candidates.
    Returns rang, code, distance, the raw baseline values and, with territories, names.
    """
    if not selection.variables:
        raise ValueError("Aucune variable de référence : la sélection est impossible.")
    raw = baseline_matrix(values, selection.variables)
    z = standardise(raw)
    if quarter not in z.index or z.loc[quarter].isna().any():
        missing = [c for c in raw.columns
                   if quarter not in raw.index or math.isnan(value_at(raw[c], quarter))]
        raise ValueError(f"Le quartier {quarter} n'a pas de valeur pour : "
                         f"{', '.join(missing)} ; choisissez d'autres variables ou années.")
    candidates = z.dropna().drop(index=quarter)
    if selection.same:
        if territories is None:
            raise ValueError("La restriction « même territoire » demande la table des "
                             "territoires.")
        terr = territories.set_index("code_qpv")
        own = territory_row(territories, quarter)
        keep = pd.Series(True, index=candidates.index)
        for column in selection.same:
            other = terr[column].reindex(candidates.index)
            keep &= other == own[column]
        candidates = candidates[keep.to_numpy()]
    distance = np.sqrt(((candidates - z.loc[quarter]) ** 2).sum(axis=1)).round(DISTANCE_DECIMALS)
    out = pd.DataFrame({"code": candidates.index, "distance": distance.to_numpy()})
    out = out.sort_values(["distance", "code"], kind="mergesort").head(selection.k)
    out.insert(0, "rang", range(1, len(out) + 1))
    out = out.merge(raw, left_on="code", right_index=True, how="left")
    if territories is not None:
        labels = territories[["code_qpv", "libelle_qpv", "libelles_communes",
                              "departement"]].rename(columns={"code_qpv": "code"})
        out = out.merge(labels, on="code", how="left")
    return out.reset_index(drop=True)


def overlap_matrix(lists: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Number of QPV shared by each pair of comparable lists (diagonal: list size)."""
    names = list(lists)
    data = [[len(set(lists[a]) & set(lists[b])) for b in names] for a in names]
    return pd.DataFrame(data, index=names, columns=names)


def comparable_lists(values: pd.DataFrame, quarter: str, selections: Mapping[str, Selection],
                     territories: pd.DataFrame) -> dict[str, list[str]]:
    """The comparable QPV chosen by each selection rule, by the rule's name."""
    return {name: list(select_comparables(values, quarter, sel, territories)["code"])
            for name, sel in selections.items()}


def sensitivity(values: pd.DataFrame, territories: pd.DataFrame, quarter: str,
                selections: Mapping[str, Selection], indicateur: str, annee: int,
                annee_debut: int | None = None, *, reference: str | None = None,
                variation: Variation = "absolue", sens: Sens = "neutre",
                unite: str = "nombre", nom: str | None = None,
                seuil: float = 80.0,
                chosen: Mapping[str, Sequence[str]] | None = None,
                minimum: int = MINIMUM_GROUP,
                denominateur: Denominator | None = None) -> pd.DataFrame:
    """The comparables analysis under each selection rule, side by side.

    Tells whether a conclusion holds when k or the variables change: overlap with the
    reference list (shared QPV, Jaccard index) and the quarter's position among the
    comparables (level in `annee`, and change since `annee_debut` if given).
    `chosen`: comparable_lists already computed for these selections (the lists do not
    depend on the indicator; `values` then needs only the indicator's rows).
    """
    ref_name = reference or next(iter(selections))
    lists = dict(chosen) if chosen is not None else \
        comparable_lists(values, quarter, selections, territories)
    ref = set(lists[ref_name])
    rows = []
    for name, sel in selections.items():
        codes = lists[name]
        shared = len(ref & set(codes))
        union = len(ref | set(codes))
        row: dict[str, object] = {
            "variante": name, "reference": name == ref_name, "k": sel.k,
            "variables": sel.describe(), "selectionnes": len(codes),
            "communs_reference": shared,
            "jaccard_reference": 100.0 * shared / union if union else math.nan,
        }
        if annee_debut is None:
            table = position_rows(values, territories, quarter, indicateur, [annee],
                                  comparables=codes, sens=sens, unite=unite, nom=nom,
                                  minimum=minimum, denominateur=denominateur)
        else:
            table = change_rows(values, territories, quarter, indicateur, annee_debut, annee,
                                comparables=codes, variation=variation, sens=sens,
                                unite=unite, nom=nom, seuil=seuil, minimum=minimum,
                                denominateur=denominateur)
        mine = table[table["groupe"] == "qpv_comparables"]
        for col in ("effectif", "rang", "part_inferieure", "mediane_groupe",
                    "variation_mediane", "part_variation_inferieure",
                    "part_variation_superieure", "ecart_variation", "lecture"):
            row[col] = mine[col].iloc[0] if len(mine) else None
        row["codes"] = " | ".join(codes)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- French text

def value_words(value: float, unite: str) -> str:
    """A value as a sentence prints it: « 29,9 % », « 12,8 pour 100 habitants »."""
    if unite == RATE_UNIT:
        return f"{fn.number(value, 1)} {RATE_WORDS}"
    return fn.with_unit(value, unite)


def change_words(delta: float, unite: str, relative: bool = False) -> str:
    """A change as a sentence prints it: « -0,8 point », « +0,5 pour 100 habitants »."""
    if unite == RATE_UNIT and not relative:
        return f"{fn.change(delta, 'indice')} {RATE_WORDS}"
    return fn.change(delta, unite, relative)


def position_sentence(nom: str, annee: int, groupe: str, effectif: int, valeur: float,
                      part_inferieure: float, part_superieure: float, *, sens: Sens,
                      unite: str, qualificatifs: tuple[str, str] = _DEFAULT_QUALIFIERS,
                      denominateur: str = "") -> str:
    """One French sentence placing the quarter in a group, following the desired direction.

    hausse/baisse: 'parmi les x % de QPV ... les moins pauvres' (x counts the QPV at least
    as well placed, the quarter included), or the unfavourable end when it is closer;
    neutre: 'au-dessus de x % des QPV' (x = part_inferieure). A group of one places
    nothing: ValueError. `denominateur`: what a rate is computed on, said beside it.
    """
    suffix = _GROUP_SUFFIX[groupe]
    start = f"En {annee}, {nom} ({value_words(valeur, unite)}" \
        + (f", {denominateur})" if denominateur else ")")
    if effectif <= 1:
        raise ValueError("Un groupe réduit au quartier ne se classe pas.")
    count = f" ({fn.number(effectif)}{fn.NBSP}QPV comparés)"
    if sens == "neutre":
        return f"{start} est au-dessus de {fn.share(part_inferieure)} des QPV{suffix}{count}."
    if sens not in ("hausse", "baisse"):
        raise ValueError(f"Sens inconnu : {sens} (attendu : hausse, baisse ou neutre).")
    # share of the group at least as well placed as the quarter (quarter included)
    at_least_as_good = 100.0 - (part_inferieure if sens == "hausse" else part_superieure)
    at_least_as_bad = 100.0 - (part_superieure if sens == "hausse" else part_inferieure)
    best, worst = qualificatifs
    if at_least_as_good <= at_least_as_bad:
        return (f"{start} est parmi les {fn.share(at_least_as_good)} de QPV{suffix} "
                f"{best}{count}.")
    return f"{start} est parmi les {fn.share(at_least_as_bad)} de QPV{suffix} {worst}{count}."


def change_sentence(nom: str, annee_debut: int, annee: int, groupe: str, effectif: int,
                    variation_quartier: float, variation_mediane: float,
                    part_variation_inferieure: float, part_variation_superieure: float, *,
                    sens: Sens, unite: str, variation: Variation = "absolue",
                    seuil: float = 80.0, denominateur: str = "") -> str:
    """One French sentence on the quarter's change against a group's changes.

    Descriptive (an 'écart d'évolution', a position in a distribution), never an effect:
    the change is 'unusual' when at least `seuil` % of the group moved strictly less
    (or strictly more) than the quarter; otherwise it is 'dans la moyenne'. A group of
    one places nothing: ValueError.
    """
    suffix = _GROUP_SUFFIX[groupe]
    own = change_words(variation_quartier, unite, variation == 'relative')
    head = f"Entre {annee_debut} et {annee}, {nom} : {own}" \
        + (f" ({denominateur})" if denominateur else "")
    if effectif <= 1:
        raise ValueError("Un groupe réduit au quartier ne se classe pas.")
    gap = variation_quartier - variation_mediane
    # the gap between two percent changes is in points, not in percent
    gap_text = fn.change(gap, "pourcentage") if variation == "relative" \
        else change_words(gap, unite)
    median = change_words(variation_mediane, unite, variation == "relative")
    head += (f", contre {median} pour la médiane des QPV{suffix} (écart d'évolution : "
             f"{gap_text})")
    below = round(part_variation_inferieure, 1)
    above = round(part_variation_superieure, 1)
    favourable: bool | None = None
    if below >= seuil:
        share = fn.share(part_variation_inferieure)
        if variation_quartier > 0:
            where = f"plus forte hausse que {share} des QPV{suffix}"
        elif variation_quartier < 0:
            where = f"plus faible baisse que {share} des QPV{suffix}"
        else:
            where = f"évolution supérieure à celle de {share} des QPV{suffix}"
        favourable = {"hausse": True, "baisse": False}.get(sens)
    elif above >= seuil:
        share = fn.share(part_variation_superieure)
        if variation_quartier < 0:
            where = f"plus forte baisse que {share} des QPV{suffix}"
        elif variation_quartier > 0:
            where = f"plus faible hausse que {share} des QPV{suffix}"
        else:
            where = f"évolution inférieure à celle de {share} des QPV{suffix}"
        favourable = {"hausse": False, "baisse": True}.get(sens)
    else:
        where = (f"évolution dans la moyenne des QPV{suffix} "
                 f"({fn.share(part_variation_inferieure)} ont une évolution plus faible)")
    if favourable is True:
        where += ", dans le sens souhaité"
    elif favourable is False:
        where += ", à l'inverse du sens souhaité"
    return f"{head} ; {where}."


def _quarter_name(territories: pd.DataFrame | None, quarter: str) -> str:
    if territories is not None and "libelle_qpv" in territories.columns:
        rows = territories[territories["code_qpv"] == quarter]
        if len(rows) and str(rows.iloc[0]["libelle_qpv"]):
            return str(rows.iloc[0]["libelle_qpv"])
    return quarter


# --------------------------------------------------------------------------- table, CSV

_FLOAT_COLUMNS = ("valeur_quartier", "part_inferieure", "mediane_groupe",
                  "variation_quartier", "variation_mediane", "part_variation_inferieure",
                  "part_superieure", "valeur_debut_quartier", "part_variation_superieure",
                  "ecart_variation")


def _as_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The rows as a table of TABLE_COLUMNS: integers (Int64, missing as <NA>), floats
    (missing as NaN) and text (missing as ""). Built column by column: a report builds
    a hundred of these."""
    data: dict[str, object] = {}
    for col in TABLE_COLUMNS:
        cells = [row.get(col) for row in rows]
        if col in INTEGER_COLUMNS:
            data[col] = pd.array([None if _missing(v) else int(cast(int, v)) for v in cells],
                                 dtype="Int64")
        elif col in _FLOAT_COLUMNS:
            data[col] = pd.to_numeric(pd.Series(cells, dtype=object),
                                      errors="coerce").astype(float)
        else:
            data[col] = pd.Series(["" if _missing(v) else v for v in cells], dtype=object)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: indicator, year, level rows before change rows (by start
    year), then groups in the order of GROUPS."""
    order = {g: i for i, g in enumerate(GROUPS)}
    key = pd.DataFrame({
        "i": table["indicateur"], "a": table["annee"].astype("Int64"),
        "d": table["annee_debut"].astype("Int64").fillna(-1),
        "g": table["groupe"].map(order),
    })
    index = key.sort_values(["i", "a", "d", "g"], kind="mergesort").index
    return table.loc[index].reset_index(drop=True)


def _format_cell(value: object, integer: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if integer:
        return str(int(float(str(value))))
    if isinstance(value, (float, np.floating)):
        text = f"{float(value):.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def table_to_csv(table: pd.DataFrame) -> str:
    """The table as CSV text: comma separator, decimal point, floats with at most six
    decimals and no trailing zeros, empty cells for missing values; same input, same bytes.
    """
    ordered = sort_table(table) if {"indicateur", "annee", "annee_debut", "groupe"} \
        <= set(table.columns) else table
    columns = list(ordered.columns)
    cells = pd.DataFrame({c: [_format_cell(v, c in INTEGER_COLUMNS) for v in ordered[c]]
                          for c in columns}, columns=columns)
    return cells.to_csv(index=False, lineterminator="\n")


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write `table_to_csv(table)` in UTF-8."""
    Path(path).write_text(table_to_csv(table), encoding="utf-8")
