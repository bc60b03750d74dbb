"""A fake Telegram Bot API server on aiohttp for end-to-end tests without Telegram.

The bot talks to it over HTTP exactly as to api.telegram.org (``{base_url}/bot{token}/{method}``);
the test drives the users' side through plain Python methods on the same object (``send_text``,
``press_button``, ``join_by_link``), reads what the bot did (``messages``, ``calls``, ``members``)
and injects faults (``fail``, ``delay``, ``block``, ``limit_rate``). Request and response shapes
follow https://core.telegram.org/bots/api; error descriptions follow what telegram-bot-api and
TDLib answer.

Throughput: the hot path (sendMessage) does O(1) work per request apart from serializing the
response once, so the fake is never the bottleneck of a broadcast test (see ``limit_rate`` for
making it one on purpose).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import inspect
import itertools
import json
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

from tests.fakebotapi.control import ENDPOINTS, Endpoint, Raw
from tests.fakebotapi.markup import (
    EntityParseError,
    MarkupError,
    check_reply_markup,
    parse_html,
    utf16_len,
)
from tests.fakebotapi.permissions import (
    DEFAULT_CHAT_PERMISSIONS,
    PermissionsError,
    parse_permissions,
    until_date,
)

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
# The six colours createForumTopic accepts (Bot API, createForumTopic.icon_color).
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Update types delivered when allowed_updates is empty or was never set.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "my_chat_member",
        "chat_join_request",
    }
)
# Parameters that python-telegram-bot (and any form-encoding client) sends JSON-serialized.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
        "reaction",
        "permissions",
        "rights",
    }
)
# Scalar parameters decoded from form/query strings so records look the same for JSON clients.
INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "icon_color",
        "cache_time",
        "max_connections",
        "user_id",
        "expire_date",
        "member_limit",
        "until_date",
    }
)
BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "drop_pending_updates",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "creates_join_request",
        "use_independent_chat_permissions",
        "revoke_messages",
        "only_if_banned",
    }
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
THREAD_NOT_FOUND = "Bad Request: message thread not found"
BLOCKED = "Forbidden: bot was blocked by the user"
DEACTIVATED = "Forbidden: user is deactivated"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
# Invite link and join request errors, as TDLib words them (telegram-bot-api lowercases the first
# letter) or as Telegram's servers name them (upper case, passed through unchanged).
NO_INVITE_RIGHTS = "Bad Request: not enough rights to manage chat invite link"
NO_JOIN_REQUEST_RIGHTS = "Bad Request: not enough rights to manage chat join requests"
LIMIT_WITH_REQUEST = (
    "Bad Request: member limit can't be specified for links requiring administrator approval"
)
NO_JOIN_REQUEST = "Bad Request: HIDE_REQUESTER_MISSING"
ALREADY_PARTICIPANT = "Bad Request: USER_ALREADY_PARTICIPANT"
LINK_UNAVAILABLE = "Bad Request: INVITE_HASH_EXPIRED"
MAX_MEMBER_LIMIT = 99_999
MAX_LINK_NAME = 32
# A user who asked to join may be messaged for this long although they never started the bot.
JOIN_REQUEST_CONTACT_SECONDS = 300
# Moderation errors: TDLib's texts (first letter lowered by telegram-bot-api), USER_ADMIN_INVALID as
# telegram-bot-api rewrites it, and telegram-bot-api's own chat type checks.
NO_RESTRICT_RIGHTS = "Bad Request: not enough rights to restrict/unrestrict chat member"
NO_PERMISSIONS_RIGHTS = "Bad Request: not enough rights to change chat permissions"
USER_IS_ADMIN = "Bad Request: user is an administrator of the chat"
CANT_REMOVE_OWNER = "Bad Request: can't remove chat owner"
CANT_RESTRICT_SELF = "Bad Request: can't restrict self"
SUPERGROUPS_ONLY = "Bad Request: method is available only for supergroups"
SUPERGROUPS_AND_CHANNELS = "Bad Request: method is available for supergroup and channel chats only"
CANT_DELETE = "Bad Request: message can't be deleted"
# deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WINDOW_SECONDS = 48 * 3600
# The rights of an administrator the fake makes (ChatMemberAdministrator's order); bots seldom
# get to add administrators.
ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_change_info": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_pin_messages": True,
    "can_manage_topics": True,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
}
# The permission a user's message needs in a group, by its content (default: can_send_messages).
_CONTENT_PERMISSIONS = {
    "sticker": "can_send_other_messages",
    "photo": "can_send_photos",
    "document": "can_send_documents",
    "voice": "can_send_voice_notes",
}
JoinOutcome = Literal[
    "joined", "requested", "already_member", "banned", "expired", "limit", "revoked", "invalid"
]
# What a client marks as an entity in a typed text. "@name" after a word character is an e-mail
# address or part of "/start@bot", not a mention.
_TYPED_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?")),
    ("mention", re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    # A link with a scheme, or a t.me link without one; trailing punctuation is not part of it.
    ("url", re.compile(r"(?:https?://|(?<![\w@./])t\.me/)[^\s]*[^\s.,;:!?)\]}'\"]")),
)
# Message keys that describe where and by whom a message was sent, not what it contains.
_ENVELOPE_KEYS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "from",
        "sender_chat",
        "chat",
        "date",
        "edit_date",
        "is_topic_message",
        "reply_to_message",
        "reply_markup",
        "forward_origin",
        "has_protected_content",
    }
)


class ApiError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code": …, "description": …}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        """Return the JSON body Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the bot made, as the server answered it.

    Attributes:
        method: Canonical method name, e.g. ``"sendMessage"``.
        params: Decoded parameters (JSON-encoded form fields decoded, uploads as Upload).
        response: The JSON body sent back.
        status: The HTTP status code.
        injected: True when the response came from ``fail``, not from the method itself.
        arrived: When the request arrived (``time.monotonic()`` of the server), before any
            injected delay; what rate limits are measured on.

    """

    method: str
    params: JSON
    response: JSON
    status: int
    injected: bool = False
    arrived: float = 0.0

    @property
    def ok(self) -> bool:
        """Return whether the call succeeded."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """Return the ``result`` of a successful call, else None."""
        return self.response.get("result")


def busiest_window(calls: Iterable[Call], seconds: float) -> int:
    """Return the most calls that arrived within any sliding window of ``seconds``.

    Windows are half-open, [t, t + seconds): the busiest one starts at some arrival.
    """
    stamps = sorted(call.arrived for call in calls)
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamps[first] <= stamp - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass
class _Stored:
    message: JSON
    kind: str  # "bot", "user" or "service"
    seq: int
    deleted: bool = False


@dataclass
class _Fault:
    method: str
    code: int
    description: str
    retry_after: int | None
    remaining: int | None
    chat_id: int | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int | None


@dataclass
class _Reply:
    result: Any
    description: str | None = None


@dataclass
class _Query:
    user_id: int
    answered: bool = False


@dataclass
class _Invite:
    chat_id: int
    record: JSON  # the ChatInviteLink fields that never change after creation
    revoked: bool = False
    joined: set[int] = field(default_factory=set)  # users who came in through this link
    pending: set[int] = field(default_factory=set)  # users whose join request is open


@dataclass
class _Restriction:
    permissions: JSON  # all sixteen ChatPermissions fields
    until_date: int  # 0: forever


class SendRefused(ValueError):
    """A user may not post this in this chat: their Telegram app would not let them.

    Raised by the test-side send helpers for a banned user, a non-member, or a member whose
    restrictions or the group's permissions forbid the kind of message.
    """


@dataclass
class _JoinRequest:
    date: int
    invite_link: str | None


@dataclass
class _Bucket:
    """A token bucket: ``rate`` calls per second, bursts of up to one second's worth."""

    rate: float
    tokens: float
    stamp: float

    def take(self, now: float) -> int | None:
        """Take a token; return None when allowed, else the seconds to wait (at least 1)."""
        capacity = max(self.rate, 1.0)
        self.tokens = min(capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


@dataclass
class _RateLimit:
    method: str
    normal: _Bucket
    paid: _Bucket | None


def _id_of(thing: Any) -> int:
    """Return the id of a user/chat record, a python-telegram-bot object or a plain int."""
    if isinstance(thing, bool):
        raise TypeError(f"not an id: {thing!r}")
    if isinstance(thing, int):
        return thing
    if isinstance(thing, dict):
        return int(thing["id"])
    return int(thing.id)


class FakeBotAPI:
    """A Telegram Bot API server that tests can play users against and break on purpose.

    Use ``async with FakeBotAPI() as api:`` or ``await api.start()`` / ``await api.stop()``;
    point the bot at ``api.base_url``.

    Attributes:
        token: The only bot token the server accepts.
        bot_username: The bot's username (without @).
        bot_user: The bot as a User object, as it appears in ``from`` of its messages.
        callback_answers: answerCallbackQuery parameters by callback query id.
        commands: The command list of the last successful setMyCommands.
        errors: Exceptions raised inside the fake while handling a request (answered as 500);
            empty unless the fake has a bug.

    """

    def __init__(
        self, token: str = "123456:TEST-TOKEN", bot_username: str = "elternlotse_test_bot"
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Elternlotse",
            "username": bot_username,
        }
        self.callback_answers: dict[str, JSON] = {}
        self.errors: list[Exception] = []
        self.commands: list[JSON] = []
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._members: dict[int, set[int]] = {}
        self._bot_admin: dict[int, dict[str, bool]] = {}  # groups the bot administers -> rights
        self._owners: dict[int, int] = {}  # group -> its creator
        self._admins: dict[int, dict[int, dict[str, bool]]] = {}  # group -> user -> rights
        self._restricted: dict[int, dict[int, _Restriction]] = {}
        self._banned: dict[int, dict[int, int]] = {}  # group -> user -> until_date (0: forever)
        self._chat_permissions: dict[int, JSON] = {}
        self._bios: dict[int, str] = {}
        self._not_started: set[int] = set()
        self._invites: dict[str, _Invite] = {}
        self._join_requests: dict[int, dict[int, _JoinRequest]] = {}
        self._clock_offset = 0.0
        self._topics: dict[int, dict[int, JSON]] = {}
        self._store: dict[int, dict[int, _Stored]] = {}
        # Bot messages per chat in send order, so reading a chat never scans the others.
        self._bot_log: dict[int, list[_Stored]] = {}
        self._next_message_id: dict[int, int] = {}
        self._seq = 0
        self._updates: list[JSON] = []
        self._last_update_id = 100_000_000
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._polls_waiting = 0
        self._webhook_url = ""
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(4_815_162_342_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, JSON] = {}
        self._file_data: dict[str, bytes] = {}  # the content of uploaded files, by file_id
        self._group_ids = itertools.count(1)
        self._command_lists: dict[tuple[str, str], list[JSON]] = {}
        self._calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = {}
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._blocked: dict[int, str] = {}  # chat id -> the 403 description
        self._rate_limit: _RateLimit | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._methods = self._method_table()

    def _method_table(self) -> dict[str, tuple[str, Callable[[JSON], Any]]]:
        """Map lower-cased method names (Telegram ignores their case) to name and handler."""
        handlers: dict[str, Callable[[JSON], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "copyMessage": self._copy_message,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
            "createChatInviteLink": self._create_chat_invite_link,
            "revokeChatInviteLink": self._revoke_chat_invite_link,
            "approveChatJoinRequest": self._approve_chat_join_request,
            "declineChatJoinRequest": self._decline_chat_join_request,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "restrictChatMember": self._restrict_chat_member,
            "banChatMember": self._ban_chat_member,
            "kickChatMember": self._ban_chat_member,  # the old name telegram-bot-api still takes
            "unbanChatMember": self._unban_chat_member,
            "setChatPermissions": self._set_chat_permissions,
        }
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening; port 0 picks a free port (see ``base_url``).

        Args:
            host: Interface to bind.
            port: TCP port, 0 for any free one.

        """
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method:[^/]*}", self._handle_method)
        app.router.add_route("*", r"/file/bot{token}/{path:.*}", self._handle_file)
        for endpoint in ENDPOINTS:
            app.router.add_route(endpoint.verb, f"/_fake/{endpoint.name}", self._control(endpoint))
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host = host
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Return the server root, e.g. ``http://127.0.0.1:40123`` (for TELEGRAM_API_URL)."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://{self._host}:{self._port}"

    # ----------------------------------------------------------------- test API: world

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "de",
        last_name: str | None = None,
        *,
        started: bool = True,
        bio: str | None = None,
    ) -> JSON:
        """Create (or update) a Telegram user who has a private chat with the bot.

        Args:
            user_id: The user's id, also the id of the private chat.
            first_name: First name.
            username: Username without @, or None.
            language_code: IETF language tag of the user's client, or None.
            last_name: Last name, or None.
            started: Whether the user has started the bot. As in Telegram, the bot cannot send
                to a user who has not (403 "bot can't initiate conversation with a user")
                until they write to it or, for five minutes, after they asked to join a group.
            bio: The user's bio, shown to the bot in their join requests; None for none.

        Returns:
            The User object.

        """
        if bio is None:
            self._bios.pop(user_id, None)
        else:
            self._bios[user_id] = bio
        if started:
            self._not_started.discard(user_id)
        else:
            self._not_started.add(user_id)
        record: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            record["last_name"] = last_name
        if username is not None:
            record["username"] = username
        if language_code is not None:
            record["language_code"] = language_code
        self._users[user_id] = record
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            chat["last_name"] = last_name
        if username is not None:
            chat["username"] = username
        self._chats[user_id] = chat
        return dict(record)

    def users(
        self,
        user_ids: Iterable[int],
        first_name: str = "Test",
        language_code: str | None = "de",
        *,
        started: bool = True,
    ) -> int:
        """Register many users at once, e.g. 10,000 subscribers of a broadcast (~1 µs each).

        Users the fake creates implicitly (group members, ``join_by_link`` with a bare id) also
        count as having started the bot; only ``started=False`` makes them unreachable.

        Args:
            user_ids: The users' ids.
            first_name: First name of all of them.
            language_code: IETF language tag of all of them, or None.
            started: Whether they have started the bot (see ``user``).

        Returns:
            How many users were registered.

        """
        count = 0
        for user_id in user_ids:
            self.user(user_id, first_name, language_code=language_code, started=started)
            count += 1
        return count

    def forget(self, chat: Any) -> None:
        """Act as if Telegram no longer knew a chat, e.g. a deleted account.

        Every call with this chat_id then answers 400 "Bad Request: chat not found", like a
        chat id the fake has never seen. The bot's messages there stay readable.

        Args:
            chat: The user or chat (record, object or id).

        """
        chat_id = _id_of(chat)
        self._chats.pop(chat_id, None)
        self._users.pop(chat_id, None)
        self._not_started.discard(chat_id)

    def now(self) -> int:
        """Return the fake's clock as a Unix timestamp (wall clock plus ``advance_clock``)."""
        return int(time.time() + self._clock_offset)

    def advance_clock(self, seconds: float) -> int:
        """Move the fake's clock forward, e.g. past an invite link's expire_date.

        It moves the dates the fake writes and checks, not the bot's clock nor ``limit_rate``.

        Args:
            seconds: How far to move it.

        Returns:
            The new ``now()``.

        """
        self._clock_offset += seconds
        return self.now()

    def private_chat(self, user: Any) -> JSON:
        """Return the private chat between a user and the bot.

        Args:
            user: A user record, User object or user id.

        Returns:
            The Chat object.

        """
        return dict(self._chats[self._user(user)["id"]])

    def forum_group(
        self,
        title: str,
        members: Iterable[Any] = (),
        *,
        bot_admin: bool = True,
        chat_id: int | None = None,
        username: str | None = None,
    ) -> JSON:
        """Create a forum supergroup (topics enabled), by default with the bot as administrator.

        Args:
            title: The group's title.
            members: Users in the group.
            bot_admin: Whether the bot is an administrator (with every right); otherwise it is
                a plain member (see ``make_admin``).
            chat_id: The group's id (a config file may name it), or None for the next free one.
            username: The username of a public group (without @), or None for a private one.

        Returns:
            The Chat object.

        """
        return self._group(title, members, True, bot_admin, chat_id, username)

    def supergroup(
        self,
        title: str,
        members: Iterable[Any] = (),
        *,
        bot_admin: bool = True,
        chat_id: int | None = None,
        username: str | None = None,
    ) -> JSON:
        """Create a supergroup without topics, by default with the bot as administrator.

        Args:
            title: The group's title.
            members: Users in the group.
            bot_admin: Whether the bot is an administrator (with every right); otherwise it is
                a plain member (see ``make_admin``).
            chat_id: The group's id, or None for the next free one.
            username: The username of a public group (without @), or None for a private one.

        Returns:
            The Chat object.

        """
        return self._group(title, members, False, bot_admin, chat_id, username)

    def make_admin(
        self,
        chat: Any,
        *,
        can_invite_users: bool = True,
        can_manage_topics: bool = True,
        can_restrict_members: bool = True,
        can_delete_messages: bool = True,
        can_pin_messages: bool = True,
    ) -> None:
        """Make the bot an administrator of a group (its other rights are ``ADMIN_RIGHTS``).

        Args:
            chat: The group (record, Chat object or id).
            can_invite_users: The right that invite links and join requests need.
            can_manage_topics: The right that createForumTopic and its kin need.
            can_restrict_members: The right restrictChatMember, banChatMember, unbanChatMember
                and setChatPermissions need.
            can_delete_messages: The right to delete other users' messages.
            can_pin_messages: The right to pin messages (not used by the fake yet).

        """
        self._bot_admin[self._group_id(chat)] = {
            **ADMIN_RIGHTS,
            "can_invite_users": can_invite_users,
            "can_manage_topics": can_manage_topics,
            "can_restrict_members": can_restrict_members,
            "can_delete_messages": can_delete_messages,
            "can_pin_messages": can_pin_messages,
        }

    def remove_admin(self, chat: Any) -> None:
        """Make the bot a plain member of a group (no invite links, join requests, moderation)."""
        self._bot_admin.pop(self._group_id(chat), None)

    def promote(self, chat: Any, user: Any, *, owner: bool = False, **rights: bool) -> None:
        """Make a user the group's owner or one of its administrators (and so a member).

        Telegram's rules protect them: the bot cannot restrict or ban them, and they may post
        whatever the group's permissions say.

        Args:
            chat: The group (record, Chat object or id).
            user: The user (record, User object or id).
            owner: Make them the creator (status "creator") instead of an administrator.
            **rights: An administrator's rights that differ from ``ADMIN_RIGHTS``.

        Raises:
            ValueError: An unknown right, or the group has another owner already.

        """
        chat_id, user_id = self._group_id(chat), self._user(user)["id"]
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(f"unknown administrator rights: {sorted(unknown)}")
        self._restricted.get(chat_id, {}).pop(user_id, None)
        self._banned.get(chat_id, {}).pop(user_id, None)
        self._members[chat_id].add(user_id)
        if owner:
            if self._owners.get(chat_id, user_id) != user_id:
                raise ValueError(f"chat {chat_id} has an owner already")
            self._owners[chat_id] = user_id
            return
        self._admins.setdefault(chat_id, {})[user_id] = {**ADMIN_RIGHTS, **rights}

    def members(self, chat: Any) -> set[int]:
        """Return the ids of the users in a group now (the bot not counted).

        Args:
            chat: The group (record, Chat object or id).

        Returns:
            A copy of the member ids.

        """
        return set(self._members[self._group_id(chat)])

    def add_members(self, chat: Any, users: Iterable[Any]) -> set[int]:
        """Put users into a group quietly, as if they had always been in it.

        Args:
            chat: The group (record, Chat object or id).
            users: The users (records, User objects or ids); unknown ids become users.

        Returns:
            The ids of all members now.

        """
        chat_id = self._group_id(chat)
        self._members[chat_id].update(self._user(u)["id"] for u in users)
        return self.members(chat_id)

    def _group(
        self,
        title: str,
        members: Iterable[Any],
        forum: bool,
        bot_admin: bool,
        chat_id: int | None = None,
        username: str | None = None,
    ) -> JSON:
        if chat_id is None:
            chat_id = -(1_001_000_000_000 + next(self._group_ids))
            while chat_id in self._chats:
                chat_id = -(1_001_000_000_000 + next(self._group_ids))
        elif chat_id >= 0 or chat_id in self._chats:
            raise ValueError(f"a new group needs a negative id not taken yet, not {chat_id}")
        chat: JSON = {"id": chat_id, "type": "supergroup", "title": title}
        if username is not None:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        self._members[chat_id] = {self._user(m)["id"] for m in members}
        self._topics[chat_id] = {}
        self._chat_permissions[chat_id] = dict(DEFAULT_CHAT_PERMISSIONS)
        if bot_admin:
            self._bot_admin[chat_id] = dict(ADMIN_RIGHTS)
        return dict(chat)

    def _group_id(self, chat: Any) -> int:
        chat_id = _id_of(chat)
        if chat_id not in self._members:
            raise ValueError(f"no group {chat_id}")
        return chat_id

    def _restriction(self, chat_id: int, user_id: int) -> _Restriction | None:
        """Return a user's restriction in a group, dropping it once its until_date has passed."""
        restriction = self._restricted.get(chat_id, {}).get(user_id)
        if restriction is not None and 0 < restriction.until_date <= self.now():
            del self._restricted[chat_id][user_id]
            return None
        return restriction

    def _ban_until(self, chat_id: int, user_id: int) -> int | None:
        """Return when a user's ban from a group ends (0: never), or None if they are not banned."""
        until = self._banned.get(chat_id, {}).get(user_id)
        if until is not None and 0 < until <= self.now():
            del self._banned[chat_id][user_id]
            return None
        return until

    def _status(self, chat_id: int, user_id: int) -> str:
        """Return a user's ChatMember status in a group, as getChatMember names it."""
        if self._owners.get(chat_id) == user_id:
            return "creator"
        if user_id in self._admins.get(chat_id, {}):
            return "administrator"
        if self._ban_until(chat_id, user_id) is not None:
            return "kicked"
        if self._restriction(chat_id, user_id) is not None:
            return "restricted"
        return "member" if user_id in self._members.get(chat_id, ()) else "left"

    def _member_object(self, chat_id: int, user_id: int) -> JSON:
        """Return the ChatMember of a user in a group, of the subtype its status calls for."""
        user = dict(self._users[user_id])
        status = self._status(chat_id, user_id)
        if status == "creator":
            return {"user": user, "status": status, "is_anonymous": False}
        if status == "administrator":
            rights = self._admins[chat_id][user_id]
            return {
                "user": user,
                "status": status,
                "can_be_edited": False,
                **rights,
                "is_anonymous": False,
            }
        if status == "kicked":
            return {"user": user, "status": status, "until_date": self._banned[chat_id][user_id]}
        if status == "restricted":
            restriction = self._restricted[chat_id][user_id]
            return {
                "user": user,
                "status": status,
                "is_member": user_id in self._members[chat_id],
                **restriction.permissions,
                "until_date": restriction.until_date,
            }
        return {"user": user, "status": status}

    def _refuse_send(self, user_id: int, chat_id: int, content: JSON) -> None:
        """Raise SendRefused when a user's app would not let them post this in a group."""
        status = self._status(chat_id, user_id)
        where = f"user {user_id} in chat {chat_id}"
        if status in ("creator", "administrator"):
            return
        if status == "kicked":
            raise SendRefused(f"{where}: banned, so they can't write there")
        if status == "left" or user_id not in self._members[chat_id]:
            raise SendRefused(f"{where}: not a member, so they can't write there")
        needed = next(
            (right for key, right in _CONTENT_PERMISSIONS.items() if key in content),
            "can_send_messages",
        )
        if not self._chat_permissions[chat_id][needed]:
            raise SendRefused(f"{where}: the group's permissions forbid it ({needed} is false)")
        restriction = self._restricted.get(chat_id, {}).get(user_id)
        if restriction is not None and not restriction.permissions[needed]:
            until = restriction.until_date or "forever"
            raise SendRefused(f"{where}: restricted until {until} ({needed} is false)")

    # ----------------------------------------------------------------- test API: act as users

    def send_text(
        self,
        user: Any,
        text: str,
        chat: Any = None,
        thread_id: int | None = None,
        *,
        reply_to: int | None = None,
        entities: Iterable[JSON] = (),
    ) -> JSON:
        """Queue a text message from a user, with the entities their app marks in it.

        Commands, @usernames and links (``http(s)://…`` and ``t.me/…``) become ``bot_command``,
        ``mention`` and ``url`` entities by themselves; formatting the user chose, such as a
        ``text_link`` behind some words, comes in ``entities``.

        Args:
            user: The sender (record, User object or id).
            text: The message text.
            chat: The chat (default: the user's private chat with the bot).
            thread_id: Forum topic to post in (forum groups only).
            reply_to: The id of a message in the same chat this one replies to; the update
                carries it whole as ``reply_to_message``.
            entities: Further MessageEntity objects (UTF-16 offsets), e.g. ``{"type":
                "text_link", "offset": 0, "length": 4, "url": "https://…"}``.

        Returns:
            The queued Update.

        Raises:
            SendRefused: The user may not write there (banned, not a member, restricted).
            ValueError: Unknown chat or topic, a reply to a missing message, a bad entity.

        """
        return self._user_message(
            user, chat, thread_id, self._text_content(text, entities), reply_to=reply_to
        )

    def send_forward(
        self,
        user: Any,
        text: str,
        origin: Any = None,
        chat: Any = None,
        *,
        hidden_name: str | None = None,
        origin_date: int | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """Queue a text message a user forwards from another user.

        Args:
            user: Who forwards it.
            text: The forwarded text (entities marked as in ``send_text``).
            origin: The original author (record, User object or id) for a ``forward_origin`` of
                type "user"; None with ``hidden_name`` for one who hides their account.
            chat: Where it is forwarded to (default: the private chat with the bot).
            hidden_name: The name of an author who hides their account: type "hidden_user".
            origin_date: When the original was sent (default: an hour ago on the fake clock).
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        if (origin is None) == (hidden_name is None):
            raise ValueError("a forward has either an origin user or a hidden_name")
        date = self.now() - 3600 if origin_date is None else origin_date
        forward: JSON = {"type": "user" if origin is not None else "hidden_user", "date": date}
        if origin is not None:
            forward["sender_user"] = dict(self._user(origin))
        else:
            forward["sender_user_name"] = hidden_name
        content = {"forward_origin": forward, **self._text_content(text, ())}
        return self._user_message(user, chat, thread_id, content)

    def send_command(
        self, user: Any, command: str, chat: Any = None, thread_id: int | None = None
    ) -> JSON:
        """Queue a command such as ``/start`` or ``/start payload`` from a user.

        Args:
            user: The sender.
            command: The command text, starting with '/'.
            chat: The chat (default: private chat).
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        return self.send_text(user, command, chat=chat, thread_id=thread_id)

    def send_sticker(
        self, user: Any, chat: Any = None, emoji: str = "👍", thread_id: int | None = None
    ) -> JSON:
        """Queue a sticker message from a user.

        Args:
            user: The sender.
            chat: The chat (default: private chat).
            emoji: The emoji associated with the sticker.
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        sticker = {
            **self._new_file("CAACAgIAAxkBAAI"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 23_456,
        }
        return self._user_message(user, chat, thread_id, {"sticker": sticker})

    def send_photo(
        self,
        user: Any,
        chat: Any = None,
        caption: str | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """Queue a photo message (two sizes) from a user.

        Args:
            user: The sender.
            chat: The chat (default: private chat).
            caption: Optional caption.
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        sizes = [
            {**self._new_file("AgACAgIAAxkBAAI"), "width": 90, "height": 67, "file_size": 1_234},
            {**self._new_file("AgACAgIAAxkBAAI"), "width": 800, "height": 600, "file_size": 54_321},
        ]
        content: JSON = {"photo": sizes, **self._captioned(caption)}
        return self._user_message(user, chat, thread_id, content)

    def send_document(
        self,
        user: Any,
        file_name: str,
        data: bytes,
        chat: Any = None,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """Queue a file (a Document) from a user; its bytes stay readable (``file_bytes``).

        Args:
            user: The sender.
            file_name: The file's name as the user's client shows it.
            data: The file's content.
            chat: The chat (default: private chat).
            mime_type: Its MIME type.
            caption: Optional caption.
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        document = self._store_file(Upload(file_name, mime_type, data))
        return self._user_message(
            user, chat, thread_id, {"document": document, **self._captioned(caption)}
        )

    def send_voice(
        self, user: Any, chat: Any = None, duration: int = 3, thread_id: int | None = None
    ) -> JSON:
        """Queue a voice message from a user.

        Args:
            user: The sender.
            chat: The chat (default: private chat).
            duration: Length in seconds.
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        voice = {
            **self._new_file("AwACAgIAAxkBAAI"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4_096 * duration,
        }
        return self._user_message(user, chat, thread_id, {"voice": voice})

    def send_location(
        self,
        user: Any,
        chat: Any = None,
        latitude: float = 52.520008,
        longitude: float = 13.404954,
        thread_id: int | None = None,
    ) -> JSON:
        """Queue a location message from a user.

        Args:
            user: The sender.
            chat: The chat (default: private chat).
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
            thread_id: Forum topic to post in.

        Returns:
            The queued Update.

        """
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, chat, thread_id, {"location": location})

    def press_button(self, user: Any, message: Any, data: str) -> str:
        """Queue a callback query as if the user pressed an inline button of a bot message.

        The data is not checked against the keyboard, so tests can forge it.

        Args:
            user: The user pressing.
            message: The bot message (a dict from ``messages``/``wait_for_message`` or a
                python-telegram-bot Message).
            data: The callback_data.

        Returns:
            The callback query id.

        """
        sender = self._user(user)
        if isinstance(message, dict):
            chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
        else:
            chat_id, message_id = int(message.chat_id), int(message.message_id)
        stored = self._store.get(chat_id, {}).get(message_id)
        if stored is None or stored.deleted:
            raise ValueError(f"message {message_id} in chat {chat_id} does not exist")
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(user_id=sender["id"])
        self._queue(
            "callback_query",
            {
                "id": query_id,
                "from": dict(sender),
                "message": copy.deepcopy(stored.message),
                "chat_instance": self._chat_instance(chat_id),
                "data": data,
            },
        )
        return query_id

    def join_by_link(self, user: Any, invite_link: str) -> JoinOutcome:
        """Act as a user opening an invite link the bot created.

        A user who joins gets a ``new_chat_members`` service message (a ``message`` update) and a
        ``chat_member`` update (delivered only if the bot asked for it in allowed_updates).

        Args:
            user: The user (record, User object or id).
            invite_link: The link, e.g. ``"https://t.me/+AbC..."``.

        Returns:
            ``"joined"`` (now a member), ``"requested"`` (the link creates join requests: a
            ``chat_join_request`` update is queued), ``"already_member"``, ``"banned"`` (the
            user is banned from the group: Telegram lets them neither join nor ask), ``"expired"``
            (past its expire_date), ``"limit"`` (member_limit users joined through it and are still
            in), ``"revoked"`` or ``"invalid"`` (no such link).

        """
        sender = self._user(user)
        invite = self._invites.get(_link_key(invite_link))
        if invite is None:
            return "invalid"
        record = invite.record
        if invite.revoked:
            return "revoked"
        if "expire_date" in record and record["expire_date"] <= self.now():
            return "expired"
        members = self._members[invite.chat_id]
        if sender["id"] in members:
            return "already_member"
        if self._ban_until(invite.chat_id, sender["id"]) is not None:
            return "banned"
        if record["creates_join_request"]:
            self._add_join_request(invite.chat_id, sender, invite)
            return "requested"
        if "member_limit" in record and len(invite.joined & members) >= record["member_limit"]:
            return "limit"
        self._admit(invite.chat_id, sender, invite, approved_by=None)
        return "joined"

    def request_join(self, user: Any, chat: Any) -> JSON:
        """Act as a user asking to join a group that requires approval, without a link.

        Args:
            user: The user (record, User object or id).
            chat: The group (record, Chat object or id).

        Returns:
            The queued ``chat_join_request`` Update.

        Raises:
            ValueError: The user is already a member, or banned from the group.

        """
        sender = self._user(user)
        chat_id = self._group_id(chat)
        if sender["id"] in self._members[chat_id]:
            raise ValueError(f"user {sender['id']} is already in chat {chat_id}")
        if self._ban_until(chat_id, sender["id"]) is not None:
            raise ValueError(f"user {sender['id']} is banned from chat {chat_id}")
        return self._add_join_request(chat_id, sender, None)

    def leave_group(self, user: Any, chat: Any) -> None:
        """Act as a member leaving a group: a left_chat_member service message from them.

        An administrator leaving loses their rights; a restriction stays and applies when
        they come back, as on Telegram.

        Args:
            user: The member (record, User object or id).
            chat: The group (record, Chat object or id).

        Raises:
            ValueError: They are not a member, or they own the group (not modelled).

        """
        sender = self._user(user)
        chat_id = self._group_id(chat)
        if sender["id"] not in self._members[chat_id]:
            raise ValueError(f"user {sender['id']} is not in chat {chat_id}")
        if self._owners.get(chat_id) == sender["id"]:
            raise ValueError("the fake does not model an owner leaving their group")
        old = self._member_object(chat_id, sender["id"])
        self._admins.get(chat_id, {}).pop(sender["id"], None)
        self._remove_member(chat_id, sender["id"], sender)
        self._member_changed(chat_id, old, sender)

    # ----------------------------------------------------------------- test API: observe

    def invite_links(self, chat: Any) -> list[JSON]:
        """Return the invite links the bot created in a group, oldest first, revoked included.

        Args:
            chat: The group (record, Chat object or id).

        Returns:
            ChatInviteLink objects as the bot sees them, each with an extra ``member_count``:
            how many users joined through the link and are still in the group.

        """
        chat_id = self._group_id(chat)
        members = self._members[chat_id]
        return [
            {**self._link_object(i), "member_count": len(i.joined & members)}
            for i in self._invites.values()
            if i.chat_id == chat_id
        ]

    def join_requests(self, chat: Any) -> list[int]:
        """Return the ids of the users whose join request in a group is still open.

        Args:
            chat: The group (record, Chat object or id).

        Returns:
            User ids in the order they asked.

        """
        return list(self._join_requests.get(self._group_id(chat), {}))

    def member_status(self, chat: Any, user: Any) -> JSON:
        """Return a user's ChatMember in a group as getChatMember would answer it.

        Args:
            chat: The group (record, Chat object or id).
            user: The user (record, User object or id).

        Returns:
            ChatMemberOwner/Administrator/Member/Restricted/Left/Banned as a dict.

        """
        return copy.deepcopy(self._member_object(self._group_id(chat), self._user(user)["id"]))

    def chat_permissions(self, chat: Any) -> JSON:
        """Return a group's default ChatPermissions (all sixteen fields)."""
        return dict(self._chat_permissions[self._group_id(chat)])

    def message(self, chat: Any, message_id: int) -> JSON:
        """Return any message in a chat by its id, the bot's, a user's or a service message.

        Args:
            chat: The chat (id, record or Chat object).
            message_id: The message's id.

        Returns:
            The Message as it is now, also when it was deleted (see ``was_deleted``).

        Raises:
            KeyError: No message with that id was ever sent there.

        """
        stored = self._store.get(_id_of(chat), {}).get(message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {_id_of(chat)}")
        return copy.deepcopy(stored.message)

    def was_deleted(self, chat: Any, message_id: int) -> bool:
        """Return whether a message was deleted (deleteMessage, or its forum topic deleted).

        Raises:
            KeyError: No message with that id was ever sent there.

        """
        stored = self._store.get(_id_of(chat), {}).get(message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {_id_of(chat)}")
        return stored.deleted

    def message_link(self, chat: Any, message_id: int) -> str:
        """Return the link Telegram's apps copy for a message in a supergroup.

        A public group's link names its username (``https://t.me/<username>/<id>``); a private
        one's its id without the -100 prefix (``https://t.me/c/<id>/<message id>``). A message in
        a forum topic has the topic's id before its own.

        Args:
            chat: The supergroup (record, Chat object or id).
            message_id: The message's id.

        Returns:
            The link.

        """
        chat_id = self._group_id(chat)
        record = self._chats[chat_id]
        stored = self._store.get(chat_id, {}).get(message_id)
        thread = None if stored is None else stored.message.get("message_thread_id")
        path = f"{message_id}" if thread is None else f"{thread}/{message_id}"
        if record.get("username"):
            return f"https://t.me/{record['username']}/{path}"
        return f"https://t.me/c/{str(chat_id).removeprefix('-100')}/{path}"

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the recorded requests, optionally only those of one method.

        Args:
            method: Method name (case-insensitive), or None for all.

        Returns:
            The calls in arrival order.

        """
        if method is None:
            return list(self._calls)
        return list(self._calls_by_method.get(method.lower(), ()))

    def chat_requests(self, chat_id: Any = None) -> list[Call]:
        """Return the requests addressed to a chat (with a ``chat_id``), in arrival order.

        These are what Telegram's flood limits count: messages, copies, edits, topics.
        getUpdates, answerCallbackQuery and setMyCommands have no chat and are left out.

        Args:
            chat_id: Only the requests to this chat, or None for every chat.

        Returns:
            The calls, whatever their answer (a 429 was still a request).

        """
        wanted = None if chat_id is None else _id_of(chat_id)
        found = []
        for call in self._calls:
            chat = _maybe_int(call.params.get("chat_id"))
            if chat is not None and wanted in (None, chat):
                found.append(call)
        return found

    def messages(self, chat_id: Any, thread_id: int | None = None) -> list[JSON]:
        """Return the bot's messages in a chat as they are now (edits applied, deletes gone).

        Args:
            chat_id: The chat (id, record or Chat object).
            thread_id: Only messages in this forum topic.

        Returns:
            Message objects in the order they were sent.

        """
        return [copy.deepcopy(s.message) for s in self._bot_messages(_id_of(chat_id), thread_id)]

    def topics(self, chat_id: Any) -> list[JSON]:
        """Return the existing (not deleted) forum topics of a chat.

        Args:
            chat_id: The forum chat.

        Returns:
            ForumTopic objects, each with an extra ``is_closed`` flag.

        """
        return [
            {k: v for k, v in t.items() if k != "is_deleted"}
            for t in self._topics.get(_id_of(chat_id), {}).values()
            if not t["is_deleted"]
        ]

    def topic_id(self, chat_id: Any, name: str) -> int:
        """Return the newest existing forum topic whose name contains ``name``.

        Args:
            chat_id: The forum chat.
            name: Part of the topic's name, e.g. ``"#1"``.

        Returns:
            Its message_thread_id.

        Raises:
            ValueError: No topic's name contains it.

        """
        for topic in reversed(self.topics(chat_id)):
            if name in topic["name"]:
                return int(topic["message_thread_id"])
        raise ValueError(f"no topic named like {name!r} in chat {_id_of(chat_id)}")

    def find_button(
        self, chat_id: Any, label: str, thread_id: int | None = None
    ) -> tuple[JSON, str]:
        """Return the newest bot message with an inline button whose label contains ``label``.

        Args:
            chat_id: The chat.
            label: Part of the button's label, e.g. ``"Übernehmen"``.
            thread_id: Only messages in this forum topic.

        Returns:
            The message and the button's callback_data (for ``press_button``).

        Raises:
            ValueError: No bot message there shows such a button.

        """
        for message in reversed(self.messages(chat_id, thread_id)):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message, str(button["callback_data"])
        raise ValueError(f"no button {label!r} in chat {_id_of(chat_id)}")

    def sent_files(self, chat_id: Any = None) -> list[JSON]:
        """Return the documents the bot sent, oldest first, with where each went.

        Args:
            chat_id: Only those sent to this chat, or None for every chat.

        Returns:
            Document objects, each with an extra ``chat_id`` and ``message_id``.

        """
        chats = list(self._bot_log) if chat_id is None else [_id_of(chat_id)]
        sent = [s for c in chats for s in self._bot_messages(c, None) if "document" in s.message]
        return [
            {
                **copy.deepcopy(s.message["document"]),
                "chat_id": s.message["chat"]["id"],
                "message_id": s.message["message_id"],
            }
            for s in sorted(sent, key=lambda s: s.seq)
        ]

    def file_bytes(self, file_id: str) -> bytes:
        """Return the content of a file the bot uploaded (or a user sent with ``send_document``).

        Args:
            file_id: The Document's file_id.

        Raises:
            KeyError: The fake holds no content for it (unknown, or sent by URL).

        """
        if file_id not in self._file_data:
            raise KeyError(f"no content for file {file_id!r}")
        return self._file_data[file_id]

    async def wait_for_message(
        self,
        chat_id: Any,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API is deadline based
        *,
        thread_id: int | None = None,
        include_existing: bool = False,
    ) -> JSON:
        """Wait for the first bot message in a chat sent after this call started.

        Args:
            chat_id: The chat to watch.
            predicate: Only return a message for which this is true.
            timeout: Seconds to wait.
            thread_id: Only messages in this forum topic.
            include_existing: Also consider messages sent before the call.

        Returns:
            The message as it is now.

        Raises:
            TimeoutError: No such message arrived in time.

        """
        chat = _id_of(chat_id)
        since = -1 if include_existing else self._seq
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            log = self._bot_log.get(chat, [])
            # The log is in seq order: skip what was there before, without scanning it.
            for stored in log[bisect.bisect_right(log, since, key=lambda s: s.seq) :]:
                if stored.deleted or not _in_thread(stored, thread_id):
                    continue
                if predicate is None or predicate(stored.message):
                    return copy.deepcopy(stored.message)
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [m.message.get("text", "<media>") for m in self._bot_messages(chat, None)]
                raise TimeoutError(
                    f"no matching bot message in chat {chat} within {timeout} s; "
                    f"bot messages there: {seen[-5:]!r}"
                )
            await self._wait_change(remaining)

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API is deadline based
    ) -> list[Call]:
        """Wait until at least ``count`` calls of a method were recorded in total.

        Args:
            method: Method name (case-insensitive).
            count: How many calls, counted since the server started (or ``reset``).
            timeout: Seconds to wait.

        Returns:
            All calls of that method so far.

        Raises:
            TimeoutError: Fewer calls arrived in time.

        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        key = method.lower()
        while True:
            # Only count while waiting: copying the log on every wake-up would be quadratic.
            found = len(self._calls_by_method.get(key, ()))
            if found >= count:
                return self.calls(method)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{found} of {count} {method} calls within {timeout} s")
            await self._wait_change(remaining)

    async def wait_for_poll(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API is deadline based
    ) -> None:
        """Wait until the bot has a getUpdates request open (it is up and listening).

        Args:
            timeout: Seconds to wait.

        Raises:
            TimeoutError: No getUpdates request was open in time.

        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.polling:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no getUpdates request open within {timeout} s")
            await self._wait_change(remaining)

    @property
    def polling(self) -> bool:
        """Return whether a getUpdates request is open right now."""
        return self._polls_waiting > 0

    def pending_updates(self) -> list[JSON]:
        """Return the updates the bot has not confirmed yet."""
        return copy.deepcopy(self._updates)

    # ----------------------------------------------------------------- test API: faults

    def fail(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: Any = None,
    ) -> None:
        """Make the next calls of a method fail with an error response.

        Args:
            method: Method name (case-insensitive), or "*" for any method.
            error_code: HTTP status and error_code, e.g. 400, 403, 429, 500, 502.
            description: The description; a realistic default per code otherwise.
            retry_after: ``parameters.retry_after`` (default 1 for 429).
            times: How many calls fail; None for every call until ``clear_faults``.
            chat_id: Only calls whose chat_id is this chat.

        """
        key = self._fault_method(method)
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        self._faults.append(
            _Fault(
                method=key,
                code=error_code,
                description=description,
                retry_after=retry_after,
                remaining=times,
                chat_id=None if chat_id is None else _id_of(chat_id),
            )
        )

    def delay(self, method: str, seconds: float, times: int | None = 1) -> None:
        """Make the next calls of a method answer only after some seconds.

        Args:
            method: Method name (case-insensitive), or "*" for any method.
            seconds: Added latency.
            times: How many calls; None for every call until ``clear_faults``.

        """
        self._delays.append(_Delay(self._fault_method(method), seconds, times))

    def delete_topic(self, chat: Any, thread_id: int) -> None:
        """Act as if a group admin deleted a forum topic in their client."""
        self._delete_forum_topic({"chat_id": _id_of(chat), "message_thread_id": thread_id})

    def block(self, user: Any) -> None:
        """Act as if the user blocked the bot.

        Every call whose chat_id is their chat answers 403 "Forbidden: bot was blocked by the
        user" (sendMessage, sendChatAction, editMessageText, ...).
        """
        self._blocked[_id_of(user)] = BLOCKED

    def deactivate(self, user: Any) -> None:
        """Act as if the user deleted their account: calls to their chat get 403.

        The description is "Forbidden: user is deactivated".
        """
        self._blocked[_id_of(user)] = DEACTIVATED

    def unblock(self, user: Any) -> None:
        """Undo ``block`` or ``deactivate``."""
        self._blocked.pop(_id_of(user), None)

    def limit_rate(
        self,
        per_second: float | None,
        *,
        method: str = "*",
        paid_per_second: float | None = None,
    ) -> None:
        """Answer 429 with ``retry_after`` when the bot calls faster than Telegram allows.

        A token bucket admits bursts of up to one second's worth. Rejected calls are recorded
        (status 429, not ``injected``) and do not use up the budget. Off by default.

        Args:
            per_second: Calls per second allowed, or None to switch limiting off.
            method: Only limit this method (case-insensitive), or "*" for all methods but
                getUpdates.
            paid_per_second: A separate, higher budget for calls with
                ``allow_paid_broadcast=true`` (Telegram: up to 1000/s); None counts them
                against ``per_second`` like any other call.

        """
        if per_second is None:
            self._rate_limit = None
            return
        if per_second <= 0 or (paid_per_second is not None and paid_per_second <= 0):
            raise ValueError("rates must be positive")
        stamp = time.monotonic()
        paid = None
        if paid_per_second is not None:
            paid = _Bucket(paid_per_second, max(paid_per_second, 1.0), stamp)
        normal = _Bucket(per_second, max(per_second, 1.0), stamp)
        self._rate_limit = _RateLimit(self._fault_method(method), normal, paid)

    def clear_faults(self) -> None:
        """Drop all pending faults, delays, blocks and the rate limit."""
        self._faults.clear()
        self._delays.clear()
        self._blocked.clear()
        self._rate_limit = None

    def reset(self) -> None:
        """Forget recorded calls and callback answers (the world and queue stay)."""
        self._calls.clear()
        self._calls_by_method.clear()
        self.callback_answers.clear()

    # ----------------------------------------------------------------- HTTP plumbing

    async def _handle_method(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()  # before any injected delay: when Telegram would count it
        if request.match_info["token"] != self.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        name = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return self._record(arrived, name, {}, exc.body(), exc.code)
        entry = self._methods.get(name.lower())
        if entry is None:
            error = ApiError(404, "Not Found: method not found")
            return self._record(arrived, name, params, error.body(), 404)
        method, handler = entry
        await self._apply_delay(method)
        fault = self._take_fault(method, params)
        if fault is not None:
            error = ApiError(fault.code, fault.description, fault.retry_after)
            return self._record(arrived, method, params, error.body(), fault.code, injected=True)
        try:
            self._check_rate(method, params)
            self._check_blocked(params)
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return self._record(arrived, method, params, exc.body(), exc.code)
        except Exception as exc:  # a bug in the fake itself: answer like Telegram, keep it
            self.errors.append(exc)
            error = ApiError(500, DEFAULT_DESCRIPTIONS[500])
            return self._record(arrived, method, params, error.body(), 500)
        body: JSON = {"ok": True}
        if isinstance(result, _Reply):
            body["result"] = result.result
            if result.description:
                body["description"] = result.description
        else:
            body["result"] = result
        return self._record(arrived, method, params, body, 200)

    async def _handle_file(self, request: web.Request) -> web.Response:
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def _record(
        self,
        arrived: float,
        method: str,
        params: JSON,
        body: JSON,
        status: int,
        injected: bool = False,
    ) -> web.Response:
        # Serialize once: the text is the response, and parsing it back gives the call log an
        # independent copy faster than deepcopy would (handlers may return live records).
        text = json.dumps(body, default=str)
        call = Call(method, params, json.loads(text), status, injected, arrived)
        self._calls.append(call)
        self._calls_by_method.setdefault(method.lower(), []).append(call)
        self._notify()
        return web.Response(text=text, status=status, content_type="application/json")

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {k: self._form_value(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(
                        filename=value.filename or key,
                        content_type=value.content_type or "application/octet-stream",
                        data=value.file.read(),
                    )
                else:
                    params[key] = self._form_value(key, str(value))
        return params

    @staticmethod
    def _form_value(key: str, value: str) -> Any:
        if key in INT_PARAMS:
            for convert in (int, float):
                with contextlib.suppress(ValueError):
                    return convert(value.strip())
            return value
        if key in BOOL_PARAMS:
            lowered = value.strip().lower()
            return lowered in ("true", "1") if lowered in ("true", "false", "1", "0") else value
        if key not in JSON_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc

    async def _apply_delay(self, method: str) -> None:
        for delay in self._delays:
            if delay.method in (method.lower(), "*") and delay.remaining != 0:
                if delay.remaining is not None:
                    delay.remaining -= 1
                    if delay.remaining == 0:  # used up: keep the list short for the hot path
                        self._delays.remove(delay)
                await self._sleep(delay.seconds)
                return

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in (method.lower(), "*") or fault.remaining == 0:
                continue
            if fault.chat_id is not None and _maybe_int(params.get("chat_id")) != fault.chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:  # used up: keep the list short for the hot path
                    self._faults.remove(fault)
            return fault
        return None

    def _check_rate(self, method: str, params: JSON) -> None:
        limit = self._rate_limit
        # Telegram does not throttle long polling; limiting it would only starve the bot.
        if limit is None or method == "getUpdates" or limit.method not in (method.lower(), "*"):
            return
        paid = limit.paid is not None and _bool(params, "allow_paid_broadcast")
        bucket = limit.paid if paid and limit.paid is not None else limit.normal
        wait = bucket.take(time.monotonic())
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _check_blocked(self, params: JSON) -> None:
        chat_id = _maybe_int(params.get("chat_id"))
        if chat_id is not None and chat_id in self._blocked:
            raise ApiError(403, self._blocked[chat_id])

    def _fault_method(self, method: str) -> str:
        key = method.lower()
        if key != "*" and key not in self._methods:
            raise ValueError(f"unknown Bot API method {method!r}")
        return key

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    async def _sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing and (remaining := deadline - loop.time()) > 0:
            await self._wait_change(remaining)

    # ----------------------------------------------------------------- world helpers

    def _user(self, user: Any) -> JSON:
        user_id = _id_of(user)
        if user_id not in self._users:
            self.user(user_id)
        return self._users[user_id]

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) % (1 << 63))

    def _new_file(self, prefix: str) -> JSON:
        n = next(self._file_ids)
        return {"file_id": f"{prefix}{n:08d}-fake", "file_unique_id": f"AQAD{n:06d}"}

    def _store_file(self, upload: Upload) -> JSON:
        """Keep an uploaded file's content and return its Document object."""
        file = {
            **self._new_file("BQACAgIAAxkBAAI"),
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }
        self._files[file["file_id"]] = file
        self._file_data[file["file_id"]] = upload.data
        return dict(file)

    def _captioned(self, caption: str | None) -> JSON:
        """Return the caption fields of a user's media message (entities as Telegram finds them)."""
        if caption is None:
            return {}
        content: JSON = {"caption": caption}
        entities = self._auto_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return content

    def _auto_entities(self, text: str) -> list[JSON]:
        """Return the entities Telegram's clients mark in a typed text: commands, @names, links."""
        entities = [
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
            for kind, pattern in _TYPED_ENTITIES
            for match in pattern.finditer(text)
        ]
        return sorted(entities, key=lambda e: e["offset"])

    def _text_content(self, text: str, entities: Iterable[JSON]) -> JSON:
        """Return a typed text with its automatic entities and the ones the user chose."""
        extra = [dict(e) for e in entities]
        for entity in extra:
            if not {"type", "offset", "length"} <= set(entity):
                raise ValueError(f"an entity needs type, offset and length: {entity!r}")
            if entity["type"] == "text_link" and not str(entity.get("url", "")):
                raise ValueError(f"a text_link entity needs a url: {entity!r}")
            if entity["offset"] < 0 or entity["offset"] + entity["length"] > utf16_len(text):
                raise ValueError(f"the entity lies outside the text: {entity!r}")
        content: JSON = {"text": text}
        found = sorted(self._auto_entities(text) + extra, key=lambda e: e["offset"])
        if found:
            content["entities"] = found
        return content

    def _user_message(
        self,
        user: Any,
        chat: Any,
        thread_id: int | None,
        content: JSON,
        reply_to: int | None = None,
    ) -> JSON:
        sender = self._user(user)
        chat_id = sender["id"] if chat is None else _id_of(chat)
        if chat_id not in self._chats:
            raise ValueError(f"unknown chat {chat_id}")
        if chat_id in self._members:
            self._refuse_send(sender["id"], chat_id, content)
        if chat_id == sender["id"]:  # writing to the bot starts it
            self._not_started.discard(chat_id)
        if thread_id is not None:
            topic = self._topics.get(chat_id, {}).get(thread_id)
            if topic is None or topic["is_deleted"]:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        if reply_to is not None:
            parent = self._store.get(chat_id, {}).get(reply_to)
            if parent is None or parent.deleted:
                raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
            if thread_id is None and self._chats[chat_id].get("is_forum"):
                thread_id = parent.message.get("message_thread_id")
        message = self._new_message(
            chat_id, dict(sender), thread_id, content, kind="user", reply_to=reply_to
        )
        return self._queue("message", message)

    def _new_message(
        self,
        chat_id: int,
        sender: JSON,
        thread_id: int | None,
        content: JSON,
        kind: str,
        reply_to: int | None = None,
    ) -> JSON:
        chat = self._chats[chat_id]
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        message: JSON = {"message_id": message_id}
        forum = bool(chat.get("is_forum"))
        if forum and thread_id is not None:
            message["message_thread_id"] = thread_id
        message.update({"from": sender, "chat": dict(chat), "date": self.now()})
        if forum and thread_id is not None:
            message["is_topic_message"] = True
        stored_chat = self._store.setdefault(chat_id, {})
        # In a forum topic a message without an explicit reply replies to the topic's root.
        root = reply_to if reply_to is not None else thread_id if forum else None
        if root is not None and root in stored_chat and root != message_id:
            parent = {k: v for k, v in stored_chat[root].message.items() if k != "reply_to_message"}
            message["reply_to_message"] = copy.deepcopy(parent)
        message.update(content)
        self._seq += 1
        stored = _Stored(message=message, kind=kind, seq=self._seq)
        stored_chat[message_id] = stored
        if kind == "bot":
            self._bot_log.setdefault(chat_id, []).append(stored)
        self._notify()
        return message

    def _queue(self, kind: str, payload: JSON) -> JSON:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: copy.deepcopy(payload)}
        if kind in self._allowed_updates:
            self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    def _bot_messages(self, chat_id: int, thread_id: int | None) -> list[_Stored]:
        return [
            s for s in self._bot_log.get(chat_id, ()) if not s.deleted and _in_thread(s, thread_id)
        ]

    def _add_join_request(self, chat_id: int, sender: JSON, invite: _Invite | None) -> JSON:
        user_id = sender["id"]
        self._drop_join_request(chat_id, user_id)  # asking again replaces the open request
        date = self.now()
        link = None if invite is None else invite.record["invite_link"]
        self._join_requests.setdefault(chat_id, {})[user_id] = _JoinRequest(date, link)
        request: JSON = {
            "chat": dict(self._chats[chat_id]),
            "from": dict(sender),
            "user_chat_id": user_id,
            "date": date,
        }
        if user_id in self._bios:
            request["bio"] = self._bios[user_id]
        if invite is not None:
            invite.pending.add(user_id)
            request["invite_link"] = self._link_object(invite)
        return self._queue("chat_join_request", request)

    def _drop_join_request(self, chat_id: int, user_id: int) -> _JoinRequest | None:
        request = self._join_requests.get(chat_id, {}).pop(user_id, None)
        if request is not None and request.invite_link is not None:
            self._invites[request.invite_link].pending.discard(user_id)
        return request

    def _admit(
        self, chat_id: int, user: JSON, invite: _Invite | None, approved_by: JSON | None
    ) -> None:
        """Add a user to a group with the service message and chat_member update Telegram sends."""
        self._members[chat_id].add(user["id"])
        if invite is not None:
            invite.joined.add(user["id"])
        joined = self._new_message(
            chat_id, dict(user), None, {"new_chat_members": [dict(user)]}, kind="service"
        )
        self._queue("message", joined)
        change: JSON = {
            "chat": dict(self._chats[chat_id]),
            "from": dict(approved_by or user),
            "date": self.now(),
            "old_chat_member": {"user": dict(user), "status": "left"},
            "new_chat_member": {"user": dict(user), "status": "member"},
        }
        if invite is not None:
            change["invite_link"] = self._link_object(invite)
        if approved_by is not None:
            change["via_join_request"] = True
        self._queue("chat_member", change)

    def _link_object(self, invite: _Invite) -> JSON:
        """Return the ChatInviteLink in telegram-bot-api's field order."""
        record = invite.record
        link: JSON = {"invite_link": record["invite_link"]}
        for key in ("name", "creator", "expire_date", "member_limit"):
            if key in record:
                link[key] = copy.deepcopy(record[key])
        if invite.pending:
            link["pending_join_request_count"] = len(invite.pending)
        link["creates_join_request"] = record["creates_join_request"]
        link["is_primary"] = False
        link["is_revoked"] = invite.revoked
        return link

    def _may_contact(self, chat: JSON) -> bool:
        """Return whether the bot may write to a chat (private: started, or asked to join)."""
        user_id = chat["id"]
        if chat["type"] != "private" or user_id not in self._not_started:
            return True
        oldest = self.now() - JOIN_REQUEST_CONTACT_SECONDS
        return any(
            (request := requests.get(user_id)) is not None and request.date >= oldest
            for requests in self._join_requests.values()
        )

    # ----------------------------------------------------------------- parameter helpers

    def _chat(self, params: JSON, key: str = "chat_id") -> JSON:
        raw = params.get(key)
        if raw is None or raw == "":
            raise ApiError(400, f"Bad Request: {key} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == raw[1:].lower():
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        chat_id = _maybe_int(raw)
        if chat_id is None or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats[chat_id]

    def _thread(self, chat: JSON, params: JSON, *, for_sending: bool = True) -> int | None:
        thread_id = _int(params, "message_thread_id")
        if thread_id is None or not chat.get("is_forum"):
            return None
        topic = self._topics.get(chat["id"], {}).get(thread_id)
        if topic is None or topic["is_deleted"]:
            raise ApiError(400, THREAD_NOT_FOUND)
        if for_sending and topic["is_closed"]:
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return thread_id

    def _formatted(self, params: JSON, key: str, entities_key: str) -> tuple[str, list[JSON]]:
        text = str(params.get(key, ""))
        mode = params.get("parse_mode")
        if mode in (None, ""):
            entities = params.get(entities_key) or []
            if not isinstance(entities, list):
                raise ApiError(400, f"Bad Request: can't parse {entities_key} JSON object")
            return text, entities
        if not isinstance(mode, str) or mode.lower() not in ("html", "markdown", "markdownv2"):
            raise ApiError(400, f'Bad Request: unsupported parse_mode "{mode}"')
        if mode.lower() != "html":
            return text, []
        try:
            return parse_html(text, self._users)
        except EntityParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc

    def _text(self, params: JSON) -> tuple[str, list[JSON]]:
        if str(params.get("text", "")).strip() == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text, entities = self._formatted(params, "text", "entities")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    def _caption(self, params: JSON) -> JSON:
        if params.get("caption") in (None, ""):
            return {}
        caption, entities = self._formatted(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        content: JSON = {"caption": caption}
        if entities:
            content["caption_entities"] = entities
        return content

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        if params.get("reply_markup") in (None, ""):
            return None
        try:
            markup = check_reply_markup(params["reply_markup"])
        except MarkupError as exc:
            raise ApiError(400, f"Bad Request: {exc}") from exc
        # An empty inline keyboard is no keyboard.
        return markup if markup and any(markup["inline_keyboard"]) else None

    def _reply_target(self, chat: JSON, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = _maybe_int(reply.get("message_id"))
            allow = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = _int(params, "reply_to_message_id")
            allow = _bool(params, "allow_sending_without_reply")
        if message_id is None:
            return None
        stored = self._store.get(chat["id"], {}).get(message_id)
        if stored is None or stored.deleted:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return message_id

    def _send(self, chat: JSON, params: JSON, content: JSON) -> JSON:
        if not self._may_contact(chat):
            raise ApiError(403, CANT_INITIATE)
        thread_id = self._thread(chat, params)
        reply_to = self._reply_target(chat, params)
        if reply_to is not None and thread_id is None:
            parent = self._store[chat["id"]][reply_to].message
            thread_id = parent.get("message_thread_id") if chat.get("is_forum") else None
        markup = self._markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        # The live message, not a copy: _record serializes the response before anything can
        # change it, and deepcopying every sent message would dominate a broadcast's cost.
        return self._new_message(
            chat["id"], dict(self.bot_user), thread_id, content, kind="bot", reply_to=reply_to
        )

    def _bot_message(self, params: JSON, not_found: str) -> _Stored:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message_id = _int(params, "message_id", required=True)
        stored = self._store.get(chat["id"], {}).get(message_id or 0)
        if stored is None or stored.deleted:
            raise ApiError(400, f"Bad Request: {not_found}")
        return stored

    # ----------------------------------------------------------------- Bot API methods

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset")
        limit = min(max(_int(params, "limit") or 100, 1), 100)
        timeout = _float(params, "timeout") or 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if offset is not None and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset is not None and offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._polls_waiting += 1
        self._notify()
        try:
            while True:
                if self._updates:
                    return copy.deepcopy(self._updates[:limit])
                if generation != self._poll_generation:
                    raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
                remaining = deadline - loop.time()
                if remaining <= 0 or self._closing:
                    return []
                await self._wait_change(remaining)
        finally:
            self._polls_waiting -= 1
            self._notify()

    def _set_webhook(self, params: JSON) -> _Reply:
        url = str(params.get("url", ""))
        if not url:
            return self._delete_webhook(params)
        if not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self._webhook_url = url
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        return _Reply(True, "Webhook was set")

    def _delete_webhook(self, params: JSON) -> _Reply:
        was_set = bool(self._webhook_url)
        self._webhook_url = ""
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        return _Reply(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = 40
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if commands is None:
            raise ApiError(400, "Bad Request: commands is empty")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        self._command_lists[self._commands_key(params)] = cleaned
        self.commands = copy.deepcopy(cleaned)
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self._command_lists.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSON) -> bool:
        self._command_lists.pop(self._commands_key(params), None)
        return True

    def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        text, entities = self._text(params)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send(chat, params, content)

    def _edit_message_text(self, params: JSON) -> JSON:
        stored = self._bot_message(params, "message to edit not found")
        if stored.kind != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        message = stored.message
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._text(params)
        markup = self._markup(params)
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = self.now()
        self._notify()
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: JSON) -> JSON:
        stored = self._bot_message(params, "message to edit not found")
        if stored.kind != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = self._markup(params)
        if markup == stored.message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        _set_or_drop(stored.message, "reply_markup", markup)
        stored.message["edit_date"] = self.now()
        self._notify()
        return copy.deepcopy(stored.message)

    def _delete_message(self, params: JSON) -> bool:
        """Delete a message as the docs allow.

        The bot's own, any in a private chat, others' in a group with can_delete_messages; none
        older than 48 hours, and never the service message that created a forum topic.
        """
        stored = self._bot_message(params, "message to delete not found")
        message = stored.message
        chat_id = message["chat"]["id"]
        if (
            "forum_topic_created" in message
            or message["date"] <= self.now() - DELETE_WINDOW_SECONDS
        ):
            raise ApiError(400, CANT_DELETE)
        group = message["chat"]["type"] != "private"
        if group and stored.kind != "bot" and not self._bot_right(chat_id, "can_delete_messages"):
            raise ApiError(400, CANT_DELETE)
        stored.deleted = True
        self._notify()
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if not query_id:
            raise ApiError(400, "Bad Request: callback_query_id is empty")
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise ApiError(400, QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[query_id] = dict(params)
        return True

    def _send_chat_action(self, params: JSON) -> bool:
        chat = self._chat(params)
        if not self._may_contact(chat):
            raise ApiError(403, CANT_INITIATE)
        action = params.get("action")
        if not action:
            raise ApiError(400, "Bad Request: action is empty")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        # Telegram answers True even for a deleted topic (tdlib/telegram-bot-api#732).
        thread_id = _int(params, "message_thread_id")
        topic = self._topics.get(chat["id"], {}).get(thread_id or 0)
        if chat.get("is_forum") and thread_id is not None and topic is None:
            raise ApiError(400, THREAD_NOT_FOUND)
        return True

    def _send_document(self, params: JSON) -> JSON:
        chat = self._chat(params)
        document = params.get("document")
        if document is None or document == "":
            raise ApiError(400, "Bad Request: there is no document in the request")
        if isinstance(document, Upload):
            file = self._store_file(document)
        elif isinstance(document, str) and document in self._files:
            file = dict(self._files[document])
        elif isinstance(document, str) and re.match(r"https?://", document):
            name = document.rstrip("/").rsplit("/", 1)[-1] or "file"
            file = {**self._new_file("BQACAgIAAxkBAAI"), "file_name": name}
            self._files[file["file_id"]] = file
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        content: JSON = {"document": file, **self._caption(params)}
        return self._send(chat, params, content)

    def _copy_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        source_chat = self._chat(params, "from_chat_id")
        message_id = _int(params, "message_id", required=True)
        stored = self._store.get(source_chat["id"], {}).get(message_id or 0)
        if stored is None or stored.deleted:
            raise ApiError(400, "Bad Request: message to copy not found")
        if stored.kind == "service":
            raise ApiError(400, "Bad Request: message can't be copied")
        content = {
            k: copy.deepcopy(v) for k, v in stored.message.items() if k not in _ENVELOPE_KEYS
        }
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._send(chat, params, content)
        return {"message_id": message["message_id"]}

    def _forum(self, params: JSON) -> JSON:
        chat = self._chat(params)
        if not chat.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        return chat

    def _topic(self, params: JSON) -> JSON:
        chat = self._forum(params)
        thread_id = _int(params, "message_thread_id", required=True)
        topic = self._topics[chat["id"]].get(thread_id or 0)
        if topic is None or topic["is_deleted"]:
            raise ApiError(400, THREAD_NOT_FOUND)
        return topic

    def _create_forum_topic(self, params: JSON) -> JSON:
        chat = self._forum(params)
        if not self._bot_right(chat["id"], "can_manage_topics"):
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = str(params.get("name", ""))
        if not name:
            raise ApiError(400, "Bad Request: name is empty")
        if len(name) > 128:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_INVALID")
        color = _int(params, "icon_color")
        if color is None:
            color = TOPIC_ICON_COLORS[len(self._topics[chat["id"]]) % len(TOPIC_ICON_COLORS)]
        elif color not in TOPIC_ICON_COLORS:
            raise ApiError(400, "Bad Request: TOPIC_ICON_COLOR_INVALID")
        topic: JSON = {"message_thread_id": 0, "name": name, "icon_color": color}
        emoji = params.get("icon_custom_emoji_id")
        if emoji:
            topic["icon_custom_emoji_id"] = str(emoji)
        created = {k: v for k, v in topic.items() if k != "message_thread_id"}
        thread_id = self._next_message_id.get(chat["id"], 0) + 1
        self._new_message(
            chat["id"],
            dict(self.bot_user),
            thread_id,
            {"forum_topic_created": created},
            kind="service",
        )
        topic["message_thread_id"] = thread_id
        self._topics[chat["id"]][thread_id] = {**topic, "is_closed": False, "is_deleted": False}
        return topic

    def _edit_forum_topic(self, params: JSON) -> bool:
        topic = self._topic(params)
        changed = False
        name = params.get("name")
        if name not in (None, "") and name != topic["name"]:
            if len(str(name)) > 128:
                raise ApiError(400, "Bad Request: TOPIC_TITLE_INVALID")
            topic["name"] = str(name)
            changed = True
        emoji = params.get("icon_custom_emoji_id")
        if emoji is not None and emoji != topic.get("icon_custom_emoji_id", ""):
            _set_or_drop(topic, "icon_custom_emoji_id", str(emoji) or None)
            changed = True
        if not changed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        return True

    def _close_forum_topic(self, params: JSON) -> bool:
        topic = self._topic(params)
        if topic["is_closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["is_closed"] = True
        return True

    def _reopen_forum_topic(self, params: JSON) -> bool:
        topic = self._topic(params)
        if not topic["is_closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["is_closed"] = False
        return True

    def _delete_forum_topic(self, params: JSON) -> bool:
        chat_id = self._forum(params)["id"]
        topic = self._topic(params)
        topic["is_deleted"] = True
        for stored in self._store.get(chat_id, {}).values():
            if stored.message.get("message_thread_id") == topic["message_thread_id"]:
                stored.deleted = True
        self._notify()
        return True

    def _invite_chat(self, params: JSON) -> JSON:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: can't invite members to a private chat")
        if not self._bot_right(chat["id"], "can_invite_users"):
            raise ApiError(400, NO_INVITE_RIGHTS)
        return chat

    def _create_chat_invite_link(self, params: JSON) -> JSON:
        chat = self._invite_chat(params)
        # telegram-bot-api clamps negative numbers to 0, which means "no expiry"/"no limit".
        expire_date = max(_maybe_int(params.get("expire_date")) or 0, 0)
        member_limit = max(_maybe_int(params.get("member_limit")) or 0, 0)
        creates_join_request = _bool(params, "creates_join_request")
        if creates_join_request and member_limit:
            raise ApiError(400, LIMIT_WITH_REQUEST)
        if expire_date and expire_date <= self.now():
            raise ApiError(400, "Bad Request: EXPIRE_DATE_INVALID")
        if member_limit > MAX_MEMBER_LIMIT:
            raise ApiError(400, "Bad Request: USAGE_LIMIT_INVALID")
        link = "https://t.me/+" + secrets.token_urlsafe(12)
        while link in self._invites:
            link = "https://t.me/+" + secrets.token_urlsafe(12)
        record: JSON = {"invite_link": link, "creator": dict(self.bot_user)}
        name = str(params.get("name") or "")[:MAX_LINK_NAME]  # TDLib cuts longer names
        if name:
            record["name"] = name
        if expire_date:
            record["expire_date"] = expire_date
        if member_limit:
            record["member_limit"] = member_limit
        record["creates_join_request"] = creates_join_request
        invite = _Invite(chat_id=chat["id"], record=record)
        self._invites[link] = invite
        return self._link_object(invite)

    def _revoke_chat_invite_link(self, params: JSON) -> JSON:
        chat = self._invite_chat(params)
        link = str(params.get("invite_link") or "")
        if not link:
            raise ApiError(400, "Bad Request: invite link must be non-empty")
        invite = self._invites.get(_link_key(link))
        if invite is None or invite.chat_id != chat["id"] or invite.revoked:
            raise ApiError(400, LINK_UNAVAILABLE)
        invite.revoked = True
        return self._link_object(invite)

    def _take_join_request(self, params: JSON) -> tuple[JSON, int, _Invite | None]:
        """Close the join request named by chat_id and user_id, checking what Telegram checks.

        Returns:
            The chat, the user id and the link the user asked through (or None).

        """
        # telegram-bot-api reads user_id before it looks at the chat.
        user_id = _maybe_int(params.get("user_id")) or 0
        if user_id <= 0:
            raise ApiError(400, "Bad Request: invalid user_id specified")
        chat = self._chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: the chat can't have join requests")
        if not self._bot_right(chat["id"], "can_invite_users"):
            raise ApiError(400, NO_JOIN_REQUEST_RIGHTS)
        request = self._drop_join_request(chat["id"], user_id)
        if request is None:
            raise ApiError(400, NO_JOIN_REQUEST)
        if user_id in self._members[chat["id"]]:
            raise ApiError(400, ALREADY_PARTICIPANT)
        link = request.invite_link
        return chat, user_id, None if link is None else self._invites[link]

    def _approve_chat_join_request(self, params: JSON) -> bool:
        chat, user_id, invite = self._take_join_request(params)
        self._admit(chat["id"], self._user(user_id), invite, approved_by=self.bot_user)
        return True

    def _decline_chat_join_request(self, params: JSON) -> bool:
        self._take_join_request(params)
        return True

    def _permissions_param(self, params: JSON) -> JSON:
        try:
            return parse_permissions(
                params.get("permissions"),
                independent=_bool(params, "use_independent_chat_permissions"),
            )
        except PermissionsError as exc:
            raise ApiError(400, f"Bad Request: {exc}") from exc

    @staticmethod
    def _target_user_id(params: JSON) -> int:
        # telegram-bot-api reads user_id before it looks at the chat.
        user_id = _maybe_int(params.get("user_id")) or 0
        if user_id <= 0:
            raise ApiError(400, "Bad Request: invalid user_id specified")
        return user_id

    def _check_target(self, chat_id: int, user_id: int) -> None:
        """Refuse what TDLib and Telegram refuse before a member's status changes.

        In TDLib's order: the owner, the bot itself, the bot's right, then Telegram's
        USER_ADMIN_INVALID for an administrator.
        """
        if user_id not in self._users and user_id != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: user not found")
        if self._owners.get(chat_id) == user_id:
            raise ApiError(400, CANT_REMOVE_OWNER)
        if user_id == self.bot_user["id"]:
            raise ApiError(400, CANT_RESTRICT_SELF)
        if not self._bot_right(chat_id, "can_restrict_members"):
            raise ApiError(400, NO_RESTRICT_RIGHTS)
        if user_id in self._admins.get(chat_id, {}):
            raise ApiError(400, USER_IS_ADMIN)

    def _remove_member(self, chat_id: int, user_id: int, by: JSON) -> None:
        """Take a user out of a group with the left_chat_member service message Telegram posts."""
        if user_id not in self._members[chat_id]:
            return
        self._members[chat_id].discard(user_id)
        content = {"left_chat_member": dict(self._users[user_id])}
        self._queue("message", self._new_message(chat_id, dict(by), None, content, "service"))

    def _member_changed(self, chat_id: int, old: JSON, by: JSON) -> None:
        """Queue the chat_member update for a status change (delivered if the bot asked)."""
        new = self._member_object(chat_id, old["user"]["id"])
        if new != old:
            change: JSON = {
                "chat": dict(self._chats[chat_id]),
                "from": dict(by),
                "date": self.now(),
                "old_chat_member": old,
                "new_chat_member": new,
            }
            self._queue("chat_member", change)

    def _restrict_chat_member(self, params: JSON) -> bool:
        user_id = self._target_user_id(params)
        permissions = self._permissions_param(params)
        until = until_date(_maybe_int(params.get("until_date")), self.now())
        chat = self._chat(params)
        if chat["type"] != "supergroup":
            raise ApiError(400, SUPERGROUPS_ONLY)
        chat_id = chat["id"]
        self._check_target(chat_id, user_id)
        old = self._member_object(chat_id, user_id)
        self._banned.get(chat_id, {}).pop(user_id, None)
        if all(permissions.values()):  # "Pass True for all permissions to lift restrictions"
            self._restricted.get(chat_id, {}).pop(user_id, None)
        else:
            self._restricted.setdefault(chat_id, {})[user_id] = _Restriction(permissions, until)
        self._member_changed(chat_id, old, self.bot_user)
        return True

    def _ban_chat_member(self, params: JSON) -> bool:
        user_id = self._target_user_id(params)
        until = until_date(_maybe_int(params.get("until_date")), self.now())
        chat = self._chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: can't ban members in private chats")
        chat_id = chat["id"]
        self._check_target(chat_id, user_id)
        old = self._member_object(chat_id, user_id)
        # revoke_messages is always true in supergroups and deletes nothing (the docs).
        self._restricted.get(chat_id, {}).pop(user_id, None)
        self._drop_join_request(chat_id, user_id)
        self._banned.setdefault(chat_id, {})[user_id] = until
        self._remove_member(chat_id, user_id, self.bot_user)
        self._member_changed(chat_id, old, self.bot_user)
        return True

    def _unban_chat_member(self, params: JSON) -> bool:
        """Unban as the docs say: afterwards the user is not a member but may join again.

        A member is removed unless only_if_banned; a user who is neither banned nor restricted
        and not in the group is left alone (TDLib changes nothing, so no right is needed).
        """
        user_id = self._target_user_id(params)
        chat = self._chat(params)
        if chat["type"] != "supergroup":
            raise ApiError(400, SUPERGROUPS_AND_CHANNELS)
        chat_id = chat["id"]
        if user_id not in self._users:
            raise ApiError(400, "Bad Request: user not found")
        status = self._status(chat_id, user_id)
        if status == "left" or (_bool(params, "only_if_banned") and status != "kicked"):
            return True
        self._check_target(chat_id, user_id)
        old = self._member_object(chat_id, user_id)
        self._banned.get(chat_id, {}).pop(user_id, None)
        self._restricted.get(chat_id, {}).pop(user_id, None)
        self._remove_member(chat_id, user_id, self.bot_user)
        self._member_changed(chat_id, old, self.bot_user)
        return True

    def _set_chat_permissions(self, params: JSON) -> bool:
        permissions = self._permissions_param(params)
        chat = self._chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: can't change private chat permissions")
        if not self._bot_right(chat["id"], "can_restrict_members"):
            raise ApiError(400, NO_PERMISSIONS_RIGHTS)
        self._chat_permissions[chat["id"]] = permissions
        return True

    def _get_chat(self, params: JSON) -> JSON:
        """Answer a ChatFullInfo: the chat's fields plus those the Bot API always sends.

        https://core.telegram.org/bots/api#chatfullinfo (accent_color_id, max_reaction_count
        and accepted_gift_types are required; is_forum only for a forum supergroup).
        """
        chat = self._chat(params)
        info: JSON = {
            **chat,
            "accent_color_id": chat["id"] % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": chat["type"] == "private",
                "limited_gifts": chat["type"] == "private",
                "unique_gifts": chat["type"] == "private",
                "premium_subscription": chat["type"] == "private",
                "gifts_from_channels": chat["type"] == "private",
            },
        }
        if chat["type"] != "private":
            info["permissions"] = dict(self._chat_permissions[chat["id"]])
        return info

    def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._chat(params)
        user_id = _maybe_int(params.get("user_id")) or 0
        if user_id <= 0:
            raise ApiError(400, "Bad Request: invalid user_id specified")
        if user_id == self.bot_user["id"]:
            return self._bot_member(chat)
        user = self._users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat["type"] == "private":
            return {"user": dict(user), "status": "member" if user_id == chat["id"] else "left"}
        return self._member_object(chat["id"], user_id)

    def _bot_right(self, chat_id: int, right: str) -> bool:
        """Return whether the bot administers a group with this right."""
        return self._bot_admin.get(chat_id, {}).get(right, False)

    def _bot_member(self, chat: JSON) -> JSON:
        if chat["id"] not in self._bot_admin:
            return {"user": dict(self.bot_user), "status": "member"}
        rights = dict(self._bot_admin[chat["id"]])
        return {
            "user": dict(self.bot_user),
            "status": "administrator",
            "can_be_edited": False,
            **rights,
            "is_anonymous": False,
        }

    # ----------------------------------------------------------------- control endpoints

    def _control(self, endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
        """Return the aiohttp handler of a control endpoint (see tests/fakebotapi/control.py)."""

        async def handle(request: web.Request) -> web.Response:
            params: JSON = dict(request.query)
            text = await request.text() if request.can_read_body else ""
            try:
                body = json.loads(text) if text.strip() else {}
                if not isinstance(body, dict):
                    raise ValueError("the body is not a JSON object")
                params.update(body)
                result = endpoint.handler(self, params)
                if inspect.isawaitable(result):
                    result = await result
            except TimeoutError as exc:
                return _json({"ok": False, "description": str(exc)}, 408)
            except (KeyError, TypeError, ValueError) as exc:
                return _json({"ok": False, "description": str(exc)}, 400)
            if isinstance(result, Raw):
                headers = {"Content-Type": result.content_type}
                if result.filename:
                    headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
                return web.Response(body=result.data, headers=headers)
            return _json(result)

        return handle


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, default=str))


def _in_thread(stored: _Stored, thread_id: int | None) -> bool:
    return thread_id is None or stored.message.get("message_thread_id") == thread_id


def _link_key(link: str) -> str:
    """Return an invite link in the form createChatInviteLink answers it.

    Users paste links in several spellings (t.me/+X, http://, the older joinchat/X form).
    """
    key = link.strip()
    key = re.sub(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/", "https://t.me/", key)
    return re.sub(r"^https://t\.me/joinchat/", "https://t.me/+", key)


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def _maybe_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
    return None


def _int(params: JSON, key: str, required: bool = False) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"Bad Request: {key} is empty")
        return None
    number = _maybe_int(value)
    if number is None:
        raise ApiError(400, f"Bad Request: invalid {key} specified")
    return number


def _float(params: JSON, key: str) -> float | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad Request: invalid {key} specified") from exc


def _bool(params: JSON, key: str) -> bool:
    value = params.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)
