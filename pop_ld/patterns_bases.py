"""Patterns the six other bases need for things, places and images (same signature as patterns.py).

Each is small and says which Linked Art page it follows:

- ``keeper``: the museum that keeps a work (Linked Art's ``current_keeper``, crm:P50), from a
  Muséofile REF buried in dirty text (``M1037-38``, ``MO121``, ``M0748 phot © …``) or a name.
- ``link.external``: ``link`` for fields that also hold REFs of registers outside POP (SPR…).
- ``homepage``: a website, ``https://`` added to the bare ``musee.fr/…`` POP stores.
- ``located_via``: on REF, says how the thing reaches its location when crm:P55 (a physical
  object's current location) does not fit: a museum (E74) *resides* there (P74), a photograph
  (E36) *represents* it (P138). It runs first, so every location pattern after it shares the node.
- ``location.city``: a city without INSEE code, matched to a commune only when unambiguous.
- ``carrier``: a physical carrier of a visual item (the negative of a photograph, the manuscript
  of an illumination), E22 -P65 shows visual item-> the thing; runs another pattern on it.
- ``created_by.timespan``, ``created_by.carried_out_by``: the E65 Creation of a visual item
  (crm:P94i), where an object would have an E12 Production.

Actors and provenance are in pop_ld/patterns_actors.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from pop_ld import communes, places, uris
from pop_ld.nquads import RDF_TYPE, iri, literal
from pop_ld.uris import CRM, OWL, POP, RDFS

if TYPE_CHECKING:
    from pop_ld.mapping import FieldSpec
    from pop_ld.patterns import Emit


def _crm(local: str) -> str:
    return f"<{CRM}{local}>"


P1 = _crm("P1_is_identified_by")
P2 = _crm("P2_has_type")
P4 = _crm("P4_has_time-span")
P7 = _crm("P7_took_place_at")
P9 = _crm("P9_consists_of")
P14 = _crm("P14_carried_out_by")
P14I = _crm("P14i_performed")
P22 = _crm("P22_transferred_title_to")
P29 = _crm("P29_custody_received_by")
P65 = _crm("P65_shows_visual_item")
P67I = _crm("P67i_is_referred_to_by")
P82A = _crm("P82a_begin_of_the_begin")
P82B = _crm("P82b_end_of_the_end")
P89 = _crm("P89_falls_within")
P94I = _crm("P94i_was_created_by")
P190 = _crm("P190_has_symbolic_content")
E7 = _crm("E7_Activity")
E22 = _crm("E22_Human-Made_Object")
E33 = _crm("E33_Linguistic_Object")
E33_E41 = _crm("E33_E41_Linguistic_Appellation")
E52 = _crm("E52_Time-Span")
E53 = _crm("E53_Place")
E65 = _crm("E65_Creation")
LABEL = f"<{RDFS}label>"
SAME_AS = f"<{OWL}sameAs>"
LOCALISATION = f"<{POP}Localisation>"
MUSEE = f"<{POP}musee>"

Pattern = Callable[["Emit", "FieldSpec", list[str]], int]


def _once(em: Emit, key: str) -> bool:
    """True the first time a notice asks for ``key``: nodes this module builds lazily.

    The counters of Emit are per notice; a key starting with ``@`` never names a part.
    """
    counters = em._counters
    if key in counters:
        return False
    counters[key] = 0
    return True


@cache
def _other(name: str) -> Pattern:
    """Another pattern, by name: looked up at run time, as pop_ld/patterns.py imports this module."""
    from pop_ld.patterns import PATTERNS

    return PATTERNS[name]


# -- keeper --------------------------------------------------------------------------------

# "MO121" (letter O) is M0121; "M1037-38" is M1037; "M05019" (five digits) is no REF at all.
_MUSEO_REF = re.compile(r"^\s*M\s?([0-9O]{4})(?![0-9])", re.IGNORECASE)


def museo_ref(value: str) -> str | None:
    """The Muséofile REF a MUSEO value starts with, or None.

    >>> museo_ref("M1037-38"), museo_ref("MO121"), museo_ref("M0748 phot © Angers"), museo_ref("M05019")
    ('M1037', 'M0121', 'M0748', None)
    """
    match = _MUSEO_REF.match(value)
    if not match:
        return None
    return "M" + match.group(1).upper().replace("O", "0")


def _museum_name(value: str, how: str | bool) -> str:
    """The name that keys a museum as an actor: ``musée du Louvre Paris``.

    ``how = "city ; museum"`` reads POP's ``Paris ; musée du Louvre ; département des…`` (MNR's
    LOCA); Muséofile's notice gives the same key from NOMOFF and VILLE_M (``same_as``'s
    ``key_with``), so the two meet on one actor whichever is loaded first. A city is part of
    the key because names repeat: Muséofile has 18 museums called « musée des beaux-arts ».
    """
    if how == "city ; museum":
        parts = [p.strip() for p in value.split(";")]
        museum = parts[1].split(",")[0].strip() if len(parts) >= 2 else ""
        if parts[0] and museum:  # "musée du Louvre, département des Peintures": the museum
            return f"{museum} {parts[0]}"
    return value


def keeper(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """The museum keeping the work: P50 (pop:musee) → ``/id/museo/{REF}``, whichever loads first.

    A value that is not exactly a REF is also kept as written; one with no REF links to the
    actor its name gives (``by_name``), or stays a statement, counted as unparsed.
    """
    prop = spec.prop or MUSEE
    by_name = spec.opt("by_name", False)
    for value in values:
        ref = museo_ref(value)
        if ref is not None:
            em.add(em.T, prop, iri(uris.thing("museo", ref)))
            if ref != value:
                em.statement(em.T, spec.code, value, "musee-tel-que-saisi")
        elif by_name:
            em.add(em.T, prop, em.person(_museum_name(value, by_name)))
            em.statement(em.T, spec.code, value, "musee-tel-que-saisi")
        else:
            em.statement(em.T, spec.code, value, "musee-tel-que-saisi")
            em.unparsed(spec.code, value)
    return len(values)


# -- where the thing is ---------------------------------------------------------------------


@cache
def _location_codes(base: str) -> frozenset[str]:
    """Every field whose pattern builds the thing's location, and the fields those read."""
    from pop_ld.mapping import load_mapping

    codes: set[str] = set()
    for code, spec in load_mapping(base).fields.items():
        if spec.pattern.startswith("location."):
            codes.add(code)
            codes.update(spec.uses)
    return frozenset(codes)


def located_via(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """On REF: the thing reaches its location by ``property``, not crm:P55 (see module doc).

    Claims the location node before any location pattern runs, and writes it only when the
    notice has a field that will fill it.
    """
    loc = em.node("location")
    em._location = loc
    fields = em.notice.fields
    if any(code in fields for code in _location_codes(em.base)):
        em.add(em.T, spec.prop, loc)
        em.add(loc, RDF_TYPE, E53)
        em.add(loc, RDF_TYPE, LOCALISATION)
    return len(values)


def location_city(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A city (VILLE_M) with its postal code, département and région, as far as they are known.

    The commune link is made only for one unambiguous match (pop_ld/communes.py); otherwise
    the city is a typed name on the location. That is the designed reading of a city name,
    not a parse failure, so it is not counted as unparsed. A département or région the
    commune already implies is not written again; one that says something else is kept.
    """
    opts = spec.options
    postal_code, dpt_code, reg_code = (
        opts.get("postal"),
        opts.get("departement"),
        opts.get("region"),
    )
    postals = em.values(postal_code) if postal_code else []
    dpts = em.values(dpt_code) if dpt_code else []
    regions = em.values(reg_code) if reg_code else []
    loc = em.location()
    dpt = next(filter(None, map(communes.departement, dpts)), None)
    if dpt is None and postals:
        dpt = communes.departement_of_postal_code(postals[0])
    known_dpt = None
    for value in values:
        insee = communes.find(value, dpt.code if dpt else None, postals[0] if postals else None)
        if insee is None:  # ambiguous, or a usage name ("Saint-Denis de La Réunion")
            em.appellation(loc, spec.code, value, "commune")
            continue
        em.add(loc, P89, em.commune(insee, value))
        known_dpt = places.departement_of_insee(insee)
    for value in postals:
        em.appellation(loc, postal_code, value, "code-postal")
    em.reached(postal_code, len(postals))
    for value in dpts:
        found = communes.departement(value)
        if found is None:
            em.appellation(loc, dpt_code, value, "departement-saisi")
        elif known_dpt is None or found.code != known_dpt.code:
            em.add(loc, P89, em.admin_place(found))
    em.reached(dpt_code, len(dpts))
    implied = places.parent(known_dpt or dpt) if (known_dpt or dpt) else None
    for value in regions:
        if implied is None or places.fold(value) != places.fold(implied.label):
            em.appellation(loc, reg_code, value, "region-saisie")
    em.reached(reg_code, len(regions))
    return len(values)


# -- carriers and creation of visual items --------------------------------------------------


def carrier_node(em: Emit, name: str, spec: FieldSpec) -> str:
    """``{thing}#{name}``: the E22 carrying the visual item, written once per notice."""
    node = em.node(name)
    if _once(em, "@carrier-" + name):
        em.add(node, RDF_TYPE, E22)
        for cls in spec.opt("classes", ()):
            em.add(node, RDF_TYPE, f"<{uris.expand(cls)}>")
        em.add(node, P65, em.T)
        kind = spec.opt("carrier_type")
        if kind:
            em.add(node, P2, em.type(kind))
    return node


def carrier(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Runs the pattern named ``as`` with the carrier in place of the thing.

    ``carrier = "support"`` with ``as = "classified_as"`` types the negative, not the image.
    """
    node = carrier_node(em, spec.opt("carrier"), spec)
    thing = em.T
    em.T = node
    try:
        return _other(spec.opt("as"))(em, spec, values)
    finally:
        em.T = thing


def _creation(em: Emit) -> str:
    node = em.node("creation")
    if _once(em, "@creation"):
        em.add(em.T, P94I, node)
        em.add(node, RDF_TYPE, E65)
    return node


def created_by_timespan(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """When a visual item was made (DATPV, DATE): the creation's time-span, named by the text.

    Several dates make dated parts of the creation, as productions do.
    """
    if not values:
        return 0
    creation = _creation(em)
    if len(values) == 1 and _once(em, "@creation-timespan"):
        span = em.node("creation-timespan")
        em.add(creation, P4, span)
        em.timespan(span, values[0], spec.code)
        return 1
    for value in values:
        part = em.next_node(f"creation-{spec.code.lower()}")
        span = f"{part[:-1]}-timespan>"
        em.add(creation, P9, part)
        em.add(part, RDF_TYPE, E65)
        em.add(part, P4, span)
        em.timespan(span, value, spec.code)
    return len(values)


_ROLE = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)\s*$")
#: Words that name no one: an unknown author is an attribution statement, not a person.
UNKNOWN_AUTHOR = re.compile(r"\b(inconnu|anonyme|non identifié)\b", re.IGNORECASE)


def created_by_carried_out_by(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Who made a visual item (AUTP, ATTRIB) ``Nom, Prénom (rôle)``: parts of its creation."""
    creation = None
    for value in values:
        if UNKNOWN_AUTHOR.search(value):
            em.statement(em.T, spec.code, value, "attribution")
            continue
        creation = creation or _creation(em)
        match = _ROLE.match(value)
        person, role = (match["name"], match["role"]) if match and match["name"] else (value, None)
        role = role or spec.opt("role")
        part = em.next_node("creation-author")
        em.add(creation, P9, part)
        em.add(part, RDF_TYPE, E65)
        em.add(part, P14, em.person(person))
        if role:
            em.add(part, P2, em.concept(spec.opt("roles", "roles"), role.strip()))
    return len(values)


def link_external(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Like ``link``, for fields that also hold REFs of registers outside POP.

    Muséofile's REFMER mixes Mérimée REFs with SPR4400041-style references of sites
    patrimoniaux remarquables: those are identifiers of another register (``external``:
    prefix → type), kept as E42, not failed links. Anything else unclaimed is a statement.
    """
    external: dict[str, str] = spec.opt("external", {})
    for value in values:
        ref = uris.normalise_ref(value)
        base = uris.base_of_ref(ref)
        if base is not None:
            em.add(em.T, spec.prop, iri(uris.thing(base, ref)))
            continue
        kind = next((k for prefix, k in external.items() if ref.upper().startswith(prefix)), None)
        if kind is None:
            em.statement(em.T, spec.code, value, "reference-non-resolue")
            em.unparsed(spec.code, value)
            continue
        node = em.next_node(f"id-{spec.code.lower()}")
        em.add(em.T, P1, node)
        em.add(node, RDF_TYPE, _crm("E42_Identifier"))
        em.add(node, P190, literal(ref))
        em.add(node, P2, em.type(kind))
    return len(values)


_BARE_SITE = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$")


def homepage(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """A website (URL_M): foaf:homepage, ``https://`` added to the bare ``musee.fr/…`` POP stores."""
    prop = spec.prop or f"<{uris.FOAF}homepage>"
    # "en cours de réalisation": no site yet, which is an answer, not an unreadable value
    no_site = {places.fold(text) for text in spec.opt("none", ())}
    for value in values:
        urls = [_site(token) for token in value.split()]
        urls = [url for url in urls if url]
        for url in urls:
            em.add(em.T, prop, iri(url))
        if not urls:
            em.statement(em.T, spec.code, value, "texte")
            if places.fold(value) not in no_site:
                em.unparsed(spec.code, value)
    return len(values)


def _site(token: str) -> str | None:
    """``https://…`` from a token of a website field, or None: ``/musee-magnin.fr/`` works too."""
    if token.startswith(("http://", "https://")):
        return token
    token = token.lstrip("/")
    return "https://" + token if "@" not in token and _BARE_SITE.match(token) else None


PATTERNS_BASES: dict[str, Pattern] = {
    "keeper": keeper,
    "link.external": link_external,
    "homepage": homepage,
    "located_via": located_via,
    "location.city": location_city,
    "carrier": carrier,
    "created_by.timespan": created_by_timespan,
    "created_by.carried_out_by": created_by_carried_out_by,
}

REQUIRED_OPTIONS_BASES: dict[str, tuple[str, ...]] = {
    "link.external": ("property",),
    "located_via": ("property",),
    "carrier": ("carrier", "as"),
}
