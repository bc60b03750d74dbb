"""What the console's use cases need from storage (the SQLite store implements it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.cases.model import Case
from bot.console.model import AuditEntry, BroadcastReach, CaseMeta, EventTurnout, Link
from bot.conversation.ports import FeedbackSummary


class LoginStore(Protocol):
    """Login links and sessions, each kept only as the SHA-256 of its secret."""

    async def save_link(self, token_hash: str, staff_id: int, expires_at: datetime) -> None:
        """Store a new login link."""

    async def use_link(self, token_hash: str, now: datetime) -> Link | None:
        """Mark a link used and return it as it was before (None: no such link).

        Atomic: of two requests with the same link, only one sees it unused.
        """

    async def save_session(
        self, id_hash: str, staff_id: int, csrf: str, expires_at: datetime
    ) -> None:
        """Store a new session."""

    async def load_session(self, id_hash: str) -> tuple[int, str, datetime] | None:
        """Return a session's staff id, CSRF token and expiry."""

    async def delete_session(self, id_hash: str) -> None:
        """End a session (log out)."""

    async def audit(
        self, actor_id: int, role: str, action: str, subject: str | None, now: datetime
    ) -> None:
        """Write an action to the audit table (never content of parents' messages)."""


class CurationStore(Protocol):
    """The unanswered questions and 👎 of a period, and staff's decisions about them."""

    async def unanswered_between(self, first: date, last: date) -> list[tuple[str, date]]:
        """Return the redacted unanswered questions of the days first…last, with their day."""

    async def downvotes_between(
        self, first: date, last: date
    ) -> list[tuple[str, str | None, date]]:
        """Return the 👎 of the period: entry id, reason (or None), day."""

    async def decisions(self) -> dict[str, tuple[str, str | None]]:
        """Return every decided question: text → (decision, entry id)."""

    async def decide(
        self, question: str, decision: str, entry_id: str | None, now: datetime
    ) -> None:
        """Remember what staff decided about a question (by its redacted text)."""


class OverviewStore(Protocol):
    """Read-only figures for the console's overview pages: counts and metadata, no content."""

    async def event_turnout(self, now: datetime, limit: int) -> list[EventTurnout]:
        """Return the events that have not ended (scheduled or cancelled), soonest first."""

    async def broadcast_reach(self, limit: int) -> list[BroadcastReach]:
        """Return the latest broadcasts, newest first, with their delivery counts."""

    async def open_case_meta(self) -> list[CaseMeta]:
        """Return the open cases' metadata, oldest first (no parent id, no content)."""

    async def audit_log(self, limit: int, viewer: int) -> list[AuditEntry]:
        """Return the latest audit rows, newest first, actors numbered (see `AuditEntry`)."""


@dataclass(frozen=True)
class BroadcastCount:
    """How far one broadcast reached: counts only, never its text or its recipients.

    Attributes:
        id: The broadcast's number.
        day: The day staff sent it (UTC).
        total: Recipients it was meant for.
        sent: Delivered.
        blocked: Recipients who had blocked the bot (their subscriptions ended).
        failed: Given up after retries.

    """

    id: int
    day: date
    total: int
    sent: int
    blocked: int
    failed: int


class FiguresStore(Protocol):
    """The numbers behind the „Zahlen" page: counters, votes, cases, broadcasts."""

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on that has any, by day."""

    async def votes_per_entry_between(self, first: date, last: date) -> list[FeedbackSummary]:
        """Return the 👍 and 👎 per entry of the (UTC) days first…last, by entry id."""

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment."""

    async def open_cases(self) -> list[Case]:
        """Return every open case, oldest first."""

    async def broadcasts_between(self, first: date, last: date) -> list[BroadcastCount]:
        """Return the broadcasts sent on the (UTC) days first…last with their delivery counts."""
