"""The staff desk: the team's dialogues for events, announcements and questions in advance.

Staff talk to the bot in a private chat. The front end hands every staff command, button and
(while a dialogue is open) typed message to `StaffDesk`, which answers with the replies to
send. A dialogue's state is a `Draft` saved after every step, so a restart loses nothing;
every button carries the draft's token and is checked against the saved draft and the store,
so a button from an old message or a forged one only gets the „stale" reply. What happens
beyond the dialogue (timers, telling parents, sending) is the `Announcer`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.announcements import views
from bot.announcements.broadcast import PROGRESS_FROM
from bot.announcements.drafts import (
    DURATION_CHOICES,
    FIELDS,
    Draft,
    InvalidTransition,
    JsonValue,
    Kind,
    Problem,
    Step,
    apply_values,
    category_of,
    event_values,
    new_event,
    parse_announcement,
    parse_field,
    start_of,
)
from bot.announcements.formatting import FormatError
from bot.announcements.model import Broadcast, Category, ChatAccess, Event, EventStatus
from bot.announcements.ports import AnnouncementStore
from bot.callbacks import Press
from bot.datafiles.texts import Texts
from bot.dialogue.model import Button, Placement, Reply, Rows, button
from bot.locks import LockRegistry
from bot.wording import Noun

logger = logging.getLogger(__name__)

ROLE = "staff"
ALL_TOPICS = "all"
PICK_LABEL_TITLE = 40  # characters of a title on a button; the number tells events apart


class Announcer(Protocol):
    """What happens outside the staff's dialogue when they confirm something."""

    async def event_created(self, event: Event) -> None:
        """Schedule the new event's reminders."""

    async def event_changed(self, before: Event, after: Event) -> None:
        """Tell the registered parents of a change or cancellation and reschedule."""

    async def broadcast_created(self, broadcast: Broadcast) -> None:
        """Start sending a broadcast."""

    def preview(self, text: str, event: Event | None) -> Reply:
        """Return an announcement exactly as its recipients will see it."""

    async def chat_access(self, chat_id: int) -> ChatAccess:
        """Return the group's title and whether the bot may invite users there."""


class Command(Enum):
    """The staff's commands (names without the slash)."""

    NEW_EVENT = "termin_neu"
    MANAGE = "termine_verwalten"
    ANNOUNCE = "ankuendigen"
    QUESTIONS = "fragen"
    ABORT = "abbrechen"


class Action(Enum):
    """What a staff button does: the first of its two arguments."""

    DURATION = "d"  # value: minutes
    CATEGORY = "k"  # value: a Category value
    NO_PLACE = "o"
    NO_GROUP = "g"
    FIELD = "f"  # value: the field's Step value
    CONFIRM = "y"  # create, change, cancel or send
    CHANGE = "c"
    DISCARD = "x"
    MODE = "m"  # value: a Mode value
    PICK = "p"  # value: an event id
    TOPIC = "t"  # value: a Category value or ALL_TOPICS
    TOPICS_DONE = "w"
    TEST = "v"
    EDIT = "e"  # no draft: the argument is an event id
    CANCEL = "a"  # no draft: the argument is an event id


class Mode(Enum):
    """What an announcement is about."""

    EVENT = "e"
    TEXT = "t"


# Buttons of the event list start a dialogue; every other button belongs to an open draft.
STATELESS = frozenset({Action.EDIT, Action.CANCEL})
_EVENT_KINDS = (Kind.NEW_EVENT, Kind.EDIT_EVENT)
# Where each draft-bound button may be pressed; anywhere else it is stale.
ACCEPTS: dict[Action, frozenset[tuple[Kind, Step]]] = {
    Action.DURATION: frozenset((k, Step.DURATION) for k in _EVENT_KINDS),
    Action.CATEGORY: frozenset((k, Step.CATEGORY) for k in _EVENT_KINDS),
    Action.NO_PLACE: frozenset((k, Step.PLACE) for k in _EVENT_KINDS),
    Action.NO_GROUP: frozenset((k, Step.GROUP) for k in _EVENT_KINDS),
    Action.FIELD: frozenset((k, Step.FIELD) for k in _EVENT_KINDS),
    Action.CHANGE: frozenset((k, Step.PREVIEW) for k in _EVENT_KINDS),
    Action.CONFIRM: frozenset(
        {*((k, Step.PREVIEW) for k in (*_EVENT_KINDS, Kind.BROADCAST))}
        | {(Kind.CANCEL_EVENT, Step.CONFIRM_CANCEL)}
    ),
    Action.DISCARD: frozenset(
        {*((k, Step.PREVIEW) for k in (*_EVENT_KINDS, Kind.BROADCAST))}
        | {(Kind.CANCEL_EVENT, Step.CONFIRM_CANCEL)}
    ),
    Action.MODE: frozenset({(Kind.BROADCAST, Step.MODE)}),
    Action.PICK: frozenset({(Kind.BROADCAST, Step.PICK)}),
    Action.TOPIC: frozenset({(Kind.BROADCAST, Step.TOPICS)}),
    Action.TOPICS_DONE: frozenset({(Kind.BROADCAST, Step.TOPICS)}),
    Action.TEST: frozenset({(Kind.BROADCAST, Step.PREVIEW)}),
}

Replies = tuple[Reply, ...]


def when_text(moment: datetime, zone: ZoneInfo) -> str:
    """Return an instant as „Do, 03.12.2026, 19:00 Uhr" in the service's zone."""
    fields = views.moment_fields(moment, zone)
    return f"{fields['weekday']}, {fields['date']}, {fields['time']} Uhr"


def event_summary(event: Event, texts: Texts, zone: ZoneInfo) -> str:
    """Return the announcement text of an event: title, time, duration, place, description.

    Args:
        event: The event.
        texts: The staff wordings (`knowledge/staff.yaml`).
        zone: The service's time zone.

    """
    fields = {
        "title": event.title,
        "when": when_text(event.starts_at, zone),
        "duration": views.duration_words(event.duration),
        "description": event.description,
    }
    if event.place:
        return texts("event_summary", place=event.place, **fields)
    return texts("event_summary_no_place", **fields)


def _topics_of(draft: Draft) -> frozenset[Category]:
    """Return the categories an announcement draft goes to."""
    return frozenset(c for c in map(category_of, draft.topics) if c is not None)


def _number(text: str) -> int | None:
    """Return a positive number as typed or pressed (at most nine digits), or None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class DeskViews:
    """How the staff dialogues look: questions, previews and their buttons."""

    def __init__(self, texts: Texts, zone: ZoneInfo) -> None:
        self.texts = texts
        self.zone = zone

    def bound(self, label: str, action: Action, draft: Draft, value: str = "") -> Button:
        """Return a button of an open dialogue: its value and the draft's token."""
        arg = f"{value}.{draft.token}" if value else draft.token
        return button(label, Press.STAFF, action.value, arg)

    def shown(self, step: Step, value: JsonValue, title: str = "") -> str:
        """Return a field's value as staff read it (a group with its title, when known)."""
        t = self.texts
        if step is Step.START:
            moment = start_of(value)
            return when_text(moment, self.zone) if moment is not None else "–"
        if step is Step.DURATION:
            return t("value_minutes", minutes=value)
        if step is Step.CATEGORY:
            category = category_of(value)
            return t(f"category_{category.value}") if category is not None else "–"
        if step is Step.PLACE:
            return str(value) if value is not None else t("value_no_place")
        if step is Step.GROUP:
            if value is None:
                return t("value_no_group")
            if title:
                return t("value_group_titled", title=title, chat_id=value)
            return t("value_group", chat_id=value)
        return str(value)

    def question(self, draft: Draft, current: Event | None) -> Reply:
        """Return the question of a field step (with its value so far, when editing)."""
        text = self.texts(f"ask_{draft.step.value}")
        if current is not None:
            shown = self.shown(draft.step, event_values(current)[draft.step.value])
            text = f"{text}\n{self.texts('current_value', value=shown)}"
        return Reply(text, buttons=self._field_buttons(draft), takes_text=True)

    def _field_buttons(self, draft: Draft) -> Rows:
        """Return the buttons that answer a field question without typing."""
        t = self.texts
        if draft.step is Step.DURATION:
            return (
                tuple(
                    self.bound(t("button_minutes", minutes=m), Action.DURATION, draft, str(m))
                    for m in DURATION_CHOICES
                ),
            )
        if draft.step is Step.CATEGORY:
            choices = [
                self.bound(t(f"category_{c.value}"), Action.CATEGORY, draft, c.value)
                for c in Category
            ]
            return (tuple(choices[:2]), tuple(choices[2:]))
        if draft.step is Step.PLACE:
            return ((self.bound(t("button_no_place"), Action.NO_PLACE, draft),),)
        if draft.step is Step.GROUP:
            return ((self.bound(t("button_no_group"), Action.NO_GROUP, draft),),)
        return ()

    def field_choice(self, draft: Draft, event: Event | None) -> Reply:
        """Return the question which field to change, a button per field."""
        choices = [
            self.bound(self.texts(f"field_{s.value}"), Action.FIELD, draft, s.value) for s in FIELDS
        ]
        rows = tuple(tuple(choices[i : i + 2]) for i in range(0, len(choices), 2))
        text = self.texts("choose_field")
        if event is not None:
            intro = self.texts("edit_intro", number=event.id, title=event.title)
            text = f"{intro}\n{text}"
        return Reply(text, buttons=rows)

    def preview_buttons(self, draft: Draft) -> Rows:
        """Return „Bestätigen", „Ändern" and „Verwerfen" for an event preview."""
        t = self.texts
        return (
            (
                self.bound(t("button_confirm"), Action.CONFIRM, draft),
                self.bound(t("button_change"), Action.CHANGE, draft),
                self.bound(t("button_discard"), Action.DISCARD, draft),
            ),
        )

    def new_event_preview(self, draft: Draft, event: Event) -> Reply:
        """Return a new event as staff check it before confirming."""
        values = event_values(event)
        text = self.texts(
            "event_preview",
            title=event.title,
            when=when_text(event.starts_at, self.zone),
            minutes=values[Step.DURATION.value],
            category=self.shown(Step.CATEGORY, values[Step.CATEGORY.value]),
            place=self.shown(Step.PLACE, event.place),
            group=self.shown(Step.GROUP, event.chat_id, draft.group_title),
            description=event.description,
        )
        return Reply(text, buttons=self.preview_buttons(draft))

    def edit_preview(self, draft: Draft, event: Event) -> Reply:
        """Return the changes of an edit, each field before and after."""
        before = event_values(event)
        lines = [
            self.texts(
                "edit_change_line",
                field=self.texts(f"field_{step.value}"),
                before=self.shown(step, before[step.value]),
                after=self.shown(step, draft.values[step.value], draft.group_title),
            )
            for step in FIELDS
            if step.value in draft.values
        ]
        text = self.texts(
            "edit_preview", number=event.id, title=event.title, changes="\n".join(lines)
        )
        return Reply(text, buttons=self.preview_buttons(draft))

    def cancel_question(self, draft: Draft, event: Event) -> Reply:
        """Return „Wirklich absagen?" with its two buttons."""
        t = self.texts
        text = t(
            "cancel_confirm",
            number=event.id,
            title=event.title,
            when=when_text(event.starts_at, self.zone),
        )
        rows = (
            (
                self.bound(t("button_cancel_yes"), Action.CONFIRM, draft),
                self.bound(t("button_cancel_no"), Action.DISCARD, draft),
            ),
        )
        return Reply(text, buttons=rows)

    def modes(self, draft: Draft) -> Reply:
        """Return the choice between announcing an event and a free text."""
        t = self.texts
        rows = (
            (
                self.bound(t("button_mode_event"), Action.MODE, draft, Mode.EVENT.value),
                self.bound(t("button_mode_text"), Action.MODE, draft, Mode.TEXT.value),
            ),
        )
        return Reply(t("announce_mode"), buttons=rows)

    def picks(self, draft: Draft, events: list[Event]) -> Reply:
        """Return the upcoming events to announce, one button each."""
        rows = tuple(
            (
                self.bound(
                    self.texts("button_pick", number=e.id, title=e.title[:PICK_LABEL_TITLE]),
                    Action.PICK,
                    draft,
                    str(e.id),
                ),
            )
            for e in events
        )
        return Reply(self.texts("announce_pick"), buttons=rows)

    def topics(self, draft: Draft, placement: Placement = Placement.NEW) -> Reply:
        """Return the category toggles of an announcement (✅ marks the chosen ones)."""
        t = self.texts
        toggles = [
            self.bound(
                ("✅ " if c.value in draft.topics else "") + t(f"category_{c.value}"),
                Action.TOPIC,
                draft,
                c.value,
            )
            for c in Category
        ]
        rows = (
            tuple(toggles[:2]),
            tuple(toggles[2:]),
            (
                self.bound(t("button_all"), Action.TOPIC, draft, ALL_TOPICS),
                self.bound(t("button_next"), Action.TOPICS_DONE, draft),
            ),
        )
        return Reply(t("announce_topics"), buttons=rows, placement=placement)

    def send_controls(self, draft: Draft, recipients: int) -> Reply:
        """Return the line under an announcement preview: how many get it, „Test", „Senden"."""
        t = self.texts
        chosen = [t(f"category_{c.value}") for c in Category if c.value in draft.topics]
        rows = (
            (
                self.bound(t("button_test"), Action.TEST, draft),
                self.bound(t("button_send"), Action.CONFIRM, draft),
                self.bound(t("button_discard"), Action.DISCARD, draft),
            ),
        )
        if not recipients:
            return Reply(t("announce_preview_nobody", topics=", ".join(chosen)), buttons=rows)
        text = t("announce_preview", topics=", ".join(chosen), people=Noun.PERSON.count(recipients))
        return Reply(text, buttons=rows)


class StaffDesk:
    """The staff's dialogues: new events, managing events, announcements, questions.

    Args:
        store: Events, broadcasts, audit and the drafts.
        texts: The staff wordings (`knowledge/staff.yaml`).
        zone: The time zone dates are typed and shown in (Europe/Berlin).
        announcer: Schedules, tells parents and sends, once staff confirm.
        staff_ids: The Telegram user ids allowed to use the desk.
        clock: The current time (timezone-aware).

    """

    def __init__(
        self,
        store: AnnouncementStore,
        texts: Texts,
        zone: ZoneInfo,
        announcer: Announcer,
        staff_ids: frozenset[int],
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._texts = texts
        self._zone = zone
        self._announcer = announcer
        self._staff = staff_ids
        self._clock = clock
        self._views = DeskViews(texts, zone)
        # One staff member's inputs run one after another: a double tap on „Senden" must find
        # the draft already gone, not send twice.
        self._locks = LockRegistry()

    def is_staff(self, user_id: int) -> bool:
        """Return whether a user may use the staff desk."""
        return user_id in self._staff

    # ----------------------------------------------------------------- entry points

    async def command(self, user_id: int, name: str, argument: str) -> Replies:
        """Run a staff command: /termin_neu, /termine_verwalten, /ankuendigen, /fragen, /abbrechen.

        Args:
            user_id: Who sent it.
            name: The command's name, with or without the slash.
            argument: What followed the command (the event number of /fragen).

        Returns:
            The replies; for anyone but staff only the refusal.

        """
        try:
            command: Command | None = Command(name.removeprefix("/").casefold())
        except ValueError:
            command = None
        if not self.is_staff(user_id):
            logger.info("staff command %s refused", command.value if command else "(unknown)")
            return (Reply(self._texts("staff_only")),)
        if command is None:
            return (Reply(self._texts("unknown_command")),)
        handlers: dict[Command, Callable[[int, str, datetime], Awaitable[Replies]]] = {
            Command.NEW_EVENT: self._new_event,
            Command.MANAGE: self._manage,
            Command.ANNOUNCE: self._announce,
            Command.QUESTIONS: self._questions,
            Command.ABORT: self._abort,
        }
        async with self._locks.hold(user_id):
            return await handlers[command](user_id, argument.strip(), self._clock())

    async def text(self, user_id: int, text: str) -> Replies | None:
        """Take a staff member's typed message as the next answer of their open dialogue.

        Returns:
            The replies, or None when the message is not for the desk (no dialogue is open,
            the sender is not staff, or it is a command): the parents' conversation takes it.

        """
        if not self.is_staff(user_id) or text.lstrip().startswith("/"):
            return None
        async with self._locks.hold(user_id):
            draft = await self._draft(user_id)
            if draft is None:
                return None
            now = self._clock()
            if draft.kind in _EVENT_KINDS and draft.step in FIELDS:
                return await self._typed_field(user_id, draft, text, now)
            if draft.kind is Kind.BROADCAST and draft.step is Step.TEXT:
                announcement = parse_announcement(text)
                if isinstance(announcement, FormatError):
                    hint = Reply(self._texts(announcement.problem.value, **announcement.fields))
                    return (hint, *await self._show(draft, now))
                if isinstance(announcement, Problem):
                    return (self._hint(announcement, text), *await self._show(draft, now))
                typed = replace(draft, values={"text": announcement})
                return await self._advance(user_id, typed.moved(Step.TOPICS), now)
            return (Reply(self._texts("use_buttons")),)

    async def _typed_field(self, user_id: int, draft: Draft, text: str, now: datetime) -> Replies:
        """Take a typed answer to an event field; a hint and the question again if unusable.

        A group is asked about at Telegram before it is taken: the links shortly before the
        start work only if the bot is an administrator there with „Nutzer einladen".
        """
        if draft.step is Step.CATEGORY:
            return (Reply(self._texts("use_buttons")), *await self._show(draft, now))
        value = parse_field(draft.step, text, now, self._zone)
        if isinstance(value, Problem):
            return (self._hint(value, text), *await self._show(draft, now))
        if draft.step is Step.GROUP and isinstance(value, int):
            access = await self._announcer.chat_access(value)
            if access.problem is not None:
                logger.info("staff typed a group the bot cannot invite to: %s", access.problem)
                refusal = self._texts(access.problem.value, title=access.title, chat_id=value)
                return (Reply(refusal), *await self._show(draft, now))
            draft = replace(draft, group_title=access.title)
        return await self._advance(user_id, draft.answered(draft.step, value), now)

    async def press(self, user_id: int, args: tuple[str, str]) -> Replies:
        """Act on a staff button (`Press.STAFF`, its two arguments as decoded).

        A button of a dialogue that is no longer open, of another step, or with forged data
        gets the „stale" reply; nothing else happens then.
        """
        if not self.is_staff(user_id):
            logger.info("staff button refused")
            return (Reply(self._texts("staff_only")),)
        code, arg = args
        try:
            action = Action(code)
        except ValueError:
            return self._stale()
        async with self._locks.hold(user_id):
            now = self._clock()
            if action in STATELESS:
                number = _number(arg)
                if number is None:
                    return self._stale()
                return await self._start_on_event(user_id, action, number, now)
            value, _, token = arg.rpartition(".")
            draft = await self._draft(user_id)
            if (
                draft is None
                or draft.token != token
                or (draft.kind, draft.step) not in ACCEPTS[action]
            ):
                return self._stale()
            try:
                return await self._on_press(user_id, action, draft, value, now)
            except InvalidTransition:
                logger.warning("staff draft cannot take button %s", action.value)
                return self._stale()

    # ----------------------------------------------------------------- commands

    async def _new_event(self, user_id: int, _argument: str, now: datetime) -> Replies:
        draft = Draft.begin(Kind.NEW_EVENT)
        notice = await self._begin(user_id, draft, now)
        intro = Reply(self._texts("new_event_intro"))
        return (*notice, intro, *await self._show(draft, now))

    async def _manage(self, user_id: int, _argument: str, now: datetime) -> Replies:
        events = await self._store.upcoming_events(now)
        if not events:
            return (Reply(self._texts("manage_none")),)
        t = self._texts
        lines = self._event_lines(events)
        rows = tuple(
            (
                button(t("button_edit", number=e.id), Press.STAFF, Action.EDIT.value, str(e.id)),
                button(
                    t("button_cancel_event", number=e.id),
                    Press.STAFF,
                    Action.CANCEL.value,
                    str(e.id),
                ),
            )
            for e in events
        )
        return (Reply("\n".join([t("manage_intro"), *lines]), buttons=rows),)

    async def _announce(self, user_id: int, _argument: str, now: datetime) -> Replies:
        draft = Draft.begin(Kind.BROADCAST)
        notice = await self._begin(user_id, draft, now)
        return (*notice, *await self._show(draft, now))

    async def _questions(self, _user_id: int, argument: str, now: datetime) -> Replies:
        t = self._texts
        if not argument:
            events = await self._store.upcoming_events(now)
            if not events:
                return (Reply(t("questions_no_events")),)
            lines = "\n".join(self._event_lines(events))
            return (Reply(t("questions_pick", example=events[0].id, lines=lines)),)
        number = _number(argument.removeprefix("#").removeprefix("Nr.").strip())
        event = await self._store.event(number) if number is not None else None
        if event is None:
            return (Reply(t("questions_unknown", number=argument[:20])),)
        questions = await self._store.questions(event.id)
        if not questions:
            return (Reply(t("questions_none", number=event.id, title=event.title)),)
        numbered = "\n".join(f"{i}. {q.text}" for i, q in enumerate(questions, start=1))
        text = t(
            "questions_list",
            number=event.id,
            title=event.title,
            count=len(questions),
            lines=numbered,
        )
        return (Reply(text),)

    async def _abort(self, user_id: int, _argument: str, now: datetime) -> Replies:
        if await self._draft(user_id) is None:
            return (Reply(self._texts("nothing_open")),)
        await self._store.save_draft(user_id, None, now)
        return (Reply(self._texts("cancelled")),)

    # ----------------------------------------------------------------- buttons

    async def _start_on_event(
        self, user_id: int, action: Action, event_id: int, now: datetime
    ) -> Replies:
        """Begin editing or cancelling an event from the list of /termine_verwalten."""
        event = await self._store.event(event_id)
        if event is None or not event.is_upcoming(now):
            return (Reply(self._texts("event_gone")),)
        kind = Kind.EDIT_EVENT if action is Action.EDIT else Kind.CANCEL_EVENT
        draft = Draft.begin(kind, event)
        notice = await self._begin(user_id, draft, now)
        return (*notice, *await self._show(draft, now))

    async def _on_press(
        self, user_id: int, action: Action, draft: Draft, value: str, now: datetime
    ) -> Replies:
        """Act on a button that belongs to the open draft at its current step."""
        answer: JsonValue | None = None
        if action is Action.DURATION:
            answer = int(value) if value in {str(m) for m in DURATION_CHOICES} else None
        elif action is Action.CATEGORY:
            category = category_of(value)
            answer = category.value if category is not None else None
        elif action in {Action.NO_PLACE, Action.NO_GROUP}:
            step = Step.PLACE if action is Action.NO_PLACE else Step.GROUP
            return await self._advance(user_id, draft.answered(step, None), now)
        else:
            return await self._on_control(user_id, action, draft, value, now)
        if answer is None:
            return self._stale()
        return await self._advance(user_id, draft.answered(draft.step, answer), now)

    async def _on_control(
        self, user_id: int, action: Action, draft: Draft, value: str, now: datetime
    ) -> Replies:
        """Act on a button that moves a dialogue: change, confirm, discard, the announcement's."""
        if action is Action.FIELD:
            field = next((s for s in FIELDS if s.value == value), None)
            if field is None:
                return self._stale()
            return await self._advance(user_id, replace(draft, review=True).moved(field), now)
        if action is Action.CHANGE:
            return await self._advance(user_id, draft.moved(Step.FIELD), now)
        if action is Action.DISCARD:
            await self._store.save_draft(user_id, None, now)
            key = "cancel_kept" if draft.kind is Kind.CANCEL_EVENT else "discarded"
            return (Reply(self._texts(key)),)
        if action is Action.CONFIRM:
            confirm = {
                Kind.NEW_EVENT: self._create_event,
                Kind.EDIT_EVENT: self._change_event,
                Kind.CANCEL_EVENT: self._cancel_event,
                Kind.BROADCAST: self._send,
            }[draft.kind]
            return await confirm(user_id, draft, now)
        if action is Action.TEST:
            return await self._show(draft, now)  # the preview again, exactly as recipients see it
        return await self._on_announcement(user_id, action, draft, value, now)

    async def _on_announcement(
        self, user_id: int, action: Action, draft: Draft, value: str, now: datetime
    ) -> Replies:
        """Act on the buttons that shape an announcement: mode, event, topics."""
        if action is Action.MODE:
            if value == Mode.TEXT.value:
                return await self._advance(user_id, draft.moved(Step.TEXT), now)
            if value != Mode.EVENT.value:
                return self._stale()
            if not await self._store.upcoming_events(now, limit=1):
                return (Reply(self._texts("announce_no_events")), self._views.modes(draft))
            return await self._advance(user_id, draft.moved(Step.PICK), now)
        if action is Action.PICK:
            number = _number(value)
            event = await self._store.event(number) if number is not None else None
            if event is None or not event.is_upcoming(now):
                return (Reply(self._texts("event_gone")), *await self._show(draft, now))
            picked = replace(draft, event_id=event.id, topics=(event.category.value,))
            return await self._advance(user_id, picked.moved(Step.TOPICS), now)
        if action is Action.TOPIC:
            return await self._toggle(user_id, draft, value, now)
        if not draft.topics:  # Action.TOPICS_DONE
            return (Reply(self._texts("hint_topics")), self._views.topics(draft))
        return await self._advance(user_id, draft.moved(Step.PREVIEW), now)

    async def _toggle(self, user_id: int, draft: Draft, value: str, now: datetime) -> Replies:
        """Choose or unchoose a category of an announcement („Alle" chooses every one)."""
        if value == ALL_TOPICS:
            chosen = {c.value for c in Category}
        else:
            category = category_of(value)
            if category is None:
                return self._stale()
            chosen = set(draft.topics) ^ {category.value}
        toggled = replace(draft, topics=tuple(c.value for c in Category if c.value in chosen))
        await self._store.save_draft(user_id, toggled.to_dict(), now)
        return (self._views.topics(toggled, Placement.REPLACE_PRESSED),)

    # ----------------------------------------------------------------- confirming

    async def _create_event(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Store the new event, audit it, close the dialogue and let the announcer schedule."""
        try:
            event = new_event(draft.values)
        except ValueError:
            return await self._drop_broken(user_id, now)
        if event.starts_at <= now:  # the chosen time passed while the draft waited
            again = replace(draft, review=True).moved(Step.START)
            return (self._hint(Problem.START_PAST, ""), *await self._advance(user_id, again, now))
        created = await self._store.add_event(event, now, draft_of=user_id)
        await self._store.audit(user_id, ROLE, "event_created", f"event:{created.id}", now)
        # The draft goes before the announcer runs: a failure there must not invite a second
        # confirmation that stores the event twice.
        await self._store.save_draft(user_id, None, now)
        await self._announcer.event_created(created)
        logger.info("staff created event %d", created.id)
        return (Reply(self._texts("event_created", number=created.id)),)

    async def _change_event(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Store the edited event (sequence + 1), audit it and let the announcer tell parents."""
        before = await self._edited(draft, now)
        if isinstance(before, Reply):
            await self._store.save_draft(user_id, None, now)
            return (before,)
        try:
            after = apply_values(before, draft.values)
        except ValueError:
            return await self._drop_broken(user_id, now)
        if after.starts_at != before.starts_at and after.starts_at <= now:
            again = draft.moved(Step.START)
            return (self._hint(Problem.START_PAST, ""), *await self._advance(user_id, again, now))
        after = replace(after, sequence=before.sequence + 1)
        await self._finish_change(user_id, before, after, "event_changed", now)
        return (Reply(self._texts("event_changed", number=after.id)),)

    async def _cancel_event(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Cancel the event (sequence + 1), audit it and let the announcer tell parents."""
        before = await self._edited(draft, now)
        if isinstance(before, Reply):
            await self._store.save_draft(user_id, None, now)
            return (before,)
        after = replace(before, status=EventStatus.CANCELLED, sequence=before.sequence + 1)
        await self._finish_change(user_id, before, after, "event_cancelled", now)
        return (Reply(self._texts("event_cancelled", number=after.id)),)

    async def _finish_change(
        self, user_id: int, before: Event, after: Event, action: str, now: datetime
    ) -> None:
        """Store a changed or cancelled event, audit it, close the dialogue, tell the announcer."""
        await self._store.update_event(after, draft_of=user_id)
        await self._store.audit(user_id, ROLE, action, f"event:{after.id}", now)
        await self._store.save_draft(user_id, None, now)
        await self._announcer.event_changed(before, after)
        logger.info("staff %s event %d", action.removeprefix("event_"), after.id)

    async def _send(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Store the broadcast with its recipients, audit it and let the announcer send it."""
        content = await self._announcement(draft, now)
        if isinstance(content, Reply):
            await self._store.save_draft(user_id, None, now)
            return (content,)
        text, event = content
        categories = _topics_of(draft)
        if not categories:
            return await self._drop_broken(user_id, now)
        event_id = event.id if event is not None else None
        broadcast = await self._store.create_broadcast(user_id, text, categories, event_id, now)
        subject = f"broadcast:{broadcast.id}"
        await self._store.audit(user_id, ROLE, "broadcast_created", subject, now)
        await self._store.save_draft(user_id, None, now)  # before sending: never twice
        await self._announcer.broadcast_created(broadcast)
        logger.info("staff started broadcast %d to %d recipients", broadcast.id, broadcast.total)
        if not broadcast.total:
            return (Reply(self._texts("announce_nobody", number=broadcast.id)),)
        # Progress lines come only for lists long enough to take a while (newcomer D34).
        key = "announce_sending" if broadcast.total >= PROGRESS_FROM else "announce_sending_small"
        people = Noun.PERSON.count(broadcast.total)
        return (Reply(self._texts(key, number=broadcast.id, people=people)),)

    # ----------------------------------------------------------------- drafts and views

    async def _draft(self, user_id: int) -> Draft | None:
        """Return the staff member's open dialogue; an unreadable one is dropped."""
        raw = await self._store.load_draft(user_id)
        if raw is None:
            return None
        draft = Draft.from_dict(raw)
        if draft is None:
            logger.warning("unreadable staff draft dropped")
            await self._store.save_draft(user_id, None, self._clock())
        return draft

    async def _begin(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Save a new dialogue in place of any open one; say so if one was replaced."""
        replaced = await self._draft(user_id) is not None
        await self._store.save_draft(user_id, draft.to_dict(), now)
        return (Reply(self._texts("draft_replaced")),) if replaced else ()

    async def _advance(self, user_id: int, draft: Draft, now: datetime) -> Replies:
        """Save the draft at its new step and ask that step's question."""
        await self._store.save_draft(user_id, draft.to_dict(), now)
        return await self._show(draft, now)

    async def _drop_broken(self, user_id: int, now: datetime) -> Replies:
        """Drop a draft whose stored values no longer fit (tampered or outdated)."""
        logger.warning("inconsistent staff draft dropped")
        await self._store.save_draft(user_id, None, now)
        return self._stale()

    async def _edited(self, draft: Draft, now: datetime) -> Event | Reply:
        """Return the event an edit or cancel is about, or why the dialogue cannot go on."""
        event = await self._store.event(draft.event_id) if draft.event_id is not None else None
        if event is None or not event.is_upcoming(now):
            return Reply(self._texts("event_gone"))
        if event.sequence != draft.sequence:  # someone else changed it in between
            return Reply(self._texts("event_conflict"))
        return event

    async def _announcement(self, draft: Draft, now: datetime) -> tuple[str, Event | None] | Reply:
        """Return an announcement's text and event, or why it cannot go out (event gone)."""
        if draft.event_id is None:
            text = draft.values.get("text")
            return (text, None) if isinstance(text, str) else self._stale()[0]
        event = await self._store.event(draft.event_id)
        if event is None or not event.is_upcoming(now):
            return Reply(self._texts("event_gone"))
        return event_summary(event, self._texts, self._zone), event

    async def _show(self, draft: Draft, now: datetime) -> Replies:
        """Return the question or buttons of the draft's current step."""
        v = self._views
        event: Event | None = None
        if draft.kind in {Kind.EDIT_EVENT, Kind.CANCEL_EVENT}:
            edited = await self._edited(draft, now)
            if isinstance(edited, Reply):
                return (edited,)
            event = edited
        if draft.step in FIELDS:
            return (v.question(draft, event),)
        if draft.step is Step.FIELD:
            return (v.field_choice(draft, event),)
        if draft.step is Step.CONFIRM_CANCEL and event is not None:
            return (v.cancel_question(draft, event),)
        if draft.kind is Kind.BROADCAST:
            return await self._show_announcement(draft, now)
        if event is not None:
            return (v.edit_preview(draft, event),)
        try:
            return (v.new_event_preview(draft, new_event(draft.values)),)
        except ValueError:
            return self._stale()

    async def _show_announcement(self, draft: Draft, now: datetime) -> Replies:
        """Return the buttons or preview of an announcement's current step."""
        v = self._views
        if draft.step is Step.MODE:
            return (v.modes(draft),)
        if draft.step is Step.PICK:
            return (v.picks(draft, await self._store.upcoming_events(now)),)
        if draft.step is Step.TEXT:
            return (Reply(self._texts("announce_ask_text"), takes_text=True),)
        if draft.step is Step.TOPICS:
            return (v.topics(draft),)
        content = await self._announcement(draft, now)
        if isinstance(content, Reply):
            return (content,)
        text, event = content
        recipients = await self._store.subscriber_count(_topics_of(draft))
        return (self._announcer.preview(text, event), v.send_controls(draft, recipients))

    def _event_lines(self, events: list[Event]) -> list[str]:
        """Return one line per event: number, time, title."""
        return [
            self._texts(
                "manage_line", number=e.id, title=e.title, when=when_text(e.starts_at, self._zone)
            )
            for e in events
        ]

    def _hint(self, problem: Problem, typed: str) -> Reply:
        """Return why a typed answer was not taken (the question follows it)."""
        return Reply(self._texts(problem.value, length=len(typed.strip())))

    def _stale(self) -> Replies:
        """Return the reply to a button that belongs to no open dialogue (or is forged)."""
        return (Reply(self._texts("stale")),)
