"""/sparql: the public, read-only SPARQL 1.1 Protocol endpoint, with its guardrails.

GET ``?query=``, POST form-encoded or ``application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri``; the format from ``format=`` or the Accept header. Every query
runs in a worker process (pop_ld.pool) that serialises the whole answer, so a timeout
is a 503 that says "timeout", never a 200 with a cut body. Without a query, GET answers
the service description (Turtle for machines, a page for browsers).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app import get_store
from pop_ld import examples, querytext, settings
from pop_ld.formats import FORMATS, Format, for_kind, format_named, negotiate, negotiate_format
from pop_ld.pool import QueryJob
from pop_ld.store import NotAcceptable, PoolBusy, QuerySyntaxError, QueryTimeout, StoreError
from pop_ld.uris import PREFIXES

bp = Blueprint("sparql", __name__)

SERVICE_DESCRIPTION = Path(__file__).parent / "templates" / "sparql" / "service.ttl"

READ_ONLY = (
    "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
    "ADD, MOVE, COPY) is refused. Send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
)
FORMAT_HELP = (
    "SELECT and ASK answer in json, xml, csv or tsv; CONSTRUCT and DESCRIBE in ttl, nt, "
    "jsonld or rdf (choose with the Accept header or format=)"
)


class ProtocolError(Exception):
    """A request the protocol refuses, with its status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class ClientLimiter:
    """How many queries each client runs right now; refuses one past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> bool:
        with self._lock:
            if self._running[client] >= self.limit:
                return False
            self._running[client] += 1
            return True

    def release(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions["pop_ld.sparql"] = ClientLimiter(
        int(state.app.config["CLIENT_CONCURRENCY"])
    )


@dataclass
class Protocol:
    """What a request asks, read from the URL, the form or the body as the protocol says."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query, or describe the service when there is none."""
    params = read_protocol()
    if params.query is None:
        if request.method == "POST":
            raise ProtocolError(
                400, "No query: send query=… (form) or an application/sparql-query body."
            )
        return service_description(params.format)
    if not params.query.strip():
        raise ProtocolError(400, "Empty query.")
    if querytext.is_update(params.query):
        raise ProtocolError(403, READ_ONLY)
    g.sparql_query = params.query
    job = QueryJob(
        params.query,
        formats=choose_formats(params.format, request.headers.get("Accept")),
        default_graph=tuple(params.default_graphs),
        named_graphs=tuple(params.named_graphs),
        base_iri=f"{current_app.config['BASE_URI']}/sparql",
        limit=int(current_app.config["RESULT_LIMIT"]),
    )
    limiter: ClientLimiter = current_app.extensions["pop_ld.sparql"]
    client = request.remote_addr or "unknown"
    if not limiter.acquire(client):
        wait = current_app.config["RETRY_AFTER"]
        raise ProtocolError(
            429,
            f"Too many queries at once from {client}: at most {limiter.limit} run at the same "
            f"time. Retry after {wait} s.",
            {"Retry-After": str(wait)},
        )
    try:
        pool = get_store().pool(int(current_app.config["POOL_SIZE"]))
        answer = pool.run(
            job,
            timeout=float(current_app.config["QUERY_TIMEOUT"]),
            wait=float(current_app.config["QUEUE_WAIT"]),
        )
    finally:
        limiter.release(client)
    response = Response(answer.body, status=200, content_type=answer.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Server-Timing"] = f"query;dur={answer.seconds * 1000:.1f}"
    if answer.truncated:
        response.headers["X-Result-Limit-Reached"] = "true"
        response.headers["X-Result-Limit"] = str(job.limit)
    return response


def read_protocol() -> Protocol:
    """The query, dataset and format of a request; ProtocolError when it breaks the protocol."""
    limit = int(current_app.config["MAX_QUERY_BYTES"])
    request.max_content_length = limit
    if request.method == "POST" and (request.content_length or 0) > limit:
        raise ProtocolError(
            413, f"Query too long: the body has {request.content_length} bytes, at most {limit}."
        )
    fields = MultiDict(request.args)
    body_query = None
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            for key, value in request.form.items(multi=True):
                fields.add(key, value)
        elif mimetype == "application/sparql-query":
            body_query = _utf8_body()
        elif mimetype == "application/sparql-update":
            raise ProtocolError(403, READ_ONLY)
        elif not mimetype:
            raise ProtocolError(
                415,
                "A POST needs a Content-Type: application/x-www-form-urlencoded (query=…) "
                "or application/sparql-query (the query as body).",
            )
        else:
            raise ProtocolError(
                415,
                f"Unsupported Content-Type {mimetype}: use application/x-www-form-urlencoded "
                "or application/sparql-query.",
            )
    if "update" in fields or "using-graph-uri" in fields or "using-named-graph-uri" in fields:
        raise ProtocolError(403, READ_ONLY)
    queries = fields.getlist("query") + ([body_query] if body_query is not None else [])
    if len(queries) > 1:
        raise ProtocolError(400, f"One query at a time: this request holds {len(queries)}.")
    if queries and len(queries[0].encode()) > limit:
        raise ProtocolError(
            414 if request.method == "GET" else 413,
            f"Query too long: {len(queries[0].encode())} bytes, at most {limit}.",
        )
    formats = fields.getlist("format")
    if len(formats) > 1:
        raise ProtocolError(400, "One format at a time.")
    return Protocol(
        query=queries[0] if queries else None,
        default_graphs=fields.getlist("default-graph-uri"),
        named_graphs=fields.getlist("named-graph-uri"),
        format=formats[0] if formats else None,
    )


def _utf8_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"The query must be UTF-8, not {charset}.")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"The query is not valid UTF-8: {error}.") from error


def choose_formats(format_param: str | None, accept: str | None) -> dict[str, str | None]:
    """The format for each kind of answer, from ``format=`` or else from Accept."""
    if format_param:
        named = format_named(format_param)
        if named is None:
            raise ProtocolError(400, f"Unknown format {format_param!r}: {FORMAT_HELP}.")
        results, graph = for_kind(named, "results"), for_kind(named, "graph")
    else:
        results, graph = negotiate_format(accept, "results"), negotiate_format(accept, "graph")
    if results is None and graph is None:
        raise ProtocolError(406, f"Not acceptable: {accept}. {FORMAT_HELP}.")
    return {
        "solutions": results.name if results else None,
        "boolean": results.name if results else None,
        "graph": graph.name if graph else None,
    }


def service_description(format_param: str | None) -> Response:
    """SPARQL 1.1 Service Description for machines; a page with a query form for browsers."""
    offers = [(f.name, f.accepts) for f in FORMATS.values() if f.kind == "graph"]
    offers.insert(1, ("html", ["text/html", "application/xhtml+xml"]))
    if format_param:
        named = format_named(format_param)
        choice = "html" if format_param == "html" else named.name if named else None
        if choice is None or (named and named.kind != "graph"):
            raise ProtocolError(400, f"The service description is RDF: {format_param!r} is not.")
    else:
        choice = negotiate(request.headers.get("Accept"), offers)
        if choice is None:
            raise ProtocolError(
                406, "The service description comes as HTML or RDF (ttl, nt, jsonld, rdf)."
            )
    if choice == "html":
        response = Response(editor_page(), content_type="text/html; charset=utf-8")
    else:
        fmt = FORMATS[choice]
        graph = ox.parse(path=SERVICE_DESCRIPTION, base_iri=request.base_url)
        body = ox.serialize(graph, format=fmt.oxigraph, prefixes=_sd_prefixes(fmt))
        response = Response(body, content_type=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


#: What a fresh editor tab holds: the project's prefixes and a first question.
DEFAULT_QUERY = """SELECT ?thing ?label WHERE {
  ?thing a crm:E22_Human-Made_Object ;
         rdfs:label ?label .
}
LIMIT 20
"""


def editor_page() -> str:
    """The query editor: YASGUI, the example menu, the limits; everything from /vendor."""
    base = current_app.config["BASE_URI"]
    endpoint = request.base_url
    loaded = examples.load_examples(base_uri=base)
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    default_query = prologue + "\n" + DEFAULT_QUERY
    editor_config = {
        "endpoint": endpoint,
        "prefixes": PREFIXES,
        "defaultQuery": default_query,
        "void": url_for("wellknown.void_description"),
        "tiles": current_app.config["MAP_TILES"],
        "tilesAttribution": current_app.config["MAP_ATTRIBUTION"],
    }
    return render_template(
        "sparql/index.html",
        endpoint=endpoint,
        limits=settings.LIMITS,
        config=current_app.config,
        formats=FORMATS.values(),
        themes=examples.menu(loaded),
        examples_json=[e.menu_entry() for e in loaded],
        editor_config=editor_config,
        default_query=default_query,
        examples_url=url_for("wellknown.sparql_examples"),
        void_url=url_for("wellknown.void_description"),
        examples_graph=f"{base}/graph/examples",
    )


def _sd_prefixes(fmt: Format) -> dict[str, str] | None:
    if fmt.name not in ("ttl", "rdf"):
        return None
    return {
        "sd": "http://www.w3.org/ns/sparql-service-description#",
        "formats": "http://www.w3.org/ns/formats/",
        "dcterms": "http://purl.org/dc/terms/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(
        message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ProtocolError)
def _protocol_error(error: ProtocolError) -> Response:
    return _plain(error.status, error.message, error.headers)


@bp.errorhandler(QuerySyntaxError)
def _syntax_error(error: QuerySyntaxError) -> Response:
    message = error.message
    if error.line is not None:
        detail = message.split(": ", 1)[1] if message.startswith("error at ") else message
        message = f"Malformed query, line {error.line}, column {error.column}: {detail}"
    else:
        message = f"Malformed query: {message}"
    if "Prefix not found" in error.message:
        message = _prefix_hint(g.get("sparql_query", "")) + message
    return _plain(400, message)


def _prefix_hint(query: str) -> str:
    """The declarations a query forgot: the most common malformed query by far."""
    lines = []
    for prefix in querytext.undeclared_prefixes(query):
        known = PREFIXES.get(prefix)
        fix = f"PREFIX {prefix}: <{known}>" if known else f"PREFIX {prefix}: <…>"
        lines.append(f"Undeclared prefix {prefix}: add {fix}\n")
    return "".join(lines)


@bp.errorhandler(QueryTimeout)
def _timeout(error: QueryTimeout) -> Response:
    limit = current_app.config["QUERY_TIMEOUT"]
    return _plain(
        503,
        f"Query timeout: the query ran for more than {limit:g} s and was stopped. Narrow its "
        "patterns or add a LIMIT; for whole-base questions, use the data dumps.",
    )


@bp.errorhandler(PoolBusy)
def _busy(error: PoolBusy) -> Response:
    wait = current_app.config["RETRY_AFTER"]
    return _plain(
        503,
        f"The endpoint is busy: {error.message}. Retry after {wait} s.",
        {"Retry-After": str(wait)},
    )


@bp.errorhandler(NotAcceptable)
def _not_acceptable(error: NotAcceptable) -> Response:
    return _plain(406, f"Not acceptable: {error.message}. {FORMAT_HELP}.")


@bp.errorhandler(StoreError)
def _store_error(error: StoreError) -> Response:
    current_app.logger.error("store error: %s", error)
    return _plain(500, f"The store failed: {error}")


@bp.app_errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response | HTTPException:
    """Plain-text errors for /sparql (405, 413…), keeping headers such as Allow."""
    if not request.path.startswith("/sparql"):
        return error
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}: {error.description}\n")
    response.content_type = "text/plain; charset=utf-8"
    return response
