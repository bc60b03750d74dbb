"""The SQLite side of the staff console: login links, sessions, curation decisions, figures.

A mixin of `SqliteStore` (it shares its connection and lock). Links and sessions are stored as
the SHA-256 of their secret, so a copy of the database opens no console.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.console.model import Link
from bot.console.ports import BroadcastReach
from bot.conversation.ports import FeedbackSummary
from bot.storage.announcement_sql import AnnouncementSql
from bot.storage.codecs import timestamp_text


class ConsoleSql(AnnouncementSql):
    """Console tables on the store's connection."""

    async def save_link(self, token_hash: str, staff_id: int, expires_at: datetime) -> None:
        """Store a new login link."""
        await self._write(
            "INSERT INTO console_links (token_hash, staff_id, expires_at) VALUES (?, ?, ?)",
            (token_hash, staff_id, timestamp_text(expires_at)),
        )

    async def use_link(self, token_hash: str, now: datetime) -> Link | None:
        """Mark a link used and return it as it was before; one transaction, so only once."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "SELECT staff_id, expires_at, used_at FROM console_links WHERE token_hash = ?",
                (token_hash,),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            await db.execute(
                "UPDATE console_links SET used_at = COALESCE(used_at, ?) WHERE token_hash = ?",
                (timestamp_text(now), token_hash),
            )
        used = datetime.fromisoformat(row[2]) if row[2] else None
        return Link(row[0], datetime.fromisoformat(row[1]), used)

    async def save_session(
        self, id_hash: str, staff_id: int, csrf: str, expires_at: datetime
    ) -> None:
        """Store a new session."""
        await self._write(
            "INSERT INTO console_sessions (id_hash, staff_id, csrf, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (id_hash, staff_id, csrf, timestamp_text(expires_at)),
        )

    async def load_session(self, id_hash: str) -> tuple[int, str, datetime] | None:
        """Return a session's staff id, CSRF token and expiry."""
        rows = await self._read(
            "SELECT staff_id, csrf, expires_at FROM console_sessions WHERE id_hash = ?",
            (id_hash,),
        )
        return (rows[0][0], rows[0][1], datetime.fromisoformat(rows[0][2])) if rows else None

    async def delete_session(self, id_hash: str) -> None:
        """End a session."""
        await self._write("DELETE FROM console_sessions WHERE id_hash = ?", (id_hash,))

    async def unanswered_between(self, first: date, last: date) -> list[tuple[str, date]]:
        """Return the redacted unanswered questions of the days first…last, with their day."""
        rows = await self._read(
            "SELECT text, day FROM unanswered WHERE day BETWEEN ? AND ? ORDER BY day, id",
            (first.isoformat(), last.isoformat()),
        )
        return [(text, date.fromisoformat(day)) for text, day in rows]

    async def downvotes_between(
        self, first: date, last: date
    ) -> list[tuple[str, str | None, date]]:
        """Return the 👎 of the period: entry id, reason (or None), day."""
        rows = await self._read(
            "SELECT entry_id, reason, day FROM feedback WHERE helpful = 0 AND day BETWEEN ? AND ?"
            " ORDER BY day, id",
            (first.isoformat(), last.isoformat()),
        )
        return [(entry, reason, date.fromisoformat(day)) for entry, reason, day in rows]

    async def decisions(self) -> dict[str, tuple[str, str | None]]:
        """Return every decided question: text → (decision, entry id)."""
        rows = await self._read("SELECT question, decision, entry_id FROM curation")
        return {question: (decision, entry) for question, decision, entry in rows}

    async def decide(
        self, question: str, decision: str, entry_id: str | None, now: datetime
    ) -> None:
        """Remember what staff decided about a question (the latest decision wins)."""
        await self._write(
            "INSERT INTO curation (question, decision, entry_id, decided_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (question) DO UPDATE SET decision = excluded.decision, "
            "entry_id = excluded.entry_id, decided_at = excluded.decided_at",
            (question, decision, entry_id, timestamp_text(now)),
        )

    async def votes_per_entry_between(self, first: date, last: date) -> list[FeedbackSummary]:
        """Return the 👍 and 👎 per entry of the (UTC) days first…last, by entry id."""
        rows = await self._read(
            "SELECT entry_id, SUM(helpful = 1), SUM(helpful = 0) FROM feedback "
            "WHERE helpful IS NOT NULL AND day BETWEEN ? AND ? GROUP BY entry_id ORDER BY entry_id",
            (first.isoformat(), last.isoformat()),
        )
        return [FeedbackSummary(str(entry), int(up), int(down)) for entry, up, down in rows]

    async def broadcasts_between(self, first: date, last: date) -> list[BroadcastReach]:
        """Return the broadcasts sent on the (UTC) days first…last with their delivery counts.

        The counts come from the outbox rows, which retention deletes `outbox_days` after
        sending; for older broadcasts only `total` is left.
        """
        rows = await self._read(
            "SELECT b.id, substr(b.created_at, 1, 10), b.total, "
            "COALESCE(SUM(o.status = 'sent'), 0), COALESCE(SUM(o.status = 'blocked'), 0), "
            "COALESCE(SUM(o.status = 'failed'), 0) FROM broadcasts b "
            "LEFT JOIN outbox o ON o.queue = 'broadcast:' || b.id "
            "WHERE b.created_at >= ? AND b.created_at < ? GROUP BY b.id ORDER BY b.id",
            (first.isoformat(), (last + timedelta(days=1)).isoformat()),
        )
        return [
            BroadcastReach(ident, date.fromisoformat(day), total, sent, blocked, failed)
            for ident, day, total, sent, blocked, failed in rows
        ]
