"""Updating the search side index after a load, for the notices it touched only.

A full build (pop_ld/index.py) costs about 2.3 ms of CPU per notice in the store; a load of a
few notices into a large store should cost what those notices cost. So the load hands over the
notice graphs it cleared or loaded, and the same named queries run restricted to them
(``named_graphs``: their ``GRAPH ?notice`` blocks see only those graphs, the default graph is
still the union, so shared labels are read). Their rows replace the old ones in a copy of the
index file, renamed over it when complete, as a build does.

Ids are the default order (base, title, REF) only as of the last full build: a reloaded notice
keeps its id, a new one is appended after the last, and a notice that is no longer in the store
becomes a *tombstone* (table ``tombstones``), in no set, count, page or map. Pages in the
default order show appended notices last until the next full build; text ranking (bm25) and
every count are the same as a full build's.

The update is refused (``None``: the caller builds in full) when the index is missing, of
another version, not of the store state the load started from (a load whose index update was
interrupted), or when the load touched more than ``MAX_SHARE`` of the store.
"""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import sys
import time
from array import array
from collections.abc import Collection
from pathlib import Path

import pyoxigraph as ox

from pop_ld import uris
from pop_ld.index import (
    DENSE,
    GRID_ZOOMS,
    VERSION,
    IndexReport,
    _Builder,
    index_path,
    store_state,
    unpack_words,
)
from pop_ld.indexschema import STAGE
from pop_ld.searchfacets import FACETS
from pop_ld.searchmap import mercator_y, tile_of

#: Above this share of the store's notices touched, a load rebuilds the index in full: the
#: update pays per notice about what a build does, plus a copy of the file and of the arrays.
MAX_SHARE = 0.2


def update_index(
    store_dir: str | Path, touched: Collection[str], since: str, *, progress: bool = False
) -> IndexReport | None:
    """Update the index of ``store_dir`` for these notice graphs; None when it must be rebuilt.

    ``since`` is the store's state (pop_ld/index.py ``store_state``) before the load: the index
    must be of that state to be updated.
    """
    target = index_path(store_dir)
    reason = _refusal(target, len(touched), since)
    if reason:
        print(f"search index: full build ({reason})", file=sys.stderr)
        return None
    start = time.perf_counter()
    report = IndexReport(path=str(target))
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    stage_file = target.with_name(f"{target.name}.stage-{os.getpid()}")
    stage_file.unlink(missing_ok=True)
    shutil.copyfile(target, tmp)
    store = ox.Store.read_only(str(store_dir))
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        db.execute("ATTACH DATABASE ? AS stage", (str(stage_file),))
        db.executescript("PRAGMA stage.journal_mode=OFF; PRAGMA stage.synchronous=OFF;")
        db.executescript(STAGE)
        db.execute("BEGIN")
        updater = _Updater(store, db, report, progress)
        updater.graphs = [ox.NamedNode(n) for n in sorted(touched)]
        updater.state = store_state(store_dir)
        updater.run()
        db.execute("COMMIT")
        db.execute("DETACH DATABASE stage")
        db.close()
        os.replace(tmp, target)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        stage_file.unlink(missing_ok=True)
        del store
    report.seconds = time.perf_counter() - start
    return report


def _refusal(target: Path, touched: int, since: str) -> str | None:
    """Why the index cannot be updated (None: it can)."""
    if not target.is_file():
        return "no index yet"
    try:
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return f"unreadable index: {exc}"
    if meta.get("version") != VERSION:
        return f"index version {meta.get('version')}, not {VERSION}"
    if not since or meta.get("state") != since:
        return "the index is not of the store the load started from"
    live = int(meta.get("live", meta["notices"]))
    if touched > MAX_SHARE * live:
        return f"{touched:,} notices touched, more than {MAX_SHARE:.0%} of {live:,}"
    return None


class _Updater(_Builder):
    """A build restricted to some notice graphs, applied to a copy of the index."""

    scoped = "notices.id IN (SELECT id FROM stage.scope)"

    #: the build's staging, then its own steps on the touched notices only
    STEPS = (
        *_Builder.STEPS[:6],
        ("removing", "remove_old"),
        ("numbering", "renumber"),
        ("full text", "fill_text"),
        ("facet tables", "update_facets"),
        ("map", "update_map"),
    )

    def run(self) -> None:
        self.run_steps()
        self.report.texts = self.db.execute("SELECT count(*) FROM stage.text").fetchone()[0]
        self.report.updated = len(self.graphs or ())
        self.write_meta(live=self.live)

    def remove_old(self) -> None:
        """Take the touched notices out of every table; remember what they held."""
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        self.old_size = int(meta["notices"])
        self.base_uri = meta["base_uri"]
        self.db.execute(
            "CREATE TEMP TABLE cleared AS SELECT id, notice, lat, lon FROM notices"
            " WHERE notice IN (SELECT notice FROM stage.touched)"
        )
        self.cleared = {i: n for i, n in self.db.execute("SELECT id, notice FROM cleared")}
        ids = "(SELECT id FROM cleared)"
        self.old_values = {
            v
            for (v,) in self.db.execute(
                f"SELECT DISTINCT value_id FROM postings WHERE notice_id IN {ids}"
            )
        }
        self.db.execute(f"DELETE FROM postings WHERE notice_id IN {ids}")
        self.db.execute(f"DELETE FROM spans WHERE notice_id IN {ids}")
        self.db.execute(f"DELETE FROM titles WHERE notice_id IN {ids}")
        self.db.execute(f"DELETE FROM geo WHERE id IN {ids}")
        for notice_id, words in self.db.execute(
            f"SELECT id, words FROM fulltext_docs WHERE id IN {ids}"
        ).fetchall():
            title, body = unpack_words(words)
            self.db.execute(
                "INSERT INTO fulltext(fulltext, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                (notice_id, title, body),
            )
        self.db.execute(f"DELETE FROM fulltext_docs WHERE id IN {ids}")
        self.cells = _Cells(self.db)
        for lat, lon in self.db.execute("SELECT lat, lon FROM cleared WHERE lat IS NOT NULL"):
            self.cells.add(lat, lon, -1)
        self.db.execute(f"DELETE FROM notices WHERE id IN {ids}")

    def renumber(self) -> None:
        """A reloaded notice keeps its id, a new one comes after the last, a gone one is a tombstone."""
        known = {n: i for i, n in self.cleared.items()}
        present = [
            n
            for (n,) in self.db.execute(
                """SELECT notice FROM (SELECT notice, base, ref, sort_key, MIN(lang)
                   FROM stage.notices GROUP BY notice)
                   ORDER BY base_rank(base), sort_key, ref, notice"""
            )
        ]
        next_id = self.old_size
        ids = []
        for notice in present:
            if notice in known:
                ids.append((known.pop(notice), notice))
            else:
                ids.append((next_id, notice))
                next_id += 1
        self.db.execute("CREATE TEMP TABLE ids(id INTEGER PRIMARY KEY, notice TEXT)")
        self.db.executemany("INSERT INTO temp.ids VALUES (?, ?)", ids)
        self.db.execute(
            """INSERT INTO notices(id, notice, thing, base, ref, title, sort_key)
            SELECT i.id, s.notice, s.thing, s.base, s.ref, s.title, s.sort_key
            FROM temp.ids i JOIN (SELECT notice, thing, base, ref, title, sort_key, MIN(lang)
                  FROM stage.notices GROUP BY notice) s ON s.notice = i.notice"""
        )
        self.db.execute("INSERT INTO stage.scope SELECT id FROM temp.ids")
        self.db.executemany("INSERT INTO tombstones VALUES (?)", ((i,) for i in known.values()))
        self.report.notices = next_id
        self.live = self.db.execute("SELECT count(*) FROM notices").fetchone()[0]
        self.fill_notice_columns()

    def update_facets(self) -> None:
        """New values, postings, counts, bitmaps and doc values of the touched notices."""
        for facet in FACETS:
            new: dict[str, tuple[str, str | None]] = {}
            for term, label in self.db.execute(
                """SELECT term, label FROM stage.facets WHERE facet = ? AND term NOT IN
                   (SELECT term FROM facet_values WHERE facet = ?)
                   ORDER BY term, label IS NULL, label""",
                (facet, facet),
            ):
                new.setdefault(term, (term, label))
            self.db.executemany(
                "INSERT INTO facet_values(facet, key, term, label, folded, words, count)"
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                [self.value_row(facet, t, label) for t, label in new.values()],
            )
        self.db.execute(
            """INSERT OR IGNORE INTO postings
               SELECT v.id, n.id FROM stage.facets f
               JOIN facet_values v ON v.facet = f.facet AND v.term = f.term
               JOIN notices n ON n.notice = f.notice"""
        )
        scope = "(SELECT id FROM stage.scope)"
        added: dict[int, list[int]] = {}
        for value_id, notice_id in self.db.execute(
            f"SELECT value_id, notice_id FROM postings WHERE notice_id IN {scope}"
        ):
            added.setdefault(value_id, []).append(notice_id)
        affected = self.old_values | set(added)
        self.db.execute("CREATE TEMP TABLE affected(id INTEGER PRIMARY KEY)")
        self.db.executemany("INSERT INTO temp.affected VALUES (?)", ((v,) for v in affected))
        self.db.execute(
            """UPDATE facet_values SET count = (SELECT count(*) FROM postings
               WHERE value_id = facet_values.id) WHERE id IN (SELECT id FROM temp.affected)"""
        )
        self.db.execute("DELETE FROM facet_values WHERE count = 0")
        cleared = sorted(self.cleared)
        n = self.report.notices
        for value_id, count in self.db.execute(
            "SELECT id, count FROM facet_values WHERE id IN (SELECT id FROM temp.affected)"
        ).fetchall():
            row = self.db.execute(
                "SELECT bits FROM bitmaps WHERE value_id = ?", (value_id,)
            ).fetchone()
            if count < DENSE:
                if row:
                    self.db.execute("DELETE FROM bitmaps WHERE value_id = ?", (value_id,))
                continue
            if row:
                data = _patched(row[0], n, cleared, added.get(value_id, ()))
            else:
                data = _patched(b"", n, (), self._notices_of(value_id))
            self.db.execute("INSERT OR REPLACE INTO bitmaps VALUES (?, ?)", (value_id, data))
        self.db.execute("DELETE FROM bitmaps WHERE value_id NOT IN (SELECT id FROM facet_values)")
        for facet in FACETS:
            having = [
                i
                for (i,) in self.db.execute(
                    f"""SELECT DISTINCT p.notice_id FROM postings p JOIN facet_values v
                       ON v.id = p.value_id WHERE v.facet = ? AND p.notice_id IN {scope}""",
                    (facet,),
                )
            ]
            name = f"any:{facet}"
            (old,) = self.db.execute("SELECT data FROM arrays WHERE name = ?", (name,)).fetchone()
            self.db.execute(
                "UPDATE arrays SET data = ? WHERE name = ?",
                (_patched(old, n, cleared, having), name),
            )
        self.update_doc_values()

    def _notices_of(self, value_id: int) -> list[int]:
        return [
            i
            for (i,) in self.db.execute(
                "SELECT notice_id FROM postings WHERE value_id = ?", (value_id,)
            )
        ]

    def update_doc_values(self) -> None:
        """Splice the touched notices' listed values into the packed doc values."""
        offsets, values = self._array("doc_offsets", "I"), self._array("doc_values", "I")
        visible = [f for f, spec in FACETS.items() if not spec.hidden]
        changed: dict[int, list[int]] = {i: [] for i in self.cleared}
        for value_id, notice_id in self.db.execute(
            f"""SELECT p.value_id, p.notice_id FROM postings p JOIN facet_values v
               ON v.id = p.value_id WHERE v.facet IN ({", ".join("?" * len(visible))})
               AND p.notice_id IN (SELECT id FROM stage.scope)
               ORDER BY p.notice_id, p.value_id""",
            visible,
        ):
            changed.setdefault(notice_id, []).append(value_id)
        n = self.report.notices
        old_n = len(offsets) - 1
        new_offsets, new_values = array("I", [0]), array("I")
        done = 0  # ids below this are in the new arrays
        for notice_id in [*sorted(changed), n]:
            stop = min(notice_id, old_n)
            if stop > done:  # unchanged ids done … stop - 1: copied, their offsets shifted
                shift = len(new_values) - offsets[done]
                new_values.extend(values[offsets[done] : offsets[stop]])
                new_offsets.extend(o + shift for o in offsets[done + 1 : stop + 1])
                done = stop
            if notice_id > done:  # new ids without a listed value
                new_offsets.extend([len(new_values)] * (notice_id - done))
            if notice_id < n:
                new_values.extend(changed[notice_id])
                new_offsets.append(len(new_values))
            done = notice_id + 1
        self._put("doc_offsets", new_offsets)
        self._put("doc_values", new_values)

    def update_map(self) -> None:
        """Points of the touched notices: R-tree, coordinate arrays, grid counts."""
        self.fill_points()
        n = self.report.notices
        lats, lons, mercs = (self._array(name, "d") for name in ("lat", "lon", "merc"))
        for column in (lats, lons, mercs):
            column.extend([math.nan] * (n - len(column)))
            for i in self.cleared:
                column[i] = math.nan
        for notice_id, lat, lon in self.db.execute(
            "SELECT id, lat, lon FROM notices WHERE lat IS NOT NULL"
            " AND id IN (SELECT id FROM stage.scope)"
        ):
            lats[notice_id], lons[notice_id] = lat, lon
            mercs[notice_id] = mercator_y(lat)
            self.cells.add(lat, lon, 1)
        self.cells.write()
        for name, column in (("lat", lats), ("lon", lons), ("merc", mercs)):
            self._put(name, column)
        self.report.geolocated = self.db.execute("SELECT count(*) FROM geo").fetchone()[0]

    def _array(self, name: str, typecode: str) -> array:
        data = array(typecode)
        data.frombytes(
            self.db.execute("SELECT data FROM arrays WHERE name = ?", (name,)).fetchone()[0]
        )
        return data

    def _put(self, name: str, data: array) -> None:
        self.db.execute("UPDATE arrays SET data = ? WHERE name = ?", (data.tobytes(), name))

    def stage_notices(self) -> None:
        """The touched graphs go into ``stage.touched`` first: gone ones have no row."""
        self.db.execute("CREATE TABLE stage.touched(notice TEXT PRIMARY KEY)")
        self.db.executemany(
            "INSERT OR IGNORE INTO stage.touched VALUES (?)",
            ((g.value,) for g in self.graphs or ()),
        )
        order = {name: i for i, name in enumerate(uris.bases())}
        self.db.create_function(
            "base_rank", 1, lambda b: order.get(b, len(order)), deterministic=True
        )
        super().stage_notices()


class _Cells:
    """The grid counts of the cells some points leave or join: count and mean lat, lon."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.cells: dict[tuple[int, int, int], list[float]] = {}

    def add(self, lat: float, lon: float, sign: int) -> None:
        merc = mercator_y(lat)
        for zoom in GRID_ZOOMS:
            x, y = tile_of(lon, merc, zoom)
            cell = self.cells.get((zoom, x, y))
            if cell is None:
                row = self.db.execute(
                    "SELECT count, lat, lon FROM geo_cells WHERE zoom = ? AND x = ? AND y = ?",
                    (zoom, x, y),
                ).fetchone()
                count, mean_lat, mean_lon = row or (0, 0.0, 0.0)
                cell = self.cells[(zoom, x, y)] = [count, mean_lat * count, mean_lon * count]
            cell[0] += sign
            cell[1] += sign * lat
            cell[2] += sign * lon

    def write(self) -> None:
        for (zoom, x, y), (count, lats, lons) in self.cells.items():
            if count <= 0:
                self.db.execute(
                    "DELETE FROM geo_cells WHERE zoom = ? AND x = ? AND y = ?", (zoom, x, y)
                )
            else:
                self.db.execute(
                    "INSERT OR REPLACE INTO geo_cells VALUES (?, ?, ?, ?, ?, ?)",
                    (zoom, x, y, count, lats / count, lons / count),
                )


def _patched(data: bytes, size: int, clear: Collection[int], add: Collection[int]) -> bytes:
    """A bitmap of ``size`` bits: ``data`` (maybe shorter) with bits cleared, then set."""
    bits = bytearray(data[: (size + 7) // 8])
    bits.extend(bytes((size + 7) // 8 - len(bits)))
    for i in clear:
        bits[i >> 3] &= ~(1 << (i & 7)) & 0xFF
    for i in add:
        bits[i >> 3] |= 1 << (i & 7)
    return bytes(bits)
