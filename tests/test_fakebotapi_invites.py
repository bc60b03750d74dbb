"""The fake Bot API's invite links, join requests, broadcast faults and throughput.

Shapes and error descriptions are those of https://core.telegram.org/bots/api and of
telegram-bot-api/TDLib; python-telegram-bot parsing them proves the shapes are complete.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberLeft, ChatMemberMember
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.fakebotapi import FakeBotAPI

PARENT_ID = 424242
OTHER_ID = 515151


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
def parent(api: FakeBotAPI) -> dict[str, Any]:
    return api.user(PARENT_ID, first_name="Anna", username="anna_m")


@pytest.fixture
def group(api: FakeBotAPI) -> dict[str, Any]:
    return api.supergroup("Elternabend Kita Sonnenschein")


async def call(
    http: httpx.AsyncClient, api: FakeBotAPI, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Call a method as JSON and return (status, body)."""
    response = await http.post(f"{api.base_url}/bot{api.token}/{method}", json=params)
    return response.status_code, response.json()


def error(description: str, code: int = 400) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


# ----------------------------------------------------------------- createChatInviteLink


async def test_create_invite_link_returns_a_complete_chat_invite_link(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    expires = api.now() + 3600

    link = await bot.create_chat_invite_link(
        group["id"], expire_date=expires, member_limit=30, name="Elternabend"
    )

    assert link.invite_link.startswith("https://t.me/+")
    assert len(link.invite_link) == len("https://t.me/+") + 16
    assert link.creator.id == api.bot_user["id"]
    assert link.creator.is_bot
    assert link.name == "Elternabend"
    assert link.member_limit == 30
    assert link.expire_date == dtm.datetime.fromtimestamp(expires, dtm.UTC)
    assert (link.creates_join_request, link.is_primary, link.is_revoked) == (False, False, False)
    raw = api.calls("createChatInviteLink")[0].result
    assert list(raw) == [
        "invite_link",
        "name",
        "creator",
        "expire_date",
        "member_limit",
        "creates_join_request",
        "is_primary",
        "is_revoked",
    ]
    assert api.invite_links(group) == [{**raw, "member_count": 0}]


async def test_optional_fields_are_left_out_and_links_are_unique(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    _, first = await call(http, api, "createChatInviteLink", chat_id=group["id"])
    _, second = await call(
        http, api, "createChatInviteLink", chat_id=group["id"], creates_join_request=True
    )

    assert first["result"] == {
        "invite_link": first["result"]["invite_link"],
        "creator": api.bot_user,
        "creates_join_request": False,
        "is_primary": False,
        "is_revoked": False,
    }
    assert second["result"]["creates_join_request"] is True
    assert "member_limit" not in second["result"]
    assert first["result"]["invite_link"] != second["result"]["invite_link"]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"member_limit": 5, "creates_join_request": True},
            "Bad Request: member limit can't be specified for links requiring administrator "
            "approval",
        ),
        ({"member_limit": 100_000}, "Bad Request: USAGE_LIMIT_INVALID"),
        ({"expire_date": 1_000_000_000}, "Bad Request: EXPIRE_DATE_INVALID"),
        ({"chat_id": PARENT_ID}, "Bad Request: can't invite members to a private chat"),
        ({"chat_id": -1009999}, "Bad Request: chat not found"),
        ({"chat_id": ""}, "Bad Request: chat_id is empty"),
    ],
)
async def test_create_invite_link_enforces_telegrams_rules(
    api: FakeBotAPI,
    http: httpx.AsyncClient,
    parent: dict[str, Any],
    group: dict[str, Any],
    params: dict[str, Any],
    description: str,
) -> None:
    answer = await call(http, api, "createChatInviteLink", **{"chat_id": group["id"], **params})

    assert answer == error(description)
    assert api.invite_links(group) == []


async def test_member_limit_bounds(
    api: FakeBotAPI, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    _, top = await call(http, api, "createChatInviteLink", chat_id=group["id"], member_limit=99999)
    # telegram-bot-api clamps a negative limit to 0, and 0 means "no limit".
    _, zero = await call(http, api, "createChatInviteLink", chat_id=group["id"], member_limit=0)
    _, negative = await call(
        http, api, "createChatInviteLink", chat_id=group["id"], member_limit=-3
    )

    assert top["result"]["member_limit"] == 99999
    assert "member_limit" not in zero["result"]
    assert "member_limit" not in negative["result"]


async def test_long_names_are_cut_to_32_characters(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"], name="x" * 40)

    assert link.name == "x" * 32


async def test_the_bot_needs_admin_rights_for_invite_links(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient
) -> None:
    plain = api.supergroup("Ohne Rechte", bot_admin=False)
    no_right = api.forum_group("Halbe Rechte")
    api.make_admin(no_right, can_invite_users=False)

    for chat in (plain, no_right):
        answer = await call(http, api, "createChatInviteLink", chat_id=chat["id"])
        assert answer == error("Bad Request: not enough rights to manage chat invite link")

    api.make_admin(plain)
    assert (await bot.create_chat_invite_link(plain["id"])).invite_link
    api.remove_admin(plain)
    with pytest.raises(BadRequest, match="Not enough rights to manage chat invite link"):
        await bot.create_chat_invite_link(plain["id"])


# ----------------------------------------------------------------- revokeChatInviteLink


async def test_revoke_marks_the_link_and_stops_it_working(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient, group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"], name="Sommerfest")

    revoked = await bot.revoke_chat_invite_link(group["id"], link.invite_link)

    assert revoked.invite_link == link.invite_link
    assert revoked.name == "Sommerfest"
    assert revoked.is_revoked is True
    assert api.invite_links(group)[0]["is_revoked"] is True
    assert api.join_by_link(PARENT_ID, link.invite_link) == "revoked"
    assert PARENT_ID not in api.members(group)
    again = await call(
        http, api, "revokeChatInviteLink", chat_id=group["id"], invite_link=link.invite_link
    )
    unknown = await call(
        http, api, "revokeChatInviteLink", chat_id=group["id"], invite_link="https://t.me/+nope"
    )
    empty = await call(http, api, "revokeChatInviteLink", chat_id=group["id"])
    assert again == error("Bad Request: INVITE_HASH_EXPIRED")
    assert unknown == error("Bad Request: INVITE_HASH_EXPIRED")
    assert empty == error("Bad Request: invite link must be non-empty")


async def test_a_link_of_another_chat_cannot_be_revoked_here(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    other = api.supergroup("Andere Gruppe")
    link = await bot.create_chat_invite_link(other["id"])

    with pytest.raises(BadRequest, match="Invite_hash_expired"):
        await bot.revoke_chat_invite_link(group["id"], link.invite_link)


# ----------------------------------------------------------------- join_by_link outcomes


async def test_joining_by_link_makes_a_member_and_tells_the_bot(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"])

    assert api.join_by_link(parent, link.invite_link) == "joined"

    assert api.members(group) == {PARENT_ID}
    assert api.invite_links(group)[0]["member_count"] == 1
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.chat.id == group["id"]
    assert [u.id for u in update.message.new_chat_members] == [PARENT_ID]
    assert api.messages(group) == []  # a service message, not one of the bot's
    assert api.join_by_link(parent, link.invite_link) == "already_member"


async def test_chat_member_update_when_the_bot_asks_for_it(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"])
    await bot.get_updates(allowed_updates=["chat_member"])

    api.join_by_link(parent, link.invite_link)

    (update,) = await bot.get_updates()
    change = update.chat_member
    assert change is not None
    assert change.from_user.id == PARENT_ID
    assert isinstance(change.old_chat_member, ChatMemberLeft)
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.invite_link is not None
    assert change.invite_link.invite_link == link.invite_link
    assert not change.via_join_request


async def test_member_limit_closes_the_link(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"], member_limit=2)

    outcomes = [api.join_by_link(user, link.invite_link) for user in (1, 2, 3)]

    assert outcomes == ["joined", "joined", "limit"]
    assert api.members(group) == {1, 2}
    assert api.invite_links(group)[0]["member_count"] == 2


async def test_expired_link_uses_the_fakes_clock(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"], expire_date=api.now() + 60)
    assert api.join_by_link(1, link.invite_link) == "joined"

    before = api.now()
    assert api.advance_clock(61) >= before + 61

    assert api.join_by_link(2, link.invite_link) == "expired"
    assert api.members(group) == {1}
    sent = await bot.send_message(group["id"], "Wer kommt?")
    assert sent.date.timestamp() >= before + 61


async def test_unknown_links_are_invalid_and_spellings_are_tolerated(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"])
    short = link.invite_link.removeprefix("https://")

    assert api.join_by_link(1, "https://t.me/+doesnotexist") == "invalid"
    assert api.join_by_link(1, "https://example.org/x") == "invalid"
    assert api.join_by_link(1, short) == "joined"


# ----------------------------------------------------------------- join requests


async def test_join_request_through_a_link_is_approved(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    link = await bot.create_chat_invite_link(group["id"], creates_join_request=True)
    await bot.get_updates(allowed_updates=["chat_join_request", "message", "chat_member"])

    assert api.join_by_link(parent, link.invite_link) == "requested"

    assert api.members(group) == set()
    assert api.join_requests(group) == [PARENT_ID]
    assert api.invite_links(group)[0]["pending_join_request_count"] == 1
    (update,) = await bot.get_updates()
    request = update.chat_join_request
    assert request is not None
    assert request.chat.id == group["id"]
    assert request.from_user.id == PARENT_ID
    assert request.user_chat_id == PARENT_ID
    assert abs(request.date.timestamp() - api.now()) <= 2
    assert request.invite_link is not None
    assert request.invite_link.invite_link == link.invite_link
    assert request.invite_link.creates_join_request is True

    assert await bot.approve_chat_join_request(group["id"], PARENT_ID) is True

    assert api.members(group) == {PARENT_ID}
    assert api.join_requests(group) == []
    assert "pending_join_request_count" not in api.invite_links(group)[0]
    joined, change = await bot.get_updates(offset=update.update_id + 1)
    assert joined.message is not None
    assert joined.message.new_chat_members[0].id == PARENT_ID
    assert change.chat_member is not None
    assert change.chat_member.via_join_request is True
    assert change.chat_member.from_user.id == api.bot_user["id"]
    with pytest.raises(BadRequest, match="Hide_requester_missing"):
        await bot.approve_chat_join_request(group["id"], PARENT_ID)


async def test_join_request_without_a_link_is_declined(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient, parent: dict[str, Any]
) -> None:
    group = api.forum_group("Beratung")

    queued = api.request_join(parent, group)

    request = queued["chat_join_request"]
    assert set(request) == {"chat", "from", "user_chat_id", "date"}
    (update,) = await bot.get_updates()
    assert update.chat_join_request is not None
    assert update.chat_join_request.invite_link is None
    assert await bot.decline_chat_join_request(group["id"], PARENT_ID) is True
    assert api.members(group) == set()
    answer = await call(http, api, "declineChatJoinRequest", chat_id=group["id"], user_id=PARENT_ID)
    assert answer == error("Bad Request: HIDE_REQUESTER_MISSING")
    with pytest.raises(ValueError, match="already in chat"):
        api.request_join(parent, api.supergroup("Voll", members=[parent]))


@pytest.mark.parametrize("method", ["approveChatJoinRequest", "declineChatJoinRequest"])
async def test_join_request_errors(
    api: FakeBotAPI, http: httpx.AsyncClient, parent: dict[str, Any], method: str
) -> None:
    group = api.supergroup("Elternrat")
    plain = api.supergroup("Ohne Rechte", bot_admin=False)
    api.request_join(parent, plain)

    assert await call(http, api, method, chat_id=group["id"]) == error(
        "Bad Request: invalid user_id specified"
    )
    assert await call(http, api, method, chat_id=PARENT_ID, user_id=PARENT_ID) == error(
        "Bad Request: the chat can't have join requests"
    )
    assert await call(http, api, method, chat_id=plain["id"], user_id=PARENT_ID) == error(
        "Bad Request: not enough rights to manage chat join requests"
    )
    assert await call(http, api, method, chat_id=-100123, user_id=PARENT_ID) == error(
        "Bad Request: chat not found"
    )
    assert await call(http, api, method, chat_id=group["id"], user_id=OTHER_ID) == error(
        "Bad Request: HIDE_REQUESTER_MISSING"
    )


async def test_a_user_who_got_in_another_way_is_already_a_participant(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    open_link = await bot.create_chat_invite_link(group["id"])
    api.request_join(parent, group)
    api.join_by_link(parent, open_link.invite_link)

    with pytest.raises(BadRequest, match="User_already_participant"):
        await bot.approve_chat_join_request(group["id"], PARENT_ID)
    assert api.join_requests(group) == []


@pytest.mark.parametrize(
    ("allowed", "delivered"),
    [
        (None, True),
        ([], True),
        (["message", "callback_query"], False),
        (["chat_join_request"], True),
    ],
)
async def test_allowed_updates_filters_join_requests(
    api: FakeBotAPI,
    bot: Bot,
    parent: dict[str, Any],
    group: dict[str, Any],
    allowed: list[str] | None,
    delivered: bool,
) -> None:
    await bot.get_updates(allowed_updates=allowed)

    api.request_join(parent, group)

    updates = await bot.get_updates()
    assert [u.chat_join_request is not None for u in updates] == ([True] if delivered else [])


# ----------------------------------------------------------------- getChatMember


async def test_get_chat_member(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    api.user(OTHER_ID)
    member_group = api.supergroup("Mit Anna", members=[parent], bot_admin=False)

    me = await bot.get_chat_member(group["id"], api.bot_user["id"])
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_invite_users is True
    assert me.can_manage_chat is True
    plain_me = await bot.get_chat_member(member_group["id"], api.bot_user["id"])
    assert isinstance(plain_me, ChatMemberMember)
    assert isinstance(await bot.get_chat_member(member_group["id"], PARENT_ID), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(member_group["id"], OTHER_ID), ChatMemberLeft)
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group["id"], 999)


# ----------------------------------------------------------------- sendMessage for broadcasts


async def test_allow_paid_broadcast_is_accepted_and_recorded(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient, parent: dict[str, Any]
) -> None:
    await bot.send_message(PARENT_ID, "Rundbrief", allow_paid_broadcast=True)
    status, _ = await call(
        http, api, "sendMessage", chat_id=PARENT_ID, text="JSON", allow_paid_broadcast=True
    )
    form = await http.post(
        f"{api.base_url}/bot{api.token}/sendMessage",
        data={"chat_id": str(PARENT_ID), "text": "Form", "allow_paid_broadcast": "false"},
    )

    assert status == 200
    assert form.status_code == 200
    flags = [c.params["allow_paid_broadcast"] for c in api.calls("sendMessage")]
    assert flags == [True, True, False]
    assert [m["text"] for m in api.messages(PARENT_ID)] == ["Rundbrief", "JSON", "Form"]


async def test_bulk_users_have_started_the_bot(api: FakeBotAPI, bot: Bot) -> None:
    started = time.perf_counter()
    assert api.users(range(1_000_000, 1_010_000)) == 10_000
    assert time.perf_counter() - started < 1.0

    sent = await bot.send_message(1_009_999, "Hallo")

    assert sent.chat.id == 1_009_999
    assert api.private_chat(1_000_000)["type"] == "private"


async def test_a_user_who_never_started_the_bot_cannot_be_messaged(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient
) -> None:
    api.users([7, 8], started=False)

    answer = await call(http, api, "sendMessage", chat_id=7, text="Hallo")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_chat_action(7, "typing")

    assert answer == error("Forbidden: bot can't initiate conversation with a user", 403)
    api.send_command(7, "/start")
    assert (await bot.send_message(7, "Willkommen")).text == "Willkommen"


async def test_a_join_request_lets_the_bot_write_for_five_minutes(
    api: FakeBotAPI, bot: Bot, group: dict[str, Any]
) -> None:
    api.user(OTHER_ID, started=False)
    api.request_join(OTHER_ID, group)

    assert (await bot.send_message(OTHER_ID, "Wer bist du?")).text == "Wer bist du?"
    api.advance_clock(301)
    with pytest.raises(Forbidden, match="initiate conversation"):
        await bot.send_message(OTHER_ID, "Noch da?")


# ----------------------------------------------------------------- faults


async def test_unknown_and_forgotten_chats_are_not_found(
    api: FakeBotAPI, http: httpx.AsyncClient, parent: dict[str, Any]
) -> None:
    never_seen = await call(http, api, "sendMessage", chat_id=OTHER_ID, text="Hallo")
    assert never_seen == error("Bad Request: chat not found")
    assert (await call(http, api, "sendMessage", chat_id=PARENT_ID, text="Hallo"))[0] == 200

    api.forget(parent)

    gone = await call(http, api, "sendMessage", chat_id=PARENT_ID, text="Hallo")
    assert gone == error("Bad Request: chat not found")
    assert [m["text"] for m in api.messages(PARENT_ID)] == ["Hallo"]


@pytest.mark.parametrize(
    ("how", "description"),
    [
        ("block", "Forbidden: bot was blocked by the user"),
        ("deactivate", "Forbidden: user is deactivated"),
    ],
)
async def test_blocked_and_deactivated_users_answer_403(
    api: FakeBotAPI, http: httpx.AsyncClient, parent: dict[str, Any], how: str, description: str
) -> None:
    getattr(api, how)(parent)

    calls: list[tuple[str, dict[str, Any]]] = [
        ("sendMessage", {"text": "Hallo"}),
        ("sendChatAction", {"action": "typing"}),
        ("getChatMember", {"user_id": PARENT_ID}),
    ]
    for method, params in calls:
        answer = await call(http, api, method, chat_id=PARENT_ID, **params)
        assert answer == error(description, 403)

    api.unblock(parent)
    assert (await call(http, api, "sendMessage", chat_id=PARENT_ID, text="Hallo"))[0] == 200


async def test_faults_hit_the_new_methods_and_one_chat(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], group: dict[str, Any]
) -> None:
    api.fail("createChatInviteLink", 502)
    api.fail("approveChatJoinRequest", 500, times=2)
    api.fail("sendMessage", 403, chat_id=parent, times=None)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.create_chat_invite_link(group["id"])
    assert (await bot.create_chat_invite_link(group["id"])).invite_link
    api.request_join(parent, group)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.approve_chat_join_request(group["id"], PARENT_ID)
    assert await bot.approve_chat_join_request(group["id"], PARENT_ID) is True
    for _ in range(3):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(PARENT_ID, "Hallo")
    assert (await bot.send_message(group["id"], "Hallo Gruppe")).chat.id == group["id"]

    api.clear_faults()

    assert (await bot.send_message(PARENT_ID, "Wieder da")).text == "Wieder da"
    assert [c.injected for c in api.calls("createChatInviteLink")] == [True, False]


# ----------------------------------------------------------------- rate limit and throughput


async def test_limit_rate_answers_429_like_telegram(
    api: FakeBotAPI, http: httpx.AsyncClient, parent: dict[str, Any]
) -> None:
    api.limit_rate(2, method="sendMessage")

    answers = [
        await call(http, api, "sendMessage", chat_id=PARENT_ID, text=str(i)) for i in range(3)
    ]
    other = await call(http, api, "getMe")
    polled = await call(http, api, "getUpdates")

    assert [status for status, _ in answers] == [200, 200, 429]
    assert answers[2][1] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert other[0] == polled[0] == 200
    assert len(api.messages(PARENT_ID)) == 2
    assert api.calls("sendMessage")[2].injected is False
    await asyncio.sleep(0.6)  # the bucket refills at 2 per second
    assert (await call(http, api, "sendMessage", chat_id=PARENT_ID, text="später"))[0] == 200


async def test_paid_broadcasts_get_their_own_budget(
    api: FakeBotAPI, bot: Bot, parent: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as timedelta, no deprecation
    api.limit_rate(1, paid_per_second=1000)

    await bot.send_message(PARENT_ID, "normal")
    for i in range(20):
        await bot.send_message(PARENT_ID, f"bezahlt {i}", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(PARENT_ID, "zu schnell")

    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    api.limit_rate(None)
    assert (await bot.send_message(PARENT_ID, "frei")).text == "frei"
    with pytest.raises(ValueError, match="positive"):
        api.limit_rate(0)


async def test_many_concurrent_sends_stay_fast(api: FakeBotAPI) -> None:
    count = 2_000
    api.users(range(1, count + 1))
    pending = list(range(1, count + 1))
    url = f"{api.base_url}/bot{api.token}/sendMessage"

    async def worker(session: aiohttp.ClientSession) -> None:
        while pending:
            user_id = pending.pop()
            async with session.post(url, json={"chat_id": user_id, "text": "Termin"}) as answer:
                assert answer.status == 200

    started = time.perf_counter()
    waiter = asyncio.create_task(api.wait_for_calls("sendMessage", count, timeout=30))
    # aiohttp, not httpx: httpx's own overhead would dominate the measurement.
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(16)))
    calls = await waiter

    assert len(calls) == count
    assert all(len(api.messages(user_id)) == 1 for user_id in range(1, count + 1))
    # Real Telegram allows 30/s (1000/s paid); the fake does thousands, so 2,000 take < 10 s.
    assert time.perf_counter() - started < 10
