"""Layout-aware text extraction on PDFs built here with the layouts of real publications.

Every PDF draws its lines in an order a plain text extractor gets wrong (row by row across columns,
the letterhead between body lines); the tests check what ``read_pdf`` makes of them: reading order,
side blocks kept apart, tables as rows, footnotes last, bullets and paragraph breaks, and that a
sentence running over a page or column break survives cleaning whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, TableStyle
from reportlab.platypus import Table as PlatypusTable

from assistant.core import Assistant
from evals import pdf_factory
from evals.bench_layout import measure
from ingest.cleaning import clean_pages
from ingest.pdf_reader import PdfContent, read_pdf
from ingest.structure import build_document
from tests.conftest import CORPUS, assistant_beside_demo

Item = tuple[float, float, str, float, str]  # (x, y, font, size, text): drawn in the order given
Rule = tuple[float, float, float, float]  # a line from (x0, y0) to (x1, y1)


def draw(path: Path, pages: list[list[Item]], rules: list[list[Rule]] | None = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for number, items in enumerate(pages):
        for x0, y0, x1, y1 in (rules or [[]] * len(pages))[number]:
            c.line(x0, y0, x1, y1)
        for x, y, font, size, text in items:
            c.setFont(font, size)
            c.drawString(x, y, text)
        c.showPage()
    c.save()
    return path


def wrap(text: str, width: float, font: str = "Helvetica", size: float = 10) -> list[str]:
    return simpleSplit(text, font, size, width)


def by_position(items: list[Item]) -> list[Item]:
    """Top to bottom, left to right: how a producer that writes line by line orders its content."""
    return sorted(items, key=lambda item: (-item[1], item[0]))


def clean_text(content: PdfContent) -> str:
    return " ".join(build_document(clean_pages(content.pages)).text.split())


def lines_of(content: PdfContent, page: int = 0) -> list[str]:
    return content.pages[page].text.split("\n")


# --- a letter with a letterhead side column and a sentence across the page break -----------------

SIDE = [
    "Gemeente Veenstad",
    "Afdeling Wonen en Wijken",
    "Postbus 1234",
    "1200 AB Veenstad",
    "",
    "Datum",
    "12 maart 2024",
    "",
    "Ons kenmerk",
    "2024-0012345",
    "",
    "Contactpersoon",
    "J. de Vries",
    "Telefoon 14 0123",
]
LETTER_1 = (
    "Geachte leden van de raad, met deze brief informeren wij u over de voortgang van de wijkaanpak in de "
    "Rivierenbuurt. In het afgelopen jaar is met bewoners, de woningcorporatie en het wijkteam gewerkt aan "
    "een gezamenlijke agenda voor de komende vier jaar. De belangrijkste punten daaruit zijn een veiliger "
    "Rivierplein, meer groen in de binnenterreinen en een vast aanspreekpunt voor jongeren. Het college "
    "stelt voor om de bewoners van de Rivierenbuurt bij de uitwerking van deze agenda te betrekken via"
)
LETTER_2 = (
    "een klankbordgroep die elk kwartaal bijeenkomt en zelf over een klein buurtbudget beslist. Wij "
    "verwachten u in het najaar opnieuw te informeren over de eerste resultaten."
)
SENTENCE = (
    "Het college stelt voor om de bewoners van de Rivierenbuurt bij de uitwerking van deze agenda te "
    "betrekken via een klankbordgroep die elk kwartaal bijeenkomt en zelf over een klein buurtbudget beslist."
)


def letter_pdf(path: Path) -> Path:
    page_1: list[Item] = [(70, 790, "Helvetica-Bold", 16, "Gemeente Veenstad")]
    page_1 += [(440, 700 - 10 * i, "Helvetica", 7.5, text) for i, text in enumerate(SIDE) if text]
    page_1 += [(70, 640, "Helvetica", 10, "Aan de gemeenteraad van Veenstad")]
    page_1 += [(70, 600 - 14 * i, "Helvetica", 10, line) for i, line in enumerate(wrap(LETTER_1, 330))]
    page_2: list[Item] = [(440, 760, "Helvetica", 7.5, "Datum"), (440, 750, "Helvetica", 7.5, "12 maart 2024")]
    page_2 += [(440, 730, "Helvetica", 7.5, "Ons kenmerk"), (440, 720, "Helvetica", 7.5, "2024-0012345")]
    page_2 += [(70, 760 - 14 * i, "Helvetica", 10, line) for i, line in enumerate(wrap(LETTER_2, 330))]
    page_2 += [(70, 690, "Helvetica", 10, "Met vriendelijke groet,"), (70, 676, "Helvetica", 10, "Het college")]
    return draw(path, [by_position(page_1), by_position(page_2)])


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PdfContent]:
    path = letter_pdf(tmp_path_factory.mktemp("layout") / "brief.pdf")
    return path, read_pdf(path.read_bytes())


def test_premise_plain_extraction_puts_the_letterhead_mid_sentence(letter: tuple[Path, PdfContent]) -> None:
    plain = PdfReader(letter[0]).pages[0].extract_text()
    lines = plain.split("\n")
    first_body = next(i for i, line in enumerate(lines) if line.startswith("Geachte"))
    assert any("Telefoon" in line for line in lines[first_body:-2])


def test_letterhead_side_column_is_kept_out_of_the_body(letter: tuple[Path, PdfContent]) -> None:
    _, content = letter
    body = "\n".join(p.text for p in content.pages)
    for text in ("Postbus", "Ons kenmerk", "2024-0012345", "Contactpersoon", "Telefoon", "Datum", "12 maart"):
        assert text not in body, text
    side = content.side_text[0].split("\n")
    assert side == [text for text in SIDE if text]  # whole, in order, for the metadata
    assert content.side_text[1].split("\n") == ["Datum", "12 maart 2024", "Ons kenmerk", "2024-0012345"]
    assert lines_of(content)[0] == "Gemeente Veenstad"  # the letterhead title is body text, on top


def test_a_sentence_across_the_page_break_stays_whole(letter: tuple[Path, PdfContent]) -> None:
    _, content = letter
    assert content.pages[0].text.rstrip().endswith("betrekken via")
    assert content.pages[1].text.startswith("een klankbordgroep")
    assert SENTENCE in clean_text(content)


# --- a two-column page with a footnote -----------------------------------------------------------

COLUMNS_TEXT = (
    "In de Rivierenbuurt werken bewoners, gemeente en corporatie sinds 2019 samen aan een betere buurt. "
    "Eerst werd een wijkanalyse gemaakt met cijfers over veiligheid, armoede en de staat van de woningen. "
    "Daarna volgden gesprekken aan de keukentafel met meer dan driehonderd huishoudens. Uit die gesprekken "
    "bleek dat bewoners vooral behoefte hadden aan een veilige plek voor kinderen en aan een eigen "
    "buurtbudget voor kleine plannen. De gemeente stelde daarvoor jaarlijks zestigduizend euro beschikbaar "
    "en de corporatie vulde dat aan met onderhoud van de binnenterreinen. Om de voortgang te volgen kwamen "
    "de gemeente en de corporatie overeen om elk halfjaar samen met de bewonerscommissie terug te kijken op "
    "wat er is bereikt en wat beter moet. Die afspraak bleek waardevol, omdat zo problemen vroeg op tafel "
    "kwamen en de bewoners zagen dat hun inbreng gevolgen had. In 2023 liep het aantal meldingen van "
    "overlast met een kwart terug en gaven bewoners hun buurt gemiddeld een zeven."
)
FOOTNOTE = "1 Zie ook de Monitor Wijkaanpak 2023 van het Kenniscentrum Wijk en Stad."
LEFT_X, RIGHT_X, COLUMN_WIDTH = 56.0, 309.0, 230.0


def two_column_pdf(path: Path) -> tuple[Path, list[str], list[str]]:
    lines = wrap(COLUMNS_TEXT, COLUMN_WIDTH)
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    items: list[Item] = [(LEFT_X, 780, "Helvetica-Bold", 16, "Samen werken aan de Rivierenbuurt")]
    for i, line in enumerate(left):
        y = 740 - 13 * i
        if "buurtbudget" in line:  # a superscript note marker right after the word
            before, _, after = line.partition("buurtbudget")
            width = stringWidth(before + "buurtbudget", "Helvetica", 10)
            items.append((LEFT_X, y, "Helvetica", 10, before + "buurtbudget"))
            items.append((LEFT_X + width, y + 3.5, "Helvetica", 6.5, "1"))
            items.append((LEFT_X + width + stringWidth("1", "Helvetica", 6.5), y, "Helvetica", 10, after))
        else:
            items.append((LEFT_X, y, "Helvetica", 10, line))
    items += [(RIGHT_X, 740 - 13 * i, "Helvetica", 10, line) for i, line in enumerate(right)]
    items.append((LEFT_X, 80, "Helvetica", 8, FOOTNOTE))
    items.append((LEFT_X, 40, "Helvetica", 7, "Monitor Rivierenbuurt 2024"))  # a running footer in small type
    items.append((290, 40, "Helvetica", 9, "3"))
    draw(path, [by_position(items)], rules=[[(LEFT_X, 92, LEFT_X + 120, 92)]])
    return path, left, right


@pytest.fixture(scope="module")
def columns(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfContent, list[str], list[str]]:
    path, left, right = two_column_pdf(tmp_path_factory.mktemp("layout") / "kolommen.pdf")
    plain = PdfReader(path).pages[0].extract_text()
    assert plain.index(right[0]) < plain.index(left[1])  # premise: plain extraction reads across the columns
    return read_pdf(path.read_bytes()), left, right


def test_left_column_is_read_before_the_right_one(columns: tuple[PdfContent, list[str], list[str]]) -> None:
    content, left, right = columns
    lines = lines_of(content)
    marked = [line.replace("buurtbudget", "buurtbudget1") for line in left]  # the marker stays glued
    assert lines[:2] == ["Samen werken aan de Rivierenbuurt", ""]
    assert lines[2 : 2 + len(left) + len(right)] == [*marked, *right]
    across = (
        "De gemeente stelde daarvoor jaarlijks zestigduizend euro beschikbaar en de corporatie vulde dat aan "
        "met onderhoud van de binnenterreinen."
    )
    assert across not in " ".join(left) and across not in " ".join(right)  # premise: split by the column break
    text = clean_text(content)
    assert across in text
    assert "een eigen buurtbudget voor kleine plannen" in text  # cleaning removes the note marker


def test_footnote_comes_last_after_an_empty_line(columns: tuple[PdfContent, list[str], list[str]]) -> None:
    content, _, right = columns
    lines = lines_of(content)
    note = lines.index(FOOTNOTE)
    assert lines[note - 1] == ""
    assert note > lines.index(right[-1])
    assert [line for line in lines[note + 1 :] if line] == ["Monitor Rivierenbuurt 2024 3"]  # only the footer
    assert content.footnotes == [(FOOTNOTE,)]


# --- tables --------------------------------------------------------------------------------------

TABLE = [
    ["Indicator", "2023", "2024", "Streefwaarde 2026"],
    ["Restafval per inwoner (kg)", "205", "190", "150"],
    ["Gescheiden ingezameld (%)", "58", "61", "75"],
    ["Bezoekers milieustraat", "12.400", "13.100", "14.000"],
]
INTRO = (
    "De gemeente volgt de afvalinzameling met een klein aantal indicatoren. De tabel hieronder geeft de "
    "stand van de afgelopen twee jaar en de streefwaarde voor 2026."
)
AFTER = "Het restafval daalt, maar nog niet snel genoeg om de streefwaarde te halen zonder extra inzet."


def ruled_table_pdf(path: Path) -> Path:
    """A platypus table with a grid; the first column is narrow, so its second cell wraps."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(56, 780, "Afval en grondstoffen")
    c.setFont("Helvetica", 10)
    y = 750
    for line in wrap(INTRO, 480):
        c.drawString(56, y, line)
        y -= 14
    style = ParagraphStyle("cel", fontName="Helvetica", fontSize=9, leading=11)
    data = [[Paragraph(cell, style) for cell in row] for row in TABLE]
    table = PlatypusTable(data, colWidths=[110, 70, 70, 110])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    _, height = table.wrapOn(c, 480, 400)
    table.drawOn(c, 56, y - 10 - height)
    y = y - 10 - height - 24
    for line in wrap(AFTER, 480):
        c.drawString(56, y, line)
        y -= 14
    c.showPage()
    c.save()
    return path


def plain_table_pdf(path: Path) -> Path:
    """No lines at all: cells by position only, numbers right-aligned, the long label on two lines."""
    items: list[Item] = [(56, 780, "Helvetica-Bold", 14, "Afval en grondstoffen")]
    items += [(56, 750 - 14 * i, "Helvetica", 10, line) for i, line in enumerate(wrap(INTRO, 480))]
    right_edges = [250, 320, 440]
    y = 700
    rows = [["Indicator", "2023", "2024", "Streefwaarde 2026"], *TABLE[1:]]
    for k, row in enumerate(rows):
        label = ["Restafval per", "inwoner (kg)"] if row[0].startswith("Restafval") else [row[0]]
        font = "Helvetica-Bold" if k == 0 else "Helvetica"
        for j, part in enumerate(label):
            items.append((56, y - 12 * j, font, 9, part))
        for cell, edge in zip(row[1:], right_edges, strict=True):
            items.append((edge - stringWidth(cell, font, 9), y, font, 9, cell))
        y -= 12 * len(label)
    items += [(56, y - 20 - 14 * i, "Helvetica", 10, line) for i, line in enumerate(wrap(AFTER, 480))]
    return draw(path, [by_position(items)])


@pytest.mark.parametrize("build", [ruled_table_pdf, plain_table_pdf], ids=["ruled", "no-lines"])
def test_table_rows_come_out_as_rows(tmp_path: Path, build: object) -> None:
    path = build(tmp_path / "tabel.pdf")  # type: ignore[operator]
    content = read_pdf(path.read_bytes())
    lines = lines_of(content)
    expected = [" | ".join(row) for row in TABLE]
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected  # header first, rows in order, nothing between
    assert lines[start - 1] == "" and lines[start + len(expected)] == ""
    text = content.pages[0].text
    for row in expected:
        assert text.count(row) == 1
    assert text.count(" | ") == 3 * len(TABLE)  # the paragraphs around the table are no table
    assert lines[0] == "Afval en grondstoffen"
    assert "Het restafval daalt" in lines[start + len(expected) + 1]


# --- bullets and paragraphs ----------------------------------------------------------------------


def test_bullet_glyphs_become_one_bullet(tmp_path: Path) -> None:
    items: list[Item] = [(56, 780, "Helvetica", 10, "De buurt vraagt om:")]
    glyphs = [("Helvetica", "•"), ("Helvetica", "–"), ("Helvetica", "-"), ("ZapfDingbats", "l"), ("ZapfDingbats", "n")]
    glyphs.append(("Helvetica", "• "))  # a list flowable's bullet: larger than the text, on its own baseline
    for i, (font, glyph) in enumerate(glyphs):
        big = glyph == "• "
        items.append((62, 766 - 14 * i + 2 * big, font, 14 if big else 10, glyph.strip()))
        items.append((74, 766 - 14 * i, "Helvetica", 10, f"punt nummer {pdf_factory.number_words(i + 1)};"))
    path = draw(tmp_path / "opsomming.pdf", [items])
    lines = lines_of(read_pdf(path.read_bytes()))
    assert lines[0] == "De buurt vraagt om:"
    assert lines[1:] == [f"• punt nummer {pdf_factory.number_words(i + 1)};" for i in range(len(glyphs))]


def test_private_use_and_control_bullets(tmp_path: Path) -> None:
    # Symbol and Wingdings bullets arrive as private-use code points, some fonts map them to DEL
    path = pdf_factory.tounicode_pdf(
        tmp_path / "symbool.pdf", ["Overzicht\nWat er gebeurt:\n\uf0b7 groen op het plein\n\x7f een speelplek"]
    )
    lines = lines_of(read_pdf(path.read_bytes()))
    assert lines[-2:] == ["• groen op het plein", "• een speelplek"]


def test_paragraph_gaps_become_empty_lines(tmp_path: Path) -> None:
    first = "De wijkaanpak begint bij de bewoners. " * 5
    second = "Daarna volgen de corporatie en de gemeente met hun plannen voor de buurt. " * 3
    path = pdf_factory.text_pdf(tmp_path / "alineas.pdf", [f"{first.strip()}\n{second.strip()}"])
    lines = lines_of(read_pdf(path.read_bytes()))
    gap = lines.index("")
    assert lines.count("") == 1
    assert " ".join(lines[:gap]) == first.strip() and " ".join(lines[gap + 1 :]) == second.strip()


def test_line_end_hyphenation_keeps_its_hyphen(tmp_path: Path) -> None:
    path = draw(
        tmp_path / "afbreking.pdf",
        [[(56, 780, "Helvetica", 10, "De gemeente onderzoekt de leefbaar-"), (56, 766, "Helvetica", 10, "heid.")]],
    )
    assert read_pdf(path.read_bytes()).pages[0].text == "De gemeente onderzoekt de leefbaar-\nheid."


# --- nothing lost on the demo corpus -------------------------------------------------------------


def test_every_word_of_the_plain_text_is_kept_on_the_demo_corpus() -> None:
    rows = [measure(pdf) for pdf in sorted(CORPUS.glob("*.pdf"))]
    assert all("pages" in row for row in rows), rows
    assert sum(row["missing_words"] for row in rows) == 0, [r for r in rows if r["missing_words"]]
    assert sum(row["table_rows"] for row in rows) >= 40  # the demo tables come out as rows


# --- more layouts ----------------------------------------------------------------------------------


def test_three_columns_are_read_in_order(tmp_path: Path) -> None:
    lines = wrap(COLUMNS_TEXT, 150)
    third = (len(lines) + 2) // 3
    parts = [lines[k * third : (k + 1) * third] for k in range(3)]
    items = [(40 + 180 * k, 760 - 13 * i, "Helvetica", 10, line) for k in range(3) for i, line in enumerate(parts[k])]
    content = read_pdf(draw(tmp_path / "drie.pdf", [by_position(items)]).read_bytes())
    assert lines_of(content) == lines and content.side_text == [""]


def test_labels_beside_their_values_are_read_line_by_line(tmp_path: Path) -> None:
    items: list[Item] = [(80, 760, "Helvetica", 10, "Datum"), (160, 760, "Helvetica", 10, "12 maart 2024")]
    items += [(80, 746, "Helvetica", 10, "Betreft"), (160, 746, "Helvetica", 10, "Voortgang wijkaanpak")]
    items += [(80, 710 - 13 * i, "Helvetica", 10, line) for i, line in enumerate(wrap(LETTER_2, 400))]
    page = read_pdf(draw(tmp_path / "kop.pdf", [by_position(items)]).read_bytes()).pages[0]
    labels = page.blocks[0]
    assert labels.kind == "table" and labels.labels  # rows of a label and its value, no header
    assert labels.rows == (("Datum", "12 maart 2024"), ("Betreft", "Voortgang wijkaanpak"))
    assert page.blocks[1].kind == "text" and page.blocks[1].lines[0].startswith("een klankbordgroep")


def test_landscape_page_and_text_along_the_margin(tmp_path: Path) -> None:
    path = tmp_path / "liggend.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setPageRotation(90)  # a landscape page: the content is drawn turned a quarter
    c.translate(595, 0)
    c.rotate(90)
    c.setFont("Helvetica", 10)
    for k, row in enumerate(TABLE):
        for x, cell in zip([40, 300, 420, 560], row, strict=True):
            c.drawString(x, 500 - 16 * k, cell)
    c.drawString(40, 400, "Een gewone zin onder de tabel.")
    c.rotate(-90)  # and a note along the edge, at right angles to the text
    c.setFont("Helvetica", 7)
    c.drawString(-560, 300, "Concept, niet verspreiden")
    c.showPage()
    c.save()
    content = read_pdf(path.read_bytes())
    assert lines_of(content) == [" | ".join(row) for row in TABLE] + ["", "Een gewone zin onder de tabel."]
    assert content.side_text == ["Concept, niet verspreiden"]


# --- the same PDFs ingested and asked about: answers cite the rows and pages ----------------------


@pytest.fixture(scope="module")
def laid_out_store(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("laid-out")
    letter_pdf(folder / "brief-rivierenbuurt.pdf")
    ruled_table_pdf(folder / "afvalmonitor.pdf")
    return assistant_beside_demo(folder, tmp_path_factory.mktemp("laid-out-store") / "store")


def test_a_figure_in_a_table_is_answered_by_its_row_with_the_column_headers(laid_out_store: Assistant) -> None:
    answer = laid_out_store.ask("Hoeveel kilo restafval per inwoner was er in 2024?")
    assert not answer.refused
    row = "Indicator: Restafval per inwoner (kg); 2023: 205; 2024: 190; Streefwaarde 2026: 150"
    assert any(s.kind == "row" and s.text == row for s in answer.sentences)
    assert re.search(rf"^{re.escape(row)} \[\d+\]$", answer.text, re.M)  # on a line of its own
    assert "Gescheiden ingezameld" not in answer.text  # the row, not the table
    cited = answer.sources[0]
    assert cited.source == "afvalmonitor.pdf" and cited.page == 1
    quoted = [cited.text[a:b] for a, b in cited.spans]
    assert " | ".join(TABLE[0]) in quoted and " | ".join(TABLE[1]) in quoted  # header and row, verbatim


def test_a_sentence_across_the_page_break_is_quoted_whole_and_cited(laid_out_store: Assistant) -> None:
    answer = laid_out_store.ask("Hoe wil het college de bewoners van de Rivierenbuurt bij de agenda betrekken?")
    assert not answer.refused
    assert "klankbordgroep die elk kwartaal bijeenkomt" in answer.text
    cited = answer.sources[0]
    assert cited.source == "brief-rivierenbuurt.pdf" and cited.page == 1  # the page where the sentence starts
    quoted = " ".join(cited.text[a:b] for a, b in cited.spans)
    assert " ".join(SENTENCE.split()) in " ".join(quoted.split())
    assert "Ons kenmerk" not in cited.text and "Contactpersoon" not in cited.text  # letterhead kept out


def test_a_prose_question_beside_a_table_is_not_answered_with_the_table(laid_out_store: Assistant) -> None:
    answer = laid_out_store.ask("Waarom daalt het restafval volgens de gemeente nog niet snel genoeg?")
    assert not answer.refused
    assert "Het restafval daalt, maar nog niet snel genoeg" in answer.text
    assert " | " not in answer.text and "Indicator:" not in answer.text
