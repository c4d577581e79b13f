"""The evaluation set: it loads, its gold evidence is really on the gold pages, and the check can fail."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from evals.dataset import (
    DATA,
    MIN_PER_DOCUMENT,
    MINIMUMS,
    TYPES,
    Gold,
    Question,
    load_questions,
    verify,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "pdf"


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions()


def test_dataset_loads(questions: list[Question]) -> None:
    assert len(questions) >= MINIMUMS["total"]
    assert len({q.id for q in questions}) == len(questions)
    assert {q.type for q in questions} <= set(TYPES)
    for q in questions:
        assert q.question.strip().endswith("?"), q.id
        if q.answerable:
            assert q.gold and q.answer, q.id
        else:
            assert q.type == "unanswerable" and not q.gold and q.answer == "", q.id


def test_verify_passes_on_the_bundled_corpus(questions: list[Question]) -> None:
    assert verify(questions, CORPUS) == []


def test_minimum_counts(questions: list[Question]) -> None:
    types = Counter(q.type for q in questions)
    for qtype, minimum in MINIMUMS.items():
        if qtype != "total":
            assert types[qtype] >= minimum, qtype
    per_doc = Counter(source for q in questions for source in {g.source for g in q.gold})
    pdfs = sorted(p.name for p in CORPUS.glob("*.pdf"))
    assert len(pdfs) == 8
    for name in pdfs:
        assert per_doc[name] >= MIN_PER_DOCUMENT, name
    for q in questions:
        if q.type == "multi_doc":
            assert len({g.source for g in q.gold}) >= 2, q.id


def test_follow_ups_continue_an_earlier_question(questions: list[Question]) -> None:
    by_text = {q.question: q for q in questions}
    follow_ups = [q for q in questions if q.type == "follow_up"]
    assert len(follow_ups) >= MINIMUMS["follow_up"]
    for q in follow_ups:
        (first_question, first_answer), *_ = q.history
        assert first_question in by_text, q.id
        assert by_text[first_question].type != "follow_up", q.id
        assert by_text[first_question].answer == first_answer, q.id


def _two_pages_of_one_document(questions: list[Question]) -> tuple[Question, Gold]:
    """An answerable single-gold question, and a gold of another question on another page of that PDF."""
    for q in questions:
        if len(q.gold) != 1:
            continue
        for other in questions:
            for g in other.gold:
                if g.source == q.gold[0].source and set(g.pages).isdisjoint(q.gold[0].pages):
                    return q, g
    raise AssertionError("no suitable pair of questions")


def test_evidence_from_another_page_is_reported(questions: list[Question]) -> None:
    q, elsewhere = _two_pages_of_one_document(questions)
    corrupted = replace(q, gold=(replace(q.gold[0], evidence=elsewhere.evidence),))
    problems = verify([corrupted], CORPUS, check_counts=False)
    assert len(problems) == 1 and problems[0].startswith(f"{q.id}: evidence not found"), problems
    # the same evidence on its own page is fine: the check looks at the right page, not the whole PDF
    moved = replace(corrupted, gold=(replace(corrupted.gold[0], pages=elsewhere.pages),))
    assert verify([moved], CORPUS, check_counts=False) == []


def test_invented_evidence_is_reported(questions: list[Question]) -> None:
    q = next(q for q in questions if q.answerable)
    invented = "De gemeente Veenstad investeerde in 2019 precies 12 miljoen euro in nieuwe fietspaden."
    corrupted = replace(q, gold=(replace(q.gold[0], evidence=invented), *q.gold[1:]))
    assert any("evidence not found" in p for p in verify([corrupted], CORPUS, check_counts=False))


def test_page_out_of_range_and_missing_source_are_reported(questions: list[Question]) -> None:
    q = next(q for q in questions if q.answerable)
    beyond = replace(q, gold=(replace(q.gold[0], pages=(99,)),))
    zero = replace(q, id="zero", gold=(replace(q.gold[0], pages=(0,)),))
    missing = replace(q, id="missing", gold=(replace(q.gold[0], source="bestaat-niet.pdf"),))
    problems = verify([beyond, zero, missing], CORPUS, check_counts=False)
    assert any(p.startswith(f"{q.id}:") and "out of range" in p for p in problems), problems
    assert any(p.startswith("zero:") and "out of range" in p for p in problems), problems
    assert any(p.startswith("missing:") and "not found in" in p for p in problems), problems


def test_structural_problems_are_reported(questions: list[Question]) -> None:
    follow_up = next(q for q in questions if q.type == "follow_up")
    multi = next(q for q in questions if q.type == "multi_doc")
    broken = [
        replace(follow_up, history=(("Een vraag die niet in de set staat?", ""),)),
        replace(multi, gold=(multi.gold[0],)),
        replace(multi, id="dup"),
        replace(multi, id="dup"),
    ]
    problems = verify(broken, CORPUS, check_counts=False)
    assert any(p.startswith(f"{follow_up.id}: history question") for p in problems), problems
    assert any(p.startswith(f"{multi.id}: multi_doc") for p in problems), problems
    assert any(p.startswith("dup: id used 2 times") for p in problems), problems


def test_too_few_questions_are_reported(questions: list[Question]) -> None:
    problems = verify(questions[:20], CORPUS)
    assert any(p.startswith("counts:") for p in problems)


def test_bad_lines_name_their_line_number(tmp_path: Path) -> None:
    good = DATA.read_text(encoding="utf-8").splitlines()[0]
    cases = {
        "not json": "{",
        "unknown type": json.dumps({**json.loads(good), "type": "trivia"}),
        "pages not a list": json.dumps(
            {**json.loads(good), "gold": [{"source": "a.pdf", "pages": 3, "evidence": "x"}]}
        ),
        "missing key": json.dumps({k: v for k, v in json.loads(good).items() if k != "answer"}),
    }
    for name, bad in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.jsonl"
        path.write_text(f"{good}\n\n{bad}\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"line 3"):
            load_questions(path)
