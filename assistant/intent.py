"""What a Dutch question asks for: the answer type, and the constraints an answer must meet.

Assistant stage (question → *intent* → evidence windows → answer). "Hoeveel …" wants a number,
"Wanneer …" a date, "Waarom …" a cause, "Welke drie …" an enumeration, and so on. The reader uses the
type to score evidence windows (a window that answers "hoeveel" contains a quantity) and to refuse
near-misses: a question about "2023" is not answered from a sentence about 2022, and "hoeveel geld"
is not answered by a sentence that names the programme but no amount.

Also here: the expressions that realise each type in Dutch text (quantities, dates, causal
connectives, enumerations), so question and evidence are judged by one vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from beleidsbron.text.dutch_analysis import STOP_WORDS, fold, stem

Kind = Literal["number", "date", "name", "list", "cause", "method", "definition", "general"]

NUMBER_WORDS = [
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "tachtig",
    "negentig",
    "honderd",
    "duizend",
    "miljoen",
    "miljard",
    "tientallen",
    "honderden",
    "duizenden",
    "helft",
    "kwart",
]
_NUMBER_WORD = "|".join(NUMBER_WORDS)
# A Dutch number written as one word: "vierhonderd", "tweeduizend", "driehonderdvijftig", "vijfentwintig".
_UNITS = "een|twee|drie|vier|vijf|zes|zeven|acht|negen"
NUMBER_WORD = rf"(?:(?:{_UNITS})?(?:honderd|duizend))*(?:\w+[eë]n)?(?:{_NUMBER_WORD})(?:honderd|duizend)?"
# "eerste" is left out: "in de eerste jaren" names no particular one
_ORDINALS = ["tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende", "tiende", "elfde"]
_ORDINALS += ["twaalfde", "twintigste", "dertigste", "veertigste"]
_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"

# --- expressions in text --------------------------------------------------------------------------
_DIGITS = r"\d+(?:[.,]\d+)*"
QUANTITY = re.compile(
    rf"(?:€\s*{_DIGITS}|\b{_DIGITS}\s*(?:%|procent|euro|miljoen|miljard|keer|maal|x\b)|"
    rf"\b(?!(?:19|20)\d\d\b){_DIGITS}\b|\b{NUMBER_WORD}\b|\been (?:op|van) de (?:\w+)\b|"
    r"\b(?:twee|drie)derde\b|\bdubbel\b|\bverdubbeld\w*\b|\bhalvering\b)",
    re.IGNORECASE,
)
MONEY = re.compile(
    rf"(?:€\s*{_DIGITS}|\b{_DIGITS}\s*(?:euro|gulden|miljoen|miljard|mln|mld)\b|"
    rf"\b(?:{_NUMBER_WORD})\w* (?:euro|gulden|miljoen|miljard)\b)",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
DATE = re.compile(
    rf"(?:\b\d{{1,2}}\s+(?:{_MONTHS.replace(' ', '|')})(?:\s+\d{{4}})?\b|\b(?:{_MONTHS.replace(' ', '|')})\s+\d{{4}}\b|"
    r"\b\d{1,2}-\d{1,2}-\d{4}\b|\b(?:1[89]|20)\d\d\b|\bjaren (?:zestig|zeventig|tachtig|negentig)\b)",
    re.IGNORECASE,
)
CAUSE = re.compile(
    r"\b(?:omdat|doordat|daardoor|vanwege|want|dankzij|zodat|waardoor|als gevolg van|ten gevolge van|"
    r"de (?:reden|oorzaak|verklaring|achtergrond)|redenen|oorzaken|verklaart|verklaard|verklaring|"
    r"komt door|komt doordat|ligt in|te wijten aan|leidt tot|leidde tot|leiden tot|het gevolg|"
    r"daarom|om die reden|immers|namelijk)\b",
    re.IGNORECASE,
)
METHOD = re.compile(
    r"\b(?:door (?:te|middel van)|via|met behulp van|door\b|aanpak|werkwijze|stappen|stap|eerst|daarna|"
    r"vervolgens|kunnen|kan|moeten|moet|zorgen|zorg|organiseer|maak|betrek|leg|gebruik|zet)\b",
    re.IGNORECASE,
)
DEFINITION = re.compile(
    r"\b(?:is een|zijn de|houdt in|verstaan|betekent|wordt bedoeld|gaat over|staat voor|"
    r"omschreven als|gedefinieerd als|is het|noemen we|heet)\b",
    re.IGNORECASE,
)
ENUMERATION = re.compile(r"(?:[,;].*){2,}|(?:,.*\b(?:en|of)\b)")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w&'-]*(?:\s+(?:van|voor|de|en|der|&)?\s*[A-Z][\w&'-]*)*")

# --- the question ---------------------------------------------------------------------------------
_Q_NUMBER = re.compile(
    r"^(?:en\s+)?hoeveel\b|\bhoeveel\b|\bwelk(?:e)?\s+(?:bedrag|percentage|aandeel|aantal|budget|deel)\b|"
    r"\bhoe\s+(?:groot|hoog|laag|lang|duur|vaak|snel|veel)\b|\bwat\s+(?:kost|kostte|kosten|bedraagt|bedroeg)\b|"
    r"\bwat\s+(?:is|was|zijn|waren)\b[^?]{0,40}?\b(?:het|de)\s+(?:\w+\s+){0,2}?(?:bedrag|huur|percentage|"
    r"aantal|omvang|hoogte|grens|budget|aandeel|prijs|huurprijs|kosten)\b|\bop\s+hoeveel\b|\bmet\s+hoeveel\b|"
    r"\bhoeveelheid\b",
    re.IGNORECASE,
)
_Q_MONEY = re.compile(
    r"\b(?:geld|rijksgeld|bedrag|budget|euro|kost\w*|investeer\w*|investeert|investering\w*|subsidie\w*|"
    r"uitgetrokken|huur|huurprijs|prijs|besparen)\b",
    re.IGNORECASE,
)
_Q_SHARE = re.compile(r"\b(?:percentage|procent|aandeel|deel|vaker|keer|verhouding)\b", re.IGNORECASE)
_Q_DATE = re.compile(
    r"\bwanneer\b|\b(?:in|vanaf|sinds|tot|per|op|uit)\s+welk(?:e)?\s+(?:jaar|datum|dag|maand|periode|jaren)\b|"
    r"\bwelk\s+jaar\b|\bwelke\s+(?:uiterste\s+)?datum\b|\bde\s+uiterste\s+datum\b|\bop\s+welke\s+dag\b|"
    r"\bsinds\s+wanneer\b",
    re.IGNORECASE,
)
_Q_NAME = re.compile(
    r"^(?:en\s+)?(?:wie|door wie|met wie|van wie|voor wie|bij wie)\b|"
    r"\bwelk(?:e)?\s+(?:organisatie|instantie|instelling|partij|minister|ministerie|bureau|onderzoeksbureau|"
    r"commissie|bedrijf|kabinet|stad|gemeente|wet|programma|naam|burgemeester|directeur|voorzitter|wethouder|"
    r"persoon|onderzoeker|auteur)\b(?!\w)",
    re.IGNORECASE,
)
_Q_CAUSE = re.compile(
    r"\bwaarom\b|\bwaardoor\b|\bhoe\s+komt\s+het\b|\bwat\s+(?:is|was|zijn|waren)\s+de\s+(?:reden|oorzaak|"
    r"verklaring|redenen|oorzaken)\b|\bwat\s+verklaart\b|\bom\s+welke\s+redenen?\b|\bwaaraan\s+ligt\b",
    re.IGNORECASE,
)
_Q_LIST = re.compile(
    r"\bwelke\s+(?:(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien)\s+)?(?:\w+e\s+)?\w+(?:en|s|'s|ies)\b|"
    r"\bnoem\b|"
    r"\bwat\s+zijn\s+de\b|\bwelke\s+zijn\b|\blangs\s+welke\b|\bop\s+welke\s+punten\b|\bwaaruit\s+bestaat\b|"
    r"\buit\s+welke\b",
    re.IGNORECASE,
)
_Q_METHOD = re.compile(
    r"^(?:en\s+)?hoe\b(?!\s*(?:veel|groot|hoog|laag|lang|duur|vaak|snel))|\bop\s+welke\s+(?:manier|wijze)\b|"
    r"\bwat\s+(?:kan|kunnen|moet|moeten|kon|konden|doe|doen)\b",
    re.IGNORECASE,
)
_Q_DEFINITION = re.compile(
    r"^(?:en\s+)?wat\s+(?:is|zijn|betekent|betekenen|houdt|verstaat|bedoelt|was)\b", re.IGNORECASE
)
# the counted noun, after an inflected adjective if one stands before it ("hoeveel sociale huurwoningen")
_HOEVEEL_UNIT = re.compile(
    r"\b(?:hoeveel|hoe)\s+(?:extra\s+)?(?:[a-zà-ÿ]{2,}e\s+(?=[a-zà-ÿ]{3,}(?:en|s)\b))?([a-zà-ÿ]{3,})", re.IGNORECASE
)
_COUNTS = ["twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"]
_COUNT = re.compile(rf"\b({'|'.join(_COUNTS)})\s+(?:[a-zà-ÿ]+e\s+)?[a-zà-ÿ]+(?:en|s|'s)\b", re.IGNORECASE)
_TIME_UNITS = {"jaar", "jaren", "maanden", "maand", "weken", "week", "dagen", "dag", "uur", "uren", "minuten"}
# "hoeveel langer", "hoe lang": a span of time is the answer
_TIME_QUESTIONS = {"langer", "korter", "ouder", "jonger", "eerder", "later", "lang", "vroeger"}


@dataclass(frozen=True)
class Intent:
    """The answer a question asks for.

    ``kind`` is the answer type; ``money`` marks a number question about an amount of money;
    ``unit`` is the counted noun of "hoeveel X" (if any); ``anchors`` are the years, figures and
    ordinals the question names, which an answer must be about ("in 2023", "de derde tranche");
    ``count`` is the number of things the question expects ("welke drie pijlers"); ``references`` are
    the figures with which the question refers to a document or a part of it — a calendar date ("de
    besluitenlijst van 12 maart 2024"), a number after a reference noun ("tabel 1", "resolutie 1441"):
    the document must name them somewhere, not next to the answer.
    """

    kind: Kind
    money: bool = False
    unit: str = ""
    anchors: tuple[str, ...] = ()
    count: int | None = None  # "welke drie pijlers" → 3: how many things an enumeration should name
    given: frozenset[str] = frozenset()  # figures and years the question itself names: no answer to it
    references: tuple[str, ...] = ()

    @property
    def specific(self) -> bool:
        """Whether the answer type is checkable in the text (a figure, a date)."""
        return self.kind in ("number", "date")


_REFERENCE = re.compile(
    rf"\b\d{{1,2}}\s+(?:{_MONTHS.replace(' ', '|')})(?:\s+\d{{4}})?\b|"  # a calendar date
    r"\b(?:tabel|figuur|bijlage|hoofdstuk|paragraaf|artikel|resolutie|motie|nummer|nr\.?|versie)\s+\d+(?:\.\d+)*\b",
    re.IGNORECASE,
)


def classify(question: str) -> Intent:
    """The intent of a Dutch question (``general`` when no pattern applies)."""
    q = " ".join(question.split())
    references = tuple(dict.fromkeys(a for m in _REFERENCE.finditer(q) for a in question_anchors(m.group(0))))
    anchors = tuple(a for a in question_anchors(q) if a not in references)
    return replace(_classify(q, anchors), references=references)


def _classify(q: str, anchors: tuple[str, ...]) -> Intent:
    count_match = _COUNT.search(q)
    count = _COUNTS.index(count_match.group(1).lower()) + 2 if count_match else None
    if _Q_CAUSE.search(q):
        return Intent("cause", anchors=anchors, count=count)
    given = frozenset(_core(m.group(0)) for pattern in (QUANTITY, DATE) for m in pattern.finditer(q))
    if _Q_DATE.search(q):
        return Intent("date", anchors=anchors, given=given)
    if _Q_NUMBER.search(q):
        unit_match = _HOEVEEL_UNIT.search(q)
        unit = unit_match.group(1).lower() if unit_match else ""
        money = unit in ("geld", "euro") or (bool(_Q_MONEY.search(q)) and not _Q_SHARE.search(q))
        return Intent("number", money=money, unit=unit, anchors=anchors, given=given)
    if _Q_NAME.search(q):
        return Intent("name", anchors=anchors)
    if _Q_LIST.search(q):
        return Intent("list", anchors=anchors, count=count)
    if _Q_DEFINITION.search(q):
        return Intent("definition", anchors=anchors)
    if _Q_METHOD.search(q):
        return Intent("method", anchors=anchors, count=count)
    return Intent("general", anchors=anchors, count=count)


_ANCHOR = re.compile(rf"\b(?:(?:1[89]|20)\d\d|\d+(?:[.,]\d+)?(?:e|ste|de)?|{'|'.join(_ORDINALS)})\b", re.IGNORECASE)


_NAME_WORD = re.compile(r"(?<=\S\s)[A-ZÀ-Ý][\w'’-]*|\b[A-Z]{2,}\w*")
# "Wet gegevensverwerking door samenwerkingsverbanden (WGS)": a name spelled out before its acronym
_DEFINED_NAME = re.compile(r"\b[A-ZÀ-Ý][\w'’-]*(?:\s+[\w'’-]+){0,6}?\s+\([A-Z][A-Za-z0-9]{1,9}\)")
# "de Wet versterking wijkaanpak in werking": lower-case words right after a capitalised one, up to the
# next function word, belong to the name
_NAME_TAIL = re.compile(r"(?<=\S\s)[A-ZÀ-Ý][\w'’-]*((?:\s+[a-zà-ÿ][\w'’-]*){1,3})")


def name_words(question: str) -> list[str]:
    """Words of the names in a question: capitalised words after the first, acronyms, the lower-case
    words that continue a capitalised one ("Wet versterking wijkaanpak"), and the words of a name the
    question spells out before its acronym."""
    words = _NAME_WORD.findall(question)
    for match in _NAME_TAIL.finditer(question):
        for word in match.group(1).split():
            if fold(word) in STOP_WORDS:
                break
            words.append(word)
    for match in _DEFINED_NAME.finditer(question):
        words.extend(re.findall(r"[\w'’-]+", match.group(0)))
    return words


_ACRONYM_BEFORE = re.compile(r"\b[A-Z]{2,}\s$")


def question_anchors(question: str) -> tuple[str, ...]:
    """Years, figures and ordinals the question names ("2023", "600", "derde"), folded.

    Numbers inside names ("G40", "56-wijkenaanpak") are part of the name, not anchors.
    """
    out = []
    for match in _ANCHOR.finditer(question):
        before = question[max(0, match.start() - 1) : match.start()]
        after = question[match.end() : match.end() + 1]
        if before.isalnum() or before == "-" or after == "-" or match.group(0)[0].isupper():
            continue  # part of a name ("G40", "56-wijkenaanpak", "Tweede Kamer")
        if _ACRONYM_BEFORE.search(question[: match.start()]):
            continue  # a version or number of an acronym's thing ("RES 2.0", "NOVI 2020")
        out.append(fold(match.group(0)))
    return tuple(dict.fromkeys(out))


def _core(expression: str) -> str:
    """The figure or number word of a quantity or date expression, to compare with the question's."""
    folded = fold(expression)
    found = re.search(r"\d+(?:[.,]\d+)*|[a-z]+", folded)
    return found.group(0) if found else folded


def has_type(text: str, intent: Intent) -> bool:
    """Whether ``text`` contains an expression of the kind of answer the intent asks for (for figures
    and dates: one the question does not name itself)."""
    kind = intent.kind
    if kind == "number":
        pattern = MONEY if intent.money else QUANTITY
        return any(
            _core(m.group(0)) not in intent.given
            and (intent.money or intent.unit in _TIME_UNITS | _TIME_QUESTIONS or not _only_duration(text, m))
            for m in pattern.finditer(text)
        )
    if kind == "date":
        return any(_core(m.group(0)) not in intent.given for m in DATE.finditer(text))
    if kind == "cause":
        return bool(CAUSE.search(text))
    if kind == "list":  # a list or table is recognised from the document structure; this is the running text
        return bool(ENUMERATION.search(text))
    if kind == "definition":
        return bool(DEFINITION.search(text))
    if kind == "method":
        return bool(METHOD.search(text))
    if kind == "name":
        return bool(NAME.search(text))
    return True


def _only_duration(text: str, match: re.Match[str]) -> bool:
    """A quantity that is a span of time ("vijf jaar", "twee maanden"): not a count of other things."""
    following = text[match.end() : match.end() + 12].lower().split()
    return bool(following) and following[0].strip(".,;:)") in _TIME_UNITS


# Nouns that policy texts use for the same counted things: "hoeveel inwoners" is answered by "1,2 miljoen
# mensen". General Dutch vocabulary of counts, not of any one corpus.
_COUNTED_GROUPS = (
    "mensen inwoners bewoners personen burgers ingezetenen deelnemers",
    "woningen huizen huurwoningen koopwoningen wooneenheden panden",
    "gemeenten gemeentes steden",
    "huishoudens gezinnen",
    "kinderen jongeren jeugdigen leerlingen",
    "doden sterfgevallen overlijdens",
    "medewerkers werknemers ambtenaren fte banen personeelsleden",
    "vaker keer maal",
    "bedrijven ondernemers ondernemingen",
)
_NUMBERISH = re.compile(
    rf"^(?:\d+(?:[.,]\d+)*%?|{NUMBER_WORD}|miljoen|miljard|duizend|honderd|ruim|bijna|circa|ongeveer)$"
)


# Verbs that follow "hoeveel" directly ("Hoeveel droegen corporaties af?"): then nothing is counted by name.
_VERBS_AFTER_HOEVEEL = frozenset(
    """
    hadden hebben heeft had waren zijn was is werden worden wordt werd mochten mogen mag mocht moesten moeten
    moet konden kunnen kan kon zullen zal zouden zou kregen krijgen krijgt kreeg droegen dragen draagt gingen
    gaan gaat ging kwamen komen komt stonden staan staat telt tellen telde bedraagt bedroeg kost kostte kosten
    investeert investeerde investeerden verdient verdiende ontving ontvingen woonden wonen woont werkten werken
    werkt steeg stegen daalde daalden besteedt besteedde besteedden levert leverde leverden bracht brachten
    """.split()  # noqa: SIM905
)


def counted_stems(unit: str) -> frozenset[str]:
    """Stems of the counted noun of "hoeveel X" and of the nouns used for the same thing."""
    if not unit or unit in _TIME_UNITS or unit in _VERBS_AFTER_HOEVEEL or not unit.endswith(("en", "s", "er")):
        return frozenset()
    words = {unit}
    for group in _COUNTED_GROUPS:
        if unit in group.split():
            words |= set(group.split())
    return frozenset(stem(w) for w in words)


def quantity_bound(text: str, intent: Intent, header: tuple[str, ...] = ()) -> float:
    """1 when a figure the question does not name stands right before the counted noun ("614 woningen",
    "drie keer zo vaak"), or in a table row whose ``header`` cells name it; 0 when the text has no such
    figure; 0.5 when the question counts nothing checkable."""
    stems = counted_stems(intent.unit)
    if intent.kind != "number" or intent.money or not stems:
        return 0.5
    in_header = any(stem(w) in stems for cell in header for w in fold(cell).split())
    for line in text.split("\n"):
        words = re.findall(r"\d+(?:[.,]\d+)*%?|\w+", fold(line))
        for i, word in enumerate(words):
            if not _NUMBERISH.match(word) or word in intent.given or not any(c.isdigit() or c.isalpha() for c in word):
                continue
            if not (word[0].isdigit() or re.fullmatch(NUMBER_WORD, word)):
                continue
            following = [stem(w) for w in words[i + 1 : i + 5]]
            if any(f in stems for f in following) or (in_header and word[0].isdigit()):
                return 1.0
    return 0.0


def anchor_found(anchor: str, folded_text: str) -> bool:
    """Whether a question anchor occurs in (folded) text as a whole word."""
    return re.search(rf"(?<![\w]){re.escape(anchor)}(?![\w])", folded_text) is not None
