"""„👥 Gruppen finden" and /gruppen through the dialogue core: what a parent reads and taps.

The groups are the shipped `knowledge/groups.yaml`; which are open (and their join links) comes
from a board, as the groups' use case provides it once Telegram gave the links.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

import pytest

from bot.callbacks import ButtonData, Press
from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Keyboard, Outcome, State
from bot.events import Event, EventKind
from bot.frontends.plain import flat_buttons
from bot.geodata.geonames import load_gazetteer
from bot.places.gazetteer import Gazetteer

TODAY = date(2026, 12, 7)
GROUPS = ButtonData(Press.GROUPS, ("-",)).encode()
LINKS = {
    "austausch-online": "https://t.me/+online",
    "vaeter-online": "https://t.me/+vaeter",
    "mit-baby-nrw": "https://t.me/+baby",
    "nach-gewalt-frauen": "https://t.me/+frauen",
}


class Board:
    """The groups taking members, as the use case reports them."""

    def __init__(self, links: Mapping[str, str]) -> None:
        self.links = dict(links)

    def open_links(self) -> Mapping[str, str]:
        return self.links


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture
def dialogue(kb: KnowledgeBase, gazetteer: Gazetteer) -> Dialogue:
    found = Dialogue(kb, Config(), clock=lambda: TODAY, places=gazetteer)
    found.board = Board(LINKS)
    return found


def said(outcome: Outcome) -> str:
    return "\n\n".join(f"{r.title or ''}\n{r.text}" for r in outcome.replies)


def links(outcome: Outcome) -> dict[str, str | None]:
    return {b.label: b.url for r in outcome.replies for b in flat_buttons(r)}


def test_the_command_asks_for_her_place_with_the_location_button(dialogue: Dialogue) -> None:
    outcome = dialogue.handle(State(), Event(EventKind.GROUPS))
    assert outcome.replies[0].keyboard is Keyboard.ASK_LOCATION
    assert "Für welchen Ort suchen Sie eine Gruppe?" in outcome.replies[0].text


def test_a_postcode_in_nrw_lists_the_nrw_group_first_then_those_for_everyone(
    dialogue: Dialogue,
) -> None:
    asked = dialogue.press(State(), GROUPS).state
    outcome = dialogue.text(asked, "33098")
    text = said(outcome)
    assert "Gruppen für 33098 Paderborn:" in text
    assert text.index("Allein mit Baby – NRW") < text.index("Alleinerziehend – Austausch online")
    assert "Treffen: Einmal im Monat ein Videotreffen" in text
    assert "Wo: für Nordrhein-Westfalen" in text
    found = links(outcome)
    assert found["Beitreten: Allein mit Baby – NRW"] == "https://t.me/+baby"
    assert found["Beitreten: Väter-Runde online"] == "https://t.me/+vaeter"
    # A moderated group says so before she taps.
    assert "die Moderation nimmt jede Anfrage selbst an" in text
    # Her place is kept nowhere: not in the state after the answer.
    assert "33098" not in json.dumps(outcome.state.to_dict())


def test_outside_nrw_the_nrw_group_is_not_listed(dialogue: Dialogue) -> None:
    asked = dialogue.press(State(), GROUPS).state
    text = said(dialogue.text(asked, "80331"))
    assert "Allein mit Baby – NRW" not in text
    assert "Väter-Runde online" in text


def test_groups_without_a_link_or_paused_are_not_shown(dialogue: Dialogue) -> None:
    dialogue.board = Board({"vaeter-online": "https://t.me/+vaeter"})
    asked = dialogue.press(State(), GROUPS).state
    text = said(dialogue.text(asked, "33098"))
    assert "Väter-Runde online" in text
    assert "Allein mit Baby – NRW" not in text
    assert "Austausch auf Arabisch" not in text


def test_without_open_groups_the_bot_says_so_and_offers_no_button(dialogue: Dialogue) -> None:
    dialogue.board = Board({})
    outcome = dialogue.handle(State(), Event(EventKind.GROUPS))
    assert "vermittelt zurzeit keine Gruppen" in said(outcome)
    entry = dialogue.press(State(), ButtonData(Press.ENTRY, ("selbsthilfegruppen",)).encode())
    assert "👥 Gruppen finden" not in links(entry)
    assert "👥 Gruppen finden" not in links(dialogue.handle(State(), Event(EventKind.TOPICS)))


def test_the_self_help_answer_and_the_menu_offer_the_groups(dialogue: Dialogue) -> None:
    entry = dialogue.press(State(), ButtonData(Press.ENTRY, ("selbsthilfegruppen",)).encode())
    assert "👥 Gruppen finden" in links(entry)
    assert "👥 Gruppen finden" in links(dialogue.handle(State(), Event(EventKind.TOPICS)))
    other = dialogue.press(State(), ButtonData(Press.ENTRY, ("kindergeld",)).encode())
    assert "👥 Gruppen finden" not in links(other)


def test_a_shared_location_answers_the_groups_question(dialogue: Dialogue) -> None:
    asked = dialogue.press(State(), GROUPS).state
    outcome = dialogue.local.location(asked, 51.9, 8.38)  # Gütersloh
    assert "Allein mit Baby – NRW" in said(outcome)


def test_without_place_data_every_open_group_is_listed(kb: KnowledgeBase) -> None:
    plain = Dialogue(kb, Config(), clock=lambda: TODAY)
    plain.board = Board(LINKS)
    text = said(plain.handle(State(), Event(EventKind.GROUPS)))
    assert "Väter-Runde online" in text
    assert "Allein mit Baby – NRW" in text


def test_from_an_answer_its_groups_come_first(dialogue: Dialogue) -> None:
    entry = dialogue.press(State(), ButtonData(Press.ENTRY, ("gewalt",)).encode())
    data = next(
        b.data for r in entry.replies for b in flat_buttons(r) if b.label == "👥 Gruppen finden"
    )
    asked = dialogue.press(State(), data).state
    text = said(dialogue.text(asked, "80331"))
    # Both are for everyone; the one for her topic comes first.
    assert text.index("Frauen nach Gewalt") < text.index("Alleinerziehend – Austausch online")
    plain = said(dialogue.text(dialogue.press(State(), GROUPS).state, "80331"))
    assert plain.index("Alleinerziehend – Austausch online") < plain.index("Frauen nach Gewalt")
