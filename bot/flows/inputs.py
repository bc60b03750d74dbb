"""Typed input of flow steps: ages (numbers, months, birth dates) and whole numbers."""

from __future__ import annotations

import re
from datetime import date

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
