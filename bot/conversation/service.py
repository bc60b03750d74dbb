"""The parents' use case: one event in, the outcome out, with everything stored on the way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.callbacks import decode
from bot.cases.model import Case
from bot.cases.ports import CaseStore
from bot.cases.service import Counselling
from bot.clock import Clock
from bot.config import Config
from bot.conversation.flood import FloodLimit, held_back
from bot.conversation.ports import (
    CounterStore,
    EventDesk,
    FeedbackLog,
    MeaningIndex,
    StateStore,
    UserDirectory,
)
from bot.dialogue.model import (
    Action,
    AskQuestion,
    CaseInProgress,
    ChangeSubscription,
    CommentCase,
    Counter,
    DeleteUser,
    EndCase,
    EventChoice,
    ExportData,
    OpenCase,
    Outcome,
    OutcomeKind,
    RateCase,
    RecordUnanswered,
    Reply,
    RequestHandoff,
    ShowEvents,
    State,
    Vote,
    VoteReason,
)
from bot.events import Event, EventKind
from bot.language.crisis_meaning import MeaningVerdict
from bot.locks import LockRegistry
from bot.privacy.notice import export_reply
from bot.privacy.ports import PersonalData

# The FAQ entry about expert chats: its answer is followed by the next events.
EXPERT_CHAT_ENTRY = "expertenchat"
# The daily counter of messages in a language other than German, e.g. "language_en".
LANGUAGE_COUNTER = "language_{code}"
PRESS_FACTOR = 4  # button presses allowed per minute, as a multiple of the messages allowed


class Decider(Protocol):
    """The pure dialogue core, as the use case sees it."""

    def handle(
        self,
        state: State,
        event: Event,
        case: CaseInProgress | None = None,
        nearest: Sequence[tuple[str, float]] | None = None,
        meaning: MeaningVerdict | None = None,
    ) -> Outcome:
        """Decide the reaction to one event.

        `case`: her open case; `nearest`: see `to_encode`; `meaning`: the crisis meaning
        signal's verdict.
        """

    def to_encode(self, event: Event) -> str | None:
        """Return the text of an event to match by meaning (a typed message), else None."""

    def crisis_reply(
        self,
        state: State,
        text: str,
        case: CaseInProgress | None = None,
        meaning: MeaningVerdict | None = None,
        hint: str | None = None,
    ) -> Outcome | None:
        """Return the hotline reply if a text shows danger (`hint`: her phone's language)."""

    def text_of(self, key: str, **fields: object) -> str:
        """Return a fixed wording."""

    @property
    def config(self) -> Config:
        """Return the settings the core runs with (the export names the retention periods)."""


class CrisisSignal(Protocol):
    """Reads danger in a message by its meaning (the sentence encoder; slow, so awaited)."""

    async def verdict(self, text: str) -> MeaningVerdict | None:
        """Return the verdict on a message, or None when it cannot be given now."""


class ConversationStore(
    UserDirectory, StateStore, FeedbackLog, CounterStore, CaseStore, PersonalData, Protocol
):
    """The storage ports a conversation needs."""


@dataclass(frozen=True)
class Parent:
    """Who sent an event: an opaque numeric id and, if known, the language code."""

    id: int
    language: str | None = None
    first_name: str | None = field(
        default=None, repr=False
    )  # shown only with consent, never stored


class Conversation:
    """Runs parents' events through the dialogue core and keeps what must be kept.

    Load → decide → save → perform actions → return the outcome for the front end to send.
    The new state is saved *before* anything is sent, so a crash afterwards loses nothing.
    """

    def __init__(
        self,
        dialogue: Decider,
        store: ConversationStore,
        clock: Clock,
        zone: ZoneInfo,
        locks: LockRegistry | None = None,
        counselling: Counselling | None = None,
        announcements: EventDesk | None = None,
        flood: FloodLimit | None = None,
        nearest: MeaningIndex | None = None,
        crisis_signal: CrisisSignal | None = None,
    ) -> None:
        """Wire the use case to its ports.

        Args:
            dialogue: The pure dialogue core.
            store: Where states, feedback, counters and parents are kept.
            clock: The time source (tests inject a fixed one).
            zone: The time zone whose calendar days the daily counters use.
            locks: Per-parent locks (one registry per process).
            counselling: The hand-over to counsellors; None where there is no group (console).
            announcements: Events and subscriptions; None where no staff are configured.
            flood: The per-parent flood limit; None where one person types (console).
            nearest: Finds the entries nearest in meaning to a typed message; None where there
                is no encoder (the dialogue then matches the words only).
            crisis_signal: The crisis guard's signal by meaning; None without encoder (the
                rules and the word model guard alone).

        """
        self._dialogue = dialogue
        self._store = store
        self._clock = clock
        self._zone = zone
        self._locks = locks or LockRegistry()
        self._counselling = counselling
        self._announcements = announcements
        self._index = nearest
        # Public so a front end can skip its typing indicator for a message held back.
        self.flood = flood
        # Button presses have a window of their own, PRESS_FACTOR times as wide: clicking
        # through a plan is no flood (D37), but well-formed data sent by a script still is.
        self._presses = flood.wider(PRESS_FACTOR) if flood is not None else None
        self._signal = crisis_signal

    async def handle(self, parent: Parent, event: Event) -> Outcome:
        """Handle one event of a parent and return what to send."""
        # The flood limit comes first: a message held back stores nothing and waits for no lock.
        gate = self._flood_gate(parent, event)
        if gate is not None:
            return gate
        # Encoded before the lock: the worker thread computes while the loop serves others,
        # and her next message need not wait for this one's vector.
        meaning = await self._verdict(event)
        # Updates run concurrently; one parent's two quick messages must not interleave their
        # load → decide → save of the same state.
        async with self._locks.hold(parent.id):
            now = self._clock.now()
            if event.kind is EventKind.DELETE and not await self._store.user_exists(parent.id):
                # Nothing to delete: say so instead of asking, and store nothing (D32).
                text = self._dialogue.text_of("export_nothing")
                return Outcome(OutcomeKind.INFO, (Reply(text),), State())
            await self._store.touch_user(parent.id, parent.language, now)
            state = State.from_dict(await self._store.load_state(parent.id))
            case = await self._open_case(parent.id)
            relayed = await self._relay(parent, state, event, now, case, meaning)
            if relayed is not None:
                await self._count(now, Counter.RELAYED)
                return relayed
            # Her phone's language is a hint for reading her text (issue 19).
            hinted = event if event.language else replace(event, language=parent.language)
            # A message the crisis signal could not read (the encoder was busy) is not answered
            # by meaning either: matching must never get the encoder that the guard did not.
            refused = self._signal is not None and meaning is None and self._encodes(event)
            nearest = None if refused else await self._nearest(hinted)
            outcome = self._dialogue.handle(state, hinted, self._during(case), nearest, meaning)
            if outcome.kind is OutcomeKind.STALE and self._press(event):
                # A press that only looked genuine (forged or stale data) counts after all.
                self._count_press(parent.id)
            deleting = any(isinstance(a, DeleteUser) for a in outcome.actions)
            if not deleting:
                if outcome.state != state:
                    await self._store.save_state(parent.id, outcome.state.to_dict(), now)
                await self._count(now, Counter.MESSAGES)
            await self._count(now, outcome.kind)
            if outcome.language is not None:
                # Which languages parents write in, as a number per day and language.
                day = now.astimezone(self._zone).date()
                await self._store.count(day, LANGUAGE_COUNTER.format(code=outcome.language))
            extra: tuple[Reply, ...] = ()
            for action in outcome.actions:
                extra += await self._perform(parent, action, now)
            if outcome.entry_id == EXPERT_CHAT_ENTRY and outcome.kind is OutcomeKind.ANSWER:
                extra += await self._upcoming()
        return replace(outcome, replies=(*outcome.replies, *extra)) if extra else outcome

    async def _nearest(self, event: Event) -> Sequence[tuple[str, float]] | None:
        """Return the entries nearest in meaning to a typed message, else None.

        The encoder runs in its own thread, so the event loop serves other parents meanwhile.
        """
        if self._index is None:
            return None
        text = self._dialogue.to_encode(event)
        return await self._index.nearest(text) if text is not None else None

    def _encodes(self, event: Event) -> bool:
        """Tell whether the crisis signal would read this event (a text or a caption)."""
        return event.kind in {EventKind.TEXT, EventKind.NON_TEXT} and bool(event.text.strip())

    def _press(self, event: Event) -> bool:
        """Tell whether an event is a press of well-formed button data (D37: not counted)."""
        return event.kind is EventKind.BUTTON and decode(event.text) is not None

    def _flood_gate(self, parent: Parent, event: Event) -> Outcome | None:
        """Return what a message over the flood limit gets, or None to handle it.

        Typed messages, commands and malformed button data count towards the limit. A press of
        well-formed button data counts in a window PRESS_FACTOR times as wide (newcomer D37:
        clicking through a plan is no flood) and is held back while either window is full. If it
        turns out stale, `handle` counts it towards the messages too.
        """
        flood = self.flood
        if flood is None:
            return None
        if self._press(event) and self._presses is not None:
            admitted = not flood.holds_back(parent.id) and self._presses.admit(parent.id)
        else:
            admitted = flood.admit(parent.id) or self._danger(event)
        return None if admitted else held_back(flood, self._dialogue, parent.id, event)

    def _count_press(self, user_id: int) -> None:
        if self.flood is not None:
            self.flood.admit(user_id)

    async def _upcoming(self) -> tuple[Reply, ...]:
        """Return the next events, shown under the expert chat entry."""
        if self._announcements is None:
            return ()
        reply = await self._announcements.upcoming_lines()
        return (reply,) if reply is not None else ()

    def _danger(self, event: Event) -> bool:
        """Tell whether a text shows danger: it passes the flood limit, and reaches a case."""
        text = event.text if event.kind is EventKind.TEXT else ""
        return bool(text) and self._dialogue.crisis_reply(State(), text) is not None

    async def _verdict(self, event: Event) -> MeaningVerdict | None:
        """Ask the meaning signal about a text (with a caption too); None for anything else."""
        if self._signal is None or not self._encodes(event):
            return None
        # The text matching reads too (cleaned): the encoder then computes it once.
        return await self._signal.verdict(self._dialogue.to_encode(event) or event.text)

    async def _open_case(self, user_id: int) -> Case | None:
        """Return the parent's open case where counsellors take over (none in the console)."""
        if self._counselling is None:
            return None
        return await self._store.open_case_of(user_id)

    def _during(self, case: Case | None) -> CaseInProgress | None:
        """Describe an open case as far as the replies during it speak of it."""
        if case is None or self._counselling is None:
            return None
        return CaseInProgress(self._counselling.claimed_by(case), case.number)

    async def _relay(
        self,
        parent: Parent,
        state: State,
        event: Event,
        now: datetime,
        case: Case | None,
        meaning: MeaningVerdict | None,
    ) -> Outcome | None:
        """While a case is open, copy the parent's messages to the counsellor instead of answering.

        A crisis still gets the hotline reply at once, and an alert in the case's topic.
        """
        if self._counselling is None or event.message is None or case is None:
            return None
        if event.kind not in {EventKind.TEXT, EventKind.NON_TEXT, EventKind.LOCATION}:
            return None  # a location too: during a case it may matter for her safety
        # The reply says who reads along instead of offering the hand-over again.
        during = self._during(case)
        hint = event.language or parent.language
        crisis = (
            self._dialogue.crisis_reply(state, event.text, during, meaning, hint)
            if event.text
            else None
        )
        concept = (crisis.assessment.concept or "Modell") if crisis else None
        await self._counselling.relay_from_parent(case, event.message, concept, now)
        return crisis or Outcome(OutcomeKind.INFO, (), state)

    async def _count(self, now: datetime, counter: Counter | OutcomeKind) -> None:
        await self._store.count(now.astimezone(self._zone).date(), counter.value)

    async def _perform(self, parent: Parent, action: Action, now: datetime) -> tuple[Reply, ...]:
        """Carry out one action; the hand-over's actions may add replies."""
        user_id = parent.id
        match action:
            case Vote(entry_id=entry_id, helpful=helpful):
                await self._store.add_feedback(entry_id, helpful, None, now)
            case VoteReason(entry_id=entry_id, reason=reason):
                await self._store.add_feedback(entry_id, None, reason.name.lower(), now)
            case RecordUnanswered(text=text):
                await self._store.add_unanswered(text, now)
            case DeleteUser():
                if self._counselling is not None:
                    # An open case is closed (with a neutral note in its topic) before its row
                    # goes with everything else.
                    await self._counselling.withdraw(user_id, now)
                await self._store.delete_user(user_id)
            case ExportData():
                rows = await self._store.export_user(user_id)
                local, privacy = now.astimezone(self._zone), self._dialogue.config.privacy
                return (export_reply(self._dialogue.text_of, rows, local, privacy),)
            case RequestHandoff():
                await self._count(now, Counter.HANDOFF_REQUESTED)
            case OpenCase() | EndCase() | RateCase() | CommentCase():
                return await self._case_action(parent, action, now)
            case ShowEvents() | EventChoice() | AskQuestion() | ChangeSubscription():
                return await self._event_action(user_id, action)
        return ()

    async def _event_action(
        self, user_id: int, action: ShowEvents | EventChoice | AskQuestion | ChangeSubscription
    ) -> tuple[Reply, ...]:
        announcements = self._announcements
        if announcements is None:
            return (Reply(self._dialogue.text_of("events_off")),)
        match action:
            case ShowEvents():
                return await announcements.events_reply(user_id)
            case EventChoice(event_id=event_id, press=press):
                return await announcements.choose(user_id, event_id, press)
            case AskQuestion(event_id=event_id, text=text):
                await announcements.ask(user_id, event_id, text)
            case ChangeSubscription(choice=choice):
                return await announcements.subscription(user_id, choice)
        return ()

    async def _case_action(
        self, parent: Parent, action: OpenCase | EndCase | RateCase | CommentCase, now: datetime
    ) -> tuple[Reply, ...]:
        counselling = self._counselling
        if counselling is None:
            # No counsellors' group here (the console): the request is noted, the conversation
            # itself would run in Telegram.
            if isinstance(action, OpenCase):
                case = await self._store.open_case(parent.id, action.category, False, now)
                return (Reply(self._dialogue.text_of("case_opened_console", number=case.number)),)
            return (Reply(self._dialogue.text_of("case_no_open_case")),)
        match action:
            case OpenCase(show_first_name=show, category=category):
                await self._count(now, Counter.CASES_OPENED)
                return await counselling.open(
                    parent.id, category, show, parent.first_name, parent.language, now
                )
            case EndCase():
                return await counselling.end_by_parent(parent.id, now)
            case RateCase(number=number, rating=rating):
                await counselling.rate(parent.id, number, rating)
            case CommentCase(number=number, text=text):
                await counselling.comment(parent.id, number, text)
        return ()
