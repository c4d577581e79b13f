"""Scanned publications: Dutch OCR with the real Tesseract, ingested by the real pipeline into a real store.

The scans are made here: born-digital Dutch pages (reportlab) rendered to images with pypdfium2, made to
look scanned (skew, grey paper, specks) and put back into PDFs as images only, or mixed with
born-digital pages. Nothing is mocked: the parsing workers run Tesseract, the default model embeds,
Chroma stores, the Assistant answers and the app's viewer highlights.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.core import Assistant
from assistant.passages import rebuild
from beleidsbron.domain import FileReport
from beleidsbron.ocr_boxes import load_page_words, sidecar_path
from beleidsbron.store import Store
from evals import pdf_factory
from evals.app_client import run_app
from evals.bench_ocr import char_accuracy, word_recall
from evals.bench_ocr import run as bench_run
from ingest import ocr
from ingest.__main__ import main as ingest_main
from ingest.__main__ import progress_line
from ingest.ocr import OcrOptions, is_garbage, needs_ocr
from ingest.pdf_reader import BadPdfError, PdfContent, read_pdf
from ingest.pipeline import Ingestor, IngestSummary, Progress
from tests.conftest import CORPUS, make_settings
from webapp import pdf_view
from webapp.ingest_messages import dutch
from webapp.library import document_rows, ocr_notice
from webapp.render import cite_label, sources_html

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")

MIXED = [
    "Herstructurering van Morgenstond\n"
    "Deze notitie beschrijft de vernieuwing van een naoorlogse wijk in Den Haag in de jaren negentig. "
    "De gemeente werkte daarbij samen met twee woningcorporaties en de bewonersorganisatie van de wijk.",
    "Sloop en nieuwbouw\n"
    "In 1998 besloot de gemeenteraad tot een grootschalige herstructurering van de wijk Morgenstond. "
    "Daarbij zijn 840 portiekflats gesloopt en vervangen door eengezinswoningen met een eigen tuin. "
    "Elk huishouden dat moest verhuizen kreeg een vergoeding van 4500 gulden.\n"
    "Volgens de bewonersenquête van 2003 is de leefbaarheid in de wijk sindsdien duidelijk verbeterd. "
    "Vooral oudere bewoners waarderen de nieuwe pleinen en de kortere looproutes naar de winkels.",
    "Wijkbudget en beheer\n"
    "Het wijkbudget bedroeg jaarlijks 2,3 miljoen gulden en werd verdeeld door een commissie van bewoners. "
    "Het beheer van de openbare ruimte kwam in handen van een wijkbeheerder met een eigen werkplaats.",
]
SCAN = [
    "Speeltuinvereniging De Klimop\n"
    "De speeltuinvereniging De Klimop telt 57 vrijwilligers die samen de speeltuin aan de Beukenlaan beheren. "
    "Zij organiseren elke zomer een buurtfeest waar ruim driehonderd kinderen op afkomen.",
    "Onderhoud van de speeltuin\n"
    "De gemeente betaalt het groot onderhoud van de toestellen; de vereniging zorgt voor het dagelijks schoonmaken. "
    "Sinds de renovatie van 2001 zijn de klachten over vandalisme sterk afgenomen.",
]


@dataclass
class OcrRun:
    folder: Path
    source: Path  # the born-digital original of gemengd.pdf
    summary: IngestSummary
    reports: dict[str, FileReport]
    progress: list[Progress]
    settings: object
    store: Store


@pytest.fixture(scope="module")
def ocr_run(tmp_path_factory: pytest.TempPathFactory) -> OcrRun:
    root = tmp_path_factory.mktemp("ocr")
    folder = root / "corpus"
    folder.mkdir()
    originals = root / "originals"
    originals.mkdir()
    source = pdf_factory.text_pdf(originals / "gemengd.pdf", MIXED, title="Herstructurering van Morgenstond")
    pdf_factory.scanned_pdf(folder / "gemengd.pdf", source, keep_text=(1,), garbage_layer=(3,))
    pdf_factory.scanned_pdf(folder / "scan.pdf", pdf_factory.text_pdf(originals / "scan.pdf", SCAN))
    pdf_factory.scanned_pdf(folder / "blanco.pdf", pdf_factory.text_pdf(originals / "blanco.pdf", ["", ""]))
    pdf_factory.unreadable_scan_pdf(folder / "onleesbaar.pdf")
    settings = make_settings(root / "store")
    progress: list[Progress] = []
    summary = Ingestor(settings).run([folder], progress=progress.append)
    reports = {f.file: f for f in summary.files}
    return OcrRun(folder, source, summary, reports, progress, settings, Store.open(settings))


def page_texts(run: OcrRun, source: str) -> dict[int, str]:
    """The stored (cleaned) text of every page of a document, rebuilt from its chunks."""
    doc = rebuild([c for c in run.store.iter_chunks() if c.doc.source == source])
    pages: dict[int, list[str]] = {}
    for unit in doc.units:
        pages.setdefault(unit.page, []).append(doc.unit_text(unit))
    return {page: "\n".join(texts) for page, texts in pages.items()}


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_scanned_pages_are_read_with_high_character_accuracy(ocr_run: OcrRun) -> None:
    assert ocr_run.reports["scan.pdf"].status == "ingested", ocr_run.reports["scan.pdf"]
    assert ocr_run.reports["scan.pdf"].ocr_pages == 2
    stored = page_texts(ocr_run, "scan.pdf")
    for number, source in enumerate(SCAN, start=1):
        accuracy = char_accuracy(source, stored[number])
        assert accuracy >= 0.95, (number, accuracy, stored[number])
    doc = ocr_run.store.document("scan.pdf")
    assert doc is not None and [p for p, _ in doc.ocr_pages] == [1, 2]
    assert all(conf >= 80 for _, conf in doc.ocr_pages)


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_a_mixed_document_keeps_its_text_layer_and_reads_its_scans(ocr_run: OcrRun) -> None:
    report = ocr_run.reports["gemengd.pdf"]
    assert report.status == "ingested" and report.reason == "", report
    doc = ocr_run.store.document("gemengd.pdf")
    assert doc is not None
    # page 1 is born-digital, page 2 an image, page 3 an image under a garbage text layer
    assert [p for p, _ in doc.ocr_pages] == [2, 3]
    assert doc.needs_ocr_pages == () and doc.ocr_rejected_pages == ()
    stored = page_texts(ocr_run, "gemengd.pdf")
    digital = read_pdf(ocr_run.source.read_bytes()).pages[0].text
    assert " ".join(stored[1].split()) == " ".join(digital.split())  # the text layer, not OCR
    for number in (2, 3):
        assert char_accuracy(MIXED[number - 1], stored[number]) >= 0.95, stored[number]
    assert "~#|" not in " ".join(stored.values())  # the garbage layer is gone
    assert doc.title == "Herstructurering van Morgenstond"
    boxes = sidecar_path(ocr_run.settings.store_path, doc.content_hash)
    assert boxes.is_file()
    page = load_page_words(ocr_run.settings.store_path, doc.content_hash, 2)
    assert page is not None and len(page.words) > 40 and page.width == pytest.approx(595.28, abs=1)
    assert load_page_words(ocr_run.settings.store_path, doc.content_hash, 1) is None


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_blank_and_unreadable_scans_are_refused_with_a_reason(ocr_run: OcrRun) -> None:
    blank = ocr_run.reports["blanco.pdf"]
    assert blank.status == "failed"
    assert blank.reason == "scanned pages without readable text: OCR found no text on pages 1–2"
    unreadable = ocr_run.reports["onleesbaar.pdf"]
    assert unreadable.status == "failed"
    assert re.fullmatch(r"scanned pages not indexed: OCR confidence \d+% is below 60% on pages 1", unreadable.reason), (
        unreadable.reason
    )
    for report in (blank, unreadable):
        nl = dutch(report.reasons)
        assert nl.startswith("gescande pagina's") and "technisch" not in nl, nl
        assert ocr_run.store.document(report.file) is None
    assert {d.source for d in ocr_run.store.list_documents()} == {"gemengd.pdf", "scan.pdf"}


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_ocr_reports_progress_page_by_page(ocr_run: OcrRun) -> None:
    steps = [(p.file, p.ocr.page) for p in ocr_run.progress if p.ocr is not None]
    assert ("gemengd.pdf", 2) in steps and ("gemengd.pdf", 3) in steps and ("gemengd.pdf", 1) not in steps
    assert [page for file, page in steps if file == "scan.pdf"] == [1, 2]
    assert [page for file, page in steps if file == "blanco.pdf"] == [1, 2]
    step = next(p for p in ocr_run.progress if p.ocr is not None and p.file == "scan.pdf")
    line = progress_line(step, 1)
    assert re.fullmatch(r"\[\d/4\] scan\.pdf: page 1/2 read by OCR \(confidence \d+%, [\d.]+ s\)", line), line
    finished = next(p for p in ocr_run.progress if p.report is not None and p.file == "scan.pdf")
    assert "2 pages, " in progress_line(finished, 1.0) and "(2 by OCR)" in progress_line(finished, 1.0)


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_a_question_about_a_scanned_page_is_answered_from_that_page(ocr_run: OcrRun) -> None:
    assistant = Assistant(ocr_run.settings)
    answer = assistant.ask("Hoeveel portiekflats zijn in Morgenstond gesloopt?")
    assert not answer.refused, answer.text
    first = answer.sources[0]
    assert (first.source, first.page) == ("gemengd.pdf", 2)
    assert "840 portiekflats" in first.quote
    assert first.ocr_confidence is not None and first.ocr_confidence >= 80
    assert "(tekst via OCR, zekerheid" in cite_label(first) and "tekst via OCR" in sources_html(answer)
    assert first.to_json()["ocr_confidence"] == first.ocr_confidence
    other = assistant.ask("Hoeveel vrijwilligers telt speeltuinvereniging De Klimop?")
    assert not other.refused and (other.sources[0].source, other.sources[0].page) == ("scan.pdf", 1)
    assert "57 vrijwilligers" in other.sources[0].quote
    # the library shows how many pages came from OCR and how sure it was
    rows = {row[-1]: row for row in document_rows(assistant)}
    assert re.search(r"2 pagina's tekst via OCR \(gemiddelde zekerheid \d+%\): 2–3", str(rows["gemengd.pdf"][7]))
    assert "OCR vond geen tekst op pagina 1–2" in str(rows["blanco.pdf"][7])


def _overlap(a: pdf_view.Box, b: pdf_view.Box) -> float:
    width = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    height = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    return max(0.0, width) * max(0.0, height)


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_the_viewer_highlights_the_cited_sentence_on_a_scanned_page(ocr_run: OcrRun, tmp_path: Path) -> None:
    sentence = "Daarbij zijn 840 portiekflats gesloopt en vervangen door eengezinswoningen met een eigen tuin."
    truth = pdf_view.highlight_boxes(ocr_run.source, 2, sentence)  # where the words stand on the original
    assert truth
    doc = ocr_run.store.document("gemengd.pdf")
    assert doc is not None
    page = load_page_words(ocr_run.settings.store_path, doc.content_hash, 2)
    assert page is not None
    boxes = pdf_view.ocr_highlight_boxes(page, sentence)
    assert boxes
    covered = sum(_overlap(t, b) for t in truth for b in boxes)
    truth_area = sum(t.width * t.height for t in truth)
    box_area = sum(b.width * b.height for b in boxes)
    assert covered >= 0.6 * truth_area, (truth, boxes)  # the sentence's words are under the highlight
    assert covered >= 0.4 * box_area, (truth, boxes)  # and the highlight is not much more than them
    # the same through the running app's viewer
    with run_app(
        Path(ocr_run.settings.store_path), tmp_path, extra_env={"BELEIDSBRON_CORPUS_PATH": str(ocr_run.folder)}
    ) as app:
        html = httpx.get(f"{app.url}/viewer/gemengd.pdf", params={"page": 2, "q": sentence}, timeout=60).text
        digital = httpx.get(
            f"{app.url}/viewer/gemengd.pdf", params={"page": 1, "q": "De gemeente werkte daarbij samen"}, timeout=60
        ).text
    shown = [
        pdf_view.Box(*map(float, m))
        for m in re.findall(r'class="hl" style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;height:([\d.]+)%"', html)
    ]
    assert shown == [pdf_view.Box(*(round(v, 3) for v in vars(b).values())) for b in boxes]
    assert "Tekst via OCR: deze pagina is een scan, gelezen met een zekerheid van" in html
    assert 'data-highlights="0"' not in digital and "tekst via OCR" not in digital


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_ocr_off_reports_scans_as_before_and_a_later_run_reads_them(ocr_run: OcrRun, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("gemengd.pdf", "scan.pdf"):
        shutil.copy(ocr_run.folder / name, folder / name)
    off = make_settings(tmp_path / "store", ingest={"ocr": False})
    assert "OCR staat uit" in ocr_notice(off)
    reports = {f.file: f for f in Ingestor(off).run([folder]).files}
    assert reports["scan.pdf"].status == "failed"
    assert reports["scan.pdf"].reason == "needs OCR: no text layer on pages 1–2"
    assert reports["gemengd.pdf"].status == "ingested"
    assert reports["gemengd.pdf"].reason == "needs OCR: no text layer on pages 2"  # page 3 keeps its garbage layer
    doc = Store.open(off).document("gemengd.pdf")
    assert doc is not None and doc.needs_ocr_pages == (2,) and doc.ocr_pages == ()

    on = make_settings(tmp_path / "store")
    assert "met OCR gelezen" in ocr_notice(on)
    again = {f.file: f for f in Ingestor(on).run([folder]).files}
    assert again["gemengd.pdf"].status == "replaced"
    assert again["gemengd.pdf"].reason == "rebuilt: its pages without a text layer are now read by OCR"
    assert again["scan.pdf"].status == "ingested"
    doc = Store.open(on).document("gemengd.pdf")
    assert doc is not None and [p for p, _ in doc.ocr_pages] == [2, 3] and doc.needs_ocr_pages == ()
    third = {f.file: f.status for f in Ingestor(on).run([folder]).files}
    assert third == {"gemengd.pdf": "unchanged", "scan.pdf": "unchanged"}


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_missing_tesseract_or_language_data_is_said_clearly(ocr_run: OcrRun, tmp_path: Path) -> None:
    data = (ocr_run.folder / "gemengd.pdf").read_bytes()
    content = read_pdf(data, ocr=OcrOptions(tesseract_cmd=str(tmp_path / "geen-tesseract")))
    assert content.image_only_pages == [2] and content.ocr_pages == [] and content.ocr_unavailable is not None
    assert content.ocr_unavailable.english() == (
        "OCR unavailable: tesseract is not installed (Debian packages tesseract-ocr, tesseract-ocr-nld)"
    )
    with pytest.raises(BadPdfError) as refused:
        read_pdf((ocr_run.folder / "scan.pdf").read_bytes(), ocr=OcrOptions(languages="nld+xyz"))
    assert str(refused.value) == (
        "needs OCR: no text layer on pages 1–2; OCR unavailable: tesseract has no language data for xyz "
        "(Debian package tesseract-ocr-xyz)"
    )
    assert dutch(refused.value.reasons) == (
        "gescande pagina's zonder tekstlaag (OCR nodig): 1–2; OCR is niet beschikbaar: Tesseract heeft geen "
        "taalgegevens voor xyz (Debian-pakket tesseract-ocr-xyz)"
    )
    missing = make_settings(tmp_path / "store", ingest={"tesseract_cmd": str(tmp_path / "geen-tesseract")})
    assert ocr_notice(missing) == (
        "Gescande pagina's kunnen niet worden gelezen: OCR is niet beschikbaar: Tesseract is niet geïnstalleerd "
        "(Debian-pakketten tesseract-ocr en tesseract-ocr-nld)."
    )


@pytest.mark.slow  # one ingest of four scanned PDFs with OCR (shared by the module)
def test_cli_ocr_languages_option(ocr_run: OcrRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ocr_run.folder / "scan.pdf", folder / "scan.pdf")
    assert ingest_main([str(folder), "--store", str(tmp_path / "store"), "--ocr-lang", "nld eng"]) == 2
    assert "--ocr-lang" in capsys.readouterr().err
    code = ingest_main([str(folder), "--store", str(tmp_path / "store"), "--ocr-lang", "xyz", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "warning: OCR unavailable: tesseract has no language data for xyz" in err
    assert "needs OCR: no text layer on pages 1–2; OCR unavailable: tesseract has no language data for xyz" in out
    code = ingest_main([str(folder), "--store", str(tmp_path / "store"), "--ocr-lang", "nld", "--json"])
    assert code == 0, capsys.readouterr()


def test_which_text_layers_are_garbage() -> None:
    assert is_garbage("~#|^ }{ ~~ %$ #@! ^^ |~| ~#|^ }{ ~~ %$ #@! ^^ |~|")
    assert not is_garbage("De gemeente investeert 12 miljoen euro in de wijk.")
    assert not is_garbage("2023 | 1.234.567 | 2.345.678 | 12,5% | 13,1%")  # a table of figures is text
    assert not is_garbage("~#|")  # too little to judge
    assert needs_ocr("", lambda: True) and not needs_ocr("", lambda: False)  # a blank page without an image
    assert needs_ocr("  \n ", lambda: True) and not needs_ocr("Bijlage 3", lambda: True)


def test_character_accuracy_measure() -> None:
    assert char_accuracy("De wijk", "De  wijk\n") == 1.0  # whitespace does not count
    assert char_accuracy("abcdefghij", "abcdefghiX") == pytest.approx(0.9)
    assert char_accuracy("abc", "") == 0.0 and char_accuracy("", "") == 1.0
    assert word_recall("de wijk en de buurt", "De buurt, de wijk") == pytest.approx(0.8)


@pytest.mark.slow  # a small OCR benchmark: one and two workers
def test_ocr_benchmark_smoke() -> None:
    pdfs = sorted(CORPUS.glob("*.pdf"))[:1]
    result = bench_run(pdfs, max_pages=2, options=OcrOptions(), workers=(1, 2), dpis=(200,), rounds=1)
    assert result["pages"] == 2 and result["workers_give_identical_text"]
    assert [(r["workers"], r["dpi"]) for r in result["runs"]] == [(1, 200), (2, 200)]
    assert all(r["pages_per_s"] > 0 and r["load_before"] for r in result["runs"])
    accuracy = result["accuracy"][200]
    assert accuracy["char_accuracy"]["median"] > 0.8 and accuracy["word_recall"]["median"] > 0.9


def cover_pdf(path: Path) -> Path:
    """A report with a designed cover (title in large type, publisher and date in small type)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 30)
    c.drawString(60, 640, "Vernieuwing van")
    c.drawString(60, 600, "de Bloemenbuurt")
    c.setFont("Helvetica", 12)
    c.drawString(60, 560, "Evaluatie van tien jaar stedelijke vernieuwing")
    c.drawString(60, 120, "Gemeente Utrecht")
    c.drawString(60, 104, "maart 1999")
    c.showPage()
    c.setFont("Helvetica", 11)
    for i, line in enumerate(
        [
            "In tien jaar zijn in de Bloemenbuurt 620 woningen gerenoveerd en 210 nieuw gebouwd.",
            "De bewoners beoordelen hun buurt in 1998 met een 7,1, tegen een 5,8 in 1989.",
        ]
    ):
        c.drawString(60, 760 - 16 * i, line)
    c.showPage()
    c.save()
    return path


def test_metadata_of_a_scanned_report_comes_from_its_ocr_cover(tmp_path: Path) -> None:
    from ingest.metadata import describe

    scan = pdf_factory.scanned_pdf(tmp_path / "scan.pdf", cover_pdf(tmp_path / "origineel.pdf"))
    data = scan.read_bytes()
    content = read_pdf(data, ocr=OcrOptions())
    assert [p.number for p in content.ocr_pages] == [1, 2]
    found = describe(content)
    assert found.title == "Vernieuwing van de Bloemenbuurt"
    assert found.publisher == "Gemeente Utrecht"
    assert found.year == 1999


WRAPPER = """#!{python}
import os, subprocess, sys, time

image = sys.argv[1] if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]) else None  # not --version, --list-langs
if image and {narrow!r}:
    from PIL import Image

    if Image.open(image).width < 1800:
        if {narrow!r} == "hangs":
            time.sleep(3600)
        sys.exit("simulated failure")
if image:
    open({log!r}, "a").write(f"{{time.monotonic()}} +1\\n")
code = subprocess.call(["tesseract", *sys.argv[1:]])
if image:
    open({log!r}, "a").write(f"{{time.monotonic()}} -1\\n")
sys.exit(code)
"""


def tesseract_wrapper(folder: Path, narrow: str = "") -> tuple[str, Path]:
    """A stand-in ``tesseract`` program that runs the real one and logs when each page's run starts (+1)
    and ends (-1) in the returned log; a page image narrower than 1,800 pixels (an A6 page at 300 dpi)
    instead ``hangs`` or ``fails``, as ``narrow`` says."""
    script, log = folder / "tesseract-wrapper", folder / "runs.log"
    script.write_text(WRAPPER.format(python=sys.executable, narrow=narrow, log=str(log)), encoding="utf-8")
    script.chmod(0o755)
    log.write_text("")
    return str(script), log


def most_at_once(log: Path) -> int:
    """The most Tesseract runs the wrapper's log shows running at the same time."""
    running, most = 0, 0
    for line in sorted(log.read_text().splitlines(), key=lambda line: float(line.split()[0])):
        running += int(line.split()[1])
        most = max(most, running)
    return most


@pytest.mark.slow  # reads a 4-page scan twice with the real Tesseract
def test_two_ocr_workers_read_a_scan_as_one_does_in_page_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = pdf_factory.text_pdf(tmp_path / "bron.pdf", [*SCAN, *MIXED[1:]])
    data = pdf_factory.scanned_pdf(tmp_path / "scan.pdf", source).read_bytes()
    wrapper, log = tesseract_wrapper(tmp_path)
    render = ocr.render_page

    def read(workers: int) -> tuple[PdfContent, list[int], list[int]]:
        """Read the scan; also the pages heard of, in order, and how many pages were rendered and not yet
        heard of whenever a page was rendered."""
        rendered: list[int] = []
        heard: list[int] = []
        in_flight: list[int] = []

        def counting_render(page: Any, number: int, options: OcrOptions) -> ocr.PageImage:
            in_flight.append(len(rendered) + 1 - len(heard))
            rendered.append(number)
            return render(page, number, options)

        monkeypatch.setattr(ocr, "render_page", counting_render)
        options = OcrOptions(workers=workers, tesseract_cmd=wrapper)
        return read_pdf(data, ocr=options, on_ocr_page=lambda page: heard.append(page.number)), heard, in_flight

    results = {}
    for workers in (1, 2):
        log.write_text("")
        content, heard, in_flight = read(workers)
        assert heard == [1, 2, 3, 4] and [p.number for p in content.ocr_pages] == [1, 2, 3, 4]
        assert max(in_flight) <= 2 * workers + 1  # bounded: with one worker, 3 of the 4 pages at most
        assert most_at_once(log) == workers, log.read_text()
        ocr_read = [(p.text, p.confidence, p.words) for p in content.ocr_pages]
        results[workers] = ([p.text for p in content.pages], ocr_read)
    assert results[1] == results[2]
    for number, text in enumerate([*SCAN, *MIXED[1:]], start=1):
        assert char_accuracy(text, results[2][0][number - 1]) >= 0.95


def a6_between_a4_pdf(path: Path) -> Path:
    """Three pages of Dutch text: A4 (SCAN[0]), a small A6 note, A4 (SCAN[1])."""
    from reportlab.lib.pagesizes import A4, A6
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for text, size, width in (
        (SCAN[0], A4, 90),
        ("Een korte notitie over de wijk Morgenstond.", A6, 40),
        (SCAN[1], A4, 90),
    ):
        c.setPageSize(size)
        c.setFont("Helvetica", 11)
        for i, line in enumerate(textwrap.wrap(text, width)):
            c.drawString(30, size[1] - 50 - 15 * i, line)
        c.showPage()
    c.save()
    return path


@pytest.mark.slow  # reads a 3-page scan twice with the real Tesseract, waiting out a page timeout once
def test_a_page_that_fails_or_hangs_fails_alone(tmp_path: Path) -> None:
    data = pdf_factory.scanned_pdf(tmp_path / "scan.pdf", a6_between_a4_pdf(tmp_path / "bron.pdf")).read_bytes()
    for narrow, detail in (("hangs", "took longer than 20 s"), ("fails", "tesseract failed (simulated failure)")):
        wrapper, _ = tesseract_wrapper(tmp_path, narrow)  # the A6 page (narrow at 300 dpi) hangs or fails
        heard: list[int] = []
        options = OcrOptions(workers=2, page_timeout_s=20, tesseract_cmd=wrapper)
        content = read_pdf(data, ocr=options, on_ocr_page=lambda page, heard=heard: heard.append(page.number))
        assert heard == [1, 2, 3]
        assert [p.number for p in content.ocr_pages] == [1, 3]
        assert [(p.number, p.error) for p in content.ocr_rejected] == [(2, detail)]
        assert [r.english() for r in content.ocr_problems] == [f"OCR failed on pages 2: {detail}"]
        assert content.pages[1].text == ""
        assert char_accuracy(SCAN[0], content.pages[0].text) >= 0.95
        assert char_accuracy(SCAN[1], content.pages[2].text) >= 0.95
