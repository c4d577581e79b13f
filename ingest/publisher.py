"""The publisher of a document, and the evidence it was found by.

Part of ingest (PDF → *metadata* → store). Every organisation the first and last pages name is weighed
by where it stands, the way a librarian reads a document: a colophon's "Uitgave:" or "ontwikkeld door"
counts most, then the logo (read by OCR when it is a picture), the letterhead — also a side column —
and the cover, a ©, the signature, the PDF's Author field when it names an organisation, an author's
employer, a running header; who commissioned the document counts less than who made it, and an
organisation the running text merely mentions (a school foundation on a decision list) counts for
little. The source that weighs most for the chosen name is recorded as ``publisher_source``
(:data:`PUBLISHER_SOURCES`). Never a person, software or a product (a dashboard, a portal).
"""

from __future__ import annotations

import re
from collections import defaultdict

from ingest.meta_lines import (
    COPYRIGHT,
    SALUTATION,
    YEAR,
    MetaDoc,
    body_size,
    edge,
    in_paragraph,
    one_line,
    parts,
    with_continuation,
)
from ingest.organisations import (
    affiliations,
    logo_organisations,
    maker_name,
    minister_organisation,
    named_organisations,
    organisation_name,
)
from ingest.styled_lines import Line

# Where a publisher was found, with the weight of one sighting there.
PUBLISHER_SOURCES: dict[str, float] = {
    "colophon": 6.0,  # "Uitgave:", "Een uitgave van", "Dit is een uitgave van"
    "maker": 5.0,  # "Dit document is ontwikkeld/opgesteld door …"
    "logo": 5.0,  # the cover's logo or banner, read by OCR
    "letterhead": 4.0,  # the top (or foot) of the first page, the return address
    "side-column": 4.0,  # a letterhead column beside the letter (Rijkshuisstijl)
    "cover": 4.0,  # a cover page
    "title": 2.5,  # the first page's heading names it ("Besluitenlijst … van B&W van X"); a report's title may
    # name its subject instead, so less than a cover line or the letterhead
    "copyright": 4.0,
    "press-release": 3.0,  # the lead of a press release names who issues it
    "signature": 3.0,
    "pdf-author": 3.0,  # the PDF's Author field, when it names an organisation
    "affiliation": 2.0,  # an author's or participant's employer ("onderzoeker bij de VNG")
    "running-header": 2.0,  # a running header or footer, a sender line on a title or back page
    "commissioner": 1.5,  # "in opdracht van": who asked for the document, not who made it
    "first-page": 1.0,  # a short line elsewhere on the first page (an agenda item, a table cell)
    "mentions": 0.25,  # a mention in running text or in the addressee's block
    "kamerstuk": 0.0,  # a motie or Kamervragen without a named publisher: the Tweede Kamer's
}
MINIMUM_WEIGHT = 2.0  # less evidence than this names no publisher

_PUBLISHER_LABEL = re.compile(
    r"^(?:colofon\s*:?\s*)?(?:een\s+)?(?:uitgave|uitgever|uitgegeven\s+door|publicatie|publisher|published\s+by|"
    r"dit\s+is\s+een\s+uitgave)(?:\s+van)?\s*[:\-–]?(?:\s+(.*)|$)",
    re.I,
)
# Who made the document, in a sentence about it or a colophon line ("Dit document is ontwikkeld door …").
_MAKER = re.compile(
    r"\b(?:ontwikkeld|opgesteld|samengesteld|gemaakt|vervaardigd|geschreven|uitgevoerd|uitgebracht|"
    r"verzorgd|developed|prepared|produced)\s+(?:door|by)\s*:?\s+(?P<name>.+)",
    re.I,
)
_ABOUT_DOCUMENT = re.compile(
    r"(?:^|[.:]\s*)(?:dit|deze|de|het|this)\s+(?:\w+\s+){0,3}(?:is|werd|wordt|zijn|was)\s+(?:\w+\s+){0,2}$", re.I
)
_COMMISSIONED = re.compile(r"\b(?:in\s+opdracht\s+van|opdrachtgever\s*:?|commissioned\s+by)\s+(?P<name>.+)", re.I)
# A line naming who commissioned, funded or co-operated: not the publisher, or only weakly.
_SUPPORTING = re.compile(
    r"^(?:in\s+opdracht\s+van|opdrachtgever|met\s+(?:financiële\s+)?(?:steun|dank)|mede\s+mogelijk|"
    r"in\s+samenwerking\s+met|met\s+medewerking|ondersteund\s+door|gefinancierd\s+door)",
    re.I,
)
# Colophon labels that end the value of the one before them on the same line.
_NEXT_LABEL = re.compile(
    r"\s(?:auteurs?|tekst(?:en)?|redactie|eindredactie|jaar\s+van\s+uitgave|met\s+medewerking|vormgeving|"
    r"ontwerp|fotografie|foto's|druk(?:werk)?|isbn|contact|postbus|telefoon|e-?mail|www\.|opdrachtgever|"
    r"bezoekadres|illustraties?|inlichtingen|oktober|november|december|januari|februari|maart|april|mei|juni|"
    r"juli|augustus|september)\b.*$|\s©.*$",
    re.I,
)
_ADDRESSEE = re.compile(r"^(?:aan\b|de\s+voorzitter\s+van|voorzitter\s+van|t\.a\.v\.?|ter\s+attentie)", re.I)
_RETURN_ADDRESS = re.compile(r"\bretouradres\b", re.I)
_SIGNATURE_START = re.compile(
    r"^(?:hoogachtend|met\s+vriendelijke\s+groet|namens\s+deze|de\s+(?:minister|staatssecretaris)|"
    r"(?:het\s+college\s+van\s+)?burgemeester\s+en\s+wethouders|gedeputeerde\s+staten)",
    re.I,
)
_PRESS_RELEASE = re.compile(r"^(?:pers\s*bericht|persmededeling|nieuwsbericht|press\s+release)\b", re.I)
_DATE_OR_SUBJECT = re.compile(r"^(?:datum|betreft|onderwerp)\b", re.I)
_POSTCODE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")
_YEARS = re.compile(rf"\b{YEAR}(?:\s*[-–/]\s*(?:{YEAR}|\d\d))?\b")


class _Votes:
    """Weighted sightings of organisations, by source; the name is kept as first written."""

    def __init__(self) -> None:
        self.weight: defaultdict[str, float] = defaultdict(float)
        self.by_source: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.name: dict[str, str] = {}

    def add(self, name: str, source: str, weight: float | None = None) -> None:
        if not name:
            return
        key = name.lower()
        amount = PUBLISHER_SOURCES[source] if weight is None else weight
        self.name.setdefault(key, name)
        self.weight[key] += amount
        self.by_source[key][source] += amount

    def _merged(self) -> dict[str, float]:
        """Weights where a bare place ("Oostermeer", from "uitgave Oostermeer") counts for the organisation
        that bears its name ("Gemeente Oostermeer")."""
        merged = dict(self.weight)
        for key in list(merged):
            fuller = [k for k in self.weight if k != key and k.endswith(f" {key}") and len(k.split()) == 2]
            if len(fuller) == 1:
                merged[fuller[0]] += merged.pop(key)
                for source, amount in self.by_source[key].items():
                    self.by_source[fuller[0]][source] += amount
        return merged

    def best(self, minimum: float) -> tuple[str, str]:
        """The name with the most weight (at least ``minimum``; the first seen wins a tie) and the source
        that weighs most for it."""
        merged = self._merged()
        if not merged:
            return "", ""
        key = max(merged, key=lambda k: merged[k])
        if merged[key] < minimum:
            return "", ""
        sources = self.by_source[key]
        return self.name[key], max(sources, key=lambda s: sources[s])


def _labelled_publisher(value: str) -> str:
    value = _NEXT_LABEL.sub("", value).strip(" .,;:")
    value = re.split(r",\s+|\s+\(|\s+[|·–—]\s+", value)[0].strip(" .")
    name = organisation_name(value)
    if name:
        return name
    # a one-word name the colophon calls the publisher ("Movisie"); several capitalised words without
    # an organisation noun may be a person ("Marieke de Boer"), so those are not taken
    return value if re.fullmatch(r"[A-Z][\w\-]{2,40}", value) else ""


def mostly_organisation(text: str) -> bool:
    """Is the line an organisation's name (and little else), such as a sender or a logo text?"""
    name = organisation_name(text) or next(iter(named_organisations(text)), "")
    return bool(name) and len(name) >= 0.6 * len(text)


def _organisations(text: str) -> list[str]:
    """The organisations a short line names: by pattern, or a part of it that is one ("CDA 2026-2030")."""
    found = named_organisations(text)
    if found:
        return list(dict.fromkeys(found))
    names = (organisation_name(_YEARS.sub("", part).strip(" -–,")) for part in parts(text))
    return list(dict.fromkeys(n for n in names if n))


def _addressee_lines(doc: MetaDoc) -> set[int]:
    """Indices (in ``doc.lines``) of the first page's address block of the addressee: the lowest block at
    the letter's left margin that ends in a postcode, above the date, subject or salutation."""
    page = sorted(
        ((i, line) for i, line in enumerate(doc.lines) if line.page == 1 and line.size), key=lambda p: p[1].top
    )
    salutations = [line for _, line in page if SALUTATION.match(line.text)]
    labels = [line for _, line in page if _DATE_OR_SUBJECT.match(line.text)]
    if not salutations and not labels:
        return set()
    limit = min(line.top for line in salutations + labels)
    margin = salutations[0].left if salutations else min(line.left for _, line in page)
    postcodes = [
        (i, line)
        for i, line in page
        if _POSTCODE.search(line.text) and abs(line.left - margin) <= 3 and line.top < limit
    ]
    if not postcodes:
        return set()
    i, last = postcodes[-1]
    block = {i}
    top = last.top
    for j, line in reversed([p for p in page if p[1].top < last.top]):
        if abs(line.left - last.left) > 3 or top - line.bottom > 1.5 * max(line.size, 1.0):
            if abs(line.left - last.left) <= 3:
                break
            continue
        block.add(j)
        top = line.top
    return block


def _first_page_source(doc: MetaDoc, line: Line, body: float, sparse: bool) -> str:
    """What a short line on the first page is, by where it stands."""
    display = bool(body) and line.size >= 1.15 * body
    if display and not sparse and not mostly_organisation(line.text):
        return "title"  # the heading of a page of text (a decision list's meeting line), not a cover
    if doc.in_side_block(line) or (
        not sparse and line.size and line.left >= 0.6 * line.page_width and line.size <= body * 1.05
    ):
        return "side-column"
    if line.size and line.top < 0.2 * line.page_height:
        return "letterhead"
    if line.size and line.bottom > 0.9 * line.page_height:
        return "letterhead"  # the first page's foot: address, logo text
    if sparse or display:
        return "cover"
    return "first-page"


def _press_lead(doc: MetaDoc) -> list[str]:
    """Organisations named in the lead (first sentences) of a press release."""
    page = doc.page(1)
    start = next((i for i, line in enumerate(page) if _PRESS_RELEASE.match(line.text)), None)
    if start is None:
        return []
    body = body_size(doc)
    lead = [line.text for line in page[start + 1 :] if not body or abs(line.size - body) <= 0.1 * body][:4]
    return named_organisations(" ".join(lead))[:1]


def _logo_texts(lines: list[Line]) -> list[str]:
    """The logo's lines, a name broken after "en", "van" … joined with the line below it."""
    out: list[str] = []
    for line in lines:
        if out and re.search(r"\s(?:en|van|voor|der|de|den)$", out[-1]):
            out[-1] = f"{out[-1]} {line.text}"
        else:
            out.append(line.text)
    return out


def find_publisher(doc: MetaDoc, doc_type: str = "") -> tuple[str, str]:
    """The publisher and the source it was found by (a key of :data:`PUBLISHER_SOURCES`); ("", "") when
    the document does not say."""
    votes = _Votes()
    body = body_size(doc)
    sparse = len([line for line in doc.page(1) if line.size]) <= 15
    addressed = {id(doc.lines[i]) for i in _addressee_lines(doc)}
    lines = with_continuation(doc.lines)
    for i, (line, text) in enumerate(lines):
        nxt = lines[i + 1][1] if i + 1 < len(lines) and lines[i + 1][0].page == line.page else ""
        label = _PUBLISHER_LABEL.match(text)
        if label:
            votes.add(_labelled_publisher(label.group(1) or nxt), "colophon")
            continue
        phrase = f"{text} {nxt}"
        for match in _MAKER.finditer(phrase):
            if match.start() < len(text):  # a phrase that starts on the next line is read with that line
                about = bool(_ABOUT_DOCUMENT.search(phrase[: match.start()])) or len(text.split()) <= 8
                votes.add(maker_name(match.group("name")), "maker", None if about else 1.0)
        for match in _COMMISSIONED.finditer(phrase):
            if match.start() < len(text):
                votes.add(maker_name(match.group("name")), "commissioner")
        for match in COPYRIGHT.finditer(text):
            holder = re.split(r"[.,(]|\s+[|–—-]\s+|\s+alle\s+rechten", match.group(2), flags=re.I)[0]
            votes.add(organisation_name(holder), "copyright")
        if _SIGNATURE_START.match(text) or (line.page > 1 and minister_organisation(text)):
            votes.add(minister_organisation(text), "signature")
            for name in named_organisations(text):
                votes.add(name, "signature")
        for name in affiliations(text):
            votes.add(name, "affiliation")
        if _RETURN_ADDRESS.search(text):
            for name in _organisations(_RETURN_ADDRESS.split(text, 1)[1]):
                votes.add(name, "letterhead")
            continue
        if _ADDRESSEE.match(text) or id(line) in addressed:
            for name in named_organisations(text):
                votes.add(name, "mentions")
            continue
        if in_paragraph(doc.lines, line) or (len(text.split()) > 12 and not (line.page == 1 and i < 8)):
            for name in named_organisations(text):
                votes.add(name, "mentions")  # a mention in running text: only many of them count
            continue
        if _SUPPORTING.match(text):
            source, weight = "commissioner", None
        elif line.page == 1:
            source, weight = _first_page_source(doc, line, body, sparse), None
            if source == "letterhead" and line.bottom > 0.9 * line.page_height:
                weight = 3.0
        elif edge(line) or (mostly_organisation(text) and len(text.split()) <= 8):
            source, weight = "running-header", None  # a running header, a sender line on a title or back page
        else:
            source, weight = "first-page", None
        for name in _organisations(text):
            votes.add(name, source, weight)
    for name in _press_lead(doc):
        votes.add(name, "press-release")
    logo_texts = _logo_texts(doc.logos)
    for text in logo_texts:
        for name in logo_organisations(text):
            votes.add(name, "logo")
    if logo_texts and not any(logo_organisations(text) for text in logo_texts):
        for name in logo_organisations(" ".join(logo_texts)):  # a name stacked word by word
            votes.add(name, "logo")
    author = one_line(doc.info_author)
    votes.add(organisation_name(author), "pdf-author")
    for name in affiliations(author):
        votes.add(name, "affiliation")
    best = votes.best(MINIMUM_WEIGHT)
    if not best[0] and doc_type in ("motie", "kamervragen"):
        return "Tweede Kamer der Staten-Generaal", "kamerstuk"  # Kamerstukken: the Kamer publishes them
    return best
