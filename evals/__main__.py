"""``python -m evals [--out DIR] [--limit N] [--no-baseline]``: the quality evaluation and its report."""

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
    args = parser.parse_args(argv)
    settings = get_settings()
    results = evaluate(settings, settings.corpus_path, args.out, limit=args.limit, with_baseline=not args.no_baseline)
    full = next(k for k in results["retrieval"] if k.startswith("hybrid+"))
    page = results["retrieval"][full]["page"]
    print(
        f"{results['questions']} questions: page R@5 {page['recall@5']:.3f}, MRR {page['mrr']:.3f}; "
        f"citation precision {results['citations']['citation_precision']:.3f}; refusal recall "
        f"{results['refusal']['refusal_recall']:.3f}, "
        f"false refusals {results['refusal']['false_refusal_rate']:.3f}. "
        f"Report: {args.out / 'report.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
