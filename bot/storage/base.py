"""The storage protocol: everything Elternlotse keeps, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question the bot could not answer, already redacted."""

    text: str
    asked_at: datetime


@dataclass(frozen=True)
class FeedbackSummary:
    """Votes on one entry."""

    entry_id: str
    helpful: int
    not_helpful: int


class Store(Protocol):
    """Persistence for users, dialogue state, feedback, unanswered questions and daily counters.

    Privacy rules every implementation keeps: no names, no message texts except redacted
    unanswered questions, and `delete_user` removes every row that belongs to a user.
    User ids are Telegram's numeric ids (or any integer a front end uses).
    """

    async def open(self) -> None:
        """Open the store (create files, apply migrations)."""

    async def close(self) -> None:
        """Flush and close the store."""

    async def touch_user(self, user_id: int, language: str | None, now: datetime) -> None:
        """Record that a user was seen (first seen is kept, last seen updated)."""

    async def load_state(self, user_id: int) -> dict[str, Any] | None:
        """Return the user's saved dialogue state, or None."""

    async def save_state(self, user_id: int, state: dict[str, Any], now: datetime) -> None:
        """Save the user's dialogue state (a JSON-serialisable dict)."""

    async def add_feedback(
        self, user_id: int, entry_id: str, helpful: bool | None, reason: str | None, now: datetime
    ) -> None:
        """Store a vote (helpful True/False) or a reason for a "not helpful" vote."""

    async def add_unanswered(self, user_id: int, text: str, now: datetime) -> None:
        """Store a redacted question the bot could not answer."""

    async def count(self, day: date, counter: str, amount: int = 1) -> None:
        """Add `amount` to the daily counter `counter` (e.g. "messages", "answer", "crisis")."""

    async def counters(self, day: date) -> dict[str, int]:
        """Return all counters of a day."""

    async def feedback_summary(self) -> list[FeedbackSummary]:
        """Return votes per entry, entries with most "not helpful" first."""

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Return the newest unanswered questions."""

    async def delete_user(self, user_id: int) -> None:
        """Delete everything stored about a user."""

    async def user_exists(self, user_id: int) -> bool:
        """Return whether anything about the user is stored."""
