"""Moderation in the peer groups: reports, sanctions, newcomers' links, floods, the crisis guard.

Nothing here exposes a member in the group: a report, an alert and a held message go to the
group's moderators' chat; commands are deleted once read; notes go to the person privately. No
group message is stored — a held one is copied into the moderators' chat, where Telegram keeps it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.callbacks import ModeratorPress, Press
from bot.config import GroupsConfig
from bot.datafiles.texts import Texts
from bot.dialogue.model import Reply, button
from bot.groups.joining import ROLE, Joining, in_place
from bot.groups.model import (
    DEFAULT_MUTE,
    GroupChat,
    GroupMessage,
    Moderator,
    ModeratorCommand,
    Sanction,
    Sent,
    Standing,
    Tally,
    message_link,
    split_duration,
)
from bot.groups.ports import AuditLog, CrisisCheck, GroupChannel
from bot.language.crisis_data import CrisisLevel

logger = logging.getLogger(__name__)
FLOOD_WINDOW = timedelta(minutes=1)
RULES_EVERY = timedelta(minutes=5)  # /regeln posts the rules at most this often per group
HOTLINES_EVERY = timedelta(minutes=30)  # one private crisis reply per person in this time
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
        self._albums: dict[tuple[int, int], str] = {}  # an album counts once for the flood
        self._hotlines: dict[tuple[int, int], datetime] = {}
        self._rules: dict[int, datetime] = {}
        self._decided: set[int] = set()  # held copies released or discarded (or being so)

    async def message(self, message: GroupMessage) -> bool:
        """Read a member's message: the crisis guard first, then the newcomer and flood rules.

        Returns:
            True when the message was taken out of the group (held for the moderators).

        """
        chat = self.registry.by_chat(message.chat_id)
        if chat is None:
            return False
        # Her own words only: a forwarded text (an article, someone else's) is not her danger.
        if message.text and not message.edited and not message.forwarded:
            await self._guard(chat, message)
        if chat.moderated_by(message.user_id):
            return False
        held = False
        if (message.has_link or message.forwarded) and await self.joining.is_newcomer(
            message.chat_id, message.user_id
        ):
            held = await self._hold(chat, message)
        if not message.edited and self._floods(message):
            await self._flood(chat, message)
        return held

    async def _guard(self, chat: GroupChat, message: GroupMessage) -> None:
        """Send the hotlines privately and alert the moderators; in the group, nothing."""
        verdict = await self.guard.check(message.text)
        if verdict.level is CrisisLevel.CONCERN:
            await self.joining.tally(chat.group, Tally.CONCERNS)
        if verdict.level is not CrisisLevel.CRISIS:
            return
        reached = await self._hotlines_to(chat, message, verdict.learned, verdict.replies)
        link = message_link(message.chat_id, message.message_id)
        text = self.texts("mod_alert", title=chat.group.title, name=message.name, link=link)
        more = self.texts("mod_alert_reached" if reached else "mod_alert_unreached")
        if verdict.learned:
            more += "\n" + self.texts("mod_alert_learned")
        alert = Reply(f"{text}\n{more}")
        if await self.channel.to_moderators(chat.moderators_chat, alert) is not Sent.OK:
            logger.error("group %s: a crisis alert did not reach the moderators", chat.group.id)
        await self.joining.tally(chat.group, Tally.ALERTS)

    async def _hotlines_to(
        self, chat: GroupChat, message: GroupMessage, learned: bool, replies: tuple[Reply, ...]
    ) -> bool:
        """Write the hotlines to her privately (once in a while); tell whether she has them."""
        key, now = (message.chat_id, message.user_id), self.now()
        last = self._hotlines.get(key)
        if last is not None and now - last < HOTLINES_EVERY:
            return True  # she got them minutes ago: the moderators still hear of this one
        intro_key = "group_crisis_intro_learned" if learned else "group_crisis_intro"
        for reply in (Reply(self.texts(intro_key, title=chat.group.title)), *replies):
            if await self.channel.tell(message.user_id, reply) is not Sent.OK:
                return False
        self._hotlines[key] = now
        if len(self._hotlines) > MAX_TRACKED:
            del self._hotlines[next(iter(self._hotlines))]
        return True

    def _floods(self, message: GroupMessage) -> bool:
        """Tell whether this message takes its author over the limit per minute."""
        key, now = (message.chat_id, message.user_id), self.now()
        if message.album is not None:
            if self._albums.get(key) == message.album:
                return False  # the next picture of an album already counted
            self._albums[key] = message.album
        times = self._recent.pop(key, deque())
        while times and now - times[0] > FLOOD_WINDOW:
            times.popleft()
        times.append(now)
        if len(times) > self.config.flood_messages:
            return True  # forgotten: after the mute, counting starts afresh
        self._recent[key] = times  # re-inserted: the dict stays ordered by last message
        if len(self._recent) > MAX_TRACKED:
            del self._recent[next(iter(self._recent))]
            self._albums.pop(next(iter(self._albums)), None)
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
        text = self.texts("mod_flood", title=title, name=message.name, minutes=minutes)
        await self.channel.to_moderators(chat.moderators_chat, Reply(text))
        await self.joining.tally(chat.group, Tally.FLOOD)

    async def _hold(self, chat: GroupChat, message: GroupMessage) -> bool:
        """Move a newcomer's link or forward to the moderators, with release and discard."""
        group, link = chat.group, message_link(message.chat_id, message.message_id)
        copy_id = await self.channel.hold(message.chat_id, message.message_id, chat.moderators_chat)
        if copy_id is None:
            text = self.texts("mod_hold_failed", title=group.title, name=message.name, link=link)
            await self.channel.to_moderators(chat.moderators_chat, Reply(text))
            return False
        rows = tuple(
            (
                button(
                    self.texts(label),
                    Press.MODERATION,
                    a.value,
                    group.id,
                    str(message.user_id),
                    str(copy_id),
                ),
            )
            for label, a in (
                ("button_mod_release", ModeratorPress.RELEASE),
                ("button_mod_discard", ModeratorPress.DISCARD),
            )
        )
        hours = self.config.newcomer_hours
        text = self.texts("mod_held", title=group.title, name=message.name, hours=hours)
        notice = Reply(text, buttons=rows)
        if await self.channel.to_moderators(chat.moderators_chat, notice, copy_id) is not Sent.OK:
            logger.error("group %s: a held message has no buttons (moderators' chat)", group.id)
        note = self.texts("group_held_note", title=group.title, hours=hours)
        await self.channel.tell(message.user_id, Reply(note))
        await self.joining.tally(group, Tally.HELD)
        return True

    async def held(
        self, moderator: Moderator, action: ModeratorPress, group_id: str, author: int, copy_id: int
    ) -> Reply:
        """Release a held message into its group or discard it (a moderator's tap).

        Args:
            moderator: Who tapped.
            action: Release or discard.
            group_id: The group the message was held in.
            author: Who wrote it (named when it is released).
            copy_id: The copy's message id in the moderators' chat.

        """
        chat = self.registry.by_id(group_id)
        if chat is None or copy_id in self._decided:
            return in_place(self.texts("mod_request_gone"))
        if not chat.moderated_by(moderator.user_id):
            return Reply(self.texts("mod_only"))
        self._decided.add(copy_id)  # before any wait: a second tap finds it taken
        title = chat.group.title
        if action is ModeratorPress.RELEASE:
            name = await self.channel.first_name(chat.chat_id, author)
            intro = self.texts("group_released_intro", name=name or self.texts("group_someone"))
            sent = await self.channel.release(chat.chat_id, chat.moderators_chat, copy_id, intro)
            if sent is not Sent.OK:
                self._decided.discard(copy_id)
                return in_place(self.texts("mod_release_failed", title=title))
        released = action is ModeratorPress.RELEASE
        note = self.texts(
            "group_held_released" if released else "group_held_discarded", title=title
        )
        await self.channel.tell(author, Reply(note))
        key = "mod_released" if released else "mod_discarded"
        return in_place(self.texts(key, title=title, moderator=moderator.name))

    async def report(
        self, chat_id: int, reporter_id: int, command_id: int, target: tuple[int, str] | None
    ) -> None:
        """Pass a member's /melden (a reply in the group) to the moderators; delete the command.

        Args:
            chat_id: The group.
            reporter_id: Who reported.
            command_id: The /melden message (deleted at once).
            target: The reported message's id and its author's first name (None: not a reply).

        """
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return
        deleted = await self.channel.delete(chat_id, command_id) is Sent.OK
        if target is None:
            how = self.texts("group_report_how", title=chat.group.title)
            await self.channel.tell(reporter_id, Reply(how))
            return
        extra = "" if deleted else self.texts("mod_report_undeleted")
        await self._report(chat, reporter_id, target[0], target[1], extra=extra)

    async def report_privately(self, reporter_id: int, chat_id: int, message_id: int) -> str:
        """Pass a report sent to the bot privately as a message link (nobody in the group sees it).

        Returns:
            What to tell her: thanks, or why not (not one of our groups, not her group).

        """
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return self.texts("group_report_unknown")
        if await self.channel.standing(chat_id, reporter_id) is Standing.OUTSIDE:
            return self.texts("group_report_outsider")
        return await self._report(chat, reporter_id, message_id, None, tell=False)

    async def _report(
        self,
        chat: GroupChat,
        reporter: int,
        target: int,
        author: str | None,
        *,
        tell: bool = True,
        extra: str = "",
    ) -> str:
        """Send a report with the message's link to the moderators; thank her once it arrived."""
        title, link = chat.group.title, message_link(chat.chat_id, target)
        by = self.texts("mod_report_author", name=author) if author else ""
        text = self.texts("mod_report", title=title, link=link, author=by, undeleted=extra)
        report = Reply(text)
        if await self.channel.to_moderators(chat.moderators_chat, report) is not Sent.OK:
            answer = self.texts("group_report_failed")
        else:
            await self.joining.tally(chat.group, Tally.REPORTS)
            answer = self.texts("group_report_thanks", title=title)
        if tell:
            await self.channel.tell(reporter, Reply(answer))
        return answer

    async def rules(self, chat_id: int, command_id: int) -> None:
        """Post a group's rules in the group (/regeln), at most every few minutes."""
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return
        await self.channel.delete(chat_id, command_id)
        last, now = self._rules.get(chat_id), self.now()
        if last is not None and now - last < RULES_EVERY:
            return  # just posted: /regeln cannot be used to flood the group
        self._rules[chat_id] = now
        rules = "\n".join(f"• {rule}" for rule in chat.group.rules)
        await self.channel.post(chat_id, Reply(rules, title=chat.group.title))

    async def sanction(self, kind: Sanction, command: ModeratorCommand) -> None:
        """Carry out /verwarnen, /stumm or /entfernen, with a private note and an audit row."""
        chat = self.registry.by_chat(command.chat_id)
        if chat is None:
            return
        # Read, then gone: neither the command nor its target is shown to the group.
        await self.channel.delete(command.chat_id, command.message_id)
        if not chat.moderated_by(command.moderator_id):
            await self.channel.tell(command.moderator_id, Reply(self.texts("mod_only")))
            return
        problem = await self._problem(kind, chat, command)
        if problem is not None:
            await self.channel.to_moderators(chat.moderators_chat, Reply(problem))
            return
        assert command.target_id is not None  # noqa: S101 - _problem checked it
        until = self.now() + (split_duration(command.args)[0] or DEFAULT_MUTE)
        if await self._carry_out(kind, command.chat_id, command.target_id, until) is not Sent.OK:
            text = self.texts("mod_failed", command=kind.value, title=chat.group.title)
            await self.channel.to_moderators(chat.moderators_chat, Reply(text))
            return
        await self._after(kind, chat, command, until)

    async def _problem(
        self, kind: Sanction, chat: GroupChat, command: ModeratorCommand
    ) -> str | None:
        """Return why a command cannot be carried out, or None."""
        if command.target_id is None:
            return self.texts("mod_needs_reply", command=kind.value)
        if command.target_protected or chat.moderated_by(command.target_id):
            return self.texts("mod_protected")
        # „/stumm Spam" is 24 hours for spam; „/stumm 3 Jahre" a length the bot cannot read.
        starts_with_number = command.args.strip()[:1].isdigit()
        if kind is Sanction.MUTE and starts_with_number and split_duration(command.args)[0] is None:
            return self.texts("mod_bad_duration", title=chat.group.title, name=command.target_name)
        if await self.channel.standing(command.chat_id, command.target_id) is Standing.ADMIN:
            return self.texts("mod_protected")
        return None

    async def _carry_out(self, kind: Sanction, chat_id: int, user_id: int, until: datetime) -> Sent:
        """Mute or remove (a warning is the note alone)."""
        if kind is Sanction.MUTE:
            return await self.channel.mute(chat_id, user_id, until)
        if kind is Sanction.REMOVE:
            return await self.channel.remove(chat_id, user_id)
        return Sent.OK

    async def _after(
        self, kind: Sanction, chat: GroupChat, command: ModeratorCommand, until: datetime
    ) -> None:
        """Tell the person privately, write the audit row, count, and confirm to moderators."""
        assert command.target_id is not None  # noqa: S101 - checked before
        title = chat.group.title
        said = split_duration(command.args)[1] if kind is Sanction.MUTE else command.args.strip()
        reason = f" ({said})" if said else ""
        local = until.astimezone(self.joining.zone).strftime("%d.%m.%Y, %H:%M Uhr")
        rules = "\n".join(f"• {rule}" for rule in chat.group.rules)
        note = self.texts(
            f"group_{kind.value}_note", title=title, reason=reason, until=local, rules=rules
        )
        delivered = await self.channel.tell(command.target_id, Reply(note)) is Sent.OK
        if self.audit is not None:
            action, subject = f"group_{kind.value}", f"group:{chat.group.id}"
            await self.audit(command.moderator_id, ROLE, action, subject, self.now())
        await self.joining.tally(chat.group, _TALLY[kind])
        done = self.texts(
            f"mod_done_{kind.value}",
            title=title,
            name=command.target_name,
            moderator=command.moderator_name,
            until=local,
        )
        more = self.texts("mod_note_sent" if delivered else "mod_note_unsent")
        await self.channel.to_moderators(chat.moderators_chat, Reply(f"{done} {more}"))
