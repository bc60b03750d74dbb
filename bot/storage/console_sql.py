"""The SQLite side of the staff console: logins, curation decisions, overviews, figures.

A mixin of `SqliteStore` (it shares its connection and lock). Links and sessions are stored as
the SHA-256 of their secret, so a copy of the database opens no console. The overview reads
select counts and metadata only: no parent id, no message text leaves these queries.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.cases.model import CaseStatus
from bot.console.model import AuditEntry, BroadcastReach, CaseMeta, EventTurnout, Link
from bot.console.ports import BroadcastCount
from bot.conversation.ports import FeedbackSummary
from bot.storage.announcement_sql import AnnouncementSql
from bot.storage.codecs import timestamp_text

_OPEN_CASES = ", ".join(f"'{s.value}'" for s in CaseStatus if s.is_open)
_ENDS = "datetime(e.starts_at, '+' || e.duration_min || ' minutes')"
# People in the audit log are numbered by their first row still kept (1 = the earliest).
_ACTOR_NUMBERS = (
    "WITH firsts AS (SELECT actor_id, MIN(id) AS first FROM audit GROUP BY actor_id), "
    "numbers AS (SELECT actor_id, ROW_NUMBER() OVER (ORDER BY first) AS n FROM firsts) "
)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


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

    async def event_turnout(self, now: datetime, limit: int) -> list[EventTurnout]:
        """Return the events that have not ended (scheduled or cancelled), soonest first.

        Each with how many parents registered and how many asked for reminders — counts only.
        """
        rows = await self._read(
            "SELECT e.title, e.starts_at, e.duration_min, e.category, e.status, "
            "COALESCE(SUM(r.registered), 0), COALESCE(SUM(r.remind), 0) "
            "FROM events e LEFT JOIN registrations r ON r.event_id = e.id "
            f"WHERE {_ENDS} > datetime(?) GROUP BY e.id "  # noqa: S608 - ours
            "ORDER BY e.starts_at, e.id LIMIT ?",
            (timestamp_text(now), limit),
        )
        turnout = []
        for title, starts, minutes, category, status, registered, reminders in rows:
            start = datetime.fromisoformat(starts)
            turnout.append(
                EventTurnout(
                    title,
                    start,
                    start + timedelta(minutes=minutes),
                    category,
                    status == "cancelled",
                    int(registered),
                    int(reminders),
                )
            )
        return turnout

    async def broadcast_reach(self, limit: int) -> list[BroadcastReach]:
        """Return the latest broadcasts, newest first, with their delivery counts."""
        rows = await self._read(
            "SELECT b.id, b.status, b.categories, b.total, b.created_at, b.finished_at, "
            "COUNT(o.id), COALESCE(SUM(o.status = 'sent'), 0), "
            "COALESCE(SUM(o.status = 'blocked'), 0), COALESCE(SUM(o.status = 'failed'), 0) "
            "FROM broadcasts b LEFT JOIN outbox o ON o.queue = 'broadcast:' || b.id "
            "GROUP BY b.id ORDER BY b.id DESC LIMIT ?",
            (limit,),
        )
        return [
            BroadcastReach(
                number=row[0],
                status=row[1],
                categories=tuple(c for c in row[2].split(",") if c),
                total=row[3],
                created_at=datetime.fromisoformat(row[4]),
                finished_at=_moment(row[5]),
                kept=row[6],
                sent=row[7],
                blocked=row[8],
                failed=row[9],
            )
            for row in rows
        ]

    async def open_case_meta(self) -> list[CaseMeta]:
        """Return the open cases' metadata, oldest first (the parent's id is not selected)."""
        rows = await self._read(
            "SELECT number, status, category, counsellor_id, opened_at, claimed_at, "
            f"last_activity_at FROM cases WHERE status IN ({_OPEN_CASES}) "  # noqa: S608 - ours
            "ORDER BY number"
        )
        return [
            CaseMeta(
                number,
                status,
                category,
                counsellor,
                datetime.fromisoformat(opened),
                _moment(claimed),
                datetime.fromisoformat(last),
            )
            for number, status, category, counsellor, opened, claimed, last in rows
        ]

    async def audit_log(self, limit: int, viewer: int) -> list[AuditEntry]:
        """Return the latest audit rows, newest first, with actors as numbers, not ids.

        Args:
            limit: How many rows.
            viewer: The staff id of the person looking: her own rows are marked.

        """
        rows = await self._read(
            f"{_ACTOR_NUMBERS}SELECT a.at, a.role, a.action, a.subject, n.n, a.actor_id = ? "
            "FROM audit a JOIN numbers n USING (actor_id) ORDER BY a.id DESC LIMIT ?",
            (viewer, limit),
        )
        return [
            AuditEntry(datetime.fromisoformat(at), role, action, subject, int(n), bool(own))
            for at, role, action, subject, n, own in rows
        ]

    async def votes_per_entry_between(self, first: date, last: date) -> list[FeedbackSummary]:
        """Return the 👍 and 👎 per entry of the (UTC) days first…last, by entry id."""
        rows = await self._read(
            "SELECT entry_id, SUM(helpful = 1), SUM(helpful = 0) FROM feedback "
            "WHERE helpful IS NOT NULL AND day BETWEEN ? AND ? GROUP BY entry_id ORDER BY entry_id",
            (first.isoformat(), last.isoformat()),
        )
        return [FeedbackSummary(str(entry), int(up), int(down)) for entry, up, down in rows]

    async def broadcasts_between(self, first: date, last: date) -> list[BroadcastCount]:
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
            BroadcastCount(ident, date.fromisoformat(day), total, sent, blocked, failed)
            for ident, day, total, sent, blocked, failed in rows
        ]
