"""Storage: the `Store` protocol, its SQLite and in-memory implementations, and `open_store`."""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import FeedbackSummary, Store, UnansweredQuestion
from bot.storage.memory import MemoryStore, UserInfo
from bot.storage.sqlite import SchemaVersionError, SqliteStore

DATABASE_NAME = "elternlotse.sqlite3"

__all__ = [
    "DATABASE_NAME",
    "FeedbackSummary",
    "MemoryStore",
    "SchemaVersionError",
    "SqliteStore",
    "Store",
    "UnansweredQuestion",
    "UserInfo",
    "open_store",
]


def open_store(data_dir: Path) -> SqliteStore:
    """Return the SQLite store of a data directory (not yet opened; call `await store.open()`).

    Args:
        data_dir: The data directory (`ELTERNLOTSE_DATA`); created on `open()` if missing.

    Returns:
        A `SqliteStore` on `data_dir / "elternlotse.sqlite3"`.

    """
    return SqliteStore(data_dir / DATABASE_NAME)
