"""An offline `BaseRequest` for handler tests: records every Bot API call, answers plausibly."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 999,
    "is_bot": True,
    "first_name": "Elternlotse",
    "username": "elternlotse_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


# The fields of ChatMemberAdministrator that are rights (getChatMember of the bot in a group).
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


class RecordingRequest(BaseRequest):
    """Answers Bot API calls without a network and keeps them for assertions."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults: list[tuple[str, int, dict[str, Any]]] = []
        self._ids = itertools.count(1000)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    def fail(self, method: str, code: int, **body: Any) -> None:
        """Make the next call of `method` fail with `code` and the given error fields."""
        self.faults.append((method, code, body))

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def texts(self) -> list[str]:
        return [str(p["text"]) for p in self.sent()]

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 1))
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message

    def _group_result(self, name: str, params: dict[str, Any]) -> Any:
        """Answer the peer groups' calls as an administrator with every right would get them."""
        if name == "getChat":
            chat_id = int(params["chat_id"])
            return {
                "id": chat_id,
                "type": "supergroup",
                "title": "Gruppe",
                "accent_color_id": 0,
                "max_reaction_count": 11,
            }
        if name == "getChatMember":
            if int(params["user_id"]) != BOT_USER["id"]:
                user = {"id": int(params["user_id"]), "is_bot": False, "first_name": "Mia"}
                return {"status": "member", "user": user}
            rights = dict.fromkeys(ADMIN_RIGHTS, True)
            return {"status": "administrator", "user": BOT_USER, **rights}
        if name == "createChatInviteLink":
            return {
                "invite_link": f"https://t.me/+offline{next(self._ids)}",
                "creator": BOT_USER,
                "creates_join_request": True,
                "is_primary": False,
                "is_revoked": False,
            }
        if name == "copyMessage":
            return {"message_id": next(self._ids)}
        return True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        for index, (fault_method, code, body) in enumerate(self.faults):
            if fault_method == name:
                del self.faults[index]
                return code, json.dumps({"ok": False, "error_code": code, **body}).encode()
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name in {"sendMessage", "editMessageText", "editMessageReplyMarkup"}:
            result = self._message(params)
        elif name == "getUpdates":
            result = []
        else:
            result = self._group_result(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()
