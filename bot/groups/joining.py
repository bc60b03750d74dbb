"""Joining a peer group: the rules first, her consent, then the bot or a moderator lets her in.

A parent asks to join through the group's join-request link; Telegram tells the bot, which may
then write to her privately (for five minutes even if she never started it). She reads the
rules and what the others will see of her, and agrees or not. In an open group the bot then
approves; in a moderated one a moderator of that group decides in its moderators' chat. Nothing
about her is kept beyond the request and her first day in the group.
https://core.telegram.org/bots/api#chatjoinrequest
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.callbacks import ModeratorPress, Press
from bot.config import GroupsConfig
from bot.content.groups import Access, PeerGroup
from bot.datafiles.texts import Texts
from bot.dialogue.model import Placement, Reply, button
from bot.groups.model import (
    AccessProblem,
    GroupAccess,
    GroupChat,
    Membership,
    Moderator,
    Sent,
    Stage,
    Tally,
)
from bot.groups.ports import AuditLog, GroupChannel, GroupStore
from bot.groups.registry import Registry
from bot.locks import LockRegistry

logger = logging.getLogger(__name__)
ROLE = "moderator"  # the role written to the audit table
LINK_NAME = "Elternlotse"  # the join link's name, shown to the group's admins


def in_place(text: str) -> Reply:
    """Return a reply that replaces the message whose button was pressed."""
    return Reply(text, placement=Placement.REPLACE_PRESSED)


class Joining:
    """Join requests, her consent, the moderators' decision, the newcomers' first day."""

    def __init__(
        self,
        config: GroupsConfig,
        registry: Registry,
        store: GroupStore,
        channel: GroupChannel,
        texts: Texts,
        zone: ZoneInfo,
        now: Callable[[], datetime],
        audit: AuditLog | None = None,
    ) -> None:
        """Keep what joining needs; `start` fetches the links before the first request."""
        self.config = config
        self.registry = registry
        self.store = store
        self.channel = channel
        self.texts = texts
        self.zone = zone
        self.now = now
        self.audit = audit
        # One decision per person and group at a time: a double tap, or two moderators
        # tapping at once, must not approve twice or cross an approval with a refusal.
        self._locks = LockRegistry()

    async def start(self) -> list[tuple[GroupChat, str]]:
        """Check the bot's rights in every group and get the join links.

        Returns:
            Each group the bot cannot work in, with the problem in the moderators' words.

        """
        self.registry.paused = set(await self.store.paused_groups())
        problems = []
        reached: dict[int, bool] = {}
        for chat in self.registry:
            if chat.group.id in self.registry.links:
                continue  # a later round: only groups still without a link are asked again
            if chat.moderators_chat not in reached:
                reached[chat.moderators_chat] = await self.channel.reaches(chat.moderators_chat)
            access = await self.channel.access(chat.chat_id)
            if access.problem is None and not reached[chat.moderators_chat]:
                # Requests, reports and alerts would go nowhere: not shown to parents.
                access = GroupAccess(AccessProblem.NO_MODERATORS_CHAT)
            if access.problem is not None:
                problems.append((chat, self._problem(chat, access)))
                continue
            await self._link(chat)
        return problems

    async def _link(self, chat: GroupChat) -> None:
        """Take the group's stored join link, or create one."""
        link = await self.store.group_link(chat.group.id, chat.chat_id)
        if link is None:
            link = await self.channel.join_link(chat.chat_id, LINK_NAME)
            if link is not None:
                await self.store.save_group_link(chat.group.id, chat.chat_id, link)
        if link is not None:
            self.registry.links[chat.group.id] = link

    def _problem(self, chat: GroupChat, access: GroupAccess) -> str:
        """Say in the moderators' words what keeps the bot from working in a group."""
        assert access.problem is not None  # noqa: S101 - the caller checked
        rights = ", ".join(self.texts(f"right_{r.value}") for r in access.missing)
        problem = self.texts(f"mod_problem_{access.problem.value}", rights=rights)
        return self.texts("mod_access_problem", title=chat.group.title, problem=problem)

    async def tally(self, group: PeerGroup, what: Tally) -> None:
        """Count one thing for a group today (in the association's time zone)."""
        await self.store.count(self.now().astimezone(self.zone).date(), what.counter(group.id))

    async def request(self, chat_id: int, user_id: int) -> bool:
        """Answer a join request: the rules privately, or a friendly no while paused.

        Returns:
            False when the chat is not a peer group (an expert chat's request, say).

        """
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return False
        group = chat.group
        if group.id in self.registry.paused:
            await self._decline(chat, user_id, self.texts("group_paused", title=group.title))
            return True
        sent = await self.channel.tell(user_id, self.rules_reply(group))
        if sent in {Sent.UNREACHABLE, Sent.REFUSED}:
            # She cannot read the rules, so she cannot agree to them.
            await self._decline(chat, user_id, None)
            return True
        if sent is Sent.FAILED:
            logger.warning("group %s: the rules could not be sent (network)", group.id)
        # Kept even after a passing failure: the request expires like an unanswered one.
        await self.store.save_membership(Membership(chat_id, user_id, Stage.ASKED, self.now()))
        return True

    def rules_reply(self, group: PeerGroup) -> Reply:
        """Return the rules, what others see of her, and the two buttons."""
        rules = "\n".join(f"• {rule}" for rule in group.rules)
        text = self.texts("group_rules", title=group.title, rules=rules)
        if group.access is Access.MODERATED:
            text = f"{text}\n\n{self.texts('group_rules_moderated')}"
        rows = (
            (button(self.texts("button_group_agree"), Press.GROUP_CONSENT, "y", group.id),),
            (button(self.texts("button_group_no"), Press.GROUP_CONSENT, "n", group.id),),
        )
        return Reply(text, title=self.texts("group_rules_title", title=group.title), buttons=rows)

    async def consent(self, user_id: int, name: str, group_id: str, agrees: bool) -> Reply:
        """Act on her answer to the rules; the reply replaces the rules message.

        Args:
            user_id: Who pressed.
            name: Her first name as Telegram shows it (for the moderators; never stored).
            group_id: The group whose rules she answered.
            agrees: She keeps the rules.

        """
        chat = self.registry.by_id(group_id)
        if chat is None:
            return in_place(self.texts("group_request_gone"))
        async with self._locks.hold(hash((chat.chat_id, user_id))):
            asked = await self.store.membership(chat.chat_id, user_id)
            if asked is None or asked.stage is not Stage.ASKED:
                return in_place(self.texts("group_request_gone"))
            if not agrees:
                await self._decline(chat, user_id, None)
                return in_place(self.texts("group_declined_by_you", title=chat.group.title))
            if chat.group.access is Access.MODERATED:
                return await self._to_moderators(chat, user_id, name)
            return await self._approve(chat, user_id)

    async def _approve(self, chat: GroupChat, user_id: int) -> Reply:
        """Let her into an open group; on a refusal she and the moderators are told."""
        if await self.channel.approve(chat.chat_id, user_id) is not Sent.OK:
            logger.warning("group %s: a join could not be completed", chat.group.id)
            failed = Reply(self.texts("mod_join_failed", title=chat.group.title))
            await self.channel.to_moderators(chat.moderators_chat, failed)
            return in_place(self.texts("group_join_failed", title=chat.group.title))
        await self.store.save_membership(
            Membership(chat.chat_id, user_id, Stage.NEWCOMER, self.now())
        )
        return in_place(self.texts("group_joined", title=chat.group.title))

    async def _to_moderators(self, chat: GroupChat, user_id: int, name: str) -> Reply:
        """Ask the group's moderators to decide; tell her only once they got the request."""
        group = chat.group
        rows = tuple(
            (
                button(
                    self.texts(label), Press.MODERATION, action.value, group.id, str(user_id), "0"
                ),
            )
            for label, action in (
                ("button_mod_approve", ModeratorPress.APPROVE),
                ("button_mod_decline", ModeratorPress.DECLINE),
            )
        )
        ask = Reply(self.texts("mod_request", title=group.title, name=name), buttons=rows)
        if await self.channel.to_moderators(chat.moderators_chat, ask) is not Sent.OK:
            # Nobody would ever decide: say so now rather than leave her waiting.
            logger.error("group %s: the moderators' chat could not be reached", group.id)
            return in_place(self.texts("group_join_failed", title=group.title))
        await self.store.save_membership(
            Membership(chat.chat_id, user_id, Stage.WAITING, self.now())
        )
        return in_place(self.texts("group_waiting", title=group.title))

    async def decide(
        self, moderator: Moderator, group_id: str, user_id: int, approve: bool
    ) -> Reply:
        """Act on a moderator's tap on a request; the reply replaces the request message.

        Args:
            moderator: Who tapped.
            group_id: The group asked to join.
            user_id: Who asked.
            approve: Let her in (else decline).

        """
        chat = self.registry.by_id(group_id)
        if chat is None:
            return in_place(self.texts("mod_request_gone"))
        if not chat.moderated_by(moderator.user_id):
            return Reply(self.texts("mod_only"))
        async with self._locks.hold(hash((chat.chat_id, user_id))):
            waiting = await self.store.membership(chat.chat_id, user_id)
            if waiting is None or waiting.stage is not Stage.WAITING:
                return in_place(self.texts("mod_request_gone"))
            return await self._decided(chat, moderator, user_id, approve)

    async def _decided(
        self, chat: GroupChat, moderator: Moderator, user_id: int, approve: bool
    ) -> Reply:
        """Carry out a moderator's decision, tell her, audit it."""
        title = chat.group.title
        if approve:
            if await self.channel.approve(chat.chat_id, user_id) is not Sent.OK:
                return in_place(self.texts("mod_approve_failed", title=title))
            await self.store.save_membership(
                Membership(chat.chat_id, user_id, Stage.NEWCOMER, self.now())
            )
            await self.channel.tell(user_id, Reply(self.texts("group_approved", title=title)))
        else:
            await self._decline(chat, user_id, self.texts("group_declined", title=title))
        if self.audit is not None:
            action = "group_approve" if approve else "group_decline"
            subject = f"group:{chat.group.id}"
            await self.audit(moderator.user_id, ROLE, action, subject, self.now())
        key = "mod_approved" if approve else "mod_declined"
        return in_place(self.texts(key, title=title, moderator=moderator.name))

    async def _decline(self, chat: GroupChat, user_id: int, note: str | None) -> Sent:
        """Decline a request, forget it, count it and tell her why (when there is a note).

        Returns:
            What Telegram said to the decline: REFUSED when the request was no longer pending
            (an admin decided in Telegram itself, or she withdrew it) — she is then not told.

        """
        declined = await self.channel.decline(chat.chat_id, user_id)
        await self.store.drop_membership(chat.chat_id, user_id)
        if declined is Sent.REFUSED:
            return declined
        await self.tally(chat.group, Tally.DECLINED)
        if note is not None:
            await self.channel.tell(user_id, Reply(note))
        return declined

    async def joined(self, chat_id: int, user_id: int) -> None:
        """Welcome someone who joined a group (by any way) and hold their links for a day."""
        chat = self.registry.by_chat(chat_id)
        if chat is None:
            return
        await self.store.save_membership(Membership(chat_id, user_id, Stage.NEWCOMER, self.now()))
        await self.tally(chat.group, Tally.JOINED)
        await self.channel.post(chat_id, Reply(chat.group.welcome))

    async def is_newcomer(self, chat_id: int, user_id: int) -> bool:
        """Tell whether someone joined the group less than `newcomer_hours` ago."""
        found = await self.store.membership(chat_id, user_id)
        if found is None or found.stage is not Stage.NEWCOMER:
            return False
        return self.now() - found.since < timedelta(hours=self.config.newcomer_hours)

    async def tidy(self) -> None:
        """Decline requests nobody answered in time; end the newcomers' first day."""
        now = self.now()
        old = now - timedelta(hours=self.config.request_hours)
        for stage in (Stage.ASKED, Stage.WAITING):
            for item in await self.store.memberships_since(stage, old):
                chat = self.registry.by_chat(item.chat_id)
                if chat is None:
                    await self.store.drop_membership(item.chat_id, item.user_id)
                    continue
                note = self.texts("group_request_expired", title=chat.group.title)
                await self._decline(chat, item.user_id, note)
        day_old = now - timedelta(hours=self.config.newcomer_hours)
        for item in await self.store.memberships_since(Stage.NEWCOMER, day_old):
            await self.store.drop_membership(item.chat_id, item.user_id)

    async def pause(self, group_id: str, paused: bool, staff_id: int) -> bool:
        """Pause a group (new requests declined with a note) or open it again.

        Returns:
            False when no such group is configured.

        """
        if self.registry.by_id(group_id) is None:
            return False
        await self.store.set_paused(group_id, paused, self.now())
        (self.registry.paused.add if paused else self.registry.paused.discard)(group_id)
        if self.audit is not None:
            action = "group_pause" if paused else "group_resume"
            await self.audit(staff_id, "staff", action, f"group:{group_id}", self.now())
        return True
