"""Extractive answers: the best evidence sentences, each cited, in a readable order — or a refusal.

Second step of the assistant (retrieval → *answer* → citations). No sentence is written that is not
quoted from a passage, so every sentence carries a citation by construction. Citations point at the
page where the cited sentence stands (not where its chunk starts) and carry a stable anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval import Candidate, ScoredSentence
from beleidsbron.domain import AnswerSentence, Chunk, Citation
from ingest.dutch_analysis import Analyzer

_BOILERPLATE = re.compile(
    r"demodocument|geen officiële publicatie|alle rechten voorbehouden|overname van tekst|"
    r"beleidsbron-demoredactie|fictieve uitgever|dienen uitsluitend als oefenmateriaal",
    re.IGNORECASE,
)
_SKIP_HEADINGS = re.compile(r"^(colofon|inhoud|inhoudsopgave|contents|noten|literatuur|bronnen)\b", re.I)
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?;…)\"'”’]$")  # not ":" — it announces what follows
_META = re.compile(
    r"^(tabel|figuur|grafiek|kader|bron|noot)\s*\d*\b|^\d{1,2}\s+(zie|vgl|bron|cf)\b|"
    r"\b(deze|dit|die) (notitie|publicatie|rapport|document|"
    r"hoofdstuk|paragraaf|verkenning|handreiking)\b|\bhoofdstuk \d|\bin (het )?volgende hoofdstuk",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[–•▪\-*]\s+")
_SOURCE_MARKER = re.compile(r"\s*\[\d{1,3}\]")  # "[7]" in a PDF's own text would read as one of our citations
REDUNDANCY = 0.6  # content-term Jaccard above which a sentence repeats one already chosen
PRIMARY_FLOOR = 0.75  # sentences scoring at least this share of the best one are taken (up to the maximum)
FILL_FLOOR = 0.55  # weaker sentences down to this share only fill the answer up to the minimum


@dataclass
class Pick:
    candidate: Candidate
    sentence: ScoredSentence


def page_position(chunk: Chunk, offset: int) -> tuple[int, int]:
    """(page, offset in that page's clean text) of a character of the chunk."""
    k = max(i for i, start in enumerate(chunk.page_starts) if start <= offset)
    return chunk.pages[k], (chunk.page_offset + offset) if k == 0 else offset - chunk.page_starts[k]


def usable(sentence: ScoredSentence, chunk: Chunk) -> bool:
    """Whether a sentence can stand in an answer on its own: a real sentence, no layout debris."""
    text = sentence.text
    if _SKIP_HEADINGS.match(chunk.heading) or _BOILERPLATE.search(text) or _META.search(text):
        return False  # colophon, captions and sentences about the document instead of the subject
    body = _BULLET.sub("", text)
    if len(body) < 30 or len(body) > 600 or len(body.split()) < 5:
        return False
    if not body[0].isupper() and not body[0].isdigit():
        return False  # a fragment: the sentence began before this chunk
    letters = sum(ch.isalpha() for ch in body)
    if letters < 0.6 * len(body):
        return False  # table rows, lists of figures
    if re.search(r"\.{4,}|(?:\. ){3,}|…{2,}", body):
        return False  # table-of-contents lines with dot leaders
    if body.endswith("?"):
        return False  # a question (often a heading) answers nothing
    return bool(_ENDS_LIKE_SENTENCE.search(body))


def select(candidates: list[Candidate], analyzer: Analyzer, max_n: int, min_n: int) -> list[Pick]:
    """Greedy selection of relevant, non-redundant sentences."""
    pool = [Pick(c, s) for c in candidates for s in c.sentences if usable(s, c.chunk)]
    pool.sort(key=lambda p: -p.sentence.score)
    if not pool:
        return []
    best = pool[0].sentence.score
    chosen: list[Pick] = []
    chosen_terms: list[set[str]] = []
    seen_text: set[str] = set()
    for floor in (PRIMARY_FLOOR * best, FILL_FLOOR * best):
        for pick in pool:
            if len(chosen) >= max_n or (floor < PRIMARY_FLOOR * best and len(chosen) >= min_n):
                break
            if pick.sentence.score < floor or pick in chosen:
                continue
            key = " ".join(pick.sentence.text.lower().split())
            if key in seen_text:
                continue  # the same sentence in an overlapping chunk
            terms = analyzer.content_terms(pick.sentence.text)
            if any(_jaccard(terms, other) > REDUNDANCY for other in chosen_terms):
                continue
            chosen.append(pick)
            chosen_terms.append(terms)
            seen_text.add(key)
    return chosen


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def readable_order(picks: list[Pick]) -> list[Pick]:
    """Passages in order of their best sentence; sentences of one passage in text order."""
    rank: dict[str, int] = {}
    for pick in picks:  # picks arrive best first
        rank.setdefault(pick.candidate.chunk.id, len(rank))
    return sorted(picks, key=lambda p: (rank[p.candidate.chunk.id], p.sentence.start))


def make_citation(n: int, chunk: Chunk, spans: list[tuple[int, int]], score: float) -> Citation:
    page, page_start = page_position(chunk, spans[0][0])
    _, page_end = page_position(chunk, spans[-1][1] - 1)
    return Citation(
        n=n,
        source=chunk.doc.source,
        title=chunk.doc.title,
        publisher=chunk.doc.publisher,
        year=chunk.doc.year,
        page=page,
        text=chunk.text,
        spans=tuple(spans),
        score=score,
        anchor=f"{chunk.doc.content_hash[:16]}:p{page}:{page_start}-{page_end + 1}",
        chunk_id=chunk.id,
        heading=chunk.heading,
        url=chunk.doc.url,
    )


def compose(picks: list[Pick]) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Answer text with [n] markers, its citations and per-sentence records."""
    ordered = readable_order(picks)
    numbers: dict[tuple[str, int], int] = {}
    groups: dict[int, list[Pick]] = {}
    for pick in ordered:
        chunk = pick.candidate.chunk
        key = (chunk.id, chunk.page_at(pick.sentence.start))  # one citation per passage and page
        n = numbers.setdefault(key, len(numbers) + 1)
        groups.setdefault(n, []).append(pick)
    sentences: list[AnswerSentence] = []
    parts: list[str] = []
    for pick in ordered:
        chunk = pick.candidate.chunk
        n = numbers[(chunk.id, chunk.page_at(pick.sentence.start))]
        text = _SOURCE_MARKER.sub("", _BULLET.sub("", pick.sentence.text)).strip()
        text = text[0].upper() + text[1:]
        parts.append(f"{text} [{n}]")
        sentences.append(AnswerSentence(text=text, citations=(n,), support=1.0, supported=True))
    citations = [
        make_citation(
            n,
            group[0].candidate.chunk,
            sorted((p.sentence.start, p.sentence.end) for p in group),
            max(p.sentence.score for p in group),
        )
        for n, group in sorted(groups.items())
    ]
    return " ".join(parts), citations, sentences


def related_passages(candidates: list[Candidate], n: int = 3) -> list[Citation]:
    """The nearest passages of a refusal, shown as "mogelijk relevant" (not as citations)."""
    out = []
    for cand in candidates[:n]:
        best = cand.best(1)
        spans = [(best[0].start, best[0].end)] if best else [(0, len(cand.chunk.text))]
        out.append(make_citation(len(out) + 1, cand.chunk, spans, cand.score))
    return out
