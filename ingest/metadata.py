"""Document metadata: title, publisher, year, document type and URL of a publication, each with its source.

Part of ingest (PDF → *metadata* → store). Per field, the optional ``catalogue.csv`` next to the PDFs
wins (see corpus/README.md); otherwise the document itself is read the way a librarian would:

- **title**: a decision list's or minutes' meeting line with its date, a letter's subject ("Betreft …",
  "Onderwerp: …"), the heading of Kamervragen or a motie, the PDF's Title field when it is plausible and
  the first pages confirm it, else the block set in the largest type on the first page, else a plausible
  Title field, a title in the running header (never a file name, a spreadsheet name, a number, a section
  heading such as "Inhoud" or an instruction such as "Toelichting invullen …");
- **publisher**: see :mod:`ingest.publisher` (colophon, maker, logo, letterhead, side column, cover, ©,
  signature, Author field, running header; never a person, software or a product);
- **year**: see :mod:`ingest.dates` (the document's own date);
- **type**: brief, motie, Kamervragen, besluitenlijst, begroting, jaarverslag, persbericht, …
  (:data:`beleidsbron.domain.DOC_TYPES`).

Each field records how it was found (``title_source``, ``publisher_source``, ``year_source``; "catalogue"
when the catalogue gave it). A field that cannot be determined stays empty (shown as unknown), rather
than being guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from beleidsbron.domain import DOC_TYPES
from ingest.dates import find_year
from ingest.meta_lines import (
    DATE_LABEL,
    FULL_DATE,
    LETTER_LABELS,
    MONTH_YEAR,
    SALUTATION,
    MetaDoc,
    body_size,
    continued,
    date_text,
    edge,
    fallback_lines,
    join_lines,
    labelled_value,
    one_line,
    parts,
    running_keys,
)
from ingest.ocr import excerpt_lines
from ingest.organisations import organisation_name
from ingest.pdf_reader import PdfContent
from ingest.publisher import find_publisher, mostly_organisation
from ingest.styled_lines import Line

CATALOGUE_NAME = "catalogue.csv"
TITLE_SOURCES = ("meeting", "betreft", "kamerstuk", "cover", "pdf-title", "running-header")

_SUBJECT_LABEL = re.compile(r"^(?:betreft|onderwerp|subject|inzake\s*:)\b\s*[:\-–]?\s*(.*)$", re.I)
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
# A decision list's or minutes' heading ("Besluitenlijst van de vergadering van het college van B&W van …").
_MEETING = re.compile(
    r"^(?:(?:concept|openbare?|vertrouwelijke?|definitieve?)\s+)?(?:besluitenlijst|actielijst|verslag|notulen)\b",
    re.I,
)
# Instructions and reading aids, set large on a page but never the document's title.
_INSTRUCTION = re.compile(
    r"^(?:\d+[.)]?\s*)?(?:toelichting|interpretatie|uitleg|instructies?|invulinstructie|leeswijzer|"
    r"hoe\s+(?:te\s+)?(?:lezen|gebruiken)|gebruiksaanwijzing)\b",
    re.I,
)
_ADDRESSEE = re.compile(r"^(?:aan\b|de\s+voorzitter\s+van|voorzitter\s+van|t\.a\.v\.|ter\s+attentie)", re.I)


@dataclass(frozen=True)
class CatalogueEntry:
    """Metadata of one document; empty fields are unknown."""

    title: str = ""
    publisher: str = ""
    year: int | None = None
    url: str = ""
    doc_type: str = ""
    title_source: str = ""  # how each field was found (see the module docstring); "" when unknown
    publisher_source: str = ""
    year_source: str = ""


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
    if FULL_DATE.fullmatch(text) or MONTH_YEAR.match(text):
        return False
    return not (len(words) <= 2 and (_HEADINGS.match(text) or _BARE_TYPE.fullmatch(text)))


# --- title ----------------------------------------------------------------------------------------


def _subject(doc: MetaDoc) -> str:
    """A letter's or note's subject ("Betreft …", "Onderwerp: …") on its first page with text."""
    first = min((line.page for line in doc.lines if line.size), default=1)
    lines = [line for line in doc.lines if line.page == first]
    for i, line in enumerate(lines):
        match = _SUBJECT_LABEL.match(line.text)
        if match:
            value = labelled_value(lines, i, match.group(1))
            value = continued(lines, line, value) if value else value
            if plausible_title(value[:1].upper() + value[1:]):
                return value[:1].upper() + value[1:]
    return ""


def _questions_title(doc: MetaDoc) -> str:
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
                text, last = join_lines(text, nxt.text), nxt
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


def _motion_title(doc: MetaDoc) -> str:
    for line in doc.first:
        match = _MOTION.match(line.text)
        if match:
            return f"Motie van {' '.join(match.group(1).lower().split())} {_name_case(match.group(2))}"
    return ""


# A Kamerstuk's dossier number ("36 410 XXII", "32 847") and its item ("Nr. 12 BRIEF VAN DE MINISTER …").
_DOSSIER = re.compile(r"^\d{2}\s?\d{3}(?:-[A-Z0-9]+)?(?:\s+[IVXLC]+)?(?:\s+\(R\d+\))?(?:\s+(?P<title>\D.*))?$")
_ITEM = re.compile(r"^(?:nr\.\s*\d+\s+)?(?P<item>(?:brief|verslag|memorie|nota|voorstel|advies|lijst)\b.*)$", re.I)


def _beside(page: list[Line], line: Line) -> Line | None:
    """The line to the right of ``line`` on its baseline (a value beside its label, a title beside its number)."""
    return next((o for o in page if abs(o.top - line.top) < 0.5 * line.size and o.left > line.right), None)


def _kamerstuk_title(doc: MetaDoc) -> str:
    """A Kamerstuk's title: its dossier title, with the item ("Brief van de minister van …") after a dash."""
    page = sorted((line for line in doc.page(1) if line.size), key=lambda line: (line.top, line.left))
    if not any(re.search(r"kamer\s+der\s+staten[\s-]generaal", line.text, re.I) for line in page[:8]):
        return ""
    numbered = next((line for line in page if _DOSSIER.match(line.text)), None)
    if numbered is None:
        return ""
    match = _DOSSIER.match(numbered.text)
    start = numbered if match and match.group("title") else _beside(page, numbered)
    if start is None:
        return ""
    dossier = _block(page, start)
    if start is numbered and match:
        dossier = dossier[match.start("title") :]
    if not plausible_title(dossier):
        return ""
    item = ""
    for line in page:  # the item stands right below the dossier: "Nr. 12" and its kind beside it
        if not 0 < line.top - numbered.top <= 8 * numbered.size:
            continue
        candidate = _beside(page, line) if re.fullmatch(r"nr\.\s*\d+", line.text, re.I) else line
        if candidate is not None and _ITEM.match(candidate.text):
            text = re.sub(r"^nr\.\s*\d+\s+", "", _block(page, candidate), flags=re.I)
            item = text[:1].upper() + text[1:].lower() if text.isupper() else text
            break
    return f"{dossier} – {item}"[:250] if item else dossier[:250]


def _meeting_title(doc: MetaDoc) -> str:
    """The heading of a decision list or minutes, with the meeting's date when the heading lacks it:
    "Besluitenlijst Openbaar B&W-vergadering Wassendorp 12 maart 2024"."""
    page = [line for line in doc.page(1) if line.size]
    head = sorted(page, key=lambda line: line.top)[:12]
    body = body_size(doc)
    for line in head:
        if not _MEETING.match(line.text) or (body and line.size < body and len(head) > 3):
            continue
        text = _block(page, line, single=False)
        if len(text.split()) <= 2:  # "Besluitenlijst" above its meeting line in smaller type
            below = [o for o in page if 0 < o.top - line.bottom <= 2 * line.size and abs(o.left - line.left) <= 20]
            if below and re.search(r"vergadering|overleg|bijeenkomst", below[0].text, re.I):
                text = f"{text} {below[0].text}"
        if not plausible_title(text[:1].upper() + text[1:]):
            continue
        if not FULL_DATE.search(text):
            when = _meeting_date(page, line)
            text = f"{text} {when}" if when else text
        return (text[:1].upper() + text[1:])[:250]
    return ""


def _meeting_date(page: list[Line], heading: Line) -> str:
    """The date of a meeting: a labelled date on the page, else a date in a line right below the heading."""
    ordered = sorted(page, key=lambda line: line.top)
    for i, line in enumerate(ordered):
        label = DATE_LABEL.match(line.text)
        if label and re.match(r"^(?:datum|date)\b", line.text, re.I):
            value = line.text[label.end() :] or labelled_value(ordered, i, "")
            found = FULL_DATE.search(value)
            if found:
                return date_text(found)
    for line in ordered:
        if 0 < line.top - heading.top <= 4 * heading.size:
            found = FULL_DATE.search(line.text)
            if found:
                return date_text(found)
    return ""


def _title_line(line: Line, running: set[str]) -> bool:
    text = line.text
    if re.sub(r"\d+", "#", text.lower()) in running or LETTER_LABELS.match(text) or _ADDRESSEE.match(text):
        return False
    if mostly_organisation(text) or (DATE_LABEL.match(text) and FULL_DATE.search(text)):
        return False
    if re.match(r"^(?:vergaderjaar|nr\.|no\.|kamerstuk|www\.|https?:)", text, re.I) or _INSTRUCTION.match(text):
        return False
    return plausible_title(text) or bool(re.search(r"[^\W\d_]{3,}", text))


_DISPLAY_POINTS = 18.0  # type this large is never running text, whatever else is on the first pages


def _display_title(doc: MetaDoc) -> tuple[str, bool, int]:
    """The block set in the largest type on the first page (the second when the first has none), whether
    that type is display type (a first line in body type is a weak title), and its page."""
    running = running_keys(doc)
    body = body_size(doc)
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
            if display:  # a heading set in lower case ("aanvraag omgevingsvergunning") is still the title
                block = block[:1].upper() + block[1:]
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
        text, bottom = join_lines(text, line.text), line.bottom
    return text


def _info_title_confirmed(doc: MetaDoc, title: str) -> bool:
    """Do the Title field's words stand on the first pages (not a stale template or file title)?"""
    words = set(re.findall(r"[^\W\d_]{3,}", title.lower()))
    if not words:
        return False
    text = " ".join(line.text for line in doc.first).lower()
    present = set(re.findall(r"[^\W\d_]{3,}", text))
    return len(words & present) >= 0.8 * len(words)


def find_title(doc: MetaDoc) -> tuple[str, str]:
    """The title and the source it was found by (one of :data:`TITLE_SOURCES`); ("", "") when the
    document has none that can be told."""
    info = one_line(doc.info_title)
    info_ok = plausible_title(info)
    meeting = _meeting_title(doc)
    if meeting:
        return meeting, "meeting"
    subject = _subject(doc)
    if subject:
        return subject, "betreft"
    for candidate in (_questions_title(doc), _motion_title(doc), _kamerstuk_title(doc)):
        if candidate:
            return candidate, "kamerstuk"
    display, in_display_type, page = _display_title(doc)
    if info_ok and _info_title_confirmed(doc, info):
        extended = in_display_type and info.lower() in display.lower() and len(display) > len(info)
        return (display, "cover") if extended else (info, "pdf-title")
    if display and in_display_type and page == 1:
        return display, "cover"
    # after an image-only cover, a title the running header repeats beats page 2's largest type
    if info_ok:
        return info, "pdf-title"
    header = _header_title(doc)
    if header:
        return header, "running-header"
    return (display, "cover") if display else ("", "")


def _header_title(doc: MetaDoc) -> str:
    """The document title a running header or footer repeats ("Gemeente X | Begroting 2026")."""
    for line in doc.first:
        if line.page > 1 and edge(line):
            for part in parts(line.text):
                if not organisation_name(part) and plausible_title(part) and len(part.split()) >= 2:
                    return part
    return ""


# --- document type --------------------------------------------------------------------------------

_TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (key, re.compile(pattern, re.I))
    for key, pattern in (
        ("motie", r"^(?:gewijzigde\s+)?motie\b|\bde\s+kamer,\s+gehoord\s+de\s+beraadslaging"),
        (
            "kamervragen",
            r"^(?:antwoord\w*\s+op\s+)?(?:kamer)?vragen\b|\bkamervragen\b|aanhangsel\s+van\s+de\s+handelingen",
        ),
        ("besluitenlijst", r"^(?:\w+\s+)?besluitenlijst\b|\bbesluitenlijst\s+(?:van|openbaar|b\s?&\s?w|d\.d\.)"),
        ("persbericht", r"^(?:pers\s*bericht|persmededeling|nieuwsbericht)\b"),
        ("brief", r"^(?:nr\.\s*\d+\s+)?brief\s+van\s+(?:de|het)\s|–\s*brief\s+van\s"),  # a Kamerstuk's letter
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
    "persbericht",
    "brief",
}


def _letter(doc: MetaDoc) -> bool:
    first = [line.text for line in doc.page(1)]
    labels = sum(1 for text in first if LETTER_LABELS.match(text))
    salutation = any(SALUTATION.match(text) for text in first + [line.text for line in doc.page(2)])
    return salutation and labels >= 1


def find_type(doc: MetaDoc, title: str) -> str:
    """The document type: its form (motie, budget, proposal …) from the title or the first page, then
    its letter form, then what the title, the display type or a colophon says it is."""
    body = body_size(doc)
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


def describe(content: PdfContent, today: date | None = None) -> CatalogueEntry:
    """Title, publisher, year and type as the document itself shows them (no catalogue), each with its
    source: from the lines of its first and last pages, its side blocks and its logo text (read with
    the page text, :func:`ingest.pdf_reader.read_pdf`)."""
    excerpt = content.excerpt
    lines = excerpt_lines(excerpt.lines, content.ocr_pages, len(content.pages))
    side = frozenset(
        (number, " ".join(text.split()))
        for number, block in enumerate(content.side_text[:2], start=1)
        for text in block.splitlines()
        if text.strip()
    )
    doc = MetaDoc(
        lines=lines or fallback_lines([page.text for page in content.pages]),
        pages=len(content.pages),
        info_title=content.info_title,
        info_author=content.info_author,
        info_year=_creation_year(excerpt.created, content.info_year),
        today=today or date.today(),
        side=side,
        logos=excerpt.logo_lines,
    )
    title, title_source = find_title(doc)
    title = one_line(title)
    doc_type = find_type(doc, title)
    publisher, publisher_source = find_publisher(doc, doc_type)
    year, year_source = find_year(doc, title, doc_type)
    return CatalogueEntry(
        title=title,
        publisher=one_line(publisher),
        year=year,
        doc_type=doc_type,
        title_source=title_source if title else "",
        publisher_source=publisher_source if publisher else "",
        year_source=year_source if year else "",
    )


def resolve(pdf: Path, content: PdfContent) -> CatalogueEntry:
    """Title, publisher, year, type and URL for one document: the catalogue row where it has a value,
    else what the document shows (see the module docstring); each field with its source."""
    entry = catalogue_entry(pdf)
    found = describe(content)
    merged = replace(found, url=entry.url)
    if one_line(entry.title):
        merged = replace(merged, title=one_line(entry.title), title_source="catalogue")
    if one_line(entry.publisher):
        merged = replace(merged, publisher=one_line(entry.publisher), publisher_source="catalogue")
    if entry.year:
        merged = replace(merged, year=entry.year, year_source="catalogue")
    return replace(merged, doc_type=entry.doc_type or found.doc_type)
