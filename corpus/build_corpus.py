"""Build the bundled Beleidsbron demo corpus.

Reads every ``corpus/sources/*.txt`` file (a small Markdown-like format with a
metadata header) and renders it to ``corpus/pdf/<stem>.pdf`` with reportlab.
The PDFs deliberately mimic real policy publications so the ingest pipeline
can be tested on them: a cover page, a colophon, running headers and footers,
justified text with Dutch hyphenation, tables, footnotes, boxed practice
examples, bullet lists and optionally a two-column layout.

Builds are byte-reproducible: reportlab runs in ``invariant`` mode and its
timestamp is pinned to 1 January of the publication year (also for documents
without further PDF metadata).

Source format::

    title: ...
    subtitle: ...
    publisher: ...
    year: 2018
    layout: one-column | two-column
    pdf_metadata: yes | no
    ---
    # Chapter            ## Section          - bullet item
    Paragraph text with a footnote marker[^1].
    [^1]: Footnote text (rendered at the end of the chapter).
    ::: kader Box title
    Box paragraphs.
    :::
    | Header A | Header B |
    | cell | cell |

Usage: ``python corpus/build_corpus.py`` or ``python -m corpus.build_corpus``.
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pyphen
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

CORPUS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CORPUS_DIR / "sources"
PDF_DIR = CORPUS_DIR / "pdf"

PAGE_W, PAGE_H = A4
MARGIN_X = 2.4 * cm
MARGIN_TOP = 2.6 * cm
MARGIN_BOTTOM = 2.4 * cm
COLUMN_GAP = 0.8 * cm
ACCENT = colors.HexColor("#1f4e79")
BOX_FILL = colors.HexColor("#eef3f8")
HEADER_FILL = colors.HexColor("#d9e2ec")

DEMO_NOTICE = "Demodocument – geen officiële publicatie"
DEMO_ORIGIN = "Deze tekst is geschreven voor het demonstratiecorpus van Beleidsbron."

FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
CAPTION = re.compile(r"^(Tabel|Figuur) \d+[.:]")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


@dataclass
class Block:
    """One body element: heading, paragraph, bullet list, table or box."""

    kind: str  # "h1", "h2", "p", "bullets", "table", "box"
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """A parsed source file."""

    stem: str
    meta: dict[str, str]
    blocks: list[Block]
    footnotes: dict[str, str]

    @property
    def two_column(self) -> bool:
        return self.meta.get("layout", "one-column") == "two-column"

    @property
    def embed_metadata(self) -> bool:
        return self.meta.get("pdf_metadata", "yes") == "yes"


def parse_blocks(lines: list[str], footnotes: dict[str, str]) -> list[Block]:
    """Parse body lines into blocks; footnote definitions go into ``footnotes``."""
    blocks: list[Block] = []
    para: list[str] = []
    note: str | None = None  # label of a footnote definition being continued

    def flush() -> None:
        nonlocal note
        if para:
            blocks.append(Block("p", text=" ".join(para)))
            para.clear()
        note = None

    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if not line:
            flush()
        elif line.startswith(":::") and line != ":::":
            flush()
            inner: list[str] = []
            while i < len(lines) and lines[i].strip() != ":::":
                inner.append(lines[i])
                i += 1
            i += 1  # skip the closing fence
            title = re.sub(r"^:::\s*kader\b\s*", "", line).strip()
            blocks.append(Block("box", text=title, children=parse_blocks(inner, footnotes)))
        elif line.startswith("## ") or line.startswith("# "):
            flush()
            kind = "h2" if line.startswith("## ") else "h1"
            blocks.append(Block(kind, text=line.lstrip("#").strip()))
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                continue  # Markdown separator row
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].rows.append(cells)
        elif line.startswith("- "):
            flush()
            if not blocks or blocks[-1].kind != "bullets":
                blocks.append(Block("bullets"))
            blocks[-1].items.append(line[2:].strip())
        elif (m := FOOTNOTE_DEF.match(line)) is not None:
            flush()
            note = m.group(1)
            footnotes[note] = m.group(2)
        elif note is not None:
            footnotes[note] += " " + line
        elif raw[:1].isspace() and blocks and blocks[-1].kind == "bullets" and not para:
            blocks[-1].items[-1] += " " + line
        else:
            para.append(line)
    flush()
    return blocks


def parse_source(path: Path) -> Document:
    """Split a source file into its metadata header and parsed body."""
    header, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: missing '---' line after the metadata header")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip()
    for key in ("layout", "pdf_metadata"):  # tolerate trailing comments
        meta[key] = (meta.get(key, "").split() or [""])[0].lower()
    footnotes: dict[str, str] = {}
    blocks = parse_blocks(body.splitlines(), footnotes)
    return Document(path.stem, meta, blocks, footnotes)


def inline(text: str) -> str:
    """Convert inline markup to reportlab paragraph markup."""
    text = escape(text, quote=False)
    text = FOOTNOTE_REF.sub(r"<super>\1</super>", text)
    text = re.sub(r"\*\*(\S.*?\S|\S)\*\*", r"<b>\1</b>", text)
    return re.sub(r"(?<![\w*])\*(\S.*?\S|\S)\*(?![\w*])", r"<i>\1</i>", text)


# ---------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------

_NL_HYPHENATOR = pyphen.Pyphen(lang="nl_NL")


def dutch_hyphenator(word: str) -> list[tuple[str, str]]:
    """Dutch (nl_NL) break points for reportlab, longest head first.

    pyphen never proposes a break at a word's own hyphen, so compounds such as
    "sociaal-economisch" would only be split inside a syllable. Adding those
    positions lets real compound hyphens end up at line ends, as in typeset
    publications (reportlab adds no extra hyphen when the head ends in "-").
    """
    pairs = set(_NL_HYPHENATOR.iterate(word))
    pairs.update((word[: i + 1], word[i + 1 :]) for i, ch in enumerate(word[1:-1], 1) if ch == "-")
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def make_styles(two_column: bool) -> dict[str, ParagraphStyle]:
    """Paragraph styles; two-column documents use a slightly smaller body."""
    size, leading = (10.5, 14) if two_column else (11, 15)
    body = ParagraphStyle(
        "body",
        fontName="Times-Roman",
        fontSize=size,
        leading=leading,
        alignment=TA_JUSTIFY,
        spaceAfter=leading * 0.45,
        hyphenationLang=dutch_hyphenator,
        embeddedHyphenation=1,
        uriWasteReduce=0.3,
    )
    small = dict(fontSize=size - 1.5, leading=leading - 2.5)
    return {
        "body": body,
        "h1": ParagraphStyle(
            "h1",
            fontName="Helvetica-Bold",
            fontSize=size + 5,
            leading=size + 9,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=8,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            fontName="Helvetica-Bold",
            fontSize=size + 1.5,
            leading=size + 5,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "bullet": ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=14,
            bulletIndent=3,
            spaceAfter=2,
        ),
        "box_title": ParagraphStyle(
            "box_title",
            fontName="Helvetica-Bold",
            fontSize=size,
            leading=leading,
            textColor=ACCENT,
            alignment=TA_LEFT,
        ),
        "box": ParagraphStyle("box", parent=body, fontName="Helvetica", **small),
        "cell": ParagraphStyle(
            "cell",
            fontName="Helvetica",
            alignment=TA_LEFT,
            hyphenationLang=dutch_hyphenator,
            **small,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=body,
            fontName="Times-Italic",
            alignment=TA_LEFT,
            spaceBefore=0,
            spaceAfter=10,
            **small,
        ),
        "cell_head": ParagraphStyle(
            "cell_head",
            fontName="Helvetica-Bold",
            alignment=TA_LEFT,
            **small,
        ),
        "note": ParagraphStyle(
            "note",
            parent=body,
            leftIndent=10,
            firstLineIndent=-10,
            spaceAfter=1,
            **small,
        ),
    }


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


class Renderer:
    """Turns a parsed document into reportlab flowables and a PDF."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.styles = make_styles(doc.two_column)
        body_w = PAGE_W - 2 * MARGIN_X
        self.col_w = (body_w - COLUMN_GAP) / 2 if doc.two_column else body_w
        self.header = f"{doc.meta.get('title', '')} – {doc.meta.get('publisher', '')}"

    # -- body ---------------------------------------------------------------

    def block(self, block: Block, width: float, inside_box: bool = False) -> list[Flowable]:
        s = self.styles
        para_style = s["box"] if inside_box else s["body"]
        if block.kind in ("h1", "h2"):
            return [Paragraph(inline(block.text), s[block.kind])]
        if block.kind == "p":
            if CAPTION.match(block.text) and not inside_box:
                para_style = s["caption"]
            return [Paragraph(inline(block.text), para_style)]
        if block.kind == "bullets":
            style = ParagraphStyle(
                "b",
                parent=s["bullet"],
                fontName=para_style.fontName,
                fontSize=para_style.fontSize,
                leading=para_style.leading,
            )
            items = [Paragraph(inline(i), style, bulletText="–") for i in block.items]
            return [*items, Spacer(1, 4)]
        if block.kind == "table":
            return [KeepTogether(self.table(block.rows, width)), Spacer(1, 4)]
        if block.kind == "box":
            return [Spacer(1, 4), self.box(block, width), Spacer(1, 8)]
        raise ValueError(f"unknown block kind {block.kind!r}")

    def table(self, rows: list[list[str]], width: float) -> Table:
        """Data table with a shaded header row and a full grid."""
        ncols = max(len(r) for r in rows)
        rows = [row + [""] * (ncols - len(row)) for row in rows]
        # Column weight: typical text length, but never narrower than the longest word.
        weights = []
        for col in zip(*rows, strict=True):
            longest_word = max(len(w) for cell in col for w in cell.split() or [""])
            weights.append(max(longest_word * 1.1, min(sum(map(len, col)) / len(col), 30)) + 3)
        col_widths = [width * w / sum(weights) for w in weights]
        data = [
            [Paragraph(inline(c), self.styles["cell_head" if r == 0 else "cell"]) for c in row]
            for r, row in enumerate(rows)
        ]
        table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    def box(self, block: Block, width: float) -> Table:
        """Bordered, shaded practice example; one row per element so it can split."""
        inner_w = width - 16
        rows: list[list[Flowable]] = []
        if block.text:
            rows.append([Paragraph(inline(block.text), self.styles["box_title"])])
        for child in block.children:
            rows.extend([f] for f in self.block(child, inner_w, inside_box=True))
        table = Table(rows, colWidths=[width], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.9, ACCENT),
                    ("BACKGROUND", (0, 0), (-1, -1), BOX_FILL),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("TOPPADDING", (0, 0), (-1, 0), 6),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ]
            )
        )
        return table

    def chapter_notes(self, chapter: list[Block]) -> list[Flowable]:
        """Footnotes referenced in a chapter, in order of first reference."""
        texts: list[str] = []

        def collect(blocks: list[Block]) -> None:
            for b in blocks:
                texts.extend([b.text, *b.items, *(c for row in b.rows for c in row)])
                collect(b.children)

        collect(chapter)
        labels = list(dict.fromkeys(FOOTNOTE_REF.findall(" ".join(texts))))
        labels = [label for label in labels if label in self.doc.footnotes]
        if not labels:
            return []
        out: list[Flowable] = [
            Spacer(1, 4),
            HRFlowable(width="30%", thickness=0.5, color=colors.grey, hAlign="LEFT", spaceAfter=3),
        ]
        for label in labels:
            text = f"<super>{escape(label)}</super> {inline(self.doc.footnotes[label])}"
            out.append(Paragraph(text, self.styles["note"]))
        return out

    def body(self) -> list[Flowable]:
        chapters: list[list[Block]] = []
        for block in self.doc.blocks:
            if block.kind == "h1" or not chapters:
                chapters.append([])
            chapters[-1].append(block)
        story: list[Flowable] = []
        for chapter in chapters:
            for block in chapter:
                story.extend(self.block(block, self.col_w))
            story.extend(self.chapter_notes(chapter))
        return story

    # -- front matter -------------------------------------------------------

    def cover(self) -> list[Flowable]:
        m = self.doc.meta
        big = ParagraphStyle("cover_title", fontName="Helvetica-Bold", fontSize=26, leading=32, textColor=ACCENT)
        sub = ParagraphStyle("cover_sub", fontName="Helvetica", fontSize=14, leading=19)
        plain = ParagraphStyle("cover_plain", fontName="Helvetica", fontSize=11, leading=15)
        notice = ParagraphStyle(
            "cover_notice", parent=plain, fontName="Helvetica-Bold", textColor=colors.HexColor("#a12a2a")
        )
        return [
            Spacer(1, 5 * cm),
            Paragraph(escape(m.get("title", "")), big),
            Spacer(1, 10),
            Paragraph(escape(m.get("subtitle", "")), sub),
            Spacer(1, 7 * cm),
            Paragraph(escape(m.get("publisher", "")), plain),
            Paragraph(escape(m.get("year", "")), plain),
            Spacer(1, 1.2 * cm),
            Paragraph(DEMO_NOTICE, notice),
            Paragraph(DEMO_ORIGIN, plain),
        ]

    def colophon(self) -> list[Flowable]:
        m = self.doc.meta
        style = ParagraphStyle("colophon", fontName="Helvetica", fontSize=9, leading=13, spaceAfter=5)
        head = ParagraphStyle("colophon_head", parent=style, fontName="Helvetica-Bold", fontSize=11)
        lines = [
            f"Uitgave: {m.get('publisher', '')}",
            f"Jaar van uitgave: {m.get('year', '')}",
            "Tekst: Beleidsbron-demoredactie",
            "Alle cijfers, namen en citaten over fictieve gemeenten, wijken en personen "
            "in deze publicatie zijn verzonnen en dienen uitsluitend als oefenmateriaal.",
            f"© {m.get('year', '')} {m.get('publisher', '')} (fictieve uitgever). "
            "Overname van tekst is toegestaan met bronvermelding.",
            DEMO_NOTICE,
        ]
        return [
            Spacer(1, 15 * cm),
            Paragraph("Colofon", head),
            *(Paragraph(escape(line), style) for line in lines),
        ]

    # -- page decoration ----------------------------------------------------

    def decorate_cover(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, PAGE_H - 3.2 * cm, PAGE_W, 3.2 * cm, stroke=0, fill=1)
        canv.restoreState()

    def decorate_body(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFont("Helvetica", 8)
        canv.setFillColor(colors.dimgrey)
        top = PAGE_H - MARGIN_TOP + 0.9 * cm
        canv.drawString(MARGIN_X, top, self.header)
        canv.setStrokeColor(colors.lightgrey)
        canv.line(MARGIN_X, top - 4, PAGE_W - MARGIN_X, top - 4)
        canv.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM - 1.1 * cm, f"Pagina {doc.page}")
        canv.restoreState()

    # -- assembly -----------------------------------------------------------

    def build(self, out_path: Path) -> None:
        m = self.doc.meta
        info = (
            dict(
                title=m.get("title", ""),
                author=m.get("publisher", ""),
                subject=m.get("subtitle", ""),
            )
            if self.doc.embed_metadata
            else dict(title="", author="", subject="")
        )
        template = BaseDocTemplate(
            str(out_path),
            pagesize=A4,
            invariant=1,
            pageCompression=1,
            creator="Beleidsbron corpus builder",
            lang="nl-NL",
            **info,
        )
        full_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
        single = Frame(MARGIN_X, MARGIN_BOTTOM, PAGE_W - 2 * MARGIN_X, full_h, id="full")
        if self.doc.two_column:
            body_frames = [
                Frame(
                    MARGIN_X + i * (self.col_w + COLUMN_GAP),
                    MARGIN_BOTTOM,
                    self.col_w,
                    full_h,
                    leftPadding=0,
                    rightPadding=0,
                    id=f"col{i}",
                )
                for i in range(2)
            ]
        else:
            body_frames = [Frame(MARGIN_X, MARGIN_BOTTOM, self.col_w, full_h, leftPadding=0, rightPadding=0, id="body")]
        template.addPageTemplates(
            [
                PageTemplate("cover", [single], onPage=self.decorate_cover),
                PageTemplate("colophon", [single]),
                PageTemplate("body", body_frames, onPage=self.decorate_body),
            ]
        )
        story: list[Flowable] = [
            *self.cover(),
            NextPageTemplate("colophon"),
            PageBreak(),
            *self.colophon(),
            NextPageTemplate("body"),
            PageBreak(),
            *self.body(),
        ]
        with pinned_timestamp(int(m.get("year") or 2000)):
            template.build(story)


@contextmanager
def pinned_timestamp(year: int) -> Iterator[None]:
    """Pin reportlab's timestamp to 1 January of ``year`` (12:00 UTC).

    reportlab reads SOURCE_DATE_EPOCH for the info dates and the file ID, so
    pinning it makes the output independent of the caller's environment.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    epoch = calendar.timegm((year, 1, 1, 12, 0, 0))
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def build_all(sources: Path = SOURCES_DIR, out_dir: Path = PDF_DIR) -> list[Path]:
    """Render every source file; returns the written PDF paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for src in sorted(sources.glob("*.txt")):
        out_path = out_dir / f"{src.stem}.pdf"
        Renderer(parse_source(src)).build(out_path)
        written.append(out_path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR)
    parser.add_argument("--out", type=Path, default=PDF_DIR)
    args = parser.parse_args()
    for path in build_all(args.sources, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
