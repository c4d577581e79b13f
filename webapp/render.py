"""HTML and Markdown for answers and their sources, always escaped (PDF text is untrusted).

App stage. The chat bubble shows the answer with clickable [n] markers; the sources panel shows each
numbered passage with the supporting sentence highlighted and a link to the page in the PDF viewer.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from beleidsbron.domain import Answer, AnswerSentence, Citation

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_MARKER = re.compile(r"\[(\d+)\]")


def md_escape(text: str) -> str:
    """Text that Markdown shows literally (no emphasis, links or HTML from PDF content)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def viewer_url(citation: Citation) -> str:
    return f"/viewer/{quote(citation.source)}?page={citation.page}&q={quote(citation.quote[:600])}"


def shown_title(title: str, source: str) -> str:
    """A document's title, or that it is unknown (never the file name passed off as a title)."""
    return title or f"Titel onbekend ({source})"


def publisher_and_year(publisher: str, year: int | None) -> str:
    """ "Gemeente Utrecht, 2024"; a field that could not be determined is shown as unknown."""
    return f"{publisher or 'uitgever onbekend'}, {year or 'jaar onbekend'}"


def ocr_note(c: Citation) -> str:
    """ " (tekst via OCR, zekerheid 91%)" for a page read by OCR, else ""."""
    return "" if c.ocr_confidence is None else f" (tekst via OCR, zekerheid {c.ocr_confidence:.0f}%)"


def cite_label(c: Citation) -> str:
    return f"{shown_title(c.title, c.source)} ({publisher_and_year(c.publisher, c.year)}), p. {c.page}{ocr_note(c)}"


def support_mark(sentence: AnswerSentence) -> str:
    """✓ or ⚠️ with the support score, after each sentence of a generated answer."""
    score = f"{sentence.support:.2f}".replace(".", ",")
    mark, what = ("✓", "ondersteund") if sentence.supported else ("⚠️", "niet voldoende ondersteund")
    return f' <sup title="Zin {what} door de geciteerde passage(s); score {score}">{mark} {score}</sup>'


def answer_markdown(answer: Answer) -> str:
    """The chat bubble: answer with linked markers and a compact source list, or the refusal."""
    parts = []
    if answer.notice:
        parts.append(f"*{md_escape(answer.notice)}*")
    if answer.refused:
        parts.append(f"**{md_escape(answer.text)}**")
        if answer.related:
            parts.append("Mogelijk relevant (geen bronvermelding):")
            parts += [f"- [{md_escape(cite_label(c))}]({viewer_url(c)})" for c in answer.related]
        return "\n\n".join(parts)
    by_n = {c.n: c for c in answer.citations}
    generated = answer.mode in ("openai", "ollama")
    text = ""
    for sentence in answer.sentences:
        markers = "".join(f"[\\[{n}\\]]({viewer_url(by_n[n])})" for n in sentence.citations if n in by_n)
        flag = support_mark(sentence) if generated else "" if sentence.supported else " ⚠️"
        if sentence.kind != "sentence":  # a list item or table row: its own line of a Markdown list
            own = "" if sentence.marker in ("", "•") else f"{md_escape(sentence.marker).replace('.', chr(92) + '.')} "
            text = text.rstrip() + f"\n- {own}{md_escape(sentence.text)} {markers}{flag}\n"
        else:
            if text.endswith("\n"):
                text += "\n"  # a blank line ends the list, else Markdown continues its last item
            text += f"{md_escape(sentence.text)} {markers}{flag} "
    parts.append(text.strip())
    parts.append(
        "**Bronnen**\n" + "\n".join(f"{c.n}. [{md_escape(cite_label(c))}]({viewer_url(c)})" for c in answer.sources)
    )
    if answer.further:
        parts.append(
            "**Verder in de documenten** (niet geciteerd)\n"
            + "\n".join(f"- [{md_escape(cite_label(c))}]({viewer_url(c)})" for c in answer.further)
        )
    return "\n\n".join(parts)


def passage_html(c: Citation) -> str:
    """The passage with its supporting sentence(s) marked."""
    out, last = [], 0
    for start, end in c.spans:
        out.append(html.escape(c.text[last:start]))
        out.append(f"<mark>{html.escape(c.text[start:end])}</mark>")
        last = end
    out.append(html.escape(c.text[last:]))
    return "".join(out).replace("\n", "<br>")


def sources_html(answer: Answer | None) -> str:
    if answer is None:
        return '<div class="bb-empty">Stel een vraag; de bronnen van het antwoord verschijnen hier.</div>'
    if answer.refused:
        head = f'<div class="bb-refusal">{html.escape(answer.text)}</div>'
        if not answer.related:
            return head
        items = "".join(_card(c, related=True) for c in answer.related)
        return f"{head}<h4>Mogelijk relevant (niet als bron gebruikt)</h4>{items}"
    cards = "".join(_card(c) for c in answer.sources)
    if answer.further:
        cards += "<h4>Verder in de documenten (niet geciteerd)</h4>" + "".join(
            _card(c, related=True) for c in answer.further
        )
    return cards


def _card(c: Citation, related: bool = False) -> str:
    label = "" if related else f'<span class="bb-n">[{c.n}]</span> '
    shown = c.heading and not c.text.startswith(c.heading)
    heading = f'<div class="bb-heading">{html.escape(c.heading)}</div>' if shown else ""
    kind = "bb-source bb-related" if related else "bb-source"
    return (
        f'<div class="{kind}" data-n="{c.n}" data-anchor="{html.escape(c.anchor)}">'
        f'<div class="bb-title">{label}{html.escape(shown_title(c.title, c.source))}</div>'
        f'<div class="bb-meta">{html.escape(publisher_and_year(c.publisher, c.year))} · '
        f"pagina {c.page}{html.escape(ocr_note(c))} · {html.escape(c.source)}</div>{heading}"
        f'<div class="bb-passage">{passage_html(c)}</div>'
        f'<a class="bb-open" href="{html.escape(viewer_url(c))}" target="_blank" rel="noopener">'
        f"Bekijk in de PDF (pagina {c.page}) ↗</a></div>"
    )


def _passage_markdown(c: Citation) -> str:
    """The full passage on one line, the supporting sentence(s) in bold."""
    out, last = [], 0
    for start, end in c.spans:
        out += [c.text[last:start], f"**{c.text[start:end]}**"]
        last = end
    out.append(c.text[last:])
    return " ".join("".join(out).split())


def conversation_markdown(turns: list[tuple[str, Answer]]) -> str:
    """Export of a conversation with answers and full citations."""
    lines = ["# Beleidsbron – gesprek", ""]
    for i, (question, answer) in enumerate(turns, start=1):
        lines += [f"## Vraag {i}: {question}", "", answer.text, ""]
        if answer.notice:
            lines += [f"_{answer.notice}_", ""]
        groups = [
            ("### Bronnen", answer.sources),
            ("### Verder in de documenten (niet geciteerd)", answer.further),
            ("### Mogelijk relevant (geen bronvermelding)", answer.related),
        ]
        for heading, sources in groups:
            if not sources:
                continue
            lines += [heading, ""]
            for c in sources:
                label = f"[{c.n}] " if c.quoted and heading == "### Bronnen" else ""
                lines.append(f"{label}{cite_label(c)} — {c.source} (anker {c.anchor})")
                lines.append("")
                lines.append("> " + _passage_markdown(c))
                lines.append("")
    return "\n".join(lines)
