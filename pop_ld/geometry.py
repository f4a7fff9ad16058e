"""POP coordinates (WGS84 pairs, legacy Lambert/UTM COOR and COORM, POP polygons) → WKT.

WKT is written lon lat, GeoSPARQL's default CRS84, 7 decimals (about 1 cm). Legacy COOR/COORM
values are projected metres in the system named by ZONE; pyproj converts them with EPSG codes
(one cached Transformer per code). Rules, from the real values in the corpus:

- Lambert I–IV (NTF, Paris meridian): a Y ≥ 1 000 000 is the "carto" variant (EPSG:2757n,
  false northing n × 1 000 000 + 200 000; Lambert II carto is "Lambert II étendu", 27572);
  a smaller Y is the zone variant (EPSG:2756n: Nord, Centre, Sud, Corse).
- A Lambert n Y of eight digits starting with n ("0774740 ; 10091150", ZONE Lambert1, in
  Haute-Marne) is the zone digit followed by the zone variant's Y on seven digits: it reads
  n × 1 000 000 + the rest (1 091 150, carto). POP's own converter rejects these values
  ("La projection utilisée n'est pas correct"); this rule puts them in their commune.
- "Lambert0", as POP writes it on Haute-Marne notices, is Lambert II étendu (POP's converter
  treats it so too). "Lambert2 ; Lambert3" picks the zone whose carto Y range holds Y.
- "UTM"/"MTU" without a zone number: the zone is told by the magnitudes (Antilles 20N,
  Guyane 22N, Réunion 40S, Mayotte 38S). A UTM pair written northing first (many Martinique
  and Guyane values) is swapped when only the swapped order falls in the zone's territory. Overseas UTM uses the French ITRS-compatible datums
  (RGAF09, RGFG95, RGR92, RGM04, RGSPM06); legacy local datums may be off by a few hundred
  metres. Gauss-Laborde Réunion is EPSG:3727 (EPSG:2990 had false easting/northing swapped).
- Both numbers below 10 000 are kilometres ("0360.170 ; 0541.180", Guyane): × 1000.
- No ZONE: guessed only where a single French system fits X and Y (Lambert 93, CC42–CC50,
  Lambert I/III/IV carto, Lambert II étendu north of ~44.6°N) and the point falls in France;
  otherwise None. Southern Lambert II étendu overlaps UTM 20N (Antilles) and is not guessed.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

from pyproj import Transformer

# --- output --------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def point_wkt(lon: float, lat: float) -> str:
    """A WGS84 point as GeoSPARQL WKT, lon first: ``POINT(2.3522 48.8566)``."""
    return f"POINT({_fmt(lon)} {_fmt(lat)})"


def polygon_wkt(rings: list[list[tuple[float, float]]]) -> str:
    """Rings of (lon, lat), the first outer, as WKT; each ring is closed if it is not."""
    texts = []
    for ring in rings:
        if len(ring) < 3:
            raise ValueError(f"a polygon ring needs 3 points at least, got {len(ring)}")
        points = list(ring)
        if points[0] != points[-1]:
            points.append(points[0])
        texts.append("(" + ", ".join(f"{_fmt(lon)} {_fmt(lat)}" for lon, lat in points) + ")")
    if not texts:
        raise ValueError("a polygon needs one ring at least")
    return "POLYGON(" + ", ".join(texts) + ")"


# --- WGS84 values --------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_LATLON = re.compile(r"[\[{(]?\s*(-?\d+(?:\.\d+)?)\s*(?:,|\s)\s*(-?\d+(?:\.\d+)?)\s*[\]})]?")
_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\t": " "})


def _number(text: str) -> float | None:
    """A number as POP writes it: NBSP or inner spaces ("1615 350"), ',' as decimal point."""
    if _NUMBER.fullmatch(text):  # already plain: nothing to translate or replace
        return float(text)
    s = text.translate(_SPACES).replace(" ", "").replace(",", ".")
    return float(s) if _NUMBER.fullmatch(s) else None


def _valid_degrees(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def parse_latlon(text: str) -> tuple[float, float] | None:
    """A "lat, lon" string (wgs84, coordonnees, geolocalisation) → (lat, lon); None for 0,0."""
    s = text.translate(_SPACES).strip()
    if ";" in s:  # "48,32 ; 7,42": commas are decimal points
        parts = s.strip("[]{}() ").split(";")
        if len(parts) != 2:
            return None
        lat, lon = _number(parts[0]), _number(parts[1])
    else:
        m = _LATLON.fullmatch(s)
        if m is None:
            return None
        lat, lon = float(m[1]), float(m[2])
    if lat is None or lon is None or not _valid_degrees(lat, lon):
        return None
    return (lat, lon)


def from_pop_coordonnees(
    lat: str | float | None, lon: str | float | None
) -> tuple[float, float] | None:
    """POP_COORDONNEES.lat/.lon → (lon, lat); None for POP's 0,0 "no location" sentinel."""
    if lat is None or lon is None:
        return None
    y = _number(lat) if isinstance(lat, str) else float(lat)
    x = _number(lon) if isinstance(lon, str) else float(lon)
    if x is None or y is None or not _valid_degrees(y, x):
        return None
    return (x, y)


def from_pop_polygon(coordinates: str | list | dict) -> str | None:
    """POP_COORDINATES_POLYGON.coordinates, [lat, lon] pairs (POP's order) → WKT lon lat."""
    data = coordinates
    if isinstance(coordinates, str):
        if not coordinates.strip():
            return None
        try:
            data = json.loads(coordinates)
        except ValueError:
            return None
    if isinstance(data, dict):  # the whole {"type": "Polygon", "coordinates": …} object
        data = data.get("coordinates")
    if not isinstance(data, list) or not data:
        return None
    rings = [data] if _is_pair(data[0]) else data  # one ring of pairs, or a list of rings
    out: list[list[tuple[float, float]]] = []
    for ring in rings:
        points: list[tuple[float, float]] = []
        for pair in ring if isinstance(ring, list) else ():
            if not _is_pair(pair):
                return None
            lat, lon = float(pair[0]), float(pair[1])
            if not _valid_degrees(lat, lon):
                return None
            points.append((lon, lat))
        if len(set(points)) < 3:
            return None
        out.append(points)
    return polygon_wkt(out) if out else None


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


# --- France --------------------------------------------------------------------------------

# (west, south, east, north), generous by a few km; used to flag swapped or wrong-zone values.
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "métropole et Corse": (-5.3, 41.3, 9.6, 51.15),
    "Guadeloupe, Saint-Martin, Saint-Barthélemy": (-63.2, 15.8, -60.95, 18.15),
    "Martinique": (-61.3, 14.35, -60.75, 14.9),
    "Guyane": (-54.65, 2.1, -51.55, 5.85),
    "La Réunion": (55.2, -21.4, 55.85, -20.85),
    "Mayotte": (44.95, -13.05, 45.35, -12.6),
    "Saint-Pierre-et-Miquelon": (-56.45, 46.7, -56.1, 47.2),
    "Polynésie française": (-155.0, -28.0, -134.0, -7.0),
    "Nouvelle-Calédonie": (163.5, -22.9, 168.2, -19.5),
    "Wallis-et-Futuna": (-178.3, -14.4, -176.1, -13.1),
}


def in_france(lon: float, lat: float) -> bool:
    """Whether a point falls in France (metropolitan or overseas); False flags a bad value."""
    for west, south, east, north in FRANCE_BOXES.values():
        if west <= lon <= east and south <= lat <= north:
            return True
    return False


# --- projected values ----------------------------------------------------------------------

LAMBERT_CARTO = {1: 27571, 2: 27572, 3: 27573, 4: 27574}  # NTF (Paris) / Lambert zone I–IV
LAMBERT_ZONE = {1: 27561, 2: 27562, 3: 27563, 4: 27564}  # Nord, Centre, Sud France, Corse
LAMBERT_CARTO_Y = {
    1: (1.0e6, 1.45e6),
    2: (1.55e6, 2.75e6),
    3: (2.95e6, 3.45e6),
    4: (3.95e6, 4.45e6),
}
LAMBERT_93 = 2154
GAUSS_LABORDE = 3727  # Reunion 1947 / TM Reunion
UTM = {"20n": 5490, "21n": 4467, "22n": 2972, "38s": 4471, "40s": 2975}
UTM_EXTENT = {  # easting, northing ranges of each overseas territory, metres
    "20n": ((4.0e5, 8.0e5), (1.5e6, 2.1e6)),
    "21n": ((5.3e5, 5.9e5), (5.15e6, 5.25e6)),
    "22n": ((1.0e5, 5.0e5), (1.5e5, 6.6e5)),
    "38s": ((4.8e5, 5.5e5), (8.53e6, 8.63e6)),
    "40s": ((3.0e5, 3.9e5), (7.6e6, 7.7e6)),
}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ZONE_CLEAN = re.compile(r"[\s\-_.()]+")
_ZONE_FOLD = str.maketrans("éèêÉÈ", "eeeee")
_LAMBERT = re.compile(
    r"lambert(?P<n>[0-4]|iv|iii|ii|i)?(?P<rest>etendu|e|carto|nord|centre|sud|corse|france)?"
)
_NAMED_LAMBERT = {"nord": 1, "centre": 2, "sud": 3, "corse": 4, "etendu": 2}
_UTM = re.compile(r"(?:utm|mtu)(?:zone)?(?P<z>\d\d)?(?P<h>[ns]|nord|sud)?")
_CC = re.compile(r"(?:lambert|rgf93)?cc(?P<z>4[2-9]|50)")
_L93 = re.compile(r"(?:rgf93)?(?:lambert93|l93|lb93)|rgf93")
_WGS84 = re.compile(r"wgs84|wgs|gps")
_GAUSS = re.compile(r"gauss(?:laborde)?(?:reunion)?")


def _zone_key(zone: str) -> str:
    return _ZONE_CLEAN.sub("", zone.lower().translate(_ZONE_FOLD))


@cache
def _zone_systems(zone: str) -> tuple[str, ...]:
    """ZONE text → one or several systems: "lambert2", "epsg:2154", "utm", "wgs84"…"""
    parts = [p for p in re.split(r"\s*(?:;|/|,|\bou\b|\bet\b)\s*", zone) if p.strip()]
    systems = []
    for part in parts or [zone]:
        key = _zone_key(part)
        m = _LAMBERT.fullmatch(key)
        if m and (m["n"] or m["rest"] in _NAMED_LAMBERT):
            n = m["n"] or ""
            number = _ROMAN.get(n) if n in _ROMAN else int(n) if n else _NAMED_LAMBERT[m["rest"]]
            systems.append(f"lambert{2 if number == 0 else number}")  # "Lambert0": II étendu
            continue
        if _L93.fullmatch(key):
            systems.append(f"epsg:{LAMBERT_93}")
            continue
        m = _CC.fullmatch(key)
        if m:
            systems.append(f"epsg:{3900 + int(m['z'])}")
            continue
        m = _UTM.fullmatch(key)
        if m:
            hemisphere = (m["h"] or "")[:1]
            code = f"{m['z']}{hemisphere or ('s' if m['z'] in ('38', '40') else 'n')}"
            if m["z"] and code not in UTM:
                raise ValueError(f"unknown ZONE {zone!r}: UTM zone {code} is not French")
            systems.append(f"utm{code}" if m["z"] else "utm")
            continue
        if _GAUSS.fullmatch(key):
            systems.append(f"epsg:{GAUSS_LABORDE}")
            continue
        if _WGS84.fullmatch(key):
            systems.append("wgs84")
            continue
        raise ValueError(
            f"unknown ZONE {zone!r}: expected Lambert1–4, Lambert2 étendu, Lambert93, CC42–CC50,"
            " Gauss-Laborde, UTM20N/21N/22N/38S/40S or WGS84"
        )
    return tuple(systems)


class _OutOfProjection(Exception):
    """X, Y no French system can place (inf from pyproj, a lost digit): the value is unusable."""


@cache
def _transformer(epsg: int) -> Transformer:
    """One Transformer per EPSG code: creating one costs ~1 ms, using it ~3 µs."""
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def _project(systems: tuple[str, ...], x: float, y: float, zone: str) -> tuple[float, float]:
    """Projected x, y in one of the ZONE's systems → (lon, lat). Raises on an ambiguous zone."""
    if abs(x) < 10_000 and abs(y) < 10_000 and systems != ("wgs84",):
        x, y = x * 1000, y * 1000  # kilometres
    if len(systems) > 1:
        fitting = [s for s in systems if s.startswith("lambert") and _in_carto(int(s[-1]), y)]
        if len(fitting) != 1:
            raise ValueError(f"ambiguous ZONE {zone!r} for Y = {y:.0f}")
        systems = (fitting[0],)
    system = systems[0]
    if system == "wgs84":
        return (x, y)
    if system.startswith("lambert"):
        epsg = _lambert_epsg(int(system[-1]), y)
        if y >= 10_000_000:
            y -= int(system[-1]) * 9_000_000
    elif system.startswith("utm"):
        code = system[3:] or _utm_zone(x, y) or _utm_zone(y, x)
        if not code:  # the numbers are wrong (a digit lost), not the zone
            raise _OutOfProjection
        if not _in_extent(code, x, y) and _in_extent(code, y, x):
            x, y = y, x  # northing written first ("1636142 ; 690531", Martinique)
        epsg = UTM[code]
    else:
        epsg = int(system[5:])
    lon, lat = _transformer(epsg).transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _OutOfProjection
    return (lon, lat)


def _in_carto(n: int, y: float) -> bool:
    low, high = LAMBERT_CARTO_Y[n]
    return low <= y <= high


def _lambert_epsg(n: int, y: float) -> int:
    if y >= 10_000_000 and int(y // 10_000_000) == n:  # "10091150": zone digit + 7-digit Y
        return LAMBERT_CARTO[n]
    return LAMBERT_CARTO[n] if y >= 1_000_000 else LAMBERT_ZONE[n]


def _utm_zone(x: float, y: float) -> str | None:
    for code in UTM_EXTENT:
        if _in_extent(code, x, y):
            return code
    return None


def _in_extent(code: str, easting: float, northing: float) -> bool:
    (e0, e1), (n0, n1) = UTM_EXTENT[code]
    return e0 <= easting <= e1 and n0 <= northing <= n1


def _guess_systems(x: float, y: float) -> tuple[str, ...] | None:
    """The one system a ZONE-less X, Y can be in, or None when several (or none) fit."""
    found = []
    if 5.0e4 <= x <= 1.3e6 and 6.0e6 <= y <= 7.15e6:
        found.append(f"epsg:{LAMBERT_93}")
    if 1.0e6 <= x <= 2.4e6 and 1 <= y // 1e6 <= 9 and 0.08e6 <= y % 1e6 <= 0.33e6:
        found.append(f"epsg:{3941 + int(y // 1e6)}")
    if 0 <= x <= 1.25e6:
        for n in (1, 3, 4):
            if _in_carto(n, y):
                found.append(f"lambert{n}")
        if 2.05e6 <= y <= 2.75e6:
            found.append("lambert2")
    return (found[0],) if len(found) == 1 else None


_PAIR_SPLIT = re.compile(r"\s*;\s*|\s+,\s+")


def _pair(text: str) -> tuple[float, float] | None:
    """ "x ; y", "x;y", "x , y", "x,y" → two numbers; None otherwise."""
    s = text.translate(_SPACES).strip()
    if ";" in s or " , " in s:
        parts = [p for p in _PAIR_SPLIT.split(s) if p]
    elif s.count(",") == 1:
        parts = s.split(",")
    else:
        return None
    if len(parts) not in (2, 4):
        return None
    numbers = [n for n in map(_number, parts) if n is not None]
    if len(numbers) != len(parts):
        return None
    return (numbers[0], numbers[1]) if len(numbers) == 2 else _box_centre(*numbers)


def _box_centre(a: float, b: float, c: float, d: float) -> tuple[float, float] | None:
    """ "x1 ; x2 ; y1 ; y2" (a box, as some Inventaire COOR hold) → its centre, if unambiguous."""
    near = 20_000
    xxyy = abs(a - b) < near and abs(c - d) < near and abs(a - c) >= near
    xyxy = abs(a - c) < near and abs(b - d) < near and abs(a - b) >= near
    if xxyy == xyxy:
        return None
    return ((a + b) / 2, (c + d) / 2) if xxyy else ((a + c) / 2, (b + d) / 2)


def from_coor(coor: str, zone: str | None) -> tuple[float, float] | None:
    """Legacy COOR "x ; y" in ZONE's projection → (lon, lat) WGS84; ValueError for a bad ZONE."""
    xy = _pair(coor)
    if xy is None or xy == (0, 0):
        return None
    x, y = xy
    try:
        if zone and zone.strip():
            return _project(_zone_systems(zone.strip()), x, y, zone)
        systems = _guess_systems(*_scaled(x, y))
        if systems is None:
            return None
        lon, lat = _project(systems, x, y, "")
    except _OutOfProjection:
        return None
    return (lon, lat) if in_france(lon, lat) else None


def _scaled(x: float, y: float) -> tuple[float, float]:
    return (x * 1000, y * 1000) if abs(x) < 10_000 and abs(y) < 10_000 else (x, y)


_COORM_LIST = re.compile(r"\s+,\s+")


def from_coorm(coorm: str, zone: str | None) -> str | None:
    """Legacy COORM polygon ("x ; y/x ; y/…", "x,y;x,y", "x , y , x , y…") → WKT, or None."""
    s = coorm.translate(_SPACES).strip().rstrip("/;, ")
    if not s:
        return None
    if "/" in s:
        found = [_pair(p) for p in s.split("/") if p.strip()]
    elif ";" in s and "," in s and all(p.count(",") == 1 for p in s.split(";") if p.strip()):
        found = [_pair(p) for p in s.split(";") if p.strip()]
    elif " , " in s:  # "0786377 , 2231656 , 0793472 , …" ("504417, 32" is 504417.32)
        numbers = [_number(t) for t in _COORM_LIST.split(s)]
        if len(numbers) % 2:
            return None
        found = [
            (x, y) if x is not None and y is not None else None
            for x, y in zip(numbers[::2], numbers[1::2], strict=True)
        ]
    else:
        return None
    pairs = [p for p in found if p is not None]
    if len(pairs) < 3 or len(pairs) < len(found):
        return None
    try:
        points = _project_all(pairs, zone)
    except _OutOfProjection:
        return None
    if points is None or len(set(points)) < 3:
        return None
    return polygon_wkt([points])


def _project_all(
    pairs: list[tuple[float, float]], zone: str | None
) -> list[tuple[float, float]] | None:
    if zone and zone.strip():
        systems = _zone_systems(zone.strip())
        return [_project(systems, x, y, zone) for x, y in pairs]
    guessed = {_guess_systems(*_scaled(x, y)) for x, y in pairs}
    if len(guessed) != 1:
        return None
    systems = guessed.pop()
    if systems is None:
        return None
    points = [_project(systems, x, y, "") for x, y in pairs]
    return points if all(in_france(lon, lat) for lon, lat in points) else None
