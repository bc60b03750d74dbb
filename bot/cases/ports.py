"""What the hand-over needs from the outside: the counsellors' forum group and the parent's chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.cases.model import Case
from bot.dialogue.model import Reply, Rows
from bot.events import MessageRef


class TopicGone(Exception):
    """The forum topic of a case was deleted or cannot be reached."""


class TopicClosed(Exception):
    """The forum topic of a case is closed: Telegram refuses new messages in it (TOPIC_CLOSED)."""


class ParentGone(Exception):
    """The parent blocked the bot or deleted the chat."""


@dataclass(frozen=True)
class Card:
    """A message of the bot in a case's topic that a button was pressed under.

    Attributes:
        message_id: Its id in the group.
        text: Its text as shown (plain text), so an edit can keep it and add a line.

    """

    message_id: int
    text: str


class GroupChannel(Protocol):
    """The counsellors' forum supergroup."""

    async def create_topic(self, name: str) -> int:
        """Create a forum topic and return its id.

        Raises:
            RetryLater: Telegram asked to wait longer than the transport retried.
            DeliveryFailed: The group could not be reached.

        """

    async def rename_topic(self, topic_id: int, name: str) -> None:
        """Rename a topic (best effort)."""

    async def close_topic(self, topic_id: int) -> None:
        """Close a topic (best effort)."""

    async def reopen_topic(self, topic_id: int) -> None:
        """Reopen a closed topic (best effort: a post into it then fails with `TopicClosed`)."""

    async def post(self, topic_id: int, text: str, buttons: Rows = ()) -> None:
        """Post a message into a topic.

        Raises:
            TopicGone: The topic was deleted.
            TopicClosed: The topic is closed.
            RetryLater: Telegram asked to wait longer than the transport retried.
            DeliveryFailed: Anything else went wrong.

        """

    async def edit(self, message_id: int, text: str, buttons: Rows = ()) -> None:
        """Replace the text and buttons of one of the bot's messages in the group (best effort).

        A message deleted meanwhile, or one that already reads so, is logged and left: the
        case goes on without it.
        """

    async def copy_in(self, topic_id: int, message: MessageRef) -> None:
        """Copy a parent's message into a topic.

        Raises:
            TopicGone: The topic was deleted.
            TopicClosed: The topic is closed.
            RetryLater: Telegram asked to wait longer than the transport retried.
            DeliveryFailed: Anything else went wrong.

        """


class ParentChannel(Protocol):
    """The parent's private chat with the bot."""

    async def send(self, parent_id: int, replies: Sequence[Reply]) -> None:
        """Send replies to the parent.

        Raises:
            ParentGone: The parent blocked the bot.

        """

    async def copy_out(self, parent_id: int, message: MessageRef) -> None:
        """Copy a counsellor's message to the parent (protected from forwarding).

        Raises:
            ParentGone: The parent blocked the bot.

        """


class CaseStore(Protocol):
    """Counsellor cases: metadata only, never message content."""

    async def open_case(
        self, parent_id: int, category: str | None, show_first_name: bool, now: datetime
    ) -> Case:
        """Create a case in status WAITING and return it with its number."""

    async def save_case(self, case: Case) -> None:
        """Store a changed case (matched by number); its topic is kept (see `set_topic`)."""

    async def set_topic(self, number: int, topic_id: int) -> None:
        """Remember a case's forum topic (only that column: sending runs beside other changes)."""

    async def touch_case(self, number: int, now: datetime) -> None:
        """Record activity on a case (only that column)."""

    async def case(self, number: int) -> Case | None:
        """Return a case by number."""

    async def open_case_of(self, parent_id: int) -> Case | None:
        """Return the parent's open case, if any (there is at most one)."""

    async def case_in_topic(self, topic_id: int) -> Case | None:
        """Return the case a forum topic belongs to."""

    async def open_cases(self) -> list[Case]:
        """Return every open case, oldest first."""

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment, oldest first."""
