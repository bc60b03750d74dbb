"""The announcements use case: events for parents, reminders, invites, broadcasts, notices.

Parents reach it through the conversation (their buttons and commands); staff through the staff
desk, which calls the `Announcer` methods here. Everything that leaves the bot goes through two
durable queues: the `notices` outbox (reminders, changes, invites, staff reports: one message
each) and the broadcast engine (one announcement to many). The database is the source of truth
for reminders: the front end's timers are rebuilt from `timers()` at every start, and a notice
is queued and marked in one transaction, so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.announcements import views
from bot.announcements.broadcast import BroadcastSender, SenderSettings
from bot.announcements.calendar import event_ics, ics_filename
from bot.announcements.chats import ChatInspector, protected_chats
from bot.announcements.model import (
    Broadcast,
    BroadcastProgress,
    Category,
    ChatAccess,
    ChatProblem,
    ChatUnusable,
    Event,
    EventStatus,
    Registration,
)
from bot.announcements.ports import AnnouncementStore
from bot.callbacks import EventPress, SubscribePress
from bot.clock import utc_now
from bot.config import AnnouncementsConfig
from bot.datafiles.texts import Texts
from bot.dialogue.model import Attachment, Placement, Reply
from bot.outbox.dispatcher import Outbox
from bot.outbox.model import OutboxItem, Priority, RecipientGone

logger = logging.getLogger(__name__)

NOTICES = "notices"
INVITE = "invite"


class NoticeChannel(ChatInspector, Protocol):
    """The front end's way to parents and staff (raises the outbox's delivery errors)."""

    async def send(self, user_id: int, reply: Reply, *, paid: bool = False) -> None:
        """Send one message to a private chat."""

    async def invite_link(self, chat_id: int, expires: datetime, name: str) -> str:
        """Create a personal invite link to a group, valid until `expires`.

        The link asks to join instead of letting in: `may_join` admits only registered
        parents, so a forwarded link lets no one else in.

        Raises:
            ChatUnusable: Telegram refused for good (the bot lost its rights or the group).

        """

    async def revoke_invite(self, chat_id: int, link: str) -> None:
        """Revoke an invite link (raises the outbox's delivery errors)."""


class Timers(Protocol):
    """The front end's timers (PTB's JobQueue): one per event and mark."""

    def schedule(self, event_id: int, mark: str, at: datetime) -> None:
        """Fire `Announcements.fire(event_id, mark)` at `at` (replacing an older timer)."""

    def unschedule(self, event_id: int) -> None:
        """Drop every timer of an event."""


@dataclass(frozen=True)
class Timer:
    """When a notice of an event is due: a reminder („r<seconds>") or the invite."""

    event_id: int
    mark: str
    at: datetime


class Announcements:
    """Events, subscriptions, reminders and broadcasts.

    Args:
        config: Rates, reminder lead times, invite lead time.
        store: Where everything is kept.
        texts: The parents' wordings.
        zone: The service's time zone (event times are shown in it).
        channel: How messages leave the bot.
        timers: The front end's timers.
        clock: The current time (UTC).
        inline: Send notices within the call (tests, deterministic runs).

    """

    def __init__(
        self,
        config: AnnouncementsConfig,
        store: AnnouncementStore,
        texts: Texts,
        zone: ZoneInfo,
        channel: NoticeChannel,
        timers: Timers,
        *,
        clock: Callable[[], datetime] = utc_now,
        inline: bool = False,
    ) -> None:
        self.config = config
        self._store = store
        self._texts = texts
        self._zone = zone
        self._channel = channel
        self._timers = timers
        self._clock = clock
        # Events whose staff heard that links failed: one alert per event, not one per parent.
        self._alerted: set[int] = set()
        self.notices = Outbox(
            store, NOTICES, self._deliver_notice, inline=inline, ordered=False, clock=clock
        )
        settings = SenderSettings(rate=config.rate, concurrency=config.concurrency)
        self.sender = BroadcastSender(
            store, self._send_broadcast, self._report, settings, clock=clock
        )

    # ----------------------------------------------------------------- start and stop

    async def start(self) -> None:
        """Rebuild the timers from the database, requeue cut-off changes, resume sending."""
        now = self._clock()
        events = await self._store.upcoming_events(now, limit=1000, cancelled=True)
        self._schedule(self._timers_of(events, now))
        for event in events:
            if event.sequence > 0:
                # A crash may have cut the notice off between storing the change and queueing
                # it; the per-parent marks make this repeat nothing.
                await self._queue_change(event, now)
        await self.notices.resume()
        await self.sender.resume()
        await self._check_chats(now)

    async def _check_chats(self, now: datetime) -> None:
        """Warn staff of upcoming events whose protected chat the bot cannot invite to.

        Events are staff content, not configuration: the start goes on, and staff hear it
        now rather than when the links fail shortly before the start.
        """
        for found in await protected_chats(self._store, self._channel, now):
            if found.access.problem is None:
                # Rights given back since links failed: whoever has none yet gets one now.
                if now >= found.event.starts_at - self.config.invite_before:
                    await self.fire(found.event.id, INVITE)
                continue
            if found.access.problem is ChatProblem.UNCHECKED or found.event.id in self._alerted:
                continue
            self._alerted.add(found.event.id)
            logger.warning(
                "event %d: the bot cannot invite to its protected chat: %s",
                found.event.id,
                found.access.reason,
            )
            await self._alert_staff(found.event, found.access.reason)
        await self.notices.resume()

    async def stop(self) -> None:
        """Stop sending; what is pending stays for the next start."""
        await self.notices.stop()
        await self.sender.stop()

    async def timers(self, now: datetime) -> list[Timer]:
        """Return the timers of every upcoming event."""
        return self._timers_of(await self._store.upcoming_events(now, limit=1000), now)

    def _timers_of(self, events: list[Event], now: datetime) -> list[Timer]:
        scheduled = (e for e in events if e.status is EventStatus.SCHEDULED)
        return [timer for event in scheduled for timer in self._event_timers(event, now)]

    def _schedule(self, timers: list[Timer]) -> None:
        for timer in timers:
            self._timers.schedule(timer.event_id, timer.mark, timer.at)

    async def _queue_change(
        self, event: Event, now: datetime, moved_from: datetime | None = None
    ) -> None:
        """Queue the notice of an event's latest change (or cancellation) to its parents.

        `moved_from` is the old start of a moved event, shown as „vorher → jetzt". A notice
        requeued at start after a crash does not know it and shows the new time only.
        """
        mark = f"c{event.sequence}"
        payload: dict[str, Any] = {"event": event.id, "mark": mark}
        if moved_from is not None:
            payload["moved_from"] = moved_from.isoformat()
        await self._store.queue_notices(event.id, mark, NOTICES, payload, now)

    def _event_timers(self, event: Event, now: datetime) -> list[Timer]:
        """Return an event's reminder and invite timers.

        Of the reminders already due (a restart after their time) only the latest is kept:
        a parent should not get the 24-hour and the 1-hour reminder in the same minute.
        """
        timers = [
            Timer(event.id, f"r{int(lead.total_seconds())}", event.starts_at - lead)
            for lead in self.config.reminders
            if event.starts_at - lead < event.starts_at and now < event.starts_at
        ]
        overdue = [t for t in timers if t.at <= now]
        timers = [t for t in timers if t.at > now] + overdue[-1:]
        if event.chat_id is not None:
            timers.append(Timer(event.id, INVITE, event.starts_at - self.config.invite_before))
        return timers

    # ----------------------------------------------------------------- timers fire

    async def fire(self, event_id: int, mark: str) -> int:
        """Queue the notices a timer stands for; return how many were queued.

        Reminders of events that started, were cancelled or are gone are not sent; invites go
        out until the event ends.
        """
        now = self._clock()
        event = await self._store.event(event_id)
        if event is None or event.status is not EventStatus.SCHEDULED:
            return 0
        limit = event.ends_at if mark == INVITE else event.starts_at
        if now >= limit:
            return 0
        payload = {"event": event.id, "mark": mark}
        queued = await self._store.queue_notices(event.id, mark, NOTICES, payload, now)
        logger.info("event %d: %d notices %s queued", event.id, queued, mark)
        await self.notices.resume()
        return queued

    async def _deliver_notice(self, item: OutboxItem) -> None:
        """Send one notice (the outbox calls this; passing errors make it retry later).

        A parent who blocked the bot is final for this notice: it is dropped instead of
        holding up the notices of everyone behind it.
        """
        if item.owner is None:
            return
        reply = await self._notice_reply(item.payload, item.owner)
        if reply is None:
            return
        try:
            await self._channel.send(item.owner, reply)
        except RecipientGone:
            logger.info("notice %d dropped: the recipient blocked the bot", item.id)

    async def _notice_reply(self, payload: Any, owner: int) -> Reply | None:
        """Render a queued notice to `owner`; None when it no longer applies."""
        if "text" in payload:  # a staff report, rendered when it was queued
            return Reply(str(payload["text"]))
        event = await self._store.event(int(payload["event"]))
        if event is None:
            return None
        mark = str(payload["mark"])
        fields = views.moment_fields(event.starts_at, self._zone)
        now = self._clock()
        if mark == INVITE:
            return await self._invite_reply(event, owner, now)
        if mark.startswith("r"):
            if event.status is not EventStatus.SCHEDULED or now >= event.starts_at:
                return None  # a reminder after the start helps no one
            text = self._texts("event_reminder", title=event.title, **fields)
            return Reply(f"{text}\n\n{views.event_card(self._texts, event, self._zone)}")
        if now >= event.ends_at:
            return None  # a change of an event that is over is news to no one
        if event.status is EventStatus.CANCELLED:
            if mark != f"c{event.sequence}":
                return None  # an older change notice: the cancellation notice follows
            return Reply(self._texts("event_cancelled", title=event.title, **fields))
        return await self._change_reply(event, owner, payload.get("moved_from"))

    async def _invite_reply(self, event: Event, owner: int, now: datetime) -> Reply | None:
        """Create a parent's personal link and return the invite; None if it no longer applies.

        The link is kept so it can be revoked when the parent unregisters or the event is
        cancelled or moved (newcomer D6).
        """
        if event.chat_id is None or not event.is_upcoming(now):
            return None
        registration = await self._store.registration(event.id, owner)
        if registration is None or not registration.registered:
            return None  # unregistered while the invite waited
        fields = views.moment_fields(event.starts_at, self._zone)
        try:
            link = await self._channel.invite_link(event.chat_id, event.ends_at, f"T{event.id}")
        except ChatUnusable as exc:
            # The parent was promised a link: she hears that none came, after staff were told.
            logger.warning("event %d: no invite link: %s", event.id, exc.reason)
            if event.id not in self._alerted:
                self._alerted.add(event.id)
                await self._alert_staff(event, exc.reason)
            # No link, no mark: once the rights are back, the next start sends her one.
            await self._store.clear_mark(event.id, INVITE, owner)
            return Reply(self._texts("event_invite_failed", title=event.title, **fields))
        await self._store.add_invite(event.id, owner, link)
        return Reply(self._texts("event_invite", title=event.title, link=link, **fields))

    async def _alert_staff(self, event: Event, reason: str) -> None:
        """Queue a private alert to every staff member: the event, Telegram's reason, the fix.

        Written to the store only: called while the notices are being sent, the running drain
        takes it next (a `put` there would wait for the drain it runs in).
        """
        fields = views.moment_fields(event.starts_at, self._zone)
        text = self._texts(
            "staff_invite_problem", number=event.id, title=event.title, reason=reason, **fields
        )
        now = self._clock()
        for staff_id in sorted(self.config.staff_ids):
            await self._store.enqueue(NOTICES, Priority.URGENT, staff_id, {"text": text}, now)

    async def _change_reply(self, event: Event, owner: int, moved_from: Any) -> Reply:
        """Return a change notice: what changed, the card, and the buttons with the calendar.

        A moved event says „vorher → jetzt" (newcomer D35); the calendar button gives the
        updated entry (same UID, higher SEQUENCE), so the parent's copy moves along.
        """
        lines = [self._texts("event_changed", title=event.title)]
        if isinstance(moved_from, str):
            before = datetime.fromisoformat(moved_from)
            lines.append(
                self._texts(
                    "event_moved",
                    before=views.short_moment(before, self._zone),
                    after=views.short_moment(event.starts_at, self._zone),
                )
            )
        lines += ["", views.event_card(self._texts, event, self._zone)]
        registration = await self._store.registration(event.id, owner)
        buttons = views.event_buttons(self._texts, event, registration)
        return Reply("\n".join(lines), buttons=buttons)

    # ----------------------------------------------------------------- staff (the Announcer)

    async def event_created(self, event: Event) -> None:
        """Set the new event's timers."""
        self._schedule(self._event_timers(event, self._clock()))

    async def event_changed(self, before: Event, after: Event) -> None:
        """Tell the parents who registered or asked for reminders, and reset the timers."""
        now = self._clock()
        self._timers.unschedule(after.id)
        moved = after.starts_at != before.starts_at
        if moved:
            # A moved event is reminded anew at its new time, for every lead.
            for lead in self.config.reminders:
                await self._store.clear_mark(after.id, f"r{int(lead.total_seconds())}")
        cancelled = after.status is EventStatus.CANCELLED
        if moved or after.chat_id != before.chat_id or cancelled:
            # The old links must not open the group any more (newcomer D6, D35).
            await self._revoke(before, None)
            await self._store.clear_mark(after.id, INVITE)  # new time or group: a new link
        if after.status is EventStatus.SCHEDULED:
            await self.event_created(after)
        if after.is_upcoming(now) or cancelled:
            await self._queue_change(after, now, before.starts_at if moved else None)
            await self.notices.resume()

    async def _revoke(self, event: Event, user_id: int | None) -> None:
        """Revoke the invite links of an event (one parent's, or all); failures only logged.

        A link left valid by a failure lets no one in on its own: join requests are decided
        by `may_join`.
        """
        links = await self._store.take_invites(event.id, user_id)
        if event.chat_id is None:
            return
        for link in links:
            try:
                await self._channel.revoke_invite(event.chat_id, link)
            except Exception as exc:  # noqa: BLE001 - one failed revocation must not stop the rest
                failure = type(exc).__name__
                logger.warning("event %d: invite link not revoked: %s", event.id, failure)

    async def broadcast_created(self, broadcast: Broadcast) -> None:
        """Start sending a broadcast."""
        self.sender.start(broadcast)

    def preview(self, text: str, event: Event | None) -> Reply:
        """Return an announcement exactly as its recipients will see it."""
        return views.announcement(self._texts, text, event)

    async def chat_access(self, chat_id: int) -> ChatAccess:
        """Return whether the bot may invite users to a group staff typed for an event."""
        return await self._channel.chat_access(chat_id)

    async def _send_broadcast(self, broadcast: Broadcast, item: OutboxItem) -> None:
        """Send one recipient's copy of a broadcast (the engine calls this)."""
        assert item.owner is not None  # noqa: S101 - broadcast rows always name a recipient
        event = await self._event_of(broadcast)
        reply = views.announcement(self._texts, broadcast.text, event)
        await self._channel.send(item.owner, reply, paid=self.config.allow_paid_broadcast)

    async def _event_of(self, broadcast: Broadcast) -> Event | None:
        if broadcast.event_id is None:
            return None
        event = await self._store.event(broadcast.event_id)
        return event if event is not None and event.is_upcoming(self._clock()) else None

    async def _report(self, broadcast: Broadcast, progress: BroadcastProgress, final: bool) -> None:
        """Queue a progress line or the final report to the staff member who sent it."""
        fields = {
            "number": broadcast.id,
            "sent": progress.sent,
            "blocked": progress.blocked,
            "failed": progress.failed,
        }
        if final:
            seconds = max((self._clock() - broadcast.created_at).total_seconds(), 0.001)
            text = self._texts(
                "broadcast_report",
                duration=views.duration_words(timedelta(seconds=round(seconds))),
                rate=f"{progress.handled / seconds:.1f}".replace(".", ","),
                **fields,
            )
        else:
            text = self._texts("broadcast_progress", percent=progress.percent, **fields)
        await self.notices.put({"text": text}, owner=broadcast.staff_id, priority=Priority.NORMAL)

    # ----------------------------------------------------------------- parents

    async def events_reply(self, user_id: int) -> tuple[Reply, ...]:
        """Return the upcoming events, one message each with the parent's buttons."""
        events = await self._store.upcoming_events(self._clock(), limit=5)
        if not events:
            return (Reply(self._texts("events_none")),)
        replies = [Reply(self._texts("events_intro"))]
        now = self._clock()
        for event in events:
            registration = await self._store.registration(event.id, user_id)
            card = views.event_card(self._texts, event, self._zone)
            if event.starts_at <= now:  # newcomer D36: started, not yet over
                card = f"{self._texts('event_running')}\n{card}"
            replies.append(
                Reply(card, buttons=views.event_buttons(self._texts, event, registration))
            )
        return tuple(replies)

    async def choose(self, user_id: int, event_id: int, press: EventPress) -> tuple[Reply, ...]:
        """Act on a parent's event button: reminders, registration or the calendar file."""
        now = self._clock()
        event = await self._store.event(event_id)
        if event is None or not event.is_upcoming(now):
            return (Reply(self._texts("event_gone")),)
        if press is EventPress.CALENDAR:
            return (self._calendar(event, now),)
        before = await self._store.registration(event_id, user_id)
        current = before or Registration(event_id, user_id, registered=False, remind=False)
        if press is EventPress.REMIND:
            current = replace(current, remind=not current.remind)
        else:
            current = replace(current, registered=not current.registered)
        await self._store.save_registration(current, now)
        if press is EventPress.REGISTER and not current.registered:
            # Unregistered: the link goes, and registering again brings a new one (D6).
            await self._revoke(event, user_id)
            await self._store.clear_mark(event.id, INVITE, user_id)
        text = self._choice_text(event, press, current, now)
        buttons = views.event_buttons(self._texts, event, current)
        card = views.event_card(self._texts, event, self._zone)
        updated = Reply(card, buttons=buttons, placement=Placement.REPLACE_PRESSED)
        if press is EventPress.REGISTER and current.registered:
            await self._invite_if_due(event, now)
        return (updated, Reply(text))

    def _choice_text(
        self, event: Event, press: EventPress, now_: Registration, now: datetime
    ) -> str:
        title = event.title
        if press is EventPress.REMIND:
            if not now_.remind:
                return self._texts("event_remind_off", title=title)
            # Promise only the reminders still ahead (newcomer D5); when all are past, this
            # answer is the reminder.
            ahead = [lead for lead in self.config.reminders if event.starts_at - lead > now]
            if not ahead:
                fields = views.moment_fields(event.starts_at, self._zone)
                return self._texts("event_reminder", title=title, **fields)
            return self._texts("event_remind_on", title=title, leads=views.leads_words(ahead))
        if not now_.registered:
            return self._texts("event_unregistered", title=title)
        if event.chat_id is None:
            return self._texts("event_registered", title=title)
        due = now >= event.starts_at - self.config.invite_before  # the link follows at once
        key = "event_registered_protected_now" if due else "event_registered_protected"
        return self._texts(key, title=title)

    async def _invite_if_due(self, event: Event, now: datetime) -> None:
        """Send the invite at once to a parent who registers after the invites went out."""
        if event.chat_id is not None and now >= event.starts_at - self.config.invite_before:
            await self.fire(event.id, INVITE)

    def _calendar(self, event: Event, now: datetime) -> Reply:
        content = event_ics(
            uid=f"event-{event.id}@elternlotse",
            title=event.title,
            start=event.starts_at,
            end=event.ends_at,
            description=event.description,
            location=event.place,
            url=None,
            zone=self._zone,
            stamp=now,
            sequence=event.sequence,
        )
        attachment = Attachment(
            ics_filename(event.title, event.starts_at.astimezone(self._zone)),
            content,
            "text/calendar",
        )
        return Reply(self._texts("event_calendar"), attachment=attachment)

    async def ask(self, user_id: int, event_id: int, text: str) -> None:
        """Keep a parent's (redacted) question in advance of an event."""
        event = await self._store.event(event_id)
        if event is not None and event.is_upcoming(self._clock()):
            await self._store.add_question(event_id, user_id, text, self._clock())

    async def subscription(self, user_id: int, choice: str | None) -> tuple[Reply, ...]:
        """Show (None) or change the parent's subscriptions; every change is an explicit tap."""
        now = self._clock()
        chosen = await self._store.subscriptions(user_id)
        if choice == SubscribePress.STOP.value:
            await self._store.subscribe(user_id, frozenset(), now)
            return (Reply(self._texts("unsubscribe_done" if chosen else "unsubscribe_none")),)
        if choice is None:
            return (views.subscriptions(self._texts, chosen, replace=False),)
        if choice == SubscribePress.ALL.value:
            chosen = frozenset(Category)
        else:
            try:
                category = Category(choice)
            except ValueError:
                return (Reply(self._texts("stale_button")),)
            chosen = chosen ^ {category}
        await self._store.subscribe(user_id, chosen, now)
        return (views.subscriptions(self._texts, chosen, replace=True),)

    async def upcoming_lines(self) -> Reply | None:
        """Return the next events in one message (under the expert chat entry), or None."""
        events = await self._store.upcoming_events(self._clock(), limit=3)
        if not events:
            return None
        cards = [views.event_card(self._texts, e, self._zone) for e in events]
        return Reply("\n\n".join([self._texts("events_intro"), *cards]))

    # ----------------------------------------------------------------- protected chats

    async def may_join(self, chat_id: int, user_id: int) -> bool | None:
        """Return whether a join request to an expert chat comes from a registered parent.

        Only while an event in that group is on or about to start (from the invite time to its
        end); strangers and parents registered for another event are declined. None: no
        upcoming event uses this group, so it is not ours to decide.
        """
        now = self._clock()
        ours = False
        for event in await self._store.upcoming_events(now, limit=1000):
            if event.chat_id != chat_id:
                continue
            ours = True
            if now < event.starts_at - self.config.invite_before:
                continue
            registration = await self._store.registration(event.id, user_id)
            if registration is not None and registration.registered:
                return True
        return False if ours else None
