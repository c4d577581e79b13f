"""Quality evaluation: retrieval, citations, answers and refusals, side by side per configuration.

Evals stage (corpus → ingest → store → assistant → *evals*). Builds an evaluation store from the
bundled corpus, runs every question of ``evals/data/questions.jsonl`` through each retrieval
configuration and through the full assistant, and writes a Markdown report, PNG charts, a JSON with
all numbers and a failure table to the reports folder.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core import Assistant
from assistant.question import prepare
from beleidsbron.domain import Answer, Chunk, Filters
from beleidsbron.settings import Settings
from evals import acceptance
from evals.dataset import Question, load_questions, load_set
from evals.metrics import Item, mean, ranking_metrics, refusal_metrics, refusal_threshold_for, token_recall
from ingest.pipeline import Ingestor

BASELINE = "langchain-baseline"
SUPPORT = 0.7  # share of the evidence's content tokens a passage must contain to count as support


@dataclass
class QuestionRun:
    question: Question
    ranked: dict[str, list[Chunk | tuple[str, tuple[int, ...]]]] = field(default_factory=dict)
    answer: Answer | None = None


def items_of(hit: Chunk | tuple[str, tuple[int, ...]], level: str) -> set[Item]:
    source, pages = (hit.doc.source, hit.pages) if isinstance(hit, Chunk) else hit
    return {(source, 0)} if level == "document" else {(source, p) for p in pages}


def gold_items(question: Question, level: str) -> set[Item]:
    if level == "document":
        return {(g.source, 0) for g in question.gold}
    return {(g.source, p) for g in question.gold for p in g.pages}


def build_store(settings: Settings, corpus: Path) -> float:
    started = time.perf_counter()
    summary = Ingestor(settings).run([corpus])
    if summary.failed:
        raise RuntimeError(f"evaluation corpus failed to ingest: {summary.to_json()['files']}")
    return time.perf_counter() - started


def baseline_rankings(questions: list[Question], corpus: Path, assistant: Assistant, k: int = 10) -> list[list]:
    from evals.baseline import build_baseline

    store = build_baseline(sorted(corpus.glob("*.pdf")), assistant.model)
    out = []
    for q in questions:
        docs = store.similarity_search(q.question, k=k)  # plain pipeline: no follow-up handling
        out.append([(Path(d.metadata["source"]).name, (int(d.metadata.get("page", 0)) + 1,)) for d in docs])
    return out


def run_questions(
    assistant: Assistant, questions: list[Question], with_baseline: bool, corpus: Path
) -> list[QuestionRun]:
    search = assistant.search
    limit = assistant.settings.retrieval.max_question_chars
    runs = []
    for q in questions:
        run = QuestionRun(q)
        prepared = prepare(q.question, list(q.history), search.index.analyzer, limit)
        query = prepared.query or q.question
        vector = assistant.model.embed_query_array(query)
        terms = search.index.analyzer.terms(query)
        row = search.index.row_of
        run.ranked["bm25"] = [search.index.chunks[row[cid]] for cid, _ in search.lexical(terms, Filters())][:10]
        run.ranked["dense"] = [search.index.chunks[row[cid]] for cid, _ in search.dense(vector, Filters())][:10]
        run.ranked["hybrid"] = [c.chunk for c in search.fuse(vector, terms, Filters())][:10]
        full = "hybrid+rescore" + ("+rerank" if assistant.settings.retrieval.reranker_model else "")
        run.ranked[full] = [c.chunk for c in search.search(query)][:10]
        run.answer = assistant.ask(q.question, history=list(q.history))
        runs.append(run)
    if with_baseline:
        for run, ranked in zip(runs, baseline_rankings(questions, corpus, assistant), strict=True):
            run.ranked[BASELINE] = ranked
    return runs


def retrieval_table(runs: list[QuestionRun]) -> dict[str, dict[str, dict[str, float]]]:
    answerable = [r for r in runs if r.question.answerable]
    configs = list(answerable[0].ranked) if answerable else []
    table: dict[str, dict[str, dict[str, float]]] = {}
    for config in configs:
        table[config] = {}
        for level in ("document", "page"):
            per_q = [
                ranking_metrics([items_of(h, level) for h in r.ranked[config]], gold_items(r.question, level))
                for r in answerable
            ]
            table[config][level] = {k: mean([m[k] for m in per_q]) for k in per_q[0]} if per_q else {}
    return table


def citation_metrics(runs: list[QuestionRun]) -> dict[str, float]:
    """ALCE-style citation recall/precision without an LLM, page accuracy and evidence coverage."""
    sentence_support, citation_support, page_ok, top_ok, coverage = [], [], [], [], []
    for run in runs:
        q, answer = run.question, run.answer
        if not q.answerable or answer is None:
            continue
        evidence = [g.evidence for g in q.gold]
        gold_pages = gold_items(q, "page")
        coverage.append(0.0 if answer.refused else mean([token_recall(e, answer.text) for e in evidence]))
        if answer.refused:
            continue
        supported = {c.n for c in answer.citations if any(token_recall(e, c.text) >= SUPPORT for e in evidence)}
        sentence_support += [bool(supported & set(s.citations)) for s in answer.sentences]
        citation_support += [c.n in supported for c in answer.citations]
        for c in answer.citations:
            if any(token_recall(e, c.quote) >= SUPPORT for e in evidence):
                page_ok.append((c.source, c.page) in gold_pages)
        top_ok.append(bool(answer.citations) and (answer.citations[0].source, answer.citations[0].page) in gold_pages)
    return {
        "citation_recall": mean(sentence_support),
        "citation_precision": mean(citation_support),
        "page_accuracy": mean(page_ok),
        "page_accuracy_n": float(len(page_ok)),
        "any_citation_on_gold_page": mean(top_ok),
        "evidence_coverage": mean(coverage),
    }


def refusal_summary(runs: list[QuestionRun], threshold: float) -> dict[str, Any]:
    answers = [r.answer for r in runs if r.answer is not None]
    answerable = [r.question.answerable for r in runs]
    scores = [a.confidence for a in answers]
    current = refusal_metrics([a.refused for a in answers], answerable)
    calibrated, recall = refusal_threshold_for(scores, answerable)
    return {
        "threshold": threshold,
        **current,
        "recommended_threshold": round(calibrated, 4),
        "refusal_recall_at_recommended": round(recall, 4),
        "scores_answerable": [s for s, a in zip(scores, answerable, strict=True) if a],
        "scores_unanswerable": [s for s, a in zip(scores, answerable, strict=True) if not a],
    }


def failures(runs: list[QuestionRun]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for run in runs:
        q = run.question
        if not q.answerable:
            if run.answer is not None and not run.answer.refused:
                out.setdefault("answered-unanswerable", []).append(q.id)
            continue
        gold = gold_items(q, "page")
        for config, ranked in run.ranked.items():
            if not set().union(*[items_of(h, "page") for h in ranked]) & gold:
                out.setdefault(config, []).append(q.id)
        if run.answer is not None and run.answer.refused:
            out.setdefault("false-refusal", []).append(q.id)
    return out


def by_type(runs: list[QuestionRun], config: str) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for run in runs:
        if run.question.answerable and config in run.ranked:
            metrics = ranking_metrics(
                [items_of(h, "page") for h in run.ranked[config]], gold_items(run.question, "page")
            )
            groups.setdefault(run.question.type, []).append(metrics["recall@5"])
    return {t: mean(v) for t, v in sorted(groups.items())}


def _limited(questions: list[Question], limit: int | None) -> list[Question]:
    return questions[:limit] if limit else questions


def evaluate(
    settings: Settings,
    corpus: Path,
    out_dir: Path,
    limit: int | None = None,
    with_baseline: bool = True,
    sets: list[Path] | None = None,
) -> dict[str, Any]:
    """Run the whole evaluation and write the report; returns all numbers.

    The project's own set is evaluated on the bundled corpus (retrieval, citations, refusals and
    answers); every folder in ``sets`` is evaluated on its own PDFs plus the bundled corpus, with the
    answer metrics of the acceptance evaluation (:mod:`evals.acceptance`).
    """
    questions = load_questions()
    if limit:
        questions = questions[:limit]
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="beleidsbron-eval-") as tmp:
        eval_settings = settings.model_copy(update={"store_path": Path(tmp) / "store", "chroma_url": None})
        ingest_s = build_store(eval_settings, corpus)
        assistant = Assistant(eval_settings)
        started = time.perf_counter()
        runs = run_questions(assistant, questions, with_baseline, corpus)
        seconds = time.perf_counter() - started
        own_answers = [r.answer.to_json() for r in runs if r.answer is not None]
        own = {"questions": len(questions), "beleidsbron": acceptance.score(questions, own_answers)}
        if with_baseline:
            plain = acceptance.baseline_answers(questions, sorted(corpus.glob("*.pdf")), assistant)
            own["plain_langchain"] = acceptance.score(questions, plain)
        threshold = assistant.refusal_threshold
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "questions": len(questions),
        "settings": settings.model_dump(
            mode="json",
            include={
                "embedding_backend": True,
                "ingest": {"chunk_size", "chunk_overlap"},
                "retrieval": {"reranker_model"},
                "reader": {"dense_weight", "refusal_threshold"},
            },
        ),
        "ingest_seconds": round(ingest_s, 1),
        "eval_seconds": round(seconds, 1),
        "retrieval": retrieval_table(runs),
        "recall@5_by_type": by_type(runs, next(iter(k for k in runs[0].ranked if k.startswith("hybrid+")), "")),
        "citations": citation_metrics(runs),
        "refusal": refusal_summary(runs, threshold),
        "answers_scored": {"own": own}
        | {
            folder.name: acceptance.evaluate_set(
                settings, _limited(load_set(folder), limit), [folder / "pdf", corpus], with_baseline
            )
            for folder in sets or []
        },
        "failures": failures(runs),
        "answers": [
            {"id": r.question.id, "type": r.question.type, **(r.answer.to_json() if r.answer else {})} for r in runs
        ],
    }
    from evals.report import write_report

    write_report(results, out_dir)
    return results
