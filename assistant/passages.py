"""The documents behind the retrieved chunks: their whole text, blocks and units, from the store.

Assistant stage (retrieval → *document context* → evidence windows → answer). Chunks are retrieval
windows over a document's clean text; answers need more than one chunk: the sentence after the last
one of a chunk, the lead sentence of a list, a table's header row. Every chunk knows where it starts
in its document and carries its units and their blocks (:mod:`beleidsbron.document`), so the
document's text and structure are rebuilt exactly from the chunks already in memory (the lexical
index holds them) — nothing is split or classified again here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from beleidsbron.document import DocumentText, Unit, sectioned
from beleidsbron.domain import Chunk


def rebuild(chunks: list[Chunk]) -> DocumentText:
    """A document's text, blocks and units from all its chunks."""
    chunks = sorted(chunks, key=lambda c: c.start)
    parts: list[str] = []
    end = 0
    blocks = {}
    units: dict[tuple[int, int], Unit] = {}
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
        for block in chunk.blocks:
            blocks.setdefault(block.id, block)
        for unit in chunk.units:
            units.setdefault((unit.start, unit.end), unit)
    ordered = [blocks[k] for k in sorted(blocks)]
    return DocumentText(
        text="".join(parts),
        blocks=ordered,
        units=sectioned(sorted(units.values(), key=lambda u: u.start), ordered),
        doc=chunks[0].doc,
        chunks=chunks,
    )


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
