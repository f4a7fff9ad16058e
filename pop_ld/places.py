"""The French administrative places every base shares: région ⊃ département ⊃ commune.

One hierarchy for all bases (mappings/places.csv), so "everything in Finistère" is one
SPARQL pattern: ``?location crm:P89_falls_within+ <…/id/place/departement/29>``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from pop_ld import ROOT


@dataclass(frozen=True, slots=True)
class AdminPlace:
    kind: str  # "region", "departement", "pays"
    code: str
    label: str
    parent: str | None  # code of the parent (a région's parent is the country "FR")


COUNTRY = AdminPlace("pays", "FR", "France", None)

_DPT = re.compile(r"^\s*(\d{2,3}|2[AB])\s*$", re.IGNORECASE)


@cache
def table() -> dict[tuple[str, str], AdminPlace]:
    """Régions and départements keyed by (kind, code)."""
    places: dict[tuple[str, str], AdminPlace] = {("pays", "FR"): COUNTRY}
    with open(ROOT / "mappings" / "places.csv", encoding="utf-8", newline="") as f:
        rows = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(rows):
            place = AdminPlace(row["kind"], row["code"], row["label"], row["parent"] or None)
            places[(place.kind, place.code)] = place
    return places


@lru_cache(maxsize=4096)  # POP writes a few forms of ~100 codes
def departement(code: str) -> AdminPlace | None:
    """A département from its code as POP writes it (``29``, ``2A``, ``971``, ``01``)."""
    match = _DPT.match(code)
    if not match:
        return None
    return table().get(("departement", match.group(1).upper()))


@lru_cache(maxsize=65536)  # ~35,000 communes: every INSEE code parsed once
def departement_of_insee(insee: str) -> AdminPlace | None:
    """The département an INSEE commune code falls within (97x overseas, 2A/2B Corsica).

    >>> departement_of_insee("29019").label, departement_of_insee("97411").code
    ('Finistère', '974')
    """
    insee = insee.strip().upper()
    if len(insee) != 5:
        return None
    code = insee[:3] if insee.startswith("97") else insee[:2]
    return table().get(("departement", code))


@cache
def parent(place: AdminPlace) -> AdminPlace | None:
    if place.parent is None:
        return None
    kind = "pays" if place.kind == "region" else "region"
    return table().get((kind, place.parent))


@cache
def fold(text: str) -> str:
    """A name compared without case, accents or punctuation: "Ile-de-France" = "Île-de-France"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\W_]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


_INSEE = re.compile(r"(\d{5}|2[AB]\d{3})")


def is_insee(code: str) -> bool:
    """A commune code: five characters, digits or Corsica's 2A/2B."""
    return _INSEE.fullmatch(code.strip().upper()) is not None
