"""Synthetic POP notices for scale tests: any N, deterministic, shaped like the real corpus.

What a notice looks like is data, in mappings/generator.toml: fill rates per REF prefix,
vocabularies learned from ../shared/corpus (bench/learn_generator.py), real communes with
their INSEE codes. pop_ld/draws.py knows how each kind of field is drawn; this module deals
REFs and places, runs the kinds over chunks of notices and writes POP's CSV export.

Determinism: notices are drawn by chunks of 1,024, each chunk from its own stream
``Random("base:seed:chunk")`` and always whole, so notice i depends on (base, seed, i) alone:
the first 100k notices of a 1M file are the 100k file, byte for byte. REFs and places come
from counters, not from the streams, so a Palissy object names its Mérimée building (REFA)
and stands in the same commune without drawing Mérimée.
"""

from __future__ import annotations

import hashlib
import os
import sys
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from random import Random
from typing import TextIO

from pop_ld.draws import KINDS, NEEDS_BASE, PLAIN, link_reach
from pop_ld.synth import TABLE, Cols, Draw, Vocab, per, table

#: Records end with CRLF, as in data.culture.gouv.fr's exports; fields are ';'-separated and
#: quoted only when they must be (csv.QUOTE_MINIMAL): multi-values hold ';', so they are.
EOL = "\r\n"
#: Below this many notices one process is faster than starting workers.
PARALLEL_FROM = 50_000
#: Chunks per job sent to a worker process.
BATCH = 8
#: Chunks of a link target's notices kept drawn (Base.notice).
CHUNKS_KEPT = 64

Step = tuple[str, float, "str | None", Draw]


def bases() -> list[str]:
    """The bases the generator table describes."""
    return [name for name, spec in table().items() if isinstance(spec, dict) and "fields" in spec]


def unit(key: int, i: int) -> float:
    """A float in [0, 1) from (key, i) by splitmix64: random access, no stream to replay."""
    z = (key + (i + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return ((z ^ (z >> 31)) >> 11) * (1.0 / (1 << 53))


class Base:
    """One base's table compiled for one seed: REF series, places, and the steps per prefix."""

    def __init__(self, name: str, seed: int) -> None:
        spec = table().get(name)
        if not isinstance(spec, dict) or "fields" not in spec:
            raise ValueError(f"no generator for base {name!r} (have: {', '.join(bases())})")
        self.name, self.seed, self.spec = name, seed, spec
        self.columns: list[str] = spec["columns"]
        #: prefixes whose REF is a plain counter of this many digits, with no département
        self.digits: dict[str, int] = spec.get("digits", {})
        kinds = {e.get("code", k): e["kind"] for k, e in spec["fields"].items()}
        plain = {"REF"} | {code for code, kind in kinds.items() if kind in PLAIN}
        self.slots: int = table()["generator"]["slots"]
        self.chunk: int = table()["generator"]["chunk"]
        digest = hashlib.blake2b(f"{name}:{seed}:place".encode(), digest_size=8).digest()
        self.place_key = int.from_bytes(digest, "big")
        self._places()
        self._series()
        self._chunks: dict[int, list[dict[str, str]]] = {}
        self.lead: dict[str, list[Step]] = {}
        self.steps: dict[str, list[Step]] = {}
        for prefix in spec["prefixes"]:
            steps = self._compile(prefix)
            self.lead[prefix] = [s for s in steps if s[0] == spec.get("place_from")]
            self.steps[prefix] = [s for s in steps if s[0] != spec.get("place_from")]
        # columns the CSV writer need not check for ';' and '"', per prefix
        self.plain = {
            prefix: plain | {code for code, _, _, draw in steps if getattr(draw, "plain", False)}
            for prefix, steps in self.steps.items()
        }

    def other(self, name: str) -> Base:
        """Another base with the same seed (the target of a link)."""
        return compiled(name, self.seed)

    # -- places: communes with their INSEE code, département and region --------------------
    def _places(self) -> None:
        regions = table()["departements"]
        self.by_dpt: dict[str, Vocab] = {}
        grouped: dict[str, list[tuple[dict, float]]] = {}
        for insee, (com, wcom, dpt, lat, lon, weight) in table()["communes"].items():
            reg, former = regions[dpt]
            place = {
                "reg": reg,
                "dpt": dpt,
                "com": com,
                "wcom": wcom,
                "insee": insee,
                "_lat": lat,
                "_lon": lon,
            }
            # PLOC names the region before 2016 only where it changed ("Alsace" → "Grand Est").
            place["reg_former"] = former if former.replace("Ile-", "Île-") != reg else ""
            grouped.setdefault(dpt, []).append((place, weight))
        self.by_dpt = {dpt: Vocab(pairs) for dpt, pairs in grouped.items()}
        self.everywhere = Vocab([pair for pairs in grouped.values() for pair in pairs])

    def place(self, i: int) -> dict:
        """Notice i's commune, in its REF's département, drawn by counter (random access)."""
        v = self.by_dpt.get(self.slot_series[i % self.slots], self.everywhere)
        return v.values[bisect_right(v.cum, unit(self.place_key, i) * v.cum[-1], 0, v.hi)]

    # -- REFs: prefix + département (or "00") + a serial unique in that series -------------
    def _series(self) -> None:
        """Deal the series (prefix × département, the national "00", or the prefix's own
        counter "" for bases whose REF names no département) over shuffled slots."""
        dpt_weight = {dpt: v.cum[-1] for dpt, v in self.by_dpt.items()}
        total_dpt = sum(dpt_weight.values())
        shares: list[tuple[tuple[str, str], float]] = []
        for prefix, share in self.spec["prefixes"].items():
            if prefix in self.digits:  # "MNR00123", "M0123": one counter per prefix
                shares.append(((prefix, ""), share))
                continue
            national = self.spec.get("national", {}).get(prefix, 0.0)
            if national:
                shares.append(((prefix, "00"), share * national))
            shares += [
                ((prefix, d), share * (1 - national) * w / total_dpt) for d, w in dpt_weight.items()
            ]
        total = sum(w for _, w in shares)
        exact = [w * self.slots / total for _, w in shares]
        dealt = [int(x) for x in exact]
        for k in sorted(range(len(shares)), key=lambda k: (dealt[k] - exact[k], k))[
            : self.slots - sum(dealt)
        ]:
            dealt[k] += 1  # largest remainders
        deck = [shares[k][0] for k in range(len(shares)) for _ in range(dealt[k])]
        rng = Random(f"{self.name}:{self.seed}:slots")
        for k in range(len(deck) - 1, 0, -1):  # Fisher-Yates on random() alone
            j = int(rng.random() * (k + 1))
            deck[k], deck[j] = deck[j], deck[k]
        size = {shares[k][0]: dealt[k] for k in range(len(shares))}
        seen: dict[tuple[str, str], int] = {}
        self.slot_prefix = [p for p, _ in deck]
        self.slot_series = [s for _, s in deck]
        self.slot_count = [size[key] for key in deck]
        self.slot_rank: list[int] = []
        self.dpt_positions: dict[str, list[int]] = {}
        for pos, key in enumerate(deck):
            self.slot_rank.append(seen.get(key, 0))
            seen[key] = seen.get(key, 0) + 1
            if key[1] not in ("00", ""):
                self.dpt_positions.setdefault(key[1], []).append(pos)

    def ref(self, i: int) -> str:
        """Notice i's REF: "PA00078021", "IA67000035", "PM2B000012", "MNR00123"; never twice."""
        block, pos = divmod(i, self.slots)
        series = self.slot_series[pos]
        serial = block * self.slot_count[pos] + self.slot_rank[pos]
        width = self.digits.get(self.slot_prefix[pos]) or 8 - len(series)
        if serial >= 10**width:
            raise ValueError(
                f"{self.name}: notice {i} overflows REF series {self.slot_prefix[pos]}{series}"
            )
        return f"{self.slot_prefix[pos]}{series}{serial:0{width}d}"

    # -- drawing ----------------------------------------------------------------------------
    def _compile(self, prefix: str) -> list[Step]:
        steps: list[Step] = []
        for key, entry in self.spec["fields"].items():
            code = entry.get("code", key)
            fill = per(entry.get("fill", 1.0), prefix)
            if entry["kind"] == "ref" or not fill:
                continue
            try:
                make = KINDS[entry["kind"]]
                args = (self,) if entry["kind"] in NEEDS_BASE else ()
                stream = f"{self.name}:{self.seed}:{key}:{prefix}"
                own = {**entry, "code": code, "_stream": stream, "_fill": float(fill)}
                draw = make(own, prefix, *args)
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(
                    f"{TABLE.name}: [{self.name}.fields.{key}] for {prefix}: {exc!r}"
                ) from exc
            # a fused draw applies the fill rate itself: the engine draws no gate for it
            steps.append(
                (
                    code,
                    1.0 if getattr(draw, "fused", False) else float(fill),
                    entry.get("with"),
                    draw,
                )
            )
        return steps

    def groups(self, c: int) -> list[tuple[str, list[int], Cols]]:
        """Chunk c, drawn whole: per REF prefix, the notices' offsets and their columns."""
        first = c * self.chunk
        members: dict[str, list[int]] = {}
        for offset in range(self.chunk):
            members.setdefault(self.slot_prefix[(first + offset) % self.slots], []).append(offset)
        rng = Random(f"{self.name}:{self.seed}:{c}")
        out = []
        for prefix in self.spec["prefixes"]:
            offsets = members.get(prefix)
            if not offsets:
                continue
            idx = [first + o for o in offsets]
            cols: Cols = {
                "_i": idx,
                "_series": [self.slot_series[i % self.slots] for i in idx],
                "REF": [self.ref(i) for i in idx],
            }
            self._run(rng, cols, self.lead[prefix])
            links = cols.get("_link") or [None] * len(idx)
            cols["_place"] = [
                link[0].place(link[1]) if link else self.place(i)
                for i, link in zip(idx, links, strict=True)
            ]
            self._run(rng, cols, self.steps[prefix])
            out.append((prefix, offsets, cols))
        return out

    def notices(self, c: int) -> list[dict[str, str]]:
        """Chunk c as notices (POP code → value), drawn whole."""
        notices: list[dict[str, str]] = [{} for _ in range(self.chunk)]
        for _, offsets, cols in self.groups(c):
            present = [(code, cols[code]) for code in self.columns if code in cols]
            for k, offset in enumerate(offsets):
                notices[offset] = {code: col[k] for code, col in present if col[k]}
        return notices

    def notice(self, j: int) -> dict[str, str]:
        """Notice j, for a link that names its target by its fields ("Paris ; musée du Louvre").

        Its chunk is drawn once and kept (a few chunks: link targets are small bases).
        """
        c, k = divmod(j, self.chunk)
        found = self._chunks.get(c)
        if found is None:
            if len(self._chunks) >= CHUNKS_KEPT:
                self._chunks.clear()
            found = self._chunks[c] = self.notices(c)
        return found[k]

    @staticmethod
    def _run(rng: Random, cols: Cols, steps: list[Step]) -> None:
        r = rng.random
        size = len(cols["_i"])
        everyone = [True] * size
        for code, fill, with_code, draw in steps:
            if with_code is not None:
                present = cols.get(with_code)
                if present is None:
                    continue
                gate = present if fill >= 1.0 else [bool(x) and r() < fill for x in present]
            else:
                gate = everyone if fill >= 1.0 else [r() < fill for _ in everyone]
            cols[code] = draw(rng, cols, gate)

    def lines(self, c: int) -> list[str]:
        """Chunk c as CSV records (without line ends), in notice order."""
        out = [""] * self.chunk
        for prefix, offsets, cols in self.groups(c):
            blank = [""] * len(offsets)
            plain = self.plain[prefix]
            cells = [
                blank
                if code not in cols
                else cols[code]
                if code in plain
                else [_quoted(v) if (";" in v or '"' in v) else v for v in cols[code]]
                for code in self.columns
            ]
            for offset, row in zip(offsets, zip(*cells, strict=True), strict=True):
                out[offset] = ";".join(row)
        return out

    def text(self, start: int, stop: int) -> str:
        """Records start … stop-1, each ending with CRLF."""
        parts = []
        for c in range(start // self.chunk, (stop + self.chunk - 1) // self.chunk):
            first = c * self.chunk
            lines = self.lines(c)[max(start - first, 0) : stop - first]
            parts.append(EOL.join(lines) + EOL)
        return "".join(parts)


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@cache
def compiled(base: str, seed: int) -> Base:
    """The generator table of a base compiled for a seed (cached: links share it)."""
    return Base(base, seed)


# -- public interface -----------------------------------------------------------------------
def generate(base: str, n: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, str]]:
    """Notices start … n-1 of (base, seed): POP code → value, multi-values joined with " ; "."""
    b = compiled(base, seed)
    for c in range(start // b.chunk, (n + b.chunk - 1) // b.chunk):
        first = c * b.chunk
        yield from b.notices(c)[max(start - first, 0) : n - first]


def write_csv(
    base: str, n: int, out: Path | str | TextIO, seed: int = 0, progress: bool = False
) -> int:
    """Write n notices in POP's CSV export dialect (UTF-8, ';', upper-case codes); returns n.

    Large runs are drawn by worker processes, a batch of chunks each, and written in order:
    the bytes are those of a single process.
    """
    b = compiled(base, seed)
    if n < 0:
        raise ValueError(f"n must be ≥ 0, not {n}")
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as f:
            return write_csv(base, n, f, seed, progress)
    from tqdm import tqdm

    out.write(";".join(b.columns) + EOL)
    step = BATCH * b.chunk
    jobs = [(base, seed, a, min(a + step, n)) for a in range(0, n, step)]
    workers = min(os.cpu_count() or 1, 4)
    with tqdm(
        total=n, unit=" notices", unit_scale=True, file=sys.stderr, disable=not progress
    ) as bar:
        if n < PARALLEL_FROM or workers < 2:
            texts: Iterator[str] = map(_job, jobs)
            for job, text in zip(jobs, texts, strict=True):
                out.write(text)
                bar.update(job[3] - job[2])
        else:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(workers) as pool:
                for job, text in zip(jobs, pool.imap(_job, jobs), strict=True):
                    out.write(text)
                    bar.update(job[3] - job[2])
    return n


def pop_counts(n: int) -> dict[str, int]:
    """n notices shared between the bases in POP's proportions ([pop] of the table).

    Each base gets its share, rounded; a link target then gets as many more as its links
    need, so every link of the set resolves inside it (Mérimée grows to Palissy's size:
    a REFA reaches the Mérimée notice of the same index at most).

    >>> counts = pop_counts(3_300_000)
    >>> counts["memoire"], counts["museo"], counts["merimee"] == counts["palissy"]
    (1852056, 1292, True)
    """
    notices = table()["pop"]["notices"]
    total = sum(notices.values())
    counts = {base: round(n * share / total) for base, share in notices.items()}
    for _ in range(2):  # a target reached by another target: twice settles it
        for base in bases():
            for entry in table()[base]["fields"].values():
                if entry["kind"] != "link" or not counts[base]:
                    continue
                choices = entry["target"]  # a base, [[base, weight], …], or either per prefix
                names = []
                for choice in choices.values() if isinstance(choices, dict) else [choices]:
                    names += [choice] if isinstance(choice, str) else [t for t, _ in choice]
                for name in names:
                    if name == base:
                        continue
                    reach = link_reach(entry.get("reach", 1.0), base, name)
                    needed = int((counts[base] - 1) * reach) + 1
                    counts[name] = max(counts[name], needed)
    return counts


def write_pop(
    n: int, directory: Path | str, seed: int = 0, progress: bool = False
) -> dict[str, Path]:
    """Every base in POP's proportions (pop_counts), one {base}.csv each in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for base, count in pop_counts(n).items():
        files[base] = directory / f"{base}.csv"
        write_csv(base, count, files[base], seed=seed, progress=progress)
    return files


def _job(job: tuple[str, int, int, int]) -> str:
    base, seed, start, stop = job
    return compiled(base, seed).text(start, stop)


def generate_command(base: str | None, n: int, out: str, seed: int = 0) -> int:
    """The body of ``pop-ld generate``: a progress bar on stderr, then what was written.

    With no base, the whole of POP in its proportions: ``out`` is then a directory.
    """
    import time

    began = time.perf_counter()
    if base is None:
        files = write_pop(n, out, seed=seed, progress=True)
        counts = pop_counts(n)
        seconds = time.perf_counter() - began
        for name, path in files.items():
            print(f"wrote {counts[name]:,} {name} notices to {path}", file=sys.stderr)
        written = sum(counts.values())
        print(f"{written:,} notices (seed {seed}) in {seconds:.1f} s", file=sys.stderr)
        return written
    written = write_csv(base, n, sys.stdout if out == "-" else Path(out), seed=seed, progress=True)
    seconds = time.perf_counter() - began
    rate = f" ({written / seconds:,.0f} notices/s)" if seconds > 0 else ""
    print(
        f"wrote {written:,} {base} notices (seed {seed}) to {out} in {seconds:.1f} s{rate}",
        file=sys.stderr,
    )
    return written
