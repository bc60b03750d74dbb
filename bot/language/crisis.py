"""Crisis guard: spot danger in a message (with typos) before anything else answers.

The guard works by concept: cues are small vocabularies (a means, a frame of time, a threat, a
child …) and rules combine them, so "hab die ganze Packung vor mir liegen" is caught without the
words "sterben" or "umbringen", while "die Trotzphase bringt mich um" is not. Every decision can
be explained: which rule held and which cues fired on which words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.content.knowledge import CrisisData, CrisisLevel, CrisisRule, CrisisScope
from bot.language.normalize import loose, words

_SENTENCE_END = re.compile(r"[.!?;\n…]+|\s[-–]\s")


@dataclass(frozen=True)
class Assessment:
    """The guard's verdict on one message.

    Attributes:
        level: Crisis, concern or none.
        rule: The rule that held, if any.
        concept: The concept of that rule (suizid, gewalt, kind …).
        cues: The cues that made the rule hold, each as `cue: matched words`.
        learned: True when the learned model (not a rule) found the danger: it may be wrong
            more often, so the normal answer is shown after the hotlines.

    """

    level: CrisisLevel
    rule: str | None = None
    concept: str | None = None
    cues: tuple[str, ...] = field(default=())
    learned: bool = False
    matched: tuple[str, ...] = field(default=(), compare=False)  # the folded words that fired

    def explain(self) -> dict[str, Any]:
        """Return the verdict as a JSON-compatible dict (for `elternlotse ask --json`)."""
        return {
            "level": self.level.value,
            "rule": self.rule,
            "concept": self.concept,
            "cues": list(self.cues),
            "learned": self.learned,
        }


NO_DANGER = Assessment(CrisisLevel.NONE)
LEARNED_RULE = "modell"


class _Window:
    """One stretch of text in its spellings, with the cue hits computed on demand."""

    def __init__(self, variants: set[str], guard: CrisisGuard) -> None:
        self._variants = variants
        self._guard = guard
        self._hits: dict[str, list[str]] = {}

    def hits(self, cue_id: str) -> list[str]:
        """Return the words each pattern of a cue matched (one entry per pattern that fired)."""
        if cue_id not in self._hits:
            found = []
            for pattern in self._guard.cue_patterns(cue_id):
                match = next((m for v in self._variants if (m := pattern.search(v))), None)
                if match is not None:
                    found.append(match.group(0).strip())
            # Two patterns matching the same words are one sign, not two.
            self._hits[cue_id] = list(dict.fromkeys(found))
        return self._hits[cue_id]

    def holds(self, rule: CrisisRule) -> Assessment | None:
        """Return the assessment if the rule holds in this window, else None."""
        fired, matched = [], []
        for cue_id in rule.all:
            hits = self.hits(cue_id)
            if len(hits) < rule.min_hits.get(cue_id, 1):
                return None
            fired.append(f"{cue_id}: {' | '.join(hits[:3])}")
            matched.extend(hits)
        if any(self.hits(cue_id) for cue_id in rule.unless):
            return None
        return Assessment(rule.level, rule.id, rule.concept, tuple(fired), matched=tuple(matched))


class CrisisGuard:
    """Assesses messages with the cues and rules of `knowledge/crisis.yaml`."""

    def __init__(self, data: CrisisData, known_words: frozenset[str] = frozenset()) -> None:
        """Prepare the guard.

        Args:
            data: Vocabulary, cues, rules and replies from `knowledge/crisis.yaml`.
            known_words: Correctly spelt everyday words that must never be "corrected" into a
                crisis word (for example "schlaft" is not a typo of "schlagt").

        """
        self._data = data
        self._vocabulary = list(dict.fromkeys(w for v in data.vocabulary for w in words(v)))
        self._known = known_words | frozenset(self._vocabulary)

    def cue_patterns(self, cue_id: str) -> tuple[re.Pattern[str], ...]:
        """Return the patterns of a cue."""
        return self._data.cues[cue_id].patterns

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
        relaxed = " ".join(spellings.get(w, w) for w in loose(plain).split())
        fixed = " ".join(self._correct(w) for w in relaxed.split())
        return {plain, relaxed, fixed}

    def _windows(self, text: str) -> Iterator[_Window]:
        """Yield each sentence together with its successor (a lone sentence on its own)."""
        sentences = [s for s in _SENTENCE_END.split(text) if words(s)]
        if len(sentences) <= 1:
            yield _Window(self.variants(text), self)
            return
        for first, second in zip(sentences, sentences[1:], strict=False):
            yield _Window(self.variants(f"{first} {second}"), self)

    def assess(self, text: str) -> Assessment:
        """Return the first rule that holds (crisis rules before concern rules).

        When no crisis rule holds, the learned model gets a say before the concern rules: a
        crisis it finds outranks mere concern.
        """
        whole = _Window(self.variants(text), self)
        windows = list(self._windows(text))
        rules = self._data.rules
        crisis = [r for r in rules if r.level is CrisisLevel.CRISIS]
        found = self._first_rule(crisis, whole, windows)
        if found is None:
            learned = self._learned(text)
            if learned.level is CrisisLevel.CRISIS:
                return learned
            found = self._first_rule([r for r in rules if r not in crisis], whole, windows)
        return found or NO_DANGER

    @staticmethod
    def _first_rule(
        rules: list[CrisisRule], whole: _Window, windows: list[_Window]
    ) -> Assessment | None:
        for rule in rules:
            candidates = [whole] if rule.scope is CrisisScope.MESSAGE else windows
            for window in candidates:
                found = window.holds(rule)
                if found is not None:
                    return found
        return None

    def _learned(self, text: str) -> Assessment:
        """Ask the learned model about a message no rule called a crisis."""
        model = self._data.model
        if model is None or not text:
            return NO_DANGER
        score = model.score(text)
        if score <= model.threshold:
            return NO_DANGER
        cues = (f"{LEARNED_RULE}: {score:.1f} > {model.threshold:.1f}", *model.strongest(text))
        return Assessment(CrisisLevel.CRISIS, LEARNED_RULE, None, cues, learned=True)

    def check(self, text: str) -> Assessment | None:
        """Return the assessment when the message is a crisis, else None."""
        found = self.assess(text)
        return found if found.level is CrisisLevel.CRISIS else None
