"""Dutch wording, for the app, of what ingest reports in English (statuses and one-line reasons).

App stage. Ingest speaks English to the CLI and the log; the library table and the upload messages
show the same facts in Dutch. A reason this table does not know is shown as a general Dutch sentence
with the English text as a technical detail, so the user is never left with English alone.
"""

from __future__ import annotations

import re

STATUS_NL = {
    "ingested": "ingelezen",
    "replaced": "bijgewerkt",
    "unchanged": "al aanwezig",
    "duplicate": "dubbel",
    "failed": "mislukt",
    "pruned": "verwijderd",
}


def _dutch_number(text: str) -> str:
    """ "5,000" → "5.000"; other text (a list of pages "1–3, 7") stays as it is."""
    return text.replace(",", ".") if re.fullmatch(r"[\d,.]+", text) else text


# (English reason, Dutch reason); groups of the pattern fill {0}, {1}, … of the Dutch text.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), nl)
    for p, nl in [
        (r"file is ([\d.]+) MB, over the (\d+) MB limit", "het bestand is {0} MB, groter dan de limiet van {1} MB"),
        (r"cannot read the file: permission denied", "het bestand kan niet worden gelezen: geen toegang"),
        (r"cannot read the file: (.+)", "het bestand kan niet worden gelezen ({0})"),
        (r"is a directory, not a PDF file", "dit is een map, geen PDF-bestand"),
        (r"empty file \(0 bytes\)", "leeg bestand (0 bytes)"),
        (r"not a PDF \(.*\)", "geen PDF (verkeerd bestandstype of extensie)"),
        (r"truncated or corrupt PDF \(.*\)", "afgebroken of beschadigde PDF: het einde van het bestand ontbreekt"),
        (r"corrupt PDF \(page (\d+)\): (.+)", "beschadigde PDF bij pagina {0} (technisch: {1})"),
        (r"corrupt PDF: (.+)", "beschadigde PDF (technisch: {0})"),
        (r"encrypted PDF that cannot be opened: (.+)", "versleutelde PDF die niet kan worden geopend (technisch: {0})"),
        (r"encrypted PDF: a password is required", "versleutelde PDF: er is een wachtwoord nodig"),
        (r"the PDF has no pages", "de PDF heeft geen pagina's"),
        (
            r"more than ([\d,]+) characters of text by page (\d+);.*",
            "meer dan {0} tekens tekst (bij pagina {1}); splits het document",
        ),
        (
            r"needs OCR: no text layer on pages (.+) \(OCR unavailable: (.+)\)",
            "gescande pagina's zonder tekstlaag (OCR nodig): {0}; OCR is niet beschikbaar: {1}",
        ),
        (r"needs OCR: no text layer on pages (.+)", "gescande pagina's zonder tekstlaag (OCR nodig): {0}"),
        (
            r"scanned pages without readable text: OCR found no text on pages (.+)",
            "gescande pagina's zonder leesbare tekst: OCR vond geen tekst op pagina {0}",
        ),
        (
            r"scanned pages not indexed: OCR confidence (\d+)% is below (\d+)% on pages (.+)",
            "gescande pagina's niet opgenomen: OCR-zekerheid {0}% is lager dan {1}% op pagina {2}",
        ),
        (r"OCR failed on pages (.+?): (.+)", "OCR mislukte op pagina {0} (technisch: {1})"),
        (r"OCR stopped: (.+)", "OCR gestopt: {0}"),
        (
            r"tesseract is not installed \(Debian packages tesseract-ocr, tesseract-ocr-nld\)",
            "Tesseract is niet geïnstalleerd (Debian-pakketten tesseract-ocr en tesseract-ocr-nld)",
        ),
        (
            r"tesseract has no language data for (\S+) \(Debian package (.+)\)",
            "Tesseract heeft geen taalgegevens voor {0} (Debian-pakket {1})",
        ),
        (
            r"tesseract does not run \(reinstall the Debian package tesseract-ocr\)",
            "Tesseract start niet (installeer het Debian-pakket tesseract-ocr opnieuw)",
        ),
        (r"rebuilt: it was stored by an older version of ingest", "opnieuw ingelezen met de nieuwe versie"),
        (
            r"rebuilt: its pages without a text layer are now read by OCR",
            "opnieuw ingelezen: de pagina's zonder tekstlaag worden nu met OCR gelezen",
        ),
        (r"the PDF contains no text", "de PDF bevat geen tekst"),
        (r"no usable text after cleaning", "na het opschonen bleef geen bruikbare tekst over"),
        (
            r"the file changed while it was being ingested; run ingest again",
            "het bestand veranderde tijdens het inlezen; probeer het opnieuw",
        ),
        (
            r"the file or folder name is not valid UTF-8; rename it",
            "de naam van het bestand of de map bevat ongeldige tekens; geef het een andere naam",
        ),
        (r"another file with this name is in this run", "er wordt al een ander bestand met deze naam ingelezen"),
        (r"parsing took longer than ([\d.]+) s; file refused", "het lezen duurde langer dan {0} seconden; geweigerd"),
        (r"the PDF parser crashed on this file", "de PDF-lezer liep vast op dit bestand"),
        (r"could not parse: (.+)", "kon niet worden gelezen (technisch: {0})"),
        (r"same content as (.+)", "zelfde inhoud als {0}"),
        (r"file is gone", "het bestand is er niet meer"),
    ]
]


def dutch_reason(reason: str) -> str:
    """The Dutch form of one of ingest's reasons (several warnings are joined with "; ")."""
    if not reason:
        return ""
    parts = [_translated(part) for part in reason.split("; ")]
    dutch = "; ".join(p for p in parts if p) if all(parts) else _translated(reason)
    return dutch if dutch is not None else f"kon niet worden ingelezen (technisch: {reason})"


def _translated(reason: str) -> str | None:
    for pattern, dutch in _REASONS:
        match = pattern.fullmatch(reason)
        if match:
            # a reason inside a reason (why OCR is unavailable) is translated too
            groups = [_translated(g) or _dutch_number(g) if g else "" for g in match.groups()]
            return dutch.format(*groups)
    return None
