"""The vocabulary of the dialogue core: events in; replies, typed actions and state out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from bot.callbacks import ButtonData, EventPress, Press, Reason
from bot.flows.state import FlowState
from bot.language.crisis import NO_DANGER, Assessment
from bot.places.model import Place


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its encoded data, or a link it opens (`url`)."""

    label: str
    data: str
    url: str | None = None  # an https link button (announcements); `data` is then ""


Rows = tuple[tuple[Button, ...], ...]


def button(label: str, press: Press, *args: str) -> Button:
    """Return a button whose data encodes `press` and its arguments."""
    return Button(label, ButtonData(press, args).encode())


class Placement(Enum):
    """Where a reply goes when it answers a button press (a typed message always gets NEW)."""

    NEW = "new"  # a new message: answers and plans stay in the chat history
    REPLACE_PRESSED = "replace_pressed"  # replace the message whose button was pressed


class Keyboard(Enum):
    """A keyboard below the input field (Telegram's reply keyboard), beside inline buttons."""

    NONE = "none"
    ASK_LOCATION = "ask_location"  # one button that shares her location (phones only)
    REMOVE = "remove"  # take such a keyboard away again


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a calendar entry)."""

    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True)
class Styled:
    """A stretch of a message with its style: bold, italic, a link (staff announcements)."""

    text: str
    bold: bool = False
    italic: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to send. Front ends decide formatting (bold title, HTML, console)."""

    text: str
    title: str | None = None
    footer: str | None = None
    buttons: Rows = ()
    placement: Placement = Placement.NEW
    takes_text: bool = False  # a flow step that reads typed input: a typed number is the input
    attachment: Attachment | None = None  # sent as a file after the text
    # The text with its styles, when it has any: `text` is then its plain form (console, tests).
    styled: tuple[Styled, ...] = ()
    keyboard: Keyboard = Keyboard.NONE  # a reply without inline buttons may carry one
    keyboard_label: str = ""  # the label of its button (ASK_LOCATION)


# --- actions: side effects the use-case layer performs after the core decided ---------------


@dataclass(frozen=True)
class Vote:
    """The parent rated an answer helpful or not."""

    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class VoteReason:
    """The parent said why an answer did not help."""

    entry_id: str
    reason: Reason


@dataclass(frozen=True)
class RecordUnanswered:
    """A question the bot could not answer, already redacted."""

    text: str


@dataclass(frozen=True)
class RequestHandoff:
    """The parent asked for a counsellor."""


@dataclass(frozen=True)
class DeleteUser:
    """The parent confirmed that everything stored about them is to be deleted."""


@dataclass(frozen=True)
class OpenCase:
    """The parent agreed to send a request to the counsellors."""

    show_first_name: bool
    category: str | None


@dataclass(frozen=True)
class EndCase:
    """The parent ends the conversation with the counsellor."""


@dataclass(frozen=True)
class RateCase:
    """The parent rates an ended case."""

    number: int
    rating: int


@dataclass(frozen=True)
class CommentCase:
    """The parent adds a comment to the rating of an ended case (passed on, not kept)."""

    number: int
    text: str


@dataclass(frozen=True)
class ExportData:
    """The parent asked for everything stored about them (/meine_daten)."""


@dataclass(frozen=True)
class ShowEvents:
    """The parent asked for the upcoming events (/termine, or the expert chat entry)."""


@dataclass(frozen=True)
class EventChoice:
    """The parent pressed a button of an event: remind, register or calendar file."""

    event_id: int
    press: EventPress


@dataclass(frozen=True)
class AskQuestion:
    """The parent sent a question in advance of an event (already redacted)."""

    event_id: int
    text: str


@dataclass(frozen=True)
class ChangeSubscription:
    """The parent opened (None) or changed their subscriptions (/abo, its buttons, /abo_aus)."""

    choice: str | None


Action = (
    Vote
    | VoteReason
    | RecordUnanswered
    | RequestHandoff
    | DeleteUser
    | OpenCase
    | EndCase
    | RateCase
    | CommentCase
    | ExportData
    | ShowEvents
    | EventChoice
    | AskQuestion
    | ChangeSubscription
)


class Counter(Enum):
    """Daily counters beyond the per-outcome ones (numbers only, never about a person)."""

    MESSAGES = "messages"
    HANDOFF_REQUESTED = "handoff_requested"
    CASES_OPENED = "cases_opened"
    RELAYED = "relayed_to_counsellor"


STATE_VERSION = 4


@dataclass(frozen=True)
class State:
    """What the core remembers about one parent between events.

    Attributes:
        last_entry: The entry answered last (context for follow-up questions).
        last_at: When it was answered (UTC, minutes), so stale context is not used.
        pending_question: The redacted question behind an open "Meinten Sie…?" menu.
        flow: Where the parent is in a guided flow, if anywhere.
        comment_case: The ended case whose rating comment the next text message is.
        question_event: The event whose question in advance the next text message is.
        flow_paused: The parent was reminded of her flow since she last touched it; the
            reminder is not repeated under every further message (newcomer D12).
        awaiting_place: The bot asked where she is, for this entry („-": none in particular);
            her next text or location is her place. The place itself is never kept.

    """

    last_entry: str | None = None
    last_at: datetime | None = None
    pending_question: str | None = None
    flow: FlowState | None = None
    comment_case: int | None = None
    question_event: int | None = None
    flow_paused: bool = False
    awaiting_place: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (versioned, JSON-compatible)."""
        return {
            "v": STATE_VERSION,
            "last": self.last_entry,
            "last_at": self.last_at.isoformat(timespec="minutes") if self.last_at else None,
            "pending": self.pending_question,
            "flow": self.flow.to_dict() if self.flow else None,
            "comment": self.comment_case,
            "question": self.question_event,
            "paused": self.flow_paused,
            "place_for": self.awaiting_place,
        }

    @classmethod
    def from_dict(cls, raw: object) -> State:
        """Restore from storage; older versions lack flows or times; unknown shapes start fresh."""
        if not isinstance(raw, dict) or raw.get("v") not in {1, 2, 3, STATE_VERSION}:
            return cls()
        last, pending, comment = raw.get("last"), raw.get("pending"), raw.get("comment")
        question, place_for = raw.get("question"), raw.get("place_for")
        return cls(
            last_entry=last if isinstance(last, str) else None,
            last_at=_moment(raw.get("last_at")),
            pending_question=pending if isinstance(pending, str) else None,
            flow=FlowState.from_dict(raw.get("flow")),
            comment_case=comment if isinstance(comment, int) else None,
            question_event=question if isinstance(question, int) else None,
            flow_paused=raw.get("paused") is True,
            awaiting_place=place_for if isinstance(place_for, str) else None,
        )


def _moment(raw: object) -> datetime | None:
    """Read a stored UTC time; anything else is no time at all."""
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True)
class CaseInProgress:
    """The parent's open case, as far as a reply during it may speak of it.

    Attributes:
        counsellor: The pseudonym of the counsellor who claimed it; None while it waits.
        number: The case number the parent was told („#3"), where known.

    """

    counsellor: str | None = None
    number: int | None = None


@dataclass(frozen=True)
class OfficeFor:
    """An office as an answer for a place names it (`ask --json`).

    Attributes:
        id: The office's id in knowledge/offices.yaml.
        name: „Jugendamt".
        responsible: Whose office it is for the place („Kreis Paderborn"); None where the
            office is not run by the district (Familienkasse, Familiengericht).
        finder: The office's own finder, where one is known.

    """

    id: str
    name: str
    responsible: str | None
    finder: str | None


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
    pressed_keyboard: Rows | None = None  # new buttons for the pressed message; None = keep
    entry_id: str | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = field(default=())
    assessment: Assessment = NO_DANGER
    # The language of a text not in German (ISO 639-1, e.g. "en"); None for German and for
    # everything that is not a text. Counted per day, never stored with the parent.
    language: str | None = None
    # The entry or the „Meinten Sie …?" came from the sentence encoder, not from the words.
    by_meaning: bool = False
    # The place the answer is for (Hilfe vor Ort) and its offices: for `ask --json`, never stored.
    place: Place | None = None
    offices: tuple[OfficeFor, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Return the JSON object `elternlotse ask` prints."""
        score = self.assessment.score
        return {
            "kind": self.kind.value,
            "id": self.entry_id,
            "score": self.score,
            "candidates": list(self.candidates),
            "text": "\n\n".join(r.text for r in self.replies),
            "crisis": {
                **self.assessment.explain(),
                "signal": self.assessment.signal,
                "signal_score": None if score is None else round(score, 2),
            },
            "language": self.language,
            "by_meaning": self.by_meaning,
            **({"place": place_summary(self.place)} if self.place is not None else {}),
            **({"offices": [vars(o) for o in self.offices]} if self.offices else {}),
        }


def place_summary(place: Place) -> dict[str, Any]:
    """Return a place as `ask --json` reports it: the place and its districts."""
    return {
        "name": place.name,
        "postcode": place.postcode,
        "land": place.land,
        "found": place.found.value,
        "ambiguous": place.ambiguous,
        "districts": [
            {"key": d.key, "name": d.name, "kind": d.kind.value} for d in place.districts
        ],
    }
