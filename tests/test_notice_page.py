"""The notice page over real HTTP: POP's labels and order, values from the graph, links, escaping."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from html_tree import Element, fields, parse
from http_servers import ServedApp

from pop_ld import ROOT, uris
from pop_ld.index import build_index, index_path
from pop_ld.load import load_files

pytest_plugins = ["fixtures_demo", "fixtures_http"]


def page(app: ServedApp, path: str) -> tuple[requests.Response, Element]:
    response = requests.get(app.url + path, headers={"Accept": "text/html"}, timeout=30)
    return response, parse(response.text)


@pytest.fixture(scope="module")
def search_index(demo_store_dir: Path) -> Path:
    """The search's side index of the demo store: the browse links and prev/next come from it."""
    path = index_path(demo_store_dir)
    if not path.exists():
        build_index(demo_store_dir)
    return path


@pytest.fixture(scope="module")
def notre_dame(demo_app: ServedApp, search_index: Path) -> Element:
    response, tree = page(demo_app, "/notice/merimee/PA00086250")
    assert response.status_code == 200
    return tree


def test_sections_in_pop_order(notre_dame: Element) -> None:
    titles = [h2.text() for h2 in notre_dame.find("article").find_all("h2")]
    assert titles[:6] == [
        "Identification",
        "Historique",
        "Description",
        "Localisation",
        "Protection et statut juridique",
        "Références",
    ]
    assert "Objets conservés dans cet édifice 3" in titles


def test_fields_with_pop_labels_in_reading_order(notre_dame: Element) -> None:
    assert fields(notre_dame, "identification") == {
        "Référence de la notice": "PA00086250",
        "Titre courant": "Cathédrale Notre-Dame",
        "Appellation d'usage": "Notre-Dame de Paris",
        "Dénomination de l'édifice": "cathédrale",
        "Vocable - pour les édifices cultuels": "Notre-Dame",
    }
    historique = fields(notre_dame, "historique")
    assert list(historique) == [
        "Siècle de la campagne principale de construction",
        "Année(s) de(s) campagne(s) de construction",
        "Commentaires concernant la datation",
        "Auteur de l'édifice",
        "Description historique",
    ]
    assert historique["Siècle de la campagne principale de construction"] == (
        "2e moitié 12e siècle ; 13e siècle ; 1ère moitié 14e siècle ; 19e siècle"
    )
    assert historique["Année(s) de(s) campagne(s) de construction"] == "1163 ; 1345"
    assert historique["Auteur de l'édifice"] == (
        "Viollet-le-Duc Eugène (architecte) ; Lassus Jean-Baptiste (architecte)"
    )
    assert fields(notre_dame, "localisation") == {
        "Région": "Île-de-France",
        "Département": "Paris (75)",
        "Commune normalisée": "Paris 4e Arrondissement",
        "Numéro INSEE de la commune": "75104",
        "Lieu-dit": "Île de la Cité",
        "Adresse de l'édifice": "Notre-Dame (parvis) ; Cloître-Notre-Dame (rue du)",
        "Milieu d'implantation pour le domaine Inventaire": "en ville",
        "Coordonnées géographiques (WGS84)": "48.85294, 2.35005",
    }
    assert fields(notre_dame, "protection") == {
        "Nature de la protection de l'édifice": "classé MH",
        "Date et niveau de protection de l'édifice": "1862 : classé MH",
        "Nature de l'acte de protection": "liste de 1862",
        "Précision sur la protection de l'édifice": (
            "Cathédrale Notre-Dame : classement par liste de 1862"
        ),
        "Statut juridique du propriétaire": "propriété de l'Etat",
    }
    references = fields(notre_dame, "references")
    assert references["Date de la dernière modification de la notice"] == "2025-03-14"
    assert references["Producteur"] == "Monuments historiques"


def _links(tree: Element, section: str, code: str) -> list[tuple[str, str]]:
    dd = tree.find("section", id=section).find("dd", data_code=code)
    return [(a.attrs["href"], a.text()) for a in dd.find_all("a")]


def test_dates_places_and_terms_link_to_browse(notre_dame: Element) -> None:
    assert _links(notre_dame, "historique", "SCLE")[0] == (
        "/search?f.period=2e+moiti%C3%A9+12e+si%C3%A8cle",
        "2e moitié 12e siècle",
    )
    assert _links(notre_dame, "historique", "DATE") == [
        ("/search?from_year=1163&to_year=1163", "1163"),
        ("/search?from_year=1345&to_year=1345", "1345"),
    ]
    assert _links(notre_dame, "historique", "AUTR")[0] == (
        "/search?f.author=viollet-le-duc-eugene",
        "Viollet-le-Duc Eugène",
    )
    assert _links(notre_dame, "localisation", "REG") == [("/search?f.region=11", "Île-de-France")]
    assert _links(notre_dame, "identification", "DENO") == [
        ("/search?f.type=denomination-architecture%2Fcathedrale", "cathédrale")
    ]


def test_without_search_index_values_are_plain_text(
    tmp_path_factory: pytest.TempPathFactory,
    serve_app: Callable[..., ServedApp],
    demo_store_dir: Path,
) -> None:
    """A store with no side index yet: the page is whole, its values unlinked."""
    app = serve_app(
        STORE=str(demo_store_dir), SEARCH_INDEX=str(tmp_path_factory.mktemp("none") / "x")
    )
    response, tree = page(app, "/notice/merimee/PA00086250")
    assert response.status_code == 200
    assert _links(tree, "historique", "SCLE") == []
    assert fields(tree, "historique")["Année(s) de(s) campagne(s) de construction"] == "1163 ; 1345"


def test_images_and_map(notre_dame: Element) -> None:
    assert [
        img.attrs["src"] for img in notre_dame.find("figure", cls="gallery").find_all("img")
    ] == [
        "https://s3.eu-west-3.amazonaws.com/pop-phototeque/memoire/PA00086250/notre-dame-facade-occidentale.jpg",
        "https://s3.eu-west-3.amazonaws.com/pop-phototeque/mem/demo/pa00086250_p.jpg",
        "https://s3.eu-west-3.amazonaws.com/pop-phototeque/mem/demo/pa00086250_v.jpg",
    ]
    geometries = json.loads(notre_dame.find(id="notice-map").attrs["data-geometries"])
    assert geometries[0] == {"type": "Point", "coordinates": [2.35005, 48.85294]}
    assert geometries[1]["type"] == "Polygon"
    assert geometries[1]["coordinates"][0][0] == [2.349326, 48.853334]
    assert notre_dame.find("script", src="/vendor/leaflet/leaflet.js")


def test_what_links_here(notre_dame: Element) -> None:
    objects = notre_dame.find("section", id="objets")
    assert objects.find("h2").text() == "Objets conservés dans cet édifice 3"
    assert [(a.attrs["href"], a.text()) for a in objects.find_all("a")] == [
        ("/notice/palissy/PM75990001", "cloche dite Emmanuel"),
        ("/notice/palissy/PM75990002", "orgue de tribune : partie instrumentale de l'orgue"),
        ("/notice/palissy/PM75990003", "stalles du choeur"),
    ]


def test_photographs_of_the_monument(demo_app: ServedApp) -> None:
    if not (ROOT / "data" / "sample" / "memoire.json").exists():
        pytest.skip("no Mémoire demo notices yet (data/sample/memoire.json)")
    _, tree = page(demo_app, "/notice/merimee/PA00086250")
    photos = tree.find("section", id="images")
    assert ("/notice/memoire/APMH09900101", "Façade occidentale, pendant la restauration") in [
        (a.attrs["href"], a.text()) for a in photos.find_all("a")
    ]


def test_related_notice_links(demo_app: ServedApp) -> None:
    _, bell = page(demo_app, "/notice/palissy/PM75990001")
    assert _links(bell, "localisation", "REFA") == [
        ("/notice/merimee/PA00086250", "Cathédrale Notre-Dame")
    ]
    _, tapestry = page(demo_app, "/notice/palissy/PM49990001")
    refa = tapestry.find("section", id="localisation").find("dd", data_code="REFA")
    assert refa.text() == "PA49990001 non publiée"
    assert refa.find("a").attrs == {
        "class": "thing unpublished",
        "href": "/notice/merimee/PA49990001",
    }


def test_data_as_of_on_every_page(demo_app: ServedApp, demo_store_dir: Path) -> None:
    loaded = datetime.fromtimestamp(os.path.getmtime(demo_store_dir))
    month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"][loaded.month - 1]  # fmt: skip
    expected = f"{loaded.day} {month} {loaded.year}"
    for path in ("/notice/merimee/PA00086250", "/notice/merimee/PA49990001", "/notice/x/y"):
        _, tree = page(demo_app, path)
        assert f"Données au {expected}." in tree.find("footer").text()


def test_previous_next_and_back_to_the_search(demo_app: ServedApp, search_index: Path) -> None:
    search = requests.get(demo_app.url + "/search.json", params={"q": "cathédrale"}, timeout=30)
    hits = search.json()["hits"]
    _, tree = page(demo_app, hits[1]["href"])
    assert tree.find("h1").text() == hits[1]["title"]
    nav = tree.find("nav", cls="notice-nav")
    assert nav.find("a", cls="back").attrs["href"] == "/search?q=cath%C3%A9drale"
    key = quote("q=cath%C3%A9drale", safe="")
    assert nav.find("a", rel="prev").attrs["href"] == (
        f"/notice/{hits[0]['base']}/{hits[0]['ref']}?from={key}&i=0"
    )
    assert nav.find("a", rel="next").attrs["href"] == (
        f"/notice/{hits[2]['base']}/{hits[2]['ref']}?from={key}&i=2"
    )


def test_embedded_json_ld(notre_dame: Element) -> None:
    script = notre_dame.find("script", type="application/ld+json")
    data = json.loads(script.raw_text())
    assert (data["@type"], data["name"], data["identifier"]) == (
        "LandmarksOrHistoricalBuildings",
        "Cathédrale Notre-Dame",
        "PA00086250",
    )


def test_hostile_value_is_shown_as_text(demo_app: ServedApp) -> None:
    response, tree = page(demo_app, "/notice/merimee/PA80990002")
    assert "<script>alert(" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    obs = tree.find("section", id="protection").find("dd", data_code="OBS")
    assert obs.text() == "<script>alert('x')</script>"
    assert obs.find_all("script") == []


# -- a store written to attack the page: hostile values everywhere, a building with 12 objects ----

HOSTILE_TITLE = '</script><script>alert("tico")</script>'
HOSTILE_DESC = '<img src=x onerror=alert(1)> & "quotes" \u2028'


@pytest.fixture(scope="module")
def hostile_app(
    tmp_path_factory: pytest.TempPathFactory, serve_app: Callable[..., ServedApp]
) -> ServedApp:
    folder = tmp_path_factory.mktemp("hostile")
    building = {
        "REF": "PA01990001",
        "TICO": HOSTILE_TITLE,
        "DENO": ["église"],
        "DESC": HOSTILE_DESC,
        "HIST": "javascript:alert(2)",
        "COM": ["Bourg-en-Bresse"],
        "INSEE": ["01053"],
        "LIENS": ["javascript:alert(3)", "https://example.org/a?b=<c>"],
        "POP_COORDONNEES": {"lat": 46.2, "lon": 5.22},
    }
    objects = [
        {"REF": f"PM01990{i:03d}", "TICO": f"objet {i:02d}", "DENO": ["statue"],
         "REFA": ["PA01990001"], "INSEE": ["01053"], "COM": ["Bourg-en-Bresse"]}
        for i in range(1, 13)
    ]  # fmt: skip
    (folder / "merimee.json").write_text(json.dumps([building]), encoding="utf-8")
    (folder / "palissy.json").write_text(json.dumps(objects), encoding="utf-8")
    store = folder / "store"
    load_files([folder / "merimee.json", folder / "palissy.json"], store)
    return serve_app(STORE=str(store), BASE_URI=uris.base_uri())


def test_hostile_title_and_description_never_run(hostile_app: ServedApp) -> None:
    response, tree = page(hostile_app, "/notice/merimee/PA01990001")
    text = response.text
    assert '<script>alert("tico")' not in text and "<img src=x" not in text
    assert tree.find("h1").text() == HOSTILE_TITLE
    assert fields(tree, "description")["Commentaire descriptif de l'édifice"] == " ".join(
        HOSTILE_DESC.split()
    )
    scripts = tree.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    body = scripts[0].raw_text()
    assert "</" not in body
    assert json.loads(body)["name"] == HOSTILE_TITLE
    assert (
        "<title>&lt;/script&gt;&lt;script&gt;alert(&#34;tico&#34;)&lt;/script&gt; (PA01990001)"
        in text
    )


def test_only_web_links_are_clickable(hostile_app: ServedApp) -> None:
    _, tree = page(hostile_app, "/notice/merimee/PA01990001")
    hrefs = [a.attrs.get("href", "") for a in tree.find_all("a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert "https://example.org/a?b=" in hrefs


def test_what_links_here_is_counted_and_paged(hostile_app: ServedApp) -> None:
    _, first = page(hostile_app, "/notice/merimee/PA01990001")
    objects = first.find("section", id="objets")
    assert objects.find("h2").text() == "Objets conservés dans cet édifice 12"
    assert [a.text() for a in objects.find("ol").find_all("a")] == [
        f"objet {i:02d}" for i in range(1, 11)
    ]
    pager = objects.find("nav", cls="pager")
    assert pager.text() == "1–10 sur 12 suivants →"
    assert pager.find("a", rel="next").attrs["href"] == "/notice/merimee/PA01990001?objets=2#objets"
    _, second = page(hostile_app, "/notice/merimee/PA01990001?objets=2")
    objects = second.find("section", id="objets")
    assert objects.find("ol").attrs["start"] == "11"
    assert [a.text() for a in objects.find("ol").find_all("a")] == ["objet 11", "objet 12"]
    assert objects.find("nav", cls="pager").text() == "← précédents 11–12 sur 12"
