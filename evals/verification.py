"""``python -m evals.verification``: how well the local support score separates supported from invented sentences.

Evals stage for the generative answer mode (answer → *verification* → report). No language model is
needed: answers are simulated from the gold evidence of ``evals/data/questions.jsonl``. Supported
sentences are the evidence itself, a light paraphrase, a truncation and the human reference answer,
each cited to the passage that contains the evidence. Unsupported sentences are the evidence with one
number or name swapped, a sentence from another document (random and most similar), made-up sentences
and (reported apart) the evidence negated, all cited to that same passage. The script scores them with
:class:`assistant.verify.Verifier`, reports ROC AUC, picks the ``supported`` threshold (best balanced
accuracy on the tuning half of the questions, checked on the other half) and compares a few weightings
of the score. Writes ``reports/verification/results.json`` and ``report.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.verify import SupportParams, Verifier
from beleidsbron.domain import Chunk
from beleidsbron.embeddings import load_embeddings
from beleidsbron.lexical_index import refresh_index
from beleidsbron.settings import Settings, get_settings
from beleidsbron.store import Store
from beleidsbron.text.sentences import sentences
from evals.dataset import Question, letters_and_digits, load_questions

SUPPORTED = ("verbatim", "paraphrase", "truncation", "reference-answer")
UNSUPPORTED = ("swapped-number", "swapped-name", "other-doc-random", "other-doc-nearest", "made-up", "made-up-topic")
APART = ("negation",)  # reported apart: only the polarity check can see a lone "niet"
MAIN = ("verbatim", "paraphrase", "truncation", *UNSUPPORTED)
WIDE = (*MAIN, "reference-answer", "negation")  # the threshold is chosen on this, the most realistic mix

_SYNONYMS = {
    "daarnaast": "bovendien",
    "echter": "evenwel",
    "vaak": "dikwijls",
    "belangrijk": "van belang",
    "ongeveer": "circa",
    "bijvoorbeeld": "onder meer",
    "gemeenten": "gemeentes",
    "bewoners": "inwoners",
    "ook": "eveneens",
    "steeds": "telkens",
    "vooral": "met name",
    "maar": "doch",
    "krijgen": "ontvangen",
    "groot": "omvangrijk",
    "grote": "omvangrijke",
    "nieuwe": "recente",
    "snel": "vlot",
    "zodat": "waardoor",
    "omdat": "doordat",
    "meestal": "doorgaans",
    "alleen": "uitsluitend",
    "helpen": "ondersteunen",
    "gebruikt": "ingezet",
    "mensen": "personen",
}
_NUMBER_WORD_SWAP = {
    "twee": "drie",
    "drie": "vijf",
    "vier": "zes",
    "vijf": "acht",
    "zes": "negen",
    "zeven": "elf",
    "acht": "twaalf",
    "tien": "vijftien",
    "twaalf": "twintig",
    "veertien": "negentien",
    "twintig": "dertig",
    "dertig": "veertig",
    "veertig": "zestig",
    "vijftig": "zeventig",
    "honderd": "duizend",
    "helft": "kwart",
    "derde": "vijfde",
}
_MADE_UP = [
    "Het kabinet heeft in 2023 besloten alle wijkbudgetten voortaan rechtstreeks aan bewonerscoöperaties uit te keren.",
    "Volgens de Europese Commissie moeten Nederlandse gemeenten vanaf 2027 een wijkombudsman aanstellen.",
    "In Groningen werd de jongerenwerker vervangen door een app die overlast voorspelt.",
    "Woningcorporaties mogen sinds de Woningwet van 2031 geen sociale huurwoningen meer bouwen.",
    "De provincie Zeeland financiert sinds 2019 alle buurthuizen in de regio volledig.",
    "Onderzoek van de Universiteit Twente laat zien dat straatverlichting de leefbaarheid met 40 procent verhoogt.",
    "Bewoners die deelnemen aan een buurtpanel krijgen jaarlijks een vergoeding van 750 euro.",
    "Het ministerie van Defensie coördineert de aanpak van hittestress in stedelijke wijken.",
    "In de meeste wijken is het aantal inbraken sinds de invoering van de wijkagent verdubbeld.",
    "Gemeenten zijn wettelijk verplicht om iedere vijf jaar een referendum over de wijkaanpak te houden.",
    "De sociale samenhang in een buurt hangt vooral af van het aantal parkeerplaatsen per woning.",
    "Een landelijk fonds van 3 miljard euro betaalt sinds 2015 de renovatie van alle naoorlogse flats.",
]
_MADE_UP_TOPIC = [
    "Bij {kw} spelen bewoners nauwelijks een rol, omdat de gemeente alle beslissingen zelf neemt.",
    "Het Rijk heeft de verantwoordelijkheid voor {kw} volledig overgedragen aan de provincies.",
    "Voor {kw} bestaat geen enkele vorm van samenwerking tussen corporaties en zorgpartijen.",
    "Uit evaluaties blijkt dat {kw} vooral de huizenprijzen in de wijk heeft doen dalen.",
    "Bij {kw} is de politie de enige partij die mag beslissen over de inzet van middelen.",
    "Er is landelijk afgesproken om {kw} binnen twee jaar volledig af te schaffen.",
]
_NEGATABLE = re.compile(r"\b(is|zijn|wordt|worden|heeft|hebben|kan|kunnen|moet|moeten|blijkt|blijken|werd|werden)\b")
_PROPER = re.compile(r"(?<=\s)([A-ZÀ-Ý][a-zà-ÿ]+(?:[A-Z][a-z]+)?)\b")


@dataclass
class Case:
    """One simulated answer sentence cited to one passage."""

    qid: str
    kind: str
    text: str
    chunk_id: str
    half: str  # "tune" or "test"
    support: float = 0.0


# --- building the cases ----------------------------------------------------------------------------


def gold_chunk(evidence: str, chunks: Sequence[Chunk]) -> Chunk | None:
    """The passage that contains the evidence (letters and digits compared), else the best-overlapping one."""
    key = letters_and_digits(evidence)
    for chunk in chunks:
        if key in letters_and_digits(chunk.text):
            return chunk
    words = set(evidence.lower().split())
    best = max(chunks, key=lambda c: len(words & set(c.text.lower().split())), default=None)
    if best is None or len(words & set(best.text.lower().split())) < 0.8 * len(words):
        return None
    return best


def paraphrase(text: str) -> str | None:
    """A light rewording: synonyms and no parentheticals; None when nothing changed."""
    out = re.sub(r"\s*\([^)]*\)", "", text)

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = _SYNONYMS[word.lower()]
        return new[0].upper() + new[1:] if word[0].isupper() else new

    out = re.sub(r"\b(" + "|".join(_SYNONYMS) + r")\b", swap, out, flags=re.IGNORECASE)
    return out if out != text else None


def truncation(text: str) -> str | None:
    """The first clause (at a comma, colon or semicolon after six words), or the first 60% of the words."""
    tokens = text.split()
    if len(tokens) < 10:
        return None
    for i in range(6, len(tokens) - 2):
        if tokens[i - 1][-1] in ",;:":
            return " ".join(tokens[:i])[:-1] + "."
    cut = " ".join(tokens[: max(6, int(len(tokens) * 0.6))])
    return cut.rstrip(",;:") + "."


def swap_number(text: str) -> str | None:
    """The evidence with its first number changed (years shift, counts grow, number words change)."""
    match = re.search(r"\d+(?:[.,]\d+)?", text)
    if match:
        raw = match.group(0)
        value = float(raw.replace(".", "").replace(",", "."))
        if 1900 <= value <= 2100 and raw.isdigit():
            new = str(int(value) + 4)
        elif raw.isdigit():
            new = str(int(value) * 2 + 3)
        else:
            new = raw.replace(raw[-1], str((int(raw[-1]) + 5) % 10))
        return text[: match.start()] + new + text[match.end() :]
    words = re.compile(r"\b(" + "|".join(_NUMBER_WORD_SWAP) + r")\b", re.IGNORECASE)
    found = words.search(text)
    if not found:
        return None
    return text[: found.start()] + _NUMBER_WORD_SWAP[found.group(1).lower()] + text[found.end() :]


def swap_name(text: str, pool: Sequence[str], rng: random.Random) -> str | None:
    """The evidence with its first proper name (not sentence-initial) replaced by a name from another document."""
    match = _PROPER.search(text)
    if not match:
        return None
    choices = [p for p in pool if p.lower() not in text.lower()]
    return text[: match.start()] + rng.choice(choices) + text[match.end() :] if choices else None


def negate(text: str) -> str | None:
    match = _NEGATABLE.search(text)
    return text[: match.end()] + " niet" + text[match.end() :] if match else None


def keyword(text: str) -> str:
    """The longest content word of the evidence (the topic a made-up sentence pretends to be about)."""
    tokens = [t.strip(".,;:()'\"") for t in text.split()]
    return max(tokens, key=len).lower()


def build_cases(questions: Sequence[Question], chunks: Sequence[Chunk], seed: int = 0) -> list[Case]:
    """Simulated answer sentences for every answerable question (seeded, reproducible)."""
    rng = random.Random(seed)
    by_source: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_source[chunk.doc.source].append(chunk)
    names_of: dict[str, set[str]] = defaultdict(set)
    sentences_of: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks:
        names_of[chunk.doc.source] |= {m.group(1) for m in _PROPER.finditer(chunk.text) if len(m.group(1)) > 4}
        sentences_of[chunk.doc.source] += [s for s in sentences(chunk.text) if 8 <= len(s.split()) <= 40]
    cases: list[Case] = []
    for number, q in enumerate(q for q in questions if q.answerable):
        half = "tune" if number % 2 == 0 else "test"
        for g_index, gold in enumerate(q.gold):
            chunk = gold_chunk(gold.evidence, by_source.get(gold.source, []))
            if chunk is None:
                continue
            others = sorted(s for s in sentences_of if s != gold.source)
            pool = sorted(n for src in others for n in names_of[src])

            def add(kind: str, text: str | None, chunk: Chunk = chunk, q: Question = q, half: str = half) -> None:
                if text and text.strip():
                    cases.append(Case(q.id, kind, text.strip(), chunk.id, half))

            evidence = gold.evidence
            add("verbatim", evidence)
            add("paraphrase", paraphrase(evidence))
            add("truncation", truncation(evidence))
            if g_index == 0 and len(q.gold) == 1:
                add("reference-answer", q.answer)
            add("swapped-number", swap_number(evidence))
            add("swapped-name", swap_name(evidence, pool, rng))
            add("other-doc-random", rng.choice(sentences_of[rng.choice(others)]))
            add("made-up", _MADE_UP[len(cases) % len(_MADE_UP)])
            add("made-up-topic", _MADE_UP_TOPIC[len(cases) % len(_MADE_UP_TOPIC)].format(kw=keyword(evidence)))
            add("negation", negate(evidence))
            cases.append(Case(q.id, "other-doc-nearest", evidence, chunk.id, half))  # text filled in later
    return cases


def fill_nearest(cases: list[Case], chunks: Sequence[Chunk], store: Store, model: Any) -> None:
    """The sentence of another document most similar to the evidence (a plausible mix-up)."""
    by_id = {c.id: c for c in chunks}
    stored = store.sentence_vectors([c.id for c in chunks])
    texts, vecs, sources = [], [], []
    for cid, spans in stored.items():
        for start, end, vec in spans:
            text = by_id[cid].text[start:end]
            if 8 <= len(text.split()) <= 40:
                texts.append(text)
                vecs.append(vec)
                sources.append(by_id[cid].doc.source)
    matrix = np.asarray(vecs)
    todo = [c for c in cases if c.kind == "other-doc-nearest"]
    queries = model.embed_array([c.text for c in todo])
    for case, query in zip(todo, queries, strict=True):
        source = by_id[case.chunk_id].doc.source
        sims = matrix @ query
        for i in np.argsort(-sims):
            if sources[i] != source:
                case.text = texts[i]
                break


# --- metrics ---------------------------------------------------------------------------------------


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Probability that a supported sentence scores above an unsupported one (ties count half)."""
    if not positive or not negative:
        return float("nan")
    pos, neg = np.asarray(positive), np.asarray(negative)
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def at_threshold(positive: Sequence[float], negative: Sequence[float], t: float) -> dict[str, float]:
    tp = sum(s >= t for s in positive)
    tn = sum(s < t for s in negative)
    n = len(positive) + len(negative)
    return {
        "accuracy": (tp + tn) / n if n else 0.0,
        "balanced_accuracy": 0.5 * (tp / len(positive) + tn / len(negative)) if positive and negative else 0.0,
        "supported_kept": tp / len(positive) if positive else 0.0,
        "unsupported_flagged": tn / len(negative) if negative else 0.0,
    }


def balanced_threshold(positive: Sequence[float], negative: Sequence[float]) -> float:
    """The threshold with the best balanced accuracy (midpoints between observed scores, rounded)."""
    values = sorted(set(positive) | set(negative))
    candidates = [round((a + b) / 2, 3) for a, b in itertools.pairwise(values)] or [0.5]
    return max(candidates, key=lambda t: (at_threshold(positive, negative, t)["balanced_accuracy"], -abs(t - 0.5)))


def split(cases: Sequence[Case], kinds: Sequence[str], half: str | None = None) -> tuple[list[float], list[float]]:
    chosen = [c for c in cases if c.kind in kinds and (half is None or c.half == half)]
    return [c.support for c in chosen if c.kind in SUPPORTED], [c.support for c in chosen if c.kind not in SUPPORTED]


def score(verifier: Verifier, cases: list[Case], chunks: dict[str, Chunk], vectors: np.ndarray) -> None:
    supports = verifier.support([c.text for c in cases], [{1: chunks[c.chunk_id]} for c in cases], vectors)
    for case, sup in zip(cases, supports, strict=True):
        case.support = sup.score


GRID = {
    "default": SupportParams(),
    "dense only": SupportParams(dense_weight=1.0, specifics_penalty=1.0),
    "lexical only": SupportParams(dense_weight=0.0, specifics_penalty=1.0),
    "no specifics check": SupportParams(specifics_penalty=1.0),
    "no negation check": SupportParams(negation_penalty=1.0),
    "penalties 0.35": SupportParams(specifics_penalty=0.35, negation_penalty=0.35),
    "dense weight 0.3": SupportParams(dense_weight=0.3),
    "dense weight 0.7": SupportParams(dense_weight=0.7),
    "floor 0.75": SupportParams(dense_floor=0.75),
    "floor 0.85": SupportParams(dense_floor=0.85),
    "ceiling 0.90": SupportParams(dense_ceiling=0.90),
    "no pair window": SupportParams(pair_margin=9.0),
}


def evaluate(settings: Settings, out_dir: Path, store_dir: Path | None, seed: int = 0) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="beleidsbron-verify-") as tmp:
        if store_dir is None:
            from evals.quality import build_store

            settings = settings.model_copy(update={"store_path": Path(tmp) / "store", "chroma_url": None})
            build_store(settings, settings.corpus_path)
        else:
            settings = settings.model_copy(update={"store_path": store_dir})
        model = load_embeddings(settings)
        store = Store.open(settings)
        index = refresh_index(store, settings)
        chunks = {c.id: c for c in index.chunks}
        cases = build_cases(load_questions(), list(chunks.values()), seed)
        fill_nearest(cases, list(chunks.values()), store, model)
        vectors = model.embed_array([c.text for c in cases])
        grid: dict[str, dict[str, float]] = {}
        for name, params in GRID.items():
            score(Verifier(store, index, model, settings.support_threshold, params), cases, chunks, vectors)
            grid[name] = {
                "auc_tune": roc_auc(*split(cases, MAIN, "tune")),
                "auc_test": roc_auc(*split(cases, MAIN, "test")),
                "auc_all": roc_auc(*split(cases, MAIN)),
                "auc_wide": roc_auc(*split(cases, WIDE)),
            }
        score(Verifier(store, index, model, settings.support_threshold), cases, chunks, vectors)
    chosen = balanced_threshold(*split(cases, WIDE, "tune"))
    pos, neg = split(cases, MAIN)
    test_pos, test_neg = split(cases, MAIN, "test")
    wide_pos, wide_neg = split(cases, WIDE)
    kinds: dict[str, dict[str, float]] = {}
    for kind in (*SUPPORTED, *UNSUPPORTED, *APART):
        values = [c.support for c in cases if c.kind == kind]
        if values:
            flagged = sum(v < settings.support_threshold for v in values)
            kinds[kind] = {
                "n": len(values),
                "mean_support": float(np.mean(values)),
                "median_support": float(np.median(values)),
                "share_supported": 1 - flagged / len(values),
            }
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "seconds": round(time.perf_counter() - started, 1),
        "cases": len(cases),
        "params": asdict(SupportParams()),
        "threshold_in_settings": settings.support_threshold,
        "chosen_threshold": chosen,
        "roc_auc": {
            "main": roc_auc(pos, neg),
            "main_test_half": roc_auc(test_pos, test_neg),
            "with_reference_answers": roc_auc(*split(cases, (*MAIN, "reference-answer"))),
            "with_negation": roc_auc(*split(cases, (*MAIN, "negation"))),
            "wide": roc_auc(wide_pos, wide_neg),
        },
        "at_chosen_threshold": {
            "all": at_threshold(pos, neg, chosen),
            "test_half": at_threshold(test_pos, test_neg, chosen),
            "wide": at_threshold(wide_pos, wide_neg, chosen),
            "wide_test_half": at_threshold(*split(cases, WIDE, "test"), chosen),
        },
        "at_settings_threshold": at_threshold(pos, neg, settings.support_threshold),
        "by_kind": kinds,
        "grid": grid,
        "examples": {
            kind: [{"text": c.text, "support": round(c.support, 3)} for c in cases if c.kind == kind][:3]
            for kind in (*SUPPORTED, *UNSUPPORTED, *APART)
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "report.md").write_text(report(results), encoding="utf-8")
    return results


def report(r: dict[str, Any]) -> str:
    auc = r["roc_auc"]
    chosen = r["at_chosen_threshold"]
    lines = [
        "# Verification of generated answers: support score",
        "",
        f"{r['date']} · {r['cases']} simulated answer sentences from the gold evidence of "
        "`evals/data/questions.jsonl`, each cited to the passage that contains the evidence · "
        f"`python -m evals.verification` ({r['seconds']} s).",
        "",
        "Supported: " + ", ".join(SUPPORTED) + ". Unsupported: " + ", ".join(UNSUPPORTED) + ". "
        "The main set leaves out the human reference answers (they may draw on neighbouring passages) and "
        "negations (reported apart).",
        "",
        "| ROC AUC | value |",
        "|---|---|",
        f"| main set | {auc['main']:.3f} |",
        f"| main set, test half (questions not used to choose the threshold) | {auc['main_test_half']:.3f} |",
        f"| + reference answers as supported | {auc['with_reference_answers']:.3f} |",
        f"| + negations as unsupported | {auc['with_negation']:.3f} |",
        f"| wide set (main + reference answers + negations) | {auc['wide']:.3f} |",
        "",
        "The threshold is chosen on the wide set (the reference answers are the most realistic paraphrases), "
        f"tuning half of the questions only: **{r['chosen_threshold']}** with the best balanced accuracy "
        f"(settings: `support_threshold` = {r['threshold_in_settings']}).",
        "",
        "| at the chosen threshold | accuracy | balanced | supported kept | unsupported flagged |",
        "|---|---|---|---|---|",
    ]
    for name, m in (
        ("main set", chosen["all"]),
        ("main set, test half", chosen["test_half"]),
        ("wide set", chosen["wide"]),
        ("wide set, test half", chosen["wide_test_half"]),
    ):
        lines.append(
            f"| {name} | {m['accuracy']:.3f} | {m['balanced_accuracy']:.3f} | {m['supported_kept']:.3f} | "
            f"{m['unsupported_flagged']:.3f} |"
        )
    lines += [
        "",
        f"## By kind (threshold {r['threshold_in_settings']})",
        "",
        "| kind | n | mean support | median | counted as supported |",
        "|---|---|---|---|---|",
    ]
    for kind, m in r["by_kind"].items():
        lines.append(
            f"| {kind} | {m['n']} | {m['mean_support']:.3f} | {m['median_support']:.3f} | {m['share_supported']:.3f} |"
        )
    lines += [
        "",
        "## Variants of the score (ROC AUC)",
        "",
        "| variant | tuning half | test half | all | wide set |",
        "|---|---|---|---|---|",
    ]
    for name, m in r["grid"].items():
        lines.append(
            f"| {name} | {m['auc_tune']:.3f} | {m['auc_test']:.3f} | {m['auc_all']:.3f} | {m['auc_wide']:.3f} |"
        )
    lines += ["", "## Examples", ""]
    for kind, examples in r["examples"].items():
        for ex in examples[:2]:
            lines.append(f"- *{kind}* ({ex['support']:.2f}): {ex['text']}")
    lines += [
        "",
        "Limits: the unsupported sentences are simulated, not produced by a real model; a negation or a "
        "changed relation with the same words keeps a high score (similarity cannot see it). The support "
        "mark is a pointer to what to check, not proof.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.verification", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("reports/verification"), help="report folder")
    parser.add_argument("--store", type=Path, help="use this store of the demo corpus instead of building one")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    r = evaluate(get_settings(), args.out, args.store, args.seed)
    m = r["at_chosen_threshold"]["all"]
    print(
        f"{r['cases']} sentences: ROC AUC {r['roc_auc']['main']:.3f} (test half {r['roc_auc']['main_test_half']:.3f}); "
        f"threshold {r['chosen_threshold']}: accuracy {m['accuracy']:.3f}, balanced {m['balanced_accuracy']:.3f}. "
        f"Report: {args.out / 'report.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
