"""The crisis guard's third signal, by meaning: hotlines first, then the normal answer."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from bot.config import Config, EncoderConfig, load_config
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Conversation, Parent
from bot.detector.langid import LangidDetector
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, OutcomeKind, State
from bot.encoders.e5 import MODEL_ID, load_e5
from bot.events import Event, EventKind
from bot.frontends.meaning_training import data_key, load_examples
from bot.frontends.understanding import MEANING_FILE, load_understanding, read_meaning
from bot.language.crisis_meaning import (
    CrisisMeaning,
    MeaningModel,
    MeaningVerdict,
    Neighbours,
    fit,
    load_meaning_model,
    neighbours_file,
    save_meaning_model,
)
from bot.language.encoding import AsyncEncoder, Vectors
from bot.storage.memory import MemoryStore
from tests.conftest import KNOWLEDGE
from tests.test_cli import run
from tests.test_conversation import BERLIN, FixedClock

DATA = Path(__file__).resolve().parent / "data"
PARENT = Parent(7, "de")
FIRED = MeaningVerdict(6.0, 4.9)
QUIET = MeaningVerdict(-3.0, 4.9)
ENGLISH_CRISIS = "I feel like I will hurt my baby if he keeps screaming"
TURKISH_CRISIS = "Kendimi öldürmek istiyorum, artık dayanamıyorum"
LOOKALIKE = "This homework is killing me, my son refuses to do it"


class Signal:
    """A fixed verdict for every text (the encoder's work is not under test here)."""

    def __init__(self, verdict: MeaningVerdict | None) -> None:
        self.verdict_given = verdict
        self.asked: list[str] = []

    async def verdict(self, text: str) -> MeaningVerdict | None:
        self.asked.append(text)
        return self.verdict_given


def talk(dialogue: Dialogue, signal: Signal | CrisisMeaning | None) -> Conversation:
    clock = FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    return Conversation(dialogue, MemoryStore(), clock, BERLIN, crisis_signal=signal)


def hotlines_first(outcome: Outcome, kb: KnowledgeBase) -> bool:
    return outcome.kind is OutcomeKind.CRISIS and outcome.replies[0].text.startswith(
        kb.crisis.reply_text(None).split("\n")[0]
    )


# --- the pure core: the verdict comes in, the guard heeds it ---


def test_a_fired_verdict_is_a_crisis_by_meaning(dialogue: Dialogue) -> None:
    found = dialogue.crisis.assess("Wie viel Kindergeld bekomme ich?", FIRED)
    assert (found.signal, found.learned, found.score) == ("meaning", True, 6.0)


def test_a_message_in_another_language_has_its_own_threshold(kb: KnowledgeBase) -> None:
    reading = Dialogue(kb, Config(), detector=LangidDetector())
    between = MeaningVerdict(4.0, 5.0, 3.0)  # above the other languages' bar, below German's
    english = reading.text(State(), "I cannot go on, everything is too much", meaning=between)
    german = reading.text(State(), "Ich kann einfach nicht mehr weiter", meaning=between)
    assert english.kind is OutcomeKind.CRISIS
    assert english.summary()["crisis"]["signal"] == "meaning"
    assert german.summary()["crisis"]["signal"] != "meaning"
    assert reading.crisis_reply(State(), "I cannot go on, everything is too much", None, between)


def test_while_a_case_is_open_her_phone_language_picks_the_threshold(kb: KnowledgeBase) -> None:
    reading = Dialogue(kb, Config(), detector=LangidDetector())
    between = MeaningVerdict(6.0, 7.0, 5.0)
    assert reading.crisis_reply(State(), "i feel unsafe", None, between) is None  # read as German
    assert reading.crisis_reply(State(), "i feel unsafe", None, between, "en") is not None


async def test_a_message_the_signal_could_not_read_is_not_matched_by_meaning(
    kb: KnowledgeBase,
) -> None:
    """A busy encoder refused the crisis check: meaning must not answer that message either."""

    class Nearest:
        asked: list[str] = []

        async def nearest(self, text: str) -> list[tuple[str, float]]:
            self.asked.append(text)
            return [("kindergeld", 0.95), ("kinderzuschlag", 0.80)]

    reading = Dialogue(kb, Config(), detector=LangidDetector())
    clock = FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    near = Nearest()
    use_case = Conversation(
        reading, MemoryStore(), clock, BERLIN, nearest=near, crisis_signal=Signal(None)
    )
    outcome = await use_case.handle(PARENT, Event(EventKind.TEXT, "How do I get child benefit?"))
    assert near.asked == []
    assert not outcome.by_meaning


def test_a_rule_outranks_the_meaning_signal(dialogue: Dialogue) -> None:
    found = dialogue.crisis.assess("ich will mich umbringen", FIRED)
    assert found.signal == "rules"


def test_hotlines_first_then_the_normal_answer(dialogue: Dialogue, kb: KnowledgeBase) -> None:
    outcome = dialogue.text(State(), "Wie viel Kindergeld bekomme ich?", meaning=FIRED)
    usual = dialogue.text(State(), "Wie viel Kindergeld bekomme ich?")
    assert hotlines_first(outcome, kb)
    assert outcome.replies[-1].text == usual.replies[-1].text
    assert outcome.summary()["crisis"]["signal"] == "meaning"
    assert outcome.summary()["crisis"]["signal_score"] == 6.0


def test_a_quiet_verdict_changes_nothing(dialogue: Dialogue) -> None:
    for message in ("Wie viel Kindergeld bekomme ich?", "ich will mich umbringen"):
        assert dialogue.text(State(), message, meaning=QUIET) == dialogue.text(State(), message)


# --- the use case asks the signal and passes the verdict on ---


async def test_the_conversation_passes_the_verdict(dialogue: Dialogue, kb: KnowledgeBase) -> None:
    signal = Signal(FIRED)
    outcome = await talk(dialogue, signal).handle(PARENT, Event(EventKind.TEXT, "hello"))
    assert signal.asked == ["hello"]
    assert hotlines_first(outcome, kb)


async def test_without_the_signal_nothing_changes(dialogue: Dialogue) -> None:
    for message in (ENGLISH_CRISIS, TURKISH_CRISIS, "Wie viel Kindergeld bekomme ich?"):
        event = Event(EventKind.TEXT, message)
        off = await talk(dialogue, None).handle(PARENT, event)
        quiet = await talk(dialogue, Signal(None)).handle(PARENT, event)
        assert off.replies == quiet.replies == dialogue.text(State(), message).replies


async def test_a_button_press_is_not_encoded(dialogue: Dialogue) -> None:
    signal = Signal(FIRED)
    await talk(dialogue, signal).handle(PARENT, Event(EventKind.BUTTON, "m"))
    assert signal.asked == []


# --- the model file and the signal around the encoder ---


class Fake:
    model_id = "fake/1"

    def encode(self, texts: Sequence[str]) -> Vectors:
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_the_model_round_trips_and_scores_a_vector() -> None:
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    weights, bias = fit(vectors, [True, True, False, False])
    model = MeaningModel("fake/1", tuple(weights), bias, 0.0, -1.0, "k", ("a.yaml",))
    again = MeaningModel.from_json(json.loads(model.to_json()))
    assert again.verdict(vectors[0]).fired
    assert not again.verdict(vectors[2]).fired


def test_the_neighbours_round_trip_and_lift_a_message_near_crisis_examples(
    tmp_path: Path,
) -> None:
    crisis = np.array([[1, 0], [0.9, 0.43589]], dtype=np.float32)
    calm = np.array([[0, 1], [0.43589, 0.9]], dtype=np.float32)
    near = Neighbours(crisis, calm, 10.0)
    model = MeaningModel("fake/1", (0.0, 0.0), 0.0, 1.0, 1.0, "k", ("a.yaml",), near)
    path = tmp_path / "crisis_meaning.json"
    save_meaning_model(model, path)
    again = load_meaning_model(path)
    assert again.neighbours is not None
    assert again.verdict(np.array([1, 0], dtype=np.float32)).fired  # near the crisis examples
    assert not again.verdict(np.array([0, 1], dtype=np.float32)).fired
    assert again.score(crisis[0]) == pytest.approx(model.score(crisis[0]), abs=0.01)


def test_neighbours_that_are_not_the_trained_ones_are_refused(tmp_path: Path) -> None:
    crisis = np.array([[1, 0]], dtype=np.float32)
    model = MeaningModel(
        "fake/1", (0.0, 0.0), 0.0, 1.0, 1.0, neighbours=Neighbours(crisis, crisis * -1, 1.0)
    )
    path = tmp_path / "crisis_meaning.json"
    save_meaning_model(model, path)
    vectors = neighbours_file(path)
    vectors.write_bytes(vectors.read_bytes()[:-2] + b"\x00\x3c")
    with pytest.raises(ValueError, match="is not the file the model was trained with"):
        load_meaning_model(path)
    vectors.unlink()
    with pytest.raises(FileNotFoundError):
        load_meaning_model(path)


async def test_a_model_of_another_encoder_is_refused() -> None:
    encoder = AsyncEncoder(Fake())
    with pytest.raises(ValueError, match="not fake/1"):
        CrisisMeaning(encoder, MeaningModel("other/2", (0.0,) * 4, 0.0, 1.0, 1.0))
    signal = CrisisMeaning(encoder, MeaningModel("fake/1", (1.0,) * 4, 0.0, 1.5, 1.0))
    assert await signal.verdict("x") == MeaningVerdict(2.0, 1.5, 1.0)
    encoder.close()


def test_the_shipped_model_is_trained_on_the_current_tuning_sets() -> None:
    model, problem = read_meaning(KNOWLEDGE, MODEL_ID)
    assert model is not None, problem
    assert model.model_id == MODEL_ID
    # A stale file: run `elternlotse train-meaning` (Makefile: make crisis-meaning).
    assert model.data_key == data_key(load_examples(DATA), MODEL_ID)
    assert len(model.weights) == 384


def test_a_missing_vector_file_is_named_in_the_start_line(tmp_path: Path) -> None:
    shutil.copy(KNOWLEDGE / MEANING_FILE, tmp_path / MEANING_FILE)
    model, problem = read_meaning(tmp_path, MODEL_ID)
    assert model is None
    assert problem == "crisis_meaning_neighbours.npy fehlt"


def test_with_the_encoder_off_there_is_no_signal(kb: KnowledgeBase) -> None:
    config = Config(encoder=EncoderConfig(enabled=False))
    assert load_understanding(config, kb).meaning is None


# --- the real model (x86-64 with AVX2 and FMA) ---


@pytest.fixture(scope="module")
def real_signal() -> CrisisMeaning:
    loaded = load_e5()
    if loaded.encoder is None:
        pytest.skip(f"the real encoder cannot run on this machine: {loaded.reason}")
    model, problem = read_meaning(KNOWLEDGE, MODEL_ID)
    assert model is not None, problem
    return CrisisMeaning(AsyncEncoder(loaded.encoder), model)


@pytest.mark.parametrize("message", [ENGLISH_CRISIS, TURKISH_CRISIS])
async def test_a_crisis_in_another_language_gets_the_hotlines_first(
    dialogue: Dialogue, kb: KnowledgeBase, real_signal: CrisisMeaning, message: str
) -> None:
    assert not hotlines_first(dialogue.text(State(), message), kb)  # the rules miss it
    outcome = await talk(dialogue, real_signal).handle(PARENT, Event(EventKind.TEXT, message))
    assert hotlines_first(outcome, kb)
    assert len(outcome.replies) > 1  # and the normal answer after them


async def test_a_lookalike_gets_no_hotlines(
    dialogue: Dialogue, kb: KnowledgeBase, real_signal: CrisisMeaning
) -> None:
    outcome = await talk(dialogue, real_signal).handle(PARENT, Event(EventKind.TEXT, LOOKALIKE))
    assert outcome.kind is not OutcomeKind.CRISIS


def test_ask_json_names_the_signal_and_its_score(real_signal: CrisisMeaning) -> None:
    result = run("ask", "--json", ENGLISH_CRISIS)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["kind"] == "crisis"
    assert shown["crisis"]["signal"] == "meaning"
    assert shown["meaning"]["fired"] is True
    assert shown["crisis"]["signal_score"] == shown["meaning"]["score"] > 4


def test_the_config_loads_the_shipped_model_with_the_encoder(real_signal: CrisisMeaning) -> None:
    config = load_config(None, environ={})
    understanding = load_understanding(config, load_setup_kb())
    assert understanding.meaning is not None
    assert "Krisensignal: an" in understanding.line
    assert (config.knowledge_dir / MEANING_FILE).exists()


def load_setup_kb() -> KnowledgeBase:
    from bot.frontends.startup import load_setup

    return load_setup(None).kb


# --- the Telegram adapter wires encoder and model into the conversation ---


async def test_the_telegram_bot_heeds_the_signal(dialogue: Dialogue, kb: KnowledgeBase) -> None:
    from telegram import Update

    from bot.frontends.understanding import Understanding
    from handlers.app import build_application
    from tests.offline import RecordingRequest
    from tests.test_handlers import message_update

    model = MeaningModel("fake/1", (1.0,) * 4, 0.0, 1.5, 1.5)  # Fake's vectors score 2.0: fired
    understanding = Understanding(Fake(), None, "Encoder: an", model)  # type: ignore[arg-type]
    request = RecordingRequest()
    config = Config(token="123456:TESTTOKEN")
    app = build_application(config, dialogue, MemoryStore(), request, understanding=understanding)
    async with app:
        assert app.post_init is not None
        assert app.post_shutdown is not None
        await app.post_init(app)
        await app.process_update(Update.de_json(message_update("hello there"), app.bot))
        await app.post_shutdown(app)
    first_line = kb.crisis.reply_text(None).split("\n")[0]
    assert first_line in request.texts()[0]
    assert len(request.texts()) > 1  # the normal answer follows
