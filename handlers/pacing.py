"""The process's one rate limiter for PTB: every request to a chat waits for `bot.pacing`.

Replaces PTB's `AIORateLimiter`, whose leaky bucket lets up to twice the limit through within
one second (a full bucket plus its drain). What it did well stays: only requests to a chat
wait (getUpdates, answerCallbackQuery, setMyCommands go at once), a group also counts against
its own per-minute limit, paid broadcasts have their own budget, and a 429 holds every paced
request for `retry_after` and is retried up to `max_retries` times before the caller sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import Lane, Pacing, SendLimits, Ticket, lanes_of

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


class SlidingWindowLimiter(BaseRateLimiter[int]):
    """Pace every request to a chat so no sliding window holds more than its limit.

    Requests wait in order of arrival per lane: a group's request first waits in its group's
    queue (without holding up private chats), then in the overall one.

    Args:
        limits: The limits per lane.
        max_retries: Retries after a 429 before the `RetryAfter` reaches the caller; a call's
            `rate_limit_args` overrides it.
        monotonic: The clock the windows are measured on.

    """

    def __init__(
        self,
        limits: SendLimits,
        max_retries: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pacing = Pacing(limits)
        self._max_retries = max_retries
        self._monotonic = monotonic
        self._answered = asyncio.Event()  # replaced after each answer (wakes every waiter)
        self._queues: dict[Lane, asyncio.Lock] = {}
        self._queued: dict[Lane, int] = {}

    async def initialize(self) -> None:
        """Do nothing (the logs need no resources)."""

    async def shutdown(self) -> None:
        """Do nothing (the logs need no resources)."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Make the request when its lanes are free; retry after a 429 (see the class)."""
        lanes = lanes_of(data.get("chat_id"), bool(data.get("allow_paid_broadcast")))
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                return await self._paced(lanes, callback, args, kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                seconds = _seconds(exc.retry_after)
                logger.info("%s: rate limited, retrying in %.1f s", endpoint, seconds)
                if lanes:
                    self._pacing.hold(self._monotonic() + seconds)
                else:
                    await asyncio.sleep(seconds)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _paced(
        self, lanes: tuple[Lane, ...], callback: Callback, args: Any, kwargs: dict[str, Any]
    ) -> Result:
        """Run the callback once its lanes are free; count it until it was answered."""
        if not lanes:
            return await callback(*args, **kwargs)
        ticket = await self._admit(lanes)
        try:
            return await callback(*args, **kwargs)
        finally:
            self._end(ticket)

    async def _admit(self, lanes: tuple[Lane, ...]) -> Ticket:
        """Queue on each lane in turn (group first) and start once all of them are free."""
        async with contextlib.AsyncExitStack() as queues:
            for depth, lane in enumerate(lanes, start=1):
                await queues.enter_async_context(self._queue(lane))
                # Nobody else can start on the lanes queued for so far: they stay free.
                await self._until_free(lanes[:depth])
            return self._pacing.begin(lanes, self._monotonic())

    async def _until_free(self, lanes: tuple[Lane, ...]) -> None:
        """Wait until a request on `lanes` may start."""
        while (seconds := self._pacing.wait(lanes, self._monotonic())) != 0.0:
            answered = self._answered
            with contextlib.suppress(TimeoutError):
                # An answer may free a lane early; without a time, only an answer can.
                await asyncio.wait_for(answered.wait(), seconds)

    def _end(self, ticket: Ticket) -> None:
        """Count an answer and wake the waiters."""
        self._pacing.end(ticket, self._monotonic())
        self._answered.set()
        self._answered = asyncio.Event()

    @contextlib.asynccontextmanager
    async def _queue(self, lane: Lane) -> AsyncIterator[None]:
        """Hold a lane's queue (first come, first served); drop it when nobody waits."""
        lock = self._queues.setdefault(lane, asyncio.Lock())
        self._queued[lane] = self._queued.get(lane, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._queued[lane] -= 1
            if not self._queued[lane]:
                del self._queued[lane], self._queues[lane]


def _seconds(retry_after: int | timedelta) -> float:
    """Return Telegram's retry_after in seconds (PTB gives int or timedelta)."""
    return retry_after if isinstance(retry_after, int | float) else retry_after.total_seconds()
