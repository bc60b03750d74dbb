"""Which language a parent wrote in: German unless the text itself clearly says otherwise.

The statistical detector is a port (`LanguageDetector`); an adapter outside this layer implements
it. The rules around it are here: a detector guesses wildly on „ok", „danke" or „Sorgerecht",
and every wrong guess would put a line in a foreign language above a German parent's answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.language.normalize import words

GERMAN = "de"
# Latin-script texts shorter than this many words stay German: single words and short phrases
# („Kita Platz", „tschuess bis bald") are where detectors guess, and they are mostly German.
MIN_WORDS = 3
# The detector's probability a Latin-script text needs before it counts as another language.
MIN_CONFIDENCE = 0.5
# … or this much if it is her phone's language too („Kindergeld ne kadar?" is tr 0.41 / de 0.39).
HINTED_CONFIDENCE = 0.3
# Telegram's language of her phone decides between close guesses („Хто платить за житло?" is
# ru 0.45 / uk 0.38): it wins if the detector gives it at least this share of the best guess.
HINT_SHARE = 0.25
# German words that are no English, Turkish or Romance words too („was", „die", „also" are),
# folded like `words`. With the knowledge base's long words they are the German markers: two in a
# Latin-script text mean she reads German, unless her phone says otherwise and they are few.
_MARKER_WORDS = """
    ich nicht und der das ist mein meine meinen mir mich wie soll kann bitte mit fur fuer auf sie
    er wir ein eine einen kind kinder weiss habe hab zu bei nach von wenn dass oder aber auch noch
    schon jetzt tun machen sagt bleibt muss wo
"""
GERMAN_MARKERS = frozenset(_MARKER_WORDS.split())
LONG_WORD = 6  # knowledge-base words this long count as German markers („termine", „experten")


# The entries nearest in meaning to a text, best first, as (entry id, similarity): how a sentence
# encoder matches a question against the phrasings, German and in other languages (issue 19).
NearestEntries = Callable[[str], list[tuple[str, float]]]


class LanguageDetector(Protocol):
    """A statistical language detector (the port; an adapter implements it)."""

    def rank(self, text: str) -> Sequence[tuple[str, float]]:
        """Return ISO 639-1 codes with probabilities (summing to about 1), best first."""


class Line(Enum):
    """The languages with a line of their own; every other language gets the English one."""

    ENGLISH = "en"
    TURKISH = "tr"
    UKRAINIAN = "uk"
    ARABIC = "ar"
    RUSSIAN = "ru"


@dataclass(frozen=True)
class Detected:
    """A message in a language other than German.

    Attributes:
        code: The ISO 639-1 code the detector named (counted per day, never stored per parent).

    """

    code: str

    @property
    def line(self) -> Line:
        """Return the language of the line the parent gets (English where there is none)."""
        return next((line for line in Line if line.value == self.code), Line.ENGLISH)


class LanguageGuess:
    """Decides whether a message is German, and if not, which language it is in."""

    def __init__(self, detector: LanguageDetector, german: frozenset[str] = frozenset()) -> None:
        """Keep the detector and the German words to look for.

        Args:
            detector: The statistical detector behind the rules.
            german: Folded words of the German phrasings (of the knowledge base); those of at
                least LONG_WORD letters count as German markers.

        """
        self._detector = detector
        self._markers = GERMAN_MARKERS | {w for w in german if len(w) >= LONG_WORD}

    def of(self, text: str, hint: str | None = None) -> Detected | None:
        """Return the language of a message, or None for German.

        Args:
            text: The cleaned message.
            hint: Telegram's language code of her phone („en", „uk-UA"): it breaks close calls
                but never makes a German text foreign.

        """
        letters = [ch for ch in text if ch.isalpha()]
        if len(letters) < 2:
            return None
        hint = hint.split("-")[0].lower() if hint else None
        latin = sum(_is_latin(ch) for ch in letters) / len(letters)
        count = sum(any(ch.isalpha() for ch in token) for token in text.split())
        if latin >= 0.5 and (count < MIN_WORDS or self._german(text, count, hint)):
            return None  # decided without the detector, which may still be loading
        ranking = list(self._detector.rank(text))
        if not ranking:
            return None
        best, confidence = ranking[0]
        needed = HINTED_CONFIDENCE if best == hint else MIN_CONFIDENCE
        if latin >= 0.5 and (best == GERMAN or confidence < needed):
            return None
        code = _hinted(ranking, hint) or best
        return None if code == GERMAN else Detected(code)

    def _german(self, text: str, count: int, hint: str | None) -> bool:
        """Tell whether a Latin-script text has enough German words to be German after all."""
        markers = sum(w in self._markers for w in words(text))
        return markers >= 2 and (hint in {None, GERMAN} or 3 * markers >= count)


def _hinted(ranking: Sequence[tuple[str, float]], hint: str | None) -> str | None:
    """Return the phone's language if the detector finds it nearly as likely as its best guess."""
    if hint is None or hint == GERMAN:
        return None
    best = ranking[0][1]
    share = next((p for code, p in ranking if code == hint), 0.0)
    return hint if share >= best * HINT_SHARE else None


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")
