"""Fit retrieval's fusion weights and candidate depths on a training set, cross-validated by document.

``python -m evals.fit_retrieval --set ../shared/trainset [--runs DIR] [--out DIR] [--write]``

Evals stage. Only for a set meant for fitting (``../shared/trainset``); never run it on the dev sets.
The set's store is built once (:func:`evals.retrieval.set_store`); every question is prepared and
embedded once, and the store's vector searches and sentence vectors are memoised, so a configuration
costs only BM25, fusion and re-scoring per question.

``dense_weight`` (the dense share of a sentence's score) is not fitted here: the reader uses it too,
and its weights were fitted with 0.6. The objective per question is the retrieval evaluation's: the
first passage a citation would show holds the evidence (``top``) plus the evidence in one of the first
five (``e@5``). The search is coordinate ascent over a small grid of each setting, starting from the
hand-set values before any fitting (``START``).

Cross-validation by document: questions are grouped by the writer of their document (file names
``t<writer>d<n>.pdf``; any other name is its own group), the writers dealt into four folds; for each
fold the ascent is run on the other folds' questions and the chosen configuration is scored on the
held-out fold (whose documents and writers it never saw). The pooled
held-out figures are the out-of-sample estimate the README reports; the final values come from an
ascent on all questions and are written into ``beleidsbron/settings.py`` (the defaults of
:class:`~beleidsbron.settings.RetrievalSettings`) with ``--write``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core import Assistant
from assistant.passages import Library
from assistant.question import prepare
from assistant.retrieval import HybridSearch
from beleidsbron.settings import PROJECT_ROOT, Settings, get_settings
from beleidsbron.store import Store
from evals.dataset import Question, load_set
from evals.retrieval import DEPTH, question_metrics, set_store, shown_passage

GRID: dict[str, Sequence[Any]] = {
    "fusion_sentence": (0.0, 0.5, 1.0, 2.0),
    "fusion_lexical": (0.5, 1.0, 2.0),
    "fusion_dense": (0.0, 0.5, 1.0),
    "fusion_document": (0.0, 0.5, 1.0),
    "lexical_neighbour": (0.0, 0.25, 0.5),
    "lexical_document": (0.0, 0.15, 0.3),
    "fusion_prior": (0.3, 0.5, 0.7),
    "rrf_k": (20, 60),
    "feedback_passages": (0, 3, 6),
    "feedback_terms": (10, 20),
    "feedback_weight": (0.2, 0.4),
    "compound_weight": (0.0, 0.5, 1.0),
    "rescore_candidates": (16, 24, 40),
    "sentence_candidates": (30, 60, 120),
    "dense_candidates": (40, 80),
    "lexical_candidates": (40, 80),
}
# where every ascent starts: the hand-set values before any fitting (equal fusion weights, no feedback, no
# context), never the current defaults — those were fitted on all questions, and a held-out fold must not
# start from a point its own questions chose
START: dict[str, Any] = {
    "fusion_sentence": 1.0,
    "fusion_lexical": 1.0,
    "fusion_dense": 1.0,
    "fusion_document": 0.0,
    "lexical_neighbour": 0.0,
    "lexical_document": 0.0,
    "fusion_prior": 0.5,
    "rrf_k": 60,
    "feedback_passages": 0,
    "feedback_terms": 10,
    "feedback_weight": 0.3,
    "compound_weight": 0.5,
    "rescore_candidates": 24,
    "sentence_candidates": 60,
    "dense_candidates": 40,
    "lexical_candidates": 40,
}
ROUNDS = 2
FOLDS = 4
# a change is taken only when it gains this much (top + e@5, ≈ 3 question hits on 300 questions): smaller
# gains are noise of one set's writing style, and a change that only fits them did not carry over
MIN_GAIN = 0.01
_WRITER = re.compile(r"^(.*?)d\d+\.pdf$")


class _CachedCollection:
    """A Chroma collection's ``query`` memoised per (query vector, filter); nearest-first results of a
    deeper earlier query answer a shallower one."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self._memo: dict[tuple[bytes, str, tuple[str, ...]], tuple[int, dict[str, Any]]] = {}

    def query(self, query_embeddings: Any, n_results: int, where: Any = None, include: Any = ()) -> dict[str, Any]:
        key = (np.asarray(query_embeddings[0], np.float32).tobytes(), json.dumps(where, sort_keys=True), tuple(include))
        depth, got = self._memo.get(key, (0, {}))
        if depth < n_results:
            got = self._collection.query(
                query_embeddings=query_embeddings, n_results=n_results, where=where, include=include
            )
            self._memo[key] = (n_results, got)
        return {k: [v[0][:n_results]] if _nested(v) else v for k, v in got.items()}


def _nested(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], list)


class CachedStore:
    """The parts of :class:`Store` that search uses, memoised (read-only use only)."""

    def __init__(self, store: Store) -> None:
        self.chunks = _CachedCollection(store.chunks)
        self.sentences = _CachedCollection(store.sentences)
        self._store = store
        self._vectors: dict[str, list[tuple[int, int, np.ndarray]]] = {}

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        missing = [c for c in chunk_ids if c not in self._vectors]
        if missing:
            self._vectors.update(self._store.sentence_vectors(missing))
        return {c: self._vectors[c] for c in chunk_ids}


def group_of(question: Question) -> str:
    """The writer of the question's document (``t3d2.pdf`` → ``t3``), else the document itself."""
    source = question.gold[0].source
    match = _WRITER.match(source)
    return match.group(1) if match else source


class Fitter:
    """Scores configurations (overrides of the retrieval settings) on every question, memoised per configuration."""

    def __init__(self, assistant: Assistant, questions: list[Question]) -> None:
        self.assistant = assistant
        self.questions = questions
        self.library = Library(assistant.index.chunks)
        self.store = CachedStore(assistant.store)
        self.queries = []
        limit = assistant.settings.retrieval.max_question_chars
        for q in questions:
            prepared = prepare(q.question, list(q.history), assistant.index.analyzer, limit)
            query = prepared.query or q.question
            self.queries.append((query, assistant.model.embed_query_array(query)))
        self._memo: dict[str, np.ndarray] = {}
        self._holds: dict[tuple[int, str], bool] = {}

    def _metrics_of(self, i: int, passages: list[str]) -> list[float]:
        found = []
        for text in passages:
            key = (i, text)
            if key not in self._holds:
                self._holds[key] = question_metrics(self.questions[i], [text])["top"] > 0
            found.append(self._holds[key])
        first = next((r for r, hit in enumerate(found) if hit), None)
        top = float(bool(found) and found[0])
        return [top, float(any(found[:5])), float(any(found)), 0.0 if first is None else 1.0 / (first + 1)]

    def metrics(self, overrides: dict[str, Any]) -> np.ndarray:
        """Per question: top, e@5, e@10, MRR (rows in question order)."""
        key = json.dumps(overrides, sort_keys=True)
        if key not in self._memo:
            settings = self.assistant.settings
            retrieval = settings.retrieval.model_copy(update=overrides)
            search = HybridSearch(self.store, self.assistant.index, self.assistant.model, retrieval, settings.reader)  # type: ignore[arg-type]
            rows = []
            for i, (query, vector) in enumerate(self.queries):
                candidates = search.search(query, vector=vector)[:DEPTH]
                rows.append(self._metrics_of(i, [shown_passage(self.library, c) for c in candidates]))
            self._memo[key] = np.asarray(rows, float)
        return self._memo[key]

    def objective(self, overrides: dict[str, Any], rows: np.ndarray) -> float:
        m = self.metrics(overrides)[rows]
        return float(m[:, 0].mean() + m[:, 1].mean()) if len(m) else 0.0

    def ascend(self, rows: np.ndarray, start: dict[str, Any], log: Any = None) -> dict[str, Any]:
        """Coordinate ascent over ``GRID`` on the questions ``rows``; a change must gain ``MIN_GAIN``."""
        best = dict(start)
        best_value = self.objective(best, rows)
        for _ in range(ROUNDS):
            changed = False
            for name, values in GRID.items():
                for value in values:
                    if value == best[name]:
                        continue
                    trial = {**best, name: value}
                    got = self.objective(trial, rows)
                    if got > best_value + MIN_GAIN:
                        best, best_value, changed = trial, got, True
                if log:
                    log(f"  {name}={best[name]} objective {best_value:.4f} ({len(self._memo)} configurations)")
            if not changed:
                break
        return best


def cross_validate(fitter: Fitter, start: dict[str, Any], log: Any, folds: int = FOLDS) -> dict[str, Any]:
    """Held-out figures: the writers (document groups) dealt round-robin into ``folds`` folds; each fold
    is scored with the configuration fitted on the others."""
    writers = sorted({group_of(q) for q in fitter.questions})
    fold_of = {w: "+".join(writers[i % folds :: folds]) for i, w in enumerate(writers)}
    groups = [fold_of[group_of(q)] for q in fitter.questions]
    names = sorted(set(groups))
    held_out = np.zeros((len(fitter.questions), 4))
    default = fitter.metrics(start)
    chosen = {}
    for name in names:
        test = np.asarray([g == name for g in groups])
        log(f"fold {name}: fitting on {int((~test).sum())} questions, scoring {int(test.sum())}")
        fitted = fitter.ascend(np.flatnonzero(~test), start)
        held_out[test] = fitter.metrics(fitted)[test]
        chosen[name] = fitted
    columns = ("top", "e@5", "e@10", "mrr")
    by_type: dict[str, dict[str, float]] = {}
    for kind in sorted({q.type for q in fitter.questions}):
        rows = np.asarray([q.type == kind for q in fitter.questions])
        by_type[kind] = {
            "n": int(rows.sum()),
            **{f"cv {c}": float(held_out[rows, i].mean()) for i, c in enumerate(columns)},
            **{f"default {c}": float(default[rows, i].mean()) for i, c in enumerate(columns)},
        }
    return {
        "folds": names,
        "cv": {c: float(held_out[:, i].mean()) for i, c in enumerate(columns)},
        "start": {c: float(default[:, i].mean()) for i, c in enumerate(columns)},
        "by_type": by_type,
        "chosen_per_fold": chosen,
    }


def write_defaults(values: dict[str, Any], path: Path = PROJECT_ROOT / "beleidsbron" / "settings.py") -> None:
    """Replace the defaults of the fitted fields in the settings source (in ``class RetrievalSettings``)."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"\nclass RetrievalSettings\(.*?(?=\nclass |\Z)", text, re.DOTALL)
    if found is None:
        raise ValueError(f"no class RetrievalSettings in {path}")
    body = found.group(0)
    for name, value in values.items():
        pattern = re.compile(rf"(\n    {name}: [^=\n]+= Field\(\s*)([-0-9.]+)")
        body, n = pattern.subn(lambda m, v=value: m.group(1) + repr(v), body, count=1)
        if n != 1:
            raise ValueError(f"no numeric default for {name} in RetrievalSettings of {path}")
    path.write_text(text[: found.start()] + body + text[found.end() :], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="folder", type=Path, required=True, help="the training set folder")
    parser.add_argument("--runs", type=Path, default=Path("data/retrieval-eval"), help="where stores are kept")
    parser.add_argument("--out", type=Path, default=Path("reports/retrieval"), help="report folder")
    parser.add_argument("--no-cv", action="store_true", help="fit on all questions only")
    parser.add_argument("--write", action="store_true", help="write the fitted values into beleidsbron/settings.py")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    settings: Settings = get_settings()
    store_settings, _ = set_store(settings, args.folder, args.runs)
    assistant = Assistant(store_settings)
    questions = [q for q in load_set(args.folder) if q.answerable]
    started = time.perf_counter()
    fitter = Fitter(assistant, questions)
    start = dict(START)
    report: dict[str, Any] = {"set": args.folder.resolve().name, "questions": len(questions), "grid": GRID}
    if not args.no_cv:
        report["cross_validation"] = cross_validate(fitter, start, log)
    log("final fit on all questions")
    final = fitter.ascend(np.arange(len(questions)), start, log)
    m = fitter.metrics(final)
    report["fitted"] = final
    report["in_sample"] = {c: float(m[:, i].mean()) for i, c in enumerate(("top", "e@5", "e@10", "mrr"))}
    report["configurations_scored"] = len(fitter._memo)
    report["seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fit_retrieval.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "grid"}, indent=1))
    if args.write:
        write_defaults(final)
        log("written into beleidsbron/settings.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
