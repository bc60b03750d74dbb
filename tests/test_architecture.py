"""The shape of the code: a Telegram-free core, no re-exports, short functions, thin handlers."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers")
MAX_FUNCTION_LINES = 60


def sources(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def defined_names(path: Path) -> set[str]:
    """Return the names a module defines itself (not the ones it imports)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_bot_imports_no_telegram() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in {"telegram", "handlers"} and m != "handlers.main"
        )
        for path in sources("bot")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_knowledge_has_no_python() -> None:
    assert not list((ROOT / "knowledge").rglob("*.py"))


def test_every_name_is_imported_from_the_module_that_defines_it() -> None:
    modules = {module_name(p): p for p in sources(*PACKAGES)}
    defined = {name: defined_names(path) for name, path in modules.items()}
    offenders = []
    for path in [*sources(*PACKAGES, "tests", "bench")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module in modules):
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}" in modules
                if alias.name not in defined[node.module] and not submodule:
                    offenders.append(f"{path.name}: {alias.name} via {node.module}")
    assert offenders == []


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for path in sources(*PACKAGES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []


STORE_LIFECYCLE = {"open", "close"}


def test_handlers_make_no_storage_call_of_their_own() -> None:
    """Handlers reach storage only through the use cases (opening and closing aside)."""
    calls = []
    for path in sources("handlers"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "store"
                and node.attr not in STORE_LIFECYCLE
            ):
                calls.append(f"{path.name}:{node.lineno} store.{node.attr}")
    assert calls == []


def test_importing_handlers_leaves_the_environment_alone() -> None:
    script = (
        "import os, json; before = dict(os.environ); "
        "import handlers.app, handlers.main, handlers.parents; "
        "print(json.dumps(dict(os.environ) == before))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "true"


# The layers of bot/, bottom first (README „Architecture"). A package or top-level module may
# import only from layers below its own; within a layer nothing imports anything else. handlers/
# sits above them all.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ground", ("limits", "wording", "clock", "locks", "events", "hours", "pacing")),
    ("values", ("config", "callbacks", "datafiles")),
    ("language", ("language",)),
    ("places", ("places",)),
    ("flows", ("flows",)),
    ("content", ("content",)),
    ("dialogue", ("dialogue",)),
    ("delivery", ("outbox", "access")),
    ("use cases", ("cases", "announcements", "privacy", "groups")),
    ("conversation", ("conversation",)),
    ("figures", ("usage",)),
    # The staff console's use cases read across the others (case figures, votes, broadcasts).
    ("console", ("console",)),
    ("adapters", ("storage", "detector", "encoders", "geodata", "knowledgeedit")),
    ("front ends", ("frontends",)),
)
LAYER_OF = {unit: (index, name) for index, (name, units) in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str | None:
    """Return the layered unit of a module of bot/ (`bot.flows.model` → `flows`), else None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


def imports_with_lines(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_every_unit_of_bot_has_a_layer() -> None:
    units = {unit_of(module_name(p)) for p in sources("bot")} - {None}
    assert units - set(LAYER_OF) == set()


def test_bot_imports_only_downwards() -> None:
    """Every import of bot/ (at the top or inside a function) goes to a lower layer."""
    wrong = []
    for path in sources("bot"):
        source = unit_of(module_name(path))
        if source is None:
            continue
        for line, module in imports_with_lines(path):
            target = unit_of(module)
            if target is None or target == source:
                continue
            (low, low_name), (high, high_name) = LAYER_OF[target], LAYER_OF[source]
            if low >= high:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} imports {module}: "
                    f"{source} ({high_name}) may not use {target} ({low_name})"
                )
    assert wrong == []
