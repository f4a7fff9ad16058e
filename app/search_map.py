"""/map and /search/map.json: the notices with coordinates, clustered, for any search.

The page is Leaflet and markercluster (from npm, under /vendor); it asks /search/map.json for
the visible box only (``bbox=west,south,east,north&zoom=…`` plus the search's own parameters)
and gets GeoJSON: each notice when the box holds few, grid cells with counts when it holds many
(pop_ld/searchmap.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request

from pop_ld.searchmap import BBox, features

bp = Blueprint("map", __name__)


@bp.get("/map")
def map_page() -> str:
    """The map page: the search's notices with coordinates, the box loaded as the map moves."""
    from app.search import get_index, page_context, state_from_request

    state = state_from_request()
    index = get_index()
    results = index.search(state, 0, 0, with_facets=False)
    context = page_context(index, state, results, 1)
    return render_template("search/map.html", **context)


@bp.get("/search/map.json")
def map_json() -> Response:
    """GeoJSON of the search in ``bbox`` at ``zoom``: points or grid cells."""
    from app.search import get_index, state_from_request

    bbox = BBox.parse(request.args.get("bbox"))
    if bbox is None:
        abort(400, description="bbox=west,south,east,north is required")
    try:
        zoom = max(0, min(20, int(request.args.get("zoom", "6"))))
    except ValueError:
        zoom = 6
    response = jsonify(features(get_index(), state_from_request(), bbox, zoom))
    response.mimetype = "application/geo+json"
    return response
