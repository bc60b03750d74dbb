"""The fake Bot API's moderated peer groups: restrict, ban, unban, chat permissions, members.

Shapes and error descriptions are those of https://core.telegram.org/bots/api, of
telegram-bot-api's Client.cpp and of TDLib; python-telegram-bot parsing them proves the shapes
are complete.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatPermissions,
)
from telegram.error import BadRequest

from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.permissions import PERMISSION_NAMES
from tests.fakebotapi.server import SendRefused

PARENT_ID = 424242
OTHER_ID = 515151
OWNER_ID = 600001
MOD_ID = 600002
DAY = 24 * 3600
MUTED = {"can_send_messages": False}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server
    assert server.errors == []


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    client = Bot(
        api.token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot"
    )
    async with client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest.fixture
def group(api: FakeBotAPI) -> dict[str, Any]:
    """Return a peer group with two parents, an owner and a moderator; the bot administers it."""
    api.user(PARENT_ID, first_name="Anna")
    api.user(OTHER_ID, first_name="Ben")
    chat = api.supergroup("Elterngruppe Kita", members=[PARENT_ID, OTHER_ID])
    api.promote(chat, OWNER_ID, owner=True)
    api.promote(chat, MOD_ID)
    return chat


async def call(
    http: httpx.AsyncClient, api: FakeBotAPI, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Call a method as JSON and return (status, body)."""
    response = await http.post(f"{api.base_url}/bot{api.token}/{method}", json=params)
    return response.status_code, response.json()


def error(description: str, code: int = 400) -> tuple[int, dict[str, Any]]:
    """Return the (status, body) Telegram answers for an error."""
    return code, {"ok": False, "error_code": code, "description": description}


def ok() -> tuple[int, dict[str, Any]]:
    """Return the (status, body) of a method that answers True."""
    return 200, {"ok": True, "result": True}


# ----------------------------------------------------------------- restrictChatMember


async def test_restrict_makes_a_restricted_member_until_the_date(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    until = api.now() + 3600
    await bot.get_updates(allowed_updates=["message", "chat_member"])

    assert await bot.restrict_chat_member(
        group["id"], PARENT_ID, ChatPermissions(can_send_messages=False), until_date=until
    )

    member = await bot.get_chat_member(group["id"], PARENT_ID)
    assert isinstance(member, ChatMemberRestricted)
    assert member.is_member is True
    assert member.can_send_messages is False
    assert member.can_send_photos is False
    assert member.until_date is not None
    assert member.until_date.timestamp() == until
    raw = api.member_status(group, PARENT_ID)
    assert set(PERMISSION_NAMES) <= set(raw)
    (update,) = await bot.get_updates()
    assert update.chat_member is not None
    assert isinstance(update.chat_member.old_chat_member, ChatMemberMember)
    assert isinstance(update.chat_member.new_chat_member, ChatMemberRestricted)
    api.advance_clock(3601)
    assert isinstance(await bot.get_chat_member(group["id"], PARENT_ID), ChatMemberMember)
    api.send_text(PARENT_ID, "Wieder da", chat=group)


@pytest.mark.parametrize("offset", [0, 10, 367 * DAY])
async def test_until_date_too_near_or_too_far_means_forever(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any], offset: int
) -> None:
    until = api.now() + offset if offset else 0
    answer = await call(
        http,
        api,
        "restrictChatMember",
        chat_id=group["id"],
        user_id=PARENT_ID,
        permissions=MUTED,
        until_date=until,
    )

    assert answer == ok()
    assert api.member_status(group, PARENT_ID)["until_date"] == 0
    api.advance_clock(400 * DAY)
    assert api.member_status(group, PARENT_ID)["status"] == "restricted"


async def test_all_permissions_make_a_plain_member_again(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    await bot.restrict_chat_member(group["id"], PARENT_ID, ChatPermissions.no_permissions())
    with pytest.raises(SendRefused, match="restricted until forever"):
        api.send_text(PARENT_ID, "Hallo?", chat=group)

    await bot.restrict_chat_member(group["id"], PARENT_ID, ChatPermissions.all_permissions())

    assert isinstance(await bot.get_chat_member(group["id"], PARENT_ID), ChatMemberMember)
    assert api.send_text(PARENT_ID, "Danke!", chat=group)["message"]["text"] == "Danke!"


async def test_permissions_are_parsed_as_telegram_bot_api_does(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    async def restrict(permissions: Any, **extra: Any) -> dict[str, Any]:
        form = {"chat_id": str(group["id"]), "user_id": str(PARENT_ID), **extra}
        if permissions is not None:
            form["permissions"] = permissions
        url = f"{api.base_url}/bot{api.token}/restrictChatMember"
        assert (await http.post(url, data=form)).json() == {"ok": True, "result": True}
        return api.member_status(group, PARENT_ID)

    polls = await restrict('{"can_send_polls": true}')
    assert (polls["can_send_messages"], polls["can_react_to_messages"]) == (True, False)
    other = await restrict('{"can_send_other_messages": true}')
    assert (other["can_send_photos"], other["can_send_messages"]) == (True, True)
    alone = await restrict(
        '{"can_send_other_messages": true}', use_independent_chat_permissions="true"
    )
    assert (alone["can_send_photos"], alone["can_send_messages"]) == (False, False)
    pins = await restrict('{"can_pin_messages": true, "can_send_messages": true}')
    implied = ("can_manage_topics", "can_edit_tag", "can_react_to_messages")
    assert [pins[name] for name in implied] == [True, True, True]
    nothing = await restrict(None)
    assert not any(nothing[name] for name in PERMISSION_NAMES)


async def test_restrict_errors(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    plain = api.supergroup("Ohne Rechte", members=[PARENT_ID], bot_admin=False)
    gid = group["id"]

    async def restrict(**params: Any) -> tuple[int, dict[str, Any]]:
        return await call(http, api, "restrictChatMember", **{"permissions": MUTED, **params})

    assert await restrict(chat_id=gid) == error("Bad Request: invalid user_id specified")
    assert await restrict(chat_id=gid, user_id=PARENT_ID, permissions="[") == error(
        "Bad Request: can't parse permissions JSON object"
    )
    assert await restrict(chat_id=gid, user_id=PARENT_ID, permissions=[]) == error(
        "Bad Request: object expected as permissions"
    )
    assert await restrict(
        chat_id=gid, user_id=PARENT_ID, permissions={"can_send_polls": "yes"}
    ) == error(
        'Bad Request: can\'t parse chat permissions: Field "can_send_polls" must be of type Boolean'
    )
    assert await restrict(chat_id=PARENT_ID, user_id=PARENT_ID) == error(
        "Bad Request: method is available only for supergroups"
    )
    assert await restrict(chat_id=-100999, user_id=PARENT_ID) == error(
        "Bad Request: chat not found"
    )
    assert await restrict(chat_id=gid, user_id=999) == error("Bad Request: user not found")
    assert await restrict(chat_id=gid, user_id=OWNER_ID) == error(
        "Bad Request: can't remove chat owner"
    )
    assert await restrict(chat_id=gid, user_id=api.bot_user["id"]) == error(
        "Bad Request: can't restrict self"
    )
    assert await restrict(chat_id=plain["id"], user_id=PARENT_ID) == error(
        "Bad Request: not enough rights to restrict/unrestrict chat member"
    )
    assert await restrict(chat_id=gid, user_id=MOD_ID) == error(
        "Bad Request: user is an administrator of the chat"
    )
    api.make_admin(group, can_restrict_members=False)
    assert await restrict(chat_id=gid, user_id=PARENT_ID) == error(
        "Bad Request: not enough rights to restrict/unrestrict chat member"
    )
    assert api.member_status(group, PARENT_ID)["status"] == "member"


async def test_a_restriction_outlasts_leaving_and_a_non_member_can_be_restricted(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    stranger = api.user(777, first_name="Fremd")
    await bot.restrict_chat_member(group["id"], PARENT_ID, ChatPermissions(can_send_messages=False))
    await bot.restrict_chat_member(group["id"], 777, ChatPermissions(can_send_messages=False))

    api.leave_group(PARENT_ID, group)

    left = await bot.get_chat_member(group["id"], PARENT_ID)
    assert isinstance(left, ChatMemberRestricted)
    assert left.is_member is False
    assert api.member_status(group, stranger)["is_member"] is False
    link = await bot.create_chat_invite_link(group["id"])
    assert api.join_by_link(PARENT_ID, link.invite_link) == "joined"
    with pytest.raises(SendRefused, match="can_send_messages is false"):
        api.send_text(PARENT_ID, "Ich bin zurück", chat=group)


# ----------------------------------------------------------------- banChatMember, unbanChatMember


async def test_ban_removes_the_member_with_a_service_message(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    until = api.now() + DAY
    await bot.get_updates(allowed_updates=["message", "chat_member"])

    assert await bot.ban_chat_member(group["id"], PARENT_ID, until_date=until)

    assert PARENT_ID not in api.members(group)
    member = await bot.get_chat_member(group["id"], PARENT_ID)
    assert isinstance(member, ChatMemberBanned)
    assert member.until_date.timestamp() == until
    service, change = await bot.get_updates()
    assert service.message is not None
    assert service.message.left_chat_member is not None
    assert service.message.left_chat_member.id == PARENT_ID
    assert service.message.from_user is not None
    assert service.message.from_user.id == api.bot_user["id"]
    assert service.message.chat.id == group["id"]
    assert change.chat_member is not None
    assert isinstance(change.chat_member.new_chat_member, ChatMemberBanned)
    api.advance_clock(DAY)
    assert isinstance(await bot.get_chat_member(group["id"], PARENT_ID), ChatMemberLeft)


async def test_a_banned_user_can_neither_join_nor_ask_nor_write(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    open_link = await bot.create_chat_invite_link(group["id"])
    asking = await bot.create_chat_invite_link(group["id"], creates_join_request=True)
    await bot.ban_chat_member(group["id"], PARENT_ID)

    assert api.join_by_link(PARENT_ID, open_link.invite_link) == "banned"
    assert api.join_by_link(PARENT_ID, asking.invite_link) == "banned"
    with pytest.raises(ValueError, match="banned"):
        api.request_join(PARENT_ID, group)
    with pytest.raises(SendRefused, match="banned"):
        api.send_text(PARENT_ID, "Lasst mich rein", chat=group)
    assert api.join_requests(group) == []

    assert await bot.unban_chat_member(group["id"], PARENT_ID)
    assert isinstance(await bot.get_chat_member(group["id"], PARENT_ID), ChatMemberLeft)
    assert api.join_by_link(PARENT_ID, open_link.invite_link) == "joined"


async def test_unban_follows_the_docs(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    gid = group["id"]
    only = {"only_if_banned": True}

    assert await call(http, api, "unbanChatMember", chat_id=gid, user_id=PARENT_ID, **only) == ok()
    assert PARENT_ID in api.members(group)
    assert await call(http, api, "unbanChatMember", chat_id=gid, user_id=PARENT_ID) == ok()
    assert PARENT_ID not in api.members(group)  # "the user is not a member of the chat"
    assert api.member_status(group, PARENT_ID)["status"] == "left"
    assert await call(http, api, "unbanChatMember", chat_id=gid, user_id=PARENT_ID) == ok()


async def test_ban_and_unban_errors(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    gid = group["id"]
    plain = api.supergroup("Ohne Rechte", members=[PARENT_ID], bot_admin=False)
    no_rights = "Bad Request: not enough rights to restrict/unrestrict chat member"
    for method in ("banChatMember", "unbanChatMember"):
        assert await call(http, api, method, chat_id=gid) == error(
            "Bad Request: invalid user_id specified"
        )
        assert await call(http, api, method, chat_id=gid, user_id=OWNER_ID) == error(
            "Bad Request: can't remove chat owner"
        )
        assert await call(http, api, method, chat_id=gid, user_id=MOD_ID) == error(
            "Bad Request: user is an administrator of the chat"
        )
        answer = await call(http, api, method, chat_id=plain["id"], user_id=PARENT_ID)
        assert answer == error(no_rights)
    assert await call(http, api, "banChatMember", chat_id=PARENT_ID, user_id=OTHER_ID) == error(
        "Bad Request: can't ban members in private chats"
    )
    assert await call(http, api, "unbanChatMember", chat_id=PARENT_ID, user_id=OTHER_ID) == error(
        "Bad Request: method is available for supergroup and channel chats only"
    )
    assert await call(http, api, "banChatMember", chat_id=gid, user_id=api.bot_user["id"]) == error(
        "Bad Request: can't restrict self"
    )
    assert api.members(plain) == {PARENT_ID}


# ----------------------------------------------------------------- setChatPermissions, getChat


async def test_chat_permissions_are_stored_and_followed(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    before = await bot.get_chat(group["id"])
    assert before.permissions is not None
    assert before.permissions.can_send_messages is True

    assert await bot.set_chat_permissions(
        group["id"],
        ChatPermissions(can_send_messages=True, can_send_photos=False),
        use_independent_chat_permissions=True,
    )

    after = await bot.get_chat(group["id"])
    assert after.permissions is not None
    assert after.permissions.can_send_photos is False
    assert after.permissions.can_send_messages is True
    assert api.chat_permissions(group)["can_send_photos"] is False
    api.send_text(PARENT_ID, "Text geht", chat=group)
    with pytest.raises(SendRefused, match="group's permissions forbid it"):
        api.send_photo(PARENT_ID, chat=group)
    api.send_photo(MOD_ID, chat=group)  # administrators are not bound by them
    api.send_photo(OWNER_ID, chat=group)


async def test_set_chat_permissions_errors(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    plain = api.supergroup("Ohne Rechte", bot_admin=False)

    async def permit(chat_id: int, permissions: Any = MUTED) -> tuple[int, dict[str, Any]]:
        return await call(http, api, "setChatPermissions", chat_id=chat_id, permissions=permissions)

    assert await permit(plain["id"]) == error(
        "Bad Request: not enough rights to change chat permissions"
    )
    assert await permit(PARENT_ID) == error("Bad Request: can't change private chat permissions")
    assert await permit(group["id"], "true") == error("Bad Request: object expected as permissions")
    api.make_admin(group, can_restrict_members=False)
    assert await permit(group["id"]) == error(
        "Bad Request: not enough rights to change chat permissions"
    )
    assert api.chat_permissions(group)["can_send_messages"] is True


async def test_get_chat_member_answers_every_subtype(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    api.users([777, 888])
    await bot.restrict_chat_member(group["id"], OTHER_ID, ChatPermissions(can_send_messages=False))
    await bot.ban_chat_member(group["id"], 777)

    owner = await bot.get_chat_member(group["id"], OWNER_ID)
    moderator = await bot.get_chat_member(group["id"], MOD_ID)
    kinds = [
        type(await bot.get_chat_member(group["id"], user_id))
        for user_id in (PARENT_ID, OTHER_ID, 777, 888)
    ]

    assert isinstance(owner, ChatMemberOwner)
    assert isinstance(moderator, ChatMemberAdministrator)
    assert moderator.can_restrict_members is True
    assert moderator.can_be_edited is False
    assert kinds == [ChatMemberMember, ChatMemberRestricted, ChatMemberBanned, ChatMemberLeft]
    me = await bot.get_chat_member(group["id"], api.bot_user["id"])
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_restrict_members is True
    assert me.can_delete_messages is True
    for call_ in api.calls("getChatMember"):
        assert call_.ok


async def test_a_non_member_cannot_write(api: FakeBotAPI, group: dict[str, Any]) -> None:
    with pytest.raises(SendRefused, match="not a member"):
        api.send_text(888, "Hallo", chat=group)
    with pytest.raises(SendRefused, match="not a member"):
        api.send_sticker(888, chat=group)
    api.send_text(888, "Privat geht", chat=None)


# ----------------------------------------------------------------- joining


async def test_joins_post_new_chat_members_and_requests_carry_what_the_docs_say(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    api.user(777, first_name="Carla", started=False, bio="Mama von zwei Kindern")
    link = await bot.create_chat_invite_link(group["id"], creates_join_request=True)
    api.join_by_link(777, link.invite_link)
    (asked,) = await bot.get_updates()
    request = asked.chat_join_request
    assert request is not None
    assert (request.user_chat_id, request.bio) == (777, "Mama von zwei Kindern")
    assert abs(request.date.timestamp() - api.now()) <= 2
    assert await bot.send_message(777, "Erzähl kurz von dir")  # never started the bot

    await bot.approve_chat_join_request(group["id"], 777)

    (joined,) = await bot.get_updates(offset=asked.update_id + 1)
    message = joined.message
    assert message is not None
    assert [u.id for u in message.new_chat_members] == [777]
    assert message.from_user is not None
    assert message.from_user.id == 777
    assert message.chat.id == group["id"]
    api.send_text(777, "Hallo zusammen", chat=group)


# ----------------------------------------------------------------- what users send


async def test_a_reply_carries_the_whole_message_it_replies_to(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    question = api.send_text(PARENT_ID, "Wer kennt einen Kinderarzt?", chat=group)["message"]

    answer = api.send_text(OTHER_ID, "Dr. Meier!", chat=group, reply_to=question["message_id"])

    assert answer["message"]["reply_to_message"] == question
    updates = await bot.get_updates()
    replied = updates[-1].message
    assert replied is not None
    assert replied.reply_to_message is not None
    assert replied.reply_to_message.text == "Wer kennt einen Kinderarzt?"
    with pytest.raises(ValueError, match="to reply to"):
        api.send_text(OTHER_ID, "?", chat=group, reply_to=9999)


async def test_forwards_name_their_origin(api: FakeBotAPI, bot: Bot, group: dict[str, Any]) -> None:
    visible = api.send_forward(PARENT_ID, "Termin am Montag", OTHER_ID, chat=group)["message"]
    hidden = api.send_forward(PARENT_ID, "Geheimtipp", hidden_name="Oma Erna", chat=group)

    assert visible["forward_origin"]["type"] == "user"
    assert visible["forward_origin"]["sender_user"]["id"] == OTHER_ID
    assert "is_automatic_forward" not in visible
    assert hidden["message"]["forward_origin"]["sender_user_name"] == "Oma Erna"
    first, second = await bot.get_updates()
    assert first.message is not None
    assert second.message is not None
    assert first.message.forward_origin is not None
    assert first.message.forward_origin.type == "user"
    assert second.message.forward_origin is not None
    assert second.message.forward_origin.type == "hidden_user"
    with pytest.raises(ValueError, match="either"):
        api.send_forward(PARENT_ID, "?", chat=group)


async def test_links_become_url_entities_and_text_links_can_be_sent(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    text = "Seht euch https://example.org/kita an, oder t.me/elternlotse_bot."
    typed = api.send_text(PARENT_ID, text, chat=group)["message"]
    linked = api.send_text(
        PARENT_ID,
        "Hier lang",
        chat=group,
        entities=[{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org"}],
    )["message"]

    urls = [text[e["offset"] : e["offset"] + e["length"]] for e in typed["entities"]]
    assert urls == ["https://example.org/kita", "t.me/elternlotse_bot"]
    assert {e["type"] for e in typed["entities"]} == {"url"}
    assert linked["entities"][0]["url"] == "https://example.org"
    first, second = await bot.get_updates()
    assert second.message is not None
    assert second.message.entities[0].type == "text_link"
    with pytest.raises(ValueError, match="needs a url"):
        api.send_text(
            PARENT_ID, "x", chat=group, entities=[{"type": "text_link", "offset": 0, "length": 1}]
        )


async def test_message_links_and_lookup(api: FakeBotAPI, group: dict[str, Any]) -> None:
    public = api.supergroup("Elterntreff", members=[PARENT_ID], username="elterntreff_kita")
    sent = api.send_text(PARENT_ID, "Hallo", chat=group)["message"]
    open_sent = api.send_text(PARENT_ID, "Hallo", chat=public)["message"]
    private_id = str(group["id"]).removeprefix("-100")

    assert api.message_link(group, sent["message_id"]) == (
        f"https://t.me/c/{private_id}/{sent['message_id']}"
    )
    assert api.message_link(public, open_sent["message_id"]) == (
        f"https://t.me/elterntreff_kita/{open_sent['message_id']}"
    )
    assert api.message(group, sent["message_id"]) == sent
    assert api.was_deleted(group, sent["message_id"]) is False
    with pytest.raises(KeyError):
        api.message(group, 9999)


async def test_delete_message_needs_the_right_for_others_messages(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    spam = api.send_text(PARENT_ID, "Kauft billig!", chat=group)["message"]["message_id"]
    own = (await bot.send_message(group["id"], "Bitte keine Werbung")).message_id
    api.make_admin(group, can_delete_messages=False)

    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(group["id"], spam)
    assert await bot.delete_message(group["id"], own)

    api.make_admin(group)
    assert await bot.delete_message(group["id"], spam)
    assert api.was_deleted(group, spam) is True
    old = api.send_text(OTHER_ID, "Alt", chat=group)["message"]["message_id"]
    api.advance_clock(48 * 3600)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(group["id"], old)


# ----------------------------------------------------------------- control endpoints


async def test_control_endpoints_for_moderated_groups(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    async def control(verb: str, name: str, body: dict[str, Any]) -> httpx.Response:
        url = f"{api.base_url}/_fake/{name}"
        if verb == "GET":
            return await http.get(url, params=body)
        return await http.post(url, json=body)

    await call(
        http, api, "restrictChatMember", chat_id=group["id"], user_id=OTHER_ID, permissions=MUTED
    )
    refused = await control(
        "POST", "send_text", {"user_id": OTHER_ID, "chat_id": group["id"], "text": "x"}
    )
    sent = await control(
        "POST", "send_text", {"user_id": PARENT_ID, "chat_id": group["id"], "text": "Hi"}
    )
    message_id = sent.json()["message"]["message_id"]
    reply = {"user_id": MOD_ID, "chat_id": group["id"], "text": "Hallo", "reply_to": message_id}
    replied = await control("POST", "send_text", reply)
    found = await control("GET", "message", {"chat_id": group["id"], "message_id": message_id})
    member = await control("GET", "member", {"chat_id": group["id"], "user_id": OTHER_ID})
    promoted = await control("POST", "promote", {"chat_id": group["id"], "user_id": 777})
    left = await control("POST", "leave", {"chat_id": group["id"], "user_id": PARENT_ID})

    assert refused.status_code == 400
    assert "can_send_messages is false" in refused.json()["description"]
    assert replied.json()["message"]["reply_to_message"]["message_id"] == message_id
    assert found.json()["deleted"] is False
    assert found.json()["link"].endswith(f"/{message_id}")
    assert member.json()["status"] == "restricted"
    assert promoted.json()["status"] == "administrator"
    assert left.json()["status"] == "left"
