"""Handlers for the counsellors' forum group: thin adapters to the hand-over use cases.

Every action asks `bot.access.Access` first: only configured counsellors, only in the configured
group. Anyone else gets nothing done, and the helper logs the attempt without personal data.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import CallbackQuery, Chat, Message, Update

from bot.access import Access, Privilege
from bot.callbacks import Press, decode
from bot.cases.ports import Card
from bot.cases.service import Counselling, GroupMessage, Notice
from bot.events import MessageRef
from handlers.delivery import Undeliverable, answer_callback, deliver
from handlers.services import Context

logger = logging.getLogger(__name__)


def _counsellor(update: Update, context: Context, action: Privilege) -> Counselling | None:
    """Return the use cases if the update's sender may take `action` in its chat, else None."""
    counselling = context.bot_data.counselling
    chat, user = update.effective_chat, update.effective_user
    if counselling is None or chat is None or user is None:
        return None
    access = Access(context.bot_data.config)
    if not access.allows(action, user.id, chat.id, chat.type == Chat.PRIVATE):
        return None
    return counselling


def _group_action(text: str) -> Privilege:
    """Return what a message in the group asks for: a command written there, else a relay."""
    if text.startswith("/antwort"):
        return Privilege.CANNED_ANSWER
    if text.startswith("/schliessen"):
        return Privilege.CLOSE_CASE
    return Privilege.RELAY


async def on_group_message(update: Update, context: Context) -> None:
    """Relay a counsellor's message in a case topic, or run a command written there."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or message.caption or ""
    action = _group_action(text)
    counselling = _counsellor(update, context, action)
    if counselling is None or message.message_thread_id is None:
        return
    assert update.effective_user is not None  # noqa: S101 - checked by _counsellor
    user_id, topic = update.effective_user.id, message.message_thread_id
    now = datetime.now(UTC)
    if action is Privilege.CANNED_ANSWER:
        entry = text.partition(" ")[2].strip()
        await counselling.canned(user_id, topic, entry, now)
    elif action is Privilege.CLOSE_CASE:
        await counselling.close_in_topic(user_id, topic, now)
    else:
        ref = MessageRef(message.chat.id, message.message_id)
        await counselling.on_group_message(GroupMessage(user_id, topic, text, ref), now)


async def on_open_cases(update: Update, context: Context) -> None:
    """List the open cases (`/faelle`, anywhere in the group; the reading is audited)."""
    counselling = _counsellor(update, context, Privilege.LIST_CASES)
    message, user = update.effective_message, update.effective_user
    if counselling is not None and message is not None and user is not None:
        await _answer(message, await counselling.open_cases_text(datetime.now(UTC), user.id))


async def on_figures(update: Update, context: Context) -> None:
    """Report the case figures of the last 30 days (`/statistik`, anywhere in the group)."""
    counselling = _counsellor(update, context, Privilege.FIGURES)
    message = update.effective_message
    if counselling is not None and message is not None:
        await _answer(message, await counselling.figures_text(datetime.now(UTC)))


async def _answer(message: Message, text: str) -> None:
    try:
        await deliver(lambda: message.reply_text(text, parse_mode=None), "sendMessage")
    except Undeliverable as exc:
        logger.info("answer in the group not delivered: %s", exc)


# The presses under case cards and under „Fall #2 wirklich schließen?" in a topic.
CASE_PRESSES = {Press.CASE_CLAIM, Press.CASE_CLOSE, Press.CASE_CLOSE_ANSWER}


async def on_group_button(update: Update, context: Context) -> None:
    """Claim or close a case from its card; the pop-up says why when that is not possible."""
    query = update.callback_query
    if query is None:
        return
    notice = await _case_press(update, context, query)
    if notice is None:
        await answer_callback(query)
    else:
        await answer_callback(query, notice.text, alert=notice.alert)


async def _case_press(update: Update, context: Context, query: CallbackQuery) -> Notice | None:
    """Run a case button for whoever pressed it; return the pop-up they get, if any."""
    counselling = context.bot_data.counselling
    pressed = decode(query.data if isinstance(query.data, str) else None)
    if counselling is None or pressed is None or pressed.press not in CASE_PRESSES:
        return None
    claim = pressed.press is Press.CASE_CLAIM
    if (
        _counsellor(update, context, Privilege.CLAIM_CASE if claim else Privilege.CLOSE_CASE)
        is None
    ):
        return counselling.refusal(pressed.press)
    user_id, number, now = query.from_user.id, int(pressed.args[0]), datetime.now(UTC)
    message = query.message  # None or inaccessible when too old: then nothing is edited
    card = None
    if isinstance(message, Message) and message.text:
        card = Card(message.message_id, message.text)
    if claim:
        return await counselling.claim(user_id, number, now, card)
    if pressed.press is Press.CASE_CLOSE:
        return await counselling.ask_close(user_id, number, now)
    confirmed = pressed.args[1] == "y"
    return await counselling.answer_close(user_id, number, confirmed, card, now)


async def tick(context: Context) -> None:
    """Remind the group of unclaimed cases and close inactive ones (JobQueue, every minute)."""
    counselling = context.bot_data.counselling
    if counselling is not None:
        await counselling.tick(datetime.now(UTC))
