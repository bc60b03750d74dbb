"""The durable outbox: order, priority, retries, give-up, privacy, and surviving a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.outbox.dispatcher import GIVE_UP_AFTER, Outbox
from bot.outbox.model import DeliveryFailed, OutboxItem, Priority, RetryLater
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore, open_store

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
AnyStore = MemoryStore | SqliteStore


class Recipient:
    """Records what was delivered; can be told to fail the next tries."""

    def __init__(self) -> None:
        self.got: list[Any] = []
        self.failures: list[Exception] = []

    async def __call__(self, item: OutboxItem) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.got.append(item.payload["n"])


def outbox(store: AnyStore, recipient: Recipient, **kwargs: Any) -> tuple[Outbox, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return Outbox(store, "q", recipient, clock=lambda: NOW, sleep=sleep, **kwargs), waits


async def fill(store: AnyStore, *items: tuple[int, Priority]) -> None:
    for n, priority in items:
        await store.enqueue("q", priority, 42, {"n": n}, NOW)


async def test_items_go_out_in_order_and_urgent_ones_first(store: AnyStore) -> None:
    recipient = Recipient()
    box, _ = outbox(store, recipient)
    await fill(store, (1, Priority.NORMAL), (2, Priority.NORMAL), (3, Priority.URGENT))
    assert await box.backlog() == 3
    assert await box.drain() == 3
    assert recipient.got == [3, 1, 2]
    assert await box.backlog() == 0
    assert await box.drain() == 0  # nothing twice


async def test_an_urgent_item_written_during_a_drain_overtakes_the_backlog(
    store: AnyStore,
) -> None:
    recipient = Recipient()
    box, _ = outbox(store, recipient)
    await fill(store, (1, Priority.NORMAL), (2, Priority.NORMAL), (3, Priority.NORMAL))

    async def deliver_then_alarm(item: OutboxItem) -> None:
        await recipient(item)
        if item.payload["n"] == 1:
            await fill(store, (99, Priority.URGENT))

    box = Outbox(store, "q", deliver_then_alarm, clock=lambda: NOW)
    await box.drain()
    assert recipient.got == [1, 99, 2, 3]


async def test_a_429_waits_retry_after_and_sends_the_same_item_again(store: AnyStore) -> None:
    recipient = Recipient()
    recipient.failures = [RetryLater(7)]
    box, waits = outbox(store, recipient)
    await fill(store, (1, Priority.NORMAL), (2, Priority.NORMAL))
    await box.drain()
    assert waits == [7]
    assert recipient.got == [1, 2]


async def test_a_passing_failure_stops_the_drain_and_keeps_the_order(store: AnyStore) -> None:
    recipient = Recipient()
    recipient.failures = [DeliveryFailed("network")]
    box, _ = outbox(store, recipient)
    await fill(store, (1, Priority.NORMAL), (2, Priority.NORMAL))
    assert await box.drain() == 0
    assert recipient.got == []
    assert await box.backlog() == 2
    await box.resume()  # the periodic job
    await box.idle()
    assert recipient.got == [1, 2]


async def test_an_item_is_given_up_after_repeated_or_permanent_failures(store: AnyStore) -> None:
    recipient = Recipient()
    recipient.failures = [DeliveryFailed("down")] * GIVE_UP_AFTER
    recipient.failures.append(DeliveryFailed("bad request", permanent=True))
    box, _ = outbox(store, recipient)
    await fill(store, (1, Priority.NORMAL), (2, Priority.NORMAL), (3, Priority.NORMAL))
    for _ in range(GIVE_UP_AFTER):
        await box.drain()
    assert await box.backlog() == 0  # 1 given up after 5 tries, 2 at once, 3 delivered
    assert recipient.got == [3]


async def test_background_mode_returns_at_once_and_sends_everything(store: AnyStore) -> None:
    recipient = Recipient()
    box = Outbox(store, "q", recipient, clock=lambda: NOW)
    for n in range(5):
        await box.put({"n": n}, owner=42, priority=Priority.NORMAL)
    await box.idle()
    await asyncio.sleep(0)
    await box.idle()
    assert recipient.got == [0, 1, 2, 3, 4]
    await box.stop()


async def test_inline_mode_sends_within_put(store: AnyStore) -> None:
    recipient = Recipient()
    box, _ = outbox(store, recipient, inline=True)
    await box.put({"n": 1}, owner=None, priority=Priority.NORMAL)
    assert recipient.got == [1]


async def test_deleting_a_parent_removes_their_pending_items(store: AnyStore) -> None:
    await store.enqueue("q", Priority.NORMAL, 42, {"n": 1}, NOW)
    await store.enqueue("q", Priority.NORMAL, 7, {"n": 2}, NOW)
    assert await store.user_exists(42)
    await store.delete_user(42)
    assert not await store.user_exists(42)
    item = await store.next_pending("q")
    assert item is not None
    assert item.payload == {"n": 2}


async def test_pending_items_survive_a_restart_and_sent_ones_forget_their_payload(
    tmp_path: Path,
) -> None:
    first = open_store(tmp_path)
    await first.open()
    await first.enqueue("q", Priority.NORMAL, 42, {"n": 1, "text": "Hallo"}, NOW)
    await first.enqueue("q", Priority.NORMAL, 42, {"n": 2}, NOW)
    sent = await first.next_pending("q")
    assert sent is not None
    await first.mark_sent(sent.id, NOW)
    await first.close()  # (a kill -9 keeps the same rows: every write is committed)

    again = open_store(tmp_path)
    await again.open()
    recipient = Recipient()
    box, _ = outbox(again, recipient)
    await box.drain()
    assert recipient.got == [2]
    rows = await again._read("SELECT payload FROM outbox WHERE status = 'sent'")  # noqa: SLF001
    assert [row[0] for row in rows] == ["{}", "{}"]
    await again.close()


async def test_an_unordered_queue_goes_on_past_a_failing_item(store: AnyStore) -> None:
    recipient = Recipient()
    box, _ = outbox(store, recipient, inline=True, ordered=False)
    recipient.failures = [DeliveryFailed("502 Bad Gateway")]
    for n in range(3):
        await store.enqueue("q", Priority.NORMAL, None, {"n": n}, NOW)
    await box.drain()
    assert recipient.got == [1, 2]  # the first failed and waits; the others went out
    assert await box.backlog() == 1
    await box.drain()
    assert recipient.got == [1, 2, 0]
