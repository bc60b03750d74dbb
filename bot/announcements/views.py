"""How events, announcements and notices look to parents (text and buttons, no Telegram)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.announcements.formatting import FormatError, plain_announcement, read_announcement
from bot.announcements.model import WEEKDAYS, Category, Event, Registration
from bot.callbacks import EventPress, Press, SubscribePress
from bot.datafiles.texts import Texts
from bot.dialogue.model import Button, Placement, Reply, Rows, button
from bot.wording import Noun


def moment_fields(moment: datetime, zone: ZoneInfo) -> dict[str, str]:
    """Return weekday, date and time of an instant in the service's zone, German style."""
    local = moment.astimezone(zone)
    return {
        "weekday": WEEKDAYS[local.weekday()],
        "date": local.strftime("%d.%m.%Y"),
        "time": local.strftime("%H:%M"),
    }


def short_moment(moment: datetime, zone: ZoneInfo) -> str:
    """Return an instant as „Do 17.12., 19:30 Uhr" (a moved event's before and after)."""
    local = moment.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()]} {local:%d.%m.}, {local:%H:%M} Uhr"


def duration_words(span: timedelta) -> str:
    """Return a span as German words („24 Stunden", „1 Stunde", „30 Minuten")."""
    minutes = round(span.total_seconds() / 60)
    if minutes and minutes % 60 == 0:
        return Noun.HOUR.count(minutes // 60)
    if minutes >= 1:
        return Noun.MINUTE.count(minutes)
    return Noun.SECOND.count(round(span.total_seconds()))


def category_name(texts: Texts, category: Category) -> str:
    """Return the German name of a category."""
    return texts(f"category_{category.value}")


def event_card(texts: Texts, event: Event, zone: ZoneInfo) -> str:
    """Return an event as a few lines: title, time, place, protection, description."""
    minutes = round(event.duration.total_seconds() / 60)
    lines = [
        f"📅 {event.title}",
        texts("event_when", minutes=minutes, **moment_fields(event.starts_at, zone)),
    ]
    if event.place:
        lines.append(texts("event_place", place=event.place))
    if event.chat_id is not None:
        lines.append(texts("event_protected"))
    lines.append("")
    lines.append(event.description)
    return "\n".join(lines)


def event_buttons(texts: Texts, event: Event, registration: Registration | None) -> Rows:
    """Return the parent's buttons under an event, showing what they already chose."""
    ident = str(event.id)
    reminded = registration is not None and registration.remind
    registered = registration is not None and registration.registered
    remind = texts("button_event_remind_off" if reminded else "button_event_remind")
    register = texts("button_event_unregister" if registered else "button_event_register")
    return (
        (
            button(remind, Press.EVENT, ident, EventPress.REMIND.value),
            button(register, Press.EVENT, ident, EventPress.REGISTER.value),
        ),
        (
            button(texts("button_event_ask"), Press.EVENT, ident, EventPress.ASK.value),
            button(texts("button_event_calendar"), Press.EVENT, ident, EventPress.CALENDAR.value),
        ),
    )


def unsubscribe_row(texts: Texts) -> tuple[Button, ...]:
    """Return the „Abbestellen" button every announcement carries."""
    return (button(texts("button_unsubscribe"), Press.SUBSCRIBE, SubscribePress.STOP.value),)


def announcement(texts: Texts, text: str, event: Event | None) -> Reply:
    """Return an announcement as its recipients see it.

    An event's announcement is its card, plain text with the event's buttons; a free text is
    read for its formatting and link button (see `formatting`). One stored before formatting
    was checked, and not readable now, goes out as typed.
    """
    if event is not None:
        return Reply(text, buttons=(*event_buttons(texts, event, None), unsubscribe_row(texts)))
    formatted = read_announcement(text)
    if isinstance(formatted, FormatError):
        formatted = plain_announcement(text)
    rows: list[tuple[Button, ...]] = []
    if formatted.button is not None:
        rows.append((Button(formatted.button.label, "", url=formatted.button.url),))
    rows.append(unsubscribe_row(texts))
    return Reply(formatted.plain, buttons=tuple(rows), styled=formatted.parts)


def subscriptions(texts: Texts, chosen: frozenset[Category], *, replace: bool) -> Reply:
    """Return the subscription message: the consent wording, what is chosen, the toggles."""
    names = [category_name(texts, c) for c in Category if c in chosen]
    status = texts("subscribe_current", topics=", ".join(names)) if names else None
    toggles = [
        button(("✅ " if c in chosen else "") + category_name(texts, c), Press.SUBSCRIBE, c.value)
        for c in Category
    ]
    rows: list[tuple[Button, ...]] = [tuple(toggles[:2]), tuple(toggles[2:])]
    rows.append(
        (
            button(texts("button_subscribe_all"), Press.SUBSCRIBE, SubscribePress.ALL.value),
            button(texts("button_subscribe_stop"), Press.SUBSCRIBE, SubscribePress.STOP.value),
        )
    )
    text = texts("subscribe_intro") + "\n\n" + (status or texts("subscribe_nothing"))
    placement = Placement.REPLACE_PRESSED if replace else Placement.NEW
    return Reply(text, buttons=tuple(rows), placement=placement)


def leads_words(leads: Iterable[timedelta]) -> str:
    """Return reminder lead times as German words („24 Stunden und 1 Stunde")."""
    words = [duration_words(lead) for lead in leads]
    return " und ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " und " + words[-1]
