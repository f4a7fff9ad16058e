"""French folding, plural stems and POP's query syntax; the SPARQL regexes agree with the index."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pop_ld.searchstate import Row, SearchState
from pop_ld.searchsyntax import parse
from pop_ld.searchtext import (
    equals_pattern,
    fold,
    index_text,
    phrase_pattern,
    prefix_pattern,
    stem,
    words,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Église romane", "eglise romane"),
        ("ŒUVRE de Noël", "oeuvre de noel"),
        ("Cæsar", "caesar"),
        ("Straße", "strasse"),
        ("Château-Gaillard", "chateau-gaillard"),
        ("XIIᵉ siècle", "xiie siecle"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("eglises", "eglise"),
        ("eglise", "eglise"),
        ("chateaux", "chateau"),
        ("vitraux", "vitrau"),
        ("bas", "bas"),
        ("bass", "bas"),
        ("as", "as"),
        ("paris", "pari"),
        ("1800", "1800"),
        ("xxxx", "xxx"),
    ],
)
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed
    assert stem(stemmed) == stemmed  # idempotent: the regex relies on it


def test_words_split_on_punctuation_and_fold() -> None:
    assert words("L'Église Notre-Dame (XIIe siècle) : vitraux_anciens") == [
        "l", "eglise", "notre", "dame", "xiie", "siecle", "vitrau", "ancien",
    ]  # fmt: skip


def test_index_text_separates_values() -> None:
    assert index_text(["Notre-Dame", "Paris"]) == "notre dame qqsepqq pari"


def test_syntax_phrases_required_excluded() -> None:
    query = parse('"Notre-Dame de Paris" +gothique -Reims église')
    assert [(c.words, c.excluded) for c in query.clauses] == [
        (("notre", "dame", "de", "pari"), False),
        (("gothique",), False),
        (("reim",), True),
        (("eglise",), False),
    ]
    assert query.match() == '"notre dame de pari" AND "gothique" AND "eglise" NOT ("reim")'
    assert (
        query.match("title")
        == 'title : ("notre dame de pari" AND "gothique" AND "eglise" NOT ("reim"))'
    )


def test_syntax_only_excluded_and_empty() -> None:
    query = parse("-vitrail -orgue")
    assert query.match() is None
    assert query.exclusion() == '"vitrail" OR "orgue"'
    assert not parse('  - + "" ')
    assert parse('"unclosed phrase').clauses[0].words == ("unclosed", "phrase")


def test_hostile_text_never_reaches_fts_syntax() -> None:
    # quotes, parentheses, operators and column filters are not words: they cannot escape
    query = parse('title:x" OR NEAR(a b) * ^col')
    assert query.match() == '"title x" AND "or" AND "near a" AND "b" AND "col"'


def _regex_matches(pattern: str, text: str) -> bool:
    """What Oxigraph's REGEX (flag i) says, as the compiled SPARQL runs it."""
    query = f'ASK {{ FILTER(REGEX({ox.Literal(text)}, {ox.Literal(pattern)}, "i")) }}'
    return bool(ox.Store().query(query))


CASES = [
    ("eglise", "Église romane", True),
    ("eglises", "l'église", True),
    ("églises", "EGLISES", True),
    ("chateau", "Châteaux de la Loire", True),
    ("chateaux", "château fort", True),
    ("oeuvre", "Œuvre de Viollet-le-Duc", True),
    ("bas", "bassx", True),
    ("bas", "ba", False),
    ("de", "des", False),
    ("eglise", "églisette", False),
    ("roman", "romane", False),
    ("dame", "Notre-Dame", True),
    ("12e", "XIIe, 12e siècle", True),
    ("pari", "Paris 4e", True),
    ("paris", "comparis", False),
]


@pytest.mark.parametrize(("query", "text", "expected"), CASES)
def test_sparql_regex_agrees_with_index_words(query: str, text: str, expected: bool) -> None:
    stems = words(query)
    indexed = set(words(text))
    assert all(s in indexed for s in stems) is expected
    assert _regex_matches(phrase_pattern(stems), text) is expected


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("notre dame", "Cathédrale Notre-Dame", True),
        ("notre dame", "Notre cathédrale, Dame", False),
        ("eglise romane", "Églises romanes", True),
    ],
)
def test_phrase_regex(phrase: str, text: str, expected: bool) -> None:
    stems = words(phrase)
    tokens = words(text)
    adjacent = any(tokens[i : i + len(stems)] == stems for i in range(len(tokens)))
    assert adjacent is expected
    assert _regex_matches(phrase_pattern(stems), text) is expected


def test_prefix_and_equals_patterns() -> None:
    assert _regex_matches(prefix_pattern("cathe"), "Cathédrale Notre-Dame")
    assert not _regex_matches(prefix_pattern("dame"), "Cathédrale Notre-Dame")
    assert _regex_matches(equals_pattern("cathedrale"), "CATHÉDRALE")
    assert not _regex_matches(equals_pattern("cathedrale"), "cathédrales")
    assert _regex_matches(prefix_pattern("l'ab (x"), "L'Ab (x) y")


def test_state_round_trip() -> None:
    text = (
        "q=%C3%A9glise&f.base=merimee&f.base=palissy&f.century=12&from_year=1100&to_year=1300"
        "&af0=type&ao0=is&av0=cath%C3%A9drale&aj1=ou&af1=place&ao1=within&av1=departement%2F75"
        "&page=3&view=mosaic"
    )
    state = SearchState.from_query_string(text)
    assert state.q == "église"
    assert state.filters == (("base", ("merimee", "palissy")), ("century", ("12",)))
    assert (state.from_year, state.to_year, state.page, state.view) == (1100, 1300, 3, "mosaic")
    assert state.rows == (
        Row("type", "is", "cathédrale", "et"),
        Row("place", "within", "departement/75", "ou"),
    )
    assert state.query_string() == text
    assert state.search_key() == text.replace("&page=3&view=mosaic", "")


def test_state_ignores_unknown_and_toggles() -> None:
    state = SearchState.from_query_string("f.nope=1&f.base=&page=-4&view=table&x=1")
    assert state == SearchState()
    added = (
        state.with_filter("region", "53").with_filter("base", "merimee").with_filter("region", "11")
    )
    assert added.query_string() == "f.base=merimee&f.region=53&f.region=11"
    assert added.without_filter("region", "53").query_string() == "f.base=merimee&f.region=11"
    assert added.without_filter("region").query_string() == "f.base=merimee"
