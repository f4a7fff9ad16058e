"""Readers against the real POP corpus (exact facts read from the files) and small edge cases."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest
from conftest import corpus_file, schema_file

from pop_ld import dialects, readers
from pop_ld.dialects import detect_dialect, header_table, iter_json_array
from pop_ld.errors import PopLdError, ReadError
from pop_ld.readers import READERS, read_notices
from pop_ld.records import Notice

PIPE_MH = "merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv"
BAS_RHIN = "merimee/merimee_MH_dataculture_2022_labels_Bas-Rhin.csv"
HAUT_RHIN = "merimee/merimee_MH_dataculture_2022_labels_Haut-Rhin_spreadsheetml.xls"
TOULOUSE = "merimee/toulouse_base-merimee_inventaire_legacy_chp-fields.geojson"
GERTRUDE = "merimee/merimee_IA30_gertrude_pipe_export.txt"
LATIN1 = "merimee/merimee-MH-10_2013_latin1.csv"
MERIMEE_JSON = "merimee/pop_api_merimee_notice_PA00091408.json"
PALISSY_JSON = "palissy/pop_api_palissy_msearch_response_IM52.json"
MUSEO_CODES = "museo/museofile_popcodes_2024.csv"
MUSEO_2026 = "museo/museofile_labels_2026.csv"
MUSEO_2020 = "museo/museofile_labels_2020.csv"
JOCONDE = "joconde/joconde_base-joconde-extrait_2020_reduced.csv"
MEMOIRE = "memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv"

# file, dialect, notices (PROVENANCE.md), base
CORPUS = [
    (PIPE_MH, "pipe", 6977, "merimee"),
    (BAS_RHIN, "csv-labels", 520, "merimee"),
    (HAUT_RHIN, "spreadsheetml", 337, "merimee"),
    (TOULOUSE, "geojson", 900, "merimee"),
    (GERTRUDE, "pipe", 9, "merimee"),
    (LATIN1, "csv-codes", 3, "merimee"),
    (MERIMEE_JSON, "pop-json", 1, "merimee"),
    (PALISSY_JSON, "pop-json", 10, "palissy"),
    (MUSEO_CODES, "csv-codes", 729, "museo"),
    (MUSEO_2026, "csv-labels", 729, "museo"),
    (MUSEO_2020, "csv-labels", 724, "museo"),
    (JOCONDE, "csv-labels", 1936, "joconde"),
    (MEMOIRE, "csv-codes", 1790, "memoire"),
]


@cache
def _read_corpus(relative: str) -> tuple[tuple[Notice, ...], tuple[ReadError, ...]]:
    items = list(read_notices(corpus_file(relative)))
    notices = tuple(item for item in items if isinstance(item, Notice))
    errors = tuple(item for item in items if isinstance(item, ReadError))
    return notices, errors


def _by_ref(relative: str) -> dict[str, Notice]:
    return {notice.ref: notice for notice in _read_corpus(relative)[0]}


def _read(path: Path, base: str | None = None) -> tuple[list[Notice], list[ReadError]]:
    items = list(read_notices(path, base))
    return (
        [item for item in items if isinstance(item, Notice)],
        [item for item in items if isinstance(item, ReadError)],
    )


# --- every corpus notice file --------------------------------------------------------------


@pytest.mark.parametrize(("relative", "dialect", "count", "base"), CORPUS)
def test_corpus_file_reads_whole(relative: str, dialect: str, count: int, base: str) -> None:
    assert detect_dialect(corpus_file(relative)) == dialect
    notices, errors = _read_corpus(relative)
    assert errors == ()
    assert len(notices) == count
    assert {n.base for n in notices} == {base}
    assert {n.dialect for n in notices} == {dialect}
    refs = [n.ref for n in notices]
    assert len(set(refs)) == count, "REFs are unique per file"
    assert all(n.source == str(corpus_file(relative)) for n in notices)
    assert all("REF" not in n.fields or n.fields["REF"] == n.ref for n in notices)


def test_legacy_pipe_values_and_literal_quotes() -> None:
    notices = _by_ref(PIPE_MH)
    first = _read_corpus(PIPE_MH)[0][0]
    assert (first.ref, first.line) == ("PA00078021", 2)
    assert first.fields["COM"] == "Auxon"
    assert first.fields["DPRO"] == "1949/07/02 : classé MH"
    assert "ADRS" not in first.fields  # empty cell dropped
    calvaire = notices["PA00078304"]
    assert calvaire.line == 37
    assert calvaire.fields["TICO"] == 'Calvaire dit "La Croix Blanche"'
    assert calvaire.fields["PPRO"].startswith('Calvaire dit "La Croix Blanche" (cad. B 23)')
    with_quotes = [n.ref for n in notices.values() if any('"' in v for v in n.fields.values())]
    assert len(with_quotes) == 65


def test_bas_rhin_labels_csv() -> None:
    notices = _by_ref(BAS_RHIN)
    chapelle = notices["PA00084675"]
    assert chapelle.line == 2
    assert chapelle.fields == {
        "COM": "Dambach-la-Ville",
        "DPT": "67",
        "DMAJ": "2022-02-21",
        "INSEE": "67084",
        "REG": "Grand Est",
        "DPT_LETTRE": "Bas-Rhin",
        "WCOM": "Dambach-la-Ville",
        "TICO": "Chapelle Notre-Dame ou chapelle de la Vierge",
        "SCLE": "2e quart 15e siècle",
        "DPRO": "1930/01/06 : inscrit MH",
        "PPRO": "Chapelle de la Vierge : inscription par arrêté du 6 janvier 1930",
        "PLOC": "Anciennement région de : Alsace",
        "REF": "PA00084675",
        "CONTACT": "mediatheque.patrimoine@culture.gouv.fr",
        "POP_COORDONNEES.lon": "7.42344200120391",
        "POP_COORDONNEES.lat": "48.3277693531236",
        "POP_COORDONNEES": "48.3277693531236,7.42344200120391",
    }
    petite_pierre = notices["PA00084889"]
    assert (petite_pierre.fields["COM"], petite_pierre.fields["WCOM"]) == (
        "Petite-Pierre (La)",
        "La Petite-Pierre",
    )


def test_bas_rhin_multiline_quoted_field_crlf_records() -> None:
    church = _by_ref(BAS_RHIN)["PA67000105"]
    assert church.line == 208  # the physical line where the record starts
    history = church.fields["HIST"]
    assert history.startswith("\"L'église Saint-Joseph de Koenigshoffen est construite en 1901")
    assert history.count("\n") == 6 and "\r" not in history  # physical lines 208-214


def test_bas_rhin_lambert_metres_in_lat_lon_columns() -> None:
    notice = _by_ref(BAS_RHIN)["PA00125222"]
    assert notice.fields["POP_COORDONNEES.lat"] == "1377600.0"
    assert notice.fields["POP_COORDONNEES.lon"] == "975100.0"
    assert "POP_COORDONNEES" not in notice.fields


def test_spreadsheetml_honours_ss_index() -> None:
    notices = _by_ref(HAUT_RHIN)
    monument = notices["PA00085461"]
    assert monument.line == 2  # spreadsheet row (header is row 1)
    # cells 9, 14, 15, 17, 18 are absent: later cells carry ss:Index and must not shift
    assert "WADRS" not in monument.fields and "STAT" not in monument.fields
    assert monument.fields["AUTR"] == "Grass (sculpteur)"
    assert monument.fields["HIST"].startswith("Erigé en 1828 à la place de celui dressé en 1801")
    assert monument.fields["PLOC"] == "Anciennement région de : Alsace"
    assert monument.fields["POP_COORDONNEES"] == "47.5921420413269, 7.58449769846976"
    assert notices["PA68000062"].fields["TICO"] == (
        "Ancien magasin de la filature Duméril, Jaeglé & Cie"
    )
    assert max(n.line for n in notices.values()) == 338


def test_geojson_synthetic_refs_are_stable() -> None:
    notices, _ = _read_corpus(TOULOUSE)
    first = notices[0]
    assert (first.ref, first.line) == ("IVC31555-0236680b0e", 1)
    assert first.fields["POP_COORDONNEES.lat"] == "43.606669500814526"
    assert first.fields["POP_COORDONNEES.lon"] == "1.445834517446651"
    assert first.fields["DENO"] == "immeuble"
    assert first.fields["ADRS"] == "Alsace-Lorraine (rue d') 46"
    assert first.fields["ZONE"] == "Lambert3 sud"
    assert "no REF in source: synthetic REF IVC31555-0236680b0e" in first.warnings[-1]
    assert all(n.ref.startswith("IVC31555-") for n in notices)
    again = [n.ref for n in read_notices(corpus_file(TOULOUSE))]
    assert again == [n.ref for n in notices]


def test_gertrude_damaged_header_tail_is_ignored() -> None:
    notices, _ = _read_corpus(GERTRUDE)
    first = notices[0]
    assert (first.ref, first.line) == ("IA30001143", 2)
    assert first.fields["NOMS"] == "Potier Nicolas ; Wienin Michel"
    assert first.fields["COOR"] == "0794409;6291409"
    assert first.fields["ZONE"] == "Lambert93"
    assert first.fields["DOSURL"].endswith("inventaire_IA30001143.locale=fr")
    assert any("columns 88-107 after DOSURL" in w for w in first.warnings)
    # the trailing columns name the NEXT notice: nothing of it may leak into this one
    for notice, following in zip(notices, notices[1:], strict=False):
        assert not any(following.ref in str(v) for v in notice.fields.values())
    assert [n.ref for n in notices][-1] == "IA30001883"


def test_latin1_csv() -> None:
    notices, _ = _read_corpus(LATIN1)
    assert [(n.ref, n.line) for n in notices] == [
        ("PA00078014", 2),
        ("PA00078015", 3),
        ("PA00078016", 4),
    ]
    chapel = notices[0]
    assert chapel.fields["ADRS"] == "Dans le cimetière"
    assert chapel.fields["STAT"] == "Propriété de la commune"
    assert chapel.fields["LOCA"] == "Champagne-Ardenne ; Aube ; Aix-en-Othe"
    assert chapel.fields["SCLE"] == "15e siècle ; 16e siècle"
    assert notices[2].fields["COM"] == "Allibaudières"


def test_palissy_msearch_json() -> None:
    notices, _ = _read_corpus(PALISSY_JSON)
    assert [n.line for n in notices] == list(range(1, 11))
    window = notices[0]
    assert window.ref == "IM52000044"
    assert window.fields["DENO"] == ["verrière"]
    assert window.fields["DATE"] == ["1520 VERS"]
    assert window.fields["COOR"] == "0774740 ; 10091150"
    assert window.fields["DPRO"] == "1909/07/09 : classé au titre immeuble"
    assert window.fields["POP_COORDONNEES.lat"] == "0"  # the 0,0 sentinel, kept raw
    assert "POP_COORDINATES_POLYGON.coordinates" not in window.fields  # empty geometry
    assert "LOCA" not in window.fields and "ATEL" not in window.fields  # "" and []
    assert "_id" not in window.fields and "__v" not in window.fields
    images = json.loads(window.fields["MEMOIRE"])
    assert images[0]["ref"] == "IVR21_19895200091XA"
    assert json.loads(window.fields["HISTORIQUE"])[0]["nom"] == "Rotolo"


def test_merimee_api_notice_json() -> None:
    (puits,), _ = _read_corpus(MERIMEE_JSON)
    assert (puits.ref, puits.line) == ("PA00091408", 1)
    assert puits.fields["PROT"] == ["radié MH"]
    assert puits.fields["POP_DATE"] == ["1700"]
    assert puits.fields["COM"] == ["Locqueltas"]
    assert "DPRO" not in puits.fields
    assert "AP15R004778" in puits.fields["MEMOIRE"]


def test_museo_bom_file_first_header_and_multiline_fields() -> None:
    notices, _ = _read_corpus(MUSEO_2026)
    first = notices[0]
    assert (first.ref, first.line) == ("M0002", 2)
    assert first.fields["REF"] == "M0002"
    assert not any("\ufeff" in key or "IDENTIFIANT" in key for key in first.fields)
    assert "\nInformations sur les techniques et les hommes" in first.fields["ATOUT"]
    oberlin = _by_ref(MUSEO_2026)["M0021"]
    assert oberlin.line == 2051
    assert oberlin.fields["PROT-BAT"].startswith(
        "Protégé au titre des Monuments historiques :\n"
        "https://www.pop.culture.gouv.fr/notice/merimee/IA67013073"
    )


def test_museo_2020_older_column_set() -> None:
    oberlin = _by_ref(MUSEO_2020)["M0021"]
    assert oberlin.fields["NOMOFF"] == "musée Oberlin"
    assert oberlin.fields["AUTNOM"] == "Musée Oberlin"
    assert oberlin.fields["DT_SAISI"] == "2019-01-21"
    assert oberlin.fields["POP_COORDONNEES"] == "48.414759,7.214925"
    assert "POP_COORDONNEES.lat" not in oberlin.fields


def test_joconde_labels() -> None:
    drawing = _by_ref(JOCONDE)["000DE021526"]
    assert drawing.line == 2
    assert drawing.fields["INV"] == "03 2 3"
    assert drawing.fields["TITR"] == "VUE PRISE A CHARBONNIERE ; BOIS DE L'ETOILE"
    assert drawing.fields["AUTR"] == "ALLEMAND Hector"
    assert drawing.fields["TECH"] == "plume;lavis rouge;papier (blanc)"
    assert drawing.fields["MUSEO"] == "M0476"
    assert drawing.fields["LABEL"] == "Musée de France#au sens de la loi n°2002-5 du 4 janvier 2002"
    # the museum city's point is not the object's place
    assert drawing.fields["GEOLOCALISATION_VILLE"] == "43.611024,3.875521"
    assert "POP_COORDONNEES" not in drawing.fields


def test_memoire_lower_case_codes() -> None:
    notices, _ = _read_corpus(MEMOIRE)
    photo = notices[0]
    assert (photo.ref, photo.line) == ("APMH00014658", 2)
    assert (
        photo.fields["AUTP"]
        == "Neurdein (frères) ; Neurdein, Louis ; Neurdein, Louis (photographe)"
    )
    assert photo.fields["LBASE"] == "PA00087203 ; PM77001410"
    assert photo.fields["POP_COORDONNEES"] == "48.560847, 3.290922"
    assert photo.warnings == [
        "unknown column 'video_v' kept as VIDEO_V",
        "unknown column 'video_p' kept as VIDEO_P",
        "unknown column 'filename' kept as FILENAME",
    ]
    assert all(n.warnings == [] for n in notices[1:])  # reported once, on the first notice


# --- the same notice in two dialects -------------------------------------------------------


def test_bas_rhin_in_legacy_pipe_and_2022_csv() -> None:
    legacy, labels = _by_ref(PIPE_MH), _by_ref(BAS_RHIN)
    common = set(legacy) & set(labels)
    assert len(common) == 515
    assert legacy["PA00084579"].fields["COM"] == labels["PA00084579"].fields["COM"]
    differ = {ref for ref in common if legacy[ref].fields["COM"] != labels[ref].fields["COM"]}
    assert differ == {"PA00084762"}  # "Ernolsheim-sur-Bruche ; Kolbsheim" vs ";" unspaced


def test_museo_in_three_dialects() -> None:
    codes, labels, old = _by_ref(MUSEO_CODES), _by_ref(MUSEO_2026), _by_ref(MUSEO_2020)
    assert set(codes) == set(labels) and set(old) <= set(codes)
    differ: dict[str, int] = {}
    for ref, notice in codes.items():
        for code in notice.fields.keys() | labels[ref].fields.keys():
            if notice.fields.get(code) != labels[ref].fields.get(code):
                differ[code] = differ.get(code, 0) + 1
    # 2026 writes "lat, lon" and joins DOMPAL/CATEG with "," where 2024 uses ";"
    assert differ == {"POP_COORDONNEES": 729, "DOMPAL": 527, "CATEG": 8}
    assert labels["M0021"].fields["DOMPAL"] == "Histoire,Sciences de la nature"
    assert codes["M0021"].fields["DOMPAL"] == "Histoire;Sciences de la nature"
    assert codes["M0021"].fields["VILLE_M"] == old["M0021"].fields["VILLE_M"] == "Waldersbach"
    moved = {ref for ref in old if old[ref].fields["VILLE_M"] != codes[ref].fields["VILLE_M"]}
    assert len(moved) == 37  # 2020 wrote postal forms: "SARLAT CEDEX 06" for Sarlat-la-Canéda
    assert old["M0060"].fields["VILLE_M"] == "SARLAT CEDEX 06"


# --- not a notice file ---------------------------------------------------------------------


def test_legacy_rejected_lines_are_refused_by_name() -> None:
    path = corpus_file("legacy_2018/pop_api_import_rejected_lines_2018.csv")
    assert detect_dialect(path) == "unknown"
    with pytest.raises(PopLdError, match="pop_api_import_rejected_lines_2018.csv"):
        list(read_notices(path))


def test_sitemap_is_unknown() -> None:
    assert detect_dialect(corpus_file("_identifiers/pop_sitemap_mnr_0_2018-11.xml")) == "unknown"


def test_unknown_base_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("REF;TICO\nPA00000001;Eglise\n", encoding="utf-8")
    with pytest.raises(PopLdError, match="unknown base 'merimée'"):
        list(read_notices(path, base="merimée"))


# --- CSV edge cases ------------------------------------------------------------------------


def test_latin1_semicolon_with_quoted_multivalue(tmp_path: Path) -> None:
    path = tmp_path / "mh.txt"
    path.write_bytes(
        'REF;COM;SCLE;PPRO\r\nPA00078014;Aix-en-Othe;"15e siècle ; 16e siècle";arrêté’s\r\n'.encode(
            "cp1252"
        )
    )
    (notice,), errors = _read(path)
    assert errors == [] and notice.dialect == "csv-codes"
    assert notice.fields["SCLE"] == "15e siècle ; 16e siècle"
    assert notice.fields["PPRO"] == "arrêté’s"


def test_bom_crlf_records_lf_inside_quotes(tmp_path: Path) -> None:
    path = tmp_path / "museo.csv"
    path.write_bytes(
        b'\xef\xbb\xbfref;nomoff;hist\r\nM0001;"Mus\xc3\xa9e A";"line 1\nline 2\nline 3"\r\n'
        b"M0002;Mus\xc3\xa9e B;\r\n"
    )
    notices, errors = _read(path)
    assert errors == []
    assert [(n.ref, n.line, n.base) for n in notices] == [
        ("M0001", 2, "museo"),
        ("M0002", 5, "museo"),
    ]
    assert notices[0].fields["HIST"] == "line 1\nline 2\nline 3"
    assert notices[1].fields == {"REF": "M0002", "NOMOFF": "Musée B"}


def test_late_invalid_byte_does_not_stop_reading(tmp_path: Path) -> None:
    rows = "".join(f"PA{n:08d};Eglise\n" for n in range(6000))  # > 64 KB of clean UTF-8
    path = tmp_path / "late.csv"
    path.write_bytes(b"REF;TICO\n" + rows.encode() + b"PA99999999;Chapelle Saint-\xc9loi\n")
    notices, errors = _read(path)
    assert errors == [] and len(notices) == 6001
    assert notices[-1].fields["TICO"] == "Chapelle Saint-Éloi"


def test_excel_sep_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text('sep=,\nREF,TICO\nPA00000001,"Eglise, chapelle"\n', encoding="utf-8")
    assert detect_dialect(path) == "csv-codes"
    (notice,), _ = _read(path)
    assert (notice.line, notice.fields["TICO"]) == (3, "Eglise, chapelle")


def test_tab_separated_utf16(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes("REF\tTICO\tDENO\r\nPA00000001\tÉglise\téglise\r\n".encode("utf-16"))
    (notice,), errors = _read(path)
    assert errors == [] and notice.fields == {
        "REF": "PA00000001",
        "TICO": "Église",
        "DENO": "église",
    }


def test_unknown_header_kept_and_warned_once(tmp_path: Path) -> None:
    path = tmp_path / "merimee.csv"
    path.write_text(
        "Référence;Appellation courante;Numéro d'ordre interne\n"
        "PA00000001;Eglise;12\nPA00000002;Puits;13\n",
        encoding="utf-8",
    )
    first, second = _read(path)[0]
    assert first.dialect == "csv-labels"
    assert first.fields == {"REF": "PA00000001", "TICO": "Eglise", "NUMERO_D_ORDRE_INTERNE": "12"}
    assert first.warnings == [
        'unknown column "Numéro d\'ordre interne" kept as NUMERO_D_ORDRE_INTERNE'
    ]
    assert second.warnings == []


def test_headers_match_after_folding(tmp_path: Path) -> None:
    path = tmp_path / "vintage.csv"
    path.write_text(
        "REFERENCE,date_de_protection,PRECISION  PROTECTION,Siecle,coordonnées\n"
        'PA00000001,1930/01/06 : inscrit MH,Chapelle,15e siècle,"48.3,7.4"\n',
        encoding="utf-8",
    )
    (notice,), _ = _read(path)
    assert notice.fields == {
        "REF": "PA00000001",
        "DPRO": "1930/01/06 : inscrit MH",
        "PPRO": "Chapelle",
        "SCLE": "15e siècle",
        "POP_COORDONNEES": "48.3,7.4",
    }


def test_row_without_ref_is_an_error_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("REF;TICO\n;Eglise sans REF\nPA00000002;Puits\n", encoding="utf-8")
    notices, errors = _read(path)
    assert [n.ref for n in notices] == ["PA00000002"]
    assert (errors[0].line, errors[0].field, errors[0].file) == (2, "REF", str(path))


def test_no_ref_column_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("TICO;COM;DENO\nEglise;Auxon;église\n", encoding="utf-8")
    notices, errors = _read(path)
    assert notices == [] and len(errors) == 1 and "no REF column" in errors[0].message


def test_base_argument_and_header_signature(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Identifiant;Nom officiel;Ville\nX12;musée;Y\n", encoding="utf-8")
    (notice,), _ = _read(path)  # REF shape unknown: the museo header signature decides
    assert (notice.base, notice.fields["NOMOFF"]) == ("museo", "musée")
    (forced,), _ = _read(path, base="joconde")
    assert forced.base == "joconde"


# --- pipe edge cases -----------------------------------------------------------------------


def test_stray_pipe_is_an_error_naming_line_and_ref(tmp_path: Path) -> None:
    path = tmp_path / "mh.csv"
    path.write_text(
        "REF|TICO|COM\n"
        'PA00000001|Menhir dit "la Pierre|au-Coq"|Auxon\n'
        "PA00000002|Eglise|Auxon||\n"
        'PA00000003|"Potier Nicolas ; ""Wienin"" Michel"|Auxon\n',
        encoding="utf-8",
    )
    notices, errors = _read(path)
    assert [(e.line, e.ref) for e in errors] == [(2, "PA00000001")]
    assert "4 fields where the header has 3" in errors[0].message
    assert [n.ref for n in notices] == ["PA00000002", "PA00000003"]  # empty extras are fine
    assert notices[1].fields["TICO"] == 'Potier Nicolas ; "Wienin" Michel'


def test_fully_quoted_pipe_export_with_labels(tmp_path: Path) -> None:
    path = tmp_path / "merimee.csv"
    path.write_text(
        "Reference|Appellation_courante|Titre_editorial_de_la_notice|Commune_forme_index|"
        "coordonnees_au_format_WGS84|Lien_vers_la_base_Archiv_MH|Colonne_nouvelle\n"
        '"PA31000132"|"Hôtel"|"Hôtel | dit de Bernuy"|"Toulouse"|"43.6,1.44"|""|"x"\n',
        encoding="utf-8",
    )
    (notice,), errors = _read(path)
    assert errors == [] and notice.dialect == "pipe"
    assert notice.fields == {
        "REF": "PA31000132",
        "TICO": "Hôtel",
        "TITRE_EDITORIAL_DE_LA_NOTICE": "Hôtel | dit de Bernuy",
        "COM": "Toulouse",
        "POP_COORDONNEES": "43.6,1.44",
        "COLONNE_NOUVELLE": "x",
    }
    assert any("both map to TICO" in w for w in notice.warnings)


def test_pipe_quoted_value_spanning_lines(tmp_path: Path) -> None:
    path = tmp_path / "gertrude.txt"
    path.write_text('REF|HIST|COM\nIA30000001|"ligne 1\nligne 2"|Nîmes\nIA30000002||Uzès\n')
    notices, _ = _read(path)
    assert [(n.ref, n.line) for n in notices] == [("IA30000001", 2), ("IA30000002", 4)]
    assert notices[0].fields["HIST"] == "ligne 1\nligne 2"


def test_pop_sample_import_file() -> None:
    path = schema_file("palissy").with_name("palissy-mh-valid-UTF-8.csv")
    if not path.exists():
        pytest.skip("POP sample import file absent")
    notices, errors = _read(path)
    assert errors == [] and [n.ref for n in notices] == ["PM01000107", "PM01000506", "PM02001223"]
    assert notices[0].fields["VIDEO"] == "sap83_01w00928_p.jpg;sap83_01w00928_v.jpg"
    assert notices[2].fields["AUTP"] == "é, Anonyme"


# --- SpreadsheetML edge cases --------------------------------------------------------------

_SHEET = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet"><Table>
<Row><Cell><Data ss:Type="String">Référence</Data></Cell><Cell><Data ss:Type="String">Appellation courante</Data></Cell>
<Cell><Data ss:Type="String">Auteur</Data></Cell><Cell><Data ss:Type="String">Commune</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">PA00000001</Data></Cell><Cell ss:Index="4"><Data ss:Type="String">Colmar</Data></Cell></Row>
<Row ss:Index="5"><Cell><Data ss:Type="String">PA00000002</Data></Cell><Cell><Data ss:Type="String">Maison &amp; cour</Data></Cell>
<Cell><Data ss:Type="String">X (architecte)</Data></Cell></Row>
</Table></Worksheet><Worksheet ss:Name="Other"><Table><Row><Cell><Data ss:Type="String">junk</Data></Cell></Row></Table></Worksheet></Workbook>
"""


def test_spreadsheetml_gaps_entities_rows_and_second_sheet(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text(_SHEET, encoding="utf-8")
    assert detect_dialect(path) == "spreadsheetml"
    notices, errors = _read(path)
    assert errors == []
    assert [(n.ref, n.line, n.fields) for n in notices] == [
        ("PA00000001", 2, {"REF": "PA00000001", "COM": "Colmar"}),
        ("PA00000002", 5, {"REF": "PA00000002", "TICO": "Maison & cour", "AUTR": "X (architecte)"}),
    ]


# --- JSON edge cases -----------------------------------------------------------------------


def test_json_shapes(tmp_path: Path) -> None:
    notice = {"REF": "PM01000107", "DENO": ["statue", ""], "TICO": " Vierge ", "INSC": []}
    shapes = {
        "one.json": notice,
        "list.json": [notice],
        "hits.json": {"hits": {"total": 1, "hits": [{"_id": "x", "_source": notice}]}},
        "msearch.json": {"responses": [{"hits": {"hits": [{"_source": notice}]}}]},
    }
    for name, document in shapes.items():
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        assert detect_dialect(path) == "pop-json", name
        (read,), errors = _read(path)
        assert errors == [], name
        assert (read.ref, read.base, read.line) == ("PM01000107", "palissy", 1)
        assert read.fields == {"REF": "PM01000107", "DENO": ["statue"], "TICO": "Vierge"}


def test_msearch_error_answer(tmp_path: Path) -> None:
    path = tmp_path / "errors.json"
    document = {"responses": [{"error": {"type": "index_not_found"}, "status": 404}]}
    path.write_text(json.dumps(document), encoding="utf-8")
    notices, errors = _read(path)
    assert notices == [] and "index_not_found" in errors[0].message


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(
        '{"REF": "PA00000001", "POP_COORDONNEES": {"lat": 48.5, "lon": 7}}\n'
        '{"REF": "PA00000002", \n'
        '{"REF": "PA00000003", "HISTORIQUE": [{"nom": "X"}], "POP_DATE": [1700, 1701]}\n',
        encoding="utf-8",
    )
    assert detect_dialect(path) == "pop-jsonl"
    notices, errors = _read(path)
    assert [(e.line, e.file) for e in errors] == [(2, str(path))]
    assert [(n.ref, n.line) for n in notices] == [("PA00000001", 1), ("PA00000003", 3)]
    assert notices[0].fields["POP_COORDONNEES.lat"] == "48.5"
    assert notices[0].fields["POP_COORDONNEES.lon"] == "7"
    assert notices[1].fields["HISTORIQUE"] == '[{"nom": "X"}]'
    assert notices[1].fields["POP_DATE"] == ["1700", "1701"]


def test_opendatasoft_records_map_their_field_names(tmp_path: Path) -> None:
    path = tmp_path / "ods.json"
    record = {
        "reference": "PA00000001",
        "titre_editorial_de_la_notice": "Eglise",
        "commune_forme_index": "Auxon",
        "coordonnees_au_format_wgs84": [48.1, 4.2],
    }
    path.write_text(json.dumps({"records": [{"recordid": "r", "fields": record}]}))
    (notice,), _ = _read(path)
    assert notice.fields == {
        "REF": "PA00000001",
        "TICO": "Eglise",
        "COM": "Auxon",
        "POP_COORDONNEES": "48.1,4.2",
    }


def test_json_array_streams_across_chunk_edges() -> None:
    items = [{"REF": f"PA{n:08d}", "TICO": "é" * n, "N": n * 1.5} for n in range(40)]
    text = " \n[" + ", ".join(json.dumps(item) for item in items) + "]\n"
    for chunk in (1, 2, 7, 64, 1 << 20):
        assert list(iter_json_array(io.StringIO(text), chunk=chunk)) == items


def test_truncated_json_keeps_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"REF": "PA00000001"}, {"REF": ', encoding="utf-8")
    notices, errors = _read(path)
    assert [n.ref for n in notices] == ["PA00000001"]
    assert errors[0].line == 2 and "unreadable JSON after record 1" in errors[0].message


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(PopLdError, match="cannot read empty.csv"):
        list(read_notices(path))


def test_large_json_is_streamed_or_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "WHOLE_JSON_LIMIT", 10)
    array = tmp_path / "array.json"
    array.write_text(json.dumps([{"REF": "PA00000001"}, {"REF": "PA00000002"}]))
    assert [n.ref for n in _read(array)[0]] == ["PA00000001", "PA00000002"]
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"hits": {"hits": [{"_source": {"REF": "PA00000001"}}]}}))
    notices, errors = _read(document)
    assert notices == [] and "export it as JSON Lines" in errors[0].message


# --- GeoJSON edge cases --------------------------------------------------------------------


def test_geojson_streamed_equals_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = [(n.ref, n.fields) for n in _read_corpus(TOULOUSE)[0]]
    monkeypatch.setattr(readers, "WHOLE_JSON_LIMIT", 10)
    streamed = [(n.ref, n.fields) for n in read_notices(corpus_file(TOULOUSE))]
    assert streamed == whole


def test_geojson_with_ref_and_polygon(tmp_path: Path) -> None:
    ring = [[[1.0, 43.0], [1.1, 43.0], [1.1, 43.1], [1.0, 43.0]]]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": ring},
            "properties": {"chpref": "IA31000001", "chpdeno": "immeuble", "chpsecret": "x"},
        },
        {"type": "Feature", "geometry": None, "properties": {"ref": "PA31000002"}},
    ]
    path = tmp_path / "ods.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert detect_dialect(path) == "geojson"
    first, second = _read(path)[0]
    assert (first.ref, first.base, second.ref) == ("IA31000001", "merimee", "PA31000002")
    assert first.fields["DENO"] == "immeuble"
    assert json.loads(first.fields["POP_COORDINATES_POLYGON.coordinates"]) == ring
    assert first.warnings == ["unknown field 'chpsecret' kept as SECRET"]


# --- the header table ----------------------------------------------------------------------


def test_header_table_rows_are_well_formed() -> None:
    import csv

    path = dialects.ROOT / "mappings" / "headers.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["base", "header", "code", "note"]
    names = {
        "*",
        "merimee",
        "palissy",
        "memoire",
        "joconde",
        "mnr",
        "museo",
        "autor",
        "enluminures",
    }
    assert {row["base"] for row in rows} == names
    keys = [(row["base"], row["header"]) for row in rows]
    assert len(keys) == len(set(keys)), "one row per (base, header)"
    assert all(row["code"] and row["note"] for row in rows)
    museo = {row["header"]: row["code"] for row in rows if row["base"] == "museo"}
    assert (museo["Nom usage"], museo["NOMUSAGE"], museo["Identifiant"]) == (
        "AUTNOM",
        "NOMUSAGE",
        "REF",
    )


@pytest.mark.parametrize("base", ["merimee", "palissy", "memoire", "joconde", "museo", "mnr"])
def test_every_schema_code_resolves_to_itself(base: str) -> None:
    import csv

    with open(schema_file(base), encoding="utf-8", newline="") as f:
        codes = [row["path"] for row in csv.DictReader(f) if row["path"] not in ("_id", "__v")]
    table = header_table()
    assert {code: table.resolve(code, base).code for code in codes} == {c: c for c in codes}


def test_registry_names_every_dialect() -> None:
    assert sorted(READERS) == [
        "csv-codes", "csv-labels", "geojson", "pipe", "pop-json", "pop-jsonl", "spreadsheetml"
    ]  # fmt: skip
