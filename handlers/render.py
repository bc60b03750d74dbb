"""Render core replies as Telegram HTML messages with inline keyboards."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.dialogue.model import Keyboard, Reply, Rows, Styled
from bot.limits import RENDERED_MESSAGE_LIMIT


@dataclass(frozen=True)
class Rendered:
    """One Telegram message: HTML text and an optional keyboard."""

    text: str
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def keyboard_of(rows: Rows) -> InlineKeyboardMarkup:
    """Return button rows as an inline keyboard (an empty one removes the buttons)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in rows
        ]
    )


def keyboard(
    reply: Reply,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """Return the reply's buttons as an inline keyboard, or its reply keyboard, or None.

    A message carries one markup: a reply that asks for a location has no inline buttons.
    """
    if reply.buttons:
        return keyboard_of(reply.buttons)
    if reply.keyboard is Keyboard.ASK_LOCATION:
        share = KeyboardButton(reply.keyboard_label, request_location=True)
        # One-time and resized: the button is gone once used; typing a postcode works too.
        return ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    if reply.keyboard is Keyboard.REMOVE:
        return ReplyKeyboardRemove()
    return None


def inline(markup: object) -> InlineKeyboardMarkup | None:
    """Return a markup if it is an inline keyboard (the only kind an edited message keeps)."""
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


def _chunks(text: str, limit: int) -> list[str]:
    """Split escaped HTML-free text at paragraph, line or word boundaries under `limit`."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    chunks.append(text)
    return [c for c in chunks if c]


def styled_html(parts: tuple[Styled, ...]) -> str:
    """Return styled stretches as Telegram HTML: every text and link escaped, only b, i, a."""
    out: list[str] = []
    for part in parts:
        text = html.escape(part.text)
        if part.bold:
            text = f"<b>{text}</b>"
        if part.italic:
            text = f"<i>{text}</i>"
        if part.url:
            text = f'<a href="{html.escape(part.url, quote=True)}">{text}</a>'
        out.append(text)
    return "".join(out)


def render(reply: Reply, limit: int = RENDERED_MESSAGE_LIMIT) -> list[Rendered]:
    """Render a reply as one or more HTML messages; the keyboard goes on the last one.

    Every piece of text is escaped, so nothing a parent typed (and echoed back) can break the
    markup. Only the title (bold), the footer (italic) and a styled text's stretches (b, i, a)
    add tags.
    """
    title = f"<b>{html.escape(reply.title)}</b>\n\n" if reply.title else ""
    footer = f"\n\n<i>{html.escape(reply.footer)}</i>" if reply.footer else ""
    body = styled_html(reply.styled) if reply.styled else html.escape(reply.text)
    whole = f"{title}{body}{footer}"
    # A styled text (an announcement, at most 3500 characters) is never cut: a cut could
    # split a tag, and Telegram counts its limit without the tags.
    if len(whole) <= limit or reply.styled:
        return [Rendered(whole, keyboard(reply))]
    parts = _chunks(body, limit - len(title) - 20)
    parts[0] = title + parts[0]
    if len(parts[-1]) + len(footer) <= limit:
        parts[-1] += footer
    elif footer:
        parts.append(footer.strip())  # the footer is short; the checker keeps it under the limit
    rendered = [Rendered(p, None) for p in parts]
    rendered[-1] = Rendered(rendered[-1].text, keyboard(reply))
    return rendered
