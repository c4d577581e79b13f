"""Hybrid retrieval: three rankings fused with weighted reciprocal rank fusion, then every candidate
re-scored by its best sentences (dense + lexical) and diversified across documents.

First step of the assistant (store → *retrieval* → answer). The rankings:

- chunk vectors (Chroma): the passage as a whole is about the question;
- sentence vectors (Chroma's sentence collection): one sentence of the passage says what the
  question asks, even when the rest of the passage is about something else — each chunk ranked by
  its best sentence;
- BM25 over the Dutch analysis (compounds split, and joined where the question writes them apart),
  optionally expanded by pseudo-relevance feedback (RM3): the terms of the first fused passages,
  which brings in the names a paraphrasing question describes instead of naming.

Sentence vectors come from the store, so re-scoring embeds nothing; the only model call per question
is the query embedding (and the optional cross-encoder). The weights and depths are settings, fitted
on the training set by ``python -m evals.fit_retrieval``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beleidsbron.domain import Chunk, Filters
from beleidsbron.embeddings import EmbeddingModel
from beleidsbron.lexical_index import LexicalIndex, QueryTerms
from beleidsbron.settings import ReaderSettings, RetrievalSettings
from beleidsbron.store import Store

SECOND_SENTENCE = 0.1  # share of a candidate's second-best sentence in its score
# the content terms of stored sentences, by (index version, chunk id, span): analysed once per process
_SENTENCE_TERMS: dict[tuple[str, str, int, int], frozenset[str]] = {}
_SENTENCE_TERMS_MAX = 500_000


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
    sentence: float = 0.0  # cosine similarity of its best sentence, when the sentence search found it
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
    """Runs one question against the store and its lexical index, with the retrieval settings; the
    reader's sentence score (``dense_floor``, ``dense_ceiling``, ``dense_weight``) re-scores the candidates."""

    def __init__(
        self,
        store: Store,
        index: LexicalIndex,
        model: EmbeddingModel,
        settings: RetrievalSettings,
        reader: ReaderSettings,
    ) -> None:
        self.store = store
        self.index = index
        self.model = model
        self.settings = settings
        self.reader = reader
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

    def dense_sentences(self, vector: np.ndarray, filters: Filters) -> list[tuple[str, float]]:
        """Chunks ranked by their best sentence among the nearest sentence vectors."""
        n = min(self.settings.sentence_candidates, len(self.index.chunks))  # every chunk has a sentence
        if n <= 0:
            return []
        where = {"source": {"$in": list(filters.sources)}} if filters.sources else None
        got = self.store.sentences.query(
            query_embeddings=[vector], n_results=n, where=where, include=["metadatas", "distances"]
        )
        best: dict[str, float] = {}
        for meta, distance in zip(got["metadatas"][0], got["distances"][0], strict=True):
            cid = str(meta["chunk_id"])
            row = self.index.row_of.get(cid)
            if row is None or cid in best or not filters.matches(self.index.chunks[row].doc):
                continue  # nearest first: the first sentence of a chunk is its best
            best[cid] = 1.0 - float(distance)
        return list(best.items())

    def lexical(self, terms: list[str] | dict[str, float], filters: Filters) -> list[tuple[str, float]]:
        s = self.settings
        scores = self.index.in_context(self.index.scores(terms), s.lexical_neighbour, s.lexical_document)
        mask = self._mask(filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(self.settings.lexical_candidates, len(scores))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.index.chunks[i].id, float(scores[i])) for i in top if scores[i] > 0]

    def fuse(
        self,
        vector: np.ndarray,
        terms: list[str] | QueryTerms,
        filters: Filters,
        rankings: dict[str, list[tuple[str, float]]] | None = None,
    ) -> list[Candidate]:
        """The rankings (``dense``, ``sentence``, ``lexical``; each searched unless given) merged by
        weighted reciprocal rank fusion, best first."""
        s = self.settings
        weighted = terms.terms if isinstance(terms, QueryTerms) else terms
        rankings = dict(rankings or {})
        if "dense" not in rankings:
            rankings["dense"] = self.dense(vector, filters)
        if "sentence" not in rankings:
            rankings["sentence"] = self.dense_sentences(vector, filters)
        if "lexical" not in rankings:
            rankings["lexical"] = self.lexical(weighted, filters)
        weights = {"dense": s.fusion_dense, "sentence": s.fusion_sentence, "lexical": s.fusion_lexical}
        candidates: dict[str, Candidate] = {}
        for name, hits in rankings.items():
            for rank, (cid, value) in enumerate(hits):
                cand = candidates.get(cid)
                if cand is None:
                    cand = candidates[cid] = Candidate(self.index.chunks[self.index.row_of[cid]])
                cand.rrf += weights[name] / (s.rrf_k + rank + 1)
                if name == "dense":
                    cand.dense = value
                elif name == "sentence":
                    cand.sentence = value
                else:
                    cand.bm25 = value
        if s.fusion_document > 0:  # documents ranked by their best passage: a fourth, coarser ranking
            best: dict[str, float] = {}
            for cand in candidates.values():
                key = cand.chunk.doc.key
                best[key] = max(best.get(key, 0.0), cand.rrf)
            rank_of = {key: r for r, key in enumerate(sorted(best, key=lambda k: -best[k]))}
            for cand in candidates.values():
                cand.rrf += s.fusion_document / (s.rrf_k + rank_of[cand.chunk.doc.key] + 1)
        return sorted(candidates.values(), key=lambda c: -c.rrf)

    def feedback(self, fused: list[Candidate], query: QueryTerms) -> dict[str, float] | None:
        """RM3: the question's terms mixed with the terms of the first fused passages, or None when
        feedback is off. The added terms share ``feedback_weight`` of the query's weight."""
        s = self.settings
        top = fused[: s.feedback_passages]
        if not top or s.feedback_terms <= 0 or s.feedback_weight <= 0:
            return None
        total_rrf = sum(c.rrf for c in top) or 1.0
        added = self.index.feedback_terms(
            [self.index.row_of[c.chunk.id] for c in top],
            [c.rrf / total_rrf for c in top],
            set(query.terms),
            s.feedback_terms,
        )
        if not added:
            return None
        own = sum(query.terms.values()) or 1.0
        mixed = {t: (1 - s.feedback_weight) * w / own for t, w in query.terms.items()}
        for term, weight in added.items():
            mixed[term] = mixed.get(term, 0.0) + s.feedback_weight * weight
        return mixed

    def search(self, query: str, filters: Filters | None = None, vector: np.ndarray | None = None) -> list[Candidate]:
        """Fused candidates re-scored by their sentences (and the cross-encoder), best first.
        ``vector`` is the query's embedding when the caller already has it."""
        vector = self.model.embed_query_array(query) if vector is None else vector
        filters = filters or Filters()
        terms = self.index.query_terms(query, self.settings.compound_weight)
        rankings = {"dense": self.dense(vector, filters), "sentence": self.dense_sentences(vector, filters)}
        fused = self.fuse(vector, terms, filters, rankings)
        expanded = self.feedback(fused, terms)
        if expanded is not None:
            rankings["lexical"] = self.lexical(expanded, filters)
            fused = self.fuse(vector, terms, filters, rankings)
        fused = fused[: self.settings.rescore_candidates]
        self.rescore(fused, vector, terms)
        if self._reranker is not None and fused:
            logits = np.asarray(self._reranker.predict([(query, c.chunk.text) for c in fused]), dtype=float)
            for cand, logit in zip(fused, logits, strict=True):
                cand.score = 0.5 * cand.score + 0.5 / (1.0 + np.exp(-logit))
        return sorted(fused, key=lambda c: -c.score)

    def rescore(self, candidates: list[Candidate], vector: np.ndarray, terms: list[str] | QueryTerms) -> None:
        """Score each candidate's sentences (dense + lexical) and the candidate by its best ones."""
        stored = self.store.sentence_vectors([c.chunk.id for c in candidates])
        term_weights = terms.terms if isinstance(terms, QueryTerms) else dict.fromkeys(terms, 1.0)
        weights = {t: w * self.index.idf_of(t) for t, w in term_weights.items()}
        query_terms = set(weights)
        total = sum(weights.values()) or 1.0
        r = self.reader
        span = max(1e-6, r.dense_ceiling - r.dense_floor)
        max_rrf = max((c.rrf for c in candidates), default=1.0) or 1.0
        prior = self.settings.fusion_prior
        analyzer, version = self.index.analyzer, self.index.version
        for cand in candidates:
            scored = []
            cand.vectors = stored.get(cand.chunk.id, [])
            if not cand.vectors:
                cand.sentences, cand.score = [], prior * cand.rrf / max_rrf
                continue
            dense_all = np.stack([vec for _, _, vec in cand.vectors]) @ vector
            for (start, end, _), dense in zip(cand.vectors, dense_all.tolist(), strict=True):
                key = (version, cand.chunk.id, start, end)
                found = _SENTENCE_TERMS.get(key)
                if found is None:
                    if len(_SENTENCE_TERMS) > _SENTENCE_TERMS_MAX:
                        _SENTENCE_TERMS.clear()
                    found = _SENTENCE_TERMS[key] = frozenset(analyzer.content_terms(cand.chunk.text[start:end]))
                text = cand.chunk.text[start:end]
                lexical = sum(weights[t] for t in query_terms & found) / total
                relevance = min(1.0, max(0.0, (dense - r.dense_floor) / span))
                score = r.dense_weight * relevance + (1 - r.dense_weight) * lexical
                scored.append(ScoredSentence(start, end, text, dense, lexical, float(score)))
            cand.sentences = scored
            top = cand.best(2)
            best = top[0].score if top else 0.0
            second = top[1].score if len(top) > 1 else 0.0
            cand.score = (1 - prior - SECOND_SENTENCE) * best + SECOND_SENTENCE * second + prior * cand.rrf / max_rrf


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
