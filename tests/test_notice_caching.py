"""Issue 6: the notice document built from cached parts, and conditional GETs (ETag, 304)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, data, get_store, read_only_directory, store_version
from pop_ld import queries, uris

pytest_plugins = ["fixtures_demo", "fixtures_search"]

PAGE = "/notice/merimee/PA00086250"
TURTLE = "/data/merimee/PA00086250.ttl"


@pytest.fixture(scope="module")
def app(demo_store_dir: Path, search_index_path: Path) -> Iterator[Flask]:
    site = create_app({"STORE": str(demo_store_dir), "BASE_URI": uris.base_uri()})
    yield site
    site.extensions["pop_ld"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_document_from_parts_is_the_query_answer(app: Flask, demo_store: ox.Store) -> None:
    """Every notice of the demo store: graph + cached linked resources == notice_document.rq."""
    notices = sorted(
        g.value
        for g in demo_store.named_graphs()
        if g.value.startswith(uris.base_uri() + "/notice/")
    )
    query = queries.load("notice_document")
    with app.test_request_context("/"):
        assert store_version() is not None  # the cached path is the one under test
        for notice in notices:
            base, rest = notice.split("/notice/", 1)[1].split("/", 1)
            ref = unquote(rest)
            whole = get_store().query(query.text, substitutions=query.substitutions(notice=notice))
            parts = data.notice_document(base, ref)
            assert parts, notice
            assert set(parts) == set(whole), notice
            assert len(parts) == len(set(parts)), notice


def test_page_etag_and_304(client: FlaskClient) -> None:
    first = client.get(PAGE, headers={"Accept": "text/html"})
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(PAGE, headers={"Accept": "text/html", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag
    assert again.headers["Vary"] == "Accept, Accept-Profile"
    other = client.get(PAGE, headers={"Accept": "text/html", "If-None-Match": '"stale"'})
    assert other.status_code == 200
    assert other.data == first.data


def test_each_representation_has_its_own_etag(client: FlaskClient) -> None:
    html = client.get(PAGE, headers={"Accept": "text/html"}).headers["ETag"]
    turtle = client.get(PAGE, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.headers["ETag"] != html
    # the page's tag does not validate the Turtle answer of the same URL
    sent = client.get(PAGE, headers={"Accept": "text/turtle", "If-None-Match": html})
    assert sent.status_code == 200
    assert sent.headers["Content-Type"].startswith("text/turtle")
    paged = client.get(PAGE + "?objets=2", headers={"Accept": "text/html"})
    assert paged.headers["ETag"] != html


def test_data_document_304(client: FlaskClient) -> None:
    first = client.get(TURTLE)
    assert first.status_code == 200
    again = client.get(TURTLE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=300"
    schema = client.get("/data/merimee/PA00086250.jsonld?_profile=schema")
    assert schema.headers["ETag"] not in (first.headers["ETag"],)


def test_only_a_read_only_directory_has_a_version() -> None:
    """A store the app may write to, or a remote one, changes unseen: nothing is kept for it."""
    assert read_only_directory({"STORE": "var/store"})
    assert not read_only_directory({"STORE": "var/store", "STORE_READ_ONLY": False})
    assert not read_only_directory({"SPARQL_URL": "http://127.0.0.1:7878/query"})


def test_the_site_follows_a_store_swapped_in_by_a_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A running site serves what `pop-ld load` swapped in, without a restart."""
    import app as site_module
    from pop_ld.load import load_files

    sample = Path(__file__).resolve().parent.parent / "data" / "sample"
    store_dir = tmp_path / "store"
    load_files([sample / "merimee.json"], store_dir, index=False)
    site = create_app({"STORE": str(store_dir), "BASE_URI": uris.base_uri()})
    try:
        client = site.test_client()
        assert client.get(PAGE).status_code == 200
        assert client.get("/data/palissy/PM75990001.ttl").status_code == 404
        with site.app_context():
            before = store_version()
        load_files([sample / "palissy.json"], store_dir, index=False)
        monkeypatch.setattr(site_module, "SWAP_CHECK_S", 0.0)
        assert client.get("/data/palissy/PM75990001.ttl").status_code == 200
        assert client.get(PAGE).status_code == 200
        with site.app_context():
            assert store_version() not in (None, before)
    finally:
        site.extensions["pop_ld"].close()
