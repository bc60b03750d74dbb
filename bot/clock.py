"""The clock port: the use cases ask it for the time instead of calling `datetime.now`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


def utc_now() -> datetime:
    """Return the current time in UTC (the default clock of the use cases)."""
    return datetime.now(UTC)


class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return utc_now()
