"""/browse/{kind}?uri=…: the notices that use a concept, a place, a person or a base.

Each is a search with one facet filter (the facet holding that value, or the hidden "concept"
and "person" facets, which hold every concept and actor a notice links to), so browsing gets
the facets, the views, paging and CSV of any search. The notice page links its values here
through ``app.search.facet_href``.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, abort, redirect, request
from werkzeug.wrappers import Response

from pop_ld.searchfacets import FACETS
from pop_ld.searchfields import PLACE_FACETS
from pop_ld.searchindex import SearchIndex
from pop_ld.searchstate import SearchState

bp = Blueprint("browse", __name__)

#: The facets a concept may be listed in, before the hidden one that holds them all.
CONCEPT_FACETS = ("type", "domain", "technique", "protection", "producer", "missing", "concept")
PERSON_FACETS = ("author", "person")
_YEAR = re.compile(r"(?<!\d)(-?\d{3,4})(?!\d)")


@bp.get("/browse/<kind>")
def browse(kind: str) -> Response:
    """Redirect to the search of everything using the value (``?uri=`` its IRI)."""
    iri = request.args.get("uri", "").strip()
    state = browse_state(kind, iri or None, request.args.get("text"))
    if state is None:
        abort(404)
    return redirect("/search?" + state.query_string(), code=302)


@bp.get("/browse/base/<name>")
def browse_base(name: str) -> Response:
    """Redirect to the search of one base."""
    if ("base", name) not in _index().by_key:
        abort(404)
    return redirect("/search?" + SearchState(filters=(("base", (name,)),)).query_string(), code=302)


def _index() -> SearchIndex:
    from app.search import get_index

    return get_index()


def browse_state(kind: str, iri: str | None, text: str | None) -> SearchState | None:
    """The search listing the notices that share a value; None when there is none to make."""
    index = _index()
    if kind == "date" and text:
        return _date_state(index, text)
    if not iri:
        return None
    if kind == "place":
        candidates: tuple[str, ...] = PLACE_FACETS
    elif kind == "person":
        candidates = PERSON_FACETS
    elif kind == "concept":
        candidates = CONCEPT_FACETS
    elif kind == "base":
        candidates = ("base",)
    else:
        return None
    term = ox.NamedNode(iri)
    for name in candidates:
        key = FACETS[name].key(term, index.base_uri)
        if (name, key) in index.by_key:
            return SearchState(filters=((name, (key,)),))
    return None


def _date_state(index: SearchIndex, text: str) -> SearchState | None:
    """A period as written ("13e siècle") is a value of the period facet; a year, a range."""
    if ("period", text) in index.by_key:
        return SearchState(filters=(("period", (text,)),))
    years = [int(y) for y in _YEAR.findall(text)]
    if not years:
        return None
    return SearchState(from_year=min(years), to_year=max(years))
