from __future__ import annotations

import pytest

from bot.dialogue.core import Dialogue
from bot.dialogue.model import OutcomeKind


@pytest.mark.parametrize(
    "text",
    ["hallo", "Moin!", "Guten Abend", "danke", "Vielen Dank!", "tschüss", "wer bist du", "dankeee"],
)
def test_smalltalk_is_recognised(dialogue: Dialogue, text: str) -> None:
    outcome = dialogue.ask(text)
    assert outcome.kind is OutcomeKind.SMALLTALK
    assert outcome.replies[0].text


def test_greeting_with_a_question_goes_to_the_faq(dialogue: Dialogue) -> None:
    outcome = dialogue.ask("Hallo, wie viel Kindergeld bekomme ich?")
    assert outcome.kind is OutcomeKind.ANSWER
    assert outcome.entry_id == "kindergeld"
