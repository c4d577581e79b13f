"""Dutch lexical analysis for BM25 and sentence matching.

Used when the lexical index is built (store stage) and when a question is analysed (assistant), so
both sides always produce the same terms: lower case, accents folded, stop words dropped, Snowball
Dutch stems, and compounds split into parts the corpus knows ("wijkaanpak" → wijkaanpak + wijk +
aanpak, so it meets "aanpak van wijken"; "leefbaarheidsproblemen" → … + leefbaar + problem).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

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
_LINKS = ("", "s", "en", "e")  # Dutch linking morphemes between compound parts
MIN_PART = 4


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


class Analyzer:
    """Turns text into BM25 terms; knows the corpus vocabulary for compound splitting."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self.vocabulary = frozenset(vocabulary)
        self._cache: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def build_vocabulary(texts: Iterable[str], min_count: int = 2) -> set[str]:
        """Content words frequent enough to count as compound parts."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w for w in words(text) if len(w) >= MIN_PART and w not in STOP_WORDS)
        return {w for w, n in counts.items() if n >= min_count and not w.isdigit()}

    def split_compound(self, word: str) -> tuple[str, ...]:
        """The two known parts of a compound word, or () when it is not one."""
        if len(word) < 2 * MIN_PART or not self.vocabulary:
            return ()
        best: tuple[str, ...] = ()
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, rest = word[:i], word[i:]
            if head not in self.vocabulary:
                continue
            for link in _LINKS:
                if rest.startswith(link) and len(rest) - len(link) >= MIN_PART:
                    tail = rest[len(link) :]
                    if tail in self.vocabulary and (not best or len(tail) > len(best[1])):
                        best = (head, tail)
        return best

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
