"""pop-ld: POP's heritage notices as CIDOC-CRM linked data in Oxigraph."""

from pathlib import Path

__version__ = "0.1.0"

#: The project root: mappings/, ontology/, sparql/ and shapes/ are data read at run time.
ROOT = Path(__file__).resolve().parent.parent
