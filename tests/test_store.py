"""The store interface on both backends: pyoxigraph on disk and a real `oxigraph serve`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from http_servers import (
    BASE,
    MINI,
    ORIGIN_TIMEOUT,
    SLOW_QUERY,
    load_store,
)

from pop_ld import queries
from pop_ld.errors import PopLdError
from pop_ld.formats import FORMATS
from pop_ld.store import (
    EmbeddedStore,
    QuerySyntaxError,
    QueryTimeout,
    RemoteStore,
    Store,
    StoreError,
    open_store,
)

pytest_plugins = ["fixtures_http"]

PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pop: <https://w3id.org/pop-ld/ontology#>
"""
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MENHIR = 'Menhir dit "la Pierre Longue"'
RETABLE = "Retable, tableaux : la Vie de la Vierge"


def notice(base: str, ref: str) -> str:
    return f"{BASE}/notice/{base}/{ref}"


def thing(base: str, ref: str) -> str:
    return f"{BASE}/id/{base}/{ref}"


def values(result, *names: str) -> list[tuple]:
    """Rows as tuples of plain values (IRI, lexical form), unbound as None."""
    return [tuple(None if row[n] is None else row[n].value for n in names) for row in result]


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest, mini_store: Path) -> Iterator[Store]:
    """The mini data behind each backend, read-only."""
    if request.param == "embedded":
        opened: Store = EmbeddedStore(mini_store, read_only=True)
    else:
        opened = RemoteStore(f"{request.getfixturevalue('oxigraph_server')}/query")
    yield opened
    opened.close()


@pytest.fixture(params=["embedded", "remote"])
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store holding the mini data that the test may change."""
    if request.param == "embedded":
        opened: Store = EmbeddedStore(load_store(tmp_path / "store"))
    else:
        url = request.getfixturevalue("empty_oxigraph")
        response = requests.post(
            f"{url}/store", data=MINI.read_bytes(), headers={"Content-Type": "application/n-quads"}
        )
        assert response.status_code in (200, 201, 204)
        opened = RemoteStore(f"{url}/query", f"{url}/update")
    yield opened
    opened.close()


def test_select_reads_every_notice_graph(store: Store) -> None:
    result = store.query(
        PREFIXES + "SELECT ?thing ?label WHERE { ?thing a crm:E22_Human-Made_Object ; "
        "rdfs:label ?label } ORDER BY ?thing"
    )
    assert result.variables == ["thing", "label"]
    assert values(result, "thing", "label") == [
        (thing("merimee", "PA00078021"), MENHIR),
        (thing("merimee", "PA00088813"), "Église Saint-Étienne"),
        (thing("palissy", "PM01000107"), RETABLE),
        (thing("palissy", "PM01000108"), "Cloche"),
    ]


UNION_JOIN = (
    PREFIXES
    + """SELECT ?ref ?type WHERE {
  ?notice pop:ref ?ref ; crm:P70_documents ?thing .
  ?thing crm:P2_has_type ?concept .
  ?concept skos:prefLabel ?type .
} ORDER BY ?ref"""
)


def test_default_graph_is_the_union_of_named_graphs(store: Store) -> None:
    # the notice and its concept are in different graphs: only the union joins them
    assert values(store.query(UNION_JOIN), "ref", "type") == [
        ("PA00078021", "menhir"),
        ("PA00088813", "église"),
        ("PM01000107", "retable"),
        ("PM01000108", "cloche"),
    ]


def test_without_union_the_default_graph_is_the_stores_own(store: Store) -> None:
    assert values(store.query(UNION_JOIN, default_graph_union=False), "ref", "type") == []


def test_from_in_the_query_is_kept_on_a_union_store(store: Store) -> None:
    query = f"{PREFIXES}SELECT ?label FROM <{notice('merimee', 'PA00078021')}> WHERE {{ ?t rdfs:label ?label }}"
    assert values(store.query(query), "label") == [(MENHIR,)]


def test_protocol_default_graphs_replace_the_union(store: Store) -> None:
    result = store.query(
        PREFIXES + "SELECT ?label WHERE { ?t rdfs:label ?label } ORDER BY ?label",
        default_graph=[
            notice("palissy", "PM01000107"),
            ox.NamedNode(notice("palissy", "PM01000108")),
        ],
    )
    assert values(result, "label") == [("Cloche",), (RETABLE,)]


def test_protocol_named_graphs_limit_graph_patterns(store: Store) -> None:
    result = store.query(
        PREFIXES + "SELECT ?g ?label WHERE { GRAPH ?g { ?t rdfs:label ?label } }",
        named_graphs=[notice("merimee", "PA00088813")],
    )
    assert values(result, "g", "label") == [
        (notice("merimee", "PA00088813"), "Église Saint-Étienne")
    ]


def write_query(directory: Path, name: str, text: str) -> queries.NamedQuery:
    (directory / f"{name}.rq").write_text(text, encoding="utf-8")
    return queries.load(name, directory)


def test_named_query_parameters_are_bound_as_terms(store: Store, tmp_path: Path) -> None:
    query = write_query(
        tmp_path,
        "notice_statements",
        "#+ summary: How many statements a notice has\n#+ params: notice (IRI)\n"
        "SELECT ?notice (COUNT(*) AS ?statements) WHERE { GRAPH ?notice { ?s ?p ?o } }\n"
        "GROUP BY ?notice\n",
    )
    result = store.query(
        query.text, substitutions=query.substitutions(notice=notice("palissy", "PM01000108"))
    )
    assert values(result, "notice", "statements") == [(notice("palissy", "PM01000108"), "7")]


def test_a_bound_string_stays_a_value(store: Store, tmp_path: Path) -> None:
    query = write_query(
        tmp_path,
        "by_ref",
        "#+ summary: The notice with this REF\n#+ params: ref (string)\n"
        + PREFIXES
        + "SELECT ?ref ?notice WHERE { ?notice pop:ref ?ref }\n",
    )
    found = store.query(query.text, substitutions=query.substitutions(ref="PM01000108"))
    assert values(found, "ref", "notice") == [("PM01000108", notice("palissy", "PM01000108"))]
    hostile = 'x" } } ; DROP ALL ; SELECT * { { "'
    assert (
        values(store.query(query.text, substitutions=query.substitutions(ref=hostile)), "ref") == []
    )
    assert store.count_notices() == 4


def test_construct_a_notice_graph(store: Store) -> None:
    result = store.query(
        f"CONSTRUCT {{ ?t <{LABEL}> ?l }} WHERE {{ GRAPH <{notice('palissy', 'PM01000108')}> {{ ?t <{LABEL}> ?l }} }}"
    )
    assert result.form == "graph"
    triple = f'<{thing("palissy", "PM01000108")}> <{LABEL}> "Cloche"@fr .\n'
    assert result.serialize("nt").body.decode() == triple


def test_serialise_each_graph_format(store: Store) -> None:
    query = f"DESCRIBE <{thing('palissy', 'PM01000108')}>"
    done = {name: store.query(query).serialize(name) for name in ("ttl", "nt", "jsonld", "rdf")}
    # Turtle declares only the project prefixes it uses
    assert done["ttl"].body.decode().splitlines()[:4] == [
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .",
        f"<{thing('palissy', 'PM01000108')}> a crm:E22_Human-Made_Object ;",
    ]
    expected = {
        (f"<{thing('palissy', 'PM01000108')}>", p, o)
        for p, o in [
            (
                "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                "<http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object>",
            ),
            (f"<{LABEL}>", '"Cloche"@fr'),
            (
                "<http://www.cidoc-crm.org/cidoc-crm/P2_has_type>",
                f"<{BASE}/id/concept/denomination/cloche>",
            ),
            (
                "<http://www.cidoc-crm.org/cidoc-crm/P55_has_current_location>",
                f"<{thing('merimee', 'PA00088813')}>",
            ),
        ]
    }
    media = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdf": ox.RdfFormat.RDF_XML,
    }
    for name, serialized in done.items():
        parsed = {
            (str(q.subject), str(q.predicate), str(q.object))
            for q in ox.parse(serialized.body, format=media[name])
        }
        assert parsed == expected, name
        assert serialized.count == 4


def test_serialise_each_results_format(store: Store) -> None:
    query = (
        PREFIXES
        + 'SELECT ?ref ?label ?none WHERE { ?n pop:ref ?ref ; crm:P70_documents ?t . ?t rdfs:label ?label FILTER(?ref = "PM01000108") }'
    )
    body = {name: store.query(query).serialize(name).body for name in ("json", "xml", "csv", "tsv")}
    assert json.loads(body["json"]) == {
        "head": {"vars": ["ref", "label", "none"]},
        "results": {
            "bindings": [
                {
                    "ref": {"type": "literal", "value": "PM01000108"},
                    "label": {"type": "literal", "value": "Cloche", "xml:lang": "fr"},
                }
            ]
        },
    }
    assert body["csv"] == b"ref,label,none\r\nPM01000108,Cloche,\r\n"
    assert body["tsv"] == b'?ref\t?label\t?none\n"PM01000108"\t"Cloche"@fr\t\n'
    back = ox.parse_query_results(body["xml"], format=ox.QueryResultsFormat.XML)
    assert [(r["ref"], r["label"], r["none"]) for r in back] == [
        (ox.Literal("PM01000108"), ox.Literal("Cloche", language="fr"), None)
    ]


def test_ask(store: Store) -> None:
    yes = store.query(f"ASK {{ <{thing('merimee', 'PA00078021')}> ?p ?o }}")
    no = store.query(f"ASK {{ <{thing('merimee', 'PA99999999')}> ?p ?o }}")
    assert (yes.form, bool(yes), bool(no)) == ("boolean", True, False)
    assert json.loads(yes.serialize("json").body) == {"head": {}, "boolean": True}


def test_result_limit_cuts_and_says_so(store: Store) -> None:
    query = PREFIXES + "SELECT ?label WHERE { ?t rdfs:label ?label } ORDER BY ?label"
    cut = store.query(query).serialize("json", limit=2)
    assert (cut.count, cut.truncated) == (2, True)
    document = json.loads(cut.body)
    assert document["pop-ld:truncated"]["limit"] == 2
    assert [b["label"]["value"] for b in document["results"]["bindings"]] == ["Cloche", MENHIR]
    whole = store.query(query).serialize("csv", limit=4)
    assert (whole.count, whole.truncated) == (4, False)
    triples = store.query(f"CONSTRUCT WHERE {{ ?t <{LABEL}> ?l }}").serialize("nt", limit=3)
    assert (triples.count, triples.truncated, triples.body.count(b"\n")) == (3, True, 3)


def test_a_malformed_query_says_where(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?x WHERE {\n  ?x ?p \n}")
    assert (caught.value.line, caught.value.column) == (3, 2)
    assert caught.value.message.startswith("error at 3:2: expected")


def test_count_notices(store: Store) -> None:
    assert store.count_notices() == 4


def labels_in(store: Store, graph: str) -> list[tuple]:
    return values(
        store.query(f"SELECT ?l WHERE {{ GRAPH <{graph}> {{ ?t <{LABEL}> ?l }} }} ORDER BY ?l"), "l"
    )


def test_replace_graph_swaps_a_notice(writable: Store) -> None:
    graph = notice("palissy", "PM01000108")
    t = ox.NamedNode(thing("palissy", "PM01000108"))
    writable.replace_graph(
        graph,
        [
            ox.Quad(
                t,
                ox.NamedNode(LABEL),
                ox.Literal("Cloche (bronze)", language="fr"),
                ox.NamedNode(graph),
            ),
            ox.Triple(t, ox.NamedNode(LABEL), ox.Literal('Bell "Marie"', language="en")),
        ],
    )
    assert labels_in(writable, graph) == [('Bell "Marie"',), ("Cloche (bronze)",)]
    assert labels_in(writable, notice("palissy", "PM01000107")) == [(RETABLE,)]
    assert writable.count_notices() == 4
    writable.replace_graph(graph, f'<{t.value}> <{LABEL}> "Cloche"@fr .\n')
    assert labels_in(writable, graph) == [("Cloche",)]


def test_replace_graph_refuses_quads_of_another_graph(writable: Store) -> None:
    graph = notice("palissy", "PM01000108")
    stray = ox.Quad(
        ox.NamedNode(thing("palissy", "PM01000107")),
        ox.NamedNode(LABEL),
        ox.Literal("x"),
        ox.NamedNode(notice("palissy", "PM01000107")),
    )
    with pytest.raises(StoreError, match="a quad for graph"):
        writable.replace_graph(graph, [stray])
    assert labels_in(writable, graph) == [("Cloche",)]


def test_read_only_stores_refuse_writes(mini_store: Path, oxigraph_server: str) -> None:
    with pytest.raises(StoreError, match="opened read-only"):
        EmbeddedStore(mini_store, read_only=True).replace_graph(notice("palissy", "PM01000108"), [])
    with pytest.raises(StoreError, match="no update URL"):
        RemoteStore(f"{oxigraph_server}/query").replace_graph(notice("palissy", "PM01000108"), [])


def test_embedded_timeout_kills_the_worker(mini_store: Path) -> None:
    store = EmbeddedStore(mini_store, read_only=True)
    try:
        pool = store.pool(1)
        pool.start()
        before = pool.pids()
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
            store.query(SLOW_QUERY, timeout=0.5)
        assert time.monotonic() - started < 2.0
        # the replacement answers, and the killed process is gone
        assert values(store.query("SELECT (1 AS ?one) {}", timeout=10), "one") == [("1",)]
        assert pool.pids() != before and len(pool.pids()) == 1
    finally:
        store.close()


def test_remote_timeout_on_the_client_side(oxigraph_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="within 0.5 s"):
        RemoteStore(f"{oxigraph_server}/query").query(SLOW_QUERY, timeout=0.5)
    assert time.monotonic() - started < 2.0


def test_remote_server_cut_answer_is_a_timeout_not_rows(oxigraph_server: str) -> None:
    # `oxigraph serve --timeout-s` answers 200, starts the JSON, then writes an error: never rows
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="its own time limit"):
        RemoteStore(f"{oxigraph_server}/query").query(SLOW_QUERY)
    assert ORIGIN_TIMEOUT - 0.5 < time.monotonic() - started < ORIGIN_TIMEOUT + 3


def test_open_store_from_settings(mini_store: Path, tmp_path: Path) -> None:
    assert isinstance(open_store({"STORE": str(mini_store)}), EmbeddedStore)
    remote = open_store({"SPARQL_URL": "http://127.0.0.1:1/query", "SPARQL_UNION_PARAM": ""})
    assert isinstance(remote, RemoteStore) and remote.config.union_param is None
    with pytest.raises(PopLdError, match="not both"):
        open_store({"STORE": str(mini_store), "SPARQL_URL": "http://127.0.0.1:1/query"})
    with pytest.raises(PopLdError, match="no store configured"):
        open_store({})
    with pytest.raises(StoreError) as caught:
        open_store({"STORE": str(tmp_path / "absent")})
    assert (
        str(caught.value)
        == f"{tmp_path / 'absent'}: no store at this path: load one with `pop-ld load`"
    )


def test_unreachable_remote_store_names_its_url() -> None:
    with pytest.raises(StoreError, match="cannot reach the SPARQL server"):
        RemoteStore("http://127.0.0.1:1/query").query("ASK {}")


def test_in_memory_store_has_no_timeout() -> None:
    with pytest.raises(StoreError, match="in-memory store cannot run queries under a timeout"):
        EmbeddedStore().query("ASK {}", timeout=1)


@pytest.fixture(scope="module")
def long_store() -> EmbeddedStore:
    """3,000 labels with line breaks and quotes: answers longer than pyoxigraph's write chunks."""
    store = EmbeddedStore()
    graph = ox.NamedNode(notice("palissy", "PM99999999"))
    store.store.extend(
        ox.Quad(
            ox.NamedNode(f"{BASE}/id/x/{i:05d}"),
            ox.NamedNode(LABEL),
            ox.Literal(f'n°{i}\n"{i}"', language="fr"),
            graph,
        )
        for i in range(3000)
    )
    return store


LONG_SELECT = f"SELECT ?t ?l WHERE {{ ?t <{LABEL}> ?l }} ORDER BY ?t"


@pytest.mark.parametrize("fmt", ["json", "tsv", "csv", "xml"])
def test_result_limit_on_long_answers(long_store: EmbeddedStore, fmt: str) -> None:
    cut = long_store.query(LONG_SELECT).serialize(fmt, limit=2500)
    assert (cut.count, cut.truncated) == (2500, True)
    if fmt != "csv":
        rows = list(ox.parse_query_results(cut.body, format=FORMATS[fmt].oxigraph))
        assert [(r["t"].value, r["l"].value) for r in rows] == [
            (f"{BASE}/id/x/{i:05d}", f'n°{i}\n"{i}"') for i in range(2500)
        ]
    whole = long_store.query(LONG_SELECT).serialize(fmt, limit=3000)
    assert (whole.count, whole.truncated) == (3000, False)


def test_graph_limit_on_long_answers(long_store: EmbeddedStore) -> None:
    cut = long_store.query(
        f"CONSTRUCT {{ ?t <{LABEL}> ?l }} WHERE {{ ?t <{LABEL}> ?l }}"
    ).serialize("ttl", limit=2999)
    assert (cut.count, cut.truncated) == (2999, True)
    assert len(list(ox.parse(cut.body, format=ox.RdfFormat.TURTLE))) == 2999
