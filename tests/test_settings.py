"""Settings: groups read from ``BELEIDSBRON_<GROUP>__<FIELD>``, unknown and moved names refused, and
the fingerprint that every answer records."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from beleidsbron.settings import GROUPS, RUNTIME_FIELDS, IngestSettings, Settings


def test_a_nested_variable_reaches_its_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEIDSBRON_INGEST__CHUNK_SIZE", "800")
    monkeypatch.setenv("BELEIDSBRON_RETRIEVAL__FEEDBACK_PASSAGES", "3")
    monkeypatch.setenv("BELEIDSBRON_READER__REFUSAL_THRESHOLD", "0.4")
    settings = Settings(_env_file=None)
    assert settings.ingest.chunk_size == 800
    assert settings.ingest.chunk_overlap == IngestSettings().chunk_overlap  # the rest of the group keeps its defaults
    assert settings.retrieval.feedback_passages == 3
    assert settings.reader.refusal_threshold == 0.4
    monkeypatch.setenv("BELEIDSBRON_INGEST__CHUNK_SIZE", "100")  # constraints hold in the group
    with pytest.raises(ValidationError, match="chunk_size"):
        Settings(_env_file=None)


def test_unknown_and_moved_names_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BELEIDSBRON_INGEST__NO_SUCH_SETTING", "1")
    with pytest.raises(ValidationError, match="no_such_setting"):
        Settings(_env_file=None)
    monkeypatch.delenv("BELEIDSBRON_INGEST__NO_SUCH_SETTING")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, retrieval={"no_such_setting": 1})
    env_file = tmp_path / ".env"
    env_file.write_text("BELEIDSBRON_READER__NO_SUCH_SETTING=1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no_such_setting"):
        Settings(_env_file=env_file)
    monkeypatch.setenv("BELEIDSBRON_CHUNK_SIZE", "800")  # the name before the groups: not silently ignored
    with pytest.raises(ValidationError, match="BELEIDSBRON_CHUNK_SIZE is now BELEIDSBRON_INGEST__CHUNK_SIZE"):
        Settings(_env_file=None)


def test_the_fingerprint_ignores_runtime_fields_and_follows_answer_shaping_ones() -> None:
    base = Settings(_env_file=None)
    for path in RUNTIME_FIELDS:  # every runtime path names a field
        group, _, name = path.rpartition(".")
        assert group in ("", *GROUPS) and name in type(getattr(base, group) if group else base).model_fields
    runtime = Settings(
        _env_file=None,
        store_path=Path("elders"),
        ingest={"parse_workers": 3, "parse_timeout_s": 5, "ocr_workers": 2, "tesseract_cmd": "/opt/tesseract"},
    )
    assert runtime.fingerprint() == base.fingerprint()
    for changed in (
        Settings(_env_file=None, ingest={"chunk_size": 800}),
        Settings(_env_file=None, retrieval={"fusion_prior": 0.3}),
        Settings(_env_file=None, reader={"refusal_threshold": 0.5}),
        Settings(_env_file=None, answer_max_sentences=3),
    ):
        assert changed.fingerprint() != base.fingerprint()
    assert Settings(_env_file=None, ingest={"ocr_dpi": 200}).reading_fingerprint(True) != base.reading_fingerprint(True)
    assert Settings(_env_file=None, ingest={"chunk_size": 800}).ingest_fingerprint() != base.ingest_fingerprint()
