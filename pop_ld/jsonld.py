"""The native graph as compact JSON-LD, with the @context the site publishes at /context.jsonld.

pyoxigraph writes expanded JSON-LD (full IRIs everywhere), which no one reads. This writer
groups the triples by subject and uses the context's terms: the project prefixes
(``crm:``, ``pop:``…) and a few terms named after Linked Art's (``identified_by``,
``classified_as``, ``produced_by``…). It writes only what the context can say exactly: a value
whose datatype a term does not coerce is written in full (``{"@value": …, "@type": …}``) under
the prefixed name instead, so the document expands back to the same triples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from pop_ld.uris import PREFIXES, XSD

#: term → (property CURIE, coercion): "@id" for IRIs, a datatype CURIE, or None (none).
TERMS: dict[str, tuple[str, str | None]] = {
    "label": ("rdfs:label", None),
    "prefLabel": ("skos:prefLabel", None),
    "in_scheme": ("skos:inScheme", "@id"),
    "exact_match": ("skos:exactMatch", "@id"),
    "content": ("crm:P190_has_symbolic_content", None),
    "identified_by": ("crm:P1_is_identified_by", "@id"),
    "classified_as": ("crm:P2_has_type", "@id"),
    "referred_to_by": ("crm:P67i_is_referred_to_by", "@id"),
    "produced_by": ("crm:P108i_was_produced_by", "@id"),
    "part": ("crm:P9_consists_of", "@id"),
    "timespan": ("crm:P4_has_time-span", "@id"),
    "begin_of_the_begin": ("crm:P82a_begin_of_the_begin", "xsd:dateTime"),
    "end_of_the_end": ("crm:P82b_end_of_the_end", "xsd:dateTime"),
    "carried_out_by": ("crm:P14_carried_out_by", "@id"),
    "technique": ("crm:P32_used_general_technique", "@id"),
    "made_of": ("crm:P45_consists_of", "@id"),
    "dimension": ("crm:P43_has_dimension", "@id"),
    "value": ("crm:P90_has_value", "xsd:decimal"),
    "unit": ("crm:P91_has_unit", "@id"),
    "current_location": ("crm:P55_has_current_location", "@id"),
    "falls_within": ("crm:P89_falls_within", "@id"),
    "defined_by": ("crm:P168_place_is_defined_by", "geo:wktLiteral"),
    "documents": ("crm:P70_documents", "@id"),
    "documented_in": ("crm:P70i_is_documented_in", "@id"),
    "representation": ("crm:P138i_has_representation", "@id"),
    "represents": ("crm:P138_represents", "@id"),
    "digitally_shown_by": ("la:digitally_shown_by", "@id"),
    "access_point": ("la:access_point", "@id"),
    "depiction": ("foaf:depiction", "@id"),
    "has_geometry": ("geo:hasGeometry", "@id"),
    "as_wkt": ("geo:asWKT", "geo:wktLiteral"),
    "see_also": ("rdfs:seeAlso", "@id"),
    "created": ("dcterms:created", "xsd:date"),
    "modified": ("dcterms:modified", "xsd:date"),
    "rights": ("dcterms:rights", None),
}


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


#: full property IRI → (term, coercion as a full IRI or "@id" or None)
_BY_IRI: dict[str, tuple[str, str | None]] = {
    _expand(curie): (term, coercion if coercion in (None, "@id") else _expand(coercion))
    for term, (curie, coercion) in TERMS.items()
}

#: Namespaces longest first, so ``la:`` is never shadowed by a shorter one.
_NAMESPACES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def context() -> dict[str, Any]:
    """The document served at /context.jsonld."""
    terms: dict[str, Any] = {"id": "@id", "type": "@type", **PREFIXES}
    for term, (curie, coercion) in TERMS.items():
        terms[term] = {"@id": curie, "@type": coercion} if coercion else {"@id": curie}
    return {"@context": terms}


def curie(iri: str) -> str:
    """The prefixed name of an IRI in a project namespace, else the IRI itself."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def _value(term: ox.Literal) -> dict[str, str]:
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": curie(term.datatype.value)}


def compact(triples: Iterable[ox.Triple], context_url: str, first: Iterable[str] = ()) -> dict:
    """The triples as one JSON-LD document: an ``@graph`` of nodes, ``first`` IRIs first."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        node = nodes.setdefault(subject, {"id": subject})
        p, o = t.predicate.value, t.object
        if p == PREFIXES["rdf"] + "type" and isinstance(o, ox.NamedNode):
            node.setdefault("type", []).append(curie(o.value))
            continue
        term, coercion = _BY_IRI.get(p, (None, None))
        if isinstance(o, ox.NamedNode | ox.BlankNode):
            ref = o.value if isinstance(o, ox.NamedNode) else f"_:{o.value}"
            if term and coercion == "@id":
                key, value = term, ref
            else:
                key, value = term or curie(p), {"@id": ref}
        elif term and coercion is not None and coercion != "@id":
            if not o.language and o.datatype.value == coercion:
                key, value = term, o.value
            else:
                key, value = curie(p), _value(o)
        elif term and coercion is None:
            key, value = term, _value(o)
        else:
            key, value = curie(p), _value(o)
        node.setdefault(key, []).append(value)
    order = {iri: i for i, iri in enumerate(first)}
    graph = []
    for subject in sorted(nodes, key=lambda s: (order.get(s, len(order)), s)):
        node = nodes[subject]
        graph.append(
            {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in node.items()}
        )
    return {"@context": context_url, "@graph": graph}


def dumps(document: dict[str, Any]) -> bytes:
    """JSON text as the site sends it: UTF-8, readable, stable key order."""
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
