"""The named RDF patterns a mapping table can use, each a small function.

Names follow Linked Art's model pages (``classified_as``, ``referred_to_by``,
``produced_by.timespan``…) so that a table reads like the model it emits. Every pattern
has the same signature ``(em, spec, values)`` and reports to the coverage counts how many
values reached the graph, and which were kept as text because they could not be parsed.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from functools import cache, lru_cache

from pop_ld import ROOT, geometry, places, uris
from pop_ld.dates import Period, bound_key, parse_date, parse_period, parse_protection
from pop_ld.dimensions import parse_dimensions
from pop_ld.errors import PopLdError
from pop_ld.mapping import Engine, FieldSpec, Mapping, values_of
from pop_ld.nquads import RDF_TYPE, date, date_time, iri, literal, quad
from pop_ld.nquads import encode_basestring as quote  # literal(text) without the call
from pop_ld.patterns_actors import PATTERNS_ACTORS, REQUIRED_OPTIONS_ACTORS
from pop_ld.patterns_bases import PATTERNS_BASES, REQUIRED_OPTIONS_BASES, UNKNOWN_AUTHOR
from pop_ld.records import Notice
from pop_ld.schemes import scheme_lines
from pop_ld.uris import CRM, DCT, FOAF, GEO, LA, POP, RDFS, SKOS, XSD


def _crm(local: str) -> str:
    return f"<{CRM}{local}>"


def _pop(local: str) -> str:
    return f"<{POP}{local}>"


P1 = _crm("P1_is_identified_by")
P2 = _crm("P2_has_type")
P3 = _crm("P3_has_note")
P4 = _crm("P4_has_time-span")
P9 = _crm("P9_consists_of")
P14 = _crm("P14_carried_out_by")
P32 = _crm("P32_used_general_technique")
P41 = _crm("P41_classified")
P42 = _crm("P42_assigned")
P43 = _crm("P43_has_dimension")
P45 = _crm("P45_consists_of")
P55 = _crm("P55_has_current_location")
P67I = _crm("P67i_is_referred_to_by")
P70 = _crm("P70_documents")
P70I = _crm("P70i_is_documented_in")
P82A = _crm("P82a_begin_of_the_begin")
P82B = _crm("P82b_end_of_the_end")
P89 = _crm("P89_falls_within")
P90 = _crm("P90_has_value")
P91 = _crm("P91_has_unit")
P108I = _crm("P108i_was_produced_by")
P138 = _crm("P138_represents")
P138I = _crm("P138i_has_representation")
P168 = _crm("P168_place_is_defined_by")
P190 = _crm("P190_has_symbolic_content")
LABEL = f"<{RDFS}label>"
PREF = f"<{SKOS}prefLabel>"
IN_SCHEME = f"<{SKOS}inScheme>"
EXACT = f"<{SKOS}exactMatch>"
CONCEPT = f"<{SKOS}Concept>"
SCHEME = f"<{SKOS}ConceptScheme>"
HAS_GEOMETRY = f"<{GEO}hasGeometry>"
AS_WKT = f"<{GEO}asWKT>"
GEOMETRY = f"<{GEO}Geometry>"
WKT = GEO + "wktLiteral"
DEPICTION = f"<{FOAF}depiction>"
LOCALISATION = _pop("Localisation")
SEE_ALSO = f"<{RDFS}seeAlso>"
NOTICE = _pop("Notice")
POP_REF = _pop("ref")
POP_BASE = _pop("base")
POP_PRODUCER = _pop("producteur")
APPROX = _pop("approximatif")
PROTECTION = _pop("protection")
PROTECTION_CLASS = _pop("Protection")
ACTE_PROTECTION = _pop("acteProtection")
STATUT_PROTECTION = _pop("statutProtection")
TRUE = literal("true", datatype=XSD + "boolean")
DECIMAL = XSD + "decimal"

E12 = _crm("E12_Production")
E17 = _crm("E17_Type_Assignment")
E33 = _crm("E33_Linguistic_Object")
E33_E41 = _crm("E33_E41_Linguistic_Appellation")
E36 = _crm("E36_Visual_Item")
E39 = _crm("E39_Actor")
E42 = _crm("E42_Identifier")
E52 = _crm("E52_Time-Span")
E53 = _crm("E53_Place")
E54 = _crm("E54_Dimension")
E55 = _crm("E55_Type")
E57 = _crm("E57_Material")
E73 = _crm("E73_Information_Object")
SHOWN_BY = f"<{LA}digitally_shown_by>"
ACCESS_POINT = f"<{LA}access_point>"

#: A pattern writes a field's values and returns how many of them reached the graph.
Pattern = Callable[["Emit", FieldSpec, list[str]], int]

_ROLE = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*$")


@cache
def types_table() -> dict[str, dict[str, str]]:
    with open(ROOT / "mappings" / "types.toml", "rb") as f:
        return tomllib.load(f)


class Emit:
    """What one notice writes: its graph, its thing, and the nodes built around it."""

    __slots__ = (
        "engine",
        "mapping",
        "notice",
        "base",
        "ref",
        "thing",
        "T",
        "N",
        "G",
        "lines",
        "label",
        "begin",
        "end",
        "_production",
        "_location",
        "_counters",
        "dates",
        "n",
        "terms",
        "counts",
    )

    def __init__(self, engine: Engine, mapping: Mapping, notice: Notice) -> None:
        self.engine = engine
        self.mapping = mapping
        self.notice = notice
        self.base = notice.base
        self.ref = uris.normalise_ref(notice.ref)
        if not self.ref:
            raise PopLdError("notice without REF", file=notice.source, line=notice.line)
        # uris.thing/notice percent-encode the REF: the terms need no further escaping
        self.thing, notice_uri = uris.thing_and_notice(self.base, self.ref)
        self.T = f"<{self.thing}>"
        self.N = self.G = f"<{notice_uri}>"
        self.lines: list[str] = []
        self.label: str | None = None
        self.begin: str | None = None
        self.end: str | None = None
        self._production: str | None = None
        self._location: str | None = None
        self._counters: dict[str, int] = {}
        #: (field, text) of every dated value, written together by finish()
        self.dates: list[tuple[str, str]] = []
        #: quads written into the notice's graph (counted as written: cheaper than counting lines)
        self.n = 0
        #: the engine's shared terms and this base's coverage counters, one lookup away
        self.terms = engine.terms
        self.counts = engine.counts(self.base)

    # -- writing ------------------------------------------------------------------------
    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.G} .\n")
        self.n += 1

    def node(self, name: str) -> str:
        """``<{thing}#{name}>``: names are the engine's own, so no escaping is needed."""
        return f"<{self.thing}#{name}>"

    def next_node(self, prefix: str) -> str:
        """A fresh ``{thing}#{prefix}-{n}`` node, numbered in the order the table runs."""
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"<{self.thing}#{prefix}-{n}>"

    def values(self, code: str) -> list[str]:
        raw = self.notice.fields.get(code)
        if raw is None:
            return []
        spec = self.mapping.fields.get(code)
        split = spec.split if spec else None
        if type(raw) is str and (split is None or (spec.single and spec.single not in raw)):
            raw = raw.strip()  # values_of's common case, inlined
            return [raw] if raw else []
        return values_of(raw, split)

    # -- coverage -----------------------------------------------------------------------
    def reached(self, code: str, n: int = 1) -> None:
        if n:  # as Coverage.reached: no counter made for nothing
            self.counts[code].reached += n

    def unparsed(self, code: str, value: str) -> None:
        self.engine.coverage.unparsed(self.base, code, value)

    # -- shared nodes -------------------------------------------------------------------
    def concept(self, scheme: str, label: str) -> str:
        """A SKOS concept of a POP thesaurus, written once per engine."""
        key = ("concept", scheme, label)
        term = self.terms.get(key)
        if term is None:
            term = self.terms[key] = self._concept(scheme, label)
        return term

    def _concept(self, scheme: str, label: str) -> str:
        uri = uris.concept(scheme, label)
        c = iri(uri)
        if self.engine.shared(uri):
            g = iri(uris.graph("concepts"))
            s = iri(uris.scheme(scheme))
            lines = [  # one quad a line: the engine counts shared quads by lines
                f"{c} {RDF_TYPE} {CONCEPT} {g} .\n",
                f"{c} {RDF_TYPE} {E55} {g} .\n",
                f"{c} {PREF} {quote(label)}@fr {g} .\n",
                f"{c} {IN_SCHEME} {s} {g} .\n",
            ]
            if self.engine.shared(uris.scheme(scheme)):
                lines.extend(scheme_lines(scheme, g))  # labels and ARK: mappings/schemes.toml
            self.engine._shared.extend(lines)
        return c

    def type(self, key: str) -> str:
        """A type of mappings/types.toml (statement, name, dimension kinds…)."""
        cache_key = ("type", key, "")
        term = self.terms.get(cache_key)
        if term is None:
            term = self.terms[cache_key] = self._type(key)
        return term

    def _type(self, key: str) -> str:
        uri = uris.concept("types", key)
        if self.engine.shared(uri):
            entry = types_table().get(key)
            if entry is None:
                raise PopLdError(f"type {key!r} is not in mappings/types.toml")
            g = iri(uris.graph("concepts"))
            c = iri(uri)
            s = iri(uris.scheme("types"))
            lines = [
                quad(c, RDF_TYPE, CONCEPT, g),
                quad(c, RDF_TYPE, E55, g),
                quad(c, PREF, literal(entry["fr"], lang="fr"), g),
                quad(c, PREF, literal(entry["en"], lang="en"), g),
                quad(c, IN_SCHEME, s, g),
            ]
            if "aat" in entry:
                lines.append(quad(c, EXACT, iri(uris.AAT + entry["aat"]), g))
            if self.engine.shared(uris.scheme("types")):
                lines.append(quad(s, RDF_TYPE, SCHEME, g))
                lines.append(quad(s, PREF, literal("types pop-ld", lang="fr"), g))
                lines.append(quad(s, PREF, literal("pop-ld types", lang="en"), g))
            self.engine._shared.extend(lines)
        return iri(uri)

    def person(self, name: str) -> str:
        key = ("person", name, "")
        term = self.terms.get(key)
        if term is None:
            term = self.terms[key] = self._person(name)
        return term

    def _person(self, name: str) -> str:
        uri = uris.person(name)
        p = iri(uri)
        if self.engine.shared(uri):
            g = iri(uris.graph("persons"))
            self.engine._shared.extend(
                [f"{p} {RDF_TYPE} {E39} {g} .\n", f"{p} {LABEL} {quote(name)} {g} .\n"]
            )
        return p

    def admin_place(self, place: places.AdminPlace) -> str:
        """A région, département or the country, with its chain up to France."""
        uri = uris.place(place.kind, place.code)
        term = iri(uri)
        if self.engine.shared(uri):
            g = iri(uris.graph("places"))
            cls = {"pays": "Pays", "region": "Region", "departement": "Departement"}[place.kind]
            lines = [
                quad(term, RDF_TYPE, E53, g),
                quad(term, RDF_TYPE, _pop(cls), g),
                quad(term, LABEL, literal(place.label, lang="fr"), g),
            ]
            if place.kind == "departement":
                lines.append(quad(term, _pop("codeDepartement"), literal(place.code), g))
            self.engine._shared.extend(lines)
            up = places.parent(place)
            if up is not None:
                self.engine._shared.append(quad(term, P89, self.admin_place(up), g))
        return term

    def commune(self, insee: str, name: str | None) -> str:
        key = ("commune", insee, "")
        term = self.engine.terms.get(key)
        if term is None:
            term = self.engine.terms[key] = self._commune(insee, name)
        return term

    def _commune(self, insee: str, name: str | None) -> str:
        uri = uris.place("commune", insee)
        term = iri(uri)
        if name:
            self.engine.commune_labels[insee] = name
        if self.engine.shared(uri):
            g = iri(uris.graph("places"))
            lines = [
                quad(term, RDF_TYPE, E53, g),
                quad(term, RDF_TYPE, _pop("Commune"), g),
                quad(term, _pop("insee"), literal(insee), g),
            ]
            if name:
                lines.append(quad(term, LABEL, literal(name, lang="fr"), g))
            self.engine._shared.extend(lines)
            dpt = places.departement_of_insee(insee)
            if dpt is not None:
                self.engine._shared.append(quad(term, P89, self.admin_place(dpt), g))
        return term

    # -- nodes built around the thing ---------------------------------------------------
    def production(self) -> str:
        if self._production is None:
            p, g = self.node("production"), self.G
            self._production = p
            self.lines.append(f"{self.T} {P108I} {p} {g} .\n{p} {RDF_TYPE} {E12} {g} .\n")
            self.n += 2
        return self._production

    def location(self) -> str:
        if self._location is None:
            loc, g = self.node("location"), self.G
            self._location = loc
            self.lines.append(
                f"{self.T} {P55} {loc} {g} .\n{loc} {RDF_TYPE} {E53} {g} .\n"
                f"{loc} {RDF_TYPE} {LOCALISATION} {g} .\n"
            )
            self.n += 3
        return self._location

    def timespan(self, node: str, text: str, code: str) -> None:
        """A time-span named by the original text, with bounds when the text allows."""
        g = self.G
        period, label, begin, end = _span_terms(text)
        if period is None:
            self.lines.append(f"{node} {RDF_TYPE} {E52} {g} .\n{node} {LABEL} {label} {g} .\n")
            self.n += 2
            self.unparsed(code, text)
            return
        self.lines.append(
            f"{node} {RDF_TYPE} {E52} {g} .\n{node} {LABEL} {label} {g} .\n"
            f"{node} {P82A} {begin} {g} .\n"
            f"{node} {P82B} {end} {g} .\n"
        )
        self.n += 4
        if period.approximate:
            self.add(node, APPROX, TRUE)
        # bounds compare as years, not strings: "-1200…" is earlier than "-0051…"
        if self.begin is None or bound_key(period.begin) < bound_key(self.begin):
            self.begin = period.begin
        if self.end is None or bound_key(period.end) > bound_key(self.end):
            self.end = period.end

    def statement(self, subject: str, code: str, text: str, type_key: str) -> None:
        """Linked Art's statement: the producer's text kept whole, typed."""
        prefix, counters, g = code.lower(), self._counters, self.G
        n = counters[prefix] = counters.get(prefix, 0) + 1  # next_node, inlined
        node = f"<{self.thing}#{prefix}-{n}>"
        kind = self.terms.get(("type", type_key, "")) or self.type(type_key)
        self.lines.append(
            f"{subject} {P67I} {node} {g} .\n{node} {RDF_TYPE} {E33} {g} .\n"
            f"{node} {P190} {quote(text)}@fr {g} .\n"
            f"{node} {P2} {kind} {g} .\n"
        )
        self.n += 4

    def appellation(self, subject: str, code: str, text: str, type_key: str) -> None:
        prefix, counters, g = f"name-{code.lower()}", self._counters, self.G
        n = counters[prefix] = counters.get(prefix, 0) + 1  # next_node, inlined
        node = f"<{self.thing}#{prefix}-{n}>"
        kind = self.terms.get(("type", type_key, "")) or self.type(type_key)
        self.lines.append(
            f"{subject} {P1} {node} {g} .\n{node} {RDF_TYPE} {E33_E41} {g} .\n"
            f"{node} {P190} {quote(text)}@fr {g} .\n"
            f"{node} {P2} {kind} {g} .\n"
        )
        self.n += 4

    def private(self, spec: FieldSpec, values: list[str]) -> None:
        """Masked fields: only into the notice's private graph, never the public union."""
        g = iri(uris.private_graph(self.base, self.ref))
        prop = _pop("champMasque")
        for value in values:
            self.engine.private_lines.append(
                quad(self.T, prop, literal(f"{spec.code}: {value}"), g)
            )

    def finish(self) -> None:
        """What comes from the notice as a whole: the record, the overall dates, the label."""
        base_term = _base_term(self.base)
        if base_term not in self.engine._seen and self.engine.shared(base_term):
            g = iri(uris.graph("bases"))
            info = uris.bases()[self.base]
            self.engine._shared.extend(
                [
                    quad(base_term, RDF_TYPE, _pop("Base"), g),
                    quad(base_term, LABEL, literal(info["label_fr"], lang="fr"), g),
                    quad(base_term, LABEL, literal(info["label_en"], lang="en"), g),
                ]
            )
        T, N, g = self.T, self.N, self.G
        ref = quote(self.ref)  # literal(self.ref)
        ident = f"<{self.thing}#ref>"
        classes = ""
        for cls in _class_terms(self.mapping):  # a loop: a comprehension is a call
            classes += f"{T} {RDF_TYPE} {cls} {g} .\n"
        self.lines.append(
            f"{N} {RDF_TYPE} {NOTICE} {g} .\n{N} {P70} {T} {g} .\n{N} {POP_REF} {ref} {g} .\n"
            f"{N} {POP_BASE} {base_term} {g} .\n"
            f"{classes}{T} {P70I} {N} {g} .\n{T} {P1} {ident} {g} .\n"
            f"{ident} {RDF_TYPE} {E42} {g} .\n{ident} {P190} {ref} {g} .\n"
            f"{ident} {P2} {self.type('ref-pop')} {g} .\n"
        )
        self.n += 9 + len(self.mapping.classes)
        producer = uris.producer_of(self.base, self.ref)
        if producer:
            self.add(N, POP_PRODUCER, self.concept("producteurs", producer))
        if self.label is None:
            deno = self.values("DENO")
            com = self.values("COM")
            parts = deno[:1]
            if com:
                parts.append(f"({com[0]})")
            self.label = " ".join(parts) or self.ref
            self.add(T, LABEL, literal(self.label, lang="fr"))
        if self.dates:
            self._dates()

    def _dates(self) -> None:
        prod = self.production()
        span = self.node("timespan")
        self.add(prod, P4, span)
        if len(self.dates) == 1:
            code, text = self.dates[0]
            self.timespan(span, text, code)
            return
        for code, text in self.dates:
            part = self.next_node(f"production-{code.lower()}")
            part_span = _subnode(part, "timespan")
            g = self.G
            self.lines.append(
                f"{prod} {P9} {part} {g} .\n{part} {RDF_TYPE} {E12} {g} .\n"
                f"{part} {P4} {part_span} {g} .\n"
            )
            self.n += 3
            self.timespan(part_span, text, code)
        self.add(span, RDF_TYPE, E52)
        if self.begin is not None and self.end is not None:
            self.add(span, P82A, _date_time(self.begin))
            self.add(span, P82B, _date_time(self.end))


_BASE_TERMS: dict[str, str] = {}
_CLASS_TERMS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _base_term(base: str) -> str:
    """``<…/id/base/{base}>``, formatted once per base (the base URI is set before mapping)."""
    key = uris.base_uri() + base
    term = _BASE_TERMS.get(key)
    if term is None:
        term = _BASE_TERMS[key] = f"<{uris.base_resource(base)}>"
    return term


def _class_terms(mapping: Mapping) -> tuple[str, ...]:
    terms = _CLASS_TERMS.get(mapping.classes)
    if terms is None:
        terms = _CLASS_TERMS[mapping.classes] = tuple(f"<{c}>" for c in mapping.classes)
    return terms


# -- the patterns -----------------------------------------------------------------------


def name(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A title or appellation (TICO, TITR, APPL): E33_E41 with a type; the first is the label."""
    kind, primary = spec.options.get("type", "appellation"), spec.options.get("primary")
    for value in values:
        em.appellation(em.T, spec.code, value, kind)
        if primary and em.label is None:
            em.label = value
            em.add(em.T, LABEL, literal(value, lang="fr"))
    return len(values)


def identifier(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """An identifier of the thing (CADA, NUMP, INV): E42 with a type."""
    if not values:
        return 0
    prefix, kind, T, g = f"id-{spec.code.lower()}", None, em.T, em.G
    for value in values:
        node = em.next_node(prefix)
        kind = kind or em.type(spec.options.get("type"))  # after the node, as it always was
        em.lines.append(
            f"{T} {P1} {node} {g} .\n{node} {RDF_TYPE} {E42} {g} .\n"
            f"{node} {P190} {literal(value)} {g} .\n{node} {P2} {kind} {g} .\n"
        )
        em.n += 4
    return len(values)


def classified_as(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A thesaurus term → SKOS concept, by P2 has type or the property the table names."""
    prop = spec.prop or P2
    on = spec.options.get("on", "thing")
    if on == "thing":
        subject = em.T
    elif on == "notice":
        subject = em.N
    elif on == "production":
        subject = em.production()
    else:
        raise KeyError(on)
    thesaurus, terms, lines, g = spec.options.get("thesaurus"), em.terms, em.lines, em.G
    for value in values:  # a loop, not a comprehension: most fields hold one value
        term = terms.get(("concept", thesaurus, value)) or em.concept(thesaurus, value)
        lines.append(f"{subject} {prop} {term} {g} .\n")
    em.n += len(values)
    return len(values)


def referred_to_by(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Prose kept whole as a typed statement (description, history, remarks)."""
    subject = em.N if spec.options.get("on") == "notice" else em.T
    for value in values:
        em.statement(subject, spec.code, value, spec.options.get("type"))
    return len(values)


def notice_property(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A fact about the record (DMIS, DMAJ, CONTACT, COPY) rather than the thing."""
    prop = spec.prop
    kind = spec.options.get("datatype", "string")
    subject = em.T if spec.options.get("on") == "thing" else em.N
    if kind == "date":
        for value in values:
            term = _day_term(value)
            if term is None:
                em.unparsed(spec.code, value)
                em.add(subject, prop, quote(value))
            else:
                em.add(subject, prop, term)
        return len(values)
    g, tag, lines = em.G, "@fr" if kind == "text" else "", em.lines
    for value in values:
        lines.append(f"{subject} {prop} {quote(value)}{tag} {g} .\n")
    em.n += len(values)
    return len(values)


@lru_cache(maxsize=65536)  # record dates repeat: a day's term is formatted once per text
def _day_term(text: str) -> str | None:
    day = parse_date(text)
    return None if day is None else date(day)


@lru_cache(maxsize=65536)  # so do time-span bounds: "1600-01-01T00:00:00" for every 17e siècle
def _date_time(bound: str) -> str:
    return date_time(bound)


@lru_cache(maxsize=65536)  # "17e siècle" in thousands of notices: its terms formatted once
def _span_terms(text: str) -> tuple[Period | None, str, str, str]:
    """A dated text's period, label term and bound terms ("" when it does not parse)."""
    period = parse_period(text)
    label = literal(text, lang="fr")
    if period is None:
        return None, label, "", ""
    return period, label, _date_time(period.begin), _date_time(period.end)


def produced_by_timespan(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Dates and centuries (SCLE, DATE): the production's time-span, named by the text.

    With several dated values, each is a dated part of the production and the
    production's own time-span spans them all: one FILTER on P82a/P82b still finds it.
    The parts are written by Emit.finish(), once every date of the notice is known.
    """
    dates, code = em.dates, spec.code
    for value in values:
        dates.append((code, value))
    return len(values)


def carried_out_by(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Authors (AUTR) ``Nom Prénom (rôle)``: a part of the production by an actor, in a role."""
    prod = em.production()
    for value in values:
        if UNKNOWN_AUTHOR.search(value):
            em.statement(em.T, spec.code, value, "attribution")
            continue
        match = _ROLE.match(value)
        person, role = (match["name"], match["role"]) if match and match["name"] else (value, None)
        role = role or spec.options.get("role")
        part, g = em.next_node("production-author"), em.G
        em.lines.append(
            f"{prod} {P9} {part} {g} .\n{part} {RDF_TYPE} {E12} {g} .\n"
            f"{part} {P14} {em.person(person)} {g} .\n"
        )
        em.n += 3
        if role:
            em.add(part, P2, em.concept(spec.options.get("roles", "roles"), role.strip()))
    return len(values)


def made_of(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Materials ``matière : technique, technique``: P45 materials, P32 techniques, statement kept."""
    prod = None
    options, concept_of, T, g = spec.options, em.concept, em.T, em.G
    for value in values:
        material, techniques = _material_parts(value)
        if material:
            concept = concept_of(options.get("thesaurus", "materiaux"), material)
            em.lines.append(f"{T} {P45} {concept} {g} .\n")
            em.n += 1
            key = concept + "#material"
            if key not in em.engine._seen and em.engine.shared(key):
                em.engine.emit_shared(quad(concept, RDF_TYPE, E57, iri(uris.graph("concepts"))))
        for technique in techniques:
            prod = prod or em.production()
            em.add(prod, P32, concept_of(options.get("techniques", "techniques"), technique))
        em.statement(T, spec.code, value, options.get("type", "materiaux"))
    return len(values)


@lru_cache(maxsize=65536)  # "granite ; silex": materials repeat from notice to notice
def _material_parts(value: str) -> tuple[str, tuple[str, ...]]:
    """``matière : technique, technique`` → the material and its non-empty techniques."""
    material, _, techniques = value.partition(":")
    return material.strip(), tuple(t for t in (t.strip() for t in techniques.split(",")) if t)


def technique(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Techniques of decoration or making (TECH): P32 used general technique on the production."""
    prod = em.production()
    for value in values:
        em.add(prod, P32, em.concept(spec.options.get("thesaurus", "techniques"), value))
    return len(values)


def dimension(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Dimensions: the statement as written, plus E54 dimensions where the text parses."""
    for value in values:
        em.statement(em.T, spec.code, value, "dimensions")
        dims = parse_dimensions(value)
        if not dims:
            em.unparsed(spec.code, value)
        T, g = em.T, em.G
        for dim in dims:
            node = em.next_node("dimension")
            unit = em.type(dim.unit)
            em.lines.append(
                f"{T} {P43} {node} {g} .\n{node} {RDF_TYPE} {E54} {g} .\n"
                f"{node} {P90} {_decimal_term(dim.value)} {g} .\n"
                f"{node} {P91} {unit} {g} .\n{node} {P2} {em.type(dim.kind)} {g} .\n"
            )
            em.n += 5
            if dim.note:  # what is measured when it is not the object itself ("avec cadre")
                em.add(node, P3, literal(dim.note, lang="fr"))
    return len(values)


def _subnode(node: str, name: str) -> str:
    """A part of a part (``#protection-1-timespan``), as uris.part() builds it."""
    return f"{node[:-1]}-{name}>"


def _decimal_term(value: float) -> str:
    # 0.0 and -0.0 are one cache key but two texts: zero is never cached
    return _decimal_cached(value) if value else literal(_decimal(value), datatype=DECIMAL)


@lru_cache(maxsize=65536)  # measures repeat (100 cm, 2 m…): a term formatted once
def _decimal_cached(value: float) -> str:
    return literal(_decimal(value), datatype=DECIMAL)


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def location_commune(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """INSEE codes with COM/DPT/REG: the thing's location falls within communes.

    Commune, département and région are shared places (mappings/places.csv), so one
    ``P89_falls_within+`` pattern finds everything in a département across all bases.
    A COM, DPT or REG value that the shared places already say is not written again;
    one that says something else (an old name, an old région) is kept on the location.
    """
    opts = spec.options
    com_code = opts.get("name", "COM")
    dpt_code = opts.get("departement", "DPT")
    reg_code = opts.get("region", "REG")
    names = em.values(com_code)
    dpts = em.values(dpt_code)
    regions = em.values(reg_code)
    loc = em.location()
    known_names: set[str] = set()
    known_dpts: set[str] = set()
    known_regions: set[str] = set()
    paired = len(names) == len(values)
    communes = em.engine.communes
    for i, code in enumerate(values):
        code = code.upper()
        known = communes.get(code)
        if known is None and places.is_insee(code):
            name = names[i] if paired else (names[0] if len(values) == 1 and names else None)
            known = communes[code] = _commune_facts(em, code, name)
        if known is not None:
            term, label, dpt_of, region_key = known
            em.add(loc, P89, term)
            known_names.add(label)
            if dpt_of is not None:
                known_dpts.add(dpt_of)
                if region_key is not None:
                    known_regions.add(region_key)
        else:
            em.appellation(loc, spec.code, code, "commune")
            em.unparsed(spec.code, code)
    for value in names:
        if value not in known_names:
            em.appellation(loc, com_code, value, "commune")
    counts = em.counts
    if names:  # as Emit.reached: no counter made for nothing
        counts[com_code].reached += len(names)
    for value in dpts:
        dpt = places.departement(value)
        if dpt is None:
            em.appellation(loc, dpt_code, value, "departement-saisi")
        elif dpt.code not in known_dpts:
            em.add(loc, P89, em.admin_place(dpt))
    if dpts:
        counts[dpt_code].reached += len(dpts)
    for value in regions:
        if places.fold(value) not in known_regions:
            em.appellation(loc, reg_code, value, "region-saisie")
    if regions:
        counts[reg_code].reached += len(regions)
    return len(values)


def _commune_facts(
    em: Emit, insee: str, name: str | None
) -> tuple[str, str, str | None, str | None]:
    """A commune's term, first label, département code and folded région: fixed per engine."""
    term = em.commune(insee, name)
    dpt = places.departement_of_insee(insee)
    region = places.parent(dpt) if dpt is not None else None
    return (
        term,
        em.engine.commune_labels.get(insee, ""),
        dpt.code if dpt is not None else None,
        places.fold(region.label) if region is not None else None,
    )


def location_name(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Address, locality, building, cadastre… as typed names of the thing's location."""
    loc, kind = em.location(), spec.options.get("type")
    for value in values:
        em.appellation(loc, spec.code, value, kind)
    return len(values)


def location_geometry(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Coordinates in any of POP's forms → WKT (lon lat) as P168 and GeoSPARQL geometry.

    Order of trust: POP_COORDONNEES.lat/.lon (WGS84; 0,0 is POP's "no position"), a
    "lat, lon" string, then projected "x ; y" in the projection ZONE names. Polygons:
    POP_COORDINATES_POLYGON (pairs stored [lat, lon]) or COORM. Projected and unparsed
    texts are kept as statements on the location: nothing a surveyor wrote is lost.
    """
    o = spec.options
    f = em.notice.fields
    counts = em.counts
    lat_code, lon_code = o.get("lat", "POP_COORDONNEES.lat"), o.get("lon", "POP_COORDONNEES.lon")
    zone_code = o.get("zone", "ZONE")
    raw = f.get(zone_code)
    zone = None if raw is None else _first(raw)
    point = None
    lat, lon = f.get(lat_code), f.get(lon_code)
    if lat is not None or lon is not None:
        point = geometry.from_pop_coordonnees(
            None if lat is None else _first(lat), None if lon is None else _first(lon)
        )
        if lat is not None:  # as Emit.reached: no counter made for nothing
            counts[lat_code].reached += 1
        if lon is not None:
            counts[lon_code].reached += 1
    for text_code in o.get("text", _TEXT_CODES):
        raw = f.get(text_code)
        text = None if raw is None else _first(raw)
        if text is None:
            continue
        latlon = geometry.parse_latlon(text)
        if latlon is None and not _is_zero(text):
            em.unparsed(text_code, text)
            em.statement(em.location(), text_code, text, "coordonnees-texte")
        elif point is None and latlon is not None:
            point = (latlon[1], latlon[0])
        counts[text_code].reached += 1
    # chpcoorlb93 is not always Lambert 93 (Toulouse's is CC43): its system is guessed
    for coor_code, coor_zone in ((o.get("coor", "COOR"), zone), ("COORLB93", None)):
        raw = f.get(coor_code)
        coor = None if raw is None else _first(raw)
        if coor is None:
            continue
        if point is None:  # projected only when no WGS84 point came first
            try:
                point = geometry.from_coor(coor, coor_zone)
            except ValueError:
                point = None
            if point is None:
                em.unparsed(coor_code, coor)
        text = f"{coor} ({coor_zone})" if coor_zone else coor
        em.statement(em.location(), coor_code, text, "coordonnees-texte")
        counts[coor_code].reached += 1
    if zone is not None:
        counts[zone_code].reached += 1
    polygon = None
    poly_code = o.get("polygon", "POP_COORDINATES_POLYGON.coordinates")
    if f.get(poly_code) is not None:
        polygon = geometry.from_pop_polygon(f[poly_code])
        counts[poly_code].reached += 1
    coorm_code = o.get("coorm", "COORM")
    raw = f.get(coorm_code)
    coorm = None if raw is None else _first(raw)
    if coorm is not None:
        from_coorm = geometry.from_coorm(coorm, zone)
        if from_coorm is None:
            em.unparsed(coorm_code, coorm)
            em.statement(em.location(), coorm_code, coorm, "coordonnees-texte")
        polygon = polygon or from_coorm
        counts[coorm_code].reached += 1
    if point is not None:
        _geometry(em, "geometry", geometry.point_wkt(*point))
    if polygon is not None:
        _geometry(em, "geometry-polygon", polygon)


_TEXT_CODES = ("POP_COORDONNEES", "COORWGS84")


def _geometry(em: Emit, name: str, wkt: str) -> None:
    loc = em.location()
    node, g = em.node(name), em.G
    term = literal(wkt, datatype=WKT)
    em.lines.append(
        f"{loc} {P168} {term} {g} .\n{loc} {HAS_GEOMETRY} {node} {g} .\n"
        f"{node} {RDF_TYPE} {GEOMETRY} {g} .\n{node} {AS_WKT} {term} {g} .\n"
    )
    em.n += 4


def _first(raw: str | list[str] | None) -> str | None:
    """The first non-blank value of a field, as text."""
    if raw is None:
        return None
    if type(raw) is str:
        return raw.strip() or None
    for value in raw if isinstance(raw, list) else [raw]:
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


_ZERO = re.compile(r"[\s0.,;{}\[\]]")


def _is_zero(text: str) -> bool:
    return not _ZERO.sub("", text)


def protection(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """DPRO events (with PROT, APRO): each protection a dated E17 Type Assignment.

    Linked Art has no pattern for "classé / inscrit MH"; an E17 says what was assigned,
    when and by which act, and a pop:statutProtection shortcut on the thing feeds facets.
    """
    o = spec.options
    prot_code, acts_code = o.get("status", "PROT"), o.get("act", "APRO")
    statuses = em.values(prot_code)
    acts = em.values(acts_code)
    last_status = None
    n = 0
    for value in values:
        events = _protection_terms(value)
        if not events:
            em.unparsed(spec.code, value)
            em.statement(em.T, spec.code, value, "protection")
            continue
        T, g = em.T, em.G
        for text, label, status, begin, end in events:
            n += 1
            node = em.node(f"protection-{n}")
            em.lines.append(
                f"{T} {PROTECTION} {node} {g} .\n{node} {RDF_TYPE} {PROTECTION_CLASS} {g} .\n"
                f"{node} {RDF_TYPE} {E17} {g} .\n{node} {P41} {T} {g} .\n"
                f"{node} {LABEL} {label} {g} .\n"
            )
            em.n += 5
            if status:
                em.add(node, P42, em.concept("protection", status))
                last_status = status
            span = _subnode(node, "timespan")
            if begin:
                em.lines.append(
                    f"{node} {P4} {span} {g} .\n{span} {RDF_TYPE} {E52} {g} .\n"
                    f"{span} {P82A} {begin} {g} .\n"
                    f"{span} {P82B} {end} {g} .\n"
                )
                em.n += 4
            else:
                em.lines.append(f"{node} {P4} {span} {g} .\n{span} {RDF_TYPE} {E52} {g} .\n")
                em.n += 2
                em.unparsed(spec.code, text)
            if acts:
                act = acts[min(n - 1, len(acts) - 1)]
                em.add(node, ACTE_PROTECTION, em.concept("actes-protection", act))
    for status in statuses or ([last_status] if last_status else []):
        em.add(em.T, STATUT_PROTECTION, em.concept("protection", status))
    em.reached(prot_code, len(statuses))
    if acts and not n:
        for act in acts:
            em.statement(em.T, acts_code, act, "protection")
    em.reached(acts_code, len(acts))
    return len(values)


@lru_cache(maxsize=65536)  # DPRO values repeat: each event's terms formatted once
def _protection_terms(value: str) -> tuple[tuple[str, str, str, str, str], ...]:
    """A DPRO value's events as (text, label term, status, begin term, end term); "" bounds
    when the event's date does not parse."""
    return tuple(
        (
            event.text,
            literal(event.text, lang="fr"),
            event.status,
            _date_time(event.period.begin) if event.period is not None else "",
            _date_time(event.period.end) if event.period is not None else "",
        )
        for event in parse_protection(value)
    )


def link(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A cross-reference to another notice's thing, whichever is loaded first.

    The target's URI comes from its REF alone, so the link is right before the target
    exists; a REF that no base claims is kept as a statement, never dropped.
    """
    prop = spec.prop
    target_base = spec.options.get("base", "auto")
    for value in values:
        ref = uris.normalise_ref(value)
        base = uris.base_of_ref(ref) if target_base == "auto" else target_base
        if base is None or (target_base != "auto" and uris.base_of_ref(ref) not in (None, base)):
            em.statement(em.T, spec.code, value, "reference-non-resolue")
            em.unparsed(spec.code, value)
            continue
        em.add(em.T, prop, iri(uris.thing(base, ref)))
    return len(values)


def image(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Images (IMG, VIDEO): Linked Art's representation → digital object with an access point."""
    for value in values:
        url = _image_url(value)
        node = em.next_node("image")
        digital = _subnode(node, "file")
        T, g, term = em.T, em.G, iri(url)
        em.lines.append(
            f"{T} {P138I} {node} {g} .\n{node} {RDF_TYPE} {E36} {g} .\n"
            f"{node} {P138} {T} {g} .\n{node} {SHOWN_BY} {digital} {g} .\n"
            f"{digital} {RDF_TYPE} {E73} {g} .\n{digital} {P2} {em.type('image')} {g} .\n"
            f"{digital} {ACCESS_POINT} {term} {g} .\n{T} {DEPICTION} {term} {g} .\n"
        )
        em.n += 8
    return len(values)


_HTTP = re.compile(r"https?://")


def _image_url(value: str) -> str:
    if _HTTP.match(value):
        return value
    base = os.environ.get("POP_LD_IMAGE_BASE", "https://s3.eu-west-3.amazonaws.com/pop-phototeque/")
    return base.rstrip("/") + "/" + value.lstrip("/")


def ref(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """The REF: the engine builds the notice, the thing and their identifier from it."""
    return len(values)


def web_link(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Links to documents and other sites (DOSURL, LIENS…): rdfs:seeAlso, text kept otherwise."""
    subject = em.T if spec.options.get("on") == "thing" else em.N
    prop = spec.prop or SEE_ALSO
    for value in values:
        url = _url_in(value)
        if url is None:
            em.statement(subject, spec.code, value, "texte")
            em.unparsed(spec.code, value)
        else:
            em.add(subject, prop, iri(url))
    return len(values)


_URL = re.compile(r"https?://[^\s\"'<>]+")
_PATH = re.compile(r"^[\w./-]+\.(jpe?g|png|gif|tiff?|pdf)$", re.IGNORECASE)


def _url_in(value: str) -> str | None:
    """The URL a link field carries: plain, inside an HTML anchor, or a POP relative path."""
    match = _URL.search(value)
    if match:
        return match.group(0)
    if value.startswith("www."):
        return "https://" + value.split()[0]
    if _PATH.match(value):
        return _image_url(value)
    return None


def related_actor(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """People linked to the thing's history (PERS): actors, not strings."""
    prop = spec.prop
    for value in values:
        em.add(em.T, prop, em.person(value))
    return len(values)


def with_(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Read by another field's pattern (COM by INSEE's): never run on its own."""
    return 0


PATTERNS: dict[str, Pattern] = {
    "ref": ref,
    "web_link": web_link,
    "related_actor": related_actor,
    "name": name,
    "identifier": identifier,
    "classified_as": classified_as,
    "referred_to_by": referred_to_by,
    "notice.property": notice_property,
    "produced_by.timespan": produced_by_timespan,
    "produced_by.carried_out_by": carried_out_by,
    "made_of": made_of,
    "technique": technique,
    "dimension": dimension,
    "location.commune": location_commune,
    "location.name": location_name,
    "location.geometry": location_geometry,
    "protection": protection,
    "link": link,
    "image": image,
    "with": with_,
    # the patterns the six other bases need: pop_ld/patterns_bases.py, patterns_actors.py
    **PATTERNS_BASES,
    **PATTERNS_ACTORS,
}

#: Options a pattern cannot do without: the table is refused at load time otherwise.
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "identifier": ("type",),
    "classified_as": ("thesaurus",),
    "referred_to_by": ("type",),
    "notice.property": ("property",),
    "location.name": ("type",),
    "link": ("property",),
    "related_actor": ("property",),
    **REQUIRED_OPTIONS_BASES,
    **REQUIRED_OPTIONS_ACTORS,
}

__all__ = ["PATTERNS", "REQUIRED_OPTIONS", "Emit", "DCT"]
