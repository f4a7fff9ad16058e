"""``/vendor/...``: the browser libraries npm installed (YASGUI, Leaflet, Chart.js).

They are installed by the set-up commands into node_modules/ and never committed; only
their distribution folders are served, so nothing else of node_modules is reachable.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from pop_ld import ROOT

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

#: URL name → the package's distribution folder under node_modules/
PACKAGES = {
    "yasgui": "@zazuko/yasgui/build",
    "leaflet": "leaflet/dist",
    "leaflet.markercluster": "leaflet.markercluster/dist",
    "chart.js": "chart.js/dist",
}


@bp.get("/<package>/<path:filename>")
def asset(package: str, filename: str):
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    root = ROOT / "node_modules" / folder
    if not root.is_dir():
        abort(404, description=f"{package} is not installed: run `make install` (npm ci)")
    return send_from_directory(root, filename, max_age=86400)
