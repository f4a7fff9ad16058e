"""Notices read back from the graph: every mapped field reaches the page, labels stay in step."""

from __future__ import annotations

import csv
import json
import sys

import pyoxigraph as ox
import pytest
from conftest import ROOT, schema_file

from pop_ld import queries, readback, uris
from pop_ld.mapping import load_mapping

pytest_plugins = ["fixtures_demo"]

sys.path.insert(0, str(ROOT / "scripts"))
import make_labels  # noqa: E402

#: Patterns whose values are not fields of the page: shown otherwise (images, the map), read by
#: another field's pattern ("with"), or not published.
NOT_FIELDS = {"skip", "generated", "private", "image", "with"}


def document(store: ox.Store, base: str, ref: str) -> list[ox.Triple]:
    query = queries.load("notice_document")
    notice = ox.NamedNode(uris.notice(base, ref))
    return list(
        store.query(
            query.text,
            substitutions={ox.Variable("notice"): notice},
            use_default_graph_as_union=True,
        )
    )


@pytest.mark.parametrize("base", ["merimee", "palissy"])
def test_every_mapped_field_of_the_sample_is_on_its_page(demo_store: ox.Store, base: str) -> None:
    mapping = load_mapping(base)
    missing = []
    for notice in json.loads((ROOT / "data" / "sample" / f"{base}.json").read_text()):
        view = readback.read_notice(
            document(demo_store, base, notice["REF"]),
            base,
            notice["REF"],
            uris.notice(base, notice["REF"]),
        )
        shown = {f.code for section in view.sections for f in section.fields}
        for code in notice:
            spec = mapping.fields.get(code)
            if spec is not None and spec.pattern not in NOT_FIELDS and code not in shown:
                missing.append(f"{notice['REF']} {code}")
    assert missing == []


def test_a_single_date_goes_to_its_field(demo_store: ox.Store) -> None:
    """One dated value is the production's own time-span: a century is SCLE, a year DATE."""
    view = readback.read_notice(
        document(demo_store, "merimee", "PA30990001"), "merimee", "PA30990001",
        uris.notice("merimee", "PA30990001"),
    )  # fmt: skip
    historique = {f.code: [v.text for v in f.values] for s in view.sections for f in s.fields}
    assert historique["SCLE"] == ["1er siècle"]
    assert "SCLD" not in historique and "DATE" not in historique


def test_values_come_with_what_they_name(demo_store: ox.Store) -> None:
    view = readback.read_notice(
        document(demo_store, "palissy", "PM75990001"), "palissy", "PM75990001",
        uris.notice("palissy", "PM75990001"),
    )  # fmt: skip
    fields = {f.code: f.values for s in view.sections for f in s.fields}
    assert fields["REFA"] == [
        readback.Value(
            "Cathédrale Notre-Dame",
            "thing",
            uris.thing("merimee", "PA00086250"),
            note="PA00086250",
            published=True,
        )  # fmt: skip
    ]
    assert fields["INSEE"] == [
        readback.Value("75104", "place", uris.place("commune", "75104"), place_kind="commune")
    ]
    assert [(v.text, v.note) for v in fields["AUTR"]] == [
        ("Chapelle Nicolas", "fondeur de cloches"),
        ("Le Guay Florentin", "fondeur de cloches"),
    ]
    date = fields["DATE"][0]
    assert (date.text, date.begin, date.end) == (
        "1686",
        "1686-01-01T00:00:00",
        "1686-12-31T23:59:59",
    )


@pytest.mark.parametrize("base", make_labels.BASES)
def test_labels_are_in_step_with_pop_schemas(base: str) -> None:
    schema = schema_file(base)
    expected = make_labels.rows_for(make_labels.read_schema(schema))
    with open(ROOT / "mappings" / "labels" / f"{base}.csv", encoding="utf-8", newline="") as f:
        rows = [tuple(row) for row in csv.reader(f)][1:]
    assert rows == expected, "run scripts/make_labels.py"


def test_wkt_becomes_geojson() -> None:
    assert readback.wkt_to_geojson("POINT(2.35005 48.85294)") == {
        "type": "Point", "coordinates": [2.35005, 48.85294]
    }  # fmt: skip
    assert readback.wkt_to_geojson(
        "MULTIPOLYGON(((0 0, 1 0, 0 1, 0 0)), ((5 5, 6 5, 5 6, 5 5)))"
    ) == {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]],
            [[[5.0, 5.0], [6.0, 5.0], [5.0, 6.0], [5.0, 5.0]]],
        ],
    }
    assert readback.wkt_to_geojson("CIRCULARSTRING(0 0, 1 1, 2 0)") is None
    assert readback.wkt_to_geojson("POINT(x y)") is None
