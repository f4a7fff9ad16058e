"""Write mappings/labels/{base}.csv (code, label, section) from POP's field schemas.

The notice page shows fields in POP's reading order with POP's French labels, grouped in
sections. The schemas (../shared/pop-schema/{base}.csv) may be absent where the site runs, so
their labels are copied into the project as data by this script, run again when a schema
changes:

    .venv/bin/python scripts/make_labels.py [--schemas ../shared/pop-schema]

Reading order: the sections in SECTIONS order; inside a section, the codes SECTIONS lists (the
order of POP's notice pages), then the base's other fields in schema order. A field the table
does not list goes to the section its label suggests (KEYWORDS), else to "description".
Fields that are never shown (POP's internal and generated flags, masked fields) are kept with
section "masque", so every schema field is accounted for.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mappings" / "labels"
BASES = ("merimee", "palissy", "memoire", "joconde", "mnr", "museo", "autor", "enluminures")

#: Section key → codes in reading order (POP's notice pages, every base at once: codes mean the
#: same thing in every base that has them).
SECTIONS: dict[str, list[str]] = {
    "identification": [
        "REF",
        "TICO",
        "TITR",
        "TITRE",
        "APPL",
        "NOMOFF",
        "NOMUSAGE",
        "NOM",
        "PREN",
        "ALIAS",
        "DENO",
        "PDEN",
        "VOCA",
        "GENR",
        "CATE",
        "DOMN",
        "TYPE",
        "TYPID",
        "PART",
        "PARN",
        "PAPP",
        "STRU",
        "INV",
        "NINV",
        "NART",
        "REFE",
        "REFP",
        "OBJT",
        "LEG",
        "SUJET",
        "SERIE",
        "NUMI",
        "NUMP",
        "NUMTI",
        "COTE",
        "CONTIENT",
        "FORMES",
        "ATTR",
        "ECOL",
    ],
    "historique": [
        "SCLE",
        "SCLD",
        "SCLX",
        "DATE",
        "DATDEB",
        "DATFIN",
        "DATPV",
        "DATOR",
        "DATD",
        "PERI",
        "MILL",
        "EPOQ",
        "PEOC",
        "STAD",
        "JDAT",
        "AUTR",
        "PAUT",
        "AFIG",
        "ATEL",
        "AUTP",
        "AUTOR",
        "AUTG",
        "JATT",
        "EXEC",
        "ORIG",
        "LIEUX",
        "PLIEUX",
        "GEOHI",
        "ACQU",
        "DACQ",
        "APTN",
        "REMP",
        "DEPL",
        "HIST",
        "HIST2",
        "HIST3",
        "HIST4",
        "PERS",
        "DMORT",
        "DNAISS",
        "LMORT",
        "LNAISS",
        "BIOG",
        "BIO",
        "DATES",
        "FONC",
        "ACTIV",
        "FORM",
        "OEUVR",
        "LRELA",
        "ATTRIB",
        "AUTS",
        "PROV",
        "POSS",
        "ORIGG",
        "DECV",
        "PDEC",
        "PDAT",
        "MILU",
        "PERU",
    ],
    "description": [
        "DESC",
        "MURS",
        "TOIT",
        "MATR",
        "TECH",
        "PLAN",
        "ETAG",
        "VOUT",
        "ELEV",
        "COUV",
        "ESCA",
        "ENER",
        "VERT",
        "DIMS",
        "PDIM",
        "INSC",
        "PINS",
        "MARQ",
        "REPR",
        "PREP",
        "DREP",
        "SREP",
        "ETAT",
        "PETA",
        "TYPO",
        "ACTU",
        "REMA",
        "UTIL",
        "GENE",
        "ICO",
    ],
    "localisation": [
        "REG",
        "DPT",
        "DPT_LETTRE",
        "COM",
        "WCOM",
        "INSEE",
        "LOCA",
        "CANT",
        "LIEU",
        "ADRS",
        "WADRS",
        "PLOC",
        "AIRE",
        "HYDR",
        "EDIF",
        "EMPL",
        "REFA",
        "MOSA",
        "IMPL",
        "POP_COORDONNEES.lat",
        "COOR",
        "COORM",
        "ZONE",
        "MUSEO",
        "NOMMUSEE",
        "VILLE_M",
        "DEPO",
        "DDPT",
        "ADPT",
        "SALLES",
        "PAYS",
        "LOCA2",
        "ETAB",
        "REFD",
    ],
    "protection": [
        "PROT",
        "DPRO",
        "APRO",
        "PPRO",
        "MHPP",
        "NUMA",
        "OBS",
        "STAT",
        "PSTA",
        "PRECISION_JURIDIQUE",
        "AFFE",
        "PAFF",
        "INTE",
        "PINT",
        "SITE",
        "VISI",
        "DLAB",
        "MANQUANT",
        "VOLS",
        "LABEL",
    ],
    "references": [
        "BASE",
        "PRODUCTEUR",
        "ETUD",
        "DOSS",
        "THEM",
        "NOMS",
        "REDA",
        "DBOR",
        "DENQ",
        "DMIS",
        "DMAJ",
        "COPY",
        "CONTACT",
        "BIBL",
        "SOUR",
        "EXPO",
        "RENV",
        "RENP",
        "REFJOC",
        "REFMUS",
        "REFMER",
        "REFPAL",
        "REFMEM",
        "LBASE",
        "ARCHEO",
        "RFPA",
        "IDAGR",
        "LMDP",
        "LARC",
        "LINHA",
        "LREG",
        "LIENS",
        "WEB",
        "DOSURL",
        "DOSURLPDF",
        "DOSADRS",
        "POP_DOSSIER_VERT",
        "POP_ARRETE_PROTECTION",
        "POP_DOSSIER_PROTECTION",
        "MFICH",
        "MICR",
        "CADA",
        "PHOTO",
        "IMG",
        "VIDEO",
        "IMAGE",
        "WRENV",
    ],
}

#: Section keys in the order the page shows them, and their titles.
ORDER = (*SECTIONS, "masque")
TITLES = {
    "identification": "Identification",
    "historique": "Historique",
    "description": "Description",
    "localisation": "Localisation",
    "protection": "Protection et statut juridique",
    "references": "Références",
    "masque": "Non publié",
}

#: Words of a label that place an unlisted field (first match wins).
KEYWORDS: list[tuple[str, str]] = [
    (r"protection|juridique|propriét", "protection"),
    (
        r"lieu|commune|adresse|localisation|département|région|coordonn|emplacement|édifice",
        "localisation",
    ),
    (r"date|siècle|auteur|historique|création|provenance|acquisition", "historique"),
    (
        r"référence|lien|url|copyright|notice|dossier|bibliograph|source|exposition|photo",
        "references",
    ),
    (r"dénomination|titre|appellation|nom |numéro|inventaire", "identification"),
]

#: Codes never shown as fields: internal, computed by POP, or masked.
HIDDEN = {
    "POP_COORDONNEES.lon",
    "POP_COORDINATES_POLYGON.type",
    "POP_COORDINATES_POLYGON.coordinates",
    "POP_FLAGS",
    "POP_IMPORT",
    "POP_DATE",
    "POP_CONTIENT_GEOLOCALISATION",
    "POP_HAS_LOCATION",
    "POP_COMMENTAIRES",
    "POP_COORDINATES_POINT",
    "CONTIENT_IMAGE",
    "MEMOIRE",
    "TOUT",
    "HISTORIQUE",
    "_id",
    "__v",
    "REFM",
    "MOSA_FLAG",
    "REFO",
    "REFIM",
}
MASKED = re.compile(r"^(ADRS2|COM2|EDIF2|EMPL2|INSEE2|LBASE2)$")

#: Labels for the schema's unlabelled fields that the page shows.
LABELS = {
    "POP_COORDONNEES.lat": "Coordonnées géographiques (WGS84)",
    "SCLD": "Siècle de campagne secondaire",
    "SCLX": "Siècle (précision)",
    "NBOR": "Numéro de bordereau",
    "ACMH": "Texte de l'arrêté",
    "ACURL": "Lien vers l'arrêté",
    "LMDP": "Référence vers la base Médiathèque",
    "WRENV": "Autre forme du renvoi (éditorial)",
    "IMG": "Images",
    "PRODUCTEUR": "Producteur",
    "BASE": "Base",
}


def read_schema(path: Path) -> list[tuple[str, str]]:
    """(code, label) of every field, in schema order.

    Only the first four columns are read: memoire.csv has a row whose description holds
    unescaped quotes, which shifts the later columns.
    """
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    code_at, label_at = header.index("path"), header.index("label")
    return [(row[code_at].strip(), row[label_at].strip()) for row in rows[1:] if row]


def section_of(code: str, label: str) -> str:
    """The section a field is shown in."""
    if code in HIDDEN or MASKED.match(code):
        return "masque"
    for section, codes in SECTIONS.items():
        if code in codes:
            return section
    folded = label.lower()
    for pattern, section in KEYWORDS:
        if re.search(pattern, folded):
            return section
    return "description"


def rows_for(fields: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(code, label, section) in reading order."""
    schema_rank = {code: i for i, (code, _) in enumerate(fields)}
    rows = []
    for code, label in fields:
        if not label.strip() or label.strip() == code:
            label = LABELS.get(code, code)
        rows.append((code, label, section_of(code, label)))

    def rank(row: tuple[str, str, str]) -> tuple[int, int, int]:
        code, _, section = row
        listed = SECTIONS.get(section, [])
        in_table = listed.index(code) if code in listed else len(listed)
        return ORDER.index(section), in_table, schema_rank[code]

    return sorted(rows, key=rank)


def write(base: str, rows: list[tuple[str, str, str]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{base}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "label", "section"])
        writer.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=Path, default=ROOT.parent / "shared" / "pop-schema")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    missing = [b for b in BASES if not (args.schemas / f"{b}.csv").exists()]
    if missing:
        print(f"no schema for {', '.join(missing)} in {args.schemas}", file=sys.stderr)
        return 2
    with open(args.out / "sections.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["section", "title"])
        writer.writerows((key, TITLES[key]) for key in ORDER)
    for base in BASES:
        rows = rows_for(read_schema(args.schemas / f"{base}.csv"))
        path = write(base, rows, args.out)
        shown = sum(1 for r in rows if r[2] != "masque")
        print(f"{path.relative_to(ROOT)}: {len(rows)} fields, {shown} shown", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
