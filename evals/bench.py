"""Speed and scale benchmark: ``python -m evals.bench [--out DIR] [--smoke] [--scale-sizes ...] [--no-server]``.

Evals stage (corpus → ingest → store → assistant → *evals*). Measures, in one run:

1. ingest of the bundled corpus, project pipeline vs the plain LangChain baseline with the same
   embedding model, alternating A B A B into fresh temp stores; a re-run on the unchanged corpus; the
   embedding throughput next to the machine's theoretical fp32 peak for the model;
2. assistant cold start (fresh subprocess: imports + build) and warm latency over the evaluation questions;
3. synthetic stores of 1k/10k/100k chunks (``evals.bench_scale``): write time, lexical index build,
   query p50/p95 and peak RSS per size;
4. the same against a real Chroma server (``chroma run`` on 127.0.0.1, started and stopped here).

Writes ``results.json`` (all numbers), ``report.md`` and PNG charts to the reports folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pypdf import PdfReader

from beleidsbron.settings import PROJECT_ROOT, Settings, get_settings
from evals.app_client import free_port
from evals.bench_report import TARGETS, targets, write_report
from evals.bench_scale import (
    corpus_sentences,
    latency_summary,
    measure_size,
    settings_payload,
    stage_breakdown,
    stage_summary,
)
from evals.dataset import Question, load_questions
from evals.machine import load_average, machine_info, peak_rss_of, throughput_vs_peak

DEFAULT_SIZES = (1_000, 10_000, 100_000)
SMOKE_SIZES = (200, 1_000)

_COLD_START = """
import json, sys, time
started_wall = time.time()
t0 = time.perf_counter()
from beleidsbron.settings import Settings
from assistant.core import Assistant
t1 = time.perf_counter()
assistant = Assistant(Settings(_env_file=None, **json.loads(sys.argv[1])))
t2 = time.perf_counter()
print("BENCH_JSON " + json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "ready_wall": time.time(),
                                  "interpreter_ready_wall": started_wall}))
"""


def log(message: str) -> None:
    """Progress on stderr (the report holds the numbers)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


# --- 1. ingest -----------------------------------------------------------------------------------


class TimedEmbeddings(Embeddings):
    """Wraps the project's embedding model for the baseline: records the texts embedded and the time."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.texts: list[str] = []
        self.seconds = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.model.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        self.texts.extend(texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def _rates(seconds: float, pages: int, chunks: int, tokens: int) -> dict[str, float]:
    return {
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 2) if seconds else 0.0,
        "chunks_per_s": round(chunks / seconds, 2) if seconds else 0.0,
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
    }


def run_project_ingest(settings: Settings, pdfs: list[Path]) -> dict[str, Any]:
    from ingest.pipeline import Ingestor

    started = time.perf_counter()
    summary = Ingestor(settings).run(pdfs)
    seconds = time.perf_counter() - started
    if summary.failed:
        raise RuntimeError(f"project ingest failed: {summary.to_json()['files']}")
    return {
        "pipeline": "project",
        "store": str(settings.store_path),
        "wall_seconds": seconds,
        "run_seconds": summary.seconds,
        "pages": summary.pages,
        "chunks": summary.chunks,
        "texts_embedded": summary.embedded_sentences,
        "tokens": summary.embedded_tokens,
        "embed_seconds": summary.embed_seconds,
    }


def run_baseline_ingest(model: Any, pdfs: list[Path], path: Path, pages: int) -> dict[str, Any]:
    from evals.baseline import build_baseline

    timed = TimedEmbeddings(model)
    started = time.perf_counter()
    store = build_baseline(pdfs, timed, path)
    seconds = time.perf_counter() - started
    del store  # the baseline's chunk count is the number of texts it embedded (no deduplication)
    chunks = len(timed.texts)
    return {
        "pipeline": "baseline",
        "store": str(path),
        "wall_seconds": seconds,
        "run_seconds": seconds,
        "pages": pages,
        "chunks": chunks,
        "texts_embedded": len(timed.texts),
        "tokens": sum(model.count_tokens(t) for t in timed.texts),  # counted after the timed run
        "embed_seconds": timed.seconds,
    }


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over the rounds of one pipeline, with the rates derived from the median time."""
    first = runs[0]
    seconds = median([r["wall_seconds"] for r in runs])
    embed_seconds = median([r["embed_seconds"] for r in runs])
    return {
        **_rates(seconds, first["pages"], first["chunks"], first["tokens"]),
        "seconds_all_rounds": [round(r["wall_seconds"], 3) for r in runs],
        "pages": first["pages"],
        "chunks": first["chunks"],
        "texts_embedded": first["texts_embedded"],
        "tokens": first["tokens"],
        "embed_seconds": round(embed_seconds, 3),
        "embed_share": round(embed_seconds / seconds, 3) if seconds else 0.0,
    }


def bench_ingest(
    settings: Settings, pdfs: list[Path], work: Path, rounds: int, rerun_rounds: int, peak_gflops: float
) -> tuple[dict[str, Any], Settings]:
    """Project vs baseline, alternating; then re-runs of the project ingest on the unchanged corpus."""
    from beleidsbron.embeddings import load_embeddings
    from ingest.pipeline import Ingestor

    load = load_average()
    model = load_embeddings(settings)  # the same Embeddings object for both pipelines
    model.embed_array(["Opwarmen van het model: de wijkaanpak in Nederland."] * 4)  # untimed warm-up
    pages = sum(len(PdfReader(p).pages) for p in pdfs)
    runs: dict[str, list[dict[str, Any]]] = {"project": [], "baseline": []}
    project_settings: Settings | None = None
    for r in range(rounds):
        s = settings.model_copy(update={"store_path": work / f"ingest-project-{r}", "chroma_url": None})
        project_settings = project_settings or s
        log(f"ingest round {r + 1}/{rounds}: project")
        runs["project"].append(run_project_ingest(s, pdfs))
        log(f"ingest round {r + 1}/{rounds}: baseline")
        runs["baseline"].append(run_baseline_ingest(model, pdfs, work / f"ingest-baseline-{r}", pages))
    assert project_settings is not None
    project, baseline = summarise_runs(runs["project"]), summarise_runs(runs["baseline"])
    log("ingest re-run on the unchanged corpus")
    rerun_seconds, statuses = [], set()
    for _ in range(rerun_rounds):
        started = time.perf_counter()
        summary = Ingestor(project_settings).run(pdfs)
        rerun_seconds.append(time.perf_counter() - started)
        statuses |= {f.status for f in summary.files}
    rerun = median(rerun_seconds)
    first_ingest = runs["project"][0]["wall_seconds"]
    result = {
        "load_average": load,
        "pdfs": [p.name for p in pdfs],
        "pages": pages,
        "rounds": rounds,
        "order": "project, baseline alternating (A B A B …); medians over the rounds",
        "runs": [
            {k: (round(v, 3) if isinstance(v, float) else v) for k, v in run.items()}
            for pair in zip(runs["project"], runs["baseline"], strict=True)
            for run in pair
        ],
        "project": project,
        "baseline": baseline,
        "speed_ratio": round(baseline["seconds"] / project["seconds"], 3) if project["seconds"] else 0.0,
        "rerun": {
            "seconds": round(rerun, 4),
            "seconds_all": [round(s, 4) for s in rerun_seconds],
            "statuses": sorted(statuses),
            "percent_of_median_ingest": round(100 * rerun / project["seconds"], 3) if project["seconds"] else 0.0,
            "percent_of_first_ingest": round(100 * rerun / first_ingest, 3) if first_ingest else 0.0,
        },
        "throughput": {
            name: throughput_vs_peak(side["tokens"], side["texts_embedded"], side["embed_seconds"], peak_gflops)
            | {"end_to_end_tokens_per_s": side["tokens_per_s"]}
            for name, side in (("project", project), ("baseline", baseline))
        },
    }
    return result, project_settings


# --- 2. query ------------------------------------------------------------------------------------


def cold_start(settings: Settings, repeats: int) -> dict[str, Any]:
    """Build the Assistant in fresh subprocesses (`python -c`): imports and build timed separately."""
    payload = json.dumps(settings_payload(settings))
    samples = []
    for _ in range(repeats):
        spawned = time.time()
        proc = subprocess.run(
            [sys.executable, "-c", _COLD_START, payload],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if proc.returncode != 0 or line is None:
            raise RuntimeError(f"cold-start subprocess failed: {proc.stderr[-2000:]}")
        got = json.loads(line.removeprefix("BENCH_JSON "))
        samples.append(
            {
                "import_s": got["import_s"],
                "build_s": got["build_s"],
                "total_s": got["import_s"] + got["build_s"],
                "spawn_to_ready_s": got["ready_wall"] - spawned,
                "interpreter_start_s": got["interpreter_ready_wall"] - spawned,
            }
        )
    return {
        "repeats": repeats,
        **{key: round(median([s[key] for s in samples]), 3) for key in samples[0]},
        "samples": [{k: round(v, 3) for k, v in s.items()} for s in samples],
    }


def warm_latency(settings: Settings, questions: list[Question], warmup: int = 3) -> dict[str, Any]:
    """Latency of ``Assistant.ask`` per question after ``warmup`` untimed questions, plus the retrieval
    stages timed one by one after each ``ask`` (see :func:`evals.bench_scale.stage_breakdown`)."""
    from assistant.core import Assistant

    assistant = Assistant(settings)
    for q in questions[:warmup]:
        assistant.ask(q.question, history=list(q.history))
    timings, stages, refused = [], [], 0
    for q in questions:
        answer = assistant.ask(q.question, history=list(q.history))
        timings.append(answer.timings)
        refused += answer.refused
        stages.append(stage_breakdown(assistant, answer.retrieval_query or q.question))
    breakdown = stage_summary(stages)
    return {
        "questions": len(questions),
        "warmup": warmup,
        "chunks": assistant.store.chunk_count(),
        "latency_ms": latency_summary(timings),
        "query_embedding_ms": breakdown["embed_query"],
        "stages_ms": breakdown,
        "refused_share": round(refused / max(1, len(questions)), 3),
        "totals_ms": [round(t["total"], 2) for t in timings],
    }


# --- 3./4. scale and server ----------------------------------------------------------------------


def _heartbeat(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def chroma_server(path: Path, startup_timeout: float = 60.0) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """A `chroma run` server on 127.0.0.1 (a free port) for the duration of the block."""
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while not _heartbeat(url):
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited early with code {proc.returncode}")
            if time.perf_counter() - started > startup_timeout:
                raise RuntimeError("chroma server did not answer its heartbeat in time")
            time.sleep(0.2)
        yield url, proc, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def scale_questions(questions: list[Question], n: int) -> list[str]:
    """``n`` distinct stand-alone question texts (no follow-ups), cycling when there are fewer."""
    texts = list(dict.fromkeys(q.question for q in questions if not q.history))
    return [texts[i % len(texts)] for i in range(n)]


def bench_scale(
    settings: Settings,
    sizes: list[int],
    sentences: list[str],
    questions: list[str],
    sentences_per_chunk: int,
    work: Path,
    results: list[dict[str, Any]] | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """One synthetic store per size; appends to ``results`` and calls ``checkpoint`` after each size."""
    results = [] if results is None else results
    for n in sizes:
        log(f"scale: {n} chunks (write, then query in fresh subprocesses)")
        s = settings.model_copy(update={"store_path": work / f"scale-{n}", "chroma_url": None})
        results.append(measure_size(s, n, sentences, questions, sentences_per_chunk, work / "workers"))
        q = results[-1]["query"]
        log(
            f"scale: {n} chunks written in {results[-1]['write']['write_seconds']} s; "
            f"p95 {q['latency_ms']['total']['p95']} ms, peak RSS {q['peak_rss_mb']} MB"
        )
        if checkpoint:
            checkpoint()
    return results


def bench_server(
    settings: Settings,
    n_chunks: int,
    demo_pdfs: list[Path],
    sentences: list[str],
    questions: list[str],
    sentences_per_chunk: int,
    work: Path,
) -> dict[str, Any]:
    """Project ingest of the corpus and a synthetic store of ``n_chunks`` against a real Chroma server."""
    load = load_average()
    with chroma_server(work / "chroma-server") as (url, proc, startup_s):
        log(f"server: chroma run on {url} (up in {startup_s:.1f} s); project ingest of the corpus")
        demo = settings.model_copy(
            update={"chroma_url": url, "store_path": work / "server-demo-cache", "collection": "benchdemo"}
        )
        ingest = run_project_ingest(demo, demo_pdfs)
        log(f"server: {n_chunks} synthetic chunks")
        synth = settings.model_copy(
            update={"chroma_url": url, "store_path": work / "server-cache", "collection": "benchsynth"}
        )
        measured = measure_size(synth, n_chunks, sentences, questions, sentences_per_chunk, work / "workers")
        server_rss = peak_rss_of(proc.pid)
    return {
        "url": url,
        "load_average_at_start": load,
        "startup_seconds": round(startup_s, 2),
        "server_peak_rss_mb": server_rss,
        "demo_ingest": {
            "pdfs": len(demo_pdfs),
            "pages": ingest["pages"],
            **_rates(ingest["wall_seconds"], ingest["pages"], ingest["chunks"], ingest["tokens"]),
        },
        **measured,
    }


# --- main ----------------------------------------------------------------------------------------


def bench_settings(settings: Settings) -> Settings:
    """The settings the bench runs with: embedded store unless a step sets a server, extractive answers
    (a chat model would add network calls and measure the LLM, not retrieval)."""
    update: dict[str, Any] = {"chroma_url": None}
    if "answer_mode" in type(settings).model_fields:
        update["answer_mode"] = "extractive"
    return settings.model_copy(update=update)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from exc
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("scale sizes must be positive integers")
    return sizes


def run_bench(
    settings: Settings,
    out_dir: Path,
    smoke: bool = False,
    sizes: list[int] | None = None,
    server: bool = True,
    sentences_per_chunk: int = 2,
    server_chunks: int | None = None,
) -> dict[str, Any]:
    """The whole benchmark; writes the report and returns all numbers."""
    started = time.perf_counter()
    load_start = load_average()
    pdfs = sorted(Path(settings.corpus_path).glob("*.pdf"))
    if not pdfs:
        raise FileNotFoundError(f"no PDFs in {settings.corpus_path}")
    questions = load_questions()
    if smoke:
        pdfs, questions = pdfs[:2], questions[:8]
    sizes = sizes or list(SMOKE_SIZES if smoke else DEFAULT_SIZES)
    server_chunks = server_chunks or (500 if smoke else 10_000)
    scale_queries = scale_questions(load_questions(), (5 if smoke else 50) + 3)
    machine = machine_info()
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "smoke": smoke,
        "machine": machine,
        "settings": settings.model_dump(
            mode="json",
            include={
                "embedding_backend": True,
                "embedding_model": True,
                "embedding_precision": True,
                "embedding_device": True,
                "embedding_threads": True,
                "embedding_batch_size": True,
                "ingest": {"chunk_size", "chunk_overlap", "parse_workers"},
                "retrieval": {"dense_candidates", "lexical_candidates", "rescore_candidates"},
            },
        ),
        "targets_config": TARGETS,
    }
    partial = out_dir / "results.partial.json"

    def checkpoint() -> None:
        """Numbers so far, so an interrupted run (a killed process, a full disk) still leaves them."""
        out_dir.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="beleidsbron-bench-") as tmp:
        work = Path(tmp)
        base = bench_settings(settings)
        log(f"ingest: {len(pdfs)} PDFs, project vs baseline")
        results["ingest"], demo = bench_ingest(
            base, pdfs, work, rounds=1 if smoke else 2, rerun_rounds=3, peak_gflops=machine["peak_gflops_fp32"]
        )
        log(
            f"ingest: ratio {results['ingest']['speed_ratio']}, re-run "
            f"{results['ingest']['rerun']['percent_of_median_ingest']} %"
        )
        checkpoint()
        log("query: cold start (subprocess) and warm latency")
        results["query"] = {
            "load_average": load_average(),
            "cold_start": cold_start(demo, repeats=1 if smoke else 3),
            "warm": warm_latency(demo, questions),
        }
        checkpoint()
        sentences = corpus_sentences(pdfs, settings.ingest.chunk_size, settings.ingest.chunk_overlap)
        results["scale"] = {
            "sentences_per_chunk": sentences_per_chunk,
            "source_sentences": len(sentences),
            "queries": len(scale_queries) - 3,
            "sizes": [],
        }
        bench_scale(
            base, sizes, sentences, scale_queries, sentences_per_chunk, work, results["scale"]["sizes"], checkpoint
        )
        if server:
            results["server"] = bench_server(
                base, server_chunks, pdfs[:1] if smoke else pdfs, sentences, scale_queries, sentences_per_chunk, work
            )
        else:
            results["server"] = {"skipped": True}
    results["load_average"] = {"start": load_start, "end": load_average()}
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results)
    write_report(results, out_dir)
    partial.unlink(missing_ok=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("reports/bench"), help="report folder")
    parser.add_argument("--smoke", action="store_true", help="tiny version of everything (CI, < 2 minutes)")
    parser.add_argument("--scale-sizes", type=_sizes, help="synthetic store sizes, e.g. 1000,10000,100000")
    parser.add_argument("--no-server", action="store_true", help="skip the Chroma server measurements")
    parser.add_argument("--server-chunks", type=int, help="synthetic chunks for the server run (default 10000)")
    parser.add_argument(
        "--sentences-per-chunk", type=int, default=2, help="sentence vectors per synthetic chunk (default 2)"
    )
    args = parser.parse_args(argv)
    if args.sentences_per_chunk < 1:
        parser.error("--sentences-per-chunk must be at least 1")
    results = run_bench(
        get_settings(),
        args.out,
        smoke=args.smoke,
        sizes=args.scale_sizes,
        server=not args.no_server,
        sentences_per_chunk=args.sentences_per_chunk,
        server_chunks=args.server_chunks,
    )
    ing, warm = results["ingest"], results["query"]["warm"]["latency_ms"]["total"]
    largest = results["scale"]["sizes"][-1]
    print(
        f"ingest {ing['project']['seconds']:.1f} s vs baseline {ing['baseline']['seconds']:.1f} s "
        f"(ratio {ing['speed_ratio']:.2f}); re-run {ing['rerun']['percent_of_median_ingest']:.2f} %; "
        f"cold start {results['query']['cold_start']['total_s']:.2f} s; warm p50/p95 {warm['p50']:.0f}/"
        f"{warm['p95']:.0f} ms; {largest['chunks']} chunks: p95 "
        f"{largest['query']['latency_ms']['total']['p95']:.0f} ms, RSS {largest['query']['peak_rss_mb']:.0f} MB. "
        f"Report: {args.out / 'report.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
