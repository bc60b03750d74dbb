"""The outbox's sender: takes pending items in priority order and hands them to a deliverer.

Items are written before anything is sent, so a crash (even `kill -9`) loses nothing: the next
start sends what is still pending. Delivery is at least once: an item sent just before a crash
and not yet marked sent goes out again. Pacing under Telegram's limits is left to the transport
(the process's one rate limiter, see `bot.pacing`), which blocks each send until it may go;
because the next item is read only after the previous one left, an urgent item written
meanwhile overtakes the backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from bot.clock import utc_now
from bot.outbox.model import ItemStatus, OutboxItem, Priority, RetryLater, failure_of
from bot.outbox.ports import OutboxStore

logger = logging.getLogger(__name__)
GIVE_UP_AFTER = 5  # failed attempts; the periodic drain retries in between

Deliver = Callable[[OutboxItem], Awaitable[None]]
GivenUp = Callable[[OutboxItem, str], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class Outbox:
    """One queue of a durable outbox.

    Args:
        store: Where items are kept.
        queue: The queue's name (one per destination, e.g. the counsellors' group).
        deliver: Sends one item; raises `RetryLater` or `DeliveryFailed` when it could not.
        inline: Send within `put` instead of in a background task (tests, deterministic runs).
        ordered: Items must go out in order (a topic's messages): a passing failure stops the
            drain. Unordered queues (notices to many parents) go on past the failed item,
            which is tried again at the next drain.
        clock: The current time.
        sleep: How to wait for a `RetryLater` (tests pass one that does not wait).
        given_up: Called with an item and the reason once it is given up, so whoever waits
            for it can be told the truth.

    """

    def __init__(
        self,
        store: OutboxStore,
        queue: str,
        deliver: Deliver,
        *,
        inline: bool = False,
        ordered: bool = True,
        clock: Callable[[], datetime] = utc_now,
        sleep: Sleep = asyncio.sleep,
        given_up: GivenUp | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._deliver = deliver
        self._inline = inline
        self._ordered = ordered
        self._clock = clock
        self._sleep = sleep
        self._given_up = given_up
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[int] | None = None
        self._again = False

    async def put(
        self, payload: Mapping[str, Any], *, owner: int | None, priority: Priority
    ) -> None:
        """Write an item, then start sending (in the background unless inline)."""
        await self._store.enqueue(self._queue, priority, owner, payload, self._clock())
        await self.resume()

    async def resume(self) -> None:
        """Send what is pending: new items, leftovers after a restart, items waiting to retry."""
        if self._inline:
            await self.drain()
        else:
            self.wake()

    def wake(self) -> None:
        """Make sure a background drain runs (call from within the event loop)."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.drain())

    async def idle(self) -> None:
        """Wait until the background drain has finished."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        """Stop the background drain; what is pending stays for the next start."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def backlog(self) -> int:
        """Return how many items wait."""
        return await self._store.outbox_backlog(self._queue)

    async def drain(self) -> int:
        """Send pending items until none is left or one fails; return how many were handled."""
        sent, failed = 0, set[int]()
        async with self._lock:
            while True:
                self._again = False
                item = await self._store.next_pending(self._queue, frozenset(failed))
                if item is None:
                    if self._again:
                        continue
                    return sent
                if not await self._send(item):
                    if self._ordered:
                        return sent
                    failed.add(item.id)
                    continue
                sent += 1

    async def _send(self, item: OutboxItem) -> bool:
        """Deliver one item; return False when draining should stop for now."""
        while True:
            try:
                await self._deliver(item)
            except RetryLater as wait:
                logger.info("outbox %s: waiting %.0f s (429)", self._queue, wait.seconds)
                await self._sleep(wait.seconds)
                continue
            except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the queue
                return await self._failed(item, exc)
            await self._store.mark_sent(item.id, self._clock())
            return True

    async def _failed(self, item: OutboxItem, exc: Exception) -> bool:
        """Count a failed attempt; return whether draining may go on with the next item."""
        reason, permanent = failure_of(exc)
        limit = 1 if permanent else GIVE_UP_AFTER
        status = await self._store.record_failure(item.id, limit, reason)
        if status is ItemStatus.FAILED:
            logger.error("outbox %s: item %d given up: %s", self._queue, item.id, reason)
            if self._given_up is not None:
                await self._given_up(item, reason)
            return True
        logger.warning("outbox %s: item %d will be retried: %s", self._queue, item.id, reason)
        return False
