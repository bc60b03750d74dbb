"""End to end: every request of the bot process shares one limit, in every sliding window.

Two broadcasts, parents asking questions, two hand-overs relayed into the counsellors' group and
a 429, all at once, against the fake Bot API, which notes when each request arrived. Counted
are the requests in the busiest window, not how long anything took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.announcements.model import Category
from tests.botprocess import BotProcess
from tests.broadcasting import delivered, seed_broadcast
from tests.fakebotapi import FakeBotAPI, busiest_window

RATE = 10  # the configured overall rate: small, so that the test saturates it quickly
PER_GROUP = 20  # Telegram's per-minute limit for one group
STAFF, ANNA = 77, 9001
SUBSCRIBERS = range(600_000, 600_040)
ASKING = range(700_000, 700_006)
HANDED_OVER = (800_001, 800_002)
QUESTIONS = ("kindergeld", "wohngeld")  # each answered with an entry that names it
ANNOUNCEMENTS = ("Neuer Expertenchat: Unterhalt", "Neuer Expertenchat: Kita")
MONEY = frozenset({Category.MONEY})
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def write_config(path: Path, group_id: int) -> Path:
    """Write the overall rate, staff, a broadcast at the whole rate, and a counsellors' group."""
    hours = "\n".join(f"    {day}: '00:00-23:59'" for day in DAYS)
    path.write_text(
        f"telegram:\n  rate_per_second: {RATE}\n"
        f"staff:\n  ids: [{STAFF}]\n"
        # The broadcast may take the whole rate: the limiter alone keeps the parents' replies,
        # the reports and the relays within it.
        f"announcements:\n  rate_per_second: {RATE}\n  concurrency: 16\n"
        f"counselling:\n  group_id: {group_id}\n"
        f"  counsellors:\n    - {{id: {ANNA}, name: 'Beraterin Anna'}}\n"
        f"  state: NW\n  office_hours:\n{hours}\n",
        encoding="utf-8",
    )
    return path


async def wait_until(check: Callable[[], bool], seconds: float = 90.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110 - polls the fake server's state
            await asyncio.sleep(0.05)


def texts(api: FakeBotAPI, chat: int) -> list[str]:
    return [m.get("text", "") for m in api.messages(chat)]


async def hand_over(api: FakeBotAPI, parent: int, group: int) -> None:
    """Let a parent ask for a counsellor and write into the case twice."""
    api.send_command(parent, "/beratung")
    consent = await api.wait_for_message(
        parent, lambda m: "Telegram-Namen" in m["text"], timeout=60, include_existing=True
    )
    api.press_button(parent, consent, "1:a:s")
    await api.wait_for_message(
        parent, lambda m: "ist eingegangen" in m["text"], timeout=60, include_existing=True
    )
    for number in (1, 2):
        api.send_text(parent, f"Nachricht {number} von Fall {parent}")
    await wait_until(lambda: f"Nachricht 2 von Fall {parent}" in texts(api, group))


def answered(api: FakeBotAPI, parent: int) -> bool:
    """Return whether a parent got the answer to every question."""
    replies = texts(api, parent)
    return all(any(q.capitalize() in reply for reply in replies) for q in QUESTIONS)


async def test_broadcasts_replies_and_relays_share_one_limit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for text in ANNOUNCEMENTS:
        await seed_broadcast(data, SUBSCRIBERS, MONEY, STAFF, text)
    async with FakeBotAPI() as api:
        api.users([*SUBSCRIBERS, *ASKING, *HANDED_OVER])
        api.user(STAFF, first_name="Staff")
        api.user(ANNA, first_name="Anna Privat")
        group = api.forum_group("Beratung", members=[ANNA])["id"]
        api.fail("sendMessage", 429, retry_after=1, times=1)
        bot = BotProcess(api, data, tmp_path / "bot.log", write_config(tmp_path / "c.yaml", group))
        await bot.start()
        for parent in ASKING:
            for question in QUESTIONS:
                api.send_text(parent, question)
        await asyncio.gather(*(hand_over(api, parent, group) for parent in HANDED_OVER))
        await wait_until(lambda: sum(1 for t in texts(api, STAFF) if "ist fertig" in t) == 2)
        await wait_until(lambda: all(answered(api, parent) for parent in ASKING))
        await bot.stop()
    requests = api.chat_requests()
    assert busiest_window(requests, 1.0) <= RATE
    assert busiest_window(api.chat_requests(group), 60.0) <= PER_GROUP
    # Nothing lost: every subscriber got both announcements, once each.
    assert delivered(api, SUBSCRIBERS) == {user: 2 for user in SUBSCRIBERS}
    assert [c for c in requests if c.status == 429]  # the 429 happened and was retried
    assert_clean(tmp_path / "bot.log")


def assert_clean(log: Path) -> None:
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text
    assert not any(a in text for a in ANNOUNCEMENTS)  # no message content in the log
