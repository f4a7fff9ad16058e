"""/id: the URIs of things. They answer 303 See Other, never 200 (W3C Cool URIs for the Semantic Web).

A thing is not a document: ``/id/merimee/PA00086250`` is the cathedral. A browser is sent to
its notice page (``/notice/…``), an RDF client to its document (``/data/….ttl``…), by the
Accept header with q-values and, for JSON-LD, the profile (app/conneg.py). A thing known only
from other notices' links (its own notice not yet loaded) is sent on too: its page says "not
published" and who refers to it. A REF nobody knows is a 404. Shared resources
(``/id/concept/…``, ``/id/person/…``, ``/id/place/…``, ``/id/scheme/…``, ``/id/base/…``) go to
their document under /data.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from app import conneg, get_store
from app.conneg import HTML
from app.data import SHARED, resource_iri, see_other
from pop_ld import queries, uris

bp = Blueprint("ids", __name__)
bp.after_request(conneg.allow_profile_headers)


def _true(term: object) -> bool:
    return getattr(term, "value", None) == "true"


def thing_status(base: str, ref: str) -> tuple[bool, bool]:
    """(published, referred): is the notice loaded, do other notices point to the thing."""
    query = queries.load("notice_status")
    rows = (
        get_store()
        .query(
            query.text,
            substitutions=query.substitutions(
                notice=conneg.notice_iri(base, ref), thing=conneg.thing_iri(base, ref)
            ),
        )
        .rows()
    )
    row = rows[0] if rows else {}
    return _true(row.get("published")), _true(row.get("referred"))


def resource_known(iri: str) -> bool:
    query = queries.load("resource_document")
    triples = get_store().query(query.text, substitutions=query.substitutions(resource=iri))
    return any(getattr(t.subject, "value", None) == iri for t in triples)


@bp.get("/id/<name>/<path:rest>")
def thing(name: str, rest: str) -> Response:
    """303 to the thing's page or document; 404 when nothing is known about it."""
    if name in uris.bases():
        ref = uris.normalise_ref(rest)
        published, referred = thing_status(name, ref)
        if not (published or referred):
            return unknown(name, ref)
        page = f"/notice/{name}/{conneg.ref_path(ref)}"
        document = conneg.ref_path(ref)
    elif name in SHARED:
        if not resource_known(resource_iri(name, rest)):
            return conneg.not_found(f"Nothing is known about /id/{name}/{rest}.")
        document = conneg.resource_rest(rest)
        page = conneg.data_path(name, document, HTML)
    else:
        return conneg.not_found(f"No base or kind of resource is called {name!r}.")
    try:
        fmt = conneg.negotiate_format(request.headers.get("Accept"))
    except conneg.NotAcceptable:
        return conneg.not_acceptable()
    if fmt == HTML:
        return see_other(page)
    profile = conneg.choose_profile(fmt) if name in uris.bases() else conneg.DEFAULT_PROFILE
    return see_other(conneg.data_path(name, document, fmt, profile))


def unknown(base: str, ref: str) -> Response:
    """A 404 that helps: a REF of another base is pointed to."""
    other = uris.base_of_ref(ref)
    hint = None
    if other and other != base and any(thing_status(other, ref)):
        hint = f"/id/{other}/{conneg.ref_path(ref)}"
    message = f"No notice {ref} in {base}."
    if hint:
        message += f" {ref} is a REF of {other}: {conneg.public_root()}{hint}"
    return conneg.not_found(message, base=base, ref=ref, hint=hint)
