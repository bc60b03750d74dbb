"""Typed input of flow steps: ages (numbers, months, birth dates), whole numbers and amounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from bot.flows.model import Side

_DATE = re.compile(r"(?<![\d-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_NUMBER = re.compile(r"(?<![\d.])(-?\d+)(?![\d.])")
_MONTHS = re.compile(r"(?<![\d.])(\d+)\s*(monat|monate|mon\b|wochen|woche|tage|tag)")


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def parse_ages(
    text: str, today: date, lowest: int, highest: int, max_items: int
) -> list[int] | None:
    """Read one or more ages ("5", "3 und 8", "3 Monate", "12.03.2019"); None if invalid."""
    ages: list[int] = []
    rest = text.lower()
    for match in _DATE.finditer(rest):
        day, month, year = (int(g) for g in match.groups())
        try:
            birth = date(year, month, day)
        except ValueError:
            return None
        if birth > today:
            return None
        ages.append(_age_on(birth, today))
    rest = _DATE.sub(" ", rest)
    for _ in _MONTHS.finditer(rest):
        ages.append(0)  # a baby's age in months, weeks or days
    rest = _MONTHS.sub(" ", rest)
    for match in _NUMBER.finditer(rest):
        ages.append(int(match.group(1)))
    if not ages or len(ages) > max_items or any(not lowest <= a <= highest for a in ages):
        return None
    return ages


def parse_integer(text: str, lowest: int, highest: int) -> int | None:
    """Read exactly one whole number within bounds; None otherwise."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    value = int(numbers[0])
    return value if lowest <= value <= highest else None


class Relation(Enum):
    """How a typed amount relates to its number."""

    ABOUT = "about"  # „1500", „ca. 1.200": the amount itself
    JUST_ABOVE = "just_above"  # „gut 600": a little more than 600
    JUST_BELOW = "just_below"  # „knapp 1.000": a little less than 1.000
    ABOVE = "above"  # „über 600", „mehr als 600": any amount above 600
    BELOW = "below"  # „unter 600", „weniger als 600": any amount from just above 0 to 600
    AT_LEAST = "at_least"  # „ab 600", „mindestens 600", „600 oder mehr", „600+"
    AT_MOST = "at_most"  # „bis 600", „höchstens 600", „600 oder weniger"
    BETWEEN = "between"  # „zwischen 900 und 1.100", „900 bis 1.100", „900-1100"


class Basis(Enum):
    """Whether the parent said the amount is before or after deductions."""

    UNSAID = "unsaid"
    GROSS = "brutto"
    NET = "netto"


@dataclass(frozen=True)
class TypedAmount:
    """An amount in euros as a parent typed it; never negative."""

    amount: Decimal
    relation: Relation = Relation.ABOUT
    basis: Basis = Basis.UNSAID
    upper: Decimal | None = None  # the second amount of BETWEEN

    def probes(self) -> tuple[tuple[Decimal, Side], ...]:
        """Return the points one option must hold to stand for this amount.

        An option's range is an interval, so holding both ends of what the parent said means
        holding all of it: „über 600" is every amount above 600 (up to any size), „unter 1.000"
        every amount from just above nothing to 1.000 — at a step split at 600 that needs two
        options, so it chooses none and the parent is asked again. „gut 600" and „knapp 1.000"
        are the amounts right beside the number.
        """
        value, low, high = self.amount, Decimal(0), _MAX_AMOUNT
        by_relation = {
            Relation.ABOUT: ((value, Side.AT),),
            Relation.JUST_ABOVE: ((value, Side.ABOVE),),
            Relation.JUST_BELOW: ((value, Side.BELOW),),
            Relation.ABOVE: ((value, Side.ABOVE), (high, Side.AT)),
            Relation.BELOW: ((low, Side.ABOVE), (value, Side.BELOW)),
            Relation.AT_LEAST: ((value, Side.AT), (high, Side.AT)),
            Relation.AT_MOST: ((low, Side.ABOVE), (value, Side.AT)),
        }
        if self.relation is Relation.BETWEEN and self.upper is not None:
            return ((value, Side.AT), (self.upper, Side.AT))
        return by_relation.get(self.relation, ((value, Side.AT),))


# A number as parents type it, with „k"/„tsd"/„tausend" and a „,-" for no cents.
_AMOUNT = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)*)(?:,-+)?(?:\s*(k|tsd|tausend)(?![a-z]))?(?![\d])"
)
_TOKEN = re.compile(r"#|[a-z]+|[^\sa-z.,!?;:()\"'„“”‚‘’]")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})*,\d{1,2}|\d+,\d{1,2}")
_DECIMAL_POINT = re.compile(r"\d+\.\d{1,2}")
_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_MAX_AMOUNT = Decimal(1_000_000)  # above this a "monthly amount" is more likely a phone number

_PAIRS = {
    ("mehr", "als"): Relation.ABOVE,
    ("weniger", "als"): Relation.BELOW,
    ("oder", "mehr"): Relation.AT_LEAST,
    ("und", "mehr"): Relation.AT_LEAST,
    ("oder", "weniger"): Relation.AT_MOST,
}
_SINGLE = {
    "uber": Relation.ABOVE,
    "ueber": Relation.ABOVE,
    "gut": Relation.JUST_ABOVE,
    "unter": Relation.BELOW,
    "knapp": Relation.JUST_BELOW,
    "ab": Relation.AT_LEAST,
    "mindestens": Relation.AT_LEAST,
    "plus": Relation.AT_LEAST,
    "+": Relation.AT_LEAST,
    "bis": Relation.AT_MOST,
    "hochstens": Relation.AT_MOST,
    "hoechstens": Relation.AT_MOST,
    "maximal": Relation.AT_MOST,
    "max": Relation.AT_MOST,
    "zwischen": Relation.BETWEEN,
    "-": Relation.BETWEEN,
    "–": Relation.BETWEEN,
}
_ZERO = frozenset(
    {"nix", "nichts", "garnix", "garnichts", "null", "kein", "keins", "keine", "keines", "keinen"}
)
_BASIS = {"brutto": Basis.GROSS, "netto": Basis.NET}
# Words around an amount that change nothing; any other word makes the text no amount.
_FILLER_WORDS = """
ich hab habe hatte bekomme bekommen krieg kriege verdiene verdien verdient verdienen mache sind
ist es das so um die den der etwa ca circa zirka ungefahr ungefaehr rund grob geschatzt
geschaetzt also ja naja na im in am pro monat monatlich mtl euro eur € eigenes eigene eigenen
einkommen lohn gehalt verdienst geld gar nur etwas bisschen vielleicht derzeit aktuell momentan
zurzeit gerade raus heraus von und mehr weniger
"""
_FILLER = frozenset(_FILLER_WORDS.split())


def _number(digits: str, thousand: bool) -> Decimal | None:
    """Read „1500", „1.500", „1.500,50", „12.50" (and „1,2" before „k"); None if ambiguous."""
    if len(digits) > 12:
        return None
    if digits.isdigit():
        value = Decimal(digits)
    elif _THOUSANDS.fullmatch(digits) and not thousand:
        value = Decimal(digits.replace(".", ""))
    elif _DECIMAL_COMMA.fullmatch(digits):
        value = Decimal(digits.replace(".", "").replace(",", "."))
    elif _DECIMAL_POINT.fullmatch(digits):
        value = Decimal(digits)  # „12.50": a decimal point; „1.500" was read as thousands above
    else:
        return None  # „1,500", dates, versions: ambiguous, so no amount
    return value * 1000 if thousand else value


def _words(text: str) -> tuple[list[Decimal], list[str]] | None:
    """Split text into its numbers and its other tokens (numbers become „#"); None if unreadable."""
    folded = text.casefold().translate(_UMLAUTS)
    numbers: list[Decimal] = []
    for match in _AMOUNT.finditer(folded):
        value = _number(match.group(1), match.group(2) is not None)
        if value is None:
            return None
        numbers.append(value)
    rest = _AMOUNT.sub(" # ", folded)
    if any(ch.isdigit() for ch in rest):
        return None
    return numbers, _TOKEN.findall(rest)


def _markers(tokens: list[str]) -> tuple[set[Relation], set[Basis], bool] | None:
    """Return the relations, the basis and whether a zero word was said; None on a foreign word."""
    relations: set[Relation] = set()
    bases: set[Basis] = set()
    zero = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = (token, tokens[index + 1]) if index + 1 < len(tokens) else None
        if pair in _PAIRS:
            relations.add(_PAIRS[pair])
            index += 2
            continue
        if token in _SINGLE:
            relations.add(_SINGLE[token])
        elif token in _BASIS:
            bases.add(_BASIS[token])
        elif token in _ZERO:
            zero = True
        elif token != "#" and token not in _FILLER:
            return None
        index += 1
    return relations, bases, zero


def parse_amount(text: str) -> TypedAmount | None:
    """Read an amount of money as parents type it; None when the text is not plainly one.

    Reads „1500", „1.500", „1.500,50", „1500€", „ca. 1.200 netto", „so um die 900", „1,2k",
    „über 600" / „mehr als 600" / „unter 600" / „weniger als 600", „ab 600", „zwischen 900 und
    1.100", and „nix", „nichts", „kein Einkommen", „0" as zero. Any word beyond the amount's
    own words („Unterhalt", „Bürgergeld", „nein") makes the text no amount, so questions and
    answers about other things fall through to the options' words.
    """
    split = _words(text)
    if split is None:
        return None
    numbers, tokens = split
    markers = _markers(tokens)
    if markers is None:
        return None
    relations, bases, zero = markers
    if len(bases) > 1 or len(relations) > 1 or any(n > _MAX_AMOUNT for n in numbers):
        return None
    basis = next(iter(bases), Basis.UNSAID)
    relation = next(iter(relations), Relation.ABOUT)
    if not numbers:
        return TypedAmount(Decimal(0), basis=basis) if zero and not relations else None
    if zero and any(numbers):
        return None
    if len(numbers) == 2 and relation in {Relation.BETWEEN, Relation.AT_MOST}:
        low, high = numbers
        return TypedAmount(low, Relation.BETWEEN, basis, high) if low < high else None
    if len(numbers) != 1 or relation is Relation.BETWEEN:
        return None
    if numbers[0] == 0 and relation in {Relation.BELOW, Relation.AT_MOST}:
        return None  # „unter 0" says nothing
    return TypedAmount(numbers[0], relation, basis)
