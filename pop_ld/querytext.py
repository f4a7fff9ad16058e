"""What a SPARQL text says before a parser sees it: its form, its FROM clauses, its WHERE group.

A tokenizer that knows strings, IRIs and comments, so a ``{`` or ``INSERT`` inside them is
never mistaken for syntax. The endpoint uses it to refuse updates before they reach a
worker and to keep ``FROM`` working on a union default graph; remote stores use it to bind
values with a ``VALUES`` block, the only safe way to send bound terms as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from pop_ld.errors import PopLdError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n]|\\.)*"
              | '(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<name>[\w.\-]*:[\w.\-:%\\]*|[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: The first keyword of every SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword for a bare name (``where``), None for anything else."""
        return self.text.upper() if self.kind == "name" and ":" not in self.text else None


def tokens(text: str) -> list[Token]:
    """The significant tokens of a query: whitespace and comments dropped.

    >>> [t.text for t in tokens('SELECT * { ?s <urn:a#b> "}#" } # {')]
    ['SELECT', '*', '{', '?s', '<urn:a#b>', '"}#"', '}']
    """
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


def _after_prologue(toks: list[Token]) -> int:
    """Index of the first token after ``BASE <iri>`` and ``PREFIX p: <iri>`` declarations."""
    i = 0
    while i < len(toks):
        keyword = toks[i].keyword
        if keyword == "BASE":
            i += 2
        elif keyword == "PREFIX" or (toks[i].kind == "name" and toks[i].text.upper() == "PREFIX:"):
            i += 3 if toks[i].keyword else 2
        else:
            break
    return i


def leading_keyword(text: str) -> str | None:
    """The keyword that decides what the text is: ``SELECT``, ``INSERT``… (prologue skipped).

    >>> leading_keyword("PREFIX ex: <http://ex/#> # hi\\n insert data { ex:a ex:b ex:c }")
    'INSERT'
    """
    toks = tokens(text)
    i = _after_prologue(toks)
    return toks[i].keyword if i < len(toks) else None


def is_update(text: str) -> bool:
    """Whether the text is a SPARQL Update request (INSERT, DELETE, LOAD, CLEAR, DROP…)."""
    return leading_keyword(text) in UPDATE_KEYWORDS


@lru_cache(maxsize=256)  # the site's named queries come back on every page: tokenised once
def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with ``FROM`` or ``FROM NAMED``.

    >>> has_dataset_clause("SELECT * FROM <urn:g> { ?s ?p ?o }"), has_dataset_clause("ASK { ?from ?p 'FROM' }")
    (True, False)
    """
    return any(t.keyword == "FROM" for t in tokens(text))


def where_group(text: str) -> tuple[int, int]:
    """Offsets of the braces that open and close the query's WHERE group.

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o != '}') }"
    >>> start, end = where_group(q); q[start:end + 1]
    "{ ?s ?p ?o FILTER(?o != '}') }"
    """
    toks = tokens(text)
    i = _after_prologue(toks)
    form = toks[i].keyword if i < len(toks) else None
    if form not in QUERY_FORMS:
        raise PopLdError(f"not a SPARQL query: starts with {form or 'nothing'}")
    skip_template = form == "CONSTRUCT"
    depth = parens = 0
    opened = None
    for token in toks[i + 1 :]:
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{":
            if depth == 0 and parens == 0 and opened is None:
                opened = token.start
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth == 0 and opened is not None:
                if skip_template:
                    skip_template, opened = False, None
                    continue
                return opened, token.start
        elif token.keyword == "WHERE" and depth == 0 and skip_template and opened is None:
            raise PopLdError("cannot bind values in the short form CONSTRUCT WHERE { … }")
    raise PopLdError(f"no WHERE group found in this {form} query")


def outer_limit(text: str) -> int | None:
    """The LIMIT of a SELECT's own solution modifiers (not a subquery's), or None.

    >>> outer_limit("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s LIMIT 20 OFFSET 40")
    20
    >>> outer_limit("SELECT * { ?s ?p ?o } VALUES ?s { <urn:s> }") is None
    True
    """
    if leading_keyword(text) != "SELECT":
        return None
    try:
        _, end = where_group(text)
    except PopLdError:
        return None
    depth = 0
    after = [t for t in tokens(text) if t.start > end]
    for i, token in enumerate(after):
        depth += (token.text == "{") - (token.text == "}")
        if depth == 0 and token.keyword == "LIMIT" and i + 1 < len(after):
            value = after[i + 1].text
            return int(value) if value.isdigit() else None
    return None


def bind_values(text: str, values: Mapping[str, str]) -> str:
    """The query with a ``VALUES`` block binding ``values`` (variable → term in SPARQL syntax).

    The block and the original group are joined inside the WHERE group, so aggregates and
    subqueries see the bound value, and no line breaks are added: error positions keep
    their line numbers.

    >>> bind_values("SELECT ?l WHERE { GRAPH ?g { ?s ?p ?l } }", {"g": "<urn:g>"})
    'SELECT ?l WHERE { VALUES (?g) { (<urn:g>) } { GRAPH ?g { ?s ?p ?l } } }'
    """
    if not values:
        return text
    start, end = where_group(text)
    names = " ".join(f"?{name}" for name in values)
    terms = " ".join(values.values())
    block = f" VALUES ({names}) {{ ({terms}) }} {{"
    return f"{text[: start + 1]}{block}{text[start + 1 : end]}}} {text[end:]}"


def undeclared_prefixes(text: str) -> list[str]:
    """Prefixes used in prefixed names but never declared, in order of first use.

    >>> undeclared_prefixes("PREFIX crm: <urn:crm#> SELECT * { ?s a crm:E22, rdfs:Class }")
    ['rdfs']
    """
    toks = tokens(text)
    declared = set()
    for i, token in enumerate(toks):
        if token.keyword == "PREFIX" and i + 1 < len(toks):
            declared.add(toks[i + 1].text.rstrip(":").split(":")[0])
    missing: list[str] = []
    for token in toks:
        if token.kind == "name" and ":" in token.text and not token.text.startswith("_:"):
            prefix = token.text.split(":", 1)[0]
            if prefix not in declared and prefix not in missing:
                missing.append(prefix)
    return missing


_POSITION = re.compile(r"error at (\d+):(\d+)")


def error_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph parser message (``error at 3:17: expected …``).

    >>> error_position("error at 3:17: expected one of ABS")
    (3, 17)
    """
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
