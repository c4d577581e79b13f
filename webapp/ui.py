"""The Gradio interface: chat with cited answers, library, and the evaluators' check tab (all Dutch).

App stage. Only wiring lives here: every handler calls the assistant, the library helpers, the
feedback store or the renderers, and returns component updates.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.core import Assistant
from beleidsbron.domain import DOC_TYPES, Answer, Filters
from beleidsbron.store import StoreError
from ingest.pipeline import Ingestor
from ingest.pipeline import Progress as IngestProgress
from webapp.feedback import FeedbackStore
from webapp.ingest_messages import STATUS_NL, dutch
from webapp.library import (
    UploadError,
    document_rows,
    key_points,
    metadata_sources,
    ocr_notice,
    ocr_status,
    save_upload,
    suggested_questions,
)
from webapp.render import answer_markdown, conversation_markdown, md_escape, shown_title, sources_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "Hoe wordt de wijkaanpak gefinancierd nu het ISV is afgeschaft?",
    "Wat is de Leefbaarometer en wat zijn de beperkingen ervan?",
    "Welke rol spelen woningcorporaties in aandachtswijken?",
    "Wat kunnen gemeenten doen tegen hittestress in de wijk?",
    "Waarom haken bewoners af bij inspraak en participatie?",
]
LIBRARY_HEADERS = [
    "Titel", "Uitgever", "Jaar", "Soort", "Pagina's", "Passages", "Ingelezen op", "Status", "Herkomst metadata",
    "Bestand",
]  # fmt: skip

CSS = """
.bb-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
             margin: 0 0 10px 0; }
.bb-title { font-weight: 600; }
.bb-n { color: var(--color-accent); }
.bb-meta, .bb-heading { font-size: 0.85em; color: var(--body-text-color-subdued); }
.bb-passage { font-size: 0.92em; margin: 6px 0; line-height: 1.45; }
.bb-passage mark { background: #ffe58a; padding: 0 1px; }
.bb-refusal { font-weight: 600; padding: 8px 0; }
.bb-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
#bb-library table, #bb-check table { font-family: var(--font); }
footer { display: none !important; }
"""


STORE_FAILED = (
    "**Inlezen gestopt:** de opslag kan niet worden bijgewerkt (vol of alleen-lezen?). Eerder ingelezen "
    "documenten blijven intact en doorzoekbaar; maak ruimte vrij of laat de schrijfrechten herstellen en "
    "voeg het bestand opnieuw toe. Technische melding: {detail}"
)
PROGRESS = gr.Progress()  # gradio injects a live tracker for a parameter defaulting to a Progress


@dataclass
class Turn:
    question: str
    answer: Answer
    answer_id: int


def _citation_choices(turns: list[Turn]) -> list[str]:
    if not turns or turns[-1].answer.refused:
        return []
    return [f"[{c.n}] {c.title}, p. {c.page}" for c in turns[-1].answer.sources]


class Handlers:
    """The interface's event handlers: each a method that takes component values and returns updates, so it
    can be read and tested without building the interface."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.settings = assistant.settings

    # --- choices ------------------------------------------------------------------------------

    def doc_choices(self) -> list[tuple[str, str]]:
        return [(f"{d.title or 'Titel onbekend'} ({d.source})", d.source) for d in self.assistant.documents()]

    def publisher_choices(self) -> list[str]:
        return sorted({d.publisher for d in self.assistant.documents() if d.publisher})

    def type_choices(self) -> list[tuple[str, str]]:
        present = {d.doc_type for d in self.assistant.documents()}
        return [(label, key) for key, label in DOC_TYPES.items() if key in present]

    def on_load(self) -> tuple[Any, ...]:
        """Fresh filter choices and library table for every page load (documents may have been added)."""
        return (
            gr.update(choices=self.publisher_choices()),
            gr.update(choices=self.type_choices()),
            gr.update(choices=self.doc_choices()),
            gr.update(choices=self.doc_choices()),
            gr.update(value=document_rows(self.assistant)),
        )

    # --- chat ---------------------------------------------------------------------------------

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        turns: list[Turn],
        publishers: list[str],
        year_from: float | None,
        year_to: float | None,
        documents: list[str],
        doc_types: list[str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield gr.update(), chat, turns, gr.update(), gr.update()
            return
        chat = [*chat, {"role": "user", "content": md_escape(question)}, {"role": "assistant", "content": "…"}]
        yield "", chat, turns, gr.update(), gr.update()
        filters = Filters(
            publishers=tuple(publishers or ()),
            year_from=int(year_from) if year_from else None,
            year_to=int(year_to) if year_to else None,
            sources=tuple(documents or ()),
            doc_types=tuple(doc_types or ()),
        )
        history = [t.question for t in turns]
        answer: Answer | None = None
        partial = ""
        for item in self.assistant.ask_stream(question, history=history, filters=filters):
            if isinstance(item, Answer):
                answer = item
            else:
                partial += item
                chat[-1] = {"role": "assistant", "content": md_escape(partial)}
                yield "", chat, turns, gr.update(), gr.update()
        assert answer is not None
        answer_id = self.feedback.log_answer(answer, history)
        chat[-1] = {"role": "assistant", "content": answer_markdown(answer)}
        turns = [*turns, Turn(question, answer, answer_id)]
        yield "", chat, turns, sources_html(answer), gr.update(choices=_citation_choices(turns), value=None)

    def ask_suggestion(self, question: str) -> tuple[str, Any]:
        """A suggested question, clicked in the library: into the question box, on the chat tab."""
        return question, gr.Tabs(selected="chat")

    def new_conversation(self) -> tuple[Any, ...]:
        return [], [], sources_html(None), gr.update(choices=[], value=None), "", gr.update(value=None, visible=False)

    def on_like(self, turns: list[Turn], data: gr.LikeData) -> str:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        if not 0 <= turn < len(turns):
            return "Dit bericht kan niet worden beoordeeld."
        liked = data.liked in (True, "Like", "like")
        self.feedback.add_feedback(turns[turn].answer_id, "up" if liked else "down")
        return "Bedankt: uw beoordeling is opgeslagen."

    def flag_citation(self, choice: str | None, comment: str, turns: list[Turn]) -> tuple[str, str]:
        if not turns or not choice:
            return "Kies eerst een bron van het laatste antwoord.", comment
        n = int(choice.split("]")[0].lstrip("["))
        self.feedback.add_feedback(turns[-1].answer_id, "citation", citation_n=n, comment=comment or "")
        return f"Gemeld: bron [{n}] ondersteunt het antwoord niet. Bedankt.", ""

    def export_conversation(self, turns: list[Turn]) -> Any:
        if not turns:
            return gr.update(value=None, visible=False)
        path = Path(tempfile.mkdtemp(prefix="beleidsbron-")) / "beleidsbron-gesprek.md"
        path.write_text(conversation_markdown([(t.question, t.answer) for t in turns]), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    # --- library ------------------------------------------------------------------------------

    def show_document(self, source: str | None) -> tuple[str, Any]:
        doc = self.assistant.document(source) if source else None
        if doc is None:
            return "Kies een document.", gr.update(choices=[], value=None)
        points = key_points(self.assistant, doc)
        kind = DOC_TYPES.get(doc.doc_type, "soort onbekend")
        lines = [
            f"### {md_escape(shown_title(doc.title, doc.source))}",
            f"{md_escape(doc.publisher or 'uitgever onbekend')} · {doc.year or 'jaar onbekend'} · {kind} · "
            f"{doc.pages} pagina's",
            f"\n*Herkomst: {md_escape(metadata_sources(doc))}*",
            *[f"\n*{md_escape(note)}*" for note in ocr_status(doc)],
            "",
            "**Kernpunten**",
            "",
        ]
        lines += [f"- {md_escape(p.text)} *(p. {p.page})*" for p in points] or ["- (geen kernpunten gevonden)"]
        questions = suggested_questions(self.assistant, doc)
        return "\n".join(lines), gr.update(choices=questions, value=None)

    def upload(self, files: list[Any] | None, progress: gr.Progress = PROGRESS) -> tuple[Any, ...]:
        if not files:
            return "Kies eerst één of meer PDF-bestanden.", gr.update(), gr.update(), gr.update()
        messages, saved = [], []
        max_upload = int(self.settings.ingest.max_file_mb * 2**20)
        for f in files:
            path = Path(getattr(f, "name", f))
            original = getattr(f, "orig_name", None) or path.name
            try:
                target, duplicate = save_upload(path, original, self.settings.uploads(), max_upload)
            except UploadError as exc:
                messages.append(f"- **{md_escape(original)}**: {exc}")
                continue
            saved.append(target)
            if duplicate:
                messages.append(f"- **{md_escape(original)}**: staat al in de bibliotheek als {target.name}.")

        def report(p: IngestProgress) -> None:
            what = f"OCR: {p.file}, pagina {p.ocr.page}" if p.ocr else f"Inlezen: {p.file}"
            progress((p.done, max(p.total, 1)), desc=what, unit="pagina's")

        if saved:
            progress(0, desc="Inlezen…")
            # one embedding thread: the other core stays with the chat (python -m evals.load: p95 of 20 users
            # while ingesting 3.9 s with two threads, 2.5 s with one; the uploads took as long)
            ingest_settings = self.settings.model_copy(update={"embedding_threads": 1})
            try:
                summary = Ingestor(ingest_settings).run(saved, progress=report)
            except StoreError as exc:  # disk full, read-only folder, server gone: committed documents are intact
                log.error("upload ingest failed: %s", exc)
                self.assistant.refresh()
                messages.append(STORE_FAILED.format(detail=md_escape(str(exc))))
                return "\n".join(messages), gr.update(value=document_rows(self.assistant)), gr.update(), gr.update()
            self.assistant.refresh()
            for r in summary.files:
                label = STATUS_NL.get(r.status, r.status)
                detail = f" ({r.pages} pagina's, {r.chunks} passages)" if r.chunks else ""
                reason = f": {md_escape(dutch(r.reasons))}" if r.reasons else ""
                messages.append(f"- **{md_escape(r.file)}**: {label}{detail}{reason}")
        return (
            "\n".join(messages) or "Niets ingelezen.",
            gr.update(value=document_rows(self.assistant)),
            gr.update(choices=self.doc_choices()),
            gr.update(choices=self.doc_choices()),
        )

    # --- check tab ----------------------------------------------------------------------------

    def recent_choices(self) -> Any:
        answers = self.feedback.recent_answers()
        return gr.update(choices=[(f"#{a['id']} – {a['question'][:80]}", a["id"]) for a in answers])

    def show_check(self, answer_id: int | None) -> list[list[object]]:
        """Each answer sentence next to the passage it cites and its support score."""
        record = self.feedback.answer(int(answer_id)) if answer_id else None
        if record is None:
            return []
        by_n = {c["n"]: c for c in record["citations"]}
        rows: list[list[object]] = []
        for s in record["sentences"]:
            for n in s["citations"] or [None]:
                c = by_n.get(n) if n is not None else None
                rows.append(
                    [
                        s["text"],
                        f"[{n}]" if n else "—",
                        (c or {}).get("quote", ""),
                        f"{(c or {}).get('title', '')}, p. {(c or {}).get('page', '')}" if c else "",
                        round(float(s["support"]), 2),
                    ]
                )
        return rows

    def export_csv(self) -> str:
        return self._export(self.feedback.export_csv(), "csv")

    def export_jsonl(self) -> str:
        return self._export(self.feedback.export_eval_jsonl(), "jsonl")

    @staticmethod
    def _export(body: str, suffix: str) -> str:
        path = Path(tempfile.mkdtemp(prefix="beleidsbron-")) / f"beleidsbron-feedback.{suffix}"
        path.write_text(body, encoding="utf-8")
        return str(path)


def build_ui(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    """The interface: layout and wiring; the handlers are :class:`Handlers`' methods."""
    h = Handlers(assistant, feedback)
    settings = assistant.settings

    # --- layout -------------------------------------------------------------------------------

    with gr.Blocks(title="Beleidsbron") as demo:
        turns = gr.State([])
        gr.Markdown("## Beleidsbron\nVragen over wijkaanpak, leefbaarheid en stedelijk beleid — elk antwoord met bron.")
        with gr.Tabs() as tabs:
            with gr.Tab("Vragen", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Gesprek",
                        height=540,
                        elem_id="bb-chat",
                        placeholder="Stel een vraag over de documenten in de bibliotheek.",
                    )
                    with gr.Row():
                        msg = gr.Textbox(
                            placeholder="Stel uw vraag…",
                            show_label=False,
                            scale=5,
                            elem_id="bb-question",
                            max_length=settings.retrieval.max_question_chars * 10,
                        )
                        send = gr.Button("Vraag", variant="primary", scale=1, elem_id="bb-send")
                    with gr.Row():
                        clear = gr.Button("Nieuw gesprek", elem_id="bb-new")
                        export = gr.Button("Exporteer gesprek (Markdown)", elem_id="bb-export")
                    export_out = gr.File(label="Export", visible=False, interactive=False, elem_id="bb-export-file")
                    gr.Examples(EXAMPLES, inputs=[msg], label="Voorbeeldvragen")
                    with gr.Accordion("Filters", open=False):
                        f_publishers = gr.CheckboxGroup(h.publisher_choices(), label="Uitgever")
                        f_types = gr.CheckboxGroup(h.type_choices(), label="Soort document", elem_id="bb-types")
                        with gr.Row():
                            f_from = gr.Number(label="Jaar vanaf", precision=0)
                            f_to = gr.Number(label="Jaar tot en met", precision=0)
                        f_docs = gr.Dropdown(h.doc_choices(), multiselect=True, label="Documenten")
                with gr.Column(scale=2):
                    gr.Markdown("### Bronnen")
                    feedback_msg = gr.Markdown(elem_id="bb-feedback-msg")
                    with gr.Accordion("Feedback op een bron", open=False):
                        cite_pick = gr.Dropdown([], label="Bron van het laatste antwoord", elem_id="bb-cite-pick")
                        cite_comment = gr.Textbox(label="Toelichting (optioneel)", lines=2)
                        cite_flag = gr.Button("Ondersteunt het antwoord niet", elem_id="bb-cite-flag")
                    sources = gr.HTML(sources_html(None), elem_id="bb-sources")
            with gr.Tab("Bibliotheek", id="library"):
                table = gr.Dataframe(
                    document_rows(assistant),
                    headers=LIBRARY_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="bb-library",
                )
                with gr.Row():
                    with gr.Column(scale=3):
                        doc_pick = gr.Dropdown(h.doc_choices(), value=None, label="Document", elem_id="bb-doc-pick")
                        doc_info = gr.Markdown()
                    with gr.Column(scale=2):
                        suggestions = gr.Radio(
                            [], label="Voorgestelde vragen (klik om te stellen)", elem_id="bb-suggestions"
                        )
                with gr.Accordion("PDF's toevoegen", open=True):
                    files = gr.File(
                        file_count="multiple", file_types=[".pdf"], label="PDF-bestanden", elem_id="bb-upload"
                    )
                    add = gr.Button("Toevoegen aan bibliotheek", variant="primary", elem_id="bb-add")
                    gr.Markdown(md_escape(ocr_notice(settings)), elem_id="bb-ocr-notice")
                    upload_msg = gr.Markdown(elem_id="bb-upload-msg")
            with gr.Tab("Controle", id="check"):
                gr.Markdown("Recente antwoorden: elke zin naast de geciteerde passage en de ondersteuningsscore.")
                with gr.Row():
                    recent = gr.Dropdown([], value=None, label="Antwoord", scale=4, elem_id="bb-recent")
                    reload_recent = gr.Button("Vernieuw", scale=1)
                check_table = gr.Dataframe(
                    headers=["Zin", "Bron", "Geciteerde passage", "Document", "Ondersteuning"],
                    interactive=False,
                    wrap=True,
                    elem_id="bb-check",
                )
                with gr.Row():
                    csv_btn = gr.Button("Feedback als CSV")
                    jsonl_btn = gr.Button("Feedback als evaluatieset (JSONL)")
                export_feedback = gr.File(label="Download", interactive=False)

        chat_inputs = [msg, chatbot, turns, f_publishers, f_from, f_to, f_docs, f_types]
        chat_outputs = [msg, chatbot, turns, sources, cite_pick]
        msg.submit(h.respond, chat_inputs, chat_outputs, api_name="ask")
        send.click(h.respond, chat_inputs, chat_outputs, api_name=False)
        clear.click(
            h.new_conversation, None, [chatbot, turns, sources, cite_pick, feedback_msg, export_out], api_name=False
        )
        chatbot.like(h.on_like, [turns], feedback_msg, api_name=False)
        cite_flag.click(h.flag_citation, [cite_pick, cite_comment, turns], [feedback_msg, cite_comment], api_name=False)
        export.click(h.export_conversation, [turns], export_out, api_name=False)
        doc_pick.change(h.show_document, [doc_pick], [doc_info, suggestions], api_name=False)
        suggestions.select(h.ask_suggestion, [suggestions], [msg, tabs], api_name=False).then(
            h.respond, chat_inputs, chat_outputs, api_name=False
        )
        add.click(h.upload, [files], [upload_msg, table, doc_pick, f_docs], api_name="upload", concurrency_limit=1)
        reload_recent.click(h.recent_choices, None, recent, api_name=False)
        recent.focus(h.recent_choices, None, recent, api_name=False)
        recent.change(h.show_check, [recent], check_table, api_name=False)
        csv_btn.click(h.export_csv, None, export_feedback, api_name=False)
        jsonl_btn.click(h.export_jsonl, None, export_feedback, api_name=False)
        demo.load(h.on_load, None, [f_publishers, f_types, f_docs, doc_pick, table], api_name=False)
    return demo
