"""Lines of text with their type size and position, from a few pages of a PDF (pypdfium2).

Part of ingest (PDF → *metadata* → store): the cover, letterhead and colophon say what a document is,
and type size and position say which line is its title. Only the first and last few pages are read,
character by character, so this costs milliseconds per document.

Spaces come from the distance between glyphs rather than from the PDF's own space characters or the
parser's guess: letter-spaced headings ("I m p a c t  v a n") and producers that position every word
without a space both come out as normal words. A line's type size is the size it is shown at (font size
times the text matrix's scale). The first page's logo or banner, a picture, is read by a reader passed in
(:func:`ingest.ocr.logo_lines`), so that OCR stays out of this module.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as raw

EXCERPT_FIRST, EXCERPT_LAST = 2, 2  # metadata reads the first pages with type sizes, the last ones as text
MAX_CHARS_PER_PAGE = 20_000  # a cover or letterhead is far shorter; bounds the cost of hostile pages
_SPACE_EXTRA = 0.12  # em beyond a line's usual gap between glyph advances that makes a word space
_MIN_SPACE = 0.12  # em: a gap at least this wide is a word space even in tightly set text


_SOFT_HYPHEN = "\u00ad"
_SOFT_HYPHEN_INSIDE = re.compile("[\u00ad\ufffe](?=\\S)")


@dataclass(frozen=True)
class Line:
    """One line of text as set on the page; positions in points from the page's top-left corner."""

    page: int  # 1-based
    text: str
    size: float  # type size in points (the line's most common)
    top: float
    bottom: float
    left: float
    right: float
    page_width: float
    page_height: float
    origin: str = ""  # "" = the PDF's text layer, "ocr" = a page read by OCR, "logo" = OCR of a logo or banner


class _Glyph(NamedTuple):
    char: str
    size: float
    left: float  # the glyph's advance box (font ascent to descent)
    right: float
    top: float
    bottom: float


def _glyphs(page_text: pdfium.PdfTextPage) -> Iterator[_Glyph | None]:
    """The page's glyphs in content order; None at a line break the parser found."""
    textpage = page_text.raw  # the bare handle: the wrapper costs a property lookup per call
    n = min(raw.FPDFText_CountChars(textpage), MAX_CHARS_PER_PAGE)
    box = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    unicode, generated = raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated
    loose_box, get_size, get_matrix = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix

    def font_size(page: object, index: int) -> float:
        """The size the glyph is shown at: its font size times the text matrix's scale (producers that set
        every font at size 1 and scale it with the matrix would otherwise have one size throughout)."""
        size = get_size(page, index)
        if get_matrix(page, index, matrix):
            scale = (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5
            if scale > 0:
                return size * scale
        return size

    i = -1
    while i + 1 < n:
        i += 1
        code = unicode(textpage, i)
        if code == 10 or code == 13:
            yield None
            continue
        if code == 0xFFFE:  # pdfium's mark for a soft hyphen
            code = 0xAD
        elif 0xD800 <= code < 0xDC00 and i + 1 < n and 0xDC00 <= unicode(textpage, i + 1) < 0xE000:
            code = 0x10000 + ((code - 0xD800) << 10) + (unicode(textpage, i + 1) - 0xDC00)  # 😀 as one glyph
            loose_box(textpage, i, box)
            yield _Glyph(chr(code), font_size(textpage, i), box.left, box.right, box.top, box.bottom)
            i += 1
            continue
        elif code < 32 or 0xD800 <= code < 0xE000 or code > 0x10FFFF or (code == 32 and generated(textpage, i)):
            continue  # a space the parser inferred (spaces are decided by distance here), or debris
        loose_box(textpage, i, box)
        yield _Glyph(chr(code), font_size(textpage, i), box.left, box.right, box.top, box.bottom)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _join(glyphs: list[_Glyph]) -> str:
    """The text of one line, with a space wherever glyphs stand clearly further apart than usual."""
    inked = [i for i, g in enumerate(glyphs) if not g.char.isspace()]
    if not inked:
        return ""
    size = max(_median([glyphs[i].size for i in inked]), 1.0)
    gaps = [(glyphs[b].left - glyphs[a].right) / size for a, b in itertools.pairwise(inked)]
    usual = _median(gaps) if gaps else 0.0
    threshold = max(_MIN_SPACE, usual + _SPACE_EXTRA)
    out: list[str] = [glyphs[inked[0]].char]
    for (a, b), gap in zip(itertools.pairwise(inked), gaps, strict=True):
        # a space character the PDF itself holds counts when the gap is at least somewhat wider
        if gap >= threshold or (b > a + 1 and gap > usual + 0.03):
            out.append(" ")
        out.append(glyphs[b].char)
    return "".join(out)


def _lines_of_page(page: pdfium.PdfPage, number: int) -> list[Line]:
    width, height = page.get_size()
    textpage = page.get_textpage()
    lines: list[Line] = []
    current: list[_Glyph] = []

    def flush() -> None:
        inked = [g for g in current if not g.char.isspace()]
        text = _SOFT_HYPHEN_INSIDE.sub("", _join(current)).replace(_SOFT_HYPHEN, "-") if inked else ""
        if text.strip():
            lines.append(
                Line(
                    page=number,
                    text=" ".join(text.split()),
                    size=round(_median([g.size for g in inked]), 1),
                    top=round(height - max(g.top for g in inked), 1),
                    bottom=round(height - min(g.bottom for g in inked), 1),
                    left=round(min(g.left for g in inked), 1),
                    right=round(max(g.right for g in inked), 1),
                    page_width=width,
                    page_height=height,
                )
            )
        current.clear()

    try:
        for glyph in _glyphs(textpage):
            if glyph is None:
                flush()
                continue
            if current:
                last = current[-1]
                scale = max(glyph.size, last.size, 1.0)
                if (
                    abs(glyph.bottom - last.bottom) > 0.5 * scale  # another baseline
                    or glyph.left < last.left - 2 * scale  # back to the left: a new line or column
                    or glyph.left - last.right > 2.5 * scale  # far to the right: a side column or cell
                ):
                    flush()
            current.append(glyph)
        flush()
    finally:
        textpage.close()
    return lines


def _plain_lines(page: pdfium.PdfPage, number: int) -> list[Line]:
    """The page's lines as the parser reads them, without type size (``size`` 0)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range(count=min(textpage.count_chars(), MAX_CHARS_PER_PAGE))
    finally:
        textpage.close()
    return [
        Line(
            number,
            " ".join(_SOFT_HYPHEN_INSIDE.sub("", line).replace("\ufffe", "-").split()),
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            width,
            height,
        )
        for line in text.splitlines()
        if line.strip()
    ]


@dataclass(frozen=True)
class Excerpt:
    """What metadata needs from a PDF: lines of its first and last pages and its creation date (read by
    :func:`ingest.pdf_reader.read_pdf` from the same opening as the page text)."""

    lines: list[Line]
    created: str = ""  # the info dictionary's CreationDate as written ("D:20240405120000+02'00'")
    logo_lines: list[Line] = field(default_factory=list)  # text read from the first page's logo or banner


def page_lines(page: pdfium.PdfPage, number: int, sized: bool) -> list[Line]:
    """The lines of one page of the excerpt: with type size and position (``sized``, the first pages), or
    as the parser reads them (the last pages). No lines when the page cannot be read: metadata then
    comes from the other pages and sources."""
    try:
        return _lines_of_page(page, number) if sized else _plain_lines(page, number)
    except Exception:
        return []
