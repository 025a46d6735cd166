"""Filosofi disposable-income files (Insee): FILO<year>_DISP_<level>.csv.

The year in the name is the income year. Levels: COM, EPCI, DEP, REG, METROPOLE.
Commune rows are kept only for communes that host a QPV (the comparisons the
reports need), unless no QPV list is known; the communes drawn on the maps (outlines
delivered) also keep the statistic the maps paint (MAP_INDICATOR).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..problems import Problems
from ..vocabulary import (
    CODE_FRANCE_METRO,
    COMMUNE,
    DEPARTEMENT,
    EPCI,
    FRANCE,
    MAP_INDICATOR,
    ORIGINE_PUBLICATION,
    REGION,
)
from . import FileId, ReadContext, Reader, ReadResult
from .published import is_total_row, published_number
from .skeleton import Stamp, open_source

PATTERN = re.compile(r"^FILO(\d{4})_DISP_(COM|EPCI|DEP|REG|METROPOLE)\.csv$", re.I)
LEVELS = {"COM": COMMUNE, "EPCI": EPCI, "DEP": DEPARTEMENT, "REG": REGION,
          "METROPOLE": FRANCE}
EXPECTED_NAMES = ("FILOAAAA_DISP_COM.csv", "FILOAAAA_DISP_EPCI.csv", "FILOAAAA_DISP_DEP.csv",
                  "FILOAAAA_DISP_REG.csv", "FILOAAAA_DISP_METROPOLE.csv")


def identify(rel: Path) -> FileId | None:
    m = PATTERN.match(rel.name)
    return FileId("FILOSOFI", int(m.group(1)), m.group(2).upper()) if m else None


def read_filosofi_file(path: Path, file: FileId, ctx: ReadContext,
                       problems: Problems) -> ReadResult:
    year, level = file.millesime or 0, file.variant
    result, table, _ = open_source(path, ctx, problems, READER.name, year)
    label, summary = result.summary.fichier, result.summary
    if table is None:
        return result
    index = {name.upper(): i for i, name in enumerate(table.header) if name}
    if "CODGEO" not in index:
        problems.error(label, "colonne CODGEO introuvable : mise en page inconnue.", ligne=1,
                       colonne="CODGEO", attendu="les colonnes CODGEO, LIBGEO puis les "
                       "indicateurs Filosofi (Q2AA, D1AA...)")
        return result
    rules = ctx.rules.for_file("FILOSOFI", year)
    present = [r for r in rules if r.column(year).upper() in index]
    if rules and not present:
        problems.error(label, "aucune variable Filosofi attendue n'est présente : mise en page "
                       "inconnue.", ligne=1, attendu=", ".join(r.column(year) for r in rules),
                       correction="si l'Insee a renommé ses variables, ajoutez les nouveaux "
                       "noms dans config/variables_sources.csv")
        return result
    for rule in rules:
        if rule not in present:
            problems.warning(label, f"variable attendue absente : l'indicateur "
                             f"« {rule.indicateur} » n'est pas alimenté par ce fichier.",
                             ligne=1, colonne=rule.column(year))
    used = {"CODGEO", "LIBGEO"} | {r.column(year).upper() for r in present}
    summary.colonnes_non_utilisees = [h for h in table.header if h and h.upper() not in used]
    summary.annees = {r.column(year): year for r in present}
    niveau = LEVELS[level]
    i_code, i_lib = index["CODGEO"], index.get("LIBGEO")
    keep = ctx.communes_retenues if niveau == COMMUNE else None
    stamp = Stamp("Insee, DGFiP, Cnaf, Cnav, CCMSA",
                  f"Insee, Filosofi {year} – revenus disponibles ({level})", str(year), label,
                  ORIGINE_PUBLICATION)
    out = result.observations
    for line, cells in table.rows:
        code = cells[i_code].strip()
        libelle = cells[i_lib].strip() if i_lib is not None else ""
        if is_total_row(code, libelle):
            continue  # the producer's total below the table: not a territory
        if niveau == FRANCE:
            code = CODE_FRANCE_METRO
        elif not code:
            problems.warning(label, "ligne sans code de territoire : elle est ignorée.",
                             ligne=line, colonne="CODGEO", valeur=libelle,
                             attendu="un code officiel de territoire (COG)")
            continue
        wanted = present
        if niveau != FRANCE and keep is not None and code not in keep:
            if code not in ctx.communes_carte:
                continue
            # a commune outside the report's levels: only what the maps paint
            wanted = [r for r in present if r.indicateur == MAP_INDICATOR]
        for rule in wanted:
            column = rule.column(year)
            raw = cells[index[column.upper()]]
            parsed = published_number(raw, label, line, column, problems)
            if parsed is None:
                continue
            out.append(stamp(rule.indicateur, niveau, code, year, parsed, raw, line, column,
                             libelle=libelle))
    summary.observations = len(out)
    return result


READER = Reader(name="Filosofi", expected=EXPECTED_NAMES, identify=identify,
                read=read_filosofi_file, needs_quarters=True)
