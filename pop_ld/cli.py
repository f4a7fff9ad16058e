"""The ``pop-ld`` command line: map, load, generate, coverage, serve.

Progress goes to stderr, data to stdout, so ``pop-ld map x.csv -o - | gzip`` works.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pop_ld.errors import PopLdError

EXIT_CODES = """\b
Exit codes:
  0  everything was read and mapped
  1  some rows were rejected or some values could not be mapped (see the summary)
  2  usage error (bad option, missing file)"""

BASES = ["merimee", "palissy", "joconde", "memoire", "mnr", "museo", "autor", "enluminures"]


def _files(files: tuple[str, ...]) -> list[str]:
    if not files:
        raise click.UsageError("give at least one FILE")
    return list(files)


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="pop-ld")
def main() -> None:
    """POP (Plateforme Ouverte du Patrimoine) as linked data: CIDOC-CRM RDF in Oxigraph.

    Reads POP notices in any of the dialects POP data comes in (POP API JSON, data.culture
    CSV with codes or labels, pipe exports, SpreadsheetML, GeoJSON), detecting the dialect,
    encoding and separators itself.
    """


@main.command("map", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, help="N-Quads file to write (.nq), or - for stdout.")
@click.option("--base", type=click.Choice(BASES), help="The base, when the REFs cannot tell it.")
@click.option(
    "--private-output",
    type=click.Path(dir_okay=False),
    help="Write masked fields (ADRS2, COM2…) to this separate N-Quads file; never to OUTPUT.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write the run's report as JSON.",
)
def map_command(
    files: tuple[str, ...],
    output: str,
    base: str | None,
    private_output: str | None,
    report_path: str | None,
) -> None:
    """Map POP notices to N-Quads, one named graph per notice.

    Rows that cannot be read are reported with file, line, REF, field and value; the
    rest is mapped. A file OUTPUT is written as OUTPUT.part and renamed when complete
    (removed if the run fails); a device or FIFO (/dev/null) is written to directly.
    """
    import contextlib

    from pop_ld.load import map_files

    paths = _files(files)
    with contextlib.ExitStack() as stack:
        private = None
        if private_output:
            private = stack.enter_context(open(private_output, "w", encoding="utf-8"))
        target = Path(output)
        if output == "-":
            report = map_files(paths, sys.stdout, base=base, private_out=private)
        elif target.exists() and not target.is_file():
            # /dev/null, a FIFO, a terminal: written to as they are, never renamed over
            with open(target, "w", encoding="utf-8", buffering=1 << 20) as out:
                report = map_files(paths, out, base=base, private_out=private)
        else:
            partial = target.with_name(target.name + ".part")
            try:
                with open(partial, "w", encoding="utf-8", buffering=1 << 20) as out:
                    report = map_files(paths, out, base=base, private_out=private)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(target)
    click.echo(report.summary(), err=True)
    _write_report(report_path, report)
    sys.exit(0 if report.ok else 1)


@main.command("load", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The on-disk Oxigraph store (created if absent).",
)
@click.option("--base", type=click.Choice(BASES), help="The base, when the REFs cannot tell it.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write the run's report as JSON.",
)
@click.option(
    "--no-index",
    is_flag=True,
    help="Do not update the search index beside the store (search and the map need it; "
    "the next load rebuilds it).",
)
@click.option(
    "--full-index",
    is_flag=True,
    help="Rebuild the search index in full rather than update it for the loaded notices "
    "(pages in the default order then place appended notices where they sort).",
)
def load_command(
    files: tuple[str, ...],
    store_dir: str,
    base: str | None,
    report_path: str | None,
    no_index: bool,
    full_index: bool,
) -> None:
    """Map POP notices and bulk-load them into an on-disk Oxigraph store.

    Files load atomically: the store is changed only when every file went in, so an
    interrupted load leaves it exactly as it was. A notice loaded again replaces its graph.
    Masked fields (ADRS2, COM2…) are never loaded.
    """
    from pop_ld.load import load_files

    try:
        result = load_files(
            _files(files), store_dir, base=base, index=not no_index, full_index=full_index
        )
    except PopLdError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary(), err=True)
    click.echo(
        f"store: {Path(result.store).resolve()}\n"
        f"notices: {result.notices_in_store}\ntriples: {result.quads_in_store}"
    )
    _write_report(report_path, result.mapping)
    sys.exit(0 if result.mapping.ok else 1)


@main.command("coverage", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--base", type=click.Choice(BASES), help="The base, when the REFs cannot tell it.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def coverage_command(files: tuple[str, ...], base: str | None, as_json: bool) -> None:
    """Field coverage: for every field, values seen against values that reached the graph.

    Exit 1 when a mapped field lost values or a field is missing from the mapping table.
    """
    import io

    from pop_ld.load import map_files

    report = map_files(_files(files), io.StringIO(), base=base)
    cov = report.coverage
    if as_json:
        click.echo(
            json.dumps(
                {"summary": _report_dict(report), "fields": cov.rows()},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        click.echo(cov.render())
        click.echo(report.summary(), err=True)
    sys.exit(1 if cov.lost() or cov.unlisted() or not report.ok else 0)


@main.command("generate", epilog=EXIT_CODES)
@click.option("--base", type=click.Choice(BASES), help="The base to generate.")
@click.option(
    "--pop",
    "whole",
    is_flag=True,
    help="Every base in POP's proportions, N in all: -o is a directory, one BASE.csv each.",
)
@click.option("-n", "count", required=True, type=click.IntRange(min=0), help="How many notices.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="CSV file to write, or - for stdout (with --pop: a directory).",
)
@click.option(
    "--seed", default=0, show_default=True, help="Same seed, same notices, byte for byte."
)
def generate_command(base: str | None, whole: bool, count: int, output: str, seed: int) -> None:
    """Write N synthetic POP-shaped notices in POP's CSV export format, deterministically.

    Links (REFA, MUSEO, LBASE, AUTR…) point at notices the same seed generates: with --pop
    every link of the set resolves inside it.
    """
    from pop_ld import generate

    if whole == (base is not None):
        raise click.UsageError("give either --base BASE or --pop")
    if whole and output == "-":
        raise click.UsageError("--pop writes one file per base: give a directory")
    try:
        if whole:
            generate.generate_command(None, count, output, seed=seed)
            return
        if output == "-":
            written = generate.write_csv(base, count, sys.stdout, seed=seed, progress=True)
        else:
            written = generate.write_csv(base, count, Path(output), seed=seed, progress=True)
    except (KeyError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"wrote {written:,} {base} notices to {output}", err=True)


def _settings_epilog() -> str:
    from pop_ld import settings

    return "\b\nSettings (environment):\n" + settings.help_text()


@main.command("serve", epilog=_settings_epilog())
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False),
    envvar="POP_LD_STORE",
    help="The on-disk Oxigraph store (opened read-only).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=None,
    type=int,
    help="Query worker processes for /sparql (default POP_LD_POOL_SIZE=4).",
)
def serve_command(store_dir: str | None, host: str, port: int, workers: int | None) -> None:
    """Serve the site and /sparql on gunicorn, in the foreground until Ctrl-C.

    Settings come from the environment (POP_LD_*); their names, defaults and meanings are
    in docs/endpoint.md and below.
    """
    import os

    from app.serve import serve

    if not store_dir and not os.environ.get("POP_LD_SPARQL_URL"):
        raise click.UsageError("give --store DIR (or set POP_LD_SPARQL_URL for a remote store)")
    serve(store_dir, host=host, port=port, workers=workers)


@main.command("info")
@click.option("--store", "store_dir", required=True, type=click.Path(exists=True, file_okay=False))
def info_command(store_dir: str) -> None:
    """Where the store is and how many notices and triples it holds."""
    from pyoxigraph import Store

    from pop_ld.load import count_notices

    store = Store.read_only(store_dir)
    click.echo(
        f"store: {Path(store_dir).resolve()}\nnotices: {count_notices(store)}\ntriples: {len(store)}"
    )


def _report_dict(report) -> dict:
    return {
        "files": report.files,
        "notices": report.notices,
        "quads": report.quads,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
        "field_errors": report.field_errors,
        "seconds": round(report.seconds, 3),
        "by_base": report.by_base,
        "errors": report.errors,
    }


def _write_report(path: str | None, report) -> None:
    if path:
        data = {"summary": _report_dict(report), "fields": report.coverage.rows()}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
