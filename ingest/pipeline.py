"""The ingest run: files → parsed, cleaned, chunked documents → embeddings → store.

Orchestrates the ingest stage (corpus → *ingest* → store). PDFs are parsed in a worker process while
the main process embeds the previous document (scanned pages are read by OCR in that worker, which
reports every page), files are keyed by content hash (unchanged files cost nothing), identical chunk
texts are embedded once, and every bad file is reported with its reason while the others go on.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from beleidsbron.domain import Chunk, DocumentInfo, FileReport, UsageError
from beleidsbron.embeddings import EmbeddingModel, load_embeddings
from beleidsbron.lexical_index import ensure_index
from beleidsbron.ocr_boxes import remove_page_words, write_page_words
from beleidsbron.reasons import Code, Reason, reason
from beleidsbron.settings import Settings
from beleidsbron.store import EmbeddedChunks, Store, StoreError, StoreIdentity
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages
from ingest.metadata import resolve
from ingest.ocr import OcrOptions, OcrPage, unavailable_reason
from ingest.pdf_reader import BadPdfError, check_file, needs_ocr_reasons, read_pdf
from ingest.structure import build_document

# Version of what ingest makes of a PDF (text extraction, cleaning, chunking, stored fields). Bump it when
# a change makes earlier stored text wrong or incomplete: ingest then rebuilds every document built by
# another version, even when its file is unchanged, and says so. Every document also records the
# fingerprint of the settings that built it (Settings.ingest_fingerprint); those settings need no rebuild
# check of their own: the store refuses other chunking settings and reads other e5 engines' vectors on
# purpose (beleidsbron.store).
PIPELINE_VERSION = 5  # 4: typed structure (blocks, units), metadata with sources; 5: headings wrapped over lines


@dataclass
class IngestSummary:
    """Outcome of one ingest run."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    embedded_tokens: int = 0
    embed_seconds: float = 0.0
    store_chunks: int = 0
    store_documents: int = 0

    def count(self, *statuses: str) -> int:
        return sum(1 for f in self.files if f.status in statuses)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files if f.status in ("ingested", "replaced"))

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files if f.status in ("ingested", "replaced"))

    @property
    def failed(self) -> int:
        return self.count("failed")

    def to_json(self) -> dict[str, object]:
        return {
            "files": [f.to_json() for f in self.files],
            "totals": {
                "files": len(self.files),
                "ingested": self.count("ingested", "replaced"),
                "unchanged": self.count("unchanged"),
                "duplicates": self.count("duplicate"),
                "pruned": self.count("pruned"),
                "failed": self.failed,
                "not_read_again": sum(1 for f in self.files if f.not_read_again),
                "pages": self.pages,
                "chunks": self.chunks,
                "embedded_chunks": self.embedded_chunks,
                "embedded_sentences": self.embedded_sentences,
                "embedded_tokens": self.embedded_tokens,
                "store_documents": self.store_documents,
                "store_chunks": self.store_chunks,
                "seconds": round(self.seconds, 2),
            },
        }


@dataclass
class _Job:
    path: Path
    content_hash: str
    pages: int
    replaces: bool
    rebuild: Reason | None = None  # same file, stored again: why (another pipeline version, OCR can now read it)
    old_hash: str = ""  # content hash of the stored document this job replaces


@dataclass
class PreparedDocument:
    """A parsed and chunked document, ready to embed (returned by the parsing worker)."""

    doc: DocumentInfo
    chunks: list[Chunk]
    warnings: list[Reason]
    ocr_pages: list[OcrPage] = field(default_factory=list)  # their word boxes go beside the store


def discover(paths: Iterable[Path]) -> list[Path]:
    """PDF files under the given files/folders (folders recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and (p.is_file() or p.is_symlink()))
            )
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise UsageError(f"No such file or folder: {path}")
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.absolute(), p)
    return list(unique.values())


def status_path(settings: Settings) -> Path:
    return Path(settings.store_path) / "ingest-status.json"


@dataclass(frozen=True)
class StatusRecord:
    """The last ingest outcome of one file, as the status file keeps it.

    A file that failed when it was read also keeps what the failure depended on: its content hash, the
    pipeline version and :func:`reading_fingerprint`. While all three are the same, the next run reports
    the failure again without reading the file (``--retry-failed`` reads it anyway).
    """

    status: str
    reasons: tuple[Reason, ...]  # empty in records written before reasons had codes: then only ``text``
    text: str  # the reasons in English
    at: str  # ISO timestamp (UTC)
    content_hash: str = ""  # of the file that failed ("" when it failed before it was read, or could change)
    pipeline: int = 0
    reading: str = ""  # reading_fingerprint of the run in which it failed

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatusRecord:
        try:
            reasons = tuple(Reason.from_json(r) for r in data.get("reasons") or ())
        except (KeyError, TypeError, ValueError):  # a code this version does not know: its text still reads
            reasons = ()
        return cls(
            str(data.get("status", "")),
            reasons,
            str(data.get("reason", "")),
            str(data.get("at", "")),
            str(data.get("content_hash", "")),
            int(data.get("pipeline", 0) or 0),
            str(data.get("reading", "")),
        )

    def failed_the_same(self, content_hash: str, reading: str) -> bool:
        """Whether reading this content again, with these settings, would fail as it did (no need to try)."""
        return (
            self.status == "failed"
            and bool(self.reasons)
            and self.content_hash == content_hash
            and self.pipeline == PIPELINE_VERSION
            and self.reading == reading
        )


def _read_statuses(settings: Settings) -> dict[str, Any]:
    try:
        data = json.loads(status_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_statuses(settings: Settings) -> dict[str, StatusRecord]:
    """The last ingest outcome per file name (for the library view), {} when there is none."""
    return {name: StatusRecord.from_json(d) for name, d in _read_statuses(settings).items() if isinstance(d, dict)}


def record_statuses(settings: Settings, reports: list[FileReport], reading: str = "") -> None:
    """Merge this run's outcomes into the status file (written atomically; best effort). A file that
    failed when it was read is recorded with its content hash, the pipeline version and ``reading``
    (:func:`reading_fingerprint`), unless it failed because it changed while it was read."""
    statuses = _read_statuses(settings)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for report in reports:
        if report.status == "pruned":
            statuses.pop(report.file, None)
        elif report.not_read_again or (report.status == "unchanged" and report.file in statuses):
            continue  # the record of the run that read it stays
        else:
            record: dict[str, Any] = {
                "status": report.status,
                "reason": report.reason,  # English, for people reading the file
                "reasons": [r.to_json() for r in report.reasons],
                "at": now,
            }
            changed = any(r.code == Code.CHANGED for r in report.reasons)  # another run may read it whole
            if report.status == "failed" and report.content_hash and not changed:
                record.update(content_hash=report.content_hash, pipeline=PIPELINE_VERSION, reading=reading)
            statuses[report.file] = record
    path = status_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(statuses, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # the store itself is what matters; the status file is informational


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def estimate_pages(data: bytes) -> int:
    """The number of pages for progress reports, counted from the page objects in the file's bytes
    without opening it (ingest opens every PDF once, in its parsing worker); pages in compressed object
    streams are not seen, so this can be low — the parsed page count replaces it."""
    return max(1, len(_PAGE_OBJECT.findall(data)))


def ocr_unavailable(settings: Settings) -> Reason | None:
    """Why scanned pages cannot be read with these settings: Tesseract or a language missing (None when
    they can, or when OCR is off)."""
    return unavailable_reason(OcrOptions.from_settings(settings.ingest))


def reading_fingerprint(settings: Settings) -> str:
    """:meth:`Settings.reading_fingerprint` with whether Tesseract and the OCR languages are there now."""
    return settings.reading_fingerprint(ocr_available=ocr_unavailable(settings) is None)


_EVENTS: Any = None  # in a parsing worker: the queue on which it reports OCR progress to the ingest run


def _init_worker(events: Any) -> None:
    global _EVENTS
    _EVENTS = events


class OcrStep(NamedTuple):
    """A page read by OCR in a parsing worker (progress of a scan)."""

    file: str  # path as submitted
    page: int
    confidence: float
    seconds: float


def _ocr_reporter(path: Path) -> Callable[[OcrPage], None] | None:
    events = _EVENTS
    if events is None:
        return None
    return lambda page: events.put(OcrStep(str(path), page.number, page.confidence, page.seconds))


def prepare_document(
    path: Path,
    expected_hash: str,
    max_bytes: int,
    max_chars: int,
    chunk_size: int,
    overlap: int,
    ocr: OcrOptions | None = None,
) -> PreparedDocument:
    """Worker: read (with OCR for scanned pages), clean, describe and chunk one PDF. Raises BadPdfError
    with the reason."""
    data = check_file(path, max_bytes)
    if file_hash(data) != expected_hash:
        raise BadPdfError(reason(Code.CHANGED))
    content = read_pdf(data, max_chars, ocr, _ocr_reporter(path))
    document = build_document(clean_pages(content.pages))
    meta = resolve(path, content)
    doc = DocumentInfo(
        source=path.name,
        path=str(path.absolute()),
        content_hash=expected_hash,
        title=meta.title,
        publisher=meta.publisher,
        year=meta.year,
        pages=len(content.pages),
        url=meta.url,
        needs_ocr_pages=tuple(content.image_only_pages),
        pipeline=PIPELINE_VERSION,
        doc_type=meta.doc_type,
        ocr_pages=tuple((p.number, p.confidence) for p in content.ocr_pages),
        ocr_rejected_pages=tuple((p.number, p.confidence) for p in content.ocr_rejected),
        title_source=meta.title_source,
        publisher_source=meta.publisher_source,
        year_source=meta.year_source,
    )
    chunks = chunk_document(doc, document, chunk_size, overlap)
    if not chunks:
        raise BadPdfError(reason(Code.NO_USABLE_TEXT))
    warnings = list(content.ocr_problems)
    if content.image_only_pages:
        warnings += needs_ocr_reasons(content.image_only_pages, content.ocr_unavailable)
    return PreparedDocument(doc, chunks, warnings, content.ocr_pages)


def embed_unique(
    model: EmbeddingModel, texts: list[str], parts: int = 1, done: Callable[[float], None] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Embed each distinct text once. Returns vectors for all texts and the distinct texts embedded.

    With ``parts`` > 1 the texts are embedded in that many slices and ``done`` hears the fraction
    finished after each one (progress of a long document).
    """
    index: dict[str, int] = {}
    for text in texts:
        index.setdefault(text, len(index))
    distinct = list(index)
    if not distinct:
        return np.zeros((0, model.dimension), np.float32), distinct
    step = -(-len(distinct) // max(1, parts))
    pieces = []
    for start in range(0, len(distinct), step):
        pieces.append(model.embed_array(distinct[start : start + step]))
        if done is not None:
            done(min(1.0, (start + step) / len(distinct)))
    vectors = np.concatenate(pieces)
    return vectors[[index[t] for t in texts]], distinct


def embed_chunks(
    model: EmbeddingModel, chunks: list[Chunk], parts: int = 1, done: Callable[[float], None] | None = None
) -> tuple[EmbeddedChunks, list[str]]:
    """Embed every unit (sentence, list item, table row, heading) once; a chunk's vector is the normalised
    mean of its units' vectors. ``parts`` and ``done`` report progress as in :func:`embed_unique`."""
    spans = [c.spans() for c in chunks]
    texts = [c.text[a:b] for c, chunk_spans in zip(chunks, spans, strict=True) for a, b in chunk_spans]
    sentence_vectors, distinct = embed_unique(model, texts, parts, done)
    chunk_vectors = np.empty((len(chunks), model.dimension), np.float32)
    row = 0
    for i, chunk_spans in enumerate(spans):
        mean = sentence_vectors[row : row + len(chunk_spans)].mean(axis=0)
        chunk_vectors[i] = mean / (np.linalg.norm(mean) or 1.0)
        row += len(chunk_spans)
    return EmbeddedChunks(spans, sentence_vectors, chunk_vectors), distinct


def _wait(future: Future[PreparedDocument], timeout: float, heard: Callable[[], bool] | None = None) -> bool:
    """Wait for a parse; False when it is still running after ``timeout`` seconds.

    ``heard`` passes on the worker's progress and says whether the file made any (a page read by OCR):
    each page restarts the clock, so a long scan may take as long as its pages need while a parser
    that hangs (OCR itself has a time limit per page) is still stopped.
    """
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            future.exception(timeout=remaining if heard is None else min(remaining, 0.5))
            return True
        except FutureTimeout:
            if heard is not None and heard():
                deadline = time.monotonic() + timeout


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """SIGKILL a pool's worker processes: a parser stuck in native code ignores everything else.

    ``ProcessPoolExecutor`` has no public way to do this before Python 3.14 (``terminate_workers``).
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()


PROGRESS_PAGES = 50  # a long file reports progress about every this many pages


@dataclass(frozen=True)
class Progress:
    """Where an ingest run is: pages done of all the files it parses, and the file in hand.

    Reported when a long file starts (``file_done`` 0), about every :data:`PROGRESS_PAGES` pages of it,
    and when a file is finished (``report`` set).
    """

    done: int
    total: int
    file: str
    file_done: int
    file_pages: int
    index: int  # 1-based number of the file among those parsed in this run
    files: int
    report: FileReport | None = None
    ocr: OcrStep | None = None  # a page of the file was just read by OCR (``file_done``: its page number)


ProgressCallback = Callable[[Progress], None]


class Ingestor:
    """Runs ingest against one store with one embedding model (both loaded once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = load_embeddings(settings)
        self.store = Store.open(settings, StoreIdentity.from_settings(settings, self.model.dimension), create=True)
        self.ocr = OcrOptions.from_settings(settings.ingest)

    def run(
        self,
        paths: Iterable[Path],
        prune: bool = False,
        progress: ProgressCallback | None = None,
        retry_failed: bool = False,
    ) -> IngestSummary:
        """Ingest the PDFs under ``paths``. A file that failed before and has not changed since (nor the
        settings that decide whether it can be read) is reported as failed without being read, unless
        ``retry_failed``."""
        started = time.perf_counter()
        files = discover(paths)
        summary = IngestSummary()
        self.store.remove_orphans()
        jobs = self._plan(files, summary, retry_failed)
        total_pages = sum(j.pages for j in jobs)
        done_pages = 0
        number = {job.path: i for i, job in enumerate(jobs, start=1)}

        def tell(job: _Job, file_done: int, report: FileReport | None = None, ocr: OcrStep | None = None) -> None:
            if progress:
                progress(
                    Progress(
                        done_pages + file_done, total_pages, job.path.name, file_done, job.pages,
                        number[job.path], len(jobs), report, ocr,
                    )
                )  # fmt: skip

        for job, report in self._process(jobs, summary, tell):
            report.content_hash = job.content_hash
            summary.files.append(report)
            tell(job, job.pages, report)
            done_pages += job.pages
        if prune:
            summary.files.extend(self._prune())
        ensure_index(self.store, self.settings)
        record_statuses(self.settings, summary.files, self.reading if summary.failed else "")
        summary.store_documents = len(self.store.list_documents())
        summary.store_chunks = self.store.chunk_count()
        summary.seconds = time.perf_counter() - started
        return summary

    @cached_property
    def reading(self) -> str:
        """:func:`reading_fingerprint` of this run's settings (checks Tesseract once)."""
        return reading_fingerprint(self.settings)

    def _plan(self, files: list[Path], summary: IngestSummary, retry_failed: bool = False) -> list[_Job]:
        """Check every file and decide what to do with it; reports skipped and failed files. An unchanged
        file found in another place than the store recorded gets its new place recorded here."""
        max_bytes = int(self.settings.ingest.max_file_mb * 2**20)
        stored = {d.source: d for d in self.store.list_documents()}
        failures = {} if retry_failed else load_statuses(self.settings)
        by_hash = {d.content_hash: d.source for d in stored.values()}
        jobs: list[_Job] = []
        # documents stored with unread scanned pages are read again once OCR can read them
        ocr_ready = any(d.needs_ocr_pages for d in stored.values()) and not (
            self.ocr is None or unavailable_reason(self.ocr)
        )
        for path in files:
            if not _encodable(str(path.absolute())):
                # undecodable bytes in a file or folder name (e.g. Latin-1 from an old system) become lone
                # surrogates that the store cannot hold and the summary cannot print
                name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                summary.files.append(FileReport(name, "failed", [reason(Code.BAD_NAME)]))
                continue
            try:
                data = check_file(path, max_bytes)
            except BadPdfError as exc:
                summary.files.append(FileReport(path.name, "failed", list(exc.reasons)))
                continue
            digest = file_hash(data)
            current = stored.get(path.name)
            same = current is not None and current.content_hash == digest
            earlier = failures.get(path.name)
            if same and current.pipeline == PIPELINE_VERSION and not (ocr_ready and current.needs_ocr_pages):
                notes = []
                if current.path != str(path.absolute()):  # the same file in another place: the viewer follows
                    self.store.record_path(current, str(path.absolute()))
                    notes.append(reason(Code.MOVED, was=current.path))
                summary.files.append(
                    FileReport(
                        path.name, "unchanged", notes, pages=current.pages, chunks=current.chunks, content_hash=digest
                    )
                )
            elif digest in by_hash and by_hash[digest] != path.name:
                summary.files.append(
                    FileReport(
                        path.name, "duplicate", [reason(Code.DUPLICATE, original=by_hash[digest])], content_hash=digest
                    )
                )
            elif any(j.path.name == path.name for j in jobs):
                summary.files.append(FileReport(path.name, "failed", [reason(Code.NAME_CLASH)]))
            elif earlier is not None and earlier.failed_the_same(digest, self.reading):
                why = reason(Code.FAILED_BEFORE, reasons=[r.to_json() for r in earlier.reasons])
                summary.files.append(FileReport(path.name, "failed", [why], content_hash=digest, not_read_again=True))
            else:
                by_hash[digest] = path.name
                old = current.content_hash if current is not None else ""
                rebuild = None
                if same and current.pipeline != PIPELINE_VERSION:
                    rebuild = reason(Code.REBUILT)
                elif same:
                    rebuild = reason(Code.REBUILT_FOR_OCR)
                jobs.append(_Job(path, digest, estimate_pages(data), current is not None, rebuild, old))
        return jobs

    def _process(
        self, jobs: list[_Job], summary: IngestSummary, tell: Callable[..., None]
    ) -> Iterator[tuple[_Job, FileReport]]:
        """Parse the jobs in worker processes and embed and store them here, in order.

        A worker that dies (a native crash or the OOM killer on a hostile file) breaks the pool for
        every queued job. The job in hand is then retried once in a fresh pool (with several workers,
        another file may have been the culprit) and reported as crashing when it fails again; the jobs
        after it go on in a fresh pool. A job still unparsed ``parse_timeout_s`` after it became the
        one in hand (all earlier files are done, so it has been running at least that long) has its
        workers killed, is reported as too slow and is not retried.
        """
        ctx = multiprocessing.get_context("forkserver")
        queue = list(jobs)
        crashed: set[Path] = set()
        while queue:
            rest: list[_Job] = []
            # a queue per pool: a killed worker may leave its queue unusable, the next pool starts afresh. A
            # SimpleQueue's put writes to the pipe before it returns (a Queue's feeder thread may still hold
            # it), so a file's last pages are there to read once its parse has returned.
            events = ctx.SimpleQueue()
            heard: dict[str, list[OcrStep]] = {}

            def progress_of(job: _Job, events: Any = events, heard: dict[str, list[OcrStep]] = heard) -> bool:
                """Pass on the OCR pages the workers reported for ``job``; whether there were any."""
                try:
                    while not events.empty():
                        step = events.get()
                        heard.setdefault(step.file, []).append(step)
                except (OSError, EOFError, ValueError):
                    pass
                steps = heard.pop(str(job.path), [])
                for step in steps:
                    tell(job, step.page, ocr=step)
                return bool(steps)

            pool = ProcessPoolExecutor(
                max_workers=self.settings.ingest.parse_workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(events,),
            )
            with pool:
                try:
                    futures = [self._submit(pool, job) for job in queue]
                    for i, (job, future) in enumerate(zip(queue, futures, strict=True)):
                        if job.pages > PROGRESS_PAGES:
                            tell(job, 0)  # a long file: say which one is in hand before its parse ends
                        if not _wait(future, self.settings.ingest.parse_timeout_s, lambda job=job: progress_of(job)):
                            _kill_workers(pool)
                            timeout = reason(Code.TIMEOUT, seconds=self.settings.ingest.parse_timeout_s)
                            yield job, FileReport(job.path.name, "failed", [timeout])
                            rest = queue[i + 1 :]
                            break
                        if isinstance(future.exception(), BrokenProcessPool):
                            if job.path in crashed:
                                yield job, FileReport(job.path.name, "failed", [reason(Code.CRASHED)])
                                rest = queue[i + 1 :]
                            else:
                                crashed.add(job.path)
                                rest = queue[i:]
                            break
                        progress_of(job)  # its last pages
                        yield job, self._finish(job, future, summary, tell)
                except BaseException:  # e.g. the store is full or Ctrl+C: do not parse the remaining files first
                    pool.shutdown(wait=True, cancel_futures=True)  # waits only for the file in hand
                    raise
            events.close()
            queue = rest

    def _submit(self, pool: ProcessPoolExecutor, job: _Job) -> Future[PreparedDocument]:
        s = self.settings.ingest
        return pool.submit(
            prepare_document,
            job.path,
            job.content_hash,
            int(s.max_file_mb * 2**20),
            s.max_text_chars,
            s.chunk_size,
            s.chunk_overlap,
            self.ocr,
        )

    def _finish(
        self, job: _Job, future: Future[PreparedDocument], summary: IngestSummary, tell: Callable[..., None]
    ) -> FileReport:
        try:
            prepared = future.result()
        except BadPdfError as exc:
            return FileReport(job.path.name, "failed", list(exc.reasons))
        except Exception as exc:  # a parser bug on one odd file must not stop the run
            detail = f"{type(exc).__name__}: {exc}"[:183]  # the whole line stays within 200 characters
            return FileReport(job.path.name, "failed", [reason(Code.PARSE_ERROR, detail=detail)])
        t0 = time.perf_counter()
        parts = -(-job.pages // PROGRESS_PAGES)

        def done(fraction: float) -> None:
            if fraction < 1.0:
                tell(job, int(fraction * job.pages))

        vectors, embedded = embed_chunks(self.model, prepared.chunks, parts, done)
        summary.embed_seconds += time.perf_counter() - t0
        summary.embedded_chunks += len(prepared.chunks)
        summary.embedded_sentences += len(embedded)
        summary.embedded_tokens += sum(self.model.count_tokens(t) for t in embedded)
        doc = replace(
            prepared.doc,
            chunks=len(prepared.chunks),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            settings_fingerprint=self.settings.ingest_fingerprint(),
        )
        chunks = [replace(c, doc=doc) for c in prepared.chunks]
        if prepared.ocr_pages:  # before the document is committed: a committed OCR page always has its boxes
            try:
                write_page_words(self.settings.store_path, doc.content_hash, [p.boxes() for p in prepared.ocr_pages])
            except OSError as exc:
                raise StoreError(f"cannot write the OCR word boxes of {job.path.name}: {exc}") from exc
        self.store.write_document(doc, chunks, vectors)
        if job.old_hash and job.old_hash != doc.content_hash:
            remove_page_words(self.settings.store_path, job.old_hash)
        notes = [job.rebuild] if job.rebuild else []
        return FileReport(
            job.path.name,
            "replaced" if job.replaces else "ingested",
            notes + prepared.warnings,
            pages=doc.pages,
            chunks=len(chunks),
            ocr_pages=len(doc.ocr_pages),
            document=doc,
        )

    def _prune(self) -> list[FileReport]:
        reports = []
        for doc in self.store.list_documents():
            if not Path(doc.path).is_file():
                self.store.remove_document(doc.source)
                remove_page_words(self.settings.store_path, doc.content_hash)
                reports.append(
                    FileReport(doc.source, "pruned", [reason(Code.GONE)], pages=doc.pages, chunks=doc.chunks)
                )
        return reports
