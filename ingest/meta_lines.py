"""The document as metadata reads it: lines of its first and last pages, and what they look like.

Part of ingest (PDF → *metadata* → store). :class:`MetaDoc` holds the lines :mod:`ingest.styled_lines`
read (type size and position on the first pages, plain text on the last ones), the side blocks
:mod:`ingest.layout` set apart, the text OCR read from the cover's logo and the PDF's info fields;
the helpers here tell a label's value, a running header, a line of running text or a date.
:mod:`ingest.metadata`, :mod:`ingest.publisher` and :mod:`ingest.dates` share them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from beleidsbron.text.normalize import normalize
from ingest.styled_lines import Line

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4, "mei": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
               "oktober", "november", "december")  # fmt: skip
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))  # a month name or its abbreviation, as a regex
YEAR = r"(?:19[89]\d|20\d\d)"
FULL_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{MONTH})\.?\s+({YEAR})|\d{{1,2}}[-/.]\d{{1,2}}[-/.]({YEAR})|({YEAR})-\d\d-\d\d)\b", re.I
)
MONTH_YEAR = re.compile(rf"^(?:(?:{MONTH})\.?\s+)({YEAR})$", re.I)
ANY_YEAR = re.compile(rf"(?<![\d.,/-]){YEAR}(?![\d.,/-]\d)")
# A label that introduces the document's own date.
DATE_LABEL = re.compile(
    r"^(?:datum|date|dagtekening|publicatiedatum|datum\s+(?:van\s+)?(?:publicatie|uitgave|vaststelling)|"
    r"verschenen|uitgiftedatum|vastgesteld|voorgesteld|ingezonden|gehouden\s+op|versie\b.*?|"
    r"[A-Z][\w'’\- ]{1,30},)\s*(?:op|in|d\.d\.)?\s*[:\-–]?\s*",
    re.I,
)
LETTER_LABELS = re.compile(
    r"^(?:datum|betreft|onderwerp|ons\s+kenmerk|uw\s+kenmerk|kenmerk|bijlagen?|uw\s+brief|retouradres|"
    r"contactpersoon|doorkiesnummer|behandeld\s+door|inlichtingen|zaaknummer|registratienummer)\b",
    re.I,
)
_COLON_LABEL = re.compile(r"^[^\s:]+(?:\s+[^\s:]+){0,3}\s*:(?:\s|$)")
COPYRIGHT = re.compile(rf"(?:©|\(c\)|copyright)\s*(?:©\s*)?({YEAR})?\s*[,\-–]?\s*(.*)", re.I)
SALUTATION = re.compile(r"^(?:geachte?|beste|l\.s\.|dear)\b", re.I)


def one_line(text: str) -> str:
    """A metadata value as one clean line: the PDF's own strings may hold control characters, line
    breaks or lone surrogates (which the store cannot encode)."""
    return " ".join(normalize(text).split())


@dataclass
class MetaDoc:
    """What metadata reads of one document."""

    lines: list[Line]  # first pages with type size, last pages without
    pages: int
    info_title: str
    info_author: str
    info_year: int | None
    today: date
    side: frozenset[tuple[int, str]] = frozenset()  # (page, text) of side-block lines (letterhead columns)
    logos: list[Line] = field(default_factory=list)  # text OCR read from the first page's logo or banner

    def page(self, number: int) -> list[Line]:
        return [line for line in self.lines if line.page == number]

    @property
    def first(self) -> list[Line]:
        return [line for line in self.lines if line.page <= 2]

    def in_side_block(self, line: Line) -> bool:
        return (line.page, line.text) in self.side


def fallback_lines(pages: list[str]) -> list[Line]:
    """Lines from the page texts, for when the excerpt has none (its pages could not be read)."""
    n = len(pages)
    numbers = sorted({*range(min(2, n)), *range(max(0, n - 2), n)})
    return [
        Line(i + 1, one_line(text), 0.0, 0.0, 0.0, 0.0, 0.0, 595.0, 842.0)
        for i in numbers
        for text in pages[i].splitlines()
        if text.strip()
    ]


def labelled_value(lines: list[Line], index: int, rest: str) -> str:
    """The value of the label on ``lines[index]``: the rest of its line, else the text to its right on
    the same baseline, else the line right below it (in a header table: the cell under the label)."""
    if rest.strip(" :"):
        return rest.strip(" :")
    label = lines[index]
    if label.size:
        beside = [
            line
            for line in lines
            if line.page == label.page and abs(line.top - label.top) < 0.5 * label.size and line.left > label.right
        ]
        if beside:
            return min(beside, key=lambda line: line.left).text
    following = lines[index + 1 : index + 2]
    if not following or following[0].page != label.page or LETTER_LABELS.match(following[0].text):
        return ""
    below = following[0]
    if label.size and (
        not 0 <= below.top - label.top <= 2.5 * label.size or abs(below.left - label.left) > 2 * label.size
    ):
        return ""  # not the cell under the label: a column header over a list ("Nr. | Onderwerp")
    return below.text


def continued(lines: list[Line], start: Line, value: str) -> str:
    """A labelled value that wraps onto the lines below it (a long "Betreft")."""
    if not start.size:
        return value
    out = value
    bottom = start.bottom
    lefts = [line.left for line in lines if line.text == value and line.page == start.page][:1]
    if not lefts:  # the value shares the label's line: estimate where it starts; in a table cell it wraps
        share = 1 - len(value) / max(len(start.text), 1)  # back to the label's left
        lefts = [start.left + share * (start.right - start.left), start.left]
    for line in lines:
        if line.page != start.page or line.top <= start.top + 0.5 * start.size:
            continue
        aligned = any(abs(line.left - left) <= max(3.0, 0.8 * start.size) for left in lefts)
        if not aligned or line.top - bottom > 1.6 * start.size:
            continue
        if LETTER_LABELS.match(line.text) or SALUTATION.match(line.text) or _COLON_LABEL.match(line.text):
            break  # the next field ("Openbaar: Ja"), or the letter begins
        if any(
            abs(o.top - line.top) < 0.5 * start.size and o.right <= line.left for o in lines if o.page == start.page
        ):
            break  # the next labelled row ("Datum" beside its value)
        out = join_lines(out, line.text)
        bottom = line.bottom
        if len(out) > 250:
            break
    return out


def join_lines(first: str, second: str) -> str:
    if first.endswith("-") and first[-2:-1].isalpha() and second[:1].islower():
        return first[:-1] + second
    if first.endswith("-"):
        return first + second
    return f"{first} {second}"


def parts(text: str) -> list[str]:
    """The parts of a line separated by bars, dashes, wide gaps or commas."""
    return [p.strip() for p in re.split(r"\s+[|·•–—-]\s+|\s{2,}|,\s+", text) if p.strip()]


def with_continuation(lines: list[Line]) -> list[tuple[Line, str]]:
    """Each line with its text, where a name broken over two lines ("Ministerie van Binnenlandse Zaken
    en" / "Koninkrijksrelaties") is joined onto its first line and its rest is dropped."""
    out: list[tuple[Line, str]] = []
    skip = -1
    for i, line in enumerate(lines):
        if i == skip:
            continue
        text = line.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if (
            nxt is not None
            and line.size
            and nxt.page == line.page
            and re.search(r"\s(?:en|van|voor|der|de|den)$", text)
            and -0.5 * line.size <= nxt.top - line.bottom <= line.size
            and abs(nxt.left - line.left) <= 2
        ):
            text, skip = f"{text} {nxt.text}", i + 1
        out.append((line, text))
    return out


def in_paragraph(lines: list[Line], line: Line) -> bool:
    """Is the line part of running text: long, with a long line of the same type just above or below?"""
    if len(line.text) < 55:
        return False
    for other in lines:
        if other is line or other.page != line.page or len(other.text) < 55 or other.size != line.size:
            continue
        if not line.size or abs(other.top - line.top) <= 2.0 * line.size:
            return True
    return False


def edge(line: Line) -> bool:
    """Is the line in the top or bottom band of its page (running header or footer)?"""
    return bool(line.size) and (line.top < 0.08 * line.page_height or line.bottom > 0.92 * line.page_height)


def body_size(doc: MetaDoc) -> float:
    """The type size that carries most of the text on the first pages."""
    chars: defaultdict[float, int] = defaultdict(int)
    for line in doc.first:
        chars[line.size] += len(line.text)
    return max(chars, key=lambda size: chars[size]) if chars else 0.0


def running_keys(doc: MetaDoc) -> set[str]:
    """Lines repeated on the first two pages' top or bottom edge (running headers and footers)."""
    seen: defaultdict[str, set[int]] = defaultdict(set)
    for line in doc.first:
        if line.size and (line.top < 0.1 * line.page_height or line.bottom > 0.9 * line.page_height):
            seen[re.sub(r"\d+", "#", line.text.lower())].add(line.page)
    return {key for key, pages in seen.items() if len(pages) > 1}


def date_text(match: re.Match[str]) -> str:
    """A date found by :data:`FULL_DATE` as Dutch words ("12-03-2024" → "12 maart 2024")."""
    text = match.group(0)
    numeric = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if numeric and 1 <= int(numeric.group(2)) <= 12:
        return f"{int(numeric.group(1))} {MONTH_NAMES[int(numeric.group(2)) - 1]} {numeric.group(3)}"
    iso = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text)
    if iso and 1 <= int(iso.group(2)) <= 12:
        return f"{int(iso.group(3))} {MONTH_NAMES[int(iso.group(2)) - 1]} {iso.group(1)}"
    return text
