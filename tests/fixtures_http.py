"""Fixtures for HTTP tests: a store on disk, `oxigraph serve`, the app on a WSGI server.

Test modules load it with ``pytest_plugins = ["fixtures_http"]`` (or conftest does) and
import plain helpers from http_servers.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from http_servers import (
    BASE,
    MINI,
    ORIGIN_TIMEOUT,
    OXIGRAPH,
    ServedApp,
    load_store,
    start_oxigraph,
    stop,
)


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory with tests/data/mini.nq; read-only for the tests that share it."""
    return load_store(tmp_path_factory.mktemp("mini") / "store")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` over the mini data (read by the tests), its base URL.

    ``--timeout-s`` as advised in docs/endpoint.md: the server stops runaway queries itself.
    """
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(MINI)],
        check=True,
        capture_output=True,
    )
    process, url = start_oxigraph(location, "--timeout-s", str(ORIGIN_TIMEOUT))
    yield url
    stop(process)


@pytest.fixture
def empty_oxigraph() -> Iterator[str]:
    """A fresh in-memory ``oxigraph serve`` that a test may write to."""
    process, url = start_oxigraph(None)
    yield url
    stop(process)


@pytest.fixture(scope="session")
def serve_app() -> Iterator[Callable[..., ServedApp]]:
    """Start apps with given settings (``serve_app(STORE=…, QUERY_TIMEOUT=1)``); all stopped at the end."""
    started: list[ServedApp] = []

    def start(**config: Any) -> ServedApp:
        config.setdefault("BASE_URI", BASE)
        served = ServedApp(config)
        started.append(served)
        return served

    yield start
    for served in started:
        served.close()


@pytest.fixture(scope="session")
def endpoint(serve_app: Callable[..., ServedApp], mini_store: Path) -> ServedApp:
    """The app over the mini store, default limits, its pool started."""
    served = serve_app(STORE=str(mini_store), POOL_SIZE=2)
    requests.get(served.sparql, params={"query": "ASK {}"}, timeout=30)
    return served
