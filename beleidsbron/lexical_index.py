"""The BM25 index over the store's chunks, persisted next to the store and tied to its version.

Store stage. Built once per store version (ingest refreshes it after every change; the assistant
rebuilds it if it finds none for the current version), never per query. It also holds the committed
chunks themselves, so the assistant resolves dense hits and scores sentences without a round trip.

BM25 weights are precomputed into a sparse term matrix, so a query costs one column slice and a sum,
also at 100,000 chunks. (LangChain's ``BM25Retriever`` rescoring every document in Python per query
term, without returning scores, does not fit a persisted index of that size.)

The index also knows what the corpus teaches about its own words, learned when it is built: the
abbreviations the documents define ("Nationaal Programma Leefbaarheid en Veiligheid (NPLV)"), so a
question naming either form also searches the other (:meth:`LexicalIndex.query_terms`), and the
term distribution of every chunk for pseudo-relevance feedback (:meth:`LexicalIndex.feedback_terms`).
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse

from beleidsbron.domain import Chunk
from beleidsbron.settings import Settings
from beleidsbron.store import Store
from beleidsbron.text.dutch_analysis import Analyzer, find_abbreviations, fold, load_lexicon, words

log = logging.getLogger(__name__)
FORMAT = 4  # bump when the pickled layout or the analysis changes
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class QueryTerms:
    """A question's BM25 terms with their weights: its own words (1.0) and the compounds it writes
    apart (``expansion_weight``)."""

    terms: dict[str, float]
    own: tuple[str, ...]  # the question's own terms, in order


@dataclass
class LexicalIndex:
    version: str
    analyzer: Analyzer
    term_ids: dict[str, int]
    idf: np.ndarray
    weights: sparse.csc_matrix  # chunks × terms, BM25 weight of each term in each chunk
    chunks: list[Chunk]
    row_of: dict[str, int]
    by_chunk: sparse.csr_matrix | None = None  # the same weights by row: a chunk's terms (feedback)

    @classmethod
    def build(cls, chunks: list[Chunk], version: str, lexicon: frozenset[str] = frozenset()) -> LexicalIndex:
        analyzer = Analyzer(Analyzer.build_vocabulary(c.text for c in chunks), lexicon)
        term_ids: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(chunks), np.float32)
        corpus_words: set[str] = set()
        for row, chunk in enumerate(chunks):
            text = f"{chunk.heading}\n{chunk.text}"
            if lexicon:
                corpus_words.update(words(text))
            terms = analyzer.terms(text)
            lengths[row] = len(terms)
            counts: dict[int, int] = {}
            for term in terms:
                tid = term_ids.setdefault(term, len(term_ids))
                counts[tid] = counts.get(tid, 0) + 1
            rows.extend([row] * len(counts))
            cols.extend(counts.keys())
            tfs.extend(counts.values())
        n_docs, n_terms = len(chunks), len(term_ids)
        tf = sparse.csr_matrix((np.asarray(tfs, np.float32), (rows, cols)), shape=(n_docs, n_terms))
        df = np.bincount(np.asarray(cols, np.int64), minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n_docs else 1.0
        norm = K1 * (1 - B + B * lengths / (avg or 1.0))
        data = tf.data.copy()
        row_of_entry = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
        data = data * (K1 + 1) / (data + norm[row_of_entry]) * idf[tf.indices]
        by_chunk = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
        analyzer.keep_lexicon_splits(corpus_words)
        analyzer.abbreviations = learn_abbreviations(chunks)
        return cls(
            version,
            analyzer,
            term_ids,
            idf,
            by_chunk.tocsc(),
            chunks,
            {c.id: i for i, c in enumerate(chunks)},
            by_chunk,
        )

    def query_ids(self, terms: list[str]) -> np.ndarray:
        return np.asarray(sorted({self.term_ids[t] for t in terms if t in self.term_ids}), np.int64)

    def scores(self, terms: list[str] | dict[str, float]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (each distinct term counted once), each term's
        column multiplied by its weight when ``terms`` maps terms to weights."""
        weighted = terms if isinstance(terms, dict) else dict.fromkeys(terms, 1.0)
        pairs = sorted({self.term_ids[t]: w for t, w in weighted.items() if t in self.term_ids and w > 0}.items())
        if not pairs:
            return np.zeros(len(self.chunks), np.float32)
        ids = np.asarray([i for i, _ in pairs], np.int64)
        return np.asarray(self.weights[:, ids] @ np.asarray([w for _, w in pairs], np.float32)).ravel()

    def in_context(self, scores: np.ndarray, neighbour: float, document: float) -> np.ndarray:
        """BM25 scores with a share of their context's: ``neighbour`` × the better of the previous and next
        chunk of the same document, ``document`` × the document's best chunk. A question that describes
        its subject ("the landlord with 7,300 homes") often names clues that stand beside the answer,
        not in it."""
        if (neighbour <= 0 and document <= 0) or not len(scores):
            return scores
        doc = self._doc_rows()
        out = scores.astype(np.float32, copy=True)
        if neighbour > 0 and len(scores) > 1:
            same = doc[1:] == doc[:-1]
            beside = np.zeros_like(out)
            beside[1:] = np.where(same, scores[:-1], 0.0)
            beside[:-1] = np.maximum(beside[:-1], np.where(same, scores[1:], 0.0))
            out += neighbour * beside
        if document > 0:
            best = np.zeros(int(doc.max()) + 1, np.float32)
            np.maximum.at(best, doc, scores.astype(np.float32))
            out += document * best[doc]
        return out

    def _doc_rows(self) -> np.ndarray:
        """Per row, a number for its document (rows of one document are consecutive, in text order)."""
        found = self.__dict__.get("_docs")
        if found is None:
            numbers: dict[str, int] = {}
            found = np.fromiter((numbers.setdefault(c.doc.key, len(numbers)) for c in self.chunks), np.int64)
            self.__dict__["_docs"] = found
        return found

    def query_terms(self, query: str, expansion_weight: float = 0.5) -> QueryTerms:
        """The question's terms, plus the compounds it writes apart ("aanpak van wijken" → wijkaanpak)
        with ``expansion_weight``."""
        own = self.analyzer.terms(query)
        weighted = dict.fromkeys(own, 1.0)
        for term in self.analyzer.joined_words(query, self.term_ids.__contains__):
            weighted.setdefault(term, expansion_weight)
        return QueryTerms(weighted, tuple(own))

    def feedback_terms(
        self, rows: list[int], doc_weights: list[float], exclude: set[str], n_terms: int
    ) -> dict[str, float]:
        """Relevance-model (RM3) expansion terms from feedback chunks: each chunk's term distribution
        (its BM25 term weights, normalised), weighted by the chunk's weight, summed; the ``n_terms``
        heaviest terms not in ``exclude``, not numbers, and not in most chunks, normalised to sum 1."""
        if not rows or self.by_chunk is None or n_terms <= 0:
            return {}
        total: dict[int, float] = {}
        for row, weight in zip(rows, doc_weights, strict=True):
            start, end = self.by_chunk.indptr[row], self.by_chunk.indptr[row + 1]
            ids, values = self.by_chunk.indices[start:end], self.by_chunk.data[start:end]
            norm = float(values.sum()) or 1.0
            for tid, value in zip(ids.tolist(), (values / norm).tolist(), strict=True):
                total[tid] = total.get(tid, 0.0) + weight * value
        names = self._term_names()
        floor = np.log1p((len(self.chunks) - 0.1 * len(self.chunks) + 0.5) / (0.1 * len(self.chunks) + 0.5))
        ranked = sorted(total.items(), key=lambda kv: -kv[1])
        chosen: dict[str, float] = {}
        for tid, value in ranked:
            term = names[tid]
            if term in exclude or term.isdigit() or len(term) < 3 or self.idf[tid] < floor:
                continue
            chosen[term] = value
            if len(chosen) >= n_terms:
                break
        mass = sum(chosen.values()) or 1.0
        return {t: v / mass for t, v in chosen.items()}

    def _term_names(self) -> list[str]:
        names = self.__dict__.get("_names")
        if names is None:
            names = [""] * len(self.term_ids)
            for term, tid in self.term_ids.items():
                names[tid] = term
            self.__dict__["_names"] = names
        return names

    def idf_of(self, term: str) -> float:
        tid = self.term_ids.get(term)
        return float(self.idf[tid]) if tid is not None else float(np.log1p(len(self.chunks) + 0.5))

    # --- persistence ----------------------------------------------------------------------

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bm25-{self.version}.pkl"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bm25-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((FORMAT, self), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: readers see the old or the new index, never half of one
        for old in folder.glob("bm25-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
        return path


def learn_abbreviations(chunks: list[Chunk]) -> dict[str, str]:
    """The abbreviations the corpus defines (as written) → their most frequent long form. An
    abbreviation with several long forms and no clear majority (ambiguous in this corpus) is left out."""
    seen: dict[str, Counter[str]] = {}
    spelled: dict[str, Counter[str]] = {}
    for chunk in chunks:
        for abbreviation, long in find_abbreviations(chunk.text):
            seen.setdefault(fold(abbreviation), Counter())[" ".join(long.split())] += 1
            spelled.setdefault(fold(abbreviation), Counter())[abbreviation] += 1
    out: dict[str, str] = {}
    for key, counts in seen.items():
        (long, n), *rest = counts.most_common()
        if not rest or rest[0][1] * 2 <= n:
            out[spelled[key].most_common(1)[0][0]] = long
    return out


def index_folder(settings: Settings) -> Path:
    """Where the lexical index lives: beside the embedded store, or a local cache for a server."""
    return Path(settings.store_path) / "lexical" / settings.collection


def load_index(folder: Path, version: str) -> LexicalIndex | None:
    path = folder / f"bm25-{version}.pkl"
    try:
        with path.open("rb") as handle:
            fmt, index = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        return None  # missing, damaged, or pickled by code that has moved since (ingest.lexical_index): rebuilt
    return index if fmt == FORMAT and isinstance(index, LexicalIndex) and index.version == version else None


def ensure_index(store: Store, settings: Settings) -> None:
    """Make sure an index for the store's current version is saved (ingest calls this at the end)."""
    if not (index_folder(settings) / f"bm25-{store.version()}.pkl").is_file():
        refresh_index(store, settings)


def refresh_index(store: Store, settings: Settings) -> LexicalIndex:
    """The index for the store's current version: loaded when saved before, otherwise built and saved."""
    version = store.version()
    folder = index_folder(settings)
    index = load_index(folder, version)
    if index is not None:
        return index
    docs = {d.key: d for d in store.list_documents()}
    chunks = [replace(c, doc=docs[c.doc.key]) for c in store.iter_chunks(set(docs))]
    chunks.sort(key=lambda c: (c.doc.source, c.index))
    word_list = settings.retrieval.compound_word_list
    lexicon = load_lexicon(word_list) if word_list else frozenset()
    index = LexicalIndex.build(chunks, version, lexicon)
    try:
        index.save(folder)
    except OSError as exc:  # a read-only location still gets a working (in-memory) index
        log.warning("Could not save the lexical index in %s: %s", folder, exc)
    return index
