"""The assistant on the real demo store: hybrid retrieval, cited extractive answers, refusals."""

from __future__ import annotations

import re

import pytest

from assistant.core import Assistant
from assistant.question import EMPTY, NO_CONTENT
from beleidsbron.domain import REFUSAL, Filters
from beleidsbron.store import Store
from beleidsbron.text.dutch_analysis import Analyzer
from ingest.cleaning import clean_pages
from ingest.pdf_reader import read_pdf
from ingest.structure import build_document
from tests.conftest import CORPUS, DemoStore

_MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def assistant(demo_store: DemoStore) -> Assistant:
    return Assistant(demo_store.settings)


def page_texts(source: str) -> dict[int, str]:
    """The clean page texts of ``source``, as ingest makes them."""
    pages = clean_pages(read_pdf((CORPUS / source).read_bytes()).pages)
    return {p.number: p.text for p in pages}


def document_text(source: str) -> str:
    """The document text ingest stored for ``source``."""
    return build_document(clean_pages(read_pdf((CORPUS / source).read_bytes()).pages)).text


def test_answer_is_cited_sentence_by_sentence(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is de Leefbaarometer?")
    assert not answer.refused
    assert 1 <= len(answer.sentences) <= 6
    numbers = {c.n for c in answer.sources}
    for sentence in answer.sentences:
        assert sentence.citations and set(sentence.citations) <= numbers
    # every sentence of the text ends with a marker that points to a quoted citation
    parts = [p for p in re.split(r"(?<=\])\s+", answer.text) if p]
    assert len(parts) == len(answer.sentences)
    assert all(_MARKER.search(p) for p in parts)
    assert {int(n) for n in _MARKER.findall(answer.text)} == numbers
    # then passages for further reading, numbered on, never referenced in the text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert all(c.n > max(numbers) for c in answer.further) and len(answer.citations) <= 5
    assert any("Leefbaarometer" in c.quote for c in answer.citations)
    assert answer.citations[0].source == "01-leefbaarheid-kwetsbare-wijken.pdf"


def test_citations_quote_the_page_they_name(assistant: Assistant) -> None:
    for question in ("Wanneer is het ISV afgeschaft?", "Wat is ondermijning?", "Wat is hittestress?"):
        answer = assistant.ask(question)
        assert not answer.refused, question
        for citation in answer.citations:
            text = page_texts(citation.source)[citation.page]
            for start, end in citation.spans:
                assert citation.text[start:end] in text, (question, citation.page)
            _, page_part, offsets = citation.anchor.split(":")
            a, b = (int(x) for x in offsets.split("-"))
            assert page_part == f"p{citation.page}"
            quoted = citation.text[citation.spans[0][0] : citation.spans[0][1]]
            assert document_text(citation.source)[a:b].startswith(quoted)


def test_sentence_on_a_later_page_of_a_multi_page_chunk_cites_that_page(
    assistant: Assistant, demo_store: DemoStore
) -> None:
    store = Store.open(demo_store.settings)
    spanning = [c for c in store.iter_chunks() if len(c.pages) > 1]
    assert spanning
    checked = 0
    for chunk in spanning:
        later = [u for u in chunk.units if u.page == chunk.pages[1] and u.kind == "sentence"]
        sentence = next(
            (t for u in later if len((t := chunk.text[u.start - chunk.start : u.end - chunk.start]).split()) > 8),
            None,
        )
        if sentence is None:
            continue
        assert chunk.page_at(chunk.text.index(sentence)) == chunk.pages[1]
        answer = assistant.ask(sentence)
        quoting = [c for c in answer.citations if sentence in c.quote]
        if not quoting:
            continue
        assert all(c.page == chunk.pages[1] for c in quoting), (sentence, [c.page for c in quoting])
        checked += 1
        if checked >= 3:
            break
    assert checked >= 1


def test_off_topic_question_is_refused_with_related_passages(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is de hoofdstad van Frankrijk?")
    assert answer.refused
    assert answer.text == REFUSAL
    assert answer.citations == [] and answer.sentences == []
    assert answer.related  # shown as "mogelijk relevant", not as citations


def test_filters_restrict_sources(assistant: Assistant) -> None:
    question = "Welke rol spelen woningcorporaties in de wijk?"
    only = Filters(sources=("05-bewonersparticipatie.pdf",))
    answer = assistant.ask(question, filters=only)
    assert {c.source for c in answer.citations + answer.related} == {"05-bewonersparticipatie.pdf"}
    by_publisher = assistant.ask(question, filters=Filters(publishers=("Werkplaats Leefbaarheid",)))
    assert {c.publisher for c in by_publisher.citations + by_publisher.related} == {"Werkplaats Leefbaarheid"}
    recent = assistant.ask(question, filters=Filters(year_from=2021, year_to=2022))
    years = {c.year for c in recent.citations + recent.related}
    assert years and all(y is not None and 2021 <= y <= 2022 for y in years)
    candidates = assistant.retrieve(question, Filters(year_to=2017))
    assert candidates and all(c.chunk.doc.year is not None and c.chunk.doc.year <= 2017 for c in candidates)


def test_follow_up_question_uses_the_previous_subject(assistant: Assistant) -> None:
    first = "Wat is de buurtkamer De Kastanje in Oosterpark?"
    follow = "Hoeveel vrijwilligers werken daar?"
    alone = assistant.ask(follow)
    answer = assistant.ask(follow, history=[(first, assistant.ask(first).text)])
    assert "Kastanje" in answer.retrieval_query or "Oosterpark" in answer.retrieval_query
    assert alone.retrieval_query == follow
    assert not answer.refused
    assert any("veertien vrijwilligers" in c.quote for c in answer.citations)
    # chat-message history (as the app sends it) works the same
    messages = [{"role": "user", "content": first}, {"role": "assistant", "content": "…"}]
    assert assistant.ask(follow, history=messages).retrieval_query == answer.retrieval_query


@pytest.mark.parametrize(
    ("question", "expected_text"),
    [("", EMPTY), ("   \n\t ", EMPTY), ("de het een van en", NO_CONTENT), ("\x00\x07\x1b", EMPTY)],
)
def test_bad_questions_get_a_clear_message(assistant: Assistant, question: str, expected_text: str) -> None:
    answer = assistant.ask(question)
    assert answer.refused and answer.text == expected_text and not answer.citations


def test_very_long_and_foreign_questions_are_handled(assistant: Assistant) -> None:
    long = assistant.ask("Hoe financieren gemeenten de wijkaanpak? " * 300)
    assert len(long.question) <= assistant.settings.retrieval.max_question_chars
    assert "ingekort" in long.notice or "eerste" in long.notice
    assert not long.refused
    english = assistant.ask("How do municipalities finance the neighbourhood approach after the ISV ended?")
    assert "Engels" in english.notice
    assert not english.refused and english.sources  # answered from the Dutch documents, with citations
    control = assistant.ask("Wat is de\x00 Leefbaarometer\x1b?")
    assert not control.refused and "\x00" not in control.question


def test_no_layout_noise_in_answers(assistant: Assistant) -> None:
    for question in (
        "Hoe is de financiering van de wijkaanpak veranderd?",
        "Wat doet een woningcorporatie?",
        "Wat is participatiemoeheid?",
        "Hoe pak je hittestress aan?",
    ):
        answer = assistant.ask(question)
        assert not re.search(r"[a-z]- [a-z]", answer.text.replace("- en ", "").replace("- of ", ""))
        assert "Pagina " not in answer.text and "Demodocument" not in answer.text


def test_compound_words_meet_their_parts() -> None:
    analyzer = Analyzer({"wijk", "aanpak", "leefbaarheid", "problemen"})
    assert set(analyzer.terms("aanpak van wijken")) <= set(analyzer.terms("wijkaanpak"))
    assert set(analyzer.terms("problemen met de leefbaarheid")) <= set(analyzer.terms("leefbaarheidsproblemen"))
    assert analyzer.terms("Financiële") == analyzer.terms("financiele")
