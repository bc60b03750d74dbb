"""What the peer groups need from the outside: storage, Telegram, the crisis guard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Protocol

from bot.dialogue.model import Reply
from bot.groups.model import GroupAccess, Membership, Sent, Stage, Standing, Verdict

# Writes one audit row: actor id, role, action, subject, time (never message content).
AuditLog = Callable[[int, str, str, str | None, datetime], Awaitable[None]]


class GroupStore(Protocol):
    """Memberships in progress, the groups' links and pauses, and the daily counters."""

    async def save_membership(self, membership: Membership) -> None:
        """Store (or replace) one person's stage with one group."""

    async def membership(self, chat_id: int, user_id: int) -> Membership | None:
        """Return one person's stage with one group, if any."""

    async def drop_membership(self, chat_id: int, user_id: int) -> None:
        """Forget one person's stage with one group."""

    async def memberships_since(self, stage: Stage, before: datetime) -> list[Membership]:
        """Return the memberships of a stage that began before `before`."""

    async def group_link(self, group_id: str, chat_id: int) -> str | None:
        """Return the join-request link stored for a group in this chat, if any."""

    async def save_group_link(self, group_id: str, chat_id: int, link: str) -> None:
        """Store a group's join-request link (replacing one of another chat)."""

    async def paused_groups(self) -> frozenset[str]:
        """Return the ids of the groups that take no new members for now."""

    async def set_paused(self, group_id: str, paused: bool, now: datetime) -> None:
        """Pause a group or let it take new members again."""

    async def count(self, day: date, counter: str, amount: int = 1) -> None:
        """Add to a daily counter."""

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on, by day."""


class GroupChannel(Protocol):
    """Telegram, as the groups see it. No method raises: the answer says what happened."""

    async def access(self, chat_id: int) -> GroupAccess:
        """Return what right the bot lacks in a group, if any."""

    async def reaches(self, chat_id: int) -> bool:
        """Tell whether the bot is a member of a chat (the moderators' chat, say)."""

    async def join_link(self, chat_id: int, name: str) -> str | None:
        """Create a link that asks to join (Telegram sends the bot a join request)."""

    async def approve(self, chat_id: int, user_id: int) -> Sent:
        """Let a person in whose join request is pending."""

    async def decline(self, chat_id: int, user_id: int) -> Sent:
        """Decline a person's pending join request."""

    async def tell(self, user_id: int, reply: Reply) -> Sent:
        """Write to a person privately."""

    async def to_moderators(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Sent:
        """Write into a moderators' chat (as a reply to one of its messages, if given)."""

    async def hold(self, chat_id: int, message_id: int, moderators_chat: int) -> int | None:
        """Copy a group message into a moderators' chat and delete it in the group.

        Returns:
            The copy's message id in the moderators' chat; None when nothing was held (the
            message stays where it is).

        """

    async def release(self, chat_id: int, moderators_chat: int, copy_id: int, intro: str) -> Sent:
        """Post the held copy into the group, then `intro` as a reply to it."""

    async def post(self, chat_id: int, reply: Reply) -> Sent:
        """Write into a group."""

    async def delete(self, chat_id: int, message_id: int) -> Sent:
        """Delete a message in a group."""

    async def mute(self, chat_id: int, user_id: int, until: datetime) -> Sent:
        """Take a member's right to write until a moment."""

    async def remove(self, chat_id: int, user_id: int) -> Sent:
        """Remove a member; they cannot come back until a moderator lifts the ban."""

    async def standing(self, chat_id: int, user_id: int) -> Standing:
        """Return whether someone is an administrator, a member, or neither."""

    async def first_name(self, chat_id: int, user_id: int) -> str | None:
        """Return a member's first name as Telegram shows it (never stored)."""


class CrisisCheck(Protocol):
    """The crisis guard, as the groups use it on a group message."""

    async def check(self, text: str) -> Verdict:
        """Return how much danger the text shows and, for a crisis, the private reply."""
