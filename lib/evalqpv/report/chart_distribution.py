"""Where the quarter stands among every QPV: a histogram with round bins, the QPV of
its group as marks under it, the quarter as a labelled line, and the chart's words and
table (the bins, the QPV of the group in each, where the quarter falls)."""

from __future__ import annotations

import math
from bisect import bisect_left

from matplotlib.ticker import MaxNLocator

from .. import frenchnumbers as fn
from .chart_canvas import (
    FONT_SIZE,
    HIST,
    INK,
    STYLES,
    ChartFigure,
    FrenchTicks,
    drawing,
    new_figure,
    tick_decimals,
    tight_layout,
    value_axis,
)
from .chart_text import csv_number
from .html import ChartText, DataTable, slug

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
    with drawing():
        fig, ax = new_figure(3.2)
        counts = _bin_counts(values, edges)
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
        value_axis(ax.xaxis, unit)
        ax.set_xlim(edges[0], edges[-1])
        ax.tick_params(axis="x", pad=18)
        if per:
            ax.set_xlabel(per, color=INK)
        tight_layout(fig, 0.4, rect=(0, 0, 1, 0.8))
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
        csv_rows.append((csv_number(low), csv_number(high), str(n), str(in_group),
                         csv_number(quarter) if here else ""))
    if beyond:
        in_group = sum(v >= edges[-1] for v in group_values)
        here = "◆" if quarter >= edges[-1] else ""
        rows.append((f"{fn.number(edges[-1], decimals)}{suffix} ou plus",
                     fn.number(float(len(beyond))), fn.number(float(in_group)), here))
        csv_rows.append((csv_number(edges[-1]), "", str(len(beyond)), str(in_group),
                         csv_number(quarter) if here else ""))
        alt += (f" {fn.number(len(beyond))} QPV, au-delà de "
                f"{fn.with_unit(edges[-1], unit)}, sont hors du graphique.")
    table = DataTable(("Intervalle", "Tous les QPV", group_label, quarter_label),
                      tuple(rows), csv=tuple(csv_rows), numeric=(1, 2, 3),
                      name=slug(f"distribution {quarter_label}"))
    fig.chart = ChartText(title, alt, table, source)
    return fig


def _bin_counts(ordered: list[float], edges: list[float]) -> list[int]:
    """How many of the sorted values fall in each bin [low, high): those below `high`
    less those below `low`, found by bisection (a histogram of every QPV is 1 300
    values and 30 bins); NaN, which sorts nowhere, is counted in no bin."""
    if any(math.isnan(v) for v in ordered):
        return [sum(low <= v < high for v in ordered)
                for low, high in zip(edges, edges[1:], strict=False)]
    below = [bisect_left(ordered, edge) for edge in edges]
    return [high - low for low, high in zip(below, below[1:], strict=False)]


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

