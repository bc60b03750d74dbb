"""Crisis guard: spot danger in a message (with typos) before anything else answers.

The guard works by concept: cues are small vocabularies (a means, a frame of time, a threat, a
child …) and rules combine them, so "hab die ganze Packung vor mir liegen" is caught without the
words "sterben" or "umbringen", while "die Trotzphase bringt mich um" is not. Every decision can
be explained: which rule held and which cues fired on which words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.language.crisis_data import CrisisData, CrisisLevel, CrisisRule, CrisisScope
from bot.language.crisis_meaning import MEANING_SIGNAL, MeaningVerdict
from bot.language.normalize import loose, words

_SENTENCE_END = re.compile(r"[.!?;\n…]+|\s[-–]\s")
_WORD = re.compile(r"\w+")
_HEAD_RUN = re.compile(r"[a-z0-9]+")
# What matters for the nesting of a pattern: escapes and classes are read as wholes (and ignored).
_SYNTAX = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.DOTALL)
# Patterns are prefiltered by the first letters of the word they must start with (see _heads).
_HEAD_LETTERS = 5
_Prefiltered = tuple[re.Pattern[str], frozenset[str] | None]
_Rule = tuple[CrisisRule, tuple[str, ...], tuple[str, ...]]  # with its needed and local cues
# What can make a match depend on text beyond the characters next to it: anchors, lookarounds,
# conditionals, atomic groups and possessive quantifiers (escapes and classes read as wholes).
# Group 1 (an escape or a class) is harmless; any other token found is not.
_NONLOCAL = re.compile(
    r"\\[AZ]|(\\.|\[\^?\]?(?:\\.|[^\]\\])*\])|[\^$]|\(\?[=!<>(]|[*+?}]\+", re.DOTALL
)


@dataclass(frozen=True)
class Assessment:
    """The guard's verdict on one message.

    Attributes:
        level: Crisis, concern or none.
        rule: The rule that held, if any.
        concept: The concept of that rule (suizid, gewalt, kind …).
        cues: The cues that made the rule hold, each as `cue: matched words`.
        learned: True when a learned signal (the word model or the meaning signal, not a
            rule) found the danger: it may be wrong more often, so the normal answer is shown
            after the hotlines.
        score: The log-odds of the learned signal that fired (None for a rule).

    """

    level: CrisisLevel
    rule: str | None = None
    concept: str | None = None
    cues: tuple[str, ...] = field(default=())
    learned: bool = False
    matched: tuple[str, ...] = field(default=(), compare=False)  # the folded words that fired
    score: float | None = field(default=None, compare=False)

    @property
    def signal(self) -> str | None:
        """Return which signal found a crisis: `rules`, `model` or `meaning` (None: no crisis)."""
        if self.level is not CrisisLevel.CRISIS:
            return None
        if not self.learned:
            return "rules"
        return "meaning" if self.rule == MEANING_SIGNAL else "model"

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


class _CueIndex:
    """The patterns of one cue, found by the word beginnings they need."""

    def __init__(self, patterns: tuple[_Prefiltered, ...]) -> None:
        self.patterns = patterns
        self._always = frozenset(i for i, (_, heads) in enumerate(patterns) if heads is None)
        by_head: dict[str, list[int]] = defaultdict(list)
        for index, (_, heads) in enumerate(patterns):
            for head in heads or ():
                by_head[head].append(index)
        self._by_head = dict(by_head)
        self._heads = frozenset(by_head)
        self.local = all(_is_local(pattern) for pattern, _ in patterns)

    def candidates(self, starts: frozenset[str]) -> list[_Prefiltered]:
        """Return, in file order, the patterns that may match a text with these word beginnings.

        The same patterns, in the same order, as checking each pattern's heads against `starts`:
        one set intersection instead of a Python loop over every pattern of the cue.
        """
        heads = self._heads & starts
        if not heads:
            return [self.patterns[i] for i in sorted(self._always)]
        indices = set(self._always)
        for head in heads:
            indices.update(self._by_head[head])
        return [self.patterns[i] for i in sorted(indices)]


class _Window:
    """One stretch of text in its spellings, with the cue hits computed on demand."""

    def __init__(self, variants: tuple[str, ...], guard: CrisisGuard) -> None:
        self.variants = variants
        self._guard = guard
        self._hits: dict[str, list[str]] = {}
        self._candidates: dict[str, list[_Prefiltered]] = {}
        # The beginnings of every word: a pattern whose head word begins otherwise cannot match.
        self._starts = tuple(
            frozenset(
                word[:size]
                for word in _WORD.findall(variant)
                for size in range(1, min(len(word), _HEAD_LETTERS) + 1)
            )
            for variant in variants
        )
        self._any_start = frozenset().union(*self._starts)

    def candidates(self, cue_id: str) -> list[_Prefiltered]:
        """Return the patterns of a cue that may match here, judged by word beginnings alone."""
        if cue_id not in self._candidates:
            self._candidates[cue_id] = self._guard.cue_index(cue_id).candidates(self._any_start)
        return self._candidates[cue_id]

    def hits(self, cue_id: str) -> list[str]:
        """Return the words each pattern of a cue matched (one entry per pattern that fired)."""
        if cue_id not in self._hits:
            found = []
            # Usually few patterns are left: the rest were ruled out without a regular expression.
            for pattern, heads in self.candidates(cue_id):
                # The first spelling that matches names the words (as typed before corrected).
                match = next(
                    (
                        m
                        for variant, starts in zip(self.variants, self._starts, strict=True)
                        if heads is None or not heads.isdisjoint(starts)
                        if (m := pattern.search(variant))
                    ),
                    None,
                )
                if match is not None:
                    found.append(match.group(0).strip())
            # Two patterns matching the same words are one sign, not two.
            self._hits[cue_id] = list(dict.fromkeys(found))
        return self._hits[cue_id]

    def fired(self, cue_ids: tuple[str, ...]) -> bool:
        """Tell whether each of the cues matched here at least once."""
        # A cue with no possible pattern decides it before any other cue's patterns run.
        return all(self.candidates(c) for c in cue_ids) and all(self.hits(c) for c in cue_ids)

    def holds(self, rule: CrisisRule, needs: tuple[str, ...]) -> Assessment | None:
        """Return the assessment if the rule holds in this window, else None.

        Args:
            rule: The rule.
            needs: The cues of `rule.all` that must match at least once (`_needs`).

        """
        if not self.fired(needs):
            return None
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
        self._cues = {
            cue_id: _CueIndex(tuple((p, _heads(p)) for p in cue.patterns))
            for cue_id, cue in data.cues.items()
        }
        rules = [(rule, *self._needs(rule)) for rule in data.rules]
        self._crisis_rules = [r for r in rules if r[0].level is CrisisLevel.CRISIS]
        self._other_rules = [r for r in rules if r[0].level is not CrisisLevel.CRISIS]

    def _needs(self, rule: CrisisRule) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the cues a rule needs to match at least once, and those of them that are local.

        A local cue's patterns match a window only where they also match the whole message
        (the window's words are a stretch of the message's, see `_is_local`), so a local cue
        that found nothing in the message finds nothing in any of its windows.
        """
        needs = tuple(c for c in rule.all if rule.min_hits.get(c, 1) > 0)
        return needs, tuple(c for c in needs if self._cues[c].local)

    def cue_patterns(self, cue_id: str) -> tuple[_Prefiltered, ...]:
        """Return the patterns of a cue, each with the word beginnings it needs (None: any)."""
        return self._cues[cue_id].patterns

    def cue_index(self, cue_id: str) -> _CueIndex:
        """Return the patterns of a cue indexed by the word beginnings they need."""
        return self._cues[cue_id]

    def _correct(self, word: str) -> str:
        if len(word) < 5 or word in self._known:
            return word
        # Allow one dropped or doubled letter ("umbrigen", "geschlagn"), but not a substituted
        # one: "geschlafen" (slept) is a real word one letter away from "geschlagen" (beaten).
        cutoff = 90.5
        found = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        return str(found[0]) if found else word

    def variants(self, text: str) -> tuple[str, ...]:
        """Return the folded text as typed, loosely spelt, and with crisis-word typos corrected.

        In this order and without repeats: the words a cue reports are those of the first
        variant it matches (a set's order changed with every process's string hashing).
        """
        spellings = self._data.spellings
        plain = " ".join(spellings.get(w, w) for w in words(text))
        relaxed = " ".join(spellings.get(w, w) for w in loose(plain).split())
        fixed = " ".join(self._correct(w) for w in relaxed.split())
        return tuple(dict.fromkeys((plain, relaxed, fixed)))

    def _windows(self, text: str, whole: _Window) -> list[_Window]:
        """Return each sentence together with its successor (a lone sentence on its own).

        A window spelt exactly like the whole message is the whole message's window: its cue
        hits are then computed once for both kinds of rule.
        """
        sentences = [s for s in _SENTENCE_END.split(text) if words(s)]
        if len(sentences) <= 1:
            return [whole]  # the same text as the whole message, so the same variants
        windows = []
        for first, second in zip(sentences, sentences[1:], strict=False):
            variants = self.variants(f"{first} {second}")
            windows.append(whole if variants == whole.variants else _Window(variants, self))
        return windows

    def assess(self, text: str, meaning: MeaningVerdict | None = None) -> Assessment:
        """Return the first rule that holds (crisis rules before concern rules).

        When no crisis rule holds, the learned model and then the meaning signal get a say
        before the concern rules: a crisis either finds outranks mere concern.

        Args:
            text: The message.
            meaning: The meaning signal's verdict on it (computed off the event loop by the
                caller); None where the encoder is off, busy or not asked.

        """
        whole = _Window(self.variants(text), self)
        windows = self._windows(text, whole)
        found = self._first_rule(self._crisis_rules, whole, windows)
        if found is None:
            learned = self._learned(text)
            if learned.level is CrisisLevel.CRISIS:
                return learned
            if meaning is not None and meaning.fired:
                return _by_meaning(meaning)
            found = self._first_rule(self._other_rules, whole, windows)
        return found or NO_DANGER

    @staticmethod
    def _first_rule(
        rules: list[_Rule], whole: _Window, windows: list[_Window]
    ) -> Assessment | None:
        for rule, needs, local in rules:
            if rule.scope is CrisisScope.MESSAGE:
                candidates = [whole]
            elif whole.fired(local):
                candidates = windows
            else:
                continue  # one pass over the message instead of one per window
            for window in candidates:
                found = window.holds(rule, needs)
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
        return Assessment(CrisisLevel.CRISIS, LEARNED_RULE, None, cues, learned=True, score=score)

    def check(self, text: str) -> Assessment | None:
        """Return the assessment when the message is a crisis, else None."""
        found = self.assess(text)
        return found if found.level is CrisisLevel.CRISIS else None


def _by_meaning(meaning: MeaningVerdict) -> Assessment:
    """Return the crisis the meaning signal found (no concept: the general hotlines)."""
    cue = f"{MEANING_SIGNAL}: {meaning.score:.1f} > {meaning.threshold:.1f}"
    return Assessment(
        CrisisLevel.CRISIS, MEANING_SIGNAL, None, (cue,), learned=True, score=meaning.score
    )


def _is_local(pattern: re.Pattern[str]) -> bool:
    """Tell whether a match depends on nothing but its own text and the characters beside it.

    Such a pattern that matches in a window matches in the whole message too: a window's
    spellings are stretches of the message's, between spaces, and a space is as much a word
    boundary as the start or the end of the text. The answer errs towards False.
    """
    return all(token.group(1) for token in _NONLOCAL.finditer(pattern.pattern))


def _heads(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""Return the beginnings of the words a match must start with, or None if unknown.

    Only the plain shape `\bword…` or `\b(word…|word…)` at the start of a pattern (or of each
    of its top-level alternatives) is read: a match then begins at the start of a word that
    begins with one of those letters. The answer errs towards None (pattern always tried).
    """
    if pattern.flags & (re.IGNORECASE | re.VERBOSE | re.ASCII | re.LOCALE):
        return None
    heads: set[str] = set()
    for alternative in _split_top(pattern.pattern):
        found = _alternative_heads(alternative)
        if found is None:
            return None
        heads |= found
    return frozenset(heads)


def _alternative_heads(source: str) -> frozenset[str] | None:
    """Return the heads of one top-level alternative (see `_heads`)."""
    if not source.startswith(r"\b"):
        return None
    rest = source[2:]
    if not rest.startswith("("):
        head = _head_word(rest)
        return None if head is None else frozenset({head})
    group = rest[3:] if rest.startswith("(?:") else rest[1:]
    if group.startswith("?"):
        return None  # a lookaround or named group: not read
    parts = _split_top(group, until_close=True)
    end = sum(len(p) for p in parts) + len(parts)  # the alternatives, their bars and ")"
    if end > len(group) or group[end - 1] != ")" or group[end : end + 1] in {"?", "*", "{"}:
        return None  # unbalanced or an optional group
    heads = {_head_word(part) for part in parts}
    return None if None in heads else frozenset(h for h in heads if h is not None)


def _head_word(text: str) -> str | None:
    """Return the letters `text` must begin with (a quantified last letter dropped)."""
    run = _HEAD_RUN.match(text)
    if run is None:
        return None
    word = run.group(0)
    if text[len(word) : len(word) + 1] in {"?", "*", "{"}:
        word = word[:-1]
    return word[:_HEAD_LETTERS] or None


def _split_top(source: str, until_close: bool = False) -> list[str]:
    """Split `source` at its `|`s outside groups and classes (stopping at an unopened `)`)."""
    parts, depth, start = [], 0, 0
    for token in _SYNTAX.finditer(source):
        char = token.group(0)
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0 and until_close:
                parts.append(source[start : token.start()])
                return parts
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start : token.start()])
            start = token.end()
    parts.append(source[start:])
    return parts
