"""The SQLite side of the peer groups: memberships in progress, the groups' links and pauses.

A mixin of `SqliteStore` (it shares its connection and lock; the daily counters the groups also
use are the store's own). A membership row lives only from a join request to the end of the
first day in the group: the use case deletes it then, `SqliteStore.purge` after a week at the
latest. `peer_groups` is about no person.
"""

from __future__ import annotations

from datetime import datetime

from bot.groups.model import Membership, Stage
from bot.storage.codecs import timestamp_text
from bot.storage.console_sql import ConsoleSql


class GroupSql(ConsoleSql):
    """Peer-group tables on the store's connection (see `GroupStore`)."""

    async def save_membership(self, membership: Membership) -> None:
        """Store (or replace) one person's stage with one group."""
        await self._write(
            "INSERT INTO group_members (chat_id, user_id, stage, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id, user_id) DO UPDATE SET "
            "stage = excluded.stage, since = excluded.since",
            (
                membership.chat_id,
                membership.user_id,
                membership.stage.value,
                timestamp_text(membership.since),
            ),
        )

    async def membership(self, chat_id: int, user_id: int) -> Membership | None:
        """Return one person's stage with one group, if any."""
        rows = await self._read(
            "SELECT stage, since FROM group_members WHERE chat_id = ? AND user_id = ?",
            (chat_id, user_id),
        )
        if not rows:
            return None
        stage, since = rows[0]
        return Membership(chat_id, user_id, Stage(stage), datetime.fromisoformat(since))

    async def drop_membership(self, chat_id: int, user_id: int) -> None:
        """Forget one person's stage with one group (nothing happens if there is none)."""
        await self._write(
            "DELETE FROM group_members WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )

    async def memberships_since(self, stage: Stage, before: datetime) -> list[Membership]:
        """Return the memberships of a stage that began before `before`, oldest first."""
        rows = await self._read(
            "SELECT chat_id, user_id, since FROM group_members WHERE stage = ? AND since < ? "
            "ORDER BY since, chat_id, user_id",
            (stage.value, timestamp_text(before)),
        )
        return [
            Membership(chat, user, stage, datetime.fromisoformat(since))
            for chat, user, since in rows
        ]

    async def group_link(self, group_id: str, chat_id: int) -> str | None:
        """Return the join-request link stored for a group in this chat, if any.

        A link made for another chat is not returned: the config may have moved the group, and
        the old chat's link would lead parents to the wrong place.
        """
        rows = await self._read(
            "SELECT invite_link FROM peer_groups WHERE group_id = ? AND chat_id = ?",
            (group_id, chat_id),
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    async def save_group_link(self, group_id: str, chat_id: int, link: str) -> None:
        """Store a group's join-request link (replacing one of another chat); keeps a pause."""
        await self._write(
            "INSERT INTO peer_groups (group_id, chat_id, invite_link) VALUES (?, ?, ?) "
            "ON CONFLICT (group_id) DO UPDATE SET "
            "chat_id = excluded.chat_id, invite_link = excluded.invite_link",
            (group_id, chat_id, link),
        )

    async def paused_groups(self) -> frozenset[str]:
        """Return the ids of the groups that take no new members for now."""
        rows = await self._read("SELECT group_id FROM peer_groups WHERE paused_at IS NOT NULL")
        return frozenset(str(row[0]) for row in rows)

    async def set_paused(self, group_id: str, paused: bool, now: datetime) -> None:
        """Pause a group or let it take new members again; the link stays either way.

        Pausing a paused group keeps the first pause's time (since when it is paused).
        """
        moment = timestamp_text(now)  # also when resuming: a naive time is refused either way
        await self._write(
            "INSERT INTO peer_groups (group_id, paused_at) VALUES (?, ?) "
            "ON CONFLICT (group_id) DO UPDATE SET paused_at = CASE "
            "WHEN excluded.paused_at IS NULL THEN NULL "
            "ELSE COALESCE(peer_groups.paused_at, excluded.paused_at) END",
            (group_id, moment if paused else None),
        )
