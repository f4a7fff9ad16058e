"""WKT geometries as GeoJSON, for Leaflet on the notice page and schema.org's geo."""

from __future__ import annotations

import re
from typing import Any

_WKT = re.compile(r"^\s*(?:<[^>]*>\s*)?(?P<kind>[A-Za-z]+)\s*(?P<body>\(.*\))\s*$", re.DOTALL)


def wkt_to_geojson(wkt: str) -> dict[str, Any] | None:
    """A WKT point, line or (multi)polygon as a GeoJSON geometry; None for anything else.

    >>> wkt_to_geojson("POINT(2.35005 48.85294)")
    {'type': 'Point', 'coordinates': [2.35005, 48.85294]}
    >>> wkt_to_geojson("POLYGON((0 0, 1 0, 1 1, 0 0))")["coordinates"]
    [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]
    """
    match = _WKT.match(wkt)
    if not match:
        return None
    kind = match["kind"].upper()
    types = {
        "POINT": "Point",
        "LINESTRING": "LineString",
        "POLYGON": "Polygon",
        "MULTIPOLYGON": "MultiPolygon",
    }
    if kind not in types:
        return None
    try:
        nested = _nest(match["body"])
    except ValueError:
        return None
    coordinates = nested[0] if kind == "POINT" else nested
    if kind == "LINESTRING":
        coordinates = nested
    return {"type": types[kind], "coordinates": coordinates}


def _nest(body: str) -> Any:
    """``((1 2, 3 4), (5 6))`` → nested lists of [x, y] floats."""
    text = body.strip()
    if text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        if not inner.startswith("("):
            return [[float(n) for n in pair.split()] for pair in inner.split(",")]
        groups, depth, start = [], 0, 0
        for i, c in enumerate(inner):
            if c == "(":
                depth += 1
                if depth == 1:
                    start = i
            elif c == ")":
                depth -= 1
                if depth == 0:
                    groups.append(_nest(inner[start : i + 1]))
        return groups
    raise ValueError(body)
