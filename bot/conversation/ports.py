"""What the conversation keeps: who was seen, dialogue states, feedback, counters.

Feedback and unanswered questions are kept unlinked, the counters are numbers only; bot/storage
implements these ports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.callbacks import EventPress
from bot.dialogue.model import Reply


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question the bot could not answer, redacted and kept without its sender."""

    text: str
    asked_on: date


@dataclass(frozen=True)
class FeedbackSummary:
    """Votes on one entry."""

    entry_id: str
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class VoteCount:
    """Votes on all answers together, over a period."""

    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class UserInfo:
    """What a store keeps about a user itself (no names, by design).

    Attributes:
        language: The last known language code (e.g. "de"), or None if never sent.
        first_seen: When the user was first seen (UTC).
        last_seen: When the user was last seen (UTC).

    """

    language: str | None
    first_seen: datetime
    last_seen: datetime


class UserDirectory(Protocol):
    """That a parent was seen, and when (no names, no Telegram profile)."""

    async def touch_user(self, user_id: int, language: str | None, now: datetime) -> None:
        """Record that a user was seen (first seen is kept, last seen updated)."""

    async def user_info(self, user_id: int) -> UserInfo | None:
        """Return what is stored about the user itself, or None."""


class StateStore(Protocol):
    """The dialogue state of each parent."""

    async def load_state(self, user_id: int) -> dict[str, Any] | None:
        """Return the user's saved dialogue state, or None."""

    async def save_state(self, user_id: int, state: dict[str, Any], now: datetime) -> None:
        """Save the user's dialogue state (a JSON-serialisable dict)."""


class FeedbackLog(Protocol):
    """Votes on answers and the redacted questions the bot could not answer.

    Both are kept unlinked: no user id, only the (UTC) day, so they are about no one.
    """

    async def add_feedback(
        self, entry_id: str, helpful: bool | None, reason: str | None, now: datetime
    ) -> None:
        """Store a vote (helpful True/False) or a reason for a "not helpful" vote."""

    async def add_unanswered(self, text: str, now: datetime) -> None:
        """Store a redacted question the bot could not answer."""

    async def feedback_summary(self) -> list[FeedbackSummary]:
        """Return votes per entry, entries with most "not helpful" first."""

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Return the newest unanswered questions."""

    async def votes_since(self, first: date) -> VoteCount:
        """Return the 👍 and 👎 votes on every answer from the (UTC) day `first` on."""

    async def unanswered_count_since(self, first: date) -> int:
        """Return how many unanswered questions were kept from the (UTC) day `first` on."""


class CounterStore(Protocol):
    """Daily counters: numbers only, about no one."""

    async def count(self, day: date, counter: str, amount: int = 1) -> None:
        """Add `amount` to the daily counter `counter` (e.g. "messages", "answer", "crisis")."""

    async def counters(self, day: date) -> dict[str, int]:
        """Return all counters of a day."""

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on that has any, by day."""


class EventDesk(Protocol):
    """What a parent can do with events and subscriptions (bot/announcements provides it).

    A port, so that the conversation and the announcements do not import each other: the
    wiring hands the conversation the announcements' service.
    """

    async def events_reply(self, user_id: int) -> tuple[Reply, ...]:
        """Return the upcoming events, one message each with the parent's buttons."""

    async def choose(self, user_id: int, event_id: int, press: EventPress) -> tuple[Reply, ...]:
        """Act on a parent's event button: reminders, registration or the calendar file."""

    async def ask(self, user_id: int, event_id: int, text: str) -> None:
        """Keep a parent's (redacted) question in advance of an event."""

    async def subscription(self, user_id: int, choice: str | None) -> tuple[Reply, ...]:
        """Show (None) or change the parent's subscriptions."""

    async def upcoming_lines(self) -> Reply | None:
        """Return the next events in one message, or None when there are none."""


class MeaningIndex(Protocol):
    """The entries nearest in meaning to a text (a sentence encoder run off the event loop)."""

    async def nearest(self, text: str) -> Sequence[tuple[str, float]] | None:
        """Return (entry id, cosine) pairs, best first; None when the encoder cannot take it now."""
