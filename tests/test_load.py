"""Loading into a real on-disk Oxigraph store: all or nothing, replaces on reload; the CLI's contract."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT
from pyoxigraph import NamedNode, Store

from pop_ld import uris
from pop_ld.load import count_notices, load_files

# The spine's two bases (59 notices): the other bases' samples have tests of their own.
SAMPLE = [str(ROOT / "data" / "sample" / f"{base}.json") for base in ("merimee", "palissy")]
POP_LD = [sys.executable, "-m", "pop_ld.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*POP_LD, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def notice_file(tmp_path: Path, name: str, notices: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(notices, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_sample_reports_counts(tmp_path: Path) -> None:
    result = load_files(SAMPLE, tmp_path / "store")
    assert result.mapping.ok
    assert result.notices_in_store == 59
    store = Store.read_only(str(tmp_path / "store"))
    assert count_notices(store) == 59
    assert len(store) == result.quads_in_store
    ontology = NamedNode(uris.graph("ontology"))
    assert store.contains_named_graph(ontology)


def test_reload_replaces_a_notice_instead_of_merging(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = notice_file(tmp_path, "a.json", [{"REF": "PA00000001", "TICO": "Ancien titre"}])
    second = notice_file(tmp_path, "b.json", [{"REF": "PA00000001", "TICO": "Nouveau titre"}])
    load_files([first], store_dir)
    load_files([second], store_dir)
    store = Store.read_only(str(store_dir))
    labels = [
        q.object.value
        for q in store.quads_for_pattern(
            NamedNode(uris.thing("merimee", "PA00000001")), NamedNode(uris.RDFS + "label"), None
        )
    ]
    assert labels == ["Nouveau titre"]
    assert count_notices(store) == 1


def test_loads_accumulate_across_runs(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    load_files([notice_file(tmp_path, "a.json", [{"REF": "PA00000001", "TICO": "Un"}])], store_dir)
    load_files(
        [notice_file(tmp_path, "b.json", [{"REF": "PM00000002", "TICO": "Deux"}])], store_dir
    )
    assert count_notices(Store.read_only(str(store_dir))) == 2


def test_interrupted_load_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    load_files(SAMPLE, store_dir)
    before = len(Store.read_only(str(store_dir)))
    big = tmp_path / "big.csv"
    gen = run("generate", "--base", "merimee", "-n", "60000", "-o", str(big))
    assert gen.returncode == 0, gen.stderr
    proc = subprocess.Popen(
        [*POP_LD, "load", str(big), "--store", str(store_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    staging = store_dir.with_name("store.staging")
    deadline = time.monotonic() + 60
    while not staging.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the load finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store.read_only(str(store_dir))
    assert len(store) == before
    assert count_notices(store) == 59
    del store
    # the next load cleans up what the killed one left behind
    load_files([notice_file(tmp_path, "c.json", [{"REF": "PA00000003"}])], store_dir)
    assert not staging.exists()
    assert count_notices(Store.read_only(str(store_dir))) == 60


def test_cli_load_prints_where_and_how_much(tmp_path: Path) -> None:
    result = run("load", *SAMPLE, "--store", str(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert lines["store"] == str((tmp_path / "store").resolve())
    assert lines["notices"] == "59"
    assert int(lines["triples"]) > 59 * 50


def test_cli_map_rejects_bad_rows_naming_file_line_and_ref(tmp_path: Path) -> None:
    bad = tmp_path / "merimee.csv"
    bad.write_text(
        "REF|TICO|DENO\nPA00000001|Eglise|église\nPA00000002|Chapelle|chapelle|x|y\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.nq"
    result = run("map", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert f"{bad}:3: PA00000002" in result.stderr
    assert "rejected 1 rows" in result.stderr
    assert uris.notice("merimee", "PA00000001") in out.read_text(encoding="utf-8")


def test_cli_map_writes_into_a_fifo_without_replacing_it(tmp_path: Path) -> None:
    # `-o /dev/null` must never rename a file over the device: a FIFO stands for it here
    fifo = tmp_path / "sink"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("map", SAMPLE[0], "-o", str(fifo))
    reader.join(60)
    assert result.returncode == 0, result.stderr
    assert fifo.is_fifo() and not (tmp_path / "sink.part").exists()
    quads = received[0].decode().splitlines()
    assert quads and all(line.endswith(" .") for line in quads)


def test_cli_map_usage_error_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.nq"
    result = run("map", str(tmp_path / "missing.json"), "-o", str(out))
    assert result.returncode == 2
    assert not out.exists() and not (tmp_path / "out.nq.part").exists()


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("map", str(tmp_path / "missing.csv"), "-o", "x.nq").returncode == 2
    assert run("map", "-o", str(tmp_path / "x.nq")).returncode == 2
    assert run("load", *SAMPLE).returncode == 2


def test_cli_map_writes_private_fields_apart(tmp_path: Path) -> None:
    out, private = tmp_path / "out.nq", tmp_path / "private.nq"
    result = run("map", *SAMPLE, "-o", str(out), "--private-output", str(private))
    assert result.returncode == 0, result.stderr
    assert "Réserve des objets d'art" in private.read_text(encoding="utf-8")
    assert "Réserve des objets d'art" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("flag", ["--help"])
def test_help_lists_exit_codes(flag: str) -> None:
    result = run(flag)
    assert result.returncode == 0
    assert "1  some rows were rejected" in result.stdout
    assert "2  usage error" in result.stdout
