"""The outlines the maps draw, and which 2024 quarter draws which 2015 quarter.

Two geographies are never mixed: the statistics describe the 2015 quarters (QP…), the
outlines are those of 2024 (QN…). A 2015 quarter is drawn by a 2024 outline only when
the link is certain:

1. the contract's quarter: `territoire_2024` of config/contrat.toml;
2. a row of config/correspondance_qpv.csv (where an official table can be dropped in;
   an empty `code_2024` says that no 2024 quarter draws this one);
3. otherwise the same name (accents, case and punctuation aside) and the same
   commune(s), and no other quarter of either geography with that name and communes.

Anything else is « correspondance 2015-2024 non établie ». The store writes
`contours.json` (Lambert-93, metres, WKT rounded to the metre, sorted: the same bytes
from one build to the next) and `correspondance_qpv.csv`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..ingest.contours import QPV_2024_CODE, Outlines, polygonal
from ..ingest.geography import normalise
from ..problems import Problems
from ..settings import QUARTER_CODE, ProjectPaths
from .atomic import write_csv_atomic, write_text_atomic

LINK_COLUMNS = ["code_2015", "code_2024", "origine"]
CONFIG_COLUMNS = ("code_2015", "code_2024", "source")
FROM_CONTRACT = "contrat (config/contrat.toml)"
FROM_TABLE = "table de correspondance (config/correspondance_qpv.csv)"
SAME_NAME = "même nom et mêmes communes"
NOT_LINKED = "correspondance 2015-2024 non établie"


@dataclass(frozen=True)
class Quarter:
    """A quarter as the link needs it: its name and the codes of its communes."""

    libelle: str
    communes: tuple[str, ...]


def link_quarters(quarters_2015: Mapping[str, Quarter], quarters_2024: Mapping[str, Quarter],
                  table: Mapping[str, str], contract: tuple[str, str] | None = None
                  ) -> dict[str, tuple[str, str]]:
    """Each 2015 code -> (2024 code or "", origin). Pure: the rule of the module's
    docstring, in that order of precedence."""

    def key(q: Quarter) -> tuple[str, tuple[str, ...]]:
        return normalise(q.libelle), tuple(sorted(set(q.communes)))

    by_key_2024: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for code, quarter in quarters_2024.items():
        by_key_2024.setdefault(key(quarter), []).append(code)
    by_key_2015: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for code, quarter in quarters_2015.items():
        by_key_2015.setdefault(key(quarter), []).append(code)
    out: dict[str, tuple[str, str]] = {}
    for code in sorted(quarters_2015):
        if contract and code == contract[0]:
            out[code] = (contract[1], FROM_CONTRACT)
        elif code in table:
            out[code] = (table[code], FROM_TABLE if table[code] else NOT_LINKED)
        else:
            k = key(quarters_2015[code])
            found = by_key_2024.get(k, [])
            certain = bool(k[0]) and len(found) == 1 and len(by_key_2015[k]) == 1
            out[code] = (found[0], SAME_NAME) if certain else ("", NOT_LINKED)
    return out


def read_link_table(paths: ProjectPaths, known_2024: set[str],
                    problems: Problems) -> dict[str, str]:
    """config/correspondance_qpv.csv: code_2015 -> code_2024 ("" = no 2024 quarter)."""
    path = paths.correspondence
    if not path.exists():
        return {}
    label = paths.label(path)
    out: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CONFIG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            problems.error(label, "colonnes manquantes.", ligne=1, valeur=", ".join(missing),
                           attendu=", ".join(CONFIG_COLUMNS))
            return {}
        for line, row in enumerate(reader, start=2):
            old = (row["code_2015"] or "").strip().upper()
            new = (row["code_2024"] or "").strip().upper()
            if not (QUARTER_CODE.fullmatch(old) and old.startswith("QP")):
                problems.error(label, "code de quartier 2015 invalide.", ligne=line,
                               colonne="code_2015", valeur=old, attendu="QP suivi de six "
                               "caractères (QP059079)")
            elif new and not QPV_2024_CODE.fullmatch(new):
                problems.error(label, "code de quartier 2024 invalide.", ligne=line,
                               colonne="code_2024", valeur=new, attendu="QN09204M, ou vide "
                               "si aucun quartier 2024 ne correspond")
            elif new and known_2024 and new not in known_2024:
                problems.error(label, "quartier 2024 absent des contours livrés.", ligne=line,
                               colonne="code_2024", valeur=new,
                               attendu="un code de data/raw/contours/qpv2024.json.gz")
            elif old in out:
                problems.error(label, "quartier 2015 en double.", ligne=line,
                               colonne="code_2015", valeur=old, attendu="une ligne par quartier")
            else:
                out[old] = new
    return out


def write_links(path: Path, links: Mapping[str, tuple[str, str]]) -> None:
    write_csv_atomic(path, LINK_COLUMNS, [
        {"code_2015": code, "code_2024": new, "origine": origin}
        for code, (new, origin) in sorted(links.items())])


def read_links(path: Path) -> dict[str, tuple[str, str]]:
    """code_2015 -> (code_2024 or "", origin); empty when the store has none."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["code_2015"]: (r["code_2024"], r["origine"]) for r in csv.DictReader(handle)}


def write_outlines(path: Path, outlines: Outlines) -> None:
    """contours.json: {"qpv": {code: [libellé, [communes], wkt]}, "communes": {code:
    [nom, wkt]}, "departements": {...}, "communes_livrees": [...]}, sorted."""
    import shapely  # noqa: PLC0415 - heavy, only when the store is written

    def wkt(geometry: object) -> str:
        # On a one-metre grid, valid by construction (set_precision keeps polygons valid).
        try:
            snapped = shapely.set_precision(geometry, 1.0)
        except shapely.errors.GEOSException:
            snapped = shapely.set_precision(polygonal(geometry), 1.0)
        text: str = shapely.to_wkt(snapped, rounding_precision=0, trim=True)
        return text

    data = {
        "crs": "EPSG:2154",
        "qpv": {c: [o.libelle, list(o.communes), wkt(o.geometry)]
                for c, o in sorted(outlines.qpv.items())},
        "communes": {c: [o.libelle, wkt(o.geometry)] for c, o in sorted(outlines.communes.items())},
        "departements": {c: [o.libelle, wkt(o.geometry)]
                         for c, o in sorted(outlines.departements.items())},
        "communes_livrees": sorted(outlines.communes_delivered),
    }
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, sort_keys=True,
                                       separators=(",", ":")) + "\n")
