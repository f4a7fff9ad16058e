"""``pop-ld serve``: the app on gunicorn, in the foreground until Ctrl-C.

One gunicorn worker process with many threads, not several processes: the query pool
and the per-client limit must be shared by every request, and the threads only pass
bytes along while queries run in the pool's own processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from app import create_app, get_store
from pop_ld import settings


class PopLdServer(BaseApplication):
    """gunicorn running ``create_app(config)``."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # control_socket_disable is new in gunicorn 25.1
                self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self.app_config)
        with app.app_context():
            # start the query workers now: the first query should not wait for them,
            # and a store that cannot be opened should stop the server at once
            get_store().pool(int(app.config["POOL_SIZE"])).start()
        return app


def gunicorn_options(host: str, port: int, threads: int, query_timeout: float) -> dict[str, Any]:
    """gunicorn settings for pop-ld: one process, threads, no limit on the URL of a GET query."""
    return {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # gunicorn's own limit (4094 bytes) would refuse long GET queries before /sparql
        # can answer with its documented 414; 0 lifts it.
        "limit_request_line": 0,
        # a thread waiting for a query must not look like a stuck worker
        "timeout": int(query_timeout) + 30,
        "graceful_timeout": 5,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "pop-ld",
        # no control socket in ~/.gunicorn: two servers (demo and tests) would share it
        "control_socket_disable": True,
    }


def serve(
    store: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int | None = None,
    *,
    sparql_url: str | None = None,
    threads: int | None = None,
) -> None:
    """Serve the site on gunicorn until interrupted; ``workers`` is the query pool size."""
    config: dict[str, Any] = {}
    if store is not None:
        config["STORE"] = str(store)
    if sparql_url is not None:
        config["SPARQL_URL"] = sparql_url
    if workers is not None:
        config["POOL_SIZE"] = int(workers)
    probe = create_app(config)  # settings as the app will see them (env included)
    options = gunicorn_options(
        host,
        port,
        int(threads or probe.config["HTTP_THREADS"]),
        float(probe.config["QUERY_TIMEOUT"]),
    )
    PopLdServer(config, options).run()


def main() -> None:
    """``python -m app.serve STORE [PORT]``, until the CLI wires ``pop-ld serve``."""
    import sys

    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        print("usage: python -m app.serve STORE_DIR [PORT]\n")
        print(settings.help_text())
        return
    serve(args[0], port=int(args[1]) if len(args) > 1 else 5000)


if __name__ == "__main__":
    main()
