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
from bot.dialogue.model import Outcome, OutcomeKind, Reply, State
from bot.groups.joining import Joining
from bot.groups.model import Tally, tallies
from bot.groups.moderation import Moderation
from bot.groups.ports import AuditLog, CrisisCheck, GroupChannel, GroupStore
from bot.groups.registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupFigures:
    """Counts per group over a period (numbers only, about no one)."""

    id: str
    title: str
    counts: dict[Tally, int]
    paused: bool
    open: bool  # shown to parents: a join link, not paused


@dataclass(frozen=True)
class PeerGroups:
    """Joining and moderation of the configured groups."""

    registry: Registry
    joining: Joining
    moderation: Moderation

    async def start(self) -> None:
        """Check every group and get its link; what is wrong goes to the log and the moderators."""
        channel = self.joining.channel
        for chat, problem in await self.joining.start():
            logger.error("peer group %s not shown to parents: %s", chat.group.id, problem)
            await channel.to_moderators(chat.moderators_chat, Reply(problem))
        open_count = len(self.registry.open_links())
        logger.info("peer groups: %d configured, %d open", len(list(self.registry)), open_count)

    def info(self, text: str) -> Outcome:
        """Return a plain answer to show her privately (for the front ends)."""
        return Outcome(OutcomeKind.INFO, (Reply(text),), State())

    async def figures(self, first: date, last: date | None = None) -> list[GroupFigures]:
        """Return each configured group's counts from `first` to `last` (None: today)."""
        by_day = await self.joining.store.counters_since(first)
        days = [v for d, v in by_day.items() if last is None or d <= last]
        found = []
        links = self.registry.open_links()
        for chat in self.registry:
            gid = chat.group.id
            counts = tallies(days, gid)
            paused = gid in self.registry.paused
            found.append(GroupFigures(gid, chat.group.title, counts, paused, gid in links))
        return found

    async def refresh(self) -> None:
        """Re-read the pauses, retry groups still without a link, tidy the requests (a job)."""
        for chat, problem in await self.joining.start():
            # Logged, not posted again: the moderators were told at the start.
            logger.warning("peer group %s still not usable: %s", chat.group.id, problem)
        await self.joining.tidy()


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
    registry = Registry(knowledge, config)
    joining = Joining(config, registry, store, channel, texts, zone, now, audit)
    moderation = Moderation(config, joining, channel, guard, texts, now, audit)
    return PeerGroups(registry, joining, moderation)


def since_days(today: date, days: int) -> date:
    """Return the first day of a period of `days` days ending today."""
    return today - timedelta(days=days - 1)
