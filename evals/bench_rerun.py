"""Re-run benchmark: ``python -m evals.bench_rerun [--rounds N] [--json OUT]``.

Evals stage (corpus → *ingest* → store → assistant → evals). A folder of the bundled demo PDFs plus
generated scans that fail (OCR finds no readable text: :func:`evals.pdf_factory.unreadable_scan_pdf`,
:func:`evals.pdf_factory.image_only_pdf`) is ingested with ``python -m ingest`` into a fresh store, then
ingested again unchanged (failed files are remembered, not read again), then again with
``--retry-failed`` (failed files read again, as every re-run did before they were remembered). Every
time is a whole process's wall time, start-up included; the load average is reported around each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from beleidsbron.settings import PROJECT_ROOT, get_settings
from evals import pdf_factory
from evals.machine import load_average


def make_folder(folder: Path, demo: Path) -> list[str]:
    """The demo PDFs plus four scans that fail; returns the names of the failing ones."""
    folder.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(demo.glob("*.pdf")):
        shutil.copy(pdf, folder / pdf.name)
    failing = [
        pdf_factory.unreadable_scan_pdf(folder / "scan-cyrillisch-1.pdf", pages=2, seed=1),
        pdf_factory.unreadable_scan_pdf(folder / "scan-cyrillisch-2.pdf", pages=2, seed=2),
        pdf_factory.image_only_pdf(folder / "scan-leeg-1.pdf", pages=3),
        pdf_factory.image_only_pdf(folder / "scan-leeg-2.pdf", pages=5),
    ]
    return [p.name for p in failing]


def ingest_process(folder: Path, store: Path, *flags: str) -> dict[str, Any]:
    """``python -m ingest FOLDER --store STORE --json [flags]`` in a fresh process: wall time and totals."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEIDSBRON_")}
    before = load_average()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ingest", str(folder), "--store", str(store), "--json", *flags],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    return {
        "seconds": round(seconds, 2),
        "exit_code": done.returncode,
        "totals": summary["totals"],
        "load_before": before,
        "load_after": load_average(),
    }


def run(rounds: int, demo: Path) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        folder = Path(tmp) / "pdf"
        failing = make_folder(folder, demo)
        for round_ in range(rounds):
            store = Path(tmp) / f"store-{round_}"
            first = ingest_process(folder, store)
            again = ingest_process(folder, store)
            retried = ingest_process(folder, store, "--retry-failed")
            results.append(
                {
                    "first": first,
                    "rerun": again,
                    "rerun_retry_failed": retried,
                    "rerun_percent_of_first": round(100 * again["seconds"] / first["seconds"], 1),
                    "retry_failed_percent_of_first": round(100 * retried["seconds"] / first["seconds"], 1),
                }
            )
            shutil.rmtree(store)
    return {
        "files": len(list(demo.glob("*.pdf"))) + len(failing),
        "failing": failing,
        "rounds": results,
        "rerun_percent_of_first_median": round(statistics.median(r["rerun_percent_of_first"] for r in results), 1),
        "retry_failed_percent_of_first_median": round(
            statistics.median(r["retry_failed_percent_of_first"] for r in results), 1
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_rerun", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="fresh stores, each ingested three times")
    parser.add_argument("--json", type=Path, help="write all numbers to this file")
    args = parser.parse_args(argv)
    result = run(args.rounds, Path(get_settings().corpus_path))
    for n, r in enumerate(result["rounds"], start=1):
        for name in ("first", "rerun", "rerun_retry_failed"):
            run_ = r[name]
            totals = run_["totals"]
            print(
                f"round {n}, {name}: {run_['seconds']:.1f} s, exit {run_['exit_code']}, {totals['ingested']} ingested, "
                f"{totals['unchanged']} unchanged, {totals['failed']} failed ({totals['not_read_again']} not read "
                f"again); load average {run_['load_before']} → {run_['load_after']}"
            )
        print(
            f"round {n}: re-run {r['rerun_percent_of_first']}% of the first ingest, "
            f"re-run with --retry-failed {r['retry_failed_percent_of_first']}%"
        )
    print(
        f"{result['files']} files ({len(result['failing'])} failing): re-run median "
        f"{result['rerun_percent_of_first_median']}% of the first ingest; with --retry-failed "
        f"{result['retry_failed_percent_of_first_median']}%"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
