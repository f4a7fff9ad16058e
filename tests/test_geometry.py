"""pop_ld.geometry: POP coordinates → WGS84 lon/lat WKT, checked against known places."""

from __future__ import annotations

import csv
import json
import math
import re

import pytest
from conftest import corpus_file

from pop_ld.geometry import (
    from_coor,
    from_coorm,
    from_pop_coordonnees,
    from_pop_polygon,
    in_france,
    parse_latlon,
    point_wkt,
    polygon_wkt,
)

TOLERANCE = 1e-4  # degrees, about 10 m


def test_point_wkt() -> None:
    assert point_wkt(2.3522, 48.8566) == "POINT(2.3522 48.8566)"
    assert point_wkt(-61.056342864915, 14.609846431666) == "POINT(-61.0563429 14.6098464)"
    assert point_wkt(-0.00000001, 45.0) == "POINT(0 45)"


def test_polygon_wkt_closes_rings() -> None:
    ring = [(2.0, 48.0), (2.1, 48.0), (2.1, 48.1)]
    assert polygon_wkt([ring]) == "POLYGON((2 48, 2.1 48, 2.1 48.1, 2 48))"
    assert polygon_wkt([[*ring, (2.0, 48.0)]]) == "POLYGON((2 48, 2.1 48, 2.1 48.1, 2 48))"
    with pytest.raises(ValueError, match="3 points"):
        polygon_wkt([[(2.0, 48.0), (2.1, 48.0)]])


LATLON = [
    ("48.32, 7.42", (48.32, 7.42)),
    ("48.32,7.42", (48.32, 7.42)),
    ("[48.32, 7.42]", (48.32, 7.42)),
    ("48.32,\xa07.42", (48.32, 7.42)),
    (" 43.6066694605866, 1.44583434377514 ", (43.6066694605866, 1.44583434377514)),
    ("14.6,-61.05", (14.6, -61.05)),
    ("48,32 ; 7,42", (48.32, 7.42)),
    ("0,0", None),
    ("{0,0}", None),
    ("", None),
    ("95.1, 7.42", None),
    ("48.32", None),
    ("Marina Zveguinzoff", None),
]


@pytest.mark.parametrize(("text", "expected"), LATLON)
def test_parse_latlon(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_latlon(text) == expected


COORDONNEES = [
    (48.8530, 2.3499, (2.3499, 48.8530)),
    ("48.8530", "2.3499", (2.3499, 48.8530)),
    ("48,853", "2,3499", (2.3499, 48.853)),
    (0, 0, None),
    ("0", "0", None),
    (None, 2.35, None),
    ("", "", None),
    ("1378000.0", "974600.0", None),  # Lambert metres in the lat/lon columns (PA00125223)
]


@pytest.mark.parametrize(("lat", "lon", "expected"), COORDONNEES)
def test_from_pop_coordonnees(lat, lon, expected) -> None:
    assert from_pop_coordonnees(lat, lon) == expected


# (COOR, ZONE, expected lon, lat): places checked by hand, see each comment.
COOR = [
    # Notre-Dame de Paris (2.3499, 48.8530) is (652 297, 6 861 636) in Lambert 93.
    ("652297 ; 6861636", "Lambert93", (2.3499, 48.8530)),
    # Gertrude export IA30001143: coopérative of Gallargues-le-Montueux (Gard).
    ("0794409;6291409", "Lambert93", (4.1713, 43.7154)),
    # Palissy IM52000044, Puellemontier (Haute-Marne): "10091150" is zone digit + Y 0091150.
    ("0774740 ; 10091150", "Lambert1", (4.7011, 48.4964)),
    # IM52000065, Joinville (Haute-Marne).
    ("0807255 ; 10085575", "Lambert1", (5.1380, 48.4363)),
    # IM52000594 Guyonvelle (Haute-Marne): POP's "Lambert0" is Lambert II étendu.
    ("0852501 ; 2322595", "Lambert0", (5.7114, 47.8540)),
    ("0852501 ; 2322595", "Lambert II étendu", (5.7114, 47.8540)),
    ("0852501 ; 2322595", "Lambert2", (5.7114, 47.8540)),
    # Toulouse GeoJSON, first feature; its own chpcoorwgs84 is 43.6066695, 1.4458343.
    ("528094.059368019 ; 145584.239131363", "Lambert3 sud", (1.4458, 43.6067)),
    # … and its chpcoorlb93, which is really CC43.
    ("1574536.61976185 ; 2268556.21858593", "CC43", (1.4458, 43.6067)),
    # IA17 (Charente-Maritime), ZONE "Lambert2 ; Lambert3": Y tells which.
    ("0299400 ; 3312900", "Lambert2 ; Lambert3", (-1.4807, 45.0533)),
    ("0299400 ; 2157000", "Lambert2 ; Lambert3", (-1.5703, 46.3458)),
    # Martinique (EA972…), ZONE "UTM" without a number; "1615 350" has an inner space.
    ("709367 ; 1616070", "UTM", (-61.0563, 14.6098)),
    ("707774 ; 1615 350", "UTM", (-61.0712, 14.6035)),
    # IA97200057 (Martinique) and IA97300274 (Guyane, km): northing written first.
    ("1636142 ; 690531", "MTU", (-61.2297, 14.7926)),
    ("545.950 ; 351.662", "MTU", (-52.3379, 4.9379)),
    # Guadeloupe (IA971…).
    ("0660250 ; 1799900", "UTM20N", (-61.5003, 16.2746)),
    # Cayenne (IA973…), ZONE "MTU", kilometres.
    ("0360.170 ; 0541.180", "MTU", (-52.2611, 4.8949)),
    # Gauss-Laborde Réunion: Saint-Denis (55.4504 E, 20.8823 S) is (151 985, 77 325).
    ("151985 ; 77325", "Gauss-Laborde", (55.4504, -20.8823)),
    # No ZONE: only where one system fits (CC45 here: EA24000001, Dordogne).
    ("1522552 ; 4223252", None, (0.7416, 45.1870)),
    ("652297 ; 6861636", "", (2.3499, 48.8530)),
    # A box "x1 ; x2 ; y1 ; y2" (IA14…, Calvados), no ZONE: its centre, Lambert I carto.
    ("0395200 ; 0396500 ; 1154500 ; 1152400", None, (-0.4570, 49.0473)),
    ("2.35 ; 48.85", "WGS84", (2.35, 48.85)),
]


@pytest.mark.parametrize(("coor", "zone", "expected"), COOR, ids=[f"{c}|{z}" for c, z, _ in COOR])
def test_from_coor(coor: str, zone: str | None, expected: tuple[float, float]) -> None:
    result = from_coor(coor, zone)
    assert result is not None
    assert result[0] == pytest.approx(expected[0], abs=TOLERANCE)
    assert result[1] == pytest.approx(expected[1], abs=TOLERANCE)
    assert in_france(*result)


COOR_NONE = [
    ("X ; Y", "Lambert3 sud"),  # the Toulouse placeholder
    ("", "Lambert93"),
    ("0 ; 0", "Lambert93"),
    ("0613560 11", "Lambert2"),
    ("1900003 ; 0876477 ; 1900076", "Lambert1"),
    ("065722 ; 1795435", "UTM"),  # a digit lost: fits no overseas UTM zone
    ("706600 ; 1616788", None),  # Martinique UTM or Gulf of Lion Lambert II? unsaid: None
    ("4993 ;4333", None),
    ("Marina Zveguinzoff", None),
]


@pytest.mark.parametrize(("coor", "zone"), COOR_NONE)
def test_from_coor_gives_none(coor: str, zone: str | None) -> None:
    assert from_coor(coor, zone) is None


@pytest.mark.parametrize("zone", ["Lambert5", "UTM30", "Lambert", "Mercator"])
def test_from_coor_unknown_zone_raises(zone: str) -> None:
    with pytest.raises(ValueError, match="ZONE"):
        from_coor("600000 ; 2200000", zone)


def test_from_coor_ambiguous_zone_raises() -> None:
    with pytest.raises(ValueError, match="ambiguous ZONE"):
        from_coor("600000 ; 600000", "Lambert2 ; Lambert3")


def _ring(wkt: str) -> list[tuple[float, float]]:
    m = re.fullmatch(r"POLYGON\(\(([^()]*)\)\)", wkt)
    assert m, wkt
    return [(float(x), float(y)) for x, y in (p.split() for p in m[1].split(", "))]


COORM = [
    # EA59141206, no ZONE (CC50): "x ; y/x ; y" with NBSP before ';'.
    (
        "1714481 ; 9275307/1714418\xa0; 9275407/1714577\xa0; 9275593/1714650\xa0; 9275488"
        "/1714481\xa0; 9275307",
        None,
        [(3.2049, 50.6769), (3.2040, 50.6778), (3.2062, 50.6794), (3.2073, 50.6785)],
    ),
    # IA21004969 in Lambert II étendu, "x , y , x , y" list.
    (
        "0786377 , 2231656 , 0793472 , 2229899 , 0794411 , 2224952 , 0789178 , 2225552"
        " , 0786377 , 2231656",
        "Lambert2",
        [(4.7904, 47.0586), (4.8830, 47.0407), (4.8932, 46.9960), (4.8247, 47.0029)],
    ),
    # IA36001833: "504417, 32" is 504417.32.
    (
        "504417, 32 , 2175656, 41 , 504426, 34 , 2175668, 20 , 504456, 86 , 2175650, 87",
        "Lambert2",
        [(1.0895, 46.5741), (1.0896, 46.5742), (1.0900, 46.5741)],
    ),
    ("652297,6861636;652397,6861636;652397,6861736", "Lambert93", None),
]


@pytest.mark.parametrize(("coorm", "zone", "expected"), COORM)
def test_from_coorm(coorm: str, zone: str | None, expected) -> None:
    wkt = from_coorm(coorm, zone)
    assert wkt is not None
    ring = _ring(wkt)
    assert ring[0] == ring[-1]
    if expected is None:  # Notre-Dame and two points 100 m east and north-east
        expected = [(2.3499, 48.8530), (2.3513, 48.8530), (2.3513, 48.8539)]
    assert len(ring) == len(expected) + 1
    for (lon, lat), (lon2, lat2) in zip(ring, expected, strict=False):
        assert (lon, lat) == pytest.approx((lon2, lat2), abs=TOLERANCE)


@pytest.mark.parametrize(
    "coorm",
    [
        "",
        "0624625 , 0633875 , 2055275 , 3348325 , 0624625",  # five numbers
        "0282500 , 0282700 , 1075200 , 1YS0 ER , 0075000 ER",
        "1658038 , 8167108",
        "652297 ; 6861636/652297 ; 6861636/652297 ; 6861636",  # one point thrice
    ],
)
def test_from_coorm_gives_none(coorm: str) -> None:
    assert from_coorm(coorm, "Lambert2") is None


POP_POLYGONS = [
    ([[48.85, 2.35], [48.86, 2.35], [48.86, 2.36]], "POLYGON((2.35 48.85, 2.35 48.86, 2.36 48.86, 2.35 48.85))"),
    ("[[48.85, 2.35], [48.86, 2.35], [48.86, 2.36], [48.85, 2.35]]", "POLYGON((2.35 48.85, 2.35 48.86, 2.36 48.86, 2.35 48.85))"),
    ({"type": "Polygon", "coordinates": [[48.85, 2.35], [48.86, 2.35], [48.86, 2.36]]}, "POLYGON((2.35 48.85, 2.35 48.86, 2.36 48.86, 2.35 48.85))"),
    ([], None),
    ("[]", None),
    ("", None),
    ("not json", None),
    ({"type": "Polygon", "coordinates": []}, None),
    ([[0, 0], [0, 0], [0, 0]], None),
    ([[48.85, 2.35], [48.86, 2.35]], None),
]  # fmt: skip


@pytest.mark.parametrize(("coordinates", "expected"), POP_POLYGONS)
def test_from_pop_polygon(coordinates, expected: str | None) -> None:
    assert from_pop_polygon(coordinates) == expected


IN_FRANCE = [
    ((2.3499, 48.8530), True),
    ((9.45, 42.70), True),  # Bastia
    ((-61.07, 14.60), True),  # Fort-de-France
    ((-52.33, 4.94), True),  # Cayenne
    ((55.45, -20.88), True),  # Saint-Denis de La Réunion
    ((45.23, -12.78), True),  # Mamoudzou
    ((48.8530, 2.3499), False),  # swapped
    ((-1.44, 43.60), True),
    ((1.44, -43.60), False),
    ((-61.05, 15.74), False),  # between Martinique and Guadeloupe: a typo in UTM
]


@pytest.mark.parametrize(("point", "expected"), IN_FRANCE)
def test_in_france(point: tuple[float, float], expected: bool) -> None:
    assert in_france(*point) is expected


def test_toulouse_lambert3_sud_matches_its_own_wgs84() -> None:
    """Each Toulouse feature gives chpcoor (Lambert3 sud or 93) and chpcoorwgs84: compare."""
    path = corpus_file("merimee/toulouse_base-merimee_inventaire_legacy_chp-fields.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    close = far = placeholders = 0
    for feature in features:
        p = feature["properties"]
        if not p.get("chpcoor"):
            continue
        point = from_coor(p["chpcoor"], p["chpzone"])
        if point is None:
            assert p["chpcoor"] == "X ; Y"
            placeholders += 1
            continue
        lat, lon = (float(v) for v in p["chpcoorwgs84"].split(","))
        error = max(abs(point[0] - lon), abs(point[1] - lat))
        assert error < 1e-3, p["chpcoor"]  # 3 source values are ~70 m off; none more
        close, far = (close + 1, far) if error < TOLERANCE else (close, far + 1)
    assert (close, far, placeholders) == (810, 3, 57)


def test_every_geoloc_of_the_2018_parsing_error_log() -> None:
    """POP's own unparsed GEOLOC values: nothing raises, and what is read is finite."""
    with corpus_file("auxiliary/pop_api_value_parsing_errors_2018.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        rows = [row for row in csv.reader(f) if row[0] == "GEOLOC"]
    points = polygons = outside = 0
    for _field, _ref, message, value in rows:
        m = re.match(r"\s*Cant find zone (.*?)\s*$", message)
        zone = m[1] if m else None
        if "/" in value or len(re.findall(r"\d+", value)) > 4:
            wkt = from_coorm(value, zone)
            if wkt is not None:
                assert all(math.isfinite(v) for pt in _ring(wkt) for v in pt)
                polygons += 1
        else:
            point = from_coor(value, zone)
            if point is not None:
                assert all(math.isfinite(v) for v in point)
                points += 1
                outside += not in_france(*point)
    # 5,201 values, of which 3,000 are a person's name (a column shift in the source).
    assert (len(rows), points, polygons, outside) == (5201, 1156, 232, 2)
