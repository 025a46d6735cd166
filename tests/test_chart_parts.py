"""Unit tests of the chart parts, imported directly: chart_canvas (ticks, axes, the SVG
and PNG written), chart_text (the words and data of a chart, where a series changes
source, which reforms it shows) and chart_distribution (bins, long tails, median).

tests/test_charts.py pins the charts as a whole through report.charts; here each part is
read on its own, the SVG parsed with xml.etree. Expected values are worked out by hand."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import date

import matplotlib as mpl
import pytest

from evalqpv.report.chart_canvas import (
    STYLE,
    WIDTH,
    ChartFigure,
    _compact_path,
    _unwrap_bare_groups,
    new_figure,
    tick_decimals,
    to_png,
    to_svg,
    value_axis,
    year_axis,
)
from evalqpv.report.chart_distribution import (
    _bin_width,
    _median,
    _shown_high,
    distribution_chart,
)
from evalqpv.report.chart_text import (
    bars_text,
    csv_number,
    lines_text,
    reforms_between,
    short_source,
    shown,
    source_line,
    source_switches,
)
from evalqpv.report.indicators import Point
from evalqpv.ruptures import Break
from evalqpv.territory import Level
from evalqpv.vocabulary import (
    BORNE_SUP,
    ORIGINE_CONTRAT,
    ORIGINE_PARTENAIRE,
    ORIGINE_PUBLICATION,
    VALEUR,
)

NBSP = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"
QPV = Level("qpv", "QP001001", "Les Tilleuls", "qpv2015")
COMMUNE = Level("commune", "01001", "Villeneuve")
FRANCE = Level("france", "FR", "France")
ALL_QPV = Level("ensemble_qpv", "ENSEMBLE_QPV", "Ensemble des QPV", "qpv2015")
INSEE = "Insee, bases QPV – Démographie, publication 2021"


def point(year: int, value: float | None, statut: str = VALEUR, *, source: str = INSEE,
          fichier: str = "data/raw/sig-ville-qpv2015/DEMO_2021.csv",
          origine: str = ORIGINE_PUBLICATION) -> Point:
    return Point(year, value, statut, source, fichier, False, origine=origine)


def contract(year: int, value: float) -> Point:
    return point(year, value, source="Contrat de ville, section I",
                 fichier="data/raw/contrat/chiffres.csv", origine=ORIGINE_CONTRAT)


def partner(year: int, value: float) -> Point:
    return point(year, value, source="CPAM", origine=ORIGINE_PARTENAIRE,
                 fichier=f"data/raw/partenaires/{year}/cpam.xlsx")


def reform(year: int, month: int = 1) -> Break:
    return Break(("x",), date(year, month, 1), "réforme du RSA", "Cnaf", "…", ("https://a",))


# --------------------------------------------------------------------------- chart_canvas

def test_tick_decimals_stop_at_three():
    assert tick_decimals([0.125, 0.25]) == 3
    assert tick_decimals([1 / 3, 2 / 3]) == 3  # never written exactly: three at most
    assert tick_decimals([]) == 0


def test_a_count_axis_has_whole_ticks_and_a_long_year_axis_every_other_year():
    with mpl.rc_context(STYLE):
        fig, ax = new_figure(2.0)
        ax.set_ylim(0, 3)
        value_axis(ax.yaxis, "nombre")
        ticks = [t for t in ax.get_yticks() if 0 <= t <= 3]
        assert all(float(t).is_integer() for t in ticks) and len(ticks) >= 3
        year_axis(ax, [2020, 2010, 2015])
    assert list(ax.get_xticks()) == [2010, 2012, 2014, 2016, 2018, 2020]  # 10 years: by 2
    assert ax.get_xlim() == pytest.approx((2009.6, 2020.4))
    assert ax.xaxis.get_major_formatter()(2012.0) == "2012"
    with mpl.rc_context(STYLE):
        _, short = new_figure(2.0)
        year_axis(short, [2016, 2019])
    assert list(short.get_xticks()) == [2016, 2017, 2018, 2019]


def test_a_new_figure_has_no_background_and_carries_no_words_yet():
    fig, ax = new_figure(3.0)
    assert isinstance(fig, ChartFigure) and fig.chart is None
    assert tuple(fig.get_size_inches()) == (WIDTH, 3.0) and fig.dpi == 96
    assert not fig.patch.get_visible() and not ax.patch.get_visible()


def test_path_data_is_compacted_and_bare_groups_are_dropped():
    assert _compact_path("M 64.1 236.1\nL 233.4 236.1\nz") == "M64.1 236.1L233.4 236.1z"
    assert _compact_path("M 0 -1.5 L 2e-05 3") == "M0 -1.5L2e-05 3"
    assert _unwrap_bare_groups('<g>\n<g id="a"><path/></g>\n</g><g/>') == \
        '\n<g id="a"><path/></g>\n'  # runs of newlines become one


def small_figure(label: str) -> ChartFigure:
    with mpl.rc_context(STYLE):
        fig, ax = new_figure(2.0, 3.0)
        ax.plot([0, 1], [0, 1])
        ax.text(0.5, 0.5, label)
    return fig


def test_svg_is_sized_in_pixels_with_ids_prefixed_by_the_drawing_and_all_referenced():
    text = str(to_svg(small_figure("bonjour")))
    root = ET.fromstring(text)
    # 3 x 2 inches = 216 x 144 points = 288 x 192 px; the view box stays in points
    assert (root.get("width"), root.get("height")) == ("288", "192")
    assert root.get("viewBox") == "0 0 216 144"
    assert root.get("focusable") == "false" and root.get("version") is None
    assert "bonjour" in [t.text for t in root.iter(SVG + "text")]  # real text, not paths
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    refs = set(re.findall(r'(?:url\(#|href="#)([^")]+)', text))
    assert ids and set(ids) == refs  # only the referenced ids are kept
    prefixes = {i.split("-")[0] for i in ids}
    assert len(prefixes) == 1 and re.fullmatch(r"g[0-9a-f]{8}", prefixes.pop())
    assert not re.search(r"\d\.\d\d", text)  # one decimal at most
    assert not any(len(g.attrib) == 0 for g in root.iter(SVG + "g"))
    assert "fill: #1a1a1a" not in text  # the ink comes from the page's stylesheet
    other = str(to_svg(small_figure("bonsoir")))
    assert text == str(to_svg(small_figure("bonjour")))  # same drawing, same bytes
    other_ids = {e.get("id") for e in ET.fromstring(other).iter() if e.get("id")}
    assert not other_ids & set(ids)  # two charts of a page never share an id


def test_png_bytes_are_the_same_from_one_run_to_the_next():
    first, again = to_png(small_figure("a")), to_png(small_figure("a"))
    assert first.startswith(b"\x89PNG") and first == again
    assert b"Software" not in first and b"Matplotlib" not in first


# --------------------------------------------------------------------------- chart_text

def test_values_sources_and_csv_numbers_as_a_reader_or_a_spreadsheet_reads_them():
    assert shown(point(2020, 5.0, BORNE_SUP), "pourcentage") == f"moins de 5{NBSP}%"
    assert short_source("Caf, section II") == "Caf"
    assert short_source("Dares 2019") == "Dares"
    assert short_source("Éducation nationale, rentrée 2022") == "Éducation nationale"
    assert [csv_number(v) for v in (None, 33.0, 0.1234567, -2.5, 1e6)] == [
        "", "33", "0,123457", "-2,5", "1000000"]


def test_the_source_line_merges_years_per_source_and_splits_merged_rows():
    assert source_line([]) == ""
    assert source_line([point(2016, 1.0)]) == "Source : Insee, bases QPV (2016)."
    both = point(2019, 2.0, source=f"{INSEE} | Contrat de ville, section I")
    assert source_line([point(2016, 1.0), both, point(2017, 1.0)]) == (
        "Sources : Insee, bases QPV (2016-2019) ; Contrat de ville (2019).")


def test_a_source_switch_is_halfway_between_two_years_of_different_families():
    series = [point(2013, 1.0), point(2014, 1.0, source="Insee, autre publication"),
              contract(2016, 2.0), contract(2017, 2.0), partner(2018, 3.0),
              partner(2019, 3.0)]
    # publications are one series; the contract's file another; a partner's returns,
    # one file a year under the same name, a third
    assert source_switches(series) == [2015.0, 2017.5]
    assert source_switches(series[:2]) == [] and source_switches([]) == []


def test_reforms_shown_take_effect_after_the_first_year_and_by_the_last():
    breaks = [reform(2016), reform(2017, 7), reform(2019), reform(2020)]
    assert [b.year for b in reforms_between(breaks, [2019, 2016, 2017])] == [2017, 2019]
    assert reforms_between(breaks, []) == []


def test_bars_compare_the_quarter_with_the_preferred_reference_the_same_year():
    drawn = [(QPV, [point(2019, 48.0)]), (COMMUNE, [point(2019, 48.1)]),
             (FRANCE, [point(2019, 40.0), point(2018, 48.0)])]
    chart = bars_text(drawn, "pourcentage", 2019, "Part des femmes")
    # France is preferred to the commune, even where the commune is closer
    assert chart.title == f"Les Tilleuls : 48,0{NBSP}% en 2019, au-dessus de la France"
    assert chart.alt == (f"Barres, Part des femmes en 2019. Les Tilleuls : 48,0{NBSP}% ; "
                         f"Villeneuve : 48,1{NBSP}% ; France : 40,0{NBSP}%.")
    assert chart.data.headers == ("Territoire", "2019") and chart.data.name == "part-des-femmes"
    assert chart.data.csv[0] == ("territoire", "code", "annee", "valeur (en %)", "borne",
                                 "source")
    assert chart.data.csv[3] == ("France", "FR", "2019", "40", "", "Insee, bases QPV")
    # a gap within half the noise of a rate (1 point) is « au niveau de »
    near = bars_text([(QPV, [point(2019, 48.0)]), (ALL_QPV, [point(2019, 48.4)])],
                     "pourcentage", 2019, "")
    assert near.title.endswith("au niveau de l'ensemble des QPV")
    assert near.alt.startswith("Barres, valeurs en 2019.") and near.data.name == "valeurs"


def test_lines_read_the_quarters_trend_gaps_and_the_table_by_year():
    drawn = [(QPV, [point(2016, 30.0), point(2018, 30.4)]),
             (COMMUNE, [point(2018, 30.2)]), (ALL_QPV, [point(2018, 20.0)])]
    chart = lines_text(drawn, "pourcentage", "Taux de pauvreté")
    # +0,4 point is within the noise of a rate: stable; the reference is the set of all
    # QPV (preferred to the commune)
    assert chart.title == ("Les Tilleuls : stable de 2016 à 2018, au-dessus de l'ensemble "
                           "des QPV")
    assert chart.alt == (
        f"Courbes, Taux de pauvreté, de 2016 à 2018. Les Tilleuls : 30,0{NBSP}% en 2016, "
        f"30,4{NBSP}% en 2018 (stable de 2016 à 2018), années manquantes ; Villeneuve : "
        f"30,2{NBSP}% en 2018 ; Ensemble des QPV : 20,0{NBSP}% en 2018.")
    assert chart.data.headers == ("Année", "Les Tilleuls", "Villeneuve", "Ensemble des QPV")
    assert chart.data.rows == (("2016", f"30,0{NBSP}%", "–", "–"),
                               ("2018", f"30,4{NBSP}%", f"30,2{NBSP}%", f"20,0{NBSP}%"))
    assert chart.data.numeric == (1, 2, 3)
    assert chart.source == "Source : Insee, bases QPV (2016-2018)."


def test_lines_crossing_a_reform_say_so_instead_of_a_trend():
    drawn = [(QPV, [point(2016, 10.0), point(2019, 20.0)])]
    chart = lines_text(drawn, "pourcentage", "Taux", breaks=[reform(2018, 3)])
    assert chart.title == f"Les Tilleuls : 20,0{NBSP}% en 2019, série rompue en 2018"
    assert chart.alt.endswith("Trait vertical en tirets entre 2017 et 2018 : réforme du RSA "
                              "en mars 2018, rupture de la série.")
    assert "Tirets « réforme » : réforme du RSA en mars 2018" in chart.source
    one = lines_text([(QPV, [contract(2021, 7.0)])], "nombre", "")
    assert one.title == "Les Tilleuls : 7 en 2021" and "Marqueur creux" in one.source


# --------------------------------------------------------------------------- chart_distribution

@pytest.mark.parametrize(("low", "high", "width"), [
    (0.0, 30.0, 1.0), (0.0, 75.0, 2.5), (0.0, 48.0, 2.0), (0.0, 0.9, 0.05),
    (10.0, 10.0, 1e-9),
])
def test_bins_are_round_widths_for_about_thirty_bins(low, high, width):
    assert _bin_width(low, high) == pytest.approx(width)


def test_the_histogram_ends_at_the_98th_percentile_only_past_a_long_tail():
    assert _shown_high([1.0, 2.0, 500.0], 1.0) == 500.0  # under 50 QPV: the maximum
    even = [float(v) for v in range(50)]
    assert _shown_high(even, 3.0) == 49.0  # 49 - 48 <= (48 - 0) / 2
    tail = [float(v) for v in range(49)] + [1000.0]
    assert _shown_high(tail, 3.0) == 48.0
    assert _shown_high(tail, 60.0) == 60.0  # the quarter stays on the chart
    # the tail beyond the 98th percentile (48) against half the spread below it (24)
    assert _shown_high(tail[:-1] + [72.0], 3.0) == 72.0
    assert _shown_high(tail[:-1] + [72.5], 3.0) == 48.0
    assert _median([3.0, 1.0, 2.0]) == 2.0 and _median([4.0, 1.0]) == 2.5
    assert math.isnan(_median([]))


def test_a_long_tail_is_written_beside_the_chart_and_in_the_last_row_of_its_table():
    values = [float(v) for v in range(49)] + [1000.0]
    fig = distribution_chart(values, [10.0, 1000.0], 10.0, "nombre", "Q", "QPV du 01")
    chart = fig.chart
    assert chart is not None
    # bins of 2 from 0 to 50 (48 is the right end shown); 1 000 is beyond
    rows = chart.data.rows
    assert len(rows) == 26 and rows[0] == ("0 à 2", "2", "0", "")
    assert rows[5] == ("10 à 12", "2", "1", "◆")
    assert rows[24] == ("48 à 50", "1", "0", "")
    assert rows[25] == ("50 ou plus", "1", "1", "")
    assert chart.data.csv[-1] == ("50", "", "1", "1", "")
    assert chart.data.csv[6] == ("10", "12", "2", "1", "10")
    # median of 0..48 and 1 000: (24 + 25) / 2; 10 QPV (0 to 9) lower than the quarter
    assert chart.title == "Q : 10, médiane des QPV : 24,5"
    assert chart.alt == (f"Histogramme de 50 QPV. Q : 10 ; 10 QPV ont une valeur plus faible ; "
                         f"médiane : 24,5 ; QPV du 01 : de 10 à 1{NBSP}000. 1 QPV, au-delà "
                         f"de 50, sont hors du graphique.")
    texts = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    assert f"1 QPV au-delà,\njusqu'à 1{NBSP}000 \u2192" in texts
    assert fig.axes[0].get_xlim() == (0.0, 50.0)
