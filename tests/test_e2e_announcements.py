"""End to end: staff announce an expert chat, parents subscribe, register, get reminded and in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

STAFF, PARENT, LATE, STRANGER = 77, 4711, 4712, 4713
BERLIN = ZoneInfo("Europe/Berlin")
TITLE = "Unterhalt – Fragen an eine Fachanwältin"
# The reminder and the invite fall due this long after the test starts.
DUE_AFTER = timedelta(seconds=40)


@dataclass
class World:
    api: FakeBotAPI
    group: dict[str, Any]
    start: datetime


def buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def press(api: FakeBotAPI, user: int, label: str, seconds: float = 10) -> dict[str, Any]:
    """Press the button whose label contains `label` on the newest message showing it."""
    found = await api.wait_for_message(
        user,
        lambda m: any(label in text for text in buttons(m)),
        timeout=seconds,
        include_existing=True,
    )
    data = next(d for text, d in buttons(found).items() if label in text)
    api.press_button(user, found, data)
    return found


async def reply_to(api: FakeBotAPI, user: int, text: str, expect: str) -> dict[str, Any]:
    """Send a text and wait for the bot's message containing `expect`."""
    before = len(api.messages(user))
    api.send_text(user, text)
    return await api.wait_for_message(
        user,
        lambda m: expect in m.get("text", "") and api.messages(user).index(m) >= before,
        timeout=10,
        include_existing=True,
    )


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    start: datetime,
    announcements: str,
    people: dict[int, str],
    private: tuple[str, ...],
) -> AsyncIterator[World]:
    """Run the bot with one staff member against the fake; check its log when it stops.

    Args:
        tmp_path: Where the config, data and log go.
        start: When the test's event starts.
        announcements: The config's `announcements:` lines.
        people: User ids and first names the fake knows.
        private: Words that must not be in the log (besides names and the token).

    """
    async with FakeBotAPI() as api:
        for user, name in people.items():
            api.user(user, first_name=name)
        group = api.supergroup("Expertenchat Unterhalt")
        config = tmp_path / "config.yaml"
        config.write_text(
            f"staff:\n  ids: [{STAFF}]\nannouncements:\n{announcements}", encoding="utf-8"
        )
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log, config)
        await bot.start()
        yield World(api, group, start)
        assert await bot.stop() == 0, log.read_text(encoding="utf-8")
        text = log.read_text(encoding="utf-8")
        assert "Traceback" not in text, text
        for word in (*people.values(), *private, api.token):
            assert word not in text  # no personal data, no message text, no token


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    now = datetime.now(BERLIN)
    start = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    lead = int((start - (now + DUE_AFTER)).total_seconds())
    people = {STAFF: "Sabine Team", PARENT: "Mara", LATE: "Lena", STRANGER: "Fremd"}
    lines = f"  reminders: ['{lead}s']\n  invite_before: {lead}s\n"
    async with running_bot(
        tmp_path, start, lines, people, ("Sabine", "Kindergeld beim Unterhalt")
    ) as world:
        yield world


async def create_event(world: World) -> None:
    """Staff create the expert chat through the dialogue."""
    api = world.api
    await answer_until_group(world)
    await reply_to(api, STAFF, str(world.group["id"]), TITLE)
    await press(api, STAFF, "Bestätigen")
    await api.wait_for_message(
        STAFF, lambda m: "Nr. 1 ist angelegt" in m.get("text", ""), timeout=10
    )


async def answer_until_group(world: World) -> None:
    """Start /termin_neu and answer every question before the protected chat's."""
    api = world.api
    api.send_command(STAFF, "/termin_neu")
    await api.wait_for_message(
        STAFF, lambda m: "Wie heißt" in m.get("text", ""), include_existing=True
    )
    await reply_to(api, STAFF, TITLE, "Wann beginnt")
    await reply_to(api, STAFF, world.start.strftime("%d.%m.%Y %H:%M"), "Wie lange")
    await reply_to(api, STAFF, "60", "Zu welchem Thema")
    await press(api, STAFF, "Recht")
    await api.wait_for_message(
        STAFF, lambda m: "Beschreiben" in m.get("text", ""), include_existing=True
    )
    await reply_to(api, STAFF, "Eine Fachanwältin beantwortet Fragen zum Unterhalt.", "Wo findet")
    await reply_to(api, STAFF, "Online, Link folgt", "geschützter Expertenchat")


async def announce_event(world: World) -> dict[str, Any]:
    """Staff announce the event to its category; the subscribed parent receives it."""
    api = world.api
    api.send_command(STAFF, "/ankuendigen")
    await press(api, STAFF, "Termin ankündigen")
    await press(api, STAFF, "Nr. 1:")
    await press(api, STAFF, "Weiter")
    await press(api, STAFF, "Senden")
    return await api.wait_for_message(
        PARENT, lambda m: TITLE in m.get("text", "") and "Abbestellen" in buttons(m), timeout=15
    )


async def test_staff_announce_and_parents_get_reminded_and_in(world: World) -> None:
    api = world.api
    api.send_command(PARENT, "/abo")
    await press(api, PARENT, "Recht")
    await api.wait_for_message(
        PARENT, lambda m: "✅ Recht" in buttons(m), include_existing=True, timeout=10
    )
    await create_event(world)
    announcement = await announce_event(world)

    api.press_button(PARENT, announcement, buttons(announcement)["🔔 Erinnere mich"])
    await api.wait_for_message(PARENT, lambda m: "erinnere Sie" in m.get("text", ""), timeout=10)
    api.press_button(PARENT, announcement, buttons(announcement)["✅ Anmelden"])
    await api.wait_for_message(PARENT, lambda m: "angemeldet" in m.get("text", ""), timeout=10)
    api.press_button(PARENT, announcement, buttons(announcement)["📅 In den Kalender"])
    await api.wait_for_calls("sendDocument", 1, timeout=10)
    upload = api.calls("sendDocument")[-1].params["document"]
    calendar = vobject.readOne(upload.data.decode("utf-8"))
    start = calendar.vevent.dtstart.value
    assert start == world.start
    assert start.utcoffset() == world.start.utcoffset()
    assert calendar.vtimezone.tzid.value == "Europe/Berlin"

    api.press_button(PARENT, announcement, buttons(announcement)["❓ Frage vorab stellen"])
    await api.wait_for_message(
        PARENT, lambda m: "Schreiben Sie jetzt" in m.get("text", ""), timeout=10
    )
    await reply_to(api, PARENT, "Zählt das Kindergeld beim Unterhalt?", "angekommen")
    await reply_to(api, STAFF, "/fragen 1", "Zählt das Kindergeld beim Unterhalt?")

    reminder = await api.wait_for_message(
        PARENT, lambda m: "Erinnerung" in m.get("text", ""), timeout=60
    )
    assert TITLE in reminder["text"]
    invite = await api.wait_for_message(
        PARENT,
        lambda m: "persönlicher Zugang" in m.get("text", ""),
        include_existing=True,
        timeout=30,
    )
    link = next(w for w in invite["text"].split() if w.startswith("https://t.me/+"))
    # The link asks to join; the bot lets in the registered parent only (newcomer D6).
    assert api.join_by_link(PARENT, link) == "requested"
    await api.wait_for_calls("approveChatJoinRequest", 1, timeout=10)
    assert api.join_by_link(STRANGER, link) == "requested"  # a forwarded link
    await api.wait_for_calls("declineChatJoinRequest", 1, timeout=10)

    api.send_command(LATE, "/termine")
    await press(api, LATE, "Anmelden")
    await api.wait_for_message(
        LATE, lambda m: "persönlicher Zugang" in m.get("text", ""), timeout=15
    )
    api.request_join(LATE, world.group)
    api.request_join(STRANGER, world.group)
    await api.wait_for_calls("declineChatJoinRequest", 2, timeout=10)
    await api.wait_for_calls("approveChatJoinRequest", 2, timeout=10)
    assert api.members(world.group) >= {PARENT, LATE}
    assert STRANGER not in api.members(world.group)


async def test_non_staff_cannot_run_staff_commands(world: World) -> None:
    api = world.api
    for command in ("/termin_neu", "/termine_verwalten", "/ankuendigen", "/fragen 1"):
        api.send_command(STRANGER, command)
        await api.wait_for_message(
            STRANGER, lambda m: "nur für das Team" in m.get("text", ""), timeout=10
        )
    api.press_button(STRANGER, {"message_id": 1, "chat": {"id": STRANGER}}, "1:z:c:1.abcdef")
    api.send_command(STAFF, "/termine_verwalten")
    await api.wait_for_message(
        STAFF, lambda m: "Termine" in m.get("text", "") or "keine" in m.get("text", "")
    )
    assert not api.calls("createChatInviteLink")


async def test_a_cancellation_reaches_registered_parents(world: World) -> None:
    api = world.api
    await create_event(world)
    api.send_command(PARENT, "/termine")
    await press(api, PARENT, "Anmelden")
    await api.wait_for_message(PARENT, lambda m: "angemeldet" in m.get("text", ""), timeout=10)
    answer = await reply_to(api, PARENT, "Wann ist der nächste Expertenchat?", TITLE)
    assert "Die nächsten Termine" in answer["text"]
    api.send_command(STAFF, "/termine_verwalten")
    await press(api, STAFF, "absagen")
    await press(api, STAFF, "Ja, absagen")
    await api.wait_for_message(
        PARENT, lambda m: "fällt leider aus" in m.get("text", ""), timeout=15
    )
    api.send_command(PARENT, "/termine")
    await api.wait_for_message(PARENT, lambda m: "keine Termine" in m.get("text", ""), timeout=10)
