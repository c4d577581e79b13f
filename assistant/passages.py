"""The documents behind the retrieved chunks: their whole text, pages, sections and reading units.

Assistant stage (retrieval → *document context* → evidence windows → answer). Chunks are retrieval
windows over a document's clean text; answers need more than one chunk: the sentence after the last
one of a chunk, the lead "…:" of a bullet list, a table's header row. Every chunk knows where it
starts in its document, so the document text is rebuilt exactly from the chunks already in memory
(the lexical index holds them), and split into the units an answer can quote:

- ``sentence`` — a sentence of a prose paragraph;
- ``item`` — a list item ("• …"), kept whole;
- ``row`` / ``header`` — a table row, and the header row of its table;
- ``heading`` — a section heading (never quoted; it bounds windows and adds context).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from beleidsbron.domain import Chunk, DocumentInfo
from beleidsbron.text.sentences import split_sentences

UnitKind = Literal["sentence", "item", "row", "header", "heading"]
_PARAGRAPH = re.compile(r"[^\n](?:[^\n]|\n(?!\n))*")


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a document: offsets in the document text, kind, section and paragraph."""

    start: int
    end: int
    kind: UnitKind
    section: int  # index of the heading it falls under (-1 before the first heading)
    paragraph: int


@dataclass
class DocumentText:
    """One document's clean text rebuilt from its chunks, with pages, headings and units."""

    doc: DocumentInfo
    text: str
    chunks: list[Chunk]  # by start offset
    page_offsets: list[int]  # document offset where each page's text begins ...
    page_numbers: list[int]  # ... and that page's number
    headings: list[tuple[int, str]]
    units: list[Unit]
    unit_starts: list[int]

    def page_at(self, offset: int) -> int:
        return self.page_numbers[max(0, bisect.bisect_right(self.page_offsets, offset) - 1)]

    def page_position(self, offset: int) -> tuple[int, int]:
        """(page, offset in that page's clean text) of a character of the document."""
        k = max(0, bisect.bisect_right(self.page_offsets, offset) - 1)
        return self.page_numbers[k], offset - self.page_offsets[k]

    def heading_of(self, unit: Unit) -> str:
        return self.headings[unit.section][1] if unit.section >= 0 else ""

    def chunk_at(self, offset: int) -> Chunk:
        """The chunk in which the character at ``offset`` stands (the first, where chunks overlap)."""
        starts = [c.start for c in self.chunks]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        while i > 0 and self.chunks[i - 1].end > offset:
            i -= 1
        return self.chunks[i]

    def units_between(self, start: int, end: int) -> range:
        """Indices of the units that overlap [start, end)."""
        first = max(0, bisect.bisect_right(self.unit_starts, start) - 1)
        while first < len(self.units) and self.units[first].end <= start:
            first += 1
        last = bisect.bisect_left(self.unit_starts, end)
        return range(first, max(first, last))

    def unit_text(self, unit: Unit) -> str:
        return self.text[unit.start : unit.end]


def rebuild(chunks: list[Chunk]) -> DocumentText:
    """A document's text, pages, headings and units from all its chunks."""
    chunks = sorted(chunks, key=lambda c: c.start)
    parts: list[str] = []
    end = 0
    page_marks: dict[int, int] = {}
    headings: dict[int, str] = {}
    for chunk in chunks:
        if chunk.start > end:
            parts.append(" " * (chunk.start - end))  # only when a chunk's tail is missing
            end = chunk.start
        if chunk.end > end:
            parts.append(chunk.text[end - chunk.start :])
            end = chunk.end
        if chunk.tail:
            parts.append(chunk.tail)
            end += len(chunk.tail)
        for page, offset in zip(chunk.pages, chunk.page_starts, strict=True):
            page_marks.setdefault(page, chunk.start + offset)
        for offset, heading in chunk.headings:
            headings[chunk.start + offset] = heading
    text = "".join(parts)
    pages = sorted(page_marks.items(), key=lambda item: item[1])
    heading_list = sorted(headings.items())
    units = _units(text, heading_list)
    return DocumentText(
        doc=chunks[0].doc,
        text=text,
        chunks=chunks,
        page_offsets=[o for _, o in pages],
        page_numbers=[p for p, _ in pages],
        headings=heading_list,
        units=units,
        unit_starts=[u.start for u in units],
    )


def _units(text: str, headings: list[tuple[int, str]]) -> list[Unit]:
    heading_offsets = [o for o, _ in headings]
    is_heading = set(heading_offsets)
    units: list[Unit] = []
    for p, para in enumerate(_PARAGRAPH.finditer(text)):
        start = para.start()
        section = bisect.bisect_right(heading_offsets, start) - 1
        body = para.group(0)
        if start in is_heading:
            units.append(Unit(start, para.end(), "heading", section, p))
            continue
        if "\n" in body and " | " in body:  # a table: one row per line, the first is the header
            offset = start
            for i, line in enumerate(body.split("\n")):
                if line.strip():
                    units.append(Unit(offset, offset + len(line), "header" if i == 0 else "row", section, p))
                offset += len(line) + 1
            continue
        if body.startswith("• "):
            units.append(Unit(start, para.end(), "item", section, p))
            continue
        for a, b in split_sentences(body):
            units.append(Unit(start + a, start + b, "sentence", section, p))
    return units


class Library:
    """Documents of one index version, rebuilt on first use and kept (most recently used first)."""

    def __init__(self, chunks: list[Chunk], capacity: int = 256) -> None:
        self._by_key: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_key.setdefault(chunk.doc.key, []).append(chunk)
        self._cache: OrderedDict[str, DocumentText] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def document(self, key: str) -> DocumentText:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        built = rebuild(self._by_key[key])
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return built
