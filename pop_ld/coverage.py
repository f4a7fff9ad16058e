"""The field coverage report: for every field, values seen against values that reached the graph.

POP's own migration lost values silently (its 2018 parsing-error log holds 8,042 of them);
here every value is accounted for: reached the graph, parsed or kept as text, skipped for a
stated reason, or unknown to the mapping, which is an error the report makes loud.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class FieldCount:
    status: str = "mapped"  # mapped | skip | generated | private | unknown
    seen: int = 0
    reached: int = 0
    unparsed: int = 0
    notices: int = 0
    examples: list[str] = field(default_factory=list)


class Coverage:
    """Counts per (base, field); the engine and the patterns feed it as they map."""

    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], FieldCount] = defaultdict(FieldCount)
        self.unparsed_examples: Counter[tuple[str, str, str]] = Counter()

    def seen(self, base: str, code: str, n: int) -> None:
        if n:
            count = self.fields[(base, code)]
            count.seen += n
            count.notices += 1

    def reached(self, base: str, code: str, n: int = 1) -> None:
        if n:
            self.fields[(base, code)].reached += n

    def unparsed(self, base: str, code: str, value: str) -> None:
        count = self.fields[(base, code)]
        count.unparsed += 1
        if len(count.examples) < 5 and value not in count.examples:
            count.examples.append(value)

    def not_mapped(self, base: str, code: str, status: str, n: int) -> None:
        if n:
            count = self.fields[(base, code)]
            count.status = status
            count.seen += n
            count.notices += 1

    def unknown(self, base: str, code: str, n: int) -> None:
        if n:
            count = self.fields[(base, code)]
            count.status = "unknown"
            count.seen += n
            count.notices += 1

    def lost(self) -> dict[tuple[str, str], FieldCount]:
        """Fields that lost values silently: mapped but some values never reached the graph."""
        return {
            key: c for key, c in self.fields.items() if c.status == "mapped" and c.reached < c.seen
        }

    def unlisted(self) -> dict[tuple[str, str], FieldCount]:
        return {key: c for key, c in self.fields.items() if c.status == "unknown"}

    def merge(self, other: Coverage) -> None:
        for key, c in other.fields.items():
            mine = self.fields[key]
            mine.status = c.status if c.status != "mapped" else mine.status
            mine.seen += c.seen
            mine.reached += c.reached
            mine.unparsed += c.unparsed
            mine.notices += c.notices
            for ex in c.examples:
                if len(mine.examples) < 5 and ex not in mine.examples:
                    mine.examples.append(ex)

    def rows(self) -> list[dict]:
        return [
            {
                "base": base,
                "field": code,
                "status": c.status,
                "notices": c.notices,
                "seen": c.seen,
                "reached": c.reached,
                "unparsed": c.unparsed,
                "examples": c.examples,
            }
            for (base, code), c in sorted(self.fields.items())
        ]

    def render(self) -> str:
        """A fixed-width table for the terminal, problems flagged in the last column."""
        lines = [
            f"{'base':<9} {'field':<34} {'status':<9} {'notices':>8} {'values':>8} "
            f"{'reached':>8} {'unparsed':>8}  note"
        ]
        for row in self.rows():
            note = ""
            if row["status"] == "unknown":
                note = "UNLISTED: not in the mapping table"
            elif row["status"] == "mapped" and row["reached"] < row["seen"]:
                note = f"LOST {row['seen'] - row['reached']} values"
            elif row["unparsed"]:
                note = "kept as text, e.g. " + "; ".join(repr(e) for e in row["examples"][:2])
            lines.append(
                f"{row['base']:<9} {row['field']:<34} {row['status']:<9} {row['notices']:>8} "
                f"{row['seen']:>8} {row['reached']:>8} {row['unparsed']:>8}  {note}"
            )
        return "\n".join(lines)
