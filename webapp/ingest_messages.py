"""Dutch wording, for the app, of what ingest reports (statuses and reasons).

App stage. Ingest reports every refusal and note as a code with parameters
(:class:`beleidsbron.reasons.Reason`); the CLI shows their English form, the library table and the upload
messages show the same facts in Dutch, written here for every code. A status record from before reasons
had codes carries only its English text, which is shown as the technical detail of a general sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from beleidsbron.reasons import Code, Reason, earlier, format_pages, tesseract_packages

STATUS_NL = {
    "ingested": "ingelezen",
    "replaced": "bijgewerkt",
    "unchanged": "al aanwezig",
    "duplicate": "dubbel",
    "failed": "mislukt",
    "pruned": "verwijderd",
}


def _number(value: float, decimals: int = 0) -> str:
    """12345.6 → "12.345,6": Dutch separators."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


DUTCH: dict[Code, Callable[[dict[str, Any]], str]] = {
    Code.TOO_LARGE: lambda p: (
        f"het bestand is {_number(p['size_mb'], 1)} MB, groter dan de limiet van {_number(p['limit_mb'])} MB"
    ),
    Code.PERMISSION_DENIED: lambda p: "het bestand kan niet worden gelezen: geen toegang",
    Code.UNREADABLE: lambda p: f"het bestand kan niet worden gelezen ({p['detail']})",
    Code.DIRECTORY: lambda p: "dit is een map, geen PDF-bestand",
    Code.EMPTY: lambda p: "leeg bestand (0 bytes)",
    Code.NOT_PDF: lambda p: "geen PDF (verkeerd bestandstype of extensie)",
    Code.TRUNCATED: lambda p: "afgebroken of beschadigde PDF: het einde van het bestand ontbreekt",
    Code.CORRUPT: lambda p: f"beschadigde PDF (technisch: {p['detail']})",
    Code.CORRUPT_PAGE: lambda p: f"beschadigde PDF bij pagina {p['page']} (technisch: {p['detail']})",
    Code.ENCRYPTED_UNSUPPORTED: lambda p: f"versleutelde PDF die niet kan worden geopend (technisch: {p['detail']})",
    Code.PASSWORD: lambda p: "versleutelde PDF: er is een wachtwoord nodig",
    Code.NO_PAGES: lambda p: "de PDF heeft geen pagina's",
    Code.TOO_MUCH_TEXT: lambda p: (
        f"meer dan {_number(p['limit'])} tekens tekst (bij pagina {p['page']}); splits het document"
    ),
    Code.NEEDS_OCR: lambda p: f"gescande pagina's zonder tekstlaag (OCR nodig): {format_pages(p['pages'])}",
    Code.NO_TEXT: lambda p: "de PDF bevat geen tekst",
    Code.NO_USABLE_TEXT: lambda p: "na het opschonen bleef geen bruikbare tekst over",
    Code.CHANGED: lambda p: "het bestand veranderde tijdens het inlezen; probeer het opnieuw",
    Code.BAD_NAME: lambda p: "de naam van het bestand of de map bevat ongeldige tekens; geef het een andere naam",
    Code.NAME_CLASH: lambda p: "er wordt al een ander bestand met deze naam ingelezen",
    Code.TIMEOUT: lambda p: f"het lezen duurde langer dan {p['seconds']:g} seconden; geweigerd",
    Code.CRASHED: lambda p: "de PDF-lezer liep vast op dit bestand",
    Code.PARSE_ERROR: lambda p: f"kon niet worden gelezen (technisch: {p['detail']})",
    Code.DUPLICATE: lambda p: f"zelfde inhoud als {p['original']}",
    Code.GONE: lambda p: "het bestand is er niet meer",
    Code.REBUILT: lambda p: "opnieuw ingelezen: het was opgeslagen door een oudere versie van het inlezen",
    Code.OCR_NO_TEXT: lambda p: (
        f"gescande pagina's zonder leesbare tekst: OCR vond geen tekst op pagina {format_pages(p['pages'])}"
    ),
    Code.OCR_LOW_CONFIDENCE: lambda p: (
        f"gescande pagina's niet opgenomen: OCR-zekerheid {p['confidence']:.0f}% is lager dan "
        f"{p['floor']:.0f}% op pagina {format_pages(p['pages'])}"
    ),
    Code.OCR_FAILED: lambda p: f"OCR mislukte op pagina {format_pages(p['pages'])} (technisch: {p['detail']})",
    Code.OCR_UNAVAILABLE: lambda p: f"OCR is niet beschikbaar: {_ocr_missing(p)}",
    Code.REBUILT_FOR_OCR: lambda p: "opnieuw ingelezen: de pagina's zonder tekstlaag worden nu met OCR gelezen",
    Code.MOVED: lambda p: f"verplaatst: de nieuwe plek van het bestand is vastgelegd (het stond op {p['was']})",
    Code.FAILED_BEFORE: lambda p: (
        f"mislukte al eerder ({dutch(earlier(p))}); niet opnieuw gelezen, want het bestand en de instellingen zijn "
        "niet veranderd (opnieuw proberen: python -m ingest --retry-failed)"
    ),
}


def _ocr_missing(p: dict[str, Any]) -> str:
    if p["missing"] == "program":
        return "Tesseract is niet geïnstalleerd (Debian-pakketten tesseract-ocr en tesseract-ocr-nld)"
    if p["missing"] == "languages":
        return f"Tesseract heeft geen taalgegevens voor {p['languages']} (Debian-pakket {tesseract_packages(p)})"
    return "Tesseract start niet (installeer het Debian-pakket tesseract-ocr opnieuw)"


def dutch(reasons: Sequence[Reason]) -> str:
    """The Dutch line of ingest's reasons for one file (joined with "; ")."""
    return "; ".join(DUTCH[r.code](r.params) for r in reasons)


def dutch_status_reason(reasons: Sequence[Reason], text: str) -> str:
    """A stored status's reason in Dutch; a record without codes (older ingest) shows its English text."""
    if reasons:
        return dutch(reasons)
    return f"kon niet worden ingelezen (technisch: {text})" if text else ""
