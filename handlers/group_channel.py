"""The peer groups' port on Telegram: join links, approvals, notes, holds, mutes, removals.

Every call goes through `deliver` (429s waited out, network errors retried) and answers what
happened as a `Sent` instead of raising: moderation must go on when one person blocked the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatPermissions, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.dialogue.model import Reply
from bot.groups.model import AccessProblem, GroupAccess, Right, Sent, Standing
from handlers.delivery import Undeliverable, deliver
from handlers.render import render

logger = logging.getLogger(__name__)


async def _sent(call: Callable[[], Awaitable[object]], method: str) -> Sent:
    """Run one request and say what happened (logged by method, never with content)."""
    try:
        await deliver(call, method)
    except Undeliverable as exc:
        cause = exc.__cause__
        if isinstance(cause, Forbidden):
            return Sent.UNREACHABLE
        return Sent.REFUSED if isinstance(cause, BadRequest) else Sent.FAILED
    return Sent.OK


class TelegramPeerGroups:
    """The groups and their moderators' chats, through the bot."""

    def __init__(self, bot: Bot) -> None:
        """Keep the bot."""
        self._bot = bot

    async def reaches(self, chat_id: int) -> bool:
        """Tell whether the bot is a member of a chat."""
        return await self.standing(chat_id, self._bot.id) is not Standing.OUTSIDE

    async def standing(self, chat_id: int, user_id: int) -> Standing:
        """Return whether someone is an administrator, a member, or neither (or unknown)."""
        try:
            member = await deliver(
                lambda: self._bot.get_chat_member(chat_id, user_id), "getChatMember"
            )
        except Undeliverable:
            return Standing.OUTSIDE
        if member.status in {ChatMember.OWNER, ChatMember.ADMINISTRATOR}:
            return Standing.ADMIN
        if member.status in {ChatMember.LEFT, ChatMember.BANNED}:
            return Standing.OUTSIDE
        return Standing.MEMBER

    async def access(self, chat_id: int) -> GroupAccess:
        """Ask Telegram whether the bot is an administrator with the rights it needs."""
        try:
            chat = await self._bot.get_chat(chat_id)
            member = await self._bot.get_chat_member(chat_id, self._bot.id)
        except (Forbidden, BadRequest):
            return GroupAccess(AccessProblem.NOT_FOUND)
        except TelegramError:
            return GroupAccess(AccessProblem.UNCHECKED)
        if member.status in {ChatMember.LEFT, ChatMember.BANNED}:
            return GroupAccess(AccessProblem.NOT_FOUND)
        if chat.type != ChatType.SUPERGROUP:
            return GroupAccess(AccessProblem.NOT_SUPERGROUP)
        if member.status == ChatMember.OWNER:
            return GroupAccess()
        if not isinstance(member, ChatMemberAdministrator):
            return GroupAccess(AccessProblem.NOT_ADMIN)
        missing = tuple(r for r in Right if not getattr(member, r.value, False))
        return GroupAccess(AccessProblem.MISSING_RIGHTS, missing) if missing else GroupAccess()

    async def join_link(self, chat_id: int, name: str) -> str | None:
        """Create a link that asks to join: nobody gets in by the link alone."""
        try:
            link = await deliver(
                lambda: self._bot.create_chat_invite_link(
                    chat_id, creates_join_request=True, name=name
                ),
                "createChatInviteLink",
            )
        except Undeliverable:
            return None
        return link.invite_link

    async def approve(self, chat_id: int, user_id: int) -> Sent:
        """Approve a pending join request."""
        return await _sent(
            lambda: self._bot.approve_chat_join_request(chat_id, user_id), "approveChatJoinRequest"
        )

    async def decline(self, chat_id: int, user_id: int) -> Sent:
        """Decline a pending join request."""
        return await _sent(
            lambda: self._bot.decline_chat_join_request(chat_id, user_id), "declineChatJoinRequest"
        )

    async def _send(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Sent:
        """Send a reply's parts (the first as a reply to a message, if given)."""
        answering = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )
        for part in render(reply):
            sent = await _sent(
                lambda p=part: self._bot.send_message(  # type: ignore[misc]
                    chat_id,
                    p.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=p.markup,
                    disable_web_page_preview=True,
                    reply_parameters=answering,
                ),
                "sendMessage",
            )
            if sent is not Sent.OK:
                return sent
        return Sent.OK

    async def tell(self, user_id: int, reply: Reply) -> Sent:
        """Write to a person privately (her user id is her private chat's id)."""
        return await self._send(user_id, reply)

    async def to_moderators(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Sent:
        """Write into a moderators' chat (as a reply to one of its messages, if given)."""
        return await self._send(chat_id, reply, reply_to)

    async def post(self, chat_id: int, reply: Reply) -> Sent:
        """Write into a group."""
        return await self._send(chat_id, reply)

    async def hold(self, chat_id: int, message_id: int, moderators_chat: int) -> int | None:
        """Copy a message to the moderators and delete it in the group (both or neither)."""
        try:
            copy = await deliver(
                lambda: self._bot.copy_message(moderators_chat, chat_id, message_id),
                "copyMessage",
            )
        except Undeliverable:
            return None
        if await self.delete(chat_id, message_id) is not Sent.OK:
            await self.delete(moderators_chat, copy.message_id)
            return None
        return copy.message_id

    async def release(self, chat_id: int, moderators_chat: int, copy_id: int, intro: str) -> Sent:
        """Post the held copy into the group, then the intro as a reply to it.

        The copy first: if it fails, nothing dangles in the group, and a second tap is clean.
        """
        try:
            posted = await deliver(
                lambda: self._bot.copy_message(chat_id, moderators_chat, copy_id), "copyMessage"
            )
        except Undeliverable as exc:
            return Sent.REFUSED if isinstance(exc.__cause__, BadRequest) else Sent.FAILED
        await self._send(chat_id, Reply(intro), posted.message_id)
        return Sent.OK

    async def delete(self, chat_id: int, message_id: int) -> Sent:
        """Delete a message."""
        return await _sent(lambda: self._bot.delete_message(chat_id, message_id), "deleteMessage")

    async def mute(self, chat_id: int, user_id: int, until: datetime) -> Sent:
        """Take every right to write until `until` (Telegram lifts it by itself)."""
        return await _sent(
            lambda: self._bot.restrict_chat_member(
                chat_id,
                user_id,
                ChatPermissions.no_permissions(),
                until_date=until,
                use_independent_chat_permissions=True,
            ),
            "restrictChatMember",
        )

    async def remove(self, chat_id: int, user_id: int) -> Sent:
        """Ban a member: removed, and no way back until a moderator lifts the ban."""
        return await _sent(lambda: self._bot.ban_chat_member(chat_id, user_id), "banChatMember")

    async def first_name(self, chat_id: int, user_id: int) -> str | None:
        """Return a member's first name as Telegram shows it now."""
        try:
            member = await deliver(
                lambda: self._bot.get_chat_member(chat_id, user_id), "getChatMember"
            )
        except Undeliverable:
            return None
        return member.user.first_name
