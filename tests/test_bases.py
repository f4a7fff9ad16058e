"""The six other bases in the same graph: REF shapes, cross-base links, one place and one actor model.

Run on the demo notices of every base (data/sample/*.json) and on the real corpus where it has
the base (Joconde, Mémoire and three Muséofile exports of the same museums).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import ROOT, corpus_file, schema_file
from pyoxigraph import RdfFormat, Store

from pop_ld import communes, uris
from pop_ld.load import map_files
from pop_ld.mapping import Engine, load_mapping
from pop_ld.patterns_actors import date_in_text
from pop_ld.patterns_bases import museo_ref
from pop_ld.records import Notice
from pop_ld.schemes import table as schemes_table

SAMPLE = sorted((ROOT / "data" / "sample").glob("*.json"))
BASES = ["merimee", "palissy", "joconde", "memoire", "museo", "mnr", "autor", "enluminures"]
PREFIXES = """
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX pop: <https://w3id.org/pop-ld/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
"""


def load(files: list[Path]) -> Store:
    out = io.StringIO()
    report = map_files(files, out, progress=False)
    assert report.ok, report.summary()
    store = Store()
    store.bulk_load(input=out.getvalue().encode(), format=RdfFormat.N_QUADS)
    return store


def select(store: Store, query: str) -> list[tuple]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [tuple(None if v is None else v.value for v in row) for row in rows]


@pytest.fixture(scope="module")
def sample() -> Store:
    return load(SAMPLE)


def thing(base: str, ref: str) -> str:
    return uris.thing(base, ref)


# -- REFs: which base a reference points to -----------------------------------------------


@pytest.mark.parametrize(
    ("relative", "base"),
    [
        ("joconde/joconde_base-joconde-extrait_2020_reduced.csv", "joconde"),
        (
            "memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv",
            "memoire",
        ),
        ("museo/museofile_popcodes_2024.csv", "museo"),
        ("merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv", "merimee"),
    ],
)
def test_every_corpus_ref_is_claimed_by_its_base(relative: str, base: str) -> None:
    from pop_ld.readers import read_notices

    wrong = {n.ref for n in read_notices(corpus_file(relative)) if uris.base_of_ref(n.ref) != base}
    assert wrong == set()


def test_every_ref_of_the_mnr_sitemap_is_mnr() -> None:
    text = corpus_file("_identifiers/pop_sitemap_mnr_0_2018-11.xml").read_text(encoding="utf-8")
    refs = [unquote(r).strip() for r in re.findall(r"/notice/mnr/([^<]*)<", text)]
    assert len(refs) == 2205
    assert {r for r in refs if r and uris.base_of_ref(r) != "mnr"} == set()


def test_cross_references_in_the_corpus_find_their_base() -> None:
    """Mémoire's LBASE (PA, PM, IA) and the Mistral REFs of POP's 2018 logs."""
    from pop_ld.readers import read_notices

    path = corpus_file(
        "memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv"
    )
    lbase = {
        ref.strip()
        for n in read_notices(path)
        for ref in str(n.fields.get("LBASE", "")).split(";")
        if ref.strip()
    }
    assert {uris.base_of_ref(r) for r in lbase} == {"merimee", "palissy"}
    assert uris.base_of_ref("AG012948") == "joconde"  # a Joconde line of the 2018 log
    assert uris.base_of_ref("AEG00002") == "mnr"  # an MNR REF, not Mémoire's AE…
    assert uris.base_of_ref("AP15R004778") == "memoire"  # Mérimée PA00091408's MEMOIRE
    assert uris.base_of_ref("IVR52_91720476X") == "memoire"
    assert uris.base_of_ref("SPR4400041") is None


# -- the demo notices of every base ---------------------------------------------------------


def test_every_base_of_the_sample_loads_with_no_rejection_and_no_unlisted_field() -> None:
    out = io.StringIO()
    report = map_files(SAMPLE, out, progress=False)
    assert report.rejected == 0 and report.field_errors == 0, report.summary()
    assert set(report.by_base) == set(BASES)
    assert report.coverage.unlisted() == {}
    assert report.coverage.lost() == {}


def test_photograph_monument_commune_departement_chain(sample: Store) -> None:
    """A Mémoire photograph → the Mérimée monument it represents → its commune → département."""
    rows = select(
        sample,
        f"""SELECT ?photo ?monument ?commune ?dpt WHERE {{
             ?photo a pop:Photographie ; crm:P138_represents ?monument .
             ?monument a pop:Edifice ;
                       crm:P55_has_current_location/crm:P89_falls_within ?commune .
             ?commune a pop:Commune ; crm:P89_falls_within ?dpt . ?dpt a pop:Departement .
             FILTER(?photo = <{thing("memoire", "APMH09900124")}>) }}""",
    )
    assert rows == [
        (
            thing("memoire", "APMH09900124"),
            thing("merimee", "PA89990002"),
            uris.place("commune", "89446"),
            uris.place("departement", "89"),
        )
    ]
    every_photo = select(
        sample,
        """SELECT (COUNT(DISTINCT ?photo) AS ?n) WHERE {
             ?photo a pop:Photographie ; crm:P138_represents/crm:P55_has_current_location/
                    crm:P89_falls_within/crm:P89_falls_within ?dpt . ?dpt a pop:Departement }""",
    )
    assert int(every_photo[0][0]) >= 20


def test_photograph_is_an_image_carried_by_a_negative(sample: Store) -> None:
    photo = thing("memoire", "APMH09900124")
    rows = select(
        sample,
        f"""SELECT ?carrier ?kind WHERE {{
              ?carrier a crm:E22_Human-Made_Object ; crm:P65_shows_visual_item <{photo}> ;
                       crm:P2_has_type/skos:prefLabel ?kind . FILTER(lang(?kind) = "fr") }}""",
    )
    assert (f"{photo}#support", "négatif photographique") in rows  # and TYPDOC's own concept
    created = select(
        sample,
        f"""SELECT ?b WHERE {{ <{photo}> crm:P94i_was_created_by/crm:P4_has_time-span
                                  /crm:P82a_begin_of_the_begin ?b }}""",
    )
    assert len(created) == 1 and created[0][0].startswith("1")


def test_links_resolve_in_both_directions_whichever_base_loads_first() -> None:
    """Joconde → Muséofile, Mémoire → Palissy: the same URIs with the target absent or present."""
    by_name = {p.stem: p for p in SAMPLE}
    query = """SELECT ?a ?b WHERE {
        { ?a pop:musee ?b } UNION { ?a crm:P138_represents ?b }
        FILTER(STRSTARTS(STR(?b), "%s") && !CONTAINS(STR(?a), "#") && !CONTAINS(STR(?b), "#")) }"""
    targets = uris.base_uri() + "/id/"
    alone = load([by_name["joconde"], by_name["memoire"]])
    together = load([by_name["museo"], by_name["palissy"], by_name["joconde"], by_name["memoire"]])
    links = select(alone, query % targets)
    assert links and sorted(links) == sorted(select(together, query % targets))
    published = select(
        together,
        f"SELECT ?n WHERE {{ ?n crm:P70_documents <{thing('museo', 'M5031')}> }}",
    )
    assert published == [(uris.notice("museo", "M5031"),)]


def test_joconde_works_are_kept_by_their_museum(sample: Store) -> None:
    rows = select(
        sample,
        """SELECT ?work ?museum WHERE { ?work a pop:OeuvreMusee ; pop:musee ?museum .
                                        FILTER NOT EXISTS { ?museum a pop:Musee } }""",
    )
    assert rows == []  # every demo work's museum is a Muséofile notice of the demo


def test_mnr_works_meet_their_museum_through_one_actor(sample: Store) -> None:
    rows = select(
        sample,
        f"""SELECT ?museum WHERE {{ <{thing("mnr", "MNR09901")}> pop:musee ?actor .
                                    ?museum owl:sameAs ?actor ; a pop:Musee }}""",
    )
    assert rows == [(thing("museo", "M5031"),)]


def test_mnr_provenance_events_are_dated(sample: Store) -> None:
    rows = select(
        sample,
        f"""SELECT ?label ?b WHERE {{
              <{thing("mnr", "MNR09901")}> crm:P30i_custody_transferred_through ?e .
              ?e a crm:E10_Transfer_of_Custody ; crm:P4_has_time-span ?ts .
              ?ts rdfs:label ?label ; crm:P82a_begin_of_the_begin ?b }}""",
    )
    assert rows == [("12 mars 1946", "1946-03-12T00:00:00")]


def test_autor_person_is_the_actor_other_bases_name(sample: Store) -> None:
    """Viollet-le-Duc of Autor is the actor Mérimée's AUTR names, by owl:sameAs."""
    rows = select(
        sample,
        f"""SELECT DISTINCT ?monument WHERE {{
              <{thing("autor", "AUTR99000001")}> a pop:Personne, crm:E21_Person ; owl:sameAs ?p .
              ?monument crm:P108i_was_produced_by/crm:P9_consists_of/crm:P14_carried_out_by ?p }}""",
    )
    assert (thing("merimee", "PA00086250"),) in rows
    born = select(
        sample,
        f"""SELECT ?b ?place WHERE {{ <{thing("autor", "AUTR99000001")}> crm:P98i_was_born ?e .
              ?e crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b ;
                 crm:P7_took_place_at/rdfs:label ?place }}""",
    )
    assert born == [("1814-01-27T00:00:00", "Paris")]


def test_museum_is_a_group_residing_in_its_commune(sample: Store) -> None:
    rows = select(
        sample,
        f"""SELECT ?commune ?wkt WHERE {{ <{thing("museo", "M9902")}> a crm:E74_Group ;
              crm:P74_has_current_or_former_residence ?loc .
              ?loc crm:P89_falls_within ?commune ; geo:hasGeometry/geo:asWKT ?wkt .
              ?commune a pop:Commune }}""",
    )
    assert rows == [(uris.place("commune", "67482"), "POINT(7.751 48.5813)")]


def test_illumination_is_shown_by_its_manuscript(sample: Store) -> None:
    rows = select(
        sample,
        """SELECT (COUNT(*) AS ?n) WHERE { ?ms a pop:Manuscrit ; crm:P65_shows_visual_item ?i .
                                           ?i a pop:Enluminure }""",
    )
    assert int(rows[0][0]) == 12


def test_every_pop_term_the_sample_emits_is_declared() -> None:
    from rdflib import Graph

    ontology = Graph().parse(ROOT / "ontology" / "pop.ttl", format="turtle")
    declared = {str(s)[len(uris.POP) :] for s in ontology.subjects() if str(s).startswith(uris.POP)}
    out = io.StringIO()
    map_files(SAMPLE, out, progress=False)
    emitted = set(re.findall(r"<https://w3id\.org/pop-ld/ontology#([^>]*)>", out.getvalue()))
    assert emitted - declared == set()


# -- one dialect or another: the same museums -----------------------------------------------

MUSEO_FILES = [
    "museo/museofile_popcodes_2024.csv",
    "museo/museofile_labels_2026.csv",
    "museo/museofile_labels_2020.csv",
]
#: fact → the raw fields it comes from: two exports that say the same thing must map the same
FACT_SOURCES = {
    "name": ("NOMOFF",),
    "commune": ("VILLE_M", "CP_M", "DPT"),
    "departement": ("VILLE_M", "CP_M", "DPT"),
    "wkt": ("POP_COORDONNEES",),
    "links": ("REFMER", "URL_M"),
}


def museum_facts(store: Store) -> dict[str, dict[str, set[str]]]:
    """Per museum: name, commune, département, coordinates, links."""
    facts: dict[str, dict[str, set[str]]] = {}
    queries = {
        "name": "?t rdfs:label ?v",
        "commune": "?t crm:P74_has_current_or_former_residence/crm:P89_falls_within ?v . "
        "?v a pop:Commune",
        "departement": "?t crm:P74_has_current_or_former_residence/crm:P89_falls_within ?c . "
        "?c crm:P89_falls_within* ?v . ?v a pop:Departement",
        "wkt": "?t crm:P74_has_current_or_former_residence/crm:P168_place_is_defined_by ?v",
        "links": "?t pop:voirAussi|foaf:homepage ?v",
    }
    for key, pattern in queries.items():
        query = f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
            SELECT ?ref ?v WHERE {{ ?n pop:ref ?ref ; crm:P70_documents ?t . {pattern} }}"""
        for ref, value in select(store, query):
            facts.setdefault(ref, {}).setdefault(key, set()).add(value)
    return facts


def raw_facts(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per museum, the raw inputs of each fact, spaces and separators aside."""
    from pop_ld.readers import read_notices

    def norm(value: object) -> str:
        return re.sub(r"[\s;,]+", " ", str(value or "")).strip()

    return {
        n.ref: {
            fact: tuple(norm(n.fields.get(code)) for code in codes)
            for fact, codes in FACT_SOURCES.items()
        }
        for n in read_notices(path)
    }


def test_the_three_museo_exports_give_the_same_museums() -> None:
    """The same museum in three dialects: what the exports say alike comes out identical.

    The 2024 (POP codes) and 2026 (labels) exports hold the same content: every fact must be
    equal. The 2020 export is older: it lacks REFMER, and a few museums have since moved or
    been renamed, so each fact is compared where its raw inputs are the same in both.
    """
    paths = [corpus_file(name) for name in MUSEO_FILES]
    popcodes, labels_2026, labels_2020 = (museum_facts(load([p])) for p in paths)
    assert len(popcodes) == 729 and len(labels_2020) == 724
    assert popcodes == labels_2026
    raw_new, raw_old = raw_facts(paths[0]), raw_facts(paths[2])
    compared = 0
    for ref, old in labels_2020.items():
        for fact in ("name", "commune", "departement", "wkt", "links"):
            if fact == "links":  # the 2020 export has no REFMER: its URL_M only
                if raw_old[ref][fact][1] == raw_new[ref][fact][1]:
                    homepages = {v for v in popcodes[ref].get(fact, set()) if "/id/" not in v}
                    assert old.get(fact, set()) == homepages, (ref, fact)
                    compared += 1
            elif raw_old[ref][fact] == raw_new[ref][fact]:
                assert old.get(fact) == popcodes[ref].get(fact), (ref, fact)
                compared += 1
    assert compared > 0.7 * 5 * len(labels_2020)  # 2,814 of 3,620 facts had the same inputs


# -- the tables ----------------------------------------------------------------------------


def test_every_scheme_the_tables_use_has_labels_and_the_schema_arks() -> None:
    schemes = schemes_table()
    used: dict[str, set[str]] = {}
    for base in BASES:
        with open(schema_file(base), encoding="utf-8", newline="") as f:
            schema = {r["path"]: r for r in csv.DictReader(f)}
        for code, spec in load_mapping(base).fields.items():
            inner = spec.opt("as") if spec.pattern == "carrier" else spec.pattern
            if inner in ("classified_as", "technique") and spec.opt("thesaurus"):
                ark = schema.get(code, {}).get("thesaurus", "")
                used.setdefault(spec.opt("thesaurus"), set()).update({ark} if ark else set())
    for name, arks in used.items():
        entry = schemes.get(name)
        assert entry and entry["fr"] and entry["en"], name
        assert arks <= {entry.get("ark")}, (name, arks)


def test_new_patterns_on_small_inputs() -> None:
    from pop_ld.dates import parse_period

    doubtful = parse_period("1890 entre ; 1897 et ; ?")  # Joconde MILL: "; ?" doubts it all
    assert (doubtful.begin[:4], doubtful.end[:4], doubtful.approximate) == ("1890", "1897", True)
    assert museo_ref("M1037-38") == "M1037"
    assert museo_ref("MO121") == "M0121"
    assert museo_ref("M0748 phot © Angers, musée des beaux-arts") == "M0748"
    assert museo_ref("M05019") is None and museo_ref("5027") is None
    assert date_in_text("Provenance antérieure à 1940 inconnue ; achetée en 1943.")[0] == "1943"
    assert communes.find("Petite-Pierre (La)", "67") == "67371"
    assert communes.find("Saint-Denis", None) is None  # 93 and 974: ambiguous, no link
    assert communes.find("Saint-Denis", "93") == "93066"
    assert communes.departement("Côtes-d'Armor").code == "22"


def test_dirty_museum_reference_links_and_keeps_the_text() -> None:
    engine = Engine()
    notice = Notice("joconde", "000PE990099", {"REF": "000PE990099", "MUSEO": "M0748 phot © X"})
    text = engine.map_notice(notice)
    assert f"<{thing('museo', 'M0748')}>" in text
    assert '"M0748 phot © X"@fr' in text
    unresolved = engine.map_notice(Notice("joconde", "000PE990098", {"MUSEO": "5027"}))
    assert "/id/museo/" not in unresolved and '"5027"@fr' in unresolved


def test_pop_mnr_import_file_maps_without_loss() -> None:
    """POP's own MNR import sample (the one real MNR notice in reach): every field accounted for."""
    path = schema_file("mnr").with_name("mnr-valid-UTF-8.csv")
    out = io.StringIO()
    report = map_files([path], out, progress=False)
    assert report.ok and report.by_base == {"mnr": 1}, report.summary()
    assert report.coverage.unlisted() == {} and report.coverage.lost() == {}
    assert f"<{thing('mnr', 'RFR00003')}>" in out.getvalue()
