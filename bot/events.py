"""What a parent did: the events every front end translates its input into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class MessageRef:
    """A message to copy, by chat and id (its content stays with Telegram, not with us)."""

    chat_id: int
    message_id: int


class EventKind(Enum):
    """What the parent did."""

    START = "start"
    HELP = "help"
    TOPICS = "topics"
    PRIVACY = "privacy"
    DELETE = "delete"
    COUNSEL = "counsel"  # /beratung: ask for a counsellor
    END_CASE = "end_case"  # /ende: end the conversation with the counsellor
    EXPORT = "export"  # /meine_daten: everything stored about the parent, as a file
    EVENTS = "events"  # /termine: upcoming events
    SUBSCRIBE = "subscribe"  # /abo: choose announcement categories
    UNSUBSCRIBE = "unsubscribe"  # /abo_aus: end every subscription
    TEXT = "text"
    BUTTON = "button"
    NON_TEXT = "non_text"
    UNKNOWN_COMMAND = "unknown_command"  # a command that is not ours: list the real ones
    LOCATION = "location"  # she shared her location (used for one answer, never kept)
    GROUPS = "groups"  # /gruppen: the peer groups for her place


@dataclass(frozen=True)
class Event:
    """One input from a parent: a command, a text, a button press or a non-text message."""

    kind: EventKind
    text: str = ""
    message: MessageRef | None = None  # the message itself, for relaying it to a counsellor
    # The language of her phone (Telegram's language_code, e.g. "en"): a hint for reading her
    # text, never the decision — a German text from a phone set to English is German.
    language: str | None = None
    # A shared location as (latitude, longitude); only with EventKind.LOCATION.
    location: tuple[float, float] | None = None
