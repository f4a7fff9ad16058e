"""Facet counts beside a search: exact, whatever the size of the result.

Up to ``FACET_EXACT`` results, every result's facet values are counted from the per-notice doc
values (one ``Counter`` over packed arrays, in C). Beyond, an even sample of ``FACET_SAMPLE``
results says which values lead each facet, and each of those is then counted exactly: a bitmap
intersection for a value used by many notices, a look-up of its few notices in the result's
bitmap for the others. A facet with a selection is counted without its own filter (OR within a
facet), its candidates being its most used values. Mixed into ``SearchIndex``.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pop_ld import bitsets
from pop_ld.searchfacets import FACETS, Facet
from pop_ld.searchstate import SearchState
from pop_ld.searchsyntax import parse
from pop_ld.searchtext import fold, words

if TYPE_CHECKING:
    from pop_ld.searchindex import Resolved, Value

#: Up to this many results, every result's facet values are counted.
FACET_EXACT = 10_000
#: Beyond, the values a facet lists are chosen on an even sample of this many results.
FACET_SAMPLE = 5_000
#: Values listed per facet before "plus".
FACET_SIZE = 10


@dataclass(slots=True)
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool


@dataclass(slots=True)
class FacetList:
    facet: Facet
    values: list[FacetValue]
    more: bool = False


class FacetCounts:
    """Counting and listing facet values; needs SearchIndex's sets, caches and connection."""

    def counting_ids(self, resolved: Resolved, at_most: int) -> tuple[Sequence[int], int]:
        """The result's ids (or an even sample of about ``at_most``), and the sampling step."""
        if resolved.bits is not None:
            return bitsets.sample_ids(resolved.bits, self.size, resolved.total, at_most)
        ranked = resolved.ranked or []
        if len(ranked) <= at_most:
            return ranked, 1
        step = -(-len(ranked) // at_most)
        return ranked[::step], step

    def count_values(self, ids: Sequence[int]) -> Counter[int]:
        """How many of these notices have each facet value (doc values, counted in C)."""
        offsets = self.array("doc_offsets", "I")
        values = self.array("doc_values", "I")
        counter: Counter[int] = Counter()
        chunk = array("I")
        for i in ids:
            chunk.extend(values[offsets[i] : offsets[i + 1]])
            if len(chunk) > 200_000:
                counter.update(chunk)
                del chunk[:]
        counter.update(chunk)
        return counter

    def result_bits(self, state: SearchState, resolved: Resolved) -> int:
        """The result as a bitmap (the text's bitmap when the result is text alone)."""
        if resolved.bits is not None:
            return resolved.bits
        if resolved.everything:
            return self.everything
        return self.text_bits(parse(state.q).match() or "")

    def value_ids(self, value_id: int) -> tuple[int, ...]:
        """The notices of a value used by few (cached as ids, not as a bitmap)."""
        return self._bits.get(
            ("ids", value_id),
            lambda: tuple(
                i
                for (i,) in self.db().execute(
                    "SELECT notice_id FROM postings WHERE value_id = ?", (value_id,)
                )
            ),
        )

    def count_in(self, bits: int, data: bytes, value: Value) -> int:
        """How many notices of the set (as ``bits`` and its bytes ``data``) have the value."""
        if value.count >= self.dense:
            return (bits & self.value_bits(value.id)).bit_count()
        return sum(data[i >> 3] >> (i & 7) & 1 for i in self.value_ids(value.id))

    def facets(
        self,
        state: SearchState,
        resolved: Resolved,
        exact_up_to: int = FACET_EXACT,
        sample: int = FACET_SAMPLE,
    ) -> list[FacetList]:
        """Every facet's values with their counts under this search, exactly counted.

        A facet with a selection is counted without its own filter (OR within a facet: the
        other values stay offered, with the count they would add).
        """
        by_facet: dict[str, list[Value]] = {}
        if resolved.everything:
            counts: dict[int, int] | Counter[int] = self._global_counts()
            for name in FACETS:
                by_facet[name] = self._by_count(name)[
                    : FACET_SIZE + 1 if FACETS[name].order == "count" else None
                ]
        else:
            exact = resolved.total <= exact_up_to
            ids, _ = self.counting_ids(resolved, exact_up_to if exact else sample)
            counts = self.count_values(ids)
            for value_id in counts:
                value = self.values[value_id]
                by_facet.setdefault(value.facet, []).append(value)
            if not exact:
                counts = self._recount(state, resolved, by_facet, counts)
        out = []
        for name, facet in FACETS.items():
            if facet.hidden:
                continue
            selected = state.selected(name)
            if selected:
                out.append(self.facet_list(facet, state, selected=selected))
                continue
            out.append(self._listing(facet, by_facet.get(name, []), counts, ()))
        return out

    def _recount(
        self,
        state: SearchState,
        resolved: Resolved,
        by_facet: dict[str, list[Value]],
        sampled: Counter[int],
    ) -> dict[int, int]:
        """Exact counts of the values the sample puts first in each facet (others dropped)."""
        bits = self.result_bits(state, resolved)
        data = bitsets.to_bytes(bits, self.size)
        counts: dict[int, int] = {}
        for name, values in by_facet.items():
            facet = FACETS[name]
            if facet.hidden or state.selected(name):
                continue
            if facet.order == "count":
                values[:] = heapq.nlargest(
                    FACET_SIZE + 1, values, key=lambda v: (sampled[v.id], v.count)
                )
            for value in values:
                counts[value.id] = self.count_in(bits, data, value)
        return counts

    def _global_counts(self) -> dict[int, int]:
        return self._bits.get(
            "global counts", lambda: {v.id: v.count for v in self.values.values()}
        )

    def _by_count(self, facet: str) -> list[Value]:
        """A facet's values, most used first (cached)."""
        return self._bits.get(
            ("by count", facet),
            lambda: sorted(self._facet_values(facet), key=lambda v: (-v.count, fold(v.label))),
        )

    def _facet_values(self, facet: str) -> list[Value]:
        return self._bits.get(
            ("values", facet), lambda: [v for v in self.values.values() if v.facet == facet]
        )

    def facet_list(
        self,
        facet: Facet,
        state: SearchState,
        *,
        selected: Sequence[str] = (),
        prefix: str = "",
        limit: int = FACET_SIZE,
    ) -> FacetList:
        """One facet's values under the state without that facet's filter, exactly counted.

        The candidates are the values most used overall (or matching ``prefix``, the facet's
        search box), and the selected ones; each is counted as a bitmap intersection.
        """
        base = self.resolve(state, skip_facet=facet.name)
        candidates = self._candidates(facet, prefix, max(limit * 3, 30))
        for key in selected:
            value = self.by_key.get((facet.name, key))
            if value is not None and value not in candidates:
                candidates.append(value)
        if base.everything:
            counts = {v.id: v.count for v in candidates}
        else:
            bits = self.result_bits(state, base)
            data = bitsets.to_bytes(bits, self.size)
            counts = {v.id: self.count_in(bits, data, v) for v in candidates}
        values = [v for v in candidates if counts.get(v.id) or v.key in selected]
        return self._listing(facet, values, counts, selected, limit)

    def _candidates(self, facet: Facet, prefix: str, limit: int) -> list[Value]:
        if not prefix.strip():
            values = self._by_count(facet.name)
            return list(values[:limit] if facet.order == "count" else values)
        stems = words(prefix)
        if not stems:
            return []
        last = stems[-1]
        clauses = " AND ".join(["words LIKE ?"] * len(stems))
        args = [f"% {s} %" for s in stems[:-1]] + [f"% {last}%"]
        rows = self.db().execute(
            f"SELECT id FROM facet_values WHERE facet = ? AND {clauses} ORDER BY count DESC LIMIT ?",
            (facet.name, *args, limit),
        )
        return [self.values[i] for (i,) in rows]

    def _listing(
        self,
        facet: Facet,
        values: list[Value],
        counts: dict[int, int] | Counter[int],
        selected: Sequence[str],
        limit: int = FACET_SIZE,
    ) -> FacetList:
        values = [v for v in values if counts.get(v.id) or v.key in selected]
        if facet.order == "value":
            shown = sorted(values, key=lambda v: _number(v.key))
            more = False
        else:
            ranked = heapq.nsmallest(
                limit + 1,
                values,
                key=lambda v: (v.key not in selected, -counts.get(v.id, 0), fold(v.label)),
            )
            shown = ranked[:limit] + [
                v for v in values if v.key in selected and v not in ranked[:limit]
            ]
            more = len(values) > limit
        return FacetList(
            facet,
            [FacetValue(v.key, v.label, counts.get(v.id, 0), v.key in selected) for v in shown],
            more=more,
        )

    def label(self, facet: str, key: str) -> str:
        """A selected value's label, for its chip (the key itself when unknown)."""
        value = self.by_key.get((facet, key))
        return value.label if value else key

    # -- suggestions -------------------------------------------------------------------------


def _number(key: str) -> float:
    try:
        return float(key)
    except ValueError:
        return math.inf
