"""The index a load updates answers as a full build of the same store does (pop_ld/indexupdate.py).

One store is loaded from the demo sample minus six notices (a full build), then a load adds
those six and changes two others (an update), then one notice is taken out of the store (an
update leaving a tombstone). Its index is compared with a full build of the same store: totals,
every facet value's count and notices, facet listings, text search and bm25 scores, dates, the
map's points and grid, pages. Only the default order of appended notices may differ.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from demo_data import SAMPLE

from pop_ld import index, indexupdate, uris
from pop_ld.index import STATE_FILE, build_index, index_path, store_state
from pop_ld.indexupdate import update_index
from pop_ld.load import load_files
from pop_ld.search_sparql import compile_facet
from pop_ld.searchfacets import FACETS
from pop_ld.searchindex import SearchIndex
from pop_ld.searchmap import BBox, features
from pop_ld.searchstate import SearchState

#: Small enough that the demo's common values (base, image…) keep ready bitmaps to patch.
DENSE = 6
NEW = {"merimee": 3, "palissy": 3}
STATES = [
    "",
    "q=eglise",
    "q=cathedrale&f.base=merimee",
    "f.base=palissy",
    "f.century=13",
    "f.region=11&from_year=1100&to_year=1300",
    "q=-eglise&f.image=true",
    "af0=merimee.DENO&ao0=is&av0=eglise",
]
WORDS = ["eglise", "cathedrale", "cloche", "notre", "dame", "paris", "peinture"]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The updated store and index, a full build of it, and what changed."""
    tmp = tmp_path_factory.mktemp("update")
    first, later, changed = _split_sample(tmp)
    store_dir = tmp / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "DENSE", DENSE)
        patch.setattr(indexupdate, "DENSE", DENSE)
        load_files(first, store_dir)
        since = store_state(store_dir)
        load_files([later], store_dir)
        updated_meta = _meta(index_path(store_dir))
        # a notice gone from the store (as when its reloaded row is rejected): a tombstone
        gone = uris.notice("merimee", changed["gone"])
        store = ox.Store(str(store_dir))
        store.remove_graph(ox.NamedNode(gone))
        store.flush()
        del store
        before = store_state(store_dir)
        (store_dir / STATE_FILE).write_text(uuid.uuid4().hex, encoding="utf-8")
        report = update_index(store_dir, {gone}, before)
        full_path = tmp / "full.index.sqlite"
        build_index(store_dir, full_path)
    yield {
        "store": ox.Store.read_only(str(store_dir)),
        "updated": SearchIndex(index_path(store_dir)),
        "full": SearchIndex(full_path),
        "since": since,
        "updated_meta": updated_meta,
        "report": report,
        "gone": gone,
        "touched": {uris.notice(b, r) for b, r in changed["touched"]},
        "new": {uris.notice(b, r) for b, r in changed["new"]},
    }


def _split_sample(tmp: Path) -> tuple[list[str], Path, dict[str, Any]]:
    """The sample without a few notices, and a file adding them and changing two others."""
    first: list[str] = []
    later: list[dict] = []
    new: list[tuple[str, str]] = []
    touched: list[tuple[str, str]] = []
    for path in map(Path, SAMPLE):
        notices = json.loads(path.read_text(encoding="utf-8"))
        held = NEW.get(path.stem, 0)
        kept = notices[: len(notices) - held] if held else notices
        later += notices[len(kept) :]
        new += [(path.stem, n["REF"]) for n in notices[len(kept) :]]
        if path.stem == "merimee":
            cathedral = dict(kept[0], TICO="Cathédrale reconstruite", DENO=["église"])
            cathedral.pop("POP_COORDONNEES", None)
            later.append(cathedral)
            touched.append((path.stem, cathedral["REF"]))
            gone = kept[1]["REF"]
        if path.stem == "palissy":
            bell = dict(kept[0], SCLE=["13e siècle"], POP_COORDONNEES={"lat": 43.6, "lon": 1.44})
            later.append(bell)
            touched.append((path.stem, bell["REF"]))
        out = tmp / path.name
        out.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        first.append(str(out))
    later_path = tmp / "later" / "merimee-palissy.json"
    later_path.parent.mkdir()
    # one file of two bases: the REFs tell them apart
    later_path.write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    return first, later_path, {"new": new, "touched": touched + new, "gone": gone}


def _meta(path: Path) -> dict[str, str]:
    return dict(SearchIndex(path).db().execute("SELECT key, value FROM meta"))


def notices_of(idx: SearchIndex, ids: Any) -> list[str]:
    rows = dict(idx.db().execute("SELECT id, notice FROM notices"))
    return [rows[i] for i in ids]


def test_the_load_updated_the_index_rather_than_rebuild_it(stores: dict[str, Any]) -> None:
    meta = stores["updated_meta"]
    assert meta["state"] != stores["since"]
    # 6 notices appended after the 169 - 6 of the first load; the changed two kept their ids
    assert (meta["notices"], meta["live"]) == ("169", "169")
    assert stores["report"].updated == 1
    updated = stores["updated"]
    assert (updated.size, updated.total) == (169, 168)
    assert updated.state == store_state(updated.path.with_name("store"))
    tombstones = updated.db().execute("SELECT count(*) FROM tombstones").fetchone()[0]
    assert tombstones == 1


def test_totals_and_notices_equal_a_full_build(stores: dict[str, Any]) -> None:
    updated, full = stores["updated"], stores["full"]
    assert updated.total == full.total == full.size == 168
    for text in STATES:
        state = SearchState.from_query_string(text)
        got, want = updated.resolve(state), full.resolve(state)
        assert got.total == want.total, text
        got_notices = notices_of(updated, updated.iter_ids(got))
        want_notices = notices_of(full, full.iter_ids(want))
        assert sorted(got_notices) == sorted(want_notices), text
        assert stores["gone"] not in got_notices


def test_default_order_differs_only_for_touched_notices(stores: dict[str, Any]) -> None:
    updated, full = stores["updated"], stores["full"]
    moved = stores["touched"]
    for text in ("", "f.base=palissy", "f.image=true"):
        state = SearchState.from_query_string(text)
        got = notices_of(updated, updated.iter_ids(updated.resolve(state)))
        want = notices_of(full, full.iter_ids(full.resolve(state)))
        assert [n for n in got if n not in moved] == [n for n in want if n not in moved]
        # appended notices come last, in the default order among themselves
        tail = [n for n in got if n in stores["new"]]
        assert got[len(got) - len(tail) :] == tail
        page = updated.search(state, 0, 20, with_facets=False).hits
        assert [h.notice for h in page] == got[:20]


def test_every_facet_value_has_the_counts_and_notices_of_a_full_build(
    stores: dict[str, Any],
) -> None:
    updated, full = stores["updated"], stores["full"]

    def values(idx: SearchIndex) -> dict[tuple[str, str], tuple[str, int, list[str]]]:
        return {
            (v.facet, v.key): (
                v.label,
                v.count,
                sorted(notices_of(idx, _ids(idx.value_bits(v.id)))),
            )
            for v in idx.values.values()
        }

    assert values(updated) == values(full)
    for facet in FACETS:
        assert sorted(notices_of(updated, _ids(updated.any_bits(facet)))) == sorted(
            notices_of(full, _ids(full.any_bits(facet)))
        ), facet
    dense = updated.db().execute("SELECT count(*) FROM bitmaps").fetchone()[0]
    assert dense == full.db().execute("SELECT count(*) FROM bitmaps").fetchone()[0] > 0


@pytest.mark.parametrize("facet", list(FACETS))
def test_updated_counts_equal_the_facet_query(facet: str, stores: dict[str, Any]) -> None:
    updated, store = stores["updated"], stores["store"]
    query = compile_facet(SearchState(), facet, updated.base_uri)
    expected = {
        FACETS[facet].key(r["value"], updated.base_uri): int(r["count"].value)
        for r in store.query(query, use_default_graph_as_union=True)
    }
    stored = dict(
        updated.db().execute("SELECT key, count FROM facet_values WHERE facet = ?", (facet,))
    )
    assert stored == expected


def test_facet_listings_beside_searches_equal_a_full_build(stores: dict[str, Any]) -> None:
    updated, full = stores["updated"], stores["full"]
    for text in STATES:
        state = SearchState.from_query_string(text)
        got = updated.facets(state, updated.resolve(state))
        assert _listings(got) == _listings(full.facets(state, full.resolve(state))), text
        # past the exact limit a sample (taken in id order) picks the values: each is still
        # counted exactly
        resolved = updated.resolve(state)
        bits = updated.result_bits(state, resolved)
        for listing in updated.facets(state, resolved, 5, 3):
            if state.selected(listing.facet.name):
                continue
            for v in listing.values:
                value = updated.by_key[(listing.facet.name, v.key)]
                assert v.count == (bits & updated.value_bits(value.id)).bit_count(), text
        doc_values = Counter(
            (updated.values[v].facet, updated.values[v].key)
            for v in updated.count_values(list(updated.iter_ids(updated.resolve(state)))).elements()
        )
        want_values = Counter(
            (full.values[v].facet, full.values[v].key)
            for v in full.count_values(list(full.iter_ids(full.resolve(state)))).elements()
        )
        assert doc_values == want_values, text


def test_text_search_scores_equal_a_full_build(stores: dict[str, Any]) -> None:
    updated, full = stores["updated"], stores["full"]
    sql = "SELECT rowid, bm25(fulltext, 10, 1) FROM fulltext WHERE fulltext MATCH ?"

    def scores(idx: SearchIndex, word: str) -> list[tuple[str, float]]:
        rows = idx.db().execute(sql, (word,)).fetchall()
        names = notices_of(idx, [i for i, _ in rows])
        return sorted((n, round(s, 9)) for n, (_, s) in zip(names, rows, strict=True))

    for word in WORDS:
        assert scores(updated, word) == scores(full, word), word
    renamed = uris.notice("merimee", "PA00086250")  # found by its new title
    assert renamed in [n for n, _ in scores(updated, "reconstruite")]


def test_result_lines_and_dates_equal_a_full_build(stores: dict[str, Any]) -> None:
    columns = "notice, thing, base, ref, title, sort_key, place, dates, begin_year, end_year, lat, lon, image"

    def lines(idx: SearchIndex) -> list[tuple]:
        return sorted(idx.db().execute(f"SELECT {columns} FROM notices"))

    def spans(idx: SearchIndex) -> list[tuple]:
        return sorted(
            idx.db().execute(
                "SELECT n.notice, s.kind, s.begin_year, s.end_year FROM spans s"
                " JOIN notices n ON n.id = s.notice_id"
            )
        )

    def titles(idx: SearchIndex) -> list[tuple]:
        return sorted(
            idx.db().execute(
                "SELECT n.notice, t.folded FROM titles t JOIN notices n ON n.id = t.notice_id"
            )
        )

    updated, full = stores["updated"], stores["full"]
    assert lines(updated) == lines(full)
    assert spans(updated) == spans(full)
    assert titles(updated) == titles(full)


def test_map_equals_a_full_build(stores: dict[str, Any]) -> None:
    updated, full = stores["updated"], stores["full"]

    def cells(idx: SearchIndex) -> dict[tuple[int, int, int], tuple[int, float, float]]:
        return {
            (z, x, y): (c, pytest.approx(lat), pytest.approx(lon))
            for z, x, y, c, lat, lon in idx.db().execute("SELECT * FROM geo_cells")
        }

    assert cells(updated) == cells(full)
    world = BBox(-180, -85, 180, 85)
    for text in ("", "f.base=palissy", "q=eglise"):
        state = SearchState.from_query_string(text)
        for zoom in (3, 12):
            got, want = features(updated, state, world, zoom), features(full, state, world, zoom)
            key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
            assert sorted(map(key, got["features"])) == sorted(map(key, want["features"]))
            assert got["total"] == want["total"]
    for idx in (updated, full):  # the packed coordinates are the notices' (NaN when none)
        lats, lons = idx.array("lat", "d"), idx.array("lon", "d")
        assert len(lats) == len(lons) == idx.size
        placed = {
            i: (lat, lon) for i, lat, lon in idx.db().execute("SELECT id, lat, lon FROM notices")
        }
        assert {i: (lats[i], lons[i]) for i in range(idx.size) if lats[i] == lats[i]} == {
            i: p for i, p in placed.items() if p[0] is not None
        }


def _ids(bits: int) -> list[int]:
    return [i for i in range(bits.bit_length()) if bits >> i & 1]


def _listings(lists: list) -> list[tuple]:
    return [
        (fl.facet.name, fl.more, [(v.key, v.label, v.count, v.selected) for v in fl.values])
        for fl in lists
    ]


# -- when the index is built in full instead ---------------------------------------------------
def _notice_file(tmp_path: Path, name: str, notices: list[dict]) -> list[str]:
    path = tmp_path / name
    path.write_text(json.dumps(notices, ensure_ascii=False), encoding="utf-8")
    return [str(path)]


def _load(files: list[str], store_dir: Path, capsys: pytest.CaptureFixture, **options: Any) -> str:
    load_files(files, store_dir, **options)
    return capsys.readouterr().err


def test_falls_back_to_a_full_build_when_the_index_cannot_be_updated(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    store_dir = tmp_path / "store"
    ten = [{"REF": f"PA0000000{i}", "TICO": f"Église {i}"} for i in range(10)]
    err = _load(_notice_file(tmp_path, "a.json", ten), store_dir, capsys)
    assert "20 notices" not in err and "10 notices, " in err  # no index yet: a full build
    one = [{"REF": "PA00000001", "TICO": "Chapelle"}]
    err = _load(_notice_file(tmp_path, "b.json", one), store_dir, capsys)
    assert "updated for 1 notices" in err
    # a load that did not update the index (as one interrupted after the swap): rebuilt next
    err = _load(_notice_file(tmp_path, "c.json", one), store_dir, capsys, index=False)
    err = _load(_notice_file(tmp_path, "d.json", one), store_dir, capsys)
    assert "not of the store the load started from" in err
    assert "10 notices, " in err
    # more than MAX_SHARE of the store
    three = [{"REF": f"PA0000000{i}", "TICO": "Croix"} for i in range(3)]
    err = _load(_notice_file(tmp_path, "e.json", three), store_dir, capsys)
    assert "3 notices touched, more than 20% of 10" in err
    # asked for
    err = _load(_notice_file(tmp_path, "f.json", one), store_dir, capsys, full_index=True)
    assert "updated for" not in err and "10 notices, " in err
    # an index of another schema version
    db_path = index_path(store_dir)
    db = sqlite3.connect(db_path)
    db.execute("UPDATE meta SET value = '1' WHERE key = 'version'")
    db.commit()
    db.close()
    err = _load(_notice_file(tmp_path, "g.json", one), store_dir, capsys)
    assert "index version 1, not" in err
    assert SearchIndex(db_path).resolve(SearchState.from_query_string("q=chapelle")).total == 1
