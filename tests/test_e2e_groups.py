"""End to end: the peer groups with the real bot process against the fake Bot API.

A parent finds a group by her postcode, reads its rules privately, agrees and is in; her first
link there is held for the moderators; a member's report reaches only the moderators; a
moderator mutes her with an audit row; her crisis message reaches her privately and the
moderators, and nothing appears in the group. A moderated group waits for a moderator's tap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.server import SendRefused

PARENT, MEMBER, MODERATOR, WOMAN_MOD = 4711, 4712, 4713, 4714
MODS, BABY, WOMEN = -1001000000001, -1002000000001, -1002000000002
WOMEN_MODS = -1001000000002
CONFIG = f"""
groups:
  moderators_chat_id: {MODS}
  moderators: [{MODERATOR}]
  chats:
    mit-baby-nrw: {BABY}
    nach-gewalt-frauen:
      chat_id: {WOMEN}
      moderators_chat_id: {WOMEN_MODS}
      moderators: [{WOMAN_MOD}]
"""


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(PARENT, first_name="Anna")
        server.user(MEMBER, first_name="Berta")
        server.user(MODERATOR, first_name="Ute")
        server.user(WOMAN_MOD, first_name="Jana")
        server.supergroup("Moderation", [MODERATOR], chat_id=MODS, bot_admin=False)
        server.supergroup("Moderation Frauen", [WOMAN_MOD], chat_id=WOMEN_MODS, bot_admin=False)
        server.supergroup("Allein mit Baby – NRW", [MEMBER, MODERATOR], chat_id=BABY)
        server.supergroup("Frauen nach Gewalt", [WOMAN_MOD], chat_id=WOMEN)
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    process = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", config)
    await process.start()
    yield process
    code = await process.stop()
    log = process.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    assert code == 0, log


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b for row in rows for b in row}


async def join(api: FakeBotAPI, user: int, link: str, title: str) -> None:
    """Open the join link, read the rules privately and agree."""
    assert api.join_by_link(user, link) == "requested"
    rules = await api.wait_for_message(user, lambda m: f"Regeln von „{title}“" in m["text"])
    assert "Ihren Namen aus Telegram, Ihr Profilbild" in rules["text"]
    agree = buttons(rules)["✅ Ich halte mich an die Regeln"]["callback_data"]
    api.press_button(user, rules, agree)


async def find_and_join(api: FakeBotAPI) -> None:
    """Let the parent find the NRW group by her postcode and join it."""
    api.send_command(PARENT, "/gruppen")
    await api.wait_for_message(PARENT, lambda m: "Für welchen Ort" in m["text"], timeout=10)
    api.send_text(PARENT, "33098")
    listing = await api.wait_for_message(PARENT, lambda m: "Gruppen für 33098" in m["text"])
    link = buttons(listing)["Beitreten: Allein mit Baby – NRW"]["url"]
    assert "Frauen nach Gewalt" in listing["text"]  # nationwide, moderated: listed too
    await join(api, PARENT, link, "Allein mit Baby – NRW")
    # The rules message turns into the welcome (edited in place).
    await api.wait_for_message(
        PARENT, lambda m: "Willkommen in „Allein mit Baby" in m["text"], include_existing=True
    )
    assert PARENT in api.members(BABY)
    await api.wait_for_message(BABY, lambda m: "Willkommen in der Gruppe!" in m["text"])


def group_bot_messages(api: FakeBotAPI, chat: int) -> list[str]:
    return [m.get("text", "") for m in api.messages(chat)]


async def test_find_join_hold_report_mute(api: FakeBotAPI, bot: BotProcess, tmp_path: Path) -> None:
    await find_and_join(api)
    before = len(group_bot_messages(api, BABY))

    # Her first link waits for the moderators.
    sent = api.send_text(PARENT, "Schaut mal: https://example.org/tipps", chat=BABY)
    held_id = sent["message"]["message_id"]
    held = await api.wait_for_message(MODS, lambda m: "Gehalten in „Allein mit Baby" in m["text"])
    assert "von Anna" in held["text"]
    assert api.was_deleted(BABY, held_id)
    await api.wait_for_message(PARENT, lambda m: "wartet kurz auf die Moderation" in m["text"])
    api.press_button(MODERATOR, held, buttons(held)["✅ Freigeben"]["callback_data"])
    await api.wait_for_message(BABY, lambda m: "freigegeben – eine Nachricht von Anna" in m["text"])
    assert held["reply_to_message"]["text"] == "Schaut mal: https://example.org/tipps"

    # A member reports a message: only the moderators hear of it.
    target = api.send_text(PARENT, "Das ist doch alles Quatsch hier", chat=BABY)
    target_id = target["message"]["message_id"]
    report = api.send_text(MEMBER, "/melden", chat=BABY, reply_to=target_id)
    alert = await api.wait_for_message(MODS, lambda m: "Meldung aus" in m["text"])
    assert api.message_link(BABY, target_id) in alert["text"]
    await api.wait_for_calls("deleteMessage", 2)
    assert api.was_deleted(BABY, report["message"]["message_id"])
    assert not api.was_deleted(BABY, target_id)

    # A moderator mutes her: restricted, told privately, audited.
    api.send_text(MODERATOR, "/stumm 24h", chat=BABY, reply_to=target_id)
    await api.wait_for_message(MODS, lambda m: "Stummgeschaltet in" in m["text"])
    status = api.member_status(BABY, PARENT)
    assert status["status"] == "restricted"
    assert not status["can_send_messages"]
    assert 23 * 3600 < status["until_date"] - api.now() <= 24 * 3600 + 60
    await api.wait_for_message(
        PARENT, lambda m: "stummgeschaltet" in m["text"], include_existing=True
    )
    with pytest.raises(SendRefused):
        api.send_text(PARENT, "Hallo?", chat=BABY)
    # The group saw nothing of the report or the mute: only the release posted since.
    new = group_bot_messages(api, BABY)[before:]
    assert new == [
        "Schaut mal: https://example.org/tipps",
        "☝️ Von der Moderation freigegeben – eine Nachricht von Anna.",
    ]

    await bot.stop()
    with closing(sqlite3.connect(next((tmp_path / "data").glob("*.sqlite*")))) as db:
        rows = db.execute("SELECT actor_id, role, action, subject FROM audit").fetchall()
    assert (MODERATOR, "moderator", "group_stumm", "group:mit-baby-nrw") in rows
    await bot.start()


async def test_a_crisis_in_the_group_stays_private(api: FakeBotAPI, bot: BotProcess) -> None:
    await find_and_join(api)
    before = len(group_bot_messages(api, BABY))
    # As a reply to the bot's welcome: the parents' handlers would answer that in the group.
    welcome = api.messages(BABY)[-1]["message_id"]
    text = "ich kann nicht mehr, ich will nicht mehr leben"
    sent = api.send_text(PARENT, text, chat=BABY, reply_to=welcome)
    private = await api.wait_for_message(PARENT, lambda m: "0800 111 0 111" in m["text"])
    assert "TelefonSeelsorge" in private["text"]
    alert = await api.wait_for_message(MODS, lambda m: "Mögliche Notlage" in m["text"])
    assert api.message_link(BABY, sent["message"]["message_id"]) in alert["text"]
    assert "privat die Notrufnummern" in alert["text"]
    assert group_bot_messages(api, BABY)[before:] == []


async def test_a_moderated_group_waits_for_a_moderator(api: FakeBotAPI, bot: BotProcess) -> None:
    link = next(i["invite_link"] for i in api.invite_links(WOMEN) if i["creates_join_request"])
    await join(api, PARENT, link, "Frauen nach Gewalt – geschützter Raum")
    await api.wait_for_message(
        PARENT, lambda m: "liegt jetzt bei der Moderation" in m["text"], include_existing=True
    )
    request = await api.wait_for_message(
        WOMEN_MODS, lambda m: "Beitrittsanfrage" in m["text"], include_existing=True
    )
    assert "von Anna" in request["text"]
    # Her request goes to this group's own moderators only, never to the shared chat.
    assert not [m for m in api.messages(MODS) if "Beitrittsanfrage" in m.get("text", "")]
    assert PARENT not in api.members(WOMEN)
    # A moderator of other groups cannot decide, even with the button's data.
    api.press_button(MODERATOR, request, buttons(request)["✅ Aufnehmen"]["callback_data"])
    api.press_button(WOMAN_MOD, request, buttons(request)["✅ Aufnehmen"]["callback_data"])
    await api.wait_for_message(PARENT, lambda m: "hat Sie in „Frauen nach Gewalt" in m["text"])
    assert PARENT in api.members(WOMEN)
    assert len(api.calls("approveChatJoinRequest")) == 1

    # The groups' menus: members see /regeln and /melden, admins the moderators' commands too.
    menus = {
        (c.params["scope"]["type"], c.params["scope"].get("chat_id")): [
            m["command"] for m in c.params["commands"]
        ]
        for c in api.calls("setMyCommands")
        if "scope" in c.params
    }
    assert menus[("chat", WOMEN)] == ["regeln", "melden"]
    assert menus[("chat_administrators", WOMEN)][-3:] == ["verwarnen", "stumm", "entfernen"]


async def test_a_report_by_link_in_the_private_chat(api: FakeBotAPI, bot: BotProcess) -> None:
    api.add_members(BABY, [PARENT])
    target = api.send_text(MEMBER, "Werbung für irgendwas", chat=BABY)["message"]["message_id"]
    link = api.message_link(BABY, target)
    api.send_text(PARENT, f"/melden {link}")
    thanks = await api.wait_for_message(PARENT, lambda m: "Danke für Ihre Meldung" in m["text"])
    assert "Allein mit Baby" in thanks["text"]
    report = await api.wait_for_message(
        MODS, lambda m: "Meldung aus" in m["text"], include_existing=True
    )
    assert link in report["text"]
    assert group_bot_messages(api, BABY) == []  # the group saw nothing at all
    answers = [m["text"] for m in api.messages(PARENT)]
    assert len(answers) == 1, answers  # the thanks only, no „unknown command"
