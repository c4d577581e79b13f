"""A corpus of hostile and broken PDFs, generated here, ingested in one real run.

Every bad file must come back with a one-line reason and leave no trace in the store; every valid
one (however odd) must be ingested correctly; and the good files among them must not suffer.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from beleidsbron.domain import Chunk, DocumentInfo, FileReport
from beleidsbron.store import Store
from evals import pdf_factory
from ingest import pipeline
from ingest.cleaning import clean_pages
from ingest.pdf_reader import read_pdf
from ingest.pipeline import Ingestor, IngestSummary, prepare_document
from tests.conftest import CORPUS, make_settings
from webapp.ingest_messages import dutch

pytestmark = pytest.mark.slow  # one ingest of 31 hostile files (a 1,000-page PDF, timeouts)

GOOD_1 = CORPUS / "02-financiering-wijkaanpak.pdf"
GOOD_2 = CORPUS / "04-veiligheid-ondermijning.pdf"
ARABIC = "مرحبا بالعالم"
HEBREW = "שלום עולם"
# Code points that must never reach a chunk, a title or the embedder.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\ud800-\udfff\ufeff\ufffe\uffff]")
LATIN1_NAME = os.fsdecode(b"h\xe9t-latin1-bestand.pdf")  # not valid UTF-8: a lone surrogate in Python

# Expected outcome per file: (status, fragment of the one-line reason).
FAILED = {
    "afgekapt-05.pdf": "truncated",
    "afgekapt-30.pdf": "truncated",
    "afgekapt-60.pdf": "truncated",
    "afgekapt-95.pdf": "truncated",
    "afgekapt-999.pdf": "truncated",
    "alleen-header.pdf": "truncated",
    "leeg-bestand.pdf": "empty file",
    "afgekapt-eof-30.pdf": "corrupt PDF",
    "afgekapt-eof-80.pdf": "corrupt PDF",
    "willekeurig-1.pdf": "not a PDF",
    "willekeurig-2.pdf": "not a PDF",
    "willekeurig-3.pdf": "not a PDF",
    "willekeurig-vermomd.pdf": "corrupt PDF",
    "versleuteld.pdf": "password is required",
    "nul-paginas.pdf": "no pages",
    "scan.pdf": "scanned pages without readable text: OCR found no text on pages 1–2",  # a blank scan
    "lus-in-paginaboom.pdf": "corrupt PDF",
    "tekent-zichzelf.pdf": "contains no text",
    "inflatiebom.pdf": "contains no text",
    "h\ufffdt-latin1-bestand.pdf": "not valid UTF-8",
}
INGESTED = {
    "goed-1.pdf",
    "goed-2.pdf",
    "kapotte-xref.pdf",
    "open-versleuteld.pdf",
    "duizend-paginas.pdf",
    "enorme-pagina.pdf",
    "unicode-tekens.pdf",
    "liegt-over-paginas.pdf",
}


@dataclass
class HostileRun:
    folder: Path
    summary: IngestSummary
    reports: dict[str, FileReport]
    store: Store
    has_ttf: bool
    seconds: float


def unicode_pages() -> list[str]:
    """Dutch text with RTL lines (in visual order, as PDF producers write them), emoji, control
    characters, bidi controls and a lone surrogate; the first line is the (hostile) cover title."""
    return [
        "Welkom\ud800 in de\x07 wijk 😀\n"
        "De buurt viert feest 😀 met 🏠 en 👨\u200d👩\u200d👧 families.\n"
        f"{ARABIC[::-1]}\n"
        f"{HEBREW[::-1]}\n"
        "Controle\x01\x02\x1b tekens\u200e\u202e en\ufeff een\ud800 kapot teken\x7f\x9f verdwijnen.\n"
        "De wijkaanpak vraagt om samenwerking tussen bewoners, corporaties en gemeente.",
        "Tweede pagina: de bewoners waarderen de buurt met een 8 ⭐ voor leefbaarheid.",
    ]


def build_corpus(folder: Path) -> bool:
    """Write the hostile corpus; returns whether a TrueType font was available for the script test."""
    folder.mkdir()
    shutil.copy(GOOD_1, folder / "goed-1.pdf")
    shutil.copy(GOOD_2, folder / "goed-2.pdf")
    shutil.copy(GOOD_1, folder / "kopie-van-goed-1.pdf")  # same bytes, other name
    (folder / "sub").mkdir()
    shutil.copy(CORPUS / "06-klimaatadaptatie-wijk.pdf", folder / "sub" / "goed-2.pdf")  # same name, other bytes
    source = CORPUS / "03-corporaties-in-de-wijk.pdf"
    for fraction, name in [(0.05, "05"), (0.3, "30"), (0.6, "60"), (0.95, "95"), (0.999, "999")]:
        pdf_factory.truncated_pdf(source, folder / f"afgekapt-{name}.pdf", fraction)
    (folder / "alleen-header.pdf").write_bytes(b"%PDF-")
    (folder / "leeg-bestand.pdf").write_bytes(b"")
    pdf_factory.truncated_with_end_marker_pdf(source, folder / "afgekapt-eof-30.pdf", 0.3)
    pdf_factory.truncated_with_end_marker_pdf(source, folder / "afgekapt-eof-80.pdf", 0.8)
    for seed in (1, 2, 3):
        pdf_factory.random_bytes_pdf(folder / f"willekeurig-{seed}.pdf", size=5000 * seed, seed=seed)
    pdf_factory.random_bytes_pdf(folder / "willekeurig-vermomd.pdf", seed=4, dressed=True)
    pdf_factory.broken_xref_pdf(GOOD_1, folder / "kapotte-xref.pdf")
    pdf_factory.encrypted_pdf(source, folder / "versleuteld.pdf", user_password="geheim")
    pdf_factory.encrypted_pdf(CORPUS / "05-bewonersparticipatie.pdf", folder / "open-versleuteld.pdf", "")
    pdf_factory.zero_page_pdf(folder / "nul-paginas.pdf")
    pdf_factory.image_only_pdf(folder / "scan.pdf", pages=2)
    pdf_factory.page_tree_cycle_pdf(folder / "lus-in-paginaboom.pdf")
    pdf_factory.self_drawing_xobject_pdf(folder / "tekent-zichzelf.pdf")
    pdf_factory.decompression_bomb_pdf(folder / "inflatiebom.pdf", megabytes=200)
    pdf_factory.lying_page_count_pdf(folder / "liegt-over-paginas.pdf")
    pdf_factory.numbered_pages_pdf(folder / "duizend-paginas.pdf", 1000)
    pdf_factory.huge_page_pdf(folder / "enorme-pagina.pdf", chars=200_000)
    pdf_factory.tounicode_pdf(
        folder / "unicode-tekens.pdf", unicode_pages(), title="Titel\x07 met\nregel\ud800", author="Auteur\x00 X"
    )
    pdf_factory.text_pdf(folder / LATIN1_NAME, ["De naam van dit bestand is geen geldige UTF-8."])
    font = pdf_factory.find_ttf()
    if font is not None:
        pdf_factory.ttf_text_pdf(
            folder / "schriften-dejavu.pdf",
            [
                f"Meertalige wijkkrant\n{ARABIC[::-1]}\n{HEBREW[::-1]}\n"
                "Zon ☀ en vinkje ✓ kosten € 5 in de ĳssalon.\n"
                "De wijkaanpak vraagt om samenwerking tussen bewoners, corporaties en gemeente."
            ],
            font,
        )
    return font is not None


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "corpus"
    has_ttf = build_corpus(folder)
    settings = make_settings(root / "store")
    started = time.perf_counter()
    summary = Ingestor(settings).run([folder])
    seconds = time.perf_counter() - started
    # the refused second goed-2.pdf (same name, other folder) is checked separately
    reports = {f.file: f for f in summary.files if "another file with this name" not in f.reason}
    return HostileRun(folder, summary, reports, Store.open(settings), has_ttf, seconds)


def records_with_source(store: Store, source: str) -> int:
    where: dict[str, Any] = {"source": source}
    return len(store.chunks.get(where=where, include=[])["ids"]) + len(
        store.sentences.get(where=where, include=[])["ids"]
    )


def chunks_of(store: Store, source: str) -> list[Chunk]:
    return sorted((c for c in store.iter_chunks() if c.doc.source == source), key=lambda c: c.index)


def document(store: Store, source: str) -> DocumentInfo:
    doc = store.document(source)
    assert doc is not None, source
    return doc


def test_every_file_is_reported_once_with_one_line(hostile: HostileRun) -> None:
    names = [f.file for f in hostile.summary.files]
    expected = (
        set(FAILED) | INGESTED | {"kopie-van-goed-1.pdf"} | ({"schriften-dejavu.pdf"} if hostile.has_ttf else set())
    )
    assert set(names) == expected
    assert names.count("goed-2.pdf") == 2 and len(names) == len(expected) + 1
    for report in hostile.summary.files:
        assert "\n" not in report.reason and len(report.reason) <= 200, report
        report.reason.encode("utf-8")  # printable: no lone surrogates in names or reasons
        report.file.encode("utf-8")
    print(f"\n{len(names)} files tried in {hostile.seconds:.1f} s")


@pytest.mark.parametrize("name", sorted(FAILED))
def test_bad_file_is_reported_and_leaves_no_trace(hostile: HostileRun, name: str) -> None:
    report = hostile.reports[name]
    assert report.status == "failed", report
    assert FAILED[name] in report.reason, report.reason
    store = hostile.store
    assert store.document(name) is None
    assert all(c.doc.source != name for c in store.iter_chunks())
    assert records_with_source(store, name) == 0


def test_every_reason_has_a_dutch_form_for_the_app(hostile: HostileRun) -> None:
    reported = [f for f in hostile.summary.files if f.reason]
    assert len({f.reason for f in reported}) >= 10
    for report in reported:
        assert report.reasons, report  # a code, not only a sentence
        assert dutch(report.reasons) and dutch(report.reasons) != report.reason


def test_the_rest_of_the_corpus_is_ingested(hostile: HostileRun) -> None:
    store = hostile.store
    expected = INGESTED | ({"schriften-dejavu.pdf"} if hostile.has_ttf else set())
    assert {d.source for d in store.list_documents()} == expected
    for name in expected:
        assert hostile.reports[name].status == "ingested", hostile.reports[name]
        doc = document(store, name)
        assert len(chunks_of(store, name)) == doc.chunks == hostile.reports[name].chunks > 0
    # nothing else in the collections: every record belongs to a committed document
    committed = store.committed_keys()
    for collection in (store.chunks, store.sentences):
        metas = collection.get(include=["metadatas"])["metadatas"] or []
        assert {m["doc_key"] for m in metas} == committed
    assert store.chunk_count() == sum(d.chunks for d in store.list_documents())


def test_duplicates_under_other_names_are_not_stored_twice(hostile: HostileRun) -> None:
    copy = hostile.reports["kopie-van-goed-1.pdf"]
    assert copy.status == "duplicate" and "goed-1.pdf" in copy.reason
    assert hostile.store.document("kopie-van-goed-1.pdf") is None
    assert records_with_source(hostile.store, "kopie-van-goed-1.pdf") == 0
    # a second file with the same name in another folder is refused; the first one is what is stored
    twins = sorted((f.status, f.reason) for f in hostile.summary.files if f.file == "goed-2.pdf")
    assert twins == [("failed", "another file with this name is in this run"), ("ingested", "")]
    stored = document(hostile.store, "goed-2.pdf")
    assert stored.content_hash == pipeline.file_hash((hostile.folder / "goed-2.pdf").read_bytes())


def test_broken_xref_table_is_repaired_to_the_same_text(hostile: HostileRun) -> None:
    repaired = [c.text for c in chunks_of(hostile.store, "kapotte-xref.pdf")]
    original = [c.text for c in chunks_of(hostile.store, "goed-1.pdf")]
    assert repaired == original


def test_a_page_count_that_lies_does_not_matter(hostile: HostileRun) -> None:
    doc = document(hostile.store, "liegt-over-paginas.pdf")
    assert doc.pages == 1
    assert [c.text for c in chunks_of(hostile.store, doc.source)] == ["De wijk telt echt maar een pagina."]


def test_thousand_pages_keep_their_page_numbers(hostile: HostileRun) -> None:
    path = hostile.folder / "duizend-paginas.pdf"
    pages = {p.number: p.text for p in clean_pages(read_pdf(path.read_bytes()).pages)}
    doc = document(hostile.store, path.name)
    assert doc.pages == len(pages) == 1000
    chunks = chunks_of(hostile.store, doc.source)
    assert [c.index for c in chunks] == list(range(doc.chunks))
    covered: set[int] = set()
    markers: dict[int, int] = {}  # page named by a "Mijlpaal" sentence → page the chunk metadata gives
    for chunk in chunks:
        assert list(chunk.pages) == list(range(chunk.page_start, chunk.page_end + 1))
        covered.update(chunk.pages)
        # every unit of the chunk is text of the page the store names for it
        for unit in chunk.units:
            piece = chunk.text[unit.start - chunk.start : unit.end - chunk.start].strip()
            assert piece and piece in pages[unit.page], (unit.page, piece)
        for match in re.finditer(r"Mijlpaal ((?:[a-z]+ )*[a-z]+)\.", chunk.text):
            named = int("".join(str(pdf_factory.DIGIT_WORDS.index(w)) for w in match.group(1).split()))
            markers[named] = chunk.page_at(match.start())
    assert covered == set(range(1, 1001))
    assert markers == {n: n for n in range(50, 1001, 50)}
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 1000


def test_thousand_page_pdf_parses_in_reasonable_time(hostile: HostileRun) -> None:
    path = hostile.folder / "duizend-paginas.pdf"
    started = time.perf_counter()
    prepared = prepare_document(path, pipeline.file_hash(path.read_bytes()), 100 * 2**20, 10**7, 600, 50)
    seconds = time.perf_counter() - started
    assert prepared.doc.pages == 1000 and len(prepared.chunks) == document(hostile.store, path.name).chunks
    assert seconds < 60, f"parsing 1,000 pages took {seconds:.0f} s"


def test_huge_single_page_is_chunked_exactly(hostile: HostileRun) -> None:
    path = hostile.folder / "enorme-pagina.pdf"
    page = clean_pages(read_pdf(path.read_bytes()).pages)[0].text
    assert len(page) > 190_000
    chunks = chunks_of(hostile.store, path.name)
    assert len(chunks) > 300
    for chunk in chunks:
        assert chunk.pages == (1,)
        assert len(chunk.text) <= 600
        assert page[chunk.start : chunk.end] == chunk.text  # an exact slice of the page
    assert chunks[0].start == 0
    assert chunks[-1].end == len(page)
    for before, after in itertools.pairwise(chunks):  # contiguous, overlap at most 50
        assert before.end - 50 <= after.start <= before.end + 2


def test_unicode_text_survives_without_control_characters(hostile: HostileRun) -> None:
    doc = document(hostile.store, "unicode-tekens.pdf")
    chunks = chunks_of(hostile.store, doc.source)
    text = "\n".join(c.text for c in chunks)
    assert ARABIC in text and HEBREW in text  # logical order, as a reader expects
    assert "😀" in text and "🏠" in text and "⭐" in text
    assert "Controle tekens en een kapot teken verdwijnen." in text
    for value in [text, doc.title, doc.publisher, *(c.heading for c in chunks)]:
        assert not FORBIDDEN.search(value), ascii(value)
        value.encode("utf-8")
    assert doc.title == "Welkom in de wijk 😀"  # the cover title, cleaned
    assert unicodedata.is_normalized("NFKC", text)


def test_scripts_in_an_embedded_truetype_font(hostile: HostileRun) -> None:
    if not hostile.has_ttf:
        pytest.skip("no TrueType font (DejaVuSans.ttf) on this machine; covered by the ToUnicode PDF")
    text = "\n".join(c.text for c in chunks_of(hostile.store, "schriften-dejavu.pdf"))
    assert ARABIC in text and HEBREW in text
    assert "☀" in text and "✓" in text and "€ 5" in text
    assert "ijssalon" in text  # the ĳ ligature is unfolded by NFKC
    assert not FORBIDDEN.search(text)


def test_file_changed_while_being_ingested_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is rewritten after the planning hash and before the parsing worker reads it."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    small_pdf(folder / "wissel.pdf", "groen")
    settings = make_settings(tmp_path / "store")
    ingestor = Ingestor(settings)
    ingestor.run([folder])
    before = document(Store.open(settings), "wissel.pdf")

    small_pdf(folder / "wissel.pdf", "spelen")  # a new version that will change again mid-run
    small_pdf(folder / "nieuw.pdf", "veiligheid")  # a new file that will change mid-run
    small_pdf(folder / "rustig.pdf", "ontmoeting")  # left alone
    original_submit = Ingestor._submit
    rewritten: list[str] = []

    def submit_after_rewrite(self: Ingestor, pool: Any, job: Any) -> Any:
        if job.path.name in ("wissel.pdf", "nieuw.pdf"):
            small_pdf(job.path, "parkeren")
            rewritten.append(job.path.name)
        return original_submit(self, pool, job)

    monkeypatch.setattr(Ingestor, "_submit", submit_after_rewrite)
    summary = ingestor.run([folder])
    reports = {f.file: f for f in summary.files}
    assert sorted(rewritten) == ["nieuw.pdf", "wissel.pdf"]
    for name in rewritten:
        assert reports[name].status == "failed"
        assert "changed while it was being ingested" in reports[name].reason
    assert reports["rustig.pdf"].status == "ingested"

    store = Store.open(settings)
    assert store.document("nieuw.pdf") is None and records_with_source(store, "nieuw.pdf") == 0
    after = document(store, "wissel.pdf")
    assert after == before  # the committed version stays, whole
    assert len(chunks_of(store, "wissel.pdf")) == before.chunks
    assert store.chunk_count() == sum(d.chunks for d in store.list_documents())


def small_pdf(path: Path, topic: str) -> Path:
    """A cheap one-page document (little to embed)."""
    return pdf_factory.text_pdf(path, [f"Deze notitie gaat over {topic} in de wijk. Bewoners denken actief mee."])


def crash_on_marked_files(path: Path, *args: Any) -> Any:
    """Stand-in for the parsing worker: dies like a native crash or the OOM killer on marked files."""
    if "crash" in path.name:
        os.kill(os.getpid(), signal.SIGKILL)
    return prepare_document(path, *args)


def test_a_crashing_parser_takes_down_only_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    names = ["a-goed.pdf", "b-crash.pdf", "c-goed.pdf", "d-crash.pdf", "e-goed.pdf"]
    for name, topic in zip(names, ["groen", "spelen", "afval", "zorg", "verlichting"], strict=True):
        small_pdf(folder / name, topic)
    # the worker process imports this module by name and runs the stand-in there
    monkeypatch.setattr(pipeline, "prepare_document", crash_on_marked_files)
    settings = make_settings(tmp_path / "store")
    summary = Ingestor(settings).run([folder])
    reports = {f.file: f for f in summary.files}
    assert [reports[n].status for n in names] == ["ingested", "failed", "ingested", "failed", "ingested"]
    assert reports["b-crash.pdf"].reason == "the PDF parser crashed on this file"
    store = Store.open(settings)
    assert {d.source for d in store.list_documents()} == {"a-goed.pdf", "c-goed.pdf", "e-goed.pdf"}
    assert records_with_source(store, "b-crash.pdf") == records_with_source(store, "d-crash.pdf") == 0


def hang_on_marked_files(path: Path, *args: Any) -> Any:
    """Stand-in for the parsing worker: hangs on marked files, deaf to every signal it may ignore."""
    if "hang" in path.name:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        time.sleep(3600)
    return prepare_document(path, *args)


def test_a_hanging_parser_and_too_much_text_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    small_pdf(folder / "a-goed.pdf", "groen")
    small_pdf(folder / "b-hang.pdf", "spelen")
    pdf_factory.huge_page_pdf(folder / "c-veel-tekst.pdf", chars=20_000)
    small_pdf(folder / "d-goed.pdf", "afval")
    monkeypatch.setattr(pipeline, "prepare_document", hang_on_marked_files)
    settings = make_settings(tmp_path / "store", ingest={"parse_timeout_s": 3, "max_text_chars": 5000})
    started = time.perf_counter()
    summary = Ingestor(settings).run([folder])
    seconds = time.perf_counter() - started
    reports = {f.file: f for f in summary.files}
    assert {n: r.status for n, r in reports.items()} == {
        "a-goed.pdf": "ingested",
        "b-hang.pdf": "failed",
        "c-veel-tekst.pdf": "failed",
        "d-goed.pdf": "ingested",
    }
    assert reports["b-hang.pdf"].reason == "parsing took longer than 3 s; file refused"
    assert reports["c-veel-tekst.pdf"].reason.startswith("more than 5,000 characters of text by page 1")
    assert dutch(reports["b-hang.pdf"].reasons) == "het lezen duurde langer dan 3 seconden; geweigerd"
    assert dutch(reports["c-veel-tekst.pdf"].reasons).startswith("meer dan 5.000 tekens tekst (bij pagina 1)")
    assert seconds < 60, f"the hanging file held the run for {seconds:.0f} s"  # not retried, not waited out
    store = Store.open(settings)
    assert {d.source for d in store.list_documents()} == {"a-goed.pdf", "d-goed.pdf"}
    assert records_with_source(store, "b-hang.pdf") == records_with_source(store, "c-veel-tekst.pdf") == 0
