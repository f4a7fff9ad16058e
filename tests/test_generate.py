"""The generator: same seed, same bytes; real REF shapes; the corpus's fill rates; REFA resolves."""

from __future__ import annotations

import csv
import io
import math
import re
import subprocess
import sys
from collections import Counter
from functools import cache

import pytest
from conftest import schema_file

from pop_ld import generate
from pop_ld.synth import century_span, lambert93, table

N = 2000
BASES = ["merimee", "palissy"]
REF_SHAPE = {
    "merimee": re.compile(r"^(PA|IA|EA)(\d\d|2A|2B)\d{6}$|^(PA|IA|EA)97\d\d{5}$"),
    "palissy": re.compile(r"^(PM|IM|EM)(\d\d|2A|2B)\d{6}$|^(PM|IM|EM)97\d\d{5}$"),
}
#: Kinds whose fill rate is the rate of notices that have the field (others may yield nothing).
ALWAYS_YIELD = {"vocab", "row", "centuries", "coordinates", "iso_date", "year", "person", "prose"}


@cache
def csv_text(base: str, n: int = N, seed: int = 0) -> str:
    out = io.StringIO()
    assert generate.write_csv(base, n, out, seed=seed) == n
    return out.getvalue()


@cache
def notices(base: str, n: int = N, seed: int = 0) -> list[dict[str, str]]:
    return list(generate.generate(base, n, seed=seed))


@pytest.mark.parametrize("base", BASES)
def test_same_seed_same_bytes_in_a_fresh_process(base, tmp_path):
    target = tmp_path / f"{base}.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pop_ld.cli",
            "generate",
            "--base",
            base,
            "-n",
            "700",
            "-o",
            str(target),
        ],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes() == csv_text(base, 700).encode("utf-8")


@pytest.mark.parametrize("base", BASES)
def test_notice_i_does_not_depend_on_n(base):
    whole = csv_text(base, N)
    assert whole.startswith(csv_text(base, 1111))
    assert whole.startswith(csv_text(base, 1))
    assert notices(base)[1500:1600] == list(generate.generate(base, 1600, start=1500))


def test_worker_processes_write_the_same_bytes(monkeypatch):
    alone, workers = io.StringIO(), io.StringIO()
    generate.write_csv("merimee", 20_000, alone)
    monkeypatch.setattr(generate, "PARALLEL_FROM", 0)
    generate.write_csv("merimee", 20_000, workers)
    assert workers.getvalue() == alone.getvalue()
    assert alone.getvalue().count("\r\n") == 20_001


@pytest.mark.parametrize("base", BASES)
def test_another_seed_other_notices(base):
    assert notices(base, 50, seed=1) != notices(base, 50, seed=0)
    assert {d["REF"] for d in notices(base, 50, seed=1)} != {d["REF"] for d in notices(base, 50)}


@pytest.mark.parametrize("base", BASES)
def test_refs_are_unique_and_shaped_like_pop(base):
    refs = [d["REF"] for d in notices(base)]
    assert len(set(refs)) == N
    assert [r for r in refs if not REF_SHAPE[base].match(r)] == []
    many = [generate.compiled(base, 0).ref(i) for i in range(300_000)]
    assert len(set(many)) == 300_000
    assert [r for r in many if not REF_SHAPE[base].match(r)] == []


def test_mh_refs_use_the_old_national_series():
    pa = [d["REF"] for d in notices("merimee") if d["REF"].startswith("PA")]
    national = sum(r.startswith("PA00") for r in pa) / len(pa)
    assert abs(national - 0.85) < 0.06  # 85 % in the legacy MH export


@pytest.mark.parametrize("base", BASES)
def test_fill_rates_follow_the_table(base):
    spec = table()[base]
    found = notices(base)
    by_prefix = {p: [d for d in found if d["REF"].startswith(p)] for p in spec["prefixes"]}
    assert sum(len(v) for v in by_prefix.values()) == N
    # (code, prefix) → the fill of the entry that draws it, when that entry always yields
    expected: dict[tuple[str, str], float | None] = {}
    for key, entry in spec["fields"].items():
        fill = entry.get("fill", 1.0)
        for prefix in spec["prefixes"]:
            rate = fill.get(prefix, 0.0) if isinstance(fill, dict) else fill
            if not rate:
                continue
            exact = entry["kind"] in ALWAYS_YIELD and "with" not in entry
            expected[(entry.get("code", key), prefix)] = rate if exact else None
    checked = 0
    for (code, prefix), rate in expected.items():
        group = by_prefix[prefix]
        if rate is None or len(group) < 50:
            continue
        measured = sum(code in d for d in group) / len(group)
        tolerance = 4 * math.sqrt(rate * (1 - rate) / len(group)) + 0.02
        assert abs(measured - rate) <= tolerance, (code, prefix, measured, rate)
        checked += 1
    assert checked >= 20


def test_merimee_rates_are_those_of_the_corpus():
    found = notices("merimee")
    pa = [d for d in found if d["REF"].startswith("PA")]

    def rate(code: str, group: list[dict[str, str]] = found) -> float:
        return sum(code in d for d in group) / len(group)

    assert abs(rate("SCLE") - 0.93) < 0.04
    assert abs(rate("AUTR") - 0.23) < 0.04
    assert abs(rate("DPRO", pa) - 0.99) < 0.02
    assert abs(rate("POP_COORDONNEES.lat") - 0.84) < 0.04
    assert abs(rate("HIST") - 0.41) < 0.04
    assert abs(len(pa) / N - 0.14) < 0.03


@pytest.mark.parametrize("base", BASES)
def test_every_column_is_a_pop_code_of_the_base(base):
    with open(schema_file(base), encoding="utf-8", newline="") as f:
        codes = {row["path"] for row in csv.DictReader(f)}
    header = csv_text(base).split("\r\n", 1)[0].split(";")
    assert header[0] == "REF"
    assert len(header) == len(set(header))
    assert [c for c in header if c not in codes] == []
    assert header == table()[base]["columns"]


@pytest.mark.parametrize("base", BASES)
def test_pop_export_dialect(base):
    text = csv_text(base)
    assert text.endswith("\r\n")
    assert text.count("\r\n") == N + 1
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    again = io.StringIO()
    csv.writer(again, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(
        rows
    )
    assert again.getvalue() == text  # quoted exactly where csv.QUOTE_MINIMAL quotes
    header, body = rows[0], rows[1:]
    assert [{k: v for k, v in zip(header, row, strict=True) if v} for row in body] == notices(base)


def test_palissy_refa_points_at_generated_merimee_buildings():
    buildings = {d["REF"]: d for d in notices("merimee")}
    objects = [d for d in notices("palissy") if "REFA" in d]
    assert abs(len(objects) / N - 0.48) < 0.05
    assert [d["REFA"] for d in objects if d["REFA"] not in buildings] == []
    assert [d["REF"] for d in objects if d["INSEE"] != buildings[d["REFA"]]["INSEE"]] == []
    assert {"PA", "IA"} <= {d["REFA"][:2] for d in objects}


@pytest.mark.parametrize("base", BASES)
def test_places_are_consistent(base):
    regions = table()["departements"]
    for d in notices(base):
        assert d["INSEE"].startswith(d["DPT"][:2]), d
        assert d["REG"] == regions[d["DPT"]][0], d
        if not d["DPT"].startswith("97") and "POP_COORDONNEES.lat" in d:
            lat, lon = float(d["POP_COORDONNEES.lat"]), float(d["POP_COORDONNEES.lon"])
            assert 41.3 < lat < 51.2 and -5.3 < lon < 9.7, d
        if base == "merimee" and d["REF"][2:4] not in ("00", "97"):
            assert d["REF"][2:4] == d["DPT"][:2], d


@pytest.mark.parametrize("base", BASES)
def test_values_take_pop_forms(base):
    event = re.compile(r"^\d{4}(/\d\d/\d\d)? : (classé|inscrit) ")
    learned = {v for v, _ in table()["learned"]["mh_scle"]} | {
        v for v, _ in table()["learned"]["inv_scle"]
    }
    for d in notices(base):
        for e in d.get("DPRO", "").split(" ; ") if "DPRO" in d else []:
            assert event.match(e), d["DPRO"]
        for s in d.get("SCLE", "").split(" ; ") if "SCLE" in d else []:
            assert century_span(s) or s in learned, s
        assert d["DMIS"] <= d["DMAJ"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", d["DMAJ"])
        if "COOR" in d and "POP_COORDONNEES.lat" in d:
            x, y = (int(v) for v in re.split(r"\s*;\s*", d["COOR"]))
            ex, ey = lambert93(float(d["POP_COORDONNEES.lat"]), float(d["POP_COORDONNEES.lon"]))
            assert abs(x - ex) <= 3 and abs(y - ey) <= 3, d
    lengths = sorted(len(d["HIST"]) for d in notices(base) if "HIST" in d)
    assert 150 <= lengths[len(lengths) // 2] <= 450  # a few hundred characters


def test_dates_fall_in_their_centuries():
    checked = Counter()
    for d in notices("palissy") + notices("merimee"):
        if "DATE" not in d or "SCLE" not in d:
            continue
        spans = [century_span(s) for s in d["SCLE"].split(" ; ")]
        if not any(spans):  # "Haut Moyen Age": no century to fall in
            continue
        for year in re.findall(r"\d{4}", d["DATE"]):
            assert any(s and s[0] <= int(year) <= s[1] for s in spans), d
            checked[d["REF"][:2]] += 1
    assert checked["IA"] > 100 and checked["PM"] > 100


def test_lambert93_agrees_with_pyproj():
    pyproj = pytest.importorskip("pyproj")
    to_l93 = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    for lat, lon in [(48.8566, 2.3522), (43.6047, 1.4442), (48.5734, 7.7521), (42.6977, 9.4508)]:
        x, y = lambert93(lat, lon)
        ex, ey = to_l93.transform(lon, lat)
        assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01


def test_generate_command_writes_the_same_bytes(tmp_path, capsys):
    target = tmp_path / "palissy.csv"
    assert generate.generate_command("palissy", 300, str(target)) == 300
    assert target.read_bytes() == csv_text("palissy", 300).encode("utf-8")
    assert "wrote 300 palissy notices (seed 0)" in capsys.readouterr().err


def test_bad_requests_are_value_errors():
    with pytest.raises(ValueError, match="no generator for base 'joconde'"):
        next(generate.generate("joconde", 1))
    with pytest.raises(ValueError, match="n must be"):
        generate.write_csv("merimee", -1, io.StringIO())
