"""Plain helpers about the demo data (data/sample/*.json); the fixtures are in fixtures_demo.py."""

from __future__ import annotations

import pyoxigraph as ox

from pop_ld import ROOT

SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE = sorted(SAMPLE_DIR.glob("*.json"))


def missing_bases(bases: tuple[str, ...]) -> list[str]:
    """What keeps these bases out of the demo store: their sample file or their mapping table."""
    missing = []
    for base in bases:
        for path in (SAMPLE_DIR / f"{base}.json", ROOT / "mappings" / f"{base}.toml"):
            if not path.exists():
                missing.append(str(path.relative_to(ROOT)))
    return missing


def select(store: ox.Store, sparql: str) -> list[dict[str, str | None]]:
    """Rows of a SELECT on the union graph, as plain strings (IRIs and lexical forms)."""
    result = store.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (None if r[n] is None else r[n].value) for n in names} for r in result]  # type: ignore[union-attr]
