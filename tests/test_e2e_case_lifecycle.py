"""End to end: a case from request to rating, as parent, counsellors and group see it.

Against the fake Bot API, which answers a post into a closed topic with 400 TOPIC_CLOSED as
Telegram does. The rating and its comment come after the case closed, so they must still arrive
in the case's topic, and the parent hears „angekommen" only once they did.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

PARENT_ID, ANNA_ID, BEN_ID, CLARA_ID = 4711, 9001, 9003, 9002
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ARRIVED = "Ihr Kommentar zur Beratung #1 ist beim Beratungsteam angekommen."
NOT_BENS = "Fall #1 betreut Beraterin Anna. Nur Beraterin Anna kann ihn schließen."


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


class World:
    """The fake Bot API with a forum group of two counsellors and a member who is not one."""

    def __init__(self, api: FakeBotAPI, group: dict[str, Any], data: Path) -> None:
        self.api, self.group, self.data = api, group, data

    async def parent_sees(self, needle: str) -> dict[str, Any]:
        return await self.api.wait_for_message(
            PARENT_ID, lambda m: needle in m.get("text", ""), include_existing=True, timeout=20
        )

    async def group_sees(self, needle: str, thread: int | None = None) -> dict[str, Any]:
        return await self.api.wait_for_message(
            self.group["id"],
            lambda m: needle in m.get("text", ""),
            thread_id=thread,
            include_existing=True,
            timeout=20,
        )

    async def popup(self, query_id: str) -> dict[str, Any]:
        """Return what the bot answered to a button press (answerCallbackQuery), once it did."""
        for _ in range(400):
            answer = self.api.callback_answers.get(query_id)
            if answer is not None:
                return answer
            await asyncio.sleep(0.05)
        raise AssertionError(f"the press {query_id} was never answered")

    def current(self, message: dict[str, Any]) -> dict[str, Any]:
        """Return a message of the group as it is now (after edits)."""
        return next(
            m
            for m in self.api.messages(self.group["id"])
            if m["message_id"] == message["message_id"]
        )

    def parent_texts(self) -> list[str]:
        return [str(m.get("text", "")) for m in self.api.messages(PARENT_ID)]

    async def open_case(self) -> tuple[int, dict[str, Any]]:
        """Request a case as the parent; return the topic's thread id and the case card."""
        self.api.send_command(PARENT_ID, "/beratung")
        consent = await self.parent_sees("Telegram-Namen")
        self.api.press_button(PARENT_ID, consent, "1:a:s")
        await self.parent_sees("Anfrage #1 ist eingegangen")
        card = await self.group_sees("Neue Anfrage #1")
        (topic,) = self.api.topics(self.group["id"])
        return int(topic["message_thread_id"]), card

    async def claimed_and_ended(self) -> int:
        """Open a case, let Anna claim it and the parent end it; return the thread id."""
        thread, card = await self.open_case()
        self.api.press_button(ANNA_ID, card, "1:u:1")
        await self.parent_sees("Beraterin Anna ist jetzt für Sie da")
        self.api.send_command(PARENT_ID, "/ende")
        await self.parent_sees("Wie hilfreich")
        await self.group_sees("Die Person hat die Beratung #1 beendet.", thread)
        return thread

    async def rate_and_comment(self, comment: str) -> None:
        rating = await self.parent_sees("Wie hilfreich")
        self.api.press_button(PARENT_ID, rating, "1:t:1:4")
        offer = await self.parent_sees("noch einen Satz")
        self.api.press_button(PARENT_ID, offer, "1:q:1")
        await self.parent_sees("nächste Nachricht")
        self.api.send_text(PARENT_ID, comment)
        await self.parent_sees("Danke für Ihren Kommentar")

    async def settled_outbox(self) -> list[tuple[str, str | None]]:
        """Return the group queue's rows once none is pending (the last is marked after sending)."""
        for _ in range(200):
            rows = self.outbox_rows()
            if all(status != "pending" for status, _ in rows):
                return rows
            await asyncio.sleep(0.05)
        return self.outbox_rows()

    def outbox_rows(self) -> list[tuple[str, str | None]]:
        with sqlite3.connect(self.data / "elternlotse.sqlite3") as db:
            rows = db.execute("SELECT status, last_error FROM outbox WHERE queue = 'counsellors'")
            return [(str(status), error) for status, error in rows]


def counselling_config(group_id: int, leads: tuple[int, ...] = ()) -> str:
    """Return the config (JSON is YAML): two counsellors, always open, optional leads."""
    section: dict[str, Any] = {
        "group_id": group_id,
        "counsellors": [
            {"id": ANNA_ID, "name": "Beraterin Anna"},
            {"id": BEN_ID, "name": "Berater Ben"},
        ],
        "state": "NW",
        "office_hours": {day: "00:00-23:59" for day in DAYS},
    }
    if leads:
        section["leads"] = list(leads)
    return json.dumps({"counselling": section})


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeBotAPI() as api:
        for user, name in ((PARENT_ID, "Mara"), (ANNA_ID, "Anna Privat"), (BEN_ID, "Ben Privat")):
            api.user(user, first_name=name)
        api.user(CLARA_ID, first_name="Clara")
        group = api.forum_group("Beratung", members=[ANNA_ID, BEN_ID, CLARA_ID])
        config = tmp_path / "config.yaml"
        config.write_text(counselling_config(group["id"]), encoding="utf-8")
        bot = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", config)
        await bot.start()
        yield World(api, group, tmp_path / "data")
        assert await bot.stop() == 0
        log = bot.log.read_text(encoding="utf-8")
        assert "Traceback" not in log, log
        assert "Mara" not in log  # no personal data in the log


async def test_rating_and_comment_arrive_in_the_closed_topic_before_angekommen(
    world: World,
) -> None:
    thread = await world.claimed_and_ended()
    # The topic is closed by its own call after the closing line: wait for it (bounded).
    for _ in range(200):
        (topic,) = world.api.topics(world.group["id"])
        if topic["is_closed"]:
            break
        await asyncio.sleep(0.05)
    assert topic["is_closed"]

    await world.rate_and_comment("Danke Anna, Sie haben mir sehr geholfen!")

    # The name is redacted like every free text.
    comment = await world.group_sees(
        "Rückmeldung zu #1 (⭐⭐⭐⭐): Danke [Name], Sie haben", thread
    )
    await world.group_sees("Bewertung zu #1: ⭐⭐⭐⭐", thread)
    await world.parent_sees(ARRIVED)
    # „angekommen" was sent only after the comment was in the topic.
    sent = [c.result for c in world.api.calls("sendMessage") if c.ok]
    order = [(m["chat"]["id"], m["message_id"]) for m in sent]
    told = next(i for i, m in enumerate(sent) if m.get("text") == ARRIVED)
    assert order.index((world.group["id"], comment["message_id"])) < told, order
    assert world.api.calls("reopenForumTopic")
    rows = await world.settled_outbox()
    assert all(status == "sent" for status, _ in rows), rows
    (topic,) = world.api.topics(world.group["id"])
    assert topic["is_closed"]  # closed again after posting (before the rows were marked sent)
    # Every request counts against Telegram's 20 a minute into the group, past which the next
    # one waits a minute: the closing line goes before the close, rating and comment reopen
    # the topic without a refused try first.
    requests = [c.method for c in world.api.chat_requests(world.group["id"])]
    assert "sendMessage" in requests
    assert len(requests) <= 16, requests
    assert [c.status for c in world.api.calls("sendMessage")].count(400) == 0


async def test_a_comment_that_cannot_be_delivered_is_a_failure_and_the_parent_hears_so(
    world: World,
) -> None:
    thread = await world.claimed_and_ended()
    world.api.delete_topic(world.group["id"], thread)  # an admin removed the finished case

    await world.rate_and_comment("Danke Anna!")

    failed = await world.parent_sees("konnte leider nicht an das Beratungsteam zugestellt werden")
    assert "#1" in failed["text"]
    assert not [m for m in world.api.messages(PARENT_ID) if "angekommen" in m.get("text", "")]
    rows = await world.settled_outbox()
    failures = [error for status, error in rows if status == "failed"]
    assert len(failures) == 2, rows  # the rating and the comment, each with Telegram's reason
    assert all(error and "message thread not found" in error for error in failures), rows
    assert not [
        m for m in world.api.messages(world.group["id"]) if "Danke Anna" in m.get("text", "")
    ]


async def test_a_colleagues_close_is_refused_and_the_owner_closes_after_confirming(
    world: World,
) -> None:
    # newcomer D3 and D27
    thread, card = await world.open_case()
    claim = world.api.press_button(ANNA_ID, card, "1:u:1")
    await world.parent_sees("Beraterin Anna ist jetzt für Sie da")
    assert "text" not in await world.popup(claim)
    edited = world.current(card)
    assert edited["text"].endswith("✋ Übernommen von Beraterin Anna.")
    assert buttons(edited) == [("✖️ Schließen", "1:v:1")]

    late = await world.popup(world.api.press_button(BEN_ID, card, "1:u:1"))
    assert (late["text"], late["show_alert"]) == (
        "Fall #1 hat schon Beraterin Anna übernommen.",
        True,
    )
    refused = await world.popup(world.api.press_button(BEN_ID, edited, "1:v:1"))
    assert (refused["text"], refused["show_alert"]) == (NOT_BENS, True)

    world.api.press_button(ANNA_ID, edited, "1:v:1")
    question = await world.group_sees("Fall #1 wirklich schließen?", thread)
    assert buttons(question) == [("Ja, schließen", "1:y:1:y"), ("Abbrechen", "1:y:1:n")]
    confirmed_by_ben = await world.popup(world.api.press_button(BEN_ID, question, "1:y:1:y"))
    assert confirmed_by_ben["text"] == NOT_BENS
    assert not [t for t in world.parent_texts() if "Wie hilfreich" in t]
    assert not [m for m in world.api.messages(world.group["id"]) if "hat schon" in m["text"]]

    world.api.press_button(ANNA_ID, question, "1:y:1:y")
    await world.parent_sees("Die Beratung #1 ist beendet. Wie hilfreich war sie für Sie?")
    await world.group_sees("Fall #1 ist geschlossen.", thread)
    assert buttons(world.current(question)) == []  # answered once
    again = await world.popup(world.api.press_button(ANNA_ID, question, "1:y:1:y"))
    assert again["text"] == "Fall #1 ist bereits beendet."


async def test_a_typed_schliessen_asks_and_abbrechen_keeps_the_case(world: World) -> None:
    thread, card = await world.open_case()
    world.api.press_button(ANNA_ID, card, "1:u:1")
    await world.parent_sees("Beraterin Anna ist jetzt für Sie da")
    world.api.send_command(BEN_ID, "/schliessen", chat=world.group["id"], thread_id=thread)
    await world.group_sees(NOT_BENS, thread)
    world.api.send_command(ANNA_ID, "/schliessen", chat=world.group["id"], thread_id=thread)
    question = await world.group_sees("Fall #1 wirklich schließen?", thread)
    world.api.press_button(ANNA_ID, question, "1:y:1:n")
    await world.group_sees("Fall #1 bleibt offen.", thread)
    assert buttons(world.current(question)) == []
    (topic,) = world.api.topics(world.group["id"])
    assert not topic["is_closed"]
    assert not [t for t in world.parent_texts() if "beendet" in t]


async def test_strangers_and_late_taps_get_a_reason_and_a_withdrawal_asks_no_rating(
    world: World,
) -> None:
    # newcomer D20 and D24
    thread, card = await world.open_case()
    stranger = await world.popup(world.api.press_button(CLARA_ID, card, "1:u:1"))
    assert stranger["text"] == "Nur eingetragene Beraterinnen können Fälle übernehmen."
    world.api.send_command(PARENT_ID, "/ende")
    withdrawn = await world.parent_sees("Ihre Anfrage #1 ist zurückgezogen.")
    assert "reply_markup" not in withdrawn
    await world.group_sees("Die Person hat ihre Anfrage #1 zurückgezogen", thread)
    ended = await world.popup(world.api.press_button(ANNA_ID, card, "1:u:1"))
    assert (ended["text"], ended["show_alert"]) == ("Fall #1 ist bereits beendet.", True)
    assert not [t for t in world.parent_texts() if "Wie hilfreich" in t]


async def test_a_claim_goes_on_when_the_card_is_gone(world: World) -> None:
    _, card = await world.open_case()
    world.api.fail("editMessageText", 400, "Bad Request: message to edit not found")
    world.api.press_button(ANNA_ID, card, "1:u:1")
    await world.parent_sees("Beraterin Anna ist jetzt für Sie da")
    assert [c.status for c in world.api.calls("editMessageText")] == [400]
