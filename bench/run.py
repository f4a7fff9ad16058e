"""`make bench`: how fast the spine maps and loads POP-shaped notices, and what the store costs.

For each size (100k and 1M notices by default) it generates a Mérimée + Palissy pair with
``pop_ld.generate``, then runs the real command line as subprocesses, ``pop-ld map FILES -o
OUT.nq`` and ``pop-ld load FILES --store DIR``, polling each process tree with psutil every
0.2 s (wall time, peak RSS summed over the tree, CPU time), counts the store's quads with
SPARQL, and times one-core mapping in-process. Each size is written to
bench/results/spine-{size}.json; the spine section of bench/results/README.md (which the
endpoint and search benches share) is rebuilt from every spine JSON there.

Proportions: half Mérimée, half Palissy. POP counted 46,530 Mérimée MH and 292,467 Palissy
MH notices in December 2024; with the Inventaire, Mérimée is about 330,000 notices and
Palissy 320,000–350,000, so the two bases are about the same size. The Mérimée half is
rounded up: a Palissy REFA points at a Mérimée notice of lower index, so every link of the
pair resolves.

"Full POP" (``--pop-sizes``, default 20,000): every base generated in POP's proportions
(``pop_ld.generate.pop_counts``, counts and sources in mappings/generator.toml [pop]), mapped
and loaded end to end the same way, written to bench/results/spine-pop-{size}.json with the
one-core mapping rate of each base (notices/s, quads/notice, on PER_BASE notices of its own).
The whole of POP (``--pop-sizes 3300000``) needs about 75 GB of store: a parameter, not a default.

Usage: ``python -m bench.run [--sizes 2000 …] [--pop-sizes 20000 …] [--keep] [--timeout
SECONDS]``; ``--sizes`` or ``--pop-sizes`` with no value skips that part; a step past
the timeout is stopped and reported as such (the extrapolation is then a lower bound). Work
files go to bench/work/ (git-ignored) and are removed after each size unless ``--keep``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import timeit
from pathlib import Path

import psutil

from bench.readme import put_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
POP_LD = [sys.executable, "-m", "pop_ld.cli"]
POLL = 0.2
#: The whole of POP, and the aim: mapped and loaded in 15 minutes on the bench machine.
POP_NOTICES = 3_300_000
POP_TRIPLES = 130_000_000
AIM_SECONDS = 15 * 60
#: Notices per base mapped in-process for the one-core rate (enough for a stable rate).
ONE_CORE_LIMIT = 50_000
#: Notices generated per base for its own one-core mapping rate (Museo's REFs stop at M9999).
PER_BASE = 5_000
#: The issue's aim for each base's one-core mapping rate.
PER_BASE_AIM = 8_000
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def machine() -> dict:
    """The facts a reader needs to compare runs: cores, memory, versions, Python's speed."""
    import pyoxigraph

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu
            )
    except OSError:
        pass
    loop = min(timeit.repeat("[x for x in range(1_000_000)]", number=1, repeat=5))
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "pyoxigraph": getattr(pyoxigraph, "__version__", "?"),
        "platform": platform.platform(),
        # this VM's speed drifts by ±30 % over minutes: a pure-Python yardstick taken with the run
        "python_loop_ms": round(loop * 1000, 1),
    }


def generate_pair(size: int, work: Path) -> dict:
    """Mérimée (rounded up) and Palissy halves of ``size`` notices, timed."""
    from pop_ld.generate import compiled, write_csv

    counts = {"merimee": (size + 1) // 2, "palissy": size // 2}
    began = time.perf_counter()
    for base in counts:  # the tables' pools are drawn once per process: timed apart
        compiled(base, 0)
    compiling = time.perf_counter() - began
    began = time.perf_counter()
    files = {}
    for base, n in counts.items():
        files[base] = work / f"{base}.csv"
        write_csv(base, n, files[base], seed=0, progress=True)
    seconds = time.perf_counter() - began
    return {
        "counts": counts,
        "files": {b: str(p.relative_to(ROOT)) for b, p in files.items()},
        "bytes": sum(p.stat().st_size for p in files.values()),
        "compile_seconds": round(compiling, 2),
        "seconds": round(seconds, 2),
        "notices_per_s": round(size / seconds),
    }


def generate_pop(size: int, work: Path) -> dict:
    """Every base in POP's proportions, ``size`` notices in all, timed."""
    from pop_ld.generate import bases, compiled, pop_counts, write_pop

    began = time.perf_counter()
    for base in bases():
        compiled(base, 0)
    compiling = time.perf_counter() - began
    began = time.perf_counter()
    files = write_pop(size, work, seed=0, progress=True)
    seconds = time.perf_counter() - began
    counts = pop_counts(size)
    return {
        "counts": counts,
        "files": {b: str(p.relative_to(ROOT)) for b, p in files.items()},
        "bytes": sum(p.stat().st_size for p in files.values()),
        "compile_seconds": round(compiling, 2),
        "seconds": round(seconds, 2),
        "notices_per_s": round(sum(counts.values()) / seconds),
    }


def map_per_base(work: Path, n: int = PER_BASE) -> dict:
    """Each base's one-core mapping rate, on n generated notices of its own (read + map)."""
    from pop_ld.generate import bases, write_csv

    out = {}
    for base in bases():
        path = work / f"one-core-{base}.csv"
        write_csv(base, n, path, seed=0)
        print(f"   one core: {base}", file=sys.stderr)
        out[base] = map_one_core([str(path)], n)
        path.unlink()
    return out


def watch(command: list[str], log: Path, timeout: float | None = None) -> dict:
    """Run a command; wall time, peak RSS of its process tree, CPU time, exit code.

    Past ``timeout`` seconds the tree is stopped and the step reported as timed out.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    peak = 0
    timed_out = False
    with open(log, "w", encoding="utf-8") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        parent = psutil.Process(child.pid)
        while child.poll() is None:
            peak = max(peak, tree_rss(parent))
            if timeout and time.perf_counter() - began > timeout:
                timed_out = True
                stop_tree(parent)
                child.wait()
                break
            time.sleep(POLL)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "command": " ".join(["pop-ld", *command[len(POP_LD) :]]),
        "exit_code": child.returncode,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(peak / 2**20),
        "log": str(log.relative_to(ROOT)),
        "timed_out": timed_out,
    }


def stop_tree(parent: psutil.Process) -> None:
    """Terminate a process and its descendants (this run's own children only)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        family = [*parent.children(recursive=True), parent]
        for p in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.terminate()
        psutil.wait_procs(family, timeout=10)


def tree_rss(parent: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (those alive now)."""
    total = 0
    try:
        family = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            count += block.count(b"\n")
    return count


def disk_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def store_triples(store_dir: Path) -> int:
    """The quads in the store's named graphs, counted by SPARQL (every notice has its graph)."""
    from pyoxigraph import Store

    store = Store.read_only(str(store_dir))
    solution = next(iter(store.query(COUNT_QUERY)))
    return int(solution["n"].value)


def map_one_core(files: list[str], limit: int) -> dict:
    """Notices/s of the mapping engine in this process: read + map, N-Quads text discarded."""
    from pop_ld.load import MapReport, iter_notices
    from pop_ld.mapping import Engine

    engine = Engine()
    report = MapReport()
    notices = quads = 0
    began, cpu = time.perf_counter(), time.process_time()
    for path in files:
        for k, notice in enumerate(iter_notices([path], None, report)):
            if k >= limit:
                break
            quads += engine.map_notice(notice).count("\n")
            notices += 1
    seconds = time.perf_counter() - began
    # CPU time as well: on a shared machine wall time measures the neighbours too
    cpu = time.process_time() - cpu
    return {
        "notices": notices,
        "quads": quads,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "notices_per_s": round(notices / seconds),
        "notices_per_cpu_s": round(notices / cpu) if cpu else None,
        "quads_per_notice": round(quads / notices, 1) if notices else None,
        "errors": len(engine.errors),
    }


def extrapolate(result: dict) -> dict:
    """The whole of POP at the measured rates, against the 15-minute aim.

    A load stopped by the time limit gives a lower bound: POP takes at least that long.
    """
    load, mapped = result["load"], result["map"]
    quads = load.get("triples") or mapped.get("quads") or 0
    per_notice = quads / result["size"] if result["size"] else 0
    notices_per_s = result["size"] / load["seconds"]
    by_notices = POP_NOTICES / notices_per_s
    by_triples = POP_TRIPLES / load["triples_per_s"] if load.get("triples_per_s") else None
    map_rate = mapped.get("notices_per_s")
    return {
        "pop_notices": POP_NOTICES,
        "pop_triples_assumed": POP_TRIPLES,
        "triples_per_notice_measured": round(per_notice, 1),
        "pop_triples_at_measured_density": round(POP_NOTICES * per_notice),
        "load_seconds_for_pop_notices": round(by_notices),
        "lower_bound": bool(load["timed_out"]),
        "load_seconds_for_130M_triples": round(by_triples) if by_triples else None,
        "map_seconds_for_pop_notices": round(POP_NOTICES / map_rate) if map_rate else None,
        "aim_seconds": AIM_SECONDS,
        "times_the_aim": round(by_notices / AIM_SECONDS, 1),
    }


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_size(size: int, keep: bool, timeout: float | None = None, pop: bool = False) -> dict:
    """Generate, map, map in-process, load: one size's results (``pop``: every base)."""
    work = WORK / (f"spine-pop-{size}" if pop else f"spine-{size}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # the load average tells whether something else shared the machine during the run
    result: dict = {"size": size, "machine": machine(), "load_average_before": _load_average()}
    result["set"] = "pop" if pop else "pair"
    print(f"== {size:,} notices ({result['set']}): generating", file=sys.stderr)
    result["generate"] = gen = generate_pop(size, work) if pop else generate_pair(size, work)
    size = result["size"] = sum(gen["counts"].values())  # POP's shares, rounded up per base
    files = list(gen["files"].values())
    if pop:
        print(f"== {size:,}: one-core mapping per base", file=sys.stderr)
        result["map_per_base"] = map_per_base(work)

    print(f"== {size:,}: pop-ld map", file=sys.stderr)
    nq = work / "out.nq"
    report = (work / "map-report.json").relative_to(ROOT)
    mapped = watch(
        [*POP_LD, "map", *files, "-o", str(nq.relative_to(ROOT)), "--report", str(report)],
        work / "map.log",
        timeout,
    )
    if mapped["exit_code"] in (0, 1) and nq.exists() and not mapped["timed_out"]:
        mapped["quads"] = count_lines(nq)
        mapped["nq_bytes"] = nq.stat().st_size
        mapped["notices_per_s"] = round(size / mapped["seconds"])
        mapped["quads_per_s"] = round(mapped["quads"] / mapped["seconds"])
        if not keep:
            nq.unlink()
    result["map"] = mapped

    print(f"== {size:,}: one-core mapping in-process", file=sys.stderr)
    result["map_one_core"] = map_one_core([str(ROOT / f) for f in files], ONE_CORE_LIMIT)

    print(f"== {size:,}: pop-ld load", file=sys.stderr)
    store = work / "store"
    loaded = watch(
        [*POP_LD, "load", *files, "--store", str(store.relative_to(ROOT)), "--no-index"],
        work / "load.log",
        timeout,
    )
    if loaded["timed_out"]:  # what the loader had written when it was stopped
        staging = [p for p in work.iterdir() if p.is_dir() and p.name.startswith("store")]
        loaded["store_bytes_when_stopped"] = sum(disk_bytes(p) for p in staging)
    elif loaded["exit_code"] in (0, 1) and store.exists():
        loaded["triples"] = store_triples(store)
        loaded["store_bytes"] = disk_bytes(store)
        loaded["bytes_per_triple"] = (
            round(loaded["store_bytes"] / loaded["triples"], 1) if loaded["triples"] else None
        )
        loaded["triples_per_s"] = round(loaded["triples"] / loaded["seconds"])
        loaded["notices_per_s"] = round(size / loaded["seconds"])
    result["load"] = loaded
    result["load_average_after"] = _load_average()
    if ("triples" in loaded or loaded["timed_out"]) and "notices_per_s" in mapped:
        result["extrapolation"] = extrapolate(result)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# -- results ----------------------------------------------------------------------------------
COLUMNS = [
    ("set", lambda r: SETS[r.get("set", "pair")]),
    ("notices", lambda r: f"{r['size']:,}"),
    ("quads", lambda r: f"{r['load'].get('triples') or r['map'].get('quads', 0):,}"),
    ("quads/notice", lambda r: r.get("extrapolation", {}).get("triples_per_notice_measured", "–")),
    ("generate notices/s", lambda r: f"{r['generate']['notices_per_s']:,}"),
    ("map notices/s (CLI)", lambda r: f"{r['map'].get('notices_per_s', 0):,}"),
    ("map notices/s (1 core)", lambda r: f"{r['map_one_core'].get('notices_per_s', 0):,}"),
    ("map peak RSS", lambda r: f"{r['map']['peak_rss_mb']:,} MB"),
    ("load s", lambda r: ("> " if r["load"].get("timed_out") else "") + str(r["load"]["seconds"])),
    ("load quads/s", lambda r: f"{r['load'].get('triples_per_s', 0):,}"),
    ("load peak RSS", lambda r: f"{r['load']['peak_rss_mb']:,} MB"),
    ("store B/quad", lambda r: r["load"].get("bytes_per_triple", "–")),
    ("3.3M notices, load", lambda r: _bound(r) + _minutes(_pop(r, "load_seconds_for_pop_notices"))),
    ("× 15-min aim", lambda r: _bound(r) + str(_pop(r, "times_the_aim") or "–")),
]


SETS = {"pair": "Mérimée + Palissy", "pop": "all 8 bases, POP's proportions"}


def _pop(r: dict, key: str):
    return r.get("extrapolation", {}).get(key)


def _bound(r: dict) -> str:
    return "≥ " if _pop(r, "lower_bound") else ""


def _minutes(seconds: float | None) -> str:
    return f"{seconds / 60:.0f} min" if seconds else "–"


#: The spine's section of bench/results/README.md, which other benches share (endpoint, search).
START = "<!-- spine bench: written by bench/run.py from spine-*.json -->"
END = "<!-- end of spine bench -->"


def render_readme() -> str:
    """The spine section of bench/results/README.md, from every spine-*.json present."""
    results = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("spine-*.json")),
        key=lambda r: (r.get("set", "pair"), r["size"]),
    )
    lines = [
        START,
        "# Spine benchmark: generated Mérimée + Palissy → N-Quads → Oxigraph",
        "",
        "Written by `make bench` (`python -m bench.run`); one JSON per size beside this file.",
        "Half Mérimée, half Palissy, from `pop_ld.generate` (seed 0). `map` is `pop-ld map FILES",
        "-o OUT.nq`; `load` is `pop-ld load FILES --store DIR` (mapping and bulk load overlapping),",
        "its quads counted by SPARQL in the store. Peak RSS is the sum over the process tree,",
        'polled every 0.2 s. "1 core" maps in-process, reading included, output discarded.',
        "The last two columns extrapolate `load` to the whole of POP (3.3M notices) against",
        'the aim of 15 minutes. "All 8 bases" is `pop-ld generate --pop`: every base in POP\'s',
        "proportions (mappings/generator.toml [pop]), every cross-base link resolving in the set.",
        "",
        "| " + " | ".join(name for name, _ in COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for r in results:
        lines.append("| " + " | ".join(str(cell(r)) for _, cell in COLUMNS) + " |")
    lines.append("")
    for r in results:
        if "map_per_base" in r:
            lines += [""] + _per_base(r)
    for r in results:
        lines += [""] + _notes(r)
    lines.append(END)
    return "\n".join(lines) + "\n"


def _per_base(r: dict) -> list[str]:
    """Each base's one-core mapping rate, measured with a full-POP run."""
    m = r["machine"]
    lines = [
        f"## Mapping on one core, per base ({m['date'][:10]}, Python yardstick "
        f"{m['python_loop_ms']} ms)",
        "",
        f"{PER_BASE:,} generated notices of each base read and mapped in-process, output",
        f"discarded (`map_one_core`); the issue's aim is {PER_BASE_AIM:,} notices/s each. Share",
        "= the base's part of the full-POP set. Notices per CPU second discount the other work",
        "sharing the machine (see the load average below); the aim is read on it.",
        "",
        "| base | share | notices/s (1 core, wall) | notices per CPU second | quads/notice "
        "| aim met (CPU) |",
        "|---|---|---|---|---|---|",
    ]
    total = sum(r["generate"]["counts"].values())
    for base, one in r["map_per_base"].items():
        share = r["generate"]["counts"][base] / total
        rate = one.get("notices_per_cpu_s") or one["notices_per_s"]
        met = "yes" if rate >= PER_BASE_AIM else "no"
        lines.append(
            f"| {base} | {share:.2%} | {one['notices_per_s']:,} | {rate:,} "
            f"| {one['quads_per_notice']} | {met} |"
        )
    return lines


def _notes(r: dict) -> list[str]:
    """What a row of the table cannot say: the machine, its load, the extrapolation."""
    m, e = r["machine"], r.get("extrapolation", {})
    busy = r.get("load_average_before"), r.get("load_average_after")
    lines = [
        f"- **{r['size']:,} notices, {SETS[r.get('set', 'pair')]}**, {m['date']}: {m['nproc']} "
        f"CPUs ({m['cpu']}), "
        f"{m['ram_gb']} GB RAM, Python {m['python']}, pyoxigraph {m['pyoxigraph']}; Python "
        f"yardstick {m['python_loop_ms']} ms (a 1M-item list comprehension: lower is faster); "
        f"load average before / after: {busy[0]} / {busy[1]} (above 0 means other work "
        "shared the machine)."
    ]
    for step in ("map", "load"):
        if r[step].get("timed_out"):
            lines.append(f"  `{r[step]['command']}` was stopped after {r[step]['seconds']} s.")
        elif r[step]["exit_code"] not in (0, 1):
            lines.append(f"  `{r[step]['command']}` failed with exit code {r[step]['exit_code']}.")
    if e:
        at_least = "at least " if e.get("lower_bound") else ""
        lines.append(
            f"  At {e['triples_per_notice_measured']} quads a notice, 3.3M notices make "
            f"{e['pop_triples_at_measured_density']:,} quads; loading them at this rate takes "
            f"{at_least}{_minutes(e['load_seconds_for_pop_notices'])} ({at_least}"
            f"{e['times_the_aim']}× the 15-minute aim); mapping alone "
            f"{_minutes(e['map_seconds_for_pop_notices'])}"
            + (
                f"; 130M quads at the measured quads/s, {_minutes(e['load_seconds_for_130M_triples'])}."
                if e.get("load_seconds_for_130M_triples")
                else "."
            )
        )
    return lines


def write_readme() -> None:
    """Put the spine section first in README.md, replacing the previous one; others stay."""
    put_section(START, END, render_readme(), first=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument(
        "--pop-sizes",
        type=int,
        nargs="*",
        default=[20_000],
        help="full-POP sets: every base in POP's proportions (3300000: the whole, ~75 GB)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep bench/work/ (CSV, N-Quads, store)"
    )
    parser.add_argument(
        "--timeout", type=float, help="stop a map or load step after this many seconds"
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    runs = [(size, False) for size in args.sizes] + [(size, True) for size in args.pop_sizes]
    for size, pop in runs:
        result = run_size(size, args.keep, args.timeout, pop)
        target = RESULTS / (f"spine-pop-{size}.json" if pop else f"spine-{size}.json")
        target.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_readme()
        print(f"wrote {target.relative_to(ROOT)} and bench/results/README.md", file=sys.stderr)


if __name__ == "__main__":
    main()
