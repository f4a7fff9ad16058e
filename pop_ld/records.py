"""The one shape every reader yields, whatever the dialect: a POP notice as codes and raw values."""

from __future__ import annotations

from dataclasses import dataclass, field

#: A raw POP value: a string (CSV cell, JSON string) or a list of strings (JSON array).
RawValue = str | list[str]


@dataclass(slots=True)
class Notice:
    """One POP notice, fields keyed by upper-case POP code (``DENO``, ``POP_COORDONNEES.lat``).

    Values are as the producer wrote them (stripped, empty ones dropped): splitting
    multi-valued fields is the mapping's job, so the reader never guesses.
    """

    base: str
    ref: str
    fields: dict[str, RawValue]
    source: str = "<memory>"
    line: int = 0
    #: the dialect that read it (``pop-json``, ``csv-codes``, ``csv-labels``, ``pipe``, ...)
    dialect: str = ""
    #: readers' remarks on values they had to repair (stray quotes, shifted columns)
    warnings: list[str] = field(default_factory=list)

    def get(self, code: str) -> RawValue | None:
        return self.fields.get(code)
