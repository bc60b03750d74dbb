"""A request whose topic cannot be made (the bot lost its rights later): the truth, not silence.

Issue 17, build item 1: a right lost after the start gets a visible alert to the team and the
parent is told the truth — never „eingegangen" for a request nobody will ever see.
"""

from __future__ import annotations

import pytest

from bot.cases.model import CaseStatus
from bot.content.knowledge import KnowledgeBase
from bot.events import Event, EventKind
from bot.outbox.model import DeliveryFailed
from tests.test_counselling import ANNA, BEN, PARENT, World, text

RIGHTS = "Bad Request: not enough rights to create a topic"


class NoRights:
    """Stands in for createForumTopic after an admin took the bot's right to manage topics."""

    async def __call__(self, name: str) -> int:
        raise DeliveryFailed(RIGHTS)


@pytest.fixture
def world(kb: KnowledgeBase) -> World:
    world = World(kb)
    world.group.create_topic = NoRights()  # type: ignore[method-assign]
    return world


async def give_up(world: World) -> None:
    for _ in range(6):  # the outbox gives an item up after five failed attempts
        await world.counselling.outbox.drain()


async def test_the_parent_hears_it_did_not_arrive_and_the_counsellors_why(world: World) -> None:
    number = await world.request()
    await world.parent(text("Mein Ex zahlt seit März nichts mehr.", 7))
    assert not any("nicht erreicht" in t for _, t in world.parents.sent)  # not before it is so
    await give_up(world)
    told = [t for user, t in world.parents.sent if user == PARENT.id]
    assert told == [
        f"Ihre Anfrage #{number} hat das Beratungsteam leider nicht erreicht – ein technisches "
        "Problem auf unserer Seite. Bitte versuchen Sie es später noch einmal mit /beratung. In "
        "einer Notlage: 110 oder 112; die TelefonSeelsorge 0800 111 0 111 ist rund um die Uhr "
        "erreichbar."
    ]
    alerts = {user: t for user, t in world.parents.sent if user != PARENT.id}
    assert set(alerts) == {ANNA, BEN}
    assert f"Anfrage #{number} konnte nicht in die Beratungsgruppe gestellt werden" in alerts[ANNA]
    assert f"(Telegram: {RIGHTS})" in alerts[ANNA]
    assert "Mara" not in alerts[ANNA]  # no personal data in the alert
    case = await world.store.case(number)
    assert case is not None
    assert case.status is CaseStatus.CANCELLED
    assert await world.counselling.outbox.backlog() == 0  # the message after it went nowhere
    assert world.group.topics == {}


async def test_after_the_failure_the_parent_can_ask_again(world: World) -> None:
    await world.request()
    await give_up(world)
    again = await world.parent(Event(EventKind.COUNSEL))
    assert "Telegram-Namen sieht niemand" in again[0]  # the consent step, not „already open"
