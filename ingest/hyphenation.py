"""Line-end hyphenation in Dutch: is "gemeen-" + "ten" one word, or is the hyphen real ("Noord-Holland")?

Part of ingest (PDF layout → *clean text*): used where lines are joined — table cells in
:mod:`ingest.layout`, paragraphs in :mod:`ingest.cleaning`, pages in :mod:`ingest.structure`. The
document's own vocabulary decides where it can ("buurtbewoners" written whole elsewhere), Dutch
spelling rules where it cannot.
"""

from __future__ import annotations

import re
from collections import Counter

_KEEP_PREFIXES = {"ex", "oud", "niet", "non", "vice", "anti", "pro", "co"}
_ADJECTIVE_END = re.compile(r"(?:aal|ale|eel|ele|isch|ische|ief|ieve|iek|ieke|lijk|lijke|air|aire|ant|ante)$")
_VOWEL_CLASH = {"aa", "ee", "ii", "oo", "uu", "ei", "eu", "oe"}
_WORD_CHARS = r"A-Za-zÀ-ÖØ-öø-ÿ0-9"
_WORD = re.compile(rf"[{_WORD_CHARS}]+(?:-[{_WORD_CHARS}]+)*")


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
