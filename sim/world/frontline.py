"""Lines given as GeoJSON, for maps: ``network.front_line`` and ``network.borders``.

The graph says where sectors, bases and targets are; a user who has the front
line itself (e.g. traced from a published map), or the country borders, can give
them so that maps show them and a reader can place the sectors. They are only
drawn, never simulated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Line = list[list[float]]  # [[lon, lat], ...]


def lines_of(geojson: Any, polygons: bool = False) -> list[Line]:
    """The LineString and MultiLineString coordinates in a GeoJSON object (a
    FeatureCollection, a Feature or a bare geometry), as lists of ``[lon, lat]``;
    with ``polygons`` also the rings of Polygons and MultiPolygons (borders).

    Raises
    ------
    ValueError
        If it holds no line, or a coordinate is not a pair of numbers in range.

    Examples
    --------
    >>> lines_of({"type": "LineString", "coordinates": [[37.5, 48.6], [37.9, 48.4]]})
    [[[37.5, 48.6], [37.9, 48.4]]]
    """
    if not isinstance(geojson, dict):
        raise ValueError("expected a GeoJSON object (a FeatureCollection, Feature or geometry)")
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        found = [ln for f in geojson.get("features") or [] for ln in _feature_lines(f, polygons)]
    elif kind == "Feature":
        found = _feature_lines(geojson, polygons)
    else:
        found = _geometry_lines(geojson, polygons)
    if not found:
        shapes = (
            "LineString, MultiLineString, Polygon or MultiPolygon"
            if polygons
            else ("LineString or MultiLineString")
        )
        raise ValueError(f"the GeoJSON holds no {shapes} to draw")
    return found


def _feature_lines(feature: Any, polygons: bool) -> list[Line]:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    return _geometry_lines(geometry, polygons) if isinstance(geometry, dict) else []


def _geometry_lines(geometry: dict[str, Any], polygons: bool) -> list[Line]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "LineString":
        return [_checked(coords)]
    if kind == "MultiLineString" or (polygons and kind == "Polygon"):
        return [_checked(c) for c in coords or []]
    if polygons and kind == "MultiPolygon":
        return [_checked(ring) for polygon in coords or [] for ring in polygon or []]
    if kind == "GeometryCollection":
        parts = geometry.get("geometries") or []
        return [ln for g in parts if isinstance(g, dict) for ln in _geometry_lines(g, polygons)]
    return []


def _checked(coords: Any) -> Line:
    out = []
    for c in coords or []:
        if not (isinstance(c, (list, tuple)) and len(c) >= 2):
            raise ValueError(f"a line's point must be [longitude, latitude], got {c!r}")
        lon, lat = float(c[0]), float(c[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"[{lon}, {lat}] is not a longitude and latitude in degrees")
        out.append([lon, lat])
    if len(out) < 2:
        raise ValueError("a line needs at least two points")
    return out


def read_front_line(path: Path, what: str = "front-line", polygons: bool = False) -> list[Line]:
    """The lines of a GeoJSON file (see :func:`lines_of`); ``what`` names the file in
    messages (``front-line``, ``borders``)."""
    from ..records.storage import InputFileError, read_input

    if not path.exists():
        raise ValueError(f"the {what} file {path} does not exist")
    try:  # a regular file of bounded size: a named pipe or a folder is refused at once
        data = json.loads(read_input(path, 64 * 2**20, "a GeoJSON file").decode("utf-8"))
    except InputFileError as exc:
        raise ValueError(f"the {what} file {path}: the file {exc.reason}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read the {what} file {path}: {exc}") from None
    return lines_of(data, polygons)
