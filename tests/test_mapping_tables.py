"""The mapping tables answer to POP's published schema, field by field."""

from __future__ import annotations

import csv
import tomllib

import pytest
from conftest import ROOT, schema_file

from pop_ld.mapping import NOT_MAPPED, load_mapping
from pop_ld.patterns import PATTERNS, types_table

BASES = ["merimee", "palissy", "joconde", "memoire", "museo", "mnr", "autor", "enluminures"]


def schema_codes(base: str) -> list[str]:
    with open(schema_file(base), encoding="utf-8", newline="") as f:
        return [row["path"] for row in csv.DictReader(f)]


@pytest.mark.parametrize("base", BASES)
def test_every_schema_field_is_mapped_or_skipped_with_a_reason(base: str) -> None:
    mapping = load_mapping(base)
    missing = [code for code in schema_codes(base) if code not in mapping.fields]
    assert missing == []
    for spec in mapping.fields.values():
        if spec.pattern in NOT_MAPPED:
            reason = spec.opt("skip") or spec.opt("reason")
            assert isinstance(reason, str) and len(reason) > 10, spec.code


@pytest.mark.parametrize("base", BASES)
def test_table_follows_schema_order(base: str) -> None:
    codes = schema_codes(base)
    listed = [code for code in load_mapping(base).fields if code in codes]
    assert listed == codes


@pytest.mark.parametrize("base", BASES)
def test_every_pattern_and_type_exists(base: str) -> None:
    mapping = load_mapping(base)
    types = types_table()
    for spec in mapping.fields.values():
        assert spec.pattern in PATTERNS or spec.pattern in NOT_MAPPED
        if "type" in spec.options and spec.pattern != "produced_by.timespan":
            assert spec.options["type"] in types, (spec.code, spec.options["type"])


def test_types_have_both_labels() -> None:
    for key, entry in types_table().items():
        assert entry["fr"] and entry["en"], key
        if "aat" in entry:
            assert entry["aat"].isdigit() and entry["aat"].startswith("300"), key


def test_masked_fields_are_private() -> None:
    masked = {"ADRS2", "COM2", "EDIF2", "EMPL2", "INSEE2", "LBASE2"}
    palissy = load_mapping("palissy")
    assert {c for c, s in palissy.fields.items() if s.pattern == "private"} == masked
    assert load_mapping("merimee").fields["LBASE2"].pattern == "private"


def test_a_bad_table_fails_naming_file_and_field(tmp_path, monkeypatch) -> None:
    from pop_ld import mapping as mapping_module
    from pop_ld.errors import MappingError

    (tmp_path / "merimee.toml").write_text('[DENO]\npattern = "classified_as"\n', encoding="utf-8")
    monkeypatch.setattr(mapping_module, "MAPPINGS", tmp_path)
    mapping_module.load_mapping.cache_clear()
    try:
        with pytest.raises(MappingError) as info:
            mapping_module.load_mapping("merimee")
        assert info.value.field == "DENO"
        assert "thesaurus" in str(info.value)
        assert str(tmp_path / "merimee.toml") in str(info.value)
    finally:
        mapping_module.load_mapping.cache_clear()


def test_tables_are_valid_toml() -> None:
    for path in sorted((ROOT / "mappings").glob("*.toml")):
        with open(path, "rb") as f:
            assert tomllib.load(f), path
