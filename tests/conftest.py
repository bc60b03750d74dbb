"""Shared fixtures: the shipped knowledge base and a dialogue core built from it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.datafiles.yamlsource import ProblemsError
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore, open_store

os.environ.setdefault("PTB_TIMEDELTA", "true")  # see handlers/__init__.py
# The knowledge cache of every bot process a test starts goes to a directory of this run, not to
# the user's ~/.cache (tests that check the cache pass their own directory).
if "ELTERNLOTSE_TEST_CACHE" not in os.environ:
    os.environ["ELTERNLOTSE_TEST_CACHE"] = tempfile.mkdtemp(prefix="elternlotse-cache-")
    os.environ["XDG_CACHE_HOME"] = os.environ["ELTERNLOTSE_TEST_CACHE"]
    atexit.register(shutil.rmtree, os.environ["ELTERNLOTSE_TEST_CACHE"], ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """Return a writable copy of the shipped knowledge base, to break on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def problems_of(root: Path) -> list[str]:
    """Validate a knowledge base that must be invalid; return its problems as text."""
    with pytest.raises(ProblemsError) as caught:
        validate(root)
    return [str(p) for p in caught.value.problems]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return validate(KNOWLEDGE)


@pytest.fixture(scope="session")
def dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config())


@pytest.fixture(params=["memory", "sqlite"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MemoryStore | SqliteStore]:
    """Each store implementation, opened on a fresh directory (the contract tests run on both)."""
    kind = MemoryStore() if request.param == "memory" else open_store(tmp_path)
    await kind.open()
    try:
        yield kind
    finally:
        await kind.close()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """Yield a SQLite store on a fresh directory (announcements and privacy need SQLite)."""
    store = open_store(tmp_path)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
