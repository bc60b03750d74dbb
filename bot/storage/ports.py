"""Storage ports, one per aggregate: everything Elternlotse keeps, and nothing more."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
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
from bot.cases.model import Case
from bot.outbox.model import ItemStatus, OutboxItem, Priority


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


class CaseStore(Protocol):
    """Counsellor cases: metadata only, never message content."""

    async def open_case(
        self, parent_id: int, category: str | None, show_first_name: bool, now: datetime
    ) -> Case:
        """Create a case in status WAITING and return it with its number."""

    async def save_case(self, case: Case) -> None:
        """Store a changed case (matched by number); its topic is kept (see `set_topic`)."""

    async def set_topic(self, number: int, topic_id: int) -> None:
        """Remember a case's forum topic (only that column: sending runs beside other changes)."""

    async def touch_case(self, number: int, now: datetime) -> None:
        """Record activity on a case (only that column)."""

    async def case(self, number: int) -> Case | None:
        """Return a case by number."""

    async def open_case_of(self, parent_id: int) -> Case | None:
        """Return the parent's open case, if any (there is at most one)."""

    async def case_in_topic(self, topic_id: int) -> Case | None:
        """Return the case a forum topic belongs to."""

    async def open_cases(self) -> list[Case]:
        """Return every open case, oldest first."""

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment, oldest first."""


class OutboxStore(Protocol):
    """Messages written before they are sent, so that a crash loses none."""

    async def enqueue(
        self,
        queue: str,
        priority: Priority,
        owner: int | None,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> int:
        """Write a pending item and return its id."""

    async def next_pending(
        self, queue: str, skip: frozenset[int] = frozenset()
    ) -> OutboxItem | None:
        """Return the queue's pending item to send next (most urgent, then oldest).

        Items in `skip` are passed over (a queue whose items are independent goes on past one
        that failed).
        """

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        """Mark an item sent and forget its payload."""

    async def record_failure(
        self, item_id: int, give_up_after: int, error: str | None = None
    ) -> ItemStatus:
        """Count a failed attempt and its reason; after `give_up_after` the item is FAILED."""

    async def outbox_backlog(self, queue: str) -> int:
        """Return how many items of a queue are pending."""


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


@dataclass(frozen=True)
class Retention:
    """How long what is kept is kept (days); see `PrivacyConfig`."""

    unanswered_days: int
    inactive_days: int
    closed_case_days: int
    outbox_days: int


class PersonalData(Protocol):
    """Everything about one parent, across every table the personal-data registry names."""

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Return every stored row about a user, by table (the registry's tables, in order)."""

    async def purge(self, retention: Retention, now: datetime) -> dict[str, int]:
        """Delete what is due under the retention periods; return rows deleted per kind."""

    async def delete_user(self, user_id: int) -> None:
        """Delete everything stored about a user."""

    async def user_exists(self, user_id: int) -> bool:
        """Return whether anything about the user is stored."""


class Store(
    UserDirectory,
    StateStore,
    FeedbackLog,
    CounterStore,
    CaseStore,
    OutboxStore,
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
