"""Cities written without an INSEE code (Muséofile, Joconde) matched to communes, or not at all.

A museum's city is a name (``Conflans-Sainte-Honorine``), a postal code and a département
(``Yvelines`` or ``78``). The name is matched against the INSEE commune list
(mappings/communes.csv) within its département, and the match is kept only when exactly one
commune answers: two communes of the same name in one département, a name the list does not
know, or no département at all give no link, and the city stays a typed name on the location.
A wrong link would put a museum in the wrong place for every query; a missing one costs a facet.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import cache

from pop_ld import ROOT, places
from pop_ld.places import AdminPlace

_ARTICLE = re.compile(r"^(?P<name>.+?)\s*\((?P<article>l'|la|le|les)\)$", re.IGNORECASE)
_SAINT = re.compile(r"\b(st|ste)\b\.?", re.IGNORECASE)
_POSTAL = re.compile(r"^\s*(\d{5})\s*$")


def name_key(name: str) -> str:
    """A commune name compared without case, accents, punctuation or POP's index form.

    >>> name_key("Petite-Pierre (La)") == name_key("La Petite-Pierre")
    True
    >>> name_key("St-Étienne") == name_key("Saint-Etienne")
    True
    """
    match = _ARTICLE.match(name.strip())
    if match:
        name = f"{match['article']} {match['name']}"
    name = _SAINT.sub(lambda m: "saint" if m.group(1).lower() == "st" else "sainte", name)
    return _plain_key(name)


Candidates = list[tuple[str, str]]


@cache
def _table() -> dict[tuple[str, str], Candidates]:
    """(name key, département or ``*``) → [(INSEE code, postal codes)], current and former communes."""
    table: dict[tuple[str, str], Candidates] = defaultdict(list)
    with open(ROOT / "mappings" / "communes.csv", encoding="utf-8", newline="") as f:
        rows = csv.reader(line for line in f if not line.startswith("#"))
        next(rows)  # insee,name,departement,kind,postal_codes
        for insee, name, dpt, _kind, postal_codes in rows:
            key = _plain_key(name)
            table[(key, dpt)].append((insee, postal_codes))
            table[(key, "*")].append((insee, postal_codes))
    return dict(table)


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae"})


def _plain_key(name: str) -> str:
    # the INSEE list writes names in full, never "Saint" as "St" nor "(La)" at the end;
    # it writes "Wœrth" where museums write "Woerth"
    return places.fold(name.translate(_LIGATURES))


@cache
def _departements_by_name() -> dict[str, AdminPlace]:
    return {
        places.fold(place.label): place
        for (kind, _), place in places.table().items()
        if kind == "departement"
    }


def departement(text: str) -> AdminPlace | None:
    """A département from its code (``78``, ``2A``) or its name (``Yvelines``, ``Côtes-d'Armor``)."""
    return places.departement(text) or _departements_by_name().get(places.fold(text))


def departement_of_postal_code(postal: str) -> AdminPlace | None:
    """The département a postal code points to, when it points to one (not Corsica's ``20``)."""
    match = _POSTAL.match(postal)
    if not match:
        return None
    code = match.group(1)
    prefix = code[:3] if code.startswith("97") else code[:2]
    return None if prefix == "20" else places.departement(prefix)


def known(name: str) -> bool:
    """Whether any commune, current or former, bears this name (in any département)."""
    return (name_key(name), "*") in _table()


@cache
def find(name: str, dpt: str | None, postal: str | None = None) -> str | None:
    """The INSEE code of the one commune named ``name`` in ``dpt``, else None.

    Without a département (Joconde's 2020 export gives only the city), the name must be
    unique in all France. A postal code narrows namesakes down to one; it never picks alone.

    >>> find("Conflans-Sainte-Honorine", "78"), find("Montpellier", None), find("Saint-Denis", None)
    ('78172', '34172', None)
    """
    candidates = _table().get((name_key(name), dpt or "*"), [])
    codes = {code for code, _ in candidates}
    if len(codes) > 1 and postal:
        codes = {code for code, postals in candidates if postal.strip() in postals.split()}
    return codes.pop() if len(codes) == 1 else None
