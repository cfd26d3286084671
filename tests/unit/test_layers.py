"""The package's layers import downwards only: domain ← ingest ← retrieval ← answer ← pipeline ← service ←
feedback ← api ← cli (docs/architecture.md). A module importing from a layer above it fails here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
# Lowest first. config (settings) and tuning (measured constants) are read by every layer and read none.
ORDER = ("config", "tuning", "domain", "ingest", "retrieval", "answer", "pipeline", "service", "feedback", "api", "cli")
TOP = ("__init__", "__main__")  # the package's lazy public surface and `python -m assistant`: above everything


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant."):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.startswith("assistant."))
    return found


def test_every_module_is_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        assert layer_of(module) in ORDER + TOP, module


def test_imports_point_downwards() -> None:
    upward = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mine = layer_of(module)
        if mine in TOP:
            continue
        for imported in imports_of(path):
            theirs = layer_of(imported)
            if ORDER.index(theirs) > ORDER.index(mine):
                upward.append(f"{module} imports {imported}")
    assert upward == []
