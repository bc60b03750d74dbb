"""The crisis guard on group messages: the same rules, word model and meaning as for parents."""

from __future__ import annotations

from typing import Protocol

from bot.dialogue.core import Dialogue
from bot.dialogue.model import State
from bot.groups.model import Verdict
from bot.language.crisis_data import CrisisLevel
from bot.language.crisis_meaning import MeaningVerdict
from bot.language.normalize import clean_input


class MeaningSignal(Protocol):
    """The encoder-based third signal (absent without an encoder)."""

    async def verdict(self, text: str) -> MeaningVerdict | None:
        """Return the meaning model's verdict on a text, or None when it cannot tell."""


class GroupGuard:
    """Reads a group message as the guard reads a parent's, and builds her private reply."""

    def __init__(self, dialogue: Dialogue, meaning: MeaningSignal | None = None) -> None:
        """Keep the dialogue core (guard and crisis wording) and the meaning signal."""
        self.dialogue = dialogue
        self.meaning = meaning

    async def check(self, text: str) -> Verdict:
        """Return the level and, for a crisis, the reply she gets privately."""
        cleaned = clean_input(text, self.dialogue.config.max_message_chars)
        if not cleaned:
            return Verdict(CrisisLevel.NONE)
        meaning = await self.meaning.verdict(cleaned) if self.meaning is not None else None
        # One reading for both: the level counted and the reply sent come from the same verdict.
        assessment, outcome = self.dialogue.crisis_check(State(), cleaned, meaning=meaning)
        replies = outcome.replies if outcome is not None else ()
        return Verdict(assessment.level, replies, assessment.learned)
