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


# --- the reader's choice of window (issue: a reader that generalizes) ----------------------------------

FORWARD = [
    "Wijkgericht werken in Dalburg",
    "Uit de evaluatie blijkt dat wijkgericht werken in Dalburg moeizaam van de grond komt. Het "
    "gemeentebestuur ziet de meerwaarde ervan niet altijd in. Bestuurders beschouwen het eerder als iets "
    "wat leuk is dan als iets wat nodig is, en geven de wijkteams daardoor te weinig mandaat.",
    "Vanaf 2025 krijgt elk wijkteam een eigen coördinator.",
]

RESTATED = [
    "Samenvatting",
    "De gemeente Dalburg kiest voor een wijkbudget.",
    "Aanleiding",
    "Bewoners weten zelf het best wat hun straat nodig heeft. Met een eigen budget regelen zij dat direct, "
    "zonder lange procedures bij het stadhuis.",
]

ENERGY = [
    "Lokale energieprojecten",
    "De coöperatie beheert twee installaties; de tabel geeft het vermogen en de opbrengst per uur.",
    "Installatie | Vermogen | Opbrengst per uur\nZonneweide Dijkweg | 5 MW | 5 MWh\nWindmolen Hoge Veld | 3 MW | 2 MWh",
]

DEMOLITION = [
    "Herstructurering",
    "In 2022 zijn in de Rivierenwijk van Dalburg 312 woningen gesloopt om plaats te maken voor nieuwbouw.",
]


DECISIONS = [
    "Besluitenlijst van de collegevergadering van 12 maart 2024",
    "Aanwezig: de burgemeester, de wethouders en de gemeentesecretaris.",
    "Kadernota",
    "Het college besluit in de kadernota een bedrag van € 250.000 op te nemen voor het onderhoud van de "
    "speelplaatsen in de Rivierenwijk.",
]


@pytest.fixture(scope="module")
def reading() -> Bench:
    bench = Bench()
    bench.add("evaluatie.pdf", ["\n\n".join(FORWARD)])
    bench.add("wijkbudget.pdf", ["\n\n".join(RESTATED)])
    bench.add("energie.pdf", ["\n\n".join(ENERGY)])
    bench.add("sloop.pdf", ["\n\n".join(DEMOLITION)])
    bench.add("besluiten.pdf", ["\n\n".join(DECISIONS)])
    bench.add("noord.pdf", ["Wijkteam Noord\n\nIn Dalburg-Noord werkt het wijkteam met vaste spreekuren in de buurt."])
    bench.add("zuid.pdf", ["Wijkteam Zuid\n\nIn Dalburg-Zuid werkt het wijkteam met huisbezoeken bij ouderen."])
    return bench


def test_the_answer_extends_over_the_sentences_that_carry_the_claim(reading: Bench) -> None:
    answer = reading.ask("Waarom komt wijkgericht werken in Dalburg moeizaam van de grond?")
    assert not answer.refused
    assert "meerwaarde ervan niet altijd in" in answer.text  # the sentence after the claim
    assert "te weinig mandaat" in answer.text  # and the one that makes it concrete


def test_a_window_that_restates_the_question_loses_to_the_one_that_answers(reading: Bench) -> None:
    from assistant.reader_model import restates

    answer = reading.ask("Waarom kiest de gemeente Dalburg voor een wijkbudget?")
    restating = [w for w in answer.windows if w.text() == "De gemeente Dalburg kiest voor een wijkbudget."]
    assert restating and restates(restating[0].features)  # it is a window, and it only restates
    assert not answer.refused
    assert "De gemeente Dalburg kiest voor een wijkbudget." not in answer.text
    assert "Bewoners weten zelf het best" in answer.text


def test_two_close_windows_are_both_quoted_one_clear_window_alone(reading: Bench) -> None:
    close = reading.ask("Hoe werkt het wijkteam in Dalburg?")
    assert not close.refused
    assert [p.window.doc.doc.source for p in close.picks[:2]] in (["noord.pdf", "zuid.pdf"], ["zuid.pdf", "noord.pdf"])
    assert "spreekuren" in close.text and "huisbezoeken" in close.text
    clear = reading.ask("Wat doet het wijkteam in Dalburg-Zuid voor ouderen?")
    assert [p.window.doc.doc.source for p in clear.picks] == ["zuid.pdf"]


def test_a_figure_in_a_table_cell_with_its_unit_is_answered(reading: Bench) -> None:
    answer = reading.ask("Hoeveel vermogen heeft de zonneweide aan de Dijkweg?")
    assert not answer.refused
    rows = [s.text for s in answer.sentences if s.kind == "row"]
    assert rows and "Zonneweide Dijkweg" in rows[0] and "Vermogen: 5 MW" in rows[0]


def test_a_near_miss_is_refused_while_its_answerable_neighbour_is_answered(reading: Bench) -> None:
    answered = reading.ask("Hoeveel woningen zijn in 2022 in de Rivierenwijk van Dalburg gesloopt?")
    assert not answered.refused and "312 woningen" in answered.text
    near_miss = reading.ask("Hoeveel woningen zijn in 2023 in de Rivierenwijk van Dalburg gesloopt?")
    assert near_miss.refused, near_miss.text


def test_a_date_that_dates_the_document_is_looked_for_in_the_whole_document(reading: Bench) -> None:
    question = "Welk bedrag neemt het college volgens de besluitenlijst van {} op voor de speelplaatsen?"
    answered = reading.ask(question.format("12 maart 2024"))
    assert not answered.refused and "€ 250.000" in answered.text  # the date stands in the title, not the answer
    assert reading.ask(question.format("19 maart 2024")).refused  # a list of another meeting is not this one
