"""The VoID description: partitions computed from a store, stored by the load, cached by the site."""

from __future__ import annotations

import pyoxigraph as ox

from pop_ld import uris, void
from pop_ld.store import Result

EX = "http://example.org/"
VOID = void.VOID


def store_with(*triples: tuple[str, str, str], graph: str = EX + "g") -> ox.Store:
    store = ox.Store()
    for s, p, o in triples:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), ox.NamedNode(graph)))
    return store


def runner(store: ox.Store, calls: list[str] | None = None):
    def run(sparql: str, substitutions=None, **_: object) -> Result:
        if calls is not None:
            calls.append(sparql)
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        return Result(
            store.query(sparql, substitutions=subs or None, use_default_graph_as_union=True)
        )

    return run


TYPE = uris.RDF + "type"
SMALL = (
    (EX + "a", TYPE, uris.CRM + "E22_Human-Made_Object"),
    (EX + "b", TYPE, uris.CRM + "E22_Human-Made_Object"),
    (EX + "b", TYPE, uris.POP + "Edifice"),
    (EX + "b", uris.POP + "conserveDans", EX + "a"),
)


def test_partition_counts_entities_and_triples() -> None:
    part = void.partition(runner(store_with(*SMALL)))
    assert part.classes == [(uris.CRM + "E22_Human-Made_Object", 2), (uris.POP + "Edifice", 1)]
    assert part.properties == [(TYPE, 3), (uris.POP + "conserveDans", 1)]
    assert part.triples == 4


def test_void_triples_describe_the_dataset() -> None:
    triples = void.void_triples(void.partition(runner(store_with(*SMALL))), "https://x.org")
    dataset = ox.NamedNode("https://x.org/.well-known/void#dataset")
    about = {(t.predicate.value, str(t.object)) for t in triples if t.subject == dataset}
    assert (VOID + "sparqlEndpoint", "<https://x.org/sparql>") in about
    assert (VOID + "triples", '"4"^^<http://www.w3.org/2001/XMLSchema#integer>') in about
    assert (VOID + "classes", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>') in about
    assert {o for p, o in about if p == VOID + "vocabulary"} == {
        f"<{uris.RDF}>",
        f"<{uris.CRM}>",
        f"<{uris.POP}>",
    }
    partitions = {t.object for t in triples if t.predicate.value == VOID + "classPartition"}
    counts = {
        next(t.object.value for t in triples if t.subject == p and t.predicate.value == VOID + "class"):
        next(t.object.value for t in triples if t.subject == p and t.predicate.value == VOID + "entities")
        for p in partitions
    }  # fmt: skip
    assert counts == {uris.CRM + "E22_Human-Made_Object": "2", uris.POP + "Edifice": "1"}


def test_the_load_stores_the_description_and_the_site_reads_it() -> None:
    store = store_with(*SMALL)
    written = void.load_into(store, "https://x.org")
    graph = ox.NamedNode("https://x.org/graph/void")
    assert len(list(store.quads_for_pattern(None, None, None, graph))) == written
    # loading again replaces the description, which it does not count (nor pile up blank nodes)
    assert void.load_into(store, "https://x.org") == written
    assert len(list(store.quads_for_pattern(None, None, None, graph))) == written
    calls: list[str] = []
    described = void.describe(runner(store, calls), "https://x.org")
    assert len(calls) == 1  # the stored graph, no partition scan
    assert {t for t in described} == {
        q.triple for q in store.quads_for_pattern(None, None, None, graph)
    }


def test_without_a_stored_description_it_is_computed() -> None:
    calls: list[str] = []
    described = void.describe(runner(store_with(*SMALL), calls), "https://x.org")
    assert len(calls) == 3  # the stored graph (empty), then the two partitions
    assert any(t.predicate.value == VOID + "classPartition" for t in described)


def test_the_cache_makes_once_per_key() -> None:
    cache = void.VoidCache(seconds=3600)
    made: list[int] = []

    def make() -> list[ox.Triple]:
        made.append(1)
        return []

    cache.get("store", make)
    cache.get("store", make)
    cache.get("other", make)
    assert len(made) == 2
    cache.seconds = -1  # stale at once
    cache.get("store", make)
    assert len(made) == 3
