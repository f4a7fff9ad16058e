"""bench/results/README.md holds one section per benchmark, each between its own markers."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "results" / "README.md"


def put_section(begin: str, end: str, section: str, *, first: bool = False) -> None:
    """Replace the text between ``begin`` and ``end`` (markers included) by ``section``.

    ``section`` starts with ``begin`` and ends with ``end``. With no such section yet, it is
    added at the end, or at the top with ``first``; the other sections are left as they are.
    """
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    elif first:
        text = section + ("\n" + text if text else "")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    README.write_text(text, encoding="utf-8")
