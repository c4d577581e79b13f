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

from assistant.compose import page_position
from assistant.question import prepare
from beleidsbron.domain import DocumentInfo
from beleidsbron.text.dutch_analysis import Analyzer
from beleidsbron.text.normalize import normalize
from beleidsbron.text.sentences import split_sentences
from ingest.chunking import assemble, chunk_document
from ingest.cleaning import clean_pages

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


# --- chunking -----------------------------------------------------------------------------------


def doc_start(document_pages: tuple[int, ...], page_starts: tuple[int, ...], chunk_page: int, offset: int) -> int:
    return page_starts[document_pages.index(chunk_page)] + offset


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_document(), st.integers(200, 700), st.integers(0, 120))
def test_chunks_are_exact_slices_that_know_their_pages(raw_pages: list[str], size: int, overlap: int) -> None:
    assume(overlap < size)
    pages = clean_pages(raw_pages)
    document = assemble(pages)
    clean = {p.number: p.text for p in pages}
    chunks = chunk_document(DOC, pages, size, overlap)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        start = doc_start(document.page_numbers, document.page_starts, chunk.pages[0], chunk.page_offset)
        assert document.text[start : start + len(chunk.text)] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert chunk.page_starts[0] == 0 and list(chunk.page_starts) == sorted(chunk.page_starts)
        assert len(chunk.page_starts) == len(chunk.pages) and list(chunk.pages) == sorted(set(chunk.pages))
        for offset in range(len(chunk.text)):  # page_at agrees with the document's page starts
            assert chunk.page_at(offset) == document.page_numbers[document.page_index(start + offset)]
        for a, b in split_sentences(chunk.text):
            text = chunk.text[a:b]
            assert text and text == text.strip()
            if any(a < p < b for p in chunk.page_starts[1:]):
                continue  # the sentence runs over a page break: it has no single page offset
            page, offset = page_position(chunk, a)
            assert clean[page][offset : offset + len(text)] == text, (page, offset, text)


@FAST
@given(raw_document())
def test_page_breaks_never_glue_words_together(raw_pages: list[str]) -> None:
    """Joining pages may only drop a hyphen of a word broken over the page; empty pages included."""
    pages = clean_pages(raw_pages)
    document = assemble(pages)
    expected = " ".join(p.text for p in pages if p.text)
    expected = re.sub(r"(\w)-\s+(\w)", r"\1\2", expected)  # a word hyphenated over a page break
    assert re.sub(r"-", "", " ".join(document.text.split())) == re.sub(r"-", "", " ".join(expected.split()))


def test_an_empty_page_between_two_pages_keeps_them_apart() -> None:
    pages = clean_pages(["Het einde van de wijken.", "", "De gemeente begint opnieuw."])
    document = assemble(pages)
    assert document.text == "Het einde van de wijken.\n\nDe gemeente begint opnieuw."
    assert [document.text[a:b] for a, b in split_sentences(document.text)] == [
        "Het einde van de wijken.",
        "De gemeente begint opnieuw.",
    ]
    chunk = chunk_document(DOC, pages, 600, 50)[0]
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
