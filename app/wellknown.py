"""``/.well-known/…``: what the SPARQL service says about itself, for machines.

- ``/.well-known/void``: the VoID description of the store (class and property partitions),
  which also feeds the query editor's autocompletion;
- ``/.well-known/sparql-examples``: the editor's examples as SHACL executables (the SIB
  "sparql-examples" convention), and ``/.well-known/sparql-examples/{name}`` for one.

Turtle by default; N-Triples, JSON-LD and RDF/XML by Accept or ``format=``.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.blueprints import BlueprintSetupState

from app import get_store
from pop_ld import examples, void
from pop_ld.formats import FORMATS, Format, format_named, negotiate
from pop_ld.store import Result, StoreError

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known")

#: The RDF formats offered, Turtle first: what ``*/*`` and a browser get.
RDF_FORMATS = [f for f in FORMATS.values() if f.kind == "graph"]


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions["pop_ld.void"] = void.VoidCache()


@bp.get("/void")
def void_description() -> Response:
    """The store's VoID partitions, computed in the query workers and cached."""
    fmt = _rdf_format()
    config = current_app.config
    pool = get_store().pool(int(config["POOL_SIZE"]))
    timeout, wait = float(config["QUERY_TIMEOUT"]), float(config["QUEUE_WAIT"])
    cache: void.VoidCache = current_app.extensions["pop_ld.void"]
    key = str(config.get("STORE") or config.get("SPARQL_URL"))

    def run(sparql: str, **options: object) -> Result:
        return pool.query(sparql, timeout=timeout, wait=wait, **options)  # type: ignore[arg-type]

    try:
        triples = cache.get(key, lambda: void.describe(run, config["BASE_URI"]))
    except StoreError as error:  # a timeout or a busy pool: say so, the editor goes on
        return _plain(503, f"The VoID statistics could not be computed now: {error}")
    body = _serialize(triples, fmt, {"void": void.VOID, **examples.PREFIXES})
    response = _rdf(body, fmt)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sparql-examples")
def sparql_examples() -> Response:
    """Every example of the query editor, as RDF."""
    fmt = _rdf_format()
    triples = examples.examples_triples(base_uri=current_app.config["BASE_URI"])
    return _rdf(_serialize(triples, fmt, examples.PREFIXES), fmt)


@bp.get("/sparql-examples/<name>")
def sparql_example(name: str) -> Response:
    """One example: RDF for machines; a browser is sent to the editor with it loaded."""
    example = examples.example_named(name, current_app.config["BASE_URI"])
    if example is None:
        abort(404, description=f"No example named {name!r}.")
    fmt = _rdf_format(html=True)
    if fmt is None:
        return redirect(url_for("sparql.endpoint", example=name), 303)  # type: ignore[return-value]
    node = ox.NamedNode(example.iri)
    triples = [
        t
        for t in examples.examples_triples([example], current_app.config["BASE_URI"])
        if t.subject == node or "#prefix" in str(t.subject)
    ]
    return _rdf(_serialize(triples, fmt, examples.PREFIXES), fmt)


def _rdf_format(*, html: bool = False) -> Format | None:
    """The RDF format asked for by ``format=`` or Accept (None: the client wants HTML)."""
    asked = request.args.get("format")
    if asked:
        named = format_named(asked)
        if named is None or named.kind != "graph":
            abort(400, description=f"Unknown RDF format {asked!r}: ttl, nt, jsonld or rdf.")
        return named
    offers = [(f.name, f.accepts) for f in RDF_FORMATS]
    # a browser (text/html first, application/xml at q=0.9) reads Turtle better than RDF/XML
    offers.insert(1, ("html", ("text/html", "application/xhtml+xml")))
    choice = negotiate(request.headers.get("Accept"), offers)
    if choice is None:
        abort(406, description="This document comes as Turtle, N-Triples, JSON-LD or RDF/XML.")
    if choice == "html":
        return None if html else FORMATS["ttl"]
    return FORMATS[choice]


def _serialize(triples: list[ox.Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    if fmt.name not in ("ttl", "rdf"):
        return ox.serialize(triples, format=fmt.oxigraph)
    used = examples.used_prefixes(triples, prefixes)
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=used)


def _rdf(body: bytes, fmt: Format) -> Response:
    response = Response(body, content_type=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
