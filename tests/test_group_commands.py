"""D41: a parents' command in a group gets a short hint to write privately, nothing personal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.dialogue.core import Dialogue
from bot.storage.memory import MemoryStore
from tests.test_handlers import Harness, make_harness, message_update

GROUP = {"id": -100777, "type": "supergroup", "title": "Eltern-Austausch"}


@pytest.fixture
async def bot(dialogue: Dialogue) -> AsyncIterator[Harness]:
    async for h in make_harness(dialogue, MemoryStore()):
        yield h


@pytest.mark.parametrize("text", ["/meine_daten", "/loeschen", "/meine_daten@elternlotse_test_bot"])
async def test_a_parents_command_in_a_group_asks_for_a_private_chat(
    bot: Harness, text: str
) -> None:
    await bot.feed(message_update("kindergeld"))  # something is stored about the parent
    before = len(bot.request.sent())
    await bot.feed(message_update(text, chat=GROUP))
    sent = bot.request.sent()[before:]
    assert [call["chat_id"] for call in sent] == [GROUP["id"]]
    (seen,) = bot.request.texts()[before:]
    assert seen.startswith("Bitte schreiben Sie mir das privat: https://t.me/elternlotse_test_bot")
    assert "Ja, alles löschen" not in seen
    assert "reply_markup" not in sent[0] or sent[0]["reply_markup"] is None
    assert bot.request.sent("sendDocument") == []


async def test_the_same_command_in_private_still_works(bot: Harness) -> None:
    await bot.feed(message_update("kindergeld"))  # something is stored (else: „nichts gespeichert")
    await bot.feed(message_update("/loeschen"))
    assert "Möchten Sie wirklich alles löschen" in bot.request.texts()[-1]
