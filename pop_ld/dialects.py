"""How a POP export is written: its encoding, separator and dialect, and which POP code each
column header stands for (mappings/headers.csv), so the readers only walk records.

A dialect is told from the file's first bytes, never from its name: exports are renamed
(a SpreadsheetML file saved as ``.xls``, a CSV saved as ``.txt``).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TextIO

from pop_ld import ROOT
from pop_ld.uris import bases

#: Bytes read to tell encoding and dialect: enough for any header line.
SAMPLE_SIZE = 64 * 1024
#: A JSON document is parsed whole only below this size; past it, JSON Lines or a top-level array.
WHOLE_JSON_LIMIT = 50 * 1024 * 1024
#: The error handler that decodes a stray byte as cp1252 (else Latin-1) instead of failing.
FALLBACK_ERRORS = "pop_ld.cp1252_fallback"
SPREADSHEETML_NS = "urn:schemas-microsoft-com:office:spreadsheet"
SS = "{" + SPREADSHEETML_NS + "}"
SEPARATORS = (";", ",", "\t", "|")

_CODE_SHAPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    # A late Latin-1 byte in a file sampled as UTF-8 must not stop a 1 GB read: decode it
    # as the Windows code page the ministry's tools wrote, byte by byte.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    text = "".join(_cp1252_char(byte) for byte in chunk)
    return text, error.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def sniff_encoding(head: bytes) -> str:
    """The codec of a file from its first bytes: a BOM, else UTF-8 if the sample decodes, else cp1252.

    >>> sniff_encoding("Référence;".encode("latin-1")), sniff_encoding(b"\\xef\\xbb\\xbfREF")
    ('cp1252', 'utf-8-sig')
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # final=False: a multi-byte character cut by the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def read_sample(path: Path) -> tuple[bytes, str, str]:
    """The first bytes of a file, its codec, and the sample decoded."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_SIZE)
    encoding = sniff_encoding(head)
    text = head.decode(encoding, errors=FALLBACK_ERRORS)
    return head, encoding, text.lstrip("\ufeff")


def open_text(path: Path, encoding: str, newline: str = "") -> TextIO:
    """A text stream that keeps line endings as written (the csv module wants newline="")."""
    return open(path, encoding=encoding, errors=FALLBACK_ERRORS, newline=newline)


def header_line(text: str) -> tuple[str, str | None]:
    """The header line of a delimited sample, and the separator an Excel ``sep=;`` line forces."""
    lines = text.split("\n", 2)
    first = lines[0].rstrip("\r")
    if first.lower().startswith("sep=") and len(first) == 5 and len(lines) > 1:
        return lines[1].rstrip("\r"), first[4]
    return first, None


def sniff_separator(header_line: str) -> str:
    """The separator a header line uses: the most frequent of ``; , TAB |`` outside quotes.

    >>> sniff_separator('REF|TICO|"A;B"'), sniff_separator("Numéro_de_l'objet,Domaine")
    ('|', ',')
    """
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """A header as compared: accents, case, spaces, underscores and apostrophes folded away.

    >>> fold("Numéro_de_l'objet") == fold("numero de l objet") == "numerodelobjet"
    True
    """
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum() and char.isascii())


def code_name(header: str) -> str:
    """The name an unknown header is kept under: folded to upper-case ASCII, runs to ``_``.

    >>> code_name("Lien vers l'Agrégée"), code_name("chpcoorwgs84")
    ('LIEN_VERS_L_AGREGEE', 'CHPCOORWGS84')
    """
    decomposed = unicodedata.normalize("NFKD", header.upper())
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Z0-9.]+", "_", ascii_text).strip("_") or "UNNAMED"


def clean_header(header: str) -> str:
    header = header.replace("\ufeff", "").strip()
    if len(header) >= 2 and header[0] == header[-1] == '"':
        header = header[1:-1].replace('""', '"').strip()
    return header


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a header stands for: a POP code, and how it was known (code, label or unknown)."""

    code: str
    kind: str


@dataclass(slots=True)
class _BaseIndex:
    exact: dict[str, Resolution] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # UPPER code -> code
    folded_codes: dict[str, str] = field(default_factory=dict)
    folded_labels: dict[str, str] = field(default_factory=dict)


class HeaderTable:
    """mappings/headers.csv as lookups: per base, exact headers, then codes, then folded labels."""

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        self._index: dict[str, _BaseIndex] = {}
        #: every target code, and "POP_COORDONNEES" for "POP_COORDONNEES.lat": a JSON object
        #: under that key is flattened into the sub-codes
        self.prefixes: dict[str, str] = {}
        union = _BaseIndex()
        for row in rows:
            base, header, code = row["base"].strip(), row["header"].strip(), row["code"].strip()
            if not header or not code:
                continue
            index = self._index.setdefault(base, _BaseIndex())
            self.prefixes.setdefault(code.upper(), code)
            if "." in code:
                prefix = code.split(".", 1)[0]
                self.prefixes.setdefault(prefix.upper(), prefix)
            is_code = header == code
            index.exact.setdefault(header, Resolution(code, "code" if is_code else "label"))
            if is_code:
                for target in (index, union):
                    target.codes.setdefault(code.upper(), code)
                    target.folded_codes.setdefault(fold(code), code)
            else:
                index.folded_labels.setdefault(fold(header), code)
        self._union = union
        self._general = self._index.get("*", _BaseIndex())
        self._cache: dict[tuple[str, str | None], Resolution | None] = {}
        self._signatures: dict[frozenset[str], str | None] = {}

    @property
    def bases(self) -> list[str]:
        return [name for name in self._index if name != "*"]

    def resolve(self, header: str, base: str | None) -> Resolution | None:
        """The POP code a header stands for in a base (any base when None), or None if unknown."""
        key = (header, base)
        if key not in self._cache:
            self._cache[key] = self._resolve(header, base)
        return self._cache[key]

    def _resolve(self, header: str, base: str | None) -> Resolution | None:
        own = self._index.get(base, _BaseIndex()) if base else self._union
        for exact in (own.exact, self._general.exact):
            if header in exact:
                return exact[header]
        key = fold(header)
        upper = header.upper()
        variants = (upper, upper.replace("_", "-"), upper.replace("-", "_"))
        Step = tuple[dict[str, str], tuple[str, ...], str]
        as_code: list[Step] = [(own.codes, variants, "code"), (own.folded_codes, (key,), "code")]
        as_label: list[Step] = [
            (own.folded_labels, (key,), "label"),
            (self._general.folded_labels, (key,), "label"),
        ]
        elsewhere: list[Step] = [
            (self._union.codes, variants, "code"),
            (self.prefixes, variants, "code"),
            (self._union.folded_codes, (key,), "code"),
        ]
        # The header's shape decides between a label and a code that fold alike: "Nom usage"
        # is Muséofile's AUTNOM label, "NOMUSAGE" its code. A code of another base comes last
        # ("titre" in Joconde is TITR, not Mémoire's TITRE).
        if _CODE_SHAPE.match(header):
            steps = as_code + as_label + elsewhere
        else:
            steps = as_label + as_code + elsewhere[2:]
        for table, candidates, kind in steps:
            for candidate in candidates:
                if candidate and candidate in table:
                    return Resolution(table[candidate], kind)
        return None

    def score(self, headers: Iterable[str], base: str) -> int:
        """How many headers a base's own rows know: the header signature of a file."""
        own = self._index.get(base)
        if own is None:
            return 0
        total = 0
        for header in headers:
            upper = header.upper()
            key = fold(header)
            if (
                header in own.exact
                or upper in own.codes
                or upper.replace("_", "-") in own.codes
                or (key and (key in own.folded_labels or key in own.folded_codes))
            ):
                total += 1
        return total

    def signature(self, headers: Iterable[str]) -> str | None:
        """The base whose own headers match the most columns (bases.toml order on ties)."""
        key = frozenset(h for h in headers if h)
        if key not in self._signatures:
            order = list(bases()) + [b for b in self.bases if b not in bases()]
            best, best_score = None, 0
            for base in order:
                score = self.score(key, base)
                if score > best_score:
                    best, best_score = base, score
            self._signatures[key] = best
        return self._signatures[key]


@cache
def header_table(path: Path | None = None) -> HeaderTable:
    """The header table, read once: mappings/headers.csv (``base,header,code,note``)."""
    path = path or ROOT / "mappings" / "headers.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return HeaderTable(csv.DictReader(f))


@dataclass(slots=True)
class Layout:
    """The columns of a tabular file as POP codes (None: ignored), decided once from its header."""

    codes: list[str | None]
    kind: str  # "codes" when the header is mostly POP codes, else "labels"
    table_base: str | None
    warnings: list[str]
    ref_index: int | None
    known: int


def layout(headers: list[str], base: str | None, table: HeaderTable | None = None) -> Layout:
    """Map a header row to POP codes; ignore unnamed columns and a damaged tail, warn once."""
    table = table or header_table()
    cleaned = [clean_header(h) for h in headers]
    # A given base is the notices' base; its labels read the header unless another base's
    # labels match more columns (a Muséofile export read with base="joconde" still maps).
    table_base = table.signature(cleaned)
    if base is not None and table.score(cleaned, base) >= table.score(cleaned, table_base or base):
        table_base = base
    resolved = [table.resolve(h, table_base) if h else None for h in cleaned]
    warnings: list[str] = []
    ignored = _damaged_tail(cleaned, resolved)
    if ignored is not None:
        after = cleaned[ignored - 1] if ignored else "the start"
        warnings.append(
            f"header: columns {ignored + 1}-{len(cleaned)} after {after} are unnamed or damaged "
            "and were ignored (their values do not belong to the row: in Gertrude exports they "
            "belong to the next one)"
        )
    codes: list[str | None] = []
    used: set[str] = set()
    counts = {"code": 0, "label": 0}
    unnamed = 0
    for position, (header, resolution) in enumerate(zip(cleaned, resolved, strict=True)):
        if ignored is not None and position >= ignored:
            codes.append(None)
            continue
        if not header:
            unnamed += 1
            codes.append(None)
            continue
        if resolution is None:
            code = code_name(header)
            warnings.append(f"unknown column {header!r} kept as {code}")
        else:
            code = resolution.code
            counts[resolution.kind] += 1
        if code in used:
            duplicate = code_name(header)
            while duplicate in used:
                duplicate += "_2"
            warnings.append(
                f"columns {header!r} and another both map to {code}: kept as {duplicate}"
            )
            code = duplicate
        used.add(code)
        codes.append(code)
    if unnamed:
        warnings.append(f"header: {unnamed} unnamed column(s) ignored")
    ref_index = codes.index("REF") if "REF" in codes else None
    kind = "codes" if counts["code"] >= counts["label"] else "labels"
    return Layout(codes, kind, table_base, warnings, ref_index, counts["code"] + counts["label"])


def _damaged_tail(headers: list[str], resolved: list[Resolution | None]) -> int | None:
    # A spreadsheet formula left in the header (Gertrude exports) shows as empty names then
    # junk ("https://…", "IA30001143"): from the first empty name on, if nothing named after
    # it is a known header, the whole tail is noise.
    if "" not in headers:
        return None
    first_empty = headers.index("")
    tail = list(zip(headers[first_empty:], resolved[first_empty:], strict=True))
    if any(name and resolution is not None for name, resolution in tail):
        return None
    if all(not name for name, _ in tail):
        return None  # only empty names: reported as unnamed columns
    return first_empty


def detect_dialect(path: Path | str) -> str:
    """The dialect of a POP export, from its content: a key of ``readers.READERS`` or "unknown"."""
    path = Path(path)
    _, encoding, text = read_sample(path)
    stripped = text.lstrip()
    if not stripped:
        return "unknown"
    if stripped.startswith("<"):
        return "spreadsheetml" if SPREADSHEETML_NS in text else "unknown"
    if stripped[0] in "[{":
        return _json_dialect(path, encoding, stripped)
    header, forced = header_line(text)
    separator = forced or sniff_separator(header)
    if separator == "|":
        cells = header.split("|")
    else:
        cells = next(csv.reader(io.StringIO(header), delimiter=separator), [])
    found = layout(cells, None)
    if "REF" not in found.codes and found.known < 2:
        return "unknown"  # no header: e.g. the 2018 rejected-lines log
    if separator == "|":
        return "pipe"
    return "csv-codes" if found.kind == "codes" else "csv-labels"


def _json_dialect(path: Path, encoding: str, text: str) -> str:
    if re.search(r'"type"\s*:\s*"FeatureCollection"', text) or (
        re.search(r'"features"\s*:\s*\[', text) and '"geometry"' in text
    ):
        return "geojson"
    if text[0] == "[":
        return "pop-json"
    with open_text(path, encoding) as f:
        line = f.readline(WHOLE_JSON_LIMIT).lstrip("\ufeff").strip()
        rest = f.read(SAMPLE_SIZE).lstrip()
    try:
        first = json.loads(line)
    except ValueError:
        return "pop-json"  # a pretty-printed document
    if isinstance(first, dict) and rest.startswith("{"):
        return "pop-jsonl"
    return "pop-json"


# --- record syntax: how one record is written in each dialect ------------------------------


def opens_quote(part: str) -> bool:
    """A pipe-separated part that opens a quoted value and does not close it."""
    return part.lstrip().startswith('"') and part.count('"') % 2 == 1


def rejoin_quoted(parts: list[str]) -> list[str]:
    """Glue back a quoted value cut by a literal ``|`` (fully quoted exports: ``"a"|"b|c"``).

    >>> rejoin_quoted(['"PA1"', '"x|y"', '"z"']), rejoin_quoted(['"a', 'b'])
    (['"PA1"', '"x|y"', '"z"'], ['"a', 'b'])
    """
    out: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        index += 1
        while opens_quote(part) and index < len(parts):
            part += "|" + parts[index]
            index += 1
        if opens_quote(part):
            return parts  # unbalanced to the end: leave the row as it was
        out.append(part)
    return out


def unquote(part: str) -> str:
    """A pipe-separated value without one pair of surrounding quotes (``""`` unescaped).

    >>> unquote(' "Potier Nicolas ; Wienin Michel" '), unquote('Menhir dit "la Pierre"')
    ('Potier Nicolas ; Wienin Michel', 'Menhir dit "la Pierre"')
    """
    value = part.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1].replace('""', '"').strip()
    return value


def row_cells(row: ET.Element) -> dict[int, str]:
    """A SpreadsheetML row as {1-based column: text}: ``ss:Index`` jumps over empty cells."""
    cells: dict[int, str] = {}
    column = 0
    for cell in row:
        if cell.tag != SS + "Cell":
            continue
        index = cell.get(SS + "Index")
        column = int(index) if index else column + 1
        data = cell.find(SS + "Data")
        if data is not None:
            cells[column] = "".join(data.itertext())
        column += int(cell.get(SS + "MergeAcross", "0"))
    return cells


def json_records(document: Any) -> Iterator[Any]:
    """The notice objects in a JSON document: unwraps ES ``_msearch``/``hits``, ODS records."""
    if isinstance(document, list):
        for item in document:
            yield from json_records(item)
    elif not isinstance(document, dict):
        yield document
    elif isinstance(document.get("responses"), list):
        yield from json_records(document["responses"])
    elif isinstance(document.get("hits"), dict):
        yield from json_records(document["hits"].get("hits", []))
    elif "_source" in document:
        yield document["_source"]
    elif isinstance(document.get("fields"), dict) and "recordid" in document:
        yield document["fields"]  # Opendatasoft API v1 record
    elif isinstance(document.get("records"), list):
        yield from json_records(document["records"])
    elif isinstance(document.get("results"), list):
        yield from json_records(document["results"])  # Opendatasoft API v2.1
    else:
        yield document  # a notice, or an ES error answer ({"error": …, "status": 400})


def iter_json_array(stream: TextIO, head: str = "", chunk: int = 1 << 20) -> Iterator[Any]:
    """The items of a JSON array read from a stream, decoded one at a time (constant memory).

    >>> list(iter_json_array(io.StringIO('[{"REF": "PA1"}, 2.5]'), chunk=3))
    [{'REF': 'PA1'}, 2.5]
    """
    decoder = json.JSONDecoder()
    buffer, at_end, position = head, False, 0
    while (position := _skip(buffer, 0, "\ufeff")) >= len(buffer) and not at_end:
        more = stream.read(chunk)
        buffer, at_end = buffer + more, not more
    if buffer[position : position + 1] != "[":
        raise ValueError("not a JSON array")
    position += 1
    while True:
        position = _skip(buffer, position, ",")
        if position < len(buffer) - 1 or at_end:
            if position >= len(buffer):
                raise ValueError("JSON array not closed")
            if buffer[position] == "]":
                return
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                if at_end:
                    raise
            else:
                if end < len(buffer) or at_end:  # at the edge, a number may go on: read more
                    yield item
                    position = end
                    continue
        more = stream.read(chunk)
        at_end = not more
        buffer, position = buffer[position:] + more, 0


def iter_features(stream: TextIO) -> Iterator[Any]:
    """The features of a GeoJSON FeatureCollection too large to parse whole."""
    head = ""
    while (found := re.search(r'"features"\s*:', head)) is None:
        more = stream.read(1 << 16)
        if not more:
            raise ValueError('no "features" array')
        head += more
    yield from iter_json_array(stream, head[found.end() :])


def _skip(text: str, position: int, extra: str = "") -> int:
    while position < len(text) and (text[position].isspace() or text[position] in extra):
        position += 1
    return position
