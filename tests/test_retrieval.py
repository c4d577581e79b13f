"""Retrieval that finds paraphrased evidence: Dutch compounds (three parts, the hunspell word list and
its absence, words the question writes apart), abbreviations learned from the corpus, pseudo-relevance
feedback and sentence-level vector search — unit tests of the analysis, then real PDFs, model and store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.question import prepare
from beleidsbron.lexical_index import LexicalIndex, refresh_index
from beleidsbron.store import Store
from beleidsbron.text.dutch_analysis import Analyzer, find_abbreviations, load_lexicon, stem
from evals.pdf_factory import text_pdf
from tests.conftest import assistant_beside_demo, make_settings

# --- analysis ------------------------------------------------------------------------------------------


def test_a_compound_of_three_parts_gives_every_part() -> None:
    analyzer = Analyzer({"woning", "verbetering", "programma", "woningverbetering"})
    parts = analyzer.split_compound("woningverbeteringsprogramma")
    assert {"woning", "verbetering", "programma"} <= set(parts)
    # a rest that is only known as a compound of known parts still splits
    assert set(Analyzer({"wijk", "veiligheid", "plan"}).split_compound("wijkveiligheidsplan")) == {
        "wijk",
        "veiligheid",
        "plan",
    }


def test_the_word_list_splits_compounds_whose_parts_the_corpus_lacks(tmp_path: Path) -> None:
    dic = tmp_path / "nl.dic"
    dic.write_text("3\nverbetering/ZbCc\nwoning/CcCa\nzorg/Ab\n", encoding="utf-8")
    lexicon = load_lexicon(dic)
    assert lexicon == frozenset({"verbetering", "woning"})  # flags dropped, short words left out
    corpus_only = Analyzer({"programma"})
    with_list = Analyzer({"programma"}, lexicon)
    assert corpus_only.split_compound("woningverbetering") == ()
    assert set(with_list.split_compound("woningverbetering")) == {"woning", "verbetering"}
    assert set(with_list.split_compound("woningenverbetering")) == {"woning", "verbetering"}  # linking -en-
    assert "heid" not in with_list.split_compound("woningheid")  # no short parts from the list


def test_the_word_list_splits_the_corpus_words_not_the_question_words(tmp_path: Path) -> None:
    dic = tmp_path / "nl.dic"
    dic.write_text("2\nhoofd/Ab\nwoning/Cc\n", encoding="utf-8")
    analyzer = Analyzer({"stad", "verbetering"}, load_lexicon(dic))
    analyzer.keep_lexicon_splits(["woningverbetering", "stad"])  # what the index saw
    assert set(analyzer.split_compound("woningverbetering")) == {"woning", "verbetering"}  # kept
    assert analyzer.split_compound("hoofdstad") == ()  # a question's word: corpus parts only, "hoofd" is none


def test_without_the_word_list_compounds_split_on_corpus_words(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "missing.dic") == frozenset()  # hunspell-nl absent: no error
    assert load_lexicon(None) == frozenset()
    analyzer = Analyzer({"wijk", "aanpak"}, load_lexicon(tmp_path / "missing.dic"))
    assert set(analyzer.terms("aanpak van wijken")) <= set(analyzer.terms("wijkaanpak"))


def test_the_question_joins_what_the_text_writes_as_one_word() -> None:
    analyzer = Analyzer({"wijk", "aanpak", "jeugd", "werkloosheid"})
    index_terms = {stem("wijkaanpak"), stem("jeugdwerkloosheid")}
    joined = analyzer.joined_words("Hoe werkt de aanpak van wijken tegen jeugd werkloosheid?", index_terms.__contains__)
    assert set(joined) == index_terms
    assert analyzer.joined_words("aanpak van wijken", set().__contains__) == []  # only compounds the corpus has


def test_abbreviations_are_found_both_ways() -> None:
    text = (
        "Het Nationaal Programma Leefbaarheid en Veiligheid (NPLV) loopt twintig jaar. De GGD (Gemeentelijke "
        "Gezondheidsdienst) adviseert. De kosten (2023) stegen (zie bijlage)."
    )
    assert find_abbreviations(text) == [
        ("NPLV", "Nationaal Programma Leefbaarheid en Veiligheid"),
        ("GGD", "Gemeentelijke Gezondheidsdienst"),
    ]
    analyzer = Analyzer({"programma"})
    analyzer.abbreviations = {"NPLV": "Nationaal Programma Leefbaarheid en Veiligheid", "OM": "Openbaar Ministerie"}
    assert analyzer.expand_abbreviations("Wat doet het NPLV?") == ["Nationaal Programma Leefbaarheid en Veiligheid"]
    assert analyzer.expand_abbreviations("Wat doet het nationaal programma voor leefbaarheid en veiligheid?") == [
        "NPLV"
    ]
    assert analyzer.expand_abbreviations("Wat is er nodig om te beginnen?") == []  # "om" is a word, not OM


# --- real PDFs, model and store --------------------------------------------------------------------------

POLICY = [
    "Het Nationaal Programma Leefbaarheid en Veiligheid (NPLV) richt zich op twintig stedelijke focusgebieden. "
    "Rijk, gemeenten en corporaties werken daarin twintig jaar samen.",
    "Voor de eerste tranche van het Nationaal Programma Leefbaarheid en Veiligheid is 240 miljoen euro "
    "beschikbaar gesteld. Het geld gaat naar onderwijs, werk en veiligheid in de focusgebieden.",
    "De woningverbeteringsregeling van de gemeente Dijkveld vergoedt de helft van de kosten van isolatie en "
    "nieuwe kozijnen bij particuliere eigenaren, tot een maximum van 12.000 euro per woning.",
    "In de Oostbuurt staan veel portiekflats uit de jaren zestig. De bewoners klagen over tocht, vocht en "
    "hoge energierekeningen. De gemeente wil de buurt vergroenen en meer speelplekken aanleggen.",
    "De wijkaanpak in de Westhoek begon in 2019 met een buurtbudget van 80.000 euro per jaar. Bewoners "
    "beslissen zelf over de besteding via een jaarlijkse buurtstemming.",
    "Het Parkwaterkwartier kreeg in 2021 een eigen wijkteam. Het wijkteam houdt spreekuur in de bibliotheek "
    "en werkt samen met de huisartsen in de buurt.",
]


@pytest.fixture(scope="module")
def policy_store(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("policy-pdf")
    text_pdf(folder / "stedelijk-beleid.pdf", ["\n".join(POLICY[:3])], title="Stedelijk beleid")
    text_pdf(folder / "wijken.pdf", ["\n".join(POLICY[3:])], title="Wijken in beweging")
    return assistant_beside_demo(folder, tmp_path_factory.mktemp("policy-store") / "store")


def _top(assistant: Assistant, question: str, whole: bool = False, **overrides: object) -> str:
    """The best sentence of the first passage (``whole``: the passage)."""
    search = assistant.search
    if overrides:
        from assistant.retrieval import HybridSearch

        settings = assistant.settings
        retrieval = settings.retrieval.model_copy(update=overrides)
        search = HybridSearch(assistant.store, assistant.index, assistant.model, retrieval, settings.reader)
    prepared = prepare(question, [], assistant.index.analyzer, assistant.settings.retrieval.max_question_chars)
    candidates = search.search(prepared.query)
    best = candidates[0]
    if whole:
        return best.chunk.text
    return best.chunk.text[best.best(1)[0].start : best.best(1)[0].end]


@pytest.mark.slow
def test_a_compound_question_finds_the_passage_first(policy_store: Assistant) -> None:
    top = _top(policy_store, "Welke regeling helpt particuliere eigenaren met het verbeteren van hun woning?")
    assert "woningverbeteringsregeling" in top
    top = _top(policy_store, "Hoeveel geld kreeg de aanpak van wijken in de Westhoek per jaar?")
    assert "80.000 euro" in top


@pytest.mark.slow
def test_an_abbreviation_finds_its_long_form(policy_store: Assistant) -> None:
    assert policy_store.index.analyzer.abbreviations.get("NPLV") == "Nationaal Programma Leefbaarheid en Veiligheid"
    prepared = prepare("Hoeveel geld is er voor de eerste tranche van het NPLV?", [], policy_store.index.analyzer, 1000)
    assert "Nationaal Programma Leefbaarheid en Veiligheid" in prepared.query
    top = _top(policy_store, "Hoeveel geld is er voor de eerste tranche van het NPLV?")
    assert "240 miljoen euro" in top  # the passage names only the long form


@pytest.mark.slow
def test_feedback_does_not_drown_an_exact_match(policy_store: Assistant) -> None:
    question = "Waar houdt het wijkteam van het Parkwaterkwartier spreekuur?"
    strong = {"feedback_passages": 8, "feedback_terms": 20, "feedback_weight": 0.5}
    assert "spreekuur in de bibliotheek" in _top(policy_store, question, whole=True, **strong)
    assert "spreekuur in de bibliotheek" in _top(policy_store, question, whole=True, feedback_passages=0)


@pytest.mark.slow
def test_the_index_builds_without_the_word_list(tmp_path: Path, policy_store: Assistant) -> None:
    settings = make_settings(tmp_path / "store", retrieval={"compound_word_list": tmp_path / "absent.dic"})
    chunks = policy_store.index.chunks
    index = LexicalIndex.build(chunks, "v", load_lexicon(settings.retrieval.compound_word_list))
    assert index.analyzer.lexicon == frozenset()
    assert index.scores(index.analyzer.terms("wijkaanpak Westhoek")).max() > 0
    assert isinstance(refresh_index(Store.open(policy_store.settings), settings), LexicalIndex)


# --- the evaluation and fitting scripts -------------------------------------------------------------------


def test_retrieval_metrics_score_the_passage_that_holds_the_evidence() -> None:
    from evals.dataset import Gold, Question
    from evals.retrieval import parse_variant, question_metrics

    q = Question(
        id="q1",
        type="fact",
        question="Hoeveel?",
        answerable=True,
        gold=(Gold("a.pdf", (1,), "Het budget is 80.000 euro per jaar."),),
        answer="",
    )
    passages = ["Iets anders.", "In de Westhoek: het budget is 80.000 euro per jaar.", "Nog iets."]
    assert question_metrics(q, passages) == {"top": 0.0, "e@5": 1.0, "e@10": 1.0, "mrr": 0.5}
    assert parse_variant("off:feedback_passages=0,compound_word_list=") == (
        "off",
        {"feedback_passages": 0, "compound_word_list": None},
    )
    with pytest.raises(ValueError):
        parse_variant("bad:no_such_setting=1")


def test_fitted_values_are_written_into_the_settings_source(tmp_path: Path) -> None:
    from beleidsbron.settings import PROJECT_ROOT
    from evals.fit_retrieval import group_of, write_defaults

    copy = tmp_path / "settings.py"
    copy.write_text((PROJECT_ROOT / "beleidsbron" / "settings.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_defaults({"rrf_k": 33, "fusion_sentence": 1.25}, copy)
    text = copy.read_text(encoding="utf-8")
    assert re.search(r"rrf_k: int = Field\(\s*33,", text)
    assert re.search(r"fusion_sentence: float = Field\(\s*1.25,", text)
    from evals.dataset import Gold, Question

    q = Question(id="t3q1", type="fact", question="?", answerable=True, gold=(Gold("t3d2.pdf", (1,), "x"),), answer="")
    assert group_of(q) == "t3"
