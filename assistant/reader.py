"""The extractive reader: evidence windows around the retrieved passages, with what describes them.

Assistant stage (retrieval → *evidence windows* → answer text and citations). Retrieval finds the
right passages; the reader finds what in them answers the question. Candidates are windows of one to
three consecutive sentences of one section (a sentence and the one or two after or before it; a question
the text asks itself may lead a fourth), a list with the sentences that announce it ("… vier
actielijnen:" + its items) and a table row with its header row(s). What a unit is — a sentence, an item
of which list, a row of which table, part of the question or the answer of a question/answer pair —
comes from the stored document structure (:mod:`beleidsbron.document`); the question of a pair is
never quoted, its answer is. Each window is described by features — how well its
sentences match the question (dense and lexical), whether it holds the kind of answer asked for (a
figure, a date, a cause …), whether it says something beyond the question or only restates it, whether
the years and figures the question names occur in it — and ranked by the fitted model of
:mod:`assistant.reader_model`, which also decides whether the best window answers at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.intent import Intent, anchor_found, has_type, name_words, quantity_bound
from assistant.passages import Library
from assistant.quotable import META, quotable
from assistant.reader_model import ReaderModel, default_model
from assistant.retrieval import Candidate
from beleidsbron.document import Block, DocumentText, Unit
from beleidsbron.settings import ReaderSettings
from beleidsbron.text.dutch_analysis import Analyzer, fold, words

MAX_WINDOW_UNITS = 3
MAX_WINDOW_CHARS = 1100
PAD = 800  # characters of context read around every retrieved chunk
GROUP_REACH = 4000  # a list or table is read whole up to this many characters before and after the chunk

# Words with which a Dutch sentence refers back to the one before it: a window that stops right before
# such a sentence in the same paragraph is cut short of what its claim says in particular.
_REFERRING = frozenset(
    {"zij", "ze", "hij", "dit", "dat", "deze", "die", "daardoor", "daarom", "daarmee", "daarbij", "daarin"}
    | {"daarnaast", "hierdoor", "hierbij", "hiermee", "hierin", "zo", "ook", "bovendien", "verder", "vooral"}
    | {"maar", "toch", "wel", "dus", "hun", "zijn", "haar"}
)

_TYPE_WORDS = frozenset(
    [
        "geld",
        "bedrag",
        "percentag",
        "aantal",
        "datum",
        "jar",
        "jaar",
        "dag",
        "reden",
        "oorzak",
        "manier",
        "wijz",
        "kere",
        "keer",
        "procent",
        "welk",
        "hoeveel",
        "wanner",
        "waarom",
        "noem",
        "gemiddeld",
        "ongeveer",
        "volgen",
    ]
)


@dataclass
class ScoredUnit:
    """A unit of a document with its match to the question."""

    index: int  # in DocumentText.units
    unit: Unit
    block: Block
    text: str
    terms: frozenset[str]
    dense: float  # cosine similarity to the question (0 when no vector is stored)
    relevance: float  # dense similarity mapped to 0–1 (model-specific floor and ceiling)
    lexical: float  # idf-weighted share of the question's terms in the unit
    score: float
    quotable: bool
    vector: np.ndarray | None = None
    typed: bool = False  # holds an expression of the answer type asked for
    bound: float = 0.5  # quantity next to the counted noun (see assistant.intent.quantity_bound)
    focus: float = 0.0  # share of the question's rarest terms it holds
    predicate: float = 0.0  # share of what the question says about its names
    folded: str = ""  # accent-folded lower-case text (for the question's years and figures)
    meta: bool = False  # speaks about the document rather than its subject


@dataclass
class Window:
    """Consecutive units of one section (or a table row with its header) that may answer the question."""

    doc: DocumentText
    units: tuple[ScoredUnit, ...]
    candidate: Candidate
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0  # ranker logit: how much better than the other windows it answers the question
    answers: float = 0.0  # probability that it answers the question at all

    @property
    def start(self) -> int:
        return self.units[0].unit.start

    @property
    def end(self) -> int:
        return self.units[-1].unit.end

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc.doc.key, self.units[0].index, self.units[-1].index)

    def text(self) -> str:
        return "\n".join(u.text for u in self.units)

    def overlaps(self, other: Window) -> bool:
        if self.doc.doc.key != other.doc.doc.key:
            return False
        mine = {u.index for u in self.units}
        return any(u.index in mine for u in other.units)


class Reader:
    """Forms and scores evidence windows for one question from the retrieved candidates."""

    def __init__(
        self,
        library: Library,
        analyzer: Analyzer,
        idf_of: Callable[[str], float],
        sentence_vectors: Callable[[list[str]], dict[str, list[tuple[int, int, np.ndarray]]]],
        settings: ReaderSettings,
        model: ReaderModel | None = None,
    ) -> None:
        self.library = library
        self.analyzer = analyzer
        self.idf_of = idf_of
        self.sentence_vectors = sentence_vectors
        self.settings = settings
        self.floor = settings.dense_floor
        self.span = max(1e-6, settings.dense_ceiling - settings.dense_floor)
        self.dense_weight = settings.dense_weight
        self.model = model or default_model()
        self._unit_cache: dict[tuple[str, int], tuple[frozenset[str], bool]] = {}  # terms, quotable
        self._doc_cache: dict[str, tuple[frozenset[str], str]] = {}

    def _unit_facts(self, doc: DocumentText, i: int, text: str) -> tuple[frozenset[str], bool]:
        """A unit's terms and whether it may be quoted: the same for every question, so kept. The
        question of a question/answer pair is never quoted (its answer is)."""
        key = (doc.doc.key if doc.doc else "", i)
        found = self._unit_cache.get(key)
        if found is None:
            unit = doc.units[i]
            block = doc.block_of(unit)
            body = text[len(block.marker) :].lstrip() if unit.kind == "item" else text
            ok = block.kind != "question" and quotable(body, unit.kind, doc.heading_of(unit))
            found = (frozenset(self.analyzer.terms(text)), ok)
            if len(self._unit_cache) > 500_000:
                self._unit_cache.clear()
            self._unit_cache[key] = found
        return found

    def _doc_terms(self, doc: DocumentText) -> frozenset[str]:
        """Every term of a document (the same for every question, so kept)."""
        return self._doc_facts(doc)[0]

    def _doc_folded(self, doc: DocumentText) -> str:
        """A document's accent-folded lower-case text (kept, as its terms)."""
        return self._doc_facts(doc)[1]

    def _doc_facts(self, doc: DocumentText) -> tuple[frozenset[str], str]:
        key = _key(doc)
        found = self._doc_cache.get(key)
        if found is None:
            if len(self._doc_cache) > 5000:
                self._doc_cache.clear()
            found = self._doc_cache[key] = (frozenset(self.analyzer.terms(doc.text)), fold(doc.text))
        return found

    # --- public -----------------------------------------------------------------------------------

    def windows(
        self, question: str, intent: Intent, candidates: list[Candidate], vector: np.ndarray, n_candidates: int
    ) -> list[Window]:
        """All evidence windows around the best units of the first ``n_candidates`` candidates, best
        first, each with its features and probability of answering the question."""
        candidates = candidates[:n_candidates]
        if not candidates:
            return []
        q_terms = [t for t in dict.fromkeys(self.analyzer.terms(question))]
        weights = {t: self.idf_of(t) for t in q_terms}
        content = {t: w for t, w in weights.items() if t not in _TYPE_WORDS}
        focus = dict(sorted(content.items(), key=lambda kv: -kv[1])[:3])
        named = {t for word in name_words(question) for t in self.analyzer.terms(word)}
        whole_words = {terms[0] for word in words(question) if (terms := self.analyzer.terms_of_word(word))}
        predicate = frozenset(t for t in content if t in whole_words and t not in named and not t.isdigit())
        question_set = frozenset(q_terms)
        max_prior = max(c.score for c in candidates) or 1.0
        ranks = {c.chunk.id: (r, c.score) for r, c in enumerate(candidates)}
        units = self._score_units(candidates, vector, content or weights)
        focus_total = sum(focus.values()) or 1.0
        anchors = [fold(a) for a in intent.anchors]
        for _, scored, _ in units.values():
            for su in scored.values():
                su.typed = has_type(su.text, intent) if intent.kind != "list" else True
                su.bound = quantity_bound(su.text, intent, su.block.header)
                su.focus = sum(w for t, w in focus.items() if t in su.terms) / focus_total
                su.predicate = len(su.terms & predicate) / len(predicate) if predicate else 1.0
                su.folded = fold(su.text) if anchors else ""
                su.meta = bool(META.search(su.text))
        all_units = [su for _, scored, _ in units.values() for su in scored.values()]
        context = _Context(
            intent,
            content or weights,
            focus,
            question_set,
            max_prior,
            anchors,
            best_dense=max((su.dense for su in all_units), default=0.0),
            best_lexical=max((su.lexical for su in all_units), default=0.0),
            best_unit=max(all_units, key=lambda su: su.score, default=None),
            predicate=predicate,
            candidate_ranks=ranks,
            vector=vector,
        )
        for doc, scored, _ in units.values():
            for chunk in doc.chunks:
                inside = [
                    su.vector
                    for su in scored.values()
                    if su.vector is not None and chunk.start <= su.unit.start < chunk.end
                ]
                if inside:
                    mean = np.mean(inside, axis=0)
                    context.chunk_dense[chunk.id] = float(mean @ vector / (np.linalg.norm(mean) or 1.0))
        context.best_chunk_dense = max(context.chunk_dense.values(), default=0.0)
        for c in candidates:
            context.doc_ranks.setdefault(c.chunk.doc.key, len(context.doc_ranks))
        windows: dict[tuple[str, int, int], Window] = {}
        for doc, scored, candidate in units.values():
            for su in scored.values():
                if not su.quotable:
                    continue
                for window in self._around(doc, scored, su, candidate):
                    if window.key not in windows:
                        self._describe(window, scored, context)
                        windows[window.key] = window
        return sorted(windows.values(), key=lambda w: -w.score)

    # --- units ------------------------------------------------------------------------------------

    def _score_units(
        self, candidates: list[Candidate], vector: np.ndarray, weights: dict[str, float]
    ) -> dict[str, tuple[DocumentText, dict[int, ScoredUnit], Candidate]]:
        """Every unit in and around the candidates, scored; per document key."""
        around: dict[str, list[tuple[int, int, Candidate]]] = {}
        for cand in candidates:
            chunk = cand.chunk
            around.setdefault(chunk.doc.key, []).append((chunk.start - PAD, chunk.end + PAD, cand))
        docs = {key: self.library.document(key) for key in around}
        regions = {key: _regions(docs[key], spans) for key, spans in around.items()}
        stored: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        for cand in candidates:
            if cand.vectors is not None:
                stored[cand.chunk.id] = cand.vectors
        wanted = [
            c.id
            for key, spans in regions.items()
            for c in docs[key].chunks
            if c.id not in stored and any(c.start < b and c.end > a for a, b, _ in spans)
        ]
        if wanted:
            stored.update(self.sentence_vectors(wanted))
        total = sum(weights.values()) or 1.0
        out: dict[str, tuple[DocumentText, dict[int, ScoredUnit], Candidate]] = {}
        for key, spans in regions.items():
            doc = docs[key]
            vectors = _unit_vectors(doc, stored)
            scored: dict[int, ScoredUnit] = {}
            best_candidate = max((c for _, _, c in spans), key=lambda c: c.score)
            for a, b, _ in spans:
                for i in doc.units_between(max(0, a), b):
                    if i in scored:
                        continue
                    unit = doc.units[i]
                    text = doc.unit_text(unit)
                    terms, ok = self._unit_facts(doc, i, text)
                    vec = vectors.get((unit.start, unit.end))
                    dense = float(vec @ vector) if vec is not None else 0.0
                    relevance = float(np.clip((dense - self.floor) / self.span, 0.0, 1.0))
                    lexical = sum(w for t, w in weights.items() if t in terms) / total
                    score = self.dense_weight * relevance + (1 - self.dense_weight) * lexical
                    block = doc.block_of(unit)
                    scored[i] = ScoredUnit(i, unit, block, text, terms, dense, relevance, lexical, score, ok, vec)
            out[key] = (doc, scored, best_candidate)
        return out

    # --- windows ----------------------------------------------------------------------------------

    def _around(
        self, doc: DocumentText, scored: dict[int, ScoredUnit], anchor: ScoredUnit, candidate: Candidate
    ) -> Iterable[Window]:
        """The windows that contain ``anchor``: 1–3 consecutive sentences of its section, its list with
        the lead sentence, its table row with the header."""
        i = anchor.index
        unit = anchor.unit
        if unit.kind in ("row", "header"):
            yield from self._table_windows(doc, scored, anchor, candidate)
            return
        lead, items = self._list_of(doc, scored, anchor)
        if lead is not None and items:
            yield Window(doc, (lead, *items), candidate)
            introduction: list[ScoredUnit] = []
            for k in (lead.index - 1, lead.index - 2):  # up to two sentences that lead up to the list
                before = scored.get(k)
                if before is None or not before.quotable or before.unit.kind != "sentence":
                    break
                if not _same_section(before, lead):
                    break
                introduction.insert(0, before)
                yield Window(doc, (*introduction, lead, *items), candidate)
        if unit.kind == "item":
            return
        for first in range(i - MAX_WINDOW_UNITS, i + 1):
            asks = (scored[first].text.rstrip().endswith("?")) if first in scored else False
            longest = MAX_WINDOW_UNITS + 1 if asks else MAX_WINDOW_UNITS  # a question the text answers itself
            if first < i - longest + 1:
                continue
            for last in range(i, first + longest):
                members = [scored.get(k) for k in range(first, last + 1)]
                if any(m is None or not m.quotable or m.unit.kind != "sentence" for m in members):
                    continue
                picked = tuple(m for m in members if m is not None)
                if len({m.unit.section for m in picked}) > 1:
                    continue
                if sum(len(m.text) for m in picked) > MAX_WINDOW_CHARS:
                    continue
                yield Window(doc, picked, candidate)

    def _list_of(
        self, doc: DocumentText, scored: dict[int, ScoredUnit], su: ScoredUnit
    ) -> tuple[ScoredUnit | None, list[ScoredUnit]]:
        """The list that ``su`` belongs to (an item) or announces (the last sentence of its lead
        paragraph): the lead sentence and the items, as far as they were read."""
        block = su.block
        if block.kind == "item":
            first = doc.blocks[block.group]
            lead_id = first.lead
        else:
            following = doc.blocks[block.id + 1] if block.id + 1 < len(doc.blocks) else None
            if following is None or following.kind != "item" or following.lead != block.id:
                return None, []
            if su.index != doc.units_of(block)[-1]:
                return None, []  # only the sentence that announces the list leads it
            first, lead_id = following, block.id
        if lead_id < 0:
            return None, []
        lead = scored.get(doc.units_of(doc.blocks[lead_id])[-1])
        if lead is None or lead.unit.kind != "sentence":
            return None, []
        items: list[ScoredUnit] = []
        chars = len(lead.text)
        for member in doc.members(first.id):
            for k in doc.units_of(member):
                item = scored.get(k)
                if item is None or chars + len(item.text) > 2 * MAX_WINDOW_CHARS:
                    return lead, items
                items.append(item)
                chars += len(item.text)
        return lead, items

    def _table_windows(
        self, doc: DocumentText, scored: dict[int, ScoredUnit], anchor: ScoredUnit, candidate: Candidate
    ) -> Iterable[Window]:
        """A row with its table's header row(s), and the whole table when it is small."""
        members = [scored.get(k) for block in doc.members(anchor.block.group) for k in doc.units_of(block)]
        header = tuple(m for m in members if m is not None and m.unit.kind == "header")
        if header and anchor.unit.kind == "row":
            yield Window(doc, (*header, anchor), candidate)
        read = [m for m in members if m is not None]
        if header and len(read) == len(members) and sum(len(m.text) for m in read) <= MAX_WINDOW_CHARS:
            yield Window(doc, tuple(read), candidate)
        if not header and anchor.unit.kind == "row":
            yield Window(doc, (anchor,), candidate)  # a row of labels and values needs no header

    # --- features ---------------------------------------------------------------------------------

    def _describe(self, window: Window, scored: dict[int, ScoredUnit], ctx: _Context) -> None:
        units = window.units
        text = window.text()
        terms = frozenset().union(*(u.terms for u in units))
        heading_terms = ctx.heading_terms(window.doc, units[0].unit.section, self.analyzer)
        heading = window.doc.heading_of(units[0].unit)
        near = [u for u in (scored.get(units[0].index - 1), *units, scored.get(units[-1].index + 1)) if u is not None]
        total = sum(ctx.weights.values()) or 1.0
        focus_total = sum(ctx.focus.values()) or 1.0
        before = scored.get(units[0].index - 1)
        after = scored.get(units[-1].index + 1)
        if after is not None and (after.unit.section != units[-1].unit.section or after.unit.kind == "heading"):
            after = None
        context_terms = terms.union(*(u.terms for u in near if u.unit.section == units[0].unit.section))
        cut_short = (
            after is not None
            and after.block is units[-1].block
            and (units[-1].text.rstrip().endswith(":") or _first_word(after.text) in _REFERRING)
        )
        doc_order = ctx.doc_ranks.get(_key(window.doc))
        doc_terms = self._doc_terms(window.doc)
        intent = ctx.intent
        typed = [u for u in units if u.typed]
        listed = any(u.unit.kind in ("item", "row") for u in units)
        has = bool(typed) if intent.kind != "list" else listed or has_type(text, intent)
        kind = intent.kind
        first_terms = units[0].terms
        restate = len(first_terms & ctx.question) / len(first_terms) if first_terms else 1.0
        novel_terms = terms - ctx.question
        items = [u for u in units if u.unit.kind == "item"]
        lead_terms = frozenset().union(*(u.terms for u in units if u.unit.kind != "item"))
        chunk = window.doc.chunk_at(units[0].unit.start)
        rank, prior = ctx.candidate_ranks.get(chunk.id, (None, 0.0))
        vectors = [u.vector for u in units if u.vector is not None]
        window_dense = 0.0
        if vectors:
            mean = np.mean(vectors, axis=0)
            window_dense = float(mean @ ctx.vector / (np.linalg.norm(mean) or 1.0))
        chunk_dense = ctx.chunk_dense.get(chunk.id, 0.0)
        prev_question = 0.0
        asked = units[0].block.lead if units[0].block.kind == "answer" else -1
        if asked >= 0 and units[0].index == window.doc.units_of(units[0].block)[0]:
            # the answer of a question/answer pair: how well its question matches this one
            prev_question = max(
                (scored[k].lexical for k in window.doc.units_of(window.doc.blocks[asked]) if k in scored), default=0.0
            )
        elif before is not None and before.unit.kind == "sentence" and before.text.rstrip().endswith("?"):
            prev_question = before.lexical
        f = {
            "rel_max": max(u.score for u in units),
            "rel_first": units[0].score,
            "dense_max": max(u.relevance for u in units),
            "lex_cover": sum(w for t, w in ctx.weights.items() if t in terms) / total,
            "context_cover": sum(w for t, w in ctx.weights.items() if t in context_terms) / total,
            "next_dense": after.relevance if after is not None else 0.0,
            "cut_short": float(cut_short),
            "refers_back": float(
                before is not None and before.block is units[0].block and _first_word(units[0].text) in _REFERRING
            ),
            "doc_cover": sum(w for t, w in ctx.weights.items() if t in doc_terms) / total,
            "doc_focus": sum(w for t, w in ctx.focus.items() if t in doc_terms) / focus_total,
            "doc_rank": 1.0 / (1.0 + doc_order) if doc_order is not None else 0.0,
            "focus_cover": sum(w for t, w in ctx.focus.items() if t in terms or t in heading_terms) / focus_total,
            "head_cover": sum(w for t, w in ctx.weights.items() if t in heading_terms) / total,
            "type_number": float(has and kind == "number"),
            "type_date": float(has and kind == "date"),
            "type_cause": float(has and kind == "cause"),
            "type_list": float(kind == "list" and (len(units) > 1 and any(u.unit.kind == "item" for u in units))),
            "type_other": float(has and kind not in ("number", "date", "cause", "list")),
            "type_focus": max((u.focus for u in typed), default=0.0),
            "type_cover": max((u.lexical for u in typed), default=0.0),
            "unit_bound": max(u.bound for u in units),
            "type_pred": max((u.predicate for u in typed), default=0.0),
            "type_dense": max((u.relevance for u in typed), default=0.0),
            "anchor_missing": self._anchors_missing(window, ctx),
            "anchor_in": (
                sum(any(anchor_found(a, u.folded) for u in units) for a in ctx.anchors) / len(ctx.anchors)
                if ctx.anchors
                else 1.0
            ),
            "anchor_near": (
                sum(any(anchor_found(a, u.folded) for u in near) or anchor_found(a, fold(heading)) for a in ctx.anchors)
                / len(ctx.anchors)
                if ctx.anchors
                else 1.0
            ),
            "dense_gap": min(3.0, 10 * (ctx.best_dense - max(u.dense for u in units))),
            "lex_gap": ctx.best_lexical - max(u.lexical for u in units),
            "top_unit": float(ctx.best_unit is not None and any(u is ctx.best_unit for u in units)),
            "restate_first": restate,
            "novel": len(novel_terms) / len(terms) if terms else 0.0,
            "prev_question": prev_question,
            "starts_question": float(units[0].text.rstrip().endswith("?")),
            "meta": float(any(u.meta for u in units)),
            "prior": prior / ctx.max_prior,
            "prior_rank": 1.0 / (1.0 + rank) if rank is not None else 0.0,
            "window_dense": 10 * (window_dense - 0.8),
            "chunk_dense": 10 * (chunk_dense - 0.8),
            "chunk_gap": min(3.0, 10 * (ctx.best_chunk_dense - chunk_dense)),
            "units": min(1.0, len(units) / MAX_WINDOW_UNITS),
            "chars": min(1.0, len(text) / 800),
            "list_window": float(bool(items)),
            "list_count": float(bool(items) and intent.count is not None and len(items) == intent.count),
            "lead_cover": sum(w for t, w in ctx.weights.items() if t in lead_terms) / total if items else 0.0,
            "list_items": min(1.0, len(items) / 5),
            "table_window": float(any(u.unit.kind in ("row", "header") for u in units)),
        }
        f["type_ok"] = float(has) if intent.kind in ("number", "date", "cause", "list") else 1.0
        if intent.kind == "list":
            f["type_ok"] = f["type_list"] or float(has)
        window.features = f
        window.score = self.model.rank(f)
        window.answers = self.model.answerability(f)

    def _anchors_missing(self, window: Window, ctx: _Context) -> float:
        """Share of the question's anchors the window's context lacks: its years and figures missing
        from the window's section, the figures with which it refers to a document or a part of it missing
        from the whole document."""
        if not ctx.anchors and not ctx.intent.references:
            return 0.0
        section = ctx.section_text(window.doc, window.units[0].unit.section)
        missing = sum(not anchor_found(a, section) for a in ctx.anchors)
        if ctx.intent.references:
            document = self._doc_folded(window.doc)
            missing += sum(not anchor_found(a, document) for a in ctx.intent.references)
        return missing / (len(ctx.anchors) + len(ctx.intent.references))


@dataclass
class _Context:
    """What every window of one question is compared with."""

    intent: Intent
    weights: dict[str, float]
    focus: dict[str, float]
    question: frozenset[str]
    max_prior: float
    anchors: list[str]
    best_dense: float
    best_lexical: float
    best_unit: ScoredUnit | None
    predicate: frozenset[str]  # what the question says about its names: the terms an answer must share
    candidate_ranks: dict[str, tuple[int, float]]  # chunk id → (rank, score) of the retrieved chunks
    vector: np.ndarray
    sections: dict[tuple[str, int], str] = field(default_factory=dict)  # folded section texts
    headings: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)  # terms of section headings
    doc_ranks: dict[str, int] = field(default_factory=dict)  # document key → rank of its best candidate
    chunk_dense: dict[str, float] = field(default_factory=dict)  # chunk id → similarity of its sentences' mean
    best_chunk_dense: float = 0.0

    def heading_terms(self, doc: DocumentText, section: int, analyzer: Analyzer) -> frozenset[str]:
        key = (_key(doc), section)
        found = self.headings.get(key)
        if found is None:
            heading = doc.block_text(doc.blocks[section]) if section >= 0 else ""
            found = self.headings[key] = frozenset(analyzer.terms(heading)) if heading else frozenset()
        return found

    def section_text(self, doc: DocumentText, section: int) -> str:
        key = (_key(doc), section)
        found = self.sections.get(key)
        if found is None:
            start, end = doc.section_span(section)
            found = self.sections[key] = fold(doc.text[start:end])
        return found


def _first_word(text: str) -> str:
    found = words(text[:40])
    return found[0].lower() if found else ""


def _key(doc: DocumentText) -> str:
    return doc.doc.key if doc.doc is not None else ""


def _same_section(a: ScoredUnit, b: ScoredUnit) -> bool:
    return a.unit.section == b.unit.section


def _regions(doc: DocumentText, spans: list[tuple[int, int, Candidate]]) -> list[tuple[int, int, Candidate]]:
    """The parts of a document to read: the spans around its candidates, merged when they nearly touch,
    and widened so that no list or table is cut (a list keeps its lead sentence, a table its header),
    by at most :data:`GROUP_REACH` characters on either side."""
    merged: list[tuple[int, int, Candidate]] = []
    for start, end, cand in sorted(spans, key=lambda s: s[0]):
        if merged and start <= merged[-1][1] + PAD:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), max(last[2], cand, key=lambda c: c.score))
        else:
            merged.append((start, end, cand))
    out = []
    for start, end, cand in merged:
        indices = doc.units_between(max(0, start), end)
        if not indices:
            continue
        first, last = doc.units[indices[0]], doc.units[indices[-1]]
        start, end = first.start, last.end
        head, tail = doc.blocks[first.block], doc.blocks[last.block]
        if head.group >= 0:
            group = doc.members(head.group)
            lead = doc.blocks[group[0].lead] if group and group[0].lead >= 0 else None
            start = max(start - GROUP_REACH, min((lead or group[0]).start, start))
        if tail.group >= 0:
            end = min(end + GROUP_REACH, max(doc.members(tail.group)[-1].end, end))
        out.append((start, end, cand))
    return out


def _unit_vectors(
    doc: DocumentText, stored: dict[str, list[tuple[int, int, np.ndarray]]]
) -> dict[tuple[int, int], np.ndarray]:
    """The stored vector of each unit read (by its span in the document), from its chunks' records."""
    vectors: dict[tuple[int, int], np.ndarray] = {}
    for chunk in doc.chunks:
        for start, end, vec in stored.get(chunk.id, ()):
            vectors.setdefault((chunk.start + start, chunk.start + end), vec)
    return vectors
