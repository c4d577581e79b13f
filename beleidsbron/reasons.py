"""Why ingest did what it did with a file: a code with parameters, rendered in English here.

Shared foundation. Ingest (the write side) reports every refusal and every note on a file as a
:class:`Reason`; the CLI and the log show :meth:`Reason.english`, the app renders the same code and
parameters in Dutch (``webapp/ingest_messages.py``), and the ingest status record keeps both the codes
(for the app) and the English text (for older readers and people reading the file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Every reason ingest gives; the values are stored in ingest status records, so never rename one."""

    TOO_LARGE = "too_large"  # size_mb, limit_mb
    PERMISSION_DENIED = "permission_denied"
    UNREADABLE = "unreadable"  # detail
    DIRECTORY = "directory"
    EMPTY = "empty"
    NOT_PDF = "not_pdf"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"  # detail
    CORRUPT_PAGE = "corrupt_page"  # page, detail
    ENCRYPTED_UNSUPPORTED = "encrypted_unsupported"  # detail
    PASSWORD = "password"
    NO_PAGES = "no_pages"
    TOO_MUCH_TEXT = "too_much_text"  # limit, page
    NEEDS_OCR = "needs_ocr"  # pages (list of 1-based page numbers)
    NO_TEXT = "no_text"
    NO_USABLE_TEXT = "no_usable_text"
    CHANGED = "changed"
    BAD_NAME = "bad_name"
    NAME_CLASH = "name_clash"
    TIMEOUT = "timeout"  # seconds
    CRASHED = "crashed"
    PARSE_ERROR = "parse_error"  # detail
    DUPLICATE = "duplicate"  # original
    GONE = "gone"
    REBUILT = "rebuilt"
    OCR_NO_TEXT = "ocr_no_text"  # pages: scanned pages in which OCR found no text
    OCR_LOW_CONFIDENCE = "ocr_low_confidence"  # pages, confidence, floor: read, too unsure to index
    OCR_FAILED = "ocr_failed"  # pages, detail: Tesseract failed or took too long
    OCR_UNAVAILABLE = "ocr_unavailable"  # missing ("program", "languages" or "broken"), languages
    REBUILT_FOR_OCR = "rebuilt_for_ocr"  # stored with unread scanned pages, read again now that OCR can
    FAILED_BEFORE = "failed_before"  # reasons (the earlier ones, as JSON): unchanged since it failed, not read again
    MOVED = "moved"  # was: unchanged, found at another path, which is now recorded


@dataclass(frozen=True)
class Reason:
    """One reason: a code and the facts that fill its sentence (numbers, page lists, a technical detail)."""

    code: Code
    params: dict[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return ENGLISH[self.code](self.params)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reason:
        params = {k: v for k, v in data.items() if k != "code"}
        return cls(Code(data["code"]), params)


def reason(code: Code, **params: Any) -> Reason:
    return Reason(code, params)


def english(reasons: Sequence[Reason]) -> str:
    """The one-line English text of several reasons (joined with "; ")."""
    return "; ".join(r.english() for r in reasons)


def format_pages(pages: Sequence[int]) -> str:
    """[1, 2, 3, 7] → "1–3, 7"."""
    parts: list[str] = []
    start = prev = None
    for p in sorted(pages):
        if start is None or prev is None:
            start = prev = p
        elif p == prev + 1:
            prev = p
        else:
            parts.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = p
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
    return ", ".join(parts)


ENGLISH: dict[Code, Callable[[dict[str, Any]], str]] = {
    Code.TOO_LARGE: lambda p: f"file is {p['size_mb']:.1f} MB, over the {p['limit_mb']:.0f} MB limit",
    Code.PERMISSION_DENIED: lambda p: "cannot read the file: permission denied",
    Code.UNREADABLE: lambda p: f"cannot read the file: {p['detail']}",
    Code.DIRECTORY: lambda p: "is a directory, not a PDF file",
    Code.EMPTY: lambda p: "empty file (0 bytes)",
    Code.NOT_PDF: lambda p: "not a PDF (no %PDF- header; wrong file type or extension)",
    Code.TRUNCATED: lambda p: "truncated or corrupt PDF (no end-of-file marker)",
    Code.CORRUPT: lambda p: f"corrupt PDF: {p['detail']}",
    Code.CORRUPT_PAGE: lambda p: f"corrupt PDF (page {p['page']}): {p['detail']}",
    Code.ENCRYPTED_UNSUPPORTED: lambda p: f"encrypted PDF that cannot be opened: {p['detail']}",
    Code.PASSWORD: lambda p: "encrypted PDF: a password is required",
    Code.NO_PAGES: lambda p: "the PDF has no pages",
    Code.TOO_MUCH_TEXT: lambda p: (
        f"more than {p['limit']:,} characters of text by page {p['page']}; split the document or raise max_text_chars"
    ),
    Code.NEEDS_OCR: lambda p: f"needs OCR: no text layer on pages {format_pages(p['pages'])}",
    Code.NO_TEXT: lambda p: "the PDF contains no text",
    Code.NO_USABLE_TEXT: lambda p: "no usable text after cleaning",
    Code.CHANGED: lambda p: "the file changed while it was being ingested; run ingest again",
    Code.BAD_NAME: lambda p: "the file or folder name is not valid UTF-8; rename it",
    Code.NAME_CLASH: lambda p: "another file with this name is in this run",
    Code.TIMEOUT: lambda p: f"parsing took longer than {p['seconds']:g} s; file refused",
    Code.CRASHED: lambda p: "the PDF parser crashed on this file",
    Code.PARSE_ERROR: lambda p: f"could not parse: {p['detail']}",
    Code.DUPLICATE: lambda p: f"same content as {p['original']}",
    Code.GONE: lambda p: "file is gone",
    Code.REBUILT: lambda p: "rebuilt: it was stored by an older version of ingest",
    Code.OCR_NO_TEXT: lambda p: (
        f"scanned pages without readable text: OCR found no text on pages {format_pages(p['pages'])}"
    ),
    Code.OCR_LOW_CONFIDENCE: lambda p: (
        f"scanned pages not indexed: OCR confidence {p['confidence']:.0f}% is below {p['floor']:.0f}% on pages "
        f"{format_pages(p['pages'])}"
    ),
    Code.OCR_FAILED: lambda p: f"OCR failed on pages {format_pages(p['pages'])}: {p['detail']}",
    Code.OCR_UNAVAILABLE: lambda p: f"OCR unavailable: {_ocr_missing(p)}",
    Code.REBUILT_FOR_OCR: lambda p: "rebuilt: its pages without a text layer are now read by OCR",
    Code.MOVED: lambda p: f"moved: its new place is recorded (it was at {p['was']})",
    Code.FAILED_BEFORE: lambda p: (
        f"unchanged (failed: {english(earlier(p))}); not read again: `python -m ingest --retry-failed` reads it again"
    ),
}


def earlier(p: dict[str, Any]) -> list[Reason]:
    """The reasons a file failed for in the run that :data:`Code.FAILED_BEFORE` refers to."""
    return [Reason.from_json(r) for r in p["reasons"]]


def tesseract_packages(p: dict[str, Any]) -> str:
    """The Debian packages of the missing OCR languages ("tesseract-ocr-nld, tesseract-ocr-deu")."""
    return ", ".join(f"tesseract-ocr-{code.lower().replace('_', '-')}" for code in p["languages"].split("+"))


def _ocr_missing(p: dict[str, Any]) -> str:
    if p["missing"] == "program":
        return "tesseract is not installed (Debian packages tesseract-ocr, tesseract-ocr-nld)"
    if p["missing"] == "languages":
        return f"tesseract has no language data for {p['languages']} (Debian package {tesseract_packages(p)})"
    return "tesseract does not run (reinstall the Debian package tesseract-ocr)"
