"""Patterns for actors (Autor) and provenance (MNR), same signature as patterns.py.

- ``life_event``: birth (E67), death (E69), professional activity (E7) of an Autor actor;
  founding (E66) and closing (E68) of a museum.
- ``actor_kind``: Autor's TYPID makes the actor an E21 person or an E74 group.
- ``same_as``: the actor a notice is about and the actor its name gives in other bases' AUTR,
  AUTP… (``/id/person/{slug}``) are one: owl:sameAs, so loading order never matters.
- ``related_actor.role``: actors named ``Nom, Prénom (rôle)`` beside the thing, role taken off.
- ``provenance``: MNR's provenance texts as Linked Art provenance events (E8 Acquisition,
  E10 Transfer of Custody), each kept whole and dated when the text gives a date.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from pop_ld import places, uris
from pop_ld.dates import parse_period
from pop_ld.nquads import RDF_TYPE, date_time, literal
from pop_ld.patterns_bases import (
    _ROLE,
    E7,
    E52,
    E53,
    LABEL,
    P2,
    P4,
    P7,
    P14I,
    P22,
    P29,
    P82A,
    P82B,
    SAME_AS,
    UNKNOWN_AUTHOR,
    Pattern,
    _crm,
)

if TYPE_CHECKING:
    from pop_ld.mapping import FieldSpec
    from pop_ld.patterns import Emit


# -- actors (Autor) -------------------------------------------------------------------------

#: event → (class, property from the actor, part name)
LIFE_EVENTS = {
    "birth": (_crm("E67_Birth"), _crm("P98i_was_born"), "birth"),
    "death": (_crm("E69_Death"), _crm("P100i_died_in"), "death"),
    "activity": (E7, P14I, "activity"),
    "formation": (_crm("E66_Formation"), _crm("P95i_was_formed_by"), "formation"),
    "dissolution": (_crm("E68_Dissolution"), _crm("P99i_was_dissolved_by"), "dissolution"),
}


def life_event(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Birth, death or professional activity: the event, its time-span, and where it took place.

    Linked Art's ``born`` / ``died`` / ``carried_out`` on a person; the place stays the name the
    notice gives (an E53 labelled with it), never guessed into a commune.
    """
    cls, prop, name = LIFE_EVENTS[spec.opt("event")]
    place_code = spec.opt("place")
    place_values = em.values(place_code) if place_code else []
    if not values and not place_values:
        return 0
    if name == "activity":
        nodes = [em.next_node(f"activity-{spec.code.lower()}") for _ in values or [""]]
    else:
        nodes = [em.node(name)]
    for node in nodes:
        em.add(em.T, prop, node)
        em.add(node, RDF_TYPE, cls)
        if name == "activity":
            em.add(node, P2, em.type("activite-professionnelle"))
    for i, value in enumerate(values):
        node = nodes[min(i, len(nodes) - 1)]
        if not _DIGIT.search(value) and parse_period(value) is None:
            # "François-Honoré Jourdain" in a founding year: not a date at all, kept as written
            em.statement(node, spec.code, value, "texte")
            continue
        span = (
            f"{node[:-1]}-timespan>"
            if len(values) == 1 or name == "activity"
            else (f"{node[:-1]}-timespan-{i + 1}>")
        )
        em.add(node, P4, span)
        em.timespan(span, value, spec.code)
    for i, value in enumerate(place_values):
        place = f"{nodes[0][:-1]}-place-{i + 1}>"
        for node in nodes:
            em.add(node, P7, place)
        em.add(place, RDF_TYPE, E53)
        em.add(place, LABEL, literal(value, lang="fr"))
    if place_code:
        em.reached(place_code, len(place_values))
    return len(values)


_DIGIT = re.compile(r"\d")


def actor_kind(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """TYPID (personne physique / morale): the actor's classes, from the table's ``kinds``."""
    kinds: dict[str, list[str]] = spec.opt("kinds", {})
    by_key = {places.fold(k): v for k, v in kinds.items()}
    for value in values:
        classes = by_key.get(places.fold(value))
        if classes is None:
            em.statement(em.T, spec.code, value, "texte")
            em.unparsed(spec.code, value)
            continue
        for cls in classes:
            em.add(em.T, RDF_TYPE, f"<{uris.expand(cls)}>")
    return len(values)


def same_as(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """The name as an appellation, and owl:sameAs the actor that name gives in other bases.

    ``uses`` adds the given name: NOM ``Neurdein`` with PREN ``Louis`` is the actor of
    ``Neurdein, Louis`` (Mémoire) and ``Neurdein Louis`` (Mérimée), one slug for both.
    ``key_with`` qualifies only the key, not the name: a museum is ``{NOMOFF} {VILLE_M}``.
    Two namesakes in Autor meet on one name actor: the honest reading of a name (docs/uris.md).
    """
    given = [v for code in spec.uses for v in em.values(code)]
    for code in spec.uses:
        em.reached(code, len(em.values(code)))
    count = len(values)
    if not values and given:  # a given name alone is still the name the notice gives
        values, given = [" ".join(given)], []
    key_with = [v for code in spec.opt("key_with", ()) for v in em.values(code)]
    for value in values:
        full = " ".join([value, *given]) if given else value
        em.appellation(em.T, spec.code, full, spec.opt("type", "nom"))
        em.add(em.T, SAME_AS, em.person(" ".join([full, *key_with])))
        if spec.opt("primary") and em.label is None:
            em.label = full
            em.add(em.T, LABEL, literal(full, lang="fr"))
    return count


def related_actor_role(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Actors named ``Nom, Prénom (rôle)`` beside the thing (AUTOEU, MCPER): the actor, not the string.

    The role comes off the name, so ``Lenôtre, André (dessinateur de jardin)`` is the same
    actor as Mérimée's ``Lenôtre André``; the value with its role stays a statement.
    """
    for value in values:
        if UNKNOWN_AUTHOR.search(value):
            em.statement(em.T, spec.code, value, "attribution")
            continue
        match = _ROLE.match(value)
        person = match["name"] if match and match["name"] else value
        em.add(em.T, spec.prop, em.person(person))
        if person != value:
            em.statement(em.T, spec.code, value, spec.opt("type", "attribution"))
    return len(values)


# -- provenance (MNR) ----------------------------------------------------------------------

PROVENANCE_EVENTS = {
    "acquisition": (_crm("E8_Acquisition"), "acquisition"),
    "custody": (_crm("E10_Transfer_of_Custody"), "transfert-garde"),
}
P24I = _crm("P24i_changed_ownership_through")
P30I = _crm("P30i_custody_transferred_through")
_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
_DATE_IN_TEXT = re.compile(
    rf"\b(\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}}|\d{{4}}/\d{{2}}/\d{{2}}|\d{{2}}/\d{{2}}/\d{{4}}|1[5-9]\d\d|20\d\d)\b",
    re.IGNORECASE,
)
_MONTH_NUMBERS = {
    m: i
    for i, names in enumerate(
        [
            ("janvier",),
            ("février", "fevrier"),
            ("mars",),
            ("avril",),
            ("mai",),
            ("juin",),
            ("juillet",),
            ("août", "aout"),
            ("septembre",),
            ("octobre",),
            ("novembre",),
            ("décembre", "decembre"),
        ],
        start=1,
    )
    for m in names
}


@lru_cache(maxsize=65536)  # provenance phrases repeat ("date d'acquisition inconnue")
def date_in_text(text: str) -> tuple[str, str, str] | None:
    """The first date a provenance text gives: (as written, begin, end), or None.

    >>> date_in_text("par arrêté du 16 mai 1951, déposée")
    ('16 mai 1951', '1951-05-16T00:00:00', '1951-05-16T23:59:59')
    >>> date_in_text("Provenance antérieure à 1940 inconnue. Achetée en 1943.")[0]
    '1943'
    """
    for match in _DATE_IN_TEXT.finditer(text):
        # "antérieure à 1940", "avant 1940": a bound of what is unknown, not the event's date
        if not _BEFORE.search(text[max(0, match.start() - 16) : match.start()]):
            return _date_of(match.group(1))
    return None


_BEFORE = re.compile(r"(avant|ant[ée]rieure?s? à)\s*$", re.IGNORECASE)


def _date_of(found: str) -> tuple[str, str, str] | None:
    words = found.lower().replace("1er", "1").split()
    if len(words) == 3 and words[1] in _MONTH_NUMBERS:
        day = f"{int(words[2]):04d}-{_MONTH_NUMBERS[words[1]]:02d}-{int(words[0]):02d}"
        return found, f"{day}T00:00:00", f"{day}T23:59:59"
    period = parse_period(found)
    return (found, period.begin, period.end) if period else None


def provenance(em: Emit, spec: FieldSpec, values: list[str]) -> int:
    """Each text an E8 Acquisition or E10 Transfer of Custody, dated by the first date it gives.

    The text stays whole as the event's provenance statement: the events are where a query
    starts, the words are what a researcher reads. In a date field (one whose entry lists
    its known ``undated`` phrases, like DACQ's « date d'acquisition inconnue ») a value with
    no date counts as unparsed; in prose (PROV, HIST) an undated event is just undated.
    """
    cls, type_key = PROVENANCE_EVENTS[spec.opt("event")]
    recipient = spec.opt("recipient")
    # phrases that say there is no date ("date d'acquisition inconnue"): statements, not failures
    undated = _folded(tuple(spec.opt("undated", ())))
    prefix = f"provenance-{spec.code.lower()}"
    changed = P24I if type_key == "acquisition" else P30I
    for value in values:
        node = em.next_node(prefix)
        em.add(em.T, changed, node)
        em.add(node, RDF_TYPE, cls)
        em.add(node, P2, em.type(type_key))
        em.statement(node, spec.code, value, "provenance")
        if recipient:
            em.add(node, P22 if type_key == "acquisition" else P29, em.person(recipient))
        period = parse_period(value)  # a value that is only a date: "1997/03/12", "avant 1861"
        found = (value, period.begin, period.end) if period else date_in_text(value)
        if found is None and "undated" in spec.options and places.fold(value) not in undated:
            em.unparsed(spec.code, value)
        if found is not None:
            text, begin, end = found
            span = f"{node[:-1]}-timespan>"
            em.add(node, P4, span)
            em.add(span, RDF_TYPE, E52)
            em.add(span, LABEL, literal(text, lang="fr"))
            em.add(span, P82A, date_time(begin))
            em.add(span, P82B, date_time(end))
    return len(values)


@lru_cache(maxsize=256)
def _folded(texts: tuple[str, ...]) -> frozenset[str]:
    """A table's phrases, folded as places.fold compares them (once per table entry)."""
    return frozenset(places.fold(text) for text in texts)


PATTERNS_ACTORS: dict[str, Pattern] = {
    "life_event": life_event,
    "actor_kind": actor_kind,
    "same_as": same_as,
    "related_actor.role": related_actor_role,
    "provenance": provenance,
}

REQUIRED_OPTIONS_ACTORS: dict[str, tuple[str, ...]] = {
    "life_event": ("event",),
    "actor_kind": ("kinds",),
    "related_actor.role": ("property",),
    "provenance": ("event",),
}
