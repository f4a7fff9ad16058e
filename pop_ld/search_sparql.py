"""Every search as the SPARQL it means: shown on the page, one click from the SPARQL editor.

A search state compiles to one SELECT over the store, built from the same named queries the
side index was filled from: each facet filter is that facet's pattern (``sparql/facets/*.rq``)
with ``?value`` bound, each word the text pattern (``sparql/search_text.rq``) with a REGEX that
folds accents and plurals as the index does (pop_ld/searchtext.py), each advanced row its
field's pattern. Values enter only through ``VALUES`` blocks written from pyoxigraph terms
(``str(term)`` escapes them), except REGEX patterns: those are written in place, still as the
terms pyoxigraph escaped, because Oxigraph compiles a constant pattern once and a bound one
for every row (20 s instead of 0.05 s on the demo store). A test runs the SPARQL on the demo
store and checks it finds exactly what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from pop_ld import queries, querytext
from pop_ld.searchfacets import FACETS, FACETS_DIR, TEXT_FACETS
from pop_ld.searchfields import FIELDS, place_value
from pop_ld.searchstate import Row, SearchState
from pop_ld.searchsyntax import Clause, Query, parse
from pop_ld.searchtext import equals_pattern, phrase_pattern, prefix_pattern, words
from pop_ld.uris import XSD

_PREFIX = re.compile(r"^\s*PREFIX\s+([\w\-]*):\s*<([^>]*)>", re.I | re.M)
_INTEGER = ox.NamedNode(XSD + "integer")
#: Always declared: the outer query uses them.
_OUTER_PREFIXES = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "pop": "https://w3id.org/pop-ld/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named query's WHERE group, to be used inside a subquery, and its prefixes."""

    name: str
    body: str
    prefixes: tuple[tuple[str, str], ...]


@cache
def pattern(name: str, facet: bool = False) -> Pattern:
    """The WHERE group of ``sparql/{name}.rq`` (or ``sparql/facets/{name}.rq``)."""
    query = queries.load(name, FACETS_DIR if facet else None)
    start, end = querytext.where_group(query.text)
    body = _dedent(query.text[start + 1 : end])
    return Pattern(name, body, tuple(_PREFIX.findall(query.text)))


def _dedent(body: str) -> str:
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def _indent(text: str, by: int) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.splitlines())


def literal(value: str | int) -> str:
    """A value as a SPARQL term, escaped by pyoxigraph."""
    if isinstance(value, int):
        return str(ox.Literal(str(value), datatype=_INTEGER))
    return str(ox.Literal(value))


@dataclass
class _Compiler:
    base_uri: str
    prefixes: dict[str, str] = field(default_factory=lambda: dict(_OUTER_PREFIXES))
    counter: int = 0

    def use(self, pat: Pattern) -> str:
        """A pattern's body, its prefixes now declared."""
        self.prefixes.update(dict(pat.prefixes))
        return pat.body

    def var(self, stem: str) -> str:
        """A fresh variable name."""
        self.counter += 1
        return f"?{stem}{self.counter}"

    def subquery(self, pat: Pattern, extra: Sequence[str] = (), comment: str = "") -> str:
        """``{ SELECT DISTINCT ?notice WHERE { pattern + extra } }``: only ?notice comes out."""
        inner = self.use(pat)
        if extra:
            inner += "\n" + "\n".join(extra)
        head = f"# {comment}\n" if comment else ""
        return f"{head}{{ SELECT DISTINCT ?notice WHERE {{\n{_indent(inner, 4)}\n}} }}"

    # -- the text --------------------------------------------------------------------------
    def text_pattern(self) -> Pattern:
        """A notice's text: its own strings, and the labels of its values in TEXT_FACETS."""
        branches = [self.use(pattern("search_text"))]
        for name in TEXT_FACETS:
            branches.append(self.use(pattern(name, facet=True)) + "\nBIND(?label AS ?text)")
        body = "\nUNION\n".join("{\n" + _indent(b, 2) + "\n}" for b in branches)
        return Pattern("text", body, ())

    def clause(self, clause: Clause, source: str = "text") -> str:
        if source == "text":
            pat, var = self.text_pattern(), "?text"
        else:
            pat, var = pattern("search_notices"), "?title"
        return self.subquery(
            pat,
            [f'FILTER(REGEX({var}, {literal(phrase_pattern(list(clause.words)))}, "i"))'],
            "a text of the notice has these words (accents, case and plurals folded)"
            if source == "text" else "a title of the thing has these words",
        )  # fmt: skip

    def query_blocks(self, query: Query, source: str = "text") -> list[str]:
        """The groups of a parsed query: one per required clause, a MINUS per excluded one."""
        blocks = [self.clause(c, source) for c in query.required]
        for c in query.excluded:
            blocks.append("MINUS " + self.clause(c, source))
        return blocks

    # -- facets and dates ------------------------------------------------------------------
    def facet(self, name: str, keys: Sequence[str]) -> str:
        facet = FACETS[name]
        terms = " ".join(str(facet.term(k, self.base_uri)) for k in keys)
        return self.subquery(
            pattern(name, facet=True),
            [f"VALUES ?value {{ {terms} }}"],
            f"facet « {facet.label} »: one of these values (OR)"
            if len(keys) > 1 else f"facet « {facet.label} »",
        )  # fmt: skip

    def span(self, kind: str, first: int | None, last: int | None) -> str:
        name = "search_dates" if kind == "creation" else "search_protection_dates"
        extra = []
        if first is not None:
            v = self.var("from")
            extra += [f"VALUES {v} {{ {literal(first)} }}", f"FILTER(YEAR(?end) >= {v})"]
        if last is not None:
            v = self.var("to")
            extra += [f"VALUES {v} {{ {literal(last)} }}", f"FILTER(YEAR(?begin) <= {v})"]
        return self.subquery(pattern(name), extra, "a date range overlapping these years")

    # -- advanced rows -----------------------------------------------------------------------
    def row(self, row: Row) -> str:
        """One row as a group (kept notices) or a MINUS (removed ones)."""
        spec = FIELDS.get(row.field)
        if spec is None or row.op not in spec.operators:
            return "FILTER(false)  # unknown field or operator"
        negative = row.op in ("is_not", "missing", "not_within")
        block = self._row_block(spec.kind, spec.facet or "", spec.span or "", row)
        if block is None:
            return "GRAPH ?notice { ?notice a pop:Notice }" if negative else "FILTER(false)"
        return f"MINUS {block}" if negative else block

    def _row_block(self, kind: str, facet: str, span: str, row: Row) -> str | None:
        op, value = row.op, row.value
        if kind == "facet":
            if op in ("exists", "missing"):
                return self.subquery(pattern(facet, facet=True), [], "has a value")
            return self.label_filter(facet, "is" if op == "is_not" else op, value)
        if kind == "title":
            if op == "contains":
                return self._all(self.query_blocks(parse(value), "title"), parse(value))
            text = (
                equals_pattern(value.strip()) if op in ("is", "is_not") else prefix_pattern(value)
            )
            return self.subquery(
                pattern("search_notices"), [f'FILTER(REGEX(?title, {literal(text)}, "i"))']
            )
        if kind == "ref":
            p = self.var("ref")
            test = f"STR(?ref) = {p}" if op == "is" else f"STRSTARTS(STR(?ref), {p})"
            return self.subquery(
                pattern("search_notices"),
                [f"VALUES {p} {{ {literal(value.strip())} }}", f"FILTER({test})"],
            )
        if kind == "text":
            return self._all(self.query_blocks(parse(value)), parse(value))
        if kind == "date":
            if op in ("exists", "missing"):
                name = "search_dates" if span == "creation" else "search_protection_dates"
                return self.subquery(pattern(name), [], "has a date")
            try:
                year = int(value.strip())
            except ValueError:
                return None
            return self.span(span, None, year) if op == "before" else self.span(span, year, None)
        if kind == "place":
            place = place_value(value)
            return self.facet(place[0], [place[1]]) if place else None
        return None

    def _all(self, blocks: list[str], query: Query) -> str | None:
        """Several blocks as one group; None when the value has no word to look for."""
        if not query.required:
            return None
        return "{\n" + _indent("\n".join(blocks), 2) + "\n}"

    def label_filter(self, facet: str, op: str, value: str) -> str | None:
        """A facet's values whose label is, starts with or contains the value."""
        if op == "is":
            patterns = [equals_pattern(value.strip())]
        elif op == "starts":
            patterns = [prefix_pattern(value)]
        else:
            patterns = [phrase_pattern([stem]) for stem in words(value)]
            if not patterns:
                return None
        extra = [f'FILTER(REGEX(?label, {literal(p)}, "i"))' for p in patterns]
        return self.subquery(pattern(facet, facet=True), extra, f"« {FACETS[facet].label} »")

    def rows(self, rows: Sequence[Row]) -> list[str]:
        """ET inside a group, OU between groups (ET binds tighter)."""
        groups: list[list[Row]] = []
        for i, row in enumerate(rows):
            if not groups or (i and row.join == "ou"):
                groups.append([])
            groups[-1].append(row)
        if len(groups) == 1:
            return [self.row(r) for r in groups[0]]
        branches = []
        for group in groups:
            lines = ["GRAPH ?notice { ?notice a pop:Notice }", *[self.row(r) for r in group]]
            branches.append("{\n" + _indent("\n".join(lines), 2) + "\n}")
        return [
            "# advanced rows: ET within a group, OU between groups\n" + "\nUNION\n".join(branches)
        ]


def _state_blocks(c: _Compiler, state: SearchState) -> list[str]:
    blocks: list[str] = []
    blocks += c.query_blocks(parse(state.q))
    for facet, keys in state.filters:
        blocks.append(c.facet(facet, keys))
    if state.from_year is not None or state.to_year is not None:
        blocks.append(c.span("creation", state.from_year, state.to_year))
    if state.rows:
        blocks += c.rows(state.rows)
    return blocks


def _head(c: _Compiler) -> str:
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in sorted(c.prefixes.items()))


def compile_facet(state: SearchState, facet: str, base_uri: str) -> str:
    """The SPARQL of one facet's counts beside a search: notices per value.

    As on the page, a facet is counted without its own filter (its values are OR'ed).
    """
    c = _Compiler(base_uri)
    blocks = _state_blocks(c, state.without_filter(facet))
    inner = "\n".join(
        [
            "{ SELECT ?notice ?value ?label WHERE {",
            _indent(c.use(pattern(facet, facet=True)), 4),
            "} }",
            *blocks,
        ]
    )
    return (
        f"{_head(c)}\n"
        f"# Facet « {FACETS[facet].label} »: how many notices of this search have each value.\n"
        "SELECT ?value (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?notice) AS ?count) WHERE {\n"
        f"{_indent(inner, 2)}\n"
        "}\nGROUP BY ?value\nORDER BY DESC(?count) ?value\n"
    )


def compile_state(state: SearchState, base_uri: str) -> str:
    """The SPARQL that finds what the search state finds, titles included, by title."""
    c = _Compiler(base_uri)
    blocks = _state_blocks(c, state)
    head = _head(c)
    body = "\n".join(
        [
            "GRAPH ?notice {",
            "  ?notice a pop:Notice ; crm:P70_documents ?thing .",
            "  OPTIONAL { ?thing rdfs:label ?name }",
            "}",
            *blocks,
        ]
    )
    return (
        f"{head}\n"
        "# The notices this search finds (pop-ld's search page shows them ranked by relevance).\n"
        "SELECT ?notice (SAMPLE(?name) AS ?title) WHERE {\n"
        f"{_indent(body, 2)}\n"
        "}\nGROUP BY ?notice\nORDER BY ?title ?notice\n"
    )
