"""Dutch sentence segmentation with character spans.

Shared by ingest (sentences are the embedding unit; a chunk's vector is the mean of its sentence
vectors) and the assistant (answers quote whole sentences and cite their spans), so both always agree
on where a sentence starts and ends.
"""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence (lower case, without the final period).
ABBREVIATIONS = {
    "bijv",
    "bv",
    "o.a",
    "d.w.z",
    "e.d",
    "m.n",
    "t.o.v",
    "ca",
    "nr",
    "blz",
    "art",
    "mr",
    "dr",
    "drs",
    "ir",
    "prof",
    "jl",
    "i.p.v",
    "z.g",
    "zgn",
    "etc",
    "enz",
    "resp",
    "vgl",
    "evt",
    "incl",
    "excl",
    "mln",
    "mld",
    "mrd",
    "min",
    "max",
    "gem",
    "n.a.v",
    "i.v.m",
    "m.b.t",
    "t.a.v",
    "a.s",
    "p",
    "pp",
    "e.a",
    "o.b.v",
    "cf",
    "e.v",
    "ggd",
    "st",
    "mw",
    "dhr",
    "fig",
    "tab",
    "hfst",
    "par",
    "vs",
    "jr",
    "sr",
    "inz",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-ZÀ-Ý0-9–•])")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]+[\"'”’)\]]*\s+$")
MIN_SENTENCE_CHARS = 2


def _is_abbreviation(head: str) -> bool:
    match = _WORD_BEFORE.search(head)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # initials: "J. de Vries"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in ``text``; lines (paragraphs, list items, table rows) always
    split."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start, p_text = para.start(), para.group(0)
        start = 0
        for match in _BOUNDARY.finditer(p_text):
            if _is_abbreviation(p_text[: match.end()]):
                continue
            end = match.end()
            _add(spans, p_text, p_start, start, end)
            start = end
        _add(spans, p_text, p_start, start, len(p_text))
    return spans


def _add(spans: list[tuple[int, int]], text: str, offset: int, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if len(stripped) < MIN_SENTENCE_CHARS:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((offset + start + lead, offset + start + lead + len(stripped)))


def sentences(text: str) -> list[str]:
    """The sentence texts of ``text``."""
    return [text[a:b] for a, b in split_sentences(text)]
