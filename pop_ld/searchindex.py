"""Searching the side index: result sets, ranked pages at any depth, result lines.

Every search page is answered here, from ``{store}.index.sqlite`` (pop_ld/index.py), never by
a SPARQL scan. Sets of notices are bitmaps (pop_ld/bitsets.py): a facet value's set is read
once and cached, filters combine with ``&``/``|``, a total is a popcount. Text goes through
FTS5 (bm25, titles weighted ten times the rest), ranked once per text and cached. Facet counts
are in pop_ld/searchcounts.py, suggestions in pop_ld/searchsuggest.py.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pop_ld import bitsets
from pop_ld.index import DENSE
from pop_ld.searchcounts import FacetCounts, FacetList
from pop_ld.searchstate import Row, SearchState
from pop_ld.searchsyntax import parse

#: bm25 weights of the FTS5 columns: title, body.
BM25 = (10.0, 1.0)
_RANKED = f"SELECT rowid FROM fulltext WHERE fulltext MATCH ? ORDER BY bm25(fulltext, {BM25[0]}, {BM25[1]}), rowid"


class IndexMissing(Exception):
    """No side index beside the store: it is built by the load (or python -m pop_ld.index)."""


@dataclass(frozen=True, slots=True)
class Value:
    id: int
    facet: str
    key: str
    term: str
    label: str
    count: int


@dataclass(slots=True)
class Hit:
    rank: int
    id: int
    notice: str
    thing: str
    base: str
    ref: str
    title: str
    place: str | None
    dates: str | None
    image: str | None
    lat: float | None
    lon: float | None


@dataclass(slots=True)
class Resolved:
    """A state's result set: ranked ids (text) or a bitmap in id order (None: every notice)."""

    total: int
    bits: int | None = None
    ranked: Sequence[int] | None = None
    everything: bool = False


@dataclass(slots=True)
class Results:
    state: SearchState
    total: int
    offset: int
    hits: list[Hit]
    facets: list[FacetList] = field(default_factory=list)


class _Cache:
    """A small thread-safe LRU cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class SearchIndex(FacetCounts):
    """One index file, opened read-only; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise IndexMissing(f"no search index at {self.path}")
        stat = self.path.stat()
        self.identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        self._local = threading.local()
        meta = dict(self.db().execute("SELECT key, value FROM meta").fetchall())
        #: ids 0…size-1 (the bitmaps' width); ``total`` of them are notices, the others are
        #: tombstones an update left (pop_ld/indexupdate.py) until the next full build
        self.size = int(meta["notices"])
        self.total = int(meta.get("live", self.size))
        self.state = meta.get("state", "")
        self.base_uri = meta["base_uri"]
        self.built = meta["built"]
        self.dense = int(meta.get("dense", DENSE))
        self.values: dict[int, Value] = {}
        self.by_key: dict[tuple[str, str], Value] = {}
        for row in self.db().execute("SELECT id, facet, key, term, label, count FROM facet_values"):
            value = Value(*row)
            self.values[value.id] = value
            self.by_key[(value.facet, value.key)] = value
        self._arrays: dict[str, Any] = {}
        self._arrays_lock = threading.Lock()
        self._bits = _Cache(512)
        self._text = _Cache(32)

    # -- storage ---------------------------------------------------------------------------
    def db(self) -> sqlite3.Connection:
        """This thread's read-only connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            db.execute("PRAGMA mmap_size=1073741824")
            db.execute("PRAGMA cache_size=-65536")
            self._local.db = db
        return db

    def array(self, name: str, typecode: str) -> Any:
        """A packed array of the index (doc values, coordinates), read into memory once."""
        with self._arrays_lock:
            if name not in self._arrays:
                row = (
                    self.db().execute("SELECT data FROM arrays WHERE name = ?", (name,)).fetchone()
                )
                data = array(typecode)
                if row:
                    data.frombytes(row[0])
                self._arrays[name] = data
            return self._arrays[name]

    @property
    def everything(self) -> int:
        """Every notice: every id but the tombstones."""
        return self._bits.get("everything", self._everything)

    def _everything(self) -> int:
        if self.total == self.size:
            return bitsets.full(self.size)
        data = bytearray(bitsets.to_bytes(bitsets.full(self.size), self.size))
        for (i,) in self.db().execute("SELECT id FROM tombstones"):
            data[i >> 3] &= ~(1 << (i & 7)) & 0xFF
        return int.from_bytes(data, "little")

    # -- sets ------------------------------------------------------------------------------
    def value_bits(self, value_id: int) -> int:
        """The notices that have a facet value."""

        def make() -> int:
            row = (
                self.db()
                .execute("SELECT bits FROM bitmaps WHERE value_id = ?", (value_id,))
                .fetchone()
            )
            if row:
                return int.from_bytes(row[0], "little")
            ids = self.db().execute(
                "SELECT notice_id FROM postings WHERE value_id = ?", (value_id,)
            )
            return bitsets.from_ids((i for (i,) in ids), self.size)

        return self._bits.get(("value", value_id), make)

    def facet_bits(self, facet: str, keys: Sequence[str]) -> int:
        """The notices with any of these values of a facet (OR within a facet)."""
        bits = 0
        for key in keys:
            value = self.by_key.get((facet, key))
            if value is not None:
                bits |= self.value_bits(value.id)
        return bits

    def any_bits(self, facet: str) -> int:
        """The notices with some value of the facet."""
        return self._bits.get(
            ("any", facet),
            lambda: int.from_bytes(self.array(f"any:{facet}", "B").tobytes(), "little"),
        )

    def _ids_bits(self, key: Any, sql: str, args: Sequence[Any]) -> int:
        return self._bits.get(
            key, lambda: bitsets.from_ids((i for (i,) in self.db().execute(sql, args)), self.size)
        )

    def ranked(self, match: str) -> array:
        """Every notice the FTS5 expression matches, best first (cached per expression)."""

        def make() -> array:
            try:
                return array("I", (i for (i,) in self.db().execute(_RANKED, (match,))))
            except sqlite3.OperationalError:  # an expression FTS5 refuses matches nothing
                return array("I")

        return self._text.get(("ranked", match), make)

    def text_bits(self, match: str) -> int:
        return self._bits.get(
            ("text", match), lambda: bitsets.from_ids(self.ranked(match), self.size)
        )

    def span_bits(self, kind: str, first: int | None, last: int | None) -> int:
        """Notices with a date range of this kind overlapping [first, last] (years)."""
        low = -(10**9) if first is None else first
        high = 10**9 if last is None else last
        return self._ids_bits(
            ("span", kind, low, high),
            "SELECT DISTINCT notice_id FROM spans WHERE kind = ? AND begin_year <= ? AND end_year >= ?",
            (kind, high, low),
        )

    def row_bits(self, row: Row) -> int:
        """The notices an advanced row keeps (see pop_ld/searchfields.py for the meanings)."""
        from pop_ld.searchrows import row_bits

        return row_bits(self, row)

    def constraint_bits(self, state: SearchState, skip_facet: str | None = None) -> int | None:
        """AND of every filter but the text (None when there is none)."""
        bits: int | None = None

        def narrow(more: int) -> None:
            nonlocal bits
            bits = more if bits is None else bits & more

        for facet, keys in state.filters:
            if facet != skip_facet:
                narrow(self.facet_bits(facet, keys))
        if state.from_year is not None or state.to_year is not None:
            narrow(self.span_bits("creation", state.from_year, state.to_year))
        if state.rows:
            narrow(self.rows_bits(state.rows))
        return bits

    def rows_bits(self, rows: Sequence[Row]) -> int:
        """Advanced rows joined by ET and OU, ET binding tighter (as in POP)."""
        result = 0
        group: int | None = None
        for i, row in enumerate(rows):
            if i and row.join == "ou":
                result |= group if group is not None else 0
                group = None
            bits = self.row_bits(row)
            group = bits if group is None else group & bits
        return result | (group if group is not None else 0)

    # -- results ---------------------------------------------------------------------------
    def resolve(self, state: SearchState, skip_facet: str | None = None) -> Resolved:
        """The notices a state finds."""
        query = parse(state.q)
        constraint = self.constraint_bits(state, skip_facet)
        match = query.match()
        if match:
            ranked = self.ranked(match)
            if constraint is None:
                return Resolved(total=len(ranked), ranked=ranked)
            bits = self.text_bits(match) & constraint
            return Resolved(total=bits.bit_count(), bits=bits, ranked=ranked)
        exclusion = query.exclusion()
        if exclusion:
            base = self.everything if constraint is None else constraint
            bits = base & ~self.text_bits(exclusion)
            return Resolved(total=bits.bit_count(), bits=bits)
        if constraint is None:
            return Resolved(total=self.total, everything=True)
        return Resolved(total=constraint.bit_count(), bits=constraint)

    def count(self, state: SearchState) -> int:
        """How many notices a state finds (cached: the home page's themes ask on every visit)."""
        return self._text.get(("count", state.search_key()), lambda: self.resolve(state).total)

    def page_ids(self, resolved: Resolved, offset: int, limit: int) -> list[int]:
        """Ids ranked ``offset`` … ``offset + limit - 1`` (bm25 order with text, else default)."""
        if resolved.ranked is not None and resolved.bits is None:
            return list(resolved.ranked[offset : offset + limit])
        if resolved.ranked is not None:
            data = bitsets.to_bytes(resolved.bits or 0, self.size)
            found: list[int] = []
            seen = 0
            for i in resolved.ranked:
                if data[i >> 3] >> (i & 7) & 1:
                    if seen >= offset:
                        found.append(i)
                        if len(found) >= limit:
                            break
                    seen += 1
            return found
        if resolved.everything and self.total == self.size:
            return list(range(offset, min(offset + limit, self.size)))
        if resolved.everything:
            return bitsets.slice_ids(self.everything, self.size, offset, limit)
        return bitsets.slice_ids(resolved.bits or 0, self.size, offset, limit)

    def iter_ids(self, resolved: Resolved) -> Iterator[int]:
        """Every id of the result, in the page order (for the CSV export)."""
        if resolved.ranked is not None:
            data = None if resolved.bits is None else bitsets.to_bytes(resolved.bits, self.size)
            for i in resolved.ranked:
                if data is None or data[i >> 3] >> (i & 7) & 1:
                    yield i
        elif resolved.everything and self.total == self.size:
            yield from range(self.size)
        elif resolved.everything:
            yield from bitsets.iter_ids(bitsets.to_bytes(self.everything, self.size))
        else:
            yield from bitsets.iter_ids(bitsets.to_bytes(resolved.bits or 0, self.size))

    def hits(self, ids: Sequence[int], first_rank: int = 0) -> list[Hit]:
        """The result lines of these ids, in this order."""
        if not ids:
            return []
        rows = {
            row[0]: row
            for row in self.db().execute(
                "SELECT id, notice, thing, base, ref, title, place, dates, image, lat, lon FROM notices"
                " WHERE id IN (SELECT value FROM json_each(?))",
                ("[" + ",".join(map(str, ids)) + "]",),
            )
        }
        return [Hit(first_rank + n, *rows[i]) for n, i in enumerate(ids) if i in rows]

    def search(
        self,
        state: SearchState,
        offset: int,
        limit: int,
        *,
        with_facets: bool = True,
        facet_limits: tuple[int, int] | None = None,
    ) -> Results:
        """A page of results and, beside it, the facets (``facet_limits``: exact up to, sample)."""
        resolved = self.resolve(state)
        hits = self.hits(self.page_ids(resolved, offset, limit), offset)
        facets = self.facets(state, resolved, *(facet_limits or ())) if with_facets else []
        return Results(state, resolved.total, offset, hits, facets)

    def neighbours(self, state: SearchState, rank: int) -> tuple[str | None, str | None]:
        """The notices ranked just before and after ``rank`` in this search (their IRIs)."""
        start = max(0, rank - 1)
        ids = self.page_ids(self.resolve(state), start, rank - start + 2)
        notices = {h.rank: h.notice for h in self.hits(ids, start)}
        return notices.get(rank - 1), notices.get(rank + 1)


# -- one index per file, reopened when a load replaces it ------------------------------------
_OPEN: dict[Path, SearchIndex] = {}
_OPEN_LOCK = threading.Lock()


def open_index(path: str | Path) -> SearchIndex:
    """The index at ``path``, opened once per process and again when the file is replaced."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise IndexMissing(f"no search index at {path}") from None
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _OPEN_LOCK:
        index = _OPEN.get(path)
        if index is None or index.identity != identity:
            index = _OPEN[path] = SearchIndex(path)
        return index
