"""Handlers for parents: thin adapters from Telegram updates to the use case and back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from telegram import Chat, InputFile, Message, MessageEntity, Update
from telegram.constants import ChatAction, ParseMode

from bot.conversation.service import Parent
from bot.dialogue.model import Outcome, OutcomeKind, Placement, Reply, Rows, State
from bot.events import Event, EventKind, MessageRef
from handlers.delivery import Undeliverable, answer_callback, deliver
from handlers.render import Rendered, inline, keyboard_of, render
from handlers.services import Context

logger = logging.getLogger(__name__)


async def _send(context: Context, chat: Chat, outcome: Outcome, thread_id: int | None) -> None:
    """Send every reply of an outcome as HTML messages, retrying on rate limits."""
    for reply in outcome.replies:
        for part in render(reply):

            async def send(part: Rendered = part) -> Message:
                return await context.bot.send_message(
                    chat.id,
                    part.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=part.markup,
                    message_thread_id=thread_id,
                    disable_web_page_preview=True,
                )

            await deliver(send, "sendMessage")
        if reply.attachment is not None:
            file = InputFile(reply.attachment.content, filename=reply.attachment.filename)
            await deliver(
                lambda f=file: context.bot.send_document(  # type: ignore[misc]
                    chat.id, f, message_thread_id=thread_id
                ),
                "sendDocument",
            )


async def process(update: Update, context: Context, event: Event) -> Outcome | None:
    """Run one event of the update's user through the parents' use case."""
    user = update.effective_user
    if user is None:
        return None
    parent = Parent(user.id, user.language_code, user.first_name)
    return await context.bot_data.conversation.handle(parent, event)


async def send_outcome(update: Update, context: Context, outcome: Outcome) -> None:
    """Send the outcome's replies into the update's chat (and forum topic, if any)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    thread_id = message.message_thread_id if message is not None and chat.is_forum else None
    try:
        await _send(context, chat, outcome, thread_id)
    except Undeliverable as exc:
        logger.info("reply not delivered: %s", exc)


async def respond(update: Update, context: Context, event: Event) -> None:
    """Process an event and send the replies."""
    outcome = await process(update, context, event)
    if outcome is not None:
        await send_outcome(update, context, outcome)


async def _typing(context: Context, chat_id: int) -> None:
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except Exception as exc:  # noqa: BLE001 - a missing typing indicator must never cost the answer
        logger.debug("typing action failed: %s", type(exc).__name__)


def _addressed_text(message: Message, bot_username: str) -> str | None:
    """Return the text of a group message addressed to the bot (mention removed), else None."""
    text = message.text or ""
    mention = f"@{bot_username}".casefold()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        if value.casefold() == mention:
            return (text[: entity.offset] + text[entity.offset + entity.length :]).strip()
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.username == bot_username:
        return text
    return None


async def on_text(update: Update, context: Context) -> None:
    """Answer a free-text message (in groups only when the bot is addressed)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    text: str | None = message.text
    if chat.type != Chat.PRIVATE:
        text = _addressed_text(message, context.bot.username)
        if text is None:
            return
    user, flood = update.effective_user, context.bot_data.conversation.flood
    # A message the flood limit will hold back gets no typing indicator either: a flood must
    # not cost Telegram requests (they share the bot's overall rate limit).
    if user is not None and (flood is None or not flood.holds_back(user.id)):
        await _typing(context, chat.id)
    ref = MessageRef(chat.id, message.message_id) if chat.type == Chat.PRIVATE else None
    await respond(update, context, Event(EventKind.TEXT, text or "", ref))


async def on_non_text(update: Update, context: Context) -> None:
    """Tell the parent kindly that only text can be read (stickers, photos, voice …)."""
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        return
    message = update.effective_message
    ref = MessageRef(chat.id, message.message_id) if message is not None else None
    caption = (message.caption or "") if message is not None else ""
    await respond(update, context, Event(EventKind.NON_TEXT, caption, message=ref))


async def on_location(update: Update, context: Context) -> None:
    """Answer a shared location with the help near it (used for this answer only, never kept)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type != Chat.PRIVATE or message is None or message.location is None:
        return
    point = (message.location.latitude, message.location.longitude)
    # The message too: during an open case it is copied to the counsellor, not answered.
    ref = MessageRef(chat.id, message.message_id)
    await respond(update, context, Event(EventKind.LOCATION, message=ref, location=point))


async def on_group_command(update: Update, context: Context) -> None:
    """Ask for a private chat when a parents' command is sent in a group.

    The answer itself (data, deletion, a plan) could be personal, and in a group everyone reads
    along; silence would leave the parent guessing, so the group gets only this generic hint.
    """
    link = f"https://t.me/{context.bot.username}"
    hint = context.bot_data.dialogue.texts("private_command_in_group", link=link)
    await send_outcome(update, context, Outcome(OutcomeKind.INFO, (Reply(hint),), State()))


async def on_unknown_command(update: Update, context: Context) -> None:
    """Answer a command that is not ours (private chats only) with the list of ours."""
    await respond(update, context, Event(EventKind.UNKNOWN_COMMAND))


def command(kind: EventKind) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Return a handler callback that turns a command into the core event `kind`."""

    async def handle(update: Update, context: Context) -> None:
        await respond(update, context, Event(kind))

    handle.__name__ = f"on_{kind.value}"
    handle.__doc__ = f"Handle the command for {kind.value}."
    return handle


def _in_place(outcome: Outcome) -> Reply | None:
    """Return the reply that replaces the pressed message, if the core placed one there.

    Only the first reply can: what follows it (a confirmation) is sent as new messages.
    """
    if not outcome.replies:
        return None
    reply = outcome.replies[0]
    return reply if reply.placement is Placement.REPLACE_PRESSED else None


async def replace_pressed(message: Message, reply: Reply) -> bool:
    """Show a reply in place of the message whose button was pressed; False if that failed."""
    (part,) = render(reply)
    try:
        await deliver(
            lambda: message.edit_text(
                part.text, parse_mode=ParseMode.HTML, reply_markup=inline(part.markup)
            ),
            "editMessageText",
        )
    except Undeliverable:
        return False
    return True


async def _set_keyboard(message: Message, rows: Rows) -> None:
    """Give the pressed message new buttons (none: remove them), e.g. after a vote."""
    markup = keyboard_of(rows) if rows else None  # no rows: remove the keyboard
    try:
        await deliver(lambda: message.edit_reply_markup(markup), "editMessageReplyMarkup")
    except Undeliverable as exc:
        logger.debug("keyboard not updated: %s", exc)


async def on_button(update: Update, context: Context) -> None:
    """Handle a button press: answer the callback, then reply or update the message in place."""
    query = update.callback_query
    if query is None:
        return
    data = query.data if isinstance(query.data, str) else ""
    outcome = await process(update, context, Event(EventKind.BUTTON, data))
    if outcome is None:
        return
    # Telegram shows a spinner until the callback is answered; answer first, with the stale
    # notice as a toast when the button is no longer valid.
    notice = (
        context.bot_data.dialogue.texts("stale_button")
        if outcome.kind is OutcomeKind.STALE
        else None
    )
    await answer_callback(query, notice)
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        reply = _in_place(outcome)
        if reply is not None and await replace_pressed(message, reply):
            outcome = replace(outcome, replies=outcome.replies[1:])
            if not outcome.replies:
                return
        if outcome.pressed_keyboard is not None:
            await _set_keyboard(message, outcome.pressed_keyboard)
    await send_outcome(update, context, outcome)
