"""The core in bot/ must stay free of Telegram code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_bot_imports_no_telegram() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in {"telegram", "handlers"} and m != "handlers.main"
        )
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_knowledge_has_no_python() -> None:
    assert not list((ROOT / "knowledge").rglob("*.py"))
