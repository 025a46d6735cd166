"""The shared caches behind the charts (chart_canvas.drawing, tight_layout, charts.warm)
and the histogram's bin counts: each gives what matplotlib (or a plain count) gives
without it, is keyed by what decides its value, and leaves matplotlib as it was."""

from __future__ import annotations

import io
import logging
import math

import matplotlib as mpl
import matplotlib.artist as martist
import matplotlib.text as mtext
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from evalqpv.report import chart_canvas
from evalqpv.report.chart_canvas import STYLE, drawing, new_figure, tight_layout
from evalqpv.report.chart_distribution import _bin_counts, distribution_chart
from evalqpv.report.charts import comparison_chart, warm
from evalqpv.report.indicators import Point
from evalqpv.territory import Level
from evalqpv.vocabulary import ORIGINE_PUBLICATION, VALEUR

QPV = Level("qpv", "QP001001", "Les Tilleuls", "qpv2015")
FRANCE = Level("france", "FR", "France")


@pytest.fixture(autouse=True)
def empty_caches():
    chart_canvas._METRICS.clear()
    chart_canvas._FONTS.clear()
    yield
    chart_canvas._METRICS.clear()
    chart_canvas._FONTS.clear()


def point(year: int, value: float) -> Point:
    return Point(year, value, VALEUR, "Insee, bases QPV", "x.csv", False,
                 origine=ORIGINE_PUBLICATION)


def a_chart() -> Figure:
    return comparison_chart([(QPV, [point(2016, 12.5), point(2017, 14.0), point(2018, 13.0)]),
                             (FRANCE, [point(2016, 9.0), point(2018, 9.5)])], "pourcentage",
                            label="Part des jeunes")


def raw_svg(fig: Figure, context: object) -> str:
    buffer = io.StringIO()
    with context:  # type: ignore[attr-defined]
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


# --------------------------------------------------------------------------- drawing


def test_drawing_puts_matplotlib_back_as_it_was():
    metrics, get_font = mtext._get_text_metrics_with_cache, mtext.get_font
    with mpl.rc_context({"font.size": 17}):
        with drawing():
            assert mpl.rcParams["font.size"] == STYLE["font.size"]
            assert mtext._get_text_metrics_with_cache is chart_canvas._shared_metrics
            assert fontManager.__dict__["_find_fonts_by_props"] is chart_canvas._shared_fonts
            with drawing():  # nested: still installed inside, undone only by the outer
                pass
            assert mtext._get_text_metrics_with_cache is chart_canvas._shared_metrics
        assert mpl.rcParams["font.size"] == 17
    assert mtext._get_text_metrics_with_cache is metrics and mtext.get_font is get_font
    assert "_find_fonts_by_props" not in fontManager.__dict__
    with pytest.raises(RuntimeError), drawing():
        raise RuntimeError  # undone on an error too
    assert mtext._get_text_metrics_with_cache is metrics


def test_a_metric_is_shared_by_two_renderers_and_is_what_a_renderer_measures():
    with drawing():
        prop = FontProperties()
        first, second = RendererAgg(100, 100, 96), RendererAgg(100, 100, 96)
        measured = mtext._get_text_metrics_with_cache(first, "2019", prop, False, 96)
        assert len(chart_canvas._METRICS) == 1
        again = mtext._get_text_metrics_with_cache(second, "2019", prop, False, 96)
        assert len(chart_canvas._METRICS) == 1  # found, not measured again
    fresh = RendererAgg(100, 100, 96).get_text_width_height_descent("2019", prop, False)
    assert measured == again == fresh


def test_a_metric_is_keyed_by_size_weight_dpi_renderer_and_font_settings():
    with drawing():
        small, big, bold = FontProperties(size=10), FontProperties(size=20), \
            FontProperties(size=10, weight="bold")
        agg = RendererAgg(100, 100, 96)

        def width(renderer: RendererAgg, prop: FontProperties) -> float:
            return float(mtext._get_text_metrics_with_cache(renderer, "Mm", prop, False,
                                                             renderer.dpi)[0])

        narrow = width(agg, small)
        assert width(agg, big) > 1.9 * narrow  # twice the size, about twice as wide
        assert width(agg, bold) > narrow
        assert width(RendererAgg(100, 100, 192), small) > 1.9 * narrow  # twice the dpi
        assert len(chart_canvas._METRICS) == 4
    with mpl.rc_context({"text.hinting": "none"}), drawing():  # hinting: another key
        mtext._get_text_metrics_with_cache(agg, "Mm", FontProperties(size=10), False, 96)
    assert len(chart_canvas._METRICS) == 5


def test_mathtext_and_other_renderers_are_measured_as_matplotlib_does():
    class Other(RendererAgg):  # a renderer the caches do not know
        pass

    with drawing():
        prop = FontProperties()
        mtext._get_text_metrics_with_cache(Other(100, 100, 96), "2019", prop, False, 96)
        mtext._get_text_metrics_with_cache(RendererAgg(100, 100, 96), r"$x^2$", prop,
                                           True, 96)
    assert chart_canvas._METRICS == {}


def test_a_missing_font_family_is_looked_up_and_warned_about_each_time(caplog):
    with drawing(), caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        prop = FontProperties(family=["No Such Font At All", "DejaVu Sans"])
        first = fontManager._find_fonts_by_props(prop)
        second = fontManager._find_fonts_by_props(prop)
        found = fontManager._find_fonts_by_props(FontProperties(family=["DejaVu Sans"]))
    assert first == second and len(first) == 1
    assert sum("No Such Font" in r.getMessage() for r in caplog.records) == 2
    assert len(chart_canvas._FONTS) == 1 and list(chart_canvas._FONTS.values()) == [found]


def test_a_font_table_is_read_once_per_font_and_is_the_font_s_own(monkeypatch):
    with drawing():
        paths = fontManager._find_fonts_by_props(FontProperties())
        first, second = mtext.get_font(paths), mtext.get_font(paths)
        font = first._font
        reads = []
        read = type(font).get_sfnt_table

        class Counting:  # the font, counting the reads that reach it
            def get_sfnt_table(self, name: str) -> object:
                reads.append(name)
                return read(font, name)

        first._font = second._font = Counting()
        monkeypatch.setattr(chart_canvas, "_TABLES", {})
        head = first.get_sfnt_table("head")
        assert second.get_sfnt_table("head") is head and reads == ["head"]
        assert second.get_sfnt_table("OS/2") is not None and reads == ["head", "OS/2"]
    assert head == read(font, "head") and head["unitsPerEm"] == 2048  # DejaVu Sans


def test_a_full_cache_starts_again_from_empty(monkeypatch):
    monkeypatch.setattr(chart_canvas, "CACHE_LIMIT", 2)
    with drawing():
        agg, prop = RendererAgg(100, 100, 96), FontProperties()
        for text in ("a", "b", "c"):
            mtext._get_text_metrics_with_cache(agg, text, prop, False, 96)
    assert [key[1] for key in chart_canvas._METRICS] == ["c"]


def test_the_svg_is_the_same_with_the_shared_caches_cold_warm_or_absent():
    plain = raw_svg(a_chart(), mpl.rc_context(STYLE))  # matplotlib's own caches only
    cold = raw_svg(a_chart(), drawing())
    warm()  # the caches now hold what the warm process leaves to its forks
    assert len(chart_canvas._METRICS) > 100
    hot = raw_svg(a_chart(), drawing())
    assert plain == cold == hot
    assert "Les Tilleuls" in hot


def test_warming_draws_nothing_an_analyst_sees():
    with mpl.rc_context({"font.size": 17}):
        warm()
        assert mpl.rcParams["font.size"] == 17
    assert mtext._get_text_metrics_with_cache is not chart_canvas._shared_metrics


# --------------------------------------------------------------------------- tight_layout


def labelled_figure() -> tuple[Figure, Axes]:
    with mpl.rc_context(STYLE):
        fig, ax = new_figure(3.0)
        ax.plot([0, 1000], [0, 12345])
        ax.set_ylabel("nombre de QPV")
        ax.set_xlabel("pour 100 habitants")
    return fig, ax


@pytest.mark.parametrize("rect", [None, (0, 0, 0.8, 0.9)])
def test_tight_layout_gives_matplotlib_s_margins_measuring_the_axes_once(rect, monkeypatch):
    mine, ax = labelled_figure()
    theirs, _ = labelled_figure()
    with mpl.rc_context(STYLE):
        theirs.tight_layout(pad=0.4, rect=rect)
    measures = []
    measure = Axes.get_tightbbox

    def counted(self: Axes, *args: object, **kwargs: object) -> object:
        measures.append(self)
        return measure(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "get_tightbbox", counted)
    original = martist._get_tightbbox_for_layout_only
    with mpl.rc_context(STYLE):
        tight_layout(mine, 0.4, rect=rect)
    assert measures == [ax]  # once, where matplotlib alone measures twice with a rect
    assert martist._get_tightbbox_for_layout_only is original
    sides = ("left", "right", "top", "bottom")
    assert [getattr(mine.subplotpars, s) for s in sides] == \
        [getattr(theirs.subplotpars, s) for s in sides]
    assert mine.subplotpars.left > 0.1  # the y label and its ticks got room


# --------------------------------------------------------------------------- histogram


def test_bin_counts_count_each_value_in_the_bin_that_holds_it():
    # bins [0, 1) [1, 2) [2, 3): 0 and 0,5 | 1 (on the edge: the upper bin) | 2,9;
    # 3 and -1 lie outside every bin
    assert _bin_counts([-1.0, 0.0, 0.5, 1.0, 2.9, 3.0], [0.0, 1.0, 2.0, 3.0]) == [2, 1, 1]
    assert _bin_counts([], [0.0, 1.0]) == [0]
    nan = math.nan  # sorts nowhere: counted in no bin, the others still are
    assert _bin_counts([0.5, nan, 1.5], [0.0, 1.0, 2.0]) == [1, 1]


def test_a_histogram_of_many_values_has_the_counts_of_a_plain_count():
    values = [float(i % 37) for i in range(1000)]  # 0 to 36, 27 or 28 times each
    fig = distribution_chart(values, [1.0], 5.0, "nombre", "Q", "QPV du 01")
    assert fig.chart is not None and fig.chart.data.csv is not None
    rows = fig.chart.data.csv[1:]
    assert sum(int(r[2]) for r in rows) == 1000
    for row in rows:  # each bin holds what a plain count over the values finds
        low, high = float(row[0].replace(",", ".")), float(row[1].replace(",", ".") or "inf")
        assert int(row[2]) == sum(low <= v < high for v in values)
