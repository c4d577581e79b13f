"""Document metadata read from real PDFs built here: titles, publishers, years and types as a
librarian would record them, never a staff member's name, software, a file name or a future year."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.retrieval import chroma_where
from beleidsbron.domain import DOC_TYPES, Citation, DocumentInfo, Filters
from beleidsbron.settings import Settings
from beleidsbron.store import Store
from evals.pdf_factory import _pdf_file, _stream, scanned_pdf
from ingest.metadata import CatalogueEntry, describe, plausible_title, resolve
from ingest.ocr import OcrOptions
from ingest.organisations import logo_organisations, organisation_name
from ingest.pdf_reader import BadPdfError, read_pdf
from ingest.pipeline import Ingestor, IngestSummary
from ingest.styled_lines import Excerpt
from tests import publication_pdfs as pubs
from tests.conftest import make_settings
from webapp.library import document_rows, metadata_sources
from webapp.render import cite_label

TODAY = date(2026, 12, 1)


def _describe(path: Path, ocr: OcrOptions | None = None) -> CatalogueEntry:
    return describe(read_pdf(path.read_bytes(), ocr=ocr), today=TODAY)


@pytest.mark.parametrize(
    ("build", "title", "publisher", "year", "doc_type"),
    pubs.EXPECTED,
    ids=[row[0].__name__ for row in pubs.EXPECTED],
)
def test_metadata_as_a_librarian_records_it(
    tmp_path: Path,
    build: Callable[[Path], Path],
    title: str,
    publisher: str,
    year: int | None,
    doc_type: str,
) -> None:
    meta = _describe(build(tmp_path / "doc.pdf"))
    assert (meta.title, meta.publisher, meta.year, meta.doc_type) == (title, publisher, year, doc_type)
    assert doc_type == "" or doc_type in DOC_TYPES


def test_cover_gives_title_publisher_and_year_and_never_the_person_in_the_author_field(tmp_path: Path) -> None:
    meta = _describe(pubs.cover_report(tmp_path / "rapport.pdf"))
    assert meta.title == "Samen sterker in de wijk"
    assert meta.publisher == "Gemeente Zuiderveen"
    assert meta.year == 2024
    assert "Boer" not in meta.publisher


def test_letter_takes_date_and_ministry_not_the_future_years_in_its_body(tmp_path: Path) -> None:
    meta = _describe(pubs.ministry_letter(tmp_path / "kamerbrief.pdf"))
    assert meta.doc_type == "brief"
    assert meta.year == 2024  # the body names 2027, 2028, 2030 and 2040
    assert meta.publisher == "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
    assert meta.title == "Voortgang van de aanpak leefbaarheid en veiligheid"  # not the Title field "Kamerbrief"


def test_budget_year_is_the_budget_year(tmp_path: Path) -> None:
    meta = _describe(pubs.municipal_budget(tmp_path / "begroting.pdf"))
    assert (meta.doc_type, meta.year) == ("begroting", 2026)  # adopted in 2025, tables up to 2028
    assert "beleidsbibliotheek" not in meta.title and meta.publisher != "K. Smit"


def test_unknown_fields_stay_empty(tmp_path: Path) -> None:
    meta = _describe(pubs.ocr_dashboard(tmp_path / "scan.pdf"))
    assert meta.publisher == ""  # the Author field holds OCR debris
    assert meta.year is None  # created "2000" by the scanner's clock, while the page names 2023
    assert meta.doc_type == ""


@pytest.mark.parametrize(
    "junk",
    ["Begroting_2026_def.xlsx", "1175027", "Leeswijzer", "Inhoud", "beleidsbibliotheek  Wassenaar begroting 2026",
     "Microsoft Word - notitie.docx", "Document1", "C:\\Users\\pjansen\\rapport", "12 maart 2024"],
)  # fmt: skip
def test_junk_title_fields_are_ignored(tmp_path: Path, junk: str) -> None:
    assert not plausible_title(junk)
    page = [pubs.Text(70, 200, "Wonen in de wijk van morgen", 24), *pubs.body(300, pubs.LOREM)]
    meta = _describe(pubs.layout_pdf(tmp_path / "doc.pdf", [page], title=junk))
    assert meta.title == "Wonen in de wijk van morgen"


def test_plausible_title_field_is_used_when_the_cover_confirms_it(tmp_path: Path) -> None:
    page = [pubs.Text(70, 200, "Wonen in de wijk", 24), pubs.Text(70, 230, "van morgen", 14)]
    meta = _describe(pubs.layout_pdf(tmp_path / "doc.pdf", [page], title="Wonen in de wijk van morgen"))
    assert meta.title == "Wonen in de wijk van morgen"


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Jan de Vries", ""),
        ("Vries, J. de", ""),
        ("iBabs", ""),
        ("Microsoft Word", ""),
        ("105 © 54 Bl 2antal", ""),
        ("pjansen", ""),
        ("VNG", "VNG"),
        ("Gemeente Oostermeer", "Gemeente Oostermeer"),
        ("Kenniscentrum Wijk & Stad", "Kenniscentrum Wijk & Stad"),
        ("Sociaal en Cultureel Planbureau", "Sociaal en Cultureel Planbureau"),
        ("G40 Stedennetwerk", "G40 Stedennetwerk"),
        ("Platform31", "Platform31"),
    ],
)
def test_author_field_counts_only_when_it_names_an_organisation(tmp_path: Path, author: str, expected: str) -> None:
    assert organisation_name(author) == expected
    page = [pubs.Text(70, 200, "Wonen in de wijk van morgen", 24), *pubs.body(300, pubs.LOREM)]
    meta = _describe(pubs.layout_pdf(tmp_path / "doc.pdf", [page], author=author))
    assert meta.publisher == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Gemeente Alphen aan den Rijn", "Gemeente Alphen aan den Rijn"),
        ("gemeente 's-Hertogenbosch | Programmabegroting 2026", "Gemeente 's-Hertogenbosch"),
        ("Provinciale Staten van Noord-Brabant", "Provincie Noord-Brabant"),
        ("Ministerie van Volksgezondheid, Welzijn en Sport", "Ministerie van Volksgezondheid, Welzijn en Sport"),
        ("Tweede Kamer der Staten-Generaal 2", "Tweede Kamer der Staten-Generaal"),
        ("Hoogheemraadschap van Delfland", "Hoogheemraadschap van Delfland"),
        ("Verwey-Jonker Instituut", "Verwey-Jonker Instituut"),
        ("Het college van burgemeester en wethouders Oostermeer,", "Gemeente Oostermeer"),
        ("Besluitenlijst B&W-vergadering Oostermeer", "Gemeente Oostermeer"),
        ("United Nations", "United Nations"),
        ("CDA", "CDA"),
        ("Netwerken in de wijk", ""),
        ("Doelgroep Jongeren", ""),
        ("Jan de Vries (onderzoeker bij de VNG)", ""),  # a person, with an employer
        ("Dashboard Sociaal Domein", ""),  # products, not their makers
        ("Wijkmonitor", ""),
        ("Buurtbarometer Oostermeer", ""),
    ],
)
def test_organisation_shapes(line: str, expected: str) -> None:
    assert organisation_name(line) == expected


# --- where the publisher stands, and how each field was found ---------------------------------------


def test_letter_whose_sender_stands_only_in_the_side_column(tmp_path: Path) -> None:
    meta = _describe(pubs.side_column_letter(tmp_path / "brief.pdf"))
    assert meta.publisher == "Inspectie Leefomgeving en Transport"  # not the addressee the body names thrice
    assert (meta.title_source, meta.publisher_source, meta.year_source) == ("betreft", "side-column", "date")


def test_publisher_only_in_the_cover_logo_is_read_by_ocr(tmp_path: Path) -> None:
    pdf = pubs.logo_cover_report(tmp_path / "rapport.pdf")
    assert "Lindewaard" not in read_pdf(pdf.read_bytes()).pages[0].text  # the name is pixels only
    meta = _describe(pdf, OcrOptions())
    assert (meta.publisher, meta.publisher_source) == (pubs.LINDEWAARD, "logo")
    assert (meta.title, meta.title_source, meta.year, meta.year_source) == ("Wonen in de Vlinderbuurt", "cover", 2024,
                                                                          "cover")  # fmt: skip
    without_logos = _describe(pdf, OcrOptions(logos=False))
    assert (without_logos.publisher, without_logos.publisher_source) == ("", "")  # unknown, not a guess


def test_colophon_maker_wins_over_commissioner_and_people(tmp_path: Path) -> None:
    meta = _describe(pubs.colophon_guidance(tmp_path / "handreiking.pdf"))
    assert (meta.publisher, meta.publisher_source) == ("Expertisecentrum Wonen en Zorg", "maker")
    assert "Wit" not in meta.publisher and "Ministerie" not in meta.publisher  # the Author field; who commissioned
    assert (meta.year, meta.year_source) == (2024, "date")  # "Versie 1.0 (juni 2024)"


def test_decision_list_with_header_table(tmp_path: Path) -> None:
    meta = _describe(pubs.header_table_decision_list(tmp_path / "besluitenlijst.pdf"))
    assert meta.title == (
        "Besluitenlijst van de vergadering van het college van burgemeester en wethouders van Lindewaard 14 mei 2024"
    )
    assert meta.publisher == pubs.LINDEWAARD  # not the foundation two agenda items name, not iBabs
    assert (meta.title_source, meta.publisher_source, meta.year_source) == ("meeting", "title", "date")
    assert meta.doc_type == "besluitenlijst"


def test_scanned_letter_gets_its_date_subject_and_sender_from_ocr(tmp_path: Path) -> None:
    source = pubs.letter_for_scanning(tmp_path / "origineel.pdf")
    scan = scanned_pdf(tmp_path / "scan.pdf", source)
    with pytest.raises(BadPdfError):
        read_pdf(scan.read_bytes())  # no text layer: without OCR nothing can be read
    meta = _describe(scan, OcrOptions())
    assert (meta.year, meta.year_source) == (2023, "date")  # the scan itself was made today
    assert (meta.title, meta.title_source) == ("Uw verzoek om een buurtbudget", "betreft")
    assert meta.publisher == pubs.LINDEWAARD and meta.doc_type == "brief"


def test_sources_are_kept_by_the_store_and_shown_in_dutch() -> None:
    doc = DocumentInfo(
        source="brief.pdf", path="", content_hash="b" * 64, title="Toezicht", publisher="Inspectie X", year=2024,
        pages=2, title_source="betreft", publisher_source="side-column", year_source="date",
    )  # fmt: skip
    assert DocumentInfo.from_metadata(doc.to_metadata()) == doc
    old = {k: v for k, v in doc.to_metadata().items() if not k.endswith("_source")}
    assert DocumentInfo.from_metadata(old).publisher_source == ""  # stores built before sources existed
    assert metadata_sources(doc) == (
        "titel: onderwerpregel (Betreft/Onderwerp); uitgever: zijkolom van het briefhoofd; jaar: datum in het document"
    )
    unknown = replace(doc, title="", publisher="", year=None, title_source="", publisher_source="", year_source="")
    assert metadata_sources(unknown) == "titel: onbekend; uitgever: onbekend; jaar: onbekend"


def test_catalogue_fields_are_marked_as_such(tmp_path: Path) -> None:
    pdf = pubs.side_column_letter(tmp_path / "brief.pdf")
    (tmp_path / "catalogue.csv").write_text("file,publisher\nbrief.pdf,Eigen uitgever\n", encoding="utf-8")
    data = pdf.read_bytes()
    meta = resolve(pdf, read_pdf(data))
    assert (meta.publisher, meta.publisher_source) == ("Eigen uitgever", "catalogue")
    assert (meta.title_source, meta.year_source) == ("betreft", "date")  # the rest from the document


@pytest.mark.parametrize(
    ("logo_text", "expected"),
    [
        ("provincie Gelderiand", ["Provincie Gelderland"]),  # OCR misread one letter of a stylised word mark
        ("wonde Noord-Braband", ["Provincie Noord-Brabant"]),  # "provincie" itself unreadable
        ("Gemeente Oostermeer", ["Gemeente Oostermeer"]),
        ("VNG", ["VNG"]),
        ("Zuid-West Drenthe", []),  # a region that names a province is not the province
        ("Omgevingsloket", []),  # a portal
    ],
)
def test_organisations_in_logo_text(logo_text: str, expected: list[str]) -> None:
    assert logo_organisations(logo_text) == expected


def _tj_spaced_pdf(path: Path, text: str, tracking: int) -> Path:
    """A heading set letter by letter with a displacement after every glyph (as layout programs do),
    written by hand: the parser's own spacing then puts a space between every letter."""
    glyphs = b" ".join(b"(%s) %d" % (ch.encode("latin-1"), -tracking) for ch in text)
    ops = b"BT /F1 24 Tf 50 700 Td [" + glyphs + b"] TJ ET\nBT /F1 10 Tf 50 600 Td (Gemeente Oostermeer) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(ops),
    ]
    path.write_bytes(_pdf_file(objects))
    return path


@pytest.mark.parametrize("tracking", [0, 60, 250])
def test_letter_spaced_title_comes_out_as_words(tmp_path: Path, tracking: int) -> None:
    path = _tj_spaced_pdf(tmp_path / "spaced.pdf", "Impact van de COVID-19-pandemie op vertrouwen", tracking)
    lines = read_pdf(path.read_bytes()).excerpt.lines
    assert lines[0].text == "Impact van de COVID-19-pandemie op vertrouwen"
    assert lines[0].size == 24
    assert _describe(path).title == "Impact van de COVID-19-pandemie op vertrouwen"


def test_catalogue_overrides_every_field(tmp_path: Path) -> None:
    pdf = pubs.ministry_letter(tmp_path / "brief.pdf")
    with (tmp_path / "catalogue.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "publisher", "year", "url", "type"])
        writer.writerow(["brief.pdf", "Eigen titel", "Eigen uitgever", "2019", "https://example.org/b", "nota"])
    meta = resolve(pdf, read_pdf(pdf.read_bytes()))
    assert (meta.title, meta.publisher, meta.year, meta.url, meta.doc_type) == (
        "Eigen titel",
        "Eigen uitgever",
        2019,
        "https://example.org/b",
        "nota",
    )


def test_without_excerpt_lines_metadata_comes_from_the_page_text(tmp_path: Path) -> None:
    pdf = pubs.cover_report(tmp_path / "rapport.pdf")
    content = read_pdf(pdf.read_bytes())
    content.excerpt = Excerpt([])  # the first and last pages could not be read with type sizes
    meta = describe(content, today=TODAY)
    assert meta.publisher == "Gemeente Zuiderveen" and meta.year == 2024


# --- stored, filtered and shown ------------------------------------------------------------------


_TYPED_RUN: dict[str, IngestSummary] = {}


@pytest.fixture(scope="module")
def typed_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A letter, a motie and a budget ingested with the real model into a real store."""
    folder = tmp_path_factory.mktemp("typed")
    for build in (pubs.ministry_letter, pubs.motion, pubs.municipal_budget):
        build(folder / f"{build.__name__}.pdf")
    settings = make_settings(folder / "store")
    summary = Ingestor(settings).run([folder])
    assert summary.failed == 0, summary.to_json()
    _TYPED_RUN["summary"] = summary
    return settings


def test_ingest_reports_and_the_library_shows_how_metadata_was_found(typed_store: Settings) -> None:
    files = {f["file"]: f for f in _TYPED_RUN["summary"].to_json()["files"]}
    assert files["motion.pdf"]["metadata"] == {
        "title": "Motie van het lid Van der Berg c.s.", "title_source": "kamerstuk",
        "publisher": "Tweede Kamer der Staten-Generaal", "publisher_source": "letterhead",
        "year": 2023, "year_source": "date", "type": "motie",
    }  # fmt: skip
    assert files["municipal_budget.pdf"]["metadata"]["year_source"] == "title"  # "Programmabegroting 2026"
    rows = {row[-1]: row for row in document_rows(Assistant(typed_store))}
    assert rows["ministry_letter.pdf"][8] == (
        "titel: onderwerpregel (Betreft/Onderwerp); uitgever: briefhoofd; jaar: datum in het document"
    )


def test_type_is_stored_and_filters_retrieval(typed_store: Settings) -> None:
    docs = {d.source: d for d in Store.open(typed_store).list_documents()}
    assert {s: d.doc_type for s, d in docs.items()} == {
        "ministry_letter.pdf": "brief",
        "motion.pdf": "motie",
        "municipal_budget.pdf": "begroting",
    }
    assert docs["municipal_budget.pdf"].publisher == "Gemeente Wassendorp"
    assistant = Assistant(typed_store)
    question = "Wat moet er gebeuren met de bouw van betaalbare woningen en de wijken?"
    for doc_type in ("motie", "brief"):
        candidates = assistant.retrieve(question, Filters(doc_types=(doc_type,)))
        assert candidates and {c.chunk.doc.doc_type for c in candidates} == {doc_type}
    assert chroma_where(Filters(doc_types=("motie", "brief"))) == {"doc_type": {"$in": ["motie", "brief"]}}


@pytest.mark.slow  # two CLI runs
def test_cli_type_filter(typed_store: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--type", "motie", "--store",
         str(typed_store.store_path), "Wat verzoekt de Kamer de regering?"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["citations"] and {c["source"] for c in answer["citations"]} == {"motion.pdf"}
    wrong = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--type", "roman", "vraag"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_unknown_fields_are_shown_as_unknown() -> None:
    doc = DocumentInfo(source="scan.pdf", path="", content_hash="a" * 64, title="", publisher="", year=None, pages=1)
    citation = Citation(1, "scan.pdf", "", "", None, 1, "Tekst.", ((0, 6),), 0.5, "a", "c")
    assert cite_label(citation) == "Titel onbekend (scan.pdf) (uitgever onbekend, jaar onbekend), p. 1"
    assert doc.doc_type == "" and DocumentInfo.from_metadata(doc.to_metadata()) == doc
    old_store_record = {k: v for k, v in doc.to_metadata().items() if k != "doc_type"}
    assert DocumentInfo.from_metadata(old_store_record).doc_type == ""  # stores built before types existed


# --- PDFs from another producer: Chromium's print engine (Skia), as many real publications are -----

_CSS = """
@page { size: A4; margin: 18mm 20mm 20mm 20mm }
body { font-family: 'DejaVu Serif', serif; font-size: 10pt; line-height: 1.4 }
.cover { height: 240mm; page-break-after: always; position: relative }
.big { font-family: 'DejaVu Sans', sans-serif; font-size: 30pt; font-weight: bold; margin-top: 60mm }
.org { position: absolute; bottom: 30mm; font-size: 12pt; font-weight: bold }
.two { column-count: 2; column-gap: 8mm; text-align: justify }
"""
_PROSE = (
    "<p>De aanpak van kwetsbare wijken vraagt om een lange adem. Gemeenten, corporaties en partners werken "
    "samen aan leefbaarheid en veiligheid. In 2030 moeten de doelen zijn gehaald, met tussenstappen in 2026 "
    "en 2027. Volgens het onderzoek uit 2019 nam het vertrouwen toe.</p>"
) * 4
BROWSER_DOCUMENTS = {
    "rapport": (
        f"""<title>rapport_def_v2.docx</title><div class="cover">
        <div class="big" style="letter-spacing: 0.3em">Vertrouwen in de buurt</div>
        <div style="font-size: 15pt">Een peiling onder bewoners van veertig wijken</div>
        <div class="org">Sociaal en Cultureel Planbureau<br><span style="font-weight: normal">Den Haag, juni 2024</span>
        </div></div><h2>1 Inleiding</h2><div class="two">{_PROSE}{_PROSE}</div>
        <p style="page-break-before: always; font-size: 8pt">ISBN 978 90 377 0123 4<br>
        © Sociaal en Cultureel Planbureau, Den Haag 2024</p>""",
        ("Vertrouwen in de buurt", "Sociaal en Cultureel Planbureau", 2024, "rapport"),
    ),
    "begroting": (
        f"""<title>beleidsbibliotheek  Wassendorp begroting 2026</title>
        <style>@page {{ @bottom-left {{ content: "Programmabegroting 2026 | gemeente Wassendorp"; font-size: 8pt }} }}
        </style>
        <div class="cover"><div style="width: 170mm; height: 200mm; background: #2a6"></div></div>
        <h2>Leeswijzer</h2>{_PROSE}<table><tr><td>Indicator</td><td>2025</td><td>2026</td><td>2027</td></tr>
        <tr><td>Restafval</td><td>205 kg</td><td>190 kg</td><td>175 kg</td></tr></table>{_PROSE}""",
        ("Programmabegroting 2026", "Gemeente Wassendorp", 2026, "begroting"),
    ),
    "brief": (
        f"""<title>Kamerbrief</title><div style="position: relative; height: 250mm">
        <div style="position: absolute; left: 75mm; top: 0; font-size: 10pt">Ministerie van Volkshuisvesting en
        <br>Ruimtelijke Ordening</div>
        <div style="position: absolute; top: 35mm; font-size: 9.5pt"><span style="font-size: 6pt">&gt; Retouradres
        Postbus 20011 2500 EA Den Haag</span><br>De Voorzitter van de Tweede Kamer<br>der Staten-Generaal</div>
        <div style="position: absolute; left: 130mm; top: 40mm; font-size: 6.5pt; width: 40mm">
        <b>Directoraat-generaal Volkshuisvesting</b><br>Postbus 20011<br><br><b>Kenmerk</b><br>2024-0000298765</div>
        <table style="position: absolute; top: 80mm; font-size: 9.5pt">
        <tr><td style="font-size: 6.5pt; width: 20mm">Datum</td><td>25 april 2024</td></tr>
        <tr><td style="font-size: 6.5pt">Betreft</td><td>Voortgang programma Leefbaarheid en Veiligheid</td></tr>
        </table>
        <div style="position: absolute; top: 100mm; width: 110mm">Geachte voorzitter,{_PROSE}
        De minister van Volkshuisvesting en Ruimtelijke Ordening,<br><br>H. de Jong</div></div>""",
        ("Voortgang programma Leefbaarheid en Veiligheid", "Ministerie van Volkshuisvesting en Ruimtelijke Ordening",
         2024, "brief"),
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def browser_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("chromium-pdfs")
    paths: dict[str, Path] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        for name, (html, _) in BROWSER_DOCUMENTS.items():
            page.set_content(f'<html lang="nl"><meta charset="utf-8"><style>{_CSS}</style><body>{html}</body></html>')
            paths[name] = folder / f"{name}.pdf"
            page.pdf(path=str(paths[name]), prefer_css_page_size=True, print_background=True)
        browser.close()
    return paths


@pytest.mark.slow  # Chromium prints the PDFs
@pytest.mark.parametrize("name", list(BROWSER_DOCUMENTS))
def test_metadata_of_pdfs_printed_by_a_browser(browser_pdfs: dict[str, Path], name: str) -> None:
    meta = _describe(browser_pdfs[name])
    assert (meta.title, meta.publisher, meta.year, meta.doc_type) == BROWSER_DOCUMENTS[name][1]
