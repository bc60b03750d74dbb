"""Which Telegram chat is which peer group, and which groups take new members right now."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.content.groups import GroupKnowledge
from bot.groups.model import GroupChat


class UnknownGroupError(ValueError):
    """The config names a group that `knowledge/groups.yaml` does not have."""


class Registry:
    """The configured groups by chat and by id, their join links and the paused ones."""

    def __init__(self, knowledge: GroupKnowledge, chats: Mapping[str, int]) -> None:
        """Pair each configured group with its chat.

        Raises:
            UnknownGroupError: A group id of the config is not in the groups file.

        """
        unknown = sorted(set(chats) - {g.id for g in knowledge.groups})
        if unknown:
            known = ", ".join(g.id for g in knowledge.groups)
            raise UnknownGroupError(
                f"config key 'groups.chats' names {', '.join(unknown)}, which "
                f"knowledge/groups.yaml does not have (it has: {known})"
            )
        self._by_chat = {
            chat_id: GroupChat(g, chat_id)
            for g in knowledge.groups
            if (chat_id := chats.get(g.id)) is not None
        }
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

    def open_links(self) -> dict[str, str]:
        """Return group id → join link for the groups a parent can ask to join now."""
        return {gid: link for gid, link in self.links.items() if gid not in self.paused}
