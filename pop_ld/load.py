"""From POP files to N-Quads and into an on-disk Oxigraph store, atomically.

Mapping runs in one process and Oxigraph's bulk loader in another, joined by a pipe, so
the two overlap (the loader takes 200–300k triples/s here, the mapper has to keep up).

Atomicity: ``Store.bulk_load`` is not transactional, so a load never writes into the live
store. It takes a checkpoint of it (``Store.backup``: hard links, near free), bulk-loads
into that copy, and swaps the directories only when everything went in. An interrupted
load leaves the store exactly as it was; the next run cleans up what it left behind.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pop_ld import ROOT, examples, uris, void
from pop_ld.coverage import Coverage
from pop_ld.errors import PopLdError
from pop_ld.mapping import Engine
from pop_ld.records import Notice

#: How many located errors a report keeps in full (the counts are always complete).
MAX_ERRORS_KEPT = 1000
#: The VoID partitions scan every quad (about 10 µs each here): above this size a load
#: leaves them to the site, which computes them on first request, under its timeouts.
VOID_MAX_QUADS = 5_000_000


@dataclass
class MapReport:
    """What a run did: notices mapped, rows rejected and why, the coverage counts."""

    files: list[str] = field(default_factory=list)
    notices: int = 0
    quads: int = 0
    rejected: int = 0
    #: notices read but not mapped on purpose: a REF seen earlier in the same run
    duplicates: int = 0
    field_errors: int = 0
    errors: list[str] = field(default_factory=list)
    by_base: dict[str, int] = field(default_factory=dict)
    coverage: Coverage = field(default_factory=Coverage)
    seconds: float = 0.0

    @classmethod
    def from_json(cls, path: Path) -> MapReport:
        """The report a ``pop-ld map --report`` child wrote."""
        data = json.loads(path.read_text(encoding="utf-8"))["summary"]
        return cls(
            files=data["files"],
            notices=data["notices"],
            quads=data["quads"],
            rejected=data["rejected"],
            duplicates=data["duplicates"],
            field_errors=data["field_errors"],
            errors=data["errors"],
            by_base=data["by_base"],
            seconds=data["seconds"],
        )

    def error(self, err: PopLdError | str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(str(err))

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and self.field_errors == 0

    def summary(self) -> str:
        rate = self.notices / self.seconds if self.seconds else 0.0
        bases = ", ".join(f"{b} {n:,}" for b, n in sorted(self.by_base.items()))
        lines = [
            f"mapped {self.notices:,} notices ({bases or 'none'}) into {self.quads:,} quads "
            f"in {self.seconds:.1f} s ({rate:,.0f} notices/s)",
            f"rejected {self.rejected:,} rows; {self.field_errors:,} values in error",
        ]
        if self.duplicates:
            lines.append(
                f"skipped {self.duplicates:,} notices whose REF came earlier in this run "
                "(the first is kept: map one export of a base at a time to avoid this)"
            )
        lost = self.coverage.lost()
        unlisted = self.coverage.unlisted()
        if unlisted:
            lines.append(
                "fields not in the mapping (values NOT mapped): "
                + ", ".join(f"{b}.{c} ({n.seen})" for (b, c), n in sorted(unlisted.items()))
            )
        if lost:
            lines.append(
                "fields that lost values: "
                + ", ".join(f"{b}.{c} ({n.seen - n.reached})" for (b, c), n in sorted(lost.items()))
            )
        shown = self.errors[:20]
        lines += [f"  {e}" for e in shown]
        if self.rejected + self.field_errors > len(shown):
            lines.append(f"  … {self.rejected + self.field_errors - len(shown):,} more")
        return "\n".join(lines)


def iter_notices(
    files: Iterable[str | Path], base: str | None, report: MapReport
) -> Iterator[Notice]:
    """Notices from every file, in order; unreadable rows and files go to the report."""
    from pop_ld.readers import read_notices

    seen: set[tuple[str, str]] = set()
    for path in files:
        report.files.append(str(path))
        try:
            for item in read_notices(path, base):
                if isinstance(item, PopLdError):
                    report.rejected += 1
                    report.error(item)
                    continue
                key = (item.base, uris.normalise_ref(item.ref))
                if key in seen:
                    report.duplicates += 1
                    continue
                seen.add(key)
                yield item
        except PopLdError as exc:
            report.rejected += 1
            report.error(exc)
        except OSError as exc:
            report.rejected += 1
            report.error(PopLdError(f"cannot read: {exc.strerror or exc}", file=str(path)))


def map_files(
    files: Iterable[str | Path],
    out: IO[str],
    *,
    base: str | None = None,
    private_out: IO[str] | None = None,
    progress: bool = True,
) -> MapReport:
    """Map files to N-Quads written on ``out``; a bad row is reported, the rest goes on.

    Masked fields (ADRS2, COM2…) are written only to ``private_out``, when given.
    """
    from tqdm import tqdm

    report = MapReport()
    engine = Engine(include_private=private_out is not None)
    start = time.perf_counter()
    bar = tqdm(
        unit=" notices",
        desc="mapping",
        file=sys.stderr,
        disable=not progress or None,
        mininterval=0.5,
        smoothing=0.1,
    )
    write = out.write
    with bar:
        for notice in iter_notices(files, base, report):
            try:
                write(engine.map_notice(notice))
            except PopLdError as exc:
                report.rejected += 1
                report.error(exc)
                continue
            if engine.private_lines:
                private_out.write("".join(engine.private_lines))
                engine.private_lines.clear()
            report.by_base[notice.base] = report.by_base.get(notice.base, 0) + 1
            bar.update(1)
    report.notices = engine.notices
    report.quads = engine.quads
    report.field_errors = len(engine.errors)
    for err in engine.errors:
        report.error(err)
    report.coverage = engine.coverage
    report.seconds = time.perf_counter() - start
    return report


# -- loading ------------------------------------------------------------------------------


@dataclass
class LoadReport:
    store: str
    mapping: MapReport
    notices_in_store: int = 0
    quads_in_store: int = 0
    replaced_graphs: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """What the load did (the mapper printed its own summary as it finished)."""
        rate = self.mapping.quads / self.seconds if self.seconds else 0.0
        return (
            f"mapped and loaded {self.mapping.quads:,} quads in {self.seconds:.1f} s "
            f"({rate:,.0f} quads/s)\n"
            f"store {self.store}: {self.notices_in_store:,} notices, "
            f"{self.quads_in_store:,} triples"
        )


def recover(store_dir: Path) -> None:
    """Finish or undo a swap a crash interrupted, and drop a staging copy left behind."""
    old = store_dir.with_name(store_dir.name + ".old")
    staging = store_dir.with_name(store_dir.name + ".staging")
    if not store_dir.exists() and old.exists():
        old.rename(store_dir)
    if old.exists():
        shutil.rmtree(old)
    if staging.exists():
        shutil.rmtree(staging)


def load_files(
    files: list[str | Path],
    store_dir: str | Path,
    *,
    base: str | None = None,
    index: bool = True,
    full_index: bool = False,
) -> LoadReport:
    """Map files and bulk-load them into the store at ``store_dir``, all or nothing.

    The search side index follows every load, so search, facets and the map do: updated for
    the notices the files hold (pop_ld/indexupdate.py), or rebuilt in full (pop_ld/index.py)
    when it is missing, stale, when the load is a large part of the store or ``full_index``;
    ``index=False`` leaves it for later (a later load then sees it stale and rebuilds it).

    Masked fields are never loaded: the store's union graph is what the public endpoint sees.
    """
    from pyoxigraph import NamedNode, RdfFormat, Store

    from pop_ld.index import STATE_FILE, store_state

    store_dir = Path(store_dir)
    recover(store_dir)
    since = store_state(store_dir)
    staging = store_dir.with_name(store_dir.name + ".staging")
    start = time.perf_counter()
    if store_dir.exists():
        Store.read_only(str(store_dir)).backup(str(staging))
    store = Store(str(staging))
    replaced, touched = _clear_reloaded_graphs(store, files, base) if len(store) else (0, None)

    # The mapper is `pop-ld map … -o -` in its own process: its N-Quads stream straight into
    # the bulk loader here, its progress bar and summary go to the terminal, its counts to a
    # JSON report.
    report_path = staging.with_name(staging.name + "-report.json")
    command = [sys.executable, "-m", "pop_ld.cli", "map", *map(str, files), "-o", "-"]
    command += ["--report", str(report_path)] + (["--base", base] if base else [])
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    try:
        store.bulk_load(input=child.stdout, format=RdfFormat.N_QUADS)
        code = child.wait()
        if code not in (0, 1):
            raise PopLdError(f"mapping failed (exit code {code}): nothing was loaded")
        report = MapReport.from_json(report_path)
        store.load(
            path=str(ROOT / "ontology" / "pop.ttl"),
            format=RdfFormat.TURTLE,
            to_graph=NamedNode(uris.graph("ontology")),
        )
        quads = len(store) + examples.load_into(store)  # the editor's examples, as SHACL
        if quads <= VOID_MAX_QUADS:
            quads += void.load_into(store)  # /graph/void: class and property partitions, last
        store.flush()
        notices = count_notices(store)
        del store
        # a new state id with the new store: swapped in with it, recorded by the index
        (staging / STATE_FILE).write_text(uuid.uuid4().hex, encoding="utf-8")
    except BaseException:
        if child.poll() is None:
            child.kill()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        report_path.unlink(missing_ok=True)
    _swap(staging, store_dir)
    if index:
        from pop_ld.index import refresh_after_load

        if full_index:
            touched = None
        refresh_after_load(store_dir, touched, since)
    return LoadReport(
        store=str(store_dir),
        mapping=report,
        notices_in_store=notices,
        quads_in_store=quads,
        replaced_graphs=replaced,
        seconds=time.perf_counter() - start,
    )


def _swap(staging: Path, store_dir: Path) -> None:
    old = store_dir.with_name(store_dir.name + ".old")
    if store_dir.exists():
        store_dir.rename(old)
    staging.rename(store_dir)
    if old.exists():
        shutil.rmtree(old)


def _clear_reloaded_graphs(
    store, files: list[str | Path], base: str | None
) -> tuple[int, set[str]]:
    """Drop the graphs of notices about to be loaded again, so a reload replaces, not merges.

    Returns how many were dropped and every notice graph the files name: the notices the load
    adds, replaces or (a dropped notice whose new row is rejected) removes, for the index.
    """
    from pyoxigraph import NamedNode

    report = MapReport()
    removed = 0
    touched: set[str] = set()
    for notice in iter_notices(files, base, report):
        node = NamedNode(uris.notice(notice.base, notice.ref))
        touched.add(node.value)
        if store.contains_named_graph(node):
            store.remove_graph(node)
            removed += 1
    return removed, touched


def count_notices(store) -> int:
    """Notices in a store: one pop:Notice per notice graph."""
    from pop_ld import queries

    result = store.query(queries.load("count_notices").text, use_default_graph_as_union=True)
    return int(next(iter(result))["notices"].value)
