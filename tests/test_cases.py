"""Mapping cases: one folder per case, ``notice.json`` in, ``expected.nq`` out.

A case is ``tests/cases/{base}/{name}/``; the test maps the notice with a fresh engine and
compares quad sets, printing what is only in expected and only in actual. After a
deliberate change, ``POP_LD_UPDATE_CASES=1 pytest tests/test_cases.py`` rewrites the
expected files, to be read in the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from pop_ld.mapping import Engine
from pop_ld.records import Notice

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p.parent for p in CASES.glob("*/*/notice.json"))


def quads_of(text: str) -> set[str]:
    return {str(q) for q in parse(text, format=RdfFormat.N_QUADS)}


def map_case(case: Path) -> str:
    data = json.loads((case / "notice.json").read_text(encoding="utf-8"))
    base = case.parent.name
    notice = Notice(
        base=base, ref=data["REF"], fields=data, source=str(case / "notice.json"), line=1
    )
    engine = Engine(include_private=(case / "include_private").exists())
    out = engine.map_notice(notice)
    assert engine.errors == []
    return out


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{c.parent.name}/{c.name}" for c in CASE_DIRS])
def test_case(case: Path) -> None:
    actual_text = map_case(case)
    expected_path = case / "expected.nq"
    if os.environ.get("POP_LD_UPDATE_CASES"):
        expected_path.write_text(
            "".join(sorted(actual_text.splitlines(keepends=True))), encoding="utf-8"
        )
    assert expected_path.exists(), (
        f"{expected_path} missing: write it (POP_LD_UPDATE_CASES=1) and review it"
    )
    expected = quads_of(expected_path.read_text(encoding="utf-8"))
    actual = quads_of(actual_text)
    only_expected = sorted(expected - actual)
    only_actual = sorted(actual - expected)
    assert not only_expected and not only_actual, (
        "only in expected:\n  "
        + "\n  ".join(only_expected)
        + "\nonly in actual:\n  "
        + "\n  ".join(only_actual)
    )
