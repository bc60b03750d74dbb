"""`/antwort` without an id lists the topics; a word finds the entry (newcomer D18)."""

from __future__ import annotations

import pytest

from bot.cases.canned import entry_lines, look_up
from bot.cases.service import Counselling
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Reply
from bot.limits import RENDERED_MESSAGE_LIMIT
from tests.test_counselling import ANNA, BEN, BERLIN, CONFIG, MONDAY_10, PARENT, World


@pytest.fixture
def world(kb: KnowledgeBase, dialogue: Dialogue) -> World:
    world = World(kb)

    def answer(entry_id: str) -> Reply | None:
        entry = kb.entries.get(entry_id)
        return dialogue.views.answer_reply(entry) if entry else None

    world.counselling = Counselling(
        CONFIG, kb, world.store, world.group, world.parents, BERLIN, answer, inline=True
    )
    return world


async def anna_in_topic(world: World) -> int:
    number = await world.request()
    await world.counselling.claim(ANNA, number, MONDAY_10)
    return next(iter(world.group.topics))


async def antwort(world: World, words: str, who: int = ANNA) -> str:
    """Write `/antwort <words>` in the case's topic; return the bot's last line there."""
    await world.counselling.canned(who, next(iter(world.group.topics)), words, MONDAY_10)
    return world.group.posts[-1][1]


def test_words_find_entries_by_id_and_title(kb: KnowledgeBase) -> None:
    entries = kb.entries.values()
    assert look_up(entries, "kindergeld").entry == kb.entries["kindergeld"]  # the exact id
    # Words of the title, umlauts either way: the one entry that has them all.
    assert look_up(entries, "Höhe Unterhalt").entry == kb.entries["unterhalt-hoehe"]
    assert look_up(entries, "hoehe-unterhalt").entry == kb.entries["unterhalt-hoehe"]
    # A word too many (the id the counsellor guessed): offered, not sent.
    guessed = look_up(entries, "unterhaltsvorschuss-antrag")
    assert (guessed.entry, guessed.matches) == (None, (kb.entries["unterhaltsvorschuss"],))
    several = look_up(entries, "unterhalt")
    assert several.entry is None
    assert {"unterhaltsvorschuss", "unterhalt-hoehe"} <= {e.id for e in several.matches}
    assert look_up(entries, "xq").matches == ()


def test_the_whole_list_is_grouped_and_fits_one_message(kb: KnowledgeBase) -> None:
    listing = entry_lines(list(kb.entries.values()), kb.categories)
    assert "unterhaltsvorschuss – Unterhaltsvorschuss" in listing.splitlines()
    assert len(listing) < RENDERED_MESSAGE_LIMIT - 200  # with its intro, one message
    assert all(entry_id in listing for entry_id in kb.entries)


async def test_antwort_without_an_id_lists_the_topics(world: World) -> None:
    await anna_in_topic(world)
    listing = await antwort(world, "")
    assert listing.startswith("Antworten zum Senden")
    assert "unterhaltsvorschuss – Unterhaltsvorschuss" in listing
    assert "Kein Thema" not in world.group.texts()
    assert not [t for _, t in world.parents.sent if "Unterhaltsvorschuss" in t]


async def test_a_word_with_several_matches_lists_them(world: World) -> None:
    await anna_in_topic(world)
    found = await antwort(world, "kindergeld ab")
    assert found.startswith("Passend zu „kindergeld ab“")
    assert "kindergeld-volljaehrig – Kindergeld ab 18" in found


async def test_words_that_name_one_entry_send_it(world: World) -> None:
    await anna_in_topic(world)
    sent = len(world.parents.sent)
    confirmed = await antwort(world, "Höhe Unterhalt")
    assert len(world.parents.sent) == sent + 1  # the answer reached the parent
    assert confirmed == "Die Antwort „Höhe des Kindesunterhalts“ wurde an die Person geschickt."


async def test_a_guessed_id_finds_the_entry_to_choose(world: World) -> None:
    # newcomer D18: the parent had seen „Unterhaltsvorschuss: Antrag"
    await anna_in_topic(world)
    sent = len(world.parents.sent)
    offered = await antwort(world, "unterhaltsvorschuss-antrag")
    assert offered == (
        "Passend zu „unterhaltsvorschuss-antrag“ – senden mit /antwort und der Kennung:\n"
        "unterhaltsvorschuss – Unterhaltsvorschuss"
    )
    assert len(world.parents.sent) == sent  # nothing went to the parent unchosen


async def test_nothing_matching_says_how_to_see_the_list(world: World) -> None:
    await anna_in_topic(world)
    assert await antwort(world, "quxx") == (
        "Zu „quxx“ passt kein Thema. /antwort ohne Wort zeigt alle Themen."
    )


async def test_only_the_cases_counsellor_sends_but_anyone_may_list(world: World) -> None:
    await anna_in_topic(world)
    sent = len(world.parents.sent)
    await antwort(world, "kindergeld", who=BEN)
    assert len(world.parents.sent) == sent
    assert (await antwort(world, "", who=BEN)).startswith("Antworten zum Senden")
    assert {parent for parent, _ in world.parents.sent} == {PARENT.id}
