"""Console conversation with the dialogue core: `elternlotse chat`."""

from __future__ import annotations

from typing import TextIO

from bot.dialogue import Button, Dialogue, Event, EventKind, Outcome, State
from bot.render import flat_buttons, render_plain

COMMANDS = {
    "/start": EventKind.START,
    "/hilfe": EventKind.HELP,
    "/help": EventKind.HELP,
    "/themen": EventKind.TOPICS,
    "/datenschutz": EventKind.PRIVACY,
    "/loeschen": EventKind.DELETE,
}
QUIT = {"/ende", "/exit", "/quit"}


def event_for(line: str, buttons: list[Button]) -> Event:
    """Turn one console line into an event: a number presses a shown button."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Event(EventKind.BUTTON, buttons[int(stripped) - 1].data)
    command = COMMANDS.get(stripped.split(" ", 1)[0].lower()) if stripped.startswith("/") else None
    if command is not None:
        return Event(command)
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


def chat(dialogue: Dialogue, stdin: TextIO, out: TextIO) -> int:
    """Hold a conversation on the console until end of input or /ende.

    Args:
        dialogue: The dialogue core.
        stdin: Input, one message per line (a TTY or a pipe).
        out: Where replies are printed.

    Returns:
        The process exit code.

    """
    state = State()
    out.write(dialogue.texts("console_intro") + "\n\n")
    outcome = dialogue.handle(state, Event(EventKind.START))
    state = outcome.state
    buttons = print_outcome(outcome, out)
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT:
            return 0
        line = line.rstrip("\n")
        if not interactive:
            out.write(f"> {line}\n")
        outcome = dialogue.handle(state, event_for(line, buttons))
        state = outcome.state
        for action in outcome.actions:
            # The console keeps nothing; it only shows what a front end with storage would do.
            out.write(f"(Aktion: {action.kind.value})\n")
        buttons = print_outcome(outcome, out) or buttons
