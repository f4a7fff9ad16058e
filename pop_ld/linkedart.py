"""A notice's thing in Linked Art's JSON-LD shape (https://linked.art/model/object/).

The native graph already follows Linked Art's patterns in CIDOC-CRM; this module writes the
JSON-LD shape Linked Art clients expect: nested nodes under the thing (``identified_by``,
``produced_by``, ``made_of``…), Linked Art's context and class names, ``_label`` everywhere, and
AAT terms where pop-ld's types have an ``skos:exactMatch`` to one (mappings/types.toml).
Built from the notice document (sparql/notice_document.rq), never from the source file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from pop_ld import uris
from pop_ld.graphfields import Doc

PROFILE = "https://linked.art/ns/v1/linked-art.json"
CONTEXT = "https://linked.art/ns/v1/linked-art.json"

CRM = uris.CRM
AAT = uris.AAT
BRIEF_TEXT = {"id": AAT + "300418049", "type": "Type", "_label": "brief text"}
RECORD = {"id": AAT + "300438434", "type": "Type", "_label": "records (documents)"}

#: CIDOC-CRM class → Linked Art's class name.
CLASSES = {
    CRM + "E22_Human-Made_Object": "HumanMadeObject",
    CRM + "E36_Visual_Item": "VisualItem",
    CRM + "E33_Linguistic_Object": "LinguisticObject",
    CRM + "E73_Information_Object": "LinguisticObject",
    CRM + "E31_Document": "LinguisticObject",
    CRM + "E21_Person": "Person",
    CRM + "E74_Group": "Group",
    CRM + "E39_Actor": "Actor",
    CRM + "E53_Place": "Place",
    CRM + "E55_Type": "Type",
    CRM + "E57_Material": "Material",
    CRM + "E12_Production": "Production",
    CRM + "E52_Time-Span": "TimeSpan",
}


def _p(local: str) -> str:
    return CRM + local


def linked_art(triples: Iterable[ox.Triple] | Doc, thing: str, notice: str) -> dict[str, Any]:
    """The thing of a notice document as one Linked Art JSON-LD object."""
    doc = triples if isinstance(triples, Doc) else Doc(triples)
    return _Builder(doc, thing, notice).thing()


class _Builder:
    def __init__(self, doc: Doc, thing: str, notice: str) -> None:
        self.doc, self.iri, self.notice = doc, thing, notice

    def label(self, iri: str) -> str | None:
        return self.doc.label(iri)

    def cls(self, iri: str, default: str) -> str:
        for t in self.doc.types(iri):
            if t in CLASSES:
                return CLASSES[t]
        return default

    def ref(self, iri: str, default: str) -> dict[str, Any]:
        """A reference to a node: id, type, _label."""
        node: dict[str, Any] = {"id": iri, "type": self.cls(iri, default)}
        label = self.label(iri)
        if label:
            node["_label"] = label
        return node

    def type_ref(self, iri: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """A type, as its AAT term when pop-ld's type matches one, else pop-ld's concept."""
        aat = [m for m in self.doc.iris(iri, uris.SKOS + "exactMatch") if m.startswith(AAT)]
        node: dict[str, Any] = {"id": aat[0] if aat else iri, "type": "Type"}
        label = self.label(iri)
        if label:
            node["_label"] = label
        if aat:
            node["equivalent"] = [{"id": iri, "type": "Type", "_label": label or iri}]
        if meta:
            node["classified_as"] = [meta]
        return node

    def types_of(self, iri: str, meta: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [self.type_ref(t, meta) for t in self.doc.iris(iri, _p("P2_has_type"))]

    def content_node(self, iri: str, default: str, meta: dict[str, Any] | None = None) -> dict:
        node: dict[str, Any] = {"id": iri, "type": self.cls(iri, default)}
        content = self.doc.literal(iri, _p("P190_has_symbolic_content"))
        if content is not None:
            node["content"] = content
        classified = self.types_of(iri, meta)
        if classified:
            node["classified_as"] = classified
        return node

    # -- the object ------------------------------------------------------------------------
    def thing(self) -> dict[str, Any]:
        d, iri = self.doc, self.iri
        out: dict[str, Any] = {
            "@context": CONTEXT,
            "id": iri,
            "type": self.cls(iri, "HumanMadeObject"),
        }
        label = self.label(iri)
        if label:
            out["_label"] = label
        idents = [
            {**self.content_node(n, "Name"), "type": self._name_or_identifier(n)}
            for n in d.iris(iri, _p("P1_is_identified_by"))
        ]
        if idents:
            out["identified_by"] = idents
        classified = self.types_of(iri)
        classified += [self.type_ref(s) for s in d.iris(iri, uris.POP + "statutProtection")]
        if classified:
            out["classified_as"] = classified
        statements = [
            self.content_node(s, "LinguisticObject", BRIEF_TEXT)
            for s in d.iris(iri, _p("P67i_is_referred_to_by"))
        ]
        if statements:
            out["referred_to_by"] = statements
        for production in d.iris(iri, _p("P108i_was_produced_by")):
            out["produced_by"] = self.production(production)
        materials = [self.ref(m, "Material") for m in d.iris(iri, _p("P45_consists_of"))]
        for m in materials:
            m["type"] = "Material"
        if materials:
            out["made_of"] = materials
        dimensions = [self.dimension(n) for n in d.iris(iri, _p("P43_has_dimension"))]
        if dimensions:
            out["dimension"] = dimensions
        for location in d.iris(iri, _p("P55_has_current_location")):
            out["current_location"] = self.place(location)
        part_of = [self.ref(t, "HumanMadeObject") for t in self._wholes()]
        if part_of:
            out["part_of"] = part_of
        assignments = [self.protection(p) for p in d.iris(iri, uris.POP + "protection")]
        if assignments:
            out["attributed_by"] = assignments
        images = [self.image(v) for v in d.iris(iri, _p("P138i_has_representation"))]
        if images:
            out["representation"] = images
        out["subject_of"] = [self.record()]
        return out

    def _name_or_identifier(self, iri: str) -> str:
        return "Identifier" if CRM + "E42_Identifier" in self.doc.types(iri) else "Name"

    def _wholes(self) -> list[str]:
        """What the thing is part of: its building (pop:conserveDans) or its ensemble."""
        d, iri = self.doc, self.iri
        found = d.iris(iri, uris.POP + "conserveDans") + d.iris(iri, _p("P46i_forms_part_of"))
        return list(dict.fromkeys(found))

    def production(self, iri: str) -> dict[str, Any]:
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "Production"}
        for span in d.iris(iri, _p("P4_has_time-span")):
            node["timespan"] = self.timespan(span)
        actors = [self.ref(a, "Actor") for a in d.iris(iri, _p("P14_carried_out_by"))]
        if actors:
            node["carried_out_by"] = actors
        techniques = [self.type_ref(t) for t in d.iris(iri, _p("P32_used_general_technique"))]
        if techniques:
            node["technique"] = techniques
        classified = self.types_of(iri)
        if classified:
            node["classified_as"] = classified
        parts = [self.production(p) for p in d.iris(iri, _p("P9_consists_of"))]
        if parts:
            node["part"] = sorted(parts, key=lambda p: p["id"])
        return node

    def timespan(self, iri: str) -> dict[str, Any]:
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "TimeSpan"}
        text = d.literal(iri, uris.RDFS + "label")
        if text:
            node["identified_by"] = [{"type": "Name", "content": text}]
        for key, prop in (("begin_of_the_begin", "P82a_begin_of_the_begin"),
                          ("end_of_the_end", "P82b_end_of_the_end")):  # fmt: skip
            value = d.literal(iri, _p(prop))
            if value:
                node[key] = value if value.endswith("Z") else value + "Z"
        return node

    def dimension(self, iri: str) -> dict[str, Any]:
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "Dimension"}
        value = d.literal(iri, _p("P90_has_value"))
        if value is not None:
            node["value"] = float(value)
        for unit in d.iris(iri, _p("P91_has_unit")):
            node["unit"] = {**self.type_ref(unit), "type": "MeasurementUnit"}
        classified = self.types_of(iri)
        if classified:
            node["classified_as"] = classified
        return node

    def place(self, iri: str) -> dict[str, Any]:
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "Place"}
        names = [self.content_node(n, "Name") for n in d.iris(iri, _p("P1_is_identified_by"))]
        if names:
            node["identified_by"] = [{**n, "type": "Name"} for n in names]
        within = [self.ref(p, "Place") for p in d.iris(iri, _p("P89_falls_within"))]
        for p in within:
            p["type"] = "Place"
        if within:
            node["part_of"] = within
            node["_label"] = within[0].get("_label", iri)
        wkt = d.literal(iri, _p("P168_place_is_defined_by"))
        point = [w.value for w in d.objects(iri, _p("P168_place_is_defined_by"))]
        if wkt:
            node["defined_by"] = next((w for w in point if w.startswith("POLYGON")), wkt)
        return node

    def protection(self, iri: str) -> dict[str, Any]:
        """A protection (E17 Type Assignment, a kind of Linked Art's AttributeAssignment)."""
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "AttributeAssignment"}
        text = d.literal(iri, uris.RDFS + "label")
        if text:
            node["_label"] = text
        assigned = [self.type_ref(c) for c in d.iris(iri, _p("P42_assigned"))]
        if assigned:
            node["assigned"] = assigned
            node["assigned_property"] = "classified_as"
        for span in d.iris(iri, _p("P4_has_time-span")):
            node["timespan"] = self.timespan(span)
        return node

    def image(self, iri: str) -> dict[str, Any]:
        d = self.doc
        node: dict[str, Any] = {"id": iri, "type": "VisualItem"}
        shown = []
        for digital in d.iris(iri, uris.LA + "digitally_shown_by"):
            points = [
                {"id": u, "type": "DigitalObject"}
                for u in d.iris(digital, uris.LA + "access_point")
            ]
            shown.append({"id": digital, "type": "DigitalObject", "access_point": points})
        if shown:
            node["digitally_shown_by"] = shown
        return node

    def record(self) -> dict[str, Any]:
        """The POP notice, a record about the thing, with its page as the access point."""
        ref = self.doc.literal(self.notice, uris.POP + "ref") or ""
        return {
            "id": self.notice,
            "type": "LinguisticObject",
            "_label": f"Notice POP {ref}".strip(),
            "classified_as": [RECORD],
            "digitally_carried_by": [
                {
                    "type": "DigitalObject",
                    "format": "text/html",
                    "access_point": [{"id": self.notice, "type": "DigitalObject"}],
                }
            ],
        }
