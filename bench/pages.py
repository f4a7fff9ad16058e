"""Notice pages benchmark: /notice, /data and /id over real HTTP on gunicorn, at 100k and 1M notices.

For each size it generates a Mérimée + Palissy pair (``pop-ld generate``, half each), loads it
with ``pop-ld load`` (which builds the search index too, as in production: the page's browse
links come from it), serves the store with ``python -m app.serve`` (gunicorn at the project's
own settings, every POP_LD_* at its default) and asks, keep-alive, for notices drawn at random
(seed 0) from every notice graph of the store, each notice at most once per measure:

- **page**: /notice/{base}/{REF} (HTML), one client, one request at a time: p50, p99;
- **page, 8 clients**: the same from 8 client processes at once (one keep-alive connection
  each): pages per second over the run, p50 and p99 of every request;
- **Turtle**, **JSON-LD**: /data/{base}/{REF}.ttl and .jsonld, one client: p50, p99;
- **/id**: /id/{base}/{REF} for a browser, the 303 alone (not followed): p50, p99;
- **304**: the page asked again with the ETag it was sent (If-None-Match), for harvesters
  (reported apart: every other number is for a full 200 answer with its body).

The aim (issue 6): page p50 < 10 ms and p99 < 25 ms, ≥ 1,000 pages/s at 8 clients on 2 cores,
an RDF notice p50 < 5 ms. The load average of the machine is recorded before and after: it is
shared, so compare runs with their load. Results: bench/results/pages-{size}[-{tag}].json and a
section of bench/results/README.md between the markers below.

``--reuse`` keeps the store of a previous run (``bench/work/pages-{size}/store``), or takes the
search bench's finished store (``bench/work/search-{size}/store`` once its ``build.json`` is
written), served read-only and never modified.

Usage: ``python -m bench.pages [--sizes 20000 …] [--keep] [--reuse] [--tag before]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from bench.readme import put_section
from bench.search import POP_LD, RESULTS, ROOT, WORK, free_port, machine, timed

BEGIN, END = "<!-- pages-bench:begin -->", "<!-- pages-bench:end -->"
CLIENTS = 8
#: Requests of each one-client measure, and of the 8-client run (each notice once).
SINGLE, CONCURRENT = 400, 4000
#: Requests before measuring, on other notices: the server's code paths warm, not its data.
WARM_UP = 50
AIM = {"page_p50": 10.0, "page_p99": 25.0, "pages_per_s": 1000.0, "rdf_p50": 5.0}
SEED = 0


def prepare(size: int, work: Path) -> dict[str, Any]:
    """Generate and load ``size`` notices (the index built by the load); seconds of each step."""
    half = -(-size // 2)
    files = []
    start = time.perf_counter()
    for base, count in (("merimee", half), ("palissy", size - half)):
        path = work / f"{base}.csv"
        subprocess.check_call(
            [*POP_LD, "generate", "--base", base, "-n", str(count), "-o", str(path)], cwd=ROOT
        )
        files.append(str(path))
    steps: dict[str, Any] = {"generate_s": round(time.perf_counter() - start, 2)}
    steps["load_s"] = timed(
        [*POP_LD, "load", *files, "--store", str(work / "store")], work / "load.log"
    )
    return steps


def kept_store(size: int) -> Path | None:
    """A store a previous run left: this bench's, or the search bench's once it is finished."""
    mine = WORK / f"pages-{size}" / "store"
    if mine.is_dir():
        return mine
    search = WORK / f"search-{size}"
    if (search / "build.json").exists() and (search / "store").is_dir():
        return search / "store"
    return None


def notice_paths(store: Path) -> tuple[str, list[str]]:
    """The store's base URI and the path of every notice graph (``/notice/merimee/PA…``), sorted."""
    graphs = sorted(
        g.value for g in ox.Store.read_only(str(store)).named_graphs() if "/notice/" in g.value
    )
    if not graphs:
        raise RuntimeError(f"no notice graph in {store}")
    root = graphs[0].split("/notice/", 1)[0]
    return root, [urlsplit(g).path for g in graphs]


def serve(store: Path, root: str, log: Path, probe: str) -> tuple[subprocess.Popen, int]:
    """``python -m app.serve STORE PORT`` with the store's base URI, once ``probe`` answers."""
    port = free_port()
    env = {**os.environ, "POP_LD_BASE_URI": root}
    out = open(log, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "app.serve", str(store), str(port)],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            status, _, _ = fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=60), probe)
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"the server did not come up: see {log}")


def fetch(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> tuple[int, int, dict[str, str]]:
    """One GET on a kept-alive connection, the whole body read: status, body bytes, headers."""
    connection.request("GET", path, headers={"Accept": "text/html", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    return response.status, len(body), {k.lower(): v for k, v in response.getheaders()}


def one_client(
    port: int, paths: list[str], expect: int, headers: dict[str, str] | None = None
) -> list[float]:
    """Milliseconds of each request, one at a time on one connection; a wrong status stops it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times = []
    for path in paths:
        start = time.perf_counter()
        status, length, _ = fetch(connection, path, headers)
        times.append((time.perf_counter() - start) * 1000)
        if status != expect or (expect == 200 and length == 0):
            raise RuntimeError(f"{path}: HTTP {status}, {length} bytes (expected {expect})")
    connection.close()
    return times


def _client_process(port: int, paths: list[str], ready: Any, go: Any, out: Any) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    fetch(connection, paths[0])  # connected before the start
    ready.set()
    go.wait()
    times, failed = [], 0
    for path in paths[1:]:
        start = time.perf_counter()
        status, length, _ = fetch(connection, path)
        times.append((time.perf_counter() - start) * 1000)
        failed += status != 200 or length == 0
    out.put((times, failed, time.perf_counter()))


def many_clients(port: int, paths: list[str]) -> dict[str, Any]:
    """``CLIENTS`` processes sharing ``paths`` out, all started at once: pages/s and latencies."""
    context = mp.get_context("fork")
    out = context.Queue()
    go = context.Event()
    shares = [paths[i::CLIENTS] for i in range(CLIENTS)]
    readies, workers = [], []
    for share in shares:
        ready = context.Event()
        worker = context.Process(target=_client_process, args=(port, share, ready, go, out))
        worker.start()
        readies.append(ready)
        workers.append(worker)
    for ready in readies:
        ready.wait(300)
    start = time.perf_counter()
    go.set()
    results = [out.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = max(end for _, _, end in results) - start
    times = [t for ts, _, _ in results for t in ts]
    return {
        "clients": CLIENTS,
        "requests": len(times),
        "failed": sum(f for _, f, _ in results),
        "seconds": round(elapsed, 2),
        "pages_per_s": round(len(times) / elapsed, 1),
        **summary(times),
    }


def summary(times: list[float]) -> dict[str, Any]:
    """p50, p99, mean and max of request times in milliseconds."""
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "max_ms": round(ordered[-1], 2),
    }


def conditional(port: int, paths: list[str]) -> dict[str, Any]:
    """The page asked again with its ETag: 304 without a body, when the server sends ETags."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    tags = {}
    for path in paths:
        _, _, headers = fetch(connection, path)
        if "etag" in headers:
            tags[path] = headers["etag"]
    if not tags:
        return {"etag": False}
    times = []
    for path, tag in tags.items():
        start = time.perf_counter()
        status, _, _ = fetch(connection, path, {"If-None-Match": tag})
        times.append((time.perf_counter() - start) * 1000)
        if status != 304:
            raise RuntimeError(f"{path} with If-None-Match: HTTP {status}, not 304")
    return {"etag": True, **summary(times)}


def measure(port: int, paths: list[str]) -> dict[str, Any]:
    """Every measure, each on notices no other measure asked for."""
    draw = random.Random(SEED).sample(paths, min(len(paths), WARM_UP + 4 * SINGLE + CONCURRENT))
    warm, draw = draw[:WARM_UP], draw[WARM_UP:]
    page, ttl, jsonld, ids, draw = (
        draw[:SINGLE],
        draw[SINGLE : 2 * SINGLE],
        draw[2 * SINGLE : 3 * SINGLE],
        draw[3 * SINGLE : 4 * SINGLE],
        draw[4 * SINGLE :],
    )
    concurrent = (draw * (-(-CONCURRENT // max(1, len(draw)))))[:CONCURRENT] if draw else page
    one_client(port, warm, 200)
    one_client(port, [p.replace("/notice/", "/data/", 1) + ".ttl" for p in warm], 200)
    one_client(port, [p.replace("/notice/", "/data/", 1) + ".jsonld" for p in warm], 200)
    out: dict[str, Any] = {}
    out["page"] = summary(one_client(port, page, 200))
    out["page_8_clients"] = many_clients(port, concurrent)
    out["turtle"] = summary(
        one_client(port, [p.replace("/notice/", "/data/", 1) + ".ttl" for p in ttl], 200)
    )
    out["jsonld"] = summary(
        one_client(port, [p.replace("/notice/", "/data/", 1) + ".jsonld" for p in jsonld], 200)
    )
    out["id_303"] = summary(one_client(port, [p.replace("/notice/", "/id/", 1) for p in ids], 303))
    out["page_304"] = conditional(port, page[:100])
    return out


def run_size(size: int, keep: bool = False, reuse: bool = False) -> dict[str, Any]:
    """One size: build the store (or reuse a kept one), serve it, measure."""
    work = WORK / f"pages-{size}"
    store = kept_store(size) if reuse else None
    result: dict[str, Any] = {"size": size, "machine": machine()}
    if store is None:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"== pages bench, {size:,} notices: generate, load", file=sys.stderr)
        result["build"] = prepare(size, work)
        store = work / "store"
    else:
        work.mkdir(parents=True, exist_ok=True)
        result["build"] = {"reused": str(store.relative_to(ROOT))}
    root, paths = notice_paths(store)
    result["notices"] = len(paths)
    process, port = serve(store, root, work / "serve.log", paths[0])
    from app.serve import gunicorn_options
    from pop_ld import settings

    options = gunicorn_options("127.0.0.1", port, settings.default("http_threads"), 60)
    result["server"] = {k: options[k] for k in ("workers", "worker_class", "threads")}
    try:
        print(f"== pages bench, {size:,}: requests", file=sys.stderr)
        result["timings"] = measure(port, paths)
    finally:
        process.terminate()
        process.wait(30)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if not keep and not reuse and store == work / "store":
        shutil.rmtree(work, ignore_errors=True)
    return result


def result_name(size: int, tag: str | None) -> str:
    return f"pages-{size}" + (f"-{tag}" if tag else "") + ".json"


def _mark(value: float, aim: float, higher: bool = False) -> str:
    return "" if (value >= aim if higher else value < aim) else " ⚠"


def render_section() -> str:
    """The Markdown section of bench/results/README.md, from every pages-*.json."""
    results = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("pages-*.json")),
        key=lambda r: (r["size"], r.get("tag") is None, r["machine"]["date"]),
    )
    lines = [
        BEGIN,
        "## Notice pages over real HTTP (gunicorn)",
        "",
        "Written by `python -m bench.pages` (`bench/pages.py`). Mérimée + Palissy halves generated",
        "by `pop-ld generate` and loaded by `pop-ld load`, served by `python -m app.serve` (gunicorn,",
        "every setting at its default); notices drawn at random (seed 0) across the store, each asked",
        f"once per measure, keep-alive. One client: {SINGLE} pages, Turtle, JSON-LD and /id each;",
        f"{CLIENTS} clients (processes): {CONCURRENT} pages. Every number is for a full 200 answer",
        "(303 for /id); the last column is the conditional GET (If-None-Match: 304, no body).",
        "Aim: page p50 < 10 ms, p99 < 25 ms, ≥ 1,000 pages/s at 8 clients, RDF p50 < 5 ms (⚠: missed).",
        "",
        "| notices | run | page p50 / p99 | 8 clients: pages/s | 8 clients p50 / p99 | Turtle p50 / p99 | "
        "JSON-LD p50 / p99 | /id 303 p50 | 304 p50 | load average before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r["timings"]
        page, many, ttl, js = t["page"], t["page_8_clients"], t["turtle"], t["jsonld"]
        m = r["machine"]
        cells = [
            f"{r['notices']:,}",
            r.get("tag") or m["date"][:10],
            f"{page['p50_ms']}{_mark(page['p50_ms'], AIM['page_p50'])} / "
            f"{page['p99_ms']}{_mark(page['p99_ms'], AIM['page_p99'])} ms",
            f"{many['pages_per_s']:,}{_mark(many['pages_per_s'], AIM['pages_per_s'], True)}",
            f"{many['p50_ms']} / {many['p99_ms']} ms",
            f"{ttl['p50_ms']}{_mark(ttl['p50_ms'], AIM['rdf_p50'])} / {ttl['p99_ms']} ms",
            f"{js['p50_ms']}{_mark(js['p50_ms'], AIM['rdf_p50'])} / {js['p99_ms']} ms",
            f"{t['id_303']['p50_ms']} ms",
            f"{t['page_304']['p50_ms']} ms" if t["page_304"].get("etag") else "no ETag",
            f"{m['load_average'][0]} → {m.get('load_average_after', ['?'])[0]}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in results:
        m, s = r["machine"], r.get("server", {})
        lines.append(
            f"- {r['notices']:,} notices{' (' + r['tag'] + ')' if r.get('tag') else ''}, {m['date']}: "
            f"{m['nproc']} CPUs, Python {m['python']}, pyoxigraph {m['pyoxigraph']}; gunicorn "
            f"{s.get('workers')} × {s.get('worker_class')} ({s.get('threads')} threads); load average "
            f"{m['load_average']} before, {m.get('load_average_after')} after (a shared machine)."
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def update_readme() -> None:
    """Put the section into bench/results/README.md, replacing the previous one."""
    put_section(BEGIN, END, render_section())


def run(
    sizes: list[int], keep: bool = False, reuse: bool = False, tag: str | None = None
) -> list[dict[str, Any]]:
    """Benchmark each size, write its JSON and the README section; what ``make bench`` calls."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    done = []
    for size in sizes:
        result = run_size(size, keep, reuse)
        if tag:
            result["tag"] = tag
        (RESULTS / result_name(size, tag)).write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        update_readme()
        done.append(result)
    return done


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true", help="keep bench/work/pages-*/")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a kept store: bench/work/pages-N/store, or search-N/store once built (read-only)",
    )
    parser.add_argument("--tag", help="name the run (results in pages-N-TAG.json), e.g. before")
    args = parser.parse_args()
    for result in run(args.sizes, args.keep, args.reuse, args.tag):
        print(json.dumps(result["timings"], indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
