"""Every setting and limit in one table (name, default, help), as Datasette keeps its SETTINGS.

Each is read from the environment as ``POP_LD_{NAME}`` (``POP_LD_QUERY_TIMEOUT=30``) and
sits in the Flask config as ``{NAME}`` upper-cased. docs/endpoint.md shows the same
tables; a test fails when they drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def key(self) -> str:
        """The Flask config key: ``QUERY_TIMEOUT``."""
        return self.name.upper()

    @property
    def env(self) -> str:
        """The environment variable: ``POP_LD_QUERY_TIMEOUT``."""
        return f"POP_LD_{self.key}"


#: Where the data is and what the site is called.
CONFIG: tuple[Setting, ...] = (
    Setting("store", None, "Store directory (pyoxigraph, opened read-only by the web app)"),
    Setting("sparql_url", None, "Query URL of a remote SPARQL 1.1 server, instead of a store directory"),
    Setting("sparql_update_url", None, "Update URL of that remote server (loading, production)"),
    Setting("sparql_union_param", "union-default-graph",
            "Request parameter asking the remote server for a union default graph (Oxigraph's); "
            "empty for servers whose default graph is already the union"),
    Setting("base_uri", "http://127.0.0.1:5000", "Base of every URI the site mints and serves"),
)  # fmt: skip

#: Guardrails of the public endpoint: what keeps one query from taking the site down.
LIMITS: tuple[Setting, ...] = (
    Setting("query_timeout", 60.0,
            "Seconds a /sparql query may run; its worker process is then killed and the "
            "client gets 503 with 'timeout' in the body"),
    Setting("result_limit", 10_000,
            "Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) sent at most; a longer answer is cut, "
            "says so in the X-Result-Limit-Reached header and, in JSON, a pop-ld:truncated note"),
    Setting("client_concurrency", 2,
            "Queries one client (IP address) may run at once; one more gets 429 with Retry-After"),
    Setting("pool_size", 4,
            "Worker processes running /sparql queries: at most this many run at once, "
            "whatever the number of clients"),
    Setting("queue_wait", 5.0,
            "Seconds a query waits for a free worker before 503 'busy' with Retry-After"),
    Setting("retry_after", 5, "Seconds suggested by Retry-After on 429 and 503 'busy' answers"),
    Setting("max_query_bytes", 100_000,
            "Largest query accepted, in bytes: 414 beyond in a GET URL, 413 beyond in a POST body"),
    Setting("http_threads", 16,
            "Threads of the one gunicorn worker process: pages and short queries are served "
            "while long queries run in the pool"),
    Setting("proxy_hops", 0,
            "Reverse proxies in front of the app whose X-Forwarded-For names the client "
            "(for the per-client limit); 0 when clients connect directly"),
)  # fmt: skip

#: The search, the facets and the maps: what the site shows, and how much of it.
SITE: tuple[Setting, ...] = (
    Setting("search_index", None,
            "Search side index (SQLite, built by `pop-ld load`); default: `{store}.index.sqlite` "
            "beside the store directory; required with a remote store"),
    Setting("search_page_size", 20,
            "Results per page of a search (list and map views; the mosaic shows twice as many)"),
    Setting("facet_exact", 10_000,
            "Results up to which every result's facet values are counted; beyond, the values "
            "a facet lists are chosen on an even sample, then counted exactly"),
    Setting("facet_sample", 5_000,
            "Results in that even sample, beyond POP_LD_FACET_EXACT"),
    Setting("map_tiles", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "Tile URL template of every map (notice pages, the search map, the query "
            "editor's map view); points stay placed when tiles fail"),
    Setting("map_attribution", "© contributeurs OpenStreetMap",
            "Attribution the maps show for those tiles"),
)  # fmt: skip

SETTINGS: dict[str, Setting] = {s.name: s for s in (*CONFIG, *LIMITS, *SITE)}


def default(name: str) -> Any:
    """A setting's default value."""
    return SETTINGS[name].default


def defaults() -> dict[str, Any]:
    """Every setting's default, keyed as in the Flask config."""
    return {s.key: s.default for s in SETTINGS.values()}


def help_text() -> str:
    """The limits and the site's settings as ``--help`` lists them: one line each."""
    return "\n".join(f"{s.env} (default {s.default}): {s.help}" for s in (*LIMITS, *SITE))


def markdown_table(settings: tuple[Setting, ...]) -> str:
    """A Markdown table of settings, as docs/endpoint.md shows it."""
    rows = ["| Setting | Default | What it does |", "|---|---|---|"]
    for s in settings:
        value = "—" if s.default is None else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {value} | {s.help} |")
    return "\n".join(rows)
