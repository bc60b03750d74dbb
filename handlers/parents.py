"""Handlers for parents: thin adapters from Telegram updates to the dialogue core and back."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Chat, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction, ParseMode

from bot.callbacks import ButtonData, Press, decode
from bot.dialogue import Action, ActionKind, Event, EventKind, Outcome, OutcomeKind, State
from handlers.delivery import Undeliverable, deliver
from handlers.render import Rendered, render
from handlers.services import Context

logger = logging.getLogger(__name__)

BERLIN = ZoneInfo("Europe/Berlin")
MAX_LOCKS = 10_000
_user_locks: dict[int, asyncio.Lock] = {}


async def _perform(context: Context, user_id: int, outcome: Outcome, now: datetime) -> None:
    """Perform the outcome's actions and bump the daily counters."""
    store = context.bot_data.store
    day = now.astimezone(BERLIN).date()
    await store.count(day, outcome.kind.value)
    for action in outcome.actions:
        await _perform_action(context, user_id, action, now)


async def _perform_action(context: Context, user_id: int, action: Action, now: datetime) -> None:
    store = context.bot_data.store
    match action.kind:
        case ActionKind.FEEDBACK:
            await store.add_feedback(
                user_id, action.entry_id or "", action.value == "up", None, now
            )
        case ActionKind.FEEDBACK_REASON:
            await store.add_feedback(user_id, action.entry_id or "", None, action.value, now)
        case ActionKind.UNANSWERED:
            await store.add_unanswered(user_id, action.value or "", now)
        case ActionKind.DELETE_USER:
            await store.delete_user(user_id)
        case ActionKind.HANDOFF:
            # Until the counsellor hand-over exists the core shows the contact entry; count it.
            await store.count(now.astimezone(BERLIN).date(), "handoff_requested")


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


async def process(update: Update, context: Context, event: Event) -> Outcome | None:
    """Run one event through the core for the update's user and record the result.

    Loads the user's state, asks the dialogue core, saves the new state *before* anything is
    sent (so a crash after this point loses nothing) and performs the actions.
    """
    user = update.effective_user
    if user is None:
        return None
    services = context.bot_data
    store = services.store
    now = datetime.now(UTC)
    # Updates run concurrently; one parent's two quick messages must not interleave their
    # load → decide → save of the same state.
    async with _user_locks.setdefault(user.id, asyncio.Lock()):
        await store.touch_user(user.id, user.language_code, now)
        state = State.from_dict(await store.load_state(user.id))
        outcome = services.dialogue.handle(state, event)
        deleting = any(a.kind is ActionKind.DELETE_USER for a in outcome.actions)
        if not deleting:
            if outcome.state != state:
                await store.save_state(user.id, outcome.state.to_dict(), now)
            await store.count(now.astimezone(BERLIN).date(), "messages")
        await _perform(context, user.id, outcome, now)
    if len(_user_locks) > MAX_LOCKS:
        _forget_idle_locks()
    return outcome


def _forget_idle_locks() -> None:
    for user_id, lock in list(_user_locks.items()):
        if not lock.locked():
            del _user_locks[user_id]


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
    await _typing(context, chat.id)
    await respond(update, context, Event(EventKind.TEXT, text or ""))


async def on_non_text(update: Update, context: Context) -> None:
    """Tell the parent kindly that only text can be read (stickers, photos, voice …)."""
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        return
    await respond(update, context, Event(EventKind.NON_TEXT))


def command(kind: EventKind):  # type: ignore[no-untyped-def]
    """Return a handler callback that turns a command into the core event `kind`."""

    async def handle(update: Update, context: Context) -> None:
        await respond(update, context, Event(kind))

    handle.__name__ = f"on_{kind.value}"
    handle.__doc__ = f"Handle the command for {kind.value}."
    return handle


def _without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """Return the keyboard minus its 👍/👎 row (a vote is given once)."""
    if markup is None:
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if not any(
            (decoded := decode(str(b.callback_data))) and decoded.press is Press.FEEDBACK
            for b in row
        )
    ]
    return InlineKeyboardMarkup(rows)


_MENU_PRESSES = {Press.CATEGORY, Press.MENU, Press.ENTRY, Press.FLOWS, Press.FLOW_START}
_FLOW_STEP_PRESSES = {Press.FLOW_OPTION, Press.FLOW_CONTROL}


def _is_menu(message: Message) -> bool:
    """Tell whether a message is a pure topic menu (safe to overwrite while navigating)."""
    markup = message.reply_markup
    if markup is None:
        return False
    presses = [decode(str(b.callback_data)) for row in markup.inline_keyboard for b in row]
    kinds = {p.press for p in presses if p is not None}
    return None not in presses and kinds <= _MENU_PRESSES and bool(kinds - {Press.ENTRY})


async def _edit_in_place(message: Message, outcome: Outcome, pressed: ButtonData | None) -> bool:
    """Show the outcome in place of the message whose button was pressed, where that is tidy.

    Menus replace menus, and a flow step replaces the previous step. Answers and flow plans
    are sent as new messages, because the parent should keep them.
    """
    if len(outcome.replies) != 1 or pressed is None:
        return False
    reply = outcome.replies[0]
    menu = outcome.kind is OutcomeKind.MENU and _is_menu(message)
    step = reply.replace and pressed.press in _FLOW_STEP_PRESSES
    if not (menu or step):
        return False
    (part,) = render(reply)
    try:
        await deliver(
            lambda: message.edit_text(
                part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup
            ),
            "editMessageText",
        )
    except Undeliverable:
        return False
    return True


async def _drop_keyboard(message: Message) -> None:
    """Remove the buttons of a finished flow step, so old steps cannot be pressed again."""
    try:
        await deliver(lambda: message.edit_reply_markup(None), "editMessageReplyMarkup")
    except Undeliverable as exc:
        logger.debug("keyboard not removed: %s", exc)


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
    try:
        await deliver(lambda: query.answer(text=notice), "answerCallbackQuery")
    except Undeliverable as exc:
        logger.info("callback not answered: %s", exc)
    message = query.message if isinstance(query.message, Message) else None
    pressed = decode(data)
    if message is not None:
        if pressed is not None and pressed.press is Press.FEEDBACK:
            markup = _without_feedback(message.reply_markup)
            try:
                await deliver(lambda: message.edit_reply_markup(markup), "editMessageReplyMarkup")
            except Undeliverable as exc:
                logger.debug("keyboard not tidied: %s", exc)
        if await _edit_in_place(message, outcome, pressed):
            return
        if pressed is not None and pressed.press in _FLOW_STEP_PRESSES:
            await _drop_keyboard(message)
    await send_outcome(update, context, outcome)
