"""One error type for everything a user can get wrong, carrying where it happened.

Like pyoxigraph's SyntaxError (filename, lineno), a PopLdError names the file, the line,
the notice REF, the POP field and the value, so a producer can find and fix the cell.
"""

from __future__ import annotations


class PopLdError(Exception):
    """An error in the input, located: ``merimee.csv:1204: PA00088813 DATE '17e sicle': ...``."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        ref: str | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.ref = ref
        self.field = field
        self.value = value

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        what = " ".join(
            part
            for part in (
                self.ref or "",
                self.field or "",
                repr(_shorten(self.value)) if self.value is not None else "",
            )
            if part
        )
        return f"{where}{what + ': ' if what else ''}{self.message}"


class ReadError(PopLdError):
    """A row that cannot be read: the reader yields it and goes on with the next row."""


class MappingError(PopLdError):
    """A mapping table that is wrong (unknown pattern, missing key): fails before any notice."""


class UsageError(PopLdError):
    """Bad command-line use: exit code 2."""


def _shorten(value: str | None, limit: int = 80) -> str | None:
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"
