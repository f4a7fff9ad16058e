"""The generator: same seed, same bytes; real REF shapes; the corpus's fill rates; every base
maps with nothing lost; links resolve inside a set generated in POP's proportions."""

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
from pyoxigraph import RdfFormat, Store

from pop_ld import generate, uris
from pop_ld.load import map_files
from pop_ld.synth import century_span, lambert93, table

N = 2000
BASES = ["merimee", "palissy", "joconde", "memoire", "museo", "mnr", "autor", "enluminures"]
REF_SHAPE = {
    "merimee": re.compile(r"^(PA|IA|EA)(\d\d|2A|2B)\d{6}$|^(PA|IA|EA)97\d\d{5}$"),
    "palissy": re.compile(r"^(PM|IM|EM)(\d\d|2A|2B)\d{6}$|^(PM|IM|EM)97\d\d{5}$"),
    "joconde": re.compile(r"^[015M]\d{10}$|^000(PE|SC|DE)\d{6}$"),  # 00000012345, M0923004645
    "memoire": re.compile(r"^APMH\d{8}$|^IVR\d\d_\d{10}$"),
    "museo": re.compile(r"^M\d{4}$"),
    "mnr": re.compile(r"^(MNR|OAR|REC|RFR)\d{5}$|^(MCSR|MNAM)\d{4}$"),
    "autor": re.compile(r"^AUTR\d{8}$"),
    "enluminures": re.compile(r"^ENL\d{8}$"),
}
#: REFs drawn to check uniqueness: a REF series's capacity bounds a base (Museo: M0000–M9999).
MANY = {"merimee": 300_000, "palissy": 300_000, "museo": 10_000}
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


@pytest.mark.parametrize("base", ["merimee", "palissy"])
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


def test_generate_pop_writes_every_base_in_its_proportions(tmp_path):
    from click.testing import CliRunner

    from pop_ld.cli import main

    result = CliRunner().invoke(main, ["generate", "--pop", "-n", "900", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    counts = generate.pop_counts(900)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{b}.csv" for b in BASES)
    for base, n in counts.items():
        assert (tmp_path / f"{base}.csv").read_bytes() == csv_text(base, n).encode("utf-8"), base
    again = CliRunner().invoke(main, ["generate", "--pop", "--base", "mnr", "-n", "9", "-o", "x"])
    assert again.exit_code == 2 and "either --base BASE or --pop" in again.output


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
    if len(table()[base]["prefixes"]) > 1:  # one counter (M0000, M0001…) deals the same REFs
        assert {d["REF"] for d in notices(base, 50, seed=1)} != {
            d["REF"] for d in notices(base, 50)
        }


@pytest.mark.parametrize("base", BASES)
def test_refs_are_unique_and_shaped_like_pop(base):
    refs = [d["REF"] for d in notices(base)]
    assert len(set(refs)) == N
    assert [r for r in refs if not REF_SHAPE[base].match(r)] == []
    many = [generate.compiled(base, 0).ref(i) for i in range(MANY.get(base, 50_000))]
    assert len(set(many)) == len(many)
    assert [r for r in many if not REF_SHAPE[base].match(r)] == []
    # the project's own REF validation (mappings/bases.toml) gives each REF to its base
    assert {uris.base_of_ref(r) for r in many[::97]} == {base}


def test_a_full_ref_series_is_an_error():
    museo = generate.compiled("museo", 0)
    assert museo.ref(9_999) != museo.ref(0)
    with pytest.raises(ValueError, match="overflows REF series M"):
        museo.ref(10_000)


def test_mh_refs_use_the_old_national_series():
    pa = [d["REF"] for d in notices("merimee") if d["REF"].startswith("PA")]
    national = sum(r.startswith("PA00") for r in pa) / len(pa)
    assert abs(national - 0.85) < 0.06  # 85 % in the legacy MH export


@pytest.mark.parametrize("base", BASES)
def test_fill_rates_follow_the_table(base):
    spec = table()[base]
    found = notices(base)
    b = generate.compiled(base, 0)
    by_prefix = {
        p: [d for i, d in enumerate(found) if b.slot_prefix[i % b.slots] == p]
        for p in spec["prefixes"]
    }
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
    assert checked >= (20 if base in ("merimee", "palissy") else 5)


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


@pytest.mark.parametrize("base", ["merimee", "palissy"])
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


@pytest.mark.parametrize("base", ["merimee", "palissy"])
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
    with pytest.raises(ValueError, match="no generator for base 'nope'"):
        next(generate.generate("nope", 1))
    with pytest.raises(ValueError, match="n must be"):
        generate.write_csv("merimee", -1, io.StringIO())


# -- every base through the real engine; the whole of POP in its proportions ---------------


@pytest.mark.parametrize("base", BASES)
def test_generated_notices_map_with_nothing_rejected_or_lost(base, tmp_path):
    path = tmp_path / f"{base}.csv"
    path.write_text(csv_text(base, 600), encoding="utf-8", newline="")
    report = map_files([path], io.StringIO(), progress=False)
    assert report.by_base == {base: 600}
    assert report.rejected == 0 and report.field_errors == 0, report.summary()
    assert report.coverage.unlisted() == {}
    assert report.coverage.lost() == {}


def test_pop_counts_follow_pops_proportions():
    counts = generate.pop_counts(3_300_000)
    published = table()["pop"]["notices"]
    assert set(counts) == set(BASES) == set(published)
    assert abs(sum(counts.values()) - 3_300_000) < 10_000
    share = {b: n / sum(published.values()) for b, n in published.items()}
    for base in ("joconde", "memoire", "museo", "mnr", "autor", "enluminures", "palissy"):
        assert abs(counts[base] / 3_300_000 - share[base]) < 1e-4, base
    assert counts["merimee"] == counts["palissy"]  # REFA reaches Mérimée's same index


@cache
def pop_store(n: int = 1500) -> tuple[Store, dict[str, list[dict[str, str]]]]:
    """A set in POP's proportions, mapped and loaded into an in-memory Oxigraph store."""
    counts = generate.pop_counts(n)
    out = io.StringIO()
    files = []
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="pop-ld-generate-"))
    for base, count in counts.items():
        files.append(folder / f"{base}.csv")
        generate.write_csv(base, count, files[-1])
    report = map_files(files, out, progress=False)
    assert report.ok, report.summary()
    store = Store()
    store.load(out.getvalue().encode("utf-8"), RdfFormat.N_QUADS)
    return store, {b: list(generate.generate(b, c)) for b, c in counts.items()}


def test_links_resolve_to_generated_notices():
    _, found = pop_store()
    refs = {b: {d["REF"] for d in ds} for b, ds in found.items()}
    museums = {d["REF"]: d for d in found["museo"]}
    checked = Counter()
    for base, code in [
        ("joconde", "MUSEO"),
        ("memoire", "LBASE"),
        ("memoire", "REFJOC"),
        ("memoire", "LAUTP"),
        ("autor", "LBASE"),
        ("palissy", "REFA"),
        ("enluminures", "REFC"),
    ]:
        for d in found[base]:
            if code in d:
                target = uris.base_of_ref(d[code])
                assert d[code] in refs[target], (base, d["REF"], code, d[code])
                checked[(base, code)] += 1
    assert min(checked.values()) >= 1, checked
    for d in found["joconde"]:  # LOCA names the museum of MUSEO, where the work stands
        museum = museums[d["MUSEO"]]
        assert d["LOCA"] == f"{museum['VILLE_M']} ; {museum['NOMOFF']}"
        assert d["VILLE_M"] == museum["VILLE_M"] and d["DPT"] == museum["DPT"]


def test_links_resolve_in_the_loaded_store():
    store, found = pop_store()
    base = uris.base_uri()
    query = f"""
      SELECT ?base (COUNT(*) AS ?links) (SUM(IF(?known, 1, 0)) AS ?resolved) WHERE {{
        GRAPH ?g {{ ?s ?p ?o }}
        FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{base}/id/") && ?p != rdf:type)
        BIND(STRBEFORE(STRAFTER(STR(?o), "{base}/id/"), "/") AS ?base)
        FILTER(?base IN ("merimee", "palissy", "joconde", "memoire", "museo", "mnr", "autor",
                         "enluminures"))
        BIND(EXISTS {{ GRAPH ?h {{ ?o a ?type }} }} AS ?known)
      }} GROUP BY ?base"""
    rows = {
        r["base"].value: (int(r["links"].value), int(r["resolved"].value))
        for r in store.query(query, prefixes={"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"})
    }
    assert set(rows) == set(BASES)
    assert {b: links for b, (links, _) in rows.items()} == {b: ok for b, (_, ok) in rows.items()}
    # an author of Joconde or MNR (AUTR), a photographer of Mémoire (AUTP), a museum named by
    # MNR's LOCA: the actor of a generated Autor or Museo notice (owl:sameAs)
    persons = f"""
      SELECT (COUNT(DISTINCT ?person) AS ?named) (COUNT(DISTINCT ?known) AS ?notices) WHERE {{
        GRAPH ?g {{ ?x ?p ?person }}
        FILTER(STRSTARTS(STR(?person), "{base}/id/person/")
               && (STRSTARTS(STR(?g), "{base}/notice/joconde/")
                   || STRSTARTS(STR(?g), "{base}/notice/mnr/")
                   || (STRSTARTS(STR(?g), "{base}/notice/memoire/") && ?p = crm:P14_carried_out_by)))
        OPTIONAL {{ GRAPH ?h {{ ?actor owl:sameAs ?person }}
                   FILTER(STRSTARTS(STR(?h), "{base}/notice/autor/")
                          || STRSTARTS(STR(?h), "{base}/notice/museo/")) BIND(?person AS ?known) }}
      }}"""
    prefixes = {
        "owl": "http://www.w3.org/2002/07/owl#",
        "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    }
    row = next(iter(store.query(persons, prefixes=prefixes)))
    named = int(row["named"].value)
    assert named >= 5 and int(row["notices"].value) == named
