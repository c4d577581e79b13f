"""Dutch text cleaning: the layout's blocks of each page → clean, typed paragraphs.

Second step of ingest (corpus → PDF layout → *clean paragraphs* → document structure → chunks →
embeddings → store). It gets each page as the blocks :mod:`ingest.layout` (or OCR through it) found —
running text, list items, tables, footnotes, page furniture — and makes what a reader sees in an
answer, so layout noise must not survive it:

- Unicode NFKC (ligatures such as "ﬁ" become "fi"), soft hyphens, odd spaces and control characters;
- running headers, footers and page numbers (lines that repeat across pages, digits ignored) and the
  page furniture the layout set apart;
- line-end hyphenation ("gemeen-\\nten" → "gemeenten") while real hyphens stay ("G32-steden",
  "Noord-Holland", "sociaal-economisch");
- footnote markers glued to words ("wijken1 in" → "wijken in"), remembered for linking the note;
- wrapped lines joined into paragraphs, headings told apart from body text by their shape;
- web navigation and metadata strips ("Deel dit artikel | Lees meer | Print") dropped.

The result per page is a sequence of :class:`Para` — heading, paragraph, list item (with its marker),
table (rows of cells), footnote — which :mod:`ingest.structure` turns into the document's blocks.
Plain text (no layout at hand) enters through :func:`text_layout`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from beleidsbron.text.normalize import normalize
from ingest.hyphenation import join_hyphenated, vocabulary
from ingest.layout import LayoutBlock, PageLayout

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|van|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# How a list item starts in plain text: a bullet, a dash, a number or letter with a full stop or bracket.
_LIST_START = re.compile(r"^(?:[•▪◦●■‣∙·\-–—*]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+")
_FOOTNOTE_MARK = re.compile(r"(?<![\w-])([a-zà-ÿ]{2,})(\d{1,2})(?=[\s.,;:!?)]|$)")
_FOOTNOTE_AFTER_PUNCT = re.compile(r"(?<=[a-zà-ÿ)'’”][.,;:!?'’”)])(\d{1,2})(?=[\s.,;:]|$)")
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)]$")
_NUMBERED_HEADING = re.compile(r"^(?:hoofdstuk\s+)?\d{1,2}(?:\.\d{1,2})*\.?\s+\S", re.IGNORECASE)
_CELL_SEPARATOR = re.compile(r"\s\|\s")


ParaKind = Literal["heading", "paragraph", "item", "table", "note"]


@dataclass(frozen=True)
class Para:
    """A clean paragraph-level piece of a page.

    ``text`` is the paragraph (a list item with its marker at the start, a bullet as "• "); a table has
    ``rows`` of cells (``labels``: labels beside their values, no header row) and ``text`` its rows joined
    by newlines; a footnote's ``marker`` is its number. ``notes`` are the numbers of the footnote markers
    that stood in the paragraph. ``size`` is the type size relative to the page's body text; ``joined``:
    no visual break before it (a list right under its lead sentence)."""

    kind: ParaKind
    text: str
    marker: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    labels: bool = False
    size: float = 1.0
    notes: tuple[str, ...] = ()
    joined: bool = False


@dataclass(frozen=True)
class CleanPage:
    """The clean paragraphs of one PDF page."""

    number: int  # 1-based
    paras: tuple[Para, ...] = ()

    @property
    def text(self) -> str:
        """The page's paragraphs joined by an empty line."""
        return "\n\n".join(p.text for p in self.paras)

    @property
    def headings(self) -> tuple[tuple[int, str], ...]:
        """(offset in ``text``, heading) of the page's headings."""
        out, offset = [], 0
        for para in self.paras:
            if para.kind == "heading":
                out.append((offset, para.text))
            offset += len(para.text) + 2
        return tuple(out)


def _line_key(line: str) -> str:
    """How a header/footer line is recognised across pages: digits and case do not matter."""
    return _DIGITS.sub("#", line.lower()).strip()


def find_running_lines(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Keys of lines that repeat at the top or bottom of many pages (running headers/footers)."""
    with_text = [lines for lines in pages if lines]
    if len(with_text) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in with_text:
        counts.update({_line_key(line) for line in lines[:edge] + lines[-edge:]})
    # twice is enough for a running title (several words, no sentence); anything else needs three times
    threshold = max(2, int(0.4 * len(with_text)))

    def title_like(key: str) -> bool:
        return len(key.split()) >= 3 and not key.endswith((".", "?", "!", ":", ";", ","))

    return {
        key
        for key, n in counts.items()
        if len(key) < 120 and n >= (threshold if title_like(key) else max(3, threshold))
    }


def strip_running_lines(lines: list[str], running: set[str], edge: int = 3) -> list[str]:
    """Remove running headers/footers and bare page numbers from the edges of one page (the first and
    last ``edge`` non-empty lines); empty lines (paragraph breaks) stay."""
    filled = [i for i, ln in enumerate(lines) if ln]
    edges = set(filled[:edge]) | (set(filled[-edge:]) if len(filled) > 2 * edge else set(filled[edge:]))
    return [
        ln
        for i, ln in enumerate(lines)
        if i not in edges or (_line_key(ln) not in running and not _PAGE_NUMBER.match(ln))
    ]


def _is_heading(line: str, prev: str | None, nxt: str | None, typical: float) -> bool:
    words = line.split()
    if line.endswith("-"):
        return False  # a word hyphenated at the line end: the text goes on
    numbered = bool(_NUMBERED_HEADING.match(line))
    if not words or len(words) > 12 or (len(line) > 0.8 * typical and not numbered):
        return False
    short_question = line.endswith("?") and len(words) <= 8 and len(line) < 0.6 * typical
    if _SENTENCE_END.search(line) and not ((numbered or short_question) and line.endswith("?")):
        return False
    if _LIST_START.match(line) and not _NUMBERED_HEADING.match(line):
        return False
    if not (line[0].isupper() or _NUMBERED_HEADING.match(line)):
        return False
    if prev is not None and not _SENTENCE_END.search(prev) and len(prev) > 0.8 * typical:
        return False  # the line continues a wrapped sentence
    if nxt is None:
        return True
    if bool(_NUMBERED_HEADING.match(nxt)) or bool(_LIST_START.match(nxt)):
        return True
    return (nxt[:1].isupper() or nxt[:1].isdigit()) and len(nxt) >= 0.6 * typical


def is_navigation_line(line: str) -> bool:
    """Web navigation or metadata strip: a short line of short items between separators
    ("Deel dit artikel | Lees meer | Print", "Nieuws | 12-06-2025 | 14:05", "Home › Wonen › Huur")."""
    parts = [p.strip() for p in re.split(r"\s[|›»·]\s", line)]
    if len(parts) < 2 or len(line) > 90:
        return False
    return all(p and len(p.split()) <= 4 and len(p) <= 30 and not p.endswith((".", "?", "!")) for p in parts)


def remove_footnote_marks(text: str) -> str:
    """Drop superscript footnote numbers that extraction glued to a word ("wijken1 in")."""
    return _FOOTNOTE_AFTER_PUNCT.sub("", _FOOTNOTE_MARK.sub(r"\1", text))


# --- blocks → paragraphs ------------------------------------------------------------------------


def _paragraphs(
    lines: list[str], vocab: Counter[str] | None, typical: float, item: bool = False
) -> list[tuple[str, bool]]:
    """Join wrapped lines into paragraphs: (text, is a heading). A line starts a new paragraph after a
    short line that ended a sentence, and a heading is a paragraph of its own. For a list item (its
    marker on the first line) "short" is measured against its own lines, which are indented."""
    out: list[tuple[str, bool]] = []
    current = ""
    full = max((len(line) for line in lines), default=1) if item else typical
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not (item and i == 0) and _is_heading(line, prev if current or prev else None, nxt, typical):
            if current:
                out.append((current, False))
                current = ""
            out.append((line, True))
            continue
        starts_new = (
            prev is not None
            and bool(_SENTENCE_END.search(prev))
            and len(prev) < 0.85 * full
            and (line[0].isupper() or line[0].isdigit())
        )
        if current and starts_new:
            out.append((current, False))
            current = ""
        if not current:
            current = line
        elif current.endswith("-"):
            current = join_hyphenated(current, line, vocab)
        else:
            current = f"{current} {line}"
    if current:
        out.append((current, False))
    return out


def _without_marks(text: str, with_notes: bool) -> tuple[str, tuple[str, ...]]:
    """The text without footnote markers, and the numbers of those removed (when the page has notes)."""
    if not with_notes:
        return remove_footnote_marks(text), ()
    found = [m.group(2) for m in _FOOTNOTE_MARK.finditer(text)] + [
        m.group(1) for m in _FOOTNOTE_AFTER_PUNCT.finditer(text)
    ]
    return remove_footnote_marks(text), tuple(dict.fromkeys(found))


def _joined(lines: list[str], vocab: Counter[str]) -> str:
    """Lines of one paragraph as one line, words hyphenated at a line end joined again."""
    text = ""
    for line in lines:
        text = join_hyphenated(text, line, vocab) if text.endswith("-") else f"{text} {line}".strip()
    return text


HEADING_SIZE = 1.12  # type this much larger than the page's body text sets a heading apart


def _wrapped_heading(block: LayoutBlock, lines: list[str], ctx: _PageContext) -> str:
    """The text of a block that is one heading wrapped over two or three lines ("4.3 Aansluiting bij
    nationale" / "programma's"): set larger than the body text, short, no sentence. Line shapes alone
    cannot tell its second line from running text; the type size can."""
    if not 2 <= len(lines) <= 3 or block.size < HEADING_SIZE * ctx.body_size:
        return ""
    text = _joined(lines, ctx.vocab)
    words = text.split()
    if len(words) > 16 or _SENTENCE_END.search(text) or not (text[0].isupper() or text[0].isdigit()):
        return ""
    return text


def _block_paras(block: LayoutBlock, lines: list[str], nxt: str | None, ctx: _PageContext) -> list[Para]:
    """The paragraphs of one (cleaned) layout block."""
    if block.kind == "table":
        rows = tuple(tuple(normalize(c).replace("\n", " ") for c in row) for row in block.rows)
        rows = tuple(row for row in rows if any(row))
        if not rows:
            return []
        return [Para("table", "\n".join(" | ".join(r) for r in rows), rows=rows, labels=block.labels, size=block.size)]
    if block.kind == "note":
        text = _joined(lines, ctx.vocab)
        return [Para("note", text, marker=block.marker, size=block.size)] if text else []
    if block.kind == "text" and (heading := _wrapped_heading(block, lines, ctx)):
        return [Para("heading", heading, size=block.size)]
    paras: list[Para] = []
    for k, (text, heading) in enumerate(_paragraphs(lines, ctx.vocab, ctx.typical, block.kind == "item")):
        text, notes = _without_marks(text, ctx.has_notes)
        if not text:
            continue
        joined = block.joined and k == 0
        if block.kind == "item" and k == 0:
            single = len(lines) == 1 and block.marker[:1].isdigit()
            if single and _is_heading(text, None, nxt, ctx.typical):
                paras.append(Para("heading", text, size=block.size, notes=notes))  # "2. Aanpak": a numbered heading
            else:
                paras.append(Para("item", text, marker=block.marker, size=block.size, notes=notes, joined=joined))
        else:
            paras.append(Para("heading" if heading else "paragraph", text, size=block.size, notes=notes, joined=joined))
    return paras


@dataclass(frozen=True)
class _PageContext:
    vocab: Counter[str]
    typical: float  # length of a full line of body text on the page
    has_notes: bool
    body_size: float = 1.0  # type size of most of the page's body lines


def clean_pages(raw_pages: Sequence[PageLayout | str]) -> list[CleanPage]:
    """Clean all pages of one document (headers and hyphenation need the whole document). A page is its
    layout, or plain text (see :func:`text_layout`)."""
    layouts = [p if isinstance(p, PageLayout) else text_layout(p) for p in raw_pages]
    blocks = [
        [
            (b, [n for line in b.lines if (n := normalize(line).replace("\n", " "))])
            for b in page.blocks
            if b.kind != "furniture"
        ]
        for page in layouts
    ]
    running = find_running_lines(
        [[line for b, lines in page if b.kind != "note" for line in _lines_of(b, lines)] for page in blocks]
    )
    blocks = [_strip_running(page, running) for page in blocks]
    vocab = vocabulary([line for page in blocks for _, lines in page for line in lines])
    cleaned: list[CleanPage] = []
    for number, page in enumerate(blocks, start=1):
        body = [line for b, lines in page if b.kind in ("text", "item") for line in lines]
        lengths = sorted(len(line) for line in body)
        typical = float(lengths[int(0.9 * (len(lengths) - 1))]) if lengths else 1.0
        sizes = sorted(b.size for b, lines in page if b.kind in ("text", "item") for _ in lines)
        body_size = sizes[len(sizes) // 2] if sizes else 1.0
        ctx = _PageContext(vocab, typical or 1.0, any(b.kind == "note" for b, _ in page), body_size)
        paras: list[Para] = []
        for k, (block, lines) in enumerate(page):
            nxt = next((ls[0] for _, ls in page[k + 1 :] if ls), None)
            paras.extend(_block_paras(block, lines, nxt, ctx))
        cleaned.append(CleanPage(number, tuple(paras)))
    return cleaned


def _lines_of(block: LayoutBlock, lines: list[str]) -> list[str]:
    return [" | ".join(r) for r in block.rows] if block.kind == "table" else lines


def _strip_running(
    page: list[tuple[LayoutBlock, list[str]]], running: set[str], edge: int = 3
) -> list[tuple[LayoutBlock, list[str]]]:
    """Remove running headers/footers, bare page numbers and navigation strips from the first and last
    ``edge`` lines of the page's body (footnotes stay); a block left without lines goes."""
    positions = [(k, i) for k, (b, lines) in enumerate(page) if b.kind in ("text", "item") for i in range(len(lines))]
    edges = set(positions[:edge]) | (set(positions[-edge:]) if len(positions) > 2 * edge else set(positions[edge:]))
    out = []
    for k, (block, lines) in enumerate(page):
        if block.kind == "table":
            rows = [r for r in block.rows if not (len(block.rows) == 1 and is_navigation_line(" | ".join(r)))]
            if rows:
                out.append((block, lines))
            continue
        kept = [
            line
            for i, line in enumerate(lines)
            if not is_navigation_line(line)
            and ((k, i) not in edges or (_line_key(line) not in running and not _PAGE_NUMBER.match(line)))
        ]
        if kept:
            out.append((block, kept))
    return out


# --- plain text ----------------------------------------------------------------------------------


def text_layout(raw: str) -> PageLayout:
    """The blocks of a page of plain text: an empty line ends a block, a line starting with a bullet,
    dash, number or letter marker starts a list item, consecutive lines with " | " between cells are a
    table."""
    blocks: list[LayoutBlock] = []
    current: list[str] = []
    kind = "text"
    marker = ""
    rows: list[tuple[str, ...]] = []

    def flush() -> None:
        nonlocal current, rows, kind, marker
        if current:
            blocks.append(LayoutBlock(kind, tuple(current), marker=marker))  # type: ignore[arg-type]
        if rows:
            blocks.append(LayoutBlock("table", rows=tuple(rows)))
        current, rows, kind, marker = [], [], "text", ""

    for line in normalize(raw).split("\n"):
        if not line:
            flush()
            continue
        if _CELL_SEPARATOR.search(line):
            if current:
                flush()
            rows.append(tuple(c.strip() for c in line.split("|")))
            continue
        if rows:
            flush()
        start = _LIST_START.match(line)
        if start and (not current or _SENTENCE_END.search(current[-1])):
            flush()
            kind, marker = "item", start.group(0).strip()
            marker = "•" if marker in "•▪◦●■‣∙·-–—*" else marker
            line = f"• {line[start.end() :]}" if marker == "•" else line
        current.append(line)
    flush()
    return PageLayout(tuple(blocks))
