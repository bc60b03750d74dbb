"""Announcements on Telegram: the notice channel, the reminder timers, join requests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Chat, ChatMember, ChatMemberAdministrator, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop, Job, JobQueue

from bot.access import Access, Privilege
from bot.announcements.model import ChatAccess, ChatProblem, ChatUnusable
from bot.callbacks import Press, decode
from bot.dialogue.model import Placement, Reply
from bot.outbox.model import DeliveryFailed, RecipientGone, RetryLater
from handlers.delivery import answer_callback
from handlers.parents import replace_pressed
from handlers.render import render
from handlers.services import Context

logger = logging.getLogger(__name__)


def _failure(exc: TelegramError) -> Exception:
    """Translate a Telegram error into what the outbox and the broadcast engine expect.

    429 → wait; 403 or „chat not found" → the recipient is gone; other 400s stay bad, except
    missing rights (an admin can still grant them); 5xx and network errors are passing.
    """
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return RetryLater(wait if isinstance(wait, int | float) else wait.total_seconds())
    message = exc.message.lower()
    if isinstance(exc, Forbidden) or "chat not found" in message or "user not found" in message:
        return RecipientGone(exc.message)
    if isinstance(exc, BadRequest):
        passing = "rights" in message or "admin" in message
        return DeliveryFailed(exc.message, permanent=not passing)
    if isinstance(exc, NetworkError):  # includes TimedOut and Telegram's 5xx answers
        return DeliveryFailed(type(exc).__name__)
    return DeliveryFailed(type(exc).__name__)


def _group_refusal(exc: TelegramError) -> bool:
    """Return whether Telegram refused a group request for good: no rights, or not in it.

    403 („bot was kicked", „bot is not a member"), 400 „not enough rights" or
    CHAT_ADMIN_REQUIRED, „chat not found". Nothing an hour of retrying would mend.
    """
    if isinstance(exc, Forbidden):
        return True
    message = exc.message.lower()
    words = ("rights", "admin_required", "chat not found", "not a member", "kicked")
    return isinstance(exc, BadRequest) and any(w in message for w in words)


async def chat_access(bot: Bot, chat_id: int) -> ChatAccess:
    """Ask Telegram whether the bot may invite users to a group (getChat, getChatMember).

    https://core.telegram.org/bots/api#createchatinvitelink and approveChatJoinRequest both
    need an administrator with can_invite_users. Never raises: the answer names the problem.
    """
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        if isinstance(exc, Forbidden | BadRequest):
            return ChatAccess("", ChatProblem.NOT_FOUND, exc.message)
        return ChatAccess("", ChatProblem.UNCHECKED, type(exc).__name__)
    title = chat.title or ""
    if member.status in {ChatMember.LEFT, ChatMember.BANNED}:
        return ChatAccess(title, ChatProblem.NOT_FOUND, "the bot is not a member of the group")
    if member.status == ChatMember.OWNER:
        return ChatAccess(title)
    if not isinstance(member, ChatMemberAdministrator):
        return ChatAccess(title, ChatProblem.NOT_ADMIN, "the bot is not an administrator")
    if not member.can_invite_users:
        reason = "the bot is an administrator without the right can_invite_users"
        return ChatAccess(title, ChatProblem.NO_INVITE_RIGHT, reason)
    return ChatAccess(title)


class TelegramNotices:
    """Private messages and invite links for the announcements (no retries of its own).

    The outbox and the broadcast engine decide about retries; PTB's rate limiter paces every
    request and holds all of them back after a 429.
    """

    def __init__(self, bot: Bot) -> None:
        """Keep the bot."""
        self._bot = bot

    async def send(self, user_id: int, reply: Reply, *, paid: bool = False) -> None:
        """Send one reply to a private chat; raise the outbox's errors when that failed."""
        for part in render(reply):
            try:
                await self._bot.send_message(
                    user_id,
                    part.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=part.markup,
                    disable_web_page_preview=True,
                    allow_paid_broadcast=paid or None,
                )
            except TelegramError as exc:
                raise _failure(exc) from exc

    async def invite_link(self, chat_id: int, expires: datetime, name: str) -> str:
        """Create a personal invite link to a group that asks to join, valid until `expires`.

        Not `member_limit=1`: whoever opens a forwarded one-person link first gets in, and
        its owner is then refused (newcomer D6). A link with `creates_join_request` lets no
        one in by itself; `on_join_request` approves registered parents only. (Telegram
        allows no member_limit together with creates_join_request.)
        """
        try:
            link = await self._bot.create_chat_invite_link(
                chat_id, expire_date=expires, creates_join_request=True, name=name
            )
        except TelegramError as exc:
            if _group_refusal(exc):  # not the parent's doing: she and staff are told
                raise ChatUnusable(exc.message) from exc
            raise _failure(exc) from exc
        return link.invite_link

    async def chat_access(self, chat_id: int) -> ChatAccess:
        """Return whether the bot may invite users to a group (see `chat_access`)."""
        return await chat_access(self._bot, chat_id)

    async def revoke_invite(self, chat_id: int, link: str) -> None:
        """Revoke an invite link; raise the outbox's errors when that failed."""
        try:
            await self._bot.revoke_chat_invite_link(chat_id, link)
        except TelegramError as exc:
            raise _failure(exc) from exc


class JobTimers:
    """The announcements' timers on PTB's JobQueue (rebuilt from the database at start)."""

    def __init__(self, queue: JobQueue[Context]) -> None:
        """Keep the job queue."""
        self._queue = queue

    def schedule(self, event_id: int, mark: str, at: datetime) -> None:
        """Run `fire(event_id, mark)` at `at` (at once if that is past); replace an older one."""
        name = f"event:{event_id}:{mark}"
        for job in self._queue.get_jobs_by_name(name):
            job.schedule_removal()
        when = max(at, datetime.now(UTC))
        # Timers rebuilt at start are due at once, before the scheduler runs; without a
        # grace time APScheduler would drop them as missed (its default grace is 1 s).
        self._queue.run_once(
            _fire,
            when=when,
            data=(event_id, mark),
            name=name,
            job_kwargs={"misfire_grace_time": None},
        )

    def unschedule(self, event_id: int) -> None:
        """Drop every timer of an event."""
        prefix = f"event:{event_id}:"
        for job in self._queue.jobs():
            if job.name and job.name.startswith(prefix):
                job.schedule_removal()


async def _fire(context: Context) -> None:
    """Queue the notices of a due timer (the use case checks that they still apply)."""
    job: Job[Context] | None = context.job
    announcements = context.bot_data.announcements
    if job is None or announcements is None or not isinstance(job.data, tuple):
        return
    event_id, mark = job.data
    await announcements.fire(int(event_id), str(mark))


async def on_join_request(update: Update, context: Context) -> None:
    """Let registered parents into a protected expert chat; decline everyone else."""
    request = update.chat_join_request
    announcements = context.bot_data.announcements
    if request is None or announcements is None:
        return
    allowed = await announcements.may_join(request.chat.id, request.from_user.id)
    if allowed is None:
        return  # a group without upcoming events: its admins decide
    try:
        if allowed:
            await request.approve()
        else:
            await request.decline()
    except TelegramError as exc:
        # Another admin may have decided first; nothing to repair.
        logger.info("join request not %s: %s", "approved" if allowed else "declined", exc)
    logger.info("join request to an expert chat %s", "approved" if allowed else "declined")


def _staff(update: Update, context: Context, action: Privilege) -> bool:
    """Return whether the update's sender may take a staff action in its chat (via Access)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    access = Access(context.bot_data.config)
    return access.allows(action, user.id, chat.id, chat.type == Chat.PRIVATE)


async def _refuse(context: Context, user_id: int) -> None:
    """Tell someone who is not staff so, in the desk's own words (as the desk itself would)."""
    flood = context.bot_data.conversation.flood
    if flood is not None and not flood.admit(user_id):
        return  # a flood of forged staff buttons must not become a flood of refusals
    refusal = Reply(context.bot_data.dialogue.kb.staff_texts("staff_only"))
    await send_replies(context, user_id, (refusal,))


async def on_staff_text(update: Update, context: Context) -> None:
    """Give a staff member's typed message to the staff desk if a dialogue is open."""
    desk, message, user = context.bot_data.desk, update.effective_message, update.effective_user
    if desk is None or message is None or user is None or message.text is None:
        return
    if not _staff(update, context, Privilege.STAFF_TEXT):
        return  # not for the desk: the parents' handlers answer it
    replies = await desk.text(user.id, message.text)
    if replies is None:
        return  # not for the desk: the parents' handlers answer it
    await send_replies(context, user.id, replies)
    raise ApplicationHandlerStop  # handled: the parents' handlers must not answer it too


async def send_replies(context: Context, chat_id: int, replies: tuple[Reply, ...]) -> None:
    """Send the desk's replies (best effort; a staff member can simply ask again)."""
    channel = TelegramNotices(context.bot)
    for reply in replies:
        try:
            await channel.send(chat_id, reply)
        except Exception as exc:  # noqa: BLE001 - one lost staff message must not crash
            logger.warning("staff reply not delivered: %s", type(exc).__name__)


def staff_command(name: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Return the handler of a staff command (the desk refuses non-staff and says so)."""

    async def handle(update: Update, context: Context) -> None:
        desk, user = context.bot_data.desk, update.effective_user
        if desk is None or user is None:
            return
        if not _staff(update, context, Privilege.STAFF_COMMAND):
            await _refuse(context, user.id)
            return
        argument = " ".join(context.args or ())
        await send_replies(context, user.id, await desk.command(user.id, name, argument))

    handle.__name__ = f"on_{name}"
    handle.__doc__ = f"Handle the staff command /{name}."
    return handle


async def on_staff_button(update: Update, context: Context) -> None:
    """Hand a staff dialogue button to the desk (forged or stale data gets its stale reply)."""
    query, desk, user = update.callback_query, context.bot_data.desk, update.effective_user
    if query is None or desk is None or user is None:
        return
    await answer_callback(query)
    pressed = decode(query.data if isinstance(query.data, str) else None)
    if pressed is None or pressed.press is not Press.STAFF:
        return
    if not _staff(update, context, Privilege.STAFF_BUTTON):
        await _refuse(context, user.id)
        return
    replies = await desk.press(user.id, (pressed.args[0], pressed.args[1]))
    message = query.message if isinstance(query.message, Message) else None
    first = replies[0] if replies else None
    in_place = first is not None and first.placement is Placement.REPLACE_PRESSED
    # A toggled choice updates its own message instead of adding one.
    if message is not None and first is not None and in_place:
        replies = replies[1:] if await replace_pressed(message, first) else replies
    await send_replies(context, user.id, replies)


async def resume_notices(context: Context) -> None:
    """Send notices left waiting by a passing failure (the outbox retries them in order)."""
    announcements = context.bot_data.announcements
    if announcements is not None:
        await announcements.notices.resume()
