"""Command line of the ingest stage: ``python -m ingest [PATH ...] [--store DIR] [--prune] [--retry-failed] ...``.

Parses options, runs :class:`ingest.pipeline.Ingestor`, prints progress (a bar on a terminal; in a log a
line per file, per page read by OCR and about every 50 pages of a long file, on stderr) and a summary table.
Exit code 0 when every file was ingested (or unchanged), 1 when some failed, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from beleidsbron.domain import UsageError
from beleidsbron.embeddings import EmbeddingModelError
from beleidsbron.settings import IngestSettings, get_settings
from beleidsbron.store import StoreError
from ingest.pipeline import Ingestor, IngestSummary, Progress, ocr_unavailable


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="PDF files or folders (recursive); default: the bundled demo corpus",
    )
    parser.add_argument("--store", type=Path, help="store folder (default: BELEIDSBRON_STORE_PATH or data/store)")
    parser.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="read files that failed before again, even when neither they nor the settings changed",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument(
        "--ocr-lang",
        metavar="LANGS",
        help="Tesseract languages for scanned pages, joined by '+' (default: BELEIDSBRON_INGEST__OCR_LANG or nld+eng)",
    )
    return parser.parse_args(argv)


def print_table(summary: IngestSummary) -> None:
    width = max([len(f.file) for f in summary.files] + [4])
    print(f"{'file':<{width}}  {'status':<9} {'pages':>5} {'chunks':>6}  reason")
    for f in summary.files:
        print(f"{f.file:<{width}}  {f.status:<9} {f.pages:>5} {f.chunks:>6}  {f.reason}")
    totals = summary.to_json()["totals"]
    print(
        f"\n{totals['files']} files: {totals['ingested']} ingested, {totals['unchanged']} unchanged, "
        f"{totals['duplicates']} duplicates, {totals['pruned']} pruned, {totals['failed']} failed"
        f"{_not_read_again(totals['not_read_again'])}; "
        f"{totals['pages']} pages, {totals['chunks']} chunks ({totals['embedded_chunks']} embedded) "
        f"in {totals['seconds']:.1f} s. Store: {totals['store_documents']} documents, "
        f"{totals['store_chunks']} chunks."
    )


def _not_read_again(count: object) -> str:
    if not count:
        return ""
    return f" ({count} unchanged since they failed and not read again; --retry-failed reads them again)"


def progress_line(p: Progress, seconds: float) -> str:
    """One line of progress for a log: a file started, part of a long file done, or a file finished."""
    where = f"[{p.index}/{p.files}] {p.file}"
    if p.ocr is not None:
        step = p.ocr
        sure = f"confidence {step.confidence:.0f}%"
        return f"{where}: page {step.page}/{p.file_pages} read by OCR ({sure}, {step.seconds:.1f} s)"
    if p.report is not None:
        r = p.report
        detail = f"{r.pages} pages, {r.chunks} chunks" if r.status in ("ingested", "replaced") else r.reason
        if r.ocr_pages and r.status in ("ingested", "replaced"):
            detail += f" ({r.ocr_pages} by OCR)"
        return f"{where}: {r.status}{f', {detail}' if detail else ''} ({seconds:.1f} s; run {p.done}/{p.total} pages)"
    if p.file_done == 0:
        return f"{where}: reading {p.file_pages} pages…"
    return f"{where}: {p.file_done}/{p.file_pages} pages embedded ({seconds:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = get_settings()
    if args.store:
        settings = settings.model_copy(update={"store_path": args.store})
    if args.ocr_lang is not None:
        try:
            ingest = IngestSettings.model_validate({**settings.ingest.model_dump(), "ocr_lang": args.ocr_lang})
            settings = settings.model_copy(update={"ingest": ingest})
        except ValidationError:
            print(f"error: --ocr-lang {args.ocr_lang!r}: Tesseract language codes joined by '+', e.g. nld+eng",
                  file=sys.stderr)  # fmt: skip
            return 2
    missing = ocr_unavailable(settings)
    if missing:
        print(f"warning: {missing.english()}; pages without a text layer are reported, not read",
              file=sys.stderr)  # fmt: skip
    paths = args.paths or [settings.corpus_path]
    terminal = sys.stderr.isatty()
    bar = tqdm(total=0, unit="page", disable=args.json or not terminal, dynamic_ncols=True)
    last_finished = [time.perf_counter()]  # a file's time counts from the end of the one before

    def progress(p: Progress) -> None:
        if terminal:
            bar.total = p.total
            bar.set_postfix_str(p.file[:40] + (f" (OCR p. {p.ocr.page})" if p.ocr else ""))
            bar.update(p.done - bar.n)
            return
        now = time.perf_counter()
        print(progress_line(p, now - last_finished[0]), file=sys.stderr, flush=True)
        if p.report is not None:
            last_finished[0] = now

    try:
        summary = Ingestor(settings).run(paths, prune=args.prune, progress=progress, retry_failed=args.retry_failed)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, EmbeddingModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print_table(summary)
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
