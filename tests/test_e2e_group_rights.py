"""End to end (issue 17): a protected chat where the bot may not invite users.

Against the fake Bot API: /termin_neu refuses such a group with one line and asks again; a right
lost after the event was created tells the parent the truth and staff once, with the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.test_e2e_announcements import (
    PARENT,
    STAFF,
    STRANGER,
    TITLE,
    World,
    answer_until_group,
    create_event,
    press,
    reply_to,
    running_bot,
)

BERLIN = ZoneInfo("Europe/Berlin")
GROUP_TITLE = "Expertenchat Unterhalt"  # the fake's group in running_bot


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Run the bot with one staff member; invites are due an hour ahead, so at once here."""
    start = (datetime.now(BERLIN) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    people = {STAFF: "Sabine Team", PARENT: "Jana", STRANGER: "Kemal"}
    async with running_bot(tmp_path, start, "  invite_before: 1h\n", people, ()) as world:
        yield world


def texts_to(world: World, user: int) -> list[str]:
    return [m.get("text", "") for m in world.api.messages(user)]


async def test_the_group_step_refuses_a_group_where_the_bot_may_not_invite(world: World) -> None:
    api, group = world.api, world.group
    api.make_admin(group, can_invite_users=False)
    await answer_until_group(world)

    refused = await reply_to(api, STAFF, str(group["id"]), "Nutzer einladen")
    assert refused["text"].startswith(f"In der Gruppe „{GROUP_TITLE}“ fehlt dem Bot das Recht")
    await api.wait_for_message(
        STAFF, lambda m: "geschützter Expertenchat" in m.get("text", ""), include_existing=True
    )  # the question again
    assert not [t for t in texts_to(world, STAFF) if "Bitte prüfen Sie den Termin" in t]

    api.remove_admin(group)
    not_admin = await reply_to(api, STAFF, str(group["id"]), "kein Administrator")
    assert GROUP_TITLE in not_admin["text"]

    api.make_admin(group)
    preview = await reply_to(api, STAFF, str(group["id"]), "Bitte prüfen Sie den Termin")
    assert f"Geschützter Chat: „{GROUP_TITLE}“ ({group['id']})" in preview["text"]


def told(message: dict[str, Any]) -> bool:
    return "konnte ich leider nicht erstellen" in message.get("text", "")


async def test_a_right_lost_later_is_told_to_the_parents_and_once_to_staff(world: World) -> None:
    """Before: „Ihren persönlichen Zugang schicke ich Ihnen …", then nothing, and nobody knew."""
    api = world.api
    await create_event(world)
    api.make_admin(world.group, can_invite_users=False)  # someone took the right away

    for parent in (PARENT, STRANGER):
        api.send_command(parent, "/termine")
        await press(api, parent, "Anmelden")
        message = await api.wait_for_message(parent, told, timeout=15)
        assert TITLE in message["text"]
        assert "Das Team ist informiert" in message["text"]
        assert "t.me/+" not in "".join(texts_to(world, parent))

    await api.wait_for_message(
        STAFF, lambda m: m.get("text", "").startswith("⚠️ Termin Nr. 1"), include_existing=True
    )
    alerts = [t for t in texts_to(world, STAFF) if t.startswith("⚠️ Termin Nr. 1")]
    assert len(alerts) == 1  # one per event, not one per parent
    assert f"„{TITLE}“" in alerts[0]
    assert "not enough rights" in alerts[0].lower()
    assert "Nutzer einladen" in alerts[0]
    assert not api.invite_links(world.group)
