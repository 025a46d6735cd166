"""SIG Ville / Insee QPV files: IPRO, DEMO, REVN and Filosofi by QPV.

One row per QPV (code QPxxxxxx in the 2015 geography, QNxxxxxx in 2024) plus, in
early releases, an `Ensemble` row for all QPV. The reference year of each variable
comes from config/variables_sources.csv, never from the file name alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..problems import Problems
from ..vocabulary import CODE_ENSEMBLE_QPV, ENSEMBLE_QPV, ORIGINE_PUBLICATION, QPV, QPV2015, QPV2024
from . import FileId, ReadContext, Reader, ReadResult
from .published import check_quarter_code, is_total_row, published_number
from .skeleton import Stamp, open_source

PATTERNS = (
    (re.compile(r"^(IPRO|DEMO|REVN)_(\d{4})\.csv$", re.I), None),
    (re.compile(r"^data_(DEMO)_(\d{4})_V\d+_QP\.csv$", re.I), None),
    (re.compile(r"^data_filo(\d{2})_qp_revdis\.csv$", re.I), "FILO_QP"),
)
THEMES = {
    "IPRO": "Insertion professionnelle",
    "DEMO": "Démographie",
    "REVN": "Revenus",
    "FILO_QP": "Revenus, pauvreté et niveau de vie (Filosofi)",
}
PRODUCERS = {
    "IPRO": "Insee, France Travail, Dares",
    "DEMO": "Insee, Cnaf",
    "REVN": "Insee, DGFiP, Cnaf, Cnav, CCMSA, Cnam",
    "FILO_QP": "Insee, DGFiP, Cnaf, Cnav, CCMSA",
}
EXPECTED_NAMES = ("IPRO_AAAA.csv", "DEMO_AAAA.csv", "REVN_AAAA.csv",
                  "data_DEMO_AAAA_V1_QP.csv", "data_filoAA_qp_revdis.csv")


def identify(rel: Path) -> FileId | None:
    """Family and release year from a file name, or None if not a SIG Ville file."""
    for pattern, family in PATTERNS:
        m = pattern.match(rel.name)
        if m:
            if family == "FILO_QP":
                return FileId(family, 2000 + int(m.group(1)))
            return FileId(m.group(1).upper(), int(m.group(2)))
    return None


def read_sig_file(path: Path, file: FileId, ctx: ReadContext,
                  problems: Problems) -> ReadResult:
    """Read one SIG Ville file; also lists each QPV with its name and communes."""
    family, millesime = file.family, file.millesime or 0
    result, table, _ = open_source(path, ctx, problems, READER.name, millesime)
    label, summary = result.summary.fichier, result.summary
    if table is None:
        return result
    index = {name.upper(): i for i, name in enumerate(table.header) if name}
    if "CODGEO" not in index:
        problems.error(label, "colonne d'identifiant du quartier introuvable.", ligne=1,
                       colonne="CODGEO", attendu="une colonne CODGEO (code du quartier)",
                       correction="vérifiez qu'il s'agit bien d'un fichier des bases QPV de "
                       "l'Insee, publié tel quel")
        return result
    rules = ctx.rules.for_file(family, millesime)
    present = [r for r in rules if r.column(millesime).upper() in index]
    if rules and not present:
        problems.error(label, "aucune des variables attendues pour ce type de fichier n'est "
                       "présente : mise en page inconnue.", ligne=1,
                       attendu="au moins une des variables " +
                       ", ".join(sorted({r.column(millesime) for r in rules})),
                       correction="si le producteur a renommé ses variables, ajoutez les "
                       "nouveaux noms dans config/variables_sources.csv")
        return result
    missing = {r.column(millesime) for r in rules} - {r.column(millesime) for r in present}
    alternatives = {r.indicateur for r in present}
    for name in sorted(missing):
        indicator = next(r.indicateur for r in rules if r.column(millesime) == name)
        if indicator in alternatives:
            continue  # another spelling of the same variable is present
        problems.warning(label, f"variable attendue absente : l'indicateur « {indicator} » "
                         "n'est pas alimenté par ce fichier.", ligne=1, colonne=name,
                         correction="si la variable a été renommée, ajoutez son nouveau nom "
                         "dans config/variables_sources.csv")
    used = {"CODGEO", "LIBGEO", "LIB_COM"} | {r.column(millesime).upper() for r in present}
    used |= {c.upper() for r in present for c in r.note_columns(millesime)}
    summary.colonnes_non_utilisees = [h for h in table.header if h and h.upper() not in used]
    summary.annees = {r.column(millesime): r.reference_year(millesime) for r in present}
    i_code, i_lib = index["CODGEO"], index.get("LIBGEO")
    i_com = index.get("LIB_COM")
    stamp = Stamp(PRODUCERS[family], f"Insee, bases QPV – {THEMES[family]}, publication "
                  f"{millesime}", str(millesime), label, ORIGINE_PUBLICATION)
    out = result.observations
    listed: set[str] = set()
    for line, cells in table.rows:
        code = cells[i_code].strip()
        libelle = cells[i_lib].strip() if i_lib is not None else ""
        if code.lower() == "ensemble":
            niveau, geographie, code = ENSEMBLE_QPV, QPV2015, CODE_ENSEMBLE_QPV
            libelle = "Ensemble des quartiers prioritaires"
        elif is_total_row(code, libelle):
            continue  # the producer's total below the table: not a territory
        elif code.upper().replace(" ", "").startswith(("QP", "QN")):
            if not check_quarter_code(code, label, line, ctx, problems):
                continue
            niveau, geographie = QPV, QPV2015 if code.startswith("QP") else QPV2024
        else:
            problems.warning(label, "code de territoire non reconnu : ligne ignorée.",
                             ligne=line, colonne="CODGEO", valeur=code,
                             attendu="un code de quartier QPxxxxxx ou QNxxxxxx, ou « Ensemble »")
            continue
        if niveau == QPV:
            listed.add(code)
        if i_com is not None and niveau == QPV:
            result.quarters[code] = (libelle, cells[i_com].strip())
        for rule in present:
            column = rule.column(millesime)
            raw = cells[index[column.upper()]]
            parsed = published_number(raw, label, line, column, problems)
            if parsed is None:
                continue
            notes = [f"{c}={cells[index[c.upper()]].strip()}" for c in rule.note_columns(millesime)
                     if c.upper() in index and cells[index[c.upper()]].strip() not in ("", "0")]
            out.append(stamp(rule.indicateur, niveau, code, rule.reference_year(millesime),
                             parsed, raw, line, column, libelle=libelle,
                             geographie=geographie, qualite=";".join(notes)))
    summary.observations = len(out)
    summary.quartiers = frozenset(listed)
    return result


READER = Reader(
    name="SIG Ville (QPV)", expected=EXPECTED_NAMES, identify=identify, read=read_sig_file,
    lists_quarters=True,
    # Oldest release first: the latest one has the last word on a QPV's name and communes.
    sort_key=lambda path, file: (file.millesime or 0, path.name))
