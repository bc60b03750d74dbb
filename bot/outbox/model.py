"""What an outbox holds: items with a priority, a payload and a delivery status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, IntEnum
from typing import Any


class Priority(IntEnum):
    """Lower values are sent first."""

    URGENT = 0  # crisis alerts
    NORMAL = 1


class ItemStatus(Enum):
    """Where an item is: waiting, delivered, or given up after repeated failures."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the recipient blocked the bot or no longer exists: never retried


@dataclass(frozen=True)
class OutboxItem:
    """One message waiting to be sent.

    Attributes:
        id: Increasing number; within a priority, items go out in this order.
        queue: Which sender the item belongs to (one queue per destination).
        priority: Urgent items overtake normal ones.
        owner: The parent the item is about (deleted with their data), if any.
        payload: What the queue's sender needs, as JSON-compatible values.
        attempts: Failed delivery attempts so far.
        created_at: When the item was written.

    """

    id: int
    queue: str
    priority: Priority
    owner: int | None
    payload: Mapping[str, Any]
    attempts: int
    created_at: datetime


class DeliveryFailed(Exception):
    """A delivery failed.

    Args:
        reason: What went wrong (for logs; never message content).
        permanent: Trying again cannot help (Telegram refused the request itself); otherwise
            the reason may pass (network, the bot not yet admin) and the item is retried.

    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class RetryLater(Exception):
    """Telegram asked us to wait (429) longer than the transport retried for.

    Args:
        seconds: How long to wait before the next try.

    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:.0f} s")
        self.seconds = seconds


class RecipientGone(Exception):
    """The recipient blocked the bot or no longer exists (403, „chat not found").

    Args:
        reason: What Telegram answered (for logs and the row's last error; never content).

    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def failure_of(exc: Exception) -> tuple[str, bool]:
    """Return what to record about a failed delivery: the reason, and whether it is final.

    A `DeliveryFailed` says what Telegram answered; anything else may carry data, so only its
    type is kept.
    """
    if isinstance(exc, DeliveryFailed):
        return str(exc), exc.permanent
    return type(exc).__name__, False
