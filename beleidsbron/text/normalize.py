"""Character-level normalisation of Dutch text: NFKC, unified hyphens, no control characters, single spaces.

Shared foundation (used by ingest's cleaning of PDF text and by the assistant's question hygiene), so
that a question and the passages it is matched against are normalised alike.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Control and format characters, plus lone surrogates (a broken /ToUnicode map can produce them; they
# cannot be encoded as UTF-8, so the embedder and the store would fail on them) and non-characters.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200c-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufffe\uffff]"
)
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": "-"})
# Bullet glyphs as PDFs deliver them at a line start: Unicode bullets, Symbol/Wingdings private-use code
# points, and DEL (some fonts map their bullet there; it is a control character otherwise).
_BULLET_GLYPH = re.compile(
    r"^[ \t]*(?:[\x7f\uf06e\uf076\uf0a7\uf0a8\uf0b7\uf0d8\uf0fc\uf0e0•▪◦●■‣∙○□➢►✓❖]|[-–*](?= +[^\W\d_]))[ \t]*"
)


def normalize(text: str) -> str:
    """NFKC, unified hyphens, no control characters, single spaces; keeps newlines; a bullet glyph at
    a line start becomes "• ". Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "\n".join(_BULLET_GLYPH.sub("• ", line, count=1) for line in text.split("\n"))
    # control characters go before NFKC: one between a letter and its accent would otherwise keep
    # the pair from composing until the next normalisation
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_HYPHENS)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
