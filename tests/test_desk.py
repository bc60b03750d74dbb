"""The staff desk: event, edit, cancel and announcement dialogues against the SQLite store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.announcements.desk import StaffDesk, event_summary
from bot.announcements.drafts import Problem, Step, parse_group, parse_minutes, parse_start
from bot.announcements.model import (
    Broadcast,
    Category,
    ChatAccess,
    ChatProblem,
    Event,
    EventStatus,
)
from bot.callbacks import MAX_BYTES, Press, decode
from bot.content.knowledge import KnowledgeBase
from bot.datafiles.texts import Texts
from bot.dialogue.model import Placement, Reply
from bot.storage.sqlite import SqliteStore
from tests.conftest import problems_of

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STAFF = 900
PARENT = 4242
TITLE = "Unterhalt – Fragen an eine Fachanwältin"
GROUP_TITLE = "Expertenchat Unterhalt"


class RecordingStore(SqliteStore):
    """The real store, remembering the audit entries and how often a broadcast was created."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.audits: list[tuple[int, str, str, str | None]] = []
        self.broadcasts_created = 0

    async def audit(
        self, actor_id: int, role: str, action: str, subject: str | None, now: datetime
    ) -> None:
        self.audits.append((actor_id, role, action, subject))
        await super().audit(actor_id, role, action, subject, now)

    async def create_broadcast(
        self,
        staff_id: int,
        text: str,
        categories: frozenset[Category],
        event_id: int | None,
        now: datetime,
    ) -> Broadcast:
        self.broadcasts_created += 1
        return await super().create_broadcast(staff_id, text, categories, event_id, now)


class Announcer:
    def __init__(self) -> None:
        self.created: list[Event] = []
        self.changed: list[tuple[Event, Event]] = []
        self.broadcasts: list[Broadcast] = []
        # What Telegram says about each group (a group not listed: the bot may invite there).
        self.groups: dict[int, ChatAccess] = {}
        self.asked: list[int] = []

    async def chat_access(self, chat_id: int) -> ChatAccess:
        self.asked.append(chat_id)
        return self.groups.get(chat_id, ChatAccess(GROUP_TITLE))

    async def event_created(self, event: Event) -> None:
        self.created.append(event)

    async def event_changed(self, before: Event, after: Event) -> None:
        self.changed.append((before, after))

    async def broadcast_created(self, broadcast: Broadcast) -> None:
        self.broadcasts.append(broadcast)

    def preview(self, text: str, event: Event | None) -> Reply:
        marker = f"event {event.id}" if event is not None else "no event"
        return Reply(text, footer=marker)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[RecordingStore]:
    store = RecordingStore(tmp_path / "desk.sqlite3")
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def texts(kb: KnowledgeBase) -> Texts:
    return kb.staff_texts


@pytest.fixture
def announcer() -> Announcer:
    return Announcer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_desk(db: RecordingStore, texts: Texts, announcer: Announcer, clock: Clock) -> StaffDesk:
    return StaffDesk(db, texts, BERLIN, announcer, frozenset({STAFF}), clock)


@pytest.fixture
def desk(db: RecordingStore, texts: Texts, announcer: Announcer, clock: Clock) -> StaffDesk:
    return make_desk(db, texts, announcer, clock)


def staff_buttons(replies: tuple[Reply, ...]) -> dict[str, tuple[str, str]]:
    """Return every staff button of the replies by label, checking its data on the way."""
    found = {}
    for reply in replies:
        for row in reply.buttons:
            for b in row:
                assert len(b.data.encode()) <= MAX_BYTES
                pressed = decode(b.data)
                assert pressed is not None
                if pressed.press is Press.STAFF:
                    found[b.label] = (pressed.args[0], pressed.args[1])
    return found


async def tap(desk: StaffDesk, replies: tuple[Reply, ...], label: str) -> tuple[Reply, ...]:
    """Press the button whose label contains `label`."""
    buttons = staff_buttons(replies)
    matches = [args for text, args in buttons.items() if label in text]
    assert len(matches) == 1, (label, list(buttons))
    return await desk.press(STAFF, matches[0])


async def say(desk: StaffDesk, text: str) -> tuple[Reply, ...]:
    replies = await desk.text(STAFF, text)
    assert replies is not None
    return replies


def joined(replies: tuple[Reply, ...]) -> str:
    return "\n".join(r.text for r in replies)


async def step_of(db: RecordingStore) -> str | None:
    draft = await db.load_draft(STAFF)
    return None if draft is None else str(draft["step"])


def an_event(start: datetime = NOW + timedelta(days=9), category: Category = Category.LAW) -> Event:
    description = "Fragen rund um Unterhalt."
    return Event(0, TITLE, start, timedelta(minutes=60), category, description, "Online", None)


# ----------------------------------------------------------------- /termin_neu


async def test_a_new_event_is_asked_step_by_step_and_stored_on_confirm(
    desk: StaffDesk, db: RecordingStore, texts: Texts, announcer: Announcer
) -> None:
    replies = await desk.command(STAFF, "termin_neu", "")
    assert texts("ask_title") in joined(replies)
    replies = await say(desk, TITLE)
    assert texts("ask_start") in joined(replies)
    replies = await say(desk, "3.12.2026 19:00")
    assert texts("ask_duration") in joined(replies)
    assert replies[-1].takes_text
    replies = await tap(desk, replies, "90 Min.")
    assert texts("ask_category") in joined(replies)
    replies = await tap(desk, replies, "Recht")
    assert texts("ask_description") in joined(replies)
    replies = await say(desk, "Eine Fachanwältin beantwortet Ihre Fragen.")
    assert texts("ask_place") in joined(replies)
    replies = await say(desk, "https://example.org/raum")
    assert texts("ask_group") in joined(replies)
    replies = await say(desk, "-1001234567890")
    preview = joined(replies)
    assert "Do, 03.12.2026, 19:00 Uhr" in preview
    assert TITLE in preview
    assert "Recht" in preview
    assert f"Geschützter Chat: „{GROUP_TITLE}“ (-1001234567890)" in preview
    assert announcer.asked == [-1001234567890]
    labels = " ".join(staff_buttons(replies))
    assert all(word in labels for word in ("Bestätigen", "Ändern", "Verwerfen"))
    assert announcer.created == []

    done = await tap(desk, replies, "Bestätigen")

    (event,) = await db.upcoming_events(NOW)
    assert event.title == TITLE
    assert event.starts_at == datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert event.duration == timedelta(minutes=90)
    assert event.category is Category.LAW
    assert event.place == "https://example.org/raum"
    assert event.chat_id == -1001234567890
    assert announcer.created == [event]
    assert db.audits == [(STAFF, "staff", "event_created", f"event:{event.id}")]
    assert await db.load_draft(STAFF) is None
    assert f"Nr. {event.id}" in joined(done)
    assert "/ankuendigen" in joined(done)
    assert await tap(desk, replies, "Bestätigen") == (Reply(texts("stale")),)
    assert len(await db.upcoming_events(NOW)) == 1


@pytest.mark.parametrize(
    ("access", "key"),
    [
        (ChatAccess("", ChatProblem.NOT_FOUND, "Bad Request: chat not found"), "group_not_found"),
        (ChatAccess(GROUP_TITLE, ChatProblem.NOT_ADMIN), "group_not_admin"),
        (ChatAccess(GROUP_TITLE, ChatProblem.NO_INVITE_RIGHT), "group_no_invite_right"),
        (ChatAccess("", ChatProblem.UNCHECKED, "TimedOut"), "group_unchecked"),
    ],
)
async def test_a_group_the_bot_cannot_invite_to_is_refused_and_asked_again(
    desk: StaffDesk,
    db: RecordingStore,
    texts: Texts,
    announcer: Announcer,
    access: ChatAccess,
    key: str,
) -> None:
    """Issue 17: a group where the bot may not invite was taken; the links failed at the start."""
    group = -1001234567890
    announcer.groups[group] = access
    await new_event_at(desk, Step.GROUP)
    replies = await say(desk, str(group))
    assert replies[0].text == texts(key, title=GROUP_TITLE, chat_id=group)
    assert "Nutzer einladen" in replies[0].text or key == "group_unchecked"
    assert texts("ask_group") in replies[1].text
    assert await step_of(db) == Step.GROUP.value
    # Fixed in Telegram, typed again: taken, and the preview names the group.
    del announcer.groups[group]
    preview = joined(await say(desk, str(group)))
    assert f"Geschützter Chat: „{GROUP_TITLE}“ ({group})" in preview
    assert await step_of(db) == Step.PREVIEW.value


async def test_a_group_changed_in_the_management_dialogue_is_checked_too(
    desk: StaffDesk, db: RecordingStore, texts: Texts, announcer: Announcer
) -> None:
    event = await db.add_event(an_event(), NOW)
    choice = await tap(desk, await desk.command(STAFF, "termine_verwalten", ""), "bearbeiten")
    await tap(desk, choice, "Geschützter Chat")
    announcer.groups[-100555] = ChatAccess("Elterncafé", ChatProblem.NOT_ADMIN)
    refused = await say(desk, "-100555")
    assert refused[0].text == texts("group_not_admin", title="Elterncafé", chat_id=-100555)
    assert await step_of(db) == Step.GROUP.value
    preview = joined(await say(desk, "-1007777"))
    assert f"Geschützter Chat: keiner → „{GROUP_TITLE}“ (-1007777)" in preview
    assert (await db.event(event.id)) == event  # nothing stored before „Bestätigen“


async def new_event_at(desk: StaffDesk, step: Step) -> tuple[Reply, ...]:
    """Start /termin_neu and answer until `step` is asked."""
    answers: list[tuple[Step, str, bool]] = [
        (Step.TITLE, TITLE, False),
        (Step.START, "03.12. 19 Uhr", False),
        (Step.DURATION, "60 Min.", True),
        (Step.CATEGORY, "Alltag", True),
        (Step.DESCRIPTION, "Austausch über Betreuung.", False),
        (Step.PLACE, "Kein Ort", True),
        (Step.GROUP, "Keine Gruppe", True),
    ]
    replies = await desk.command(STAFF, "/termin_neu", "")
    for asked, answer, is_button in answers:
        if asked is step:
            return replies
        replies = await (tap(desk, replies, answer) if is_button else say(desk, answer))
    return replies


@pytest.mark.parametrize(
    ("step", "typed", "problem"),
    [
        (Step.TITLE, "x" * 121, Problem.TITLE),
        (Step.TITLE, "ab", Problem.TITLE),
        (Step.START, "1.11.2026 10:00", Problem.START_PAST),
        (Step.START, "24.11.2026 09:59", Problem.START_PAST),
        (Step.START, "morgen abend", Problem.START_UNREADABLE),
        (Step.START, "31.02.2027 10:00", Problem.START_UNREADABLE),
        (Step.START, "3.12.2026 25:00", Problem.START_UNREADABLE),
        (Step.DURATION, "5", Problem.DURATION),
        (Step.DURATION, "lange", Problem.DURATION),
        (Step.DESCRIPTION, "y" * 1001, Problem.DESCRIPTION),
        (Step.PLACE, "z" * 301, Problem.PLACE),
        (Step.GROUP, "12345", Problem.GROUP),
        (Step.GROUP, "meine Gruppe", Problem.GROUP),
    ],
)
async def test_an_invalid_answer_gets_a_hint_and_the_same_question_again(
    desk: StaffDesk, db: RecordingStore, texts: Texts, step: Step, typed: str, problem: Problem
) -> None:
    asked = await new_event_at(desk, step)
    replies = await say(desk, typed)
    assert replies[0].text == texts(problem.value, length=len(typed))
    assert replies[1:] == asked[-1:]
    assert await step_of(db) == step.value


async def test_a_category_must_be_chosen_by_button(desk: StaffDesk, texts: Texts) -> None:
    asked = await new_event_at(desk, Step.CATEGORY)
    replies = await say(desk, "Recht")
    assert replies == (Reply(texts("use_buttons")), *asked[-1:])


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("3.12.2026 19:00", datetime(2026, 12, 3, 19, 0)),
        ("03.12. 19 Uhr", datetime(2026, 12, 3, 19, 0)),
        ("3.12.26 19:30", datetime(2026, 12, 3, 19, 30)),
        ("2026-12-03 19:00", datetime(2026, 12, 3, 19, 0)),
        ("3.12.2026, 19.30 Uhr", datetime(2026, 12, 3, 19, 30)),
        ("3.12.2026 um 9 Uhr", datetime(2026, 12, 3, 9, 0)),
        ("1.7.2027 18:00", datetime(2027, 7, 1, 18, 0)),  # summer time: UTC+2
        ("2.1. 10:00", datetime(2027, 1, 2, 10, 0)),  # no year: the next such day
        # newcomer D22: a weekday before the date, and days named relative to today
        ("Do 3.12. 19.30 Uhr", datetime(2026, 12, 3, 19, 30)),
        ("Donnerstag, 3.12.2026 19:00", datetime(2026, 12, 3, 19, 0)),
        (
            "morgen 10 Uhr",
            (NOW.astimezone(BERLIN) + timedelta(days=1)).replace(
                hour=10, minute=0, second=0, microsecond=0, tzinfo=None
            ),
        ),
        (
            "übermorgen um 9:30",
            (NOW.astimezone(BERLIN) + timedelta(days=2)).replace(
                hour=9, minute=30, second=0, microsecond=0, tzinfo=None
            ),
        ),
    ],
)
def test_dates_are_read_in_german_and_iso_style(typed: str, local: datetime) -> None:
    assert parse_start(typed, NOW, BERLIN) == local.replace(tzinfo=BERLIN).astimezone(UTC)


def test_a_weekday_that_does_not_fit_the_date_is_named() -> None:
    assert parse_start("Fr 3.12. 19:30", NOW, BERLIN) is Problem.START_WEEKDAY  # a Thursday
    assert parse_start("heute 0 Uhr", NOW, BERLIN) is Problem.START_PAST
    assert parse_start("nächste Woche", NOW, BERLIN) is Problem.START_UNREADABLE


def test_durations_and_group_ids_are_read() -> None:
    assert parse_minutes("90") == 90
    assert parse_minutes("90 Minuten") == 90
    assert parse_minutes("1,5 h") == 90
    assert parse_minutes("481") is Problem.DURATION
    assert parse_group("-100 1234 567890") == -1001234567890
    assert parse_group("1001234567890") is Problem.GROUP


async def test_a_restart_in_the_middle_of_a_dialogue_loses_nothing(
    db: RecordingStore, texts: Texts, announcer: Announcer, clock: Clock
) -> None:
    first = make_desk(db, texts, announcer, clock)
    await first.command(STAFF, "termin_neu", "")
    await say(first, TITLE)
    await say(first, "3.12.2026 19:00")

    second = make_desk(db, texts, announcer, clock)
    replies = await say(second, "120")
    assert texts("ask_category") in joined(replies)
    replies = await tap(second, replies, "Veranstaltungen")
    await say(second, "Ein Treffen.")
    replies = await tap(second, await say(second, "Café Lotse, Berlin"), "Keine Gruppe")
    await tap(second, replies, "Bestätigen")
    (event,) = announcer.created
    assert (event.title, event.duration, event.category) == (
        TITLE,
        timedelta(minutes=120),
        Category.EVENTS,
    )
    assert event.place == "Café Lotse, Berlin"
    assert event.chat_id is None


async def test_abbrechen_deletes_the_draft(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    asked = await new_event_at(desk, Step.DURATION)
    assert await desk.command(STAFF, "abbrechen", "") == (Reply(texts("cancelled")),)
    assert await db.load_draft(STAFF) is None
    assert await desk.text(STAFF, "90") is None  # the parents' conversation takes it now
    assert await tap(desk, asked, "60 Min.") == (Reply(texts("stale")),)
    assert await desk.command(STAFF, "abbrechen", "") == (Reply(texts("nothing_open")),)


async def test_starting_another_dialogue_replaces_the_draft_and_says_so(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    old = await new_event_at(desk, Step.DURATION)
    replies = await desk.command(STAFF, "ankuendigen", "")
    assert replies[0].text == texts("draft_replaced")
    assert await step_of(db) == Step.MODE.value
    assert await tap(desk, old, "60 Min.") == (Reply(texts("stale")),)
    fresh = await desk.command(STAFF, "termin_neu", "")
    assert fresh[0].text == texts("draft_replaced")
    again = await desk.command(STAFF, "termin_neu", "")
    assert again[0].text == texts("draft_replaced")
    await desk.command(STAFF, "abbrechen", "")
    assert texts("draft_replaced") not in joined(await desk.command(STAFF, "termin_neu", ""))


async def test_aendern_in_the_preview_changes_one_field_and_returns_to_the_preview(
    desk: StaffDesk, announcer: Announcer, texts: Texts
) -> None:
    preview = await new_event_at(desk, Step.PREVIEW)
    choice = await tap(desk, preview, "Ändern")
    assert texts("choose_field") in joined(choice)
    asked = await tap(desk, choice, "Titel")
    assert texts("ask_title") in joined(asked)
    replies = await say(desk, "Betreuung – offener Austausch")
    assert "Titel: Betreuung – offener Austausch" in joined(replies)
    await tap(desk, replies, "Bestätigen")
    assert [e.title for e in announcer.created] == ["Betreuung – offener Austausch"]


async def test_verwerfen_stores_nothing(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    preview = await new_event_at(desk, Step.PREVIEW)
    assert await tap(desk, preview, "Verwerfen") == (Reply(texts("discarded")),)
    assert await db.upcoming_events(NOW) == []
    assert announcer.created == []
    assert await db.load_draft(STAFF) is None


async def test_a_time_that_passed_while_the_draft_waited_is_asked_again(
    desk: StaffDesk, clock: Clock, announcer: Announcer, texts: Texts
) -> None:
    preview = await new_event_at(desk, Step.PREVIEW)
    clock.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    replies = await tap(desk, preview, "Bestätigen")
    assert replies[0].text == texts("hint_start_past", length=0)
    assert texts("ask_start") in replies[1].text
    preview = await say(desk, "5.12.2026 19:00")
    await tap(desk, preview, "Bestätigen")
    assert [e.starts_at.day for e in announcer.created] == [5]


# ----------------------------------------------------------------- /termine_verwalten


async def test_the_event_list_has_edit_and_cancel_buttons(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    assert await desk.command(STAFF, "termine_verwalten", "") == (Reply(texts("manage_none")),)
    event = await db.add_event(an_event(), NOW)
    (listing,) = await desk.command(STAFF, "termine_verwalten", "")
    assert f"Nr. {event.id} · Do, 03.12.2026, 10:00 Uhr · {TITLE}" in listing.text
    assert set(staff_buttons((listing,)).values()) == {("e", str(event.id)), ("a", str(event.id))}


async def test_an_edit_is_previewed_then_stored_and_announced(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    event = await db.add_event(an_event(), NOW)
    listing = await desk.command(STAFF, "termine_verwalten", "")
    choice = await tap(desk, listing, "bearbeiten")
    assert TITLE in joined(choice)
    asked = await tap(desk, choice, "Beginn")
    assert "Bisher: Do, 03.12.2026, 10:00 Uhr" in joined(asked)
    assert texts("hint_start_past", length=8) in joined(await say(desk, "1.1.2026 8:00"))
    preview = await say(desk, "4.12.2026 18:30")
    assert "Beginn: Do, 03.12.2026, 10:00 Uhr → Fr, 04.12.2026, 18:30 Uhr" in joined(preview)
    assert announcer.changed == []
    done = await tap(desk, preview, "Bestätigen")
    assert done == (Reply(texts("event_changed", number=event.id)),)
    after = await db.event(event.id)
    assert after is not None
    assert after.starts_at == datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert after.sequence == event.sequence + 1
    assert announcer.changed == [(event, after)]
    assert db.audits == [(STAFF, "staff", "event_changed", f"event:{event.id}")]


async def test_several_fields_can_be_edited_at_once(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer
) -> None:
    event = await db.add_event(an_event(), NOW)
    choice = await tap(desk, await desk.command(STAFF, "termine_verwalten", ""), "bearbeiten")
    preview = await tap(desk, await tap(desk, choice, "Ort"), "Kein Ort")
    choice = await tap(desk, preview, "Ändern")
    preview = await tap(desk, await tap(desk, choice, "Dauer"), "120 Min.")
    assert "Ort oder Link: Online → kein Ort" in joined(preview)
    assert "Dauer: 60 Minuten → 120 Minuten" in joined(preview)
    await tap(desk, preview, "Bestätigen")
    ((before, after),) = announcer.changed
    assert before == event
    assert (after.place, after.duration) == (None, timedelta(minutes=120))


async def test_an_edit_of_an_event_changed_meanwhile_is_refused(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    event = await db.add_event(an_event(), NOW)
    choice = await tap(desk, await desk.command(STAFF, "termine_verwalten", ""), "bearbeiten")
    await tap(desk, choice, "Titel")
    preview = await say(desk, "Neuer Titel")
    await db.update_event(replace(event, title="Anders", sequence=event.sequence + 1))
    assert await tap(desk, preview, "Bestätigen") == (Reply(texts("event_conflict")),)
    assert announcer.changed == []
    assert await db.load_draft(STAFF) is None


async def test_cancelling_asks_first_then_tells_the_announcer(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    event = await db.add_event(an_event(), NOW)
    listing = await desk.command(STAFF, "termine_verwalten", "")
    question = await tap(desk, listing, "absagen")
    assert "Wirklich absagen? Angemeldete Eltern werden benachrichtigt." in joined(question)
    assert await tap(desk, question, "Nein") == (Reply(texts("cancel_kept")),)
    assert (await db.event(event.id)) == event

    question = await tap(desk, listing, "absagen")
    done = await tap(desk, question, "Ja, absagen")
    assert done == (Reply(texts("event_cancelled", number=event.id)),)
    after = await db.event(event.id)
    assert after is not None
    assert after.status is EventStatus.CANCELLED
    assert after.sequence == event.sequence + 1
    assert announcer.changed == [(event, after)]
    assert db.audits == [(STAFF, "staff", "event_cancelled", f"event:{event.id}")]
    assert await tap(desk, question, "Ja, absagen") == (Reply(texts("stale")),)
    assert await tap(desk, listing, "absagen") == (Reply(texts("event_gone")),)


# ----------------------------------------------------------------- /ankuendigen


async def test_a_free_text_announcement_is_previewed_tested_and_sent_once(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    await db.subscribe(1, frozenset({Category.LAW}), NOW)
    await db.subscribe(2, frozenset({Category.MONEY}), NOW)
    mode = await desk.command(STAFF, "ankuendigen", "")
    asked = await tap(desk, mode, "Freier Text")
    assert asked == (Reply(texts("announce_ask_text"), takes_text=True),)
    assert texts("hint_text", length=3501) in joined(await say(desk, "a" * 3501))
    topics = await say(desk, "  Neu: Sprechstunde jeden Dienstag.  ")
    assert not any(label.startswith("✅") for label in staff_buttons(topics))
    hint = await tap(desk, topics, "Weiter")
    assert hint[0].text == texts("hint_topics")
    toggled = await tap(desk, topics, "Recht")
    assert toggled[0].placement is Placement.REPLACE_PRESSED
    assert "✅ Recht" in staff_buttons(toggled)
    toggled = await tap(desk, toggled, "Alltag")
    toggled = await tap(desk, toggled, "Recht")
    assert {label for label in staff_buttons(toggled) if label.startswith("✅")} == {
        "✅ Alltag & Betreuung"
    }
    toggled = await tap(desk, toggled, "Recht")
    preview = await tap(desk, toggled, "Weiter")
    assert preview[0] == announcer.preview("Neu: Sprechstunde jeden Dienstag.", None)
    assert "Recht, Alltag & Betreuung" in preview[1].text
    assert "Sie geht an 1 Person:" in preview[1].text  # newcomer D34: how many get it
    assert await tap(desk, preview, "Test an mich") == preview

    sent = await tap(desk, preview, "Senden")
    assert await tap(desk, preview, "Senden") == (Reply(texts("stale")),)
    (broadcast,) = announcer.broadcasts
    assert db.broadcasts_created == 1
    assert broadcast.text == "Neu: Sprechstunde jeden Dienstag."
    assert broadcast.categories == {Category.LAW, Category.EVERYDAY}
    assert broadcast.event_id is None
    assert broadcast.total == 1
    # One recipient: no progress messages are promised, only the final report (D34).
    assert sent == (
        Reply(
            f"Ankündigung Nr. {broadcast.id} wird jetzt an 1 Person verschickt. "
            "Am Ende bekommen Sie einen Bericht."
        ),
    )
    assert db.audits == [(STAFF, "staff", "broadcast_created", f"broadcast:{broadcast.id}")]


async def test_an_event_announcement_is_written_from_the_event(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    event = await db.add_event(an_event(), NOW)
    mode = await desk.command(STAFF, "ankuendigen", "")
    picks = await tap(desk, mode, "Termin ankündigen")
    topics = await tap(desk, picks, f"Nr. {event.id}")
    assert {label for label in staff_buttons(topics) if label.startswith("✅")} == {"✅ Recht"}
    topics = await tap(desk, topics, "Alle")
    assert sum(label.startswith("✅") for label in staff_buttons(topics)) == 4
    preview = await tap(desk, topics, "Weiter")
    summary = event_summary(event, texts, BERLIN)
    assert preview[0] == announcer.preview(summary, event)
    assert "Do, 03.12.2026, 10:00 Uhr (1 Stunde)" in summary
    assert "📍 Online" in summary
    sent = await tap(desk, preview, "Senden")
    (broadcast,) = announcer.broadcasts
    assert (broadcast.text, broadcast.event_id) == (summary, event.id)
    assert broadcast.categories == frozenset(Category)
    assert sent == (Reply(texts("announce_nobody", number=broadcast.id, total=0)),)


async def test_an_event_announcement_needs_an_upcoming_event(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts, clock: Clock
) -> None:
    mode = await desk.command(STAFF, "ankuendigen", "")
    replies = await tap(desk, mode, "Termin ankündigen")
    assert replies[0].text == texts("announce_no_events")
    event = await db.add_event(an_event(), NOW)
    picks = await tap(desk, replies, "Termin ankündigen")
    preview = await tap(desk, await tap(desk, picks, f"Nr. {event.id}"), "Weiter")
    clock.now = event.ends_at
    assert await tap(desk, preview, "Senden") == (Reply(texts("event_gone")),)
    assert announcer.broadcasts == []
    assert db.broadcasts_created == 0


def test_an_event_without_a_place_is_summarised_without_one(texts: Texts) -> None:
    summary = event_summary(replace(an_event(), place=None), texts, BERLIN)
    assert "📍" not in summary
    assert TITLE in summary


# ----------------------------------------------------------------- /fragen


async def test_questions_are_listed_numbered_and_without_senders(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    assert await desk.command(STAFF, "fragen", "") == (Reply(texts("questions_no_events")),)
    event = await db.add_event(an_event(), NOW)
    (listing,) = await desk.command(STAFF, "fragen", "")
    assert f"Nr. {event.id} ·" in listing.text
    assert f"/fragen {event.id}" in listing.text
    none = texts("questions_none", number=event.id, title=TITLE)
    assert await desk.command(STAFF, "fragen", str(event.id)) == (Reply(none),)
    await db.add_question(event.id, 7001, "Zählt das Kindergeld mit?", NOW)
    await db.add_question(event.id, 7002, "Was ist mit dem Mehrbedarf?", NOW)
    (answer,) = await desk.command(STAFF, "fragen", str(event.id))
    assert "1. Zählt das Kindergeld mit?\n2. Was ist mit dem Mehrbedarf?" in answer.text
    assert "7001" not in answer.text
    assert "7002" not in answer.text
    unknown = texts("questions_unknown", number="99")
    assert await desk.command(STAFF, "fragen", "99") == (Reply(unknown),)
    assert "gibt es nicht" in joined(await desk.command(STAFF, "fragen", "abc"))


# ----------------------------------------------------------------- who may, and stale buttons


@pytest.mark.parametrize(
    "name", ["termin_neu", "termine_verwalten", "ankuendigen", "fragen", "abbrechen", "xyz"]
)
async def test_parents_get_staff_only_and_nothing_is_stored(
    desk: StaffDesk,
    db: RecordingStore,
    texts: Texts,
    name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    assert not desk.is_staff(PARENT)
    assert await desk.command(PARENT, name, "1") == (Reply(texts("staff_only")),)
    assert await desk.text(PARENT, "Unterhalt") is None
    assert await desk.press(PARENT, ("e", "1")) == (Reply(texts("staff_only")),)
    assert await db.load_draft(PARENT) is None
    assert db.audits == []
    assert await db.upcoming_events(NOW) == []
    assert "refused" in caplog.text
    assert str(PARENT) not in caplog.text


async def test_staff_without_a_dialogue_leave_typed_text_to_the_parents_side(
    desk: StaffDesk,
) -> None:
    assert await desk.text(STAFF, "Wie viel Kindergeld bekomme ich?") is None
    await desk.command(STAFF, "termin_neu", "")
    assert await desk.text(STAFF, "/themen") is None


async def test_forged_and_stale_presses_get_the_stale_reply(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    stale = (Reply(texts("stale")),)
    asked = await new_event_at(desk, Step.DURATION)
    token = staff_buttons(asked)["60 Min."][1].rpartition(".")[2]
    forged = [
        ("?", "1"),
        ("d", "60.000000"),  # another dialogue's token
        ("d", f"45.{token}"),  # not one of the choices
        ("d", "60"),  # no token at all
        ("k", f"geld.{token}"),  # a category button at the duration step
        ("y", token),  # confirm before the preview
        ("t", f"recht.{token}"),  # an announcement's button in an event dialogue
        ("e", "abc"),
        ("a", "1234567890"),
    ]
    for args in forged:
        assert await desk.press(STAFF, args) == stale, args
    assert await desk.press(STAFF, ("e", "77")) == (Reply(texts("event_gone")),)
    assert await step_of(db) == Step.DURATION.value  # still waiting for the duration
    replies = await tap(desk, asked, "30 Min.")
    assert texts("ask_category") in joined(replies)
    assert await tap(desk, asked, "60 Min.") == stale  # a step already answered
    assert await desk.press(STAFF, ("k", f"schule.{token}")) == stale


async def test_a_tampered_draft_is_dropped_not_raised(
    desk: StaffDesk, db: RecordingStore, texts: Texts
) -> None:
    await db.save_draft(STAFF, {"v": 1, "kind": "nonsense"}, NOW)
    assert await desk.text(STAFF, "Hallo") is None
    assert await db.load_draft(STAFF) is None
    draft: dict[str, Any] = {
        "v": 1,
        "kind": "event",
        "step": "preview",
        "token": "abcdef",
        "values": {"title": TITLE},
        "review": False,
        "event": None,
        "seq": None,
        "topics": [],
    }
    await db.save_draft(STAFF, draft, NOW)
    assert await desk.press(STAFF, ("y", "abcdef")) == (Reply(texts("stale")),)
    assert await db.load_draft(STAFF) is None


# ----------------------------------------------------------------- the wording file


def test_a_missing_staff_wording_is_reported(broken: Path) -> None:
    path = broken / "staff.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("  stale:", "  stale_old:"), encoding="utf-8")
    problems = problems_of(broken)
    assert any(p.startswith(f"{path}:") and "'stale' is a required property" in p for p in problems)


def test_a_malformed_placeholder_is_reported_with_its_line(broken: Path) -> None:
    path = broken / "staff.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("  event_created:"))
    lines[index] = '  event_created: "Termin Nr. {number ist angelegt."'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problems_of(broken)
    assert f"{path}:{index + 1}: texts/event_created: malformed placeholder" in "\n".join(problems)


async def test_odd_digits_in_fragen_are_no_number(desk: StaffDesk) -> None:
    replies = await desk.command(STAFF, "fragen", "²")
    assert replies


async def test_announcement_formatting_is_checked_and_the_preview_counts_recipients(
    desk: StaffDesk, db: RecordingStore, announcer: Announcer, texts: Texts
) -> None:
    """Newcomer D38 (formatting refused with a clear line) and D34 („geht an 2 Personen")."""
    await db.subscribe(1, frozenset({Category.LAW}), NOW)
    await db.subscribe(2, frozenset({Category.LAW, Category.MONEY}), NOW)
    mode = await desk.command(STAFF, "ankuendigen", "")
    asked = await tap(desk, mode, "Freier Text")
    assert "<b>fett</b>" in asked[0].text
    assert "Knopf:" in asked[0].text
    refused = await say(desk, "Frohe Feiertage! <u>Ihr VAMV</u>")
    assert refused[0].text.startswith("„<u>“ kann ich nicht verschicken.")
    assert refused[1].text == texts("announce_ask_text")  # asked again, nothing kept
    assert "„</b>“ an das Ende" in (await say(desk, "Frohe <b>Feiertage"))[0].text
    assert "https://" in (await say(desk, '<a href="http://vamv.de">VAMV</a>'))[0].text
    button_hint = await say(desk, "Hallo\nKnopf: Programm | ftp://vamv.de")
    assert button_hint[0].text == texts("hint_format_button")

    typed = "Frohe Feiertage! <b>Ihr VAMV</b>\nKnopf: Programm | https://www.vamv.de/termine"
    topics = await say(desk, typed)
    preview = await tap(desk, await tap(desk, topics, "Recht"), "Weiter")
    assert preview[0] == announcer.preview(typed, None)
    assert "Sie geht an 2 Personen: alle, die Recht abonniert haben." in preview[1].text
    toggled = await tap(desk, preview, "Senden")
    assert "an 2 Personen verschickt" in toggled[0].text
    (broadcast,) = announcer.broadcasts
    assert broadcast.text == typed


async def test_a_preview_for_topics_nobody_subscribed_says_so(
    desk: StaffDesk, texts: Texts
) -> None:
    mode = await desk.command(STAFF, "ankuendigen", "")
    await tap(desk, mode, "Freier Text")
    topics = await say(desk, "Hallo zusammen")
    preview = await tap(desk, await tap(desk, topics, "Recht"), "Weiter")
    assert preview[1].text == texts("announce_preview_nobody", topics="Recht")
