"""What a parent did: the events every front end translates its input into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
