"""Find the place a parent's message names: „Jugendamt Gütersloh", „… in Siegen", „53111". Pure.

A town's name is also often a word („Essen", „Hof", „Kirchen"), so a name counts only where a
parent would write a place: after „in", „aus", „bei", „Raum" …, or in a short message beside
the name of an office or a place of help („Jugendamt Gütersloh"), and only exactly as the data
writes it (a misspelt town is looked for only when the bot asked where she lives: near a town,
„Küche" is „Kuchen"). A word of the knowledge base counts only after a strong word („wohne in
Essen"). A real postcode counts everywhere (but not an amount).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.places.gazetteer import QUALIFIERS, Gazetteer, name_key
from bot.places.model import Place

# Words after which a name is a place: „in Siegen", „aus dem Raum Paderborn", „Kreis Gütersloh";
# after the strong ones („wohne in", „Raum") even a name that is also a word („Essen").
_ARTICLES = r"\s+(?:(?:der|dem|den|die|von|in|im)\s+)*"
_BEFORE_PLACE = re.compile(rf"\b(?:in|aus|bei|um){_ARTICLES}", re.IGNORECASE)
_STRONG = re.compile(
    rf"\b(?:wohne|wohnen|lebe|leben|wohnort|raum|kreis|landkreis|stadt|umgebung|gegend|nähe|"
    rf"naehe|nahe|region)(?:\s+(?:in|bei))?{_ARTICLES}",
    re.IGNORECASE,
)
# Words that are towns somewhere but mean something else after „in" (in der Nähe, in Sorge).
_NEVER = frozenset({"nahe", "sorge", "not", "ruhe", "teilzeit", "elternzeit", "deutschland"})
# Words that ask for a place of help; beside them a capitalised name is taken as a town.
LOCAL_WORDS = re.compile(
    r"(?:jugendamt|jobcenter|familienkasse|gericht|beratung|beratungsstelle|selbsthilfe|gruppe|"
    r"anlaufstelle|stelle|verband|vamv|familienzentrum|frühe hilfen|adresse|vor ort|nähe|"
    r"naehe|treffen|zuständig|zustaendig)",
    re.IGNORECASE,
)
_NAME = r"[A-ZÄÖÜa-zäöüß][\wäöüßÄÖÜ.()'-]*"
_LINK = r"(?:an der|am|im|in der|a\.\s?d\.|bei|v\. d\.)?"
_NAMES = re.compile(rf"{_NAME}(?:\s+{_LINK}\s*{_NAME}){{0,2}}")
_WORD = re.compile(r"[\wäöüßÄÖÜ-]+")
MIN_NAME = 3
# A bare name counts only in a short message („Jugendamt Gütersloh"): a longer one says „in …".
SHORT = 6


class Mentions:
    """Finds the place a message names, using a gazetteer and the words that are no town."""

    def __init__(self, gazetteer: Gazetteer, common_words: frozenset[str]) -> None:
        """Keep the gazetteer and the folded words of the knowledge base (never a town alone).

        Args:
            gazetteer: Postcodes and towns.
            common_words: Words of the knowledge base's questions, folded: „Essen" in „Essen
                für die Kinder" is food, so a bare capitalised word needs to be none of them.

        """
        self.gazetteer = gazetteer
        self.common = common_words

    def asks_locally(self, text: str) -> bool:
        """Tell whether a message asks for a place of help or an office."""
        return LOCAL_WORDS.search(text) is not None

    def place_in(self, text: str) -> Place | None:
        """Return the place a message names, or None (see the module's rules)."""
        place = self.gazetteer.postcode_in(text)
        if place is not None:
            return place
        local = self.asks_locally(text)
        for candidate, strong in self._after_place_words(text):
            one, key = " " not in candidate, name_key(candidate)
            if key in _NEVER or key.rsplit(" ", 1)[-1] in QUALIFIERS:
                continue  # „Nähe der" is no „Nahe": the gazetteer would drop the „der"
            if one and self._common(candidate, strong or (local and candidate[0].isupper())):
                continue
            # Exactly as the data writes it: near a town, „Küche" is „Kuchen" and „Bauch" „Buch".
            # A lowercase word must be a whole town's name: „in die neue Schule" is no „Neue Mühle".
            exact = not one or not candidate[0].isupper()
            place = self.gazetteer.named(candidate, fuzzy=False, exact=exact)
            if place is not None:
                return place
        found = _WORD.findall(text)
        if not local or len(found) > SHORT:
            return None
        for word in found:
            if self._may_be_town(word):
                place = self.gazetteer.named(word, fuzzy=False)
                if place is not None:
                    return place
        return None

    def _common(self, word: str, allowed: bool) -> bool:
        """Tell whether a single word is a word of the knowledge base not to be read as a town.

        After a strong word („wohne in Essen") or in a message that asks for a place of help,
        such a word may be a town all the same.
        """
        return not allowed and name_key(word) in self.common

    def _after_place_words(self, text: str) -> Iterator[tuple[str, bool]]:
        """Yield the names after „in", „aus", „Raum" …: three words, then two, then one.

        Each with whether a strong word („wohne", „Raum") came before it.
        """
        starts = sorted(
            [(m.end(), True) for m in _STRONG.finditer(text)]
            + [(m.end(), False) for m in _BEFORE_PLACE.finditer(text)]
        )
        for end, strong in starts:
            found = _NAMES.match(text, end)
            if found is None:
                continue
            parts = found.group(0).split()
            for n in range(len(parts), 0, -1):
                name = " ".join(parts[:n]).strip(".,;:!?")
                if len(name) >= MIN_NAME:
                    yield name, strong

    def _may_be_town(self, word: str) -> bool:
        """Tell whether a bare word may be a town: capitalised, long enough, no common word."""
        long_enough = len(word) >= MIN_NAME + 1
        key = name_key(word)
        return long_enough and word[0].isupper() and key not in self.common and key not in _NEVER
