"""The protected expert chats: may the bot hand out links there? Asked of Telegram through a port.

An event may name a protected Telegram group; shortly before the start every registered parent
gets a personal link that asks to join. That works only while the bot is an administrator of
the group with the right to invite users (which also lets it approve join requests). The staff
desk asks when staff type the group, the start-up asks for every upcoming event, and an invite
refused later is told to the parent and to staff (`service`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.announcements.model import ChatAccess, Event, EventStatus
from bot.announcements.ports import AnnouncementStore


class ChatInspector(Protocol):
    """The front end's question to Telegram about a protected chat."""

    async def chat_access(self, chat_id: int) -> ChatAccess:
        """Return the group's title and whether the bot may invite users there.

        Never raises: a refusal or a passing failure is the answer's `problem`.
        """


@dataclass(frozen=True)
class ProtectedChat:
    """An upcoming event with a protected chat, and what the bot may do there."""

    event: Event
    access: ChatAccess


async def protected_chats(
    store: AnnouncementStore, inspector: ChatInspector, now: datetime
) -> list[ProtectedChat]:
    """Return every upcoming scheduled event with a protected chat and the bot's access to it.

    A group used by several events is asked about once.
    """
    events = await store.upcoming_events(now, limit=1000)
    answers: dict[int, ChatAccess] = {}
    found = []
    for event in events:
        if event.chat_id is None or event.status is not EventStatus.SCHEDULED:
            continue
        if event.chat_id not in answers:
            answers[event.chat_id] = await inspector.chat_access(event.chat_id)
        found.append(ProtectedChat(event, answers[event.chat_id]))
    return found
