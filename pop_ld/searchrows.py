"""The advanced search's rows on the side index: each (field, operator, value) as a set of notices.

The meaning of each operator is in pop_ld/searchfields.py; pop_ld/search_sparql.py compiles the
same rows to SPARQL, and a test runs both on the demo store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pop_ld.searchfields import FIELDS, OPERATORS, place_value
from pop_ld.searchstate import Row
from pop_ld.searchsyntax import parse
from pop_ld.searchtext import fold, words

if TYPE_CHECKING:
    from pop_ld.searchindex import SearchIndex


def row_bits(index: SearchIndex, row: Row) -> int:
    """The notices a row keeps; an unknown field or operator keeps none."""
    spec = FIELDS.get(row.field)
    if spec is None or row.op not in spec.operators:
        return 0
    if spec.kind == "facet" and spec.facet:
        return _facet(index, spec.facet, row.op, row.value)
    if spec.kind == "title":
        return _title(index, row.op, row.value)
    if spec.kind == "ref":
        return _ref(index, row.op, row.value)
    if spec.kind == "text":
        match = parse(row.value).match()
        found = index.text_bits(match) if match else 0
        return found if row.op == "contains" else index.everything & ~found
    if spec.kind == "date" and spec.span:
        return _date(index, spec.span, row.op, row.value)
    if spec.kind == "place":
        place = place_value(row.value)
        found = index.facet_bits(place[0], [place[1]]) if place else 0
        return found if row.op == "within" else index.everything & ~found
    return 0


def _facet(index: SearchIndex, facet: str, op: str, value: str) -> int:
    if op in ("exists", "missing"):
        found = index.any_bits(facet)
        return found if op == "exists" else index.everything & ~found
    matching = matching_values(index, facet, "is" if op == "is_not" else op, value)
    found = 0
    for value_id in matching:
        found |= index.value_bits(value_id)
    return index.everything & ~found if op == "is_not" else found


def matching_values(index: SearchIndex, facet: str, op: str, value: str) -> list[int]:
    """The ids of a facet's values whose label is, contains or starts with ``value``."""
    db = index.db()
    if op == "is":
        rows = db.execute(
            "SELECT id FROM facet_values WHERE facet = ? AND folded = ?",
            (facet, fold(value).strip()),
        )
    elif op == "starts":
        text = fold(value)
        rows = db.execute(
            "SELECT id FROM facet_values WHERE facet = ? AND substr(folded, 1, ?) = ?",
            (facet, len(text), text),
        )
    else:
        stems = words(value)
        if not stems:
            return []
        clauses = " AND ".join(["words LIKE ?"] * len(stems))
        rows = db.execute(
            f"SELECT id FROM facet_values WHERE facet = ? AND {clauses}",
            (facet, *[f"% {s} %" for s in stems]),
        )
    return [i for (i,) in rows]


def _title(index: SearchIndex, op: str, value: str) -> int:
    if op == "contains":
        match = parse(value).match("title")
        return index.text_bits(match) if match else 0
    text = fold(value).strip() if op in ("is", "is_not") else fold(value)
    if op == "starts":
        sql, args = (
            "SELECT DISTINCT notice_id FROM titles WHERE substr(folded, 1, ?) = ?",
            (len(text), text),
        )
    else:
        sql, args = "SELECT DISTINCT notice_id FROM titles WHERE folded = ?", (text,)
    found = index._ids_bits(("title", op == "starts", text), sql, args)
    return index.everything & ~found if op == "is_not" else found


def _ref(index: SearchIndex, op: str, value: str) -> int:
    text = value.strip()
    if op == "is":
        return index._ids_bits(("ref", text), "SELECT id FROM notices WHERE ref = ?", (text,))
    return index._ids_bits(
        ("ref-prefix", text),
        "SELECT id FROM notices WHERE substr(ref, 1, ?) = ?",
        (len(text), text),
    )


def _date(index: SearchIndex, span: str, op: str, value: str) -> int:
    if op in ("exists", "missing"):
        found = index.span_bits(span, None, None)
        return found if op == "exists" else index.everything & ~found
    try:
        year = int(value.strip())
    except ValueError:
        return 0
    # "before Y": a range that begins in or before Y; "after Y": one that ends in or after Y
    return (
        index.span_bits(span, None, year) if op == "before" else index.span_bits(span, year, None)
    )


def describe(row: Row, base: str | None = None) -> str:
    """A row in words, for its chip: « Dénomination est cathédrale »."""
    spec = FIELDS.get(row.field)
    label = spec.label_for(base) if spec else row.field
    op = OPERATORS.get(row.op, (row.op, ""))[0]
    if row.op in ("exists", "missing"):
        return f"{label} {op}"
    return f"{label} {op} « {row.value} »"
