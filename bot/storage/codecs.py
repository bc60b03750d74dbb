"""Value rules both stores share, so they accept and reject exactly the same values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def to_utc(moment: datetime) -> datetime:
    """Convert an aware datetime to UTC.

    Args:
        moment: A timezone-aware datetime.

    Returns:
        The same instant in UTC.

    Raises:
        ValueError: If `moment` is naive; a naive time is ambiguous and would sort wrongly.

    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("storage needs timezone-aware datetimes, e.g. datetime.now(UTC)")
    return moment.astimezone(UTC)


def timestamp_text(moment: datetime) -> str:
    """Return the fixed-width UTC ISO text of an aware datetime (sorts like the instants)."""
    return to_utc(moment).isoformat(timespec="microseconds")


def day_key(day: date) -> str:
    """Return the ISO key (`YYYY-MM-DD`) of a calendar day.

    Args:
        day: The day; a plain `date`, not a `datetime`.

    Returns:
        The day as `YYYY-MM-DD`.

    Raises:
        TypeError: If `day` is a datetime (its isoformat would include the time of day).

    """
    if isinstance(day, datetime):
        raise TypeError("daily counters need a date, not a datetime; pass moment.date()")
    return day.isoformat()


def encode_state(state: dict[str, Any]) -> str:
    """Serialise a dialogue state to strict JSON text.

    Args:
        state: A JSON-serialisable dict.

    Returns:
        The JSON text (ASCII only, so any string survives the database's UTF-8 encoding).

    Raises:
        TypeError: If `state` is not a dict or holds values JSON cannot represent.
        ValueError: If `state` holds NaN or infinite floats (not valid JSON).

    """
    if not isinstance(state, dict):
        raise TypeError(f"a dialogue state must be a dict, not {type(state).__name__}")
    return json.dumps(state, allow_nan=False, separators=(",", ":"))


def decode_state(text: str) -> dict[str, Any]:
    """Parse JSON text written by `encode_state`.

    Args:
        text: The stored JSON text.

    Returns:
        The state dict.

    Raises:
        ValueError: If the text is not JSON or not a JSON object.

    """
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored dialogue state is not a JSON object")
    return value
