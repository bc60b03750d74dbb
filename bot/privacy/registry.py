"""The personal-data registry: every table that holds data about a parent, declared once.

Deletion (`/loeschen`) and export (`/meine_daten`) are driven by this list, so a table added
later cannot be forgotten: `tests/test_storage.py` fails when the schema has a table with a parent
column that is not registered here. The German wording a parent reads about each table (what,
why, how long) lives in `knowledge/texts.yaml` under `export_<table>_…`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Keep(Enum):
    """Which retention rule deletes a table's rows (the periods come from the privacy config)."""

    INACTIVE = "inactive"  # `inactive_days` after the parent last wrote
    DRAFT = "draft"  # `inactive_days` after the draft was last changed
    CASE = "case"  # `closed_case_days` after the case ended
    OUTBOX = "outbox"  # `outbox_days` after sending
    EVENT = "event"  # `unanswered_days` after the event ended
    SUBSCRIPTION = "subscription"  # until the parent unsubscribes
    # Until the join request is decided or expires (`request_hours`) or her first day in the
    # group is over (`newcomer_hours`): the groups' tidy job deletes the row, the daily purge
    # any row older than `GROUP_MEMBER_DAYS`.
    GROUP = "group"
    UNTIL_DELETED = "until_deleted"  # no automatic deletion (yet): only /loeschen


@dataclass(frozen=True)
class PersonalTable:
    """A table with rows about one parent.

    Attributes:
        table: The table name.
        key: The column holding the parent's id.
        purpose: Why the rows are kept (for developers; parents read the German texts).
        hidden: Columns about someone else, left out of the export.
        keep: The retention rule that deletes the rows.
        json_columns: Columns holding JSON text, exported as JSON rather than an escaped string.

    """

    table: str
    key: str
    purpose: str
    hidden: tuple[str, ...] = ()
    keep: Keep = Keep.UNTIL_DELETED
    json_columns: tuple[str, ...] = ()

    @property
    def delete_sql(self) -> str:
        """Return the statement deleting one parent's rows (one `?` parameter)."""
        return f"DELETE FROM {self.table} WHERE {self.key} = ?"  # noqa: S608 - names are ours

    @property
    def select_sql(self) -> str:
        """Return a query selecting one parent's rows (one `?` parameter)."""
        return f"SELECT * FROM {self.table} WHERE {self.key} = ?"  # noqa: S608 - names are ours


# Columns that name a parent; a table with one of these must be registered.
PARENT_COLUMNS = frozenset({"user_id", "parent_id"})

PERSONAL_DATA: tuple[PersonalTable, ...] = (
    PersonalTable(
        "users", "user_id", "when the parent was first and last seen, language", keep=Keep.INACTIVE
    ),
    PersonalTable(
        "states",
        "user_id",
        "where the parent is in the dialogue",
        keep=Keep.INACTIVE,
        json_columns=("state",),
    ),
    # The counsellor's Telegram id is theirs, not the parent's (parents see the pseudonym).
    PersonalTable(
        "cases",
        "parent_id",
        "counsellor cases: status, times, topic, rating",
        ("counsellor_id",),
        keep=Keep.CASE,
    ),
    PersonalTable(
        "outbox",
        "user_id",
        "messages to or about a parent, until sent",
        keep=Keep.OUTBOX,
        json_columns=("payload",),
    ),
    PersonalTable(
        "subscriptions",
        "user_id",
        "announcement categories and consent time",
        keep=Keep.SUBSCRIPTION,
    ),
    PersonalTable(
        "registrations", "user_id", "event registrations and reminder wishes", keep=Keep.EVENT
    ),
    PersonalTable("questions", "user_id", "questions sent in advance of an event", keep=Keep.EVENT),
    # The chat id is the group's, not a person's; no name, no message is stored.
    PersonalTable(
        "group_members",
        "user_id",
        "a peer-group join request in progress or a newcomer's first day, with its time",
        keep=Keep.GROUP,
    ),
    PersonalTable(
        "staff_drafts",
        "user_id",
        "a staff member's unfinished event or announcement",
        keep=Keep.DRAFT,
        json_columns=("draft",),
    ),
)
