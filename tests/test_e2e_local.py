"""End to end: Hilfe vor Ort with the real bot process against the fake Bot API.

A parent opens „📍 Hilfe vor Ort" from the menu, gets the button that shares her location,
shares it and reads the offices for her Kreis; then she asks for „Jugendamt Gütersloh". Her
place appears in no log line and in no table of the database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e import ask, buttons

PARENT_ID = 4711
PADERBORN = (51.7189, 8.7575)


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
    assert code == 0, log


def database_text(data_dir: Path) -> str:
    """Return every value of every table of the bot's database as one text."""
    found = []
    with closing(sqlite3.connect(next(data_dir.glob("*.sqlite*")))) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            found += [json.dumps(row, default=str) for row in db.execute(f"SELECT * FROM {table}")]  # noqa: S608
    return "\n".join(found)


async def test_a_parent_shares_her_location_and_asks_for_a_town(
    api: FakeBotAPI, bot: BotProcess, tmp_path: Path
) -> None:
    api.send_command(PARENT_ID, "/themen")
    menu = await api.wait_for_message(PARENT_ID, lambda m: "Hilfe vor Ort" in str(m), timeout=10)
    local = next(data for label, data in buttons(menu) if label == "📍 Hilfe vor Ort")
    api.press_button(PARENT_ID, menu, local)
    await api.wait_for_message(PARENT_ID, lambda m: "Für welchen Ort" in m["text"], timeout=10)
    asked = next(c for c in api.calls("sendMessage") if "Für welchen Ort" in str(c.params))
    markup = asked.params["reply_markup"]
    assert markup["keyboard"] == [[{"text": "📍 Standort senden", "request_location": True}]]

    api.send_location(PARENT_ID, latitude=PADERBORN[0], longitude=PADERBORN[1])
    offices = await api.wait_for_message(PARENT_ID, lambda m: "Hilfe vor Ort: 33098" in m["text"])
    assert "Jugendamt des Kreises (Kreis Paderborn)" in offices["text"]
    told = next(c for c in api.calls("sendMessage") if "Hilfe vor Ort: 33098" in str(c.params))
    assert told.params["reply_markup"] == {"remove_keyboard": True}
    places = await api.wait_for_message(PARENT_ID, lambda m: "Stellen für Sie" in m["text"])
    assert "VAMV NRW" in places["text"]

    answer = await ask(api, "Jugendamt Gütersloh", "Kreis Gütersloh")
    assert (
        answer["text"].startswith("<b>📍 Hilfe vor Ort: Gütersloh</b>")
        or "Gütersloh" in answer["text"]
    )

    await bot.stop()
    log = bot.log.read_text(encoding="utf-8")
    stored = database_text(tmp_path / "data")
    for trace in ("33098", "Paderborn", "Gütersloh", "51.71", "8.757"):
        assert trace not in log, trace
        assert trace not in stored, trace
    await bot.start()  # the fixture stops it again
