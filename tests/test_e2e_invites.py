"""End to end (newcomer D6, D35, D38): personal links, moved and cancelled events, formatting.

Against the fake Bot API: links that ask to join, renewed and revoked; a moved event told with
„vorher → jetzt" and the calendar; a formatted announcement with its link button.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject

from bot.announcements.model import WEEKDAYS
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_announcements import (
    PARENT,
    STAFF,
    STRANGER,
    TITLE,
    World,
    buttons,
    create_event,
    press,
    reply_to,
    running_bot,
)

BERLIN = ZoneInfo("Europe/Berlin")
INVITE_TEXT = "persönlicher Zugang"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Run the bot with one staff member; invites are due an hour ahead, so at once here."""
    start = (datetime.now(BERLIN) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    people = {STAFF: "Sabine Team", PARENT: "Jana", STRANGER: "Kemal"}
    async with running_bot(tmp_path, start, "  invite_before: 1h\n", people, ("t.me/+",)) as world:
        yield world


def link_in(message: dict[str, Any]) -> str:
    return next(w for w in message["text"].split() if w.startswith("https://t.me/+"))


async def next_invite(api: FakeBotAPI, user: int, seen: int) -> str:
    """Wait for the invite after the first `seen` ones and return its link."""

    def fresh(message: dict[str, Any]) -> bool:
        invites = [m for m in api.messages(user) if INVITE_TEXT in m.get("text", "")]
        return INVITE_TEXT in message.get("text", "") and invites.index(message) >= seen

    return link_in(await api.wait_for_message(user, fresh, timeout=15, include_existing=True))


def revoked(api: FakeBotAPI, world: World) -> dict[str, bool]:
    return {i["invite_link"]: i["is_revoked"] for i in api.invite_links(world.group)}


def short(moment: datetime) -> str:
    return f"{WEEKDAYS[moment.weekday()]} {moment:%d.%m.}, {moment:%H:%M} Uhr"


async def test_links_are_personal_renewed_and_revoked_and_a_move_is_told(world: World) -> None:
    api = world.api
    await create_event(world)
    api.send_command(PARENT, "/termine")
    await press(api, PARENT, "Anmelden")
    first = await next_invite(api, PARENT, 0)
    (created,) = api.calls("createChatInviteLink")
    assert created.params.get("creates_join_request") in (True, "true")
    assert "member_limit" not in created.params

    # A forwarded link lets no one else in: the stranger's request is declined.
    assert api.join_by_link(STRANGER, first) == "requested"
    await api.wait_for_calls("declineChatJoinRequest", 1, timeout=10)
    assert STRANGER not in api.members(world.group)

    # „Abmelden" revokes her link; „Anmelden" again brings a new one at once (D6).
    await press(api, PARENT, "Abmelden")
    await api.wait_for_calls("revokeChatInviteLink", 1, timeout=10)
    assert revoked(api, world) == {first: True}
    await press(api, PARENT, "Anmelden")
    await api.wait_for_message(
        PARENT, lambda m: "schicke ich Ihnen gleich" in m.get("text", ""), timeout=10
    )
    second = await next_invite(api, PARENT, 1)
    assert second != first
    assert api.join_by_link(PARENT, second) == "requested"
    await api.wait_for_calls("approveChatJoinRequest", 1, timeout=10)
    assert PARENT in api.members(world.group)

    # Staff move the event by half an hour: „vorher → jetzt" and the calendar (D35).
    moved = world.start + timedelta(minutes=30)
    api.send_command(STAFF, "/termine_verwalten")
    await press(api, STAFF, "Nr. 1 bearbeiten")
    await press(api, STAFF, "Beginn")
    await api.wait_for_message(STAFF, lambda m: "Bisher:" in m.get("text", ""), timeout=10)
    change = await reply_to(api, STAFF, moved.strftime("%d.%m.%Y %H:%M"), "→")
    api.press_button(STAFF, change, buttons(change)["✅ Bestätigen"])
    notice = await api.wait_for_message(
        PARENT, lambda m: "geändert" in m.get("text", ""), timeout=15
    )
    assert f"vorher: {short(world.start)} → jetzt: {short(moved)}" in notice["text"]
    api.press_button(PARENT, notice, buttons(notice)["📅 In den Kalender"])
    await api.wait_for_calls("sendDocument", 1, timeout=10)
    upload = api.calls("sendDocument")[-1].params["document"]
    entry = vobject.readOne(upload.data.decode("utf-8")).vevent
    assert entry.dtstart.value == moved
    assert entry.sequence.value == "1"
    await api.wait_for_calls("revokeChatInviteLink", 2, timeout=10)  # the old time's link
    third = await next_invite(api, PARENT, 2)  # and a new one for the new time (due at once)

    # Cancelled: every link of the event is revoked.
    api.send_command(STAFF, "/termine_verwalten")
    await press(api, STAFF, "Nr. 1 absagen")
    question = await api.wait_for_message(STAFF, lambda m: "Wirklich" in m.get("text", ""))
    api.press_button(STAFF, question, buttons(question)["Ja, absagen"])
    await api.wait_for_message(PARENT, lambda m: "fällt" in m.get("text", ""), timeout=15)
    await api.wait_for_calls("revokeChatInviteLink", 3, timeout=10)
    assert revoked(api, world) == {first: True, second: True, third: True}
    assert TITLE in notice["text"]


ANNOUNCEMENT = (
    "Liebe Eltern, die Geschäftsstelle ist vom 23.12. bis 2.1. geschlossen. "
    'Frohe Feiertage! <b>Ihr VAMV</b> – <a href="https://www.vamv.de/termine">alle Termine</a>\n'
    "Knopf: Programm 2027 | https://www.vamv.de/programm"
)
SHOWN = (
    "Liebe Eltern, die Geschäftsstelle ist vom 23.12. bis 2.1. geschlossen. "
    "Frohe Feiertage! Ihr VAMV – alle Termine"
)


def styled(message: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """Return a message's entities as (type, the text they cover, url)."""
    text = message["text"]
    return [
        (e["type"], text[e["offset"] : e["offset"] + e["length"]], e.get("url"))
        for e in message.get("entities", [])
    ]


def url_buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["url"] for row in rows for b in row if "url" in b}


async def test_a_formatted_announcement_arrives_formatted_with_its_link_button(
    world: World,
) -> None:
    """Newcomer D38: „<b>Ihr VAMV</b>" arrived with the tags shown, no link button."""
    api = world.api
    api.send_command(PARENT, "/abo")
    await press(api, PARENT, "Recht")
    await api.wait_for_message(
        PARENT, lambda m: "✅ Recht" in buttons(m), include_existing=True, timeout=10
    )
    api.send_command(STAFF, "/ankuendigen")
    await press(api, STAFF, "Freier Text")
    await api.wait_for_message(STAFF, lambda m: "Knopf:" in m.get("text", ""), timeout=10)
    refused = await reply_to(api, STAFF, "Frohe Feiertage! <u>Ihr VAMV</u>", "<u>")
    assert "kann ich nicht verschicken" in refused["text"]
    await reply_to(api, STAFF, ANNOUNCEMENT, "Wer soll")
    await press(api, STAFF, "Recht")
    await press(api, STAFF, "Weiter")
    controls = await api.wait_for_message(
        STAFF, lambda m: "Sie geht an 1 Person:" in m.get("text", ""), timeout=10
    )
    preview = api.messages(STAFF)[api.messages(STAFF).index(controls) - 1]
    expected = [
        ("bold", "Ihr VAMV", None),
        ("text_link", "alle Termine", "https://www.vamv.de/termine"),
    ]
    assert preview["text"] == SHOWN
    assert styled(preview) == expected
    api.press_button(STAFF, controls, buttons(controls)["📣 Senden"])

    got = await api.wait_for_message(PARENT, lambda m: "Feiertage" in m.get("text", ""))
    assert got["text"] == SHOWN  # no tags shown
    assert styled(got) == expected
    assert url_buttons(got) == {"Programm 2027": "https://www.vamv.de/programm"}
    labels = [b["text"] for row in got["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Programm 2027", "Abbestellen"]
    (sent,) = [
        c
        for c in api.calls("sendMessage")
        if c.params.get("chat_id") in (PARENT, str(PARENT))
        and "Feiertage" in str(c.params.get("text"))
    ]
    assert sent.params["parse_mode"] == "HTML"
    await api.wait_for_message(STAFF, lambda m: "ist fertig" in m.get("text", ""), timeout=15)
    assert not [m for m in api.messages(STAFF) if "% erledigt" in m.get("text", "")]
