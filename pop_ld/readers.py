"""Read POP exports of every dialect into Notices, streaming, one bad row never stopping a file.

``read_notices(path)`` tells the dialect from the content (dialects.py), then walks the
records with the matching reader of ``READERS``. A row that cannot be read comes out as a
``ReadError`` in the stream, in place of its notice, so a report can name file, line and REF.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pop_ld.dialects import (
    SS,
    WHOLE_JSON_LIMIT,
    HeaderTable,
    Layout,
    code_name,
    detect_dialect,
    header_line,
    header_table,
    iter_features,
    iter_json_array,
    json_records,
    layout,
    open_text,
    opens_quote,
    read_sample,
    rejoin_quoted,
    row_cells,
    sniff_separator,
    unquote,
)
from pop_ld.errors import PopLdError, ReadError
from pop_ld.records import Notice, RawValue
from pop_ld.uris import base_of_ref, bases, normalise_ref

__all__ = ["READERS", "detect_dialect", "read_notices"]

Item = Notice | ReadError

# Palissy link columns reach hundreds of KB (2,225 URLs in one cell); the csv default is 128 KB.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

#: JSON keys that are MongoDB bookkeeping, not POP fields.
_MONGO_KEYS = frozenset({"_id", "__v"})


def read_notices(path: Path | str, base: str | None = None) -> Iterator[Item]:
    """Every notice of a POP export, whatever its dialect, as Notice or ReadError.

    ``base`` forces the base; otherwise it comes from each REF's shape, then the header.
    """
    given = os.fspath(path)
    if base is not None and base not in bases():
        raise PopLdError(f"unknown base {base!r}: one of {', '.join(bases())}", file=given)
    dialect = detect_dialect(given)
    reader = READERS.get(dialect)
    if reader is None:
        raise PopLdError(
            f"cannot read {Path(given).name}: not a POP notice export in a known dialect "
            f"({', '.join(READERS)})",
            file=given,
        )
    for item in reader(Path(given), base):
        if isinstance(item, Notice):
            item.source = given
        else:
            item.file = given
        yield item


class _Emitter:
    """Builds each Notice of one file: REF, base, and the file's warnings on its first notice."""

    def __init__(self, path: Path, dialect: str, base: str | None, fallback: str | None) -> None:
        self.source = str(path)
        self.dialect = dialect
        self.base = base
        self.fallback = fallback
        self.pending: list[str] = []

    def warn(self, message: str) -> None:
        self.pending.append(message)

    def error(self, message: str, line: int, **where: Any) -> ReadError:
        return ReadError(message, file=self.source, line=line, **where)

    def make(
        self,
        fields: dict[str, RawValue],
        line: int,
        ref: str | None = None,
        warnings: list[str] | None = None,
        fallback: str | None = None,
    ) -> Item:
        raw = ref if ref is not None else fields.get("REF")
        if isinstance(raw, list):
            if len(raw) != 1:
                return self.error("REF holds several values", line, field="REF", value=str(raw))
            raw = raw[0]
        if not raw or not raw.strip():
            return self.error("no REF: row skipped", line, field="REF", value="")
        ref = normalise_ref(raw)
        base = self.base or _base_of(ref, fallback or self.fallback)
        if base is None:
            return self.error(
                "cannot tell the base from the REF or the header: give the base", line, ref=ref
            )
        notes = self.pending + (warnings or [])
        self.pending = []
        return Notice(base, ref, fields, self.source, line, self.dialect, notes)


def _base_of(ref: str, expected: str | None) -> str | None:
    # The header's base is tried first (one regex, not eight); a REF it does not claim
    # goes to whichever base claims it, else stays with the header's base.
    if expected is not None and _ref_pattern(expected).match(ref.upper()):
        return expected
    return base_of_ref(ref) or expected


@cache
def _ref_pattern(base: str) -> re.Pattern[str]:
    return re.compile(bases().get(base, {}).get("ref", "(?!)"))


def _start(path: Path, dialect: str, base: str | None, found: Layout) -> _Emitter:
    emitter = _Emitter(path, dialect, base, found.table_base)
    for message in found.warnings:
        emitter.warn(message)
    return emitter


def _row_fields(codes: list[str | None], values: list[str]) -> dict[str, RawValue]:
    fields: dict[str, RawValue] = {}
    for code, value in zip(codes, values, strict=False):
        if code is None or not value:
            continue
        value = value.strip()  # the readers' hot path: kept inline
        if value:
            fields[code] = value.replace("\r\n", "\n") if "\r" in value else value
    return fields


def _tabular_item(emitter: _Emitter, found: Layout, row: list[str], width: int, line: int) -> Item:
    if len(row) > width and any(value.strip() for value in row[width:]):
        index = found.ref_index
        ref = row[index].strip() if index is not None else None
        return emitter.error(
            f"{len(row)} fields where the header has {width}: a stray separator in a value?",
            line,
            ref=ref,
        )
    return emitter.make(_row_fields(found.codes, row), line)


def _no_ref_column(emitter: _Emitter, width: int, line: int = 1) -> ReadError:
    return emitter.error(f"no REF column among the {width} headers", line, field="REF")


# --- CSV (codes or labels as headers) -------------------------------------------------------


def read_csv(path: Path, base: str | None) -> Iterator[Item]:
    """A delimited export read with the csv module: quoted fields may span lines."""
    _, encoding, text = read_sample(path)
    first, forced = header_line(text)
    with open_text(path, encoding) as stream:
        skipped = 1 if forced else 0
        if forced:
            stream.readline()  # Excel's "sep=;" line
        reader = csv.reader(stream, delimiter=forced or sniff_separator(first))
        header = next(reader, None)
        if header is None:
            return
        found = layout(header, base)
        emitter = _start(path, f"csv-{found.kind}", base, found)
        if found.ref_index is None:
            yield _no_ref_column(emitter, len(header), 1 + skipped)
            return
        previous = reader.line_num + skipped
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                previous = reader.line_num + skipped
                yield emitter.error(f"unreadable CSV: {error}", previous)
                continue
            line, previous = previous + 1, reader.line_num + skipped
            if any(cell.strip() for cell in row):
                yield _tabular_item(emitter, found, row, len(header), line)


# --- pipe-separated exports ----------------------------------------------------------------


def read_pipe(path: Path, base: str | None) -> Iterator[Item]:
    """A ``|`` export: split without csv quoting (literal ``"`` occur), then unquote each value."""
    _, encoding, _ = read_sample(path)
    # records end at "\n" only: a stray "\r" inside a value must not cut the record
    with open_text(path, encoding, newline="\n") as stream:
        header = stream.readline().rstrip("\r\n").split("|")
        found = layout(header, base)
        emitter = _start(path, "pipe", base, found)
        if found.ref_index is None:
            yield _no_ref_column(emitter, len(header))
            return
        width, number = len(header), 1
        for raw in iter(stream.readline, ""):
            number += 1
            line, text = number, raw.rstrip("\r\n")
            if not text.strip():
                continue
            parts = text.split("|")
            # a quoted value holding a line break: join the next physical lines (bounded)
            while len(parts) < width and opens_quote(parts[-1]) and number - line < 100:
                more = stream.readline()
                if not more:
                    break
                number += 1
                text += "\n" + more.rstrip("\r\n")
                parts = text.split("|")
            if len(parts) > width:
                parts = rejoin_quoted(parts)
            yield _tabular_item(emitter, found, [unquote(part) for part in parts], width, line)


# --- XML Spreadsheet 2003 ------------------------------------------------------------------


def read_spreadsheetml(path: Path, base: str | None) -> Iterator[Item]:
    """SpreadsheetML (data.culture's ".xls"): first worksheet, first row the header.

    ``line`` is the spreadsheet row number (the header is row 1): the XML has few line breaks.
    """
    found: Layout | None = None
    emitter = _Emitter(path, "spreadsheetml", base, None)
    width = number = 0
    table: ET.Element | None = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                if element.tag == SS + "Table" and table is None:
                    table = element
                continue
            if element.tag == SS + "Worksheet":
                return  # the first worksheet holds the notices
            if element.tag != SS + "Row":
                continue
            index = element.get(SS + "Index")
            number = int(index) if index else number + 1
            cells = row_cells(element)
            element.clear()  # constant memory: forget each row once read
            if table is not None and len(table) and table[-1] is element:
                del table[-1]
            if not cells:
                continue
            if found is None:
                header = [cells.get(i, "") for i in range(1, max(cells) + 1)]
                found, width = layout(header, base), len(header)
                emitter = _start(path, "spreadsheetml", base, found)
                if found.ref_index is None:
                    yield _no_ref_column(emitter, width, number)
                    return
                continue
            values = [cells.get(i, "") for i in range(1, max(max(cells), width) + 1)]
            yield _tabular_item(emitter, found, values, width, number)
    except ET.ParseError as error:
        yield emitter.error(f"XML breaks off here: {error}", number + 1)


# --- POP API / Elasticsearch / Opendatasoft JSON -------------------------------------------


def read_pop_json(path: Path, base: str | None) -> Iterator[Item]:
    """A JSON document: a notice, a list of them, an ES ``hits``/``_msearch`` answer, ODS records.

    ``line`` is the record's 1-based index in the document. A top-level array is streamed;
    another document is parsed whole only under WHOLE_JSON_LIMIT.
    """
    _, encoding, text = read_sample(path)
    notices = _JsonNotices(path, "pop-json", base)
    index = 0
    with open_text(path, encoding) as stream:
        try:
            if text.lstrip().startswith("["):
                documents: Iterator[Any] = iter_json_array(stream)
            elif path.stat().st_size <= WHOLE_JSON_LIMIT:
                documents = iter([json.loads(stream.read())])
            else:
                raise ValueError(f"over {WHOLE_JSON_LIMIT // 2**20} MB: export it as JSON Lines")
            for document in documents:
                for record in json_records(document):
                    index += 1
                    yield notices.item(record, index)
        except ValueError as error:
            yield notices.emitter.error(f"unreadable JSON after record {index}: {error}", index + 1)


def read_pop_jsonl(path: Path, base: str | None) -> Iterator[Item]:
    """JSON Lines: one notice (or ES hit, or GeoJSON feature) per line; ``line`` is physical."""
    _, encoding, _ = read_sample(path)
    notices = _JsonNotices(path, "pop-jsonl", base)
    with open_text(path, encoding, newline="\n") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                document = json.loads(raw)
            except ValueError as error:
                yield notices.emitter.error(f"invalid JSON line: {error}", number)
                continue
            for record in json_records(document):
                yield notices.item(record, number)


class _JsonNotices:
    """Turns JSON objects into Notices: keys through the header table, values flattened."""

    def __init__(self, path: Path, dialect: str, base: str | None) -> None:
        self.emitter = _Emitter(path, dialect, base, None)
        self.table = header_table()
        self.warned: set[str] = set()

    def item(self, record: Any, line: int) -> Item:
        if not isinstance(record, dict):
            return self.emitter.error(f"not a notice object: {type(record).__name__}", line)
        if "error" in record and "status" in record:
            return self.emitter.error(f"Elasticsearch error: {record['error']}", line)
        if record.get("type") == "Feature":
            return _feature_item(self.emitter, self.table, record, line, self.warned)
        fields, table_base = _json_fields(record, self.table, self.emitter, self.warned)
        return self.emitter.make(fields, line, fallback=table_base)


def _json_fields(
    record: dict[str, Any],
    table: HeaderTable,
    emitter: _Emitter,
    warned: set[str],
    names: dict[str, str] | None = None,
) -> tuple[dict[str, RawValue], str | None]:
    """A JSON record's fields under POP codes, and the base its keys suggest."""
    keys = [key for key in record if key not in _MONGO_KEYS]
    table_base = emitter.base
    if table_base is None:
        for key in keys:
            resolution = table.resolve(key, None)
            if resolution and resolution.code == "REF" and isinstance(record[key], str):
                table_base = base_of_ref(record[key])
                break
        table_base = table_base or table.signature(keys)
    fields: dict[str, RawValue] = {}
    for key in keys:
        resolution = table.resolve(key, table_base)
        if resolution is not None:
            code = resolution.code
        else:
            code = key if key.isupper() else code_name(key)
            if key not in warned:
                warned.add(key)
                emitter.warn(f"unknown field {(names or {}).get(key, key)!r} kept as {code}")
        _flatten(code, record[key], fields)
    return fields, table_base


def _flatten(code: str, value: Any, out: dict[str, RawValue]) -> None:
    """One JSON value under a code: scalars as text, arrays of scalars as lists, nests as JSON.

    ``{"lat": 1, "lon": 2}`` becomes ``code.lat``/``code.lon``; arrays of objects
    (``MEMOIRE``, ``HISTORIQUE``) stay JSON text; empty strings and arrays are dropped.
    """
    if value is None:
        return
    if isinstance(value, dict):
        if "coordinates" in value and not value["coordinates"]:
            return  # an empty geometry ({"coordinates": [], "type": "Polygon"}) says nothing
        for key, inner in value.items():
            if isinstance(inner, list | dict):
                if inner:
                    out[f"{code}.{key}"] = json.dumps(inner, ensure_ascii=False)
            else:
                _flatten(f"{code}.{key}", inner, out)
    elif isinstance(value, list):
        if any(isinstance(item, list | dict) for item in value):
            out[code] = json.dumps(value, ensure_ascii=False)
            return
        items = [text for text in (_scalar(item) for item in value if item is not None) if text]
        if code == "POP_COORDONNEES" and len(items) == 2:
            out[code] = ",".join(items)  # [lat, lon]: the "lat,lon" text CSV exports carry
        elif items:
            out[code] = items
    elif text := _scalar(value):
        out[code] = text


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value).strip()
    return text.replace("\r\n", "\n") if "\r" in text else text


# --- GeoJSON -------------------------------------------------------------------------------


def read_geojson(path: Path, base: str | None) -> Iterator[Item]:
    """A GeoJSON FeatureCollection; properties may carry a ``chp`` prefix (legacy ODS export).

    ``line`` is the feature's 1-based index. A feature with no REF gets a stable synthetic one.
    """
    _, encoding, _ = read_sample(path)
    emitter = _Emitter(path, "geojson", base, None)
    table, warned = header_table(), set[str]()
    index = 0
    with open_text(path, encoding) as stream:
        try:
            if path.stat().st_size <= WHOLE_JSON_LIMIT:
                document = json.loads(stream.read())
                features = iter(document.get("features", []) if isinstance(document, dict) else [])
            else:
                features = iter_features(stream)
            for feature in features:
                index += 1
                if isinstance(feature, dict):
                    yield _feature_item(emitter, table, feature, index, warned)
                else:
                    yield emitter.error("not a GeoJSON feature", index)
        except ValueError as error:
            yield emitter.error(f"unreadable JSON after feature {index}: {error}", index + 1)


def _feature_item(
    emitter: _Emitter, table: HeaderTable, feature: dict[str, Any], line: int, warned: set[str]
) -> Item:
    properties = feature.get("properties") or {}
    geometry = feature.get("geometry")
    names = {_strip_chp(key): key for key in properties}
    record = {_strip_chp(key): value for key, value in properties.items()}
    fields, _ = _json_fields(record, table, emitter, warned, names)  # base: given, REF, Mérimée
    _geometry_fields(geometry, fields)
    if fields.get("REF"):
        return emitter.make(fields, line, fallback="merimee")
    # No REF (the Toulouse legacy export): one from the content, stable between runs; the
    # key is the one the corpus was split on, the prefix the Inventaire dossier (chpuser).
    key = json.dumps(properties, sort_keys=True, ensure_ascii=False) + json.dumps(geometry)
    digest = hashlib.md5(key.encode("utf-8")).hexdigest()[:10]
    user = str(properties.get("chpuser") or properties.get("user") or "")
    ref = f"{user.split('_')[0].strip() or 'NOREF'}-{digest}"
    note = f"no REF in source: synthetic REF {ref} (md5 of properties and geometry)"
    return emitter.make(fields, line, ref=ref, warnings=[note], fallback="merimee")


def _strip_chp(key: str) -> str:
    return key[3:] if key.lower().startswith("chp") and len(key) > 3 else key


def _geometry_fields(geometry: Any, fields: dict[str, RawValue]) -> None:
    if not isinstance(geometry, dict) or not geometry.get("coordinates"):
        return
    kind, coordinates = geometry.get("type"), geometry["coordinates"]
    if kind == "Point" and len(coordinates) >= 2:
        fields["POP_COORDONNEES.lat"] = _scalar(coordinates[1])  # GeoJSON is [lon, lat]
        fields["POP_COORDONNEES.lon"] = _scalar(coordinates[0])
    elif kind in ("Polygon", "MultiPolygon"):
        fields["POP_COORDINATES_POLYGON.type"] = kind
        fields["POP_COORDINATES_POLYGON.coordinates"] = json.dumps(coordinates)
    else:
        fields["GEOMETRY"] = json.dumps(geometry)


#: Dialect name -> reader; detect_dialect() returns one of these keys (or "unknown").
READERS: dict[str, Callable[[Path, str | None], Iterator[Item]]] = {
    "pop-json": read_pop_json,
    "pop-jsonl": read_pop_jsonl,
    "csv-codes": read_csv,
    "csv-labels": read_csv,
    "pipe": read_pipe,
    "spreadsheetml": read_spreadsheetml,
    "geojson": read_geojson,
}
