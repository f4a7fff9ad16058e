"""Values from the data for the advanced search's autocompletion (``/search/suggest``).

A facet field suggests its values whose label has a word starting so, most used first; a place
field the régions, départements and communes; the title and the text the titles starting so;
the REF the REFs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pop_ld.searchfacets import FACETS
from pop_ld.searchfields import FIELDS, PLACE_FACETS
from pop_ld.searchtext import fold

if TYPE_CHECKING:
    from pop_ld.searchindex import SearchIndex


def suggest(
    index: SearchIndex, field_name: str, prefix: str, limit: int = 10
) -> list[dict[str, Any]]:
    """Values starting with ``prefix`` for the advanced form's autocompletion."""
    spec = FIELDS.get(field_name)
    if spec is None or not prefix.strip():
        return []
    if spec.kind == "facet" and spec.facet:
        found = index._candidates(FACETS[spec.facet], prefix, limit)
        return [{"value": v.label, "label": v.label, "count": v.count} for v in found]
    if spec.kind == "place":
        found = []
        for facet in PLACE_FACETS:
            found += index._candidates(FACETS[facet], prefix, limit)
        found.sort(key=lambda v: -v.count)
        return [
            {
                "value": f"{v.facet}/{v.key}",
                "label": f"{v.label} ({FACETS[v.facet].label.lower()})",
                "count": v.count,
            }
            for v in found[:limit]
        ]
    if spec.kind in ("title", "text"):
        low = fold(prefix)
        rows = (
            index.db()
            .execute(
                "SELECT folded, count(*) FROM titles WHERE folded >= ? AND folded < ? GROUP BY folded"
                " ORDER BY count(*) DESC, folded LIMIT ?",
                (low, low + "\U0010ffff", limit),
            )
            .fetchall()
        )
        titles = dict(
            index.db()
            .execute(
                "SELECT sort_key, title FROM notices WHERE sort_key IN (SELECT value FROM json_each(?))",
                (_json_list([r[0] for r in rows]),),
            )
            .fetchall()
        )
        return [{"value": titles.get(f, f), "label": titles.get(f, f), "count": c} for f, c in rows]
    if spec.kind == "ref":
        rows = index.db().execute(
            "SELECT ref FROM notices WHERE ref >= ? AND ref < ? ORDER BY ref LIMIT ?",
            (prefix.strip(), prefix.strip() + "\U0010ffff", limit),
        )
        return [{"value": r, "label": r, "count": 1} for (r,) in rows]
    return []


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items))
