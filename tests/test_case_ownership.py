"""Who may claim and close a case, what others are told, the case card (newcomer D3, D20, D27).

Through the use case's ports: the memory store, a fake group that records posts and edits.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.callbacks import Press, decode
from bot.cases.model import CaseStatus
from bot.cases.ports import Card
from bot.cases.service import Counselling, Notice
from bot.content.knowledge import KnowledgeBase
from bot.events import Event, EventKind
from tests.test_counselling import (
    ANNA,
    BEN,
    BERLIN,
    CONFIG,
    MONDAY_10,
    PARENT,
    STRANGER,
    World,
    text,
)

CARD = Card(501, "Neue Anfrage #1\nThema: Allgemein")


def presses(rows: tuple[tuple[object, ...], ...]) -> list[tuple[Press, tuple[str, ...]]]:
    found = [decode(getattr(b, "data", None)) for row in rows for b in row]
    return [(d.press, d.args) for d in found if d is not None]


@pytest.fixture
def world(kb: KnowledgeBase) -> World:
    return World(kb)


async def claimed_by_anna(world: World) -> int:
    number = await world.request()
    assert await world.counselling.claim(ANNA, number, MONDAY_10, CARD) is None
    return number


async def status(world: World, number: int) -> CaseStatus:
    case = await world.store.case(number)
    assert case is not None
    return case.status


async def test_claiming_edits_the_card_and_keeps_only_the_close_button(world: World) -> None:
    await claimed_by_anna(world)
    ((message_id, text, buttons),) = world.group.edits
    assert message_id == CARD.message_id
    assert text == f"{CARD.text}\n\n✋ Übernommen von Beraterin Anna."
    assert presses(buttons) == [(Press.CASE_CLOSE, ("1",))]


async def test_a_late_claim_gets_a_pop_up_not_a_post(world: World) -> None:
    number = await claimed_by_anna(world)
    posts = len(world.group.posts)
    late = await world.counselling.claim(BEN, number, MONDAY_10, CARD)
    assert late == Notice("Fall #1 hat schon Beraterin Anna übernommen.", alert=True)
    again = await world.counselling.claim(ANNA, number, MONDAY_10, CARD)
    assert again == Notice("Sie haben Fall #1 bereits übernommen.")
    assert len(world.group.posts) == posts
    assert len(world.group.edits) == 1


async def test_strangers_and_ended_cases_get_a_reason(world: World) -> None:
    # newcomer D20: never an empty answer
    number = await world.request()
    stranger = await world.counselling.claim(STRANGER, number, MONDAY_10)
    assert stranger == Notice("Nur eingetragene Beraterinnen können Fälle übernehmen.", True)
    await world.parent(Event(EventKind.END_CASE))
    ended = await world.counselling.claim(ANNA, number, MONDAY_10, CARD)
    assert ended == Notice("Fall #1 ist bereits beendet.", alert=True)
    closing = await world.counselling.ask_close(ANNA, number, MONDAY_10)
    assert closing == Notice("Fall #1 ist bereits beendet.", alert=True)
    assert world.group.edits == []


async def test_closing_asks_first_and_closes_only_on_yes(world: World) -> None:
    # newcomer D3
    number = await claimed_by_anna(world)
    assert await world.counselling.ask_close(ANNA, number, MONDAY_10) is None
    assert world.group.posts[-1][1].startswith("Fall #1 wirklich schließen?")
    assert presses(world.group.buttons[-1]) == [
        (Press.CASE_CLOSE_ANSWER, ("1", "y")),
        (Press.CASE_CLOSE_ANSWER, ("1", "n")),
    ]
    assert await status(world, number) is CaseStatus.CLAIMED  # nothing closed by asking
    question = Card(602, world.group.posts[-1][1])
    await world.counselling.answer_close(ANNA, number, False, question, MONDAY_10)
    assert world.group.edits[-1] == (602, "Fall #1 bleibt offen.", ())
    assert await status(world, number) is CaseStatus.CLAIMED
    await world.counselling.answer_close(ANNA, number, True, question, MONDAY_10)
    assert world.group.edits[-1] == (602, question.text, ())  # answered once: buttons gone
    assert await status(world, number) is CaseStatus.CLOSED
    assert "Wie hilfreich" in world.parents.sent[-1][1]


async def test_a_colleague_may_not_close_a_claimed_case(world: World) -> None:
    number = await claimed_by_anna(world)
    refused = Notice("Fall #1 betreut Beraterin Anna. Nur Beraterin Anna kann ihn schließen.", True)
    assert await world.counselling.ask_close(BEN, number, MONDAY_10) == refused
    assert await world.counselling.answer_close(BEN, number, True, None, MONDAY_10) == refused
    assert await world.counselling.close_by_counsellor(BEN, number, MONDAY_10) == refused
    assert await status(world, number) is CaseStatus.CLAIMED
    assert not [t for _, t in world.parents.sent if "Wie hilfreich" in t]
    assert "wirklich schließen" not in world.group.texts()


async def test_a_lead_may_close_a_colleagues_case(kb: KnowledgeBase) -> None:
    world = World(kb)
    config = replace(CONFIG, leads=frozenset({BEN}))
    world.counselling = Counselling(
        config, kb, world.store, world.group, world.parents, BERLIN, lambda _: None, inline=True
    )
    number = await claimed_by_anna(world)
    assert await world.counselling.ask_close(BEN, number, MONDAY_10) is None
    assert await world.counselling.answer_close(BEN, number, True, None, MONDAY_10) is None
    assert await status(world, number) is CaseStatus.CLOSED
    # with a lead configured, the refusal names where else to turn
    world2 = World(kb)
    world2.counselling = Counselling(
        config, kb, world2.store, world2.group, world2.parents, BERLIN, lambda _: None, inline=True
    )
    number = await world2.request()
    await world2.counselling.claim(BEN, number, MONDAY_10)
    refused = await world2.counselling.ask_close(ANNA, number, MONDAY_10)
    assert refused is not None
    assert refused.text == (
        "Fall #1 betreut Berater Ben. Schließen können ihn nur Berater Ben oder die Teamleitung."
    )


async def test_an_unclaimed_case_may_be_closed_by_any_counsellor_after_asking(
    world: World,
) -> None:
    number = await world.request()
    assert await world.counselling.ask_close(BEN, number, MONDAY_10) is None
    assert await world.counselling.answer_close(BEN, number, True, None, MONDAY_10) is None
    assert await status(world, number) is CaseStatus.CLOSED


async def test_typed_schliessen_asks_or_says_why_not_in_the_topic(world: World) -> None:
    number = await claimed_by_anna(world)
    topic = next(iter(world.group.topics))
    await world.counselling.close_in_topic(BEN, topic, MONDAY_10)
    assert world.group.posts[-1][1] == (
        "Fall #1 betreut Beraterin Anna. Nur Beraterin Anna kann ihn schließen."
    )
    await world.counselling.close_in_topic(ANNA, topic, MONDAY_10)
    assert world.group.posts[-1][1].startswith("Fall #1 wirklich schließen?")
    assert await status(world, number) is CaseStatus.CLAIMED


async def test_a_recreated_topic_gets_a_card_without_the_claim_button(world: World) -> None:
    await claimed_by_anna(world)
    old = next(iter(world.group.topics))
    world.group.deleted.add(old)
    await world.parent(text("Hallo?", 9))
    new = max(world.group.topics)
    assert new != old
    card = next(
        i for i, (topic, text) in enumerate(world.group.posts) if topic == new and "#1" in text
    )
    assert world.group.posts[card][1].endswith("✋ Übernommen von Beraterin Anna.")
    assert [p for p, _ in presses(world.group.buttons[card])] == [Press.CASE_CLOSE]


def test_the_close_answer_button_data_is_strict() -> None:
    assert decode("1:y:2:y") is not None
    assert decode("1:y:2:x") is None
    assert decode("1:y:abc:y") is None


async def test_a_case_closed_before_anyone_claimed_it_asks_no_rating(world: World) -> None:
    # Like D24 for the parent's /ende: no rating for a counselling that never happened.
    number = await world.request()
    assert await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10) is None
    assert world.parents.sent[-1][1] == (
        "Das Beratungsteam hat Ihre Anfrage #1 geschlossen, bevor jemand sie übernommen hat. "
        "Wenn Sie weiter mit jemandem sprechen möchten, tippen Sie /beratung – oder schreiben "
        "Sie mir einfach Ihre Frage."
    )
    posts = len(world.group.posts)
    await world.counselling.rate(world.parents.sent[-1][0], number, 5)  # an old or forged tap
    case = await world.store.case(number)
    assert case is not None
    assert case.rating is None
    assert len(world.group.posts) == posts


class Yielding:
    """Wraps the fake group so that each call lets other tasks run, as a network call would."""

    def __init__(self, world: World) -> None:
        self._inner = world.group

    def __getattr__(self, name: str) -> object:
        method = getattr(self._inner, name)

        async def call(*args: object, **kwargs: object) -> object:
            await asyncio.sleep(0.001)
            return await method(*args, **kwargs)

        return call


async def test_two_claims_at_once_give_the_case_to_exactly_one(world: World) -> None:
    number = await world.request()
    world.counselling.group = Yielding(world)  # type: ignore[assignment]
    anna, ben = await asyncio.gather(
        world.counselling.claim(ANNA, number, MONDAY_10),
        world.counselling.claim(BEN, number, MONDAY_10),
    )
    assert [anna, ben].count(None) == 1
    case = await world.store.case(number)
    assert case is not None
    assert case.counsellor_id == (ANNA if anna is None else BEN)
    told = [t for _, t in world.parents.sent if "ist jetzt für Sie da" in t]
    assert len(told) == 1


async def test_ende_at_the_moment_of_a_claim_tells_the_parent_what_happened(
    world: World,
) -> None:
    # The second read of D24: /ende and a claim in the same moment once left the case claimed
    # while the parent read „zurückgezogen". One comes first; what she reads is what happened.
    number = await world.request()
    world.counselling.group = Yielding(world)  # type: ignore[assignment]
    ended, claimed = await asyncio.gather(
        world.counselling.end_by_parent(PARENT.id, MONDAY_10),
        world.counselling.claim(ANNA, number, MONDAY_10),
    )
    case = await world.store.case(number)
    assert case is not None
    assert not case.status.is_open
    if claimed is None:  # the claim came first: she ended a counselling and may rate it
        assert ended[0].text == "Die Beratung #1 ist beendet. Wie hilfreich war sie für Sie?"
    else:
        assert ended[0].text.startswith("Ihre Anfrage #1 ist zurückgezogen.")
        assert claimed == Notice("Fall #1 ist bereits beendet.", alert=True)


async def test_a_changed_rating_is_kept_but_posted_only_once(world: World) -> None:
    number = await claimed_by_anna(world)
    await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10)
    parent = PARENT.id
    for stars in (5, 1, 5, 1):  # old stars tapped again and again
        await world.counselling.rate(parent, number, stars)
    case = await world.store.case(number)
    assert case is not None
    assert case.rating == 1
    assert world.group.texts().count("Bewertung zu #1") == 1


async def test_a_colleagues_canned_answer_is_refused_in_the_topic(world: World) -> None:
    # The second read of D23/D20: no silent refusal for a typed /antwort either.
    number = await claimed_by_anna(world)
    (topic,) = world.group.topics
    sent = len(world.parents.sent)
    await world.counselling.canned(BEN, topic, "kindergeld", MONDAY_10)
    assert world.group.posts[-1][1] == (
        f"Fall #{number} betreut Beraterin Anna. Nur Beraterin Anna kann den Eltern hier "
        "Antworten schicken."
    )
    assert len(world.parents.sent) == sent
