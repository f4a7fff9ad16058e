"""How each kind of generated field draws its values, a column at a time (for pop_ld.generate).

A kind turns its entry of mappings/generator.toml into a function ``draw(rng, cols, gate)``
that returns one value per notice of a group ("" where ``gate`` says the notice has no such
field). Drawing column by column keeps the inner loops in list comprehensions: the
generator has to write tens of thousands of notices a second, far ahead of the mapper.
Only ``Random.random()`` is used: it is the one method whose sequence Python keeps stable.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from random import Random
from typing import Any

from pop_ld.synth import (
    MONTHS,
    POOL,
    SEP,
    Cols,
    Draw,
    Template,
    Vocab,
    century_span,
    clean,
    counts,
    from_pool,
    full_names,
    fused,
    lambert93,
    mixture,
    notice_values,
    per,
    pooled,
    table,
    vocab,
    with_extra,
)


# -- the kinds: entry (for one REF prefix) → draw(rng, cols, gate) -------------------------
def k_context(spec: dict, prefix: str) -> Draw:
    """The notice's place: REG, DPT, COM, WCOM, INSEE from its commune."""
    key = spec["key"]
    return lambda rng, cols, gate: [
        p[key] if g else "" for p, g in zip(cols["_place"], gate, strict=True)
    ]


def k_vocab(spec: dict, prefix: str) -> Draw:
    """Weighted vocabulary values; several joined with " ; " when ``count`` says so."""
    v = mixture(per(spec["vocab"], prefix))
    count = per(spec.get("count", 1), prefix)
    if count == 1:
        values, cum, hi = v.values, v.cum, v.hi
        fill = spec.get("_fill", 1.0)
        scale = cum[-1] / fill  # one random() decides both: u < fill, then which value

        def draw_one(rng: Random, cols: Cols, gate: list) -> list[str]:
            r = rng.random
            return [
                values[bisect_right(cum, u * scale, 0, hi)] if g and (u := r()) < fill else ""
                for g in gate
            ]

        return clean(fused(draw_one), values)
    n = counts(count)
    return from_pool(pooled(spec, lambda rng: SEP.join(v.pick_many(rng, n.pick(rng)))))


def k_row(spec: dict, prefix: str) -> Draw:
    """One column of a row drawn once per notice (a Palissy object's DENO, CATE, MATR)."""
    name, column = spec["table"], spec["column"]
    rows = Vocab([(tuple(r[:-1]), r[-1]) for r in table()["rows"][name]])
    key = "_row:" + name

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        if key not in cols:  # one row per notice, shared by the fields that read it
            cols[key] = [rows.pick(rng) for _ in gate]
        return [row[column] if g else "" for row, g in zip(cols[key], gate, strict=True)]

    return draw


def k_centuries(spec: dict, prefix: str) -> Draw:
    """SCLE-like century labels in time order; their years go to later fields."""
    v = mixture(per(spec["vocab"], prefix))
    n = counts(per(spec.get("count", 1), prefix))
    spans = {value: century_span(value) for value in v.values}
    order = {value: (span or (9999, 0))[0] for value, span in spans.items()}
    key = "_spans:" + spec["code"]

    def one(rng: Random) -> tuple[str, list]:
        chosen = sorted(v.pick_many(rng, n.pick(rng)), key=order.__getitem__)
        return SEP.join(chosen), [spans[c] for c in chosen if spans[c]]

    return with_extra(pooled(spec, one, None), key)


def k_years(spec: dict, prefix: str) -> Draw:
    """DATE: years inside the notice's centuries, in POP's forms ("1520 vers")."""
    key = "_spans:" + spec["from"]
    n = counts(spec.get("count", 1))
    forms = Vocab([(f, w) for f, w in spec.get("forms", [["{y}", 1]])])

    def one(rng: Random, spans: list | None) -> str:
        spans = spans or [(1500, 1950)]
        years = set()
        for _ in range(n.pick(rng)):
            a, b = spans[int(rng.random() * len(spans))]
            years.add(a + int(rng.random() * (b - a + 1)))
        return SEP.join(forms.pick(rng).format(y=y) for y in sorted(years))

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        spans = cols.get(key) or [None] * len(gate)
        return [one(rng, s) if g else "" for s, g in zip(spans, gate, strict=True)]

    return draw


def k_parallel(spec: dict, prefix: str) -> Draw:
    """One value per value of another field (JDAT per DATE, JATT per AUTR)."""
    v, source = mixture(per(spec["vocab"], prefix)), spec["per"]
    pools = {
        n: pooled(spec, lambda rng, n=n: SEP.join(v.pick(rng) for _ in range(n)))
        for n in range(1, 5)
    }

    def one(rng: Random, n: int) -> str:
        pool = pools.get(n)
        return pool[int(rng.random() * POOL)] if pool else SEP.join(v.pick(rng) for _ in range(n))

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        return [
            one(rng, other.count(SEP) + 1) if g else ""
            for other, g in zip(cols[source], gate, strict=True)
        ]

    return draw


def k_protection(spec: dict, prefix: str) -> Draw:
    """DPRO: dated protection events, "1949/07/02 : classé MH ; …"."""
    statuses = mixture(per(spec["statuses"], prefix))
    n, decades = counts(spec["count"]), vocab(spec["decades"])
    year_only, share = vocab(spec["year_only"]), float(spec.get("year_only_share", 0.0))

    def events(rng: Random) -> list[tuple[int, int, int, str]]:
        found = []
        for k in range(n.pick(rng)):
            status = statuses.pick(rng)
            if k == 0 and share and rng.random() < share:  # "1840 : classé MH", a list entry
                found.append((year_only.pick(rng), 0, 0, status))
                continue
            year = min(decades.pick(rng) + int(rng.random() * 10), 2024)
            found.append((year, 1 + int(rng.random() * 12), 1 + int(rng.random() * 28), status))
        return sorted(found)

    def one(rng: Random) -> tuple[str, list]:
        found = events(rng)
        return SEP.join(
            f"{y}/{m:02d}/{d:02d} : {s}" if m else f"{y} : {s}" for y, m, d, s in found
        ), found

    return with_extra(pooled(spec, one, None), "_events")


def k_protection_text(spec: dict, prefix: str) -> Draw:
    """PPRO: one phrase per DPRO event, "Eglise : classement par arrêté du 2 juillet 1949"."""
    parts, acts = vocab(spec["parts"]), vocab(spec["acts"])
    by_kind = {
        kind: Vocab(
            [(a, w) for a, w in zip(acts.values, acts.weights(), strict=True) if a.startswith(kind)]
        )
        for kind in ("classement", "inscription")
    }

    def one(rng: Random, events: list) -> str:
        out = []
        for y, m, d, status in events:
            part = parts.pick(rng)
            if not m:
                out.append(f"{part} : classement par liste de {y}")
                continue
            act = by_kind["inscription" if status.startswith("inscrit") else "classement"].pick(rng)
            out.append(f"{part} : {act} du {'1er' if d == 1 else d} {MONTHS[m - 1]} {y}")
        return SEP.join(out)

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        return [one(rng, e) if g and e else "" for e, g in zip(cols["_events"], gate, strict=True)]

    return draw


def k_protection_types(spec: dict, prefix: str) -> Draw:
    """PROT: the statuses of the DPRO events, or ``unprotected``."""
    unprotected = per(spec.get("unprotected"), prefix) or ""

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        found = cols.get("_events") or [None] * len(gate)
        return [
            (SEP.join(dict.fromkeys(ev[3] for ev in e)) if e else unprotected) if g else ""
            for e, g in zip(found, gate, strict=True)
        ]

    return draw


#: Keys every notice has: prose never lacks them.
ALWAYS = {"year", "year2", "reg", "dpt", "com", "wcom", "insee"}
#: Paragraphs drawn in advance per set of keys a notice has (its ``mask``).
PARAGRAPHS = 256


def k_prose(spec: dict, prefix: str) -> Draw:
    """HIST, DESC: paragraphs of sentences, drawn in advance, filled per notice.

    A notice without AUTR cannot say who built it: paragraphs are drawn for each set of
    optional keys (author, century, DENO…) from the sentences that set allows.
    """
    sentences = [Template(text) for text in table()["prose"][spec["sentences"]]]
    used = {key for t in sentences for key in t.keys}
    keys = sorted(used - {"year", "year2", "century", "author"})
    optional = sorted(used - ALWAYS)
    length = counts(per(spec["length"], prefix))
    paragraphs: dict[int, list[str]] = {}

    def paragraphs_for(mask: int) -> list[str]:
        found = paragraphs.get(mask)
        if found is None:  # each set has its own stream: drawing it late changes nothing
            allowed = {key for b, key in enumerate(optional) if mask >> b & 1} | ALWAYS
            usable = [t for t in sentences if set(t.keys) <= allowed] or sentences[:1]
            rng = Random(f"pool:{spec['_stream']}:{mask}")
            found = paragraphs[mask] = [
                _paragraph(rng, usable, length.pick(rng)) for _ in range(PARAGRAPHS)
            ]
        return found

    def one(rng: Random, cols: Cols, k: int) -> str:
        values = notice_values(cols, k, keys)
        found = cols.get("_spans:SCLE")
        spans = (found[k] if found else None) or [(1700, 1899)]
        first, last = spans[0], spans[-1]
        year = first[0] + int(rng.random() * (first[1] - first[0] + 1))
        values["year"] = str(year)
        values["year2"] = str(min(max(year, last[1]) + 1 + int(rng.random() * 80), 2020))
        if found and found[k]:
            values["century"] = cols["SCLE"][k].split(SEP)[0]
        author = cols["AUTR"][k].split(SEP)[0] if "AUTR" in cols else ""
        if author and "inconnu" not in author:
            values["author"] = author.split(" (")[0]
        mask = sum(1 << b for b, key in enumerate(optional) if key in values)
        pool = paragraphs_for(mask)
        try:
            return pool[int(rng.random() * PARAGRAPHS)].format_map(values)
        except KeyError:  # a key of ALWAYS is missing: no prose rather than a wrong one
            return ""

    return lambda rng, cols, gate: [one(rng, cols, k) if g else "" for k, g in enumerate(gate)]


def _paragraph(rng: Random, sentences: list[Template], target: int) -> str:
    """Sentences in a random order, without repeats, until ``target`` characters."""
    count = len(sentences)
    strides = [s for s in range(1, count) if math.gcd(s, count) == 1] or [1]
    start, stride = int(rng.random() * count), strides[int(rng.random() * len(strides))]
    text: list[str] = []
    size = 0
    for t in range(count):
        text.append(sentences[(start + t * stride) % count].form(rng))
        size += len(text[-1]) + 1
        if size >= target:
            break
    return " ".join(text)


def k_coordinates(spec: dict, prefix: str) -> Draw:
    """POP_COORDONNEES.lat / .lon: a point near the commune."""
    if spec["axis"] == "lon":
        return lambda rng, cols, gate: [
            f"{p[1]:.6f}" if p and g else "" for p, g in zip(cols["_point"], gate, strict=True)
        ]
    jitter = float(spec.get("jitter", 0.02))

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        points = cols["_point"] = [
            near(rng, p, jitter) if g else None for p, g in zip(cols["_place"], gate, strict=True)
        ]
        return [f"{p[0]:.6f}" if p else "" for p in points]

    return draw


def near(rng: Random, place: dict, jitter: float) -> tuple[float, float]:
    """A point around the commune's position (±jitter degrees, wider in longitude)."""
    dlat = (rng.random() - 0.5) * 2 * jitter
    dlon = (rng.random() - 0.5) * 2.8 * jitter  # a degree of longitude is ~0.7 of latitude's
    return place["_lat"] + dlat, place["_lon"] + dlon


def k_lambert93(spec: dict, prefix: str) -> Draw:
    """COOR in Lambert 93 metres, at the notice's point (ZONE says "Lambert93")."""
    formats = Vocab([(f, w) for f, w in spec["formats"]])
    jitter = float(spec.get("jitter", 0.02))

    def one(rng: Random, place: dict, point: tuple[float, float] | None) -> str:
        if place["dpt"].startswith("97"):  # Lambert 93 covers mainland France only
            return ""
        x0, y0, xa, xo, ya, yo = place.get("_l93") or _tangent(place)
        lat, lon = point or near(rng, place, jitter)
        lat, lon = lat - place["_lat"], lon - place["_lon"]
        return formats.pick(rng).format(
            x=round(x0 + xa * lat + xo * lon), y=round(y0 + ya * lat + yo * lon)
        )

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        points = cols.get("_point") or [None] * len(gate)
        return [
            one(rng, p, q) if g else ""
            for p, q, g in zip(cols["_place"], points, gate, strict=True)
        ]

    return draw


def _tangent(place: dict) -> tuple[float, ...]:
    """Lambert 93 at the commune and its derivatives: within a few km, exact to a metre."""
    lat, lon, h = place["_lat"], place["_lon"], 0.01
    x0, y0 = lambert93(lat, lon)
    x1, y1 = lambert93(lat + h, lon)
    x2, y2 = lambert93(lat, lon + h)
    place["_l93"] = found = (x0, y0, (x1 - x0) / h, (x2 - x0) / h, (y1 - y0) / h, (y2 - y0) / h)
    return found


def k_iso_date(spec: dict, prefix: str) -> Draw:
    """DMIS, DMAJ: "2019-04-23", on or after an earlier date field when asked."""
    days = _days()
    low = days.index(f"{spec['between'][0]}-01-01")
    high = days.index(f"{spec['between'][1]}-12-31")
    after = spec.get("after")
    key = "_day:" + spec["code"]

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        r = rng.random
        earlier = cols.get("_day:" + after) if after else None
        if earlier is None:
            picked = [low + int(r() * (high - low + 1)) if g else -1 for g in gate]
        else:  # on or after the earlier date (DMAJ after DMIS)
            picked = [
                max(e, low) + int(r() * (high - max(e, low) + 1)) if g else -1
                for e, g in zip(earlier, gate, strict=True)
            ]
        cols[key] = picked
        return [days[d] if d >= 0 else "" for d in picked]

    return draw


@cache
def _days() -> list[str]:
    """Every day from 1900 to 2030, ISO-formatted: a date is then one index."""
    import datetime

    first, last = datetime.date(1900, 1, 1), datetime.date(2030, 12, 31)
    return [
        (first + datetime.timedelta(days=d)).isoformat() for d in range((last - first).days + 1)
    ]


def k_year(spec: dict, prefix: str) -> Draw:
    """DENQ, DBOR, DMORT: a year, ``gap`` years after an earlier one when asked."""
    low, high = spec["between"]
    after = spec.get("after")
    least, most = spec.get("gap", [0, 3])

    def one(rng: Random, earlier: str) -> str:
        if earlier:  # DBOR 0–3 years after DENQ, DMORT a lifetime after DNAISS
            return str(min(int(earlier) + least + int(rng.random() * (most - least + 1)), high))
        return str(low + int(rng.random() * (high - low + 1)))

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        earlier = cols.get(after) if after else None
        return [one(rng, earlier[k] if earlier else "") if g else "" for k, g in enumerate(gate)]

    return draw


def k_person(spec: dict, prefix: str) -> Draw:
    """NOMS, PERS: synthetic "Nom Prénom" names, with a role in parentheses if asked."""
    names = full_names()
    roles = vocab(spec["roles"]) if "roles" in spec else None
    n = counts(spec.get("count", 1))

    def one(rng: Random) -> str:
        found = names.pick_many(rng, n.pick(rng))
        return (
            SEP.join(f"{name} ({roles.pick(rng)})" for name in found) if roles else SEP.join(found)
        )

    return from_pool(pooled(spec, one))


#: Template forms drawn in advance per set of fields a notice has.
FORMS = 256


def k_template(spec: dict, prefix: str) -> Draw:
    """Weighted templates; a notice gets one whose fields it has ("{DENO} {APPL}" needs APPL)."""
    listed = [(Template(text), w) for text, w in per(spec["templates"], prefix)]
    keys = sorted({key for t, _ in listed for key in t.keys})
    if not keys:
        if len(listed) == 1 and len(listed[0][0].forms) == 1:  # a constant
            constant = listed[0][0].fill(Random(0), {})
            return lambda rng, cols, gate: [constant if g else "" for g in gate]
        choice = Vocab(listed)
        return from_pool(pooled(spec, lambda rng: choice.pick(rng).fill(rng, {})))
    pools: dict[int, list[str]] = {}

    def forms_for(mask: int) -> list[str]:
        found = pools.get(mask)
        if found is None:  # each set of fields has its own stream: drawing it late changes nothing
            present = {key for b, key in enumerate(keys) if mask >> b & 1}
            allowed = [(t, w) for t, w in listed if set(t.keys) <= present]
            rng = Random(f"pool:{spec['_stream']}:{mask}")
            choice = Vocab(allowed) if allowed else None
            found = pools[mask] = (
                [choice.pick(rng).form(rng) for _ in range(FORMS)] if choice else []
            )
        return found

    def one(rng: Random, cols: Cols, k: int) -> str:
        values = notice_values(cols, k, keys)
        mask = 0
        for b, key in enumerate(keys):
            if key in values:
                mask |= 1 << b
        forms = forms_for(mask)
        return forms[int(rng.random() * FORMS)].format_map(values) if forms else ""

    if set(keys) <= PLACE_KEYS:  # "(c) Inventaire général Région {reg}": once per commune
        cache_key = "_texts:" + spec["_stream"]

        def texts(place: dict) -> list[str]:
            found = place.get(cache_key)
            if found is None:
                values = {key: place[key] for key in keys if place.get(key)}
                mask = sum(1 << b for b, key in enumerate(keys) if key in values)
                found = place[cache_key] = [
                    form.format_map(values) for form in forms_for(mask)
                ] or [""]
            return found

        def by_place(rng: Random, cols: Cols, gate: list) -> list[str]:
            r = rng.random
            return [
                (found := texts(p))[int(r() * len(found))] if g else ""
                for p, g in zip(cols["_place"], gate, strict=True)
            ]

        return by_place
    return lambda rng, cols, gate: [one(rng, cols, k) if g else "" for k, g in enumerate(gate)]


PLACE_KEYS = {"reg", "dpt", "com", "wcom", "insee", "reg_former"}


def k_link(spec: dict, prefix: str, base: Any) -> Draw:
    """A link to an earlier notice of ``target`` (index ≤ reach × i; same base: < i).

    A target whose REFs name a département (Mérimée, Palissy) gives a notice of the same
    département; one whose REFs are plain counters (Museo, Autor…), any. ``target`` may be
    a weighted list ([["merimee", 8], ["palissy", 2]]); ``form`` names the target by its
    fields instead of its REF ("{VILLE_M} ; {NOMOFF}", "{NOM} {PREN}").
    """
    choice = per(spec["target"], prefix)
    names = Vocab([(choice, 1)] if isinstance(choice, str) else [(t, w) for t, w in choice])
    reach = {name: link_reach(spec.get("reach", 1.0), base.name, name) for name in names.values}
    form = spec.get("form")
    targets: dict[str, Any] = {}

    def one(rng: Random, i: int, dpt: str | None) -> tuple[str, tuple | None]:
        name = names.values[0] if len(names.values) == 1 else names.pick(rng)
        target = targets.get(name)
        if target is None:  # compiled on first use: the target may be this very base
            target = targets[name] = base if name == base.name else base.other(name)
        limit = i - 1 if target is base else int(i * reach[name])
        if limit < 0:
            return "", None
        if target.dpt_positions:  # a notice of the same département
            positions = target.dpt_positions.get(dpt if dpt else base.place(i)["dpt"])
            if not positions:
                return "", None
            full, rest = divmod(limit, target.slots)
            candidates = full * len(positions) + bisect_right(positions, rest)
            if not candidates:
                return "", None
            block, index = divmod(int(rng.random() * candidates), len(positions))
            j = block * target.slots + positions[index]
        else:
            j = int(rng.random() * (limit + 1))
        if form is None:
            return target.ref(j), (target, j)
        try:
            return form.format_map(target.notice(j)), (target, j)
        except KeyError:  # the target lacks a field the form names: no link
            return "", None

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        places = cols.get("_place")
        dpts = [p["dpt"] for p in places] if places else cols["_series"]
        found = [
            one(rng, i, d) if g else ("", None)
            for i, d, g in zip(cols["_i"], dpts, gate, strict=True)
        ]
        cols["_link"] = cols["_link:" + spec["code"]] = [link for _, link in found]
        return [ref for ref, _ in found]

    return draw


def link_reach(reach: float | str, source: str, target: str) -> float:
    """``reach``, or for "pop" the target's size in POP over the source's (at most 1): a
    set generated in POP's proportions (pop_ld.generate.pop_counts) then holds every target.

    >>> link_reach("pop", "joconde", "museo") < 0.01, link_reach("pop", "museo", "merimee")
    (True, 1.0)
    """
    if reach != "pop":
        return float(reach)
    counts = table()["pop"]["notices"]
    return min(1.0, counts[target] / counts[source])


def k_linked(spec: dict, prefix: str) -> Draw:
    """Fields of the notice a link field drew, in a form: LOCA "{VILLE_M} ; {NOMOFF}" of
    Joconde's MUSEO, AUTP "{NOM}, {PREN} (photographe)" of Mémoire's LAUTP."""
    form, key = spec["form"], "_link:" + spec["from"]

    def one(link: tuple | None) -> str:
        if link is None:
            return ""
        try:
            return form.format_map(link[0].notice(link[1]))
        except KeyError:  # the target lacks a field the form names
            return ""

    def draw(rng: Random, cols: Cols, gate: list) -> list[str]:
        links = cols.get(key) or [None] * len(gate)
        return [one(link) if g else "" for link, g in zip(links, gate, strict=True)]

    return draw


KINDS: dict[str, Callable[..., Draw]] = {
    "context": k_context,
    "vocab": k_vocab,
    "row": k_row,
    "centuries": k_centuries,
    "years": k_years,
    "parallel": k_parallel,
    "protection": k_protection,
    "protection_text": k_protection_text,
    "protection_types": k_protection_types,
    "prose": k_prose,
    "coordinates": k_coordinates,
    "lambert93": k_lambert93,
    "iso_date": k_iso_date,
    "year": k_year,
    "person": k_person,
    "template": k_template,
    "link": k_link,
    "linked": k_linked,
}
#: Kinds that need the compiled base (REF series of a target), not only their entry.
NEEDS_BASE = {"link"}
#: Kinds whose values never hold ';' or '"', so the CSV writer need not look at them.
PLAIN = {"context", "coordinates", "iso_date", "year"}
