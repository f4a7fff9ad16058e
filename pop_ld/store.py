"""One store interface, two backends: pyoxigraph on disk, or any SPARQL 1.1 server over HTTP.

Everything above (pages, facets, the /sparql endpoint, production) calls ``query`` and
``replace_graph`` and never knows which backend answers. The default graph is the union
of the named graphs (every notice lives in its own graph), except when the query or the
protocol names a dataset: then the dataset is exactly what was named.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from pop_ld import queries, querytext
from pop_ld.errors import PopLdError
from pop_ld.formats import FORMATS, Format
from pop_ld.uris import PREFIXES

if TYPE_CHECKING:
    import requests

    from pop_ld.pool import QueryPool

#: A value a query variable can be bound to.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = str | ox.NamedNode


class StoreError(PopLdError):
    """The store could not answer: unreachable, read-only, or it failed."""


class QuerySyntaxError(StoreError):
    """A query the parser refused; ``line`` and ``column`` say where, as the parser saw it."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message, line=line)
        self.column = column


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""


class PoolBusy(StoreError):
    """No query worker came free in time."""


class NotAcceptable(StoreError):
    """The client asked for a format this kind of answer cannot take (CSV for a CONSTRUCT)."""


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where the data is: enough to open the same store again in a worker process."""

    #: embedded store directory; None with no sparql_url is an in-memory store
    path: str | None = None
    #: query URL of a remote SPARQL 1.1 server
    sparql_url: str | None = None
    #: update URL of the remote server; None when it is read-only
    update_url: str | None = None
    read_only: bool = False
    #: parameter that asks the remote server for a union default graph (Oxigraph's name)
    union_param: str | None = "union-default-graph"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> StoreConfig:
        """From Flask-style settings: ``STORE``, ``SPARQL_URL``, ``SPARQL_UPDATE_URL``…"""
        path, url = config.get("STORE"), config.get("SPARQL_URL")
        if path and url:
            raise PopLdError("set POP_LD_STORE or POP_LD_SPARQL_URL, not both")
        if not path and not url:
            raise PopLdError(
                "no store configured: set POP_LD_STORE (a store directory) "
                "or POP_LD_SPARQL_URL (a SPARQL 1.1 query URL)"
            )
        return cls(
            path=str(path) if path else None,
            sparql_url=url or None,
            update_url=config.get("SPARQL_UPDATE_URL") or None,
            read_only=bool(config.get("STORE_READ_ONLY", True)),
            union_param=config.get("SPARQL_UNION_PARAM", "union-default-graph") or None,
        )


@dataclass(slots=True)
class Serialized:
    """A fully serialised answer: what the endpoint sends, never cut mid-way."""

    body: bytes
    format: Format
    #: ``solutions``, ``boolean`` or ``graph``
    form: str
    #: rows or triples serialised (None when written straight through, uncounted)
    count: int | None
    #: True when the result limit cut the answer
    truncated: bool = False


class Result:
    """A query's answer (solutions, a boolean or triples), serialisable in any standard format."""

    def __init__(
        self,
        answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[Any] | bool,
        variables: list[str] | None = None,
    ) -> None:
        """From pyoxigraph's answer, or from rows already read and their ``variables``."""
        self.variables: list[str] = []
        if isinstance(answer, ox.QuerySolutions):
            self.form = "solutions"
            self.variables = [v.value for v in answer.variables]
        elif isinstance(answer, ox.QueryBoolean | bool):
            self.form = "boolean"
        elif variables is not None:
            self.form = "solutions"
            self.variables = list(variables)
        else:
            self.form = "graph"
        self._answer = answer

    def __iter__(self) -> Iterator[Any]:
        """Solutions (``row["label"]``) or triples; a boolean answer has none."""
        if self.form == "boolean":
            return iter(())
        return iter(self._answer)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self._answer) if self.form == "boolean" else True

    def rows(self) -> list[dict[str, Term | None]]:
        """The solutions as dicts, for views and tests."""
        return [{v: row[v] for v in self.variables} for row in self]

    def serialize(self, fmt: Format | str, *, limit: int | None = None) -> Serialized:
        """All of the answer (or its first ``limit`` rows/triples) as bytes in ``fmt``.

        The cut is made in pyoxigraph's own line formats (TSV rows, N-Triples lines) as they
        stream out, which stops the query there; the lines kept are then written in ``fmt``.
        """
        fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
        if (fmt.kind == "graph") != (self.form == "graph"):
            raise NotAcceptable(f"{fmt.label} cannot carry the answer of a {self.form_name}")
        if self.form == "boolean":
            return Serialized(_serialize_boolean(bool(self), fmt), fmt, "boolean", 1)
        if self.form == "graph":
            return self._serialize_graph(fmt, limit)
        live = isinstance(self._answer, ox.QuerySolutions)
        if live and limit is None:
            return Serialized(
                self._answer.serialize(format=fmt.oxigraph) or b"", fmt, "solutions", None
            )
        if live:
            tsv, count, truncated = _first_lines(
                self._answer, ox.QueryResultsFormat.TSV, limit, header=True
            )
        else:
            rows, truncated = _take(iter(self), limit)
            tsv, count = _tsv(self.variables, rows), len(rows)
        if fmt.name == "tsv":
            body = tsv
        else:
            body = (
                ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
                    format=fmt.oxigraph
                )
                or b""
            )
        if truncated and fmt.name == "json":
            body = _json_note(limit or 0) + body[1:]
        return Serialized(body, fmt, "solutions", count, truncated)

    def _serialize_graph(self, fmt: Format, limit: int | None) -> Serialized:
        if isinstance(self._answer, ox.QueryTriples):
            nt, count, truncated = _first_lines(
                self._answer, ox.RdfFormat.N_TRIPLES, limit, header=False
            )
            triples = None
        else:
            triples, truncated = _take(iter(self), limit)
            nt, count = b"", len(triples)
        if fmt.name == "nt" and triples is None:
            return Serialized(nt, fmt, "graph", count, truncated)
        if triples is None:
            triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
        body = ox.serialize(triples, format=fmt.oxigraph, prefixes=_prefixes(fmt, triples))
        return Serialized(body or b"", fmt, "graph", count, truncated)

    @property
    def form_name(self) -> str:
        """The query forms that give this kind of answer, for messages."""
        return {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}[self.form]


def _take(items: Iterator[Any], limit: int | None) -> tuple[list[Any], bool]:
    """The first ``limit`` items, and whether there were more."""
    taken = []
    for item in items:
        if limit is not None and len(taken) >= limit:
            return taken, True
        taken.append(item)
    return taken, False


class _Enough(Exception):
    """Raised into pyoxigraph's writer to stop a serialisation that has given enough lines."""


class _LineCut:
    """A binary writer keeping the first ``lines`` lines it is given (all when None)."""

    def __init__(self, lines: int | None) -> None:
        self.lines = lines
        self.data = bytearray()
        self.seen = 0
        self.more = False

    def write(self, chunk: bytes) -> int:
        chunk = bytes(chunk)
        if self.lines is None:
            self.data += chunk
            return len(chunk)
        if self.seen >= self.lines:
            self.more = self.more or bool(chunk)
            if chunk:
                raise _Enough
            return 0
        newlines = chunk.count(b"\n")
        if self.seen + newlines < self.lines:
            self.seen += newlines
            self.data += chunk
            return len(chunk)
        end = 0
        while self.seen < self.lines:
            end = chunk.index(b"\n", end) + 1
            self.seen += 1
        self.data += chunk[:end]
        if end < len(chunk):
            self.more = True
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        pass


def _first_lines(
    answer: ox.QuerySolutions | ox.QueryTriples,
    fmt: ox.QueryResultsFormat | ox.RdfFormat,
    limit: int | None,
    *,
    header: bool,
) -> tuple[bytes, int, bool]:
    """The answer in a one-line-per-item format, cut after ``limit`` items: bytes, count, cut?"""
    writer = _LineCut(None if limit is None else limit + int(header))
    with contextlib.suppress(_Enough):
        answer.serialize(output=writer, format=fmt)  # type: ignore[arg-type]
    data = bytes(writer.data)
    return data, data.count(b"\n") - int(header), writer.more


def _tsv(variables: list[str], rows: list[ox.QuerySolution]) -> bytes:
    """Rows already read, as SPARQL TSV (whose terms are N-Triples terms)."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row[v]) for v in variables))
    return ("\n".join(lines) + "\n").encode()


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {term.subject} {term.predicate} {term.object} )>>"
    return str(term)


def _serialize_boolean(value: bool, fmt: Format) -> bytes:
    # ASK has no CSV/TSV form in the standard: pyoxigraph writes "true"/"false", kept as is.
    text = ox.parse_query_results(
        '{"head":{},"boolean":%s}' % ("true" if value else "false"),
        format=ox.QueryResultsFormat.JSON,
    )
    return text.serialize(format=fmt.oxigraph) or b""


def _json_note(limit: int) -> bytes:
    return (
        b'{"pop-ld:truncated":{"limit":%d,"message":"result limit reached: only the first %d '
        b'rows are returned; page with ORDER BY, LIMIT and OFFSET"},' % (limit, limit)
    )


def _prefixes(fmt: Format, triples: list[ox.Triple]) -> dict[str, str] | None:
    """The project's prefixes that the triples use, for Turtle and RDF/XML."""
    if fmt.name not in ("ttl", "rdf"):
        return None
    iris = {t.predicate.value for t in triples}
    iris |= {
        t.value for tr in triples for t in (tr.subject, tr.object) if isinstance(t, ox.NamedNode)
    }
    iris |= {
        tr.object.datatype.value
        for tr in triples
        if isinstance(tr.object, ox.Literal) and tr.object.language is None
    }
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def _iri(graph: GraphName) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)


def _quads_text(graph_iri: str, quads: Iterable[ox.Quad | ox.Triple] | str | bytes) -> str:
    """The triples of ``quads`` as the body of an INSERT DATA block, checked to belong there."""
    if isinstance(quads, str | bytes):
        quads = ox.parse(quads, format=ox.RdfFormat.N_QUADS)
    lines = []
    for quad in quads:
        if isinstance(quad, ox.Quad):
            name = quad.graph_name
            if not isinstance(name, ox.DefaultGraph) and _iri(name) != graph_iri:  # type: ignore[arg-type]
                raise StoreError(f"a quad for graph {name} given to replace graph <{graph_iri}>")
        lines.append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return "\n".join(lines)


def replace_graph_update(graph_iri: str, quads: Iterable[ox.Quad | ox.Triple] | str | bytes) -> str:
    """One SPARQL Update that empties a graph and fills it again: atomic on both backends."""
    graph = ox.NamedNode(graph_iri)
    return f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{_quads_text(graph_iri, quads)}\n}} }}"


class Store(ABC):
    """What pop-ld asks of a triple store, whichever backend holds the data."""

    config: StoreConfig

    def __init__(self) -> None:
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph_union: bool = True,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[GraphName] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
    ) -> Result:
        """Run a SPARQL query; ``substitutions`` bind variables (name → term), never as text."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL Update in one transaction."""

    def replace_graph(
        self, graph_iri: GraphName, quads: Iterable[ox.Quad | ox.Triple] | str | bytes
    ) -> None:
        """Replace a graph's content at once: readers see the old notice or the new one."""
        self.update(replace_graph_update(_iri(graph_iri), quads))
        if self._pool is not None:
            self._pool.refresh()

    def count_notices(self) -> int:
        """How many notices the store holds (one named graph each)."""
        rows = self.query(queries.load("count_notices").text).rows()
        value = rows[0]["notices"] if rows else None
        return int(value.value) if isinstance(value, ox.Literal) else 0

    def pool(self, size: int | None = None) -> QueryPool:
        """The bounded worker processes that run this store's queries under a time limit."""
        with self._pool_lock:
            if self._pool is None:
                from pop_ld.pool import QueryPool
                from pop_ld.settings import default

                self._pool = QueryPool(self.config, size or int(default("pool_size")))
            return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any ran."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    @staticmethod
    def _dataset(
        sparql: str,
        default_graph_union: bool,
        default_graph: list[GraphName] | None,
        named_graphs: list[GraphName] | None,
    ) -> tuple[bool, list[str] | None, list[str] | None]:
        """Union or not, and the protocol dataset: a named dataset always wins over the union."""
        dflt = [_iri(g) for g in default_graph] if default_graph else None
        named = [_iri(g) for g in named_graphs] if named_graphs else None
        union = default_graph_union and not dflt and not named
        # pyoxigraph's union flag overrides FROM: turn it off when the query names its dataset.
        if union and querytext.has_dataset_clause(sparql):
            union = False
        return union, dflt, named


class EmbeddedStore(Store):
    """pyoxigraph on disk (or in memory when ``path`` is None), in this process."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        super().__init__()
        self.config = StoreConfig(path=str(path) if path else None, read_only=read_only)
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(path))
            else:
                self.store = ox.Store(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store: {error}", file=str(path)) from error

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph_union: bool = True,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[GraphName] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
    ) -> Result:
        """Run in this process; with a ``timeout``, in a worker process that can be stopped."""
        if timeout is not None:
            if self.config.path is None:
                raise StoreError("an in-memory store cannot run queries under a timeout")
            return self.pool().query(
                sparql,
                substitutions=substitutions,
                default_graph_union=default_graph_union,
                default_graph=default_graph,
                named_graphs=named_graphs,
                timeout=timeout,
                base_iri=base_iri,
            )
        union, dflt, named = self._dataset(sparql, default_graph_union, default_graph, named_graphs)
        try:
            answer = self.store.query(
                sparql,
                base_iri=base_iri,
                use_default_graph_as_union=union,
                default_graph=[ox.NamedNode(g) for g in dflt] if dflt else None,
                named_graphs=[ox.NamedNode(g) for g in named] if named is not None else None,
                substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()} or None,
            )
        except SyntaxError as error:
            line, column = querytext.error_position(str(error))
            raise QuerySyntaxError(str(error), line=line, column=column) from error
        except (RuntimeError, ValueError) as error:
            raise StoreError(str(error)) from error
        except OSError as error:
            raise StoreError(f"the store failed: {error}") from error
        return Result(answer)

    def update(self, sparql: str) -> None:
        if self.config.read_only:
            raise StoreError("this store was opened read-only", file=self.config.path)
        try:
            self.store.update(sparql)
        except SyntaxError as error:
            line, column = querytext.error_position(str(error))
            raise QuerySyntaxError(str(error), line=line, column=column) from error
        except OSError as error:
            raise StoreError(f"the store failed: {error}") from error

    def flush(self) -> None:
        """Write pending changes to disk, so that read-only openers see them."""
        if self.config.path and not self.config.read_only:
            self.store.flush()


#: What a remote server may answer: results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.
_REMOTE_ACCEPT = (
    "application/sparql-results+json, application/n-triples, "
    "text/turtle;q=0.9, application/sparql-results+xml;q=0.8, application/rdf+xml;q=0.5"
)


class RemoteStore(Store):
    """Any SPARQL 1.1 server over HTTP (``oxigraph serve``, QLever, Virtuoso, Fuseki…).

    ``union_param`` names the request parameter that asks for a union default graph
    (``union-default-graph`` on Oxigraph); None for servers whose default graph is always
    the union (Virtuoso, QLever).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        union_param: str | None = "union-default-graph",
    ) -> None:
        import requests  # here: query workers of an embedded store start faster without it

        super().__init__()
        self.config = StoreConfig(
            sparql_url=query_url,
            update_url=update_url,
            read_only=update_url is None,
            union_param=union_param,
        )
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "pop-ld"

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph_union: bool = True,
        default_graph: list[GraphName] | None = None,
        named_graphs: list[GraphName] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
    ) -> Result:
        """POST the query (bound values as a VALUES block); the server's base IRI applies."""
        if substitutions:
            sparql = querytext.bind_values(sparql, _value_terms(substitutions))
        union, dflt, named = self._dataset(sparql, default_graph_union, default_graph, named_graphs)
        form: list[tuple[str, str]] = [("query", sparql)]
        form += [("default-graph-uri", g) for g in dflt or ()]
        form += [("named-graph-uri", g) for g in named or ()]
        if union and self.config.union_param:
            form.append((self.config.union_param, ""))
        response = self._post(self.config.sparql_url or "", form, timeout, _REMOTE_ACCEPT)
        return _remote_result(response)

    def update(self, sparql: str) -> None:
        if not self.config.update_url:
            raise StoreError("this remote store has no update URL", file=self.config.sparql_url)
        self._post(self.config.update_url, [("update", sparql)], None, "*/*")

    def _post(
        self, url: str, form: list[tuple[str, str]], timeout: float | None, accept: str
    ) -> requests.Response:
        import requests

        try:
            response = self.http.post(url, data=form, headers={"Accept": accept}, timeout=timeout)
        except requests.Timeout as error:
            raise QueryTimeout(f"no answer from {url} within {timeout} s") from error
        except requests.RequestException as error:
            raise StoreError(f"cannot reach the SPARQL server: {error}", file=url) from error
        if response.status_code == 400:
            message = response.text.strip()
            line, column = querytext.error_position(message)
            raise QuerySyntaxError(message, line=line, column=column)
        if response.status_code >= 300:
            reason = response.text.strip()[:500]
            raise StoreError(
                f"the SPARQL server answered {response.status_code}: {reason}", file=url
            )
        return response


def _value_terms(substitutions: Mapping[str, Term]) -> dict[str, str]:
    """Bound terms as SPARQL text, made by pyoxigraph from terms, never from user strings."""
    terms = {}
    for name, term in substitutions.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise StoreError(f"?{name}: only IRIs and literals can be bound on a remote store")
        terms[name] = str(term)
    return terms


def _remote_result(response: requests.Response) -> Result:
    """The server's answer, read in full: a 200 whose body is cut must not pass for an answer."""
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media)
    rdf_format = ox.RdfFormat.from_media_type(media)
    try:
        if results_format is not None:
            answer = ox.parse_query_results(response.content, format=results_format)
            if isinstance(answer, ox.QueryBoolean):
                return Result(bool(answer))
            return Result(list(answer), variables=[v.value for v in answer.variables])
        if rdf_format is not None:
            return Result([q.triple for q in ox.parse(response.content, format=rdf_format)])
    except SyntaxError as error:
        # `oxigraph serve --timeout-s` sends 200, starts the body, then this sentence.
        if b"cancelled" in response.content[-200:]:
            raise QueryTimeout(
                "the SPARQL server stopped the query at its own time limit"
            ) from error
        raise StoreError(
            f"the SPARQL server sent an answer that does not parse: {error}"
        ) from error
    raise StoreError(f"the SPARQL server answered in an unknown format: {media or 'none'}")


def open_store(config: StoreConfig | Mapping[str, Any]) -> Store:
    """The store the configuration names: a directory, or a remote SPARQL server's URLs."""
    if not isinstance(config, StoreConfig):
        config = StoreConfig.from_mapping(config)
    if config.sparql_url:
        return RemoteStore(config.sparql_url, config.update_url, union_param=config.union_param)
    if config.path and config.read_only and not Path(config.path).is_dir():
        raise StoreError("no store at this path: load one with `pop-ld load`", file=config.path)
    return EmbeddedStore(config.path, read_only=config.read_only)
