"""Metric functions of the evaluation: ranking quality, citation support, evidence coverage, refusals.

Pure functions over plain values; :mod:`evals.quality` feeds them and writes the report.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence

from beleidsbron.text.dutch_analysis import STOP_WORDS, words

Item = tuple[str, int]  # (source, page); page 0 = any page (document level)


def content_tokens(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS and len(w) > 1]


def token_recall(reference: str, text: str) -> float:
    """Share of the reference's content tokens that occur in ``text``."""
    ref = content_tokens(reference)
    if not ref:
        return 0.0
    have = set(content_tokens(text))
    return sum(t in have for t in ref) / len(ref)


def ranking_metrics(ranked: Sequence[set[Item]], gold: set[Item], ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Recall@k, MRR and nDCG@10 for one question.

    ``ranked`` holds, per retrieved passage, the gold-comparable items it covers (a passage may span
    pages). A passage is relevant when it covers a gold item; recall counts distinct gold items found;
    nDCG gives gain only for the first passage covering each gold item.
    """
    out: dict[str, float] = {}
    for k in ks:
        found = set().union(*ranked[:k]) & gold if ranked[:k] else set()
        out[f"recall@{k}"] = len(found) / len(gold) if gold else 0.0
    first = next((i for i, items in enumerate(ranked) if items & gold), None)
    out["mrr"] = 1.0 / (first + 1) if first is not None else 0.0
    seen: set[Item] = set()
    dcg = 0.0
    for i, items in enumerate(ranked[:10]):
        new = (items & gold) - seen
        if new:
            dcg += 1.0 / math.log2(i + 2)
            seen |= new
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    out["ndcg@10"] = dcg / ideal if ideal else 0.0
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def refusal_metrics(refused: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float]:
    unanswerable_refused = sum(r and not a for r, a in zip(refused, answerable, strict=True))
    n_unanswerable = sum(not a for a in answerable)
    n_refused = sum(refused)
    false_refusals = sum(r and a for r, a in zip(refused, answerable, strict=True))
    n_answerable = sum(answerable)
    return {
        "refusal_precision": unanswerable_refused / n_refused if n_refused else 0.0,
        "refusal_recall": unanswerable_refused / n_unanswerable if n_unanswerable else 0.0,
        "false_refusal_rate": false_refusals / n_answerable if n_answerable else 0.0,
    }


def refusal_threshold_for(
    scores: Sequence[float], answerable: Sequence[bool], max_false_refusals: float = 0.10
) -> tuple[float, float]:
    """The refusal threshold on the best-evidence score: the one that refuses the most unanswerable
    questions while refusing at most ``max_false_refusals`` of the answerable ones (wrongly saying
    "niets gevonden" costs a civil servant more than a cited near-miss they can check).
    Returns (threshold, refusal recall)."""
    values = sorted(set(scores))
    midpoints = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    best = (0.0, -1.0)
    for t in [0.0, *midpoints]:
        m = refusal_metrics([s < t for s in scores], answerable)
        if m["false_refusal_rate"] <= max_false_refusals and m["refusal_recall"] > best[1] + 1e-9:
            best = (t, m["refusal_recall"])
    return best


def _acceptance_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"[^\w]+", " ", text.lower()).split()


def evidence_recall(evidence: str, text: str) -> float:
    """Share of the evidence's words (all of them, stop words included) that occur in ``text``: how the
    independent acceptance evaluation decides whether an answer or passage contains the evidence."""
    wanted = _acceptance_tokens(evidence)
    have = set(_acceptance_tokens(text))
    return sum(t in have for t in wanted) / max(1, len(wanted))
