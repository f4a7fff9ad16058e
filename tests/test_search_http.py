"""The search over real HTTP: pages, facets, paging, CSV, map GeoJSON, advanced search, the SPARQL
shown (which the /sparql endpoint runs to the same notices), escaping, home and browse pages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from html_tree import Element, parse
from http_servers import ServedApp

from pop_ld import uris
from pop_ld.index import build_index
from pop_ld.load import load_files
from pop_ld.search_sparql import compile_state
from pop_ld.searchindex import SearchIndex
from pop_ld.searchstate import SearchState

pytest_plugins = ["fixtures_http", "fixtures_demo", "fixtures_search"]

CATHEDRALS = ["PA00086250", "PA28990001", "PA51990001", "PA67990001", "PA80990001",
              "PA63990001", "PA81990001"]  # fmt: skip


def page(app: ServedApp, path: str) -> Element:
    response = requests.get(app.url + path, timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return parse(response.text)


def hit_refs(tree: Element) -> list[str]:
    return [li.find(cls="ref").text() for li in tree.find_all("li", cls="hit")]


def total(tree: Element) -> str:
    return tree.find("p", cls="total").text()


def csv_refs(app: ServedApp, query: str) -> list[str]:
    response = requests.get(f"{app.url}/search.csv?{query}", timeout=30)
    return [row["reference"] for row in csv.DictReader(io.StringIO(response.text))]


def test_search_page(search_app: ServedApp) -> None:
    tree = page(search_app, "/search?q=eglise+romane")
    titles = [a.text() for a in tree.find("ol", cls="hits").find_all("a")]
    assert titles[:2] == ["Église abbatiale Sainte-Foy", "Église Saint-Trophime"]
    first = tree.find("li", cls="hit")
    assert (
        first.find("a").attrs["href"] == "/notice/merimee/PA12990001?from=q%3Deglise%2Bromane&i=0"
    )
    assert first.find(cls="base-badge").text() == "Patrimoine architectural (Mérimée)"
    assert (
        first.find(cls="meta")
        .text()
        .startswith("Patrimoine architectural (Mérimée) · Conques-en-Rouergue (Aveyron) ·")
    )
    assert [
        i.attrs["value"]
        for i in tree.find("form", cls="search-form").find_all("input", type="search")
    ] == ["eglise romane"]


def test_facets_or_within_and_across(search_app: ServedApp) -> None:
    tree = page(search_app, "/search?f.type=denomination-architecture/cathedrale")
    assert total(tree) == "7 résultats"
    assert hit_refs(tree) == CATHEDRALS
    facet = tree.find("section", cls="facet", data_facet="type")
    chapelle = next(a for a in facet.find_all("a") if a.find(cls="label").text() == "chapelle")
    assert chapelle.find(cls="count").text() == "2"  # what choosing it adds (OR)
    tree = page(search_app, chapelle.attrs["href"])
    assert total(tree) == "9 résultats"
    assert hit_refs(tree) == [*CATHEDRALS, "PA51990002", "PA00086001"]
    chips = [li.find("span").text() for li in tree.find_all("li", cls="chip")]
    assert chips == ["Dénomination : cathédrale", "Dénomination : chapelle"]
    region = tree.find("section", cls="facet", data_facet="region")
    grand_est = next(a for a in region.find_all("a") if a.find(cls="label").text() == "Grand Est")
    assert grand_est.find(cls="count").text() == "3"
    tree = page(search_app, grand_est.attrs["href"])
    assert hit_refs(tree) == ["PA51990001", "PA67990001", "PA51990002"]
    remove = tree.find_all("li", cls="chip")[0].find("a").attrs["href"]
    assert hit_refs(page(search_app, remove)) == ["PA51990002"]


def test_paging_any_depth(search_app: ServedApp, search_index: SearchIndex) -> None:
    everything = csv_refs(search_app, "")
    assert len(everything) == search_index.size
    last = -(-search_index.size // 20)
    tree = page(search_app, f"/search?page={last}")
    assert hit_refs(tree) == everything[(last - 1) * 20 :]
    assert tree.find("ol", cls="hits").attrs["start"] == str((last - 1) * 20 + 1)
    beyond = page(search_app, f"/search?page={last + 5000}")
    assert beyond.find_all("li", cls="hit") == []
    assert "au-delà des résultats" in beyond.find("div", cls="results").text()
    data = requests.get(f"{search_app.url}/search.json?q=-eglise&page=2", timeout=30).json()
    assert [h["ref"] for h in data["hits"]] == csv_refs(search_app, "q=-eglise")[20:40]


def test_csv_export(search_app: ServedApp) -> None:
    response = requests.get(
        f"{search_app.url}/search.csv?f.type=denomination-architecture/cathedrale", timeout=30
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["rang", "base", "reference", "titre", "lieu", "dates", "latitude",
                       "longitude", "image", "notice", "uri"]  # fmt: skip
    assert [r[2] for r in rows[1:]] == CATHEDRALS
    assert rows[1][:5] == ["1", "merimee", "PA00086250", "Cathédrale Notre-Dame",
                           "Paris 4e Arrondissement (Paris)"]  # fmt: skip
    assert rows[1][9] == uris.notice("merimee", "PA00086250")


def test_map_geojson(search_app: ServedApp) -> None:
    response = requests.get(
        f"{search_app.url}/search/map.json?bbox=2.2,48.8,2.45,48.9&zoom=12&f.base=merimee",
        timeout=30,
    )
    assert response.headers["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["total"] == 3
    by_ref = {f["properties"]["ref"]: f for f in data["features"]}
    assert sorted(by_ref) == ["EA75990001", "PA00086001", "PA00086250"]
    assert by_ref["PA00086250"]["geometry"] == {"type": "Point", "coordinates": [2.35005, 48.85294]}
    assert by_ref["PA00086250"]["properties"]["href"] == "/notice/merimee/PA00086250"
    assert requests.get(f"{search_app.url}/search/map.json", timeout=30).status_code == 400


ADVANCED = "af0=type&ao0=is&av0=cath%C3%A9drale&aj1=et&af1=place&ao1=within&av1=region%2F44"


EXPECTED_SPARQL = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX pop: <https://w3id.org/pop-ld/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# The notices this search finds (pop-ld's search page shows them ranked by relevance).
SELECT ?notice (SAMPLE(?name) AS ?title) WHERE {
  GRAPH ?notice {
    ?notice a pop:Notice ; crm:P70_documents ?thing .
    OPTIONAL { ?thing rdfs:label ?name }
  }
  # « Dénomination »
  { SELECT DISTINCT ?notice WHERE {
      {
        SELECT ?value ?label WHERE {
          ?value skos:inScheme ?scheme .
          FILTER(STRSTARTS(STRAFTER(STR(?scheme), "/id/scheme/"), "denomination"))
          OPTIONAL { ?value skos:prefLabel ?label }
        }
      }
      { SELECT ?notice ?thing ?value WHERE { GRAPH ?notice { ?thing crm:P2_has_type ?value } } }
      { SELECT ?notice ?thing WHERE { GRAPH ?notice { ?notice crm:P70_documents ?thing } } }
      FILTER(REGEX(?label, "^[cç][aàáâãäå]th[eèéêë]dr[aàáâãäå]l[eèéêë]$", "i"))
  } }
  # facet « Région »
  { SELECT DISTINCT ?notice WHERE {
      { SELECT ?notice ?thing WHERE { GRAPH ?notice { ?notice crm:P70_documents ?thing } } }
      { SELECT ?notice ?thing ?location WHERE { GRAPH ?notice {
          ?thing crm:P55_has_current_location|crm:P74_has_current_or_former_residence|crm:P138_represents ?location } } }
      { SELECT ?notice ?location ?place WHERE { GRAPH ?notice { ?location crm:P89_falls_within ?place } } }
      {
        SELECT DISTINCT ?place ?value WHERE {
          { ?value a pop:Region . BIND(?value AS ?place) }
          UNION { ?place crm:P89_falls_within ?value . ?value a pop:Region }
          UNION { ?place crm:P89_falls_within/crm:P89_falls_within ?value . ?value a pop:Region }
        }
      }
      OPTIONAL { SELECT ?value ?label WHERE { ?value a pop:Region ; rdfs:label ?label } }
      VALUES ?value { <{base}/id/place/region/44> }
  } }
}
GROUP BY ?notice
ORDER BY ?title ?notice
"""


def test_advanced_search_compiles_to_the_expected_sparql(
    search_app: ServedApp, search_index: SearchIndex
) -> None:
    tree = page(search_app, "/search?" + ADVANCED)
    assert hit_refs(tree) == ["PA51990001", "PA67990001"]
    chips = [li.find("span").text() for li in tree.find_all("li", cls="chip")]
    assert chips == [
        "Avancée : Dénomination est « cathédrale »",
        "Avancée : Localisation se trouve dans « Grand Est »",
    ]
    shown = tree.find("code", cls="sparql-query").raw_text()
    base = search_index.base_uri
    assert shown == EXPECTED_SPARQL.replace("{base}", base)


@pytest.mark.parametrize(
    "query",
    ["q=eglise+romane", ADVANCED, "q=cathedrale&f.base=palissy&f.base=memoire&f.century=13",
     "af0=author&ao0=contains&av0=viollet&aj1=ou&af1=date&ao1=before&av1=1000"],
)  # fmt: skip
def test_the_sparql_shown_is_what_runs(search_app: ServedApp, query: str) -> None:
    tree = page(search_app, "/search?" + query)
    shown = tree.find("code", cls="sparql-query").raw_text()
    assert shown == requests.get(f"{search_app.url}/search.rq?{query}", timeout=30).text
    assert shown == compile_state(SearchState.from_query_string(query), uris.base_uri())
    link = tree.find("a", cls="open-sparql").attrs["href"]
    assert parse_qs(urlsplit(link).query)["query"] == [shown]
    answer = requests.post(
        search_app.sparql,
        data={"query": shown},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()
    ran = sorted(b["notice"]["value"] for b in answer["results"]["bindings"])
    listed = requests.get(f"{search_app.url}/search.csv?{query}", timeout=30).text
    assert ran == sorted(row["notice"] for row in csv.DictReader(io.StringIO(listed)))


def test_hostile_query_is_escaped(search_app: ServedApp) -> None:
    hostile = '<script>alert("q")</script>"><img src=x onerror=alert(1)>'
    response = requests.get(
        f"{search_app.url}/search", params={"q": hostile, "f.base": hostile}, timeout=30
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;" in response.text


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, serve_app) -> ServedApp:
    """A store holding one notice whose fields are hostile HTML and a spreadsheet formula."""
    folder = tmp_path_factory.mktemp("hostile")
    notice = {
        "REF": "PA99990099",
        "BASE": "Patrimoine architectural (Mérimée)",
        "TICO": '=HYPERLINK("http://x") <script>alert("titre")</script>',
        "DENO": ['<img src=x onerror=alert("deno")>'],
        "REG": ["Bretagne"],
        "DPT": ["35"],
        "COM": ["Rennes"],
        "INSEE": ["35238"],
        "POP_COORDONNEES": {"lat": 48.11, "lon": -1.68},
    }
    source = folder / "merimee.json"
    source.write_text(json.dumps([notice]), encoding="utf-8")
    store = folder / "store"
    load_files([source], store)
    build_index(store)
    return serve_app(STORE=str(store), POOL_SIZE=1, BASE_URI=uris.base_uri())


def test_hostile_field_values_are_escaped(hostile_app: ServedApp) -> None:
    response = requests.get(f"{hostile_app.url}/search?q=alert", timeout=30)
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    tree = parse(response.text)
    assert (
        tree.find("li", cls="hit").find("a").text()
        == '=HYPERLINK("http://x") <script>alert("titre")</script>'
    )
    labels = [
        s.text() for s in tree.find("section", cls="facet", data_facet="type").find_all(cls="label")
    ]
    assert labels == ['<img src=x onerror=alert("deno")>']
    rows = list(
        csv.reader(io.StringIO(requests.get(f"{hostile_app.url}/search.csv", timeout=30).text))
    )
    assert rows[1][3] == '\'=HYPERLINK("http://x") <script>alert("titre")</script>'
    geo = requests.get(
        f"{hostile_app.url}/search/map.json?bbox=-2,48,-1,49&zoom=10", timeout=30
    ).json()
    assert geo["features"][0]["properties"]["title"].startswith("=HYPERLINK")


def test_home_page(search_app: ServedApp, search_index: SearchIndex) -> None:
    tree = page(search_app, "/")
    cards = {a.attrs["data-base"]: a for a in tree.find_all("a", cls="base-card")}
    assert list(cards) == list(uris.bases())
    merimee = cards["merimee"]
    assert merimee.attrs["href"] == "/search?f.base=merimee"
    assert (
        merimee.find(cls="count").text()
        == f"{search_index.by_key[('base', 'merimee')].count} notices"
    )
    themes = {a.find("strong").text(): a for a in tree.find_all("a", cls="theme-card")}
    assert list(themes)[:3] == ["Châteaux de la Loire", "Orgues classés", "Vitraux"]
    loire = themes["Châteaux de la Loire"]
    assert loire.find(cls="count").text() == "2 notices"
    assert hit_refs(page(search_app, loire.attrs["href"])) == ["PA37990001", "PA41990001"]
    assert tree.find("form", cls="search-form").attrs["action"] == "/search"


def test_suggest_and_facet_search(search_app: ServedApp) -> None:
    got = requests.get(f"{search_app.url}/search/suggest?field=type&prefix=cath", timeout=30).json()
    assert got == [{"value": "cathédrale", "label": "cathédrale", "count": 7}]
    places = requests.get(
        f"{search_app.url}/search/suggest?field=place&prefix=grand", timeout=30
    ).json()
    assert places[0]["value"] == "region/44"
    assert places[0]["label"] == "Grand Est (région)"
    values = requests.get(
        f"{search_app.url}/search/facet.json?facet=author&prefix=viol&f.base=merimee", timeout=30
    ).json()
    assert [(v["label"], v["count"]) for v in values] == [("Viollet-le-Duc Eugène", 5)]
    assert values[0]["href"] == "/search?f.base=merimee&f.author=viollet-le-duc-eugene"
    tree = page(search_app, "/search/facet?facet=type&prefix=orgue&q=orgue")
    assert [a.find(cls="label").text() for a in tree.find_all("a") if a.find_all(cls="label")] == [
        "orgue de tribune"
    ]


def test_advanced_form(search_app: ServedApp) -> None:
    tree = page(search_app, "/search/advanced?base=palissy")
    fields = [o.text() for o in tree.find_all("select", cls="field")[0].find_all("option")]
    assert "Dénomination de l'objet (DENO)" in fields
    assert "Objet manquant ou volé (MANQUANT)" in fields
    assert "Nom du musée (NOMOFF)" not in fields
    assert tree.find("input", type="hidden").attrs == {
        "type": "hidden",
        "name": "f.base",
        "value": "palissy",
    }


def test_browse_pages(search_app: ServedApp) -> None:
    base = uris.base_uri()
    cases = {
        f"/browse/place?uri={quote(base + '/id/place/departement/75')}": "/search?f.departement=75",
        f"/browse/person?uri={quote(base + '/id/person/viollet-le-duc-eugene')}": "/search?f.author=viollet-le-duc-eugene",
        f"/browse/concept?uri={quote(base + '/id/concept/denomination-architecture/cathedrale')}": "/search?f.type=denomination-architecture%2Fcathedrale",
        f"/browse/concept?uri={quote(base + '/id/concept/iconographie/crucifixion')}": "/search?f.concept=iconographie%2Fcrucifixion",
        "/browse/base/palissy": "/search?f.base=palissy",
        "/browse/date?text=13e+si%C3%A8cle": "/search?f.period=13e+si%C3%A8cle",
        "/browse/date?text=1248+vers": "/search?from_year=1248&to_year=1248",
    }
    for path, target in cases.items():
        response = requests.get(search_app.url + path, allow_redirects=False, timeout=30)
        assert (response.status_code, response.headers["Location"]) == (302, target), path
    tree = page(search_app, "/search?f.concept=iconographie%2Fcrucifixion")
    assert [li.find("span").text() for li in tree.find_all("li", cls="chip")] == [
        "Concept : Crucifixion"
    ]
    assert "PM75990004" in hit_refs(tree)  # verrière figurée : la Passion
    assert requests.get(search_app.url + "/browse/base/nope", timeout=30).status_code == 404


def test_neighbours_hook(search_app: ServedApp) -> None:
    from app.search import facet_href, neighbours

    with search_app.app.app_context():
        before, after = neighbours("f.type=denomination-architecture%2Fcathedrale", 1)
        assert before == ("merimee", "PA00086250")
        assert after == ("merimee", "PA51990001")
        assert after.uri == uris.notice("merimee", "PA51990001")
        assert neighbours("f.type=denomination-architecture%2Fcathedrale", 0)[0] is None
        iri = uris.base_uri() + "/id/place/region/44"
        assert facet_href("place", iri, "Grand Est") == "/search?f.region=44"


def test_missing_index_is_a_503(demo_store_dir: Path, serve_app, tmp_path: Path) -> None:
    app = serve_app(
        STORE=str(demo_store_dir), SEARCH_INDEX=str(tmp_path / "none.sqlite"), POOL_SIZE=1
    )
    response = requests.get(app.url + "/search?q=x", timeout=30)
    assert response.status_code == 503
    assert "Recherche indisponible" in response.text
