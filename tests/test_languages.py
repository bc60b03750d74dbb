"""Questions in other languages: a line in the parent's language before the German reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Conversation, Parent
from bot.detector.langid import LangidDetector
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, OutcomeKind, State
from bot.events import Event, EventKind
from bot.language.languages import Detected, LanguageGuess, Line
from bot.storage.memory import MemoryStore
from tests.test_conversation import BERLIN, FixedClock
from tests.test_dialogue_during_case import COUNSELLING

DATA = Path(__file__).parent / "data"


class FixedDetector:
    """A detector that always gives the same ranking (and counts how often it was asked)."""

    def __init__(self, *ranking: tuple[str, float]) -> None:
        self.ranking = ranking
        self.calls = 0

    def rank(self, text: str) -> Sequence[tuple[str, float]]:
        self.calls += 1
        return self.ranking


@pytest.fixture(scope="module")
def detector() -> LangidDetector:
    return LangidDetector()


@pytest.fixture(scope="module")
def multilingual(kb: KnowledgeBase, detector: LangidDetector) -> Dialogue:
    return Dialogue(kb, Config(), detector=detector)


@pytest.fixture(scope="module")
def with_counsellors(kb: KnowledgeBase, detector: LangidDetector) -> Dialogue:
    return Dialogue(kb, Config(counselling=COUNSELLING), detector=detector)


def said(outcome: Outcome) -> list[str]:
    return [r.text for r in outcome.replies]


# --- the rules around the detector ---------------------------------------------------------


@pytest.mark.parametrize("text", ["ok", "danke", "123", "Sorgerecht", "Kita Platz", "Hallo!"])
def test_short_latin_texts_stay_german_without_asking_the_detector(text: str) -> None:
    english = FixedDetector(("en", 0.99))
    assert LanguageGuess(english).of(text, "en") is None
    assert english.calls == 0


def test_a_clear_guess_on_a_longer_text_is_taken() -> None:
    guess = LanguageGuess(FixedDetector(("en", 0.9), ("de", 0.05)))
    assert guess.of("how do I get help") == Detected("en")


def test_an_unsure_guess_stays_german_unless_it_is_her_phones_language() -> None:
    guess = LanguageGuess(FixedDetector(("tr", 0.41), ("de", 0.39)))
    assert guess.of("Kindergeld ne kadar?") is None
    assert guess.of("Kindergeld ne kadar?", "tr") == Detected("tr")


def test_a_german_text_from_a_phone_set_to_english_is_german() -> None:
    guess = LanguageGuess(FixedDetector(("de", 0.95), ("en", 0.03)))
    assert guess.of("Mein Ex zahlt keinen Unterhalt mehr", "en") is None


def test_a_mix_with_german_words_is_german_unless_her_phone_says_otherwise() -> None:
    guess = LanguageGuess(FixedDetector(("en", 0.9), ("de", 0.1)))
    mixed = "my ex took our daughter to Poland without asking me, ich weiß nicht"
    assert guess.of(mixed) is None
    assert guess.of(mixed, "en-GB") == Detected("en")
    # Mostly German words (the knowledge base's long ones count) stay German even then.
    known = LanguageGuess(FixedDetector(("en", 0.63)), frozenset({"experten", "termine"}))
    assert known.of("experten chat termine", "en") is None


def test_another_script_is_not_german_even_when_short_and_the_phone_breaks_ties() -> None:
    close = FixedDetector(("ru", 0.45), ("uk", 0.39), ("bg", 0.08))
    assert LanguageGuess(close).of("Привет") == Detected("ru")
    assert LanguageGuess(close).of("Хто платить за житло?", "uk") == Detected("uk")
    assert LanguageGuess(close).of("Хто платить за житло?", "de") == Detected("ru")


def test_languages_without_a_line_of_their_own_get_the_english_one() -> None:
    assert Detected("fr").line is Line.ENGLISH
    assert Detected("uk").line is Line.UKRAINIAN


# --- what the parent sees ----------------------------------------------------------------

QUESTIONS = {
    "en": "My ex-husband stopped paying child support. What can I do in Germany?",
    "tr": "Eski kocam nafaka ödemeyi bıraktı. Ne yapabilirim?",
    "uk": "Мій колишній чоловік перестав платити аліменти. Що мені робити?",
    "ar": "توقف زوجي السابق عن دفع النفقة. ماذا أفعل؟",
    "ru": "Мой бывший муж перестал платить алименты. Что мне делать?",
}


def asked(dialogue: Dialogue, question: str, kind: OutcomeKind, code: str) -> Outcome:
    """Ask a question; check the decision and the language read."""
    outcome = dialogue.ask(question)
    assert (outcome.kind, outcome.language) == (kind, code)
    return outcome


@pytest.mark.parametrize(("code", "question"), QUESTIONS.items())
def test_a_question_in_another_language_starts_with_a_line_in_that_language(
    multilingual: Dialogue, code: str, question: str
) -> None:
    t = multilingual.texts
    first = asked(multilingual, question, OutcomeKind.FALLBACK, code).replies[0]
    # The fallback itself starts with the line: no answer, the Hilfetelefon's 18 languages, and
    # the counselling places (no counsellors in this set-up), then the German fallback.
    line = " ".join(
        [
            t(f"other_language_none_{code}"),
            t(f"other_language_violence_{code}"),
            t(f"other_language_elsewhere_{code}", button=t("button_find_counselling")),
        ]
    )
    assert first.text.startswith(line)
    assert "116 016" in first.text
    assert first.buttons[0][0].label == t("button_find_counselling")


def test_the_english_question_of_the_newcomer_report_gets_english_first(
    multilingual: Dialogue,
) -> None:
    text = multilingual.ask(QUESTIONS["en"]).replies[0].text
    assert text.startswith("I can only answer in German so far")
    assert "Dazu habe ich leider keine passende Antwort" in text


@pytest.mark.parametrize(
    ("code", "question"),
    [
        ("uk", "Скільки становить Kindergeld?"),
        ("ru", "Сколько составляет Kindergeld?"),
        ("ar", "كم هو Kindergeld؟"),
    ],
)
def test_a_confident_german_answer_comes_after_the_line(
    with_counsellors: Dialogue, code: str, question: str
) -> None:
    t = with_counsellors.texts
    outcome = asked(with_counsellors, question, OutcomeKind.ANSWER, code)
    assert outcome.entry_id == "kindergeld"
    counsel = t(f"other_language_counsel_{code}", button=t("button_handoff"))
    assert said(outcome)[0] == f"{t(f'other_language_{code}')} {counsel}"
    assert outcome.replies[0].buttons[0][0].label == t("button_handoff")
    assert outcome.replies[1].title == with_counsellors.kb.entries["kindergeld"].title


def test_a_crisis_in_english_still_gets_the_hotlines_first(multilingual: Dialogue) -> None:
    outcome = multilingual.ask("My husband hits me and I am afraid he will kill me")
    assert outcome.kind is OutcomeKind.CRISIS
    hotlines, line = said(outcome)[:2]
    assert "110" in hotlines
    assert "116 016" in hotlines
    assert line.startswith(multilingual.texts("other_language_en"))
    assert "18 languages" in line


def test_another_language_gets_the_english_line(multilingual: Dialogue) -> None:
    outcome = multilingual.ask("Mon ex ne paie plus la pension alimentaire, que faire?")
    assert outcome.language == "fr"
    assert said(outcome)[0].startswith(multilingual.texts("other_language_none_en"))


GERMAN = [
    "ok",
    "danke",
    "123",
    "Hallo",
    "Kindergeld",
    "Sorgerecht",
    "Babysitter",
    "Homeoffice",
    "Babysitter gesucht, was kostet das?",
    "Wer zahlt den Babysitter wenn ich im Homeoffice bin?",
    "Homeoffice mit Kind, geht das?",
    "wie beantrage ich kindergelt",
    "unterhaltsvorschus beantragn",
    "ich nix verstehen brief jobcenter",
    "Mein Ex zahlt keinen Unterhalt mehr",
    "Ich will nicht mehr leben",
]


@pytest.mark.parametrize("question", GERMAN)
@pytest.mark.parametrize("phone", [None, "de", "en"])
def test_german_questions_are_answered_as_before(
    dialogue: Dialogue, multilingual: Dialogue, question: str, phone: str | None
) -> None:
    before, after = dialogue.ask(question), multilingual.ask(question, phone)
    assert after.language is None
    assert said(after) == said(before)
    assert (after.kind, after.entry_id) == (before.kind, before.entry_id)


@pytest.mark.parametrize("name", ["eval.yaml", "eval_holdout.yaml", "languages_tuning.yaml"])
def test_the_labelled_sets_keep_their_german_decisions(
    dialogue: Dialogue, multilingual: Dialogue, name: str
) -> None:
    """Every decision stays; a line is added only where the question is not in German."""
    questions = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["questions"]
    lines = 0
    for question in questions:
        before, after = dialogue.ask(question["text"]), multilingual.ask(question["text"])
        assert (after.kind, after.entry_id, after.candidates) == (
            before.kind,
            before.entry_id,
            before.candidates,
        ), question["text"]
        if question.get("lang", "de") == "de" and after.language is not None:
            lines += 1  # the eval sets hold out-of-scope questions written in English
            assert after.language == "en", question["text"]
    assert lines <= 2


# --- through the use case: the phone's language, the counters -----------------------------


async def send(dialogue: Dialogue, text: str, phone: str | None) -> tuple[Outcome, dict[str, int]]:
    """Send one text as a parent whose phone is set to `phone`; return the outcome and counters."""
    store = MemoryStore()
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    use_case = Conversation(dialogue, store, clock, BERLIN)
    outcome = await use_case.handle(Parent(7, phone), Event(EventKind.TEXT, text))
    return outcome, await store.counters(date(2026, 3, 2))


async def test_her_phones_language_decides_a_close_call_and_is_counted(
    multilingual: Dialogue,
) -> None:
    outcome, counters = await send(multilingual, "Хто платить за житло?", "uk")
    assert said(outcome)[0].startswith(multilingual.texts("other_language_none_uk"))
    assert counters["language_uk"] == 1
    assert counters["fallback"] == 1


async def test_a_german_question_from_an_english_phone_counts_no_language(
    multilingual: Dialogue,
) -> None:
    outcome, counters = await send(multilingual, "Mein Ex zahlt keinen Unterhalt mehr", "en")
    assert outcome.language is None
    assert not any(k.startswith("language_") for k in counters)


def test_a_rating_comment_in_another_language_is_passed_on_without_a_line(
    multilingual: Dialogue,
) -> None:
    state = replace(State(), comment_case=3)
    outcome = multilingual.handle(state, Event(EventKind.TEXT, QUESTIONS["en"], language="en"))
    assert outcome.language is None
    assert said(outcome) == [multilingual.texts("case_comment_thanks")]
