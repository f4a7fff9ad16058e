"""Named queries (sparql/*.rq headers) and what a query's text says before parsing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from pop_ld import queries, querytext
from pop_ld.errors import PopLdError

GOOD = """#+ summary: Labels of one notice
#+ description: What the notice page shows first,
#+ description: in every language.
#+ params: notice (IRI), lang (string)
#+ tags: notice, page
# an ordinary comment may follow the header
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?notice ?lang ?label WHERE {
  GRAPH ?notice { ?thing rdfs:label ?label FILTER(LANG(?label) = ?lang) }
}
"""


def test_header_is_read() -> None:
    query = queries.parse(GOOD, "notice_labels", "sparql/notice_labels.rq")
    assert (query.summary, query.description, query.tags) == (
        "Labels of one notice",
        "What the notice page shows first, in every language.",
        ("notice", "page"),
    )
    assert query.params == (queries.Param("notice", "IRI"), queries.Param("lang", "string"))


def test_parameters_become_terms() -> None:
    query = queries.parse(GOOD, "notice_labels", "sparql/notice_labels.rq")
    assert query.substitutions(
        notice="http://127.0.0.1:5000/notice/merimee/PA00078021", lang="fr"
    ) == {
        "notice": ox.NamedNode("http://127.0.0.1:5000/notice/merimee/PA00078021"),
        "lang": ox.Literal("fr"),
    }
    with pytest.raises(PopLdError) as caught:
        query.substitutions(notice="http://x/")
    assert (
        str(caught.value)
        == "sparql/notice_labels.rq: parameters of notice_labels: missing ['lang']"
    )


def test_typed_parameter_kinds() -> None:
    text = "#+ summary: s\n#+ params: n (integer), d (date), b (boolean)\nASK { VALUES (?n ?d ?b) { (1 '2000-01-01' true) } }"
    query = queries.parse(text, "kinds", "kinds.rq")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert query.substitutions(n=12, d="1789-07-14", b=False) == {
        "n": ox.Literal("12", datatype=ox.NamedNode(xsd + "integer")),
        "d": ox.Literal("1789-07-14", datatype=ox.NamedNode(xsd + "date")),
        "b": ox.Literal("false", datatype=ox.NamedNode(xsd + "boolean")),
    }


BAD_HEADERS = [
    ("SELECT * { ?s ?p ?o }", "bad.rq:1: header has no '#+ summary: …' line"),
    (
        "#+ summary: s\n#+ sumary: typo\nASK {}",
        "bad.rq:2: unknown header key 'sumary' (known: summary, description, params, tags, "
        "summary_en, description_en, view, bases)",
    ),
    (
        "#+ summary: s\n#+ no colon here\nASK {}",
        "bad.rq:2: header line is not '#+ key: value': '#+ no colon here'",
    ),
    ("#+ summary: s\n#+ summary: again\nASK {}", "bad.rq:2: header key 'summary' given twice"),
    (
        "#+ summary: s\nASK {}\n#+ params: x (IRI)",
        "bad.rq:3: header line (#+) after the query has started",
    ),
    (
        "#+ summary: s\n#+ params: x IRI\nASK { ?x ?p ?o }",
        "bad.rq:2: parameter is not 'name (KIND)': 'x IRI'",
    ),
    (
        "#+ summary: s\n#+ params: x (URI)\nASK { ?x ?p ?o }",
        "bad.rq:2: unknown parameter kind 'URI' (known: IRI, string, integer, decimal, date, boolean, literal)",
    ),
    (
        "#+ summary: s\n#+ params: y (IRI)\nASK { ?x ?p ?o }",
        "bad.rq:2: parameter ?y is not used in the query",
    ),
    (
        "#+ summary: s\n#+ params: g (IRI)\nSELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        "bad.rq:2: The SPARQL query does not contains variable ?g in its SELECT projection: "
        "a SELECT must project its parameters to bind them",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_HEADERS)
def test_a_bad_header_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(PopLdError) as caught:
        queries.parse(text, "bad", "bad.rq")
    assert str(caught.value) == message


def test_a_syntax_error_names_the_file_line() -> None:
    with pytest.raises(PopLdError) as caught:
        queries.parse("#+ summary: s\nSELECT ?x WHERE {\n  ?x ?p\n}\n", "bad", "sparql/bad.rq")
    # Oxigraph reports where it gave up: after the closing brace, on line 5
    assert str(caught.value) == "sparql/bad.rq:5: SPARQL syntax: error at 5:1: expected OPTIONAL"


def test_load_reads_the_sparql_folder(tmp_path: Path) -> None:
    assert "count_notices" in queries.names()
    assert queries.load("count_notices").summary == "How many notices the store holds"
    (tmp_path / "q.rq").write_text("#+ summary: s\nASK {}\n", encoding="utf-8")
    assert queries.load("q", tmp_path).text == "#+ summary: s\nASK {}\n"
    with pytest.raises(PopLdError, match="no query named '../x'"):
        queries.load("../x", tmp_path)


@pytest.mark.parametrize(
    ("text", "keyword", "update"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT", False),
        ("PREFIX ex: <http://ex/#insert> # DELETE\n ASK { ?s ex:p 'INSERT' }", "ASK", False),
        ("BASE <http://ex/> PREFIX : <http://ex/> insert data { :a :b :c }", "INSERT", True),
        ("  LOAD <http://example.org/data.ttl>", "LOAD", True),
        ("CLEAR ALL", "CLEAR", True),
        ("DROP GRAPH <urn:g>", "DROP", True),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", True),
        ("# only a comment", None, False),
    ],
)
def test_leading_keyword(text: str, keyword: str | None, update: bool) -> None:
    assert (querytext.leading_keyword(text), querytext.is_update(text)) == (keyword, update)


@pytest.mark.parametrize(
    ("query", "bound"),
    [
        (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "SELECT (COUNT(*) AS ?n) WHERE { VALUES (?g) { (<urn:g>) } { GRAPH ?g { ?s ?p ?o } } }",
        ),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } } }",
            "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?g) { (<urn:g>) } { { SELECT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } } } }",
        ),
        (
            "ASK { GRAPH ?g { ?s ?p '{' } }",
            "ASK { VALUES (?g) { (<urn:g>) } { GRAPH ?g { ?s ?p '{' } } }",
        ),
        (
            "SELECT ?g (EXISTS { ?g ?p ?o } AS ?e) FROM <urn:x> { ?g ?p ?o }",
            "SELECT ?g (EXISTS { ?g ?p ?o } AS ?e) FROM <urn:x> { VALUES (?g) { (<urn:g>) } { ?g ?p ?o } }",
        ),
    ],
)
def test_bind_values_wraps_the_where_group(query: str, bound: str) -> None:
    assert querytext.bind_values(query, {"g": "<urn:g>"}) == bound
    ox.Store().query(bound)  # still a valid query


def test_bind_values_refuses_what_it_cannot_place() -> None:
    with pytest.raises(PopLdError, match="short form CONSTRUCT WHERE"):
        querytext.bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": "<urn:s>"})
    with pytest.raises(PopLdError, match="no WHERE group found in this DESCRIBE query"):
        querytext.bind_values("DESCRIBE <urn:s>", {"s": "<urn:s>"})


def test_dataset_clauses_and_prefixes() -> None:
    assert querytext.has_dataset_clause("SELECT * FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }")
    assert not querytext.has_dataset_clause("SELECT * { ?s <urn:from> 'FROM' } # FROM")
    assert querytext.undeclared_prefixes(
        "PREFIX crm: <urn:c#>\nSELECT * { ?s a crm:E22, rdfs:Class ; skos:x _:b }"
    ) == ["rdfs", "skos"]
    assert querytext.error_position("error at 12:3: expected OPTIONAL") == (12, 3)
