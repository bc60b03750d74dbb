"""Black-box end-to-end tests: the real `elternlotse run` process against the fake Bot API."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

PARENT_ID = 4711


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(PARENT_ID, first_name="Anna")
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api, tmp_path / "data", tmp_path / "bot.log")
    await process.start()
    yield process
    code = await process.stop()
    log = process.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    assert api.token.split(":")[1] not in log  # the token is never logged
    assert code == 0, log


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def ask(api: FakeBotAPI, text: str, contains: str | None = None) -> dict[str, Any]:
    api.send_text(PARENT_ID, text)
    return await api.wait_for_message(
        PARENT_ID, (lambda m: contains in m.get("text", "")) if contains else None, timeout=10
    )


async def test_a_parent_talks_to_the_bot(api: FakeBotAPI, bot: BotProcess) -> None:
    api.send_command(PARENT_ID, "/start")
    welcome = await api.wait_for_message(PARENT_ID, timeout=10)
    assert "Willkommen bei Elternlotse" in welcome["text"]
    assert {c["command"] for c in api.commands} >= {"start", "themen", "hilfe", "loeschen"}

    answer = await ask(api, "wieviel kindergeld gibt es 2026", "259 €")
    assert api.calls("sendChatAction")
    assert ("👍 Hilfreich", "1:f:kindergeld:+") in buttons(answer)

    query = api.press_button(PARENT_ID, answer, "1:f:kindergeld:+")
    await api.wait_for_message(PARENT_ID, lambda m: "Danke für Ihre Rückmeldung" in m["text"])
    assert query in api.callback_answers
    tidied = next(m for m in api.messages(PARENT_ID) if m["message_id"] == answer["message_id"])
    assert ("👍 Hilfreich", "1:f:kindergeld:+") not in buttons(tidied)

    clarify = await ask(api, "Geld vom Amt fürs Kind", "Meinten Sie")
    first = buttons(clarify)[0]
    api.press_button(PARENT_ID, clarify, first[1])
    picked = await api.wait_for_message(PARENT_ID, lambda m: m["text"].startswith(first[0]))
    assert "Quellen" in picked["text"]

    api.send_sticker(PARENT_ID)
    await api.wait_for_message(PARENT_ID, lambda m: "nur Textnachrichten" in m["text"])

    forged = api.press_button(PARENT_ID, answer, "1:e:../../etc/passwd")
    await api.wait_for_message(
        PARENT_ID, lambda m: "Zu welchem Bereich" in m["text"] or "Knopf" in m["text"]
    )
    await api.wait_for_calls("answerCallbackQuery", 3)
    assert api.callback_answers[forged].get("text") == "Dieser Knopf ist nicht mehr gültig."

    crisis = await ask(api, "ich will nicht mehr leben", "116 016")
    assert "110" in crisis["text"]


async def test_rate_limited_reply_still_arrives(api: FakeBotAPI, bot: BotProcess) -> None:
    api.fail("sendMessage", 429, retry_after=1)
    answer = await ask(api, "kindergeld", "259 €")
    failed = [c for c in api.calls("sendMessage") if not c.ok]
    assert len(failed) == 1
    assert "Kindergeld" in answer["text"]


async def test_blocked_parent_and_server_errors_lose_nothing(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    api.block(PARENT_ID)
    api.send_text(PARENT_ID, "kindergeld")
    await api.wait_for_calls("sendMessage", 1, timeout=10)
    api.unblock(PARENT_ID)
    api.fail("sendMessage", 502, times=2)
    await ask(api, "wohngeld", "Wohngeld")


async def test_restart_mid_dialogue_keeps_state(api: FakeBotAPI, bot: BotProcess) -> None:
    clarify = await ask(api, "Geld vom Amt fürs Kind", "Meinten Sie")
    await bot.kill()
    # While the bot is down the parent presses "Keins davon" and writes again.
    api.press_button(PARENT_ID, clarify, "1:n")
    api.send_text(PARENT_ID, "kindergeld")
    await bot.start()
    await api.wait_for_message(
        PARENT_ID,
        lambda m: "keine passende Antwort" in m["text"],
        timeout=15,
        include_existing=True,
    )
    await api.wait_for_message(
        PARENT_ID, lambda m: "259 €" in m["text"], timeout=15, include_existing=True
    )
    with closing(sqlite3.connect(bot.data_dir / "elternlotse.sqlite3")) as db:
        rows = db.execute("SELECT text FROM unanswered").fetchall()
    assert rows == [("Geld vom Amt fürs Kind",)]


async def test_flow_survives_a_restart_and_steps_edit_in_place(
    api: FakeBotAPI, bot: BotProcess
) -> None:
    answer = await ask(api, "mein ex zahlt seit monaten nix mehr", "Nächster Schritt")
    start = next(data for _, data in buttons(answer) if data.startswith("1:s:"))
    api.press_button(PARENT_ID, answer, start)
    step = await api.wait_for_message(PARENT_ID, lambda m: "Unterhaltstitel" in m["text"])
    api.press_button(PARENT_ID, step, buttons(step)[1][1])  # "Nein, keinen Titel"
    edited = await api.wait_for_calls("editMessageText", 1, timeout=10)
    assert edited[-1].params["message_id"] == step["message_id"]
    await bot.kill()
    await bot.start()
    current = next(m for m in api.messages(PARENT_ID) if m["message_id"] == step["message_id"])
    api.press_button(PARENT_ID, current, buttons(current)[0][1])  # "Ja" (paternity) after restart
    await api.wait_for_calls("editMessageText", 2, timeout=10)
    current = next(m for m in api.messages(PARENT_ID) if m["message_id"] == step["message_id"])
    api.press_button(PARENT_ID, current, buttons(current)[0][1])  # not married again
    await api.wait_for_calls("editMessageText", 3, timeout=10)
    api.send_text(PARENT_ID, "weiß ich nicht so genau, irgendwas")
    await api.wait_for_message(PARENT_ID, lambda m: "konnte ich leider nicht lesen" in m["text"])
    api.send_text(PARENT_ID, "4")
    confirm = await api.wait_for_message(PARENT_ID, lambda m: "Stimmt das?" in m["text"])
    assert "einem Kind: 4 Jahre" in confirm["text"]
    api.press_button(PARENT_ID, confirm, buttons(confirm)[0][1])  # "Ja, stimmt"
    await api.wait_for_calls("editMessageText", 4, timeout=10)  # the next step replaces it
    ask_benefit = next(
        m for m in api.messages(PARENT_ID) if m["message_id"] == confirm["message_id"]
    )
    assert "Bürgergeld" in ask_benefit["text"]
    api.press_button(PARENT_ID, ask_benefit, buttons(ask_benefit)[0][1])  # "Nein"
    plan = await api.wait_for_message(PARENT_ID, lambda m: "227 €" in m["text"], timeout=10)
    assert "356,50 €" in plan["text"]


async def test_the_log_holds_no_personal_data(api: FakeBotAPI, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("logging:\n  level: DEBUG\n", encoding="utf-8")
    process = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", config=config)
    await process.start()
    private = [
        "Mein Ex Thomas Brückner zahlt nicht, ich wohne Gartenweg 3 in 44135 Dortmund",
        "ruf mich an 0171 2345678 bitte",
        "Wie backe ich eine Lasagne für Lina?",
        "Ich will nicht mehr leben",
    ]
    for text in private:
        api.send_text(PARENT_ID, text)
        await api.wait_for_message(PARENT_ID, timeout=15)
    api.send_command(PARENT_ID, "/meine_daten")
    await api.wait_for_calls("sendDocument", 1, timeout=15)
    assert await process.stop() == 0
    log = process.log.read_text(encoding="utf-8")
    for secret in (
        "Anna",
        "Thomas",
        "Brückner",
        "Gartenweg",
        "0171",
        "2345678",
        "Lasagne",
        "Lina",
        "nicht mehr leben",
        api.token,
        str(PARENT_ID),
    ):
        assert secret not in log, secret
    assert "Traceback" not in log
