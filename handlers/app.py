"""The one place that wires the Telegram application: handlers, order, resources."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeChatAdministrators, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.announcements.desk import StaffDesk
from bot.announcements.ports import AnnouncementStore
from bot.announcements.service import Announcements
from bot.callbacks import Press
from bot.cases.service import AuditLog, Counselling
from bot.clock import SystemClock
from bot.config import Config
from bot.content.knowledge import Command, KnowledgeBase
from bot.conversation.flood import FloodLimit
from bot.conversation.service import Conversation
from bot.datafiles.texts import Texts
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Reply
from bot.events import EventKind
from bot.frontends.understanding import Understanding
from bot.frontends.web.app import ConsoleServices
from bot.frontends.web.server import ConsoleStore, console_services
from bot.groups.guard import GroupGuard
from bot.groups.service import PeerGroups, peer_groups
from bot.language.crisis_meaning import CrisisMeaning
from bot.language.encoding import AsyncEncoder, AsyncNearest
from bot.pacing import SendLimits
from bot.storage.ports import Store
from bot.usage.report import UsageReport
from handlers import groups as group_handlers
from handlers.announcements import (
    JobTimers,
    TelegramNotices,
    on_join_request,
    on_staff_button,
    on_staff_text,
    resume_notices,
    staff_command,
)
from handlers.channels import TelegramGroup, TelegramParents
from handlers.console import on_console
from handlers.counsellors import (
    on_figures,
    on_group_button,
    on_group_message,
    on_open_cases,
    tick,
)
from handlers.errors import on_error
from handlers.group_channel import TelegramPeerGroups
from handlers.help import on_counsellor_help, on_staff_help, staff_figures
from handlers.pacing import SlidingWindowLimiter
from handlers.parents import (
    command,
    on_button,
    on_group_command,
    on_location,
    on_non_text,
    on_text,
    on_unknown_command,
)
from handlers.privacy import purge
from handlers.services import Bound, Context, Services

logger = logging.getLogger(__name__)

BotApp = Application[
    ExtBot[None], Context, dict[object, object], dict[object, object], Services, JobQueue[Context]
]

CONCURRENT_UPDATES = 64
# Texts that may wait for the encoder at once. One encoding takes 15–30 ms on one core here, so
# six keep a message's wait under ~200 ms (the p99 budget is 300 ms); beyond them a message is
# read by its words alone, as without an encoder (one per update in flight, 64, could have made a
# burst wait two seconds).
ENCODER_QUEUE = 6
# Seconds after start of the first retention run.
PURGE_AFTER_START = 300
# How often unclaimed cases are reminded of and inactive ones closed.
TICK_SECONDS = 60
# How often the rate limiter retries after a 429 before `deliver` gets the error.
RATE_LIMIT_RETRIES = 3
# Button data of the counsellors' buttons (claim, close), versioned like every button.
_STAFF_PRESSES = re.compile(rf"^1:{Press.STAFF.value}:")
# The staff's commands (in a private chat; the desk refuses everyone else).
STAFF_COMMANDS = ("termin_neu", "termine_verwalten", "ankuendigen", "fragen", "abbrechen")
_GROUP_PRESSES = re.compile(
    rf"^1:({Press.CASE_CLAIM.value}|{Press.CASE_CLOSE.value}|{Press.CASE_CLOSE_ANSWER.value}):"
)
# The peer groups' buttons: her consent to a group's rules, a moderator's decision.
_CONSENT_PRESSES = re.compile(rf"^1:{Press.GROUP_CONSENT.value}:")
_MODERATOR_PRESSES = re.compile(rf"^1:{Press.MODERATION.value}:")
# The moderators' commands in a peer group (as a reply to the member's message).
SANCTIONS = ("verwarnen", "stumm", "entfernen")
# The handler group that drops edits before any other handler sees them.
EDITS = -10
# How often unanswered join requests are declined and newcomers' first days ended.
TIDY_SECONDS = 600
# Messages that are not text: answered with "I can read text".
NON_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
    | filters.CONTACT
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
)


def build_application(
    config: Config,
    dialogue: Dialogue,
    store: Store,
    request: BaseRequest | None = None,
    announcement_store: AnnouncementStore | None = None,
    understanding: Understanding | None = None,
    console_store: ConsoleStore | None = None,
) -> BotApp:
    """Build the Telegram application with every handler, in an explicit order.

    Args:
        config: Token, Bot API URL and time zone come from here.
        dialogue: The dialogue core.
        store: Storage; opened in post_init, closed in post_shutdown.
        request: A custom HTTP request object (tests use an offline one); default: httpx.
        announcement_store: Where events and broadcasts are kept (the SQLite store); without
            it, or without staff in the config, events are off. Its audit table also records
            the counsellors' actions.
        understanding: The encoder, semantic index and crisis meaning model loaded at start
            (None in most tests): other languages matched by meaning, the crisis guard's third
            signal; encoding runs in a worker thread.
        console_store: The web console's logins and decisions (the SQLite store; `console:`).

    Returns:
        The application, ready for `run_polling`.

    """
    application = _application(config, request)
    zone = ZoneInfo(config.timezone)
    audit = announcement_store.audit if announcement_store is not None else None
    counselling = _counselling(config, dialogue, store, application, zone, audit)
    announcements, desk = _announcements(config, dialogue, announcement_store, application, zone)
    clock = SystemClock()
    encoder = _encoder(understanding)
    conversation = Conversation(
        dialogue,
        store,
        clock,
        zone,
        counselling=counselling,
        announcements=announcements,
        flood=FloodLimit(config.privacy.messages_per_minute, clock),
        nearest=_nearest(encoder, understanding),
        crisis_signal=_meaning(encoder, understanding),
    )
    groups = _groups(config, dialogue, store, application, audit, _meaning(encoder, understanding))
    services = Bound(config, dialogue, conversation, store, counselling, announcements, desk)
    application.bot_data.bind(
        replace(services, understanding=understanding, encoder=encoder, groups=groups)
    )
    application.bot_data.bind_console(_console(config, console_store, dialogue, groups))
    _add_team_handlers(application, store)
    _add_group_handlers(application, groups)
    _add_handlers(application, dialogue.kb.commands)
    _schedule_retention(application, zone)
    return application


async def _drop(update: Update, context: Context) -> None:
    """End an edited message outside the peer groups here: no other handler reads edits."""
    raise ApplicationHandlerStop


def _add_team_handlers(application: BotApp, store: Store) -> None:
    """Add the console's, the counsellors' and the staff's handlers, as configured."""
    bound = application.bot_data
    config, kb = bound.config, bound.dialogue.kb
    _add_console_handler(application, config)
    help_names = _help_names(kb)
    if bound.counselling is not None:
        _add_counsellor_handlers(application, bound.counselling.config.group_id, help_names)
    if bound.desk is not None and config.announcements is not None:
        _add_staff_handlers(application, config.announcements.staff_ids)
        groups = bound.groups
        titles = {c.group.id: c.group.title for c in groups.registry} if groups else {}
        zone, cases = ZoneInfo(config.timezone), bound.counselling is not None
        report = UsageReport(store, kb.texts, zone, with_cases=cases, groups=titles)
        _add_staff_help(application, config.announcements.staff_ids, help_names, report)


def _groups(
    config: Config,
    dialogue: Dialogue,
    store: Store,
    application: BotApp,
    audit: AuditLog | None,
    meaning: CrisisMeaning | None,
) -> PeerGroups | None:
    """Wire the peer groups to Telegram when `groups:` is configured."""
    if config.groups is None:
        return None
    channel = TelegramPeerGroups(application.bot)
    return peer_groups(
        config.groups,
        dialogue.kb.groups,
        (store, channel, GroupGuard(dialogue, meaning)),
        dialogue.kb.texts,
        ZoneInfo(config.timezone),
        lambda: datetime.now(UTC),
        audit,
    )


def _add_group_handlers(application: BotApp, groups: PeerGroups | None) -> None:
    """Add the peer groups' handlers in their own group, ahead of everyone else's.

    Edits are dropped first of all, except in the peer groups (a newcomer's link edited in).
    """
    ids = sorted(groups.registry.chat_ids()) if groups is not None else []
    chats = filters.Chat(chat_id=ids)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED & ~chats, _drop), group=EDITS)
    if groups is None:
        return
    moderators = filters.Chat(chat_id=list(groups.registry.moderators_chats()))
    private_link = (
        filters.ChatType.PRIVATE & filters.TEXT & filters.Regex(group_handlers.MESSAGE_LINK)
    )
    help_names = _help_names(application.bot_data.dialogue.kb)
    at = group_handlers.GROUP
    for handler in (
        ChatJoinRequestHandler(group_handlers.on_join_request, chat_id=ids),
        CommandHandler("melden", group_handlers.on_report, filters=chats),
        CommandHandler("regeln", group_handlers.on_rules, filters=chats),
        CommandHandler(
            "melden", group_handlers.on_private_report, filters=filters.ChatType.PRIVATE
        ),
        # A message link alone (after „/melden" without one): a report too, not a question.
        MessageHandler(private_link, group_handlers.on_private_report),
        CommandHandler(help_names, group_handlers.on_moderators_help, filters=moderators),
        CommandHandler(SANCTIONS, group_handlers.on_sanction, filters=chats),
        MessageHandler(
            chats & filters.StatusUpdate.NEW_CHAT_MEMBERS, group_handlers.on_new_members
        ),
        MessageHandler(
            # Commands too (after ours above): „/x https://…" from a newcomer is a link.
            chats & filters.UpdateType.MESSAGES & ~filters.StatusUpdate.ALL,
            group_handlers.on_message,
        ),
        CallbackQueryHandler(group_handlers.on_consent, pattern=_CONSENT_PRESSES),
        CallbackQueryHandler(group_handlers.on_moderator_button, pattern=_MODERATOR_PRESSES),
    ):
        application.add_handler(handler, group=at)
    if application.job_queue is not None:
        application.job_queue.run_repeating(group_handlers.tidy, interval=TIDY_SECONDS, first=60)


def _schedule_retention(application: BotApp, zone: ZoneInfo) -> None:
    """Purge daily at night, and once soon after start (else a daily restart never purges)."""
    if application.job_queue is not None:
        application.job_queue.run_daily(purge, time(3, 30, tzinfo=zone))
        application.job_queue.run_once(purge, when=PURGE_AFTER_START)


def _encoder(understanding: Understanding | None) -> AsyncEncoder | None:
    """Return the loaded encoder, run in its worker thread, or None when it is off."""
    if understanding is None or understanding.encoder is None:
        return None
    return AsyncEncoder(understanding.encoder, max_waiting=ENCODER_QUEUE)


def _nearest(
    encoder: AsyncEncoder | None, understanding: Understanding | None
) -> AsyncNearest | None:
    """Return the matching by meaning (every typed message), or None without encoder or index."""
    if encoder is None or understanding is None or understanding.index is None:
        return None
    return AsyncNearest(encoder, understanding.index)


def _meaning(
    encoder: AsyncEncoder | None, understanding: Understanding | None
) -> CrisisMeaning | None:
    """Return the crisis guard's meaning signal, or None without encoder or model."""
    if encoder is None or understanding is None or understanding.meaning is None:
        return None
    return CrisisMeaning(encoder, understanding.meaning)


def _application(config: Config, request: BaseRequest | None) -> BotApp:
    """Build the bare application: token, Bot API URL, pacing, concurrency, lifecycle hooks."""
    if not config.token:
        raise ValueError("a token is required to build the Telegram application")
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .context_types(ContextTypes(context=Context, bot_data=Services))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        # Parents are independent: process their updates concurrently (one parent's updates are
        # still serialised by the use case's per-parent lock).
        .concurrent_updates(CONCURRENT_UPDATES)
        # Telegram's flood limits: about 30 messages per second overall and 20 per minute into
        # one group (the counsellors' forum). One limiter paces every request to a chat of the
        # process in sliding windows, and on a 429 it holds back every such request for
        # `retry_after` and retries; `deliver` retries network errors.
        # https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
        .rate_limiter(
            SlidingWindowLimiter(
                SendLimits(per_second=config.send_rate), max_retries=RATE_LIMIT_RETRIES
            )
        )
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if config.api_url:
        builder = builder.base_url(f"{config.api_url}/bot").base_file_url(
            f"{config.api_url}/file/bot"
        )
    application: BotApp = builder.build()  # type: ignore[assignment]
    return application


def _announcements(
    config: Config,
    dialogue: Dialogue,
    store: AnnouncementStore | None,
    application: BotApp,
    zone: ZoneInfo,
) -> tuple[Announcements | None, StaffDesk | None]:
    """Wire events and broadcasts to Telegram when staff are configured."""
    if config.announcements is None or store is None or application.job_queue is None:
        return None, None
    announcements = Announcements(
        config.announcements,
        store,
        dialogue.kb.texts,
        zone,
        TelegramNotices(application.bot),
        JobTimers(application.job_queue),
    )
    desk = StaffDesk(
        store,
        dialogue.kb.staff_texts,
        zone,
        announcements,
        config.announcements.staff_ids,
        lambda: datetime.now(UTC),
    )
    return announcements, desk


def _add_console_handler(application: BotApp, config: Config) -> None:
    """Add /konsole for staff and counsellors in a private chat (others: unknown command)."""
    staff = config.announcements.staff_ids if config.announcements else frozenset()
    team = frozenset(c.id for c in config.counselling.counsellors) if config.counselling else ()
    people = staff | frozenset(team)
    if people:
        allowed = filters.User(user_id=list(people)) & filters.ChatType.PRIVATE
        application.add_handler(CommandHandler("konsole", on_console, filters=allowed))


def _console(
    config: Config, store: ConsoleStore | None, dialogue: Dialogue, groups: PeerGroups | None
) -> ConsoleServices | None:
    """Build the web console's use cases when `console:` is configured (and a store given)."""
    if config.console is None or store is None:
        return None
    return console_services(config, config.console, store, dialogue, groups)


def _add_staff_handlers(application: BotApp, staff_ids: frozenset[int]) -> None:
    """Add the staff's commands, buttons and dialogue text, and the expert chats' door."""
    private = filters.ChatType.PRIVATE
    for name in STAFF_COMMANDS:
        application.add_handler(CommandHandler(name, staff_command(name), filters=private))
    application.add_handler(CallbackQueryHandler(on_staff_button, pattern=_STAFF_PRESSES))
    staff_text = filters.User(user_id=list(staff_ids)) & private & filters.TEXT & ~filters.COMMAND
    # Group -1 runs before the parents' handlers; it stops them only when the desk took the text.
    application.add_handler(MessageHandler(staff_text, on_staff_text), group=-1)
    application.add_handler(ChatJoinRequestHandler(on_join_request))
    if application.job_queue is not None:
        # Notices held up by a passing failure are retried, like the counsellors' outbox.
        application.job_queue.run_repeating(resume_notices, interval=TICK_SECONDS)


def _help_names(kb: KnowledgeBase) -> tuple[str, ...]:
    """Return the names of the help command (`hilfe` and its aliases) from commands.yaml."""
    spec = next((c for c in kb.commands if c.event is EventKind.HELP), None)
    return (spec.name, *spec.aliases) if spec is not None else ("hilfe",)


def _add_staff_help(
    application: BotApp, staff_ids: frozenset[int], help_names: tuple[str, ...], report: UsageReport
) -> None:
    """Add the staff's /hilfe and /statistik, before the parents' commands of the same name.

    Only staff in a private chat reach them; anyone else keeps the parents' /hilfe and the
    answer to an unknown command for /statistik.
    """
    staff = filters.User(user_id=list(staff_ids)) & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(help_names, on_staff_help, filters=staff))
    application.add_handler(CommandHandler("statistik", staff_figures(report), filters=staff))


def _counselling(
    config: Config,
    dialogue: Dialogue,
    store: Store,
    application: BotApp,
    zone: ZoneInfo,
    audit: AuditLog | None,
) -> Counselling | None:
    """Wire the hand-over to Telegram when a counsellors' group is configured."""
    if config.counselling is None:
        return None

    def canned(entry_id: str) -> Reply | None:
        entry = dialogue.kb.entries.get(entry_id)
        return dialogue.views.answer_reply(entry) if entry else None

    return Counselling(
        config.counselling,
        dialogue.kb,
        store,
        TelegramGroup(application.bot, config.counselling.group_id),
        TelegramParents(application.bot),
        zone,
        canned,
        audit=audit,
    )


def _add_counsellor_handlers(
    application: BotApp, group_id: int, help_names: tuple[str, ...]
) -> None:
    """Add the counsellors' group first, so nothing said there reaches the parents' handlers."""
    group = filters.Chat(chat_id=group_id)
    # Before the group's message handler: /hilfe in a case's topic is not relayed to the parent.
    application.add_handler(CommandHandler(help_names, on_counsellor_help, filters=group))
    application.add_handler(CommandHandler("faelle", on_open_cases, filters=group))
    application.add_handler(CommandHandler("statistik", on_figures, filters=group))
    application.add_handler(CallbackQueryHandler(on_group_button, pattern=_GROUP_PRESSES))
    application.add_handler(MessageHandler(group & ~filters.StatusUpdate.ALL, on_group_message))
    if application.job_queue is not None:
        application.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=TICK_SECONDS)


def _add_handlers(application: BotApp, commands: Sequence[Command]) -> None:
    """Add every handler to group 0, in order: commands, buttons, text, everything else."""
    for spec in commands:
        names = (spec.name, *spec.aliases)
        # Private chats only: in a group, /meine_daten or /loeschen would answer to everyone.
        application.add_handler(
            CommandHandler(names, command(spec.event), filters=filters.ChatType.PRIVATE)
        )
        application.add_handler(
            CommandHandler(names, on_group_command, filters=filters.ChatType.GROUPS)
        )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text)
    )
    application.add_handler(MessageHandler(NON_TEXT & filters.ChatType.PRIVATE, on_non_text))
    application.add_handler(
        # New messages only: a live location's position updates arrive as edited messages.
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.LOCATION & filters.ChatType.PRIVATE, on_location
        )
    )
    # Last of all, after the parents', counsellors' and staff's commands (added before this):
    # any other command in a private chat, including one meant for another bot
    # (`/start@otherbot`, which PTB's CommandHandler does not take as ours).
    unknown = filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(unknown, on_unknown_command))
    application.add_error_handler(on_error)


async def _post_init(application: BotApp) -> None:
    await application.bot_data.store.open()
    counselling = application.bot_data.counselling
    if counselling is not None:
        await counselling.outbox.resume()  # what a crash left pending goes out first
    if application.bot_data.announcements is not None:
        # Timers from the database; unfinished broadcasts and notices go on.
        await application.bot_data.announcements.start()
    groups = application.bot_data.groups
    if groups is not None:
        await groups.start()  # the rights in each group, the join links
        application.bot_data.dialogue.board = groups.registry
    await _set_command_menus(application)
    logger.info("bot @%s ready", application.bot.username)


async def _set_command_menus(application: BotApp) -> None:
    """Register Telegram's „/" menu per chat: each staff member's, the counsellors', the parents'.

    Telegram shows the most specific scope: a chat's own list, else the default one. The
    parents' list is the default and goes last, so a start is complete once it is set.
    https://core.telegram.org/bots/api#determining-list-of-commands
    """
    bound, bot = application.bot_data, application.bot
    kb = bound.dialogue.kb
    parents = [BotCommand(c.name, c.description) for c in kb.commands if c.menu]
    if bound.desk is not None and bound.config.announcements is not None:
        # Staff may use the parents' commands too: theirs first, then the parents' others.
        staff = [BotCommand(c.name, c.description) for c in kb.staff_commands]
        names = {c.command for c in staff}
        staff += [c for c in parents if c.command not in names]
        for user_id in sorted(bound.config.announcements.staff_ids):
            # The id names a configured staff member (never a parent), so the operator knows
            # whom to ask to write to the bot once.
            hint = " (a staff member must have written to the bot once)"
            await _set_chat_menu(bot, staff, user_id, f"staff member {user_id}", hint)
    if bound.counselling is not None:
        group = [BotCommand(c.name, c.description) for c in kb.counsellor_commands]
        where = "the counsellors' group"
        await _set_chat_menu(bot, group, bound.counselling.config.group_id, where, "")
    if bound.groups is not None:
        await _set_group_menus(bot, bound.groups, kb.texts)
    await bot.set_my_commands(parents)


async def _set_group_menus(bot: Bot, groups: PeerGroups, texts: Texts) -> None:
    """Give each peer group /regeln and /melden, and its admins the moderators' commands too."""
    members = [BotCommand(n, texts(f"menu_{n}")) for n in ("regeln", "melden")]
    moderators = members + [BotCommand(n, texts(f"menu_{n}")) for n in SANCTIONS]
    for chat in groups.registry:
        where = f"peer group {chat.group.id}"
        await _set_chat_menu(bot, members, chat.chat_id, where, "")
        try:
            await bot.set_my_commands(
                moderators, scope=BotCommandScopeChatAdministrators(chat.chat_id)
            )
        except (BadRequest, Forbidden) as exc:
            logger.warning("moderators' menu in %s not set (Telegram: %s)", where, exc.message)


async def _set_chat_menu(
    bot: Bot, commands: list[BotCommand], chat_id: int, where: str, hint: str
) -> None:
    """Set one chat's command menu; a refusal is one log line, never a failed start.

    A staff member who has never written to the bot is a chat Telegram does not know yet
    (400 „chat not found"); the menu follows at the next start after they did.
    """
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except (BadRequest, Forbidden) as exc:
        logger.warning(
            "command menu for %s not set (Telegram: %s); the next start tries again%s",
            where,
            exc.message,
            hint,
        )


async def _post_stop(application: BotApp) -> None:
    # Senders stop while the bot can still talk to Telegram (post_shutdown comes after the
    # bot's own shutdown): a send cut off here is simply pending at the next start.
    if application.bot_data.counselling is not None:
        await application.bot_data.counselling.outbox.stop()
    if application.bot_data.announcements is not None:
        await application.bot_data.announcements.stop()


async def _post_shutdown(application: BotApp) -> None:
    await _post_stop(application)  # idempotent; covers a start that failed before stop
    await application.bot_data.store.close()
    if application.bot_data.encoder is not None:
        application.bot_data.encoder.close()


# Edits are asked for because of the peer groups (a newcomer's link added by editing); every
# other edit is dropped first thing (`_drop_edits`), so elsewhere nothing changes.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHAT_JOIN_REQUEST,
]
