"""The parents' use case through its ports: in-memory store, fixed clock, no Telegram."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.conversation.service import Conversation, Parent
from bot.dialogue.core import Dialogue
from bot.dialogue.model import CaseInProgress, Outcome, OutcomeKind, State
from bot.events import Event, EventKind
from bot.language.crisis_meaning import MeaningVerdict
from bot.locks import LockRegistry
from bot.storage.memory import MemoryStore

BERLIN = ZoneInfo("Europe/Berlin")
PARENT = Parent(7, "de")


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def conversation(
    dialogue: Dialogue, store: MemoryStore, moment: datetime | None = None
) -> Conversation:
    clock = FixedClock(moment or datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    return Conversation(dialogue, store, clock, BERLIN)


def text(value: str) -> Event:
    return Event(EventKind.TEXT, value)


def press(data: str) -> Event:
    return Event(EventKind.BUTTON, data)


async def test_an_answer_is_saved_and_counted_on_the_local_day(dialogue: Dialogue) -> None:
    store = MemoryStore()
    # 23:30 UTC on 1 March is already 2 March in Berlin: counters use the local calendar day.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    outcome = await conversation(dialogue, store, late).handle(PARENT, text("kindergeld höhe"))
    assert outcome.kind is OutcomeKind.ANSWER
    assert await store.counters(date(2026, 3, 2)) == {"messages": 1, "answer": 1}
    saved = State.from_dict(await store.load_state(PARENT.id))
    assert saved.last_entry == "kindergeld"
    info = await store.user_info(PARENT.id)
    assert info is not None
    assert info.language == "de"


async def test_votes_reasons_and_unanswered_questions_are_stored(dialogue: Dialogue) -> None:
    store = MemoryStore()
    use_case = conversation(dialogue, store)
    await use_case.handle(PARENT, press("1:f:kindergeld:+"))
    await use_case.handle(PARENT, press("1:f:wohngeld:-"))
    await use_case.handle(PARENT, press("1:r:wohngeld:v"))
    await use_case.handle(PARENT, text("Wie backe ich eine Lasagne?"))
    summary = {s.entry_id: (s.helpful, s.not_helpful) for s in await store.feedback_summary()}
    assert summary == {"kindergeld": (1, 0), "wohngeld": (0, 1)}
    assert [q.text for q in await store.unanswered()] == ["Wie backe ich eine Lasagne?"]


async def test_delete_removes_everything_and_saves_nothing_after(dialogue: Dialogue) -> None:
    store = MemoryStore()
    use_case = conversation(dialogue, store)
    await use_case.handle(PARENT, text("kindergeld"))
    await use_case.handle(PARENT, press("1:f:kindergeld:+"))
    assert await store.user_exists(PARENT.id)
    await use_case.handle(PARENT, press("1:d:y"))
    assert not await store.user_exists(PARENT.id)


async def test_the_delete_question_is_asked_only_when_there_is_something(
    dialogue: Dialogue,
) -> None:
    """Newcomer D32: the confirmation loses its buttons; a second /loeschen says nothing is kept."""
    store = MemoryStore()
    use_case = conversation(dialogue, store)
    await use_case.handle(PARENT, text("kindergeld"))
    asked = await use_case.handle(PARENT, Event(EventKind.DELETE))
    assert asked.replies[0].buttons  # „Ja, alles löschen" / „Nein"
    done = await use_case.handle(PARENT, press("1:d:y"))
    assert done.pressed_keyboard == ()
    again = await use_case.handle(PARENT, Event(EventKind.DELETE))
    assert [r.text for r in again.replies] == [dialogue.text_of("export_nothing")]
    assert not await store.user_exists(PARENT.id)  # asking stored nothing


async def test_a_handoff_request_is_counted(dialogue: Dialogue) -> None:
    store = MemoryStore()
    await conversation(dialogue, store).handle(PARENT, press("1:h"))
    assert (await store.counters(date(2026, 3, 2)))["handoff_requested"] == 1


class SlowDialogue:
    """Records how events of one parent interleave."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def handle(
        self,
        state: State,
        event: Event,
        case: CaseInProgress | None = None,
        nearest: object = None,
        meaning: MeaningVerdict | None = None,
    ) -> Outcome:
        self.log.append(f"decide {event.text} after {state.last_entry}")
        return Outcome(OutcomeKind.INFO, (), State(last_entry=event.text))


class SlowStore(MemoryStore):
    async def load_state(self, user_id: int) -> dict[str, object] | None:
        await asyncio.sleep(0.01)  # give a second event the chance to overtake
        return await super().load_state(user_id)


async def test_one_parents_events_run_one_after_another() -> None:
    dialogue = SlowDialogue()
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    use_case = Conversation(dialogue, SlowStore(), clock, BERLIN)
    await asyncio.gather(*(use_case.handle(PARENT, text(str(i))) for i in range(3)))
    # Each decision sees the state the previous one saved: no lost update.
    assert dialogue.log == ["decide 0 after None", "decide 1 after 0", "decide 2 after 1"]


async def test_lock_registry_forgets_idle_locks() -> None:
    locks = LockRegistry(max_idle=2)
    for key in range(5):
        async with locks.hold(key):
            pass
    assert len(locks) <= 2
