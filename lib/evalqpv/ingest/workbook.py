"""A partner's returned workbook, read cell by cell: nothing in it is dropped silently.

Read in every format partners save: .xlsx and .xlsm (openpyxl, which keeps everything:
code names, merged cells, formulas, number formats, hidden sheets), .ods and .xls
(python-calamine, pandas' « calamine » engine). What calamine does not give is taken
where the file keeps it: an .ods's sheet code names (settings.xml), merged cells and
percentage cells (content.xml), read with the standard library. An .xls written by
LibreOffice carries no code name, and calamine gives neither its number formats nor
its formulas: its data sheet is found by title or layout, and a percentage cell is read
as its stored fraction (docs/format_retour_partenaire.md). The format is recognised by
content, not by name (an .xls renamed .xlsx is read, with a warning).

The data sheet is found by what it is, never by its position (a draft sheet placed first
is not read): the sheet with the collection workbook's code name (kept when a sheet is
renamed), else the sheet « Indicateurs », else the only sheet laid out as a return. A
formula whose value was never calculated, and values in merged cells (all but the first
cell of a merge are empty to a reader), are errors naming their cells.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

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

Header = list[tuple[str, str]]  # (column name, column letter in a workbook, "" in a CSV)
Body = list[tuple[int, list[object]]]  # (line number, cells)
CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column

# What to do with a return that cannot be read: the partner's file, not a producer's.
RESAVE = "enregistrez le classeur au format .xlsx (Excel : « Fichier > Enregistrer sous » > " \
    "« Classeur Excel (*.xlsx) » ; LibreOffice : « Enregistrer sous » > « Excel 2007-365 ») " \
    "puis déposez-le à nouveau, sous le même nom"


@dataclass
class Sheet:
    """One sheet of a workbook, whatever the format it was saved in."""

    title: str
    rows: list[tuple[object, ...]]
    code_name: str = ""
    hidden: bool = False
    merged: list[CellRange] = field(default_factory=list)
    # (row, column, formula) of formulas saved without their calculated value
    unvalued_formulas: list[tuple[int, int, str]] = field(default_factory=list)
    percent_cells: frozenset[tuple[int, int]] = frozenset()  # shown as « 29,9 % »
    hidden_rows: frozenset[int] = frozenset()  # rows hidden in the spreadsheet
    # (row, column, formula) of formulas that read another workbook (an external link)
    linked_formulas: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Book:
    sheets: list[Sheet]
    format: str  # xlsx, xlsm, ods, xls

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)


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


# --------------------------------------------------------------------------- formats


def sniff(data: bytes) -> str | None:
    """The workbook format of these bytes, by content: xlsx, xlsm, ods, xls, `chiffre`
    (a workbook protected by a password), or None."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: an .xls, or an encrypted .xlsx
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "chiffre"
        return "xls"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"):
                manifest = "META-INF/manifest.xml"
                if manifest in names and b"encryption-data" in archive.read(manifest):
                    return "chiffre"  # an .ods saved with a password
                return "ods"
            if "[Content_Types].xml" in names:
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


# A workbook is a zip archive of XML: what it declares is checked before it is opened, so
# that an archive that would inflate to gigabytes (a « zip bomb », or a damaged file) is
# refused in a millisecond. A collection workbook holds a few hundred kilobytes of XML;
# XML compresses about ten times, rarely more than a hundred.
MAX_INFLATED = 100 * 1024 * 1024  # bytes of XML, all members together
MAX_RATIO = 200  # inflated / compressed size of one member larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024


def check_archive(data: bytes) -> None:
    """UnreadableWorkbook when a zip archive's declared sizes are out of proportion."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not an archive: said by whoever opens it
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED:
        raise UnreadableWorkbook(
            f"l'archive du classeur se décompresserait en {total // (1024 * 1024):,} Mo "
            f"(plus de {MAX_INFLATED // (1024 * 1024)} Mo) : elle n'est pas ouverte "
            "(fichier endommagé ou piégé)".replace(",", "\u00a0"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise UnreadableWorkbook(
                f"la partie {member.filename!r} de l'archive se décompresse {ratio:,.0f} fois "
                f"(plus de {MAX_RATIO} fois) : le classeur n'est pas ouvert (fichier "
                "endommagé ou piégé)".replace(",", "\u00a0"))


PROTECTED = ("le classeur est protégé par un mot de passe : il ne peut pas être lu "
             "(demandez au partenaire de l'enregistrer sans mot de passe : Fichier > Infos > "
             "Protéger le classeur > Chiffrer avec mot de passe, effacer le mot de passe)")


def open_book(path: Path) -> Book:
    """Every sheet of a workbook; UnreadableWorkbook when it cannot be opened."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        check_archive(data)
    kind = sniff(data)
    if kind == "chiffre":
        raise UnreadableWorkbook(PROTECTED)
    if kind is None:
        raise UnreadableWorkbook("ce n'est pas un classeur (ni .xlsx, ni .xlsm, ni .ods, ni "
                                 ".xls) ou il est endommagé (fichier tronqué, mal copié)")
    try:
        if kind in ("xlsx", "xlsm"):
            return _open_openpyxl(data, kind)
        return _open_calamine(data, kind)
    except UnreadableWorkbook:
        raise
    except Exception as exc:  # the engines raise many kinds on a damaged file
        if re.search(r"password|encrypt|filepass", str(exc), re.I):
            raise UnreadableWorkbook(PROTECTED) from exc
        raise UnreadableWorkbook(f"classeur {kind} endommagé ({type(exc).__name__})") from exc


def _open_openpyxl(data: bytes, kind: str) -> Book:
    from openpyxl import load_workbook  # noqa: PLC0415 - only when a workbook is returned

    values = load_workbook(io.BytesIO(data), data_only=True)
    formulas = load_workbook(io.BytesIO(data), data_only=False)
    sheets = []
    for ws in values.worksheets:
        raw = formulas[ws.title]
        unvalued = []
        linked = []
        percent = set()
        for row in raw.iter_rows():
            for cell in row:
                value = ws[cell.coordinate].value
                if cell.data_type == "f":
                    text = cell.value if isinstance(cell.value, str) else str(
                        getattr(cell.value, "text", "") or "formule")
                    if _EXTERNAL_LINK.search(text):
                        linked.append((cell.row, cell.column, text))
                        continue
                    if value is None:
                        unvalued.append((cell.row, cell.column, text))
                        continue
                if isinstance(value, int | float) and not isinstance(value, bool) \
                        and is_percent_format(str(cell.number_format)):
                    percent.add((cell.row, cell.column))
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        hidden_rows = frozenset(n for n, dim in raw.row_dimensions.items() if dim.hidden)
        sheets.append(Sheet(ws.title, list(ws.iter_rows(values_only=True)),
                            ws.sheet_properties.codeName or "", ws.sheet_state != "visible",
                            merged, unvalued, frozenset(percent), hidden_rows, linked))
    return Book(sheets, kind)


# A reference to another workbook in a formula: « [1]Feuil1!B2 » as openpyxl keeps it,
# « '[autre.xlsx]Feuil1'!B2 », or a path « 'C:\\dossier\\[autre.xlsx]Feuil1'!B2 ».
_EXTERNAL_LINK = re.compile(r"\[[^\]]+\][^!]*!")


def is_percent_format(number_format: str) -> bool:
    """A number format that shows a fraction as a percentage (« 0% », « 0,0 % »): a « % »
    outside quoted text and not escaped (« 0" %" » only prints the sign)."""
    bare = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in bare


def _open_calamine(data: bytes, kind: str) -> Book:
    from python_calamine import (  # noqa: PLC0415 - .ods and .xls only
        CalamineWorkbook,
        SheetVisibleEnum,
    )

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    extras = _ods_extras(data) if kind == "ods" else {}
    sheets = []
    for meta in workbook.sheets_metadata:
        sheet = workbook.get_sheet_by_name(meta.name)
        rows: list[tuple[object, ...]] = [tuple(None if v == "" else v for v in row)
                                          for row in sheet.to_python()]
        code_name, merged, percent = extras.get(meta.name, ("", [], frozenset()))
        if kind != "ods":
            merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                      for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []]
        sheets.append(Sheet(meta.name, rows, code_name, meta.visible != SheetVisibleEnum.Visible,
                            merged, [], percent))
    return Book(sheets, kind)


_ODF = "{urn:oasis:names:tc:opendocument:xmlns:%s:1.0}"
OdsExtras = dict[str, tuple[str, list[CellRange], frozenset[tuple[int, int]]]]


def _ods_extras(data: bytes) -> OdsExtras:
    """Per sheet of an .ods: its code name, its merged cells and its percentage cells."""
    table, office = _ODF.replace("%s", "table"), _ODF.replace("%s", "office")
    out: OdsExtras = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        codes = _ods_code_names(archive.read("settings.xml")) if "settings.xml" in names \
            else {}
        root = ElementTree.fromstring(archive.read("content.xml"))
    for sheet in root.iter(table + "table"):
        title = sheet.get(table + "name", "")
        merged: list[CellRange] = []
        percent: set[tuple[int, int]] = set()
        row_number = 0
        for row in sheet.iter(table + "table-row"):
            repeat_rows = int(row.get(table + "number-rows-repeated", "1"))
            column = 0
            for cell in row:
                if cell.tag not in (table + "table-cell", table + "covered-table-cell"):
                    continue
                repeat = int(cell.get(table + "number-columns-repeated", "1"))
                spans = (int(cell.get(table + "number-rows-spanned", "1")),
                         int(cell.get(table + "number-columns-spanned", "1")))
                if spans != (1, 1) and repeat_rows == 1:
                    merged.append((row_number + 1, column + 1, row_number + spans[0],
                                   column + spans[1]))
                if cell.get(office + "value-type") == "percentage" and repeat_rows == 1 \
                        and repeat < 1000:
                    percent.update((row_number + 1, column + 1 + k) for k in range(repeat))
                column += repeat
            row_number += repeat_rows
        out[title] = (codes.get(title, ""), merged, frozenset(percent))
    return out


def _ods_code_names(settings: bytes) -> dict[str, str]:
    """LibreOffice keeps a sheet's code name in settings.xml (ScriptConfiguration)."""
    config = _ODF.replace("%s", "config")
    out = {}
    for group in ElementTree.fromstring(settings).iter(config + "config-item-map-named"):
        if group.get(config + "name") != "ScriptConfiguration":
            continue
        for entry in group.iter(config + "config-item-map-entry"):
            for item in entry.iter(config + "config-item"):
                if item.get(config + "name") == "CodeName" and item.text:
                    out[entry.get(config + "name", "")] = item.text
    return out


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
