"""The values of all QPV as the comparisons read them: one published value per
indicator, QPV and year (conflicts resolved by the latest release), the years an
indicator is published for (almost) all QPV, and counts per 100 inhabitants.

Pure functions of DataFrames (conventions: counterfactual's docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..vocabulary import HAND_FILLED_ORIGINS

GEOGRAPHY = "qpv2015"
# A count per 100 inhabitants (rate_values): its values, and how they read.
RATE_UNIT = "pour_100_habitants"
RATE_SUFFIX = "_pour_100_habitants"
RATE_WORDS = "pour 100 habitants"

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
    if "origine" in obs.columns:  # the contract's or a partner's figures: one quarter only
        keep &= ~obs["origine"].isin(HAND_FILLED_ORIGINS)
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


def coverage(values: pd.DataFrame) -> pd.DataFrame:
    """How many QPV have a value, per indicator and year: tells national series apart
    from figures printed only for the quarter (the contract's own values)."""
    out = values.groupby(["indicateur", "annee"], sort=True)["code"].nunique()
    return out.rename("effectif").reset_index()


def national_years(values: pd.DataFrame, min_share: float = 0.5) -> dict[str, list[int]]:
    """The years each indicator covers at least `min_share` of its best-covered year,
    from one count of the QPV per indicator and year.

    A year known for one QPV only (a figure of the contract) is not a national
    publication, and ranking the quarter alone would say nothing."""
    cov = coverage(values)
    out: dict[str, list[int]] = {}
    for indicateur, rows in cov.groupby("indicateur", sort=True):
        threshold = min_share * rows["effectif"].max()
        years = [int(a) for a in rows.loc[rows["effectif"] >= threshold, "annee"]]
        if years:
            out[str(indicateur)] = years
    return out


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
