"""OCR of scanned pages: a page without a usable text layer → Dutch text, word boxes and a confidence.

Part of the first step of ingest (corpus → *PDF layout* → clean paragraphs → structure → chunks →
embeddings → store). :func:`ingest.pdf_reader.read_pdf` asks a :class:`Scanner` about every page: a
page whose text layer is empty (and that shows an image) or garbage (mostly neither letters nor
digits) is rendered with pypdfium2 and read by Tesseract through pytesseract, in the parsing worker:
pages are rendered there one by one and read by a few Tesseract processes side by side. Its word boxes
go through the same layout analysis as a born-digital page's characters
(:func:`ingest.layout.layout_words`): columns, list items, tables and footnotes come out as the same
blocks, so cleaning, structure, chunking and citations treat it like any other page. A page whose OCR
finds no text or whose mean word confidence is below the floor is reported, not indexed.

The word boxes of every OCR page are kept beside the store (:mod:`beleidsbron.ocr_boxes`) so that the
app's viewer highlights a cited sentence on a scanned page as on a born-digital one.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from beleidsbron.ocr_boxes import OcrWord, PageWords
from beleidsbron.reasons import Code, Reason, reason
from ingest.layout import PageLayout, Word, layout_words
from ingest.styled_lines import Line


def _import_pytesseract() -> ModuleType:
    """pytesseract, imported without pandas: it imports pandas (seconds on a busy machine, in every parsing
    worker) only to offer a DataFrame output that ingest never asks for."""
    if "pytesseract" in sys.modules or "pandas" in sys.modules:
        return importlib.import_module("pytesseract")
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail at once
    try:
        return importlib.import_module("pytesseract")
    finally:
        del sys.modules["pandas"]


pytesseract = _import_pytesseract()

if TYPE_CHECKING:
    from beleidsbron.settings import IngestSettings

MAX_PIXELS = 40_000_000  # a rendered page never exceeds this (a poster-sized page is rendered coarser)
MIN_TEXT_CHARS = 3  # OCR that finds fewer letters and digits than this found nothing
GARBAGE_MIN_CHARS = 20  # a text layer is judged only from this many visible characters on
GARBAGE_SHARE = 0.5  # a text layer with fewer letters and digits than this share of its characters is garbage
_ENV_LOCK = threading.Lock()
_OMP_READERS = 0  # pages being read by Tesseract in this process (under _ENV_LOCK)
_OMP_BEFORE: str | None = None  # OMP_THREAD_LIMIT before the first of them


class OcrUnavailable(Exception):
    """Tesseract or its language data is missing: ``reason`` says which (``str()`` is its English line)."""

    def __init__(self, why: Reason) -> None:
        super().__init__(why.english())
        self.reason = why

    def __reduce__(self) -> tuple[type[OcrUnavailable], tuple[Reason]]:
        return OcrUnavailable, (self.reason,)


class OcrError(Exception):
    """Tesseract failed on one page (an error or the page timeout); ``str()`` says how."""


@dataclass(frozen=True)
class OcrOptions:
    """How scanned pages are read (from the ingest settings ``ocr_*``)."""

    languages: str = "nld+eng"
    dpi: int = 300
    min_confidence: float = 60.0  # mean word confidence (0–100) below which a page is not indexed
    page_timeout_s: float = 60.0
    tesseract_cmd: str = "tesseract"
    logos: bool = True  # read the first page's logo or banner for metadata (logo_lines)
    workers: int = 1  # pages of one document read at the same time (Tesseract processes)

    @classmethod
    def from_settings(cls, settings: IngestSettings) -> OcrOptions | None:
        """The options, or None when OCR is switched off (``BELEIDSBRON_INGEST__OCR=off``)."""
        if not settings.ocr:
            return None
        return cls(
            languages=settings.ocr_lang,
            dpi=settings.ocr_dpi,
            min_confidence=settings.ocr_min_confidence,
            page_timeout_s=settings.ocr_page_timeout_s,
            tesseract_cmd=settings.tesseract_cmd,
            logos=settings.ocr_logos,
            workers=settings.ocr_workers,
        )


def check_available(options: OcrOptions) -> None:
    """Raise :class:`OcrUnavailable` when the Tesseract program or a language's data is missing."""
    pytesseract.pytesseract.tesseract_cmd = options.tesseract_cmd
    try:
        pytesseract.get_tesseract_version()
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise OcrUnavailable(_NOT_INSTALLED) from exc
    except (pytesseract.TesseractError, RuntimeError, ValueError, SystemExit) as exc:  # SystemExit: odd version
        raise OcrUnavailable(reason(Code.OCR_UNAVAILABLE, missing="broken", languages="")) from exc
    missing = [code for code in options.languages.split("+") if code not in installed]
    if missing:
        raise OcrUnavailable(reason(Code.OCR_UNAVAILABLE, missing="languages", languages="+".join(missing)))


_NOT_INSTALLED = reason(Code.OCR_UNAVAILABLE, missing="program", languages="")


def unavailable_reason(options: OcrOptions | None) -> Reason | None:
    """Why OCR cannot run with these options (None when it can, or when OCR is off)."""
    if options is None:
        return None
    try:
        check_available(options)
    except OcrUnavailable as exc:
        return exc.reason
    return None


# --- deciding which pages need OCR --------------------------------------------------------------


def is_garbage(text: str) -> bool:
    """A text layer that is mostly neither letters nor digits (a broken font encoding, scanner debris)."""
    visible = [c for c in text if not c.isspace()]
    if len(visible) < GARBAGE_MIN_CHARS:
        return False
    return sum(c.isalnum() for c in visible) < GARBAGE_SHARE * len(visible)


def needs_ocr(text: str, has_images: Callable[[], bool]) -> bool:
    """Whether a page's text layer is unusable: empty on a page that shows an image, or garbage."""
    if not any(c.isalnum() for c in text):
        return has_images()
    return is_garbage(text)


# --- reading one page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrPage:
    """One page read by OCR."""

    number: int  # 1-based
    text: str  # lines in reading order, "" between paragraphs (as ingest.layout gives page text)
    words: tuple[OcrWord, ...]
    width: float  # points
    height: float
    confidence: float  # mean word confidence (0–100) weighted by characters; 0 without words
    seconds: float = 0.0
    error: str = ""  # Tesseract failed on the page (then there are no words)

    @property
    def found_text(self) -> bool:
        return sum(c.isalnum() for c in self.text) >= MIN_TEXT_CHARS

    def boxes(self) -> PageWords:
        """What the viewer keeps of the page (:mod:`beleidsbron.ocr_boxes`)."""
        return PageWords(self.number, self.width, self.height, self.confidence, self.words)

    def layout(self) -> PageLayout:
        """The page's blocks, from its word boxes as from a born-digital page's characters.

        Tesseract's boxes are tight around the ink, so their heights vary with the letters ("de" is
        shorter than "Bloemen"); every word of a line gets the box a PDF font would give it — from the
        line's baseline and its type size estimated from all its words — so that lines of one type
        size look alike to the layout analysis, and the words of one line (even on a slightly skewed
        scan) share a baseline."""
        by_line: dict[int, list[OcrWord]] = {}
        for word in self.words:
            by_line.setdefault(word.line, []).append(word)
        words: list[Word] = []
        for line in by_line.values():
            sizes = sorted(size for w in line if (size := _type_size(w)) is not None)
            size = sizes[len(sizes) // 2] if sizes else max(w.bottom - w.top for w in line)
            plain = [w.bottom for w in line if not any(c in _DESCENDING for c in w.text)]
            baseline = sorted(plain)[len(plain) // 2] if plain else max(w.bottom for w in line) - _DESCENDER * size
            top, bottom = baseline - _LOOSE_ASCENT * size, baseline + _LOOSE_DESCENT * size
            words.extend(Word(w.text, w.x0, w.x1, top, bottom) for w in sorted(line, key=lambda w: w.x0))
        return layout_words(words)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Tesseract with one OpenMP thread (pytesseract gives it this process's environment): several threads
    per page were 2–3× slower here; :class:`Scanner` reads pages side by side instead. The variable is set
    while any page is being read and restored after the last one."""
    global _OMP_READERS, _OMP_BEFORE
    with _ENV_LOCK:
        if _OMP_READERS == 0:
            _OMP_BEFORE = os.environ.get("OMP_THREAD_LIMIT")
            os.environ["OMP_THREAD_LIMIT"] = "1"
        _OMP_READERS += 1
    try:
        yield
    finally:
        with _ENV_LOCK:
            _OMP_READERS -= 1
            if _OMP_READERS == 0:
                if _OMP_BEFORE is None:
                    os.environ.pop("OMP_THREAD_LIMIT", None)
                else:
                    os.environ["OMP_THREAD_LIMIT"] = _OMP_BEFORE


@dataclass(frozen=True)
class PageImage:
    """A page rendered for OCR: grey, ``scale`` pixels per point."""

    number: int  # 1-based
    image: Image.Image
    scale: float
    seconds: float  # rendering took


def render_page(page: pdfium.PdfPage, number: int, options: OcrOptions) -> PageImage:
    """Render one page for OCR (grey, ``options.dpi``, at most :data:`MAX_PIXELS`). pdfium is not
    thread-safe: pages are rendered on the thread that reads the document."""
    started = time.perf_counter()
    width, height = page.get_size()
    scale = min(options.dpi / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil()  # shares the bitmap's buffer, which Python allocated: it outlives close()
    finally:
        bitmap.close()
    return PageImage(number, image, scale, time.perf_counter() - started)


def read_page(page: PageImage, options: OcrOptions) -> OcrPage:
    """Read a rendered page with Tesseract (a subprocess: pages can be read by several threads at once).

    Raises :class:`OcrUnavailable` when Tesseract cannot run and :class:`OcrError` when it fails on
    this page or takes longer than ``options.page_timeout_s``.
    """
    started = time.perf_counter()
    pytesseract.pytesseract.tesseract_cmd = options.tesseract_cmd
    try:
        with _one_thread():
            data = pytesseract.image_to_data(
                page.image,
                lang=options.languages,
                config="--psm 3",
                output_type=pytesseract.Output.DICT,
                timeout=options.page_timeout_s,
            )
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable(_NOT_INSTALLED) from exc
    except pytesseract.TesseractError as exc:
        raise OcrError(f"tesseract failed ({str(exc.message).strip()[:80] or exc.status})") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrError(f"took longer than {options.page_timeout_s:g} s") from exc
    words, text = _read_tsv(data, page.scale)  # the image is the displayed (rotated) page: boxes as seen
    return OcrPage(
        number=page.number,
        text=text,
        words=tuple(words),
        width=round(page.image.width / page.scale, 2),
        height=round(page.image.height / page.scale, 2),
        confidence=_mean_confidence(words),
        seconds=page.seconds + time.perf_counter() - started,
    )


def _read_or_fail(page: PageImage, options: OcrOptions) -> OcrPage:
    """:func:`read_page`, a page on which Tesseract fails becoming a page with its ``error``."""
    started = time.perf_counter()
    try:
        return read_page(page, options)
    except OcrError as exc:
        seconds = page.seconds + time.perf_counter() - started
        return OcrPage(page.number, "", (), 0.0, 0.0, 0.0, seconds, error=str(exc))


def _read_tsv(data: dict[str, list], scale: float) -> tuple[list[OcrWord], str]:
    """Level-5 rows of Tesseract's TSV → words with boxes in points (lines numbered in reading order)
    and the page text: words joined by a space, a line per ``"\\n"``, an empty line between paragraphs."""
    words: list[OcrWord] = []
    lines: dict[tuple[int, int, int], int] = {}
    parts: list[str] = []
    paragraph: tuple[int, int] | None = None
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        if data["level"][i] != 5 or not text:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key not in lines:
            if parts:
                parts.append("\n\n" if key[:2] != paragraph else "\n")
            lines[key] = len(lines)
            paragraph = key[:2]
        elif parts:
            parts.append(" ")
        parts.append(text)
        left, top = float(data["left"][i]), float(data["top"][i])
        words.append(
            OcrWord(
                text=text,
                x0=round(left / scale, 2),
                top=round(top / scale, 2),
                x1=round((left + float(data["width"][i])) / scale, 2),
                bottom=round((top + float(data["height"][i])) / scale, 2),
                confidence=max(0.0, float(data["conf"][i])),
                line=lines[key],
            )
        )
    return words, "".join(parts)


def _mean_confidence(words: list[OcrWord]) -> float:
    weight = sum(len(w.text) for w in words)
    if not weight:
        return 0.0
    return round(sum(w.confidence * len(w.text) for w in words) / weight, 1)


# --- lines for metadata -------------------------------------------------------------------------

SAME_SIZE = 0.08  # line sizes within this share of each other are one type size (OCR heights vary a little)
BODY_SIZE = 0.12  # lines this close to the page's body size are body type
# Parts of the type size a word's box covers (a sans serif's proportions): x-height, ascenders/capitals,
# descenders. "de" is shorter than "Bloemenbuurt", "vergoeding" taller: all estimate the same size.
_X_HEIGHT, _ASCENDER, _DESCENDER = 0.52, 0.73, 0.21
_LOOSE_ASCENT, _LOOSE_DESCENT = 0.9, 0.25  # a PDF font's box around a line, in parts of the type size
_ASCENDING = frozenset("bdfhijklt0123456789ß/()[]{}|!?%&#@$€'\"")
_DESCENDING = frozenset("gjpqyç()[]{}|/")


def _type_size(word: OcrWord) -> float | None:
    """The type size (points) that gives this word's box height, from which letters it has."""
    letters = [c for c in word.text if c.isalnum()]
    if not letters:
        return None
    top = _ASCENDER if any(c.isupper() or c in _ASCENDING for c in word.text) else _X_HEIGHT
    bottom = _DESCENDER if any(c in _DESCENDING for c in word.text) else 0.0
    return (word.bottom - word.top) / (top + bottom)


def styled_lines(page: OcrPage, sized: bool = True) -> list[Line]:
    """The page's OCR lines as :mod:`ingest.metadata` reads a cover, in reading order. The type size of a
    line is the median of its words' estimates (box height over the share of the size their letters
    cover); lines within :data:`BODY_SIZE` of the page's main size get that size, other lines whose
    estimates lie within :data:`SAME_SIZE` of each other one size, as if set in one type. Without
    ``sized`` every size is 0 (as for the last pages of a document read without type sizes)."""
    by_line: dict[int, list[OcrWord]] = {}
    for word in page.words:
        by_line.setdefault(word.line, []).append(word)
    raw: dict[int, float] = {}
    for n, words in by_line.items():
        sizes = sorted(size for w in words if (size := _type_size(w)) is not None)
        raw[n] = sizes[len(sizes) // 2] if sizes else max(w.bottom - w.top for w in words)
    # the body type first: every line within BODY_SIZE of the page's most common size is in it
    chars = {n: sum(len(w.text) for w in words) for n, words in by_line.items()}
    ordered = sorted(raw, key=raw.__getitem__)
    half, seen, body = sum(chars.values()) / 2, 0, 0.0
    for n in ordered:
        seen += chars[n]
        if seen >= half:
            body = raw[n]
            break
    size: dict[int, float] = _group_size([n for n in ordered if abs(raw[n] - body) <= BODY_SIZE * body], raw, by_line)
    group: list[int] = []
    for n in (n for n in ordered if n not in size):  # smallest first; a group spans at most SAME_SIZE
        if group and raw[n] > raw[group[0]] * (1 + SAME_SIZE):
            size.update(_group_size(group, raw, by_line))
            group = []
        group.append(n)
    size.update(_group_size(group, raw, by_line))
    return [
        Line(
            page=page.number,
            text=" ".join(w.text for w in words),
            size=size[n] if sized else 0.0,
            top=round(min(w.top for w in words), 1),
            bottom=round(max(w.bottom for w in words), 1),
            left=round(min(w.x0 for w in words), 1),
            right=round(max(w.x1 for w in words), 1),
            page_width=page.width,
            page_height=page.height,
            origin="ocr",
        )
        for n, words in by_line.items()
    ]


def _group_size(group: list[int], raw: dict[int, float], by_line: dict[int, list[OcrWord]]) -> dict[int, float]:
    if not group:
        return {}
    weights = [(raw[n], sum(len(w.text) for w in by_line[n])) for n in group]
    total = sum(c for _, c in weights)
    mean = sum(h * c for h, c in weights) / max(total, 1)
    return dict.fromkeys(group, round(mean * 2) / 2)


def excerpt_lines(lines: list[Line], pages: list[OcrPage], n_pages: int, first: int = 2, last: int = 2) -> list[Line]:
    """The lines metadata reads from a document's first and last pages (read with the page text by
    :func:`ingest.pdf_reader.read_pdf`) with those of pages read by OCR in place of their (empty or garbage)
    text layer, in page order."""
    scanned = {p.number: p for p in pages if p.number <= first or p.number > n_pages - last}
    if not scanned:
        return lines
    kept = [line for line in lines if line.page not in scanned]
    for page in scanned.values():
        kept.extend(styled_lines(page, sized=page.number <= first))
    return sorted(kept, key=lambda line: line.page)  # stable: each page keeps its order


# --- logos and banners: text set as a picture ---------------------------------------------------

LOGO_TOP = 0.25  # a logo or banner stands within this share of the first page from its top …
LOGO_BOTTOM = 0.15  # … or from its bottom
LOGO_MIN_SIZE = (30.0, 10.0)  # points (width, height): smaller graphics are icons, rules or redaction bars
# Two-letter words OCR is less sure of are left out: mostly a logo's picture read as letters (its confidence
# says little about longer words: a stylised name is often read right with a confidence near 0).
LOGO_SHORT_WORD_CONFIDENCE = 80.0
LOGO_MAX_REGIONS = 3
LOGO_MAX_OBJECTS = 2000  # page objects looked at (a map can hold hundreds of thousands of paths) …
LOGO_MAX_GRAPHICS = 300  # … and more graphics than this in the bands are a chart or a map, not a logo
_GRAPHICS = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM)
_Box = tuple[float, float, float, float]  # left, top, right, bottom in points from the page's top-left


def _overlaps(a: _Box, b: _Box, margin: float = 0.0) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


def _union(a: _Box, b: _Box) -> _Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _merge(boxes: list[_Box], gap: float) -> list[_Box]:
    """Boxes within ``gap`` of each other joined into one (the parts of one logo)."""
    merged = sorted(boxes)
    while True:
        out: list[_Box] = []
        for box in merged:
            for i, other in enumerate(out):
                if _overlaps(box, other, gap):
                    out[i] = _union(box, other)
                    break
            else:
                out.append(box)
        if len(out) == len(merged):
            return out
        merged = out


def logo_regions(page: pdfium.PdfPage, lines: list[Line]) -> list[_Box]:
    """Where a page shows graphics in its top or bottom band with no text on them — a logo, a banner, an
    organisation's name set as a picture — largest first."""
    width, height = page.get_size()
    text = [(line.left, line.top, line.right, line.bottom) for line in lines if line.right > line.left]
    boxes: list[_Box] = []
    for count, obj in enumerate(page.get_objects(filter=_GRAPHICS, max_depth=1)):
        if count >= LOGO_MAX_OBJECTS:
            break
        left, bottom, right, top = obj.get_bounds()
        box = (max(0.0, left), max(0.0, height - top), min(width, right), min(height, height - bottom))
        w, h = box[2] - box[0], box[3] - box[1]
        if min(w, h) < 2 or w * h > 0.5 * width * height:  # a rule or a background
            continue
        if box[3] <= LOGO_TOP * height or box[1] >= (1 - LOGO_BOTTOM) * height:
            boxes.append(box)
    if len(boxes) > LOGO_MAX_GRAPHICS:
        return []
    regions = [
        box
        for box in _merge(boxes, gap=6.0)
        if box[2] - box[0] >= LOGO_MIN_SIZE[0]
        and box[3] - box[1] >= LOGO_MIN_SIZE[1]
        and not any(_overlaps(box, t) for t in text)
    ]
    return sorted(regions, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)[:LOGO_MAX_REGIONS]


def logo_lines(page: pdfium.PdfPage, number: int, lines: list[Line], options: OcrOptions) -> list[Line]:
    """The text of a page's logos and banners (:func:`logo_regions`) read by Tesseract, as lines with origin
    ``"logo"`` (no type size); ``lines`` are the page's own text lines, which no region may cover.

    For a document that names its organisation only in its logo. The regions are read in one Tesseract
    call (stacked into one image). Returns [] when the page has no such graphics and when Tesseract
    cannot run: a logo is extra evidence, never a reason to fail.
    """
    if not options.logos:
        return []
    width, height = page.get_size()
    scale = options.dpi / 72
    pad = 4.0
    parts: list[tuple[_Box, Image.Image]] = []
    for left, top, right, bottom in logo_regions(page, lines):
        box = (max(0.0, left - pad), max(0.0, top - pad), min(width, right + pad), min(height, bottom + pad))
        bitmap = page.render(scale=scale, grayscale=True, crop=(box[0], height - box[3], width - box[2], box[1]))
        try:
            image = bitmap.to_pil()
        finally:
            bitmap.close()
        dark = sum(image.histogram()[:96]) / max(1, image.width * image.height)
        if 0.002 <= dark <= 0.8:  # not blank, not a redaction bar
            parts.append((box, image))
    if not parts:
        return []
    gap = 40  # pixels of white between the stacked regions
    sheet = Image.new("L", (max(i.width for _, i in parts), sum(i.height + gap for _, i in parts)), 255)
    offsets: list[tuple[float, _Box]] = []  # (y where the region starts on the sheet in points, its box)
    y = 0
    for box, image in parts:
        sheet.paste(image, (0, y))
        offsets.append((y / scale, box))
        y += image.height + gap
    pytesseract.pytesseract.tesseract_cmd = options.tesseract_cmd
    try:
        with _one_thread():
            data = pytesseract.image_to_data(
                sheet,
                lang=options.languages,
                config="--psm 11",
                output_type=pytesseract.Output.DICT,
                timeout=options.page_timeout_s,
            )
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, RuntimeError, OSError):
        return []
    words, _ = _read_tsv(data, scale)
    by_line: dict[int, list[OcrWord]] = {}
    for word in words:
        letters = sum(c.isalnum() for c in word.text)
        if letters >= 3 or (letters == 2 and word.confidence >= LOGO_SHORT_WORD_CONFIDENCE):
            by_line.setdefault(word.line, []).append(word)
    out: list[Line] = []
    for group in by_line.values():
        start, box = max((o for o in offsets if o[0] <= group[0].top + 1), key=lambda o: o[0])
        out.append(
            Line(
                page=number,
                text=" ".join(w.text for w in group),
                size=0.0,
                top=round(box[1] + min(w.top for w in group) - start, 1),
                bottom=round(box[1] + max(w.bottom for w in group) - start, 1),
                left=round(box[0] + min(w.x0 for w in group), 1),
                right=round(box[0] + max(w.x1 for w in group), 1),
                page_width=width,
                page_height=height,
                origin="logo",
            )
        )
    return out


# --- one document ------------------------------------------------------------------------------


@dataclass
class Scanner:
    """OCR of one document's pages, as :func:`ingest.pdf_reader.read_pdf` meets them.

    :meth:`submit` renders a page on the caller's thread (pdfium is not thread-safe) and hands the image to
    one of ``options.workers`` threads, each running one Tesseract process at a time; :meth:`collect`
    waits for the rest. At most two rendered pages per worker wait or are being read (submitting more
    waits for the oldest), so a long scan never sits in memory whole. ``on_page`` hears every page read,
    in page order, as soon as it and the pages before it are done (progress of a long scan). When
    Tesseract cannot run, no page is read and ``unavailable`` says why; the pages stay reported as
    needing OCR. Call :meth:`close` when done.
    """

    options: OcrOptions
    on_page: Callable[[OcrPage], None] | None = None
    pages: list[OcrPage] = field(default_factory=list)  # read and indexed
    rejected: list[OcrPage] = field(default_factory=list)  # read, but no text or too unsure to index
    unavailable: Reason | None = None
    _checked: bool = field(default=False, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)
    _reading: deque[Future[OcrPage]] = field(default_factory=deque, repr=False)  # in page order
    _layouts: dict[int, PageLayout] = field(default_factory=dict, repr=False)

    def wants(self, text: str, has_images: Callable[[], bool]) -> bool:
        """Whether this page (its text layer ``text``) is to be read by OCR."""
        if not needs_ocr(text, has_images):
            return False
        if not self._checked:
            self._checked = True
            self.unavailable = unavailable_reason(self.options)
        return not self.unavailable

    def submit(self, page: pdfium.PdfPage, number: int) -> None:
        """Render the page now and have it read in the background (its text comes from :meth:`collect`)."""
        rendered = render_page(page, number, self.options)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.options.workers, thread_name_prefix="ocr")
        while len(self._reading) >= 2 * self.options.workers:
            self._take(self._reading.popleft())
        self._reading.append(self._pool.submit(_read_or_fail, rendered, self.options))
        while self._reading and self._reading[0].done():
            self._take(self._reading.popleft())

    def collect(self) -> dict[int, PageLayout]:
        """Wait for every submitted page: its layout per page number (empty when the page is rejected).
        Raises :class:`OcrUnavailable` when Tesseract went missing."""
        while self._reading:
            self._take(self._reading.popleft())
        return self._layouts

    def close(self) -> None:
        """Stop: pages not yet being read are dropped, those being read are waited for (each is time-limited)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._reading.clear()

    def _take(self, future: Future[OcrPage]) -> None:
        scanned = future.result()
        if self.on_page is not None:
            self.on_page(scanned)
        if not scanned.found_text or scanned.confidence < self.options.min_confidence:
            self.rejected.append(scanned)
            self._layouts[scanned.number] = PageLayout()
        else:
            self.pages.append(scanned)
            self._layouts[scanned.number] = scanned.layout()

    def problems(self) -> list[Reason]:
        """Reasons for the rejected pages (empty when there are none)."""
        failed = [p for p in self.rejected if p.error]
        empty = [p.number for p in self.rejected if not p.found_text and not p.error]
        unsure = [p for p in self.rejected if p.found_text]
        out = []
        if failed:
            out.append(reason(Code.OCR_FAILED, pages=[p.number for p in failed], detail=failed[0].error))
        if empty:
            out.append(reason(Code.OCR_NO_TEXT, pages=empty))
        if unsure:
            mean = round(sum(p.confidence for p in unsure) / len(unsure), 1)
            floor = self.options.min_confidence
            out.append(reason(Code.OCR_LOW_CONFIDENCE, pages=[p.number for p in unsure], confidence=mean, floor=floor))
        return out
