"""Find the place a parent's message names: „Jugendamt Gütersloh", „… in Siegen", „53111". Pure.

A town's name is also often a word („Essen", „Hof", „Halle"), so a name counts only where a
parent writes a place, and in this order:

1. a real postcode (not an amount, not after „Kundennummer", „Aktenzeichen", „Tel.");
2. after „in", „aus", „bei", „um" or a strong word („wohne in", „Raum", „Kreis", „Nähe von"):
   a name as the data writes it; a single word only without an article between („in der
   Halle" is a gym) and, unless after a strong word, no word of the knowledge base; not where
   the sentence speaks of someone else („mein Ex wohnt in München");
3. the message starts with it and a comma, a full stop or nothing follows („Fulda. Brauche
   Hilfe", „neubrandenburg, 2 kinder") — a misspelt town too when it is the whole message;
4. beside an office or a place of help in a message of at most twelve words („jobcenter celle",
   „beratungsstelle alleinerziehende trier"), a misspelt town in one of at most six.

A misspelt town is otherwise looked for only when the bot asked where she lives: near a town,
„Küche" is „Kuchen" and „Bauch" „Buch".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.places.gazetteer import QUALIFIERS, Gazetteer, name_key
from bot.places.model import Place

_ARTICLE_WORDS = r"der|dem|den|die|das|einer|einem"
_ARTICLES = rf"\s+((?:(?:{_ARTICLE_WORDS}|von|in|im)\s+)*)"
_BEFORE_PLACE = re.compile(rf"\b(?:in|aus|bei|um){_ARTICLES}", re.IGNORECASE)
# Someone else's place: „mein Ex wohnt in München", „meine Mutter lebt in Rostock".
_SOMEONE_ELSE = re.compile(
    r"\b(?:ex|exmann|exfrau|ex-mann|ex-frau|ex-partner|vater|kv|kindsvater|mutter|km|oma|opa|"
    r"eltern|schwester|bruder|freundin|freund|er|sie)\b[^.,;!?]{0,25}$",
    re.IGNORECASE,
)
_STRONG = re.compile(
    rf"\b(?:wohne|wohnen|wohn|lebe|leben|wohnort|raum|kreis|landkreis|stadt|umgebung|gegend|"
    rf"nähe|naehe|nahe|region)(?:\s+(?:in|bei))?{_ARTICLES}",
    re.IGNORECASE,
)
_HAS_ARTICLE = re.compile(rf"\b(?:{_ARTICLE_WORDS})\b", re.IGNORECASE)
# Words that are towns somewhere but mean something else after „in" (in der Nähe, in Sorge), and
# the Länder that are no city („Jugendamt Brandenburg" may mean the Land).
_NEVER = frozenset(
    {"nahe", "sorge", "not", "ruhe", "teilzeit", "elternzeit", "deutschland"}
    | {"bayern", "hessen", "sachsen", "brandenburg", "thuringen", "saarland", "niedersachsen"}
)
# Words that ask for a place of help; beside them a name is taken as a town.
LOCAL_WORDS = re.compile(
    r"(?:jugendamt|jobcenter|familienkasse|gericht|beratung|beratungsstelle|selbsthilfe|gruppe|"
    r"anlaufstelle|stelle|verband|vamv|familienzentrum|frühe hilfen|adresse|vor ort|nähe|"
    r"naehe|treffen|zuständig|zustaendig|bezirksamt|elterngeldstelle|wohngeldstelle)",
    re.IGNORECASE,
)
# A five-digit number after these is a customer, file or phone number, not a postcode.
_NOT_POSTCODE = re.compile(
    r"(?:kunden|akten|vorgangs|bg|nr|nummer|zeichen|az|tel|telefon|fax|id|iban|kto)\W{0,3}$",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\d€.,])\b(\d{5})\b(?![.,]\d)(?!\s*(?:€|euro|eur\b))", re.IGNORECASE)
_NAME = r"[A-ZÄÖÜa-zäöüß][\wäöüßÄÖÜ.()'-]*"
_LINK = r"(?:an der|am|im|in der|a\.\s?d\.|bei|v\. d\.)?"
_NAMES = re.compile(rf"{_NAME}(?:\s+{_LINK}\s*{_NAME}){{0,2}}")
_WORD = re.compile(r"[\wäöüßÄÖÜ]+(?:-[\wäöüßÄÖÜ]+)*")
# „Duisburg'da", „Köln'de": a Turkish case ending after an apostrophe.
_SUFFIX = re.compile(r"(?<=\w)['’](?:da|de|ta|te|dan|den|tan|ten|a|e|ya|ye|ın|in|un|ün)\b")
_START = re.compile(r"^\s*([\wäöüßÄÖÜ-]+(?:\s+[\wäöüßÄÖÜ-]+){0,3})\s*(?:[.,;:!?/(-]|$)")
# A Land before the town („schleswig holstein, neumünster", „NRW, Hamm") is skipped.
_LAND_FIRST = re.compile(
    r"^\s*(?:nrw|bw|bayern|berlin|brandenburg|bremen|hamburg|hessen|niedersachsen|saarland|"
    r"sachsen(?:[- ]anhalt)?|th(?:ü|ue)ringen|schleswig[- ]holstein|rheinland[- ]pfalz|"
    r"mecklenburg[- ]vorpommern|nordrhein[- ]westfalen|baden[- ]w(?:ü|ue)rttemberg)\s*[,.:;-]\s*",
    re.IGNORECASE,
)
MIN_NAME = 3
BESIDE_OFFICE = 12  # words: beside an office, a name counts in a message up to this long
MISSPELT = 6  # words: … and a lowercase or misspelt one in a message up to this long
FUZZY_MIN = 6  # letters a misspelt name needs


def _plausible(key: str) -> bool:
    """Tell whether a folded name may be a town: neither starts nor ends with an article.

    „Nähe der" is no „Nahe" (the gazetteer would drop the „der"), „der Schule" no town either.
    """
    first, _, _ = key.partition(" ")
    last = key.rsplit(" ", 1)[-1]
    return key not in _NEVER and first not in _NEVER | QUALIFIERS and last not in QUALIFIERS


class Mentions:
    """Finds the place a message names, using a gazetteer and the words that are no town."""

    def __init__(self, gazetteer: Gazetteer, common_words: frozenset[str]) -> None:
        """Keep the gazetteer and the folded words of the knowledge base (never a town alone).

        Args:
            gazetteer: Postcodes and towns.
            common_words: Words of the knowledge base's questions, answers and stop words,
                folded: „Essen" in „Essen für die Kinder" is food.

        """
        self.gazetteer = gazetteer
        self.common = common_words

    def asks_locally(self, text: str) -> bool:
        """Tell whether a message asks for a place of help or an office."""
        return LOCAL_WORDS.search(text) is not None

    def place_in(self, text: str) -> Place | None:
        """Return the place a message names, or None (see the module's rules, in order)."""
        text = _SUFFIX.sub("", text)
        return (
            self._postcode(text)
            or self._after_place_word(text)
            or self._at_start(text)
            or self._beside_office(text)
        )

    def _postcode(self, text: str) -> Place | None:
        """Return the place of the first real postcode (not an amount or a customer number)."""
        for match in _POSTCODE.finditer(text):
            if _NOT_POSTCODE.search(text[max(0, match.start() - 16) : match.start()]):
                continue
            place = self.gazetteer.postcode(match.group(1))
            if place is not None:
                return place
        return None

    def _after_place_word(self, text: str) -> Place | None:
        """Return the first town named after „in", „aus", „Raum" … (rule 2)."""
        for candidate, strong, article in self._after_place_words(text):
            one, key = " " not in candidate, name_key(candidate)
            if not _plausible(key):
                continue
            if one and not strong and (article or key in self.common):
                continue  # „in der Halle", „in meine Wohnung"
            place = self._exact(candidate)
            if place is not None:
                return place
        return None

    def _exact(self, name: str) -> Place | None:
        """Return the town of a name exactly as the data writes it (or its first words)."""
        one = " " not in name
        short = len(name) < MIN_NAME + 2
        # A single word may stand for a longer name („Frankfurt", „Saalfeld"), not a short one.
        return self.gazetteer.named(name, fuzzy=False, exact=not one or short)

    def _at_start(self, text: str) -> Place | None:
        """Return the town the message starts with, before a comma or a full stop (rule 3)."""
        text = _LAND_FIRST.sub("", text, count=1)
        match = _START.match(text)
        if match is None:
            return None
        words = match.group(1).split()
        whole = match.end() >= len(text.rstrip())
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n])
            key = name_key(name)
            if n == 1 and (key in self.common or key in _NEVER or len(key) < MIN_NAME + 1):
                return None
            place = self._exact(name)
            if place is None and whole and n == len(words) and len(key) >= FUZZY_MIN:
                place = self.gazetteer.named(name)
            if place is not None:
                return place
        return None

    def _beside_office(self, text: str) -> Place | None:
        """Return a town named beside an office in a short message (rule 4)."""
        if not self.asks_locally(text):
            return None
        words = _WORD.findall(text)
        if len(words) > BESIDE_OFFICE:
            return None
        short = len(words) <= MISSPELT
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                name = " ".join(words[i : i + n])
                if not _plausible(name_key(name)):
                    continue
                if n == 1 and not self._may_be_town(name, short, len(words) <= 3):
                    continue
                place = self._exact(name)
                if place is None and n == 1 and len(words) <= MISSPELT:
                    place = self._misspelt(name)
                if place is not None:
                    return place
        return None

    def _misspelt(self, word: str) -> Place | None:
        """Return the town a long word misspells, if it is no word of the knowledge base."""
        if len(word) < FUZZY_MIN or LOCAL_WORDS.fullmatch(word):
            return None
        return self.gazetteer.named(word)

    def _after_place_words(self, text: str) -> Iterator[tuple[str, bool, bool]]:
        """Yield the names after „in", „aus", „Raum" …: three words, then two, then one.

        Each with whether a strong word („wohne", „Raum") came before it and whether an article
        stands between („in der Halle").
        """
        starts = sorted(
            [(m.end(), True, bool(_HAS_ARTICLE.search(m.group(1)))) for m in _STRONG.finditer(text)]
            + [
                (m.end(), False, bool(_HAS_ARTICLE.search(m.group(1))))
                for m in _BEFORE_PLACE.finditer(text)
            ]
        )
        for end, strong, article in starts:
            if _SOMEONE_ELSE.search(text[max(0, end - 40) : end]):
                continue  # her ex's or her mother's town is not where she needs help
            found = _NAMES.match(text, end)
            if found is None:
                continue
            parts = found.group(0).split()
            for n in range(len(parts), 0, -1):
                name = " ".join(parts[:n]).strip(".,;:!?/")
                if len(name) >= MIN_NAME:
                    yield name, strong, article

    def _may_be_town(self, word: str, short: bool, tiny: bool) -> bool:
        """Tell whether a bare word beside an office may be a town.

        It is no word of the knowledge base; capitalised, or in a short message („jugendamt
        celle"): „sie kamen gestern vom jugendamt" is no Kamen; three letters („Hof") only in
        a message of at most three words.
        """
        key = name_key(word)
        long_enough = len(key) >= (MIN_NAME if tiny else MIN_NAME + 1)
        cased = word[0].isupper() or short
        return long_enough and cased and key not in self.common and key not in _NEVER
