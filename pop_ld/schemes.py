"""The concept schemes (POP's thesauri) as SKOS: a label in French and English, and their source.

POP's schemas name the vocabulary that controls a field twice: the legacy data.culture.fr GINCO
ARK (``thesaurus`` column) and the OpenTheso list used for import checks (``listeAutorite``,
``idthesaurus``). mappings/schemes.toml keeps, for every scheme a mapping table uses, its labels
and those references; each scheme is written once per engine into /graph/concepts.

The ARK is written as ``dcterms:source`` (the vocabulary ours is drawn from), not
``skos:exactMatch``: SKOS mapping properties relate concepts, and would make the scheme a concept.
"""

from __future__ import annotations

import tomllib
from functools import cache

from pop_ld import ROOT, uris
from pop_ld.nquads import RDF_TYPE, iri, literal, quad

SKOS_SCHEME = f"<{uris.SKOS}ConceptScheme>"
PREF = f"<{uris.SKOS}prefLabel>"
SOURCE = f"<{uris.DCT}source>"
IDENTIFIER = f"<{uris.DCT}identifier>"
TITLE = f"<{uris.DCT}title>"
NOTATION = f"<{uris.SKOS}notation>"


@cache
def table() -> dict[str, dict[str, str]]:
    """mappings/schemes.toml: scheme name → fr, en, and where known ark, opentheso, liste."""
    with open(ROOT / "mappings" / "schemes.toml", "rb") as f:
        return tomllib.load(f)


def scheme_lines(name: str, graph: str) -> list[str]:
    """The N-Quads of one scheme: its type, labels, and the vocabularies it comes from.

    A scheme the table does not know has only its name: the test on the tables fails first,
    so this is a fallback, not a path data takes.
    """
    s = iri(uris.scheme(name))
    entry = table().get(name, {})
    lines = [
        quad(s, RDF_TYPE, SKOS_SCHEME, graph),
        quad(s, NOTATION, literal(name), graph),  # the name the mapping tables use
        quad(s, PREF, literal(entry.get("fr", name), lang="fr"), graph),
    ]
    if "en" in entry:
        lines.append(quad(s, PREF, literal(entry["en"], lang="en"), graph))
    if "ark" in entry:
        lines.append(quad(s, SOURCE, iri(entry["ark"]), graph))
    if "opentheso" in entry:
        lines.append(quad(s, IDENTIFIER, literal(entry["opentheso"]), graph))
    if "liste" in entry:
        lines.append(quad(s, TITLE, literal(entry["liste"], lang="fr"), graph))
    return lines
