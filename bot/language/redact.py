"""Remove personal data from text before it may be stored.

Questions the bot could not answer and the reasons of a 👎 are kept so that editors can improve
the knowledge base. Before that, everything that identifies a person is replaced by a neutral
placeholder. The rules run in a fixed order, because a later rule would otherwise eat part of an
earlier match (the phone pattern swallows dates, the digit-run pattern swallows postcodes):

1. links, e-mail addresses, @usernames, IBANs;
2. case numbers and labelled identifiers (Az., Steuer-ID, Versicherungsnummer, Kundennummer …);
3. dates: every date with day, month and year, and a date of birth in any form;
4. street addresses with a house number, postcodes with their town;
5. phone numbers, then every remaining run of five or more digits;
6. names: the lists in knowledge/names.yaml, capitalised words after titles ("Herr", "Dr.")
   and relation words ("Tochter", "mein Ex", "Frau"), and — in a German text — capitalised
   words that neither the knowledge base nor German at large uses ("beim Getränkehandel
   Bruckmeier"; see `bot.language.rare_words`). A word at the start of a sentence is judged
   like any other: the frequency list knows "Heute" whatever its case.

Kept on purpose, because editors need them and they name nobody on their own: the topic words,
ages ("Lina (7)" becomes "[Name] (7)"), years, dates without a year, amounts of money
("12.000 Euro"), and towns without a postcode.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum, auto
from functools import cache, lru_cache
from pathlib import Path

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.datafiles.yamlsource import LocatedDict, Problem, ProblemsError, line_at, load_yaml
from bot.language.rare_words import RareWords

NAMES_FILE = DEFAULT_KNOWLEDGE_DIR / "names.yaml"
NAME = "[Name]"
_MAX_PASSES = 4

_Replacement = str | Callable[[re.Match[str], "NameLists"], str]


# --- name lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameLists:
    """The word lists of knowledge/names.yaml, as folded lookup keys (see `fold`).

    Attributes:
        plain: Names removed wherever they stand, in any case.
        capitalised: Names removed only when capitalised (their lowercase form is a word).
        context: Names removed only when capitalised and next to a cue, a name or an age.
        abbreviations: Names that are no name before a dot or a number ("Jan. 2024").
        titles: Words after which any word is a name ("Herr", "Dr").
        relations: Words after which a capitalised non-noun is a name ("Tochter", "Ex").
        introductions: Words after which any word is a name ("heiße", "namens").
        not_names: Words that never start or continue a name found through a cue.
        noun_endings: Endings that mark an unknown capitalised word as a noun.
        idioms: Phrases in which a name is an ordinary word ("frank und frei").
        vocabulary: The words the knowledge base uses (casefolded); such a word is never masked
            for being rare. Filled by the knowledge loader (`with_vocabulary`).

    """

    plain: frozenset[str]
    capitalised: frozenset[str]
    context: frozenset[str]
    abbreviations: frozenset[str]
    titles: frozenset[str]
    relations: frozenset[str]
    introductions: frozenset[str]
    not_names: frozenset[str]
    noun_endings: tuple[str, ...]
    idioms: tuple[str, ...] = ()
    vocabulary: frozenset[str] = frozenset()

    def every_name(self) -> frozenset[str]:
        """Return the keys of every name list."""
        return self.plain | self.capitalised | self.context


_VOCABULARY_WORD = re.compile(r"[^\W\d_]+")


def with_vocabulary(lists: NameLists, texts: Iterable[str]) -> NameLists:
    """Return the lists with the folded words of `texts` as the knowledge base's vocabulary."""
    words = {w.casefold() for text in texts for w in _VOCABULARY_WORD.findall(text)}
    return replace(lists, vocabulary=lists.vocabulary | frozenset(words))


_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe"})
_UMLAUTS = frozenset("äöü")
_UMLAUT_SPELLINGS = (
    str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"}),
    str.maketrans({"ä": "a", "ö": "o", "ü": "u"}),
)


def fold(word: str) -> str:
    """Return the lookup key of a word: casefolded, accents removed, German umlauts kept.

    Umlauts stay so that a name like "Hande" does not remove the word "Hände"; every other
    accent goes, so "Yilmaz" finds "Yılmaz" and "Sahin" finds "Şahin".

    Args:
        word: One word as written.

    Returns:
        The key used in `NameLists`.

    """
    key = word.casefold().translate(_FOLD)
    if key.isascii():
        return key
    kept = []
    for char in unicodedata.normalize("NFC", key):
        if char in _UMLAUTS:
            kept.append(char)
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            kept.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(kept)


def _keys(words: Iterable[str]) -> frozenset[str]:
    """Fold words, adding the spellings without umlauts ("Jürgen": "juergen", "jurgen")."""
    keys = set()
    for word in words:
        key = fold(word)
        keys.add(key)
        keys.update(key.translate(table) for table in _UMLAUT_SPELLINGS)
    return frozenset(keys)


def _check_restricted(path: Path, doc: LocatedDict, names: frozenset[str]) -> list[Problem]:
    """Report words in the restricted lists that are in no name list (probably a typo)."""
    problems = []
    for key in ("only_capitalised", "only_in_context", "abbreviations"):
        for index, word in enumerate(doc[key]):
            if fold(word) not in names:
                line = line_at(doc, (key, index))
                problems.append(Problem(path, line, f"{key}[{index}]: '{word}' is in no name list"))
    return problems


def _validated(path: Path) -> LocatedDict:
    """Load names.yaml and check it against its schema, reporting every problem by line."""
    import jsonschema  # here: a start from the knowledge cache does without its import time

    document = load_yaml(path)
    schema = json.loads((path.parent / "schemas" / "names.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        Problem(path, line_at(document, error.absolute_path), error.message)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if problems or not isinstance(document, LocatedDict):
        raise ProblemsError(problems or [Problem(path, 1, "expected a mapping of word lists")])
    return document


def load_name_lists(path: Path = NAMES_FILE) -> NameLists:
    """Load and check the name lists.

    Args:
        path: The names file; its schema is read from `schemas/` beside it.

    Returns:
        The lists as folded keys.

    Raises:
        ProblemsError: With every problem as `file:line: message`.

    """
    doc = _validated(path)
    every_name = _keys([*(n for group in doc["first_names"].values() for n in group)])
    every_name |= _keys(doc["surnames"])
    problems = _check_restricted(path, doc, every_name)
    if problems:
        raise ProblemsError(problems)
    capitalised = _keys(doc["only_capitalised"])
    context = _keys(doc["only_in_context"])
    return NameLists(
        plain=every_name - capitalised - context,
        capitalised=capitalised,
        context=context,
        abbreviations=_keys(doc["abbreviations"]),
        titles=_keys(doc["titles"]),
        relations=_keys(doc["relations"]),
        introductions=_keys(doc["introductions"]),
        not_names=_keys(doc["not_names"]),
        noun_endings=tuple(sorted({fold(e) for e in doc["noun_endings"]})),
        idioms=tuple(doc.get("idioms", ())),
    )


@cache
def default_name_lists() -> NameLists:
    """Return the shipped name lists, loaded once per process."""
    return load_name_lists(NAMES_FILE)


# --- identifiers, dates and addresses -----------------------------------------------------------

_UNIT = (
    r"(?:Jahre?n?|J\.|J|jährig\w*|Tage?n?|Wochen?|Monate?n?|Minuten|Min|Stunden?|Std|Uhr|Euro|€|EUR"
    r"|%|Prozent|km|m|Mal|x|Kinder|Kind|Personen|Leute|Zimmer|qm|m²|Cent|Tsd|brutto|netto)"
)
_MONTH = (
    r"(?:Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember|Jan|Feb|Mär|Mrz|Apr|Jun|Jul|Aug|Sept|Sep|Okt|Nov|Dez)\.?"
)
_HOUSE = r"\d{1,3}(?:\s?[a-hA-H]\b)?(?:\s?[-/]\s?\d{1,3}[a-hA-H]?)?"
_FLOOR = (
    r"(?:\s?,?\s?(?:\d{1,2}\.\s?(?:OG|Obergeschoss|Etage|Stock)\b|EG\b|DG\b|UG\b|Erdgeschoss"
    r"|Dachgeschoss|Hinterhaus|Vorderhaus|Seitenflügel|HH\b|VH\b|links\b|rechts\b"
    r"|Whg\.?\s?\d{1,4}\b|Wohnung\s\d{1,4}\b|App\.?\s?\d{1,4}\b))*"
)
_STREET_SUFFIX = (
    r"(?:straße|strasse|str\.?|weg|allee|gasse|damm|ufer|chaussee|steig|stieg|pfad|platz|ring"
    r"|promenade|twiete|kamp|wall|graben|zeile|redder)"
)
# Compounds with a street ending that are no street ("Umweg 2", "Kitaplatz 3"); a bare "Weg 3"
# or "Platz 2" is no street either. "Schulstraße 5" and "Schulweg 12" are.
_NOT_A_STREET = re.compile(
    r"(?i)(?:kita|krippen|kindergarten|spiel|park|arbeits|ausbildungs|studien|therapie|betreuungs"
    r"|hort|praktikums|kur|reha|pflege|stell|schlaf|sitz|lehr|wohn|heim|camping)platz"
    r"|(?:um|aus|rück|hin|rechts|bildungs|lebens|heim|arbeits|ab)weg"
    r"|(?:ehe|finger|schlüssel|freundes|bekannten|ohr)ring"
    r"|platz|weg|ring|wall|graben|damm|ufer|steig|stieg|pfad|zeile|kamp|gasse|allee|straße|strasse|str\.?"
)
_PREFIXED_STREET = (
    r"(?:Am|An der|An den|An dem|Im|In der|In den|Auf der|Auf dem|Auf den|Zum|Zur|Unter den"
    r"|Unter der|Hinter der|Hinter dem|Vor dem|Vor der|Beim|Bei der|Über der|Alte|Alter|Neue|Neuer)"
)


def _labelled(match: re.Match[str], lists: NameLists) -> str:
    """Replace the value of a labelled identifier, keeping the label; phones are left alone."""
    label, value = match.group("label"), match.group("value")
    if re.search(r"(?i)telefon|handy|tel\b|mobil|fax|ruf|whats", label):
        return match.group()
    trailing = len(value) - len(value.rstrip(".-/"))
    if sum(c.isdigit() for c in value) < 3:
        return match.group()
    court = re.fullmatch(r"(?i)az|aktenzeichen|geschäftszeichen|gz|.*zeichen", label) is not None
    placeholder = "[Aktenzeichen]" if court else "[Nummer]"
    head = match.group()[: match.start("value") - match.start()]
    return head + placeholder + value[len(value) - trailing :]


def _long_number(match: re.Match[str], lists: NameLists) -> str:
    """Replace a token that mixes letters and five or more digits (customer or BG numbers)."""
    if sum(c.isdigit() for c in match.group()) < 5:
        return match.group()
    return "[Nummer]"


def _street(match: re.Match[str], lists: NameLists) -> str:
    """Replace a street with house number unless the 'street' is a common compound."""
    words = match.group("street").split()
    if len(words) == 1 and _NOT_A_STREET.fullmatch(words[0]):
        return match.group()
    if len(words) > 1 and fold(words[0]) in lists.not_names:
        return match.group()  # "in der Straße 5 Familien"
    return "[Adresse]"


def _prefixed_street(match: re.Match[str], lists: NameLists) -> str:
    """Replace "Am Rosengarten 5" unless the words are time or topic words ("Am Montag 5")."""
    if any(fold(word) in lists.not_names for word in match.group("street").split()):
        return match.group()
    return "[Adresse]"


# Endings no German town has: "15000 Abfindung" is an amount, not a postcode with its town.
_NOUN_NOT_TOWN = ("ung", "heit", "keit", "schaft", "geld", "tion", "ität", "ismus")


def _postcode(match: re.Match[str], lists: NameLists) -> str:
    """Replace a postcode with its town, unless the number is an amount ("12000 euro")."""
    town = match.group("town")
    key = fold(town.split()[0])
    before = match.string[max(0, match.start() - 2) : match.start()]
    if "€" in before or re.fullmatch(_UNIT, town.split()[0], re.IGNORECASE):
        return match.group()
    if key in lists.not_names or key.endswith(_NOUN_NOT_TOWN):
        return match.group()  # "15000 Schulden"
    if not town[0].isupper() and key.endswith(lists.noun_endings):
        return match.group()
    return "[Ort]"


_MONEY_AFTER = re.compile(r"(?i)\s?(?:,\d{1,2}|,-)?\s?(?:€|euro\b|eur\b|tsd\b|brutto\b|netto\b)")
# Public helplines name nobody and editors need them: 116 117, 116 111, Telefonseelsorge …
_PUBLIC_NUMBER = re.compile(r"116\s?\d{3}|0800\s?111\s?0\s?(?:111|222)|08000\s?116\s?016")


def _phone(match: re.Match[str], lists: NameLists) -> str:
    """Replace a phone number unless it is a public helpline."""
    return match.group() if _PUBLIC_NUMBER.fullmatch(match.group()) else "[Telefon]"


def _digits(match: re.Match[str], lists: NameLists) -> str:
    """Replace a run of five or more digits, but keep amounts of money and helplines."""
    if _PUBLIC_NUMBER.fullmatch(match.group()):
        return match.group()
    before = match.string[max(0, match.start() - 2) : match.start()]
    if "€" in before or _MONEY_AFTER.match(match.string, match.end()):
        return match.group()
    return "[Zahl]"


def _birth_date(match: re.Match[str], lists: NameLists) -> str:
    """Replace a date of birth, keeping the word that announced it ("geb. [Datum]")."""
    return match.group("cue") + "[Datum]"


_NOT_UNIT = rf"(?!\d)(?!\s?{_UNIT}(?!\w))"

_RULES: tuple[tuple[re.Pattern[str], _Replacement], ...] = (
    (
        re.compile(
            r"https?://\S+|www\.\S+|\bt\.me/\S+|(?<![\w-])[\w-]+\.(?:de|com|org|net|eu|info|me)/\S*"
        ),
        "[Link]",
    ),
    # The lookbehind keeps a long word from being scanned from each of its letters.
    (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[E-Mail]"),
    (re.compile(r"(?<![\w@./\]])@[A-Za-z]\w{2,31}"), "[Nutzername]"),
    # IBAN: two letters, two check digits, 11–30 alphanumerics, possibly grouped by spaces.
    (
        re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?\b"),
        "[IBAN]",
    ),
    (
        re.compile(
            r"(?i)\b(?P<label>az|aktenzeichen|geschäftszeichen|gz|kassenzeichen"
            r"|(?:ihr|unser|mein)e?s?\s+zeichen|(?:[^\W\d_]{1,30}-)?[^\W\d_]{0,30}(?:nummer|nr)"
            r"|steuer[-\s]?id|id-?nr|st-?nr)\.?"
            r"\s*[:#]?\s*(?:ist\s+|lautet\s+)?"
            r"(?P<value>(?:[A-Za-z]{1,4}[\s-]?)?\d[\dA-Za-z/.-]*"
            r"(?:\s(?:(?!(?:am|im|ab|an|in|um|zu|vom|bis|und)\b)(?:[A-Za-z]{1,2}|[A-Z]{3})\s)?"
            r"\d[\dA-Za-z/.-]*)*)"
        ),
        _labelled,
    ),
    # Court file numbers without a label: "12 F 345/23", "XII ZB 123/20".
    (
        re.compile(r"\b(?:\d{1,3}|[IVX]{1,4})\s?[A-Z][A-Za-z]{0,2}\s?\d{1,5}/\d{2}\b"),
        "[Aktenzeichen]",
    ),
    # Rentenversicherungsnummer ("65 170839 J 003") and Krankenversichertennummer ("A123456789").
    (re.compile(r"\b\d{2}\s?\d{6}\s?[A-Z]\s?\d{3}\b|\b[A-Z]\d{9}\b"), "[Nummer]"),
    (re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{6,}\b"), _long_number),
    (
        re.compile(
            rf"(?i)(?P<cue>(?:\b(?:geb\.?|geboren|geburtsdatum|geb\.?-?datum|geburtstag)"
            rf"(?:\s*(?:am|im|den|ist|war))?\s*:?\s*)|(?<![\w*])\*\s?)"
            rf"(?P<date>\d{{1,2}}\.\s?\d{{1,2}}\.?(?:\s?(?:19|20)?\d{{2}}\b)?"
            rf"|\d{{1,2}}\.?\s?{_MONTH}(?:\s?(?:19|20)\d{{2}}\b)?|{_MONTH}\s?(?:19|20)\d{{2}}\b)"
        ),
        _birth_date,
    ),
    (
        re.compile(
            rf"(?i)\b\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:19|20)?\d{{2}}\b"
            rf"|\b\d{{1,2}}\.?\s?{_MONTH}\s?(?:19|20)\d{{2}}\b"
            rf"|\b\d{{1,2}}/\d{{1,2}}/(?:19|20)?\d{{2}}\b|\b(?:19|20)\d{{2}}-\d{{1,2}}-\d{{1,2}}\b"
        ),
        "[Datum]",
    ),
    (
        re.compile(
            rf"(?i)(?<![\w'’-])(?P<street>[^\W\d_][\w'’-]*?{_STREET_SUFFIX})\s?{_HOUSE}{_NOT_UNIT}{_FLOOR}"
        ),
        _street,
    ),
    (
        re.compile(
            r"(?i)(?<![\w-])(?P<street>[^\W\d_][\w-]*(?:er|e|en|es)\s(?:straße|strasse|str\.?|allee|weg"
            rf"|platz|ring|damm|chaussee|ufer|gasse|steig|markt|reihe))\s?{_HOUSE}{_NOT_UNIT}{_FLOOR}"
        ),
        _street,
    ),
    (
        re.compile(
            rf"\b{_PREFIXED_STREET}\s(?P<street>[A-ZÄÖÜ][\wäöüß'’-]+(?:\s[A-ZÄÖÜ][\wäöüß'’-]+)?)"
            rf"\s{_HOUSE}{_NOT_UNIT}{_FLOOR}"
        ),
        _prefixed_street,
    ),
    (
        re.compile(
            r"\b(?:D\s?-\s?)?(?<!\d)\d{5}(?!\d)\s+(?P<town>[^\W\d_][\w'’-]*"
            r"(?:\s(?:am|an der|a\.|im|ob der|vor der)\s?[A-ZÄÖÜ][\w'’-]*)?)"
        ),
        _postcode,
    ),
    # Phone numbers: +49 / 0 prefixes with digits, spaces, slashes, dashes, brackets.
    (re.compile(r"(?:\+|\b00|\b0)\d[\d\s/().-]{5,}\d"), _phone),
    # Any remaining run of 5+ digits (tax ids, customer numbers …), amounts of money aside.
    (re.compile(r"\d(?:[\s.-]?\d){4,}"), _digits),
)


# --- names -------------------------------------------------------------------------------------


class _Kind(Enum):
    """What a token may be, before its neighbours are looked at."""

    NAME = auto()  # a name wherever it stands (or a [Name] placeholder)
    MAYBE = auto()  # a name next to a cue, a name or an age ("Rose", "frank")
    TITLE = auto()  # Herr, Dr: the next word is a name
    INTRO = auto()  # heiße, namens: the next word is a name
    RELATION = auto()  # Tochter, Ex: the next capitalised non-noun is a name
    WORD = auto()  # an unknown word
    OTHER = auto()  # not_names, punctuation, numbers, other placeholders


@dataclass
class _Token:
    """One word, number, placeholder or punctuation mark of the text."""

    text: str
    start: int
    end: int
    kind: _Kind = _Kind.OTHER
    capital: bool = False
    noun: bool = False  # an unknown word that ends like a noun


# Whole runs of letters and digits, so that no name is found inside "A0LIA0" or "lina_99".
_PLACEHOLDERS = (
    "Name|Adresse|Ort|Datum|Telefon|Zahl|E-Mail|IBAN|Link|Nutzername|Aktenzeichen|Nummer"
)
_TOKEN = re.compile(rf"\[(?:{_PLACEHOLDERS})\]|\w+(?:[-'’]\w+)*|\S")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_LIST_JOINERS = frozenset({",", "und", "&", "oder", "u", "sowie"})
_CUE_FILLERS = frozenset({":", "(", "-", "–", "—", '"', "„", "“", "”", "'", "»", "«"})
_INTRO_FILLERS = frozenset({"ist", "lautet", "war", ","})
# "der Vater heißt Brockmöller": after a relation word, "heißt" introduces a name (alone it
# also means "means": "Was heißt Beistandschaft?").
_NAMING_VERBS = frozenset({"heißt", "heisst", "heißen", "heissen", "hieß", "hiess"})
# Degrees between a title and the name: "Dr. med. Ak", "Dr. rer. nat. Ak".
_DEGREES = frozenset({"med", "dent", "rer", "nat", "phil", "jur", "habil", "vet", "dipl", "ing"})
_ABBREVIATED_CUES = frozenset({"fr", "hr", "dr", "prof", "fam"})  # "Dr. Müller"
_AGE_WORDS = frozenset({"j", "jahre", "jahr", "jährig", "jaehrig", "monate", "mon", "m"})
_CUE_KINDS = (_Kind.TITLE, _Kind.INTRO, _Kind.RELATION)


def _name_kind(key: str, capital: bool, lists: NameLists) -> _Kind | None:
    """Classify a key by the name lists alone; None if it is in none of them."""
    if key in lists.plain:
        return _Kind.NAME
    if key in lists.capitalised:
        return _Kind.NAME if capital else _Kind.MAYBE
    if key in lists.context:
        return _Kind.MAYBE if capital else _Kind.OTHER
    return None


def _word_kind(word: str, capital: bool, lists: NameLists) -> _Kind:
    """Classify one word: a name, a cue, a known non-name or unknown."""
    key = re.sub(r"['’]s$", "", fold(word))
    kind = _name_kind(key, capital, lists)
    if kind is None and len(key) > 3 and key.endswith("s") and key not in lists.not_names:
        # Genitive "Linas Vater"; restricted names are too close to ordinary words for this.
        kind = _Kind.NAME if key[:-1] in lists.plain else None
    if kind is not None:
        return kind
    if "-" in key:
        parts = key.split("-")
        if any(p in lists.plain for p in parts) and all(_name_kind(p, True, lists) for p in parts):
            return _Kind.NAME  # "Anna-Lena", "Karl-Heinz"
        key = parts[-1]  # "Ex-Mann" is a relation, "Mutter-Kind-Kur" is not
    for cues, cue_kind in (
        (lists.titles, _Kind.TITLE),
        (lists.introductions, _Kind.INTRO),
        (lists.relations, _Kind.RELATION),
    ):
        if key in cues:
            return cue_kind
    return _Kind.OTHER if key in lists.not_names else _Kind.WORD


# "Jan. 2024", "max 300 Euro": an abbreviation, unless the number is an age ("Max 7 Jahre").
_ABBREVIATION_USE = re.compile(r"\.\s?\d|\s?\d+(?!\s?(?:J\b|J\.|Jahre|jähr|Monat))")


@cache
def _idiom_pattern(idioms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Compile the idioms into one case-insensitive pattern (None without idioms)."""
    if not idioms:
        return None
    phrases = sorted((r"\s+".join(map(re.escape, p.split())) for p in idioms), key=len)[::-1]
    return re.compile(rf"(?<!\w)(?:{'|'.join(phrases)})(?!\w)", re.IGNORECASE)


def _tokens(text: str, lists: NameLists) -> list[_Token]:
    """Split text into classified tokens; words inside an idiom are never names."""
    idioms = _idiom_pattern(lists.idioms)
    protected = [m.span() for m in idioms.finditer(text)] if idioms else []
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        token = _Token(word, match.start(), match.end())
        if word == NAME:
            token.kind = _Kind.NAME
        elif _WORD.fullmatch(word) and not any(a <= match.start() < b for a, b in protected):
            token.capital = word[0].isupper() and not (len(word) > 2 and word.isupper())
            token.kind = _word_kind(word, token.capital, lists)
            key = fold(word)
            if token.kind is _Kind.WORD:
                token.noun = key.endswith(lists.noun_endings)
            elif key in lists.abbreviations and _ABBREVIATION_USE.match(text, match.end()):
                token.kind = _Kind.OTHER
            elif key in _ABBREVIATED_CUES and not token.capital and text[match.end() :][:1] != ".":
                token.kind = _Kind.OTHER  # Swabian "dr Kerle" is "der", not "Dr."
        tokens.append(token)
    _mark_rare(tokens, lists)
    return tokens


@lru_cache(maxsize=4)
def _rare_words(lists: NameLists) -> RareWords:
    """Return the frequency judge for these lists (a reloaded knowledge base brings new ones)."""
    return RareWords(lists.vocabulary, lists.every_name())


def _mark_rare(tokens: Sequence[_Token], lists: NameLists) -> None:
    """Make capitalised words that German seldom uses names, in a German text only.

    "beim Getränkehandel Bruckmeier": "Getränkehandel" is a compound of common words and stays;
    "Bruckmeier" ends in a name and is rare, so it goes. Words that end like a noun
    ("-ung", "-geld") stay, like after a relation word.
    """
    candidates = [
        t
        for t in tokens
        if t.kind is _Kind.WORD and t.capital and not t.noun and len(t.text) >= _SHORTEST_RARE
    ]
    if not candidates:
        return
    rare = _rare_words(lists)
    words = [_rare_key(t.text) for t in tokens if _WORD.fullmatch(t.text)]
    if not rare.is_german(words):
        return
    for token in candidates:
        if rare.is_rare(_rare_key(token.text)):
            token.kind = _Kind.NAME


_SHORTEST_RARE = 3


def _rare_key(word: str) -> str:
    """Return the frequency list's key of a word: casefolded, without "'s" or "'tan"."""
    return re.split(r"['’]", word.casefold())[0]


def _is_age(parts: Sequence[str]) -> bool:
    """Tell whether folded tokens are an age: "7", "7 j", "7 j .", "7 jahre" (not "2023")."""
    if not parts or not (parts[0].isdigit() and len(parts[0]) <= 2):
        return False
    return list(parts[2:]) in ([], ["."]) and (len(parts) == 1 or parts[1] in _AGE_WORDS)


def _skip_age(tokens: Sequence[_Token], k: int, brackets_only: bool = False) -> int:
    """Return the index after an age at `k` ("(7)", "(7 J.)", ", 7 Jahre", "7 Jahre"), else k."""
    texts = [t.text.casefold() for t in tokens[k : k + 5]]
    if texts[:1] == ["("]:
        for size in (1, 2, 3):
            if texts[size + 1 : size + 2] == [")"] and _is_age(texts[1 : size + 1]):
                return k + size + 2
        return k
    if brackets_only:
        return k
    start = 1 if texts[:1] == [","] else 0
    if len(texts) > start + 1 and _is_age(texts[start : start + 2]):
        return k + start + 2
    return k


def _continues(token: _Token, context: bool) -> bool:
    """Tell whether a word right after a name belongs to it ("Anneliese Krüger")."""
    if token.kind is _Kind.NAME:
        return True
    if token.kind is _Kind.MAYBE:
        return token.capital
    return context and token.kind is _Kind.WORD and token.capital and not token.noun


def _extend(tokens: Sequence[_Token], j: int, marked: set[int], context: bool) -> None:
    """Mark the words that continue the name at `j`: a surname, more names in a list.

    Args:
        tokens: All tokens.
        j: The index of a token already known to be a name.
        marked: The indices of name tokens; extended in place.
        context: The name came after a cue, so unknown capitalised words may continue it.

    """
    k = j + 1
    while k < len(tokens):
        after_age = _skip_age(tokens, k)
        if after_age == k and _continues(tokens[k], context):
            marked.add(k)
            k += 1
            continue
        k = after_age
        if k + 1 < len(tokens) and tokens[k].text.casefold() in _LIST_JOINERS:
            following = tokens[k + 1]
            # "Ben und max": a restricted name joins a list of names, an unknown word only
            # after a cue ("Kinder Malia und Keanu").
            if following.kind in (_Kind.NAME, _Kind.MAYBE) or (
                context and _continues(following, context)
            ):
                marked.add(k + 1)
                k += 2
                continue
        break


def _opens_name(token: _Token, strong: bool) -> bool:
    """Tell whether the word after a cue is a name (after a title: any unknown word)."""
    if token.kind in (_Kind.NAME, _Kind.MAYBE):
        return True
    return token.kind is _Kind.WORD and (strong or (token.capital and not token.noun))


def _title_part(tokens: Sequence[_Token], j: int, strong: bool) -> bool:
    """Tell whether token `j` belongs to a title: the dot of "Dr.", a degree like "med."."""
    key = fold(tokens[j].text)
    if key == ".":
        return fold(tokens[j - 1].text) in _ABBREVIATED_CUES | _DEGREES
    return strong and key in _DEGREES


def _after_cue(tokens: Sequence[_Token], i: int, marked: set[int]) -> int:
    """Mark the name that follows the cue at `i` ("Tochter Lina", "Herr Yilmaz", "Dr. Ak").

    Returns:
        The index of the first token after the cue words, so that they are not looked at again.

    """
    strong = tokens[i].kind is _Kind.TITLE
    intro = tokens[i].kind is _Kind.INTRO
    # "Name", "Vorname": only "Name: Lina" or "Name ist Lina", not "Name des Kindes".
    needs_filler = intro and fold(tokens[i].text).endswith("name")
    j, fillers = i + 1, 0
    while j < len(tokens):
        token, key = tokens[j], fold(tokens[j].text)
        if token.kind in _CUE_KINDS:
            strong = strong or token.kind is _Kind.TITLE
            intro = intro or token.kind is _Kind.INTRO
        elif _title_part(tokens, j, strong):
            pass
        elif fillers < 2 and (
            token.text in _CUE_FILLERS or key in _NAMING_VERBS or (intro and key in _INTRO_FILLERS)
        ):
            fillers += 1
        else:
            break
        j += 1
    if needs_filler and not fillers:
        return j
    if j < len(tokens) and _opens_name(tokens[j], strong):
        marked.add(j)
        _extend(tokens, j, marked, context=True)
    return j


def _marked(tokens: Sequence[_Token]) -> set[int]:
    """Return the indices of the tokens that are (part of) a name."""
    marked: set[int] = set()
    covered = 0  # tokens before this were already looked at from an earlier cue or name
    for i, token in enumerate(tokens):
        if i < covered or i in marked:
            continue
        if token.kind in _CUE_KINDS:
            covered = _after_cue(tokens, i, marked)
        elif token.kind is _Kind.NAME:
            marked.add(i)
            _extend(tokens, i, marked, context=False)
    # Backwards, so that "Rose Anna Müller" is found from "Müller" on.
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        if i in marked or not token.capital:
            continue
        before_name = i + 1 in marked and token.kind is _Kind.MAYBE
        aged = token.kind is _Kind.MAYBE and _skip_age(tokens, i + 1) > i + 1
        aged = aged or (
            token.kind is _Kind.WORD and not token.noun and _skip_age(tokens, i + 1, True) > i + 1
        )
        if before_name or aged:
            marked.add(i)
    return marked


def _redact_names(text: str, lists: NameLists) -> str:
    """Replace every name in `text` by "[Name]"; neighbouring name words become one."""
    tokens = _tokens(text, lists)
    marked = sorted(_marked(tokens))
    if not marked:
        return text
    pieces, position, index = [], 0, 0
    while index < len(marked):
        last = index
        while last + 1 < len(marked) and marked[last + 1] == marked[last] + 1:
            last += 1
        pieces += [text[position : tokens[marked[index]].start], NAME]
        position = tokens[marked[last]].end
        index = last + 1
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str, names: NameLists | None = None) -> str:
    """Replace personal data in a parent's text with placeholders like "[Name]".

    Args:
        text: Free text written by a parent.
        names: The name lists; the shipped knowledge/names.yaml when omitted.

    Returns:
        The text with names, addresses, dates of birth, phone numbers, e-mail addresses, links,
        usernames, IBANs, case numbers and other identifiers replaced by placeholders.

    """
    lists = names or default_name_lists()
    # A placeholder can give a neighbour a word boundary it did not have ("116000A[Zahl]"), so
    # repeat until nothing changes: redacting a redacted text must change nothing.
    for _ in range(_MAX_PASSES):
        redacted = _redact_once(text, lists)
        if redacted == text:
            break
        text = redacted
    return text


def _redact_once(text: str, lists: NameLists) -> str:
    """Run every rule once, in order, then replace the names."""
    for pattern, replacement in _RULES:
        text = _apply(pattern, replacement, text, lists)
    return _redact_names(text, lists)


def _apply(pattern: re.Pattern[str], replacement: _Replacement, text: str, lists: NameLists) -> str:
    """Apply one rule; replacement functions also get the name lists."""
    if isinstance(replacement, str):
        return pattern.sub(replacement, text)
    return pattern.sub(lambda match: replacement(match, lists), text)
