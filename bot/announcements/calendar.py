"""Calendar files (iCalendar, RFC 5545) for the „In den Kalender" button of an event."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar, Event, Timezone

PRODID = "-//Elternlotse//Termine//DE"
MAX_FILENAME_LENGTH = 60

# German letters get their customary spelling; NFKD alone would turn „ä" into a bare „a".
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def event_ics(
    *,
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    description: str,
    location: str | None,
    url: str | None,
    zone: ZoneInfo,
    stamp: datetime,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """Render one event as an iCalendar file that calendar apps can import.

    Start and end are written as local times of ``zone`` with a TZID, and the file
    carries the matching VTIMEZONE, so the event stays at its wall-clock time even in
    apps that do not know the zone's name.

    Args:
        uid: The event's stable identifier; apps match updates and cancellations by it.
        title: The SUMMARY.
        start: When the event starts (timezone-aware, any zone).
        end: When the event ends (timezone-aware, any zone, after ``start``).
        description: The DESCRIPTION; may hold newlines, commas and semicolons.
        location: An address or a link, or None to leave LOCATION out.
        url: A link to the event, or None to leave URL out.
        zone: The zone whose local time the file states (e.g. Europe/Berlin).
        stamp: When this version of the file was made (timezone-aware); written in UTC.
        sequence: The event's revision; apps only replace a copy by a higher one.
        cancelled: Whether to send a cancellation (METHOD:CANCEL, STATUS:CANCELLED).

    Returns:
        The iCalendar file as UTF-8 bytes with CRLF line ends and folded lines.

    Raises:
        ValueError: If a time is naive, the end is not after the start, or the zone
            has no key to name it by.

    """
    _check(start=start, end=end, stamp=stamp, zone=zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    event = Event.new(
        uid=uid,
        stamp=stamp.astimezone(UTC),
        start=local_start,
        end=local_end,
        summary=title,
        description=description,
        location=location,
        url=url,
        sequence=sequence,
        status=STATUS.CANCELLED if cancelled else None,
    )
    return _serialize(event, zone, cancelled=cancelled, span=(local_start, local_end))


def _serialize(
    event: Event, zone: ZoneInfo, *, cancelled: bool, span: tuple[datetime, datetime]
) -> bytes:
    """Wrap the event in a VCALENDAR with the VTIMEZONE it needs; return it as bytes."""
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.method = "CANCEL" if cancelled else "PUBLISH"
    calendar.add_component(event)
    # UTC times end in Z and need no VTIMEZONE; any other TZID does. It goes first so
    # that apps reading top to bottom know the zone by the time they reach DTSTART.
    if zone.key in calendar.get_missing_tzids():
        calendar.subcomponents.insert(0, _vtimezone(zone, span[0].date(), span[1].date()))
    ical: bytes = calendar.to_ical()  # Component.to_ical carries no return annotation
    return ical


def _check(*, start: datetime, end: datetime, stamp: datetime, zone: ZoneInfo) -> None:
    """Raise ValueError unless the times are aware, in order and the zone has a name."""
    for name, moment in (("start", start), ("end", end), ("stamp", stamp)):
        if moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    if end <= start:
        raise ValueError(f"end {end.isoformat()} is not after start {start.isoformat()}")
    if zone.key is None:
        # A zone read from a file has no IANA name, and TZID needs one.
        raise ValueError("zone has no key; use ZoneInfo('Area/City')")


def _vtimezone(zone: ZoneInfo, first: date, last: date) -> Timezone:
    """Return the VTIMEZONE of ``zone`` for the whole years from ``first`` to ``last``.

    Whole years make sure the component has a STANDARD and, where the zone keeps
    summer time, a DAYLIGHT part around the event, while staying a few lines long
    (the library's default window, 1970-2038, would add some hundred RDATEs).
    """
    return Timezone.from_tzinfo(
        zone,
        tzid=zone.key,
        first_date=date(first.year, 1, 1),
        last_date=date(last.year + 1, 1, 1),
    )


def ics_filename(title: str, start: datetime) -> str:
    """Return a safe ASCII file name for an event's calendar file.

    Example: „Unterhalt – Fragen an eine Fachanwältin" on 3 December 2026 becomes
    ``termin-2026-12-03-unterhalt-fragen-an-eine-fachanwaeltin.ics``.

    Args:
        title: The event's title; umlauts are spelt out, other accents dropped.
        start: The event's start; its own date is used, so pass the local time.

    Returns:
        A name of at most ``MAX_FILENAME_LENGTH`` characters (``.ics`` included), else
        only ``[a-z0-9-]``; the title is cut at a word boundary where possible.

    """
    prefix = f"termin-{start.date().isoformat()}"
    suffix = ".ics"
    ascii_title = (
        unicodedata.normalize("NFKD", title.translate(_TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    room = MAX_FILENAME_LENGTH - len(prefix) - len("-") - len(suffix)
    if len(slug) > room:
        cut = slug[: room + 1]
        # Cut before the last whole word; a single over-long word is cut hard.
        slug = (cut.rsplit("-", 1)[0] if "-" in cut else cut[:room]).strip("-")
    return f"{prefix}-{slug}{suffix}" if slug else f"{prefix}{suffix}"
