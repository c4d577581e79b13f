"""The reader and the answer composer on documents built from text, with a fake embedder (milliseconds).

Each test gives a structure ingest recognises — a numbered list with its lead sentence, a lettered
list, Kamervragen, a table with a two-row header — and checks that the answer is built from the right
blocks: the list with its items, the row with its header cells, the minister's answer and never the
Member's question. The real model and store are in tests/test_reader.py and tests/test_structure.py.
"""

from __future__ import annotations

import re

import pytest

from tests.reading import Bench

FILLER = [
    "De gemeente werkt sinds 2019 met een vaste wijkaanpak in drie buurten. Bewoners, corporaties en "
    "welzijnsorganisaties zitten daarvoor elk kwartaal samen aan tafel.",
    "In de eerste jaren ging de meeste aandacht naar de fysieke opgave: onderhoud, groen en verkeer.",
]

NUMBERED = [
    "Vertrouwen in de gemeente",
    FILLER[0],
    "Uit de enquête komen vier voorwaarden voor vertrouwen naar voren, in volgorde van belangrijkheid:",
    "1. Betrouwbaarheid: de gemeente doet wat zij belooft en komt afspraken na.",
    "2. Luisteren naar inwoners: inwoners merken dat hun inbreng iets verandert.",
    "3. Duidelijkheid: besluiten worden uitgelegd in begrijpelijke taal.",
    "4. Bereikbaarheid: er is een vast aanspreekpunt in de wijk.",
    "Het college wil op alle vier de punten vooruitgang boeken in de komende raadsperiode.",
]

LETTERED = [
    "Subsidieregeling buurtinitiatieven",
    "Een aanvraag voor een buurtbudget wordt alleen in behandeling genomen als het initiatief voldoet aan "
    "de volgende voorwaarden:",
    "a. het initiatief komt ten goede aan de bewoners van de buurt;",
    "b. ten minste vijf bewoners steunen de aanvraag schriftelijk;",
    "c. de activiteit is openbaar toegankelijk en kosteloos.",
    FILLER[1],
]

QUESTIONS = [
    "Antwoorden op Kamervragen over de wachttijden voor sociale huurwoningen",
    "Vraag 1",
    "Bent u bekend met het bericht dat de wachttijd voor een sociale huurwoning in Veenstad is opgelopen "
    "tot twaalf jaar?",
    "Antwoord 1",
    "Ja. De gemiddelde inschrijfduur van woningzoekenden die in 2023 een sociale huurwoning kregen, "
    "bedroeg in Veenstad ruim elf jaar. Voor starters lag de wachttijd hoger.",
    "Vraag 2",
    "Bent u bereid met de gemeente Veenstad in gesprek te gaan over extra nieuwbouw van sociale huurwoningen?",
    "Antwoord 2",
    "De gemeente en de corporaties hebben in de woondeal afgesproken tot 2030 jaarlijks 400 sociale "
    "huurwoningen te bouwen. Ik zie daarom geen aanleiding voor een apart gesprek.",
]

TABLE = [
    "Effecten van het programma",
    "De tabel geeft per effectindicator de peilwaarde en de begrote en gerealiseerde waarde voor 2026.",
    "Effectindicator | Peilwaarde | 2026 (%) | \n | | begroot | realisatie\n"
    "Tevredenheid over de woonomgeving | 68 | 72 | 70\n"
    "Bewoners die zich veilig voelen | 74 | 78 | 79\n"
    "Deelname aan buurtactiviteiten | 21 | 25 | 19",
    "De tevredenheid bleef iets achter bij het doel, de veiligheidsbeleving lag er juist boven.",
]


@pytest.fixture(scope="module")
def bench() -> Bench:
    bench = Bench()
    bench.add("vertrouwen.pdf", ["\n\n".join(NUMBERED)])
    bench.add("subsidie.pdf", ["\n\n".join(LETTERED)])
    bench.add("kamervragen.pdf", ["\n\n".join(QUESTIONS)])
    bench.add("effecten.pdf", ["\n\n".join(TABLE)])
    return bench


def test_a_numbered_list_is_one_list_with_its_lead(bench: Bench) -> None:
    doc = bench.add("los.pdf", ["\n\n".join(NUMBERED)])
    items = [b for b in doc.blocks if b.kind == "item"]
    assert [b.marker for b in items] == ["1.", "2.", "3.", "4."]
    assert len({b.group for b in items}) == 1
    lead = doc.blocks[items[0].lead]
    assert doc.block_text(lead).endswith("in volgorde van belangrijkheid:")


def test_a_list_question_gets_the_lead_and_every_numbered_item(bench: Bench) -> None:
    answer = bench.ask("Welke voorwaarden voor vertrouwen noemen de inwoners in de enquête?")
    assert not answer.refused
    assert "in volgorde van belangrijkheid:" in answer.text
    items = [s for s in answer.sentences if s.kind == "item"]
    assert [s.marker for s in items] == ["1.", "2.", "3.", "4."]  # every item, on its own line
    assert all(re.search(rf"^{re.escape(s.display)} \[\d+\]$", answer.text, re.M) for s in items)


def test_a_lettered_list_is_answered_with_its_items(bench: Bench) -> None:
    answer = bench.ask("Aan welke voorwaarden moet een aanvraag voor een buurtbudget voldoen?")
    assert not answer.refused
    assert [s.marker for s in answer.sentences if s.kind == "item"] == ["a.", "b.", "c."]


def test_kamervragen_are_answered_by_the_answer_never_the_question(bench: Bench) -> None:
    for question, expected in (
        ("Hoe lang was de gemiddelde inschrijfduur voor een sociale huurwoning in Veenstad?", "ruim elf jaar"),
        ("Hoeveel sociale huurwoningen worden er jaarlijks gebouwd volgens de woondeal?", "400 sociale"),
    ):
        answer = bench.ask(question)
        assert not answer.refused, question
        assert expected in answer.text
        assert "Bent u" not in answer.text  # the Member's question is never the answer


def test_the_pair_structure_is_stored(bench: Bench) -> None:
    doc = bench.add("vragen.pdf", ["\n\n".join(QUESTIONS)])
    questions = [b for b in doc.blocks if b.kind == "question"]
    answers = [b for b in doc.blocks if b.kind == "answer"]
    assert len(questions) == 2 and len(answers) == 2
    for question, answer in zip(questions, answers, strict=True):
        assert answer.lead == question.id and answer.group == question.group
        assert doc.block_text(question).startswith("Bent u")


def test_a_table_row_is_answered_with_its_two_row_header(bench: Bench) -> None:
    answer = bench.ask("Hoeveel procent van de bewoners voelt zich veilig volgens de realisatie van 2026?")
    assert not answer.refused
    rows = [s for s in answer.sentences if s.kind == "row"]
    assert rows, answer.text
    assert rows[0].text == (
        "Effectindicator: Bewoners die zich veilig voelen; Peilwaarde: 74; 2026 (%) begroot: 78; "
        "2026 (%) realisatie: 79"
    )


def test_the_header_rows_are_never_quoted_alone(bench: Bench) -> None:
    for question in ("Wat is de peilwaarde van de effectindicatoren?", "Wat is begroot voor 2026?"):
        answer = bench.ask(question)
        assert "Effectindicator | Peilwaarde" not in answer.text
        assert all(s.text != "Effectindicator; Peilwaarde; 2026 (%)" for s in answer.sentences)


def test_every_quoted_unit_is_verbatim_in_its_cited_passage(bench: Bench) -> None:
    for question in (
        "Welke voorwaarden voor vertrouwen noemen de inwoners in de enquête?",
        "Hoe lang was de gemiddelde inschrijfduur voor een sociale huurwoning in Veenstad?",
    ):
        answer = bench.ask(question)
        assert not answer.refused
        by_n = {c.n: c for c in answer.citations}
        for sentence in answer.sentences:
            (n,) = sentence.citations
            quotes = [by_n[n].text[a:b] for a, b in by_n[n].spans]
            assert any(sentence.text in q or q in sentence.text for q in quotes), (sentence.text, quotes)


def test_every_window_has_exactly_the_declared_features(bench: Bench) -> None:
    from assistant.reader_model import ANSWER_FEATURES, FEATURES

    answer = bench.ask("Welke voorwaarden voor vertrouwen noemen de inwoners in de enquête?")
    assert answer.windows
    for window in answer.windows:
        assert set(window.features) == set(FEATURES) | set(ANSWER_FEATURES)


def test_a_weights_file_that_misses_or_renames_a_feature_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from assistant.reader_model import WEIGHTS_FILE, ReaderModel, ReaderWeightsError

    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert ReaderModel.load(WEIGHTS_FILE)  # the shipped file fits
    renamed = dict(
        data, rank_weights={("lex_cover_old" if k == "lex_cover" else k): v for k, v in data["rank_weights"].items()}
    )
    (tmp_path / "renamed.json").write_text(json.dumps(renamed))
    with pytest.raises(ReaderWeightsError, match=r"missing \['lex_cover'\].*unknown \['lex_cover_old'\]"):
        ReaderModel.load(tmp_path / "renamed.json")
    missing = dict(data, answer_weights={k: v for k, v in data["answer_weights"].items() if k != "type_ok"})
    (tmp_path / "missing.json").write_text(json.dumps(missing))
    with pytest.raises(ReaderWeightsError, match="type_ok"):
        ReaderModel.load(tmp_path / "missing.json")
