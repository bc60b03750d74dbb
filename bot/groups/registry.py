"""Which Telegram chat is which peer group, who moderates it, and which take new members now."""

from __future__ import annotations

from collections.abc import Iterator

from bot.config import ConfigError, GroupsConfig
from bot.content.groups import Access, GroupKnowledge
from bot.groups.model import GroupChat


class GroupSetupError(ConfigError):
    """The config and the groups file do not fit together (named in one line at start)."""


def setup_problem(config: GroupsConfig | None, knowledge: GroupKnowledge) -> str | None:
    """Say what is wrong with the groups' config against the groups file, if anything.

    A group the file does not have is named; a moderated group (only for women, after
    violence …) must have moderators of its own, so that nobody else learns who asks to join.
    """
    if config is None:
        return None
    known = {g.id: g for g in knowledge.groups}
    unknown = sorted(set(config.chats) - set(known))
    if unknown:
        return (
            f"config key 'groups.chats' names {', '.join(unknown)}, which knowledge/groups.yaml "
            f"does not have (it has: {', '.join(known)})"
        )
    shared = sorted(
        gid
        for gid, chat in config.chats.items()
        if known[gid].access is Access.MODERATED
        and (not chat.moderators or chat.moderators_chat_id is None)
    )
    if shared:
        return (
            f"config key 'groups.chats.{shared[0]}': a moderated group needs its own "
            "'moderators' and 'moderators_chat_id' (who asks to join it is shown only to them)"
        )
    return None


class Registry:
    """The configured groups by chat and by id, their join links and the paused ones."""

    def __init__(self, knowledge: GroupKnowledge, config: GroupsConfig) -> None:
        """Pair each configured group with its chat and its moderators.

        Raises:
            GroupSetupError: The config does not fit the groups file (`setup_problem`).

        """
        problem = setup_problem(config, knowledge)
        if problem is not None:
            raise GroupSetupError(problem)
        self._by_chat = {}
        for group in knowledge.groups:
            chat = config.chats.get(group.id)
            if chat is None:
                continue
            self._by_chat[chat.chat_id] = GroupChat(
                group,
                chat.chat_id,
                chat.moderators_chat_id or config.moderators_chat_id,
                chat.moderators or config.moderators,
            )
        self._by_id = {c.group.id: c for c in self._by_chat.values()}
        self.links: dict[str, str] = {}  # group id → its join-request link
        self.paused: set[str] = set()

    def __iter__(self) -> Iterator[GroupChat]:
        """Iterate over the configured groups."""
        return iter(self._by_chat.values())

    def by_chat(self, chat_id: int) -> GroupChat | None:
        """Return the group living in a chat, if it is one of ours."""
        return self._by_chat.get(chat_id)

    def by_id(self, group_id: str) -> GroupChat | None:
        """Return a configured group by its id."""
        return self._by_id.get(group_id)

    def chat_ids(self) -> frozenset[int]:
        """Return the chats of every configured group."""
        return frozenset(self._by_chat)

    def moderators_chats(self) -> frozenset[int]:
        """Return every moderators' chat in use."""
        return frozenset(c.moderators_chat for c in self._by_chat.values())

    def open_links(self) -> dict[str, str]:
        """Return group id → join link for the groups a parent can ask to join now."""
        return {gid: link for gid, link in self.links.items() if gid not in self.paused}
