"""National reforms that break a series (config/ruptures.csv), shared by every report.

A benefit revalued or replaced, a registration rule or a category changed: the count
moves for reasons that have nothing to do with the quarter. Each row of the file names
the indicators it touches, the date it takes effect, a short name for sentences and
charts (« revalorisation de la prime d'activité »), the producer of the series it
breaks, what changes, and where this is written (official pages). A trend whose span
crosses the date is flagged (`report.trends.Trend.reform`), said in words and marked on
line charts. Method and sources: docs/ruptures.md.

Years are the years a figure describes (a stock at 31 December, a year's flow): a
reform that takes effect during year Y separates the figures of Y-1 and earlier from
those of Y and later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .problems import Problems
from .rawtable import read_delimited
from .referentiel import Referentiel
from .settings import ProjectPaths, SettingsError, find_root

COLUMNS = ("indicateurs", "date", "libelle", "producteur", "ce_qui_change", "source")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
SEPARATOR = "|"  # between the indicators of a row, and between its sources
_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Break:
    """One national reform that breaks the series of some indicators."""

    indicateurs: tuple[str, ...]
    date: date
    libelle: str  # short, for a sentence: « revalorisation de la prime d'activité »
    producteur: str  # the producer of the series it breaks
    ce_qui_change: str
    sources: tuple[str, ...]  # official pages (Légifrance, service-public.fr, DREES…)

    @property
    def year(self) -> int:
        """The first year whose figures are on the reform's side of the break."""
        return self.date.year

    @property
    def when(self) -> str:
        """« janvier 2019 »."""
        return f"{MONTHS[self.date.month - 1]} {self.date.year}"

    @property
    def words(self) -> str:
        """« revalorisation de la prime d'activité en janvier 2019 »."""
        return f"{self.libelle} en {self.when}"

    def crosses(self, start: int, end: int) -> bool:
        """A change from the figure of year `start` to that of year `end` spans the
        reform: the start describes a year before it took effect, the end a year at or
        after it."""
        return start < self.year <= end


def breaks_of(breaks: Iterable[Break], indicateur: str) -> tuple[Break, ...]:
    """The reforms that touch one indicator, oldest first."""
    return tuple(sorted((b for b in breaks if indicateur in b.indicateurs),
                        key=lambda b: (b.date, b.libelle)))


def crossed(breaks: Iterable[Break], start: int, end: int) -> tuple[Break, ...]:
    """The reforms a change from year `start` to year `end` spans, oldest first."""
    return tuple(sorted((b for b in breaks if b.crosses(start, end)),
                        key=lambda b: (b.date, b.libelle)))


# --------------------------------------------------------------------------- reading

_LOADED: dict[tuple[str, int, int], tuple[Break, ...]] = {}


def load_breaks(paths: ProjectPaths, problems: Problems | None = None,
                referentiel: Referentiel | None = None) -> tuple[Break, ...]:
    """config/ruptures.csv, read once per version of the file (no file: no reform).

    With `problems`, every problem is recorded there (file, line, column, what was
    expected) and the valid rows are returned; without it, the first problem raises
    SettingsError with its French message. With `referentiel`, every indicator named
    must be one of it.
    """
    path = paths.ruptures
    if not path.exists():
        return ()
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if problems is None and referentiel is None and key in _LOADED:
        return _LOADED[key]
    collected = problems if problems is not None else Problems()
    before = len(collected.errors)
    breaks = read_breaks(path, paths.label(path), collected, referentiel)
    if problems is None:
        if len(collected.errors) > before:
            raise SettingsError(collected.errors[before].render())
        _LOADED.clear()
        _LOADED[key] = breaks
    return breaks


def project_breaks(root: Path | None = None) -> tuple[Break, ...]:
    """The reforms of the project found from `root` or the working directory (as
    `report.prepare` finds it when no root is given): for wording functions that are
    given an indicator but no report context."""
    return load_breaks(ProjectPaths(find_root(root)))


def read_breaks(path: Path, label: str, problems: Problems,
                referentiel: Referentiel | None = None) -> tuple[Break, ...]:
    """Read and check the file; a row with a problem is left out (and recorded)."""
    table = read_delimited(path, label, problems, separator=";", strict_encoding=True)
    if table is None:
        return ()
    index = table.required_columns(COLUMNS, problems)
    if index is None:
        return ()
    out: list[Break] = []
    for number, cells in table.rows:
        row = {c: cells[index[c]].strip() if index[c] < len(cells) else "" for c in COLUMNS}
        found = _row(row, number, label, problems, referentiel)
        if found is not None:
            out.append(found)
    return tuple(sorted(out, key=lambda b: (b.date, b.libelle)))


def _row(row: dict[str, str], number: int, label: str, problems: Problems,
         referentiel: Referentiel | None) -> Break | None:
    before = len(problems.errors)

    def bad(column: str, attendu: str, valeur: str | None = None) -> None:
        problems.error(label, "valeur invalide.", ligne=number, colonne=column,
                       valeur=row[column] if valeur is None else valeur, attendu=attendu)

    indicateurs = _split(row["indicateurs"])
    if not indicateurs:
        bad("indicateurs", "au moins un identifiant d'indicateur (séparés par « | »)")
    for ind in indicateurs:
        if not _ID.match(ind):
            bad("indicateurs", "un identifiant en minuscules, chiffres et « _ »", ind)
        elif referentiel is not None and ind not in referentiel:
            bad("indicateurs", "un identifiant de config/referentiel.csv", ind)
    when: date | None = None
    found = _DATE.match(row["date"])
    if found:
        try:
            when = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            when = None
    if when is None:
        bad("date", "la date d'effet de la réforme, AAAA-MM-JJ (par exemple 2019-01-01)")
    for column, attendu in (("libelle", "un nom court de la réforme, en minuscules, lisible "
                                        "dans une phrase (« déconjugalisation de l'AAH »)"),
                            ("producteur", "le producteur des séries touchées"),
                            ("ce_qui_change", "ce que la réforme change aux chiffres")):
        if not row[column]:
            bad(column, attendu)
    sources = _split(row["source"])
    if not sources:
        bad("source", "l'adresse d'une page officielle qui décrit la réforme "
                      "(Légifrance, service-public.fr, DREES, Cnaf, Dares…)")
    for source in sources:
        if not source.startswith("https://") or " " in source:
            bad("source", "une adresse commençant par https://, sans espace", source)
    if len(problems.errors) > before or when is None:
        return None
    return Break(indicateurs, when, row["libelle"], row["producteur"], row["ce_qui_change"],
                 sources)


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(SEPARATOR) if p.strip())


def describe(breaks: Sequence[Break]) -> list[str]:
    """One French line per reform: what, when, what changes (for a methods section)."""
    return [f"{b.libelle[:1].upper()}{b.libelle[1:]} ({b.when}, {b.producteur}) : "
            f"{b.ce_qui_change}" for b in breaks]
