"""Dutch text cleaning: raw pypdf page text → clean page text with paragraphs and headings.

Second step of ingest (corpus → *clean text* → chunks → embeddings → store). What a reader sees in
an answer comes from here, so layout noise must not survive it:

- Unicode NFKC (ligatures such as "ﬁ" become "fi"), soft hyphens, odd spaces and control characters;
- running headers, footers and page numbers (lines that repeat across pages, digits ignored);
- line-end hyphenation ("gemeen-\\nten" → "gemeenten") while real hyphens stay ("G32-steden",
  "Noord-Holland", "sociaal-economisch");
- footnote markers glued to words ("wijken1 in" → "wijken in");
- wrapped lines joined into paragraphs (an empty line from the layout reader always ends one);
  headings kept as their own paragraph;
- list items as their own paragraph starting with "• ", whatever glyph the PDF used for the bullet;
- tables as one line per row with " | " between cells (tables that a PDF flows as one run of
  "a | b | c d | e | f" text are split back into rows), each table its own paragraph;
- web navigation and metadata lines ("Deel dit artikel | Lees meer | Print", "Nieuws | 12-06-2025")
  dropped.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from beleidsbron.text.normalize import normalize

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|van|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•▪◦●■‣∙·\-–—*]|\d{1,2}[.)]|[a-z][.)])\s+")
_TABLE_CELL_SEP = re.compile(r"\s\|\s|\s\|$|^\|\s")
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
    # twice is enough for a running title (several words, no sentence); anything else needs three times
    threshold = max(2, int(0.4 * len(with_text)))

    def title_like(key: str) -> bool:
        return len(key.split()) >= 3 and not key.endswith((".", "?", "!", ":", ";", ","))

    return {
        key
        for key, n in counts.items()
        if len(key) < 120 and n >= (threshold if title_like(key) else max(3, threshold))
    }


def strip_running_lines(lines: list[str], running: set[str], edge: int = 3) -> list[str]:
    """Remove running headers/footers and bare page numbers from the edges of one page (the first and
    last ``edge`` non-empty lines); empty lines (paragraph breaks) stay."""
    filled = [i for i, ln in enumerate(lines) if ln]
    edges = set(filled[:edge]) | (set(filled[-edge:]) if len(filled) > 2 * edge else set(filled[edge:]))
    return [
        ln
        for i, ln in enumerate(lines)
        if i not in edges or (_line_key(ln) not in running and not _PAGE_NUMBER.match(ln))
    ]


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


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


def is_table_line(line: str) -> bool:
    """A line with cells separated by " | " (a table row, or part of a table flowed as text)."""
    return bool(_TABLE_CELL_SEP.search(line))


def is_navigation_line(line: str) -> bool:
    """Web navigation or metadata strip: a short line of short items between separators
    ("Deel dit artikel | Lees meer | Print", "Nieuws | 12-06-2025 | 14:05", "Home › Wonen › Huur")."""
    parts = [p.strip() for p in re.split(r"\s[|›»·]\s", line)]
    if len(parts) < 2 or len(line) > 90:
        return False
    return all(p and len(p.split()) <= 4 and len(p) <= 30 and not p.endswith((".", "?", "!")) for p in parts)


_NUMERIC_CELL = re.compile(r"^[\d\s.,:;%€$+\-–—/()~≈<>x×]*\d[\d\s.,:;%€$+\-–—/()~≈<>x×]*$")


def _shape(cell: str) -> str:
    return "num" if _NUMERIC_CELL.match(cell) else "text"


def split_flowed_table(text: str) -> list[str] | None:
    """Rows of a table whose rows a PDF flowed into one run of text ("h1 | h2 a1 | a2 b1 | b2"), or None.

    With k columns, n cells in the run mean (n - 1) / (k - 1) rows, and every (k - 1)-th cell holds the
    last cell of one row and the first of the next. The k whose columns have one consistent shape
    (numbers or text) across the data rows wins; the merged cells split where the shapes say.
    """
    cells = _cells(text)
    n = len(cells)
    best: tuple[float, list[str]] | None = None
    for k in range(2, min(n, 12)):
        if (n - 1) % (k - 1) or (n - 1) // (k - 1) < 2:
            continue
        rows = _rows_for(cells, k)
        if rows is None:
            continue
        score = _consistency(rows)
        if best is None or score > best[0] + 1e-9:
            best = (score, [" | ".join(r) for r in rows])
    return best[1] if best and best[0] >= 0.75 else None


def _split_merged(cell: str, last_numeric: bool, first_digit_led: bool) -> tuple[str, str] | None:
    """Split "<last cell of a row> <first cell of the next>" by the shapes of those two columns."""
    words = cell.split(" ")
    if first_digit_led:  # years, periods, numbered items: from the last digit-led word after a text word
        for j in range(len(words) - 1, 0, -1):
            if words[j][:1].isdigit() and not words[j - 1][:1].isdigit():
                return " ".join(words[:j]), " ".join(words[j:])
        return None
    if last_numeric:  # figures then a label: the longest numeric prefix
        j = 0
        while j < len(words) - 1 and _shape(words[j]) == "num":
            j += 1
        return (" ".join(words[:j]), " ".join(words[j:])) if j else None
    return None


def _rows_for(cells: list[str], k: int) -> list[list[str]] | None:
    n_rows = (len(cells) - 1) // (k - 1)
    merged = [(k - 1) * j for j in range(1, n_rows)]
    if any(" " not in cells[i] for i in merged):
        return None
    last_numeric = _shape(cells[-1]) == "num"  # the last cell of the last row is never merged
    digit_led = [
        any(w[:1].isdigit() and not p[:1].isdigit() for p, w in itertools.pairwise(cells[i].split(" "))) for i in merged
    ]
    first_digit_led = sum(digit_led) > len(merged) / 2
    splits = []
    for idx, i in enumerate(merged):
        split = _split_merged(cells[i], last_numeric and idx > 0, first_digit_led)
        if split is None and idx == 0 and not first_digit_led:
            words = cells[i].split(" ")  # header | first label: the label is the last word
            split = (" ".join(words[:-1]), words[-1])
        if split is None:
            return None
        splits.append(split)
    rows: list[list[str]] = []
    row = cells[: k - 1]
    for (left, right), i in zip(splits, merged, strict=True):
        rows.append([*row, left])
        row = [right, *cells[i + 1 : i + k - 1]]
    rows.append([*row, *cells[merged[-1] + k - 1 :]])
    return rows if all(len(r) == k for r in rows) else None


def _consistency(rows: list[list[str]]) -> float:
    """Share of data-row columns whose cells all have one shape."""
    data = rows[1:]
    columns = list(zip(*data, strict=True))
    same = sum(len({_shape(c) for c in col}) == 1 for col in columns)
    return same / len(columns)


def _table_rows(lines: list[str], vocab: Counter[str] | None) -> list[str]:
    """The rows of a table block: as the layout gave them (one line per row, same number of cells),
    or split back from a flowed run of text; the block as one row when neither works."""
    counts = {len(_cells(line)) for line in lines}
    wrapped = any(line.endswith("-") or line[:1].islower() for line in lines)
    if len(lines) >= 2 and len(counts) == 1 and counts != {1} and not wrapped:
        return lines
    joined = lines[0]
    for line in lines[1:]:
        joined = join_hyphenated(joined, line, vocab) if joined.endswith("-") else f"{joined} {line}"
    return split_flowed_table(joined) or [joined]


def _continues_table(line: str, previous: str, typical: float) -> bool:
    """A line without cell separators after a table line: still part of the table (a wrapped cell)?"""
    if is_table_line(line):
        return True
    if _NUMBERED_HEADING.match(line) and not previous.endswith(("-", "|")):
        return False
    if previous.endswith(("-", "|")) or line[:1].islower() or _NUMERIC_CELL.match(line):
        return True
    return len(line) < 0.5 * typical and not _SENTENCE_END.search(line)


def lines_to_paragraphs(lines: list[str], vocab: Counter[str] | None = None) -> tuple[list[str], set[int]]:
    """Join wrapped lines into paragraphs. Returns the paragraphs and the indices of headings.

    An empty line always ends a paragraph; a table becomes one paragraph with a line per row.
    """
    body = [ln for ln in lines if ln]
    if not body:
        return [], set()
    lengths = sorted(len(ln) for ln in body)
    typical = float(lengths[int(0.9 * (len(lengths) - 1))]) or 1.0  # a full line of body text
    paragraphs: list[str] = []
    headings: set[int] = set()
    current = ""
    table: list[str] = []

    def flush() -> None:
        nonlocal current, table
        if table:
            if len(table) > 1 or not is_navigation_line(table[0]):
                paragraphs.append("\n".join(_table_rows(table, vocab)))
            table = []
        if current:
            paragraphs.append(current)
            current = ""

    for i, line in enumerate(lines):
        if not line:
            flush()
            continue
        prev = lines[i - 1] if i and lines[i - 1] else None
        nxt = lines[i + 1] if i + 1 < len(lines) and lines[i + 1] else None
        if table:
            if _continues_table(line, table[-1], typical):
                table.append(line)
                continue
            flush()
        if is_table_line(line):
            flush()
            table = [line]
            continue
        if _is_heading(line, prev if current or prev else None, nxt, typical):
            flush()
            headings.add(len(paragraphs))
            paragraphs.append(line)
            continue
        in_list_item = current.startswith("• ")
        starts_new = (
            bool(_BULLET.match(line))
            or (prev is not None and _FOOTNOTE_LINE.match(line) is not None and _SENTENCE_END.search(prev) is not None)
            or (
                prev is not None
                and _SENTENCE_END.search(prev) is not None
                and (len(prev) < 0.85 * typical or in_list_item)
                and (line[0].isupper() or line[0].isdigit())
            )
        )
        if current and starts_new:
            flush()
        if not current:
            current = line
        elif current.endswith("-"):
            current = join_hyphenated(current, line, vocab)
        else:
            current = f"{current} {line}"
    flush()
    return paragraphs, headings


def remove_footnote_marks(text: str) -> str:
    """Drop superscript footnote numbers that extraction glued to a word ("wijken1 in")."""
    return _FOOTNOTE_AFTER_PUNCT.sub("", _FOOTNOTE_MARK.sub(r"\1", text))


def _page_lines(raw: str) -> list[str]:
    """Lines of one page; runs of empty lines collapse into one (a paragraph break), none at the ends."""
    out: list[str] = []
    for line in normalize(raw).split("\n"):
        if out and out[-1] == "•" and line:  # a bullet drawn apart from its text
            out[-1] = f"• {line}"
        elif line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def clean_pages(raw_pages: list[str]) -> list[CleanPage]:
    """Clean all pages of one document (headers and hyphenation need the whole document)."""
    page_lines = [_page_lines(raw) for raw in raw_pages]
    running = find_running_lines([[ln for ln in lines if ln] for lines in page_lines])
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
