from __future__ import annotations

import pytest

from bot.dialogue.core import Dialogue
from bot.dialogue.model import OutcomeKind

CRISIS = [
    "ich will nicht mehr leben",
    "Ich denke daran, mich umzubringen",
    "ich will mich umbrigen",
    "es wäre besser, wenn ich nicht mehr da wäre",
    "es waere besser wenn ich nicht mehr da waere",
    "ich hab suizidgedanken",
    "ich ritze mich wieder",
    "er schlägt mich gerade",
    "er schlaegt mich und die kinder",
    "mein ex droht mich umzubringen",
    "Er steht vor der Tür und droht mir",
    "mein kind wird beim vater geschlagen",
    "er will das kind ins ausland bringen und nie zurückbringen",
    "er hat gedroht mir das kind wegzunehmen und ins ausland zu gehen",
    "ich habe angst, dass ich meinem baby etwas antue",
    "ich will einfach nur noch sterben",
]
NOT_CRISIS = [
    "ich bin total erschöpft",
    "ich kann nicht mehr, alles ist zu viel",
    "mein kind schläft nicht bei mir",
    "darf ich mit meinem kind in den urlaub ins ausland fahren",
    "kindergeld beantragen",
    "wie oft darf der vater das kind sehen",
    "er hat noch nie woanders geschlafen",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_messages_get_the_hotlines_first(dialogue: Dialogue, text: str) -> None:
    outcome = dialogue.ask(text)
    assert outcome.kind is OutcomeKind.CRISIS
    assert "116 016" in outcome.replies[0].text
    assert "112" in outcome.replies[0].text  # the emergency number, whichever line comes first


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_heavy_but_safe_messages_are_not_crisis(dialogue: Dialogue, text: str) -> None:
    assert dialogue.ask(text).kind is not OutcomeKind.CRISIS


def test_exhaustion_goes_to_psychische_belastung(dialogue: Dialogue) -> None:
    outcome = dialogue.ask("ich bin total erschöpft")
    assert outcome.candidates[0] == "psychische-belastung"


def test_crisis_runs_before_smalltalk_and_faq(dialogue: Dialogue) -> None:
    assert dialogue.ask("hallo, er schlägt mich gerade, kindergeld").kind is OutcomeKind.CRISIS
