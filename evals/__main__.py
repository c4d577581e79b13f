"""``python -m evals [--set DIR ...] [--out DIR] [--limit N] [--no-baseline]``: the quality evaluation.

The project's own question set on the bundled corpus, and every ``--set DIR`` (a question set written
outside the project: ``DIR/gold.jsonl`` and ``DIR/pdf/``) on its PDFs plus the bundled corpus; answers
scored as the independent acceptance evaluation scores them, next to the plain LangChain pipeline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from beleidsbron.settings import get_settings
from evals.quality import evaluate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports/quality"), help="report folder")
    parser.add_argument("--limit", type=int, help="only the first N questions (smoke run)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain LangChain baseline")
    parser.add_argument(
        "--set", dest="sets", type=Path, action="append", default=[], help="a question set folder (gold.jsonl, pdf/)"
    )
    args = parser.parse_args(argv)
    for folder in args.sets:
        if not (folder / "gold.jsonl").is_file() or not (folder / "pdf").is_dir():
            parser.error(f"{folder} is not a question set: it needs gold.jsonl and a pdf/ folder")
    settings = get_settings()
    results = evaluate(
        settings,
        settings.corpus_path,
        args.out,
        limit=args.limit,
        with_baseline=not args.no_baseline,
        sets=args.sets,
    )
    full = next(k for k in results["retrieval"] if k.startswith("hybrid+"))
    page = results["retrieval"][full]["page"]
    print(
        f"{results['questions']} questions: page R@5 {page['recall@5']:.3f}, MRR {page['mrr']:.3f}; "
        f"citation precision {results['citations']['citation_precision']:.3f}; refusal recall "
        f"{results['refusal']['refusal_recall']:.3f}, "
        f"false refusals {results['refusal']['false_refusal_rate']:.3f}. "
        f"Report: {args.out / 'report.md'}"
    )
    for name, result in results["answers_scored"].items():
        for system in ("beleidsbron", "plain_langchain"):
            if system in result:
                m = result[system]
                print(
                    f"{name:>10} {system:<15} answer_hit={m['answer_hit']:.2f} cited_page={m['cited_page_hit']:.2f} "
                    f"e@5={m['evidence_at5']:.2f} false_ref={m['false_refusal']:.2f} "
                    f"unans_ref={m['unanswerable_refused']:.2f} chars={m['answer_chars']:.0f} p50={m['p50_ms']:.0f}ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
