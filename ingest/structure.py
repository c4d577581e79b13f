"""Document structure: the clean paragraphs of all pages → one typed document (blocks and units).

Third step of ingest (PDF layout → clean paragraphs → *document structure* → chunks → embeddings →
store). Pages are joined into one text — a sentence or a word hyphenated over a page break becomes
whole again, a table continued on the next page stays one table — and what each paragraph is within
the document is decided here, once, from the layout's types:

- a **list**: consecutive list items, with the paragraph that announces them ("…:") as their lead;
- a **table**: its header row(s) — a second header row under cells that span columns is joined to the
  first per column — and every row carrying those header cells;
- a **question/answer pair**: Kamervragen ("Vraag 1" … "Antwoord 1"), and the paragraphs under a
  heading that asks a question (FAQ pages): the answer knows its question;
- a **footnote**, linked to the paragraph whose marker it explains;
- **headings** with a level (from their numbering, else their type size).

Every block is cut into units — the sentences of a paragraph, a whole list item or table row, a
heading — which are what is embedded, stored and quoted (:mod:`beleidsbron.document`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from beleidsbron.document import Block, BlockKind, DocumentText, Unit, sectioned
from beleidsbron.text.sentences import split_sentences
from ingest.cleaning import CleanPage, Para
from ingest.hyphenation import join_hyphenated, keeps_hyphen, vocabulary

_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)]$")
_LABEL = r"(vraag|antwoord)(?:\s+(?:op\s+)?(?:vraag\s+)?(\d{1,3}[a-z]?))?"
_LABEL_ALONE = re.compile(rf"^{_LABEL}\s*[:.)]?$", re.IGNORECASE)
_LABEL_INLINE = re.compile(rf"^{_LABEL}\s*[:.)]\s+(?=\S)", re.IGNORECASE)
_HEADING_NUMBER = re.compile(r"^(?:hoofdstuk\s+)?(\d{1,2}(?:\.\d{1,2})*)\.?\s")
_NUMERIC = re.compile(r"^[\d\s.,:;%€$+\-–—/()~≈<>x×]*\d[\d\s.,:;%€$+\-–—/()~≈<>x×]*$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
MAX_ITEM_UNIT = 900  # a longer list item is cut into its sentences (each still an item unit)
MAX_UNIT = 1000  # a longer sentence (a run of text without full stops) is cut at clauses, then words
_LONG_UNIT_SPLITTER = RecursiveCharacterTextSplitter(
    separators=[r"(?<=[;:])\s+", r",\s+", r"\s+", ""],
    is_separator_regex=True,
    keep_separator="end",
    chunk_size=MAX_UNIT,
    chunk_overlap=0,
    add_start_index=True,
)


@dataclass
class _Piece:
    """A paragraph on its way to becoming a block: its page, and the pages it runs onto."""

    para: Para
    page: int
    text: str
    kind: BlockKind = "paragraph"
    breaks: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, page) where a page starts
    level: int = 0
    group: int = -1  # index of the first piece of its list, table or question/answer pair
    lead: int = -1
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def body(self) -> bool:
        return self.para.kind != "note"


def build_document(pages: list[CleanPage]) -> DocumentText:
    """The typed document of clean pages (see the module docstring)."""
    pieces = _join_pages(pages)
    pieces = _expand_tables(pieces)
    _mark_lists(pieces)
    _mark_questions(pieces)
    _link_footnotes(pieces)
    _level_headings(pieces)
    return _assemble(pieces)


# --- pages → one sequence ----------------------------------------------------------------------


def _join_pages(pages: list[CleanPage]) -> list[_Piece]:
    vocab = vocabulary([p.text for page in pages for p in page.paras])
    pieces: list[_Piece] = []
    for page in pages:
        first = True
        for para in page.paras:
            piece = _Piece(para, page.number, para.text, _KIND[para.kind], rows=list(para.rows))
            if first and para.kind != "note":
                first = False
                last = next((p for p in reversed(pieces) if p.body), None)
                if last is not None and _continues(last, piece, vocab):
                    continue
            pieces.append(piece)
    return pieces


_KIND: dict[str, BlockKind] = {
    "heading": "heading",
    "paragraph": "paragraph",
    "item": "item",
    "table": "row",
    "note": "footnote",
}


def _continues(last: _Piece, piece: _Piece, vocab: object) -> bool:
    """Join ``piece`` (first on its page) to ``last`` (the page before) when it continues it: a word or
    sentence run over the page break, or a table continued. Returns whether it was joined."""
    para = piece.para
    if last.para.kind == "table" and para.kind == "table" and len(last.rows[0]) == len(para.rows[0]):
        rows = list(para.rows)
        if rows[0] == last.rows[0]:
            rows = rows[1:]  # the header repeated on the new page
        last.rows.extend(rows)
        return True
    if last.para.kind not in ("paragraph", "item") or para.kind != "paragraph":
        return False
    head, tail = last.text, piece.text
    left = re.search(r"([A-Za-zÀ-ÿ]+)-$", head)
    right = re.match(r"[A-Za-zÀ-ÿ]+", tail)
    if left and right and not keeps_hyphen(left.group(1), right.group(0), vocab):  # type: ignore[arg-type]
        joined = join_hyphenated(head, tail, vocab)  # type: ignore[arg-type]
    elif not _SENTENCE_END.search(head) and tail[:1].islower():
        joined = f"{head} {tail}"
    else:
        return False
    last.breaks.append((len(joined) - len(tail), piece.page))
    last.text = joined
    last.para = replace(last.para, notes=last.para.notes + para.notes)
    return True


# --- tables ------------------------------------------------------------------------------------


def _expand_tables(pieces: list[_Piece]) -> list[_Piece]:
    """Each table becomes its header row(s) and rows, every row carrying the joined header cells."""
    out: list[_Piece] = []
    for piece in pieces:
        if piece.para.kind != "table":
            out.append(piece)
            continue
        rows = piece.rows
        n_header = 0 if piece.para.labels or len(rows) < 2 else header_rows(rows)
        header = joined_header(rows[:n_header]) if n_header else ()
        first = len(out)
        for k, row in enumerate(rows):
            kind: BlockKind = "header" if k < n_header else "row"
            out.append(
                _Piece(
                    piece.para,
                    piece.page,
                    " | ".join(row),
                    kind,
                    group=first,
                    cells=row,
                    header=header if kind == "row" else (),
                )
            )
    return out


def header_rows(rows: list[tuple[str, ...]]) -> int:
    """How many of a table's first rows are its header: the first always; the next ones too while they
    leave the first cell empty and hold no figures but years (a second header row under cells that span
    columns: "2024 | 2025" over "begroot | realisatie | begroot | realisatie"), with data rows after them."""
    n = 1
    while n < len(rows) - 1:
        row = rows[n]
        if row[0] or not any(row) or any(_NUMERIC.match(c) and not _YEAR.match(c) for c in row if c):
            break
        n += 1
    return n


def joined_header(rows: list[tuple[str, ...]]) -> tuple[str, ...]:
    """One header cell per column from several header rows: a cell that spans columns (empty cells to its
    right above filled ones below) counts for each of them; the rows' cells are joined top to bottom."""
    width = len(rows[0])
    filled = [list(row) + [""] * (width - len(row)) for row in rows]
    for upper, lower in itertools.pairwise(filled):
        for c in range(1, width):
            if not upper[c] and upper[c - 1] and lower[c]:
                upper[c] = upper[c - 1]
    return tuple(" ".join(row[c] for row in filled if row[c]).strip() for c in range(width))


# --- lists -------------------------------------------------------------------------------------


def _mark_lists(pieces: list[_Piece]) -> None:
    """Consecutive items are one list; the paragraph right before the first item leads it when it
    announces it (ends with a colon) or stands right above it without a break."""
    k = 0
    while k < len(pieces):
        if pieces[k].kind != "item":
            k += 1
            continue
        first = k
        while k < len(pieces) and (pieces[k].kind == "item" or not pieces[k].body):
            k += 1
        before = pieces[first - 1] if first else None
        lead = -1
        announces = before is not None and (before.text.rstrip().endswith(":") or pieces[first].para.joined)
        if before is not None and before.kind == "paragraph" and announces:
            lead = first - 1
        for piece in pieces[first:k]:
            if piece.kind == "item":
                piece.group, piece.lead = first, lead


# --- question/answer pairs ---------------------------------------------------------------------


def _mark_questions(pieces: list[_Piece]) -> None:
    """Kamervragen ("Vraag 1" … "Antwoord 1", also as "Vraag 1: …" at the start of a paragraph) and
    FAQ sections (a heading that asks a question, with the paragraphs under it as its answer)."""
    mode = ""  # "question" or "answer" while inside a Kamervragen pair
    question = -1  # index of the first piece of the current question
    for k, piece in enumerate(pieces):
        if not piece.body or piece.kind in ("header", "row"):
            continue
        label = _LABEL_ALONE.match(piece.text) or _LABEL_INLINE.match(piece.text)
        if label is not None and piece.kind in ("heading", "paragraph", "item"):
            asks = label.group(1).lower() == "vraag"
            alone = _LABEL_ALONE.match(piece.text) is not None
            if asks:
                mode, question = "question", k + 1 if alone else k
            else:
                if mode != "question":  # "1. Bent u bekend met …?" then "Antwoord 1": the question before it
                    question = next((j for j in range(k - 1, -1, -1) if pieces[j].body), -1)
                mode = "answer"
            if alone:
                piece.kind, piece.level = "heading", 3
                continue
        elif piece.kind == "heading":
            mode, question = "", -1
            if piece.text.rstrip().endswith("?"):
                mode, question = "faq", k
            continue
        if mode == "question" and piece.kind in ("paragraph", "item"):
            piece.kind, piece.group = "question", question
        elif mode in ("answer", "faq") and piece.kind == "paragraph" and question >= 0:
            piece.kind, piece.group, piece.lead = "answer", question, question
            if mode == "answer" and pieces[question].kind in ("paragraph", "item"):
                pieces[question].kind, pieces[question].group = "question", question


# --- footnotes and headings --------------------------------------------------------------------


def _link_footnotes(pieces: list[_Piece]) -> None:
    """A footnote's lead is the paragraph before it (on its page) whose marker it explains."""
    for k, piece in enumerate(pieces):
        if piece.kind != "footnote" or not piece.para.marker:
            continue
        for j in range(k - 1, -1, -1):
            other = pieces[j]
            if other.page != piece.page and not any(p == piece.page for _, p in other.breaks):
                if other.page < piece.page:
                    break
                continue
            if piece.para.marker in other.para.notes:
                piece.lead = j
                break


def _level_headings(pieces: list[_Piece]) -> None:
    """Heading levels 1–3: from the numbering ("2" → 1, "2.3" → 2), else from the type size (the
    largest heading size of the document is level 1)."""
    sizes = sorted({round(p.para.size, 1) for p in pieces if p.kind == "heading" and not p.level}, reverse=True)
    for piece in pieces:
        if piece.kind != "heading" or piece.level:
            continue
        number = _HEADING_NUMBER.match(piece.text)
        if number:
            piece.level = min(3, number.group(1).count(".") + 1)
        else:
            piece.level = min(3, sizes.index(round(piece.para.size, 1)) + 1) if piece.para.size > 1.05 else 3


# --- text, blocks and units --------------------------------------------------------------------


def _assemble(pieces: list[_Piece]) -> DocumentText:
    parts: list[str] = []
    blocks: list[Block] = []
    units: list[Unit] = []
    offset = 0
    ids = {}  # piece index → block id
    for k, piece in enumerate(pieces):
        if not piece.text:
            continue
        if parts:
            same_table = piece.kind in ("header", "row") and pieces[k - 1].group == piece.group >= 0
            sep = "\n" if same_table else "\n\n"
            parts.append(sep)
            offset += len(sep)
        ids[k] = len(blocks)
        start = offset
        parts.append(piece.text)
        offset += len(piece.text)
        block = Block(
            id=len(blocks),
            kind=piece.kind,
            start=start,
            end=offset,
            page=piece.page,
            level=piece.level,
            group=piece.group,
            lead=piece.lead,
            marker=piece.para.marker if piece.kind in ("item", "footnote") else "",
            cells=piece.cells,
            header=piece.header,
        )
        blocks.append(block)
        units.extend(_units(block, piece))
    blocks = [replace(b, group=ids.get(b.group, -1), lead=ids.get(b.lead, -1)) for b in blocks]
    return DocumentText("".join(parts), blocks, sectioned(units, blocks))


def _units(block: Block, piece: _Piece) -> list[Unit]:
    kind = block.unit_kind
    if kind in ("heading", "header", "row") or (kind == "item" and len(piece.text) <= MAX_ITEM_UNIT):
        spans = [(0, len(piece.text))]
    else:
        spans = split_sentences(piece.text) or [(0, len(piece.text))]
    out = []
    for a, b in [part for span in spans for part in _bounded(piece.text, span)]:
        page = piece.page
        for at, later in piece.breaks:
            if a >= at:
                page = later
        out.append(Unit(block.start + a, block.start + b, block.id, page, kind))
    return out


def _bounded(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A span cut into pieces of at most :data:`MAX_UNIT` characters (LangChain's recursive splitter:
    clauses, then words), each an exact slice of ``text``."""
    a, b = span
    if b - a <= MAX_UNIT:
        return [span]
    out = []
    for part in _LONG_UNIT_SPLITTER.create_documents([text[a:b]]):
        start = a + int(part.metadata["start_index"])
        content = part.page_content.strip()
        if content and text[start : start + len(part.page_content)] == part.page_content:
            lead = len(part.page_content) - len(part.page_content.lstrip())
            out.append((start + lead, start + lead + len(content)))
    return out or [span]
