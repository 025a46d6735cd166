"""Maps: projection, the 2015/2024 rule, the outlines' checks, and what a map says.

Small outlines written by hand (boxes of a few hundred metres), never a map's output
copied as expected value."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import shapely

from evalqpv.ingest.contours import project_point, read_outlines, to_lambert93
from evalqpv.problems import Problems
from evalqpv.report import maps
from evalqpv.settings import ProjectPaths
from evalqpv.store.outlines import (
    FROM_CONTRACT,
    FROM_TABLE,
    NOT_LINKED,
    SAME_NAME,
    Quarter,
    link_quarters,
    read_link_table,
)

# --------------------------------------------------------------------------- projection


def test_the_origin_of_lambert_93_lands_on_its_false_easting_and_northing():
    # Lambert-93 (EPSG:2154): 3° E, 46,5° N is the point (700 000 m, 6 600 000 m).
    x, y = project_point(3.0, 46.5)
    assert x == pytest.approx(700_000, abs=0.01)
    assert y == pytest.approx(6_600_000, abs=0.01)


def test_a_point_east_and_north_of_the_origin_lands_east_and_north_and_at_the_right_distance():
    # One degree of latitude is about 111,2 km along the central meridian.
    x, y = project_point(3.0, 47.5)
    assert x == pytest.approx(700_000, abs=1)
    assert y - 6_600_000 == pytest.approx(111_200, rel=0.002)
    east, _ = project_point(3.1, 46.5)
    assert east > 700_000


def test_a_small_box_keeps_its_area_in_metres():
    box = shapely.box(3.0, 46.5, 3.01, 46.51)  # 0,01° x 0,01° at 46,5° N
    area = to_lambert93(box).area
    expected = (0.01 * 111_320 * 0.6884) * (0.01 * 111_150)  # cos(46,5°) = 0,6884
    assert area == pytest.approx(expected, rel=0.01)


# --------------------------------------------------------------------------- 2015 / 2024


OLD = {
    "QP001001": Quarter("Les Tilleuls", ("01001",)),
    "QP001002": Quarter("Centre-Ville", ("01001", "01002")),
    "QP001003": Quarter("Le Parc", ("01003",)),
    "QP001004": Quarter("Le Parc", ("01003",)),  # two 2015 quarters of that name
    "QP001005": Quarter("Gare", ("01005",)),
    "QP001006": Quarter("Cité Jardins", ("01006",)),
}
NEW = {
    "QN00101M": Quarter("LES TILLEULS", ("01001",)),  # same name, case aside
    "QN00102M": Quarter("Centre Ville", ("01001",)),  # one commune fewer
    "QN00103M": Quarter("Le Parc", ("01003",)),
    "QN00105M": Quarter("Gare Nord", ("01005",)),
    "QN00106M": Quarter("Cité-Jardins Sud", ("01006",)),
}


def test_same_name_and_same_communes_is_a_certain_link():
    links = link_quarters(OLD, NEW, {})
    assert links["QP001001"] == ("QN00101M", SAME_NAME)


def test_another_commune_set_or_another_name_is_not_linked():
    links = link_quarters(OLD, NEW, {})
    assert links["QP001002"] == ("", NOT_LINKED)
    assert links["QP001005"] == ("", NOT_LINKED)


def test_a_name_shared_by_two_quarters_is_not_certain():
    links = link_quarters(OLD, NEW, {})
    assert links["QP001003"] == ("", NOT_LINKED)
    assert links["QP001004"] == ("", NOT_LINKED)


def test_the_table_and_the_contract_come_before_the_names():
    table = {"QP001005": "QN00105M", "QP001001": ""}
    links = link_quarters(OLD, NEW, table, contract=("QP001006", "QN00106M"))
    assert links["QP001005"] == ("QN00105M", FROM_TABLE)
    assert links["QP001001"] == ("", NOT_LINKED)  # the table says: no 2024 quarter
    assert links["QP001006"] == ("QN00106M", FROM_CONTRACT)


def test_the_link_table_is_checked(tmp_path: Path):
    paths = ProjectPaths(tmp_path)
    paths.config.mkdir()
    paths.correspondence.write_text(
        "code_2015,code_2024,source\nQP001001,QN00101M,table officielle\n"
        "QP001002,,pas de successeur\nQX1,QN00101M,?\nQP001003,QN99999Z,?\n",
        encoding="utf-8")
    problems = Problems()
    table = read_link_table(paths, {"QN00101M"}, problems)
    assert table == {"QP001001": "QN00101M", "QP001002": ""}
    messages = [p.render() for p in problems.errors]
    assert len(messages) == 2
    assert "code de quartier 2015 invalide" in messages[0]
    assert "absent des contours livrés" in messages[1]


# --------------------------------------------------------------------------- raw outlines


def _ring(lon: float, lat: float, d: float = 0.01) -> list[list[float]]:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def _contours(root: Path, qpvs: list[dict[str, object]]) -> list[Path]:
    folder = root / "data" / "raw" / "contours"
    (folder / "communes").mkdir(parents=True)
    qpv = folder / "qpv2024.json.gz"
    qpv.write_bytes(gzip.compress(json.dumps({"meta": {}, "qpvs": qpvs}).encode()))
    communes = folder / "communes" / "communes-92-hauts-de-seine.geojson"
    communes.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "92019", "nom": "Châtenay-Malabry"},
         "geometry": {"type": "Polygon", "coordinates": [_ring(2.26, 48.76, 0.03)]}}]}),
        encoding="utf-8")
    return [qpv, communes]


def test_outlines_are_read_projected_and_checked(tmp_path: Path):
    bowtie = [[2.27, 48.77], [2.28, 48.78], [2.28, 48.77], [2.27, 48.78], [2.27, 48.77]]
    files = _contours(tmp_path, [
        {"code": "QN09204M", "label": "Cité Jardins", "insee": ["92019"],
         "g": [[_ring(2.27, 48.765, 0.005)]]},
        {"code": "QN09299M", "label": "Noeud", "insee": ["92019"], "g": [[bowtie]]},
        {"code": "QP092005", "label": "Ancien code", "insee": ["92019"],
         "g": [[_ring(2.27, 48.765)]]},
        {"code": "QN09298M", "label": "Vide", "insee": ["92019"], "g": []},
    ])
    problems = Problems()
    out = read_outlines(ProjectPaths(tmp_path), files, {"92019"}, {"92"}, problems)
    assert sorted(out.qpv) == ["QN09204M", "QN09299M"]
    assert out.communes_delivered == {"92"}
    x, y = out.qpv["QN09204M"].geometry.representative_point().coords[0]
    assert 640_000 < x < 650_000 and 6_845_000 < y < 6_855_000  # south of Paris
    assert out.qpv["QN09299M"].geometry.is_valid  # repaired, and said
    errors = " ".join(p.render() for p in problems.errors)
    assert "code de quartier 2024 invalide" in errors and "QP092005" in errors
    assert "contour illisible ou vide" in errors
    assert any("se recoupe" in p.message for p in problems.warnings)


def test_an_unreadable_outline_file_is_an_error_in_french(tmp_path: Path):
    files = _contours(tmp_path, [])
    files[0].write_bytes(b"pas du gzip")
    problems = Problems()
    read_outlines(ProjectPaths(tmp_path), files, set(), set(), problems)
    assert [p.message for p in problems.errors] == [
        "fichier de contours illisible (JSON compressé ou GeoJSON attendu, tel que publié)."]


# --------------------------------------------------------------------------- the maps


def _place(code: str, name: str, x: float, y: float, size: float,
           communes: tuple[str, ...] = ()) -> maps.Place:
    return maps.Place(code, name, communes, shapely.box(x, y, x + size, y + size))


def _data(links: dict[str, tuple[str, str]] | None = None) -> maps.MapData:
    # Three communes side by side (2 km squares) and one far away; the quarter in the
    # first, another quarter in the second.
    communes = {
        "92001": _place("92001", "Alpha", 650_000, 6_850_000, 2_000),
        "92002": _place("92002", "Bêta", 652_000, 6_850_000, 2_000),
        "92003": _place("92003", "Gamma", 650_000, 6_852_000, 2_000),
        "92004": _place("92004", "Delta", 700_000, 6_900_000, 2_000),
    }
    qpv = {
        "QN09201M": _place("QN09201M", "Les Pins", 650_500, 6_850_500, 400, ("92001",)),
        "QN09202M": _place("QN09202M", "Les Grésilllons", 652_200, 6_850_600, 300,
                           ("92002",)),
    }
    return maps.MapData(qpv, communes, {}, frozenset({"92"}),
                        links or {"QP092001": ("QN09201M", SAME_NAME),
                                  "QP092002": ("", NOT_LINKED)})


def test_the_locator_map_says_what_it_draws():
    svg = maps.locator_map(_data(), "QN09201M", "QP092001")
    chart = svg.chart
    assert chart is not None
    assert "<title" in svg and "Les Pins" in svg
    alt = chart.alt
    assert "Les Pins (périmètre 2024, code QN09201M)" in alt
    assert "dans sa commune, Alpha" in alt
    assert "Communes voisines : Bêta et Gamma." in alt  # Delta is far away
    assert "Delta" not in alt
    assert "Les Grésillons" in alt  # the producer's typo corrected for the reader
    assert "géographie 2015 (QP092001)" in alt
    kinds = [row[0] for row in chart.data.rows]
    assert kinds == ["quartier du rapport", "commune du quartier", "commune voisine",
                     "commune voisine", "autre quartier prioritaire"]
    assert "« Les Grésilllons » dans le fichier publié" in chart.data.rows[-1][1]


def test_the_locator_map_has_scale_north_legend_and_geography_and_is_small():
    svg = maps.locator_map(_data(), "QN09201M")
    assert 'class="echelle"' in svg and 'class="nord"' in svg
    assert "1\u00a0km" in svg or "500\u00a0m" in svg
    assert "Géographie prioritaire 2024" in svg  # said on the map itself
    assert re.search(r"<title[^>]*>[^<]*périmètre 2024</title>", svg)
    html = maps.locator_figure(_data(), "QP092001", "Les Pins").text
    legend = re.search(r'<ul class="legende-carte">.*?</ul>', html)
    assert legend and "Les Pins (périmètre 2024)" in legend.group(0)
    assert "autre commune" in legend.group(0)
    assert len(svg.encode()) <= 80_000
    assert svg == maps.locator_map(_data(), "QN09201M")  # the same bytes every time
    for d in re.findall(r' d="([^"]*)"', svg):
        assert not re.search(r"\d\.\d\d", d)  # one decimal at most


def test_a_quarter_without_a_certain_2024_outline_says_so_instead_of_a_map():
    html = maps.locator_figure(_data(), "QP092002", "Grésillons").text
    assert "<svg" not in html
    assert "correspondance 2015-2024 non établie" in html


def test_the_contracts_own_2024_code_draws_its_quarter():
    data = _data(links={})
    html = maps.locator_figure(data, "QP092001", "Les Pins", own_2024="QN09201M").text
    assert "<svg" in html and 'role="img"' in html
    assert "Ce que montre la carte" in html


def test_the_scale_bar_uses_a_round_length():
    assert maps.nice_length(1_700) == 1_000
    assert maps.nice_length(2_600) == 2_000
    assert maps.nice_length(740) == 500
    assert maps.length_text(2_000) == "2\u00a0km"
    assert maps.length_text(500) == "500\u00a0m"


def test_classes_have_about_equal_counts_and_french_labels():
    values = [float(v) for v in range(18_000, 28_000, 100)]  # 100 values, 20 per class
    bounds = maps.classify(values)
    assert bounds == [19_900, 21_900, 23_900, 25_900, 27_900]
    assert [maps.class_of(v, bounds) for v in (18_000, 19_900, 20_000, 27_900)] == [0, 0, 1, 4]
    labels = maps.class_labels(bounds, "euros")
    assert labels[0] == "jusqu'à 19\u00a0900\u00a0€"
    assert labels[1] == "de 19\u00a0900\u00a0€ à 21\u00a0900\u00a0€"
    assert labels[-1] == "plus de 25\u00a0900\u00a0€"


def test_few_values_give_fewer_classes_never_an_empty_or_repeated_one():
    assert maps.classify([10.0, 10.0, 10.0]) == [10.0]
    assert maps.classify([]) == []
    bounds = maps.classify([1.0, 2.0, 3.0])
    assert bounds == sorted(set(bounds)) and bounds[-1] == 3.0


def test_the_perimeter_map_links_each_drawn_quarter_to_its_reports():
    data = _data()
    level, areas = maps.perimeter_areas(data, {"92"})
    assert level == "commune" and sorted(areas) == ["92001", "92002", "92003", "92004"]
    statistic = maps.Statistic("Revenu médian", "euros", 2019, "Insee, Filosofi 2019",
                               {"92001": 20_000.0, "92002": 25_000.0, "92003": 30_000.0})
    html = maps.perimeter_map(data, "département Test (92)", level, areas,
                              [maps.Linked("QP092001", "Les Pins", "QP092001/index.html"),
                               maps.Linked("QP092002", "Grésillons", "QP092002/index.html")],
                              statistic).text
    assert html.count("<a href=") == 1  # the other 2024 quarter has no certain link
    assert 'href="QP092001/index.html" aria-label="Les Pins : rapports du quartier' in html
    assert "non publié" in html  # Delta has no value
    assert "Revenu médian (2019)" in html and "Insee, Filosofi 2019" in html
    assert "correspondance 2015-2024 non établie" in html


def test_without_commune_outlines_the_perimeter_map_paints_departements():
    data = maps.MapData({}, {}, {"59": _place("59", "Nord", 650_000, 7_000_000, 9_000)},
                        frozenset({"92"}), {})
    level, areas = maps.perimeter_areas(data, {"59"})
    assert level == "departement" and list(areas) == ["59"]


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_maps(built_project):
    paths, _ = built_project
    return paths, maps.load_map_data(paths.outlines, paths.quarter_links)


def test_the_contracts_quarter_is_drawn_in_its_commune_among_its_neighbours(real_maps):
    paths, data = real_maps
    # Read in the published file: Cité Jardins is QN09204M, in Châtenay-Malabry (92019).
    assert data.links["QP092005"] == ("QN09204M", FROM_CONTRACT)
    svg = maps.locator_map(data, "QN09204M", "QP092005")
    assert len(svg.encode()) <= 80_000
    alt = svg.chart.alt
    assert "Cité Jardins (périmètre 2024, code QN09204M)" in alt
    assert "dans sa commune, Châtenay-Malabry" in alt
    neighbours = alt.split("Communes voisines : ")[1].split(".")[0]
    for neighbour in ("Antony", "Clamart", "Plessis-Robinson", "Sceaux",
                      "Verrières-le-Buisson"):
        assert neighbour in neighbours


def test_a_2015_quarter_whose_communes_changed_is_not_drawn(real_maps):
    _, data = real_maps
    # Agnettes: Asnières-sur-Seine and Gennevilliers in 2015, Gennevilliers alone in 2024.
    assert data.links["QP092013"] == ("", NOT_LINKED)
    html = maps.locator_figure(data, "QP092013", "Agnettes").text
    assert "<svg" not in html and "correspondance 2015-2024 non établie" in html


def test_the_index_of_a_departement_maps_its_communes_and_links_its_quarters(real_maps):
    from evalqpv.publish.perimeter import perimeter_map_html
    from evalqpv.publish.selection import resolve_perimeter

    paths, data = real_maps
    perimeter = resolve_perimeter("92", paths)
    assert len(perimeter.quarters) == 21
    hrefs = {q.code: f"../{q.code}/index.html" for q in perimeter.quarters}
    html = perimeter_map_html(paths, perimeter, 2025, hrefs)
    linked = {old for old, (new, _) in data.links.items() if new and old.startswith("QP092")}
    links = re.findall(r'<a href="\.\./(QP\d+)/index\.html"', html)
    assert sorted(links) == sorted(linked) and len(links) >= 10
    assert "Revenu disponible médian par unité de consommation (2019)" in html
    assert html.count("<tr>") >= 36 + 19  # the 36 communes and the 2024 quarters drawn
    assert "non publié" not in re.sub(r"<ul.*?</ul>", "", html, flags=re.S)
    assert len(html.encode()) < 120_000
