"""The typed document: a publication's clean text as blocks and units, from the page to the answer.

Shared foundation (corpus → ingest → *store* → assistant). Ingest builds a :class:`DocumentText`
from the page layout (:mod:`ingest.structure`), stores each chunk with the blocks and units it
holds, and the assistant rebuilds the same :class:`DocumentText` from the stored chunks — so what a
line *is* (a heading, a list item with its list and lead sentence, a table row with its header
cells, the answer of a question/answer pair, a footnote) is decided once, from the layout, and
never guessed again from the text.

- A **block** is a paragraph-level piece of the document: its kind, its span in the document text,
  the page it starts on, and what it belongs to (its list, table or question/answer pair).
- A **unit** is what is embedded, scored and quoted: a sentence of a paragraph, a whole list item,
  a whole table row, a heading. Units never cross blocks, and every unit knows its page.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from beleidsbron.domain import Chunk, DocumentInfo

BlockKind = Literal["heading", "paragraph", "item", "header", "row", "question", "answer", "footnote"]
UnitKind = Literal["heading", "sentence", "item", "header", "row"]

_UNIT_KIND: dict[str, UnitKind] = {
    "heading": "heading",
    "paragraph": "sentence",
    "question": "sentence",
    "answer": "sentence",
    "footnote": "sentence",
    "item": "item",
    "header": "header",
    "row": "row",
}
_FIELDS = ("kind", "start", "end", "page", "level", "group", "lead", "marker", "cells", "header")


@dataclass(frozen=True)
class Block:
    """A paragraph-level piece of a document (offsets in its text; ids are positions in its block list).

    ``group`` is the id of the first block of the list, table or question/answer pair the block belongs
    to (-1: none). ``lead`` is, for a list item, the paragraph that announces its list ("… in volgorde
    van belangrijkheid:"); for an answer, the block that asks its question; for a footnote, the block
    that carries its marker (-1: none). ``cells`` are a table row's cells; ``header`` the header cells of
    its table (several header rows joined per column)."""

    id: int
    kind: BlockKind
    start: int
    end: int
    page: int  # 1-based PDF page on which the block starts
    level: int = 0  # heading: 1 (chapter) … 3
    group: int = -1
    lead: int = -1
    marker: str = ""  # list item: "•", "–", "1.", "a)", "(ii)"; footnote: its number
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()

    @property
    def unit_kind(self) -> UnitKind:
        return _UNIT_KIND[self.kind]

    def labelled_cells(self) -> list[tuple[str, str]]:
        """A row's cells with their column headers (("", cell) where the table has no header for it)."""
        header = self.header if len(self.header) == len(self.cells) else ("",) * len(self.cells)
        return list(zip(header, self.cells, strict=True))

    def to_json(self) -> dict[str, Any]:
        """Compact form for the store: only fields that differ from the defaults."""
        data: dict[str, Any] = {"id": self.id}
        for name in _FIELDS:
            value = getattr(self, name)
            if name in ("kind", "start", "end", "page") or value not in (0, -1, "", ()):
                data[name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            id=int(data["id"]),
            kind=data["kind"],
            start=int(data["start"]),
            end=int(data["end"]),
            page=int(data["page"]),
            level=int(data.get("level", 0)),
            group=int(data.get("group", -1)),
            lead=int(data.get("lead", -1)),
            marker=str(data.get("marker", "")),
            cells=tuple(str(c) for c in data.get("cells", ())),
            header=tuple(str(c) for c in data.get("header", ())),
        )


@dataclass(frozen=True)
class Unit:
    """A piece of a block that is embedded and may be quoted (offsets in the document text)."""

    start: int
    end: int
    block: int  # id of its block
    page: int  # 1-based PDF page on which it starts
    kind: UnitKind
    section: int = -1  # id of the heading block it falls under (-1: before the first heading)


@dataclass
class DocumentText:
    """A document's clean text with its blocks and units, both in text order.

    Built by ingest from the layout, and rebuilt by the assistant from the stored chunks (which hold the
    same text, blocks and units), so both sides see one structure."""

    text: str
    blocks: list[Block]
    units: list[Unit]
    doc: DocumentInfo | None = None  # on the read side: the stored document ...
    chunks: list[Chunk] = field(default_factory=list)  # ... and its chunks, by start offset
    _unit_starts: list[int] = field(init=False, repr=False)
    _headings: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._unit_starts = [u.start for u in self.units]
        self._headings = [b.id for b in self.blocks if b.kind == "heading"]

    # --- where things are ---------------------------------------------------------------------

    def unit_at(self, offset: int) -> int:
        """Index of the unit that holds (or, between units, precedes) the character at ``offset``."""
        return max(0, bisect.bisect_right(self._unit_starts, offset) - 1)

    def page_at(self, offset: int) -> int:
        """The PDF page of the character at ``offset`` (between units: that of the unit before)."""
        if not self.units:
            return self.blocks[0].page if self.blocks else 1
        return self.units[self.unit_at(offset)].page

    def units_between(self, start: int, end: int) -> range:
        """Indices of the units that overlap [start, end)."""
        first = self.unit_at(start)
        while first < len(self.units) and self.units[first].end <= start:
            first += 1
        last = bisect.bisect_left(self._unit_starts, end)
        return range(first, max(first, last))

    def chunk_at(self, offset: int) -> Chunk:
        """The chunk in which the character at ``offset`` stands (the first, where chunks overlap)."""
        starts = [c.start for c in self.chunks]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        while i > 0 and self.chunks[i - 1].end > offset:
            i -= 1
        return self.chunks[i]

    def unit_text(self, unit: Unit) -> str:
        return self.text[unit.start : unit.end]

    def block_of(self, unit: Unit) -> Block:
        return self.blocks[unit.block]

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    # --- sections -----------------------------------------------------------------------------

    def heading_of(self, unit: Unit) -> str:
        """The text of the heading the unit falls under ("" before the first heading)."""
        return self.block_text(self.blocks[unit.section]) if unit.section >= 0 else ""

    def section_span(self, section: int) -> tuple[int, int]:
        """Start and end (offsets) of a section: from its heading to the next heading."""
        start = self.blocks[section].start if section >= 0 else 0
        k = bisect.bisect_right(self._headings, section)
        end = self.blocks[self._headings[k]].start if k < len(self._headings) else len(self.text)
        return start, end

    # --- lists, tables and question/answer pairs ----------------------------------------------

    def members(self, group: int) -> list[Block]:
        """The blocks of one list, table or question/answer pair, in order."""
        if group < 0:
            return []
        out = []
        for block in self.blocks[group:]:
            if block.group == group:
                out.append(block)
            elif out and block.kind not in ("item", "header", "row", "question", "answer", "footnote"):
                break  # a list, table or pair is consecutive (footnotes may stand between its parts)
        return out

    def units_of(self, block: Block) -> list[int]:
        """Indices of the units of one block."""
        return [i for i in self.units_between(block.start, block.end) if self.units[i].block == block.id]


def sectioned(units: list[Unit], blocks: list[Block]) -> list[Unit]:
    """Units with their ``section`` set from the heading blocks before them."""
    headings = [b for b in blocks if b.kind == "heading"]
    starts = [b.start for b in headings]
    out = []
    for unit in units:
        k = bisect.bisect_right(starts, unit.start) - 1
        section = headings[k].id if k >= 0 else -1
        out.append(
            unit if unit.section == section else Unit(unit.start, unit.end, unit.block, unit.page, unit.kind, section)
        )
    return out
