"""CSV cells a spreadsheet would run: a text that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return) is a formula to Excel and LibreOffice (« CSV injection »).

Such a text gets a leading apostrophe, which spreadsheets show as text; a plain number
(`-3`, `+1,5`, `-12.5`) is left as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f]*([.,]\d+)?\s*%?$|^[+-]?[.,]\d+$")


def defuse(cell: object) -> object:
    """The cell as a spreadsheet must show it: never a formula."""
    if not isinstance(cell, str) or not cell.startswith(_TRIGGERS):
        return cell
    if _NUMBER.match(cell):
        return cell
    return "'" + cell


def defuse_row(row: dict[str, str]) -> dict[str, str]:
    """A row as it reads back from a CSV written by store.atomic."""
    return {k: str(defuse(v)) for k, v in row.items()}


_DECIMAL = re.compile(r"^-?\d+\.\d+$")
BOM = "\ufeff"


def french_cell(text: str) -> str:
    """A machine number as a French spreadsheet reads it: 29.9 -> 29,9."""
    return text.replace(".", ",") if _DECIMAL.match(text) else text


def french_csv(header: list[str], rows: Iterable[list[str]], numeric: Iterable[str]) -> str:
    """The text of a CSV a French spreadsheet opens as it is: a byte-order mark (the
    accents), semicolons, CRLF, a decimal comma in the `numeric` columns."""
    return "".join(french_csv_lines(header, rows, numeric))


def french_csv_lines(header: list[str], rows: Iterable[list[str]],
                     numeric: Iterable[str]) -> Iterator[str]:
    """french_csv, line by line (a large store is never held twice in memory)."""
    columns = {i for i, name in enumerate(header) if name in set(numeric)}
    lines: list[str] = []
    writer = csv.writer(_Lines(lines), delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + lines.pop()
    for row in rows:
        writer.writerow([french_cell(c) if i in columns else c for i, c in enumerate(row)])
        yield lines.pop()


class _Lines:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)


def write_spreadsheet_copy(source: Path, target: Path, numeric: Iterable[str]) -> None:
    """`target`: the CSV `source` (written by store.atomic, already defused) for a French
    spreadsheet (french_csv), written beside it atomically."""
    from .atomic import write_lines_atomic  # noqa: PLC0415 - atomic imports this module

    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        write_lines_atomic(target, french_csv_lines(header, reader, numeric))
