"""The fake Bot API speaks shapes python-telegram-bot parses, with Telegram's error semantics."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
)

from tests.fakebotapi import FakeBotAPI, Upload

PARENT_ID = 424242


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
def parent(api: FakeBotAPI) -> dict[str, object]:
    return api.user(PARENT_ID, first_name="Anna", username="anna_m")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_get_me_returns_the_complete_bot_user(bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "elternlotse_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_send_message_returns_message_with_entities_and_keyboard(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    sent = await bot.send_message(
        PARENT_ID,
        "<b>Unterhalt</b> &amp; Hilfe: <a href='https://example.org'>Quelle</a>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("Ja", "yes:1"), ("Nein", "no:1")),
    )

    assert isinstance(sent, Message)
    assert sent.text == "Unterhalt & Hilfe: Quelle"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 9),
        ("text_link", 19, 6),
    ]
    assert sent.entities[1].url == "https://example.org"
    assert sent.chat.id == PARENT_ID
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert isinstance(sent.date, dtm.datetime)
    assert sent.reply_markup == keyboard(("Ja", "yes:1"), ("Nein", "no:1"))
    (call,) = api.calls("sendMessage")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes:1"
    assert api.messages(PARENT_ID)[0]["message_id"] == sent.message_id


async def test_message_ids_are_unique_per_chat(
    bot: Bot, api: FakeBotAPI, parent: dict[str, object]
) -> None:
    other = api.user(777, first_name="Ben")
    first = await bot.send_message(PARENT_ID, "eins")
    second = await bot.send_message(PARENT_ID, "zwei")
    elsewhere = await bot.send_message(other["id"], "hallo")

    assert second.message_id == first.message_id + 1
    assert elsewhere.message_id == 1


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>offen", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Zeile<br>Zeile", 'Unsupported start tag "br"'),
        ("a < b", 'Unsupported start tag ""'),
        ("<i>x</b>", "Unexpected end tag"),
    ],
)
async def test_invalid_html_is_rejected(
    bot: Bot, parent: dict[str, object], text: str, detail: str
) -> None:
    with pytest.raises(BadRequest, match="an't parse entities") as caught:
        await bot.send_message(PARENT_ID, text, parse_mode=ParseMode.HTML)
    assert detail.lower() in caught.value.message.lower()


async def test_send_message_limits(bot: Bot, parent: dict[str, object]) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(PARENT_ID, "x" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(PARENT_ID, "Wahl", reply_markup=keyboard(("A", "ä" * 33)))
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hallo")
    assert (await bot.send_message(PARENT_ID, "x" * 4096)).text == "x" * 4096


async def test_edit_message_text_and_not_modified(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    sent = await bot.send_message(PARENT_ID, "Frage?", reply_markup=keyboard(("Ja", "yes")))

    edited = await bot.edit_message_text("Frage beantwortet", PARENT_ID, sent.message_id)

    assert isinstance(edited, Message)
    assert edited.text == "Frage beantwortet"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # editing text without reply_markup drops the keyboard
    assert api.messages(PARENT_ID)[0]["text"] == "Frage beantwortet"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Frage beantwortet", PARENT_ID, sent.message_id)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(PARENT_ID, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("weg", PARENT_ID, 999)


async def test_delete_message_removes_it(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    sent = await bot.send_message(PARENT_ID, "kurz")

    assert await bot.delete_message(PARENT_ID, sent.message_id) is True
    assert api.messages(PARENT_ID) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(PARENT_ID, sent.message_id)


async def test_get_updates_offset_limit_and_redelivery(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    first = api.send_command(parent, "/start")
    second = api.send_text(parent, "Wie viel Unterhalt steht mir zu?")
    assert second["update_id"] == first["update_id"] + 1

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    # Nothing was confirmed, so a restarted bot (no offset) gets both again.
    assert len(await bot.get_updates()) == 2
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [first["update_id"]]

    rest = await bot.get_updates(offset=first["update_id"] + 1)
    assert [u.update_id for u in rest] == [second["update_id"]]
    assert [u.update_id for u in await bot.get_updates()] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()

    command = updates[0].message
    assert command is not None
    assert command.text == "/start"
    assert command.entities[0].type == "bot_command"
    assert command.entities[0].length == 6
    assert command.from_user is not None
    assert command.from_user.language_code == "de"


async def test_long_poll_returns_as_soon_as_a_user_writes(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await api.wait_for_poll()
    assert not poll.done()

    api.send_text(parent, "Hallo")

    updates = await asyncio.wait_for(poll, 5)
    assert updates[0].message is not None
    assert updates[0].message.text == "Hallo"


async def test_long_poll_times_out_empty(api: FakeBotAPI, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{api.base_url}/bot{api.token}/getUpdates?timeout=0.2")

    assert response.json() == {"ok": True, "result": []}


async def test_second_poller_conflicts_the_first(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient
) -> None:
    old = asyncio.create_task(bot.get_updates(timeout=30))
    await api.wait_for_poll()

    newer = await http.get(f"{api.base_url}/bot{api.token}/getUpdates")

    assert newer.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(old, 5)


async def test_media_updates_parse(api: FakeBotAPI, bot: Bot, parent: dict[str, object]) -> None:
    api.send_sticker(parent)
    api.send_photo(parent, caption="Bescheid")
    api.send_voice(parent)
    api.send_location(parent)

    sticker, photo, voice, location = [u.message for u in await bot.get_updates()]

    assert sticker is not None
    assert sticker.sticker is not None
    assert sticker.sticker.type == "regular"
    assert photo is not None
    assert photo.photo[-1].width == 800
    assert photo.caption == "Bescheid"
    assert voice is not None
    assert voice.voice is not None
    assert voice.voice.mime_type == "audio/ogg"
    assert location is not None
    assert location.location is not None
    assert location.location.latitude == pytest.approx(52.52, abs=0.01)


async def test_callback_query_can_be_answered_once(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    await bot.send_message(PARENT_ID, "Passt das?", reply_markup=keyboard(("Ja", "yes:7")))
    shown = api.messages(PARENT_ID)[0]

    query_id = api.press_button(parent, shown, "yes:7")
    forged_id = api.press_button(parent, shown, "admin:delete-all")

    updates = await bot.get_updates()
    query = updates[0].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "yes:7"
    assert query.chat_instance
    assert query.from_user.id == PARENT_ID
    assert isinstance(query.message, Message)
    assert query.message.reply_markup == keyboard(("Ja", "yes:7"))
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "admin:delete-all"

    assert await bot.answer_callback_query(query_id, text="Danke", show_alert=True) is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    assert api.callback_answers[query_id]["text"] == "Danke"
    assert api.callback_answers[query_id]["show_alert"] is True
    assert forged_id not in api.callback_answers


async def test_forum_topics(api: FakeBotAPI, bot: Bot, parent: dict[str, object]) -> None:
    counsellor = api.user(5001, first_name="Clara")
    group = api.forum_group("Beratung", [counsellor])

    topic = await bot.create_forum_topic(group["id"], "Anna M.")
    assert topic.name == "Anna M."
    assert topic.icon_color in (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
    assert api.topics(group["id"])[0]["message_thread_id"] == topic.message_thread_id

    sent = await bot.send_message(
        group["id"], "Neue Anfrage", message_thread_id=topic.message_thread_id
    )
    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message is True
    assert sent.chat.is_forum is True
    assert api.messages(group["id"], thread_id=topic.message_thread_id)[0]["text"] == "Neue Anfrage"

    api.send_text(counsellor, "Ich übernehme", chat=group, thread_id=topic.message_thread_id)
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.message_thread_id == topic.message_thread_id
    assert update.message.is_topic_message is True

    assert await bot.edit_forum_topic(group["id"], topic.message_thread_id, name="Anna (erledigt)")
    assert await bot.close_forum_topic(group["id"], topic.message_thread_id) is True
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(group["id"], "noch da?", message_thread_id=topic.message_thread_id)
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.close_forum_topic(group["id"], topic.message_thread_id)
    assert await bot.reopen_forum_topic(group["id"], topic.message_thread_id) is True

    assert await bot.delete_forum_topic(group["id"], topic.message_thread_id) is True
    assert api.topics(group["id"]) == []
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(group["id"], "weg", message_thread_id=topic.message_thread_id)


async def test_topics_need_a_forum(api: FakeBotAPI, bot: Bot, parent: dict[str, object]) -> None:
    plain = api.supergroup("Ohne Themen")

    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(plain["id"], "x")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(PARENT_ID, "x")


async def test_copy_message_into_a_topic(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    group = api.forum_group("Beratung")
    topic = await bot.create_forum_topic(group["id"], "Anna")
    question = api.send_text(parent, "Bekomme ich Wohngeld?")["message"]

    copied = await bot.copy_message(
        group["id"], PARENT_ID, question["message_id"], message_thread_id=topic.message_thread_id
    )

    (shown,) = api.messages(group["id"], thread_id=topic.message_thread_id)
    assert copied.message_id == shown["message_id"]
    assert shown["text"] == "Bekomme ich Wohngeld?"
    assert shown["from"]["is_bot"] is True
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(group["id"], PARENT_ID, 999)


async def test_send_document_uploads_multipart(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    sent = await bot.send_document(
        PARENT_ID,
        b"id,frage\n1,unterhalt\n",
        filename="export.csv",
        caption="<i>Export</i>",
        parse_mode=ParseMode.HTML,
    )

    assert sent.document is not None
    assert sent.document.file_name == "export.csv"
    assert sent.document.file_size == 21
    assert sent.caption == "Export"
    assert sent.caption_entities[0].type == "italic"
    upload = api.calls("sendDocument")[0].params["document"]
    assert isinstance(upload, Upload)
    assert upload.data == b"id,frage\n1,unterhalt\n"


async def test_my_commands(api: FakeBotAPI, bot: Bot) -> None:
    commands = [BotCommand("start", "Beginnen"), BotCommand("hilfe", "Hilfe anzeigen")]

    assert await bot.set_my_commands(commands) is True

    assert tuple(await bot.get_my_commands()) == tuple(commands)
    assert api.commands == [
        {"command": "start", "description": "Beginnen"},
        {"command": "hilfe", "description": "Hilfe anzeigen"},
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "x")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()


async def test_injected_429_raises_retry_after(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as timedelta, no deprecation
    api.fail("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(PARENT_ID, "eins")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert api.messages(PARENT_ID) == []
    await bot.send_message(PARENT_ID, "zwei")  # only one failure was injected
    first, second = api.calls("sendMessage")
    assert first.injected
    assert first.response["parameters"] == {"retry_after": 7}
    assert second.ok


@pytest.mark.parametrize(
    ("code", "error", "description"),
    [
        (403, Forbidden, "Forbidden: bot was blocked by the user"),
        (400, BadRequest, "Bad Request: injected error"),
        (500, NetworkError, "Internal Server Error"),
        (502, NetworkError, "Bad Gateway"),
    ],
)
async def test_injected_errors_map_to_ptb_exceptions(
    api: FakeBotAPI,
    bot: Bot,
    parent: dict[str, object],
    code: int,
    error: type[Exception],
    description: str,
) -> None:
    api.fail("sendMessage", code)

    with pytest.raises(error) as caught:
        await bot.send_message(PARENT_ID, "hallo")

    assert caught.type is error
    assert api.calls("sendMessage")[0].response == {
        "ok": False,
        "error_code": code,
        "description": description,
    }


async def test_faults_can_target_one_chat_and_repeat(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    other = api.user(777)
    api.fail("sendMessage", 500, times=2, chat_id=parent)

    await bot.send_message(other["id"], "geht")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(PARENT_ID, "geht nicht")
    await bot.send_message(PARENT_ID, "geht wieder")


async def test_block_makes_every_call_to_the_chat_forbidden(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    sent = await bot.send_message(PARENT_ID, "vorher")
    api.block(parent)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(PARENT_ID, "hallo")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(PARENT_ID, "typing")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("neu", PARENT_ID, sent.message_id)

    api.unblock(parent)
    assert await bot.send_chat_action(PARENT_ID, "typing") is True


async def test_delay_slows_a_method_down(api: FakeBotAPI, bot: Bot) -> None:
    api.delay("getMe", 0.1)

    assert (await bot.get_me()).is_bot
    assert api.calls("getMe")[-1].ok


async def test_raw_http_errors_have_the_bot_api_shape(
    api: FakeBotAPI, http: httpx.AsyncClient, parent: dict[str, object]
) -> None:
    unknown = await http.post(f"{api.base_url}/bot{api.token}/sendTelepathy", json={})
    wrong = await http.get(f"{api.base_url}/bot654321:WRONG/getMe")
    missing = await http.post(f"{api.base_url}/bot{api.token}/sendMessage", json={"chat_id": 1})
    by_get = await http.get(
        f"{api.base_url}/bot{api.token}/sendMessage", params={"chat_id": PARENT_ID, "text": "hi"}
    )
    by_json = await http.post(
        f"{api.base_url}/bot{api.token}/SENDMESSAGE", json={"chat_id": PARENT_ID, "text": "hi"}
    )
    no_file = await http.get(f"{api.base_url}/file/bot{api.token}/documents/file_1.pdf")

    assert unknown.status_code == 404
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert missing.status_code == 400
    assert missing.json()["description"].startswith("Bad Request: ")
    assert by_get.json()["result"]["text"] == "hi"
    assert by_json.json()["result"]["chat"]["id"] == PARENT_ID
    assert no_file.status_code == 404


async def test_wait_for_message_sees_only_new_messages(
    api: FakeBotAPI, bot: Bot, parent: dict[str, object]
) -> None:
    await bot.send_message(PARENT_ID, "alt")

    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(PARENT_ID, "Zwischenstand")
        await bot.send_message(PARENT_ID, "Antwort")

    task = asyncio.create_task(reply_later())
    newest = await api.wait_for_message(PARENT_ID)
    answer = await api.wait_for_message(
        PARENT_ID, lambda m: m["text"] == "Antwort", include_existing=True
    )
    await task

    assert newest["text"] == "Zwischenstand"
    assert answer["text"] == "Antwort"
    with pytest.raises(TimeoutError):
        await api.wait_for_message(PARENT_ID, timeout=0.05)


async def test_control_endpoints_play_a_user_over_http(
    api: FakeBotAPI, bot: Bot, http: httpx.AsyncClient
) -> None:
    await http.post(f"{api.base_url}/_fake/user", json={"id": 9, "first_name": "Eva"})
    await http.post(f"{api.base_url}/_fake/send_text", json={"user_id": 9, "text": "/start"})
    (update,) = await bot.get_updates()
    assert update.message is not None
    await bot.send_message(9, "Willkommen", reply_markup=keyboard(("Los", "go")))

    shown = (await http.get(f"{api.base_url}/_fake/messages", params={"chat_id": 9})).json()
    pressed = await http.post(
        f"{api.base_url}/_fake/press_button",
        json={"user_id": 9, "chat_id": 9, "message_id": shown[0]["message_id"], "data": "go"},
    )

    assert shown[0]["text"] == "Willkommen"
    assert pressed.json()["callback_query_id"] in {
        u.callback_query.id for u in await bot.get_updates() if u.callback_query
    }
