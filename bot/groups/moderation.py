"""Moderation in the peer groups: reports, sanctions, newcomers' links, floods, the crisis guard.

Nothing here exposes a member in the group: a report, an alert and a held message go to the
moderators' chat; commands are deleted once read; notes go to the person privately. No group
message is stored — a held one is copied into the moderators' chat, where Telegram keeps it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.callbacks import ModeratorPress, Press
from bot.config import GroupsConfig
from bot.datafiles.texts import Texts
from bot.dialogue.model import Placement, Reply, button
from bot.groups.joining import ROLE, Joining
from bot.groups.model import (
    DEFAULT_MUTE,
    GroupChat,
    GroupMessage,
    ModeratorCommand,
    Sanction,
    Sent,
    Tally,
    message_link,
    parse_duration,
)
from bot.groups.ports import AuditLog, CrisisCheck, GroupChannel
from bot.language.crisis_data import CrisisLevel

logger = logging.getLogger(__name__)
FLOOD_WINDOW = timedelta(minutes=1)
MAX_TRACKED = 10_000  # members whose recent message times are kept in memory, at most
_TALLY = {Sanction.WARN: Tally.WARNED, Sanction.MUTE: Tally.MUTED, Sanction.REMOVE: Tally.REMOVED}


class Moderation:
    """What the bot does with members' messages and moderators' commands in the groups."""

    def __init__(
        self,
        config: GroupsConfig,
        joining: Joining,
        channel: GroupChannel,
        guard: CrisisCheck,
        texts: Texts,
        now: Callable[[], datetime],
        audit: AuditLog | None = None,
    ) -> None:
        """Keep what moderation needs; the registry and counters come with `joining`."""
        self.config = config
        self.joining = joining
        self.registry = joining.registry
        self.channel = channel
        self.guard = guard
        self.texts = texts
        self.now = now
        self.audit = audit
        self._recent: dict[tuple[int, int], deque[datetime]] = {}
        self._decided: set[int] = set()  # held copies already released or discarded

    async def message(self, message: GroupMessage) -> bool:
        """Read a member's message: the crisis guard first, then flood and newcomer rules.

        Returns:
            True when the message was taken out of the group (held for the moderators).

        """
        chat = self.registry.by_chat(message.chat_id)
        if chat is None:
            return False
        if message.text and not message.edited:
            await self._guard(chat, message)
        if message.user_id in self.config.moderators:
            return False
        if not message.edited and self._floods(message):
            await self._flood(chat, message)
            return False
        if (message.has_link or message.forwarded) and await self.joining.is_newcomer(
            message.chat_id, message.user_id
        ):
            return await self._hold(chat, message)
        return False

    async def _guard(self, chat: GroupChat, message: GroupMessage) -> None:
        """Send the hotlines privately and alert the moderators; in the group, nothing."""
        verdict = await self.guard.check(message.text)
        if verdict.level is CrisisLevel.CONCERN:
            await self.joining.tally(chat.group, Tally.CONCERNS)
        if verdict.level is not CrisisLevel.CRISIS:
            return
        key = "group_crisis_intro_learned" if verdict.learned else "group_crisis_intro"
        intro = Reply(self.texts(key, title=chat.group.title))
        reached = True
        for reply in (intro, *verdict.replies):
            if await self.channel.tell(message.user_id, reply) is not Sent.OK:
                reached = False
                break
        link = message_link(message.chat_id, message.message_id)
        text = self.texts("mod_alert", title=chat.group.title, name=message.name, link=link)
        more = self.texts("mod_alert_reached" if reached else "mod_alert_unreached")
        if verdict.learned:
            more += "\n" + self.texts("mod_alert_learned")
        await self.channel.to_moderators(Reply(f"{text}\n{more}"))
        await self.joining.tally(chat.group, Tally.ALERTS)

    def _floods(self, message: GroupMessage) -> bool:
        """Tell whether this message takes its author over the limit per minute."""
        key, now = (message.chat_id, message.user_id), self.now()
        times = self._recent.pop(key, deque())
        while times and now - times[0] > FLOOD_WINDOW:
            times.popleft()
        times.append(now)
        if len(times) > self.config.flood_messages:
            return True  # forgotten: after the mute, counting starts afresh
        self._recent[key] = times  # re-inserted: the dict stays ordered by last message
        if len(self._recent) > MAX_TRACKED:
            del self._recent[next(iter(self._recent))]
        return False

    async def _flood(self, chat: GroupChat, message: GroupMessage) -> None:
        """Mute a flooding member for a while, tell them privately and the moderators."""
        minutes = self.config.flood_mute_minutes
        until = self.now() + timedelta(minutes=minutes)
        if await self.channel.mute(message.chat_id, message.user_id, until) is not Sent.OK:
            logger.warning("group %s: a flooding member could not be muted", chat.group.id)
            return
        title = chat.group.title
        note = self.texts("group_flood_note", title=title, minutes=minutes)
        await self.channel.tell(message.user_id, Reply(note))
        await self.channel.to_moderators(
            Reply(self.texts("mod_flood", title=title, name=message.name, minutes=minutes))
        )
        await self.joining.tally(chat.group, Tally.FLOOD)

    async def _hold(self, chat: GroupChat, message: GroupMessage) -> bool:
        """Move a newcomer's link or forward to the moderators, with release and discard."""
        copy_id = await self.channel.hold(message.chat_id, message.message_id)
        if copy_id is None:
            return False
        group = chat.group
        rows = tuple(
            (
                button(
                    self.texts(label),
                    Press.MODERATION,
                    action.value,
                    group.id,
                    str(message.user_id),
                    str(copy_id),
                ),
            )
            for label, action in (
                ("button_mod_release", ModeratorPress.RELEASE),
                ("button_mod_discard", ModeratorPress.DISCARD),
            )
        )
        hours = self.config.newcomer_hours
        text = self.texts("mod_held", title=group.title, name=message.name, hours=hours)
        await self.channel.to_moderators(Reply(text, buttons=rows))
        note = self.texts("group_held_note", title=group.title, hours=hours)
        await self.channel.tell(message.user_id, Reply(note))
        await self.joining.tally(group, Tally.HELD)
        return True

    async def held(
        self,
        moderator: tuple[int, str],
        action: ModeratorPress,
        held: tuple[str, int, int],
    ) -> Reply:
        """Release a held message into its group or discard it (a moderator's tap).

        Args:
            moderator: The moderator's user id and first name.
            action: Release or discard.
            held: The group id, the author's user id and the copy's id in the moderators' chat.

        """
        group_id, user_id, copy_id = held
        moderator_id, moderator_name = moderator
        if moderator_id not in self.config.moderators:
            return Reply(self.texts("mod_only"))
        chat = self.registry.by_id(group_id)
        if chat is None or copy_id in self._decided:
            return Reply(self.texts("mod_request_gone"), placement=Placement.REPLACE_PRESSED)
        title = chat.group.title
        if action is ModeratorPress.RELEASE:
            name = await self.channel.first_name(chat.chat_id, user_id)
            intro = self.texts("group_released_intro", name=name or self.texts("group_someone"))
            if await self.channel.release(chat.chat_id, copy_id, intro) is not Sent.OK:
                text = self.texts("mod_release_failed", title=title)
                return Reply(text, placement=Placement.REPLACE_PRESSED)
        self._decided.add(copy_id)
        key = "mod_released" if action is ModeratorPress.RELEASE else "mod_discarded"
        text = self.texts(key, title=title, moderator=moderator_name)
        return Reply(text, placement=Placement.REPLACE_PRESSED)

    async def report(
        self, chat_id: int, reporter_id: int, command_id: int, target: int | None
    ) -> None:
        """Pass a member's /melden to the moderators; the group sees nothing of it."""
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return
        await self.channel.delete(chat_id, command_id)
        title = chat.group.title
        if target is None:
            await self.channel.tell(reporter_id, Reply(self.texts("group_report_how", title=title)))
            return
        link = message_link(chat_id, target)
        sent = await self.channel.to_moderators(
            Reply(self.texts("mod_report", title=title, link=link))
        )
        if sent is not Sent.OK:
            await self.channel.tell(reporter_id, Reply(self.texts("group_report_failed")))
            return
        await self.joining.tally(chat.group, Tally.REPORTS)
        await self.channel.tell(reporter_id, Reply(self.texts("group_report_thanks", title=title)))

    async def rules(self, chat_id: int) -> None:
        """Post a group's rules in the group (/regeln)."""
        chat = self.registry.by_chat(chat_id)
        if chat is not None:
            rules = "\n".join(f"• {rule}" for rule in chat.group.rules)
            await self.channel.post(chat_id, Reply(rules, title=chat.group.title))

    async def sanction(self, kind: Sanction, command: ModeratorCommand) -> None:
        """Carry out /verwarnen, /stumm or /entfernen, with a private note and an audit row."""
        chat = self.registry.by_chat(command.chat_id)
        if chat is None:
            return
        # Read, then gone: neither the command nor its target is shown to the group.
        await self.channel.delete(command.chat_id, command.message_id)
        if command.moderator_id not in self.config.moderators:
            return
        problem = self._problem(kind, command)
        if problem is not None:
            await self.channel.to_moderators(Reply(problem))
            return
        assert command.target_id is not None  # noqa: S101 - _problem checked it
        until = self.now() + (parse_duration(command.args) or DEFAULT_MUTE)
        if await self._carry_out(kind, command.chat_id, command.target_id, until) is not Sent.OK:
            text = self.texts("mod_failed", command=kind.value, title=chat.group.title)
            await self.channel.to_moderators(Reply(text))
            return
        await self._after(kind, chat, command, until)

    def _problem(self, kind: Sanction, command: ModeratorCommand) -> str | None:
        """Return why a command cannot be carried out, or None."""
        if command.target_id is None:
            return self.texts("mod_needs_reply", command=kind.value)
        if command.target_protected or command.target_id in self.config.moderators:
            return self.texts("mod_protected")
        if kind is Sanction.MUTE and command.args and parse_duration(command.args) is None:
            return self.texts("mod_bad_duration")
        return None

    async def _carry_out(self, kind: Sanction, chat_id: int, user_id: int, until: datetime) -> Sent:
        if kind is Sanction.MUTE:
            return await self.channel.mute(chat_id, user_id, until)
        if kind is Sanction.REMOVE:
            return await self.channel.remove(chat_id, user_id)
        return Sent.OK  # a warning is the note alone

    async def _after(
        self, kind: Sanction, chat: GroupChat, command: ModeratorCommand, until: datetime
    ) -> None:
        """Tell the person privately, write the audit row, count, and confirm to moderators."""
        assert command.target_id is not None  # noqa: S101 - checked before
        title = chat.group.title
        reason = f" ({command.args})" if command.args and kind is not Sanction.MUTE else ""
        local = until.astimezone(self.joining.zone).strftime("%d.%m.%Y, %H:%M Uhr")
        note = self.texts(f"group_{kind.value}_note", title=title, reason=reason, until=local)
        delivered = await self.channel.tell(command.target_id, Reply(note)) is Sent.OK
        if self.audit is not None:
            action = f"group_{kind.value}"
            await self.audit(
                command.moderator_id, ROLE, action, f"group:{chat.group.id}", self.now()
            )
        await self.joining.tally(chat.group, _TALLY[kind])
        done = self.texts(
            f"mod_done_{kind.value}",
            title=title,
            name=command.target_name,
            moderator=command.moderator_name,
            until=local,
        )
        more = self.texts("mod_note_sent" if delivered else "mod_note_unsent")
        await self.channel.to_moderators(Reply(f"{done} {more}"))
