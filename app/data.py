"""/data: the RDF documents of notices and shared resources, and the published JSON-LD @context.

``/data/{base}/{REF}.{ttl|jsonld|rdf|nt}``: the notice's named graph plus the labels and types
of what it links to (sparql/notice_document.rq), so a harvester gets a self-describing
document. One URL, three profiles (app/conneg.py): the native graph (any syntax), Linked Art
and schema.org (JSON-LD). ``/data/{concept|person|place|scheme|base}/….{ext}``: a shared
resource's document; ``.html`` its page. Without an extension, the Accept header chooses and
the answer is a 303 to the URL with the extension. ``?_profile=list`` lists the profiles.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request

from app import conneg, get_store, store_version
from app.conneg import HTML, RDF_FORMATS, Profile
from pop_ld import jsonld, linkedart, queries, schemaorg, uris
from pop_ld.graphfields import Doc
from pop_ld.store import Result

bp = Blueprint("data", __name__)
bp.after_request(conneg.allow_profile_headers)

#: How long a cache may keep a document before asking again (with its ETag: 304 if unchanged).
CACHE_CONTROL = "public, max-age=300"
#: ``/id/{kind}/…`` of resources shared by every notice (docs/uris.md).
SHARED = ("concept", "scheme", "person", "place", "base")


def notice_document(base: str, ref: str) -> list[ox.Triple]:
    """The notice's document triples; empty when the notice is not published.

    With a store version (a read-only store directory), the same triples as
    sparql/notice_document.rq, assembled from parts: the notice's graph, then what each
    resource it links to brings, kept per resource for as long as the store is the same.
    Most of a document is shared (concepts, communes, départements): a page then costs one
    graph read and the lookups of what no page asked for yet. Otherwise, the one query.
    """
    notice = conneg.notice_iri(base, ref)
    version = store_version()
    if version is None:
        query = queries.load("notice_document")
        return list(get_store().query(query.text, substitutions=query.substitutions(notice=notice)))
    query = queries.load("notice_graph")
    graph = list(get_store().query(query.text, substitutions=query.substitutions(notice=notice)))
    if not graph:
        return []
    # as the query's FILTER: IRIs of this site (before "/notice/"), not parts ("#")
    root = notice.split("/notice/", 1)[0]
    linked = [
        t.object.value
        for t in graph
        if type(t.object) is ox.NamedNode
        and "#" not in t.object.value
        and t.object.value.startswith(root)
    ]
    within = [
        t.object.value for t in graph if t.predicate == _P89 and type(t.object) is ox.NamedNode
    ]
    triples = dict.fromkeys(graph)
    for iri in dict.fromkeys(linked):
        triples.update(dict.fromkeys(_context(version, "linked_resource", "resource", iri)))
    for iri in dict.fromkeys(within):
        triples.update(dict.fromkeys(_context(version, "place_chain", "place", iri)))
    return list(triples)


_P89 = ox.NamedNode(uris.CRM + "P89_falls_within")


@lru_cache(maxsize=100_000)
def _context(version: str, name: str, param: str, iri: str) -> tuple[ox.Triple, ...]:
    """A named query's triples about one resource, for one version of the store (LRU-bounded)."""
    query = queries.load(name)
    return tuple(get_store().query(query.text, substitutions=query.substitutions(**{param: iri})))


def incoming(thing: str, notice: str) -> list[dict[str, str | None]]:
    """Statements of other notices that point to ``thing``: property, graph and subject."""
    query = queries.load("notice_incoming")
    rows = (
        get_store()
        .query(query.text, substitutions=query.substitutions(thing=thing, notice=notice))
        .rows()
    )
    return [
        {k: (row[k].value if row[k] is not None else None) for k in ("p", "g", "s", "label")}  # type: ignore[union-attr]
        for row in rows
    ]


def labels(iri: str) -> list[ox.Triple]:
    """A resource's labels as triples (a point lookup)."""
    query = queries.load("resource_labels")
    rows = get_store().query(query.text, substitutions=query.substitutions(resource=iri)).rows()
    subject = ox.NamedNode(iri)
    return [ox.Triple(subject, row["p"], row["label"]) for row in rows]  # type: ignore[arg-type]


def label_of(iri: str) -> str | None:
    """A resource's label, in French when it has one."""
    found = [t.object for t in labels(iri)]
    for wanted in ("fr", None):
        for term in found:
            if term.language == wanted:  # type: ignore[union-attr]
                return term.value
    return found[0].value if found else None


def source_of(graph: str) -> tuple[str, str, str] | None:
    """(base, REF, thing IRI) of a notice graph's IRI; None for a shared graph (docs/uris.md)."""
    prefix = conneg.public_root() + "/notice/"
    if not graph.startswith(prefix):
        return None
    base, _, rest = graph[len(prefix) :].partition("/")
    if base not in uris.bases() or not rest:
        return None
    return base, unquote(rest), f"{conneg.public_root()}/id/{base}/{rest}"


def references(thing: str, notice: str) -> list[ox.Triple]:
    """What other notices say about a thing whose own notice is not published (empty: unknown).

    The linking statements, and for each notice that makes one: its thing's label and the
    notice documenting it.
    """
    triples, sources = [], {}
    target = ox.NamedNode(thing)
    for row in incoming(thing, notice):
        triples.append(ox.Triple(ox.NamedNode(row["s"]), ox.NamedNode(row["p"]), target))  # type: ignore[arg-type]
        source = source_of(row["g"])  # type: ignore[arg-type]
        if source is not None:
            sources[source[2]] = row["g"]
    documented_in = ox.NamedNode(uris.CRM + "P70i_is_documented_in")
    for source, graph in sources.items():
        triples.append(ox.Triple(ox.NamedNode(source), documented_in, ox.NamedNode(graph)))
        triples.extend(labels(source))
    return triples


def serialize(
    triples: list[ox.Triple], fmt: str, profile: Profile, base: str, thing: str, notice: str
) -> bytes:
    """A document's body in a format and profile."""
    if profile.token == "linked-art":
        return jsonld.dumps(linkedart.linked_art(triples, thing, notice))
    if profile.token == "schema":
        return jsonld.dumps(schemaorg.schema_org(triples, base, thing, notice))
    if fmt == "jsonld":
        return jsonld.dumps(jsonld.compact(triples, context_url(), first=(thing, notice)))
    return Result(triples).serialize(conneg.format_of(fmt)).body


def context_url() -> str:
    return conneg.public_root() + "/context.jsonld"


def rdf_response(
    body: bytes, fmt: str, profile: Profile, links: list[str], location: str | None = None
) -> Response:
    response = Response(body, content_type=conneg.media_type(fmt, profile))
    response.headers.update(conneg.headers(links, profile))
    response.headers["Cache-Control"] = CACHE_CONTROL
    if location:
        response.headers["Content-Location"] = location
    return response


def notice_rdf(base: str, ref: str, fmt: str, location: str | None = None) -> Response:
    """A notice's RDF document in ``fmt``, the profile from the request: /data and /notice."""
    profile = conneg.choose_profile(fmt)
    tag = conneg.etag(fmt, profile.token)
    unchanged = conneg.not_modified(tag)
    if unchanged is not None:
        unchanged.headers["Cache-Control"] = CACHE_CONTROL
        return unchanged
    thing, notice = conneg.thing_iri(base, ref), conneg.notice_iri(base, ref)
    rest = conneg.ref_path(ref)
    triples = notice_document(base, ref)
    if not triples:
        triples = references(thing, notice)
        if not triples:
            return conneg.not_found(f"No notice {ref} in {base}.", base=base, ref=ref)
        profile = conneg.DEFAULT_PROFILE  # only the native graph can say "others say this"
    body = serialize(triples, fmt, profile, base, thing, notice)
    links = conneg.signposting(base, rest, thing, fmt, profile, notice, schemaorg.schema_type(base))
    return conneg.validate(rdf_response(body, fmt, profile, links, location), tag)


def split_extension(rest: str) -> tuple[str, str | None]:
    """``PA00086250.ttl`` → (``PA00086250``, ``ttl``); no known extension → (rest, None)."""
    stem, dot, ext = rest.rpartition(".")
    if dot and ext in conneg.EXTENSIONS:
        return stem, ext
    return rest, None


@bp.get("/data/<name>/<path:rest>")
def document(name: str, rest: str) -> Response:
    """A notice's or a shared resource's document; without extension, a 303 by Accept."""
    stem, fmt = split_extension(rest)
    is_notice = name in uris.bases()
    if not is_notice and name not in SHARED:
        return conneg.not_found(f"No such data: /data/{name}/…")
    if conneg.is_list_request():
        return profile_list(name, stem, is_notice)
    if fmt is None:
        try:
            fmt = conneg.negotiate_format(request.headers.get("Accept"))
        except conneg.NotAcceptable:
            return conneg.not_acceptable()
        if fmt == HTML and is_notice:
            target = f"/notice/{name}/{conneg.ref_path(stem)}"
        else:
            target = conneg.data_path(
                name, conneg.resource_rest(stem), fmt, conneg.choose_profile(fmt)
            )
        return see_other(target)
    if is_notice:
        if fmt == HTML:
            return see_other(f"/notice/{name}/{conneg.ref_path(stem)}")
        return notice_rdf(name, uris.normalise_ref(stem), fmt)
    return resource(name, stem, fmt)


def see_other(target: str) -> Response:
    response = redirect(target, code=303)
    response.headers.update(conneg.headers([]))
    del response.headers["Link"]
    return response


def profile_list(name: str, stem: str, is_notice: bool) -> Response:
    """``?_profile=list``: the profiles and formats of a document, as JSON and Link headers."""
    root = conneg.public_root()
    rest = conneg.ref_path(stem) if is_notice else conneg.resource_rest(stem)
    offers = [
        {
            "profile": p.uri,
            "token": p.token,
            "label": p.label,
            "formats": {fmt: root + conneg.data_path(name, rest, fmt, p) for fmt in p.formats},
        }
        for p in (conneg.PROFILES.values() if is_notice else [conneg.DEFAULT_PROFILE])
    ]
    links = [
        conneg.link(
            url,
            "alternate",
            type=conneg.media_type(fmt, conneg.PROFILES[o["token"]]),
            formats=o["profile"],
        )  # fmt: skip
        for o in offers
        for fmt, url in o["formats"].items()
    ]
    body = json.dumps({"profiles": offers}, ensure_ascii=False, indent=1).encode()
    response = Response(body, content_type="application/json")
    response.headers.update(conneg.headers(links))
    return response


# -- shared resources ------------------------------------------------------------------------


def resource_iri(kind: str, stem: str) -> str:
    return f"{conneg.public_root()}/id/{kind}/{conneg.resource_rest(stem)}"


def resource(kind: str, stem: str, fmt: str) -> Response:
    """A concept, person, place, scheme or base: its RDF document, or its page."""
    iri = resource_iri(kind, stem)
    query = queries.load("resource_document")
    triples = list(get_store().query(query.text, substitutions=query.substitutions(resource=iri)))
    if not any(t.subject.value == iri for t in triples if isinstance(t.subject, ox.NamedNode)):
        return conneg.not_found(f"Nothing is known about /id/{kind}/{stem}.")
    rest = conneg.resource_rest(stem)
    links = [
        conneg.link(iri, "cite-as"),
        conneg.link(conneg.LICENCE, "license"),
        conneg.link(
            conneg.public_root() + conneg.data_path(kind, rest, HTML), "alternate", type="text/html"
        ),
        *(
            conneg.link(
                conneg.public_root() + conneg.data_path(kind, rest, f),
                "alternate",
                type=conneg.MEDIA_TYPES[f],
            )  # fmt: skip
            for f in RDF_FORMATS
            if f != fmt
        ),
    ]
    if fmt == HTML:
        body = render_template("notices/resource.html", **resource_page(kind, iri, triples))
        response = Response(body, content_type=conneg.MEDIA_TYPES[HTML])
        response.headers.update(conneg.headers(links))
        return response
    profile = conneg.DEFAULT_PROFILE
    if fmt == "jsonld":
        body = jsonld.dumps(jsonld.compact(triples, context_url(), first=(iri,)))
    else:
        body = Result(triples).serialize(conneg.format_of(fmt)).body
    return rdf_response(body, fmt, profile, links)


def resource_page(kind: str, iri: str, triples: list[ox.Triple]) -> dict[str, Any]:
    """What the page of a shared resource shows: its labels, what it is in, who uses it."""
    doc = Doc(triples)
    query = queries.load("resource_incoming")
    rows = get_store().query(query.text, substitutions=query.substitutions(resource=iri)).rows()
    users = []
    for row in rows[:50]:
        source = source_of(row["g"].value)  # type: ignore[union-attr]
        if source is not None:
            base, ref, thing = source
            users.append({"base": base, "ref": ref, "label": label_of(thing),
                          "href": f"/notice/{base}/{conneg.ref_path(ref)}"})  # fmt: skip
    statements = []
    for p, objects in sorted(doc.out.get(iri, {}).items()):
        for o in objects:
            text = o.value
            label = doc.label(o.value) if isinstance(o, ox.NamedNode) else None
            statements.append({"property": jsonld.curie(p), "value": text, "label": label,
                               "is_iri": isinstance(o, ox.NamedNode)})  # fmt: skip
    return {
        "kind": kind,
        "iri": iri,
        "label": doc.label(iri) or iri.rsplit("/", 1)[-1],
        "statements": statements,
        "users": users,
        "more_users": len(rows) > 50,
        "local": local_href,
    }


def local_href(iri: str) -> str:
    """A link to one of the site's own resources, on whatever host serves the page."""
    root = conneg.public_root()
    return iri[len(root) :] if iri.startswith(root + "/") else iri


# -- the @context -------------------------------------------------------------------------------


@bp.get("/context.jsonld")
def context() -> Response:
    """The JSON-LD @context every native JSON-LD document names."""
    response = Response(jsonld.dumps(jsonld.context()), content_type="application/ld+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
