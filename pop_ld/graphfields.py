"""A notice's graph read back into values by POP field: what the notice page shows.

Which field a value came from is read from the graph in two ways:

- the parts the engine names after the field (``#desc-1``, ``#name-tico-1``, ``#id-cada-1``,
  ``#production-scle-2``: pop_ld/patterns.py numbers them in table order), for statements,
  names, identifiers and dated parts;
- the mapping table (``mappings/{base}.toml``) for relations: a ``classified_as`` field is
  the concepts of its thesaurus under its property, a ``link`` field the things of its base
  under its property, and so on (one reader per pattern, ``READERS``).

A base without a mapping table still shows its statements, names and identifiers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from pop_ld import uris
from pop_ld.errors import PopLdError
from pop_ld.wkt import wkt_to_geojson

RDF_TYPE = uris.RDF + "type"
LABEL = uris.RDFS + "label"
PREF = uris.SKOS + "prefLabel"
SEE_ALSO = uris.RDFS + "seeAlso"


def _crm(local: str) -> str:
    return uris.CRM + local


P1, P2, P4, P9, P14 = (
    _crm("P1_is_identified_by"),
    _crm("P2_has_type"),
    _crm("P4_has_time-span"),
    _crm("P9_consists_of"),
    _crm("P14_carried_out_by"),
)
P32, P42, P55, P70, P70I = (
    _crm("P32_used_general_technique"),
    _crm("P42_assigned"),
    _crm("P55_has_current_location"),
    _crm("P70_documents"),
    _crm("P70i_is_documented_in"),
)
P82A, P82B, P89, P108I, P138I, P190 = (
    _crm("P82a_begin_of_the_begin"),
    _crm("P82b_end_of_the_end"),
    _crm("P89_falls_within"),
    _crm("P108i_was_produced_by"),
    _crm("P138i_has_representation"),
    _crm("P190_has_symbolic_content"),
)
E33, E33_E41, E42 = (
    _crm("E33_Linguistic_Object"),
    _crm("E33_E41_Linguistic_Appellation"),
    _crm("E42_Identifier"),
)
P7, P94I = _crm("P7_took_place_at"), _crm("P94i_was_created_by")
AS_WKT = uris.GEO + "asWKT"
HAS_GEOMETRY = uris.GEO + "hasGeometry"
ACCESS_POINT = uris.LA + "access_point"
SHOWN_BY = uris.LA + "digitally_shown_by"
DEPICTION = uris.FOAF + "depiction"
MODIFIED = uris.DCT + "modified"

#: Codes every base uses for the same thing: they win a property other fields share.
PREFERRED = frozenset({"REF", "DMIS", "DMAJ", "COPY", "CONTACT", "NOMS", "DENO", "TICO", "TITR"})

#: pattern family → (property from the thing, name of its parts, name of its only time-span)
EVENTS = {
    "produced_by": (P108I, "production", "timespan"),
    "created_by": (P94I, "creation", "creation-timespan"),
}

#: ``#desc-1``, ``#name-tico-1``, ``#id-cada-2``: a part named after its field.
_FRAGMENT = re.compile(r"^(?:(?P<kind>name|id)-)?(?P<code>[a-z0-9_.-]+?)-(?P<n>\d+)$")
_NUMBERED = re.compile(r"-(\d+)$")
#: A bare year or a year with a qualifier: a DATE value, not a SCLE century.
_YEAR = re.compile(r"^\s*-?\d{3,4}\b(?!\s*e\b)")


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a field as the page shows it."""

    text: str
    #: text, concept, place, person, date, thing, url
    kind: str = "text"
    #: the resource the value names in the graph (concept, place, person, thing, URL)
    iri: str | None = None
    #: a role, a code, a REF: said beside the value
    note: str | None = None
    #: for things: whether the notice describing it is loaded
    published: bool = True
    #: for dates: the bounds (xsd:dateTime text) when the text parsed
    begin: str | None = None
    end: str | None = None
    #: for places: région, departement, commune
    place_kind: str | None = None


class Doc:
    """The triples of a notice document, indexed by subject: what the readers walk."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        out: dict[str, dict[str, list[Any]]] = {}
        named = ox.NamedNode
        for s, p, o in triples:
            if type(s) is named:
                out.setdefault(s.value, {}).setdefault(p.value, []).append(o)
        self.out = out

    def objects(self, s: str, p: str) -> list[Any]:
        node = self.out.get(s)
        return node.get(p, []) if node else []

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def literal(self, s: str, p: str) -> str | None:
        for o in self.objects(s, p):
            if isinstance(o, ox.Literal):
                return o.value
        return None

    def types(self, s: str) -> list[str]:
        return self.iris(s, RDF_TYPE)

    def label(self, s: str, lang: str = "fr") -> str | None:
        """prefLabel or label, in ``lang`` first, then untagged, then any."""
        found = [o for p in (PREF, LABEL) for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        for wanted in (lang, None):
            for o in found:
                if o.language == wanted:
                    return o.value
        return found[0].value if found else None

    def published(self, thing: str) -> bool:
        """Whether the document knows the notice of ``thing`` (its graph is loaded)."""
        return bool(self.objects(thing, P70I))


@cache
def _mapping(base: str) -> Any:
    from pop_ld.mapping import load_mapping

    try:
        return load_mapping(base)
    except PopLdError:
        return None


def _number(iri: str) -> int:
    match = _NUMBERED.search(iri)
    return int(match.group(1)) if match else 0


class FieldReader:
    """Reads one notice's fields: statements by part name, relations by the mapping table."""

    def __init__(self, doc: Doc, base: str, notice: str, thing: str, codes: Iterable[str]) -> None:
        """``codes``: the base's field codes (its labels), besides its mapping table's."""
        self.doc, self.base, self.notice, self.thing = doc, base, notice, thing
        self.labelled = set(codes)
        self.root = notice.split("/notice/")[0]
        self.fields: dict[str, list[Value]] = defaultdict(list)
        self.codes = {code.lower(): code for code in self.labelled}
        self.mapping = _mapping(base)
        if self.mapping is not None:
            self.codes.update({code.lower(): code for code in self.mapping.fields})
        production = doc.iris(thing, P108I)
        self.production = production[0] if production else None
        # a photograph or a museum reaches its location by another property than P55
        location = doc.iris(thing, P55) or [n for n in (thing + "#location",) if n in doc.out]
        self.location = location[0] if location else None

    def read(self) -> dict[str, list[Value]]:
        self._parts()
        if self.mapping is not None:
            # fields that share a property: POP's own codes first, links to any base last
            specs = sorted(
                self.mapping.fields.values(),
                key=lambda s: (
                    s.code not in PREFERRED,
                    s.pattern.startswith("link") and s.options.get("base", "auto") == "auto",
                ),
            )
            claimed: set[tuple[str, str, str]] = set()
            for spec in specs:
                reader = _READERS.get(spec.pattern)
                if reader is not None:
                    reader(self, spec, claimed)
        self._generated()
        return self.fields

    # -- parts named after their field ---------------------------------------------------
    def _parts(self) -> None:
        prefix = self.thing + "#"
        found: list[tuple[str, int, Value]] = []
        for subject in self.doc.out:
            if not subject.startswith(prefix):
                continue
            match = _FRAGMENT.match(subject[len(prefix) :])
            if not match or match["code"] not in self.codes:
                continue
            types = self.doc.types(subject)
            kind = match["kind"]
            wanted = {"name": E33_E41, "id": E42, None: E33}[kind]
            text = self.doc.literal(subject, P190)
            if wanted not in types or text is None:
                continue
            found.append((self.codes[match["code"]], int(match["n"]), Value(text)))
        for code, _, value in sorted(found, key=lambda f: (f[0], f[1])):
            self.fields[code].append(value)

    # -- relations, by pattern -----------------------------------------------------------
    def subject(self, spec: Any, default: str = "thing") -> str | None:
        on = spec.options.get("on", default)
        return {"thing": self.thing, "notice": self.notice, "production": self.production}.get(on)

    def concept_values(self, iris: Iterable[str]) -> list[Value]:
        values = [Value(self.doc.label(i) or i.rsplit("/", 1)[-1], "concept", i) for i in iris]
        return sorted(values, key=lambda v: v.text.casefold())

    def thing_value(self, iri: str) -> Value:
        ref = unquote(iri.rsplit("/", 1)[-1])
        published = self.doc.published(iri)
        return Value(self.doc.label(iri) or ref, "thing", iri, note=ref, published=published)

    def classified_as(self, spec: Any, claimed: set) -> None:
        subject = self.subject(spec)
        if subject is None:
            return
        prop = spec.prop[1:-1] if spec.prop else P2
        scheme = f"{self.root}/id/concept/{spec.options['thesaurus']}/"
        iris = [
            o
            for o in self.doc.iris(subject, prop)
            if o.startswith(scheme) and (subject, prop, o) not in claimed
        ]
        claimed.update((subject, prop, o) for o in iris)
        self.fields[spec.code].extend(self.concept_values(iris))

    def technique(self, spec: Any, claimed: set) -> None:
        if self.production is None:
            return
        scheme = f"{self.root}/id/concept/{spec.options.get('thesaurus', 'techniques')}/"
        iris = [o for o in self.doc.iris(self.production, P32) if o.startswith(scheme)]
        self.fields[spec.code].extend(self.concept_values(iris))

    def notice_property(self, spec: Any, claimed: set) -> None:
        subject = self.subject(spec, "notice")
        prop = spec.prop[1:-1]
        for o in self.doc.objects(subject, prop):
            if (subject, prop, str(o)) in claimed:
                continue
            claimed.add((subject, prop, str(o)))
            if isinstance(o, ox.NamedNode):
                self.fields[spec.code].append(Value(o.value, "url", o.value))
            else:
                self.fields[spec.code].append(Value(o.value))

    def dates(self, spec: Any, claimed: set) -> None:
        """Dated parts of the production (or creation), named after their field."""
        family = spec.pattern.split(".")[0]
        prop, prefix, single = EVENTS[family]
        events = self.doc.iris(self.thing, prop)
        if not events or (family, "dates", "") in claimed:
            return
        claimed.add((family, "dates", ""))
        part_name = re.compile(rf"^{prefix}-(?P<code>[a-z0-9_.]+)-(?P<n>\d+)$")
        parts = []
        for part in self.doc.iris(events[0], P9):
            match = part_name.match(part.rsplit("#", 1)[-1])
            if match and match["code"] in self.codes and match["code"] != "author":
                for span in self.doc.iris(part, P4):
                    parts.append((self.codes[match["code"]], int(match["n"]), span))
        if not parts:  # one dated value: the event's own time-span carries it
            for span in self.doc.iris(events[0], P4):
                text = self.doc.literal(span, LABEL)
                if text and span.endswith("#" + single):
                    parts.append((self._date_code(text, spec.pattern), 0, span))
        for code, _, span in sorted(parts, key=lambda p: (p[0], p[1])):
            text = self.doc.literal(span, LABEL)
            if text is None:
                continue
            begin, end = self.doc.literal(span, P82A), self.doc.literal(span, P82B)
            self.fields[code].append(Value(text, "date", span, begin=begin, end=end))

    def _date_code(self, text: str, pattern: str) -> str:
        """The field of an event's only date: a year is a DATE, anything else a century."""
        codes = [s.code for s in self.mapping.fields.values() if s.pattern == pattern]
        if _YEAR.match(text) and "DATE" in codes:
            return "DATE"
        if "SCLE" in codes:  # POP's main century field, in every base that dates by century
            return "SCLE"
        return next((c for c in codes if c != "DATE"), codes[0] if codes else "DATE")

    def authors(self, spec: Any, claimed: set) -> None:
        """Authors: parts of the production (creation) carried out by an actor, in a role."""
        family = spec.pattern.split(".")[0]
        prop, prefix, _ = EVENTS[family]
        events = self.doc.iris(self.thing, prop)
        if not events or (family, "authors", "") in claimed:
            return
        claimed.add((family, "authors", ""))
        specs = [s for s in self.mapping.fields.values() if s.pattern == spec.pattern]
        by_role = {s.options["role"]: s.code for s in specs if "role" in s.options}
        plain = next((s.code for s in specs if "role" not in s.options), specs[0].code)
        parts = sorted(
            (p for p in self.doc.iris(events[0], P9) if f"#{prefix}-author-" in p), key=_number
        )
        for part in parts:
            roles = [self.doc.label(r) or "" for r in self.doc.iris(part, P2)]
            role = roles[0] if roles else None
            for person in self.doc.iris(part, P14):
                name = self.doc.label(person) or person.rsplit("/", 1)[-1]
                code = by_role.get(role or "", plain)
                self.fields[code].append(Value(name, "person", person, note=role))

    def places(self, spec: Any, claimed: set) -> None:
        if self.location is None:
            return
        opts = spec.options
        com, dpt, reg = (
            opts.get("name", "COM"),
            opts.get("departement", "DPT"),
            opts.get("region", "REG"),
        )
        within = self.doc.iris(self.location, P89)
        communes = [p for p in within if "/id/place/commune/" in p]
        dpts = [p for p in within if "/id/place/departement/" in p]
        for commune in communes:
            code = commune.rsplit("/", 1)[-1]
            self.fields[spec.code].append(Value(code, "place", commune, place_kind="commune"))
            name = self.doc.label(commune)
            if name:
                self.fields[com].insert(0, Value(name, "place", commune, place_kind="commune"))
            dpts += [p for p in self.doc.iris(commune, P89) if p not in dpts]
        regions: list[str] = []
        for d in dpts:
            code = d.rsplit("/", 1)[-1]
            self.fields[dpt].append(
                Value(self.doc.label(d) or code, "place", d, note=code, place_kind="departement")
            )
            regions += [r for r in self.doc.iris(d, P89) if r not in regions]
        for r in regions:
            label = self.doc.label(r) or r.rsplit("/", 1)[-1]
            self.fields[reg].insert(0, Value(label, "place", r, place_kind="region"))

    def coordinates(self, spec: Any, claimed: set) -> None:
        for geometry in self.geometries():
            if geometry["type"] == "Point":
                lon, lat = geometry["coordinates"]
                self.fields[spec.code].append(Value(f"{lat}, {lon}"))

    def protection(self, spec: Any, claimed: set) -> None:
        opts = spec.options
        nodes = sorted(self.doc.iris(self.thing, uris.POP + "protection"), key=_number)
        acts: list[str] = []
        for node in nodes:
            text = self.doc.literal(node, LABEL)
            if text:
                self.fields[spec.code].append(Value(text))
            acts += [a for a in self.doc.iris(node, uris.POP + "acteProtection") if a not in acts]
        statuses = self.doc.iris(self.thing, uris.POP + "statutProtection")
        self.fields[opts.get("status", "PROT")].extend(self.concept_values(statuses))
        self.fields[opts.get("act", "APRO")].extend(self.concept_values(acts))

    def link(self, spec: Any, claimed: set) -> None:
        prop = spec.prop[1:-1]
        target = spec.options.get("base", "auto")
        prefix = f"{self.root}/id/{target}/" if target != "auto" else f"{self.root}/id/"
        for o in self.doc.iris(self.thing, prop):
            if not o.startswith(prefix) or "#" in o or (self.thing, prop, o) in claimed:
                continue
            claimed.add((self.thing, prop, o))
            self.fields[spec.code].append(self.thing_value(o))

    def web_link(self, spec: Any, claimed: set) -> None:
        subject = self.subject(spec, "notice")
        prop = spec.prop[1:-1] if spec.prop else SEE_ALSO
        for o in self.doc.iris(subject, prop):
            if (subject, prop, o) in claimed:
                continue
            claimed.add((subject, prop, o))
            # several link fields share rdfs:seeAlso: they are shown together, as POP's "Liens"
            code = "LIENS" if prop == SEE_ALSO and "LIENS" in self.codes.values() else spec.code
            self.fields[code].append(Value(o, "url", o))

    def related_actor(self, spec: Any, claimed: set) -> None:
        prop = spec.prop[1:-1]
        for person in self.doc.iris(self.thing, prop):
            if not ("/id/person/" in person or "/id/autor/" in person):
                continue  # the same property may also reach things (a photograph's P138)
            if (self.thing, prop, person) in claimed:
                continue
            claimed.add((self.thing, prop, person))
            label = self.doc.label(person) or person.rsplit("/", 1)[-1]
            self.fields[spec.code].append(Value(label, "person", person))

    def homepage(self, spec: Any, claimed: set) -> None:
        prop = spec.prop[1:-1] if spec.prop else uris.FOAF + "homepage"
        for o in self.doc.iris(self.thing, prop):
            self.fields[spec.code].append(Value(o, "url", o))

    def keeper(self, spec: Any, claimed: set) -> None:
        """The museum keeping a work: a Muséofile notice's thing, or an actor named."""
        prop = spec.prop[1:-1] if spec.prop else uris.POP + "musee"
        for o in self.doc.iris(self.thing, prop):
            if "/id/person/" in o:
                self.fields[spec.code].append(Value(self.doc.label(o) or o, "person", o))
            else:
                self.fields[spec.code].append(self.thing_value(o))

    def carrier(self, spec: Any, claimed: set) -> None:
        """A field about the carrier of a visual item (the negative, the manuscript)."""
        reader = _READERS.get(spec.options.get("as", ""))
        node = f"{self.thing}#{spec.options.get('carrier')}"
        if reader is None or node not in self.doc.out:
            return
        thing = self.thing
        self.thing = node
        try:
            reader(self, spec, claimed)
        finally:
            self.thing = thing

    def life_event(self, spec: Any, claimed: set) -> None:
        """Birth, death, activity of an actor: the event's dates, and the places it names."""
        prop = LIFE_EVENTS.get(spec.options.get("event", ""))
        if prop is None:
            return
        place_code = spec.options.get("place")
        for node in sorted(self.doc.iris(self.thing, prop), key=_number):
            for span in self.doc.iris(node, P4):
                text = self.doc.literal(span, LABEL)
                if text and (node, span, spec.code) not in claimed:
                    claimed.add((node, span, spec.code))
                    begin, end = self.doc.literal(span, P82A), self.doc.literal(span, P82B)
                    self.fields[spec.code].append(Value(text, "date", span, begin=begin, end=end))
            if place_code:
                for place in self.doc.iris(node, P7):
                    label = self.doc.literal(place, LABEL)
                    if label and (node, place, place_code) not in claimed:
                        claimed.add((node, place, place_code))
                        self.fields[place_code].append(Value(label))

    def city(self, spec: Any, claimed: set) -> None:
        """A city matched to a commune: the commune, its département and région."""
        if self.location is None:
            return
        opts = spec.options
        for commune in (p for p in self.doc.iris(self.location, P89) if "/id/place/commune/" in p):
            label = self.doc.label(commune) or commune.rsplit("/", 1)[-1]
            self.fields[spec.code].append(Value(label, "place", commune, place_kind="commune"))
            for d in self.doc.iris(commune, P89):
                code = d.rsplit("/", 1)[-1]
                dpt = Value(
                    self.doc.label(d) or code, "place", d, note=code, place_kind="departement"
                )
                self.fields[opts.get("departement", "DPT")].append(dpt)
                for r in self.doc.iris(d, P89):
                    region = Value(self.doc.label(r) or r, "place", r, place_kind="region")
                    self.fields[opts.get("region", "REG")].append(region)

    def ref(self, spec: Any, claimed: set) -> None:
        ref = self.doc.literal(self.notice, uris.POP + "ref")
        if ref:
            self.fields[spec.code].append(Value(ref))

    def _generated(self) -> None:
        """Fields POP computes that the graph says another way: the base and the producer."""
        if "REF" not in self.fields:
            ref = self.doc.literal(self.notice, uris.POP + "ref")
            self.fields["REF"].append(Value(ref or ""))
        for code, prop in (("BASE", uris.POP + "base"), ("PRODUCTEUR", uris.POP + "producteur")):
            if code in self.labelled:
                for iri in self.doc.iris(self.notice, prop):
                    kind = "concept" if "/id/concept/" in iri else "base"
                    self.fields[code].append(Value(self.doc.label(iri) or iri, kind, iri))

    # -- map and images ------------------------------------------------------------------
    def geometries(self) -> list[dict[str, Any]]:
        if self.location is None:
            return []
        found = []
        for node in sorted(self.doc.iris(self.location, HAS_GEOMETRY)):
            wkt = self.doc.literal(node, AS_WKT)
            geometry = wkt_to_geojson(wkt) if wkt else None
            if geometry is not None:
                found.append(geometry)
        return found

    def images(self) -> list[str]:
        urls: list[str] = []
        for node in sorted(self.doc.iris(self.thing, P138I), key=_number):
            for digital in self.doc.iris(node, SHOWN_BY):
                urls += [u for u in self.doc.iris(digital, ACCESS_POINT) if u not in urls]
        urls += [u for u in self.doc.iris(self.thing, DEPICTION) if u not in urls]
        return [u for u in urls if u.startswith(("https://", "http://"))]  # never javascript:


_READERS = {
    "classified_as": FieldReader.classified_as,
    "technique": FieldReader.technique,
    "notice.property": FieldReader.notice_property,
    "produced_by.timespan": FieldReader.dates,
    "produced_by.carried_out_by": FieldReader.authors,
    "location.commune": FieldReader.places,
    "location.geometry": FieldReader.coordinates,
    "protection": FieldReader.protection,
    "link": FieldReader.link,
    "web_link": FieldReader.web_link,
    "related_actor": FieldReader.related_actor,
    "ref": FieldReader.ref,
    "related_actor.role": FieldReader.related_actor,
    "link.external": FieldReader.link,
    "homepage": FieldReader.homepage,
    "keeper": FieldReader.keeper,
    "carrier": FieldReader.carrier,
    "life_event": FieldReader.life_event,
    "location.city": FieldReader.city,
    "created_by.timespan": FieldReader.dates,
    "created_by.carried_out_by": FieldReader.authors,
}

#: Life events of an actor (pop_ld/patterns_bases.py): event → property from the actor.
LIFE_EVENTS = {
    "birth": _crm("P98i_was_born"),
    "death": _crm("P100i_died_in"),
    "activity": _crm("P14i_performed"),
    "formation": _crm("P95i_was_formed_by"),
    "dissolution": _crm("P99i_was_dissolved_by"),
}
