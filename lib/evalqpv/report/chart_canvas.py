"""How every chart of the reports looks, and the SVG or PNG it is written to.

The house style (colours that keep a 3:1 contrast and are never the only cue, one
marker and line style per level, the font and its size), the French tick labels whose
decimals follow the step between ticks, a new figure drawn without background shapes,
and the output: `to_svg` gives inline SVG for a page (real text, no metadata that
changes between runs, ids unique in a page), `to_png` stays for analysts.

Figures are built with matplotlib's object API inside a style context (`STYLE`):
importing this module or drawing a chart changes neither the analyst's backend nor
their rcParams. The charts themselves: `charts` (the quarter against its comparison
levels) and `chart_distribution` (the quarter among every QPV); their words and data:
`chart_text`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.artist as martist
import matplotlib.text as mtext
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import Formatter, MaxNLocator

from .. import frenchnumbers as fn
from .html import ChartText, Svg

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


# --------------------------------------------------------------------------- drawing

# Text metrics and font lookups shared by every chart drawn in this process (and, filled
# by `warm`, by every process forked from it). Matplotlib keeps its text metrics per
# renderer, and every figure has its own: each chart measured « 2019 » or « 10 % » again,
# twice (Agg for the layout, SVG for the output). A metric is a pure function of the kind
# of renderer, its dpi, the text, the font asked for and the rcParams that pick and hint
# the font (all in the key), so a shared value is the value the renderer would compute.
_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_FONTS: dict[tuple[Any, ...], list[Any]] = {}
_TABLES: dict[tuple[int, str], tuple[Any, Any]] = {}  # (id(font), table) -> (font, table)
CACHE_LIMIT = 50_000  # entries per cache; past it the cache starts again from empty
_HOOK = "_get_text_metrics_with_cache"  # matplotlib.text's, looked up at each call
_GET_FONT = "get_font"  # matplotlib.text's name for font_manager.get_font
_TIGHTBBOX = "_get_tightbbox_for_layout_only"  # matplotlib.artist's, looked up at each call
_FONT_RC = ("family", "style", "variant", "weight", "stretch", "size", "serif",
            "sans-serif", "cursive", "fantasy", "monospace")


class _Active:
    """What `drawing` installed: matplotlib's functions it stands in for, and the
    rcParams of the drawing (part of every key)."""

    depth = 0
    state: tuple[Any, ...] = ()
    metrics: Callable[..., tuple[float, float, float]] | None = None
    fonts: Callable[..., list[Any]] | None = None
    get_font: Callable[..., Any] | None = None


def _font_key(prop: FontProperties) -> tuple[Any, ...]:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(),
            prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(),
            prop.get_file(), prop.get_math_fontfamily())


def _renderer_kind(renderer: Any) -> tuple[Any, ...] | None:
    """Which measure a renderer gives: Agg's at its dpi, or the SVG writer's (outlines
    at a fixed scale); None for any other renderer (never shared)."""
    inner = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
    if type(inner) is RendererAgg:
        return ("agg", inner.dpi)
    if type(inner) is RendererSVG:
        return ("svg",)
    return None


def _remember(cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def _shared_metrics(renderer: Any, text: str, fontprop: FontProperties, ismath: Any,
                    dpi: float) -> tuple[float, float, float]:
    """`matplotlib.text._get_text_metrics_with_cache`, kept across renderers."""
    assert _Active.metrics is not None
    kind = _renderer_kind(renderer)
    if kind is None or ismath is not False:  # mathtext, TeX, other backends: as is
        return _Active.metrics(renderer, text, fontprop, ismath, dpi)
    key = (kind, text, _font_key(fontprop), dpi, _Active.state)
    found = _METRICS.get(key)
    if found is None:
        found = _Active.metrics(renderer, text, fontprop, ismath, dpi)
        _remember(_METRICS, key, found)
    return found


def _shared_fonts(prop: Any, fontext: str = "ttf", directory: Any = None,
                  fallback_to_default: bool = True,
                  rebuild_if_missing: bool = True) -> list[Any]:
    """`FontManager._find_fonts_by_props`, without its two `findfont` calls per text."""
    assert _Active.fonts is not None
    if not isinstance(prop, FontProperties):
        return _Active.fonts(prop, fontext, directory, fallback_to_default,
                             rebuild_if_missing)
    key = (_font_key(prop), fontext, directory, fallback_to_default, rebuild_if_missing,
           _Active.state)
    found = _FONTS.get(key)
    if found is None:
        found = _Active.fonts(prop, fontext, directory, fallback_to_default,
                              rebuild_if_missing)
        if len(found) < len(prop.get_family()):  # a family is missing: matplotlib
            return found  # warns each time it is asked, so it keeps being asked
        _remember(_FONTS, key, found)
    return list(found)


class _FontTables:
    """The font `Text._get_layout` asks for, whose tables it reads (two per text, to
    space its lines) read once per font: a table is the font file's, so the font
    object, kept alive with it, is its key."""

    def __init__(self, font: Any) -> None:
        self._font = font

    def get_sfnt_table(self, name: str) -> Any:
        key = (id(self._font), name)
        found = _TABLES.get(key)
        if found is None or found[0] is not self._font:
            found = (self._font, self._font.get_sfnt_table(name))
            _TABLES[key] = found
        return found[1]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)


def _shared_tables(*args: Any, **kwargs: Any) -> _FontTables:
    """`matplotlib.text.get_font` (still called: it resets the font's transform)."""
    assert _Active.get_font is not None
    return _FontTables(_Active.get_font(*args, **kwargs))


@contextmanager
def drawing() -> Iterator[None]:
    """The house style (`STYLE`) and the shared text metrics and font lookups, for the
    time a chart is built or written; matplotlib and the rcParams are as they were
    afterwards."""
    with mpl.rc_context(STYLE):
        if _Active.depth:
            _Active.depth += 1
            try:
                yield
            finally:
                _Active.depth -= 1
            return
        manager = font_manager.fontManager
        rc: Any = mpl.rcParams
        _Active.state = (tuple(tuple(v) if isinstance(v, list) else v for v in
                               (rc[f"font.{k}"] for k in _FONT_RC)),
                         rc["text.hinting"], rc["text.hinting_factor"],
                         os.getenv("MPL_IGNORE_SYSTEM_FONTS"), id(manager))
        _Active.metrics = getattr(mtext, _HOOK)
        own = manager.__dict__.get("_find_fonts_by_props")
        _Active.fonts = manager._find_fonts_by_props
        _Active.get_font = getattr(mtext, _GET_FONT)
        setattr(mtext, _HOOK, _shared_metrics)
        setattr(mtext, _GET_FONT, _shared_tables)
        manager._find_fonts_by_props = _shared_fonts  # type: ignore[method-assign]
        _Active.depth = 1
        try:
            yield
        finally:
            _Active.depth = 0
            setattr(mtext, _HOOK, _Active.metrics)
            setattr(mtext, _GET_FONT, _Active.get_font)
            if own is None:
                del manager._find_fonts_by_props
            else:
                manager._find_fonts_by_props = own  # type: ignore[method-assign]
            _Active.metrics = _Active.fonts = _Active.get_font = None


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


def value_axis(axis: object, unit: str) -> None:
    """Nice steps (1, 2, 2,5, 5), whole numbers for counts, French labels with unit."""
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=unit == "nombre",
                          min_n_ticks=3)
    axis.set_major_locator(locator)  # type: ignore[attr-defined]
    axis.set_major_formatter(FrenchTicks(unit))  # type: ignore[attr-defined]


def year_axis(ax: Axes, years: list[int]) -> None:
    first, last = min(years), max(years)
    step = 1 if last - first <= 5 else 2
    ax.set_xticks(list(range(first, last + 1, step)))
    ax.xaxis.set_major_formatter(FrenchTicks(years=True))
    ax.set_xlim(first - 0.4, last + 0.4)


def new_figure(height: float, width: float = WIDTH) -> tuple[ChartFigure, Axes]:
    fig = ChartFigure(figsize=(width, height), dpi=96)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.patch.set_visible(False)  # no background shapes: the page's colour shows
    ax.patch.set_visible(False)
    ax.tick_params(length=0)  # grid lines, not tick marks
    return fig, ax



def tight_layout(fig: Figure, pad: float,
                 rect: tuple[float, float, float, float] | None = None) -> None:
    """`fig.tight_layout(pad=pad, rect=rect)`, measuring each Axes once. With a `rect`,
    matplotlib computes the layout twice and measures every Axes (its tick labels, axis
    labels, texts) both times, in a figure that has not changed in between; the second
    measure is the first one again."""
    measured: dict[tuple[int, ...], Any] = {}
    original = getattr(martist, _TIGHTBBOX)
    own = {id(ax) for ax in fig.axes}

    def once(obj: Any, *args: Any, **kwargs: Any) -> Any:
        if id(obj) not in own or kwargs:
            return original(obj, *args, **kwargs)
        key = (id(obj), *(id(a) for a in args))
        if key not in measured:
            measured[key] = original(obj, *args)
        return measured[key]

    setattr(martist, _TIGHTBBOX, once)
    try:
        fig.tight_layout(pad=pad, rect=rect)
    finally:
        setattr(martist, _TIGHTBBOX, original)


# --------------------------------------------------------------------------- output


def to_png(fig: Figure) -> bytes:
    """PNG bytes that are identical from one run to the next (no software/date tags)."""
    buffer = io.BytesIO()
    with drawing():
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
    with drawing():
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
