"""The personal-data registry: every table that holds data about a parent, declared once.

Deletion (`/loeschen`) and, later, export are driven by this list, so a table added later
cannot be forgotten: `tests/test_storage.py` fails when the schema has a table with a parent
column that is not registered here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalTable:
    """A table with rows about one parent.

    Attributes:
        table: The table name.
        key: The column holding the parent's id.
        purpose: Why the rows are kept (shown in the privacy documentation).

    """

    table: str
    key: str
    purpose: str
    hidden: tuple[str, ...] = ()  # columns about someone else, left out of the export

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
    PersonalTable("users", "user_id", "when the parent was first and last seen, language"),
    PersonalTable("states", "user_id", "where the parent is in the dialogue"),
    # The counsellor's Telegram id is theirs, not the parent's (parents see the pseudonym).
    PersonalTable(
        "cases", "parent_id", "counsellor cases: status, times, topic, rating", ("counsellor_id",)
    ),
    PersonalTable("outbox", "user_id", "messages to or about a parent, until sent"),
    PersonalTable("subscriptions", "user_id", "announcement categories and consent time"),
    PersonalTable("registrations", "user_id", "event registrations and reminder wishes"),
    PersonalTable("questions", "user_id", "questions sent in advance of an event"),
    PersonalTable("staff_drafts", "user_id", "a staff member's unfinished event or announcement"),
)
