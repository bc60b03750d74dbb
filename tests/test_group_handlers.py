"""The peer groups' handlers through a real PTB Application and an offline request.

What end-to-end tests cannot easily reach: edited messages (a newcomer's link added by editing
is held; every other edit is dropped before any handler), commands with the bot's name, and
service messages — each as the update Telegram sends.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.config import Config, GroupChatConfig, GroupsConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.storage.memory import MemoryStore
from handlers.app import BotApp, build_application
from tests.offline import BOT_USER, RecordingRequest

GROUP, MODS = -1002001, -1001000
MEMBER = {"id": 500, "is_bot": False, "first_name": "Mia"}
MODERATOR_ID = 7
MODERATOR: dict[str, Any] = {"id": MODERATOR_ID, "is_bot": False, "first_name": "Ute"}
_ids = itertools.count(1)


def group_message(text: str, sender: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": GROUP, "type": "supergroup", "title": "Austausch"},
        "from": sender,
        "text": text,
        **extra,
    }


@pytest.fixture
async def app(kb: KnowledgeBase) -> AsyncIterator[tuple[BotApp, RecordingRequest]]:
    chats = {"austausch-online": GroupChatConfig(GROUP)}
    groups = GroupsConfig(MODS, frozenset({MODERATOR_ID}), chats)
    config = Config(token="123456:TESTTOKEN", groups=groups)
    request = RecordingRequest()
    # A dialogue of its own: the start binds the groups' board to it (the shared one would
    # then offer „Gruppen finden" in every later test's menu).
    dialogue = Dialogue(kb, config)
    application = build_application(config, dialogue, MemoryStore(), request=request)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        yield application, request
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


async def feed(app: BotApp, raw: dict[str, Any]) -> None:
    await app.process_update(Update.de_json({"update_id": next(_ids), **raw}, app.bot))


async def test_a_newcomers_link_added_by_an_edit_is_held(
    app: tuple[BotApp, RecordingRequest],
) -> None:
    application, request = app
    joined = group_message("", MEMBER, new_chat_members=[MEMBER])
    del joined["text"]
    await feed(application, {"message": joined})
    assert any("Willkommen in der Gruppe!" in p["text"] for p in request.sent())
    sent = group_message("hallo", MEMBER)
    await feed(application, {"message": sent})
    assert request.sent("copyMessage") == []
    edited = {**sent, "text": "hallo https://example.org", "edit_date": int(time.time())}
    edited["entities"] = [{"type": "url", "offset": 6, "length": 19}]
    await feed(application, {"edited_message": edited})
    (copied,) = request.sent("copyMessage")
    assert int(copied["chat_id"]) == MODS
    assert {"chat_id": GROUP, "message_id": sent["message_id"]}.items() <= {
        "chat_id": int(request.sent("deleteMessage")[-1]["chat_id"]),
        "message_id": int(request.sent("deleteMessage")[-1]["message_id"]),
    }.items()


async def test_edits_elsewhere_reach_no_handler(
    app: tuple[BotApp, RecordingRequest],
) -> None:
    application, request = app
    before = len(request.calls)
    private = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "edit_date": int(time.time()),
        "chat": {"id": 4711, "type": "private", "first_name": "Anna"},
        "from": {"id": 4711, "is_bot": False, "first_name": "Anna"},
        "text": "Wie hoch ist das Kindergeld?",
    }
    await feed(application, {"edited_message": private})
    assert request.calls[before:] == []


async def test_a_moderators_command_with_the_bots_name_works(
    app: tuple[BotApp, RecordingRequest],
) -> None:
    application, request = app
    target = group_message("Quatsch", MEMBER)
    command = f"/stumm@{BOT_USER['username']} 2h"
    message = group_message(command, MODERATOR, reply_to_message=target)
    message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.split()[0])}]
    await feed(application, {"message": message})
    (muted,) = request.sent("restrictChatMember")
    assert int(muted["user_id"]) == MEMBER["id"]
    assert int(request.sent("deleteMessage")[-1]["message_id"]) == message["message_id"]
    # Nothing answered in the group itself: only the moderators' chat and her private chat.
    assert {int(p["chat_id"]) for p in request.sent()} <= {MODS, MEMBER["id"]}


async def test_moderators_get_their_own_help(app: tuple[BotApp, RecordingRequest]) -> None:
    application, request = app
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": MODS, "type": "supergroup", "title": "Moderation"},
        "from": MODERATOR,
        "text": "/hilfe",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    await feed(application, {"message": message})
    (sent,) = request.sent()[-1:]
    assert int(sent["chat_id"]) == MODS
    assert "Hilfe für die Moderation" in sent["text"]


async def test_a_message_link_alone_in_the_private_chat_is_a_report(
    app: tuple[BotApp, RecordingRequest],
) -> None:
    application, request = app
    private = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": 4711, "type": "private", "first_name": "Anna"},
        "from": {"id": 4711, "is_bot": False, "first_name": "Anna"},
        "text": f"https://t.me/c/{str(GROUP).removeprefix('-100')}/42",
    }
    await feed(application, {"message": private})
    answers = [p["text"] for p in request.sent() if int(p["chat_id"]) == 4711]
    assert len(answers) == 1
    assert "Danke für Ihre Meldung" in answers[0]
    assert any("Meldung aus" in p["text"] for p in request.sent() if int(p["chat_id"]) == MODS)
