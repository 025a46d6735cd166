"""Charts of a territory against its comparison levels, in colour-blind-safe colours.

Colours follow the Okabe-Ito palette, and each level also has its own marker and line
style, so that no reader depends on colour alone. Charts are rendered to PNG bytes
without metadata that changes between runs.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .frenchformat import number  # noqa: E402
from .indicators import Point  # noqa: E402
from .territory import Level  # noqa: E402

STYLES = {  # niveau -> (colour, marker, line style, width)
    "qpv": ("#D55E00", "o", "-", 2.8),
    "commune": ("#0072B2", "s", "-", 1.6),
    "epci": ("#56B4E9", "^", "--", 1.4),
    "departement": ("#009E73", "D", "-.", 1.4),
    "region": ("#E69F00", "v", ":", 1.6),
    "france": ("#000000", "P", "--", 1.4),
    "ensemble_qpv": ("#CC79A7", "X", "-", 1.6),
}
plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "evalqpv"})


def comparison_chart(lines: list[tuple[Level, list[Point]]], unit: str) -> Figure:
    """One line per territory level over the years; the QPV drawn first and thickest."""
    fig, ax = plt.subplots(figsize=(7.2, 3.6), dpi=100)
    decimals = 1 if unit in ("pourcentage", "ratio", "indice") else 0
    for level, points in lines:
        usable = [p for p in points if p.valeur is not None]
        if not usable:
            continue
        colour, marker, style, width = STYLES.get(level.niveau, ("#444444", ".", "-", 1.2))
        ax.plot([p.annee for p in usable], [p.valeur for p in usable], color=colour,
                marker=marker, linestyle=style, linewidth=width, markersize=5,
                label=level.libelle, zorder=3 if level.niveau == "qpv" else 2)
        if len(usable) == 1:  # a lone point gets its value written next to it
            ax.annotate(number(usable[0].valeur, decimals), (usable[0].annee, usable[0].valeur),
                        textcoords="offset points", xytext=(6, 4), fontsize=8, color=colour)
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
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
