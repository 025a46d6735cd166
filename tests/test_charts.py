"""Charts drawn for readers, on small hand-made series: one year gives bars, a series
gives lines broken at missing years and at a change of source, bounds stay bounds,
tick labels never repeat, counts start at zero; SVG that is real text, deterministic,
with ids unique in a page; the figure's words and data (text alternative, table, CSV)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import matplotlib as mpl
import pytest

from evalqpv.report.charts import (
    FrenchTicks,
    comparison_chart,
    distribution_chart,
    short_source,
    tick_decimals,
    to_png,
    to_svg,
)
from evalqpv.report.html import figure
from evalqpv.report.indicators import Point
from evalqpv.territory import Level
from evalqpv.vocabulary import BORNE_INF, ORIGINE_CONTRAT, ORIGINE_PUBLICATION, VALEUR

NBSP = "\u00a0"
QPV = Level("qpv", "QP001001", "Les Tilleuls", "qpv2015")
COMMUNE = Level("commune", "01001", "Villeneuve")
FRANCE = Level("france", "FR", "France")
PUBLISHED = "data/raw/sig-ville-qpv2015/DEMO_2021.csv"
CONTRACT = "data/raw/contrat/chiffres_contrat.csv"


def point(year: int, value: float, statut: str = VALEUR, fichier: str = PUBLISHED,
          source: str = "Insee, bases QPV – Démographie, publication 2021",
          origine: str = ORIGINE_PUBLICATION) -> Point:
    return Point(year, value, statut, source, fichier, False, origine=origine)


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text()]


def drawn_segments(fig) -> list[list[float]]:
    """The x data of every line drawn with more than one point (the series' runs)."""
    ax = fig.axes[0]
    return [list(line.get_xdata()) for line in ax.get_lines() if len(line.get_xdata()) > 1
            and line.get_linestyle() not in ("None", "")]


def test_one_year_gives_bars_across_territories_from_zero():
    lines = [(QPV, [point(2019, 46.4)]), (COMMUNE, [point(2019, 48.1)]),
             (FRANCE, [point(2019, 48.4)])]
    fig = comparison_chart(lines, "pourcentage", label="Part des hommes")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Les Tilleuls", "Villeneuve",
                                                              "France"]
    assert ax.get_xlim()[0] == 0
    assert len(ax.patches) == 3  # one bar per territory, no year axis from 1925 to 2125
    assert not any(re.fullmatch(r"(19|20|21)\d\d", t) for t in texts(fig))
    assert f"46,4{NBSP}%" in texts(fig) and f"48,4{NBSP}%" in texts(fig)
    chart = fig.chart
    assert chart.title == f"Les Tilleuls : 46,4{NBSP}% en 2019, en dessous de la France"
    assert "Villeneuve : 48,1" in chart.alt and chart.data.headers == ("Territoire", "2019")


def test_a_single_quarter_point_is_never_a_line_chart():
    lines = [(QPV, [point(2021, 20.0)]), (COMMUNE, [point(2015, 10.0), point(2021, 12.0)])]
    fig = comparison_chart(lines, "pourcentage")
    assert not drawn_segments(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Les Tilleuls",
                                                                       "Villeneuve"]


def test_lines_break_at_missing_years_and_at_a_change_of_source():
    qpv = [point(2013, 30.0), point(2014, 29.5), point(2016, 30.2), point(2017, 30.0),
           point(2018, 29.0, fichier=CONTRACT, source="Contrat de ville, section I",
                 origine=ORIGINE_CONTRAT)]
    fig = comparison_chart([(QPV, qpv), (FRANCE, [point(2016, 14.0), point(2017, 14.2)])],
                           "pourcentage", label="Taux de pauvreté")
    segments = drawn_segments(fig)
    assert [2013, 2014] in segments and [2016, 2017] in segments and [2016, 2017] in segments
    assert not any(2014 in s and 2016 in s for s in segments)  # no line across 2015
    assert not any(2018 in s for s in segments)  # the contract's figure is not chained
    assert "changement\nde source" in texts(fig)
    chart = fig.chart
    assert "années manquantes" in chart.alt and "changement de source" in chart.alt
    assert "Marqueur creux" in chart.source
    assert [r[0] for r in chart.data.rows] == ["2013", "2014", "2016", "2017", "2018"]
    assert chart.data.rows[0] == ("2013", f"30,0{NBSP}%", "–")


def test_bounds_are_drawn_and_written_as_bounds():
    lines = [(QPV, [point(2021, 95.0, BORNE_INF)]), (COMMUNE, [point(2021, 40.3)])]
    fig = comparison_chart(lines, "pourcentage", label="Part des logements sociaux")
    assert f"plus de 95{NBSP}%" in texts(fig)
    assert f"95,0{NBSP}%" not in " ".join(texts(fig))
    assert fig.chart.data.rows[0] == ("Les Tilleuls", f"plus de 95{NBSP}%")
    assert "plus de" in fig.chart.data.csv[1]
    assert fig.chart.title.startswith(f"Les Tilleuls : plus de 95{NBSP}% en 2021, au-dessus")


def test_counts_start_at_zero_so_a_small_change_looks_small():
    fig = comparison_chart([(QPV, [point(2016, 5475), point(2017, 5650)])], "nombre")
    assert fig.axes[0].get_ylim()[0] == 0


@pytest.mark.parametrize(("ticks", "labels"), [
    ([1.8, 1.9, 2.0, 2.1], ["1,8", "1,9", "2,0", "2,1"]),
    ([1.9, 1.95, 2.0, 2.05], ["1,90", "1,95", "2,00", "2,05"]),
    ([0.0, 2.5, 5.0], ["0,0", "2,5", "5,0"]),
    ([5400.0, 5500.0, 5600.0], [f"5{NBSP}400", f"5{NBSP}500", f"5{NBSP}600"]),
])
def test_tick_labels_are_exact_and_never_repeat(ticks, labels):
    assert FrenchTicks().format_ticks(ticks) == labels
    assert len(set(labels)) == len(labels)


def test_tick_labels_carry_the_unit_and_years_are_plain():
    assert FrenchTicks("pourcentage").format_ticks([0, 20, 40]) == [
        f"0{NBSP}%", f"20{NBSP}%", f"40{NBSP}%"]
    assert FrenchTicks(years=True).format_ticks([2013.0, 2015.0]) == ["2013", "2015"]
    assert tick_decimals([240, 245, 250]) == 0 and tick_decimals([0.25, 0.5]) == 2


def test_drawn_tick_labels_of_a_series_are_distinct():
    fig = comparison_chart([(QPV, [point(2016, 1.9), point(2017, 2.0), point(2018, 1.95)])],
                           "ratio")
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(labels) == len(set(labels)) >= 3
    years = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert years == ["2016", "2017", "2018"]


def test_charts_leave_the_analysts_settings_alone():
    before = dict(mpl.rcParams)
    fig = comparison_chart([(QPV, [point(2016, 1.0), point(2017, 2.0)])], "nombre")
    to_svg(fig)
    to_png(fig)
    assert dict(mpl.rcParams) == before


def test_svg_is_real_text_deterministic_and_its_ids_are_unique_in_a_page():
    def draw(value: float) -> str:
        return str(to_svg(comparison_chart([(QPV, [point(2016, value), point(2017, 3.0)]),
                                            (FRANCE, [point(2016, 2.0)])], "nombre")))

    first, again, other = draw(1.0), draw(1.0), draw(2.0)
    assert first == again
    assert first.startswith("<svg ") and "<?xml" not in first and "DOCTYPE" not in first
    assert "<metadata" not in first and "Matplotlib" not in first and "<style" not in first
    assert ">2016</text>" in first and ">Les Tilleuls</text>" in first  # real text
    ids = re.findall(r'\sid="([^"]+)"', first) + re.findall(r'\sid="([^"]+)"', other)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', first):
        assert f'id="{ref}"' in first


def test_figure_gives_the_finding_the_values_the_table_and_a_csv_file():
    fig = comparison_chart([(QPV, [point(2016, 30.0), point(2017, 33.0)]),
                            (FRANCE, [point(2017, 14.0)])], "pourcentage",
                           label="Taux de pauvreté")
    html = figure(to_svg(fig), caption="Taux de pauvreté (en %) ; 2016 à 2017.")
    assert '<svg role="img" aria-label="Courbes, Taux de pauvreté' in html
    assert "Les Tilleuls : 30,0" in html and "33,0" in html and "hausse" in html
    assert '<span class="titre-graphique">Les Tilleuls : en hausse de 2016 à 2017, ' in html
    assert '<p class="source">Source : Insee, bases QPV (2016-2017).</p>' in html
    assert "<details" in html and "<table" in html
    href = re.search(r'href="data:text/csv;charset=utf-8,([^"]*)"', html).group(1)
    text = unquote(href)
    assert text.startswith("\ufeffterritoire;code;annee;valeur (en %);borne;source")
    assert "Les Tilleuls;QP001001;2017;33;;Insee, bases QPV" in text


def test_a_png_figure_keeps_working_for_older_callers():
    html = figure(to_png(comparison_chart([(QPV, [point(2016, 1.0),
                                                         point(2017, 2.0)])], "nombre")),
                  "Courbe du nombre", "Nombre. Source : Insee.")
    assert 'src="data:image/png;base64,' in html and 'alt="Courbe du nombre"' in html
    assert '<p class="source">Source : Insee.</p>' in html


def test_distribution_names_everything_on_the_chart_and_tabulates_the_bins():
    values = [10.0, 12.0, 15.0, 15.5, 20.0, 22.0, 30.0, 41.0]
    fig = distribution_chart(values, [15.0, 30.0], 21.0, "pourcentage", "Les Tilleuls",
                             "QPV de l'Ain")
    found = " ".join(texts(fig))
    assert "Les Tilleuls" in found and "tous les QPV (8)" in found
    assert "QPV de l'Ain (2)" in found
    table = fig.chart.data
    assert sum(int(r[1]) for r in table.rows) == len(values)
    assert sum(int(r[2]) for r in table.rows) == 2
    assert [r[3] for r in table.rows].count("◆") == 1
    assert fig.chart.title == f"Les Tilleuls : 21,0{NBSP}%, médiane des QPV : 17,8{NBSP}%"


def test_short_source_keeps_the_producer_and_the_dataset():
    assert short_source("Insee, bases QPV – Revenus, publication 2019") == "Insee, bases QPV"
    assert short_source("Insee, Filosofi 2016 – revenus disponibles (COM)") == \
        "Insee, Filosofi"
    assert short_source("Ministère de l'Intérieur (SSMSI), crimes et délits, "
                        "publication 2023") == "Ministère de l'Intérieur (SSMSI), crimes et délits"


# --------------------------------------------------------------------------- reforms

def _reform(year: int, month: int = 1):
    from datetime import date

    from evalqpv.ruptures import Break
    return Break(("x",), date(year, month, 1), "revalorisation de la prime", "Cnaf",
                 "Le plafond monte.", ("https://example.org/a",))


def test_a_reform_inside_the_years_is_a_dashed_line_with_real_text():
    series = [point(2016, 347), point(2017, 399), point(2019, 593)]
    fig = comparison_chart([(QPV, series)], "nombre", label="Allocataires",
                           breaks=[_reform(2019), _reform(2023)])
    ax = fig.axes[0]
    # the 2019 reform falls between 2018 and 2019; the 2023 one is outside the chart
    dashed = [line for line in ax.get_lines() if list(line.get_xdata()) == [2018.5, 2018.5]]
    assert len(dashed) == 1
    assert "réforme\njanv. 2019" in texts(fig)
    assert not any("2023" in t for t in texts(fig))
    chart = fig.chart
    # the finding does not read the change as the quarter's, the words name the reform
    assert "série rompue en 2019" in chart.title and "hausse" not in chart.title
    assert "revalorisation de la prime en janvier 2019" in chart.alt
    assert "Tirets « réforme »" in chart.source and "janvier 2019" in chart.source
    svg = to_svg(fig)
    assert "janv. 2019" in svg  # real text in the SVG, not paths


def test_without_a_reform_the_trend_is_read_as_before():
    series = [point(2016, 347), point(2017, 399), point(2019, 593)]
    chart = comparison_chart([(QPV, series)], "nombre", label="Allocataires").chart
    assert "en hausse de 2016 à 2019" in chart.title and "réforme" not in chart.source


def test_a_distribution_of_one_is_never_drawn():
    with pytest.raises(ValueError, match="au moins 2"):
        distribution_chart([23.7], [23.7], 23.7, "pourcentage", "Les Tilleuls",
                           "QPV du département")


def test_a_distribution_names_its_real_producer_and_a_rate_its_denominator():
    values = [float(v) for v in range(5, 25)]
    fig = distribution_chart(values, values[:4], 12.0, "indice", "Les Tilleuls",
                             "QPV du département", per="pour 100 habitants",
                             source="Source : France Travail, Dares, dans Insee, bases QPV "
                                    "(2020).")
    assert fig.chart.source.startswith("Source : France Travail, Dares")
    assert "12,0 pour 100 habitants" in fig.chart.title
    assert "pour 100 habitants" in fig.axes[0].get_xlabel()


def test_the_source_line_names_who_produces_the_published_figures():
    series = [point(2016, 347, source="Insee, bases QPV – Revenus, publication 2018"),
              point(2019, 593, source="Insee, bases QPV – Revenus, publication 2021"),
              point(2021, 526, fichier=CONTRACT, source="Contrat de ville de Testville, "
                    "section I.C", origine=ORIGINE_CONTRAT)]
    chart = comparison_chart([(QPV, series)], "nombre", label="Allocataires",
                             producer="Cnaf").chart
    assert chart.source.startswith("Sources : Cnaf, dans Insee, bases QPV (2016-2019) ; "
                                   "Contrat de ville de Testville (2021).")
    # a dataset that names its producer is not prefixed twice
    ssmsi = [point(2016, 3.2, source="Ministère de l'Intérieur (SSMSI), crimes et délits"),
             point(2023, 5.1, source="Ministère de l'Intérieur (SSMSI), crimes et délits")]
    text = comparison_chart([(COMMUNE, ssmsi)], "ratio", producer="Ministère de "
                            "l'Intérieur (SSMSI)").chart.source
    assert text == "Source : Ministère de l'Intérieur (SSMSI), crimes et délits (2016-2023)."
