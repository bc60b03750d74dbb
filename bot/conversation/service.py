"""The parents' use case: one event in, the outcome out, with everything stored on the way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.conversation.clock import Clock
from bot.conversation.locks import LockRegistry
from bot.dialogue.events import Event
from bot.dialogue.model import (
    Action,
    Counter,
    DeleteUser,
    Outcome,
    OutcomeKind,
    RecordUnanswered,
    RequestHandoff,
    State,
    Vote,
    VoteReason,
)
from bot.storage.ports import CounterStore, FeedbackLog, PersonalData, StateStore, UserDirectory


class Decider(Protocol):
    """The pure dialogue core, as the use case sees it."""

    def handle(self, state: State, event: Event) -> Outcome:
        """Decide the reaction to one event."""


class ConversationStore(
    UserDirectory, StateStore, FeedbackLog, CounterStore, PersonalData, Protocol
):
    """The storage ports a conversation needs."""


@dataclass(frozen=True)
class Parent:
    """Who sent an event: an opaque numeric id and, if known, the language code."""

    id: int
    language: str | None = None


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
    ) -> None:
        """Wire the use case to its ports.

        Args:
            dialogue: The pure dialogue core.
            store: Where states, feedback, counters and parents are kept.
            clock: The time source (tests inject a fixed one).
            zone: The time zone whose calendar days the daily counters use.
            locks: Per-parent locks (one registry per process).

        """
        self._dialogue = dialogue
        self._store = store
        self._clock = clock
        self._zone = zone
        self._locks = locks or LockRegistry()

    async def handle(self, parent: Parent, event: Event) -> Outcome:
        """Handle one event of a parent and return what to send."""
        # Updates run concurrently; one parent's two quick messages must not interleave their
        # load → decide → save of the same state.
        async with self._locks.hold(parent.id):
            now = self._clock.now()
            await self._store.touch_user(parent.id, parent.language, now)
            state = State.from_dict(await self._store.load_state(parent.id))
            outcome = self._dialogue.handle(state, event)
            deleting = any(isinstance(a, DeleteUser) for a in outcome.actions)
            if not deleting:
                if outcome.state != state:
                    await self._store.save_state(parent.id, outcome.state.to_dict(), now)
                await self._count(now, Counter.MESSAGES)
            await self._count(now, outcome.kind)
            for action in outcome.actions:
                await self._perform(parent.id, action, now)
        return outcome

    async def _count(self, now: datetime, counter: Counter | OutcomeKind) -> None:
        await self._store.count(now.astimezone(self._zone).date(), counter.value)

    async def _perform(self, user_id: int, action: Action, now: datetime) -> None:
        match action:
            case Vote(entry_id=entry_id, helpful=helpful):
                await self._store.add_feedback(user_id, entry_id, helpful, None, now)
            case VoteReason(entry_id=entry_id, reason=reason):
                await self._store.add_feedback(user_id, entry_id, None, reason.name.lower(), now)
            case RecordUnanswered(text=text):
                await self._store.add_unanswered(user_id, text, now)
            case DeleteUser():
                await self._store.delete_user(user_id)
            case RequestHandoff():
                # Until the counsellor hand-over exists the core shows the contact entry.
                await self._count(now, Counter.HANDOFF_REQUESTED)
