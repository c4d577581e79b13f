"""Typed document → chunks: runs of whole units that know their blocks, pages and section.

Fourth step of ingest (document structure → *chunks* → embeddings → store). A chunk is a retrieval
window: consecutive units (sentences, list items, table rows, headings) of one document, up to about
``chunk_size`` characters, starting at a section heading where one comes; a unit is never cut. Every
chunk is an exact slice of the document text and carries its units and the blocks they belong to, so
the read side rebuilds the document's structure from the store (:mod:`beleidsbron.document`).
"""

from __future__ import annotations

from dataclasses import replace

from beleidsbron.document import DocumentText
from beleidsbron.domain import Chunk, DocumentInfo

HEADING_STARTS_CHUNK = 1 / 3  # a heading starts a new chunk once the current one is this full


def chunk_document(doc: DocumentInfo, document: DocumentText, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split one document into chunks of whole units; never crosses documents. Consecutive chunks share
    their boundary units up to ``chunk_overlap`` characters."""
    units = document.units
    groups: list[list[int]] = []
    current: list[int] = []
    for i, unit in enumerate(units):
        if current:
            first = units[current[0]]
            full = unit.end - first.start > chunk_size
            new_section = (
                unit.kind == "heading" and units[current[-1]].end - first.start >= HEADING_STARTS_CHUNK * chunk_size
            )
            if full or new_section:
                headings: list[int] = []
                while len(current) > 1 and units[current[-1]].kind == "heading":
                    headings.insert(0, current.pop())  # a heading opens the next chunk, it never ends one
                groups.append(current)
                current = headings or _carried(current, document, chunk_overlap)
        current.append(i)
    if current:
        groups.append(current)
    chunks: list[Chunk] = []
    for group in groups:
        start, end = units[group[0]].start, units[group[-1]].end
        ids = sorted({units[i].block for i in group})
        blocks = tuple(document.blocks[b] for b in ids)
        first_unit = units[group[0]]
        heading = document.heading_of(first_unit)
        chunks.append(
            Chunk(
                doc=doc,
                index=len(chunks),
                text=document.text[start:end],
                start=start,
                units=tuple(units[i] for i in group),
                blocks=blocks,
                heading=heading,
            )
        )
    for i, chunk in enumerate(chunks[:-1]):
        following = chunks[i + 1].start
        if following > chunk.end:
            chunks[i] = replace(chunk, tail=document.text[chunk.end : following])
    return chunks


def _carried(group: list[int], document: DocumentText, overlap: int) -> list[int]:
    """The last units of a chunk, up to ``overlap`` characters, that the next chunk repeats."""
    carried: list[int] = []
    size = 0
    for i in reversed(group[1:]):
        unit = document.units[i]
        size += unit.end - unit.start
        if size > overlap:
            break
        carried.insert(0, i)
    return carried
