"""`elternlotse run`: check token, config and knowledge, then poll Telegram until stopped."""

from __future__ import annotations

import logging
import os
import re
import signal
import sys

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, load_config
from bot.dialogue.core import Dialogue
from bot.startup import EXIT_BAD_SETUP, StartupError, load_setup
from bot.storage.sqlite import open_store
from handlers.app import ALLOWED_UPDATES, BotApp, build_application

logger = logging.getLogger(__name__)

# "<digits>:<letters, digits, - and _>" – the shape of every Bot API token.
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{5,}$")


def _fail(message: str, code: int = EXIT_BAD_SETUP) -> int:
    print(f"elternlotse: {message}", file=sys.stderr)
    return code


def _without_traceback(record: logging.LogRecord) -> bool:
    record.exc_info = None
    return True


def configure_logging(level: str) -> None:
    """Log to stderr; keep HTTP client logs quiet because their URLs contain the token."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB's rate limiter logs a traceback when its retries run out, but the 429 is handled:
    # `handlers.delivery` waits and retries, the outbox keeps the message. Keep the line only.
    logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_without_traceback)


def run(config_path: str | None = None) -> int:
    """Run the Telegram bot until SIGINT or SIGTERM.

    Returns:
        0 after a clean stop; 1 for an invalid knowledge base; 2 for a missing or invalid token
        or config (with one line saying what is wrong and how to fix it).

    """
    # Opt in to python-telegram-bot's timedelta time periods (RetryAfter.retry_after etc.); the
    # int form is deprecated since v22.2 and warns on every access.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return _fail(str(exc))
    if not config.token:
        return _fail(
            "BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot) and run "
            "`export BOT_TOKEN=<token>` – or use `elternlotse chat` without Telegram."
        )
    if not TOKEN_SHAPE.match(config.token):
        return _fail(
            "BOT_TOKEN does not look like a Telegram token (expected <digits>:<letters>); "
            "copy it again from @BotFather."
        )
    configure_logging(config.log_level)
    try:
        setup = load_setup(config_path)
    except StartupError as exc:
        return exc.report()
    store = open_store(setup.config.data_dir)
    dialogue = Dialogue(setup.kb, setup.config)
    application = build_application(setup.config, dialogue, store, announcement_store=store)
    return _poll(application)


def _poll(application: BotApp) -> int:
    try:
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            stop_signals=(signal.SIGINT, signal.SIGTERM),
            close_loop=False,
        )
    except InvalidToken:
        return _fail(
            "Telegram rejected BOT_TOKEN (401 Unauthorized); copy it again from @BotFather."
        )
    except NetworkError as exc:
        reason = type(exc).__name__
        return _fail(f"cannot reach the Bot API ({reason}); check TELEGRAM_API_URL.")
    logger.info("stopped")
    return 0
