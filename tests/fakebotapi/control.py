"""The fake's HTTP control surface: play users, groups and topics by hand (curl) or from a script.

Every endpoint is a thin translation onto the Python API of ``FakeBotAPI`` (``send_text``,
``forum_group``, ``block`` …), so a person with curl and a test in Python play the same world.
POST endpoints take a JSON body (whatever the Content-Type, so ``curl -d '{…}'`` works); GET
endpoints take query parameters. Where a chat is optional it is the user's private chat; a forum
topic is named by ``thread_id`` or by part of its name (``"topic": "#1"``). A wrong request
answers 400 ``{"ok": false, "description": …}``.

This module imports no aiohttp, so ``python -m tests.fakebotapi --help`` can list the endpoints
with any Python.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakebotapi.server import FakeBotAPI

JSON = dict[str, Any]


@dataclass(frozen=True)
class Raw:
    """A control answer that is not JSON: a file's bytes or a plain-text transcript."""

    data: bytes
    content_type: str
    filename: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """One control endpoint: ``{verb} /_fake/{name}``, what it does, and its handler."""

    verb: str
    name: str
    fields: str
    summary: str
    handler: Callable[[FakeBotAPI, JSON], Any | Awaitable[Any]]


def _need(params: JSON, key: str) -> Any:
    if params.get(key) in (None, ""):
        raise ValueError(f"{key} is missing")
    return params[key]


def _id(params: JSON, key: str) -> int:
    value = _need(params, key)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{key} is not a number: {value!r}") from exc


def _maybe_id(params: JSON, key: str) -> int | None:
    return None if params.get(key) in (None, "") else _id(params, key)


def _flag(params: JSON, key: str, default: bool) -> bool:
    value = params.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _place(api: FakeBotAPI, params: JSON) -> tuple[int | None, int | None]:
    """Return the chat (None: private) and forum topic a request names."""
    chat = _maybe_id(params, "chat_id")
    thread = _maybe_id(params, "thread_id")
    if thread is None and params.get("topic"):
        thread = api.topic_id(_need(params, "chat_id"), str(params["topic"]))
    return chat, thread


def _user(api: FakeBotAPI, params: JSON) -> JSON:
    return api.user(
        _id(params, "id"),
        first_name=str(params.get("first_name", "Test")),
        username=params.get("username"),
        language_code=params.get("language_code", "de"),
        last_name=params.get("last_name"),
        started=_flag(params, "started", True),
        bio=params.get("bio"),
    )


def _group(api: FakeBotAPI, params: JSON) -> JSON:
    create = api.forum_group if _flag(params, "forum", True) else api.supergroup
    return create(
        str(params.get("title", "Gruppe")),
        [int(m) for m in params.get("members", [])],
        bot_admin=_flag(params, "bot_admin", True),
        chat_id=_maybe_id(params, "id"),
        username=params.get("username") or None,
    )


def _members(api: FakeBotAPI, params: JSON) -> JSON:
    added = api.add_members(_id(params, "chat_id"), [int(u) for u in _need(params, "user_ids")])
    return {"members": sorted(added)}


def _bot_rights(api: FakeBotAPI, params: JSON) -> JSON:
    chat = _id(params, "chat_id")
    if not _flag(params, "admin", True):
        api.remove_admin(chat)
        return {"chat_id": chat, "admin": False}
    rights = {
        name: _flag(params, name, True)
        for name in (
            "can_invite_users",
            "can_manage_topics",
            "can_restrict_members",
            "can_delete_messages",
            "can_pin_messages",
        )
    }
    api.make_admin(chat, **rights)
    return {"chat_id": chat, "admin": True, **rights}


def _send_text(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    entities = params.get("entities") or []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise ValueError("entities is not a list of MessageEntity objects")
    return api.send_text(
        _id(params, "user_id"),
        str(_need(params, "text")),
        chat,
        thread,
        reply_to=_maybe_id(params, "reply_to"),
        entities=entities,
    )


def _send_forward(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    return api.send_forward(
        _id(params, "user_id"),
        str(_need(params, "text")),
        _maybe_id(params, "origin_id"),
        chat,
        hidden_name=params.get("hidden_name") or None,
        origin_date=_maybe_id(params, "origin_date"),
        thread_id=thread,
    )


def _promote(api: FakeBotAPI, params: JSON) -> JSON:
    rights = {k: _flag(params, k, True) for k in params if k.startswith("can_")}
    chat, user = _id(params, "chat_id"), _id(params, "user_id")
    api.promote(chat, user, owner=_flag(params, "owner", False), **rights)
    return api.member_status(chat, user)


def _leave(api: FakeBotAPI, params: JSON) -> JSON:
    chat, user = _id(params, "chat_id"), _id(params, "user_id")
    api.leave_group(user, chat)
    return api.member_status(chat, user)


def _join(api: FakeBotAPI, params: JSON) -> JSON:
    outcome = api.join_by_link(_id(params, "user_id"), str(_need(params, "invite_link")))
    return {"outcome": outcome}


def _request_join(api: FakeBotAPI, params: JSON) -> JSON:
    return api.request_join(_id(params, "user_id"), _id(params, "chat_id"))


def _member(api: FakeBotAPI, params: JSON) -> JSON:
    return api.member_status(_id(params, "chat_id"), _id(params, "user_id"))


def _message(api: FakeBotAPI, params: JSON) -> JSON:
    chat, message_id = _id(params, "chat_id"), _id(params, "message_id")
    found = {
        "message": api.message(chat, message_id),
        "deleted": api.was_deleted(chat, message_id),
    }
    if chat < 0:
        found["link"] = api.message_link(chat, message_id)
    return found


def _send_command(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    return api.send_command(_id(params, "user_id"), str(_need(params, "command")), chat, thread)


def _send_sticker(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    emoji = str(params.get("emoji", "👍"))
    return api.send_sticker(_id(params, "user_id"), chat, emoji=emoji, thread_id=thread)


def _send_photo(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    caption = params.get("caption")
    return api.send_photo(_id(params, "user_id"), chat, caption=caption, thread_id=thread)


def _send_document(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    if params.get("content_base64") is not None:
        data = base64.b64decode(str(params["content_base64"]), validate=True)
    else:
        data = str(params.get("content", "")).encode("utf-8")
    return api.send_document(
        _id(params, "user_id"),
        str(params.get("file_name", "datei.txt")),
        data,
        chat,
        mime_type=str(params.get("mime_type", "text/plain")),
        caption=params.get("caption"),
        thread_id=thread,
    )


def _send_voice(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    duration = int(params.get("duration", 3))
    return api.send_voice(_id(params, "user_id"), chat, duration=duration, thread_id=thread)


def _send_location(api: FakeBotAPI, params: JSON) -> JSON:
    chat, thread = _place(api, params)
    return api.send_location(
        _id(params, "user_id"),
        chat,
        latitude=float(params.get("latitude", 52.520008)),
        longitude=float(params.get("longitude", 13.404954)),
        thread_id=thread,
    )


def _press_button(api: FakeBotAPI, params: JSON) -> JSON:
    """Press by callback data on a given message, or by label on the newest message showing it."""
    user = _id(params, "user_id")
    chat, thread = _place(api, params)
    where = user if chat is None else chat
    if params.get("label"):
        message, data = api.find_button(where, str(params["label"]), thread)
    else:
        message = {"chat": {"id": where}, "message_id": _id(params, "message_id")}
        data = str(_need(params, "data"))
    return {"callback_query_id": api.press_button(user, message, data), "data": data}


def _block(api: FakeBotAPI, params: JSON) -> JSON:
    api.block(_id(params, "user_id"))
    return {"blocked": True}


def _unblock(api: FakeBotAPI, params: JSON) -> JSON:
    api.unblock(_id(params, "user_id"))
    return {"blocked": False}


def _messages(api: FakeBotAPI, params: JSON) -> list[JSON]:
    chat, thread = _place(api, params)
    return api.messages(_id(params, "chat_id") if chat is None else chat, thread)


def _readable(message: JSON) -> str:
    """Return a bot message as a person reads it: number, file, text, buttons as ``[label]``."""
    lines = [f"#{message['message_id']}"]
    if "document" in message:
        document = message["document"]
        lines.append(f"[Datei {document.get('file_name', '')}: {document['file_id']}]")
    lines.append(message.get("text") or message.get("caption") or "")
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    lines.extend(" ".join(f"[{b['text']}]" for b in row) for row in rows)
    return "\n".join(line for line in lines if line)


def _text(blocks: list[str]) -> Raw:
    return Raw(("\n\n".join(blocks) + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def _transcript(api: FakeBotAPI, params: JSON) -> Raw:
    return _text([_readable(m) for m in _messages(api, params)])


async def _wait(api: FakeBotAPI, params: JSON) -> Raw:
    chat, thread = _place(api, params)
    text, file = str(params.get("text", "")), params.get("file")

    def wanted(message: JSON) -> bool:
        if file is not None:  # a document whose name contains it (sent after its text)
            return str(file) in message.get("document", {}).get("file_name", "\0")
        return text in (message.get("text") or message.get("caption") or "")

    message = await api.wait_for_message(
        _id(params, "chat_id") if chat is None else chat,
        wanted,
        timeout=float(params.get("timeout", 10)),
        thread_id=thread,
        include_existing=True,
    )
    return _text([_readable(message)])


def _topics(api: FakeBotAPI, params: JSON) -> list[JSON]:
    return api.topics(_id(params, "chat_id"))


def _files(api: FakeBotAPI, params: JSON) -> list[JSON]:
    return api.sent_files(_maybe_id(params, "chat_id"))


def _file(api: FakeBotAPI, params: JSON) -> Raw:
    """Return a sent file's bytes: by file_id, by chat_id and message_id, or the chat's newest."""
    files = api.sent_files(_maybe_id(params, "chat_id"))
    wanted = _maybe_id(params, "message_id")
    if params.get("file_id"):
        files = [f for f in files if f["file_id"] == params["file_id"]]
    elif wanted is not None:
        files = [f for f in files if f["message_id"] == wanted]
    if not files:
        raise ValueError("no such file sent by the bot")
    document = files[-1]
    return Raw(
        api.file_bytes(document["file_id"]),
        str(document.get("mime_type", "application/octet-stream")),
        document.get("file_name"),
    )


def _calls(api: FakeBotAPI, params: JSON) -> list[JSON]:
    calls = api.calls(params.get("method") or None)
    return [{"method": c.method, "status": c.status, "injected": c.injected} for c in calls]


TOPIC = "[chat_id, thread_id | topic]"
ENDPOINTS = (
    Endpoint(
        "POST",
        "user",
        "{id, first_name, username, language_code, started, bio}",
        "create or change a user",
        _user,
    ),
    Endpoint(
        "POST",
        "group",
        "{title, forum=true, members=[ids], bot_admin=true, id, username}",
        "create a supergroup, with Topics unless forum=false (username: a public group)",
        _group,
    ),
    Endpoint("POST", "members", "{chat_id, user_ids=[ids]}", "add users to a group", _members),
    Endpoint(
        "POST",
        "bot_rights",
        "{chat_id, admin=true, can_invite_users, can_manage_topics, can_restrict_members, "
        "can_delete_messages, can_pin_messages}",
        "make the bot an admin with these rights (admin=false: a plain member)",
        _bot_rights,
    ),
    Endpoint(
        "POST",
        "promote",
        "{chat_id, user_id, owner=false, can_…=false to withhold a right}",
        "make a user the group's owner or an administrator (the bot can't restrict them)",
        _promote,
    ),
    Endpoint(
        "POST",
        "send_text",
        f"{{user_id, text, reply_to, entities=[MessageEntity], {TOPIC}}}",
        "a user writes (commands, @mentions and links become entities; 400 if they may not)",
        _send_text,
    ),
    Endpoint(
        "POST",
        "send_forward",
        f"{{user_id, text, origin_id | hidden_name, origin_date, {TOPIC}}}",
        "a user forwards another user's text (forward_origin user or hidden_user)",
        _send_forward,
    ),
    Endpoint(
        "POST",
        "join",
        "{user_id, invite_link}",
        "a user opens an invite link (outcome: joined, requested, banned, expired …)",
        _join,
    ),
    Endpoint(
        "POST",
        "request_join",
        "{user_id, chat_id}",
        "a user asks to join a group (chat_join_request update)",
        _request_join,
    ),
    Endpoint(
        "POST",
        "leave",
        "{user_id, chat_id}",
        "a member leaves a group (left_chat_member service message)",
        _leave,
    ),
    Endpoint(
        "POST",
        "send_command",
        f"{{user_id, command, {TOPIC}}}",
        "a user sends /command (bot_command entity)",
        _send_command,
    ),
    Endpoint(
        "POST",
        "send_sticker",
        f"{{user_id, emoji, {TOPIC}}}",
        "a user sends a sticker",
        _send_sticker,
    ),
    Endpoint(
        "POST",
        "send_photo",
        f"{{user_id, caption, {TOPIC}}}",
        "a user sends a photo, with or without caption",
        _send_photo,
    ),
    Endpoint(
        "POST",
        "send_document",
        f"{{user_id, file_name, content | content_base64, mime_type, caption, {TOPIC}}}",
        "a user sends a file",
        _send_document,
    ),
    Endpoint(
        "POST",
        "send_voice",
        f"{{user_id, duration, {TOPIC}}}",
        "a user sends a voice note",
        _send_voice,
    ),
    Endpoint(
        "POST",
        "send_location",
        f"{{user_id, latitude, longitude, {TOPIC}}}",
        "a user shares a location",
        _send_location,
    ),
    Endpoint(
        "POST",
        "press_button",
        f"{{user_id, label | message_id + data, {TOPIC}}}",
        "a user taps an inline button (label: the newest message showing it)",
        _press_button,
    ),
    Endpoint(
        "POST", "block", "{user_id}", "the user blocks the bot: sends to them get 403", _block
    ),
    Endpoint("POST", "unblock", "{user_id}", "the user unblocks the bot", _unblock),
    Endpoint(
        "GET", "messages", "?chat_id[&thread_id|&topic]", "the bot's messages (JSON)", _messages
    ),
    Endpoint(
        "GET",
        "transcript",
        "?chat_id[&thread_id|&topic]",
        "the bot's messages as readable text, buttons as [label]",
        _transcript,
    ),
    Endpoint(
        "GET",
        "wait",
        "?chat_id&(text | file)[&topic][&timeout=10]",
        "wait for a bot message with this text or file name, and show it (408: none came)",
        _wait,
    ),
    Endpoint("GET", "topics", "?chat_id", "the group's forum topics", _topics),
    Endpoint(
        "GET",
        "member",
        "?chat_id&user_id",
        "a user's ChatMember in a group (creator, administrator, member, restricted, left, kicked)",
        _member,
    ),
    Endpoint(
        "GET",
        "message",
        "?chat_id&message_id",
        "any message in a chat by id, whether it was deleted, and its t.me link in a group",
        _message,
    ),
    Endpoint("GET", "files", "[?chat_id]", "the files the bot sent (file_id, name, where)", _files),
    Endpoint(
        "GET",
        "file",
        "?file_id | ?chat_id[&message_id]",
        "the bytes of a file the bot sent (e.g. the .ics or the JSON export)",
        _file,
    ),
    Endpoint("GET", "calls", "[?method]", "the Bot API requests the bot made", _calls),
)


def endpoint_help() -> str:
    """Return one line per endpoint, for ``--help`` and the module docstring's readers."""
    return "\n".join(
        f"  {e.verb:4} /_fake/{e.name} {e.fields}\n       {e.summary}" for e in ENDPOINTS
    )
