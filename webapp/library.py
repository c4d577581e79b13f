"""The library: documents with their status, key points and suggested questions, and safe uploads.

App stage (onboarding). Key points are extractive — the sentences closest to the document's own
centre in embedding space, each with its page; suggested questions are built from section headings
and kept only when the assistant really answers them from that document.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core import Assistant
from assistant.quotable import quotable
from beleidsbron.domain import DOC_TYPES, PDF_MAGIC, DocumentInfo, Filters
from beleidsbron.reasons import format_pages
from beleidsbron.settings import Settings
from ingest.pipeline import load_statuses, ocr_unavailable
from webapp.ingest_messages import STATUS_NL, dutch, dutch_status_reason

_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+")

# How ingest found each metadata field (DocumentInfo.*_source, see ingest.metadata), in Dutch.
TITLE_SOURCES_NL = {
    "meeting": "vergaderregel van de besluitenlijst of het verslag",
    "betreft": "onderwerpregel (Betreft/Onderwerp)",
    "kamerstuk": "kop van het Kamerstuk",
    "cover": "grootste letter op de eerste pagina",
    "pdf-title": "titelveld van de PDF",
    "running-header": "kop- of voettekst",
    "catalogue": "catalogus",
}
PUBLISHER_SOURCES_NL = {
    "colophon": "colofon (uitgave)",
    "maker": "colofon (ontwikkeld of opgesteld door)",
    "logo": "logo (gelezen met OCR)",
    "letterhead": "briefhoofd",
    "side-column": "zijkolom van het briefhoofd",
    "cover": "voorpagina",
    "title": "kop van de eerste pagina",
    "copyright": "©-regel",
    "press-release": "eerste alinea van het persbericht",
    "signature": "ondertekening",
    "pdf-author": "auteursveld van de PDF",
    "affiliation": "werkgever van de auteur",
    "running-header": "kop- of voettekst",
    "commissioner": "opdrachtgever (in opdracht van)",
    "first-page": "eerste pagina",
    "mentions": "vermeldingen in de tekst",
    "kamerstuk": "Kamerstuk (Tweede Kamer)",
    "catalogue": "catalogus",
}
YEAR_SOURCES_NL = {
    "date": "datum in het document",
    "title": "jaartal in de titel",
    "publication-year": "jaar van uitgave",
    "copyright": "©-regel",
    "cover": "datum op de eerste pagina",
    "colophon": "datum in het colofon",
    "page-text": "jaartallen op de gescande pagina",
    "pdf-created": "aanmaakdatum van het bestand",
    "catalogue": "catalogus",
}


@dataclass(frozen=True)
class KeyPoint:
    text: str
    page: int


class UploadError(ValueError):
    """An upload that is refused; the message is Dutch, for the user."""


def document_rows(assistant: Assistant) -> list[list[object]]:
    """Rows for the library table: every stored document plus files that failed to ingest."""
    statuses = load_statuses(assistant.settings)
    rows: list[list[object]] = []
    stored = assistant.documents()
    names = set()
    for doc in stored:
        names.add(doc.source)
        status = "; ".join(["ingelezen", *ocr_status(doc)])
        rows.append(
            [
                doc.title or "onbekend",
                doc.publisher or "onbekend",
                doc.year or "onbekend",
                DOC_TYPES.get(doc.doc_type, "onbekend"),
                doc.pages,
                doc.chunks,
                doc.ingested_at[:16].replace("T", " "),
                status,
                metadata_sources(doc),
                doc.source,
            ]
        )
    for name, record in sorted(statuses.items()):
        if name in names or record.status not in ("failed", "duplicate"):
            continue
        label = STATUS_NL.get(record.status, record.status)
        reason = dutch_status_reason(record.reasons, record.text)
        rows.append(["—", "", "", "", "", "", record.at[:16].replace("T", " "), f"{label}: {reason}", "", name])
    return rows


def metadata_sources(doc: DocumentInfo) -> str:
    """Dutch: how title, publisher and year were found ("titel: onderwerpregel …; uitgever: onbekend")."""
    out = []
    for label, value, source, names in (
        ("titel", doc.title, doc.title_source, TITLE_SOURCES_NL),
        ("uitgever", doc.publisher, doc.publisher_source, PUBLISHER_SOURCES_NL),
        ("jaar", doc.year, doc.year_source, YEAR_SOURCES_NL),
    ):
        if not value:
            out.append(f"{label}: onbekend")
        elif source:
            out.append(f"{label}: {names.get(source, source)}")
        else:
            out.append(f"{label}: herkomst niet vastgelegd")  # stored before sources were recorded
    return "; ".join(out)


def ocr_status(doc: DocumentInfo) -> list[str]:
    """Dutch notes on a document's scanned pages: read by OCR (how many, mean confidence), rejected, unread."""
    notes = []
    if doc.ocr_pages:
        n = len(doc.ocr_pages)
        pages = "pagina" if n == 1 else "pagina's"
        notes.append(
            f"{n} {pages} tekst via OCR (gemiddelde zekerheid "
            f"{doc.ocr_mean_confidence:.0f}%): {format_pages([p for p, _ in doc.ocr_pages])}"
        )
    if doc.ocr_rejected_pages:
        notes.append(
            "gescande pagina's niet opgenomen (geen tekst gevonden of OCR te onzeker): "
            + format_pages([p for p, _ in doc.ocr_rejected_pages])
        )
    if doc.needs_ocr_pages:
        notes.append(f"pagina's zonder tekstlaag (OCR nodig): {format_pages(list(doc.needs_ocr_pages))}")
    return notes


def ocr_notice(settings: Settings) -> str:
    """One Dutch line for the upload area: whether scanned PDFs are read, or why not."""
    if not settings.ingest.ocr:
        return "Gescande pagina's (zonder tekstlaag) worden niet gelezen: OCR staat uit (BELEIDSBRON_INGEST__OCR=off)."
    missing = ocr_unavailable(settings)
    if missing is not None:
        return f"Gescande pagina's kunnen niet worden gelezen: {dutch([missing])}."
    return f"Gescande pagina's (zonder tekstlaag) worden met OCR gelezen (Tesseract, talen {settings.ingest.ocr_lang})."


def key_points(assistant: Assistant, doc: DocumentInfo, n: int = 5) -> list[KeyPoint]:
    """The document's most central sentences (closest to the mean of its sentence vectors)."""
    chunks = {c.id: c for c in assistant.passages(doc.source)}
    if not chunks:
        return []
    stored = assistant.sentence_vectors(list(chunks))
    candidates: list[tuple[float, str, int, str]] = []
    vectors = [v for spans in stored.values() for _, _, v in spans]
    if not vectors:
        return []
    centre = np.mean(np.stack(vectors), axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    for chunk_id, spans in stored.items():
        chunk = chunks[chunk_id]
        markers = {b.id: b.marker for b in chunk.blocks}
        for (start, end, vector), unit in zip(spans, chunk.units, strict=False):
            text = chunk.text[start:end]
            body = text[len(markers.get(unit.block, "")) :].lstrip() if unit.kind == "item" else text
            if unit.kind in ("sentence", "item") and quotable(body, unit.kind, chunk.heading) and len(body) < 350:
                candidates.append((float(vector @ centre), body, unit.page, chunk_id))
    candidates.sort(reverse=True)
    points: list[KeyPoint] = []
    seen: set[str] = set()
    sections: dict[str, int] = {}
    for _, text, page, chunk_id in candidates:  # most central first, at most one per section
        key = text.lower()[:60]
        section = chunks[chunk_id].heading or f"p{page}"
        if key in seen or sections.get(section, 0) >= 1:
            continue
        seen.add(key)
        sections[section] = sections.get(section, 0) + 1
        points.append(KeyPoint(text, page))
        if len(points) >= n:
            break
    return sorted(points, key=lambda p: p.page)


def _question_from_heading(heading: str) -> str | None:
    text = _NUMBER.sub("", heading).strip().rstrip(":.")
    if not text or len(text) > 80 or text.lower().startswith(("inleiding", "colofon", "noten", "bijlage", "tabel")):
        return None
    if text.endswith("?"):
        return text
    if text.lower().startswith("praktijkvoorbeeld"):
        return f"Wat laat het praktijkvoorbeeld '{text.split(':', 1)[-1].strip()}' zien?"
    return f"Wat zegt de publicatie over ‘{text}’?"


def suggested_questions(assistant: Assistant, doc: DocumentInfo, n: int = 5) -> list[str]:
    """Questions built from the document's headings that the assistant answers from this document."""
    headings: list[str] = []
    for chunk in assistant.passages(doc.source):
        if chunk.heading and chunk.heading not in headings:
            headings.append(chunk.heading)
    out: list[str] = []
    only_this = Filters(sources=(doc.source,))
    for heading in headings:
        question = _question_from_heading(heading)
        if question is None or question in out:
            continue
        answer = assistant.ask(question, filters=only_this)
        if not answer.refused and answer.citations:
            out.append(question)
        if len(out) >= n:
            break
    return out


def sanitise_name(name: str) -> str:
    """A safe file name: ASCII letters, digits, dot, dash and underscore; always ending in .pdf."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = re.sub(r"\.pdf$", "", base, flags=re.IGNORECASE)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:100] or "document"
    return f"{stem}.pdf"


def save_upload(source: Path, original_name: str, folder: Path, max_bytes: int) -> tuple[Path, bool]:
    """Copy an uploaded file into ``folder`` under a sanitised name. Returns (path, is_duplicate).

    Checks the content (PDF magic bytes, size), never writes outside ``folder`` and never through a
    symlink; a file with the same content already there is reported as a duplicate, a different
    file with the same name gets a numbered name.
    """
    try:
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise UploadError("Het bestand kon niet worden gelezen.") from exc
    if size == 0:
        raise UploadError("Het bestand is leeg.")
    if size > max_bytes:
        raise UploadError(f"Het bestand is groter dan {max_bytes / 2**20:.0f} MB.")
    if PDF_MAGIC not in head:
        raise UploadError("Dit is geen PDF-bestand (de inhoud is geen PDF, ongeacht de extensie).")
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    name = sanitise_name(original_name)
    stem = name[:-4]
    for i in range(1, 1000):
        target = root / (name if i == 1 else f"{stem}-{i}.pdf")
        if target.resolve().parent != root or target.is_symlink():
            continue
        if target.exists():
            if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
                return target, True
            continue
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while block := src.read(1 << 20):
                out.write(block)
        os.replace(tmp, target)
        return target, False
    raise UploadError("Er staan al te veel bestanden met deze naam.")
