"""20 chat users through the Gradio API while new PDFs are uploaded and ingested (a small run of evals.load).

Latency is measured and reported by ``python -m evals.load``; this test asserts behaviour only: every
question answered without error, every answer consistent with a store version it could have seen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beleidsbron.store import Store
from evals.app_client import run_app
from evals.load import check, demo_questions, run_load, summarise, upload_documents
from tests.conftest import DemoStore

pytestmark = pytest.mark.slow  # twenty users against the running app

USERS = 20
QUESTIONS_PER_USER = 3


def test_twenty_users_while_ingesting(demo_store: DemoStore, tmp_path: Path) -> None:
    docs = upload_documents(2)
    demo = demo_questions(6)
    with run_app(demo_store.settings.store_path, tmp_path / "app") as app:
        run = run_load(app.url, USERS, QUESTIONS_PER_USER, demo, docs, tmp_path / "pdfs")
    problems = check(run, docs, Store.open(demo_store.settings.model_copy(update={"store_path": app.store})))
    summary = summarise(run)
    assert summary["answered"] == summary["questions"] == USERS * QUESTIONS_PER_USER
    assert {k: v for k, v in problems.items() if v} == {}
    assert summary["latency_ms"]["during_ingest"]["n"] > 0, "no question overlapped an ingest"
    assert len({a.user for a in run.asked}) == USERS


@pytest.mark.parametrize("kind", ["inconsistent", "premature", "unknown_citations"])
def test_the_load_check_catches_wrong_answers(demo_store: DemoStore, tmp_path: Path, kind: str) -> None:
    """The consistency check itself: answers that a broken app could give are flagged."""
    from evals.load import Asked, LoadRun, Uploaded

    docs = upload_documents(1)
    store = Store.open(demo_store.settings)
    chunk = next(iter(store.iter_chunks()))
    card = (
        f'<div class="bb-source" data-n="1" data-anchor="{chunk.doc.content_hash[:16]}:p1:0-10">'
        f'<div class="bb-title">t</div><div class="bb-meta">x · pagina 1 · {chunk.doc.source}</div>'
        f'<div class="bb-passage">{chunk.text}</div><a class="bb-open" href="#">open</a></div>'
    )
    run = LoadRun(1, 1, before={"v": "antwoord A"}, after={"v": "antwoord B", docs[0].question: ""})
    run.uploads = [Uploaded(docs[0].file, started=5.0, finished=9.0, message="ingelezen")]
    if kind == "inconsistent":
        run.asked = [Asked(0, "v", "", 1.0, 0.5, answer="antwoord C", sources=card)]
    elif kind == "premature":
        forged = card.replace(chunk.doc.source, docs[0].file)
        run.asked = [Asked(0, docs[0].question, docs[0].file, 1.0, 0.5, answer="a", sources=forged)]
    else:
        wrong = card.replace(chunk.text[:40], "Een zin die nergens in de store staat.")
        run.asked = [Asked(0, "v", "", 1.0, 0.5, answer="antwoord A", sources=wrong)]
    problems = check(run, docs, store)
    assert problems[kind], problems
