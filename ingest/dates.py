"""The year of a document — its own date — and the evidence it was found by.

Part of ingest (PDF → *metadata* → store). A labelled date (``Datum 4 april 2024``, ``Den Haag, 12 maart
2024``, ``vastgesteld op …``) counts most, then the year a budget or annual report is about (*Begroting
2026*), *Jaar van uitgave*, ©, a month and year or a date on the cover or in a short colophon line. A year
later than the file's creation date (targets such as 2030) is ignored unless a label dates the document.
The creation date itself is the last resort, and not used when it is a producer's default or when the
first pages date events after it; on a scanned first page, whose file is as old as the scan, the years
the page names come first. The source that weighs most for the chosen year is recorded as
``year_source`` (:data:`YEAR_SOURCES`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ingest.meta_lines import (
    ANY_YEAR,
    COPYRIGHT,
    DATE_LABEL,
    FULL_DATE,
    MONTH,
    MONTH_YEAR,
    YEAR,
    MetaDoc,
    labelled_value,
    parts,
)

YEAR_SOURCES = (
    "date",  # a labelled date, a dateline, a dated phrase ("vastgesteld op …")
    "title",  # the year a budget or annual report is about ("Begroting 2026")
    "publication-year",  # "Jaar van uitgave"
    "copyright",
    "cover",  # a date, a month and year or a year on the cover or first page
    "colophon",  # a short dated line on the last pages
    "page-text",  # the years a scanned first page names
    "pdf-created",  # the file's creation date
)
_DATED_PHRASE = re.compile(
    r"\b(?:vastgesteld|voorgesteld|ingezonden|ontvangen|gehouden|besloten|ondertekend|aangenomen)\b[^.]{0,60}?"
    rf"(?:\d{{1,2}}\s+(?:{MONTH})\.?\s+({YEAR}))",
    re.I,
)
_PUBLICATION_YEAR = re.compile(rf"\b(?:jaar\s+van\s+uitgave|uitgavejaar|publicatiejaar)\s*[:\-–]?\s*({YEAR})\b", re.I)
_PERIOD_TITLE = re.compile(
    r"\b(?:\w*begroting|jaarstukken|jaarverslag|jaarrekening|\w*nota|jaarplan|jaarprogramma|"
    r"uitvoeringsprogramma|\w*programma|monitor|rapportage|vergaderjaar)\b",
    re.I,
)


def years_in(text: str) -> list[int]:
    return [int(y) for y in ANY_YEAR.findall(text)]


def _year_of(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g))


def find_year(doc: MetaDoc, title: str, doc_type: str) -> tuple[int | None, str]:
    """The document's year and the source it was found by (one of :data:`YEAR_SOURCES`); (None, "")
    when the document does not date itself."""
    latest = doc.today.year + 1  # a budget is published the year before the one it is for
    created = doc.info_year if doc.info_year and 1995 <= doc.info_year <= doc.today.year else None
    if created and not _creation_year_fits(doc, created):
        created = None  # a producer's default date (2000 on a 2024 report) says nothing
    votes: defaultdict[int, float] = defaultdict(float)
    by_source: defaultdict[int, Counter[str]] = defaultdict(Counter)

    def add(year: int | None, weight: float, source: str, strong: bool = False) -> None:
        if year is None or year > latest:
            return
        if not strong and created and year > created + 1:
            return  # a later year on the page is a plan or target, not the document's date
        votes[year] += weight
        by_source[year][source] += weight

    title_years = years_in(title)
    if title_years and doc_type in ("begroting", "jaarverslag"):
        add(title_years[0], 12, "title", strong=True)  # "Begroting 2026", "Jaarstukken 2024": the year it is about
    elif title_years and _PERIOD_TITLE.search(title):
        add(title_years[0], 7, "title", strong=True)  # "Uitvoeringsprogramma 2024-2027": less than a dated label
    elif len(set(title_years)) == 1:
        add(title_years[0], 3, "title")
    for i, line in enumerate(doc.lines):
        text = line.text
        publication = _PUBLICATION_YEAR.search(text)
        if publication:
            add(int(publication.group(1)), 10, "publication-year", strong=True)
        for match in COPYRIGHT.finditer(text):
            if match.group(1):
                add(int(match.group(1)), 6, "copyright", strong=True)
        label = DATE_LABEL.match(text)
        if label and not ANY_YEAR.search(text[label.end() :]) and re.fullmatch(r"\w+\s*:?", text, re.I):
            text = f"{text} {labelled_value(doc.lines, i, '')}"  # "Datum" with its value beside or below
            label = DATE_LABEL.match(text)
        if label:
            value = text[label.end() :].strip()
            if re.match(r"^versie\b", text, re.I):  # "Versie 1.1 (augustus 2025)"
                value = re.sub(r"^v?\d+(?:\.\d+)*\s*", "", value)
            value = value.strip("() ")
            date_match = FULL_DATE.match(value) or MONTH_YEAR.match(value)
            if date_match:
                add(_year_of(date_match), 10, "date", strong=True)
                continue
        after = doc.lines[i + 1].text if i + 1 < len(doc.lines) and doc.lines[i + 1].page == line.page else ""
        for dated in _DATED_PHRASE.finditer(f"{text} {after}"):  # "(ingezonden 12 maart" / "2024)."
            if dated.start() < len(text):
                add(int(dated.group(1)), 8, "date", strong=True)
        month_year = next(filter(None, (MONTH_YEAR.match(part) for part in parts(text))), None)
        source = "cover" if line.page <= 2 and line.size else "colophon"
        if month_year and (line.page <= 2 or len(text) <= 60):
            add(int(month_year.group(1)), 6, source)
            continue
        if len(text) <= 60 and (line.page == 1 or not line.size):
            weight = 4 if line.page == 1 else 2  # the cover, or a short line of the colophon
            for match in FULL_DATE.finditer(text):
                add(_year_of(match), weight, source)
            bare = re.fullmatch(rf"(?:.*?[,|–\-]\s*)?({YEAR})\.?", text)
            if bare and not re.search(rf"{YEAR}\s*[–\-/]\s*{YEAR}", text):  # not "Vergaderjaar 2023–2024"
                add(int(bare.group(1)), weight, source)
    if votes:
        year = max(votes, key=lambda y: (votes[y], y))
        return year, by_source[year].most_common(1)[0][0]
    scanned = _scanned_page_year(doc, created)
    if scanned:
        return scanned, "page-text"
    return (created, "pdf-created") if created else (None, "")


def _creation_year_fits(doc: MetaDoc, created: int) -> bool:
    """Is the file's creation year believable as the document's year? Not when the first pages date
    events after it (a producer's default date such as 2000 on a 2024 report)."""
    dated = [_year_of(m) for line in doc.first for m in FULL_DATE.finditer(line.text)]
    past = [y for y in dated + [y for line in doc.first for y in years_in(line.text)] if y <= doc.today.year]
    return not past or max(past) <= created + 1


def _scanned_page_year(doc: MetaDoc, created: int | None) -> int | None:
    """On a first page read by OCR (a scan, or a picture of printed pages) the file is as old as the scan:
    the year the page names most often (the latest of a tie), when the file is younger than all of them."""
    page = [line for line in doc.lines if line.page == 1]
    if not page or any(line.origin != "ocr" for line in page):
        return None
    counts = Counter(y for line in page for y in years_in(line.text) if y <= doc.today.year)
    if not counts or (created is not None and created <= max(counts)):
        return None
    return max(counts, key=lambda y: (counts[y], y))
