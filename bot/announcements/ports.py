"""What events, subscriptions and broadcasts need from storage (implemented by bot/storage)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from bot.announcements.model import (
    Broadcast,
    BroadcastProgress,
    BroadcastStatus,
    Category,
    Event,
    Question,
    Registration,
)
from bot.outbox.model import OutboxItem
from bot.outbox.ports import OutboxStore


class AnnouncementStore(OutboxStore, Protocol):
    """Events, subscriptions, registrations, questions, broadcasts, audit and staff drafts.

    Implemented by the SQLite store only: a broadcast writes one outbox row per recipient and a
    reminder marks its recipients in the same transaction, which is what makes them survive a
    crash without loss or repetition.
    """

    async def add_event(self, event: Event, now: datetime, *, draft_of: int | None = None) -> Event:
        """Store a new event (its id is assigned); delete `draft_of`'s staff draft with it."""

    async def update_event(self, event: Event, *, draft_of: int | None = None) -> None:
        """Store a changed event (matched by id); delete `draft_of`'s staff draft with it."""

    async def event(self, event_id: int) -> Event | None:
        """Return an event by id."""

    async def upcoming_events(
        self, now: datetime, limit: int = 20, *, cancelled: bool = False
    ) -> list[Event]:
        """Return events that have not ended, soonest first (scheduled, or also cancelled)."""

    async def subscribe(self, user_id: int, categories: frozenset[Category], now: datetime) -> None:
        """Replace the parent's subscriptions (consent time = now for new ones)."""

    async def subscriptions(self, user_id: int) -> frozenset[Category]:
        """Return the parent's subscribed categories."""

    async def registration(self, event_id: int, user_id: int) -> Registration | None:
        """Return what a parent asked for about an event."""

    async def save_registration(self, registration: Registration, now: datetime) -> None:
        """Store a parent's wishes about an event (the `done` marks are kept)."""

    async def registrations(self, event_id: int) -> list[Registration]:
        """Return every parent's wishes about an event."""

    async def queue_notices(
        self, event_id: int, mark: str, queue: str, payload: Mapping[str, Any], now: datetime
    ) -> int:
        """Queue one notice per parent the mark is due for, and mark them, in one transaction.

        `mark` says who: „r…" (a reminder) goes to parents who asked for reminders, „invite"
        to registered parents, „change" to both. A mark already set is not queued again, except
        „change", which is re-armed by each change.

        Returns:
            How many notices were queued.

        """

    async def clear_mark(self, event_id: int, mark: str, user_id: int | None = None) -> None:
        """Forget a mark for every parent of an event (a moved event is reminded anew).

        With `user_id`, only for that parent (one who unregistered gets a new invite later).
        """

    async def add_invite(self, event_id: int, user_id: int, link: str) -> None:
        """Remember a personal invite link a parent was given for an event."""

    async def take_invites(self, event_id: int, user_id: int | None = None) -> list[str]:
        """Return and forget the invite links of an event (of one parent, or of all)."""

    async def subscriber_count(self, categories: frozenset[Category]) -> int:
        """Return how many parents subscribe to at least one of the categories."""

    async def add_question(self, event_id: int, user_id: int, text: str, now: datetime) -> None:
        """Store a question a parent sent in advance."""

    async def questions(self, event_id: int) -> list[Question]:
        """Return the questions about an event, oldest first (without their senders)."""

    async def create_broadcast(
        self,
        staff_id: int,
        text: str,
        categories: frozenset[Category],
        event_id: int | None,
        now: datetime,
    ) -> Broadcast:
        """Store a broadcast and one pending outbox row per subscriber, in one transaction.

        The sender's staff draft is deleted in the same transaction (no second „Senden").
        """

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast by id."""

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        """Return broadcasts still sending, oldest first."""

    async def pending_recipients(
        self, broadcast_id: int, after_id: int, limit: int
    ) -> list[OutboxItem]:
        """Return a broadcast's pending rows with ids above `after_id`, in id order."""

    async def mark_blocked(self, item_id: int, error: str) -> int | None:
        """Mark a row blocked, end its recipient's subscriptions; return the recipient."""

    async def broadcast_progress(self, broadcast_id: int) -> BroadcastProgress:
        """Count a broadcast's rows per delivery status."""

    async def finish_broadcast(
        self, broadcast_id: int, status: BroadcastStatus, now: datetime
    ) -> None:
        """Set a broadcast's final status."""

    async def set_reported(self, broadcast_id: int, tenths: int) -> None:
        """Remember how much progress (in tenths) staff were told of."""

    async def audit(
        self, actor_id: int, role: str, action: str, subject: str | None, now: datetime
    ) -> None:
        """Write a staff or counsellor action to the audit table (never message content)."""

    async def load_draft(self, user_id: int) -> dict[str, Any] | None:
        """Return a staff member's unfinished dialogue (event or announcement draft)."""

    async def save_draft(self, user_id: int, draft: dict[str, Any] | None, now: datetime) -> None:
        """Store a staff member's unfinished dialogue; None deletes it."""
