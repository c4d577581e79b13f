"""Generators for real PDF files used by the tests (good, broken and hostile ones)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def text_pdf(path: Path, pages: list[str], title: str = "", author: str = "") -> Path:
    """A PDF with one page per string; lines are wrapped at ~90 characters."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    for text in pages:
        y = 800
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                if len(line) + len(word) > 90:
                    c.drawString(50, y, line)
                    y -= 14
                    line = ""
                line = f"{line} {word}".strip()
            c.drawString(50, y, line)
            y -= 20
        c.showPage()
    c.save()
    return path


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A scanned-looking PDF: every page is an image, no text layer."""
    from PIL import Image

    img = Image.new("RGB", (200, 100), (200, 200, 200))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    from reportlab.lib.utils import ImageReader

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        c.drawImage(ImageReader(buf), 50, 500, width=400, height=200)
        c.showPage()
    c.save()
    return path


def encrypted_pdf(source: Path, path: Path, user_password: str, owner_password: str = "eigenaar") -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def zero_page_pdf(path: Path) -> Path:
    with path.open("wb") as fh:
        PdfWriter().write(fh)
    return path


def truncated_pdf(source: Path, path: Path, fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path
