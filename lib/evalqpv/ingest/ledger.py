"""The request ledger: when each partner was asked for its figures, reminded, and when
it answered, as the evaluator notes it.

data/raw/partenaires/<annee>/demandes.csv (the collection year's folder, beside the
returns), separated by semicolons, UTF-8, one line per partner (or several: their dates
add up), columns:
  partenaire (required): the partner's name as the référentiel spells it (« France
    Travail »), or its workbook's file name (france_travail); case and accents aside;
  demande_le, relance_le, recu_le: dates, 15/01/2026 or 2026-01-15; relance_le may hold
    several dates separated by commas (« 15/02/2026, 01/03/2026 »);
  commentaire (optional).
Every date is checked (a real date, not in the future); an unknown partner is an error
naming the known ones. Errors are the evaluator's to fix: they block the store, like
any file filled by hand for the contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..problems import Problems
from ..rawtable import read_delimited
from ..referentiel import Referentiel
from ..vocabulary import LEDGER_COLUMNS, LEDGER_FILE, partner_stem
from .partners import FOLDER, partner_names

REQUIRED = ("partenaire",)
_FRENCH = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class Request:
    """What the ledger says of one partner for one collection year."""

    annee: int
    partenaire: str
    demande_le: date | None = None
    relances: list[date] = field(default_factory=list)
    recu_le: date | None = None
    commentaire: str = ""
    lignes: list[int] = field(default_factory=list)


def identify(rel: Path) -> int | None:
    """The collection year of a ledger (path relative to data/raw/), else None."""
    if len(rel.parts) == 3 and rel.parts[0] == FOLDER and rel.name == LEDGER_FILE \
            and re.fullmatch(r"\d{4}", rel.parts[1]):
        return int(rel.parts[1])
    return None


def parse_date(text: str) -> date | None:
    """15/01/2026, 15-01-2026, 15.01.2026 or 2026-01-15; None if not a real date."""
    text = text.strip()
    try:
        if m := _FRENCH.fullmatch(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.fullmatch(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def read_ledger(path: Path, label: str, annee: int, referentiel: Referentiel,
                today: date, problems: Problems) -> list[Request]:
    """The requests of one year's ledger, by partner (several lines of a partner merged);
    every problem recorded with line and column."""
    table = read_delimited(path, label, problems, separator=";", strict_encoding=True)
    if table is None:
        return []
    index = table.required_columns(REQUIRED, problems, correction="la première ligne "
                                   "nomme les colonnes : " + ";".join(LEDGER_COLUMNS))
    if index is None:
        return []
    unknown = [c for c in table.header if c and c not in LEDGER_COLUMNS]
    if unknown:
        problems.warning(label, "colonnes inconnues ignorées.", ligne=1,
                         colonne=", ".join(unknown), attendu=";".join(LEDGER_COLUMNS))
    known = partner_names(referentiel)
    out: dict[str, Request] = {}
    for line, cells in table.rows:
        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return "" if i is None else cells[i].strip()

        name = cell("partenaire")
        partner = known.get(partner_stem(name))
        if partner is None:
            problems.error(label, "partenaire inconnu du référentiel.", ligne=line,
                           colonne="partenaire", valeur=name,
                           attendu="l'un des partenaires de config/referentiel.csv : "
                           + ", ".join(sorted(set(known.values()))),
                           correction="écrivez le nom du partenaire comme le référentiel "
                           "(ou le nom de son classeur de collecte)")
            continue
        request = out.setdefault(partner, Request(annee, partner))
        request.lignes.append(line)
        dates: dict[str, list[date]] = {}
        for column in ("demande_le", "relance_le", "recu_le"):
            dates[column] = []
            for part in [p for p in re.split(r"\s*,\s*|\s+et\s+", cell(column)) if p]:
                day = parse_date(part)
                if day is None:
                    problems.error(label, "date invalide.", ligne=line, colonne=column,
                                   valeur=part, attendu="une date réelle : 15/01/2026 ou "
                                   "2026-01-15" + (" ; plusieurs relances séparées par des "
                                                   "virgules" if column == "relance_le"
                                                   else ""))
                elif day > today:
                    problems.error(label, "date future : le registre note ce qui a eu lieu.",
                                   ligne=line, colonne=column, valeur=part,
                                   attendu=f"une date passée (au plus le {today:%d/%m/%Y})")
                else:
                    dates[column].append(day)
            if column != "relance_le" and len(dates[column]) > 1:
                problems.error(label, "une seule date attendue dans cette colonne.",
                               ligne=line, colonne=column, valeur=cell(column),
                               attendu="une date ; les relances vont dans « relance_le »")
        _merge(request, dates, cell("commentaire"), label, line, problems)
    for request in out.values():
        _check_order(request, label, problems)
    return sorted(out.values(), key=lambda r: r.partenaire)


def _merge(request: Request, dates: dict[str, list[date]], comment: str, label: str,
           line: int, problems: Problems) -> None:
    for column in ("demande_le", "recu_le"):
        given = dates[column][:1]
        if not given:
            continue
        current = getattr(request, column)
        if current is not None and current != given[0]:
            problems.error(label, f"deux dates différentes pour « {column} » du même "
                           "partenaire.", ligne=line, colonne=column,
                           valeur=f"{current:%d/%m/%Y} et {given[0]:%d/%m/%Y}",
                           attendu="une date par partenaire ; les relances vont dans "
                           "« relance_le »")
        elif current is None:
            setattr(request, column, given[0])
    request.relances = sorted(set(request.relances) | set(dates["relance_le"]))
    if comment:
        request.commentaire = " ; ".join(c for c in (request.commentaire, comment) if c)


def _check_order(request: Request, label: str, problems: Problems) -> None:
    asked = request.demande_le
    if asked is None:
        return
    early = [d for d in request.relances if d < asked]
    if early or (request.recu_le is not None and request.recu_le < asked):
        problems.warning(label, f"{request.partenaire} : une relance ou une réception est "
                         f"datée d'avant la demande du {asked:%d/%m/%Y}.",
                         ligne=request.lignes[0], attendu="des dates dans l'ordre : "
                         "demande, relances, réception")
