"""Answer-level evaluation as an independent acceptance test scores it, for any question set.

Evals stage. A set is a folder written outside the project (``gold.jsonl`` + ``pdf/``, see
:func:`evals.dataset.load_set`) or the project's own set. Its PDFs are ingested together with the
bundled demo corpus (as distractors), every question is asked through the :class:`Assistant`, and the
answers are scored the way the acceptance evaluation scores them:

- ``answer_hit`` — the answer text (≤ 1,200 characters) holds ≥ 60% of the evidence's words;
- ``cited_page_hit`` — a citation the answer uses ([n] in the text) is on a gold file and page;
- ``evidence_at5`` — the evidence (≥ 60% of its words) is inside one of the first five cited passages;
- ``false_refusal`` / ``unanswerable_refused`` — refusals of answerable and of unanswerable questions;
- answer length and latency.

The plain LangChain pipeline of :mod:`evals.baseline` answers the same questions with its top chunk.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.core import Assistant
from beleidsbron.settings import Settings
from evals.dataset import Question
from evals.metrics import evidence_recall, mean
from ingest.pipeline import Ingestor

HIT = 0.6
MAX_ANSWER_CHARS = 1200
_MARKER = re.compile(r"\[(\d+)\]")


def used_citations(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The citations whose marker [n] appears in the answer text (the first one when none does)."""
    citations = answer.get("citations") or []
    marks = {int(m) for m in _MARKER.findall(answer.get("answer", ""))}
    used = [c for c in citations if c.get("n") in marks]
    return used or citations[:1]


def score(questions: list[Question], answers: list[dict[str, Any]], k: int = 5) -> dict[str, Any]:
    """Acceptance metrics of ``answers`` (``Answer.to_json()`` dicts, in question order)."""
    hits, pages, at5, chars, false_refusals, refused_unanswerable = [], [], [], [], [], []
    by_type: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for q, a in zip(questions, answers, strict=True):
        if not q.answerable:
            refused_unanswerable.append(bool(a.get("refused")))
            continue
        text = "" if a.get("refused") else a.get("answer", "")
        hit = len(text) <= MAX_ANSWER_CHARS and any(evidence_recall(g.evidence, text) >= HIT for g in q.gold)
        gold_pages = {(g.source, p) for g in q.gold for p in g.pages}
        hits.append(hit)
        pages.append(any((c.get("source"), c.get("page")) in gold_pages for c in used_citations(a)))
        at5.append(
            any(evidence_recall(g.evidence, c.get("text", "")) >= HIT for g in q.gold for c in a["citations"][:k])
        )
        chars.append(len(text))
        false_refusals.append(bool(a.get("refused")))
        by_type[q.type].append(hit)
        if not hit:
            misses.append(q.id)
    latencies = sorted(a.get("timings_ms", {}).get("total", 0.0) for a in answers)
    return {
        "answer_hit": mean(hits),
        "cited_page_hit": mean(pages),
        "evidence_at5": mean(at5),
        "false_refusal": mean(false_refusals),
        "unanswerable_refused": mean(refused_unanswerable),
        "answer_chars": mean(chars),
        "p50_ms": latencies[len(latencies) // 2] if latencies else 0.0,
        "p95_ms": latencies[max(0, int(0.95 * len(latencies)) - 1)] if latencies else 0.0,
        "answerable": len(hits),
        "unanswerable": len(refused_unanswerable),
        "answer_hit_by_type": {t: mean(v) for t, v in sorted(by_type.items())},
        "misses": misses,
    }


def ask_all(assistant: Assistant, questions: list[Question]) -> list[dict[str, Any]]:
    return [assistant.ask(q.question, history=list(q.history)).to_json() for q in questions]


def baseline_answers(questions: list[Question], pdfs: list[Path], assistant: Assistant) -> list[dict[str, Any]]:
    """The plain pipeline's answers: its best chunk, cited, with the top five chunks as citations."""
    from evals.baseline import build_baseline

    store = build_baseline(pdfs, assistant.model)
    out = []
    for q in questions:
        started = time.perf_counter()
        docs = store.similarity_search(q.question, k=5)
        elapsed = (time.perf_counter() - started) * 1000
        citations = [
            {
                "n": i + 1,
                "source": Path(d.metadata["source"]).name,
                "page": int(d.metadata.get("page", 0)) + 1,
                "text": d.page_content,
            }
            for i, d in enumerate(docs)
        ]
        answer = f"{docs[0].page_content} [1]" if docs else ""
        out.append({"answer": answer, "refused": False, "citations": citations, "timings_ms": {"total": elapsed}})
    return out


def evaluate_set(
    settings: Settings, questions: list[Question], pdf_folders: list[Path], with_baseline: bool = True
) -> dict[str, Any]:
    """Ingest the folders' PDFs into a fresh store, answer every question, score; with the baseline."""
    with tempfile.TemporaryDirectory(prefix="beleidsbron-set-") as tmp:
        folder = Path(tmp) / "pdf"
        folder.mkdir()
        for pdfs in pdf_folders:
            for pdf in sorted(pdfs.glob("*.pdf")):
                if not (folder / pdf.name).exists():
                    shutil.copy(pdf, folder / pdf.name)
        set_settings = settings.model_copy(update={"store_path": Path(tmp) / "store", "chroma_url": None})
        started = time.perf_counter()
        summary = Ingestor(set_settings).run([folder])
        ingest_s = time.perf_counter() - started
        assistant = Assistant(set_settings)
        answers = ask_all(assistant, questions)
        result: dict[str, Any] = {
            "questions": len(questions),
            "documents": summary.store_documents,
            "ingest_seconds": round(ingest_s, 1),
            "beleidsbron": score(questions, answers),
        }
        if with_baseline:
            result["plain_langchain"] = score(
                questions, baseline_answers(questions, sorted(folder.glob("*.pdf")), assistant)
            )
        result["answers"] = [{"id": q.id, "type": q.type, **a} for q, a in zip(questions, answers, strict=True)]
    return result
