"""Real servers for HTTP tests: free ports, `oxigraph serve`, gunicorn, the app on Werkzeug.

Plain helpers and constants; the fixtures built on them are in fixtures_http.py.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
import requests
from werkzeug.serving import make_server

from app import create_app

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "data" / "mini.nq"
BASE = "http://127.0.0.1:5000"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

#: `oxigraph serve --timeout-s` of the session server.
ORIGIN_TIMEOUT = 2

#: Slow on purpose: a 5-way cross product of the 34 mini quads (45 million rows to count).
SLOW_QUERY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20.0) -> None:
    """Until the URL answers at all (any status), or fail the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=seconds)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def load_store(path: Path, source: Path = MINI) -> Path:
    """A pyoxigraph store on disk holding ``source``, closed again so others can open it."""
    store = ox.Store(str(path))
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return path


def start_oxigraph(location: Path | None, *extra: str) -> tuple[subprocess.Popen, str]:
    """``oxigraph serve`` on a free port; its base URL once it answers."""
    if not OXIGRAPH.exists() and not shutil.which("oxigraph"):
        pytest.skip("the oxigraph server binary (PyPI package `oxigraph`) is not installed")
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else "oxigraph"
    port = free_port()
    args = [binary, "serve", "--bind", f"127.0.0.1:{port}", *extra]
    if location is not None:
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/query")
    except BaseException:
        process.kill()
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn: graceful, its worker and the query workers go too), then SIGKILL."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class ServedApp:
    """The Flask app on Werkzeug's threaded WSGI server, on a free port of 127.0.0.1."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.app = create_app(config)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.app.extensions["pop_ld"].close()


def get_from(source_ip: str, url: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """A GET sent from another loopback address, so the app sees another client."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(source_ip, 0)
    )
    try:
        conn.request("GET", f"{parts.path}?{urlencode(params)}")
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def start_gunicorn(store: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``python -m app.serve STORE PORT`` (gunicorn), its base URL once it answers."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.serve", str(store), str(port)],
            cwd=TESTS.parent,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/sparql", seconds=30)
    except BaseException:
        stop(process)
        raise RuntimeError(log.read_text()) from None
    return process, url
