"""The query editor's examples (``sparql/examples/*.rq``), also published as data.

Each example is a named query whose header says, in French and English, what research
question it answers (``#+ summary:``/``#+ summary_en:``…). The same files feed three
things: the editor's menu, ``/.well-known/sparql-examples`` and the graph
``/graph/examples`` of the store. The RDF follows the SIB "sparql-examples" convention,
so tools that read Wikidata's or UniProt's examples read these too::

    <…/.well-known/sparql-examples/count_by_century>
        a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;
        rdfs:label "Combien d'édifices…"@fr, "How many buildings…"@en ;
        rdfs:comment "…"@fr, "…"@en ;
        sh:select "PREFIX crm: … SELECT …" ;
        sh:prefixes <…/.well-known/sparql-examples#prefixes> ;
        schema:target <…/sparql> ;
        schema:keywords "dates", "chart" .

Prefix declarations are IRIs, not blank nodes, so loading the graph twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from pop_ld import ROOT, queries, querytext, uris
from pop_ld.errors import PopLdError
from pop_ld.queries import NamedQuery

EXAMPLES_DIR = ROOT / "sparql" / "examples"

SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
SPEX = "https://purl.expasy.org/sparql-examples/ontology#"

#: Prefixes of the published examples' RDF, beside the project's own.
PREFIXES = {"sh": SH, "schema": SCHEMA, "spex": SPEX, **uris.PREFIXES}

#: Query form → (SHACL executable class, property holding the query text).
FORMS = {
    "SELECT": (SH + "SPARQLSelectExecutable", SH + "select"),
    "ASK": (SH + "SPARQLAskExecutable", SH + "ask"),
    "CONSTRUCT": (SH + "SPARQLConstructExecutable", SH + "construct"),
    "DESCRIBE": (SPEX + "SPARQLDescribeExecutable", SPEX + "describe"),
}

#: The menu's sections: an example goes under the theme of its first tag, in this order.
THEMES = {
    "dates": ("Dates et siècles", "Dates and centuries"),
    "lieux": ("Lieux et cartes", "Places and maps"),
    "protection": ("Protection", "Protection"),
    "auteurs": ("Auteurs", "Authors"),
    "matériaux": ("Matériaux", "Materials"),
    "édifices": ("Édifices et objets", "Buildings and objects"),
    "photographies": ("Photographies", "Photographs"),
    "musées": ("Musées", "Museums"),
    "MNR": ("Œuvres récupérées (MNR)", "Recovered works (MNR)"),
    "recherche": ("Recherche", "Search"),
    "bases": ("Les bases et les exemples", "The bases and the examples"),
}
OTHER_THEME = ("Autres questions", "Other questions")

#: Result views that are also keywords, so ``schema:keywords "map"`` finds the map examples.
VIEW_KEYWORDS = {"map": "map", "chart": "chart"}


@dataclass(frozen=True, slots=True)
class Example:
    """One example: its named query, and the IRIs it is published under."""

    query: NamedQuery
    base_uri: str

    @property
    def name(self) -> str:
        return self.query.name

    @property
    def iri(self) -> str:
        return f"{self.base_uri}/.well-known/sparql-examples/{self.name}"

    @property
    def keywords(self) -> tuple[str, ...]:
        """The header's tags, plus ``map`` or ``chart`` for an example drawn that way."""
        extra = VIEW_KEYWORDS.get(self.query.view)
        tags = self.query.tags
        return tags + (extra,) if extra and extra not in tags else tags

    def menu_entry(self) -> dict[str, Any]:
        """What the editor's menu needs (as JSON in the page)."""
        q = self.query
        return {
            "name": q.name,
            "iri": self.iri,
            "summary": q.summary,
            "summary_en": q.summary_en,
            "description": q.description,
            "description_en": q.description_en,
            "tags": list(self.keywords),
            "view": q.view,
            "bases": list(q.bases),
            "query": q.body,
        }


def menu(examples: list[Example]) -> list[dict[str, Any]]:
    """The examples in sections by theme, for the editor page."""
    sections: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for theme in (*THEMES.values(), OTHER_THEME):
        sections[theme] = []
    for example in examples:
        first = example.query.tags[0] if example.query.tags else ""
        sections[THEMES.get(first, OTHER_THEME)].append(example.menu_entry())
    return [
        {"label": label, "label_en": label_en, "examples": entries}
        for (label, label_en), entries in sections.items()
        if entries
    ]


def load_examples(directory: Path | None = None, base_uri: str | None = None) -> list[Example]:
    """Every example, checked: valid SPARQL and a summary in both languages."""
    directory = directory or EXAMPLES_DIR
    base = (base_uri or uris.base_uri()).rstrip("/")
    examples = []
    for name in queries.names(directory):
        query = queries.load(name, directory)
        if not query.summary_en:
            raise PopLdError("an example needs '#+ summary_en: …' (the menu is bilingual)",
                             file=query.file)  # fmt: skip
        if querytext.leading_keyword(query.body) not in FORMS:
            raise PopLdError("an example must be a SELECT, ASK, CONSTRUCT or DESCRIBE query",
                             file=query.file)  # fmt: skip
        if query.params:
            raise PopLdError("an example runs as it is: it cannot have parameters",
                             file=query.file)  # fmt: skip
        examples.append(Example(query, base))
    return examples


def example_named(name: str, base_uri: str | None = None) -> Example | None:
    """One example by file name, or None."""
    return next((e for e in load_examples(base_uri=base_uri) if e.name == name), None)


def examples_triples(
    examples: list[Example] | None = None, base_uri: str | None = None
) -> list[ox.Triple]:
    """The examples as SHACL executables, with the project's prefix declarations."""
    base = (base_uri or uris.base_uri()).rstrip("/")
    examples = load_examples(base_uri=base) if examples is None else examples
    prefixes = ox.NamedNode(f"{base}/.well-known/sparql-examples#prefixes")
    target = ox.NamedNode(f"{base}/sparql")
    triples = [*_prefix_declarations(prefixes, base)]
    for example in examples:
        q = example.query
        node = ox.NamedNode(example.iri)
        executable, text_property = FORMS[querytext.leading_keyword(q.body) or "SELECT"]
        triples += [
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(SH + "SPARQLExecutable")),
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(executable)),
            ox.Triple(node, ox.NamedNode(text_property), ox.Literal(q.body)),
            ox.Triple(node, ox.NamedNode(SH + "prefixes"), prefixes),
            ox.Triple(node, ox.NamedNode(SCHEMA + "target"), target),
            ox.Triple(node, _DCT_IDENTIFIER, ox.Literal(q.name)),
        ]
        for lang, title, comment in (
            ("fr", q.summary, q.description),
            ("en", q.summary_en, q.description_en),
        ):
            triples.append(ox.Triple(node, _RDFS_LABEL, ox.Literal(title, language=lang)))
            triples.append(
                ox.Triple(node, _RDFS_COMMENT, ox.Literal(comment or title, language=lang))
            )
        triples += [
            ox.Triple(node, ox.NamedNode(SCHEMA + "keywords"), ox.Literal(k))
            for k in example.keywords
        ]
    return triples


def _prefix_declarations(prefixes: ox.NamedNode, base: str) -> list[ox.Triple]:
    triples = []
    for prefix, namespace in sorted(uris.PREFIXES.items()):
        declaration = ox.NamedNode(f"{base}/.well-known/sparql-examples#prefix-{prefix}")
        triples += [
            ox.Triple(prefixes, ox.NamedNode(SH + "declare"), declaration),
            ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(
                declaration,
                ox.NamedNode(SH + "namespace"),
                ox.Literal(namespace, datatype=ox.NamedNode(uris.XSD + "anyURI")),
            ),
        ]
    return triples


_RDF_TYPE = ox.NamedNode(uris.RDF + "type")
_RDFS_LABEL = ox.NamedNode(uris.RDFS + "label")
_RDFS_COMMENT = ox.NamedNode(uris.RDFS + "comment")
_DCT_IDENTIFIER = ox.NamedNode(uris.DCT + "identifier")


def examples_graph(base_uri: str | None = None) -> str:
    """The examples as N-Quads in the graph ``/graph/examples``, for the store.

    The graph name is built with ``base_uri`` too, so the whole load shares one base.
    """
    base = (base_uri or uris.base_uri()).rstrip("/")
    graph = ox.NamedNode(f"{base}/graph/examples")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in examples_triples(None, base)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()


def load_into(store: ox.Store, base_uri: str | None = None) -> int:
    """Replace ``/graph/examples`` of a pyoxigraph store with the examples; quads written."""
    base = (base_uri or uris.base_uri()).rstrip("/")
    graph = ox.NamedNode(f"{base}/graph/examples")
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    text = examples_graph(base)
    store.load(input=text, format=ox.RdfFormat.N_QUADS)
    return text.count("\n")


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Triples in an RDF format, with readable prefixes where the format has them."""
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt)
    return ox.serialize(triples, format=fmt, prefixes=used_prefixes(triples, PREFIXES))


def used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of the triples starts with."""
    iris = {t.predicate.value for t in triples}
    for t in triples:
        iris.update(n.value for n in (t.subject, t.object) if isinstance(n, ox.NamedNode))
        if isinstance(t.object, ox.Literal):
            iris.add(t.object.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}
