"""The contract's own figures, transcribed by hand exactly as printed.

data/raw/contrat/*.csv: one row per printed value, citing the contract section, with
the value as printed (`20, 9`, `>95`, `nd`, `1,2 M€`). The contract's name, producer
and release come from config/contrat.toml.
"""

from __future__ import annotations

from pathlib import Path

from ..frenchnumbers import parse_printed_value
from ..problems import Problems
from ..rawtable import read_delimited
from . import FileId, FileSummary, Observation, ReadContext, Reader, ReadResult
from .handfilled import RowChecker

COLUMNS = ("section", "tableau", "libelle_imprime", "indicateur", "niveau", "code",
           "libelle_territoire", "geographie", "annee", "valeur_imprimee", "source_citee",
           "note")
OPTIONAL = ("periode",)  # added by later transcriptions: the part of the year a count covers
FOLDER = "contrat"


def identify(rel: Path) -> FileId | None:
    if rel.parts[0] == FOLDER and rel.suffix.lower() == ".csv":
        return FileId("CONTRAT", None)
    return None


def read_contract(path: Path, file: FileId, ctx: ReadContext,
                  problems: Problems) -> ReadResult:
    label = ctx.label(path)
    summary = FileSummary(label, READER.name)
    result = ReadResult([], summary)
    table = read_delimited(path, label, problems, separator=";", strict_encoding=True)
    if table is None:
        return result
    index = table.required_columns(COLUMNS, problems,
                                   correction="rétablissez l'en-tête de la transcription")
    if index is None:
        return result
    check = RowChecker(ctx, problems, label)
    seen: dict[tuple[str, str, str, str, str, int], int] = {}
    out = result.observations
    contract = ctx.contract
    for line, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in COLUMNS}
        row.update({c: cells[index[c]].strip() if c in index else "" for c in OPTIONAL})
        before = len(problems.errors)
        indicateur = check.indicateur(line, "indicateur", row["indicateur"])
        niveau = check.niveau(line, "niveau", row["niveau"], row["code"])
        code = check.code(line, "code", row["code"], niveau)
        geographie = check.geographie(line, "geographie", row["geographie"], niveau)
        annee = check.annee(line, "annee", row["annee"])
        periode = check.periode(line, "periode", row["periode"])
        parsed = check.valeur(line, "valeur_imprimee", row["valeur_imprimee"],
                              parse_printed_value)
        if not row["section"]:
            check.error(line, "section", "la section du contrat citée est vide.", "",
                        "la section où la valeur est imprimée (I.C, Annexe 1 – CAF...)")
        if len(problems.errors) > before or parsed is None or indicateur is None \
                or niveau is None or code is None or annee is None:
            continue
        key = (row["section"], indicateur, niveau, code, geographie, annee)
        if key in seen:
            check.error(line, "indicateur", f"ligne en double (même section, indicateur, "
                        f"territoire et année que la ligne {seen[key]}).", row["indicateur"],
                        "une seule ligne par valeur imprimée", "supprimez l'une des deux lignes")
            continue
        seen[key] = line
        out.append(Observation(
            indicateur=indicateur, niveau=niveau, code=code,
            libelle_territoire=row["libelle_territoire"], geographie=geographie,
            annee=annee, valeur=parsed.valeur, statut=parsed.statut,
            valeur_publiee=row["valeur_imprimee"], qualite="",
            producteur=contract.transcription_producteur,
            source=f"{contract.nom}, section {row['section']} ({row['source_citee']})",
            millesime=contract.transcription_millesime, fichier=label, ligne=line,
            colonne="valeur_imprimee", periode=periode))
    summary.observations = len(out)
    return result


READER = Reader(name="Transcription du contrat", expected=(f"{FOLDER}/*.csv",),
                identify=identify, read=read_contract, hand_filled=True)
