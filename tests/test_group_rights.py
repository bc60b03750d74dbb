"""Issue 17: may the bot invite users to an event's protected chat? Asked of the fake Bot API.

`chat_access` (getChat + getChatMember), the start-up's events line with a warning per event,
and an invite link refused for good raising `ChatUnusable` instead of a retry.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.announcements.model import Category, ChatAccess, ChatProblem, ChatUnusable, Event
from bot.config import Config, load_config
from bot.storage.sqlite import DATABASE_NAME, SqliteStore
from handlers.announcements import TelegramNotices, chat_access
from handlers.setup_check import check_setup
from tests.fakebotapi import FakeBotAPI

STAFF = 77
Telegram = tuple[FakeBotAPI, Bot]


@pytest.fixture
async def telegram() -> AsyncIterator[Telegram]:
    """Yield the fake Bot API and a bot talking to it."""
    async with (
        FakeBotAPI() as fake,
        Bot(fake.token, base_url=f"{fake.base_url}/bot") as telegram_bot,
    ):
        yield fake, telegram_bot


async def test_the_bot_s_access_to_a_group_is_read_from_telegram(
    telegram: Telegram,
) -> None:
    api, bot = telegram
    fine = api.supergroup("Expertenchat Unterhalt")
    member = api.supergroup("Elterncafé", bot_admin=False)
    no_right = api.supergroup("Sorgerecht-Runde")
    api.make_admin(no_right, can_invite_users=False)
    assert await chat_access(bot, fine["id"]) == ChatAccess("Expertenchat Unterhalt")
    assert (await chat_access(bot, member["id"])).problem is ChatProblem.NOT_ADMIN
    refused = await chat_access(bot, no_right["id"])
    assert (refused.title, refused.problem) == ("Sorgerecht-Runde", ChatProblem.NO_INVITE_RIGHT)
    unknown = await chat_access(bot, -1009999999999)
    assert unknown.problem is ChatProblem.NOT_FOUND
    assert "chat not found" in unknown.reason.lower()
    api.fail("getChat", 502)
    assert (await chat_access(bot, fine["id"])).problem is ChatProblem.UNCHECKED


async def test_a_link_refused_for_lack_of_rights_raises_chat_unusable(
    telegram: Telegram,
) -> None:
    """Before: a 400 „not enough rights" was retried five times, a 403 read as a blocked parent."""
    api, bot = telegram
    group = api.supergroup("Expertenchat Unterhalt")
    api.make_admin(group, can_invite_users=False)
    notices = TelegramNotices(bot)
    until = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ChatUnusable, match="(?i)not enough rights"):
        await notices.invite_link(group["id"], until, "T1")
    api.fail("createChatInviteLink", 403, "Forbidden: bot was kicked from the supergroup chat")
    with pytest.raises(ChatUnusable, match="(?i)kicked"):
        await notices.invite_link(group["id"], until, "T1")


def config_in(tmp_path: Path) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(f"staff:\n  ids: [{STAFF}]\n", encoding="utf-8")
    return load_config(path, environ={"ELTERNLOTSE_DATA": str(tmp_path / "data")})


async def add_events(config: Config, *chats: int) -> list[Event]:
    store = SqliteStore(config.data_dir / DATABASE_NAME)
    await store.open()
    try:
        start = datetime.now(UTC) + timedelta(days=2)
        return [
            await store.add_event(
                Event(0, f"Termin {i}", start, timedelta(hours=1), Category.LAW, "…", None, chat),
                datetime.now(UTC),
            )
            for i, chat in enumerate(chats, start=1)
        ]
    finally:
        await store.close()


async def test_the_events_line_counts_protected_chats_and_names_what_is_missing(
    telegram: Telegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api, bot = telegram
    config = config_in(tmp_path)
    assert (await check_setup(bot, config))[-1] == "Termine: an"  # no database yet
    fine = api.supergroup("Expertenchat Unterhalt")
    lines = await check_setup(bot, config)
    assert lines[-1] == "Termine: an"
    await add_events(config, fine["id"], fine["id"])
    assert (await check_setup(bot, config))[-1] == (
        "Termine: an — geschützte Chats: 2, Bot darf überall einladen"
    )
    api.make_admin(fine, can_invite_users=False)
    with caplog.at_level(logging.WARNING):
        lines = await check_setup(bot, config)  # a warning, no exit: events are staff content
    assert lines[-1] == (
        "Termine: an — geschützte Chats: 2, Bot darf NICHT einladen bei Termin Nr. 1, 2"
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "Termin Nr. 1 „Termin 1“" in warnings[0]
    assert "Nutzer einladen" in warnings[0]
