"""Handler tests: real PTB Application, updates through process_update, an offline request."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.config import Config
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Reply
from bot.limits import RENDERED_MESSAGE_LIMIT
from bot.storage.memory import MemoryStore
from handlers.app import BotApp, build_application
from handlers.render import render
from tests.offline import BOT_USER, RecordingRequest

USER = {"id": 42, "is_bot": False, "first_name": "Anna", "language_code": "de"}
_ids = itertools.count(1)


def as_obj(value: Any) -> Any:
    """Return a JSON-encoded parameter decoded (PTB may pass objects or JSON strings)."""
    return json.loads(value) if isinstance(value, str) else value


def message_update(
    text: str | None = None, chat: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    chat = chat or {"id": USER["id"], "type": "private", "first_name": "Anna"}
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": USER,
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    return {"update_id": next(_ids), "message": message}


def button_update(data: str, markup: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": USER["id"], "type": "private", "first_name": "Anna"},
        "from": BOT_USER,
        "text": "…",
    }
    if markup:
        message["reply_markup"] = markup
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": USER,
            "chat_instance": "ci-1",
            "data": data,
            "message": message,
        },
    }


class Harness:
    def __init__(self, app: BotApp, request: RecordingRequest, store: MemoryStore) -> None:
        self.app, self.request, self.store = app, request, store

    async def feed(self, raw: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(raw, self.app.bot))

    def last_markup(self) -> dict[str, Any]:
        return as_obj(self.request.sent()[-1]["reply_markup"])

    def buttons(self) -> list[tuple[str, str]]:
        rows = self.last_markup()["inline_keyboard"]
        return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def make_harness(dialogue: Dialogue, store: MemoryStore) -> AsyncIterator[Harness]:
    request = RecordingRequest()
    app = build_application(Config(token="123456:TESTTOKEN"), dialogue, store, request=request)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        yield Harness(app, request, store)
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


@pytest.fixture
async def harness(dialogue: Dialogue) -> AsyncIterator[Harness]:
    async for h in make_harness(dialogue, MemoryStore()):
        yield h


async def test_start_sends_welcome_menu_and_commands(harness: Harness) -> None:
    await harness.feed(message_update("/start"))
    sent = harness.request.sent()[-1]
    assert "Willkommen bei Elternlotse" in sent["text"]
    assert sent["parse_mode"] == "HTML"
    assert all(data.startswith(("1:c:", "1:g")) for _, data in harness.buttons())
    commands = as_obj(harness.request.sent("setMyCommands")[0]["commands"])
    assert {c["command"] for c in commands} >= {
        "start",
        "themen",
        "hilfe",
        "datenschutz",
        "loeschen",
    }
    assert all(c["description"] for c in commands)


async def test_question_gets_typing_then_answer_with_buttons(harness: Harness) -> None:
    await harness.feed(message_update("Wie viel Kindergeld bekomme ich?"))
    names = [name for name, _ in harness.request.calls]
    assert names.index("sendChatAction") < names.index("sendMessage")
    text = harness.request.texts()[-1]
    assert text.startswith("<b>Kindergeld</b>")
    assert "259 €" in text
    datas = [d for _, d in harness.buttons()]
    assert "1:f:kindergeld:+" in datas
    assert "1:h" in datas
    saved = await harness.store.load_state(42)
    assert saved is not None
    assert (saved["v"], saved["last"], saved["pending"], saved["flow"]) == (
        4,
        "kindergeld",
        None,
        None,
    )
    assert saved["last_at"]  # when it was answered: context for follow-ups, minutes only


async def test_clarify_then_press_candidate_and_state_survives_a_new_app(
    dialogue: Dialogue,
) -> None:
    store = MemoryStore()
    async for h in make_harness(dialogue, store):
        await h.feed(message_update("Geld vom Amt fürs Kind"))
        candidates = h.buttons()
        assert candidates[-1][1] == "1:n"
    async for h in make_harness(dialogue, store):  # "restart": same store, new application
        await h.feed(button_update("1:n"))
        assert "Danke, dann habe ich dazu noch keine passende Antwort" in h.request.texts()[-1]
        assert [q.text for q in await store.unanswered()] == ["Geld vom Amt fürs Kind"]
        await h.feed(button_update(candidates[0][1]))
        assert h.request.texts()[-1].startswith("<b>")


async def test_thumbs_up_is_stored_and_feedback_row_removed(harness: Harness) -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "Kinderzuschlag", "callback_data": "1:e:kinderzuschlag"}],
            [
                {"text": "👍", "callback_data": "1:f:kindergeld:+"},
                {"text": "👎", "callback_data": "1:f:kindergeld:-"},
            ],
        ]
    }
    await harness.feed(button_update("1:f:kindergeld:+", markup))
    assert harness.request.sent("answerCallbackQuery")
    edited = harness.request.sent("editMessageReplyMarkup")[-1]
    rows = as_obj(edited["reply_markup"])["inline_keyboard"]
    data = [b["callback_data"] for row in rows for b in row]
    assert "1:e:kinderzuschlag" in data
    assert not [d for d in data if d.startswith("1:f:")]
    summary = await harness.store.feedback_summary()
    assert [(s.entry_id, s.helpful, s.not_helpful) for s in summary] == [("kindergeld", 1, 0)]


@pytest.mark.parametrize("data", ["1:e:gibts-nicht", "garbage", "9:x", "1:f:kindergeld:*"])
async def test_forged_button_is_answered_as_stale_and_menu_shown(
    harness: Harness, data: str
) -> None:
    await harness.feed(button_update(data))
    answer = harness.request.sent("answerCallbackQuery")[-1]
    assert answer["text"] == "Dieser Knopf ist nicht mehr gültig."
    assert all(d.startswith(("1:c:", "1:g")) for _, d in harness.buttons())


async def test_menu_navigation_edits_the_menu_in_place(harness: Harness) -> None:
    menu = {"inline_keyboard": [[{"text": "Unterhalt", "callback_data": "1:c:unterhalt"}]]}
    before = len(harness.request.sent())
    await harness.feed(button_update("1:c:unterhalt", menu))
    assert len(harness.request.sent()) == before
    edited = harness.request.sent("editMessageText")[-1]
    assert "Themen im Bereich" in edited["text"]


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
    ],
)
async def test_non_text_messages_get_a_kind_reply(harness: Harness, extra: dict[str, Any]) -> None:
    await harness.feed(message_update(None, **extra))
    assert "nur Textnachrichten lesen" in harness.request.texts()[-1]


async def test_a_photo_with_a_caption_gets_its_words_answered(harness: Harness) -> None:
    """Newcomer D30: the caption is the question; the bot says it did not look at the picture."""
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    await harness.feed(
        message_update(None, photo=photo, caption="Wie viel Kindergeld bekomme ich?")
    )
    said = harness.request.texts()
    note = next(i for i, t in enumerate(said) if "Bilder und Dateien kann ich nicht ansehen" in t)
    assert any("259 €" in t for t in said[note + 1 :])
    assert not any("nur Textnachrichten lesen" in t for t in said)


async def test_groups_stay_quiet_unless_addressed(harness: Harness) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "Eltern"}
    await harness.feed(message_update("wie viel kindergeld", chat=group))
    assert harness.request.sent() == []
    text = "@elternlotse_test_bot wie viel kindergeld"
    mention = [{"type": "mention", "offset": 0, "length": 21}]
    await harness.feed(message_update(text, chat=group, entities=mention))
    assert "259 €" in harness.request.texts()[-1]


async def test_rate_limit_is_honoured_and_the_reply_arrives(harness: Harness) -> None:
    harness.request.fail(
        "sendMessage",
        429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    await harness.feed(message_update("kindergeld"))
    assert len(harness.request.sent()) == 2  # the 429 attempt and the retry
    assert "259 €" in harness.request.texts()[-1]


async def test_blocked_user_does_not_crash_anything(harness: Harness) -> None:
    harness.request.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    await harness.feed(message_update("kindergeld"))
    await harness.feed(message_update("wohngeld"))
    assert "Wohngeld" in harness.request.texts()[-1]


async def test_delete_removes_everything(harness: Harness) -> None:
    await harness.feed(message_update("kindergeld"))
    await harness.feed(message_update("/loeschen"))
    yes = harness.buttons()[0][1]
    await harness.feed(button_update(yes))
    assert not await harness.store.user_exists(42)
    assert "Alles, was über Sie gespeichert war, ist gelöscht" in harness.request.texts()[-1]


async def test_crash_in_storage_apologises_and_logs(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(user_id: int) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(harness.store, "load_state", broken)
    await harness.feed(message_update("kindergeld"))
    assert "etwas schiefgegangen" in harness.request.texts()[-1]
    assert "unhandled error" in caplog.text
    assert "kindergeld" not in caplog.text  # no message text in logs


def test_render_escapes_and_splits() -> None:
    parts = render(Reply("a < b & <i>c</i>", title="T<1>", footer="Quelle & mehr"))
    assert (
        parts[0].text
        == "<b>T&lt;1&gt;</b>\n\na &lt; b &amp; &lt;i&gt;c&lt;/i&gt;\n\n<i>Quelle &amp; mehr</i>"
    )
    long = Reply("\n\n".join(["Absatz " + "x" * 900] * 12), title="Lang", footer="Fuß")
    rendered = render(long)
    assert len(rendered) > 1
    assert all(len(p.text) <= RENDERED_MESSAGE_LIMIT for p in rendered)
    assert all(p.markup is None for p in rendered[:-1])


async def test_a_follow_up_is_answered_from_the_entry_just_answered(harness: Harness) -> None:
    await harness.feed(message_update("wie viel kindergeld bekomme ich"))
    assert harness.request.texts()[-1].startswith("<b>Kindergeld</b>")
    await harness.feed(message_update("wo stelle ich den antrag?"))
    text = harness.request.texts()[-1]
    assert text.startswith("<b>Kindergeld: Antrag</b>")
    assert "Familienkasse" in text


async def test_a_follow_up_without_context_asks_which_topic(harness: Harness) -> None:
    await harness.feed(message_update("wo stelle ich den antrag?"))
    assert "Worauf bezieht sich Ihre Frage?" in harness.request.texts()[-1]
