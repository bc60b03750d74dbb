"""Parse Bot API HTML formatting and check inline keyboards the way Telegram does (loosely).

The tag list follows the Bot API "Formatting options" section (HTML style): b/strong,
i/em, u/ins, s/strike/del, tg-spoiler and span class="tg-spoiler", a href, tg-emoji,
code, pre (with an inner code class="language-…"), blockquote (optionally expandable).
Only the named entities &lt; &gt; &amp; &quot; and numeric entities are decoded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*?)?)\s*/?>")
_ATTR_RE = re.compile(
    r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_CHAR_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class EntityParseError(ValueError):
    """The text cannot be parsed in the requested parse mode."""


class MarkupError(ValueError):
    """A reply_markup is malformed; the message is the Bot API description without prefix."""


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, the unit of entity offsets.

    Args:
        text: Any string.

    Returns:
        The number of UTF-16 code units.

    """
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _attrs(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found[match.group(1).lower()] = html.unescape(value)
    return found


def _decode_char_entity(token: str) -> str:
    if token.startswith("#x") or token.startswith("#X"):
        return chr(int(token[2:], 16))
    if token.startswith("#"):
        return chr(int(token[1:]))
    return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[token]


def parse_html(source: str, users: dict[int, JSON] | None = None) -> tuple[str, list[JSON]]:
    """Turn Bot API HTML into plain text plus MessageEntity objects.

    Args:
        source: The text as the bot sent it with parse_mode HTML.
        users: Known users, so ``tg://user?id=`` links become text_mention entities.

    Returns:
        The plain text and its entities sorted by offset (longest first on ties).

    Raises:
        EntityParseError: Unknown or unbalanced tags, or a stray ``<``; the message is what
            Telegram puts after "can't parse entities: ".

    """
    out: list[str] = []
    pos = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            byte_offset = len(source[:i].encode("utf-8"))
            match = _TAG_RE.match(source, i)
            if match is None:
                raise EntityParseError(f'Unsupported start tag "" at byte offset {byte_offset}')
            name = match.group(2).lower()
            if match.group(1):
                if not stack or stack[-1].name != name:
                    raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset}")
                _close(stack.pop(), pos, stack, entities, users or {})
            else:
                if name not in _ENTITY_TYPE:
                    raise EntityParseError(
                        f'Unsupported start tag "{name}" at byte offset {byte_offset}'
                    )
                attrs = _attrs(match.group(3))
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
                    )
                stack.append(_Open(name, pos, attrs))
            i = match.end()
            continue
        if char == "&":
            entity = _CHAR_ENTITY_RE.match(source, i)
            if entity is not None:
                decoded = _decode_char_entity(entity.group(1))
                out.append(decoded)
                pos += utf16_len(decoded)
                i = entity.end()
                continue
        end = i + 1
        while end < len(source) and source[end] not in "<&":
            end += 1
        chunk = source[i:end]
        out.append(chunk)
        pos += utf16_len(chunk)
        i = end
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close(
    opened: _Open, pos: int, stack: list[_Open], entities: list[JSON], users: dict[int, JSON]
) -> None:
    length = pos - opened.offset
    language = opened.attrs.get("class", "")
    if opened.name == "code" and stack and stack[-1].name == "pre":
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
        return
    if length <= 0:
        return
    entity: JSON = {"type": _ENTITY_TYPE[opened.name], "offset": opened.offset, "length": length}
    if opened.name == "a":
        href = opened.attrs.get("href")
        if not href:
            return
        user_id = _mention_id(href)
        if user_id is not None and user_id in users:
            entity["type"] = "text_mention"
            entity["user"] = users[user_id]
        else:
            entity["url"] = href
    elif opened.name == "pre" and opened.language:
        entity["language"] = opened.language
    elif opened.name == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.attrs.get("emoji-id", "")
    entities.append(entity)


def _mention_id(href: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", href)
    return int(match.group(1)) if match else None


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate a reply_markup and return what a Message carries back (inline keyboards only).

    Args:
        markup: The decoded reply_markup parameter.

    Returns:
        The inline keyboard as sent, or None for reply keyboards, removals and force replies.

    Raises:
        MarkupError: The markup is malformed or a callback_data is not 1-64 bytes.

    """
    if not isinstance(markup, dict):
        raise MarkupError("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise MarkupError("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise MarkupError("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise MarkupError("can't parse inline keyboard button: Text is not specified")
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise MarkupError(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise MarkupError("BUTTON_DATA_INVALID")
    return markup
