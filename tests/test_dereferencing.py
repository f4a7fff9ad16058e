"""/id, /data and /notice over real HTTP: Cool URIs, content negotiation, profiles, signposting."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import rdflib
import requests
from http_servers import ServedApp
from rdflib.compare import isomorphic

from pop_ld import uris

pytest_plugins = ["fixtures_demo"]

NOTRE_DAME = uris.thing("merimee", "PA00086250")
BELL = uris.thing("palissy", "PM75990001")
LINKED_ART = "https://linked.art/ns/v1/linked-art.json"
RDFS = rdflib.RDFS
SKOS = rdflib.SKOS
CRM = rdflib.Namespace(uris.CRM)
POP = rdflib.Namespace(uris.POP)

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(app: ServedApp, path: str, accept: str | None = "", **headers: str) -> requests.Response:
    """One GET, redirects not followed; ``accept=None`` sends no Accept header at all."""
    sent: dict[str, str | None] = {"Accept": accept, **headers} if accept != "" else dict(headers)
    return requests.get(app.url + path, headers=sent, allow_redirects=False, timeout=30)


def links(response: requests.Response) -> dict[tuple[str, str], dict[str, str]]:
    """The Link header as {(rel, url): params}."""
    found = {}
    for value in requests.utils.parse_header_links(response.headers.get("Link", "")):
        url, rel = value.pop("url"), value.pop("rel")
        found[(rel, url)] = value
    return found


# -- /id answers 303 -------------------------------------------------------------------------

NOTICE_PAGE = "/notice/merimee/PA00086250"
DATA = "/data/merimee/PA00086250"


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/html", NOTICE_PAGE),
        (CHROME, NOTICE_PAGE),
        (FIREFOX, NOTICE_PAGE),
        (SAFARI, NOTICE_PAGE),
        ("*/*", NOTICE_PAGE),
        (None, NOTICE_PAGE),
        ("text/*", NOTICE_PAGE),
        ("text/turtle", f"{DATA}.ttl"),
        ("application/x-turtle", f"{DATA}.ttl"),
        ("application/ld+json", f"{DATA}.jsonld"),
        ("application/json", f"{DATA}.jsonld"),
        (f'application/ld+json;profile="{LINKED_ART}"', f"{DATA}.jsonld?_profile=linked-art"),
        (
            f'application/ld+json; profile="{LINKED_ART}"; q=0.9',
            f"{DATA}.jsonld?_profile=linked-art",
        ),
        ("application/rdf+xml", f"{DATA}.rdf"),
        ("application/n-triples", f"{DATA}.nt"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", f"{DATA}.rdf"),
        ("text/html;q=0.1, text/turtle", f"{DATA}.ttl"),
        ("text/html;q=0, */*", f"{DATA}.ttl"),
        ("application/rdf+xml, text/turtle", f"{DATA}.rdf"),
        ("text/turtle, application/rdf+xml", f"{DATA}.ttl"),
        ("application/n-triples;q=1.0, text/turtle;q=0.99, */*;q=0.1", f"{DATA}.nt"),
    ],
)
def test_thing_answers_303_by_accept(
    demo_app: ServedApp, accept: str | None, location: str
) -> None:
    response = get(demo_app, "/id/merimee/PA00086250", accept)
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert response.headers["Vary"] == "Accept, Accept-Profile"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "headers", "location"),
    [
        ("?_profile=schema", {"Accept": "application/ld+json"}, f"{DATA}.jsonld?_profile=schema"),
        ("?_profile=linked-art", {"Accept": "application/ld+json"}, f"{DATA}.jsonld?_profile=linked-art"),
        ("", {"Accept": "application/ld+json", "Accept-Profile": "<https://schema.org/>"},
         f"{DATA}.jsonld?_profile=schema"),
        ("", {"Accept": "application/ld+json",
              "Accept-Profile": f"<https://schema.org/>;q=0.5, <{LINKED_ART}>"},
         f"{DATA}.jsonld?_profile=linked-art"),
        # a profile Turtle cannot carry: the native graph, said by Content-Profile on the document
        ("?_profile=linked-art", {"Accept": "text/turtle"}, f"{DATA}.ttl"),
    ],
)  # fmt: skip
def test_thing_303_keeps_the_profile(
    demo_app: ServedApp, query: str, headers: dict[str, str], location: str
) -> None:
    response = get(demo_app, "/id/merimee/PA00086250" + query, **headers)
    assert (response.status_code, response.headers["Location"]) == (303, location)


def test_head_answers_303_too(demo_app: ServedApp) -> None:
    response = requests.head(
        demo_app.url + "/id/merimee/PA00086250", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert (response.status_code, response.headers["Location"]) == (303, f"{DATA}.ttl")


def test_nothing_acceptable_is_406(demo_app: ServedApp) -> None:
    response = get(demo_app, "/id/merimee/PA00086250", "image/png")
    assert response.status_code == 406
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "Not acceptable: this resource is offered as text/html, text/turtle, "
        "application/ld+json, application/rdf+xml, application/n-triples.\n"
    )


# -- unknown and unpublished -------------------------------------------------------------------


def test_unknown_ref_is_a_real_404_page(demo_app: ServedApp) -> None:
    response = get(demo_app, "/id/merimee/PA00000000", FIREFOX)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Page introuvable</h1>" in response.text
    assert '<p class="message">No notice PA00000000 in merimee.</p>' in response.text
    assert "Données au " in response.text


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "*/*;q=0.1, text/plain"])
def test_unknown_ref_is_a_short_text_404_for_machines(demo_app: ServedApp, accept: str) -> None:
    response = get(demo_app, "/id/merimee/PA00000000", accept)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == "No notice PA00000000 in merimee.\n"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/id/mnr/MNR%20191%2F2", "No notice MNR 191/2 in mnr.\n"),
        ("/id/nowhere/PA00086250", "No base or kind of resource is called 'nowhere'.\n"),
        ("/data/merimee/PA00000000.ttl", "No notice PA00000000 in merimee.\n"),
        ("/notice/merimee/PA00000000", "No notice PA00000000 in merimee.\n"),
        ("/id/concept/denomination-architecture/nothing-here",
         "Nothing is known about /id/concept/denomination-architecture/nothing-here.\n"),
        ("/data/person/nobody.ttl", "Nothing is known about /id/person/nobody.\n"),
    ],
)  # fmt: skip
def test_other_404s(demo_app: ServedApp, path: str, message: str) -> None:
    response = get(demo_app, path, "text/turtle")
    assert (response.status_code, response.text) == (404, message)


def test_a_ref_of_another_base_is_pointed_to(demo_app: ServedApp) -> None:
    response = get(demo_app, "/id/palissy/PA00086250", "text/turtle")
    assert response.status_code == 404
    assert response.text == (
        "No notice PA00086250 in palissy. PA00086250 is a REF of merimee: "
        f"{uris.base_uri()}/id/merimee/PA00086250\n"
    )
    page = get(demo_app, "/id/palissy/PA00086250", "text/html")
    assert '<a href="/id/merimee/PA00086250">/id/merimee/PA00086250</a>' in page.text


def test_unpublished_but_referred_thing_is_not_a_broken_link(demo_app: ServedApp) -> None:
    response = get(demo_app, "/id/merimee/PA49990001", "text/html")
    assert (response.status_code, response.headers["Location"]) == (
        303,
        "/notice/merimee/PA49990001",
    )
    page = get(demo_app, "/notice/merimee/PA49990001", "text/html")
    assert page.status_code == 200
    assert "<h1>Notice non publiée</h1>" in page.text
    assert '<meta name="robots" content="noindex">' in page.text
    assert (
        '<li><a href="/notice/palissy/PM49990001">tenture de l&#39;Apocalypse</a> '
        '<small class="ref">PM49990001</small>'
    ) in page.text


def test_unpublished_thing_rdf_says_who_refers_to_it(demo_app: ServedApp) -> None:
    response = get(demo_app, "/id/merimee/PA49990001", "text/turtle")
    assert response.headers["Location"] == "/data/merimee/PA49990001.ttl"
    document = get(demo_app, response.headers["Location"])
    assert document.status_code == 200
    graph = rdflib.Graph().parse(data=document.text, format="turtle")
    tapestry = rdflib.URIRef(uris.thing("palissy", "PM49990001"))
    building = rdflib.URIRef(uris.thing("merimee", "PA49990001"))
    assert set(graph.subjects(POP.conserveDans, building)) == {tapestry}
    assert graph.value(tapestry, RDFS.label) == rdflib.Literal("tenture de l'Apocalypse", lang="fr")
    assert (None, rdflib.RDF.type, POP.Notice) not in graph


# -- following the 303: curl -L -H 'Accept: text/turtle' --------------------------------------


def test_follow_the_303_and_read_the_turtle(demo_app: ServedApp) -> None:
    response = requests.get(
        demo_app.url + "/id/merimee/PA00086250", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert [r.status_code for r in response.history] == [303]
    assert response.url == f"{demo_app.url}{DATA}.ttl"
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    thing = rdflib.URIRef(NOTRE_DAME)
    assert graph.value(thing, RDFS.label) == rdflib.Literal("Cathédrale Notre-Dame", lang="fr")
    # self-describing: what the notice links to comes with its label
    cathedrale = rdflib.URIRef(uris.concept("denomination-architecture", "cathédrale"))
    assert (thing, CRM.P2_has_type, cathedrale) in graph
    assert graph.value(cathedrale, SKOS.prefLabel) == rdflib.Literal("cathédrale", lang="fr")
    commune = rdflib.URIRef(uris.place("commune", "75104"))
    assert graph.value(commune, RDFS.label) == rdflib.Literal("Paris 4e Arrondissement", lang="fr")
    region = rdflib.URIRef(uris.place("region", "11"))
    assert graph.value(region, RDFS.label) == rdflib.Literal("Île-de-France", lang="fr")
    architect = rdflib.URIRef(uris.person("Viollet-le-Duc Eugène"))
    assert graph.value(architect, RDFS.label) == rdflib.Literal("Viollet-le-Duc Eugène")


def test_linked_things_come_with_their_label_and_notice(demo_app: ServedApp) -> None:
    graph = rdflib.Graph().parse(
        data=get(demo_app, "/data/palissy/PM75990001.ttl").text, format="turtle"
    )
    building = rdflib.URIRef(NOTRE_DAME)
    assert (rdflib.URIRef(BELL), POP.conserveDans, building) in graph
    assert graph.value(building, RDFS.label) == rdflib.Literal("Cathédrale Notre-Dame", lang="fr")
    assert graph.value(building, CRM.P70i_is_documented_in) == rdflib.URIRef(
        uris.notice("merimee", "PA00086250")
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_curl_follows_to_the_turtle(demo_app: ServedApp) -> None:
    done = subprocess.run(
        ["curl", "-sSL", "-H", "Accept: text/turtle", "-w", "\n%{url_effective} %{http_code}",
         demo_app.url + "/id/merimee/PA00086250"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    body, _, last = done.stdout.rpartition("\n")
    assert last == f"{demo_app.url}{DATA}.ttl 200"
    graph = rdflib.Graph().parse(data=body, format="turtle")
    label = graph.value(rdflib.URIRef(NOTRE_DAME), RDFS.label)
    assert label == rdflib.Literal("Cathédrale Notre-Dame", lang="fr")


# -- the documents ------------------------------------------------------------------------------

FORMATS = {
    "ttl": ("text/turtle; charset=utf-8", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}


def test_every_syntax_answers_its_type_and_the_same_graph(demo_app: ServedApp) -> None:
    graphs = {}
    for ext, (media_type, parser) in FORMATS.items():
        response = get(demo_app, f"{DATA}.{ext}")
        assert (response.status_code, response.headers["Content-Type"]) == (200, media_type)
        assert response.headers["Content-Profile"] == "<https://w3id.org/pop-ld/profile/pop>"
        graphs[ext] = rdflib.Graph().parse(data=response.content, format=parser)
    document = get(demo_app, f"{DATA}.jsonld")
    assert document.headers["Content-Type"] == "application/ld+json"
    body = document.json()
    assert body["@context"] == f"{uris.base_uri()}/context.jsonld"
    context = get(demo_app, "/context.jsonld")
    assert context.headers["Content-Type"] == "application/ld+json"
    body["@context"] = context.json()["@context"]
    graphs["jsonld"] = rdflib.Graph().parse(data=json.dumps(body), format="json-ld")
    assert len(graphs["ttl"]) > 150
    for ext in ("nt", "rdf", "jsonld"):
        assert isomorphic(graphs[ext], graphs["ttl"]), ext


def test_jsonld_is_compact_with_the_published_context(demo_app: ServedApp) -> None:
    nodes = {n["id"]: n for n in get(demo_app, f"{DATA}.jsonld").json()["@graph"]}
    thing = nodes[NOTRE_DAME]
    assert thing["type"] == ["pop:Edifice", "crm:E22_Human-Made_Object"]
    assert thing["label"] == {"@value": "Cathédrale Notre-Dame", "@language": "fr"}
    assert thing["classified_as"] == [
        uris.concept("plans", "plan allongé"),
        uris.concept("denomination-architecture", "cathédrale"),
    ]
    span = nodes[NOTRE_DAME + "#production-scle-1-timespan"]
    assert span["begin_of_the_begin"] == "1150-01-01T00:00:00"
    assert span["label"] == {"@value": "2e moitié 12e siècle", "@language": "fr"}


def test_notice_url_serves_rdf_by_accept(demo_app: ServedApp) -> None:
    response = get(demo_app, NOTICE_PAGE, "text/turtle")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.headers["Content-Location"] == f"{DATA}.ttl"
    assert response.text == get(demo_app, f"{DATA}.ttl").text


@pytest.mark.parametrize(
    ("accept", "location"),
    [("text/turtle", f"{DATA}.ttl"), ("text/html", NOTICE_PAGE),
     (f'application/ld+json;profile="{LINKED_ART}"', f"{DATA}.jsonld?_profile=linked-art")],
)  # fmt: skip
def test_data_without_extension_negotiates(demo_app: ServedApp, accept: str, location: str) -> None:
    response = get(demo_app, DATA, accept)
    assert (response.status_code, response.headers["Location"]) == (303, location)


# -- profiles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (f"{DATA}.jsonld?_profile=linked-art", {}),
        (f"{DATA}.jsonld?_profile={LINKED_ART}", {}),
        (f"{DATA}.jsonld", {"Accept": f'application/ld+json;profile="{LINKED_ART}"'}),
        (f"{DATA}.jsonld", {"Accept-Profile": f"<{LINKED_ART}>"}),
        (NOTICE_PAGE, {"Accept": f'application/ld+json;profile="{LINKED_ART}"'}),
    ],
)
def test_linked_art_profile(demo_app: ServedApp, path: str, headers: dict[str, str]) -> None:
    response = get(demo_app, path, **headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f'application/ld+json;profile="{LINKED_ART}"'
    assert response.headers["Content-Profile"] == f"<{LINKED_ART}>"
    assert response.headers["Vary"] == "Accept, Accept-Profile"
    body = response.json()
    assert body["@context"] == LINKED_ART
    assert (body["id"], body["type"], body["_label"]) == (
        NOTRE_DAME,
        "HumanMadeObject",
        "Cathédrale Notre-Dame",
    )
    identifiers = {(i["type"], i["content"]) for i in body["identified_by"]}
    assert ("Identifier", "PA00086250") in identifiers
    assert ("Name", "Notre-Dame de Paris") in identifiers
    title = next(i for i in body["identified_by"] if i["content"] == "Cathédrale Notre-Dame")
    assert title["classified_as"][0]["id"] == "http://vocab.getty.edu/aat/300404670"
    span = body["produced_by"]["timespan"]
    assert (span["begin_of_the_begin"], span["end_of_the_end"]) == (
        "1150-01-01T00:00:00Z",
        "1899-12-31T23:59:59Z",
    )
    authors = {
        a["_label"] for p in body["produced_by"]["part"] for a in p.get("carried_out_by", [])
    }
    assert authors == {"Viollet-le-Duc Eugène", "Lassus Jean-Baptiste"}
    assert {m["_label"] for m in body["made_of"]} == {"calcaire", "plomb"}
    location = body["current_location"]
    assert location["part_of"] == [
        {"id": uris.place("commune", "75104"), "type": "Place", "_label": "Paris 4e Arrondissement"}
    ]
    assert body["subject_of"][0]["id"] == uris.notice("merimee", "PA00086250")
    assert body["attributed_by"][0]["_label"] == "1862 : classé MH"


def test_linked_art_object_is_part_of_its_building(demo_app: ServedApp) -> None:
    body = get(demo_app, "/data/palissy/PM75990001.jsonld?_profile=linked-art").json()
    assert body["part_of"] == [
        {"id": NOTRE_DAME, "type": "HumanMadeObject", "_label": "Cathédrale Notre-Dame"}
    ]
    assert [m["_label"] for m in body["made_of"]] == ["bronze"]


def test_schema_org_profile(demo_app: ServedApp) -> None:
    response = get(demo_app, f"{DATA}.jsonld", "application/ld+json", **{
        "Accept-Profile": "<https://schema.org/>"})  # fmt: skip
    assert response.headers["Content-Profile"] == "<https://schema.org/>"
    assert response.headers["Content-Type"] == "application/ld+json"
    body = response.json()
    assert body["@type"] == "LandmarksOrHistoricalBuildings"
    assert (body["name"], body["identifier"]) == ("Cathédrale Notre-Dame", "PA00086250")
    assert body["geo"] == {"@type": "GeoCoordinates", "latitude": 48.85294, "longitude": 2.35005}
    assert body["containedInPlace"]["name"] == "Paris 4e Arrondissement"
    assert body["temporalCoverage"] == "1150/1899"
    assert body["license"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    bell = get(demo_app, "/data/palissy/PM75990001.jsonld?_profile=schema").json()
    assert bell["@type"] == "CreativeWork"
    assert bell["containedInPlace"] == {
        "@type": "LandmarksOrHistoricalBuildings",
        "@id": NOTRE_DAME,
        "name": "Cathédrale Notre-Dame",
    }


def test_a_profile_the_format_cannot_carry_falls_back_to_the_native_graph(
    demo_app: ServedApp,
) -> None:
    response = get(demo_app, f"{DATA}.ttl?_profile=linked-art")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.headers["Content-Profile"] == "<https://w3id.org/pop-ld/profile/pop>"


def test_profiles_are_listed(demo_app: ServedApp) -> None:
    response = get(demo_app, f"{DATA}?_profile=list")
    assert response.headers["Content-Type"] == "application/json"
    profiles = response.json()["profiles"]
    assert [(p["token"], p["profile"], sorted(p["formats"])) for p in profiles] == [
        ("pop", "https://w3id.org/pop-ld/profile/pop", ["jsonld", "nt", "rdf", "ttl"]),
        ("linked-art", LINKED_ART, ["jsonld"]),
        ("schema", "https://schema.org/", ["jsonld"]),
    ]
    root = uris.base_uri()
    assert links(response)[("alternate", f"{root}{DATA}.jsonld?_profile=linked-art")] == {
        "type": "application/ld+json",
        "formats": LINKED_ART,
    }


# -- headers: signposting, Vary, CORS --------------------------------------------------------------


def test_signposting_on_the_rdf_document(demo_app: ServedApp) -> None:
    response = get(demo_app, f"{DATA}.ttl")
    root = uris.base_uri()
    found = links(response)
    assert ("cite-as", NOTRE_DAME) in found
    assert ("describes", NOTRE_DAME) in found
    assert ("canonical", f"{root}{DATA}.ttl") in found
    assert ("license", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/") in found
    assert ("type", "https://schema.org/LandmarksOrHistoricalBuildings") in found
    assert found[("alternate", uris.notice("merimee", "PA00086250"))] == {"type": "text/html"}
    assert found[("alternate", f"{root}{DATA}.jsonld")] == {"type": "application/ld+json"}
    assert found[("alternate", f"{root}{DATA}.jsonld?_profile=schema")] == {
        "type": "application/ld+json",
        "formats": "https://schema.org/",
    }
    assert response.headers["Vary"] == "Accept, Accept-Profile"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]


def test_signposting_on_the_page(demo_app: ServedApp) -> None:
    response = get(demo_app, NOTICE_PAGE, CHROME)
    root = uris.base_uri()
    found = links(response)
    assert ("cite-as", NOTRE_DAME) in found
    assert ("canonical", uris.notice("merimee", "PA00086250")) in found
    assert ("type", "https://schema.org/AboutPage") in found
    assert ("license", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/") in found
    assert found[("describedby", f"{root}{DATA}.ttl")] == {"type": "text/turtle"}
    assert found[("describedby", f"{root}{DATA}.nt")] == {"type": "application/n-triples"}
    assert response.headers["Vary"] == "Accept, Accept-Profile"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_allows_accept_profile(demo_app: ServedApp) -> None:
    response = requests.options(
        demo_app.url + f"{DATA}.jsonld",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "accept-profile"},
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (
        response.headers["Access-Control-Allow-Headers"] == "Accept, Accept-Profile, Content-Type"
    )


# -- shared resources ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("concept/denomination-architecture/cathedrale", ("cathédrale", "fr")),
        ("person/viollet-le-duc-eugene", ("Viollet-le-Duc Eugène", None)),
        ("place/commune/75104", ("Paris 4e Arrondissement", "fr")),
        ("place/departement/75", ("Paris", "fr")),
        ("base/merimee", ("Patrimoine architectural (Mérimée)", "fr")),
    ],
)
def test_shared_resources_dereference(
    demo_app: ServedApp, path: str, label: tuple[str, str | None]
) -> None:
    page = get(demo_app, f"/id/{path}", CHROME)
    assert (page.status_code, page.headers["Location"]) == (303, f"/data/{path}.html")
    response = requests.get(
        demo_app.url + f"/id/{path}", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert response.url == f"{demo_app.url}/data/{path}.ttl"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    subject = rdflib.URIRef(f"{uris.base_uri()}/id/{path}")
    names = set(graph.objects(subject, SKOS.prefLabel)) | set(graph.objects(subject, RDFS.label))
    assert rdflib.Literal(label[0], lang=label[1]) in names
    html = requests.get(demo_app.url + f"/data/{path}.html", timeout=30)
    assert html.status_code == 200
    assert f"<h1>{label[0]}</h1>" in html.text


def test_concept_page_lists_the_notices_that_use_it(demo_app: ServedApp) -> None:
    html = get(demo_app, "/data/concept/denomination-architecture/cathedrale.html").text
    assert '<a href="/notice/merimee/PA00086250">Cathédrale Notre-Dame</a>' in html
