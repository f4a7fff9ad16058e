"""A search as its URL says it: the text, the facet filters, the advanced rows, page and view.

The URL holds the whole state, so a search can be bookmarked, shared and sent back by the
notice page (``?from=…&i=…``):

``?q=…``            the text, in POP's syntax (pop_ld/searchsyntax.py)
``&f.{facet}=key``  one value of a facet; several values of one facet are OR, facets are AND
``&from_year=&to_year=``  a date range: the thing was made (partly) within these years
``&af0=&ao0=&av0=&aj1=``  advanced rows: field, operator, value; ``aj`` joins a row to the
                    previous one with ``et`` or ``ou`` (ET binds tighter, as in POP)
``&page=&view=``    page (from 1) and view: ``list``, ``mosaic`` or ``map``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

from pop_ld.searchfacets import FACETS

VIEWS = ("list", "mosaic", "map")
#: At most this many advanced rows are read from a URL.
MAX_ROWS = 20


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the advanced search: field, operator, value, and how it joins the previous."""

    field: str
    op: str
    value: str = ""
    join: str = "et"


@dataclass(frozen=True, slots=True)
class SearchState:
    q: str = ""
    #: facet name → selected value keys, in the order they were chosen
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    from_year: int | None = None
    to_year: int | None = None
    rows: tuple[Row, ...] = ()
    page: int = 1
    view: str = "list"

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> SearchState:
        """From the query string's (name, value) pairs; unknown names and facets are ignored."""
        q = ""
        filters: dict[str, list[str]] = {}
        years: dict[str, int | None] = {"from_year": None, "to_year": None}
        cells: dict[int, dict[str, str]] = {}
        page, view = 1, "list"
        for name, value in pairs:
            value = value.strip()
            if name == "q":
                q = value
            elif name.startswith("f.") and name[2:] in FACETS and value:
                keys = filters.setdefault(name[2:], [])
                if value not in keys:
                    keys.append(value)
            elif name in years:
                years[name] = _int(value)
            elif name[:2] in ("af", "ao", "av", "aj") and name[2:].isdigit():
                index = int(name[2:])
                if index < MAX_ROWS:
                    cells.setdefault(index, {})[name[:2]] = value
            elif name == "page":
                page = max(1, _int(value) or 1)
            elif name == "view" and value in VIEWS:
                view = value
        rows = tuple(
            Row(c["af"], c.get("ao", "contains"), c.get("av", ""), c.get("aj", "et"))
            for _, c in sorted(cells.items())
            if c.get("af")
        )
        return cls(
            q=q,
            filters=tuple((f, tuple(filters[f])) for f in FACETS if f in filters),
            from_year=years["from_year"],
            to_year=years["to_year"],
            rows=rows,
            page=page,
            view=view,
        )

    @classmethod
    def from_query_string(cls, text: str) -> SearchState:
        """From a URL's query string (``?`` optional)."""
        return cls.from_pairs(parse_qsl(text.lstrip("?"), keep_blank_values=True))

    @classmethod
    def from_args(cls, args: Mapping[str, str] | object) -> SearchState:
        """From Flask's ``request.args`` (a MultiDict: repeated names kept)."""
        items = args.items(multi=True) if hasattr(args, "getlist") else args.items()  # type: ignore[union-attr]
        return cls.from_pairs(items)

    # -- writing -------------------------------------------------------------------------
    def pairs(self, *, page: bool = True, view: bool = True) -> list[tuple[str, str]]:
        """The state as query-string pairs, in a stable order (first page and list omitted)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for facet, keys in self.filters:
            out += [(f"f.{facet}", k) for k in keys]
        if self.from_year is not None:
            out.append(("from_year", str(self.from_year)))
        if self.to_year is not None:
            out.append(("to_year", str(self.to_year)))
        for i, row in enumerate(self.rows):
            if i:
                out.append((f"aj{i}", row.join))
            out += [(f"af{i}", row.field), (f"ao{i}", row.op), (f"av{i}", row.value)]
        if page and self.page > 1:
            out.append(("page", str(self.page)))
        if view and self.view != "list":
            out.append(("view", self.view))
        return out

    def query_string(self, **changes: object) -> str:
        """The URL query string of this state with ``changes`` (``page=2``, ``view="map"``)."""
        state = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return urlencode(state.pairs())

    def search_key(self) -> str:
        """What the results depend on (no page, no view): the ``from`` of a notice link."""
        return urlencode(self.pairs(page=False, view=False))

    # -- changing ------------------------------------------------------------------------
    def selected(self, facet: str) -> tuple[str, ...]:
        """The keys chosen for a facet."""
        return dict(self.filters).get(facet, ())

    def with_filter(self, facet: str, key: str) -> SearchState:
        """One more value of a facet (back to page 1)."""
        current = dict(self.filters)
        keys = current.get(facet, ())
        current[facet] = keys if key in keys else (*keys, key)
        return replace(self, filters=_ordered(current), page=1)

    def without_filter(self, facet: str, key: str | None = None) -> SearchState:
        """One value of a facet removed (or all of them), back to page 1."""
        current = dict(self.filters)
        keys = tuple(k for k in current.get(facet, ()) if key is not None and k != key)
        if keys:
            current[facet] = keys
        else:
            current.pop(facet, None)
        return replace(self, filters=_ordered(current), page=1)

    def without_facet_filter(self, facet: str) -> SearchState:
        """This state with no filter on one facet: what that facet's counts are taken over."""
        return self.without_filter(facet)

    @property
    def is_empty(self) -> bool:
        """No text, no filter, no row: every notice."""
        return not (
            self.q.strip() or self.filters or self.rows or self.from_year is not None
            or self.to_year is not None
        )  # fmt: skip


def _ordered(filters: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((f, filters[f]) for f in FACETS if filters.get(f))


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None
