"""What the reader expects an answer to contain: question kinds and whether a sentence has that kind."""

from __future__ import annotations

import pytest

from assistant.intent import classify, has_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoeveel huishoudens doen mee aan het programma?", "number"),
        ("Wanneer trad de Omgevingswet in werking?", "date"),
        ("Waarom liep de herstructurering vast?", "cause"),
        ("Welke drie doelen noemt het programma?", "list"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert classify(question).kind == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "Aan het plan doen drieënzestig huishoudens mee.",
        "Aan het plan doen tweeënvijftig huishoudens mee.",
        "Aan het plan doen zevenenveertig huishoudens mee.",
        "Aan het plan doen 1.250 huishoudens mee.",
    ],
)
def test_written_and_digit_numbers_answer_a_how_many_question(sentence: str) -> None:
    assert has_type(sentence, classify("Hoeveel huishoudens doen mee aan het plan?"))


def test_a_sentence_without_a_number_does_not_answer_a_how_many_question() -> None:
    assert not has_type("Aan het plan doen veel huishoudens mee.", classify("Hoeveel huishoudens doen mee?"))


def test_a_sentence_without_a_date_does_not_answer_a_when_question() -> None:
    intent = classify("Wanneer trad de wet in werking?")
    assert not has_type("De wet regelt de inspraak van bewoners.", intent)
    assert has_type("De wet trad op 1 januari 2024 in werking.", intent)


@pytest.mark.parametrize(
    ("question", "anchors", "references"),
    [
        ("Hoeveel woningen zijn in 2023 in Dalburg gesloopt?", ("2023",), ()),
        ("Welk bedrag noemt de besluitenlijst van 12 maart 2024 voor de kadernota 2026?", ("2026",), ("12", "2024")),
        ("Welke streefdatum staat in tabel 1 van de Tussenstand RES 2.0?", (), ("1",)),
        ("Op welke datum nam de Veiligheidsraad resolutie 1441 aan?", (), ("1441",)),
    ],
)
def test_figures_that_refer_to_a_document_are_references_not_anchors(
    question: str, anchors: tuple[str, ...], references: tuple[str, ...]
) -> None:
    """A year qualifies what is asked and must stand next to the answer; a date that dates a document, a
    table or resolution number and an acronym's version only need to be somewhere in the document."""
    intent = classify(question)
    assert intent.anchors == anchors
    assert intent.references == references
