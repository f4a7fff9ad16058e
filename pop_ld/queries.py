"""Named SPARQL queries: ``sparql/{name}.rq``, a grlc-style header that stays valid SPARQL.

```sparql
#+ summary: One notice and its statements, for /notice/{base}/{ref}
#+ params: notice (IRI)
SELECT ?notice ?p ?o WHERE { GRAPH ?notice { ?s ?p ?o } }
```

Header keys: ``summary`` (required), ``description``, ``params`` (``name (KIND)``, comma
separated; kinds in ``KINDS``) and ``tags``; the examples of the query editor
(``sparql/examples/``) add ``summary_en`` and ``description_en`` (the menu is bilingual),
``view`` (the result view that suits them: one of ``VIEWS``) and ``bases`` (the POP bases
whose notices they need). A query is checked when loaded (header,
syntax, every parameter used, SELECT parameters projected: pyoxigraph substitutes only
projected variables), and a fault names the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from pop_ld import ROOT, querytext
from pop_ld.errors import PopLdError
from pop_ld.uris import XSD

QUERIES_DIR = ROOT / "sparql"

HEADER_KEYS = (
    "summary",
    "description",
    "params",
    "tags",
    "summary_en",
    "description_en",
    "view",
    "bases",
)
#: Keys whose lines add up, like grlc's multi-line description.
_CONTINUED = ("description", "description_en")
#: Result views of the query editor an example can ask for (``#+ view: map``).
VIEWS = ("table", "map", "chart")
_HEADER = re.compile(r"^#\+\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<kind>[A-Za-z]+)\s*\)$")


def _literal(datatype: str | None) -> Callable[[Any], ox.Literal]:
    def make(value: Any) -> ox.Literal:
        if isinstance(value, ox.Literal):
            return value
        if isinstance(value, bool):
            value = "true" if value else "false"
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype) if datatype else None)

    return make


def _iri(value: Any) -> ox.NamedNode:
    return value if isinstance(value, ox.NamedNode) else ox.NamedNode(str(value))


#: Parameter kinds: how a Python value becomes the term bound to the variable.
KINDS: dict[str, Callable[[Any], ox.NamedNode | ox.Literal]] = {
    "IRI": _iri,
    "string": _literal(None),
    "integer": _literal("integer"),
    "decimal": _literal("decimal"),
    "date": _literal("date"),
    "boolean": _literal("boolean"),
    "literal": lambda v: v if isinstance(v, ox.Literal) else ox.Literal(str(v)),
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query read from ``sparql/``, with what its header says about it."""

    name: str
    summary: str
    text: str
    file: str
    description: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    summary_en: str = ""
    description_en: str = ""
    view: str = "table"
    bases: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        """The query without its ``#+`` header: what is published and sent to an endpoint."""
        lines = self.text.splitlines(keepends=True)
        while lines and lines[0].startswith("#+"):
            lines.pop(0)
        return "".join(lines).lstrip("\n")

    def substitutions(self, **values: Any) -> dict[str, ox.NamedNode | ox.Literal]:
        """Terms for the parameters, checked against the header: pass to ``Store.query``."""
        expected = {p.name: p for p in self.params}
        unknown = set(values) - set(expected)
        missing = set(expected) - set(values)
        if unknown or missing:
            problems = [f"unknown {sorted(unknown)}" if unknown else ""]
            problems.append(f"missing {sorted(missing)}" if missing else "")
            raise PopLdError(
                f"parameters of {self.name}: " + ", ".join(p for p in problems if p),
                file=self.file,
            )
        bound = {}
        for name, value in values.items():
            try:
                bound[name] = KINDS[expected[name].kind](value)
            except (ValueError, TypeError) as error:
                raise PopLdError(
                    f"not a valid {expected[name].kind}: {error}",
                    file=self.file,
                    field=name,
                    value=str(value),
                ) from error
        return bound


def parse(text: str, name: str, file: str) -> NamedQuery:
    """A named query from its text; ``PopLdError`` naming ``file`` and the line on a fault."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    started = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            started = started or not (line.strip() == "" or line.lstrip().startswith("#"))
            continue
        if started:
            raise PopLdError("header line (#+) after the query has started", file=file, line=number)
        match = _HEADER.match(line)
        if not match:
            raise PopLdError(
                f"header line is not '#+ key: value': {line!r}", file=file, line=number
            )
        key = match["key"]
        if key not in HEADER_KEYS:
            known = ", ".join(HEADER_KEYS)
            raise PopLdError(f"unknown header key {key!r} (known: {known})", file=file, line=number)
        if key in values and key not in _CONTINUED:
            raise PopLdError(f"header key {key!r} given twice", file=file, line=number)
        values[key] = f"{values.get(key, '')} {match['value']}".strip()
        lines.setdefault(key, number)
    if not values.get("summary"):
        raise PopLdError(
            "header has no '#+ summary: …' line", file=file, line=lines.get("summary", 1)
        )
    params = _params(values.get("params", ""), lines.get("params", 1), text, file)
    view = values.get("view", "table")
    if view not in VIEWS:
        raise PopLdError(
            f"unknown view {view!r} (known: {', '.join(VIEWS)})", file=file, line=lines["view"]
        )
    query = NamedQuery(
        name=name,
        summary=values["summary"],
        text=text,
        file=file,
        description=values.get("description", ""),
        params=params,
        tags=_list(values.get("tags", "")),
        summary_en=values.get("summary_en", ""),
        description_en=values.get("description_en", ""),
        view=view,
        bases=_list(values.get("bases", "")),
    )
    _check(query, lines.get("params", 1))
    return query


def _list(value: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in value.split(",") if t.strip())


def _params(value: str, line: int, text: str, file: str) -> tuple[Param, ...]:
    params = []
    used = {t.text[1:] for t in querytext.tokens(text) if t.kind == "var"}
    for part in (p.strip() for p in value.split(",")) if value else ():
        match = _PARAM.match(part)
        if not match:
            raise PopLdError(f"parameter is not 'name (KIND)': {part!r}", file=file, line=line)
        if match["kind"] not in KINDS:
            raise PopLdError(
                f"unknown parameter kind {match['kind']!r} (known: {', '.join(KINDS)})",
                file=file,
                line=line,
            )
        if match["name"] not in used:
            raise PopLdError(
                f"parameter ?{match['name']} is not used in the query", file=file, line=line
            )
        params.append(Param(match["name"], match["kind"]))
    return tuple(params)


def _check(query: NamedQuery, params_line: int) -> None:
    """Parse the query with pyoxigraph, its parameters bound, on an empty store."""
    probe = {ox.Variable(p.name): _probe_value(p.kind) for p in query.params}
    try:
        ox.Store().query(query.text, substitutions=probe or None)
    except SyntaxError as error:
        line, _ = querytext.error_position(str(error))
        raise PopLdError(f"SPARQL syntax: {error}", file=query.file, line=line) from error
    except RuntimeError as error:
        raise PopLdError(
            f"{error}: a SELECT must project its parameters to bind them",
            file=query.file,
            line=params_line,
        ) from error


#: Harmless values of each kind, bound while checking a query.
_PROBES: dict[str, Any] = {
    "IRI": "urn:pop-ld:probe",
    "string": "x",
    "integer": 0,
    "decimal": 0,
    "date": "2000-01-01",
    "boolean": True,
    "literal": "x",
}


def _probe_value(kind: str) -> ox.NamedNode | ox.Literal:
    return KINDS[kind](_PROBES[kind])


@cache
def _load(name: str, directory: Path) -> NamedQuery:
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name) or not path.is_file():
        raise PopLdError(f"no query named {name!r}", file=str(path))
    return parse(path.read_text(encoding="utf-8"), name, str(path.relative_to(directory.parent)))


def load(name: str, directory: Path | None = None) -> NamedQuery:
    """The query ``sparql/{name}.rq``, checked; read once per process."""
    return _load(name, QUERIES_DIR if directory is None else directory.resolve())


def names(directory: Path | None = None) -> list[str]:
    """Every named query available, sorted."""
    return sorted(p.stem for p in (directory or QUERIES_DIR).glob("*.rq"))
