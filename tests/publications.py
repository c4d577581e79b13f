"""Small Dutch policy publications built as real PDFs (reportlab platypus), for the reader's tests.

Each publication has a cover, a running title and page numbers on every page, numbered section
headings, paragraphs that wrap over several lines, bullet lists with real bullet glyphs, and
optionally a colophon and web-style navigation lines — the layout the answers must see through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate, Spacer


@dataclass
class Section:
    heading: str
    blocks: list[str | list[str]] = field(default_factory=list)  # a paragraph, or the items of a bullet list


def publication_pdf(path: Path, title: str, publisher: str, year: int, sections: list[Section]) -> Path:
    """A publication: cover page, then every section (a heading, paragraphs and bullet lists)."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10, leading=13)
    heading = ParagraphStyle("h", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=13)
    cover = ParagraphStyle("cover", parent=styles["Title"], fontName="Helvetica-Bold", fontSize=24, leading=28)

    def furniture(canvas, doc) -> None:  # running title and page number on every page but the cover
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, A4[1] - 1.2 * cm, f"{publisher} | {title}")
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"pagina {doc.page}")
        canvas.restoreState()

    story: list = [Spacer(1, 6 * cm), Paragraph(title, cover), Spacer(1, 1 * cm)]
    story += [Paragraph(publisher, body), Paragraph(f"{publisher}, {year}", body), PageBreak()]
    for number, section in enumerate(sections, start=1):
        story.append(Paragraph(f"{number}. {section.heading}", heading))
        for block in section.blocks:
            if isinstance(block, list):
                items = [ListItem(Paragraph(item, body), leftIndent=12) for item in block]
                story.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=12))
            else:
                story.append(Paragraph(block, body))
            story.append(Spacer(1, 4))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=title, author=publisher, invariant=1)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path
