"""Charts of a territory against its comparison levels, in colour-blind-safe colours.

Colours follow the Okabe-Ito palette, and each level also has its own marker and line
style, so that no reader depends on colour alone. Charts are rendered to PNG bytes
without metadata that changes between runs.

Figures are built with matplotlib's object API inside a style context: importing this
module changes neither the analyst's backend nor their rcParams.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..frenchnumbers import number
from ..territory import Level
from .indicators import Point

STYLES = {  # niveau -> (colour, marker, line style, width)
    "qpv": ("#D55E00", "o", "-", 2.8),
    "commune": ("#0072B2", "s", "-", 1.6),
    "epci": ("#56B4E9", "^", "--", 1.4),
    "departement": ("#009E73", "D", "-.", 1.4),
    "region": ("#E69F00", "v", ":", 1.6),
    "france": ("#000000", "P", "--", 1.4),
    "ensemble_qpv": ("#CC79A7", "X", "-", 1.6),
}
STYLE: dict[Any, Any] = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
         "axes.spines.right": False, "svg.hashsalt": "evalqpv"}


def comparison_chart(lines: list[tuple[Level, list[Point]]], unit: str) -> Figure:
    """One line per territory level over the years; the QPV drawn first and thickest."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(7.2, 3.6), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        decimals = 1 if unit in ("pourcentage", "ratio", "indice") else 0
        for level, points in lines:
            usable = [(p.annee, p.valeur) for p in points if p.valeur is not None]
            if not usable:
                continue
            colour, marker, style, width = STYLES.get(level.niveau, ("#444444", ".", "-", 1.2))
            ax.plot([year for year, _ in usable], [value for _, value in usable], color=colour,
                    marker=marker, linestyle=style, linewidth=width, markersize=5,
                    label=level.libelle, zorder=3 if level.niveau == "qpv" else 2)
            if len(usable) == 1:  # a lone point gets its value written next to it
                ax.annotate(number(usable[0][1], decimals), usable[0],
                            textcoords="offset points", xytext=(6, 4), fontsize=8,
                            color=colour)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, decimals)))
        if unit == "pourcentage":
            ax.set_ylabel("%")
        elif unit == "euros":
            ax.set_ylabel("euros")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False,
                  fontsize=8)
        fig.tight_layout()
    return fig


def to_png(fig: Figure) -> bytes:
    """PNG bytes that are identical from one run to the next (no software/date tags)."""
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def distribution_chart(all_values: list[float], group_values: list[float], quarter: float,
                       unit: str, quarter_label: str, group_label: str) -> Figure:
    """Where the quarter stands among every QPV: the histogram of all QPV, the QPV of a
    group (its département) as marks under it, the quarter as a labelled line."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(7.2, 2.8), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        decimals = 1 if unit in ("pourcentage", "ratio", "indice") else 0
        ax.hist(all_values, bins=40, color="#BBBBBB", edgecolor="white", linewidth=0.4,
                label=f"Ensemble des QPV ({len(all_values)})")
        top = ax.get_ylim()[1]
        ax.plot(group_values, [-0.04 * top] * len(group_values), linestyle="none",
                marker="|", markersize=12, color=STYLES["departement"][0],
                label=f"{group_label} ({len(group_values)})")
        ax.axvline(quarter, color=STYLES["qpv"][0], linewidth=2.4)
        ax.annotate(f"{quarter_label} : {number(quarter, decimals)}", (quarter, top * 0.92),
                    xytext=(6, 0), textcoords="offset points", color=STYLES["qpv"][0],
                    fontsize=9, fontweight="bold")
        ax.set_ylim(-0.1 * top, top)
        ax.set_ylabel("nombre de QPV")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, decimals)))
        if unit == "pourcentage":
            ax.set_xlabel("%")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False,
                  fontsize=8)
        fig.tight_layout()
    return fig
