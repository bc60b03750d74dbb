from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.callbacks import ButtonData, Press, Reason, decode
from bot.dialogue.core import Dialogue
from bot.dialogue.model import (
    DeleteUser,
    Outcome,
    OutcomeKind,
    Placement,
    RecordUnanswered,
    State,
    Vote,
    VoteReason,
)
from bot.events import Event, EventKind
from bot.frontends.plain import flat_buttons


def labels(outcome: Outcome) -> list[str]:
    return [b.label for r in outcome.replies for b in flat_buttons(r)]


def data_of(outcome: Outcome) -> list[str]:
    return [b.data for r in outcome.replies for b in flat_buttons(r)]


def test_answer_carries_related_feedback_and_counsellor_buttons(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.TEXT, "wie viel kindergeld bekomme ich"))
    assert outcome.kind is OutcomeKind.ANSWER
    assert outcome.entry_id == "kindergeld"
    reply = outcome.replies[0]
    assert "259 €" in reply.text
    assert reply.footer
    assert "§ 66 EStG" in reply.footer
    assert "Stand: " in reply.footer
    presses = [decode(d) for d in data_of(outcome)]
    assert ButtonData(Press.ENTRY, ("kinderzuschlag",)) in presses
    assert ButtonData(Press.FEEDBACK, ("kindergeld", "+")) in presses
    assert ButtonData(Press.FEEDBACK, ("kindergeld", "-")) in presses
    assert ButtonData(Press.HANDOFF) in presses
    assert outcome.state.last_entry == "kindergeld"


def test_flow_and_handoff_entries_report_their_kind(dialogue: Dialogue) -> None:
    assert dialogue.ask("mein ex zahlt seit monaten nix mehr was tun").kind is OutcomeKind.FLOW
    assert (
        dialogue.press(State(), ButtonData(Press.ENTRY, ("beratung-kontakt",)).encode()).kind
        is OutcomeKind.HANDOFF
    )


def test_clarify_then_press_candidate_or_none(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.TEXT, "Geld fürs Kind"))
    assert outcome.kind is OutcomeKind.CLARIFY, outcome.kind
    assert 1 <= len(outcome.candidates) <= 3
    assert outcome.state.pending_question == "Geld fürs Kind"
    buttons = data_of(outcome)
    first = dialogue.handle(outcome.state, Event(EventKind.BUTTON, buttons[0]))
    assert first.entry_id == outcome.candidates[0]
    assert first.state.pending_question is None
    none = dialogue.handle(outcome.state, Event(EventKind.BUTTON, buttons[-1]))
    assert none.actions == (RecordUnanswered("Geld fürs Kind"),)
    assert none.state.pending_question is None
    assert "merke ich mir" in none.replies[0].text
    # Newcomer D31: „Keins davon" on an older question keeps nothing, so it promises nothing.
    older = dialogue.handle(none.state, Event(EventKind.BUTTON, buttons[-1]))
    assert older.actions == ()
    assert "merke ich mir" not in older.replies[0].text


def test_fallback_records_the_redacted_question(dialogue: Dialogue) -> None:
    outcome = dialogue.ask("Wie wird das Wetter morgen? Ruf mich an 0171 2345678")
    assert outcome.kind is OutcomeKind.FALLBACK
    (action,) = outcome.actions
    assert isinstance(action, RecordUnanswered)
    assert "2345678" not in action.text
    # Without counselling the person button says what it does (newcomer D21).
    assert "📍 Beratungsstellen finden" in labels(outcome)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "1:e:gibt-es-nicht",
        "1:f:gibt-es-nicht:+",
        "1:c:nope",
        "0:m",
        "1:e:" + "a" * 70,
    ],
)
def test_stale_or_forged_buttons_show_the_menu(dialogue: Dialogue, data: str) -> None:
    outcome = dialogue.handle(State(last_entry="kindergeld"), Event(EventKind.BUTTON, data))
    assert outcome.kind is OutcomeKind.STALE
    assert outcome.replies[0].text == dialogue.texts("stale_button")
    menu = {Press.CATEGORY, Press.FLOWS}
    assert all(decode(d).press in menu for d in data_of(outcome))  # type: ignore[union-attr]
    assert outcome.state == State(last_entry="kindergeld")


def test_feedback_up_and_down_with_reason(dialogue: Dialogue) -> None:
    up = dialogue.press(State(), "1:f:kindergeld:+")
    assert up.actions == (Vote("kindergeld", helpful=True),)
    down = dialogue.press(State(), "1:f:kindergeld:-")
    assert down.actions == (Vote("kindergeld", helpful=False),)
    assert down.replies[0].text == dialogue.texts("feedback_ask_down")
    reason = dialogue.press(State(), data_of(down)[0])
    assert reason.actions == (VoteReason("kindergeld", Reason.WRONG_TOPIC),)


def test_a_vote_takes_the_vote_row_off_the_answer(dialogue: Dialogue) -> None:
    up = dialogue.press(State(), "1:f:kindergeld:+")
    assert up.pressed_keyboard is not None
    presses = {decode(b.data).press for row in up.pressed_keyboard for b in row}  # type: ignore[union-attr]
    assert Press.FEEDBACK not in presses
    assert Press.HANDOFF in presses


def test_menu_categories_and_entries(dialogue: Dialogue) -> None:
    start = dialogue.handle(State(last_entry="x"), Event(EventKind.START))
    assert start.state == State()
    assert "Datenschutz" in start.replies[0].text
    category = dialogue.press(State(), data_of(start)[0])
    entries = [decode(d) for d in data_of(category)]
    assert entries[0] is not None
    assert entries[0].press is Press.ENTRY
    assert entries[-1] == ButtonData(Press.BACK)
    assert category.replies[0].placement is Placement.REPLACE_PRESSED
    back = dialogue.press(State(), data_of(category)[-1])
    assert back.replies[0].placement is Placement.REPLACE_PRESSED
    # "Alle Themen" under an answer opens the menu as a new message: the answer stays.
    assert dialogue.press(State(), "1:m").replies[0].placement is Placement.NEW


def test_delete_asks_first_then_deletes(dialogue: Dialogue) -> None:
    ask = dialogue.handle(State(last_entry="kindergeld"), Event(EventKind.DELETE))
    yes, no = data_of(ask)
    assert dialogue.press(State(last_entry="kindergeld"), no).actions == ()
    done = dialogue.press(State(last_entry="kindergeld"), yes)
    assert done.actions == (DeleteUser(),)
    assert done.state == State()


def test_state_round_trips_and_tolerates_garbage() -> None:
    state = State(last_entry="kindergeld", pending_question="frage")
    assert State.from_dict(state.to_dict()) == state
    for garbage in (None, [], {"v": 99}, {"v": 1, "last": 5}):
        assert State.from_dict(garbage).pending_question is None


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("", OutcomeKind.INFO, "empty_input"),
        ("   \n\t ", OutcomeKind.INFO, "empty_input"),
        ("🙂🙂🙂", OutcomeKind.FALLBACK, "no_words"),
        ("\x00\x01\x02", OutcomeKind.INFO, "empty_input"),
        ("Привет, как дела?", OutcomeKind.FALLBACK, "other_language"),
        ("مرحبا كيف حالك", OutcomeKind.FALLBACK, "other_language"),
    ],
)
def test_odd_input_gets_a_clear_reply(
    dialogue: Dialogue, text: str, kind: OutcomeKind, key: str
) -> None:
    outcome = dialogue.ask(text)
    assert outcome.kind is kind
    assert outcome.replies[0].text == dialogue.texts(key)


def test_giant_message_is_truncated_and_still_answered(dialogue: Dialogue) -> None:
    text = "Wie viel Kindergeld bekomme ich? " + "bla " * 5000
    assert len(text) > 20000
    outcome = dialogue.ask(text)
    assert outcome.replies[0].text.startswith("(Ihre Nachricht war sehr lang")
    assert outcome.candidates
    assert outcome.candidates[0] == "kindergeld"


def test_non_text_messages_get_a_text_only_hint(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.NON_TEXT))
    assert outcome.replies[0].text == dialogue.texts("non_text")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=400), state_last=st.sampled_from([None, "kindergeld", "nope"]))
def test_any_text_gives_a_valid_reply(
    dialogue: Dialogue, text: str, state_last: str | None
) -> None:
    outcome = dialogue.handle(State(last_entry=state_last), Event(EventKind.TEXT, text))
    assert outcome.replies
    assert all(r.text.strip() for r in outcome.replies)
    for data in data_of(outcome):
        assert decode(data) is not None
        assert len(data.encode()) <= 64
    assert 0 <= outcome.score <= 100


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.text(max_size=80))
def test_any_button_data_gives_a_valid_reply(dialogue: Dialogue, data: str) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.BUTTON, data))
    assert outcome.replies
    assert outcome.replies[0].text


def test_the_only_plausible_entry_is_answered_with_alternatives(dialogue: Dialogue) -> None:
    outcome = dialogue.ask("Zuschuss vom Amt für die Miete")
    assert outcome.kind is OutcomeKind.ANSWER
    answer, others = outcome.replies
    assert others.text == dialogue.texts("alternatives_intro")
    offered = [decode(b.data) for row in others.buttons for b in row]
    assert ButtonData(Press.NONE_OF_THESE) in offered
    assert {p.args[0] for p in offered if p and p.press is Press.ENTRY} == set(
        outcome.candidates[1:]
    )
    assert outcome.state.pending_question == "Zuschuss vom Amt für die Miete"


@pytest.mark.parametrize("text", ["nein", "ok", "weiß ich nicht", "keine ahnung", "3", "hmm"])
def test_messages_that_ask_nothing_get_no_entry(dialogue: Dialogue, text: str) -> None:
    outcome = dialogue.ask(text)
    assert outcome.kind is OutcomeKind.SMALLTALK
    assert outcome.entry_id is None


@pytest.mark.parametrize("text", ["ich bin am Ende", "ich kann nicht mehr"])
def test_distress_without_a_question_leads_to_help(dialogue: Dialogue, text: str) -> None:
    outcome = dialogue.ask(text)
    assert outcome.kind is OutcomeKind.ANSWER
    assert outcome.entry_id == "psychische-belastung"
    assert outcome.replies[-1].text.startswith(dialogue.kb.crisis.concern)
    assert "mit einer Beraterin" not in outcome.replies[-1].text  # none is configured
    assert outcome.summary()["crisis"]["level"] == "concern"


def test_out_of_scope_text_falls_back_instead_of_guessing(dialogue: Dialogue) -> None:
    assert dialogue.ask("Wie backe ich eine Lasagne mit Spinat?").kind is OutcomeKind.FALLBACK


def test_events_commands_become_actions(dialogue: Dialogue) -> None:
    from bot.dialogue.model import ChangeSubscription, ShowEvents

    assert dialogue.handle(State(), Event(EventKind.EVENTS)).actions == (ShowEvents(),)
    assert dialogue.handle(State(), Event(EventKind.SUBSCRIBE)).actions == (
        ChangeSubscription(None),
    )
    assert dialogue.handle(State(), Event(EventKind.UNSUBSCRIBE)).actions == (
        ChangeSubscription("off"),
    )


def test_a_question_in_advance_is_the_next_text_redacted(dialogue: Dialogue) -> None:
    from bot.dialogue.model import AskQuestion

    asked = dialogue.handle(State(), Event(EventKind.BUTTON, "1:i:7:q"))
    assert asked.state.question_event == 7
    sent = dialogue.handle(asked.state, Event(EventKind.TEXT, "Zählt das Kindergeld? 0171 1234567"))
    (action,) = sent.actions
    assert isinstance(action, AskQuestion)
    assert action.event_id == 7
    assert "1234567" not in action.text
    assert sent.state.question_event is None


def test_a_crisis_while_a_question_is_pending_gets_the_hotlines(dialogue: Dialogue) -> None:
    asked = dialogue.handle(State(), Event(EventKind.BUTTON, "1:i:7:q"))
    outcome = dialogue.handle(asked.state, Event(EventKind.TEXT, "Ich will nicht mehr leben"))
    assert outcome.kind is OutcomeKind.CRISIS
    assert not [a for a in outcome.actions if type(a).__name__ == "AskQuestion"]


@pytest.mark.parametrize("data", ["1:i:7:z", "1:i:x:r", "1:i:7", "1:w:", "1:z:a"])
def test_forged_event_buttons_are_stale(dialogue: Dialogue, data: str) -> None:
    assert dialogue.handle(State(), Event(EventKind.BUTTON, data)).kind is OutcomeKind.STALE


@pytest.mark.parametrize("data", ["1:q:-", "1:q:x", "1:q:1234567890"])
def test_a_forged_comment_button_is_stale(dialogue: Dialogue, data: str) -> None:
    # Found by the handler fuzzer: the case number was read without checking it is one.
    assert dialogue.handle(State(), Event(EventKind.BUTTON, data)).kind is OutcomeKind.STALE
