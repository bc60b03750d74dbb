"""The broadcast engine: sends one announcement to every recipient row, paced, resumable.

Every recipient is an outbox row written together with the broadcast (see
`AnnouncementStore.create_broadcast`). The engine walks the pending rows in id order, sends each
through the front end's `send`, and marks a row sent only after Telegram confirmed it. What the
front end reports decides the row's fate:

- confirmed → SENT;
- `RecipientGone` (403 blocked, „chat not found") → BLOCKED, and the subscription ends;
- `RetryLater` (429) → every send of this engine pauses for `retry_after`, then the row is
  tried again (not counted as a failure);
- `DeliveryFailed` (5xx, network) → counted; the row is retried in a later pass with
  exponential backoff and given up (FAILED) after `give_up_after` attempts; a permanent
  `DeliveryFailed` (400) is given up at once.

A crash loses nothing: the next start resumes every unfinished broadcast from its pending rows.
The only repetition is the in-flight window: rows sent but not yet marked when the process
died (at most `concurrency` of them) are sent again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.announcements.model import Broadcast, BroadcastProgress, BroadcastStatus
from bot.announcements.ports import AnnouncementStore
from bot.clock import utc_now
from bot.outbox.model import ItemStatus, OutboxItem, RecipientGone, RetryLater, failure_of

logger = logging.getLogger(__name__)

Send = Callable[[Broadcast, OutboxItem], Awaitable[None]]
Report = Callable[[Broadcast, BroadcastProgress, bool], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]

BATCH = 100  # rows read per query (also what an unsubscribe cannot stop any more)
MAX_BACKOFF = 300.0  # seconds between passes over failed rows


@dataclass(frozen=True)
class SenderSettings:
    """How fast and how stubbornly broadcasts are sent.

    Attributes:
        rate: Messages per second over all broadcasts.
        concurrency: Requests in flight at once (bounds the duplicate window after a crash).
        give_up_after: Failed attempts (5xx, network) before a row is FAILED.
        backoff: Seconds before the first pass over failed rows; doubles each pass.

    """

    rate: float = 25.0
    concurrency: int = 32
    give_up_after: int = 5
    backoff: float = 2.0


class Pacer:
    """Hand out send slots at a fixed rate (a token bucket of depth one).

    Slots are spaced from the previous slot, not from now, so a late wake-up is made up by the
    next slots and the average rate holds.
    """

    def __init__(self, rate: float, monotonic: Callable[[], float], sleep: Sleep) -> None:
        """Create a pacer for `rate` slots per second."""
        self._interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0

    async def slot(self) -> None:
        """Wait until the next send may start."""
        now = self._monotonic()
        # Never bank more than one interval of idle time: no burst after a pause.
        slot = max(self._next, now - self._interval)
        self._next = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


class BroadcastSender:
    """Send broadcasts to their recipients, one engine for all of them.

    Args:
        store: Where broadcasts and their recipient rows are.
        send: Sends one broadcast to one recipient row; raises as described in the module.
        report: Tells staff how far a broadcast is (`final` once it is done).
        settings: Rate, concurrency and retry limits.
        clock: The current time (UTC).
        sleep: How to wait (tests pass one that does not wait real seconds).
        monotonic: A monotonic clock for pacing.

    """

    def __init__(
        self,
        store: AnnouncementStore,
        send: Send,
        report: Report,
        settings: SenderSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._send = send
        self._report = report
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._pacer = Pacer(settings.rate, monotonic, sleep)
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._open = asyncio.Event()  # cleared while Telegram asked us to wait (429)
        self._open.set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._one_at_a_time = asyncio.Lock()
        self._deliveries: set[asyncio.Task[bool]] = set()  # sends in flight, for `stop`

    async def resume(self) -> None:
        """Start every broadcast a previous run left unfinished."""
        for broadcast in await self._store.unfinished_broadcasts():
            self.start(broadcast)

    def start(self, broadcast: Broadcast) -> None:
        """Send a broadcast in the background (does nothing if it is already running)."""
        task = self._tasks.get(broadcast.id)
        if task is None or task.done():
            self._tasks[broadcast.id] = asyncio.get_running_loop().create_task(self.run(broadcast))

    async def idle(self) -> None:
        """Wait until every running broadcast is finished."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Stop sending, in-flight sends included; what is pending stays for the next start."""
        running = [*self._tasks.values(), *self._deliveries]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def run(self, broadcast: Broadcast) -> None:
        """Send a broadcast until no recipient row is pending, then report the result.

        Broadcasts go out one after the other: two at once could send one chat two messages
        within a second, above Telegram's per-chat limit, and would share the rate anyway.
        """
        async with self._one_at_a_time:
            await self._run(broadcast)

    async def _run(self, broadcast: Broadcast) -> None:
        tracker = _Progress(broadcast, await self._store.broadcast_progress(broadcast.id))
        passes = 0
        while await self._pass(broadcast, tracker):
            # Rows that failed passingly wait: back off, then another pass over them.
            await self._sleep(min(self._settings.backoff * 2**passes, MAX_BACKOFF))
            passes += 1
        progress = await self._store.broadcast_progress(broadcast.id)
        # Report first, then finish: a crash in between repeats the report, never loses it.
        await self._report(broadcast, progress, True)
        await self._store.finish_broadcast(broadcast.id, BroadcastStatus.DONE, self._clock())
        logger.info(
            "broadcast %d done: %d sent, %d blocked, %d failed",
            broadcast.id,
            progress.sent,
            progress.blocked,
            progress.failed,
        )

    async def _pass(self, broadcast: Broadcast, tracker: _Progress) -> bool:
        """Send every pending row once; return whether rows are left to retry."""
        after, mine = 0, set[asyncio.Task[bool]]()
        while rows := await self._store.pending_recipients(broadcast.id, after, BATCH):
            for item in rows:
                await self._slots.acquire()
                await self._open.wait()
                await self._pacer.slot()
                task = asyncio.create_task(self._deliver(broadcast, item, tracker))
                for group in (mine, self._deliveries):
                    group.add(task)
                    task.add_done_callback(group.discard)
                task.add_done_callback(_log_failure)
            after = rows[-1].id
        await asyncio.gather(*mine, return_exceptions=True)
        # Rows not finished (passing failures, a sender bug) are still pending in the store.
        return bool(await self._store.pending_recipients(broadcast.id, 0, 1))

    async def _deliver(self, broadcast: Broadcast, item: OutboxItem, tracker: _Progress) -> bool:
        """Send one row and record the outcome; return whether the row is finished."""
        try:
            finished = await self._attempt(broadcast, item)
        finally:
            self._slots.release()
        if finished:
            tenths = tracker.handled_one()
            if tenths is not None and tenths < 10 and tracker.worth_reporting:
                progress = await self._store.broadcast_progress(broadcast.id)
                # Sends in flight finish together: two crossings may read the same count, and
                # staff must not get the same percentage twice (newcomer D34).
                if tracker.new_percent(progress.percent):
                    await self._report(broadcast, progress, False)
                await self._store.set_reported(broadcast.id, tenths)
        return finished

    async def _attempt(self, broadcast: Broadcast, item: OutboxItem) -> bool:
        """Try one row until it is sent, blocked, given up or left for a later pass."""
        while True:
            try:
                await self._send(broadcast, item)
            except RetryLater as wait:
                await self._pause(wait.seconds)
                continue
            except RecipientGone as gone:
                await self._store.mark_blocked(item.id, gone.reason)
                return True
            except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the broadcast
                return await self._failed(item, exc)
            await self._store.mark_sent(item.id, self._clock())
            return True

    async def _pause(self, seconds: float) -> None:
        """Hold every send of this engine for `seconds` (Telegram's retry_after)."""
        if not self._open.is_set():
            await self._open.wait()
            return
        logger.info("broadcasts paused for %.1f s (429)", seconds)
        self._open.clear()
        try:
            await self._sleep(seconds)
        finally:
            self._open.set()

    async def _failed(self, item: OutboxItem, exc: Exception) -> bool:
        """Count a failed attempt; return whether the row is finished (given up)."""
        reason, permanent = failure_of(exc)
        limit = 1 if permanent else self._settings.give_up_after
        status = await self._store.record_failure(item.id, limit, reason)
        return status is not ItemStatus.PENDING


def _log_failure(task: asyncio.Task[bool]) -> None:
    """Log a send that raised (a bug: every expected failure is recorded on its row)."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("broadcast send failed: %s", type(task.exception()).__name__)


# Below this many recipients a broadcast is done in a second or two: only the final report.
PROGRESS_FROM = 20


class _Progress:
    """Count finished rows of a broadcast and say when another tenth is reached."""

    def __init__(self, broadcast: Broadcast, start: BroadcastProgress) -> None:
        self._total = start.total
        self._handled = start.handled
        self._reported = broadcast.reported_tenths
        self._percent = broadcast.reported_tenths * 10  # the last percentage staff were told

    def new_percent(self, percent: int) -> bool:
        """Return whether `percent` is news to staff (below 100 and above the last one told)."""
        if percent >= 100 or percent <= self._percent:
            return False
        self._percent = percent
        return True

    @property
    def worth_reporting(self) -> bool:
        """Tell whether progress is worth a message: not for a handful of recipients (D34)."""
        return self._total >= PROGRESS_FROM

    def handled_one(self) -> int | None:
        """Count one finished row; return the new tenth if one was crossed, else None."""
        self._handled += 1
        tenths = self._handled * 10 // self._total if self._total else 10
        if tenths > self._reported:
            self._reported = tenths
            return tenths
        return None
