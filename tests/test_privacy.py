"""Privacy: the generated notice, export and deletion across every table, retention."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.announcements.model import Category, Event, Registration
from bot.cases.model import CaseStatus
from bot.config import Config, PrivacyConfig
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Conversation, Parent
from bot.dialogue.core import Dialogue
from bot.dialogue.notice import privacy_notice
from bot.events import Event as Input
from bot.events import EventKind
from bot.groups.model import Membership, Stage
from bot.outbox.model import Priority
from bot.privacy.ports import Retention
from bot.privacy.registry import PARENT_COLUMNS, PERSONAL_DATA, PersonalTable
from bot.storage.migrations import MIGRATIONS
from bot.storage.sqlite import SqliteStore
from tests.test_conversation import FixedClock

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
PARENT, OTHER = 4711, 4712
GROUP_CHAT = -1009876543210  # a peer group's chat (its id holds neither parent's id)


async def fill(store: SqliteStore, user: int, now: datetime = NOW) -> None:
    """Write a row about `user` into every table the bot keeps about parents."""
    await store.touch_user(user, "de", now)
    await store.save_state(user, {"v": 3}, now)
    await store.subscribe(user, frozenset({Category.LAW}), now)
    event = await store.add_event(
        Event(
            0, "Chat", now + timedelta(days=3), timedelta(hours=1), Category.LAW, "x", None, None
        ),
        now,
    )
    await store.save_registration(Registration(event.id, user, True, True), now)
    await store.add_question(event.id, user, "Frage", now)
    await store.open_case(user, "Unterhalt", False, now)
    await store.enqueue("notices", Priority.NORMAL, user, {"text": "hallo"}, now)
    await store.save_draft(user, {"kind": "event"}, now)
    await store.save_membership(Membership(GROUP_CHAT, user, Stage.NEWCOMER, now))
    await store.add_unanswered("unverknüpft", now)


def rows_about(path: Path, user: int) -> dict[str, int]:
    """Count, from the schema itself, every row in any table with a parent column."""
    with sqlite3.connect(path) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {}
        for table in tables:
            for column in connection.execute(f"PRAGMA table_info({table})"):
                if column[1] in PARENT_COLUMNS:
                    query = f"SELECT COUNT(*) FROM {table} WHERE {column[1]} = ?"  # noqa: S608
                    counts[table] = connection.execute(query, (user,)).fetchone()[0]
    return counts


def conversation(store: SqliteStore, kb: KnowledgeBase, config: Config) -> Conversation:
    return Conversation(Dialogue(kb, config), store, FixedClock(NOW), BERLIN)


async def test_the_export_holds_every_row_the_registry_names(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    await fill(db, OTHER)
    outcome = await conversation(db, kb, Config()).handle(Parent(PARENT), Input(EventKind.EXPORT))
    (reply,) = outcome.replies
    assert reply.attachment is not None
    exported = json.loads(reply.attachment.content)["tables"]
    stored = rows_about(db.path, PARENT)
    assert {t: len(exported[t]["rows"]) for t in stored} == stored
    assert all(count > 0 for count in stored.values())
    assert str(OTHER) not in reply.attachment.content.decode()
    assert exported["subscriptions"]["purpose"]


async def test_deletion_leaves_no_row_about_the_parent_in_any_table(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    await fill(db, OTHER)
    talk = conversation(db, kb, Config())
    asked = await talk.handle(Parent(PARENT), Input(EventKind.DELETE))
    assert "Abos, Anmeldungen" in asked.replies[0].text
    await talk.handle(Parent(PARENT), Input(EventKind.BUTTON, "1:d:y"))
    assert set(rows_about(db.path, PARENT).values()) == {0}
    assert all(count > 0 for count in rows_about(db.path, OTHER).values())
    assert len(await db.unanswered()) == 2  # unlinked: about no one


async def test_a_table_added_later_is_exported_and_deleted(tmp_path: Path) -> None:
    added = "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, note TEXT);"
    registry = (*PERSONAL_DATA, PersonalTable("notes", "user_id", "a later feature"))
    store = SqliteStore(
        tmp_path / "db.sqlite3", migrations=(*MIGRATIONS, added), personal_data=registry
    )
    await store.open()
    try:
        async with store._use() as connection:
            await connection.execute("INSERT INTO notes (user_id, note) VALUES (5, 'a'), (6, 'b')")
        assert (await store.export_user(5))["notes"] == [{"id": 1, "user_id": 5, "note": "a"}]
        await store.delete_user(5)
        assert (await store.export_user(5))["notes"] == []
        assert (await store.export_user(6))["notes"] != []
    finally:
        await store.close()


def test_the_notice_comes_from_the_config(kb: KnowledgeBase) -> None:
    config = PrivacyConfig(
        controller="Verband X e. V., Musterweg 1, 12345 Musterstadt",
        dpo_contact="datenschutz@example.org",
        authority="Landesbeauftragte für Datenschutz",
        unanswered_days=30,
        inactive_days=60,
    )
    text = privacy_notice(kb.texts, config)
    for part in ("Verband X e. V.", "datenschutz@example.org", "Landesbeauftragte", "30 Tage"):
        assert part in text
    assert "60 Tagen" in text
    assert "telegram.org" in text
    assert "/meine_daten" in text
    assert "/loeschen" in text
    unconfigured = privacy_notice(kb.texts, PrivacyConfig())
    assert "noch nicht eingetragen" in unconfigured


async def test_datenschutz_shows_the_generated_notice(db: SqliteStore, kb: KnowledgeBase) -> None:
    config = Config(privacy=PrivacyConfig(controller="Verband Y"))
    outcome = await conversation(db, kb, config).handle(Parent(1), Input(EventKind.PRIVACY))
    assert "Verband Y" in outcome.replies[0].text


async def test_retention_deletes_exactly_what_is_due(db: SqliteStore) -> None:
    old, recent = NOW - timedelta(days=200), NOW - timedelta(days=10)
    await db.touch_user(1, "de", old)
    await db.save_state(1, {"v": 3}, old)
    await db.touch_user(2, "de", recent)
    await db.save_state(2, {"v": 3}, recent)
    await db.add_unanswered("alt", NOW - timedelta(days=91))
    await db.add_unanswered("neu", NOW - timedelta(days=89))
    await db.add_feedback("kur", False, None, NOW - timedelta(days=91))
    closed = await db.open_case(3, None, False, old)
    await db.save_case(closed.moved(CaseStatus.CLOSED, old))
    await db.open_case(4, None, False, old)  # still open: kept however old
    sent = await db.enqueue("notices", Priority.NORMAL, 5, {}, NOW - timedelta(days=8))
    await db.mark_sent(sent, NOW - timedelta(days=8))
    await db.enqueue("notices", Priority.NORMAL, 6, {}, NOW - timedelta(days=8))  # pending
    await db.enqueue("gone", Priority.NORMAL, 7, {"first_name": "x"}, NOW - timedelta(days=100))
    await db.save_draft(8, {"kind": "event"}, old)
    retention = Retention(unanswered_days=90, inactive_days=180, closed_case_days=90, outbox_days=7)
    counts = await db.purge(retention, NOW)
    assert counts["unanswered"] == 1
    assert counts["feedback"] == 1
    assert counts["states"] == 1
    assert counts["users"] == 1
    assert counts["cases"] == 1
    assert counts["outbox"] == 1
    assert counts["stale_outbox"] == 1  # pending for 100 days: its feature was switched off
    assert counts["staff_drafts"] == 1
    assert [q.text for q in await db.unanswered()] == ["neu"]
    assert await db.load_state(1) is None
    assert await db.load_state(2) == {"v": 3}
    assert await db.open_case_of(4) is not None
    assert await db.outbox_backlog("notices") == 1
    assert await db.purge(retention, NOW) == dict.fromkeys(counts, 0)


async def test_the_export_leaves_out_the_counsellors_own_id(db: SqliteStore) -> None:
    case = await db.open_case(PARENT, None, False, NOW)
    await db.save_case(replace(case, counsellor_id=9001))
    (row,) = (await db.export_user(PARENT))["cases"]
    assert "counsellor_id" not in row
