"""The imports of the tree follow the flow corpus → ingest → store → assistant → app/evals.

Parses every module (no imports run) and checks who may import whom:

- ``beleidsbron`` (settings, domain types, store, lexical index, embeddings, Dutch text) is the shared
  foundation: it imports none of the stages;
- ``ingest`` (the write path) may use the foundation, never the assistant, the app or the evals;
- ``assistant`` (the read path) may use the foundation, never ingest;
- the app (``app.py``, ``webapp``) may use the foundation and the assistant; of ingest only its public
  entry points: ``ingest.pipeline`` (an upload is ingested, the library shows ingest's status records)
  and the ``python -m ingest`` command (``ingest.__main__``, the first start of an empty store);
- ``evals`` may use anything but the tests; ``tests`` may use anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

from beleidsbron.settings import PROJECT_ROOT

# What each part of the tree may import (besides itself and the standard and third-party libraries).
MAY_USE: dict[str, set[str]] = {
    "corpus": set(),
    "beleidsbron": set(),
    "ingest": {"beleidsbron"},
    "assistant": {"beleidsbron"},
    "webapp": {"beleidsbron", "assistant", "ingest"},
    "app": {"beleidsbron", "assistant", "ingest", "webapp"},
    "evals": {"beleidsbron", "ingest", "assistant", "webapp", "corpus"},
    "tests": {"beleidsbron", "ingest", "assistant", "webapp", "evals", "corpus", "app"},
}
STAGES = ("corpus", "beleidsbron", "ingest", "assistant", "webapp", "evals", "tests")
# Of ingest, the app uses only the public entry points; the rest is the write path's own business.
APP_MAY_USE_OF_INGEST = ("ingest.pipeline", "ingest.__main__")


def stage_of(path: Path) -> str:
    first = path.relative_to(PROJECT_ROOT).parts[0]
    return "app" if first == "app.py" else first


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (``from a import b`` gives ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in (*STAGES, "app")}


def allowed(stage: str, module: str) -> bool:
    top = module.split(".")[0]
    if top == stage:
        return True
    if top not in MAY_USE[stage]:
        return False
    if top == "ingest" and stage in ("app", "webapp"):
        return any(module == m or module.startswith(f"{m}.") for m in APP_MAY_USE_OF_INGEST)
    return True


def python_files() -> list[Path]:
    files = [PROJECT_ROOT / "app.py"]
    for stage in STAGES:
        files += sorted((PROJECT_ROOT / stage).rglob("*.py"))
    return files


def test_imports_follow_the_flow() -> None:
    wrong = []
    for path in python_files():
        stage = stage_of(path)
        for module in sorted(imported_modules(path)):
            if not allowed(stage, module):
                wrong.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_arrow() -> None:
    assert not allowed("assistant", "ingest.cleaning")
    assert not allowed("webapp", "ingest.pdf_reader")
    assert allowed("webapp", "ingest.pipeline") and allowed("app", "ingest.__main__")
    assert not allowed("evals", "tests.conftest") and allowed("tests", "evals.app_client")
    assert not allowed("beleidsbron", "assistant.core") and not allowed("ingest", "assistant.core")
    assert imported_modules(PROJECT_ROOT / "app.py") >= {"webapp.server", "assistant.core"}
