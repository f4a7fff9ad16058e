"""The pop-ld web application: a Flask factory, one blueprint per URL family.

Settings come from ``pop_ld.settings`` (defaults), then the environment (``POP_LD_*``),
then the ``config`` argument. The store is opened on first use, so ``create_app`` is
cheap and a missing store is reported where it is needed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from pop_ld import settings, uris
from pop_ld.store import Store, open_store

#: Sent on every response, errors included, so a browser on another site can read
#: a timeout or a 429 instead of seeing an opaque CORS failure.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Profile, Content-Type",
    "Access-Control-Expose-Headers": (
        "Content-Type, Content-Profile, Content-Location, Link, Retry-After, Server-Timing, "
        "X-Result-Limit, X-Result-Limit-Reached"
    ),
    "Access-Control-Max-Age": "86400",
}


#: How often (seconds) a store directory is looked at for a swap by ``pop-ld load``.
SWAP_CHECK_S = 1.0
#: How long a swapped-out store stays open for the requests and queries still reading it.
RETIRE_AFTER_S = 600.0


class AppState:
    """What one app holds beyond its config: the store, opened once (with its query pool)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.store: Store | None = None
        #: the opened store directory's identity; None when its data can change unseen
        self.version: str | None = None
        self.checked = 0.0

    def close(self) -> None:
        """Stop the query workers; the app can open the store again afterwards."""
        with self.lock:
            if self.store is not None:
                self.store.close()
                self.store = None
                self.version = None


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The pop-ld site, configured from settings defaults, POP_LD_* variables and ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(settings.defaults())
    app.config["BASE_URI"] = uris.base_uri()
    app.config.from_prefixed_env("POP_LD")
    if config:
        app.config.from_mapping(config)
    app.config["BASE_URI"] = str(app.config["BASE_URI"]).rstrip("/")
    if app.config["PROXY_HOPS"]:
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["pop_ld"] = AppState()

    from app import data, ids, notices, sparql, vendor, wellknown

    app.register_blueprint(sparql.bp)
    app.register_blueprint(wellknown.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(ids.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(data.bp)
    app.register_blueprint(import_module("app.search").bp)
    app.register_blueprint(import_module("app.search_home").bp)
    app.register_blueprint(import_module("app.search_browse").bp)
    app.register_blueprint(import_module("app.search_map").bp)
    app.after_request(add_cors_headers)
    app.register_error_handler(404, not_found)
    return app


def not_found(error):
    """Any unknown path: a real 404 page for people, one plain line for machines."""
    from flask import render_template, request

    if request.accept_mimetypes.accept_html:
        body = render_template(
            "errors/error.html", status=404, message=f"{request.path} n'existe pas."
        )
        return Response(body, status=404, mimetype="text/html")
    return Response(f"Not found: {request.path}\n", status=404, mimetype="text/plain")


def add_cors_headers(response: Response) -> Response:
    """CORS on every response: the data is public and no cookie is trusted cross-site."""
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def get_store() -> Store:
    """The current app's store, opened on first use (read-only for a store directory)."""
    state: AppState = current_app.extensions["pop_ld"]
    with state.lock:
        if state.store is not None and state.version is not None:
            _follow_swap(state, current_app.config)
        if state.store is None:
            config = current_app.config
            before = _identity(config.get("STORE")) if read_only_directory(config) else None
            state.store = open_store(config)
            after = _identity(config.get("STORE")) if before else None
            state.version = before if before == after else None
            state.checked = time.monotonic()
        return state.store


def _follow_swap(state: AppState, config: Mapping[str, Any]) -> None:
    """After ``pop-ld load`` swapped a new store directory in, serve that one (lock held).

    Looked at once a ``SWAP_CHECK_S`` at most. The old store stays open ``RETIRE_AFTER_S``
    for what still reads it (a request under way, its query workers), then is closed.
    """
    now = time.monotonic()
    if now - state.checked < SWAP_CHECK_S:
        return
    state.checked = now
    identity = _identity(config.get("STORE"))
    if identity is None or _inode(identity) == _inode(state.version):  # same, or mid-swap
        return
    old = state.store
    state.store, state.version = None, None
    if old is not None:
        timer = threading.Timer(RETIRE_AFTER_S, old.close)
        timer.daemon = True
        timer.start()


def store_version() -> str | None:
    """The version of the data the site serves, for caches and ETags; None: do not cache.

    A store directory opened read-only changes only when ``pop-ld load`` swaps a new
    directory in (another inode); the version is the identity of the directory as opened, so
    it names the data this process reads. A remote or writable store has no version.
    """
    get_store()
    return current_app.extensions["pop_ld"].version


def read_only_directory(config: Mapping[str, Any]) -> bool:
    return (
        bool(config.get("STORE"))
        and not config.get("SPARQL_URL")
        and bool(config.get("STORE_READ_ONLY", True))
    )


def _inode(identity: str | None) -> str | None:
    """The directory part of an identity: what a swap changes (a write inside does not)."""
    return identity.split(".", 1)[0] if identity else None


def _identity(path: str | None) -> str | None:
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return None
    return f"{stat.st_ino:x}.{stat.st_mtime_ns:x}" if stat else None
