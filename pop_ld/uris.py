"""The only place pop-ld builds URIs: every IRI in the graph comes from a function here.

The design (docs/uris.md):

- ``/id/{base}/{REF}``: the thing itself (the church, the altarpiece, the photograph).
- ``/notice/{base}/{REF}``: POP's record that describes it; also the name of the graph
  that holds all the notice's statements, so a notice is replaced atomically.
- ``/id/concept/{scheme}/{slug}`` and ``/id/scheme/{scheme}``: thesaurus terms (SKOS).
- ``/id/person/{slug}``: a person or group named in a notice, from the normalised name.
- ``/id/place/{kind}/{code}``: région, département, commune (INSEE code), country.
- ``/graph/{name}``: shared graphs (concepts, places, persons, ontology).
- ``{thing}#{part}``: the nodes a notice builds around its thing (production, time-spans,
  statements, protections): stable between runs, replaced with the notice.

The base URI is configuration (``POP_LD_BASE_URI``), http://127.0.0.1:5000 by default.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from functools import cache
from urllib.parse import quote

from pop_ld import ROOT

DEFAULT_BASE_URI = "http://127.0.0.1:5000"

#: Namespaces of the vocabularies pop-ld emits.
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
POP = "https://w3id.org/pop-ld/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEO = "http://www.opengis.net/ont/geosparql#"
DCT = "http://purl.org/dc/terms/"
LA = "https://linked.art/ns/terms/"
AAT = "http://vocab.getty.edu/aat/"
OWL = "http://www.w3.org/2002/07/owl#"
FOAF = "http://xmlns.com/foaf/0.1/"

PREFIXES = {
    "crm": CRM,
    "pop": POP,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "geo": GEO,
    "dcterms": DCT,
    "la": LA,
    "aat": AAT,
    "owl": OWL,
    "foaf": FOAF,
}


_base_uri: str | None = None


def base_uri() -> str:
    """The configured base URI (``POP_LD_BASE_URI``), without a trailing slash.

    Read once per process: the engine asks for it hundreds of thousands of times a second.
    """
    global _base_uri
    if _base_uri is None:
        _base_uri = os.environ.get("POP_LD_BASE_URI", DEFAULT_BASE_URI).rstrip("/")
    return _base_uri


def set_base_uri(value: str | None) -> None:
    """Change the base URI for this process (tests, the app's config); None re-reads the env."""
    global _base_uri
    _base_uri = value.rstrip("/") if value else None


@cache
def bases() -> dict[str, dict]:
    """The POP bases table (mappings/bases.toml), in file order."""
    with open(ROOT / "mappings" / "bases.toml", "rb") as f:
        return tomllib.load(f)


@cache
def _ref_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(spec["ref"])) for name, spec in bases().items()]


def normalise_ref(ref: str) -> str:
    """A REF as POP keys it: trimmed, with inner runs of spaces kept as one.

    >>> normalise_ref("  PA00078021  "), normalise_ref("MNR  0391")
    ('PA00078021', 'MNR 0391')
    """
    if " " not in ref and ref.isprintable():
        return ref.strip()
    return " ".join(ref.split())


def base_of_ref(ref: str) -> str | None:
    """The base a REF belongs to, from its shape, or None when no base claims it.

    >>> base_of_ref("PM01000107"), base_of_ref("PA2A000001"), base_of_ref("SPR4400041")
    ('palissy', 'merimee', None)
    """
    ref = normalise_ref(ref).upper()
    for name, pattern in _ref_patterns():
        if pattern.match(ref):
            return name
    return None


def producer_of(base: str, ref: str) -> str | None:
    """POP's PRODUCTEUR, derived from the REF prefix (longest prefix first)."""
    for prefix, producer in _producers(base):
        if ref.startswith(prefix):
            return producer
    return None


@cache
def _producers(base: str) -> tuple[tuple[str, str], ...]:
    """A base's (REF prefix, producer) pairs, longest prefix first."""
    producers: dict[str, str] = bases().get(base, {}).get("producers", {})
    return tuple((prefix, producers[prefix]) for prefix in sorted(producers, key=len, reverse=True))


_SAFE_REF = re.compile(r"[A-Za-z0-9_.-]+")


def _ref_path(ref: str) -> str:
    ref = normalise_ref(ref)
    return ref if _SAFE_REF.fullmatch(ref) else quote(ref, safe="")


def thing(base: str, ref: str) -> str:
    """The heritage thing a notice describes: ``/id/merimee/PA00078021``."""
    return f"{base_uri()}/id/{base}/{_ref_path(ref)}"


def notice(base: str, ref: str) -> str:
    """The notice (record) describing the thing; also the notice's named graph."""
    return f"{base_uri()}/notice/{base}/{_ref_path(ref)}"


def thing_and_notice(base: str, ref: str) -> tuple[str, str]:
    """``thing(base, ref)`` and ``notice(base, ref)`` at once: the REF is escaped once."""
    root, path = base_uri(), _ref_path(ref)
    return f"{root}/id/{base}/{path}", f"{root}/notice/{base}/{path}"


def private_graph(base: str, ref: str) -> str:
    """Where masked fields (ADRS2, COM2…) go when asked for: never in the public union."""
    return f"{base_uri()}/graph/private/{base}/{_ref_path(ref)}"


def graph(name: str) -> str:
    """A shared graph: ``concepts``, ``places``, ``persons``, ``ontology``."""
    return f"{base_uri()}/graph/{name}"


def part(subject: str, name: str) -> str:
    """A node built around a thing or a notice: ``{thing}#production``.

    A part of a part joins with ``-``: an IRI has one fragment.

    >>> part("http://x/id/merimee/PA1#protection-1", "timespan")
    'http://x/id/merimee/PA1#protection-1-timespan'
    """
    sep = "-" if "#" in subject else "#"
    return f"{subject}{sep}{name}"


def base_resource(name: str) -> str:
    """A POP base as a resource: ``/id/base/merimee``."""
    return f"{base_uri()}/id/base/{name}"


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def slug(text: str) -> str:
    """A stable, readable URI segment: accents and case folded, other runs to ``-``.

    Letters with no ASCII form (Greek, Cyrillic) stay as they are: IRIs allow them, and
    dropping them would merge unrelated concepts.

    >>> slug("Église (paroissiale) Saint-Étienne"), slug("Œuvre"), slug("Ἀθηνᾶ")
    ('eglise-paroissiale-saint-etienne', 'oeuvre', 'αθηνα')
    """
    if text.isascii():  # NFKD and the ligatures change no ASCII character
        return _NON_WORD.sub("-", text.lower()).strip("-") or "x"
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    stripped = _LATIN_ACCENTS.sub("", folded)
    if not stripped.isascii():  # accents beyond Latin's: every combining mark, one by one
        stripped = "".join(c for c in stripped if not unicodedata.combining(c))
    return _NON_WORD.sub("-", stripped).strip("-") or "x"


_NON_WORD = re.compile(r"[\W_]+")
#: the combining marks of U+0300–U+036F (all but U+034F), the accents of French words
_LATIN_ACCENTS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]+"
)


def concept(scheme: str, label: str) -> str:
    """A thesaurus concept, one per label whatever its case or accents."""
    return f"{base_uri()}/id/concept/{scheme}/{slug(label)}"


def scheme(name: str) -> str:
    return f"{base_uri()}/id/scheme/{name}"


def person(name: str) -> str:
    """A person or group known only by name in a notice (AUTR, AUTP…)."""
    return f"{base_uri()}/id/person/{slug(name)}"


def place(kind: str, code: str) -> str:
    """An administrative place: kind is ``region``, ``departement``, ``commune`` or ``pays``."""
    return f"{base_uri()}/id/place/{kind}/{quote(code, safe='')}"


def ontology_term(local: str) -> str:
    return POP + local


def expand(curie: str) -> str:
    """``crm:E22_Human-Made_Object`` → its full IRI; full IRIs pass through."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return curie
