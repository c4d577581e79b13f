"""Layout-aware page text: one PDF page → its lines in reading order, with structure made explicit.

Part of the first step of ingest (corpus → *PDF text* → clean text → chunks → embeddings → store);
:func:`ingest.pdf_reader.read_pdf` calls :func:`page_layout` for every page. pdfium gives every
character with its box; from those boxes this module rebuilds what a reader sees, so that
:mod:`ingest.cleaning` gets text in the same line-based form as before, but in reading order:

- one visual line per ``"\\n"``; columns are read left column top→bottom, then the right one, while a
  heading, table or footer spanning the columns stays in place (recursive XY-cut on text segments);
  short labels with their values on the same lines ("Datum  12 maart 2024") are read line by line;
- an empty line where a new block starts: a vertical gap clearly larger than the line spacing, a
  change of font size, a first-line indent after a finished sentence, around tables and before
  footnotes;
- a line-end hyphenation break ends its line with ``"-"``;
- bullets (•, ▪, –, -, Symbol/Wingdings glyphs, …) become ``"• "`` at the start of the line;
- a table (≥ 2 rows whose cells are separated by gaps aligned across the rows) becomes one line per
  row, cells joined by ``" | "`` (an empty cell is an empty string), header row first, wrapped cell
  text joined into its cell, an empty line before and after;
- footnotes (smaller type below the body text, starting with their number) come last, each after an
  empty line and starting with its number; only a page number or small running footer below them
  follows. Superscript note markers in the body stay as a digit glued to the word ("wijken1"), which
  cleaning removes;
- side blocks (a narrow column of smaller or short lines in the margin beside the body: letterhead,
  "Datum", "Kenmerk", contact details) and text set at another angle are not body text: they are
  returned separately, for metadata.

Page furniture (running headers, page numbers) stays in place; cleaning removes lines that repeat.
All thresholds are relative to the font size on the page, never absolute positions.
"""

from __future__ import annotations

import array
import bisect
import ctypes
import itertools
import math
import re
import statistics
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.hyphenation import join_hyphenated
from ingest.page_rules import Rule, page_rules

# --- thresholds, in units of the text height (pdfium's loose box: about 1.15 × the font size) --------
WORD_GAP = 0.8  # a wider horizontal gap inside a line starts a new segment (column or table cell)
GUTTER = 0.8  # the narrowest empty vertical strip that separates columns or table columns
MARKER_GAP = 5.0  # a list marker ("•", "1.") is glued to the text beside it up to this distance
SMALL = 0.9  # text at most this size relative to the body is small (footnotes, side blocks)
SIZE_CHANGE = 0.12  # a relative height change starting a new block (heading ↔ body)
PARAGRAPH_GAP = 0.3  # extra vertical white space (× height) beyond the normal leading = new paragraph
TABLE_ROW_GAP = 2.0  # table lines further apart than this are not one table
SIDE_WIDTH = 0.6  # a side block is at most this wide relative to the body beside it
SLAB_GAP = 2.5  # bands of text further apart than this are not parts of the same columns

BULLET_GLYPHS = frozenset("•▪◦●■□‣∙·○►▸➢➤✓✔❖◆◇⁃\x7f")
DASHES = frozenset("-–—")
_MARKER = re.compile(r"^(?:\d{1,2}[.)]|[a-z][.)]|\(\d{1,2}\)|\([a-z]\)|[ivx]{1,4}[.)])$")
_FOOTNOTE_START = re.compile(r"^\d{1,3}\s*(?=[A-ZÀ-Ý(“\"'‘]|https?:|www\.)")
_PAGE_NUMBER = re.compile(r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?\d{1,4}(?:\s*(?:/|van|of)\s*\d{1,4})?$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)]$")
HYPHEN_MARK = "\ufffe"  # pdfium's mark for the hyphen of a line-end hyphenation break
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPLIT = re.compile(rf"[^\s{HYPHEN_MARK}]+{HYPHEN_MARK}?|{HYPHEN_MARK}")


def _is_bullet_glyph(ch: str) -> bool:
    return ch in BULLET_GLYPHS or "\uf000" <= ch <= "\uf0ff"  # Symbol/Wingdings glyphs in the private use area


@dataclass(slots=True)
class Word:
    """A run of characters without a space; y grows downwards, units are PDF points."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    sup: bool = False  # a raised, smaller note marker
    tight: bool = False  # no space before it in pdfium's text (a line break pdfium guessed, or none)
    rtl: bool = False  # right-to-left script: its text is in logical order, its letters run leftwards

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class Segment:
    """Words on one line with no wide gap between them: a line of a column, or a table cell's line."""

    words: list[Word]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        self.x0 = min(w.x0 for w in self.words)
        self.x1 = max(w.x1 for w in self.words)
        # the size of a line is that of its text: not of a note marker nor of a bullet set larger
        normal = [w for w in self.words if not w.sup and not _is_bullet_glyph(w.text[0])] or self.words
        self.top = min(w.top for w in normal)
        self.bottom = max(w.bottom for w in normal)
        self.height = max(w.height for w in normal)

    @property
    def text(self) -> str:
        parts: list[str] = []
        prev: Word | None = None
        for w in _logical_order(self.words):
            if prev is not None and (w.sup or (w.tight and w.x0 - prev.x1 < 0.1 * self.height)):
                parts[-1] += w.text  # a note marker stays glued to its word ("wijken1"), touching words too
            else:
                parts.append(w.text)
            prev = w
        return " ".join(parts)

    @property
    def n_words(self) -> int:
        return len(self.words)


def _logical_order(words: list[Word]) -> list[Word]:
    """Left-to-right words, with each run of right-to-left words turned around (Arabic, Hebrew)."""
    if not any(w.rtl for w in words):
        return words
    ordered: list[Word] = []
    run: list[Word] = []
    for w in words:
        if w.rtl:
            run.append(w)
            continue
        ordered.extend(reversed(run))
        run = []
        ordered.append(w)
    ordered.extend(reversed(run))
    return ordered


@dataclass(slots=True)
class Table:
    """A detected table: rows of cell texts, header row first."""

    rows: list[list[str]]
    x0: float
    x1: float
    top: float
    bottom: float
    height: float


Unit = Segment | Table


@dataclass(slots=True)
class Line:
    """Segments sharing one baseline band, left to right."""

    segments: list[Segment]
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        self.segments.sort(key=lambda s: s.x0)
        self.top = min(s.top for s in self.segments)
        self.bottom = max(s.bottom for s in self.segments)
        self.x0 = self.segments[0].x0
        self.x1 = max(s.x1 for s in self.segments)
        self.height = max(s.height for s in self.segments)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


BlockKind = Literal["text", "item", "table", "note", "furniture"]


@dataclass(frozen=True)
class LayoutBlock:
    """A block of one page as the layout sees it.

    - ``text``: lines of running text (one or more paragraphs or headings: cleaning tells them apart);
    - ``item``: a list item, its marker (``"•"`` for any bullet glyph or dash, ``"1."``, ``"a)"``, ``"(ii)"``
      …) kept at the start of its first line (a bullet as ``"• "``);
    - ``table``: rows of cells, header row first; ``labels``: short labels beside their values
      ("Datum | 12 maart 2024"), without a header row;
    - ``note``: a footnote, its number in ``marker``;
    - ``furniture``: a page number or a running footer below the notes.

    ``joined`` is True for a block that follows the one before without a visual break (a list item right
    under its lead sentence); ``size`` is the type size relative to the page's body text.
    """

    kind: BlockKind
    lines: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    marker: str = ""
    size: float = 1.0
    labels: bool = False
    joined: bool = False

    def render(self) -> list[str]:
        """The block as text lines: a table row as its cells joined by " | "."""
        return [" | ".join(row) for row in self.rows] if self.kind == "table" else list(self.lines)


@dataclass(frozen=True)
class PageLayout:
    """One page: its blocks in reading order, and the lines of its side blocks (letterhead, margin notes,
    text set at another angle), which are not body text but metadata input."""

    blocks: tuple[LayoutBlock, ...] = ()
    side: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The page as text lines, an empty line between blocks (not before a joined block)."""
        lines: list[str] = []
        for block in self.blocks:
            if lines and not block.joined:
                lines.append("")
            lines.extend(block.render())
        return "\n".join(lines)

    @property
    def side_text(self) -> str:
        return "\n".join(self.side)

    @property
    def notes(self) -> tuple[str, ...]:
        """The footnotes of the page, each its lines joined by a newline."""
        return tuple("\n".join(b.lines) for b in self.blocks if b.kind == "note")


# --- characters → words ------------------------------------------------------------------------


class _Chars:
    """Access to pdfium's characters of one text page."""

    __slots__ = ("_ref", "_textpage", "pairs", "rect", "text")

    def __init__(self, textpage: object, text: str) -> None:
        self._textpage = textpage
        self.text = text  # one Python character per pdfium character index
        self.pairs = bool(_SURROGATE.search(text))  # characters beyond the BMP, in two halves
        self.rect = pdfium_c.FS_RECTF()
        self._ref = ctypes.byref(self.rect)

    def box(self, index: int) -> tuple[float, float, float, float]:
        """Loose box (left, bottom, right, top) in PDF user space: font ascent to descent."""
        pdfium_c.FPDFText_GetLooseCharBox(self._textpage, index, self._ref)
        r = self.rect
        return r.left, r.bottom, r.right, r.top

    def angle(self, index: int) -> int:
        """The character's counter-clockwise rotation rounded to a quarter turn: 0, 90, 180 or 270."""
        value = pdfium_c.FPDFText_GetCharAngle(self._textpage, index)  # clockwise, in radians
        return 0 if value < 0 else -round(math.degrees(value) / 90) % 4 * 90


def _page_text(textpage: object, count: int) -> str:
    buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    # decoded unit by unit: pdfium counts the two halves of a character beyond the BMP as two characters
    units = array.array("H", buffer.raw[: 2 * max(written - 1, 0)])
    if sys.byteorder == "big":
        units.byteswap()  # pdfium writes UTF-16LE
    text = "".join(map(chr, units))
    if len(text) != count:  # never seen; keeps indices aligned whatever pdfium does
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    if "\x02" in text:  # older pdfium marks a hyphenation break with U+0002
        text = "".join(
            HYPHEN_MARK if c == "\x02" and pdfium_c.FPDFText_IsHyphen(textpage, i) else c for i, c in enumerate(text)
        )
    return text


def _rotate(box: tuple[float, float, float, float], angle: int) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in user space → (x0, x1, top, bottom) with the text upright, y down."""
    left, bottom, right, top = box
    if angle == 90:
        return bottom, top, left, right
    if angle == 180:
        return -right, -left, bottom, top
    if angle == 270:
        return -top, -bottom, -right, -left
    return left, right, -top, -bottom


def _words(chars: _Chars) -> tuple[list[Word], list[Word], int]:
    """Words of the page, upright in the page's main direction; words set at another angle; and that
    main direction (0, 90, 180 or 270 degrees counter-clockwise)."""
    raw: list[tuple[int, int, int, bool]] = []  # (start, end, angle, tight)
    weight = [0, 0, 0, 0]
    text = chars.text
    previous_end = 0
    angle = 0
    for match in _SPLIT.finditer(text):
        start, end = match.span()
        between = text[previous_end:start]
        if "\n" in between or not raw:
            angle = chars.angle(start)  # pdfium starts a new line where the direction changes
        tight = " " not in between and "\xa0" not in between and "\t" not in between
        raw.append((start, end, angle, tight))
        weight[angle // 90] += end - start
        previous_end = end
    main = 90 * weight.index(max(weight))
    words: list[Word] = []
    other: list[Word] = []
    for start, end, angle, tight in raw:
        pieces = _word_pieces(chars, start, end, angle)
        pieces[0].tight = tight
        for piece in pieces[1:]:
            piece.tight = True
        (words if angle == main else other).extend(pieces)
    return words, other, main


def _word_pieces(chars: _Chars, start: int, end: int, angle: int) -> list[Word]:
    """One word from its first and last character box; when it is wider than its letters can be or
    its ends are not on one line (pdfium put no space between characters that are far apart, or a
    raised note marker follows), it is checked letter by letter and cut where letters do not touch."""
    text = chars.text[start:end]
    rtl = unicodedata.bidirectional(text[0]) in ("R", "AL")  # logical order: the first letter is rightmost
    first = _rotate(chars.box(start), angle)
    last = first if end - start == 1 else _rotate(chars.box(end - 1), angle)
    left, right = (last, first) if rtl else (first, last)
    height = max(first[3] - first[2], last[3] - last[2], 0.1)
    same_line = abs(first[3] - last[3]) < 0.15 * height and abs(first[2] - last[2]) < 0.15 * height
    plausible = -0.3 * height <= right[1] - left[0] <= (end - start) * 0.55 * height + 0.3 * height
    if same_line and plausible:
        top, bottom = min(first[2], last[2]), max(first[3], last[3])
        return [Word(_word_text(text, chars.pairs), left[0], right[1], top, bottom, rtl=rtl)]
    pieces: list[Word] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []
    for i in range(start, end):
        box = _rotate(chars.box(i), angle)
        if current:
            prev = current[-1][1]
            h = max(prev[3] - prev[2], box[3] - box[2], 0.1)
            other_line = abs(box[3] - prev[3]) > 0.15 * h or abs(box[2] - prev[2]) > 0.15 * h  # or raised
            gap = prev[0] - box[1] if rtl else box[0] - prev[1]
            if other_line or not -0.5 * h < gap <= WORD_GAP * h:  # letter-spaced words stay whole
                pieces.append(_piece_word(current, rtl, chars.pairs))
                current = []
        current.append((chars.text[i], box))
    if current:
        pieces.append(_piece_word(current, rtl, chars.pairs))
    return pieces


def _piece_word(chars: list[tuple[str, tuple[float, float, float, float]]], rtl: bool, pairs: bool) -> Word:
    boxes = [b for _, b in chars]
    return Word(
        _word_text("".join(c for c, _ in chars), pairs),
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
        rtl=rtl,
    )


def _word_text(text: str, pairs: bool) -> str:
    """A word's text: pdfium's hyphenation mark as "-", a character beyond the BMP whole again."""
    if text[-1] == HYPHEN_MARK:
        text = text[:-1] + "-"
    if pairs:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return text


# --- words → lines → segments ------------------------------------------------------------------


def _word_lines(words: list[Word]) -> list[list[Word]]:
    """Group words into lines by baseline (across the whole page), each sorted left to right.

    A note marker or bullet set higher or in another font lands on a line of its own at first; it
    is then attached to the line beside it."""
    lines: list[list[Word]] = []
    ref = ref_height = 0.0
    for w in sorted(words, key=lambda w: w.bottom):
        if lines and w.bottom - ref <= 0.2 * min(w.height, ref_height):
            lines[-1].append(w)
        else:
            lines.append([w])
            ref, ref_height = w.bottom, w.height
    for k, line in enumerate(lines):
        if len(line) <= 2 and all(len(w.text) <= 3 for w in line):
            host = _host_line(line, lines, k)
            if host is not None:
                host.extend(line)
                line.clear()
    lines = [line for line in lines if line]
    for line in lines:
        line.sort(key=lambda w: w.x0)
        _mark_superscripts(line)
    return lines


def _host_line(orphans: list[Word], lines: list[list[Word]], k: int) -> list[Word] | None:
    """A nearby line with a word right beside the orphan words and vertically around them."""
    for near in lines[max(0, k - 3) : k + 4]:
        if near is orphans or not near:
            continue
        for w in orphans:
            center = (w.top + w.bottom) / 2
            for v in near:
                beside = -0.5 * v.height < w.x0 - v.x1 < 0.5 * v.height or 0 < v.x0 - w.x1 < 3 * v.height
                if v.top <= center <= v.bottom and v.height >= 0.6 * w.height and beside and len(v.text) > len(w.text):
                    return near
    return None


def _mark_superscripts(line: list[Word]) -> None:
    if len(line) < 2:
        return
    height = max(w.height for w in line)
    bottom = max(w.bottom for w in line if w.height > 0.8 * height)
    for w in line:
        if w.height < 0.8 * height and w.bottom < bottom - 0.2 * height and re.fullmatch(r"\d{1,3}[,)]?|\*", w.text):
            w.sup = True


def _segments(line: list[Word]) -> list[Segment]:
    """Split one line of words at wide gaps; a list marker stays with the text beside it."""
    groups: list[list[Word]] = [[line[0]]]
    for w in line[1:]:
        prev = groups[-1][-1]
        gap = w.x0 - prev.x1
        height = max(w.height, prev.height)  # a line band can hold several columns in other sizes
        marker = len(groups[-1]) == 1 and _is_marker(prev.text) and gap < MARKER_GAP * height
        if gap > WORD_GAP * height and not marker:
            groups.append([w])
        else:
            groups[-1].append(w)
    return [Segment(g) for g in groups]


def _is_marker(text: str) -> bool:
    return (len(text) == 1 and (_is_bullet_glyph(text) or text in DASHES)) or bool(_MARKER.match(text))


def _lines(segments: list[Segment]) -> list[Line]:
    """Group segments into lines by baseline."""
    lines: list[list[Segment]] = []
    ref = ref_height = 0.0
    for s in sorted(segments, key=lambda s: s.bottom):
        if lines and s.bottom - ref <= 0.2 * min(s.height, ref_height):
            lines[-1].append(s)
        else:
            lines.append([s])
            ref, ref_height = s.bottom, s.height
    return [Line(line) for line in lines]


# --- intervals ---------------------------------------------------------------------------------


def _cover(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merge x-intervals into disjoint sorted ones."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _gutters(cover: list[tuple[float, float]], min_width: float) -> list[tuple[float, float]]:
    return [(a[1], b[0]) for a, b in itertools.pairwise(cover) if b[0] - a[1] >= min_width]


# --- tables ------------------------------------------------------------------------------------


def _find_tables(lines: list[Line]) -> tuple[list[Table], set[int]]:
    """Tables among consecutive lines; returns them and the ids of the segments they consumed."""
    tables: list[Table] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        if not _is_row(lines[i]):
            i += 1
            continue
        height = lines[i].height
        cover = _cover([(s.x0, s.x1) for s in lines[i].segments])
        j = i + 1
        while j < len(lines):
            line = lines[j]
            if line.top - lines[j - 1].bottom > TABLE_ROW_GAP * height:
                break
            if any(abs(s.height - height) > 0.15 * height for s in line.segments):
                break  # body text beside or after a table in another size
            wider = _cover(cover + [(s.x0, s.x1) for s in line.segments])
            if not _gutters(wider, GUTTER * height):
                break
            cover = wider
            j += 1
        found = _table(lines[i:j], height)
        if found == "prose":
            i = j  # columns of running text: no table starts inside them either
        elif found is None:
            i += 1
        else:
            table, segments = found
            tables.append(table)
            used.update(id(s) for s in segments)
            while i < len(lines) and lines[i].top < table.bottom:
                i += 1
    return tables, used


def _is_row(line: Line) -> bool:
    """Two or more cells of the same size on the same baseline."""
    if len(line.segments) < 2:
        return False
    heights = [s.height for s in line.segments]
    bottoms = [s.bottom for s in line.segments]
    return max(heights) <= 1.15 * min(heights) and max(bottoms) - min(bottoms) <= 0.2 * min(heights)


def _table(lines: list[Line], height: float) -> tuple[Table, list[Segment]] | Literal["prose"] | None:
    """A table from a run of aligned lines, with the segments it consists of; "prose" for columns of
    running text; None when the lines are no table."""
    while len(lines) > 2 and len(lines[-1].segments) == 1 and lines[-1].top - lines[-2].bottom > 0.5 * height:
        lines = lines[:-1]  # a short line after the table (a caption, the next paragraph)
    rows = sum(_is_row(line) for line in lines)
    if rows < 2 or rows < 0.6 * sum(len(line.segments) > 1 for line in lines):
        return None  # cells of a table share baselines; independent columns of text drift apart
    cover = _cover([(s.x0, s.x1) for line in lines for s in line.segments])
    gutters = _gutters(cover, GUTTER * height)
    if not gutters:
        return None
    bounds = [(a + b) / 2 for a, b in gutters]

    def column(s: Segment) -> int:
        return sum((s.x0 + s.x1) / 2 > b for b in bounds)

    by_column: list[list[Segment]] = [[] for _ in range(len(bounds) + 1)]
    for line in lines:
        for s in line.segments:
            by_column[column(s)].append(s)
    prose = [_running_text(segs, cover[-1][1] - cover[0][0]) for segs in by_column]
    if all(prose):
        return "prose"
    if len(by_column) == 2 and (any(prose) or rows < 3):
        return None  # a label beside a line of text, a heading beside a paragraph: too little to be a table
    for edge in (0, len(by_column) - 1):
        if prose[edge] and _aligned_share(by_column[edge], lines, height) < 0.5:
            # running text beside the table (the other column of the page), not a column of it
            beside = {id(s) for s in by_column[edge]}
            rest = [[s for s in line.segments if id(s) not in beside] for line in lines]
            return _table([Line(segs) for segs in rest if segs], height)
    table_rows = _table_rows(lines, column, len(by_column))
    if len(table_rows) < 2:
        return None
    table = Table(
        rows=table_rows,
        x0=cover[0][0],
        x1=cover[-1][1],
        top=min(line.top for line in lines),
        bottom=max(line.bottom for line in lines),
        height=height,
    )
    return table, [s for line in lines for s in line.segments]


def _running_text(column: list[Segment], table_width: float) -> bool:
    """Whether a column's lines look like running text: several words each, most filling the column."""
    left, right = min(s.x0 for s in column), max(s.x1 for s in column)
    if right - left < 0.25 * table_width or statistics.median(s.n_words for s in column) < 4:
        return False
    return sum(s.x1 - s.x0 >= 0.8 * (right - left) for s in column) >= 0.6 * len(column)


def _aligned_share(column: list[Segment], lines: list[Line], height: float) -> float:
    """Of the lines with cells outside ``column``, the share that also has a cell of ``column`` on
    the same baseline (in a table, every row starts in all its columns at once)."""
    inside = {id(s) for s in column}
    counted = aligned = 0
    for line in lines:
        own = [s.bottom for s in line.segments if id(s) in inside]
        other = [s.bottom for s in line.segments if id(s) not in inside]
        if other:
            counted += 1
            aligned += any(abs(a - b) <= 0.2 * height for a in own for b in other)
    return aligned / counted if counted else 0.0


def _table_rows(lines: list[Line], column: Callable[[Segment], int], n_cols: int) -> list[list[str]]:
    """Group the table's lines into rows and join each cell's wrapped lines."""
    pitches = [b.bottom - a.bottom for a, b in itertools.pairwise(lines)]
    least = min(pitches) if pitches else 0.0
    spaced = bool(pitches) and max(pitches) > 1.15 * least  # rows have padding: lines of one cell are closer
    rows: list[list[list[str]]] = []
    for k, line in enumerate(lines):
        cols = [column(s) for s in line.segments]
        if k == 0:
            new_row = True
        elif spaced:
            new_row = pitches[k - 1] > 1.15 * least
        elif len(rows) == 1 and any(not rows[0][c] for c in cols):
            new_row = True  # a second header row: cells under a header cell that spans columns
        else:  # evenly spaced lines: a row starts with its first cell; a lower-case start continues one
            new_row = cols[0] == 0 and not line.segments[0].text[:1].islower()
        if new_row:
            rows.append([[] for _ in range(n_cols)])
        for c, s in zip(cols, line.segments, strict=True):
            rows[-1][c].append(s.text)
    return [[_join_cell(parts) for parts in row] for row in rows]


def _join_cell(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("-"):
            text = join_hyphenated(text, part)
        else:
            text = f"{text} {part}"
    return text


# --- footnotes ---------------------------------------------------------------------------------


def _footnotes(segments: list[Segment], body: float) -> tuple[list[Segment], list[Segment]]:
    """Footnotes and the page footer below them. Footnotes: small type below all body text above
    them, from the first one that starts with its number; the footer: page numbers, and small lines
    set apart further down that do not start a note."""
    small = [s for s in segments if s.height <= SMALL * body]
    if not small:
        return [], []
    big = [s for s in segments if s.height > SMALL * body and not _PAGE_NUMBER.match(s.text)]
    page_top = min(s.top for s in segments)
    page_bottom = max(s.bottom for s in segments)
    middle = (page_top + page_bottom) / 2

    def below_body(s: Segment) -> bool:
        return all(b.bottom <= s.top + 0.1 * s.height for b in big if b.x0 < s.x1 and s.x0 < b.x1)

    candidates = sorted((s for s in small if s.top > middle and below_body(s)), key=lambda s: (s.top, s.x0))
    starts = [s for s in candidates if _is_note_start(s)]
    if not starts:
        return [], []
    first = starts[0].top - 0.1 * starts[0].height
    notes = [s for s in candidates if s.top >= first and not _PAGE_NUMBER.match(s.text)]
    end = next(  # small lines set apart below the notes, not starting one, are a running footer
        (
            k
            for k in range(1, len(notes))
            if notes[k].top - notes[k - 1].bottom > 1.5 * notes[k].height and not _is_note_start(notes[k])
        ),
        len(notes),
    )
    numbers = [s for s in segments if s.top > first and _PAGE_NUMBER.match(s.text)]
    return notes[:end], notes[end:] + numbers


def _is_note_start(s: Segment) -> bool:
    return bool(_FOOTNOTE_START.match(s.text)) or s.words[0].sup


# --- reading order: recursive XY-cut -----------------------------------------------------------


@dataclass
class _Order:
    body: float  # typical text height of the page
    left: float  # the page's text extent
    right: float
    leaves: list[list[Unit]] = field(default_factory=list)
    label_leaves: set[int] = field(default_factory=set)  # indices of leaves of labels beside their values
    sides: list[list[Unit]] = field(default_factory=list)

    def cut(self, units: list[Unit]) -> None:
        split = self._vertical(units)
        if split is not None:
            tables, used = _find_tables(_lines([u for u in units if isinstance(u, Segment)]))
            if tables:  # a table's columns are not columns of text: keep each table whole
                self.cut([u for u in units if id(u) not in used] + tables)
                return
            left = [u for u in units if u.x1 <= split]
            right = [u for u in units if u.x1 > split]
            if _labels_and_values(left, right):
                self.label_leaves.add(len(self.leaves))  # read row by row: "Datum | 12 maart 2024"
                self.leaves.append(units)
                return
            side = self._side(left, right)
            for part in (left, right):
                if part is side:
                    self.sides.append(part)
                else:
                    self.cut(part)
            return
        slabs = _slabs(units)
        if len(slabs) == 1:
            self.leaves.append(units)
            return
        groups: list[tuple[list[Unit], list[tuple[float, float]]]] = []
        for slab in slabs:
            cover = _cover([(u.x0, u.x1) for u in slab])
            if groups:
                merged = _cover(groups[-1][1] + cover)
                near = min(u.top for u in slab) - max(u.bottom for u in groups[-1][0]) < SLAB_GAP * self.body
                if near and _gutters(merged, GUTTER * self.body):
                    groups[-1] = (groups[-1][0] + slab, merged)
                    continue
            groups.append((list(slab), cover))
        if len(groups) == 1:
            self.leaves.append(units)
            return
        flow: list[Unit] = []
        for group, cover in groups:
            if len(group) > 1 and _gutters(cover, GUTTER * self.body):
                if flow:
                    self.leaves.append(flow)
                    flow = []
                self.cut(group)
            else:
                flow.extend(group)
        if flow:
            self.leaves.append(flow)

    def _vertical(self, units: list[Unit]) -> float | None:
        """x of the widest empty vertical strip with text on both sides next to each other."""
        gutters = _gutters(_cover([(u.x0, u.x1) for u in units]), GUTTER * self.body)
        for a, b in sorted(gutters, key=lambda g: g[0] - g[1]):
            left = [u for u in units if u.x1 <= a]
            right = [u for u in units if u.x0 >= b]
            overlap = min(max(u.bottom for u in left), max(u.bottom for u in right)) - max(
                min(u.top for u in left), min(u.top for u in right)
            )
            if overlap >= self.body:
                return (a + b) / 2
        return None

    def _side(self, left: list[Unit], right: list[Unit]) -> list[Unit] | None:
        """The part that is a side block beside the body (letterhead, reference column), if any."""
        width = {id(p): max(u.x1 for u in p) - min(u.x0 for u in p) for p in (left, right)}
        for narrow, wide in ((left, right), (right, left)):
            at_edge = (
                min(u.x0 for u in narrow) <= self.left + self.body
                if narrow is left
                else max(u.x1 for u in narrow) >= self.right - self.body
            )
            if not at_edge or width[id(narrow)] > SIDE_WIDTH * width[id(wide)]:
                continue
            segments = [u for u in narrow if isinstance(u, Segment)]
            body = [u for u in wide if isinstance(u, Segment)]
            if len(segments) < len(narrow) or not segments or len(body) < 3:
                continue  # tables are body text; a side block stands beside a body of text
            size = statistics.median(s.height for s in segments)
            labels = statistics.median(s.n_words for s in segments) <= 3  # "Datum", "Ons kenmerk", a number
            if size <= SMALL * self.body or (labels and size <= 1.05 * self.body):
                return narrow
        return None


def _labels_and_values(left: list[Unit], right: list[Unit]) -> bool:
    """Whether two parts side by side are short labels with their values on the same lines (a
    letter's "Datum" and "Betreft"), to be read line by line rather than as two columns."""
    if not all(isinstance(u, Segment) for u in (*left, *right)):
        return False
    labels = [u for u in left if isinstance(u, Segment)]
    if statistics.median(s.n_words for s in labels) > 3:
        return False
    values = [u for u in right if isinstance(u, Segment)]
    paired = sum(any(abs(v.bottom - s.bottom) <= 0.2 * s.height for v in values) for s in labels)
    return paired >= 0.8 * max(len(labels), len(values))


def _slabs(units: list[Unit]) -> list[list[Unit]]:
    """Split units into horizontal bands separated by empty horizontal strips."""
    slabs: list[list[Unit]] = []
    bottom = -math.inf
    for u in sorted(units, key=lambda u: u.top):
        if slabs and u.top < bottom:
            slabs[-1].append(u)
            bottom = max(bottom, u.bottom)
        else:
            slabs.append([u])
            bottom = u.bottom
    return slabs


# --- blocks of text ----------------------------------------------------------------------------


@dataclass
class _Open:
    """The block being written."""

    kind: BlockKind
    lines: list[str]
    size: float
    marker: str = ""
    joined: bool = False


@dataclass
class _Writer:
    """Collects the page's blocks and decides where blocks break."""

    gap: float  # normal white space between two lines of a paragraph, relative to their height
    body: float  # the page's body text height
    blocks: list[LayoutBlock] = field(default_factory=list)
    open: _Open | None = None
    prev: Line | None = None
    prev_left: float = 0.0
    bullet_x: float | None = None  # where the last bullet of the current column stood

    def brk(self) -> None:
        if self.open is not None and self.open.lines:
            o = self.open
            self.blocks.append(LayoutBlock(o.kind, tuple(o.lines), marker=o.marker, size=o.size, joined=o.joined))
        self.open = None

    def add(self, block: LayoutBlock) -> None:
        self.brk()
        self.blocks.append(block)
        self.prev = None

    def flow(self, units: list[Unit], labels: bool = False) -> None:
        """Write one leaf of the reading order: a single column of lines and tables, top to bottom (or, for
        ``labels``, short labels beside their values, row by row)."""
        segments = [u for u in units if isinstance(u, Segment)]
        if labels:
            self.add(_label_rows(_lines(segments)))
            return
        lines = _lines(segments)
        tables, used = _find_tables(lines)
        if used:
            lines = _lines([s for s in segments if id(s) not in used])
        blocks: list[Line | Table] = sorted(
            [*lines, *tables, *(u for u in units if isinstance(u, Table))], key=lambda b: b.top
        )
        left = min((b.x0 for b in blocks), default=0.0)
        self.bullet_x = None
        first = True
        for block in blocks:
            if isinstance(block, Table):
                rows = tuple(tuple(row) for row in block.rows)
                self.add(LayoutBlock("table", rows=rows, size=block.height / self.body))
            else:
                self.line(block, left, first)
            first = False

    def line(self, line: Line, left: float, first_in_flow: bool) -> None:
        text = line.text
        prev = self.prev
        if prev is not None and self._breaks(prev, line, left, first_in_flow, text):
            self.brk()
        current = self.open
        previous = current.lines[-1] if current is not None else ""
        item_start = current is not None and current.kind == "item" and len(current.lines) == 1
        # a dash where the last bullet stood, after a finished item, is the next item of that list
        next_item = self.bullet_x is not None and abs(line.x0 - self.bullet_x) < 0.3 * line.height
        starts_item = current is None or (next_item and bool(_SENTENCE_END.search(previous)))
        marker, written = _item_marker(text, line, starts_item, previous, item_start, line.height / self.body)
        if marker:
            self.brk()
            self.open = _Open("item", [written], line.height / self.body, marker, joined=current is not None)
            if marker == "•":
                self.bullet_x = line.x0
        elif current is None:
            self.open = _Open("text", [text], line.height / self.body)
        else:
            current.lines.append(text)
        self.prev = line
        self.prev_left = left

    def _breaks(self, prev: Line, line: Line, left: float, first_in_flow: bool, text: str) -> bool:
        height = max(prev.height, line.height)
        if abs(prev.height - line.height) > SIZE_CHANGE * height:
            return True
        previous_text = self.open.lines[-1] if self.open is not None else ""
        if line.top < prev.top or line.x0 >= prev.x1 or line.x1 <= prev.x0:  # the next column: no gap to measure
            return bool(_SENTENCE_END.search(previous_text)) and not text[:1].islower()
        if line.top - prev.bottom > (self.gap + PARAGRAPH_GAP) * height:
            return True
        indented = line.x0 - left > 0.8 * height and prev.x0 - self.prev_left < 0.3 * height
        return not first_in_flow and indented and bool(_SENTENCE_END.search(previous_text)) and text[:1].isupper()


def _label_rows(lines: list[Line]) -> LayoutBlock:
    """Labels beside their values as rows of two cells; a value's continuation line joins its row."""
    rows: list[list[str]] = []
    for line in lines:
        label, *rest = line.segments
        value = " ".join(s.text for s in rest)
        if rows and not rest and label.x0 > lines[0].segments[0].x1:  # a value's second line
            rows[-1][1] = f"{rows[-1][1]} {label.text}".strip()
        else:
            rows.append([label.text, value])
    return LayoutBlock("table", rows=tuple(tuple(r) for r in rows), labels=True)


_NUMBERED = re.compile(r"^(\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?=\S)")


def _item_marker(
    text: str, line: Line, starts_item: bool, previous: str, after_item_start: bool, size: float
) -> tuple[str, str]:
    """The list marker a line starts with and the line as written (a bullet normalised to "• "), or
    ("", text). A bullet glyph always starts an item; a dash where an item can start (a new block, the
    next item of a list), after a colon or semicolon, or with a gap after it; a number or letter with a
    full stop or bracket ("1.", "2)", "a.", "(iii)") at the start of a block or after a finished line, in
    body-size type (larger type is a numbered heading)."""
    if not text:
        return "", text
    head = text[0]
    if _is_bullet_glyph(head):
        rest = text[1:].lstrip()
        return ("•", f"• {rest}") if rest else ("", text)
    if head in DASHES and text[1:2] == " ":
        words = line.segments[0].words
        gap = words[1].x0 - words[0].x1 if len(words) > 1 else 0.0
        if starts_item or after_item_start or previous.endswith((":", ";")) or gap > 0.5 * line.height:
            return "•", f"• {text[2:].lstrip()}"
        return "", text
    numbered = _NUMBERED.match(text)
    if numbered and size <= 1 + SIZE_CHANGE and (starts_item or _SENTENCE_END.search(previous)):
        return numbered.group(1), text
    return "", text


# --- the page ----------------------------------------------------------------------------------


def page_layout(page: pdfium.PdfPage) -> PageLayout:
    """The blocks in reading order and the side-block lines of one page (see the module docstring)."""
    textpage = page.get_textpage()
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count <= 0:
            return PageLayout()
        chars = _Chars(textpage, _page_text(textpage, count))
        words, rotated, angle = _words(chars)
    finally:
        textpage.close()
    return layout_words(words, rotated, page_rules(page, angle) if words else [])


def layout_words(words: list[Word], rotated: list[Word] | None = None, rules: list[Rule] | None = None) -> PageLayout:
    """The layout of one page from its words (upright, y down), its words set at another angle, and the
    lines drawn on it (table rules, see :mod:`ingest.page_rules`)."""
    rotated_lines = tuple(line.text for line in _lines(_segments_of(rotated or [])))
    if not words:
        return PageLayout((), rotated_lines)
    segments = _segments_of(words)
    body = _body_height(segments)
    ruled, in_tables = ruled_tables(segments, rules or [], body)
    free = [s for s in segments if id(s) not in in_tables]
    notes, footer = _footnotes(free, body) if free else ([], [])
    apart = {id(s) for s in (*notes, *footer)}
    units: list[Unit] = [s for s in free if id(s) not in apart] + ruled
    order = _Order(body, min(s.x0 for s in segments), max(s.x1 for s in segments))
    if units:
        order.cut(units)
    writer = _Writer(_normal_gap(order.leaves), body)
    for k, leaf in enumerate(order.leaves):
        writer.flow(leaf, labels=k in order.label_leaves)
    writer.brk()
    if notes:
        writer.blocks.extend(_note_blocks(notes, body))
    if footer:  # below the footnotes: page number, running footer
        lines = tuple(line.text for line in _lines(footer))
        writer.blocks.append(LayoutBlock("furniture", lines, size=min(s.height for s in footer) / body))
    side = [line.text for part in order.sides for line in _lines([u for u in part if isinstance(u, Segment)])]
    return PageLayout(tuple(writer.blocks), (*side, *rotated_lines))


# --- tables drawn with rules ---------------------------------------------------------------------


def ruled_tables(segments: list[Segment], rules: list[Rule], body: float) -> tuple[list[Table], set[int]]:
    """Tables whose cells are bounded by drawn lines: a grid of horizontal and vertical rules, or rules
    between the rows only (columns then from the gaps between the text). Every word goes to the cell its
    centre stands in, so a cell may hold several lines and text centred in it. Returns the tables and the
    ids of the segments they consumed. A grid with fewer than two rows and two columns of text (a frame
    around a paragraph, a chart's axes) is no table."""
    if not rules:
        return [], set()
    tables: list[Table] = []
    used: set[int] = set()
    for xs, ys in _grids(rules, body):
        inside = [s for s in segments if id(s) not in used and _centre_in(s, xs[0] - 1, xs[-1] + 1, ys[0], ys[-1])]
        if not inside:
            continue
        columns = xs if len(xs) >= 3 else _text_columns(inside, xs[0], xs[-1], body)
        if len(columns) < 3 or len(ys) < 3:
            continue
        table = _grid_table(inside, columns, ys, body)
        if table is not None:
            tables.append(table)
            used.update(id(s) for s in inside)
    return tables, used


def _grids(rules: list[Rule], body: float) -> list[tuple[list[float], list[float]]]:
    """Sets of rules that form one table: (x of its column borders, y of its row borders), each sorted.
    Horizontal and vertical rules that touch are one grid; horizontal rules of the same width stacked
    close above each other (rows separated by lines) are one too."""
    tol = 2.0
    horizontal = _merge([r for r in rules if r.horizontal], True)
    vertical = _merge([r for r in rules if not r.horizontal], False)
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol:
                parent[find(i)] = find(len(horizontal) + j)
    lone = [
        i
        for i in range(len(horizontal))
        if find(i) == i and not any(find(len(horizontal) + j) == i for j in range(len(vertical)))
    ]
    by_width = sorted(lone, key=lambda i: horizontal[i].y0)
    for a, b in itertools.combinations(by_width, 2):
        ha, hb = horizontal[a], horizontal[b]
        width = max(ha.x1 - ha.x0, 1.0)
        same = abs(ha.x0 - hb.x0) <= 0.03 * width and abs(ha.x1 - hb.x1) <= 0.03 * width
        if same and abs(hb.y0 - ha.y0) <= 8 * body:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(parent)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        hs = [horizontal[i] for i in members if i < len(horizontal)]
        vs = [vertical[i - len(horizontal)] for i in members if i >= len(horizontal)]
        if len(hs) < 2:
            continue
        ys = _cluster([h.y0 for h in hs])
        xs = _cluster([v.x0 for v in vs])
        left, right = min(h.x0 for h in hs), max(h.x1 for h in hs)
        if not xs or xs[0] > left + tol:
            xs.insert(0, left)
        if xs[-1] < right - tol:
            xs.append(right)
        out.append((xs, ys))
    return out


def _centre_in(s: Segment, left: float, right: float, top: float, bottom: float) -> bool:
    return left <= (s.x0 + s.x1) / 2 <= right and top <= (s.top + s.bottom) / 2 <= bottom


def _merge(rules: list[Rule], horizontal: bool) -> list[Rule]:
    """Collinear rules that touch or overlap joined into one (a border drawn cell by cell)."""
    key = (lambda r: (r.y0, r.x0)) if horizontal else (lambda r: (r.x0, r.y0))
    merged: list[Rule] = []
    for rule in sorted(rules, key=key):
        if merged:
            last = merged[-1]
            if horizontal and abs(rule.y0 - last.y0) <= 1.0 and rule.x0 <= last.x1 + 2.0:
                merged[-1] = Rule(last.x0, last.y0, max(last.x1, rule.x1), last.y0)
                continue
            if not horizontal and abs(rule.x0 - last.x0) <= 1.0 and rule.y0 <= last.y1 + 2.0:
                merged[-1] = Rule(last.x0, last.y0, last.x0, max(last.y1, rule.y1))
                continue
        merged.append(rule)
    return merged


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    """Sorted values with those within ``tol`` of each other taken as one."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tol:
            out.append(value)
    return out


def _text_columns(segments: list[Segment], left: float, right: float, body: float) -> list[float]:
    """Column borders from the gaps that run through all the text between rules."""
    gutters = _gutters(_cover([(s.x0, s.x1) for s in segments]), GUTTER * body)
    return [left, *((a + b) / 2 for a, b in gutters), right]


def _grid_table(segments: list[Segment], xs: list[float], ys: list[float], body: float) -> Table | None:
    """The rows of a ruled table: each word in the cell its centre falls in, a cell's lines joined."""
    cells: list[list[list[Word]]] = [[[] for _ in range(len(xs) - 1)] for _ in range(len(ys) - 1)]
    for segment in segments:
        for word in segment.words:
            cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
            row = min(max(bisect.bisect_right(ys, cy) - 1, 0), len(ys) - 2)
            col = min(max(bisect.bisect_right(xs, cx) - 1, 0), len(xs) - 2)
            cells[row][col].append(word)
    rows = [[_cell_text(words) for words in row] for row in cells]
    rows = [row for row in rows if any(row)]
    filled = sum(bool(cell) for row in rows for cell in row)
    used_columns = sum(any(row[c] for row in rows) for c in range(len(xs) - 1))
    if len(rows) < 2 or used_columns < 2 or filled < 0.3 * len(rows) * (len(xs) - 1):
        return None
    keep = [c for c in range(len(xs) - 1) if any(row[c] for row in rows)]
    heights = [w.height for s in segments for w in s.words]
    return Table(
        rows=[[row[c] for c in keep] for row in rows],
        x0=xs[0],
        x1=xs[-1],
        top=ys[0],
        bottom=ys[-1],
        height=statistics.median(heights) if heights else body,
    )


def _cell_text(words: list[Word]) -> str:
    """A cell's words as lines by baseline, left to right, joined (line-end hyphenation undone)."""
    if not words:
        return ""
    lines = _word_lines(list(words))
    return _join_cell([" ".join(w.text for w in line) for line in lines])


def _segments_of(words: list[Word]) -> list[Segment]:
    return [s for line in _word_lines(words) for s in _segments(line)]


def _note_blocks(notes: list[Segment], body: float) -> list[LayoutBlock]:
    """Footnotes in reading order, each starting with its number."""
    order = _Order(body, min(s.x0 for s in notes), max(s.x1 for s in notes))
    order.cut(list(notes))
    written: list[tuple[str, list[str], float]] = []
    for leaf in order.leaves + order.sides:
        for line in _lines([u for u in leaf if isinstance(u, Segment)]):
            text = line.text
            if _FOOTNOTE_START.match(text) or line.segments[0].words[0].sup or not written:
                text = re.sub(r"^(\d{1,3})(?=[^\d\s.,])", r"\1 ", text)
                number = re.match(r"\d{1,3}", text)
                written.append((number.group(0) if number else "", [], line.height / body))
            written[-1][1].append(text)
    return [LayoutBlock("note", tuple(lines), marker=marker, size=size) for marker, lines, size in written]


def _body_height(segments: list[Segment]) -> float:
    """The most common text height on the page, weighted by characters."""
    weights: dict[float, int] = {}
    for s in segments:
        key = round(s.height * 2) / 2
        weights[key] = weights.get(key, 0) + sum(len(w.text) for w in s.words)
    return max(weights, key=lambda k: weights[k])


def _normal_gap(leaves: list[list[Unit]]) -> float:
    """The usual white space between consecutive lines of a column, relative to the line height."""
    gaps: list[float] = []
    for leaf in leaves:
        lines = _lines([u for u in leaf if isinstance(u, Segment)])
        for a, b in itertools.pairwise(lines):
            height = max(a.height, b.height)
            if abs(a.height - b.height) <= SIZE_CHANGE * height:
                gaps.append((b.top - a.bottom) / height)
    return statistics.median(gaps) if gaps else 0.1
