"""Charts of a territory against its comparison levels, drawn for readers (RAPPORTS.md).

The chart is picked for the data: one year gives bars across territories (from zero);
a series gives lines, broken where a year is missing or where the source changes (the
contract's or a partner's figures are never chained to a publication), with a dashed
vertical line where a national reform breaks the series (config/ruptures.csv); a bound
(« plus de 95 % ») is drawn and written as a bound. Lines are labelled directly, and
each level also has its own marker and line style, so that no reader depends on
colour, nor on a legend. Tick labels never repeat nor round oddly: their decimals
follow the step between ticks.

Every chart carries its text (ChartText): a title that states the finding, a text
alternative with the values and the trend, and the table of the values drawn (shown
beside the chart and offered as CSV by `html.figure`). Charts are rendered to inline
SVG (real text, no metadata that changes between runs, ids unique in a page) by
`to_svg`; `to_png` stays for analysts.

Figures are built with matplotlib's object API inside a style context: importing this
module or drawing a chart changes neither the analyst's backend nor their rcParams.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, MaxNLocator

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
from .html import ChartText, DataTable, Svg, slug
from .indicators import Point
from .trends import PUBLISHED, STABLE, family, noise, trend

# niveau -> (colour, marker, line style, width). Colours keep a 3:1 contrast with white
# (WCAG 1.4.11); marker and line style tell the levels apart without colour.
STYLES = {
    "qpv": ("#D55E00", "o", "-", 2.8),
    "commune": ("#0072B2", "s", "-", 1.6),
    "epci": ("#6F6F6F", "^", "--", 1.4),
    "departement": ("#007A5A", "D", "-.", 1.4),
    "region": ("#A66F00", "v", ":", 1.8),
    "france": ("#000000", "P", "--", 1.4),
    "ensemble_qpv": ("#A8488A", "X", "-", 1.6),
}
OTHER_STYLE = ("#555555", ".", "-", 1.2)
INK = "#1a1a1a"  # text, at full contrast
MUTED = "#595959"  # axes and secondary text (7:1 on white)
GRID = "#dddddd"
BAR = "#6F6F6F"  # bars of the comparison territories; the quarter's bar is its colour
HIST = "#BBBBBB"  # the histogram of all QPV, behind the marks that matter
FONT_SIZE = 11.5
# Charts are drawn 5.2 inches wide (499 px): at full size on a screen, scaled by three
# quarters on a phone, where their 11,5-point text still reads at about 11 px.
WIDTH = 5.2
LABEL_SIZE = FONT_SIZE
LABEL_CHARS = 16  # direct labels wrap after this many characters
STYLE: dict[Any, Any] = {
    "font.family": ["DejaVu Sans", "sans-serif"], "font.size": FONT_SIZE,
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": MUTED,
    "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": MUTED,
    "xtick.labelcolor": INK, "ytick.labelcolor": INK,
    "svg.fonttype": "none",  # real text in the SVG, not paths
    "svg.hashsalt": "evalqpv",  # stable ids from one run to the next
    "svg.id": None,
}
PREFERRED_REFERENCES = (FRANCE, ENSEMBLE_QPV, "commune")  # what a finding compares with


class ChartFigure(Figure):
    """A matplotlib Figure that carries its words and its data (`chart`)."""

    chart: ChartText | None = None


# --------------------------------------------------------------------------- ticks


class FrenchTicks(Formatter):
    """French tick labels whose decimals follow the ticks themselves: as many as the
    ticks need to differ (never « 2,0 2,0 1,9 »), never more; the unit on each label."""

    def __init__(self, unit: str = "nombre", years: bool = False) -> None:
        self.unit = unit
        self.years = years
        self.decimals = 0

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        self.decimals = tick_decimals(list(values))
        return [self(v) for v in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        if self.years:
            return str(round(x))
        return fn.number(x, self.decimals) + fn.UNIT_SUFFIX.get(self.unit, "")


def tick_decimals(values: list[float]) -> int:
    """The fewest decimals (0 to 3) that write every tick exactly."""
    for decimals in range(4):
        if all(abs(v * 10 ** decimals - round(v * 10 ** decimals)) < 1e-6 for v in values):
            return decimals
    return 3


def _value_axis(axis: object, unit: str) -> None:
    """Nice steps (1, 2, 2,5, 5), whole numbers for counts, French labels with unit."""
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=unit == "nombre",
                          min_n_ticks=3)
    axis.set_major_locator(locator)  # type: ignore[attr-defined]
    axis.set_major_formatter(FrenchTicks(unit))  # type: ignore[attr-defined]


def _year_axis(ax: Axes, years: list[int]) -> None:
    first, last = min(years), max(years)
    step = 1 if last - first <= 5 else 2
    ax.set_xticks(list(range(first, last + 1, step)))
    ax.xaxis.set_major_formatter(FrenchTicks(years=True))
    ax.set_xlim(first - 0.4, last + 0.4)


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


def _usable(points: Sequence[Point]) -> list[Point]:
    return [p for p in points if p.valeur is not None]


def _csv_number(value: float | None) -> str:
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
        for p in _usable(points):
            rows.append((level.libelle, level.code, str(p.annee), _csv_number(p.valeur),
                         BOUND_WORDS.get(p.statut, ""),
                         " ; ".join(dict.fromkeys(short_source(s)
                                                  for s in p.source.split(" | ")))))
    return tuple(rows)


# --------------------------------------------------------------------------- comparison


def comparison_chart(lines: list[tuple[Level, list[Point]]], unit: str, *,
                     label: str = "", breaks: Sequence[Break] = (),
                     producer: str = "") -> ChartFigure:
    """The quarter against its comparison levels: bars across territories for one year,
    lines over the years otherwise. The first level of `lines` is taken as the quarter
    when no level is a QPV. `label` (the indicator's name) goes into the text; `breaks`
    (the indicator's national reforms, ruptures.breaks_of) are marked on lines where they
    fall between two years drawn, and said in the words; `producer` (the référentiel's)
    is named in the source line beside the dataset that publishes the figures."""
    drawn = [(level, _usable(points)) for level, points in lines]
    drawn = [(level, points) for level, points in drawn if points]
    years = sorted({p.annee for _, points in drawn for p in points})
    quarter = next((pts for lv, pts in drawn if lv.niveau == QPV), drawn[0][1] if drawn else [])
    with mpl.rc_context(STYLE):
        if len(years) <= 1 or len(quarter) <= 1:
            year = quarter[-1].annee if quarter else (years[-1] if years else 0)
            fig = _bars(drawn, unit, year)
            chart = _bars_text(drawn, unit, year, label, producer)
        else:
            marked = reforms_between(breaks, years)
            fig = _lines(drawn, unit, years, marked)
            chart = _lines_text(drawn, unit, label, breaks, producer)
    fig.chart = chart
    return fig


def _new_figure(height: float, width: float = WIDTH) -> tuple[ChartFigure, Axes]:
    fig = ChartFigure(figsize=(width, height), dpi=96)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.patch.set_visible(False)  # no background shapes: the page's colour shows
    ax.patch.set_visible(False)
    ax.tick_params(length=0)  # grid lines, not tick marks
    return fig, ax


def _bars(drawn: list[tuple[Level, list[Point]]], unit: str, year: int) -> ChartFigure:
    """Horizontal bars from zero, one per territory with a value that year; the quarter
    first and in its colour; values written at the end of the bars. A bound is a pale
    bar ending in an arrow the way the true value lies, written « plus de 95 % »."""
    entries = [(level, p) for level, points in drawn for p in points if p.annee == year]
    fig, ax = _new_figure(0.75 + 0.42 * max(len(entries), 1))
    top = max((p.valeur or 0.0) for _, p in entries) if entries else 1.0
    top = top if top > 0 else 1.0
    names = []
    labels: list[Any] = []
    for row, (level, point) in enumerate(entries):
        value = point.valeur or 0.0
        colour = STYLES["qpv"][0] if level.niveau == QPV else BAR
        bound = point.statut in BOUNDS
        ax.barh(row, value, height=0.62, color=colour, alpha=0.35 if bound else 1.0,
                linewidth=0)
        gap = 6.0
        if bound:  # the true value lies beyond (or short of) the bar's end
            ax.barh(row, value, height=0.62, fill=False, edgecolor=colour, linewidth=1.2,
                    linestyle="--")
            ax.annotate("", xy=(value, row), xytext=(-14 if point.statut == BORNE_SUP
                                                     else 14, 0),
                        textcoords="offset points", xycoords="data",
                        arrowprops={"arrowstyle": "<-", "color": colour, "lw": 1.8})
            gap = 18.0 if point.statut == BORNE_INF else 6.0
        labels.append(ax.annotate(shown(point, unit), (value, row), xytext=(gap, 0),
                                  textcoords="offset points", va="center", color=INK,
                                  fontweight="bold" if level.niveau == QPV else "normal"))
        names.append(level.libelle)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, top * (1.55 if any(p.statut in BOUNDS for _, p in entries) else 1.3))
    _value_axis(ax.xaxis, unit)
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top * 1.1])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout(pad=0.4)
    _keep_labels_inside(fig, ax, labels)
    return fig


def _keep_labels_inside(fig: Figure, ax: Axes, labels: list[Any]) -> None:
    """Widen the value axis until every value label ends inside the axes (and so inside
    the figure): a label is never cut, whatever its length."""
    for _ in range(6):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        right = max((t.get_window_extent(renderer).x1 for t in labels), default=0.0)
        limit = ax.get_window_extent(renderer).x1
        if right <= limit - 2:
            return
        low, high = ax.get_xlim()
        ax.set_xlim(low, high * (1 + (right - limit + 6) / max(limit - 1, 1.0)))


def _runs(points: list[Point]) -> list[list[Point]]:
    """Pieces of a series that may be joined by a line: consecutive years, exact values,
    the same family of source."""
    runs: list[list[Point]] = []
    for point in points:
        last = runs[-1][-1] if runs else None
        if (last is not None and point.annee == last.annee + 1 and point.statut == VALEUR
                and last.statut == VALEUR and family(point) == family(last)):
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _breaks(points: list[Point]) -> list[float]:
    """Where the source of a series changes: halfway between the two years."""
    return [(a.annee + b.annee) / 2 for a, b in zip(points, points[1:], strict=False)
            if family(a) != family(b)]


def reforms_between(breaks: Sequence[Break], years: Sequence[int]) -> list[Break]:
    """The reforms a chart of these years shows: those taking effect after its first
    year and no later than its last (drawn halfway between the years they separate)."""
    if not years:
        return []
    return [b for b in breaks if b.crosses(min(years), max(years))]


SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")


def reform_label(reform: Break) -> str:
    """The short text above a reform's line: « réforme\njanv. 2019 »."""
    return f"réforme\n{SHORT_MONTHS[reform.date.month - 1]} {reform.year}"


def _label_side(x: float, others: Sequence[float]) -> str:
    """Where a line's label goes so that it never overlaps a neighbour's: centred, or
    to the side away from a line closer than a year and a half."""
    if any(0 < o - x < 1.5 for o in others):
        return "right"  # ends at its line, the neighbour's starts at its own
    if any(0 < x - o < 1.5 for o in others):
        return "left"
    return "center"


def _lines(drawn: list[tuple[Level, list[Point]]], unit: str, years: list[int],
           reforms: Sequence[Break] = ()) -> ChartFigure:
    fig, ax = _new_figure(3.6)
    values = [p.valeur for _, points in drawn for p in points if p.valeur is not None]
    low = min(0.0, min(values))
    ax.set_ylim(low, max(values) * 1.12 if max(values) > 0 else 1.0)
    for level, points in sorted(drawn, key=lambda d: d[0].niveau == QPV):  # the QPV on top
        colour, marker, style, width = STYLES.get(level.niveau, OTHER_STYLE)
        z = 3 if level.niveau == QPV else 2
        for run in _runs(points):
            if len(run) > 1:
                ax.plot([p.annee for p in run], [p.valeur or 0.0 for p in run], color=colour,
                        linestyle=style, linewidth=width, zorder=z, solid_capstyle="butt",
                        clip_on=False)
        # one drawing per kind of marker: full (published), hollow (the contract's or a
        # partner's figure), triangle (a bound, pointing the way the true value lies)
        kinds = {(marker, "full"): [p for p in points if p.statut not in BOUNDS
                                    and family(p) == PUBLISHED],
                 (marker, "hollow"): [p for p in points if p.statut not in BOUNDS
                                      and family(p) != PUBLISHED],
                 ("^", "hollow"): [p for p in points if p.statut == BORNE_INF],
                 ("v", "hollow"): [p for p in points if p.statut == BORNE_SUP]}
        for (shape, fill), found in kinds.items():
            if found:
                ax.plot([p.annee for p in found], [p.valeur or 0.0 for p in found],
                        marker=shape, linestyle="none", color=colour, zorder=z + 1,
                        markersize=(9 if shape in "^v" and shape != marker else
                                    6.5 if z == 3 else 5.5), markeredgewidth=1.4,
                        markerfacecolor=colour if fill == "full" else "white", clip_on=False)
        if level.niveau == QPV:
            near = [b.year - 0.5 for b in reforms]
            for x in _breaks(points):
                ax.axvline(x, color=MUTED, linewidth=1, linestyle=(0, (2, 2)), zorder=1)
                ax.text(x, 1.0, "changement\nde source", transform=ax.get_xaxis_transform(),
                        ha=_label_side(x, [m for m in near if m != x]), va="bottom",
                        fontsize=FONT_SIZE - 2, color=INK)
    source_breaks = {x for lv, pts in drawn if lv.niveau == QPV for x in _breaks(pts)}
    marks = sorted({reform.year - 0.5 for reform in reforms} | source_breaks)
    for reform in reforms:  # longer dashes, in ink: a reform, not a change of source
        x = reform.year - 0.5
        ax.axvline(x, color=INK, linewidth=1.2, linestyle=(0, (6, 3)), zorder=1)
        # a reform on the same spot as a change of source writes its label below it
        y, va = (0.98, "top") if x in source_breaks else (1.0, "bottom")
        ax.text(x, y, reform_label(reform), transform=ax.get_xaxis_transform(),
                ha=_label_side(x, [m for m in marks if m != x]), va=va,
                fontsize=FONT_SIZE - 2, color=INK,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0} if va == "top"
                else None)
    _year_axis(ax, years)
    _value_axis(ax.yaxis, unit)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    labels = [(level, points[-1]) for level, points in drawn]
    right = _label_space(labels, unit)
    top = 0.86 if reforms or any(lv.niveau == QPV and _breaks(pts) for lv, pts in drawn) \
        else 0.95
    fig.tight_layout(pad=0.4, rect=(0, 0, 1 - right, top))
    _direct_labels(fig, ax, labels, unit)
    return fig


def _label_text(level: Level, point: Point, unit: str) -> str:
    """The quarter's label carries its last value; the others their name only (their
    values are in the table of the data and in the table of gaps). Long names wrap."""
    name = "\n".join(textwrap.wrap(level.libelle, LABEL_CHARS)) or level.libelle
    return f"{name}\n{shown(point, unit)}" if level.niveau == QPV else name


def _label_space(labels: list[tuple[Level, Point]], unit: str) -> float:
    """The share of the figure's width the direct labels need on the right."""
    longest = max((len(line) for lv, p in labels for line in _label_text(lv, p, unit)
                   .split("\n")), default=10)
    inches = (longest * 0.6 * LABEL_SIZE + 26) / 72
    return min(0.45, inches / WIDTH)


def _direct_labels(fig: Figure, ax: Axes, labels: list[tuple[Level, Point]],
                   unit: str) -> None:
    """Each line named at its right end, in the margin, never on top of another label:
    labels are spread apart by their own height, with a dotted leader to the point."""
    fig.canvas.draw()
    to_display = ax.transData
    line = LABEL_SIZE * 1.2 * fig.dpi / 72
    placed = sorted(((to_display.transform((p.annee, p.valeur or 0.0))[1], lv, p)
                     for lv, p in labels), key=lambda t: -t[0])
    texts = [_label_text(lv, p, unit) for _, lv, p in placed]
    heights = [line * (t.count("\n") + 1) for t in texts]
    ys = [y for y, _, _ in placed]
    for i in range(1, len(ys)):  # push down what is too close to the label above
        ys[i] = min(ys[i], ys[i - 1] - (heights[i - 1] + heights[i]) / 2 - 2)
    bottom = ax.get_window_extent().y0 + heights[-1] / 2 if heights else 0
    if ys and ys[-1] < bottom:  # then back up, if the last one fell below the axes
        ys[-1] = bottom
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = max(ys[i], ys[i + 1] + (heights[i] + heights[i + 1]) / 2 + 2)
    x_margin = ax.get_window_extent().x1 + 14
    inverse = fig.transFigure.inverted()
    for y, text, (_, level, point) in zip(ys, texts, placed, strict=True):
        colour, marker, _, _ = STYLES.get(level.niveau, OTHER_STYLE)
        end = inverse.transform(to_display.transform((point.annee, point.valeur or 0.0)))
        fx, fy = inverse.transform((x_margin, y))
        fig.add_artist(Line2D([end[0] + 0.014, fx - 0.004], [end[1], fy], color=colour,
                              linewidth=0.8, linestyle=":", transform=fig.transFigure))
        fig.add_artist(Line2D([fx + 0.01], [fy], marker=marker, markersize=6, color=colour,
                              linestyle="none", transform=fig.transFigure))
        fig.text(fx + 0.028, fy, text, va="center", color=INK, fontsize=LABEL_SIZE,
                 linespacing=1.1, fontweight="bold" if level.niveau == QPV else "normal")


def _bars_text(drawn: list[tuple[Level, list[Point]]], unit: str, year: int,
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


def _lines_text(drawn: list[tuple[Level, list[Point]]], unit: str, label: str,
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
        if level is quarter_level and _breaks(points):
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


# --------------------------------------------------------------------------- distribution


def _bin_width(low: float, high: float, target: int = 30) -> float:
    """A round bin width (1, 2, 2,5 or 5 times a power of ten) giving about `target` bins."""
    raw = max((high - low) / target, 1e-9)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)


MIN_DISTRIBUTION = 2  # a histogram of one QPV places nothing


def distribution_chart(all_values: list[float], group_values: list[float], quarter: float,
                       unit: str, quarter_label: str, group_label: str, *, source: str = "",
                       per: str = "") -> ChartFigure:
    """Where the quarter stands among every QPV: the histogram of all QPV (round bins),
    the QPV of a group (its département) as marks under it, the quarter as a labelled
    line; every element is named on the chart itself.

    `source`: the short source line (the producer of the figures drawn); `per`: the
    denominator of a rate drawn in unit « indice » (« pour 100 habitants »), written
    after each value and under the axis. Fewer than two QPV: ValueError (a single
    quarter is never drawn as a distribution)."""
    if len(all_values) < MIN_DISTRIBUTION:
        raise ValueError(f"Distribution de {len(all_values)} QPV : il en faut au moins "
                         f"{MIN_DISTRIBUTION} pour situer un quartier parmi d'autres.")

    def said(value: float) -> str:
        return fn.with_unit(value, unit) + (f" {per}" if per else "")

    values = sorted(all_values)
    shown_high = _shown_high(values, quarter)
    width = _bin_width(values[0], shown_high) if values else 1.0
    start = math.floor(values[0] / width) * width if values else 0.0
    count = max(1, math.ceil((shown_high - start) / width + 1e-9)) if values else 1
    edges = [start + i * width for i in range(count + 1)]
    if values and edges[-1] <= shown_high:
        edges.append(edges[-1] + width)
    beyond = [v for v in values if v >= edges[-1]]
    with mpl.rc_context(STYLE):
        fig, ax = _new_figure(3.2)
        counts = [sum(low <= v < high for v in values) for low, high in
                  zip(edges, edges[1:], strict=False)]
        ax.stairs(counts, edges, fill=True, color=HIST)  # one shape, not one per bar
        top = float(max(counts)) if counts else 1.0
        ax.plot(group_values, [-0.08 * top] * len(group_values), linestyle="none",
                marker="|", markersize=11, markeredgewidth=1.6, color=STYLES["departement"][0])
        ax.axvline(quarter, color=STYLES["qpv"][0], linewidth=2.4)
        median = _median(values)
        low, high = (values[0], values[-1]) if values else (0.0, 1.0)
        on_left = quarter <= low + 0.6 * (high - low)
        ax.annotate(f"{quarter_label} : {fn.with_unit(quarter, unit)}", (quarter, 1.0),
                    xycoords=ax.get_xaxis_transform(), xytext=(-4 if on_left else 4, 4),
                    textcoords="offset points", ha="left" if on_left else "right",
                    va="bottom", color=INK, fontweight="bold")
        fig.text(0.01, 0.99, f"Barres grises : tous les QPV ({fn.number(len(values))})",
                 ha="left", va="top", color=INK)
        fig.text(0.01, 0.91, f"Traits sous l'axe : {group_label} "
                 f"({fn.number(len(group_values))})", ha="left", va="top",
                 color=STYLES["departement"][0])
        if beyond:  # a long tail, written rather than squeezing the bulk of the QPV
            ax.text(1.0, 0.35, f"{fn.number(len(beyond))} QPV au-delà,\njusqu'à "
                    f"{fn.with_unit(beyond[-1], unit)} \u2192", transform=ax.transAxes,
                    ha="right", va="bottom", color=INK, fontsize=FONT_SIZE - 1.5)
        ax.set_ylim(-0.16 * top, top * 1.05)
        ax.set_ylabel("nombre de QPV", color=INK)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.yaxis.set_major_formatter(FrenchTicks())
        ax.spines["bottom"].set_position(("data", 0))
        ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top])
        _value_axis(ax.xaxis, unit)
        ax.set_xlim(edges[0], edges[-1])
        ax.tick_params(axis="x", pad=18)
        if per:
            ax.set_xlabel(per, color=INK)
        fig.tight_layout(pad=0.4, rect=(0, 0, 1, 0.8))
    title = f"{quarter_label} : {said(quarter)}, médiane des QPV : {said(median)}"
    below = sum(v < quarter for v in values)
    alt = (f"Histogramme de {fn.number(len(values))} QPV. {quarter_label} : "
           f"{said(quarter)} ; {fn.number(below)} QPV ont une valeur plus "
           f"faible ; médiane : {said(median)} ; {group_label} : de "
           f"{said(min(group_values)) if group_values else '–'} à "
           f"{said(max(group_values)) if group_values else '–'}.")
    decimals = tick_decimals(edges)
    suffix = fn.UNIT_SUFFIX.get(unit, "")
    rows = []
    csv_rows: list[tuple[str, ...]] = [("de", "a", "qpv", "qpv_du_groupe", "quartier")]
    for low, high, n in zip(edges, edges[1:], counts, strict=False):
        in_group = sum(low <= v < high for v in group_values)
        here = "◆" if low <= quarter < high else ""
        rows.append((f"{fn.number(low, decimals)} à {fn.number(high, decimals)}{suffix}",
                     fn.number(float(n)), fn.number(float(in_group)), here))
        csv_rows.append((_csv_number(low), _csv_number(high), str(n), str(in_group),
                         _csv_number(quarter) if here else ""))
    if beyond:
        in_group = sum(v >= edges[-1] for v in group_values)
        here = "◆" if quarter >= edges[-1] else ""
        rows.append((f"{fn.number(edges[-1], decimals)}{suffix} ou plus",
                     fn.number(float(len(beyond))), fn.number(float(in_group)), here))
        csv_rows.append((_csv_number(edges[-1]), "", str(len(beyond)), str(in_group),
                         _csv_number(quarter) if here else ""))
        alt += (f" {fn.number(len(beyond))} QPV, au-delà de "
                f"{fn.with_unit(edges[-1], unit)}, sont hors du graphique.")
    table = DataTable(("Intervalle", "Tous les QPV", group_label, quarter_label),
                      tuple(rows), csv=tuple(csv_rows), numeric=(1, 2, 3),
                      name=slug(f"distribution {quarter_label}"))
    fig.chart = ChartText(title, alt, table, source)
    return fig


def _shown_high(values: list[float], quarter: float) -> float:
    """The right end of a histogram: the largest value, unless a few QPV lie far beyond
    the others (counts of very unequal quarters); then the 98th percentile (or the
    quarter, if higher), the rest being written on the chart and in its table."""
    if len(values) < 50:
        return values[-1] if values else 1.0
    p98 = values[int(0.98 * (len(values) - 1))]
    if values[-1] - p98 <= 0.5 * (p98 - values[0]):
        return values[-1]
    return max(p98, quarter)


def _median(values: list[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# --------------------------------------------------------------------------- output


def to_png(fig: Figure) -> bytes:
    """PNG bytes that are identical from one run to the next (no software/date tags)."""
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="png", metadata={"Software": None}, dpi=100)
    return buffer.getvalue()


_ID = re.compile(r'\sid="([^"]+)"')
_REF = re.compile(r'(?:url\(#|href="#)([^")]+)')
_NUMBER = re.compile(r"(\d+\.\d)\d+")
_FONT_FAMILY = re.compile(r"font-family:[^;\"]*;?\s*")


_PATH = re.compile(r'(?<=\s)d="([^"]*)"')


def _compact_path(d: str) -> str:
    """« M 64.1 236.1\nL 233.4 236.1\nz » -> « M64.1 236.1L233.4 236.1z »."""
    out = ""
    for token in re.findall(r"[A-Za-z]|-?[\d.]+(?:e-?\d+)?", d):
        if token[0].isalpha() or not out or out[-1].isalpha():
            out += token
        else:
            out += " " + token
    return out


def _unwrap_bare_groups(svg: str) -> str:
    """Drop the <g> elements that carry no attribute (and their closing tags): they
    group nothing a browser needs."""
    out: list[str] = []
    bare: list[bool] = []
    position = 0
    for match in re.finditer(r"<g(\s[^>]*)?>|</g>", svg):
        out.append(svg[position:match.start()])
        position = match.end()
        if match.group(0) == "</g>":
            if not bare.pop():
                out.append("</g>")
        else:
            is_bare = not (match.group(1) or "").strip()
            bare.append(is_bare)
            if not is_bare:
                out.append(match.group(0))
    out.append(svg[position:])
    return re.sub(r"\n+", "\n", re.sub(r"<g(\s[^>]*)?/>", "", "".join(out)))


def to_svg(fig: Figure) -> Svg:
    """Inline SVG markup for an HTML page: real text, no date, generator or DOCTYPE;
    ids kept only where referenced and prefixed with a digest of the drawing, so that
    two charts of a page never share an id and a rebuild gives the same bytes. The
    font and stroke joins come from the page's stylesheet."""
    buffer = io.StringIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r"<style[^>]*>.*?</style>\s*", "", text, flags=re.S)
    text = re.sub(r"\s*<defs>\s*</defs>", "", text)
    text = _FONT_FAMILY.sub("", text)
    text = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", text)
    text = re.sub(r'\s*style=""', "", text)
    text = _NUMBER.sub(r"\1", text)
    text = re.sub(r"\s*\n\s*", "\n", text).replace(" \n", "\n")
    referenced = set(_REF.findall(text))
    text = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", text)
    prefix = "g" + hashlib.sha256(text.encode()).hexdigest()[:8]
    text = _ID.sub(lambda m: f' id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: m.group(0).replace(m.group(1), f"{prefix}-{m.group(1)}"), text)
    text = _PATH.sub(lambda m: 'd="' + _compact_path(m.group(1)) + '"', text)
    text = re.sub(r"; stroke-linejoin: miter|; stroke-linecap: (square|butt)", "", text)
    text = _unwrap_bare_groups(text).replace(f"; fill: {INK}", "").replace(
        f"fill: {INK}; ", "")
    width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)pt"',
                                                   text[:300])[:2])
    text = re.sub(r'width="[\d.]+pt" height="[\d.]+pt"',
                  f'width="{round(width * 4 / 3)}" height="{round(height * 4 / 3)}"', text,
                  count=1)
    text = text.replace(' version="1.1"', "", 1).replace("<svg ", '<svg focusable="false" ',
                                                         1)
    chart = fig.chart if isinstance(fig, ChartFigure) else None
    return Svg(text.strip(), chart)
