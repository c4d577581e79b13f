"""Crash safety of a real ingest process, and clear errors on a read-only or full disk.

A ``python -m ingest`` subprocess is killed with SIGKILL at many different moments (found by watching
the store's files, not by hooks in the product). After every kill the store must open, hold only
whole documents, hide what is uncommitted and give a lexical index that matches it; a re-run must
finish the work. A read-only store and a full disk (small tmpfs mounts; we run as root, so chmod
proves nothing) must give exit code 1 with an English message and leave the store as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from beleidsbron.lexical_index import refresh_index
from beleidsbron.settings import PROJECT_ROOT, Settings
from beleidsbron.store import Store, StoreMissingError
from evals import pdf_factory
from ingest.pipeline import file_hash, prepare_document
from tests.conftest import CORPUS, make_settings
from tests.mounts import release_store, remount, tmpfs

pytestmark = pytest.mark.slow  # real ingest processes killed at many moments, tmpfs disks

QUESTION = "Hoe wordt de wijkaanpak gefinancierd?"
# (kind, value): "change" = kill at the n-th change seen in the store's files, "journal" = kill while
# SQLite's n-th transaction journal is open (mid-transaction), "delay" = kill this many seconds
# after the first change of the run.
# Runs resume the work earlier killed runs left; the store starts afresh every third run (see the test),
# so each group goes from a late trigger to an early one.
TRIGGERS = [
    ("delay", 2.0),
    ("change", 6),
    ("journal", 1),
    ("journal", 6),
    ("change", 3),
    ("journal", 2),
    ("delay", 6.0),  # late enough that a document is committed even on a loaded machine
    ("change", 2),
    ("journal", 3),
]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEIDSBRON_")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def run_cli(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m …`` in a clean environment (no .env, no BELEIDSBRON_* of the developer)."""
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class StoreState:
    documents: dict[str, str]  # source → content hash
    chunks: int
    orphans: int  # records of uncommitted hashes (invisible to readers, removed by the next ingest)


def check_store(settings: Settings) -> StoreState:
    """Open the store as a reader and check every crash-safety invariant."""
    release_store()
    try:
        store = Store.open(settings)
    except StoreMissingError:
        return StoreState({}, 0, 0)  # killed before the collections existed: nothing to see
    try:
        docs = store.list_documents()
        committed = {d.key for d in docs}
        assert len({d.content_hash for d in docs}) == len(docs), "two documents with the same content"
        for doc in docs:
            ids = set(store.chunks.get(where={"doc_key": doc.key}, include=[])["ids"])
            assert ids == {f"{doc.key}-{i:05d}" for i in range(doc.chunks)}, doc.source
            chunks = list(store.iter_chunks({doc.key}))
            assert sorted(c.index for c in chunks) == list(range(doc.chunks)), doc.source
            assert {c.doc.source for c in chunks} == {doc.source}
            sentences = store.sentences.get(where={"doc_key": doc.key}, include=["metadatas"])
            assert {m["chunk_id"] for m in sentences["metadatas"] or []} == ids, doc.source
        visible = list(store.iter_chunks())
        assert {c.doc.key for c in visible} == committed
        assert len(visible) == sum(d.chunks for d in docs)
        index = refresh_index(store, settings)
        assert index.version == store.version()
        assert len(index.chunks) == len(visible)
        assert {c.id for c in index.chunks} == {c.id for c in visible}
        orphans = 0
        for collection in (store.chunks, store.sentences):
            metas = collection.get(include=["metadatas"])["metadatas"] or []
            orphans += sum(1 for m in metas if m["doc_key"] not in committed)
        return StoreState({d.source: d.content_hash for d in docs}, len(visible), orphans)
    finally:
        release_store()


def files_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    if not folder.exists():
        return ()
    out = []
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # files come and go while we look
            if path.is_file():
                stat = path.stat()
                out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(out))


def journal_open(folder: Path) -> bool:
    return any(folder.rglob("*-journal")) or any(folder.rglob("*-wal"))


def ingest_and_kill(corpus: Path, store: Path, kind: str, value: float, cwd: Path) -> bool:
    """Start an ingest and SIGKILL it at the trigger. True when it was killed, False when it finished."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(corpus), "--store", str(store), "--json"],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the parsing workers die with it
    )
    try:
        last = files_signature(store)
        changes = journals = 0
        in_journal = False
        first_change = None
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            signature = files_signature(store)
            if signature != last:
                changes += 1
                last = signature
                first_change = first_change or time.monotonic()
            now_journal = journal_open(store)
            if now_journal and not in_journal:
                journals += 1
            in_journal = now_journal
            fire = (
                (kind == "change" and changes >= value)
                or (kind == "journal" and journals >= value and in_journal)
                or (kind == "delay" and first_change is not None and time.monotonic() - first_change >= value)
            )
            if fire:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return True
            time.sleep(0.005)
        proc.wait(timeout=30)
        return False
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stray workers of a finished or killed run


def test_sigkill_at_any_moment_leaves_a_consistent_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in range(1, 11):
        pdf_factory.dutch_note_pdf(corpus / f"notitie-{seed}.pdf", seed, pages=2, sentences_per_page=10)
    expected = {  # what a complete run must hold: chunk count per file, computed by the parser itself
        p.name: len(prepare_document(p, file_hash(p.read_bytes()), 2**30, 10**9, 600, 50).chunks)
        for p in sorted(corpus.glob("*.pdf"))
    }
    hashes = {p.name: file_hash(p.read_bytes()) for p in corpus.glob("*.pdf")}
    store = tmp_path / "store"
    settings = make_settings(store)
    killed = orphaned = 0
    committed_after: list[int] = []
    for i, (kind, value) in enumerate(TRIGGERS):
        if i % 3 == 0:  # a fresh store every third run, so there is always work left to interrupt
            release_store()
            shutil.rmtree(store, ignore_errors=True)
        was_killed = ingest_and_kill(corpus, store, kind, value, tmp_path)
        state = check_store(settings)
        killed += was_killed
        orphaned += state.orphans > 0
        committed_after.append(len(state.documents))
        for source, content_hash in state.documents.items():  # committed documents are the right ones
            assert hashes[source] == content_hash
    print(
        f"\n{killed} of {len(TRIGGERS)} runs killed, {orphaned} left uncommitted records; "
        f"documents committed after each run: {committed_after}"
    )
    assert killed > len(TRIGGERS) // 2, "most runs must really be interrupted"
    assert orphaned >= 1, "no kill landed inside a document write"
    assert max(committed_after) >= 1, "no run got far enough to commit a document"

    result = run_cli("ingest", corpus, "--store", store, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    totals = json.loads(result.stdout)["totals"]
    assert totals["failed"] == 0 and totals["ingested"] + totals["unchanged"] == len(expected)
    state = check_store(settings)
    assert state.orphans == 0
    assert state.documents == hashes
    release_store()
    docs = {d.source: d.chunks for d in Store.open(settings).list_documents()}
    release_store()
    assert docs == expected
    assert state.chunks == sum(expected.values()) == totals["store_chunks"]


# --- read-only and full disks -----------------------------------------------------------------


def assert_clean_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[result.stderr.find("Traceback") :][:3000]
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: "), message
    for fragment in fragments:
        assert fragment in message, message


def answers(store: Path, cwd: Path) -> str:
    result = run_cli("assistant", "ask", "--store", store, "--json", QUESTION, cwd=cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["citations"], answer
    return json.dumps(answer["citations"], sort_keys=True)


def copy_pdfs(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    return folder


FIRST = ["01-leefbaarheid-kwetsbare-wijken.pdf", "02-financiering-wijkaanpak.pdf"]
MORE = ["notitie-1.pdf", "notitie-2.pdf", "notitie-3.pdf"]  # small generated notes: cheap to embed


def add_notes(folder: Path, names: list[str]) -> None:
    for seed, name in enumerate(names, start=1):
        pdf_factory.dutch_note_pdf(folder / name, seed, pages=8, sentences_per_page=12)


def test_read_only_store_gives_a_clear_error_and_stays_intact(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "64m") as mnt:
        store = mnt / "store"
        corpus = copy_pdfs(tmp_path / "corpus", FIRST)
        assert run_cli("ingest", corpus, "--store", store, "--json", cwd=tmp_path).returncode == 0
        before = check_store(make_settings(store))
        answer_before = answers(store, tmp_path)

        remount(mnt, "ro")
        add_notes(corpus, MORE[:1])
        assert_clean_error(
            run_cli("ingest", corpus, "--store", store, cwd=tmp_path), "Cannot open the store", "Read-only file system"
        )
        # the assistant cannot open it either (Chroma writes on start), but says so plainly
        assert_clean_error(
            run_cli("assistant", "ask", "--store", store, QUESTION, cwd=tmp_path), "Read-only file system"
        )

        remount(mnt, "rw")
        assert check_store(make_settings(store)) == before
        assert answers(store, tmp_path) == answer_before


def test_full_disk_gives_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "64m") as mnt:
        store = mnt / "store"
        corpus = copy_pdfs(tmp_path / "corpus", FIRST)
        assert run_cli("ingest", corpus, "--store", store, "--json", cwd=tmp_path).returncode == 0
        settings = make_settings(store)
        before = check_store(settings)
        answer_before = answers(store, tmp_path)

        filler = mnt / "filler"  # leave 400 KB: less than even one more document needs
        filler.write_bytes(bytes(max(0, shutil.disk_usage(mnt).free - 400 * 1024)))
        add_notes(corpus, MORE)
        result = run_cli("ingest", corpus, "--store", store, cwd=tmp_path)
        assert_clean_error(result, "Cannot write to the store at", "Documents committed before this error are intact")
        assert "disk is full" in result.stderr or "No space left on device" in result.stderr
        # while the disk is still full, readers cannot open the store (Chroma applies its log on opening) and
        # say so plainly
        full = run_cli("assistant", "ask", "--store", store, QUESTION, cwd=tmp_path)
        assert_clean_error(full, "Cannot open the store at", "the disk is full")

        filler.unlink()
        after = check_store(settings)
        # what was committed is still there, and nothing else: the first note needs more than the 400 KB left
        assert after.documents == before.documents
        assert answers(store, tmp_path) == answer_before
        rerun = run_cli("ingest", corpus, "--store", store, "--json", cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        final = check_store(settings)
        assert set(final.documents) == set(FIRST + MORE) and final.orphans == 0
