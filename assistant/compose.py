"""Extractive answers: the best evidence windows, quoted whole and cited — or a refusal.

Assistant stage (evidence windows → *answer text and citations*). No sentence is written that is not
quoted from a document, so every sentence carries a citation by construction. The answer starts with
the window that best answers the question; more windows follow only when they add something and the
answer stays short. A citation's passage is the window with its surrounding context (whole sentences,
within its section), so the quoted sentences always stand in it complete; the page is the page on
which the quoted sentence stands, and the anchor (content hash + page + offsets in the page text)
stays valid as long as the document is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.quotable import clean_quote
from assistant.reader import ScoredUnit, Window
from assistant.reader_model import choose, quotable_for, supports
from assistant.retrieval import Candidate, diversify
from beleidsbron.document import DocumentText
from beleidsbron.domain import AnswerSentence, Chunk, Citation

ANSWER_BUDGET = 700  # no window is added once the answer is this long (a single long window may exceed it)
ANSWER_LIMIT = 1100  # characters an answer never exceeds by adding a window
PASSAGE_CHARS = 700  # context a citation's passage grows to around its window
REDUNDANCY = 0.6  # term overlap above which a window repeats one already chosen
CITED_PASSAGES = 5  # an answer lists this many passages: the quoted ones, then others for further reading


@dataclass(frozen=True)
class Pick:
    """A chosen window (kept for the LLM mode, which shows the model the windows' passages)."""

    window: Window

    @property
    def chunk(self) -> Chunk:
        return self.window.doc.chunk_at(self.window.start)


def select(windows: list[Window], kind: str, threshold: float, margin: float, max_windows: int = 3) -> list[Pick]:
    """The window that answers (see :func:`assistant.reader.choose`), then further windows that rank
    within ``margin`` of it, support the question too and hold the kind of answer it asks for, overlap
    and repeat nothing chosen, and keep the answer within its budget. Nothing when no window answers
    with at least ``threshold``."""
    index = choose([w.features for w in windows], kind)
    if index is None or windows[index].answers < threshold:
        return []
    first = _narrowed(windows[index], windows, kind)
    chosen = [first]
    used = _length(first)
    for window in windows:
        if len(chosen) >= max_windows or window.score < first.score - margin:
            break
        if window is first or not quotable_for(window.features, kind) or not supports(window.features, kind):
            continue
        if not window.features["type_ok"]:
            continue  # a further quote must answer too: hold a figure, date, reason or list when one is asked
        if any(window.overlaps(c) for c in chosen) or _repeats(window, chosen):
            continue
        if used + _length(window) > ANSWER_LIMIT or used > ANSWER_BUDGET:
            continue
        chosen.append(window)
        used += _length(window)
    return [Pick(w) for w in chosen]


def _narrowed(window: Window, windows: list[Window], kind: str) -> Window:
    """For a figure or date, the best row (with its header rows) of a whole table that was chosen, when
    a row supports the question on its own: the answer is the row, the table is its passage."""
    header = [u.index for u in window.units if u.unit.kind == "header"]
    if kind not in ("number", "date") or not header or len(window.units) < len(header) + 2:
        return window
    rows = [
        w
        for w in windows
        if w.doc is window.doc
        and [u.index for u in w.units[:-1]] == header
        and w.units[-1].unit.kind == "row"
        and supports(w.features, kind)
    ]
    return max(rows, key=lambda w: w.score, default=window)


def _length(window: Window) -> int:
    return sum(len(u.text) for u in window.units)


def _repeats(window: Window, chosen: list[Window]) -> bool:
    terms = frozenset().union(*(u.terms for u in window.units))
    for other in chosen:
        theirs = frozenset().union(*(u.terms for u in other.units))
        if terms and theirs and len(terms & theirs) / len(terms | theirs) > REDUNDANCY:
            return True
    return False


def passage_span(doc: DocumentText, window: Window) -> tuple[int, int]:
    """The passage shown for a window: the window grown by whole units of its section (before and
    after, alternately) until it holds about ``PASSAGE_CHARS`` characters."""
    first, last = window.units[0].index, window.units[-1].index
    section = window.units[0].unit.section
    units = doc.units

    def fits(i: int) -> bool:
        return 0 <= i < len(units) and units[i].section == section and units[i].kind != "heading"

    while units[last].end - units[first].start < PASSAGE_CHARS:
        grew = False
        if fits(last + 1):
            last += 1
            grew = True
        if units[last].end - units[first].start < PASSAGE_CHARS and fits(first - 1):
            first -= 1
            grew = True
        if not grew:
            break
    return units[first].start, units[last].end


def make_citation(n: int, chunk: Chunk, spans: list[tuple[int, int]], score: float) -> Citation:
    """A citation of sentence ``spans`` (offsets in the chunk text) with the chunk as its passage."""
    page = chunk.page_at(spans[0][0])
    return Citation(
        n=n,
        source=chunk.doc.source,
        title=chunk.doc.title,
        publisher=chunk.doc.publisher,
        year=chunk.doc.year,
        page=page,
        text=chunk.text,
        spans=tuple(spans),
        score=score,
        anchor=_anchor(chunk.doc.content_hash, page, chunk.start + spans[0][0], chunk.start + spans[-1][1]),
        chunk_id=chunk.id,
        heading=chunk.heading,
        url=chunk.doc.url,
        ocr_confidence=chunk.doc.ocr_confidence(page),
    )


def _anchor(content_hash: str, page: int, start: int, end: int) -> str:
    """Where a quote stands, valid as long as the document is unchanged: content hash, page, offsets
    in the document text."""
    return f"{content_hash[:16]}:p{page}:{start}-{end}"


def passage_citation(
    n: int, doc: DocumentText, span: tuple[int, int], quoted: list[tuple[int, int]], score: float
) -> Citation:
    """A citation of the quoted spans (document offsets) inside the passage ``span``."""
    assert doc.doc is not None
    start, end = span
    page = doc.page_at(quoted[0][0])
    chunk = doc.chunk_at(quoted[0][0])
    return Citation(
        n=n,
        source=doc.doc.source,
        title=doc.doc.title,
        publisher=doc.doc.publisher,
        year=doc.doc.year,
        page=page,
        text=doc.text[start:end],
        spans=tuple((a - start, b - start) for a, b in quoted),
        score=score,
        anchor=_anchor(doc.doc.content_hash, page, quoted[0][0], quoted[-1][1]),
        chunk_id=chunk.id,
        heading=doc.heading_of(doc.units[doc.unit_at(quoted[0][0])]),
        url=doc.doc.url,
        ocr_confidence=doc.doc.ocr_confidence(page),
    )


def further_passages(windows: list[Window], picks: list[Pick], first_n: int, total: int) -> list[Citation]:
    """Passages for further reading after the quoted ones, up to ``total`` citations in all: the
    best-ranked other windows, each in a passage that overlaps no passage already shown."""
    shown = [(id(p.window.doc), *passage_span(p.window.doc, p.window)) for p in picks]
    out: list[Citation] = []
    for window in windows:
        if first_n + len(out) > total:
            break
        doc = window.doc
        start, end = passage_span(doc, window)
        if any(key == id(doc) and start < e and s < end for key, s, e in shown):
            continue
        shown.append((id(doc), start, end))
        quoted = [(u.unit.start, u.unit.end) for u in window.units]
        citation = passage_citation(first_n + len(out), doc, (start, end), quoted, window.score)
        out.append(replace(citation, quoted=False))
    return out


def compose(picks: list[Pick]) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Answer text with [n] markers, its citations (one per window and page) and per-sentence records."""
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    parts: list[str] = []
    previous_own_line = False  # a list item or table row ends its line
    for pick in picks:
        window = pick.window
        doc = window.doc
        span = passage_span(doc, window)
        quoted_units = _answering_units(window)
        by_page: dict[int, list[tuple[int, int]]] = {}
        for unit in quoted_units:
            by_page.setdefault(doc.page_at(unit.unit.start), []).append((unit.unit.start, unit.unit.end))
        number_of_page: dict[int, int] = {}
        for page, quoted in by_page.items():
            number_of_page[page] = len(citations) + 1
            citations.append(passage_citation(len(citations) + 1, doc, span, quoted, window.score))
        for unit in quoted_units:
            n = number_of_page[doc.page_at(unit.unit.start)]
            kind = unit.unit.kind
            if kind == "header" and any(u.unit.kind == "row" for u in quoted_units):
                continue  # its cells are shown with every row below it
            text = _display(unit)
            marker = unit.block.marker if kind == "item" else ""
            if marker:
                text = text[len(marker) :].lstrip()
            if kind == "header":
                kind = "row"
            sentence = AnswerSentence(text=text, citations=(n,), support=1.0, supported=True, kind=kind, marker=marker)
            sentences.append(sentence)
            own_line = kind in ("item", "row")
            separator = "\n" if own_line or previous_own_line else " "
            parts.append(("" if not parts else separator) + f"{sentence.display} [{n}]")
            previous_own_line = own_line
    return "".join(parts).strip(), citations, sentences


def _answering_units(window: Window) -> tuple[ScoredUnit, ...]:
    """The units an answer quotes: the window without the questions the text asks itself at its start
    or end ("Waarom koos het kabinet hiervoor?" introduces the answer; it is not one). The passage
    still shows them."""
    units = list(window.units)
    while len(units) > 1 and units[0].text.rstrip().endswith("?"):
        units.pop(0)
    while len(units) > 1 and units[-1].text.rstrip().endswith("?"):
        units.pop()
    return tuple(units)


def _display(unit: ScoredUnit) -> str:
    """A unit as the answer shows it: a table row as its cells with their column headers
    ("Indicator: Restafval per inwoner (kg); 2023: 205; …"), a sentence with a capital."""
    block = unit.block
    if unit.unit.kind in ("row", "header") and len(block.cells) > 1:
        if not any(block.header) and len(block.cells) == 2:
            return f"{block.cells[0]}: {block.cells[1]}"  # a label beside its value
        cells = [f"{h}: {c}" if h and c else c or h for h, c in block.labelled_cells()]
        return "; ".join(c for c in cells if c)
    text = clean_quote(unit.text)
    if unit.unit.kind == "sentence":
        text = text[0].upper() + text[1:]
    return text


def related_passages(candidates: list[Candidate], per_document: int, n: int = 3) -> list[Citation]:
    """The nearest passages of a refusal, shown as "mogelijk relevant" (not as citations)."""
    out = []
    for cand in diversify(candidates, per_document)[:n]:
        best = cand.best(1)
        spans = [(best[0].start, best[0].end)] if best else [(0, len(cand.chunk.text))]
        out.append(make_citation(len(out) + 1, cand.chunk, spans, cand.score))
    return out
