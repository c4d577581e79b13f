"""Generators for real PDF files (good, broken and hostile ones), made with reportlab and by hand.

Evals stage: the tests build their PDFs with these, and the load benchmark (``evals.load``) its uploads.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage


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


def _pdf_file(objects: list[bytes], info: int | None = None) -> bytes:
    """Serialise numbered objects (1..n, object 1 is the catalog) into a PDF with a correct xref table.

    ``info`` is the number of the document information dictionary, if any.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_ref, xref)
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _text_string(value: str) -> bytes:
    """A PDF text string in UTF-16BE hex with BOM, for any code point (lone surrogates included)."""
    return b"<FEFF" + value.encode("utf-16-be", "surrogatepass").hex().upper().encode() + b">"


def tounicode_pdf(path: Path, pages: list[str], title: str = "", author: str = "") -> Path:
    """A PDF whose text extracts to exactly the given strings (lines split on "\\n"), any code point.

    Written by hand: one simple font whose /ToUnicode CMap maps one byte code per distinct character
    to its UTF-16 value, as PDF producers with embedded subset fonts do. This reaches characters a
    reportlab standard font cannot carry (emoji beyond the BMP, control characters, even lone
    surrogates that a broken producer could write). Glyph shapes are irrelevant to text extraction.
    The first line of page 1 is set large (a cover title); ``title``/``author`` go into the info
    dictionary as written.
    """
    chars = sorted({ch for page in pages for ch in page if ch != "\n"})
    if len(chars) > 255:
        raise ValueError("at most 255 distinct characters")
    code = {ch: i + 1 for i, ch in enumerate(chars)}
    cmap_lines = [
        b"<%02X> <%s>" % (code[ch], ch.encode("utf-16-be", "surrogatepass").hex().upper().encode()) for ch in chars
    ]
    cmap = (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
    )
    for start in range(0, len(cmap_lines), 100):  # at most 100 entries per bfchar block
        part = cmap_lines[start : start + 100]
        cmap += b"%d beginbfchar\n" % len(part) + b"\n".join(part) + b"\nendbfchar\n"
    cmap += b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    n_pages = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, 4 cmap, then (page, content) pairs
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n_pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 1 /LastChar 255 "
        b"/Widths [" + b" ".join([b"500"] * 255) + b"] /ToUnicode 4 0 R >>",
        _stream(cmap),
    ]
    for i, text in enumerate(pages):
        ops = [b"BT /F1 10 Tf 14 TL 50 800 Td"]
        for j, line in enumerate(text.split("\n")):
            size = b"/F1 24 Tf 30 TL " if i == 0 and j == 0 else b"/F1 10 Tf 14 TL " if i == 0 and j == 1 else b""
            ops.append(size + b"<" + bytes(code[ch] for ch in line).hex().upper().encode() + b"> Tj T*")
        ops.append(b"ET")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (6 + 2 * i)
        )
        objects.append(_stream(b"\n".join(ops)))
    info = None
    if title or author:
        objects.append(b"<< /Title " + _text_string(title) + b" /Author " + _text_string(author) + b" >>")
        info = len(objects)
    path.write_bytes(_pdf_file(objects, info))
    return path


def random_bytes_pdf(path: Path, size: int = 20_000, seed: int = 0, dressed: bool = False) -> Path:
    """Random bytes with a .pdf name; ``dressed`` adds a PDF header and end-of-file marker around them."""
    import random

    data = random.Random(seed).randbytes(size)
    if dressed:
        data = b"%PDF-1.7\n" + data + b"\n%%EOF\n"
    path.write_bytes(data)
    return path


def broken_xref_pdf(source: Path, path: Path, shift: int = 7) -> Path:
    """A valid PDF whose xref table offsets (and startxref) all point to the wrong bytes."""
    data = source.read_bytes()
    start = data.rindex(b"\nxref\n")
    end = data.index(b"trailer", start)
    table = re.sub(
        rb"^(\d{10}) (\d{5}) n",
        lambda m: b"%010d %s n" % (int(m.group(1)) + shift, m.group(2)),
        data[start:end],
        flags=re.M,
    )
    assert table != data[start:end], "no xref entries found"
    broken = data[:start] + table + data[end:]
    broken = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 3 * shift), broken)
    path.write_bytes(broken)
    return path


def truncated_with_end_marker_pdf(source: Path, path: Path, fraction: float = 0.5) -> Path:
    """Cut off, then a forged "%%EOF" appended, so the cheap end-marker check passes."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)] + b"\n%%EOF\n")
    return path


_STREETS = ["Lindelaan", "Beukenhof", "Kastanjeplein", "Eikenlaan", "Wilgenweg"]
_TOPICS = ["groen", "spelen", "veiligheid", "verlichting", "ontmoeting", "parkeren"]
DIGIT_WORDS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]


def number_words(number: int) -> str:
    """A number spelled digit by digit in Dutch words ("een nul nul"). Lines that differ only in
    digits count as running headers, so text unique to a page needs words."""
    return " ".join(DIGIT_WORDS[int(d)] for d in str(number))


def numbered_pages_pdf(path: Path, pages: int, marker_every: int = 50) -> Path:
    """Many small pages. Page texts cycle through 20 sentences (few distinct texts to embed, none on
    enough pages to count as a running header); every ``marker_every``-th page also names itself:
    "Mijlpaal een nul nul." on page 100."""
    sentences = [f"De {street} vraagt om {topic}." for street in _STREETS[:4] for topic in _TOPICS[:5]]
    c = canvas.Canvas(str(path), pagesize=(300, 200), invariant=1)
    for number in range(1, pages + 1):
        c.drawString(20, 150, sentences[(7 * number) % len(sentences)])
        if number % marker_every == 0:
            c.drawString(20, 130, f"Mijlpaal {number_words(number)}.")
        c.showPage()
    c.save()
    return path


def huge_page_pdf(path: Path, chars: int = 200_000, seed: int = 0) -> Path:
    """One tall page carrying about ``chars`` characters of running Dutch text: sentences drawn at
    random from 30, and a unique "Blok …" sentence on every line (so offsets are unambiguous)."""
    import random

    rng = random.Random(seed)
    sentences = [f"In de {street} gaat het om {topic} en samenwerking." for street in _STREETS for topic in _TOPICS]
    lines: list[str] = []
    size = 0
    while size < chars:
        line = " ".join([f"Blok {number_words(len(lines))}.", *rng.choices(sentences, k=6)])
        lines.append(line)
        size += len(line) + 1
    height = 4 * len(lines) + 40
    c = canvas.Canvas(str(path), pagesize=(1400, height), invariant=1)
    c.setFont("Helvetica", 3)
    for i, line in enumerate(lines):
        c.drawString(10, height - 20 - 4 * i, line)
    c.showPage()
    c.save()
    return path


def ttf_text_pdf(path: Path, pages: list[str], font_path: Path) -> Path:
    """Like :func:`text_pdf` (no wrapping) but set in an embedded TrueType font, for non-Latin scripts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"TTF-{font_path.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font_path)))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for text in pages:
        c.setFont(name, 10)
        for i, line in enumerate(text.split("\n")):
            c.drawString(40, 800 - 16 * i, line)
        c.showPage()
    c.save()
    return path


def find_ttf(name: str = "DejaVuSans.ttf") -> Path | None:
    """A TrueType font on this machine: the system fonts, else the copy matplotlib ships."""
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        if folder.is_dir():
            found = sorted(folder.rglob(name))
            if found:
                return found[0]
    try:
        import matplotlib

        candidate = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / name
        return candidate if candidate.is_file() else None
    except ImportError:
        return None


def page_tree_cycle_pdf(path: Path) -> Path:
    """A page tree whose /Kids point back at itself (a loop a naive reader never leaves)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>",
        _stream(b"BT /F1 12 Tf 20 100 Td (Lus) Tj ET"),
    ]
    path.write_bytes(_pdf_file(objects))
    return path


def self_drawing_xobject_pdf(path: Path) -> Path:
    """A form XObject that draws itself: unbounded recursion for a naive content interpreter."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /XObject << /X1 5 0 R >> >> >>",
        _stream(b"/X1 Do"),
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /X1 5 0 R >> >> "
        b"/Length 6 >>\nstream\n/X1 Do\nendstream",
    ]
    path.write_bytes(_pdf_file(objects))
    return path


def lying_page_count_pdf(path: Path, count: int = 2_000_000_000) -> Path:
    """One real page of text under a page tree that claims ``count`` pages."""
    text = b"BT /F1 12 Tf 20 100 Td (De wijk telt echt maar een pagina.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(_pdf_file(objects))
    return path


def decompression_bomb_pdf(path: Path, megabytes: int = 300) -> Path:
    """One page whose Flate content stream inflates to ``megabytes`` MB (a few hundred KB on disk)."""
    import zlib

    packer = zlib.compressobj(9)
    block = b"0 0 m\n" * (2**20 // 6)
    body = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    path.write_bytes(_pdf_file(objects))
    return path


def dutch_note_pdf(path: Path, seed: int, pages: int = 2, sentences_per_page: int = 8) -> Path:
    """A small, valid policy note with varied Dutch sentences (distinct per seed), cheap to embed."""
    import random

    rng = random.Random(seed)
    subjects = ["De gemeente", "Het wijkteam", "De corporatie", "Bewoners", "Het rijk", "De provincie"]
    verbs = ["investeert in", "werkt aan", "onderzoekt", "verbetert", "bespreekt", "financiert"]
    objects = [
        "de leefbaarheid van de buurt",
        "veilige speelplekken",
        "betaalbare woningen",
        "groen op het plein",
        "schuldhulpverlening",
        "de aanpak van ondermijning",
        "ontmoetingsplekken voor ouderen",
        "energiezuinige renovatie",
    ]
    texts = []
    for page in range(pages):
        sentences = [
            f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} in wijk {number_words(seed)} "
            f"(notitie {number_words(seed)}, deel {number_words(page * sentences_per_page + k)})."
            for k in range(sentences_per_page)
        ]
        texts.append(" ".join(sentences))
    return text_pdf(path, texts, title=f"Wijknotitie {number_words(seed)}", author="Testredactie")


def page_images(source: Path, dpi: int = 200) -> list[PilImage]:
    """Every page of a PDF as a grey PIL image, rendered with pypdfium2 (what a scanner would see)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(source))
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(document))]
    finally:
        document.close()


def scan_look(image: PilImage, skew: float = 0.4, seed: int = 0) -> PilImage:
    """A page image made to look scanned: slightly skewed, a grey cast and some specks."""
    import random

    from PIL import Image

    rng = random.Random(seed)
    out = image.convert("L").rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
    pixels = out.load()
    width, height = out.size
    for _ in range(width * height // 4000):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(0, 120)
    return out.point(lambda v: 30 + v * 210 // 255)  # paper is never white, ink never black


def scanned_pdf(
    path: Path,
    source: Path,
    keep_text: tuple[int, ...] = (),
    garbage_layer: tuple[int, ...] = (),
    dpi: int = 200,
) -> Path:
    """A scan of ``source``: every page becomes an image (no text layer), except the 1-based pages in
    ``keep_text``, which stay born-digital (a mixed document). Pages in ``garbage_layer`` get an
    invisible text layer of symbols over their image, as a broken OCR layer from a copier has. The
    source's Title and Author stay in the info dictionary."""
    from reportlab.lib.utils import ImageReader

    images = page_images(source, dpi)
    scans = io.BytesIO()
    c = canvas.Canvas(scans, pagesize=A4, invariant=1)
    for number, image in enumerate(images, start=1):
        width, height = image.size[0] * 72 / dpi, image.size[1] * 72 / dpi
        c.setPageSize((width, height))
        buf = io.BytesIO()
        scan_look(image, seed=number).save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=width, height=height)
        if number in garbage_layer:
            text = c.beginText(40, height - 60)
            text.setTextRenderMode(3)  # invisible, as OCR layers are
            for i in range(30):
                text.textLine("~#|^ }{ ~~ %$ #@! ^^ |~| " * 2 + str(i))
            c.drawText(text)
        c.showPage()
    c.save()
    scanned = PdfReader(io.BytesIO(scans.getvalue()))
    original = PdfReader(source)
    writer = PdfWriter()
    for number in range(1, len(images) + 1):
        writer.add_page(original.pages[number - 1] if number in keep_text else scanned.pages[number - 1])
    if original.metadata:
        writer.add_metadata({k: v for k, v in original.metadata.items() if k in ("/Title", "/Author")})
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def unreadable_scan_pdf(path: Path, pages: int = 1, dpi: int = 150, seed: int = 0) -> Path:
    """A scan that OCR cannot read with Dutch or English: lines of random Cyrillic "words" (Tesseract
    finds Latin debris at a confidence of 20–30%)."""
    import random

    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader

    font_path = find_ttf()
    if font_path is None:
        raise RuntimeError("no TrueType font on this machine")
    rng = random.Random(seed)
    font = ImageFont.truetype(str(font_path), int(11 * dpi / 72))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        image = Image.new("L", (int(A4[0] * dpi / 72), int(A4[1] * dpi / 72)), 255)
        draw = ImageDraw.Draw(image)
        for row in range(30):
            words = ("".join(rng.choice("бвгджзийклмнпфцчшщыэюя") for _ in range(rng.randint(3, 9))) for _ in range(9))
            draw.text((int(0.8 * dpi), int((1 + row * 0.3) * dpi)), " ".join(words), font=font, fill=0)
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return path
