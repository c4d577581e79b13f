"""Word boxes of pages read by OCR, kept beside the store: written by ingest, read by the app's viewer.

Shared foundation (corpus → ingest → *store* → assistant → app/evals). A scanned page has no text layer
in which the viewer could find a cited sentence, so ingest (:mod:`ingest.ocr`) keeps the words
Tesseract found, with their boxes, in one file per document: ``<store>/ocr/<content hash>.json``. Boxes
are in PDF points of the displayed page, origin top left, y down; words are in reading order, each with
the number of its line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FORMAT_VERSION = 1


@dataclass(frozen=True)
class OcrWord:
    """A word found by OCR; box in PDF points of the displayed page, origin top left, y down."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float  # 0–100
    line: int  # index of its line on the page (lines in reading order)


@dataclass(frozen=True)
class PageWords:
    """The words of one page read by OCR, and the page's size and mean confidence."""

    number: int  # 1-based
    width: float  # points
    height: float
    confidence: float  # 0–100
    words: tuple[OcrWord, ...]


def sidecar_path(store_path: Path, content_hash: str) -> Path:
    return Path(store_path) / "ocr" / f"{content_hash}.json"


def write_page_words(store_path: Path, content_hash: str, pages: list[PageWords]) -> None:
    """Write the word boxes of a document's OCR pages, atomically (raises OSError when it cannot)."""
    path = sidecar_path(store_path, content_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": FORMAT_VERSION,
        "content_hash": content_hash,
        "pages": {
            str(p.number): {
                "width": p.width,
                "height": p.height,
                "confidence": p.confidence,
                "words": [[w.text, w.x0, w.top, w.x1, w.bottom, w.confidence, w.line] for w in p.words],
            }
            for p in pages
        },
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)


def remove_page_words(store_path: Path, content_hash: str) -> None:
    sidecar_path(store_path, content_hash).unlink(missing_ok=True)


def load_page_words(store_path: Path, content_hash: str, number: int) -> PageWords | None:
    """The OCR words of one page of a stored document, or None (no file, or not a page read by OCR)."""
    try:
        data = json.loads(sidecar_path(store_path, content_hash).read_text(encoding="utf-8"))
        page = data["pages"].get(str(number))
        if page is None:
            return None
        words = tuple(
            OcrWord(str(t), float(x0), float(top), float(x1), float(bottom), float(conf), int(line))
            for t, x0, top, x1, bottom, conf, line in page["words"]
        )
        return PageWords(number, float(page["width"]), float(page["height"]), float(page["confidence"]), words)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
