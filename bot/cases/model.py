"""A case: one parent's request for a counsellor, and the only ways its status may change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum


class CaseStatus(Enum):
    """Where a case stands."""

    REQUESTED = "requested"  # the parent saw what will be shared, not yet sent
    WAITING = "waiting"  # in the counsellors' group, nobody has claimed it
    CLAIMED = "claimed"  # a counsellor answers
    CLOSED = "closed"  # ended by the parent or a counsellor
    CANCELLED = "cancelled"  # withdrawn by the parent before anyone answered
    AUTO_CLOSED = "auto_closed"  # closed after inactivity

    @property
    def is_open(self) -> bool:
        """Tell whether messages are still relayed."""
        return self in {CaseStatus.REQUESTED, CaseStatus.WAITING, CaseStatus.CLAIMED}


class InvalidTransition(Exception):
    """A case was asked to move where its state machine does not allow."""


# Every allowed move; anything else raises InvalidTransition.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REQUESTED: frozenset({CaseStatus.WAITING, CaseStatus.CANCELLED}),
    CaseStatus.WAITING: frozenset(
        {CaseStatus.CLAIMED, CaseStatus.CANCELLED, CaseStatus.CLOSED, CaseStatus.AUTO_CLOSED}
    ),
    CaseStatus.CLAIMED: frozenset({CaseStatus.CLOSED, CaseStatus.AUTO_CLOSED}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.CANCELLED: frozenset(),
    CaseStatus.AUTO_CLOSED: frozenset(),
}


@dataclass(frozen=True)
class Case:
    """Case metadata — never message content: Telegram holds the conversation.

    Attributes:
        number: The case number counsellors see („#12").
        parent_id: The parent's numeric id (never shown to counsellors).
        status: Where the case stands.
        category: The topic that led here (an entry or flow title), if any.
        topic_id: The forum topic in the counsellors' group, once created.
        counsellor_id: The counsellor who claimed the case.
        show_first_name: The parent agreed to show their first name.
        opened_at: When the parent sent the request.
        claimed_at: When a counsellor claimed it.
        closed_at: When it ended.
        last_activity_at: The last message in either direction.
        rating: The parent's rating 1–5 after the end, if given.

    """

    number: int
    parent_id: int
    status: CaseStatus
    opened_at: datetime
    last_activity_at: datetime
    category: str | None = None
    topic_id: int | None = None
    counsellor_id: int | None = None
    show_first_name: bool = False
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None

    def moved(self, to: CaseStatus, now: datetime) -> Case:
        """Return the case in status `to`.

        Raises:
            InvalidTransition: The state machine does not allow the move.

        """
        if to not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"case #{self.number}: {self.status.value} → {to.value}")
        ended = now if not to.is_open else None
        return replace(self, status=to, last_activity_at=now, closed_at=ended or self.closed_at)
