"""Smalltalk: greetings, thanks, goodbyes and "who are you" when that is the whole message."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.knowledge import SmalltalkIntent
from bot.language.normalize import loose, words


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
