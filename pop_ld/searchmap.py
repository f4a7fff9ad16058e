"""Map arithmetic for the search: Web Mercator tiles and bounding boxes.

The map asks for what its visible box holds. Few notices come back as points (Leaflet's
markercluster groups them); many come back as the cells of a grid matched to the zoom, one
feature per cell with its count, so a view of all France costs the same as a view of a town.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pop_ld import bitsets

if TYPE_CHECKING:
    from pop_ld.searchindex import Hit, SearchIndex
    from pop_ld.searchstate import SearchState

#: Latitudes Web Mercator can show.
MAX_LAT = 85.05112878


@dataclass(frozen=True, slots=True)
class BBox:
    """West, south, east, north in degrees (WGS84), as Leaflet's ``toBBoxString()`` writes it."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str | None) -> BBox | None:
        """``"w,s,e,n"`` → BBox; None when absent or malformed.

        >>> BBox.parse("-5.2,42.3,8.3,51.1")
        BBox(west=-5.2, south=42.3, east=8.3, north=51.1)
        """
        if not text:
            return None
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError:
            return None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            return None
        south, north = max(-90.0, min(south, north)), min(90.0, max(south, north))
        west, east = max(-180.0, west), min(180.0, east)
        if west > east:
            return None
        return cls(west, south, east, north)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether a point lies in the box (edges included)."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def __str__(self) -> str:
        return f"{self.west:g},{self.south:g},{self.east:g},{self.north:g}"


def mercator_y(lat: float) -> float:
    """A latitude as Web Mercator's y, from 0 (north edge) to 1 (south edge)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0


def tile_of(lon: float, merc: float, zoom: int) -> tuple[int, int]:
    """The tile of a point given its longitude and its Mercator y (precomputed per notice)."""
    n = 1 << zoom
    return min(max(int((lon + 180.0) / 360.0 * n), 0), n - 1), min(max(int(merc * n), 0), n - 1)


def tile(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """The Web Mercator tile (x, y) holding a point at a zoom level.

    >>> tile(48.85294, 2.35005, 5)
    (16, 11)
    """
    return tile_of(lon, mercator_y(lat), zoom)


def grid_zoom(map_zoom: int) -> int:
    """The grid level whose cells look about 64 pixels wide at the map's zoom (tiles are 256)."""
    return max(0, min(12, map_zoom + 2))


#: A view holding at most this many notices gets them one by one; more, as grid cells.
MAP_POINTS = 2000
#: A box holding up to this many geolocated notices is read exactly from the R-tree; beyond,
#: the search's own notices are read (up to this many, an even sample past it).
MAP_EXACT = 20_000


def features(index: SearchIndex, state: SearchState, bbox: BBox, zoom: int) -> dict[str, Any]:
    """The GeoJSON of a search in a box: points, or grid cells with counts when there are many."""
    resolved = index.resolve(state)
    level = grid_zoom(zoom)
    (x0, y0), (x1, y1) = tile(bbox.north, bbox.west, level), tile(bbox.south, bbox.east, level)
    cells = (
        index.db()
        .execute(
            "SELECT count, lat, lon FROM geo_cells WHERE zoom = ? AND x BETWEEN ? AND ? AND y BETWEEN ? AND ?",
            (level, x0, x1, y0, y1),
        )
        .fetchall()
    )
    in_box = sum(c for c, _, _ in cells)  # every geolocated notice in the cells the box touches
    if resolved.everything and in_box > MAP_POINTS:
        return _collection([_cell(c, lat, lon) for c, lat, lon in cells], in_box, True)
    step = 1
    if resolved.everything or in_box <= MAP_EXACT:
        rows = index.db().execute(
            "SELECT id FROM geo WHERE min_lon >= ? AND max_lon <= ? AND min_lat >= ? AND max_lat <= ?",
            (bbox.west, bbox.east, bbox.south, bbox.north),
        )
        ids = [i for (i,) in rows]
        if not resolved.everything:
            data = bitsets.to_bytes(index.result_bits(state, resolved), index.size)
            ids = [i for i in ids if data[i >> 3] >> (i & 7) & 1]
    else:
        located = index.result_bits(state, resolved) & index.facet_bits("geolocated", ["true"])
        sample, step = bitsets.sample_ids(located, index.size, located.bit_count(), MAP_EXACT)
        lats, lons = index.array("lat", "d"), index.array("lon", "d")
        ids = [i for i in sample if bbox.contains(lats[i], lons[i])]
    if step == 1 and len(ids) <= MAP_POINTS:
        return _collection([_point(h) for h in index.hits(ids)], len(ids), False)
    lats, lons, mercs = index.array("lat", "d"), index.array("lon", "d"), index.array("merc", "d")
    grid: dict[tuple[int, int], list[float]] = {}
    for i in ids:
        cell = grid.setdefault(tile_of(lons[i], mercs[i], level), [0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += lats[i]
        cell[2] += lons[i]
    return _collection(
        [_cell(c * step, la / c, lo / c) for c, la, lo in grid.values()], len(ids) * step, step > 1
    )


def _collection(items: list[dict[str, Any]], total: int, approximate: bool) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "total": total,
        "approximate": approximate,
        "features": items,
    }


def _cell(count: int, lat: float, lon: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"cluster": True, "count": count},
    }


def _point(hit: Hit) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [hit.lon, hit.lat]},
        "properties": {
            "title": hit.title,
            "href": urlsplit(hit.notice).path,
            "base": hit.base,
            "ref": hit.ref,
            "place": hit.place,
        },
    }
