"""Serving the store's PDFs and showing a cited sentence highlighted on its page.

App stage. The store's own document records are the allow-list: a request names a document (its file
name), and what is served is the file at the path ingest recorded for it, and only while its content
hash is still the one ingest recorded. Nothing in a request is ever used as a path (other names, ../,
absolute or encoded paths are simply not documents); a file that moved, vanished or changed since it
was ingested is refused with a Dutch message that says what to do. The viewer renders the page with
PDFium (pypdfium2, bundled binary, offline) and places highlight boxes over the characters of the cited
sentence, located in PDFium's own text layer, so evaluators see the sentence on the real page rather
than trusting extracted text. On a page read by OCR the boxes are
those of the words Tesseract found (kept beside the store, :mod:`beleidsbron.ocr_boxes`).
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pypdfium2 as pdfium

from beleidsbron.domain import DocumentInfo
from beleidsbron.ocr_boxes import PageWords

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe
NOT_IN_LIBRARY = "Dit document bestaat niet in de bibliotheek."


class NotServable(Exception):
    """A request for a PDF that is not served: ``message`` is the Dutch sentence for the user, ``status``
    the HTTP status; ``str()`` is the reason for the log."""

    def __init__(self, detail: str, message: str = NOT_IN_LIBRARY, status: int = 404) -> None:
        super().__init__(detail)
        self.message = message
        self.status = status


# Files whose content hash was checked: (path, device, inode, size, mtime in ns) → SHA-256. A file that
# is replaced, rewritten or touched gets another key and is hashed again.
_VERIFIED: dict[tuple[str, int, int, int, int], str] = {}
_VERIFIED_LOCK = threading.Lock()


def stored_pdf(name: str, document: Callable[[str], DocumentInfo | None]) -> tuple[DocumentInfo, Path]:
    """The stored document that a request names (``document`` looks it up in the store) and its file: the
    path ingest recorded, provided the file there still has the content ingest recorded. Raises
    :class:`NotServable` otherwise."""
    if not name or name != Path(name).name or "\x00" in name:  # never a store id: do not even ask the store
        raise NotServable(f"invalid name {name!r}")
    doc = document(name)
    if doc is None or doc.source != name or not doc.path:
        raise NotServable(f"{name!r} is not a document in the store")
    path = Path(doc.path)
    try:  # non-blocking: a pipe put in the file's place must not hold the request
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
            st = os.fstat(fh.fileno())
            key = (doc.path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
            with _VERIFIED_LOCK:
                known = _VERIFIED.get(key)
            digest = "" if not stat.S_ISREG(st.st_mode) else known or hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise NotServable(f"{name!r}: {doc.path} cannot be read ({exc})", _missing(doc), 410) from exc
    if digest != doc.content_hash:
        raise NotServable(f"{name!r}: {doc.path} changed since it was ingested", _changed(doc), 410)
    with _VERIFIED_LOCK:
        if len(_VERIFIED) > 10_000:  # many rewrites of files: start afresh rather than grow
            _VERIFIED.clear()
        _VERIFIED[key] = digest
    return doc, path


def _missing(doc: DocumentInfo) -> str:
    return (
        f"Het bestand van dit document staat niet meer op {doc.path}: het is verplaatst, hernoemd of verwijderd "
        "nadat het werd ingelezen. Zet het bestand daar terug, of lees het opnieuw in vanaf de nieuwe plek met "
        "python -m ingest <map of bestand>."
    )


def _changed(doc: DocumentInfo) -> str:
    return (
        f"Het bestand {doc.path} is veranderd sinds het werd ingelezen: de inhoud is niet meer dezelfde, dus de "
        f"pagina's en citaten kloppen er misschien niet meer mee. Lees het opnieuw in met python -m ingest "
        f"{doc.path}, of zet de ingelezen versie terug."
    )


def refusal_html(message: str) -> str:
    """A small Dutch page that says why a PDF is not shown."""
    return (
        '<!doctype html>\n<html lang="nl"><head><meta charset="utf-8"><title>Document niet beschikbaar</title></head>'
        f'<body style="font-family: system-ui, sans-serif; max-width: 720px; margin: 40px auto; padding: 0 16px">'
        f"<h1>Document niet beschikbaar</h1><p>{html.escape(message)}</p></body></html>"
    )


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
def _page_render(path: str, content_hash: str, page: int, scale: float) -> bytes:
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            image = pdf[page - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def render_page(path: Path, content_hash: str, page: int, scale: float = 1.6) -> bytes:
    """PNG of a page of the file at ``path`` (checked to have ``content_hash``, which keys the cache)."""
    return _page_render(str(path), content_hash, page, scale)


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
