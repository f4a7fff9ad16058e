"""Search benchmark: the side index at 100k and 1M generated notices, over real HTTP on gunicorn.

For each size it generates a Mérimée + Palissy pair (``pop-ld generate``, seed 0, half each,
the only bases the generator knows), loads it (``pop-ld load``), builds the search index
(``python -m pop_ld.index``, timed on its own), serves the site with ``python -m app.serve``
(gunicorn) and times GET requests from this process, keep-alive, one at a time:

- search: /search?q=… for words drawn from the index's own vocabulary, frequent to rare, two
  words and a phrase (results page with every facet counted);
- facets: /search.json with facet filters, alone, combined and with text;
- map: /search/map.json for France, a département, and France with a filter;
- pages: /search?page=1 and page=5,000 (the 100,000th result), unfiltered, filtered, with text.

Every URL is asked once cold (first time: caches empty) and ``REPEAT`` times warm; p50/p95/max
are over the warm requests of the category, the cold times are reported beside them. The aim
(issue 6): p95 < 100 ms for each category at 1M notices. Results: bench/results/search-{size}.json
and a section of bench/results/README.md between the markers below.

Usage: ``python -m bench.search [--sizes 20000 …] [--keep] [--reuse]``; from code, ``run(sizes)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from bench.readme import put_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
POP_LD = [sys.executable, "-m", "pop_ld.cli"]
REPEAT = 10
AIM_MS = 100.0
BEGIN, END = "<!-- search-bench:begin -->", "<!-- search-bench:end -->"
#: The 100,000th result is on page 5,000 at 20 a page.
DEEP_PAGE = 5000


def machine() -> dict[str, Any]:
    """What the numbers depend on, the load of this shared machine included."""
    import pyoxigraph

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "pyoxigraph": getattr(pyoxigraph, "__version__", "?"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def timed(command: list[str], log: Path) -> float:
    """Run a command to completion, its output in ``log``; seconds taken."""
    start = time.perf_counter()
    with open(log, "wb") as out:
        code = subprocess.call(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({code}): see {log}")
    return round(time.perf_counter() - start, 2)


def prepare(size: int, work: Path, reuse: dict[str, Any] | None = None) -> dict[str, Any]:
    """Generate, load and index ``size`` notices (the store of ``reuse`` kept); times of each step."""
    store = work / "store"
    if reuse is not None and store.exists():
        steps: dict[str, Any] = {k: reuse[k] for k in ("generate_s", "load_s") if k in reuse}
    else:
        half = -(-size // 2)
        files = []
        generated = time.perf_counter()
        for base, count in (("merimee", half), ("palissy", size - half)):
            path = work / f"{base}.csv"
            subprocess.check_call(
                [*POP_LD, "generate", "--base", base, "-n", str(count), "-o", str(path)], cwd=ROOT
            )
            files.append(str(path))
        steps = {"generate_s": round(time.perf_counter() - generated, 2)}
        # --no-index: the load's own index build is timed below, on its own
        command = [*POP_LD, "load", *files, "--store", str(store), "--no-index"]
        steps["load_s"] = timed(command, work / "load.log")
    (work / "store.index.sqlite").unlink(missing_ok=True)
    steps["index_s"] = timed([sys.executable, "-m", "pop_ld.index", str(store)], work / "index.log")
    steps["index_log"] = (work / "index.log").read_text(encoding="utf-8").strip().splitlines()[-14:]
    steps["index_bytes"] = (work / "store.index.sqlite").stat().st_size
    return steps


def free_port() -> int:
    """A TCP port nobody listens on."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """The site on gunicorn (``python -m app.serve``), once /search answers."""
    port = free_port()
    out = open(log, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "app.serve", str(store), str(port)],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/search?q=x", timeout=60).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the server did not come up: see {log}")


def vocabulary(index: Path) -> dict[str, list[str]]:
    """Words of the index by how many notices have them: frequent, medium, rare."""
    db = sqlite3.connect(index)
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'fulltext', 'row')")
    total = db.execute("SELECT value FROM meta WHERE key = 'notices'").fetchone()[0]
    rows = db.execute(
        "SELECT term, doc FROM temp.vocab WHERE length(term) > 3 AND term != 'qqsepqq' AND term GLOB '[a-z]*'"
        " ORDER BY doc DESC"
    ).fetchall()
    n = int(total)

    def band(low: float, high: float, k: int) -> list[str]:
        return [t for t, d in rows if low * n <= d < high * n][:k]

    return {
        "frequent": band(0.05, 0.6, 3),
        "medium": band(0.005, 0.05, 3),
        "rare": band(0.00005, 0.001, 3),
    }


def top_keys(index: Path, facet: str, k: int = 2) -> list[str]:
    """The keys of a facet's most used values."""
    db = sqlite3.connect(index)
    rows = db.execute(
        "SELECT key FROM facet_values WHERE facet = ? ORDER BY count DESC LIMIT ?", (facet, k)
    ).fetchall()
    return [r[0] for r in rows]


def requests_for(index: Path) -> dict[str, list[str]]:
    """The URLs of each category, from the index's own words and values."""
    words = vocabulary(index)
    dept = top_keys(index, "departement", 2) or ["75"]
    region, century, types = (
        top_keys(index, "region", 1),
        top_keys(index, "century", 1),
        top_keys(index, "type", 1),
    )
    frequent, medium, rare = words["frequent"], words["medium"], words["rare"]
    texts = [*frequent, *medium, *rare]
    if len(frequent) >= 1 and len(medium) >= 1:
        texts += [f"{frequent[0]} {medium[0]}", f'"{frequent[0]} {frequent[-1]}"']
    search = ["/search?" + urlencode({"q": t}) for t in texts]
    d1, d2 = dept[0], dept[-1]
    facets = [
        "/search.json?" + urlencode(p)
        for p in (
            [("f.base", "palissy")],
            [("f.departement", d1)],
            [("f.departement", d1), ("f.departement", d2)],
            [("f.base", "merimee"), ("f.century", century[0] if century else "18")],
            [
                ("q", frequent[0] if frequent else "eglise"),
                ("f.region", region[0] if region else "11"),
            ],
            [("f.type", types[0] if types else ""), ("f.departement", d2)],
        )
    ]
    maps = [
        "/search/map.json?bbox=-5.5,41.0,10.0,51.5&zoom=6",
        "/search/map.json?bbox=2.0,48.6,2.7,49.1&zoom=10",
        "/search/map.json?bbox=-5.5,41.0,10.0,51.5&zoom=6&f.base=merimee",
        "/search/map.json?"
        + urlencode({"bbox": "-5.5,41.0,10.0,51.5", "zoom": 6, "q": medium[0] if medium else "x"}),
    ]
    first = frequent[0] if frequent else "eglise"
    pages = {
        "page_1": [
            "/search?page=1",
            "/search?f.base=merimee&page=1",
            "/search?" + urlencode({"q": first, "page": 1}),
        ],
        "page_5000": [
            f"/search?page={DEEP_PAGE}",
            f"/search?f.base=merimee&page={DEEP_PAGE}",
            "/search?" + urlencode({"q": first, "page": DEEP_PAGE}),
        ],
    }
    return {"search": search, "facets": facets, "map": maps, **pages}


def measure(url: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    """Cold and warm times of every URL, per category (milliseconds)."""
    session = requests.Session()
    out: dict[str, Any] = {}
    for category, urls in paths.items():
        warm: list[float] = []
        cold: dict[str, float] = {}
        for path in urls:
            for i in range(REPEAT + 1):
                start = time.perf_counter()
                response = session.get(url + path, timeout=300)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
                if i == 0:
                    cold[path] = round(elapsed, 1)
                else:
                    warm.append(elapsed)
        warm.sort()
        out[category] = {
            "requests": len(warm),
            "p50_ms": round(statistics.median(warm), 1),
            "p95_ms": round(warm[max(0, int(len(warm) * 0.95) - 1)], 1),
            "max_ms": round(warm[-1], 1),
            "cold_ms": cold,
            "cold_max_ms": max(cold.values()),
        }
    return out


def run_size(size: int, keep: bool = False, reuse: bool = False) -> dict[str, Any]:
    """One size: build (or, with ``reuse``, keep the kept store and rebuild only the index)."""
    work = WORK / f"search-{size}"
    previous = RESULTS / f"search-{size}.json"
    kept = None
    built = work / "build.json"  # a store generated and loaded apart: its times, written then
    if reuse and (work / "store").exists() and (previous.exists() or built.exists()):
        source = previous if previous.exists() else built
        kept = json.loads(source.read_text(encoding="utf-8"))
        kept = kept.get("build", kept)
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    result: dict[str, Any] = {"size": size, "machine": machine()}
    print(f"== search bench, {size:,} notices: generate, load, index", file=sys.stderr)
    result["build"] = prepare(size, work, kept)
    process, url = serve(work / "store", work / "serve.log")
    try:
        paths = requests_for(work / "store.index.sqlite")
        result["urls"] = paths
        print(f"== search bench, {size:,}: requests", file=sys.stderr)
        result["timings"] = measure(url, paths)
        total = requests.get(url + "/search.json", timeout=60).json()["total"]
        result["notices_in_index"] = total
    finally:
        process.terminate()
        process.wait(30)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


CATEGORIES = (("search", "search (page + facets)"), ("facets", "facet counts (JSON)"),
              ("map", "map bbox"), ("page_1", "results page 1"), ("page_5000", "results page 5,000"))  # fmt: skip


def render_section() -> str:
    """The Markdown section of bench/results/README.md, from every search-*.json."""
    results = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("search-*.json")),
        key=lambda r: r["size"],
    )
    lines = [
        BEGIN,
        "## Search: the side index over real HTTP (gunicorn)",
        "",
        "Written by `python -m bench.search` (`bench/search.py`). Mérimée + Palissy halves generated",
        "by `pop-ld generate`, loaded by `pop-ld load`, indexed by `python -m pop_ld.index`, served",
        "by `python -m app.serve`; each URL asked once cold, then "
        f"{REPEAT} times warm, one request at a time.",
        'p95 is over the warm requests of the category; "cold" is the slowest first request. Aim: p95 < 100 ms.',
        "",
        "| notices | index build | index size | "
        + " | ".join(f"{label} p95 (cold)" for _, label in CATEGORIES)
        + " |",
        "|" + "---|" * (3 + len(CATEGORIES)),
    ]
    for r in results:
        cells = [
            f"{r['size']:,}",
            f"{r['build']['index_s']} s",
            f"{r['build']['index_bytes'] / 2**20:,.0f} MB",
        ]
        for key, _ in CATEGORIES:
            t = r["timings"][key]
            mark = "" if t["p95_ms"] < AIM_MS else " ⚠"
            cells.append(f"{t['p95_ms']} ms{mark} ({t['cold_max_ms']:,.0f} ms)")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in results:
        m = r["machine"]
        lines.append(
            f"- {r['size']:,} notices, {m['date']}: {m['nproc']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, "
            f"load average {m['load_average']} before and {m.get('load_average_after')} after (a shared machine); "
            f"load {r['build']['load_s']} s, index {r['build']['index_s']} s."
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def update_readme() -> None:
    """Put the section into bench/results/README.md, replacing the previous one."""
    put_section(BEGIN, END, render_section())


def run(sizes: list[int], keep: bool = False, reuse: bool = False) -> list[dict[str, Any]]:
    """Benchmark each size, write its JSON and the README section; what ``make bench`` calls."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    done = []
    for size in sizes:
        result = run_size(size, keep or reuse, reuse)
        (RESULTS / f"search-{size}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        update_readme()
        done.append(result)
    return done


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true", help="keep bench/work/search-*/")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept store (rebuild only the index)"
    )
    args = parser.parse_args()
    for result in run(args.sizes, args.keep, args.reuse):
        print(
            json.dumps({k: v for k, v in result.items() if k != "urls"}, indent=1), file=sys.stderr
        )


if __name__ == "__main__":
    main()
