"""``python -m evals.train_reader --set DIR [--set DIR ...] [--store DIR] [--train-own] [--write]``: fit
the reader's models (``make train-reader`` fits them on ``../shared/trainset``).

Evals stage. Only training sets are fitted on: a set folder named ``devset`` or ``realdev`` is refused,
because those measure the product out of sample. Every question of the given sets (written outside the
project: ``gold.jsonl`` and ``pdf/``) is run through retrieval and the reader on a store of their PDFs
plus the bundled corpus;
each evidence window gets its features and a label — 1 when it holds the gold evidence (≥ 60% of its
words, as the acceptance evaluation counts), 0 when it does not. Two models are fitted:

- the ranker, a linear scorer of windows trained by listwise softmax (per question, the probability
  mass of the windows holding the evidence);
- the answerability model, a logistic regression on the window the reader would answer with
  (:func:`assistant.reader.choose`): answerable questions against questions the documents cannot answer,
  with the refusal threshold that refuses at most ``--max-false-refusals`` of the answerable ones.

Both are cross-validated by document: the documents, in name order, fall into ``--folds`` contiguous
folds (a training set's documents are named by writer, so a fold holds out whole writers), each fold is
scored by models fitted on the others. The project's own set is held out and reported as such unless
``--train-own``. ``--write`` stores the models, their figures and their provenance (sha256 of the
training data, commit, embedding engine, settings fingerprint) in ``assistant/reader_weights.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from assistant.compose import select
from assistant.core import Assistant, Evidence
from assistant.intent import classify
from assistant.reader import Window
from assistant.reader_model import ANSWER_FEATURES, FEATURES, WEIGHTS_FILE, ReaderModel, choose
from beleidsbron.settings import Settings, get_settings
from evals.dataset import Question, load_questions, load_set
from evals.metrics import evidence_recall
from ingest.pipeline import Ingestor

HIT = 0.6  # share of the evidence's words a window must hold
MEASURING_SETS = ("devset", "realdev")  # sets that measure the product: never fitted on


@dataclass
class QuestionWindows:
    question: Question
    group: str  # document of the gold evidence (or of the best window): the unit of cross-validation
    x: np.ndarray  # windows × FEATURES
    xa: np.ndarray  # windows × ANSWER_FEATURES
    y: np.ndarray  # 1 holds the evidence, 0 does not
    hit: np.ndarray  # holds the evidence
    kind: str  # the question's answer type (assistant.intent)
    windows: list[Window]  # as the reader formed them (their scores are set again by each fitted model)


def holds_evidence(window: Window, question: Question) -> bool:
    text = window.text()
    return any(evidence_recall(g.evidence, text) >= HIT for g in question.gold)


def collect(assistant: Assistant, questions: list[Question]) -> list[QuestionWindows]:
    out = []
    for q in questions:
        evidence = assistant.evidence(q.question, history=list(q.history))
        windows = evidence.windows if isinstance(evidence, Evidence) else []
        x = np.array([[w.features[f] for f in FEATURES] for w in windows], dtype=float).reshape(-1, len(FEATURES))
        xa = np.array([[w.features[f] for f in ANSWER_FEATURES] for w in windows], dtype=float).reshape(
            -1, len(ANSWER_FEATURES)
        )
        hit = np.array([holds_evidence(w, q) for w in windows], dtype=bool)
        y = hit.astype(float)
        group = q.gold[0].source if q.gold else (windows[0].doc.doc.source if windows else q.id)
        out.append(QuestionWindows(q, group, x, xa, y, hit, classify(q.question).kind, windows))
    return out


def fit_ranker(data: list[QuestionWindows], l2: float) -> np.ndarray:
    """Linear ranker by listwise softmax: per question, maximise the probability mass of the windows
    that hold the evidence among all windows (windows that hold it but are too long are left out)."""
    groups = []
    for d in data:
        keep = d.y >= 0
        if (d.y[keep] == 1).any() and (d.y[keep] == 0).any():
            groups.append((d.x[keep], d.y[keep] == 1))
    n_features = len(FEATURES)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = l2 * float(w @ w), 2 * l2 * w
        for x, pos in groups:
            z = x @ w
            z = z - z.max()
            e = np.exp(z)
            p_all = e / e.sum()
            p_pos = p_all[pos].sum()
            value -= np.log(p_pos + 1e-12) / len(groups)
            # d(-log sum_pos p)/dz = p_all - p_all*[pos]/p_pos
            g = p_all.copy()
            g[pos] -= p_all[pos] / (p_pos + 1e-12)
            grad = grad + (x.T @ g) / len(groups)
        return value, grad

    return minimize(loss, np.zeros(n_features), jac=True, method="L-BFGS-B").x


def fit_logistic(x: np.ndarray, t: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Logistic regression with L2 (classes weighted equally)."""
    sw = np.where(t == 1, 0.5 / max(1, (t == 1).sum()), 0.5 / max(1, (t == 0).sum())) * len(t)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -30, 30)))
        value = -np.sum(sw * (t * np.log(p + 1e-9) + (1 - t) * np.log(1 - p + 1e-9))) / len(t) + l2 * (w @ w)
        gz = sw * (p - t) / len(t)
        return value, np.concatenate([x.T @ gz + 2 * l2 * w, [gz.sum()]])

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def chosen_windows(data: list[QuestionWindows], rank: np.ndarray) -> list[int]:
    """Per question, the window the reader answers with (as ``assistant.reader.choose`` picks it), -1
    when it refuses for want of a supporting window."""
    out = []
    for d in data:
        order = np.argsort(-(d.x @ rank)) if len(d.x) else np.array([], dtype=int)
        ranked = [dict(zip(FEATURES, d.x[i], strict=True)) for i in order]
        pick = choose(ranked, d.kind)
        out.append(int(order[pick]) if pick is not None else -1)
    return out


def fit_answer(data: list[QuestionWindows], rank: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Answerability of the chosen window: answerable questions against questions the documents
    cannot answer."""
    rows, targets = [], []
    for d, chosen in zip(data, chosen_windows(data, rank), strict=True):
        if chosen >= 0:
            rows.append(d.xa[chosen])
            targets.append(float(d.question.answerable))
    return fit_logistic(np.array(rows), np.array(targets), l2)


def question_scores(
    data: list[QuestionWindows], rank: np.ndarray, answer: tuple[np.ndarray, float]
) -> list[tuple[float, bool, bool]]:
    """Per question: (answerability of the chosen window, -1 when none; it holds the evidence; answerable)."""
    w, b = answer
    out = []
    for d, chosen in zip(data, chosen_windows(data, rank), strict=True):
        if chosen < 0:
            out.append((-1.0, False, d.question.answerable))  # refused whatever the threshold
            continue
        p = 1.0 / (1.0 + np.exp(-np.clip(d.xa[chosen] @ w + b, -30, 30)))
        out.append((float(p), bool(d.hit[chosen]), d.question.answerable))
    return out


def pick_threshold(scores: list[tuple[float, bool, bool]], max_false: float) -> float:
    """The threshold that refuses the most unanswerable questions, refusing at most ``max_false`` of the
    answerable ones."""
    answerable = sorted(s for s, _, a in scores if a)
    if not answerable:
        return 0.5
    unsupported = sum(s < 0 for s in answerable)  # refused for want of a supporting window
    allowed = int(max_false * len(answerable)) - unsupported
    return float(answerable[unsupported + allowed]) if allowed > 0 else 0.0


def summarise(scores: list[tuple[float, bool, bool]], thresholds: list[float]) -> dict[str, float]:
    """Held-out figures: each question judged against the threshold of the model that scored it."""
    ans = [(s >= t, h) for (s, h, a), t in zip(scores, thresholds, strict=True) if a]
    una = [s >= t for (s, _, a), t in zip(scores, thresholds, strict=True) if not a]
    return {
        "top_window_holds_evidence": sum(answered and h for answered, h in ans) / max(1, len(ans)),
        "false_refusal": sum(not answered for answered, _ in ans) / max(1, len(ans)),
        "near_miss_refused": sum(not answered for answered in una) / max(1, len(una)),
        "questions": float(len(scores)),
    }


@dataclass(frozen=True)
class Fitted:
    rank: np.ndarray
    answer: tuple[np.ndarray, float]
    threshold: float
    margin: float = 1.0


MARGINS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)  # ranker logits a further window may trail the first (fitted)
ANSWER_CHARS = 700  # the mean answer length the margin may not exceed


def answers(data: list[QuestionWindows], model: Fitted) -> list[tuple[bool, bool, int]]:
    """Per question, the answer the product would give with this model (``assistant.compose.select`` on
    the question's windows, scored by the model): (answered, it holds the evidence, characters quoted)."""
    w, b = model.answer
    out = []
    for d in data:
        for window, x, xa in zip(d.windows, d.x, d.xa, strict=True):
            window.score = float(x @ model.rank)
            window.answers = float(1.0 / (1.0 + np.exp(-np.clip(xa @ w + b, -30, 30))))
        ranked = sorted(d.windows, key=lambda win: -win.score)
        picks = select(ranked, d.kind, model.threshold, model.margin)
        chars = sum(len(p.window.text()) for p in picks)
        out.append((bool(picks), any(holds_evidence(p.window, d.question) for p in picks), chars))
    return out


def answer_figures(data: list[QuestionWindows], answered: list[tuple[bool, bool, int]]) -> dict[str, float]:
    """End-to-end figures of the answers: the evidence quoted, false refusals, near-misses refused,
    answer length, and the evidence quoted per question type."""
    ans = [a for d, a in zip(data, answered, strict=True) if d.question.answerable]
    una = [a for d, a in zip(data, answered, strict=True) if not d.question.answerable]
    given = [chars for ok, _, chars in answered if ok]
    out = {
        "answer_holds_evidence": sum(hit for _, hit, _ in ans) / max(1, len(ans)),
        "false_refusal": sum(not ok for ok, _, _ in ans) / max(1, len(ans)),
        "near_miss_refused": sum(not ok for ok, _, _ in una) / max(1, len(una)),
        "answer_chars": float(np.mean(given)) if given else 0.0,
        "questions": float(len(data)),
    }
    for kind in sorted({d.question.type for d in data if d.question.answerable}):
        typed = [a for d, a in zip(data, answered, strict=True) if d.question.answerable and d.question.type == kind]
        out[f"holds_evidence_{kind}"] = sum(hit for _, hit, _ in typed) / max(1, len(typed))
    return out


def fit_margin(data: list[QuestionWindows], model: Fitted) -> float:
    """The margin under which the answers hold the evidence most often while staying, on average,
    within :data:`ANSWER_CHARS` (the smallest such margin on a tie)."""
    best, best_hits = 0.0, -1
    for margin in MARGINS:
        answered = answers(data, Fitted(model.rank, model.answer, model.threshold, margin))
        given = [chars for ok, _, chars in answered if ok]
        if given and np.mean(given) > ANSWER_CHARS:
            continue
        hits = sum(hit for _, hit, _ in answered)
        if hits > best_hits:
            best, best_hits = margin, hits
    return best


def fit_all(data: list[QuestionWindows], l2: float, l2_answer: float, max_false: float) -> Fitted:
    rank = fit_ranker(data, l2)
    answer = fit_answer(data, rank, l2_answer)
    model = Fitted(rank, answer, pick_threshold(question_scores(data, rank, answer), max_false))
    return Fitted(rank, answer, model.threshold, fit_margin(data, model))


def cross_validate(
    data: list[QuestionWindows], l2: float, l2_answer: float, max_false: float, folds: int
) -> dict[str, float]:
    groups = sorted({d.group for d in data})
    scores: list[tuple[float, bool, bool]] = []
    thresholds: list[float] = []
    margins: list[float] = []
    held_data: list[QuestionWindows] = []
    answered: list[tuple[bool, bool, int]] = []
    size = -(-len(groups) // folds)
    for k in range(folds):
        held = set(groups[k * size : (k + 1) * size])
        train = [d for d in data if d.group not in held]
        test = [d for d in data if d.group in held]
        if not test or not train:
            continue
        model = fit_all(train, l2, l2_answer, max_false)
        held_scores = question_scores(test, model.rank, model.answer)
        scores.extend(held_scores)
        thresholds.extend([model.threshold] * len(held_scores))
        margins.append(model.margin)
        held_data.extend(test)
        answered.extend(answers(test, model))
    return (
        summarise(scores, thresholds)
        | answer_figures(held_data, answered)
        | {"folds": float(folds), "threshold_mean": float(np.mean(thresholds)), "margin_mean": float(np.mean(margins))}
    )


def build_store(settings: Settings, pdf_folders: list[Path], store: Path) -> Settings:
    """An evaluation store with all sets' PDFs (reused when it exists)."""
    settings = settings.model_copy(update={"store_path": store, "chroma_url": None})
    if not (store / "chroma").is_dir():
        with tempfile.TemporaryDirectory(prefix="beleidsbron-train-") as tmp:
            folder = Path(tmp)
            for pdfs in pdf_folders:
                for pdf in sorted(pdfs.glob("*.pdf")):
                    shutil.copy(pdf, folder / pdf.name)
            summary = Ingestor(settings).run([folder])
            print(f"ingested {summary.count('ingested')} PDFs into {store} in {summary.seconds:.0f} s", file=sys.stderr)
    return settings


def provenance(sets: list[Path], settings: Settings) -> dict[str, object]:
    """What the weights were fitted on and with: the training data's sha256 (questions and PDFs), the
    commit, the embedding engine and the settings fingerprint."""
    digest = hashlib.sha256()
    for folder in sets:
        for path in sorted([folder / "gold.jsonl", *(folder / "pdf").glob("*.pdf")]):
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "data_sha256": digest.hexdigest(),
        "commit": commit,
        "embedding": settings.embedding_identity(),
        "settings_fingerprint": settings.fingerprint(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_reader", description=__doc__)
    parser.add_argument("--set", dest="sets", type=Path, action="append", default=[], help="external set folder")
    parser.add_argument("--store", type=Path, help="evaluation store to build or reuse (default: a temp dir)")
    parser.add_argument(
        "--train-own", action="store_true", help="also fit on the project's own set (default: it is held out)"
    )
    parser.add_argument("--l2", type=float, default=0.001, help="L2 penalty of the ranker")
    parser.add_argument("--l2-answer", type=float, default=0.01, help="L2 penalty of the answerability model")
    parser.add_argument("--max-false-refusals", type=float, default=0.08, help="when picking the threshold")
    parser.add_argument("--folds", type=int, default=8, help="cross-validation folds of whole documents")
    parser.add_argument("--write", action="store_true", help=f"write the fitted model to {WEIGHTS_FILE}")
    args = parser.parse_args(argv)
    if not args.sets and not args.train_own:
        parser.error("give at least one --set DIR to fit on, or --train-own")
    for folder in args.sets:
        if folder.resolve().name in MEASURING_SETS:
            parser.error(f"{folder} measures the product out of sample; fit on a training set instead")
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="beleidsbron-train-store-") as tmp:
        store = args.store or Path(tmp) / "store"
        folders = [settings.corpus_path, *(s / "pdf" for s in args.sets)]
        eval_settings = build_store(settings, folders, store)
        assistant = Assistant(eval_settings, reader_model=ReaderModel.untrained())
        started = time.perf_counter()
        own = collect(assistant, load_questions())
        external = collect(assistant, [q for s in args.sets for q in load_set(s)])
        print(f"{len(own) + len(external)} questions read in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    train = external + (own if args.train_own else [])
    cv = cross_validate(train, args.l2, args.l2_answer, args.max_false_refusals, args.folds)
    model = fit_all(train, args.l2, args.l2_answer, args.max_false_refusals)

    def figures(data: list[QuestionWindows]) -> dict[str, float]:
        scores = question_scores(data, model.rank, model.answer)
        reachable = sum(bool(d.hit.any()) for d in data if d.question.answerable)
        answerable = sum(d.question.answerable for d in data)
        out = summarise(scores, [model.threshold] * len(data)) | answer_figures(data, answers(data, model))
        return {k: round(v, 3) for k, v in out.items()} | {"a_window_holds_the_evidence": f"{reachable}/{answerable}"}

    report = {
        "rank_weights": {f: round(float(v), 4) for f, v in zip(FEATURES, model.rank, strict=True)},
        "answer_weights": {f: round(float(v), 4) for f, v in zip(ANSWER_FEATURES, model.answer[0], strict=True)},
        "answer_bias": round(model.answer[1], 4),
        "refusal_threshold": round(model.threshold, 4),
        "second_margin": round(model.margin, 2),
        "fitted_on": {
            "sets": [s.name for s in args.sets] + (["own"] if args.train_own else []),
            "questions": len(train),
            "l2": args.l2,
            "l2_answer": args.l2_answer,
            "max_false_refusals": args.max_false_refusals,
            **provenance(args.sets, settings),
        },
        "cross_validated_by_document": {k: round(v, 3) for k, v in cv.items()},
        "fitted": figures(train),
        "own_set": figures(own) | {"held_out": not args.train_own},
    }
    print(json.dumps({k: v for k, v in report.items() if not k.endswith("weights")}, indent=1))
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {WEIGHTS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
