"""POP date values → inclusive xsd:dateTime bounds, so time-spans can be compared in SPARQL.

Conventions, decided once here:

- Bounds are xsd:dateTime lexical strings ("1600-01-01T00:00:00" … "1699-12-31T23:59:59"):
  rdflib cannot compare gYear, and Linked Art puts xsd:dateTime on P82a/P82b. They are outer
  bounds (CRM "begin of the begin", "end of the end"): when in doubt, wider, never narrower.
- Years follow XSD 1.1 / ISO 8601 (astronomical numbering): "0000" is 1 BCE, "-0051" is
  52 BCE. XSD 1.0 had no year 0 and would read "-0051" as 51 BCE; we never emit XSD 1.0
  years. pyoxigraph orders these values correctly. Years are padded to 4 digits.
- Centuries follow French usage: "17e siècle" = 1600–1699 (the "1er siècle" starts in 1).
  Centuries BCE are strict: "1er siècle av. J.-C." = 100–1 BCE, "11e siècle av. J.-C." =
  1100–1001 BCE. Fractions count forward in time in both eras.
- Fractions: moitié = 50 years, quart = 25, tiers = 00–33 / 33–66 / 66–99 (a boundary year is
  in both); "début" = first quarter, "fin" = last quarter, "milieu" = years 40–60;
  "limite 18e siècle 19e siècle" = 1790–1809 (last decade of one, first of the next).
- Days: YYYY/MM/DD and DD/MM/YYYY; when the month cannot be one and the day can ("1928/20/06"
  in a Toulouse DPRO), they are swapped.
- "vers 1750" (vers, environ, circa) widens a value finer than a decade by CIRCA_YEARS on each
  side (1740–1760) and sets approximate: the outer bounds must hold the true date, which
  "vers" says may fall outside 1750. "?", "(?)", "(supposé)" only set approximate.
- "avant 1863" = 1813-01-01 … 1863-12-31, "après 1863" = 1863 … 1913 (OPEN_YEARS on the open
  side), approximate. The end year is kept whole: outer bounds, and POP's "1919 (avant)"
  usually means "by 1919 at the latest".
- One half of a split Joconde MILL pair ("1950 entre", "1960 et") or an alternative ("1455
  ou") gives its year, approximate; the whole pair "1950 entre ; 1960 et" gives 1950–1960.
- Named periods (Néolithique, Gallo-romain…) come from mappings/periods.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from pop_ld import ROOT

PERIODS_FILE = ROOT / "mappings" / "periods.toml"
CIRCA_YEARS = 10  # "vers 1750" → 1740–1760
OPEN_YEARS = 50  # "avant 1863" → 1813–1863

# A span is (begin year, month, day, end year, month, day, approximate); years astronomical.
Span = tuple[int, int, int, int, int, int, bool]


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive time-span as xsd:dateTime strings, ready for P82a / P82b."""

    begin: str
    end: str
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class ProtectionEvent:
    """One protection decision of a DPRO value: its date and the status it gave."""

    text: str
    status: str
    period: Period | None


# --- folding ----------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        **dict.fromkeys("àâäáãå", "a"),
        "ç": "c",
        **dict.fromkeys("éèêë", "e"),
        **dict.fromkeys("íìîï", "i"),
        "ñ": "n",
        **dict.fromkeys("óòôöõ", "o"),
        **dict.fromkeys("úùûü", "u"),
        **dict.fromkeys("ýÿ", "y"),
        "œ": "oe",
        "æ": "ae",
        **dict.fromkeys("\xa0\u202f\u2009\t\r\n", " "),
        **dict.fromkeys("’\x92`", "'"),
        **dict.fromkeys("–—‑", "-"),
    }
)


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "XVIIe  Siècle" → "xviie siecle"."""
    lower = text.lower()
    return " ".join((lower if lower.isascii() else lower.translate(_FOLD)).split())


def _period_key(text: str) -> str:
    return " ".join(_KEY_PUNCT.sub(" ", fold(text)).split())


_KEY_PUNCT = re.compile(r"[-'_]")

# --- patterns (on folded text) -------------------------------------------------------------

_NUM = r"(?:\d{1,2}|[ivxl]{1,6})"
_SUF = r"(?:er|ere|re|eme|em|e|°)"
_ERA = re.compile(
    r"\s*(?<![a-z])(?:(?P<bc>av(?:ant)?\.?\s*(?:j\.?\s*-?\s*c\.?|n\.?\s*e\.?|notre ere)|bce?)"
    r"|ap(?:res)?\.?\s*j\.?\s*-?\s*c\.?|de notre ere|ap\.?)$"
)
_CENTURY = re.compile(
    rf"(?:le\s+)?(?:(?P<fk>{_NUM})\s*{_SUF}?\s*(?P<fu>moitie|quart|tiers)\s*(?:du\s+|de\s+)?"
    rf"|(?P<pw>debut|fin|milieu|mi)\s*(?:du\s+|de\s+|-\s*)?)?"
    rf"(?P<n>{_NUM})\s*(?P<suf>{_SUF})?\s*(?P<word>siecles?|s\.|s|sc\.?)?"
    rf"(?:\s*,?\s*(?P<sw>debut|fin|milieu))?"
)
_LIMIT = re.compile(
    rf"limi?te\s*(?:du\s+|des\s+)?(?P<a>{_NUM})\s*{_SUF}?\s*(?:siecles?\s+)?(?:et\s+|-\s*)?"
    rf"(?:du\s+)?(?P<b>{_NUM})\s*{_SUF}?\s*siecles?"
)
_MILLENNIUM = re.compile(rf"(?P<n>{_NUM})\s*{_SUF}?\s*millenaire")
_YEAR = re.compile(r"\d{1,4}")
_YEAR_RANGE = re.compile(r"(?P<a>\d{3,4})\s*(?:-|/|a)\s*(?P<b>\d{2,4})")
_YMD = re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})")
_DMY = re.compile(r"(?P<d>\d{1,2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})")
_YM = re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})")
_MY = re.compile(r"(?P<m>\d{1,2})\s*[/.]\s*(?P<y>\d{4})")
_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_NAMED = re.compile(rf"(?P<d>\d{{1,2}})(?:er)?\s+(?P<mon>{_MONTH_NAMES})\.?\s+(?P<y>\d{{4}})")
_MONTH_NAMED = re.compile(rf"(?P<mon>{_MONTH_NAMES})\.?\s+(?P<y>\d{{4}})")
_DECADE = re.compile(r"(?:les\s+)?annees\s+(?P<y>\d{3}0)")
_ISO_DAY = re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?:[t ][\d:.]+(?:z|[+-]\d\d:?\d\d)?)?")

_PAREN = re.compile(r"\s*\(([^()]*)\)")
_TRAILING_Q = re.compile(r"\s*\?+$")
_LEADING = re.compile(
    r"^(?P<w>vers|env\.?|environ|circa|ca\.?|c\.|avant|anterieur a|apres|posterieur a"
    r"|a partir de|depuis|jusqu'en|jusqu'a)\s+(?:l'an\s+|le\s+|la\s+|les\s+)?"
)
_TRAILING = re.compile(r"\s*,?\s+(?P<w>vers|environ|avant|apres|entre|et|ou|en)$")
_EVENT = re.compile(
    r"\s+(?P<w>tirage|acquise?|achetee?|entree materielle|deposee?|depot(?: legal)?|affectee?"
    r"|attribuee?|inscrite? sur (?:l')?inventaire|date d'acquisition|editee?|emission"
    r"|decision dation|(?P<one>achevee?|commencee?|terminee?))$"
)
_BETWEEN = re.compile(r"(?:entre|de)\s+(?P<a>.+?)\s+(?:et|a)\s+(?P<b>.+)")
_SPLIT_PAIR = re.compile(r"(?P<a>.+?)\s+entre\s*[,;]\s*(?P<b>.+?)\s+et")
_ALTERNATIVES = re.compile(
    r"\s+(?P<ou>ou)\s+|\s+(?:et|a)\s+|\s*[,;]\s+|\.\s+(?=\d)|\s+-\s+|(?<=[a-z])-(?=\d)"
)
_PAREN_RANGE = re.compile(r"(\d{3,4})\s*-\s*(\d{3,4})")
_PAREN_FRACTION = re.compile(rf"(?:{_NUM}\s*{_SUF}?\s*(?:moitie|quart|tiers)|debut|fin|milieu)")
_QUALIFIERS = {
    "?": "approx", "suppose": "approx", "supposee": "approx", "probablement": "approx",
    "attribue": "approx", "vers": "circa", "environ": "circa", "avant": "before",
    "apres": "after", "detruit": "", "detruite": "", "contexte": "", "date": "",
    "d'acquisition": "", "d'affectation": "", "de": "", "l'acquisition": "",
}  # fmt: skip
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_FRACTION_UNITS = {"moitie": 50, "quart": 25, "tiers": 33}
_WORD_SPANS = {"debut": (0, 24), "fin": (75, 99), "milieu": (40, 60), "mi": (40, 60)}


# --- public API ----------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period | None:
    """One date value of a notice (already split on ';') → its Period, or None if unparsed.

    >>> parse_period("2e moitié 12e siècle")
    Period(begin='1150-01-01T00:00:00', end='1199-12-31T23:59:59', approximate=False)
    """
    span = _parse(fold(text))
    if span is None:
        return None
    by, bm, bd, ey, em, ed, approx = span
    if (by, bm, bd) > (ey, em, ed):
        return None
    return Period(_stamp(by, bm, bd, "00:00:00"), _stamp(ey, em, ed, "23:59:59"), approx)


@lru_cache(maxsize=65536)
def parse_date(text: str) -> str | None:
    """A record date (DMAJ, DMIS…) → xsd:date "YYYY-MM-DD", or None unless it names a day."""
    s = fold(text)
    for pattern in (_ISO_DAY, _YMD, _DMY):
        m = pattern.fullmatch(s)
        if m:
            return _day_string(*_month_day(int(m["y"]), int(m["m"]), int(m["d"])))
    m = _DAY_NAMED.fullmatch(s)
    if m:
        return _day_string(int(m["y"]), _MONTHS[m["mon"]], int(m["d"]))
    return None


_BOUND = re.compile(r"(-?)(\d{4,})(.*)")


@lru_cache(maxsize=65536)  # bounds repeat: a century gives the same two strings every time
def bound_key(lexical: str) -> tuple[int, str]:
    """A bound as a sort key: string order is wrong for BCE ("-1199999…" < "-0051…").

    >>> bound_key("-0051-01-01T00:00:00") < bound_key("0476-12-31T23:59:59")
    True
    """
    m = _BOUND.fullmatch(lexical)
    if m is None:
        raise ValueError(f"not an xsd:dateTime bound: {lexical!r}")
    year = int(m[2])
    return (-year if m[1] else year, m[3])


_DPRO_SPLIT = re.compile(r"\s*;\s*|\s*:\s*(?=\d{4}(?:[/.-]\d|\s*:|\s*$))")
_DPRO_EVENT = re.compile(
    r"(?P<date>\d{4}(?:\s*[/.-]\s*\d{1,2}){0,2}|\d{1,2}/\d{1,2}/\d{4})?\s*:?\s*(?P<status>.*)",
    re.S,
)


def parse_protection(text: str) -> list[ProtectionEvent]:
    """A whole DPRO value ("1840 : classé MH ; 1911/02/11 classé MH") → its events, in order."""
    return list(_protection_events(text))


@lru_cache(maxsize=65536)  # DPRO values repeat: "1840 : classé MH" in hundreds of notices
def _protection_events(text: str) -> tuple[ProtectionEvent, ...]:
    events: list[ProtectionEvent] = []
    for part in _DPRO_SPLIT.split(text.replace("\xa0", " ").strip()):
        if not part:
            continue
        m = _DPRO_EVENT.fullmatch(part)
        if m is None:  # cannot happen: the pattern matches any string
            continue
        status = m["status"].strip(" :")
        when = m["date"]
        if not when and not status:
            continue
        events.append(ProtectionEvent(part, status, parse_period(when) if when else None))
    return tuple(events)


# --- parsing -------------------------------------------------------------------------------


def _parse(s: str) -> Span | None:
    """Folded text → span, trying the whole value first, then its alternatives as a hull."""
    if not s:
        return None
    m = _PLAIN.fullmatch(s)  # most values: "17e siecle", "2e moitie 19e siecle", "1750"
    if m:
        return _plain(m)
    span = _qualified(s)
    if span is not None:
        return span
    m = _TRAILING_DOUBT.fullmatch(s)  # "1890 vers ; ?", "1883 ; ?" (Joconde MILL): doubt on it all
    if m:
        span = _parse(m["v"])
        return None if span is None else (*span[:6], True)
    m = _SPLIT_PAIR.fullmatch(s)  # "1950 entre ; 1960 et", "1886 entre, 1895 et"
    if m:
        return _hull(_qualified(m["a"]), _qualified(m["b"]))
    m = _BETWEEN.fullmatch(s)  # "entre 1950 et 1960", "de 1950 a 1960"
    if m:
        return _hull(_qualified(m["a"]), _qualified(m["b"]))
    parts = _ALTERNATIVES.split(s)  # "17e siecle, 18e siecle", "1910 ou 1901/04"
    if len(parts) > 1:
        values = parts[::2]
        approx = any(sep is not None for sep in parts[1::2])  # "ou": one of them, not both
        return _hull(*(_qualified(p) for p in values), approx=approx)
    return None


_TRAILING_DOUBT = re.compile(r"(?P<v>.+?)\s*;\s*\?")

_PLAIN = re.compile(
    r"(?:(?P<k>[1-4])(?:er|ere|e) (?P<fu>moitie|quart|tiers) )?(?P<n>1\d|20|21|[2-9]|1)(?:er|e) siecle"
    r"|(?P<year>1\d{3}|20\d\d)"
)


def _plain(m: re.Match[str]) -> Span | None:
    if m["year"]:
        year = int(m["year"])
        return None if year > 2100 else (year, 1, 1, year, 12, 31, False)
    start = (int(m["n"]) - 1) * 100
    lo, hi = 0, 99
    if m["fu"]:
        k, size = int(m["k"]), _FRACTION_UNITS[m["fu"]]
        if k * size > 100 + (size == 33):
            return None
        lo, hi = (33 * (k - 1), 33 * k) if size == 33 else (size * (k - 1), size * k - 1)
    return (max(start + lo, 1), 1, 1, start + hi, 12, 31, False)


def _hull(*spans: Span | None, approx: bool = False) -> Span | None:
    """The smallest span holding them all (outer bounds of "A, B", "A ou B"), or None."""
    known = [span for span in spans if span is not None]
    if not known or len(known) < len(spans):
        return None
    by, bm, bd = min(span[:3] for span in known)
    ey, em, ed = max(span[3:6] for span in known)
    return (by, bm, bd, ey, em, ed, approx or any(span[6] for span in known))


def _qualified(s: str) -> Span | None:
    """A single value with its qualifiers: (?), vers, avant, "tirage", "(2e quart)"…"""
    approx = circa = before = after = False
    explicit: tuple[int, int] | None = None
    if "(" in s:
        for content in _PAREN.findall(s):
            content = content.strip()
            r = _PAREN_RANGE.fullmatch(content)
            if r:
                explicit = (int(r[1]), int(r[2]))
            elif _PAREN_FRACTION.fullmatch(content):
                s = content + " " + _PAREN.sub("", s, count=1)
                continue
            else:
                for word in content.replace(",", " ").replace("?", " ? ").split():
                    kind = _QUALIFIERS.get(word)
                    if kind is None:
                        return None
                    approx |= kind == "approx"
                    circa |= kind == "circa"
                    before |= kind == "before"
                    after |= kind == "after"
        s = _PAREN.sub("", s).strip()
    for _ in range(3):
        changed = False
        m = _TRAILING_Q.search(s)
        if m:
            s, approx, changed = s[: m.start()], True, True
        m = _EVENT.search(s)
        if m:
            s, changed = s[: m.start()], True
            approx |= m["one"] is not None  # "achevé en": one end of the work only
        m = _TRAILING.search(s)
        if m:
            word, s, changed = m["w"], s[: m.start()], True
            circa |= word in ("vers", "environ")
            before |= word == "avant"
            after |= word == "apres"
            approx |= word in ("entre", "et", "ou")
        m = _LEADING.match(s)
        if m:
            word, s, changed = m["w"], s[m.end() :], True
            circa |= word in ("vers", "env", "env.", "environ", "circa", "ca", "ca.", "c.")
            before |= word in ("avant", "anterieur a", "jusqu'en", "jusqu'a")
            after |= word in ("apres", "posterieur a", "a partir de", "depuis")
        if not changed:
            break
    if explicit is not None:
        span: Span | None = (explicit[0], 1, 1, explicit[1], 12, 31, False)
    else:
        span = _core(s.strip(" ,.:"))
    if span is None:
        return None
    by, bm, bd, ey, em, ed, was_approx = span
    if circa and ey - by < 9:
        by, bm, bd, ey, em, ed = by - CIRCA_YEARS, 1, 1, ey + CIRCA_YEARS, 12, 31
    if before and not after:
        by, bm, bd = ey - OPEN_YEARS, 1, 1
    elif after and not before:
        ey, em, ed = by + OPEN_YEARS, 12, 31
    return (by, bm, bd, ey, em, ed, was_approx or approx or circa or before or after)


def _core(s: str) -> Span | None:
    """An unqualified value: a year, a day, a century and its fraction, a named period…"""
    if not s:
        return None
    bc = has_era = False
    m = _ERA.search(s)
    if m and m.start() > 0:
        bc, has_era = m["bc"] is not None, True
        s = s[: m.start()]
    if _YEAR.fullmatch(s):
        year = int(s)
        if year == 0 or (len(s) < 3 and not has_era) or (not bc and year > 2100):
            return None
        year = 1 - year if bc else year
        return (year, 1, 1, year, 12, 31, False)
    m = _CENTURY.fullmatch(s)
    if m and (m["word"] or m["suf"]):
        return _century(m, bc)
    if bc:
        m = _YEAR_RANGE.fullmatch(s)
        if m and len(m["b"]) >= 3:
            a, b = 1 - int(m["a"]), 1 - int(m["b"])
            return (min(a, b), 1, 1, max(a, b), 12, 31, False)
        m = _MILLENNIUM.fullmatch(s)
        return _millennium(_number(m["n"]), bc) if m else None
    return _calendar(s) or _named_or_other(s)


def _calendar(s: str) -> Span | None:
    """Days, months and year ranges written with digits."""
    m = _YMD.fullmatch(s) or _DMY.fullmatch(s)
    if m:
        return _day_span(*_month_day(int(m["y"]), int(m["m"]), int(m["d"])))
    m = _DAY_NAMED.fullmatch(s)
    if m:
        return _day_span(int(m["y"]), _MONTHS[m["mon"]], int(m["d"]))
    m = _YEAR_RANGE.fullmatch(s)
    if m:
        a, b_text = int(m["a"]), m["b"]
        sep = s[m.end("a") : m.start("b")].strip()
        if len(b_text) <= 2 and sep in ("-", "/", ".") and 1 <= int(b_text) <= 12:
            return _month_span(a, int(b_text))  # "1889/03", "2014-05": ISO month wins
        b = int(b_text)
        if len(b_text) < len(m["a"]):  # "1643-58" → 1658
            b = int(m["a"][: len(m["a"]) - len(b_text)] + b_text)
        if a <= b <= 2100:
            return (a, 1, 1, b, 12, 31, False)
        return None
    m = _YM.fullmatch(s)  # "1889.03" (Mémoire DATPV)
    if m:
        return _month_span(int(m["y"]), int(m["m"]))
    m = _MY.fullmatch(s) or _MONTH_NAMED.fullmatch(s)
    if m:
        month = int(m["m"]) if "m" in m.groupdict() else _MONTHS[m["mon"]]
        return _month_span(int(m["y"]), month)
    return None


def _named_or_other(s: str) -> Span | None:
    m = _DECADE.fullmatch(s)
    if m:
        y = int(m["y"])
        return (y, 1, 1, y + 9, 12, 31, False)
    m = _LIMIT.fullmatch(s)
    if m:
        a, b = _number(m["a"]), _number(m["b"])
        if not a or not b or b <= a:
            return None
        return (max(1, (a - 1) * 100 + 90), 1, 1, (b - 1) * 100 + 9, 12, 31, False)
    m = _MILLENNIUM.fullmatch(s)
    if m:
        return _millennium(_number(m["n"]), False)
    return _named(s)


def _named(s: str) -> Span | None:
    periods = _periods()
    key = _period_key(s)
    found = periods.get(key)
    if found is None:
        for prefix in ("epoque ", "periode ", "style ", "art "):
            if key.startswith(prefix):
                found = periods.get(key[len(prefix) :])
                break
    if found is None:
        return None
    return (found[0], 1, 1, found[1], 12, 31, False)


def _century(m: re.Match[str], bc: bool) -> Span | None:
    n = _number(m["n"])
    if not n or n > 21:
        return None
    start = 1 - 100 * n if bc else (n - 1) * 100
    lo, hi = 0, 99
    if m["fu"]:
        k, size = _number(m["fk"]), _FRACTION_UNITS[m["fu"]]
        if not k or k * size > 100 + (size == 33):
            return None
        lo, hi = (33 * (k - 1), 33 * k) if size == 33 else (size * (k - 1), size * k - 1)
    elif m["pw"] or m["sw"]:
        lo, hi = _WORD_SPANS[m["pw"] or m["sw"]]
    begin = start + lo
    if not bc:
        begin = max(begin, 1)
    return (begin, 1, 1, start + hi, 12, 31, False)


def _millennium(n: int, bc: bool) -> Span | None:
    if not n or n > 3:
        return None
    if bc:
        return (1 - 1000 * n, 1, 1, 1000 - 1000 * n, 12, 31, False)
    return (max(1, (n - 1) * 1000), 1, 1, (n - 1) * 1000 + 999, 12, 31, False)


def _number(text: str) -> int:
    """An ordinal's number, Arabic or Roman ("17", "xvii"); 0 if not a number."""
    if text.isdigit():
        return int(text)
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN.get(ch, 0)
        if i + 1 < len(text) and value < _ROMAN.get(text[i + 1], 0):
            total -= value
        else:
            total += value
    return total


# --- calendar helpers ----------------------------------------------------------------------


def _month_day(year: int, month: int, day: int) -> tuple[int, int, int]:
    """Month and day swapped when the month cannot be one: "1928/20/06" (Toulouse DPRO)."""
    return (year, day, month) if month > 12 >= day else (year, month, day)


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _day_span(year: int, month: int, day: int) -> Span | None:
    if not 1 <= month <= 12 or not 1 <= day <= _month_length(year, month) or year > 2100:
        return None
    return (year, month, day, year, month, day, False)


def _month_span(year: int, month: int) -> Span | None:
    if not 1 <= month <= 12 or year > 2100:
        return None
    return (year, month, 1, year, month, _month_length(year, month), False)


def _day_string(year: int, month: int, day: int) -> str | None:
    if _day_span(year, month, day) is None or year < 1:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _stamp(year: int, month: int, day: int, time: str) -> str:
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{month:02d}-{day:02d}T{time}"


@cache
def _periods() -> dict[str, tuple[int, int]]:
    """mappings/periods.toml, keyed by folded label, years made astronomical."""
    with PERIODS_FILE.open("rb") as f:
        table = tomllib.load(f)["periods"]
    periods: dict[str, tuple[int, int]] = {}
    for label, entry in table.items():
        begin, end = entry["begin"], entry["end"]
        if end == "present":
            end = date.today().year
        if begin == 0 or end == 0 or begin > end:
            raise ValueError(f"{PERIODS_FILE.name}: {label!r}: bad range {begin}..{end}")
        key = _period_key(label)
        if key in periods:
            raise ValueError(f"{PERIODS_FILE.name}: {label!r} folds like another label")
        periods[key] = (begin + 1 if begin < 0 else begin, end + 1 if end < 0 else end)
    return periods
