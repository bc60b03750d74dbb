"""The one place that wires the Telegram application: handlers, order, resources."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Config
from bot.dialogue import Dialogue, EventKind
from bot.storage.base import Store
from handlers.errors import on_error
from handlers.parents import command, on_button, on_non_text, on_text
from handlers.services import Context, Services

logger = logging.getLogger(__name__)

BotApp = Application[
    ExtBot[None], Context, dict[object, object], dict[object, object], Services, None
]

CONCURRENT_UPDATES = 64
# Commands shown in Telegram's menu, German descriptions (setMyCommands).
COMMANDS: tuple[tuple[str, EventKind, str], ...] = (
    ("start", EventKind.START, "Begrüßung und Themenübersicht"),
    ("themen", EventKind.TOPICS, "Alle Themen anzeigen"),
    ("hilfe", EventKind.HELP, "So funktioniert Elternlotse"),
    ("datenschutz", EventKind.PRIVACY, "Was gespeichert wird"),
    ("loeschen", EventKind.DELETE, "Alle meine Daten löschen"),
)
# Messages that are not text: answered with "I can read text".
NON_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
)


def build_application(
    config: Config, dialogue: Dialogue, store: Store, request: BaseRequest | None = None
) -> BotApp:
    """Build the Telegram application with every handler, in an explicit order.

    Args:
        config: Token and Bot API URL come from here.
        dialogue: The dialogue core.
        store: Storage; opened in post_init, closed in post_shutdown.
        request: A custom HTTP request object (tests use an offline one); default: httpx.

    Returns:
        The application, ready for `run_polling`.

    """
    if not config.token:
        raise ValueError("a token is required to build the Telegram application")
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .context_types(ContextTypes(context=Context, bot_data=Services))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        # Parents are independent: process their updates concurrently (one parent's updates are
        # still serialised by a per-user lock in `handlers.parents.process`).
        .concurrent_updates(CONCURRENT_UPDATES)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if config.api_url:
        builder = builder.base_url(f"{config.api_url}/bot").base_file_url(
            f"{config.api_url}/file/bot"
        )
    application: BotApp = builder.build()  # type: ignore[assignment]
    application.bot_data.bind(config, dialogue, store)

    # Group 0, in order: commands first, then button presses, then text, then everything else.
    for name, kind, _ in COMMANDS:
        application.add_handler(CommandHandler(name, command(kind)))
    application.add_handler(CommandHandler("help", command(EventKind.HELP)))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text)
    )
    application.add_handler(MessageHandler(NON_TEXT & filters.ChatType.PRIVATE, on_non_text))
    application.add_error_handler(on_error)
    return application


async def _post_init(application: BotApp) -> None:
    await application.bot_data.store.open()
    commands = [BotCommand(name, description) for name, _, description in COMMANDS]
    await application.bot.set_my_commands(commands)
    logger.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: BotApp) -> None:
    await application.bot_data.store.close()


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
