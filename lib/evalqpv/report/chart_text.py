"""A chart's words and data, for readers who do not see it (RAPPORTS.md).

Every chart carries its text (ChartText): a title that states the finding (the quarter
against the territory it is best compared with, the same year), a text alternative with
the values and the trend, the table of the values drawn (shown beside the chart and
offered as CSV by `html.figure`), and a short source line. A series is read here too:
where its source changes, which national reforms (config/ruptures.csv) fall inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import frenchnumbers as fn
from ..ruptures import Break
from ..territory import Level
from ..vocabulary import (
    BORNE_INF,
    BORNE_SUP,
    BOUNDS,
    ENSEMBLE_QPV,
    FRANCE,
    QPV,
    UNIT_NAMES,
    VALEUR,
)
from .html import ChartText, DataTable, slug
from .indicators import Point
from .trends import PUBLISHED, STABLE, family, noise, trend

PREFERRED_REFERENCES = (FRANCE, ENSEMBLE_QPV, "commune")  # what a finding compares with


# --------------------------------------------------------------------------- words


def shown(point: Point, unit: str) -> str:
    """A drawn value as the reader reads it: « 29,9 % », « plus de 95 % »."""
    return fn.with_unit(point.valeur, unit, point.statut)


def short_source(source: str) -> str:
    """« Insee, bases QPV – Revenus, publication 2019 » -> « Insee, bases QPV »: the
    producer and the dataset; the full provenance is in the methods section."""
    text = re.split(r" – |, publication |, section |, rentrée ", source, maxsplit=1)[0]
    return re.sub(r"\s+\d{4}$", "", text).strip()


def source_line(points: Sequence[Point], producer: str = "") -> str:
    """« Sources : Insee, bases QPV (2013-2018) ; Contrat … (2019). »

    `producer`: who produces the published figures (the référentiel's producer), named
    before the dataset that publishes them when the dataset does not name it: « Cnaf,
    dans Insee, bases QPV (2016-2019) ». The contract's and partners' figures keep their
    own name."""
    years: dict[str, list[int]] = {}
    for point in points:
        for part in point.source.split(" | "):
            if part.strip():
                name = short_source(part)
                if producer and family(point) == PUBLISHED and \
                        not name.startswith(producer):
                    name = f"{producer}, dans {name}"
                years.setdefault(name, []).append(point.annee)
    parts = []
    for name, found in years.items():
        first, last = min(found), max(found)
        parts.append(f"{name} ({first}-{last})" if first != last else f"{name} ({first})")
    if not parts:
        return ""
    return ("Sources : " if len(parts) > 1 else "Source : ") + " ; ".join(parts) + "."


def _reference(lines: list[tuple[Level, list[Point]]], year: int) -> tuple[Level, Point] | None:
    """The territory a finding compares the quarter with, the same year."""
    for niveau in PREFERRED_REFERENCES:
        for level, points in lines:
            if level.niveau != niveau:
                continue
            found = [p for p in points if p.annee == year and p.valeur is not None
                     and p.statut == VALEUR]
            if found:
                return level, found[0]
    return None


def _named(level: Level) -> str:
    if level.niveau == FRANCE:
        return "la France"
    if level.niveau == ENSEMBLE_QPV:
        return "l'ensemble des QPV"
    return level.libelle


def _relation(point: Point, other: Point, unit: str) -> str:
    assert point.valeur is not None and other.valeur is not None
    if point.statut == BORNE_INF and point.valeur >= other.valeur:
        return "au-dessus de"
    if point.statut == BORNE_SUP and point.valeur <= other.valeur:
        return "en dessous de"
    gap = point.valeur - other.valeur
    if abs(gap) <= noise(unit, other.valeur) / 2:
        return "au niveau de"
    return "au-dessus de" if gap > 0 else "en dessous de"


# --------------------------------------------------------------------------- data


def usable(points: Sequence[Point]) -> list[Point]:
    return [p for p in points if p.valeur is not None]


def csv_number(value: float | None) -> str:
    """A number for a spreadsheet: decimal comma, no thousands separator, no unit."""
    if value is None:
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


BOUND_WORDS = {BORNE_INF: "plus de", BORNE_SUP: "moins de"}


def _long_csv(lines: list[tuple[Level, list[Point]]], unit: str,
              label: str) -> tuple[tuple[str, ...], ...]:
    """One row per value drawn (the indicator names the file; the unit heads the values)."""
    rows: list[tuple[str, ...]] = [("territoire", "code", "annee", f"valeur ({UNIT_NAMES[unit]})"
                                    if unit in UNIT_NAMES else "valeur", "borne", "source")]
    for level, points in lines:
        for p in usable(points):
            rows.append((level.libelle, level.code, str(p.annee), csv_number(p.valeur),
                         BOUND_WORDS.get(p.statut, ""),
                         " ; ".join(dict.fromkeys(short_source(s)
                                                  for s in p.source.split(" | ")))))
    return tuple(rows)



def source_switches(points: list[Point]) -> list[float]:
    """Where the source of a series changes: halfway between the two years."""
    return [(a.annee + b.annee) / 2 for a, b in zip(points, points[1:], strict=False)
            if family(a) != family(b)]


def reforms_between(breaks: Sequence[Break], years: Sequence[int]) -> list[Break]:
    """The reforms a chart of these years shows: those taking effect after its first
    year and no later than its last (drawn halfway between the years they separate)."""
    if not years:
        return []
    return [b for b in breaks if b.crosses(min(years), max(years))]


def bars_text(drawn: list[tuple[Level, list[Point]]], unit: str, year: int,
               label: str, producer: str = "") -> ChartText:
    entries = [(level, p) for level, points in drawn for p in points if p.annee == year]
    quarter = next(((lv, p) for lv, p in entries if lv.niveau == QPV),
                   entries[0] if entries else None)
    title = label or "Valeurs par territoire"
    if quarter is not None:
        lv, p = quarter
        title = f"{lv.libelle} : {shown(p, unit)} en {year}"
        ref = _reference([(lvl, [pt]) for lvl, pt in entries if lvl is not lv], year)
        if ref is not None:
            title += f", {_relation(p, ref[1], unit)} {_named(ref[0])}"
    values = " ; ".join(f"{lv.libelle} : {shown(p, unit)}" for lv, p in entries)
    alt = f"Barres, {label or 'valeurs'} en {year}. {values}."
    table = DataTable(("Territoire", f"{year}"),
                      tuple((lv.libelle, shown(p, unit)) for lv, p in entries),
                      csv=_long_csv([(lv, [p]) for lv, p in entries], unit, label),
                      numeric=(1,), name=slug(label or "valeurs"))
    return ChartText(title, alt, table, source_line([p for _, p in entries], producer))


def lines_text(drawn: list[tuple[Level, list[Point]]], unit: str, label: str,
                breaks: Sequence[Break] = (), producer: str = "") -> ChartText:
    quarter_level, quarter = next(((lv, pts) for lv, pts in drawn if lv.niveau == QPV),
                                  drawn[0])
    last = quarter[-1]
    change = trend(quarter, last.annee, unit, breaks=breaks)
    name = quarter_level.libelle
    if change is not None and change.reform is not None:  # not read as the quarter's
        title = f"{name} : {shown(last, unit)} en {last.annee}, série rompue en " \
                f"{change.reform.year}"
    elif change is not None:
        words = "stable" if change.direction == STABLE else f"en {change.direction}"
        title = f"{name} : {words} de {change.start.annee} à {change.end.annee}"
    else:
        title = f"{name} : {shown(last, unit)} en {last.annee}"
    ref = _reference([(lv, pts) for lv, pts in drawn if lv is not quarter_level], last.annee)
    if ref is not None and last.statut in (VALEUR, *BOUNDS):
        title += f", {_relation(last, ref[1], unit)} {_named(ref[0])}"
    parts = []
    for level, points in drawn:
        first, end = points[0], points[-1]
        text = f"{level.libelle} : {shown(first, unit)} en {first.annee}"
        if end is not first:
            text += f", {shown(end, unit)} en {end.annee}"
        if level is quarter_level and change is not None and change.reform is None:
            text += f" ({'stable' if change.direction == STABLE else change.direction}"
            text += f" de {change.start.annee} à {change.end.annee})"
        gaps = [b.annee for a, b in zip(points, points[1:], strict=False)
                if b.annee > a.annee + 1]
        if gaps:
            text += ", années manquantes"
        if level is quarter_level and source_switches(points):
            text += ", changement de source"
        parts.append(text)
    years = sorted({p.annee for _, points in drawn for p in points})
    marked = reforms_between(breaks, years)
    alt = (f"Courbes, {label or 'valeurs'}, de {years[0]} à {years[-1]}. "
           + " ; ".join(parts) + ".")
    for reform in marked:
        alt += (f" Trait vertical en tirets entre {reform.year - 1} et {reform.year} : "
                f"{reform.words}, rupture de la série.")
    headers = ("Année", *(lv.libelle for lv, _ in drawn))
    by_year = [{p.annee: p for p in points} for _, points in drawn]
    rows = tuple((str(y), *(shown(b[y], unit) if y in b else "–" for b in by_year))
                 for y in years)
    table = DataTable(headers, rows, csv=_long_csv(drawn, unit, label),
                      numeric=tuple(range(1, len(headers))), name=slug(label or "valeurs"))
    source = source_line([p for _, points in drawn for p in points], producer)
    if any(family(p) != PUBLISHED for p in quarter):
        source += (" Marqueur creux : chiffre repris du contrat ou d'un partenaire, non "
                   "raccordé aux séries publiées.")
    for reform in marked:
        source += (f" Tirets « réforme » : {reform.words} ; les chiffres de part et "
                   "d'autre ne se comparent pas directement.")
    return ChartText(title, alt, table, source)

