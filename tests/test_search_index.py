"""The side index against the store: same facet counts as each facet's SPARQL, same notices as
the SPARQL a search compiles to, paging at any depth, the map, atomic rebuilds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from pop_ld import searchcounts, searchmap
from pop_ld.index import build_index
from pop_ld.search_sparql import compile_facet, compile_state
from pop_ld.searchfacets import FACETS
from pop_ld.searchindex import SearchIndex, open_index
from pop_ld.searchmap import BBox, features
from pop_ld.searchstate import SearchState

pytest_plugins = ["fixtures_http", "fixtures_demo", "fixtures_search"]

VISIBLE = [name for name, facet in FACETS.items() if not facet.hidden]


def sparql_counts(store: ox.Store, query: str, facet: str, base_uri: str) -> dict[str, int]:
    rows = store.query(query, use_default_graph_as_union=True)
    return {FACETS[facet].key(r["value"], base_uri): int(r["count"].value) for r in rows}


def found(index: SearchIndex, text: str) -> list[str]:
    """The REFs a search finds, in the page's order."""
    resolved = index.resolve(SearchState.from_query_string(text))
    return [h.ref for h in index.hits(list(index.iter_ids(resolved)))]


@pytest.mark.parametrize("facet", list(FACETS))
def test_facet_counts_equal_the_facet_query(
    facet: str, search_index: SearchIndex, demo_store: ox.Store
) -> None:
    expected = sparql_counts(
        demo_store,
        compile_facet(SearchState(), facet, search_index.base_uri),
        facet,
        search_index.base_uri,
    )
    stored = dict(
        search_index.db().execute("SELECT key, count FROM facet_values WHERE facet = ?", (facet,))
    )
    assert stored == expected


def test_base_counts_are_the_notices_per_base(
    search_index: SearchIndex, demo_store: ox.Store
) -> None:
    rows = demo_store.query(
        "PREFIX pop: <https://w3id.org/pop-ld/ontology#> SELECT ?base (COUNT(?n) AS ?c)"
        " WHERE { GRAPH ?n { ?n a pop:Notice ; pop:base ?base } } GROUP BY ?base",
        use_default_graph_as_union=True,
    )
    per_base = {r["base"].value.rsplit("/", 1)[-1]: int(r["c"].value) for r in rows}
    listed = {
        v.key: v.count
        for v in search_index.facets(SearchState(), search_index.resolve(SearchState()))[0].values
    }
    assert listed == per_base
    assert search_index.size == sum(per_base.values())


@pytest.mark.parametrize(
    "text",
    [
        "f.base=merimee",
        "q=cathedrale",
        "q=cathedrale&f.base=merimee&f.base=palissy&f.century=13",
        "f.region=11&from_year=1100&to_year=1300",
        "q=-eglise&f.image=true",
    ],
)
def test_facet_counts_beside_a_search_equal_sparql(
    text: str, search_index: SearchIndex, demo_store: ox.Store
) -> None:
    state = SearchState.from_query_string(text)
    shown = search_index.facets(state, search_index.resolve(state))
    assert [f.facet.name for f in shown] == VISIBLE
    for listing in shown:
        expected = sparql_counts(
            demo_store,
            compile_facet(state, listing.facet.name, search_index.base_uri),
            listing.facet.name,
            search_index.base_uri,
        )
        assert {v.key: v.count for v in listing.values if v.count} == {
            v.key: expected[v.key] for v in listing.values if v.key in expected
        }, listing.facet.name
        # the values shown are the most used ones (ties aside)
        if listing.facet.order == "count" and not state.selected(listing.facet.name):
            counts = sorted(expected.values(), reverse=True)[: len(listing.values)]
            assert [v.count for v in listing.values] == counts, listing.facet.name


@pytest.mark.parametrize("text", ["f.base=merimee&f.base=palissy", "q=-eglise"])
def test_facets_of_large_results_are_still_exact(
    text: str, search_index: SearchIndex, demo_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # past FACET_EXACT results, a sample chooses the values and each is then counted exactly
    monkeypatch.setattr(searchcounts, "FACET_EXACT", 5)
    monkeypatch.setattr(searchcounts, "FACET_SAMPLE", 10)
    state = SearchState.from_query_string(text)
    for listing in search_index.facets(state, search_index.resolve(state)):
        query = compile_facet(state, listing.facet.name, search_index.base_uri)
        expected = sparql_counts(demo_store, query, listing.facet.name, search_index.base_uri)
        assert {v.key: v.count for v in listing.values} == {
            v.key: expected[v.key] for v in listing.values
        }, listing.facet.name


SEARCHES = [
    "q=eglise+romane",
    "q=%C3%89GLISES+Romanes",
    'q="notre-dame"+-paris',
    "q=-eglise",
    "f.base=palissy&f.base=merimee&f.region=11",
    "f.type=denomination-architecture/cathedrale&f.century=13",
    "from_year=1150&to_year=1200",
    "f.period=13e+si%C3%A8cle",
    "f.geolocated=false&f.domain=domaines-memoire/architecture",
    "af0=type&ao0=is&av0=cathedrale",
    "af0=type&ao0=starts&av0=cath&aj1=ou&af1=author&ao1=contains&av1=viollet",
    "af0=place&ao0=within&av0=departement/75&aj1=et&af1=date&ao1=before&av1=1300",
    "af0=title&ao0=contains&av0=notre+dame&aj1=et&af1=ref&ao1=starts&av1=PA",
    "af0=protection_date&ao0=after&av0=1900",
    "af0=author&ao0=missing&f.base=merimee",
    "af0=type&ao0=is_not&av0=tableau&f.base=joconde",
    "af0=text&ao0=is_not&av0=eglise&aj1=et&af1=protection&ao1=exists",
    "af0=title&ao0=is&av0=cathedrale+notre-dame",
    "af0=date&ao0=before&av0=notayear",
]


@pytest.mark.parametrize("text", SEARCHES)
def test_the_sparql_shown_finds_what_the_index_finds(
    text: str, search_index: SearchIndex, demo_store: ox.Store
) -> None:
    state = SearchState.from_query_string(text)
    resolved = search_index.resolve(state)
    mine = {h.notice for h in search_index.hits(list(search_index.iter_ids(resolved)))}
    query = compile_state(state, search_index.base_uri)
    theirs = {r["notice"].value for r in demo_store.query(query, use_default_graph_as_union=True)}
    assert mine == theirs
    assert resolved.total == len(mine)


def test_french_aware_search(search_index: SearchIndex) -> None:
    expected = ["PA12990001", "PA13990001"]  # Église abbatiale Sainte-Foy, Église Saint-Trophime
    assert found(search_index, "q=eglise+romane")[:2] == expected
    assert found(search_index, "q=%C3%89GLISE+ROMANE")[:2] == expected
    assert found(search_index, "q=eglises+romanes")[:2] == expected


def test_facets_or_within_and_across(search_index: SearchIndex) -> None:
    cathedrals = ["PA00086250", "PA28990001", "PA51990001", "PA67990001", "PA80990001",
                  "PA63990001", "PA81990001"]  # fmt: skip
    assert found(search_index, "f.type=denomination-architecture/cathedrale") == cathedrals
    assert found(
        search_index,
        "f.type=denomination-architecture/cathedrale&f.type=denomination-architecture/chapelle",
    ) == [*cathedrals, "PA51990002", "PA00086001"]
    # Grand Est (44): Reims and Strasbourg
    assert found(search_index, "f.type=denomination-architecture/cathedrale&f.region=44") == [
        "PA51990001",
        "PA67990001",
    ]


def test_syntax_required_excluded(search_index: SearchIndex) -> None:
    assert found(search_index, "q=orgue+-versailles") == ["PM81990001", "PM75990002"]
    assert set(found(search_index, "q=orgue")) == {"PM81990001", "PM75990002", "PM78990001"}


def test_paging_at_any_depth(search_index: SearchIndex) -> None:
    state = SearchState()
    everything = list(search_index.iter_ids(search_index.resolve(state)))
    assert everything == list(range(search_index.size))
    resolved = search_index.resolve(SearchState.from_query_string("q=-eglise"))
    ids = list(search_index.iter_ids(resolved))
    pages = [search_index.page_ids(resolved, offset, 7) for offset in range(0, len(ids) + 7, 7)]
    assert [i for page in pages for i in page] == ids
    assert pages[-1] == []
    ranked = search_index.resolve(
        SearchState.from_query_string("q=cathedrale&f.base=palissy&f.base=memoire")
    )
    ranked_ids = list(search_index.iter_ids(ranked))
    assert search_index.page_ids(ranked, 5, 5) == ranked_ids[5:10]


def test_neighbours(search_index: SearchIndex) -> None:
    state = SearchState.from_query_string("f.type=denomination-architecture/cathedrale")
    first, second = search_index.neighbours(state, 0)
    assert first is None
    assert second is not None and second.endswith("/notice/merimee/PA28990001")
    before, after = search_index.neighbours(state, 6)
    assert before is not None and before.endswith("/notice/merimee/PA63990001")
    assert after is None


def test_map_points_and_cells(search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    paris = BBox.parse("2.2,48.8,2.45,48.9")
    assert paris is not None
    points = features(search_index, SearchState.from_query_string("f.base=merimee"), paris, 12)
    assert sorted(f["properties"]["ref"] for f in points["features"]) == [
        "EA75990001", "PA00086001", "PA00086250",
    ]  # fmt: skip
    assert points["total"] == 3
    france = BBox.parse("-5.5,41,10,51.5")
    assert france is not None
    monkeypatch.setattr(searchmap, "MAP_POINTS", 5)
    for text in ("", "f.base=merimee"):
        cells = features(search_index, SearchState.from_query_string(text), france, 3)
        assert all(f["properties"]["cluster"] for f in cells["features"])
        assert sum(f["properties"]["count"] for f in cells["features"]) == cells["total"]
    geolocated = search_index.facet_list(FACETS["geolocated"], SearchState()).values
    located = next(v.count for v in geolocated if v.key == "true")
    everything = features(search_index, SearchState(), BBox(-180, -90, 180, 90), 0)
    assert everything["total"] == located


def test_rebuild_is_atomic_and_reopened(demo_store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.index.sqlite"
    report = build_index(demo_store_dir, target)
    first = open_index(target)
    assert report.notices == first.size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.index.sqlite"]
    build_index(demo_store_dir, target)
    second = open_index(target)
    assert second is not first
    assert second.size == first.size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.index.sqlite"]
