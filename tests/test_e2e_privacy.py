"""D11 and D41 end to end: what a parent sees of `/meine_daten`, in private and in a group."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.server import Upload

PARENT_ID = 5101


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[FakeBotAPI]:
    """Yield the fake Bot API with one parent, the real bot running against it."""
    async with FakeBotAPI() as server:
        server.user(PARENT_ID, first_name="Lisa")
        process = BotProcess(server, tmp_path / "data", tmp_path / "bot.log")
        await process.start()
        yield server
        code, log = await process.stop(), process.log.read_text(encoding="utf-8")
        assert (code, "Traceback" in log) == (0, False), log


async def test_meine_daten_arrives_as_a_german_overview_and_the_full_file(
    api: FakeBotAPI,
) -> None:
    api.send_text(PARENT_ID, "Wie viel Kindergeld bekomme ich?")
    await api.wait_for_message(PARENT_ID, timeout=15)
    api.send_command(PARENT_ID, "/meine_daten")
    await api.wait_for_calls("sendDocument", 1, timeout=15)
    overview = api.messages(PARENT_ID)[-2]["text"]  # the overview, then the file
    assert overview.startswith("Ihre gespeicherten Daten (Stand ")
    for heading in ("Ihr Telegram-Konto", "Was:", "Wozu:", "Gespeichert seit:", "Wie lange:"):
        assert heading in overview
    assert "180 Tage lang nicht geschrieben" in overview
    for raw in ("{", '"', "user_id", "purpose", str(PARENT_ID)):
        assert raw not in overview, raw
    (call,) = api.calls("sendDocument")
    upload = call.params["document"]
    assert isinstance(upload, Upload)
    assert upload.filename == "elternlotse-meine-daten.json"
    tables = json.loads(upload.data)["tables"]
    assert tables["users"]["rows"][0]["user_id"] == PARENT_ID
    assert isinstance(tables["states"]["rows"][0]["state"], dict)  # JSON, not an escaped string


async def test_a_parents_command_in_a_group_gets_the_private_hint(
    api: FakeBotAPI,
) -> None:
    group = api.supergroup("Eltern-Austausch", members=[PARENT_ID])
    api.send_command(PARENT_ID, "/meine_daten", chat=group["id"])
    hint = await api.wait_for_message(group["id"], timeout=15)
    assert hint["text"].startswith("Bitte schreiben Sie mir das privat: https://t.me/")
    assert api.calls("sendDocument") == []
    assert api.messages(PARENT_ID) == []  # nothing sent privately either
