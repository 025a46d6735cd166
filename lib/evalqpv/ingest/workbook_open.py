"""A workbook opened whatever the format a partner saved it in, every sheet kept.

Read in every format partners save: .xlsx and .xlsm (openpyxl, which keeps everything:
code names, merged cells, formulas, number formats, hidden sheets), .ods and .xls
(python-calamine, pandas' « calamine » engine). What calamine does not give is taken
where the file keeps it: an .ods's sheet code names (settings.xml), merged cells and
percentage cells (content.xml), read with the standard library. An .xls written by
LibreOffice carries no code name, and calamine gives neither its number formats nor
its formulas: its data sheet is found by title or layout, and a percentage cell is read
as its stored fraction (docs/format_retour_partenaire.md). The format is recognised by
content, not by name (an .xls renamed .xlsx is read, with a warning). A zip archive
out of proportion, or a workbook protected by a password, is refused before it is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..errors import UnreadableWorkbook

CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column


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
