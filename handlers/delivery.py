"""Send to Telegram with retries: honour 429 retry_after, back off on network errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import CallbackQuery
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 5
# Longest wait we accept for a 429 before giving up on this one message.
MAX_RETRY_AFTER = 60.0


class Undeliverable(Exception):
    """A message could not be delivered (blocked, bad request, or retries exhausted)."""


Sleep = Callable[[float], Awaitable[None]]


async def deliver(call: Callable[[], Awaitable[T]], what: str, sleep: Sleep = asyncio.sleep) -> T:
    """Run a Bot API call, retrying when Telegram asks us to wait or the network fails.

    Args:
        call: A zero-argument coroutine factory performing the request (called once per try).
        what: The method name, for logs (never message content).
        sleep: How to wait between tries (tests pass one that does not wait real seconds).

    Returns:
        The call's result.

    Raises:
        Undeliverable: The chat blocked the bot (403), the request is invalid (400), or every
            attempt failed.

    """
    delay = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:
            # https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            if seconds > MAX_RETRY_AFTER:
                raise Undeliverable(f"{what}: flood wait of {seconds:.0f} s") from exc
            logger.info("%s: rate limited, retrying in %.1f s", what, seconds)
            await sleep(seconds)
        except Forbidden as exc:
            logger.info("%s: forbidden (%s)", what, exc.message)
            raise Undeliverable(f"{what}: forbidden") from exc
        except BadRequest as exc:
            logger.warning("%s: bad request (%s)", what, exc.message)
            raise Undeliverable(f"{what}: bad request") from exc
        except (TimedOut, NetworkError) as exc:
            if attempt == MAX_ATTEMPTS:
                raise Undeliverable(f"{what}: network error after {attempt} tries") from exc
            logger.info("%s: network error (%s), retry %d", what, type(exc).__name__, attempt)
            await sleep(delay)
            delay = min(delay * 2, 8.0)
    raise Undeliverable(f"{what}: gave up after {MAX_ATTEMPTS} tries")


async def answer_callback(
    query: CallbackQuery, notice: str | None = None, *, alert: bool = False
) -> None:
    """Stop the button's spinner, optionally with a toast; a failure only costs the toast.

    Args:
        query: The pressed button's callback query.
        notice: A short text (up to 200 characters) shown to the person who pressed.
        alert: Show the notice as a dialogue they must confirm, not a passing toast.

    """
    try:
        await deliver(
            lambda: query.answer(text=notice, show_alert=alert or None), "answerCallbackQuery"
        )
    except Undeliverable as exc:
        logger.info("callback not answered: %s", exc)
