"""Command line of the ingest stage: ``python -m ingest [PATH ...] [--store DIR] [--prune] [--json]``.

Parses options, runs :class:`ingest.pipeline.Ingestor`, prints a progress bar and a summary table.
Exit code 0 when every file was ingested (or unchanged), 1 when some failed, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from beleidsbron.settings import get_settings
from ingest.embeddings import EmbeddingModelError
from ingest.pipeline import Ingestor, IngestSummary, UsageError
from ingest.store import StoreError


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
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    return parser.parse_args(argv)


def print_table(summary: IngestSummary) -> None:
    width = max([len(f.file) for f in summary.files] + [4])
    print(f"{'file':<{width}}  {'status':<9} {'pages':>5} {'chunks':>6}  reason")
    for f in summary.files:
        print(f"{f.file:<{width}}  {f.status:<9} {f.pages:>5} {f.chunks:>6}  {f.reason}")
    totals = summary.to_json()["totals"]
    print(
        f"\n{totals['files']} files: {totals['ingested']} ingested, {totals['unchanged']} unchanged, "
        f"{totals['duplicates']} duplicates, {totals['pruned']} pruned, {totals['failed']} failed; "
        f"{totals['pages']} pages, {totals['chunks']} chunks ({totals['embedded_chunks']} embedded) "
        f"in {totals['seconds']:.1f} s. Store: {totals['store_documents']} documents, "
        f"{totals['store_chunks']} chunks."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = get_settings()
    if args.store:
        settings = settings.model_copy(update={"store_path": args.store})
    paths = args.paths or [settings.corpus_path]
    bar = tqdm(total=0, unit="page", disable=args.json or not sys.stderr.isatty(), dynamic_ncols=True)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.set_postfix_str(name[:40])
        bar.update(done - bar.n)

    try:
        summary = Ingestor(settings).run(paths, prune=args.prune, progress=progress)
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
