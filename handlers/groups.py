"""Handlers for the peer groups: thin adapters from Telegram updates to the groups' use cases.

They run in handler group -3, before everyone else's: a group message is read by moderation
first, and a command meant for the groups (/melden, /stumm …) never reaches the parents' hint
„please write to me privately". Whatever the groups took stops there (ApplicationHandlerStop).
"""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import ModeratorPress, Press, decode
from bot.groups.model import GroupMessage, ModeratorCommand, Sanction
from bot.groups.service import PeerGroups
from handlers.delivery import answer_callback
from handlers.parents import replace_pressed
from handlers.services import Context

logger = logging.getLogger(__name__)
GROUP = -3  # the handler group of everything here
_LINKS = (MessageEntity.URL, MessageEntity.TEXT_LINK)
_SANCTIONS = {s.value: s for s in Sanction}


def _groups(context: Context) -> PeerGroups:
    groups = context.bot_data.groups
    if groups is None:  # pragma: no cover - the handlers are added only with groups
        raise RuntimeError("peer groups are not configured")
    return groups


async def on_join_request(update: Update, context: Context) -> None:
    """Send the rules privately for a request to join a peer group."""
    request = update.chat_join_request
    if request is None:
        return
    if await _groups(context).joining.request(request.chat.id, request.from_user.id):
        raise ApplicationHandlerStop


def _has_link(message: Message) -> bool:
    entities = (*message.entities, *message.caption_entities)
    return any(e.type in _LINKS for e in entities)


async def on_message(update: Update, context: Context) -> None:
    """Let moderation read a member's message (crisis guard, flood, newcomers' links)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or message.sender_chat is not None:
        return  # the bot's own, a channel's or an anonymous admin's: nothing to moderate
    seen = GroupMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        user_id=user.id,
        name=user.first_name,
        text=message.text or message.caption or "",
        has_link=_has_link(message),
        forwarded=message.forward_origin is not None,
        # A link added by editing a message is held like one sent new.
        edited=update.edited_message is not None,
    )
    if await _groups(context).moderation.message(seen):
        raise ApplicationHandlerStop  # held: nobody else answers a message that is gone


async def on_new_members(update: Update, context: Context) -> None:
    """Welcome each person who joined (bots aside) and hold their links for a day."""
    message = update.effective_message
    if message is None:
        return
    for member in message.new_chat_members:
        if not member.is_bot:
            await _groups(context).joining.joined(message.chat_id, member.id)
    raise ApplicationHandlerStop


async def on_report(update: Update, context: Context) -> None:
    """/melden as a reply: the message goes to the moderators, the command disappears."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        raise ApplicationHandlerStop
    target = message.reply_to_message.message_id if message.reply_to_message else None
    await _groups(context).moderation.report(message.chat_id, user.id, message.message_id, target)
    raise ApplicationHandlerStop


async def on_rules(update: Update, context: Context) -> None:
    """/regeln: post the group's rules in the group."""
    message = update.effective_message
    if message is not None:
        await _groups(context).moderation.rules(message.chat_id)
    raise ApplicationHandlerStop


async def on_sanction(update: Update, context: Context) -> None:
    """/verwarnen, /stumm [Dauer], /entfernen as a reply to a member's message."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        raise ApplicationHandlerStop
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    replied = message.reply_to_message
    # A message sent as a channel or an anonymous admin has no person behind it to sanction.
    anonymous = replied is None or replied.sender_chat is not None
    target = None if anonymous or replied is None else replied.from_user
    command = ModeratorCommand(
        chat_id=message.chat_id,
        message_id=message.message_id,
        moderator_id=user.id,
        moderator_name=user.first_name,
        target_id=target.id if target is not None else None,
        target_name=target.first_name if target is not None else "",
        target_protected=target is not None and target.is_bot,
        args=" ".join(context.args or ()),
    )
    await _groups(context).moderation.sanction(_SANCTIONS[name], command)
    raise ApplicationHandlerStop


async def on_consent(update: Update, context: Context) -> None:
    """Her answer to a group's rules („Ich halte mich an die Regeln" or „Nein, danke")."""
    query = update.callback_query
    pressed = decode(query.data if query is not None and isinstance(query.data, str) else None)
    if query is None or pressed is None or pressed.press is not Press.GROUP_CONSENT:
        return
    await answer_callback(query)
    agrees, group_id = pressed.args[0] == "y", pressed.args[1]
    user = query.from_user
    reply = await _groups(context).joining.consent(user.id, user.first_name, group_id, agrees)
    if isinstance(query.message, Message):
        await replace_pressed(query.message, reply)
    raise ApplicationHandlerStop


async def on_moderator_button(update: Update, context: Context) -> None:
    """Act on a moderator's tap: let a parent in or not, release or discard a held message."""
    query = update.callback_query
    pressed = decode(query.data if query is not None and isinstance(query.data, str) else None)
    if query is None or pressed is None or pressed.press is not Press.MODERATION:
        return
    groups, user = _groups(context), query.from_user
    if user.id not in groups.joining.config.moderators:
        await answer_callback(query, groups.joining.texts("mod_only"), alert=True)
        raise ApplicationHandlerStop
    await answer_callback(query)
    action = ModeratorPress(pressed.args[0])
    group_id, user_id, copy_id = pressed.args[1], int(pressed.args[2]), int(pressed.args[3])
    moderator = (user.id, user.first_name)
    if action in {ModeratorPress.APPROVE, ModeratorPress.DECLINE}:
        approve = action is ModeratorPress.APPROVE
        reply = await groups.joining.decide(moderator, group_id, user_id, approve)
    else:
        reply = await groups.moderation.held(moderator, action, (group_id, user_id, copy_id))
    if isinstance(query.message, Message):
        await replace_pressed(query.message, reply)
    raise ApplicationHandlerStop


async def tidy(context: Context) -> None:
    """Take pauses set elsewhere, decline requests left too long, end first days (a job)."""
    groups = context.bot_data.groups
    if groups is not None:
        await groups.refresh()
