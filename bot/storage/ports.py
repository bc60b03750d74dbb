"""The one store both implementations are: every use case's storage port, plus open and close.

Each use case owns its port (`bot/<use case>/ports.py`); this adapter layer implements them.
"""

from __future__ import annotations

from typing import Protocol

from bot.cases.ports import CaseStore
from bot.conversation.ports import CounterStore, FeedbackLog, StateStore, UserDirectory
from bot.groups.ports import GroupStore
from bot.outbox.ports import OutboxStore
from bot.privacy.ports import PersonalData


class Store(
    UserDirectory,
    StateStore,
    FeedbackLog,
    CounterStore,
    CaseStore,
    OutboxStore,
    GroupStore,
    PersonalData,
    Protocol,
):
    """All ports in one object, as both implementations provide them, plus open and close.

    Use cases take only the ports they need; the wiring passes one store for all of them.
    Privacy rules every implementation keeps: no names, no message texts except redacted
    unanswered questions, and `delete_user` removes every row that belongs to a user.
    User ids are Telegram's numeric ids (or any integer a front end uses).
    """

    async def open(self) -> None:
        """Open the store (create files, apply migrations)."""

    async def close(self) -> None:
        """Flush and close the store."""
