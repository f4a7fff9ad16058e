"""POP DIMS values (Palissy, Joconde, MNR) → measurements, for E54 Dimension nodes.

Conventions:

- A value without any unit is in centimetres: the unit POP's Palissy and Joconde
  guidelines prescribe. A unit written after the last measure ("H. 0,35 ; L. 0,48 m") also
  holds for the unit-less measures before it; "en cm :" at the head of a value holds for
  all that follow. When no unit is written and every length is below 1, the value is
  probably in metres: unsure, so nothing is returned. A weight without a unit is dropped.
- Codes: Palissy writes "h = 250 ; la = 120 ; pr = 40" where l is *longueur* and la
  *largeur*; Joconde writes "H. 65 ; l. 81" where l. is *largeur* and L. *longueur*, but
  many producers write "H. 65 ; L. 81" for a picture: L. is largeur when the value has H
  and no l. "24 x 30" (and "14, 9" for a postcard) is hauteur × largeur (× profondeur).
- MNR values had their commas turned into ';' ("H. 1;33;La. 0;47;P. 0;32 m"): a bare number
  right after a coded integer is its decimals (1.33), only when the value has no comma.
  A bare number left over elsewhere makes the whole value unsure: [] rather than a guess.
- ``note`` keeps what a measure is of, when the value says it: a label ("rondel : d = 20",
  "avec cadre : H. 47"), a qualifier ("Hauteur avec cadre en cm 44"), a numbered code
  ("48 H1"), a parenthesis ("(cuvette)"). Frame sizes inside parentheses are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Dimension:
    """One measurement: its kind, value and unit, and what it measures when not the whole."""

    kind: str  # hauteur, largeur, profondeur, diametre, longueur, epaisseur, poids, dimension
    value: float
    unit: str  # cm, m, mm, kg, g
    note: str = ""


def parse_dimensions(text: str) -> list[Dimension]:
    """A DIMS value → its measurements, in order; [] when nothing can be read for sure.

    >>> parse_dimensions("h = 250 ; la = 120")
    [Dimension(kind='hauteur', value=250.0, unit='cm', note=''), Dimension(kind='largeur', value=120.0, unit='cm', note='')]
    """
    try:
        return list(_parse(text))
    except Exception:  # a dirty value must never stop a load: unread is the answer
        return []


# --- patterns ------------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?:centim[eè]tres?|millim[eè]tres?|m[eè]tres?|kilogrammes?|grammes?|cm|mm|kg|m|g)(?![\w²³])"
)
_CODES = (
    r"(?:hauteur|largeur|longueur|profondeur|[eé]paisseur|diam[eè]tre|poids|haut|larg|long"
    r"|prof|[eé]pais|diam|dia|pds|ht|la|lo|pr|[eé]p|h|l|p|d|[eé])"
)
_CODE = rf"{_CODES}(?:/{_CODES})?"
_WORDS = rf"(?:\s+(?!en\b|{_UNIT})[^\d\s:=()]+)+?"  # "avec cadre", "de la feuille": not units
_CODE_FIRST = re.compile(
    rf"(?P<pre>autre\s+)?(?P<code>{_CODE})(?P<idx>\d)?\.?(?![a-z])"
    rf"(?P<qual>{_WORDS})??"
    rf"(?:\s*\(?en\s+(?P<u1>{_UNIT})\.?\)?)?(?:\s+(?P<u1b>{_UNIT})\.?)?"
    rf"(?P<qual2>{_WORDS})??"  # "H. en cm avec cadre 81"
    rf"\s*[:=]?\s*(?P<num>{_NUM})(?:\s*(?P<u2>{_UNIT})\.?)?",
    re.I,
)
_NUMBER_FIRST = re.compile(
    rf"(?P<num>{_NUM})\s*(?:(?P<u2>{_UNIT})\.?\s*)?(?P<code>{_CODE})(?P<idx>\d)?\.?(?![a-z])"
    rf"(?:\s*\(?en\s+(?P<u1>{_UNIT})\)?)?",
    re.I,
)
_X_FORM = re.compile(
    rf"(?P<head>[^\d]*?)\s*:?\s*(?P<n1>{_NUM})\s*(?P<ua>{_UNIT})?\.?\s*[x×]\s*"
    rf"(?P<n2>{_NUM})\s*(?P<ub>{_UNIT})?\.?(?:\s*[x×]\s*(?P<n3>{_NUM})\s*(?P<uc>{_UNIT})?\.?)?",
    re.I,
)
_HEAD_KINDS = re.compile(
    rf"(?P<k1>{_CODES})\.?\s*[x×]\s*(?P<k2>{_CODES})\.?(?:\s*[x×]\s*(?P<k3>{_CODES})\.?)?(?![a-z])",
    re.I,
)
_PAIR = re.compile(rf"(?P<a>{_NUM}),\s+(?P<b>{_NUM})\s*(?P<u>{_UNIT})?", re.I)
_PAREN_UNIT = re.compile(rf"(?:(?:en|in)\s+)?(?P<u>{_UNIT})\.?", re.I)  # "(en mm)", "(cm)"
_EN_UNIT = re.compile(rf"\(?\s*(?:en|in)\s+(?P<u>{_UNIT})\.?\s*\)?", re.I)
_HEAD = re.compile(
    rf"(?:autre\s+)?{_CODE}\d?\.?(?![a-z])(?:\s+[^\d:=]*?)?(?:\s*\(?en\s+{_UNIT}\.?\)?)?", re.I
)
_LABEL = re.compile(r"(?P<label>[^:=\d]+?)\s*:\s*(?=\S)")
_PAREN = re.compile(r"\s*\(([^()]*)\)")
_NUMBER_PAREN = re.compile(r"\((\d+)(?:,\s*(\d+))?\)")  # "H3 (20, 5)" = 20.5
_KINDS_PAREN = re.compile(rf"\(\s*({_CODES}(?:\s*[x×]\s*{_CODES})+)\s*\)", re.I)
_INLINE_X = re.compile(rf"(?<=[\dm.])\s*[x×]\s*(?={_CODES}\.?\s*\d)", re.I)
_SEGMENTS = re.compile(r"\s*;\s*|\s+,\s+")
_PIECES = re.compile(
    rf"\s*;\s*|\s*,\s*(?=[a-z])|\s+et\s+(?=[a-z])|,\s+(?=\d[\d.,]*\s*{_CODES}\b)"
    rf"|(?<=[\d.m])\s+(?={_CODES}(?=[.\s:=])\.?\s*[:=]?\s*\d)",  # "45.5 H, 62.5 L", "H: 22,7 L: 13,5"
    re.I,
)
_MNR_DECIMALS = re.compile(r"(?P<head>\b[a-z]{1,2}\.?\s*\d+);(?P<decimals>\d+)(?![\d.,])", re.I)
_PALISSY = re.compile(r"=|\b(?:la|pr)\s*[.:]?\s*\d")  # lower case: Joconde writes "Pr."
_DIMENSIONS_WORD = re.compile(r"^dimensions?(?:\s+de\s+l'(?:objet|oeuvre|œuvre))?\s*", re.I)
_SEGMENT_HEAD = re.compile(
    rf"(?:dim(?:ensions?\b|\.)(?:\s+de\s+l'(?:objet|oeuvre|œuvre))?\s*)?"
    rf"(?:\(?(?:en|in)\s+(?P<u>{_UNIT})\.?\)?\s*:?\s*)?",
    re.I,
)
_BARE_NUMBER = re.compile(rf"{_NUM}\s*(?:{_UNIT})?\.?", re.I)
_NOISE = re.compile(r"\b(?:dimensions?(?:\s+de\s+l'objet)?|en|in)\b\s*|^\W+|\W+$", re.I)
_SPACES = str.maketrans({**dict.fromkeys("\xa0\u202f\t\r\n", " "), **dict.fromkeys("’\x92", "'")})
_ACCENTS = str.maketrans("éèÉÈ", "eeee")
_UNITS = {"centimetre": "cm", "millimetre": "mm", "metre": "m", "gramme": "g", "kilogramme": "kg"}
_KINDS = {
    "hauteur": "hauteur", "haut": "hauteur", "ht": "hauteur", "h": "hauteur",
    "largeur": "largeur", "larg": "largeur", "la": "largeur",
    "longueur": "longueur", "long": "longueur", "lo": "longueur",
    "profondeur": "profondeur", "prof": "profondeur", "pr": "profondeur", "p": "profondeur",
    "epaisseur": "epaisseur", "epais": "epaisseur", "ep": "epaisseur", "e": "epaisseur",
    "diametre": "diametre", "diam": "diametre", "dia": "diametre", "d": "diametre",
    "poids": "poids", "pds": "poids",
}  # fmt: skip

# A measure before its kind is known: (code as written, value, unit or None, note).
_Raw = tuple[str, float, str | None, str]


# --- parsing -------------------------------------------------------------------------------


@lru_cache(maxsize=32768)
def _parse(text: str) -> tuple[Dimension, ...]:
    """Most values are "code number" parts joined by ';': one regex each; else the full parser."""
    raws: list[_Raw] = []
    for part in _SIMPLE_SPLIT.split(text) if "," in text else text.split(";"):
        m = _SIMPLE.fullmatch(part)
        if m is None:
            return _parse_full(text)
        if m["num"]:
            code, number, note = m["code"], m["num"], ""
            written = m["u1"] or m["u1b"] or m["u2"]
        else:
            code, number, written = m["code2"], m["num2"], None
            note = code + m["idx"] if m["idx"] else ""
        raws.append((code, _float(number), _unit(written) if written else None, note))
    return _resolve(raws, bool(_PALISSY.search(text)))


_SIMPLE = re.compile(
    r"\s*(?:(?P<code>hauteur|largeur|longueur|profondeur|[eé]paisseur|diam[eè]tre|h|la|lo|l|pr|p|d|e)"
    r"\.?(?:\s*en\s+(?P<u1>cm|mm|m)|\s+(?P<u1b>cm|mm|m))?\s*[=:]?\s*(?P<num>\d+(?:[.,]\d+)?)"
    r"(?:\s*(?P<u2>cm|mm|m)\.?)?"
    r"|(?P<num2>\d+(?:[.,]\d+)?)\s*(?P<code2>h|l|p|d|e)(?P<idx>\d)?)\s*",
    re.I,
)  # "h = 250", "H. 65", "Hauteur en cm 65", "Longueur cm 79", "h. 1,33 m", "31 H", "48 H1"
_SIMPLE_SPLIT = re.compile(r";|,\s*(?=[a-z])", re.I)  # "H. 131, l. 200"; not "H. 1,33"


def _parse_full(text: str) -> tuple[Dimension, ...]:
    """Every other form: labels, notes, "x" forms, number-first codes, MNR repair."""
    s = " ".join(text.translate(_SPACES).split())
    if "(" in s:
        s = _NUMBER_PAREN.sub(lambda m: m[1] + ("," + m[2] if m[2] else ""), s)
        s = _KINDS_PAREN.sub(r"\1", s)
    if not s:
        return ()
    m = _PAIR.fullmatch(s)  # "14, 9", "100, 64.5"
    if m:
        unit = _unit(m["u"]) if m["u"] else None
        raws = [("H", _float(m["a"]), unit, ""), ("l", _float(m["b"]), unit, "")]
        return _resolve(raws, palissy=False)
    s = _repair_mnr(s)
    palissy = bool(_PALISSY.search(s))
    raws: list[_Raw] = []
    label = ""
    context_unit: str | None = None
    for segment in _SEGMENTS.split(s):
        if not segment.strip():
            continue
        segment, notes, segment_unit = _strip_parens(segment)
        # "Dimensions", "en cm :", "Dimensions en m :"
        head = _SEGMENT_HEAD.match(segment) if segment[:1] in "dDeEiI(" else None
        if head and head.end():
            if head["u"]:
                context_unit = _unit(head["u"])
            segment = segment[head.end() :]
        if "x" in segment or "X" in segment or "×" in segment:
            done = _x_form(segment, notes, segment_unit or context_unit, label)
            if done is not None:
                raws.extend(done)
                continue
            segment = _INLINE_X.sub(" ; ", segment)  # "H 24 X L 44 X P 19 cm"
        m = _LABEL.match(segment) if ":" in segment else None
        if m and not _HEAD.fullmatch(m["label"].strip()):
            head = m["label"].strip()
            u = _EN_UNIT.search(head)
            if u:
                context_unit = _unit(u["u"])
            label = _clean_note(_EN_UNIT.sub(" ", head))
            segment = segment[m.end() :]
        for piece in _PIECES.split(segment):
            piece = piece.strip(" .:;")
            if piece[:1] in "dD":
                piece = _DIMENSIONS_WORD.sub("", piece)
            if not piece:
                continue
            raw = _measure(piece, segment_unit or context_unit, label, notes)
            if raw is not None:
                raws.append(raw)
            elif _BARE_NUMBER.fullmatch(piece):
                return ()  # a number with no code: which dimension? unsure
    return _resolve(raws, palissy)


def _repair_mnr(s: str) -> str:
    """ "H. 1;33;La. 0;47;P. 0;32 m" (MNR, commas made ';') → "H. 1.33;La. 0.47;P. 0.32 m".

    Only a ';' with no space around it, between a coded integer and digits, in a value with
    no comma left: "H. 65 ; 81" is not repaired (and then is unsure).
    """
    if "," in s or ";" not in s:
        return s
    return _MNR_DECIMALS.sub(r"\g<head>.\g<decimals>", s)


def _strip_parens(segment: str) -> tuple[str, list[str], str | None]:
    """Parentheses out of a segment: "(en mm)" is a unit, "(cuvette)" a note, "(40x50)" dropped."""
    notes: list[str] = []
    unit = None
    if "(" not in segment:
        return segment.strip(), notes, unit
    for content in _PAREN.findall(segment):
        content = content.strip()
        u = _PAREN_UNIT.fullmatch(content)
        if u:
            unit = _unit(u["u"])
        elif content and not any(ch.isdigit() for ch in content):
            notes.append(content)
    return _PAREN.sub("", segment).strip(), notes, unit


def _x_form(segment: str, notes: list[str], unit: str | None, label: str) -> list[_Raw] | None:
    """ "24 x 30", "H x L en cm sans cadre 36.8 x 60.8", "Hauteur x Diametre : 6,6 x 7,6 cm"."""
    m = _X_FORM.fullmatch(segment)
    if m is None:
        return None
    numbers = [m["n1"], m["n2"]] + ([m["n3"]] if m["n3"] else [])
    head = m["head"]
    kinds = _HEAD_KINDS.search(head)
    if kinds:
        codes = [k for k in kinds.groups() if k]
        head = head[: kinds.start()] + " " + head[kinds.end() :]
    elif head.strip() and _HEAD.match(head.strip()):
        return []  # "Longueur en cm 27 x 27": one code, several numbers
    else:
        codes = ["H", "l", "P"][: len(numbers)]
    if len(codes) < len(numbers):
        return []  # more numbers than the head names
    codes = codes[: len(numbers)]  # "H x L x P : 32.8 x 23 cm": H and L given
    u = _EN_UNIT.search(head)
    if u:
        unit = _unit(u["u"])
        head = _EN_UNIT.sub(" ", head)
    if re.search(r"centim[eè]tres?", head, re.I):
        unit, head = "cm", re.sub(r"centim[eè]tres?", " ", head, flags=re.I)
    written = [m["ua"], m["ub"], m["uc"]][: len(numbers)]
    last = next((_unit(w) for w in reversed(written) if w), None)
    note = _join(label, _clean_note(head), *notes)
    return [
        (code, _float(n), _unit(w) if w else last or unit, note)
        for code, n, w in zip(codes, numbers, written, strict=True)
    ]


def _measure(piece: str, unit: str | None, label: str, notes: list[str]) -> _Raw | None:
    """One coded measure: "h = 250", "H. en m 1,2", "Hauteur avec cadre en cm 44", "31 H"."""
    m = _CODE_FIRST.fullmatch(piece)
    if m:
        extra = []
        if m["pre"]:
            extra.append(m["pre"].strip())
        extra += [q.strip() for q in (m["qual"], m["qual2"]) if q and q.strip()]
    else:
        m = _NUMBER_FIRST.fullmatch(piece)
        if m is None:
            return None
        extra = []
    code = m["code"]
    if m["idx"]:
        extra.append(code + m["idx"])
    written = m["u2"] or m["u1"] or (m["u1b"] if "u1b" in m.groupdict() else None)
    note = _join(label, *extra, *notes)
    return (code, _float(m["num"]), _unit(written) if written else unit, note)


def _resolve(raws: list[_Raw], palissy: bool) -> tuple[Dimension, ...]:
    """Kinds and units once the whole value is known (L. means largeur only beside H.)."""
    codes = [raw[0] for raw in raws]
    has_l = "l" in codes
    has_h = any(c[0] in "hH" for c in codes)
    explicit = any(raw[2] for raw in raws)
    out: list[Dimension] = []
    for i, (code, value, unit, note) in enumerate(raws):
        kind = _kind(code, palissy, has_l, has_h)
        if unit is None and explicit:  # a unit written further on holds for those before it
            unit = next((r[2] for r in raws[i + 1 :] if r[2]), None)
        if kind == "poids":
            if unit not in ("g", "kg"):
                continue
        elif unit in ("g", "kg"):
            continue
        if value <= 0:
            continue
        out.append(Dimension(kind, value, unit or "cm", note))
    lengths = [d for d in out if d.kind != "poids"]
    if not explicit and lengths and all(d.value < 1 for d in lengths):
        return ()  # "Hauteur 0.410 ; Largeur 0.332": metres, surely, but not written
    return tuple(out)


def _kind(code: str, palissy: bool, has_l: bool, has_h: bool) -> str:
    if "/" in code:
        first, second = (_KINDS.get(c.lower().translate(_ACCENTS)) for c in code.split("/", 1))
        return first if first == second and first else "dimension"
    lower = code.lower()
    if lower == "l":
        if palissy:
            return "longueur"
        if code == "l":
            return "largeur"
        return "longueur" if has_l or not has_h else "largeur"
    return _KINDS.get(lower.translate(_ACCENTS), "dimension")


def _unit(text: str) -> str:
    lower = text.lower().translate(_ACCENTS).rstrip("s")
    return _UNITS.get(lower, lower)


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _clean_note(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text).split())


def _join(*notes: str) -> str:
    return ", ".join(n for n in notes if n)
