"""Read children and their ages the way parents write them.

„ich habe 2 kinder, 4 und 7" is two children aged 4 and 7, not three; „1 Jahr und 8 Monate",
„18 Monate", „die Kleine ist 1,5" and „anderthalb" are one child each; „Zwillinge, beide 3" is two
children of 3; birth dates count from today; number words up to twenty are understood. A count that
contradicts the list („2 Kinder: 4, 7 und 9") is reported, so the bot asks instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from bot.wording import Noun

_NUMBER_WORDS = {
    "null": 0, "eins": 1, "ein": 1, "eine": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "funf": 5, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwölf": 12, "zwolf": 12, "zwoelf": 12, "dreizehn": 13,
    "vierzehn": 14, "fünfzehn": 15, "funfzehn": 15, "fuenfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20,
}  # fmt: skip
# "ein"/"eine" count only before a unit ("ein Jahr"), never as an article ("eine Tochter").
_ARTICLE_WORDS = {"ein", "eine", "einem", "einer"}
_UNIT = r"(?:jahr|jahre|jahren|j|monat|monate|monaten|woche|wochen|tag|tage|tagen)\b"
# A number word standing as a whole word: the rest of the text is left alone without a call back.
_NUMBER_WORD = re.compile(
    rf"(?<![a-zäöüß])(?:{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})(?![a-zäöüß])"
)
_HALF = re.compile(r"\b(anderthalb|eineinhalb|einhalb)\b")
# „zweieinhalb", „2 1/2", „2½", „2 einhalb": a child of two and a half (newcomer D10).
_WORD_HALF = re.compile(
    rf"(?<![a-zäöüß])({'|'.join(w for w, n in _NUMBER_WORDS.items() if 2 <= n <= 20)})einhalb\b"
)
_DIGIT_HALF = re.compile(r"(?<![\d,./])(\d{1,2})\s*(?:1/2|½|einhalb)(?![\d/])")
_HALF_YEAR = re.compile(r"(?<![\d,./])(?:1/2|½|ein halbes|halbes)\s*jahr\b")
# „wird im März 3", „wird bald 3", „wird 3": the child is 2 now.
_TURNS = re.compile(
    r"\bwird\s+(?:(?:im|am|in|zum|bald|demnächst|demnaechst|nächste\w*|naechste\w*|diese\w*)"
    r"\s+(?:[a-zäöüß]+\s+)?)?(\d{1,2})\b(?!\s*(?:monat|woche|tag|jahr\w* und))"
)
_DATE_DE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d.])")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YEARS_MONTHS = re.compile(
    r"(?<![\d,.])(\d{1,2})\s*(?:jahr|jahre|jahren|j)\b\s*(?:und|,)?\s*(\d{1,2})\s*(?:monat|monate|monaten)\b"
)
_MONTHS = re.compile(r"(?<![\d,.])(\d{1,3})\s*(monat|monate|monaten|mon)\b")
_WEEKS_DAYS = re.compile(r"(?<![\d,.])(\d{1,3})\s*(woche|wochen|tag|tage|tagen)\b")
# „1,5" is one toddler; „4,7" is a list written without a space. Only half years of the
# youngest count as decimals (the confirmation step catches a wrong reading).
_DECIMAL = re.compile(r"(?<![\d,.])([0-3])[,.](5)(?![\d.])")
_COUNT = re.compile(
    r"(?<![\d,.])(\d{1,2})\s*(kinder|kindern|kids|kind|sohne|söhne|tochter|töchter|jungs|mädchen|madchen)\b"
)
_MULTIPLES = {"zwillinge": 2, "zwillingen": 2, "drillinge": 3, "drillingen": 3, "vierlinge": 4}
_MULTIPLE = re.compile(r"\b(zwillinge|zwillingen|drillinge|drillingen|vierlinge)\b")
# Decimals and dates are read before: a comma left between digits separates children („4,7").
_NUMBER = re.compile(r"(?<![\d.\-])(-?\d{1,3})(?!\d|\.\d)")


class Problem(Enum):
    """Why a reading cannot be used as it is."""

    NO_AGES = "no_ages"  # nothing to read, or a count without ages
    COUNT_MISMATCH = "count_mismatch"  # „2 Kinder: 4, 7 und 9"
    FUTURE_DATE = "future_date"
    BAD_DATE = "bad_date"
    OUT_OF_RANGE = "out_of_range"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class Child:
    """One child's age in whole months (precise enough for babies, exact for every rule)."""

    months: int

    @property
    def years(self) -> int:
        """Return the age in completed years."""
        return self.months // 12


@dataclass(frozen=True)
class Reading:
    """What a message says about the children."""

    children: tuple[Child, ...] = ()
    count: int | None = None  # a number of children stated in words („2 Kinder")
    problem: Problem | None = None

    @property
    def years(self) -> list[int]:
        """Return the ages in completed years."""
        return [c.years for c in self.children]


def _months_between(birth: date, today: date) -> int:
    months = (today.year - birth.year) * 12 + today.month - birth.month
    return months - (today.day < birth.day)


def _words_to_digits(text: str) -> str:
    """Write number words as digits („eins und drei" → „1 und 3", „ein Jahr" → „1 Jahr").

    Halves become years and months („zweieinhalb" → „2 jahre und 6 monate"), and an age still
    to come counts as the age now („wird im März 3" → „2").
    """
    text = _WORD_HALF.sub(lambda m: f"{_NUMBER_WORDS[m.group(1)]} jahre und 6 monate", text)
    text = _DIGIT_HALF.sub(r"\1 jahre und 6 monate", text)
    text = _HALF_YEAR.sub("6 monate", text)
    text = _HALF.sub("1,5", text)

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in _ARTICLE_WORDS and not re.match(r"\s*" + _UNIT, text[match.end() :]):
            return word
        return str(_NUMBER_WORDS[word])

    text = _NUMBER_WORD.sub(replace, text)
    # Only from 2 on: a child who „wird 1" is somewhere in its first year, which no number says.
    return _TURNS.sub(lambda m: str(int(m.group(1)) - 1) if int(m.group(1)) >= 2 else m[0], text)


def _dates(text: str, today: date) -> tuple[list[Child], str, Problem | None]:
    children: list[Child] = []
    for pattern, order in ((_DATE_DE, (2, 1, 0)), (_DATE_ISO, (0, 1, 2))):
        for match in pattern.finditer(text):
            parts = [int(g) for g in match.groups()]
            year, month, day = (parts[i] for i in order)
            if year < 100:
                year += 2000 if 2000 + year <= today.year else 1900
            try:
                birth = date(year, month, day)
            except ValueError:
                return [], text, Problem.BAD_DATE
            if birth > today:
                return [], text, Problem.FUTURE_DATE
            children.append(Child(_months_between(birth, today)))
        text = pattern.sub(" ", text)
    return children, text, None


def _spans(text: str) -> tuple[list[Child], str]:
    """Read ages written with units or decimals; each is one child."""
    children: list[Child] = []
    for match in _YEARS_MONTHS.finditer(text):
        children.append(Child(int(match.group(1)) * 12 + int(match.group(2))))
    text = _YEARS_MONTHS.sub(" ", text)
    for match in _MONTHS.finditer(text):
        children.append(Child(int(match.group(1))))
    text = _MONTHS.sub(" ", text)
    for _ in _WEEKS_DAYS.finditer(text):
        children.append(Child(0))
    text = _WEEKS_DAYS.sub(" ", text)
    for match in _DECIMAL.finditer(text):
        children.append(Child(int(match.group(1)) * 12 + int(match.group(2)) * 12 // 10))
    return children, _DECIMAL.sub(" ", text)


def _multiples(text: str, plain: list[int]) -> tuple[list[int], int]:
    """Expand twins and triplets: „Zwillinge, beide 3" → [3, 3]; return ages and extra count."""
    extra = 0
    for match in _MULTIPLE.finditer(text):
        size = _MULTIPLES[match.group(1)]
        following = _NUMBER.search(text, match.end())
        if following is not None and int(following.group(1)) in plain:
            age = int(following.group(1))
            plain = [*plain, *[age] * (size - 1)]
        else:
            extra += size
    return plain, extra


def read_children(
    text: str, today: date, lowest: int = 0, highest: int = 25, max_items: int = 8
) -> Reading:
    """Read the children a message describes.

    Args:
        text: The message as typed.
        today: Ages from birth dates count to this day.
        lowest: The youngest age in years accepted.
        highest: The oldest age in years accepted.
        max_items: The most children accepted.

    Returns:
        The children (in the order written), a stated count, and a problem if any.

    """
    lowered = _words_to_digits(text.casefold())
    children, rest, problem = _dates(lowered, today)
    if problem is not None:
        return Reading(problem=problem)
    spans, rest = _spans(rest)
    children += spans
    counts = [int(m.group(1)) for m in _COUNT.finditer(rest)]
    rest = _COUNT.sub(" ", rest)
    plain = [int(m.group(1)) for m in _NUMBER.finditer(rest)]
    plain, pending_multiples = _multiples(rest, plain)
    children += [Child(age * 12) for age in plain]
    count = sum(counts) if counts else (pending_multiples or None)
    return _judge(Reading(tuple(children), count), lowest, highest, max_items)


def _judge(reading: Reading, lowest: int, highest: int, max_items: int) -> Reading:
    children, count = reading.children, reading.count
    if not children:
        return Reading((), count, Problem.NO_AGES)
    if count is not None and count != len(children):
        return Reading(children, count, Problem.COUNT_MISMATCH)
    if len(children) > max_items:
        return Reading(children, count, Problem.TOO_MANY)
    if any(c.months < 0 or not lowest <= c.years <= highest for c in children):
        return Reading(children, count, Problem.OUT_OF_RANGE)
    return reading


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} und {parts[-1]}"


def age_label(child: Child) -> str:
    """Name one child's age: „5 Monate", „1 Jahr und 8 Monate", „4 Jahre"."""
    years, months = divmod(child.months, 12)
    if years == 0:
        return "unter einem Monat" if months == 0 else Noun.MONTH.count(months)
    if years < 3 and months:
        return f"{Noun.YEAR.count(years)} und {Noun.MONTH.count(months)}"
    return Noun.YEAR.count(years)


def describe(children: tuple[Child, ...]) -> str:
    """Describe ages for the parent to confirm: „4 und 7 Jahre", „5 Monate und 3 Jahre"."""
    if all(c.months >= 36 or (c.months % 12 == 0 and c.months >= 12) for c in children):
        single_year = len(children) == 1 and children[0].years == 1
        unit = Noun.YEAR.one if single_year else Noun.YEAR.many
        return f"{_join([str(c.years) for c in children])} {unit}"
    return _join([age_label(c) for c in children])
