"""Shared fixtures: where the real POP corpus is, and skipping cleanly when it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SCHEMA = SHARED / "pop-schema"


def corpus_file(relative: str) -> Path:
    """A file of ../shared/corpus, or a clean skip saying it is absent."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"real POP corpus not found at {path} (../shared is absent)")
    return path


def schema_file(base: str) -> Path:
    path = SCHEMA / f"{base}.csv"
    if not path.exists():
        pytest.skip(f"POP schema not found at {path} (../shared is absent)")
    return path
