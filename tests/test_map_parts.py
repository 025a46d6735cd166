"""Unit tests of the map parts, imported directly: map_svg (frame, projection to pixels,
path data of small hand-made squares, scale bar, labels, the <svg> element, the store's
outlines), map_locator (what a locator map draws and says) and map_perimeter (classes,
areas, the perimeter map). tests/test_maps.py pins the maps through report.maps; this
file adds the rules it does not reach. SVG is parsed with xml.etree."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely

from evalqpv.report.map_locator import locate, locator_figure, locator_legend, locator_map
from evalqpv.report.map_perimeter import (
    CLASSES,
    Linked,
    Statistic,
    class_labels,
    class_of,
    classify,
    perimeter_areas,
    perimeter_map,
)
from evalqpv.report.map_svg import (
    COMMUNE,
    HATCHED,
    QUARTER,
    Frame,
    MapData,
    Place,
    departement_of,
    frame_around,
    legend_html,
    length_text,
    load_map_data,
    nice_length,
    num,
    path_data,
    placed_label,
    scale_bar,
    shown_name,
    svg_document,
)

NBSP = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"
X, Y = 650_000.0, 6_850_000.0  # somewhere in Lambert-93


def place(code: str, name: str, x: float, y: float, size: float,
          communes: tuple[str, ...] = ()) -> Place:
    return Place(code, name, communes, shapely.box(X + x, Y + y, X + x + size, Y + y + size))


def points_of(d: str) -> list[list[tuple[float, float]]]:
    """The rings of path data « M x yL x y…Z… » as lists of points."""
    return [[(float(a), float(b)) for a, b in re.findall(r"(-?[\d.]+) (-?[\d.]+)", ring)]
            for ring in re.findall(r"M[^Z]*Z", d)]


def svg_of(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg xmlns.*?</svg>", html, re.S).group(0))


# --------------------------------------------------------------------------- map_svg

def test_numbers_have_one_decimal_at_most_and_never_minus_zero():
    assert [num(v) for v in (3.04, -0.04, 12.0, -3.46, 0.05)] == ["3", "0", "12", "-3.5",
                                                                  "0.1"]


def test_a_frame_maps_metres_to_pixels_with_y_downwards():
    frame = Frame(0, 0, 1000, 500, width=100, top=10)
    assert frame.scale == 0.1 and frame.height == 50
    assert frame.px(0, 500) == (0, 10)      # top left, under the band
    assert frame.px(1000, 0) == (100, 60)   # bottom right


def test_a_frame_around_bounds_adds_the_margin_then_widens_to_the_ratio():
    # 100 x 50 m, margin 10 % of 100 m: 120 x 70, then 50 m more in height for a square
    assert frame_around((0, 0, 100, 50), 0.1, 1.0, 200) == Frame(-10, -35, 110, 85, 200)
    # 10 x 100 m at height / width = 0,5: 200 m wide
    assert frame_around((0, 0, 10, 100), 0.0, 0.5) == Frame(-95, 0, 105, 100)


def test_the_path_of_a_square_is_its_four_corners_in_pixels():
    frame = Frame(0, 0, 100, 100, width=200)
    (ring,) = points_of(path_data(shapely.box(0, 0, 100, 100), frame))
    assert sorted(ring) == [(0, 0), (0, 200), (200, 0), (200, 200)]
    # clipped to the frame: the quarter of a square that lies inside it
    (ring,) = points_of(path_data(shapely.box(50, 50, 150, 150), frame))
    assert sorted(ring) == [(100, 0), (100, 100), (200, 0), (200, 100)]
    assert path_data(shapely.box(500, 500, 600, 600), frame) == ""


def test_holes_and_parts_are_rings_and_a_coarse_tolerance_rounds_to_the_pixel():
    frame = Frame(0, 0, 10, 10, width=10)
    holed = shapely.box(0, 0, 10, 10).difference(shapely.box(4, 4, 6, 6))
    assert len(points_of(path_data(holed, frame))) == 2
    parts = shapely.MultiPolygon([shapely.box(0, 0, 2, 2), shapely.box(5, 5, 7, 7)])
    assert len(points_of(path_data(parts, frame))) == 2
    square = shapely.box(1.26, 1.26, 5.26, 5.26)
    fine = path_data(square, frame)
    assert sorted(points_of(fine)[0]) == [(1.3, 4.7), (1.3, 8.7), (5.3, 4.7), (5.3, 8.7)]
    coarse = path_data(square, frame, tolerance_px=1)
    assert sorted(points_of(coarse)[0]) == [(1, 5), (1, 9), (5, 5), (5, 9)]
    assert "." not in coarse


def test_the_scale_bar_is_a_round_length_near_a_fifth_of_the_width():
    assert nice_length(0) == 0 and nice_length(7) == 5 and nice_length(0.3) == pytest.approx(0.2)
    assert length_text(20_000) == f"20{NBSP}km" and length_text(50) == f"50{NBSP}m"
    # 500 px for 5 km: a fifth is 1 km, 100 px long
    bar = ET.fromstring(scale_bar(Frame(0, 0, 5000, 2000, width=500), 10, 100))
    assert bar.get("class") == "echelle"
    assert bar.find("path").get("d") == "M10 95V100H110V95"
    text = bar.find("text")
    assert (text.get("x"), text.get("y"), text.text) == ("60", "91", f"1{NBSP}km")


def test_a_label_is_placed_only_inside_the_frame_and_over_no_other():
    frame = Frame(0, 0, 200, 100, width=200)
    placed: list[tuple[float, float, float, float]] = []
    # 3 characters of 10 px: half a width of 9 px, and 2 px of room each side
    first = placed_label(frame, placed, 100, 50, "A&B", 10)
    assert placed == [(89, 40, 111, 53)]
    assert ET.fromstring(first).text == "A&B" and "A&amp;B" in first
    assert placed_label(frame, placed, 105, 50, "Abc", 10) == ""  # overlaps the first
    assert placed_label(frame, placed, 5, 50, "Abc", 10) == ""    # out on the left
    assert placed_label(frame, placed, 100, 8, "Abc", 10) == ""   # out at the top
    assert placed_label(frame, placed, 150, 50, "Abc", 10) and len(placed) == 2


def test_the_svg_element_is_named_by_its_title_with_ids_from_a_digest():
    doc = svg_document(100.04, 50, ['<rect width="1" height="1"/>'], "Carte & légende",
                       role="group")
    root = ET.fromstring(doc)
    title = root.find(SVG + "title")
    assert title.text == "Carte & légende"
    assert re.fullmatch(r"m[0-9a-f]{8}-titre", title.get("id"))
    assert root.get("aria-labelledby") == title.get("id") and root.get("role") == "group"
    assert (root.get("width"), root.get("viewBox")) == ("100", "0 0 100 50")
    assert doc == svg_document(100.04, 50, ['<rect width="1" height="1"/>'],
                               "Carte & légende", role="group")
    other = svg_document(100, 50, ['<rect width="2" height="1"/>'], "Carte & légende")
    assert ET.fromstring(other).find(SVG + "title").get("id") != title.get("id")
    assert "role=" not in other and "aria-labelledby" not in other


def test_the_legend_is_html_with_a_hatched_swatch_for_no_value():
    ul = ET.fromstring(legend_html([("#eff3ff", "#000", "moins de 5"),
                                    (HATCHED, "#8a8a8a", "non publié")]))
    assert ul.get("class") == "legende-carte"
    items = ul.findall("li")
    assert [li.find("svg").tail.strip() for li in items] == ["moins de 5", "non publié"]
    assert items[0].find("svg/rect").get("fill") == "#eff3ff"
    assert items[0].find("svg/path") is None and items[1].find("svg/path") is not None
    assert items[1].find("svg/rect").get("fill") == "#fff"


def test_names_codes_and_the_2015_to_2024_links():
    assert shown_name("Les Grésilllons") == "Les Grésillons" and shown_name("Elle") == "Elle"
    assert [departement_of(c) for c in ("92019", "97411", "2A004")] == ["92", "974", "2A"]
    data = MapData({"QN1": place("QN1", "A", 0, 0, 10)}, {}, {}, frozenset(),
                   {"QP1": ("QN1", "meme_nom"), "QP2": ("QN9", "table"), "QP3": ("", "non")})
    assert [data.code_2024(c) for c in ("QN1", "QN9", "QP1", "QP2", "QP3", "QP4")] == [
        "QN1", "", "QN1", "", "", ""]
    assert data.quarters_2015() == {"QN1": "QP1", "QN9": "QP2"}


def test_the_stores_outlines_are_read_once_and_an_invalid_one_is_repaired(tmp_path: Path):
    outlines, links = tmp_path / "contours.json", tmp_path / "correspondance.csv"
    assert load_map_data(outlines, links) is None
    outlines.write_text(json.dumps({
        "qpv": {"QN1": ["Les Pins", ["92001"], "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"]},
        "communes": {"92001": ["Alpha", "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"]},
        "departements": {}, "communes_livrees": ["92"]}), encoding="utf-8")
    links.write_text("code_2015,code_2024,origine\nQP092001,QN1,meme_nom\n", encoding="utf-8")
    data = load_map_data(outlines, links)
    assert data is not None and data.qpv["QN1"].communes == ("92001",)
    assert data.code_2024("QP092001") == "QN1" and data.communes_delivered == {"92"}
    bowtie = data.communes["92001"].geometry  # two triangles of 25 m² once repaired
    assert bowtie.is_valid and bowtie.area == pytest.approx(50)
    assert load_map_data(outlines, links) is data


# --------------------------------------------------------------------------- map_locator

def test_a_quarter_on_two_communes_is_drawn_on_both_and_alone_in_its_frame():
    data = MapData({"QN09301M": place("QN09301M", "Les Ormes", 1800, 800, 400,
                                      ("93001", "93002")),
                    "QN09399M": place("QN09399M", "Loin", 50_000, 0, 300, ("93009",))},
                   {"93001": place("93001", "Un", 0, 0, 2000),
                    "93002": place("93002", "Deux", 2000, 0, 2000)}, {}, frozenset({"93"}), {})
    chart = locator_map(data, "QN09301M").chart
    assert chart.alt == (
        "Carte de localisation. Le quartier prioritaire Les Ormes (périmètre 2024, code "
        "QN09301M) est dessiné en orange sur ses communes, Un et Deux. Aucun autre quartier "
        "prioritaire 2024 dans le cadre.")
    assert [r[:3] for r in chart.data.rows] == [
        ("quartier du rapport", "Les Ormes", "QN09301M"), ("commune du quartier", "Un", "93001"),
        ("commune du quartier", "Deux", "93002")]
    legend = ET.fromstring(locator_legend("Les Ormes", locate(data, "QN09301M")))
    words = [li.find("svg").tail.strip() for li in legend.findall("li")]
    assert words == ["Les Ormes (périmètre 2024)", "commune du quartier", "autre commune"]


def test_without_commune_outlines_the_departement_is_drawn_and_the_map_says_why():
    data = MapData({"QN09301M": place("QN09301M", "Les Ormes", 0, 0, 400, ("93001",)),
                    "QN09302M": place("QN09302M", "Le Parc", 1000, 0, 300, ("93001",))},
                   {}, {"93": place("93", "Seine-Saint-Denis", -20_000, -20_000, 40_000)},
                   frozenset(), {})
    where = locate(data, "QN09301M")
    assert where.missing_communes == ("93",) and [q.code for q in where.others] == ["QN09302M"]
    svg = locator_map(data, "QN09301M", "QP093001")
    root = ET.fromstring(str(svg))
    fills = [(p.get("fill"), p.get("stroke-width")) for p in root.iter(SVG + "path")]
    assert (COMMUNE, "1.2") in fills and (QUARTER, "1.2") in fills
    alt = svg.chart.alt
    assert "dessiné en orange dans sa commune, de code Insee 93001." in alt
    assert "1 autre quartier prioritaire de la géographie 2024 apparaît en " \
        "gris : Le Parc." in alt
    assert "pour le département 93 : elles ne sont pas dessinées." in alt
    assert alt.endswith("géographie 2015 (QP093001), dont le périmètre peut différer.")
    legend = ET.fromstring(locator_legend("Les Ormes", where))
    assert [li.find("svg").tail.strip() for li in legend.findall("li")][1:] == [
        "autre quartier prioritaire (périmètre 2024)", "département"]


def test_no_outline_in_the_store_draws_no_map():
    for data in (None, MapData({}, {}, {}, frozenset(), {})):
        html = locator_figure(data, "QP092001", "Les Pins").text
        assert "<svg" not in html and "contours des quartiers ne sont pas" in html


# --------------------------------------------------------------------------- map_perimeter

def test_class_bounds_round_to_the_spread_and_labels_read_in_french():
    assert classify([1234.0, 5678.0, 9999.0], k=2) == [5700.0, 9999.0]  # spread 8 765: 100s
    assert classify([5.0, 5.0, 7.0], k=2) == [5.0, 7.0]
    assert [class_of(v, [5.0, 7.0]) for v in (5.0, 6.0, 99.0)] == [0, 1, 1]
    assert class_labels([5.0, 7.0], "pourcentage") == [f"jusqu'à 5,0{NBSP}%",
                                                       f"plus de 5,0{NBSP}%"]
    assert class_labels([7.0], "nombre") == ["jusqu'à 7"] and class_labels([], "nombre") == []


def perimeter_data() -> MapData:
    # Two communes of the 92 side by side; a quarter in the first, a tiny one (20 m) in the
    # second, and a Paris quarter outside the perimeter.
    return MapData({"QN09201M": place("QN09201M", "Les Pins", 500, 500, 400, ("92001",)),
                    "QN09202M": place("QN09202M", "Le Puits", 2500, 900, 20, ("92002",)),
                    "QN07501M": place("QN07501M", "Paris", 4100, 0, 300, ("75101",))},
                   {"92001": place("92001", "Alpha", 0, 0, 2000),
                    "92002": place("92002", "Bêta", 2000, 0, 2000),
                    "75101": place("75101", "Paris 1er", 4000, 0, 2000)},
                   {"92": place("92", "Hauts-de-Seine", 0, 0, 4000),
                    "75": place("75", "Paris", 4000, 0, 2000)}, frozenset({"92", "75"}),
                   {"QP092001": ("QN09201M", "meme_nom"), "QP092002": ("QN09202M", "table")})


def test_the_areas_are_communes_only_where_every_departement_has_them():
    data = perimeter_data()
    level, areas = perimeter_areas(data, ["92", "92"])
    assert level == "commune" and list(areas) == ["92001", "92002"]
    assert perimeter_areas(data, ["92", "93"])[0] == "departement"
    level, areas = perimeter_areas(data, ["92"], france=True)
    assert level == "departement" and list(areas) == ["75", "92"]
    assert perimeter_areas(data, []) == ("departement", {})
    assert "Carte non dessinée" in perimeter_map(data, "Vide", "commune", {}, [], None).text


def test_a_small_perimeter_links_its_quarters_and_draws_a_tiny_one_as_a_dot():
    data = perimeter_data()
    _, areas = perimeter_areas(data, ["92"])
    html = perimeter_map(data, "Test", "commune", areas,
                         [Linked("QP092001", "Les Pins", "QP092001/index.html")], None).text
    root = svg_of(html)
    ident = root.find(SVG + "title").get("id").removesuffix("-titre")
    (link,) = root.iter(SVG + "a")
    assert link.get("href") == "QP092001/index.html"
    assert link.get("aria-label") == "Les Pins : rapports du quartier (QP092001)"
    assert len(list(root.iter(SVG + "circle"))) == 2  # Le Puits (2,6 px wide) and the north
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == f"{ident}-nd" and "PID" not in html
    assert f'aria-describedby="{ident}-alt"' in html and f'id="{ident}-alt"' in html
    assert "Paris" not in root.find(SVG + "title").text and "QN07501M" not in html
    assert "QP092002 : pas de rapport dans ce périmètre" in html
    legend = re.search(r'<ul class="legende-carte">.*?</ul>', html).group(0)
    assert "non publié" not in legend and "url(" not in legend  # no statistic, no hatching
    assert ("Carte du périmètre, Test : 2 communes. 2 quartiers prioritaires de la géographie "
            "2024 y sont dessinés, dont 1 lié aux rapports") in html


def test_a_large_perimeter_draws_dots_and_offers_its_lists_as_files():
    data = perimeter_data()
    _, areas = perimeter_areas(data, ["92"])
    quarters = [Linked("QP092001", "Les Pins", "QP092001/index.html")] + [
        Linked(f"QP099{i:03d}", "x", "") for i in range(150)]   # 151 > LARGE
    html = perimeter_map(data, "Grand", "commune", areas, quarters, None).text
    root = svg_of(html)
    assert not list(root.iter(SVG + "a"))
    dots = [g for g in root.iter(SVG + "g") if g.get("fill") == QUARTER]
    assert len(dots) == 1 and len(list(dots[0])) == 1  # Les Pins, linked from the table
    assert "<p>Quartiers prioritaires dessinés (périmètre 2024) : 2 lignes.</p>" in html
    assert "<p>Communes du périmètre : 2 lignes.</p>" in html and "<table" not in html
    assert "qui a ses rapports (liens dans le tableau)" in html


def test_a_statistic_paints_its_classes_and_hatches_an_area_without_a_value():
    data = perimeter_data()
    _, areas = perimeter_areas(data, ["92"])
    statistic = Statistic("Revenu médian", "euros", 2019, "Insee, Filosofi 2019",
                          {"92001": 20_000.0, "92002": 30_000.0, "75101": 1.0})
    root = svg_of(perimeter_map(data, "Test", "commune", areas, [], statistic).text)
    groups = {g.get("fill"): len(list(g)) for g in root.iter(SVG + "g") if g.get("fill")}
    # 20 000 and 30 000: classes up to 20 000 and above; Paris is not an area here
    assert groups[CLASSES[0]] == 1 and groups[CLASSES[1]] == 1
    assert not any(f.startswith("url(") for f in groups)
    statistic = Statistic("Revenu médian", "euros", 2019, "Insee", {"92001": 20_000.0})
    html = perimeter_map(data, "Test", "commune", areas, [], statistic).text
    root = svg_of(html)
    hatched = [g for g in root.iter(SVG + "g") if (g.get("fill") or "").startswith("url(#m")]
    assert len(hatched) == 1 and len(list(hatched[0])) == 1  # Bêta has no value
    assert "Les quartiers prioritaires du périmètre : Test, et revenu médian des communes" in html
    assert '<th scope="row">Bêta</th><td>92002</td><td class="num">non publié</td>' in html
    legend = ET.fromstring(re.search(r'<ul class="legende-carte">.*?</ul>', html).group(0))
    assert [li.find("svg").tail.strip() for li in legend.findall("li")] == [
        "quartier prioritaire (périmètre 2024), lien vers ses rapports",
        "quartier prioritaire (périmètre 2024) sans rapport lié",
        f"jusqu'à 20{NBSP}000{NBSP}€", "non publié"]


def test_the_perimeter_alternative_agrees_its_counts():
    data = perimeter_data()
    _, areas = perimeter_areas(data, ["92"])
    statistic = Statistic("Revenu médian", "euros", 2019, "Insee", {"92001": 20_000.0})
    html = perimeter_map(data, "Test", "commune", areas,
                         [Linked("QP092001", "Les Pins", "QP092001/index.html")], statistic).text
    assert "en 1 classes" not in html and "dont 1 liés" not in html
    assert "en 1 classe de même effectif" in html and "dont 1 lié aux rapports" in html


def test_without_a_statistic_the_areas_table_has_no_column_of_values():
    """No statistic asked: the table lists the areas, with no column of « non publié »
    that would read as missing data."""
    data = perimeter_data()
    _, areas = perimeter_areas(data, ["92"])
    html = perimeter_map(data, "Test", "commune", areas, [], None).text
    assert "non publié" not in html and ">Valeur<" not in html
    assert '<th scope="row">Bêta</th><td>92002</td></tr>' in html
