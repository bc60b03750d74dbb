"""German text normalisation shared by the matcher, the crisis guard and smalltalk."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import Stemmer

_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_HYPHEN_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])[-‐‑–](?=[^\W\d_])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_input(text: str, max_chars: int) -> str:
    """Remove control characters, collapse blank runs and cut to `max_chars`.

    Args:
        text: Raw user text.
        max_chars: Longest text kept; the rest is dropped (at a word boundary if one is near).

    Returns:
        The cleaned text, possibly empty.

    """
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_chars:
        cut = text.rfind(" ", max_chars - 50, max_chars)
        text = text[: cut if cut > 0 else max_chars]
    return text


# One message is folded a dozen times (crisis guard, smalltalk, matcher, follow-ups …); a few
# recent results are kept, no more: they are parents' words.
@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """Casefold, fold umlauts (ä→a, ö→o, ü→u, ß→ss), strip accents and punctuation.

    Umlaut, digraph (ae/oe/ue) and dropped-umlaut spellings are unified later by the stemmer,
    which maps ae/oe/ue to the plain vowel; here every word becomes lowercase ASCII.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    text = _HYPHEN_BETWEEN_LETTERS.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", text).strip()


_DIGRAPHS = re.compile(r"(?<![aeiouq])(a|o|u)e")
_REPEATS = re.compile(r"([a-z])\1{2,}")


@lru_cache(maxsize=64)  # like `fold`: the guard, smalltalk and the follow-ups loosen the same words
def loose(folded: str) -> str:
    """Fold umlaut digraphs (ae→a, oe→o, ue→u) and letter repeats ("dankeee") in folded text.

    Used where whole-phrase patterns run (crisis, smalltalk), since the stemmer that unifies
    these spellings for the matcher does not run there.
    """
    return _REPEATS.sub(r"\1", _DIGRAPHS.sub(r"\1", folded))


def words(text: str) -> list[str]:
    """Return the folded words of `text`."""
    return fold(text).split()


class Normalizer:
    """Turn German text into the stems the matcher compares.

    Steps: fold → words → synonym phrases replaced → stop words dropped → Snowball German stems.
    """

    def __init__(
        self,
        synonyms: Mapping[str, Sequence[str]],
        stopwords: Iterable[str],
        abbreviations: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Prepare synonym phrases and stop words (both folded like user text).

        Args:
            synonyms: Canonical phrase → its variants (colloquial words, abbreviations).
            stopwords: Words without meaning for matching.
            abbreviations: Canonical phrase → capitalised forms, matched case-sensitively
                before folding ("JA" is the Jugendamt, "ja" is yes).

        """
        self._stemmer = Stemmer.Stemmer("german")
        forms = {form: canonical for canonical, fs in (abbreviations or {}).items() for form in fs}
        self._abbreviations = forms
        self._abbreviation_re = (
            re.compile(
                r"\b(" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")\b"
            )
            if forms
            else None
        )
        self.stopwords = frozenset(w for s in stopwords for w in words(s))
        phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in synonyms.items():
            target = tuple(words(canonical))
            for variant in variants:
                key = tuple(words(variant))
                if key and key != target:
                    phrases[key] = target
        self._phrases = phrases
        self._starts = frozenset(k[0] for k in phrases)
        self._longest = max((len(k) for k in phrases), default=0)
        self.stem = lru_cache(maxsize=65536)(self._stem_uncached)

    def _stem_uncached(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def expand(self, tokens: Sequence[str]) -> list[str]:
        """Replace synonym variants (longest phrase first) by their canonical words."""
        result: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] not in self._starts:
                result.append(tokens[i])
                i += 1
                continue
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    result.extend(target)
                    i += size
                    break
            else:
                result.append(tokens[i])
                i += 1
        return result

    def content_words(self, text: str) -> list[str]:
        """Return the folded, synonym-expanded words of `text` without stop words."""
        if self._abbreviation_re is not None:
            text = self._abbreviation_re.sub(lambda m: self._abbreviations[m.group(1)], text)
        return [w for w in self.expand(words(text)) if w not in self.stopwords and len(w) > 1]

    def stems(self, text: str) -> list[str]:
        """Return the stems of the content words of `text`, in order, duplicates removed."""
        seen: dict[str, None] = {}
        for word in self.content_words(text):
            seen.setdefault(self.stem(word), None)
        return list(seen)
