"""Tell ordinary German words from words that are probably a name, by how often German uses them.

The redaction (`bot.language.redact`) masks the names it finds through its lists and cues. A
surname in no list and after no cue ("beim Getränkehandel Bruckmeier") used to survive. This
module gives it a second test: a capitalised word that German text seldom uses, that no compound
of common words explains and that the knowledge base does not use either, is probably a name.

The frequencies come from wordfreq's German "large" list (Zipf scale: 6 is a word of every
sentence, 3 one in a million words, 1 the rarest the list keeps). The list ships in the wheel;
nothing is downloaded. It knows surnames and towns that are written often (Müller, Paris) —
those the name lists and the cues catch, or they name nobody on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

# A word this common is an ordinary word. Tuned on tests/data/redaction_corpus.yaml and the
# questions of the test sets (see bench/redact.py): rare family names sit below it (Yilmaz
# 2.5, Brockhausen 2.0, Bruckmeier 1.5), ordinary inflected nouns above it.
COMMON = 2.5
# A part of a compound this common makes the compound ordinary ("Getränke" + "handel").
PART = 3.0
# A text of which fewer known words than this share are German is not judged at all: a
# Turkish or Ukrainian message is full of words the German list does not know.
GERMAN_SHARE = 0.6
_SHORTEST_HEAD = 3  # "Garten|tor"; a head of three letters must be common ("ing" is not)
_SHORT_HEAD_ZIPF = 4.0
_ENDINGS = ("en", "em", "er", "es", "n", "e", "s")  # "Formular-en", "Gifti-ges" → "giftig"
_SHORTEST_STEM = 3  # "Ehe|vertrag"
_LINKS = ("", "s", "es", "n", "en", "e", "er", "ns")  # Fugenelemente: "Verfahren-s-beistand"
_MAX_DEPTH = 3
_MAX_REMEMBERED = 50_000


@cache
def german_zipf() -> dict[str, float]:
    """Return the Zipf frequency of every German word in wordfreq's list at or above 1.

    Loaded once per process (about 0.4 s), on the first redaction that needs it.
    """
    from wordfreq import DATA_PATH, read_cBpack  # here: only a redaction pays its import

    buckets = read_cBpack(str(DATA_PATH / "large_de.msgpack.gz"))
    # Bucket i holds the words of -i centibels, i.e. a Zipf frequency of 9 - i / 100.
    return {word: 9 - index / 100 for index, words in enumerate(buckets) for word in words}


class RareWords:
    """Judge folded, lower-case words against the German frequency list and a vocabulary."""

    def __init__(self, vocabulary: Iterable[str], names: frozenset[str]) -> None:
        """Prepare the judge.

        Args:
            vocabulary: Folded words the knowledge base uses; never rare.
            names: Folded name-list words; no compound ends in one ("Bruck-meier").

        """
        self._zipf = german_zipf()
        self._vocabulary = frozenset(vocabulary)
        self._names = names
        self._known: dict[str, bool] = {}

    def is_german(self, words: Iterable[str]) -> bool:
        """Tell whether most of the folded words (two letters or more) are German words."""
        judged = [w for w in words if len(w) >= 2]
        if not judged:
            return False
        german = sum(self._zipf.get(w, 0) >= COMMON or w in self._vocabulary for w in judged)
        return german >= GERMAN_SHARE * len(judged)

    def is_rare(self, word: str) -> bool:
        """Tell whether a folded word is neither common, nor in the vocabulary, nor a compound.

        A hyphenated word is rare when one of its parts is ("Ex-Mann" is not).
        """
        return any(not self._is_known(part, 0) for part in word.split("-") if part)

    def _is_known(self, word: str, depth: int) -> bool:
        cached = self._known.get(word)
        if cached is None:
            cached = (
                word in self._vocabulary
                or self._zipf.get(word, 0) >= COMMON
                or any(
                    word.endswith(e) and self._zipf.get(word[: -len(e)], 0) >= COMMON
                    for e in _ENDINGS
                )
                or (depth < _MAX_DEPTH and self._is_compound(word, depth))
            )
            if len(self._known) > _MAX_REMEMBERED:
                self._known.clear()  # a long-running bot sees ever new words
            self._known[word] = cached
        return cached

    def _is_part(self, word: str) -> bool:
        return word in self._vocabulary or self._zipf.get(word, 0) >= PART

    def _is_compound(self, word: str, depth: int) -> bool:
        """Tell whether a word is a common head after a known modifier ("Getränke|handel")."""
        for cut in range(_SHORTEST_STEM, len(word) - _SHORTEST_HEAD + 1):
            head = word[cut:]
            if head in self._names or not self._is_part(head):
                continue
            if len(head) < _SHORTEST_HEAD + 1 and self._zipf.get(head, 0) < _SHORT_HEAD_ZIPF:
                continue
            modifier = word[:cut]
            for link in _LINKS:
                if len(modifier) - len(link) < _SHORTEST_STEM or not modifier.endswith(link):
                    continue
                stem = modifier[: len(modifier) - len(link)]
                if self._is_part(stem) or self._is_known(stem, depth + 1):
                    return True
        return False
