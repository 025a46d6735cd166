"""Reading delimited text files exactly as producers publish them.

Handles a UTF-8 BOM, CRLF, trailing empty columns (`;;;;`), quoted cells, and
invalid bytes (a published file's Windows-1252 lines are decoded as such, with a
warning); detects a wrong separator, an empty file, a binary or Excel file named
`.csv`, and a hand-filled file saved in Windows-1252. Every problem is recorded with
file, line and column; nothing is raised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from .frenchnumbers import count, plural
from .problems import Problems

_SEPARATOR_NAMES = {";": "point-virgule (;)", ",": "virgule (,)", "\t": "tabulation"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


Row = tuple[int, list[str]]  # (record number, its cells padded to the header's width)


class StreamedRows(Sequence[Row]):
    """The data rows of a large file, split into cells each time they are read, never
    all at once: only the file's lines are kept (a two-million-row release would
    otherwise hold tens of millions of cell strings). Iterated like a list of rows;
    `len` is known from the first reading."""

    def __init__(self, lines: list[str], separator: str, width: int, count: int) -> None:
        self._lines, self._separator, self._width, self._count = lines, separator, width, count

    def __iter__(self) -> Iterator[Row]:
        return _rows(iter(self._lines), self._separator, self._width)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        return list(self)[index]  # rare: the readers iterate


def _rows(lines: Iterator[str], separator: str, width: int) -> Iterator[Row]:
    """The non-blank data rows after the header record, numbered as records from 2."""
    records = csv.reader(lines, delimiter=separator)
    next(records, None)  # the header
    for number, cells in enumerate(records, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        yield number, cells[:width]


@dataclass
class RawTable:
    """A delimited file split into cells, with 1-based line numbers of the file."""

    label: str
    header: list[str]
    rows: Sequence[Row]
    separator: str

    def column_index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.header) if name}

    def required_columns(self, columns: tuple[str, ...] | list[str], problems: Problems,
                         correction: str = "", *, message: str = "colonnes manquantes."
                         ) -> dict[str, int] | None:
        """The column index when every required column is there; otherwise one error
        naming the missing ones (line 1), and None: the file is not read further."""
        index = self.column_index()
        if has_columns(self.label, index, columns, problems, message=message,
                       correction=correction):
            return index
        return None


def has_columns(label: str, present: Iterable[str], columns: Sequence[str],
                problems: Problems, *, ligne: int = 1, message: str = "colonnes manquantes.",
                shown: Mapping[str, str] | None = None, attendu: str = "",
                correction: str = "") -> bool:
    """True when every required column is present; otherwise one error naming the
    missing ones (as `shown` spells them), with what was expected, and False. The one
    missing-column check of every reader (a CSV's header, a workbook's header row)."""
    found = set(present)
    missing = [c for c in columns if c not in found]
    if not missing:
        return True
    names = shown or {}
    problems.error(label, message, ligne=ligne,
                   colonne=", ".join(names.get(c, c) for c in missing),
                   attendu=attendu or "les colonnes " + ", ".join(names.get(c, c)
                                                                  for c in columns),
                   correction=correction or "rétablissez les colonnes supprimées ou "
                   "renommées (voir le fichier livré avec la boîte à outils)")
    return False


def read_delimited(
    path: Path,
    label: str,
    problems: Problems,
    *,
    separator: str = ";",
    strict_encoding: bool = False,
    stream: bool = False,
) -> RawTable | None:
    """Read `path`; return None (with errors recorded) when it cannot be read at all.

    stream: the rows are split into cells as they are read (StreamedRows), for the
    producers' releases, which can hold millions of rows.

    strict_encoding: files filled by hand (contract transcription, partner returns)
    must be UTF-8; published files with a stray invalid byte only get a warning.
    """
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.error(
            label,
            "le fichier est vide.",
            attendu="une ligne d'en-tête puis au moins une ligne de données",
            correction="remplacez-le par le fichier complet ou retirez-le de data/raw/",
        )
        return None
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        problems.error(
            label,
            "ce fichier est un classeur Excel (ou une archive) nommé comme un CSV.",
            attendu="un fichier texte CSV séparé par des points-virgules",
            correction="renommez-le en .xlsx, ou dans Excel choisissez « Enregistrer sous » "
            "> « CSV UTF-8 (délimité par des virgules) »",
        )
        return None
    if b"\x00" in data[:8192]:
        problems.error(
            label,
            "ce fichier est binaire (il contient des octets nuls), ce n'est pas un CSV.",
            attendu="un fichier texte CSV encodé en UTF-8",
            correction="vérifiez que le bon fichier a été déposé",
        )
        return None
    text = _decode(data, label, problems, strict_encoding)
    del data
    if text is None:
        return None
    if "\ufffd" in text:
        text = _drop_replacement_characters(text, label, problems)
    lines = text.splitlines()
    del text
    header_line = lines[0]
    if separator not in header_line:
        found = [s for s in (";", ",", "\t") if s != separator and s in header_line]
        problems.error(
            label,
            "le séparateur de colonnes n'est pas celui attendu.",
            ligne=1,
            valeur=header_line,
            attendu=f"des colonnes séparées par {_SEPARATOR_NAMES[separator]}",
            correction=(
                f"le fichier semble séparé par {_SEPARATOR_NAMES[found[0]]} : "
                "réenregistrez-le avec des points-virgules"
                if found
                else "vérifiez l'en-tête du fichier"
            ),
        )
        return None
    records = csv.reader(iter(lines), delimiter=separator)
    header = [h.strip() for h in next(records)]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    rows: list[Row] = []
    count = 0
    for number, cells in enumerate(records, start=2):
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            problems.error(
                label,
                "la ligne a plus de valeurs que l'en-tête n'a de colonnes.",
                ligne=number,
                valeur=extra[0],
                attendu=f"{width} colonnes, comme l'en-tête",
                correction="vérifiez qu'aucune valeur ne contient le séparateur",
            )
        count += 1
        if not stream:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            rows.append((number, cells[:width]))
    if not count:
        problems.error(
            label,
            "le fichier n'a qu'un en-tête, aucune ligne de données.",
            attendu="au moins une ligne de données",
        )
        return None
    if stream:
        return RawTable(label=label, header=header,
                        rows=StreamedRows(lines, separator, width, count), separator=separator)
    return RawTable(label=label, header=header, rows=rows, separator=separator)


def _decode(data: bytes, label: str, problems: Problems, strict: bool) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end]
    if strict:
        hint = "le fichier semble enregistré en Windows-1252 (ANSI)" if _is_cp1252(data) else ""
        problems.error(
            label,
            "le fichier n'est pas encodé en UTF-8"
            + (f" ({hint})." if hint else "."),
            ligne=line,
            valeur=bad.hex(" "),
            attendu="un fichier encodé en UTF-8",
            correction="dans Excel : « Enregistrer sous » > « CSV UTF-8 (délimité par des "
            "virgules) » ; dans LibreOffice : cochez « Éditer les paramètres du filtre » "
            "et choisissez le jeu de caractères Unicode (UTF-8)",
        )
        return None
    return _recode(data, label, problems)


def _recode(data: bytes, label: str, problems: Problems) -> str:
    """A published file that is not all UTF-8: each line that is not is decoded as
    Windows-1252 (the usual culprit), or Latin-1 for the few bytes Windows-1252 leaves
    undefined, and a warning says which lines; no replacement character is ever kept."""
    lines: list[str] = []
    recoded: list[int] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            recoded.append(number)
        try:
            lines.append(raw.decode("cp1252"))
        except UnicodeDecodeError:
            lines.append(raw.decode("latin-1"))
    shown = ", ".join(str(n) for n in recoded[:10]) + (" …" if len(recoded) > 10 else "")
    problems.warning(
        label,
        f"le fichier n'est pas entièrement encodé en UTF-8 : "
        f"{count(len(recoded), 'ligne décodée')} en Windows-1252 "
        f"({plural(len(recoded), 'ligne')} {shown}).",
        ligne=recoded[0],
        valeur=lines[recoded[0] - 1].strip(),
        attendu="un fichier encodé en UTF-8",
        correction="vérifiez les accents de ces lignes dans data/processed/observations.csv ; "
        "si le producteur publie une version UTF-8, préférez-la",
    )
    return "\n".join(lines)


def _drop_replacement_characters(text: str, label: str, problems: Problems) -> str:
    """U+FFFD in a file means its producer already lost a character: it is removed (a
    report never prints « � ») and the line is named."""
    for number, content in enumerate(text.splitlines(), start=1):
        if "\ufffd" in content:
            problems.warning(
                label,
                "caractère illisible « \ufffd » publié tel quel par le producteur (le "
                "caractère d'origine est perdu) : il est retiré.",
                ligne=number,
                valeur=content[: content.index("\ufffd") + 1],
            )
    return text.replace("\ufffd", "")


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True
