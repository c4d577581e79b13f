"""Question handling before retrieval: input hygiene, language check and follow-up expansion.

First touch of the assistant (question → *prepared query* → retrieval). Bad input never reaches the
search: empty or stop-word-only questions get a Dutch explanation, overlong ones are cut, control
characters removed. Short or anaphoric follow-ups ("Hoeveel wijken waren dat?") borrow the subject of
the previous question. An abbreviation the corpus defines brings its long form into the query, and a
long form its abbreviation ("NPLV" ↔ "Nationaal Programma Leefbaarheid en Veiligheid"), so both the
vector and the lexical search see both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from beleidsbron.text.dutch_analysis import STOP_WORDS, Analyzer, words
from beleidsbron.text.normalize import normalize

_ANAPHORA = {
    "daarover",
    "daarvan",
    "daarbij",
    "daarmee",
    "daarin",
    "daardoor",
    "hierover",
    "hiervan",
    "hierbij",
    "dat",
    "die",
    "deze",
    "dit",
    "dezelfde",
    "ze",
    "zij",
    "hun",
    "hij",
    "zijn",
    "haar",
    "het",
    "ervan",
    "erover",
    "waarom",
    "toen",
    "dan",
}
_FOLLOW_UP_START = re.compile(r"^(en|maar|ook|waarom|hoezo|wat nog|welke nog|en wat|en hoe|dus)\b", re.I)
_ENGLISH = {
    "the",
    "what",
    "which",
    "how",
    "does",
    "is",
    "are",
    "of",
    "and",
    "to",
    "in",
    "for",
    "about",
    "why",
    "who",
    "when",
    "do",
    "did",
    "many",
    "much",
    "with",
}
_GERMAN = {"der", "die", "das", "und", "ist", "wie", "was", "welche", "nicht", "mit", "für", "über", "warum"}
_FRENCH = {"le", "la", "les", "des", "est", "quel", "quelle", "comment", "pourquoi", "et", "pour", "dans"}
_DUTCH_MARKERS = STOP_WORDS - {"die", "was", "is", "in", "en", "de", "het", "wie"}

EMPTY = "Stel een vraag over de documenten, bijvoorbeeld: 'Hoe wordt de wijkaanpak gefinancierd?'"
NO_CONTENT = (
    "Uw vraag bevat geen inhoudelijke zoekwoorden. Noem het onderwerp waarover u iets wilt weten, "
    "bijvoorbeeld 'leefbaarheid in kwetsbare wijken'."
)


@dataclass(frozen=True)
class PreparedQuestion:
    text: str  # cleaned question as shown back to the user
    query: str  # what retrieval searches for (follow-ups expanded)
    problem: str = ""  # set when the question cannot be searched; a Dutch message for the user
    notice: str = ""  # remarks that do not stop the search


def detect_language(text: str) -> str:
    """'nl', 'en', 'de' or 'fr' by function words; 'nl' when unsure."""
    tokens = words(text)
    scores = {
        "nl": sum(t in _DUTCH_MARKERS for t in tokens),
        "en": sum(t in _ENGLISH for t in tokens),
        "de": sum(t in _GERMAN for t in tokens),
        "fr": sum(t in _FRENCH for t in tokens),
    }
    lang = max(scores, key=lambda k: scores[k])
    return lang if scores[lang] >= 2 and scores[lang] > scores["nl"] else "nl"


def previous_questions(history: Sequence[Any] | None) -> list[str]:
    """User questions from a history of (question, answer) pairs or chat messages, oldest first."""
    out: list[str] = []
    for item in history or []:
        if isinstance(item, dict):
            if item.get("role") == "user" and isinstance(item.get("content"), str):
                out.append(item["content"])
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            out.append(item[0])
        elif isinstance(item, str):
            out.append(item)
    return [q for q in out if q.strip()]


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous one: almost no content words of its own, or a few with a
    pointing word ("daar", "dat") or a follow-up opening ("En …", "Waarom …")."""
    tokens = words(question)
    content = [t for t in tokens if t not in STOP_WORDS and t not in _ANAPHORA]
    anaphoric = any(t in _ANAPHORA for t in tokens) or bool(_FOLLOW_UP_START.match(question.strip()))
    return len(content) <= 2 or (anaphoric and len(content) <= 5)


_ENTITY = re.compile(r"(?<![\w-])(?:[A-ZÀ-Ý][\w]*(?:-[\w]+)*|\d{4})(?![\w-])")
# An adjective made from a place name before the noun it describes ("de Twentse wijkaanpak", "in de
# Friese hoofdstad"): documents name the place, or describe it otherwise, rarely the adjective itself.
_PLACE_ADJECTIVE = re.compile(r"(?:se|sche) +[a-zà-ÿ]")


def missing_names(question: str, analyzer: Analyzer, known: Callable[[str], bool]) -> list[str]:
    """Names and years in the question (capitalised words after the first, 4-digit years)
    that occur nowhere in the corpus: the documents cannot answer what they never mention."""
    out = []
    for i, match in enumerate(_ENTITY.finditer(question)):
        name = match.group(0)
        if name.isdigit():
            if not 1900 <= int(name) <= 2100:
                continue
        elif (i == 0 and not question[: match.start()].strip()) or name.lower() in STOP_WORDS:
            continue  # the capital of the first word says nothing
        elif name.isupper() and len(name) <= 6:
            continue  # acronyms (BZK, NPLV) are often written out in the documents
        elif _PLACE_ADJECTIVE.match(question, match.end() - (4 if name.endswith("sche") else 2)):
            continue
        head = words(name)[0] if words(name) else ""
        terms = analyzer.terms_of_word(head) if head else ()
        if terms and not any(known(t) for t in terms):
            out.append(name)
    return out


def _one_line(raw: str) -> str:
    return normalize(raw or "").replace("\n", " ").strip()


def prepare(raw: str, history: Sequence[Any] | None, analyzer: Analyzer, max_chars: int) -> PreparedQuestion:
    text = _one_line(raw)
    notices = []
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
        notices.append(f"De vraag was erg lang; alleen de eerste {len(text)} tekens zijn gebruikt.")
    if not text:
        return PreparedQuestion(text, "", problem=EMPTY)
    lang = detect_language(text)
    if lang != "nl":
        name = {"en": "Engels", "de": "Duits", "fr": "Frans"}[lang]
        notices.append(
            f"De vraag lijkt in het {name} gesteld. De documenten zijn Nederlandstalig: er is op betekenis "
            "gezocht en het antwoord citeert de Nederlandse tekst."
        )
    query = text
    # earlier questions reach the query too: the same hygiene and length limit as the question
    earlier = [q for q in (_one_line(q)[:max_chars] for q in previous_questions(history)) if q]
    if earlier and is_follow_up(text):
        subject = earlier[-1]
        if len(earlier) > 1 and is_follow_up(subject):  # a follow-up of a follow-up
            subject = f"{subject} {earlier[-2]}"
        query = f"{text} {subject}"
    expansions = analyzer.expand_abbreviations(query)
    if expansions:
        query = f"{query} ({'; '.join(expansions)})"
    if not analyzer.terms(query) and lang == "nl":
        return PreparedQuestion(text, "", problem=NO_CONTENT, notice=" ".join(notices))
    return PreparedQuestion(text, query, notice=" ".join(notices))
