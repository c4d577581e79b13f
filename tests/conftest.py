"""Shared fixtures: settings pointing at temp dirs and one real demo store built per test session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.core import Assistant
from beleidsbron.settings import PROJECT_ROOT, Settings, get_settings
from ingest.pipeline import Ingestor, IngestSummary

CORPUS = PROJECT_ROOT / "corpus" / "pdf"


@pytest.fixture(scope="session", autouse=True)
def _no_developer_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests see none of the developer's ``BELEIDSBRON_*`` variables and no ``.env`` file.

    ``.env`` is read from the working directory, by this process and by every ``python -m …`` a test
    starts, so the session runs in an empty folder. Tests that set variables on purpose
    (``monkeypatch.setenv``, a subprocess ``env``) still do.
    """
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("BELEIDSBRON_")}
    cwd = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    get_settings.cache_clear()
    yield
    os.chdir(cwd)
    os.environ.update(saved)
    get_settings.cache_clear()


def make_settings(store: Path, **overrides: object) -> Settings:
    """Settings for a test: explicit values only, no .env file of the developer."""
    return Settings(_env_file=None, store_path=store, corpus_path=CORPUS, **overrides)


def assistant_beside_demo(folder: Path, store: Path, distractors: int = 2) -> Assistant:
    """The PDFs in ``folder`` plus the first demo publications as distractors, ingested into ``store``
    with the real pipeline, and an Assistant over them."""
    for demo in sorted(CORPUS.glob("*.pdf"))[:distractors]:
        shutil.copy(demo, folder / demo.name)
    settings = make_settings(store)
    summary = Ingestor(settings).run([folder])
    assert summary.failed == 0, summary.to_json()
    return Assistant(settings)


@dataclass
class DemoStore:
    settings: Settings
    summary: IngestSummary


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """The bundled corpus ingested once with the real default model; tests must not modify it."""
    settings = make_settings(tmp_path_factory.mktemp("demo") / "store")
    summary = Ingestor(settings).run([CORPUS])
    assert summary.failed == 0, summary.to_json()
    return DemoStore(settings, summary)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of three demo PDFs (tests may change, add or delete files in it)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for pdf in sorted(CORPUS.glob("*.pdf"))[:3]:
        shutil.copy(pdf, folder / pdf.name)
    return folder
