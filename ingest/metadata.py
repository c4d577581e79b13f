"""Document metadata: title, publisher, year and URL of a publication.

Part of ingest. Sources, per field, in this order: the optional ``catalogue.csv`` next to the PDFs
(see corpus/README.md), the PDF's own info dictionary, then the cover page and colophon. The year
prefers the cover over the PDF creation date, because the latter says when the file was produced.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.cleaning import normalize
from ingest.pdf_reader import PdfContent

CATALOGUE_NAME = "catalogue.csv"
# "þÿ"/"ÿþ" is a UTF-16 byte-order mark read as Latin-1: a title the PDF library could not decode.
_JUNK_TITLE = re.compile(
    r"^(untitled|naamloos|document\d*|microsoft word|powerpoint|\S+\.(docx?|pdf|indd)|þÿ|ÿþ)", re.I
)
_JUNK_AUTHORS = {"anonymous", "unknown", "onbekend", "user", "gebruiker", "admin", "author", "auteur"}
_PUBLISHER_LINE = re.compile(
    r"(?:uitgave|uitgever|uitgegeven door|een uitgave van|publisher)\s*(?:van)?\s*[:\-–]?\s*(.+)", re.I
)
_COPYRIGHT = re.compile(r"©\s*(?:\d{4}\s*,?\s*)?(.+)")
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


@dataclass(frozen=True)
class CatalogueEntry:
    title: str = ""
    publisher: str = ""
    year: int | None = None
    url: str = ""


@lru_cache(maxsize=64)
def _read_catalogue(path: Path, mtime: float) -> dict[str, CatalogueEntry]:
    entries: dict[str, CatalogueEntry] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if not row.get("file"):
                continue
            year = row.get("year", "")
            entries[row["file"]] = CatalogueEntry(
                title=row.get("title", ""),
                publisher=row.get("publisher", ""),
                year=int(year) if year.isdigit() else None,
                url=row.get("url", ""),
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


def _cover_lines(content: PdfContent) -> list[str]:
    lines: list[str] = []
    for page in content.pages[:2]:
        lines.extend(" ".join(line.split()) for line in page.splitlines() if line.strip())
    return lines


def publisher_from_cover(content: PdfContent) -> str:
    for line in _cover_lines(content):
        for pattern in (_PUBLISHER_LINE, _COPYRIGHT):
            match = pattern.search(line)
            if match:
                name = _YEAR.sub("", match.group(1)).strip(" ,.;:-–")
                if 2 <= len(name) <= 80:
                    return name
    return ""


def year_from_cover(content: PdfContent) -> int | None:
    years = [int(y) for line in _cover_lines(content) for y in _YEAR.findall(line)]
    return max(years) if years else None


def usable_title(title: str) -> bool:
    return 3 <= len(title) <= 250 and not _JUNK_TITLE.match(title)


def one_line(text: str) -> str:
    """A metadata value as one clean line: the PDF's own strings may hold control characters, line
    breaks or lone surrogates (which the store cannot encode)."""
    return " ".join(normalize(text).split())


def resolve(pdf: Path, content: PdfContent) -> CatalogueEntry:
    """Title, publisher, year and URL for one document, from the best source per field."""
    entry = catalogue_entry(pdf)
    titles = (one_line(t) for t in (entry.title, content.info_title, content.cover_title))
    title = next(
        (t for t in titles if t and usable_title(t)),
        pdf.stem.replace("_", " ").replace("-", " "),
    )
    author = "" if content.info_author.strip().lower() in _JUNK_AUTHORS else content.info_author
    publisher = one_line(entry.publisher or author or publisher_from_cover(content))
    year = entry.year or year_from_cover(content) or content.info_year
    return CatalogueEntry(title=title, publisher=publisher, year=year, url=entry.url)
