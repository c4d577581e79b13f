"""Hybrid retrieval: dense (Chroma) + BM25 (Dutch analysis), fused with reciprocal rank fusion, then
every candidate re-scored by its best sentences (dense + lexical) and diversified across documents.

First step of the assistant (store → *retrieval* → answer). Sentence vectors come from the store, so
re-scoring embeds nothing; the only model call per question is the query embedding (and the optional
cross-encoder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beleidsbron.domain import Chunk, Filters
from beleidsbron.embeddings import EmbeddingModel
from beleidsbron.lexical_index import LexicalIndex
from beleidsbron.settings import Settings
from beleidsbron.store import Store

RRF_PRIOR = 0.5  # share of the fused rank in a candidate's score; the rest is its best sentences


@dataclass
class ScoredSentence:
    start: int  # offsets in the chunk text
    end: int
    text: str
    dense: float
    lexical: float
    score: float


@dataclass
class Candidate:
    chunk: Chunk
    rrf: float = 0.0
    dense: float = 0.0  # cosine similarity of the chunk vector
    bm25: float = 0.0
    sentences: list[ScoredSentence] = field(default_factory=list)
    score: float = 0.0
    vectors: list[tuple[int, int, np.ndarray]] | None = None  # stored sentence vectors (spans in the chunk)

    def best(self, n: int = 1) -> list[ScoredSentence]:
        return sorted(self.sentences, key=lambda s: -s.score)[:n]


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    """The Chroma ``where`` clause for metadata filters."""
    conditions: list[dict[str, Any]] = []
    if filters.publishers:
        conditions.append({"publisher": {"$in": list(filters.publishers)}})
    if filters.sources:
        conditions.append({"source": {"$in": list(filters.sources)}})
    if filters.doc_types:
        conditions.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.year_from is not None:
        conditions.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        conditions.append({"year": {"$lte": filters.year_to}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


class HybridSearch:
    """Runs one question against the store and its lexical index."""

    def __init__(self, store: Store, index: LexicalIndex, model: EmbeddingModel, settings: Settings) -> None:
        self.store = store
        self.index = index
        self.model = model
        self.settings = settings
        self._reranker = None
        if settings.reranker_model:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(settings.reranker_model, device="cpu")

    def _mask(self, filters: Filters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        return np.fromiter((filters.matches(c.doc) for c in self.index.chunks), bool, len(self.index.chunks))

    def dense(self, vector: np.ndarray, filters: Filters) -> list[tuple[str, float]]:
        n = min(self.settings.dense_candidates, max(1, len(self.index.chunks)))
        got = self.store.chunks.query(
            query_embeddings=[vector], n_results=n, where=chroma_where(filters), include=["distances"]
        )
        return [
            (cid, 1.0 - float(d))
            for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)
            if cid in self.index.row_of  # only committed chunks of this store version
        ]

    def lexical(self, terms: list[str], filters: Filters) -> list[tuple[str, float]]:
        scores = self.index.scores(terms)
        mask = self._mask(filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(self.settings.lexical_candidates, len(scores))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.index.chunks[i].id, float(scores[i])) for i in top if scores[i] > 0]

    def fuse(self, vector: np.ndarray, terms: list[str], filters: Filters) -> list[Candidate]:
        """Dense and BM25 hits merged by reciprocal rank fusion, best first."""
        candidates: dict[str, Candidate] = {}
        k = self.settings.rrf_k
        for rank, (cid, sim) in enumerate(self.dense(vector, filters)):
            cand = candidates.setdefault(cid, Candidate(self.index.chunks[self.index.row_of[cid]]))
            cand.dense, cand.rrf = sim, cand.rrf + 1.0 / (k + rank + 1)
        for rank, (cid, bm25) in enumerate(self.lexical(terms, filters)):
            cand = candidates.setdefault(cid, Candidate(self.index.chunks[self.index.row_of[cid]]))
            cand.bm25, cand.rrf = bm25, cand.rrf + 1.0 / (k + rank + 1)
        return sorted(candidates.values(), key=lambda c: -c.rrf)

    def search(self, query: str, filters: Filters | None = None, vector: np.ndarray | None = None) -> list[Candidate]:
        """Fused candidates re-scored by their sentences (and the cross-encoder), best first.
        ``vector`` is the query's embedding when the caller already has it."""
        vector = self.model.embed_query_array(query) if vector is None else vector
        terms = self.index.analyzer.terms(query)
        fused = self.fuse(vector, terms, filters or Filters())[: self.settings.rescore_candidates]
        self.rescore(fused, vector, terms)
        if self._reranker is not None and fused:
            logits = np.asarray(self._reranker.predict([(query, c.chunk.text) for c in fused]), dtype=float)
            for cand, logit in zip(fused, logits, strict=True):
                cand.score = 0.5 * cand.score + 0.5 / (1.0 + np.exp(-logit))
        return sorted(fused, key=lambda c: -c.score)

    def rescore(self, candidates: list[Candidate], vector: np.ndarray, terms: list[str]) -> None:
        """Score each candidate's sentences (dense + lexical) and the candidate by its best ones."""
        stored = self.store.sentence_vectors([c.chunk.id for c in candidates])
        query_terms = set(terms)
        weights = {t: self.index.idf_of(t) for t in query_terms}
        total = sum(weights.values()) or 1.0
        s = self.settings
        span = max(1e-6, s.dense_ceiling - s.dense_floor)
        max_rrf = max((c.rrf for c in candidates), default=1.0) or 1.0
        for cand in candidates:
            scored = []
            cand.vectors = stored.get(cand.chunk.id, [])
            for start, end, vec in cand.vectors:
                text = cand.chunk.text[start:end]
                dense = float(vec @ vector)
                lexical = sum(weights[t] for t in query_terms & self.index.analyzer.content_terms(text)) / total
                relevance = np.clip((dense - s.dense_floor) / span, 0.0, 1.0)
                score = s.dense_weight * relevance + (1 - s.dense_weight) * lexical
                scored.append(ScoredSentence(start, end, text, dense, lexical, float(score)))
            cand.sentences = scored
            top = cand.best(2)
            best = top[0].score if top else 0.0
            second = top[1].score if len(top) > 1 else 0.0
            cand.score = (1 - RRF_PRIOR - 0.1) * best + 0.1 * second + RRF_PRIOR * cand.rrf / max_rrf


def diversify(candidates: list[Candidate], per_document: int) -> list[Candidate]:
    """Keep the order, but let each document place at most ``per_document`` passages before others get
    their turn; the rest follow in score order."""
    first, rest = [], []
    seen: dict[str, int] = {}
    for cand in candidates:
        source = cand.chunk.doc.source
        if seen.get(source, 0) < per_document:
            first.append(cand)
            seen[source] = seen.get(source, 0) + 1
        else:
            rest.append(cand)
    return first + rest
