"""The peer groups' use cases together, as the front ends get them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import GroupsConfig
from bot.content.groups import GroupKnowledge
from bot.datafiles.texts import Texts
from bot.dialogue.model import Reply
from bot.groups.joining import Joining
from bot.groups.model import Tally
from bot.groups.moderation import Moderation
from bot.groups.ports import AuditLog, CrisisCheck, GroupChannel, GroupStore
from bot.groups.registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupFigures:
    """Counts per group over a period (numbers only, about no one)."""

    title: str
    counts: dict[Tally, int]


@dataclass(frozen=True)
class PeerGroups:
    """Joining and moderation of the configured groups."""

    registry: Registry
    joining: Joining
    moderation: Moderation

    async def start(self) -> None:
        """Check every group and get its link; what is wrong goes to the log and the moderators."""
        problems = await self.joining.start()
        for problem in problems:
            logger.warning("peer group not usable: %s", problem)
            await self.joining.channel.to_moderators(Reply(problem))
        open_count = len(self.registry.open_links())
        logger.info("peer groups: %d configured, %d open", len(list(self.registry)), open_count)

    async def figures(self, first: date) -> list[GroupFigures]:
        """Return each configured group's counts from `first` on (today included)."""
        by_day = await self.joining.store.counters_since(first)
        found = []
        for chat in self.registry:
            counts = {
                tally: sum(day.get(tally.counter(chat.group.id), 0) for day in by_day.values())
                for tally in Tally
            }
            found.append(GroupFigures(chat.group.title, counts))
        return found


def peer_groups(
    config: GroupsConfig,
    knowledge: GroupKnowledge,
    ports: tuple[GroupStore, GroupChannel, CrisisCheck],
    texts: Texts,
    zone: ZoneInfo,
    now: Callable[[], datetime],
    audit: AuditLog | None = None,
) -> PeerGroups:
    """Build the groups' use cases for the configured chats.

    Raises:
        UnknownGroupError: The config names a group the groups file does not have.

    """
    store, channel, guard = ports
    registry = Registry(knowledge, config.chats)
    joining = Joining(config, registry, store, channel, texts, zone, now, audit)
    moderation = Moderation(config, joining, channel, guard, texts, now, audit)
    return PeerGroups(registry, joining, moderation)


def since_days(today: date, days: int) -> date:
    """Return the first day of a period of `days` days ending today."""
    return today - timedelta(days=days - 1)
