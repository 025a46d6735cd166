"""Long tables: one row per territory, year (and category), as SSMSI and the
Observatoire des territoires publish them.

- SSMSI `donnee-<dep|reg>-<publication>.csv`: recorded crime by category (`classe`),
  rate per 1 000 inhabitants or dwellings (`tauxpourmille`), year on two digits.
- `neet_<communes|epci|dpt|region>_<publication>.csv`: share of 16-25 year-olds neither
  in employment nor in education (`part_non_inseres`), census years.
The variable -> indicator mapping is in config/variables_sources.csv (families SSMSI
and NEET); the reference year is read on each row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problems
from ..vocabulary import COMMUNE, DEPARTEMENT, EPCI, ORIGINE_PUBLICATION, REGION
from . import FileId, ReadContext, Reader, ReadResult
from .published import is_total_row, published_number
from .skeleton import UNKNOWN_LAYOUT, Stamp, open_source


@dataclass(frozen=True)
class LongFormat:
    famille: str
    pattern: re.Pattern[str]
    levels: dict[str, str]  # token in the file name -> niveau
    code_columns: dict[str, str]  # niveau -> code column
    year_column: str
    category_column: str | None  # None: the value column name is the variable
    value_column: str
    producer: str
    title: str


FORMATS = (
    LongFormat("SSMSI", re.compile(r"^donnee-(dep|reg)-(\d{4})\.csv$", re.I),
               {"dep": DEPARTEMENT, "reg": REGION},
               {DEPARTEMENT: "Code.département", REGION: "Code.région"},
               "annee", "classe", "tauxpourmille", "Ministère de l'Intérieur (SSMSI)",
               "crimes et délits enregistrés par la police et la gendarmerie"),
    LongFormat("NEET", re.compile(r"^neet_(communes|epci|dpt|region)_(\d{4})\.csv$", re.I),
               {"communes": COMMUNE, "epci": EPCI, "dpt": DEPARTEMENT, "region": REGION},
               {COMMUNE: "codgeo", EPCI: "codgeo", DEPARTEMENT: "codgeo", REGION: "codgeo"},
               "an", None, "part_non_inseres", "Insee (recensement)",
               "part des jeunes de 16 à 25 ans non insérés"),
)
EXPECTED_NAMES = ("donnee-dep-AAAA.csv", "donnee-reg-AAAA.csv", "neet_communes_AAAA.csv")


def identify(rel: Path) -> FileId | None:
    for fmt in FORMATS:
        m = fmt.pattern.match(rel.name)
        if m:
            return FileId(fmt.famille, int(m.group(2)), fmt.levels[m.group(1).lower()])
    return None


def read_long_file(path: Path, file: FileId, ctx: ReadContext,
                   problems: Problems) -> ReadResult:
    fmt = next(f for f in FORMATS if f.famille == file.family)
    niveau, millesime = file.variant, file.millesime or 0
    needed = [fmt.code_columns[niveau], fmt.year_column, fmt.value_column]
    if fmt.category_column:
        needed.append(fmt.category_column)
    result, table, index = open_source(path, ctx, problems, fmt.famille, millesime, needed,
                                       correction=UNKNOWN_LAYOUT)
    label, summary = result.summary.fichier, result.summary
    if table is None:
        return result
    rules = {r.variable: r for r in ctx.rules.for_file(fmt.famille, millesime)}
    keep = ctx.communes_retenues if niveau == COMMUNE else None
    i_lib = index.get("libgeo")
    out = result.observations
    years: dict[str, int] = {}
    stamp = Stamp(fmt.producer, f"{fmt.producer}, {fmt.title}, publication {millesime}",
                  str(millesime), label, ORIGINE_PUBLICATION)
    for line, cells in table.rows:
        variable = cells[index[fmt.category_column]] if fmt.category_column else fmt.value_column
        rule = rules.get(variable)
        if rule is None:
            continue
        code = cells[index[fmt.code_columns[niveau]]].strip()
        if is_total_row(code, cells[i_lib] if i_lib is not None else ""):
            continue  # the producer's total below the table: not a territory
        if not code:
            problems.warning(label, "ligne sans code de territoire : elle est ignorée.",
                             ligne=line, colonne=fmt.code_columns[niveau],
                             attendu="un code officiel de territoire (COG)")
            continue
        if keep is not None and code not in keep:
            continue
        year = _year(cells[index[fmt.year_column]])
        if year is None:
            problems.warning(label, "année illisible : ligne ignorée.", ligne=line,
                             colonne=fmt.year_column, valeur=cells[index[fmt.year_column]],
                             attendu="une année sur deux ou quatre chiffres")
            continue
        raw = cells[index[fmt.value_column]]
        parsed = published_number(raw, label, line, fmt.value_column, problems)
        if parsed is None:
            continue
        years[variable] = max(years.get(variable, 0), year)
        out.append(stamp(rule.indicateur, niveau, code, year, parsed, raw, line,
                         fmt.value_column,
                         libelle=cells[i_lib].strip() if i_lib is not None else ""))
    for variable in rules:
        if variable not in years:
            problems.warning(label, f"catégorie attendue absente : l'indicateur "
                             f"« {rules[variable].indicateur} » n'est pas alimenté.",
                             colonne=fmt.category_column or fmt.value_column, valeur=variable)
    summary.observations = len(out)
    summary.annees = years
    return result


def _year(raw: str) -> int | None:
    text = raw.strip()
    if re.fullmatch(r"\d{2}", text):
        return 2000 + int(text)
    if re.fullmatch(r"(19|20)\d\d", text):
        return int(text)
    return None


READER = Reader(name="Tableaux longs (SSMSI, NEET)", expected=EXPECTED_NAMES,
                identify=identify, read=read_long_file, needs_quarters=True)
