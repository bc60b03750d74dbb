"""End to end: a parent, a counsellor and the bot process in a forum supergroup (fake Bot API)."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import spawn_bot
from tests.fakebotapi import FakeBotAPI

PARENT_ID, ANNA_ID, STRANGER_ID = 4711, 9001, 9002


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def request_a_case(api: FakeBotAPI, group: dict[str, Any]) -> dict[str, Any]:
    """Ask for a counsellor as the parent, consent, and return the case's card in the group."""
    api.send_command(PARENT_ID, "/beratung")
    consent = await api.wait_for_message(
        PARENT_ID, lambda m: "Telegram-Namen" in m["text"], include_existing=True
    )
    api.press_button(PARENT_ID, consent, "1:a:s")
    return await api.wait_for_message(
        group["id"], lambda m: "Neue Anfrage #1" in m["text"], include_existing=True
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, dict[str, Any]]]:
    async with FakeBotAPI() as api:
        api.user(PARENT_ID, first_name="Mara")
        api.user(ANNA_ID, first_name="Anna Privat")
        api.user(STRANGER_ID, first_name="Fremd")
        group = api.forum_group("Beratung", members=[ANNA_ID, STRANGER_ID])
        config = tmp_path / "config.yaml"
        days = "\n".join(
            f"    {d}: '00:00-23:59'" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        )
        config.write_text(
            "counselling:\n"
            f"  group_id: {group['id']}\n"
            f"  counsellors:\n    - {{id: {ANNA_ID}, name: 'Beraterin Anna'}}\n"
            "  state: NW\n"
            f"  office_hours:\n{days}\n",
            encoding="utf-8",
        )
        log = tmp_path / "bot.log"
        with log.open("w", encoding="utf-8") as out:
            process = await spawn_bot(api, tmp_path / "data", out, config=config)
        await api.wait_for_calls("setMyCommands", 1, timeout=30)
        yield api, group
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
        text = log.read_text(encoding="utf-8")
        assert "Traceback" not in text, text
        assert "Mara" not in text  # no personal data in the log


async def test_the_whole_case_lifecycle(world: tuple[FakeBotAPI, dict[str, Any]]) -> None:
    api, group = world
    api.send_command(PARENT_ID, "/beratung")
    consent = await api.wait_for_message(
        PARENT_ID, lambda m: "Telegram-Namen" in m["text"], include_existing=True
    )
    api.press_button(PARENT_ID, consent, "1:a:s")
    await api.wait_for_message(
        PARENT_ID, lambda m: "Anfrage #1 ist eingegangen" in m["text"], include_existing=True
    )
    context = await api.wait_for_message(
        group["id"], lambda m: "Neue Anfrage #1" in m["text"], include_existing=True
    )
    (topic,) = api.topics(group["id"])
    thread = topic["message_thread_id"]
    assert "Mara" not in context["text"]

    api.send_text(PARENT_ID, "Mein Ex zahlt seit Monaten nichts.")
    await api.wait_for_message(
        group["id"],
        lambda m: m.get("text") == "Mein Ex zahlt seit Monaten nichts.",
        thread_id=thread,
        include_existing=True,
    )
    api.send_photo(PARENT_ID, caption="der Bescheid")
    await api.wait_for_message(
        group["id"], lambda m: "photo" in m, thread_id=thread, include_existing=True
    )

    refused = api.press_button(STRANGER_ID, context, "1:u:1")  # not a counsellor: a pop-up
    api.press_button(ANNA_ID, context, "1:u:1")
    await api.wait_for_message(
        PARENT_ID,
        lambda m: "Beraterin Anna ist jetzt für Sie da" in m["text"],
        include_existing=True,
    )

    api.send_text(ANNA_ID, "// Notiz: Titel fehlt", chat=group["id"], thread_id=thread)
    api.send_text(ANNA_ID, "Guten Tag, ich helfe Ihnen gern.", chat=group["id"], thread_id=thread)
    relayed = await api.wait_for_message(
        PARENT_ID, lambda m: "ich helfe Ihnen gern" in m.get("text", ""), include_existing=True
    )
    assert relayed.get("has_protected_content") or api.calls("copyMessage")[-1].params.get(
        "protect_content"
    )
    api.send_text(ANNA_ID, "/antwort unterhaltsvorschuss", chat=group["id"], thread_id=thread)
    await api.wait_for_message(
        PARENT_ID, lambda m: m["text"].startswith("Unterhaltsvorschuss"), include_existing=True
    )
    assert not [m for m in api.messages(PARENT_ID) if "Notiz" in m.get("text", "")]

    for _ in range(200):  # bounded: the pop-up is answered while the rest goes on
        if refused in api.callback_answers:
            break
        await asyncio.sleep(0.05)
    assert api.callback_answers[refused]["text"] == (
        "Nur eingetragene Beraterinnen können Fälle übernehmen."
    )
    api.send_text(ANNA_ID, "/schliessen", chat=group["id"], thread_id=thread)
    question = await api.wait_for_message(
        group["id"], lambda m: "wirklich schließen" in m.get("text", ""), include_existing=True
    )
    api.press_button(ANNA_ID, question, "1:y:1:y")
    rating = await api.wait_for_message(
        PARENT_ID, lambda m: "Wie hilfreich" in m["text"], include_existing=True
    )
    api.press_button(PARENT_ID, rating, "1:t:1:5")
    await api.wait_for_message(
        PARENT_ID, lambda m: "Danke für Ihre Rückmeldung" in m["text"], include_existing=True
    )
    assert api.calls("closeForumTopic")


async def test_a_crisis_during_a_case_names_who_reads_along(
    world: tuple[FakeBotAPI, dict[str, Any]],
) -> None:
    # newcomer D13: the hotlines, and no second hand-over offer that would open the consent again
    api, group = world
    context = await request_a_case(api, group)
    api.press_button(ANNA_ID, context, "1:u:1")
    await api.wait_for_message(
        PARENT_ID,
        lambda m: "Beraterin Anna ist jetzt für Sie da" in m["text"],
        include_existing=True,
    )
    api.send_text(PARENT_ID, "ich will nicht mehr leben")
    reply = await api.wait_for_message(
        PARENT_ID, lambda m: "TelefonSeelsorge" in m.get("text", ""), include_existing=True
    )
    reads_along = "Ihre Nachricht geht auch an Beraterin Anna; die Antwort bekommen Sie hier."
    assert reads_along in reply["text"]
    assert "mit einer Beraterin schreiben" not in reply["text"]
    assert "1:h" not in [data for _, data in buttons(reply)]


async def test_counsellor_commands_elsewhere_do_nothing(
    world: tuple[FakeBotAPI, dict[str, Any]],
) -> None:
    api, group = world
    api.send_command(PARENT_ID, "/beratung")
    consent = await api.wait_for_message(
        PARENT_ID, lambda m: "Telegram-Namen" in m["text"], include_existing=True
    )
    api.press_button(PARENT_ID, consent, "1:a:s")
    context = await api.wait_for_message(
        group["id"], lambda m: "Neue Anfrage #1" in m["text"], include_existing=True
    )
    foreign = api.supergroup("Andere Gruppe", members=[ANNA_ID])
    api.send_command(ANNA_ID, "/faelle", chat=foreign["id"])
    api.send_command(PARENT_ID, "/faelle")
    api.send_command(PARENT_ID, "/statistik")
    api.send_command(STRANGER_ID, "/faelle", chat=group["id"])
    api.press_button(STRANGER_ID, context, "1:u:1")
    # A counsellor's /faelle in the right group is answered; by then the others were processed.
    api.send_command(ANNA_ID, "/faelle", chat=group["id"])
    listing = await api.wait_for_message(
        group["id"], lambda m: "#1" in m.get("text", "") and "Min." in m["text"]
    )
    assert "#1" in listing["text"]
    assert not [m for m in api.messages(foreign["id"]) if m.get("from", {}).get("is_bot")]
    assert not [m for m in api.messages(PARENT_ID) if "Min." in m.get("text", "")]
    assert not [m for m in api.messages(PARENT_ID) if "Fälle der letzten" in m.get("text", "")]
    listings = [m for m in api.messages(group["id"]) if "Min." in m.get("text", "")]
    assert len(listings) == 1  # the stranger got no listing
    case_claims = [m for m in api.messages(group["id"]) if "übernommen" in m.get("text", "")]
    assert case_claims == []  # the stranger's claim did nothing


async def test_export_and_deletion_end_to_end(world: tuple[FakeBotAPI, dict[str, Any]]) -> None:
    api, group = world
    api.send_command(PARENT_ID, "/datenschutz")
    await api.wait_for_message(
        PARENT_ID, lambda m: "Verantwortlich" in m.get("text", ""), include_existing=True
    )
    api.send_command(PARENT_ID, "/beratung")
    consent = await api.wait_for_message(
        PARENT_ID, lambda m: "Telegram-Namen" in m.get("text", ""), include_existing=True
    )
    api.press_button(PARENT_ID, consent, "1:a:s")
    await api.wait_for_message(
        group["id"], lambda m: "Neue Anfrage #1" in m.get("text", ""), include_existing=True
    )
    api.send_command(PARENT_ID, "/meine_daten")
    await api.wait_for_calls("sendDocument", 1, timeout=10)
    exported = json.loads(api.calls("sendDocument")[-1].params["document"].data)
    assert exported["tables"]["cases"]["rows"][0]["parent_id"] == PARENT_ID
    assert "Mara" not in json.dumps(exported)  # the first name was not chosen: not kept

    api.send_command(PARENT_ID, "/loeschen")
    confirm = await api.wait_for_message(
        PARENT_ID, lambda m: "wirklich alles löschen" in m.get("text", ""), include_existing=True
    )
    api.press_button(PARENT_ID, confirm, "1:d:y")
    await api.wait_for_message(
        PARENT_ID, lambda m: "ist gelöscht" in m.get("text", ""), include_existing=True
    )
    (topic,) = api.topics(group["id"])
    await api.wait_for_message(
        group["id"],
        lambda m: "Daten gelöscht" in m.get("text", ""),
        thread_id=topic["message_thread_id"],
        include_existing=True,
    )
    assert api.calls("closeForumTopic")
    api.send_command(PARENT_ID, "/meine_daten")
    await api.wait_for_calls("sendDocument", 2, timeout=10)
    after = json.loads(api.calls("sendDocument")[-1].params["document"].data)
    assert after["tables"]["cases"]["rows"] == []
