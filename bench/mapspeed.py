"""Mapping speed per base, on one core: notices read once into memory, then mapped N times.

    .venv/bin/python bench/mapspeed.py                      # every base, 5 passes each
    .venv/bin/python bench/mapspeed.py --base joconde -p 9  # one base, more passes
    .venv/bin/python bench/mapspeed.py --instructions       # callgrind counts (slow, exact)

Reading is left out: the engine alone is timed, its N-Quads text discarded. Each pass maps
the whole set with a fresh Engine (shared nodes written again, as in a new run); the rate
given is the best pass by CPU time (``time.process_time``), because the bench machine is
shared and wall time there says more about the neighbours than about the code. Module-level
caches (dates, slugs…) stay warm after the first pass, as they are after the first few
thousand notices of a real run; the first pass is shown apart ("cold").

``--instructions`` runs each set under valgrind's callgrind three times (0, 1 and 2 passes)
and gives instructions per notice for the cold pass and for a warm pass: the same count
whatever the neighbours do, so a before/after pair compares to the percent.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("POP_LD_CORPUS", ROOT.parent / "shared" / "corpus"))
#: generated files are cached here (never in bench/work/, which the spine bench owns)
GENERATED = Path(tempfile.gettempdir()) / "pop-ld-mapspeed"

#: name → (base, file): real exports where the corpus has them, generated or sample otherwise
#: notices in one timed pass at least (a small sample is run several times a pass)
MIN_PASS = 2000

DATASETS: dict[str, tuple[str, str]] = {
    "merimee-gen": ("merimee", "gen:merimee:20000"),
    "merimee-mh": ("merimee", "corpus:merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv"),
    "palissy-gen": ("palissy", "gen:palissy:20000"),
    "palissy-api": ("palissy", "corpus:palissy/pop_api_palissy_msearch_response_IM52.json"),
    "joconde": ("joconde", "corpus:joconde/joconde_base-joconde-extrait_2020_reduced.csv"),
    "memoire": (
        "memoire",
        "corpus:memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv",
    ),
    "museo": ("museo", "corpus:museo/museofile_popcodes_2024.csv"),
    "mnr": ("mnr", "sample:mnr.json"),
    "autor": ("autor", "sample:autor.json"),
    "enluminures": ("enluminures", "sample:enluminures.json"),
}


def resolve(spec: str) -> Path:
    """A dataset's file: ``corpus:``, ``sample:``, ``gen:BASE:N`` (generated once, seed 0)."""
    kind, _, rest = spec.partition(":")
    if kind == "corpus":
        return CORPUS / rest
    if kind == "sample":
        return ROOT / "data" / "sample" / rest
    if kind == "gen":
        base, n = rest.split(":")
        path = GENERATED / f"{base}-{n}.csv"
        if not path.exists():
            GENERATED.mkdir(parents=True, exist_ok=True)
            cli = [sys.executable, "-m", "pop_ld.cli", "generate", "--base", base, "-n", n]
            subprocess.run([*cli, "-o", str(path)], check=True, cwd=ROOT, capture_output=True)
        return path
    return Path(spec)


def read_all(path: Path, limit: int | None) -> list:
    from pop_ld.errors import PopLdError
    from pop_ld.readers import read_notices

    notices = (n for n in read_notices(path) if not isinstance(n, PopLdError))
    return list(itertools.islice(notices, limit))


def map_passes(notices: list, passes: int, rounds: int = 1) -> list[dict]:
    """Map the notices ``passes`` times; a timing per pass, times per notice.

    A pass is ``rounds`` runs over the notices, a fresh Engine each run, so that a sample
    of a dozen notices still makes a pass long enough to time.
    """
    from pop_ld.mapping import Engine

    out = []
    for _ in range(passes):
        cpu, wall = time.process_time(), time.perf_counter()
        quads = 0
        for _ in range(rounds):
            engine = Engine()
            map_notice = engine.map_notice
            for notice in notices:
                map_notice(notice)
            quads += engine.quads
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = len(notices) * rounds
        out.append({"cpu": cpu / n, "wall": wall / n, "quads": quads / n})
    return out


def digest(notices: list) -> str:
    """sha256 of one run's N-Quads (shared nodes included): equal digests, equal output."""
    from pop_ld.mapping import Engine

    engine = Engine()
    h = hashlib.sha256()
    for notice in notices:
        h.update(engine.map_notice(notice).encode())
    return h.hexdigest()[:16]


def measure(name: str, passes: int, limit: int | None, check: bool, min_pass: int) -> dict:
    base, spec = DATASETS[name]
    read_cpu = time.process_time()
    notices = read_all(resolve(spec), limit)
    read_cpu = time.process_time() - read_cpu
    rounds = -(-min_pass // len(notices))
    runs = map_passes(notices, passes, rounds)
    warm = runs[1:] or runs
    row = {
        "dataset": name,
        "base": base,
        "notices": len(notices),
        "quads_per_notice": round(runs[0]["quads"], 1),
        "cold_per_s": round(1 / runs[0]["cpu"]),
        "per_s": round(1 / min(r["cpu"] for r in warm)),
        "wall_per_s": round(1 / min(r["wall"] for r in warm)),
        # reading (decoding, dialect, headers): once, cold, CPU time; was a timed test before
        "read_per_s": round(len(notices) / read_cpu) if read_cpu else None,
    }
    if check:
        row["sha256"] = digest(notices)
    return row


_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(name: str, limit: int | None, min_pass: int) -> dict:
    """Instructions per notice from callgrind: (passes=1 − passes=0) cold, (2 − 1) warm."""
    counts = []
    for passes in (0, 1, 2):
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        cmd += [sys.executable, __file__, "--base", name, "--passes", str(passes), "--quiet"]
        cmd += ["--min-pass", str(min_pass)]
        if limit:
            cmd += ["--limit", str(limit)]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
        counts.append(int(_COLLECTED.search(done.stderr).group(1)))
        if passes == 0:
            n = int(done.stdout.strip())
    return {
        "dataset": name,
        "notices_mapped": n,
        "cold_instr_per_notice": round((counts[1] - counts[0]) / n),
        "warm_instr_per_notice": round((counts[2] - counts[1]) / n),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", action="append", choices=sorted(DATASETS), help="dataset(s)")
    parser.add_argument("-p", "--passes", type=int, default=5, help="passes over each set")
    parser.add_argument("--limit", type=int, help="map only the first N notices of each set")
    parser.add_argument(
        "--min-pass", type=int, default=MIN_PASS, help="notices mapped in a pass at least"
    )
    parser.add_argument("--instructions", action="store_true", help="callgrind counts")
    parser.add_argument("--check", action="store_true", help="sha256 of each set's output")
    parser.add_argument("--json", action="store_true", help="one JSON object per dataset")
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    names = args.base or list(DATASETS)
    if args.quiet:  # the callgrind child: map, print the notice count, nothing else
        notices = read_all(resolve(DATASETS[names[0]][1]), args.limit)
        rounds = -(-args.min_pass // len(notices))
        map_passes(notices, args.passes, rounds)
        print(len(notices) * rounds)
        return
    for name in names:
        row = (
            instructions(name, args.limit, args.min_pass)
            if args.instructions
            else measure(name, args.passes, args.limit, args.check, args.min_pass)
        )
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
