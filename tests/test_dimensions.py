"""pop_ld.dimensions: DIMS values of Palissy, Joconde and MNR → measurements."""

from __future__ import annotations

import csv
import json
import random

import pytest
from conftest import corpus_file

from pop_ld.dimensions import Dimension, _parse, _parse_full, parse_dimensions


def D(kind: str, value: float, unit: str = "cm", note: str = "") -> Dimension:  # noqa: N802
    return Dimension(kind, value, unit, note)


H, LA, LO, P, DI, EP, PDS = (
    "hauteur",
    "largeur",
    "longueur",
    "profondeur",
    "diametre",
    "epaisseur",
    "poids",
)

DIMENSIONS = [
    # Palissy: l is longueur, la largeur, pr profondeur
    ("h = 250 ; la = 120 ; pr = 40", [D(H, 250), D(LA, 120), D(P, 40)]),
    ("h = 250 ; d = 32", [D(H, 250), D(DI, 32)]),
    ("h=102 ; la=82 ; pr=50", [D(H, 102), D(LA, 82), D(P, 50)]),
    ("h. 1,33 m ; la. 0,47 m", [D(H, 1.33, "m"), D(LA, 0.47, "m")]),
    ("h = 180 ; la = 70 ; rondel : d = 20", [D(H, 180), D(LA, 70), D(DI, 20, note="rondel")]),
    (
        "Chasuble : h = 110 ; l = 70 ; manipule : h = 53 ; l = 21",
        [
            D(H, 110, note="Chasuble"),
            D(LO, 70, note="Chasuble"),
            D(H, 53, note="manipule"),
            D(LO, 21, note="manipule"),
        ],
    ),
    ("h = 142 ; l = 299 et h = 142 ; l = 300", [D(H, 142), D(LO, 299), D(H, 142), D(LO, 300)]),
    # Joconde: l. is largeur, L. longueur, L. beside H. without l. is largeur
    ("H. 65 ; L. 81", [D(H, 65), D(LA, 81)]),
    ("H. 131, l. 200", [D(H, 131), D(LA, 200)]),
    ("H. 207,l. 158", [D(H, 207), D(LA, 158)]),
    ("L. 23 cm ; l. 23,9 cm", [D(LO, 23), D(LA, 23.9)]),
    ("H. 12 cm, l. 19 cm, L. 1,5 cm", [D(H, 12), D(LA, 19), D(LO, 1.5)]),
    ("D. 12.6", [D(DI, 12.6)]),
    ("H. 120 ; L. 90 ; E. 4", [D(H, 120), D(LA, 90), D(EP, 4)]),
    ("H. 200 ; L. 92 ; Pr. 100", [D(H, 200), D(LA, 92), D(P, 100)]),
    ("Hauteur en cm 65 ; Largeur en cm 81", [D(H, 65), D(LA, 81)]),
    ("H. en m 1,2 ; L. en m 0,8", [D(H, 1.2, "m"), D(LA, 0.8, "m")]),
    ("H. en mm 321, l. en mm 212", [D(H, 321, "mm"), D(LA, 212, "mm")]),
    ("Longueur cm 79 ; Largeur cm 80", [D(LO, 79), D(LA, 80)]),
    ("Longueur en m 2.66 ; Largeur en cm 55", [D(LO, 2.66, "m"), D(LA, 55)]),
    ("Diamètre en cm 13.2 ; Epaisseur en cm 1.1", [D(DI, 13.2), D(EP, 1.1)]),
    ("en cm : H. 13 ;  L. 18", [D(H, 13), D(LA, 18)]),
    ("En mm : H : 481 ; l : 339", [D(H, 481, "mm"), D(LA, 339, "mm")]),
    ("dimensions en m : Hauteur 0.27 ; Largeur 0.35", [D(H, 0.27, "m"), D(LA, 0.35, "m")]),
    ("Dimensions Hauteur : 20.5 cm ; Largeur : 11.8 cm", [D(H, 20.5), D(LA, 11.8)]),
    ("H: 22,7 L: 13,5 P: 12,3", [D(H, 22.7), D(LA, 13.5), D(P, 12.3)]),
    ("H. 0,336 ; L. 0,412 m", [D(H, 0.336, "m"), D(LA, 0.412, "m")]),
    ("H. 310 ; L. 200 cm", [D(H, 310), D(LA, 200)]),
    ("H. 9 ; L. 14 (cm)", [D(H, 9), D(LA, 14)]),
    ("Pds. 7.82 g. (Axée à 7 h)", [D(PDS, 7.82, "g")]),
    ("Longueur x Largeur : 15,6 x 5 cm ; Poids : 36 g", [D(LO, 15.6), D(LA, 5), D(PDS, 36, "g")]),
    ("Diamètre en cm 1.53 ; Poids en g 1.72 ; Axe des coins en heure 2", [D(DI, 1.53), D(PDS, 1.72, "g")]),
    ("Epaisseur/Profondeur en cm 32", [D("dimension", 32)]),
    # what a measure is of
    (
        "Hauteur en cm 32 ; Largeur en cm 47 ; Hauteur avec cadre en cm 44 ; Largeur avec cadre en cm 59",
        [D(H, 32), D(LA, 47), D(H, 44, note="avec cadre"), D(LA, 59, note="avec cadre")],
    ),
    (
        "H. 31 ; L. 24 ; avec cadre : H. 47 ; L. 39",
        [D(H, 31), D(LA, 24), D(H, 47, note="avec cadre"), D(LA, 39, note="avec cadre")],
    ),
    (
        "H. 10,7, l. 15,3 (cuvette) ; H. 12, l. 15,7 (feuille)",
        [D(H, 10.7, note="cuvette"), D(LA, 15.3, note="cuvette"), D(H, 12, note="feuille"), D(LA, 15.7, note="feuille")],
    ),
    ("H. 23,9 cm, L. 17,8 cm (Extérieures)", [D(H, 23.9, note="Extérieures"), D(LA, 17.8, note="Extérieures")]),
    ("H. 32,7 cm ; l. 24,4 cm (38,5 x 30,5 x 2,3 cm avec cadre)", [D(H, 32.7), D(LA, 24.4)]),
    ("Longueur maximale cm 97 (environ)", [D(LO, 97, note="maximale, environ")]),
    # data.culture's number-first form
    ("31 H ; 20 L", [D(H, 31), D(LA, 20)]),
    ("185 H ; 115 L ; 110 P", [D(H, 185), D(LA, 115), D(P, 110)]),
    ("48 H1 ; 31.5 L1", [D(H, 48, note="H1"), D(LA, 31.5, note="L1")]),
    ("45.5 H, 62.5 L", [D(H, 45.5), D(LA, 62.5)]),
    ("500 lo (en mm) , 600 la (en mm)", [D(LO, 500, "mm"), D(LA, 600, "mm")]),
    ("H3 (20, 5) ; L3 (25)", [D(H, 20.5, note="H3"), D(LA, 25, note="L3")]),
    ("11.6 D ; 0.2 PDS", [D(DI, 11.6)]),  # a weight with no unit is dropped
    # "A x B", "A, B": hauteur x largeur (x profondeur)
    ("24 x 30", [D(H, 24), D(LA, 30)]),
    ("14, 9", [D(H, 14), D(LA, 9)]),
    ("115 x 88 x 76 cm", [D(H, 115), D(LA, 88), D(P, 76)]),
    ("140 x 90 mm", [D(H, 140, "mm"), D(LA, 90, "mm")]),
    ("139 cm x 40 cm", [D(H, 139), D(LA, 40)]),
    ("dimensions en centimètres 58 x 72", [D(H, 58), D(LA, 72)]),
    ("Hauteur x Largeur : 24,5 x 14,5 cm", [D(H, 24.5), D(LA, 14.5)]),
    ("L x l en cm 26 x 33.5", [D(LO, 26), D(LA, 33.5)]),
    ("Dimensions de l'objet H 24 X L 44 X P 19 cm", [D(H, 24), D(LA, 44), D(P, 19)]),
    ("H. 12 x L. 17 cm (H. 24.3 x L. 30 avec cadre)", [D(H, 12), D(LA, 17)]),
    (
        "H x L en cm sans cadre 36.8 x 60.8 ; H x L x E en cm avec cadre 68 x 91.1 x 10.9",
        [
            D(H, 36.8, note="sans cadre"),
            D(LA, 60.8, note="sans cadre"),
            D(H, 68, note="avec cadre"),
            D(LA, 91.1, note="avec cadre"),
            D(EP, 10.9, note="avec cadre"),
        ],
    ),
    ("Autre format 13 x 9 cm", [D(H, 13, note="Autre format"), D(LA, 9, note="Autre format")]),
    # MNR: commas became ';'
    ("H. 1;33;La. 0;47;P. 0;32 m", [D(H, 1.33, "m"), D(LA, 0.47, "m"), D(P, 0.32, "m")]),
    ("H. 0,35 ; L. 0,48 m", [D(H, 0.35, "m"), D(LA, 0.48, "m")]),
    # unsure: nothing rather than a guess
    ("H. 65 ; 81", []),
    ("27,5 x 21 ; 17 cm", []),
    ("156,5 ; 166", []),
    ("Hauteur 0.410 ; Largeur 0.332", []),  # metres, surely, but not written
    ("Pds. 7.95 (Axée à 6 h)", []),
    ("L. mm, l. mm, H. mm, Hauteur du talon mm, Pds. g", []),
    ("", []),
    ("inconnues", []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), DIMENSIONS, ids=[t for t, _ in DIMENSIONS])
def test_parse_dimensions(text: str, expected: list[Dimension]) -> None:
    assert parse_dimensions(text) == expected


def test_parse_dimensions_never_raises_on_noise() -> None:
    rng = random.Random(20180601)
    alphabet = "0123456789 .,;:=x()/Hhl LaPpDdEcmg°é\xa0?-"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert isinstance(parse_dimensions(text), list)


def test_joconde_dimensions_read() -> None:
    """The 1,863 DIMS of the Joconde extract: 99 % give measures, all positive, known units."""
    path = corpus_file("joconde/joconde_base-joconde-extrait_2020_reduced.csv")
    with path.open(encoding="utf-8", newline="") as f:
        values = [row["Dimensions"] for row in csv.DictReader(f) if row["Dimensions"]]
    read = 0
    for value in values:
        dims = parse_dimensions(value)
        read += bool(dims)
        for d in dims:
            assert d.value > 0 and d.unit in ("cm", "mm", "m", "g", "kg"), value
    assert (len(values), read) == (1863, 1845)


def test_palissy_dimensions_read() -> None:
    path = corpus_file("palissy/pop_api_palissy_msearch_response_IM52.json")
    hits = json.loads(path.read_text(encoding="utf-8"))["responses"][0]["hits"]["hits"]
    dims = {hit["_source"]["REF"]: parse_dimensions(hit["_source"]["DIMS"]) for hit in hits}
    assert dims["IM52000044"] == [D(H, 400), D(LA, 200)]
    assert dims["IM52000052"] == [
        D(H, 580),
        D(LA, 240),
        D(LA, 10, note="bordure du registre inférieur de la lancette droite"),
    ]
    assert dims["IM52000063"] == [D(H, 180), D(LA, 70), D(DI, 20, note="rondel")]
    assert dims["IM52000594"] == [D(H, 102), D(LA, 82), D(P, 50)]
    assert all(dims.values())


def test_fast_path_agrees_with_the_full_parser() -> None:
    """The one-regex path for plain values must give what the full parser gives."""
    path = corpus_file("joconde/joconde_base-joconde-extrait_2020_reduced.csv")
    with path.open(encoding="utf-8", newline="") as f:
        values = [row["Dimensions"] for row in csv.DictReader(f) if row["Dimensions"]]
    values += [text for text, _ in DIMENSIONS]
    assert [v for v in values if _parse.__wrapped__(v) != _parse_full(v)] == []
