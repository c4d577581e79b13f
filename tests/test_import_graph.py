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


# --- structure comes from the store, not from the text ---------------------------------------------

READ_SIDE = ("assistant", "webapp", "app")
_TEXT_TESTS = frozenset({"startswith", "endswith", "split", "rsplit", "removeprefix", "partition", "count", "find"})
_REGEX_CALLS = frozenset({"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "split"})
_MARKERS = ("•", " | ", "|", "▪", "◦")


def _marker_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and any(m in node.value for m in _MARKERS)


def structure_sniffers(tree: ast.AST) -> list[int]:
    """Lines that look for list or table markers in text: ``"• " in s``, ``s.startswith("• ")``,
    ``s.split(" | ")``, a regular expression with a bullet or a cell separator."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            if _marker_constant(node.left):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            tests_text = name in _TEXT_TESTS and any(_marker_constant(a) for a in node.args)
            pattern = name in _REGEX_CALLS and any(
                isinstance(a, ast.Constant) and isinstance(a.value, str) and ("•" in a.value or r"\|" in a.value)
                for a in node.args
            )
            if tests_text or pattern:
                found.append(node.lineno)
    return found


# Not document text: a chat model's own answer is Markdown, whose list markers verify.py strips.
GENERATED_TEXT = {"assistant/verify.py": "_LIST_PREFIX = re.compile("}


def test_the_read_side_never_parses_list_or_table_markers_out_of_text() -> None:
    """Lists, tables and question/answer pairs come typed from the store (beleidsbron.document);
    only ingest (which builds them) and the foundation may look at markers in text."""
    offenders = []
    for path in sorted(PROJECT_ROOT.rglob("*.py")):
        if ".venv" in path.parts or stage_of(path) not in READ_SIDE:
            continue
        name = str(path.relative_to(PROJECT_ROOT))
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for line in structure_sniffers(ast.parse(source)):
            if name in GENERATED_TEXT and lines[line - 1].startswith(GENERATED_TEXT[name]):
                continue
            offenders.append(f"{name}:{line}")
    assert offenders == []


def test_the_marker_check_finds_what_it_looks_for() -> None:
    sniffing = 'a = "• " in s\nb = s.startswith("• ")\nc = s.split(" | ")\nd = re.compile(r"^\\| x")\n'
    assert structure_sniffers(ast.parse(sniffing)) == [1, 2, 3, 4]
    assert structure_sniffers(ast.parse('x = " | ".join(cells)\ny = f"• {item}"\n')) == []
