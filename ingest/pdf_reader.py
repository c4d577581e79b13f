"""Read one PDF: page texts in reading order, side blocks, document metadata, or why it cannot be used.

First step of ingest (corpus → *PDF text* → clean text → chunks → embeddings → store). pypdf checks
the file (structure, encryption) and reads the info dictionary; pdfium gives the characters with
their positions, from which :mod:`ingest.layout` builds each page's text; a page without a usable
text layer (a scan) is read by OCR (:mod:`ingest.ocr`) when OCR options are given. Every way a file
can be unusable ends here as a :class:`BadPdfError` with a one-line reason, so one broken file never
stops the others.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from beleidsbron.domain import PDF_MAGIC
from beleidsbron.reasons import Code, Reason, english, reason
from ingest.layout import PageLayout, page_layout
from ingest.ocr import OcrOptions, OcrPage, OcrUnavailable, Scanner

# pypdf logs every recoverable oddity of real-world PDFs; our summary reports what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class BadPdfError(Exception):
    """A file that cannot be ingested: ``reason`` says why, ``reasons`` when there is more than one (scanned
    pages that OCR could not read for different reasons); ``str()`` is their English line."""

    def __init__(self, reason: Reason, *more: Reason) -> None:
        super().__init__(english([reason, *more]))
        self.reason = reason
        self.reasons = [reason, *more]

    def __reduce__(self) -> tuple[type[BadPdfError], tuple[Reason, ...]]:
        return BadPdfError, tuple(self.reasons)  # raised in a parsing worker, re-raised here: keep the codes


@dataclass
class PdfContent:
    """What ingest needs from one PDF."""

    pages: list[str]  # per page: lines in reading order, "" between blocks (see ingest.layout)
    side_text: list[str] = field(default_factory=list)  # per page: letterhead and margin blocks, rotated text
    footnotes: list[tuple[str, ...]] = field(default_factory=list)  # per page: the notes that end its text
    info_title: str = ""
    info_author: str = ""
    info_year: int | None = None
    image_only_pages: list[int] = field(default_factory=list)  # 1-based, not read (OCR off or unavailable)
    ocr_pages: list[OcrPage] = field(default_factory=list)  # pages whose text comes from OCR
    ocr_rejected: list[OcrPage] = field(default_factory=list)  # OCR found no text, failed or was too unsure
    ocr_problems: list[Reason] = field(default_factory=list)  # why rejected pages were not indexed
    ocr_unavailable: Reason | None = None  # why pages without a text layer were not read although OCR is on


def check_file(path: Path, max_bytes: int) -> bytes:
    """Read the file and check it is a PDF within the size limit; returns its bytes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadPdfError(reason(Code.TOO_LARGE, size_mb=size / 2**20, limit_mb=max_bytes / 2**20))
        data = path.read_bytes()
    except PermissionError as exc:
        raise BadPdfError(reason(Code.PERMISSION_DENIED)) from exc
    except IsADirectoryError as exc:
        raise BadPdfError(reason(Code.DIRECTORY)) from exc
    except OSError as exc:
        raise BadPdfError(reason(Code.UNREADABLE, detail=str(exc.strerror or exc))) from exc
    if not data:
        raise BadPdfError(reason(Code.EMPTY))
    if PDF_MAGIC not in data[:1024]:
        raise BadPdfError(reason(Code.NOT_PDF))
    if b"%%EOF" not in data[-2048:]:
        raise BadPdfError(reason(Code.TRUNCATED))
    return data


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise BadPdfError(reason(Code.CORRUPT, detail=_short(exc))) from exc
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception as exc:  # pypdf raises several types for unsupported crypto
            raise BadPdfError(reason(Code.ENCRYPTED_UNSUPPORTED, detail=_short(exc))) from exc
        if not unlocked:
            raise BadPdfError(reason(Code.PASSWORD))
    return reader


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _year(value: object) -> int | None:
    match = re.search(r"(19[5-9]\d|20[0-4]\d)", str(value or ""))
    return int(match.group(1)) if match else None


def _has_images(page: pdfium.PdfPage) -> bool:
    try:
        return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
    except Exception:
        return False


def read_pdf(
    data: bytes,
    max_chars: int | None = None,
    ocr: OcrOptions | None = None,
    on_ocr_page: Callable[[OcrPage], None] | None = None,
) -> PdfContent:
    """Parse PDF bytes (already through :func:`check_file`) page by page.

    With ``ocr``, a page without a usable text layer is read by OCR (``on_ocr_page`` hears each one).
    Raises :class:`BadPdfError` when nothing usable can come out, or as soon as the extracted text
    passes ``max_chars`` (a small file can hold text that would take hours to embed).
    """
    reader = _open(data)
    try:
        n_pages = len(reader.pages)
    except Exception as exc:
        raise BadPdfError(reason(Code.CORRUPT, detail=_short(exc))) from exc
    if n_pages == 0:
        raise BadPdfError(reason(Code.NO_PAGES))
    try:
        document = pdfium.PdfDocument(data)
    except Exception as exc:
        raise BadPdfError(reason(Code.CORRUPT, detail=_short(exc))) from exc
    pages: list[str] = []
    side_text: list[str] = []
    footnotes: list[tuple[str, ...]] = []
    image_only: list[int] = []
    scanner = Scanner(ocr, on_ocr_page) if ocr is not None else None
    chars = 0
    try:
        for number in range(1, len(document) + 1):
            page = document[number - 1]
            try:
                layout = page_layout(page)
                text = layout.text
                if scanner is not None and scanner.wants(text + layout.side_text, lambda p=page: _has_images(p)):
                    text = scanner.read(page, number)
                    layout = PageLayout(())
                elif not layout.lines and _has_images(page):
                    image_only.append(number)
            finally:
                page.close()
            pages.append(text)
            side_text.append(layout.side_text)
            footnotes.append(layout.notes)
            chars += len(text) + len(layout.side_text)
            if max_chars is not None and chars > max_chars:
                raise BadPdfError(reason(Code.TOO_MUCH_TEXT, limit=max_chars, page=number))
    except BadPdfError:
        raise
    except OcrUnavailable as exc:  # Tesseract went missing during the file
        raise BadPdfError(exc.reason) from exc
    except Exception as exc:
        raise BadPdfError(reason(Code.CORRUPT_PAGE, page=len(pages) + 1, detail=_short(exc))) from exc
    finally:
        document.close()
    problems = scanner.problems() if scanner is not None else []
    unavailable = scanner.unavailable if scanner is not None else None
    if not any(p.strip() for p in pages):
        if problems:
            raise BadPdfError(*problems)
        if image_only:
            raise BadPdfError(*needs_ocr_reasons(image_only, unavailable))
        raise BadPdfError(reason(Code.NO_TEXT))
    try:
        info = reader.metadata or {}
    except Exception:
        info = {}
    return PdfContent(
        pages=pages,
        side_text=side_text,
        footnotes=footnotes,
        info_title=str(info.get("/Title") or "").strip(),
        info_author=str(info.get("/Author") or "").strip(),
        info_year=_year(info.get("/CreationDate")),
        image_only_pages=image_only,
        ocr_pages=scanner.pages if scanner is not None else [],
        ocr_rejected=scanner.rejected if scanner is not None else [],
        ocr_problems=problems,
        ocr_unavailable=unavailable,
    )


def needs_ocr_reasons(pages: list[int], unavailable: Reason | None = None) -> list[Reason]:
    """The report of pages that have no text layer and were not read (and why OCR did not read them)."""
    return [reason(Code.NEEDS_OCR, pages=pages), *([unavailable] if unavailable else [])]
