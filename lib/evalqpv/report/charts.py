"""Charts of a territory against its comparison levels, drawn for readers (RAPPORTS.md).

The chart is picked for the data: one year gives bars across territories (from zero);
a series gives lines, broken where a year is missing or where the source changes (the
contract's or a partner's figures are never chained to a publication), with a dashed
vertical line where a national reform breaks the series (config/ruptures.csv); a bound
(« plus de 95 % ») is drawn and written as a bound. Lines are labelled directly, and
each level also has its own marker and line style, so that no reader depends on
colour, nor on a legend. Tick labels never repeat nor round oddly: their decimals
follow the step between ticks.

Every chart carries its text (ChartText, written by `chart_text`): a title that states
the finding, a text alternative with the values and the trend, and the table of the
values drawn. The house style, the ticks and the SVG output are `chart_canvas`; the
chart of the quarter among every QPV is `chart_distribution`. This module keeps their
public names importable (`from .charts import distribution_chart, to_svg`).

Figures are built with matplotlib's object API inside a style context: importing this
module or drawing a chart changes neither the analyst's backend nor their rcParams.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..ruptures import Break
from ..territory import Level
from ..vocabulary import (
    BORNE_INF,
    BORNE_SUP,
    BOUNDS,
    QPV,
    VALEUR,
)
from .chart_canvas import (
    BAR,
    FONT_SIZE,
    GRID,
    INK,
    LABEL_CHARS,
    LABEL_SIZE,
    MUTED,
    OTHER_STYLE,
    STYLES,
    WIDTH,
    ChartFigure,
    FrenchTicks,
    drawing,
    new_figure,
    tick_decimals,
    tight_layout,
    to_png,
    to_svg,
    value_axis,
    year_axis,
)
from .chart_distribution import distribution_chart
from .chart_text import (
    bars_text,
    lines_text,
    reforms_between,
    short_source,
    shown,
    source_line,
    source_switches,
    usable,
)
from .indicators import Point
from .trends import PUBLISHED, family

__all__ = [
    "ChartFigure",
    "FrenchTicks",
    "comparison_chart",
    "distribution_chart",
    "reform_label",
    "reforms_between",
    "short_source",
    "shown",
    "source_line",
    "tick_decimals",
    "to_png",
    "to_svg",
]

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
    drawn = [(level, usable(points)) for level, points in lines]
    drawn = [(level, points) for level, points in drawn if points]
    years = sorted({p.annee for _, points in drawn for p in points})
    quarter = next((pts for lv, pts in drawn if lv.niveau == QPV), drawn[0][1] if drawn else [])
    with drawing():
        if len(years) <= 1 or len(quarter) <= 1:
            year = quarter[-1].annee if quarter else (years[-1] if years else 0)
            fig = _bars(drawn, unit, year)
            chart = bars_text(drawn, unit, year, label, producer)
        else:
            marked = reforms_between(breaks, years)
            fig = _lines(drawn, unit, years, marked)
            chart = lines_text(drawn, unit, label, breaks, producer)
    fig.chart = chart
    return fig



def _bars(drawn: list[tuple[Level, list[Point]]], unit: str, year: int) -> ChartFigure:
    """Horizontal bars from zero, one per territory with a value that year; the quarter
    first and in its colour; values written at the end of the bars. A bound is a pale
    bar ending in an arrow the way the true value lies, written « plus de 95 % »."""
    entries = [(level, p) for level, points in drawn for p in points if p.annee == year]
    fig, ax = new_figure(0.75 + 0.42 * max(len(entries), 1))
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
    value_axis(ax.xaxis, unit)
    ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top * 1.1])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    tight_layout(fig, 0.4)
    _keep_labels_inside(fig, ax, labels)
    return fig


def _keep_labels_inside(fig: Figure, ax: Axes, labels: list[Any]) -> None:
    """Widen the value axis until every value label ends inside the axes (and so inside
    the figure): a label is never cut, whatever its length."""
    for _ in range(6):
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
    fig, ax = new_figure(3.6)
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
            for x in source_switches(points):
                ax.axvline(x, color=MUTED, linewidth=1, linestyle=(0, (2, 2)), zorder=1)
                ax.text(x, 1.0, "changement\nde source", transform=ax.get_xaxis_transform(),
                        ha=_label_side(x, [m for m in near if m != x]), va="bottom",
                        fontsize=FONT_SIZE - 2, color=INK)
    source_breaks = {x for lv, pts in drawn if lv.niveau == QPV for x in source_switches(pts)}
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
    year_axis(ax, years)
    value_axis(ax.yaxis, unit)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    labels = [(level, points[-1]) for level, points in drawn]
    right = _label_space(labels, unit)
    top = 0.86 if reforms or any(lv.niveau == QPV and source_switches(pts) for lv, pts in drawn) \
        else 0.95
    tight_layout(fig, 0.4, rect=(0, 0, 1 - right, top))
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




def warm() -> None:
    """Draw and write a few charts like the reports' (in the process that forks one copy
    per report): the text metrics and font lookups they measure stay in `chart_canvas`'s
    shared caches, and each report's charts find them there."""
    import datetime  # noqa: PLC0415
    levels = [Level("qpv", "QP000000", "Quartier"), Level("commune", "00000", "Commune"),
              Level("epci", "200000000", "Intercommunalité"),
              Level("departement", "00", "Département"), Level("region", "00", "Région"),
              Level("france", "FR", "France"), Level("ensemble_qpv", "QPV", "Ensemble des QPV")]

    def series(first: int, last: int, low: float, high: float) -> list[Point]:
        return [Point(y, low + (high - low) * (y - first) / max(last - first, 1), VALEUR,
                      "Insee", "x.csv", False, origine="publication")
                for y in range(first, last + 1)]

    reform = Break(("x",), datetime.date(2019, 1, 1), "réforme", "Insee", "", ())
    for first, last, unit, low, high in ((2004, 2026, "pourcentage", 0.0, 100.0),
                                         (2005, 2025, "euros", 10000.0, 30000.0),
                                         (2013, 2018, "ratio", 0.0, 10.0),
                                         (2013, 2018, "nombre", 0.0, 500.0)):
        lines = [(lv, series(first, last, low, high * (0.6 + i / 10)))
                 for i, lv in enumerate(levels)]
        to_svg(comparison_chart(lines, unit, label="Indicateur", breaks=[reform]))
        to_svg(comparison_chart([(lv, pts[-1:]) for lv, pts in lines], unit))
    for unit, per, spread in (("indice", "pour 100 habitants", 10.0),
                              ("pourcentage", "", 100.0), ("euros", "", 30000.0)):
        values = [spread * (i % 97) / 97 for i in range(1300)]
        to_svg(distribution_chart(values, values[:10], values[500], unit, "Quartier",
                                  "QPV du département", source="Insee", per=per))
