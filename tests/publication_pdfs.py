"""Real PDFs laid out like Dutch public-sector publications, for the metadata tests.

Each builder places text the way such documents do — a cover with display type, a ministry letter with
letterhead, side column and signature, a Tweede Kamer motie, Kamervragen, a municipal budget, a council
decision list, a logo that is only a picture — with the PDF info fields as real files have them (a staff
member's name, software, a file name as Title). Everything is invented; nothing is copied from real
documents.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from evals.pdf_factory import find_ttf

WIDTH, HEIGHT = A4


@dataclass(frozen=True)
class Text:
    """One line (or a wrapped paragraph when ``wrap`` is set) at ``x`` points from the left and ``y``
    points from the top of the page."""

    x: float
    y: float
    text: str
    size: float = 10
    bold: bool = False
    tracking: float = 0.0  # extra space between letters, in points
    wrap: int = 0  # characters per line for a paragraph; 0 = one line


@dataclass(frozen=True)
class Picture:
    """Text set as a picture — a logo or banner: a round mark and the words beside it, pixels only (no
    text layer). ``x``, ``y`` as for :class:`Text` (top-left corner), size in points."""

    x: float
    y: float
    width: float
    height: float
    text: str
    size: float = 16


def _draw_picture(c: canvas.Canvas, item: Picture, dpi: int = 200) -> None:
    font_path = find_ttf("DejaVuSans-Bold.ttf") or find_ttf()
    if font_path is None:
        raise RuntimeError("no TrueType font on this machine")
    scale = dpi / 72
    image = Image.new("L", (int(item.width * scale), int(item.height * scale)), 255)
    draw = ImageDraw.Draw(image)
    mark = int(item.height * scale * 0.8)
    top = (image.height - mark) // 2
    draw.ellipse((4, top, 4 + mark, top + mark), fill=90)
    font = ImageFont.truetype(str(font_path), int(item.size * scale))
    draw.text((mark + int(10 * scale), image.height // 2), item.text, font=font, fill=0, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    c.drawImage(ImageReader(buffer), item.x, HEIGHT - item.y - item.height, width=item.width, height=item.height)


def body(y: float, paragraphs: list[str], x: float = 70, size: float = 10, wrap: int = 95) -> list[Text]:
    """Running text from ``y`` down, one Text per line."""
    out: list[Text] = []
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, wrap):
            out.append(Text(x, y, line, size))
            y += size * 1.4
        y += size * 0.8
    return out


def layout_pdf(
    path: Path, pages: list[list[Text | Picture]], title: str = "", author: str = "", created: str = ""
) -> Path:
    """A PDF with the given texts (and pictures) per page; ``created`` is a PDF date ("D:20240405120000")."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        for item in page:
            if isinstance(item, Picture):
                _draw_picture(c, item)
                continue
            font = "Helvetica-Bold" if item.bold else "Helvetica"
            lines = textwrap.wrap(item.text, item.wrap) if item.wrap else [item.text]
            for i, line in enumerate(lines):
                t = c.beginText(item.x, HEIGHT - item.y - i * item.size * 1.3)
                t.setFont(font, item.size)
                t.setCharSpace(item.tracking)
                t.textLine(line)
                c.drawText(t)
        c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    info = {"/Producer": "Testdrukkerij"}
    if title:
        info["/Title"] = title
    if author:
        info["/Author"] = author
    if created:
        info["/CreationDate"] = created
    writer.add_metadata(info)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


LOREM = [
    "De aanpak van kwetsbare wijken vraagt om een lange adem. Gemeenten, corporaties en maatschappelijke "
    "partners werken samen aan leefbaarheid, veiligheid en kansen voor bewoners.",
    "In 2030 moeten alle wijken in het programma een stap hebben gezet; tot 2040 loopt de langjarige "
    "inzet door. De middelen voor 2027 en 2028 zijn gereserveerd.",
]


def cover_report(path: Path) -> Path:
    """A report cover: title in large type, subtitle, organisation and month of publication; the Author
    field holds the name of the staff member who saved the file."""
    cover = [
        Text(70, 200, "Samen sterker in de wijk", 28, bold=True),
        Text(70, 240, "Lessen uit tien jaar wijkgericht werken", 14),
        Text(70, 600, "Gemeente Zuiderveen", 12, bold=True),
        Text(70, 618, "Maart 2024", 12),
    ]
    inside = [Text(70, 60, "Inhoud", 16, bold=True), *body(100, LOREM * 3)]
    last = [
        Text(70, 60, "Colofon", 14, bold=True),
        Text(70, 90, "Tekst: Marieke de Boer en Ahmed El Amrani", 9),
        Text(70, 104, "Vormgeving: Studio Rond", 9),
    ]
    return layout_pdf(
        path, [cover, inside, body(60, LOREM * 4), last], author="Marieke de Boer", created="D:20240312093000"
    )


def ministry_letter(path: Path, with_logo_text: bool = True) -> Path:
    """A letter to the Tweede Kamer in the Rijkshuisstijl: letterhead, side column, "Datum"/"Betreft" with
    their values beside them, a future year in the body, signature on page 2."""
    side = [
        Text(460, 150, "Directoraat-generaal Volkshuisvesting", 7, bold=True),
        Text(460, 160, "Turfmarkt 147", 7),
        Text(460, 169, "2511 DP Den Haag", 7),
        Text(460, 178, "Postbus 20011", 7),
        Text(460, 187, "2500 EA Den Haag", 7),
        Text(460, 205, "Kenmerk", 7, bold=True),
        Text(460, 214, "2024-0000187345", 7),
    ]
    logo = [Text(300, 60, "Ministerie van Binnenlandse Zaken en", 9), Text(300, 71, "Koninkrijksrelaties", 9)]
    first = [
        *(logo if with_logo_text else []),
        Text(70, 140, "> Retouradres Postbus 20011 2500 EA Den Haag", 6),
        Text(70, 160, "Aan de Voorzitter van de Tweede Kamer", 10),
        Text(70, 173, "der Staten-Generaal", 10),
        Text(70, 186, "Postbus 20018", 10),
        Text(70, 199, "2500 EA Den Haag", 10),
        *side,
        Text(70, 260, "Datum", 7),
        Text(130, 260, "4 april 2024", 10),
        Text(70, 275, "Betreft", 7),
        Text(130, 275, "Voortgang van de aanpak leefbaarheid en veiligheid", 10),
        Text(70, 320, "Geachte voorzitter,", 10),
        *body(345, LOREM * 2, wrap=75),
    ]
    second = [
        *body(80, LOREM, wrap=75),
        Text(70, 300, "De minister van Binnenlandse Zaken en Koninkrijksrelaties,", 10),
        Text(70, 360, "mr. drs. H.M. de Vries", 10),
    ]
    return layout_pdf(
        path,
        [first, second],
        title="Kamerbrief",
        author="Vries, H. de",
        created="D:20240403164500",
    )


def municipal_budget(path: Path) -> Path:
    """A municipal budget: "Programmabegroting 2026" on the cover, later years in its tables, adopted the
    year before; the Title field is the file name it was exported from."""
    cover = [
        Text(70, 250, "Programmabegroting 2026", 32, bold=True),
        Text(70, 300, "Gemeente Wassendorp", 16),
    ]
    reading = [
        Text(70, 60, "Leeswijzer", 16, bold=True),
        *body(90, ["Deze begroting bevat de programma's voor 2026 en de meerjarenraming tot en met 2029."]),
        Text(70, 200, "Indicator            2025      2026      2027      2028", 9),
        Text(70, 214, "Restafval per inwoner  205 kg    190 kg    175 kg    160 kg", 9),
    ]
    last = [
        Text(70, 100, "Aldus vastgesteld in de openbare vergadering van 6 november 2025.", 10),
        Text(70, 120, "De raad van de gemeente Wassendorp,", 10),
    ]
    return layout_pdf(
        path,
        [cover, reading, body(60, LOREM * 3), last],
        title="beleidsbibliotheek  Wassendorp begroting 2026",
        author="K. Smit",
        created="D:20251010120000",
    )


def motion(path: Path) -> Path:
    """A Tweede Kamer motie as printed in the Kamerstukken."""
    page = [
        Text(70, 80, "Tweede Kamer der Staten-Generaal", 14, bold=True),
        Text(400, 80, "2", 14),
        Text(70, 100, "Vergaderjaar 2023–2024", 9),
        Text(70, 130, "36 410 XXII", 10, bold=True),
        Text(160, 130, "Vaststelling van de begrotingsstaten van het Ministerie van", 10, bold=True),
        Text(160, 143, "Volkshuisvesting en Ruimtelijke Ordening voor het jaar 2024", 10, bold=True),
        Text(70, 175, "Nr. 12", 10, bold=True),
        Text(160, 175, "MOTIE VAN HET LID VAN DER BERG C.S.", 10, bold=True),
        Text(160, 195, "Voorgesteld 12 december 2023", 9),
        Text(160, 220, "De Kamer,", 10),
        Text(160, 240, "gehoord de beraadslaging,", 10),
        *body(265, ["overwegende dat de bouw van betaalbare woningen tot 2030 achterblijft;",
                    "verzoekt de regering, in 2025 met een plan te komen,",
                    "en gaat over tot de orde van de dag."], x=160, wrap=70),
        Text(160, 400, "Van der Berg", 10),
    ]  # fmt: skip
    return layout_pdf(path, [page], title="1175027", author="Tweede Kamer", created="D:20231212180000")


def parliamentary_questions(path: Path) -> Path:
    """Kamervragen with their answers, as in the Aanhangsel van de Handelingen."""
    page = [
        Text(70, 70, "Tweede Kamer der Staten-Generaal", 14, bold=True),
        Text(70, 92, "Aanhangsel van de Handelingen", 12),
        Text(70, 108, "Vragen gesteld door de leden der Kamer, met de daarop door de regering gegeven antwoorden", 8),
        Text(70, 130, "2024Z04512", 8),
        Text(70, 160, "Vragen van het lid Jansma (GroenLinks-PvdA) aan de minister van Volkshuisvesting en", 10),
        Text(70, 173, "Ruimtelijke Ordening over huurders in slecht onderhouden woningen (ingezonden 12 maart", 10),
        Text(70, 186, "2024).", 10),
        Text(70, 215, "Vraag 1", 10, bold=True),
        *body(232, ["Bent u bekend met het bericht dat huurders tot 2027 moeten wachten op herstel?"]),
        Text(70, 300, "Antwoord van minister De Jong (ontvangen 9 april 2024)", 10, bold=True),
        *body(317, LOREM),
    ]
    return layout_pdf(path, [page], author="TK-Griffie", created="D:20240410080000")


def decision_list(path: Path) -> Path:
    """A council decision list exported by meeting software, made long after the meeting."""
    page = [
        Text(70, 80, "Besluitenlijst", 20, bold=True),
        Text(70, 110, "Openbare vergadering van de gemeenteraad van Oostermeer", 12),
        Text(70, 130, "Datum: 11 maart 2008", 10),
        Text(70, 145, "Voorzitter: burgemeester A. Visser", 10),
        *body(180, ["1. Vaststelling van de agenda. Besluit: conform vastgesteld.",
                    "2. Woonvisie 2008-2019. Besluit: vastgesteld; evaluatie in 2019."]),
    ]  # fmt: skip
    return layout_pdf(path, [page], title="Besluitenlijst", author="iBabs", created="D:20190603100000")


def letter_spaced_article(path: Path) -> Path:
    """A survey article whose title is set letter-spaced; publisher in the running footer."""
    cover = [
        Text(70, 120, "Impact van de COVID-19-pandemie op vertrouwen", 22, bold=True, tracking=5),
        Text(70, 150, "in de lokale overheid", 22, bold=True, tracking=5),
        Text(70, 190, "Uitkomsten van een peiling onder raadsleden", 12),
        *body(240, LOREM),
        Text(70, 810, "VNG | Peiling lokaal vertrouwen | november 2022", 8),
    ]
    second = [*body(60, LOREM * 3), Text(70, 810, "VNG | Peiling lokaal vertrouwen | november 2022", 8)]
    return layout_pdf(path, [cover, second], title="Enquete_vertrouwen_def.xlsx", author="S. Bakker (analist)")


def ocr_dashboard(path: Path) -> Path:
    """A scanned dashboard with an OCR text layer: no title type, debris in the Author field."""
    page = [
        Text(70, 80, "Dashboard sociaal domein", 11),
        Text(70, 100, "Aantal cliënten 2023 1.204", 11),
        Text(70, 120, "Wachttijd (dagen) 43", 11),
    ]
    return layout_pdf(path, [page], title="Scan0001", author="105 © 54 Bl 2antal", created="D:20000101000000")


def plain_ministry_letter(path: Path) -> Path:
    """A ministry letter whose logo is an image (no text): the side column shares baselines with
    "Datum" and "Betreft", the subject wraps, page 2 repeats date and reference in its header, and only
    the signature names the ministry."""
    first = [
        Text(70, 140, "> Retouradres Postbus 20901 2500 EX Den Haag", 6),
        Text(70, 160, "De Voorzitter van de Tweede Kamer", 10),
        Text(70, 173, "der Staten-Generaal", 10),
        Text(70, 186, "Postbus 20018", 10),
        Text(70, 199, "2500 EA Den Haag", 10),
        Text(440, 250, "Directie Wonen", 7, bold=True),
        Text(440, 260, "Rijnstraat 8", 7),
        Text(440, 270, "2515 XP Den Haag", 7),
        Text(440, 290, "Ons kenmerk", 7, bold=True),
        Text(440, 300, "2023-0000554321", 7),
        Text(70, 260, "Datum", 7),
        Text(130, 260, "21 november 2023", 10),
        Text(70, 270, "Betreft", 7),
        Text(130, 270, "Stand van zaken programma Leefbaarheid en Veiligheid", 10),
        Text(130, 283, "in twintig focusgebieden", 10),
        Text(70, 330, "Geachte voorzitter,", 10),
        *body(355, LOREM, wrap=65),
    ]
    second = [
        Text(440, 40, "Datum 21 november 2023", 7),
        Text(440, 50, "Kenmerk 2023-0000554321", 7),
        *body(80, LOREM, wrap=65),
        Text(70, 300, "De Minister voor Volkshuisvesting en Ruimtelijke Ordening,", 10),
        Text(70, 360, "H.J. de Jong", 10),
    ]
    return layout_pdf(path, [first, second], author="Jong, Henk de", created="D:20231121110000")


def image_cover_report(path: Path) -> Path:
    """A report whose cover is a picture (no text): the title page is page 2, with the colophon."""
    title_page = [
        Text(70, 120, "Ruimte voor wonen en natuur", 24, bold=True),
        Text(70, 150, "Een verkenning van de opgaven tot 2050", 14),
        Text(70, 600, "Colofon", 9, bold=True),
        Text(70, 614, "© PBL Planbureau voor de Leefomgeving", 8),
        Text(70, 625, "Den Haag, 2024", 8),
        Text(70, 636, "PBL-publicatienummer: 5012", 8),
        Text(70, 647, "Eindredactie: J. Veenstra", 8),
    ]
    chapters = [Text(70, 60, "1 Inleiding", 16, bold=True), *body(100, LOREM * 4)]
    return layout_pdf(
        path, [[], title_page, chapters, body(60, LOREM * 4)], author="Veenstra, J.", created="D:20240118090000"
    )


def budget_with_footer(path: Path) -> Path:
    """A budget whose cover only says "Begroting 2026"; the municipality is named in the footer."""
    footer = "Gemeente Oostermeer - Begroting 2026"
    pages = [[Text(70, 300, "Begroting 2026", 36, bold=True)]]
    for n in range(2, 6):
        pages.append([*body(60, LOREM * 3), Text(70, 815, footer, 8), Text(500, 815, f"pagina {n}", 8)])
    return layout_pdf(path, pages, title="Begroting_2026_def_v3", author="gemeente\\pvdberg")


def provincial_proposal(path: Path) -> Path:
    """A provincial Statenvoorstel: "Statenvoorstel" in display type, the subject in the "Onderwerp"
    field, dated by its label."""
    page = [
        Text(70, 70, "Provincie Zuid-Holland", 11, bold=True),
        Text(70, 120, "Statenvoorstel", 24, bold=True),
        Text(70, 170, "Onderwerp:", 10, bold=True),
        Text(170, 170, "Vaststelling Energieprogramma 2024-2027", 10),
        Text(70, 185, "Datum:", 10, bold=True),
        Text(170, 185, "14 mei 2024", 10),
        Text(70, 200, "Nummer:", 10, bold=True),
        Text(170, 200, "PZH-2024-812345", 10),
        *body(240, ["Gedeputeerde Staten stellen Provinciale Staten voor het Energieprogramma 2024-2027 "
                    "vast te stellen, met doelen voor 2030 en 2050."]),
    ]  # fmt: skip
    last = [Text(70, 100, "Gedeputeerde Staten van Zuid-Holland,", 10), Text(70, 130, "de secretaris,", 10)]
    return layout_pdf(path, [page, body(60, LOREM * 3), last], author="Bakker", created="D:20240506100000")


def annual_accounts(path: Path) -> Path:
    """Jaarstukken adopted the following year."""
    cover = [
        Text(70, 260, "Jaarstukken 2024", 30, bold=True),
        Text(70, 300, "Jaarverslag en jaarrekening", 16),
        Text(70, 700, "Gemeente Zuiderveen", 12),
    ]
    last = [Text(70, 100, "Aldus vastgesteld in de openbare raadsvergadering van 3 juli 2025.", 10)]
    return layout_pdf(path, [cover, body(60, LOREM * 3), last], author="Marco Visser", created="D:20250415100000")


def woo_decision(path: Path) -> Path:
    """A decision on a Woo request, by letter from a municipality."""
    page = [
        Text(400, 60, "gemeente Oostermeer", 14, bold=True),
        Text(70, 160, "Aan: de heer J. Pieters", 10),
        Text(70, 220, "Datum: 2 februari 2024", 10),
        Text(70, 235, "Onderwerp: Besluit op uw Woo-verzoek over de wijkaanpak", 10),
        Text(70, 270, "Geachte heer Pieters,", 10),
        *body(290, ["Op 3 december 2023 heeft u een verzoek gedaan op grond van de Wet open overheid. "
                    "Wij besluiten de documenten gedeeltelijk openbaar te maken."]),
        Text(70, 420, "Met vriendelijke groet,", 10),
        Text(70, 435, "Burgemeester en wethouders van Oostermeer,", 10),
    ]  # fmt: skip
    return layout_pdf(path, [page], title="Microsoft Word - Woo-besluit 2024-012.docx", author="L. de Groot")


def guidance(path: Path) -> Path:
    """National guidance with a dated cover and the publisher on the colophon's next line."""
    cover = [Text(70, 200, "Handreiking generatieve AI", 26, bold=True), Text(70, 235, "voor overheden", 26, bold=True),
             Text(70, 300, "Januari 2025", 12)]  # fmt: skip
    last = [
        Text(70, 600, "Dit is een uitgave van:", 9),
        Text(70, 612, "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", 9),
        Text(70, 624, "Postbus 20011 | 2500 EA Den Haag", 9),
    ]
    return layout_pdf(
        path, [cover, body(60, LOREM * 3), body(60, LOREM * 3), last], author="A. de Wit", created="D:20250110100000"
    )


CITY = [
    "De gemeente werkt met partners aan de wijkaanpak. Het budget voor 2025 en 2026 is toegekend en in 2030 "
    "moeten de doelen zijn gehaald.",
    "Bewoners worden betrokken via wijkraden en buurtbudgetten.",
]


def compact_letter(path: Path) -> Path:
    """A letter with label and value in one string ("Betreft Voortgang …"), the subject wrapping under its
    value, the ministry only in a two-line signature, and a plausible but shorter Title field."""
    first = [
        Text(70, 130, "> Retouradres Postbus 20011 2500 EA Den Haag", 6),
        Text(70, 150, "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal", 9),
        Text(70, 162, "Postbus 20018", 9),
        Text(70, 230, "Datum 12 maart 2024", 8),
        Text(70, 242, "Betreft Voortgang van de wijkaanpak in de", 8),
        Text(104, 253, "veertig aandachtswijken", 8),
        Text(420, 230, "Directoraat-generaal Wonen", 7),
        Text(70, 300, "Geachte voorzitter,", 9),
        *body(320, CITY * 3, size=9),
    ]
    second = [
        *body(60, CITY, size=9),
        Text(70, 250, "De staatssecretaris van Binnenlandse Zaken en", 9),
        Text(70, 262, "Koninkrijksrelaties,", 9),
        Text(70, 320, "A.B. van Dijk", 9),
    ]
    return layout_pdf(
        path, [first, second], title="Kamerbrief over de voortgang van de wijkaanpak", author="Dijk, A.B. van",
        created="D:20240312150000",
    )  # fmt: skip


def bnc_fiche(path: Path) -> Path:
    """A BNC-fiche: numbered title line, labelled facts in two columns, no cover."""
    page = [
        Text(70, 70, "Fiche 3: Mededeling over betaalbare woningen in Europa", 12, bold=True),
        Text(70, 100, "1. Algemene gegevens", 10, bold=True),
        Text(70, 135, "b) Datum ontvangst Commissiedocument", 9),
        Text(260, 135, "14 februari 2024", 9),
        Text(70, 150, "h) Eerstverantwoordelijk ministerie", 9),
        Text(260, 150, "Ministerie van Volkshuisvesting en Ruimtelijke Ordening", 9),
        *body(190, CITY * 2, size=9),
    ]
    return layout_pdf(path, [page, body(60, CITY * 4, size=9)], author="BNC secretariaat", created="D:20240301100000")


def provincial_capitals(path: Path) -> Path:
    """A provincial voordracht whose sender is set in capitals and dated "Haarlem, 12 maart 2024"."""
    page = [
        Text(70, 60, "PROVINCIALE STATEN VAN NOORD-HOLLAND", 11, bold=True),
        Text(70, 100, "Voordracht 45", 16, bold=True),
        Text(70, 130, "Onderwerp", 9, bold=True),
        Text(160, 130, "Regionale Energiestrategie 2.0", 9),
        Text(70, 160, "Haarlem, 12 maart 2024", 9),
        *body(200, CITY * 2, size=9),
    ]
    return layout_pdf(path, [page, body(60, CITY * 3)], author="nh\\jansenp", created="D:20240312100000")


def council_proposal(path: Path) -> Path:
    """A raadsvoorstel whose subject names a policy plan: the form decides the type."""
    page = [
        Text(70, 50, "Gemeente Heuvelrug", 12, bold=True),
        Text(70, 100, "Raadsvoorstel", 18, bold=True),
        Text(70, 130, "Onderwerp:", 9),
        Text(200, 130, "Woonvisie 2024-2030", 9),
        Text(70, 143, "Portefeuillehouder:", 9),
        Text(200, 143, "wethouder J. Bos", 9),
        Text(70, 156, "Datum collegebesluit:", 9),
        Text(200, 156, "5 maart 2024", 9),
        *body(190, CITY * 2, size=9),
    ]
    return layout_pdf(path, [page, body(60, CITY * 3)], author="J. Bos", created="D:20240305100000")


def network_proposition(path: Path) -> Path:
    """A city network's proposition: the network named small in a corner and in the © line."""
    cover = [
        Text(420, 50, "G40 Stedennetwerk", 10, bold=True),
        Text(70, 250, "Sterke steden, sterk land", 30, bold=True),
        Text(70, 290, "Propositie aan het kabinet", 16),
        Text(70, 700, "September 2023", 11),
    ]
    last = [Text(70, 700, "© G40 Stedennetwerk, 2023", 8)]
    return layout_pdf(
        path, [cover, body(60, CITY * 4), body(60, CITY * 4), last], author="Ellen Smit", created="D:20230915100000"
    )


def side_column_letter(path: Path) -> Path:
    """A letter in the Rijkshuisstijl whose sender is named only in the letterhead column beside the text
    (no logo text, a person signs); the addressee's block and the running text name a municipality."""
    side = [
        Text(460, 150, "Inspectie Leefomgeving en", 7, bold=True),
        Text(460, 159, "Transport", 7, bold=True),
        Text(460, 175, "Rijnstraat 8", 7),
        Text(460, 184, "2515 XP Den Haag", 7),
        Text(460, 202, "Contactpersoon", 7, bold=True),
        Text(460, 211, "R. Verhoef", 7),
        Text(460, 229, "Ons kenmerk", 7, bold=True),
        Text(460, 238, "ILT-2024/88123", 7),
    ]
    first = [
        Text(70, 140, "> Retouradres Postbus 16191 2500 BD Den Haag", 6),
        Text(70, 160, "Gemeente Oostermeer", 10),
        Text(70, 173, "T.a.v. het college van burgemeester en wethouders", 10),
        Text(70, 186, "Postbus 10", 10),
        Text(70, 199, "1790 AA Oostermeer", 10),
        *side,
        Text(70, 260, "Datum", 7),
        Text(130, 260, "18 juni 2024", 10),
        Text(70, 275, "Betreft", 7),
        Text(130, 275, "Toezicht op de veiligheid van portiekflats", 10),
        Text(70, 320, "Geachte college,", 10),
        *body(345, ["In mei 2024 bezochten wij twaalf portiekflats in de gemeente Oostermeer. De gemeente Oostermeer "
                    "werkt met de corporaties aan herstel; de gemeente Oostermeer en de corporaties melden de "
                    "voortgang in 2025.", *LOREM], wrap=70),
    ]  # fmt: skip
    second = [
        *body(80, LOREM, wrap=70),
        Text(70, 300, "Met vriendelijke groet,", 10),
        Text(70, 360, "ir. M. Bakker", 10),
        Text(70, 373, "Inspecteur-generaal", 10),
    ]
    return layout_pdf(path, [first, second], title="Brief", author="Verhoef, R.", created="D:20240618120000")


def kamerstuk_letter(path: Path) -> Path:
    """A minister's letter as printed in the Kamerstukken: dossier number and title, item number and kind."""
    page = [
        Text(70, 80, "Tweede Kamer der Staten-Generaal", 14, bold=True),
        Text(400, 80, "2", 14),
        Text(70, 100, "Vergaderjaar 2023–2024", 9),
        Text(70, 130, "32 847", 10, bold=True),
        Text(160, 130, "Integrale visie op de woningmarkt", 10, bold=True),
        Text(70, 160, "Nr. 1120", 10, bold=True),
        Text(160, 160, "BRIEF VAN DE MINISTER VOOR VOLKSHUISVESTING EN RUIMTELIJKE", 10, bold=True),
        Text(160, 173, "ORDENING", 10, bold=True),
        Text(160, 200, "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal", 9),
        Text(160, 220, "Den Haag, 15 februari 2024", 9),
        *body(245, CITY * 3, x=160, wrap=70),
        Text(160, 520, "De Minister voor Volkshuisvesting en Ruimtelijke Ordening,", 9),
        Text(160, 535, "H.M. de Jong", 9),
    ]
    return layout_pdf(path, [page], title="kst-32847-1120", author="Tweede Kamer", created="D:20240216060000")


LINDEWAARD = "Gemeente Lindewaard"


def logo_cover_report(path: Path) -> Path:
    """A report whose publisher is named only in the cover's logo, a picture without a text layer."""
    cover = [
        Picture(60, 40, 300, 50, LINDEWAARD),
        Text(70, 300, "Wonen in de Vlinderbuurt", 28, bold=True),
        Text(70, 340, "Uitkomsten van de bewonersavonden", 14),
        Text(70, 700, "Mei 2024", 12),
    ]
    return layout_pdf(
        path, [cover, body(60, LOREM * 3), body(60, LOREM * 3)], author="P. de Groot", created="D:20240521100000"
    )


def colophon_guidance(path: Path) -> Path:
    """Guidance whose colophon says who developed it, for whom, and which people took part (each with their
    employer); the PDF Author is one of those people."""
    cover = [Text(70, 250, "Handreiking wonen met zorg in de wijk", 26, bold=True)]
    colophon = [
        Text(70, 80, "Colofon", 14, bold=True),
        *body(110, ["Deze handreiking is ontwikkeld door het Expertisecentrum Wonen en Zorg in opdracht van het "
                    "Ministerie van Volksgezondheid, Welzijn en Sport."], wrap=80),
        Text(70, 170, "Met bijdragen van:", 9),
        Text(70, 182, "• Anna de Wit (Expertisecentrum Wonen en Zorg)", 9),
        Text(70, 194, "• Karim Aydin (adviseur bij de VNG)", 9),
        Text(70, 230, "Versie 1.0 (juni 2024)", 9),
    ]  # fmt: skip
    return layout_pdf(
        path, [cover, body(60, LOREM * 3), body(60, LOREM * 3), colophon], author="Anna de Wit",
        created="D:20240612100000",
    )  # fmt: skip


def header_table_decision_list(path: Path) -> Path:
    """A college's decision list: its meeting line as heading, a header table (label | value), agenda items
    of which two name a foundation; exported by meeting software."""
    page = [
        Text(70, 80, "Besluitenlijst van de vergadering van het college van", 14, bold=True),
        Text(70, 98, "burgemeester en wethouders van Lindewaard", 14, bold=True),
        Text(70, 140, "Datum", 9),
        Text(170, 140, "14-05-2024", 9),
        Text(70, 154, "Tijd", 9),
        Text(170, 154, "09:30 - 12:15", 9),
        Text(70, 168, "Locatie", 9),
        Text(170, 168, "Raadhuis, kamer 2", 9),
        Text(70, 182, "Voorzitter", 9),
        Text(170, 182, "burgemeester P. Jansen", 9),
        Text(70, 230, "1", 9),
        Text(110, 230, "Opening en mededelingen", 9),
        Text(70, 255, "2", 9),
        Text(110, 255, "Subsidieaanvraag Stichting Kinderopvang Lindewaard", 9),
        Text(110, 268, "Besluit: de subsidie voor 2024 te verlenen.", 9),
        Text(70, 293, "3", 9),
        Text(110, 293, "Huurovereenkomst Stichting Kinderopvang Lindewaard", 9),
        Text(110, 306, "Besluit: in te stemmen met de verlenging tot 2026.", 9),
    ]
    last = [
        Text(70, 100, "Vastgesteld in de vergadering gehouden op 21 mei 2024.", 9),
        Text(70, 120, "De secretaris, De voorzitter,", 9),
    ]
    return layout_pdf(path, [page, last], title="Besluitenlijst", author="iBabs", created="D:20240522080000")


def letter_for_scanning(path: Path) -> Path:
    """A municipal letter as it is before it is printed and scanned: letterhead, date and subject labels."""
    page = [
        Text(380, 60, LINDEWAARD, 14, bold=True),
        Text(380, 78, "Postbus 200, 1790 AB Lindewaard", 8),
        Text(70, 160, "De heer K. Smit", 10),
        Text(70, 173, "Dorpsstraat 3", 10),
        Text(70, 186, "1791 CD Lindewaard", 10),
        Text(70, 240, "Datum: 3 oktober 2023", 10),
        Text(70, 255, "Onderwerp: Uw verzoek om een buurtbudget", 10),
        Text(70, 290, "Geachte heer Smit,", 10),
        *body(310, ["Op 12 september 2023 ontvingen wij uw verzoek om een buurtbudget voor de speeltuin. "
                    "Wij kennen u een bedrag toe voor 2024 en 2025.", *LOREM], wrap=80),
        Text(70, 520, "Met vriendelijke groet,", 10),
        Text(70, 535, "Burgemeester en wethouders van Lindewaard,", 10),
    ]  # fmt: skip
    return layout_pdf(path, [page], created="D:20231003090000")


# (builder, title, publisher, year, type): what a librarian would record for each document.
EXPECTED = [
    (cover_report, "Samen sterker in de wijk", "Gemeente Zuiderveen", 2024, "rapport"),
    (ministry_letter, "Voortgang van de aanpak leefbaarheid en veiligheid",
     "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", 2024, "brief"),
    (municipal_budget, "Programmabegroting 2026", "Gemeente Wassendorp", 2026, "begroting"),
    (motion, "Motie van het lid Van der Berg c.s.", "Tweede Kamer der Staten-Generaal", 2023, "motie"),
    (parliamentary_questions, "Vragen van het lid Jansma (GroenLinks-PvdA) aan de minister van Volkshuisvesting "
     "en Ruimtelijke Ordening over huurders in slecht onderhouden woningen", "Tweede Kamer der Staten-Generaal",
     2024, "kamervragen"),
    (decision_list, "Besluitenlijst Openbare vergadering van de gemeenteraad van Oostermeer 11 maart 2008",
     "Gemeente Oostermeer", 2008, "besluitenlijst"),
    (letter_spaced_article, "Impact van de COVID-19-pandemie op vertrouwen in de lokale overheid", "VNG", 2022,
     "rapport"),
    (ocr_dashboard, "Dashboard sociaal domein", "", None, ""),
    (plain_ministry_letter, "Stand van zaken programma Leefbaarheid en Veiligheid in twintig focusgebieden",
     "Ministerie van Volkshuisvesting en Ruimtelijke Ordening", 2023, "brief"),
    (image_cover_report, "Ruimte voor wonen en natuur", "PBL Planbureau voor de Leefomgeving", 2024, "rapport"),
    (budget_with_footer, "Begroting 2026", "Gemeente Oostermeer", 2026, "begroting"),
    (provincial_proposal, "Vaststelling Energieprogramma 2024-2027", "Provincie Zuid-Holland", 2024, "voorstel"),
    (annual_accounts, "Jaarstukken 2024", "Gemeente Zuiderveen", 2024, "jaarverslag"),
    (woo_decision, "Besluit op uw Woo-verzoek over de wijkaanpak", "Gemeente Oostermeer", 2024, "besluit"),
    (guidance, "Handreiking generatieve AI voor overheden", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
     2025, "handreiking"),
    (compact_letter, "Voortgang van de wijkaanpak in de veertig aandachtswijken",
     "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", 2024, "brief"),
    (bnc_fiche, "Fiche 3: Mededeling over betaalbare woningen in Europa",
     "Ministerie van Volkshuisvesting en Ruimtelijke Ordening", 2024, "fiche"),
    (provincial_capitals, "Regionale Energiestrategie 2.0", "Provincie Noord-Holland", 2024, "voorstel"),
    (council_proposal, "Woonvisie 2024-2030", "Gemeente Heuvelrug", 2024, "voorstel"),
    (network_proposition, "Sterke steden, sterk land", "G40 Stedennetwerk", 2023, ""),
    (side_column_letter, "Toezicht op de veiligheid van portiekflats", "Inspectie Leefomgeving en Transport", 2024,
     "brief"),
    (colophon_guidance, "Handreiking wonen met zorg in de wijk", "Expertisecentrum Wonen en Zorg", 2024,
     "handreiking"),
    (kamerstuk_letter, "Integrale visie op de woningmarkt – Brief van de minister voor volkshuisvesting en "
     "ruimtelijke ordening", "Tweede Kamer der Staten-Generaal", 2024, "brief"),
    (header_table_decision_list, "Besluitenlijst van de vergadering van het college van burgemeester en wethouders "
     "van Lindewaard 14 mei 2024", LINDEWAARD, 2024, "besluitenlijst"),
]  # fmt: skip
