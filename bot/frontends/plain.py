"""Plain-text rendering of core replies (console, checks); Telegram renders HTML itself."""

from __future__ import annotations

from bot.dialogue.model import Button, Reply


def render_plain(reply: Reply) -> str:
    """Render a reply as plain text without its buttons."""
    parts = [p for p in (reply.title, reply.text, reply.footer) if p]
    return "\n\n".join(parts)


def flat_buttons(reply: Reply) -> list[Button]:
    """Return the reply's buttons in reading order (rows left to right, top to bottom)."""
    return [button for row in reply.buttons for button in row]
