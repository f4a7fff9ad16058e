"""/search: one box over every base, facets beside the results, and their machine twins.

``/search`` (HTML), ``/search.json``, ``/search.csv`` (the whole result list) and ``/search.rq``
(the SPARQL the search means) all read the same state from the URL (pop_ld/searchstate.py) and
are answered by the side index (pop_ld/searchindex.py), never by a SPARQL scan. The facet
search box is ``/search/facet``, the advanced form's autocompletion ``/search/suggest``.
The notice page calls ``neighbours`` (previous / next in the search) and ``facet_href``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from pop_ld import uris
from pop_ld.index import index_path
from pop_ld.search_sparql import compile_state
from pop_ld.searchcounts import FACET_SIZE
from pop_ld.searchfacets import FACETS
from pop_ld.searchfields import FIELDS, OPERATORS, fields_for, place_value
from pop_ld.searchindex import Hit, IndexMissing, SearchIndex, open_index
from pop_ld.searchrows import describe
from pop_ld.searchstate import SearchState
from pop_ld.searchsuggest import suggest as suggest_values
from pop_ld.searchsyntax import parse

bp = Blueprint("search", __name__)

#: Values a facet's own page lists.
FACET_PAGE = 100


def get_index() -> SearchIndex:
    """The side index of the app's store (``POP_LD_SEARCH_INDEX`` or ``{store}.index.sqlite``)."""
    path = current_app.config.get("SEARCH_INDEX")
    if not path:
        store = current_app.config.get("STORE")
        if not store:
            raise IndexMissing("no search index: set POP_LD_SEARCH_INDEX for a remote store")
        path = index_path(store)
    return open_index(Path(path))


@bp.app_errorhandler(IndexMissing)
def index_missing(error: IndexMissing) -> tuple[str, int]:
    """A 503 page saying how the index gets built; notices and /sparql still work."""
    return render_template("search/unavailable.html", message=str(error)), 503


def state_from_request() -> SearchState:
    """The search state the request's URL holds."""
    return SearchState.from_args(request.args)


def page_size(state: SearchState) -> int:
    """Results per page in the state's view."""
    size = int(current_app.config["SEARCH_PAGE_SIZE"])  # list and map views
    return 2 * size if state.view == "mosaic" else size


def facet_limits() -> tuple[int, int]:
    """Results up to which facets are counted exactly, and the sample beyond (settings)."""
    return int(current_app.config["FACET_EXACT"]), int(current_app.config["FACET_SAMPLE"])


def notice_href(hit: Hit, state: SearchState | None = None) -> str:
    """The notice page of a hit, on this site, with the search it came from."""
    path = urlsplit(hit.notice).path
    if state is None:
        return path
    return f"{path}?{urlencode({'from': state.search_key(), 'i': hit.rank})}"


# -- pages -----------------------------------------------------------------------------------
@bp.get("/search")
def search() -> str:
    """The results page: hits, facets, chips, views, pages and the SPARQL."""
    state = state_from_request()
    index = get_index()
    size = page_size(state)
    results = index.search(state, (state.page - 1) * size, size, facet_limits=facet_limits())
    return render_template("search/results.html", **page_context(index, state, results, size))


def page_context(index: SearchIndex, state: SearchState, results: Any, size: int) -> dict[str, Any]:
    """What results.html needs: results, chips, pages, the SPARQL."""
    sparql = compile_state(state, index.base_uri)
    return {
        "state": state,
        "results": results,
        "chips": chips(index, state),
        "pages": -(-results.total // size) if results.total else 0,
        "size": size,
        "sparql": sparql,
        "sparql_href": "/sparql?" + urlencode({"query": sparql}),
        "notice_href": notice_href,
        "base_labels": base_labels(),
        "query": parse(state.q),
        "views": (("list", "Liste"), ("mosaic", "Mosaïque"), ("map", "Carte")),
        "facets_meta": FACETS,
        "facet_size": FACET_SIZE,
        "built": index.built,
    }


def chips(index: SearchIndex, state: SearchState) -> list[dict[str, str]]:
    """The active filters, each with the URL that removes it."""
    out = []
    if state.q:
        out.append({"label": "Recherche", "value": state.q, "href": _href(state, q="")})
    for facet, keys in state.filters:
        for key in keys:
            out.append(
                {
                    "label": FACETS[facet].label,
                    "value": index.label(facet, key),
                    "href": "/search?" + state.without_filter(facet, key).query_string(),
                }
            )
    if state.from_year is not None or state.to_year is not None:
        years = f"{state.from_year or '…'} – {state.to_year or '…'}"
        out.append(
            {"label": "Dates", "value": years, "href": _href(state, from_year=None, to_year=None)}
        )
    base = next(iter(state.selected("base")), None)
    for i, row in enumerate(state.rows):
        rest = tuple(r for j, r in enumerate(state.rows) if j != i)
        spec = FIELDS.get(row.field)
        place = place_value(row.value) if spec and spec.kind == "place" else None
        shown = replace(row, value=index.label(*place)) if place else row
        out.append(
            {"label": "Avancée", "value": describe(shown, base), "href": _href(state, rows=rest)}
        )
    return out


def _href(state: SearchState, **changes: Any) -> str:
    return "/search?" + state.query_string(page=1, **changes)


def base_labels() -> dict[str, str]:
    """Base name → its French label."""
    return {name: spec["label_fr"] for name, spec in uris.bases().items()}


@bp.get("/search.json")
def search_json() -> Response:
    """The page's machine twin: total, hits and facets."""
    state = state_from_request()
    index = get_index()
    size = page_size(state)
    results = index.search(state, (state.page - 1) * size, size, facet_limits=facet_limits())
    return jsonify(
        {
            "total": results.total,
            "page": state.page,
            "pageSize": size,
            "hits": [_hit_json(h, state) for h in results.hits],
            "facets": {
                f.facet.name: {
                    "label": f.facet.label,
                    "values": [
                        {"key": v.key, "label": v.label, "count": v.count, "selected": v.selected}
                        for v in f.values
                    ],
                }
                for f in results.facets
            },
            "sparql": compile_state(state, index.base_uri),
        }
    )


def _hit_json(hit: Hit, state: SearchState) -> dict[str, Any]:
    return {
        "rank": hit.rank,
        "notice": hit.notice,
        "thing": hit.thing,
        "href": notice_href(hit, state),
        "base": hit.base,
        "ref": hit.ref,
        "title": hit.title,
        "place": hit.place,
        "dates": hit.dates,
        "image": hit.image,
        "lat": hit.lat,
        "lon": hit.lon,
    }


@bp.get("/search.rq")
def search_sparql() -> Response:
    """The SPARQL of the search, as a query file."""
    state = state_from_request()
    text = compile_state(state, get_index().base_uri)
    return Response(text, content_type="application/sparql-query; charset=utf-8")


CSV_COLUMNS = ("rang", "base", "reference", "titre", "lieu", "dates", "latitude", "longitude",
               "image", "notice", "uri")  # fmt: skip
#: Cells a spreadsheet would read as a formula start with these; they get a leading quote.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/search.csv")
def search_csv() -> Response:
    """Every result of the search (not only a page), streamed, in the page's order."""
    state = state_from_request()
    index = get_index()
    resolved = index.resolve(state)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        batch: list[int] = []
        rank = 0
        for notice_id in index.iter_ids(resolved):
            batch.append(notice_id)
            if len(batch) >= 1000:
                rank = _csv_batch(index, batch, rank, writer)
                batch.clear()
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        _csv_batch(index, batch, rank, writer)
        yield out.getvalue()

    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="pop-ld-recherche.csv"'},
    )


def _csv_batch(index: SearchIndex, ids: list[int], rank: int, writer: Any) -> int:
    for hit in index.hits(ids, rank):
        cells = (hit.rank + 1, hit.base, hit.ref, hit.title, hit.place, hit.dates, hit.lat,
                 hit.lon, hit.image, hit.notice, hit.thing)  # fmt: skip
        writer.writerow([_cell(c) for c in cells])
    return rank + len(ids)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


@bp.get("/search/facet")
def facet_page() -> str:
    """One facet's values under the search, searchable: the "plus…" of the sidebar."""
    state = state_from_request()
    facet = FACETS.get(request.args.get("facet", ""))
    if facet is None or facet.hidden:
        abort(404)
    prefix = request.args.get("prefix", "")
    listing = get_index().facet_list(facet, state, selected=state.selected(facet.name),
                                     prefix=prefix, limit=FACET_PAGE)  # fmt: skip
    return render_template(
        "search/facet.html", state=state, facet=facet, listing=listing, prefix=prefix
    )


@bp.get("/search/facet.json")
def facet_json() -> Response:
    """One facet's values under the search, for the facet's search box."""
    state = state_from_request()
    facet = FACETS.get(request.args.get("facet", ""))
    if facet is None or facet.hidden:
        abort(404)
    listing = get_index().facet_list(
        facet, state, selected=state.selected(facet.name), prefix=request.args.get("prefix", "")
    )
    return jsonify(
        [
            {
                "key": v.key,
                "label": v.label,
                "count": v.count,
                "selected": v.selected,
                "href": "/search?"
                + (
                    state.without_filter(facet.name, v.key)
                    if v.selected
                    else state.with_filter(facet.name, v.key)
                ).query_string(),
            }
            for v in listing.values
        ]
    )


@bp.get("/search/suggest")
def suggest() -> Response:
    """Values from the data for the advanced form: ``?field=type&prefix=cath``."""
    field = request.args.get("field", "")
    prefix = request.args.get("prefix", "")
    return jsonify(suggest_values(get_index(), field, prefix))


@bp.get("/search/advanced")
def advanced() -> str:
    """POP's "recherche avancée": per base, rows of field, operator and value, ET / OU."""
    state = state_from_request()
    base = request.args.get("base") or next(iter(state.selected("base")), None)
    if base and base not in uris.bases():
        base = None
    rows = list(state.rows) or []
    return render_template(
        "search/advanced.html",
        state=state,
        base=base,
        bases=uris.bases(),
        fields=fields_for(base),
        operators=OPERATORS,
        rows=rows,
        blank_rows=max(3 - len(rows), 1),
        all_fields=FIELDS,
    )


# -- hooks for the notice page -----------------------------------------------------------------
class Neighbour(tuple):
    """A notice next to another in a search: unpacks as (base, REF); ``uri`` is its notice IRI."""

    uri: str

    def __new__(cls, base: str, ref: str, uri: str) -> Neighbour:
        made = super().__new__(cls, (base, ref))
        made.uri = uri
        return made

    @property
    def base(self) -> str:
        return self[0]

    @property
    def ref(self) -> str:
        return self[1]


def neighbours(search: str | SearchState, rank: int) -> tuple[Neighbour | None, Neighbour | None]:
    """The notices ranked just before and after ``rank`` (0-based) in a search.

    ``search`` is the search's query string (the ``from`` of a result link) or its state.
    """
    state = SearchState.from_query_string(search) if isinstance(search, str) else search
    index = get_index()
    before, after = index.neighbours(state, int(rank))
    return _neighbour(index, before), _neighbour(index, after)


def _neighbour(index: SearchIndex, notice: str | None) -> Neighbour | None:
    if notice is None:
        return None
    row = index.db().execute("SELECT base, ref FROM notices WHERE notice = ?", (notice,)).fetchone()
    return Neighbour(row[0], row[1], notice) if row else None


def facet_href(kind: str, iri: str | None, text: str | None) -> str | None:
    """The search of the notices sharing a value of a notice page (place, person, concept, date)."""
    from app.search_browse import browse_state

    state = browse_state(kind, iri, text)
    return "/search?" + state.query_string() if state else None


@bp.app_template_global("search_url")
def search_url(state: SearchState, **changes: Any) -> str:
    """The results page of this state with ``changes``."""
    return "/search?" + state.query_string(**changes)


@bp.app_template_global("facet_url")
def facet_url(state: SearchState, facet: str) -> str:
    """The page of one facet's values under this state."""
    return "/search/facet?" + urlencode([("facet", facet), *state.pairs(page=False)])


@bp.app_template_global("toggle_url")
def toggle_url(state: SearchState, facet: str, key: str, selected: bool) -> str:
    """The state with a facet value chosen, or no longer chosen."""
    changed = state.without_filter(facet, key) if selected else state.with_filter(facet, key)
    return "/search?" + changed.query_string()
