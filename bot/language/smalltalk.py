"""Smalltalk: greetings, thanks, goodbyes and "who are you" when that is the whole message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.language.normalize import loose, words

# Runs of letters and digits in any script (what is left of a message in Cyrillic or Arabic).
_LETTERS = re.compile(r"\w+")


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
        """Return the intent whose pattern matches the whole message, if any.

        The message is folded to Latin letters („Danke schön" → „danke schon"); a message in
        another script („Спасибо", „شكرا"), which folding empties, is matched lowercased
        with its own letters, so the patterns can name it too.
        """
        for form in (loose(" ".join(words(text))), " ".join(_LETTERS.findall(text.casefold()))):
            if form:
                for intent in self._intents:
                    if any(p.fullmatch(form) for p in intent.patterns):
                        return intent
        return None
