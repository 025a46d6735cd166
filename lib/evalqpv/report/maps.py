"""Maps: where the quarter is, and the quarters of a perimeter (inline SVG, offline).

The outlines come from the store (`data/processed/contours.json`, Lambert-93 metres,
written by store.outlines) and are those of the **2024** priority geography; the
statistics describe the 2015 quarters. A 2015 quarter is drawn only through a certain
link (`correspondance_qpv.csv`): without one, the report says « correspondance
2015-2024 non établie » and draws no wrong perimeter. Every map says which geography
it draws, and carries its words like a chart (`ChartText`: a title, a text alternative
with what is drawn, the table of what is drawn, its source).

The drawing is split by job: `map_svg` (the store's outlines, geometry to SVG, the
pieces every map uses), `map_locator` (where the quarter is: the report section
`location_map`), `map_perimeter` (the quarters of a perimeter, classed areas). This
module keeps their public names in one place for the callers (`maps.perimeter_map`).
"""

from __future__ import annotations

from .map_locator import (
    Located,
    locate,
    location_map,
    locator_figure,
    locator_legend,
    locator_map,
    locator_text,
)
from .map_perimeter import (
    Linked,
    Statistic,
    class_labels,
    class_of,
    classify,
    perimeter_areas,
    perimeter_map,
)
from .map_svg import (
    COMPACT_WIDTH,
    WIDTH,
    Frame,
    MapData,
    Place,
    frame_around,
    label,
    legend_html,
    length_text,
    load_map_data,
    nice_length,
    north_arrow,
    num,
    path_data,
    scale_bar,
    shown_name,
    svg_document,
)

__all__ = [
    "COMPACT_WIDTH",
    "Frame",
    "Linked",
    "Located",
    "MapData",
    "Place",
    "Statistic",
    "WIDTH",
    "class_labels",
    "class_of",
    "classify",
    "frame_around",
    "label",
    "legend_html",
    "length_text",
    "load_map_data",
    "locate",
    "location_map",
    "locator_figure",
    "locator_legend",
    "locator_map",
    "locator_text",
    "nice_length",
    "north_arrow",
    "num",
    "path_data",
    "perimeter_areas",
    "perimeter_map",
    "scale_bar",
    "shown_name",
    "svg_document",
]
