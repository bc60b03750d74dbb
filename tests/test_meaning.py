"""Questions in other languages, matched by meaning against the German phrasings (issue 19, 3)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.config import Config, ConfigError, load_config
from bot.content.knowledge import KnowledgeBase
from bot.content.semantic import cached_index
from bot.conversation.service import Conversation, Parent
from bot.detector.langid import LangidDetector
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, OutcomeKind, State
from bot.encoders.e5 import load_e5
from bot.events import Event, EventKind
from bot.frontends.understanding import prepare_index
from bot.language.encoding import AsyncEncoder, AsyncNearest
from bot.storage.memory import MemoryStore
from tests.test_cli import run
from tests.test_conversation import BERLIN, FixedClock

DATA = Path(__file__).parent / "data"
NEAR = [("kindergeld", 0.91), ("kinderzuschlag", 0.88), ("kita-platz", 0.85)]
CLOSE = [("kindergeld", 0.86), ("kinderzuschlag", 0.855), ("kita-platz", 0.80)]
FAR = [("kindergeld", 0.80), ("kinderzuschlag", 0.79), ("kita-platz", 0.78)]
ENGLISH = "How do I apply for child benefit?"


@pytest.fixture(scope="module")
def detector() -> LangidDetector:
    return LangidDetector()


@pytest.fixture(scope="module")
def words_only(kb: KnowledgeBase, detector: LangidDetector) -> Dialogue:
    return Dialogue(kb, Config(), detector=detector)


def said(outcome: Outcome) -> list[str]:
    return [r.text for r in outcome.replies]


def german_answer(dialogue: Dialogue, entry: str) -> list[str]:
    return said(dialogue.views.answer(State(), dialogue.kb.entries[entry]))


def text(body: str, phone: str | None = None) -> Event:
    return Event(EventKind.TEXT, body, language=phone)


# --- the decision, with the nearest entries given ------------------------------------------


def test_a_near_clear_entry_is_answered_in_german_after_the_line(words_only: Dialogue) -> None:
    outcome = words_only.handle(State(), text(ENGLISH), nearest=NEAR)
    assert (outcome.kind, outcome.entry_id, outcome.by_meaning) == (
        OutcomeKind.ANSWER,
        "kindergeld",
        True,
    )
    assert said(outcome)[0].startswith(words_only.texts("other_language_en"))
    assert said(outcome)[1:] == german_answer(words_only, "kindergeld")
    assert outcome.summary()["by_meaning"] is True


def test_close_entries_are_offered(words_only: Dialogue) -> None:
    outcome = words_only.handle(State(), text(ENGLISH), nearest=CLOSE)
    assert outcome.kind is OutcomeKind.CLARIFY
    assert outcome.by_meaning
    assert outcome.candidates == ("kindergeld", "kinderzuschlag")
    titles = [b.label for row in outcome.replies[-1].buttons for b in row]
    assert titles[:2] == ["Kindergeld", "Kinderzuschlag"]
    assert said(outcome)[-1] == words_only.texts("clarify_intro")


def test_far_entries_leave_the_fallback_of_today(words_only: Dialogue) -> None:
    today = words_only.handle(State(), text(ENGLISH))
    outcome = words_only.handle(State(), text(ENGLISH), nearest=FAR)
    assert today.kind is OutcomeKind.FALLBACK
    assert (outcome.kind, said(outcome), outcome.by_meaning) == (today.kind, said(today), False)


def test_meaning_goes_before_german_looking_words_of_another_language(
    words_only: Dialogue,
) -> None:
    question = "Thank you, but my ex still does not pay child support"
    assert words_only.handle(State(), text(question)).entry_id == "bildung-teilhabe"  # „but"
    near = [("unterhalt-bleibt-aus", 0.92), ("unterhaltsvorschuss", 0.90)]
    outcome = words_only.handle(State(), text(question), nearest=near)
    assert (outcome.entry_id, outcome.by_meaning) == ("unterhalt-bleibt-aus", True)


def test_cyrillic_text_the_words_cannot_read_is_matched_by_meaning(words_only: Dialogue) -> None:
    outcome = words_only.handle(State(), text("Как получить детские деньги?"), nearest=NEAR)
    assert (outcome.kind, outcome.entry_id) == (OutcomeKind.ANSWER, "kindergeld")
    assert said(outcome)[0].startswith(words_only.texts("other_language_ru"))


# A German question the words alone leave to a fallback: its best candidate is `scheidung`.
UNSURE = "Wie lange dauert eine Scheidung ungefähr?"


def test_a_german_answer_of_the_words_stays_whatever_meaning_says(words_only: Dialogue) -> None:
    question = "Wie beantrage ich Kindergeld?"
    today = words_only.handle(State(), text(question))
    outcome = words_only.handle(State(), text(question), nearest=[("scheidung", 0.99)])
    assert today.kind is OutcomeKind.ANSWER
    assert (outcome.kind, outcome.entry_id, said(outcome), outcome.by_meaning) == (
        today.kind,
        today.entry_id,
        said(today),
        False,
    )


def test_german_words_and_meaning_agreeing_answer(words_only: Dialogue) -> None:
    today = words_only.handle(State(), text(UNSURE))
    outcome = words_only.handle(State(), text(UNSURE), nearest=[("scheidung", 0.93)])
    assert today.kind is OutcomeKind.FALLBACK
    assert today.candidates[0] == "scheidung"
    assert (outcome.kind, outcome.entry_id, outcome.by_meaning) == (
        OutcomeKind.ANSWER,
        "scheidung",
        True,
    )
    assert said(outcome)[: len(german_answer(words_only, "scheidung"))] == german_answer(
        words_only, "scheidung"
    )


def test_german_meaning_pointing_elsewhere_offers_both(words_only: Dialogue) -> None:
    nearest = [("sorgerecht", 0.92), ("scheidung", 0.91)]
    outcome = words_only.handle(State(), text(UNSURE), nearest=nearest)
    assert (outcome.kind, outcome.by_meaning) == (OutcomeKind.CLARIFY, True)
    assert outcome.candidates[:2] == ("sorgerecht", "scheidung")
    assert said(outcome)[-1] == words_only.texts("clarify_intro")


def test_german_meaning_far_away_leaves_the_fallback(words_only: Dialogue) -> None:
    today = words_only.handle(State(), text(UNSURE))
    outcome = words_only.handle(State(), text(UNSURE), nearest=FAR)
    assert (outcome.kind, said(outcome), outcome.by_meaning) == (today.kind, said(today), False)


@pytest.mark.parametrize("name", ["eval.yaml", "eval_holdout.yaml", "matcher_a.yaml"])
def test_meaning_below_every_band_changes_no_german_decision(
    kb: KnowledgeBase, detector: LangidDetector, words_only: Dialogue, name: str
) -> None:
    """The bands hold: meaning that is near nothing keeps every decision of the words."""
    asked: list[str] = []

    def nearest(question: str) -> list[tuple[str, float]]:
        asked.append(question)
        return list(FAR)

    by_meaning = Dialogue(kb, Config(), detector=detector, nearest=nearest)
    questions = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["questions"]
    for question in questions:
        before = words_only.ask(question["text"])
        after = by_meaning.ask(question["text"])
        if after.language is None:
            assert (after.kind, after.entry_id, after.candidates, said(after)) == (
                before.kind,
                before.entry_id,
                before.candidates,
                said(before),
            ), question["text"]
    assert len(asked) >= len(questions) // 2  # German questions are read by meaning too


# --- through the use case: encoded off the loop ---------------------------------------------


class FakeMeaning:
    """The nearest entries the use case would get from its encoder; records what it encoded."""

    def __init__(self, nearest: Sequence[tuple[str, float]] | None) -> None:
        self.result = nearest
        self.texts: list[str] = []

    async def nearest(self, body: str) -> Sequence[tuple[str, float]] | None:
        self.texts.append(body)
        return self.result


async def send(dialogue: Dialogue, body: str, meaning: object | None) -> Outcome:
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    use_case = Conversation(dialogue, MemoryStore(), clock, BERLIN, nearest=meaning)  # type: ignore[arg-type]
    return await use_case.handle(Parent(7, "en"), Event(EventKind.TEXT, body))


async def test_the_use_case_encodes_every_typed_message(words_only: Dialogue) -> None:
    meaning = FakeMeaning(NEAR)
    german = await send(words_only, "Wie beantrage ich Kindergeld?", meaning)
    assert meaning.texts == ["Wie beantrage ich Kindergeld?"]
    assert (german.entry_id, german.by_meaning) == ("kindergeld", False)
    english = await send(words_only, ENGLISH, meaning)
    assert meaning.texts[-1] == ENGLISH
    assert (english.kind, english.entry_id, english.by_meaning) == (
        OutcomeKind.ANSWER,
        "kindergeld",
        True,
    )


@pytest.mark.parametrize("meaning", [None, FakeMeaning(None)], ids=["encoder off", "busy"])
async def test_without_the_encoder_the_fallback_of_today(
    words_only: Dialogue, meaning: FakeMeaning | None
) -> None:
    outcome = await send(words_only, ENGLISH, meaning)
    assert outcome.kind is OutcomeKind.FALLBACK
    assert said(outcome)[0].startswith(words_only.texts("other_language_none_en"))


# --- the real model (x86-64 with AVX2 and FMA) ------------------------------------------------


@pytest.fixture(scope="module")
def real_meaning(kb: KnowledgeBase) -> AsyncNearest:
    loaded = load_e5()
    if loaded.encoder is None:
        pytest.skip(f"the real encoder cannot run on this machine: {loaded.reason}")
    config = load_config(None, environ={})
    from bot.frontends.startup import load_setup

    shipped = load_setup(None).kb
    assert prepare_index(config, shipped).startswith("semantic index")
    index = cached_index(shipped, config.knowledge_dir, loaded.encoder.model_id)
    assert index is not None
    return AsyncNearest(AsyncEncoder(loaded.encoder), index)


@pytest.mark.parametrize(
    ("question", "code", "entry"),
    [
        (ENGLISH, "en", "kindergeld"),
        ("Babası çocuğu görmek istemiyor", "tr", "umgang-verweigern"),
        ("Ребёнок заболел, и я не могу пойти на работу. Мне заплатят?", "ru", "kinderkrankentage"),
    ],
)
async def test_a_question_in_another_language_gets_the_german_entry(
    words_only: Dialogue, real_meaning: AsyncNearest, question: str, code: str, entry: str
) -> None:
    outcome = await send(words_only, question, real_meaning)
    assert (outcome.kind, outcome.entry_id, outcome.by_meaning) == (
        OutcomeKind.ANSWER,
        entry,
        True,
    )
    assert said(outcome)[0].startswith(words_only.texts(f"other_language_{code}"))
    assert said(outcome)[1:] == german_answer(words_only, entry)


def test_ask_json_says_the_answer_came_from_meaning(real_meaning: AsyncNearest) -> None:
    result = run("ask", "--json", ENGLISH)
    assert result.returncode == 0, result.stderr
    answered = json.loads(result.stdout)
    assert (answered["kind"], answered["id"], answered["by_meaning"]) == (
        "answer",
        "kindergeld",
        True,
    )


def test_the_bands_come_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("encoder:\n  answer_cosine: 0.9\n  clarify_cosine: 0.8\n", encoding="utf-8")
    bands = load_config(path, environ={}).encoder
    assert (bands.answer_cosine, bands.clear_lead, bands.clarify_cosine) == (0.9, 0.0075, 0.8)
    path.write_text("encoder:\n  answer_cosine: 0.8\n  clarify_cosine: 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'encoder.clarify_cosine' ≤ 'encoder.answer_cosine'"):
        load_config(path, environ={})


@pytest.mark.parametrize("key", ["clear_lead", "agree_cosine", "offer_cosine", "doubt_cosine"])
def test_a_band_outside_0_to_1_is_refused(tmp_path: Path, key: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"encoder:\n  {key}: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"'encoder.{key}' must lie within 0–1"):
        load_config(path, environ={})
