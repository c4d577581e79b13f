"""Domain types shared by ingest, store, assistant, app and evals.

Only these objects cross module boundaries; nobody passes dicts with ad-hoc keys around.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from beleidsbron.document import Block, Unit
from beleidsbron.reasons import Reason, english

PDF_MAGIC = b"%PDF-"  # in the first 1,024 bytes of every PDF: ingest and the app's upload check both test for it

# Document types recognised at ingest (key → Dutch label); "" is unknown.
DOC_TYPES: dict[str, str] = {
    "brief": "Brief",
    "kamervragen": "Kamervragen",
    "motie": "Motie",
    "besluitenlijst": "Besluitenlijst",
    "besluit": "Besluit",
    "voorstel": "Raads- of Statenvoorstel",
    "begroting": "Begroting",
    "jaarverslag": "Jaarverslag of jaarstukken",
    "nota": "Nota of notitie",
    "fiche": "BNC-fiche",
    "plan": "Programma of plan",
    "handreiking": "Handreiking",
    "rapport": "Rapport",
    "persbericht": "Persbericht",
}


@dataclass(frozen=True)
class DocumentInfo:
    """One ingested publication, keyed by the SHA-256 of its bytes."""

    source: str  # file name, e.g. "financiering-wijkaanpak.pdf"
    path: str  # absolute path at ingest time
    content_hash: str
    title: str
    publisher: str
    year: int | None
    pages: int
    url: str = ""
    ingested_at: str = ""  # ISO timestamp (UTC)
    chunks: int = 0
    needs_ocr_pages: tuple[int, ...] = ()  # pages without a text layer that were not read (OCR off or missing)
    doc_type: str = ""  # a key of DOC_TYPES, "" when unknown
    pipeline: int = 0  # version of the ingest pipeline that built the stored text (see ingest.pipeline)
    settings_fingerprint: str = ""  # of the settings that built it (Settings.ingest_fingerprint); "" = not recorded
    ocr_pages: tuple[tuple[int, float], ...] = ()  # (page, mean OCR confidence 0–100) of pages read by OCR
    ocr_rejected_pages: tuple[tuple[int, float], ...] = ()  # OCR found no text or was too unsure: not indexed
    # How title, publisher and year were found ("betreft", "logo", "date", "catalogue", … see ingest.metadata);
    # "" when the field is unknown or the store predates sources
    title_source: str = ""
    publisher_source: str = ""
    year_source: str = ""

    def ocr_confidence(self, page: int) -> float | None:
        """The OCR confidence of a page whose text comes from OCR; None for a page with a text layer."""
        return next((conf for number, conf in self.ocr_pages if number == page), None)

    @property
    def ocr_mean_confidence(self) -> float | None:
        if not self.ocr_pages:
            return None
        return sum(conf for _, conf in self.ocr_pages) / len(self.ocr_pages)

    @property
    def key(self) -> str:
        """Identifies this build of the document in the store: file content + ingest pipeline version.
        Chunks and sentences carry it; the manifest record commits exactly one key per file."""
        return f"{self.content_hash[:20]}v{self.pipeline}"

    def to_metadata(self) -> dict[str, Any]:
        """Flat Chroma metadata (no None values, which Chroma refuses)."""
        meta = asdict(self)
        meta["year"] = self.year or 0
        meta["needs_ocr_pages"] = json.dumps(list(self.needs_ocr_pages))
        meta["ocr_pages"] = json.dumps([list(p) for p in self.ocr_pages])
        meta["ocr_rejected_pages"] = json.dumps([list(p) for p in self.ocr_rejected_pages])
        meta["doc_key"] = self.key
        return meta

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> DocumentInfo:
        return cls(
            source=str(meta["source"]),
            path=str(meta.get("path", "")),
            content_hash=str(meta["content_hash"]),
            title=str(meta.get("title", "")),
            publisher=str(meta.get("publisher", "")),
            year=int(meta["year"]) or None if meta.get("year") else None,
            pages=int(meta.get("pages", 0)),
            url=str(meta.get("url", "")),
            ingested_at=str(meta.get("ingested_at", "")),
            chunks=int(meta.get("chunks", 0)),
            needs_ocr_pages=tuple(json.loads(meta.get("needs_ocr_pages", "[]"))),
            pipeline=int(meta.get("pipeline", 0)),
            doc_type=str(meta.get("doc_type", "")),
            ocr_pages=tuple((int(p), float(c)) for p, c in json.loads(meta.get("ocr_pages", "[]"))),
            ocr_rejected_pages=tuple((int(p), float(c)) for p, c in json.loads(meta.get("ocr_rejected_pages", "[]"))),
            settings_fingerprint=str(meta.get("settings_fingerprint", "")),
            title_source=str(meta.get("title_source", "")),
            publisher_source=str(meta.get("publisher_source", "")),
            year_source=str(meta.get("year_source", "")),
        )

    def metadata_json(self) -> dict[str, Any]:
        """Title, publisher, year and type with how each was found (the ingest CLI's ``--json``)."""
        return {
            "title": self.title,
            "title_source": self.title_source,
            "publisher": self.publisher,
            "publisher_source": self.publisher_source,
            "year": self.year,
            "year_source": self.year_source,
            "type": self.doc_type,
        }


@dataclass(frozen=True)
class Chunk:
    """A passage of one document: whole units of its typed text (see :mod:`beleidsbron.document`).

    ``text`` is a slice of the document's clean text, starting at offset ``start`` of it; with the
    ``tail`` of every chunk, the chunks of a document give back its whole text. ``units`` are the units
    it consists of and ``blocks`` the blocks they belong to (a block may reach into the chunks around
    it), both with offsets in the document text: the read side gets the document's structure from its
    chunks. ``heading`` is the section the chunk belongs to.
    """

    doc: DocumentInfo
    index: int
    text: str
    start: int
    units: tuple[Unit, ...]
    blocks: tuple[Block, ...]
    heading: str = ""
    tail: str = ""  # the document text between this chunk and the next one (separators), if any

    @classmethod
    def plain(
        cls,
        doc: DocumentInfo,
        index: int,
        text: str,
        spans: list[tuple[int, int]] | None = None,
        page: int = 1,
        start: int = 0,
    ) -> Chunk:
        """A chunk of one paragraph (block ``index``) at offset ``start`` of its document, whose units are
        ``spans`` of ``text`` (the whole text by default): for text that comes without a layout
        (synthetic corpora)."""
        block = Block(index, "paragraph", start, start + len(text), page)
        units = tuple(Unit(start + a, start + b, index, page, "sentence") for a, b in spans or [(0, len(text))])
        return cls(doc, index, text, start, units, (block,), tail="\n\n")

    @property
    def id(self) -> str:
        return f"{self.doc.key}-{self.index:05d}"

    @property
    def end(self) -> int:
        """Offset in the document text just after the chunk."""
        return self.start + len(self.text)

    @property
    def pages(self) -> tuple[int, ...]:
        """The PDF pages its units start on, ascending."""
        return tuple(sorted({u.page for u in self.units})) or (1,)

    @property
    def page_start(self) -> int:
        return self.pages[0]

    @property
    def page_end(self) -> int:
        return self.pages[-1]

    def spans(self) -> list[tuple[int, int]]:
        """The units' spans as offsets in ``text``."""
        return [(u.start - self.start, u.end - self.start) for u in self.units]

    def page_at(self, offset: int) -> int:
        """The PDF page of the unit at (or before) ``offset`` of ``text``."""
        starts = [u.start - self.start for u in self.units]
        return self.units[max(0, bisect.bisect_right(starts, offset) - 1)].page if self.units else self.page_start

    def label(self) -> str:
        span = f"p. {self.page_start}" if self.page_start == self.page_end else f"pp. {self.page_start}–{self.page_end}"
        return f"{self.doc.title}, {span}"

    def to_metadata(self) -> dict[str, Any]:
        meta = self.doc.to_metadata()
        meta.update(
            chunk_index=self.index,
            page=self.page_start,
            page_end=self.page_end,
            heading=self.heading,
            start=self.start,
            units_json=json.dumps([[u.start - self.start, u.end - self.start, u.block, u.page] for u in self.units]),
            blocks_json=json.dumps([b.to_json() for b in self.blocks], ensure_ascii=False),
            tail=self.tail,
        )
        return meta

    @classmethod
    def from_record(cls, text: str, meta: dict[str, Any]) -> Chunk:
        start = int(meta.get("start", 0))
        blocks = tuple(Block.from_json(b) for b in json.loads(meta.get("blocks_json", "[]")))
        kinds = {b.id: b.unit_kind for b in blocks}
        units = tuple(
            Unit(start + a, start + b, block, page, kinds.get(block, "sentence"))
            for a, b, block, page in json.loads(meta.get("units_json", "[]"))
        )
        return cls(
            doc=DocumentInfo.from_metadata(meta),
            index=int(meta["chunk_index"]),
            text=text,
            start=start,
            units=units,
            blocks=blocks,
            heading=str(meta.get("heading", "")),
            tail=str(meta.get("tail", "")),
        )


class UsageError(ValueError):
    """Bad command-line input to one of the CLIs (``python -m ingest``, ``python -m assistant``): exit code 2."""


FileStatus = Literal["ingested", "replaced", "unchanged", "duplicate", "failed", "pruned"]


@dataclass
class FileReport:
    """What ingest did with one file; ``reasons`` explain anything not plain (a refusal, a duplicate, pages
    that need OCR), as codes the CLI renders in English and the app in Dutch."""

    file: str
    status: FileStatus
    reasons: list[Reason] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    ocr_pages: int = 0  # pages whose text was read by OCR
    document: DocumentInfo | None = None  # what was stored (ingested or replaced): its metadata is reported
    content_hash: str = ""  # SHA-256 of the file, when ingest read it or knows it
    not_read_again: bool = False  # failed in an earlier run and unchanged since: not read in this one

    @property
    def reason(self) -> str:
        """The reasons as one English line."""
        return english(self.reasons)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "reason": self.reason,
            "reasons": [r.to_json() for r in self.reasons],
            "pages": self.pages,
            "chunks": self.chunks,
            "ocr_pages": self.ocr_pages,
            "metadata": self.document.metadata_json() if self.document is not None else None,
            "content_hash": self.content_hash,
            "not_read_again": self.not_read_again,
        }


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some publishers, a year range, specific documents (file names) and/or
    document types (keys of DOC_TYPES)."""

    publishers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sources: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()

    def matches(self, doc: DocumentInfo) -> bool:
        if self.publishers and doc.publisher not in self.publishers:
            return False
        if self.doc_types and doc.doc_type not in self.doc_types:
            return False
        if self.sources and doc.source not in self.sources:
            return False
        if self.year_from is not None and (doc.year is None or doc.year < self.year_from):
            return False
        return not (self.year_to is not None and (doc.year is None or doc.year > self.year_to))

    def is_empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage, the cited sentence spans in it and their page.

    ``anchor`` (content hash + page + offsets in the page text) stays valid as long as the document
    does not change, whatever happens to chunk ids or the store. ``quoted`` is False for a passage the
    answer lists for further reading without quoting it (its spans mark what matched the question).
    """

    n: int
    source: str
    title: str
    publisher: str
    year: int | None
    page: int
    text: str  # the passage
    spans: tuple[tuple[int, int], ...]  # supporting sentence(s), offsets in ``text``
    score: float
    anchor: str
    chunk_id: str
    heading: str = ""
    url: str = ""
    quoted: bool = True
    ocr_confidence: float | None = None  # the page's text was read by OCR, with this mean confidence (0–100)

    @property
    def quote(self) -> str:
        """The supporting sentence(s) themselves."""
        return " ".join(self.text[a:b] for a, b in self.spans)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["spans"] = [list(s) for s in self.spans]
        data["quote"] = self.quote
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer with the citations that back it and its support (0–1); ``kind`` says
    how it is shown: a sentence of running text, or a list item or table row on a line of its own."""

    text: str
    citations: tuple[int, ...]
    support: float
    supported: bool
    kind: Literal["sentence", "item", "row"] = "sentence"
    marker: str = ""  # a list item's own marker ("•", "1.", "a)"); ``text`` is the item without it

    @property
    def display(self) -> str:
        """The sentence as the answer text shows it: a list item with its marker."""
        return f"{self.marker} {self.text}" if self.marker else self.text

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "support": round(self.support, 4),
            "supported": self.supported,
            "kind": self.kind,
            "marker": self.marker,
        }


REFUSAL = "Ik heb hierover niets gevonden in de documenten."


@dataclass
class Answer:
    """What the assistant says: text with [n] markers, its citations, or an honest refusal.

    ``related`` holds the nearest passages of a refusal ("mogelijk relevant"); they are not citations.
    ``mode`` is "extractive", "openai", "ollama" (a verified generated answer) or "extractive-fallback"
    (the chat model failed; ``notice`` says why).
    """

    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    notice: str = ""  # e.g. question language or trimmed input; never part of the answer text
    mode: str = "extractive"
    retrieval_query: str = ""
    confidence: float = 0.0  # score of the best evidence sentence; refusals fall below the threshold
    removed_markers: list[int] = field(default_factory=list)  # LLM markers that pointed at no passage
    fingerprint: str = ""  # of the settings that produced the answer (Settings.fingerprint)

    @property
    def sources(self) -> list[Citation]:
        """The citations the answer quotes (their [n] markers stand in the text)."""
        return [c for c in self.citations if c.quoted]

    @property
    def further(self) -> list[Citation]:
        """Passages listed for further reading, not quoted in the answer."""
        return [c for c in self.citations if not c.quoted]

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "sentences": [s.to_json() for s in self.sentences],
            "related": [c.to_json() for c in self.related],
            "notice": self.notice,
            "confidence": round(self.confidence, 4),
            "timings_ms": {k: round(v, 1) for k, v in self.timings.items()},
            "fingerprint": self.fingerprint,
        }
