"""Evaluation set: loading and verification against the built PDFs.

The questions live in ``data/questions.jsonl``, one JSON object per line::

    {"id": "q001", "type": "fact", "question": "...", "answerable": true,
     "gold": [{"source": "01-....pdf", "pages": [4], "evidence": "<verbatim sentence from that page>"}],
     "answer": "<short reference answer>", "history": [{"question": "...", "answer": "..."}]}

:func:`load_questions` checks the shape of every line; :func:`verify` checks the content against the
corpus: every gold evidence must really be on its gold page(s), found either in the page text that
ingest reads (letters and digits only, so layout does not matter) or in the cleaned page text.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.cleaning import CleanPage, clean_pages
from ingest.pdf_reader import read_pdf
from ingest.structure import build_document

DATA = Path(__file__).parent / "data" / "questions.jsonl"

TYPES = ("fact", "explanation", "list", "multi_doc", "paraphrase", "follow_up", "unanswerable")

# Minimum number of questions per type ("total": all questions) and per corpus document.
MINIMUMS: dict[str, int] = {"total": 90, "paraphrase": 20, "unanswerable": 12, "follow_up": 8, "multi_doc": 6}
MIN_PER_DOCUMENT = 6
MIN_EVIDENCE_WORDS = 8

_FIELDS = {"id", "type", "question", "answerable", "gold", "answer", "history"}
_GOLD_FIELDS = {"source", "pages", "evidence"}


@dataclass(frozen=True)
class Gold:
    """Where the answer is: a PDF file name, its 1-based page number(s) and a verbatim sentence."""

    source: str
    pages: tuple[int, ...]
    evidence: str


@dataclass(frozen=True)
class Question:
    """One evaluation question; ``history`` holds earlier (question, answer) turns of a conversation."""

    id: str
    type: str
    question: str
    answerable: bool
    gold: tuple[Gold, ...]
    answer: str
    history: tuple[tuple[str, str], ...] = ()


# --- loading ---------------------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _text(obj: dict[str, Any], key: str, where: str, allow_empty: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{where}: '{key}' must be a string")
    _require(allow_empty or bool(value.strip()), f"{where}: '{key}' must not be empty")
    return value


def _gold(obj: object, where: str) -> Gold:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: must be an object")
    _require(set(obj) == _GOLD_FIELDS, f"{where}: needs exactly the keys {sorted(_GOLD_FIELDS)}")
    pages = obj["pages"]
    _require(
        isinstance(pages, list) and bool(pages) and all(isinstance(p, int) and not isinstance(p, bool) for p in pages),
        f"{where}: 'pages' must be a non-empty list of integers",
    )
    _require(pages == sorted(set(pages)), f"{where}: 'pages' must be ascending without repeats")
    return Gold(
        source=_text(obj, "source", where),
        pages=tuple(pages),
        evidence=_text(obj, "evidence", where),
    )


def _history(obj: object, where: str) -> tuple[str, str]:
    if not isinstance(obj, dict) or set(obj) != {"question", "answer"}:
        raise ValueError(f"{where}: needs exactly the keys answer and question")
    return _text(obj, "question", where), _text(obj, "answer", where, allow_empty=True)


def parse_question(obj: object, where: str = "question") -> Question:
    """Build a :class:`Question` from one decoded JSON object; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: must be a JSON object")
    missing, extra = _FIELDS - set(obj), set(obj) - _FIELDS
    _require(not missing, f"{where}: missing keys {sorted(missing)}")
    _require(not extra, f"{where}: unknown keys {sorted(extra)}")
    qtype = _text(obj, "type", where)
    _require(qtype in TYPES, f"{where}: unknown type {qtype!r} (expected one of {', '.join(TYPES)})")
    _require(isinstance(obj["answerable"], bool), f"{where}: 'answerable' must be true or false")
    _require(isinstance(obj["gold"], list), f"{where}: 'gold' must be a list")
    _require(isinstance(obj["history"], list), f"{where}: 'history' must be a list")
    return Question(
        id=_text(obj, "id", where),
        type=qtype,
        question=_text(obj, "question", where),
        answerable=obj["answerable"],
        gold=tuple(_gold(g, f"{where}, gold[{i}]") for i, g in enumerate(obj["gold"])),
        answer=_text(obj, "answer", where, allow_empty=True),
        history=tuple(_history(h, f"{where}, history[{i}]") for i, h in enumerate(obj["history"])),
    )


def load_questions(path: Path = DATA) -> list[Question]:
    """Read the JSONL evaluation set; raises ValueError naming the line of the first bad entry."""
    questions: list[Question] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: invalid JSON ({exc.msg})") from exc
            questions.append(parse_question(obj, where))
    return questions


_SET_TYPES = {"explain": "explanation"}


def load_set(folder: Path) -> list[Question]:
    """An evaluation set written outside the project: ``folder/gold.jsonl`` with one question a line
    (``qid``, ``question``, ``type``; answerable ones also ``file``, ``pages`` and verbatim ``evidence``)
    and the PDFs in ``folder/pdf``."""
    questions = []
    path = folder / "gold.jsonl"
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            obj = json.loads(line)
            where = f"{path} line {number}"
            answerable = bool(obj.get("doc_id") or obj.get("evidence"))
            gold = (
                (Gold(_text(obj, "file", where), tuple(obj["pages"]), _text(obj, "evidence", where)),)
                if answerable
                else ()
            )
            kind = _SET_TYPES.get(obj.get("type", ""), obj.get("type", "fact"))
            questions.append(
                Question(
                    id=_text(obj, "qid", where),
                    type=kind if kind in TYPES else "fact",
                    question=_text(obj, "question", where),
                    answerable=answerable,
                    gold=gold,
                    answer=str(obj.get("answer", "")),
                )
            )
    return questions


# --- verification ----------------------------------------------------------------------------------


def letters_and_digits(text: str) -> str:
    """Lower-case letters and digits only: line breaks, hyphenation, spacing and punctuation vanish."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Document:
    raw: list[str]  # the page texts of the layout ingest reads (ingest.pdf_reader.read_pdf)
    clean: list[CleanPage]  # ingest.cleaning.clean_pages per page


def _read(path: Path) -> _Document:
    layouts = read_pdf(path.read_bytes()).pages
    return _Document(raw=[page.text for page in layouts], clean=clean_pages(layouts))


def evidence_on_pages(evidence: str, doc: _Document, pages: tuple[int, ...]) -> tuple[bool, bool]:
    """Whether ``evidence`` is on ``pages`` (1-based) as (found in raw text, found in the document text
    ingest builds from those pages)."""
    raw = "".join(doc.raw[p - 1] for p in pages)
    in_raw = letters_and_digits(evidence) in letters_and_digits(raw)
    clean = build_document([doc.clean[p - 1] for p in pages]).text
    in_clean = collapse_spaces(evidence) in collapse_spaces(clean)
    return in_raw, in_clean


def _check_question(q: Question) -> list[str]:
    """Problems of one question on its own (without the corpus)."""
    problems: list[str] = []
    if q.answerable == (q.type == "unanswerable"):
        problems.append(f"{q.id}: type {q.type} does not fit answerable={q.answerable}")
    if q.answerable and (not q.gold or not q.answer.strip()):
        problems.append(f"{q.id}: an answerable question needs gold evidence and a reference answer")
    if not q.answerable and (q.gold or q.answer):
        problems.append(f"{q.id}: an unanswerable question must have no gold and an empty answer")
    if q.type == "multi_doc" and len({g.source for g in q.gold}) < 2:
        problems.append(f"{q.id}: multi_doc needs gold from at least two different documents")
    if q.type == "follow_up" and not q.history:
        problems.append(f"{q.id}: follow_up needs a history")
    if q.type != "follow_up" and q.history:
        problems.append(f"{q.id}: only follow_up questions have a history")
    for g in q.gold:
        if len(g.evidence.split()) < MIN_EVIDENCE_WORDS:
            problems.append(f"{q.id}: evidence shorter than {MIN_EVIDENCE_WORDS} words: {g.evidence!r}")
        if any(b != a + 1 for a, b in zip(g.pages, g.pages[1:], strict=False)):
            problems.append(f"{q.id}: evidence pages {list(g.pages)} of {g.source} are not consecutive")
    return problems


def _check_counts(questions: list[Question], documents: Iterable[str]) -> list[str]:
    problems: list[str] = []
    types = Counter(q.type for q in questions)
    for qtype, minimum in MINIMUMS.items():
        have = len(questions) if qtype == "total" else types[qtype]
        if have < minimum:
            problems.append(f"counts: {have} {qtype} questions, at least {minimum} needed")
    per_doc = Counter(source for q in questions for source in {g.source for g in q.gold})
    for name in sorted(documents):
        if per_doc[name] < MIN_PER_DOCUMENT:
            have = per_doc[name]
            problems.append(f"counts: {name} has {have} questions, at least {MIN_PER_DOCUMENT} needed")
    return problems


def verify(questions: list[Question], corpus_dir: Path, *, check_counts: bool = True) -> list[str]:
    """Check the evaluation set against the PDFs in ``corpus_dir``; returns the problems (empty: fine).

    Every gold evidence must be found on its gold page(s) in the page text ingest reads (compared on
    letters and digits only) or in the cleaned page text of ``ingest.cleaning`` (whitespace collapsed).
    Also checked:
    source files exist, pages are in range, ids are unique, follow-up histories refer to existing
    questions, and (with ``check_counts``) the minimum counts per type and per corpus document.
    """
    problems: list[str] = []
    for qid, n in sorted(Counter(q.id for q in questions).items()):
        if n > 1:
            problems.append(f"{qid}: id used {n} times")
    by_text = {q.question: q for q in questions}
    documents: dict[str, _Document | None] = {}
    for q in questions:
        problems += _check_question(q)
        for past_question, past_answer in q.history:
            earlier = by_text.get(past_question)
            if earlier is None:
                problems.append(f"{q.id}: history question is not a question of the set: {past_question!r}")
            elif earlier is q:
                problems.append(f"{q.id}: history refers to the question itself")
            elif past_answer != earlier.answer:
                problems.append(f"{q.id}: history answer differs from the reference answer of {earlier.id}")
        for g in q.gold:
            if g.source not in documents:
                path = corpus_dir / g.source
                documents[g.source] = _read(path) if path.is_file() else None
            doc = documents[g.source]
            if doc is None:
                problems.append(f"{q.id}: source {g.source} not found in {corpus_dir}")
                continue
            bad = [p for p in g.pages if not 1 <= p <= len(doc.raw)]
            if bad:
                problems.append(f"{q.id}: {g.source} has {len(doc.raw)} pages, gold pages {bad} out of range")
                continue
            if not any(evidence_on_pages(g.evidence, doc, g.pages)):
                pages = ", ".join(map(str, g.pages))
                problems.append(f"{q.id}: evidence not found on {g.source} page {pages}: {g.evidence!r}")
    if check_counts:
        problems += _check_counts(questions, (p.name for p in sorted(corpus_dir.glob("*.pdf"))))
    return problems
