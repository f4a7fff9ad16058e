"""The tables of the search side index (built by pop_ld/index.py, read by pop_ld/searchindex.py).

``SCHEMA`` is what the index file keeps; ``STAGE`` the tables of an attached scratch file that
holds the store's answers, keyed by notice IRI, until they are numbered and indexed.
"""

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
-- one row per notice, numbered 0…N-1 in the default order (base, then title)
CREATE TABLE notices(
  id INTEGER PRIMARY KEY, notice TEXT NOT NULL UNIQUE, thing TEXT NOT NULL,
  base TEXT NOT NULL, ref TEXT NOT NULL, title TEXT, sort_key TEXT,
  place TEXT, dates TEXT, begin_year INTEGER, end_year INTEGER,
  lat REAL, lon REAL, image TEXT);
CREATE INDEX notices_ref ON notices(ref);
CREATE INDEX notices_sort ON notices(sort_key);
-- full text: folded, stemmed words (pop_ld/searchtext.py); rowid = notices.id
CREATE VIRTUAL TABLE fulltext USING fts5(title, body, content='',
  tokenize='unicode61 remove_diacritics 2');
-- what each fulltext row was given, zlib-compressed: a contentless FTS5 row is deleted by
-- giving its values back (SQLite 3.40 here; contentless_delete came in 3.43)
CREATE TABLE fulltext_docs(id INTEGER PRIMARY KEY, words BLOB NOT NULL);
-- ids of notices an incremental update removed: in no set, count, page or map until the
-- next full build renumbers (pop_ld/indexupdate.py)
CREATE TABLE tombstones(id INTEGER PRIMARY KEY);
-- every title of a thing, folded, for "title is / starts with"
CREATE TABLE titles(folded TEXT, notice_id INTEGER);
CREATE INDEX titles_folded ON titles(folded);
-- facets: every value with its count, the notices that have it, dense sets as bitmaps
CREATE TABLE facet_values(
  id INTEGER PRIMARY KEY, facet TEXT NOT NULL, key TEXT NOT NULL, term TEXT NOT NULL,
  label TEXT NOT NULL, folded TEXT NOT NULL, words TEXT NOT NULL, count INTEGER NOT NULL,
  UNIQUE(facet, key));
CREATE INDEX facet_values_count ON facet_values(facet, count DESC);
CREATE INDEX facet_values_term ON facet_values(facet, term);
CREATE INDEX facet_values_folded ON facet_values(facet, folded);
CREATE TABLE postings(value_id INTEGER, notice_id INTEGER,
  PRIMARY KEY(value_id, notice_id)) WITHOUT ROWID;
CREATE TABLE bitmaps(value_id INTEGER PRIMARY KEY, bits BLOB NOT NULL);
-- packed arrays read whole into memory: doc_offsets/doc_values (each notice's facet value
-- ids, for counting a result set), lat/lon (float64, NaN when none), any:{facet} (bitmap of
-- the notices with a value)
CREATE TABLE arrays(name TEXT PRIMARY KEY, data BLOB NOT NULL);
-- date ranges (years) of the production/creation ('creation') and protections ('protection')
CREATE TABLE spans(notice_id INTEGER, kind TEXT, begin_year INTEGER, end_year INTEGER);
CREATE INDEX spans_begin ON spans(kind, begin_year);
CREATE INDEX spans_end ON spans(kind, end_year);
-- the map: one point per geolocated notice; grid counts per zoom for the whole base
CREATE VIRTUAL TABLE geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);
CREATE TABLE geo_cells(zoom INTEGER, x INTEGER, y INTEGER, count INTEGER, lat REAL, lon REAL,
  PRIMARY KEY(zoom, x, y)) WITHOUT ROWID;
"""

STAGE = """
CREATE TABLE stage.notices(notice TEXT, thing TEXT, base TEXT, ref TEXT, title TEXT,
  sort_key TEXT, lang INTEGER);
CREATE INDEX stage.notices_notice ON notices(notice);
CREATE TABLE stage.text(notice TEXT, text TEXT);
CREATE TABLE stage.spans(notice TEXT, kind TEXT, begin_year INTEGER, end_year INTEGER, label TEXT);
CREATE TABLE stage.geo(notice TEXT, lat REAL, lon REAL, point INTEGER);
CREATE TABLE stage.images(notice TEXT, image TEXT);
CREATE TABLE stage.facets(facet TEXT, notice TEXT, term TEXT, label TEXT);
-- the ids a step fills: every notice in a full build, the touched ones in an update
CREATE TABLE stage.scope(id INTEGER PRIMARY KEY);
"""
