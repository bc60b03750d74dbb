"""How a case becomes a row and back: one codec for both stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.cases.model import Case, CaseStatus
from bot.storage.codecs import timestamp_text

CASE_COLUMNS = (
    "number, parent_id, status, category, topic_id, counsellor_id, reveal_consent, "
    "opened_at, claimed_at, closed_at, last_activity_at, rating"
)


def _time(moment: datetime | None) -> str | None:
    return timestamp_text(moment) if moment else None


def _parse(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text)) if text else None


def case_to_row(case: Case) -> tuple[Any, ...]:
    """Return the column values of a case, in CASE_COLUMNS order."""
    return (
        case.number,
        case.parent_id,
        case.status.value,
        case.category,
        case.topic_id,
        case.counsellor_id,
        int(case.show_first_name),
        _time(case.opened_at),
        _time(case.claimed_at),
        _time(case.closed_at),
        _time(case.last_activity_at),
        case.rating,
    )


def case_from_row(row: Sequence[Any]) -> Case:
    """Rebuild a case from its column values."""
    opened, last = _parse(row[7]), _parse(row[10])
    if opened is None or last is None:
        raise ValueError(f"case {row[0]} has no opening time")
    return Case(
        number=int(row[0]),
        parent_id=int(row[1]),
        status=CaseStatus(row[2]),
        category=row[3],
        topic_id=row[4],
        counsellor_id=row[5],
        show_first_name=bool(row[6]),
        opened_at=opened,
        claimed_at=_parse(row[8]),
        closed_at=_parse(row[9]),
        last_activity_at=last,
        rating=row[11],
    )
