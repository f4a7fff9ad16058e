"""A notice's thing as schema.org JSON-LD: what search engines and general-purpose harvesters read.

One flat object per thing (schema.org has no place for CRM's events), built from the notice
document: name, description, dates, creators, images, geometry, where it is and which
building holds it. The same object is embedded in the notice page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from pop_ld import uris
from pop_ld.graphfields import Doc
from pop_ld.wkt import wkt_to_geojson

PROFILE = "https://schema.org/"
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

#: base → schema.org type of its things.
TYPES = {
    "merimee": "LandmarksOrHistoricalBuildings",
    "palissy": "CreativeWork",
    "joconde": "VisualArtwork",
    "memoire": "Photograph",
    "mnr": "VisualArtwork",
    "museo": "Museum",
    "autor": "Person",
    "enluminures": "CreativeWork",
}

CRM = uris.CRM
TYPE_PREFIX = "/id/concept/types/"


def schema_type(base: str) -> str:
    return TYPES.get(base, "CreativeWork")


def schema_org(
    triples: Iterable[ox.Triple] | Doc, base: str, thing: str, notice: str
) -> dict[str, Any]:
    """The thing of a notice document as one schema.org object."""
    doc = triples if isinstance(triples, Doc) else Doc(triples)
    return _build(doc, base, thing, notice)


def _statements(doc: Doc, thing: str, type_key: str) -> list[str]:
    """The text of the thing's statements of one type (description, historique…)."""
    found = []
    for s in doc.iris(thing, CRM + "P67i_is_referred_to_by"):
        if any(t.endswith(TYPE_PREFIX + type_key) for t in doc.iris(s, CRM + "P2_has_type")):
            text = doc.literal(s, CRM + "P190_has_symbolic_content")
            if text:
                found.append(text)
    return found


def _names(doc: Doc, node: str, type_key: str) -> list[str]:
    found = []
    for n in doc.iris(node, CRM + "P1_is_identified_by"):
        if any(t.endswith(TYPE_PREFIX + type_key) for t in doc.iris(n, CRM + "P2_has_type")):
            text = doc.literal(n, CRM + "P190_has_symbolic_content")
            if text:
                found.append(text)
    return found


def _place(doc: Doc, iri: str) -> dict[str, Any]:
    """A shared place with its chain of containing places."""
    node: dict[str, Any] = {"@type": "Place", "@id": iri}
    label = doc.label(iri)
    if label:
        node["name"] = label
    ups = doc.iris(iri, CRM + "P89_falls_within")
    if ups:
        node["containedInPlace"] = _place(doc, ups[0])
    return node


def _years(value: str | None) -> str | None:
    """The year of an xsd:dateTime bound: ``1150-01-01T00:00:00`` → ``1150``."""
    return value[: value.index("-", 1)] if value and "-" in value[1:] else value


def _build(doc: Doc, base: str, thing: str, notice: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": schema_type(base),
        "@id": thing,
        "url": notice,
        "mainEntityOfPage": notice,
        "name": doc.label(thing) or "",
        "identifier": doc.literal(notice, uris.POP + "ref") or "",
        "license": LICENCE,
    }
    other_names = _names(doc, thing, "appellation")
    if other_names:
        out["alternateName"] = other_names
    description = _statements(doc, thing, "description") or _statements(doc, thing, "historique")
    if description:
        out["description"] = description[0]
    keywords = [doc.label(c) for c in doc.iris(thing, CRM + "P2_has_type")]
    if any(keywords):
        out["keywords"] = ", ".join(k for k in keywords if k)
    materials = [doc.label(m) for m in doc.iris(thing, CRM + "P45_consists_of")]
    if any(materials):
        out["material"] = [m for m in materials if m]
    base_iri = doc.iris(notice, uris.POP + "base")
    if base_iri:
        out["isPartOf"] = {"@type": "Dataset", "@id": base_iri[0], "name": doc.label(base_iri[0])}
    modified = doc.literal(notice, uris.DCT + "modified")
    if modified:
        out["dateModified"] = modified
    _production(doc, thing, out)
    _location(doc, thing, out)
    images = doc.iris(thing, uris.FOAF + "depiction")
    if images:
        out["image"] = images
    return out


def _production(doc: Doc, thing: str, out: dict[str, Any]) -> None:
    for production in doc.iris(thing, CRM + "P108i_was_produced_by"):
        creators = []
        for part in [production, *doc.iris(production, CRM + "P9_consists_of")]:
            for actor in doc.iris(part, CRM + "P14_carried_out_by"):
                creators.append({"@type": "Person", "@id": actor, "name": doc.label(actor) or ""})
        if creators:
            out["creator"] = creators
        for span in doc.iris(production, CRM + "P4_has_time-span"):
            begin = _years(doc.literal(span, CRM + "P82a_begin_of_the_begin"))
            end = _years(doc.literal(span, CRM + "P82b_end_of_the_end"))
            if begin and end:
                out["temporalCoverage"] = begin if begin == end else f"{begin}/{end}"
                if begin == end:
                    out["dateCreated"] = begin


def _location(doc: Doc, thing: str, out: dict[str, Any]) -> None:
    wholes = doc.iris(thing, uris.POP + "conserveDans")
    if wholes:
        out["containedInPlace"] = {
            "@type": "LandmarksOrHistoricalBuildings",
            "@id": wholes[0],
            "name": doc.label(wholes[0]) or "",
        }
    for location in doc.iris(thing, CRM + "P55_has_current_location"):
        places = doc.iris(location, CRM + "P89_falls_within")
        if places:
            place = _place(doc, places[0])
            out.setdefault("containedInPlace", place)
            address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "FR"}
            if place.get("name"):
                address["addressLocality"] = place["name"]
            street = _names(doc, location, "adresse")
            if street:
                address["streetAddress"] = street[0]
            out["address"] = address
        shapes: dict[str, dict[str, Any]] = {}
        for node in doc.iris(location, uris.GEO + "hasGeometry"):
            geometry = wkt_to_geojson(doc.literal(node, uris.GEO + "asWKT") or "")
            if geometry and geometry["type"] == "Point":
                lon, lat = geometry["coordinates"]
                shapes["point"] = {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}
            elif geometry and geometry["type"] == "Polygon":
                ring = " ".join(f"{lat} {lon}" for lon, lat in geometry["coordinates"][0])
                shapes["polygon"] = {"@type": "GeoShape", "polygon": ring}
        geo = shapes.get("point") or shapes.get("polygon")
        if geo:
            out["geo"] = geo
