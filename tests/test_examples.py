"""The editor's examples (sparql/examples/*.rq): each runs on the demo store and answers rows.

An example for a base whose demo notices are not in data/sample/ yet is skipped, naming the
missing file; it is never passed without running. The examples are data too: checked here
as SHACL executables, in /graph/examples and at /.well-known/sparql-examples.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from demo_data import missing_bases, select

from pop_ld import examples, queries, uris
from pop_ld.errors import PopLdError

pytest_plugins = ["fixtures_demo"]

ALL = examples.load_examples()
NAMES = [e.name for e in ALL]


def thing(base: str, ref: str) -> str:
    return uris.thing(base, ref)


def run(demo_store: ox.Store, name: str) -> list[dict[str, str | None]]:
    example = examples.example_named(name)
    assert example is not None, name
    missing = missing_bases(example.query.bases)
    if missing:
        pytest.skip(f"example {name} needs {', '.join(missing)}: that base is not in the demo yet")
    return select(demo_store, example.query.body)


def test_there_are_enough_examples_in_both_languages() -> None:
    assert len(ALL) >= 15
    for example in ALL:
        q = example.query
        assert q.summary and q.summary_en and q.description and q.description_en, q.file
        assert q.summary != q.summary_en, q.file
        assert q.tags, q.file
    views = {e.query.view for e in ALL}
    assert {"table", "map", "chart"} <= views


@pytest.mark.parametrize("name", NAMES)
def test_every_example_returns_rows(demo_store: ox.Store, name: str) -> None:
    rows = run(demo_store, name)
    assert rows, f"{name} returned no rows on the demo store"
    # nothing a researcher would see as "unbound" in every row: each column says something
    for column in rows[0]:
        assert any(r[column] is not None for r in rows), f"{name}: ?{column} is never bound"


def only(rows: list[dict[str, str | None]], *bases: str) -> list[dict[str, str | None]]:
    """Rows about things of these bases: other bases' samples may add rows of their own."""
    return [
        r
        for r in rows
        if any(f"/id/{b}/" in (v or "") for v in r.values() for b in bases)
        or not any("/id/" in (v or "") for v in r.values())
    ]


def test_heritage_of_finistere(demo_store: ox.Store) -> None:
    rows = only(run(demo_store, "heritage_in_departement"), "merimee", "palissy")
    assert [(r["thing"], r["label"], r["commune"]) for r in rows] == [
        (thing("merimee", "IA29990003"), "Calvaire", "Guimiliau"),
        (thing("merimee", "IA29990001"), "Enclos paroissial", "Guimiliau"),
        (thing("merimee", "IA29990002"), "Église paroissiale Saint-Miliau", "Guimiliau"),
        (thing("palissy", "IM29990002"), "fonts baptismaux et baldaquin", "Guimiliau"),
        (thing("palissy", "IM29990001"), "retable du Rosaire", "Guimiliau"),
    ]


def test_protection_in_several_steps(demo_store: ox.Store) -> None:
    rows = run(demo_store, "protected_in_several_steps")
    assert [(r["thing"], r["steps"], r["history"]) for r in rows] == [
        (thing("merimee", "PA51990002"), "2", "1862 : classé MH ; 1930/01/06 : inscrit MH"),
        (
            thing("merimee", "PA80990002"),
            "2",
            "1930/01/06 : inscrit MH ; 1971/06/03 : classé MH partiellement",
        ),
    ]


def test_works_of_viollet_le_duc(demo_store: ox.Store) -> None:
    rows = only(run(demo_store, "works_of_an_author"), "merimee", "palissy")
    assert [r["thing"] for r in rows] == [
        thing("merimee", ref)
        for ref in ("PA89990002", "PA00086250", "PA80990001", "PA63990001", "PA11990001")
    ]
    assert {r["role"] for r in rows} == {"architecte"}
    assert all("Viollet-le-Duc" in r["author"] for r in rows)  # type: ignore[operator]


def test_objects_older_than_their_building(demo_store: ox.Store) -> None:
    rows = run(demo_store, "objects_older_than_their_building")
    assert [(r["object"], r["objectYear"], r["building"], r["buildingYear"]) for r in rows] == [
        (thing("palissy", "PM13990001"), "300", thing("merimee", "PA13990001"), "1100"),
        (thing("palissy", "PM12990001"), "400", thing("merimee", "PA12990001"), "1050"),
        (thing("palissy", "PM28990002"), "1140", thing("merimee", "PA28990001"), "1145"),
    ]


def test_twelfth_century_uses_the_date_ranges(demo_store: ox.Store) -> None:
    rows = only(run(demo_store, "century_campaigns"), "merimee", "palissy")
    # every campaign overlaps 1100–1199, including those that start before it ("1100 vers")
    assert all(r["begin"] <= "1199-12-31T23:59:59" and r["end"] >= "1100" for r in rows)  # type: ignore[operator]
    assert (rows[0]["thing"], rows[0]["date"], rows[0]["begin"]) == (
        thing("palissy", "PM12990002"),
        "1100 vers",
        "1090-01-01T00:00:00",
    )
    assert len(rows) == 25


def test_examples_are_data(demo_store: ox.Store) -> None:
    rows = run(demo_store, "examples_as_data")
    iri = f"{uris.base_uri()}/.well-known/sparql-examples/"
    assert [(r["example"], r["keyword"]) for r in rows] == [
        (iri + "count_by_century", "chart"),
        (iri + "museum_works_by_domain", "chart"),
        (iri + "notices_per_base", "chart"),
        (iri + "protections_per_decade", "chart"),
        (iri + "map_of_monuments", "map"),
    ]


def test_notices_per_base(demo_store: ox.Store) -> None:
    rows = {r["base"]: r["notices"] for r in run(demo_store, "notices_per_base")}
    assert rows["Patrimoine architectural (Mérimée)"] == "34"
    assert rows["Patrimoine mobilier (Palissy)"] == "25"


# -- the examples as RDF ---------------------------------------------------------------------

SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"


def test_examples_are_shacl_executables() -> None:
    base = "https://pop-ld.example.org"
    triples = examples.examples_triples(base_uri=base)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    rows = select(
        store,
        f"""PREFIX sh: <{SH}> PREFIX schema: <{SCHEMA}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?ex ?select ?target ?fr ?en ?comment_fr ?comment_en WHERE {{
          ?ex a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;
              sh:select ?select ; schema:target ?target ;
              rdfs:label ?fr, ?en ; rdfs:comment ?comment_fr, ?comment_en .
          FILTER(LANG(?fr) = "fr" && LANG(?en) = "en")
          FILTER(LANG(?comment_fr) = "fr" && LANG(?comment_en) = "en")
        }} ORDER BY ?ex""",
    )
    assert [r["ex"] for r in rows] == [
        f"{base}/.well-known/sparql-examples/{name}" for name in sorted(NAMES)
    ]
    chart = next(r for r in rows if r["ex"].endswith("/count_by_century"))  # type: ignore[union-attr]
    assert chart["target"] == f"{base}/sparql"
    assert chart["select"] == queries.load("count_by_century", examples.EXAMPLES_DIR).body
    assert chart["select"].startswith("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>")  # type: ignore[union-attr]
    assert chart["en"] == "How many buildings and objects per century of creation (chart)"
    # the prefixes are declared as SHACL does, once for all the examples
    declared = select(
        store,
        f"PREFIX sh: <{SH}> SELECT ?p ?ns WHERE {{ ?x sh:prefixes/sh:declare [ sh:prefix ?p ; "
        f"sh:namespace ?ns ] }} GROUP BY ?p ?ns ORDER BY ?p",
    )
    assert {r["p"]: r["ns"] for r in declared} == uris.PREFIXES


def test_loading_the_examples_twice_changes_nothing() -> None:
    store = ox.Store()
    first = examples.load_into(store)
    assert examples.load_into(store) == first == len(store)
    assert {q.graph_name for q in store} == {ox.NamedNode(uris.graph("examples"))}


def test_examples_graph_is_n_quads_in_graph_examples() -> None:
    quads = list(ox.parse(examples.examples_graph(), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {uris.graph("examples")}  # type: ignore[union-attr]
    assert len(quads) == len(examples.examples_triples())


def test_menu_groups_the_examples_by_theme() -> None:
    sections = examples.menu(ALL)
    assert sections[0]["label"] == "Dates et siècles"
    assert sorted(e["name"] for s in sections for e in s["examples"]) == sorted(NAMES)
    entry = examples.example_named("map_of_monuments").menu_entry()  # type: ignore[union-attr]
    assert (entry["view"], entry["bases"], "map" in entry["tags"]) == ("map", ["merimee"], True)
    assert not entry["query"].startswith("#+")


# -- header keys of an example -----------------------------------------------------------------


def test_example_header_keys() -> None:
    text = (
        "#+ summary: Carte\n#+ summary_en: Map\n#+ description_en: Drawn\n#+ description_en: on a map\n"
        "#+ view: map\n#+ bases: merimee, palissy\nSELECT * WHERE { ?s ?p ?o }\n"
    )
    query = queries.parse(text, "m", "m.rq")
    assert (query.summary_en, query.description_en, query.view, query.bases) == (
        "Map",
        "Drawn on a map",
        "map",
        ("merimee", "palissy"),
    )
    assert query.body == "SELECT * WHERE { ?s ?p ?o }\n"
    with pytest.raises(PopLdError) as caught:
        queries.parse("#+ summary: s\n#+ view: pie\nASK {}", "bad", "bad.rq")
    assert str(caught.value) == "bad.rq:2: unknown view 'pie' (known: table, map, chart)"


def test_an_example_needs_english(tmp_path) -> None:
    (tmp_path / "x.rq").write_text("#+ summary: Seulement en français\nASK {}\n", encoding="utf-8")
    with pytest.raises(PopLdError, match="an example needs '#\\+ summary_en: …'"):
        examples.load_examples(tmp_path)
