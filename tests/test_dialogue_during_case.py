"""Newcomer D12 and D30 in the dialogue core: an open case, the flow reminder, a lone 😢."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import CaseInProgress, Outcome, OutcomeKind, State
from bot.events import Event, EventKind
from bot.frontends.plain import flat_buttons
from tests.test_counselling import CONFIG as COUNSELLING

FLOW = "unterhalt-bleibt-aus"
PAUSED = "Sie sind noch mitten im Ablauf"
CLAIMED = "Sie sind bereits mit Beraterin Anna verbunden. Schreiben Sie einfach hier weiter."
WAITING = "Ihre Anfrage #3 ist bei unserem Beratungsteam eingegangen."


@pytest.fixture(scope="module")
def counselled(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config(counselling=COUNSELLING))


def texts(outcome: Outcome) -> list[str]:
    return [r.text for r in outcome.replies]


def labels(outcome: Outcome) -> list[str]:
    return [b.label for r in outcome.replies for b in flat_buttons(r)]


def press(data: str) -> Event:
    return Event(EventKind.BUTTON, data)


def nags(outcome: Outcome) -> int:
    return sum(t.startswith(PAUSED) for t in texts(outcome))


# --- D12: during a case -------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        press(f"1:s:{FLOW}"),  # „▶️ Plan …" under a canned /antwort
        press("1:h"),  # „💬 Mit einer Beraterin sprechen"
        press("1:e:beratung-kontakt"),  # the contact entry leads to the consent
        press("1:g"),  # the list of flows
        Event(EventKind.COUNSEL),  # /beratung
    ],
)
def test_during_a_claimed_case_nothing_starts_a_flow_or_the_consent(
    counselled: Dialogue, event: Event
) -> None:
    case = CaseInProgress("Beraterin Anna", 3)
    outcome = counselled.handle(State(), event, case)
    assert texts(outcome) == [counselled.text_of("case_connected_claimed", name="Beraterin Anna")]
    assert texts(outcome)[0].startswith(CLAIMED)
    assert outcome.actions == ()
    assert outcome.state.flow is None
    assert labels(outcome) == []


def test_before_a_claim_the_request_number_is_named(counselled: Dialogue) -> None:
    outcome = counselled.handle(State(), press("1:h"), CaseInProgress(None, 3))
    (text,) = texts(outcome)
    assert text.startswith(WAITING)
    assert "Anna" not in text


def test_other_buttons_still_work_during_a_case(counselled: Dialogue) -> None:
    outcome = counselled.handle(State(), press("1:e:kindergeld"), CaseInProgress("Beraterin Anna"))
    assert outcome.kind is OutcomeKind.ANSWER
    assert texts(outcome)[0].startswith("Das Kindergeld")


def test_without_a_case_the_buttons_work_as_before(counselled: Dialogue) -> None:
    assert counselled.handle(State(), press("1:h")).kind is OutcomeKind.HANDOFF
    assert counselled.handle(State(), press(f"1:s:{FLOW}")).state.flow is not None


# --- D12: the flow reminder ---------------------------------------------------------------


def test_the_flow_reminder_comes_once_per_interruption(dialogue: Dialogue) -> None:
    started = dialogue.handle(State(), press(f"1:s:{FLOW}"))
    first = dialogue.handle(started.state, Event(EventKind.TEXT, "Wie viel Kindergeld gibt es?"))
    assert first.kind is OutcomeKind.ANSWER
    assert nags(first) == 1
    second = dialogue.handle(first.state, Event(EventKind.TEXT, "Und Wohngeld?"))
    third = dialogue.handle(second.state, Event(EventKind.HELP))
    assert nags(second) == nags(third) == 0
    assert third.state.flow == started.state.flow  # the flow is kept, only not nagged about
    # Touching the flow again ends the interruption: the next detour is reminded of once more.
    resumed = dialogue.handle(third.state, press(f"1:k:{FLOW}:w"))
    assert resumed.kind is OutcomeKind.FLOW
    again = dialogue.handle(resumed.state, Event(EventKind.TEXT, "Und Wohngeld?"))
    assert nags(again) == 1


def test_the_paused_mark_survives_storage(dialogue: Dialogue) -> None:
    started = dialogue.handle(State(), press(f"1:s:{FLOW}"))
    first = dialogue.handle(started.state, Event(EventKind.TEXT, "Wie viel Kindergeld gibt es?"))
    stored = State.from_dict(first.state.to_dict())
    assert nags(dialogue.handle(stored, Event(EventKind.TEXT, "Und Wohngeld?"))) == 0


def test_sending_the_request_leaves_the_flow(counselled: Dialogue) -> None:
    started = counselled.handle(State(), press(f"1:s:{FLOW}"))
    consent = counselled.handle(started.state, press("1:h"))
    assert consent.kind is OutcomeKind.HANDOFF
    assert nags(consent) == 0  # the consent step is a step she chose, not a detour
    sent = counselled.handle(consent.state, press("1:a:s"))
    assert sent.state.flow is None
    assert nags(sent) == 0
    # After the case (rated, then a new question) nothing reminds her of the old flow.
    rated = counselled.handle(sent.state, press("1:t:1:4"))
    later = counselled.handle(rated.state, Event(EventKind.TEXT, "Wie viel Kindergeld gibt es?"))
    assert nags(rated) == nags(later) == 0


def test_cancelling_the_consent_reminds_of_the_flow(counselled: Dialogue) -> None:
    started = counselled.handle(State(), press(f"1:s:{FLOW}"))
    consent = counselled.handle(started.state, press("1:h"))
    cancelled = counselled.handle(consent.state, press("1:a:x"))
    assert nags(cancelled) == 1


# --- D30: a lone sad emoji ----------------------------------------------------------------


@pytest.mark.parametrize("emoji", ["😢", "😭", "💔", "😢😢", "☹️"])
def test_a_lone_sad_emoji_gets_warmth_and_a_person(counselled: Dialogue, emoji: str) -> None:
    outcome = counselled.handle(State(), Event(EventKind.TEXT, emoji))
    (text,) = texts(outcome)
    assert text.startswith("Das tut mir leid")
    assert counselled.text_of("counsel_offer") in text
    assert "nur Text mit Wörtern" not in text
    assert labels(outcome) == ["💬 Mit einer Beraterin sprechen"]


def test_without_counselling_the_sad_emoji_points_to_the_counselling_places(
    dialogue: Dialogue,
) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.TEXT, "😢"))
    (text,) = texts(outcome)
    assert text.startswith("Das tut mir leid")
    assert dialogue.text_of("counsel_elsewhere") in text
    assert "hier mit einer Beraterin" not in text
    assert labels(outcome) == ["📍 Beratungsstellen finden"]


def test_other_emoji_still_ask_for_words(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.TEXT, "😂👍"))
    assert texts(outcome) == [dialogue.text_of("no_words")]
