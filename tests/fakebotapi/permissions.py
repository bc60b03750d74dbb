"""ChatPermissions as telegram-bot-api reads them, and the dates restrictions and bans last until.

https://core.telegram.org/bots/api#chatpermissions; the parsing rules (defaults, implications,
error texts) are those of telegram-bot-api's ``Client::get_chat_permissions``.
"""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]

# The ChatPermissions fields in the order the Bot API documents them.
PERMISSION_NAMES = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
MEDIA_PERMISSIONS = (
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
)
# What a new supergroup lets its members do (Telegram's defaults for a private group).
DEFAULT_CHAT_PERMISSIONS: JSON = {
    **dict.fromkeys(PERMISSION_NAMES, True),
    "can_edit_tag": False,
    "can_change_info": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
}
# Restricting for less than this, or more than MAX_RESTRICT_SECONDS, restricts forever.
MIN_RESTRICT_SECONDS = 30
MAX_RESTRICT_SECONDS = 366 * 24 * 3600


class PermissionsError(ValueError):
    """A permissions parameter telegram-bot-api refuses; the text follows "Bad Request: "."""


def parse_permissions(raw: Any, *, independent: bool) -> JSON:
    """Read a ``permissions`` parameter into all sixteen ChatPermissions fields.

    Fields left out are false, except that ``can_manage_topics`` and ``can_edit_tag`` follow
    ``can_pin_messages`` and ``can_react_to_messages`` follows ``can_send_messages``. The older
    ``can_send_media_messages`` stands for all six media fields when none of them is given.
    Unless ``independent``, ``can_send_other_messages`` and ``can_add_web_page_previews`` imply
    text and every media kind, and ``can_send_polls`` implies text.

    Args:
        raw: The parameter: a dict, a JSON string of one, or None (everything forbidden).
        independent: ``use_independent_chat_permissions``.

    Returns:
        The permissions, every field present.

    Raises:
        PermissionsError: Not a JSON object, or a field that is not a JSON boolean.

    """
    if raw is None:
        return dict.fromkeys(PERMISSION_NAMES, False)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise PermissionsError("can't parse permissions JSON object") from exc
    if not isinstance(raw, dict):
        raise PermissionsError("object expected as permissions")
    for name, value in raw.items():
        if (name in PERMISSION_NAMES or name == "can_send_media_messages") and not isinstance(
            value, bool
        ):
            raise PermissionsError(
                f'can\'t parse chat permissions: Field "{name}" must be of type Boolean'
            )
    given: JSON = {name: raw[name] for name in PERMISSION_NAMES if name in raw}
    perms: JSON = dict.fromkeys(PERMISSION_NAMES, False)
    perms.update(given)
    if not any(name in given for name in MEDIA_PERMISSIONS):
        media = bool(raw.get("can_send_media_messages", False))
        perms.update(dict.fromkeys(MEDIA_PERMISSIONS, media))
        if media and not independent:
            perms["can_send_messages"] = True
    if "can_manage_topics" not in given:
        perms["can_manage_topics"] = perms["can_pin_messages"]
    if "can_edit_tag" not in given:
        perms["can_edit_tag"] = perms["can_pin_messages"]
    if "can_react_to_messages" not in given:
        perms["can_react_to_messages"] = perms["can_send_messages"]
    if not independent:
        if perms["can_send_other_messages"] or perms["can_add_web_page_previews"]:
            perms.update(dict.fromkeys((*MEDIA_PERMISSIONS, "can_send_messages"), True))
        if perms["can_send_polls"]:
            perms["can_send_messages"] = True
    return perms


def until_date(value: int | None, now: int) -> int:
    """Return when a restriction or ban ends, 0 for never.

    The docs: a date less than 30 seconds or more than 366 days from now means forever.

    Args:
        value: The ``until_date`` parameter (None or 0: forever).
        now: The current Unix time.

    Returns:
        The Unix time it ends, or 0.

    """
    if not value or value < now + MIN_RESTRICT_SECONDS or value > now + MAX_RESTRICT_SECONDS:
        return 0
    return value
