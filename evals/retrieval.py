"""Retrieval evaluation: does the passage a citation would show hold the evidence?

``python -m evals.retrieval --set DIR [--set DIR …] [--runs DIR] [--answers] [--variant NAME:KEY=VALUE,…]``

Evals stage. For every question set (``DIR/gold.jsonl`` + ``DIR/pdf``, see :func:`evals.dataset.load_set`)
the set's PDFs and the bundled demo corpus (distractors, as ``../shared/devset/run_devset.py`` adds them)
are ingested once into a store kept under ``--runs`` (reused by later runs; ``--reingest`` rebuilds it),
and so is the plain LangChain pipeline of :mod:`evals.baseline` (PyPDFLoader + 1000/200 splitter +
Chroma with the same e5 model). Then every answerable question is searched by each configuration and
scored the way the acceptance evaluation scores passages: a passage *holds the evidence* when it
contains ≥ 60% of the evidence's words (:func:`evals.metrics.evidence_recall`).

Which passage is scored, per retrieved chunk of the project: what a citation of that chunk shows —
the reading unit of its best-scoring sentence, grown by whole units of its section to about 700
characters (:func:`assistant.compose.passage_span`, the read side's rule). Also reported: the chunk
text alone (``chunk``), and with ``--answers`` the citations of the full answers (``answer``: the
reader's windows, exactly what ``run_devset.py`` scores as top passage and evidence@5). The plain
pipeline's passage is its chunk.

Figures per set and per question type: top passage holds the evidence, evidence@5, evidence@10, MRR
(over the first 10), and warm query latency p50/p95 (question preparation, query embedding and search;
the plain pipeline's ``similarity_search``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.compose import passage_span
from assistant.core import Assistant
from assistant.passages import Library
from assistant.question import prepare
from assistant.retrieval import Candidate, HybridSearch
from beleidsbron.document import DocumentText, Unit
from beleidsbron.lexical_index import LexicalIndex
from beleidsbron.settings import ReaderSettings, RetrievalSettings, Settings, get_settings
from beleidsbron.text.dutch_analysis import load_lexicon
from evals.dataset import Question, load_set
from evals.metrics import evidence_recall, mean

HIT = 0.6  # share of the evidence's words a passage must hold (the acceptance evaluation's rule)
DEPTH = 10
PLAIN = "plain-langchain"
PROJECT = "beleidsbron"


# --- stores ------------------------------------------------------------------------------------------


def set_store(settings: Settings, folder: Path, runs: Path, reingest: bool = False) -> tuple[Settings, dict[str, Any]]:
    """Settings of the set's store under ``runs`` (its PDFs + the demo corpus), ingested when missing."""
    from ingest.pipeline import Ingestor

    base = runs / folder.resolve().name
    pdfs = base / "pdf"
    pdfs.mkdir(parents=True, exist_ok=True)
    for source in (folder / "pdf", settings.corpus_path):
        for pdf in sorted(source.glob("*.pdf")):
            if not (pdfs / pdf.name).exists():
                shutil.copy(pdf, pdfs / pdf.name)
    store_settings = settings.model_copy(update={"store_path": base / "store", "chroma_url": None})
    record = base / "ingest.json"
    if reingest or not record.is_file():
        if reingest:
            shutil.rmtree(base / "store", ignore_errors=True)
        started = time.perf_counter()
        summary = Ingestor(store_settings).run([pdfs])
        record.write_text(json.dumps({"seconds": time.perf_counter() - started, "failed": summary.failed}))
    return store_settings, json.loads(record.read_text())


def plain_store(base: Path, pdfs: Path, assistant: Assistant) -> tuple[Any, dict[str, Any]]:
    """The plain pipeline's Chroma store for the same PDFs, built once under ``base``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from evals.baseline import load_and_split

    record = base / "plain.json"
    client = chromadb.PersistentClient(str(base / "plain"), settings=ChromaSettings(anonymized_telemetry=False))
    if record.is_file():
        store = Chroma(client=client, collection_name="plain", embedding_function=assistant.model)
        return store, json.loads(record.read_text())
    started = time.perf_counter()
    store = Chroma.from_documents(
        load_and_split(sorted(pdfs.glob("*.pdf"))),
        embedding=assistant.model,
        client=client,
        collection_name="plain",
        collection_metadata={"hnsw:space": "cosine"},
    )
    info = {"seconds": time.perf_counter() - started}
    record.write_text(json.dumps(info))
    return store, info


# --- the passage a citation shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class _At:
    index: int
    unit: Unit


@dataclass(frozen=True)
class _Units:
    units: tuple[_At, ...]


def shown_passage(library: Library, cand: Candidate) -> str:
    """The passage a citation of ``cand`` shows: its best sentence's unit(s), grown within the
    section to about 700 characters (the read side's :func:`assistant.compose.passage_span`)."""
    best = cand.best(1)
    if not best:
        return cand.chunk.text
    doc: DocumentText = library.document(cand.chunk.doc.key)
    start, end = cand.chunk.start + best[0].start, cand.chunk.start + best[0].end
    indices = [i for i in doc.units_between(start, end) if doc.units[i].kind != "heading"]
    if not indices:
        return cand.chunk.text
    window = _Units(tuple(_At(i, doc.units[i]) for i in indices))
    a, b = passage_span(doc, window)  # type: ignore[arg-type]  # needs only units' indices and sections
    return doc.text[a:b]


# --- scoring ---------------------------------------------------------------------------------------------


@dataclass
class Ranked:
    """One configuration's passages for one question, best first, and how long the search took."""

    passages: list[str]
    ms: float


def hits(question: Question, passages: Sequence[str]) -> list[bool]:
    return [any(evidence_recall(g.evidence, p) >= HIT for g in question.gold) for p in passages[:DEPTH]]


def question_metrics(question: Question, passages: Sequence[str]) -> dict[str, float]:
    found = hits(question, passages)
    first = next((i for i, h in enumerate(found) if h), None)
    return {
        "top": float(bool(found) and found[0]),
        "e@5": float(any(found[:5])),
        "e@10": float(any(found[:10])),
        "mrr": 0.0 if first is None else 1.0 / (first + 1),
    }


def summarise(questions: list[Question], ranked: list[Ranked]) -> dict[str, Any]:
    """Mean metrics overall and per question type, plus latency percentiles."""
    per_q = [question_metrics(q, r.passages) for q, r in zip(questions, ranked, strict=True)]
    out: dict[str, Any] = {"n": len(per_q), **{k: mean([m[k] for m in per_q]) for k in ("top", "e@5", "e@10", "mrr")}}
    types: dict[str, list[dict[str, float]]] = {}
    for q, m in zip(questions, per_q, strict=True):
        types.setdefault(q.type, []).append(m)
    out["by_type"] = {
        t: {"n": len(ms), **{k: mean([m[k] for m in ms]) for k in ("top", "e@5", "e@10", "mrr")}}
        for t, ms in sorted(types.items())
    }
    latencies = sorted(r.ms for r in ranked if r.ms >= 0)
    if latencies:
        out["p50_ms"] = statistics.median(latencies)
        out["p95_ms"] = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    out["misses@5"] = [q.id for q, m in zip(questions, per_q, strict=True) if not m["e@5"]]
    return out


# --- running a configuration -------------------------------------------------------------------------


def variant_search(assistant: Assistant, overrides: dict[str, Any]) -> HybridSearch:
    """A search over the assistant's store with some retrieval or reader settings changed (an index rebuilt
    in memory when the compound word list changes)."""
    settings = assistant.settings
    retrieval = settings.retrieval.model_copy(
        update={k: v for k, v in overrides.items() if k in RetrievalSettings.model_fields}
    )
    reader = settings.reader.model_copy(update={k: v for k, v in overrides.items() if k in ReaderSettings.model_fields})
    index: LexicalIndex = assistant.index
    if "compound_word_list" in overrides:
        word_list = retrieval.compound_word_list
        lexicon = load_lexicon(word_list) if word_list else frozenset()
        index = LexicalIndex.build(index.chunks, index.version, lexicon)
    return HybridSearch(assistant.store, index, assistant.model, retrieval, reader)


def run_project(
    assistant: Assistant, search: HybridSearch, questions: list[Question], library: Library
) -> tuple[list[Ranked], list[Ranked]]:
    """Per question: the shown passages and the chunk texts of the ranking, with the search time."""
    settings = search.settings
    shown, chunks = [], []
    warm = prepare(questions[0].question, [], search.index.analyzer, settings.max_question_chars)
    search.search(warm.query or questions[0].question, vector=assistant.model.embed_query_array(warm.query))
    for q in questions:
        started = time.perf_counter()
        prepared = prepare(q.question, list(q.history), search.index.analyzer, settings.max_question_chars)
        query = prepared.query or q.question
        candidates = search.search(query, vector=assistant.model.embed_query_array(query))[:DEPTH]
        ms = (time.perf_counter() - started) * 1000
        shown.append(Ranked([shown_passage(library, c) for c in candidates], ms))
        chunks.append(Ranked([c.chunk.text for c in candidates], ms))
    return shown, chunks


def run_answers(assistant: Assistant, questions: list[Question]) -> list[Ranked]:
    """The citations of full answers (reader and composer), as ``run_devset.py`` scores them."""
    out = []
    for q in questions:
        answer = assistant.ask(q.question, history=list(q.history))
        passages = [] if answer.refused else [c.text for c in answer.citations]
        out.append(Ranked(passages, answer.timings.get("total", 0.0)))
    return out


def run_plain(store: Any, questions: list[Question]) -> list[Ranked]:
    store.similarity_search(questions[0].question, k=DEPTH)  # warm
    out = []
    for q in questions:
        started = time.perf_counter()
        docs = store.similarity_search(q.question, k=DEPTH)
        out.append(Ranked([d.page_content for d in docs], (time.perf_counter() - started) * 1000))
    return out


@dataclass
class SetResult:
    name: str
    questions: int
    ingest_seconds: float
    plain_ingest_seconds: float | None
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)


def evaluate_set(
    settings: Settings,
    folder: Path,
    runs: Path,
    variants: dict[str, dict[str, Any]],
    with_plain: bool = True,
    with_answers: bool = False,
    reingest: bool = False,
    limit: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SetResult:
    store_settings, ingest = set_store(settings, folder, runs, reingest)
    questions = [q for q in load_set(folder) if q.answerable][: limit or None]
    assistant = Assistant(store_settings)
    library = Library(assistant.index.chunks)
    result = SetResult(folder.resolve().name, len(questions), ingest["seconds"], None)
    for name, overrides in variants.items():
        progress(f"{result.name}: {name}")
        search = variant_search(assistant, overrides) if overrides else assistant.search
        shown, chunks = run_project(assistant, search, questions, library)
        result.configs[name] = summarise(questions, shown)
        result.configs[f"{name} (chunk)"] = summarise(questions, chunks)
    if with_answers:
        progress(f"{result.name}: answers")
        result.configs[f"{PROJECT} (answer)"] = summarise(questions, run_answers(assistant, questions))
    if with_plain:
        progress(f"{result.name}: plain pipeline")
        store, info = plain_store(runs / result.name, runs / result.name / "pdf", assistant)
        result.plain_ingest_seconds = info["seconds"]
        result.configs[PLAIN] = summarise(questions, run_plain(store, questions))
    return result


# --- report ----------------------------------------------------------------------------------------------


def markdown(results: list[SetResult]) -> str:
    lines = []
    for r in results:
        lines.append(f"### {r.name} ({r.questions} answerable questions)")
        lines.append("")
        plain = f", plain {r.plain_ingest_seconds:.0f} s" if r.plain_ingest_seconds else ""
        lines.append(f"First ingest: {r.ingest_seconds:.0f} s{plain}.")
        lines.append("")
        lines.append("| configuration | top | e@5 | e@10 | MRR | p50 ms | p95 ms |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, m in r.configs.items():
            lines.append(
                f"| {name} | {m['top']:.3f} | {m['e@5']:.3f} | {m['e@10']:.3f} | {m['mrr']:.3f} "
                f"| {m.get('p50_ms', 0):.0f} | {m.get('p95_ms', 0):.0f} |"
            )
        lines.append("")
        types = sorted({t for m in r.configs.values() for t in m["by_type"]})
        lines.append("| configuration | " + " | ".join(f"{t} top / e@5" for t in types) + " |")
        lines.append("|---|" + "---|" * len(types))
        for name, m in r.configs.items():
            cells = [
                f"{m['by_type'][t]['top']:.2f} / {m['by_type'][t]['e@5']:.2f} (n={m['by_type'][t]['n']})"
                if t in m["by_type"]
                else "—"
                for t in types
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME:KEY=VALUE,KEY=VALUE`` → (NAME, overrides); an empty value means None. Keys are fields of the
    retrieval or the reader settings."""
    name, _, assignments = text.partition(":")
    overrides: dict[str, Any] = {}
    for item in filter(None, assignments.split(",")):
        key, _, value = item.partition("=")
        overrides[key.strip()] = json.loads(value) if value.strip() not in ("",) and _is_json(value) else value or None
    fields = {**RetrievalSettings.model_fields, **ReaderSettings.model_fields}
    unknown = [k for k in overrides if k not in fields]
    if unknown:
        raise ValueError(f"unknown settings in variant {name!r}: {', '.join(unknown)}")
    return name, overrides


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", type=Path, action="append", required=True, help="question set folder")
    parser.add_argument("--runs", type=Path, default=Path("data/retrieval-eval"), help="where stores are kept")
    parser.add_argument("--out", type=Path, default=Path("reports/retrieval"), help="report folder")
    parser.add_argument("--answers", action="store_true", help="also score the citations of full answers")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain LangChain pipeline")
    parser.add_argument("--reingest", action="store_true", help="rebuild the stores")
    parser.add_argument("--limit", type=int, help="only the first N answerable questions per set")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:KEY=VALUE,… another retrieval configuration (retrieval or reader settings changed) scored "
        "beside the default",
    )
    args = parser.parse_args(argv)
    for folder in args.sets:
        if not (folder / "gold.jsonl").is_file() or not (folder / "pdf").is_dir():
            parser.error(f"{folder} is not a question set: it needs gold.jsonl and a pdf/ folder")
    try:
        variants = dict([(PROJECT, {}), *(parse_variant(v) for v in args.variant)])
    except ValueError as exc:
        parser.error(str(exc))
    settings = get_settings()
    results = []
    for folder in args.sets:
        result = evaluate_set(
            settings,
            folder,
            args.runs,
            variants,
            with_plain=not args.no_plain,
            with_answers=args.answers,
            reingest=args.reingest,
            limit=args.limit,
            progress=lambda text: print(text, file=sys.stderr, flush=True),
        )
        print(markdown([result]), file=sys.stderr, flush=True)  # each set as soon as it is done
        results.append(result)
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(results)
    (args.out / "retrieval.md").write_text(report, encoding="utf-8")
    (args.out / "retrieval.json").write_text(
        json.dumps([r.__dict__ for r in results], indent=1, ensure_ascii=False), encoding="utf-8"
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
