"""French-aware words for search: one folding, used by the side index and by the SPARQL.

"eglise romane" must find "Église romane", and "églises" the "église": text is folded
(case, accents, œ/æ ligatures) and each word reduced to a light plural stem. The same
rules give the SQLite index its tokens and the SPARQL shown on the page its regular
expressions, so the two find the same notices (a test checks it).

The stem drops trailing ``s`` and ``x`` and never shortens a word below three letters:
"églises" → "eglise", "châteaux" → "chateau", "bas" stays "bas". It is idempotent, which
the regular expression relies on: a word stems to ``t`` exactly when it is ``t`` followed
by any run of ``s``/``x`` (and ``t`` has at least three letters), or is ``t`` itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: Letters with no decomposition that French writes as two.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
#: A word: letters and digits (Unicode), as the SPARQL's [\p{L}\p{N}] sees them.
_WORD = re.compile(r"[^\W_]+")
_STEM = re.compile(r"\b([^\W_]{3,}?)[sx]+\b")
#: Put between the values of one notice in the index, so a phrase never spans two of them.
SEPARATOR = "qqsepqq"
#: Outside a word, for the SPARQL regular expressions.
_NOT_WORD = r"[^\p{L}\p{N}]"
#: Characters an XPath regular expression (SPARQL's REGEX) needs escaped.
_META = frozenset("\\|.?*+(){}-[]^$")


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelt out.

    >>> fold("Œuvre d'ÉGLISE à Noël")
    "oeuvre d'eglise a noel"
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A folded word's plural stem (trailing s/x off, three letters at least).

    >>> [stem(w) for w in ("eglises", "chateaux", "bas", "as", "tennis", "1800")]
    ['eglise', 'chateau', 'bas', 'as', 'tenni', '1800']
    """
    return _STEM.sub(r"\1", word)


def words(text: str) -> list[str]:
    """The stemmed words of a text, in order: what the index stores and queries match.

    >>> words("L'Église Notre-Dame (XIIe siècle)")
    ['l', 'eglise', 'notre', 'dame', 'xiie', 'siecle']
    """
    return [stem(w) for w in _WORD.findall(fold(text))]


def index_text(values: list[str]) -> str:
    """Several values of one notice as one indexed text, a separator between them."""
    return f" {SEPARATOR} ".join(" ".join(words(v)) for v in values if v)


@cache
def _variants() -> dict[str, list[str]]:
    """The accented letters of French (Latin-1, œ, æ, ÿ) that fold to a given folded letter.

    The index folds every diacritic; the SPARQL's classes list only these, so that the query
    shown stays readable (``[eèéêë]``). Words with rarer letters (ē, ş) can differ.
    """
    found: dict[str, set[str]] = {}
    for char in [chr(c) for c in range(0xE0, 0x100)] + ["œ", "æ", "ß"]:
        folded = fold(char)
        if folded != char and folded.isascii() and folded.isalpha():
            found.setdefault(folded, set()).add(char)
    return {k: sorted(v) for k, v in found.items()}


def _letters(folded: str) -> str:
    """A regular expression for the text of ``folded`` written with any accents or case."""
    variants = _variants()
    out = []
    i = 0
    while i < len(folded):
        pair = folded[i : i + 2]
        if len(pair) == 2 and pair in variants:  # œ, æ, ß: one letter for two
            first, second = _letters(pair[0]), _letters(pair[1])
            out.append(f"({first}{second}|{'|'.join(variants[pair])})")
            i += 2
            continue
        char = folded[i]
        single = [c for c in variants.get(char, []) if len(fold(c)) == 1]
        if single:
            out.append("[" + char + "".join(single) + "]")
        elif char in _META:
            out.append("\\" + char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def word_pattern(stemmed: str) -> str:
    """The regular expression a SPARQL REGEX (flag "i") uses for one stemmed word.

    >>> word_pattern("de"), word_pattern("12e"), word_pattern("oeuvre")
    ('d[eèéêë]', '12[eèéêë][sx]*', '([oòóôõö][eèéêë]|œ)[uùúûü]vr[eèéêë][sx]*')
    """
    if len(stemmed) < 3:
        return _letters(stemmed)
    return _letters(stemmed) + "[sx]*"


def phrase_pattern(stems: list[str]) -> str:
    """Whole words, in order, next to each other: one word or an exact phrase."""
    inner = f"{_NOT_WORD}+".join(word_pattern(s) for s in stems)
    return f"(^|{_NOT_WORD}){inner}({_NOT_WORD}|$)"


def prefix_pattern(text: str) -> str:
    """Anchored at the start, for "starts with" (accents and case ignored)."""
    return "^" + _letters(fold(text))


def equals_pattern(text: str) -> str:
    """The whole value, for "is" (accents and case ignored)."""
    return "^" + _letters(fold(text)) + "$"
