"""The fake Bot API's HTTP control: every role can be played with curl (newcomer D25)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
PARENT, ANNA = 4711, 9001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        server.user(PARENT, first_name="Mara")
        yield server
    assert server.errors == []


@pytest.fixture
async def http(api: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url) as client:
        yield client


async def control(http: httpx.AsyncClient, name: str, body: dict[str, Any]) -> Any:
    """POST a control endpoint the way ``curl -d '{…}'`` does (form content type, JSON body)."""
    response = await http.post(
        f"/_fake/{name}",
        content=json.dumps(body),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def bot_call(http: httpx.AsyncClient, api: FakeBotAPI, method: str, **params: Any) -> Any:
    """Call a Bot API method as the bot does."""
    return (await http.post(f"/bot{api.token}/{method}", json=params)).json()


def sent(api: FakeBotAPI) -> dict[str, Any]:
    """Return the message of the newest queued update."""
    message: dict[str, Any] = api.pending_updates()[-1]["message"]
    return message


async def test_a_forum_group_with_a_chosen_id_and_members(
    api: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    group = await control(
        http, "group", {"id": -1001000000001, "title": "Beratung", "members": [ANNA]}
    )
    plain = await control(http, "group", {"title": "Treff", "forum": False})
    taken = await http.post("/_fake/group", json={"id": -1001000000001, "title": "Noch mal"})
    await control(http, "members", {"chat_id": plain["id"], "user_ids": [PARENT, ANNA]})

    assert group == {
        "id": -1001000000001,
        "type": "supergroup",
        "title": "Beratung",
        "is_forum": True,
    }
    assert "is_forum" not in plain
    assert taken.status_code == 400
    assert api.members(group["id"]) == {ANNA}
    assert api.members(plain["id"]) == {PARENT, ANNA}


async def test_the_bots_rights_decide_what_it_may_do(
    api: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    group = await control(http, "group", {"title": "Beratung"})
    await control(http, "bot_rights", {"chat_id": group["id"], "can_manage_topics": False})
    refused = await bot_call(http, api, "createForumTopic", chat_id=group["id"], name="#1")
    await control(http, "bot_rights", {"chat_id": group["id"], "admin": False})
    member = await bot_call(
        http, api, "getChatMember", chat_id=group["id"], user_id=api.bot_user["id"]
    )

    assert refused["description"] == "Bad Request: not enough rights to create a topic"
    assert member["result"]["status"] == "member"


async def test_a_mention_of_the_bot_is_an_entity(api: FakeBotAPI, http: httpx.AsyncClient) -> None:
    group = await control(http, "group", {"title": "Treff", "forum": False, "members": [PARENT]})
    await control(
        http,
        "send_text",
        {"user_id": PARENT, "chat_id": group["id"], "text": "Hallo @elternlotse_test_bot!"},
    )
    mention = sent(api)["entities"]
    await control(http, "send_text", {"user_id": PARENT, "text": "/start@elternlotse_test_bot"})
    command = sent(api)["entities"]
    await control(http, "send_text", {"user_id": PARENT, "text": "mara@example.org"})

    assert mention == [{"type": "mention", "offset": 6, "length": 21}]
    assert command == [{"type": "bot_command", "offset": 0, "length": 27}]
    assert "entities" not in sent(api)


async def test_a_command_needs_its_slash(api: FakeBotAPI, http: httpx.AsyncClient) -> None:
    await control(http, "send_command", {"user_id": PARENT, "command": "/beratung"})
    entities = sent(api)["entities"]
    wrong = await http.post("/_fake/send_command", json={"user_id": PARENT, "command": "ende"})

    assert entities == [{"type": "bot_command", "offset": 0, "length": 9}]
    assert wrong.status_code == 400
    assert "starts with '/'" in wrong.json()["description"]


async def test_media_go_into_a_topic_named_by_its_title(
    api: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    group = await control(http, "group", {"title": "Beratung", "members": [ANNA]})
    topic = await bot_call(http, api, "createForumTopic", chat_id=group["id"], name="#1 · wartet")
    where = {"user_id": ANNA, "chat_id": group["id"], "topic": "#1"}
    contents = []
    for name, extra in (
        ("send_sticker", {"emoji": "🙂"}),
        ("send_photo", {"caption": "der Bescheid"}),
        ("send_document", {"file_name": "notiz.txt", "content": "Titel fehlt"}),
        ("send_voice", {"duration": 4}),
        ("send_location", {"latitude": 50.0, "longitude": 8.0}),
    ):
        await control(http, name, {**where, **extra})
        contents.append(sent(api))

    thread = topic["result"]["message_thread_id"]
    assert {m["message_thread_id"] for m in contents} == {thread}
    sticker, photo, document, voice, location = contents
    assert sticker["sticker"]["emoji"] == "🙂"
    assert photo["caption"] == "der Bescheid"
    assert len(photo["photo"]) == 2
    assert api.file_bytes(document["document"]["file_id"]) == b"Titel fehlt"
    assert voice["voice"]["duration"] == 4
    assert location["location"] == {"latitude": 50.0, "longitude": 8.0}


async def test_a_button_is_pressed_by_its_label(api: FakeBotAPI, http: httpx.AsyncClient) -> None:
    keyboard = {"inline_keyboard": [[{"text": "📨 Anfrage senden", "callback_data": "1:a:s"}]]}
    await bot_call(http, api, "sendMessage", chat_id=PARENT, text="Frage", reply_markup=keyboard)
    await bot_call(http, api, "sendMessage", chat_id=PARENT, text="Danach")
    pressed = await control(http, "press_button", {"user_id": PARENT, "label": "Anfrage senden"})
    missing = await http.post("/_fake/press_button", json={"user_id": PARENT, "label": "Nein"})

    query = api.pending_updates()[-1]["callback_query"]
    assert pressed == {"callback_query_id": query["id"], "data": "1:a:s"}
    assert query["message"]["text"] == "Frage"
    assert missing.status_code == 400


async def test_a_blocked_user_cannot_be_written_to(
    api: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    await control(http, "block", {"user_id": PARENT})
    blocked = await bot_call(http, api, "sendMessage", chat_id=PARENT, text="Hallo")
    await control(http, "unblock", {"user_id": PARENT})
    unblocked = await bot_call(http, api, "sendMessage", chat_id=PARENT, text="Hallo")

    assert blocked["error_code"] == 403
    assert blocked["description"] == "Forbidden: bot was blocked by the user"
    assert unblocked["ok"]


async def test_the_files_the_bot_sent_can_be_read(api: FakeBotAPI, http: httpx.AsyncClient) -> None:
    for name, data in (("termin.ics", b"BEGIN:VCALENDAR"), ("daten.json", b'{"a": 1}')):
        await http.post(
            f"/bot{api.token}/sendDocument",
            data={"chat_id": str(PARENT)},
            files={"document": (name, data, "text/calendar")},
        )
    listed = (await http.get("/_fake/files", params={"chat_id": PARENT})).json()
    newest = await http.get("/_fake/file", params={"chat_id": PARENT})
    first = await http.get("/_fake/file", params={"file_id": listed[0]["file_id"]})
    by_message = await http.get(
        "/_fake/file", params={"chat_id": PARENT, "message_id": listed[0]["message_id"]}
    )
    none = await http.get("/_fake/file", params={"chat_id": ANNA})
    waited = await http.get("/_fake/wait", params={"chat_id": PARENT, "file": ".ics"})

    assert [f["file_name"] for f in listed] == ["termin.ics", "daten.json"]
    assert newest.content == b'{"a": 1}'
    assert first.content == by_message.content == b"BEGIN:VCALENDAR"
    assert first.headers["content-type"] == "text/calendar"
    assert 'filename="termin.ics"' in first.headers["content-disposition"]
    assert none.status_code == 400
    assert waited.text == f"#1\n[Datei termin.ics: {listed[0]['file_id']}]\n"


async def test_the_transcript_and_waiting_read_like_the_chat(
    api: FakeBotAPI, http: httpx.AsyncClient
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "y"}]]}
    await bot_call(http, api, "sendMessage", chat_id=PARENT, text="Weiter?", reply_markup=keyboard)
    transcript = await http.get("/_fake/transcript", params={"chat_id": PARENT})
    waited = await http.get("/_fake/wait", params={"chat_id": PARENT, "text": "Weiter"})
    late = await http.get(
        "/_fake/wait", params={"chat_id": PARENT, "text": "nie", "timeout": "0.05"}
    )

    assert transcript.text == "#1\nWeiter?\n[Ja]\n"
    assert waited.text == transcript.text
    assert late.status_code == 408


def test_without_aiohttp_it_names_the_python_to_use() -> None:
    # -S: no site-packages, so no aiohttp, as with the system Python of a fresh clone
    run = subprocess.run(
        [sys.executable, "-S", "-m", "tests.fakebotapi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert ".venv/bin/python -m tests.fakebotapi" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_lists_the_control_endpoints() -> None:
    run = subprocess.run(
        [sys.executable, "-S", "-m", "tests.fakebotapi", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    for endpoint in ("group", "bot_rights", "send_photo", "send_document", "block", "file"):
        assert f"/_fake/{endpoint} " in run.stdout
