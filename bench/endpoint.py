"""`make bench`, the endpoint half: /sparql on gunicorn against `oxigraph serve` on the same store.

For each size it generates a Mérimée + Palissy pair (``pop-ld generate``, half each, Mérimée
rounded up), loads it (``pop-ld load``), then starts both servers over that one store,
read-only: ``pop-ld serve`` (gunicorn, the query pool, every guardrail at its default) and
``oxigraph serve-read-only --union-default-graph`` (the same default graph).

- **Latency**: ten representative queries (``QUERIES``), one client, sent alternately to
  each server (so the machine's drift hits both alike); the median per query and server,
  and their ratio (the aim is ≤ 1.2×). Same HTTP client, same form POST, same Accept.
- **Throughput**: 8 clients for ``THROUGHPUT_SECONDS`` each way, every client cycling
  through the ten queries from its own starting point; answered queries per second. The
  clients connect from 127.0.0.2…9, so pop-ld sees eight clients, as its per-client limit
  (POP_LD_CLIENT_CONCURRENCY) expects.

Each size is written to bench/results/endpoint-{size}.json; the section between the
``ENDPOINT_SECTION`` markers of bench/results/README.md is rebuilt from every such file.

Usage: ``python -m bench.endpoint [--sizes 2000 …] [--keep]``; ``run(sizes)`` from Python.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from bench.readme import put_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
DEFAULT_SIZES = [100_000]
SMOKE_SIZE = 2_000
CLIENTS = 8
#: Seconds each server is loaded by the 8 clients.
THROUGHPUT_SECONDS = 20.0
#: Seconds of repeated runs per query and server (at least MIN_REPS, at most MAX_REPS runs).
LATENCY_BUDGET = 4.0
MIN_REPS, MAX_REPS = 5, 41
AIM_RATIO = 1.2
START = "<!-- endpoint bench: written by bench/endpoint.py from endpoint-*.json -->"
END = "<!-- end of endpoint bench -->"

PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX pop: <https://w3id.org/pop-ld/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass(frozen=True, slots=True)
class Query:
    """One benchmark query: what a page or a researcher sends, with its terms from the data."""

    name: str
    what: str
    #: the query, its {placeholders} filled from ``Sample`` with pyoxigraph terms (str(term))
    template: str
    graph: bool = False

    def text(self, sample: dict[str, str]) -> str:
        return PREFIXES + self.template.format(**sample)


QUERIES = [
    Query("count_notices", "notices in the store, from the graph index (sparql/count_notices.rq)",
          """SELECT (COUNT(?notice) AS ?notices) WHERE {{
  GRAPH ?notice {{ }} FILTER(CONTAINS(STR(?notice), "/notice/")) }}"""),
    Query("notice_graph", "one notice's graph, as a notice page reads it",
          "SELECT ?s ?p ?o WHERE {{ GRAPH {notice} {{ ?s ?p ?o }} }}"),
    Query("describe_thing", "CONSTRUCT of one thing's statements, answered in Turtle",
          "CONSTRUCT {{ {thing} ?p ?o }} WHERE {{ {thing} ?p ?o }}", graph=True),
    Query("labels_5000", "5,000 things and labels: the cost of serialising a large answer",
          "SELECT ?thing ?label WHERE {{ ?thing a crm:E22_Human-Made_Object ; rdfs:label ?label }}"
          " LIMIT 5000"),
    Query("facet_denomination", "denomination facet: GROUP BY over every building",
          """SELECT ?type (COUNT(?thing) AS ?n) WHERE {{ ?thing a pop:Edifice ; crm:P2_has_type ?type }}
GROUP BY ?type ORDER BY DESC(?n) LIMIT 50"""),
    Query("century_overlap", "campaigns overlapping the 12th century (P82a/P82b ranges)",
          """SELECT ?thing ?date ?begin ?end WHERE {{
  ?span crm:P82a_begin_of_the_begin ?begin ; crm:P82b_end_of_the_end ?end ; rdfs:label ?date .
  FILTER(?begin <= "1199-12-31T23:59:59"^^xsd:dateTime && ?end >= "1100-01-01T00:00:00"^^xsd:dateTime)
  ?thing crm:P108i_was_produced_by/crm:P9_consists_of?/crm:P4_has_time-span ?span .
}} LIMIT 500"""),
    Query("departement", "things in one département, through crm:P89_falls_within+",
          """SELECT ?thing ?label WHERE {{
  ?dpt a pop:Departement ; pop:codeDepartement {departement} .
  ?thing crm:P55_has_current_location/crm:P89_falls_within+ ?dpt ; rdfs:label ?label .
}} LIMIT 500"""),
    Query("protections_before_1900", "dated protection events (E17) before 1900",
          """SELECT ?thing ?status ?begin WHERE {{
  ?span crm:P82a_begin_of_the_begin ?begin .
  FILTER(?begin < "1900-01-01T00:00:00"^^xsd:dateTime)
  ?p crm:P4_has_time-span ?span ; a crm:E17_Type_Assignment ; crm:P41_classified ?thing ;
     crm:P42_assigned/skos:prefLabel ?status .
}} LIMIT 500"""),
    Query("objects_in_building", "the objects a building keeps (pop:conserveDans)",
          "SELECT ?object ?label WHERE {{ ?object pop:conserveDans {building} ; rdfs:label ?label }}"),
    Query("text_search", "CONTAINS over every label (about 15 µs a notice)",
          """SELECT ?thing ?label WHERE {{ ?thing rdfs:label ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "chapelle")) }} LIMIT 100"""),
]  # fmt: skip


# -- data --------------------------------------------------------------------------------------


def pop_ld(*args: str, log: Path) -> float:
    """Run the pop-ld command line (as `make` would), its output in ``log``; seconds taken."""
    began = time.perf_counter()
    with open(log, "a", encoding="utf-8") as out:
        subprocess.run(
            [sys.executable, "-m", "pop_ld.cli", *args],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    return time.perf_counter() - began


def build_store(size: int, work: Path) -> dict:
    """Generated Mérimée + Palissy notices, loaded by `pop-ld load`."""
    counts = {"merimee": (size + 1) // 2, "palissy": size // 2}
    log = work / "data.log"
    files = []
    generate = 0.0
    for base, n in counts.items():
        files.append(str(work / f"{base}.csv"))
        generate += pop_ld("generate", "--base", base, "-n", str(n), "-o", files[-1], log=log)
    load = pop_ld("load", *files, "--store", str(work / "store"), log=log)
    store = ox.Store.read_only(str(work / "store"))
    return {
        "counts": counts,
        "quads": len(store),
        "generate_seconds": round(generate, 1),
        "load_seconds": round(load, 1),
    }


def sample_terms(store_dir: Path) -> dict[str, str]:
    """Terms the queries name: a building with objects, its notice, the busiest département."""
    store = ox.Store.read_only(str(store_dir))

    def first(query: str) -> ox.QuerySolution:
        return next(iter(store.query(PREFIXES + query, use_default_graph_as_union=True)))  # type: ignore[arg-type]

    building = first(
        "SELECT ?b (COUNT(?o) AS ?n) WHERE { ?o pop:conserveDans ?b . ?b a pop:Edifice } "
        "GROUP BY ?b ORDER BY DESC(?n) ?b LIMIT 1"
    )["b"]
    notice = first(f"SELECT ?n WHERE {{ {building} crm:P70i_is_documented_in ?n }}")["n"]
    code = first(
        "SELECT ?code (COUNT(?t) AS ?n) WHERE { ?d pop:codeDepartement ?code . "
        "?t crm:P55_has_current_location/crm:P89_falls_within+ ?d } GROUP BY ?code "
        "ORDER BY DESC(?n) ?code LIMIT 1"
    )["code"]
    # terms written by pyoxigraph, never pasted from strings
    return {"thing": str(building), "building": str(building), "notice": str(notice),
            "departement": str(code)}  # fmt: skip


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    host: str
    port: int
    path: str

    def stop(self) -> None:
        """SIGTERM (gunicorn stops its worker and the query pool), then SIGKILL."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def start(name: str, command: list[str], path: str, port: int, log: Path, env: dict) -> Server:
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(name, process, "127.0.0.1", port, path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            status, _, _ = send(server, "ASK {}", "application/sparql-results+json", None)
            if status == 200:
                return server
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not start: see {log}")


def start_servers(store: Path, work: Path) -> list[Server]:
    """pop-ld serve and oxigraph serve-read-only on the same store, each on a free port."""
    pop_port, ox_port = free_port(), free_port()
    env = {**os.environ}
    pop = start(
        "pop-ld",
        [str(BIN / "pop-ld"), "serve", "--store", str(store), "--port", str(pop_port)],
        "/sparql", pop_port, work / "pop-ld-serve.log", env,
    )  # fmt: skip
    oxigraph = start(
        "oxigraph",
        [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store),
         "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
        "/query", ox_port, work / "oxigraph-serve.log", env,
    )  # fmt: skip
    return [pop, oxigraph]


# -- HTTP --------------------------------------------------------------------------------------


def send(
    server: Server,
    query: str,
    accept: str,
    conn: http.client.HTTPConnection | None,
    source: str | None = None,
) -> tuple[int, bytes, http.client.HTTPConnection]:
    """POST the query as a form, as YASGUI and SPARQLWrapper do; status, body, connection.

    A kept-alive connection the server has closed meanwhile is opened again, once.
    """
    body = urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    for attempt in (1, 2):
        fresh = conn is None
        if conn is None:
            conn = http.client.HTTPConnection(
                server.host, server.port, timeout=120,
                source_address=(source, 0) if source else None,
            )  # fmt: skip
        try:
            conn.request("POST", server.path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), conn
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = None
            if fresh or attempt == 2:
                raise
    raise AssertionError("unreachable")


def accept_for(query: Query) -> str:
    return "text/turtle" if query.graph else "application/sparql-results+json"


def count_answer(query: Query, body: bytes) -> int:
    """Rows (SELECT) or triples (CONSTRUCT) in an answer, to check both servers agree."""
    if query.graph:
        return len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
    return len(json.loads(body)["results"]["bindings"])


# -- measures ----------------------------------------------------------------------------------


def latency(servers: list[Server], sample: dict[str, str]) -> list[dict]:
    """Median seconds of each query on each server, runs alternating between the servers."""
    rows = []
    conns: dict[str, http.client.HTTPConnection | None] = {s.name: None for s in servers}
    for query in QUERIES:
        text, accept = query.text(sample), accept_for(query)
        times: dict[str, list[float]] = {s.name: [] for s in servers}
        answers = {}
        for server in servers:  # warm-up, and the answers' sizes
            status, body, conns[server.name] = send(server, text, accept, conns[server.name])
            if status != 200:
                raise RuntimeError(
                    f"{server.name} answered {status} to {query.name}: {body[:300]!r}"
                )
            answers[server.name] = count_answer(query, body)
        reps = 0
        began = time.perf_counter()
        while reps < MAX_REPS and (reps < MIN_REPS or time.perf_counter() - began < LATENCY_BUDGET):
            for server in servers if reps % 2 == 0 else reversed(servers):
                t0 = time.perf_counter()
                status, body, conns[server.name] = send(server, text, accept, conns[server.name])
                times[server.name].append(time.perf_counter() - t0)
                assert status == 200, (server.name, query.name, status)
            reps += 1
        medians = {name: statistics.median(ts) for name, ts in times.items()}
        rows.append({
            "query": query.name,
            "what": query.what,
            "answer_size": answers,
            "runs": reps,
            "median_ms": {name: round(m * 1000, 2) for name, m in medians.items()},
            "added_ms": round((medians["pop-ld"] - medians["oxigraph"]) * 1000, 2),
            "ratio": round(medians["pop-ld"] / medians["oxigraph"], 2),
        })  # fmt: skip
        print(f"  {query.name:24} pop-ld {medians['pop-ld'] * 1000:8.1f} ms  oxigraph "
              f"{medians['oxigraph'] * 1000:8.1f} ms  ×{rows[-1]['ratio']}", file=sys.stderr)  # fmt: skip
    return rows


def throughput(server: Server, sample: dict[str, str], seconds: float) -> dict:
    """Queries answered per second by ``CLIENTS`` clients cycling through the ten queries."""
    texts = [(q.text(sample), accept_for(q)) for q in QUERIES]
    done: list[int] = [0] * CLIENTS
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = None
        i = k
        while time.monotonic() < stop_at:
            text, accept = texts[i % len(texts)]
            i += 1
            try:
                status, _, conn = send(server, text, accept, conn, source=f"127.0.0.{k + 2}")
            except (http.client.HTTPException, OSError):
                conn, status = None, -1
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                done[k] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "answered": sum(done),
        "queries_per_s": round(sum(done) / elapsed, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def run_size(size: int, keep: bool) -> dict:
    """One size: data, both servers, latency then throughput; the JSON-ready result."""
    from bench.run import machine

    work = WORK / f"endpoint-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result: dict = {"size": size, "machine": machine()}
    # other work on the machine skews both servers alike (runs alternate), but it shows here
    result["machine"]["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(f"== endpoint bench, {size:,} notices: generate and load", file=sys.stderr)
    result["data"] = build_store(size, work)
    sample = sample_terms(work / "store")
    result["sample"] = sample
    result["settings"] = {
        "pop-ld": "pop-ld serve: gunicorn gthread, every POP_LD_* setting at its default "
        "(pool 4, 2 queries per client, result limit 10,000)",
        "oxigraph": "oxigraph serve-read-only --union-default-graph",
    }
    servers = start_servers(work / "store", work)
    try:
        print(f"== {size:,}: latency, one client", file=sys.stderr)
        result["latency"] = latency(servers, sample)
        result["throughput"] = {}
        for server in servers:
            print(f"== {size:,}: throughput of {server.name}, {CLIENTS} clients", file=sys.stderr)
            result["throughput"][server.name] = throughput(server, sample, THROUGHPUT_SECONDS)
    finally:
        for server in servers:
            server.stop()
    ratios = [row["ratio"] for row in result["latency"]]
    result["summary"] = {
        "latency_ratio_geomean": round(statistics.geometric_mean(ratios), 2),
        "latency_ratio_max": max(ratios),
        "queries_within_aim": sum(r <= AIM_RATIO for r in ratios),
        "throughput_ratio": round(
            result["throughput"]["pop-ld"]["queries_per_s"]
            / result["throughput"]["oxigraph"]["queries_per_s"],
            2,
        ),
        "aim_ratio": AIM_RATIO,
    }
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# -- results -----------------------------------------------------------------------------------


def readme_section() -> str:
    """The endpoint section of bench/results/README.md, from every endpoint-*.json present."""
    results = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("endpoint-*.json")),
        key=lambda r: r["size"],
    )
    lines = [
        START,
        "## Endpoint benchmark: `/sparql` on gunicorn vs `oxigraph serve` on the same store",
        "",
        "Written by `python -m bench.endpoint` (bench/endpoint.py); one JSON per size beside this",
        "file. Generated Mérimée + Palissy notices (half each) loaded by `pop-ld load`, then served",
        "read-only by `pop-ld serve` (every POP_LD_* setting at its default) and by `oxigraph",
        "serve-read-only --union-default-graph`. Latency: one client, form POSTs sent alternately",
        "to each server, median per query; ratio = /sparql ÷ oxigraph (aim ≤ 1.2×). Throughput: 8",
        f"clients (from 127.0.0.2–9) cycling through the ten queries for {THROUGHPUT_SECONDS:g} s.",
        "",
        "| notices | query | answer | runs | /sparql ms | oxigraph ms | added ms | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for row in r["latency"]:
            size = row["answer_size"]
            answer = f"{size['pop-ld']:,}" + ("" if size["pop-ld"] == size["oxigraph"] else " ≠")
            lines.append(
                f"| {r['size']:,} | `{row['query']}` | {answer} | {row['runs']} | "
                f"{row['median_ms']['pop-ld']:,} | {row['median_ms']['oxigraph']:,} | "
                f"{row['added_ms']:,} | {row['ratio']}× |"
            )
    lines += [
        "",
        "| notices | quads | latency ratio (geometric mean) | worst ratio | queries ≤ 1.2× | "
        "/sparql q/s (8 clients) | oxigraph q/s (8 clients) | throughput ratio | /sparql statuses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s, t = r["summary"], r["throughput"]
        statuses = ", ".join(f"{k}: {v:,}" for k, v in t["pop-ld"]["statuses"].items())
        lines.append(
            f"| {r['size']:,} | {r['data']['quads']:,} | {s['latency_ratio_geomean']}× | "
            f"{s['latency_ratio_max']}× | {s['queries_within_aim']} of {len(r['latency'])} | "
            f"{t['pop-ld']['queries_per_s']} | {t['oxigraph']['queries_per_s']} | "
            f"{s['throughput_ratio']}× | {statuses} |"
        )
    lines.append("")
    for r in results:
        m = r["machine"]
        lines.append(
            f"- {r['size']:,} notices, {m['date']}: {m['nproc']} CPUs ({m['cpu']}), "
            f"{m['ram_gb']} GB RAM, Python {m['python']}, pyoxigraph {m['pyoxigraph']}, Python "
            f"yardstick {m['python_loop_ms']} ms, load average {m.get('load_average', '?')}."
        )
    lines.append("")
    lines += [f"- `{q.name}`: {q.what}." for q in QUERIES]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_readme(section: Callable[[], str] = readme_section) -> None:
    """Put the endpoint section into README.md: replaced between its markers, else appended."""
    put_section(START, END, section())


def run(sizes: list[int] | None = None, keep: bool = False) -> list[dict]:
    """Bench each size; write endpoint-{size}.json and the README section after each."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes or DEFAULT_SIZES:
        result = run_size(size, keep)
        target = RESULTS / f"endpoint-{size}.json"
        target.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_readme()
        print(f"wrote {target.relative_to(ROOT)} and bench/results/README.md", file=sys.stderr)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=DEFAULT_SIZES,
        help=f"notices per run (default {DEFAULT_SIZES}; smoke: {SMOKE_SIZE})",
    )
    parser.add_argument("--keep", action="store_true", help="keep bench/work/endpoint-*/")
    args = parser.parse_args()
    run(args.sizes, args.keep)


if __name__ == "__main__":
    main()
