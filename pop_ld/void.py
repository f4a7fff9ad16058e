"""A VoID description of what the store holds: its class and property partitions.

Served at ``/.well-known/void``; the query editor completes class and property names from
it, so a researcher is offered ``crm:P108i_was_produced_by`` rather than the whole of LOV.
The two partitions are GROUP BY scans (``sparql/void_*.rq``) of every triple: seconds on
the demo, longer than a web request may take on the whole of POP. So ``pop-ld load`` stores
the description in ``/graph/void`` (``load_into``), the site serves that graph, and only a
store without it has the description computed on demand; either way the site keeps it a
while (``VoidCache``) rather than asking per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from pop_ld import queries, uris
from pop_ld.store import Result

VOID = "http://rdfs.org/ns/void#"

#: Runs a query (its text, its bound terms) and returns the answer: a store's or a pool's.
Runner = Callable[..., Result]

#: Seconds a computed description is served before it is computed again.
CACHE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Partition:
    """Classes with their entity counts, properties with their triple counts, most used first."""

    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    computed: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.properties)


def partition(run: Runner) -> Partition:
    """Count the store's classes and properties with the named VoID queries."""
    return Partition(
        classes=_counts(run(queries.load("void_classes").text), "class", "entities"),
        properties=_counts(run(queries.load("void_properties").text), "property", "triples"),
    )


def _counts(result: Result, key: str, count: str) -> list[tuple[str, int]]:
    rows = []
    for row in result:
        term, number = row[key], row[count]
        if isinstance(term, ox.NamedNode) and isinstance(number, ox.Literal):
            rows.append((term.value, int(number.value)))
    return rows


def void_triples(part: Partition, base_uri: str | None = None) -> list[ox.Triple]:
    """The VoID description of a partition, its dataset named after the site."""
    base = (base_uri or uris.base_uri()).rstrip("/")
    dataset = ox.NamedNode(f"{base}/.well-known/void#dataset")
    triples = [
        ox.Triple(dataset, _iri(uris.RDF + "type"), _iri(VOID + "Dataset")),
        ox.Triple(dataset, _iri(uris.DCT + "title"), ox.Literal("POP en données liées", language="fr")),
        ox.Triple(dataset, _iri(uris.DCT + "title"), ox.Literal("POP as linked data", language="en")),
        ox.Triple(dataset, _iri(VOID + "sparqlEndpoint"), _iri(f"{base}/sparql")),
        ox.Triple(dataset, _iri(VOID + "uriSpace"), ox.Literal(f"{base}/id/")),
        ox.Triple(dataset, _iri(VOID + "triples"), _integer(part.triples)),
        ox.Triple(dataset, _iri(VOID + "classes"), _integer(len(part.classes))),
        ox.Triple(dataset, _iri(VOID + "properties"), _integer(len(part.properties))),
        ox.Triple(dataset, _iri(uris.DCT + "modified"), ox.Literal(
            part.computed.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_iri(uris.XSD + "dateTime"))),
    ]  # fmt: skip
    used = {iri for iri, _ in part.classes} | {iri for iri, _ in part.properties}
    for namespace in sorted(set(uris.PREFIXES.values())):
        if any(iri.startswith(namespace) for iri in used):
            triples.append(ox.Triple(dataset, _iri(VOID + "vocabulary"), _iri(namespace)))
    for kind, rows, count in (
        ("class", part.classes, "entities"),
        ("property", part.properties, "triples"),
    ):
        for iri, number in rows:
            node = ox.BlankNode()
            triples += [
                ox.Triple(dataset, _iri(VOID + f"{kind}Partition"), node),
                ox.Triple(node, _iri(VOID + kind), _iri(iri)),
                ox.Triple(node, _iri(VOID + count), _integer(number)),
            ]
    return triples


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(uris.XSD + "integer"))


def graph_name(base_uri: str | None = None) -> str:
    """Where ``pop-ld load`` keeps the description: ``/graph/void``."""
    return f"{(base_uri or uris.base_uri()).rstrip('/')}/graph/void"


def describe(run: Runner, base_uri: str | None = None) -> list[ox.Triple]:
    """The stored description if the load left one, else computed now from the partitions."""
    query = queries.load("void_stored")
    stored = run(query.text, substitutions=query.substitutions(graph=graph_name(base_uri)))
    triples = list(stored)
    return triples or void_triples(partition(run), base_uri)


def load_into(store: ox.Store, base_uri: str | None = None) -> int:
    """Compute the description of a pyoxigraph store and keep it in ``/graph/void``; quads.

    Called after a load, once everything else is in (the ontology, the examples): the
    partitions count what the store holds then. The old description is dropped first.
    """
    graph = ox.NamedNode(graph_name(base_uri))
    if store.contains_named_graph(graph):
        store.remove_graph(graph)

    def run(sparql: str, **_: object) -> Result:
        return Result(store.query(sparql, use_default_graph_as_union=True))  # type: ignore[arg-type]

    triples = void_triples(partition(run), base_uri)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return len(triples)


class VoidCache:
    """One description per key (a store), made by one caller at a time and kept a while."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, list[ox.Triple]]] = {}

    def get(self, key: str, make: Callable[[], list[ox.Triple]]) -> list[ox.Triple]:
        """The cached description for ``key``, made again when missing or stale."""
        with self._lock:  # one at a time: computing the partitions is heavy
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.seconds:
                entry = (time.monotonic(), make())
                self._entries[key] = entry
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
