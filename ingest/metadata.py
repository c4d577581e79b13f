"""Document metadata: title, publisher, year, document type and URL of a publication.

Part of ingest (PDF → *metadata* → store). Per field, the optional ``catalogue.csv`` next to the PDFs
wins (see corpus/README.md); otherwise the document itself is read the way a librarian would:

- **title**: the heading of Kamervragen or a motie, a letter's subject ("Betreft …"), the PDF's Title
  field when it is plausible and the first pages confirm it, else the block set in the largest type on
  the first page, else a plausible Title field, a title in the running header, the first line (never a
  file name, a spreadsheet name, a number or a section heading such as "Inhoud");
- **publisher**: the organisation named on the cover, letterhead, colophon, running header or
  signature, or in the PDF's Author field when that names an organisation (never a person, software
  or OCR debris) — see :mod:`ingest.organisations`;
- **year**: the document's own date (letter date, "Begroting 2026", "vastgesteld op …", year of
  publication, ©), never a later year the text merely mentions; the file's creation date only when
  nothing in the text contradicts it;
- **type**: brief, motie, Kamervragen, begroting, jaarverslag, … (:data:`beleidsbron.domain.DOC_TYPES`).

A field that cannot be determined stays empty (shown as unknown), rather than being guessed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from beleidsbron.domain import DOC_TYPES
from beleidsbron.text.normalize import normalize
from ingest.ocr import excerpt_lines
from ingest.organisations import minister_organisation, named_organisations, organisation_name
from ingest.pdf_reader import PdfContent
from ingest.styled_lines import Line, read_excerpt

CATALOGUE_NAME = "catalogue.csv"

_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4, "mei": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19[89]\d|20\d\d)"
_FULL_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{_MONTH})\.?\s+({_YEAR})|\d{{1,2}}[-/.]\d{{1,2}}[-/.]({_YEAR})|({_YEAR})-\d\d-\d\d)\b", re.I
)
_MONTH_YEAR = re.compile(rf"^(?:(?:{_MONTH})\.?\s+)({_YEAR})$", re.I)
_ANY_YEAR = re.compile(rf"(?<![\d.,/-]){_YEAR}(?![\d.,/-]\d)")
# A label that introduces the document's own date.
_DATE_LABEL = re.compile(
    r"^(?:datum|date|dagtekening|publicatiedatum|datum\s+(?:van\s+)?(?:publicatie|uitgave|vaststelling)|"
    r"verschenen|uitgiftedatum|vastgesteld|voorgesteld|ingezonden|gehouden\s+op|versie\b.*?|"
    r"[A-Z][\w'’\- ]{1,30},)\s*(?:op|in|d\.d\.)?\s*[:\-–]?\s*",
    re.I,
)
_DATED_PHRASE = re.compile(
    r"\b(?:vastgesteld|voorgesteld|ingezonden|ontvangen|gehouden|besloten|ondertekend|aangenomen)\b[^.]{0,60}?"
    rf"(?:\d{{1,2}}\s+(?:{_MONTH})\.?\s+({_YEAR}))",
    re.I,
)
_PUBLICATION_YEAR = re.compile(rf"\b(?:jaar\s+van\s+uitgave|uitgavejaar|publicatiejaar)\s*[:\-–]?\s*({_YEAR})\b", re.I)
_COPYRIGHT = re.compile(rf"(?:©|\(c\)|copyright)\s*(?:©\s*)?({_YEAR})?\s*[,\-–]?\s*(.*)", re.I)
_PERIOD_TITLE = re.compile(
    r"\b(?:\w*begroting|jaarstukken|jaarverslag|jaarrekening|\w*nota|jaarplan|jaarprogramma|"
    r"uitvoeringsprogramma|\w*programma|monitor|rapportage|vergaderjaar)\b",
    re.I,
)
_PUBLISHER_LABEL = re.compile(
    r"^(?:een\s+)?(?:uitgave|uitgever|uitgegeven\s+door|publicatie|publisher|published\s+by|"
    r"dit\s+is\s+een\s+uitgave)(?:\s+van)?\s*[:\-–]?(?:\s+(.*)|$)",
    re.I,
)
# A line naming who commissioned, funded or co-operated: not the publisher, or only weakly.
_SUPPORTING = re.compile(
    r"^(?:in\s+opdracht\s+van|opdrachtgever|met\s+(?:financiële\s+)?(?:steun|dank)|mede\s+mogelijk|"
    r"in\s+samenwerking\s+met|met\s+medewerking|ondersteund\s+door|gefinancierd\s+door)",
    re.I,
)
# Colophon labels that end the value of the one before them on the same line.
_NEXT_LABEL = re.compile(
    r"\s(?:auteurs?|tekst(?:en)?|redactie|eindredactie|jaar\s+van\s+uitgave|met\s+medewerking|vormgeving|"
    r"ontwerp|fotografie|foto's|druk(?:werk)?|isbn|contact|postbus|telefoon|e-?mail|www\.|opdrachtgever|"
    r"bezoekadres|illustraties?)\b.*$|\s©.*$",
    re.I,
)
_SUBJECT_LABEL = re.compile(r"^(?:betreft|onderwerp|subject|inzake)\b\s*[:\-–]?\s*(.*)$", re.I)
_LETTER_LABELS = re.compile(
    r"^(?:datum|betreft|onderwerp|ons\s+kenmerk|uw\s+kenmerk|kenmerk|bijlagen?|uw\s+brief|retouradres|"
    r"contactpersoon|doorkiesnummer|behandeld\s+door|inlichtingen)\b",
    re.I,
)
_QUESTIONS = re.compile(
    r"^(?:(?:antwoord(?:en)?\s+op\s+(?:de\s+)?)?vragen\s+van\s+(?:het\s+lid|de\s+leden)\b|"
    r"antwoord(?:en)?\s+(?:op\s+)?(?:de\s+)?kamervragen\b|beantwoording\s+(?:van\s+)?(?:de\s+)?kamervragen\b)",
    re.I,
)
_MOTION = re.compile(
    r"^(?:nr\.\s*\d+\s+)?(?:gewijzigde\s+)?motie\s+van\s+(het\s+lid|de\s+leden)\s+(.+?)"
    r"(?:\s+ter\s+vervanging\b.*|\s+over\b.*)?$",
    re.I,
)
_HEADINGS = re.compile(
    r"^(?:\d+[.)]?\s*)?(?:leeswijzer|inhoud|inhoudsopgave|inhoudstafel|voorwoord|samenvatting|"
    r"managementsamenvatting|bestuurlijke\s+samenvatting|colofon|inleiding|bijlagen?|woord\s+vooraf|"
    r"verantwoording|literatuur(?:lijst)?|bronnen|noten|begrippenlijst|afkortingen|tabel|figuur|"
    r"agenda|concept|vertrouwelijk|openbaar|pagina|page)\b",
    re.I,
)
# A title that is only a document type says what the document is, not which one.
_CHAPTER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|hoofdstuk|deel|bijlage|paragraaf)\s", re.I)
_BARE_TYPE = re.compile(
    r"^(?:kamer)?brief|memo|notitie|nota|raadsvoorstel|statenvoorstel|voorstel|rapport|besluit|"
    r"raadsinformatiebrief|collegebesluit|factsheet|presentatie$",
    re.I,
)
_JUNK_TITLE = re.compile(
    r"^(?:untitled|naamloos|document\s*\d*|presentatie\s*\d*|sjabloon|template|normal|microsoft\b|"
    r"powerpoint|word\b|þÿ|ÿþ|titel|title)|^[^\W_]*\d{3,}[^\W_]*$",
    re.I,
)
_FILE_LIKE = re.compile(
    r"\.(?:pdf|docx?|docm|dotx?|xlsx?|xlsm|csv|pptx?|odt|ods|odp|rtf|txt|indd|msg|eml|html?|jpe?g|png|tiff?)\b"
    r"|[^\W_]_[^\W_]|\\|^/|\w/\w+/|~\$",
    re.I,
)
_ADDRESSEE = re.compile(r"^(?:aan\b|de\s+voorzitter\s+van|voorzitter\s+van|t\.a\.v\.|ter\s+attentie)", re.I)
_SIGNATURE_START = re.compile(
    r"^(?:hoogachtend|met\s+vriendelijke\s+groet|namens\s+deze|de\s+(?:minister|staatssecretaris)|"
    r"(?:het\s+college\s+van\s+)?burgemeester\s+en\s+wethouders|gedeputeerde\s+staten)",
    re.I,
)


@dataclass(frozen=True)
class CatalogueEntry:
    """Metadata of one document; empty fields are unknown."""

    title: str = ""
    publisher: str = ""
    year: int | None = None
    url: str = ""
    doc_type: str = ""


@lru_cache(maxsize=64)
def _read_catalogue(path: Path, mtime: float) -> dict[str, CatalogueEntry]:
    entries: dict[str, CatalogueEntry] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if not row.get("file"):
                continue
            year = row.get("year", "")
            doc_type = row.get("type", "").lower()
            entries[row["file"]] = CatalogueEntry(
                title=row.get("title", ""),
                publisher=row.get("publisher", ""),
                year=int(year) if year.isdigit() else None,
                url=row.get("url", ""),
                doc_type=doc_type if doc_type in DOC_TYPES else "",
            )
    return entries


def catalogue_entry(pdf: Path) -> CatalogueEntry:
    """The catalogue row for ``pdf`` from ``catalogue.csv`` in its folder, or an empty entry."""
    path = pdf.parent / CATALOGUE_NAME
    if not path.is_file():
        return CatalogueEntry()
    try:
        return _read_catalogue(path, path.stat().st_mtime).get(pdf.name, CatalogueEntry())
    except (OSError, csv.Error, UnicodeDecodeError):
        return CatalogueEntry()


def one_line(text: str) -> str:
    """A metadata value as one clean line: the PDF's own strings may hold control characters, line
    breaks or lone surrogates (which the store cannot encode)."""
    return " ".join(normalize(text).split())


def plausible_title(text: str) -> bool:
    """Could ``text`` be a publication's title? Not a file or spreadsheet name, a number, an ID, a
    date or a section heading."""
    text = one_line(text)
    if not 3 <= len(text) <= 300 or _JUNK_TITLE.match(text) or _FILE_LIKE.search(text):
        return False
    if text[0].islower():  # file names and fragments; titles start with a capital, digit or quote
        return False
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    words = re.findall(r"[^\W\d_]{2,}", text)
    if letters < 4 or digits > letters or re.search(r"\d{6,}", text) or not words:
        return False
    if len(re.findall(r"(?<![\w-])\d[\d.,]*(?![\w-])", text)) >= 3:  # a table row or a list of figures
        return False
    if _FULL_DATE.fullmatch(text) or _MONTH_YEAR.match(text):
        return False
    return not (len(words) <= 2 and (_HEADINGS.match(text) or _BARE_TYPE.fullmatch(text)))


# --- reading the first pages ----------------------------------------------------------------------


@dataclass
class _Doc:
    lines: list[Line]  # first pages with type size, last pages without
    pages: int
    info_title: str
    info_author: str
    info_year: int | None
    today: date

    def page(self, number: int) -> list[Line]:
        return [line for line in self.lines if line.page == number]

    @property
    def first(self) -> list[Line]:
        return [line for line in self.lines if line.page <= 2]


def _fallback_lines(content: PdfContent) -> list[Line]:
    """Lines from the parsed page texts, for when pypdfium2 cannot read the file."""
    n = len(content.pages)
    numbers = sorted({*range(min(2, n)), *range(max(0, n - 2), n)})
    return [
        Line(i + 1, one_line(text), 0.0, 0.0, 0.0, 0.0, 0.0, 595.0, 842.0)
        for i in numbers
        for text in content.pages[i].splitlines()
        if text.strip()
    ]


def _labelled_value(lines: list[Line], index: int, rest: str) -> str:
    """The value of the label on ``lines[index]``: the rest of its line, else the text to its right on
    the same baseline, else the line below it."""
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
    if following and following[0].page == label.page and not _LETTER_LABELS.match(following[0].text):
        return following[0].text
    return ""


def _continued(lines: list[Line], start: Line, value: str) -> str:
    """A labelled value that wraps onto the lines below it (a long "Betreft")."""
    if not start.size:
        return value
    out = value
    bottom = start.bottom
    left = next((line.left for line in lines if line.text == value and line.page == start.page), None)
    if left is None:  # the value shares the label's line: estimate where it starts
        share = 1 - len(value) / max(len(start.text), 1)
        left = start.left + share * (start.right - start.left)
    for line in lines:
        if line.page != start.page or line.top <= start.top + 0.5 * start.size:
            continue
        if abs(line.left - left) > max(3.0, 0.8 * start.size) or line.top - bottom > 1.6 * start.size:
            continue
        if _LETTER_LABELS.match(line.text) or re.match(r"^(geachte|beste)\b", line.text, re.I):
            break
        if any(
            abs(o.top - line.top) < 0.5 * start.size and o.right <= line.left for o in lines if o.page == start.page
        ):
            break  # the next labelled row ("Datum" beside its value)
        out = _join_lines(out, line.text)
        bottom = line.bottom
        if len(out) > 250:
            break
    return out


def _join_lines(first: str, second: str) -> str:
    if first.endswith("-") and first[-2:-1].isalpha() and second[:1].islower():
        return first[:-1] + second
    if first.endswith("-"):
        return first + second
    return f"{first} {second}"


# --- title ----------------------------------------------------------------------------------------


def _subject(doc: _Doc) -> str:
    lines = doc.first
    for i, line in enumerate(lines):
        match = _SUBJECT_LABEL.match(line.text)
        if match:
            value = _labelled_value(lines, i, match.group(1))
            value = _continued(lines, line, value) if value else value
            if plausible_title(value[:1].upper() + value[1:]):
                return value[:1].upper() + value[1:]
    return ""


def _questions_title(doc: _Doc) -> str:
    lines = doc.first
    for i, line in enumerate(lines):
        if _QUESTIONS.match(line.text):
            text, last = line.text, line
            for nxt in lines[i + 1 : i + 6]:  # the heading's wrapped lines, set like it, right below it
                if re.search(r"\(ingezonden|\)\.?$|\.$", text) or nxt.page != line.page or nxt.size != line.size:
                    break
                if line.size and (abs(nxt.left - line.left) > line.size or nxt.top - last.bottom > line.size):
                    break
                if re.match(r"^(?:geachte|beste)\b", nxt.text, re.I):
                    break
                text, last = _join_lines(text, nxt.text), nxt
            return re.split(r"\s*\(ingezonden", text, flags=re.I)[0].strip(" .")[:250]
    return ""


def _name_case(words: str) -> str:
    """ "VAN DER LEE EN BONTENBAL C.S." → "Van der Lee en Bontenbal c.s." """
    out: list[str] = []
    for word in words.split():
        low = word.lower()
        if low in ("en", "c.s.", "c.s") or (out and low in ("van", "der", "de", "den", "ter", "te", "het")):
            if out and out[-1].lower() in ("en",) and low in ("van", "de", "den", "ter", "te", "het"):
                out.append(word.capitalize())  # a name that starts after "en"
            else:
                out.append(low)
        else:
            out.append(word[:1].upper() + word[1:].lower() if word.isupper() else word)
    return " ".join(out)


def _motion_title(doc: _Doc) -> str:
    for line in doc.first:
        match = _MOTION.match(line.text)
        if match:
            return f"Motie van {' '.join(match.group(1).lower().split())} {_name_case(match.group(2))}"
    return ""


def _running_keys(doc: _Doc) -> set[str]:
    """Lines repeated on the first two pages' top or bottom edge (running headers and footers)."""
    seen: defaultdict[str, set[int]] = defaultdict(set)
    for line in doc.first:
        if line.size and (line.top < 0.1 * line.page_height or line.bottom > 0.9 * line.page_height):
            seen[re.sub(r"\d+", "#", line.text.lower())].add(line.page)
    return {key for key, pages in seen.items() if len(pages) > 1}


def _mostly_organisation(text: str) -> bool:
    """Is the line an organisation's name (and little else), such as a sender or a logo text?"""
    name = organisation_name(text) or next(iter(named_organisations(text)), "")
    return bool(name) and len(name) >= 0.6 * len(text)


def _title_line(line: Line, running: set[str]) -> bool:
    text = line.text
    if re.sub(r"\d+", "#", text.lower()) in running or _LETTER_LABELS.match(text) or _ADDRESSEE.match(text):
        return False
    if _mostly_organisation(text) or (_DATE_LABEL.match(text) and _FULL_DATE.search(text)):
        return False
    if re.match(r"^(?:vergaderjaar|nr\.|no\.|kamerstuk|www\.|https?:)", text, re.I):
        return False
    return plausible_title(text) or bool(re.search(r"[^\W\d_]{3,}", text))


def _body_size(doc: _Doc) -> float:
    """The type size that carries most of the text on the first pages."""
    chars: defaultdict[float, int] = defaultdict(int)
    for line in doc.first:
        chars[line.size] += len(line.text)
    return max(chars, key=lambda size: chars[size]) if chars else 0.0


_DISPLAY_POINTS = 18.0  # type this large is never running text, whatever else is on the first pages


def _display_title(doc: _Doc) -> tuple[str, bool, int]:
    """The block set in the largest type on the first page (the second when the first has none), whether
    that type is display type (a first line in body type is a weak title), and its page."""
    running = _running_keys(doc)
    body = _body_size(doc)
    for number in (1, 2):
        page = [line for line in doc.page(number) if line.size]
        lines = [line for line in page if _title_line(line, running)]
        if number == 2:  # after an image-only cover: an inner title page, not a chapter heading
            lines = [line for line in lines if not _CHAPTER.match(line.text)]
        if not lines:
            continue
        sparse = len(page) <= 12  # a cover: what is larger than its smallest type is display type
        smallest = min(line.size for line in page)
        for size in sorted({line.size for line in lines}, reverse=True):
            display = size >= body * 1.15 or size >= _DISPLAY_POINTS or (sparse and size > smallest)
            if not display and not sparse:
                break  # no display type on this page: a letter or a page of running text
            start = min((line for line in lines if line.size == size), key=lambda line: line.top)
            block = _block(page, start, single=not display)
            if plausible_title(block):
                return block[:250], display, number
    return "", False, 0


def _block(page: list[Line], start: Line, single: bool = False) -> str:
    """``start`` and the lines right below it in the same type (±7%), joined; only ``start`` when
    ``single`` (text in body type, where the next line is not part of a title)."""
    size = start.size
    below = sorted(
        (line for line in page if abs(line.size - size) <= 0.07 * size and line.top > start.top),
        key=lambda line: line.top,
    )
    text, bottom = start.text, start.bottom
    for line in [] if single else below:
        if line.top - bottom > 1.0 * size or line.left > start.right or line.right < start.left:
            break
        text, bottom = _join_lines(text, line.text), line.bottom
    return text


def _info_title_confirmed(doc: _Doc, title: str) -> bool:
    """Do the Title field's words stand on the first pages (not a stale template or file title)?"""
    words = set(re.findall(r"[^\W\d_]{3,}", title.lower()))
    if not words:
        return False
    text = " ".join(line.text for line in doc.first).lower()
    present = set(re.findall(r"[^\W\d_]{3,}", text))
    return len(words & present) >= 0.8 * len(words)


def find_title(doc: _Doc) -> str:
    info = one_line(doc.info_title)
    info_ok = plausible_title(info)
    for candidate in (_subject(doc), _questions_title(doc), _motion_title(doc)):
        if candidate:
            return candidate
    display, in_display_type, page = _display_title(doc)
    if info_ok and _info_title_confirmed(doc, info):
        extended = in_display_type and info.lower() in display.lower() and len(display) > len(info)
        return display if extended else info
    if display and in_display_type and page == 1:
        return display
    # after an image-only cover, a title the running header repeats beats page 2's largest type
    return (info if info_ok else "") or _header_title(doc) or display


def _header_title(doc: _Doc) -> str:
    """The document title a running header or footer repeats ("Gemeente X | Begroting 2026")."""
    for line in doc.first:
        if line.page > 1 and _edge(line):
            for part in _parts(line.text):
                if not organisation_name(part) and plausible_title(part) and len(part.split()) >= 2:
                    return part
    return ""


# --- publisher ------------------------------------------------------------------------------------


class _Votes:
    """Weighted mentions of organisations; the name is kept as first written."""

    def __init__(self) -> None:
        self.weight: defaultdict[str, float] = defaultdict(float)
        self.name: dict[str, str] = {}

    def add(self, name: str, weight: float) -> None:
        if not name:
            return
        key = name.lower()
        self.name.setdefault(key, name)
        self.weight[key] += weight

    def best(self, minimum: float) -> str:
        if not self.weight:
            return ""
        key = max(self.weight, key=lambda k: self.weight[k])  # first added wins a tie
        return self.name[key] if self.weight[key] >= minimum else ""


def _parts(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s+[|·•–—-]\s+|\s{2,}|,\s+", text) if p.strip()]


def _labelled_publisher(value: str) -> str:
    value = _NEXT_LABEL.sub("", value).strip(" .,;:")
    value = re.split(r",\s+|\s+\(|\s+[|·–—]\s+", value)[0].strip(" .")
    name = organisation_name(value)
    if name:
        return name
    # a one-word name the colophon calls the publisher ("Movisie"); several capitalised words without
    # an organisation noun may be a person ("Marieke de Boer"), so those are not taken
    return value if re.fullmatch(r"[A-Z][\w\-]{2,40}", value) else ""


def _with_continuation(lines: list[Line]) -> list[tuple[Line, str]]:
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


def _in_paragraph(lines: list[Line], line: Line) -> bool:
    """Is the line part of running text: long, with a long line of the same type just above or below?"""
    if len(line.text) < 55:
        return False
    for other in lines:
        if other is line or other.page != line.page or len(other.text) < 55 or other.size != line.size:
            continue
        if not line.size or abs(other.top - line.top) <= 2.0 * line.size:
            return True
    return False


def _edge(line: Line) -> bool:
    """Is the line in the top or bottom band of its page (running header or footer)?"""
    return bool(line.size) and (line.top < 0.08 * line.page_height or line.bottom > 0.92 * line.page_height)


def find_publisher(doc: _Doc, doc_type: str = "") -> str:
    votes = _Votes()
    lines = _with_continuation(doc.lines)
    for i, (line, text) in enumerate(lines):
        label = _PUBLISHER_LABEL.match(text)
        if label:
            value = label.group(1) or (lines[i + 1][1] if i + 1 < len(lines) else "")
            votes.add(_labelled_publisher(value), 6)
            continue
        for match in _COPYRIGHT.finditer(text):
            holder = re.split(r"[.,(]|\s+[|–—-]\s+|\s+alle\s+rechten", match.group(2), flags=re.I)[0]
            votes.add(organisation_name(holder), 4)
        if _SIGNATURE_START.match(text) or (line.page > 1 and minister_organisation(text)):
            votes.add(minister_organisation(text), 3)
            for name in named_organisations(text):
                votes.add(name, 3)
        if _ADDRESSEE.match(text):
            continue
        if _in_paragraph(doc.lines, line) or (len(text.split()) > 12 and not (line.page == 1 and i < 8)):
            for name in named_organisations(text):
                votes.add(name, 0.25)  # a mention in running text: only many of them count
            continue
        if _SUPPORTING.match(text):
            weight = 1.0
        elif line.page == 1 and len(text.split()) <= 12:
            weight = 4.0  # cover or letterhead
        elif line.page > 1 and (_edge(line) or _mostly_organisation(text)):
            weight = 2.0  # running header or footer, a sender line on a title or colophon page
        else:
            weight = 1.0
        found = named_organisations(text) or [n for n in map(organisation_name, _parts(text)) if n]
        for name in dict.fromkeys(found):
            votes.add(name, weight)
    votes.add(organisation_name(one_line(doc.info_author)), 3)
    best = votes.best(minimum=2.0)
    if not best and doc_type in ("motie", "kamervragen"):
        return "Tweede Kamer der Staten-Generaal"  # Kamerstukken: the Kamer publishes them
    return best


# --- year -----------------------------------------------------------------------------------------


def _years_in(text: str) -> list[int]:
    return [int(y) for y in _ANY_YEAR.findall(text)]


def find_year(doc: _Doc, title: str, doc_type: str) -> int | None:
    latest = doc.today.year + 1  # a budget is published the year before the one it is for
    created = doc.info_year if doc.info_year and 1995 <= doc.info_year <= doc.today.year else None
    if created and not _creation_year_fits(doc, created):
        created = None  # a producer's default date (2000 on a 2024 report) says nothing
    votes: defaultdict[int, float] = defaultdict(float)

    def add(year: int | None, weight: float, strong: bool = False) -> None:
        if year is None or year > latest:
            return
        if not strong and created and year > created + 1:
            return  # a later year on the page is a plan or target, not the document's date
        votes[year] += weight

    title_years = _years_in(title)
    if title_years and doc_type in ("begroting", "jaarverslag"):
        add(title_years[0], 12, strong=True)  # "Begroting 2026", "Jaarstukken 2024": the year it is about
    elif title_years and _PERIOD_TITLE.search(title):
        add(title_years[0], 7, strong=True)  # "Uitvoeringsprogramma 2024-2027": less than a dated label
    elif len(set(title_years)) == 1:
        add(title_years[0], 3)
    for i, line in enumerate(doc.lines):
        text = line.text
        publication = _PUBLICATION_YEAR.search(text)
        if publication:
            add(int(publication.group(1)), 10, strong=True)
        for match in _COPYRIGHT.finditer(text):
            if match.group(1):
                add(int(match.group(1)), 6, strong=True)
        label = _DATE_LABEL.match(text)
        if label and not _ANY_YEAR.search(text[label.end() :]) and re.fullmatch(r"\w+\s*:?", text, re.I):
            text = f"{text} {_labelled_value(doc.lines, i, '')}"  # "Datum" with its value beside or below
            label = _DATE_LABEL.match(text)
        if label:
            date_match = _FULL_DATE.match(text[label.end() :].strip()) or _MONTH_YEAR.match(text[label.end() :].strip())
            if date_match:
                add(int(next(g for g in date_match.groups() if g)), 10, strong=True)
                continue
        after = doc.lines[i + 1].text if i + 1 < len(doc.lines) and doc.lines[i + 1].page == line.page else ""
        for dated in _DATED_PHRASE.finditer(f"{text} {after}"):  # "(ingezonden 12 maart" / "2024)."
            if dated.start() < len(text):
                add(int(dated.group(1)), 8, strong=True)
        month_year = next(filter(None, (_MONTH_YEAR.match(part) for part in _parts(text))), None)
        if month_year and (line.page <= 2 or len(text) <= 60):
            add(int(month_year.group(1)), 6)
            continue
        if len(text) <= 60 and (line.page == 1 or not line.size):
            weight = 4 if line.page == 1 else 2  # the cover, or a short line of the colophon
            for match in _FULL_DATE.finditer(text):
                add(int(next(g for g in match.groups() if g)), weight)
            bare = re.fullmatch(rf"(?:.*?[,|–\-]\s*)?({_YEAR})\.?", text)
            if bare and not re.search(rf"{_YEAR}\s*[–\-/]\s*{_YEAR}", text):  # not "Vergaderjaar 2023–2024"
                add(int(bare.group(1)), weight)
    if votes:
        return max(votes, key=lambda y: (votes[y], y))
    return created


def _creation_year_fits(doc: _Doc, created: int) -> bool:
    """Is the file's creation year believable as the document's year? Not when the first pages date
    events after it (a producer's default date such as 2000 on a 2024 report)."""
    dated = [int(next(g for g in m.groups() if g)) for line in doc.first for m in _FULL_DATE.finditer(line.text)]
    past = [y for y in dated + [y for line in doc.first for y in _years_in(line.text)] if y <= doc.today.year]
    return not past or max(past) <= created + 1


# --- document type --------------------------------------------------------------------------------

_TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (key, re.compile(pattern, re.I))
    for key, pattern in (
        ("motie", r"^(?:gewijzigde\s+)?motie\b|\bde\s+kamer,\s+gehoord\s+de\s+beraadslaging"),
        (
            "kamervragen",
            r"^(?:antwoord\w*\s+op\s+)?(?:kamer)?vragen\b|\bkamervragen\b|aanhangsel\s+van\s+de\s+handelingen",
        ),
        ("besluitenlijst", r"\bbesluitenlijst"),
        (
            "voorstel",
            r"\b(?:raads|staten|initiatief)voorstel\b|^voorstel\s+aan\s+(?:de\s+raad|provinciale\s+staten)|^voordracht\s+\d",
        ),
        ("begroting", r"\b\w*begroting\b"),
        ("jaarverslag", r"\b(?:jaarstukken|jaarverslag|jaarrekening|jaarrapport\w*)\b"),
        ("fiche", r"\bbnc-fiche|^fiche\s+\d+\s*:"),
        ("besluit", r"\b(?:woo|wob)-?besluit|^besluit\b|\bbesluit\s+op\s+(?:uw\s+)?(?:woo|wob)"),
        ("nota", r"^(?:\w*nota|notitie|memo|raadsinformatiebrief)\b"),
        ("handreiking", r"\b(?:handreiking|leidraad|richtlijn|handleiding|factsheet|toolkit|wegwijzer)\b"),
        ("plan", r"^\w*(?:programma|plan|visie|strategie)\b"),
        ("rapport", r"\b\w*(?:rapport|onderzoek|evaluatie|monitor|verkenning|advies|analyse|studie|peiling|enquête)"),
    )
]


# Types that say what form a document has, whatever it is about (the rest describe content).
_FORM_TYPES = {
    "motie",
    "kamervragen",
    "besluitenlijst",
    "voorstel",
    "begroting",
    "jaarverslag",
    "fiche",
    "besluit",
    "nota",
}


def _letter(doc: _Doc) -> bool:
    first = [line.text for line in doc.page(1)]
    labels = sum(1 for text in first if _LETTER_LABELS.match(text))
    salutation = any(
        re.match(r"^(?:geachte|beste)\b", text, re.I) for text in first + [line.text for line in doc.page(2)]
    )
    return salutation and labels >= 1


def find_type(doc: _Doc, title: str) -> str:
    """The document type: its form (motie, budget, proposal …) from the title or the first page, then
    its letter form, then what the title, the display type or a colophon says it is."""
    body = _body_size(doc)
    display = [line.text for line in doc.page(1) if line.size and line.size > 1.15 * body]
    head = [line.text for line in doc.page(1)[:40] if len(line.text.split()) <= 8]  # headings, not prose
    for texts in ([title], display, head):
        for key, pattern in _TYPE_RULES:
            if key in _FORM_TYPES and any(pattern.search(text) for text in texts):
                return key
    if _letter(doc):
        return "brief"  # a letter about a report is a letter
    for texts in ([title], display):
        for key, pattern in _TYPE_RULES:
            if any(pattern.search(text) for text in texts):
                return key
    if any(re.match(r"^(?:\d+\.?\s*)?colofon\b|^isbn\b", line.text, re.I) for line in doc.lines):
        return "rapport"  # a publication with a colophon
    return ""


# --- all fields -----------------------------------------------------------------------------------


def _creation_year(raw: str, parsed: int | None) -> int | None:
    """The year of the PDF's CreationDate; None for a producer's default (1 January, 00:00:00)."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", raw.strip())
    if not match:
        return parsed
    month, day, *clock = (match.group(i) for i in range(2, 7))
    if month in (None, "01") and day in (None, "01") and not any(int(c or 0) for c in clock):
        return None
    return int(match.group(1))


def describe(content: PdfContent, data: bytes | None, today: date | None = None) -> CatalogueEntry:
    """Title, publisher, year and type as the document itself shows them (no catalogue)."""
    excerpt = read_excerpt(data) if data else None
    lines = excerpt_lines(excerpt.lines if excerpt else [], content.ocr_pages, len(content.pages))
    doc = _Doc(
        lines=lines or _fallback_lines(content),
        pages=len(content.pages),
        info_title=content.info_title,
        info_author=content.info_author,
        info_year=_creation_year(excerpt.created, content.info_year) if excerpt else content.info_year,
        today=today or date.today(),
    )
    title = one_line(find_title(doc))
    doc_type = find_type(doc, title)
    return CatalogueEntry(
        title=title,
        publisher=one_line(find_publisher(doc, doc_type)),
        year=find_year(doc, title, doc_type),
        doc_type=doc_type,
    )


def resolve(pdf: Path, content: PdfContent, data: bytes | None = None) -> CatalogueEntry:
    """Title, publisher, year, type and URL for one document: the catalogue row where it has a value,
    else what the document shows (see the module docstring)."""
    entry = catalogue_entry(pdf)
    found = describe(content, data)
    return CatalogueEntry(
        title=one_line(entry.title) or found.title,
        publisher=one_line(entry.publisher) or found.publisher,
        year=entry.year or found.year,
        url=entry.url,
        doc_type=entry.doc_type or found.doc_type,
    )
