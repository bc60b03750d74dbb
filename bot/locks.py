"""Per-parent locks: one parent's events run one after another, different parents in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LockRegistry:
    """Hands out one asyncio lock per key and forgets idle ones, so memory stays bounded.

    Args:
        max_idle: How many locks may exist before idle ones are dropped.

    """

    def __init__(self, max_idle: int = 10_000) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._max_idle = max_idle

    def __len__(self) -> int:
        """Return how many locks exist right now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the lock of `key` for the duration of the block."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            yield
        if len(self._locks) > self._max_idle:
            self._forget_idle()

    def _forget_idle(self) -> None:
        for key, lock in list(self._locks.items()):
            if not lock.locked():
                del self._locks[key]
