"""Read one PDF: page layouts in reading order, side blocks, metadata input, or why it cannot be used.

First step of ingest (corpus → *PDF layout* → clean paragraphs → document structure → chunks →
embeddings → store). The PDF is opened once, by pdfium: that one opening checks it (structure,
encryption), gives the page count, the info dictionary and creation date, every page's layout from
the characters and their positions (:mod:`ingest.layout`) — or from OCR's word boxes for a scanned page
(:mod:`ingest.ocr`) — and the lines with type size and position of the first and last pages that
metadata reads (:mod:`ingest.styled_lines`), with the text of the first page's logo read by OCR where
the page has graphics but no text (:func:`ingest.ocr.logo_lines`). Every way a file can be unusable ends here as a
:class:`BadPdfError` with a one-line reason, so one broken file never stops the others.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from beleidsbron.domain import PDF_MAGIC
from beleidsbron.reasons import Code, Reason, english, reason
from ingest.layout import PageLayout, page_layout
from ingest.ocr import OcrOptions, OcrPage, OcrUnavailable, Scanner, logo_lines
from ingest.styled_lines import EXCERPT_FIRST, EXCERPT_LAST, Excerpt, Line, page_lines


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

    pages: list[PageLayout]  # per page: its blocks in reading order and its side blocks (see ingest.layout)
    excerpt: Excerpt = field(default_factory=lambda: Excerpt([]))  # lines of the first and last pages (metadata)
    info_title: str = ""
    info_author: str = ""
    info_year: int | None = None
    image_only_pages: list[int] = field(default_factory=list)  # 1-based, not read (OCR off or unavailable)
    ocr_pages: list[OcrPage] = field(default_factory=list)  # pages whose text comes from OCR
    ocr_rejected: list[OcrPage] = field(default_factory=list)  # OCR found no text, failed or was too unsure
    ocr_problems: list[Reason] = field(default_factory=list)  # why rejected pages were not indexed
    ocr_unavailable: Reason | None = None  # why pages without a text layer were not read although OCR is on

    @property
    def side_text(self) -> list[str]:
        """Per page: its letterhead and margin blocks and rotated text, one line each."""
        return [page.side_text for page in self.pages]

    @property
    def footnotes(self) -> list[tuple[str, ...]]:
        """Per page: its footnotes."""
        return [page.notes for page in self.pages]


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


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """The one opening of a PDF (bytes already through :func:`check_file`); an encrypted file opens when
    its user password is empty."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise BadPdfError(reason(Code.PASSWORD)) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise BadPdfError(reason(Code.ENCRYPTED_UNSUPPORTED, detail=_short(exc))) from exc
        if code == pdfium_c.FPDF_ERR_SUCCESS or _empty_page_tree(data):  # a sound file without a page
            raise BadPdfError(reason(Code.NO_PAGES)) from exc
        raise BadPdfError(reason(Code.CORRUPT, detail=_short(exc))) from exc
    except Exception as exc:
        raise BadPdfError(reason(Code.CORRUPT, detail=_short(exc))) from exc


def _empty_page_tree(data: bytes) -> bool:
    """Whether a file pdfium refused is a well-formed PDF whose page tree is empty (pdfium calls that a
    format error): read again by pypdf only on this failure path, to say what is wrong."""
    try:
        return len(pypdf.PdfReader(io.BytesIO(data)).pages) == 0
    except Exception:
        return False


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
    """Parse PDF bytes (already through :func:`check_file`) page by page, from one opening.

    With ``ocr``, a page without a usable text layer is read by OCR (``on_ocr_page`` hears each one).
    Raises :class:`BadPdfError` when nothing usable can come out, or as soon as the extracted text
    passes ``max_chars`` (a small file can hold text that would take hours to embed).
    """
    document = open_pdf(data)
    pages: list[PageLayout] = []
    image_only: list[int] = []
    excerpt_lines = []
    logo: list[Line] = []
    scanner = Scanner(ocr, on_ocr_page) if ocr is not None else None
    chars = 0
    try:
        n_pages = len(document)
        for number in range(1, n_pages + 1):
            page = document[number - 1]
            try:
                layout = page_layout(page)
                text = layout.text
                if scanner is not None and scanner.wants(text + layout.side_text, lambda p=page: _has_images(p)):
                    scanner.submit(page, number)  # read in the background; its layout is filled in below
                    layout = PageLayout()
                elif not layout.blocks and _has_images(page):
                    image_only.append(number)
                if number <= EXCERPT_FIRST or number > n_pages - EXCERPT_LAST:
                    lines = page_lines(page, number, sized=number <= EXCERPT_FIRST)
                    excerpt_lines.extend(lines)
                    if number == 1 and ocr is not None and lines:  # a page without text is OCR'd whole
                        logo = logo_lines(page, 1, lines, ocr)
            finally:
                page.close()
            pages.append(layout)
            chars += len(layout.text) + len(layout.side_text)
            if max_chars is not None and chars > max_chars:
                raise BadPdfError(reason(Code.TOO_MUCH_TEXT, limit=max_chars, page=number))
        for number, read in (scanner.collect() if scanner is not None else {}).items():
            pages[number - 1] = read
        _check_length(pages, max_chars)
        info = _info(document)
    except BadPdfError:
        raise
    except OcrUnavailable as exc:  # Tesseract went missing during the file
        raise BadPdfError(exc.reason) from exc
    except Exception as exc:
        raise BadPdfError(reason(Code.CORRUPT_PAGE, page=len(pages) + 1, detail=_short(exc))) from exc
    finally:
        if scanner is not None:
            scanner.close()
        document.close()
    problems = scanner.problems() if scanner is not None else []
    unavailable = scanner.unavailable if scanner is not None else None
    if not any(p.blocks for p in pages):
        if problems:
            raise BadPdfError(*problems)
        if image_only:
            raise BadPdfError(*needs_ocr_reasons(image_only, unavailable))
        raise BadPdfError(reason(Code.NO_TEXT))
    return PdfContent(
        pages=pages,
        excerpt=Excerpt(excerpt_lines, info.get("CreationDate", ""), logo),
        info_title=info.get("Title", "").strip(),
        info_author=info.get("Author", "").strip(),
        info_year=_year(info.get("CreationDate")),
        image_only_pages=image_only,
        ocr_pages=scanner.pages if scanner is not None else [],
        ocr_rejected=scanner.rejected if scanner is not None else [],
        ocr_problems=problems,
        ocr_unavailable=unavailable,
    )


def _info(document: pdfium.PdfDocument) -> dict[str, str]:
    """The info dictionary (Title, Author, CreationDate …); empty when it cannot be read."""
    try:
        return {k: str(v or "") for k, v in document.get_metadata_dict(skip_empty=True).items()}
    except Exception:
        return {}


def _check_length(pages: list[PageLayout], max_chars: int | None) -> None:
    """Refuse a document whose text (with the pages read by OCR) passes ``max_chars``."""
    chars = 0
    for number, page in enumerate(pages, start=1):
        chars += len(page.text) + len(page.side_text)
        if max_chars is not None and chars > max_chars:
            raise BadPdfError(reason(Code.TOO_MUCH_TEXT, limit=max_chars, page=number))


def needs_ocr_reasons(pages: list[int], unavailable: Reason | None = None) -> list[Reason]:
    """The report of pages that have no text layer and were not read (and why OCR did not read them)."""
    return [reason(Code.NEEDS_OCR, pages=pages), *([unavailable] if unavailable else [])]
