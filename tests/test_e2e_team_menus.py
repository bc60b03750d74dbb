"""End to end (newcomer D17, D19): the team's menus, help and figures against the fake Bot API.

The bot process registers a command menu per chat; a PTB client reads each back the way
Telegram would show it. Counsellors and staff get their own /hilfe, a group member who is not
a counsellor is told so, and staff read the usage figures with /statistik.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, BotCommandScopeChat

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

PARENT, ANNA, CLARA, PETRA = 4711, 9001, 9003, 7001
# A second staff member who never wrote to the bot: Telegram does not know the chat yet.
NEVER_STARTED = 7000


@dataclass
class World:
    api: FakeBotAPI
    group: dict[str, Any]
    log: Path


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeBotAPI() as api:
        api.user(PARENT, first_name="Mara")
        api.user(ANNA, first_name="Anna Privat")
        api.user(CLARA, first_name="Clara")
        api.user(PETRA, first_name="Petra")
        group = api.forum_group("Beratung", members=[ANNA, CLARA])
        days = "\n".join(
            f"    {d}: '00:00-23:59'" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        )
        config = tmp_path / "config.yaml"
        config.write_text(
            f"counselling:\n  group_id: {group['id']}\n"
            f"  counsellors:\n    - {{id: {ANNA}, name: 'Beraterin Anna'}}\n"
            f"  state: NW\n  office_hours:\n{days}\n"
            f"staff:\n  ids: [{NEVER_STARTED}, {PETRA}]\n",
            encoding="utf-8",
        )
        # The fake knows every chat; Telegram refuses one the bot has never seen. The first
        # menu set is that of the staff member with the lowest id.
        api.fail("setMyCommands", 400, "Bad Request: chat not found", times=1)
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log, config)
        # Ready once the parents' default menu is set: it comes last, after the two staff
        # members' menus (the first refused) and the group's.
        await bot.start()
        yield World(api, group, log)
        assert await bot.stop() == 0, log.read_text(encoding="utf-8")
        text = log.read_text(encoding="utf-8")
        assert "Traceback" not in text, text
        assert "Mara" not in text


async def said(api: FakeBotAPI, chat: int, expect: str) -> str:
    message = await api.wait_for_message(
        chat, lambda m: expect in m.get("text", ""), include_existing=True, timeout=10
    )
    return str(message["text"])


async def test_each_chat_reads_back_its_own_menu(world: World) -> None:
    api = world.api
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as client:
        parents = [c.command for c in await client.get_my_commands()]
        group = [
            c.command
            for c in await client.get_my_commands(scope=BotCommandScopeChat(world.group["id"]))
        ]
        staff = [c.command for c in await client.get_my_commands(scope=BotCommandScopeChat(PETRA))]
        unknown = await client.get_my_commands(scope=BotCommandScopeChat(NEVER_STARTED))
    assert {"start", "themen", "hilfe", "loeschen", "meine_daten"} <= set(parents)
    assert not {"antwort", "faelle", "termin_neu", "statistik"} & set(parents)
    assert group == ["faelle", "antwort", "notiz", "schliessen", "statistik", "hilfe"]
    assert staff[:8] == [
        "termin_neu",
        "termine_verwalten",
        "ankuendigen",
        "fragen",
        "konsole",
        "statistik",
        "abbrechen",
        "hilfe",
    ]
    assert set(parents) <= set(staff)  # staff may use the parents' commands too
    assert unknown == ()  # refused: the bot started all the same
    log = world.log.read_text(encoding="utf-8")
    assert log.count("command menu for") == 1
    assert (
        f"command menu for staff member {NEVER_STARTED} not set (Telegram: Chat not found)" in log
    )


async def test_help_per_role(world: World) -> None:
    api, group = world.api, world.group["id"]
    api.send_command(ANNA, "/hilfe", chat=group)
    help_text = await said(api, group, "So arbeiten Sie als Beraterin")
    assert "/antwort – im Thema eines Falls" in help_text
    assert "/loeschen" not in help_text
    api.send_command(CLARA, "/hilfe", chat=group)
    await said(api, group, "Die Befehle hier sind für die eingetragenen Beraterinnen.")
    api.send_command(PETRA, "/hilfe")
    staff_help = await said(api, PETRA, "Für das Team von Elternlotse")
    assert "/termin_neu – legt Schritt für Schritt einen Termin" in staff_help
    assert "/statistik – Zahlen der letzten 30 Tage" in staff_help
    await said(api, PETRA, "So funktioniert Elternlotse")
    api.send_command(PARENT, "/hilfe")
    await said(api, PARENT, "So funktioniert Elternlotse")
    assert not [m for m in api.messages(PARENT) if "Für das Team" in m.get("text", "")]


async def test_staff_read_the_usage_figures(world: World) -> None:
    api = world.api
    api.send_text(PARENT, "Wie viel Kindergeld bekomme ich?")
    answer = await api.wait_for_message(
        PARENT, lambda m: "259 €" in m.get("text", ""), include_existing=True, timeout=10
    )
    rows = answer.get("reply_markup", {}).get("inline_keyboard", [])
    helpful = next(b["callback_data"] for row in rows for b in row if "👍" in b["text"])
    api.press_button(PARENT, answer, helpful)
    await said(api, PARENT, "Danke für Ihre Rückmeldung")
    api.send_text(PARENT, "Xylophon Quantenphysik, schreiben Sie an mara.m@example.org")
    await said(api, PARENT, "Dazu habe ich leider keine passende Antwort")

    api.send_command(PETRA, "/statistik")
    report = await said(api, PETRA, "📊 Nutzung der letzten 30 Tage")
    assert "Antworten: 1 · keine passende Antwort: 1" in report
    assert "Bewertungen der Antworten: 👍 1 · 👎 0" in report
    assert "Gespeicherte Fragen ohne Antwort (ohne Namen und Adressen): 1" in report
    # „Xylophon" is rare in German and in no entry: the redaction masks it like a surname.
    assert "„[Name] Quantenphysik, schreiben Sie an [E-Mail]“" in report
    assert "mara" not in report
    assert "Beratungsfälle:\nFälle der letzten 30 Tage: 0" in report
