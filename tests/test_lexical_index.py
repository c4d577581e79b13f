"""The persisted BM25 index stays consistent with the store through ingest, replacement and pruning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core import Assistant
from beleidsbron.lexical_index import index_folder, load_index
from beleidsbron.store import Store
from ingest.pipeline import Ingestor
from tests.conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow  # every test ingests real PDFs


def index_ids(assistant: Assistant) -> set[str]:
    return {c.id for c in assistant.index.chunks}


def store_ids(store: Store) -> set[str]:
    return {c.id for c in store.iter_chunks()}


def test_index_follows_the_store(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    Ingestor(settings).run([corpus_copy])
    store = Store.open(settings)
    saved = list(index_folder(settings).glob("bm25-*.pkl"))
    assert [p.name for p in saved] == [f"bm25-{store.version()}.pkl"]  # ingest saved it
    mtime = saved[0].stat().st_mtime_ns

    assistant = Assistant(settings)
    assert index_ids(assistant) == store_ids(store)
    assert saved[0].stat().st_mtime_ns == mtime  # loaded, not rebuilt

    # a new document arrives through another ingest; the running assistant picks it up
    shutil.copy(CORPUS / "07-gezondheid-preventie.pdf", corpus_copy)
    Ingestor(settings).run([corpus_copy])
    assert assistant.refresh()
    assert index_ids(assistant) == store_ids(store)
    assert any(
        c.source == "07-gezondheid-preventie.pdf"
        for c in assistant.ask("Wat is de gezonde levensverwachting in de Kanaalzone?").citations
    )

    # replace one file and prune another
    target = sorted(corpus_copy.glob("0[1-3]*.pdf"))[0]
    shutil.copy(CORPUS / "08-slimme-combinaties.pdf", target)
    (corpus_copy / "07-gezondheid-preventie.pdf").unlink()
    Ingestor(settings).run([corpus_copy], prune=True)
    assert assistant.refresh()
    assert index_ids(assistant) == store_ids(store)
    assert assistant.index.version == store.version()
    assert all(c.doc.source != "07-gezondheid-preventie.pdf" for c in assistant.index.chunks)
    assert len(list(index_folder(settings).glob("bm25-*.pkl"))) == 1  # old versions cleaned up
    assert not assistant.refresh()


def test_a_missing_or_corrupt_index_file_is_rebuilt(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    Ingestor(settings).run([corpus_copy])
    version = Store.open(settings).version()
    path = index_folder(settings) / f"bm25-{version}.pkl"
    path.write_bytes(b"not a pickle")
    assert load_index(index_folder(settings), version) is None
    # an index pickled when the module lived elsewhere (ingest.lexical_index, before it moved to beleidsbron)
    path.write_bytes(
        b"\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x14ingest.lexical_index\x94\x8c\x0cLexicalIndex\x94\x93\x94."
    )
    assert load_index(index_folder(settings), version) is None
    assistant = Assistant(settings)
    assert assistant.index.version == version and assistant.index.chunks
    assert load_index(index_folder(settings), version) is not None
