"""A notice read back from its graph, in POP's fields, labels and sections: the notice page.

The page shows what the graph says, never the source file: a value the mapping lost is a value
the page does not show. pop_ld/graphfields.py reads the values by field; this module puts them
in POP's reading order, with POP's French labels, in sections, from
``mappings/labels/{base}.csv`` (written by scripts/make_labels.py from POP's schemas).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

from pop_ld import ROOT, uris
from pop_ld.errors import PopLdError
from pop_ld.graphfields import MODIFIED, P70, Doc, FieldReader, Value
from pop_ld.wkt import wkt_to_geojson

__all__ = ["Doc", "Field", "NoticeView", "Section", "Value", "read_notice", "wkt_to_geojson"]

LABELS_DIR = ROOT / "mappings" / "labels"


@dataclass(slots=True)
class Field:
    code: str
    label: str
    values: list[Value]


@dataclass(slots=True)
class Section:
    key: str
    title: str
    fields: list[Field] = field(default_factory=list)


@dataclass(slots=True)
class NoticeView:
    """Everything the notice page shows that comes from the notice's own document."""

    base: str
    ref: str
    notice: str
    thing: str
    label: str
    sections: list[Section]
    images: list[str]
    #: GeoJSON geometries of the thing's location (a point, a polygon)
    geometries: list[dict[str, Any]]
    classes: list[str]
    modified: str | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        """(lat, lon) of the location's point, if it has one."""
        for geometry in self.geometries:
            if geometry["type"] == "Point":
                lon, lat = geometry["coordinates"]
                return lat, lon
        return None


# -- labels ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldLabel:
    code: str
    label: str
    section: str
    rank: int


@cache
def section_titles() -> dict[str, str]:
    """Section key → French title, in page order."""
    with open(LABELS_DIR / "sections.csv", encoding="utf-8", newline="") as f:
        return {row["section"]: row["title"] for row in csv.DictReader(f)}


@cache
def field_labels(base: str) -> dict[str, FieldLabel]:
    """POP's labels of a base's fields, in reading order (empty for an unknown base)."""
    path = LABELS_DIR / f"{base}.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {
            row["code"]: FieldLabel(row["code"], row["label"], row["section"], rank)
            for rank, row in enumerate(csv.DictReader(f))
        }


# -- reading a notice ----------------------------------------------------------------------


def read_notice(triples: Iterable[ox.Triple] | Doc, base: str, ref: str, notice: str) -> NoticeView:
    """The notice page's content from the notice's document (sparql/notice_document.rq)."""
    doc = triples if isinstance(triples, Doc) else Doc(triples)
    things = doc.iris(notice, P70)
    if not things:
        raise PopLdError("the document holds no notice", ref=ref, file=notice)
    thing = things[0]
    reader = FieldReader(doc, base, notice, thing, field_labels(base))
    fields = reader.read()
    return NoticeView(
        base=base,
        ref=doc.literal(notice, uris.POP + "ref") or ref,
        notice=notice,
        thing=thing,
        label=doc.label(thing) or ref,
        sections=_sections(base, fields),
        images=reader.images(),
        geometries=reader.geometries(),
        classes=doc.types(thing),
        modified=doc.literal(notice, MODIFIED),
    )


def _sections(base: str, fields: dict[str, list[Value]]) -> list[Section]:
    labels = field_labels(base)
    titles = section_titles()
    sections = {key: Section(key, title) for key, title in titles.items() if key != "masque"}
    unknown_rank = len(labels)
    ordered = sorted(
        fields.items(), key=lambda kv: labels[kv[0]].rank if kv[0] in labels else unknown_rank
    )
    for code, values in ordered:
        if not values:
            continue
        info = labels.get(code)
        key = (
            info.section if info and info.section in sections else FALLBACK.get(code, "description")
        )
        sections[key].fields.append(Field(code, info.label if info else code, values))
    return [s for s in sections.values() if s.fields]


#: Sections of fields a base's schema does not list (a mapping reads them with another field).
FALLBACK = {
    "COM": "localisation",
    "DPT": "localisation",
    "REG": "localisation",
    "INSEE": "localisation",
}
