"""The locator map: where the quarter is, in its commune(s), among its neighbours.

A 2015 quarter is drawn only through a certain link to a 2024 outline
(`correspondance_qpv.csv`): without one, the report says « correspondance 2015-2024 non
établie » and draws no wrong perimeter. The map says which geography it draws, and
carries its words like a chart (`ChartText`: a title, a text alternative with what is
drawn, the table of what is drawn, its source).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import frenchnumbers as fn
from .html import ChartText, DataTable, Html, Svg, esc, figure
from .map_svg import (
    COMMUNE,
    COMMUNE_EDGE,
    COMPACT_WIDTH,
    GEOGRAPHY,
    INK,
    NOT_LINKED,
    OTHER_QPV,
    OTHER_QPV_EDGE,
    OWN_COMMUNE,
    OWN_COMMUNE_EDGE,
    QUARTER,
    QUARTER_EDGE,
    SOURCE,
    WIDTH,
    Frame,
    MapData,
    Place,
    departement_of,
    frame_around,
    geography_band,
    label_point,
    legend_html,
    load_map_data,
    north_arrow,
    num,
    path_data,
    placed_label,
    scale_bar,
    shown_name,
    svg_document,
)

if TYPE_CHECKING:
    from .context import ReportContext


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
    deps = sorted({departement_of(c) for c in quarter.communes})
    missing = tuple(d for d in deps if d not in data.communes_delivered)
    return Located(quarter, communes, neighbours, others, missing)


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
        for code in sorted({departement_of(c) for c in quarter.communes}):
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
    qx, _ = frame.px(*label_point(quarter.geometry))
    qtop = frame.px(0, quarter.geometry.bounds[3])[1]
    qbottom = frame.px(0, quarter.geometry.bounds[1])[1]
    for y in (qtop - 7, qbottom + 18):
        text = placed_label(frame, placed, qx, y, name, 15, bold=True, fill=QUARTER_EDGE)
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
            text = placed_label(frame, placed, x, y + 5, commune.libelle, 14 if own else 13,
                                 bold=own, fill=OWN_COMMUNE_EDGE if own else INK)
            if text:
                body.append(text)
                break
    body.append(north_arrow(frame.width - 24, 10))
    body.append(scale_bar(frame, 14, frame.height - 12))
    body.append(geography_band(frame))
    height = frame.height + 20
    title = f"Où se trouve {name} : {GEOGRAPHY}"
    words = locator_text(where, code_2015)
    svg = svg_document(frame.width, height, body, title)
    return Svg(svg, words)


def _candidates(area: Any, frame: Frame) -> list[tuple[float, float]]:
    """Where a label may go inside `area`, in px: its representative point first, then
    the points of a 6 x 6 grid over it that fall inside, nearest to that point first."""
    import shapely  # noqa: PLC0415 - heavy, only when a map is drawn

    first = label_point(area)
    minx, miny, maxx, maxy = area.bounds
    grid = [(minx + (maxx - minx) * (i + 0.5) / 6, miny + (maxy - miny) * (j + 0.5) / 6)
            for i in range(6) for j in range(6)]
    inside = [p for p in grid if area.contains(shapely.Point(p))]
    inside.sort(key=lambda p: ((p[0] - first[0]) ** 2 + (p[1] - first[1]) ** 2, p))
    return [frame.px(*p) for p in [first, *inside]]


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
        n = len(where.others)
        alt += (f" {fn.count(n, 'autre quartier prioritaire')} de la géographie 2024 "
                f"{'apparaît' if n < 2 else 'apparaissent'} en gris : "
                f"{_names(where.others)}.")
    else:
        alt += " Aucun autre quartier prioritaire 2024 dans le cadre."
    if where.missing_communes:
        alt += (" Les contours des communes ne sont pas livrés pour "
                f"{'le département' if len(where.missing_communes) < 2 else 'les départements'}"
                f" {', '.join(where.missing_communes)} : elles ne sont pas dessinées.")
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


def location_map(ctx: ReportContext, compact: bool = False) -> Html:
    """The report section: the locator map of the report's quarter (a ReportContext);
    `compact` draws it smaller (the synthesis, whose six pages are counted)."""
    data = load_map_data(ctx.paths.outlines, ctx.paths.quarter_links)
    own = ctx.contract.territoire_2024 if ctx.own_contract else ""
    return locator_figure(data, ctx.territory.code, ctx.territory.libelle, own,
                          COMPACT_WIDTH if compact else WIDTH)
