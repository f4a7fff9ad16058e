"""N-Quads terms as strings: the engine writes text, not rdflib objects, to keep its speed.

Building an rdflib Graph per notice runs at a few hundred notices a second; formatting
N-Quads lines directly runs at tens of thousands, which the bulk loader reads as it comes.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring

from pop_ld.uris import RDF, XSD

# Characters N-Quads forbids inside an IRI (controls, space, <>"{}|^`\): percent-encoded.
_IRI_ESCAPES = str.maketrans(
    {c: f"%{ord(c):02X}" for c in [chr(i) for i in range(33)] + list('<>"{}|^`\\')}
)

RDF_TYPE = f"<{RDF}type>"


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """``<value>``, with characters N-Quads forbids in an IRI percent-encoded."""
    if _IRI_FORBIDDEN.search(value) is None:  # the usual IRI: one C scan, no translation
        return f"<{value}>"
    return f"<{value.translate(_IRI_ESCAPES)}>"


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal term: plain, language-tagged or typed.

    >>> literal('Menhir dit "la Pierre"', lang="fr")
    '"Menhir dit \\\\"la Pierre\\\\""@fr'
    """
    # json's C encoder quotes and escapes in one call; its escapes (\\", \\\\, \\n, \\uXXXX
    # for control characters) are all valid N-Triples escapes, and it keeps non-ASCII as is.
    text = encode_basestring(value)
    if lang:
        return f"{text}@{lang}"
    if datatype:
        return f"{text}^^<{datatype}>"
    return text


def date_time(value: str) -> str:
    return literal(value, datatype=XSD + "dateTime")


def date(value: str) -> str:
    return literal(value, datatype=XSD + "date")


def integer(value: int) -> str:
    return literal(str(value), datatype=XSD + "integer")


def decimal(value: float) -> str:
    return literal(repr(float(value)), datatype=XSD + "decimal")


def quad(s: str, p: str, o: str, g: str) -> str:
    """One N-Quads line (terms already formatted), newline included."""
    return f"{s} {p} {o} {g} .\n"
