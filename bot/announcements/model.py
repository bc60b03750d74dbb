"""What announcements are about: events, categories, subscriptions, broadcasts and their states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

# Monday first, as `datetime.weekday()` counts: shown on event cards and read in typed dates.
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


class Category(Enum):
    """What a parent can subscribe to; every event and announcement has one."""

    MONEY = "geld"  # Unterhalt & Geld
    LAW = "recht"  # Recht
    EVERYDAY = "alltag"  # Alltag & Betreuung
    EVENTS = "treffen"  # Veranstaltungen


class EventStatus(Enum):
    """An event is either on or cancelled; a cancelled event is kept so parents can be told."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Event:
    """An expert chat, a group meeting or a network event.

    Attributes:
        id: The event's number.
        title: Short title („Unterhalt – Fragen an eine Fachanwältin").
        starts_at: The start (timezone-aware, stored in UTC).
        duration: How long it lasts.
        category: What it is about (subscribers of this category hear of it).
        description: A few sentences for parents.
        place: An address or a link, or None.
        chat_id: The Telegram group of a protected expert chat, or None.
        status: Scheduled or cancelled.
        sequence: Raised on every change (calendar files use it to update a copy).

    """

    id: int
    title: str
    starts_at: datetime
    duration: timedelta
    category: Category
    description: str
    place: str | None
    chat_id: int | None
    status: EventStatus = EventStatus.SCHEDULED
    sequence: int = 0

    @property
    def ends_at(self) -> datetime:
        """Return when the event ends."""
        return self.starts_at + self.duration

    def is_upcoming(self, now: datetime) -> bool:
        """Return whether the event is on and has not ended yet."""
        return self.status is EventStatus.SCHEDULED and self.ends_at > now


@dataclass(frozen=True)
class EventDraft:
    """An event being written by staff; fields are filled step by step."""

    title: str | None = None
    starts_at: datetime | None = None
    duration: timedelta | None = None
    category: Category | None = None
    description: str | None = None
    place: str | None = None
    chat_id: int | None = None


@dataclass(frozen=True)
class Registration:
    """What one parent asked for about one event.

    Attributes:
        event_id: The event.
        user_id: The parent.
        registered: Registered to take part (gets the invite to a protected chat).
        remind: Asked for reminders.
        done: Notices already queued for this parent („r1440", „r60", „invite"), so none
            goes out twice.

    """

    event_id: int
    user_id: int
    registered: bool
    remind: bool
    done: frozenset[str] = frozenset()


class BroadcastStatus(Enum):
    """A broadcast is sending until every recipient is handled, then done (or cancelled)."""

    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Broadcast:
    """One announcement to the subscribers of some categories.

    Attributes:
        id: The broadcast's number.
        staff_id: Who sent it (gets progress and the final report).
        text: The message text (HTML-free plain text; formatting is the front end's).
        categories: Whose subscribers receive it.
        event_id: The event it announces, if any (recipients get its buttons).
        status: Sending, done or cancelled.
        total: Number of recipients.
        created_at: When staff confirmed it.
        finished_at: When the last recipient was handled.
        reported_tenths: Progress already reported to staff, in tenths (0–10).

    """

    id: int
    staff_id: int
    text: str
    categories: frozenset[Category]
    event_id: int | None
    status: BroadcastStatus
    total: int
    created_at: datetime
    finished_at: datetime | None = None
    reported_tenths: int = 0


@dataclass(frozen=True)
class BroadcastProgress:
    """How far a broadcast is: recipients per delivery status."""

    total: int
    sent: int
    blocked: int
    failed: int

    @property
    def handled(self) -> int:
        """Return how many recipients are finished (sent, blocked or given up)."""
        return self.sent + self.blocked + self.failed

    @property
    def percent(self) -> int:
        """Return the finished share in whole percent (rounded down)."""
        return self.handled * 100 // max(self.total, 1)


@dataclass(frozen=True)
class Question:
    """A question a parent sent in advance of an event (shown to staff without the sender)."""

    event_id: int
    text: str
    asked_at: datetime


class ChatProblem(Enum):
    """Why the bot cannot let parents into a protected chat; the value is the staff wording key."""

    NOT_FOUND = "group_not_found"  # a wrong id, or the bot is not (or no longer) in the group
    NOT_ADMIN = "group_not_admin"
    NO_INVITE_RIGHT = "group_no_invite_right"  # invite links and join requests need it
    UNCHECKED = "group_unchecked"  # Telegram did not answer (network, 5xx): ask again


@dataclass(frozen=True)
class ChatAccess:
    """What the bot may do in a protected chat, as Telegram reports it (getChat, getChatMember).

    Attributes:
        title: The group's title ("" when Telegram does not show the group).
        problem: Why the bot cannot hand out links there, or None when it can.
        reason: Telegram's own words when it refused the question (for logs and staff).

    """

    title: str
    problem: ChatProblem | None = None
    reason: str = ""


class ChatUnusable(Exception):
    """Telegram refused an invite link for good: the bot lost its rights or left the group.

    Args:
        reason: Telegram's description (no personal data).

    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
