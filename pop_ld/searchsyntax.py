"""POP's search syntax: words, ``"exact phrase"``, ``+required`` and ``-excluded``.

Every word or phrase not marked ``-`` must be found (as POP: "eglise romane" is both words).
A word written with inner punctuation ("notre-dame", "l'abbaye") is the phrase of its parts,
as the index sees them. A parsed query becomes an FTS5 MATCH expression here and a SPARQL
group in ``pop_ld.search_sparql``; both come from the same clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pop_ld.searchtext import words

_PART = re.compile(r'(?P<sign>[+-]?)(?:"(?P<phrase>[^"]*)"?|(?P<word>\S+))')


@dataclass(frozen=True, slots=True)
class Clause:
    """One word or phrase of a query, as stemmed words, and whether it must be absent."""

    words: tuple[str, ...]
    excluded: bool = False

    def fts(self) -> str:
        """The clause as an FTS5 phrase: its stems are letters and digits only, safe to quote."""
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: clauses to find and clauses to exclude."""

    clauses: tuple[Clause, ...] = ()

    @property
    def required(self) -> list[Clause]:
        """The clauses that must be found."""
        return [c for c in self.clauses if not c.excluded]

    @property
    def excluded(self) -> list[Clause]:
        """The clauses that must not be found."""
        return [c for c in self.clauses if c.excluded]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def match(self, column: str | None = None) -> str | None:
        """The FTS5 MATCH expression of the required clauses (None when there are none).

        >>> parse('"Notre-Dame" +Paris -chapelles').match()
        '"notre dame" AND "pari" NOT ("chapelle")'
        """
        required = self.required
        if not required:
            return None
        expression = " AND ".join(c.fts() for c in required)
        if self.excluded:
            expression += " NOT (" + " OR ".join(c.fts() for c in self.excluded) + ")"
        return f"{column} : ({expression})" if column else expression

    def exclusion(self, column: str | None = None) -> str | None:
        """The MATCH expression of what must be absent, for a query with nothing required."""
        if not self.excluded:
            return None
        expression = " OR ".join(c.fts() for c in self.excluded)
        return f"{column} : ({expression})" if column else expression


def parse(text: str | None) -> Query:
    """The clauses of a query as typed; words that fold to nothing are dropped.

    >>> [(c.words, c.excluded) for c in parse('Église  +romane -"xixe siècle" l\\'abbaye').clauses]
    [(('eglise',), False), (('romane',), False), (('xixe', 'siecle'), True), (('l', 'abbaye'), False)]
    """
    clauses = []
    for match in _PART.finditer(text or ""):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        stems = tuple(words(raw or ""))
        if stems:
            clauses.append(Clause(stems, excluded=match["sign"] == "-"))
    return Query(tuple(clauses))
