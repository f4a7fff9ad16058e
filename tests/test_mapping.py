"""The engine on the project's demo notices: what a researcher will query, checked in SPARQL."""

from __future__ import annotations

import io

import pytest
from conftest import ROOT
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, parse

from pop_ld import uris
from pop_ld.load import map_files
from pop_ld.mapping import Engine
from pop_ld.records import Notice

# The spine's two bases: the other bases' samples are tested with their mappings.
SAMPLE = [ROOT / "data" / "sample" / "merimee.json", ROOT / "data" / "sample" / "palissy.json"]
PREFIXES = """
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX pop: <https://w3id.org/pop-ld/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def mapped(files=SAMPLE, private: io.StringIO | None = None) -> str:
    out = io.StringIO()
    report = map_files(files, out, private_out=private, progress=False)
    assert report.ok, report.summary()
    return out.getvalue()


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.bulk_load(input=mapped().encode(), format=RdfFormat.N_QUADS)
    return s


def select(store: Store, query: str) -> list[tuple]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [tuple(None if v is None else v.value for v in row) for row in rows]


def thing(base: str, ref: str) -> str:
    return uris.thing(base, ref)


def test_output_is_stable_between_runs() -> None:
    assert mapped() == mapped()


def test_every_notice_is_its_own_graph(store: Store) -> None:
    rows = select(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?n0 a pop:Notice } } GROUP BY ?g"
    )
    assert len(rows) == 59
    assert {g for g, n in rows} == {
        uris.notice(base, ref)
        for base, ref in select(
            store,
            "SELECT ?b ?r WHERE { ?n pop:ref ?r ; pop:base ?bb . BIND(STRAFTER(STR(?bb), '/id/base/') AS ?b) }",
        )
    }
    assert all(int(n) == 1 for _, n in rows)


def test_century_becomes_searchable_bounds(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?ref ?b ?e WHERE {
          ?n pop:ref ?ref ; crm:P70_documents ?t .
          ?t crm:P108i_was_produced_by/crm:P4_has_time-span ?ts .
          ?ts crm:P82a_begin_of_the_begin ?b ; crm:P82b_end_of_the_end ?e .
          FILTER(?b >= "1150-01-01T00:00:00"^^xsd:dateTime && ?e <= "1260-12-31T23:59:59"^^xsd:dateTime)
        } ORDER BY ?ref""",
    )
    # Every hit lies inside the window, and the bounds are xsd:dateTime, not gYear.
    assert rows, "the sample has 12th/13th century buildings"
    for _ref, begin, end in rows:
        assert begin[:4] >= "1150" and end[:4] <= "1260"


def test_time_span_keeps_the_original_text(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?label ?b ?e WHERE {{
          <{thing("merimee", "PA00086250")}> crm:P108i_was_produced_by/crm:P9_consists_of ?part .
          ?part crm:P4_has_time-span ?ts . ?ts rdfs:label ?label .
          OPTIONAL {{ ?ts crm:P82a_begin_of_the_begin ?b ; crm:P82b_end_of_the_end ?e }}
        }} ORDER BY ?label""",
    )
    labels = {label: (b, e) for label, b, e in rows}
    assert labels["2e moitié 12e siècle"] == ("1150-01-01T00:00:00", "1199-12-31T23:59:59")
    assert labels["19e siècle"] == ("1800-01-01T00:00:00", "1899-12-31T23:59:59")


def test_protection_events_are_dated_type_assignments(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?ref ?status ?b WHERE {
          ?n pop:ref ?ref ; crm:P70_documents ?t .
          ?t pop:protection ?p . ?p a crm:E17_Type_Assignment ; crm:P41_classified ?t ;
             crm:P42_assigned/skos:prefLabel ?status ; crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b .
        } ORDER BY ?ref ?b""",
    )
    notre_dame = [(s, b) for ref, s, b in rows if ref == "PA00086250"]
    assert notre_dame == [("classé MH", "1862-01-01T00:00:00")]
    shortcut = select(
        store,
        f"SELECT ?s WHERE {{ <{thing('merimee', 'PA00086250')}> pop:statutProtection/skos:prefLabel ?s }}",
    )
    assert shortcut == [("classé MH",)]


def test_objects_link_to_their_building_whichever_loads_first() -> None:
    palissy = [p for p in SAMPLE if p.name == "palissy.json"]
    alone = Store()
    alone.bulk_load(input=mapped(palissy).encode(), format=RdfFormat.N_QUADS)
    target = NamedNode(thing("merimee", "PA80990002"))
    links = list(alone.quads_for_pattern(None, NamedNode(uris.POP + "conserveDans"), target))
    assert {str(q.subject) for q in links} == {
        f"<{thing('palissy', ref)}>" for ref in ("IM80990001", "PM80990002", "PM80990003")
    }


def test_reference_to_an_absent_notice_still_gets_its_uri(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?b ?n WHERE {{ <{thing("palissy", "PM49990001")}> pop:conserveDans ?b .
              OPTIONAL {{ ?n crm:P70_documents ?b }} }}""",
    )
    assert rows == [(thing("merimee", "PA49990001"), None)]


def test_everything_in_a_departement_is_one_pattern(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT DISTINCT ?ref WHERE {{
          ?n pop:ref ?ref ; crm:P70_documents ?t .
          ?t crm:P55_has_current_location/crm:P89_falls_within+ <{uris.place("departement", "80")}> .
        }} ORDER BY ?ref""",
    )
    refs = [r for (r,) in rows]
    assert "PA80990002" in refs and "PM80990001" in refs
    assert all(r[2:4] == "80" for r in refs)


def test_commune_departement_region_country_chain(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?d ?r ?c WHERE {{
          <{uris.place("commune", "75104")}> crm:P89_falls_within ?dpt .
          ?dpt rdfs:label ?d ; crm:P89_falls_within ?reg . ?reg rdfs:label ?r ;
          crm:P89_falls_within/rdfs:label ?c }}""",
    )
    assert rows == [("Paris", "Île-de-France", "France")]


def test_lambert93_coordinates_become_wgs84_wkt(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?wkt WHERE {{ <{thing("merimee", "PA30990001")}> crm:P55_has_current_location ?l .
              ?l geo:hasGeometry/geo:asWKT ?wkt }}""",
    )
    assert len(rows) == 1
    lon, lat = (float(x) for x in rows[0][0].removeprefix("POINT(").rstrip(")").split())
    assert lon == pytest.approx(4.535, abs=0.01) and lat == pytest.approx(43.947, abs=0.01)


def test_zero_zero_is_no_position(store: Store) -> None:
    notices = [
        r
        for (r,) in select(
            store,
            """SELECT ?ref WHERE { ?n pop:ref ?ref ; crm:P70_documents ?t .
               ?t crm:P55_has_current_location/geo:hasGeometry/geo:asWKT ?w .
               FILTER(CONTAINS(STR(?w), "POINT(0 0)")) }""",
        )
    ]
    assert notices == []


def test_concepts_are_shared_and_deduplicated(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?c (COUNT(DISTINCT ?t) AS ?n) WHERE {{
            ?t crm:P2_has_type ?c . ?c skos:inScheme <{uris.scheme("denomination-architecture")}> }}
           GROUP BY ?c ORDER BY DESC(?n) LIMIT 1""",
    )
    concept, count = rows[0]
    assert int(count) >= 5
    labels = select(store, f"SELECT ?l WHERE {{ <{concept}> skos:prefLabel ?l }}")
    assert len(labels) == 1


def test_masked_fields_never_reach_public_output() -> None:
    import json

    private = io.StringIO()
    public = mapped(private=private)
    masked: dict[str, dict[str, list[str]]] = {}
    for path in SAMPLE:
        for notice in json.loads(path.read_text(encoding="utf-8")):
            for code in ("ADRS2", "COM2", "EDIF2", "EMPL2", "INSEE2", "LBASE2"):
                value = notice.get(code)
                if value:
                    values = value if isinstance(value, list) else [value]
                    public_twin = notice.get(code[:-1]) or []
                    public_twin = public_twin if isinstance(public_twin, list) else [public_twin]
                    # a masked value the notice also states publicly (COM2 = COM) proves nothing
                    values = [v for v in values if v not in public_twin]
                    masked.setdefault(notice["REF"], {})[code] = values
    assert set(masked) == {"PM80990003", "IM80990001"}
    for ref, fields in masked.items():
        graph = f"<{uris.notice('palissy', ref)}>"
        own = "".join(
            line for line in public.splitlines(keepends=True) if line.endswith(f"{graph} .\n")
        )
        assert own, ref
        for code, values in fields.items():
            for value in values:
                # a masked address, building or room is nowhere in public output; a masked
                # commune name or INSEE code may be public elsewhere, never in this notice
                if code in ("ADRS2", "EDIF2", "EMPL2"):
                    assert value not in public, (ref, code)
                assert value not in own, (ref, code)
                assert value in private.getvalue(), (ref, code)
    assert "/graph/private/" not in public
    graphs = {
        str(q.graph_name) for q in parse(private.getvalue().encode(), format=RdfFormat.N_QUADS)
    }
    assert graphs == {f"<{uris.private_graph('palissy', ref)}>" for ref in masked}


def test_hostile_text_is_kept_as_a_literal(store: Store) -> None:
    rows = select(
        store,
        f"""SELECT ?text WHERE {{ <{thing("merimee", "PA80990002")}> crm:P67i_is_referred_to_by ?s .
             ?s crm:P190_has_symbolic_content ?text . FILTER(CONTAINS(?text, "<script>")) }}""",
    )
    assert rows == [("<script>alert('x')</script>",)]


def test_unknown_field_is_reported_not_dropped_silently() -> None:
    engine = Engine()
    notice = Notice("merimee", "PA00000001", {"REF": "PA00000001", "NOT_A_FIELD": "x"}, "t.json", 3)
    engine.map_notice(notice)
    assert list(engine.coverage.unlisted()) == [("merimee", "NOT_A_FIELD")]


def test_notice_records_dates_as_xsd_date() -> None:
    engine = Engine()
    notice = Notice(
        "merimee", "PA00000002", {"REF": "PA00000002", "DMAJ": "2022-09-20", "DMIS": "1993/08/24"}
    )
    quads = list(parse(engine.map_notice(notice).encode(), format=RdfFormat.N_QUADS))
    dates = {
        q.predicate.value.rsplit("/", 1)[1]: q.object
        for q in quads
        if q.predicate.value.startswith(uris.DCT)
    }
    xsd_date = NamedNode(uris.XSD + "date")
    assert dates == {
        "modified": Literal("2022-09-20", datatype=xsd_date),
        "created": Literal("1993-08-24", datatype=xsd_date),
    }


def test_engine_counts_exactly_the_quads_it_writes() -> None:
    """Quads are counted as they are written (counting lines would cost a scan per notice)."""
    from pop_ld.readers import read_notices

    engine = Engine()
    written = 0
    for path in SAMPLE:
        for notice in read_notices(path):
            written += engine.map_notice(notice).count("\n")
    assert engine.quads == written
