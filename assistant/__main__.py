"""Command line of the assistant, a contract used by scripts and evaluation tooling:

    python -m assistant ask [--store DIR] [--json] [--questions FILE] [QUESTION ...]

Without --json a readable answer with numbered sources (in the LLM answer modes the answer text is
streamed to stdout as it is generated); with --json one JSON object per question per line, in input
order, with the keys of :meth:`Answer.to_json` (``mode`` says extractive, openai, ollama or
extractive-fallback; ``sentences`` carries each sentence's citations and support). Exit 0 on success, 2
on usage errors and invalid settings, 1 when the store is missing, empty or incompatible (the message
says what to run).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.core import Assistant
from beleidsbron.domain import DOC_TYPES, Answer, Citation, Filters, UsageError
from beleidsbron.embeddings import EmbeddingModelError
from beleidsbron.settings import get_settings
from beleidsbron.store import StoreError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Cited answers from the policy store.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one or more questions")
    ask.add_argument("questions", nargs="*", metavar="QUESTION", help="question(s) in Dutch")
    ask.add_argument("--store", type=Path, help="store folder (default: BELEIDSBRON_STORE_PATH or data/store)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question per line")
    ask.add_argument(
        "--questions",
        dest="questions_file",
        type=Path,
        metavar="FILE",
        help="file with one question per line, or JSONL with a 'question' field",
    )
    ask.add_argument("--publisher", action="append", default=[], help="only this publisher (repeatable)")
    ask.add_argument("--document", action="append", default=[], help="only this file name (repeatable)")
    ask.add_argument("--year-from", type=int, help="only documents from this year on")
    ask.add_argument("--year-to", type=int, help="only documents up to this year")
    ask.add_argument(
        "--type",
        dest="doc_types",
        action="append",
        default=[],
        choices=sorted(DOC_TYPES),
        metavar="TYPE",
        help=f"only this document type (repeatable): {', '.join(DOC_TYPES)}",
    )
    return parser.parse_args(argv)


def read_questions(path: Path) -> list[tuple[str, list[Any]]]:
    """(question, history) pairs from a plain text or JSONL file, in file order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read questions file {path}: {exc}") from exc
    out: list[tuple[str, list[Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict) or not isinstance(record.get("question"), str):
                raise UsageError(f"{path}:{number}: a JSON line needs a string field 'question'")
            out.append((record["question"], list(record.get("history") or [])))
        else:
            out.append((line, []))
    return out


def render(answer: Answer, streamed: str | None = None) -> str:
    """The readable answer; after a streamed answer only what the stream did not show."""
    lines = [] if streamed is not None else [f"Q: {answer.question}", ""]
    if answer.notice:
        lines += [f"({answer.notice})", ""]
    if streamed is None or answer.text.split() != streamed.split():
        if streamed is not None:
            lines.append("Answer:" if answer.mode != "extractive-fallback" else "Extractive answer:")
        own_lines = tuple(s.display for s in answer.sentences if s.kind != "sentence")
        for line in answer.text.splitlines() or [answer.text]:  # list items and table rows keep their own lines
            indent = "  " if own_lines and line.startswith(own_lines) else ""
            lines += textwrap.wrap(line, 100, subsequent_indent=indent) or [line]
    flagged = [s for s in answer.sentences if not s.supported]
    if answer.mode in ("openai", "ollama") and flagged:
        lines += ["", "Not supported by the cited passages:"]
        lines += [f"  ⚠️ {s.support:.2f}  {s.text}" for s in flagged]
    groups = [("Sources:", answer.sources), ("Further reading (not quoted):", answer.further)]
    groups.append(("Possibly relevant (not cited):", answer.related))
    for heading, sources in groups:
        if not sources:
            continue
        lines += ["", heading]
        for c in sources:
            meta = f"{c.publisher or 'publisher unknown'}, {c.year or 'year unknown'}"
            ocr = "" if c.ocr_confidence is None else f" (text via OCR, confidence {c.ocr_confidence:.0f}%)"
            lines.append(f"[{c.n}] {c.title or 'title unknown'} ({meta}), p. {c.page}{ocr} — {c.source}")
            lines += _quote_lines(c)
    lines.append(f"\n({answer.timings.get('total', 0):.0f} ms)")
    return "\n".join(lines)


def _quote_lines(c: Citation) -> list[str]:
    """The quoted text, wrapped; quoted spans of one paragraph run on, a new block of the passage (a list
    item, a table row, the next paragraph) starts a new line."""
    paragraphs: list[str] = []
    previous_end = 0
    for start, end in c.spans:
        part = " ".join(c.text[start:end].split())
        if paragraphs and "\n" not in c.text[previous_end:start]:
            paragraphs[-1] += " " + part
        else:
            paragraphs.append(part)
        previous_end = end
    if not paragraphs:
        return []
    paragraphs[0] = '"' + paragraphs[0]
    paragraphs[-1] += '"'
    out: list[str] = []
    for paragraph in paragraphs:
        out += textwrap.wrap(paragraph, 96, initial_indent="    ", subsequent_indent="      ")
    return out


def contract_json(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    data["timings_ms"] = {k: data["timings_ms"].get(k, 0.0) for k in ("retrieve", "answer", "total")}
    return data


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        items = [(q, []) for q in args.questions]
        if args.questions_file:
            items += read_questions(args.questions_file)
        if not items:
            raise UsageError("give a QUESTION or --questions FILE")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    if args.store:
        settings = settings.model_copy(update={"store_path": args.store})
    try:
        assistant = Assistant(settings)
    except (StoreError, EmbeddingModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    filters = Filters(
        tuple(args.publisher), args.year_from, args.year_to, tuple(args.document), doc_types=tuple(args.doc_types)
    )
    streaming = settings.answer_mode != "extractive" and not args.json
    for question, history in items:
        if streaming:
            answer = stream_to_stdout(assistant, question, history, filters)
        else:
            answer = assistant.ask(question, history=history, filters=filters)
        if args.json:
            print(json.dumps(contract_json(answer), ensure_ascii=False), flush=True)
        elif not streaming:
            print(render(answer), end="\n\n", flush=True)
    return 0


def stream_to_stdout(assistant: Assistant, question: str, history: list[Any], filters: Filters) -> Answer:
    """Print the answer as the chat model writes it, then what verification added (notice, sources)."""
    print(f"Q: {' '.join(question.split())[:200]}\n", flush=True)
    answer: Answer | None = None
    streamed: list[str] = []
    for item in assistant.ask_stream(question, history=history, filters=filters):
        if isinstance(item, Answer):
            answer = item
        else:
            streamed.append(item)
            sys.stdout.write(item)
            sys.stdout.flush()
    assert answer is not None
    print("\n\n" if streamed else "", end="", flush=True)
    print(render(answer, streamed="".join(streamed)), end="\n\n", flush=True)
    return answer


if __name__ == "__main__":
    sys.exit(main())
