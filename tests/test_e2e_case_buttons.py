"""End to end (newcomer D12): during a case nothing starts a flow or the consent again.

The parent is told that she is already connected, and her messages still reach the case's topic.
"""

from __future__ import annotations

from typing import Any

from tests import test_e2e_counselling as counselling
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_counselling import ANNA_ID, PARENT_ID, buttons, request_a_case

# The same bot as there: a forum group with Beraterin Anna, open around the clock.
world = counselling.world

WAITING = "Ihre Anfrage #1 ist bei unserem Beratungsteam eingegangen"
CLAIMED = "Sie sind bereits mit Beraterin Anna verbunden. Schreiben Sie einfach hier weiter."


async def _press(api: FakeBotAPI, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Press the button whose label starts with `label` and return the parent's next message."""
    data = next(d for text, d in buttons(message) if text.startswith(label))
    api.press_button(PARENT_ID, message, data)
    return await api.wait_for_message(PARENT_ID)


async def test_buttons_and_beratung_during_a_case_say_she_is_connected(
    world: tuple[FakeBotAPI, dict[str, Any]],
) -> None:
    api, group = world
    context = await request_a_case(api, group)
    # The „eingegangen" reply may arrive after the card in the group: wait for the case first.
    await api.wait_for_message(
        PARENT_ID, lambda m: "ist eingegangen" in m["text"], include_existing=True
    )
    api.send_command(PARENT_ID, "/beratung")  # before anyone claimed the case
    assert (await api.wait_for_message(PARENT_ID))["text"].startswith(WAITING)

    api.press_button(ANNA_ID, context, "1:u:1")
    await api.wait_for_message(PARENT_ID, lambda m: "ist jetzt für Sie da" in m["text"])
    (topic,) = api.topics(group["id"])
    thread = topic["message_thread_id"]
    api.send_text(ANNA_ID, "/antwort unterhaltsvorschuss", chat=group["id"], thread_id=thread)
    answer = await api.wait_for_message(
        PARENT_ID, lambda m: m["text"].startswith("Unterhaltsvorschuss")
    )

    for label in ("▶️ Plan", "💬 Mit einer Beraterin sprechen"):
        reply = await _press(api, answer, label)
        assert reply["text"].startswith(CLAIMED), reply["text"]
        assert not buttons(reply)
    api.send_command(PARENT_ID, "/beratung")
    assert (await api.wait_for_message(PARENT_ID))["text"].startswith(CLAIMED)

    # Her messages still go to the case's topic, answered by no bot reply of its own.
    api.send_text(PARENT_ID, "Danke, ich schaue mir das an.")
    await api.wait_for_message(
        group["id"], lambda m: m.get("text") == "Danke, ich schaue mir das an.", thread_id=thread
    )
    api.send_command(PARENT_ID, "/ende")
    rating = await api.wait_for_message(PARENT_ID, lambda m: "Wie hilfreich" in m["text"])
    api.press_button(PARENT_ID, rating, "1:t:1:4")
    await api.wait_for_message(PARENT_ID, lambda m: "Danke für Ihre Rückmeldung" in m["text"])
    api.send_text(PARENT_ID, "Wie viel Kindergeld bekomme ich?")
    await api.wait_for_message(PARENT_ID, lambda m: m["text"].startswith("Kindergeld"))
    api.send_text(PARENT_ID, "danke")  # its reply comes after everything the question got
    await api.wait_for_message(PARENT_ID, lambda m: m["text"].startswith("Gern geschehen"))

    seen = [m.get("text", "") for m in api.messages(PARENT_ID)]
    assert not [t for t in seen if "Telegram-Namen" in t][1:], "the consent came again"
    assert not [t for t in seen if "Ihr Plan" in t or "mitten im Ablauf" in t], seen
