"""End to end: the counsellors' outbox survives a deleted topic, a 429 and `kill -9`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

PARENT_ID, ANNA_ID = 4711, 9001


class World:
    """A forum group with one counsellor, and the bot as a process that can be killed."""

    def __init__(self, api: FakeBotAPI, tmp_path: Path) -> None:
        self.api, self.tmp = api, tmp_path
        self.group = api.forum_group("Beratung", members=[ANNA_ID])
        self.config = tmp_path / "config.yaml"
        days = "\n".join(f"    {d}: '00:00-23:59'" for d in ("mon", "tue", "wed", "thu", "fri"))
        self.config.write_text(
            f"counselling:\n  group_id: {self.group['id']}\n"
            f"  counsellors:\n    - {{id: {ANNA_ID}, name: 'Beraterin Anna'}}\n"
            f"  state: NW\n  office_hours:\n{days}\n",
            encoding="utf-8",
        )
        self.bot = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", self.config)

    async def open_case(self) -> int:
        """Request a case as the parent; return the topic's thread id."""
        self.api.send_command(PARENT_ID, "/beratung")
        consent = await self.api.wait_for_message(
            PARENT_ID, lambda m: "Telegram-Namen" in m["text"], include_existing=True
        )
        self.api.press_button(PARENT_ID, consent, "1:a:s")
        await self.api.wait_for_message(
            self.group["id"], lambda m: "Neue Anfrage #1" in m["text"], include_existing=True
        )
        (topic,) = self.api.topics(self.group["id"])
        return int(topic["message_thread_id"])

    async def arrives(self, text: str, thread: int | None = None) -> dict[str, Any]:
        return await self.api.wait_for_message(
            self.group["id"],
            lambda m: m.get("text") == text,
            thread_id=thread,
            include_existing=True,
            timeout=40,
        )

    def count(self, text: str) -> int:
        return sum(1 for m in self.api.messages(self.group["id"]) if m.get("text") == text)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeBotAPI() as api:
        api.user(PARENT_ID, first_name="Mara")
        api.user(ANNA_ID, first_name="Anna Privat")
        world = World(api, tmp_path)
        await world.bot.start()
        yield world
        assert await world.bot.stop() == 0
        text = world.bot.log.read_text(encoding="utf-8")
        assert "Traceback" not in text, text
        assert "Mara" not in text


async def test_a_deleted_topic_is_recreated_and_nothing_is_lost(world: World) -> None:
    thread = await world.open_case()
    world.api.delete_topic(world.group["id"], thread)
    world.api.send_text(PARENT_ID, "Sind Sie noch da?")
    found = await world.arrives("Sind Sie noch da?")
    assert found["message_thread_id"] != thread
    topics = [t for t in world.api.topics(world.group["id"]) if not t.get("is_deleted")]
    assert [t["message_thread_id"] for t in topics] == [found["message_thread_id"]]
    assert world.count("Sind Sie noch da?") == 1


async def test_a_429_on_the_group_delays_but_keeps_order(world: World) -> None:
    thread = await world.open_case()
    world.api.fail("copyMessage", 429, retry_after=1, times=6, chat_id=world.group["id"])
    for n in range(3):
        world.api.send_text(PARENT_ID, f"Nachricht {n}")
    await world.arrives("Nachricht 2", thread)
    texts = [m.get("text") for m in world.api.messages(world.group["id"], thread)]
    relayed = [t for t in texts if t and t.startswith("Nachricht")]
    assert relayed == ["Nachricht 0", "Nachricht 1", "Nachricht 2"]


async def test_kill_9_mid_case_loses_no_message(world: World) -> None:
    thread = await world.open_case()
    world.api.fail("copyMessage", 500, times=None, chat_id=world.group["id"])
    world.api.send_text(PARENT_ID, "Bitte melden Sie sich.")
    await world.api.wait_for_calls("copyMessage", 1, timeout=30)
    await world.bot.kill()
    world.api.clear_faults()
    await world.bot.start()
    await world.arrives("Bitte melden Sie sich.", thread)
    world.api.send_text(PARENT_ID, "Danke!")
    await world.arrives("Danke!", thread)
    assert world.count("Bitte melden Sie sich.") == 1
