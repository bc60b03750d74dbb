"""The announcements use case: events for parents, reminders, invites, changes, join checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.announcements.model import (
    Category,
    ChatAccess,
    ChatProblem,
    ChatUnusable,
    Event,
    EventStatus,
)
from bot.announcements.service import INVITE, Announcements
from bot.callbacks import EventPress, Press, SubscribePress, decode
from bot.config import AnnouncementsConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.model import Placement, Reply
from bot.outbox.model import RecipientGone
from bot.storage.sqlite import SqliteStore

Parts = tuple["Announcements", "Channel", "Timers", "Clock"]
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STAFF = 900


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[int, Reply, bool]] = []
        self.links: list[tuple[int, datetime]] = []
        self.gone: set[int] = set()
        self.revoked: list[tuple[int, str]] = []
        self.refusal: str | None = None  # Telegram's words when links are refused for good
        self.access: dict[int, ChatAccess] = {}

    async def send(self, user_id: int, reply: Reply, *, paid: bool = False) -> None:
        if user_id in self.gone:
            raise RecipientGone("Forbidden: bot was blocked by the user")
        self.sent.append((user_id, reply, paid))

    async def invite_link(self, chat_id: int, expires: datetime, name: str) -> str:
        if self.refusal is not None:
            raise ChatUnusable(self.refusal)
        self.links.append((chat_id, expires))
        return f"https://t.me/+link{len(self.links)}"

    async def revoke_invite(self, chat_id: int, link: str) -> None:
        self.revoked.append((chat_id, link))

    async def chat_access(self, chat_id: int) -> ChatAccess:
        return self.access.get(chat_id, ChatAccess("Expertenchat"))

    def texts_to(self, user_id: int) -> list[str]:
        return [r.text for u, r, _ in self.sent if u == user_id]


class Timers:
    def __init__(self) -> None:
        self.due: dict[tuple[int, str], datetime] = {}

    def schedule(self, event_id: int, mark: str, at: datetime) -> None:
        self.due[(event_id, mark)] = at

    def unschedule(self, event_id: int) -> None:
        self.due = {k: v for k, v in self.due.items() if k[0] != event_id}


@pytest.fixture
def parts(db: SqliteStore, kb: KnowledgeBase) -> tuple[Announcements, Channel, Timers, Clock]:
    channel, timers, clock = Channel(), Timers(), Clock()
    config = AnnouncementsConfig(staff_ids=frozenset({STAFF}))
    service = Announcements(config, db, kb.texts, BERLIN, channel, timers, clock=clock, inline=True)
    return service, channel, timers, clock


def an_event(start: datetime = NOW + timedelta(days=2), chat: int | None = None) -> Event:
    return Event(
        0,
        "Unterhalt – Fragen an eine Fachanwältin",
        start,
        timedelta(minutes=60),
        Category.MONEY,
        "Fragen rund um Unterhalt.",
        "Online",
        chat,
    )


async def test_upcoming_events_come_with_the_parents_buttons(db: SqliteStore, parts: Parts) -> None:
    service, *_ = parts
    event = await db.add_event(an_event(), NOW)
    replies = await service.events_reply(1)
    assert len(replies) == 2
    assert "Do, 26.11.2026, 10:00 Uhr" in replies[1].text
    pressed = [decode(b.data) for row in replies[1].buttons for b in row]
    assert {p.args for p in pressed if p is not None and p.press is Press.EVENT} == {
        (str(event.id), e.value) for e in EventPress
    }


async def test_no_events_says_so_and_points_to_the_subscription(parts: Parts) -> None:
    service, *_ = parts
    (reply,) = await service.events_reply(1)
    assert "/abo" in reply.text


async def test_a_reminder_goes_out_once_to_those_who_asked(db: SqliteStore, parts: Parts) -> None:
    service, channel, timers, clock = parts
    event = await db.add_event(an_event(), NOW)
    await service.event_created(event)
    assert set(timers.due) == {(event.id, "r86400"), (event.id, "r3600")}
    await service.choose(1, event.id, EventPress.REMIND)
    await service.choose(2, event.id, EventPress.REGISTER)  # registered, no reminder
    clock.now = timers.due[(event.id, "r86400")]
    assert await service.fire(event.id, "r86400") == 1
    assert await service.fire(event.id, "r86400") == 0  # a second firing sends nothing
    assert len(channel.texts_to(1)) == 1
    assert "Erinnerung" in channel.texts_to(1)[0]
    assert channel.texts_to(2) == []


async def test_reminders_of_cancelled_or_started_events_are_not_sent(
    db: SqliteStore, parts
) -> None:
    service, channel, _, clock = parts
    event = await db.add_event(an_event(), NOW)
    await service.choose(1, event.id, EventPress.REMIND)
    cancelled = replace(event, status=EventStatus.CANCELLED, sequence=1)
    await db.update_event(cancelled)
    assert await service.fire(event.id, "r3600") == 0
    other = await db.add_event(an_event(), NOW)
    await service.choose(1, other.id, EventPress.REMIND)
    clock.now = other.starts_at + timedelta(minutes=1)
    assert await service.fire(other.id, "r3600") == 0
    assert channel.sent == []


async def test_timers_are_rebuilt_and_only_the_latest_overdue_reminder_kept(
    db: SqliteStore, parts
) -> None:
    service, _, _, clock = parts
    event = await db.add_event(an_event(NOW + timedelta(minutes=30), chat=-100777), NOW)
    timers = await service.timers(clock())
    marks = {t.mark for t in timers if t.event_id == event.id}
    assert marks == {"r3600", INVITE}  # the 24-hour reminder is not sent 30 minutes before


async def test_a_change_tells_registered_parents_and_resets_reminders(
    db: SqliteStore, parts
) -> None:
    service, channel, timers, clock = parts
    event = await db.add_event(an_event(), NOW)
    await service.choose(1, event.id, EventPress.REMIND)
    await service.choose(2, event.id, EventPress.REGISTER)
    await service.fire(event.id, "r86400")
    moved = replace(event, starts_at=event.starts_at + timedelta(days=7), sequence=1)
    await db.update_event(moved)
    await service.event_changed(event, moved)
    assert any("geändert" in t for t in channel.texts_to(1))
    assert any("geändert" in t for t in channel.texts_to(2))
    assert timers.due[(event.id, "r86400")] == moved.starts_at - timedelta(hours=24)
    clock.now = moved.starts_at - timedelta(hours=24)
    assert await service.fire(event.id, "r86400") == 1  # reminded again for the new date


async def test_a_cancellation_is_told_once(db: SqliteStore, parts: Parts) -> None:
    service, channel, timers, _ = parts
    event = await db.add_event(an_event(), NOW)
    await service.event_created(event)
    await service.choose(1, event.id, EventPress.REGISTER)
    cancelled = replace(event, status=EventStatus.CANCELLED, sequence=1)
    await db.update_event(cancelled)
    await service.event_changed(event, cancelled)
    assert [t for t in channel.texts_to(1) if "fällt" in t]
    assert len(channel.texts_to(1)) == 1
    assert not [k for k in timers.due if k[0] == event.id]


async def test_registered_parents_get_a_personal_invite_until_the_end(
    db: SqliteStore, parts
) -> None:
    service, channel, _, clock = parts
    event = await db.add_event(an_event(chat=-100777), NOW)
    await service.choose(1, event.id, EventPress.REGISTER)
    await service.choose(2, event.id, EventPress.REMIND)
    clock.now = event.starts_at - timedelta(minutes=30)
    assert await service.fire(event.id, INVITE) == 1
    assert channel.links == [(-100777, event.ends_at)]
    assert "https://t.me/+link1" in channel.texts_to(1)[0]
    # Someone registering later gets the invite at once.
    await service.choose(3, event.id, EventPress.REGISTER)
    assert any("t.me/+link2" in t for t in channel.texts_to(3))


async def test_only_registered_parents_may_join_and_only_near_the_event(
    db: SqliteStore, parts
) -> None:
    service, _, _, clock = parts
    event = await db.add_event(an_event(chat=-100777), NOW)
    await service.choose(1, event.id, EventPress.REGISTER)
    assert not await service.may_join(-100777, 1)  # two days early
    clock.now = event.starts_at - timedelta(minutes=10)
    assert await service.may_join(-100777, 1)
    assert not await service.may_join(-100777, 2)  # a stranger
    assert not await service.may_join(-100888, 1)  # another group
    clock.now = event.ends_at
    assert not await service.may_join(-100777, 1)


async def test_the_calendar_button_sends_an_ics_file(db: SqliteStore, parts: Parts) -> None:
    service, *_ = parts
    event = await db.add_event(an_event(), NOW)
    (reply,) = await service.choose(1, event.id, EventPress.CALENDAR)
    assert reply.attachment is not None
    assert reply.attachment.filename.endswith(".ics")
    assert b"TZID=Europe/Berlin" in reply.attachment.content


async def test_buttons_of_gone_events_say_so(parts: Parts) -> None:
    service, *_ = parts
    (reply,) = await service.choose(1, 999, EventPress.REMIND)
    assert "/termine" in reply.text


async def test_a_choice_updates_the_pressed_card_and_confirms(
    db: SqliteStore, parts: Parts
) -> None:
    service, *_ = parts
    event = await db.add_event(an_event(), NOW)
    card, confirmation = await service.choose(1, event.id, EventPress.REMIND)
    assert card.placement is Placement.REPLACE_PRESSED
    assert "24 Stunden und 1 Stunde" in confirmation.text
    labels = [b.label for row in card.buttons for b in row]
    assert "🔕 Keine Erinnerung" in labels


async def test_subscribing_is_an_explicit_tap_and_ends_in_one_step(
    db: SqliteStore, parts: Parts
) -> None:
    service, *_ = parts
    (intro,) = await service.subscription(1, None)
    assert "zuzustimmen" in intro.text
    assert await db.subscriptions(1) == frozenset()
    (after,) = await service.subscription(1, Category.LAW.value)
    assert await db.subscriptions(1) == frozenset({Category.LAW})
    assert "✅ Recht" in [b.label for row in after.buttons for b in row]
    await service.subscription(1, SubscribePress.ALL.value)
    assert await db.subscriptions(1) == frozenset(Category)
    (done,) = await service.subscription(1, SubscribePress.STOP.value)
    assert await db.subscriptions(1) == frozenset()
    assert "keine Ankündigungen" in done.text
    (forged,) = await service.subscription(1, "nonsense")
    assert await db.subscriptions(1) == frozenset()


async def test_every_announcement_carries_an_unsubscribe_button(
    db: SqliteStore, parts: Parts
) -> None:
    service, *_ = parts
    event = await db.add_event(an_event(), NOW)
    for shown in (service.preview("Hallo", None), service.preview("Hallo", event)):
        last = shown.buttons[-1][0]
        assert decode(last.data) is not None
        assert decode(last.data).args == ("off",)


async def test_staff_hear_progress_and_a_final_report(db: SqliteStore, parts: Parts) -> None:
    service, channel, _, _ = parts
    for user in range(1, 21):
        await db.subscribe(user, frozenset({Category.MONEY}), NOW)
    channel.gone = {5}
    broadcast = await db.create_broadcast(
        STAFF, "Neuer Termin!", frozenset({Category.MONEY}), None, NOW
    )
    await service.broadcast_created(broadcast)
    await service.sender.idle()
    await service.notices.idle()
    to_staff = channel.texts_to(STAFF)
    assert any("ist fertig" in t and "Zugestellt: 19" in t for t in to_staff)
    assert sum("% erledigt" in t for t in to_staff) == 9
    assert await db.subscriptions(5) == frozenset()


async def test_a_question_in_advance_is_kept_without_sender_for_staff(
    db: SqliteStore, parts
) -> None:
    service, *_ = parts
    event = await db.add_event(an_event(), NOW)
    await service.ask(1, event.id, "Zählt Kindergeld beim Unterhalt?")
    (question,) = await db.questions(event.id)
    assert question.text == "Zählt Kindergeld beim Unterhalt?"


async def test_a_blocked_parent_does_not_hold_up_the_others_reminders(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, clock = parts
    event = await db.add_event(an_event(), NOW)
    for user in (1, 2, 3):
        await service.choose(user, event.id, EventPress.REMIND)
    channel.gone = {1}
    clock.now = event.starts_at - timedelta(hours=1)
    assert await service.fire(event.id, "r3600") == 3
    assert channel.texts_to(2)
    assert channel.texts_to(3)
    assert await service.notices.backlog() == 0


async def test_a_reminder_queued_before_the_start_is_not_sent_after_it(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, clock = parts
    event = await db.add_event(an_event(), NOW)
    await service.choose(1, event.id, EventPress.REMIND)
    await db.queue_notices(event.id, "r3600", "notices", {"event": event.id, "mark": "r3600"}, NOW)
    clock.now = event.starts_at + timedelta(minutes=5)
    await service.notices.resume()
    assert channel.texts_to(1) == []


async def test_moving_an_event_shortly_before_its_start_rearms_every_reminder(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, clock = parts
    event = await db.add_event(an_event(), NOW)
    await service.choose(1, event.id, EventPress.REMIND)
    clock.now = event.starts_at - timedelta(hours=24)
    await service.fire(event.id, "r86400")
    clock.now = event.starts_at - timedelta(minutes=20)
    moved = replace(event, starts_at=event.starts_at + timedelta(days=7), sequence=1)
    await db.update_event(moved)
    await service.event_changed(event, moved)
    clock.now = moved.starts_at - timedelta(hours=24)
    assert await service.fire(event.id, "r86400") == 1


async def test_join_requests_to_other_groups_are_left_to_their_admins(
    db: SqliteStore, parts: Parts
) -> None:
    service, *_ = parts
    await db.add_event(an_event(chat=-100777), NOW)
    assert await service.may_join(-100999, 1) is None
    assert await service.may_join(-100777, 1) is False


async def test_unsubscribing_drops_announcements_still_waiting(db: SqliteStore) -> None:
    await db.subscribe(1, frozenset({Category.MONEY}), NOW)
    await db.subscribe(2, frozenset({Category.MONEY}), NOW)
    broadcast = await db.create_broadcast(STAFF, "Hallo", frozenset({Category.MONEY}), None, NOW)
    await db.subscribe(1, frozenset(), NOW)
    pending = await db.pending_recipients(broadcast.id, 0, 10)
    assert [item.owner for item in pending] == [2]


async def test_a_change_cut_off_by_a_crash_is_told_at_the_next_start(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, _ = parts
    event = await db.add_event(an_event(), NOW)
    await service.choose(1, event.id, EventPress.REGISTER)
    # The event was stored as cancelled, then the process died before the notice was queued.
    await db.update_event(replace(event, status=EventStatus.CANCELLED, sequence=1))
    await service.start()
    await service.start()  # a second start repeats nothing
    assert sum("fällt" in t for t in channel.texts_to(1)) == 1


async def test_a_new_event_and_the_end_of_its_draft_commit_together(db: SqliteStore) -> None:
    await db.save_draft(STAFF, {"kind": "event"}, NOW)
    await db.add_event(an_event(), NOW, draft_of=STAFF)
    assert await db.load_draft(STAFF) is None


async def test_a_reminder_is_promised_only_for_times_still_ahead(
    db: SqliteStore, parts: Parts
) -> None:
    """Newcomer D5: 19 minutes before the start, „24 Stunden und 1 Stunde vorher" is no promise."""
    service, _, _, _ = parts
    soon = await db.add_event(an_event(start=NOW + timedelta(minutes=19)), NOW)
    replies = await service.choose(1, soon.id, EventPress.REMIND)
    said = replies[-1].text
    assert "vorher" not in said
    assert "Stunde" not in said
    assert soon.title in said  # the answer is the reminder itself
    later = await db.add_event(an_event(start=NOW + timedelta(hours=5)), NOW)
    said = (await service.choose(1, later.id, EventPress.REMIND))[-1].text
    assert "1 Stunde vorher" in said
    assert "24 Stunden" not in said


async def test_a_running_event_is_marked_in_the_list(db: SqliteStore, parts: Parts) -> None:
    """Newcomer D36: an event that started three minutes ago is „läuft gerade"."""
    service, _, _, clock = parts
    event = await db.add_event(an_event(start=NOW + timedelta(minutes=10)), NOW)
    clock.now = NOW + timedelta(minutes=13)
    replies = await service.events_reply(1)
    card = next(r.text for r in replies if event.title in r.text)
    assert card.startswith("▶️ Läuft gerade")


# ----------------------------------------------------------------- newcomer D6, D35


async def registered_at_invite_time(db: SqliteStore, parts: Parts, *users: int) -> Event:
    """Add a protected event, register `users` and move the clock to its invite time."""
    service, _, _, clock = parts
    event = await db.add_event(an_event(chat=-100777), NOW)
    for user in users:
        await service.choose(user, event.id, EventPress.REGISTER)
    clock.now = event.starts_at - timedelta(minutes=30)
    return event


async def test_registering_again_brings_a_new_link_and_unregistering_revokes_the_old(
    db: SqliteStore, parts: Parts
) -> None:
    """Newcomer D6: after „Abmelden" and „Anmelden" no link came (`0 notices invite queued`)."""
    service, channel, _, _ = parts
    event = await registered_at_invite_time(db, parts, 1)
    assert await service.fire(event.id, INVITE) == 1
    assert "https://t.me/+link1" in channel.texts_to(1)[-1]

    _, unregistered = await service.choose(1, event.id, EventPress.REGISTER)
    assert "abgemeldet" in unregistered.text
    assert channel.revoked == [(-100777, "https://t.me/+link1")]
    assert not await service.may_join(-100777, 1)

    _, registered = await service.choose(1, event.id, EventPress.REGISTER)
    assert "schicke ich Ihnen gleich" in registered.text  # not „kurz vor Beginn": it is now
    assert "https://t.me/+link2" in channel.texts_to(1)[-1]
    assert await service.may_join(-100777, 1)


async def test_an_invite_waiting_for_a_parent_who_unregistered_is_not_sent(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, clock = parts
    event = await registered_at_invite_time(db, parts, 1)
    payload = {"event": event.id, "mark": INVITE}
    await db.queue_notices(event.id, INVITE, "notices", payload, clock.now)
    await service.choose(1, event.id, EventPress.REGISTER)  # unregistered before it went out
    await service.notices.resume()
    assert channel.links == []
    assert not [t for t in channel.texts_to(1) if "t.me" in t]


async def test_a_cancellation_revokes_every_link_of_the_event(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, _ = parts
    event = await registered_at_invite_time(db, parts, 1, 2)
    assert await service.fire(event.id, INVITE) == 2
    cancelled = replace(event, status=EventStatus.CANCELLED, sequence=1)
    await db.update_event(cancelled)
    await service.event_changed(event, cancelled)
    assert sorted(channel.revoked) == [
        (-100777, "https://t.me/+link1"),
        (-100777, "https://t.me/+link2"),
    ]
    assert [t for t in channel.texts_to(1) if "fällt" in t]


async def test_a_moved_event_says_before_and_after_and_offers_the_calendar_again(
    db: SqliteStore, parts: Parts
) -> None:
    """Newcomer D35: 17.12. 19:30 moved to 18.12. 20:00, told without „vorher → jetzt"."""
    service, channel, timers, clock = parts
    start = datetime(2026, 12, 17, 18, 30, tzinfo=UTC)  # 19:30 in Berlin
    event = await db.add_event(an_event(start, chat=-100777), NOW)
    await service.choose(1, event.id, EventPress.REGISTER)
    await service.choose(2, event.id, EventPress.REMIND)
    clock.now = start - timedelta(minutes=30)
    await service.fire(event.id, INVITE)
    moved = replace(event, starts_at=datetime(2026, 12, 18, 19, 0, tzinfo=UTC), sequence=1)
    await db.update_event(moved)
    await service.event_changed(event, moved)

    notices = [r for u, r, _ in channel.sent if u == 2 and "geändert" in r.text]
    (notice,) = notices
    assert "vorher: Do 17.12., 19:30 Uhr → jetzt: Fr 18.12., 20:00 Uhr" in notice.text
    pressed = [decode(b.data) for row in notice.buttons for b in row]
    assert (str(event.id), EventPress.CALENDAR.value) in {p.args for p in pressed if p}
    (calendar,) = [r for r in await service.choose(2, event.id, EventPress.CALENDAR)]
    assert calendar.attachment is not None
    assert b"SEQUENCE:1" in calendar.attachment.content
    assert b"20261218T200000" in calendar.attachment.content
    # The old link goes; reminders and the invite are planned for the new time.
    assert channel.revoked == [(-100777, "https://t.me/+link1")]
    assert timers.due[(event.id, "r3600")] == moved.starts_at - timedelta(hours=1)
    assert timers.due[(event.id, INVITE)] == moved.starts_at - timedelta(minutes=30)
    clock.now = moved.starts_at - timedelta(minutes=30)
    assert await service.fire(event.id, INVITE) == 1
    assert "https://t.me/+link2" in channel.texts_to(1)[-1]


# ----------------------------------------------------------------- issue 17: a right lost later

NO_RIGHTS = "Bad Request: not enough rights to manage chat invite link"


async def invites_refused(
    db: SqliteStore, parts: Parts
) -> tuple[Announcements, Channel, Event, int]:
    """Register parents 1 and 2 at invite time and fire the invites while rights are missing."""
    service, channel, _, _ = parts
    event = await registered_at_invite_time(db, parts, 1, 2)
    channel.refusal = NO_RIGHTS
    return service, channel, event, await service.fire(event.id, INVITE)


async def test_a_link_refused_for_lack_of_rights_is_told_to_the_parent_and_once_to_staff(
    db: SqliteStore, parts: Parts
) -> None:
    """Issue 17: promised „Ihren persönlichen Zugang schicke ich Ihnen", the parent got nothing."""
    service, channel, event, queued = await invites_refused(db, parts)
    assert queued == 2
    for parent in (1, 2):
        (told,) = channel.texts_to(parent)[-1:]
        assert "konnte ich leider nicht erstellen" in told
        assert "Das Team ist informiert" in told
        assert event.title in told
        assert "t.me" not in told
    (alert,) = channel.texts_to(STAFF)  # one per event, not one per parent
    assert f"Termin Nr. {event.id} „{event.title}“" in alert
    assert NO_RIGHTS in alert
    assert "Nutzer einladen" in alert
    assert await db.take_invites(event.id) == []  # no link kept that does not exist


async def test_once_the_rights_are_back_the_next_start_sends_the_missing_links(
    db: SqliteStore, parts: Parts
) -> None:
    """The second read of issue 17: a link refused for lack of rights was never sent later."""
    service, channel, event, _ = await invites_refused(db, parts)
    channel.refusal = None  # staff gave the bot „Nutzer einladen" and restarted it
    await service.start()
    for parent in (1, 2):
        assert "t.me" in channel.texts_to(parent)[-1]
    assert len(await db.take_invites(event.id)) == 2
    await service.start()  # a further start repeats nothing
    assert all(len(channel.texts_to(p)) == 2 for p in (1, 2))
    assert len(channel.texts_to(STAFF)) == 1  # the alert came once


async def test_a_protected_chat_the_bot_cannot_invite_to_is_told_to_staff_at_start(
    db: SqliteStore, parts: Parts
) -> None:
    service, channel, _, _ = parts
    fine = await db.add_event(an_event(chat=-100777), NOW)
    broken = await db.add_event(an_event(chat=-100888), NOW)
    channel.access[-100888] = ChatAccess("Elterncafé", ChatProblem.NOT_ADMIN, "not an admin")
    await service.start()
    (alert,) = channel.texts_to(STAFF)
    assert f"Termin Nr. {broken.id}" in alert
    assert "not an admin" in alert
    assert f"Termin Nr. {fine.id}" not in alert
