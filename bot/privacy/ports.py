"""What the privacy use cases need from storage: export, deletion and retention of personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

# Peer-group memberships (a join request, a first day in a group) are deleted by the groups' own
# tidy job after `request_hours`/`newcomer_hours`; the daily purge deletes any row older than
# this in case that job did not run (a bot switched off, groups removed from the config).
GROUP_MEMBER_DAYS = 7


@dataclass(frozen=True)
class Retention:
    """How long what is kept is kept (days); see `PrivacyConfig`."""

    unanswered_days: int
    inactive_days: int
    closed_case_days: int
    outbox_days: int


class PersonalData(Protocol):
    """Everything about one parent, across every table the personal-data registry names."""

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Return every stored row about a user, by table (the registry's tables, in order)."""

    async def purge(self, retention: Retention, now: datetime) -> dict[str, int]:
        """Delete what is due under the retention periods; return rows deleted per kind."""

    async def delete_user(self, user_id: int) -> None:
        """Delete everything stored about a user."""

    async def user_exists(self, user_id: int) -> bool:
        """Return whether anything about the user is stored."""
