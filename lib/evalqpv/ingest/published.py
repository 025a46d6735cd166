"""Helpers shared by the readers of published files (SIG Ville, Filosofi, long tables).

A published file cannot be corrected by the evaluator: a cell that is not a number is
reported as a warning and skipped, never a reason to block the whole store.
"""

from __future__ import annotations

import re

from ..frenchnumbers import NotANumber, ParsedNumber, parse_french_number
from ..problems import Problems
from ..rawtable import RawTable
from ..settings import QUARTER_CODE
from . import ReadContext
from .geography import departement_of_qpv


def published_number(raw: str, label: str, line: int, column: str,
                     problems: Problems) -> ParsedNumber | None:
    try:
        return parse_french_number(raw)
    except NotANumber:
        problems.warning(label, "valeur non numérique publiée par le producteur : elle est "
                         "ignorée.", ligne=line, colonne=column, valeur=raw,
                         attendu="un nombre ou une cellule vide (non publié : secret "
                         "statistique ou valeur non significative)")
        return None


def is_total_row(code: str, libelle: str) -> bool:
    """A row of totals a producer adds below its table (« Total France », « TOTAL »,
    « Ensemble » without a code): a sum of the rows above, never a territory."""
    words = (code.strip().lower(), libelle.strip().lower())
    return any(w == "total" or w.startswith(("total ", "total:", "total;")) for w in words) \
        or (not code.strip() and words[1].startswith(("ensemble", "france entière")))


def check_quarter_code(code: str, label: str, line: int, ctx: ReadContext,
                       problems: Problems, column: str = "CODGEO") -> bool:
    """A QPV code as the producer must print it: QP + 6 characters (2015 geography) or
    QN + 6 (2024), in capitals, without spaces, in a département of the official
    geography. Anything else is an error of the producer's file (never a new quarter)."""
    reason = ""
    if not QUARTER_CODE.fullmatch(code):
        reason = ("écrit en minuscules" if QUARTER_CODE.fullmatch(code.upper()) else
                  "avec des espaces" if QUARTER_CODE.fullmatch(code.replace(" ", "").upper())
                  else "mal formé")
    elif ctx.departements is not None and departement_of_qpv(code) not in ctx.departements:
        reason = f"le département {departement_of_qpv(code)} n'existe pas dans la géographie " \
            "officielle"
    if not reason:
        return True
    problems.error(label, f"code de quartier invalide ({reason}) : ce n'est pas un quartier "
                   "prioritaire de la géographie de ce fichier, la ligne n'est pas lue.",
                   ligne=line, colonne=column, valeur=code,
                   attendu="un code de quartier existant, en capitales et sans espace : "
                   "QP suivi de 6 caractères (géographie 2015, QP059079) ou QN suivi de 6 "
                   "(géographie 2024)",
                   correction="retéléchargez le fichier publié par le producteur : il n'est "
                   "jamais corrigé à la main")
    return False


# How a column of a release writes its numbers (compared from one release to the next of
# its family by ingest.releases: a French release turned English is read wrongly).
WHOLE = "entiers"  # whole numbers only (« 5 481 »)
DECIMAL_COMMA = "virgule décimale"  # « 53,4 »
DECIMAL_POINT = "point décimal"  # « 53.4 »
THOUSANDS_COMMA = "virgule des milliers"  # « 5,482 », every comma followed by 3 digits
MIXED = "virgule et point"  # « 5,482.5 » or both kinds in one column
_WHOLE = re.compile(r"^[-+]?\d+$")
_POINT = re.compile(r"^[-+]?\d*\.\d+$")
_COMMA = re.compile(r"^[-+]?\d*,\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_BOTH = re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")
_BLANKS = re.compile(r"[\s\u00a0\u202f\u2009]+")


def number_formats(table: RawTable) -> dict[str, tuple[str, int, str]]:
    """Each numeric column's number format, with the first line and cell that show it
    (a column of text, codes or blanks has none). One pass over the rows."""
    names = [(i, name) for i, name in enumerate(table.header) if name]
    seen: dict[int, dict[str, tuple[int, str]]] = {i: {} for i, _ in names}
    thousands = dict.fromkeys(seen, True)
    for line, cells in table.rows:
        for i, _ in names:
            raw = cells[i] if i < len(cells) else ""
            if not raw:
                continue
            text = _BLANKS.sub("", raw).lstrip("<>≤≥").rstrip("%")
            kind = (WHOLE if _WHOLE.match(text) else DECIMAL_POINT if _POINT.match(text)
                    else DECIMAL_COMMA if _COMMA.match(text) else MIXED if _BOTH.match(text)
                    else None)
            if kind is None:
                continue
            if kind == DECIMAL_COMMA and thousands[i] and not _THOUSANDS.match(text):
                thousands[i] = False
            if kind not in seen[i]:
                seen[i][kind] = (line, raw.strip())
    out: dict[str, tuple[str, int, str]] = {}
    for i, name in names:
        kinds = seen[i]
        if not kinds:
            continue
        if MIXED in kinds or (DECIMAL_POINT in kinds and DECIMAL_COMMA in kinds):
            kind = MIXED
        elif DECIMAL_POINT in kinds:
            kind = DECIMAL_POINT
        elif DECIMAL_COMMA in kinds:
            kind = THOUSANDS_COMMA if thousands[i] else DECIMAL_COMMA
        else:
            kind = WHOLE
        line, raw = kinds.get(kind, kinds.get(DECIMAL_COMMA, next(iter(kinds.values()))))
        out[name.upper()] = (kind, line, raw)
    return out
