"""SQLite implementation of `Store` on aiosqlite: one file, WAL, versioned migrations.

Durability: the connection runs in autocommit mode, so every write is committed when its
`await` returns; the bot may be killed with SIGKILL at any moment and keeps what it wrote.
Operations that touch several tables (`delete_user`, each migration) run in one explicit
transaction. All operations are serialised with an `asyncio.Lock` so that a statement from one
coroutine never lands inside another coroutine's transaction on the shared connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.cases.model import Case, CaseStatus
from bot.conversation.ports import FeedbackSummary, UnansweredQuestion, UserInfo, VoteCount
from bot.outbox.model import ItemStatus, OutboxItem, Priority
from bot.privacy.ports import GROUP_MEMBER_DAYS, Retention
from bot.privacy.registry import PERSONAL_DATA, PersonalTable
from bot.storage.case_rows import CASE_COLUMNS, case_from_row, case_to_row
from bot.storage.codecs import day_key, decode_state, encode_state, timestamp_text, to_utc
from bot.storage.group_sql import GroupSql
from bot.storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

# Connection settings, applied on every open. synchronous=NORMAL is safe in WAL mode: it can lose
# the last commits on power loss, but not on a process crash, which is the failure we expect
# (https://www.sqlite.org/pragma.html#pragma_synchronous).
_PRAGMAS = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    # Deleted rows are overwritten with zeros, not left in free pages (/loeschen, retention).
    "PRAGMA secure_delete=ON",
)
# Switching to WAL needs an exclusive lock and does not wait on busy_timeout, so a second
# connection opening while another migrates gets "database is locked": retry briefly.
_WAL_ATTEMPTS = 100
_WAL_PAUSE = 0.05

# Every table with a user_id column; delete_user clears them all.
DATABASE_NAME = "elternlotse.sqlite3"
_OPEN = ", ".join(f"'{s.value}'" for s in CaseStatus if s.is_open)


class SchemaVersionError(RuntimeError):
    """The database was written by a newer Elternlotse than this one."""


def split_statements(script: str) -> list[str]:
    """Split an SQL script into single statements.

    `sqlite3.complete_statement` decides where a statement ends, so semicolons inside string
    literals, comments and trigger bodies do not split.

    Args:
        script: SQL text with statements separated by semicolons.

    Returns:
        The statements, stripped, in order, without pieces that hold only comments. Text after
        the last complete statement is kept as one more statement so that SQLite reports any
        syntax error in it.

    """
    statements: list[str] = []
    buffer = ""
    for chunk in script.split(";"):
        buffer += chunk + ";"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    statements.append(buffer[:-1].strip())  # The loop added one ";" too many at the end.
    return [statement for statement in statements if not _is_blank(statement)]


def _is_blank(sql: str) -> bool:
    """Return whether SQL text holds nothing but `--` comments, semicolons and whitespace."""
    lines = (line.strip() for line in sql.splitlines())
    return all(not line.strip(";") or line.startswith("--") for line in lines)


class SqliteStore(GroupSql):
    """Keep everything in one SQLite file.

    Args:
        path: The database file; its directory is created on `open()`.
        migrations: The schema migrations to apply (tests pass their own).
        personal_data: The tables that hold data about a parent (tests add their own).

    """

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[str] = MIGRATIONS,
        personal_data: Sequence[PersonalTable] = PERSONAL_DATA,
    ) -> None:
        self._path = path
        self._migrations = tuple(migrations)
        self._personal = tuple(personal_data)
        self._connection: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None

    @property
    def path(self) -> Path:
        """Return the database file."""
        return self._path

    def __repr__(self) -> str:
        """Return a representation naming the file."""
        return f"SqliteStore({str(self._path)!r})"

    async def open(self) -> None:
        """Open the database, set the connection pragmas and apply pending migrations.

        Opening an open store does nothing; a closed store can be opened again.

        Raises:
            SchemaVersionError: If the database has a newer schema than this code knows.

        """
        if self._connection is not None:
            return
        await asyncio.to_thread(self._path.parent.mkdir, parents=True, exist_ok=True)
        # isolation_level=None: autocommit, transactions only where we say BEGIN.
        connection = await aiosqlite.connect(self._path, isolation_level=None)
        try:
            for pragma in _PRAGMAS:
                await connection.execute(pragma)
            await self._enable_wal(connection)
            await self._migrate(connection)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._lock = asyncio.Lock()

    async def _enable_wal(self, connection: aiosqlite.Connection) -> None:
        """Switch the file to WAL (persistent), retrying while another connection holds a lock."""
        for attempt in range(1, _WAL_ATTEMPTS + 1):
            try:
                rows = list(await connection.execute_fetchall("PRAGMA journal_mode"))
                if str(rows[0][0]).lower() != "wal":
                    rows = list(await connection.execute_fetchall("PRAGMA journal_mode=WAL"))
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS:
                    raise
                await asyncio.sleep(_WAL_PAUSE)
        if str(rows[0][0]).lower() != "wal":
            logger.warning("SQLite refused WAL mode (journal_mode=%s)", rows[0][0])

    async def _migrate(self, connection: aiosqlite.Connection) -> None:
        """Apply every migration newer than the database, each in its own transaction."""
        known = len(self._migrations)
        for number, script in enumerate(self._migrations, start=1):
            # BEGIN IMMEDIATE takes the write lock before reading the version, so two processes
            # opening a fresh file at once cannot both apply the same migration.
            await connection.execute("BEGIN IMMEDIATE")
            try:
                version = await self._user_version(connection)
                if version > known:
                    raise SchemaVersionError(
                        f"database {self._path} has schema version {version}, but this version "
                        f"of Elternlotse knows only up to {known}; update Elternlotse or restore "
                        "a backup that matches it"
                    )
                if version >= number:
                    await connection.execute("COMMIT")
                    continue
                for statement in split_statements(script):
                    await connection.execute(statement)
                # PRAGMA does not take parameters; number is an int we computed.
                await connection.execute(f"PRAGMA user_version = {number:d}")
                await connection.execute("COMMIT")
            except BaseException:
                await connection.rollback()
                raise
            logger.info("Applied storage migration %d of %d", number, known)
        if not self._migrations:
            version = await self._user_version(connection)
            if version > 0:
                raise SchemaVersionError(
                    f"database {self._path} has schema version {version}, but this version "
                    "of Elternlotse knows no migrations"
                )

    @staticmethod
    async def _user_version(connection: aiosqlite.Connection) -> int:
        """Return the schema version stored in the database header."""
        rows = list(await connection.execute_fetchall("PRAGMA user_version"))
        return int(rows[0][0])

    async def close(self) -> None:
        """Close the database; closing a closed (or never opened) store does nothing."""
        connection, lock = self._connection, self._lock
        if connection is None or lock is None:
            return
        async with lock:
            if self._connection is not connection:  # Closed while we waited for the lock.
                return
            self._connection = None
            self._lock = None
            await connection.close()

    @asynccontextmanager
    async def _use(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the store's lock and yield the open connection.

        Raises:
            RuntimeError: If the store is not open.

        """
        lock = self._lock
        if self._connection is None or lock is None:
            raise RuntimeError(f"{self!r} is not open; call `await store.open()` first")
        async with lock:
            connection = self._connection
            if connection is None:
                raise RuntimeError(f"{self!r} was closed while this operation waited")
            yield connection

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the lock and run the block in one transaction (rolled back on any error)."""
        async with self._use() as connection:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                await connection.execute("COMMIT")
            except BaseException:
                await connection.rollback()
                raise

    async def _write(self, sql: str, parameters: Iterable[Any]) -> None:
        """Run one write statement; autocommit makes it durable when this returns."""
        async with self._use() as connection:
            await connection.execute(sql, tuple(parameters))

    async def _read(self, sql: str, parameters: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run one query and return all rows."""
        async with self._use() as connection:
            return list(await connection.execute_fetchall(sql, tuple(parameters)))

    async def touch_user(self, user_id: int, language: str | None, now: datetime) -> None:
        """Record that a user was seen (first seen is kept, last seen updated).

        A `language` of None keeps the language already known.
        """
        moment = timestamp_text(now)
        await self._write(
            "INSERT INTO users (user_id, language, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET "
            "language = COALESCE(excluded.language, users.language), "
            "last_seen = excluded.last_seen",
            (user_id, language, moment, moment),
        )

    async def user_info(self, user_id: int) -> UserInfo | None:
        """Return what is stored about the user itself, or None if the user was never touched."""
        rows = await self._read(
            "SELECT language, first_seen, last_seen FROM users WHERE user_id = ?", (user_id,)
        )
        if not rows:
            return None
        language, first_seen, last_seen = rows[0]
        return UserInfo(
            language, datetime.fromisoformat(first_seen), datetime.fromisoformat(last_seen)
        )

    async def load_state(self, user_id: int) -> dict[str, Any] | None:
        """Return the user's saved dialogue state, or None.

        A stored state that cannot be parsed (only possible after editing the file by hand) is
        logged and treated as missing, so the user gets a fresh conversation instead of errors.
        """
        rows = await self._read("SELECT state FROM states WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        try:
            return decode_state(rows[0][0])
        except (TypeError, ValueError):
            logger.warning("Ignoring an unreadable dialogue state in %s", self._path)
            return None

    async def save_state(self, user_id: int, state: dict[str, Any], now: datetime) -> None:
        """Save the user's dialogue state (a JSON-serialisable dict), replacing the old one."""
        await self._write(
            "INSERT INTO states (user_id, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at",
            (user_id, encode_state(state), timestamp_text(now)),
        )

    async def add_feedback(
        self, entry_id: str, helpful: bool | None, reason: str | None, now: datetime
    ) -> None:
        """Store a vote (helpful True/False) or a reason for a "not helpful" vote, unlinked."""
        vote = None if helpful is None else int(helpful)
        await self._write(
            "INSERT INTO feedback (entry_id, helpful, reason, day) VALUES (?, ?, ?, ?)",
            (entry_id, vote, reason, day_key(to_utc(now).date())),
        )

    async def add_unanswered(self, text: str, now: datetime) -> None:
        """Store a redacted question the bot could not answer, unlinked."""
        await self._write(
            "INSERT INTO unanswered (text, day) VALUES (?, ?)",
            (text, day_key(to_utc(now).date())),
        )

    async def count(self, day: date, counter: str, amount: int = 1) -> None:
        """Add `amount` to the daily counter `counter` (e.g. "messages", "answer", "crisis")."""
        await self._write(
            "INSERT INTO daily_counters (day, counter, value) VALUES (?, ?, ?) "
            "ON CONFLICT (day, counter) DO UPDATE SET value = value + excluded.value",
            (day_key(day), counter, amount),
        )

    async def counters(self, day: date) -> dict[str, int]:
        """Return all counters of a day (an empty dict for a day without counts)."""
        rows = await self._read(
            "SELECT counter, value FROM daily_counters WHERE day = ? ORDER BY counter",
            (day_key(day),),
        )
        return {str(counter): int(value) for counter, value in rows}

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on that has any, by day."""
        rows = await self._read(
            "SELECT day, counter, value FROM daily_counters WHERE day >= ? ORDER BY day, counter",
            (day_key(first),),
        )
        days: dict[date, dict[str, int]] = {}
        for day, counter, value in rows:
            days.setdefault(date.fromisoformat(day), {})[str(counter)] = int(value)
        return days

    async def votes_since(self, first: date) -> VoteCount:
        """Return the 👍 and 👎 votes on every answer from the (UTC) day `first` on."""
        rows = await self._read(
            "SELECT COALESCE(SUM(helpful = 1), 0), COALESCE(SUM(helpful = 0), 0) "
            "FROM feedback WHERE helpful IS NOT NULL AND day >= ?",
            (day_key(first),),
        )
        ((helpful, not_helpful),) = rows
        return VoteCount(int(helpful), int(not_helpful))

    async def unanswered_count_since(self, first: date) -> int:
        """Return how many unanswered questions were kept from the (UTC) day `first` on."""
        rows = await self._read("SELECT COUNT(*) FROM unanswered WHERE day >= ?", (day_key(first),))
        return int(rows[0][0])

    async def feedback_summary(self) -> list[FeedbackSummary]:
        """Return votes per entry, most "not helpful" first, then by entry id.

        Only votes count; an entry that has reasons but no votes is left out.
        """
        rows = await self._read(
            "SELECT entry_id, SUM(helpful = 1) AS helpful, SUM(helpful = 0) AS not_helpful "
            "FROM feedback WHERE helpful IS NOT NULL "
            "GROUP BY entry_id ORDER BY not_helpful DESC, entry_id ASC"
        )
        return [FeedbackSummary(str(entry), int(up), int(down)) for entry, up, down in rows]

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Return at most `limit` unanswered questions, newest first."""
        if limit <= 0:  # SQLite reads a negative LIMIT as "no limit".
            return []
        rows = await self._read(
            "SELECT text, day FROM unanswered ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [UnansweredQuestion(str(text), date.fromisoformat(day)) for text, day in rows]

    async def open_case(
        self, parent_id: int, category: str | None, show_first_name: bool, now: datetime
    ) -> Case:
        """Create a case in status WAITING and return it with its number."""
        moment = timestamp_text(now)
        async with self._use() as connection:
            cursor = await connection.execute(
                "INSERT INTO cases (parent_id, status, category, reveal_consent, opened_at, "
                "last_activity_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    parent_id,
                    CaseStatus.WAITING.value,
                    category,
                    int(show_first_name),
                    moment,
                    moment,
                ),
            )
            await connection.commit()
            number = cursor.lastrowid
        assert number is not None  # noqa: S101 - an INSERT into a rowid table has one
        found = await self.case(number)
        assert found is not None  # noqa: S101 - just written
        return found

    async def save_case(self, case: Case) -> None:
        """Store a changed case (matched by number)."""
        row = case_to_row(case)
        await self._write(
            "UPDATE cases SET parent_id = ?, status = ?, category = ?, "
            "counsellor_id = ?, reveal_consent = ?, opened_at = ?, claimed_at = ?, "
            "closed_at = ?, last_activity_at = ?, rating = ? WHERE number = ?",
            (*row[1:4], *row[5:], row[0]),
        )

    async def set_topic(self, number: int, topic_id: int) -> None:
        """Remember a case's forum topic (only that column)."""
        await self._write("UPDATE cases SET topic_id = ? WHERE number = ?", (topic_id, number))

    async def touch_case(self, number: int, now: datetime) -> None:
        """Record activity on a case (only that column)."""
        await self._write(
            "UPDATE cases SET last_activity_at = ? WHERE number = ?", (timestamp_text(now), number)
        )

    async def _cases(self, where: str, parameters: Iterable[Any] = ()) -> list[Case]:
        rows = await self._read(f"SELECT {CASE_COLUMNS} FROM cases {where}", parameters)
        return [case_from_row(row) for row in rows]

    async def case(self, number: int) -> Case | None:
        """Return a case by number."""
        found = await self._cases("WHERE number = ?", (number,))
        return found[0] if found else None

    async def open_case_of(self, parent_id: int) -> Case | None:
        """Return the parent's open case, if any."""
        found = await self._cases(
            f"WHERE parent_id = ? AND status IN ({_OPEN}) ORDER BY number DESC LIMIT 1",
            (parent_id,),
        )
        return found[0] if found else None

    async def case_in_topic(self, topic_id: int) -> Case | None:
        """Return the newest case a forum topic belongs to."""
        found = await self._cases("WHERE topic_id = ? ORDER BY number DESC LIMIT 1", (topic_id,))
        return found[0] if found else None

    async def open_cases(self) -> list[Case]:
        """Return every open case, oldest first."""
        return await self._cases(f"WHERE status IN ({_OPEN}) ORDER BY number")

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment, oldest first."""
        return await self._cases("WHERE opened_at >= ? ORDER BY number", (timestamp_text(moment),))

    async def enqueue(
        self,
        queue: str,
        priority: Priority,
        owner: int | None,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> int:
        """Write a pending item (committed when this returns) and return its id."""
        async with self._use() as connection:
            cursor = await connection.execute(
                "INSERT INTO outbox (queue, priority, user_id, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (queue, int(priority), owner, json.dumps(payload), timestamp_text(now)),
            )
            await connection.commit()
        assert cursor.lastrowid is not None  # noqa: S101 - an INSERT into a rowid table has one
        return cursor.lastrowid

    async def next_pending(
        self, queue: str, skip: frozenset[int] = frozenset()
    ) -> OutboxItem | None:
        """Return the queue's pending item to send next (most urgent, then oldest)."""
        passed = ",".join(str(int(i)) for i in sorted(skip))  # ints only: safe to inline
        rows = await self._read(
            "SELECT id, queue, priority, user_id, payload, attempts, created_at FROM outbox "
            f"WHERE queue = ? AND status = 'pending' AND id NOT IN ({passed}) "  # noqa: S608
            "ORDER BY priority, id LIMIT 1",
            (queue,),
        )
        if not rows:
            return None
        item_id, name, priority, owner, payload, attempts, created = rows[0]
        return OutboxItem(
            item_id,
            name,
            Priority(priority),
            owner,
            json.loads(payload),
            attempts,
            datetime.fromisoformat(created),
        )

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        """Mark an item sent and forget its payload."""
        await self._write(
            "UPDATE outbox SET status = 'sent', payload = '{}', sent_at = ? WHERE id = ?",
            (timestamp_text(now), item_id),
        )

    async def record_failure(
        self, item_id: int, give_up_after: int, error: str | None = None
    ) -> ItemStatus:
        """Count a failed attempt and its reason; after `give_up_after` the item is FAILED."""
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = COALESCE(?, last_error), "
            "status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE status END, "
            "payload = CASE WHEN attempts + 1 >= ? THEN '{}' ELSE payload END WHERE id = ?",
            (error, give_up_after, give_up_after, item_id),
        )
        rows = await self._read("SELECT status FROM outbox WHERE id = ?", (item_id,))
        return ItemStatus(rows[0][0]) if rows else ItemStatus.FAILED

    async def outbox_backlog(self, queue: str) -> int:
        """Return how many items of a queue are pending."""
        rows = await self._read(
            "SELECT COUNT(*) FROM outbox WHERE queue = ? AND status = 'pending'", (queue,)
        )
        return int(rows[0][0])

    async def delete_user(self, user_id: int) -> None:
        """Delete everything stored about a user, in one transaction.

        Daily counters hold no user and stay.
        """
        async with self._transaction() as connection:
            for table in self._personal:
                await connection.execute(table.delete_sql, (user_id,))

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Return every stored row about a user, by table (the registry's tables, in order)."""
        found: dict[str, list[dict[str, Any]]] = {}
        async with self._use() as connection:
            for table in self._personal:
                cursor = await connection.execute(table.select_sql, (user_id,))
                names = [column[0] for column in cursor.description]
                rows = await cursor.fetchall()
                found[table.table] = [
                    {k: v for k, v in zip(names, row, strict=True) if k not in table.hidden}
                    for row in rows
                ]
        return found

    async def purge(self, retention: Retention, now: datetime) -> dict[str, int]:
        """Delete what is due under the retention periods, in one transaction.

        Unanswered questions and feedback older than `unanswered_days`; the dialogue state and the
        seen-times of parents not seen for `inactive_days`; cases closed more than
        `closed_case_days` ago; outbox rows no longer pending after `outbox_days`; registrations and
        questions of events that ended more than `unanswered_days` ago; audit rows, finished
        broadcasts and outbox rows still pending (their feature was switched off) older than
        `closed_case_days`; staff drafts older than `inactive_days`; leftover group memberships.
        """
        moment = to_utc(now)
        logs = day_key((moment - timedelta(days=retention.unanswered_days)).date())
        statements = {
            "unanswered": ("DELETE FROM unanswered WHERE day < ?", logs),
            "feedback": ("DELETE FROM feedback WHERE day < ?", logs),
            "states": (
                "DELETE FROM states WHERE user_id IN "
                "(SELECT user_id FROM users WHERE last_seen < ?)",
                timestamp_text(moment - timedelta(days=retention.inactive_days)),
            ),
            "users": (
                "DELETE FROM users WHERE last_seen < ?",
                timestamp_text(moment - timedelta(days=retention.inactive_days)),
            ),
            "cases": (
                f"DELETE FROM cases WHERE status NOT IN ({_OPEN}) AND closed_at < ?",  # noqa: S608
                timestamp_text(moment - timedelta(days=retention.closed_case_days)),
            ),
            "outbox": (
                "DELETE FROM outbox WHERE status != 'pending' AND created_at < ?",
                timestamp_text(moment - timedelta(days=retention.outbox_days)),
            ),
            "stale_outbox": (  # pending for ages: its feature was switched off meanwhile
                "DELETE FROM outbox WHERE status = 'pending' AND created_at < ?",
                timestamp_text(moment - timedelta(days=retention.closed_case_days)),
            ),
            "broadcasts": (  # staff content and staff id, once long done
                "DELETE FROM broadcasts WHERE status != 'sending' AND finished_at < ?",
                timestamp_text(moment - timedelta(days=retention.closed_case_days)),
            ),
            "staff_drafts": (
                "DELETE FROM staff_drafts WHERE updated_at < ?",
                timestamp_text(moment - timedelta(days=retention.inactive_days)),
            ),
            "audit": (  # accountability for as long as the cases it concerns are kept
                "DELETE FROM audit WHERE at < ?",
                timestamp_text(moment - timedelta(days=retention.closed_case_days)),
            ),
            **_console_statements(moment, retention),
            **_group_statements(moment),
            **_past_event_statements(
                timestamp_text(moment - timedelta(days=retention.unanswered_days))
            ),
        }
        counts: dict[str, int] = {}
        async with self._transaction() as connection:
            for kind, (sql, bound) in statements.items():
                cursor = await connection.execute(sql, (bound,))
                counts[kind] = cursor.rowcount
        return counts

    async def user_exists(self, user_id: int) -> bool:
        """Return whether anything about the user is stored."""
        checks = " OR ".join(f"EXISTS ({table.select_sql})" for table in self._personal)
        rows = await self._read(f"SELECT {checks}", (user_id,) * len(self._personal))
        return bool(rows[0][0])


def _past_event_statements(before: str) -> dict[str, tuple[str, str]]:
    """Return the deletions of registrations and questions of events that ended before."""
    ended = (
        "SELECT id FROM events WHERE datetime(starts_at, '+' || duration_min || ' minutes') "
        "< datetime(?)"
    )
    return {
        "registrations": (f"DELETE FROM registrations WHERE event_id IN ({ended})", before),
        "questions": (f"DELETE FROM questions WHERE event_id IN ({ended})", before),
    }


def _console_statements(moment: datetime, retention: Retention) -> dict[str, tuple[str, str]]:
    """Return the staff console's purge statements: decisions, spent links, ended sessions."""
    return {
        "curation": (  # staff's decisions keep a question's text: as long as questions
            "DELETE FROM curation WHERE decided_at < ?",
            timestamp_text(moment - timedelta(days=retention.unanswered_days)),
        ),
        "console_links": (  # spent or expired after ten minutes; a day is plenty
            "DELETE FROM console_links WHERE expires_at < ?",
            timestamp_text(moment - timedelta(days=1)),
        ),
        "console_sessions": (
            "DELETE FROM console_sessions WHERE expires_at < ?",
            timestamp_text(moment),
        ),
    }


def _group_statements(moment: datetime) -> dict[str, tuple[str, str]]:
    """Return the peer groups' purge statement: memberships older than `GROUP_MEMBER_DAYS`.

    The groups' tidy job deletes a membership once the request is decided or expired or the
    first day is over; this catches the rows it missed (the bot was off, groups switched off).
    """
    return {
        "group_members": (
            "DELETE FROM group_members WHERE since < ?",
            timestamp_text(moment - timedelta(days=GROUP_MEMBER_DAYS)),
        ),
    }


def open_store(data_dir: Path) -> SqliteStore:
    """Return the SQLite store of a data directory (not yet opened; call `await store.open()`).

    Args:
        data_dir: The data directory (`ELTERNLOTSE_DATA`); created on `open()` if missing.

    Returns:
        A `SqliteStore` on `data_dir / "elternlotse.sqlite3"`.

    """
    return SqliteStore(data_dir / DATABASE_NAME)
