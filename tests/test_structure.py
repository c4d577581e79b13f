"""The typed document from the page to the answer, on a PDF built here with the structures of real
government documents: a label/value block, a numbered list with its lead sentence, a lettered list, a
footnote, Kamervragen and a table with a two-row header.

The PDF is ingested with the real model into a real store (two demo publications beside it); the
tests check the block kinds the store holds and that questions about each structure are answered by
the right block: the list with its items, the row with its header cells, the answer and never the
question. And that ingest opens every PDF once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from assistant.core import Assistant
from beleidsbron.document import Block
from tests.conftest import assistant_beside_demo

Item = tuple[float, float, str, float, str]  # (x, y from the top, font, size, text)
SOURCE = "structuur.pdf"

NUMBERED_LEAD = "Inwoners noemen vier voorwaarden voor vertrouwen in de gemeente, in volgorde van belangrijkheid:"
NUMBERED = [
    "Betrouwbaarheid: de gemeente doet wat zij belooft en komt gemaakte afspraken na.",
    "Luisteren naar inwoners: zij merken dat hun inbreng in de wijk echt iets verandert.",
    "Duidelijkheid: besluiten worden uitgelegd in taal die iedereen begrijpt.",
    "Bereikbaarheid: er is in elke wijk een vast aanspreekpunt van de gemeente.",
]
LETTERED_LEAD = "Een buurtbudget wordt alleen toegekend als het initiatief aan drie voorwaarden voldoet:"
LETTERED = [
    "het initiatief komt ten goede aan de bewoners van de eigen buurt;",
    "ten minste vijf bewoners steunen de aanvraag schriftelijk;",
    "de activiteit is openbaar toegankelijk en voor iedereen kosteloos.",
]
FOOTNOTE = "Bron: enquête onder 1.240 huurders van het Stadsonderzoeksbureau, najaar 2023."
QUESTIONS = [
    ("Vraag 1", "Bent u bekend met het bericht dat de wachttijd voor een sociale huurwoning in Veenstad is "
     "opgelopen tot twaalf jaar?"),
    ("Antwoord 1", "Ja. De gemiddelde inschrijfduur van woningzoekenden die in 2023 een sociale huurwoning "
     "kregen, bedroeg in Veenstad ruim elf jaar. Voor starters lag die duur nog hoger."),
    ("Vraag 2", "Bent u bereid met de gemeente Veenstad in gesprek te gaan over extra nieuwbouw van "
     "sociale huurwoningen?"),
    ("Antwoord 2", "De gemeente en de corporaties hebben in de woondeal afgesproken tot 2030 jaarlijks "
     "vierhonderd sociale huurwoningen te bouwen. Ik zie daarom geen aanleiding voor een apart gesprek."),
]  # fmt: skip
TABLE_HEADER = [["Effectindicator", "Peilwaarde", "2026", ""], ["", "", "begroot", "realisatie"]]
TABLE_ROWS = [
    ["Tevredenheid over de woonomgeving (%)", "68", "72", "70"],
    ["Bewoners die zich veilig voelen (%)", "74", "78", "79"],
    ["Deelname aan buurtactiviteiten (%)", "21", "25", "19"],
]


def _wrap(text: str, width: float, size: float = 10) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and stringWidth(f"{line} {word}", "Helvetica", size) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def _paragraph(items: list[Item], y: float, text: str, x: float = 70, width: float = 450) -> float:
    for line in _wrap(text, width):
        items.append((x, y, "Helvetica", 10, line))
        y += 14
    return y + 8


def structure_pdf(path: Path) -> Path:
    pages: list[list[Item]] = [[], [], [], []]
    first = pages[0]
    first.append((70, 70, "Helvetica-Bold", 16, "Vertrouwen en wijkaanpak in Veenstad"))
    for k, (label, value) in enumerate([("Datum", "12 maart 2024"), ("Kenmerk", "2024-0012345")]):
        first += [(70, 100 + 14 * k, "Helvetica", 10, label), (160, 100 + 14 * k, "Helvetica", 10, value)]
    y = _paragraph(
        first, 150, "De gemeente Veenstad liet in 2023 onderzoeken hoe inwoners tegen het bestuur aankijken."
    )
    y = _paragraph(first, y, NUMBERED_LEAD)
    for k, item in enumerate(NUMBERED, start=1):
        first.append((70, y, "Helvetica", 10, f"{k}."))
        y = _paragraph(first, y, item, x=88, width=430) - 4
    second = pages[1]
    y = _paragraph(second, 70, LETTERED_LEAD)
    for letter, item in zip("abc", LETTERED, strict=True):
        second.append((70, y, "Helvetica", 10, f"{letter}."))
        y = _paragraph(second, y, item, x=88, width=430) - 4
    marked = "Twee derde van de huurders is tevreden over het onderhoud van de eigen woning"
    second.append((70, y + 10, "Helvetica", 10, marked))
    second.append((70 + stringWidth(marked, "Helvetica", 10), y + 6, "Helvetica", 6, "1"))
    second.append((70 + stringWidth(marked, "Helvetica", 10) + 4, y + 10, "Helvetica", 10, "."))
    second.append((70, 760, "Helvetica", 7, f"1 {FOOTNOTE}"))
    third = pages[2]
    third.append((70, 70, "Helvetica-Bold", 14, "Antwoorden op Kamervragen over wachttijden"))
    y = 100
    for label, text in QUESTIONS:
        third.append((70, y, "Helvetica-Bold", 10, label))
        y = _paragraph(third, y + 16, text)
    fourth = pages[3]
    fourth.append((70, 70, "Helvetica-Bold", 14, "Effecten van het programma"))
    y = _paragraph(fourth, 100, "De tabel geeft per effectindicator de peilwaarde en de waarden voor 2026.")
    columns = [70, 300, 380, 460]
    for k, row in enumerate(TABLE_HEADER + TABLE_ROWS):
        font = "Helvetica-Bold" if k < len(TABLE_HEADER) else "Helvetica"
        for x, cell in zip(columns, row, strict=True):
            if cell:
                fourth.append((x, y + 16 * k, font, 9, cell))
    _paragraph(
        fourth, y + 16 * (len(TABLE_HEADER) + len(TABLE_ROWS)) + 20, "De veiligheidsbeleving lag boven het doel."
    )
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for items in pages:
        for x, y, font, size, text in sorted(items, key=lambda i: (i[1], i[0])):
            c.setFont(font, size)
            c.drawString(x, A4[1] - y, text)
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def structured(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("structure")
    structure_pdf(folder / SOURCE)
    return assistant_beside_demo(folder, tmp_path_factory.mktemp("structure-store") / "store")


def _blocks(assistant: Assistant) -> list[Block]:
    found: dict[int, Block] = {}
    for chunk in assistant.index.chunks:
        if chunk.doc.source == SOURCE:
            found.update({b.id: b for b in chunk.blocks})
    return [found[k] for k in sorted(found)]


def _text(assistant: Assistant, block: Block) -> str:
    chunk = next(c for c in assistant.index.chunks if c.doc.source == SOURCE and c.start <= block.start < c.end)
    return chunk.text[block.start - chunk.start : block.end - chunk.start]


@pytest.mark.slow
def test_the_store_holds_the_typed_blocks(structured: Assistant) -> None:
    blocks = _blocks(structured)
    assert [b.id for b in blocks] == list(range(len(blocks)))  # every block reaches the store
    items = [b for b in blocks if b.kind == "item"]
    numbered = [b for b in items if b.marker[:1].isdigit()]
    lettered = [b for b in items if b.marker[:1].isalpha()]
    assert [b.marker for b in numbered] == ["1.", "2.", "3.", "4."] and len({b.group for b in numbered}) == 1
    assert [b.marker for b in lettered] == ["a.", "b.", "c."] and len({b.group for b in lettered}) == 1
    assert _text(structured, blocks[numbered[0].lead]) == NUMBERED_LEAD
    assert _text(structured, blocks[lettered[0].lead]) == LETTERED_LEAD
    labels = [b for b in blocks if b.kind == "row" and b.cells[0] in ("Datum", "Kenmerk")]
    assert [b.cells for b in labels] == [("Datum", "12 maart 2024"), ("Kenmerk", "2024-0012345")]
    (note,) = [b for b in blocks if b.kind == "footnote"]
    assert note.marker == "1" and FOOTNOTE in _text(structured, note)
    assert _text(structured, blocks[note.lead]).startswith("Twee derde van de huurders")
    questions = [b for b in blocks if b.kind == "question"]
    answers = [b for b in blocks if b.kind == "answer"]
    assert len(questions) == 2 and all(_text(structured, q).startswith("Bent u") for q in questions)
    assert [a.lead for a in answers] == [q.id for q in questions]
    rows = [b for b in blocks if b.kind == "row" and b.header]
    assert [b.cells[0] for b in rows] == [r[0] for r in TABLE_ROWS]
    assert rows[0].header == ("Effectindicator", "Peilwaarde", "2026 begroot", "2026 realisatie")
    assert len([b for b in blocks if b.kind == "header"]) == 2


@pytest.mark.slow
def test_each_structure_is_answered_by_its_block(structured: Assistant) -> None:
    answer = structured.ask("Welke voorwaarden voor vertrouwen in de gemeente noemen inwoners?")
    assert not answer.refused and NUMBERED_LEAD in answer.text
    assert [s.display for s in answer.sentences if s.kind == "item"] == [f"{k}. {t}" for k, t in enumerate(NUMBERED, 1)]

    answer = structured.ask("Aan welke voorwaarden moet een initiatief voldoen voor een buurtbudget?")
    assert not answer.refused
    assert [s.display for s in answer.sentences if s.kind == "item"] == [
        f"{a}. {t}" for a, t in zip("abc", LETTERED, strict=True)
    ]

    answer = structured.ask("Hoe lang was de gemiddelde inschrijfduur voor een sociale huurwoning in Veenstad in 2023?")
    assert not answer.refused and "ruim elf jaar" in answer.text and "Bent u" not in answer.text
    answer = structured.ask(
        "Hoeveel sociale huurwoningen bouwen gemeente en corporaties jaarlijks volgens de woondeal?"
    )
    assert not answer.refused and "vierhonderd sociale huurwoningen" in answer.text and "Bent u" not in answer.text

    answer = structured.ask("Welk percentage bewoners voelde zich veilig in de realisatie van 2026?")
    assert not answer.refused
    rows = [s.text for s in answer.sentences if s.kind == "row"]
    assert rows and rows[0] == (
        "Effectindicator: Bewoners die zich veilig voelen (%); Peilwaarde: 74; 2026 begroot: 78; 2026 realisatie: 79"
    )


def test_ingest_opens_each_pdf_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsing worker opens the PDF once (pdfium: text, layout, metadata input, page count); the
    ingest run around it reads only the bytes (hash, size, page estimate)."""
    import pypdf
    import pypdfium2

    from ingest.pipeline import file_hash, prepare_document

    opened: list[str] = []
    real = pypdfium2.PdfDocument.__init__

    def counting(self: object, source: object, *args: object, **kwargs: object) -> None:
        opened.append("pdfium")
        real(self, source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pypdfium2.PdfDocument, "__init__", counting)
    monkeypatch.setattr(pypdf.PdfReader, "__init__", lambda *a, **k: opened.append("pypdf"))
    pdf = structure_pdf(tmp_path / SOURCE)
    prepared = prepare_document(pdf, file_hash(pdf.read_bytes()), 2**30, 10**8, 600, 50)
    assert prepared.doc.pages == 4 and prepared.chunks
    assert opened == ["pdfium"]


@pytest.mark.slow
def test_the_ingest_run_itself_opens_no_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Around the parsing worker (a separate process, see the test above) the run reads bytes only."""
    import pypdf
    import pypdfium2

    from ingest.pipeline import Ingestor
    from tests.conftest import make_settings

    opened: list[str] = []
    monkeypatch.setattr(pypdfium2.PdfDocument, "__init__", lambda *a, **k: opened.append("pdfium"))
    monkeypatch.setattr(pypdf.PdfReader, "__init__", lambda *a, **k: opened.append("pypdf"))
    folder = tmp_path / "pdf"
    folder.mkdir()
    structure_pdf(folder / SOURCE)
    summary = Ingestor(make_settings(tmp_path / "store")).run([folder])
    assert summary.failed == 0 and summary.files[0].pages == 4
    assert opened == []
