"""The staff console's values: roles, sessions, why a login link was refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class ConsoleRole(Enum):
    """What a person may do in the console."""

    EDITOR = "editor"  # staff who may change content (config `console.editors`)
    STAFF = "staff"  # staff: open questions, figures, events, audit; no editing
    COUNSELLOR = "counsellor"  # counsellors: case figures only


class Refusal(Enum):
    """Why a login link does not open the console (each has its own page)."""

    UNKNOWN = "unknown"  # never issued, mistyped or forged
    USED = "used"
    EXPIRED = "expired"
    NOT_ALLOWED = "not_allowed"  # the person is no longer staff
    LIMITED = "limited"  # too many failed attempts from this client


@dataclass(frozen=True)
class Link:
    """A login link as the store keeps it (the token itself only as its hash)."""

    staff_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Session:
    """A logged-in person: who, in which role, and the CSRF token of their forms."""

    staff_id: int
    role: ConsoleRole
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class EventTurnout:
    """An event that has not ended, with how many parents registered and want reminders.

    Counts only: never who. Category and status are the stored codes (`geld`, `cancelled`).
    """

    title: str
    starts_at: datetime
    ends_at: datetime
    category: str
    cancelled: bool
    registered: int
    reminders: int


@dataclass(frozen=True)
class BroadcastReach:
    """A broadcast and how far it reached, counted from its outbox rows.

    Attributes:
        number: The broadcast's number (staff see it in the bot's report).
        status: `sending`, `done` or `cancelled`.
        categories: The subscribed categories it went to (stored codes).
        total: Recipients when it was sent.
        created_at: When staff confirmed it.
        finished_at: When the last recipient was handled, if done.
        kept: Outbox rows still kept; 0 with a total above 0 means they were purged
            (retention `outbox_days`) and the counts below are no longer known.
        sent: Delivered.
        blocked: The recipient had blocked the bot.
        failed: Given up after repeated errors.

    """

    number: int
    status: str
    categories: tuple[str, ...]
    total: int
    created_at: datetime
    finished_at: datetime | None
    kept: int
    sent: int
    blocked: int
    failed: int

    @property
    def counted(self) -> bool:
        """Tell whether the delivery counts are still known (outbox rows not yet purged)."""
        return self.kept > 0 or self.total == 0


@dataclass(frozen=True)
class CaseMeta:
    """An open case as the console may see it: metadata, never content, never the parent."""

    number: int
    status: str
    category: str | None
    counsellor_id: int | None
    opened_at: datetime
    claimed_at: datetime | None
    last_activity_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log as the console shows it.

    Attributes:
        at: When.
        role: The role the actor acted in (`staff`, `editor`, `counsellor`).
        action: What was done (a code such as `case_claimed`).
        subject: What it concerned (`case:12`, `event:3`, an entry id), if anything.
        actor: The actor's number in the log („Team-Mitglied N"), not the Telegram id: people
            are numbered in the order of their first row still kept, 1 the earliest.
        by_viewer: The person looking at the log did it herself.

    """

    at: datetime
    role: str
    action: str
    subject: str | None
    actor: int
    by_viewer: bool
