"""Web app building blocks without a browser: uploads, feedback store, rendering, PDF serving (rules and routes)."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import shutil
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.core import Assistant
from beleidsbron.domain import Answer, AnswerSentence, Citation, DocumentInfo
from beleidsbron.reasons import Code, Reason, reason
from ingest.pipeline import Ingestor, StatusRecord
from tests.conftest import CORPUS, make_settings
from webapp.feedback import SCHEMA, FeedbackStore
from webapp.ingest_messages import DUTCH, dutch, dutch_status_reason
from webapp.library import UploadError, sanitise_name, save_upload
from webapp.pdf_view import NotServable, highlight_boxes, locate, refusal_html, stored_pdf
from webapp.render import answer_markdown, conversation_markdown, md_escape, sources_html
from webapp.server import create_app
from webapp.ui import Handlers, Turn

PDF = CORPUS / "02-financiering-wijkaanpak.pdf"


def citation(n: int = 1, text: str = "De ISV stopte in 2015. Daarna werd het lastig.", page: int = 4) -> Citation:
    return Citation(
        n,
        "02-financiering-wijkaanpak.pdf",
        "Financiering",
        "Kenniscentrum",
        2019,
        page,
        text,
        ((0, 22),),
        0.8,
        f"abc:p{page}:10-32",
        "chunk-1",
    )


def answer(text: str = "De ISV stopte in 2015. [1]") -> Answer:
    return Answer(
        "Wanneer stopte het ISV?",
        text,
        False,
        [citation()],
        [AnswerSentence("De ISV stopte in 2015.", (1,), 1.0, True)],
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/abs/olute.PDF", "olute.pdf"),
        ("C:\\\\Users\\\\x\\\\rapport 2019 (def).pdf", "rapport-2019-def.pdf"),
        ("Financiële notitie é.pdf", "Financiele-notitie-e.pdf"),
        ("....pdf", "document.pdf"),
        ("geen-extensie", "geen-extensie.pdf"),
    ],
)
def test_sanitise_name(name: str, expected: str) -> None:
    assert sanitise_name(name) == expected


def test_save_upload_checks_content_and_never_leaves_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    target, duplicate = save_upload(PDF, "../../buiten.pdf", folder, 10 * 2**20)
    assert target == (folder / "buiten.pdf").resolve() and not duplicate
    assert not (tmp_path / "buiten.pdf").exists()
    again, duplicate = save_upload(PDF, "buiten.pdf", folder, 10 * 2**20)
    assert again == target and duplicate
    other = tmp_path / "ander.pdf"
    other.write_bytes(PDF.read_bytes().replace(b"%%EOF", b"%%EOF\n% other"))
    renamed, duplicate = save_upload(other, "buiten.pdf", folder, 10 * 2**20)
    assert renamed.name == "buiten-2.pdf" and not duplicate
    # a symlink planted in the upload folder is never written through
    outside = tmp_path / "doelwit.pdf"
    (folder / "val.pdf").symlink_to(outside)
    placed, _ = save_upload(other, "val.pdf", folder, 10 * 2**20)
    assert placed.name == "val-2.pdf" and not outside.exists()
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"MZ\x90\x00 executable")
    with pytest.raises(UploadError, match="geen PDF"):
        save_upload(fake, "fake.pdf", folder, 10 * 2**20)
    with pytest.raises(UploadError, match="groter dan"):
        save_upload(PDF, "groot.pdf", folder, 100)
    assert not list(folder.glob(".upload-*"))


def test_only_the_files_the_store_recorded_are_served_and_only_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "ergens"  # any folder: not the corpus, not the uploads
    folder.mkdir()
    pdf = folder / "rapport.pdf"
    shutil.copy(PDF, pdf)
    doc = DocumentInfo("rapport.pdf", str(pdf), hashlib.sha256(pdf.read_bytes()).hexdigest(), "Rapport", "", None, 9)
    store = {doc.source: doc}
    assert stored_pdf("rapport.pdf", store.get) == (doc, pdf)
    (folder / "ander.pdf").write_bytes(PDF.read_bytes())  # beside it, but not a document
    for name in ("ander.pdf", "../ergens/rapport.pdf", str(pdf), "/etc/passwd", "a/rapport.pdf", "", "x\x00.pdf"):
        with pytest.raises(NotServable) as refused:
            stored_pdf(name, store.get)
        assert (refused.value.status, refused.value.message) == (404, "Dit document bestaat niet in de bibliotheek.")
    # moved away: the Dutch message names the recorded place and what to do
    pdf.rename(folder / "verplaatst.pdf")
    with pytest.raises(NotServable) as gone:
        stored_pdf("rapport.pdf", store.get)
    assert gone.value.status == 410
    assert gone.value.message.startswith(f"Het bestand van dit document staat niet meer op {pdf}:")
    assert "Zet het bestand daar terug, of lees het opnieuw in" in gone.value.message
    assert "python -m ingest" in gone.value.message
    # back, but with other content (same size and time would still be another inode: hashed again)
    (folder / "verplaatst.pdf").rename(pdf)
    assert stored_pdf("rapport.pdf", store.get) == (doc, pdf)
    pdf.write_bytes(PDF.read_bytes().replace(b"%%EOF", b"%%EOF\n% bewerkt"))
    with pytest.raises(NotServable) as changed:
        stored_pdf("rapport.pdf", store.get)
    assert changed.value.status == 410
    assert changed.value.message.startswith(f"Het bestand {pdf} is veranderd sinds het werd ingelezen")
    assert f"python -m ingest {pdf}" in changed.value.message
    # a symlink put where the document was is followed only to the recorded content
    pdf.unlink()
    pdf.symlink_to(PDF)
    assert stored_pdf("rapport.pdf", store.get) == (doc, pdf)
    pdf.unlink()
    pdf.symlink_to(Path(__file__))
    with pytest.raises(NotServable, match="changed"):
        stored_pdf("rapport.pdf", store.get)
    pdf.unlink()
    os.mkfifo(pdf)  # nothing is ever written to it: reading it must not wait
    with pytest.raises(NotServable, match="changed"):
        stored_pdf("rapport.pdf", store.get)
    assert "&lt;script&gt;" in refusal_html("<script>") and "<script>" not in refusal_html("<script>")


def test_locate_ignores_layout_and_finds_highlight_boxes() -> None:
    page_text = "Een tweede oor-\r\nzaak is selec\ufffetieve migratie. Bewoners die"
    assert locate(page_text, "Een tweede oorzaak is selectieve migratie.") == (0, page_text.index(".") + 0)
    assert locate(page_text, "Iets heel anders dat er niet staat.") is None
    boxes = highlight_boxes(
        CORPUS / "01-leefbaarheid-kwetsbare-wijken.pdf", 6, "Een tweede oorzaak is selectieve migratie."
    )
    assert boxes and all(0 <= b.left <= 100 and 0 <= b.top <= 100 for b in boxes)


def test_rendering_escapes_pdf_content() -> None:
    hostile = citation(text="<script>alert(1)</script> en <img src=x onerror=alert(2)> [99](javascript:x)")
    hostile = Citation(**{**hostile.__dict__, "spans": ((0, 25),)})
    html = sources_html(Answer("v", "t", False, [hostile], [AnswerSentence("<b>x</b>", (1,), 1.0, True)]))
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    md = answer_markdown(
        Answer("v", "t", False, [hostile], [AnswerSentence("<b>x</b> [7](javascript:y)", (1,), 1.0, True)])
    )
    assert "<b>" not in md and "](javascript:" not in md
    assert md_escape("*vet* _schuin_ [link](x)") == "\\*vet\\* \\_schuin\\_ \\[link\\]\\(x\\)"


def test_list_items_are_a_markdown_list_and_the_text_after_them_a_new_paragraph() -> None:
    sentences = [
        AnswerSentence("Het plan noemt twee doelen:", (1,), 1.0, True),
        AnswerSentence("meer groen;", (1,), 1.0, True, kind="item", marker="•"),
        AnswerSentence("minder verharding.", (1,), 1.0, True, kind="item", marker="•"),
        AnswerSentence("Daarna volgt de evaluatie.", (1,), 1.0, True),
    ]
    md = answer_markdown(Answer("v", "t", False, [citation()], sentences))
    lines = md.split("\n")
    first = lines.index(next(line for line in lines if line.startswith("- meer groen")))
    assert lines[first - 1].startswith("Het plan noemt twee doelen:")
    assert lines[first + 1].startswith("- minder verharding.")
    assert lines[first + 2] == "" and lines[first + 3].startswith("Daarna volgt de evaluatie.")
    numbered = [AnswerSentence("Betrouwbaarheid: de gemeente doet wat zij belooft.", (1,), 1.0, True, "item", "1.")]
    md = answer_markdown(Answer("v", "t", False, [citation()], numbered))
    assert "- 1\\. Betrouwbaarheid: de gemeente doet wat zij belooft." in md  # its own number, not a new list


def test_conversation_export_has_full_citations() -> None:
    text = conversation_markdown([("Wanneer stopte het ISV?", answer())])
    assert "## Vraag 1: Wanneer stopte het ISV?" in text
    assert "[1] Financiering (Kenniscentrum, 2019), p. 4 — 02-financiering-wijkaanpak.pdf (anker abc:p4:10-32)" in text
    assert "> **De ISV stopte in 2015.** Daarna werd het lastig." in text


def test_feedback_store_logs_exports_and_survives_concurrent_writes(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3", {"chunk_size": 600})
    first = store.log_answer(answer(), history=[])
    refusal = store.log_answer(
        Answer("Hoofdstad van Frankrijk?", "Ik heb hierover niets gevonden in de documenten.", True), []
    )
    store.add_feedback(first, "up")
    store.add_feedback(first, "citation", citation_n=1, comment="klopt niet helemaal")
    store.add_feedback(refusal, "up")
    with pytest.raises(KeyError):
        store.add_feedback(first, "citation", citation_n=5)

    def write(i: int) -> None:
        for _ in range(20):
            store.add_feedback(first, "down", comment=f"thread {i}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert len(rows) == 3 + 6 * 20
    assert rows[1]["anchor"] == "abc:p4:10-32" and rows[1]["comment"] == "klopt niet helemaal"
    records = [json.loads(line) for line in store.export_eval_jsonl().splitlines()]
    by_id = {r["id"]: r for r in records}
    assert by_id[f"feedback-{refusal}"]["answerable"] is False  # 👍 on a refusal: rightly unanswerable
    assert by_id[f"feedback-{first}"]["judgement"] == "down"  # the last verdict counts
    with (tmp_path / "fb.sqlite3").open("rb") as fh:
        assert fh.read(16).startswith(b"SQLite format 3")
    assert store.recent_answers()[0]["id"] == refusal


def test_feedback_rows_record_the_answer_fingerprint_also_in_an_older_database(tmp_path: Path) -> None:
    path = tmp_path / "oud.sqlite3"
    old = sqlite3.connect(path)  # the answers table as it was before answers recorded a fingerprint
    old.executescript(re.sub(r",(\s*--[^\n]*)\n\s*fingerprint[^\n]*", r"\1", SCHEMA))
    assert "fingerprint" not in {row[1] for row in old.execute("PRAGMA table_info(answers)")}
    old.close()
    store = FeedbackStore(path, {"chunk_size": 600})
    logged = answer()
    logged.fingerprint = "abc123def456"
    answer_id = store.log_answer(logged, history=[])
    store.add_feedback(answer_id, "up")
    assert store.answer(answer_id)["fingerprint"] == "abc123def456"
    assert next(csv.DictReader(io.StringIO(store.export_csv())))["fingerprint"] == "abc123def456"


def test_every_ingest_reason_reads_in_english_and_dutch_from_its_code() -> None:
    params = {
        "size_mb": 123.4, "limit_mb": 100.0, "detail": "x", "page": 3, "limit": 10_000_000, "pages": [1, 2, 3, 7],
        "seconds": 180.0, "original": "a.pdf", "confidence": 41.3, "floor": 60.0, "missing": "languages",
        "languages": "nld+xyz", "reasons": [{"code": "ocr_no_text", "pages": [1, 2]}],
        "was": "/oud/a.pdf",
    }  # fmt: skip
    for code in Code:
        r = reason(code, **params)
        assert r.english() and DUTCH[code](r.params) and r.english() != dutch([r]), code
        assert Reason.from_json(json.loads(json.dumps(r.to_json()))) == r
    assert reason(Code.NEEDS_OCR, pages=[1, 2, 3, 7]).english() == "needs OCR: no text layer on pages 1–3, 7"
    assert dutch([reason(Code.TOO_MUCH_TEXT, limit=10_000_000, page=2)]).startswith("meer dan 10.000.000 tekens")
    assert dutch([reason(Code.TOO_LARGE, size_mb=123.44, limit_mb=100)]).startswith("het bestand is 123,4 MB")
    for missing in ("program", "languages", "broken"):
        unavailable = reason(Code.OCR_UNAVAILABLE, missing=missing, languages="xyz")
        assert unavailable.english().startswith("OCR unavailable: tesseract ")
        assert dutch([unavailable]).startswith("OCR is niet beschikbaar: Tesseract ")
    before = reason(Code.FAILED_BEFORE, reasons=[reason(Code.PASSWORD).to_json()])
    assert before.english() == (
        "unchanged (failed: encrypted PDF: a password is required); not read again: "
        "`python -m ingest --retry-failed` reads it again"
    )
    assert dutch([before]).startswith("mislukte al eerder (versleutelde PDF: er is een wachtwoord nodig); niet opnieuw")


def test_status_records_with_and_without_codes_show_a_reason() -> None:
    new = StatusRecord.from_json(
        {"status": "failed", "reason": "encrypted PDF: a password is required", "reasons": [{"code": "password"}]}
    )
    assert dutch_status_reason(new.reasons, new.text) == "versleutelde PDF: er is een wachtwoord nodig"
    old = StatusRecord.from_json({"status": "failed", "reason": "the PDF has no pages", "at": "2025-01-01T10:00"})
    assert old.reasons == () and "the PDF has no pages" in dutch_status_reason(old.reasons, old.text)
    unknown = StatusRecord.from_json({"status": "failed", "reason": "iets nieuws", "reasons": [{"code": "nieuw"}]})
    assert "iets nieuws" in dutch_status_reason(unknown.reasons, unknown.text)


def test_check_and_feedback_handlers_work_without_an_interface(tmp_path: Path) -> None:
    feedback = FeedbackStore(tmp_path / "fb.sqlite3", {})
    handlers = Handlers.__new__(Handlers)  # these handlers need only the feedback store
    handlers.feedback = feedback
    answer_id = feedback.log_answer(answer(), history=[])
    turns = [Turn("Wanneer stopte het ISV?", answer(), answer_id)]
    assert handlers.flag_citation(None, "x", turns) == ("Kies eerst een bron van het laatste antwoord.", "x")
    message, comment = handlers.flag_citation("[1] Financiering, p. 4", "klopt niet", turns)
    assert "[1]" in message and comment == ""
    rows = handlers.show_check(answer_id)
    assert rows == [["De ISV stopte in 2015.", "[1]", "De ISV stopte in 2015.", "Financiering, p. 4", 1.0]]
    assert handlers.show_check(None) == []
    assert Path(handlers.export_csv()).read_text(encoding="utf-8").count("klopt niet") == 1


@pytest.mark.slow  # ingests a PDF with the real model and builds the app
def test_a_library_ingested_from_any_folder_is_served_by_the_app(tmp_path: Path) -> None:
    folder = tmp_path / "elders"  # neither the corpus folder nor the upload folder
    folder.mkdir()
    pdf = Path(shutil.copy(PDF, folder / PDF.name))
    shutil.copy(CORPUS / "03-corporaties-in-de-wijk.pdf", folder / "niet-ingelezen.pdf")
    settings = make_settings(
        tmp_path / "store", feedback_db=tmp_path / "feedback.sqlite3", upload_dir=tmp_path / "uploads"
    )
    assert Ingestor(settings).run([pdf]).failed == 0
    secured = settings.model_copy(update={"app_username": "ambtenaar", "app_password": SecretStr("geheim")})
    with TestClient(create_app(Assistant(secured))) as client:  # the login protects viewer and downloads
        for route in (f"/viewer/{pdf.name}", f"/pdf/{pdf.name}", f"/pdf-page/{pdf.name}/1.png"):
            assert client.get(route).status_code == 401
    with TestClient(create_app(Assistant(settings))) as client:
        viewer = client.get(f"/viewer/{pdf.name}", params={"page": 2})
        assert viewer.status_code == 200 and "Pagina 2 van" in viewer.text
        image = client.get(f"/pdf-page/{pdf.name}/2.png")
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        download = client.get(f"/pdf/{pdf.name}")
        assert download.status_code == 200 and download.content == pdf.read_bytes()
        for route in (
            "/pdf/niet-ingelezen.pdf",  # lies beside it, but is no document of the store
            f"/pdf/..%2F{pdf.parent.name}%2F{pdf.name}",
            f"/pdf/{quote(str(pdf), safe='')}",
            "/pdf/..%2F..%2Fetc%2Fpasswd",
            "/viewer/..%2Fpyproject.toml",
        ):
            refused = client.get(route)
            assert refused.status_code in (404, 405), route
            assert b"%PDF" not in refused.content and b"[project]" not in refused.content
        assert "Dit document bestaat niet in de bibliotheek." in client.get("/viewer/niet-ingelezen.pdf").text
        moved = tmp_path / "verhuisd" / pdf.name
        moved.parent.mkdir()
        pdf.rename(moved)
        for route in (f"/viewer/{pdf.name}", f"/pdf/{pdf.name}", f"/pdf-page/{pdf.name}/1.png"):
            gone = client.get(route)
            assert gone.status_code == 410, route
            assert html.unescape(gone.text).count(f"staat niet meer op {pdf}") == 1, gone.text
        # ingested again from its new place, as the message says: nothing is embedded, the place is recorded
        again = Ingestor(settings).run([moved.parent])
        assert [(f.status, f.reason) for f in again.files] == [
            ("unchanged", f"moved: its new place is recorded (it was at {pdf})")
        ]
        assert again.embedded_chunks == 0
        assert client.get(f"/pdf/{pdf.name}").content == moved.read_bytes()
