"""Honest trends: over one unbroken series, from the contract's baseline year or over
the whole series, and « stable » within the noise of the source.

A series is broken where its source changes: the contract's own figures (or a partner's)
are never chained to the producers' publications, nor to each other. Geography already
separates series (a QPV's 2015 and 2024 perimeters are two levels). A national reform of
the benefit or of the measure (config/ruptures.csv, evalqpv.ruptures) does not cut the
series, but a trend whose span crosses it carries it (`Trend.reform`): the change is
then not read as a change of the quarter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..ruptures import Break, crossed
from ..vocabulary import ORIGINE_CONTRAT, ORIGINE_PARTENAIRE, VALEUR
from .indicators import Point

STABLE, UP, DOWN = "stable", "hausse", "baisse"
RATE_NOISE = 1.0  # points: a QPV rate moves by about a point from one year to the next
RELATIVE_NOISE = 0.03  # counts and amounts: 3 %, and at least the counting noise √n


@dataclass(frozen=True)
class Trend:
    start: Point
    end: Point
    direction: str  # STABLE, UP or DOWN
    delta: float
    relative: float | None  # delta / start, for counts and amounts
    broken: bool  # the series holds earlier figures from another source, left out
    # national reforms of the indicator between start and end (oldest first)
    reforms: tuple[Break, ...] = ()

    @property
    def span(self) -> str:
        return f"entre {self.start.annee} et {self.end.annee}"

    @property
    def reform(self) -> Break | None:
        """The first national reform the span crosses, if any: the change then mixes the
        quarter's own change with the reform's."""
        return self.reforms[0] if self.reforms else None


PUBLISHED = "publication"


def family(point: Point) -> str:
    """The series a figure belongs to: the producers' publications (one series, whatever
    the release: the release rules of config/variables_sources.csv make them agree), or
    the hand-filled file it comes from (the contract's transcription, a partner's return).
    A figure that a publication gives too belongs to the publications."""
    if not point.hand_filled:
        return PUBLISHED
    # its first file (the contract's, when a partner's return gives the same figure): a
    # partner's returns, year after year, are one series
    typed_by = ORIGINE_PARTENAIRE if point.origine == ORIGINE_PARTENAIRE else ORIGINE_CONTRAT
    return f"{typed_by}/{Path(point.fichier.split(' | ')[0]).stem}"


def noise(unit: str, start: float) -> float:
    """The change under which a figure is said stable."""
    if unit == "pourcentage":
        return RATE_NOISE
    if unit == "nombre":
        return max(RELATIVE_NOISE * abs(start), math.sqrt(abs(start)))
    return RELATIVE_NOISE * abs(start)


def trend(points: list[Point], annee: int, unit: str, since: int | None = None, *,
          breaks: Iterable[Break] = ()) -> Trend | None:
    """The change of the latest unbroken run of exact figures up to `annee`.

    `since`: when the run goes past that year (the contract's baseline), start at its
    last figure of that year or before; otherwise over the whole run. None when fewer than two
    figures of the same series are known. `breaks`: the national reforms of the
    indicator (ruptures.breaks_of); those the span crosses are kept in `reforms`.
    """
    usable = [p for p in points if p.annee <= annee and p.valeur is not None
              and p.statut == VALEUR and not p.periode]
    published = [p for p in usable if family(p) == PUBLISHED]
    later_own_figure = bool(usable) and family(usable[-1]) != PUBLISHED and len(published) >= 2
    if later_own_figure:
        # the latest figure is the contract's (or a partner's) own: the trend is read on
        # the producers' series, never chained to that figure
        usable = published
    if len(usable) < 2:
        return None
    end = usable[-1]
    run = [end]
    for point in reversed(usable[:-1]):
        if family(point) != family(end):
            break
        run.insert(0, point)
    broken = len(run) < len(usable) or later_own_figure
    if len(run) < 2:
        return None
    start = run[0]
    if since is not None and end.annee > since:  # the series goes past the baseline
        before = [p for p in run[:-1] if p.annee <= since]
        if before:
            start = before[-1]
    assert start.valeur is not None and end.valeur is not None
    delta = end.valeur - start.valeur
    direction = STABLE if abs(delta) <= noise(unit, start.valeur) else (UP if delta > 0
                                                                         else DOWN)
    relative = delta / start.valeur if unit != "pourcentage" and start.valeur else None
    return Trend(start, end, direction, delta, relative, broken,
                 crossed(breaks, start.annee, end.annee))


def favourable(direction: str, sens: str) -> bool | None:
    """Whether a change goes the way the contract wants (None: no wanted way, or stable)."""
    if direction == STABLE or sens == "neutre":
        return None
    return (direction == UP) == (sens == "hausse")
