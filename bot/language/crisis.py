"""Crisis guard: spot danger in a message (with typos) before anything else answers."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.knowledge import CrisisData
from bot.language.normalize import loose, words


@dataclass(frozen=True)
class CrisisHit:
    """A detected danger signal."""

    signal: str


class CrisisGuard:
    """Matches crisis signals on folded text after correcting typos towards crisis words."""

    def __init__(self, data: CrisisData, known_words: frozenset[str] = frozenset()) -> None:
        """Prepare the guard.

        Args:
            data: Vocabulary, signals and reply from `knowledge/crisis.yaml`.
            known_words: Correctly spelt everyday words that must never be "corrected" into a
                crisis word (for example "schlaft" is not a typo of "schlagt").

        """
        self._data = data
        self._vocabulary = list(dict.fromkeys(w for v in data.vocabulary for w in words(v)))
        self._known = known_words | frozenset(self._vocabulary)

    def _correct(self, word: str) -> str:
        if len(word) < 5 or word in self._known:
            return word
        # Allow one dropped or doubled letter ("umbrigen", "geschlagn"), but not a substituted
        # one: "geschlafen" (slept) is a real word one letter away from "geschlagen" (beaten).
        cutoff = 90.5
        found = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        return str(found[0]) if found else word

    def variants(self, text: str) -> set[str]:
        """Return the folded text as typed, loosely spelt, and with crisis-word typos corrected."""
        spellings = self._data.spellings
        plain = " ".join(spellings.get(w, w) for w in words(text))
        relaxed = loose(plain)
        fixed = " ".join(self._correct(w) for w in relaxed.split())
        return {plain, relaxed, fixed}

    def check(self, text: str) -> CrisisHit | None:
        """Return the first crisis signal found in `text`, or None."""
        variants = self.variants(text)
        for signal in self._data.signals:
            for variant in variants:
                if any(p.search(variant) for p in signal.patterns) and not any(
                    u.search(variant) for u in signal.unless
                ):
                    return CrisisHit(signal.id)
        return None
