"""End to end: broadcasts from the real bot process through 429s, blocks, 5xx and SIGKILL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.announcements.model import Category
from bot.storage.sqlite import open_store
from tests.botprocess import BotProcess
from tests.broadcasting import delivered, paid_broadcast_config, seed_broadcast
from tests.fakebotapi import FakeBotAPI

STAFF = 77
FIRST = 500_000
COUNT = 500
CONCURRENCY = 16
MONEY = frozenset({Category.MONEY})


SUBSCRIBERS = range(FIRST, FIRST + COUNT)
EVERYONE = range(FIRST, FIRST + COUNT + 1)  # with the bystander of another category


async def seed(data_dir: Path) -> None:
    """Write 500 subscribers and one broadcast to them (as if staff had confirmed it)."""
    text = "Neuer Expertenchat: Unterhalt"
    await seed_broadcast(data_dir, SUBSCRIBERS, MONEY, STAFF, text, bystander=FIRST + COUNT)


def write_config(path: Path, rate: int) -> Path:
    return paid_broadcast_config(path, STAFF, rate, CONCURRENCY)


async def wait_until(check: Callable[[], bool], seconds: float = 60.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110 - polls the fake server's state
            await asyncio.sleep(0.05)


def assert_clean(log: Path) -> None:
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text
    assert "Neuer Expertenchat" not in text  # no message content in the log


async def subscriptions_of(data_dir: Path, users: list[int]) -> list[frozenset[Category]]:
    store = open_store(data_dir)
    await store.open()
    try:
        return [await store.subscriptions(u) for u in users]
    finally:
        await store.close()


async def test_a_broadcast_survives_429_403_and_5xx(tmp_path: Path) -> None:
    data = tmp_path / "data"
    blocked = list(range(FIRST, FIRST + COUNT, 50))  # 10 recipients blocked the bot
    flaky = [FIRST + 7, FIRST + 8, FIRST + 9]
    await seed(data)
    async with FakeBotAPI() as api:
        api.users(range(FIRST, FIRST + COUNT + 1))
        api.user(STAFF, first_name="Staff")
        for user in blocked:
            api.block(user)
        for user in flaky:
            api.fail("sendMessage", 502, times=2, chat_id=user)
        api.fail("sendMessage", 500, times=3)
        api.fail("sendMessage", 429, retry_after=1, times=2)
        bot = BotProcess(api, data, tmp_path / "bot.log", write_config(tmp_path / "c.yaml", 200))
        await bot.start()
        await wait_until(
            lambda: any("ist fertig" in m.get("text", "") for m in api.messages(STAFF)),
            seconds=90,
        )
        got = delivered(api, EVERYONE)
        await bot.stop()
    expected = set(range(FIRST, FIRST + COUNT)) - set(blocked)
    assert set(got) == expected
    assert set(got.values()) == {1}  # nobody twice: a failed request delivered nothing
    report = next(m["text"] for m in api.messages(STAFF) if "ist fertig" in m["text"])
    assert f"Zugestellt: {COUNT - len(blocked)}" in report
    assert f"Chat weg: {len(blocked)}" in report
    assert "Fehlgeschlagen: 0" in report
    progress = [m for m in api.messages(STAFF) if "% erledigt" in m.get("text", "")]
    assert len(progress) == 9
    assert await subscriptions_of(data, blocked[:2]) == [frozenset(), frozenset()]
    assert await subscriptions_of(data, [FIRST + 1]) == [MONEY]
    assert_clean(tmp_path / "bot.log")


async def test_sigkill_mid_broadcast_loses_nobody(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await seed(data)
    async with FakeBotAPI() as api:
        api.users(range(FIRST, FIRST + COUNT + 1))
        api.user(STAFF, first_name="Staff")
        bot = BotProcess(api, data, tmp_path / "bot.log", write_config(tmp_path / "c.yaml", 60))
        await bot.start()
        await wait_until(lambda: len(delivered(api, EVERYONE)) >= COUNT // 3)
        await bot.kill()
        await bot.start()
        await wait_until(lambda: len(delivered(api, EVERYONE)) >= COUNT, seconds=90)
        await wait_until(
            lambda: any("ist fertig" in m.get("text", "") for m in api.messages(STAFF))
        )
        got = delivered(api, EVERYONE)
        await bot.stop()
    assert set(got) == set(range(FIRST, FIRST + COUNT))
    assert max(got.values()) <= 2
    assert sum(1 for n in got.values() if n == 2) <= CONCURRENCY  # only the in-flight ones
    assert FIRST + COUNT not in got  # another category's subscriber
    assert_clean(tmp_path / "bot.log")
