"""Direct amount questions are computed by the flows' calculators, for the family asked about."""

from __future__ import annotations

import pytest

from bot.dialogue.core import Dialogue
from bot.dialogue.model import OutcomeKind


@pytest.mark.parametrize(
    ("question", "entry", "amounts"),
    [
        ("wie viel Kindergeld für 3 Kinder", "kindergeld", ["777 €"]),
        ("Wie viel Kindergeld bekomme ich für zwei Kinder?", "kindergeld", ["518 €"]),
        ("Mehrbedarf mit Kindern 2, 9 und 15", "buergergeld-mehrbedarf", ["202,68 €"]),
        ("Unterhaltsvorschuss für 13-Jährige", "unterhaltsvorschuss", ["394 €"]),
        ("wie viel unterhaltsvorschuss für 4 und 8", "unterhaltsvorschuss", ["227 €", "299 €"]),
        ("wie hoch ist der unterhalt für ein 7 jähriges kind", "unterhalt-hoehe", ["428,50 €"]),
        ("Entlastungsbetrag bei 2 Kindern wie viel", "steuer-entlastungsbetrag", ["4.500 €"]),
        ("wie viele Kinderkrankentage mit 2 Kindern, 4 und 10", "kinderkrankentage", ["60"]),
    ],
)
def test_amount_questions_are_computed(
    dialogue: Dialogue, question: str, entry: str, amounts: list[str]
) -> None:
    outcome = dialogue.ask(question)
    assert outcome.kind is OutcomeKind.ANSWER
    assert outcome.entry_id == entry
    reply = outcome.replies[0]
    for amount in amounts:
        assert amount in reply.text
    assert "Stand:" in (reply.footer or "")


def test_support_amounts_say_they_depend_on_the_ability_to_pay(dialogue: Dialogue) -> None:
    text = dialogue.ask("Unterhalt für ein Kind mit 7 Jahren wie viel").replies[0].text
    assert "§ 1603 BGB" in text


def test_questions_without_a_family_get_the_entry(dialogue: Dialogue) -> None:
    outcome = dialogue.ask("wie viel kindergeld gibt es 2026")
    assert outcome.entry_id == "kindergeld"
    assert "Kindergeld:" not in outcome.replies[0].text  # the entry, not a computed line


def test_a_pet_is_no_family(dialogue: Dialogue) -> None:
    assert dialogue.ask("Meine Katze frisst seit zwei Tagen nicht mehr").kind is not (
        OutcomeKind.ANSWER
    )
