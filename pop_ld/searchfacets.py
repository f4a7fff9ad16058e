"""The facets of the search, in the order the page shows them.

Each facet's definition is its query, ``sparql/facets/{name}.rq``: one row per notice and value
(``?notice ?value ?label``). The side index counts those rows; a filter on the facet compiles
back to the same pattern with ``?value`` bound. What is here is only how the page shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from pop_ld import ROOT, queries
from pop_ld.uris import XSD

FACETS_DIR = ROOT / "sparql" / "facets"


@dataclass(frozen=True, slots=True)
class Facet:
    """How one facet's values are written and listed."""

    name: str
    label: str
    #: what ?value is: "iri", "string", "integer" or "boolean"
    kind: str = "iri"
    #: "count" (most notices first) or "value" (the century's order)
    order: str = "count"
    #: a search box over its values (long lists)
    searchable: bool = True
    #: what the URL leaves out of its IRIs after ``{base}/id/``: f.departement=75
    prefix: str = "concept/"
    #: a filter the URL may hold (browsing a concept or a person) but not listed beside results
    hidden: bool = False

    def query(self) -> queries.NamedQuery:
        """``sparql/facets/{name}.rq``, checked."""
        return queries.load(self.name, FACETS_DIR)

    def key(self, term: ox.NamedNode | ox.Literal, base_uri: str) -> str:
        """A value as the URL writes it: ``f.departement=75``, ``f.type=denomination-objets/orgue``.

        >>> FACETS["departement"].key(ox.NamedNode("http://x/id/place/departement/2A"), "http://x")
        '2A'
        """
        if isinstance(term, ox.NamedNode):
            prefix = f"{base_uri}/id/{self.prefix}"
            return term.value[len(prefix) :] if term.value.startswith(prefix) else term.value
        return term.value

    def term(self, key: str, base_uri: str) -> ox.NamedNode | ox.Literal:
        """The RDF term a value key of the URL stands for (the inverse of ``key``)."""
        if self.kind == "iri":
            # a key no IRI can hold (spaces, <, ") is percent-encoded: it then names nothing,
            # as it finds nothing in the index
            safe = quote(key, safe="/:@!$&'()*+,;=-._~%#?")
            if key.startswith(("http://", "https://", "urn:")):
                return ox.NamedNode(safe)
            return ox.NamedNode(f"{base_uri}/id/{self.prefix}{safe}")
        if self.kind == "string":
            return ox.Literal(key)
        return ox.Literal(key, datatype=ox.NamedNode(XSD + self.kind))

    def label_of(self, key: str) -> str:
        """A label for a value the data does not label: its last segment."""
        return key.rsplit("/", 1)[-1]


def _facets(*facets: Facet) -> dict[str, Facet]:
    return {f.name: f for f in facets}


#: POP's eleven facets (author, domain, base, location, period, producer, type, technique,
#: image, geolocation, missing), the location as région, département and commune, plus the
#: century from the dates' real bounds and the protection status.
FACETS: dict[str, Facet] = _facets(
    Facet("base", "Base", searchable=False, prefix="base/"),
    Facet("type", "Dénomination"),
    Facet("domain", "Domaine"),
    Facet("author", "Auteur", prefix="person/"),
    Facet("century", "Siècle", kind="integer", order="value", searchable=False, prefix=""),
    Facet("period", "Période", kind="string", prefix=""),
    Facet("technique", "Matériaux et techniques"),
    Facet("region", "Région", prefix="place/region/"),
    Facet("departement", "Département", prefix="place/departement/"),
    Facet("commune", "Commune", prefix="place/commune/"),
    Facet("protection", "Protection", searchable=False),
    Facet("producer", "Producteur", searchable=False),
    Facet("image", "Image", kind="boolean", searchable=False, prefix=""),
    Facet("geolocated", "Géolocalisation", kind="boolean", searchable=False, prefix=""),
    Facet("missing", "Manquant ou volé", searchable=False),
    Facet("concept", "Concept", hidden=True),
    Facet("person", "Personne", prefix="person/", hidden=True),
)

#: A notice is found by the labels of its values in these facets (every concept, actor and place
#: it links to), besides its own strings (sparql/search_text.rq).
TEXT_FACETS = ("concept", "person", "commune", "departement", "region")
