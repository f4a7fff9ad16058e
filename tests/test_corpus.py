"""The real POP corpus (../shared/corpus) maps without silent loss, in every dialect."""

from __future__ import annotations

import io

import pytest
from conftest import corpus_file
from pyoxigraph import RdfFormat, Store

from pop_ld import uris
from pop_ld.load import map_files

# file → (base, notices): counts from the corpus's PROVENANCE.md
FILES = {
    "merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv": ("merimee", 6977),
    "merimee/merimee_MH_dataculture_2022_labels_Bas-Rhin.csv": ("merimee", 520),
    "merimee/merimee_MH_dataculture_2022_labels_Haut-Rhin_spreadsheetml.xls": ("merimee", 337),
    "merimee/toulouse_base-merimee_inventaire_legacy_chp-fields.geojson": ("merimee", 900),
    "merimee/merimee_IA30_gertrude_pipe_export.txt": ("merimee", 9),
    "merimee/merimee-MH-10_2013_latin1.csv": ("merimee", 3),
    "merimee/pop_api_merimee_notice_PA00091408.json": ("merimee", 1),
    "palissy/pop_api_palissy_msearch_response_IM52.json": ("palissy", 10),
    "joconde/joconde_base-joconde-extrait_2020_reduced.csv": ("joconde", 1936),
    "memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv": (
        "memoire",
        1790,
    ),
    "museo/museofile_popcodes_2024.csv": ("museo", 729),
    "museo/museofile_labels_2026.csv": ("museo", 729),
    "museo/museofile_labels_2020.csv": ("museo", 724),
}


@pytest.fixture(scope="module", params=sorted(FILES), ids=lambda f: f.split("/")[-1])
def mapped(request):
    path = corpus_file(request.param)
    out = io.StringIO()
    report = map_files([path], out, progress=False)
    return request.param, report, out.getvalue()


def test_every_notice_maps_without_rejection(mapped) -> None:
    name, report, _ = mapped
    base, count = FILES[name]
    assert report.rejected == 0, report.summary()
    assert report.field_errors == 0, report.summary()
    assert report.by_base == {base: count}


def test_no_field_loses_values_and_none_is_unlisted(mapped) -> None:
    _, report, _ = mapped
    assert report.coverage.unlisted() == {}
    assert report.coverage.lost() == {}


def test_unparsed_values_are_rare_and_kept(mapped) -> None:
    """Dates, coordinates and dimensions that do not parse stay as text, and are few."""
    _, report, _ = mapped
    for (base, code), count in report.coverage.fields.items():
        if count.status == "mapped" and count.seen >= 20 and code not in {"COOR"}:
            assert count.unparsed <= 0.01 * count.seen, (base, code, count.examples)


def test_output_parses_and_each_notice_is_one_graph(mapped) -> None:
    name, report, text = mapped
    store = Store()
    store.bulk_load(input=text.encode(), format=RdfFormat.N_QUADS)
    base = FILES[name][0]
    graphs = {
        str(g.value)
        for g in store.named_graphs()
        if g.value.startswith(uris.base_uri() + f"/notice/{base}/")
    }
    assert len(graphs) == report.notices


def test_same_notice_in_two_dialects_gives_the_same_place_and_protection() -> None:
    """Bas-Rhin notices are in the 2018 pipe export and in the 2022 labelled CSV."""
    pipe = corpus_file("merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv")
    labels = corpus_file("merimee/merimee_MH_dataculture_2022_labels_Bas-Rhin.csv")
    query = """
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        PREFIX pop: <https://w3id.org/pop-ld/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?ref ?commune ?status WHERE {
          ?n pop:ref ?ref ; crm:P70_documents ?t .
          ?t crm:P55_has_current_location/crm:P89_falls_within ?commune .
          ?commune a pop:Commune .
          OPTIONAL { ?t pop:statutProtection/skos:prefLabel ?status }
          FILTER(?ref IN ("PA00084675", "PA00085200", "PA00084951"))
        } ORDER BY ?ref"""
    results = []
    for path in (pipe, labels):
        out = io.StringIO()
        map_files([path], out, progress=False)
        store = Store()
        store.bulk_load(input=out.getvalue().encode(), format=RdfFormat.N_QUADS)
        rows = store.query(query, use_default_graph_as_union=True)
        results.append([tuple(v.value if v else None for v in row) for row in rows])
    assert len(results[0]) == 3
    assert results[0] == results[1]
