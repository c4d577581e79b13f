"""Chunks: runs of whole units, exact slices of the document text, that know their pages and section."""

from __future__ import annotations

from functools import cache

from beleidsbron.document import DocumentText
from beleidsbron.domain import DocumentInfo
from ingest.chunking import chunk_document
from ingest.cleaning import CleanPage, clean_pages
from ingest.pdf_reader import read_pdf
from ingest.structure import build_document
from tests.conftest import CORPUS

DOC = DocumentInfo(source="x.pdf", path="/x.pdf", content_hash="ab" * 32, title="T", publisher="P", year=2020, pages=0)


@cache
def _read(name: str) -> tuple[list[CleanPage], DocumentText]:
    pages = clean_pages(read_pdf((CORPUS / name).read_bytes()).pages)
    return pages, build_document(pages)


def test_chunks_are_whole_units_and_exact_slices() -> None:
    for pdf in sorted(CORPUS.glob("*.pdf")):
        _, document = _read(pdf.name)
        chunks = chunk_document(DOC, document, chunk_size=800, chunk_overlap=80)
        assert chunks
        covered = set()
        for chunk in chunks:
            assert document.text[chunk.start : chunk.end] == chunk.text
            assert chunk.units[0].start == chunk.start and chunk.units[-1].end == chunk.end  # no unit is cut
            assert len(chunk.text) <= 800 or len(chunk.units) == 1
            assert {u.block for u in chunk.units} == {b.id for b in chunk.blocks}
            covered.update((u.start, u.end) for u in chunk.units)
        assert covered == {(u.start, u.end) for u in document.units}  # every unit is in a chunk


def test_every_unit_knows_its_page() -> None:
    for pdf in sorted(CORPUS.glob("*.pdf")):
        pages, document = _read(pdf.name)
        by_number = {p.number: " ".join(p.text.split()) for p in pages}
        for unit in document.units:
            text = " ".join(document.unit_text(unit).split())
            head = text[: min(len(text), 15)]  # a sentence may run over the page break after its start
            assert head in by_number[unit.page], (pdf.name, unit.page, text)


def test_a_chunk_spanning_pages_knows_the_page_of_each_unit() -> None:
    _, document = _read("01-leefbaarheid-kwetsbare-wijken.pdf")
    chunks = chunk_document(DOC, document, chunk_size=1000, chunk_overlap=100)
    spanning = [c for c in chunks if len(c.pages) > 1]
    assert spanning, "expected at least one chunk that crosses a page break"
    for chunk in spanning:
        for unit in chunk.units:
            assert chunk.page_at(unit.start - chunk.start) == unit.page


def test_chunks_carry_their_section_heading_and_headings_open_chunks() -> None:
    _, document = _read("01-leefbaarheid-kwetsbare-wijken.pdf")
    chunks = chunk_document(DOC, document, 1000, 100)
    headings = {c.heading for c in chunks}
    assert "2.2 De Leefbaarometer als landelijke monitor" in headings
    leefbaarometer = [c for c in chunks if "Leefbaarometer is het landelijke instrument" in c.text]
    assert leefbaarometer[0].heading.startswith("2.2")
    assert all(c.units[-1].kind != "heading" for c in chunks[:-1])  # a heading never ends a chunk


def test_chunk_ids_are_stable_and_unique() -> None:
    _, document = _read("02-financiering-wijkaanpak.pdf")
    first = chunk_document(DOC, document, 1000, 100)
    second = chunk_document(DOC, document, 1000, 100)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)


def test_chunks_round_trip_through_store_metadata() -> None:
    from beleidsbron.domain import Chunk

    _, document = _read("01-leefbaarheid-kwetsbare-wijken.pdf")
    for chunk in chunk_document(DOC, document, 600, 50):
        back = Chunk.from_record(chunk.text, chunk.to_metadata())
        assert back.units == tuple(u.__class__(u.start, u.end, u.block, u.page, u.kind) for u in chunk.units)
        assert back.blocks == chunk.blocks and back.start == chunk.start and back.heading == chunk.heading


def test_consecutive_headings_open_the_next_chunk_together() -> None:
    from ingest.structure import build_document

    long_sentence = (
        "De gemeente begint bij de bewoners en " + "betrekt daarna de corporaties en scholen " * 6 + "bij de plannen."
    )
    pages = clean_pages([f"Korte inleiding over de wijk.\n\nHoofdstuk 2\n\n2.1 Aanpak in de buurt\n\n{long_sentence}"])
    document = build_document(pages)
    assert [b.kind for b in document.blocks] == ["paragraph", "heading", "heading", "paragraph"]
    chunks = chunk_document(DOC, document, chunk_size=300, chunk_overlap=0)
    assert {(u.start, u.end) for c in chunks for u in c.units} == {(u.start, u.end) for u in document.units}
    assert [u.kind for u in chunks[-1].units] == ["heading", "heading", "sentence"]
