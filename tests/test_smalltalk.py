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


@pytest.mark.parametrize(
    ("text", "intent_reply"),
    [
        ("Thank you so much!", "Gern geschehen!"),
        ("Спасибо большое", "Gern geschehen!"),
        ("Дякую!", "Gern geschehen!"),
        ("شكرا جزيلا", "Gern geschehen!"),
        ("شُكرًا", "Gern geschehen!"),  # with vowel marks
        ("Teşekkür ederim", "Gern geschehen!"),
        ("Привіт", "Hallo und herzlich willkommen!"),
        ("السلام عليكم", "Hallo und herzlich willkommen!"),
        ("Are you a human?", "Ich bin Elternlotse, ein Chat-Programm (kein Mensch)"),
        ("Ты бот?", "Ich bin Elternlotse, ein Chat-Programm (kein Mensch)"),
    ],
)
def test_smalltalk_in_other_languages_and_scripts(
    dialogue: Dialogue, text: str, intent_reply: str
) -> None:
    """Thanks in Cyrillic or Arabic once went to matching by meaning („Meinten Sie: Scheidung?")."""
    outcome = dialogue.ask(text)
    assert outcome.kind is OutcomeKind.SMALLTALK
    assert outcome.replies[-1].text.startswith(intent_reply)


def test_thanks_before_a_question_in_cyrillic_is_no_smalltalk(dialogue: Dialogue) -> None:
    assert dialogue.ask("Спасибо, а как получить детские деньги?").kind is not OutcomeKind.SMALLTALK
