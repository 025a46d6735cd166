"""The contract's own figures, transcribed by hand exactly as printed.

data/raw/contrat/*.csv: one row per printed value, citing the contract section, with
the value as printed (`20, 9`, `>95`, `nd`, `1,2 M€`). The contract's name, producer
and release come from config/contrat.toml.

A transcription error found later is never corrected in place (data/raw/ is
immutable): data/raw/contrat/errata.csv names the file, line and column, the cell as
it reads and its correction, with the contract's words. The reader applies it, checks
that the cell still reads as stated, and cites the correction with the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..frenchnumbers import parse_printed_value
from ..problems import Problems
from ..rawtable import RawTable, read_delimited
from ..vocabulary import ORIGINE_CONTRAT
from . import FileId, FileSummary, Observation, ReadContext, Reader, ReadResult
from .handfilled import RowChecker

COLUMNS = ("section", "tableau", "libelle_imprime", "indicateur", "niveau", "code",
           "libelle_territoire", "geographie", "annee", "valeur_imprimee", "source_citee",
           "note")
OPTIONAL = ("periode",)  # added by later transcriptions: the part of the year a count covers
FOLDER = "contrat"
ERRATA = "errata.csv"
ERRATA_COLUMNS = ("fichier", "ligne", "colonne", "valeur_lue", "valeur_corrigee",
                  "justification")


@dataclass(frozen=True)
class Correction:
    """One cell of a transcription corrected by the errata file."""

    ligne_errata: int
    ligne: int
    colonne: str
    valeur_lue: str
    valeur_corrigee: str
    justification: str


def identify(rel: Path) -> FileId | None:
    if rel.parts[0] == FOLDER and rel.suffix.lower() == ".csv":
        return FileId("ERRATA" if rel.name == ERRATA else "CONTRAT", None)
    return None


def read_errata(path: Path, label: str, problems: Problems) -> dict[str, list[Correction]]:
    """The corrections of each transcription file, by file name; bad rows are errors."""
    table = read_delimited(path, label, problems, separator=";", strict_encoding=True)
    if table is None:
        return {}
    index = table.required_columns(ERRATA_COLUMNS, problems,
                                   correction="rétablissez l'en-tête de l'errata")
    if index is None:
        return {}
    out: dict[str, list[Correction]] = {}
    folder = path.parent
    for line, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in ERRATA_COLUMNS}
        problems_before = len(problems.errors)
        if row["fichier"] == ERRATA or not (folder / row["fichier"]).is_file():
            problems.error(label, "fichier à corriger introuvable.", ligne=line,
                           colonne="fichier", valeur=row["fichier"],
                           attendu=f"le nom d'une transcription de data/raw/{FOLDER}/")
        if not row["ligne"].isdigit() or int(row["ligne"]) < 2:
            problems.error(label, "numéro de ligne invalide.", ligne=line, colonne="ligne",
                           valeur=row["ligne"], attendu="le numéro de la ligne dans le "
                           "fichier corrigé (l'en-tête est la ligne 1)")
        if not row["justification"]:
            problems.error(label, "correction sans justification.", ligne=line,
                           colonne="justification", valeur="",
                           attendu="les mots du contrat qui justifient la correction")
        if len(problems.errors) > problems_before:
            continue
        out.setdefault(row["fichier"], []).append(Correction(
            line, int(row["ligne"]), row["colonne"], row["valeur_lue"],
            row["valeur_corrigee"], row["justification"]))
    return out


def _apply_errata(table: RawTable, corrections: list[Correction], errata_label: str,
                  problems: Problems) -> dict[int, list[Correction]]:
    """Correct the table's cells in memory; a correction that does not find the cell as
    it says it reads is an error (the transcription changed since it was written)."""
    index = table.column_index()
    rows = dict(table.rows)
    applied: dict[int, list[Correction]] = {}
    for fix in corrections:
        cells = rows.get(fix.ligne)
        if fix.colonne not in index or cells is None:
            problems.error(errata_label, "la cellule à corriger n'existe pas.",
                           ligne=fix.ligne_errata, colonne="colonne" if cells else "ligne",
                           valeur=fix.colonne if cells else str(fix.ligne),
                           attendu=f"une ligne de données et une colonne de {table.label}")
            continue
        current = cells[index[fix.colonne]].strip()
        if current != fix.valeur_lue:
            problems.error(errata_label, "la cellule ne contient pas la valeur que "
                           "l'errata dit corriger.", ligne=fix.ligne_errata,
                           colonne="valeur_lue", valeur=fix.valeur_lue,
                           attendu=f"« {current} » (ligne {fix.ligne}, colonne {fix.colonne} "
                           f"de {table.label})",
                           correction="mettez l'errata à jour avec la transcription")
            continue
        cells[index[fix.colonne]] = fix.valeur_corrigee
        applied.setdefault(fix.ligne, []).append(fix)
    return applied


def _correction_note(fixes: list[Correction]) -> str:
    return "transcription corrigée (" + " ; ".join(
        f"{f.colonne} : « {f.valeur_lue} » → « {f.valeur_corrigee} », {ERRATA} ligne "
        f"{f.ligne_errata}" for f in fixes) + ")"


def read_contract(path: Path, file: FileId, ctx: ReadContext,
                  problems: Problems) -> ReadResult:
    label = ctx.label(path)
    summary = FileSummary(label, READER.name)
    result = ReadResult([], summary)
    if file.family == "ERRATA":  # checked here; applied with each transcription
        read_errata(path, label, problems)
        return result
    table = read_delimited(path, label, problems, separator=";", strict_encoding=True)
    if table is None:
        return result
    index = table.required_columns(COLUMNS, problems,
                                   correction="rétablissez l'en-tête de la transcription")
    if index is None:
        return result
    errata_path = path.parent / ERRATA
    corrected: dict[int, list[Correction]] = {}
    if errata_path.is_file():
        fixes = read_errata(errata_path, ctx.label(errata_path), Problems())
        if path.name in fixes:
            corrected = _apply_errata(table, fixes[path.name], ctx.label(errata_path),
                                      problems)
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
            valeur_publiee=row["valeur_imprimee"],
            qualite=_correction_note(corrected[line]) if line in corrected else "",
            producteur=contract.transcription_producteur,
            source=f"{contract.nom}, section {row['section']} ({row['source_citee']})",
            millesime=contract.transcription_millesime, fichier=label, ligne=line,
            colonne="valeur_imprimee", periode=periode, origine=ORIGINE_CONTRAT))
    summary.observations = len(out)
    return result


READER = Reader(name="Transcription du contrat", expected=(f"{FOLDER}/*.csv",),
                identify=identify, read=read_contract, hand_filled=True)
