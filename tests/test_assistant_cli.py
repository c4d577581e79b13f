"""The `python -m assistant ask` contract: JSON lines in input order, readable output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DemoStore


def run_cli(*args: str, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "assistant", "ask", *args]
    if store is not None:
        cmd += ["--store", str(store)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_json_contract_in_input_order(demo_store: DemoStore, tmp_path: Path) -> None:
    questions = tmp_path / "vragen.jsonl"
    questions.write_text(
        json.dumps({"question": "Wat is de Leefbaarometer?"})
        + "\n\n"
        + json.dumps({"question": "Wat is de hoofdstad van Frankrijk?"})
        + "\n"
        + json.dumps(
            {
                "question": "Hoeveel vrijwilligers werken daar?",
                "history": [["Wat is buurtkamer De Kastanje in Oosterpark?", ""]],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = run_cli(
        "--json", "--questions", str(questions), "Wat is ondermijning?", store=demo_store.settings.store_path
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in lines] == [
        "Wat is ondermijning?",
        "Wat is de Leefbaarometer?",
        "Wat is de hoofdstad van Frankrijk?",
        "Hoeveel vrijwilligers werken daar?",
    ]
    for record in lines:
        assert {"question", "answer", "refused", "citations", "timings_ms"} <= record.keys()
        assert isinstance(record["refused"], bool)
        assert set(record["timings_ms"]) == {"retrieve", "answer", "total"}
        for citation in record["citations"]:
            assert {"n", "source", "title", "page", "text", "score"} <= citation.keys()
            assert isinstance(citation["page"], int) and citation["page"] >= 1
            assert citation["source"].endswith(".pdf")
    assert not lines[1]["refused"] and lines[1]["citations"]
    assert lines[2]["refused"] and lines[2]["citations"] == []
    assert lines[2]["answer"] == "Ik heb hierover niets gevonden in de documenten."
    assert any("veertien" in c["text"] for c in lines[3]["citations"])


def test_plain_text_questions_file_and_readable_output(demo_store: DemoStore, tmp_path: Path) -> None:
    questions = tmp_path / "vragen.txt"
    questions.write_text("Wat is hittestress?\nWat is participatiemoeheid?\n", encoding="utf-8")
    result = run_cli("--questions", str(questions), store=demo_store.settings.store_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Q: ") == 2
    assert "Sources:" in result.stdout and "[1]" in result.stdout and ", p. " in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "give a QUESTION"),
        (("--questions", "/nonexistent/vragen.txt"), 2, "cannot read"),
        (("--bogus",), 2, "unrecognized"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], code: int, message: str, demo_store: DemoStore) -> None:
    result = run_cli(*args, store=demo_store.settings.store_path)
    assert result.returncode == code
    assert message in result.stderr


def test_missing_store_exits_1_and_says_what_to_run(tmp_path: Path) -> None:
    result = run_cli("Wat is de Leefbaarometer?", store=tmp_path / "leeg")
    assert result.returncode == 1
    assert "python -m ingest" in result.stderr


def test_invalid_jsonl_line_is_a_usage_error(tmp_path: Path, demo_store: DemoStore) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\n{"vraag": 3}\n', encoding="utf-8")
    result = run_cli("--questions", str(bad), store=demo_store.settings.store_path)
    assert result.returncode == 2 and "bad.jsonl:2" in result.stderr
