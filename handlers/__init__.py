"""Telegram adapter: turns updates into core events and core replies into Telegram messages."""

import os

# Opt in to python-telegram-bot's timedelta time periods (RetryAfter.retry_after etc.); the
# int form is deprecated since v22.2 and warns on every access.
os.environ.setdefault("PTB_TIMEDELTA", "true")
