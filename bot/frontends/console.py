"""Console conversation through the same use case as Telegram: `elternlotse chat`."""

from __future__ import annotations

import asyncio
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Conversation, Parent
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Button, Outcome
from bot.events import Event, EventKind
from bot.frontends.plain import flat_buttons, render_plain
from bot.storage.memory import MemoryStore

QUIT = {"/exit", "/quit"}  # /ende ends a counsellor conversation, not the console
CONSOLE_PARENT = Parent(id=1, language="de")


def _label(text: str) -> str:
    """Return a button label or a typed line without emoji and case, for comparing."""
    return " ".join(w for w in text.casefold().split() if any(ch.isalnum() for ch in w))


def event_for(
    line: str, buttons: list[Button], kb: KnowledgeBase, takes_text: bool = False
) -> Event:
    """Turn one console line into an event.

    A number presses the shown button with that number — except at a step that reads typed
    input (ages, a number), where „3" is the input; there `/3` or the button's words press it.
    """
    stripped = line.strip()
    if (
        stripped.startswith("/")
        and stripped[1:].isdigit()
        and 1 <= int(stripped[1:]) <= len(buttons)
    ):
        return Event(EventKind.BUTTON, buttons[int(stripped[1:]) - 1].data)
    if not takes_text and stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Event(EventKind.BUTTON, buttons[int(stripped) - 1].data)
    typed = _label(stripped)
    pressed = next((b for b in buttons if typed and _label(b.label) == typed), None)
    if pressed is not None:
        return Event(EventKind.BUTTON, pressed.data)
    if stripped.startswith("/"):
        command = kb.command(stripped[1:].split(" ", 1)[0])
        if command is not None:
            return Event(command.event)
    return Event(EventKind.TEXT, line)


def print_outcome(outcome: Outcome, out: TextIO) -> list[Button]:
    """Print the replies with numbered buttons; return the buttons in number order."""
    buttons: list[Button] = []
    for reply in outcome.replies:
        out.write(render_plain(reply) + "\n")
        for button in flat_buttons(reply):
            buttons.append(button)
            out.write(f"[{len(buttons)}] {button.label}\n")
        out.write("\n")
    out.flush()
    return buttons


async def _read_line(stdin: TextIO) -> str:
    # Reading stdin blocks; a thread keeps the event loop (and the use case's locks) free.
    return await asyncio.to_thread(stdin.readline)


async def chat(dialogue: Dialogue, config: Config, stdin: TextIO, out: TextIO) -> int:
    """Hold a conversation on the console until end of input or /ende.

    The conversation keeps its state in memory only: nothing survives the process.

    Args:
        dialogue: The dialogue core.
        config: The configuration (time zone of the daily counters).
        stdin: Input, one message per line (a TTY or a pipe).
        out: Where replies are printed.

    Returns:
        The process exit code.

    """
    conversation = Conversation(dialogue, MemoryStore(), SystemClock(), ZoneInfo(config.timezone))
    out.write(dialogue.texts("console_intro") + "\n\n")
    outcome = await conversation.handle(CONSOLE_PARENT, Event(EventKind.START))
    buttons = print_outcome(outcome, out)
    takes_text = False
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = await _read_line(stdin)
        if not line or line.strip().lower() in QUIT:
            return 0
        line = line.rstrip("\n")
        if not interactive:
            out.write(f"> {line}\n")
        event = event_for(line, buttons, dialogue.kb, takes_text)
        outcome = await conversation.handle(CONSOLE_PARENT, event)
        buttons = print_outcome(outcome, out) or buttons
        takes_text = any(r.takes_text for r in outcome.replies)
