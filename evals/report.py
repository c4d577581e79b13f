"""Writes evaluation results: results.json, report.md and PNG charts (matplotlib, no display)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def retrieval_markdown(table: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = []
    for level in ("document", "page"):
        lines += [
            f"### Retrieval, {level} level",
            "",
            "| configuration | R@1 | R@5 | R@10 | MRR | nDCG@10 |",
            "|---|---|---|---|---|---|",
        ]
        for config, levels in table.items():
            m = levels[level]
            lines.append(
                f"| {config} | {_fmt(m['recall@1'])} | {_fmt(m['recall@5'])} | {_fmt(m['recall@10'])} | "
                f"{_fmt(m['mrr'])} | {_fmt(m['ndcg@10'])} |"
            )
        lines.append("")
    return lines


def chart_retrieval(table: dict[str, dict[str, dict[str, float]]], path: Path) -> None:
    configs = list(table)
    metrics = ["recall@1", "recall@5", "recall@10", "mrr"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(configs))
    for i, config in enumerate(configs):
        values = [table[config]["page"][m] for m in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=config)
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(metrics))], metrics)
    ax.set_ylim(0, 1)
    ax.set_title("Page-level retrieval per configuration")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_refusal(refusal: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    bins = [i / 40 for i in range(41)]
    ax.hist(refusal["scores_answerable"], bins=bins, alpha=0.6, label="answerable")
    ax.hist(refusal["scores_unanswerable"], bins=bins, alpha=0.6, label="unanswerable")
    ax.axvline(refusal["threshold"], color="k", linestyle="--", label="threshold in use")
    ax.axvline(refusal["recommended_threshold"], color="r", linestyle=":", label="calibrated")
    ax.set_xlabel("best evidence score")
    ax.set_title("Refusal calibration")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def answers_markdown(sets: dict[str, Any]) -> list[str]:
    """The answer metrics of the acceptance evaluation, per question set and system."""
    if not sets:
        return []
    lines = [
        "### Answers, scored as the acceptance evaluation scores them",
        "",
        "| set | system | answer holds evidence | cited page | evidence in top-5 passages | false refusals | "
        "near-misses refused | answer chars | p50 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in sets.items():
        for system in ("beleidsbron", "plain_langchain"):
            if system not in result:
                continue
            m = result[system]
            lines.append(
                f"| {name} | {system} | {_fmt(m['answer_hit'])} | {_fmt(m['cited_page_hit'])} | "
                f"{_fmt(m['evidence_at5'])} | {_fmt(m['false_refusal'])} | {_fmt(m['unanswerable_refused'])} | "
                f"{m['answer_chars']:.0f} | {m['p50_ms']:.0f} |"
            )
    lines += ["", "Answer holds evidence, by question type (Beleidsbron):", ""]
    for name, result in sets.items():
        by_type = ", ".join(f"{t} {v:.2f}" for t, v in result["beleidsbron"]["answer_hit_by_type"].items())
        lines.append(f"- {name}: {by_type}")
    lines.append("")
    return lines


def write_report(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    chart_retrieval(results["retrieval"], out_dir / "retrieval.png")
    chart_refusal(results["refusal"], out_dir / "refusal.png")
    c, r = results["citations"], results["refusal"]
    lines = [
        "# Beleidsbron quality report",
        "",
        f"{results['date']} · {results['questions']} questions · settings {results['settings']} · "
        f"ingest {results['ingest_seconds']} s · evaluation {results['eval_seconds']} s",
        "",
        *retrieval_markdown(results["retrieval"]),
        "![retrieval](retrieval.png)",
        "",
        "### Page-level recall@5 by question type (full assistant retrieval)",
        "",
        "| type | R@5 |",
        "|---|---|",
        *[f"| {t} | {_fmt(v)} |" for t, v in results["recall@5_by_type"].items()],
        "",
        "### Citations and answers (extractive assistant)",
        "",
        "| metric | value |",
        "|---|---|",
        f"| citation recall (answer sentences whose cited passage contains the evidence) | "
        f"{_fmt(c['citation_recall'])} |",
        f"| citation precision (citations whose passage contains the evidence) | {_fmt(c['citation_precision'])} |",
        f"| page accuracy (citations quoting the evidence that name its page; n={int(c['page_accuracy_n'])}) | "
        f"{_fmt(c['page_accuracy'])} |",
        f"| first citation on a gold page | {_fmt(c['any_citation_on_gold_page'])} |",
        f"| evidence coverage (token recall of the evidence in the answer) | {_fmt(c['evidence_coverage'])} |",
        "",
        "### Refusals",
        "",
        f"Threshold in use {r['threshold']}: refusal precision {_fmt(r['refusal_precision'])}, recall "
        f"{_fmt(r['refusal_recall'])}, false-refusal rate {_fmt(r['false_refusal_rate'])}. "
        f"Calibrated threshold (most refusals of unanswerable questions with at most 10% false refusals): "
        f"{r['recommended_threshold']} (refusal recall {r['refusal_recall_at_recommended']}).",
        "",
        "![refusal](refusal.png)",
        "",
        *answers_markdown(results.get("answers_scored", {})),
        "### Failures (question ids)",
        "",
        "| where | questions |",
        "|---|---|",
        *[f"| {k} | {', '.join(v)} |" for k, v in results["failures"].items()],
        "",
    ]
    (out_dir / "report.md").write_text("\n".join(lines), encoding="utf-8")
