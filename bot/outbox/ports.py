"""What the outbox needs from storage: durable items, written before they are sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from bot.outbox.model import ItemStatus, OutboxItem, Priority


class OutboxStore(Protocol):
    """Messages written before they are sent, so that a crash loses none."""

    async def enqueue(
        self,
        queue: str,
        priority: Priority,
        owner: int | None,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> int:
        """Write a pending item and return its id."""

    async def next_pending(
        self, queue: str, skip: frozenset[int] = frozenset()
    ) -> OutboxItem | None:
        """Return the queue's pending item to send next (most urgent, then oldest).

        Items in `skip` are passed over (a queue whose items are independent goes on past one
        that failed).
        """

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        """Mark an item sent and forget its payload."""

    async def record_failure(
        self, item_id: int, give_up_after: int, error: str | None = None
    ) -> ItemStatus:
        """Count a failed attempt and its reason; after `give_up_after` the item is FAILED."""

    async def outbox_backlog(self, queue: str) -> int:
        """Return how many items of a queue are pending."""
