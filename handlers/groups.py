"""Handlers for the peer groups: thin adapters from Telegram updates to the groups' use cases.

They run in handler group -3, before everyone else's, and every update from a peer group ends
here (ApplicationHandlerStop): the parents' handlers never answer in a group where members talk
to each other — not a reply to the bot, not a mention — and nothing about a member is stored
as if she were talking to the bot.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import ModeratorPress, Press, decode
from bot.groups.model import GroupMessage, Moderator, ModeratorCommand, Sanction
from bot.groups.service import PeerGroups
from handlers.delivery import answer_callback
from handlers.parents import replace_pressed, send_outcome
from handlers.services import Context

logger = logging.getLogger(__name__)
GROUP = -3  # the handler group of everything here
_LINKS = (MessageEntity.URL, MessageEntity.TEXT_LINK)
_SANCTIONS = {s.value: s for s in Sanction}
# The link Telegram's apps copy for a message of a private supergroup (long press → copy link).
MESSAGE_LINK = re.compile(r"https://t\.me/c/(\d+)/(?:\d+/)?(\d+)")


def _groups(context: Context) -> PeerGroups:
    """Return the groups' use cases (these handlers are added only when they exist)."""
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
    """Tell whether a message carries a link (shown, or behind words), in text or caption."""
    entities = (*message.entities, *message.caption_entities)
    return any(e.type in _LINKS for e in entities)


async def on_message(update: Update, context: Context) -> None:
    """Let moderation read a member's message (crisis guard, newcomers' links, flood)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot or message.sender_chat is not None:
        raise ApplicationHandlerStop  # the bot's own, a channel's, an anonymous admin's
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
        album=message.media_group_id,
    )
    await _groups(context).moderation.message(seen)
    raise ApplicationHandlerStop


async def on_new_members(update: Update, context: Context) -> None:
    """Welcome each person who joined (bots aside) and hold their links for a day."""
    message = update.effective_message
    if message is None:
        return
    for member in message.new_chat_members:
        if not member.is_bot:
            await _groups(context).joining.joined(message.chat_id, member.id)
    raise ApplicationHandlerStop


def _replied(message: Message) -> Message | None:
    """Return the message a command answers (None: not a reply).

    In a forum every message in a topic carries the topic's first message as its reply: that
    one is no answer to anything.
    """
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    return replied


async def on_report(update: Update, context: Context) -> None:
    """/melden as a reply: the message goes to the moderators, the command disappears."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        raise ApplicationHandlerStop
    replied = _replied(message)
    target = None
    if replied is not None:
        author = replied.from_user.first_name if replied.from_user is not None else ""
        target = (replied.message_id, author)
    await _groups(context).moderation.report(message.chat_id, user.id, message.message_id, target)
    raise ApplicationHandlerStop


async def on_private_report(update: Update, context: Context) -> None:
    """/melden <link>, or just the link, in a private chat: a report nobody in the group sees."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    found = MESSAGE_LINK.search(message.text or "")
    groups = _groups(context)
    if found is None:
        answer = groups.joining.texts("group_report_private_how")
    else:
        chat_id, message_id = int(f"-100{found.group(1)}"), int(found.group(2))
        answer = await groups.moderation.report_privately(user.id, chat_id, message_id)
    await send_outcome(update, context, groups.info(answer))
    raise ApplicationHandlerStop  # not also „unknown command" from the parents' handlers


async def on_moderators_help(update: Update, context: Context) -> None:
    """/hilfe in a moderators' chat: what moderators can do, and where."""
    groups = _groups(context)
    await send_outcome(update, context, groups.info(groups.joining.texts("mod_help")))
    raise ApplicationHandlerStop


async def on_rules(update: Update, context: Context) -> None:
    """/regeln: post the group's rules in the group."""
    message = update.effective_message
    if message is not None:
        await _groups(context).moderation.rules(message.chat_id, message.message_id)
    raise ApplicationHandlerStop


async def on_sanction(update: Update, context: Context) -> None:
    """/verwarnen, /stumm [Dauer], /entfernen as a reply to a member's message."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        raise ApplicationHandlerStop
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    replied = _replied(message)
    # A message sent as a channel or an anonymous admin has no person behind it to sanction.
    target = None if replied is None or replied.sender_chat is not None else replied.from_user
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
    group_id, person, number = pressed.args[1], int(pressed.args[2]), int(pressed.args[3])
    chat = groups.registry.by_id(group_id)
    if chat is None or not chat.moderated_by(user.id):
        await answer_callback(query, groups.joining.texts("mod_only"), alert=True)
        raise ApplicationHandlerStop
    await answer_callback(query)
    action, moderator = ModeratorPress(pressed.args[0]), Moderator(user.id, user.first_name)
    if action in {ModeratorPress.APPROVE, ModeratorPress.DECLINE}:
        approve = action is ModeratorPress.APPROVE
        reply = await groups.joining.decide(moderator, group_id, person, approve)
    else:
        reply = await groups.moderation.held(moderator, action, group_id, person, number)
    if isinstance(query.message, Message):
        await replace_pressed(query.message, reply)
    raise ApplicationHandlerStop


async def tidy(context: Context) -> None:
    """Take pauses set elsewhere, retry groups without a link, expire requests (a job)."""
    groups = context.bot_data.groups
    if groups is not None:
        await groups.refresh()
