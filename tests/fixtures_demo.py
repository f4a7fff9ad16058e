"""The demo store as `make load-demo` builds it (data/sample/*.json), examples and VoID included.

Test modules load it with ``pytest_plugins = ["fixtures_demo"]`` and import plain helpers
from demo_data.py. Until pop_ld/load.py stores the examples (/graph/examples) and the VoID
description (/graph/void) itself, the fixture adds them after the load, as the load will.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from demo_data import SAMPLE
from http_servers import ServedApp

from pop_ld import examples, uris, void
from pop_ld.load import load_files


@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of every sample file, loaded by `pop-ld load`'s own code."""
    path = tmp_path_factory.mktemp("demo") / "store"
    load_files(SAMPLE, path)
    store = ox.Store(str(path))
    if not store.contains_named_graph(ox.NamedNode(uris.graph("examples"))):
        examples.load_into(store)
    if not store.contains_named_graph(ox.NamedNode(uris.graph("void"))):
        void.load_into(store)
    store.flush()
    del store
    return path


@pytest.fixture(scope="session")
def demo_store(demo_store_dir: Path) -> ox.Store:
    """The demo store, opened read-only (the app's workers open it too)."""
    return ox.Store.read_only(str(demo_store_dir))


@pytest.fixture(scope="session")
def demo_app(demo_store_dir: Path) -> Iterator[ServedApp]:
    """The site over the demo store, on a free port, its query workers started."""
    served = ServedApp({"STORE": str(demo_store_dir), "POOL_SIZE": 2, "BASE_URI": uris.base_uri()})
    with served.app.app_context():
        from app import get_store

        get_store().pool(2).start()
    yield served
    served.close()
