"""Clean pages → document text → chunks that know their pages, heading and offsets.

Third step of ingest (corpus → clean text → *chunks* → embeddings → store). The splitting itself is
LangChain's ``RecursiveCharacterTextSplitter`` with paragraph- and sentence-aware separators; this
module adds what the product needs on top: every chunk is an exact slice of one document's text, so
a sentence found in it maps back to its PDF page and its offsets in the page text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from beleidsbron.domain import Chunk, DocumentInfo
from ingest.cleaning import CleanPage, keeps_hyphen, page_separator, vocabulary

# Paragraphs first, then lines, sentences, clauses, words.
SEPARATORS = [r"\n\n", r"\n", r"(?<=[.!?…])\s+(?=[\"'“‘(A-ZÀ-Ý0-9])", r"(?<=[;:])\s+", r",\s+", r"\s+", ""]
_MIN_CHUNK_LETTERS = 12


@dataclass(frozen=True)
class DocumentText:
    """A document's clean text with page starts (offsets in ``text``) and headings."""

    text: str
    page_numbers: tuple[int, ...]
    page_starts: tuple[int, ...]
    headings: tuple[tuple[int, str], ...]

    def page_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.page_starts, offset) - 1)

    def headings_in(self, start: int, end: int) -> tuple[tuple[int, str], ...]:
        """Headings that begin inside [start, end), with offsets relative to ``start``."""
        return tuple((off - start, heading) for off, heading in self.headings if start <= off < end)

    def heading_at(self, start: int, end: int) -> str:
        """The section heading a chunk [start, end) belongs to."""
        offsets = [off for off, _ in self.headings]
        i = bisect.bisect_right(offsets, start) - 1
        # a heading inside the first part of the chunk introduces it
        j = bisect.bisect_right(offsets, start + max(40, (end - start) // 5)) - 1
        if j > i:
            i = j
        return self.headings[i][1] if i >= 0 else ""


def assemble(pages: list[CleanPage]) -> DocumentText:
    """Join clean pages into one text; a word hyphenated across a page break is rejoined."""
    vocab = vocabulary([p.text for p in pages])
    texts = [p.text for p in pages]
    dehyphenated: set[int] = set()  # pages whose last word continues on the next page without a hyphen
    for i in range(len(texts) - 1):
        head, tail = texts[i], texts[i + 1]
        left = re.search(r"([A-Za-zÀ-ÿ]+)-$", head)
        right = re.match(r"[A-Za-zÀ-ÿ]+", tail)
        if left and right and not keeps_hyphen(left.group(1), right.group(0), vocab):
            texts[i] = head[:-1]
            dehyphenated.add(i)
    parts: list[str] = []
    starts: list[int] = []
    headings: list[tuple[int, str]] = []
    offset = 0
    previous = ""  # the last page with text: an empty page between two must not glue them together
    for i, (page, text) in enumerate(zip(pages, texts, strict=True)):
        if i:
            sep = "" if i - 1 in dehyphenated else page_separator(previous, text)
            parts.append(sep)
            offset += len(sep)
        previous = text or previous
        starts.append(offset)
        headings.extend((offset + off, heading) for off, heading in page.headings)
        parts.append(text)
        offset += len(text)
    return DocumentText("".join(parts), tuple(p.number for p in pages), tuple(starts), tuple(headings))


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        add_start_index=True,
    )


def chunk_document(doc: DocumentInfo, pages: list[CleanPage], chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split one document into chunks; never crosses documents."""
    document = assemble(pages)
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for piece in splitter.create_documents([document.text]):
        text = piece.page_content
        start = int(piece.metadata["start_index"])
        if start < 0 or document.text[start : start + len(text)] != text:
            start = document.text.find(text)  # the splitter could not locate it; search ourselves
        if sum(c.isalpha() for c in text) < _MIN_CHUNK_LETTERS:
            continue
        end = start + len(text)
        first, last = document.page_index(start), document.page_index(max(start, end - 1))
        page_starts = (0, *(document.page_starts[k] - start for k in range(first + 1, last + 1)))
        chunks.append(
            Chunk(
                doc=doc,
                index=len(chunks),
                text=text,
                pages=document.page_numbers[first : last + 1],
                page_starts=page_starts,
                page_offset=start - document.page_starts[first],
                heading=document.heading_at(start, end),
                start=start,
                headings=document.headings_in(start, end),
            )
        )
    for i, chunk in enumerate(chunks[:-1]):
        following = chunks[i + 1].start
        if following > chunk.end:
            chunks[i] = replace(chunk, tail=document.text[chunk.end : following])
    return chunks
