"""Smalltalk: greetings, thanks, goodbyes and "who are you" when that is the whole message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.language.normalize import loose, words


@dataclass(frozen=True)
class SmalltalkIntent:
    """A smalltalk intent: whole-message patterns and a reply."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    reply: str


class Smalltalk:
    """Recognises messages that are nothing but smalltalk."""

    def __init__(self, intents: Sequence[SmalltalkIntent]) -> None:
        """Keep the intents in their file order (the first match wins)."""
        self._intents = tuple(intents)

    def match(self, text: str) -> SmalltalkIntent | None:
        """Return the intent whose pattern matches the whole folded message, if any."""
        folded = loose(" ".join(words(text)))
        if not folded:
            return None
        for intent in self._intents:
            if any(p.fullmatch(folded) for p in intent.patterns):
                return intent
        return None
