"""Verification of generated answers: markers checked, every sentence scored against the passages it cites.

Third step of the assistant in the LLM modes (retrieval → generation → *verification* → answer). The
model's text is split into sentences with their [n] markers; markers that point at no passage are removed
and reported. Each cited sentence gets a support score (0–1) computed locally: embedding similarity with
the best-matching sentences of its cited passages (their vectors are already in the store; all answer
sentences are embedded in one batched call) combined with the IDF-weighted recall of its content terms
(Dutch analyzer), lowered when it names numbers or proper names that its sources do not contain or is
negated where the matching passage sentences are not. The best-matching passage sentences become the
citation's spans, so pages and anchors work as in the extractive mode. :class:`SupportParams` and the
``support_threshold`` setting were chosen with ``python -m evals.verification``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.compose import make_citation
from beleidsbron.domain import REFUSAL, AnswerSentence, Chunk, Citation
from beleidsbron.embeddings import EmbeddingModel
from beleidsbron.lexical_index import LexicalIndex
from beleidsbron.store import Store
from beleidsbron.text.dutch_analysis import words
from beleidsbron.text.sentences import split_sentences


@dataclass(frozen=True)
class SupportParams:
    """How the support score is computed (defaults chosen with ``python -m evals.verification``)."""

    dense_floor: float = 0.80  # passage–passage cosine of e5-small that counts as no support …
    dense_ceiling: float = 0.95  # … and as full support (near-verbatim)
    dense_weight: float = 0.5  # share of the embedding similarity; the rest is content-term recall
    pair_margin: float = 0.05  # a second passage sentence joins the support window when it adds this much
    specifics_penalty: float = 0.5  # factor for a sentence with numbers or names its sources do not contain
    negation_penalty: float = 0.5  # factor for a negated sentence whose matching passage sentences are not


_MARKER = re.compile(
    r"\s*\[\s*(?:(?:bron|passage)\s*)?(\d{1,3}(?:\s*[,;]\s*(?:(?:bron|passage)\s*)?\d{1,3})*)\s*\]",
    re.IGNORECASE,
)
_THINKING = re.compile(r"<think(?:ing)?>.*?(?:</think(?:ing)?>|$)", re.DOTALL | re.IGNORECASE)
_LIST_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|[-*•▪–]\s+|\d{1,2}[.)]\s+)")
_SOURCES_HEADING = re.compile(r"^\s*(?:#+\s*)?[*_]*(bronnen|bronvermelding|bron|sources)[*_]*\s*:?\s*$", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][\wÀ-ÿ-]{2,})")
NEGATIONS = frozenset({"niet", "geen", "nooit", "niets", "nergens", "niemand", "allerminst"})
NUMBER_WORDS = frozenset(
    """
    twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien zeventien
    achttien negentien twintig dertig veertig vijftig zestig zeventig tachtig negentig honderd duizend
    miljoen miljard helft derde kwart procent
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class ParsedSentence:
    """A sentence of the model's answer: its text without markers and the passage numbers it cites."""

    text: str
    markers: tuple[int, ...]


@dataclass
class Support:
    """How well one answer sentence is backed by the passages it cites."""

    score: float
    dense: float  # best cosine similarity with a passage sentence
    lexical: float  # IDF-weighted recall of the sentence's content terms in the support window
    specifics_ok: bool  # every number and name of the sentence occurs in its sources
    spans: dict[int, list[tuple[int, int, float]]] = field(default_factory=dict)  # n → (start, end, match)
    polarity_ok: bool = True  # not negated where the matching passage sentences are affirmative


@dataclass
class Verification:
    """The verified answer: cleaned text, per-sentence support, citations with spans, removed markers."""

    text: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    removed_markers: list[int]
    refused: bool

    @property
    def cited(self) -> bool:
        """Whether at least one sentence carries a valid citation."""
        return any(s.citations for s in self.sentences)

    @property
    def unsupported(self) -> int:
        return sum(not s.supported for s in self.sentences)


def parse_answer(raw: str) -> list[ParsedSentence]:
    """Sentences and their [n] markers; a marker after the period belongs to the sentence before it."""
    raw = _THINKING.sub("", raw)  # reasoning models: the deliberation is not part of the answer
    blocks: list[str] = []
    for line in raw.replace("\r", "").split("\n"):
        if _SOURCES_HEADING.match(line):
            break  # a source list the prompt asked not to write: the citations are built here
        line = _LIST_PREFIX.sub("", line).replace("**", "").replace("__", "").strip()
        if not line:
            continue
        if blocks and not re.search(r"[.!?:;)\]]$", blocks[-1]) and line[0].islower():
            blocks[-1] += " " + line  # a wrapped line
        else:
            blocks.append(line)
    out: list[ParsedSentence] = []
    for sentence in (s for block in blocks for s in _parse_block(block)):
        if not sentence.text and out:  # markers on a line of their own belong to the sentence before
            prev = out[-1]
            out[-1] = ParsedSentence(prev.text, tuple(dict.fromkeys(prev.markers + sentence.markers)))
        else:
            out.append(sentence)
    return out


def _parse_block(block: str) -> list[ParsedSentence]:
    clean_parts: list[str] = []
    positions: list[tuple[int, list[int]]] = []
    last = length = 0
    for match in _MARKER.finditer(block):
        clean_parts.append(block[last : match.start()])
        length += match.start() - last
        positions.append((length, [int(x) for x in re.findall(r"\d+", match.group(1))]))
        last = match.end()
    clean_parts.append(block[last:])
    clean = "".join(clean_parts)
    cuts = [0, *(start for start, _ in split_sentences(clean)[1:]), len(clean)]
    segments: list[tuple[str, list[int]]] = [(clean[a:b].strip(), []) for a, b in itertools.pairwise(cuts)]
    for pos, numbers in positions:
        k = max((i for i, cut in enumerate(cuts[:-1]) if cut < pos), default=0)
        segments[min(k, len(segments) - 1)][1].extend(numbers)
    result = []
    for text, numbers in segments:
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if text or numbers:
            result.append(ParsedSentence(text, tuple(dict.fromkeys(numbers))))
    return result


def _normal(text: str) -> str:
    return " ".join(words(text))


_REFUSAL_NORMAL = _normal(REFUSAL)


def is_refusal(text: str) -> bool:
    """Whether a sentence is the refusal sentence (ignoring case, accents, punctuation and markers)."""
    return _normal(_MARKER.sub("", text)).startswith(_REFUSAL_NORMAL)


def _numbers(text: str) -> set[str]:
    found = {m.group(0).replace(".", "").replace(",", "") for m in _NUMBER.finditer(text)}
    return found | {w for w in words(text) if w in NUMBER_WORDS}


def _negated(text: str) -> bool:
    return any(w in NEGATIONS for w in words(text))


def _names(text: str) -> set[str]:
    return {w for m in _NAME.finditer(text) for w in words(m.group(1))}


class Verifier:
    """Scores answer sentences against passages of one store version."""

    def __init__(
        self,
        store: Store,
        index: LexicalIndex,
        model: EmbeddingModel,
        threshold: float,
        params: SupportParams | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.model = model
        self.threshold = threshold
        self.params = params or SupportParams()

    # --- support ------------------------------------------------------------------------------

    def _passage_sentences(
        self, chunks: Sequence[Chunk]
    ) -> tuple[dict[str, list[tuple[int, int, np.ndarray | None]]], list[tuple[str, int]]]:
        stored = self.store.sentence_vectors(list(dict.fromkeys(c.id for c in chunks)))
        missing: list[tuple[str, int]] = []
        out: dict[str, list[tuple[int, int, np.ndarray | None]]] = {}
        for chunk in chunks:
            spans: list[tuple[int, int, np.ndarray | None]] = list(stored.get(chunk.id) or [])
            if not spans:  # no stored vectors (should not happen): embed this chunk's units too
                spans = [(a, b, None) for a, b in chunk.spans() or [(0, len(chunk.text))]]
                missing.extend((chunk.id, i) for i in range(len(spans)))
            out[chunk.id] = spans
        return out, missing

    def support(
        self, sentences: Sequence[str], cited: Sequence[dict[int, Chunk]], vectors: np.ndarray | None = None
    ) -> list[Support]:
        """Support of each sentence against its cited passages (``cited[i]``: number → chunk).

        One embedding call for all sentences (and any passage sentences missing from the store), unless
        the sentence ``vectors`` are given (the evals reuse them across parameter settings)."""
        prm = self.params
        chunks = {c.id: c for group in cited for c in group.values()}
        spans_of, missing = self._passage_sentences(list(chunks.values()))
        texts = [] if vectors is not None else list(sentences)
        texts += [chunks[cid].text[spans_of[cid][i][0] : spans_of[cid][i][1]] for cid, i in missing]
        embedded = self.model.embed_array(texts) if texts else np.zeros((0, 1), np.float32)
        if vectors is None:
            vectors = embedded[: len(sentences)]
            embedded = embedded[len(sentences) :]
        for k, (cid, i) in enumerate(missing):
            a, b, _ = spans_of[cid][i]
            spans_of[cid][i] = (a, b, embedded[k])
        analyzer = self.index.analyzer
        term_cache: dict[tuple[str, int], set[str]] = {}
        results = []
        for sentence, vec, group in zip(sentences, vectors, cited, strict=False):
            if not group:
                results.append(Support(0.0, 0.0, 0.0, False))
                continue
            terms = analyzer.content_terms(sentence)
            weights = {t: self.index.idf_of(t) for t in terms}
            total = sum(weights.values())
            pool = []  # (n, start, end, normalised dense, terms, cosine)
            for n, chunk in group.items():
                for start, end, svec in spans_of[chunk.id]:
                    key = (chunk.id, start)
                    if key not in term_cache:
                        term_cache[key] = analyzer.content_terms(chunk.text[start:end])
                    cos = float(np.dot(vec, svec)) if svec is not None else 0.0
                    dn = float(np.clip((cos - prm.dense_floor) / (prm.dense_ceiling - prm.dense_floor), 0.0, 1.0))
                    pool.append((n, start, end, dn, term_cache[key], cos))
            if not pool:
                results.append(Support(0.0, 0.0, 0.0, False))
                continue

            def recall(window: set[str], weights: dict[str, float] = weights, total: float = total) -> float:
                return sum(w for t, w in weights.items() if t in window) / total if total else 0.0

            scored = [(prm.dense_weight * p[3] + (1 - prm.dense_weight) * recall(p[4]), p) for p in pool]
            scored.sort(key=lambda x: -x[0])
            single, best = scored[0]
            window = [best]
            score, lexical = single, recall(best[4])
            for _, other in scored[1:]:
                union = recall(best[4] | other[4])
                pair = prm.dense_weight * max(best[3], other[3]) + (1 - prm.dense_weight) * union
                if pair > score + prm.pair_margin:
                    window, score, lexical = [best, other], pair, union
            sources = " ".join(f"{c.doc.title} {c.doc.publisher} {c.heading} {c.text}" for c in group.values())
            specifics_ok = _numbers(sentence) <= _numbers(sources) and _names(sentence) <= set(words(sources))
            if not specifics_ok:
                score *= prm.specifics_penalty
            window_text = " ".join(group[p[0]].text[p[1] : p[2]] for p in window)
            polarity_ok = not (_negated(sentence) and not _negated(window_text))
            if not polarity_ok:
                score *= prm.negation_penalty
            spans: dict[int, list[tuple[int, int, float]]] = {}
            for n in group:  # every cited passage shows its best-matching sentence
                found = next(((s, p) for s, p in scored if p[0] == n), None)
                if found is not None:
                    spans.setdefault(n, []).append((found[1][1], found[1][2], found[0]))
            for p in window:
                spans.setdefault(p[0], []).append((p[1], p[2], single))
            dense = max(p[5] for p in pool)
            results.append(Support(float(score), dense, float(lexical), specifics_ok, spans, polarity_ok))
        return results

    # --- the whole answer -----------------------------------------------------------------------

    def verify(self, raw: str, passages: Sequence[Chunk]) -> Verification:
        """Check the model's answer against ``passages`` (numbered 1..k in the prompt)."""
        by_n = {n: chunk for n, chunk in enumerate(passages, start=1)}
        parsed = parse_answer(raw)
        removed = sorted({m for s in parsed for m in s.markers if m not in by_n})
        kept = [ParsedSentence(s.text, tuple(m for m in s.markers if m in by_n)) for s in parsed]
        refusals = [s for s in kept if is_refusal(s.text)]
        content = [s for s in kept if not is_refusal(s.text) and s.text]
        if refusals and not any(s.markers for s in content):
            return Verification(REFUSAL, [], [], removed, refused=True)
        supports = self.support([s.text for s in content], [{n: by_n[n] for n in s.markers} for s in content])
        sentences: list[AnswerSentence] = []
        spans: dict[int, list[tuple[int, int, float]]] = {}
        best_score: dict[int, float] = {}
        for s, sup in zip(content, supports, strict=True):
            supported = bool(s.markers) and sup.score >= self.threshold
            sentences.append(AnswerSentence(s.text, s.markers, round(sup.score, 4), supported))
            for n, found in sup.spans.items():
                spans.setdefault(n, []).extend(found)
                best_score[n] = max(best_score.get(n, 0.0), sup.score)
        citations = [self._citation(n, by_n[n], spans[n], best_score[n]) for n in sorted(spans)]
        text = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}".strip() for s in sentences)
        return Verification(text, sentences, citations, removed, refused=False)

    @staticmethod
    def _citation(n: int, chunk: Chunk, found: list[tuple[int, int, float]], score: float) -> Citation:
        """One citation per cited passage: its matched sentences on the page of the best match."""
        primary = max(found, key=lambda f: f[2])
        page = chunk.page_at(primary[0])
        spans = sorted({(a, b) for a, b, _ in found if chunk.page_at(a) == page})
        return make_citation(n, chunk, spans, score)
