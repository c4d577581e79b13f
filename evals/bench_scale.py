"""Scale benchmark: synthetic stores of N chunks written through the real Store API, queried by the real Assistant.

Part of the speed-and-scale evals (``python -m evals.bench``). Chunk texts are Dutch: sentences of the
demo corpus recombined, with their numbers randomised so chunks differ; vectors are random unit vectors
(no model embedding; the query embedding uses the real model). Every measurement runs in its own
subprocess (``python -m evals.bench_scale write|query``) so the peak RSS of one store size never mixes
with another, or with the benchmark process itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from beleidsbron.domain import Chunk, DocumentInfo
from beleidsbron.settings import PROJECT_ROOT, Settings
from evals.machine import load_average

DIMENSION = 384  # multilingual-e5-small
CHUNKS_PER_DOCUMENT = 100
TARGET_CHARS = 600  # like the default chunk size (about 4 real sentences)
SENTENCE_NOISE = 0.35  # std of the noise added to a chunk vector to make each sentence vector
_NUMBER = re.compile(r"\d+")


# --- synthetic text and vectors --------------------------------------------------------------


def corpus_sentences(pdfs: list[Path], chunk_size: int = 600, overlap: int = 50) -> list[str]:
    """Distinct, reasonably long sentences of the given PDFs, cleaned the way ingest cleans them."""
    from beleidsbron.text.sentences import sentences
    from ingest.pdf_reader import check_file
    from ingest.pipeline import file_hash, prepare_document

    found: dict[str, None] = {}
    for pdf in pdfs:
        digest = file_hash(check_file(pdf, 2**30))
        prepared = prepare_document(pdf, digest, 2**30, 10**9, chunk_size, overlap)
        for chunk in prepared.chunks:
            for sentence in sentences(chunk.text):
                text = " ".join(sentence.split())
                if 40 <= len(text) <= 320 and len(text.split()) >= 6:
                    found.setdefault(text, None)
    if not found:
        raise RuntimeError("no usable sentences in the corpus to build synthetic chunks from")
    return list(found)


def _randomise_numbers(sentence: str, rng: np.random.Generator) -> str:
    """Replace every number with a random one of the same kind (years stay years)."""

    def replace(match: re.Match[str]) -> str:
        digits = match.group(0)
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(int(rng.integers(1990, 2031)))
        return str(int(rng.integers(1, 10 ** min(len(digits), 4))))

    return _NUMBER.sub(replace, sentence)


def unit_vectors(rng: np.random.Generator, n: int, dim: int = DIMENSION) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic_document(
    rng: np.random.Generator,
    sentences: list[str],
    doc_index: int,
    n_chunks: int,
    sentences_per_chunk: int,
    prefix: str,
) -> tuple[DocumentInfo, list[Chunk], Any]:
    """One synthetic "document" of ``n_chunks`` chunks with its vectors, ready for ``Store.write_document``."""
    from beleidsbron.store import EmbeddedChunks

    digest = hashlib.sha256(f"{prefix}-{doc_index}".encode()).hexdigest()
    pages = max(1, n_chunks // 3)
    doc = DocumentInfo(
        source=f"{prefix}-{doc_index:06d}.pdf",
        path=f"/synthetic/{prefix}-{doc_index:06d}.pdf",
        content_hash=digest,
        title=f"Synthetisch beleidsdocument {doc_index}",
        publisher=("Platform31", "G32", "Rijksoverheid", "Gemeente")[doc_index % 4],
        year=2000 + doc_index % 25,
        pages=pages,
        ingested_at="2025-01-01T00:00:00+00:00",
        chunks=n_chunks,
    )
    chunks: list[Chunk] = []
    spans: list[list[tuple[int, int]]] = []
    for index in range(n_chunks):
        # real sentences up to ~TARGET_CHARS, then grouped into ``sentences_per_chunk`` consecutive spans
        parts: list[str] = []
        bounds: list[tuple[int, int]] = []
        length = 0
        while not parts or length < TARGET_CHARS * 0.85 or len(parts) < sentences_per_chunk:
            sentence = _randomise_numbers(sentences[int(rng.integers(len(sentences)))], rng)
            start = length + (1 if parts else 0)
            parts.append(sentence)
            bounds.append((start, start + len(sentence)))
            length = start + len(sentence)
        groups = np.array_split(np.arange(len(bounds)), min(sentences_per_chunk, len(bounds)))
        page = min(pages, 1 + index // 3)
        spans.append([(bounds[g[0]][0], bounds[g[-1]][1]) for g in groups])
        start = chunks[-1].end + 2 if chunks else 0  # consecutive paragraphs of one document
        chunks.append(Chunk.plain(doc, index, " ".join(parts), spans[-1], page, start))
    chunk_vectors = unit_vectors(rng, n_chunks)
    rows = np.repeat(np.arange(n_chunks), [len(s) for s in spans])
    noisy = chunk_vectors[rows] + rng.standard_normal((len(rows), DIMENSION)).astype(np.float32) * SENTENCE_NOISE
    sentence_vectors = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return doc, chunks, EmbeddedChunks(spans, sentence_vectors.astype(np.float32), chunk_vectors)


# --- measurements (run inside the worker subprocesses) ---------------------------------------


def _proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmHWM, VmRSS) in MB; 0.0 when unavailable."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def ru_maxrss_mb() -> float:
    """``ru_maxrss`` of this process in MB (Linux reports KB).

    On Linux it survives fork+exec: a fresh subprocess reports at least its parent's RSS at the time of
    the fork, so for a small process started by a big one it is the parent's number, not its own.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    """Peak RSS of this process's own address space (VmHWM, reset at exec); ``ru_maxrss`` elsewhere."""
    return _proc_status_mb("VmHWM") or ru_maxrss_mb()


def stage_breakdown(assistant: Any, question: str) -> dict[str, float]:
    """Milliseconds of the retrieval stages for one question, called one by one through the public
    search API (a second pass after ``ask``, so caches are warm): the store version check every ``ask``
    makes, the query embedding, dense (Chroma) and lexical (BM25) search, and the sentence-vector fetch."""
    from beleidsbron.domain import Filters

    out: dict[str, float] = {}

    def timed(name: str, fn: Any, *args: Any) -> Any:
        started = time.perf_counter()
        value = fn(*args)
        out[name] = (time.perf_counter() - started) * 1000
        return value

    search = assistant.search
    timed("store_version", assistant.store.version)
    vector = timed("embed_query", assistant.model.embed_query_array, question)
    terms = search.index.analyzer.terms(question)
    dense = timed("dense", search.dense, vector, Filters())
    lexical = timed("lexical", search.lexical, terms, Filters())
    ids = list(dict.fromkeys([cid for cid, _ in dense] + [cid for cid, _ in lexical]))
    timed("sentence_vectors", assistant.store.sentence_vectors, ids[: assistant.settings.retrieval.rescore_candidates])
    return out


def stage_summary(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """p50/p95 per stage of :func:`stage_breakdown` samples."""
    keys = list(samples[0]) if samples else []
    return {
        k: {
            "p50": round(percentile([s[k] for s in samples], 50), 2),
            "p95": round(percentile([s[k] for s in samples], 95), 2),
        }
        for k in keys
    }


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); 0.0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


def latency_summary(timings: list[dict[str, float]]) -> dict[str, Any]:
    """p50/p95/mean per timing key (milliseconds)."""
    out: dict[str, Any] = {"n": len(timings)}
    for key in ("retrieve", "answer", "total"):
        values = [t[key] for t in timings if key in t]
        out[key] = {
            "p50": round(percentile(values, 50), 2),
            "p95": round(percentile(values, 95), 2),
            "mean": round(statistics.fmean(values), 2) if values else 0.0,
        }
    return out


def write_store(
    settings: Settings,
    n_chunks: int,
    sentences: list[str],
    sentences_per_chunk: int,
    seed: int = 7,
) -> dict[str, Any]:
    """Write a synthetic store of ``n_chunks`` chunks through ``Store.write_document``, then build its
    lexical index the way ingest does (``refresh_index``)."""
    from beleidsbron.lexical_index import refresh_index
    from beleidsbron.store import Store, StoreIdentity

    rng = np.random.default_rng(seed)
    store = Store.open(settings, StoreIdentity.from_settings(settings, DIMENSION), create=True)
    prefix = f"synth{n_chunks}"
    generate_s = write_s = 0.0
    written_chunks = written_sentences = documents = 0
    for doc_index in range((n_chunks + CHUNKS_PER_DOCUMENT - 1) // CHUNKS_PER_DOCUMENT):
        size = min(CHUNKS_PER_DOCUMENT, n_chunks - written_chunks)
        t0 = time.perf_counter()
        doc, chunks, vectors = synthetic_document(rng, sentences, doc_index, size, sentences_per_chunk, prefix)
        t1 = time.perf_counter()
        store.write_document(doc, chunks, vectors)
        write_s += time.perf_counter() - t1
        generate_s += t1 - t0
        written_chunks += size
        written_sentences += len(vectors.sentences)
        documents += 1
    t0 = time.perf_counter()
    index = refresh_index(store, settings)
    index_s = time.perf_counter() - t0
    return {
        "chunks": store.chunk_count(),
        "sentences": written_sentences,
        "documents": documents,
        "sentences_per_chunk": round(written_sentences / max(1, written_chunks), 2),
        "mean_chunk_chars": round(statistics.fmean(len(c.text) for c in index.chunks), 1),
        "vocabulary_terms": len(index.term_ids),
        "generate_seconds": round(generate_s, 2),
        "write_seconds": round(write_s, 2),
        "write_chunks_per_s": round(written_chunks / write_s, 1) if write_s else 0.0,
        "write_sentence_vectors_per_s": round(written_sentences / write_s, 1) if write_s else 0.0,
        "lexical_index_seconds": round(index_s, 2),
        "writer_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def query_store(settings: Settings, questions: list[str], warmup: int = 3) -> dict[str, Any]:
    """Build the Assistant on the store, ask ``warmup`` questions untimed, then the rest once each."""
    from assistant.core import Assistant

    t0 = time.perf_counter()
    assistant = Assistant(settings)
    build_s = time.perf_counter() - t0
    rss_after_build = peak_rss_mb()
    for question in questions[:warmup]:
        assistant.ask(question)
    timings, stages, refused = [], [], 0
    for question in questions[warmup:]:
        answer = assistant.ask(question)
        timings.append(answer.timings)
        refused += answer.refused
        stages.append(stage_breakdown(assistant, answer.retrieval_query or question))
    breakdown = stage_summary(stages)
    return {
        "chunks": assistant.store.chunk_count(),
        "assistant_build_seconds": round(build_s, 2),
        "latency_ms": latency_summary(timings),
        "query_embedding_ms": breakdown.get("embed_query", {"p50": 0.0, "p95": 0.0}),
        "stages_ms": breakdown,
        "refused_share": round(refused / max(1, len(timings)), 3),
        "peak_rss_after_build_mb": round(rss_after_build, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_end_mb": round(_proc_status_mb("VmRSS"), 1),
        "ru_maxrss_mb": round(ru_maxrss_mb(), 1),
    }


# --- subprocess plumbing ---------------------------------------------------------------------


@dataclass
class WorkerError(RuntimeError):
    kind: str
    returncode: int
    stderr: str

    def __str__(self) -> str:
        return f"bench worker {self.kind!r} failed with exit code {self.returncode}:\n{self.stderr[-3000:]}"


def settings_payload(settings: Settings) -> dict[str, Any]:
    """The settings as JSON for a worker process, without secrets (a dumped secret would be its mask)."""
    secret = {name for name, value in settings if isinstance(value, SecretStr)}
    return settings.model_dump(mode="json", exclude=secret)


def settings_from_payload(payload: dict[str, Any]) -> Settings:
    return Settings(_env_file=None, **payload)


def run_worker(kind: str, params: dict[str, Any], work_dir: Path, timeout: float = 3600) -> dict[str, Any]:
    """Run ``python -m evals.bench_scale KIND`` in a fresh process; returns its JSON result.

    The result also holds ``process_seconds``: wall time of the whole subprocess (start to exit).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{kind}-{time.time_ns()}"
    params_path, out_path = work_dir / f"{stamp}.params.json", work_dir / f"{stamp}.out.json"
    params_path.write_text(json.dumps(params), encoding="utf-8")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "evals.bench_scale", kind, "--params", str(params_path), "--out", str(out_path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not out_path.is_file():
        raise WorkerError(kind, proc.returncode, proc.stderr or proc.stdout)
    result = json.loads(out_path.read_text(encoding="utf-8"))
    result["process_seconds"] = round(seconds, 2)
    return result


def measure_size(
    settings: Settings,
    n_chunks: int,
    sentences: list[str],
    questions: list[str],
    sentences_per_chunk: int,
    work_dir: Path,
    warmup: int = 3,
) -> dict[str, Any]:
    """Write one synthetic store (one subprocess), then query it (another subprocess)."""
    load = load_average()
    payload = settings_payload(settings)
    common = {"settings": payload}
    write = run_worker(
        "write",
        {
            **common,
            "chunks": n_chunks,
            "sentences": sentences,
            "sentences_per_chunk": sentences_per_chunk,
        },
        work_dir,
    )
    query = run_worker("query", {**common, "questions": questions, "warmup": warmup}, work_dir)
    return {"chunks": n_chunks, "load_average": load, "write": write, "query": query}


def _worker_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_scale", description="bench worker (internal)")
    parser.add_argument("kind", choices=["write", "query"])
    parser.add_argument("--params", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    params = json.loads(args.params.read_text(encoding="utf-8"))
    settings = settings_from_payload(params["settings"])
    if args.kind == "write":
        result = write_store(
            settings,
            int(params["chunks"]),
            list(params["sentences"]),
            int(params["sentences_per_chunk"]),
        )
    else:
        result = query_store(settings, list(params["questions"]), int(params.get("warmup", 3)))
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main())
