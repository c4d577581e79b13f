"""Dutch text cleaning: raw pypdf page text → clean page text with paragraphs and headings.

Second step of ingest (corpus → *clean text* → chunks → embeddings → store). What a reader sees in
an answer comes from here, so layout noise must not survive it:

- Unicode NFKC (ligatures such as "ﬁ" become "fi"), soft hyphens, odd spaces and control characters;
- running headers, footers and page numbers (lines that repeat across pages, digits ignored);
- line-end hyphenation ("gemeen-\\nten" → "gemeenten") while real hyphens stay ("G32-steden",
  "Noord-Holland", "sociaal-economisch");
- footnote markers glued to words ("wijken1 in" → "wijken in");
- wrapped lines joined into paragraphs; headings kept as their own paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Control and format characters, plus lone surrogates (a broken /ToUnicode map can produce them; they
# cannot be encoded as UTF-8, so the embedder and the store would fail on them) and non-characters.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200c-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufffe\uffff]"
)
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": "-"})
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|van|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•▪◦●■‣∙·\-–—*]|\d{1,2}[.)]|[a-z][.)])\s+")
_FOOTNOTE_MARK = re.compile(r"(?<![\w-])([a-zà-ÿ]{2,})\d{1,2}(?=[\s.,;:!?)]|$)")
_FOOTNOTE_AFTER_PUNCT = re.compile(r"(?<=[a-zà-ÿ)'’”][.,;:!?'’”)])\d{1,2}(?=[\s.,;:]|$)")
_FOOTNOTE_LINE = re.compile(r"^\d{1,2}\s+[A-ZÀ-Ý]")
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)]$")
_NUMBERED_HEADING = re.compile(r"^(?:hoofdstuk\s+)?\d{1,2}(?:\.\d{1,2})*\.?\s+\S", re.IGNORECASE)

# Line-end hyphenation decisions.
_KEEP_PREFIXES = {"ex", "oud", "niet", "non", "vice", "anti", "pro", "co"}
_ADJECTIVE_END = re.compile(r"(?:aal|ale|eel|ele|isch|ische|ief|ieve|iek|ieke|lijk|lijke|air|aire|ant|ante)$")
_VOWEL_CLASH = {"aa", "ee", "ii", "oo", "uu", "ei", "eu", "oe"}
_WORD_CHARS = r"A-Za-zÀ-ÖØ-öø-ÿ0-9"
_WORD = re.compile(rf"[{_WORD_CHARS}]+(?:-[{_WORD_CHARS}]+)*")


@dataclass(frozen=True)
class CleanPage:
    """Clean text of one PDF page; ``headings`` are (offset, text) of heading paragraphs."""

    number: int  # 1-based
    text: str
    headings: tuple[tuple[int, str], ...] = ()


def normalize(text: str) -> str:
    """NFKC, unified hyphens, no control characters, single spaces; keeps newlines. Idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    # control characters go before NFKC: one between a letter and its accent would otherwise keep
    # the pair from composing until the next normalisation
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_HYPHENS)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _line_key(line: str) -> str:
    """How a header/footer line is recognised across pages: digits and case do not matter."""
    return _DIGITS.sub("#", line.lower()).strip()


def find_running_lines(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Keys of lines that repeat at the top or bottom of many pages (running headers/footers)."""
    with_text = [lines for lines in pages if lines]
    if len(with_text) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in with_text:
        counts.update({_line_key(line) for line in lines[:edge] + lines[-edge:]})
    threshold = max(3, int(0.4 * len(with_text)))
    return {key for key, n in counts.items() if n >= threshold and len(key) < 120}


def strip_running_lines(lines: list[str], running: set[str], edge: int = 3) -> list[str]:
    """Remove running headers/footers and bare page numbers from the edges of one page."""
    top, bottom = lines[:edge], lines[edge:]
    keep_top = [ln for ln in top if _line_key(ln) not in running and not _PAGE_NUMBER.match(ln)]
    if len(bottom) > edge:
        middle, tail = bottom[:-edge], bottom[-edge:]
    else:
        middle, tail = [], bottom
    keep_tail = [ln for ln in tail if _line_key(ln) not in running and not _PAGE_NUMBER.match(ln)]
    return keep_top + middle + keep_tail


def vocabulary(texts: list[str]) -> Counter[str]:
    """Lower-cased word counts, hyphenated compounds counted whole; evidence for de-hyphenation."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.lower() for w in _WORD.findall(text))
    return counts


def keeps_hyphen(left: str, right: str, vocab: Counter[str] | None = None) -> bool:
    """Decide whether "left-" at a line end followed by "right" is a real hyphen.

    ``left`` is the word fragment before the hyphen (without it), ``right`` the fragment after.
    """
    if not left or not right:
        return True
    if right[0].isupper() or right[0].isdigit() or any(c.isdigit() or c.isupper() for c in left[1:]):
        return True  # Noord-Holland, G32-steden, ISV-gelden, 2019-2022
    if left[0].isupper() and len(left) <= 4 and left.isupper():
        return True
    lw, rw = left.lower(), right.lower()
    if vocab:
        joined, hyphened = vocab.get(lw + rw, 0), vocab.get(f"{lw}-{rw}", 0)
        if joined or hyphened:
            return hyphened > joined
    if lw in _KEEP_PREFIXES:
        return True
    if lw[-1] in "aeiou" and (lw[-1] + rw[0]) in _VOWEL_CLASH:
        return True  # klinkerbotsing: zee-egel, auto-ongeluk
    return bool(
        len(lw) >= 5 and len(rw) >= 5 and _ADJECTIVE_END.search(lw) and _ADJECTIVE_END.search(rw)
    )  # sociaal-economisch, fysiek-ruimtelijk


def join_hyphenated(head: str, tail: str, vocab: Counter[str] | None = None) -> str:
    """Join a line ending in "-" with the next line, removing the hyphen when it is hyphenation."""
    m_left = re.search(rf"([{_WORD_CHARS}]+)-$", head)
    m_right = re.match(rf"[{_WORD_CHARS}]+", tail)
    if not m_left or not m_right:
        return f"{head} {tail}" if not head.endswith("-") else head + tail
    if keeps_hyphen(m_left.group(1), m_right.group(0), vocab):
        return head + tail
    return head[:-1] + tail


def _is_heading(line: str, prev: str | None, nxt: str | None, typical: float) -> bool:
    words = line.split()
    numbered = bool(_NUMBERED_HEADING.match(line))
    if not words or len(words) > 12 or (len(line) > 0.8 * typical and not numbered):
        return False
    short_question = line.endswith("?") and len(words) <= 8 and len(line) < 0.6 * typical
    if _SENTENCE_END.search(line) and not ((numbered or short_question) and line.endswith("?")):
        return False
    if _BULLET.match(line) and not _NUMBERED_HEADING.match(line):
        return False
    if not (line[0].isupper() or _NUMBERED_HEADING.match(line)):
        return False
    if prev is not None and not _SENTENCE_END.search(prev) and len(prev) > 0.8 * typical:
        return False  # the line continues a wrapped sentence
    if nxt is None:
        return True
    if bool(_NUMBERED_HEADING.match(nxt)) or bool(_BULLET.match(nxt)):
        return True
    return (nxt[:1].isupper() or nxt[:1].isdigit()) and len(nxt) >= 0.6 * typical


def lines_to_paragraphs(lines: list[str], vocab: Counter[str] | None = None) -> tuple[list[str], set[int]]:
    """Join wrapped lines into paragraphs. Returns the paragraphs and the indices of headings."""
    lines = [ln for ln in lines if ln]
    if not lines:
        return [], set()
    lengths = sorted(len(ln) for ln in lines)
    typical = float(lengths[int(0.9 * (len(lengths) - 1))]) or 1.0  # a full line of body text
    paragraphs: list[str] = []
    headings: set[int] = set()
    current = ""
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if _is_heading(line, prev if current or i else None, nxt, typical):
            if current:
                paragraphs.append(current)
                current = ""
            headings.add(len(paragraphs))
            paragraphs.append(line)
            continue
        starts_new = (
            bool(_BULLET.match(line))
            or (prev is not None and _FOOTNOTE_LINE.match(line) is not None and _SENTENCE_END.search(prev) is not None)
            or (
                prev is not None
                and _SENTENCE_END.search(prev) is not None
                and len(prev) < 0.85 * typical
                and (line[0].isupper() or line[0].isdigit())
            )
        )
        if current and starts_new:
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        elif current.endswith("-"):
            current = join_hyphenated(current, line, vocab)
        else:
            current = f"{current} {line}"
    if current:
        paragraphs.append(current)
    return paragraphs, headings


def remove_footnote_marks(text: str) -> str:
    """Drop superscript footnote numbers that extraction glued to a word ("wijken1 in")."""
    return _FOOTNOTE_AFTER_PUNCT.sub("", _FOOTNOTE_MARK.sub(r"\1", text))


def clean_pages(raw_pages: list[str]) -> list[CleanPage]:
    """Clean all pages of one document (headers and hyphenation need the whole document)."""
    page_lines = [[ln for ln in normalize(raw).split("\n") if ln] for raw in raw_pages]
    running = find_running_lines(page_lines)
    page_lines = [strip_running_lines(lines, running) for lines in page_lines]
    vocab = vocabulary([" ".join(lines) for lines in page_lines])
    cleaned: list[CleanPage] = []
    for number, lines in enumerate(page_lines, start=1):
        paragraphs, heading_idx = lines_to_paragraphs(lines, vocab)
        paragraphs = [remove_footnote_marks(p) for p in paragraphs]
        text, headings, offset = "", [], 0
        for i, para in enumerate(paragraphs):
            if i:
                text += "\n\n"
                offset += 2
            if i in heading_idx:
                headings.append((offset, para))
            text += para
            offset += len(para)
        cleaned.append(CleanPage(number=number, text=text, headings=tuple(headings)))
    return cleaned


def page_separator(previous: str, following: str) -> str:
    """How two consecutive page texts are joined into the document text."""
    if previous.endswith("-") or not previous or not following:
        return ""
    if not _SENTENCE_END.search(previous) and following[:1].islower():
        return " "  # a sentence that runs over the page break
    return "\n\n"
