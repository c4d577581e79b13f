"""Answer log and evaluator feedback in SQLite (WAL), with CSV and evaluation-set JSONL export.

App stage (assistant → *app*). Every answer the app gives is logged with its citations (stable
anchors), the settings that produced it (without secrets), their fingerprint and a timestamp; evaluators
add 👍/👎, "ondersteunt het antwoord niet" per citation and comments. Safe for concurrent writers.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from beleidsbron.domain import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    mode TEXT NOT NULL,
    citations TEXT NOT NULL,   -- JSON list of citation objects (with anchors)
    sentences TEXT NOT NULL,   -- JSON list of {text, citations, support, supported}
    history TEXT NOT NULL,     -- JSON list of earlier questions
    settings TEXT NOT NULL,    -- JSON of the settings that produced the answer, no secrets
    fingerprint TEXT NOT NULL DEFAULT ''  -- Settings.fingerprint() of those settings
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'citation')),
    citation_n INTEGER,
    anchor TEXT,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """One SQLite file; a connection per thread, WAL so readers never block the writer."""

    def __init__(self, path: Path, settings_json: dict[str, Any]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = json.dumps(settings_json, ensure_ascii=False, sort_keys=True)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(answers)")}
            if "fingerprint" not in columns:  # a database from before answers recorded it
                db.execute("ALTER TABLE answers ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        yield db

    def log_answer(self, answer: Answer, history: list[str]) -> int:
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO answers (created_at, question, answer, refused, mode, citations, sentences, history, "
                "settings, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    answer.question,
                    answer.text,
                    int(answer.refused),
                    answer.mode,
                    json.dumps([c.to_json() for c in answer.citations], ensure_ascii=False),
                    json.dumps([s.to_json() for s in answer.sentences], ensure_ascii=False),
                    json.dumps(history, ensure_ascii=False),
                    self._settings,
                    answer.fingerprint,
                ),
            )
            return int(cur.lastrowid or 0)

    def add_feedback(self, answer_id: int, kind: str, citation_n: int | None = None, comment: str = "") -> int:
        with self._connect() as db:
            row = db.execute("SELECT citations FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if row is None:
                raise KeyError(f"no answer with id {answer_id}")
            anchor = None
            if citation_n is not None:
                anchor = next((c["anchor"] for c in json.loads(row["citations"]) if c["n"] == citation_n), None)
                if anchor is None:
                    raise KeyError(f"answer {answer_id} has no citation [{citation_n}]")
            cur = db.execute(
                "INSERT INTO feedback (answer_id, created_at, kind, citation_n, anchor, comment) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (answer_id, _now(), kind, citation_n, anchor, comment.strip()[:2000]),
            )
            return int(cur.lastrowid or 0)

    def recent_answers(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM answers ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._answer_row(r) for r in rows]

    def answer(self, answer_id: int) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return self._answer_row(row) if row else None

    @staticmethod
    def _answer_row(row: sqlite3.Row) -> dict[str, Any]:
        data = dict(row)
        for key in ("citations", "sentences", "history", "settings"):
            data[key] = json.loads(data[key])
        data["refused"] = bool(data["refused"])
        return data

    def feedback_rows(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT f.id, f.answer_id, f.created_at, f.kind, f.citation_n, f.anchor, f.comment, a.question, "
                "a.answer, a.fingerprint FROM feedback f JOIN answers a ON a.id = f.answer_id ORDER BY f.id"
            ).fetchall()
        return [dict(r) for r in rows]

    def export_csv(self) -> str:
        rows = self.feedback_rows()
        out = io.StringIO()
        fields = [
            "id", "answer_id", "created_at", "kind", "citation_n", "anchor", "comment", "question", "answer",
            "fingerprint",
        ]  # fmt: skip
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def export_eval_jsonl(self) -> str:
        """Judged answers in the evaluation-set format (see evals/dataset.py): a 👍 answer gives its citations
        that were not flagged as gold (a 👍 refusal is rightly unanswerable); a 👎 answer goes in as an
        answerable question without gold, for an evaluator to complete."""
        lines = []
        judged: dict[int, dict[str, Any]] = {}
        for row in self.feedback_rows():
            entry = judged.setdefault(row["answer_id"], {"verdict": None, "flagged": set(), "comments": []})
            if row["kind"] in ("up", "down"):
                entry["verdict"] = row["kind"]
            elif row["citation_n"] is not None:
                entry["flagged"].add(row["citation_n"])
            if row["comment"]:
                entry["comments"].append(row["comment"])
        for answer_id, entry in judged.items():
            answer = self.answer(answer_id)
            if answer is None or entry["verdict"] is None:
                continue
            gold = [
                {"source": c["source"], "pages": [c["page"]], "evidence": c["quote"]}
                for c in answer["citations"]
                if c["n"] not in entry["flagged"] and c.get("quoted", True)
            ]
            up = entry["verdict"] == "up"
            # 👍 on a refusal: rightly unanswerable. 👍 on an answer: its unflagged citations are gold.
            # 👎: the evaluator disagrees; the question goes in as answerable without gold, to be completed.
            answerable = not answer["refused"] if up else True
            record = {
                "id": f"feedback-{answer_id}",
                "type": "feedback",
                "question": answer["question"],
                "answerable": answerable,
                "gold": gold if up and answerable else [],
                "answer": answer["answer"] if up and answerable else "",
                "history": [{"question": q, "answer": ""} for q in answer["history"]],
                "judgement": entry["verdict"],
                "comment": " | ".join(entry["comments"]),
            }
            lines.append(json.dumps(record, ensure_ascii=False))
        return "\n".join(lines) + ("\n" if lines else "")
