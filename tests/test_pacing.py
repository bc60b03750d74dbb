"""The process's send limiter: the pure sliding-window logs, and PTB's limiter built on them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot.config import Config, ConfigError, load_config
from bot.pacing import (
    OVERALL,
    PAID,
    Lane,
    LaneKind,
    Pacing,
    PacingError,
    SendLimits,
    Ticket,
    WindowLog,
    lanes_of,
)
from handlers.pacing import SlidingWindowLimiter

GROUP = Lane(LaneKind.GROUP, -100)
OTHER_GROUP = Lane(LaneKind.GROUP, "@eltern")
# Small limits so that a short pattern reaches them.
SMALL = SendLimits(per_second=3, per_group=2, paid_per_second=5, window=1.0, group_window=5.0)


@dataclass
class Sent:
    """One request as a sender saw it: started, and answered (None while in flight)."""

    lanes: tuple[Lane, ...]
    start: float
    end: float | None = None


def busiest(sent: Sequence[Sent], lane: Lane, window: float, now: float) -> int:
    """Return the most requests of a lane Telegram could have received in one window.

    Telegram receives a request somewhere between its start and its answer (unanswered: now),
    so the worst case puts every request whose span touches a window into it. The busiest
    window [x, x + window) starts at some answer.
    """
    spans = [(s.start, now if s.end is None else s.end) for s in sent if lane in s.lanes]
    return max(
        (sum(1 for start, end in spans if end >= x and start < x + window) for _, x in spans),
        default=0,
    )


# ------------------------------------------------------------------ routing


@pytest.mark.parametrize(
    ("chat_id", "paid", "lanes"),
    [
        (4711, False, (OVERALL,)),
        ("4711", False, (OVERALL,)),
        (-100123, False, (Lane(LaneKind.GROUP, -100123), OVERALL)),
        ("-100123", False, (Lane(LaneKind.GROUP, -100123), OVERALL)),
        ("@channel", False, (Lane(LaneKind.GROUP, "@channel"), OVERALL)),
        (4711, True, (PAID,)),
        (-5, True, (Lane(LaneKind.GROUP, -5), PAID)),
        (None, False, ()),
    ],
)
def test_a_request_counts_against_its_group_and_the_overall_limit(
    chat_id: object, paid: bool, lanes: tuple[Lane, ...]
) -> None:
    assert lanes_of(chat_id, paid) == lanes


def test_limits_that_admit_nothing_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SendLimits(per_second=0)
    with pytest.raises(ValueError, match="longer than zero"):
        SendLimits(window=0)


# ------------------------------------------------------------------ the configured rate


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ={})


def test_the_overall_rate_defaults_to_telegrams_30(tmp_path: Path) -> None:
    assert load(tmp_path, "").send_rate == 30
    assert load(tmp_path, "telegram:\n  rate_per_second: 12\n").send_rate == 12


@pytest.mark.parametrize("value", ["31", "0", "12.5", "'viel'", "true"])
def test_an_overall_rate_telegram_would_not_take_names_its_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"'telegram\.rate_per_second' must be a whole number"):
        load(tmp_path, f"telegram:\n  rate_per_second: {value}\n")


def test_a_broadcast_gets_a_share_of_the_overall_rate(tmp_path: Path) -> None:
    staff = "staff:\n  ids: [1]\ntelegram:\n  rate_per_second: 20\n"
    with pytest.raises(ConfigError, match=r"must not exceed 'telegram\.rate_per_second' \(20\)"):
        load(tmp_path, staff + "announcements:\n  rate_per_second: 25\n")
    shared = load(tmp_path, staff + "announcements:\n  rate_per_second: 20\n").announcements
    assert shared is not None
    assert shared.rate == 20
    # Paid broadcasts have their own budget (up to 1,000/s), outside the overall rate.
    paid = "announcements:\n  rate_per_second: 500\n  allow_paid_broadcast: true\n"
    assert load(tmp_path, staff + paid).announcements is not None


# ------------------------------------------------------------------ one log


def test_a_full_window_frees_one_window_after_the_oldest_answer() -> None:
    log = WindowLog(limit=2, window=1.0)
    log.begin()
    log.end(10.0)
    log.begin()
    log.end(10.4)
    assert log.wait(10.5) == pytest.approx(0.5)
    assert log.wait(11.0) == 0.0


def test_requests_in_flight_block_until_answered() -> None:
    log = WindowLog(limit=2, window=1.0)
    log.begin()
    log.begin()
    assert log.wait(100.0) is None  # no time frees it: only an answer can
    log.end(100.0)
    assert log.wait(100.0) == pytest.approx(1.0)  # and even then it counts a window on


def test_an_answer_without_a_request_is_a_bug() -> None:
    with pytest.raises(PacingError):
        WindowLog(limit=1, window=1.0).end(0.0)


def test_an_idle_log_forgets_everything() -> None:
    log = WindowLog(limit=1, window=1.0)
    log.begin()
    assert not log.idle(0.0)
    log.end(0.0)
    assert not log.idle(0.5)
    assert log.idle(1.0)


# ------------------------------------------------------------------ the process's pacing


def test_a_burst_gets_the_limit_per_window_and_no_more() -> None:
    pacing = Pacing(SendLimits(per_second=30))
    now, started = 0.0, list[float]()
    while len(started) < 90:  # every request answered at once: the best case
        seconds = pacing.wait((OVERALL,), now)
        assert seconds is not None
        if seconds:
            now += seconds
            continue
        pacing.end(pacing.begin((OVERALL,), now), now)
        started.append(now)
    assert [sum(1 for t in started if int(t) == second) for second in range(3)] == [30, 30, 30]


def test_a_group_waits_a_minute_while_private_chats_go_on() -> None:
    pacing = Pacing(SendLimits())
    group = (GROUP, OVERALL)
    for _ in range(20):
        pacing.end(pacing.begin(group, 0.0), 0.0)
    assert pacing.wait(group, 0.0) == pytest.approx(60.0)
    assert pacing.wait((OVERALL,), 1.0) == 0.0


def test_paid_broadcasts_have_their_own_budget() -> None:
    pacing = Pacing(SMALL)
    for _ in range(3):
        pacing.begin((OVERALL,), 0.0)
    assert pacing.wait((OVERALL,), 0.0) is None
    assert pacing.wait((PAID,), 0.0) == 0.0


def test_a_429_holds_every_lane_until_retry_after() -> None:
    pacing = Pacing(SMALL)
    pacing.hold(7.0)
    assert pacing.wait((OVERALL,), 5.0) == pytest.approx(2.0)
    assert pacing.wait((PAID,), 5.0) == pytest.approx(2.0)
    assert pacing.wait((OVERALL,), 7.0) == 0.0


def test_starting_a_request_on_a_full_lane_is_a_bug() -> None:
    pacing = Pacing(SMALL)
    for _ in range(3):
        pacing.begin((OVERALL,), 0.0)
    with pytest.raises(PacingError):
        pacing.begin((OVERALL,), 0.0)


def test_many_idle_groups_are_forgotten() -> None:
    pacing = Pacing(SMALL)
    for chat in range(600):
        pacing.end(pacing.begin((Lane(LaneKind.GROUP, -chat),), 0.0), 0.0)
    pacing.end(pacing.begin((OVERALL,), 10.0), 10.0)
    assert len(pacing._logs) == 1  # noqa: SLF001 - memory is the point of this test


# ------------------------------------------------------------------ any pattern of requests

LANE_SETS = st.sampled_from(
    [(OVERALL,), (GROUP, OVERALL), (OTHER_GROUP, OVERALL), (PAID,), (GROUP, PAID)]
)
STEPS = st.one_of(
    st.tuples(st.just("advance"), st.floats(min_value=0.0, max_value=0.7)),
    st.tuples(st.just("request"), LANE_SETS),
    st.tuples(st.just("answer"), st.integers(min_value=0, max_value=50)),
)


def play(steps: Sequence[tuple[str, Any]]) -> tuple[list[Sent], float]:
    """Run a pattern against the pacing; a request starts only when `wait` says it may."""
    pacing, now = Pacing(SMALL), 0.0
    sent: list[Sent] = []
    flying: list[tuple[Sent, Ticket]] = []
    for kind, value in steps:
        if kind == "advance":
            now += value
        elif kind == "request" and pacing.wait(value, now) == 0.0:
            ticket = pacing.begin(value, now)
            sent.append(Sent(value, now))
            flying.append((sent[-1], ticket))
        elif kind == "answer" and flying:
            request, ticket = flying.pop(value % len(flying))
            request.end = now
            pacing.end(ticket, now)
    return sent, now


@settings(max_examples=300, deadline=None)
@given(st.lists(STEPS, max_size=150))
def test_no_window_ever_holds_more_than_its_limit(steps: list[tuple[str, Any]]) -> None:
    sent, now = play(steps)
    assert busiest(sent, OVERALL, SMALL.window, now) <= SMALL.per_second
    assert busiest(sent, PAID, SMALL.window, now) <= SMALL.paid_per_second
    for group in (GROUP, OTHER_GROUP):
        assert busiest(sent, group, SMALL.group_window, now) <= SMALL.per_group


@settings(max_examples=300, deadline=None)
@given(st.lists(STEPS, max_size=100), LANE_SETS)
def test_after_the_wait_it_names_a_request_may_start(
    steps: list[tuple[str, Any]], lanes: tuple[Lane, ...]
) -> None:
    pacing, now = Pacing(SMALL), 0.0
    for kind, value in steps:  # answered at once: only time stands in the way
        if kind == "advance":
            now += value
        elif kind == "request" and pacing.wait(value, now) == 0.0:
            pacing.end(pacing.begin(value, now), now)
    seconds = pacing.wait(lanes, now)
    assert seconds is not None
    assert pacing.wait(lanes, now + seconds) == pytest.approx(0.0, abs=1e-9)


# ------------------------------------------------------------------ PTB's limiter

FAST = SendLimits(per_second=4, per_group=2, window=0.2, group_window=0.5)


class Telegram:
    """Stands in for PTB's HTTP call: notes when each request ran, answers after a moment."""

    def __init__(self, *failures: Exception) -> None:
        self.sent: list[Sent] = []
        self.failures = list(failures)

    async def call(self, lanes: tuple[Lane, ...]) -> bool:
        request = Sent(lanes, time.monotonic())
        self.sent.append(request)
        await asyncio.sleep(0.01)
        request.end = time.monotonic()
        if self.failures:
            raise self.failures.pop(0)
        return True


async def send(
    limiter: SlidingWindowLimiter, telegram: Telegram, data: dict[str, Any], retries: int | None
) -> object:
    lanes = lanes_of(data.get("chat_id"), bool(data.get("allow_paid_broadcast")))
    return await limiter.process_request(telegram.call, (lanes,), {}, "sendMessage", data, retries)


async def test_concurrent_senders_share_one_limit() -> None:
    limiter, telegram = SlidingWindowLimiter(FAST), Telegram()
    private = [send(limiter, telegram, {"chat_id": 1000 + n}, None) for n in range(12)]
    group = [send(limiter, telegram, {"chat_id": -100}, None) for _ in range(4)]
    assert await asyncio.gather(*private, *group) == [True] * 16
    now = time.monotonic()
    assert busiest(telegram.sent, OVERALL, FAST.window, now) <= FAST.per_second
    assert busiest(telegram.sent, Lane(LaneKind.GROUP, -100), FAST.group_window, now) <= 2


async def test_requests_to_no_chat_do_not_wait() -> None:
    limiter, telegram = SlidingWindowLimiter(SendLimits(per_second=1, window=3600.0)), Telegram()
    await send(limiter, telegram, {"chat_id": 1}, None)
    queued = asyncio.create_task(send(limiter, telegram, {"chat_id": 2}, None))
    assert await send(limiter, telegram, {"callback_query_id": "7"}, None) is True
    assert not queued.done()  # the second message waits an hour; the answer went at once
    queued.cancel()


async def test_a_429_is_retried_after_retry_after() -> None:
    limiter = SlidingWindowLimiter(FAST, max_retries=2)
    telegram = Telegram(RetryAfter(timedelta(seconds=0.05)))
    assert await send(limiter, telegram, {"chat_id": 1}, None) is True
    first, second = telegram.sent
    assert first.end is not None
    assert second.start >= first.end + 0.05


async def test_the_429_reaches_the_caller_after_the_last_retry() -> None:
    limiter = SlidingWindowLimiter(FAST, max_retries=1)
    telegram = Telegram(*(RetryAfter(timedelta(seconds=0.01)) for _ in range(3)))
    with pytest.raises(RetryAfter):
        await send(limiter, telegram, {"chat_id": 1}, None)
    assert len(telegram.sent) == 2
    telegram = Telegram(RetryAfter(timedelta(seconds=0.01)))
    with pytest.raises(RetryAfter):  # a call's own rate_limit_args win
        await send(SlidingWindowLimiter(FAST, max_retries=3), telegram, {"chat_id": 1}, 0)


async def test_a_failed_request_frees_its_place() -> None:
    limiter = SlidingWindowLimiter(SendLimits(per_second=1, window=0.05))
    telegram = Telegram(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await send(limiter, telegram, {"chat_id": 1}, None)
    assert await send(limiter, telegram, {"chat_id": 1}, None) is True
