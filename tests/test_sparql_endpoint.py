"""/sparql over real HTTP: the SPARQL 1.1 Protocol, formats, read-only, and the guardrails.

Cases follow the W3C SPARQL 1.1 Protocol tests where they describe one (query_get,
query_post_form, query_post_direct, query_multiple_dataset, bad_query_method,
bad_multiple_queries, bad_query_wrong_media_type, bad_query_missing_form_type,
bad_query_non_utf8, bad_query_syntax, bad_update_get…).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest
import requests
from http_servers import (
    BASE,
    SLOW_QUERY,
    ServedApp,
    get_from,
    start_gunicorn,
    stop,
)

from app.sparql import READ_ONLY
from pop_ld import settings

pytest_plugins = ["fixtures_http"]

PREFIXES = (
    "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX pop: <https://w3id.org/pop-ld/ontology#>\n"
)
LABELS = (
    PREFIXES
    + "SELECT ?thing ?label WHERE { ?thing a crm:E22_Human-Made_Object ; rdfs:label ?label } ORDER BY ?label"
)
CLOCHE = f"{BASE}/id/palissy/PM01000108"
RETABLE = f"{BASE}/id/palissy/PM01000107"


def label_rows(document: dict) -> list[tuple[str, str]]:
    return [(b["thing"]["value"], b["label"]["value"]) for b in document["results"]["bindings"]]


# ORDER BY compares code points: É (U+00C9) sorts after R
ALL_LABELS = [
    (CLOCHE, "Cloche"),
    (f"{BASE}/id/merimee/PA00078021", 'Menhir dit "la Pierre Longue"'),
    (RETABLE, "Retable, tableaux : la Vie de la Vierge"),
    (f"{BASE}/id/merimee/PA00088813", "Église Saint-Étienne"),
]

CORS = "*"


def send(url: str, method: str, query: str, **kw) -> requests.Response:
    """One query sent by one of the protocol's three ways."""
    if method == "GET":
        return requests.get(url, params={"query": query, **kw.pop("params", {})}, timeout=30, **kw)
    if method == "POST form":
        return requests.post(url, data={"query": query, **kw.pop("params", {})}, timeout=30, **kw)
    headers = {"Content-Type": "application/sparql-query", **kw.pop("headers", {})}
    return requests.post(
        url, data=query.encode(), params=kw.pop("params", {}), headers=headers, timeout=30, **kw
    )


METHODS = ["GET", "POST form", "POST direct"]


# -- the protocol ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_select_by_each_method(endpoint: ServedApp, method: str) -> None:
    response = send(endpoint.sparql, method, LABELS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.headers["Access-Control-Allow-Origin"] == CORS
    assert response.headers["Vary"] == "Accept"
    assert response.json()["head"] == {"vars": ["thing", "label"]}
    assert label_rows(response.json()) == ALL_LABELS


CLOCHE_ROW = (
    PREFIXES
    + 'SELECT ?ref ?label ?none WHERE { ?n pop:ref ?ref ; crm:P70_documents ?t . ?t rdfs:label ?label FILTER(?ref = "PM01000108") }'
)


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type", "body"),
    [
        (None, None, "application/sparql-results+json", None),
        ("text/csv", None, "text/csv; charset=utf-8", b"ref,label,none\r\nPM01000108,Cloche,\r\n"),
        (
            "text/tab-separated-values",
            None,
            "text/tab-separated-values; charset=utf-8",
            b'?ref\t?label\t?none\n"PM01000108"\t"Cloche"@fr\t\n',
        ),
        (
            "text/csv;q=0.5, text/tab-separated-values;q=0.9",
            None,
            "text/tab-separated-values; charset=utf-8",
            None,
        ),
        (
            "application/sparql-results+xml, application/sparql-results+json",
            None,
            "application/sparql-results+xml",
            None,
        ),
        (
            "text/html,application/xhtml+xml,*/*;q=0.8",
            None,
            "application/sparql-results+json",
            None,
        ),
        (
            "application/sparql-results+json",
            "csv",
            "text/csv; charset=utf-8",
            b"ref,label,none\r\nPM01000108,Cloche,\r\n",
        ),
        (None, "xml", "application/sparql-results+xml", None),
        (None, "application/sparql-results+json", "application/sparql-results+json", None),
    ],
)
def test_select_formats(
    endpoint: ServedApp, accept: str | None, fmt: str | None, content_type: str, body: bytes | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    response = send(endpoint.sparql, "GET", CLOCHE_ROW, headers=headers, params=params)
    assert (response.status_code, response.headers["Content-Type"]) == (200, content_type)
    if body is not None:
        assert response.content == body
    if "csv" in content_type:
        return  # CSV is lossy: checked by its exact body
    parsed = ox.parse_query_results(
        response.content, format=ox.QueryResultsFormat.from_media_type(content_type)
    )
    assert [(r["ref"], r["label"], r["none"]) for r in parsed] == [
        (ox.Literal("PM01000108"), ox.Literal("Cloche", language="fr"), None)
    ]


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", b'{"head":{},"boolean":true}'),
        (
            "xml",
            b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head><boolean>true</boolean></sparql>',
        ),
    ],
)
def test_ask(endpoint: ServedApp, fmt: str, body: bytes) -> None:
    response = send(
        endpoint.sparql, "POST direct", f"ASK {{ <{CLOCHE}> ?p ?o }}", params={"format": fmt}
    )
    assert (response.status_code, response.content) == (200, body)


CLOCHE_TRIPLES = {
    (
        f"<{CLOCHE}>",
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        "<http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object>",
    ),
    (f"<{CLOCHE}>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"Cloche"@fr'),
    (
        f"<{CLOCHE}>",
        "<http://www.cidoc-crm.org/cidoc-crm/P2_has_type>",
        f"<{BASE}/id/concept/denomination/cloche>",
    ),
    (
        f"<{CLOCHE}>",
        "<http://www.cidoc-crm.org/cidoc-crm/P55_has_current_location>",
        f"<{BASE}/id/merimee/PA00088813>",
    ),
}


@pytest.mark.parametrize(
    ("query", "accept", "fmt", "content_type"),
    [
        (f"DESCRIBE <{CLOCHE}>", None, None, "text/turtle; charset=utf-8"),
        (f"DESCRIBE <{CLOCHE}>", "application/n-triples", None, "application/n-triples"),
        (
            f"CONSTRUCT WHERE {{ <{CLOCHE}> ?p ?o }}",
            "application/ld+json",
            None,
            "application/ld+json",
        ),
        (
            f"CONSTRUCT WHERE {{ <{CLOCHE}> ?p ?o }}",
            "application/rdf+xml;q=0.9, text/turtle;q=0.1",
            None,
            "application/rdf+xml",
        ),
        (f"CONSTRUCT WHERE {{ <{CLOCHE}> ?p ?o }}", "text/turtle", "nt", "application/n-triples"),
        (f"CONSTRUCT WHERE {{ <{CLOCHE}> ?p ?o }}", None, "json", "application/ld+json"),
        (f"DESCRIBE <{CLOCHE}>", None, "rdf", "application/rdf+xml"),
    ],
)
def test_graph_formats(
    endpoint: ServedApp, query: str, accept: str | None, fmt: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = send(
        endpoint.sparql, "POST form", query, headers=headers, params={"format": fmt} if fmt else {}
    )
    assert (response.status_code, response.headers["Content-Type"]) == (200, content_type)
    triples = ox.parse(response.content, format=ox.RdfFormat.from_media_type(content_type))
    assert {(str(t.subject), str(t.predicate), str(t.object)) for t in triples} == CLOCHE_TRIPLES


def test_turtle_uses_the_project_prefixes(endpoint: ServedApp) -> None:
    response = send(
        endpoint.sparql,
        "GET",
        f"CONSTRUCT WHERE {{ <{CLOCHE}> <http://www.w3.org/2000/01/rdf-schema#label> ?o }}",
    )
    assert (
        response.text
        == f'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<{CLOCHE}> rdfs:label "Cloche"@fr .\n'
    )


@pytest.mark.parametrize(
    ("query", "headers", "params", "status", "message"),
    [
        (
            CLOCHE_ROW,
            {"Accept": "image/png"},
            {},
            406,
            "Not acceptable: image/png. SELECT and ASK answer in json, xml, csv or tsv; CONSTRUCT and DESCRIBE in ttl, nt, jsonld or rdf (choose with the Accept header or format=).\n",
        ),
        (
            CLOCHE_ROW,
            {"Accept": "text/turtle"},
            {},
            406,
            "Not acceptable: no acceptable format for the answer of a SELECT. SELECT and ASK answer in json, xml, csv or tsv; CONSTRUCT and DESCRIBE in ttl, nt, jsonld or rdf (choose with the Accept header or format=).\n",
        ),
        (
            f"DESCRIBE <{CLOCHE}>",
            {},
            {"format": "csv"},
            406,
            "Not acceptable: no acceptable format for the answer of a CONSTRUCT/DESCRIBE. SELECT and ASK answer in json, xml, csv or tsv; CONSTRUCT and DESCRIBE in ttl, nt, jsonld or rdf (choose with the Accept header or format=).\n",
        ),
        (
            CLOCHE_ROW,
            {},
            {"format": "yaml"},
            400,
            "Unknown format 'yaml': SELECT and ASK answer in json, xml, csv or tsv; CONSTRUCT and DESCRIBE in ttl, nt, jsonld or rdf (choose with the Accept header or format=).\n",
        ),
    ],
)
def test_unacceptable_formats(
    endpoint: ServedApp, query: str, headers: dict, params: dict, status: int, message: str
) -> None:
    response = send(endpoint.sparql, "GET", query, headers=headers, params=params)
    assert (response.status_code, response.text) == (status, message)
    assert response.headers["Access-Control-Allow-Origin"] == CORS


GRAPH_LABELS = PREFIXES + "SELECT ?label WHERE { ?t rdfs:label ?label } ORDER BY ?label"


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri(endpoint: ServedApp, method: str) -> None:
    graphs = {
        "default-graph-uri": [
            f"{BASE}/notice/palissy/PM01000107",
            f"{BASE}/notice/palissy/PM01000108",
        ]
    }
    response = send(endpoint.sparql, method, GRAPH_LABELS, params=graphs)
    labels = [b["label"]["value"] for b in response.json()["results"]["bindings"]]
    assert labels == ["Cloche", "Retable, tableaux : la Vie de la Vierge"]


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri(endpoint: ServedApp, method: str) -> None:
    query = PREFIXES + "SELECT ?g ?label WHERE { GRAPH ?g { ?t rdfs:label ?label } }"
    response = send(
        endpoint.sparql,
        method,
        query,
        params={"named-graph-uri": f"{BASE}/notice/merimee/PA00088813"},
    )
    rows = [(b["g"]["value"], b["label"]["value"]) for b in response.json()["results"]["bindings"]]
    assert rows == [(f"{BASE}/notice/merimee/PA00088813", "Église Saint-Étienne")]


def test_protocol_dataset_wins_over_from(endpoint: ServedApp) -> None:
    # W3C query_multiple_dataset: the protocol's default-graph-uri replaces the query's FROM
    query = f"{PREFIXES}SELECT ?label FROM <{BASE}/notice/merimee/PA00078021> WHERE {{ ?t rdfs:label ?label }}"
    alone = send(endpoint.sparql, "GET", query)
    overridden = send(
        endpoint.sparql,
        "GET",
        query,
        params={"default-graph-uri": f"{BASE}/notice/palissy/PM01000108"},
    )
    assert [b["label"]["value"] for b in alone.json()["results"]["bindings"]] == [
        'Menhir dit "la Pierre Longue"'
    ]
    assert [b["label"]["value"] for b in overridden.json()["results"]["bindings"]] == ["Cloche"]


def test_default_graph_is_the_union_and_relative_iris_resolve(endpoint: ServedApp) -> None:
    query = (
        "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?type WHERE { <id/palissy/PM01000108> crm:P2_has_type ?c . ?c skos:prefLabel ?type }"
    )
    response = send(endpoint.sparql, "GET", query)
    assert [b["type"]["value"] for b in response.json()["results"]["bindings"]] == ["cloche"]


# -- read-only, bad requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "data", "headers", "params"),
    [
        ("GET", None, {}, {"query": f"INSERT DATA {{ <{CLOCHE}> <urn:p> 1 }}"}),
        ("GET", None, {}, {"update": "CLEAR ALL"}),
        ("POST", {"query": "PREFIX p: <urn:p#>\n# hello\nDROP ALL"}, {}, {}),
        ("POST", {"update": "LOAD <http://example.org/data.ttl>"}, {}, {}),
        ("POST", "DELETE WHERE { ?s ?p ?o }", {"Content-Type": "application/sparql-update"}, {}),
        ("POST", "CLEAR ALL", {"Content-Type": "application/sparql-query"}, {}),
        (
            "POST",
            "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
            {"Content-Type": "application/sparql-query"},
            {},
        ),
    ],
)
def test_updates_are_refused(
    endpoint: ServedApp, method: str, data, headers: dict, params: dict
) -> None:
    response = requests.request(
        method, endpoint.sparql, data=data, headers=headers, params=params, timeout=30
    )
    assert (response.status_code, response.text) == (403, READ_ONLY + "\n")
    assert response.headers["Access-Control-Allow-Origin"] == CORS
    count = send(endpoint.sparql, "GET", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    assert count["results"]["bindings"][0]["n"]["value"] == "34"


def test_malformed_query_gets_the_parser_message_and_position(endpoint: ServedApp) -> None:
    response = send(endpoint.sparql, "POST direct", "SELECT ?x WHERE {\n  ?x ?p \n}")
    assert (response.status_code, response.text) == (
        400,
        "Malformed query, line 3, column 2: expected OPTIONAL\n",
    )
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == CORS


def test_undeclared_prefix_gets_the_declaration_to_add(endpoint: ServedApp) -> None:
    response = send(
        endpoint.sparql, "GET", "SELECT ?t WHERE { ?t a crm:E22_Human-Made_Object ; ex:p ?o }"
    )
    assert response.status_code == 400
    assert response.text.splitlines()[:3] == [
        "Undeclared prefix crm: add PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>",
        "Undeclared prefix ex: add PREFIX ex: <…>",
        "Malformed query, line 1, column 49: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}' | '\\u{0300}'..='\\u{036F}' |",
    ]


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "message"),
    [
        (
            "PUT",
            {"params": {"query": "ASK {}"}},
            405,
            "405 Method Not Allowed: The method is not allowed for the requested URL.\n",
        ),
        (
            "GET",
            {"params": {"query": ["ASK {}", "SELECT * {}"]}},
            400,
            "One query at a time: this request holds 2.\n",
        ),
        (
            "POST",
            {"data": "ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "Unsupported Content-Type text/plain: use application/x-www-form-urlencoded or application/sparql-query.\n",
        ),
        (
            "POST",
            {"data": b"query=ASK%20%7B%7D"},
            415,
            "A POST needs a Content-Type: application/x-www-form-urlencoded (query=…) or application/sparql-query (the query as body).\n",
        ),
        (
            "POST",
            {
                "data": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "The query must be UTF-8, not utf-16.\n",
        ),
        (
            "POST",
            {
                "data": b"ASK { ?s ?p '\xe9' }",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            400,
            "The query is not valid UTF-8: 'utf-8' codec can't decode byte 0xe9 in position 13: invalid continuation byte.\n",
        ),
        (
            "POST",
            {"data": {"format": "json"}},
            400,
            "No query: send query=… (form) or an application/sparql-query body.\n",
        ),
        ("GET", {"params": {"query": "  "}}, 400, "Empty query.\n"),
        (
            "GET",
            {"params": {"query": "ASK {}", "format": ["json", "xml"]}},
            400,
            "One format at a time.\n",
        ),
    ],
)
def test_bad_requests(
    endpoint: ServedApp, method: str, kwargs: dict, status: int, message: str
) -> None:
    response = requests.request(method, endpoint.sparql, timeout=30, **kwargs)
    assert (response.status_code, response.text) == (status, message)
    assert response.headers["Access-Control-Allow-Origin"] == CORS
    if status == 405:
        assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}


def test_cors_preflight(endpoint: ServedApp) -> None:
    response = requests.options(
        endpoint.sparql,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert response.status_code == 200
    assert {
        k: response.headers[k]
        for k in (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
        )
    } == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Accept-Profile, Content-Type",
    }


# -- service description ----------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [
        (None, None, "text/turtle; charset=utf-8"),
        ("*/*", None, "text/turtle; charset=utf-8"),
        ("application/rdf+xml", None, "application/rdf+xml"),
        (None, "nt", "application/n-triples"),
    ],
)
def test_service_description(
    endpoint: ServedApp, accept: str | None, fmt: str | None, content_type: str
) -> None:
    response = requests.get(
        endpoint.sparql,
        headers={"Accept": accept} if accept else {},
        params={"format": fmt} if fmt else {},
        timeout=30,
    )
    assert (response.status_code, response.headers["Content-Type"]) == (200, content_type)
    triples = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in ox.parse(response.content, format=ox.RdfFormat.from_media_type(content_type))
    }
    me = f"<{endpoint.sparql}>"
    assert (me, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{SD}Service>") in triples
    assert (me, f"<{SD}endpoint>", me) in triples
    assert (me, f"<{SD}supportedLanguage>", f"<{SD}SPARQL11Query>") in triples
    assert (me, f"<{SD}feature>", f"<{SD}UnionDefaultGraph>") in triples
    assert {o for s, p, o in triples if p == f"<{SD}resultFormat>"} == {
        f"<http://www.w3.org/ns/formats/{name}>"
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    }


def test_a_browser_gets_a_page_with_a_query_form(endpoint: ServedApp) -> None:
    response = requests.get(
        endpoint.sparql,
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
        timeout=30,
    )
    assert (response.status_code, response.headers["Content-Type"]) == (
        200,
        "text/html; charset=utf-8",
    )
    # the YASGUI editor (tests/test_sparql_editor*.py), and a plain form for pages without script
    assert '<script src="/vendor/yasgui/yasgui.min.js"></script>' in response.text
    assert f'<form method="post" action="{endpoint.sparql}">' in response.text
    assert "<td><code>POP_LD_QUERY_TIMEOUT</code></td><td>60.0</td>" in response.text


# -- guardrails -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(serve_app: Callable[..., ServedApp], mini_store: Path) -> ServedApp:
    """An app with tiny limits: 1 s timeout, 2 rows, one query per client, three workers."""
    served = serve_app(
        STORE=str(mini_store),
        POOL_SIZE=3,
        QUERY_TIMEOUT=1,
        RESULT_LIMIT=2,
        CLIENT_CONCURRENCY=1,
        RETRY_AFTER=7,
        MAX_QUERY_BYTES=1000,
    )
    requests.get(served.sparql, params={"query": "ASK {}"}, timeout=30)
    return served


def test_result_limit_cuts_and_says_so(guarded: ServedApp) -> None:
    response = send(guarded.sparql, "GET", LABELS)
    assert (
        response.status_code,
        response.headers["X-Result-Limit-Reached"],
        response.headers["X-Result-Limit"],
    ) == (200, "true", "2")
    document = response.json()
    assert document["pop-ld:truncated"] == {
        "limit": 2,
        "message": "result limit reached: only the first 2 rows are returned; page with ORDER BY, LIMIT and OFFSET",
    }
    assert label_rows(document) == ALL_LABELS[:2]
    csv = send(guarded.sparql, "GET", LABELS, params={"format": "csv"})
    assert (csv.headers["X-Result-Limit-Reached"], csv.text) == (
        "true",
        f'thing,label\r\n{CLOCHE},Cloche\r\n{BASE}/id/merimee/PA00078021,"Menhir dit ""la Pierre Longue"""\r\n',
    )
    exactly = send(guarded.sparql, "GET", LABELS + " LIMIT 2")
    assert (
        "X-Result-Limit-Reached" not in exactly.headers and "pop-ld:truncated" not in exactly.json()
    )


LONG = "ASK { " + "?s ?p ?o . " * 100 + "}"


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "message"),
    [
        ("GET", {"params": {"query": LONG}}, 414, "Query too long: 1107 bytes, at most 1000.\n"),
        (
            "POST",
            {"data": {"query": LONG}},
            413,
            "Query too long: the body has 1717 bytes, at most 1000.\n",
        ),
        (
            "POST",
            {"data": LONG, "headers": {"Content-Type": "application/sparql-query"}},
            413,
            "Query too long: the body has 1107 bytes, at most 1000.\n",
        ),
    ],
)
def test_query_size_limit(
    guarded: ServedApp, method: str, kwargs: dict, status: int, message: str
) -> None:
    response = requests.request(method, guarded.sparql, timeout=30, **kwargs)
    assert (response.status_code, response.text) == (status, message)
    assert response.headers["Access-Control-Allow-Origin"] == CORS


def test_timeout_stops_the_query_and_says_timeout(guarded: ServedApp) -> None:
    started = time.monotonic()
    response = send(guarded.sparql, "GET", SLOW_QUERY)
    elapsed = time.monotonic() - started
    assert (response.status_code, response.text) == (
        503,
        "Query timeout: the query ran for more than 1 s and was stopped. Narrow its patterns or add a LIMIT; for whole-base questions, use the data dumps.\n",
    )
    assert response.headers["Access-Control-Allow-Origin"] == CORS
    assert 1.0 <= elapsed < 2.5
    # the killed worker is replaced: the next query is answered
    assert send(guarded.sparql, "GET", "ASK {}").json() == {"head": {}, "boolean": True}


def in_background(call: Callable[[], object]) -> tuple[threading.Thread, list]:
    box: list = []
    thread = threading.Thread(target=lambda: box.append(call()))
    thread.start()
    return thread, box


def test_per_client_limit_and_other_clients_unaffected(guarded: ServedApp) -> None:
    slow, box = in_background(lambda: get_from("127.0.0.2", guarded.sparql, {"query": SLOW_QUERY}))
    time.sleep(0.3)
    status, headers, body = get_from("127.0.0.2", guarded.sparql, {"query": "ASK {}"})
    assert (status, headers["Retry-After"], headers["Access-Control-Allow-Origin"]) == (
        429,
        "7",
        CORS,
    )
    assert (
        body.decode()
        == "Too many queries at once from 127.0.0.2: at most 1 run at the same time. Retry after 7 s.\n"
    )
    started = time.monotonic()
    status, _, body = get_from("127.0.0.3", guarded.sparql, {"query": "ASK {}"})
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    assert time.monotonic() - started < 0.5  # not queued behind the slow query
    slow.join()
    assert box[0][0] == 503


def test_busy_pool_answers_503_with_retry_after(
    serve_app: Callable[..., ServedApp], mini_store: Path
) -> None:
    served = serve_app(
        STORE=str(mini_store), POOL_SIZE=1, QUERY_TIMEOUT=1, QUEUE_WAIT=0.2, RETRY_AFTER=3
    )
    requests.get(served.sparql, params={"query": "ASK {}"}, timeout=30)
    slow, box = in_background(lambda: get_from("127.0.0.4", served.sparql, {"query": SLOW_QUERY}))
    time.sleep(0.3)
    status, headers, body = get_from("127.0.0.5", served.sparql, {"query": "ASK {}"})
    assert (status, headers["Retry-After"]) == (503, "3")
    assert (
        body.decode()
        == "The endpoint is busy: all 1 query workers stayed busy for 0.2 s. Retry after 3 s.\n"
    )
    slow.join()
    assert box[0][0] == 503


def test_remote_backend_answers_the_same(
    serve_app: Callable[..., ServedApp], oxigraph_server: str, endpoint: ServedApp
) -> None:
    remote = serve_app(SPARQL_URL=f"{oxigraph_server}/query", POOL_SIZE=1)
    for query in (LABELS, CLOCHE_ROW):
        assert (
            send(remote.sparql, "POST form", query).json()
            == send(endpoint.sparql, "POST form", query).json()
        )
    refused = send(remote.sparql, "GET", "DROP ALL")
    assert (refused.status_code, refused.text) == (403, READ_ONLY + "\n")


# -- on gunicorn --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn_app(
    mini_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[subprocess.Popen, str]]:
    env = {"POP_LD_QUERY_TIMEOUT": "1", "POP_LD_POOL_SIZE": "2", "POP_LD_BASE_URI": BASE}
    process, url = start_gunicorn(mini_store, env, tmp_path_factory.mktemp("gunicorn") / "log")
    yield process, url
    if process.poll() is None:
        stop(process)


def test_on_gunicorn(gunicorn_app: tuple[subprocess.Popen, str]) -> None:
    process, url = gunicorn_app
    response = send(f"{url}/sparql", "GET", LABELS)
    assert (response.status_code, response.headers["Server"].split("/")[0]) == (200, "gunicorn")
    assert label_rows(response.json()) == ALL_LABELS
    # a GET longer than gunicorn's default request-line limit (4094 bytes) still reaches /sparql
    long_query = LABELS.replace("SELECT", "# " + "x" * 5000 + "\nSELECT")
    assert label_rows(send(f"{url}/sparql", "GET", long_query).json()) == ALL_LABELS
    slow, box = in_background(lambda: send(f"{url}/sparql", "GET", SLOW_QUERY))
    time.sleep(0.3)
    started = time.monotonic()
    assert send(f"{url}/sparql", "GET", "ASK {}").json() == {"head": {}, "boolean": True}
    assert time.monotonic() - started < 0.5
    slow.join()
    assert (box[0].status_code, box[0].text.startswith("Query timeout")) == (503, True)


def test_gunicorn_stops_its_query_workers(gunicorn_app: tuple[subprocess.Popen, str]) -> None:
    process, _ = gunicorn_app
    # the previous test's timeout killed a query worker: wait for the pool to be whole again
    deadline = time.monotonic() + 30
    while True:
        family = psutil.Process(process.pid).children(recursive=True)
        workers = [p for p in family if _is_query_worker(p)]
        if len(workers) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(workers) == 2
    os.kill(process.pid, signal.SIGINT)  # Ctrl-C
    process.wait(30)
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []


def _is_query_worker(process: psutil.Process) -> bool:
    """A live process of the query pool (multiprocessing's spawn children)."""
    try:
        return (
            process.is_running()
            and process.status() != psutil.STATUS_ZOMBIE
            and ("spawn_main" in " ".join(process.cmdline()))
        )
    except psutil.Error:
        return False


def test_limits_table_is_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "endpoint.md").read_text(
        encoding="utf-8"
    )
    assert settings.markdown_table(settings.LIMITS) in doc
    assert settings.markdown_table(settings.CONFIG) in doc
