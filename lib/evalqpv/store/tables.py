"""The small tables written with the store: where each QPV sits, and its years.

`territoires.csv` places every QPV in its communes, EPCI, département and région;
`annees.json` gives, for each QPV, the years with a figure on it, its communes or its
département. Both are written by store.build and read here, without pandas, so that
the report runner checks its parameters in milliseconds.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from ..ingest.geography import QpvPlace
from ..settings import ProjectPaths, read_once
from ..territory import Territory, territory_of
from ..territory import TerritoryRow as TerritoryRow  # defined with the levels it gives
from ..vocabulary import COMMUNE, DEPARTEMENT, NEAR_LEVELS, QPV
from .atomic import write_csv_atomic, write_text_atomic

TERRITORY_COLUMNS = ["code_qpv", "libelle_qpv", "communes", "libelles_communes", "epci",
                     "libelle_epci", "departement", "libelle_departement", "region",
                     "libelle_region"]


def write_territories(paths: ProjectPaths, qpvs: Iterable[QpvPlace]) -> None:
    write_csv_atomic(paths.territories, TERRITORY_COLUMNS, [
        {"code_qpv": q.code, "libelle_qpv": q.libelle,
         "communes": "|".join(c.code for c in q.communes),
         "libelles_communes": "|".join(c.libelle for c in q.communes),
         "epci": q.epci.code if q.epci else "", "libelle_epci": q.epci.libelle if q.epci else "",
         "departement": q.departement.code if q.departement else "",
         "libelle_departement": q.departement.libelle if q.departement else "",
         "region": q.region.code if q.region else "",
         "libelle_region": q.region.libelle if q.region else ""}
        for q in qpvs])


def read_territories(paths: ProjectPaths) -> dict[str, TerritoryRow]:
    """Every QPV of the store, by code; empty when the store has not been built.

    Read once per content of the file in a process (settings.read_once): the warm process
    of `evalqpv rapports` reads it before it forks a copy per notebook, which checks its
    quarter, then its export the page's header, and some sections again. Every caller
    gets its own dict (the rows are immutable)."""
    return read_once(("territories", str(paths.territories)), (paths.territories,),
                     lambda _: _read_territories(paths) if paths.territories.exists() else {},
                     copy=dict)


def _read_territories(paths: ProjectPaths) -> dict[str, TerritoryRow]:
    with paths.territories.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for r in rows:
        communes = tuple((c, lib) for c, lib in zip(r["communes"].split("|"),
                                                    r["libelles_communes"].split("|"),
                                                    strict=False) if c)
        out[r["code_qpv"]] = TerritoryRow(
            r["code_qpv"], r["libelle_qpv"], communes, (r["epci"], r["libelle_epci"]),
            (r["departement"], r["libelle_departement"]), (r["region"], r["libelle_region"]))
    return out


def resolve_territory(code: object, paths: ProjectPaths) -> Territory:
    """The QPV and its comparison levels, from the store's territoires.csv, or a French
    message (ParameterError) saying what is wrong."""
    rows = read_territories(paths) if paths.territories.exists() else None
    return territory_of(code, rows, paths)


def write_years(paths: ProjectPaths, rows: Iterable[dict[str, str]],
                qpvs: Iterable[QpvPlace]) -> None:
    """For each QPV, the years with a figure on it, its communes or its département."""
    years: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        if row["valeur"] and row["niveau"] in NEAR_LEVELS:
            years.setdefault((row["niveau"], row["code"]), set()).add(int(row["annee"]))
    out = {}
    for q in qpvs:
        keys = [(QPV, q.code)] + [(COMMUNE, c.code) for c in q.communes]
        if q.departement:
            keys.append((DEPARTEMENT, q.departement.code))
        out[q.code] = sorted(set().union(*(years.get(k, set()) for k in keys)))
    write_text_atomic(paths.years, json.dumps(out, sort_keys=True, separators=(",", ":"))
                      + "\n")


def available_years(paths: ProjectPaths, code: str) -> list[int]:
    """The years a report on this QPV can be written for, oldest first."""
    every: dict[str, list[int]] = read_once(("years", str(paths.years)), (paths.years,),
                                            lambda _: _read_years(paths))
    return list(every.get(code, []))


def _read_years(paths: ProjectPaths) -> dict[str, list[int]]:
    """annees.json, parsed once per content of the file (available_years)."""
    if not paths.years.exists():
        return {}
    years: dict[str, list[int]] = json.loads(paths.years.read_text(encoding="utf-8"))
    return years
