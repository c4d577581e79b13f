"""Serving corpus PDFs and showing a cited sentence highlighted on its page.

App stage. Only PDFs that are documents in the store, lying inside the corpus or upload folder, are
ever served; anything else (other names, ../, absolute or encoded paths, symlinks out) is refused.
The viewer renders the page with PDFium (pypdfium2, bundled binary, offline) and places highlight
boxes over the characters of the cited sentence, located in PDFium's own text layer, so evaluators see
the sentence on the real page rather than trusting extracted text. On a page read by OCR the boxes are
those of the words Tesseract found (kept beside the store, :mod:`beleidsbron.ocr_boxes`).
"""

from __future__ import annotations

import html
import io
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pypdfium2 as pdfium

from beleidsbron.ocr_boxes import PageWords

_SAFE_NAME = re.compile(r"^[\w.\- ()&,+']{1,255}\.pdf$", re.IGNORECASE | re.UNICODE)
_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


class NotServable(Exception):
    """The requested file is not a corpus PDF (the reason is for the log, not the user)."""


def resolve_pdf(name: str, documents: dict[str, str], roots: list[Path]) -> Path:
    """The file behind a document name, if and only if it is a stored document inside a corpus root."""
    if not _SAFE_NAME.match(name) or name != Path(name).name or ".." in name:
        raise NotServable(f"invalid name {name!r}")
    stored = documents.get(name)
    if stored is None:
        raise NotServable(f"{name!r} is not a document in the store")
    path = Path(stored).resolve()  # symlinks are followed, then the target must lie inside a root
    if not path.is_file():
        raise NotServable(f"{name!r} is missing on disk")
    if not any(path.is_relative_to(root.resolve()) for root in roots):
        raise NotServable(f"{name!r} lies outside the corpus folders")
    return path


@dataclass(frozen=True)
class Box:
    """A highlight rectangle in percent of the page (left, top, width, height)."""

    left: float
    top: float
    width: float
    height: float


def _normalised(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits only, with the index of each kept character in ``text``."""
    chars, index = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.lower())
            index.append(i)
    return "".join(chars), index


def locate(page_text: str, sentence: str) -> tuple[int, int] | None:
    """Character range of ``sentence`` in a page's text layer, ignoring layout (line breaks,
    hyphenation, spacing, punctuation) and, as a fallback, footnote digits."""
    hay, index = _normalised(page_text)
    needle, _ = _normalised(sentence)
    if len(needle) < 4:
        return None
    pos = hay.find(needle)
    if pos >= 0:
        return index[pos], index[pos + len(needle) - 1] + 1
    # fall back to the sentence's beginning and end (a footnote digit may sit in between)
    head, tail = needle[:40], needle[-40:]
    start = hay.find(head)
    end = hay.find(tail, start + 1) if start >= 0 else -1
    if start >= 0 and end >= 0 and end - start < 2 * len(needle):
        return index[start], index[end + len(tail) - 1] + 1
    return None


@lru_cache(maxsize=64)
def _page_render(path: str, mtime: float, page: int, scale: float) -> bytes:
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            image = pdf[page - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def render_page(path: Path, page: int, scale: float = 1.6) -> bytes:
    return _page_render(str(path), path.stat().st_mtime, page, scale)


def page_count(path: Path) -> int:
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()


def highlight_boxes(path: Path, page: int, sentence: str) -> list[Box]:
    """Rectangles covering ``sentence`` on ``page`` (1-based); empty when it cannot be found."""
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            textpage = pdf_page.get_textpage()
            span = locate(textpage.get_text_range(), sentence)
            if span is None:
                return []
            start, end = span
            boxes = []
            for i in range(textpage.count_rects(start, end - start)):
                left, bottom, right, top = textpage.get_rect(i)
                boxes.append(
                    Box(
                        left=100 * left / width,
                        top=100 * (height - top) / height,
                        width=100 * (right - left) / width,
                        height=100 * (top - bottom) / height,
                    )
                )
            return boxes
        finally:
            pdf.close()


def ocr_highlight_boxes(scanned: PageWords, sentence: str) -> list[Box]:
    """Rectangles covering ``sentence`` on a page read by OCR: one per line, around its words."""
    starts, parts, offset = [], [], 0
    for word in scanned.words:
        starts.append(offset)
        parts.append(word.text)
        offset += len(word.text) + 1
    span = locate(" ".join(parts), sentence)
    if span is None or scanned.width <= 0 or scanned.height <= 0:
        return []
    start, end = span
    lines: dict[int, list[float]] = {}
    for word, first in zip(scanned.words, starts, strict=True):
        if first < end and first + len(word.text) > start:
            box = lines.setdefault(word.line, [word.x0, word.top, word.x1, word.bottom])
            box[:] = [min(box[0], word.x0), min(box[1], word.top), max(box[2], word.x1), max(box[3], word.bottom)]
    return [
        Box(
            left=100 * x0 / scanned.width,
            top=100 * top / scanned.height,
            width=100 * (x1 - x0) / scanned.width,
            height=100 * (bottom - top) / scanned.height,
        )
        for x0, top, x1, bottom in lines.values()
    ]


def viewer_html(
    name: str, title: str, page: int, pages: int, sentence: str, boxes: list[Box], ocr_confidence: float | None = None
) -> str:
    """A self-contained page: the rendered PDF page with the sentence highlighted, and navigation."""
    base = f"/viewer/{quote(name)}"
    nav = []
    if page > 1:
        nav.append(f'<a href="{base}?page={page - 1}">← Vorige pagina</a>')
    nav.append(f"Pagina {page} van {pages}")
    if page < pages:
        nav.append(f'<a href="{base}?page={page + 1}">Volgende pagina →</a>')
    nav.append(f'<a href="/pdf/{quote(name)}#page={page}" target="_blank" rel="noopener">Open originele PDF</a>')
    marks = "".join(
        f'<div class="hl" style="left:{b.left:.3f}%;top:{b.top:.3f}%;'
        f'width:{b.width:.3f}%;height:{b.height:.3f}%"></div>'
        for b in boxes
    )
    status = (
        f"De geciteerde zin is geel gemarkeerd ({len(boxes)} {'regel' if len(boxes) == 1 else 'regels'})."
        if boxes
        else ("De zin kon op deze pagina niet worden gemarkeerd." if sentence else "")
    )
    if ocr_confidence is not None:
        status += f" Tekst via OCR: deze pagina is een scan, gelezen met een zekerheid van {ocr_confidence:.0f}%."
    quote_html = f"<blockquote>{html.escape(sentence)}</blockquote>" if sentence else ""
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)} – p. {page}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #eef1f4; color: #1d2733; }}
header {{ background: #1f3a5f; color: #fff; padding: 10px 18px; }}
header h1 {{ font-size: 17px; margin: 0 0 4px 0; }}
nav {{ display: flex; gap: 18px; align-items: center; font-size: 14px; }}
nav a {{ color: #ffe27a; }}
main {{ max-width: 980px; margin: 16px auto; padding: 0 12px; }}
.status {{ font-size: 14px; margin: 6px 0; }}
blockquote {{ background: #fff8d6; border-left: 4px solid #e0b400; margin: 8px 0; padding: 8px 12px; }}
.page {{ position: relative; box-shadow: 0 2px 10px rgba(0,0,0,.2); background: #fff; }}
.page img {{ width: 100%; display: block; }}
.hl {{ position: absolute; background: rgba(255, 214, 0, .42); outline: 1px solid rgba(224, 160, 0, .8); }}
</style></head>
<body><header><h1>{html.escape(title)}</h1><nav>{"".join(f"<span>{n}</span>" for n in nav)}</nav></header>
<main><p class="status" data-highlights="{len(boxes)}">{status}</p>{quote_html}
<div class="page" id="page"><img alt="Pagina {page} van {html.escape(title)}"
 src="/pdf-page/{quote(name)}/{page}.png">{marks}</div>
<script>document.querySelector('.hl') && document.querySelector('.hl').scrollIntoView({{block: 'center'}});</script>
</main></body></html>"""
