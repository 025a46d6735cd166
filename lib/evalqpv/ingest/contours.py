"""Outlines for the maps, read from data/raw/contours/ as published.

- `qpv2024.json.gz`: the QPV of the **2024** geography (ANCT), gzip JSON
  `{"meta": ..., "qpvs": [{"code", "label", "insee": [...], "g": <MultiPolygon>}]}`;
- `communes/communes-<dep>-<name>.geojson`: commune outlines of one département (IGN
  Admin Express COG 2018 through france-geojson), properties `code` and `nom`;
- `departements-version-simplifiee.geojson`: the metropolitan départements.

Every outline is checked (a known code, a polygon in lon/lat within France's range)
and projected to Lambert-93 (EPSG:2154, metres): the reports draw in that plane. The
published QPV outlines are rounded to 4 decimals, which makes some rings cross
themselves: such an outline is repaired by shapely (`make_valid`) and said once, as a
warning; an outline that is not a polygon at all is an error.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..frenchnumbers import count, plural
from ..problems import Problems
from ..settings import ProjectPaths

FOLDER = "contours"
QPV_FILE = "qpv2024.json.gz"
DEPARTEMENTS_FILE = "departements-version-simplifiee.geojson"
COMMUNES_FILE = re.compile(r"^communes-(\d{2,3}|2[AB])-[a-z0-9-]+\.geojson$")
QPV_2024_CODE = re.compile(r"QN(\d{2}[0-9AB]|97\d)\d{2}[A-Z]")
COMMUNE_CODE = re.compile(r"(\d{2}|2[AB])\d{3}")
DEPARTEMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
LAMBERT_93 = "EPSG:2154"
WGS84 = "EPSG:4326"
# lon/lat of France, overseas included: a coordinate outside is not a lon/lat one.
LON_RANGE, LAT_RANGE = (-180.0, 180.0), (-90.0, 90.0)


@dataclass(frozen=True)
class Outline:
    """One outline in Lambert-93: its code, name, communes (a QPV's) and geometry."""

    code: str
    libelle: str
    communes: tuple[str, ...]
    geometry: Any  # a shapely Polygon or MultiPolygon, in metres


@dataclass
class Outlines:
    qpv: dict[str, Outline] = field(default_factory=dict)
    communes: dict[str, Outline] = field(default_factory=dict)
    departements: dict[str, Outline] = field(default_factory=dict)
    # départements whose commune outlines were delivered
    communes_delivered: set[str] = field(default_factory=set)


def identify(rel: Path) -> str | None:
    """« qpv », « communes » or « departements » for a file of data/raw/contours/."""
    if not rel.parts or rel.parts[0] != FOLDER:
        return None
    if rel.name == QPV_FILE:
        return "qpv"
    if rel.name == DEPARTEMENTS_FILE:
        return "departements"
    if COMMUNES_FILE.match(rel.name):
        return "communes"
    return None


def to_lambert93(geometry: Any) -> Any:
    """A lon/lat (WGS84) geometry in Lambert-93 metres (RGF93 and WGS84 coincide at
    this scale)."""
    import numpy as np  # noqa: PLC0415 - heavy, only when outlines are read
    import shapely  # noqa: PLC0415 - heavy, only when outlines are read

    transformer = _transformer()

    def project(xy: Any) -> Any:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def project_point(lon: float, lat: float) -> tuple[float, float]:
    x, y = _transformer().transform(lon, lat)
    return float(x), float(y)


_TRANSFORMER: list[Any] = []


def _transformer() -> Any:
    if not _TRANSFORMER:
        from pyproj import Transformer  # noqa: PLC0415 - heavy, only when outlines are read

        _TRANSFORMER.append(Transformer.from_crs(WGS84, LAMBERT_93, always_xy=True))
    return _TRANSFORMER[0]


def read_outlines(paths: ProjectPaths, files: list[Path], known_communes: set[str],
                  known_departements: set[str], problems: Problems) -> Outlines:
    """The outlines of `files` (the contour files found in data/raw/), checked."""
    out = Outlines()
    repaired: list[str] = []
    for path in sorted(files):
        kind = identify(path.relative_to(paths.raw))
        label = paths.label(path)
        if kind == "qpv":
            _read_qpv(path, label, known_communes, out, repaired, problems)
        elif kind is not None:
            _read_geojson(path, label, kind, known_communes, known_departements, out,
                          repaired, problems)
    if repaired:
        problems.warning(FOLDER, f"{count(len(repaired), 'contour publié', 'contours publiés')} "
                         f"dont le tracé se recoupe (coordonnées arrondies par le producteur) : "
                         f"{plural(len(repaired), 'réparé')} pour les cartes, sans changer "
                         f"{'son' if len(repaired) < 2 else 'leur'} emprise.",
                         valeur=", ".join(repaired[:5]) + (" …" if len(repaired) > 5 else ""))
    return out


def _load_json(path: Path, label: str, problems: Problems) -> Any:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return json.load(handle)
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.error(label, "fichier de contours illisible (JSON compressé ou GeoJSON "
                       "attendu, tel que publié).", valeur=type(exc).__name__,
                       correction="redéposez le fichier tel que le producteur le publie")
        return None


def _read_qpv(path: Path, label: str, known_communes: set[str], out: Outlines,
              repaired: list[str], problems: Problems) -> None:
    data = _load_json(path, label, problems)
    if data is None:
        return
    rows = data.get("qpvs") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        problems.error(label, "liste « qpvs » introuvable : mise en page inconnue.",
                       attendu='{"meta": ..., "qpvs": [{"code", "label", "insee", "g"}]}')
        return
    unknown: list[str] = []
    for i, row in enumerate(rows, start=1):
        where = f"quartier n° {i}"
        code = str(row.get("code", "")) if isinstance(row, dict) else ""
        if not QPV_2024_CODE.fullmatch(code):
            problems.error(label, f"{where} : code de quartier 2024 invalide.",
                           colonne="code", valeur=code, attendu="QN suivi du département, "
                           "de deux chiffres et d'une lettre (QN09204M)")
            continue
        if code in out.qpv:
            problems.error(label, f"{where} : quartier en double.", colonne="code",
                           valeur=code, attendu="un contour par quartier")
            continue
        insee = row.get("insee") or []
        bad = [c for c in insee if not COMMUNE_CODE.fullmatch(str(c))]
        if not insee or bad:
            problems.error(label, f"{where} ({code}) : communes invalides.", colonne="insee",
                           valeur=", ".join(map(str, insee)) or "(vide)",
                           attendu="les codes Insee des communes du quartier")
            continue
        unknown += [f"{code} : {c}" for c in insee if c not in known_communes]
        geometry = _polygon({"type": "MultiPolygon", "coordinates": row.get("g")}, label,
                            f"{where} ({code})", problems, repaired, code)
        if geometry is not None:
            out.qpv[code] = Outline(code, str(row.get("label", "")).strip(),
                                    tuple(str(c) for c in insee), geometry)
    if unknown:
        problems.warning(label, f"{count(len(unknown), 'commune')} de quartiers 2024 "
                         f"{plural(len(unknown), 'absente')} de la liste officielle des communes "
                         "livrée (communes créées depuis ?) "
                         ": ces quartiers sont dessinés sans le nom de leur commune.",
                         valeur=", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else ""))


def _read_geojson(path: Path, label: str, kind: str, known_communes: set[str],
                  known_departements: set[str], out: Outlines, repaired: list[str],
                  problems: Problems) -> None:
    data = _load_json(path, label, problems)
    if data is None:
        return
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        problems.error(label, "collection GeoJSON attendue (« features » introuvable).",
                       attendu='{"type": "FeatureCollection", "features": [...]}')
        return
    pattern, known, target = ((COMMUNE_CODE, known_communes, out.communes) if kind == "communes"
                              else (DEPARTEMENT_CODE, known_departements, out.departements))
    unknown = []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code, name = str(props.get("code", "")), str(props.get("nom", "")).strip()
        where = f"objet n° {i}"
        if not pattern.fullmatch(code):
            problems.error(label, f"{where} : code invalide.", colonne="code", valeur=code,
                           attendu="un code Insee de " + ("commune" if kind == "communes"
                                                         else "département"))
            continue
        if known and code not in known:
            unknown.append(code)
        geometry = _polygon(feature.get("geometry"), label, f"{where} ({code})", problems,
                            repaired, code)
        if geometry is not None:
            target[code] = Outline(code, name, (), geometry)
    if kind == "communes":
        match = COMMUNES_FILE.match(path.name)
        if match:
            out.communes_delivered.add(match.group(1))
    if unknown:
        problems.warning(label, f"{count(len(unknown), 'code')} "
                         f"{plural(len(unknown), 'absent')} de la liste officielle livrée "
                         "(communes fusionnées depuis 2018 ?) : "
                         f"{plural(len(unknown), 'dessiné')} sans chiffre.",
                         valeur=", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else ""))


def polygonal(geometry: Any) -> Any:
    """A valid (multi)polygon covering the same area: shapely's make_valid, its lines
    and points (collapsed parts) left out."""
    import shapely  # noqa: PLC0415 - heavy, only when outlines are read

    fixed = shapely.make_valid(geometry)
    if fixed.geom_type in ("Polygon", "MultiPolygon"):
        return fixed
    parts = [g for g in getattr(fixed, "geoms", []) if g.geom_type in ("Polygon",
                                                                        "MultiPolygon")]
    return shapely.unary_union(parts) if parts else shapely.Polygon()


def _polygon(geojson: Any, label: str, where: str, problems: Problems,
             repaired: list[str], code: str) -> Any:
    """A checked shapely geometry in Lambert-93, or None (the error said)."""
    import shapely  # noqa: PLC0415 - heavy, only when outlines are read
    from shapely.geometry import shape  # noqa: PLC0415 - idem

    try:
        geometry = shape(geojson)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError,
            shapely.errors.GEOSException):
        geometry = None
    if geometry is None or geometry.is_empty or geometry.geom_type not in (
            "Polygon", "MultiPolygon"):
        problems.error(label, f"{where} : contour illisible ou vide.", colonne="geometry",
                       attendu="un polygone ou un multipolygone en longitude, latitude")
        return None
    minx, miny, maxx, maxy = geometry.bounds
    if not (LON_RANGE[0] <= minx <= maxx <= LON_RANGE[1]
            and LAT_RANGE[0] <= miny <= maxy <= LAT_RANGE[1]):
        problems.error(label, f"{where} : coordonnées hors des longitudes et latitudes.",
                       colonne="geometry", valeur=f"{minx:g} {miny:g} {maxx:g} {maxy:g}",
                       attendu="des longitudes et latitudes WGS84 (degrés)")
        return None
    geometry = to_lambert93(geometry)
    if not geometry.is_valid:
        geometry = polygonal(geometry)
        if geometry.is_empty:
            problems.error(label, f"{where} : contour invalide et irréparable.",
                           colonne="geometry", attendu="un polygone valide")
            return None
        repaired.append(code)
    return geometry
