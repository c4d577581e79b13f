"""``python -m evals.metadata --set DIR [--gold FILE] [--json]``: score the metadata ingest finds.

Every PDF of the set (``DIR/pdf/``, else ``DIR`` itself) goes through ingest's parsing worker
(:func:`ingest.pipeline.prepare_document`: read, OCR of scanned pages and logos, clean, describe; no
embedding) with the current settings, and its title, publisher and year are scored against the gold
``meta.jsonl`` (``DIR/meta.jsonl``, one object per file) the way the independent evaluation scores them:

- a title counts when it holds every keyword of ``title_keywords`` or of one of ``title_keywords_alt``
  (case-insensitive) and is not the file name;
- a publisher when it contains one of ``publisher_ok`` (lower case);
- a year when it is in ``year_ok`` (else ``year``).

Prints every document with a miss (what was found, how, and the gold), then the three rates.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beleidsbron.domain import DocumentInfo
from beleidsbron.settings import Settings, get_settings
from ingest.ocr import OcrOptions
from ingest.pdf_reader import BadPdfError, check_file
from ingest.pipeline import file_hash, prepare_document

FIELDS = ("title", "publisher", "year")


@dataclass(frozen=True)
class Gold:
    """What a librarian recorded for one file (a line of ``meta.jsonl``)."""

    file: str
    title: str
    title_keywords: tuple[tuple[str, ...], ...]  # any one set, every keyword in it
    publisher: str
    publisher_ok: tuple[str, ...]
    year: int | None
    year_ok: tuple[int, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gold:
        keysets = [data.get("title_keywords") or [], *(data.get("title_keywords_alt") or [])]
        year = data.get("year")
        return cls(
            file=str(data["file"]),
            title=str(data.get("title", "")),
            title_keywords=tuple(tuple(str(k).lower() for k in ks) for ks in keysets if ks),
            publisher=str(data.get("publisher", "")),
            publisher_ok=tuple(str(p).lower() for p in data.get("publisher_ok") or []),
            year=int(year) if year else None,
            year_ok=tuple(int(y) for y in (data.get("year_ok") or ([year] if year else []))),
        )


@dataclass(frozen=True)
class Scored:
    gold: Gold
    found: DocumentInfo | None  # None when ingest refused the file
    error: str = ""

    @property
    def hits(self) -> dict[str, bool]:
        doc = self.found
        if doc is None:
            return dict.fromkeys(FIELDS, False)
        title = doc.title.lower()
        return {
            "title": any(all(k in title for k in ks) for ks in self.gold.title_keywords)
            and _norm(doc.title) != _norm(Path(self.gold.file).stem),
            "publisher": any(ok in doc.publisher.lower() for ok in self.gold.publisher_ok),
            "year": doc.year in self.gold.year_ok,
        }

    def miss_line(self) -> str:
        doc, gold = self.found, self.gold
        if doc is None:
            return f"{gold.file}: not ingested ({self.error})"
        hits = self.hits
        shown = " / ".join(
            f"{'' if hits[field] else '✗ '}{value!r} ({source or '—'})"
            for field, value, source in (
                ("title", doc.title, doc.title_source),
                ("publisher", doc.publisher, doc.publisher_source),
                ("year", doc.year, doc.year_source),
            )
        )
        return f"{gold.file}: found {shown}; gold {gold.title!r} / {gold.publisher!r} / {gold.year}"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-zà-ÿ]+", " ", text.lower()).split())


def read_gold(path: Path) -> list[Gold]:
    return [Gold.from_json(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def describe_file(path: Path, settings: Settings) -> DocumentInfo:
    """The metadata ingest gives one PDF (its parsing worker, without embedding). Raises BadPdfError."""
    ingest = settings.ingest
    data = check_file(path, int(ingest.max_file_mb * 2**20))
    prepared = prepare_document(
        path,
        file_hash(data),
        int(ingest.max_file_mb * 2**20),
        ingest.max_text_chars,
        ingest.chunk_size,
        ingest.chunk_overlap,
        OcrOptions.from_settings(ingest),
    )
    return prepared.doc


def evaluate(folder: Path, gold: list[Gold], settings: Settings) -> list[Scored]:
    out = []
    for entry in gold:
        path = folder / entry.file
        try:
            out.append(Scored(entry, describe_file(path, settings)))
        except (BadPdfError, OSError) as exc:
            out.append(Scored(entry, None, str(exc)))
    return out


def rates(scored: list[Scored]) -> dict[str, float]:
    n = max(1, len(scored))
    return {field: sum(s.hits[field] for s in scored) / n for field in FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.metadata", description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="folder", type=Path, required=True, help="folder with meta.jsonl and pdf/")
    parser.add_argument("--gold", type=Path, help="gold metadata (default: DIR/meta.jsonl)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    args = parser.parse_args(argv)
    gold_path = args.gold or args.folder / "meta.jsonl"
    pdfs = args.folder / "pdf" if (args.folder / "pdf").is_dir() else args.folder
    if not gold_path.is_file():
        parser.error(f"no gold metadata at {gold_path} (one JSON object per file, see the module docstring)")
    scored = evaluate(pdfs, read_gold(gold_path), get_settings())
    figures = rates(scored)
    if args.json:
        documents = [
            {"file": s.gold.file, "hits": s.hits, "found": s.found.metadata_json() if s.found else None} for s in scored
        ]
        print(json.dumps({"rates": figures, "n": len(scored), "documents": documents}, ensure_ascii=False))
        return 0
    for s in scored:
        if not all(s.hits.values()):
            print(s.miss_line())
    print(" ".join(f"{field}={figures[field]:.2f}" for field in FIELDS) + f" (n={len(scored)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
