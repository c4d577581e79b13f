"""Load benchmark: concurrent chat users on the real app while new PDFs are uploaded and ingested.

Evals stage (corpus → ingest → store → assistant → app → *evals*). Starts ``app.py`` on 127.0.0.1 on a
copy of an ingested store, then runs, at the same time and through ``gradio_client``:

- ``users`` threads, each asking ``questions`` questions (a bounded loop, a fresh session per question)
  about the demo corpus and about the documents being uploaded;
- one uploader that sends new PDFs to the app's upload endpoint one by one (each is ingested while
  the users keep asking).

Every answer is then checked against the store versions it could have seen: no errors, no empty
answers, a demo question answered exactly as before or exactly as after the uploads, a question about
an uploaded document answered from it once its upload had finished (and never before the upload
began), and every cited passage present, whole, in a committed document of the final store.

Run ``python -m evals.load`` (20 users × 10 questions, 4 uploads); the report goes to
``reports/load/`` (``report.md`` and ``results.json``). The tests run a smaller version.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.passages import rebuild
from beleidsbron.domain import Chunk
from beleidsbron.settings import Settings, get_settings
from beleidsbron.store import Store
from evals.app_client import ask_api, run_app, upload_api
from evals.bench import log
from evals.bench_scale import percentile
from evals.dataset import load_questions
from evals.machine import load_average, machine_info, peak_rss_of
from evals.pdf_factory import text_pdf
from ingest.pipeline import Ingestor

_CARD = re.compile(
    r'<div class="bb-source(?: bb-related)?" data-n="(\d+)" data-anchor="([^"]*)">.*?'
    r'<div class="bb-meta">[^<]*· pagina \d+ · ([^<]+)</div>.*?<div class="bb-passage">(.*?)</div>',
    re.S,
)


# --- the documents uploaded during the run ---------------------------------------------------------


@dataclass(frozen=True)
class UploadDoc:
    """A fictional policy note with one fact that only it contains."""

    file: str
    title: str
    pages: tuple[str, ...]
    question: str
    answer_word: str


_PLACES = [
    ("Parelhof", "Ambergen", "Woonstede", "De Linde", "Zonnebloemprogramma", "zevenenveertig"),
    ("Kanaalzijde", "Veldhoven-Oost", "Thuisbaat", "Het Anker", "Buurtbudgetplan", "drieënzestig"),
    ("Molenkwartier", "Rijnsberg", "Samenwonen", "De Vonk", "Gevelcontract", "achtentwintig"),
    ("Havenrand", "Noordwaard", "Stadswonen", "De Brug", "Buurtmentoraat", "eenennegentig"),
    ("Lindenhof", "Oostervoort", "Eigen Haard Noord", "De Kei", "Tuinenpact", "vijfendertig"),
    ("Beekdal", "Westerkamp", "Woonkracht", "De Horst", "Straatcoachproject", "tweeënvijftig"),
]
_THEMES = [
    "groen in de buurt",
    "armoede en schulden",
    "veiligheid op straat",
    "energiearmoede",
    "eenzaamheid onder ouderen",
    "schooluitval",
    "verduurzaming van portiekflats",
    "gezond opgroeien",
]
_SENTENCES = [
    "In {wijk} werken bewoners, de corporatie {corp} en de gemeente {gem} samen aan {thema}.",
    "De wijkteams in {wijk} zien dat {thema} vraagt om een lange adem en vaste contactpersonen.",
    "Volgens de evaluatie van {jaar} is het vertrouwen van bewoners in {wijk} bij {thema} licht gestegen.",
    "De gemeente {gem} reserveert voor {thema} een eigen budget naast de reguliere middelen.",
    "Jongeren uit {wijk} krijgen in buurthuis {huis} begeleiding, ook als het gaat om {thema}.",
    "Elk kwartaal stemmen de partners in {gem} hun plannen voor {thema} met elkaar af.",
    "Bewoners van {wijk} noemen {thema} in de enquête van {jaar} vaker dan gemiddeld als zorgpunt.",
    "De corporatie {corp} koppelt onderhoud aan afspraken over {thema} met de huurders in {wijk}.",
]


def upload_documents(n: int) -> list[UploadDoc]:
    """``n`` (at most 6) distinct fictional notes of eight pages each."""
    docs = []
    for wijk, gem, corp, huis, programma, number in _PLACES[:n]:
        pages = []
        for p, thema in enumerate(_THEMES):
            lines = [s.format(wijk=wijk, gem=gem, corp=corp, huis=huis, thema=thema, jaar=2018 + p) for s in _SENTENCES]
            if p == 2:
                lines.insert(3, f"Aan het {programma} in {wijk} doen {number} huishoudens mee.")
            pages.append(" ".join(lines))
        docs.append(
            UploadDoc(
                file=f"wijknotitie-{wijk.lower()}.pdf",
                title=f"Wijknotitie {wijk} ({gem})",
                pages=tuple(pages),
                question=f"Hoeveel huishoudens doen mee aan het {programma} in {wijk}?",
                answer_word=number,
            )
        )
    return docs


# --- one run -------------------------------------------------------------------------------------------


@dataclass
class Asked:
    """One question of one user, as the user saw it."""

    user: int
    question: str
    about: str  # "" for a demo question, else the uploaded file it is about
    started: float  # seconds since the start of the run
    seconds: float
    answer: str = ""
    sources: str = ""
    error: str = ""


@dataclass
class Uploaded:
    file: str
    started: float
    finished: float
    message: str = ""
    error: str = ""


@dataclass
class LoadRun:
    users: int
    questions_per_user: int
    asked: list[Asked] = field(default_factory=list)
    uploads: list[Uploaded] = field(default_factory=list)
    before: dict[str, str] = field(default_factory=dict)  # demo question → answer before the run
    after: dict[str, str] = field(default_factory=dict)  # … and after every upload (also the new questions)
    seconds: float = 0.0
    single_user: list[float] = field(default_factory=list)  # seconds per question of the sequential `before` pass


def demo_questions(n: int) -> list[str]:
    """``n`` answerable stand-alone questions of the evaluation set, spread over its types."""
    pool = [q.question for q in load_questions() if q.answerable and not q.history]
    step = max(1, len(pool) // n)
    return pool[::step][:n]


def user_plan(user: int, count: int, pool: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The user's bounded list of (question, about): a different walk through the pool per user."""
    return [pool[(user * 7 + k * 3) % len(pool)] for k in range(count)]


def run_load(
    url: str,
    users: int,
    questions_per_user: int,
    demo: list[str],
    docs: list[UploadDoc],
    pdf_folder: Path,
    auth: tuple[str, str] | None = None,
) -> LoadRun:
    """The concurrent run against a running app (see the module docstring)."""
    from gradio_client import Client

    pdf_folder.mkdir(parents=True, exist_ok=True)
    pdfs = [text_pdf(pdf_folder / d.file, list(d.pages), title=d.title) for d in docs]
    run = LoadRun(users, questions_per_user)
    reference = Client(url, auth=auth, verbose=False)
    ask_api(reference, demo[0])  # warm-up
    for q in demo:
        began = time.perf_counter()
        run.before[q] = ask_api(reference, q)[0]
        run.single_user.append(time.perf_counter() - began)
    pool = [(q, "") for q in demo] + [(d.question, d.file) for d in docs]
    clients = [Client(url, auth=auth, verbose=False) for _ in range(users)]
    uploader = Client(url, auth=auth, verbose=False)
    start = threading.Barrier(users + 1)
    lock = threading.Lock()
    t0 = time.perf_counter()

    def user(u: int) -> None:
        start.wait()
        for question, about in user_plan(u, questions_per_user, pool):
            began = time.perf_counter()
            record = Asked(u, question, about, began - t0, 0.0)
            try:
                record.answer, record.sources = ask_api(clients[u], question)
            except Exception as exc:  # recorded and reported: the benchmark must see every failure
                record.error = f"{type(exc).__name__}: {exc}"[:300]
            record.seconds = time.perf_counter() - began
            with lock:
                run.asked.append(record)

    def upload_all() -> None:
        start.wait()
        for doc, pdf in zip(docs, pdfs, strict=True):
            record = Uploaded(doc.file, time.perf_counter() - t0, 0.0)
            try:
                record.message = upload_api(uploader, pdf)
            except Exception as exc:
                record.error = f"{type(exc).__name__}: {exc}"[:300]
            record.finished = time.perf_counter() - t0
            run.uploads.append(record)

    threads = [threading.Thread(target=user, args=(u,), name=f"user-{u}") for u in range(users)]
    threads.append(threading.Thread(target=upload_all, name="uploader"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - t0
    run.after = {q: ask_api(reference, q)[0] for q in demo + [d.question for d in docs]}
    return run


# --- checks --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    n: int
    anchor: str
    source: str
    passage: str


def cards(sources_html: str) -> list[Card]:
    """The numbered source cards of an answer (the passage as plain text)."""
    out = []
    for n, anchor, source, passage in _CARD.findall(sources_html):
        text = html.unescape(re.sub(r"</?mark>", "", passage.replace("<br>", "\n")))
        out.append(Card(int(n), html.unescape(anchor), html.unescape(source).strip(), text))
    return out


def check(run: LoadRun, docs: list[UploadDoc], store: Store) -> dict[str, list[str]]:
    """Every way an answer can be wrong under load; empty lists when all is well."""
    problems: dict[str, list[str]] = {
        "errors": [],
        "unanswered": [],
        "inconsistent": [],
        "stale": [],
        "premature": [],
        "unknown_citations": [],
        "failed_uploads": [],
    }
    uploads = {u.file: u for u in run.uploads}
    for u in run.uploads:
        if u.error or "ingelezen" not in u.message:
            problems["failed_uploads"].append(f"{u.file}: {u.error or u.message}")
    for d in docs:
        final = run.after.get(d.question, "")
        if d.answer_word not in final or f"/viewer/{d.file}" not in final:
            problems["stale"].append(f"after the run: {d.question!r} is not answered from {d.file}")
    expected = {d.file: d for d in docs}
    chunks_of: dict[str, list[Chunk]] = {}
    for chunk in store.iter_chunks():
        chunks_of.setdefault(chunk.doc.content_hash[:16], []).append(chunk)
    texts = {prefix: rebuild(chunks).text for prefix, chunks in chunks_of.items()}
    sources = {d.content_hash[:16]: d.source for d in store.list_documents()}
    for a in run.asked:
        who = f"user {a.user} at {a.started:.1f} s: {a.question!r}"
        if a.error:
            problems["errors"].append(f"{who}: {a.error}")
            continue
        found = cards(a.sources)
        if not a.answer.strip() or a.answer.strip() == "…" or (not found and "bb-refusal" not in a.sources):
            problems["unanswered"].append(who)
            continue
        for card in found:
            prefix = card.anchor.split(":")[0]
            if sources.get(prefix) != card.source or card.passage not in texts.get(prefix, ""):
                problems["unknown_citations"].append(f"{who}: [{card.n}] {card.source} {card.anchor}")
        cited = {c.source for c in found}
        if not a.about:
            if a.answer not in (run.before.get(a.question), run.after.get(a.question)):
                problems["inconsistent"].append(who)
            continue
        upload = uploads.get(a.about)
        answered_from_it = a.about in cited and expected[a.about].answer_word in a.answer
        if upload is not None and a.started > upload.finished and not upload.error and not answered_from_it:
            problems["stale"].append(f"{who}: asked {a.started - upload.finished:.1f} s after the upload")
        if (upload is None or a.started + a.seconds < upload.started) and a.about in cited:
            problems["premature"].append(who)
    return problems


def summarise(run: LoadRun) -> dict[str, Any]:
    """Latencies (ms) overall, while an upload was being ingested, and otherwise; throughput."""
    busy = [(u.started, u.finished) for u in run.uploads]

    def overlaps(a: Asked) -> bool:
        return any(a.started < end and a.started + a.seconds > begin for begin, end in busy)

    def stats(values: list[float]) -> dict[str, float]:
        ms = [v * 1000 for v in values]
        if not ms:
            return {"n": 0}
        return {
            "n": len(ms),
            "p50": round(percentile(ms, 50), 1),
            "p95": round(percentile(ms, 95), 1),
            "max": round(max(ms), 1),
            "mean": round(statistics.fmean(ms), 1),
        }

    done = [a for a in run.asked if not a.error]
    return {
        "single_user_ms": stats(run.single_user),
        "users": run.users,
        "questions_per_user": run.questions_per_user,
        "questions": len(run.asked),
        "answered": len(done),
        "seconds": round(run.seconds, 1),
        "questions_per_second": round(len(done) / run.seconds, 2) if run.seconds else 0.0,
        "latency_ms": {
            "all": stats([a.seconds for a in done]),
            "during_ingest": stats([a.seconds for a in done if overlaps(a)]),
            "no_ingest": stats([a.seconds for a in done if not overlaps(a)]),
        },
        "uploads": [
            {"file": u.file, "started_s": round(u.started, 1), "seconds": round(u.finished - u.started, 1)}
            for u in run.uploads
        ],
        "demo_answers_changed_by_uploads": sum(run.before[q] != run.after.get(q) for q in run.before),
    }


# --- the benchmark ---------------------------------------------------------------------------------


def report_lines(r: dict[str, Any]) -> list[str]:
    m, app = r["machine"], r["app"]
    alone, busy = r["phases"]["no_ingest"]["summary"], r["phases"]["ingesting"]["summary"]
    lines = [
        "# Beleidsbron – load benchmark",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM. Load average at the start: "
        f"{r['load_average']['start']}; at the end: {r['load_average']['end']}.",
        "",
        f"{busy['users']} users, each asking {busy['questions_per_user']} questions back to back (no think time) "
        f"through `gradio_client` on 127.0.0.1: first on their own, then while {len(busy['uploads'])} new PDFs "
        f"were uploaded and ingested one by one. App: {app['chat_concurrency']} questions answered at a time, "
        f"queue of {app['queue_size']}, uploads one at a time; peak RSS {app['peak_rss_mb']} MB.",
        "",
        "| phase | answered | problems | questions/s | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    single = alone["single_user_ms"]
    lines.append(
        f"| one user, sequential | {single['n']} | – | – | {single['p50']} | {single['p95']} | {single['max']} |"
    )
    for name, key in [("users alone", "no_ingest"), ("users while ingesting", "ingesting")]:
        s, problems = r["phases"][key]["summary"], r["phases"][key]["problems"]
        x = s["latency_ms"]["all"]
        lines.append(
            f"| {name} | {s['answered']} / {s['questions']} | {sum(len(v) for v in problems.values())} | "
            f"{s['questions_per_second']} | {x['p50']} | {x['p95']} | {x['max']} |"
        )
    lines += [
        "",
        f"Demo answers changed by the uploads: {busy['demo_answers_changed_by_uploads']} of {len(r['demo'])}.",
        "",
        "| upload | started (s) | took (s) |",
        "|---|---|---|",
    ]
    lines += [f"| {u['file']} | {u['started_s']} | {u['seconds']} |" for u in busy["uploads"]]
    for key, phase in r["phases"].items():
        for kind, items in phase["problems"].items():
            if items:
                lines += ["", f"## {key}: {kind}", "", *[f"- {item}" for item in items[:20]]]
    return lines


def run_benchmark(settings: Settings, users: int, questions: int, uploads: int, out_dir: Path) -> dict[str, Any]:
    """Two phases on one app: the users alone, then the users while ``uploads`` PDFs are ingested."""
    load_start = load_average()
    phases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="beleidsbron-load-") as tmp:
        work = Path(tmp)
        store_settings = settings.model_copy(update={"store_path": work / "store"})
        log("ingesting the demo corpus into a fresh store")
        Ingestor(store_settings).run([Path(settings.corpus_path)])
        demo = demo_questions(10)
        with run_app(store_settings.store_path, work / "app") as app:
            for name, docs in [("no_ingest", []), ("ingesting", upload_documents(uploads))]:
                log(f"app on {app.url}; {users} users × {questions} questions, {len(docs)} uploads")
                run = run_load(app.url, users, questions, demo, docs, work / "pdfs")
                phases[name] = {"run": run, "docs": docs}
            peak_rss = peak_rss_of(app.pid)
        final = Store.open(store_settings.model_copy(update={"store_path": app.store}))
        for phase in phases.values():
            phase["problems"] = check(phase["run"], phase["docs"], final)
    results = {
        "machine": machine_info(),
        "load_average": {"start": load_start, "end": load_average()},
        "app": {
            "chat_concurrency": settings.app_chat_concurrency,
            "queue_size": settings.app_queue_size,
            "peak_rss_mb": peak_rss,
        },
        "demo": demo,
        "phases": {
            name: {
                "summary": summarise(p["run"]),
                "problems": p["problems"],
                "asked": [asdict(a) | {"sources": len(cards(a.sources))} for a in p["run"].asked],
            }
            for name, p in phases.items()
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "report.md").write_text("\n".join(report_lines(results)) + "\n", encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent chat users (default 20)")
    parser.add_argument("--questions", type=int, default=10, help="questions per user (default 10)")
    parser.add_argument("--uploads", type=int, default=4, choices=range(1, 7), help="PDFs uploaded (1–6)")
    parser.add_argument("--out", type=Path, default=Path("reports/load"), help="report folder")
    args = parser.parse_args(argv)
    if args.users < 1 or args.questions < 1:
        parser.error("--users and --questions must be at least 1")
    results = run_benchmark(get_settings(), args.users, args.questions, args.uploads, args.out)
    failed = sum(len(v) for p in results["phases"].values() for v in p["problems"].values())
    alone, busy = (results["phases"][k]["summary"] for k in ("no_ingest", "ingesting"))
    print(
        f"{alone['answered'] + busy['answered']}/{alone['questions'] + busy['questions']} answered, {failed} "
        f"problems; p95 {alone['latency_ms']['all']['p95']:.0f} ms alone, {busy['latency_ms']['all']['p95']:.0f} "
        f"ms while ingesting. Report: {args.out / 'report.md'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
