"""/: POP's home page: one search box, a card per base with its count, thematic entry points.

The themes are saved searches kept as data, mappings/themes.toml: a title, a line saying what
they show, and the search's query string. Their counts come from the side index.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from flask import Blueprint, render_template

from pop_ld import ROOT, uris
from pop_ld.searchindex import SearchIndex
from pop_ld.searchstate import SearchState

bp = Blueprint("home", __name__)

THEMES = ROOT / "mappings" / "themes.toml"


@dataclass(frozen=True, slots=True)
class Theme:
    title: str
    description: str
    search: str

    @property
    def state(self) -> SearchState:
        return SearchState.from_query_string(self.search)


@cache
def themes() -> tuple[Theme, ...]:
    """The thematic entry points, in file order."""
    with open(THEMES, "rb") as f:
        data = tomllib.load(f)
    return tuple(Theme(t["title"], t["description"], t["search"]) for t in data["theme"])


@bp.get("/")
def home() -> str:
    """The home page."""
    from app.search import get_index

    index = get_index()
    return render_template(
        "home/index.html",
        bases=base_cards(index),
        themes=[(t, _count(index, t.search)) for t in themes()],
        total=index.total,
    )


def base_cards(index: SearchIndex) -> list[dict[str, object]]:
    """Every base of mappings/bases.toml with its count of notices (0 when none is loaded)."""
    cards = []
    for name, spec in uris.bases().items():
        value = index.by_key.get(("base", name))
        cards.append(
            {
                "name": name,
                "label": spec["label_fr"],
                "count": value.count if value else 0,
                "href": "/search?" + SearchState(filters=(("base", (name,)),)).query_string(),
            }
        )
    return cards


def _count(index: SearchIndex, search: str) -> int:
    return index._text.get(
        ("theme", search), lambda: index.resolve(SearchState.from_query_string(search)).total
    )
