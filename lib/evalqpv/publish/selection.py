"""A perimeter of quarters (a département, a region, France), and its report year.

Read from the two small tables written with the store (territoires.csv, annees.json),
without pandas: a perimeter is resolved, and its year chosen, in milliseconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..settings import ProjectPaths
from ..store.tables import TerritoryRow, read_territories
from ..territory import ParameterError

FRANCE_CODE = "FRANCE"
DEPARTEMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
REGION_CODE = re.compile(r"R(\d{2})")


@dataclass(frozen=True)
class Perimeter:
    code: str  # as written in file names: 92, R11, FRANCE
    libelle: str  # « département Haute-Corse (2B) »
    quarters: tuple[TerritoryRow, ...]


@dataclass(frozen=True)
class Plan:
    """The year of a perimeter's reports, the quarters kept and those left out (why)."""

    year: int
    quarters: tuple[TerritoryRow, ...]
    skipped: tuple[tuple[str, str], ...]  # (code, French reason)


def resolve_perimeter(text: str, paths: ProjectPaths) -> Perimeter:
    """92 or 2A (a département), R11 (a region), FRANCE (every QPV of the store)."""
    code = text.strip().upper()
    rows = read_territories(paths)
    if not rows:
        raise ParameterError(f"La table des territoires {paths.label(paths.territories)} "
                             "n'existe pas : lancez d'abord `make construire`.")
    ordered = tuple(rows[c] for c in sorted(rows))
    if code == FRANCE_CODE:
        return Perimeter(code, "France (tous les quartiers du stock)", ordered)
    region = REGION_CODE.fullmatch(code)
    if region:
        kept = tuple(r for r in ordered if r.region[0] == region.group(1))
        if not kept:
            known = sorted({"R" + r.region[0] for r in ordered if r.region[0]})
            raise ParameterError(f"Région inconnue ou sans quartier prioritaire : « {text} ». "
                                 f"Régions du stock : {', '.join(known)}.")
        return Perimeter(code, f"région {kept[0].region[1]} ({code})", kept)
    if DEPARTEMENT_CODE.fullmatch(code):
        code = code.zfill(2)
        kept = tuple(r for r in ordered if r.departement[0] == code)
        if not kept:
            raise ParameterError(f"Aucun quartier prioritaire dans le département « {text} » "
                                 "(ou département inconnu).")
        return Perimeter(code, f"département {kept[0].departement[1]} ({code})", kept)
    raise ParameterError(
        f"Périmètre invalide : « {text} ». Attendu : un département (92, 2A, 974), une "
        "région précédée de R (R11 pour l'Île-de-France) ou FRANCE (tous les quartiers).")


def plan_year(perimeter: Perimeter, annee: int | None, paths: ProjectPaths,
              default: int, latest: int) -> Plan:
    """The year asked, or by default the contract's last elapsed year (`default`); the
    quarters with no figure up to that year are left out, each with its reason (a report
    for year N shows each indicator's latest figure up to N)."""
    years: dict[str, list[int]] = (json.loads(paths.years.read_text(encoding="utf-8"))
                                   if paths.years.exists() else {})
    available = {q.code: set(years.get(q.code, [])) for q in perimeter.quarters}
    with_data = [ys for ys in available.values() if ys]
    if not with_data:
        raise ParameterError("Aucune donnée pour les quartiers du périmètre "
                             f"{perimeter.libelle}.")
    first = min(min(ys) for ys in with_data)
    year = annee if annee is not None else max(first, default)
    upper = max(latest, max(max(ys) for ys in with_data))
    if not first <= year <= upper:
        raise ParameterError(f"Aucune donnée pour l'année {year} dans le périmètre "
                             f"{perimeter.libelle} (années possibles : {first} à {upper}).")
    kept, skipped = [], []
    for quarter in perimeter.quarters:
        ys = available[quarter.code]
        if ys and min(ys) <= year:
            kept.append(quarter)
        elif not ys:
            skipped.append((quarter.code, "aucune donnée dans le stock pour ce quartier"))
        else:
            skipped.append((quarter.code, f"aucune donnée jusqu'en {year} (années "
                            f"disponibles : {min(ys)} à {max(ys)})"))
    if not kept:
        raise ParameterError(f"Aucun quartier du périmètre {perimeter.libelle} n'a de données "
                             f"pour {year}. Choisissez une autre année (--annee).")
    return Plan(year, tuple(kept), tuple(skipped))
