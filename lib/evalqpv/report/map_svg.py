"""Maps drawn by hand in SVG: the outlines of the store and the pieces every map uses.

The outlines come from the store (`data/processed/contours.json`, Lambert-93 metres,
written by store.outlines; `load_map_data`, once per process) and are those of the
**2024** priority geography. Geometry is shapely's (clipping to the frame,
simplification to the pixel), projected by pyproj when the store is built; this module
only writes SVG: a frame from metres to pixels, path data, scale bar, north arrow,
labels that never overlap, the <svg> element with its accessible name, the legend in
HTML, the map's palette. Numbers are written with one decimal at most and every
collection is sorted, so that a rebuild gives the same bytes. The maps themselves:
`map_locator` (where the quarter is) and `map_perimeter` (the quarters of a perimeter).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import frenchnumbers as fn
from ..ingest.contours import polygonal
from .html import esc

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


def _map_key(outlines: Path, links: Path) -> tuple[str, float, float]:
    return (str(outlines), outlines.stat().st_mtime, links.stat().st_mtime
            if links.exists() else 0.0)


def keep_map_data(outlines: Path, links: Path, data: MapData) -> None:
    """Take `data` as what load_map_data would read from these files now (the national
    values kept beside the store, report.national_snapshot)."""
    _CACHE.clear()
    _CACHE[_map_key(outlines, links)] = data


def load_map_data(outlines: Path, links: Path) -> MapData | None:
    """The store's outlines and links, once per process (None when not built)."""
    if not outlines.exists():
        return None
    key = _map_key(outlines, links)
    if key not in _CACHE:
        import json  # noqa: PLC0415 - light, but only when a map is drawn

        import numpy as np  # noqa: PLC0415
        import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

        from ..store.outlines import read_links  # noqa: PLC0415 - only when a map is drawn

        data = json.loads(outlines.read_text(encoding="utf-8"))

        def places(items: dict[str, list[Any]], with_communes: bool) -> dict[str, Place]:
            codes = sorted(items)
            wkts = [items[c][-1] for c in codes]
            # an object array: a list would first become a fixed-width text array as
            # wide as the longest outline (230 MB for the QPV, a second to fill)
            geoms = shapely.from_wkt(np.array(wkts, dtype=object)) if wkts else []
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


def placed_label(frame: Frame, placed: list[tuple[float, float, float, float]], x: float,
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


def departement_of(commune: str) -> str:
    return commune[:3] if commune.startswith("97") else commune[:2]


def geography_band(frame: Frame) -> str:
    """The geography, written on the map itself, under it."""
    return (f'<text x="4" y="{num(frame.height + 15)}" font-size="12" fill="{MUTED}">'
            "Géographie prioritaire 2024</text>")


def label_point(geometry: Any) -> tuple[float, float]:
    point = geometry.representative_point()
    return float(point.x), float(point.y)
