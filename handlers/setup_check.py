"""Start-up checks of the set-up against Telegram, the summary they log, and one token per process.

A counsellors' group that cannot work (no topics, the bot without the right to manage them, a
wrong id) refuses the start with one line: otherwise parents would be told „eingegangen" for
requests that never reach anyone (review D1). A second process polling the same token gets
409 Conflict from getUpdates; it stops with one line instead of a traceback every few seconds
(review D8).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from telegram import Bot, ChatMemberAdministrator, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Conflict, Forbidden
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.announcements.chats import ProtectedChat, protected_chats
from bot.announcements.model import ChatProblem
from bot.config import Config
from bot.storage.sqlite import DATABASE_NAME, SqliteStore
from handlers.announcements import TelegramNotices
from handlers.app import BotApp
from handlers.services import Context

logger = logging.getLogger(__name__)

# A Conflict this soon after polling began, before any update arrived, means this process is the
# newcomer: the other one was polling first (its next getUpdates ends ours). A process that has
# served already stays and leaves it to the newcomer to go.
NEWCOMER_SECONDS = 30.0
ANOTHER_INSTANCE = (
    "Ein anderer Prozess nutzt dieses Token (another instance is polling with this token): "
    "stop it first (e.g. the service: `systemctl stop elternlotse`), then start again."
)


class SetupProblem(Exception):
    """The set-up cannot work; the message is the one line that says what to do."""


class GroupRight(Enum):
    """What the bot may do in the counsellors' group, from getChatMember."""

    MANAGES_TOPICS = "Bot darf Themen verwalten"
    NO_TOPIC_RIGHT = "Bot darf keine Themen verwalten"
    NOT_ADMIN = "Bot ist kein Administrator"


@dataclass(frozen=True)
class CounsellingGroup:
    """The counsellors' group as Telegram reports it."""

    title: str
    is_forum: bool
    right: GroupRight
    can_invite_users: bool


async def inspect_group(bot: Bot, group_id: int) -> CounsellingGroup:
    """Ask the Bot API about the counsellors' group (getChat, getChatMember of the bot).

    Raises:
        SetupProblem: Telegram does not let the bot see the chat (a wrong id, the bot removed).

    """
    where = f"counselling.group_id {group_id}"
    try:
        chat = await bot.get_chat(group_id)
        member = await bot.get_chat_member(group_id, bot.id)
    except (BadRequest, Forbidden) as exc:
        raise SetupProblem(
            f"{where}: Telegram says '{exc.message}'. Check the id (a supergroup's starts "
            "with -100) and that the bot is a member of the group, then start again."
        ) from exc
    if chat.type not in (ChatType.SUPERGROUP, ChatType.GROUP):
        raise SetupProblem(f"{where} is not a group; write the counsellors' group's id there.")
    right = GroupRight.NOT_ADMIN
    invite = False
    if isinstance(member, ChatMemberAdministrator):
        topics = member.can_manage_topics is True
        right = GroupRight.MANAGES_TOPICS if topics else GroupRight.NO_TOPIC_RIGHT
        invite = member.can_invite_users
    return CounsellingGroup(chat.title or "", chat.is_forum is True, right, invite)


def refusal(group: CounsellingGroup) -> str | None:
    """Return the one line why the counsellors' group cannot work, or None when it can."""
    name = f"The counsellors' group „{group.title}\""
    if not group.is_forum:
        return (
            f"{name} has no topics: in Telegram open the group → Edit → switch on „Topics“ "
            "(Themen), then start again. (A basic group gets a new id starting with -100 "
            "then; write it into counselling.group_id.)"
        )
    if group.right is GroupRight.NOT_ADMIN:
        return (
            f"{name}: the bot is not an administrator. Make it one with the right „Manage "
            "topics“ (Themen verwalten), then start again."
        )
    if group.right is GroupRight.NO_TOPIC_RIGHT:
        return (
            f"{name}: the bot may not manage topics. Give it the administrator right „Manage "
            "topics“ (Themen verwalten), then start again."
        )
    return None


async def check_setup(bot: Bot, config: Config) -> list[str]:
    """Check every configured feature against Telegram; return one summary line per feature.

    Raises:
        SetupProblem: A feature is configured but cannot work (the message says what to do).

    """
    counselling = config.counselling
    if counselling is None:
        lines = ["Beratung: aus (kein Abschnitt counselling mit group_id)"]
    else:
        group = await inspect_group(bot, counselling.group_id)
        problem = refusal(group)
        if problem is not None:
            raise SetupProblem(problem)
        lines = [
            f"Beratung: an — Gruppe „{group.title}“, Themen aktiv, {group.right.value}, "
            + _counsellors(len(counselling.counsellors))
        ]
    staff = config.announcements.staff_ids if config.announcements is not None else frozenset()
    lines.append(f"Team: {len(staff)}")
    events = await _events_line(bot, config) if config.announcements is not None else None
    lines.append(events or "Termine: aus")
    return lines


# What is missing in a protected chat, as the summary says it.
MISSING = {
    ChatProblem.NOT_FOUND: "Bot ist nicht in der Gruppe (or the id is wrong)",
    ChatProblem.NOT_ADMIN: "Bot ist kein Administrator",
    ChatProblem.NO_INVITE_RIGHT: "Bot fehlt das Recht „Nutzer einladen“ (can_invite_users)",
    ChatProblem.UNCHECKED: "Telegram antwortete nicht; nicht geprüft",
}


async def _events_line(bot: Bot, config: Config) -> str:
    """Return the events' summary: their protected chats and whether the bot may invite there.

    Events are staff content, not configuration: a chat the bot cannot invite to is logged as a
    warning per event (staff also get a private alert once the bot runs), and the start goes on.
    """
    chats = await _protected_chats(bot, config)
    if not chats:
        return "Termine: an"
    broken = [(c, c.access.problem) for c in chats if c.access.problem is not None]
    for chat, problem in broken:
        logger.warning(
            "Termin Nr. %d „%s“ (chat %s): %s – invite links will fail; in the group make the "
            "bot an administrator with „Nutzer einladen“ (Invite users)",
            chat.event.id,
            chat.event.title,
            chat.event.chat_id,
            MISSING[problem],
        )
    verdict = (
        "Bot darf überall einladen"
        if not broken
        else "Bot darf NICHT einladen bei Termin Nr. "
        + ", ".join(str(c.event.id) for c, _ in broken)
    )
    return f"Termine: an — geschützte Chats: {len(chats)}, {verdict}"


async def _protected_chats(bot: Bot, config: Config) -> list[ProtectedChat]:
    """Return the upcoming events with a protected chat, read from the database if there is one.

    The check runs before the bot opens its store; without a database there are no events.
    """
    path = config.data_dir / DATABASE_NAME
    if not path.exists():
        return []
    store = SqliteStore(path)
    await store.open()
    try:
        return await protected_chats(store, TelegramNotices(bot), datetime.now(UTC))
    finally:
        await store.close()


def _counsellors(count: int) -> str:
    return "1 Beraterin" if count == 1 else f"{count} Beraterinnen"


@dataclass
class TokenGuard:
    """Stops polling when another process polls with the same token (409 Conflict).

    Attributes:
        started: When polling began (time.monotonic); set by `begin`.
        served: True once an update arrived: this process was polling first.
        conflicts: How many Conflicts this process got while staying.
        newcomer_refused: True once this process stopped because it came second.

    """

    started: float = field(default_factory=time.monotonic)
    served: bool = False
    conflicts: int = 0
    newcomer_refused: bool = False

    def begin(self) -> None:
        """Note that polling begins now."""
        self.started = time.monotonic()

    async def on_update(self, update: object, context: Context) -> None:
        """Note that an update arrived (it goes on to the other handlers)."""
        self.served = True

    async def on_error(self, update: object, context: Context) -> None:
        """Handle Conflict before any other error handler: one line, no traceback.

        Raises:
            ApplicationHandlerStop: Always for a Conflict, so the traceback handler stays quiet.

        """
        if not isinstance(context.error, Conflict):
            return
        if self.newcomer_refused:
            raise ApplicationHandlerStop
        if not self.served and time.monotonic() - self.started <= NEWCOMER_SECONDS:
            self.newcomer_refused = True
            context.application.stop_running()
            raise ApplicationHandlerStop
        self.conflicts += 1
        # 1, 10, 100, …: seen in the log, without a line every few seconds.
        if str(self.conflicts).strip("0") == "1":
            logger.warning(
                "another process polls with this token (conflict %d); it should stop by "
                "itself, else stop it",
                self.conflicts,
            )
        raise ApplicationHandlerStop


def install_token_guard(application: BotApp) -> TokenGuard:
    """Put a TokenGuard before every other error handler and let it see every update.

    Returns:
        The guard; `begin` it when polling starts.

    """
    guard = TokenGuard()
    # PTB calls error handlers in the order added, and ApplicationHandlerStop ends the round:
    # so the guard answers a Conflict before the handler that logs tracebacks.
    others = dict(application.error_handlers)
    for callback in others:
        application.remove_error_handler(callback)
    application.add_error_handler(guard.on_error)
    for callback, block in others.items():
        application.add_error_handler(callback, block=block)
    # A group of its own: every update still reaches the handlers of the other groups.
    application.add_handler(TypeHandler(Update, guard.on_update), group=-100)
    return guard
