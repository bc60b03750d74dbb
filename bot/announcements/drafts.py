"""The staff's unfinished dialogues: their states, their transitions and the typed answers.

Pure: no store, no clock of its own. A draft is saved as a JSON-compatible dict after every
step (`Draft.to_dict`), so a restart in the middle of a dialogue loses nothing. Its format:

    {"v": 1, "kind": "event"|"edit"|"cancel"|"broadcast", "step": <Step value>,
     "token": <6 hex digits, also in every button of this dialogue>,
     "values": {<field step value>: <JSON value>, "text": <free announcement text>},
     "review": <bool: answers go back to the preview>, "event": <event id or null>,
     "seq": <the event's sequence when an edit or cancel began, or null>,
     "topics": [<category values chosen for an announcement>],
     "group_title": <the typed group's title as Telegram showed it; optional, default "">}

Field values: "title", "description", "place" str (place may be null); "start" an ISO time in
UTC; "duration" minutes (int); "category" a `Category` value; "group" a chat id or null.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.announcements.formatting import FormatError, read_announcement
from bot.announcements.model import WEEKDAYS, Category, Event

DRAFT_VERSION = 1
TITLE_LENGTH = (3, 120)
DESCRIPTION_LENGTH = (1, 1000)
PLACE_LENGTH = (1, 300)
TEXT_LENGTH = (1, 3500)
MINUTES = (15, 480)
DURATION_CHOICES = (30, 60, 90, 120)

JsonValue = str | int | None
_T = TypeVar("_T")


class Kind(Enum):
    """Which dialogue a draft belongs to."""

    NEW_EVENT = "event"
    EDIT_EVENT = "edit"
    CANCEL_EVENT = "cancel"
    BROADCAST = "broadcast"


class Step(Enum):
    """Where a dialogue stands: the question asked last (or the buttons shown last)."""

    # One step per event field; the value names the field in `Draft.values` and in buttons.
    TITLE = "title"
    START = "start"
    DURATION = "duration"
    CATEGORY = "category"
    DESCRIPTION = "description"
    PLACE = "place"
    GROUP = "group"
    FIELD = "field"  # choose the field to change
    PREVIEW = "preview"  # confirm, change or discard
    CONFIRM_CANCEL = "cancel"  # „Wirklich absagen?"
    MODE = "mode"  # an event or free text
    PICK = "pick"  # which event
    TEXT = "text"  # the free text
    TOPICS = "topics"  # whose subscribers


FIELDS = (
    Step.TITLE,
    Step.START,
    Step.DURATION,
    Step.CATEGORY,
    Step.DESCRIPTION,
    Step.PLACE,
    Step.GROUP,
)
_IN_ORDER = dict(zip(FIELDS, (*FIELDS[1:], Step.PREVIEW), strict=True))


class InvalidTransition(Exception):
    """A dialogue was asked to move where its table does not allow."""


def _transitions() -> dict[Kind, dict[Step, frozenset[Step]]]:
    """Build the table of allowed moves, per dialogue."""
    fields = frozenset(FIELDS)
    # A new event asks its fields in order; once in review, every answer returns to the preview.
    new = {step: frozenset({_IN_ORDER[step], Step.PREVIEW}) for step in FIELDS}
    # START again from the preview: the chosen time passed while the draft waited.
    new[Step.PREVIEW] = frozenset({Step.FIELD, Step.START})
    new[Step.FIELD] = fields
    edit = {step: frozenset({Step.PREVIEW}) for step in FIELDS}
    edit[Step.PREVIEW] = frozenset({Step.FIELD, Step.START})
    edit[Step.FIELD] = fields
    broadcast = {
        Step.MODE: frozenset({Step.PICK, Step.TEXT}),
        Step.PICK: frozenset({Step.TOPICS}),
        Step.TEXT: frozenset({Step.TOPICS}),
        Step.TOPICS: frozenset({Step.PREVIEW}),
        Step.PREVIEW: frozenset(),
    }
    return {
        Kind.NEW_EVENT: new,
        Kind.EDIT_EVENT: edit,
        Kind.CANCEL_EVENT: {Step.CONFIRM_CANCEL: frozenset()},
        Kind.BROADCAST: broadcast,
    }


TRANSITIONS = _transitions()
FIRST_STEP = {
    Kind.NEW_EVENT: Step.TITLE,
    Kind.EDIT_EVENT: Step.FIELD,
    Kind.CANCEL_EVENT: Step.CONFIRM_CANCEL,
    Kind.BROADCAST: Step.MODE,
}


@dataclass(frozen=True)
class Draft:
    """One staff member's unfinished dialogue.

    Attributes:
        kind: Which dialogue.
        step: Where it stands.
        token: A random tag carried by every button of this dialogue, so a button of an
            earlier dialogue of the same kind is recognised as stale.
        values: The answers so far (see the module docstring), JSON-compatible.
        review: Answers return to the preview (the staff member chose „Ändern").
        event_id: The event edited, cancelled or announced.
        sequence: The event's sequence when the dialogue began (a change by someone else
            in between makes the dialogue stale).
        topics: The category values chosen for an announcement.
        group_title: The title of the group typed last (checked with Telegram), for the preview.

    """

    kind: Kind
    step: Step
    token: str
    values: dict[str, JsonValue] = field(default_factory=dict)
    review: bool = False
    event_id: int | None = None
    sequence: int | None = None
    topics: tuple[str, ...] = ()
    group_title: str = ""

    @classmethod
    def begin(cls, kind: Kind, event: Event | None = None) -> Draft:
        """Return a fresh draft of a dialogue at its first step, with a new token."""
        return cls(
            kind,
            FIRST_STEP[kind],
            secrets.token_hex(3),
            event_id=event.id if event is not None else None,
            sequence=event.sequence if event is not None else None,
        )

    def moved(self, step: Step) -> Draft:
        """Return the draft at `step`.

        Raises:
            InvalidTransition: The table does not allow this move.

        """
        if step not in TRANSITIONS[self.kind].get(self.step, frozenset()):
            raise InvalidTransition(f"{self.kind.value}: {self.step.value} -> {step.value}")
        return replace(self, step=step)

    def answered(self, step: Step, value: JsonValue) -> Draft:
        """Return the draft with a field's answer kept and moved on to the next question."""
        values = {**self.values, step.value: value}
        if self.kind is Kind.NEW_EVENT and not self.review:
            return replace(self, values=values).moved(_IN_ORDER[step])
        return replace(self, values=values).moved(Step.PREVIEW)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for `AnnouncementStore.save_draft` (JSON-compatible, versioned)."""
        return {
            "v": DRAFT_VERSION,
            "kind": self.kind.value,
            "step": self.step.value,
            "token": self.token,
            "values": dict(self.values),
            "review": self.review,
            "event": self.event_id,
            "seq": self.sequence,
            "topics": list(self.topics),
            "group_title": self.group_title,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Draft | None:
        """Restore a saved draft; anything malformed or of another version is None."""
        if not isinstance(raw, dict) or raw.get("v") != DRAFT_VERSION:
            return None
        try:
            kind, step = Kind(raw["kind"]), Step(raw["step"])
        except (KeyError, ValueError):
            return None
        token, values, topics = raw.get("token"), raw.get("values"), raw.get("topics")
        event, seq = raw.get("event"), raw.get("seq")
        group_title = raw.get("group_title")
        if (
            step not in TRANSITIONS[kind]
            or not isinstance(token, str)
            or not isinstance(values, dict)
            or not isinstance(topics, list)
            or not all(isinstance(t, str) for t in topics)
        ):
            return None
        return cls(
            kind,
            step,
            token,
            {str(k): v for k, v in values.items() if v is None or isinstance(v, str | int)},
            review=raw.get("review") is True,
            event_id=event if isinstance(event, int) else None,
            sequence=seq if isinstance(seq, int) else None,
            topics=tuple(topics),
            group_title=group_title if isinstance(group_title, str) else "",
        )


# ----------------------------------------------------------------- typed answers


class Problem(Enum):
    """Why a typed answer was not taken; the value is the wording key of its hint."""

    TITLE = "hint_title"
    START_UNREADABLE = "hint_start_unreadable"
    START_PAST = "hint_start_past"
    START_WEEKDAY = "hint_start_weekday"
    DURATION = "hint_duration"
    DESCRIPTION = "hint_description"
    PLACE = "hint_place"
    GROUP = "hint_group"
    TEXT = "hint_text"


_GERMAN_MOMENT = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?,?\s*(?:um\s*)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr)?",
    re.IGNORECASE,
)
_ISO_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+|T)(\d{1,2}):(\d{2})")
# „heute 19 Uhr", „morgen um 10", „übermorgen 9:30"
_RELATIVE_MOMENT = re.compile(
    r"(heute|morgen|übermorgen|uebermorgen),?\s*(?:um\s*)?(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr)?",
    re.IGNORECASE,
)
_DAYS_AHEAD = {"heute": 0, "morgen": 1, "übermorgen": 2, "uebermorgen": 2}
# A weekday before the date („Do 17.12. 19.30 Uhr"): checked against the date, then dropped.
_WEEKDAY = re.compile(
    r"(mo|di|mi|do|fr|sa|so|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\.?,?\s+",
    re.IGNORECASE,
)
_MINUTES = re.compile(r"(\d{1,3})\s*(?:min(?:\.|uten)?)?", re.IGNORECASE)
_HOURS = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*(?:h|std\.?|stunden?)", re.IGNORECASE)
_GROUP = re.compile(r"-\d{5,15}")


def _local(parts: tuple[int, int, int, int, int], zone: ZoneInfo) -> datetime | None:
    """Return a wall-clock time in `zone`, or None if the date does not exist (31.2.)."""
    year, month, day, hour, minute = parts
    try:
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None


def parse_start(text: str, now: datetime, zone: ZoneInfo) -> datetime | Problem:
    """Read a date and time typed in German or ISO style as a future instant in UTC.

    „3.12.2026 19:00", „03.12. 19 Uhr", „3.12.26 19:30", „2026-12-03 19:00", „morgen 10 Uhr"
    and „übermorgen um 9:30" are read in `zone`; a weekday before the date („Do 17.12. 19.30
    Uhr") must fit it. Without a year the next such day is meant (the current year, or the next
    one if that moment has passed).
    """
    typed = " ".join(text.split())
    weekday = _WEEKDAY.match(typed)
    if weekday is not None:
        typed = typed[weekday.end() :]
    moment = _moment(typed, now, zone)
    if isinstance(moment, Problem):
        return moment
    if weekday is not None and WEEKDAYS[moment.weekday()].lower() != weekday.group(1)[:2].lower():
        return Problem.START_WEEKDAY
    return moment.astimezone(UTC) if moment > now else Problem.START_PAST


def _moment(typed: str, now: datetime, zone: ZoneInfo) -> datetime | Problem:
    """Read the date and time of `parse_start` (without a weekday) as a wall-clock time."""
    if relative := _RELATIVE_MOMENT.fullmatch(typed):
        word, hour_, minute_ = relative.groups()
        day = now.astimezone(zone).date() + timedelta(days=_DAYS_AHEAD[word.lower()])
        moment = _local((day.year, day.month, day.day, int(hour_), int(minute_ or 0)), zone)
    elif iso := _ISO_MOMENT.fullmatch(typed):
        year, month, day_of_month, hour, minute = (int(g) for g in iso.groups())
        moment = _local((year, month, day_of_month, hour, minute), zone)
    elif german := _GERMAN_MOMENT.fullmatch(typed):
        day_, month_, year_, hour_, minute_ = german.groups()
        parts = (int(day_), int(month_), int(hour_), int(minute_ or 0))
        if year_ is None:
            this_year = now.astimezone(zone).year
            moment = _local((this_year, parts[1], parts[0], parts[2], parts[3]), zone)
            if moment is not None and moment <= now:
                moment = _local((this_year + 1, parts[1], parts[0], parts[2], parts[3]), zone)
        else:
            year = int(year_) + (2000 if len(year_) == 2 else 0)
            moment = _local((year, parts[1], parts[0], parts[2], parts[3]), zone)
    else:
        return Problem.START_UNREADABLE
    return Problem.START_UNREADABLE if moment is None else moment


def parse_minutes(text: str) -> int | Problem:
    """Read a duration typed as minutes („90", „90 Min.") or hours („1,5 h", „2 Stunden")."""
    typed = text.strip()
    if found := _MINUTES.fullmatch(typed):
        minutes = int(found.group(1))
    elif found := _HOURS.fullmatch(typed):
        minutes = round(float(found.group(1).replace(",", ".")) * 60)
    else:
        return Problem.DURATION
    return minutes if MINUTES[0] <= minutes <= MINUTES[1] else Problem.DURATION


def parse_group(text: str) -> int | Problem:
    """Read a Telegram group id: a negative number such as -1001234567890."""
    typed = "".join(text.split()).replace("−", "-")  # a typographic minus from a phone keyboard
    return int(typed) if _GROUP.fullmatch(typed) else Problem.GROUP


def _within(text: str, limits: tuple[int, int], problem: Problem) -> str | Problem:
    return text if limits[0] <= len(text) <= limits[1] else problem


def parse_field(step: Step, text: str, now: datetime, zone: ZoneInfo) -> JsonValue | Problem:
    """Read a typed answer to a field question as the value the draft keeps.

    Args:
        step: The field asked for (one of `FIELDS`).
        text: What the staff member typed.
        now: The current time (a start must lie after it).
        zone: The time zone dates are typed in.

    Returns:
        The JSON-compatible value, or the problem that makes it unusable.

    """
    typed = text.strip()
    if step is Step.TITLE:
        return _within(" ".join(typed.split()), TITLE_LENGTH, Problem.TITLE)
    if step is Step.START:
        moment = parse_start(typed, now, zone)
        return moment if isinstance(moment, Problem) else moment.isoformat()
    if step is Step.DURATION:
        return parse_minutes(typed)
    if step is Step.DESCRIPTION:
        return _within(typed, DESCRIPTION_LENGTH, Problem.DESCRIPTION)
    if step is Step.PLACE:
        return _within(" ".join(typed.split()), PLACE_LENGTH, Problem.PLACE)
    if step is Step.GROUP:
        return parse_group(typed)
    raise ValueError(f"not a typed field: {step.value}")  # categories come by button only


def parse_announcement(text: str) -> str | Problem | FormatError:
    """Read the free text of an announcement (kept as typed, trimmed).

    Its formatting and „Knopf:" line are checked (see `formatting`); the length limit counts
    what parents read, without the tags and the button line.
    """
    typed = text.strip()
    formatted = read_announcement(typed)
    if isinstance(formatted, FormatError):
        return formatted
    if isinstance(_within(formatted.plain.strip(), TEXT_LENGTH, Problem.TEXT), Problem):
        return Problem.TEXT
    return typed


# ----------------------------------------------------------------- from answers to events


def category_of(value: JsonValue) -> Category | None:
    """Return the category a stored or pressed value names, or None."""
    try:
        return Category(value)
    except ValueError:
        return None


def start_of(value: JsonValue) -> datetime | None:
    """Return the instant a stored start value names, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def apply_values(event: Event, values: dict[str, JsonValue]) -> Event:
    """Return the event with the draft's answers applied (fields not answered stay).

    Raises:
        ValueError: A stored value does not fit its field (a tampered or outdated draft).

    """
    changes: dict[str, Any] = {}
    for key, value in values.items():
        step = Step(key)
        if step is Step.START:
            changes["starts_at"] = _required(start_of(value))
        elif step is Step.DURATION:
            changes["duration"] = timedelta(minutes=_integer(value))
        elif step is Step.CATEGORY:
            changes["category"] = _required(category_of(value))
        elif step is Step.GROUP:
            changes["chat_id"] = None if value is None else _integer(value)
        elif step is Step.PLACE:
            changes["place"] = None if value is None else str(value)
        elif step in {Step.TITLE, Step.DESCRIPTION}:
            changes[step.value] = _required(value if isinstance(value, str) else None)
    return replace(event, **changes)


def new_event(values: dict[str, JsonValue]) -> Event:
    """Return the event a finished new-event draft describes (its id is assigned on storing).

    Raises:
        ValueError: A field is missing or does not fit (a tampered or outdated draft).

    """
    if any(step.value not in values for step in FIELDS):
        raise ValueError("draft incomplete")
    start = datetime.min.replace(tzinfo=UTC)
    blank = Event(0, "", start, timedelta(), Category.EVENTS, "", None, None)
    return apply_values(blank, values)


def _required(value: _T | None) -> _T:
    if value is None:
        raise ValueError("missing value")
    return value


def _integer(value: JsonValue) -> int:
    if not isinstance(value, int):
        raise ValueError("not a number")
    return value


def event_values(event: Event) -> dict[str, JsonValue]:
    """Return an event's fields as a draft keeps them (to show what an edit changes)."""
    return {
        Step.TITLE.value: event.title,
        Step.START.value: event.starts_at.astimezone(UTC).isoformat(),
        Step.DURATION.value: round(event.duration.total_seconds() / 60),
        Step.CATEGORY.value: event.category.value,
        Step.DESCRIPTION.value: event.description,
        Step.PLACE.value: event.place,
        Step.GROUP.value: event.chat_id,
    }
