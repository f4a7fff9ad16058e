"""The search side index: built from the store after every load, read by every search page.

Live SPARQL cannot serve a results page over millions of notices (a facet GROUP BY took 5.8 s
over 1M notices, a text CONTAINS 14.7 s), so the store's answers to the named queries
``sparql/search_*.rq`` and ``sparql/facets/*.rq`` are copied into one SQLite file beside the
store, ``{store}.index.sqlite``: the store stays the source of truth, the index is rebuilt from
it and can be thrown away. SQLite because it is in the standard library and needs no server:
FTS5 gives full text with bm25 ranking, the R-tree module the map, plain tables the facets.

The file is written under a temporary name and renamed over the old one, so a reader sees
the old index or the new one, never half of one. The schema is in pop_ld/indexschema.py.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import sys
import time
import zlib
from array import array
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from pop_ld import ROOT, queries, uris
from pop_ld.indexschema import SCHEMA, STAGE
from pop_ld.searchfacets import FACETS, TEXT_FACETS
from pop_ld.searchmap import mercator_y, tile_of
from pop_ld.searchtext import SEPARATOR, fold, index_text, words

SUFFIX = ".index.sqlite"
#: The schema's version: an index of another version is rebuilt, never updated.
VERSION = "2"
#: The file inside a store directory naming the load that wrote it (pop_ld/load.py): the index
#: records it, so an index that missed a load is seen and rebuilt rather than updated.
STATE_FILE = "pop-ld-state"
#: A facet value with at least this many notices keeps its set as a ready bitmap.
DENSE = 2048


#: Zoom levels of the precomputed map grid (Web Mercator tiles): what the whole base looks
#: like from afar; closer in, points come from the R-tree.
GRID_ZOOMS = tuple(range(0, 13))
_YEAR = re.compile(r"^(-?\d+)-")
_POINT = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.I)
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class IndexReport:
    """What a build did, for the load's summary and the bench."""

    path: str
    notices: int = 0
    texts: int = 0
    facet_values: dict[str, int] = field(default_factory=dict)
    geolocated: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    #: notice graphs an update (pop_ld/indexupdate.py) read again; None for a full build
    updated: int | None = None

    def summary(self) -> str:
        if self.updated is not None:
            return (
                f"search index {self.path}: updated for {self.updated:,} notices "
                f"({self.notices:,} ids, {self.geolocated:,} on the map), in {self.seconds:.1f} s"
            )
        values = sum(self.facet_values.values())
        return (
            f"search index {self.path}: {self.notices:,} notices, {self.texts:,} texts, "
            f"{values:,} facet values, {self.geolocated:,} on the map, in {self.seconds:.1f} s"
        )


def index_path(store_dir: str | Path) -> Path:
    """Where the index of a store lives: beside it, ``{store}.index.sqlite``."""
    store_dir = Path(store_dir)
    return store_dir.with_name(store_dir.name + SUFFIX)


def build_index(
    store_dir: str | Path, target: str | Path | None = None, *, progress: bool = False
) -> IndexReport:
    """Build the side index of the store at ``store_dir`` and publish it atomically."""
    store = ox.Store.read_only(str(store_dir))
    try:
        target = Path(target) if target else index_path(store_dir)
        return build_from(store, target, progress, store_state(store_dir))
    finally:
        del store


def store_state(store_dir: str | Path) -> str:
    """The id of the load that wrote the store ("" for a store no load wrote)."""
    try:
        return (Path(store_dir) / STATE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def refresh_after_load(
    store_dir: str | Path,
    touched: Collection[str] | None = None,
    since: str | None = None,
) -> IndexReport:
    """What pop_ld/load.py calls once a load has been swapped in: the index follows the store.

    With ``touched`` (the notice graphs the load cleared or loaded) and ``since`` (the store's
    state before the load), only those notices are updated (pop_ld/indexupdate.py) when the
    index is of that state; otherwise, or when they are too many, the index is built again.
    """
    report = None
    if touched is not None and since is not None:
        from pop_ld.indexupdate import update_index

        report = update_index(store_dir, touched, since)
    if report is None:
        report = build_index(store_dir)
    print(report.summary(), file=sys.stderr)
    return report


def build_from(
    store: ox.Store, target: Path, progress: bool = False, state: str = ""
) -> IndexReport:
    """Read the store's answers into a new SQLite file, then rename it over ``target``.

    ``state`` is the store's (``store_state``), recorded so that a later load may update it.
    """
    start = time.perf_counter()
    report = IndexReport(path=str(target))
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    stage_file = target.with_name(f"{target.name}.stage-{os.getpid()}")
    for path in (tmp, stage_file):
        path.unlink(missing_ok=True)
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
            " PRAGMA temp_store=FILE;"
        )
        db.execute("ATTACH DATABASE ? AS stage", (str(stage_file),))
        db.executescript("PRAGMA stage.journal_mode=OFF; PRAGMA stage.synchronous=OFF;")
        db.executescript(SCHEMA + STAGE)
        db.execute("BEGIN")
        builder = _Builder(store, db, report, progress)
        builder.state = state
        builder.run()
        db.execute("COMMIT")
        db.execute("DETACH DATABASE stage")
        db.execute("ANALYZE")
        db.close()
        os.replace(tmp, target)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        stage_file.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - start
    return report


def _rows(
    store: ox.Store,
    name: str,
    directory: Path | None = None,
    graphs: list[ox.NamedNode] | None = None,
) -> Iterator[ox.QuerySolution]:
    """The solutions of a named query, streamed from the store as it finds them.

    ``graphs`` restricts its ``GRAPH ?notice`` blocks to these notice graphs (an update); the
    default graph stays the union of all, so the labels of shared places and concepts are read.
    """
    query = queries.load(name, directory)
    yield from store.query(  # type: ignore[misc]
        query.text, use_default_graph_as_union=True, named_graphs=graphs
    )


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value


def year(term: ox.Literal | None) -> int | None:
    """The year of an xsd:dateTime (or date) literal: "-0500-01-01T00:00:00" → -500."""
    if term is None:
        return None
    match = _YEAR.match(term.value)
    return int(match[1]) if match else None


def point_of(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point, or the centre of the bounding box of any other geometry."""
    match = _POINT.search(wkt)
    if match:
        return float(match[2]), float(match[1])
    numbers = [float(n) for n in _NUMBERS.findall(wkt)]
    if len(numbers) < 2:
        return None
    lons, lats = numbers[0::2], numbers[1::2]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


class _Builder:
    """One build: stage the store's answers, then number, join and index them.

    An update (pop_ld/indexupdate.py) stages only its notice graphs (``graphs``) and fills
    only the ids in ``stage.scope`` (``scoped`` is the SQL condition on ``notices.id``).
    """

    graphs: list[ox.NamedNode] | None = None
    scoped = "1"
    state = ""

    def __init__(
        self, store: ox.Store, db: sqlite3.Connection, report: IndexReport, progress: bool
    ):
        self.store = store
        self.db = db
        self.report = report
        self.progress = progress
        self.base_uri = uris.base_uri()

    def rows(self, name: str, directory: Path | None = None) -> Iterator[ox.QuerySolution]:
        return _rows(self.store, name, directory, self.graphs)

    def step(self, name: str, started: float, cpu: float) -> None:
        """Record a step's wall time (and, with progress, print it with this process's CPU time)."""
        self.report.steps[name] = round(time.perf_counter() - started, 2)
        if self.progress:
            used = time.process_time() - cpu
            print(
                f"index: {name} in {self.report.steps[name]:.1f} s (CPU {used:.1f} s)",
                file=sys.stderr,
            )

    #: (step, method): staging the store's answers, then the index proper
    STEPS: tuple[tuple[str, str], ...] = (
        ("notices", "stage_notices"),
        ("text", "stage_text"),
        ("dates", "stage_spans"),
        ("geometry", "stage_geometry"),
        ("images", "stage_images"),
        ("facets", "stage_facets"),
        ("numbering", "number_notices"),
        ("full text", "fill_text"),
        ("facet tables", "fill_facets"),
        ("map", "fill_map"),
    )

    def run_steps(self) -> None:
        """Each step of ``STEPS`` in turn, timed (wall and CPU) into the report."""
        for name, method in self.STEPS:
            started, cpu = time.perf_counter(), time.process_time()
            getattr(self, method)()
            self.step(name, started, cpu)

    def run(self) -> None:
        self.run_steps()
        self.db.execute("INSERT INTO fulltext(fulltext) VALUES ('optimize')")
        self.write_meta()

    # -- staging: the store's answers, keyed by notice IRI ----------------------------------
    def stage_notices(self) -> None:
        rows = []
        for row in self.rows("search_notices"):
            title = row["title"]
            lang = 0 if isinstance(title, ox.Literal) and title.language == "fr" else 1
            text = _value(title) or row["ref"].value
            base = row["base"].value.rsplit("/", 1)[-1]
            rows.append(
                (
                    row["notice"].value,
                    row["thing"].value,
                    base,
                    row["ref"].value,
                    text,
                    fold(text),
                    lang,
                )
            )
        if rows:
            thing = rows[0][1]
            self.base_uri = thing.split("/id/", 1)[0]
        self.db.executemany("INSERT INTO stage.notices VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def stage_text(self) -> None:
        batch = []
        insert = "INSERT INTO stage.text VALUES (?, ?)"
        for notice, text in self.rows("search_text"):
            batch.append((notice.value, text.value))
            if len(batch) >= 50_000:
                self.db.executemany(insert, batch)
                self.report.texts += len(batch)
                batch.clear()
        self.db.executemany(insert, batch)
        self.report.texts += len(batch)
        self.db.execute("CREATE INDEX stage.text_notice ON text(notice)")

    def stage_spans(self) -> None:
        for kind, name in (("creation", "search_dates"), ("protection", "search_protection_dates")):
            self.db.executemany(
                "INSERT INTO stage.spans VALUES (?, ?, ?, ?, ?)",
                (
                    (r["notice"].value, kind, year(r["begin"]), year(r["end"]), _value(r["label"]))
                    for r in self.rows(name)
                ),
            )
        self.db.execute("CREATE INDEX stage.spans_notice ON spans(notice)")

    def stage_geometry(self) -> None:
        rows = []
        for row in self.rows("search_geometry"):
            wkt = row["wkt"].value
            point = point_of(wkt)
            if point and -90 <= point[0] <= 90 and -180 <= point[1] <= 180:
                rows.append(
                    (row["notice"].value, point[0], point[1], int(bool(_POINT.search(wkt))))
                )
        self.db.executemany("INSERT INTO stage.geo VALUES (?, ?, ?, ?)", rows)
        self.db.execute("CREATE INDEX stage.geo_notice ON geo(notice, point DESC)")

    def stage_images(self) -> None:
        self.db.executemany(
            "INSERT INTO stage.images VALUES (?, ?)",
            ((r["notice"].value, r["image"].value) for r in self.rows("search_images")),
        )
        self.db.execute("CREATE INDEX stage.images_notice ON images(notice)")

    def stage_facets(self) -> None:
        directory = ROOT / "sparql" / "facets"
        for name in FACETS:
            started, cpu = time.perf_counter(), time.process_time()
            self.db.executemany(
                "INSERT INTO stage.facets VALUES (?, ?, ?, ?)",
                # unpacked, not looked up by name: a facet query has ?notice ?value ?label
                (
                    (name, notice.value, str(value), _value(label))
                    for notice, value, label in self.rows(name, directory)
                    if value is not None
                ),
            )
            self.step(f"facet {name}", started, cpu)
        self.db.execute("CREATE INDEX stage.facets_notice ON facets(notice, facet)")
        self.db.execute("CREATE INDEX stage.facets_term ON facets(facet, term, label)")

    # -- the index proper ---------------------------------------------------------------------
    def number_notices(self) -> None:
        """Ids 0…N-1 in the default order: base (in mappings/bases.toml's order), title, REF."""
        order = {name: i for i, name in enumerate(uris.bases())}
        self.db.create_function(
            "base_rank", 1, lambda b: order.get(b, len(order)), deterministic=True
        )
        self.db.execute(
            """INSERT INTO notices(id, notice, thing, base, ref, title, sort_key)
            SELECT row_number() OVER (ORDER BY base_rank(base), sort_key, ref, notice) - 1,
                   notice, thing, base, ref, title, sort_key
            FROM (SELECT notice, thing, base, ref, title, sort_key, MIN(lang)
                  FROM stage.notices GROUP BY notice)"""
        )
        self.report.notices = self.db.execute("SELECT count(*) FROM notices").fetchone()[0]
        self.fill_notice_columns()

    def fill_notice_columns(self) -> None:
        """Place, image, dates and spans of the notices in scope, from the stage."""
        # where it stands, for the result line: its commune (département), from the place facets
        self.db.execute(
            f"""UPDATE notices SET place = (SELECT c.label || coalesce(' (' || (SELECT d.label
                   FROM stage.facets d WHERE d.notice = c.notice AND d.facet = 'departement'
                   ORDER BY d.label LIMIT 1) || ')', '')
                 FROM stage.facets c WHERE c.notice = notices.notice AND c.facet = 'commune'
                 ORDER BY c.label LIMIT 1),
               image = (SELECT image FROM stage.images i WHERE i.notice = notices.notice
                 ORDER BY image LIMIT 1) WHERE {self.scoped}"""
        )
        self.db.execute(
            f"""UPDATE notices SET place = (SELECT f.label FROM stage.facets f
                 WHERE f.notice = notices.notice AND f.facet IN ('departement', 'region')
                 ORDER BY f.facet, f.label LIMIT 1) WHERE place IS NULL AND {self.scoped}"""
        )
        self.db.execute(
            """INSERT INTO spans SELECT n.id, s.kind, s.begin_year, s.end_year
               FROM stage.spans s JOIN notices n ON n.notice = s.notice"""
        )
        self.db.execute(
            f"""UPDATE notices SET
                 dates = (SELECT group_concat(label, ' ; ') FROM (SELECT DISTINCT label FROM stage.spans s
                   WHERE s.notice = notices.notice AND s.kind = 'creation' AND label IS NOT NULL
                   ORDER BY begin_year, label)),
                 begin_year = (SELECT min(begin_year) FROM stage.spans s
                   WHERE s.notice = notices.notice AND s.kind = 'creation'),
                 end_year = (SELECT max(end_year) FROM stage.spans s
                   WHERE s.notice = notices.notice AND s.kind = 'creation') WHERE {self.scoped}"""
        )

    def fill_text(self) -> None:
        """Titles and texts, folded and stemmed, into the FTS5 table (rowid = notice id)."""
        self.db.execute(
            """INSERT INTO titles SELECT DISTINCT s.sort_key, n.id FROM stage.notices s
               JOIN notices n ON n.notice = s.notice"""
        )
        titles: dict[int, list[str]] = {}
        for notice_id, title in self.db.execute(
            """SELECT n.id, s.title FROM stage.notices s JOIN notices n ON n.notice = s.notice
               ORDER BY n.id, s.lang, s.title"""
        ):
            titles.setdefault(notice_id, []).append(title)
        cursor = self.db.execute(
            f"""SELECT n.id, t.text FROM notices n JOIN (
                  SELECT notice, text FROM stage.text
                  UNION ALL SELECT notice, label FROM stage.facets
                    WHERE facet IN ({", ".join("?" * len(TEXT_FACETS))}) AND label IS NOT NULL
                ) t ON t.notice = n.notice
                UNION ALL SELECT id, NULL FROM notices WHERE {self.scoped}
                ORDER BY 1""",
            TEXT_FACETS,
        )
        batch: list[tuple[int, str, str]] = []
        current: int | None = None
        texts: list[str] = []

        # the labels of concepts, places and persons come back in many notices: their words
        # are worked out once (index_text, one value at a time)
        known: dict[str, str] = {}

        def indexed(values: list[str]) -> str:
            parts = []
            for value in values:
                if not value:
                    continue
                part = known.get(value)
                if part is None:
                    part = index_text([value])
                    if len(value) <= 80 and len(known) < 500_000:
                        known[value] = part
                parts.append(part)
            return f" {SEPARATOR} ".join(parts)

        def flush(notice_id: int) -> None:
            names = titles.pop(notice_id, [])
            batch.append((notice_id, indexed(names), indexed(sorted(set(texts)))))

        for notice_id, text in cursor:
            if notice_id != current:
                if current is not None:
                    flush(current)
                current, texts = notice_id, []
            if text:
                texts.append(text)
            if len(batch) >= 10_000:
                self.insert_text(batch)
                batch.clear()
        if current is not None:
            flush(current)
        self.insert_text(batch)

    def insert_text(self, batch: list[tuple[int, str, str]]) -> None:
        """FTS5 rows, and what they were given (to delete them in an update)."""
        self.db.executemany("INSERT INTO fulltext(rowid, title, body) VALUES (?, ?, ?)", batch)
        self.db.executemany(
            "INSERT INTO fulltext_docs VALUES (?, ?)",
            ((i, pack_words(title, body)) for i, title, body in batch),
        )

    def fill_facets(self) -> None:
        """Values (with counts), postings, dense bitmaps and the per-notice doc values."""
        n = self.report.notices
        for facet in FACETS:
            values: dict[str, tuple[str, str]] = {}
            for term, label in self.db.execute(
                "SELECT term, label FROM stage.facets WHERE facet = ? ORDER BY term, label IS NULL, label",
                (facet,),
            ):
                values.setdefault(term, (term, label))
            rows = [self.value_row(facet, t, label) for t, label in values.values()]
            self.db.executemany(
                "INSERT INTO facet_values(facet, key, term, label, folded, words, count) VALUES (?, ?, ?, ?, ?, ?, 0)",
                rows,
            )
            self.report.facet_values[facet] = len(rows)
        self.db.execute(
            """INSERT OR IGNORE INTO postings
               SELECT v.id, n.id FROM stage.facets f
               JOIN facet_values v ON v.facet = f.facet AND v.term = f.term
               JOIN notices n ON n.notice = f.notice"""
        )
        self.db.execute(
            """UPDATE facet_values SET count = (SELECT count(*) FROM postings WHERE value_id = facet_values.id)"""
        )
        for (value_id,) in self.db.execute(
            "SELECT id FROM facet_values WHERE count >= ?", (DENSE,)
        ).fetchall():
            data = bytearray((n + 7) // 8)
            for (i,) in self.db.execute(
                "SELECT notice_id FROM postings WHERE value_id = ?", (value_id,)
            ):
                data[i >> 3] |= 1 << (i & 7)
            self.db.execute("INSERT INTO bitmaps VALUES (?, ?)", (value_id, bytes(data)))
        for facet in FACETS:
            data = bytearray((n + 7) // 8)
            for (i,) in self.db.execute(
                """SELECT DISTINCT p.notice_id FROM facet_values v JOIN postings p ON p.value_id = v.id
                   WHERE v.facet = ?""",
                (facet,),
            ):
                data[i >> 3] |= 1 << (i & 7)
            self.db.execute("INSERT INTO arrays VALUES (?, ?)", (f"any:{facet}", bytes(data)))
        # doc values of the listed facets: notice i's value ids are values[offsets[i]:offsets[i + 1]]
        offsets, values = array("I", [0] * (n + 1)), array("I")
        current = 0
        for value_id, notice_id in self.db.execute(
            """SELECT p.value_id, p.notice_id FROM postings p JOIN facet_values v ON v.id = p.value_id
               WHERE v.facet IN (SELECT value FROM json_each(?)) ORDER BY p.notice_id, p.value_id""",
            (json.dumps([f for f, spec in FACETS.items() if not spec.hidden]),),
        ):
            while current < notice_id:
                current += 1
                offsets[current] = len(values)
            values.append(value_id)
        while current < n:
            current += 1
            offsets[current] = len(values)
        self.db.executemany(
            "INSERT INTO arrays VALUES (?, ?)",
            [("doc_offsets", offsets.tobytes()), ("doc_values", values.tobytes())],
        )

    def fill_map(self) -> None:
        """The R-tree of points and the grid counts per zoom."""
        self.fill_points()
        self.report.geolocated = self.db.execute("SELECT count(*) FROM geo").fetchone()[0]
        lats = array("d", [math.nan]) * self.report.notices
        lons = array("d", [math.nan]) * self.report.notices
        for notice_id, lat, lon in self.db.execute(
            "SELECT id, lat, lon FROM notices WHERE lat IS NOT NULL"
        ):
            lats[notice_id], lons[notice_id] = lat, lon
        mercs = array("d", [math.nan]) * self.report.notices
        for i, lat in enumerate(lats):
            if not math.isnan(lat):
                mercs[i] = mercator_y(lat)
        self.db.executemany(
            "INSERT INTO arrays VALUES (?, ?)",
            [("lat", lats.tobytes()), ("lon", lons.tobytes()), ("merc", mercs.tobytes())],
        )
        cells: dict[tuple[int, int, int], list[float]] = {}
        for i, merc in enumerate(mercs):
            if math.isnan(merc):
                continue
            lat, lon = lats[i], lons[i]
            for zoom in GRID_ZOOMS:
                x, y = tile_of(lon, merc, zoom)
                cell = cells.setdefault((zoom, x, y), [0, 0.0, 0.0])
                cell[0] += 1
                cell[1] += lat
                cell[2] += lon
        self.db.executemany(
            "INSERT INTO geo_cells VALUES (?, ?, ?, ?, ?, ?)",
            ((z, x, y, c, la / c, lo / c) for (z, x, y), (c, la, lo) in cells.items()),
        )

    def value_row(self, facet: str, term_text: str, label: str | None) -> tuple[str, ...]:
        """A facet_values row but its count: facet, key, term, label, folded, words."""
        key = FACETS[facet].key(_parse_term(term_text), self.base_uri)
        shown = label or FACETS[facet].label_of(key)
        return (facet, key, term_text, shown, fold(shown), " " + " ".join(words(shown)) + " ")

    def fill_points(self) -> None:
        """Each notice's point (its first WKT point, else a shape's centre), into the R-tree."""
        self.db.execute(
            f"""UPDATE notices SET (lat, lon) = (SELECT lat, lon FROM stage.geo g
                 WHERE g.notice = notices.notice ORDER BY point DESC, lat, lon LIMIT 1)
               WHERE {self.scoped}"""
        )
        self.db.execute(
            f"""INSERT INTO geo SELECT id, lon, lon, lat, lat FROM notices
               WHERE lat IS NOT NULL AND {self.scoped}"""
        )

    def write_meta(self, live: int | None = None) -> None:
        """``notices`` is the id count, ``live`` the notices but tombstones, ``state`` the load."""
        meta = {
            "version": VERSION,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "notices": str(self.report.notices),
            "live": str(self.report.notices if live is None else live),
            "base_uri": self.base_uri,
            "dense": str(DENSE),
            "state": self.state,
        }
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())


def pack_words(title: str, body: str) -> bytes:
    """A fulltext row's values, compressed (title and body never hold a NUL)."""
    return zlib.compress(f"{title}\0{body}".encode(), 3)


def unpack_words(data: bytes) -> tuple[str, str]:
    title, body = zlib.decompress(data).decode().split("\0", 1)
    return title, body


def _parse_term(text: str) -> ox.NamedNode | ox.Literal:
    """A term back from its N-Triples form (as ``str(term)`` wrote it)."""
    quad = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return quad.object  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    """``python -m pop_ld.index STORE_DIR``: build (again) the search index of a store."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m pop_ld.index STORE_DIR\n\n" + (__doc__ or ""))
        return 2
    report = build_index(args[0], progress=True)
    print(report.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
