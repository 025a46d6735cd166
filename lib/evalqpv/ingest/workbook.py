"""A partner's returned workbook, read cell by cell: nothing in it is dropped silently.

The workbook is opened in whatever format it was saved (workbook_open). The data sheet
is found by what it is, never by its position (a draft sheet placed first is not read):
the sheet with the collection workbook's code name (kept when a sheet is renamed), else
the sheet « Indicateurs », else the only sheet laid out as a return. A formula whose
value was never calculated, and values in merged cells (all but the first cell of a
merge are empty to a reader), are errors naming their cells.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UnreadableWorkbook as UnreadableWorkbook  # its historical place
from ..problems import Problems
from ..vocabulary import (
    COLLECTION_CODE_NAME,
    COLLECTION_GUIDE_SHEET,
    COLLECTION_SHEET,
    COLLECTION_STRUCTURE_SHEET,
    LEVEL_NAMES,
    RETURN_HEADERS,
    RETURN_REQUIRED,
)
from .workbook_open import Book, CellRange, Sheet, open_book

Header = list[tuple[str, str]]  # (column name, column letter in a workbook, "" in a CSV)
Body = list[tuple[int, list[object]]]  # (line number, cells)

# What to do with a return that cannot be read: the partner's file, not a producer's.
RESAVE = "enregistrez le classeur au format .xlsx (Excel : « Fichier > Enregistrer sous » > " \
    "« Classeur Excel (*.xlsx) » ; LibreOffice : « Enregistrer sous » > « Excel 2007-365 ») " \
    "puis déposez-le à nouveau, sous le même nom"


@dataclass(frozen=True)
class Rows:
    """A returned file split into its header and its rows, whatever its format."""

    header: Header
    header_line: int
    body: Body
    label: str  # the file, and the sheet of a workbook
    structure: dict[str, list[str]] | None  # the layout the workbook was sent with
    format: str = "csv"  # as read, by content: csv, xlsx, xlsm, ods, xls
    # (line, cell index) of the cells shown as a percentage, read ×100 (0.35 is 35 %)
    percent: frozenset[tuple[int, int]] = frozenset()


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold(text: str) -> str:
    """A header or a word as compared: lower case, no accent, `_` and spaces alike."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_]+", " ", plain).strip()


_COLUMN_IDS = {**{fold(i): i for i in RETURN_HEADERS},
               **{fold(label): i for i, label in RETURN_HEADERS.items()}}
_LEVEL_IDS = {**{fold(i): i for i in LEVEL_NAMES},
              **{fold(word): i for i, word in LEVEL_NAMES.items()}}


def column_id(name: str) -> str:
    """The column a header names: « Code du territoire » and `code` are both `code`; an
    unknown header is returned as it is, lower case."""
    return _COLUMN_IDS.get(fold(name), name.strip().lower())


def level_id(text: str) -> str:
    """The level a cell names: « périmètre du partenaire » or `perimetre_partenaire`."""
    return _LEVEL_IDS.get(fold(text), text.strip())


# --------------------------------------------------------------------------- the return


def read_workbook(path: Path, label: str, problems: Problems) -> Rows | None:
    """The data sheet's header and rows; None (with errors recorded) when it cannot be
    read, or when a cell of it cannot."""
    try:
        book = open_book(path)
    except UnreadableWorkbook as exc:
        problems.error(label, f"classeur illisible : {exc}.",
                       attendu="un classeur .xlsx, .xlsm, .ods ou .xls enregistré par Excel "
                       "ou LibreOffice, sans mot de passe", correction=RESAVE)
        return None
    suffix = path.suffix.lower().lstrip(".")
    if suffix != book.format and {suffix, book.format} != {"xlsx", "xlsm"}:
        problems.warning(label, f"le fichier est nommé .{suffix} mais c'est un classeur "
                         f".{book.format} : il est lu comme tel.", valeur=path.name,
                         correction=f"renommez-le en .{book.format} la prochaine fois")
    structure = None
    hidden = book.sheet(COLLECTION_STRUCTURE_SHEET)
    if hidden is not None:
        structure = {str(r[0]): [cell_text(v) for v in r[1:] if v not in (None, "")]
                     for r in hidden.rows if r and r[0]}
    sheet = _data_sheet(book, structure, label, problems)
    if sheet is None:
        return None
    where = f"{label} [feuille « {sheet.title} »]"
    rows = sheet.rows
    header_row = _header_row(rows)
    if header_row is None:
        problems.error(where, "aucune ligne d'en-tête trouvée (pas de cellule « Indicateur »).",
                       attendu="une ligne d'en-tête avec les colonnes "
                       + ", ".join(RETURN_HEADERS[c] for c in RETURN_REQUIRED),
                       correction="repartez du classeur envoyé (make gabarits)")
        return None
    before = len(problems.errors)
    _check_merged(sheet, header_row, where, problems)
    if len(problems.errors) > before and any(
            r[0] <= header_row <= r[2] for r in sheet.merged):
        return None
    _check_formulas(sheet, header_row, where, problems)
    header: Header = [(cell_text(v), _letter(i + 1)) for i, v in enumerate(rows[header_row - 1])]
    body: Body = []
    merged_lines = {n for m in sheet.merged if m[0] > header_row for n in range(m[0], m[2] + 1)}
    linked_lines = {row for row, _, _ in sheet.linked_formulas}
    percent: set[tuple[int, int]] = set()
    for n, r in enumerate(rows[header_row:], start=header_row + 1):
        if not any(v not in (None, "") for v in r) or n in merged_lines | linked_lines:
            continue  # an empty row; merged cells, a linked formula (errors above): not read
        if n in sheet.hidden_rows:
            problems.warning(where, f"ligne {n} masquée dans le classeur : ses valeurs sont "
                             "lues, alors que le partenaire ne les voyait peut-être pas.",
                             ligne=n, attendu="des lignes visibles",
                             correction="affichez la ligne (clic droit > Afficher) et vérifiez "
                             "ses valeurs avec le partenaire ; supprimez-la si elle ne doit "
                             "pas être transmise")
        cells = list(r)
        for i, v in enumerate(cells):  # what the partner saw: « 29,9 % » is 29.9
            if (n, i + 1) in sheet.percent_cells and isinstance(v, int | float) \
                    and not isinstance(v, bool):
                cells[i] = round(float(v) * 100, 10)
                percent.add((n, i))
        body.append((n, cells))
    return Rows(header, header_row, body, where, structure, book.format, frozenset(percent))


def _letter(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _coordinate(row: int, column: int) -> str:
    return f"{_letter(column)}{row}"


def _header_row(rows: list[tuple[Any, ...]]) -> int | None:
    return next((n for n, r in enumerate(rows[:50], start=1)
                 if any(column_id(cell_text(v)) == "indicateur" for v in r)), None)


def _looks_like_a_return(sheet: Sheet, structure: dict[str, list[str]] | None) -> bool:
    """A header with the required columns (and every column the workbook was sent with)."""
    line = _header_row(sheet.rows)
    if line is None:
        return False
    names = {column_id(cell_text(v)) for v in sheet.rows[line - 1]}
    expected = {column_id(c) for c in structure.get("colonnes", [])} if structure else set()
    return set(RETURN_REQUIRED) <= names and expected <= names


def _data_sheet(book: Book, structure: dict[str, list[str]] | None, label: str,
                problems: Problems) -> Sheet | None:
    """The sheet holding the returned figures."""
    sheets = [s for s in book.sheets
              if s.title not in (COLLECTION_STRUCTURE_SHEET, COLLECTION_GUIDE_SHEET)]
    coded = [s for s in sheets if s.code_name == COLLECTION_CODE_NAME]
    if len(coded) > 1:  # a copy of the data sheet keeps its code name in some tools
        coded = [s for s in coded if _looks_like_a_return(s, structure)]
    named = [s for s in sheets if s.title == COLLECTION_SHEET]
    laid_out = [s for s in sheets if _looks_like_a_return(s, structure)]
    with_header = [s for s in sheets if _header_row(s.rows)]
    for candidates in (coded, named, laid_out, with_header):
        if len(candidates) == 1:
            chosen = candidates[0]
            others = [s.title for s in laid_out if s is not chosen]
            if others:
                problems.warning(label, "feuilles ignorées : seule la feuille de collecte "
                                 f"« {chosen.title} » est lue.",
                                 valeur=", ".join(others),
                                 attendu="une seule feuille de chiffres par classeur")
            return chosen
        if len(candidates) > 1:
            problems.error(label, "plusieurs feuilles ressemblent à la feuille de collecte : "
                           "impossible de savoir laquelle lire.",
                           valeur=", ".join(s.title for s in candidates),
                           attendu="une seule feuille de chiffres par classeur",
                           correction="supprimez les brouillons et les copies de la feuille, "
                           "ou repartez du classeur envoyé")
            return None
    problems.error(label, "aucune feuille de collecte trouvée.",
                   valeur=", ".join(s.title for s in sheets),
                   attendu=f"la feuille « {COLLECTION_SHEET} » du classeur envoyé, ou une "
                   "feuille dont l'en-tête a les colonnes "
                   + ", ".join(RETURN_HEADERS[c] for c in RETURN_REQUIRED),
                   correction="repartez du classeur envoyé (make gabarits)")
    return None


def _range(merged: CellRange) -> str:
    return f"{_coordinate(merged[0], merged[1])}:{_coordinate(merged[2], merged[3])}"


def _check_merged(sheet: Sheet, header_row: int, where: str, problems: Problems) -> None:
    """Merged cells in the header or the rows below it: an error per merge."""
    for merged in sorted(sheet.merged):
        if merged[2] < header_row:
            continue  # a title above the table
        if merged[0] <= header_row <= merged[2]:
            problems.error(where, "l'en-tête contient des cellules fusionnées.",
                           ligne=header_row, colonne=_range(merged),
                           attendu="une cellule par intitulé de colonne",
                           correction="annulez la fusion (Accueil > Fusionner et centrer) et "
                           "rétablissez un intitulé par colonne")
            continue
        problems.error(where, "cellules fusionnées : seule la première porte une valeur, "
                       "celles des autres seraient perdues.", ligne=merged[0],
                       colonne=_range(merged), attendu="une valeur dans chaque cellule",
                       correction="annulez la fusion et saisissez la valeur de chaque ligne "
                       "dans sa propre cellule")


def _check_formulas(sheet: Sheet, header_row: int, where: str, problems: Problems) -> None:
    """A formula is read through the value the spreadsheet saved with it; a formula saved
    without one (written by a program, never opened in a spreadsheet) is an error, and so
    is a formula linked to another workbook (its saved value is whatever that workbook
    held when it was last opened, and the evaluator cannot see it)."""
    for row, column, text in sheet.linked_formulas:
        if row <= header_row:
            continue
        cell = _coordinate(row, column)
        problems.error(where, f"formule liée à un autre classeur dans la cellule {cell} : "
                       "sa valeur dépend d'un fichier absent, elle n'est pas lue.", ligne=row,
                       colonne=cell, valeur=text,
                       attendu="un nombre saisi, ou une formule sur ce classeur seulement",
                       correction="remplacez la formule par sa valeur (Copier, puis Collage "
                       "spécial > Valeurs) et renvoyez le classeur")
    for row, column, text in sheet.unvalued_formulas:
        if row < header_row:
            continue
        cell = _coordinate(row, column)
        problems.error(where, f"formule sans valeur calculée dans la cellule {cell} : elle "
                       "ne peut pas être lue.", ligne=row, colonne=cell, valeur=text,
                       attendu="un nombre, ou une formule enregistrée avec sa valeur",
                       correction="ouvrez le classeur dans Excel ou LibreOffice et "
                       "enregistrez-le (les formules sont alors calculées), ou saisissez le "
                       "nombre lui-même")
