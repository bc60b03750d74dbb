"""The SQLite side of announcements: events, subscriptions, registrations, broadcasts, audit.

A mixin of `SqliteStore` (it shares its connection and lock). The two fan-outs — a broadcast's
recipients and an event's notices — are written in one transaction together with what marks
them, so a crash leaves either all of them or none.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.announcements.model import (
    Broadcast,
    BroadcastProgress,
    BroadcastStatus,
    Category,
    Event,
    EventStatus,
    Question,
    Registration,
)
from bot.outbox.model import ItemStatus, OutboxItem, Priority
from bot.storage.codecs import timestamp_text, to_utc

BROADCAST_QUEUE = "broadcast:{}"
_EVENT_COLUMNS = (
    "id, title, starts_at, duration_min, category, description, place, chat_id, status, sequence"
)
# Who a notice goes to, by the first letter of its mark: reminders to those who asked for
# them, invites to registered parents, changes and cancellations to both.
_AUDIENCE = {"r": "remind = 1", "i": "registered = 1", "c": "(remind = 1 OR registered = 1)"}


def _event(row: sqlite3.Row) -> Event:
    ident, title, starts, minutes, category, description, place, chat, status, seq = row
    return Event(
        ident,
        title,
        datetime.fromisoformat(starts),
        timedelta(minutes=minutes),
        Category(category),
        description,
        place,
        chat,
        EventStatus(status),
        seq,
    )


def _broadcast(row: sqlite3.Row) -> Broadcast:
    ident, staff, text, categories, event, status, total, created, finished, tenths = row
    return Broadcast(
        ident,
        staff,
        text,
        frozenset(Category(c) for c in categories.split(",") if c),
        event,
        BroadcastStatus(status),
        total,
        datetime.fromisoformat(created),
        datetime.fromisoformat(finished) if finished else None,
        tenths,
    )


def _marks(done: str) -> frozenset[str]:
    return frozenset(m for m in done.split(",") if m)


class AnnouncementSql:
    """Announcement storage on the store's SQLite connection (see `AnnouncementStore`)."""

    def _use(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # pragma: no cover - SqliteStore provides it

    async def _write(self, sql: str, parameters: Iterable[Any]) -> None:
        raise NotImplementedError  # pragma: no cover - SqliteStore provides it

    async def _read(self, sql: str, parameters: Iterable[Any] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError  # pragma: no cover - SqliteStore provides it

    def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError  # pragma: no cover - SqliteStore provides it

    # ----------------------------------------------------------------- events

    async def add_event(self, event: Event, now: datetime, *, draft_of: int | None = None) -> Event:
        """Store a new event (its id is assigned) and return it.

        `draft_of` names the staff member whose draft this was: it is deleted in the same
        transaction, so a crash cannot leave a draft whose confirmation stores it twice.
        """
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO events (title, starts_at, duration_min, category, description, "
                "place, chat_id, status, sequence, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (*self._event_values(event), timestamp_text(now)),
            )
            if draft_of is not None:
                await connection.execute("DELETE FROM staff_drafts WHERE user_id = ?", (draft_of,))
        assert cursor.lastrowid is not None  # noqa: S101 - an INSERT into a rowid table has one
        return Event(**{**event.__dict__, "id": cursor.lastrowid})

    @staticmethod
    def _event_values(event: Event) -> tuple[Any, ...]:
        return (
            event.title,
            timestamp_text(event.starts_at),
            int(event.duration.total_seconds() // 60),
            event.category.value,
            event.description,
            event.place,
            event.chat_id,
            event.status.value,
            event.sequence,
        )

    async def update_event(self, event: Event, *, draft_of: int | None = None) -> None:
        """Store a changed event (matched by id); `draft_of` as in `add_event`."""
        async with self._transaction() as connection:
            await connection.execute(
                "UPDATE events SET title = ?, starts_at = ?, duration_min = ?, category = ?, "
                "description = ?, place = ?, chat_id = ?, status = ?, sequence = ? WHERE id = ?",
                (*self._event_values(event), event.id),
            )
            if draft_of is not None:
                await connection.execute("DELETE FROM staff_drafts WHERE user_id = ?", (draft_of,))

    async def event(self, event_id: int) -> Event | None:
        """Return an event by id."""
        rows = await self._read(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
        return _event(rows[0]) if rows else None

    async def upcoming_events(
        self, now: datetime, limit: int = 20, *, cancelled: bool = False
    ) -> list[Event]:
        """Return events that have not ended, soonest first (scheduled ones, or also cancelled)."""
        # The end is start + duration; the window below over-selects by a day, then filters.
        statuses = "('scheduled', 'cancelled')" if cancelled else "('scheduled')"
        rows = await self._read(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE status IN {statuses} "  # noqa: S608
            "AND starts_at >= ? ORDER BY starts_at, id",
            (timestamp_text(now - timedelta(days=1)),),
        )
        events = [e for e in map(_event, rows) if e.ends_at > now]
        return events[:limit]

    # ----------------------------------------------------------------- subscriptions

    async def subscribe(self, user_id: int, categories: frozenset[Category], now: datetime) -> None:
        """Replace the parent's subscriptions (consent time = now for new ones)."""
        async with self._transaction() as connection:
            keep = [c.value for c in categories]
            marks = ",".join("?" * len(keep))
            await connection.execute(
                f"DELETE FROM subscriptions WHERE user_id = ? AND category NOT IN ({marks})",
                (user_id, *keep),
            )
            await connection.executemany(
                "INSERT OR IGNORE INTO subscriptions (user_id, category, consented_at) "
                "VALUES (?, ?, ?)",
                [(user_id, c, timestamp_text(now)) for c in keep],
            )
            if not keep:
                # Unsubscribed: announcements still waiting for this parent are not sent.
                await connection.execute(
                    "DELETE FROM outbox WHERE user_id = ? AND status = 'pending' "
                    "AND queue LIKE 'broadcast:%'",
                    (user_id,),
                )

    async def subscriptions(self, user_id: int) -> frozenset[Category]:
        """Return the parent's subscribed categories."""
        rows = await self._read("SELECT category FROM subscriptions WHERE user_id = ?", (user_id,))
        return frozenset(Category(r[0]) for r in rows)

    # ----------------------------------------------------------------- registrations

    async def registration(self, event_id: int, user_id: int) -> Registration | None:
        """Return what a parent asked for about an event."""
        rows = await self._read(
            "SELECT event_id, user_id, registered, remind, done FROM registrations "
            "WHERE event_id = ? AND user_id = ?",
            (event_id, user_id),
        )
        return self._registration(rows[0]) if rows else None

    @staticmethod
    def _registration(row: sqlite3.Row) -> Registration:
        event_id, user_id, registered, remind, done = row
        return Registration(event_id, user_id, bool(registered), bool(remind), _marks(done))

    async def save_registration(self, registration: Registration, now: datetime) -> None:
        """Store a parent's wishes about an event (the `done` marks are kept)."""
        r = registration
        await self._write(
            "INSERT INTO registrations (event_id, user_id, registered, remind, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, user_id) DO UPDATE SET "
            "registered = excluded.registered, remind = excluded.remind, "
            "updated_at = excluded.updated_at",
            (r.event_id, r.user_id, int(r.registered), int(r.remind), timestamp_text(now)),
        )

    async def registrations(self, event_id: int) -> list[Registration]:
        """Return every parent's wishes about an event."""
        rows = await self._read(
            "SELECT event_id, user_id, registered, remind, done FROM registrations "
            "WHERE event_id = ? ORDER BY user_id",
            (event_id,),
        )
        return [self._registration(r) for r in rows]

    async def queue_notices(
        self, event_id: int, mark: str, queue: str, payload: Mapping[str, Any], now: datetime
    ) -> int:
        """Queue one notice per parent the mark is due for, and mark them, in one transaction.

        The first letter of `mark` says who: „r…" (a reminder) goes to parents who asked for
        reminders, „i…" (an invite) to registered parents, „c…" (a change or cancellation; the
        mark carries the event's sequence) to both. A parent already marked is skipped.

        Returns:
            How many notices were queued.

        """
        audience = _AUDIENCE[mark[0]]
        due = (
            f"FROM registrations WHERE event_id = ? AND {audience} "  # noqa: S608 - ours
            "AND instr(',' || done || ',', ',' || ? || ',') = 0"
        )
        # Both statements select the same rows: nothing else writes between them (one lock).
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO outbox (queue, priority, user_id, payload, created_at) "
                f"SELECT ?, ?, user_id, ?, ? {due} ORDER BY user_id",
                (
                    queue,
                    int(Priority.NORMAL),
                    json.dumps(payload),
                    timestamp_text(now),
                    event_id,
                    mark,
                ),
            )
            await connection.execute(
                "UPDATE registrations SET done = CASE WHEN done = '' THEN ? "
                f"ELSE done || ',' || ? END WHERE event_id = ? AND {audience} "  # noqa: S608
                "AND instr(',' || done || ',', ',' || ? || ',') = 0",
                (mark, mark, event_id, mark),
            )
            return cursor.rowcount

    async def clear_mark(self, event_id: int, mark: str, user_id: int | None = None) -> None:
        """Forget a mark for every parent of an event, or for one (`user_id`)."""
        # One statement: a mark set meanwhile by a timer firing cannot be overwritten.
        sql = (
            "UPDATE registrations SET done = trim(replace(',' || done || ',', "
            "',' || ? || ',', ','), ',') WHERE event_id = ?"
        )
        if user_id is None:
            await self._write(sql, (mark, event_id))
        else:
            await self._write(f"{sql} AND user_id = ?", (mark, event_id, user_id))

    async def add_invite(self, event_id: int, user_id: int, link: str) -> None:
        """Remember a personal invite link a parent was given for an event."""
        await self._write(
            "UPDATE registrations SET invites = CASE WHEN invites = '' THEN ? "
            "ELSE invites || ',' || ? END WHERE event_id = ? AND user_id = ?",
            (link, link, event_id, user_id),
        )

    async def take_invites(self, event_id: int, user_id: int | None = None) -> list[str]:
        """Return and forget the invite links of an event (of one parent, or of all)."""
        where = "event_id = ? AND invites != ''"
        parameters: tuple[int, ...] = (event_id,)
        if user_id is not None:
            where, parameters = f"{where} AND user_id = ?", (event_id, user_id)
        async with self._transaction() as connection:
            rows = await connection.execute_fetchall(
                f"SELECT invites FROM registrations WHERE {where}",  # noqa: S608 - ours
                parameters,
            )
            await connection.execute(
                f"UPDATE registrations SET invites = '' WHERE {where}",  # noqa: S608 - ours
                parameters,
            )
        return [link for (joined,) in rows for link in joined.split(",") if link]

    async def subscriber_count(self, categories: frozenset[Category]) -> int:
        """Return how many parents subscribe to at least one of the categories."""
        values = sorted(c.value for c in categories)
        marks = ",".join("?" * len(values))
        rows = await self._read(
            "SELECT COUNT(DISTINCT user_id) FROM subscriptions "  # noqa: S608 - marks only
            f"WHERE category IN ({marks})",
            values,
        )
        return int(rows[0][0])

    async def add_question(self, event_id: int, user_id: int, text: str, now: datetime) -> None:
        """Store a question a parent sent in advance."""
        await self._write(
            "INSERT INTO questions (event_id, user_id, text, asked_at) VALUES (?, ?, ?, ?)",
            (event_id, user_id, text, timestamp_text(now)),
        )

    async def questions(self, event_id: int) -> list[Question]:
        """Return the questions about an event, oldest first (without their senders)."""
        rows = await self._read(
            "SELECT event_id, text, asked_at FROM questions WHERE event_id = ? ORDER BY id",
            (event_id,),
        )
        return [Question(e, t, datetime.fromisoformat(a)) for e, t, a in rows]

    # ----------------------------------------------------------------- broadcasts

    async def create_broadcast(
        self,
        staff_id: int,
        text: str,
        categories: frozenset[Category],
        event_id: int | None,
        now: datetime,
    ) -> Broadcast:
        """Store a broadcast and one pending outbox row per subscriber, in one transaction."""
        values = sorted(c.value for c in categories)
        marks = ",".join("?" * len(values))
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO broadcasts (staff_id, text, categories, event_id, total, created_at) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (staff_id, text, ",".join(values), event_id, timestamp_text(now)),
            )
            ident = cursor.lastrowid
            assert ident is not None  # noqa: S101 - an INSERT into a rowid table has one
            rows = await connection.execute(
                "INSERT INTO outbox (queue, priority, user_id, payload, created_at) "
                "SELECT DISTINCT ?, ?, user_id, '{}', ? FROM subscriptions "  # noqa: S608
                f"WHERE category IN ({marks}) ORDER BY user_id",
                (BROADCAST_QUEUE.format(ident), int(Priority.NORMAL), timestamp_text(now), *values),
            )
            await connection.execute(
                "UPDATE broadcasts SET total = ? WHERE id = ?", (rows.rowcount, ident)
            )
            # The staff member's draft goes in the same transaction: after a crash right here
            # there is no draft left whose „Senden" could start the broadcast a second time.
            await connection.execute("DELETE FROM staff_drafts WHERE user_id = ?", (staff_id,))
        return Broadcast(
            ident,
            staff_id,
            text,
            categories,
            event_id,
            BroadcastStatus.SENDING,
            rows.rowcount,
            to_utc(now),
        )

    _BROADCAST_COLUMNS = (
        "id, staff_id, text, categories, event_id, status, total, created_at, finished_at, "
        "reported_tenths"
    )

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast by id."""
        rows = await self._read(
            f"SELECT {self._BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        return _broadcast(rows[0]) if rows else None

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        """Return broadcasts still sending, oldest first."""
        rows = await self._read(
            f"SELECT {self._BROADCAST_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id"
        )
        return [_broadcast(r) for r in rows]

    async def pending_recipients(
        self, broadcast_id: int, after_id: int, limit: int
    ) -> list[OutboxItem]:
        """Return a broadcast's pending rows with ids above `after_id`, in id order."""
        rows = await self._read(
            "SELECT id, queue, priority, user_id, attempts, created_at FROM outbox "
            "WHERE queue = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?",
            (BROADCAST_QUEUE.format(broadcast_id), after_id, limit),
        )
        return [
            OutboxItem(i, q, Priority(p), u, {}, a, datetime.fromisoformat(c))
            for i, q, p, u, a, c in rows
        ]

    async def mark_blocked(self, item_id: int, error: str) -> int | None:
        """Mark a row blocked, end its recipient's subscriptions; return the recipient."""
        async with self._transaction() as connection:
            rows = list(
                await connection.execute_fetchall(
                    "SELECT user_id FROM outbox WHERE id = ?", (item_id,)
                )
            )
            await connection.execute(
                "UPDATE outbox SET status = 'blocked', payload = '{}', last_error = ? WHERE id = ?",
                (error, item_id),
            )
            user_id: int | None = rows[0][0] if rows else None
            if user_id is not None:
                await connection.execute("DELETE FROM subscriptions WHERE user_id = ?", (user_id,))
        return user_id

    async def broadcast_progress(self, broadcast_id: int) -> BroadcastProgress:
        """Count a broadcast's rows per delivery status."""
        rows = await self._read(
            "SELECT status, COUNT(*) FROM outbox WHERE queue = ? GROUP BY status",
            (BROADCAST_QUEUE.format(broadcast_id),),
        )
        counts = {ItemStatus(s): n for s, n in rows}
        return BroadcastProgress(
            total=sum(counts.values()),
            sent=counts.get(ItemStatus.SENT, 0),
            blocked=counts.get(ItemStatus.BLOCKED, 0),
            failed=counts.get(ItemStatus.FAILED, 0),
        )

    async def finish_broadcast(
        self, broadcast_id: int, status: BroadcastStatus, now: datetime
    ) -> None:
        """Set a broadcast's final status."""
        await self._write(
            "UPDATE broadcasts SET status = ?, finished_at = ? WHERE id = ?",
            (status.value, timestamp_text(now), broadcast_id),
        )

    async def set_reported(self, broadcast_id: int, tenths: int) -> None:
        """Remember how much progress (in tenths) staff were told of."""
        await self._write(
            # Sends finish out of order: never move the mark back.
            "UPDATE broadcasts SET reported_tenths = MAX(reported_tenths, ?) WHERE id = ?",
            (tenths, broadcast_id),
        )

    # ----------------------------------------------------------------- audit and drafts

    async def audit(
        self, actor_id: int, role: str, action: str, subject: str | None, now: datetime
    ) -> None:
        """Write a staff or counsellor action to the audit table (never message content)."""
        await self._write(
            "INSERT INTO audit (actor_id, role, action, subject, at) VALUES (?, ?, ?, ?, ?)",
            (actor_id, role, action, subject, timestamp_text(now)),
        )

    async def load_draft(self, user_id: int) -> dict[str, Any] | None:
        """Return a staff member's unfinished dialogue (event or announcement draft)."""
        rows = await self._read("SELECT draft FROM staff_drafts WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        draft = json.loads(rows[0][0])
        return draft if isinstance(draft, dict) else None

    async def save_draft(self, user_id: int, draft: dict[str, Any] | None, now: datetime) -> None:
        """Store a staff member's unfinished dialogue; None deletes it."""
        if draft is None:
            await self._write("DELETE FROM staff_drafts WHERE user_id = ?", (user_id,))
            return
        await self._write(
            "INSERT INTO staff_drafts (user_id, draft, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET draft = excluded.draft, "
            "updated_at = excluded.updated_at",
            (user_id, json.dumps(draft), timestamp_text(now)),
        )
