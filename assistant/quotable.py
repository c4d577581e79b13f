"""What an answer may quote: real content, never a colophon, a table of contents or publisher boilerplate.

Assistant stage (evidence windows → *quotable units* → answer). The reader only forms windows of units
that pass :func:`quotable`; the app's key points use the same test. All patterns are general Dutch
publication conventions, none is taken from a particular corpus.
"""

from __future__ import annotations

import re

_SKIP_SECTIONS = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:colofon|inhoud|inhoudsopgave|contents|literatuur(?:lijst)?|"
    r"bronnen(?:lijst)?|referenties|bibliografie|verantwoording colofon)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"alle rechten voorbehouden|all rights reserved|\bisbn\b|niets uit deze uitgave|overname van (?:tekst|delen)|"
    r"^©|\s©\s|aan deze (?:uitgave|publicatie) kunnen geen rechten",
    re.IGNORECASE,
)
_LABELS = re.compile(r"(?:^|\s)[A-ZÀ-Ý][\w'’]*(?:\s[\w'’]+)?:\s")  # "Uitgave: …", "Jaar van uitgave: …"
_DOT_LEADERS = re.compile(r"\.{4,}|(?:\. ){3,}|…{2,}")
META = re.compile(  # a sentence about the document rather than its subject
    r"\b(?:deze|dit|die) (?:notitie|publicatie|rapport|document|uitgave|verkenning|handreiking|"
    r"hoofdstuk|paragraaf|brochure|factsheet|achtergrondnotitie|studie)\b|\bhoofdstuk \d|"
    r"\bin (?:het )?volgende hoofdstuk|^(?:tabel|figuur|grafiek|kader|bron)\s*\d*\b",
    re.IGNORECASE,
)
_SOURCE_MARKER = re.compile(r"\s*\[\d{1,3}\]")
# Words that name the kind of answer rather than its subject ("hoeveel geld", "in welk jaar").


def quotable(body: str, kind: str, heading: str) -> bool:
    """Whether a unit may be quoted in an answer: real content, no colophon, table of contents or
    publisher boilerplate, no sentence fragment. ``body`` is the unit's text (a list item's without its
    marker), ``kind`` its unit kind (:data:`beleidsbron.document.UnitKind`)."""
    if kind == "heading" or _SKIP_SECTIONS.match(heading) or _BOILERPLATE.search(body):
        return False
    if kind in ("row", "header"):
        return sum(c.isalnum() for c in body) >= 2
    if _DOT_LEADERS.search(body) or len(_LABELS.findall(body)) >= 2:
        return False  # a table-of-contents line, a colophon or metadata strip ("Uitgave: … Titel: …")
    if len(body) < 25 or len(body.split()) < 4 or len(body) > 900:
        return False
    if kind == "sentence" and not (body[0].isupper() or body[0].isdigit() or body[0] in "\"'‘“(€"):
        return False  # a fragment: the sentence began before a page or column break we could not join
    return sum(c.isalpha() for c in body) >= 0.5 * len(body)


def clean_quote(text: str) -> str:
    """A unit as it appears in an answer: the PDF's own "[n]" markers removed (they would read as ours)."""
    return _SOURCE_MARKER.sub("", text).strip()
