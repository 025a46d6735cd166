"""Social position index of collèges (DEPP): fr-en-ips_colleges_<publication>.csv.

One row per collège (code UAI) with its commune, sector and IPS for a school year
(« 2021-2022 » -> 2021). Only the collèges of the communes that host a QPV are kept;
each becomes an observation at level `etablissement`, attached to its commune.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..problems import Problems
from ..vocabulary import ETABLISSEMENT, ORIGINE_PUBLICATION
from . import FileId, ReadContext, Reader, ReadResult
from .published import published_number
from .skeleton import UNKNOWN_LAYOUT, Stamp, open_source

PATTERN = re.compile(r"^fr-en-ips_colleges_(\d{4})\.csv$", re.I)
EXPECTED_NAMES = ("fr-en-ips_colleges_AAAA.csv",)
COLUMNS = {"annee": "Rentrée scolaire", "uai": "UAI", "nom": "Nom de l'établissment",
           "commune": "Code INSEE de la commune", "secteur": "Secteur", "ips": "IPS"}
PRODUCER = "Ministère de l'Éducation nationale (DEPP)"


def identify(rel: Path) -> FileId | None:
    m = PATTERN.match(rel.name)
    return FileId("IPS", int(m.group(1))) if m else None


def read_ips_file(path: Path, file: FileId, ctx: ReadContext,
                  problems: Problems) -> ReadResult:
    millesime = file.millesime
    result, table, index = open_source(path, ctx, problems, READER.name, millesime,
                                       list(COLUMNS.values()), correction=UNKNOWN_LAYOUT)
    if table is None:
        return result
    rules = ctx.rules.for_file(file.family, millesime or 0)
    if not rules:
        return result
    rule = rules[0]
    keep = ctx.communes_retenues
    label, out = result.summary.fichier, result.observations
    col = {k: index[v] for k, v in COLUMNS.items()}
    for line, cells in table.rows:
        commune = cells[col["commune"]].strip()
        if keep is not None and commune not in keep:
            continue
        year = re.match(r"\s*(\d{4})", cells[col["annee"]])
        if year is None:
            problems.warning(label, "rentrée scolaire illisible : ligne ignorée.", ligne=line,
                             colonne=COLUMNS["annee"], valeur=cells[col["annee"]],
                             attendu="une rentrée de la forme 2021-2022")
            continue
        raw = cells[col["ips"]]
        parsed = published_number(raw, label, line, COLUMNS["ips"], problems)
        if parsed is None:
            continue
        stamp = Stamp(PRODUCER, f"{PRODUCER}, indices de position sociale des collèges, "
                      f"rentrée {cells[col['annee']].strip()}", str(millesime), label,
                      ORIGINE_PUBLICATION)
        out.append(stamp(rule.indicateur, ETABLISSEMENT, cells[col["uai"]].strip(),
                         int(year.group(1)), parsed, raw, line, COLUMNS["ips"],
                         libelle=f"{cells[col['nom']].strip()} "
                         f"({cells[col['secteur']].strip()})", rattachement=commune))
    result.summary.observations = len(out)
    result.summary.annees = {"IPS": max((o.annee for o in out), default=0)}
    return result


READER = Reader(name="IPS des collèges (DEPP)", expected=EXPECTED_NAMES, identify=identify,
                read=read_ips_file, needs_quarters=True)
