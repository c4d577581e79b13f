"""OCR benchmark: ``python -m evals.bench_ocr [PDF or folder ...] [--pages N] [--workers N] [--json OUT]``.

Evals stage (corpus → *ingest* → store → assistant → evals). Every page of the given born-digital PDFs
(default: the bundled corpus) is rendered to an image and made to look scanned (skew, grey paper,
specks; :func:`evals.pdf_factory.scanned_pdf`), then read back with
:func:`ingest.pdf_reader.read_pdf` and OCR on, as ingest's parsing workers do: once in one process (a
core's rate) and once split over ``--workers`` processes at the same time (the machine's rate; 2 cores
here). Accuracy compares each OCR page with the text ingest reads from the born-digital page: character
accuracy (1 − edit distance / length, whitespace folded; reading order counts) and word recall (the
share of the page's words that OCR found, in any order). The load average is reported with the
rates: on a shared machine other work takes cores away.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from beleidsbron.settings import get_settings
from evals.machine import load_average
from ingest.ocr import OcrOptions
from ingest.pdf_reader import BadPdfError, read_pdf

_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), O(len(a) × len(b))."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(reference: str, hypothesis: str) -> float:
    """1 − edit distance / reference length, whitespace folded (line breaks and spacing do not count)."""
    ref, hyp = _fold(reference), _fold(hypothesis)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1.0 - edit_distance(ref, hyp) / len(ref))


def word_recall(reference: str, hypothesis: str) -> float:
    """Share of the reference's words (with multiplicity, case-folded) that the hypothesis has."""
    ref = Counter(_WORD.findall(reference.lower()))
    hyp = Counter(_WORD.findall(hypothesis.lower()))
    total = sum(ref.values())
    return sum((ref & hyp).values()) / total if total else 1.0


def _ocr_file(path: str, options: OcrOptions) -> tuple[list[str], list[float], float]:
    """Worker: OCR one scanned PDF; (page texts, page confidences, seconds)."""
    started = time.perf_counter()
    try:
        content = read_pdf(Path(path).read_bytes(), ocr=options)
    except BadPdfError:
        return [], [], time.perf_counter() - started
    confidences = {p.number: p.confidence for p in content.ocr_pages + content.ocr_rejected}
    seconds = time.perf_counter() - started
    return content.pages, [confidences.get(i + 1, 0.0) for i in range(len(content.pages))], seconds


def make_scans(pdfs: list[Path], folder: Path, max_pages: int) -> list[tuple[Path, list[str]]]:
    """Scanned copies of the PDFs (at most ``max_pages`` pages in all) with each page's born-digital text."""
    from pypdf import PdfReader, PdfWriter

    from evals.pdf_factory import scanned_pdf

    out: list[tuple[Path, list[str]]] = []
    left = max_pages
    for pdf in pdfs:
        if left <= 0:
            break
        reference = read_pdf(pdf.read_bytes()).pages[:left]
        source = pdf
        if len(reference) < len(PdfReader(pdf).pages):  # only the first pages of this file
            writer = PdfWriter(clone_from=PdfReader(pdf))
            while len(writer.pages) > len(reference):
                writer.remove_page(len(writer.pages) - 1)
            source = folder / f"part-{pdf.name}"
            with source.open("wb") as fh:
                writer.write(fh)
        out.append((scanned_pdf(folder / f"scan-{pdf.name}", source), reference))
        left -= len(reference)
    return out


def run(pdfs: list[Path], max_pages: int, workers: int, options: OcrOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        scans = make_scans(pdfs, Path(tmp), max_pages)
        pages = sum(len(ref) for _, ref in scans)
        load_before = load_average()
        started = time.perf_counter()
        single = [_ocr_file(str(path), options) for path, _ in scans]
        single_s = time.perf_counter() - started
        load_mid = load_average()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parallel = list(pool.map(_ocr_file, [str(p) for p, _ in scans], [options] * len(scans)))
        parallel_s = time.perf_counter() - started
        load_after = load_average()
    rows = []
    for (path, reference), (texts, confidences, _) in zip(scans, single, strict=True):
        for number, ref in enumerate(reference, start=1):
            got = texts[number - 1] if number <= len(texts) else ""
            rows.append(
                {
                    "file": path.name.removeprefix("scan-"),
                    "page": number,
                    "chars": len(_fold(ref)),
                    "char_accuracy": round(char_accuracy(ref, got), 4),
                    "word_recall": round(word_recall(ref, got), 4),
                    "confidence": confidences[number - 1] if number <= len(confidences) else 0.0,
                }
            )
    same = all(a[0] == b[0] for a, b in zip(single, parallel, strict=True))
    scored = [r for r in rows if r["chars"] > 0]
    return {
        "pages": pages,
        "languages": options.languages,
        "dpi": options.dpi,
        "one_process": {"seconds": round(single_s, 2), "pages_per_s": round(pages / single_s, 3)},
        "parallel": {
            "workers": workers,
            "seconds": round(parallel_s, 2),
            "pages_per_s": round(pages / parallel_s, 3),
        },
        "load_average": {"before": load_before, "between": load_mid, "after": load_after},
        "parallel_text_identical": same,
        "char_accuracy": {
            "median": round(statistics.median(r["char_accuracy"] for r in scored), 4) if scored else None,
            "mean": round(statistics.fmean(r["char_accuracy"] for r in scored), 4) if scored else None,
            "min": min((r["char_accuracy"] for r in scored), default=None),
        },
        "word_recall": {
            "median": round(statistics.median(r["word_recall"] for r in scored), 4) if scored else None,
            "mean": round(statistics.fmean(r["word_recall"] for r in scored), 4) if scored else None,
        },
        "page_rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_ocr", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="born-digital PDFs or folders (default: the corpus)")
    parser.add_argument("--pages", type=int, default=24, help="pages to scan and read, from the first files")
    parser.add_argument("--workers", type=int, default=2, help="processes reading at the same time")
    parser.add_argument("--json", type=Path, help="write all numbers to this file")
    args = parser.parse_args(argv)
    settings = get_settings()
    options = OcrOptions.from_settings(settings) or OcrOptions()
    pdfs: list[Path] = []
    for path in args.paths or [settings.corpus_path]:
        pdfs += sorted(p for p in path.glob("*.pdf")) if path.is_dir() else [path]
    result = run(pdfs, args.pages, args.workers, options)
    for row in result["page_rows"]:
        print(
            f"{row['file']} p. {row['page']}: accuracy {row['char_accuracy']:.3f}, word recall "
            f"{row['word_recall']:.3f}, confidence {row['confidence']:.0f}%"
        )
    print(
        f"{result['pages']} pages ({options.languages}, {options.dpi} dpi): one process "
        f"{result['one_process']['pages_per_s']:.2f} pages/s, {args.workers} processes "
        f"{result['parallel']['pages_per_s']:.2f} pages/s; load average {result['load_average']['before']} → "
        f"{result['load_average']['after']}; character accuracy median {result['char_accuracy']['median']}, "
        f"mean {result['char_accuracy']['mean']}; word recall median {result['word_recall']['median']}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
