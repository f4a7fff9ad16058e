"""The fields of the advanced search ("recherche avancée"): what each means and its POP label.

A field is a facet (its values' labels), the title, the REF, all the text, a date (made,
protected) or a place. Its operators depend on its kind; each operator compiles both to the
side index (pop_ld/searchindex.py) and to SPARQL (pop_ld/search_sparql.py), with one meaning,
written in ``OPERATORS``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Operator → its label on the page and what it means.
OPERATORS: dict[str, tuple[str, str]] = {
    "is": ("est", "the value, accents and case aside, is exactly this"),
    "is_not": ("n'est pas", "no value is exactly this (or there is none)"),
    "contains": ("contient", "every word of this is a word of the value (plurals folded)"),
    "starts": ("commence par", "the value begins with this, accents and case aside"),
    "exists": ("existe", "the notice has a value"),
    "missing": ("n'existe pas", "the notice has no value"),
    "before": ("avant", "a date range begins in or before this year"),
    "after": ("après", "a date range ends in or after this year"),
    "within": ("se trouve dans", "the place or one of the places it falls within is this one"),
    "not_within": ("ne se trouve pas dans", "none of its places is this one"),
}

#: Field kind → its operators, in the order the page lists them.
KIND_OPERATORS: dict[str, tuple[str, ...]] = {
    "facet": ("is", "is_not", "contains", "starts", "exists", "missing"),
    "title": ("contains", "is", "is_not", "starts"),
    "ref": ("is", "starts"),
    "text": ("contains", "is_not"),
    "date": ("before", "after", "exists", "missing"),
    "place": ("within", "not_within"),
}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str
    #: the generic label; ``labels`` gives POP's own per base
    label: str
    facet: str | None = None
    #: for dates: the kind of span ("creation", "protection")
    span: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def label_for(self, base: str | None) -> str:
        """POP's label of the field in that base's notices (the generic one otherwise)."""
        return dict(self.labels).get(base or "", self.label)

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators the form offers for this field."""
        return KIND_OPERATORS[self.kind]

    def bases(self) -> tuple[str, ...]:
        """The bases whose form lists the field (all when it has no per-base label)."""
        return tuple(b for b, _ in self.labels)


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


FIELDS: dict[str, Field] = _fields(
    Field("text", "text", "Tous les champs"),
    Field("title", "title", "Titre", labels=(
        ("merimee", "Titre courant (TICO)"), ("palissy", "Titre courant (TICO)"),
        ("joconde", "Titre (TITR)"), ("memoire", "Titre (TICO)"), ("mnr", "Titre (TITR)"),
        ("museo", "Nom du musée (NOMOFF)"), ("autor", "Nom (NOM)"), ("enluminures", "Titre (TITR)"),
    )),
    Field("ref", "ref", "Référence (REF)"),
    Field("type", "facet", "Dénomination", facet="type", labels=(
        ("merimee", "Dénomination de l'édifice (DENO)"), ("palissy", "Dénomination de l'objet (DENO)"),
        ("joconde", "Dénomination (DENO)"), ("mnr", "Dénomination (DENO)"),
    )),
    Field("domain", "facet", "Domaine", facet="domain", labels=(
        ("palissy", "Domaine (DOMN)"), ("joconde", "Domaine (DOMN)"), ("memoire", "Domaine (DOM)"),
        ("mnr", "Domaine (DOMN)"), ("museo", "Domaine thématique (DOMPAL)"),
        ("enluminures", "Domaine (DOMN)"),
    )),
    Field("author", "facet", "Auteur", facet="author", labels=(
        ("merimee", "Auteur de l'édifice (AUTR)"), ("palissy", "Auteur de l'œuvre (AUTR)"),
        ("joconde", "Auteur (AUTR)"), ("memoire", "Auteur de la photographie (AUTP)"),
        ("mnr", "Auteur (AUTR)"), ("enluminures", "Auteur (AUTR)"),
    )),
    Field("period", "facet", "Période", facet="period", labels=(
        ("merimee", "Siècle de la campagne principale (SCLE)"), ("palissy", "Siècle de création (SCLE)"),
        ("joconde", "Période de création (PERI)"), ("mnr", "Siècle (SCLE)"),
    )),
    Field("date", "date", "Date de création", span="creation", labels=(
        ("merimee", "Date de construction (DATE)"), ("palissy", "Date de création (DATE)"),
        ("joconde", "Millésime de création (MILL)"), ("memoire", "Date de prise de vue (DATPV)"),
        ("mnr", "Date de création"), ("autor", "Dates de naissance et de mort"),
        ("enluminures", "Date (DATE)"),
    )),
    Field("technique", "facet", "Matériaux et techniques", facet="technique", labels=(
        ("merimee", "Matériaux du gros-œuvre (MURS)"), ("palissy", "Matériaux et techniques (MATR)"),
        ("joconde", "Matériaux et techniques (TECH)"), ("mnr", "Technique (TECH)"),
    )),
    Field("place", "place", "Localisation", labels=(
        ("merimee", "Localisation (LOCA)"), ("palissy", "Localisation (LOCA)"),
        ("memoire", "Localisation (LOCA)"), ("museo", "Localisation (LOCA)"),
    )),
    Field("protection", "facet", "Protection", facet="protection", labels=(
        ("merimee", "Typologie de la protection (PROT)"), ("palissy", "Typologie de la protection (PROT)"),
    )),
    Field("protection_date", "date", "Date de protection (DPRO)", span="protection", labels=(
        ("merimee", "Date de protection (DPRO)"), ("palissy", "Date de protection (DPRO)"),
    )),
    Field("producer", "facet", "Producteur", facet="producer", labels=(
        ("merimee", "Producteur (PRODUCTEUR)"), ("palissy", "Producteur (PRODUCTEUR)"),
        ("memoire", "Producteur (PRODUCTEUR)"),
    )),
    Field("missing", "facet", "Manquant ou volé", facet="missing", labels=(
        ("palissy", "Objet manquant ou volé (MANQUANT)"),
    )),
)  # fmt: skip

#: The place facets, from the widest; a place row's value names one: ``departement/75``.
PLACE_FACETS = ("region", "departement", "commune")


def fields_for(base: str | None) -> list[Field]:
    """The fields the advanced form offers for a base (every field when no base is chosen)."""
    return [f for f in FIELDS.values() if not base or not f.labels or base in f.bases()]


def place_value(value: str) -> tuple[str, str] | None:
    """A place row's value as (facet, key): ``departement/75`` (or its IRI) → ("departement", "75").

    >>> place_value("http://127.0.0.1:5000/id/place/region/53"), place_value("Paris")
    (('region', '53'), None)
    """
    parts = value.strip().rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] in PLACE_FACETS and parts[-1]:
        return parts[-2], parts[-1]
    return None
