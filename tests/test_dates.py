"""pop_ld.dates: POP date values → xsd:dateTime bounds, on the forms the corpus holds."""

from __future__ import annotations

import csv
import re
import tomllib
from datetime import date

import pytest
from conftest import corpus_file

from pop_ld.dates import (
    PERIODS_FILE,
    Period,
    ProtectionEvent,
    _periods,
    bound_key,
    parse_date,
    parse_period,
    parse_protection,
)

B, E = "-01-01T00:00:00", "-12-31T23:59:59"


def years(begin: str, end: str, approximate: bool = False) -> Period:
    return Period(begin + B, end + E, approximate)


PERIODS = [
    # centuries
    ("17e siècle", years("1600", "1699")),
    ("XVIIe siècle", years("1600", "1699")),
    ("xviie SIECLE", years("1600", "1699")),
    ("17e s.", years("1600", "1699")),
    ("1er siècle", years("0001", "0099")),
    ("13e siecle", years("1200", "1299")),
    ("16è siècle", years("1500", "1599")),
    ("2e moitié 19 siècle", years("1850", "1899")),
    ("11e siècle av. J.-C.", years("-1099", "-1000")),
    ("1er siècle av. JC", years("-0099", "0000")),
    ("iie siècle av jc", years("-0199", "-0100")),
    ("1er quart 1er siècle av JC", years("-0099", "-0075")),
    ("3e millénaire av. J.-C.", years("-2999", "-2000")),
    # fractions
    ("2e moitié 12e siècle", years("1150", "1199")),
    ("1ère moitié 19e siecle (détruit)", years("1800", "1849")),
    ("1er quart 16e siècle", years("1500", "1524")),
    ("4e quart 19e siècle", years("1875", "1899")),
    ("3E QUART 19E SIECLE", years("1850", "1874")),
    ("1er tiers 16e siècle", years("1500", "1533")),
    ("2e tiers 16e siècle", years("1533", "1566")),
    ("3e tiers 16e siècle", years("1566", "1599")),
    ("début 18e siècle", years("1700", "1724")),
    ("fin 18e siècle", years("1775", "1799")),
    ("milieu 16e siècle", years("1540", "1560")),
    ("13e siecle fin", years("1275", "1299")),
    ("14e (début)", years("1300", "1324")),
    ("18e siècle (1e moitié)", years("1700", "1749")),
    ("14e siècle (2e quart)", years("1325", "1349")),
    ("limite 18e siècle 19e siècle", years("1790", "1809")),
    # doubt
    ("17e siècle (?)", years("1600", "1699", True)),
    ("17e siècle(?)", years("1600", "1699", True)),
    ("18E SIECLE (?)", years("1700", "1799", True)),
    ("1960 ?", years("1960", "1960", True)),
    # years
    ("1750", years("1750", "1750")),
    ("vers 1750", years("1740", "1760", True)),
    ("1750 vers", years("1740", "1760", True)),
    ("1520 VERS", years("1510", "1530", True)),
    ("1890 (vers)", years("1880", "1900", True)),
    ("1643-1658", years("1643", "1658")),
    ("1643 - 1658", years("1643", "1658")),
    ("1643-58", years("1643", "1658")),
    ("337-341", years("0337", "0341")),
    ("entre 1950 et 1960", years("1950", "1960")),
    ("1950 entre ; 1960 et", years("1950", "1960")),
    ("1886 entre, 1895 et", years("1886", "1895")),
    ("1950 entre", years("1950", "1950", True)),
    ("1960 et", years("1960", "1960", True)),
    ("1455 ou", years("1455", "1455", True)),
    ("1863 avant", years("1813", "1863", True)),
    ("avant 1863", years("1813", "1863", True)),
    ("après 1863", years("1863", "1913", True)),
    ("1789 (après)", years("1789", "1839", True)),
    ("1905 (avant, supposé)", years("1855", "1905", True)),
    ("1919 (avant)", years("1869", "1919", True)),
    ("1907 (supposé)", years("1907", "1907", True)),
    ("1750 achevé en", years("1750", "1750", True)),
    ("1882 tirage", years("1882", "1882")),
    ("1955 acquis", years("1955", "1955")),
    ("1952-1953 déposé", years("1952", "1953")),
    ("années 1920", years("1920", "1929")),
    ("2 av JC", years("-0001", "-0001")),
    ("52 av. J.-C.", years("-0051", "-0051")),
    ("1200 av JC entre", years("-1199", "-1199", True)),
    ("500 ap entre", years("0500", "0500", True)),
    # months and days
    ("1889.03", Period("1889-03-01T00:00:00", "1889-03-31T23:59:59")),
    ("1889/03", Period("1889-03-01T00:00:00", "1889-03-31T23:59:59")),
    ("1900/02", Period("1900-02-01T00:00:00", "1900-02-28T23:59:59")),
    ("09/1923", Period("1923-09-01T00:00:00", "1923-09-30T23:59:59")),
    ("juillet 1996", Period("1996-07-01T00:00:00", "1996-07-31T23:59:59")),
    ("1997/03/12", Period("1997-03-12T00:00:00", "1997-03-12T23:59:59")),
    ("12/03/1997", Period("1997-03-12T00:00:00", "1997-03-12T23:59:59")),
    ("2014-05/28", Period("2014-05-28T00:00:00", "2014-05-28T23:59:59")),
    ("19.05.1987", Period("1987-05-19T00:00:00", "1987-05-19T23:59:59")),
    ("4 mars 2003", Period("2003-03-04T00:00:00", "2003-03-04T23:59:59")),
    ("1928/20/06", Period("1928-06-20T00:00:00", "1928-06-20T23:59:59")),  # YYYY/DD/MM
    ("3e quart19e siècle", years("1850", "1874")),
    ("limite19e siècle 20e siècle", years("1890", "1909")),
    ("1870/08/01 après", Period("1870-08-01T00:00:00", "1920-12-31T23:59:59", True)),
    # hulls of alternatives
    ("17e siècle, 18e siècle", years("1600", "1799")),
    ("12e siècle. 16e siècle", years("1100", "1599")),
    ("17e-18e siècle", years("1600", "1799")),
    ("1910 ou 1901/04", Period("1901-04-01T00:00:00", "1910-12-31T23:59:59", True)),
    # named periods (mappings/periods.toml)
    ("Néolithique", years("-5999", "-2200")),
    ("Gallo-romain", years("-0051", "0486")),
    ("Gallo-romain (?)", years("-0051", "0486", True)),
    ("Gallo-romain (détruit)", years("-0051", "0486")),
    ("Moyen Âge", years("0476", "1492")),
    ("Moyen-Age", years("0476", "1492")),
    ("moyen age (?)", years("0476", "1492", True)),
    ("Haut Moyen Âge", years("0476", "0987")),
    ("Bas Moyen Âge", years("1328", "1492")),
    ("Renaissance", years("1494", "1610")),
    ("style Renaissance", years("1494", "1610")),
    ("Antiquité", years("-3299", "0476")),
    ("Préhistoire", years("-1199999", "-2200")),
    ("Paléolithique", years("-1199999", "-9599")),
    ("Paléolithique supérieur", years("-44999", "-9599")),
    ("Âge du bronze", years("-2199", "-0800")),
    ("âge du bronze final", years("-1349", "-0800")),
    ("Age du fer", years("-0799", "-0051")),
    ("Age du fer 2 (?)", years("-0449", "-0051", True)),
    ("Protohistoire", years("-2199", "-0051")),
    ("Mérovingien (contexte)", years("0481", "0751")),
    ("Carolingien", years("0751", "0987")),
    ("Roman", years("1000", "1200")),
    ("Gothique", years("1140", "1530")),
    ("Époque moderne", years("1492", "1789")),
    ("temps modernes", years("1492", "1789")),
    ("Haut-Empire", years("-0026", "0284")),
    ("époque Louis-Philippe", years("1830", "1848")),
    ("époque Qing (1644 - 1911)", years("1644", "1911")),
]


@pytest.mark.parametrize(("text", "expected"), PERIODS, ids=[t for t, _ in PERIODS])
def test_parse_period(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


def test_epoque_contemporaine_runs_to_this_year() -> None:
    assert parse_period("Époque contemporaine") == years("1789", f"{date.today().year:04d}")


UNPARSED = [
    "",
    "?",
    "(?)",
    "détruit)",
    "sans date",
    "date d'acquisition inconnue",
    "art nouveau",
    "20",  # two digits, no era: not a year
    "1889/13",
    "1997/02/30",
    "12e siècle (S.E.P.XIX.8.1)",  # an unknown parenthesis is not dropped silently
    "7ï¿½me ou 8ï¿½me siï¿½cle aprï¿½s J.C. ? ou ï¿½poque moderne ?",
]


@pytest.mark.parametrize("text", UNPARSED)
def test_parse_period_gives_none(text: str) -> None:
    assert parse_period(text) is None


DAYS = [
    ("2019-01-21", "2019-01-21"),
    ("2019/01/21", "2019-01-21"),
    ("21/01/2019", "2019-01-21"),
    ("2021-02-15T10:11:12.000Z", "2021-02-15"),
    ("4 mars 2003", "2003-03-04"),
    ("2019", None),
    ("2019/01", None),
    ("2019-02-30", None),
    ("1928/20/06", "1928-06-20"),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DAYS)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def day(iso: str) -> Period:
    return Period(iso + "T00:00:00", iso + "T23:59:59")


PROTECTIONS = [
    (
        "1949/07/02 : classé MH",
        [ProtectionEvent("1949/07/02 : classé MH", "classé MH", day("1949-07-02"))],
    ),
    ("1840 : classé MH", [ProtectionEvent("1840 : classé MH", "classé MH", years("1840", "1840"))]),
    (
        "2016/02/12:inscrit MH",
        [ProtectionEvent("2016/02/12:inscrit MH", "inscrit MH", day("2016-02-12"))],
    ),
    (
        "2022/01/14\xa0: inscrit MH",
        [ProtectionEvent("2022/01/14 : inscrit MH", "inscrit MH", day("2022-01-14"))],
    ),
    (
        "1909/07/09 : classé au titre immeuble",
        [
            ProtectionEvent(
                "1909/07/09 : classé au titre immeuble",
                "classé au titre immeuble",
                day("1909-07-09"),
            )
        ],
    ),
    (
        "1995/02/17 : inscrit MH partiellement",
        [
            ProtectionEvent(
                "1995/02/17 : inscrit MH partiellement",
                "inscrit MH partiellement",
                day("1995-02-17"),
            )
        ],
    ),
    (
        "1840 classé MH ; 1911/02/11 classé MH ; 1995/02/17 classé MH",
        [
            ProtectionEvent("1840 classé MH", "classé MH", years("1840", "1840")),
            ProtectionEvent("1911/02/11 classé MH", "classé MH", day("1911-02-11")),
            ProtectionEvent("1995/02/17 classé MH", "classé MH", day("1995-02-17")),
        ],
    ),
    (
        "2004/11/10 : classé MH : 2004/11/10 : inscrit MH",
        [
            ProtectionEvent("2004/11/10 : classé MH", "classé MH", day("2004-11-10")),
            ProtectionEvent("2004/11/10 : inscrit MH", "inscrit MH", day("2004-11-10")),
        ],
    ),
    ("1931/10/03", [ProtectionEvent("1931/10/03", "", day("1931-10-03"))]),
    (
        "1928/20/06 inscrit M.H.",
        [ProtectionEvent("1928/20/06 inscrit M.H.", "inscrit M.H.", day("1928-06-20"))],
    ),
    ("radié MH", [ProtectionEvent("radié MH", "radié MH", None)]),
    ("", []),
    (" ; ", []),
]


@pytest.mark.parametrize(("text", "expected"), PROTECTIONS, ids=[t for t, _ in PROTECTIONS])
def test_parse_protection(text: str, expected: list[ProtectionEvent]) -> None:
    assert parse_protection(text) == expected


def test_periods_table_has_a_source_on_every_line() -> None:
    lines = [
        line for line in PERIODS_FILE.read_text(encoding="utf-8").splitlines() if "= {" in line
    ]
    with PERIODS_FILE.open("rb") as f:
        table = tomllib.load(f)["periods"]
    assert len(lines) == len(table)
    assert [line for line in lines if "#" not in line] == []
    assert len(_periods()) == len(table)  # labels stay distinct once folded


def test_bound_key_orders_bce_years() -> None:
    keys = ["-1199999-01-01T00:00:00", "-0051-12-31T23:59:59", "0000-01-01T00:00:00", "0476"]
    assert sorted(keys, key=bound_key) == keys
    assert sorted(keys) != keys  # what plain string order would get wrong


def _bound(lexical: str) -> tuple[int, str]:
    assert re.fullmatch(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d", lexical), lexical
    return bound_key(lexical)


def test_every_date_of_the_2018_parsing_error_log() -> None:
    """POP's own unparsed DATE values: none raises, bounds are ordered, junk stays unparsed."""
    with corpus_file("auxiliary/pop_api_value_parsing_errors_2018.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        values = [row[3] for row in csv.reader(f) if row[0] == "DATE"]
    unparsed = set()
    for value in values:
        period = parse_period(value)
        if period is None:
            unparsed.add(value)
            continue
        assert _bound(period.begin) <= _bound(period.end), value
    parsed = len(values) - sum(1 for v in values if v in unparsed)
    assert (len(values), parsed) == (2809, 2671)  # 95.1 %; the rest is below, all fragments
    assert unparsed == {
        "",
        "détruit)",
        "(?)",
        "?",
        "?)",
        "(détruit)",
        "7ï¿½me ou 8ï¿½me siï¿½cle aprï¿½s J.C. ? ou ï¿½poque moderne ?",
    }


def test_every_scle_of_the_merimee_samples_parses() -> None:
    """SCLE of the pre-POP Mérimée export and Siècle of the 2022 Bas-Rhin export: all read."""
    values = []
    with corpus_file("merimee/merimee-MH-valid_legacy_pipe_utf8_sample.csv").open(
        encoding="utf-8"
    ) as f:
        next(f)
        values += [line.rstrip("\n").split("|")[13] for line in f]
    with corpus_file("merimee/merimee_MH_dataculture_2022_labels_Bas-Rhin.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        values += [row["Siècle"] for row in csv.DictReader(f, delimiter=";")]
    parts = [p.strip() for v in values for p in v.split(";") if p.strip()]
    assert [p for p in parts if parse_period(p) is None] == []
    for p in parts:
        period = parse_period(p)
        assert period is not None
        assert _bound(period.begin) <= _bound(period.end), p
