"""Learn the generator's vocabularies from the real corpus, so synthetic notices speak POP's words.

Run once when the corpus grows: ``python bench/learn_generator.py --write`` rewrites the
learned part of mappings/generator.toml (everything after its LEARNED marker); without
``--write`` it prints that part. Only vocabulary facts are kept (values with their counts,
communes with their INSEE codes, how many values a field holds): never a whole notice.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import unicodedata
import zlib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TABLE = ROOT / "mappings" / "generator.toml"
MARKER = "# ===== LEARNED"

LEGACY = "merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv"
BAS_RHIN = "merimee/merimee_MH_dataculture_2022_labels_Bas-Rhin.csv"
TOULOUSE = "merimee/toulouse_base-merimee_inventaire_legacy_chp-fields.geojson"
GERTRUDE = "merimee/merimee_IA30_gertrude_pipe_export.txt"
PALISSY = "palissy/pop_api_palissy_msearch_response_IM52.json"
MUSEO = "museo/museofile_popcodes_2024.csv"
MEMOIRE = "memoire/memoire_photographies-serie-monuments-historiques-1851-a-1914_IDF.csv"
JOCONDE = "joconde/joconde_base-joconde-extrait_2020_reduced.csv"

# The 2016 merger of regions: POP writes today's region in REG and the former one in PLOC.
REGIONS_2016 = {
    "Alsace": "Grand Est",
    "Champagne-Ardenne": "Grand Est",
    "Lorraine": "Grand Est",
    "Aquitaine": "Nouvelle-Aquitaine",
    "Limousin": "Nouvelle-Aquitaine",
    "Poitou-Charentes": "Nouvelle-Aquitaine",
    "Auvergne": "Auvergne-Rhône-Alpes",
    "Rhône-Alpes": "Auvergne-Rhône-Alpes",
    "Bourgogne": "Bourgogne-Franche-Comté",
    "Franche-Comté": "Bourgogne-Franche-Comté",
    "Basse-Normandie": "Normandie",
    "Haute-Normandie": "Normandie",
    "Languedoc-Roussillon": "Occitanie",
    "Midi-Pyrénées": "Occitanie",
    "Nord-Pas-de-Calais": "Hauts-de-France",
    "Picardie": "Hauts-de-France",
    "Centre": "Centre-Val de Loire",
    "Ile-de-France": "Île-de-France",
    "Bretagne": "Bretagne",
    "Pays de la Loire": "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur": "Provence-Alpes-Côte d'Azur",
    "Corse": "Corse",
    "Réunion": "La Réunion",
    "Guadeloupe": "Guadeloupe",
    "Martinique": "Martinique",
    "Guyane": "Guyane",
    "Mayotte": "Mayotte",
    "Saint-Pierre-et-Miquelon": "Saint-Pierre-et-Miquelon",
}
#: Communes kept per département: at least MIN_PER_DPT, the rest by weight, about COMMUNES in all.
COMMUNES = 420
MIN_PER_DPT = 2


def split(value: str, sep: str = ";") -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def fold(text: str) -> str:
    return (
        "".join(
            c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn"
        )
        .replace("-", " ")
        .replace("'", " ")
    )


def legacy_rows() -> list[dict[str, str]]:
    lines = (CORPUS / LEGACY).read_text(encoding="utf-8").split("\n")
    header = lines[0].split("|")
    return [dict(zip(header, line.split("|"), strict=False)) for line in lines[1:] if line]


def csv_rows(relative: str, delimiter: str = ";") -> list[dict[str, str]]:
    with open(CORPUS / relative, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def toulouse() -> list[dict[str, str]]:
    data = json.loads((CORPUS / TOULOUSE).read_text(encoding="utf-8"))
    return [
        {k: v for k, v in f["properties"].items() if isinstance(v, str)} for f in data["features"]
    ]


def gertrude() -> list[dict[str, str]]:
    lines = (CORPUS / GERTRUDE).read_text(encoding="utf-8").split("\n")
    header = lines[0].split("|")
    rows = [dict(zip(header, line.split("|"), strict=False)) for line in lines[1:]]
    return [{k: v.strip('"') for k, v in r.items() if k} for r in rows]


def palissy() -> list[dict]:
    data = json.loads((CORPUS / PALISSY).read_text(encoding="utf-8"))
    return [h["_source"] for h in data["responses"][0]["hits"]["hits"]]


def values(rows: list[dict], code: str, sep: str | None = ";") -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        raw = row.get(code) or ""
        items = raw if isinstance(raw, list) else ([raw] if sep is None else split(raw, sep))
        counts.update(v.strip() for v in items if v.strip())
    return counts


def lengths(rows: list[dict], code: str, sep: str = ";") -> Counter[int]:
    return Counter(len(split(r[code], sep)) for r in rows if r.get(code, "").strip())


def decades(years: list[int]) -> Counter[int]:
    return Counter(y // 10 * 10 for y in years)


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def toml_pairs(name: str, counts: Counter, top: int | None = None, minimum: int = 1) -> str:
    items = [(k, v) for k, v in counts.most_common(top) if v >= minimum]
    body = ", ".join(f"[{toml_str(k) if isinstance(k, str) else k}, {v}]" for k, v in items)
    return f"{name} = [{body}]"


def learn_vocab() -> list[str]:
    """Vocabularies and value counts, one TOML line each."""
    mh = legacy_rows()
    tl = toulouse()
    ge = gertrude()
    pa = palissy()
    out: list[str] = []

    def add(name: str, counts: Counter, top: int | None = None, minimum: int = 1) -> None:
        out.append(toml_pairs(name, counts, top, minimum))

    # Monuments historiques (PA), legacy export: whole values keep their real spellings.
    add("mh_etud", values(mh, "ETUD", None))
    add("mh_stat", values(mh, "STAT", None), 25, 3)
    add("mh_affe", values(mh, "AFFE", None), 25, 2)
    add("mh_tico", values(mh, "TICO", None), 200, 3)
    add(
        "mh_adrs",
        Counter(re.sub(r"\s+\d.*$", "", a) for a in values(mh, "ADRS", None).elements()),
        150,
        2,
    )
    add("mh_autr", values(mh, "AUTR"), 200, 2)
    add("mh_autr_count", lengths(mh, "AUTR"))
    add("mh_scle", values(mh, "SCLE"), None, 3)
    add("mh_scle_count", lengths(mh, "SCLE"))
    # DENO of buildings: the MH titles that are a bare denomination ("Eglise", "Prieuré (ancien)").
    deno: Counter[str] = Counter()
    for tico, n in values(mh, "TICO", None).items():
        word = re.sub(r"\s*\((ancien|ancienne|anciens|anciennes)\)$", "", tico).strip()
        if re.match(r"(Anciens?|Anciennes?|Ruines?|Restes?)\b", word):
            continue
        if word and len(word.split()) <= 3 and not re.search(r"\d|Saint|Notre|[A-Z]", word[1:]):
            word = "é" + word[1:] if word.startswith("Eglise") else word[0].lower() + word[1:]
            deno[word] += n
    add("deno_buildings", deno, 120, 3)
    inv_deno = values(tl, "chpdeno") + values(ge, "DENO")
    add("inv_deno", inv_deno, 80, 2)

    # Protection: status of each DPRO event, how many events, which years, which acts.
    status: Counter[str] = Counter()
    years: list[int] = []
    year_only: Counter[int] = Counter()
    events_per_notice: Counter[int] = Counter()
    for row in mh:
        events = split(row.get("DPRO", ""))
        events_per_notice[len(events)] += 1 if events else 0
        for event in events:
            m = re.match(r"(\d{4})(/\d\d/\d\d)?\s*:?\s*(.+)$", event)
            if not m:
                continue
            status[m.group(3).strip()] += 1
            years.append(int(m.group(1)))
            if not m.group(2):
                year_only[int(m.group(1))] += 1
    add(
        "mh_dpro_status",
        Counter({k: v for k, v in status.items() if re.fullmatch(r"[a-zé][\w ]+", k)}),
    )
    add("mh_dpro_count", Counter({k: v for k, v in events_per_notice.items() if k}))
    add("dpro_decades", decades(years))
    add("dpro_year_only", year_only, None, 2)
    acts: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for segment in values(mh, "PPRO").elements():
        head, _, tail = segment.rpartition(" : ")
        m = re.match(r"((?:classement|inscription) par (?:arrêté|décret|journal officiel))", tail)
        if m:
            acts[m.group(1)] += 1
        if head and 2 < len(head) <= 60 and not re.search(r"\d|\)$|Voir", head):
            parts[head] += 1
    add("ppro_acts", acts)
    add("ppro_parts", parts, 150, 2)

    # Inventaire (IA): the Toulouse city survey and the Gertrude export of the Gard.
    add("inv_scle", values(tl, "chpscle") + values(ge, "SCLE"), None, 2)
    add("inv_scle_count", lengths(tl, "chpscle") + lengths(ge, "SCLE"))
    add("inv_autr", values(tl, "chpautr") + values(ge, "AUTR"), 120, 2)
    add("inv_autr_count", lengths(tl, "chpautr") + lengths(ge, "AUTR"))
    add("inv_jatt", values(tl, "chpjatt") + values(ge, "JATT"), None, 3)
    add("inv_jdat", values(tl, "chpjdat") + values(ge, "JDAT"), None, 3)
    add("inv_prot", values(tl, "chpprot", None), None, 2)
    add("inv_apro", values(tl, "chpapro"))
    add("inv_part", values(tl, "chppart"), 40, 3)
    add("inv_date_count", lengths(tl, "chpdate") + lengths(ge, "DATE"))

    # Palissy (IM52 stained glass): the few vocabularies the ten notices can teach.
    add("im_etat", values(pa, "ETAT", None))
    add("im_stad", values(pa, "STAD", None))
    add("im_insc", values(pa, "INSC", None))
    add("im_stru", values(pa, "STRU", None))

    # Dedications (vocables) from every title of the corpus: "Eglise Saint-Martin" → Saint-Martin.
    vocables: Counter[str] = Counter()
    titles = list(values(mh, "TICO", None).elements()) + [r.get("chptico", "") for r in tl]
    titles += [r["Appellation courante"] for r in csv_rows(BAS_RHIN)]
    titles += [s.get("EDIF", "") for s in pa]
    for title in titles:
        for m in re.finditer(
            r"\b(?:Saint|Sainte)(?:-[A-ZÉ][\w']*)+|\bNotre-Dame(?:-[\w']+)*", title
        ):
            vocables[m.group(0)] += 1
    add("vocables", vocables, 80, 2)
    return out + learn_other_bases()


def learn_other_bases() -> list[str]:
    """Joconde (joc_*), Mémoire (mem_*) and Museo (museo_*) vocabularies, one TOML line each.

    Joconde's export writes several values with ";" (no spaces) or "#" (the Mistral
    separator): both are split. Values are kept as the files write them.
    """
    jo = csv_rows(JOCONDE, ",")
    me = csv_rows(MEMOIRE)
    mu = csv_rows(MUSEO)
    out: list[str] = []

    def add(name: str, counts: Counter, top: int | None = None, minimum: int = 1) -> None:
        out.append(toml_pairs(name, counts, top, minimum))

    def many(rows: list[dict], code: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for row in rows:
            counts.update(v.strip() for v in re.split(r"[;#]", row.get(code) or "") if v.strip())
        return counts

    def how_many(rows: list[dict], code: str) -> Counter[int]:
        return Counter(
            len([v for v in re.split(r"[;#]", r[code]) if v.strip()])
            for r in rows
            if (r.get(code) or "").strip()
        )

    add("joc_domn", many(jo, "Domaine"), 60, 2)
    add("joc_domn_count", how_many(jo, "Domaine"))
    add("joc_deno", many(jo, "Dénomination"), 120, 2)
    add("joc_peri", many(jo, "Période_de_création"), None, 2)
    add("joc_peri_count", how_many(jo, "Période_de_création"))
    add("joc_tech", many(jo, "Matériaux-techniques"), 150, 2)
    add("joc_tech_count", how_many(jo, "Matériaux-techniques"))
    add("joc_ecol", many(jo, "Ecole"), 40, 2)
    add("joc_epoq", many(jo, "Epoque"), None, 2)
    add("joc_util", many(jo, "Utilisation"), 40, 2)
    # subjects: the head of each ("portrait", "paysage"), what a title is made from
    heads = Counter(re.sub(r"\s*\(.*$", "", v) for v in many(jo, "Sujet").elements())
    add("joc_repr", Counter({k: v for k, v in heads.items() if k}), 120, 2)
    add("joc_titr", values(jo, "Titre", None), 60, 2)
    # STAT: owner and mode of acquisition, the museum left out (the link gives it)
    stat = Counter(
        " ; ".join(split(v)[:2]) for v in values(jo, "Statut_juridique", None).elements()
    )
    add("joc_stat", stat, 40, 2)
    add("joc_lieux", values(jo, "Lieu_de_création", None), 60, 2)
    add("joc_label", values(jo, "Label_Musée_de_France", None))

    add("mem_leg", values(me, "leg", None), 200, 2)
    add("mem_edif", values(me, "edif", None), 120, 2)
    add("mem_autoeu", values(me, "autoeu"), None, 2)
    add("mem_datpv", values(me, "datpv", None), None, 2)
    add("mem_adresse", values(me, "adresse", None), 80, 2)
    add("mem_scle", values(me, "scle"))
    add("mem_copy", values(me, "copy", None))

    add("museo_nomoff", values(mu, "nomoff", None), 200, 2)
    add("museo_categ", values(mu, "categ", None), None, 2)
    add("museo_dompal", many(mu, "dompal"), None, 2)
    add("museo_dompal_count", how_many(mu, "dompal"))
    add("museo_prot_esp", values(mu, "prot_esp", None), 20, 2)
    add("museo_lieu", values(mu, "lieu_m", None), 40, 2)
    add("museo_adrl1", values(mu, "adrl1_m", None), 40, 2)
    return out


def learn_places() -> list[str]:
    """Départements (today's and former region) and weighted communes with a position."""
    mh = legacy_rows()
    # Positions: museums (matched by département and name), MH monuments of the Bas-Rhin file
    # and Mémoire photographs of Île-de-France (matched by INSEE code).
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in csv_rows(MUSEO):
        cp = row["cp_m"].strip()
        if not cp or not row["latitude"] or not row["longitude"]:
            continue
        code = cp[:3] if cp.startswith("97") else cp[:2]
        if code == "20":
            code = "2A" if row["dpt"].strip() == "Corse-du-Sud" else "2B"
        point = (float(row["latitude"]), float(row["longitude"]))
        points[code].append(point)
        by_name[(code, fold(row["ville_m"]))].append(point)
    by_insee: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in csv_rows(BAS_RHIN):
        if row["coordonnees"]:
            lat, lon = (float(x) for x in row["coordonnees"].split(","))
            by_insee[row["INSEE"]].append((lat, lon))
    for row in csv_rows(MEMOIRE):
        if row["wgs84"] and row["insee"]:
            lat, lon = (float(x) for x in row["wgs84"].split(","))
            by_insee[row["insee"]].append((lat, lon))

    old_region: dict[str, Counter[str]] = defaultdict(Counter)
    weight: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    dpt_of: dict[str, str] = {}
    for row in mh:
        dpt, insee, com = row["DPT"], split(row.get("INSEE", ""))[:1], row.get("COM", "").strip()
        if not insee or not re.fullmatch(r"\d[\dAB]\d{2,3}", insee[0]) or ";" in dpt or not com:
            continue
        old_region[dpt][row["REG"].strip()] += 1
        # The sample keeps every Bas-Rhin record but one in four elsewhere: weigh it back.
        weight[insee[0]] += 0.25 if dpt == "67" else 1.0
        names[insee[0]][com] += 1
        dpt_of[insee[0]] = dpt

    lines = [
        "[departements]  # DPT = [REG (today), REG before 2016, as the legacy export wrote it]"
    ]
    dpts = sorted(old_region)
    for code in dpts:
        former = old_region[code].most_common(1)[0][0]
        former = {"Île-de-France": "Ile-de-France", "haute-Normandie": "Haute-Normandie"}.get(
            former, former
        )
        today = REGIONS_2016.get(former, former)
        lines.append(f"{toml_str(code)} = [{toml_str(today)}, {toml_str(former)}]")

    chosen: dict[str, float] = {}
    per_dpt: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for insee, w in weight.items():
        per_dpt[dpt_of[insee]].append((w, insee))
    for code in dpts:
        for w, insee in sorted(per_dpt[code], key=lambda x: (-x[0], x[1]))[:MIN_PER_DPT]:
            chosen[insee] = w
    for insee, w in sorted(weight.items(), key=lambda x: (-x[1], x[0])):
        if len(chosen) >= COMMUNES:
            break
        chosen.setdefault(insee, w)
    # The communes left out give their weight to the chosen communes of their département.
    total_dpt: Counter[str] = Counter()
    kept_dpt: Counter[str] = Counter()
    for insee, w in weight.items():
        total_dpt[dpt_of[insee]] += w
    for insee, w in chosen.items():
        kept_dpt[dpt_of[insee]] += w

    lines.append("")
    lines.append(
        "[communes]  # INSEE = [COM (index form), WCOM (editorial form), DPT, lat, lon, weight]"
    )
    lines.append("# weight: MH notices of the commune in the legacy sample, scaled so that each")
    lines.append(
        "# département keeps its whole share; position: the mean of corpus points in the commune,"
    )
    lines.append(
        "# else a stable point near the centre of the département's museums (approximate)."
    )
    for insee in sorted(chosen, key=lambda k: (dpt_of[k], k)):
        dpt, com = dpt_of[insee], names[insee].most_common(1)[0][0]
        w = chosen[insee] * total_dpt[dpt] / kept_dpt[dpt]
        pts = by_insee.get(insee) or by_name.get((dpt, fold(editorial(com))), [])
        if pts:
            lat = sum(p[0] for p in pts) / len(pts)
            lon = sum(p[1] for p in pts) / len(pts)
        else:
            lat, lon = near_centre(points.get(dpt, []), insee)
        lines.append(
            f"{toml_str(insee)} = [{toml_str(com)}, {toml_str(editorial(com))}, {toml_str(dpt)}, "
            f"{lat:.5f}, {lon:.5f}, {round(w, 2)}]"
        )
    return lines


def editorial(index_form: str) -> str:
    """POP's editorial form of an index-form name: "Petite-Pierre (La)" → "La Petite-Pierre"."""
    m = re.fullmatch(r"(.+?)\s*\(([^()]*)\)", index_form)
    if not m or not m.group(2):
        return index_form
    head, article = m.group(1), m.group(2)
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{head}"


def near_centre(points: list[tuple[float, float]], insee: str) -> tuple[float, float]:
    """A stable point near the département's museums: its centre plus an offset from the code."""
    if not points:
        return 46.6, 2.4
    lat = sorted(p[0] for p in points)[len(points) // 2]
    lon = sorted(p[1] for p in points)[len(points) // 2]
    h = zlib.crc32(insee.encode())
    angle, radius = (h % 360) * math.pi / 180, 0.05 + (h >> 9) % 20 / 100
    return lat + radius * math.sin(angle) * 0.7, lon + radius * math.cos(angle)


def render() -> str:
    head = [
        MARKER + " (bench/learn_generator.py --write rewrites from here to the end) =====",
        "# Counts are occurrences in ../shared/corpus (see its PROVENANCE.md): the legacy MH",
        "# export (mh_*), the Toulouse and Gard Inventaire files (inv_*), the Palissy IM52 JSON (im_*),",
        f"# Joconde {JOCONDE} (joc_*), Mémoire {MEMOIRE.split('/')[0]}/…_IDF.csv (mem_*),",
        f"# Museo {MUSEO} (museo_*).",
        "",
        "[learned]  # vocabularies, like [vocab]",
    ]
    return "\n".join(head + learn_vocab() + [""] + learn_places()) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite mappings/generator.toml")
    args = parser.parse_args()
    if not (CORPUS / LEGACY).exists():
        sys.exit(f"corpus not found at {CORPUS}")
    learned = render()
    if not args.write:
        sys.stdout.write(learned)
        return
    text = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
    kept = text.split(MARKER)[0].rstrip("\n")
    TABLE.write_text((kept + "\n\n" if kept else "") + learned, encoding="utf-8")
    print(f"wrote {TABLE}", file=sys.stderr)


if __name__ == "__main__":
    main()
