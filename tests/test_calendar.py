"""Calendar files for events, read back by vobject: a parser other than the one that wrote them.

vobject builds each TZID's tzinfo from the file's own VTIMEZONE (through dateutil), not from
the system's zone database, so a right offset here also proves the VTIMEZONE is right.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.announcements.calendar import MAX_FILENAME_LENGTH, PRODID, event_ics, ics_filename

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WINTER = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # 18:00 in Berlin (CET, +01:00)
SUMMER = datetime(2026, 7, 9, 17, 30, tzinfo=UTC)  # 19:30 in Berlin (CEST, +02:00)
TITLE = "Unterhalt – Fragen an eine Fachanwältin; Teil 1, „live“"
DESCRIPTION = (
    "Eine Fachanwältin für Familienrecht beantwortet eure Fragen zu Unterhalt, "
    "Düsseldorfer Tabelle; Mehrbedarf und Sonderbedarf.\n"
    "Zweite Zeile: Größe, Öffnungszeiten; Straße \\ Übermorgen.\n\nNach einer Leerzeile."
)


def render(**changes: Any) -> bytes:
    """Return the calendar file of a winter event, with some arguments changed."""
    arguments: dict[str, Any] = {
        "uid": "event-17@elternlotse",
        "title": TITLE,
        "start": WINTER,
        "end": WINTER + timedelta(hours=1, minutes=30),
        "description": DESCRIPTION,
        "location": "Familienzentrum Mitte, Raum 2; Eingang Hof",
        "url": "https://example.org/termine/17?ort=mitte,hof",
        "zone": BERLIN,
        "stamp": STAMP,
    }
    arguments.update(changes)
    return event_ics(**arguments)


def parse(ics: bytes) -> Any:
    """Return the VCALENDAR that vobject reads from the file."""
    return vobject.readOne(ics.decode("utf-8"))


def lines(ics: bytes) -> list[bytes]:
    """Return the physical lines of the file (still folded)."""
    assert ics.endswith(b"\r\n")
    return ics.removesuffix(b"\r\n").split(b"\r\n")


def unfolded(ics: bytes) -> list[str]:
    """Return the content lines of the file, unfolded as RFC 5545 3.1 says."""
    return ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").splitlines()


def test_a_winter_event_starts_at_its_instant_in_berlin_standard_time() -> None:
    event = parse(render()).vevent
    assert event.dtstart.value == WINTER
    assert event.dtend.value == WINTER + timedelta(hours=1, minutes=30)
    assert event.dtstart.value.utcoffset() == timedelta(hours=1)
    assert event.dtstart.value.tzinfo.tzname(event.dtstart.value) == "CET"
    assert "DTSTART;TZID=Europe/Berlin:20261203T180000" in unfolded(render())
    assert "DTEND;TZID=Europe/Berlin:20261203T193000" in unfolded(render())


def test_a_summer_event_starts_at_its_instant_in_berlin_summer_time() -> None:
    ics = render(start=SUMMER, end=SUMMER + timedelta(hours=2))
    event = parse(ics).vevent
    assert event.dtstart.value == SUMMER
    assert event.dtstart.value.utcoffset() == timedelta(hours=2)
    assert event.dtend.value == SUMMER + timedelta(hours=2)
    assert "DTSTART;TZID=Europe/Berlin:20260709T193000" in unfolded(ics)


@pytest.mark.parametrize(
    ("start", "end", "offsets"),
    [
        # Overnight into the last Sunday of October: starts in summer, ends in winter time.
        (
            datetime(2026, 10, 24, 20, 0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 10, 0, tzinfo=BERLIN),
            (2, 1),
        ),
        # Overnight into the last Sunday of March: starts in winter, ends in summer time.
        (
            datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN),
            datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN),
            (1, 2),
        ),
    ],
)
def test_an_event_across_the_clock_change_keeps_both_instants(
    start: datetime, end: datetime, offsets: tuple[int, int]
) -> None:
    event = parse(render(start=start, end=end)).vevent
    assert event.dtstart.value == start
    assert event.dtend.value == end
    assert event.dtstart.value.utcoffset() == timedelta(hours=offsets[0])
    assert event.dtend.value.utcoffset() == timedelta(hours=offsets[1])
    assert event.dtend.value - event.dtstart.value == end - start


def test_start_and_end_in_another_zone_are_written_in_berlin_time() -> None:
    start = datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    ics = render(start=start, end=start + timedelta(hours=1))
    assert parse(ics).vevent.dtstart.value == start
    assert "DTSTART;TZID=Europe/Berlin:20261203T180000" in unfolded(ics)


@pytest.mark.parametrize("start", [WINTER, SUMMER])
def test_the_file_carries_a_vtimezone_that_matches_berlin_all_year(start: datetime) -> None:
    calendar = parse(render(start=start, end=start + timedelta(hours=1)))
    assert [zone.tzid.value for zone in calendar.vtimezone_list] == ["Europe/Berlin"]
    parts = {child.name for child in calendar.vtimezone.getChildren()}
    assert {"STANDARD", "DAYLIGHT"} <= parts
    # The zone vobject builds from the VTIMEZONE text agrees with the zone database.
    described = calendar.vtimezone.gettzinfo()
    for day in range(365):
        moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(days=day)
        assert moment.astimezone(described).utcoffset() == moment.astimezone(BERLIN).utcoffset()


@pytest.mark.parametrize("start", [WINTER, SUMMER])
def test_an_app_that_does_not_know_the_zone_name_still_gets_the_time(start: datetime) -> None:
    # Renamed, the TZID can only be understood through the file's own VTIMEZONE.
    ics = render(start=start, end=start + timedelta(hours=1))
    event = parse(ics.replace(b"Europe/Berlin", b"Elternlotse/Unbekannt")).vevent
    assert event.dtstart.value == start
    assert event.dtstart.value.utcoffset() == start.astimezone(BERLIN).utcoffset()


def test_the_vtimezone_comes_before_the_event() -> None:
    content = unfolded(render())
    assert content.index("BEGIN:VTIMEZONE") < content.index("BEGIN:VEVENT")


def test_summary_and_description_round_trip_with_umlauts_and_separators() -> None:
    event = parse(render()).vevent
    assert event.summary.value == TITLE
    assert event.description.value == DESCRIPTION
    assert event.location.value == "Familienzentrum Mitte, Raum 2; Eingang Hof"
    assert event.url.value == "https://example.org/termine/17?ort=mitte,hof"


@given(
    title=st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1),
    description=st.text(
        st.characters(categories=("L", "N", "P", "S", "Zs"), include_characters="\n")
    ),
)
def test_any_printable_text_round_trips(title: str, description: str) -> None:
    # icalendar writes a literal backslash before "N" as the escape for a line break (\N), so
    # that pair does not round-trip; staff never type it, and it is the library's behaviour.
    assume("\\N" not in title.upper() and "\\N" not in description.upper())
    event = parse(render(title=title, description=description)).vevent
    assert event.summary.value == title
    assert event.description.value == description


def test_the_calendar_and_event_carry_the_required_properties() -> None:
    calendar = parse(render(sequence=3))
    assert calendar.prodid.value == PRODID == "-//Elternlotse//Termine//DE"
    assert calendar.version.value == "2.0"
    assert calendar.method.value == "PUBLISH"
    event = calendar.vevent
    assert event.uid.value == "event-17@elternlotse"
    assert event.sequence.value == "3"
    assert event.dtstamp.value == STAMP
    assert not hasattr(event, "status")


def test_the_stamp_is_written_in_utc_whatever_its_zone() -> None:
    ics = render(stamp=STAMP.astimezone(BERLIN))
    assert "DTSTAMP:20261124T090000Z" in unfolded(ics)
    assert parse(ics).vevent.dtstamp.value == STAMP


def test_a_cancelled_event_is_a_cancellation() -> None:
    ics = render(cancelled=True, sequence=2)
    calendar = parse(ics)
    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.status.value == "CANCELLED"
    assert calendar.vevent.sequence.value == "2"
    assert calendar.vevent.uid.value == "event-17@elternlotse"
    assert "METHOD:CANCEL" in unfolded(ics)
    assert "STATUS:CANCELLED" in unfolded(ics)


def test_location_and_url_are_left_out_when_none() -> None:
    ics = render(location=None, url=None)
    event = parse(ics).vevent
    assert not hasattr(event, "location")
    assert not hasattr(event, "url")
    assert not any(line.startswith(("LOCATION", "URL")) for line in unfolded(ics))


def test_lines_end_in_crlf_and_are_folded_to_75_octets() -> None:
    long = "Äußerst lange Beschreibung für Alleinerziehende – " * 20
    ics = render(title=long, description=long)
    physical = lines(ics)
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # the long text was folded
    ics.decode("utf-8")  # folding never splits a multi-octet character
    assert all(line.decode("utf-8") for line in physical)
    assert parse(ics).vevent.description.value == long


def test_a_zone_without_summer_time_gets_a_standard_part_only() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    calendar = parse(render(zone=tokyo))
    assert calendar.vtimezone.tzid.value == "Asia/Tokyo"
    assert calendar.vevent.dtstart.value == WINTER
    assert calendar.vevent.dtstart.value.utcoffset() == timedelta(hours=9)


def test_utc_needs_no_vtimezone() -> None:
    ics = render(zone=ZoneInfo("UTC"))
    assert "BEGIN:VTIMEZONE" not in unfolded(ics)
    assert "DTSTART:20261203T170000Z" in unfolded(ics)
    assert parse(ics).vevent.dtstart.value == WINTER


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2026, 12, 3, 18, 0)}, "start must be timezone-aware"),
        ({"stamp": datetime(2026, 11, 24, 9, 0)}, "stamp must be timezone-aware"),
        ({"end": WINTER}, "is not after start"),
    ],
)
def test_wrong_times_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(**changes)


def test_a_zone_without_a_name_is_refused() -> None:
    # tzdata (a dependency of icalendar) ships the compiled zone files.
    with resources.files("tzdata.zoneinfo.Europe").joinpath("Berlin").open("rb") as data:
        nameless = ZoneInfo.from_file(data)
    with pytest.raises(ValueError, match="zone has no key"):
        render(zone=nameless)


def test_the_file_name_spells_out_umlauts() -> None:
    start = datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN)
    name = ics_filename("Unterhalt – Fragen an eine Fachanwältin", start)
    assert name == "termin-2026-12-03-unterhalt-fragen-an-eine-fachanwaeltin.ics"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Größe & Öffnung: Übergänge", "termin-2026-12-03-groesse-oeffnung-uebergaenge.ics"),
        ("Café für Väter", "termin-2026-12-03-cafe-fuer-vaeter.ics"),
        ("  --Elterngeld!!--  ", "termin-2026-12-03-elterngeld.ics"),
        ("???", "termin-2026-12-03.ics"),
        ("", "termin-2026-12-03.ics"),
    ],
)
def test_the_file_name_is_plain_ascii(title: str, expected: str) -> None:
    assert ics_filename(title, datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN)) == expected


def test_a_long_title_is_cut_at_a_word() -> None:
    title = "Gesprächskreis für getrennt erziehende Mütter und Väter mit kleinen Kindern"
    name = ics_filename(title, datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN))
    assert name == "termin-2026-12-03-gespraechskreis-fuer-getrennt.ics"
    assert len(name) <= MAX_FILENAME_LENGTH


def test_a_single_over_long_word_is_cut_hard() -> None:
    name = ics_filename("Unterhaltsvorschuss" * 5, datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN))
    assert len(name) == MAX_FILENAME_LENGTH
    assert name.startswith("termin-2026-12-03-unterhaltsvorschussunterhalts")


@given(title=st.text())
def test_any_title_gives_a_safe_short_name(title: str) -> None:
    name = ics_filename(title, datetime(2026, 12, 3, 18, 0, tzinfo=BERLIN))
    assert re.fullmatch(r"termin-2026-12-03(-[a-z0-9]+)*\.ics", name)
    assert len(name) <= MAX_FILENAME_LENGTH
