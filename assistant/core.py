"""The Assistant: question in, cited answer (or honest refusal) out.

Top of the assistant stage (store → retrieval → answer), used by the CLI, the app and the evals.
Built once from settings: the embedding model, the store and the lexical index are loaded once; the
index is reloaded only when the store version changes (e.g. after an upload), so answers always match
the documents in the store. ``settings.answer_mode`` picks the answer step: extractive (quoted
sentences) or a chat model (openai/ollama) whose streamed answer is verified against the passages, with
the extractive answer as fallback whenever the model fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.compose import CITED_PASSAGES, Pick, compose, further_passages, related_passages, select
from assistant.generate import LLMFailure, build_chat_model, build_messages, stream_answer
from assistant.intent import classify
from assistant.passages import Library
from assistant.question import PreparedQuestion, missing_names, prepare
from assistant.reader import Reader, Window
from assistant.reader_model import ReaderModel, default_model
from assistant.retrieval import Candidate, HybridSearch, diversify
from assistant.verify import Verifier
from beleidsbron.domain import REFUSAL, Answer, Chunk, DocumentInfo, Filters
from beleidsbron.embeddings import load_embeddings
from beleidsbron.lexical_index import LexicalIndex, refresh_index
from beleidsbron.settings import Settings, get_settings
from beleidsbron.store import Store, StoreIdentity, StoreMissingError

FALLBACK_NOTICE = "hieronder staat het extractieve antwoord (letterlijke zinnen uit de documenten)"


@dataclass
class Evidence:
    """A question after retrieval and evidence selection, before the answer step."""

    prepared: PreparedQuestion
    candidates: list[Candidate]
    windows: list[Window]  # every evidence window read, best first
    picks: list[Pick]  # the windows the answer quotes
    best: float  # probability that the best window answers the question
    started: float
    retrieved: float


class Assistant:
    """Answers questions from one store. Thread-safe; cheap to call, expensive to build.

    ``chat_model`` replaces the model built from settings in the LLM modes (tests pass fakes);
    ``reader_model`` the fitted reader of ``assistant/reader_weights.json`` (training passes an untrained one).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        chat_model: BaseChatModel | None = None,
        reader_model: ReaderModel | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.reader_model = reader_model or default_model()
        self.chat_model: BaseChatModel | None = chat_model
        if self.chat_model is None and self.settings.answer_mode != "extractive":
            self.chat_model = build_chat_model(self.settings)
        self.model = load_embeddings(self.settings)
        identity = StoreIdentity.from_settings(self.settings, self.model.dimension)
        self.store = Store.open(self.settings)
        self.store.check_identity(identity, check_chunking=False)
        if self.store.chunk_count() == 0:
            raise StoreMissingError(f"The store at {self.store.location} is empty. Run `python -m ingest` first.")
        self._lock = threading.Lock()
        self._index: LexicalIndex = refresh_index(self.store, self.settings)
        self._search = self._make_search(self._index)
        self._reader = self._make_reader(self._search)
        threshold = self.settings.reader.refusal_threshold
        self.refusal_threshold = threshold if threshold is not None else self._reader.model.refusal_threshold
        self.fingerprint = self.settings.fingerprint()  # recorded on every answer

    @property
    def index(self) -> LexicalIndex:
        return self._index

    @property
    def search(self) -> HybridSearch:
        """The retrieval engine of the current store version (the evals call its stages directly)."""
        return self._search

    # --- the library, for the app ---------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """Every committed document of the store."""
        return self.store.list_documents()

    def document(self, source: str) -> DocumentInfo | None:
        """The committed document with this file name, if any."""
        return self.store.document(source)

    def passages(self, source: str) -> list[Chunk]:
        """The passages (chunks) of one document, in document order, as the current index has them."""
        self.refresh()
        return sorted((c for c in self._index.chunks if c.doc.source == source), key=lambda c: c.index)

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """Per passage id: its sentences' spans and stored vectors."""
        return self.store.sentence_vectors(chunk_ids)

    def refresh(self) -> bool:
        """Pick up a new store version (documents added, replaced or removed). True when it changed."""
        version = self.store.version()
        if version == self._index.version:
            return False
        with self._lock:
            if version != self._index.version:
                self._index = refresh_index(self.store, self.settings)
                self._search = self._make_search(self._index)
                self._reader = self._make_reader(self._search)
        return True

    def _make_search(self, index: LexicalIndex) -> HybridSearch:
        return HybridSearch(self.store, index, self.model, self.settings.retrieval, self.settings.reader)

    def _make_reader(self, search: HybridSearch) -> Reader:
        return Reader(
            Library(search.index.chunks),
            search.index.analyzer,
            search.index.idf_of,
            self.store.sentence_vectors,
            self.settings.reader,
            self.reader_model,
        )

    @property
    def reader(self) -> Reader:
        """The evidence reader of the current store version (the evals call it directly)."""
        return self._reader

    def retrieve(self, query: str, filters: Filters | None = None) -> list[Candidate]:
        """Ranked candidate passages for a raw query (no follow-up handling); used by the evals."""
        self.refresh()
        return self._search.search(query, filters or Filters())

    def ask_stream(
        self, question: str, history: Sequence[Any] | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of the answer as they become available, then the complete :class:`Answer`.

        In the LLM modes the pieces are the model's tokens as they arrive; the final Answer is the
        verified one (invalid markers removed) or, when the model failed, the extractive fallback. The
        final Answer is authoritative: show it in place of the streamed text. It records the
        fingerprint of the settings that produced it.
        """
        for item in self._stream(question, history, filters):
            if isinstance(item, Answer):
                item.fingerprint = self.fingerprint
            yield item

    def _stream(self, question: str, history: Sequence[Any] | None, filters: Filters | None) -> Iterator[str | Answer]:
        state = self._retrieve(question, history, filters)
        if isinstance(state, Answer):
            yield from _stream_parts(state)
            yield state
            return
        if self.settings.answer_mode == "extractive" or self.chat_model is None or self._refuses(state):
            answer = self._extractive(state)
            yield from _stream_parts(answer)
            yield answer
            return
        answer = yield from self._generate(state)
        yield answer

    def ask(self, question: str, history: Sequence[Any] | None = None, filters: Filters | None = None) -> Answer:
        answer: Answer | None = None
        for item in self.ask_stream(question, history=history, filters=filters):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    # --- the answer steps -----------------------------------------------------------------------

    def evidence(
        self, question: str, history: Sequence[Any] | None = None, filters: Filters | None = None
    ) -> Answer | Evidence:
        """Question preparation, retrieval and evidence windows; an Answer when nothing can be searched."""
        return self._retrieve(question, history, filters)

    def _retrieve(self, question: str, history: Sequence[Any] | None, filters: Filters | None) -> Answer | Evidence:
        """Question preparation, retrieval and evidence selection; an Answer when nothing can be searched."""
        started = time.perf_counter()
        self.refresh()
        search, reader = self._search, self._reader
        prepared = prepare(question, history, search.index.analyzer, self.settings.retrieval.max_question_chars)
        if prepared.problem:
            return Answer(
                question=prepared.text,
                text=prepared.problem,
                refused=True,
                notice=prepared.notice,
                timings={"retrieve": 0.0, "answer": 0.0, "total": _ms(started)},
            )
        vector = self.model.embed_query_array(prepared.query)
        candidates = search.search(prepared.query, filters or Filters(), vector=vector)
        retrieved = time.perf_counter()
        unknown = missing_names(prepared.text, search.index.analyzer, search.index.term_ids.__contains__)
        intent = classify(prepared.text)
        passages = self.settings.reader.reader_passages
        windows = [] if unknown else reader.windows(prepared.query, intent, candidates, vector, passages)
        picks = select(windows, intent.kind, self.refusal_threshold, reader.model.second_margin)
        best = picks[0].window.answers if picks else 0.0
        return Evidence(prepared, candidates, windows, picks, best, started, retrieved)

    def _extractive(self, state: Evidence, mode: str = "extractive", notice: str = "") -> Answer:
        """The extractive answer (quoted, cited sentences) or the refusal with related passages."""
        prepared = state.prepared
        notices = " ".join(n for n in (prepared.notice, notice) if n)
        if self._refuses(state):
            answer = Answer(
                question=prepared.text,
                text=REFUSAL,
                refused=True,
                related=related_passages(state.candidates, self.settings.retrieval.passages_per_document),
                notice=notices,
                mode=mode,
            )
        else:
            text, citations, sentences = compose(state.picks)
            citations += further_passages(state.windows, state.picks, len(citations) + 1, CITED_PASSAGES)
            answer = Answer(
                question=prepared.text,
                text=text,
                refused=False,
                citations=citations,
                sentences=sentences,
                notice=notices,
                mode=mode,
            )
        return self._finish(answer, state)

    def _finish(self, answer: Answer, state: Evidence, extra: dict[str, float] | None = None) -> Answer:
        answer.retrieval_query = state.prepared.query
        answer.confidence = state.best
        done = time.perf_counter()
        answer.timings = {
            "retrieve": (state.retrieved - state.started) * 1000,
            "answer": (done - state.retrieved) * 1000,
            "total": (done - state.started) * 1000,
            **(extra or {}),
        }
        return answer

    def _refuses(self, state: Evidence) -> bool:
        """Nothing answers the question: refuse without asking any model."""
        return not state.picks

    def passages_for(self, state: Evidence) -> list[Chunk]:
        """The passages the chat model sees: those of the selected evidence first, then the best others."""
        chunks: dict[str, Chunk] = {}
        for pick in state.picks:
            chunks.setdefault(pick.chunk.id, pick.chunk)
        for cand in diversify(state.candidates, self.settings.retrieval.passages_per_document):
            chunks.setdefault(cand.chunk.id, cand.chunk)
        return list(chunks.values())[: self.settings.llm_passages]

    def _generate(self, state: Evidence) -> Generator[str, None, Answer]:
        """Stream the chat model's answer, verify it, or fall back to the extractive answer."""
        assert self.chat_model is not None
        s = self.settings
        passages = self.passages_for(state)
        messages = build_messages(state.prepared.text, passages, s.answer_max_sentences)
        began = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        try:
            for piece in stream_answer(self.chat_model, messages, s.llm_timeout_s):
                first = first if first is not None else time.perf_counter()
                pieces.append(piece)
                yield piece
            raw = "".join(pieces)
            if not raw.strip():
                raise LLMFailure("empty", "Het taalmodel gaf een leeg antwoord")
        except LLMFailure as failure:
            return self._extractive(state, "extractive-fallback", f"{failure.reason}; {FALLBACK_NOTICE}.")
        generated = time.perf_counter()
        search = self._search
        verifier = Verifier(search.store, search.index, search.model, s.support_threshold)
        checked = verifier.verify(raw, passages)
        timings = {
            "first_token": ((first or generated) - began) * 1000,
            "generate": (generated - began) * 1000,
            "verify": (time.perf_counter() - generated) * 1000,
        }
        if not checked.refused and not checked.cited:
            reason = "Het antwoord van het taalmodel bevatte geen zin met een geldige bronvermelding"
            answer = self._extractive(state, "extractive-fallback", f"{reason}; {FALLBACK_NOTICE}.")
            answer.removed_markers = checked.removed_markers
            return self._finish(answer, state, timings)
        notes = [state.prepared.notice] if state.prepared.notice else []
        if checked.removed_markers:
            listed = ", ".join(f"[{n}]" for n in checked.removed_markers)
            notes.append(f"Verwijzingen naar niet-bestaande passages zijn verwijderd: {listed}.")
        if checked.unsupported and not checked.refused:
            verb = "wordt" if checked.unsupported == 1 else "worden"
            notes.append(
                f"Let op: {checked.unsupported} van de {len(checked.sentences)} zinnen {verb} niet voldoende "
                "door de genoemde bronnen ondersteund (⚠️); controleer ze in de passages."
            )
        answer = Answer(
            question=state.prepared.text,
            text=checked.text,
            refused=checked.refused,
            citations=checked.citations,
            sentences=checked.sentences,
            related=related_passages(state.candidates, s.retrieval.passages_per_document) if checked.refused else [],
            notice=" ".join(notes),
            mode=s.answer_mode,
            removed_markers=checked.removed_markers,
        )
        return self._finish(answer, state, timings)


def _stream_parts(answer: Answer) -> Iterator[str]:
    """The answer text in the pieces a user sees appear: sentence by sentence (extractive mode)."""
    if not answer.sentences:
        yield answer.text
        return
    for i, sentence in enumerate(answer.sentences):
        markers = "".join(f" [{n}]" for n in sentence.citations)
        yield ("" if i == 0 else " ") + sentence.display + markers


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
