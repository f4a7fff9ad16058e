"""The generator's building blocks: weighted vocabularies, pools drawn in advance, templates.

Also the two conversions synthetic notices need: Lambert 93 from WGS84 (COOR) and the
years a POP century label covers (DATE inside SCLE). Everything draws with
``Random.random()`` alone: it is the one method whose sequence Python keeps stable.
"""

from __future__ import annotations

import math
import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from itertools import accumulate
from random import Random
from typing import Any

from pop_ld import ROOT

TABLE = ROOT / "mappings" / "generator.toml"
SEP = " ; "
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

#: (month, day) pairs a protection can fall on (the 29th–31st are left out, for simplicity).
MONTH_DAYS = [(m, d) for m in range(1, 13) for d in range(1, 29)]

Cols = dict[str, list]
Draw = Callable[[Random, Cols, list], list[str]]


@cache
def table() -> dict[str, Any]:
    """mappings/generator.toml, parsed once."""
    with open(TABLE, "rb") as f:
        return tomllib.load(f)


class Vocab:
    """Weighted values; ``pick`` is one ``random()`` and a bisection."""

    __slots__ = ("values", "cum", "hi")

    def __init__(self, pairs: list[tuple[Any, float]]) -> None:
        pairs = [(v, w) for v, w in pairs if w > 0]
        if not pairs:
            raise ValueError("empty vocabulary")
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(float(w) for _, w in pairs))
        self.hi = len(self.values) - 1

    def pick(self, rng: Random) -> Any:
        return self.values[bisect_right(self.cum, rng.random() * self.cum[-1], 0, self.hi)]

    def pick_many(self, rng: Random, k: int) -> list[Any]:
        """k distinct values (fewer if the vocabulary runs short)."""
        out: list[Any] = []
        for _ in range(3 * k):
            value = self.pick(rng)
            if value not in out:
                out.append(value)
                if len(out) == k:
                    break
        return out

    def weights(self) -> list[float]:
        return [b - a for a, b in zip([0.0, *self.cum[:-1]], self.cum, strict=True)]


@cache
def vocab(name: str) -> Vocab:
    """A named list of ``[value, weight]`` pairs, from [vocab] or [learned]."""
    t = table()
    pairs = t.get("vocab", {}).get(name) or t.get("learned", {}).get(name)
    if pairs is None:
        raise ValueError(f"no vocabulary named {name!r}")
    return Vocab([(v, w) for v, w in pairs])


def mixture(spec: str | list) -> Vocab:
    """A vocabulary, or a mixture ``[[name, share], …]`` of vocabularies."""
    if isinstance(spec, str):
        return vocab(spec)
    pairs: list[tuple[Any, float]] = []
    for name, share in spec:
        part = vocab(name)
        pairs += [
            (v, w * share / part.cum[-1]) for v, w in zip(part.values, part.weights(), strict=True)
        ]
    return Vocab(pairs)


def counts(spec: int | str | list) -> Vocab:
    """How many values: a constant, a named ``[[n, weight], …]`` list, or one written inline."""
    if isinstance(spec, int):
        return Vocab([(spec, 1)])
    return vocab(spec) if isinstance(spec, str) else Vocab([(int(n), w) for n, w in spec])


def per(value: Any, prefix: str) -> Any:
    """A setting for one REF prefix: ``{PA = x, IA = y}`` picks, anything else applies to all."""
    return value.get(prefix) if isinstance(value, dict) else value


def lambert93(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 degrees → Lambert 93 metres (IGN's conformal conic formulas on GRS80).

    >>> [round(v) for v in lambert93(46.5, 3.0)]
    [700000, 6600000]
    """
    e, n, c = 0.0818191910428158, 0.7256077650532670, 11754255.4261
    phi = math.radians(lat)
    es = e * math.sin(phi)
    iso = math.log(math.tan(math.pi / 4 + phi / 2) * ((1 - es) / (1 + es)) ** (e / 2))
    r = c * math.exp(-n * iso)
    gamma = n * math.radians(lon - 3.0)
    return 700000 + r * math.sin(gamma), 12655612.0499 - r * math.cos(gamma)


_CENTURY = re.compile(r"(\d+)(?:e|er|ème) siècle")
_QUALIFIERS = [
    ("1er quart", 0, 24), ("2e quart", 25, 49), ("3e quart", 50, 74), ("4e quart", 75, 99),
    ("1ère moitié", 0, 49), ("2e moitié", 50, 99), ("milieu", 40, 60), ("début", 0, 15),
    ("fin", 85, 99), ("limite", 90, 109),
]  # fmt: skip


def century_span(label: str) -> tuple[int, int] | None:
    """The years a POP century label covers, so DATE falls inside SCLE.

    >>> century_span("2e moitié 12e siècle"), century_span("Moyen Age")
    ((1150, 1199), None)
    """
    m = _CENTURY.search(label)
    if not m:
        return None
    start = (int(m.group(1)) - 1) * 100
    for qualifier, a, b in _QUALIFIERS:
        if label.startswith(qualifier):
            return start + a, start + b
    return start, start + 99


# -- templates ----------------------------------------------------------------------------
_TOKEN = re.compile(r"\{([^{}]+)\}")
#: Forms drawn in advance for a template with free tokens ({v:…}, {n:…}, {person}…).
VARIANTS = 128


@cache
def full_names() -> Vocab:
    """Synthetic "Nom Prénom" names (POP's index form), weighted by both lists."""
    surnames, firstnames = vocab("surnames"), vocab("firstnames")
    return Vocab(
        [
            (f"{s} {f}", ws * wf)
            for s, ws in zip(surnames.values, surnames.weights(), strict=True)
            for f, wf in zip(firstnames.values, firstnames.weights(), strict=True)
        ]
    )


class Template:
    """A text with placeholders: free ones are drawn in advance into VARIANTS forms, the
    notice's own ({CODE}, {reg}, {year}…) are filled per notice by ``str.format_map``.

    Free tokens: {v:NAME} a vocab value, {n:A-B} an integer, {person} a full name,
    {surname} a family name. Drawn once, in advance, they leave a template at one
    ``random()`` and one ``format_map`` per notice.
    """

    __slots__ = ("forms", "keys")

    def __init__(self, text: str) -> None:
        pieces: list[Callable[[Random], str] | str] = []
        self.keys: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            pieces.append(_escape(text[pos : m.start()]))
            token = m.group(1)
            if token.startswith("v:"):
                pieces.append(_picker(vocab(token[2:])))
            elif token.startswith("n:"):
                low, high = (int(x) for x in token[2:].split("-"))
                pieces.append(
                    lambda rng, low=low, size=high - low + 1: str(low + int(rng.random() * size))
                )
            elif token == "person":
                pieces.append(lambda rng: _escape(full_names().pick(rng)))
            elif token == "surname":
                pieces.append(lambda rng: _escape(vocab("surnames").pick(rng)))
            else:
                pieces.append("{" + token + "}")
                self.keys.append(token)
            pos = m.end()
        pieces.append(_escape(text[pos:]))
        if all(isinstance(p, str) for p in pieces):
            self.forms = ["".join(pieces)]  # type: ignore[arg-type]
        else:
            rng = Random(f"template:{text}")
            self.forms = [
                "".join(p if isinstance(p, str) else p(rng) for p in pieces)
                for _ in range(VARIANTS)
            ]

    def form(self, rng: Random) -> str:
        """One of the forms: a ``str.format`` pattern of the notice's keys."""
        forms = self.forms
        return forms[int(rng.random() * len(forms))] if len(forms) > 1 else forms[0]

    def fill(self, rng: Random, values: dict[str, str]) -> str:
        """One form filled with the notice's values; KeyError when one of them is absent."""
        return self.form(rng).format_map(values)


def _picker(v: Vocab) -> Callable[[Random], str]:
    return lambda rng: _escape(v.pick(rng))


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def notice_values(cols: Cols, k: int, keys: list[str]) -> dict[str, str]:
    """Notice k's non-empty values for ``keys``: fields by POP code, place by reg, dpt, com…"""
    place = cols["_place"][k]
    out = {}
    for key in keys:
        col = cols.get(key)
        value = col[k] if col is not None else place.get(key, "")
        if value:
            out[key] = value
    return out


#: Values drawn in advance for a field that does not depend on the rest of its notice: a
#: notice then costs one ``random()`` (MURS "calcaire ; enduit", NOMS, ADRS, DPRO…).
POOL = 2048


def pooled(spec: dict, make: Callable[[Random], Any], empty: Any = "") -> list:
    """POOL draws of ``make`` from the field's own stream (base, seed, field, prefix), and
    as many ``empty`` as the fill rate leaves out: the pool carries the fill rate too."""
    rng = Random("pool:" + spec["_stream"])
    filled = round(spec.get("_fill", 1.0) * POOL)
    return [make(rng) for _ in range(filled)] + [empty] * (POOL - filled)


def clean(draw: Draw, values: list) -> Draw:
    """Mark a draw whose every value is CSV-safe (no ';', no '"'): the writer skips the check."""
    safe = all(";" not in v and '"' not in v for v in values if isinstance(v, str))
    draw.plain = safe  # type: ignore[attr-defined]
    return draw


def fused(draw: Draw) -> Draw:
    """Mark a draw that applies the fill rate itself (the engine then draws no gate)."""
    draw.fused = True  # type: ignore[attr-defined]
    return draw


def from_pool(pool: list) -> Draw:
    """A draw that takes each notice's value from a pool."""
    size = len(pool)

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        r = rng.random
        return [pool[int(r() * size)] if g else "" for g in gate]

    return clean(fused(draw), pool)


def with_extra(pool: list[tuple[str, Any]], key: str) -> Draw:
    """A pooled draw of (value, extra): the extra goes to column ``key`` for later fields."""
    size = len(pool)

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        r = rng.random
        picked = [pool[int(r() * size)] if g else None for g in gate]
        cols[key] = [p[1] if p else None for p in picked]
        return [p[0] if p else "" for p in picked]

    return clean(fused(draw), [p[0] for p in pool if p])
