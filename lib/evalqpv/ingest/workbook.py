"""A partner's returned workbook, read cell by cell: nothing in it is dropped silently.

The data sheet is found by what it is, never by its position (a draft sheet placed first
is not read): the sheet with the collection workbook's code name (kept when a sheet is
renamed), else the sheet « Indicateurs », else the only sheet laid out as a return. A
formula whose value was never calculated, and values in merged cells (all but the first
cell of a merge are empty to a reader), are errors naming their cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..problems import Problems
from ..vocabulary import (
    COLLECTION_CODE_NAME,
    COLLECTION_GUIDE_SHEET,
    COLLECTION_SHEET,
    COLLECTION_STRUCTURE_SHEET,
    RETURN_REQUIRED,
)

Header = list[tuple[str, str]]  # (column name, column letter in a workbook, "" in a CSV)
Body = list[tuple[int, list[object]]]  # (line number, cells)


@dataclass(frozen=True)
class Rows:
    """A returned file split into its header and its rows, whatever its format."""

    header: Header
    header_line: int
    body: Body
    label: str  # the file, and the sheet of a workbook
    structure: dict[str, list[str]] | None  # the layout the workbook was sent with


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(path: Path, label: str, problems: Problems) -> Rows | None:
    """The data sheet's header and rows; None (with errors recorded) when it cannot be
    read, or when a cell of it cannot."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only when a workbook is returned

    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        problems.error(label, "classeur Excel illisible.", valeur=type(exc).__name__,
                       attendu="un classeur .xlsx enregistré par Excel ou LibreOffice",
                       correction="rouvrez-le et réenregistrez-le au format .xlsx")
        return None
    structure = None
    if COLLECTION_STRUCTURE_SHEET in values.sheetnames:
        structure = {str(r[0]): [cell_text(v) for v in r[1:] if v not in (None, "")]
                     for r in values[COLLECTION_STRUCTURE_SHEET].iter_rows(values_only=True)
                     if r[0]}
    title = _data_sheet(values, structure, label, problems)
    if title is None:
        return None
    sheet = values[title]
    where = f"{label} [feuille « {title} »]"
    rows = list(sheet.iter_rows(values_only=True))
    header_row = _header_row(rows)
    if header_row is None:
        problems.error(where, "aucune ligne d'en-tête trouvée (pas de cellule « indicateur »).",
                       attendu="une ligne d'en-tête avec les colonnes "
                       + ", ".join(RETURN_REQUIRED))
        return None
    before = len(problems.errors)
    _check_merged(sheet, header_row, where, problems)
    if len(problems.errors) > before and any(
            r.min_row <= header_row <= r.max_row for r in sheet.merged_cells.ranges):
        return None
    _check_formulas(formulas[title], sheet, header_row, where, problems)
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    header: Header = [(cell_text(v), get_column_letter(i + 1))
                      for i, v in enumerate(rows[header_row - 1])]
    body: Body = [(n, list(r)) for n, r in enumerate(rows[header_row:], start=header_row + 1)
                  if any(v not in (None, "") for v in r)]
    return Rows(header, header_row, body, where, structure)


def _header_row(rows: list[tuple[Any, ...]]) -> int | None:
    return next((n for n, r in enumerate(rows, start=1)
                 if any(cell_text(v).lower() == "indicateur" for v in r)), None)


def _looks_like_a_return(sheet: Any, structure: dict[str, list[str]] | None) -> bool:
    """A header with the required columns (and every column the workbook was sent with)."""
    rows = list(sheet.iter_rows(values_only=True, max_row=50))
    line = _header_row(rows)
    if line is None:
        return False
    names = {cell_text(v).lower() for v in rows[line - 1]}
    expected = set(structure.get("colonnes", [])) if structure else set()
    return set(RETURN_REQUIRED) <= names and expected <= names


def _data_sheet(workbook: Any, structure: dict[str, list[str]] | None, label: str,
                problems: Problems) -> str | None:
    """The title of the sheet holding the returned figures."""
    sheets = [ws for ws in workbook.worksheets
              if ws.title not in (COLLECTION_STRUCTURE_SHEET, COLLECTION_GUIDE_SHEET)]
    coded = [ws for ws in sheets if ws.sheet_properties.codeName == COLLECTION_CODE_NAME]
    if len(coded) > 1:  # a copy of the data sheet keeps its code name in some tools
        coded = [ws for ws in coded if _looks_like_a_return(ws, structure)]
    named = [ws for ws in sheets if ws.title == COLLECTION_SHEET]
    laid_out = [ws for ws in sheets if _looks_like_a_return(ws, structure)]
    with_header = [ws for ws in sheets
                   if _header_row(list(ws.iter_rows(values_only=True, max_row=50)))]
    for candidates in (coded, named, laid_out, with_header):
        if len(candidates) == 1:
            chosen = candidates[0]
            others = [ws.title for ws in laid_out if ws is not chosen]
            if others:
                problems.warning(label, "feuilles ignorées : seule la feuille de collecte "
                                 f"« {chosen.title} » est lue.",
                                 valeur=", ".join(others),
                                 attendu="une seule feuille de chiffres par classeur")
            return str(chosen.title)
        if len(candidates) > 1:
            problems.error(label, "plusieurs feuilles ressemblent à la feuille de collecte : "
                           "impossible de savoir laquelle lire.",
                           valeur=", ".join(ws.title for ws in candidates),
                           attendu="une seule feuille de chiffres par classeur",
                           correction="supprimez les brouillons et les copies de la feuille, "
                           "ou repartez du classeur envoyé")
            return None
    problems.error(label, "aucune feuille de collecte trouvée.",
                   valeur=", ".join(ws.title for ws in sheets),
                   attendu=f"la feuille « {COLLECTION_SHEET} » du classeur envoyé, ou une "
                   "feuille dont l'en-tête a les colonnes " + ", ".join(RETURN_REQUIRED),
                   correction="repartez du classeur envoyé (make gabarits)")
    return None


def _check_merged(sheet: Any, header_row: int, where: str, problems: Problems) -> None:
    """Merged cells in the header or the rows below it: an error per merge."""
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.max_row < header_row:
            continue  # a title above the table
        if merged.min_row <= header_row <= merged.max_row:
            problems.error(where, "l'en-tête contient des cellules fusionnées.",
                           ligne=header_row, colonne=str(merged),
                           attendu="une cellule par intitulé de colonne",
                           correction="annulez la fusion (Accueil > Fusionner et centrer) et "
                           "rétablissez un intitulé par colonne")
            continue
        problems.error(where, "cellules fusionnées : seule la première porte une valeur, "
                       "celles des autres seraient perdues.", ligne=merged.min_row,
                       colonne=str(merged), attendu="une valeur dans chaque cellule",
                       correction="annulez la fusion et saisissez la valeur de chaque ligne "
                       "dans sa propre cellule")


def _check_formulas(formulas: Any, values: Any, header_row: int, where: str,
                    problems: Problems) -> None:
    """A formula is read through the value the spreadsheet saved with it; a formula saved
    without one (written by a program, never opened in a spreadsheet) is an error."""
    for row in formulas.iter_rows(min_row=header_row):
        for cell in row:
            if cell.data_type != "f":
                continue
            if values[cell.coordinate].value is None:
                text = cell.value if isinstance(cell.value, str) else str(
                    getattr(cell.value, "text", "") or "formule")
                problems.error(where, f"formule sans valeur calculée dans la cellule "
                               f"{cell.coordinate} : elle ne peut pas être lue.",
                               ligne=cell.row, colonne=cell.coordinate, valeur=text,
                               attendu="un nombre, ou une formule enregistrée avec sa valeur",
                               correction="ouvrez le classeur dans Excel ou LibreOffice et "
                               "enregistrez-le (les formules sont alors calculées), ou "
                               "saisissez le nombre lui-même")
