"""Counsellor cases: the state machine, office hours with holidays, and the case store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cases.model import TRANSITIONS, Case, CaseStatus, InvalidTransition
from bot.hours import WEEKDAYS, OfficeHours, parse_spans
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def case(status: CaseStatus) -> Case:
    return Case(7, 42, status, NOW, NOW)


ALL_MOVES = [(a, b) for a in CaseStatus for b in CaseStatus]


@pytest.mark.parametrize(("start", "to"), ALL_MOVES)
def test_every_transition_is_allowed_or_raises(start: CaseStatus, to: CaseStatus) -> None:
    if to in TRANSITIONS[start]:
        moved = case(start).moved(to, NOW)
        assert moved.status is to
        assert (moved.closed_at is not None) == (not to.is_open)
    else:
        with pytest.raises(InvalidTransition):
            case(start).moved(to, NOW)


def test_the_lifecycle() -> None:
    waiting = case(CaseStatus.REQUESTED).moved(CaseStatus.WAITING, NOW)
    claimed = waiting.moved(CaseStatus.CLAIMED, NOW)
    closed = claimed.moved(CaseStatus.CLOSED, NOW)
    assert closed.status is CaseStatus.CLOSED
    assert not closed.status.is_open


HOURS = OfficeHours(
    {"mon": parse_spans("09:00-17:00"), "tue": parse_spans("09:00-12:00,14:00-18:00")},
    "NW",
    BERLIN,
)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_office_hours_spans_days_and_holidays() -> None:
    assert HOURS.is_open(berlin(2026, 11, 23, 10, 0))  # Monday
    assert not HOURS.is_open(berlin(2026, 11, 24, 13, 0))  # Tuesday lunch break
    assert HOURS.is_open(berlin(2026, 11, 24, 15, 0))
    assert not HOURS.is_open(berlin(2026, 11, 25, 10, 0))  # Wednesday: closed
    assert HOURS.next_opening(berlin(2026, 11, 24, 13, 0)) == berlin(2026, 11, 24, 14, 0)
    assert HOURS.next_opening(berlin(2026, 11, 25, 10, 0)) == berlin(2026, 11, 30, 9, 0)


def test_a_public_holiday_is_closed() -> None:
    # 28 December 2026 is a Monday; 25 December a Friday; Pfingstmontag 25 May 2026 in NRW.
    assert not HOURS.is_open(berlin(2026, 5, 25, 10, 0))
    assert HOURS.next_opening(berlin(2026, 5, 25, 10, 0)) == berlin(2026, 5, 26, 9, 0)


def test_spans_are_validated() -> None:
    assert parse_spans("09:00-12:00, 14:00-18:00") == (
        (time(9), time(12)),
        (time(14), time(18)),
    )
    with pytest.raises(ValueError, match="ends before"):
        parse_spans("12:00-09:00")


def test_round_the_clock_as_associations_write_it() -> None:
    whole_week = {day: parse_spans("00:00-24:00") for day in ("mon", "tue", "wed", "thu", "fri")}
    hours = OfficeHours(whole_week, "NW", BERLIN)
    assert hours.is_open(berlin(2026, 11, 23, 0, 0))  # Monday, midnight
    assert hours.is_open(berlin(2026, 11, 23, 23, 59, 59))
    assert hours.is_open(berlin(2026, 11, 24, 3, 0))  # on across the night
    assert not hours.is_open(berlin(2026, 11, 28, 12, 0))  # Saturday left out
    assert hours.next_opening(berlin(2026, 11, 28, 12, 0)) == berlin(2026, 11, 30, 0, 0)
    assert not hours.is_open(berlin(2026, 12, 25, 12, 0))  # a public holiday stays closed
    assert parse_spans("18:00-24:00") == ((time(18), time.max),)
    with pytest.raises(ValueError, match="hour must be in"):  # a day cannot start at 24:00
        parse_spans("24:00-18:00")


def test_always_open_includes_holidays_and_weekends() -> None:
    hours = OfficeHours({d: parse_spans("00:00-24:00") for d in WEEKDAYS}, "NW", BERLIN, True)
    for moment in (berlin(2026, 12, 25, 3, 0), berlin(2026, 11, 28, 23, 30)):
        assert hours.is_open(moment)


@pytest.fixture(params=["memory", "sqlite"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MemoryStore | SqliteStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    sqlite = SqliteStore(tmp_path / "cases.sqlite3")
    await sqlite.open()
    yield sqlite
    await sqlite.close()


async def test_case_store_contract(store: MemoryStore | SqliteStore) -> None:
    first = await store.open_case(42, "Unterhalt", False, NOW)
    second = await store.open_case(43, None, True, NOW)
    assert (first.number, second.number) == (1, 2)
    assert first.status is CaseStatus.WAITING
    assert await store.open_case_of(42) == first
    claimed = first.moved(CaseStatus.CLAIMED, NOW)
    claimed = Case(**{**claimed.__dict__, "topic_id": 900, "counsellor_id": 7})
    await store.save_case(claimed)
    assert await store.case_in_topic(900) is None  # the topic is only ever set on its own
    await store.set_topic(claimed.number, 900)
    assert await store.case_in_topic(900) == claimed
    await store.save_case(replace(claimed, topic_id=None))  # a stale copy keeps the topic
    assert await store.case_in_topic(900) == claimed
    await store.touch_case(claimed.number, NOW + timedelta(minutes=5))
    touched = await store.case(claimed.number)
    assert touched is not None
    assert touched.last_activity_at == NOW + timedelta(minutes=5)
    assert [c.number for c in await store.open_cases()] == [1, 2]
    await store.save_case(claimed.moved(CaseStatus.CLOSED, NOW))
    assert await store.open_case_of(42) is None
    assert [c.number for c in await store.open_cases()] == [2]
    await store.delete_user(43)
    assert await store.case(2) is None
    assert not await store.user_exists(43)
