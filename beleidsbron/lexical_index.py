"""The BM25 index over the store's chunks, persisted next to the store and tied to its version.

Store stage. Built once per store version (ingest refreshes it after every change; the assistant
rebuilds it if it finds none for the current version), never per query. It also holds the committed
chunks themselves, so the assistant resolves dense hits and scores sentences without a round trip.

BM25 weights are precomputed into a sparse term matrix, so a query costs one column slice and a sum,
also at 100,000 chunks. (LangChain's ``BM25Retriever`` rescoring every document in Python per query
term, without returning scores, does not fit a persisted index of that size.)
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse

from beleidsbron.domain import Chunk
from beleidsbron.settings import Settings
from beleidsbron.store import Store
from beleidsbron.text.dutch_analysis import Analyzer

log = logging.getLogger(__name__)
FORMAT = 3  # bump when the pickled layout or the analysis changes
K1, B = 1.2, 0.75


@dataclass
class LexicalIndex:
    version: str
    analyzer: Analyzer
    term_ids: dict[str, int]
    idf: np.ndarray
    weights: sparse.csc_matrix  # chunks × terms, BM25 weight of each term in each chunk
    chunks: list[Chunk]
    row_of: dict[str, int]

    @classmethod
    def build(cls, chunks: list[Chunk], version: str) -> LexicalIndex:
        analyzer = Analyzer(Analyzer.build_vocabulary(c.text for c in chunks))
        term_ids: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(chunks), np.float32)
        for row, chunk in enumerate(chunks):
            terms = analyzer.terms(f"{chunk.heading}\n{chunk.text}")
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
        weights = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape).tocsc()
        return cls(version, analyzer, term_ids, idf, weights, chunks, {c.id: i for i, c in enumerate(chunks)})

    def query_ids(self, terms: list[str]) -> np.ndarray:
        return np.asarray(sorted({self.term_ids[t] for t in terms if t in self.term_ids}), np.int64)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query terms (each distinct term counted once)."""
        ids = self.query_ids(terms)
        if not len(ids):
            return np.zeros(len(self.chunks), np.float32)
        return np.asarray(self.weights[:, ids].sum(axis=1)).ravel()

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
    index = LexicalIndex.build(chunks, version)
    try:
        index.save(folder)
    except OSError as exc:  # a read-only location still gets a working (in-memory) index
        log.warning("Could not save the lexical index in %s: %s", folder, exc)
    return index
