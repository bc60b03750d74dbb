"""Termine und Fälle: read-only views of events, broadcasts, open cases and the audit log.

Counts and metadata only. An event shows how many parents registered and asked for reminders,
never who; a broadcast its reach; an open case its number, status, topic and times, and the
pseudonym of the counsellor who claimed it (the name parents see) — never a message, never the
parent's id (the store does not even select it).

Staff in the audit log: the table keeps the Telegram id of whoever acted (accountability, and
whoever administers the database can tell who it was), but the page shows only „Team-Mitglied N",
numbered in the order of each person's first row still kept (1 = the earliest), and marks the
viewer's own rows. The number tells one person's rows apart from another's without putting
Telegram ids on a screen; it is not an identity and may shift when old rows are purged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from bot.console.model import AuditEntry, BroadcastReach, EventTurnout, Session
from bot.console.ports import OverviewStore

MOST_EVENTS = 50
MOST_BROADCASTS = 50
MOST_AUDIT_ROWS = 200


@dataclass(frozen=True)
class OpenCase:
    """An open case as the console shows it (times in the service's zone).

    Attributes:
        number: The case number counsellors see („#12").
        status: `requested`, `waiting` or `claimed`.
        category: The topic that led to the case, if any.
        opened_at: Since when the parent has been waiting (or the case exists).
        claimed_by: The pseudonym of the counsellor who claimed it; None while nobody has.
        claimed_at: When it was claimed.
        last_activity_at: The last message in either direction.

    """

    number: int
    status: str
    category: str | None
    opened_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    last_activity_at: datetime


class Overview:
    """Reads what the overview pages show, with times in the service's time zone."""

    def __init__(
        self,
        store: OverviewStore,
        pseudonym: Callable[[int], str],
        zone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        """Keep the store, the counsellors' pseudonyms, the zone for display and the clock."""
        self._store = store
        self._pseudonym = pseudonym
        self._zone = zone
        self._now = now

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    async def events(self) -> list[EventTurnout]:
        """Return the events that have not ended, soonest first, with their counts."""
        found = await self._store.event_turnout(self._now(), MOST_EVENTS)
        return [
            replace(e, starts_at=self._local(e.starts_at), ends_at=self._local(e.ends_at))
            for e in found
        ]

    async def broadcasts(self) -> list[BroadcastReach]:
        """Return the latest broadcasts, newest first, with their reach."""
        found = await self._store.broadcast_reach(MOST_BROADCASTS)
        return [
            replace(
                b,
                created_at=self._local(b.created_at),
                finished_at=self._local(b.finished_at) if b.finished_at else None,
            )
            for b in found
        ]

    async def open_cases(self) -> list[OpenCase]:
        """Return the open cases, oldest first, as metadata."""
        return [
            OpenCase(
                c.number,
                c.status,
                c.category,
                self._local(c.opened_at),
                self._pseudonym(c.counsellor_id) if c.counsellor_id is not None else None,
                self._local(c.claimed_at) if c.claimed_at else None,
                self._local(c.last_activity_at),
            )
            for c in await self._store.open_case_meta()
        ]

    async def audit_log(self, viewer: Session) -> list[AuditEntry]:
        """Return the latest audit rows, newest first, actors as numbers (see the module)."""
        found = await self._store.audit_log(MOST_AUDIT_ROWS, viewer.staff_id)
        return [replace(a, at=self._local(a.at)) for a in found]
