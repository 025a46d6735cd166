"""The map of a perimeter (a département, a region, France): its communes or
départements painted by a statistic in classes of equal counts, and every 2024 quarter
of the perimeter, linked to the reports of the 2015 quarter it certainly draws; a large
perimeter keeps its page light (dots, lists offered as CSV files)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import frenchnumbers as fn
from .html import Html, csv_link, esc, table
from .map_svg import (
    CLASSES,
    COMMUNE_EDGE,
    GEOGRAPHY,
    HATCHED,
    LARGE,
    MUTED,
    NOT_LINKED,
    OTHER_QPV,
    OTHER_QPV_EDGE,
    QUARTER,
    QUARTER_EDGE,
    SOURCE,
    MapData,
    Place,
    departement_of,
    frame_around,
    geography_band,
    label_point,
    legend_html,
    north_arrow,
    num,
    path_data,
    scale_bar,
    shown_name,
    svg_document,
)

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
                           if departement_of(c) in deps}
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
    deps = {departement_of(a) for a in areas} if level == "commune" else set(areas)
    box = shapely.box(frame.minx, frame.miny, frame.maxx, frame.maxy)
    drawn = {c: q for c, q in sorted(data.qpv.items())  # overseas quarters are off the map
             if any(departement_of(i) in deps for i in q.communes) and q.geometry.within(box)}
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
            x, y = frame.px(*label_point(quarter.geometry))
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
    body.append(geography_band(frame))
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
    area_one = area_word[:-1]
    alt = (f"Carte du périmètre, {name} : {fn.count(len(areas), area_one, area_word)}"
           + (f", {'colorées' if level == 'commune' else 'colorés'} selon "
              f"{statistic.libelle.lower()} en {statistic.year} "
              f"(valeur publiée pour {fn.number(len(counted))}), en "
              f"{fn.count(len(labels), 'classe')} de même effectif, du plus clair (le plus "
              "bas) au plus foncé"
              if statistic and counted else "")
           + f". {fn.count(len(drawn), 'quartier prioritaire')} de la géographie 2024 "
           f"{'y sont dessinés' if len(drawn) > 1 else 'y est dessiné'}, dont "
           f"{fn.count(linked_count, 'lié')} aux rapports d'un quartier de la géographie "
           f"2015 ; les autres : {NOT_LINKED} ou pas de rapport.")
    caption = (f"{what} par {area_one}, et contours des quartiers prioritaires "
               f"({GEOGRAPHY}). Les chiffres des rapports portent sur la géographie 2015 ; "
               "un quartier 2024 n'est lié qu'au quartier 2015 de même nom et de mêmes "
               "communes (ou donné par la table de correspondance).")
    source = (f"{statistic.source} ; " if statistic else "") + SOURCE
    # without a statistic, the areas' table lists them only (no column of values asked for)
    area_rows = [(p.libelle, c, *((fn.with_unit(values[c], statistic.unit) if c in values
                                   else "non publié",) if statistic else ()))
                 for c, p in sorted(areas.items())]
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
           _table(("Territoire", "Code", *((what,) if statistic else ())), area_rows,
                  f"{area_word.capitalize()} du périmètre", numeric=(2,), large=large),
           "</details></figure>"]
    return Html("".join(out))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str,
           numeric: Sequence[int] = (), large: bool = False) -> str:
    if large:  # too long to read on a page: a file to open in a spreadsheet
        return (f"<p>{esc(caption)} : {fn.count(len(rows), 'ligne')}.</p>"
                + csv_link([list(headers), *rows], caption, "la liste"))
    return table(headers, rows, caption=caption, numeric=numeric)
