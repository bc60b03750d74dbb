"""Privileged commands and buttons through the real handlers: only the right role gets anything.

Every counsellor and staff action is tried by a parent in a private chat, by anyone in a foreign
group and by a stranger in the counsellors' group; nothing happens, nobody else hears of it,
and the refusal is logged without personal data. The right people, in the right chat, succeed
and are audited. Unknown commands get the list of the real ones.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.cases.model import CaseStatus
from bot.config import AnnouncementsConfig, Config, CounsellingConfig, Counsellor
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.storage.sqlite import SqliteStore
from handlers.app import BotApp, build_application
from tests.offline import BOT_USER, RecordingRequest

# Long ids, so a log line can be searched for them without false alarms.
CASE_PARENT, ANNA, STAFF = 4_242_424, 5_010_501, 6_010_601
ATTACKER, STRANGER = 7_700_077, 8_800_088
GROUP, FOREIGN, TOPIC = -100500, -100999, 77
NAMES = {CASE_PARENT: "Mara", ANNA: "Anna", STAFF: "Sven", ATTACKER: "Mallory", STRANGER: "Fremd"}
CONFIG = Config(
    token="123456:TESTTOKEN",
    counselling=CounsellingConfig(
        group_id=GROUP,
        counsellors=(Counsellor(ANNA, "Beraterin Anna"),),
        default_name="Beratungsteam",
        office_hours={},
        state="NW",
    ),
    announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF})),
)
_ids = itertools.count(1)


def private(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": NAMES[user_id]}


COUNSELLORS_GROUP = {"id": GROUP, "type": "supergroup", "title": "Beratung", "is_forum": True}
FOREIGN_GROUP = {"id": FOREIGN, "type": "supergroup", "title": "Irgendeine Gruppe"}


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": NAMES[user_id], "language_code": "de"}


def message(
    user_id: int, chat: dict[str, Any], text: str, topic: int | None = None
) -> dict[str, Any]:
    """Return a message update; a leading command gets its bot_command entity."""
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if topic is not None:
        body |= {"message_thread_id": topic, "is_topic_message": True}
    return {"update_id": next(_ids), "message": body}


def press(user_id: int, chat: dict[str, Any], data: str) -> dict[str, Any]:
    pressed = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": BOT_USER,
        "text": "…",
    }
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": pressed,
        },
    }


class AuditingStore(SqliteStore):
    """The real store, remembering its audit rows for assertions."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.audits: list[tuple[int, str, str, str | None]] = []

    async def audit(
        self, actor_id: int, role: str, action: str, subject: str | None, now: datetime
    ) -> None:
        self.audits.append((actor_id, role, action, subject))
        await super().audit(actor_id, role, action, subject, now)


@dataclass
class World:
    app: BotApp
    request: RecordingRequest
    store: AuditingStore
    dialogue: Dialogue

    async def feed(self, raw: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(raw, self.app.bot))

    def sent(self) -> list[tuple[str, int | None, str]]:
        """Return (method, chat id, text) of every call but answering button presses."""
        return [
            (name, _chat(params), str(params.get("text", "")))
            for name, params in self.request.calls
            if name != "answerCallbackQuery"
        ]

    def texts_to(self, chat_id: int) -> list[str]:
        return [text for _, chat, text in self.sent() if chat == chat_id]


def _chat(params: dict[str, Any]) -> int | None:
    return int(params["chat_id"]) if "chat_id" in params else None


@pytest.fixture(scope="module")
def team_dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, CONFIG)


async def make_world(dialogue: Dialogue, tmp_path: Path, config: Config) -> AsyncIterator[World]:
    store = AuditingStore(tmp_path / "elternlotse.sqlite3")
    request = RecordingRequest()
    app = build_application(config, dialogue, store, request=request, announcement_store=store)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        case = await store.open_case(CASE_PARENT, "Unterhalt", False, datetime.now(UTC))
        await store.set_topic(case.number, TOPIC)
        request.calls.clear()
        yield World(app, request, store, dialogue)
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


@pytest.fixture
async def world(team_dialogue: Dialogue, tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(team_dialogue, tmp_path, CONFIG):
        yield w


STAFF_COMMANDS = ["/termin_neu", "/termine_verwalten", "/ankuendigen", "/fragen 1", "/abbrechen"]
GROUP_PRESSES = {"1:u:1": "claim_case", "1:v:1": "close_case"}
STAFF_PRESSES = ["1:z:c:1.abcdef", "1:z:e:1", "1:z:a:1"]
COUNSELLOR_COMMANDS = ["/faelle", "/statistik", "/antwort kindergeld", "/schliessen"]

# (who, chat, what: ("text"|"press", payload, topic), the refusal logged or None, reply key)
ATTEMPTS: list[tuple[int, dict[str, Any], tuple[str, str, int | None], str | None, str | None]] = [
    *[(ATTACKER, private(ATTACKER), ("press", d, None), a, None) for d, a in GROUP_PRESSES.items()],
    *[
        (ATTACKER, private(ATTACKER), ("press", d, None), "staff_button", "staff")
        for d in STAFF_PRESSES
    ],
    *[
        (ATTACKER, private(ATTACKER), ("text", c, None), "staff_command", "staff")
        for c in STAFF_COMMANDS
    ],
    *[
        (ATTACKER, private(ATTACKER), ("text", c, None), None, "unknown")
        for c in COUNSELLOR_COMMANDS
    ],
    *[(ATTACKER, FOREIGN_GROUP, ("press", d, None), a, None) for d, a in GROUP_PRESSES.items()],
    *[
        (ATTACKER, FOREIGN_GROUP, ("press", d, None), "staff_button", "staff")
        for d in STAFF_PRESSES
    ],
    *[
        (ATTACKER, FOREIGN_GROUP, ("text", c, TOPIC), None, None)
        for c in [*COUNSELLOR_COMMANDS, *STAFF_COMMANDS]
    ],
    *[
        (STRANGER, COUNSELLORS_GROUP, ("press", d, TOPIC), a, None)
        for d, a in GROUP_PRESSES.items()
    ],
    (STRANGER, COUNSELLORS_GROUP, ("text", "/faelle", None), "list_cases", None),
    (STRANGER, COUNSELLORS_GROUP, ("text", "/statistik", None), "figures", None),
    (STRANGER, COUNSELLORS_GROUP, ("text", "/antwort kindergeld", TOPIC), "canned_answer", None),
    (STRANGER, COUNSELLORS_GROUP, ("text", "/schliessen", TOPIC), "close_case", None),
    (STRANGER, COUNSELLORS_GROUP, ("text", "Hallo Mara, ich übernehme", TOPIC), "relay", None),
    # The right person in the wrong chat has no privilege there either.
    (ANNA, private(ANNA), ("press", "1:u:1", None), "claim_case", None),
    (STAFF, COUNSELLORS_GROUP, ("press", "1:z:e:1", TOPIC), "staff_button", "staff"),
    (STAFF, COUNSELLORS_GROUP, ("press", "1:u:1", TOPIC), "claim_case", None),
]


def _label(attempt: tuple[int, dict[str, Any], tuple[str, str, int | None], Any, Any]) -> str:
    who, chat, (kind, payload, _), _, _ = attempt
    return f"{NAMES[who]}-{chat['type']}{chat['id']}-{kind}-{payload}"


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[_label(a) for a in ATTEMPTS])
async def test_a_privileged_attempt_by_the_wrong_role_does_nothing(
    world: World,
    caplog: pytest.LogCaptureFixture,
    attempt: tuple[int, dict[str, Any], tuple[str, str, int | None], str | None, str | None],
) -> None:
    who, chat, (kind, payload, topic), refused, reply = attempt
    caplog.set_level(logging.INFO)
    if kind == "press":
        await world.feed(press(who, chat, payload))
    else:
        await world.feed(message(who, chat, payload, topic))
    case = await world.store.case(1)
    assert case is not None
    assert (case.status, case.counsellor_id) == (CaseStatus.WAITING, None)
    assert await world.store.upcoming_events(datetime.now(UTC)) == []
    assert await world.store.load_draft(who) is None
    assert world.store.audits == []
    # Nothing reaches the case's parent or the group; at most the sender hears one reply.
    sent = world.sent()
    assert all(chat_id == who for _, chat_id, _ in sent), sent
    expected = {
        None: [],
        "staff": [world.dialogue.kb.staff_texts("staff_only")],
        "unknown": [world.dialogue.texts("command_unknown", commands=_menu(world.dialogue))],
    }[reply]
    assert [text for _, _, text in sent] == expected
    refusals = [r.getMessage() for r in caplog.records if r.name == "bot.access"]
    assert refusals == ([f"refused {refused} for role parent"] if refused else [])
    for secret in (str(who), str(CASE_PARENT), NAMES[who], "Mara", "kindergeld", payload):
        assert secret not in caplog.text


def _menu(dialogue: Dialogue) -> str:
    return "\n".join(f"/{c.name} – {c.description}" for c in dialogue.kb.commands if c.menu)


async def test_the_counsellor_in_the_group_may_and_is_audited(world: World) -> None:
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/faelle"))
    assert any("#1" in text for text in world.texts_to(GROUP))
    await world.feed(press(ANNA, COUNSELLORS_GROUP, "1:u:1"))
    case = await world.store.case(1)
    assert case is not None
    assert (case.status, case.counsellor_id) == (CaseStatus.CLAIMED, ANNA)
    assert "Beraterin Anna ist jetzt für Sie da." in world.texts_to(CASE_PARENT)
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/antwort kindergeld", TOPIC))
    assert any("Kindergeld" in text for text in world.texts_to(CASE_PARENT))
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/antwort gibts-nicht", TOPIC))
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/statistik"))
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/schliessen", TOPIC))
    assert any("Fall #1 wirklich schließen?" in text for text in world.texts_to(GROUP))
    case = await world.store.case(1)
    assert case is not None
    assert case.status is CaseStatus.CLAIMED  # asked first (newcomer D3)
    await world.feed(press(ANNA, COUNSELLORS_GROUP, "1:y:1:y"))
    case = await world.store.case(1)
    assert case is not None
    assert case.status is CaseStatus.CLOSED
    assert world.store.audits == [
        (ANNA, "counsellor", "cases_listed", None),
        (ANNA, "counsellor", "case_claimed", "case:1"),
        (ANNA, "counsellor", "canned_answer", "case:1:kindergeld"),
        (ANNA, "counsellor", "case_closed", "case:1"),
    ]


async def test_staff_in_a_private_chat_may(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await world.feed(message(STAFF, private(STAFF), "/termin_neu"))
    assert any("Neuer Termin" in text for text in world.texts_to(STAFF))
    assert "refused" not in caplog.text


async def test_an_unknown_command_gets_the_menu_commands(world: World) -> None:
    for text in ("/foo", "/start@otherbot", "/FAELLE bitte"):
        world.request.calls.clear()
        await world.feed(message(ATTACKER, private(ATTACKER), text))
        (reply,) = world.texts_to(ATTACKER)
        assert "Diesen Befehl kenne ich leider nicht" in reply
        menu = [c for c in world.dialogue.kb.commands if c.menu]
        assert all(f"/{c.name} – {c.description}" in reply for c in menu)
        assert "/help" not in reply  # aliases and hidden commands stay out of the list


async def test_known_commands_are_not_taken_for_unknown_ones(world: World) -> None:
    await world.feed(message(ATTACKER, private(ATTACKER), "/start@elternlotse_test_bot"))
    await world.feed(message(ATTACKER, private(ATTACKER), "/help"))
    await world.feed(message(STAFF, private(STAFF), "/abbrechen"))
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/statistik"))
    everything = " ".join(text for _, _, text in world.sent())
    assert "Willkommen bei Elternlotse" in everything
    assert "Diesen Befehl kenne ich leider nicht" not in everything


async def test_unknown_commands_in_groups_stay_unanswered(world: World) -> None:
    await world.feed(message(ATTACKER, FOREIGN_GROUP, "/foo"))
    await world.feed(message(ATTACKER, FOREIGN_GROUP, "/start@otherbot"))
    await world.feed(message(ANNA, COUNSELLORS_GROUP, "/foo"))
    assert world.sent() == []


async def test_a_flood_of_forged_staff_buttons_gets_few_refusals(world: World) -> None:
    for _ in range(CONFIG.privacy.messages_per_minute + 10):
        await world.feed(press(ATTACKER, private(ATTACKER), "1:z:c:1.abcdef"))
    refusals = world.texts_to(ATTACKER)
    assert len(refusals) == CONFIG.privacy.messages_per_minute
    assert len(world.request.sent("answerCallbackQuery")) == len(refusals) + 10
