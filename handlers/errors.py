"""The error handler: log without personal data, tell the parent to try again."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import NetworkError

from handlers.services import Context

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log an unhandled error and apologise to the parent in her private chat, if there is one.

    Only the exception and the update id are logged: never message text, names or the token.
    """
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, NetworkError):
        # PTB retries polling itself; a failed send was already retried by `deliver`.
        logger.warning("network error in update %s: %s", update_id, type(error).__name__)
        return
    logger.error("unhandled error in update %s", update_id, exc_info=error)
    # Private chats only: in a group the apology would hint that a member's message was
    # processed (a peer group's crisis message, say), and the counsellors' group has its own.
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            await context.bot.send_message(
                chat.id,
                context.bot_data.dialogue.texts("error"),
                parse_mode=ParseMode.HTML,
            )
        except Exception:  # noqa: BLE001 - the apology is best effort
            logger.warning("could not send the error apology for update %s", update_id)
