"""Worker processes that run queries where they can be stopped: pyoxigraph cannot cancel one.

A fixed number of processes each open the store once (read-only) and answer one query
at a time, serialising the whole answer before sending it back, so a client never gets
a 200 followed by a cut body. A query past its time limit gets its process killed and
replaced; a query that finds no free worker in time is refused rather than queued
forever. The web process never evaluates a query, so pages stay fast while queries run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from pop_ld import querytext
from pop_ld.formats import FORMATS
from pop_ld.store import (
    GraphName,
    NotAcceptable,
    PoolBusy,
    QuerySyntaxError,
    QueryTimeout,
    Result,
    Serialized,
    StoreConfig,
    StoreError,
    Term,
    open_store,
)

log = logging.getLogger(__name__)

#: Formats used between a worker and Store.query callers: compact, and parsed back exactly.
_TRANSFER = {"solutions": "tsv", "boolean": "json", "graph": "nt"}
_READY_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query to run, with the format wanted for each kind of answer it may give."""

    sparql: str
    #: answer form (``solutions``, ``boolean``, ``graph``) → format name, None if unacceptable
    formats: Mapping[str, str | None] = field(default_factory=lambda: dict(_TRANSFER))
    substitutions: Mapping[str, Term] | None = None
    default_graph_union: bool = True
    default_graph: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    #: rows or triples kept at most; the answer says when it was cut
    limit: int | None = None


@dataclass(slots=True)
class Answer:
    """A query's complete answer, serialised in the worker."""

    body: bytes
    format: str
    form: str
    #: rows or triples sent; None when written straight through (the query's own LIMIT fits)
    count: int | None
    truncated: bool
    seconds: float

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type

    def result(self) -> Result:
        """The answer as a Result again (it was sent in a transfer format)."""
        fmt = FORMATS[self.format]
        if self.form == "graph":
            return Result([q.triple for q in ox.parse(self.body, format=fmt.oxigraph)])
        answer = ox.parse_query_results(self.body, format=fmt.oxigraph)
        return Result(bool(answer) if self.form == "boolean" else answer)


def execute(store: Any, job: QueryJob) -> tuple:
    """Run one job on a store and serialise its answer; errors come back as plain tuples."""
    started = time.perf_counter()
    try:
        result = store.query(
            job.sparql,
            substitutions=job.substitutions,
            default_graph_union=job.default_graph_union,
            default_graph=list(job.default_graph) or None,
            named_graphs=list(job.named_graphs) or None,
            base_iri=job.base_iri,
        )
        name = job.formats.get(result.form)
        if name is None:
            raise NotAcceptable(f"no acceptable format for the answer of a {result.form_name}")
        limit = job.limit
        if (
            limit is not None
            and (own := querytext.outer_limit(job.sparql)) is not None
            and own <= limit
        ):
            limit = None  # the query cannot pass the limit: write it straight through, uncounted
        done: Serialized = result.serialize(name, limit=limit)
    except QuerySyntaxError as error:
        return ("syntax", error.message, error.line, error.column)
    except NotAcceptable as error:
        return ("not-acceptable", error.message)
    except StoreError as error:
        return ("error", str(error))
    except Exception as error:  # a worker must answer, whatever happened
        return ("error", f"{type(error).__name__}: {error}")
    seconds = time.perf_counter() - started
    return ("ok", Answer(done.body, name, done.form, done.count, done.truncated, seconds))


def _serve(conn: Connection, config: StoreConfig) -> None:
    """A worker's life: open the store once, then answer jobs until the pipe closes."""
    _exit_with_parent()
    try:
        store = open_store(config)
    except Exception as error:
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, job))


def _exit_with_parent() -> None:
    """Die when the web process dies, even in the middle of a query (queries drop the GIL)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="pop-ld-parent-watch").start()


@dataclass(eq=False, slots=True)
class _Worker:
    process: Any
    conn: Connection
    generation: int


class QueryPool:
    """A fixed number of query worker processes over one store."""

    def __init__(self, config: StoreConfig, size: int) -> None:
        if config.path is None and config.sparql_url is None:
            raise StoreError("an in-memory store cannot be shared with worker processes")
        self.config = config
        self.size = max(1, int(size))
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.RLock()
        self._generation = 0
        self._started = False
        self._closed = False
        self.last_error: str | None = None

    def start(self) -> None:
        """Start every worker and wait until each has opened the store; idempotent."""
        with self._lock:
            if self._started:
                return
            launched = [self._launch() for _ in range(self.size)]
            try:
                for worker in launched:
                    self._await_ready(worker)
            except StoreError:
                for worker in launched:
                    self._stop(worker)
                raise
            for worker in launched:
                self._idle.put(worker)
            self._started = True

    def run(self, job: QueryJob, *, timeout: float, wait: float) -> Answer:
        """Run a job on a free worker; QueryTimeout, PoolBusy, QuerySyntaxError… otherwise."""
        self.start()
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            detail = f" (last worker failure: {self.last_error})" if self.last_error else ""
            raise PoolBusy(
                f"all {self.size} query workers stayed busy for {wait:g} s{detail}"
            ) from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                self._discard(worker)
                raise QueryTimeout(f"query timeout: stopped after {timeout:g} s")
            reply = worker.conn.recv()
        except (EOFError, OSError) as error:
            self._discard(worker)
            raise StoreError(f"the query worker died (out of memory?): {error!r}") from error
        self._release(worker)
        return _unpack(reply)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph_union: bool = True,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[GraphName] | None = None,
        timeout: float,
        base_iri: str | None = None,
        wait: float | None = None,
    ) -> Result:
        """Store.query, in a worker, stopped after ``timeout`` seconds."""
        job = QueryJob(
            sparql,
            substitutions=substitutions,
            default_graph_union=default_graph_union,
            default_graph=tuple(str(getattr(g, "value", g)) for g in default_graph or ()),
            named_graphs=tuple(str(getattr(g, "value", g)) for g in named_graphs or ()),
            base_iri=base_iri,
        )
        return self.run(job, timeout=timeout, wait=timeout if wait is None else wait).result()

    def refresh(self) -> None:
        """Have every worker reopen the store (after a write), as soon as it is free."""
        with self._lock:
            self._generation += 1
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._release(worker)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.process.is_alive())

    def close(self) -> None:
        """Stop every worker now, busy or not."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            self._stop(worker)

    def _launch(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child_end, self.config), daemon=True, name="pop-ld-query"
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end, self._generation)
        self._workers.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        try:
            ready = worker.conn.poll(_READY_TIMEOUT)
            message = worker.conn.recv() if ready else ("failed", "did not start in time")
        except (EOFError, OSError) as error:
            message = ("failed", f"exited at start: {error!r}")
        if message[0] != "ready":
            self._stop(worker)
            self.last_error = message[1]
            raise StoreError(f"a query worker could not open the store: {message[1]}")

    def _release(self, worker: _Worker) -> None:
        if self._closed or worker.generation != self._generation:
            self._discard(worker)
        else:
            self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        self._stop(worker)
        if not self._closed:
            threading.Thread(target=self._replace, daemon=True, name="pop-ld-respawn").start()

    def _replace(self) -> None:
        with self._lock:
            if self._closed:
                return
            worker = self._launch()
        try:
            self._await_ready(worker)
        except StoreError as error:
            if not self._closed:
                log.error("%s", error)
            return
        if self._closed:
            self._stop(worker)
        else:
            self._idle.put(worker)

    def _stop(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._workers.discard(worker)


def _unpack(reply: tuple) -> Answer:
    status = reply[0]
    if status == "ok":
        return reply[1]
    if status == "syntax":
        raise QuerySyntaxError(reply[1], line=reply[2], column=reply[3])
    if status == "not-acceptable":
        raise NotAcceptable(reply[1])
    raise StoreError(reply[1])
