"""The extractive reader on publications built here: each way an answer used to fail, shown fixed.

Real PDFs (cover, running title, page numbers, wrapped paragraphs, bullet lists, colophon), a real
store and the real embedding model; two demo publications are ingested beside them as distractors.
What needs no model (lists, tables, question/answer pairs) is tested in milliseconds in
tests/test_reader_units.py.
"""

from __future__ import annotations

import re

import pytest

from assistant.core import Assistant
from assistant.intent import classify
from beleidsbron.domain import Answer
from tests.conftest import assistant_beside_demo
from tests.publications import Section, publication_pdf

PROGRAMME = [
    Section(
        "Samenvatting",
        [
            "Het programma Wijkkracht loopt sinds 2020 in zes middelgrote steden. Het verbindt de fysieke "
            "vernieuwing van woningen met de sociale opgaven in dezelfde straten.",
            "Het programma Wijkkracht noemt drie doelen:",
            [
                "meer bewoners met betaald werk of een opleiding binnen vijf jaar;",
                "minder woningen met vocht, schimmel of een slechte isolatie;",
                "een vaste plek in elke wijk waar bewoners met hun vragen terechtkunnen.",
            ],
            "Deel dit artikel | Lees meer | Print",
        ],
    ),
    Section(
        "Herstructurering",
        [
            "In veel steden liep de herstructurering na 2009 vast. Dat kwam vooral doordat de bouwkosten snel "
            "stegen en woningcorporaties door nieuwe heffingen veel minder ruimte hadden om te investeren. "
            "Sloop en nieuwbouw werden daardoor jaren uitgesteld, terwijl de oude woningen verder achteruitgingen.",
            "Pas na 2018 kwam er weer beweging, toen het Rijk extra middelen voor de volkshuisvesting vrijmaakte "
            "en gemeenten met corporaties nieuwe afspraken maakten over de aanpak van de zwakste complexen.",
        ],
    ),
    Section(
        "Financiering",
        [
            "Het programma trekt ook geld uit voor scholen met grote leerachterstanden in de programmagebieden. "
            "Voor de aanpak van armoede en schulden is 12 miljoen euro beschikbaar, te besteden in vier jaar.",
            "In 2022 werden in de programmagebieden 450 woningen gerenoveerd, vooral portiekflats uit de jaren "
            "zestig met slechte isolatie.",
        ],
    ),
    Section(
        "Organisatie",
        [
            "De uitvoering ligt bij het Bureau Wijkkracht, dat samenwerkt met gemeenten, corporaties, scholen en "
            "zorgaanbieders. Het bureau organiseert de kennisdeling tussen de steden en rapporteert jaarlijks aan "
            "het ministerie.",
            "Het kabinet werkt daarnaast aan de Wet versterking wijkaanpak, die gemeenten meer doorzettingsmacht "
            "moet geven wanneer partners in een wijk hun afspraken niet nakomen.",
        ],
    ),
    Section(
        "Colofon",
        [
            "Uitgave: Stedenplatform Zuid, Eindhoven Titel: Wijkkracht in uitvoering Tekst: redactie Stedenplatform "
            "Zuid Vormgeving: Studio Lijn",
            "© 2024 Stedenplatform Zuid. Alle rechten voorbehouden. Overname van tekstdelen is toegestaan met "
            "bronvermelding.",
        ],
    ),
]

ENERGY = [
    Section(
        "Wat is energiearmoede?",
        [
            "Energiearmoede betekent dat een huishouden de energierekening niet of nauwelijks kan betalen, vaak "
            "omdat het een laag inkomen heeft en in een slecht geïsoleerde woning woont. In 2022 leefden ongeveer "
            "550.000 huishoudens in energiearmoede, vooral in huurwoningen in oudere stadswijken.",
            "Gemeenten kunnen deze huishoudens bereiken via energiecoaches die aan de keukentafel kleine "
            "besparingen regelen, zoals tochtstrips, radiatorfolie en een zuinige douchekop.",
            "Waarom blijft energiearmoede zo hardnekkig? Omdat de huishoudens die het zwaarst getroffen worden "
            "zelden zelf kunnen isoleren: zij huren hun woning, en de verhuurder beslist over de investering. "
            "Subsidies voor eigenaar-bewoners bereiken hen daardoor niet.",
        ],
    ),
    Section(
        "Huisvesting van statushouders",
        [
            "Gemeenten zijn verplicht om statushouders een woning te bieden. In 2023 kregen ruim 40.000 "
            "statushouders een woning toegewezen, vaak in dezelfde wijken waar de woningnood al groot was.",
        ],
    ),
]

DIRECTION = [
    Section(
        "Regie in de wijk",
        [
            "Wijkvernieuwing vraagt om geduld, omdat de problemen in een wijk zelden in een paar jaar zijn "
            "opgelost. Bewoners zien vaak veel plannen komen en gaan, en raken het overzicht kwijt over wie "
            "waarvoor verantwoordelijk is. Professionals van gemeente, corporatie en welzijn werken naast "
            "elkaar, maar zelden met elkaar. Budgetten zijn versnipperd over afdelingen en jaren. Elke nieuwe "
            "wethouder brengt nieuwe accenten mee. De gemeente Dijkveld koos in 2021 voor één vaste "
            "wijkregisseur voor de Oostbuurt. De reden was dat bewoners bij elke wisseling van projectleider "
            "opnieuw hun vertrouwen moesten geven en hun verhaal opnieuw moesten vertellen. Sindsdien houdt de "
            "regisseur de afspraken van alle partners bij en bespreekt hij ze elk kwartaal met de bewoners.",
        ],
    ),
]


@pytest.fixture(scope="module")
def reader_store(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("reader-corpus")
    publication_pdf(folder / "wijkkracht.pdf", "Wijkkracht in uitvoering", "Stedenplatform Zuid", 2024, PROGRAMME)
    publication_pdf(
        folder / "energiearmoede.pdf", "Energiearmoede in de wijk", "Kenniscentrum Warme Buurten", 2023, ENERGY
    )
    publication_pdf(folder / "regie.pdf", "Regie in de Oostbuurt", "Gemeente Dijkveld", 2022, DIRECTION)
    return assistant_beside_demo(folder, tmp_path_factory.mktemp("reader-store") / "store")


def _answer_text(answer: Answer) -> str:
    return re.sub(r"\s+", " ", answer.text)


def test_the_reason_in_the_next_sentence_is_quoted(reader_store: Assistant) -> None:
    answer = reader_store.ask("Waarom liep de herstructurering in veel steden vast?")
    assert not answer.refused
    text = _answer_text(answer)
    assert "doordat de bouwkosten snel stegen" in text  # the reason, not only the restating sentence
    assert answer.citations[0].source == "wijkkracht.pdf"


def test_a_question_the_text_asks_itself_introduces_but_is_not_the_answer(reader_store: Assistant) -> None:
    answer = reader_store.ask("Waarom blijft energiearmoede zo hardnekkig?")
    assert not answer.refused
    assert answer.sentences[0].text.startswith("Omdat de huishoudens")  # the answer comes first
    assert "?" not in answer.text
    assert "Waarom blijft energiearmoede zo hardnekkig?" in answer.citations[0].text  # still in the passage


def test_a_list_question_gets_the_lead_and_every_item(reader_store: Assistant) -> None:
    answer = reader_store.ask("Welke drie doelen noemt het programma Wijkkracht?")
    assert not answer.refused
    assert "drie doelen:" in answer.text
    for item in ("betaald werk of een opleiding", "vocht, schimmel", "vaste plek in elke wijk"):
        assert item in answer.text
    items = [s.display for s in answer.sentences if s.kind == "item"]
    assert len(items) == 3  # shown as a list, one item a line, each with its citation
    assert all(re.search(rf"^{re.escape(item)} \[\d+\]$", answer.text, re.M) for item in items)


def test_evidence_across_a_chunk_boundary_is_quoted_and_shown_whole(reader_store: Assistant) -> None:
    choice = "De gemeente Dijkveld koos in 2021 voor één vaste wijkregisseur voor de Oostbuurt."
    reason = "De reden was dat bewoners bij elke wisseling van projectleider"
    chunks = [c for c in reader_store.index.chunks if c.doc.source == "regie.pdf"]
    assert not any(choice in c.text and reason in c.text for c in chunks), "precondition: a chunk boundary between"
    answer = reader_store.ask("Waarom koos de gemeente Dijkveld voor één vaste wijkregisseur?")
    assert not answer.refused
    assert reason in _answer_text(answer)
    passage = answer.citations[0].text
    assert reason in passage and "moesten vertellen." in passage  # the cited passage holds the sentence whole
    flat = " ".join(answer.text.split())
    for citation in answer.sources:  # every span a quoted citation marks is quoted in the answer
        for start, end in citation.spans:
            assert 0 <= start < end <= len(citation.text)
            assert " ".join(citation.text[start:end].split()) in flat


@pytest.mark.parametrize(
    "question",
    [
        "Hoeveel woningen werden in 2023 gerenoveerd in de programmagebieden van Wijkkracht?",
        "Hoeveel medewerkers heeft het Bureau Wijkkracht?",
        "Wanneer treedt de Wet versterking wijkaanpak in werking?",
    ],
)
def test_number_and_date_near_misses_are_refused(reader_store: Assistant, question: str) -> None:
    assert classify(question).kind in ("number", "date")
    answer = reader_store.ask(question)
    assert answer.refused, answer.text
    assert answer.related  # the nearest passages are still offered as "mogelijk relevant"


def test_the_answerable_neighbours_of_those_near_misses_are_answered(reader_store: Assistant) -> None:
    answer = reader_store.ask("Hoeveel woningen werden in 2022 gerenoveerd in de programmagebieden van Wijkkracht?")
    assert not answer.refused
    assert "450 woningen" in answer.text
    answer = reader_store.ask("Hoeveel geld is er in Wijkkracht beschikbaar voor de aanpak van armoede en schulden?")
    assert not answer.refused
    assert "12 miljoen euro" in answer.text


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("Wie is de uitgever van Wijkkracht in uitvoering?", None),  # only the colophon says it
        ("Mag ik tekst uit Wijkkracht in uitvoering overnemen?", None),  # only the rights notice says it
        ("Wat doet het Bureau Wijkkracht?", True),
        ("Wat zijn de doelen van Wijkkracht?", True),
    ],
)
def test_boilerplate_is_never_quoted(reader_store: Assistant, question: str, answered: bool | None) -> None:
    answer = reader_store.ask(question)
    if answered:
        assert not answer.refused, answer.text  # real content answers it: quoted, without the debris around it
    quoted = " ".join(s.text for s in answer.sentences)
    for debris in (
        "Lees meer",
        "Deel dit artikel",
        "Alle rechten voorbehouden",
        "Vormgeving:",
        "Stedenplatform Zuid |",
    ):
        assert debris not in quoted, (question, quoted)
    assert not re.search(r"pagina \d+", quoted)


def test_a_paraphrased_question_finds_its_answer(reader_store: Assistant) -> None:
    # the question never says "energiearmoede"; the document never says "moeite"
    answer = reader_store.ask("Hoeveel huishoudens hadden in 2022 moeite om hun energierekening te betalen?")
    assert not answer.refused
    assert "550.000 huishoudens" in answer.text
    answer = reader_store.ask("Hoeveel vergunninghouders kregen in 2023 een woning?")
    assert not answer.refused
    assert "40.000" in answer.text


def test_every_answer_sentence_is_a_quote_with_its_page(reader_store: Assistant) -> None:
    answer = reader_store.ask("Waarom liep de herstructurering in veel steden vast?")
    assert not answer.refused and answer.sentences
    by_n = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        (n,) = sentence.citations
        citation = by_n[n]
        quotes = [citation.text[a:b] for a, b in citation.spans]
        assert any(sentence.text in q for q in quotes), (sentence.text, quotes)
        assert citation.page >= 2  # the cover is page 1; the quoted text stands on a later page
