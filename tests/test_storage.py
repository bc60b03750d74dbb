"""Storage contract tests, run against both stores, plus SQLite-only tests."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.ports import FeedbackSummary, UnansweredQuestion
from bot.groups.model import Membership, Stage
from bot.privacy.ports import GROUP_MEMBER_DAYS, Retention
from bot.privacy.registry import PARENT_COLUMNS, PERSONAL_DATA, PersonalTable
from bot.storage.memory import MemoryStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.ports import Store
from bot.storage.sqlite import (
    DATABASE_NAME,
    SchemaVersionError,
    SqliteStore,
    open_store,
    split_statements,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)
TODAY = NOW.date()

AnyStore = MemoryStore | SqliteStore

# Both implementations must satisfy the protocol (checked by mypy on this file).
_PROTOCOL_CHECK: tuple[Store, Store] = (MemoryStore(), SqliteStore(Path("unused")))


def sql(path: Path, query: str) -> list[Any]:
    """Run a query on a separate, synchronous connection (as another process would)."""
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


# --- users -------------------------------------------------------------------------------


async def test_touch_user_keeps_first_seen_and_updates_last_seen(store: AnyStore) -> None:
    assert not await store.user_exists(1)
    assert await store.user_info(1) is None
    await store.touch_user(1, "de", NOW)
    await store.touch_user(1, "en", NOW + timedelta(hours=3))
    info = await store.user_info(1)
    assert info is not None
    assert info.first_seen == NOW
    assert info.last_seen == NOW + timedelta(hours=3)
    assert info.language == "en"
    assert await store.user_exists(1)


async def test_touch_user_without_language_keeps_known_language(store: AnyStore) -> None:
    await store.touch_user(1, None, NOW)
    info = await store.user_info(1)
    assert info is not None
    assert info.language is None
    await store.touch_user(1, "de", NOW)
    await store.touch_user(1, None, NOW + timedelta(minutes=1))
    info = await store.user_info(1)
    assert info is not None
    assert info.language == "de"


async def test_times_are_kept_as_utc_instants(store: AnyStore) -> None:
    berlin_summer = timezone(timedelta(hours=2))
    local = datetime(2024, 5, 1, 12, 0, tzinfo=berlin_summer)
    await store.touch_user(1, "de", local)
    info = await store.user_info(1)
    assert info is not None
    assert info.first_seen == local
    assert info.first_seen.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_rejected(store: AnyStore) -> None:
    naive = datetime(2024, 5, 1, 12, 0)  # Naive on purpose.
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.touch_user(1, "de", naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.add_unanswered("frage", naive)
    assert not await store.user_exists(1)


# --- dialogue state -------------------------------------------------------------------------


async def test_state_round_trip_with_unicode_and_nesting(store: AnyStore) -> None:
    state = {
        "flow": "unterhalt-rechner",
        "step": 3,
        "answers": {"kinder": [{"alter": 4}, {"alter": 11}], "einkommen": 2150.5, "ok": True},
        "text": "Größe ÄÖÜ ß – „Zitat“ 👶🏽 \u200b",
        "nothing": None,
    }
    await store.save_state(1, state, NOW)
    assert await store.load_state(1) == state
    assert await store.user_exists(1)


async def test_state_overwrite_and_unknown_user(store: AnyStore) -> None:
    assert await store.load_state(1) is None
    await store.save_state(1, {"step": 1}, NOW)
    await store.save_state(1, {"step": 2}, NOW + timedelta(seconds=1))
    assert await store.load_state(1) == {"step": 2}
    assert await store.load_state(2) is None


async def test_state_is_a_copy(store: AnyStore) -> None:
    state: dict[str, Any] = {"answers": {"a": 1}}
    await store.save_state(1, state, NOW)
    state["answers"]["a"] = 2
    loaded = await store.load_state(1)
    assert loaded == {"answers": {"a": 1}}
    assert loaded is not None
    loaded["answers"]["a"] = 3
    assert await store.load_state(1) == {"answers": {"a": 1}}


async def test_state_must_be_json(store: AnyStore) -> None:
    with pytest.raises(TypeError):
        await store.save_state(1, {"when": NOW}, NOW)
    with pytest.raises(ValueError, match="JSON"):
        await store.save_state(1, {"x": float("nan")}, NOW)
    assert await store.load_state(1) is None


# --- feedback ---------------------------------------------------------------------------------


async def test_feedback_summary_counts_votes_and_orders(store: AnyStore) -> None:
    assert await store.feedback_summary() == []
    await store.add_feedback("kindergeld", True, None, NOW)
    await store.add_feedback("kindergeld", True, None, NOW)
    await store.add_feedback("kindergeld", False, None, NOW)
    await store.add_feedback("wohngeld", False, None, NOW)
    await store.add_feedback("wohngeld", False, None, NOW)
    await store.add_feedback("wohngeld", None, "zu_lang", NOW)
    await store.add_feedback("elterngeld", False, None, NOW)
    await store.add_feedback("beistandschaft", False, None, NOW)
    await store.add_feedback("sorgerecht", True, None, NOW)
    assert await store.feedback_summary() == [
        FeedbackSummary("wohngeld", helpful=0, not_helpful=2),
        FeedbackSummary("beistandschaft", helpful=0, not_helpful=1),
        FeedbackSummary("elterngeld", helpful=0, not_helpful=1),
        FeedbackSummary("kindergeld", helpful=2, not_helpful=1),
        FeedbackSummary("sorgerecht", helpful=1, not_helpful=0),
    ]


async def test_feedback_reason_alone_is_no_vote(store: AnyStore) -> None:
    await store.add_feedback("kur", None, "veraltet", NOW)
    assert await store.feedback_summary() == []
    assert not await store.user_exists(1)  # feedback is kept without any user id


# --- unanswered questions ---------------------------------------------------------------------


async def test_unanswered_newest_first_with_limit(store: AnyStore) -> None:
    assert await store.unanswered() == []
    for minute in range(5):
        await store.add_unanswered(f"frage {minute}", NOW + timedelta(minutes=minute))
    newest = await store.unanswered(limit=3)
    assert [q.text for q in newest] == ["frage 4", "frage 3", "frage 2"]
    assert newest[0] == UnansweredQuestion("frage 4", NOW.date())  # the day only
    assert len(await store.unanswered()) == 5
    assert await store.unanswered(limit=0) == []


async def test_unanswered_keeps_only_the_utc_day(store: AnyStore) -> None:
    plus_two = timezone(timedelta(hours=2))
    await store.add_unanswered("late", datetime(2024, 5, 1, 1, 0, tzinfo=plus_two))
    (question,) = await store.unanswered()
    assert question.asked_on == date(2024, 4, 30)


async def test_unanswered_same_time_keeps_insertion_order(store: AnyStore) -> None:
    for text in ("a", "b", "c"):
        await store.add_unanswered(text, NOW)
    assert [q.text for q in await store.unanswered()] == ["c", "b", "a"]


# --- daily counters ---------------------------------------------------------------------------


async def test_counters_per_day(store: AnyStore) -> None:
    yesterday = TODAY - timedelta(days=1)
    assert await store.counters(TODAY) == {}
    await store.count(TODAY, "messages")
    await store.count(TODAY, "messages")
    await store.count(TODAY, "answer", 5)
    await store.count(yesterday, "messages", 7)
    assert await store.counters(TODAY) == {"messages": 2, "answer": 5}
    assert await store.counters(yesterday) == {"messages": 7}
    assert await store.counters(TODAY + timedelta(days=1)) == {}


async def test_counters_need_a_date(store: AnyStore) -> None:
    with pytest.raises(TypeError, match="date"):
        await store.count(NOW, "messages")


# --- deletion ---------------------------------------------------------------------------------


async def test_delete_user_removes_everything_of_that_user_only(store: AnyStore) -> None:
    for user in (1, 2):
        await store.touch_user(user, "de", NOW)
        await store.save_state(user, {"user": user}, NOW)
        await store.add_feedback(f"entry-{user}", False, None, NOW)
        await store.add_unanswered(f"frage von {user}", NOW + timedelta(seconds=user))
    await store.count(TODAY, "messages", 2)

    await store.delete_user(1)

    assert not await store.user_exists(1)
    assert await store.user_info(1) is None
    assert await store.load_state(1) is None
    # Feedback and unanswered questions name no one: they stay (retention deletes them).
    assert len(await store.feedback_summary()) == 2
    assert len(await store.unanswered()) == 2
    assert await store.user_exists(2)
    assert await store.load_state(2) == {"user": 2}
    assert await store.counters(TODAY) == {"messages": 2}


async def test_delete_unknown_user_is_harmless(store: AnyStore) -> None:
    await store.delete_user(42)
    assert not await store.user_exists(42)


@pytest.mark.parametrize("write", ["touch", "state"])
async def test_user_exists_after_any_write(store: AnyStore, write: str) -> None:
    if write == "touch":
        await store.touch_user(5, None, NOW)
    else:
        await store.save_state(5, {}, NOW)
    assert await store.user_exists(5)
    await store.delete_user(5)
    assert not await store.user_exists(5)


# --- peer groups (GroupStore) -----------------------------------------------------------------

CHAT, OTHER_CHAT = -1001111111111, -1002222222222
RETENTION = Retention(unanswered_days=90, inactive_days=180, closed_case_days=365, outbox_days=7)


async def test_a_membership_is_saved_replaced_and_dropped(store: AnyStore) -> None:
    assert await store.membership(CHAT, 1) is None
    await store.save_membership(Membership(CHAT, 1, Stage.ASKED, NOW))
    await store.save_membership(Membership(OTHER_CHAT, 1, Stage.NEWCOMER, NOW))
    assert await store.membership(CHAT, 1) == Membership(CHAT, 1, Stage.ASKED, NOW)

    later = NOW + timedelta(minutes=3)
    await store.save_membership(Membership(CHAT, 1, Stage.WAITING, later))
    assert await store.membership(CHAT, 1) == Membership(CHAT, 1, Stage.WAITING, later)

    await store.drop_membership(CHAT, 1)
    await store.drop_membership(CHAT, 1)  # dropping twice is harmless
    assert await store.membership(CHAT, 1) is None
    assert await store.membership(OTHER_CHAT, 1) is not None  # another group's stays


async def test_a_membership_keeps_its_instant_in_utc(store: AnyStore) -> None:
    berlin = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    await store.save_membership(Membership(CHAT, 1, Stage.NEWCOMER, berlin))
    found = await store.membership(CHAT, 1)
    assert found is not None
    assert found.since == berlin
    assert found.since.utcoffset() == timedelta(0)
    naive = datetime(2026, 1, 1)  # Naive on purpose.
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.save_membership(Membership(CHAT, 2, Stage.ASKED, naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.memberships_since(Stage.ASKED, naive)
    assert not await store.user_exists(2)


async def test_memberships_since_filters_by_stage_and_time_oldest_first(store: AnyStore) -> None:
    hour = timedelta(hours=1)
    await store.save_membership(Membership(CHAT, 1, Stage.ASKED, NOW - 3 * hour))
    await store.save_membership(Membership(OTHER_CHAT, 2, Stage.ASKED, NOW - 5 * hour))
    await store.save_membership(Membership(CHAT, 3, Stage.ASKED, NOW - hour))
    await store.save_membership(Membership(CHAT, 4, Stage.WAITING, NOW - 9 * hour))
    await store.save_membership(Membership(CHAT, 5, Stage.NEWCOMER, NOW - 30 * hour))

    old = await store.memberships_since(Stage.ASKED, NOW - 2 * hour)
    assert [(m.user_id, m.chat_id) for m in old] == [(2, OTHER_CHAT), (1, CHAT)]
    assert all(m.stage is Stage.ASKED for m in old)
    # `before` is exclusive: a request exactly that old is not yet due.
    assert await store.memberships_since(Stage.ASKED, NOW - 5 * hour) == []
    assert [m.user_id for m in await store.memberships_since(Stage.WAITING, NOW)] == [4]
    newcomers = await store.memberships_since(Stage.NEWCOMER, NOW - 24 * hour)
    assert newcomers == [Membership(CHAT, 5, Stage.NEWCOMER, NOW - 30 * hour)]


async def test_a_group_link_belongs_to_its_chat(store: AnyStore) -> None:
    assert await store.group_link("alleinerziehend", CHAT) is None
    await store.save_group_link("alleinerziehend", CHAT, "https://t.me/+first")
    await store.save_group_link("papas", OTHER_CHAT, "https://t.me/+papas")
    assert await store.group_link("alleinerziehend", CHAT) == "https://t.me/+first"
    assert await store.group_link("papas", OTHER_CHAT) == "https://t.me/+papas"
    # The config moved the group to another chat: the old chat's link must not be used.
    moved = -1003333333333
    assert await store.group_link("alleinerziehend", moved) is None
    await store.save_group_link("alleinerziehend", moved, "https://t.me/+moved")
    assert await store.group_link("alleinerziehend", moved) == "https://t.me/+moved"
    assert await store.group_link("alleinerziehend", CHAT) is None


async def test_pause_and_resume_keep_the_link(store: AnyStore) -> None:
    assert await store.paused_groups() == frozenset()
    # Paused before the bot ever made a link: no link is invented for any chat.
    await store.set_paused("papas", True, NOW)
    assert await store.paused_groups() == frozenset({"papas"})
    assert await store.group_link("papas", CHAT) is None
    assert await store.group_link("papas", 0) is None

    await store.save_group_link("papas", CHAT, "https://t.me/+papas")
    await store.save_group_link("alleinerziehend", OTHER_CHAT, "https://t.me/+a")
    await store.set_paused("alleinerziehend", True, NOW)
    await store.set_paused("alleinerziehend", True, NOW + timedelta(hours=1))  # idempotent
    assert await store.paused_groups() == frozenset({"papas", "alleinerziehend"})
    assert await store.group_link("papas", CHAT) == "https://t.me/+papas"  # a pause keeps it

    await store.set_paused("papas", False, NOW)
    await store.set_paused("nie-pausiert", False, NOW)  # resuming a group never paused
    assert await store.paused_groups() == frozenset({"alleinerziehend"})
    assert await store.group_link("papas", CHAT) == "https://t.me/+papas"
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.set_paused("papas", True, datetime(2026, 1, 1))  # Naive on purpose.


async def test_delete_user_removes_her_memberships_only(store: AnyStore) -> None:
    await store.save_membership(Membership(CHAT, 1, Stage.ASKED, NOW))
    await store.save_membership(Membership(OTHER_CHAT, 1, Stage.NEWCOMER, NOW))
    await store.save_membership(Membership(CHAT, 2, Stage.WAITING, NOW))
    await store.save_group_link("papas", CHAT, "https://t.me/+papas")
    assert await store.user_exists(1)  # a join request alone is data about her

    await store.delete_user(1)

    assert not await store.user_exists(1)
    assert await store.membership(CHAT, 1) is None
    assert await store.membership(OTHER_CHAT, 1) is None
    assert await store.membership(CHAT, 2) is not None
    assert await store.group_link("papas", CHAT) == "https://t.me/+papas"  # about no one


async def test_the_export_lists_her_memberships(store: AnyStore) -> None:
    await store.save_membership(Membership(CHAT, 1, Stage.WAITING, NOW))
    await store.save_membership(Membership(CHAT, 2, Stage.ASKED, NOW))
    exported = await store.export_user(1)
    assert exported["group_members"] == [
        {"chat_id": CHAT, "user_id": 1, "stage": "waiting", "since": NOW.isoformat()}
    ]
    assert (await store.export_user(3))["group_members"] == []


async def test_retention_deletes_memberships_the_tidy_job_missed(store: AnyStore) -> None:
    bound = NOW - timedelta(days=GROUP_MEMBER_DAYS)
    await store.save_membership(Membership(CHAT, 1, Stage.ASKED, bound - timedelta(seconds=1)))
    await store.save_membership(Membership(CHAT, 2, Stage.NEWCOMER, bound))
    counts = await store.purge(RETENTION, NOW)
    assert counts["group_members"] == 1
    assert await store.membership(CHAT, 1) is None
    assert await store.membership(CHAT, 2) is not None
    assert (await store.purge(RETENTION, NOW))["group_members"] == 0


# --- concurrency ------------------------------------------------------------------------------


async def test_concurrent_writes_all_land(store: AnyStore) -> None:
    users = range(1, 41)
    await asyncio.gather(
        *(store.count(TODAY, "messages") for _ in range(200)),
        *(store.touch_user(user, "de", NOW) for user in users),
        *(store.save_state(user, {"user": user}, NOW) for user in users),
        *(store.add_unanswered(f"frage {user}", NOW) for user in users),
        *(store.add_feedback("kindergeld", user % 2 == 0, None, NOW) for user in users),
        *(store.delete_user(1000 + user) for user in users),
    )
    assert await store.counters(TODAY) == {"messages": 200}
    assert all([await store.load_state(user) == {"user": user} for user in users])
    assert len(await store.unanswered(limit=1000)) == 40
    assert await store.feedback_summary() == [FeedbackSummary("kindergeld", 20, 20)]


# --- both stores accept the same states -------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(state=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_any_json_state_round_trips_in_both_stores(state: dict[str, Any]) -> None:
    async def round_trip(store: AnyStore) -> dict[str, Any] | None:
        await store.open()
        try:
            await store.save_state(1, state, NOW)
            return await store.load_state(1)
        finally:
            await store.close()

    with tempfile.TemporaryDirectory() as directory:
        assert asyncio.run(round_trip(MemoryStore())) == state
        assert asyncio.run(round_trip(open_store(Path(directory)))) == state


# --- SQLite only ------------------------------------------------------------------------------


def test_open_store_uses_the_data_directory(tmp_path: Path) -> None:
    assert open_store(tmp_path).path == tmp_path / DATABASE_NAME == tmp_path / "elternlotse.sqlite3"


async def test_sqlite_creates_the_directory_and_survives_reopen(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    first = open_store(data_dir)
    await first.open()
    await first.touch_user(1, "de", NOW)
    await first.save_state(1, {"step": "ä"}, NOW)
    await first.add_feedback("kur", False, "veraltet", NOW)
    await first.add_unanswered("frage", NOW)
    await first.count(TODAY, "messages", 3)
    await first.close()

    second = open_store(data_dir)
    await second.open()
    try:
        assert await second.load_state(1) == {"step": "ä"}
        info = await second.user_info(1)
        assert info is not None
        assert (info.language, info.first_seen) == ("de", NOW)
        assert await second.feedback_summary() == [FeedbackSummary("kur", 0, 1)]
        assert await second.unanswered() == [UnansweredQuestion("frage", NOW.date())]
        assert await second.counters(TODAY) == {"messages": 3}
    finally:
        await second.close()


async def test_sqlite_writes_are_committed_immediately(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.open()
    try:
        await store.save_state(1, {"step": 1}, NOW)
        await store.count(TODAY, "messages")
        await store.delete_user(99)
        # Another connection sees the data while the store is still open.
        assert sql(store.path, "SELECT state FROM states WHERE user_id = 1") == [('{"step":1}',)]
        assert sql(store.path, "SELECT value FROM daily_counters") == [(1,)]
    finally:
        await store.close()


_KILLED_WRITER = """
import asyncio, sys
from datetime import UTC, date, datetime
from pathlib import Path
from bot.storage.sqlite import open_store

async def main() -> None:
    store = open_store(Path(sys.argv[1]))
    await store.open()
    await store.save_state(7, {"step": "killed"}, datetime.now(UTC))
    await store.count(date(2024, 5, 1), "messages", 5)
    await store.delete_user(8)
    print("written", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_sqlite_data_survives_sigkill(tmp_path: Path) -> None:
    setup = open_store(tmp_path)
    await setup.open()
    await setup.save_state(8, {"gone": True}, NOW)
    await setup.close()

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _KILLED_WRITER,
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    process.kill()  # SIGKILL: no close(), no atexit, no checkpoint.
    await process.communicate()
    assert line == b"written\n"

    store = open_store(tmp_path)
    await store.open()
    try:
        assert await store.load_state(7) == {"step": "killed"}
        assert await store.counters(date(2024, 5, 1)) == {"messages": 5}
        assert not await store.user_exists(8)
    finally:
        await store.close()


async def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.open()
    await store.close()
    assert sql(store.path, "PRAGMA journal_mode") == [("wal",)]


async def test_sqlite_applies_migrations_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    migrations = (
        "CREATE TABLE log (note TEXT); INSERT INTO log VALUES ('one; with semicolon');",
        "-- second\nINSERT INTO log VALUES ('two');",
    )
    for _ in range(3):
        store = SqliteStore(path, migrations=migrations)
        await store.open()
        await store.close()
    assert sql(path, "SELECT note FROM log") == [("one; with semicolon",), ("two",)]
    assert sql(path, "PRAGMA user_version") == [(2,)]


async def test_sqlite_real_schema_version_and_reopen(tmp_path: Path) -> None:
    for _ in range(2):  # Re-applying migration 1 would fail with "table users already exists".
        store = open_store(tmp_path)
        await store.open()
        await store.close()
    assert sql(store.path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


async def test_sqlite_failing_migration_leaves_the_database_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    good = "CREATE TABLE a (x INTEGER);"
    bad = "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);"
    store = SqliteStore(path, migrations=(good, bad))
    with pytest.raises(sqlite3.OperationalError, match="missing"):
        await store.open()
    tables = sql(path, "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert tables == [("a",)]
    assert sql(path, "PRAGMA user_version") == [(1,)]
    with pytest.raises(RuntimeError, match="not open"):
        await store.load_state(1)


async def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.open()
    await store.close()
    with closing(sqlite3.connect(store.path)) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer = open_store(tmp_path)
    with pytest.raises(SchemaVersionError, match=r"schema version \d+.*update Elternlotse"):
        await newer.open()
    with pytest.raises(RuntimeError, match="not open"):
        await newer.counters(TODAY)


async def test_sqlite_schema_has_no_names(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.open()
    await store.close()
    tables = [
        row[0]
        for row in sql(
            store.path,
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
        )
    ]
    assert {"users", "states", "feedback", "unanswered", "daily_counters"} <= set(tables)
    columns = {
        table: {row[1] for row in sql(store.path, f"PRAGMA table_info({table})")}
        for table in tables
    }
    assert columns["users"] == {"user_id", "language", "first_seen", "last_seen"}
    assert not [
        (table, column)
        for table, names in columns.items()
        for column in names
        if "name" in column.lower()
    ]


async def test_sqlite_stores_utc_iso_text(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.open()
    try:
        await store.touch_user(
            1, "de", datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        )
    finally:
        await store.close()
    assert sql(store.path, "SELECT first_seen FROM users") == [
        ("2024-05-01T10:00:00.000000+00:00",)
    ]


async def test_sqlite_use_before_open_and_after_close(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with pytest.raises(RuntimeError, match=r"not open.*open\(\)"):
        await store.touch_user(1, "de", NOW)
    await store.close()  # Closing a never-opened store is fine.
    await store.open()
    await store.open()  # Opening twice is a no-op.
    await store.touch_user(1, "de", NOW)
    await store.close()
    await store.close()
    with pytest.raises(RuntimeError, match="not open"):
        await store.user_exists(1)
    await store.open()  # A closed store can be opened again.
    try:
        assert await store.user_exists(1)
    finally:
        await store.close()


async def test_sqlite_two_stores_on_one_file(tmp_path: Path) -> None:
    first, second = open_store(tmp_path), open_store(tmp_path)
    await asyncio.gather(first.open(), second.open())
    try:
        await asyncio.gather(
            *(first.count(TODAY, "messages") for _ in range(50)),
            *(second.count(TODAY, "messages") for _ in range(50)),
            first.delete_user(1),
            second.delete_user(2),
        )
        assert await first.counters(TODAY) == {"messages": 100}
    finally:
        await asyncio.gather(first.close(), second.close())


def test_split_statements() -> None:
    script = """
        -- comment; with a semicolon
        CREATE TABLE t (x TEXT);
        INSERT INTO t VALUES ('a;b');
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t WHERE x = 'z'; END;
        -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[1] == "INSERT INTO t VALUES ('a;b');"
    assert statements[2].endswith("END;")


async def test_every_table_about_a_parent_is_in_the_personal_data_registry(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path)
    await store.open()
    await store.close()
    tables = [
        r[0]
        for r in sql(
            store.path,
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
        )
    ]
    with_parent = {
        table
        for table in tables
        for row in sql(store.path, f"PRAGMA table_info({table})")
        if row[1] in PARENT_COLUMNS
    }
    assert with_parent == {t.table for t in PERSONAL_DATA}


async def test_a_table_added_later_is_deleted_through_the_registry(tmp_path: Path) -> None:
    added = "CREATE TABLE reminders (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL);"
    registry = (*PERSONAL_DATA, PersonalTable("reminders", "parent_id", "event reminders"))
    store = SqliteStore(
        tmp_path / "db.sqlite3", migrations=(*MIGRATIONS, added), personal_data=registry
    )
    await store.open()
    try:
        await store.touch_user(5, "de", NOW)
        async with store._use() as connection:  # a write the new feature would make
            await connection.execute("INSERT INTO reminders (parent_id) VALUES (5), (6)")
            await connection.commit()
        assert await store.user_exists(5)
        await store.delete_user(5)
        assert not await store.user_exists(5)
        assert await store.user_exists(6)
    finally:
        await store.close()
    assert sql(tmp_path / "db.sqlite3", "SELECT parent_id FROM reminders") == [(6,)]


async def test_sqlite_group_pauses_and_links_survive_a_reopen(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    await first.open()
    await first.save_group_link("papas", CHAT, "https://t.me/+papas")
    await first.set_paused("papas", True, NOW)
    await first.set_paused("alleinerziehend", True, NOW)
    await first.set_paused("alleinerziehend", True, NOW + timedelta(hours=2))
    await first.save_membership(Membership(CHAT, 1, Stage.NEWCOMER, NOW))
    await first.close()

    second = open_store(tmp_path)
    await second.open()
    try:
        assert await second.paused_groups() == frozenset({"papas", "alleinerziehend"})
        assert await second.group_link("papas", CHAT) == "https://t.me/+papas"
        assert await second.membership(CHAT, 1) == Membership(CHAT, 1, Stage.NEWCOMER, NOW)
        await second.set_paused("papas", False, NOW)
    finally:
        await second.close()
    assert sql(
        second.path,
        "SELECT group_id, chat_id, invite_link, paused_at FROM peer_groups ORDER BY group_id",
    ) == [
        # Paused before any link: no chat is known, so none is stored (not a made-up 0).
        ("alleinerziehend", None, None, NOW.isoformat()),  # the first pause's time stays
        ("papas", CHAT, "https://t.me/+papas", None),
    ]
    assert sql(second.path, "SELECT stage, since FROM group_members") == [
        ("newcomer", NOW.isoformat())
    ]


async def test_sqlite_a_link_is_never_stored_without_its_chat(db: SqliteStore) -> None:
    async with db._use() as connection:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            await connection.execute(
                "INSERT INTO peer_groups (group_id, invite_link) VALUES ('x', 'https://t.me/+x')"
            )


async def test_sqlite_the_group_migration_keeps_the_existing_data(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    older = tuple(t for t in PERSONAL_DATA if t.table != "group_members")  # as then
    before = SqliteStore(path, migrations=MIGRATIONS[:-1], personal_data=older)
    await before.open()
    await before.touch_user(1, "de", NOW)
    await before.save_state(1, {"step": "vorher"}, NOW)
    await before.count(TODAY, "messages", 4)
    await before.close()
    assert sql(path, "PRAGMA user_version") == [(len(MIGRATIONS) - 1,)]

    after = SqliteStore(path)
    await after.open()
    try:
        assert await after.load_state(1) == {"step": "vorher"}
        assert await after.counters(TODAY) == {"messages": 4}
        await after.save_membership(Membership(CHAT, 1, Stage.ASKED, NOW))
        await after.set_paused("papas", True, NOW)
        assert await after.memberships_since(Stage.ASKED, NOW + timedelta(seconds=1)) == [
            Membership(CHAT, 1, Stage.ASKED, NOW)
        ]
        assert await after.paused_groups() == frozenset({"papas"})
    finally:
        await after.close()
    assert sql(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    indexes = {row[0] for row in sql(path, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"group_members_by_stage", "group_members_by_user"} <= indexes
