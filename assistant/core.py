"""The Assistant: question in, cited answer (or honest refusal) out.

Top of the assistant stage (store → retrieval → answer), used by the CLI, the app and the evals.
Built once from settings: the embedding model, the store and the lexical index are loaded once; the
index is reloaded only when the store version changes (e.g. after an upload), so answers always match
the documents in the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.compose import compose, related_passages, select
from assistant.question import missing_names, prepare
from assistant.retrieval import Candidate, HybridSearch
from beleidsbron.domain import REFUSAL, Answer, Filters
from beleidsbron.settings import Settings, get_settings
from ingest.embeddings import load_embeddings
from ingest.lexical_index import LexicalIndex, refresh_index
from ingest.store import Store, StoreIdentity, StoreMissingError


class Assistant:
    """Answers questions from one store. Thread-safe; cheap to call, expensive to build."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.model = load_embeddings(self.settings)
        identity = StoreIdentity.from_settings(self.settings, self.model.dimension)
        self.store = Store.open(self.settings)
        self.store.check_identity(identity, check_chunking=False)
        if self.store.chunk_count() == 0:
            raise StoreMissingError(f"The store at {self.store.location} is empty. Run `python -m ingest` first.")
        self._lock = threading.Lock()
        self._index: LexicalIndex = refresh_index(self.store, self.settings)
        self._search = HybridSearch(self.store, self._index, self.model, self.settings)

    @property
    def index(self) -> LexicalIndex:
        return self._index

    @property
    def search(self) -> HybridSearch:
        """The retrieval engine of the current store version (the evals call its stages directly)."""
        return self._search

    def refresh(self) -> bool:
        """Pick up a new store version (documents added, replaced or removed). True when it changed."""
        version = self.store.version()
        if version == self._index.version:
            return False
        with self._lock:
            if version != self._index.version:
                self._index = refresh_index(self.store, self.settings)
                self._search = HybridSearch(self.store, self._index, self.model, self.settings)
        return True

    def retrieve(self, query: str, filters: Filters | None = None) -> list[Candidate]:
        """Ranked candidate passages for a raw query (no follow-up handling); used by the evals."""
        self.refresh()
        return self._search.search(query, filters or Filters())

    def ask_stream(
        self, question: str, history: Sequence[Any] | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces of the answer as they become available, then the complete :class:`Answer`."""
        answer = self.ask(question, history=history, filters=filters)
        yield from _stream_parts(answer)
        yield answer

    def ask(self, question: str, history: Sequence[Any] | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        self.refresh()
        search = self._search
        prepared = prepare(question, history, search.index.analyzer, self.settings.max_question_chars)
        if prepared.problem:
            return Answer(
                question=prepared.text,
                text=prepared.problem,
                refused=True,
                notice=prepared.notice,
                timings={"retrieve": 0.0, "answer": 0.0, "total": _ms(started)},
            )
        candidates = search.search(prepared.query, filters or Filters())
        retrieved = time.perf_counter()
        unknown = missing_names(prepared.text, search.index.analyzer, search.index.term_ids.__contains__)
        picks = (
            []
            if unknown
            else select(
                candidates,
                search.index.analyzer,
                self.settings.answer_max_sentences,
                self.settings.answer_min_sentences,
            )
        )
        best = picks[0].sentence.score if picks else 0.0
        if best < self.settings.refusal_threshold:
            answer = Answer(
                question=prepared.text,
                text=REFUSAL,
                refused=True,
                related=related_passages(candidates),
                notice=prepared.notice,
            )
        else:
            text, citations, sentences = compose(picks)
            answer = Answer(
                question=prepared.text,
                text=text,
                refused=False,
                citations=citations,
                sentences=sentences,
                notice=prepared.notice,
            )
        answer.retrieval_query = prepared.query
        answer.confidence = best
        done = time.perf_counter()
        answer.timings = {
            "retrieve": (retrieved - started) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        return answer


def _stream_parts(answer: Answer) -> Iterator[str]:
    """The answer text in the pieces a user sees appear: sentence by sentence (extractive mode)."""
    if not answer.sentences:
        yield answer.text
        return
    for i, sentence in enumerate(answer.sentences):
        markers = "".join(f" [{n}]" for n in sentence.citations)
        yield ("" if i == 0 else " ") + sentence.text + markers


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
