"""Webhook mode: Telegram calls the bot over HTTPS instead of the bot polling Telegram.

PTB's `Application.run_webhook` runs a tornado server on `webhook.listen:webhook.port` at
`/webhook.url_path` and calls setWebhook with `webhook.public_url`, the secret token and the same
`allowed_updates` as polling. PTB's `TelegramHandler` (telegram/ext/_utils/webhookhandler.py)
answers 403 Forbidden, before the update reaches the queue, to any POST whose
`X-Telegram-Bot-Api-Secret-Token` header is missing or differs from the secret, and to any body
that is not `Content-Type: application/json`. TLS ends at the reverse proxy in front of it.
"""

from __future__ import annotations

import importlib.util
import logging

from bot.config import WebhookConfig
from handlers.app import ALLOWED_UPDATES, BotApp

logger = logging.getLogger(__name__)

MISSING_SERVER = (
    "webhook mode needs tornado, which python-telegram-bot installs with its webhooks extra: "
    "pip install 'python-telegram-bot[webhooks]'"
)


def webhook_server_installed() -> bool:
    """Return whether PTB's webhook server (tornado) can be imported."""
    return importlib.util.find_spec("tornado") is not None


def run_webhook(application: BotApp, webhook: WebhookConfig) -> None:
    """Serve Telegram's webhook calls until SIGINT or SIGTERM.

    Args:
        application: The application from `build_application`.
        webhook: The `webhook:` section; `endpoint()` must not raise (checked at start-up).

    """
    public_url, secret = webhook.endpoint()
    logger.info(
        "webhook mode: listening on %s:%d/%s for %s",
        webhook.listen,
        webhook.port,
        webhook.url_path,
        public_url,
    )
    application.run_webhook(
        listen=webhook.listen,
        port=webhook.port,
        url_path=webhook.url_path,
        webhook_url=public_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        # Keep what Telegram queued while the bot was down (a restart loses nothing).
        drop_pending_updates=False,
        stop_signals=None,  # handlers/main._serve installed its own stop handler
        close_loop=False,
    )
