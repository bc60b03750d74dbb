"""The hand-over's ports on Telegram: the counsellors' forum group and the parents' chats."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import ExtBot

from bot.cases.ports import ParentGone, TopicClosed, TopicGone
from bot.dialogue.model import Reply, Rows
from bot.events import MessageRef
from bot.outbox.model import DeliveryFailed, RetryLater
from handlers.delivery import Undeliverable, deliver
from handlers.render import inline, render

logger = logging.getLogger(__name__)
# Telegram's answers when a forum topic was deleted (they differ between methods).
_TOPIC_GONE = ("message thread not found", "topic_deleted", "thread not found")
# Its answer when the topic still exists but is closed: reopening it helps, recreating does not.
_TOPIC_CLOSED = "topic_closed"


def _refusal(exc: Undeliverable) -> str:
    """Return Telegram's own words for a refused request (lower case), or "" for anything else."""
    cause = exc.__cause__
    return cause.message.lower() if isinstance(cause, BadRequest) else ""


def _group_failure(exc: Undeliverable) -> Exception:
    """Translate a failed send to the group into what the outbox and the use case expect."""
    cause = exc.__cause__
    if isinstance(cause, RetryAfter):
        wait = cause.retry_after
        return RetryLater(wait if isinstance(wait, int | float) else wait.total_seconds())
    refusal = _refusal(exc)
    if _TOPIC_CLOSED in refusal:
        return TopicClosed(f"{exc} ({refusal})")
    if any(s in refusal for s in _TOPIC_GONE):
        return TopicGone(f"{exc} ({refusal})")
    # A bad request stays bad, except missing rights: an admin can still grant them. The
    # reason keeps Telegram's words, so the outbox row says why (never message content).
    permanent = bool(refusal) and "rights" not in refusal and "admin" not in refusal
    return DeliveryFailed(f"{exc} ({refusal})" if refusal else str(exc), permanent=permanent)


def _parent_gone(exc: Undeliverable) -> bool:
    cause = exc.__cause__
    return isinstance(cause, Forbidden) or (
        isinstance(cause, BadRequest) and "chat not found" in cause.message.lower()
    )


async def _best_effort(call: Callable[[], Awaitable[object]], method: str) -> None:
    """Run a topic call whose failure loses nothing: it is logged (without content), not raised."""
    try:
        await deliver(call, method)
    except Undeliverable as exc:
        logger.info("%s not done: %s", method, exc)


class TelegramGroup:
    """The counsellors' forum supergroup (`counselling.group_id`)."""

    def __init__(self, bot: ExtBot[None], group_id: int) -> None:
        """Keep the bot and the group."""
        self._bot = bot
        self._group = group_id

    async def create_topic(self, name: str) -> int:
        """Create a forum topic and return its id."""
        try:
            topic = await deliver(
                lambda: self._bot.create_forum_topic(self._group, name), "createForumTopic"
            )
        except Undeliverable as exc:
            raise _group_failure(exc) from exc
        return topic.message_thread_id

    async def rename_topic(self, topic_id: int, name: str) -> None:
        """Rename a topic (best effort: a failed rename loses nothing)."""
        await _best_effort(
            lambda: self._bot.edit_forum_topic(self._group, topic_id, name=name), "editForumTopic"
        )

    async def close_topic(self, topic_id: int) -> None:
        """Close a topic (best effort)."""
        await _best_effort(
            lambda: self._bot.close_forum_topic(self._group, topic_id), "closeForumTopic"
        )

    async def reopen_topic(self, topic_id: int) -> None:
        """Reopen a closed topic (best effort: a post into it then fails as closed)."""
        await _best_effort(
            lambda: self._bot.reopen_forum_topic(self._group, topic_id), "reopenForumTopic"
        )

    async def post(self, topic_id: int, text: str, buttons: Rows = ()) -> None:
        """Post a message into a topic."""
        (part, *more) = render(Reply(text, buttons=buttons))
        for rendered in (part, *more):
            try:
                await deliver(
                    lambda r=rendered: self._bot.send_message(  # type: ignore[misc]
                        self._group,
                        r.text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=r.markup,
                        message_thread_id=topic_id,
                    ),
                    "sendMessage",
                )
            except Undeliverable as exc:
                raise _group_failure(exc) from exc

    async def edit(self, message_id: int, text: str, buttons: Rows = ()) -> None:
        """Replace a message's text and buttons; a card deleted meanwhile is logged, not raised."""
        rendered = render(Reply(text, buttons=buttons))[0]  # a card is far below the limit
        await _best_effort(
            lambda: self._bot.edit_message_text(
                rendered.text,
                self._group,
                message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=inline(rendered.markup),
            ),
            "editMessageText",
        )

    async def copy_in(self, topic_id: int, message: MessageRef) -> None:
        """Copy a parent's message into a topic."""
        try:
            await deliver(
                lambda: self._bot.copy_message(
                    self._group, message.chat_id, message.message_id, message_thread_id=topic_id
                ),
                "copyMessage",
            )
        except Undeliverable as exc:
            raise _group_failure(exc) from exc


class TelegramParents:
    """The parents' private chats with the bot."""

    def __init__(self, bot: ExtBot[None]) -> None:
        """Keep the bot."""
        self._bot = bot

    async def send(self, parent_id: int, replies: Sequence[Reply]) -> None:
        """Send replies as HTML messages."""
        for reply in replies:
            for part in render(reply):
                try:
                    await deliver(
                        lambda p=part: self._send(parent_id, p.text, p.markup),  # type: ignore[misc]
                        "sendMessage",
                    )
                except Undeliverable as exc:
                    if _parent_gone(exc):
                        raise ParentGone(str(exc)) from exc
                    logger.warning("reply to a parent not delivered: %s", exc)

    async def _send(self, chat_id: int, text: str, markup: object) -> Message:
        return await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,  # type: ignore[arg-type]
        )

    async def copy_out(self, parent_id: int, message: MessageRef) -> None:
        """Copy a counsellor's message to the parent, protected from forwarding and saving."""
        try:
            await deliver(
                lambda: self._bot.copy_message(
                    parent_id, message.chat_id, message.message_id, protect_content=True
                ),
                "copyMessage",
            )
        except Undeliverable as exc:
            if _parent_gone(exc):
                raise ParentGone(str(exc)) from exc
            logger.warning("counsellor's message not copied: %s", exc)
