"""OCR benchmark: ``python -m evals.bench_ocr [PDF or folder ...] [--pages N] [--workers 1,2] [--dpi 300,200]``.

Evals stage (corpus → *ingest* → store → assistant → evals). Every page of the given born-digital PDFs
(default: the bundled corpus) is rendered to an image and made to look scanned (skew, grey paper,
specks; :func:`evals.pdf_factory.scanned_pdf`; at 300 dpi, a common scanner setting, unless ``--scan-dpi``
says otherwise), then read back with :func:`ingest.pdf_reader.read_pdf`
and OCR on, as ingest's parsing worker does, with each number of OCR workers (Tesseract processes
reading pages of a document side by side) and each resolution, in interleaved rounds (``--rounds``).
Accuracy compares each OCR page with the text ingest reads from the born-digital page: character
accuracy (1 − edit distance / length, whitespace folded; reading order counts) and word recall (the
share of the page's words that OCR found, in any order). The load average is reported before and after
every run, with the cores a CPU-bound task could get just before it (:func:`evals.machine.spare_cores`):
on a shared machine other work takes cores away, and a second worker helps only with a second core.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

from beleidsbron.settings import get_settings
from evals.machine import load_average, spare_cores
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


def _read_scans(paths: list[Path], options: OcrOptions) -> tuple[list[list[str]], list[list[float]], float]:
    """OCR the scanned PDFs one after the other, as a parsing worker does: (page texts per file, page
    confidences per file, seconds)."""
    started = time.perf_counter()
    texts, confidences = [], []
    for path in paths:
        try:
            content = read_pdf(path.read_bytes(), ocr=options)
        except BadPdfError:
            texts.append([])
            confidences.append([])
            continue
        by_page = {p.number: p.confidence for p in content.ocr_pages + content.ocr_rejected}
        texts.append([page.text for page in content.pages])
        confidences.append([by_page.get(i + 1, 0.0) for i in range(len(content.pages))])
    return texts, confidences, time.perf_counter() - started


def make_scans(pdfs: list[Path], folder: Path, max_pages: int, scan_dpi: int = 300) -> list[tuple[Path, list[str]]]:
    """Scanned copies of the PDFs (at most ``max_pages`` pages in all, scanned at ``scan_dpi``) with each
    page's born-digital text."""
    from pypdf import PdfReader, PdfWriter

    from evals.pdf_factory import scanned_pdf

    out: list[tuple[Path, list[str]]] = []
    left = max_pages
    for pdf in pdfs:
        if left <= 0:
            break
        reference = [page.text for page in read_pdf(pdf.read_bytes()).pages[:left]]
        source = pdf
        if len(reference) < len(PdfReader(pdf).pages):  # only the first pages of this file
            writer = PdfWriter(clone_from=PdfReader(pdf))
            while len(writer.pages) > len(reference):
                writer.remove_page(len(writer.pages) - 1)
            source = folder / f"part-{pdf.name}"
            with source.open("wb") as fh:
                writer.write(fh)
        out.append((scanned_pdf(folder / f"scan-{pdf.name}", source, dpi=scan_dpi), reference))
        left -= len(reference)
    return out


def _accuracy(
    scans: list[tuple[Path, list[str]]], texts: list[list[str]], confidences: list[list[float]]
) -> dict[str, Any]:
    """Per page and in summary: how close the OCR text is to the born-digital text."""
    rows = []
    for (path, reference), got_pages, sure in zip(scans, texts, confidences, strict=True):
        for number, ref in enumerate(reference, start=1):
            got = got_pages[number - 1] if number <= len(got_pages) else ""
            rows.append(
                {
                    "file": path.name.removeprefix("scan-"),
                    "page": number,
                    "chars": len(_fold(ref)),
                    "char_accuracy": round(char_accuracy(ref, got), 4),
                    "word_recall": round(word_recall(ref, got), 4),
                    "confidence": sure[number - 1] if number <= len(sure) else 0.0,
                }
            )
    scored = [r for r in rows if r["chars"] > 0]

    def stats(key: str) -> dict[str, float | None]:
        values = [r[key] for r in scored]
        if not values:
            return {"median": None, "mean": None, "min": None}
        return {
            "median": round(statistics.median(values), 4),
            "mean": round(statistics.fmean(values), 4),
            "min": min(values),
        }

    return {"char_accuracy": stats("char_accuracy"), "word_recall": stats("word_recall"), "page_rows": rows}


def run(
    pdfs: list[Path],
    max_pages: int,
    options: OcrOptions,
    workers: tuple[int, ...] = (1, 2),
    dpis: tuple[int, ...] = (300, 200),
    rounds: int = 2,
    scan_dpi: int = 300,
) -> dict[str, Any]:
    """Read the same scanned pages with every combination of OCR workers and resolution, ``rounds`` times,
    interleaved (each round goes through all combinations, in reverse order every other round, so a change
    in the machine's load falls on all of them alike). Rates are pages per second of a whole run; the
    speed-up of more workers is taken within each round, at the same resolution."""
    configs = [(dpi, n) for dpi in dpis for n in workers]
    runs: list[dict[str, Any]] = []
    outputs: dict[tuple[int, int], tuple[list[list[str]], list[list[float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        scans = make_scans(pdfs, Path(tmp), max_pages, scan_dpi)
        pages = sum(len(ref) for _, ref in scans)
        for round_ in range(rounds):
            for dpi, n in configs if round_ % 2 == 0 else configs[::-1]:
                before, spare = load_average(), spare_cores()
                texts, confidences, seconds = _read_scans([p for p, _ in scans], replace(options, dpi=dpi, workers=n))
                runs.append(
                    {
                        "round": round_ + 1,
                        "dpi": dpi,
                        "workers": n,
                        "seconds": round(seconds, 2),
                        "pages_per_s": round(pages / seconds, 3),
                        "load_before": before,
                        "load_after": load_average(),
                        "spare_cores_before": spare,
                    }
                )
                outputs.setdefault((dpi, n), (texts, confidences))
    by_config = []
    for dpi, n in configs:
        mine = [r for r in runs if (r["dpi"], r["workers"]) == (dpi, n)]
        by_config.append(
            {
                "dpi": dpi,
                "workers": n,
                "pages_per_s_median": round(statistics.median(r["pages_per_s"] for r in mine), 3),
                "pages_per_s": [r["pages_per_s"] for r in mine],
            }
        )
    speedups = {}
    for dpi in dpis:
        one = {r["round"]: r["seconds"] for r in runs if r["dpi"] == dpi and r["workers"] == min(workers)}
        most = {r["round"]: r["seconds"] for r in runs if r["dpi"] == dpi and r["workers"] == max(workers)}
        speedups[dpi] = [round(one[k] / most[k], 2) for k in sorted(one)]
    same_text = all(outputs[(dpi, n)][0] == outputs[(dpi, workers[0])][0] for dpi, n in configs)
    return {
        "pages": pages,
        "languages": options.languages,
        "scan_dpi": scan_dpi,
        "runs": runs,
        "by_config": by_config,
        f"speedup_{max(workers)}_vs_{min(workers)}_workers": speedups,
        "workers_give_identical_text": same_text,
        "accuracy": {dpi: _accuracy(scans, *outputs[(dpi, workers[0])]) for dpi in dpis},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_ocr", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="born-digital PDFs or folders (default: the corpus)")
    parser.add_argument("--pages", type=int, default=24, help="pages to scan and read, from the first files")
    parser.add_argument("--workers", default="1,2", help="OCR workers to compare, comma-separated")
    parser.add_argument("--dpi", default="300,200", help="OCR resolutions to compare, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds over all combinations")
    parser.add_argument("--scan-dpi", type=int, default=300, help="resolution of the made scans (the paper)")
    parser.add_argument("--json", type=Path, help="write all numbers to this file")
    args = parser.parse_args(argv)
    settings = get_settings()
    options = OcrOptions.from_settings(settings.ingest) or OcrOptions()
    pdfs: list[Path] = []
    for path in args.paths or [settings.corpus_path]:
        pdfs += sorted(p for p in path.glob("*.pdf")) if path.is_dir() else [path]
    workers = tuple(int(n) for n in args.workers.split(","))
    dpis = tuple(int(d) for d in args.dpi.split(","))
    result = run(pdfs, args.pages, options, workers, dpis, args.rounds, args.scan_dpi)
    for r in result["runs"]:
        print(
            f"round {r['round']}: {r['dpi']} dpi, {r['workers']} worker(s): {r['pages_per_s']:.3f} pages/s "
            f"({r['seconds']:.1f} s); load average {r['load_before']} → {r['load_after']}, spare cores before "
            f"{r['spare_cores_before']}"
        )
    for dpi, accuracy in result["accuracy"].items():
        chars, words = accuracy["char_accuracy"], accuracy["word_recall"]
        print(
            f"{dpi} dpi: character accuracy median {chars['median']}, mean {chars['mean']}, min {chars['min']}; "
            f"word recall median {words['median']}"
        )
    speedups = next(v for k, v in result.items() if k.startswith("speedup_"))
    print(
        f"{result['pages']} pages scanned at {result['scan_dpi']} dpi ({options.languages}); "
        f"{max(workers)} vs {min(workers)} workers, per round: "
        + "; ".join(f"{dpi} dpi {', '.join(f'{x:.2f}×' for x in xs)}" for dpi, xs in speedups.items())
        + f"; identical text: {result['workers_give_identical_text']}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
