"""CSV cells a spreadsheet would run: a text that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return) is a formula to Excel and LibreOffice (« CSV injection »).

Such a text gets a leading apostrophe, which spreadsheets show as text; a plain number
(`-3`, `+1,5`, `-12.5`) is left as it is.
"""

from __future__ import annotations

import re

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
