"""The vocabulary of the dialogue core: events in, replies, actions and state out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.callbacks import ButtonData, Press
from bot.flowengine import FlowState


class EventKind(Enum):
    """What the parent did."""

    START = "start"
    HELP = "help"
    TOPICS = "topics"
    PRIVACY = "privacy"
    DELETE = "delete"
    TEXT = "text"
    BUTTON = "button"
    NON_TEXT = "non_text"


@dataclass(frozen=True)
class Event:
    """One input from a parent: a command, a text, a button press or a non-text message."""

    kind: EventKind
    text: str = ""


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its encoded data."""

    label: str
    data: str


def button(label: str, press: Press, *args: str) -> Button:
    """Return a button whose data encodes `press` and its arguments."""
    return Button(label, ButtonData(press, args).encode())


@dataclass(frozen=True)
class Reply:
    """One message to send. Front ends decide formatting (bold title, HTML, console)."""

    text: str
    title: str | None = None
    footer: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    replace: bool = False  # a flow step: may replace the step message whose button was pressed


class ActionKind(Enum):
    """Side effects the front end performs after sending the replies."""

    FEEDBACK = "feedback"
    FEEDBACK_REASON = "feedback_reason"
    UNANSWERED = "unanswered"
    HANDOFF = "handoff"
    DELETE_USER = "delete_user"


@dataclass(frozen=True)
class Action:
    """A side effect with its arguments (never any personal data but redacted text)."""

    kind: ActionKind
    entry_id: str | None = None
    value: str | None = None


STATE_VERSION = 2


@dataclass(frozen=True)
class State:
    """What the core remembers about one parent between events.

    Attributes:
        last_entry: The entry answered last (for feedback and "related" context).
        pending_question: The redacted question behind an open "Meinten Sie…?" menu.
        flow: Where the parent is in a guided flow, if anywhere.

    """

    last_entry: str | None = None
    pending_question: str | None = None
    flow: FlowState | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (versioned, JSON-compatible)."""
        return {
            "v": STATE_VERSION,
            "last": self.last_entry,
            "pending": self.pending_question,
            "flow": self.flow.to_dict() if self.flow else None,
        }

    @classmethod
    def from_dict(cls, raw: object) -> State:
        """Restore from storage; version 1 had no flows; unknown shapes give a fresh state."""
        if not isinstance(raw, dict) or raw.get("v") not in {1, STATE_VERSION}:
            return cls()
        last, pending = raw.get("last"), raw.get("pending")
        return cls(
            last_entry=last if isinstance(last, str) else None,
            pending_question=pending if isinstance(pending, str) else None,
            flow=FlowState.from_dict(raw.get("flow")),
        )


class OutcomeKind(Enum):
    """What kind of reply the core chose (the `kind` of `elternlotse ask`, plus UI kinds)."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    CRISIS = "crisis"
    SMALLTALK = "smalltalk"
    FLOW = "flow"
    HANDOFF = "handoff"
    MENU = "menu"
    INFO = "info"
    STALE = "stale"


@dataclass(frozen=True)
class Outcome:
    """The core's answer to one event."""

    kind: OutcomeKind
    replies: tuple[Reply, ...]
    state: State
    actions: tuple[Action, ...] = ()
    entry_id: str | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """Return the JSON object `elternlotse ask` prints."""
        return {
            "kind": self.kind.value,
            "id": self.entry_id,
            "score": self.score,
            "candidates": list(self.candidates),
            "text": "\n\n".join(r.text for r in self.replies),
        }
