"""Fuzzing the real handlers: whatever button data or text arrives, no exception escapes.

Updates go through `Application.process_update` with the offline request, from a parent, a
counsellor in a case topic, a stranger in the counsellors' group and a staff member. The
assertion is the same for every example: PTB's error handler was never called and nothing was
logged at ERROR. Hypothesis keeps the examples few (the suite stays fast).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.config import PrivacyConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from handlers.services import Context
from tests.test_access import (
    ANNA,
    ATTACKER,
    CONFIG,
    COUNSELLORS_GROUP,
    FOREIGN_GROUP,
    STAFF,
    STRANGER,
    TOPIC,
    World,
    make_world,
    message,
    press,
    private,
)

# A limit no example reaches: the flood limit has its own tests, here every path should run.
FUZZ_CONFIG = replace(CONFIG, privacy=PrivacyConfig(messages_per_minute=100_000))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VALID = [
    "1:i:7:r",
    "1:i:1:k",
    "1:z:c:1.abcdef",
    "1:z:e:1",
    "1:z:a:1",
    "1:u:3",
    "1:u:1",
    "1:v:1",
    "1:w:recht",
    "1:w:ok",
    "1:f:kindergeld:+",
    "1:r:kindergeld:v",
    "1:e:kindergeld",
    "1:c:unterhalt",
    "1:o:unterhalt:start:1",
    "1:k:unterhalt:b",
    "1:s:unterhalt",
    "1:a:s",
    "1:t:1:5",
    "1:q:1",
    "1:d:y",
    "1:m",
    "1:h",
]
PARTS = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"-?[0-9]{0,12}", fullmatch=True),
    st.sampled_from(["", "0", "-1", "999999999", "9" * 20, ".", "..", "ä", "\u202e", "\x00"]),
)


def fits(data: str) -> str:
    """Cut button data to Telegram's 64 bytes (at a character boundary)."""
    while len(data.encode("utf-8")) > 64:
        data = data[:-1]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """Return a valid button's data with one part replaced, dropped, added or doubled."""
    parts = draw(st.sampled_from(VALID)).split(":")
    index = draw(st.integers(0, len(parts) - 1))
    match draw(st.sampled_from(["replace", "drop", "add", "double"])):
        case "replace":
            parts[index] = draw(PARTS)
        case "drop":
            del parts[index]
        case "add":
            parts.insert(index, draw(PARTS))
        case _:
            parts[index] *= 2
    return fits(":".join(parts))


CALLBACK_DATA = st.one_of(
    st.text(max_size=64).map(fits),
    st.binary(max_size=64).map(lambda b: fits(b.decode("utf-8", "replace"))),
    mutated(),
)
ODD = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So"])
TEXTS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=ODD, max_size=300),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "ß ", "\u202e", "\u200f", "🙂", "/", "\x00", "ich ", "@"]),
        st.integers(0, 6000),
    ),
    st.builds(lambda a, b: f"/{a} {b}", st.text(max_size=20), st.text(max_size=40)),
    st.builds(lambda t: f"/antwort {t}", st.text(max_size=60)),
    st.just(""),
)
PRESSERS = st.sampled_from(
    [
        (ATTACKER, private(ATTACKER)),
        (STAFF, private(STAFF)),
        (ANNA, COUNSELLORS_GROUP),
        (STRANGER, COUNSELLORS_GROUP),
        (ATTACKER, FOREIGN_GROUP),
    ]
)
WRITERS = st.sampled_from(
    [
        (ATTACKER, private(ATTACKER), None),
        (STAFF, private(STAFF), None),
        (ANNA, COUNSELLORS_GROUP, TOPIC),
        (ANNA, COUNSELLORS_GROUP, None),
        (STRANGER, COUNSELLORS_GROUP, TOPIC),
        (ATTACKER, FOREIGN_GROUP, None),
    ]
)


@pytest.fixture(scope="module")
def fuzz_dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, FUZZ_CONFIG)


def run_fuzz(
    dialogue: Dialogue,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fuzz: Callable[[asyncio.Runner, World], None],
) -> None:
    """Start one application, let `fuzz` feed it, then check nothing reached the error handler.

    Hypothesis drives synchronous functions, so the application runs on a loop of its own.
    """
    caplog.set_level(logging.INFO)
    errors: list[BaseException | None] = []

    async def record(update: object, context: Context) -> None:
        errors.append(context.error)

    worlds = make_world(dialogue, tmp_path, FUZZ_CONFIG)

    async def step() -> World | None:
        return await anext(worlds, None)

    with asyncio.Runner() as runner:
        world = runner.run(step())
        assert world is not None
        world.app.add_error_handler(record)
        fuzz(runner, world)
        assert runner.run(step()) is None  # the rest of the generator shuts the application down
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def feed(runner: asyncio.Runner, world: World, raw: dict[str, Any]) -> None:
    runner.run(world.app.process_update(Update.de_json(raw, world.app.bot)))


def test_fuzzed_button_data_never_reaches_the_error_handler(
    fuzz_dialogue: Dialogue, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def fuzz(runner: asyncio.Runner, world: World) -> None:
        @FUZZ
        @given(data=CALLBACK_DATA, who=PRESSERS)
        def check(data: str, who: tuple[int, dict[str, Any]]) -> None:
            feed(runner, world, press(who[0], who[1], data))

        check()

    run_fuzz(fuzz_dialogue, tmp_path, caplog, fuzz)


def test_fuzzed_text_never_reaches_the_error_handler(
    fuzz_dialogue: Dialogue, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def fuzz(runner: asyncio.Runner, world: World) -> None:
        @FUZZ
        @given(text=TEXTS, who=WRITERS)
        def check(text: str, who: tuple[int, dict[str, Any], int | None]) -> None:
            feed(runner, world, message(who[0], who[1], text, who[2]))

        check()

    run_fuzz(fuzz_dialogue, tmp_path, caplog, fuzz)


def test_the_fuzz_harness_notices_a_crash(
    fuzz_dialogue: Dialogue, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(runner: asyncio.Runner, world: World) -> None:
        async def broken(*args: object) -> None:
            raise RuntimeError("kaputt")

        world.app.bot_data.conversation.handle = broken  # type: ignore[method-assign]
        feed(runner, world, message(ATTACKER, private(ATTACKER), "kindergeld"))

    with pytest.raises(AssertionError):
        run_fuzz(fuzz_dialogue, tmp_path, caplog, crash)
