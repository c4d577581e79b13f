"""Chunks: exact slices of the document text that know their pages, heading and offsets."""

from __future__ import annotations

from pypdf import PdfReader

from beleidsbron.domain import DocumentInfo
from ingest.chunking import assemble, chunk_document
from ingest.cleaning import clean_pages
from tests.conftest import CORPUS

DOC = DocumentInfo(source="x.pdf", path="/x.pdf", content_hash="ab" * 32, title="T", publisher="P", year=2020, pages=0)


def pages_of(name: str):
    return clean_pages([p.extract_text() for p in PdfReader(CORPUS / name).pages])


def test_chunk_offsets_map_back_to_page_text() -> None:
    for pdf in sorted(CORPUS.glob("*.pdf")):
        pages = pages_of(pdf.name)
        chunks = chunk_document(DOC, pages, chunk_size=800, chunk_overlap=80)
        assert chunks
        by_number = {p.number: p.text for p in pages}
        for chunk in chunks:
            first_page = by_number[chunk.page_start]
            head = chunk.text[: chunk.page_starts[1]] if len(chunk.pages) > 1 else chunk.text
            # the part on the first page is exactly the page text at page_offset
            assert first_page[chunk.page_offset : chunk.page_offset + len(head.rstrip())] == head.rstrip()
            assert len(chunk.text) <= 800


def test_multi_page_chunk_knows_the_page_of_each_sentence() -> None:
    pages = pages_of("01-leefbaarheid-kwetsbare-wijken.pdf")
    chunks = chunk_document(DOC, pages, chunk_size=1000, chunk_overlap=100)
    spanning = [c for c in chunks if len(c.pages) > 1]
    assert spanning, "expected at least one chunk that crosses a page break"
    by_number = {p.number: p.text for p in pages}
    for chunk in spanning:
        later = chunk.pages[1]
        offset = chunk.page_starts[1]
        assert chunk.page_at(0) == chunk.page_start
        assert chunk.page_at(offset) == later
        snippet = chunk.text[offset : offset + 40].strip()
        if snippet:
            assert snippet in by_number[later]
            assert snippet not in by_number[chunk.page_start] or later == chunk.page_start


def test_chunks_carry_their_section_heading() -> None:
    chunks = chunk_document(DOC, pages_of("01-leefbaarheid-kwetsbare-wijken.pdf"), 1000, 100)
    headings = {c.heading for c in chunks}
    assert "2.2 De Leefbaarometer als landelijke monitor" in headings
    leefbaarometer = [c for c in chunks if "Leefbaarometer is het landelijke instrument" in c.text]
    assert leefbaarometer[0].heading.startswith("2.2")


def test_document_text_is_joined_across_pages_without_losing_characters() -> None:
    pages = pages_of("03-corporaties-in-de-wijk.pdf")
    doc = assemble(pages)
    for number, start in zip(doc.page_numbers, doc.page_starts, strict=True):
        text = pages[number - 1].text.rstrip("-")
        assert doc.text[start : start + len(text)] == text


def test_chunk_ids_are_stable_and_unique() -> None:
    pages = pages_of("02-financiering-wijkaanpak.pdf")
    first = chunk_document(DOC, pages, 1000, 100)
    second = chunk_document(DOC, pages, 1000, 100)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
