"""Compact, versioned button data (Telegram allows at most 64 bytes) and its strict parser."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.limits import BUTTON_DATA_BYTES

VERSION = "1"
MAX_BYTES = BUTTON_DATA_BYTES


class Press(Enum):
    """What a button does."""

    ENTRY = "e"
    CATEGORY = "c"
    MENU = "m"
    BACK = "b"  # back to the topic menu from a menu page (replaces the page)
    NONE_OF_THESE = "n"
    FEEDBACK = "f"
    REASON = "r"
    HANDOFF = "h"
    DELETE = "d"
    FLOWS = "g"
    FLOW_START = "s"
    FLOW_OPTION = "o"
    FLOW_CONTROL = "k"
    CASE = "a"  # the parent's consent step: send, send with first name, cancel
    CASE_RATE = "t"  # the parent rates an ended case 1–5
    CASE_CLAIM = "u"  # a counsellor claims a case
    CASE_CLOSE = "v"  # a counsellor closes a case (asks for a confirmation first)
    CASE_CLOSE_ANSWER = "y"  # the answer to „Fall #2 wirklich schließen?": yes or no
    CASE_COMMENT = "q"  # the parent wants to add a comment to their rating
    EVENT = "i"  # a parent's button on an event: remind, register, ask, calendar file
    SUBSCRIBE = "w"  # a parent's subscription choice: a category, all, consent, stop
    STAFF = "z"  # a staff member's button in the event and announcement dialogues
    LOCAL = "l"  # „📍 Stelle in meiner Nähe": ask where she is, for an entry or „-"
    GROUPS = "p"  # „👥 Gruppen finden": her place, then the groups (for an entry or „-")
    GROUP_CONSENT = "x"  # her answer to a group's rules: y (I keep them) or n, group id
    MODERATION = "j"  # a moderator's button: action, group id, user id, held copy (or 0)


class FlowCommand(Enum):
    """Controls every flow step offers."""

    BACK = "b"
    RESTART = "r"
    CANCEL = "c"
    RESUME = "w"
    CONFIRM = "y"  # the reading of an input step is right
    CORRECT = "x"  # the reading is wrong: ask again


class EventPress(Enum):
    """What a parent's button on an event does."""

    REMIND = "r"  # toggle reminders
    REGISTER = "a"  # toggle registration
    ASK = "q"  # the next text message is a question in advance
    CALENDAR = "k"  # send the event as an .ics file


class SubscribePress(Enum):
    """What a parent's subscription button does (besides toggling a category)."""

    ALL = "all"
    CONSENT = "ok"
    STOP = "off"


class Reason(Enum):
    """Why an answer was not helpful (asked after 👎, optional)."""

    WRONG_TOPIC = "w"
    TOO_VAGUE = "v"
    OUTDATED = "o"
    SKIP = "s"


class ModeratorPress(Enum):
    """What a moderator's button does."""

    APPROVE = "a"  # let a parent into a moderated group
    DECLINE = "d"  # decline her request
    RELEASE = "r"  # post a newcomer's held message in the group
    DISCARD = "x"  # drop it


@dataclass(frozen=True)
class ButtonData:
    """A decoded button press: what it does and its arguments."""

    press: Press
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        """Encode as `1:<press>[:arg…]`, guaranteed to fit Telegram's 64-byte limit."""
        data = ":".join((VERSION, self.press.value, *self.args))
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"button data longer than {MAX_BYTES} bytes: {data!r}")
        return data


_ARITY = {
    Press.ENTRY: 1,
    Press.CATEGORY: 1,
    Press.MENU: 0,
    Press.BACK: 0,
    Press.NONE_OF_THESE: 0,
    Press.FEEDBACK: 2,
    Press.REASON: 2,
    Press.HANDOFF: 0,
    Press.DELETE: 1,
    Press.FLOWS: 0,
    Press.FLOW_START: 1,
    Press.FLOW_OPTION: 3,
    Press.FLOW_CONTROL: 2,
    Press.CASE: 1,
    Press.CASE_RATE: 2,
    Press.CASE_CLAIM: 1,
    Press.CASE_CLOSE: 1,
    Press.CASE_CLOSE_ANSWER: 2,
    Press.CASE_COMMENT: 1,
    Press.EVENT: 2,
    Press.SUBSCRIBE: 1,
    Press.STAFF: 2,
    Press.LOCAL: 1,
    Press.GROUPS: 1,
    Press.GROUP_CONSENT: 2,
    Press.MODERATION: 4,
}


def decode(data: str | None) -> ButtonData | None:
    """Parse button data; return None for anything stale, unknown, forged or malformed."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    version, _, rest = data.partition(":")
    if version != VERSION:
        return None
    code, *args = rest.split(":")
    try:
        press = Press(code)
    except ValueError:
        return None
    if len(args) != _ARITY[press] or any(not a or not a.isascii() for a in args):
        return None
    if press is Press.FEEDBACK and args[1] not in {"+", "-"}:
        return None
    if press is Press.REASON and args[1] not in {r.value for r in Reason}:
        return None
    if press is Press.DELETE and args[0] not in {"y", "n"}:
        return None
    if press is Press.FLOW_OPTION and not (args[2].isdigit() and len(args[2]) <= 2):
        return None
    if press is Press.FLOW_CONTROL and args[1] not in {c.value for c in FlowCommand}:
        return None
    if press is Press.CASE and args[0] not in {"s", "n", "x"}:
        return None
    if press is Press.CASE_CLOSE_ANSWER and args[1] not in {"y", "n"}:
        return None
    if press is Press.EVENT and args[1] not in {p.value for p in EventPress}:
        return None
    if press is Press.GROUP_CONSENT and args[0] not in {"y", "n"}:
        return None
    if press is Press.MODERATION and (
        args[0] not in {m.value for m in ModeratorPress}
        or not all(a.isdigit() and len(a) <= 16 for a in args[2:])  # Telegram ids: 52 bits
    ):
        return None
    numbers = {
        Press.CASE_RATE: args[:1],
        Press.CASE_CLAIM: args,
        Press.CASE_CLOSE: args,
        Press.CASE_CLOSE_ANSWER: args[:1],
        Press.CASE_COMMENT: args,
        Press.EVENT: args[:1],
    }
    if any(not (a.isdigit() and len(a) <= 9) for a in numbers.get(press, ())):
        return None
    if press is Press.CASE_RATE and args[1] not in {"1", "2", "3", "4", "5"}:
        return None
    return ButtonData(press, tuple(args))
