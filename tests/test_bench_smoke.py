"""Smoke runs of the speed-and-scale benchmark (`python -m evals.bench --smoke`) and the re-run benchmark
(`python -m evals.bench_rerun`): files and sane numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from evals import bench_rerun
from evals.bench import main
from evals.bench_scale import latency_summary, synthetic_document
from evals.machine import E5_NON_EMBEDDING_PARAMS, fp32_flops_per_cycle, throughput_vs_peak
from tests.conftest import CORPUS


def _positive(value: Any, where: str) -> None:
    assert isinstance(value, int | float) and value > 0, f"{where} = {value!r}"


def test_flops_model_and_peak() -> None:
    assert 21.0e6 < E5_NON_EMBEDDING_PARAMS < 21.5e6
    assert fp32_flops_per_cycle({"avx2", "fma"}, "GenuineIntel", 6)[0] == 32
    assert fp32_flops_per_cycle({"avx2", "fma", "avx512f"}, "AuthenticAMD", 25)[0] == 32
    assert fp32_flops_per_cycle({"avx2", "fma", "avx512f"}, "GenuineIntel", 6)[0] == 64
    th = throughput_vs_peak(tokens=10_000, texts=100, embed_seconds=5.0, peak_gflops=100.0)
    assert th["engine_tokens_per_s"] == 2000.0
    assert 42 < th["mflops_per_token"] < 45  # 2 × 21.2M + attention at L = 100
    assert th["fraction_of_peak"] == pytest.approx(2000 / th["tokens_per_s_at_peak"], rel=1e-3)


def test_synthetic_document_spans_and_vectors() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    sentences = ["De gemeente investeert 12 miljoen euro in de wijk.", "Bewoners praten mee over het plan van 2020."]
    doc, chunks, vectors = synthetic_document(rng, sentences, 3, 10, 2, "t")
    assert len(chunks) == 10 and doc.chunks == 10
    assert len({c.id for c in chunks}) == 10
    assert vectors.chunks.shape == (10, 384) and vectors.sentences.shape[0] == sum(len(s) for s in vectors.spans)
    assert np.allclose(np.linalg.norm(vectors.sentences, axis=1), 1.0, atol=1e-5)
    for chunk, spans in zip(chunks, vectors.spans, strict=True):
        assert 1 <= len(spans) <= 2
        for start, end in spans:
            assert chunk.text[start:end].endswith(".")


def test_latency_summary() -> None:
    summary = latency_summary([{"retrieve": float(i), "answer": 1.0, "total": float(i + 1)} for i in range(1, 101)])
    assert summary["n"] == 100
    assert summary["total"]["p50"] == pytest.approx(51.5)
    assert summary["total"]["p95"] == pytest.approx(96.05)


@pytest.mark.slow  # a small benchmark run, subprocesses included
def test_bench_smoke_run_writes_report(tmp_path: Path) -> None:
    assert main(["--smoke", "--out", str(tmp_path)]) == 0
    for name in ("results.json", "report.md", "ingest.png", "query_latency.png", "scale.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    r = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(r) >= {"date", "machine", "ingest", "query", "scale", "server", "targets", "seconds", "smoke"}
    assert r["smoke"] is True

    ingest = r["ingest"]
    _positive(ingest["speed_ratio"], "speed_ratio")
    for side in ("project", "baseline"):
        for key in ("seconds", "pages_per_s", "chunks_per_s", "tokens_per_s", "tokens", "chunks"):
            _positive(ingest[side][key], f"{side}.{key}")
        _positive(ingest["throughput"][side]["fraction_of_peak"], f"{side}.fraction_of_peak")
    assert ingest["project"]["pages"] == ingest["baseline"]["pages"] == ingest["pages"]
    assert ingest["rerun"]["statuses"] == ["unchanged"]
    _positive(ingest["rerun"]["percent_of_median_ingest"], "rerun percent")
    _positive(r["machine"]["peak_gflops_fp32"], "peak_gflops_fp32")

    cold, warm = r["query"]["cold_start"], r["query"]["warm"]
    for key in ("import_s", "build_s", "total_s"):
        _positive(cold[key], f"cold_start.{key}")
    assert warm["questions"] > 0
    for stage in ("retrieve", "total"):
        _positive(warm["latency_ms"][stage]["p50"], f"warm {stage} p50")
        assert warm["latency_ms"][stage]["p95"] >= warm["latency_ms"][stage]["p50"]

    sizes = r["scale"]["sizes"]
    assert [s["chunks"] for s in sizes] == [200, 1000]
    for s in [*sizes, r["server"]]:
        assert s["write"]["chunks"] == s["chunks"] == s["query"]["chunks"]
        _positive(s["write"]["write_seconds"], "write_seconds")
        _positive(s["write"]["lexical_index_seconds"], "lexical_index_seconds")
        _positive(s["query"]["latency_ms"]["total"]["p95"], "scale p95")
        _positive(s["query"]["peak_rss_mb"], "peak_rss_mb")
    assert r["server"]["url"].startswith("http://127.0.0.1:")
    _positive(r["server"]["demo_ingest"]["seconds"], "server demo ingest")
    assert r["targets"]["p95_ms_at_100k"]["met"] is None  # the smoke run has no 100k store
    assert not (tmp_path / "results.partial.json").exists()

    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "speed ratio" in report.lower() and "![scale](scale.png)" in report


@pytest.mark.slow  # three ingest processes over a PDF and four failing scans
def test_rerun_benchmark_smoke(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    shutil.copy(CORPUS / "02-financiering-wijkaanpak.pdf", demo)
    result = bench_rerun.run(1, demo)
    assert result["files"] == 5 and len(result["failing"]) == 4
    first, again, retried = (result["rounds"][0][k] for k in ("first", "rerun", "rerun_retry_failed"))
    assert (first["totals"]["ingested"], first["totals"]["failed"], first["exit_code"]) == (1, 4, 1)
    assert (again["totals"]["unchanged"], again["totals"]["not_read_again"], again["exit_code"]) == (1, 4, 1)
    assert (retried["totals"]["failed"], retried["totals"]["not_read_again"]) == (4, 0)
    assert all(r["seconds"] > 0 and r["load_before"] for r in (first, again, retried))
