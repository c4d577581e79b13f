"""The reader's fitted models and its decision rules: which window answers, and when to refuse.

Assistant stage (evidence windows → *choice of window* → answer or refusal). A linear ranker orders
the windows of a question; a logistic model estimates whether the chosen window answers the question at
all; :func:`supports` and :func:`choose` are the rules a figure or date question must pass. The weights
live in ``reader_weights.json`` and are fitted by ``python -m evals.train_reader`` (which uses the same
``choose``), cross-validated by document on question sets written outside the project.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("reader_weights.json")


class ReaderWeightsError(ValueError):
    """The weights file does not weigh the features the reader computes."""


FEATURES = (  # what the ranker sees of a window
    "rel_max",
    "rel_first",
    "dense_max",
    "lex_cover",
    "context_cover",
    "next_dense",
    "cut_short",
    "refers_back",
    "doc_rank",
    "doc_cover",
    "doc_focus",
    "focus_cover",
    "head_cover",
    "type_number",
    "type_date",
    "type_cause",
    "type_list",
    "type_other",
    "type_focus",
    "type_cover",
    "unit_bound",
    "type_pred",
    "type_dense",
    "anchor_missing",
    "anchor_in",
    "anchor_near",
    "dense_gap",
    "lex_gap",
    "top_unit",
    "restate_first",
    "novel",
    "prev_question",
    "starts_question",
    "meta",
    "prior",
    "prior_rank",
    "window_dense",
    "chunk_dense",
    "chunk_gap",
    "units",
    "chars",
    "list_window",
    "table_window",
    "list_count",
    "lead_cover",
    "list_items",
)
# What decides whether the best window answers at all (the refusal): absolute, not relative, evidence.
ANSWER_FEATURES = (
    "dense_max",
    "lex_cover",
    "context_cover",
    "doc_cover",
    "doc_focus",
    "focus_cover",
    "type_ok",
    "type_focus",
    "type_cover",
    "unit_bound",
    "type_pred",
    "type_dense",
    "anchor_missing",
    "anchor_in",
)


@dataclass(frozen=True)
class ReaderModel:
    """The fitted reader: a linear ranker over windows, a logistic answerability model for the best
    window, the refusal threshold on that probability, and how close (in ranker logits) a further window
    must come to the best to be quoted too."""

    rank_weights: dict[str, float]
    answer_weights: dict[str, float]
    answer_bias: float
    refusal_threshold: float
    second_margin: float

    def rank(self, features: dict[str, float]) -> float:
        return sum(self.rank_weights[name] * features[name] for name in FEATURES)

    def answerability(self, features: dict[str, float]) -> float:
        z = self.answer_bias + sum(self.answer_weights[name] * features[name] for name in ANSWER_FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def untrained(cls) -> ReaderModel:
        """All weights 0 (every window ties, every answer passes): what training forms windows with."""
        return cls(dict.fromkeys(FEATURES, 0.0), dict.fromkeys(ANSWER_FEATURES, 0.0), 0.0, 0.0, 0.0)

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> ReaderModel:
        """The model in a weights file, which must weigh exactly the declared features: a feature missing
        from the file or one the code no longer computes (renamed, removed) is an error, not a silent 0."""
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, declared in (("rank_weights", FEATURES), ("answer_weights", ANSWER_FEATURES)):
            weighed = set(data.get(name, {}))
            if weighed != set(declared):
                missing, unknown = sorted(set(declared) - weighed), sorted(weighed - set(declared))
                raise ReaderWeightsError(
                    f"{path} does not fit the reader's features ({name}: missing {missing or 'none'}, "
                    f"unknown {unknown or 'none'}); refit it with `make train-reader`."
                )
        return cls(
            rank_weights={k: float(v) for k, v in data["rank_weights"].items()},
            answer_weights={k: float(v) for k, v in data["answer_weights"].items()},
            answer_bias=float(data["answer_bias"]),
            refusal_threshold=float(data["refusal_threshold"]),
            second_margin=float(data["second_margin"]),
        )


SUPPORT_DEPTH = 2  # best-ranked windows among which a figure or date question looks for its answer


def supports(features: dict[str, float], kind: str) -> bool:
    """Whether a window can answer a question of this kind at all (the rules; whether it does answer is
    the answerability model's call).

    A figure or date question needs a figure or date in the window that the question does not name
    itself, and the years, figures and ordinals the question names ("in 2023", "de derde tranche") must
    stand in the window, the sentence before or after it or its heading. When the question counts a noun
    ("hoeveel medewerkers") and no figure stands next to it, a unit with a figure must at least share
    what the question says about its names; a unit with a date always must ("wanneer treedt de wet in
    werking": a date of something else in the same text is no answer). Every question needs its named
    years and figures somewhere in the window's section, and the dates and numbers with which it refers
    to a document somewhere in that document.
    """
    if features["anchor_missing"] > 0:
        return False
    if kind not in ("number", "date"):
        return True
    if features["anchor_near"] < 1.0 or features["type_number"] + features["type_date"] == 0:
        return False
    if kind == "date":
        return features["type_pred"] > 0  # the date's unit says what happened then
    return features["unit_bound"] > 0 or features["type_pred"] > 0


RESTATES = 0.2  # share of a window's content words the question does not already use, below which it restates it


def restates(features: dict[str, float]) -> bool:
    """Whether a window only says what the question says (its words are nearly all the question's)."""
    return features["novel"] < RESTATES


def quotable_for(features: dict[str, float], kind: str) -> bool:
    """Whether a window may be quoted as an answer at all, however well it matches: never one that
    restates the question, never a table for a *waarom* question (a table states figures, not reasons)."""
    return not restates(features) and not (kind == "cause" and features["table_window"])


def choose(ranked: list[dict[str, float]], kind: str) -> int | None:
    """Index of the window to answer with among windows in rank order (their features), or None: the
    best-ranked window that may be quoted (:func:`quotable_for`) and supports the question, looking
    ``SUPPORT_DEPTH`` deep for figure and date questions and at the best such window only for other kinds."""
    depth = SUPPORT_DEPTH if kind in ("number", "date") else 1
    eligible = [i for i, f in enumerate(ranked) if quotable_for(f, kind)][:depth]
    return next((i for i in eligible if supports(ranked[i], kind)), None)


@lru_cache(maxsize=1)
def default_model() -> ReaderModel:
    return ReaderModel.load()
