"""Maps: where the quarter is, and the quarters of a perimeter (inline SVG, offline).

The outlines come from the store (`data/processed/contours.json`, Lambert-93 metres,
written by store.outlines) and are those of the **2024** priority geography; the
statistics describe the 2015 quarters. A 2015 quarter is drawn only through a certain
link (`correspondance_qpv.csv`): without one, the report says « correspondance
2015-2024 non établie » and draws no wrong perimeter. Every map says which geography
it draws, and carries its words like a chart (`ChartText`: a title, a text alternative
with what is drawn, the table of what is drawn, its source).

Geometry is shapely's (clipping to the frame, simplification to the pixel), projected
by pyproj when the store is built; this module only writes SVG. Numbers are written
with one decimal at most and every collection is sorted, so that a rebuild gives the
same bytes.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import frenchnumbers as fn
from ..ingest.contours import polygonal
from .html import ChartText, DataTable, Html, Svg, csv_link, esc, figure, table

if TYPE_CHECKING:
    from .context import ReportContext

INK = "#1a1a1a"
MUTED = "#595959"
QUARTER = "#D55E00"  # the quarter, as in the charts (vermillion, colour-blind safe)
QUARTER_EDGE = "#7a3000"
OTHER_QPV = "#8c8c8c"
OTHER_QPV_EDGE = "#404040"
OWN_COMMUNE = "#dbe8f4"
OWN_COMMUNE_EDGE = "#0072B2"
COMMUNE = "#f3f3f3"
COMMUNE_EDGE = "#8a8a8a"
# ColorBrewer « Blues », 5 classes: one hue, light to dark, safe for colour-blind
# readers and in greyscale print.
CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#ffffff"
WIDTH = 520  # px, like the charts (shrinks with the page on a phone)
COMPACT_WIDTH = 380  # the synthesis's map
LARGE = 150  # areas or quarters beyond which a perimeter map is lightened
GEOGRAPHY = "périmètre 2024"
NOT_LINKED = "correspondance 2015-2024 non établie"
SOURCE = ("Contours : ANCT, quartiers prioritaires 2024 ; IGN Admin Express COG 2018 "
          "(communes). Projection Lambert-93.")
NAME_FIXES = ((re.compile(r"(\w)\1\1"), r"\1\1"),)  # « Grésilllons », a producer's typo


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Place:
    code: str
    libelle: str
    communes: tuple[str, ...]
    geometry: Any


@dataclass(frozen=True)
class MapData:
    """The outlines of the store (Lambert-93) and the 2015 -> 2024 links."""

    qpv: Mapping[str, Place]
    communes: Mapping[str, Place]
    departements: Mapping[str, Place]
    communes_delivered: frozenset[str]
    links: Mapping[str, tuple[str, str]]  # code 2015 -> (code 2024 or "", origin)

    def code_2024(self, code: str) -> str:
        """The 2024 outline that draws a quarter, or "" when no certain link exists."""
        if code.startswith("QN"):
            return code if code in self.qpv else ""
        new = self.links.get(code, ("", ""))[0]
        return new if new in self.qpv else ""

    def quarters_2015(self) -> dict[str, str]:
        """code 2024 -> the 2015 quarter it draws (links are one to one)."""
        return {new: old for old, (new, _) in sorted(self.links.items()) if new}


_CACHE: dict[tuple[str, float, float], MapData] = {}


def load_map_data(outlines: Path, links: Path) -> MapData | None:
    """The store's outlines and links, once per process (None when not built)."""
    if not outlines.exists():
        return None
    key = (str(outlines), outlines.stat().st_mtime, links.stat().st_mtime
           if links.exists() else 0.0)
    if key not in _CACHE:
        import json  # noqa: PLC0415 - light, but only when a map is drawn

        import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

        from ..store.outlines import read_links  # noqa: PLC0415 - only when a map is drawn

        data = json.loads(outlines.read_text(encoding="utf-8"))

        def places(items: dict[str, list[Any]], with_communes: bool) -> dict[str, Place]:
            codes = sorted(items)
            wkts = [items[c][-1] for c in codes]
            geoms = shapely.from_wkt(wkts) if wkts else []
            # Written valid by the store; an outline made invalid since is repaired.
            geoms = [g if g.is_valid else polygonal(g) for g in geoms]
            return {c: Place(c, items[c][0], tuple(items[c][1]) if with_communes else (), g)
                    for c, g in zip(codes, geoms, strict=True)}

        _CACHE.clear()
        _CACHE[key] = MapData(places(data["qpv"], True), places(data["communes"], False),
                              places(data["departements"], False),
                              frozenset(data["communes_livrees"]), read_links(links))
    return _CACHE[key]


def shown_name(name: str) -> str:
    """The name a reader sees: a producer's tripled letter corrected (the data keeps it)."""
    for pattern, repl in NAME_FIXES:
        name = pattern.sub(repl, name)
    return name


# --------------------------------------------------------------------------- drawing


def num(value: float) -> str:
    """One decimal at most, no trailing zero, never « -0 »."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Frame:
    """A rectangle of the plane (metres) drawn `width` px wide; y grows downwards."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    width: float = WIDTH
    top: float = 0.0  # px above the map (a band for the title, none by default)

    @property
    def scale(self) -> float:
        return self.width / (self.maxx - self.minx)

    @property
    def height(self) -> float:
        return (self.maxy - self.miny) * self.scale

    def px(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.minx) * self.scale, self.top + (self.maxy - y) * self.scale


def frame_around(bounds: tuple[float, float, float, float], margin: float, ratio: float,
                 width: float = WIDTH) -> Frame:
    """The frame around `bounds` (minx, miny, maxx, maxy) with `margin` (a share of
    the larger side) on each side, widened to height / width = `ratio`."""
    minx, miny, maxx, maxy = bounds
    side = max(maxx - minx, maxy - miny, 1.0)
    minx, maxx, miny, maxy = (minx - margin * side, maxx + margin * side,
                              miny - margin * side, maxy + margin * side)
    w, h = maxx - minx, maxy - miny
    if h / w < ratio:
        grow = (w * ratio - h) / 2
        miny, maxy = miny - grow, maxy + grow
    else:
        grow = (h / ratio - w) / 2
        minx, maxx = minx - grow, maxx + grow
    return Frame(minx, miny, maxx, maxy, width)


def path_data(geometry: Any, frame: Frame, tolerance_px: float = 0.5) -> str:
    """SVG path data of a (multi)polygon clipped to the frame, simplified to
    `tolerance_px` pixels; one decimal, none when the tolerance is a pixel or more."""
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    clipped = shapely.clip_by_rect(geometry, frame.minx, frame.miny, frame.maxx, frame.maxy)
    if clipped.is_empty:
        return ""
    simple = shapely.simplify(clipped, tolerance_px / frame.scale, preserve_topology=True)
    out = []
    for polygon in _polygons(simple):
        for ring in (polygon.exterior, *polygon.interiors):
            points = [frame.px(x, y) for x, y in ring.coords[:-1]]
            if len(points) < 3:
                continue
            if tolerance_px >= 1:
                points = [(round(x), round(y)) for x, y in points]
            out.append("M" + "L".join(f"{num(x)} {num(y)}" for x, y in points) + "Z")
    return "".join(out)


def _polygons(geometry: Any) -> list[Any]:
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [g for g in getattr(geometry, "geoms", []) if g.geom_type == "Polygon"] + [
        p for g in getattr(geometry, "geoms", []) if g.geom_type == "MultiPolygon"
        for p in g.geoms]


def nice_length(longest: float) -> float:
    """The longest round length (1, 2 or 5 times a power of ten metres) not above
    `longest`: the scale bar's."""
    if longest <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(longest))
    return max(s * power for s in (1, 2, 5) if s * power <= longest)


def length_text(metres: float) -> str:
    return f"{fn.number(metres / 1000, 0 if metres >= 1000 else 1)}\u00a0km" \
        if metres >= 1000 else f"{fn.number(metres)}\u00a0m"


def scale_bar(frame: Frame, x: float, y: float) -> str:
    """A bar of a round length about a fifth of the map's width, its length written."""
    metres = nice_length(frame.width / 5 / frame.scale)
    w = metres * frame.scale
    return (f'<g class="echelle"><path d="M{num(x)} {num(y - 5)}V{num(y)}H{num(x + w)}'
            f'V{num(y - 5)}" fill="none" stroke="{INK}" stroke-width="1.5"/>'
            f'<text x="{num(x + w / 2)}" y="{num(y - 9)}" text-anchor="middle" '
            f'font-size="13" {_HALO}>{esc(length_text(metres))}</text></g>')


def north_arrow(x: float, y: float) -> str:
    """An arrow pointing up (Lambert-93 north is within a degree of true north here)."""
    return (f'<g class="nord"><circle cx="{num(x)}" cy="{num(y + 15)}" r="17" fill="#fff" '
            f'fill-opacity="0.85"/><path d="M{num(x)} {num(y)}l-6 16l6-4l6 4Z" fill="{INK}"/>'
            f'<text x="{num(x)}" y="{num(y + 29)}" text-anchor="middle" font-size="13" '
            f'font-weight="bold" {_HALO}>N</text></g>')


_HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'


def label(x: float, y: float, text: str, size: float = 11, bold: bool = False,
          fill: str = INK) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{num(x)}" y="{num(y)}" text-anchor="middle" font-size="{num(size)}"'
            f'{weight} fill="{fill}" {_HALO}>{esc(text)}</text>')


def _placed_label(frame: Frame, placed: list[tuple[float, float, float, float]], x: float,
                  y: float, text: str, size: float, bold: bool = False, fill: str = INK
                  ) -> str:
    """A label centred on x, its baseline at y, when its box (estimated from the number
    of characters) stays inside the frame and overlaps no box of `placed`; "" otherwise.
    The box is added to `placed`."""
    half = len(text) * size * (0.33 if bold else 0.3)
    box = (x - half - 2, y - size, x + half + 2, y + size * 0.3)
    if box[0] < 2 or box[2] > frame.width - 2 or box[1] < frame.top + 2 \
            or box[3] > frame.top + frame.height - 2:
        return ""
    if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
           for b in placed):
        return ""
    placed.append(box)
    return label(x, y, text, size, bold, fill)


def svg_document(width: float, height: float, body: Iterable[str], title: str,
                 role: str = "") -> str:
    """The <svg> element: a <title> (its accessible name), ids from a digest of the
    drawing (two maps of a page never share one, a rebuild gives the same ids)."""
    inner = "".join(body)
    ident = "m" + hashlib.sha256((title + inner).encode()).hexdigest()[:8]
    named = f'role="{role}" aria-labelledby="{ident}-titre" ' if role else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" focusable="false" {named}'
            f'width="{num(width)}" height="{num(height)}" '
            f'viewBox="0 0 {num(width)} {num(height)}" class="carte">'
            f'<title id="{ident}-titre">{esc(title)}</title>{inner}</svg>')


HATCHED = "hachures"  # the swatch of an area without a value


def legend_html(items: Sequence[tuple[str, str, str]]) -> str:
    """The legend under a map, in HTML (real text that keeps its size on a phone): a
    swatch (fill, stroke; fill HATCHED for « non publié ») and its words per item."""
    out = []
    for fill, stroke, text in items:
        if fill == HATCHED:
            swatch = (f'<rect x="0.5" y="0.5" width="15" height="11" fill="#fff" '
                      f'stroke="{stroke}"/><path d="M1 10L9 2M7 11L15 3" stroke="{stroke}"/>')
        else:
            swatch = (f'<rect x="0.5" y="0.5" width="15" height="11" fill="{fill}" '
                      f'stroke="{stroke}"/>')
        out.append(f'<li><svg width="16" height="12" aria-hidden="true" focusable="false">'
                   f"{swatch}</svg> {esc(text)}</li>")
    return f'<ul class="legende-carte">{"".join(out)}</ul>'


def locator_legend(name: str, where: Located | None = None) -> str:
    """The legend of what a locator map draws (everything when `where` is None)."""
    items = [(QUARTER, QUARTER_EDGE, f"{name} ({GEOGRAPHY})")]
    if where is None or where.others:
        items.append((OTHER_QPV, OTHER_QPV_EDGE, f"autre quartier prioritaire ({GEOGRAPHY})"))
    if where is None or where.communes:
        items += [(OWN_COMMUNE, OWN_COMMUNE_EDGE, "commune du quartier"),
                  (COMMUNE, COMMUNE_EDGE, "autre commune")]
    elif where.missing_communes:
        items.append((COMMUNE, COMMUNE_EDGE, "département"))
    return legend_html(items)


# --------------------------------------------------------------------------- locator


@dataclass(frozen=True)
class Located:
    """What a locator map draws, in words (the text alternative and its table)."""

    quarter: Place
    communes: tuple[Place, ...]
    neighbours: tuple[Place, ...]
    others: tuple[Place, ...]
    missing_communes: tuple[str, ...]  # départements whose commune outlines are absent


def locate(data: MapData, code_2024: str, width: float = WIDTH) -> Located:
    """The quarter, its communes, the neighbouring communes (touching them) and the other
    2024 quarters whose outline meets the frame."""
    quarter = data.qpv[code_2024]
    communes = tuple(data.communes[c] for c in sorted(quarter.communes) if c in data.communes)
    frame = _locator_frame(data, quarter, communes, width)
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    box = shapely.box(frame.minx, frame.miny, frame.maxx, frame.maxy)
    own = shapely.unary_union([c.geometry for c in communes]) if communes else None
    neighbours = tuple(
        c for code, c in sorted(data.communes.items())
        if code not in quarter.communes and own is not None
        and c.geometry.distance(own) < 50)
    others = tuple(q for code, q in sorted(data.qpv.items())
                   if code != code_2024 and q.geometry.intersects(box))
    deps = sorted({_departement(c) for c in quarter.communes})
    missing = tuple(d for d in deps if d not in data.communes_delivered)
    return Located(quarter, communes, neighbours, others, missing)


def _departement(commune: str) -> str:
    return commune[:3] if commune.startswith("97") else commune[:2]


def _locator_frame(data: MapData, quarter: Place, communes: Sequence[Place],
                   width: float = WIDTH) -> Frame:
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    around = shapely.unary_union([quarter.geometry, *(c.geometry for c in communes)])
    minx, miny, maxx, maxy = around.bounds
    grow = max(0.0, (4_000 - max(maxx - minx, maxy - miny)) / 2)  # 4 km across at least
    return frame_around((minx - grow, miny - grow, maxx + grow, maxy + grow), 0.18, 0.72,
                        width)


def locator_map(data: MapData, code_2024: str, code_2015: str = "",
                width: float = WIDTH) -> Svg:
    """The quarter's 2024 perimeter in its commune(s), the neighbouring communes and the
    other 2024 quarters around; labels, scale bar, north, legend, source, geography."""
    where = locate(data, code_2024, width)
    quarter = where.quarter
    frame = _locator_frame(data, quarter, where.communes, width)
    name = shown_name(quarter.libelle)
    body = [f'<rect width="{num(frame.width)}" height="{num(frame.height)}" fill="#fbfbfb"/>']
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    box = shapely.box(frame.minx, frame.miny, frame.maxx, frame.maxy)
    drawn_communes = [c for code, c in sorted(data.communes.items())
                      if c.geometry.intersects(box)]
    own_codes = {c.code for c in where.communes}
    if not where.communes:  # commune outlines not delivered: the départements instead
        for code in sorted({_departement(c) for c in quarter.communes}):
            if code in data.departements:
                d = path_data(data.departements[code].geometry, frame)
                body.append(f'<path d="{d}" fill="{COMMUNE}" stroke="{COMMUNE_EDGE}" '
                            'stroke-width="1.2"/>')
    for commune in drawn_communes:
        own = commune.code in own_codes
        d = path_data(commune.geometry, frame)
        if d:
            body.append(f'<path d="{d}" fill="{OWN_COMMUNE if own else COMMUNE}" '
                        f'stroke="{OWN_COMMUNE_EDGE if own else COMMUNE_EDGE}" '
                        f'stroke-width="{1.6 if own else 0.8}" stroke-linejoin="round"/>')
    for other in where.others:
        d = path_data(other.geometry, frame)
        if d:
            body.append(f'<path d="{d}" fill="{OTHER_QPV}" stroke="{OTHER_QPV_EDGE}" '
                        'stroke-width="0.8"/>')
    body.append(f'<path d="{path_data(quarter.geometry, frame, 0.3)}" fill="{QUARTER}" '
                f'stroke="{QUARTER_EDGE}" stroke-width="1.2" stroke-linejoin="round"/>')
    # Labels by priority, each kept only where it overlaps no other, nor the north arrow
    # and the scale bar: the quarter above its outline (below when no room), its
    # commune(s) away from it, then the other communes, largest first.
    placed = [(frame.width - 44, 0.0, frame.width, 48.0), (0.0, frame.height - 34, 120.0,
                                                          frame.height)]
    qx, _ = frame.px(*_label_point(quarter.geometry))
    qtop = frame.px(0, quarter.geometry.bounds[3])[1]
    qbottom = frame.px(0, quarter.geometry.bounds[1])[1]
    for y in (qtop - 7, qbottom + 18):
        text = _placed_label(frame, placed, qx, y, name, 15, bold=True, fill=QUARTER_EDGE)
        if text:
            body.append(text)
            break
    x0, y0 = frame.px(quarter.geometry.bounds[0], quarter.geometry.bounds[3])
    x1, y1 = frame.px(quarter.geometry.bounds[2], quarter.geometry.bounds[1])
    placed.append((x0 - 3, y0 - 3, x1 + 3, y1 + 3))  # no label over the quarter
    keep_out = quarter.geometry.buffer(28 / frame.scale)
    ordered = sorted(drawn_communes, key=lambda c: (c.code not in own_codes,
                                                    -c.geometry.area, c.code))
    for commune in ordered:
        own = commune.code in own_codes
        visible = shapely.clip_by_rect(commune.geometry, frame.minx, frame.miny, frame.maxx,
                                       frame.maxy)
        if own:
            visible = visible.difference(keep_out)
        if visible.is_empty or visible.area * frame.scale ** 2 < 4000:
            continue
        for x, y in _candidates(visible, frame):
            text = _placed_label(frame, placed, x, y + 5, commune.libelle, 14 if own else 13,
                                 bold=own, fill=OWN_COMMUNE_EDGE if own else INK)
            if text:
                body.append(text)
                break
    body.append(north_arrow(frame.width - 24, 10))
    body.append(scale_bar(frame, 14, frame.height - 12))
    body.append(_geography_band(frame))
    height = frame.height + 20
    title = f"Où se trouve {name} : {GEOGRAPHY}"
    words = locator_text(where, code_2015)
    svg = svg_document(frame.width, height, body, title)
    return Svg(svg, words)


def _geography_band(frame: Frame) -> str:
    """The geography, written on the map itself, under it."""
    return (f'<text x="4" y="{num(frame.height + 15)}" font-size="12" fill="{MUTED}">'
            "Géographie prioritaire 2024</text>")


def _candidates(area: Any, frame: Frame) -> list[tuple[float, float]]:
    """Where a label may go inside `area`, in px: its representative point first, then
    the points of a 6 x 6 grid over it that fall inside, nearest to that point first."""
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    first = _label_point(area)
    minx, miny, maxx, maxy = area.bounds
    grid = [(minx + (maxx - minx) * (i + 0.5) / 6, miny + (maxy - miny) * (j + 0.5) / 6)
            for i in range(6) for j in range(6)]
    inside = [p for p in grid if area.contains(shapely.Point(p))]
    inside.sort(key=lambda p: ((p[0] - first[0]) ** 2 + (p[1] - first[1]) ** 2, p))
    return [frame.px(*p) for p in [first, *inside]]


def _label_point(geometry: Any) -> tuple[float, float]:
    point = geometry.representative_point()
    return float(point.x), float(point.y)


def _names(places: Iterable[Place]) -> str:
    names = [shown_name(p.libelle) for p in places]
    if not names:
        return "aucune"
    return ", ".join(names[:-1]) + " et " + names[-1] if len(names) > 1 else names[0]


def locator_text(where: Located, code_2015: str = "") -> ChartText:
    """The map's words: title, text alternative (what is drawn, where), its table."""
    quarter = where.quarter
    name = shown_name(quarter.libelle)
    communes = (_names(where.communes) if where.communes else
                "de code Insee " + ", ".join(quarter.communes))
    alt = (f"Carte de localisation. Le quartier prioritaire {name} ({GEOGRAPHY}, code "
           f"{quarter.code}) est dessiné en orange dans sa commune, {communes}"
           if len(where.communes) <= 1 else
           f"Carte de localisation. Le quartier prioritaire {name} ({GEOGRAPHY}, code "
           f"{quarter.code}) est dessiné en orange sur ses communes, {communes}")
    alt += (f". Communes voisines : {_names(where.neighbours)}." if where.neighbours else ".")
    if where.others:
        alt += (f" {len(where.others)} autre(s) quartier(s) prioritaire(s) de la géographie "
                f"2024 apparaissent en gris : {_names(where.others)}.")
    else:
        alt += " Aucun autre quartier prioritaire 2024 dans le cadre."
    if where.missing_communes:
        alt += (" Les contours des communes ne sont pas livrés pour le(s) département(s) "
                f"{', '.join(where.missing_communes)} : elles ne sont pas dessinées.")
    if code_2015:
        alt += (f" Les chiffres du rapport décrivent le quartier de la géographie 2015 "
                f"({code_2015}), dont le périmètre peut différer.")
    rows: list[tuple[str, ...]] = [("quartier du rapport", name, quarter.code, GEOGRAPHY)]
    rows += [("commune du quartier", c.libelle, c.code, "communes 2018")
             for c in where.communes]
    rows += [("commune voisine", c.libelle, c.code, "communes 2018") for c in where.neighbours]
    rows += [("autre quartier prioritaire", shown_name(q.libelle)
              + (" (nom corrigé : « " + q.libelle + " » dans le fichier publié)"
                 if shown_name(q.libelle) != q.libelle else ""), q.code, GEOGRAPHY)
             for q in where.others]
    data = DataTable(("Élément", "Nom", "Code", "Géographie"), tuple(rows), name="carte")
    return ChartText(title=f"Où se trouve {name} ({GEOGRAPHY})", alt=alt, data=data,
                     source=SOURCE)


def locator_figure(data: MapData | None, code: str, libelle: str, own_2024: str = "",
                   width: float = WIDTH) -> Html:
    """The locator map of a quarter as a figure, or the sentence that says why none is
    drawn (no outline in the store, or no certain 2015 -> 2024 link)."""
    if data is None or not data.qpv:
        return Html('<p class="carte-absente">Carte non dessinée : les contours des quartiers '
                    "ne sont pas dans les données livrées.</p>")
    code_2024 = own_2024 if own_2024 in data.qpv else data.code_2024(code)
    if not code_2024:
        return Html(f'<p class="carte-absente">Carte non dessinée pour {esc(libelle)} '
                    f"({esc(code)}) : {NOT_LINKED}. Les contours disponibles sont ceux de la "
                    "géographie prioritaire 2024 ; aucun quartier 2024 n'a à coup sûr le même "
                    "nom et les mêmes communes, et dessiner un autre périmètre que celui que "
                    "décrivent les chiffres induirait en erreur.</p>")
    svg = locator_map(data, code_2024, code if code != code_2024 else "", width)
    chart = svg.chart
    assert chart is not None
    caption = (f"Contour du {GEOGRAPHY} ({code_2024})"
               + (f" ; les chiffres des rapports portent sur la géographie 2015 ({code})."
                  if code != code_2024 else "."))
    # The SVG names itself (<title>); the figure gives the text alternative as its
    # accessible description.
    html = figure(svg, alt=chart.alt, caption=caption, title=chart.title, source=chart.source)
    html = html.replace("</div>", "</div>" + locator_legend(shown_name(
        data.qpv[code_2024].libelle), locate(data, code_2024, width)), 1)
    html = html.replace('<figure class="graphique">', '<figure class="graphique carte">', 1
                        ).replace("Les données du graphique", "Ce que montre la carte", 1)
    return Html(html)


# --------------------------------------------------------------------------- classes


def classify(values: Sequence[float], k: int = len(CLASSES)) -> list[float]:
    """Upper bounds of up to `k` classes of about equal counts (quantiles), rounded to two
    significant figures of the spread, strictly increasing; the last is the maximum."""
    ordered = sorted(values)
    if not ordered:
        return []
    spread = ordered[-1] - ordered[0]
    step = 10 ** math.floor(math.log10(spread)) / 10 if spread > 0 else 1.0
    bounds: list[float] = []
    for i in range(1, k):
        q = ordered[min(len(ordered) - 1, round(i * len(ordered) / k) - 1)]
        rounded = round(q / step) * step
        if (not bounds or rounded > bounds[-1]) and ordered[0] <= rounded < ordered[-1]:
            bounds.append(rounded)
    bounds.append(ordered[-1])
    return bounds


def class_of(value: float, bounds: Sequence[float]) -> int:
    for i, bound in enumerate(bounds):
        if value <= bound:
            return i
    return len(bounds) - 1


def class_labels(bounds: Sequence[float], unit: str) -> list[str]:
    """« jusqu'à 20 000 € », « de 20 000 à 24 000 € », …, « plus de 30 000 € »."""
    def shown(v: float) -> str:
        return fn.with_unit(v, unit)

    out = []
    for i, bound in enumerate(bounds):
        if i == 0:
            out.append(f"jusqu'à {shown(bound)}")
        elif i == len(bounds) - 1:
            out.append(f"plus de {shown(bounds[i - 1])}")
        else:
            out.append(f"de {shown(bounds[i - 1])} à {shown(bound)}")
    return out


# --------------------------------------------------------------------------- perimeter


@dataclass(frozen=True)
class Linked:
    """A 2015 quarter of a perimeter and where its reports are ("" when none)."""

    code: str
    libelle: str
    href: str


@dataclass(frozen=True)
class Statistic:
    """The statistic a perimeter map paints on its areas (communes or départements)."""

    libelle: str
    unit: str
    year: int
    source: str
    values: Mapping[str, float]  # area code -> value


def perimeter_areas(data: MapData, departements: Iterable[str], france: bool = False
                    ) -> tuple[str, dict[str, Place]]:
    """The areas a perimeter map paints: its communes when their outlines are delivered
    for every département of the perimeter, else its départements (« commune » or
    « departement »)."""
    deps = sorted(set(departements))
    if not france and deps and all(d in data.communes_delivered for d in deps):
        return "commune", {c: p for c, p in sorted(data.communes.items())
                           if _departement(c) in deps}
    return "departement", {c: p for c, p in sorted(data.departements.items())
                           if france or c in deps}


def perimeter_map(data: MapData, name: str, level: str, areas: Mapping[str, Place],
                  quarters: Sequence[Linked], statistic: Statistic | None) -> Html:
    """The perimeter's areas (a classed choropleth of `statistic`), and every 2024 quarter
    of the perimeter, linked to the reports of the 2015 quarter it certainly draws."""
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    if not areas:
        return Html('<p class="carte-absente">Carte non dessinée : les contours de ce '
                    "périmètre ne sont pas dans les données livrées.</p>")
    whole = shapely.unary_union([a.geometry for a in areas.values()])
    bounds = whole.bounds
    ratio = min(1.4, max(0.62, (bounds[3] - bounds[1]) / max(bounds[2] - bounds[0], 1.0)))
    frame = frame_around(bounds, 0.03, ratio, 560)
    by_2024 = data.quarters_2015()
    reports = {q.code: q for q in quarters}
    deps = {_departement(a) for a in areas} if level == "commune" else set(areas)
    box = shapely.box(frame.minx, frame.miny, frame.maxx, frame.maxy)
    drawn = {c: q for c, q in sorted(data.qpv.items())  # overseas quarters are off the map
             if any(_departement(i) in deps for i in q.communes) and q.geometry.within(box)}
    values = statistic.values if statistic else {}
    bounds_ = classify([v for c, v in sorted(values.items()) if c in areas])
    tolerance = 0.6 if len(areas) < 200 else 2.0
    # A large perimeter (a region, France) keeps its page light: its quarters are dots
    # linked from the table above the map, and its lists are offered as CSV files.
    large = len(areas) > LARGE or len(quarters) > LARGE
    body = [f'<rect width="{num(frame.width)}" height="{num(frame.height)}" fill="#fff"/>',
            '<defs><pattern id="PID-nd" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<path d="M0 0V6" stroke="{COMMUNE_EDGE}" stroke-width="1"/></pattern></defs>']
    by_fill: dict[str, list[str]] = {}  # areas grouped by colour: one <g> per class
    for code, area in sorted(areas.items()):
        d = path_data(area.geometry, frame, tolerance)
        if d:
            fill = (CLASSES[class_of(values[code], bounds_)] if code in values and bounds_
                    else "url(#PID-nd)")
            by_fill.setdefault(fill, []).append(f'<path d="{d}"/>')
    for fill in [*CLASSES, "url(#PID-nd)"]:
        if fill in by_fill:
            body.append(f'<g fill="{fill}" stroke="#ffffff" stroke-width="0.6">'
                        + "".join(by_fill[fill]) + "</g>")
    body.append(f'<path d="{path_data(whole, frame, tolerance)}" fill="none" stroke="{MUTED}" '
                'stroke-width="1.2"/>')
    rows: list[tuple[str, ...]] = []
    linked_count = 0
    dots_linked: list[str] = []  # drawn after the loop, grouped by colour
    dots_other: list[str] = []
    for code, quarter in sorted(drawn.items()):
        old = by_2024.get(code, "")
        target = reports.get(old)
        nom = shown_name(quarter.libelle)
        box = quarter.geometry.bounds
        tiny = max(box[2] - box[0], box[3] - box[1]) * frame.scale < 6
        if tiny:
            x, y = frame.px(*_label_point(quarter.geometry))
            shape_ = f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5"'
        else:
            shape_ = f'<path d="{path_data(quarter.geometry, frame, 0.4)}"'
        if target is not None and target.href and large:
            linked_count += 1
            dots_linked.append(f"{shape_}/>")
            state = f"rapports de {old}"
        elif target is not None and target.href:
            linked_count += 1
            body.append(f'<a href="{esc(target.href)}" aria-label="{esc(nom)} : rapports '
                        f'du quartier ({esc(old)})">{shape_} fill="{QUARTER}" '
                        f'stroke="{QUARTER_EDGE}" stroke-width="0.8"/></a>')
            state = f"lié aux rapports de {old}"
        else:
            dots_other.append(f"{shape_}/>")
            state = (f"{old} : pas de rapport dans ce périmètre" if old else NOT_LINKED)
        rows.append((nom, code, ", ".join(quarter.communes), state))
    for dots, fill, stroke in ((dots_other, OTHER_QPV, OTHER_QPV_EDGE),
                               (dots_linked, QUARTER, QUARTER_EDGE)):
        if dots:
            body.append(f'<g fill="{fill}" stroke="{stroke}" stroke-width="0.8">'
                        + "".join(dots) + "</g>")
    body.append(north_arrow(frame.width - 22, 8))
    body.append(scale_bar(frame, 12, frame.height - 10))
    items = [(QUARTER, QUARTER_EDGE, f"quartier prioritaire ({GEOGRAPHY}), "
              + ("qui a ses rapports (liens dans le tableau)" if large else
                 "lien vers ses rapports")), (OTHER_QPV, OTHER_QPV_EDGE, f"quartier prioritaire "
              f"({GEOGRAPHY}) sans rapport lié")]
    labels = class_labels(bounds_, statistic.unit) if statistic and bounds_ else []
    items += [(CLASSES[i], COMMUNE_EDGE, text) for i, text in enumerate(labels)]
    if statistic:
        items.append((HATCHED, COMMUNE_EDGE, "non publié"))
    body.append(_geography_band(frame))
    what = (f"{statistic.libelle} ({statistic.year})" if statistic else "")
    area_word = "communes" if level == "commune" else "départements"
    title = f"Les quartiers prioritaires du périmètre : {name}" + (
        f", et {statistic.libelle[:1].lower()}{statistic.libelle[1:]} des {area_word}"
        if statistic else "")
    svg = svg_document(frame.width, frame.height + 20, body, title,
                       role="group")
    ident = re.search(r'id="(m[0-9a-f]{8})-titre"', svg)
    svg = svg.replace("PID-nd", f"{ident.group(1) if ident else 'm'}-nd")
    counted = [v for c, v in values.items() if c in areas]
    alt = (f"Carte du périmètre, {name} : {len(areas)} {area_word}"
           + (f", {'colorées' if level == 'commune' else 'colorés'} selon "
              f"{statistic.libelle.lower()} en {statistic.year} "
              f"(valeur publiée pour {len(counted)}), en {len(labels)} classes de même "
              "effectif, du plus clair (le plus bas) au plus foncé"
              if statistic and counted else "")
           + f". {len(drawn)} quartiers prioritaires de la géographie 2024 y sont dessinés, "
           f"dont {linked_count} liés aux rapports d'un quartier de la géographie 2015 ; les "
           f"autres : {NOT_LINKED} ou pas de rapport.")
    caption = (f"{what} par {area_word[:-1]}, et contours des quartiers prioritaires "
               f"({GEOGRAPHY}). Les chiffres des rapports portent sur la géographie 2015 ; "
               "un quartier 2024 n'est lié qu'au quartier 2015 de même nom et de mêmes "
               "communes (ou donné par la table de correspondance).")
    source = (f"{statistic.source} ; " if statistic else "") + SOURCE
    area_rows = [(p.libelle, c, fn.with_unit(values[c], statistic.unit) if c in values
                  and statistic else "non publié") for c, p in sorted(areas.items())]
    out = ['<figure class="graphique carte">',
           f'<figcaption><span class="titre-graphique">{esc(title)}</span>'
           f'<span class="sous-titre-graphique">{esc(caption)}</span></figcaption>',
           f'<div class="dessin" aria-describedby="{ident.group(1) if ident else "m"}-alt">'
           f"{svg}</div>", legend_html(items),
           f'<p class="source">{esc(source)}</p>',
           f'<p id="{ident.group(1) if ident else "m"}-alt" class="alternative">{esc(alt)}</p>',
           '<details class="donnees"><summary>Ce que montre la carte</summary>',
           _table(("Quartier (2024)", "Code 2024", "Commune(s)", "Rapports"), rows,
                  f"Quartiers prioritaires dessinés ({GEOGRAPHY})", large=large),
           _table(("Territoire", "Code", what or "Valeur"), area_rows,
                  f"{area_word.capitalize()} du périmètre", numeric=(2,), large=large),
           "</details></figure>"]
    return Html("".join(out))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str,
           numeric: Sequence[int] = (), large: bool = False) -> str:
    if large:  # too long to read on a page: a file to open in a spreadsheet
        return (f"<p>{esc(caption)} : {len(rows)} lignes.</p>"
                + csv_link([list(headers), *rows], caption, "la liste"))
    return table(headers, rows, caption=caption, numeric=numeric)


def location_map(ctx: ReportContext, compact: bool = False) -> Html:
    """The report section: the locator map of the report's quarter (a ReportContext);
    `compact` draws it smaller (the synthesis, whose six pages are counted)."""
    data = load_map_data(ctx.paths.outlines, ctx.paths.quarter_links)
    own = ctx.contract.territoire_2024 if ctx.own_contract else ""
    return locator_figure(data, ctx.territory.code, ctx.territory.libelle, own,
                          COMPACT_WIDTH if compact else WIDTH)
