"""The broadcast engine and its storage: fan-out, pacing, 429 pause, blocks, retries, resume."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.announcements.broadcast import BroadcastSender, Pacer, SenderSettings
from bot.announcements.model import Broadcast, BroadcastProgress, BroadcastStatus, Category
from bot.outbox.model import DeliveryFailed, OutboxItem, RecipientGone, RetryLater
from bot.storage.sqlite import SqliteStore

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MONEY = frozenset({Category.MONEY})


async def subscribe(db: SqliteStore, users: range, categories: frozenset[Category]) -> None:
    for user in users:
        await db.subscribe(user, categories, NOW)


class Telegram:
    """A fake front end: records deliveries, fails on command."""

    def __init__(self) -> None:
        self.got: Counter[int] = Counter()
        self.plan: dict[int, list[Exception]] = {}
        self.reports: list[tuple[BroadcastProgress, bool]] = []
        self.waits: list[float] = []

    async def send(self, broadcast: Broadcast, item: OutboxItem) -> None:
        assert item.owner is not None
        failures = self.plan.get(item.owner)
        if failures:
            raise failures.pop(0)
        self.got[item.owner] += 1

    async def report(self, broadcast: Broadcast, progress: BroadcastProgress, final: bool) -> None:
        self.reports.append((progress, final))

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def engine(db: SqliteStore, telegram: Telegram, **settings: float) -> BroadcastSender:
    chosen = SenderSettings(**{"rate": 1000.0, "concurrency": 8, **settings})  # type: ignore[arg-type]
    return BroadcastSender(
        db, telegram.send, telegram.report, chosen, clock=lambda: NOW, sleep=telegram.sleep
    )


async def test_a_broadcast_reaches_each_subscriber_of_its_categories_once(db: SqliteStore) -> None:
    await subscribe(db, range(1, 31), MONEY)
    await subscribe(db, range(31, 41), frozenset({Category.LAW}))
    await subscribe(db, range(41, 46), frozenset({Category.MONEY, Category.LAW}))
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    assert broadcast.total == 35
    telegram = Telegram()
    await engine(db, telegram).run(broadcast)
    assert set(telegram.got) == set(range(1, 31)) | set(range(41, 46))
    assert set(telegram.got.values()) == {1}
    final = [p for p, f in telegram.reports if f]
    assert final == [BroadcastProgress(35, 35, 0, 0)]
    stored = await db.broadcast(broadcast.id)
    assert stored is not None
    assert stored.status is BroadcastStatus.DONE


async def test_progress_is_reported_every_tenth(db: SqliteStore) -> None:
    await subscribe(db, range(1, 101), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    await engine(db, telegram, concurrency=1).run(broadcast)
    progress = [p.handled for p, final in telegram.reports if not final]
    assert progress == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert telegram.reports[-1][1] is True


async def test_a_handful_of_recipients_gets_only_the_final_report(db: SqliteStore) -> None:
    """Newcomer D34: „50 % erledigt" for two recipients, „66 %" twice for three."""
    await subscribe(db, range(1, 4), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    await engine(db, telegram, concurrency=1).run(broadcast)
    assert [final for _, final in telegram.reports] == [True]


async def test_no_percentage_is_reported_twice_when_sends_finish_together(
    db: SqliteStore,
) -> None:
    """Newcomer D34: „66 % erledigt" came twice; sends in flight finish at the same time."""
    await subscribe(db, range(1, 24), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    await engine(db, telegram, concurrency=8).run(broadcast)
    percents = [p.percent for p, final in telegram.reports if not final]
    assert percents
    assert percents == sorted(set(percents))
    assert all(0 < p < 100 for p in percents)


async def test_blocked_recipients_are_marked_and_lose_their_subscription(db: SqliteStore) -> None:
    await subscribe(db, range(1, 11), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    telegram.plan = {3: [RecipientGone("Forbidden: bot was blocked by the user")]}
    telegram.plan[4] = [RecipientGone("Bad Request: chat not found")]
    await engine(db, telegram).run(broadcast)
    assert 3 not in telegram.got
    assert 4 not in telegram.got
    assert await db.subscriptions(3) == frozenset()
    assert await db.subscriptions(5) == MONEY
    assert await db.broadcast_progress(broadcast.id) == BroadcastProgress(10, 8, 2, 0)


async def test_a_429_pauses_and_the_same_recipient_is_sent_again(db: SqliteStore) -> None:
    await subscribe(db, range(1, 6), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    telegram.plan = {2: [RetryLater(3.0)]}
    await engine(db, telegram).run(broadcast)
    assert telegram.got == Counter({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    assert 3.0 in telegram.waits
    assert await db.broadcast_progress(broadcast.id) == BroadcastProgress(5, 5, 0, 0)


async def test_passing_failures_are_retried_with_backoff_then_given_up(db: SqliteStore) -> None:
    await subscribe(db, range(1, 4), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    telegram.plan = {
        1: [DeliveryFailed("500"), DeliveryFailed("502")],  # then succeeds
        2: [DeliveryFailed("500")] * 10,  # never succeeds
        3: [DeliveryFailed("Bad Request: message is too long", permanent=True)],
    }
    await engine(db, telegram, give_up_after=5, backoff=2.0).run(broadcast)
    assert telegram.got == Counter({1: 1})
    assert await db.broadcast_progress(broadcast.id) == BroadcastProgress(3, 1, 0, 2)
    backoffs = [w for w in telegram.waits if w >= 2.0]
    assert backoffs[:3] == [2.0, 4.0, 8.0]


async def test_a_restart_sends_only_what_was_pending(db: SqliteStore) -> None:
    await subscribe(db, range(1, 21), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    first = await db.pending_recipients(broadcast.id, 0, 8)
    for item in first:  # a previous run got this far before it was killed
        await db.mark_sent(item.id, NOW)
    telegram = Telegram()
    sender = engine(db, telegram)
    await sender.resume()
    await sender.idle()
    assert set(telegram.got) == set(range(9, 21))
    assert await db.unfinished_broadcasts() == []


async def test_an_empty_audience_finishes_at_once(db: SqliteStore) -> None:
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    await engine(db, telegram).run(broadcast)
    assert broadcast.total == 0
    assert telegram.reports == [(BroadcastProgress(0, 0, 0, 0), True)]


async def test_a_sender_bug_counts_as_a_failure_not_a_crash(db: SqliteStore) -> None:
    await subscribe(db, range(1, 3), MONEY)
    broadcast = await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    telegram = Telegram()
    telegram.plan = {1: [KeyError("bug")] * 10}
    await engine(db, telegram, give_up_after=2).run(broadcast)
    assert telegram.got == Counter({2: 1})


async def test_the_pacer_keeps_the_average_rate() -> None:
    clock = [0.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += seconds

    pacer = Pacer(10.0, lambda: clock[0], sleep)
    for _ in range(21):
        await pacer.slot()
    assert clock[0] == pytest.approx(2.0)


async def test_subscriptions_replace_and_keep_the_first_consent_time(db: SqliteStore) -> None:
    await db.subscribe(1, MONEY, NOW)
    later = NOW + timedelta(days=1)
    await db.subscribe(1, frozenset({Category.MONEY, Category.LAW}), later)
    assert await db.subscriptions(1) == frozenset({Category.MONEY, Category.LAW})
    rows = await db._read("SELECT category, consented_at FROM subscriptions WHERE user_id = 1")
    times = {c: t for c, t in rows}
    assert times["geld"].startswith("2026-11-24")
    assert times["recht"].startswith("2026-11-25")
    await db.subscribe(1, frozenset(), later)
    assert await db.subscriptions(1) == frozenset()


async def test_creating_a_broadcast_closes_the_staff_draft_atomically(db: SqliteStore) -> None:
    await db.save_draft(7, {"kind": "broadcast", "step": "preview"}, NOW)
    await db.create_broadcast(7, "Hallo", MONEY, None, NOW)
    assert await db.load_draft(7) is None


async def test_two_broadcasts_go_out_one_after_the_other(db: SqliteStore) -> None:
    await subscribe(db, range(1, 6), MONEY)
    first = await db.create_broadcast(7, "Eins", MONEY, None, NOW)
    second = await db.create_broadcast(7, "Zwei", MONEY, None, NOW)
    order: list[str] = []

    async def send(broadcast: Broadcast, item: OutboxItem) -> None:
        order.append(broadcast.text)
        await asyncio.sleep(0)

    telegram = Telegram()
    sender = BroadcastSender(
        db, send, telegram.report, SenderSettings(rate=1000.0, concurrency=4), clock=lambda: NOW
    )
    sender.start(first)
    sender.start(second)
    await sender.idle()
    assert order == ["Eins"] * 5 + ["Zwei"] * 5
