"""Evaluation metrics on hand-made cases, and a smoke run of `python -m evals` on a few questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.__main__ import main as evals_main
from evals.metrics import ranking_metrics, refusal_metrics, refusal_threshold_for, token_recall


def test_ranking_metrics() -> None:
    gold = {("a.pdf", 3)}
    ranked = [{("b.pdf", 1)}, {("a.pdf", 2), ("a.pdf", 3)}, {("a.pdf", 3)}]
    m = ranking_metrics(ranked, gold)
    assert m["recall@1"] == 0.0 and m["recall@5"] == 1.0
    assert m["mrr"] == pytest.approx(0.5)
    assert m["ndcg@10"] == pytest.approx(1 / 1.5849625, rel=1e-4)  # one gain, at rank 2
    two = ranking_metrics([{("a.pdf", 0)}, {("b.pdf", 0)}], {("a.pdf", 0), ("b.pdf", 0)})
    assert two["recall@1"] == 0.5 and two["ndcg@10"] == pytest.approx(1.0)


def test_token_recall_and_refusals() -> None:
    assert token_recall("De ISV stopte in 2015.", "Het ISV is in 2015 gestopt, zei men.") == pytest.approx(2 / 3)
    m = refusal_metrics([True, False, True, False], [False, False, True, True])
    assert m == {"refusal_precision": 0.5, "refusal_recall": 0.5, "false_refusal_rate": 0.5}


def test_threshold_respects_the_false_refusal_budget() -> None:
    scores = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.1, 0.45]
    answerable = [True] * 10 + [False, False]
    threshold, recall = refusal_threshold_for(scores, answerable, max_false_refusals=0.10)
    assert 0.1 < threshold <= 0.25  # refusing 0.2 too would cost 1 of 10 answerable: allowed, 0.3 not
    assert recall == 0.5


@pytest.mark.slow  # ingests and answers the evaluation set
def test_evals_smoke_run_writes_report(tmp_path: Path) -> None:
    assert evals_main(["--out", str(tmp_path), "--limit", "12"]) == 0
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(results["retrieval"]) >= {"bm25", "dense", "hybrid", "hybrid+rescore", "langchain-baseline"}
    for name in ("report.md", "retrieval.png", "refusal.png"):
        assert (tmp_path / name).stat().st_size > 0
    page = results["retrieval"]["hybrid+rescore"]["page"]
    assert 0.0 <= page["mrr"] <= 1.0 and page["recall@10"] >= page["recall@1"]


def test_metadata_eval_scores_a_folder_against_its_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from evals.metadata import main as metadata_main
    from tests import publication_pdfs as pubs

    (tmp_path / "pdf").mkdir()
    pubs.side_column_letter(tmp_path / "pdf" / "brief.pdf")
    pubs.colophon_guidance(tmp_path / "pdf" / "handreiking.pdf")
    gold = [
        {"file": "brief.pdf", "title": "Toezicht op portiekflats", "title_keywords": ["toezicht", "portiekflats"],
         "publisher": "ILT", "publisher_ok": ["inspectie leefomgeving", "ilt"], "year": 2024},
        {"file": "handreiking.pdf", "title": "Handreiking wonen met zorg", "title_keywords": ["handreiking", "zorg"],
         "publisher": "Expertisecentrum", "publisher_ok": ["expertisecentrum"], "year": 2023, "year_ok": [2023]},
    ]  # fmt: skip
    (tmp_path / "meta.jsonl").write_text("\n".join(json.dumps(g) for g in gold) + "\n", encoding="utf-8")
    assert metadata_main(["--set", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "title=1.00 publisher=1.00 year=0.50 (n=2)"
    assert lines[:-1] == [
        "handreiking.pdf: found 'Handreiking wonen met zorg in de wijk' (cover) / 'Expertisecentrum Wonen en Zorg' "
        "(maker) / ✗ 2024 (date); gold 'Handreiking wonen met zorg' / 'Expertisecentrum' / 2023"
    ]
    assert metadata_main(["--set", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rates"] == {"title": 1.0, "publisher": 1.0, "year": 0.5}
    assert report["documents"][0]["found"]["publisher_source"] == "side-column"
