"""Filosofi disposable-income files (Insee): FILO<year>_DISP_<level>.csv.

The year in the name is the income year. Levels: COM, EPCI, DEP, REG, METROPOLE.
Commune rows are kept only for communes that host a QPV (the comparisons the
reports need), unless no QPV list is known.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..problems import Problems
from ..rawtable import read_delimited
from ..schema import CODE_FRANCE_METRO, Observation
from . import FileSummary, ReadContext
from .published import published_number

PATTERN = re.compile(r"^FILO(\d{4})_DISP_(COM|EPCI|DEP|REG|METROPOLE)\.csv$", re.I)
LEVELS = {"COM": "commune", "EPCI": "epci", "DEP": "departement", "REG": "region",
          "METROPOLE": "france"}
EXPECTED_NAMES = ("FILOAAAA_DISP_COM.csv", "FILOAAAA_DISP_EPCI.csv", "FILOAAAA_DISP_DEP.csv",
                  "FILOAAAA_DISP_REG.csv", "FILOAAAA_DISP_METROPOLE.csv")


def identify(name: str) -> tuple[int, str] | None:
    m = PATTERN.match(name)
    return (int(m.group(1)), m.group(2).upper()) if m else None


def read_filosofi_file(path: Path, ctx: ReadContext,
                       problems: Problems) -> tuple[list[Observation], FileSummary]:
    label = ctx.label(path)
    year, level = identify(path.name)  # type: ignore[misc]
    summary = FileSummary(label, "Filosofi", str(year))
    table = read_delimited(path, label, problems, separator=";")
    if table is None:
        return [], summary
    index = {name.upper(): i for i, name in enumerate(table.header) if name}
    if "CODGEO" not in index:
        problems.error(label, "colonne CODGEO introuvable : mise en page inconnue.", ligne=1,
                       colonne="CODGEO", attendu="les colonnes CODGEO, LIBGEO puis les "
                       "indicateurs Filosofi (Q2AA, D1AA...)")
        return [], summary
    rules = ctx.rules.for_file("FILOSOFI", year)
    present = [r for r in rules if r.column(year).upper() in index]
    if rules and not present:
        problems.error(label, "aucune variable Filosofi attendue n'est présente : mise en page "
                       "inconnue.", ligne=1, attendu=", ".join(r.column(year) for r in rules),
                       correction="si l'Insee a renommé ses variables, ajoutez les nouveaux "
                       "noms dans config/variables_sources.csv")
        return [], summary
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
    keep = ctx.communes_retenues if niveau == "commune" else None
    source = f"Insee, Filosofi {year} – revenus disponibles ({level})"
    out: list[Observation] = []
    for line, cells in table.rows:
        code = cells[i_code].strip()
        libelle = cells[i_lib].strip() if i_lib is not None else ""
        if niveau == "france":
            code = CODE_FRANCE_METRO
        elif keep is not None and code not in keep:
            continue
        for rule in present:
            column = rule.column(year)
            raw = cells[index[column.upper()]]
            parsed = published_number(raw, label, line, column, problems)
            if parsed is None:
                continue
            out.append(Observation(
                indicateur=rule.indicateur, niveau=niveau, code=code,
                libelle_territoire=libelle, geographie="", annee=year, valeur=parsed.valeur,
                statut=parsed.statut, valeur_publiee=raw.strip(), qualite="",
                producteur="Insee, DGFiP, Cnaf, Cnav, CCMSA", source=source,
                millesime=str(year), fichier=label, ligne=line, colonne=column))
    summary.observations = len(out)
    return out, summary
