"""D11: `/meine_daten` gives a German overview a parent can read, and the full JSON beside it."""

from __future__ import annotations

import json
import re

from bot.config import Config, PrivacyConfig
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Parent
from bot.dialogue.model import Reply
from bot.events import Event as Input
from bot.events import EventKind
from bot.privacy.registry import PERSONAL_DATA
from bot.storage.sqlite import SqliteStore
from handlers.render import render
from tests.test_privacy import PARENT, conversation, fill

HEADINGS = ("Was:", "Wozu:", "Gespeichert seit:", "Wie lange:")
# What must never reach a parent's eyes: JSON, table and column names, status and category codes.
INTERNAL = re.compile(
    r"[{}\[\]\"]|\b(user_id|parent_id|payload|pending|waiting|claimed|closed|recht|geld|"
    r"states|outbox|staff_drafts|registrations|subscriptions|null|true|false)\b"
)


async def export(db: SqliteStore, kb: KnowledgeBase, config: Config) -> Reply:
    outcome = await conversation(db, kb, config).handle(Parent(PARENT), Input(EventKind.EXPORT))
    (reply,) = outcome.replies
    return reply


async def test_the_overview_is_german_plain_words_with_every_kind_of_data(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    reply = await export(db, kb, Config())
    seen = "\n".join(part.text for part in render(reply))  # what arrives in the chat
    assert "Ihre gespeicherten Daten (Stand 24.11.2026)" in seen
    for heading in HEADINGS:
        assert seen.count(heading) == len(PERSONAL_DATA)
    for title in (
        "Ihr Telegram-Konto",
        "Ihr Gesprächsstand",
        "Ihre Beratungsanfragen",
        "Ihre Abos",
        "Ihre Anfrage für eine Gruppe",
    ):
        assert title in seen
    assert "Anfrage #1 vom 24.11.2026, läuft noch" in seen
    assert "Recht (24.11.2026)" in seen  # the category's name, not its code
    assert "„Frage“" in seen
    assert INTERNAL.search(seen) is None, INTERNAL.search(seen)
    assert str(PARENT) not in seen


async def test_the_retention_periods_come_from_the_config(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    privacy = PrivacyConfig(inactive_days=33, closed_case_days=44, outbox_days=5)
    reply = await export(db, kb, Config(privacy=privacy))
    assert "33 Tage lang nicht geschrieben" in reply.text
    assert "danach noch 44 Tage" in reply.text
    assert "Bis 5 Tage nach dem Verschicken" in reply.text
    assert "Bis Sie das Abo beenden (/abo_aus)" in reply.text
    assert "spätestens nach 7 Tagen" in reply.text  # the purge's bound for group requests


async def test_the_json_file_holds_parsed_json_not_escaped_strings(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    reply = await export(db, kb, Config())
    assert reply.attachment is not None
    tables = json.loads(reply.attachment.content)["tables"]
    assert tables["states"]["rows"][0]["state"] == {"v": 3}
    assert tables["outbox"]["rows"][0]["payload"] == {"text": "hallo"}
    assert tables["staff_drafts"]["rows"][0]["draft"] == {"kind": "event"}
    assert tables["users"]["purpose"].startswith("Damit ich Ihnen antworten kann")


def test_every_registered_table_has_its_german_texts(kb: KnowledgeBase) -> None:
    for table in PERSONAL_DATA:
        for part in ("title", "what", "why"):
            assert kb.texts.values.get(f"export_{table.table}_{part}"), (table.table, part)
        assert kb.texts.values.get(f"export_kept_{table.keep.value}")


async def test_a_closed_rated_case_reads_as_ended_with_its_rating(
    db: SqliteStore, kb: KnowledgeBase
) -> None:
    await fill(db, PARENT)
    async with db._use() as connection:
        await connection.execute(
            "UPDATE cases SET status = 'closed', closed_at = ?, rating = 4",
            ("2026-11-25T23:30:00+00:00",),
        )
    reply = await export(db, kb, Config())
    # 23:30 UTC is already the 26th in Berlin: days are the parent's days.
    assert "beendet am 25.11.2026" not in reply.text
    assert "beendet am 26.11.2026, Ihre Bewertung: 4 von 5" in reply.text
