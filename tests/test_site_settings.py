"""Issue 6: the search's and the maps' settings are in the one table, documented and used."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from pop_ld import ROOT, settings, uris

pytest_plugins = ["fixtures_demo", "fixtures_search"]

HOSTILE = '"><script>alert("tiles")</script>'


def test_site_table_is_documented() -> None:
    doc = (ROOT / "docs" / "endpoint.md").read_text(encoding="utf-8")
    assert settings.markdown_table(settings.SITE) in doc
    assert "POP_LD_MAP_TILES" in settings.help_text()


@pytest.fixture(scope="module")
def app(demo_store_dir: Path, search_index_path: Path) -> Iterator[Flask]:
    site = create_app(
        {
            "STORE": str(demo_store_dir),
            "BASE_URI": uris.base_uri(),
            "SEARCH_PAGE_SIZE": 3,
            "MAP_TILES": "https://tiles.example.org/{z}/{x}/{y}.png?k=1&l=2",
            "MAP_ATTRIBUTION": HOSTILE,
        }
    )
    yield site
    site.extensions["pop_ld"].close()


def test_defaults_reach_the_config(demo_store_dir: Path) -> None:
    config = create_app({"STORE": str(demo_store_dir)}).config
    assert config["SEARCH_INDEX"] is None
    assert config["SEARCH_PAGE_SIZE"] == 20
    assert (config["FACET_EXACT"], config["FACET_SAMPLE"]) == (10_000, 5_000)
    assert config["MAP_TILES"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_search_page_size(app: Flask) -> None:
    client = app.test_client()
    listed = client.get("/search.json").get_json()
    assert listed["total"] > 6
    page = client.get("/search")
    assert page.status_code == 200
    assert len(re.findall(r'<li class="hit', page.text)) == 3
    mosaic = client.get("/search?view=mosaic")
    assert mosaic.text.count('<div class="thumb">') == 6


def test_map_tiles_on_notice_page_escaped(app: Flask) -> None:
    page = app.test_client().get("/notice/merimee/PA00086250", headers={"Accept": "text/html"})
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png?k=1&amp;l=2"' in page.text
    assert "<script>alert" not in page.text
    assert "&#34;&gt;&lt;script&gt;" in page.text


def test_map_tiles_on_search_map_and_editor(app: Flask) -> None:
    client = app.test_client()
    found = client.get("/search?view=map").text
    assert (
        json.dumps("https://tiles.example.org/{z}/{x}/{y}.png?k=1&l=2").replace("&", "\\u0026")
        in found
    )
    assert "<script>alert" not in found
    editor = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert "tiles.example.org" in editor
    assert "<script>alert" not in editor
