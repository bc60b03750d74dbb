"""Hilfe vor Ort through the dialogue core: what a parent sees for her postcode, town or location.

The place data is the real GeoNames file the package ships; the knowledge base is the shipped
one. Each test asserts the lines she reads: the Kreis or Stadt, the caveat, the finders, the
association's places — and that her place is kept nowhere (not in the state, not in an action).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from bot.callbacks import ButtonData, Press
from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.content.local import LocalKnowledge
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Keyboard, Outcome, OutcomeKind, RecordUnanswered, State
from bot.events import Event, EventKind
from bot.frontends.plain import flat_buttons
from bot.geodata.geonames import load_gazetteer
from bot.places.gazetteer import Gazetteer

TODAY = date(2026, 12, 7)
LOCAL = ButtonData(Press.LOCAL, ("unterhalt-bleibt-aus",)).encode()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def local(kb: KnowledgeBase, gazetteer: Gazetteer) -> Dialogue:
    return Dialogue(kb, Config(), clock=lambda: TODAY, places=gazetteer)


def said(outcome: Outcome) -> str:
    return "\n\n".join(f"{r.title or ''}\n{r.text}" for r in outcome.replies)


def labels(outcome: Outcome) -> list[str]:
    return [b.label for r in outcome.replies for b in flat_buttons(r)]


def asked(dialogue: Dialogue) -> State:
    outcome = dialogue.press(State(), LOCAL)
    assert outcome.replies[0].keyboard is Keyboard.ASK_LOCATION
    assert outcome.replies[0].keyboard_label == "📍 Standort senden"
    assert "Postleitzahl" in outcome.replies[0].text
    return outcome.state


def kept_nowhere(outcome: Outcome, *parts: str) -> None:
    """Her place is in no state field and no action (it is for this one answer)."""
    stored = json.dumps(outcome.state.to_dict(), ensure_ascii=False)
    actions = repr(outcome.actions)
    for part in parts:
        assert part not in stored
        assert part not in actions


def test_menu_and_five_answers_offer_help_nearby(local: Dialogue, dialogue: Dialogue) -> None:
    assert "📍 Hilfe vor Ort" in labels(local.handle(State(), Event(EventKind.TOPICS)))
    assert "📍 Hilfe vor Ort" not in labels(dialogue.handle(State(), Event(EventKind.TOPICS)))
    for entry in ("anlaufstellen", "beratung-kontakt", "selbsthilfegruppen", "jugendamt-angst"):
        pressed = local.press(State(), ButtonData(Press.ENTRY, (entry,)).encode())
        assert "📍 Stelle in meiner Nähe" in labels(pressed), entry
    kindergeld = local.press(State(), ButtonData(Press.ENTRY, ("kindergeld",)).encode())
    assert "📍 Stelle in meiner Nähe" not in labels(kindergeld)


def test_postcode_in_a_kreis_names_the_kreis_and_the_caveat(local: Dialogue) -> None:
    outcome = local.text(asked(local), "33098")
    text = said(outcome)
    assert outcome.replies[0].title == "📍 Hilfe vor Ort: 33098 Paderborn"
    assert "zuständig ist das Jugendamt des Kreises (Kreis Paderborn)" in text
    assert "Manche Städte in einem Kreis haben ein eigenes Jugendamt" in text
    assert "https://www.justizadressen.nrw.de/de/justiz/suche" in text
    assert "https://www.arbeitsagentur.de/familie-und-kinder/familienkasse-finden" in text
    assert "VAMV NRW – Beratungsangebote auf der Karte – landesweit (Nordrhein-Westfalen)" in text
    assert "nicht gespeichert" in text
    assert outcome.replies[0].keyboard is Keyboard.REMOVE
    assert outcome.state.awaiting_place is None
    kept_nowhere(outcome, "33098", "Paderborn")


def test_kreisfreie_stadt_and_city_states(local: Dialogue) -> None:
    bonn = said(local.text(asked(local), "53111"))
    assert "Jugendamt der Stadt Bonn" in bonn
    assert "eigenes Jugendamt" not in bonn
    berlin = said(local.text(asked(local), "10997"))
    assert "in Berlin ist das Jugendamt Ihres Bezirks zuständig" in berlin
    hamburg = said(local.text(asked(local), "Eilbek"))
    assert "in Hamburg ist das Jugendamt Ihres Bezirks zuständig" in hamburg


def test_rlp_town_lists_the_state_association_online(local: Dialogue) -> None:
    text = said(local.text(asked(local), "Neuwied"))
    assert "Jugendamt des Kreises (Landkreis Neuwied)" in text
    assert (
        "VAMV Rheinland-Pfalz – kostenlose, anonyme Onlineberatung – landesweit (Rheinland" in text
    )
    assert "https://onlineberatung.vamv-rlp.de" in text


def test_without_a_place_of_its_own_the_answer_says_so(local: Dialogue) -> None:
    text = said(local.text(asked(local), "80331"))
    assert "Jugendamt der Stadt München" in text
    assert "noch keine eigene Stelle im Verzeichnis" in text
    assert "VAMV Bundesverband" in text
    assert "Beispiel" not in text  # the example file is never shown


def test_typo_qualifier_and_shared_name(local: Dialogue) -> None:
    assert "Kreis Siegen-Wittgenstein" in said(local.text(asked(local), "Sigen"))
    hamm = said(local.text(asked(local), "hamm westf"))
    assert "Jugendamt der Stadt Hamm" in hamm
    assert "mehrere Orte mit diesem Namen. Ich antworte für Hamm (Nordrhein-Westfalen)" in hamm
    speyer = said(local.text(asked(local), "Speyer Nord"))
    assert "Jugendamt der Stadt Speyer" in speyer


def test_a_postcode_of_two_districts_names_both(local: Dialogue) -> None:
    text = said(local.text(asked(local), "03058"))
    assert "gehört zu zwei Kreisen oder Städten" in text
    assert "Cottbus" in text


def test_unknown_place_asks_again_and_keeps_nothing(local: Dialogue) -> None:
    outcome = local.text(asked(local), "Xqzzvw")
    assert "nicht gefunden" in said(outcome)
    assert outcome.replies[0].keyboard is Keyboard.ASK_LOCATION
    assert not any(isinstance(a, RecordUnanswered) for a in outcome.actions)
    again = local.text(outcome.state, "Siegen")  # the question is still open
    assert again.replies[0].title == "📍 Hilfe vor Ort: Siegen"
    kept_nowhere(again, "Siegen")


def test_a_question_instead_of_a_place_is_answered(local: Dialogue) -> None:
    outcome = local.text(asked(local), "Wie hoch ist das Kindergeld im Jahr 2026?")
    assert outcome.entry_id == "kindergeld"
    assert outcome.state.awaiting_place is None
    empty = local.text(asked(local), "   ")
    assert "nicht gefunden" not in said(empty)


def test_a_button_or_a_crisis_closes_the_question(local: Dialogue) -> None:
    pressed = local.press(asked(local), ButtonData(Press.ENTRY, ("kindergeld",)).encode())
    assert pressed.state.awaiting_place is None
    crisis = local.text(asked(local), "Ich will nicht mehr leben")
    assert crisis.kind is OutcomeKind.CRISIS
    assert crisis.state.awaiting_place is None


def test_an_address_and_a_postcode_with_its_town(local: Dialogue) -> None:
    assert "Köln" in said(local.text(asked(local), "Musterstraße 5, Köln"))
    assert local.text(asked(local), "PLZ 33098").replies[0].title == (
        "📍 Hilfe vor Ort: 33098 Paderborn"
    )
    assert "nicht gefunden" in said(local.text(asked(local), "Bad"))


def test_a_location_says_where_it_was_read(local: Dialogue) -> None:
    kehl = local.handle(asked(local), Event(EventKind.LOCATION, location=(48.5734, 7.7521)))
    assert "Ihr Standort liegt bei" in said(kehl)
    assert "Wenn Sie woanders wohnen" in said(kehl)


def test_someone_elses_town_and_the_fallback_keep_no_place(local: Dialogue) -> None:
    ex = local.ask("Mein Ex lebt in München und zahlt keinen Unterhalt mehr")
    assert ex.place is None
    weather = local.ask("Wie wird das Wetter am Wochenende in Berlin?")
    recorded = [a.text for a in weather.actions if isinstance(a, RecordUnanswered)]
    assert recorded
    assert all("Berlin" not in t and "[Ort]" in t for t in recorded)
    short = local.ask("Ich wohne im Raum Stuttgart")
    assert short.place is not None
    assert short.place.name == "Stuttgart"
    kept_nowhere(short, "Stuttgart")


def test_shared_location_and_one_abroad(local: Dialogue) -> None:
    state = asked(local)
    siegen = local.handle(state, Event(EventKind.LOCATION, location=(50.8734, 8.0104)))
    assert siegen.replies[0].title == "📍 Hilfe vor Ort: 57072 Siegen"
    kept_nowhere(siegen, "57072", "Siegen", "50.87")
    paris = local.handle(state, Event(EventKind.LOCATION, location=(48.8566, 2.3522)))
    assert "nicht in Deutschland" in said(paris)
    unasked = local.handle(State(), Event(EventKind.LOCATION, location=(50.7362, 7.1002)))
    assert "Jugendamt der Stadt Bonn" in said(unasked)


@pytest.mark.parametrize(
    ("question", "first", "district"),
    [
        ("Jugendamt Gütersloh", "Jugendamt", "Kreis Gütersloh"),
        ("Beratungsstelle Alleinerziehende Neuwied", "Jugendamt", "Landkreis Neuwied"),
        ("Selbsthilfegruppe 53111", "Jugendamt", "Stadt Bonn"),
        ("Familienkasse Paderborn Adresse", "Familienkasse", "Kreis Paderborn"),
    ],
)
def test_seed_questions_are_answered_for_their_place(
    local: Dialogue, question: str, first: str, district: str
) -> None:
    outcome = local.ask(question)
    assert outcome.kind is OutcomeKind.ANSWER
    assert outcome.entry_id in local.kb.local.offer_under  # anlaufstellen, or the entry it fits
    text = outcome.replies[0].text
    assert text.startswith(f"• {first} (")
    assert district in text
    kept_nowhere(outcome, question.split()[-1])
    assert not any(isinstance(a, RecordUnanswered) for a in outcome.actions)


def test_a_question_naming_a_place_keeps_its_answer(local: Dialogue) -> None:
    outcome = local.ask("Wie beantrage ich Unterhaltsvorschuss? Ich wohne in Siegen.")
    assert outcome.entry_id == "unterhaltsvorschuss"
    assert outcome.replies[0].title == "Unterhaltsvorschuss"
    assert any(r.title == "📍 Hilfe vor Ort: Siegen" for r in outcome.replies)
    summary = outcome.summary()
    assert summary["place"]["districts"] == [
        {"key": "05970", "name": "Kreis Siegen-Wittgenstein", "kind": "county"}
    ]
    youth = next(o for o in summary["offices"] if o["id"] == "jugendamt")
    assert youth["responsible"] == "Kreis Siegen-Wittgenstein"


def test_a_bare_postcode_is_a_place_the_weather_is_not(local: Dialogue) -> None:
    assert local.ask("57072").replies[0].title == "📍 Hilfe vor Ort: 57072 Siegen"
    weather = local.ask("Wie wird das Wetter am Wochenende in Berlin?")
    assert weather.kind is OutcomeKind.FALLBACK
    assert weather.place is None


def test_no_place_no_block(local: Dialogue) -> None:
    for text in (
        "Ich bin in Sorge um mein Kind",
        "Ich zahle 12000 € Unterhalt im Jahr",
        "Muss ich die vom Jugendamt in meine Wohnung lassen?",
        "er taucht manchmal in der Nähe der Schule auf",
        "ich sitz in der Küche und hab Angst",
    ):
        outcome = local.ask(text)
        assert outcome.place is None
        assert not any((r.title or "").startswith("📍") for r in outcome.replies)


def test_plan_of_a_flow_offers_help_nearby(local: Dialogue) -> None:
    row = local.local.button_row("-")
    assert row[0][0].label == "📍 Stelle in meiner Nähe"
    assert local.flows.local_rows is not None


def test_an_old_entry_is_shown_with_its_stand(kb: KnowledgeBase, gazetteer: Gazetteer) -> None:
    old = [replace(s, checked=date(2025, 10, 1)) for s in kb.local.services]
    aged = replace(kb, local=replace(kb.local, services=tuple(old)))
    text = said(Dialogue(aged, Config(), clock=lambda: TODAY, places=gazetteer).ask("57072"))
    assert "(Stand 10/2025)" in text


def test_without_place_data_the_bot_says_so_and_gives_the_finders(dialogue: Dialogue) -> None:
    outcome = dialogue.press(State(), LOCAL)  # a forged or old button: places are off here
    text = said(outcome)
    assert "nicht eingerichtet" in text
    assert "familienkasse-finden" in text
    assert outcome.state.awaiting_place is None
    assert "places: off" in dialogue.local.status()


def test_examples_never_reach_parents(kb: KnowledgeBase) -> None:
    assert [s.id for s in kb.local.examples] == ["beispiel-beratungsstelle"]
    assert all(not s.id.startswith("beispiel") for s in kb.local.services)
    assert isinstance(kb.local, LocalKnowledge)
