"""The result formats pop-ld speaks, and how a client's Accept header or ``format`` picks one.

A table, not code paths: each format names the media types it answers to, the kind of
answer it can carry (``results`` for SELECT/ASK, ``graph`` for CONSTRUCT/DESCRIBE) and
pyoxigraph's serialiser for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True, slots=True)
class Format:
    """One serialisation: what it is called, what it sends and what Accept values it answers."""

    name: str
    #: Content-Type of the answer
    media_type: str
    #: ``results`` (SELECT, ASK) or ``graph`` (CONSTRUCT, DESCRIBE)
    kind: str
    oxigraph: QueryResultsFormat | RdfFormat
    #: media types (besides media_type) a client may ask for it by
    aliases: tuple[str, ...] = ()
    label: str = ""

    @property
    def accepts(self) -> tuple[str, ...]:
        return (self.media_type.split(";")[0], *self.aliases)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/sparql-results+json", "results", QueryResultsFormat.JSON,
               ("application/json",), "SPARQL JSON"),
        Format("xml", "application/sparql-results+xml", "results", QueryResultsFormat.XML,
               ("application/xml", "text/xml"), "SPARQL XML"),
        Format("csv", "text/csv; charset=utf-8", "results", QueryResultsFormat.CSV, (), "CSV"),
        Format("tsv", "text/tab-separated-values; charset=utf-8", "results",
               QueryResultsFormat.TSV, (), "TSV"),
        Format("ttl", "text/turtle; charset=utf-8", "graph", RdfFormat.TURTLE,
               ("application/x-turtle",), "Turtle"),
        Format("nt", "application/n-triples", "graph", RdfFormat.N_TRIPLES, ("text/plain",),
               "N-Triples"),
        Format("jsonld", "application/ld+json", "graph", RdfFormat.JSON_LD,
               ("application/json",), "JSON-LD"),
        Format("rdf", "application/rdf+xml", "graph", RdfFormat.RDF_XML,
               ("application/xml", "text/xml"), "RDF/XML"),
    )
}  # fmt: skip

#: ``format`` values besides the names above: media types and common spellings.
FORMAT_ALIASES: dict[str, str] = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
    **{f.media_type.split(";")[0]: f.name for f in FORMATS.values()},
}

#: With ``format=json`` or ``format=xml`` a CONSTRUCT still answers: in JSON-LD or RDF/XML.
SAME_FAMILY = {"json": "jsonld", "jsonld": "json", "xml": "rdf", "rdf": "xml"}

KINDS = ("results", "graph")


def format_named(value: str) -> Format | None:
    """The format a ``format`` parameter names (``ttl``, ``turtle``, ``text/turtle``), or None."""
    key = value.strip().lower()
    return FORMATS.get(FORMAT_ALIASES.get(key, key))


def for_kind(fmt: Format, kind: str) -> Format | None:
    """The format to send for an answer of ``kind`` when the client named ``fmt``.

    >>> for_kind(FORMATS["json"], "graph").name, for_kind(FORMATS["csv"], "graph")
    ('jsonld', None)
    """
    if fmt.kind == kind:
        return fmt
    twin = SAME_FAMILY.get(fmt.name)
    return FORMATS[twin] if twin else None


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """Accept header → ``(media range, q, position)``, media ranges lower-cased.

    >>> parse_accept("text/turtle;q=0.5, application/n-triples")
    [('text/turtle', 0.5, 0), ('application/n-triples', 1.0, 1)]
    """
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q, position))
    return ranges


def _match(media: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int] | None:
    """The q and position of the most specific range covering ``media`` (RFC 9110 12.5.1)."""
    kind = media.split("/")[0]
    best: tuple[int, float, int] | None = None
    for pattern, q, position in ranges:
        if pattern == media:
            specificity = 2
        elif pattern == f"{kind}/*":
            specificity = 1
        elif pattern == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, position)
    return None if best is None else (best[1], best[2])


def negotiate(accept: str | None, offers: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The offer the client prefers: highest q, then first listed by the client, then ours.

    ``offers`` are ``(name, media types)`` in the server's order of preference; an absent
    or empty Accept header takes the first. None when nothing offered is acceptable.

    >>> offers = [("ttl", ["text/turtle"]), ("html", ["text/html"])]
    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", offers)
    'html'
    >>> negotiate("*/*", offers), negotiate(None, offers), negotiate("image/png", offers)
    ('ttl', 'ttl', None)
    """
    offers = list(offers)
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0][0] if offers else None
    best: tuple[float, int, int] | None = None
    chosen = None
    for rank, (name, media_types) in enumerate(offers):
        for media in media_types:
            found = _match(media.lower(), ranges)
            if found is None or found[0] <= 0:
                continue
            key = (-found[0], found[1], rank)
            if best is None or key < best:
                best, chosen = key, name
    return chosen


def negotiate_format(accept: str | None, kind: str) -> Format | None:
    """The format of ``kind`` (``results`` or ``graph``) the Accept header prefers.

    >>> negotiate_format("text/csv;q=0.8, application/sparql-results+xml", "results").name
    'xml'
    >>> negotiate_format("application/json", "graph").name
    'jsonld'
    """
    name = negotiate(accept, [(f.name, f.accepts) for f in FORMATS.values() if f.kind == kind])
    return FORMATS[name] if name else None
