"""Fixtures of the search tests: the demo store's side index, and the site over it.

Test modules load it with ``pytest_plugins = ["fixtures_demo", "fixtures_search"]``. The index
is the one ``pop-ld load`` built (pop_ld/index.py, pop_ld/indexupdate.py); the fixture builds
it in full when the load did not, or when it is older than the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from http_servers import ServedApp

from pop_ld import uris
from pop_ld.index import build_index, index_path
from pop_ld.searchindex import SearchIndex, open_index


@pytest.fixture(scope="session")
def search_index_path(demo_store_dir: Path) -> Path:
    """The demo store's side index, ``{store}.index.sqlite``, built if the load did not."""
    path = index_path(demo_store_dir)
    if not path.exists() or path.stat().st_mtime < demo_store_dir.stat().st_mtime:
        build_index(demo_store_dir)
    return path


@pytest.fixture(scope="session")
def search_index(search_index_path: Path) -> SearchIndex:
    return open_index(search_index_path)


@pytest.fixture(scope="session")
def search_app(demo_store_dir: Path, search_index_path: Path) -> Iterator[ServedApp]:
    """The site over the demo store and its index, on a free port."""
    served = ServedApp({"STORE": str(demo_store_dir), "POOL_SIZE": 2, "BASE_URI": uris.base_uri()})
    yield served
    served.close()
