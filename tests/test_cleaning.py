"""Dutch text cleaning on the page layouts of the bundled PDFs and on known hard cases."""

from __future__ import annotations

import re

import pytest

from beleidsbron.text.normalize import normalize
from ingest.cleaning import clean_pages, remove_footnote_marks
from ingest.hyphenation import join_hyphenated, keeps_hyphen
from ingest.layout import PageLayout
from ingest.pdf_reader import read_pdf
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def all_raw() -> dict[str, list[PageLayout]]:
    return {pdf.name: read_pdf(pdf.read_bytes()).pages for pdf in sorted(CORPUS.glob("*.pdf"))}


def test_raw_text_really_has_line_end_hyphenation(all_raw: dict[str, list[PageLayout]]) -> None:
    # The premise of the cleaning tests: the layout keeps "gemeen-\nten"-style breaks of the demo PDFs.
    breaks = [m for pages in all_raw.values() for p in pages for m in re.findall(r"[a-z]{2,}-\n[a-z]{2,}", p.text)]
    assert len(breaks) > 50


def test_line_end_hyphenation_is_undone(all_raw: dict[str, list[PageLayout]]) -> None:
    for name, pages in all_raw.items():
        raw = "\n".join(p.text for p in pages)
        clean = "\n".join(p.text for p in clean_pages(pages))
        for left, right in re.findall(r"([a-z]{3,})-\n([a-z]{3,})", raw):
            if keeps_hyphen(left, right):
                continue
            assert f"{left}{right}" in clean or f"{left}-{right}" in clean, (name, left, right)
        # no line-break hyphen survives as "woord- woord"
        assert not re.search(r"[a-z]- (?!(?:en|of|tot|noch) )[a-z]", clean), name  # "klimaat- en" is Dutch


def test_real_hyphens_are_kept(all_raw: dict[str, list[PageLayout]]) -> None:
    clean = " ".join(p.text for pages in all_raw.values() for p in clean_pages(pages))
    for word in ("G32-steden", "sociaal-economische", "Noord-Brabant"):
        assert word in clean
    assert "G32steden" not in clean and "sociaaleconomische" not in clean


def test_running_headers_and_page_numbers_are_removed(all_raw: dict[str, list[PageLayout]]) -> None:
    pages = all_raw["01-leefbaarheid-kwetsbare-wijken.pdf"]
    header = pages[3].text.strip().splitlines()[0]
    assert sum(header in p.text for p in pages) >= 3  # really a running header in the layout
    cleaned = clean_pages(pages)
    for page in cleaned[2:]:
        assert header not in page.text
        assert not re.search(r"(?m)^Pagina \d+$", page.text)


def test_paragraphs_are_joined_and_headings_kept(all_raw: dict[str, list[PageLayout]]) -> None:
    cleaned = clean_pages(all_raw["01-leefbaarheid-kwetsbare-wijken.pdf"])
    body = cleaned[2]
    assert "\n\n" in body.text
    paragraphs = body.text.split("\n\n")
    assert all("\n" not in p for p in paragraphs)
    assert any(len(p) > 300 for p in paragraphs)  # wrapped lines became one paragraph
    headings = [h for _, h in body.headings]
    assert headings and headings[0] == "1 Inleiding"
    for offset, heading in body.headings:
        assert body.text[offset : offset + len(heading)] == heading


def test_footnote_markers_are_removed_but_names_with_digits_stay(all_raw: dict[str, list[PageLayout]]) -> None:
    clean = " ".join(p.text for p in clean_pages(all_raw["01-leefbaarheid-kwetsbare-wijken.pdf"]))
    assert "Platform31" in clean and "G32-steden" in clean
    assert "achteruit1" not in clean
    assert remove_footnote_marks("de wijken1 in Veenstad.2 Daarna") == "de wijken in Veenstad. Daarna"


def test_normalize_ligatures_soft_hyphens_and_control_characters() -> None:
    assert normalize("ﬁnanciering van de ﬂat") == "financiering van de flat"
    assert normalize("wijk\u00adaanpak\x07 en\u00a0buurt") == "wijk-aanpak en buurt"
    assert normalize("  veel   spaties \t hier ") == "veel spaties hier"


@pytest.mark.parametrize(
    ("left", "right", "kept"),
    [
        ("gemeen", "ten", False),
        ("woningcorpora", "ties", False),
        ("Noord", "Holland", True),
        ("G32", "steden", True),
        ("sociaal", "economisch", True),
        ("fysiek", "ruimtelijk", True),
        ("zee", "egel", True),
        ("ex", "wethouder", True),
        ("verantwoor", "delijkheid", False),
    ],
)
def test_keeps_hyphen_decisions(left: str, right: str, kept: bool) -> None:
    assert keeps_hyphen(left, right) is kept


def test_document_vocabulary_decides_ambiguous_breaks() -> None:
    from collections import Counter

    assert join_hyphenated("de buurt-", "bewoners", Counter({"buurtbewoners": 3})) == "de buurtbewoners"
    assert join_hyphenated("de buurt-", "bewoners", Counter({"buurt-bewoners": 2})) == "de buurt-bewoners"


def test_a_heading_wrapped_over_two_lines_in_larger_type_is_one_heading() -> None:
    from ingest.layout import LayoutBlock

    body = (
        "De vrijgekomen middelen zijn niet vrij besteedbaar in de zin dat elke wens",
        "kan worden gehonoreerd. Een groot deel is via de nationale afspraken al",
        "gereserveerd voor nieuwbouw en verduurzaming van de bestaande voorraad.",
    )
    page = PageLayout(
        (
            LayoutBlock("text", body, size=1.0),
            LayoutBlock("text", ("4.3 Aansluiting bij nationale", "programma's"), size=1.2),
            LayoutBlock(
                "text",
                ("Sinds 2022 werkt het Rijk met een nationaal programma", "aan een beperkt aantal wijken."),
                size=1.0,
            ),
            LayoutBlock("text", ("Twee regels in gewone letter zonder", "punt aan het eind"), size=1.0),
        )
    )
    paras = clean_pages([page])[0].paras
    assert [(p.kind, p.text) for p in paras if p.kind == "heading"] == [
        ("heading", "4.3 Aansluiting bij nationale programma's")
    ]  # body-size lines without a full stop stay text: the type size decides, not the shape alone
