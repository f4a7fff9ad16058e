"""The query editor page, the examples and the VoID description, over real HTTP on the demo store.

The browser's own view of the editor (menu, run, table, map, chart) is in
test_sparql_editor_browser.py; this module checks what the server sends.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
import requests
from demo_data import missing_bases
from http_servers import ServedApp

from pop_ld import ROOT, examples, uris

pytest_plugins = ["fixtures_http", "fixtures_demo"]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VOID = "http://rdfs.org/ns/void#"
DCT_MODIFIED = uris.DCT + "modified"
POP = uris.POP
CRM = uris.CRM


def page(app: ServedApp, path: str = "/sparql") -> requests.Response:
    response = requests.get(app.url + path, headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def embedded_json(html: str, element_id: str) -> object:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_the_editor_page_has_yasgui_and_the_examples(demo_app: ServedApp) -> None:
    html = page(demo_app).text
    for asset in (
        '<link rel="stylesheet" href="/vendor/yasgui/yasgui.min.css">',
        '<script src="/vendor/yasgui/yasgui.min.js"></script>',
        '<script src="/vendor/leaflet/leaflet.js"></script>',
        '<script src="/vendor/chart.js/chart.umd.min.js"></script>',
        '<script src="/static/sparql/editor.js"></script>',
        '<div id="yasgui"></div>',
    ):
        assert asset in html
    loaded = examples.load_examples(base_uri=uris.base_uri())
    assert embedded_json(html, "pop-ld-examples") == [e.menu_entry() for e in loaded]
    for example in loaded:
        assert f'data-example="{example.name}"' in html
    config = embedded_json(html, "pop-ld-editor-config")
    assert config["endpoint"] == demo_app.sparql  # type: ignore[index]
    assert config["prefixes"] == uris.PREFIXES  # type: ignore[index]
    assert config["void"] == "/.well-known/void"  # type: ignore[index]
    # the project's prefixes open every new query
    assert config["defaultQuery"].startswith(  # type: ignore[index]
        "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\nPREFIX pop: <https://w3id.org/pop-ld/ontology#>\n"
    )
    assert "<td><code>POP_LD_QUERY_TIMEOUT</code></td><td>60.0</td>" in html


def test_the_embedded_json_cannot_close_its_script(demo_app: ServedApp) -> None:
    html = page(demo_app, "/sparql?example=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "alert(1)" not in html
    block = re.search(r'id="pop-ld-examples">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    # the queries are full of <IRIs>: in the page they are \u003c escapes, never a raw "<"
    assert "<" not in block and "\\u003c" in block


def test_the_vendor_assets_answer(demo_app: ServedApp) -> None:
    if not (ROOT / "node_modules" / "@zazuko" / "yasgui").is_dir():
        pytest.skip("node_modules/ not installed: run `make install` (npm ci)")
    html = page(demo_app).text
    assets = re.findall(r'(?:src|href)="(/(?:vendor|static)/[^"]+)"', html)
    assert len(assets) == 11
    for asset in assets:
        response = requests.get(demo_app.url + asset, timeout=30)
        assert response.status_code == 200, asset
        assert response.headers["Content-Type"].split(";")[0] in ("text/css", "text/javascript")


def test_the_page_without_javascript_keeps_a_plain_form(demo_app: ServedApp) -> None:
    html = page(demo_app).text
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert f'<form method="post" action="{demo_app.sparql}">' in noscript
    assert "PREFIX crm: &lt;http://www.cidoc-crm.org/cidoc-crm/&gt;" in noscript


@pytest.mark.parametrize("name", [e.name for e in examples.load_examples()])
def test_every_example_runs_through_the_endpoint(demo_app: ServedApp, name: str) -> None:
    """As YASGUI sends it: a form POST asking for SPARQL JSON."""
    example = examples.example_named(name)
    assert example is not None
    missing = missing_bases(example.query.bases)
    if missing:
        pytest.skip(f"example {name} needs {', '.join(missing)}: that base is not in the demo yet")
    response = requests.post(
        demo_app.sparql,
        data={"query": example.query.body},
        headers={"Accept": "application/sparql-results+json,*/*;q=0.9"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"], f"{name} answered no rows"


# -- /.well-known/void ----------------------------------------------------------------------------


def partition(triples: list[ox.Triple], kind: str, count: str) -> dict[str, int]:
    nodes: dict[object, dict[str, object]] = {}
    for t in triples:
        nodes.setdefault(t.subject, {})[t.predicate.value] = t.object
    return {
        node[VOID + kind].value: int(node[VOID + count].value)  # type: ignore[attr-defined]
        for node in nodes.values()
        if VOID + kind in node
    }


def test_void_describes_the_classes_and_properties(demo_app: ServedApp) -> None:
    response = requests.get(demo_app.url + "/.well-known/void", timeout=60)
    assert (response.status_code, response.headers["Content-Type"]) == (
        200,
        "text/turtle; charset=utf-8",
    )
    assert "@prefix void: <http://rdfs.org/ns/void#> ." in response.text
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    classes = partition(triples, "class", "entities")
    properties = partition(triples, "property", "triples")
    assert classes[POP + "Edifice"] == 34
    assert classes[POP + "ObjetMobilier"] == 25
    assert classes["http://www.w3.org/ns/shacl#SPARQLExecutable"] == len(examples.load_examples())
    assert properties[POP + "conserveDans"] == 25
    assert CRM + "P108i_was_produced_by" in properties
    dataset = ox.NamedNode(f"{uris.base_uri()}/.well-known/void#dataset")
    described = {(t.predicate.value, t.object) for t in triples if t.subject == dataset}
    assert (VOID + "sparqlEndpoint", ox.NamedNode(f"{uris.base_uri()}/sparql")) in described
    total = next(o for p, o in described if p == VOID + "triples")
    assert int(total.value) == sum(properties.values())  # type: ignore[attr-defined]


def test_void_in_json_ld_for_the_editor_and_cached(demo_app: ServedApp) -> None:
    response = requests.get(
        demo_app.url + "/.well-known/void", headers={"Accept": "application/ld+json"}, timeout=60
    )
    assert response.headers["Content-Type"] == "application/ld+json"
    nodes = response.json()
    classes = {c["@id"] for n in nodes for c in n.get(VOID + "class", [])}
    assert CRM + "E22_Human-Made_Object" in classes
    modified = [n[DCT_MODIFIED][0]["@value"] for n in nodes if DCT_MODIFIED in n]
    assert len(modified) == 1
    again = requests.get(demo_app.url + "/.well-known/void", timeout=60)
    assert f'"{modified[0]}"^^xsd:dateTime' in again.text


# -- /.well-known/sparql-examples -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        (None, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
        (BROWSER, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_sparql_examples_by_content_negotiation(
    demo_app: ServedApp, accept: str | None, content_type: str, fmt: ox.RdfFormat
) -> None:
    response = requests.get(
        demo_app.url + "/.well-known/sparql-examples",
        headers={"Accept": accept} if accept else {},
        timeout=30,
    )
    assert (response.status_code, response.headers["Content-Type"]) == (200, content_type)
    got = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in ox.parse(response.content, format=fmt)
    }
    expected = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in examples.examples_triples(base_uri=uris.base_uri())
    }
    assert got == expected


def test_the_examples_in_the_store_are_the_published_ones(demo_app: ServedApp) -> None:
    query = (
        "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(?e) AS ?n) "
        f"WHERE {{ GRAPH <{uris.graph('examples')}> {{ ?e a sh:SPARQLExecutable }} }}"
    )
    response = requests.get(demo_app.sparql, params={"query": query, "format": "json"}, timeout=30)
    count = response.json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) == len(examples.load_examples())


def test_one_example(demo_app: ServedApp) -> None:
    url = demo_app.url + "/.well-known/sparql-examples/map_of_monuments"
    rdf = requests.get(url, timeout=30)
    assert rdf.headers["Content-Type"] == "text/turtle; charset=utf-8"
    subjects = {t.subject.value for t in ox.parse(rdf.content, format=ox.RdfFormat.TURTLE)}
    assert f"{uris.base_uri()}/.well-known/sparql-examples/map_of_monuments" in subjects
    assert not any(s.endswith("/count_by_century") for s in subjects)
    browser = requests.get(url, headers={"Accept": BROWSER}, allow_redirects=False, timeout=30)
    assert (browser.status_code, browser.headers["Location"]) == (
        303,
        "/sparql?example=map_of_monuments",
    )
    missing = requests.get(demo_app.url + "/.well-known/sparql-examples/nope", timeout=30)
    assert missing.status_code == 404


def test_the_service_description_points_to_void_and_examples(demo_app: ServedApp) -> None:
    response = requests.get(demo_app.sparql, params={"format": "nt"}, timeout=30)
    see_also = {
        t.object.value
        for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        if t.predicate.value == uris.RDFS + "seeAlso"
    }
    assert see_also == {
        demo_app.url + "/.well-known/void",
        demo_app.url + "/.well-known/sparql-examples",
    }
