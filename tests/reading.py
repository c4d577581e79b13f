"""The reader without the heavy parts: documents built from text, a fake embedder, no store.

For the unit tests of reader, compose and intent (milliseconds each). ``FakeEmbedder`` is a FAKE: a
hashed bag of Dutch stems, so "the same words" is all it knows of meaning — questions that paraphrase
belong in the integration tests with the real e5 model (tests/test_reader.py). Everything else here is
the product's own code: ingest's cleaning, structure and chunking on plain text, the lexical index,
the reader, the answer composer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from assistant.compose import Pick, compose, select
from assistant.intent import classify
from assistant.passages import Library
from assistant.reader import Reader, Window
from assistant.reader_model import default_model
from assistant.retrieval import Candidate
from beleidsbron.document import DocumentText
from beleidsbron.domain import AnswerSentence, Chunk, Citation, DocumentInfo
from beleidsbron.lexical_index import LexicalIndex
from beleidsbron.settings import ReaderSettings
from beleidsbron.text.dutch_analysis import Analyzer
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages
from ingest.structure import build_document

DIMENSION = 256
_ANALYZER = Analyzer()


SHARED = 0.75  # cosine similarity of two unrelated texts, as e5 puts it (its similarities lie in 0.7–1)


class FakeEmbedder:
    """FAKE embedding: normalised counts of the text's stems hashed into :data:`DIMENSION` buckets, plus
    one component every text shares, so that similarities fall in e5's range: ``SHARED`` for texts
    without a common stem, 1 for the same stems."""

    def embed(self, text: str) -> np.ndarray:
        vector = np.zeros(DIMENSION, np.float32)
        for term in _ANALYZER.terms(text):
            vector[int(hashlib.md5(term.encode()).hexdigest()[:8], 16) % DIMENSION] += 1.0
        norm = float(np.linalg.norm(vector))
        bag = vector / norm if norm else vector
        return np.concatenate([[np.sqrt(SHARED)], np.sqrt(1 - SHARED) * bag]).astype(np.float32)


def document(source: str, pages: list[str], title: str = "") -> tuple[DocumentText, list[Chunk]]:
    """A document from plain-text pages (an empty line between blocks, "• "/"1." items, "a | b" rows),
    through ingest's own cleaning, structure and chunking."""
    info = DocumentInfo(source, f"/{source}", hashlib.sha256(source.encode()).hexdigest(), title or source, "", 2024, 0)
    built = build_document(clean_pages(pages))
    return built, chunk_document(info, built, 600, 50)


@dataclass
class Answered:
    text: str
    refused: bool
    sentences: list[AnswerSentence]
    citations: list[Citation]
    windows: list[Window]
    picks: list[Pick]


@dataclass
class Bench:
    """Documents in memory, asked the way :class:`assistant.core.Assistant` asks: lexical retrieval
    (the real BM25 index), unit vectors from the fake embedder, the real reader and composer."""

    chunks: list[Chunk] = field(default_factory=list)

    def add(self, source: str, pages: list[str]) -> DocumentText:
        built, chunks = document(source, pages)
        self.chunks.extend(chunks)
        return built

    def ask(self, question: str, threshold: float | None = None) -> Answered:
        """The answer as the assistant gives it, at the shipped refusal threshold unless one is given."""
        embedder = FakeEmbedder()
        index = LexicalIndex.build(self.chunks, "test")
        vectors = {c.id: [(a, b, embedder.embed(c.text[a:b])) for a, b in c.spans()] for c in self.chunks}
        reader = Reader(
            Library(self.chunks),
            index.analyzer,
            index.idf_of,
            lambda ids: {i: vectors[i] for i in ids},
            ReaderSettings(),
            model=default_model(),
        )
        scores = index.scores(index.analyzer.terms(question))
        order = np.argsort(-scores)[:8]
        top = float(scores[order[0]]) or 1.0
        candidates = [
            Candidate(index.chunks[i], score=float(scores[i]) / top, vectors=vectors[index.chunks[i].id])
            for i in order
            if scores[i] > 0
        ]
        intent = classify(question)
        windows = reader.windows(question, intent, candidates, embedder.embed(question), 8)
        threshold = reader.model.refusal_threshold if threshold is None else threshold
        picks = select(windows, intent.kind, threshold, reader.model.second_margin)
        if not picks:
            return Answered("", True, [], [], windows, [])
        text, citations, sentences = compose(picks)
        return Answered(text, False, sentences, citations, windows, picks)
