"""Property tests (hypothesis): text cleaning, chunk offsets and pages, question hygiene.

These are the invariants everything downstream relies on: clean text has no control characters,
chunks are exact slices of the document text that know their pages, every sentence maps back to its
page and offset (citations), and no question, however odd, crashes the assistant's input stage.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assistant.question import prepare
from beleidsbron.domain import DocumentInfo
from beleidsbron.text.dutch_analysis import Analyzer
from beleidsbron.text.normalize import normalize
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages
from ingest.structure import build_document

# Control/format characters and lone surrogates: never in clean text ("\n" is allowed in pages).
FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff]")
DOC = DocumentInfo("eigenschap.pdf", "/tmp/eigenschap.pdf", "e" * 64, "Eigenschappen", "Test", 2024, 0)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------

# Any code point, with extra weight on the troublesome ones.
hostile_chars = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates (hypothesis leaves them out by default)
    st.sampled_from(
        list("\x00\x07\t\r\n\x0b\x0c\x1b\x7f\x85\x9f\u00a0\u00ad\u200b\u200d\u200e\u202e\u2028\u2029\ufeff\uffff")
        + list("ﬁﬂĳ²①⑴ｗｉｊｋ\u0301\u0308éëï-‐‑–—…")
    ),
)
hostile_text = st.text(hostile_chars, max_size=200)

# Letters that NFKC leaves alone, for the "no letter is lost" properties.
WORDS = [
    "wijk",
    "gemeente",
    "bewoners",
    "leefbaarheid",
    "corporatie",
    "ééngezinswoning",
    "coöperatie",
    "financiering",
    "aanpak",
    "buurt",
    "ruimtelijk",
    "sociaal",
    "veiligheid",
    "Rotterdam",
    "Zuid",
    "programma",
    "investeringen",
    "participatie",
    "zorg",
    "kansen",
    "ondermijning",
    "groen",
    "speelplek",
    "het",
    "de",
    "een",
    "in",
    "met",
    "voor",
    "en",
]
word = st.sampled_from(WORDS)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(word, min_size=2, max_size=14))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    return text + draw(st.sampled_from([".", ".", ".", "?", "!", ":"]))


@st.composite
def page_lines(draw: st.DrawFn, width: int) -> list[str]:
    """A page as wrapped lines: paragraphs of sentences, some words hyphenated at line ends."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        paragraph = " ".join(draw(st.lists(sentence(), min_size=1, max_size=5)))
        line = ""
        for token in paragraph.split():
            if len(line) + len(token) + 1 > width:
                if len(token) >= 8 and draw(st.booleans()):  # hyphenate the word at the line end
                    cut = draw(st.integers(3, len(token) - 3))
                    lines.append(f"{line} {token[:cut]}-".strip())
                    line = token[cut:]
                    continue
                lines.append(line)
                line = ""
            line = f"{line} {token}".strip()
        if line:
            lines.append(line)
        lines.append("")  # paragraph break
    return lines


@st.composite
def raw_document(draw: st.DrawFn) -> list[str]:
    """Raw page texts as a PDF extractor gives them; pages may be empty, sentences may run over a page
    break, and a page may end in a hyphenated word."""
    width = draw(st.integers(30, 90))
    pages = ["\n".join(draw(page_lines(width))) for _ in range(draw(st.integers(1, 6)))]
    for i in range(len(pages) - 1):
        if pages[i].strip() and pages[i + 1].strip():
            join = draw(st.sampled_from(["", "run-on", "hyphen"]))
            if join == "run-on":  # an unfinished sentence continues on the next page
                pages[i] = pages[i].rstrip() + " en de"
                pages[i + 1] = "wijk " + pages[i + 1].lstrip()
            elif join == "hyphen":
                pages[i] = pages[i].rstrip() + " gemeen-"
                pages[i + 1] = "ten " + pages[i + 1].lstrip()
    return pages


# --- cleaning -----------------------------------------------------------------------------------


@FAST
@given(hostile_text)
def test_normalize_never_leaves_control_characters(raw: str) -> None:
    text = normalize(raw)
    assert not FORBIDDEN.search(text), ascii(text)
    text.encode("utf-8")  # no lone surrogates
    for line in text.split("\n"):
        assert line == line.strip() and "  " not in line


@FAST
@given(hostile_text)
@example("e\x00\u0301 cafe\u200d\u0301")  # a control character between a letter and its accent
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


@FAST
@given(st.lists(hostile_text, max_size=6))
def test_clean_pages_never_crashes_and_keeps_one_page_per_page(raw_pages: list[str]) -> None:
    pages = clean_pages(raw_pages)
    assert [p.number for p in pages] == list(range(1, len(raw_pages) + 1))
    for page in pages:
        assert not FORBIDDEN.search(page.text), ascii(page.text)
        page.text.encode("utf-8")
        assert page.text == page.text.strip() and "\n\n\n" not in page.text
        for offset, heading in page.headings:
            assert page.text[offset : offset + len(heading)] == heading


@FAST
@given(st.lists(st.integers(30, 90).flatmap(page_lines), min_size=1, max_size=2))
def test_cleaning_loses_no_letters(pages: list[list[str]]) -> None:
    """Only hyphens and whitespace may go (no digits here, so no page numbers or footnote marks;
    fewer than three pages, so no running headers)."""
    raw = ["\n".join(lines) for lines in pages]
    cleaned = clean_pages(raw)
    for before, after in zip(raw, cleaned, strict=True):
        assert [c for c in after.text if c.isalpha()] == [c for c in before if c.isalpha()]
        assert re.sub(r"[\s-]", "", after.text) == re.sub(r"[\s-]", "", before)


# --- structure and chunking ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_document(), st.integers(200, 700), st.integers(0, 120))
def test_chunks_are_exact_slices_of_whole_units_that_know_their_pages(
    raw_pages: list[str], size: int, overlap: int
) -> None:
    assume(overlap < size)
    pages = clean_pages(raw_pages)
    document = build_document(pages)
    clean = {p.number: " ".join(p.text.split()) for p in pages}
    chunks = chunk_document(DOC, document, size, overlap)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert {(u.start, u.end) for c in chunks for u in c.units} == {(u.start, u.end) for u in document.units}
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert list(chunk.pages) == sorted(set(chunk.pages))
        for unit in chunk.units:
            text = document.unit_text(unit)
            assert text and text == text.strip()
            assert chunk.page_at(unit.start - chunk.start) == unit.page
            # the unit starts on its page (a sentence may run on over the page break)
            flat, page_text = " ".join(text.split()), clean[unit.page]
            head = flat.split()[0]
            runs_on = any(page_text.endswith(flat[:k]) for k in range(len(head), len(flat)))
            assert flat[:12] in page_text or runs_on, (unit.page, text)


@FAST
@given(raw_document())
def test_page_breaks_never_glue_words_together(raw_pages: list[str]) -> None:
    """Joining pages may only drop a hyphen of a word broken over the page; empty pages included."""
    pages = clean_pages(raw_pages)
    document = build_document(pages)
    expected = " ".join(p.text for p in pages if p.text)
    expected = re.sub(r"(\w)-\s+(\w)", r"\1\2", expected)  # a word hyphenated over a page break
    assert re.sub(r"-", "", " ".join(document.text.split())) == re.sub(r"-", "", " ".join(expected.split()))


def test_an_empty_page_between_two_pages_keeps_them_apart() -> None:
    pages = clean_pages(["Het einde van de wijken.", "", "De gemeente begint opnieuw."])
    document = build_document(pages)
    assert document.text == "Het einde van de wijken.\n\nDe gemeente begint opnieuw."
    assert [document.unit_text(u) for u in document.units] == [
        "Het einde van de wijken.",
        "De gemeente begint opnieuw.",
    ]
    chunk = chunk_document(DOC, document, 600, 50)[0]
    assert chunk.page_at(chunk.text.index("De gemeente")) == 3


# --- questions ----------------------------------------------------------------------------------

ANALYZER = Analyzer(Analyzer.build_vocabulary([" ".join(WORDS)] * 2))
MAX_CHARS = 200

history_item = st.one_of(
    hostile_text,
    st.tuples(hostile_text, hostile_text),
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": hostile_text}),
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(hostile_text, st.text(hostile_chars, min_size=150, max_size=800)),
    st.none() | st.lists(history_item, max_size=4),
)
def test_prepare_handles_any_question(raw: str, history: list[object] | None) -> None:
    prepared = prepare(raw, history, ANALYZER, MAX_CHARS)
    if prepared.problem:
        assert prepared.query == ""
    else:
        assert prepared.query.strip()
    for value in (prepared.text, prepared.query, prepared.problem, prepared.notice):
        assert not FORBIDDEN.search(value), ascii(value)
        assert "\n" not in value
        value.encode("utf-8")  # the embedder and the store only take valid UTF-8
    assert len(prepared.text) <= MAX_CHARS
    assert len(prepared.query) <= 3 * MAX_CHARS + 2  # the question and at most two earlier ones


def test_prepare_keeps_a_normal_question() -> None:
    prepared = prepare("  Hoe wordt de wijk\x07aanpak gefinancierd?\n", None, ANALYZER, MAX_CHARS)
    assert prepared.problem == "" and prepared.text == "Hoe wordt de wijkaanpak gefinancierd?"
    assert unicodedata.is_normalized("NFKC", prepared.query)
