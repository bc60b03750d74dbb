"""The formatting staff may use in a free-text announcement, read and checked.

The syntax is a small, safe part of Telegram's own HTML, so what staff type is what Telegram
shows: `<b>fett</b>`, `<i>kursiv</i>` and `<a href="https://…">Linktext</a>`, nested as needed.
Any other tag, a tag left open or closed twice, a link that is not https and a second link
inside a link are refused with a line that says what to change. A `<` or `&` that starts no tag
is ordinary text (it is escaped when sent). One optional link button goes on a line of its own:
`Knopf: Text | https://…`.

The announcement is stored as typed; it is read again when sent, so the preview and every copy
come from the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from bot.dialogue.model import Styled

TAGS = ("b", "i", "a")
BUTTON_LABEL_LENGTH = 40  # characters: longer labels are cut on narrow phones
URL_LENGTH = 1000
# A tag is „<", an optional „/", a letter, then anything up to „>" (no „<" in between).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>")
_HREF = re.compile(r"""\s+href\s*=\s*(?:"([^"]*)"|'([^']*)')\s*""", re.IGNORECASE)
_BUTTON_LINE = re.compile(r"\s*knopf\s*:(.*)", re.IGNORECASE)


class FormatProblem(Enum):
    """What is wrong with the formatting; the value is the wording key of its hint."""

    UNKNOWN_TAG = "hint_format_tag"  # field: tag
    NOT_CLOSED = "hint_format_open"  # fields: tag, end
    NOT_OPENED = "hint_format_close"  # field: tag
    LINK = "hint_format_link"  # field: tag
    BUTTON = "hint_format_button"


@dataclass(frozen=True)
class FormatError:
    """Why an announcement's formatting was refused, with what the hint names."""

    problem: FormatProblem
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkButton:
    """The announcement's link button: its label and the https address it opens."""

    label: str
    url: str


@dataclass(frozen=True)
class Formatted:
    """An announcement read: its styled stretches and its optional link button."""

    parts: tuple[Styled, ...]
    button: LinkButton | None = None

    @property
    def plain(self) -> str:
        """Return the text without styles (its length is what Telegram counts)."""
        return "".join(p.text for p in self.parts)


def safe_url(url: str) -> bool:
    """Return whether a link may go out: https, a host, no spaces or quotes, not too long."""
    if len(url) > URL_LENGTH or any(c.isspace() or c in "\"'<>" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def read_announcement(text: str) -> Formatted | FormatError:
    """Read a typed announcement: its formatting and its optional „Knopf:" line.

    Args:
        text: What staff typed.

    Returns:
        The styled stretches and the button, or the first problem found.

    """
    body_lines: list[str] = []
    button: LinkButton | None = None
    for line in text.split("\n"):
        found = _BUTTON_LINE.fullmatch(line)
        if found is None:
            body_lines.append(line)
            continue
        if button is not None:
            return FormatError(FormatProblem.BUTTON)
        read = _button(found.group(1))
        if isinstance(read, FormatError):
            return read
        button = read
    parts = _styled("\n".join(body_lines).strip())
    if isinstance(parts, FormatError):
        return parts
    return Formatted(parts, button)


def _button(rest: str) -> LinkButton | FormatError:
    """Read „Text | https://…" after „Knopf:"."""
    label, bar, url = rest.partition("|")
    label, url = label.strip(), url.strip()
    if not bar or not label or len(label) > BUTTON_LABEL_LENGTH or not safe_url(url):
        return FormatError(FormatProblem.BUTTON)
    if _TAG.search(label):
        return FormatError(FormatProblem.BUTTON)
    return LinkButton(label, url)


def _styled(text: str) -> tuple[Styled, ...] | FormatError:
    """Split text at its tags into styled stretches, checking every tag."""
    open_tags: list[tuple[str, str]] = []  # (name, the tag as typed) from the outside in
    url: str | None = None
    parts: list[Styled] = []
    position = 0
    for tag in _TAG.finditer(text):
        names = [name for name, _ in open_tags]
        if tag.start() > position:
            piece = text[position : tag.start()]
            parts.append(Styled(piece, "b" in names, "i" in names, url))
        position = tag.end()
        closing, name, attributes = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        typed = tag.group(0)
        if name not in TAGS:
            return FormatError(FormatProblem.UNKNOWN_TAG, {"tag": typed})
        if closing:
            if attributes.strip() or not open_tags or open_tags[-1][0] != name:
                return FormatError(FormatProblem.NOT_OPENED, {"tag": typed})
            if open_tags.pop()[0] == "a":
                url = None
            continue
        if name == "a":
            href = _HREF.fullmatch(attributes)
            link = (href.group(1) or href.group(2) or "") if href is not None else ""
            if not safe_url(link) or url is not None:
                return FormatError(FormatProblem.LINK, {"tag": typed})
            url = link
        elif attributes.strip():
            return FormatError(FormatProblem.UNKNOWN_TAG, {"tag": typed})
        open_tags.append((name, typed))
    if open_tags:
        name, typed = open_tags[-1]
        return FormatError(FormatProblem.NOT_CLOSED, {"tag": typed, "end": f"</{name}>"})
    parts.append(Styled(text[position:]))  # every tag is closed: the rest is plain
    return tuple(p for p in parts if p.text)


def plain_announcement(text: str) -> Formatted:
    """Return a text that is not to be read for formatting (an event's card) as one stretch."""
    return Formatted((Styled(text),))
