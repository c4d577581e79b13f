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

from assistant.passages import DocumentText
from assistant.quotable import clean_quote
from assistant.reader import ScoredUnit, Window
from assistant.reader_model import SUPPORT_DEPTH, choose, supports
from assistant.retrieval import Candidate, diversify
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
    index = choose([w.features for w in windows[:SUPPORT_DEPTH]], kind)
    if index is None or windows[index].answers < threshold:
        return []
    first = _narrowed(windows[index], windows, kind)
    chosen = [first]
    used = _length(first)
    for window in windows:
        if len(chosen) >= max_windows or window.score < first.score - margin:
            break
        if window is first or not supports(window.features, kind) or not window.features["type_ok"]:
            continue  # a further quote must answer too: hold a figure, date, reason or list when one is asked
        if any(window.overlaps(c) for c in chosen) or _repeats(window, chosen):
            continue
        if used + _length(window) > ANSWER_LIMIT or used > ANSWER_BUDGET:
            continue
        chosen.append(window)
        used += _length(window)
    return [Pick(w) for w in chosen]


def _narrowed(window: Window, windows: list[Window], kind: str) -> Window:
    """For a figure or date, the best row (with its header) of a whole table that was chosen, when
    a row supports the question on its own: the answer is the row, the table is its passage."""
    if kind not in ("number", "date") or len(window.units) < 3 or window.units[0].unit.kind != "header":
        return window
    header = window.units[0].index
    rows = [
        w
        for w in windows
        if len(w.units) == 2 and w.units[0].index == header and w.doc is window.doc and supports(w.features, kind)
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


def page_position(chunk: Chunk, offset: int) -> tuple[int, int]:
    """(page, offset in that page's clean text) of a character of the chunk."""
    k = max(i for i, start in enumerate(chunk.page_starts) if start <= offset)
    return chunk.pages[k], (chunk.page_offset + offset) if k == 0 else offset - chunk.page_starts[k]


def make_citation(n: int, chunk: Chunk, spans: list[tuple[int, int]], score: float) -> Citation:
    """A citation of sentence ``spans`` (offsets in the chunk text) with the chunk as its passage."""
    page, page_start = page_position(chunk, spans[0][0])
    _, page_end = page_position(chunk, spans[-1][1] - 1)
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
        anchor=f"{chunk.doc.content_hash[:16]}:p{page}:{page_start}-{page_end + 1}",
        chunk_id=chunk.id,
        heading=chunk.heading,
        url=chunk.doc.url,
        ocr_confidence=chunk.doc.ocr_confidence(page),
    )


def passage_citation(
    n: int, doc: DocumentText, span: tuple[int, int], quoted: list[tuple[int, int]], score: float
) -> Citation:
    """A citation of the quoted spans (document offsets) inside the passage ``span``."""
    start, end = span
    page, page_start = doc.page_position(quoted[0][0])
    _, page_end = doc.page_position(quoted[-1][1] - 1)
    chunk = doc.chunk_at(quoted[0][0])
    section = next((h for o, h in reversed(doc.headings) if o <= quoted[0][0]), "")
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
        anchor=f"{doc.doc.content_hash[:16]}:p{page}:{page_start}-{page_end + 1}",
        chunk_id=chunk.id,
        heading=section,
        url=doc.doc.url,
        ocr_confidence=doc.doc.ocr_confidence(page),
    )


def further_passages(windows: list[Window], picks: list[Pick], first_n: int, total: int) -> list[Citation]:
    """Passages for further reading after the quoted ones, up to ``total`` citations in all: the
    best-ranked other windows, each in a passage that overlaps no passage already shown."""
    shown = [(p.window.doc.doc.key, *passage_span(p.window.doc, p.window)) for p in picks]
    out: list[Citation] = []
    for window in windows:
        if first_n + len(out) > total:
            break
        doc = window.doc
        start, end = passage_span(doc, window)
        if any(key == doc.doc.key and start < e and s < end for key, s, e in shown):
            continue
        shown.append((doc.doc.key, start, end))
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
        header: list[str] = []
        for unit in quoted_units:
            n = number_of_page[doc.page_at(unit.unit.start)]
            if unit.unit.kind == "header":
                header = _cells(unit.text)
                if any(u.unit.kind == "row" for u in quoted_units):
                    continue  # shown with every row below it
            text = _display(unit.text, unit.unit.kind)
            if unit.unit.kind == "row" and len(header) == len(_cells(unit.text)) > 1:
                text = "• " + "; ".join(f"{h}: {c}" for h, c in zip(header, _cells(text), strict=True))
            sentences.append(AnswerSentence(text=text, citations=(n,), support=1.0, supported=True))
            own_line = unit.unit.kind in ("item", "row", "header")
            separator = "\n" if own_line or previous_own_line else " "
            parts.append(("" if not parts else separator) + f"{text} [{n}]")
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


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.split(" | ")]


def _display(text: str, kind: str) -> str:
    text = clean_quote(text)
    if kind == "sentence":
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
