"""Time notice pages and RDF documents over HTTP, one client, keep-alive: p50 / p90 / p99 in ms.

    .venv/bin/python scripts/time_notices.py http://127.0.0.1:5000 --store var/demo-store -n 200

Picks ``-n`` notices of the store at random (fixed seed), then GETs each one's page
(``/notice/…``), Turtle (``/data/….ttl``), native JSON-LD and Linked Art JSON-LD, and prints
the latency of each kind. Run it against ``pop-ld serve`` (gunicorn) on an otherwise idle
machine: it measures the site, not the client. `make bench` measures concurrency and scale.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

KINDS = {
    "page": ("{path}", "text/html"),
    "turtle": ("{data}.ttl", "*/*"),
    "jsonld": ("{data}.jsonld", "*/*"),
    "linked-art": ("{data}.jsonld?_profile=linked-art", "*/*"),
}


def notices(store: str, n: int, seed: int) -> list[str]:
    """Paths of ``n`` notice graphs of the store, chosen at random."""
    opened = ox.Store.read_only(store)
    graphs = [g.value for g in opened.named_graphs() if "/notice/" in g.value]
    random.Random(seed).shuffle(graphs)
    return [urlsplit(g).path for g in graphs[:n]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the site, e.g. http://127.0.0.1:5000")
    parser.add_argument(
        "--store", required=True, help="the store the site serves (to pick notices)"
    )
    parser.add_argument("-n", type=int, default=200, help="notices to time (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = notices(args.store, args.n, args.seed)
    session = requests.Session()
    for path in paths[:5]:  # warm the connection and the app
        session.get(args.url + path, timeout=60)
    print(f"{len(paths)} notices of {args.store} on {args.url}")
    for kind, (pattern, accept) in KINDS.items():
        times = []
        for path in paths:
            url = args.url + pattern.format(path=path, data=path.replace("/notice/", "/data/", 1))
            start = time.perf_counter()
            response = session.get(url, headers={"Accept": accept}, timeout=60)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                print(f"{url}: {response.status_code}", file=sys.stderr)
        print(
            f"{kind:11} p50 {statistics.median(times):6.1f} ms   p90 {percentile(times, 90):6.1f}"
            f"   p99 {percentile(times, 99):6.1f}   max {max(times):6.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
