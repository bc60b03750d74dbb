"""The start-up checks against the fake Bot API: the counsellors' group, the bot's rights."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, ChatFullInfo, ChatMemberAdministrator
from telegram.error import BadRequest

from bot.config import Config, load_config
from handlers.setup_check import SetupProblem, check_setup
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI

ANNA_ID, BEA_ID = 9001, 9002


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as telegram_bot:
        yield telegram_bot


def config_for(tmp_path: Path, group: dict[str, Any] | int, staff: bool = False) -> Config:
    group_id = group if isinstance(group, int) else group["id"]
    path = tmp_path / "config.yaml"
    path.write_text(
        f"counselling:\n  group_id: {group_id}\n"
        f"  counsellors:\n    - {{id: {ANNA_ID}, name: 'Beraterin Anna'}}\n"
        f"    - {{id: {BEA_ID}, name: 'Beraterin Bea'}}\n"
        + (f"staff:\n  ids: [{ANNA_ID}]\n" if staff else ""),
        encoding="utf-8",
    )
    return load_config(path, environ={})


async def test_a_working_forum_gives_the_summary(bot: Bot, api: FakeBotAPI, tmp_path: Path) -> None:
    group = api.forum_group("Beratung", members=[ANNA_ID])
    lines = await check_setup(bot, config_for(tmp_path, group, staff=True))
    assert lines == [
        "Beratung: an — Gruppe „Beratung“, Themen aktiv, Bot darf Themen verwalten, 2 Beraterinnen",
        "Team: 1",
        "Termine: an",
    ]


async def test_without_counselling_the_summary_says_off(bot: Bot) -> None:
    assert await check_setup(bot, Config()) == [
        "Beratung: aus (kein Abschnitt counselling mit group_id)",
        "Team: 0",
        "Termine: aus",
    ]


@pytest.mark.parametrize(
    ("arrange", "says"),
    [
        (lambda api: api.supergroup("Beratung"), "has no topics"),
        (lambda api: api.forum_group("Beratung", bot_admin=False), "not an administrator"),
        (lambda api: no_topic_right(api), "may not manage topics"),
        (lambda api: -1009999, "Telegram says 'Chat not found'"),
    ],
)
async def test_a_group_that_cannot_work_is_refused_in_one_line(
    bot: Bot, api: FakeBotAPI, tmp_path: Path, arrange: Any, says: str
) -> None:
    with pytest.raises(SetupProblem) as refused:
        await check_setup(bot, config_for(tmp_path, arrange(api)))
    assert says in str(refused.value)
    assert "\n" not in str(refused.value)


def no_topic_right(api: FakeBotAPI) -> dict[str, Any]:
    group = api.forum_group("Beratung")
    api.make_admin(group, can_manage_topics=False)
    return group


async def test_the_fake_answers_get_chat_as_the_bot_api_documents(
    bot: Bot, api: FakeBotAPI
) -> None:
    forum, plain = api.forum_group("Forum"), api.supergroup("Ohne Themen")
    info = await bot.get_chat(forum["id"])
    assert isinstance(info, ChatFullInfo)
    assert (info.type, info.title, info.is_forum) == ("supergroup", "Forum", True)
    assert info.accepted_gift_types is not None
    assert info.api_kwargs == {}  # every field is one PTB knows: the documented shape
    assert (await bot.get_chat(plain["id"])).is_forum is None


async def test_the_fake_refuses_topics_to_a_bot_without_the_right(
    bot: Bot, api: FakeBotAPI
) -> None:
    group = no_topic_right(api)
    member = await bot.get_chat_member(group["id"], bot.id)
    assert isinstance(member, ChatMemberAdministrator)
    assert member.can_manage_topics is False
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(group["id"], "Anfrage #1")


def test_check_with_a_config_refuses_an_unknown_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("counseling:\n  group_id: -1001\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "check", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "elternlotse: unknown config key 'counseling' (did you mean 'counselling'?)\n"
    )
    assert result.stdout == ""


async def check_online(api: FakeBotAPI, config: Path) -> tuple[int, str, str]:
    """Run `elternlotse check --online --config FILE` against the fake; return code and output."""
    env = {k: v for k, v in os.environ.items() if k != "ELTERNLOTSE_CONFIG"}
    env.update(BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot.frontends.cli", "check", "--online", "--config", str(config)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_check_online_refuses_a_group_without_topics(api: FakeBotAPI, tmp_path: Path) -> None:
    config_for(tmp_path, api.supergroup("Beratung"))
    code, out, err = await check_online(api, tmp_path / "config.yaml")
    assert code == 2
    assert out.startswith("config OK: counselling on (2 counsellors), staff 0\n")
    assert err.startswith("elternlotse: The counsellors' group „Beratung\" has no topics: ")
    assert err.count("\n") == 1
    assert not api.calls("getUpdates")


async def test_check_online_prints_the_summary(api: FakeBotAPI, tmp_path: Path) -> None:
    config_for(tmp_path, api.forum_group("Beratung"), staff=True)
    code, out, err = await check_online(api, tmp_path / "config.yaml")
    assert (code, err) == (0, "")
    assert out.splitlines()[2].startswith("semantic index")  # built, current, or why not
    assert out.splitlines()[3:] == [
        "Beratung: an — Gruppe „Beratung“, Themen aktiv, Bot darf Themen verwalten, 2 Beraterinnen",
        "Team: 1",
        "Termine: an",
    ]
    assert not api.calls("getUpdates")
