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
6. names: the lists in knowledge/names.yaml, and capitalised words after titles ("Herr", "Dr.")
   and relation words ("Tochter", "mein Ex", "Frau").

Kept on purpose, because editors need them and they name nobody on their own: the topic words,
ages ("Lina (7)" becomes "[Name] (7)"), years, dates without a year, amounts of money
("12.000 Euro"), and towns without a postcode.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, auto
from functools import cache
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.content.yamlsource import LocatedDict, Problem, ProblemsError, line_at, load_yaml

NAMES_FILE = DEFAULT_KNOWLEDGE_DIR / "names.yaml"
NAME = "[Name]"

_Replacement = str | Callable[[re.Match[str]], str]


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
    import jsonschema  # imported here: only loading needs it, not every redaction

    document = load_yaml(path)
    import json

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
# Compounds with a street ending that are no street ("Schulweg 2 km", "Kitaplatz 3").
_NOT_A_STREET = re.compile(
    r"(?i)(?:kita|krippen|kindergarten|schul|spiel|park|arbeits|ausbildungs|studien|therapie|betreuungs"
    r"|hort|praktikums|kur|reha|heim|pflege|stell|schlaf|sitz|lehr|wohn|camping|ehe|finger|schlüssel"
    r"|um|aus|rück|hin|rechts|bildungs|lebens|fuß|heim|arbeits|nach|ab|weg|zu|in|freundes|bekannten"
    r"|teufels|rettungs|fahr|geh|rad)?(?:platz|weg|ring|wall|graben|damm|ufer|steig|pfad|zeile|kamp"
    r"|str\.?|straße|strasse|gasse|allee)"
)
_PREFIXED_STREET = (
    r"(?:Am|An der|An den|An dem|Im|In der|In den|Auf der|Auf dem|Auf den|Zum|Zur|Unter den"
    r"|Unter der|Hinter der|Hinter dem|Vor dem|Vor der|Beim|Bei der|Über der|Alte|Alter|Neue|Neuer)"
)


def _labelled(match: re.Match[str]) -> str:
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


def _long_number(match: re.Match[str]) -> str:
    """Replace a token that mixes letters and five or more digits (customer or BG numbers)."""
    if sum(c.isdigit() for c in match.group()) < 5:
        return match.group()
    return "[Nummer]"


def _street(match: re.Match[str]) -> str:
    """Replace a street with house number unless the 'street' is a common compound."""
    street = match.group("street")
    words = street.split()
    if _NOT_A_STREET.fullmatch(words[-1]) or fold(words[0]) in default_name_lists().not_names:
        return match.group()
    return "[Adresse]"


def _prefixed_street(match: re.Match[str]) -> str:
    """Replace "Am Rosengarten 5" unless the words are time or topic words ("Am Montag 5")."""
    not_names = default_name_lists().not_names
    if any(fold(word) in not_names for word in match.group("street").split()):
        return match.group()
    return "[Adresse]"


def _postcode(match: re.Match[str]) -> str:
    """Replace a postcode with its town, unless the number is an amount ("12000 euro")."""
    town = match.group("town")
    key = fold(town.split()[0].rstrip("."))
    lists = default_name_lists()
    if re.fullmatch(_UNIT, town.split()[0], re.IGNORECASE) or key in lists.not_names:
        return match.group()
    if not town[0].isupper() and key.endswith(lists.noun_endings):
        return match.group()
    return "[Ort]"


_MONEY_AFTER = re.compile(r"(?i)\s?(?:,\d{1,2}|,-)?\s?(?:€|euro\b|eur\b|tsd\b|brutto\b|netto\b)")


def _digits(match: re.Match[str]) -> str:
    """Replace a run of five or more digits, but keep amounts of money."""
    before = match.string[max(0, match.start() - 2) : match.start()]
    if "€" in before or _MONEY_AFTER.match(match.string, match.end()):
        return match.group()
    return "[Zahl]"


_RULES: tuple[tuple[re.Pattern[str], _Replacement], ...] = (
    (re.compile(r"https?://\S+|www\.\S+|\bt\.me/\S+|\b[\w-]+\.(?:de|com|org|net|eu|info|me)/\S*"), "[Link]"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[E-Mail]"),
    (re.compile(r"(?<![\w@./])@[A-Za-z]\w{2,31}"), "[Nutzername]"),
    # IBAN: two letters, two check digits, 11–30 alphanumerics, possibly grouped by spaces.
    (
        re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?\b"),
        "[IBAN]",
    ),
    (
        re.compile(
            r"(?i)\b(?P<label>az|aktenzeichen|geschäftszeichen|gz|kassenzeichen"
            r"|(?:ihr|unser|mein)e?s?\s+zeichen|[\w-]*(?:nummer|nr)|steuer-?id|id-?nr|st-?nr)\.?"
            r"\s*[:#]?\s*(?P<value>(?:[A-Za-z]{1,4}[\s-]?)?\d[\dA-Za-z/.-]*"
            r"(?:\s(?:(?!(?:am|im|ab|an|in|um|zu|vom|bis|und)\b)(?:[A-Za-z]{1,2}|[A-Z]{3})\s)?"
            r"\d[\dA-Za-z/.-]*)*)"
        ),
        _labelled,
    ),
    # Court file numbers without a label: "12 F 345/23", "XII ZB 123/20".
    (re.compile(r"\b(?:\d{1,3}|[IVX]{1,4})\s?[A-Z][A-Za-z]{0,2}\s?\d{1,5}/\d{2}\b"), "[Aktenzeichen]"),
    # Rentenversicherungsnummer ("65 170839 J 003") and Krankenversichertennummer ("A123456789").
    (re.compile(r"\b\d{2}\s?\d{6}\s?[A-Z]\s?\d{3}\b|\b[A-Z]\d{9}\b"), "[Nummer]"),
    (re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{6,}\b"), _long_number),
    # A date of birth in any form; the cue word stays so the text still reads.
    (
        re.compile(
            rf"(?i)(?:\b(?:geb\.|geb\b|geboren(?:\s+(?:am|im|den))?|geburtsdatum|geb\.?-?datum"
            rf"|geburtstag(?:\s+(?:am|ist))?)\s*:?\s*|(?<![\w*])\*\s?)"
            rf"\K?(?=\d|{_MONTH})"
        )
        if False
        else re.compile(r"(?!x)x"),
        "",
    ),
)
