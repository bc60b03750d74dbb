"""Handlers for the counsellors' forum group: thin adapters to the hand-over use cases.

Authorisation lives in one place (`_counsellor`): only configured counsellors, only in the
configured group. Anyone else gets nothing done, and the attempt is logged without personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import Message, Update

from bot.cases.service import Counselling, GroupMessage
from bot.dialogue.callbacks import Press, decode
from bot.dialogue.events import MessageRef
from handlers.delivery import Undeliverable, answer_callback, deliver
from handlers.services import Context

logger = logging.getLogger(__name__)


def _counsellor(update: Update, context: Context) -> Counselling | None:
    """Return the use cases if the update comes from a counsellor in the group, else None."""
    counselling = context.bot_data.counselling
    chat, user = update.effective_chat, update.effective_user
    if counselling is None or chat is None or user is None:
        return None
    if chat.id != counselling.config.group_id or counselling.config.counsellor(user.id) is None:
        logger.info("counsellor action refused: not a configured counsellor in the group")
        return None
    return counselling


async def on_group_message(update: Update, context: Context) -> None:
    """Relay a counsellor's message in a case topic, or run a command written there."""
    counselling = _counsellor(update, context)
    message = update.effective_message
    if counselling is None or message is None or message.message_thread_id is None:
        return
    assert update.effective_user is not None  # noqa: S101 - checked by _counsellor
    user_id, topic = update.effective_user.id, message.message_thread_id
    now = datetime.now(UTC)
    text = message.text or message.caption or ""
    if text.startswith("/antwort"):
        entry = text.partition(" ")[2].strip()
        await counselling.canned(user_id, topic, entry, now)
        return
    if text.startswith("/schliessen"):
        await counselling.close_in_topic(user_id, topic, now)
        return
    ref = MessageRef(message.chat.id, message.message_id)
    await counselling.on_group_message(GroupMessage(user_id, topic, text, ref), now)


async def on_open_cases(update: Update, context: Context) -> None:
    """List the open cases (`/faelle`, anywhere in the group)."""
    await _report(update, context, Counselling.open_cases_text)


async def on_figures(update: Update, context: Context) -> None:
    """Report the case figures of the last 30 days (`/statistik`, anywhere in the group)."""
    await _report(update, context, Counselling.figures_text)


async def _report(
    update: Update, context: Context, report: Callable[[Counselling, datetime], Awaitable[str]]
) -> None:
    counselling = _counsellor(update, context)
    message = update.effective_message
    if counselling is not None and message is not None:
        await _answer(message, await report(counselling, datetime.now(UTC)))


async def _answer(message: Message, text: str) -> None:
    try:
        await deliver(lambda: message.reply_text(text, parse_mode=None), "sendMessage")
    except Undeliverable as exc:
        logger.info("answer in the group not delivered: %s", exc)


async def on_group_button(update: Update, context: Context) -> None:
    """Claim or close a case from the buttons under its context message."""
    query = update.callback_query
    if query is None:
        return
    await answer_callback(query)
    counselling = _counsellor(update, context)
    pressed = decode(query.data if isinstance(query.data, str) else None)
    if counselling is None or pressed is None:
        return
    number, now = int(pressed.args[0]), datetime.now(UTC)
    if pressed.press is Press.CASE_CLAIM:
        await counselling.claim(query.from_user.id, number, now)
    elif pressed.press is Press.CASE_CLOSE:
        await counselling.close_by_counsellor(query.from_user.id, number, now)


async def tick(context: Context) -> None:
    """Remind the group of unclaimed cases and close inactive ones (JobQueue, every minute)."""
    counselling = context.bot_data.counselling
    if counselling is not None:
        await counselling.tick(datetime.now(UTC))
