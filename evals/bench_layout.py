"""Layout extraction benchmark: ``python -m evals.bench_layout [PDF or folder ...] [--json OUT]``.

Evals stage (corpus → *ingest* → store → assistant → evals). For every PDF (default: the bundled
corpus) it times :func:`ingest.pdf_reader.read_pdf` (file checks, metadata and the layout-aware text
of :mod:`ingest.layout`) per page, next to pypdf's plain ``extract_text`` that ingest used before;
and it checks that no word is lost: every word of pypdf's text must be in the page text or the side
text (counted with multiplicity, line-end hyphenation undone on both sides; a fragment of a word that
only the layout text could rejoin, or a note number glued to its word, counts as present).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from beleidsbron.settings import get_settings
from ingest.pdf_reader import BadPdfError, read_pdf

_HYPHEN_BREAK = re.compile(r"-\n(?=\w)")
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "-")
    return Counter(_WORD.findall(_HYPHEN_BREAK.sub("", text).lower()))


def measure(pdf: Path) -> dict[str, Any]:
    """Timings and word preservation for one PDF."""
    data = pdf.read_bytes()
    started = time.perf_counter()
    try:
        content = read_pdf(data)
    except BadPdfError as exc:
        return {"file": pdf.name, "refused": str(exc)}
    layout_s = time.perf_counter() - started
    started = time.perf_counter()
    plain = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    plain_s = time.perf_counter() - started
    reference = missing = 0
    for page, side, old in zip(content.pages, content.side_text, plain, strict=False):
        before, after = words(old), words(f"{page.text}\n{side}")
        reference += sum(before.values())
        joined = after - before  # e.g. "jaarbudget" where pypdf kept "jaarbud-" and "get" on lines apart
        missing += sum(n for word, n in (before - after).items() if not any(word in other for other in joined))
    return {
        "file": pdf.name,
        "pages": len(content.pages),
        "read_pdf_ms": 1000 * layout_s,
        "pypdf_ms": 1000 * plain_s,
        "words": reference,
        "missing_words": missing,
        "side_lines": sum(len(s.splitlines()) for s in content.side_text),
        "table_rows": sum(len(b.rows) for page in content.pages for b in page.blocks if b.kind == "table"),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if "pages" in r]
    pages = sum(r["pages"] for r in done) or 1
    words_total = sum(r["words"] for r in done) or 1
    return {
        "files": len(rows),
        "refused": len(rows) - len(done),
        "pages": pages,
        "read_pdf_ms_per_page": sum(r["read_pdf_ms"] for r in done) / pages,
        "pypdf_ms_per_page": sum(r["pypdf_ms"] for r in done) / pages,
        "words": words_total,
        "missing_words": sum(r["missing_words"] for r in done),
        "missing_share": sum(r["missing_words"] for r in done) / words_total,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_layout", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="PDFs or folders (default: the bundled corpus)")
    parser.add_argument("--json", type=Path, help="write all numbers to this file")
    args = parser.parse_args(argv)
    pdfs: list[Path] = []
    for path in args.paths or [get_settings().corpus_path]:
        pdfs += sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
    rows = [measure(pdf) for pdf in pdfs]
    for r in rows:
        if "refused" in r:
            print(f"{r['file']}: refused ({r['refused']})")
        else:
            print(
                f"{r['file']}: {r['pages']} pages, {r['read_pdf_ms'] / r['pages']:.1f} ms/page "
                f"(pypdf {r['pypdf_ms'] / r['pages']:.1f}), {r['missing_words']}/{r['words']} words missing, "
                f"{r['table_rows']} table rows, {r['side_lines']} side lines"
            )
    total = summarise(rows)
    print(
        f"total: {total['pages']} pages, read_pdf {total['read_pdf_ms_per_page']:.1f} ms/page "
        f"(pypdf extract_text {total['pypdf_ms_per_page']:.1f}), {total['missing_words']} of {total['words']} "
        f"words missing ({100 * total['missing_share']:.2f}%)"
    )
    if args.json:
        args.json.write_text(json.dumps({"summary": total, "files": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
