"""Handlers for the team's help and figures: /hilfe per role, the staff's /statistik.

Parents keep their own /hilfe (handlers/parents.py). A counsellor asking in the counsellors'
group gets the counsellors' help; a staff member in a private chat gets the staff's help and
then the parents' (staff may use those commands too). The command lines come from
knowledge/commands.yaml, the sentences around them from knowledge/texts.yaml.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Update

from bot.access import Access, Privilege, Role
from bot.content.knowledge import TeamCommand
from bot.dialogue.model import Outcome, OutcomeKind, Reply, State
from bot.events import Event, EventKind
from bot.usage.report import UsageReport
from handlers.delivery import Undeliverable, deliver
from handlers.parents import respond, send_outcome
from handlers.services import Context

logger = logging.getLogger(__name__)


def command_lines(commands: Sequence[TeamCommand]) -> str:
    """Return one line per command for a help text: „/faelle – zeigt die offenen Fälle …"."""
    return "\n".join(f"/{c.name} – {c.help}" for c in commands)


def _role(update: Update, context: Context) -> Role | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    return Access(context.bot_data.config).role_of(user.id, chat.id, chat.type == Chat.PRIVATE)


async def on_counsellor_help(update: Update, context: Context) -> None:
    """Answer /hilfe in the counsellors' group: their help, or who it is for.

    A group member who is not a configured counsellor learns that the commands are not theirs,
    instead of silence (nothing privileged is shown or done).
    """
    message, role = update.effective_message, _role(update, context)
    if message is None or role is None:
        return
    kb = context.bot_data.dialogue.kb
    if role is Role.COUNSELLOR:
        text = kb.texts("help_counsellors", commands=command_lines(kb.counsellor_commands))
    else:
        text = kb.texts("help_group_not_counsellor")
    try:
        # Answered where it was asked (the general topic or a case's topic), as plain text.
        await deliver(lambda: message.reply_text(text, parse_mode=None), "sendMessage")
    except Undeliverable as exc:
        logger.info("help in the group not delivered: %s", exc)


async def on_staff_help(update: Update, context: Context) -> None:
    """Answer a staff member's /hilfe in a private chat: the staff's help, then the parents'."""
    if _role(update, context) is not Role.STAFF:
        await respond(update, context, Event(EventKind.HELP))
        return
    kb = context.bot_data.dialogue.kb
    text = kb.texts("help_staff", commands=command_lines(kb.staff_commands))
    await send_outcome(update, context, Outcome(OutcomeKind.INFO, (Reply(text),), State()))
    await respond(update, context, Event(EventKind.HELP))


def staff_figures(
    report: UsageReport,
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Return the handler of the staff's /statistik: the usage report of the last 30 days."""

    async def on_staff_figures(update: Update, context: Context) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        access = Access(context.bot_data.config)
        if not access.allows(Privilege.STAFF_COMMAND, user.id, chat.id, chat.type == Chat.PRIVATE):
            return
        text = await report.text(datetime.now(UTC))
        await send_outcome(update, context, Outcome(OutcomeKind.INFO, (Reply(text),), State()))

    return on_staff_figures
