"""Dutch lexical analysis for BM25 and sentence matching.

Used when the lexical index is built (store stage) and when a question is analysed (assistant), so
both sides always produce the same terms: lower case, accents folded, stop words dropped, Snowball
Dutch stems, and compounds split into known parts ("wijkaanpak" → wijkaanpak + wijk + aanpak, so it
meets "aanpak van wijken"; "leefbaarheidsproblemen" → … + leefbaar + problem). A part is known when
the corpus uses it, or when Debian's Dutch hunspell word list (``hunspell-nl``, optional) has it;
a part that is itself a compound is split again, so a three-part compound gives all three parts
("woningverbeteringsprogramma" → … + woningverbetering + programma + woning + verbetering).

The question side also joins what the text writes as one word: "aanpak van wijken" and "wijk
aanpak" find the term of "wijkaanpak" when the corpus has it (:meth:`Analyzer.joined_words`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import Stemmer

STOP_WORDS = frozenset(
    """
    aan al alle alles als altijd ander andere anders ben bij daar daarom dan dat de der deze die dit
    doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun
    iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog
    nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren
    was wat we wel werd wezen wie wij wil worden wordt zal ze zei zelf zich zij zijn zo zonder zou
    zouden welke welk waar wanneer waarom hoeveel hoeveelste daarover daarvan hierover hiervan daarbij
    hierbij erover ervan ook nog even eigenlijk vertel graag noem geef leg uit zeggen zegt staat staan
    gaat volgens
    """.split()  # noqa: SIM905
)
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RAW_TOKEN = re.compile(r"[\w&]+")
_LINKS = ("", "s", "en", "e")  # Dutch linking morphemes between compound parts
_INFLECTIONS = ("en", "s", "n")  # plural endings of a last part the word list has only in its base form
MIN_PART = 4
LEXICON_MIN_PART = 5  # a part known only from the word list: longer, so "heid" or "baar" never split off
MAX_PARTS = 3
# "b van a" written as one word "ab": the function words that may stand between the two parts
_JOIN_GAP = frozenset({"van", "voor", "in", "met", "op", "de", "het", "een", "der", "tegen"})
HUNSPELL_NL = Path("/usr/share/hunspell/nl.dic")
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch")


class _FoldTable(dict[int, str]):
    """str.translate table that strips accents, one character at a time, filled on first use."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without accents ("financiële" → "financiele")."""
    return text.lower().translate(_FOLD)


def words(text: str) -> list[str]:
    """Folded word tokens; hyphenated compounds come whole and in parts ("g32-steden", "g32", "steden")."""
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        if "-" in token:
            parts = [p for p in token.split("-") if p]
            out.extend(parts)
            out.append("".join(parts))
        else:
            out.append(token)
    return out


def stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = HUNSPELL_NL) -> frozenset[str]:
    """Dutch words from a hunspell dictionary (``/usr/share/hunspell/nl.dic`` of Debian's
    ``hunspell-nl``): the entries without their affix flags, folded, letters only, at least
    ``LEXICON_MIN_PART`` long. Empty (and logged once) when the file is absent: compounds are then
    split with the corpus vocabulary alone."""
    if path is None:
        return frozenset()
    try:
        text = fold(path.read_text(encoding="utf-8", errors="replace"))  # one pass over the whole list
    except OSError:
        log.info("No Dutch word list at %s (Debian package hunspell-nl): compounds split on corpus words only", path)
        return frozenset()
    out = set()
    for line in text.splitlines()[1:]:  # the first line is the entry count
        word = line.split("/", 1)[0].strip()
        if len(word) >= LEXICON_MIN_PART and word.isalpha() and word.isascii():
            out.add(word)
    return frozenset(out)


class Analyzer:
    """Turns text into BM25 terms; knows the corpus vocabulary (and optionally a Dutch word list) for
    compound splitting. Pickled with the lexical index, so a question is always analysed with the
    very word lists its index was built with."""

    def __init__(self, vocabulary: Iterable[str] = (), lexicon: frozenset[str] = frozenset()) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.lexicon = lexicon
        self.lexicon_splits: dict[str, tuple[str, ...]] = {}  # corpus words split with the word list's help
        self.abbreviations: dict[str, str] = {}  # abbreviation as the corpus writes it → long form (the index)
        self._cache: dict[str, tuple[str, ...]] = {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({"lexicon": frozenset(), "lexicon_splits": {}, "abbreviations": {}, **state})

    def keep_lexicon_splits(self, corpus_words: Iterable[str]) -> None:
        """After the index is built: remember how the word list split the corpus's own words, and drop the
        list. A question's word the corpus never uses is then split on corpus words only — the word list
        finds the parts of the documents' compounds, but it would also cut a question's "hoofdstad" into
        "hoofd" + "stad" and match every passage about a city."""
        if not self.lexicon:
            return
        lexicon, splits = self.lexicon, {}
        for word in corpus_words:
            with_list = self.split_compound(word)
            if with_list:
                self.lexicon = frozenset()
                if self.split_compound(word) != with_list:
                    splits[word] = with_list
                self.lexicon = lexicon
        self.lexicon, self.lexicon_splits = frozenset(), splits
        self._cache.clear()

    def expand_abbreviations(self, text: str) -> list[str]:
        """What the corpus says the abbreviations in ``text`` stand for, and the abbreviations of the
        long forms ``text`` writes out (all of the long form's terms in it): "NPLV" → "Nationaal
        Programma Leefbaarheid en Veiligheid", and back."""
        tokens = set(_RAW_TOKEN.findall(text))
        folded = set(words(text))
        have = set(self.terms(text))
        out = []
        for abbreviation, long in self.abbreviations.items():
            key = fold(abbreviation)
            # as written ("NPLV"), or lower case when that is no ordinary word ("nplv", never "om" for OM)
            ordinary = len(key) < 3 or key in self.vocabulary or key in STOP_WORDS
            if abbreviation in tokens or (key in folded and not ordinary):
                out.append(long)
            elif key not in folded and (terms := set(self.terms(long))) and len(terms) > 1 and terms <= have:
                out.append(abbreviation)
        return out

    @staticmethod
    def build_vocabulary(texts: Iterable[str], min_count: int = 2) -> set[str]:
        """Content words frequent enough to count as compound parts."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w for w in words(text) if len(w) >= MIN_PART and w not in STOP_WORDS)
        return {w for w, n in counts.items() if n >= min_count and not w.isdigit()}

    def known(self, part: str) -> bool:
        """A compound part: a corpus word, or a longer word of the Dutch word list (in its base form
        or with a plural ending)."""
        if part in self.vocabulary:
            return True
        if len(part) < LEXICON_MIN_PART or not self.lexicon:
            return False
        return part in self.lexicon or any(
            part.endswith(e) and len(part) - len(e) >= LEXICON_MIN_PART and part[: -len(e)] in self.lexicon
            for e in _INFLECTIONS
        )

    def _split_two(self, word: str) -> tuple[str, str] | None:
        """The split into two known parts with the longest last part (the head of a Dutch compound)."""
        best: tuple[str, str] | None = None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, rest = word[:i], word[i:]
            if not self.known(head):
                continue
            for link in _LINKS:
                if rest.startswith(link) and len(rest) - len(link) >= MIN_PART:
                    tail = rest[len(link) :]
                    if self.known(tail) and (best is None or len(tail) > len(best[1])):
                        best = (head, tail)
        return best

    def split_compound(self, word: str, depth: int = MAX_PARTS) -> tuple[str, ...]:
        """The known parts of a compound word, or () when it is not one: the two main parts, and the
        parts of a part that is itself a compound (up to ``MAX_PARTS`` parts in all). When no split
        into two known parts exists, a known first part followed by a splittable rest counts too."""
        if depth == MAX_PARTS and word in self.lexicon_splits:
            return self.lexicon_splits[word]
        if depth < 2 or len(word) < 2 * MIN_PART or not self.vocabulary:
            return ()
        two = self._split_two(word)
        if two is not None:
            head, tail = two
            out = [head, tail]
            if depth > 2:
                for part in (tail, head):  # the last part carries the meaning: split it first
                    inner = self.split_compound(part, depth - 1)
                    if inner:
                        out.extend(inner)
                        break
            return tuple(dict.fromkeys(out))
        if depth < 3:
            return ()
        for i in range(len(word) - 2 * MIN_PART, MIN_PART - 1, -1):  # the longest known head first
            head, rest = word[:i], word[i:]
            if not self.known(head):
                continue
            for link in _LINKS:
                if rest.startswith(link):
                    inner = self.split_compound(rest[len(link) :], depth - 1)
                    if inner:
                        return tuple(dict.fromkeys((head, *inner)))
        return ()

    def terms_of_word(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if word in STOP_WORDS or len(word) < 2:
            terms: tuple[str, ...] = ()
        else:
            terms = (stem(word), *(stem(p) for p in self.split_compound(word)))
        if len(self._cache) < 200_000:
            self._cache[word] = terms
        return terms

    def terms(self, text: str) -> list[str]:
        """BM25 terms of ``text`` (with repetitions, in order)."""
        return [t for w in words(text) for t in self.terms_of_word(w)]

    def content_terms(self, text: str) -> set[str]:
        return set(self.terms(text))

    def joined_words(self, text: str, known: Callable[[str], bool]) -> list[str]:
        """Terms of the words the text would write as one compound, where the question writes them
        apart: "wijk aanpak" and "aanpak van wijken" → the term of "wijkaanpak", when ``known`` (the
        index's terms) has it. The modifier comes first, in its base form, with a Dutch linking
        morpheme; at most two function words may stand between "aanpak" and "van wijken"."""
        tokens = words(text)
        out: list[str] = []
        for i, first in enumerate(tokens):
            if first in STOP_WORDS or len(first) < 3:
                continue
            pairs = []
            if i + 1 < len(tokens) and tokens[i + 1] not in STOP_WORDS:
                pairs.append((first, tokens[i + 1]))  # "wijk aanpak" → wijkaanpak
            j = i + 1
            while j < len(tokens) and j <= i + 3 and tokens[j] in _JOIN_GAP:
                j += 1
            if i + 1 < j < len(tokens) and tokens[j] not in STOP_WORDS:
                pairs.append((tokens[j], first))  # "aanpak van wijken" → wijkaanpak
            for modifier, head in pairs:
                if len(head) < 3:
                    continue
                for form in _base_forms(modifier):
                    found = next((stem(form + link + head) for link in _LINKS if known(stem(form + link + head))), None)
                    if found:
                        out.append(found)
                        break
        return out


def _base_forms(word: str) -> list[str]:
    """The word and its singular guesses by cutting a plural ending ("wijken" → wijken, wijk). Irregular
    plurals ("steden" for stad) join only when the question writes the singular."""
    forms = [word]
    for ending in ("en", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            forms.append(word[: -len(ending)])
    return forms


# --- abbreviations --------------------------------------------------------------------------------

_ABBR = r"[A-Z][A-Za-z0-9&]*[A-Z0-9][A-Za-z0-9&]*"  # two capitals or a capital and a digit: NPLV, G40, BZK
_PAREN_ABBR = re.compile(rf"\(\s*({_ABBR})\s*[),;]")
_ABBR_THEN_LONG = re.compile(rf"(?<![\w-])({_ABBR})\s*\(([^()]{{4,150}})\)")
_WORD = re.compile(r"[\wÀ-ÿ]+(?:-[\wÀ-ÿ]+)*")


def _long_form(abbr: str, before: str) -> str | None:
    """The words at the end of ``before`` that the abbreviation stands for (Schwartz & Hearst,
    2003): every letter of the abbreviation, right to left, found in the words in order, the first
    one at a word's start; words such as "en", "van" may be skipped. None when they do not match."""
    letters = [c.lower() for c in abbr if c.isalnum()]
    spans = [m for m in _WORD.finditer(before)]
    spans = spans[-min(len(letters) + 5, 2 * len(letters) + 2) :]
    if not spans:
        return None
    text = before[spans[0].start() :].lower()
    base = spans[0].start()
    starts = {m.start() - base for m in spans}
    i, j = len(letters) - 1, len(text) - 1
    while i >= 0:
        c = letters[i]
        while j >= 0 and (text[j] != c or (i == 0 and j not in starts)):
            j -= 1
        if j < 0:
            return None
        i -= 1
        j -= 1
    first = max(s for s in starts if s <= j + 1)
    long = before[base + first :].strip(" ,;:-")
    if abbr in _RAW_TOKEN.findall(long):
        return None  # "10 TWh door …": the abbreviation stands in its own long form
    n_words = len(_WORD.findall(long))
    if (n_words < 2 and len(long) <= len(abbr) + 2) or n_words > len(letters) + 4:
        return None
    return long


def find_abbreviations(text: str) -> list[tuple[str, str]]:
    """(abbreviation, long form) pairs the text defines: "Nationaal Programma Leefbaarheid en
    Veiligheid (NPLV)" and "NPLV (Nationaal Programma …)"."""
    out = []
    for match in _PAREN_ABBR.finditer(text):
        before = text[max(0, match.start() - 200) : match.start()]
        before = re.split(r"[.!?:;\n()]\s", before)[-1].rstrip()
        long = _long_form(match.group(1), before)
        if long:
            out.append((match.group(1), long))
    for match in _ABBR_THEN_LONG.finditer(text):
        inside = match.group(2).strip()
        long = _long_form(match.group(1), inside)
        if long and long == inside.strip(" ,;:-"):
            out.append((match.group(1), long))
    return out
